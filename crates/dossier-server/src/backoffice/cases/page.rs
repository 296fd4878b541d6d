//! `GET /cases/{id}`: everything about one case, and the forms that act on it.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::display_name;
use crate::AppState;
use crate::backoffice::Analyst;

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    done: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    analyst: Analyst,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    render(&state, &analyst, &id, StatusCode::OK, q.done, json!({})).await
}

/// The case page, with `extra` (a refused form's errors) merged into its context.
pub async fn render(
    state: &AppState,
    analyst: &Analyst,
    id: &str,
    status: StatusCode,
    done: Option<String>,
    extra: Value,
) -> Response {
    let p = &analyst.staff.principal;
    let app = match state.app.application(p, id).await {
        Ok(app) => app,
        Err(e) => return analyst.refusal(state, &e),
    };
    let activity = state
        .app
        .application_activity(p, id, None, Some(50))
        .await
        .unwrap_or_else(|_| json!({"data": []}));
    let role = p.role();
    let mut context = json!({
        "nav": "cases",
        "name": display_name(&app),
        "case": dossier_app::applications::to_json(&app),
        "activity": activity["data"],
        "done": done,
        "may_decide": role.may_write() && app.decision.is_none(),
        "is_qualified": role.is_qualified(),
    });
    if let (Value::Object(ctx), Value::Object(extra)) = (&mut context, extra) {
        ctx.extend(extra);
    }
    analyst.page(state, status, "bo_case.html", context)
}
