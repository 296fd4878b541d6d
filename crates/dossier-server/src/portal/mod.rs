//! The client portal: server-rendered pages, one URL per step, post/redirect/get, working without
//! JavaScript. Handlers read the visitor's session, call the application layer
//! (`dossier_app::portals::visitor`) and render a template of the web kit ([`crate::web`]).
//!
//! The link `/portals/{token}` only shows a page; continuing (a POST from our own origin) swaps the
//! token for a session cookie and redirects to `/portal/…`, so the token never reaches a step's
//! URL, a `Referer` or a link scanner's GET.

// A refused request's page is the handler's whole answer: returning it as the `Err` of the checks
// (origin, CSRF, step) keeps each handler a straight line of `?`-like early returns, on a path that
// ends the request anyway, so its size does not matter.
#![allow(clippy::result_large_err)]

pub(crate) mod details;
mod documents;
mod link;
mod relationships;
mod review;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use dossier_app::AppError;
use dossier_app::branding::ResolvedLook;
use dossier_app::portals::visitor::Visitor;
use serde_json::{Value, json};

use crate::AppState;
use crate::web::forms::{FieldMessage, error_messages};
use crate::web::security::{self, SameSite};
use crate::web::{Lang, PageSpec};

/// The portal session's cookie.
pub const COOKIE: &str = "dossier_portal";
/// The language the visitor picked with the switcher (a preference, not a secret).
const LANG_COOKIE: &str = "dossier_lang";
/// Largest form body (uploads have their own limit).
const FORM_LIMIT: usize = 64 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portals/{token}", get(link::show).post(link::enter))
        .route("/portal", get(resume))
        .route("/portal/code", get(link::code_page).post(link::check_code))
        .route("/portal/code/send", post(link::send_code))
        .route("/portal/details", get(details::show).post(details::save))
        .route(
            "/portal/relationships",
            get(relationships::list).post(relationships::done),
        )
        .route(
            "/portal/relationships/new",
            get(relationships::new_form).post(relationships::add),
        )
        .route(
            "/portal/relationships/{rid}",
            get(relationships::edit_form).post(relationships::update),
        )
        .route(
            "/portal/relationships/{rid}/remove",
            post(relationships::remove),
        )
        .route(
            "/portal/documents",
            get(documents::show).post(documents::upload),
        )
        .route("/portal/documents/done", post(documents::done))
        .route("/portal/review", get(review::show))
        .route("/portal/submit", post(review::submit))
        .route("/portal/done", get(review::done))
        .route("/portal/session", post(extend))
        .route("/portal/language", post(switch_language))
        .route("/portal/logo", get(logo))
        .route("/portal/brand.css", get(brand_css))
}

/// The language of a page: the switcher's choice, else the portal's `locale`, else the browser's.
fn language(state: &AppState, headers: &HeaderMap, portal_locale: Option<&str>) -> Lang {
    let picked = security::read_cookie(headers, LANG_COOKIE);
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    state
        .web
        .negotiate(picked.as_deref().or(portal_locale), accept)
}

/// A visitor with a live session, as every step's handler receives it.
pub struct Visit {
    pub visitor: Visitor,
    pub lang: Lang,
    pub headers: HeaderMap,
}

impl FromRequestParts<AppState> for Visit {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let headers = parts.headers.clone();
        let Some(secret) = security::read_cookie(&headers, COOKIE) else {
            let lang = language(state, &headers, None);
            return Err(message(
                state,
                &lang,
                StatusCode::UNAUTHORIZED,
                "session-ended",
            ));
        };
        match state.app.visitor(&secret).await {
            Ok(visitor) => {
                let lang = language(state, &headers, visitor.portal.data.locale.as_deref());
                Ok(Visit {
                    visitor,
                    lang,
                    headers,
                })
            }
            Err(e) => {
                let lang = language(state, &headers, None);
                Err(refusal(state, &lang, &e))
            }
        }
    }
}

/// The page for an error that ends the visit (no form to correct): a plain message, nothing
/// revealed.
fn refusal(state: &AppState, lang: &Lang, e: &AppError) -> Response {
    let (status, key) = match e {
        AppError::NotFound(_) => (StatusCode::NOT_FOUND, "link-invalid"),
        AppError::Gone(..) => (StatusCode::GONE, "link-invalid"),
        AppError::Forbidden("session_expired", _) => (StatusCode::UNAUTHORIZED, "session-ended"),
        AppError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "too-many"),
        AppError::Forbidden(..) => (StatusCode::FORBIDDEN, "not-allowed"),
        AppError::Conflict(..) => (StatusCode::CONFLICT, "already-sent"),
        _ => {
            tracing::error!(error = %e.detail(), "portal page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "server-error")
        }
    };
    message(state, lang, status, key)
}

/// A plain message page: `portal-<key>-title` and `portal-<key>-text`.
fn message(state: &AppState, lang: &Lang, status: StatusCode, key: &str) -> Response {
    state.web.page(PageSpec {
        status,
        template: "message.html",
        lang: lang.clone(),
        context: minijinja::Value::from_serialize(json!({
            "heading": state.web.t(lang, &format!("portal-{key}-title"), &[]),
            "text": state.web.t(lang, &format!("portal-{key}-text"), &[]),
            "plain": true,
        })),
        form_action: Vec::new(),
    })
}

impl Visit {
    pub fn look(
        &self,
        state: &AppState,
        branding: &dossier_app::branding::Branding,
    ) -> ResolvedLook {
        let _ = state;
        branding.resolve(self.visitor.portal.data.theme.as_deref())
    }

    /// Renders a step page with what every portal page carries: the brand, the steps, the
    /// session's expiry and CSRF token, the language switcher.
    pub async fn page(
        &self,
        state: &AppState,
        status: StatusCode,
        template: &'static str,
        current: &str,
        mut context: Value,
    ) -> Response {
        let branding = state
            .app
            .branding(&self.visitor.principal)
            .await
            .unwrap_or_default();
        let look = self.look(state, &branding);
        let mut steps: Vec<Value> = self
            .visitor
            .portal
            .steps()
            .into_iter()
            .map(|s| {
                json!({"key": s, "label": state.web.t(&self.lang, &format!("step-{s}"), &[]),
                       "href": format!("/portal/{s}")})
            })
            .collect();
        steps.push(
            json!({"key": "review", "label": state.web.t(&self.lang, "step-review", &[]),
                          "href": "/portal/review"}),
        );
        let common = json!({
            "brand": brand_context(&look),
            "theme": {"brand": look.primary_color, "brand_contrast": look.primary_contrast},
            "csrf_token": self.visitor.session.csrf_token,
            "session": {
                "expires_at": self.visitor.session.idle_expires_at,
                "extend_url": "/portal/session",
            },
            "steps": steps,
            "current": current,
            "language_action": "/portal/language",
            "return_to": format!("/portal/{current}"),
            "portal": {
                "kind": self.visitor.portal.row.kind,
                "type": self.visitor.portal.data.subject_type,
                "message": self.visitor.portal.round().and_then(|r| r.message.clone()),
            },
        });
        if let (Value::Object(ctx), Value::Object(common)) = (&mut context, common) {
            for (k, v) in common {
                ctx.entry(k).or_insert(v);
            }
        }
        let form_action = self
            .visitor
            .portal
            .data
            .redirect_url
            .as_deref()
            .and_then(|u| url::Url::parse(u).ok())
            .map(|u| u.origin().ascii_serialization())
            .into_iter()
            .collect();
        state.web.page(PageSpec {
            status,
            template,
            lang: self.lang.clone(),
            context: minijinja::Value::from_serialize(&context),
            form_action,
        })
    }

    /// The errors of a refused change as the form shows them; an error that is not about the
    /// form's fields ends the page instead.
    pub fn form_errors(
        &self,
        state: &AppState,
        e: &AppError,
    ) -> Result<(Option<String>, Vec<FieldMessage>), Response> {
        match e {
            AppError::Invalid(_)
            | AppError::PayloadTooLarge(_)
            | AppError::UnsupportedMediaType(..)
            | AppError::Refused(_)
            | AppError::RateLimited { .. }
            | AppError::Forbidden("document_not_asked" | "code_required", _)
            | AppError::Conflict("details_first" | "portal_not_open", _)
            | AppError::Gone("code_expired" | "code_attempts", _) => {
                Ok(error_messages(&state.web, &self.lang, e))
            }
            other => Err(refusal(state, &self.lang, other)),
        }
    }

    /// A form post: from our origin, with the session's CSRF token. Returns its fields.
    pub fn form(&self, state: &AppState, body: &Bytes) -> Result<Vec<(String, String)>, Response> {
        check_origin(state, &self.headers, &self.lang)?;
        if body.len() > FORM_LIMIT {
            return Err(refusal(
                state,
                &self.lang,
                &AppError::PayloadTooLarge(FORM_LIMIT as u64),
            ));
        }
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
            .map_err(|_| message(state, &self.lang, StatusCode::BAD_REQUEST, "bad-form"))?;
        // As the API refuses NUL in JSON: no stored text may carry it.
        if fields
            .iter()
            .any(|(k, v)| k.contains('\0') || v.contains('\0'))
        {
            return Err(message(
                state,
                &self.lang,
                StatusCode::BAD_REQUEST,
                "bad-form",
            ));
        }
        let token = fields
            .iter()
            .find(|(k, _)| k == "_csrf")
            .map(|(_, v)| v.as_str())
            .unwrap_or_default();
        self.check_csrf(state, token)?;
        Ok(fields)
    }

    pub fn check_csrf(&self, state: &AppState, token: &str) -> Result<(), Response> {
        if security::tokens_match(token, &self.visitor.session.csrf_token) {
            Ok(())
        } else {
            Err(message(state, &self.lang, StatusCode::FORBIDDEN, "forged"))
        }
    }

    /// Refuses a step the portal does not show, before anything else.
    pub fn step(&self, state: &AppState, step: &str) -> Result<(), Response> {
        if self.visitor.needs_code() {
            return Err(Redirect::to("/portal/code").into_response());
        }
        if step != "review" && !self.visitor.portal.allows(step) {
            return Err(message(
                state,
                &self.lang,
                StatusCode::NOT_FOUND,
                "not-asked",
            ));
        }
        if !self.visitor.portal.is_open() {
            return Err(Redirect::to("/portal/done").into_response());
        }
        Ok(())
    }
}

/// Refuses a cross-site post.
fn check_origin(state: &AppState, headers: &HeaderMap, lang: &Lang) -> Result<(), Response> {
    security::check_origin(headers, state.web.public_origin())
        .map_err(|_| message(state, lang, StatusCode::FORBIDDEN, "forged"))
}

/// The brand header's parts; nothing when the workspace set neither a name nor a logo.
fn brand_context(look: &ResolvedLook) -> Value {
    if look.display_name.is_none() && look.logo.is_none() && look.support_email.is_none() {
        return Value::Null;
    }
    json!({
        "name": look.display_name,
        "logo_url": look.logo.as_ref().map(|_| "/portal/logo"),
        "support_email": look.support_email,
        "custom_css": look.custom_css.as_ref().map(|_| "/portal/brand.css"),
    })
}

/// Values of a form by name (the last one wins for single values).
pub fn value<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Every value of a repeated field (checkboxes).
pub fn values<'a>(fields: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    fields
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// The step after `step` in this portal (the review after the last).
pub fn next_step(visitor: &Visitor, step: &str) -> String {
    let steps = visitor.portal.steps();
    let next = steps
        .iter()
        .position(|s| *s == step)
        .and_then(|i| steps.get(i + 1))
        .copied()
        .unwrap_or("review");
    format!("/portal/{next}")
}

/// Where a visitor goes back to: the code first, the submitted state, else the first step not
/// yet saved (the review when all are).
pub fn resume_path(v: &Visitor) -> String {
    if v.needs_code() {
        return "/portal/code".into();
    }
    if !v.portal.is_open() {
        return "/portal/done".into();
    }
    let saved = &v.portal.data.saved_steps;
    let next = v
        .portal
        .steps()
        .into_iter()
        .find(|s| !saved.iter().any(|d| d == s))
        .unwrap_or("review");
    format!("/portal/{next}")
}

/// `/portal`: where the visitor left off.
async fn resume(visit: Visit) -> Response {
    Redirect::to(&resume_path(&visit.visitor)).into_response()
}

/// Keeps the session alive (the expiry warning's button): `{expires_at}`.
async fn extend(State(state): State<AppState>, visit: Visit, body: Bytes) -> Response {
    let token = visit
        .headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| {
            serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
                .ok()
                .and_then(|f| value(&f, "_csrf").map(str::to_string))
        })
        .unwrap_or_default();
    if let Err(r) = check_origin(&state, &visit.headers, &visit.lang) {
        return r;
    }
    if let Err(r) = visit.check_csrf(&state, &token) {
        return r;
    }
    match state.app.extend_visit(&visit.visitor).await {
        Ok(expires_at) => axum::Json(json!({ "expires_at": expires_at })).into_response(),
        Err(e) => refusal(&state, &visit.lang, &e),
    }
}

/// The language switcher: remembers the choice and goes back to the page (the visitor's data is
/// on the server, so nothing is lost).
async fn switch_language(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = language(&state, &headers, None);
    if let Err(r) = check_origin(&state, &headers, &lang) {
        return r;
    }
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let picked = state.web.negotiate(value(&fields, "lang"), None);
    // Only our own portal pages are gone back to.
    let back = value(&fields, "return_to")
        .filter(|p| {
            (p.starts_with("/portal/") || p.starts_with("/portals/") || *p == "/portal")
                && !p.contains("//")
                && !p.contains('\\')
        })
        .unwrap_or("/portal");
    let mut resp = Redirect::to(back).into_response();
    let cookie = security::set_cookie(
        LANG_COOKIE,
        picked.as_str(),
        Some(std::time::Duration::from_secs(365 * 86_400)),
        state.web.secure_cookies(),
        SameSite::Lax,
    );
    resp.headers_mut().append(header::SET_COOKIE, cookie);
    resp
}

/// The workspace's logo (a `data:` URL in the branding, served from our origin).
async fn logo(State(state): State<AppState>, visit: Visit) -> Response {
    let branding = state
        .app
        .branding(&visit.visitor.principal)
        .await
        .unwrap_or_default();
    let look = visit.look(&state, &branding);
    match look.logo.as_deref().map(dossier_app::branding::logo_image) {
        Some(Ok((content_type, bytes))) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("private, max-age=300"),
                ),
                (
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static("default-src 'none'"),
                ),
            ],
            bytes,
        )
            .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The workspace's custom CSS, after the built-in stylesheet.
async fn brand_css(State(state): State<AppState>, visit: Visit) -> Response {
    let branding = state
        .app
        .branding(&visit.visitor.principal)
        .await
        .unwrap_or_default();
    match visit.look(&state, &branding).custom_css {
        Some(css) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/css; charset=utf-8"),
                ),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("private, max-age=300"),
                ),
            ],
            css,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
