//! Webhook endpoints: subscriptions (also in the REST-hook shape Zapier sends), secret rotation, test
//! events, the delivery log and replay. Delivery itself is a worker (`dossier-workers`).

pub mod signing;
// The bodies and their checks are pure, in the domain.
pub use dossier_domain::webhook::target;
pub use dossier_domain::webhook::{NewWebhook, WebhookPatch};

use dossier_domain::audit::{Actor, diff};
use dossier_domain::validation::Errors;
use dossier_store::{Delivery, TEST_EVENT, Tx, WebhookEndpoint, now, timestamp};
use serde_json::{Value, json};

use crate::error::{AppError, AppResult};
use crate::{App, Idempotency, Outcome, Principal, Written, fetch_limit, paginate};

impl App {
    /// Subscribes an endpoint; the answer carries its signing secret, shown only here.
    pub async fn create_webhook(
        &self,
        p: &Principal,
        idempotency: Option<Idempotency>,
        new: NewWebhook,
    ) -> AppResult<Written> {
        p.require_admin()?;
        let allow_private = self.config.webhooks.allow_private_targets;
        self.write(p, idempotency, async |tx| {
            let settings = new.into_settings(allow_private)?;
            let at = now();
            let endpoint = WebhookEndpoint {
                id: dossier_domain::id::new_id("whk"),
                url: settings.url,
                events: settings.events,
                description: settings.description,
                enabled: settings.enabled,
                disabled_reason: None,
                created_at: at.clone(),
                updated_at: at,
                secret: signing::new_secret(),
                previous_secret: None,
                previous_secret_until: None,
            };
            tx.insert_webhook_endpoint(p.ws(), &endpoint).await?;
            audit(
                tx,
                p.ws(),
                &p.actor,
                "webhook.created",
                &endpoint.id,
                &Value::Null,
                &to_json(&endpoint),
            )
            .await?;
            let mut shown = to_json(&endpoint);
            shown["secret"] = json!(endpoint.secret);
            Ok((Outcome::Created, shown))
        })
        .await
    }

    /// The workspace's endpoints (admins: an endpoint's URL may carry the receiver's token).
    pub async fn webhooks(&self, p: &Principal) -> AppResult<Vec<WebhookEndpoint>> {
        p.require_admin()?;
        Ok(self.store.webhook_endpoints(p.ws()).await?)
    }

    /// One endpoint (admins), and through it its deliveries' log.
    pub async fn webhook(&self, p: &Principal, id: &str) -> AppResult<WebhookEndpoint> {
        p.require_admin()?;
        self.store
            .webhook_endpoint(p.ws(), id)
            .await?
            .ok_or(AppError::NotFound("webhook endpoint"))
    }

    /// Changes an endpoint; re-enabling it clears the reason it was disabled.
    pub async fn update_webhook(
        &self,
        p: &Principal,
        id: &str,
        patch: WebhookPatch,
    ) -> AppResult<Written> {
        p.require_admin()?;
        let allow_private = self.config.webhooks.allow_private_targets;
        self.write(p, None, async |tx| {
            let before = load(tx, p.ws(), id).await?;
            let mut endpoint = before.clone();
            let change = patch;
            if let Some(url) = change.url {
                endpoint.url = url;
            }
            if let Some(events) = change.events {
                endpoint.events = events;
            }
            if let Some(d) = change.description {
                endpoint.description = Some(d);
            }
            if let Some(enabled) = change.enabled {
                endpoint.enabled = enabled;
                if enabled {
                    endpoint.disabled_reason = None;
                }
            }
            let mut errors = Errors::new();
            dossier_domain::webhook::check(
                &mut errors,
                &endpoint.url,
                &endpoint.events,
                allow_private,
            );
            errors.into_result()?;
            if endpoint != before {
                endpoint.updated_at = now();
                tx.update_webhook_endpoint(p.ws(), &endpoint).await?;
                audit(
                    tx,
                    p.ws(),
                    &p.actor,
                    "webhook.updated",
                    id,
                    &to_json(&before),
                    &to_json(&endpoint),
                )
                .await?;
            }
            Ok((Outcome::Changed, to_json(&endpoint)))
        })
        .await
    }

    /// Unsubscribes (the REST-hook unsubscribe call). Pending deliveries to it are dropped; the log
    /// stays.
    pub async fn delete_webhook(&self, p: &Principal, id: &str) -> AppResult<Written> {
        p.require_admin()?;
        self.write(p, None, async |tx| {
            let before = load(tx, p.ws(), id).await?;
            tx.delete_webhook_endpoint(p.ws(), id).await?;
            audit(
                tx,
                p.ws(),
                &p.actor,
                "webhook.deleted",
                id,
                &to_json(&before),
                &Value::Null,
            )
            .await?;
            Ok((Outcome::Deleted, Value::Null))
        })
        .await
    }

    /// Replaces the signing secret. For 24 hours deliveries are signed with the old and the new one.
    pub async fn rotate_webhook_secret(&self, p: &Principal, id: &str) -> AppResult<Written> {
        p.require_admin()?;
        self.write(p, None, async |tx| {
            let mut endpoint = load(tx, p.ws(), id).await?;
            let until =
                timestamp(jiff::Timestamp::now() + std::time::Duration::from_secs(24 * 3600));
            endpoint.previous_secret = Some(std::mem::replace(
                &mut endpoint.secret,
                signing::new_secret(),
            ));
            endpoint.previous_secret_until = Some(until.clone());
            endpoint.updated_at = now();
            tx.update_webhook_endpoint(p.ws(), &endpoint).await?;
            let change = json!({"secret": "rotated", "previous_secret_until": until});
            audit(
                tx,
                p.ws(),
                &p.actor,
                "webhook.secret_rotated",
                id,
                &Value::Null,
                &change,
            )
            .await?;
            Ok((
                Outcome::Changed,
                json!({"id": id, "secret": endpoint.secret, "previous_secret_until": until}),
            ))
        })
        .await
    }

    /// Sends a `webhooks.test` event to this endpoint alone.
    pub async fn send_test_event(&self, p: &Principal, id: &str) -> AppResult<Written> {
        p.require_admin()?;
        self.write(p, None, async |tx| {
            let endpoint = load(tx, p.ws(), id).await?;
            let object =
                json!({"webhook_id": endpoint.id, "message": "This is a test event from Dossier."});
            let event_id = tx.emit(p.ws(), TEST_EVENT, None, &object).await?;
            let delivery = tx
                .insert_delivery(p.ws(), &endpoint.id, &event_id, TEST_EVENT)
                .await?;
            // The whole delivery, as the spec promises and `…/deliveries` lists it.
            Ok((
                Outcome::Accepted,
                serde_json::to_value(&delivery).expect("a delivery serialises"),
            ))
        })
        .await
    }

    /// The endpoint's deliveries, newest first: attempts, last status and error, next attempt.
    pub async fn webhook_deliveries(
        &self,
        p: &Principal,
        id: &str,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> AppResult<Value> {
        self.webhook(p, id).await?;
        let fetch = fetch_limit(limit)?;
        let cursor = crate::cursor(cursor, "dlv")?;
        let deliveries = self
            .store
            .webhook_deliveries(p.ws(), id, cursor, fetch)
            .await?;
        Ok(paginate(deliveries, fetch, |d| d.id.clone()))
    }

    /// Every send of a delivery, oldest first, with what came of it: an attempt cut short by a
    /// worker that stopped says so.
    pub async fn delivery_attempts(
        &self,
        p: &Principal,
        id: &str,
        delivery_id: &str,
    ) -> AppResult<Vec<dossier_store::Attempt>> {
        self.webhook(p, id).await?;
        self.store
            .delivery_attempts(p.ws(), id, delivery_id)
            .await
            .map_err(|e| match e {
                dossier_store::StoreError::NotFound => AppError::NotFound("delivery"),
                other => other.into(),
            })
    }

    /// Sends a delivery again now (with a fresh retry schedule), whatever its state.
    pub async fn retry_delivery(
        &self,
        p: &Principal,
        id: &str,
        delivery_id: &str,
    ) -> AppResult<Delivery> {
        p.require_admin()?;
        self.store
            .retry_delivery(p.ws(), id, delivery_id)
            .await
            .map_err(|e| match e {
                dossier_store::StoreError::NotFound => AppError::NotFound("delivery"),
                other => other.into(),
            })
    }
}

async fn load(tx: &mut Tx, ws: &str, id: &str) -> AppResult<WebhookEndpoint> {
    tx.webhook_endpoint_for_update(ws, id)
        .await?
        .ok_or(AppError::NotFound("webhook endpoint"))
}

async fn audit(
    tx: &mut Tx,
    ws: &str,
    actor: &Actor,
    action: &str,
    id: &str,
    before: &Value,
    after: &Value,
) -> AppResult<()> {
    tx.audit(ws, actor, action, "webhook", id, None, &diff(before, after))
        .await?;
    Ok(())
}

fn to_json(e: &WebhookEndpoint) -> Value {
    serde_json::to_value(e).expect("an endpoint serialises")
}
