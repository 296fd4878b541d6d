//! A case's documents: their content for the page's previews
//! (`GET /cases/{id}/documents/{doc_id}/content`) and their review
//! (`POST /cases/{id}/documents/{doc_id}/review`: valid, or invalid with a reason of the type's
//! catalogue).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use dossier_domain::workflow::DocumentStatus;
use serde_json::json;

use super::{back_to_case, refused};
use crate::AppState;
use crate::backoffice::Analyst;

/// The policy of a document's bytes as the back-office serves them: sandboxed (nothing runs,
/// nothing loads, its origin is opaque), framed only by our own pages.
const PREVIEW_CSP: &str = "sandbox; default-src 'none'; frame-ancestors 'self'";

pub async fn content(
    State(state): State<AppState>,
    analyst: Analyst,
    Path((id, doc_id)): Path<(String, String)>,
) -> Response {
    match state
        .app
        .document_content(&analyst.staff.principal, &id, &doc_id)
        .await
    {
        Ok(content) => crate::api::documents::content_response(content, PREVIEW_CSP),
        Err(e) => analyst.refusal(&state, &e),
    }
}

pub async fn review(
    State(state): State<AppState>,
    analyst: Analyst,
    Path((id, doc_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let form = match analyst.form(&state, &body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    let key = format!("doc-{doc_id}");
    let values = json!({"status": form.get("status"), "reason": form.get("reason")});
    let status = match form.get("status") {
        "valid" => DocumentStatus::Valid,
        "invalid" => DocumentStatus::Invalid,
        "unset" => DocumentStatus::Unset,
        _ => {
            let e = dossier_app::AppError::invalid("status", "choose valid or invalid");
            return refused(&state, &analyst, &id, &key, &e, values).await;
        }
    };
    // A reason only goes with `invalid` (the select keeps its choice when another status is
    // picked; the catalogue refuses a reason that is not asked for).
    let reason = match status {
        DocumentStatus::Invalid => form.opt("reason"),
        _ => None,
    };
    match state
        .app
        .review_document(&analyst.staff.principal, &id, &doc_id, status, reason)
        .await
    {
        Ok(_) => back_to_case(&id, "document", &key),
        Err(e) => refused(&state, &analyst, &id, &key, &e, values).await,
    }
}
