//! `/settings/users`: the workspace's users, inviting one (with a generated password shown once),
//! changing a role or a name, deactivating and reactivating (which ends the user's sessions),
//! resetting a password (shown once), and the workspace option "users choose their own password
//! at first sign-in".

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use dossier_app::users::{NewUser, USER_ROLES, UserChange};
use dossier_store::User;
use serde_json::{Value, json};

use super::{
    Done, admin_form, done, guard, is_form_error, page, role_options, segment, short_time,
};
use crate::AppState;
use crate::backoffice::Analyst;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings/users", get(list).post(create))
        .route("/settings/users/options", post(options))
        .route("/settings/users/{id}", get(show).post(change))
        .route("/settings/users/{id}/active", post(activity))
        .route("/settings/users/{id}/password", post(reset))
}

fn row(u: &User) -> Value {
    json!({
        "id": u.id,
        "email": u.email,
        "name": u.name,
        "role": u.role,
        "status": u.status,
        "active": u.is_active(),
        "last_login_at": u.last_login_at.as_deref().map(short_time),
        "created_at": short_time(&u.created_at),
    })
}

/// The list page, with `extra` (the invite form's errors and input) merged in.
async fn render_list(
    state: &AppState,
    analyst: &Analyst,
    status: StatusCode,
    done_key: Option<&str>,
    extra: Value,
) -> Response {
    let p = &analyst.staff.principal;
    let users = match state.app.users(p).await {
        Ok(u) => u,
        Err(e) => return analyst.refusal(state, &e),
    };
    let must_change = match state.app.store.users_must_change_password(p.ws()).await {
        Ok(on) => on,
        Err(e) => return analyst.refusal(state, &e.into()),
    };
    // Shown once: taken from the session as it is shown.
    let secret = if status == StatusCode::OK {
        state
            .app
            .take_flash(&analyst.staff, "user_invited")
            .await
            .ok()
            .flatten()
    } else {
        None
    };
    let mut context = json!({
        "users": users.iter().map(row).collect::<Vec<_>>(),
        "roles": role_options(state, analyst, &USER_ROLES),
        "must_change_password": must_change,
        "secret": secret,
        "invite": {"email": "", "name": "", "role": "reviewer"},
    });
    if let (Value::Object(ctx), Value::Object(extra)) = (&mut context, extra) {
        ctx.extend(extra);
    }
    page(
        state,
        analyst,
        status,
        "bo_settings_users.html",
        "users",
        done_key,
        context,
    )
}

async fn list(State(state): State<AppState>, analyst: Analyst, Query(q): Query<Done>) -> Response {
    if let Err(r) = guard(&state, &analyst) {
        return r;
    }
    render_list(
        &state,
        &analyst,
        StatusCode::OK,
        q.done.as_deref(),
        json!({}),
    )
    .await
}

/// `POST /settings/users`: invites a user (e-mail, name, role) with a generated password.
async fn create(State(state): State<AppState>, analyst: Analyst, body: Bytes) -> Response {
    let form = match admin_form(&state, &analyst, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let new = NewUser {
        email: form.get("email").trim().to_string(),
        name: form.get("name").trim().to_string(),
        role: form.get("role").to_string(),
        password: None,
    };
    match state.app.create_user(&analyst.staff.principal, new).await {
        Ok((user, password)) => {
            let flash = json!({"kind": "user_invited", "email": user.email, "password": password});
            if let Err(e) = state.app.set_flash(&analyst.staff, flash).await {
                return analyst.refusal(&state, &e);
            }
            done("/settings/users", "user-invited")
        }
        Err(e) if is_form_error(&e) => {
            let (summary, errors) = analyst.form_errors(&state, &e);
            let status = crate::error::status_of(&e);
            let extra = json!({
                "summary": summary,
                "errors": errors,
                "invite": {"email": form.get("email"), "name": form.get("name"), "role": form.get("role")},
            });
            render_list(&state, &analyst, status, None, extra).await
        }
        Err(e) => analyst.refusal(&state, &e),
    }
}

/// `POST /settings/users/options`: "users choose their own password at first sign-in".
async fn options(State(state): State<AppState>, analyst: Analyst, body: Bytes) -> Response {
    let form = match admin_form(&state, &analyst, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let on = form.get("must_change_password") == "yes";
    match state
        .app
        .set_users_must_change_password(&analyst.staff.principal, on)
        .await
    {
        Ok(()) => done("/settings/users", "options-saved"),
        Err(e) => analyst.refusal(&state, &e),
    }
}

/// One user's page, with `extra` (the change form's errors) merged in.
async fn render_user(
    state: &AppState,
    analyst: &Analyst,
    id: &str,
    status: StatusCode,
    done_key: Option<&str>,
    extra: Value,
) -> Response {
    let user = match state.app.user(&analyst.staff.principal, id).await {
        Ok(u) => u,
        Err(e) => return analyst.refusal(state, &e),
    };
    let secret = if status == StatusCode::OK {
        let kind = format!("password_reset:{}", user.id);
        state
            .app
            .take_flash(&analyst.staff, &kind)
            .await
            .ok()
            .flatten()
    } else {
        None
    };
    let mut context = json!({
        "u": row(&user),
        "is_self": user.id == analyst.staff.user.id,
        "roles": role_options(state, analyst, &USER_ROLES),
        "secret": secret,
        "edit": {"name": user.name, "role": user.role},
    });
    if let (Value::Object(ctx), Value::Object(extra)) = (&mut context, extra) {
        ctx.extend(extra);
    }
    page(
        state,
        analyst,
        status,
        "bo_settings_user.html",
        "users",
        done_key,
        context,
    )
}

async fn show(
    State(state): State<AppState>,
    analyst: Analyst,
    Path(id): Path<String>,
    Query(q): Query<Done>,
) -> Response {
    if let Err(r) = guard(&state, &analyst) {
        return r;
    }
    render_user(
        &state,
        &analyst,
        &id,
        StatusCode::OK,
        q.done.as_deref(),
        json!({}),
    )
    .await
}

fn back(id: &str, key: &str) -> Response {
    done(&format!("/settings/users/{}", segment(id)), key)
}

/// `POST /settings/users/{id}`: the name and the role.
async fn change(
    State(state): State<AppState>,
    analyst: Analyst,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let form = match admin_form(&state, &analyst, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let change = UserChange {
        name: Some(form.get("name").trim().to_string()),
        role: Some(form.get("role").to_string()),
        active: None,
    };
    match state
        .app
        .change_user(&analyst.staff.principal, &id, change)
        .await
    {
        Ok(_) => back(&id, "user-updated"),
        Err(e) if is_form_error(&e) => {
            let (summary, errors) = analyst.form_errors(&state, &e);
            let extra = json!({
                "summary": summary,
                "errors": errors,
                "edit": {"name": form.get("name"), "role": form.get("role")},
            });
            render_user(
                &state,
                &analyst,
                &id,
                crate::error::status_of(&e),
                None,
                extra,
            )
            .await
        }
        Err(e) => analyst.refusal(&state, &e),
    }
}

/// `POST /settings/users/{id}/active`: `active=yes` reactivates, anything else deactivates (and
/// ends the user's sessions at once).
async fn activity(
    State(state): State<AppState>,
    analyst: Analyst,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let form = match admin_form(&state, &analyst, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let active = form.get("active") == "yes";
    let change = UserChange {
        active: Some(active),
        ..UserChange::default()
    };
    match state
        .app
        .change_user(&analyst.staff.principal, &id, change)
        .await
    {
        Ok(_) => back(
            &id,
            if active {
                "user-reactivated"
            } else {
                "user-deactivated"
            },
        ),
        Err(e) if is_form_error(&e) => {
            let (summary, errors) = analyst.form_errors(&state, &e);
            let extra = json!({"summary": summary, "errors": errors});
            render_user(
                &state,
                &analyst,
                &id,
                crate::error::status_of(&e),
                None,
                extra,
            )
            .await
        }
        Err(e) => analyst.refusal(&state, &e),
    }
}

/// `POST /settings/users/{id}/password`: a new generated password, shown once.
async fn reset(
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
        .reset_password(&analyst.staff.principal, &id)
        .await
    {
        Ok(password) => {
            let flash = json!({"kind": format!("password_reset:{id}"), "password": password});
            if let Err(e) = state.app.set_flash(&analyst.staff, flash).await {
                return analyst.refusal(&state, &e);
            }
            back(&id, "password-reset")
        }
        Err(e) => analyst.refusal(&state, &e),
    }
}
