//! The workspace's settings (`/settings/…`), for admins: users, API keys, webhook endpoints,
//! custom fields, templates and the risk matrix, watchlists, the audit chain's verification and
//! the portals' branding. Every page first refuses anyone but an admin (403, GET and POST alike),
//! and every change goes to the application layer as the user's principal, which checks the role
//! again. A secret (a password, an API key, a webhook's signing secret) is shown once: the create
//! redirects to the list, which takes it from the session ([`App::take_flash`]) as it shows it.
//!
//! [`App::take_flash`]: dossier_app::App::take_flash

mod api_keys;
mod audit;
mod branding;
mod custom_fields;
pub(crate) mod json_lines;
mod templates;
mod users;
mod watchlists;
mod webhooks;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use dossier_app::AppError;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Analyst, Form};
use crate::AppState;
use crate::web::security;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings", get(index))
        .merge(users::routes())
        .merge(api_keys::routes())
        .merge(webhooks::routes())
        .merge(custom_fields::routes())
        .merge(templates::routes())
        .merge(watchlists::routes())
        .merge(audit::routes())
        .merge(branding::routes())
}

/// The sections, in the order of the index and of the side navigation: `(key, path)`.
const SECTIONS: [(&str, &str); 8] = [
    ("users", "/settings/users"),
    ("api-keys", "/settings/api-keys"),
    ("webhooks", "/settings/webhooks"),
    ("custom-fields", "/settings/custom-fields"),
    ("templates", "/settings/templates"),
    ("branding", "/settings/branding"),
    ("watchlists", "/settings/watchlists"),
    ("audit", "/settings/audit"),
];

/// `?done=<key>`: the notice of the action that redirected here.
#[derive(Debug, Default, Deserialize)]
pub struct Done {
    pub done: Option<String>,
}

/// Refuses anyone but an admin with the application layer's own refusal (403).
pub fn guard(state: &AppState, analyst: &Analyst) -> Result<(), Response> {
    analyst
        .staff
        .principal
        .require_admin()
        .map_err(|e| analyst.refusal(state, &e))
}

/// A settings page: the top bar's "settings", the side navigation on `section`, and the notice of
/// `done` when the catalogue has one (a made-up key shows nothing).
pub fn page(
    state: &AppState,
    analyst: &Analyst,
    status: StatusCode,
    template: &'static str,
    section: &str,
    done: Option<&str>,
    mut context: Value,
) -> Response {
    let done = done.filter(|key| {
        key.len() <= 64
            && state
                .web
                .try_t(&analyst.lang, &format!("bo-done-{key}"), &[])
                .is_some()
    });
    let sections: Vec<Value> = SECTIONS
        .iter()
        .map(|(key, path)| json!({"key": key, "path": path}))
        .collect();
    if let Value::Object(ctx) = &mut context {
        ctx.insert("nav".into(), json!("settings"));
        ctx.insert("section".into(), json!(section));
        ctx.insert("sections".into(), json!(sections));
        ctx.insert("done".into(), json!(done));
    }
    analyst.page(state, status, template, context)
}

/// 303 to `path` with the notice `done` (post/redirect/get).
pub fn done(path: &str, key: &str) -> Response {
    let sep = if path.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{path}{sep}done={key}")).into_response()
}

/// An id as one path segment.
pub fn segment(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.as_bytes()).collect()
}

/// The admin check, then the form's origin, CSRF token and NUL checks.
pub fn admin_form(state: &AppState, analyst: &Analyst, body: &Bytes) -> Result<Form, Response> {
    guard(state, analyst)?;
    analyst.form(state, body)
}

/// [`admin_form`] for a body larger than ordinary forms accept (a template's JSON): up to
/// `limit` bytes.
pub fn admin_large_form(
    state: &AppState,
    analyst: &Analyst,
    body: &Bytes,
    limit: usize,
) -> Result<Form, Response> {
    guard(state, analyst)?;
    if let Err(refusal) = security::check_origin(&analyst.headers, state.web.public_origin()) {
        tracing::warn!(%refusal, "refused a cross-site post");
        return Err(super::forged(state, &analyst.lang));
    }
    if body.len() > limit {
        return Err(analyst.refusal(state, &AppError::PayloadTooLarge(limit as u64)));
    }
    let bad = || {
        analyst.refusal(
            state,
            &AppError::BadRequest("bad_request", "the form could not be read".into()),
        )
    };
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(|_| bad())?;
    if fields
        .iter()
        .any(|(k, v)| k.contains('\0') || v.contains('\0'))
    {
        return Err(bad());
    }
    let form = Form(fields);
    if !security::tokens_match(form.get("_csrf"), analyst.staff.csrf()) {
        return Err(super::forged(state, &analyst.lang));
    }
    Ok(form)
}

/// Whether an error is one a form shows beside its fields (else it is the page's whole answer).
pub fn is_form_error(e: &AppError) -> bool {
    matches!(e, AppError::Invalid(_) | AppError::Conflict(..))
}

/// The options of a role picker, translated.
pub fn role_options(
    state: &AppState,
    analyst: &Analyst,
    roles: &[dossier_domain::access::Role],
) -> Vec<Value> {
    roles
        .iter()
        .map(|r| {
            json!({
                "value": r.as_str(),
                "label": state.web.t(&analyst.lang, &format!("user-role-{}", r.as_str()), &[]),
            })
        })
        .collect()
}

/// A stored time (RFC 3339) as the pages show it: `2025-01-31 14:05` (UTC).
pub fn short_time(at: &str) -> String {
    at.get(..16).unwrap_or(at).replace('T', " ")
}

/// `GET /settings`: the sections, each with what it is for.
async fn index(State(state): State<AppState>, analyst: Analyst, Query(q): Query<Done>) -> Response {
    if let Err(r) = guard(&state, &analyst) {
        return r;
    }
    page(
        &state,
        &analyst,
        StatusCode::OK,
        "bo_settings.html",
        "",
        q.done.as_deref(),
        json!({}),
    )
}
