//! Portals and collects (`/api/portals`, `/api/applications/{id}/portals`) and the workspace's
//! branding (`/api/branding`); see `dossier_app::portals` and `dossier_app::branding`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use dossier_app::branding::Branding;
use dossier_app::portals::{NewCollect, NewPortal};
use dossier_store::PortalFilter;
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiResult, Problem};
use crate::extract::{JsonBody, Query, idempotency, respond};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_portal, list_portals))
        .routes(routes!(get_portal))
        .routes(routes!(close_portal))
        .routes(routes!(renew_link))
        .routes(routes!(open_collect, reopen_collect, get_collect))
        .routes(routes!(get_branding, put_branding))
}

/// Makes an onboarding portal: `link` is shown only in this answer.
#[utoipa::path(post, path = "/api/portals", tag = "portals", request_body = NewPortal,
    responses((status = 201, description = "The portal with its `link`"), (status = 422, body = Problem)))]
async fn create_portal(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    body: JsonBody<NewPortal>,
) -> ApiResult<Response> {
    let idem = idempotency(&headers, "POST /api/portals", &body.raw)?;
    Ok(respond(
        state.app.create_portal(&auth, idem, body.value).await?,
    ))
}

/// Filters of the portal list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PortalQuery {
    /// `onboarding` or `collect`.
    pub kind: Option<String>,
    /// `active`, `submitted`, `opened` or `closed`.
    pub status: Option<String>,
    pub application_id: Option<String>,
    /// 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Lists portals of both kinds, newest first.
#[utoipa::path(get, path = "/api/portals", tag = "portals", params(PortalQuery),
    responses((status = 200, description = "One page of portals", body = crate::extract::ListPage<Value>)))]
async fn list_portals(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<PortalQuery>,
) -> ApiResult<Json<Value>> {
    let filter = PortalFilter {
        kind: q.kind,
        status: q.status,
        application_id: q.application_id,
        before: q.cursor,
        limit: 0,
    };
    Ok(Json(state.app.portals(&auth, filter, q.limit).await?))
}

#[utoipa::path(get, path = "/api/portals/{id}", tag = "portals",
    responses((status = 200, description = "The portal (without its link)"), (status = 404, body = Problem)))]
async fn get_portal(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(state.app.portal(&auth, &id).await?))
}

/// Closes a portal: its link stops working and its sessions end.
#[utoipa::path(post, path = "/api/portals/{id}/close", tag = "portals",
    responses((status = 200, description = "The closed portal"), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn close_portal(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    Ok(respond(state.app.close_portal(&auth, &id).await?))
}

/// A new link for an open portal (to send again); the previous link stops working.
#[utoipa::path(post, path = "/api/portals/{id}/link", tag = "portals",
    responses((status = 200, description = "The portal with its new `link`"), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn renew_link(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    Ok(respond(state.app.renew_portal_link(&auth, &id).await?))
}

/// Opens a collect on the case: `collect.opened` carries `data.object.portals.link`.
#[utoipa::path(post, path = "/api/applications/{id}/portals", tag = "portals", request_body = NewCollect,
    responses((status = 201, description = "The collect, with `portals.link`"), (status = 404, body = Problem),
              (status = 409, body = Problem, description = "A collect is already open"), (status = 422, body = Problem)))]
async fn open_collect(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: JsonBody<NewCollect>,
) -> ApiResult<Response> {
    let idem = idempotency(
        &headers,
        &format!("POST /api/applications/{id}/portals"),
        &body.raw,
    )?;
    Ok(respond(
        state.app.open_collect(&auth, idem, &id, body.value).await?,
    ))
}

/// Reopens the case's collect with what is asked now: a new round, a new link.
#[utoipa::path(patch, path = "/api/applications/{id}/portals", tag = "portals", request_body = NewCollect,
    responses((status = 200, description = "The collect, with its new `portals.link`"), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn reopen_collect(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: JsonBody<NewCollect>,
) -> ApiResult<Response> {
    Ok(respond(
        state.app.reopen_collect(&auth, &id, body.value).await?,
    ))
}

/// The case's newest collect, with its rounds.
#[utoipa::path(get, path = "/api/applications/{id}/portals", tag = "portals",
    responses((status = 200, description = "The collect"), (status = 404, body = Problem)))]
async fn get_collect(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(state.app.collect(&auth, &id).await?))
}

#[utoipa::path(get, path = "/api/branding", tag = "portals",
    responses((status = 200, body = Branding)))]
async fn get_branding(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Branding>> {
    Ok(Json(state.app.branding(&auth).await?))
}

/// Replaces the workspace's branding and themes (admins).
#[utoipa::path(put, path = "/api/branding", tag = "portals", request_body = Branding,
    responses((status = 200, body = Branding), (status = 422, body = Problem)))]
async fn put_branding(
    State(state): State<AppState>,
    auth: Auth,
    body: JsonBody<Branding>,
) -> ApiResult<Response> {
    Ok(respond(state.app.put_branding(&auth, body.value).await?))
}
