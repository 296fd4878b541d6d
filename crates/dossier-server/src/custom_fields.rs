//! Custom field definitions: `/api/custom_fields`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use dossier_domain::audit::diff;
use dossier_domain::custom_field::{
    AppliesTo, CustomFieldDefinition, CustomFieldPatch, NewCustomField,
};
use dossier_store::now;
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::JsonBody;
use crate::write::Idempotency;

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
    let idem = Idempotency::from_request(&headers, "POST /api/custom_fields", &body.digest)?;
    let (ws, actor) = (auth.workspace_id().to_string(), auth.actor());
    state
        .write(&auth, idem, async |tx| {
            let new = body.value;
            new.validate()?;
            let at = now();
            let def = CustomFieldDefinition {
                id: dossier_domain::id::new_id("cf"),
                api_name: new.api_name,
                label: new.label,
                field_type: new.field_type,
                choices: new.choices,
                required: new.required,
                applies_to: new
                    .applies_to
                    .unwrap_or_else(|| vec![AppliesTo::Application]),
                created_at: at.clone(),
                updated_at: at,
            };
            tx.insert_custom_field(&ws, &def).await?;
            let after = to_json(&def);
            tx.audit(
                &ws,
                &actor,
                "custom_field.created",
                "custom_field",
                &def.id,
                None,
                &diff(&Value::Null, &after),
            )
            .await?;
            Ok((StatusCode::CREATED, after))
        })
        .await
}

/// Lists the workspace's custom fields, in creation order.
#[utoipa::path(get, path = "/api/custom_fields", tag = "custom_fields",
    responses((status = 200, description = "`{data: [CustomFieldDefinition], next_cursor: null}`")))]
async fn list_custom_fields(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Value>> {
    let defs = state.store.custom_fields(auth.workspace_id()).await?;
    Ok(Json(json!({ "data": defs, "next_cursor": null })))
}

#[utoipa::path(get, path = "/api/custom_fields/{id}", tag = "custom_fields",
    responses((status = 200, body = CustomFieldDefinition), (status = 404, body = Problem)))]
async fn get_custom_field(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let def = state
        .store
        .custom_field(auth.workspace_id(), &id)
        .await?
        .ok_or(ApiError::NotFound("custom field"))?;
    Ok(Json(to_json(&def)))
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
    let (ws, actor) = (auth.workspace_id().to_string(), auth.actor());
    state
        .write(&auth, None, async |tx| {
            let current = tx
                .custom_fields(&ws)
                .await?
                .into_iter()
                .find(|d| d.id == id)
                .ok_or(ApiError::NotFound("custom field"))?;
            let mut def = current.clone();
            def.apply(body.value)?;
            if def != current {
                def.updated_at = now();
                tx.update_custom_field(&ws, &def).await?;
                tx.audit(
                    &ws,
                    &actor,
                    "custom_field.updated",
                    "custom_field",
                    &def.id,
                    None,
                    &diff(&to_json(&current), &to_json(&def)),
                )
                .await?;
            }
            Ok((StatusCode::OK, to_json(&def)))
        })
        .await
}

fn to_json(def: &CustomFieldDefinition) -> Value {
    serde_json::to_value(def).expect("a definition serialises")
}
