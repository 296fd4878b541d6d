//! Webhook endpoints and deliveries. A delivery row is made for every subscribed endpoint in the
//! transaction that writes the event (see [`Tx::emit`]), so an event is delivered only if it committed,
//! and never forgotten once it did. Workers claim due deliveries with a lease; a worker that dies
//! leaves a lease that expires, and the delivery is tried again (at least once).

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use utoipa::ToSchema;

use crate::{Backend, Result, Store, StoreError, Tx, corrupt, now};

/// A subscriber, as the API shows it (never with its secret).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct WebhookEndpoint {
    pub id: String,
    pub url: String,
    /// Event types, or `["*"]` for all.
    pub events: Vec<String>,
    pub description: Option<String>,
    pub enabled: bool,
    /// Why the endpoint was disabled (e.g. it answered 410 Gone).
    pub disabled_reason: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    #[serde(skip)]
    pub secret: String,
    #[serde(skip)]
    pub previous_secret: Option<String>,
    /// Until then, deliveries are signed with the previous secret too.
    pub previous_secret_until: Option<String>,
}

impl WebhookEndpoint {
    pub fn wants(&self, event_type: &str) -> bool {
        self.events.iter().any(|e| e == "*" || e == event_type)
    }
}

/// One event to one endpoint, and how its delivery went.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Delivery {
    pub id: String,
    pub endpoint_id: String,
    pub event_id: String,
    pub event_type: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: Option<String>,
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    pub delivered_at: Option<String>,
    pub created_at: String,
}

/// What an attempt's row says until the worker records its outcome; it stays so when the worker
/// stopped during the send.
pub const UNFINISHED_ATTEMPT: &str =
    "no outcome recorded: the worker stopped during this attempt (the receiver may have got it)";

/// One send of a delivery, as the attempts log keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Attempt {
    pub id: String,
    pub at: String,
    /// The receiver's HTTP status; `null` when it did not answer (or not yet).
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// A delivery claimed by a worker, with what it needs to send it.
#[derive(Debug, Clone)]
pub struct ClaimedDelivery {
    pub id: String,
    pub workspace_id: String,
    pub endpoint_id: String,
    pub event_id: String,
    /// Attempts before this one.
    pub attempts: i64,
    /// This attempt's row in the attempts log, written when the delivery was claimed: a send the
    /// worker did not live to record still counts.
    pub attempt_id: String,
    /// The lease this worker holds (`leased_until`), renewed by [`Store::renew_delivery_lease`].
    pub lease: String,
    /// The endpoint, if it still exists.
    pub endpoint: Option<WebhookEndpoint>,
    /// The envelope exactly as stored: the bytes that are signed and sent.
    pub payload: String,
}

/// What an attempt came to.
#[derive(Debug, Clone)]
pub enum AttemptOutcome {
    Delivered {
        status_code: u16,
    },
    /// Try again at `next_attempt_at`.
    Retry {
        status_code: Option<u16>,
        error: String,
        next_attempt_at: String,
    },
    /// No more attempts (schedule exhausted, endpoint gone or refused target).
    Failed {
        status_code: Option<u16>,
        error: String,
    },
    /// 410: the endpoint asked to be unsubscribed; it is disabled.
    Gone,
}

const ENDPOINT_COLUMNS: &str = "id, url, events, description, enabled, disabled_reason, created_at, updated_at, \
                                secret, previous_secret, previous_secret_until";
const DELIVERY_COLUMNS: &str = "id, endpoint_id, event_id, event_type, status, attempts, next_attempt_at, \
                                last_status_code, last_error, delivered_at, created_at";

fn endpoint_from_row(r: &AnyRow, offset: usize) -> Result<WebhookEndpoint> {
    let events: String = r.get(offset + 2);
    Ok(WebhookEndpoint {
        id: r.get(offset),
        url: r.get(offset + 1),
        events: serde_json::from_str(&events).map_err(|e| corrupt("webhook events", e))?,
        description: r.get(offset + 3),
        enabled: r.get::<i64, _>(offset + 4) != 0,
        disabled_reason: r.get(offset + 5),
        created_at: r.get(offset + 6),
        updated_at: r.get(offset + 7),
        secret: r.get(offset + 8),
        previous_secret: r.get(offset + 9),
        previous_secret_until: r.get(offset + 10),
    })
}

fn delivery_from_row(r: &AnyRow) -> Delivery {
    let status: String = r.get(4);
    Delivery {
        id: r.get(0),
        endpoint_id: r.get(1),
        event_id: r.get(2),
        event_type: r.get(3),
        next_attempt_at: if status == "pending" { r.get(6) } else { None },
        status,
        attempts: r.get(5),
        last_status_code: r.get(7),
        last_error: r.get(8),
        delivered_at: r.get(9),
        created_at: r.get(10),
    }
}

impl Tx {
    pub async fn insert_webhook_endpoint(
        &mut self,
        workspace_id: &str,
        e: &WebhookEndpoint,
    ) -> Result<()> {
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO webhook_endpoints (workspace_id, {ENDPOINT_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        )))
        .bind(workspace_id)
        .bind(&e.id)
        .bind(&e.url)
        .bind(serde_json::to_string(&e.events).expect("strings serialise"))
        .bind(&e.description)
        .bind(e.enabled as i64)
        .bind(&e.disabled_reason)
        .bind(&e.created_at)
        .bind(&e.updated_at)
        .bind(&e.secret)
        .bind(&e.previous_secret)
        .bind(&e.previous_secret_until)
        .execute(self.conn().await?)
        .await?;
        Ok(())
    }

    pub async fn update_webhook_endpoint(
        &mut self,
        workspace_id: &str,
        e: &WebhookEndpoint,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE webhook_endpoints SET url = $1, events = $2, description = $3, enabled = $4, disabled_reason = $5, \
             updated_at = $6, secret = $7, previous_secret = $8, previous_secret_until = $9 \
             WHERE workspace_id = $10 AND id = $11",
        )
        .bind(&e.url)
        .bind(serde_json::to_string(&e.events).expect("strings serialise"))
        .bind(&e.description)
        .bind(e.enabled as i64)
        .bind(&e.disabled_reason)
        .bind(&e.updated_at)
        .bind(&e.secret)
        .bind(&e.previous_secret)
        .bind(&e.previous_secret_until)
        .bind(workspace_id)
        .bind(&e.id)
        .execute(self.conn().await?)
        .await?;
        Ok(())
    }

    pub async fn webhook_endpoint_for_update(
        &mut self,
        workspace_id: &str,
        id: &str,
    ) -> Result<Option<WebhookEndpoint>> {
        let lock = if self.backend() == Backend::Postgres {
            " FOR UPDATE"
        } else {
            ""
        };
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE workspace_id = $1 AND id = $2{lock}"
        )))
        .bind(workspace_id)
        .bind(id)
        .fetch_optional(self.conn().await?)
        .await?;
        row.map(|r| endpoint_from_row(&r, 0)).transpose()
    }

    /// Deletes an endpoint; its pending deliveries fail (the log stays).
    pub async fn delete_webhook_endpoint(&mut self, workspace_id: &str, id: &str) -> Result<()> {
        sqlx::query(
            "UPDATE webhook_deliveries SET status = 'failed', last_error = 'endpoint deleted', leased_until = NULL \
             WHERE workspace_id = $1 AND endpoint_id = $2 AND status = 'pending'",
        )
        .bind(workspace_id)
        .bind(id)
        .execute(self.conn().await?)
        .await?;
        sqlx::query("DELETE FROM webhook_endpoints WHERE workspace_id = $1 AND id = $2")
            .bind(workspace_id)
            .bind(id)
            .execute(self.conn().await?)
            .await?;
        Ok(())
    }

    /// One delivery of `event_id` per enabled endpoint of the workspace that subscribes to its type.
    pub(crate) async fn fan_out(
        &mut self,
        workspace_id: &str,
        event_id: &str,
        event_type: &str,
    ) -> Result<()> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE workspace_id = $1 AND enabled = 1"
        )))
        .bind(workspace_id)
        .fetch_all(self.conn().await?)
        .await?;
        for row in rows {
            let endpoint = endpoint_from_row(&row, 0)?;
            if endpoint.wants(event_type) {
                self.insert_delivery(workspace_id, &endpoint.id, event_id, event_type)
                    .await?;
            }
        }
        Ok(())
    }

    /// A pending delivery, due now; answers the row as written.
    pub async fn insert_delivery(
        &mut self,
        workspace_id: &str,
        endpoint_id: &str,
        event_id: &str,
        event_type: &str,
    ) -> Result<Delivery> {
        let id = dossier_domain::id::new_id("dlv");
        let at = now();
        sqlx::query(
            "INSERT INTO webhook_deliveries (id, workspace_id, endpoint_id, event_id, event_type, status, attempts, \
             next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6)",
        )
        .bind(&id)
        .bind(workspace_id)
        .bind(endpoint_id)
        .bind(event_id)
        .bind(event_type)
        .bind(&at)
        .execute(self.conn().await?)
        .await?;
        Ok(Delivery {
            id,
            endpoint_id: endpoint_id.to_string(),
            event_id: event_id.to_string(),
            event_type: event_type.to_string(),
            status: "pending".to_string(),
            attempts: 0,
            next_attempt_at: Some(at.clone()),
            last_status_code: None,
            last_error: None,
            delivered_at: None,
            created_at: at,
        })
    }
}

impl Store {
    pub async fn webhook_endpoints(&self, workspace_id: &str) -> Result<Vec<WebhookEndpoint>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE workspace_id = $1 ORDER BY id DESC"
        )))
        .bind(workspace_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(|r| endpoint_from_row(r, 0)).collect()
    }

    pub async fn webhook_endpoint(
        &self,
        workspace_id: &str,
        id: &str,
    ) -> Result<Option<WebhookEndpoint>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE workspace_id = $1 AND id = $2"
        )))
        .bind(workspace_id)
        .bind(id)
        .fetch_optional(self.reader())
        .await?;
        row.map(|r| endpoint_from_row(&r, 0)).transpose()
    }

    /// An endpoint's deliveries, newest first.
    pub async fn webhook_deliveries(
        &self,
        workspace_id: &str,
        endpoint_id: &str,
        before_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Delivery>> {
        // No sentinel for "no cursor": under a language collation `~` sorts before the ids.
        let cursor = if before_id.is_some() {
            " AND id < $4"
        } else {
            ""
        };
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE workspace_id = $1 AND endpoint_id = $2\
             {cursor} ORDER BY id DESC LIMIT $3"
        )))
        .bind(workspace_id)
        .bind(endpoint_id)
        .bind(limit);
        let rows = match before_id {
            Some(id) => rows.bind(id),
            None => rows,
        }
        .fetch_all(self.reader())
        .await?;
        Ok(rows.iter().map(delivery_from_row).collect())
    }

    /// Puts a delivery back in the queue for an immediate attempt, with a fresh retry schedule.
    pub async fn retry_delivery(
        &self,
        workspace_id: &str,
        endpoint_id: &str,
        delivery_id: &str,
    ) -> Result<Delivery> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = $1, leased_until = NULL \
             WHERE workspace_id = $2 AND endpoint_id = $3 AND id = $4",
        )
        .bind(now())
        .bind(workspace_id)
        .bind(endpoint_id)
        .bind(delivery_id)
        .execute(tx.conn().await?)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = $1"
        )))
        .bind(delivery_id)
        .fetch_one(tx.conn().await?)
        .await?;
        tx.mark_event_written();
        tx.commit().await?;
        Ok(delivery_from_row(&row))
    }

    /// Leases up to `limit` due deliveries until `lease_until`. On PostgreSQL, `SKIP LOCKED` lets several
    /// processes claim at once without ever claiming the same row. Each claim counts as an attempt
    /// and opens its row in the attempts log at once, saying it has no outcome yet: a worker killed
    /// during the send leaves that row as the record of a send that may have reached the receiver.
    pub async fn claim_due_deliveries(
        &self,
        lease_until: &str,
        limit: i64,
    ) -> Result<Vec<ClaimedDelivery>> {
        let at = now();
        let skip_locked = if self.backend() == Backend::Postgres {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let mut tx = self.begin().await?;
        let ids: Vec<String> = sqlx::query_scalar(AssertSqlSafe(format!(
            "UPDATE webhook_deliveries SET leased_until = $1, attempts = attempts + 1 WHERE id IN (\
               SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $2 \
               AND (leased_until IS NULL OR leased_until < $2) ORDER BY next_attempt_at LIMIT $3{skip_locked}) \
             RETURNING id"
        )))
        .bind(lease_until)
        .bind(&at)
        .bind(limit)
        .fetch_all(tx.conn().await?)
        .await?;
        if ids.is_empty() {
            tx.commit().await?;
            return Ok(Vec::new());
        }
        let mut attempt_ids = std::collections::HashMap::new();
        for id in &ids {
            let attempt_id = dossier_domain::id::new_id("att");
            sqlx::query(
                "INSERT INTO webhook_attempts (id, delivery_id, at, status_code, error, duration_ms) \
                 VALUES ($1, $2, $3, NULL, $4, 0)",
            )
            .bind(&attempt_id)
            .bind(id)
            .bind(&at)
            .bind(UNFINISHED_ATTEMPT)
            .execute(tx.conn().await?)
            .await?;
            attempt_ids.insert(id.clone(), attempt_id);
        }
        let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let prefixed: String = ENDPOINT_COLUMNS
            .split(", ")
            .map(|c| format!("e.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT d.id, d.workspace_id, d.endpoint_id, d.event_id, d.attempts - 1, e.id IS NOT NULL, {prefixed}, {envelope} \
             FROM webhook_deliveries d JOIN events ev ON ev.id = d.event_id {join} \
             LEFT JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id IN ({})",
            placeholders.join(", "),
            envelope = crate::events::ENVELOPE_COLUMNS,
            join = crate::events::VERSION_JOIN,
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for id in &ids {
            q = q.bind(id);
        }
        let rows = q.fetch_all(tx.conn().await?).await?;
        tx.commit().await?;
        rows.iter()
            .map(|r| {
                let has_endpoint = match r.try_get::<bool, _>(5) {
                    Ok(b) => b,
                    Err(_) => r.get::<i64, _>(5) != 0,
                };
                let endpoint_columns = ENDPOINT_COLUMNS.split(", ").count();
                let id: String = r.get(0);
                Ok(ClaimedDelivery {
                    attempt_id: attempt_ids.get(&id).cloned().unwrap_or_default(),
                    lease: lease_until.to_string(),
                    id,
                    workspace_id: r.get(1),
                    endpoint_id: r.get(2),
                    event_id: r.get(3),
                    attempts: r.get(4),
                    payload: crate::events::render_envelope(r, 6 + endpoint_columns)?,
                    endpoint: if has_endpoint {
                        Some(endpoint_from_row(r, 6)?)
                    } else {
                        None
                    },
                })
            })
            .collect()
    }

    /// Records an attempt and its consequence, all in one transaction.
    pub async fn finish_attempt(
        &self,
        d: &ClaimedDelivery,
        outcome: &AttemptOutcome,
        duration_ms: i64,
    ) -> Result<()> {
        let at = now();
        let mut tx = self.begin().await?;
        let (code, error) = match outcome {
            AttemptOutcome::Delivered { status_code } => (Some(*status_code), None),
            AttemptOutcome::Retry {
                status_code, error, ..
            }
            | AttemptOutcome::Failed { status_code, error } => (*status_code, Some(error.clone())),
            AttemptOutcome::Gone => (
                Some(410),
                Some("the endpoint answered 410 Gone; it is now disabled".to_string()),
            ),
        };
        sqlx::query(
            "UPDATE webhook_attempts SET status_code = $1, error = $2, duration_ms = $3 WHERE id = $4",
        )
        .bind(code.map(i64::from))
        .bind(&error)
        .bind(duration_ms)
        .bind(&d.attempt_id)
        .execute(tx.conn().await?)
        .await?;
        let (status, next, delivered_at) = match outcome {
            AttemptOutcome::Delivered { .. } => ("delivered", at.clone(), Some(at.clone())),
            AttemptOutcome::Retry {
                next_attempt_at, ..
            } => ("pending", next_attempt_at.clone(), None),
            AttemptOutcome::Failed { .. } | AttemptOutcome::Gone => ("failed", at.clone(), None),
        };
        sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, next_attempt_at = $2, leased_until = NULL, \
             last_status_code = $3, last_error = $4, delivered_at = $5 WHERE id = $6",
        )
        .bind(status)
        .bind(&next)
        .bind(code.map(i64::from))
        .bind(&error)
        .bind(&delivered_at)
        .bind(&d.id)
        .execute(tx.conn().await?)
        .await?;
        if matches!(outcome, AttemptOutcome::Gone) {
            let reason = "the endpoint answered 410 Gone";
            let disabled = sqlx::query(
                "UPDATE webhook_endpoints SET enabled = 0, disabled_reason = $1, updated_at = $2 WHERE id = $3 AND enabled = 1",
            )
            .bind(reason)
            .bind(&at)
            .bind(&d.endpoint_id)
            .execute(tx.conn().await?)
            .await?;
            if disabled.rows_affected() > 0 {
                tx.audit(
                    &d.workspace_id,
                    &dossier_domain::audit::Actor::system(),
                    "webhook.disabled",
                    "webhook",
                    &d.endpoint_id,
                    None,
                    &[dossier_domain::audit::Change {
                        path: "enabled".into(),
                        before: serde_json::Value::Bool(true),
                        after: serde_json::Value::Bool(false),
                    }],
                )
                .await?;
            }
        }
        tx.commit().await
    }

    /// Moves this worker's lease of `d` on to `until`, while its attempt is in flight. `false` when
    /// the lease is no longer this worker's (it expired and another worker claimed the delivery).
    pub async fn renew_delivery_lease(&self, d: &mut ClaimedDelivery, until: &str) -> Result<bool> {
        let mut tx = self.begin().await?;
        let renewed = sqlx::query(
            "UPDATE webhook_deliveries SET leased_until = $1 \
             WHERE id = $2 AND leased_until = $3 AND status = 'pending'",
        )
        .bind(until)
        .bind(&d.id)
        .bind(&d.lease)
        .execute(tx.conn().await?)
        .await?
        .rows_affected()
            == 1;
        tx.commit().await?;
        if renewed {
            d.lease = until.to_string();
        }
        Ok(renewed)
    }

    /// The attempts log of a delivery of this workspace's endpoint, oldest first; `NotFound` when
    /// there is no such delivery.
    pub async fn delivery_attempts(
        &self,
        workspace_id: &str,
        endpoint_id: &str,
        delivery_id: &str,
    ) -> Result<Vec<Attempt>> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM webhook_deliveries WHERE id = $1 AND workspace_id = $2 AND endpoint_id = $3",
        )
        .bind(delivery_id)
        .bind(workspace_id)
        .bind(endpoint_id)
        .fetch_optional(self.reader())
        .await?;
        if found.is_none() {
            return Err(StoreError::NotFound);
        }
        let rows = sqlx::query(
            "SELECT id, at, status_code, error, duration_ms FROM webhook_attempts \
             WHERE delivery_id = $1 ORDER BY at, id",
        )
        .bind(delivery_id)
        .fetch_all(self.reader())
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| Attempt {
                id: r.get(0),
                at: r.get(1),
                status_code: r.get(2),
                error: r.get(3),
                duration_ms: r.get(4),
            })
            .collect())
    }

    /// Clears every lease: for a single-node SQLite store at start-up, where no other worker can hold one.
    pub async fn release_delivery_leases(&self) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE webhook_deliveries SET leased_until = NULL WHERE status = 'pending' AND leased_until IS NOT NULL")
            .execute(tx.conn().await?)
            .await?;
        tx.commit().await
    }

    /// When the next pending delivery falls due, if any.
    pub async fn next_delivery_due(&self) -> Result<Option<String>> {
        // A leased delivery is not due before its lease ends.
        Ok(sqlx::query_scalar(
            "SELECT MIN(CASE WHEN leased_until IS NOT NULL AND leased_until > next_attempt_at \
             THEN leased_until ELSE next_attempt_at END) FROM webhook_deliveries WHERE status = 'pending'",
        )
            .fetch_one(self.reader())
            .await?)
    }

    /// Deliveries not yet delivered nor given up on.
    pub async fn outbox_backlog(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending'")
                .fetch_one(self.reader())
                .await?,
        )
    }
}
