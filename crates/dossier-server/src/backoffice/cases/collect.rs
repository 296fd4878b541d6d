//! `GET /cases/{id}/request`, `POST /cases/{id}/request`: ask the client for more (steps of the
//! portal, documents: missing ones, replacements of invalid ones, any type) with a message for the
//! client, a reason shown beside each document and a note for the team only. The first request
//! opens the case's collect, a later one reopens it as a new round (a new link; the old one stops
//! working). The link is shown once, on the page that answers the request.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use dossier_app::AppError;
use dossier_app::portals::{AskedItem, NewCollect};
use dossier_domain::application::{Application, SubjectKind};
use dossier_domain::workflow::DocumentStatus;
use serde_json::{Value, json};

use super::{display_name, form_state, page::collect_summary, view};
use crate::AppState;
use crate::backoffice::{Analyst, Form};

pub async fn show(
    State(state): State<AppState>,
    analyst: Analyst,
    Path(id): Path<String>,
) -> Response {
    if let Err(e) = analyst.staff.principal.require_write() {
        return analyst.refusal(&state, &e);
    }
    render(&state, &analyst, &id, StatusCode::OK, json!({})).await
}

/// What may be asked for: the case's invalid documents (to replace), the documents its template
/// expects and it lacks, and every type of the catalogue for the subject.
fn choices(state: &AppState, analyst: &Analyst, app: &Application) -> Vec<Value> {
    let lang = &analyst.lang;
    let names = view::party_names(app);
    let label = |t: &str| {
        state
            .web
            .try_t(lang, &format!("doctype-{t}"), &[])
            .unwrap_or_else(|| t.to_string())
    };
    let whose = |rel: &Option<String>| match rel {
        Some(r) => names.get(r).cloned().unwrap_or_else(|| r.clone()),
        None => display_name(app),
    };
    let mut out = Vec::new();
    for d in app
        .documents
        .iter()
        .filter(|d| d.status == DocumentStatus::Invalid)
    {
        out.push(json!({
            "value": format!("doc:{}", d.id),
            "label": state.web.t(lang, "bo-request-replace", &[
                ("document", label(&d.document_type)),
                ("whose", whose(&d.relationship_id)),
            ]),
            "group": "replace",
        }));
    }
    for e in &app.expected_documents {
        let present = app.documents.iter().any(|d| {
            d.relationship_id == e.relationship_id
                && e.types.contains(&d.document_type)
                && d.status != DocumentStatus::Invalid
        });
        if present {
            continue;
        }
        let Some(first) = e.types.first() else {
            continue;
        };
        out.push(json!({
            "value": format!("type:{first}:{}", e.relationship_id.clone().unwrap_or_default()),
            "label": state.web.t(lang, "bo-request-missing", &[
                ("document", e.label.clone()),
                ("whose", whose(&e.relationship_id)),
            ]),
            "group": "missing",
        }));
    }
    out
}

async fn render(
    state: &AppState,
    analyst: &Analyst,
    id: &str,
    status: StatusCode,
    extra: Value,
) -> Response {
    let p = &analyst.staff.principal;
    let app = match state.app.application(p, id).await {
        Ok(app) => app,
        Err(e) => return analyst.refusal(state, &e),
    };
    let users = state.app.users(p).await.unwrap_or_default();
    let people = view::People::new(&users);
    let collect = state
        .app
        .collect(p, id)
        .await
        .ok()
        .map(|c| collect_summary(&c, &people));
    let lang = &analyst.lang;
    let types: Vec<Value> = dossier_app::documents::document_types()
        .into_iter()
        .filter(|t| t.subjects.iter().any(|s| s == app.kind.as_str()))
        .map(|t| {
            json!({
                "value": t.name,
                "label": state.web.try_t(lang, &format!("doctype-{}", t.name), &[]).unwrap_or_else(|| t.label.clone()),
            })
        })
        .collect();
    let mut steps = vec!["details", "documents"];
    if app.kind == SubjectKind::Business {
        steps.insert(1, "relationships");
    }
    let mut context = json!({
        "nav": "cases",
        "name": display_name(&app),
        "case": {"id": app.id},
        "collect": collect,
        "choices": choices(state, analyst, &app),
        "types": types,
        "steps": steps,
        "forms": {},
    });
    if let (Value::Object(ctx), Value::Object(extra)) = (&mut context, extra) {
        ctx.extend(extra);
    }
    analyst.page(state, status, "bo_case_request.html", context)
}

/// The request as the form gives it.
fn posted(form: &Form) -> NewCollect {
    let reason = form.opt("reason");
    let mut documents: Vec<AskedItem> = Vec::new();
    let mut asked = form.all("document");
    asked.extend(form.opt("other_type").map(|t| format!("type:{t}:")));
    for item in asked {
        let (document_type, document_id, relationship_id) =
            if let Some(doc) = item.strip_prefix("doc:") {
                (None, Some(doc.to_string()), None)
            } else if let Some(rest) = item.strip_prefix("type:") {
                let (t, rel) = rest.split_once(':').unwrap_or((rest, ""));
                (
                    Some(t.to_string()),
                    None,
                    Some(rel.to_string()).filter(|r| !r.is_empty()),
                )
            } else {
                (Some(item.clone()), None, None)
            };
        documents.push(AskedItem::Full {
            document_type,
            document_id,
            relationship_id,
            reason: reason.clone(),
            note: None,
        });
    }
    let mut steps = form.all("step");
    if !documents.is_empty() && !steps.iter().any(|s| s == "documents") {
        steps.push("documents".into());
    }
    NewCollect {
        steps: Some(steps),
        documents: Some(documents),
        email: form.opt("email"),
        message: form.opt("message"),
        note: form.opt("note"),
        ..Default::default()
    }
}

pub async fn open(
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
    let values = json!({
        "step": form.all("step"),
        "document": form.all("document"),
        "other_type": form.get("other_type"),
        "email": form.get("email"),
        "message": form.get("message"),
        "reason": form.get("reason"),
        "note": form.get("note"),
    });
    let new = posted(&form);
    let nothing = new.steps.as_ref().is_none_or(Vec::is_empty);
    let result = if nothing {
        Err(AppError::invalid(
            "steps",
            "choose what to ask for: a step or a document",
        ))
    } else if form.get("mode") == "reopen" {
        state.app.reopen_collect(p, &id, new).await
    } else {
        state.app.open_collect(p, None, &id, new).await
    };
    match result {
        Ok(written) => {
            let link = serde_json::from_str::<Value>(&written.body)
                .ok()
                .and_then(|v| v["portals"]["link"].as_str().map(str::to_string));
            render(
                &state,
                &analyst,
                &id,
                StatusCode::OK,
                json!({"link": link, "done": "request"}),
            )
            .await
        }
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(..))) => {
            let status = super::status_of(&e);
            render(
                &state,
                &analyst,
                &id,
                status,
                json!({"forms": {"request": form_state(&state, &analyst, "request", &e, values)}}),
            )
            .await
        }
        Err(e) => analyst.refusal(&state, &e),
    }
}
