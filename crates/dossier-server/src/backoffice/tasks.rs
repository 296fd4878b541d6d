//! `/tasks`: the tasks needing action across the workspace's cases, oldest first, with how long
//! each has waited and on whom (the team, or the client when a collect asks for it).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use dossier_app::cases::assignee_filter;
use serde::Deserialize;
use serde_json::json;

use super::dashboard::waited;
use crate::AppState;
use crate::backoffice::Analyst;

const PAGE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct InboxQuery {
    assignee: Option<String>,
    page: Option<i64>,
}

pub async fn show(
    State(state): State<AppState>,
    analyst: Analyst,
    Query(q): Query<InboxQuery>,
) -> Response {
    let p = &analyst.staff.principal;
    let view = q.assignee.clone().unwrap_or_else(|| "any".into());
    let page = q.page.unwrap_or(1).max(1);
    let inbox = match state
        .app
        .task_inbox(p, &assignee_filter(p, &view), (page - 1) * PAGE, PAGE)
        .await
    {
        Ok(i) => i,
        Err(e) => return analyst.refusal(&state, &e),
    };
    let tasks: Vec<_> = inbox
        .tasks
        .iter()
        .map(|t| {
            json!({"application_id": t.task.application_id, "case": t.task.display_name,
                   "key": t.task.task_key, "name": t.task.task_name, "result": t.task.result,
                   "since": t.task.since, "waited": waited(t.waited_seconds), "waits_on": t.waits_on})
        })
        .collect();
    analyst.page(
        &state,
        StatusCode::OK,
        "bo_tasks.html",
        json!({"nav": "tasks", "tasks": tasks, "total": inbox.total, "view": view, "page": page,
               "pages": ((inbox.total + PAGE - 1) / PAGE).max(1)}),
    )
}
