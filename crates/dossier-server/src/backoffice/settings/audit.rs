//! `/settings/audit`: verifies the workspace's audit trail, every chain entry by entry and every
//! stored case version against its hash, and shows what it found.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::json;

use super::{admin_form, guard, page};
use crate::AppState;
use crate::backoffice::Analyst;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings/audit", get(show))
        .route("/settings/audit/verify", post(verify))
}

async fn show(State(state): State<AppState>, analyst: Analyst) -> Response {
    if let Err(r) = guard(&state, &analyst) {
        return r;
    }
    page(
        &state,
        &analyst,
        StatusCode::OK,
        "bo_settings_audit.html",
        "audit",
        None,
        json!({"result": null}),
    )
}

/// `POST /settings/audit/verify`: runs the verification now and shows its result (a read: sending
/// it again only verifies again).
async fn verify(State(state): State<AppState>, analyst: Analyst, body: Bytes) -> Response {
    if let Err(r) = admin_form(&state, &analyst, &body) {
        return r;
    }
    let (count, broken) = match state.app.verify_audit(&analyst.staff.principal).await {
        Ok(r) => r,
        Err(e) => return analyst.refusal(&state, &e),
    };
    page(
        &state,
        &analyst,
        StatusCode::OK,
        "bo_settings_audit.html",
        "audit",
        None,
        json!({
            "result": {
                "count": count,
                "intact": broken.is_none(),
                "broken": broken,
                "at": dossier_store::now(),
            },
        }),
    )
}
