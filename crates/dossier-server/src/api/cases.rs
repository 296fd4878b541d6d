//! Assignment and internal comments of a case: `/api/applications/{id}/assignee` and
//! `/api/applications/{id}/comments`. The rules are in `dossier_app::cases`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use dossier_app::applications::to_json;
use dossier_domain::application::Application;
use dossier_store::Comment;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiResult, Problem};
use crate::extract::{JsonBody, idempotency, respond};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(assign))
        .routes(routes!(list_comments, add_comment))
}

/// Body of `POST /api/applications/{id}/assignee`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// A user of the workspace, active and not read-only; `null` unassigns the case.
    pub assignee_id: Option<String>,
}

/// Assigns the case to a user, or unassigns it (a change of the case: a version, an audit entry
/// `application.assigned`, `application.updated`).
#[utoipa::path(post, path = "/api/applications/{id}/assignee", tag = "applications",
    request_body = Assignment,
    responses((status = 200, body = Application), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn assign(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: JsonBody<Assignment>,
) -> ApiResult<Json<Value>> {
    let saved = (state.app)
        .assign(&auth, &[id], body.value.assignee_id.as_deref())
        .await?;
    Ok(Json(saved.first().map(to_json).unwrap_or_default()))
}

/// Body of `POST /api/applications/{id}/comments`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    /// 1–5000 characters once trimmed; line breaks and tabs are the only control characters allowed.
    #[schema(
        min_length = 1,
        pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$"
    )]
    pub body: String,
}

/// The case's internal comments, oldest first (every one: `next_cursor` is always `null`).
#[utoipa::path(get, path = "/api/applications/{id}/comments", tag = "applications",
    responses((status = 200, description = "The comments", body = crate::extract::ListPage<Comment>), (status = 404, body = Problem)))]
async fn list_comments(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let comments = state.app.comments(&auth, &id).await?;
    Ok(Json(json!({"data": comments, "next_cursor": null})))
}

/// Adds an internal comment to the case (never shown to the client; audited as `comment.created`).
#[utoipa::path(post, path = "/api/applications/{id}/comments", tag = "applications",
    request_body = NewComment,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = Comment), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_comment(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: JsonBody<NewComment>,
) -> ApiResult<Response> {
    let operation = format!("POST /api/applications/{id}/comments");
    let idem = idempotency(&headers, &operation, &body.raw)?;
    let written = (state.app)
        .comment(&auth, idem, &id, &body.value.body)
        .await?;
    Ok(respond(written))
}
