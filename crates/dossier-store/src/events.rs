//! Events: the outbox. Each row is written in the transaction of the change that caused it. An event
//! of a case holds its type, ids and the case version it announces (`version`), and its envelope is
//! rendered from that version when listed or delivered; other events (documents, screening hits, the
//! test event, and every event written before migration 0012) hold their envelope inline
//! (`payload`). Either way the envelope is `{event_id, type, created_at, data: {object,
//! application_id}}`, byte for byte as it was built before events were stored by reference.

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

    /// [`Tx::emit`] for an object already serialised, stored inline. Returns the event's id.
    pub async fn emit_json(
        &mut self,
        workspace_id: &str,
        event_type: &str,
        application_id: Option<&str>,
        object_json: &str,
    ) -> Result<String> {
        let id = dossier_domain::id::new_id("evt");
        let created_at = now();
        let envelope = envelope(&id, event_type, &created_at, object_json, application_id);
        self.insert_event(
            &id,
            workspace_id,
            event_type,
            application_id,
            &created_at,
            &envelope,
            None,
        )
        .await?;
        Ok(id)
    }

    /// An event of a case announcing its `version` (stored by this transaction): the row holds the
    /// reference, and the envelope's object is that version when the event is listed or delivered.
    /// Returns the event's id.
    pub async fn emit_version(
        &mut self,
        workspace_id: &str,
        event_type: &str,
        application_id: &str,
        version: i64,
    ) -> Result<String> {
        let id = dossier_domain::id::new_id("evt");
        let created_at = now();
        self.insert_event(
            &id,
            workspace_id,
            event_type,
            Some(application_id),
            &created_at,
            "",
            Some(version),
        )
        .await?;
        Ok(id)
    }

    #[allow(clippy::too_many_arguments)]
    async fn insert_event(
        &mut self,
        id: &str,
        workspace_id: &str,
        event_type: &str,
        application_id: Option<&str>,
        created_at: &str,
        payload: &str,
        version: Option<i64>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO events (id, workspace_id, type, application_id, created_at, payload, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(workspace_id)
        .bind(event_type)
        .bind(application_id)
        .bind(created_at)
        .bind(payload)
        .bind(version)
        .execute(self.conn().await?)
        .await?;
        if event_type != TEST_EVENT {
            self.fan_out(workspace_id, id, event_type).await?;
        }
        // On PostgreSQL the row's trigger (migration 0009) sends `NOTIFY dossier_events`, delivered
        // to every LISTENing process when (and only if) the transaction commits.
        self.mark_event_written();
        Ok(())
    }
}

/// The webhook envelope around an object's JSON text.
fn envelope(
    id: &str,
    event_type: &str,
    created_at: &str,
    object_json: &str,
    application_id: Option<&str>,
) -> String {
    let text = |s: &str| Value::from(s).to_string();
    let application = application_id
        .map(|a| format!(",\"application_id\":{}", text(a)))
        .unwrap_or_default();
    format!(
        "{{\"event_id\":{},\"type\":{},\"created_at\":{},\"data\":{{\"object\":{object_json}{application}}}}}",
        text(id),
        text(event_type),
        text(created_at),
    )
}

/// The columns an event's envelope is rendered from, for [`render_envelope`]: the event `ev`, and
/// the version `ver` it announces (LEFT JOINed: see [`VERSION_JOIN`]).
pub(crate) const ENVELOPE_COLUMNS: &str = "ev.id, ev.type, ev.created_at, ev.application_id, ev.payload, ev.version, ver.encoding, ver.data";
pub(crate) const VERSION_JOIN: &str = "LEFT JOIN application_versions ver ON ver.workspace_id = ev.workspace_id \
     AND ver.application_id = ev.application_id AND ver.version = ev.version";

/// The envelope of an event read with [`ENVELOPE_COLUMNS`] at `offset`: inline, or rendered from the
/// version it announces — or, should that version be gone, around
/// `{"id", "version", "retained": false}`.
pub(crate) fn render_envelope(r: &sqlx::any::AnyRow, offset: usize) -> Result<String> {
    let payload: String = r.get(offset + 4);
    let version: Option<i64> = r.get(offset + 5);
    let Some(version) = version else {
        return Ok(payload);
    };
    let id: String = r.get(offset);
    let event_type: String = r.get(offset + 1);
    let created_at: String = r.get(offset + 2);
    let application_id: Option<String> = r.get(offset + 3);
    let application_id = application_id.unwrap_or_default();
    let encoding: Option<String> = r.get(offset + 6);
    let object = match encoding {
        Some(_) => crate::versions::decode_columns(r, offset + 6)?,
        None => crate::versions::retained_stub(&application_id, version),
    };
    Ok(envelope(
        &id,
        &event_type,
        &created_at,
        &object,
        Some(&application_id),
    ))
}

impl Store {
    pub async fn events(&self, workspace_id: &str, filter: &EventFilter) -> Result<Vec<Event>> {
        let mut sql = format!(
            "SELECT ev.workspace_id, {ENVELOPE_COLUMNS} FROM events ev {VERSION_JOIN} WHERE ev.workspace_id = $1",
        );
        let mut n = 1;
        let mut binds: Vec<&str> = Vec::new();
        for (column, value) in [
            ("ev.type = ", &filter.event_type),
            ("ev.application_id = ", &filter.application_id),
            ("ev.id < ", &filter.before_id),
        ] {
            if let Some(v) = value {
                n += 1;
                sql.push_str(&format!(" AND {column}${n}"));
                binds.push(v);
            }
        }
        sql.push_str(&format!(" ORDER BY ev.id DESC LIMIT ${}", n + 1));
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(workspace_id);
        for b in binds {
            q = q.bind(b);
        }
        let rows = q.bind(filter.limit).fetch_all(self.reader()).await?;
        rows.into_iter()
            .map(|r| {
                let payload = render_envelope(&r, 1)?;
                Ok(Event {
                    workspace_id: r.get(0),
                    id: r.get(1),
                    event_type: r.get(2),
                    created_at: r.get(3),
                    application_id: r.get(4),
                    envelope: serde_json::from_str(&payload)
                        .map_err(|e| corrupt("event payload", e))?,
                })
            })
            .collect()
    }
}
