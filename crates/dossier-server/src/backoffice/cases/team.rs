//! The team's own work on a case, never shown to the client: who it is assigned to
//! (`POST /cases/{id}/assignee`), its tags (`POST /cases/{id}/tags`, to add or remove one) and the
//! internal comments (`POST /cases/{id}/comments`). The application layer checks the role and
//! audits each; these handlers only read the form.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use dossier_app::AppError;
use serde_json::json;

use super::{back_to_case, refused};
use crate::AppState;
use crate::backoffice::Analyst;

pub async fn assign(
    State(state): State<AppState>,
    analyst: Analyst,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let form = match analyst.form(&state, &body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    let p = &analyst.staff.principal;
    let assignee = match form.opt("assignee_id").as_deref() {
        Some("me") => Some(p.actor.id.clone()),
        other => other.map(str::to_string),
    };
    let values = json!({"assignee_id": form.get("assignee_id")});
    match state
        .app
        .assign(p, std::slice::from_ref(&id), assignee.as_deref())
        .await
    {
        Ok(_) => back_to_case(&id, "assigned_case", "team"),
        Err(e) => refused(&state, &analyst, &id, "assignee", &e, values).await,
    }
}

pub async fn tag(
    State(state): State<AppState>,
    analyst: Analyst,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let form = match analyst.form(&state, &body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    let p = &analyst.staff.principal;
    let ids = std::slice::from_ref(&id);
    let values = json!({"tag": form.get("tag")});
    let result = match form.get("action") {
        "add" => state
            .app
            .add_tag(p, ids, form.get("tag"))
            .await
            .map(|_| "tagged"),
        "remove" => state
            .app
            .remove_tag(p, ids, form.get("tag"))
            .await
            .map(|_| "untagged"),
        _ => Err(AppError::invalid("action", "choose to add or to remove")),
    };
    match result {
        Ok(done) => back_to_case(&id, done, "team"),
        Err(e) => refused(&state, &analyst, &id, "tags", &e, values).await,
    }
}

pub async fn comment(
    State(state): State<AppState>,
    analyst: Analyst,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let form = match analyst.form(&state, &body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    let values = json!({"body": form.get("body")});
    match state
        .app
        .comment(&analyst.staff.principal, None, &id, form.get("body"))
        .await
    {
        Ok(_) => back_to_case(&id, "commented", "comments"),
        Err(e) => refused(&state, &analyst, &id, "comments", &e, values).await,
    }
}
