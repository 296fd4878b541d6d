//! Sign-in with an OpenID Connect provider (`[oidc]`, see `dossier_app::oidc`).
//!
//! `POST /login/oidc` (the sign-in page's button, from our own origin) stores the pending sign-in,
//! sets its cookie and sends the browser to the provider. `GET /login/oidc/callback` is where the
//! provider sends it back: with the pending cookie and the right `state`, the code is exchanged,
//! the ID token verified and the user of its verified e-mail address signed in; the back-office
//! session cookie is set and the browser goes on to `/cases` (or the page it came from) — through a
//! page of ours that refreshes to it, not a redirect: the navigation began at the provider, another
//! site, and a browser sends no `SameSite=Strict` cookie on a redirect chain that crossed sites.
//! Every refusal is a translated page saying what to do, never a bare error.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use dossier_app::AppError;
use dossier_app::oidc::{OidcCallback, PENDING_TTL};
use serde_json::json;

use super::{COOKIE, language, safe_next, session_cookie};
use crate::AppState;
use crate::web::security::{self, SameSite};
use crate::web::{Lang, PageSpec, check_origin};

/// The pending sign-in's cookie. `SameSite=Lax`: it must come back with the provider's redirect,
/// a top-level navigation from another site.
pub const PENDING_COOKIE: &str = "dossier_oidc";
/// The sign-in button's form is small.
const FORM_LIMIT: usize = 16 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/login/oidc",
            post(start).layer(DefaultBodyLimit::max(FORM_LIMIT)),
        )
        .route("/login/oidc/callback", get(callback))
}

/// `POST /login/oidc`: off to the provider.
async fn start(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let lang = language(&state, &headers);
    if let Err(refusal) = check_origin(&headers, state.web.public_origin()) {
        tracing::warn!(%refusal, "OpenID Connect sign-in refused");
        return page(&state, &lang, StatusCode::FORBIDDEN, "forged");
    }
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let next = fields
        .iter()
        .find(|(k, _)| k == "next")
        .map(|(_, v)| v.as_str());
    let next = safe_next(next.filter(|n| !n.contains('\0')));
    match state.app.oidc_start(next).await {
        Ok(started) => {
            let mut response = Redirect::to(&started.location).into_response();
            let headers_out = response.headers_mut();
            headers_out.append(
                header::SET_COOKIE,
                security::set_cookie(
                    PENDING_COOKIE,
                    &started.secret,
                    Some(PENDING_TTL),
                    state.web.secure_cookies(),
                    SameSite::Lax,
                ),
            );
            headers_out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            // A sign-in started again replaces the one before.
            if let Some(old) = security::read_cookie(&headers, PENDING_COOKIE) {
                let _ = state.app.end_session(&old).await;
            }
            response
        }
        Err(e) => refusal(&state, &lang, &e),
    }
}

/// `GET /login/oidc/callback?state=…&code=…`: back from the provider.
async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let lang = language(&state, &headers);
    let callback: OidcCallback =
        serde_urlencoded::from_str(query.as_deref().unwrap_or_default()).unwrap_or_default();
    let pending = security::read_cookie(&headers, PENDING_COOKIE);
    let mut response = match state.app.oidc_finish(pending.as_deref(), &callback).await {
        Ok(done) => {
            // The session of someone else who used this browser before ends here.
            if let Some(old) = security::read_cookie(&headers, COOKIE) {
                let _ = state.app.end_session(&old).await;
            }
            let next = safe_next(Some(&done.next)).to_string();
            // Not a redirect: see `bo_oidc_signed_in.html`.
            let mut response = state.web.page(PageSpec::new(
                "bo_oidc_signed_in.html",
                lang,
                json!({ "next": next, "plain": true }),
            ));
            response.headers_mut().append(
                header::SET_COOKIE,
                session_cookie(&state, &done.signed_in.secret),
            );
            response
        }
        Err(e) => refusal(&state, &lang, &e),
    };
    let out = response.headers_mut();
    out.append(header::SET_COOKIE, security::clear_cookie(PENDING_COOKIE));
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The page for a sign-in that did not happen: what went wrong and what to do, by the error's code.
fn refusal(state: &AppState, lang: &Lang, e: &AppError) -> Response {
    let (status, key) = match e {
        AppError::Forbidden("oidc.off", _) => (StatusCode::NOT_FOUND, "off"),
        AppError::Unavailable(..) => (StatusCode::SERVICE_UNAVAILABLE, "unreachable"),
        AppError::Forbidden("oidc.state", _) => (StatusCode::BAD_REQUEST, "state"),
        AppError::Forbidden("oidc.token", _) => (StatusCode::BAD_GATEWAY, "token"),
        AppError::Forbidden("oidc.denied", _) => (StatusCode::FORBIDDEN, "denied"),
        AppError::Forbidden("oidc.email_unverified", _) => (StatusCode::FORBIDDEN, "unverified"),
        AppError::Forbidden("oidc.domain_not_allowed", _) => (StatusCode::FORBIDDEN, "domain"),
        AppError::Forbidden("oidc.no_user", _) => (StatusCode::FORBIDDEN, "no-user"),
        AppError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "busy"),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "failed"),
    };
    if status.is_server_error() && !matches!(e, AppError::Unavailable(..)) {
        tracing::error!(error = %e, "OpenID Connect sign-in failed");
    } else {
        tracing::warn!(code = e.code(), detail = %e.detail(), "OpenID Connect sign-in refused");
    }
    page(state, lang, status, key)
}

/// `oidc-<key>-title` and `oidc-<key>-text`, with a way back to the sign-in page.
fn page(state: &AppState, lang: &Lang, status: StatusCode, key: &str) -> Response {
    let provider = [("provider", state.app.oidc_name())];
    state.web.page(PageSpec {
        status,
        template: "bo_oidc_message.html",
        lang: lang.clone(),
        context: minijinja::Value::from_serialize(json!({
            "heading": state.web.t(lang, &format!("oidc-{key}-title"), &provider),
            "text": state.web.t(lang, &format!("oidc-{key}-text"), &provider),
            "code": key,
            "plain": true,
        })),
        form_action: Vec::new(),
    })
}
