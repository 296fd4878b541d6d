//! Review and submit, and the page after: the case is submitted through the application layer (the
//! same validation as the API), then the client goes to the portal's `redirect_url` or sees a
//! thank-you page. After that the link shows the submitted state.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Value, json};

use super::Visit;
use crate::AppState;
use crate::web::forms::FieldMessage;

/// The summary of what was entered: the subject's filled fields, the parties, the documents.
async fn render(
    state: &AppState,
    visit: &Visit,
    status: StatusCode,
    summary: Option<String>,
    errors: Vec<FieldMessage>,
) -> Response {
    let case = match state.app.visitor_case(&visit.visitor).await {
        Ok(Some(c)) => c,
        Ok(None) => return Redirect::to("/portal/details").into_response(),
        Err(e) => return super::refusal(state, &visit.lang, &e),
    };
    let value = serde_json::to_value(&case).unwrap_or_default();
    let prefix = case.kind.as_str();
    let mut details = Vec::new();
    if let Value::Object(subject) = &value[prefix] {
        for (k, v) in subject {
            match v {
                Value::String(s) if !s.is_empty() => details.push(json!({
                    "label": state.web.t(&visit.lang, &format!("field-{k}"), &[]), "value": s})),
                Value::Object(address) => {
                    let line: Vec<&str> =
                        ["line1", "line2", "postal_code", "city", "region", "country"]
                            .iter()
                            .filter_map(|f| address.get(*f).and_then(Value::as_str))
                            .collect();
                    if !line.is_empty() {
                        details.push(
                            json!({"label": state.web.t(&visit.lang, "field-address", &[]),
                                            "value": line.join(", ")}),
                        );
                    }
                }
                _ => {}
            }
        }
    }
    let definitions = state
        .app
        .custom_fields(&visit.visitor.principal)
        .await
        .unwrap_or_default();
    for d in dossier_app::custom_fields::shown_in_portal(&definitions, &case) {
        if let Some(v) = case.custom_fields.get(&d.api_name).filter(|v| !v.is_null()) {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Bool(b) => state.web.t(
                    &visit.lang,
                    if *b { "answer-yes" } else { "answer-no" },
                    &[],
                ),
                Value::Array(items) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
                other => other.to_string(),
            };
            details.push(json!({"label": d.label, "value": text}));
        }
    }
    let mut parties = Vec::new();
    collect_parties(&case.relationships, &mut parties);
    let documents: Vec<Value> = case
        .documents
        .iter()
        .map(|d| json!({"type": state.web.t(&visit.lang, &format!("doctype-{}", d.document_type), &[])}))
        .collect();
    visit
        .page(
            state,
            status,
            "portal_review.html",
            "review",
            json!({"details": details, "parties": parties, "documents": documents,
                   "summary": summary, "errors": errors}),
        )
        .await
}

fn collect_parties(parties: &[dossier_domain::relationship::Relationship], out: &mut Vec<Value>) {
    for p in parties {
        let name = p
            .person
            .as_ref()
            .map(|x| x.full_name())
            .or_else(|| p.business.as_ref().and_then(|b| b.name.clone()))
            .unwrap_or_default();
        out.push(json!({"name": name}));
        collect_parties(&p.relationships, out);
    }
}

pub async fn show(State(state): State<AppState>, visit: Visit) -> Response {
    if let Err(r) = visit.step(&state, "review") {
        return r;
    }
    render(&state, &visit, StatusCode::OK, None, Vec::new()).await
}

pub async fn submit(State(state): State<AppState>, mut visit: Visit, body: Bytes) -> Response {
    if let Err(r) = visit.step(&state, "review") {
        return r;
    }
    if let Err(r) = visit.form(&state, &body) {
        return r;
    }
    match state.app.visitor_submit(&mut visit.visitor).await {
        Ok(Some(url)) => Redirect::to(&url).into_response(),
        Ok(None) => Redirect::to("/portal/done").into_response(),
        Err(e) => match visit.form_errors(&state, &e) {
            Ok((summary, errors)) => {
                render(
                    &state,
                    &visit,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    summary,
                    errors,
                )
                .await
            }
            Err(r) => r,
        },
    }
}

/// After submission (and whenever the link is opened again): the submitted state.
pub async fn done(State(state): State<AppState>, visit: Visit) -> Response {
    if visit.visitor.portal.is_open() {
        return Redirect::to("/portal").into_response();
    }
    visit
        .page(
            &state,
            StatusCode::OK,
            "portal_done.html",
            "done",
            json!({"steps": []}),
        )
        .await
}
