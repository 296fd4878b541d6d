//! Review and submit, and the page after: the case is submitted through the application layer (the
//! same validation as the API), then the client goes to the portal's `redirect_url` or sees a
//! thank-you page. After that the link shows the submitted state.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Value, json};

use dossier_domain::custom_field::FieldType;

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
    let lang = &visit.lang;
    let country = |code: &str| super::details::country_name(state, lang, code);
    // The subject's answers in the form's order, countries by name.
    let (prefix, inputs) = super::details::subject_inputs(case.kind);
    let subject = &value[prefix];
    let mut details = Vec::new();
    for i in inputs {
        if let Some(s) = subject[i.name].as_str().filter(|s| !s.is_empty()) {
            let shown = if i.kind == "country" {
                country(s)
            } else {
                s.to_string()
            };
            details.push(json!({"label": state.web.t(lang, &format!("field-{}", i.name), &[]), "value": shown}));
        }
    }
    if let Value::Object(address) = &subject["address"] {
        let line: Vec<String> = ["line1", "line2", "postal_code", "city", "region", "country"]
            .iter()
            .filter_map(|f| address.get(*f).and_then(Value::as_str).map(|v| (*f, v)))
            .map(|(f, v)| {
                if f == "country" {
                    country(v)
                } else {
                    v.to_string()
                }
            })
            .collect();
        if !line.is_empty() {
            details.push(
                json!({"label": state.web.t(lang, "field-address", &[]), "value": line.join(", ")}),
            );
        }
    }
    let definitions = state
        .app
        .custom_fields(&visit.visitor.principal)
        .await
        .unwrap_or_default();
    for d in dossier_app::custom_fields::shown_in_portal(&definitions, &case) {
        if let Some(v) = case.custom_fields.get(&d.api_name).filter(|v| !v.is_null()) {
            let is_country = matches!(d.field_type, FieldType::Country | FieldType::CountryMulti);
            let text = match v {
                Value::String(s) if is_country => country(s),
                Value::String(s) => s.clone(),
                Value::Bool(b) => {
                    state
                        .web
                        .t(lang, if *b { "answer-yes" } else { "answer-no" }, &[])
                }
                Value::Array(items) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|s| {
                        if is_country {
                            country(s)
                        } else {
                            s.to_string()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                other => other.to_string(),
            };
            details.push(json!({"label": d.label, "value": text}));
        }
    }
    let mut parties = Vec::new();
    collect_parties(state, lang, &case.relationships, None, &mut parties);
    let documents: Vec<Value> = case
        .documents
        .iter()
        .map(|d| {
            let whose = d
                .relationship_id
                .as_deref()
                .and_then(|r| dossier_domain::relationship::find(&case.relationships, r))
                .map(party_name)
                .or_else(|| case.business.as_ref().and_then(|b| b.name.clone()))
                .or_else(|| case.person.as_ref().map(|p| p.full_name()))
                .unwrap_or_default();
            json!({"type": state.web.t(lang, &format!("doctype-{}", d.document_type), &[]),
                   "whose": whose})
        })
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

fn party_name(p: &dossier_domain::relationship::Relationship) -> String {
    p.person
        .as_ref()
        .map(|x| x.full_name())
        .or_else(|| p.business.as_ref().and_then(|b| b.name.clone()))
        .unwrap_or_default()
}

/// The parties in tree order: `{name, roles, owner}` (`owner`: the holding a party is under).
fn collect_parties(
    state: &AppState,
    lang: &crate::web::Lang,
    parties: &[dossier_domain::relationship::Relationship],
    owner: Option<&str>,
    out: &mut Vec<Value>,
) {
    for p in parties {
        let name = party_name(p);
        let roles: Vec<String> = p
            .roles
            .iter()
            .filter_map(|r| serde_json::to_value(r).ok())
            .filter_map(|r| {
                r.as_str()
                    .map(|r| state.web.t(lang, &format!("role-{r}"), &[]))
            })
            .collect();
        out.push(json!({"name": name, "roles": roles.join(", "), "owner": owner}));
        collect_parties(state, lang, &p.relationships, Some(&name), out);
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
