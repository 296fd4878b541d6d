//! A stand-in for the back-office module (on its way to main): only what OpenID Connect sign-in
//! needs, with the same names. Replaced by the real module at the merge.

mod oidc;

use axum::Router;
use axum::http::{HeaderMap, header};

use crate::AppState;
use crate::web::Lang;
use crate::web::security::{self, SameSite};

/// The analyst's session cookie.
pub const COOKIE: &str = "dossier_session";
const LANG_COOKIE: &str = "dossier_lang";

pub fn routes() -> Router<AppState> {
    Router::new().merge(oidc::routes())
}

fn language(state: &AppState, headers: &HeaderMap) -> Lang {
    let picked = security::read_cookie(headers, LANG_COOKIE);
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    state.web.negotiate(picked.as_deref(), accept)
}

fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n,
        _ => "/cases",
    }
}

fn session_cookie(state: &AppState, secret: &str) -> axum::http::HeaderValue {
    security::set_cookie(
        COOKIE,
        secret,
        None,
        state.web.secure_cookies(),
        SameSite::Strict,
    )
}
