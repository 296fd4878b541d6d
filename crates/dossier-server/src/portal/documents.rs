//! The documents step: one slot per document expected (an onboarding portal: what the case's
//! template expects, per party) or asked (a collect: what the team asked, with its reason). Each
//! slot uploads through the same pipeline as the documents API; on a phone the file input opens
//! the camera.

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use dossier_app::AppError;
use dossier_domain::application::Application;
use dossier_domain::workflow::DocumentStatus;
use serde_json::{Value, json};

use super::{Visit, next_step};
use crate::AppState;
use crate::api::documents::{BeforeFile, receive_upload};
use crate::web::forms::FieldMessage;

/// A document type's name in the page's language (the catalogue's English label otherwise).
fn type_label(state: &AppState, visit: &Visit, document_type: &str) -> String {
    state
        .web
        .try_t(&visit.lang, &format!("doctype-{document_type}"), &[])
        .or_else(|| {
            dossier_app::documents::document_types()
                .into_iter()
                .find(|t| t.name == document_type)
                .map(|t| t.label.clone())
        })
        .unwrap_or_else(|| document_type.to_string())
}

/// The slots: `{type, types, label, whose, relationship_id, reason, given: [{filename, status,
/// reason}]}`.
fn slots(state: &AppState, visit: &Visit, case: &Application) -> Vec<Value> {
    let whose = |rid: &Option<String>| match rid {
        None => case
            .business
            .as_ref()
            .and_then(|b| b.name.clone())
            .or_else(|| case.person.as_ref().map(|p| p.full_name()))
            .unwrap_or_default(),
        Some(r) => dossier_domain::relationship::find(&case.relationships, r)
            .map(|p| {
                p.person
                    .as_ref()
                    .map(|x| x.full_name())
                    .or_else(|| p.business.as_ref().and_then(|b| b.name.clone()))
                    .unwrap_or_default()
            })
            .unwrap_or_default(),
    };
    let given = |types: &[String], rid: &Option<String>| -> Vec<Value> {
        case.documents
            .iter()
            .filter(|d| types.contains(&d.document_type) && &d.relationship_id == rid)
            .map(|d| {
                json!({"status": match d.status {
                        DocumentStatus::Invalid => "invalid",
                        DocumentStatus::Valid => "valid",
                        DocumentStatus::Unset => "received",
                    }, "reason": d.reason})
            })
            .collect()
    };
    let slot = |types: Vec<String>, rid: Option<String>, reason: Option<String>| {
        let first = types.first().cloned().unwrap_or_default();
        let label = types
            .iter()
            .map(|t| type_label(state, visit, t))
            .collect::<Vec<_>>()
            .join(" / ");
        json!({
            "id": slot_id(&first, rid.as_deref()),
            "type": first,
            "types": types,
            "label": label,
            "whose": whose(&rid),
            "relationship_id": rid,
            "reason": reason,
            "given": given(&types, &rid),
        })
    };
    let portal = &visit.visitor.portal;
    let all: Vec<Value> = match portal.round() {
        Some(round) if portal.is_collect() && !round.documents.is_empty() => round
            .documents
            .iter()
            .map(|d| {
                slot(
                    vec![d.document_type.clone()],
                    d.relationship_id.clone(),
                    d.reason.clone(),
                )
            })
            .collect(),
        _ => case
            .expected_documents
            .iter()
            .map(|e| slot(e.types.clone(), e.relationship_id.clone(), None))
            .collect(),
    };
    // Two rules may expect the same document of the same party (a director who is also a
    // beneficial owner: one identity document): one slot, one upload.
    let mut seen = std::collections::HashSet::new();
    all.into_iter()
        .filter(|s| seen.insert(s["id"].as_str().unwrap_or_default().to_string()))
        .collect()
}

/// The id of the slot of a document type for the subject or a party (`slot_id` of the page).
fn slot_id(document_type: &str, relationship_id: Option<&str>) -> String {
    format!(
        "slot-{}-{}",
        document_type,
        relationship_id.unwrap_or("subject")
    )
}

async fn render(
    state: &AppState,
    visit: &Visit,
    status: StatusCode,
    summary: Option<String>,
    errors: Vec<FieldMessage>,
    failed_slot: Option<String>,
) -> Response {
    let case = match state.app.visitor_case(&visit.visitor).await {
        Ok(Some(c)) => c,
        Ok(None) => return Redirect::to("/portal/details").into_response(),
        Err(e) => return super::refusal(state, &visit.lang, &e),
    };
    visit
        .page(
            state,
            status,
            "portal_documents.html",
            "documents",
            json!({
                "slots": slots(state, visit, &case),
                "summary": summary,
                "errors": errors,
                "failed_slot": failed_slot,
                "max_mb": state.app.document_limit() / (1024 * 1024),
            }),
        )
        .await
}

pub async fn show(State(state): State<AppState>, visit: Visit) -> Response {
    if let Err(r) = visit.step(&state, "documents") {
        return r;
    }
    render(&state, &visit, StatusCode::OK, None, Vec::new(), None).await
}

/// One file for one slot (multipart: `_csrf`, `type`, `relationship_id`, then `file`).
pub async fn upload(State(state): State<AppState>, visit: Visit, request: Request) -> Response {
    if let Err(r) = visit.step(&state, "documents") {
        return r;
    }
    if let Err(r) = super::check_origin(&state, &visit.headers, &visit.lang) {
        return r;
    }
    let Some(id) = visit.visitor.portal.row.application_id.clone() else {
        return Redirect::to("/portal/details").into_response();
    };
    let csrf = visit.visitor.session.csrf_token.clone();
    // The slot the file was for, so that its error shows beside its input.
    let slot = std::sync::Mutex::new(None);
    let received = receive_upload(
        &state,
        &visit.visitor.principal,
        &id,
        request,
        &["_csrf"],
        |b: BeforeFile<'_>| {
            let token = b
                .parts
                .iter()
                .find(|(k, _)| k == "_csrf")
                .map(|(_, v)| v.as_str())
                .unwrap_or_default();
            if !crate::web::security::tokens_match(token, &csrf) {
                return Err(AppError::Forbidden("forged", "the form is not ours".into()));
            }
            let document_type = b
                .document_type
                .ok_or_else(|| AppError::invalid("type", "choose the document first"))?;
            *slot.lock().unwrap() = Some(slot_id(document_type, b.relationship_id));
            state
                .app
                .visitor_may_upload(&visit.visitor, document_type, b.relationship_id)
        },
    )
    .await;
    let slot = slot.into_inner().unwrap_or_default();
    let result = match received {
        Ok(upload) => {
            let document_type = upload.document_type.clone().unwrap_or_default();
            state
                .app
                .visitor_record_upload(
                    &visit.visitor,
                    upload.file,
                    document_type,
                    upload.relationship_id,
                )
                .await
                .map(|_| ())
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Redirect::to("/portal/documents").into_response(),
        Err(AppError::Forbidden("forged", _)) => {
            super::message(&state, &visit.lang, StatusCode::FORBIDDEN, "forged")
        }
        Err(e) => match visit.form_errors(&state, &e) {
            Ok((summary, mut errors)) => {
                // The pipeline names the `file` part; the page has a file input per slot.
                let no_file = matches!(&e, AppError::Invalid(v)
                    if v.iter().any(|f| f.field == "file" && f.code == "required"));
                for m in &mut errors {
                    if m.field == "file" || m.field == "type" {
                        m.field = "file".into();
                        if no_file {
                            m.message = state.web.t(&visit.lang, "documents-no-file", &[]);
                        }
                        if let Some(s) = &slot {
                            m.id = format!("{s}-file");
                        }
                    }
                }
                // Errors that are not a field's (a refused kind of file, a file too large) are the
                // file input's too.
                if errors.is_empty()
                    && let (Some(text), Some(s)) = (&summary, &slot)
                {
                    errors.push(FieldMessage {
                        field: "file".into(),
                        id: format!("{s}-file"),
                        message: text.clone(),
                    });
                }
                let status = match e {
                    AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
                    AppError::UnsupportedMediaType(..) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    _ => StatusCode::UNPROCESSABLE_ENTITY,
                };
                render(&state, &visit, status, None, errors, slot).await
            }
            Err(r) => r,
        },
    }
}

pub async fn done(State(state): State<AppState>, mut visit: Visit, body: Bytes) -> Response {
    if let Err(r) = visit.step(&state, "documents") {
        return r;
    }
    if let Err(r) = visit.form(&state, &body) {
        return r;
    }
    if let Err(e) = state
        .app
        .visitor_step_done(&mut visit.visitor, "documents")
        .await
    {
        return super::refusal(&state, &visit.lang, &e);
    }
    Redirect::to(&next_step(&visit.visitor, "documents")).into_response()
}
