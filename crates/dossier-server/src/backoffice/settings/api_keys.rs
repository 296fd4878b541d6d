//! `/settings/api-keys`: the workspace's API keys (never their secrets), creating one with a role
//! (its secret shown once) and revoking one.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use dossier_domain::access::Role;
use serde_json::{Value, json};

use super::{Done, admin_form, done, guard, is_form_error, page, role_options, short_time};
use crate::AppState;
use crate::backoffice::Analyst;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings/api-keys", get(list).post(create))
        .route("/settings/api-keys/{id}/revoke", post(revoke))
}

async fn render(
    state: &AppState,
    analyst: &Analyst,
    status: StatusCode,
    done_key: Option<&str>,
    extra: Value,
) -> Response {
    let keys = match state.app.api_keys(&analyst.staff.principal).await {
        Ok(k) => k,
        Err(e) => return analyst.refusal(state, &e),
    };
    let secret = if status == StatusCode::OK {
        state
            .app
            .take_flash(&analyst.staff, "api_key")
            .await
            .ok()
            .flatten()
    } else {
        None
    };
    let rows: Vec<Value> = keys
        .iter()
        .map(|k| {
            json!({
                "id": k.id,
                "name": k.name,
                "prefix": k.prefix,
                "role": k.role,
                "created_at": short_time(&k.created_at),
                "revoked_at": k.revoked_at.as_deref().map(short_time),
            })
        })
        .collect();
    let mut context = json!({
        "keys": rows,
        "roles": role_options(state, analyst, &Role::STAFF),
        "secret": secret,
        "new_key": {"name": "", "role": "automation"},
    });
    if let (Value::Object(ctx), Value::Object(extra)) = (&mut context, extra) {
        ctx.extend(extra);
    }
    page(
        state,
        analyst,
        status,
        "bo_settings_keys.html",
        "api-keys",
        done_key,
        context,
    )
}

async fn list(State(state): State<AppState>, analyst: Analyst, Query(q): Query<Done>) -> Response {
    if let Err(r) = guard(&state, &analyst) {
        return r;
    }
    render(
        &state,
        &analyst,
        StatusCode::OK,
        q.done.as_deref(),
        json!({}),
    )
    .await
}

/// `POST /settings/api-keys`: name and role; the key is shown once, on the list it redirects to.
async fn create(State(state): State<AppState>, analyst: Analyst, body: Bytes) -> Response {
    let form = match admin_form(&state, &analyst, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    match state
        .app
        .create_api_key(&analyst.staff.principal, form.get("name"), form.get("role"))
        .await
    {
        Ok(created) => {
            let flash = json!({
                "kind": "api_key",
                "name": created.key.name,
                "role": created.key.role,
                "key": created.secret,
            });
            if let Err(e) = state.app.set_flash(&analyst.staff, flash).await {
                return analyst.refusal(&state, &e);
            }
            done("/settings/api-keys", "key-created")
        }
        Err(e) if is_form_error(&e) => {
            let (summary, errors) = analyst.form_errors(&state, &e);
            let extra = json!({
                "summary": summary,
                "errors": errors,
                "new_key": {"name": form.get("name"), "role": form.get("role")},
            });
            render(&state, &analyst, crate::error::status_of(&e), None, extra).await
        }
        Err(e) => analyst.refusal(&state, &e),
    }
}

/// `POST /settings/api-keys/{id}/revoke`: the key stops working at once.
async fn revoke(
    State(state): State<AppState>,
    analyst: Analyst,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(r) = admin_form(&state, &analyst, &body) {
        return r;
    }
    match state
        .app
        .revoke_api_key(&analyst.staff.principal, &id)
        .await
    {
        Ok(()) => done("/settings/api-keys", "key-revoked"),
        Err(e) => analyst.refusal(&state, &e),
    }
}
