//! Cases: `/api/applications`.

pub mod service;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use dossier_domain::application::{Application, ApplicationPatch, NewApplication};
use dossier_store::{ApplicationFilter, AuditEntry, normalise_timestamp};
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{JsonBody, Page, Query, paginate};
use crate::write::Idempotency;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_application, list_applications))
        .routes(routes!(get_application, update_application))
        .routes(routes!(application_activity))
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
    let idem = Idempotency::from_request(&headers, "POST /api/applications", &body.digest)?;
    let (ws, actor) = (auth.workspace_id().to_string(), auth.actor());
    state
        .write(&auth, idem, async |tx| {
            let app = service::create(tx, &ws, &actor, body.value).await?;
            Ok((StatusCode::CREATED, app))
        })
        .await
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
    pub created_after: Option<String>,
    /// RFC 3339.
    pub updated_after: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Lists cases, newest first.
#[utoipa::path(get, path = "/api/applications", tag = "applications", params(ApplicationQuery),
    responses((status = 200, description = "`{data: [Application], next_cursor}`")))]
async fn list_applications(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ApplicationQuery>,
) -> ApiResult<Json<Value>> {
    let fetch = Page {
        limit: q.limit,
        cursor: None,
    }
    .fetch_limit()?;
    let time = |field: &str, v: &Option<String>| -> ApiResult<Option<String>> {
        v.as_deref()
            .map(|s| {
                normalise_timestamp(s)
                    .ok_or_else(|| ApiError::invalid(field, "must be an RFC 3339 timestamp"))
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
        limit: fetch,
    };
    let apps = state
        .store
        .applications(auth.workspace_id(), &filter)
        .await?;
    Ok(Json(paginate(apps, fetch, |a| a.id.clone())))
}

/// Reads a case.
#[utoipa::path(get, path = "/api/applications/{id}", tag = "applications",
    responses((status = 200, body = Application), (status = 404, body = Problem)))]
async fn get_application(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    // The stored document is the response: hand it over as is.
    let data = state
        .store
        .application_json(auth.workspace_id(), &id)
        .await?
        .ok_or(ApiError::NotFound("application"))?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        data,
    )
        .into_response())
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
    let (ws, actor) = (auth.workspace_id().to_string(), auth.actor());
    state
        .write(&auth, None, async |tx| {
            let app = service::update(tx, &ws, &actor, &id, body.value).await?;
            Ok((StatusCode::OK, to_json(&app)))
        })
        .await
}

/// The case's audit trail, newest first.
#[utoipa::path(get, path = "/api/applications/{id}/activity", tag = "applications", params(Page),
    responses((status = 200, description = "`{data: [AuditEntry], next_cursor}`", body = [AuditEntry]), (status = 404, body = Problem)))]
async fn application_activity(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Value>> {
    let ws = auth.workspace_id();
    service::ensure_exists(&state.store, ws, &id).await?;
    let fetch = page.fetch_limit()?;
    let before = page
        .cursor
        .as_deref()
        .map(|c| {
            c.parse::<i64>()
                .map_err(|_| ApiError::BadRequest("bad cursor".into()))
        })
        .transpose()?;
    let entries = state
        .store
        .application_activity(ws, &id, before, fetch)
        .await?;
    Ok(Json(paginate(entries, fetch, |e| e.seq.to_string())))
}

pub fn to_json(app: &Application) -> Value {
    serde_json::to_value(app).expect("an application serialises")
}
