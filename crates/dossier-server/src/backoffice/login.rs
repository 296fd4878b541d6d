//! Signing in and out, and changing one's password.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use dossier_app::AppError;
use serde::Deserialize;
use serde_json::json;

use super::{Analyst, COOKIE, Form, language, read_form, safe_next, session_cookie};
use crate::AppState;
use crate::auth::client_bucket;
use crate::web::security;

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

/// The sign-in page's context: the form, with what was typed and why it was refused.
fn login_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    email: &str,
    next: &str,
    error: Option<String>,
) -> Response {
    let lang = language(state, headers);
    let mut response = state.web.page(crate::web::PageSpec {
        status,
        template: "bo_login.html",
        lang,
        context: minijinja::Value::from_serialize(json!({
            "email": email,
            "next": next,
            "error": error,
            "oidc": state.app.oidc_enabled().then(|| json!({ "name": state.app.oidc_name() })),
            "language_action": "/language",
            "return_to": "/login",
        })),
        // The button's post is answered by a redirect to the provider, which browsers check
        // against `form-action` too.
        form_action: state.app.oidc_form_action().into_iter().collect(),
    });
    // Never kept by a shared cache, and never shown in a frame of another site.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, "no-store".parse().expect("static"));
    response
}

/// `GET /login`.
pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    // Someone signed in already goes on.
    if let Some(secret) = security::read_cookie(&headers, COOKIE)
        && state.app.staff(&secret).await.is_ok()
    {
        return Redirect::to(safe_next(q.next.as_deref())).into_response();
    }
    let next = safe_next(q.next.as_deref()).to_string();
    login_page(&state, &headers, StatusCode::OK, "", &next, None)
}

/// `POST /login`: e-mail and password. The old session, if any, ends: the new one has a new id.
pub async fn submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = language(&state, &headers);
    let form = match read_form(&state, &headers, &lang, &body) {
        Ok(f) => Form(f),
        Err(page) => return page,
    };
    let email = form.get("email").to_string();
    let next = safe_next(Some(form.get("next"))).to_string();
    let client = client_bucket(peer.ip());
    match state
        .app
        .sign_in(&email, form.get("password"), &client)
        .await
    {
        Ok(signed_in) => {
            if let Some(old) = security::read_cookie(&headers, COOKIE) {
                state.app.end_session(&old).await.ok();
            }
            let target = if signed_in.staff.user.must_change_password {
                "/account/password"
            } else {
                &next
            };
            let mut response = Redirect::to(target).into_response();
            response.headers_mut().insert(
                header::SET_COOKIE,
                session_cookie(&state, &signed_in.secret),
            );
            response
        }
        Err(e) => {
            let (status, key) = match &e {
                AppError::Unauthorized => (StatusCode::UNAUTHORIZED, "bo-login-failed"),
                AppError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "bo-login-locked"),
                other => {
                    tracing::error!(error = %other.detail(), "sign-in failed");
                    (StatusCode::INTERNAL_SERVER_ERROR, "error-internal")
                }
            };
            let text = state.web.t(&lang, key, &[("retry_after", retry_after(&e))]);
            login_page(&state, &headers, status, &email, &next, Some(text))
        }
    }
}

fn retry_after(e: &AppError) -> String {
    match e {
        AppError::RateLimited { retry_after_secs } => retry_after_secs.to_string(),
        _ => String::new(),
    }
}

/// `POST /logout`: ends the session (the form carries the CSRF token, so no other site can sign
/// anyone out).
pub async fn logout(State(state): State<AppState>, analyst: Analyst, body: Bytes) -> Response {
    if let Err(page) = analyst.form(&state, &body) {
        return page;
    }
    if let Some(secret) = security::read_cookie(&analyst.headers, COOKIE) {
        state.app.end_session(&secret).await.ok();
    }
    let mut response = Redirect::to("/login").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, security::clear_cookie(COOKIE));
    response
}

/// `GET /account/password`.
pub async fn password_page(State(state): State<AppState>, analyst: Analyst) -> Response {
    analyst.page(
        &state,
        StatusCode::OK,
        "bo_password.html",
        json!({"forced": analyst.staff.user.must_change_password, "summary": null, "errors": []}),
    )
}

/// `POST /account/password`: every other session of the user ends; this browser gets a new one.
pub async fn change_password(
    State(state): State<AppState>,
    analyst: Analyst,
    body: Bytes,
) -> Response {
    let form = match analyst.form(&state, &body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    let (new, repeat) = (form.get("new"), form.get("repeat"));
    let result = if new != repeat {
        Err(AppError::Invalid(vec![
            dossier_domain::validation::FieldError {
                field: "repeat".into(),
                code: "password_mismatch",
                message: "does not match the new password".into(),
            },
        ]))
    } else {
        state
            .app
            .change_password(&analyst.staff, form.get("current"), new)
            .await
    };
    match result {
        Ok(signed_in) => {
            let mut response = Redirect::to("/cases?done=password").into_response();
            response.headers_mut().insert(
                header::SET_COOKIE,
                session_cookie(&state, &signed_in.secret),
            );
            response
        }
        Err(AppError::Invalid(errors)) => {
            let e = AppError::Invalid(errors);
            let (summary, errors) = analyst.form_errors(&state, &e);
            analyst.page(
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                "bo_password.html",
                json!({"forced": analyst.staff.user.must_change_password,
                       "summary": summary, "errors": errors}),
            )
        }
        Err(e) => analyst.refusal(&state, &e),
    }
}
