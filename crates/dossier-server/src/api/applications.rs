//! Cases: `/api/applications`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use dossier_app::AppError;
use dossier_domain::application::{Application, ApplicationPatch, NewApplication};
use dossier_store::{ApplicationFilter, AuditEntry, VersionInfo, normalise_timestamp};
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiResult, Problem};
use crate::extract::{JsonBody, Page, Query, idempotency, json_text, respond};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_application, list_applications))
        .routes(routes!(get_application, update_application))
        .routes(routes!(application_activity))
        .routes(routes!(application_versions))
        .routes(routes!(application_version))
}

/// Creates a case.
#[utoipa::path(post, path = "/api/applications", tag = "applications",
    request_body = NewApplication,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    responses((status = 201, body = Application), (status = 422, body = Problem), (status = 409, body = Problem)))]
async fn create_application(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    body: JsonBody<NewApplication>,
) -> ApiResult<Response> {
    let idem = idempotency(&headers, "POST /api/applications", &body.raw)?;
    let written = state
        .app
        .create_application(&auth, idem, body.value)
        .await?;
    Ok(respond(written))
}

/// Filters of the case list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApplicationQuery {
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind: Option<String>,
    pub status_review: Option<String>,
    pub status_execution: Option<String>,
    pub risk_level: Option<String>,
    pub external_id: Option<String>,
    /// RFC 3339.
    #[param(format = DateTime)]
    pub created_after: Option<String>,
    /// RFC 3339.
    #[param(format = DateTime)]
    pub updated_after: Option<String>,
    /// 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Lists cases, newest first.
#[utoipa::path(get, path = "/api/applications", tag = "applications", params(ApplicationQuery),
    responses((status = 200, description = "One page of cases", body = crate::extract::ListPage<Application>)))]
async fn list_applications(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ApplicationQuery>,
) -> ApiResult<Json<Value>> {
    let time = |field: &str, v: &Option<String>| -> ApiResult<Option<String>> {
        v.as_deref()
            .map(|s| {
                normalise_timestamp(s)
                    .ok_or_else(|| AppError::invalid(field, "must be an RFC 3339 timestamp").into())
            })
            .transpose()
    };
    let filter = ApplicationFilter {
        created_after: time("created_after", &q.created_after)?,
        updated_after: time("updated_after", &q.updated_after)?,
        kind: q.kind,
        status_review: q.status_review,
        status_execution: q.status_execution,
        risk_level: q.risk_level,
        external_id: q.external_id,
        before_id: q.cursor,
        limit: 0,
    };
    Ok(Json(state.app.applications(&auth, filter, q.limit).await?))
}

/// `GET /api/applications/{id}`: which version to read.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// RFC 3339: the case as it was then (its newest version at or before that time); 404 before
    /// the case was created, 400 on a bad timestamp.
    #[param(format = DateTime)]
    pub as_of: Option<String>,
}

/// Reads a case: its current version, or the one in force at `as_of`.
#[utoipa::path(get, path = "/api/applications/{id}", tag = "applications", params(AsOfQuery),
    responses((status = 200, body = Application), (status = 400, body = Problem), (status = 404, body = Problem)))]
async fn get_application(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Query<AsOfQuery>,
) -> ApiResult<Response> {
    Ok(json_text(match q.as_of {
        Some(as_of) => state.app.application_json_as_of(&auth, &id, &as_of).await?,
        None => state.app.application_json(&auth, &id).await?,
    }))
}

/// Changes a case: subject fields merge, custom fields merge by name, tags and external_id replace.
#[utoipa::path(patch, path = "/api/applications/{id}", tag = "applications", request_body = ApplicationPatch,
    responses((status = 200, body = Application), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_application(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: JsonBody<ApplicationPatch>,
) -> ApiResult<Response> {
    Ok(respond(
        state.app.update_application(&auth, &id, body.value).await?,
    ))
}

/// The case's audit trail, newest first.
#[utoipa::path(get, path = "/api/applications/{id}/activity", tag = "applications", params(Page),
    responses((status = 200, description = "One page of the audit trail (the cursor is a sequence number)", body = crate::extract::ListPage<AuditEntry>), (status = 404, body = Problem)))]
async fn application_activity(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        state
            .app
            .application_activity(&auth, &id, page.cursor.as_deref(), page.limit)
            .await?,
    ))
}

/// The case's versions, newest first: one per change, each with who wrote it, when and the SHA-256
/// of its JSON text. The cursor is a version number.
#[utoipa::path(get, path = "/api/applications/{id}/versions", tag = "applications", params(Page),
    responses((status = 200, description = "`{data: [VersionInfo], next_cursor}`", body = crate::extract::ListPage<VersionInfo>), (status = 404, body = Problem)))]
async fn application_versions(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        state
            .app
            .application_versions(&auth, &id, page.cursor.as_deref(), page.limit)
            .await?,
    ))
}

/// The case as it was at one version (its `version` field says which); 404 for no such version.
#[utoipa::path(get, path = "/api/applications/{id}/versions/{version}", tag = "applications",
    responses((status = 200, body = Application), (status = 404, body = Problem)))]
async fn application_version(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, version)): Path<(String, i64)>,
) -> ApiResult<Response> {
    Ok(json_text(
        state
            .app
            .application_version_json(&auth, &id, version)
            .await?,
    ))
}
