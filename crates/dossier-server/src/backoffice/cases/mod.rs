//! The cases: the list (`/cases`), a case's page (`/cases/{id}`) and the actions on it, each a form
//! posting to `/cases/{id}/…` that redirects back to the case.

mod collect;
mod decision;
mod documents;
mod edit;
mod hits;
mod list;
mod page;
mod risk;
mod tasks;
mod team;
mod view;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use dossier_app::AppError;
use serde_json::{Value, json};

use crate::AppState;
use crate::backoffice::Analyst;
use crate::web::forms::field_id;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases", get(list::show))
        .route("/cases/bulk", post(list::bulk))
        .route("/cases/{id}", get(page::show))
        .route("/cases/{id}/decision", post(decision::decide))
        .route("/cases/{id}/edit", get(edit::show))
        .route("/cases/{id}/profile", post(edit::save_profile))
        .route("/cases/{id}/custom-fields", post(edit::save_custom_fields))
        .route(
            "/cases/{id}/documents/{doc_id}/content",
            get(documents::content),
        )
        .route(
            "/cases/{id}/documents/{doc_id}/review",
            post(documents::review),
        )
        .route("/cases/{id}/tasks/{key}/run", post(tasks::run))
        .route("/cases/{id}/tasks/{key}/clear", post(tasks::clear))
        .route("/cases/{id}/hits/{hit_id}/review", post(hits::review))
        .route("/cases/{id}/risk", post(risk::adjust))
        .route("/cases/{id}/assignee", post(team::assign))
        .route("/cases/{id}/tags", post(team::tag))
        .route("/cases/{id}/comments", post(team::comment))
        .route(
            "/cases/{id}/request",
            get(collect::show).post(collect::open),
        )
}

/// Back to the case after an action, with a notice key (`?done=…`) and the panel to show.
pub fn back_to_case(id: &str, done: &str, anchor: &str) -> Response {
    let id: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    Redirect::to(&format!("/cases/{id}?done={done}#{anchor}")).into_response()
}

/// The name a case is shown by: the company's, or the person's.
pub fn display_name(app: &dossier_domain::application::Application) -> String {
    if let Some(b) = &app.business
        && let Some(name) = &b.name
    {
        return name.clone();
    }
    if let Some(p) = &app.person {
        let name = [p.first_name.as_deref(), p.last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if !name.is_empty() {
            return name;
        }
    }
    app.id.clone()
}

/// Whether a refused action comes back as its form with the messages (input to correct, a rule of
/// the case that says no), rather than as a page of its own (not found, not allowed, forged).
fn shown_on_form(e: &AppError) -> bool {
    matches!(
        e,
        AppError::Invalid(_) | AppError::Refused(_) | AppError::Conflict(..)
    )
}

/// The case page again with one form's messages: `key` names the form in the page's `forms`
/// (its inputs' ids start with `key`), `values` is what was posted, to fill the form again. An
/// error with no form to correct is its own page.
pub async fn refused(
    state: &AppState,
    analyst: &Analyst,
    id: &str,
    key: &str,
    e: &AppError,
    values: Value,
) -> Response {
    if !shown_on_form(e) {
        return analyst.refusal(state, e);
    }
    page::render(
        state,
        analyst,
        id,
        crate::error::status_of(e),
        None,
        json!({ "forms": { key: form_state(state, analyst, key, e, values) } }),
    )
    .await
}

/// A refused form's state as the templates read it: `summary`, `errors` (each with the id of its
/// input, prefixed by the form's key so that the page's many forms keep distinct ids), `refusal`
/// (the policy's own words) and the posted `values`.
pub fn form_state(
    state: &AppState,
    analyst: &Analyst,
    key: &str,
    e: &AppError,
    values: Value,
) -> Value {
    let (summary, mut errors) = analyst.form_errors(state, e);
    for fe in &mut errors {
        fe.id = format!("{key}-{}", field_id(&fe.field));
    }
    let refusal = match e {
        AppError::Refused(r) => Some(refusal_text(state, analyst, r)),
        _ => None,
    };
    json!({
        "code": e.code().replace('.', "-"),
        "summary": summary,
        "errors": errors,
        "refusal": refusal,
        "values": values,
    })
}

/// The policy's refusal in the reader's language: the catalogue's message of its error code, as
/// for any error (`web::forms::error_messages`), or for a qualified reviewer the `-qualified`
/// wording, which says how to decide anyway.
pub fn refusal_text(
    state: &AppState,
    analyst: &Analyst,
    r: &dossier_domain::workflow::DecisionRefusal,
) -> String {
    let e = AppError::Refused(r.clone());
    let qualified_key = format!("error-{}-qualified", e.code().replace('.', "-"));
    analyst
        .staff
        .principal
        .role()
        .is_qualified()
        .then(|| state.web.try_t(&analyst.lang, &qualified_key, &[]))
        .flatten()
        .or_else(|| analyst.form_errors(state, &e).0)
        .unwrap_or_else(|| r.message.clone())
}

/// The status of a page that shows a refused form.
pub fn status_of(e: &AppError) -> StatusCode {
    crate::error::status_of(e)
}
