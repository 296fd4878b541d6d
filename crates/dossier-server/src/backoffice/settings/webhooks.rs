//! `/settings/webhooks`: the webhook endpoints, creating one (its signing secret shown once),
//! enabling or disabling, deleting, a test event, and each endpoint's delivery log with replay.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use dossier_app::webhooks::{NewWebhook, WebhookPatch};
use dossier_domain::event::EVENT_TYPES;
use dossier_store::WebhookEndpoint;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Done, admin_form, done, guard, is_form_error, page, segment, short_time};
use crate::AppState;
use crate::backoffice::Analyst;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings/webhooks", get(list).post(create))
        .route("/settings/webhooks/{id}", get(show))
        .route("/settings/webhooks/{id}/enabled", post(enable))
        .route("/settings/webhooks/{id}/delete", post(delete))
        .route("/settings/webhooks/{id}/test", post(test))
        .route(
            "/settings/webhooks/{id}/deliveries/{delivery_id}/retry",
            post(retry),
        )
}

fn row(e: &WebhookEndpoint) -> Value {
    json!({
        "id": e.id,
        "url": e.url,
        "events": e.events,
        "all_events": e.events.iter().any(|t| t == "*"),
        "description": e.description,
        "enabled": e.enabled,
        "disabled_reason": e.disabled_reason,
        "created_at": short_time(&e.created_at),
    })
}

async fn render_list(
    state: &AppState,
    analyst: &Analyst,
    status: StatusCode,
    done_key: Option<&str>,
    extra: Value,
) -> Response {
    let endpoints = match state.app.webhooks(&analyst.staff.principal).await {
        Ok(e) => e,
        Err(e) => return analyst.refusal(state, &e),
    };
    let secret = if status == StatusCode::OK {
        state
            .app
            .take_flash(&analyst.staff, "webhook_secret")
            .await
            .ok()
            .flatten()
    } else {
        None
    };
    let mut context = json!({
        "endpoints": endpoints.iter().map(row).collect::<Vec<_>>(),
        "event_types": EVENT_TYPES,
        "secret": secret,
        "new_hook": {"url": "", "description": "", "events": ["*"]},
    });
    if let (Value::Object(ctx), Value::Object(extra)) = (&mut context, extra) {
        ctx.extend(extra);
    }
    page(
        state,
        analyst,
        status,
        "bo_settings_webhooks.html",
        "webhooks",
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

/// `POST /settings/webhooks`: URL, description and the events (`*` for all).
async fn create(State(state): State<AppState>, analyst: Analyst, body: Bytes) -> Response {
    let form = match admin_form(&state, &analyst, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let mut events = form.all("events");
    if events.iter().any(|e| e == "*") {
        events = vec!["*".into()];
    }
    let new = NewWebhook {
        url: Some(form.get("url").trim().to_string()),
        events: Some(events.clone()),
        description: form.opt("description"),
        enabled: Some(true),
        target_url: None,
        event: None,
    };
    match state
        .app
        .create_webhook(&analyst.staff.principal, None, new)
        .await
    {
        Ok(written) => {
            let shown: Value = serde_json::from_str(&written.body).unwrap_or_default();
            let flash = json!({
                "kind": "webhook_secret",
                "id": shown["id"],
                "url": shown["url"],
                "secret": shown["secret"],
            });
            if let Err(e) = state.app.set_flash(&analyst.staff, flash).await {
                return analyst.refusal(&state, &e);
            }
            done("/settings/webhooks", "webhook-created")
        }
        Err(e) if is_form_error(&e) => {
            let (summary, mut errors) = analyst.form_errors(&state, &e);
            // `events[2]` is a checkbox of the list: the message goes to the group.
            for m in &mut errors {
                if m.field.starts_with("events") {
                    m.field = "events".into();
                    m.id = "field-events".into();
                }
            }
            let extra = json!({
                "summary": summary,
                "errors": errors,
                "new_hook": {"url": form.get("url"), "description": form.get("description"), "events": events},
            });
            render_list(&state, &analyst, crate::error::status_of(&e), None, extra).await
        }
        Err(e) => analyst.refusal(&state, &e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    done: Option<String>,
    cursor: Option<String>,
}

/// `GET /settings/webhooks/{id}`: the endpoint and its deliveries, newest first.
async fn show(
    State(state): State<AppState>,
    analyst: Analyst,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Response {
    if let Err(r) = guard(&state, &analyst) {
        return r;
    }
    let p = &analyst.staff.principal;
    let endpoint = match state.app.webhook(p, &id).await {
        Ok(e) => e,
        Err(e) => return analyst.refusal(&state, &e),
    };
    let cursor = q.cursor.as_deref().filter(|c| !c.is_empty());
    let deliveries = match state.app.webhook_deliveries(p, &id, cursor, Some(50)).await {
        Ok(d) => d,
        Err(e) => return analyst.refusal(&state, &e),
    };
    let rows: Vec<Value> = deliveries["data"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            let mut d = d.clone();
            for k in ["created_at", "delivered_at", "next_attempt_at"] {
                if let Some(at) = d[k].as_str() {
                    d[k] = json!(short_time(at));
                }
            }
            d
        })
        .collect();
    page(
        &state,
        &analyst,
        StatusCode::OK,
        "bo_settings_webhook.html",
        "webhooks",
        q.done.as_deref(),
        json!({
            "hook": row(&endpoint),
            "deliveries": rows,
            "next_cursor": deliveries["next_cursor"],
        }),
    )
}

fn back(id: &str, key: &str) -> Response {
    done(&format!("/settings/webhooks/{}", segment(id)), key)
}

/// `POST /settings/webhooks/{id}/enabled`: `enabled=yes` enables (clearing why it was
/// disabled), anything else disables.
async fn enable(
    State(state): State<AppState>,
    analyst: Analyst,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let form = match admin_form(&state, &analyst, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let on = form.get("enabled") == "yes";
    let patch = WebhookPatch {
        url: None,
        events: None,
        description: None,
        enabled: Some(on),
    };
    match state
        .app
        .update_webhook(&analyst.staff.principal, &id, patch)
        .await
    {
        Ok(_) => back(
            &id,
            if on {
                "webhook-enabled"
            } else {
                "webhook-disabled"
            },
        ),
        Err(e) => analyst.refusal(&state, &e),
    }
}

/// `POST /settings/webhooks/{id}/delete`: pending deliveries are dropped; the log stays.
async fn delete(
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
        .delete_webhook(&analyst.staff.principal, &id)
        .await
    {
        Ok(_) => done("/settings/webhooks", "webhook-deleted"),
        Err(e) => analyst.refusal(&state, &e),
    }
}

/// `POST /settings/webhooks/{id}/test`: a `webhooks.test` event to this endpoint alone.
async fn test(
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
        .send_test_event(&analyst.staff.principal, &id)
        .await
    {
        Ok(_) => back(&id, "webhook-tested"),
        Err(e) => analyst.refusal(&state, &e),
    }
}

/// `POST /settings/webhooks/{id}/deliveries/{delivery_id}/retry`: sends it again now.
async fn retry(
    State(state): State<AppState>,
    analyst: Analyst,
    Path((id, delivery_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    if let Err(r) = admin_form(&state, &analyst, &body) {
        return r;
    }
    match state
        .app
        .retry_delivery(&analyst.staff.principal, &id, &delivery_id)
        .await
    {
        Ok(_) => back(&id, "delivery-replayed"),
        Err(e) => analyst.refusal(&state, &e),
    }
}
