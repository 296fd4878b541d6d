//! Related parties: `/api/applications/{id}/relationships`. Each change is a change of the case and goes
//! through the case's save path (validation of the whole tree, event, audit).

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use dossier_domain::relationship::{NewRelationship, Relationship, RelationshipPatch};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiResult, Problem};
use crate::extract::{JsonBody, idempotency, respond};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(add_relationship))
        .routes(routes!(add_nested_relationship))
        .routes(routes!(update_relationship, delete_relationship))
}

/// Adds a related party to the case subject.
#[utoipa::path(post, path = "/api/applications/{id}/relationships", tag = "relationships",
    request_body = NewRelationship,
    responses((status = 201, body = Relationship), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_relationship(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: JsonBody<NewRelationship>,
) -> ApiResult<Response> {
    let route = format!("POST /api/applications/{id}/relationships");
    let idem = idempotency(&headers, &route, &body.raw)?;
    let written = (state.app)
        .add_relationship(&auth, idem, &id, None, body.value)
        .await?;
    Ok(respond(written))
}

/// Adds a related party to a related business (e.g. an owner of a holding).
#[utoipa::path(post, path = "/api/applications/{id}/relationships/{rid}/relationships", tag = "relationships",
    request_body = NewRelationship,
    responses((status = 201, body = Relationship), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_nested_relationship(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, rid)): Path<(String, String)>,
    headers: HeaderMap,
    body: JsonBody<NewRelationship>,
) -> ApiResult<Response> {
    let route = format!("POST /api/applications/{id}/relationships/{rid}/relationships");
    let idem = idempotency(&headers, &route, &body.raw)?;
    let written = (state.app)
        .add_relationship(&auth, idem, &id, Some(&rid), body.value)
        .await?;
    Ok(respond(written))
}

/// Changes a related party: roles and ownership replace, person/business fields merge.
#[utoipa::path(patch, path = "/api/applications/{id}/relationships/{rid}", tag = "relationships",
    request_body = RelationshipPatch,
    responses((status = 200, body = Relationship), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_relationship(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, rid)): Path<(String, String)>,
    body: JsonBody<RelationshipPatch>,
) -> ApiResult<Response> {
    let written = (state.app)
        .update_relationship(&auth, &id, &rid, body.value)
        .await?;
    Ok(respond(written))
}

/// Removes a related party and the parties nested under it.
#[utoipa::path(delete, path = "/api/applications/{id}/relationships/{rid}", tag = "relationships",
    responses((status = 204), (status = 404, body = Problem)))]
async fn delete_relationship(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, rid)): Path<(String, String)>,
) -> ApiResult<Response> {
    Ok(respond(
        state.app.delete_relationship(&auth, &id, &rid).await?,
    ))
}
