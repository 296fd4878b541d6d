//! Custom field definitions: `/api/custom_fields`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use dossier_domain::custom_field::{CustomFieldDefinition, CustomFieldPatch, NewCustomField};
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiResult, Problem};
use crate::extract::{JsonBody, idempotency, respond};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_custom_field, list_custom_fields))
        .routes(routes!(get_custom_field, update_custom_field))
}

/// Defines a custom field.
#[utoipa::path(post, path = "/api/custom_fields", tag = "custom_fields", request_body = NewCustomField,
    responses((status = 201, body = CustomFieldDefinition), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_custom_field(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    body: JsonBody<NewCustomField>,
) -> ApiResult<Response> {
    let idem = idempotency(&headers, "POST /api/custom_fields", &body.raw)?;
    Ok(respond(
        state
            .app
            .create_custom_field(&auth, idem, body.value)
            .await?,
    ))
}

/// Lists the workspace's custom fields, in creation order.
#[utoipa::path(get, path = "/api/custom_fields", tag = "custom_fields",
    responses((status = 200, description = "Every definition, in one page", body = crate::extract::ListPage<CustomFieldDefinition>)))]
async fn list_custom_fields(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Value>> {
    let defs = state.app.custom_fields(&auth).await?;
    Ok(Json(json!({ "data": defs, "next_cursor": null })))
}

#[utoipa::path(get, path = "/api/custom_fields/{id}", tag = "custom_fields",
    responses((status = 200, body = CustomFieldDefinition), (status = 404, body = Problem)))]
async fn get_custom_field(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<CustomFieldDefinition>> {
    Ok(Json(state.app.custom_field(&auth, &id).await?))
}

/// Changes a custom field's label, choices, `required` or `applies_to` (`api_name` and `type` are fixed).
#[utoipa::path(patch, path = "/api/custom_fields/{id}", tag = "custom_fields", request_body = CustomFieldPatch,
    responses((status = 200, body = CustomFieldDefinition), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_custom_field(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: JsonBody<CustomFieldPatch>,
) -> ApiResult<Response> {
    Ok(respond(
        state
            .app
            .update_custom_field(&auth, &id, body.value)
            .await?,
    ))
}
