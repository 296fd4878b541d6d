//! A case's tasks: rerun one now (`POST /cases/{id}/tasks/{key}/run`) or clear it by hand with a
//! comment (`POST /cases/{id}/tasks/{key}/clear`). The application layer says which task may be
//! cleared (not a screening task: its hits are reviewed instead) and audits both.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::json;

use super::{back_to_case, refused};
use crate::AppState;
use crate::backoffice::Analyst;

pub async fn run(
    State(state): State<AppState>,
    analyst: Analyst,
    Path((id, key)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    if let Err(page) = analyst.form(&state, &body) {
        return page;
    }
    let form_key = format!("task-{key}");
    match state
        .app
        .run_task(&analyst.staff.principal, &id, &key)
        .await
    {
        Ok(_) => back_to_case(&id, "task_run", &form_key),
        Err(e) => refused(&state, &analyst, &id, &form_key, &e, json!({})).await,
    }
}

pub async fn clear(
    State(state): State<AppState>,
    analyst: Analyst,
    Path((id, key)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let form = match analyst.form(&state, &body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    let form_key = format!("task-{key}");
    let comment = form.get("comment");
    match state
        .app
        .clear_task(&analyst.staff.principal, &id, &key, comment)
        .await
    {
        Ok(_) => back_to_case(&id, "task_cleared", &form_key),
        Err(e) => {
            refused(
                &state,
                &analyst,
                &id,
                &form_key,
                &e,
                json!({"comment": comment}),
            )
            .await
        }
    }
}
