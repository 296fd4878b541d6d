//! Events: the outbox. Each row is written in the transaction of the change that caused it and holds
//! the webhook envelope exactly as it will be delivered: `{event_id, type, created_at, data}`.

use serde_json::Value;
use sqlx::{AssertSqlSafe, Row};

use crate::{Result, Store, Tx, corrupt, now};

/// Sent to one endpoint on request, never fanned out to subscribers.
pub const TEST_EVENT: &str = "webhooks.test";

/// A stored event: its envelope, plus what lists and workers filter on.
#[derive(Debug, Clone)]
pub struct Event {
    pub id: String,
    pub workspace_id: String,
    pub event_type: String,
    pub application_id: Option<String>,
    pub created_at: String,
    /// The envelope as delivered.
    pub envelope: Value,
}

/// Filters of `GET /api/events`; the list is newest first.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub event_type: Option<String>,
    pub application_id: Option<String>,
    /// Only events older than this id (the cursor).
    pub before_id: Option<String>,
    pub limit: i64,
}

impl Tx {
    /// Writes an event and its deliveries to the subscribed endpoints; `object` is the full current
    /// object (application, collect, document…). Returns the event's id.
    pub async fn emit(
        &mut self,
        workspace_id: &str,
        event_type: &str,
        application_id: Option<&str>,
        object: &Value,
    ) -> Result<String> {
        self.emit_json(
            workspace_id,
            event_type,
            application_id,
            &object.to_string(),
        )
        .await
    }

    /// [`Tx::emit`] for an object already serialised (a case is large: building the envelope around
    /// its text saves copying and re-serialising it). Returns the event's id.
    pub async fn emit_json(
        &mut self,
        workspace_id: &str,
        event_type: &str,
        application_id: Option<&str>,
        object_json: &str,
    ) -> Result<String> {
        let id = dossier_domain::id::new_id("evt");
        let created_at = now();
        let text = |s: &str| Value::from(s).to_string();
        let application = application_id
            .map(|a| format!(",\"application_id\":{}", text(a)))
            .unwrap_or_default();
        let envelope = format!(
            "{{\"event_id\":{},\"type\":{},\"created_at\":{},\"data\":{{\"object\":{object_json}{application}}}}}",
            text(&id),
            text(event_type),
            text(&created_at),
        );
        sqlx::query(
            "INSERT INTO events (id, workspace_id, type, application_id, created_at, payload) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(workspace_id)
        .bind(event_type)
        .bind(application_id)
        .bind(&created_at)
        .bind(&envelope)
        .execute(self.conn().await?)
        .await?;
        if event_type != TEST_EVENT {
            self.fan_out(workspace_id, &id, event_type).await?;
        }
        // On PostgreSQL the row's trigger (migration 0009) sends `NOTIFY dossier_events`, delivered
        // to every LISTENing process when (and only if) the transaction commits.
        self.mark_event_written();
        Ok(id)
    }
}

impl Store {
    pub async fn events(&self, workspace_id: &str, filter: &EventFilter) -> Result<Vec<Event>> {
        let mut sql = String::from(
            "SELECT id, workspace_id, type, application_id, created_at, payload FROM events WHERE workspace_id = $1",
        );
        let mut n = 1;
        let mut binds: Vec<&str> = Vec::new();
        for (column, value) in [
            ("type = ", &filter.event_type),
            ("application_id = ", &filter.application_id),
            ("id < ", &filter.before_id),
        ] {
            if let Some(v) = value {
                n += 1;
                sql.push_str(&format!(" AND {column}${n}"));
                binds.push(v);
            }
        }
        sql.push_str(&format!(" ORDER BY id DESC LIMIT ${}", n + 1));
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(workspace_id);
        for b in binds {
            q = q.bind(b);
        }
        let rows = q.bind(filter.limit).fetch_all(self.reader()).await?;
        rows.into_iter()
            .map(|r| {
                let payload: String = r.get(5);
                Ok(Event {
                    id: r.get(0),
                    workspace_id: r.get(1),
                    event_type: r.get(2),
                    application_id: r.get(3),
                    created_at: r.get(4),
                    envelope: serde_json::from_str(&payload)
                        .map_err(|e| corrupt("event payload", e))?,
                })
            })
            .collect()
    }
}
