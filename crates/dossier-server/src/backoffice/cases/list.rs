//! `GET /cases`: the workspace's cases, newest first, with filters kept in the URL.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use dossier_store::ApplicationFilter;
use serde::Deserialize;
use serde_json::{Value, json};

use super::display_name;
use crate::AppState;
use crate::backoffice::Analyst;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    status_review: Option<String>,
    status_execution: Option<String>,
    risk_level: Option<String>,
    cursor: Option<String>,
    done: Option<String>,
}

fn blank_to_none(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

pub async fn show(
    State(state): State<AppState>,
    analyst: Analyst,
    Query(q): Query<ListQuery>,
) -> Response {
    let filter = ApplicationFilter {
        status_review: blank_to_none(&q.status_review),
        status_execution: blank_to_none(&q.status_execution),
        risk_level: blank_to_none(&q.risk_level),
        before_id: blank_to_none(&q.cursor),
        ..Default::default()
    };
    let page = match state
        .app
        .applications(&analyst.staff.principal, filter, Some(50))
        .await
    {
        Ok(page) => page,
        Err(e) => return analyst.refusal(&state, &e),
    };
    let rows: Vec<Value> = page["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| serde_json::from_value(v.clone()).ok())
        .map(|app: dossier_domain::application::Application| {
            json!({
                "id": app.id,
                "name": display_name(&app),
                "type": app.kind,
                "status_review": app.status_review,
                "status_execution": app.status_execution,
                "risk_level": app.risk_level,
                "updated_at": app.updated_at.to_string(),
                "tags": app.tags,
            })
        })
        .collect();
    analyst.page(
        &state,
        StatusCode::OK,
        "bo_cases.html",
        json!({
            "nav": "cases",
            "cases": rows,
            "next_cursor": page["next_cursor"],
            "filters": {
                "status_review": q.status_review,
                "status_execution": q.status_execution,
                "risk_level": q.risk_level,
            },
            "done": q.done,
        }),
    )
}
