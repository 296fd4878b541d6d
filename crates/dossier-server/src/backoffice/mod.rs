//! The back-office: where analysts sign in, review, decide and monitor cases. Server-rendered pages
//! on the web kit ([`crate::web`]), post/redirect/get, working without JavaScript. Handlers read the
//! analyst's session ([`Analyst`]), call the application layer as the user's principal (which checks
//! the role of every action again) and render a template.

// As in the portal: a refused request's page is the handler's whole answer, returned as the `Err`
// of the checks so each handler stays a straight line of early returns.
#![allow(clippy::result_large_err)]

mod cases;
mod dashboard;
mod login;
mod oidc;
mod settings;
mod tasks;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use dossier_app::AppError;
use dossier_app::users::Staff;
use serde_json::{Value, json};

use crate::AppState;
use crate::web::forms::{FieldMessage, error_messages};
use crate::web::security::{self, SameSite};
use crate::web::{Lang, PageSpec};

/// The analyst's session cookie. `SameSite=Strict`: it never rides on a request another site
/// starts, not even a link.
pub const COOKIE: &str = "dossier_session";
/// The language picked with the switcher (shared with the portal: a preference, not a secret).
const LANG_COOKIE: &str = "dossier_lang";
/// Largest form body.
const FORM_LIMIT: usize = 64 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login::show).post(login::submit))
        .route("/logout", post(login::logout))
        .route(
            "/account/password",
            get(login::password_page).post(login::change_password),
        )
        .route("/account/session", post(extend_session))
        .route("/language", post(switch_language))
        .merge(cases::routes())
        .route("/dashboard", get(dashboard::show))
        .route("/tasks", get(tasks::show))
        .merge(settings::routes())
        .merge(oidc::routes())
}

/// `POST /account/session`: the layout's "stay signed in" (two minutes before the idle expiry).
/// Signing the request in already moved the expiry; this answers it, after the form's checks.
async fn extend_session(State(state): State<AppState>, analyst: Analyst, body: Bytes) -> Response {
    if let Err(page) = analyst.form(&state, &body) {
        return page;
    }
    axum::Json(json!({ "expires_at": analyst.staff.session.idle_expires_at })).into_response()
}

/// `/`: the cases for a signed-in analyst, the sign-in page for anyone else.
async fn home(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match security::read_cookie(&headers, COOKIE) {
        Some(secret) if state.app.staff(&secret).await.is_ok() => {
            Redirect::to("/cases").into_response()
        }
        _ => Redirect::to("/login").into_response(),
    }
}

/// The page language: the switcher's choice, else the browser's.
fn language(state: &AppState, headers: &HeaderMap) -> Lang {
    let picked = security::read_cookie(headers, LANG_COOKIE);
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    state.web.negotiate(picked.as_deref(), accept)
}

/// A signed-in analyst, as every page's handler receives it.
pub struct Analyst {
    pub staff: Staff,
    pub lang: Lang,
    pub headers: HeaderMap,
    /// The request's path and query, for the language switcher to come back to.
    pub here: String,
}

impl FromRequestParts<AppState> for Analyst {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let headers = parts.headers.clone();
        let here = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        let staff = match security::read_cookie(&headers, COOKIE) {
            Some(secret) => state.app.staff(&secret).await,
            None => Err(AppError::Unauthorized),
        };
        let staff = match staff {
            Ok(staff) => staff,
            Err(AppError::Unauthorized) => {
                // Back to this page after signing in, when it was a page (not a form post).
                let next = if parts.method == axum::http::Method::GET {
                    format!("/login?next={}", urlencoding(&here))
                } else {
                    "/login".into()
                };
                return Err(Redirect::to(&next).into_response());
            }
            Err(e) => {
                let lang = language(state, &headers);
                return Err(message(state, &lang, &e));
            }
        };
        // A user given a password by someone else chooses their own before anything else.
        let path = parts.uri.path();
        if staff.user.must_change_password && !matches!(path, "/account/password" | "/logout") {
            return Err(Redirect::to("/account/password").into_response());
        }
        let lang = language(state, &headers);
        Ok(Analyst {
            staff,
            lang,
            headers,
            here,
        })
    }
}

/// Percent-encodes a path for a query parameter.
fn urlencoding(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// A local path to go back to after signing in: only our own absolute paths, so `next` cannot
/// send anyone to another site.
pub(crate) fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n,
        _ => "/cases",
    }
}

/// The page for an error that has no form to correct: status and a translated explanation.
fn message(state: &AppState, lang: &Lang, e: &AppError) -> Response {
    let status = crate::error::status_of(e);
    if status.is_server_error() {
        tracing::error!(error = %e.detail(), "back-office page failed");
    }
    let (summary, _) = error_messages(&state.web, lang, e);
    let heading = state
        .web
        .t(lang, &format!("bo-status-{}", status.as_u16()), &[]);
    state.web.page(PageSpec {
        status,
        template: "message.html",
        lang: lang.clone(),
        context: minijinja::Value::from_serialize(json!({
            "heading": heading,
            "text": summary,
            "plain": true,
        })),
        form_action: Vec::new(),
    })
}

impl Analyst {
    /// Renders a page with what every back-office page carries: the navigation, the user, the
    /// CSRF token, the language switcher and the session's expiry.
    pub fn page(
        &self,
        state: &AppState,
        status: StatusCode,
        template: &'static str,
        mut context: Value,
    ) -> Response {
        let user = &self.staff.user;
        let common = json!({
            "csrf_token": self.staff.csrf(),
            "user": {
                "id": user.id,
                "name": user.name,
                "email": user.email,
                "role": user.role,
                "is_admin": user.role == dossier_domain::access::Role::Admin,
                "may_write": user.role.may_write(),
            },
            "session": {
                "expires_at": self.staff.session.idle_expires_at,
                "extend_url": "/account/session",
            },
            "language_action": "/language",
            "return_to": self.here,
            // The section of the top bar to mark, and the notice after an action: optional.
            "nav": null,
            "done": null,
        });
        if let (Value::Object(ctx), Value::Object(common)) = (&mut context, common) {
            for (k, v) in common {
                ctx.entry(k).or_insert(v);
            }
        }
        state.web.page(PageSpec {
            status,
            template,
            lang: self.lang.clone(),
            context: minijinja::Value::from_serialize(&context),
            form_action: Vec::new(),
        })
    }

    /// The page of an error without a form to correct.
    pub fn refusal(&self, state: &AppState, e: &AppError) -> Response {
        message(state, &self.lang, e)
    }

    /// The messages of a refused change, as a form shows them.
    pub fn form_errors(
        &self,
        state: &AppState,
        e: &AppError,
    ) -> (Option<String>, Vec<FieldMessage>) {
        error_messages(&state.web, &self.lang, e)
    }

    /// A form post: from our origin, with the session's CSRF token and no NUL byte. Its fields.
    pub fn form(&self, state: &AppState, body: &Bytes) -> Result<Form, Response> {
        let fields = read_form(state, &self.headers, &self.lang, body)?;
        let form = Form(fields);
        if !security::tokens_match(form.get("_csrf"), self.staff.csrf()) {
            return Err(forged(state, &self.lang));
        }
        Ok(form)
    }
}

/// A form's fields, in order (a field may repeat: checkboxes of a bulk action).
pub struct Form(pub Vec<(String, String)>);

impl Form {
    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }

    /// The first value of `name` with its spaces trimmed, or `None` when empty.
    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name).trim())
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// 403 for a post that is not from our pages (another origin, or no valid CSRF token).
fn forged(state: &AppState, lang: &Lang) -> Response {
    message(
        state,
        lang,
        &AppError::Forbidden("forged", "this form did not come from our pages".into()),
    )
}

/// Reads a urlencoded form posted from our origin (before any session is known: the sign-in form).
fn read_form(
    state: &AppState,
    headers: &HeaderMap,
    lang: &Lang,
    body: &Bytes,
) -> Result<Vec<(String, String)>, Response> {
    if let Err(refusal) = security::check_origin(headers, state.web.public_origin()) {
        tracing::warn!(%refusal, "refused a cross-site post");
        return Err(forged(state, lang));
    }
    if body.len() > FORM_LIMIT {
        return Err(message(
            state,
            lang,
            &AppError::PayloadTooLarge(FORM_LIMIT as u64),
        ));
    }
    let bad = || {
        message(
            state,
            lang,
            &AppError::BadRequest("bad_request", "the form could not be read".into()),
        )
    };
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(|_| bad())?;
    // As the API refuses NUL in JSON: no stored text may carry it.
    if fields
        .iter()
        .any(|(k, v)| k.contains('\0') || v.contains('\0'))
    {
        return Err(bad());
    }
    Ok(fields)
}

/// The session cookie for a new session (no `Max-Age`: it ends with the browser, and the server
/// ends it sooner).
fn session_cookie(state: &AppState, secret: &str) -> axum::http::HeaderValue {
    security::set_cookie(
        COOKIE,
        secret,
        None,
        state.web.secure_cookies(),
        SameSite::Strict,
    )
}

/// `POST /language`: keeps the choice in a cookie and goes back to the page.
async fn switch_language(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = language(&state, &headers);
    let fields = match read_form(&state, &headers, &lang, &body) {
        Ok(f) => Form(f),
        Err(page) => return page,
    };
    // Signed in, the switcher carries the session's token like every form.
    if let Some(secret) = security::read_cookie(&headers, COOKIE)
        && let Ok(staff) = state.app.staff(&secret).await
        && !security::tokens_match(fields.get("_csrf"), staff.csrf())
    {
        return forged(&state, &lang);
    }
    let picked = state.web.negotiate(Some(fields.get("lang")), None);
    let back = safe_next(Some(fields.get("return_to")));
    let mut response = Redirect::to(back).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        security::set_cookie(
            LANG_COOKIE,
            picked.as_str(),
            Some(std::time::Duration::from_secs(365 * 24 * 3600)),
            state.web.secure_cookies(),
            SameSite::Lax,
        ),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_our_site() {
        assert_eq!(safe_next(Some("/cases/app_1?x=1")), "/cases/app_1?x=1");
        assert_eq!(safe_next(Some("//evil.example/")), "/cases");
        assert_eq!(safe_next(Some("https://evil.example/")), "/cases");
        assert_eq!(safe_next(Some("/\\evil.example")), "/cases");
        assert_eq!(safe_next(None), "/cases");
    }
}
