//! Webhook endpoints: `/api/webhooks` (see `dossier_app::webhooks`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use dossier_app::webhooks::{NewWebhook, WebhookPatch};
use dossier_store::{Attempt, Delivery, WebhookEndpoint};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiResult, Problem};
use crate::extract::{JsonBody, Page, Query, idempotency, respond};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_webhook, list_webhooks))
        .routes(routes!(get_webhook, update_webhook, delete_webhook))
        .routes(routes!(rotate_secret))
        .routes(routes!(send_test))
        .routes(routes!(list_deliveries))
        .routes(routes!(delivery_attempts))
        .routes(routes!(retry_delivery))
}

/// Subscribes an endpoint; the answer carries its signing secret, shown only here.
#[utoipa::path(post, path = "/api/webhooks", tag = "webhooks", request_body = NewWebhook,
    responses((status = 201, body = WebhookEndpoint, description = "The endpoint, with `secret` (`whsec_…`)"),
              (status = 422, body = Problem)))]
async fn create_webhook(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    body: JsonBody<NewWebhook>,
) -> ApiResult<Response> {
    let idem = idempotency(&headers, "POST /api/webhooks", &body.raw)?;
    Ok(respond(
        state.app.create_webhook(&auth, idem, body.value).await?,
    ))
}

#[utoipa::path(get, path = "/api/webhooks", tag = "webhooks",
    responses((status = 200, description = "Every endpoint, in one page", body = crate::extract::ListPage<WebhookEndpoint>)))]
async fn list_webhooks(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Value>> {
    let endpoints = state.app.webhooks(&auth).await?;
    Ok(Json(json!({ "data": endpoints, "next_cursor": null })))
}

#[utoipa::path(get, path = "/api/webhooks/{id}", tag = "webhooks",
    responses((status = 200, body = WebhookEndpoint), (status = 404, body = Problem)))]
async fn get_webhook(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<WebhookEndpoint>> {
    Ok(Json(state.app.webhook(&auth, &id).await?))
}

#[utoipa::path(patch, path = "/api/webhooks/{id}", tag = "webhooks", request_body = WebhookPatch,
    responses((status = 200, body = WebhookEndpoint), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_webhook(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: JsonBody<WebhookPatch>,
) -> ApiResult<Response> {
    Ok(respond(
        state.app.update_webhook(&auth, &id, body.value).await?,
    ))
}

/// Unsubscribes (the REST-hook unsubscribe call). Pending deliveries to it are dropped; the log stays.
#[utoipa::path(delete, path = "/api/webhooks/{id}", tag = "webhooks",
    responses((status = 204), (status = 404, body = Problem)))]
async fn delete_webhook(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    Ok(respond(state.app.delete_webhook(&auth, &id).await?))
}

/// Replaces the signing secret. For 24 hours deliveries are signed with the old and the new secret.
#[utoipa::path(post, path = "/api/webhooks/{id}/rotate_secret", tag = "webhooks",
    responses((status = 200, description = "`{secret, previous_secret_until}`"), (status = 404, body = Problem)))]
async fn rotate_secret(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    Ok(respond(state.app.rotate_webhook_secret(&auth, &id).await?))
}

/// Sends a `webhooks.test` event to this endpoint alone.
#[utoipa::path(post, path = "/api/webhooks/{id}/test", tag = "webhooks",
    responses((status = 202, body = Delivery), (status = 404, body = Problem)))]
async fn send_test(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    Ok(respond(state.app.send_test_event(&auth, &id).await?))
}

/// The endpoint's deliveries, newest first: attempts, last status and error, next attempt.
#[utoipa::path(get, path = "/api/webhooks/{id}/deliveries", tag = "webhooks", params(Page),
    responses((status = 200, description = "One page of deliveries", body = crate::extract::ListPage<Delivery>), (status = 404, body = Problem)))]
async fn list_deliveries(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        state
            .app
            .webhook_deliveries(&auth, &id, page.cursor.as_deref(), page.limit)
            .await?,
    ))
}

/// Every send of a delivery.
#[derive(Serialize, ToSchema)]
pub struct Attempts {
    /// Oldest first.
    pub data: Vec<Attempt>,
}

/// Every send of a delivery, oldest first: when, the receiver's status, the error and how long it
/// took. A send cut short by a worker that stopped has no status and says so.
#[utoipa::path(get, path = "/api/webhooks/{id}/deliveries/{delivery_id}/attempts", tag = "webhooks",
    responses((status = 200, body = Attempts), (status = 404, body = Problem)))]
async fn delivery_attempts(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, delivery_id)): Path<(String, String)>,
) -> ApiResult<Json<Attempts>> {
    let data = state
        .app
        .delivery_attempts(&auth, &id, &delivery_id)
        .await?;
    Ok(Json(Attempts { data }))
}

/// Sends a delivery again now (with a fresh retry schedule), whatever its state.
#[utoipa::path(post, path = "/api/webhooks/{id}/deliveries/{delivery_id}/retry", tag = "webhooks",
    responses((status = 202, body = Delivery), (status = 404, body = Problem)))]
async fn retry_delivery(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, delivery_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let delivery: Delivery = state.app.retry_delivery(&auth, &id, &delivery_id).await?;
    Ok((StatusCode::ACCEPTED, Json(delivery)).into_response())
}
