//! Webhook endpoints: `/api/webhooks`. Subscriptions (also in the REST-hook shape Zapier sends),
//! secret rotation, test events, the delivery log and replay. Delivery itself is [`dispatcher`].

pub mod dispatcher;
pub mod signing;
pub mod target;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use dossier_domain::audit::{Actor, diff};
use dossier_domain::event::is_subscribable;
use dossier_domain::validation::Errors;
use dossier_store::{Delivery, TEST_EVENT, Tx, WebhookEndpoint, now, timestamp};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{JsonBody, Page, Query, paginate};
use crate::write::Idempotency;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_webhook, list_webhooks))
        .routes(routes!(get_webhook, update_webhook, delete_webhook))
        .routes(routes!(rotate_secret))
        .routes(routes!(send_test))
        .routes(routes!(list_deliveries))
        .routes(routes!(retry_delivery))
}

/// Body of `POST /api/webhooks`: `{url, events}`, or Zapier's REST-hook `{target_url, event}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    pub url: Option<String>,
    /// Event types, or `["*"]` for every event.
    pub events: Option<Vec<String>>,
    pub description: Option<String>,
    pub enabled: Option<bool>,
    /// REST-hook alias of `url`.
    pub target_url: Option<String>,
    /// REST-hook alias of `events: [event]`.
    pub event: Option<String>,
}

/// Body of `PATCH /api/webhooks/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub description: Option<String>,
    /// Re-enabling clears the reason it was disabled.
    pub enabled: Option<bool>,
}

fn check(errors: &mut Errors, url: &str, events: &[String], allow_private: bool) {
    match target::parse_target(url) {
        Err(e) => errors.add("url", e),
        Ok(u) => {
            if let Err(e) = target::check_literal_host(&u, allow_private) {
                errors.add("url", e);
            }
        }
    }
    if events.is_empty() {
        errors.add(
            "events",
            "subscribe to at least one event type, or [\"*\"] for all",
        );
    }
    for (i, e) in events.iter().enumerate() {
        if !is_subscribable(e) {
            errors.add(
                format!("events[{i}]"),
                format!("`{e}` is not an event type (see docs/webhooks.md)"),
            );
        }
    }
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
    let idem = Idempotency::from_request(&headers, "POST /api/webhooks", &body.digest)?;
    let (ws, actor) = (auth.workspace_id().to_string(), auth.actor());
    let allow_private = state.config.webhook_allow_private_targets;
    state
        .write(&auth, idem, async |tx| {
            let b = body.value;
            let mut errors = Errors::new();
            let url = match (b.url, b.target_url) {
                (Some(u), None) | (None, Some(u)) => u,
                (Some(_), Some(_)) => {
                    return Err(ApiError::invalid(
                        "target_url",
                        "give `url` or `target_url`, not both",
                    ));
                }
                (None, None) => {
                    return Err(ApiError::invalid("url", "the endpoint URL is required"));
                }
            };
            let events = match (b.events, b.event) {
                (Some(list), None) => list,
                (None, Some(one)) => vec![one],
                (None, None) => vec!["*".to_string()],
                (Some(_), Some(_)) => {
                    return Err(ApiError::invalid(
                        "event",
                        "give `events` or `event`, not both",
                    ));
                }
            };
            check(&mut errors, &url, &events, allow_private);
            errors.into_result()?;
            let at = now();
            let endpoint = WebhookEndpoint {
                id: dossier_domain::id::new_id("whk"),
                url,
                events,
                description: b.description,
                enabled: b.enabled.unwrap_or(true),
                disabled_reason: None,
                created_at: at.clone(),
                updated_at: at,
                secret: signing::new_secret(),
                previous_secret: None,
                previous_secret_until: None,
            };
            tx.insert_webhook_endpoint(&ws, &endpoint).await?;
            audit(
                tx,
                &ws,
                &actor,
                "webhook.created",
                &endpoint.id,
                &Value::Null,
                &to_json(&endpoint),
            )
            .await?;
            let mut shown = to_json(&endpoint);
            shown["secret"] = json!(endpoint.secret);
            Ok((StatusCode::CREATED, shown))
        })
        .await
}

#[utoipa::path(get, path = "/api/webhooks", tag = "webhooks",
    responses((status = 200, description = "`{data: [WebhookEndpoint], next_cursor: null}`")))]
async fn list_webhooks(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Value>> {
    let endpoints = state.store.webhook_endpoints(auth.workspace_id()).await?;
    Ok(Json(json!({ "data": endpoints, "next_cursor": null })))
}

#[utoipa::path(get, path = "/api/webhooks/{id}", tag = "webhooks",
    responses((status = 200, body = WebhookEndpoint), (status = 404, body = Problem)))]
async fn get_webhook(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let endpoint = state
        .store
        .webhook_endpoint(auth.workspace_id(), &id)
        .await?
        .ok_or(ApiError::NotFound("webhook endpoint"))?;
    Ok(Json(to_json(&endpoint)))
}

#[utoipa::path(patch, path = "/api/webhooks/{id}", tag = "webhooks", request_body = WebhookPatch,
    responses((status = 200, body = WebhookEndpoint), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_webhook(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: JsonBody<WebhookPatch>,
) -> ApiResult<Response> {
    let (ws, actor) = (auth.workspace_id().to_string(), auth.actor());
    let allow_private = state.config.webhook_allow_private_targets;
    state
        .write(&auth, None, async |tx| {
            let before = load(tx, &ws, &id).await?;
            let mut endpoint = before.clone();
            let p = body.value;
            if let Some(url) = p.url {
                endpoint.url = url;
            }
            if let Some(events) = p.events {
                endpoint.events = events;
            }
            if let Some(d) = p.description {
                endpoint.description = Some(d);
            }
            if let Some(enabled) = p.enabled {
                endpoint.enabled = enabled;
                if enabled {
                    endpoint.disabled_reason = None;
                }
            }
            let mut errors = Errors::new();
            check(&mut errors, &endpoint.url, &endpoint.events, allow_private);
            errors.into_result()?;
            if endpoint != before {
                endpoint.updated_at = now();
                tx.update_webhook_endpoint(&ws, &endpoint).await?;
                audit(
                    tx,
                    &ws,
                    &actor,
                    "webhook.updated",
                    &id,
                    &to_json(&before),
                    &to_json(&endpoint),
                )
                .await?;
            }
            Ok((StatusCode::OK, to_json(&endpoint)))
        })
        .await
}

/// Unsubscribes (the REST-hook unsubscribe call). Pending deliveries to it are dropped; the log stays.
#[utoipa::path(delete, path = "/api/webhooks/{id}", tag = "webhooks",
    responses((status = 204), (status = 404, body = Problem)))]
async fn delete_webhook(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (ws, actor) = (auth.workspace_id().to_string(), auth.actor());
    state
        .write(&auth, None, async |tx| {
            let before = load(tx, &ws, &id).await?;
            tx.delete_webhook_endpoint(&ws, &id).await?;
            audit(
                tx,
                &ws,
                &actor,
                "webhook.deleted",
                &id,
                &to_json(&before),
                &Value::Null,
            )
            .await?;
            Ok((StatusCode::NO_CONTENT, Value::Null))
        })
        .await
}

/// Replaces the signing secret. For 24 hours deliveries are signed with the old and the new secret.
#[utoipa::path(post, path = "/api/webhooks/{id}/rotate_secret", tag = "webhooks",
    responses((status = 200, description = "`{secret, previous_secret_until}`"), (status = 404, body = Problem)))]
async fn rotate_secret(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (ws, actor) = (auth.workspace_id().to_string(), auth.actor());
    state
        .write(&auth, None, async |tx| {
            let mut endpoint = load(tx, &ws, &id).await?;
            let until =
                timestamp(jiff::Timestamp::now() + std::time::Duration::from_secs(24 * 3600));
            endpoint.previous_secret = Some(std::mem::replace(
                &mut endpoint.secret,
                signing::new_secret(),
            ));
            endpoint.previous_secret_until = Some(until.clone());
            endpoint.updated_at = now();
            tx.update_webhook_endpoint(&ws, &endpoint).await?;
            let change = json!({"secret": "rotated", "previous_secret_until": until});
            audit(
                tx,
                &ws,
                &actor,
                "webhook.secret_rotated",
                &id,
                &Value::Null,
                &change,
            )
            .await?;
            Ok((
                StatusCode::OK,
                json!({"id": id, "secret": endpoint.secret, "previous_secret_until": until}),
            ))
        })
        .await
}

/// Sends a `webhooks.test` event to this endpoint alone.
#[utoipa::path(post, path = "/api/webhooks/{id}/test", tag = "webhooks",
    responses((status = 202, body = Delivery), (status = 404, body = Problem)))]
async fn send_test(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let ws = auth.workspace_id().to_string();
    state
        .write(&auth, None, async |tx| {
            let endpoint = load(tx, &ws, &id).await?;
            let object = json!({"webhook_id": endpoint.id, "message": "This is a test event from Dossier."});
            let event_id = tx.emit(&ws, TEST_EVENT, None, &object).await?;
            let delivery = tx.insert_delivery(&ws, &endpoint.id, &event_id, TEST_EVENT).await?;
            Ok((StatusCode::ACCEPTED, json!({"id": delivery, "event_id": event_id, "event_type": TEST_EVENT, "status": "pending"})))
        })
        .await
}

/// The endpoint's deliveries, newest first: attempts, last status and error, next attempt.
#[utoipa::path(get, path = "/api/webhooks/{id}/deliveries", tag = "webhooks", params(Page),
    responses((status = 200, description = "`{data: [Delivery], next_cursor}`", body = [Delivery]), (status = 404, body = Problem)))]
async fn list_deliveries(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Value>> {
    let ws = auth.workspace_id();
    state
        .store
        .webhook_endpoint(ws, &id)
        .await?
        .ok_or(ApiError::NotFound("webhook endpoint"))?;
    let fetch = page.fetch_limit()?;
    let deliveries = state
        .store
        .webhook_deliveries(ws, &id, page.cursor.as_deref(), fetch)
        .await?;
    Ok(Json(paginate(deliveries, fetch, |d| d.id.clone())))
}

/// Sends a delivery again now (with a fresh retry schedule), whatever its state.
#[utoipa::path(post, path = "/api/webhooks/{id}/deliveries/{delivery_id}/retry", tag = "webhooks",
    responses((status = 202, body = Delivery), (status = 404, body = Problem)))]
async fn retry_delivery(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, delivery_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    auth.require_write()?;
    let delivery = state
        .store
        .retry_delivery(auth.workspace_id(), &id, &delivery_id)
        .await
        .map_err(|e| match e {
            dossier_store::StoreError::NotFound => ApiError::NotFound("delivery"),
            other => other.into(),
        })?;
    Ok(axum::response::IntoResponse::into_response((
        StatusCode::ACCEPTED,
        Json(delivery),
    )))
}

async fn load(tx: &mut Tx, ws: &str, id: &str) -> ApiResult<WebhookEndpoint> {
    tx.webhook_endpoint_for_update(ws, id)
        .await?
        .ok_or(ApiError::NotFound("webhook endpoint"))
}

async fn audit(
    tx: &mut Tx,
    ws: &str,
    actor: &Actor,
    action: &str,
    id: &str,
    before: &Value,
    after: &Value,
) -> ApiResult<()> {
    tx.audit(ws, actor, action, "webhook", id, None, &diff(before, after))
        .await?;
    Ok(())
}

fn to_json(e: &WebhookEndpoint) -> Value {
    serde_json::to_value(e).expect("an endpoint serialises")
}
