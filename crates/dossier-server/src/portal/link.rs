//! The link and the way in: the click-through page, the swap of the token for a session, and the
//! one-time code of an e-mail-restricted portal.

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use dossier_app::AppError;
use serde_json::json;
use std::net::SocketAddr;

use super::{COOKIE, Visit, check_origin, language, refusal, value};
use crate::AppState;
use crate::auth::client_bucket;
use crate::web::PageSpec;
use crate::web::security::{self, SameSite};

/// Looks a token up, within the address's budget of failed lookups (guessing is slowed down).
async fn lookup(
    state: &AppState,
    peer: SocketAddr,
    token: &str,
) -> Result<(String, dossier_app::portals::Portal), AppError> {
    let client = client_bucket(peer.ip());
    state.portal_failures.ensure_left(&client)?;
    let found = state.app.portal_for_link(token).await;
    if found.is_err() {
        state.portal_failures.spend(&client);
    }
    found
}

/// `GET /portals/{token}`: a page with one button. Nothing is used up or changed, so an e-mail
/// scanner that opens the link does no harm.
pub async fn show(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    match lookup(&state, peer, &token).await {
        Err(e) => refusal(&state, &language(&state, &headers, None), &e),
        Ok((ws, portal)) => {
            let lang = language(&state, &headers, portal.data.locale.as_deref());
            let principal = dossier_app::Principal::system(&ws);
            let branding = state.app.branding(&principal).await.unwrap_or_default();
            let look = branding.resolve(portal.data.theme.as_deref());
            let company = look
                .display_name
                .clone()
                .unwrap_or_else(|| state.web.t(&lang, "portal-company-default", &[]));
            state.web.page(PageSpec {
                status: StatusCode::OK,
                template: "portal_link.html",
                lang: lang.clone(),
                context: minijinja::Value::from_serialize(json!({
                    "brand": super::brand_context(&look),
                    "theme": {"brand": look.primary_color, "brand_contrast": look.primary_contrast},
                    "company": company,
                    "collect": portal.is_collect(),
                    "submitted": !portal.is_open(),
                    "action": format!("/portals/{token}"),
                    "language_action": "/portal/language",
                    "return_to": format!("/portals/{token}"),
                })),
                form_action: Vec::new(),
            })
        }
    }
}

/// `POST /portals/{token}`: the session cookie, and a 303 to a URL without the token. The form
/// must come from our origin (a cross-site page cannot open a session in the visitor's browser).
pub async fn enter(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let lang = language(&state, &headers, None);
    if let Err(r) = check_origin(&state, &headers, &lang) {
        return r;
    }
    if let Err(e) = lookup(&state, peer, &token).await {
        return refusal(&state, &lang, &e);
    }
    // A session already in this browser is replaced (it may be another portal's).
    if let Some(old) = security::read_cookie(&headers, COOKIE) {
        let _ = state.app.end_visit(&old).await;
    }
    let (secret, mut visitor) = match state.app.start_visit(&token).await {
        Ok(v) => v,
        Err(e) => return refusal(&state, &lang, &e),
    };
    if visitor.needs_code() {
        let lang = language(&state, &headers, visitor.portal.data.locale.as_deref());
        if let Err(e) = send(&state, &lang, &mut visitor).await {
            tracing::warn!(error = %e.detail(), "sending a portal code failed");
        }
    }
    // Straight to where the visitor left off (one redirect less on a phone).
    let mut resp = Redirect::to(&super::resume_path(&visitor)).into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        security::set_cookie(
            COOKIE,
            &secret,
            None,
            state.web.secure_cookies(),
            SameSite::Lax,
        ),
    );
    resp
}

async fn send(
    state: &AppState,
    lang: &crate::web::Lang,
    visitor: &mut dossier_app::portals::visitor::Visitor,
) -> Result<(), AppError> {
    let web = &state.web;
    let minutes = dossier_app::config::parse_every(&state.app.config.portal.otp_ttl)
        .map(|d| (d.as_secs() / 60).max(1))
        .unwrap_or(10);
    state
        .app
        .send_visit_code(visitor, |code| {
            let args = [("code", code.to_string()), ("minutes", minutes.to_string())];
            (
                web.t(lang, "code-mail-subject", &args),
                web.t(lang, "code-mail-text", &args),
            )
        })
        .await
}

/// `GET /portal/code`: the form for the code sent by e-mail.
pub async fn code_page(State(state): State<AppState>, visit: Visit) -> Response {
    if !visit.visitor.needs_code() {
        return Redirect::to("/portal").into_response();
    }
    code_form(&state, &visit, StatusCode::OK, None, Vec::new()).await
}

async fn code_form(
    state: &AppState,
    visit: &Visit,
    status: StatusCode,
    summary: Option<String>,
    errors: Vec<crate::web::forms::FieldMessage>,
) -> Response {
    visit
        .page(
            state,
            status,
            "portal_code.html",
            "code",
            json!({"email": visit.visitor.masked_email(), "summary": summary, "errors": errors,
                   "steps": []}),
        )
        .await
}

/// `POST /portal/code`: checks the code.
pub async fn check_code(State(state): State<AppState>, mut visit: Visit, body: Bytes) -> Response {
    let fields = match visit.form(&state, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let code = value(&fields, "code").unwrap_or_default().to_string();
    match state.app.check_visit_code(&mut visit.visitor, &code).await {
        Ok(()) => Redirect::to("/portal").into_response(),
        Err(e) => match visit.form_errors(&state, &e) {
            Ok((summary, errors)) => {
                code_form(
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

/// `POST /portal/code/send`: a new code (at most one every 30 seconds).
pub async fn send_code(State(state): State<AppState>, mut visit: Visit, body: Bytes) -> Response {
    if let Err(r) = visit.form(&state, &body) {
        return r;
    }
    let lang = visit.lang.clone();
    match send(&state, &lang, &mut visit.visitor).await {
        Ok(()) => Redirect::to("/portal/code").into_response(),
        Err(e) => match visit.form_errors(&state, &e) {
            Ok((summary, errors)) => {
                code_form(
                    &state,
                    &visit,
                    StatusCode::TOO_MANY_REQUESTS,
                    summary,
                    errors,
                )
                .await
            }
            Err(r) => r,
        },
    }
}
