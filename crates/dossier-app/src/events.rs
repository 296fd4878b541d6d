//! The event log, for polling integrations.

use dossier_store::EventFilter;
use serde_json::Value;

use crate::error::AppResult;
use crate::{App, Principal, fetch_limit, paginate};

impl App {
    /// One page of events, newest first; each item is the webhook envelope
    /// `{event_id, type, created_at, data}`.
    pub async fn events(
        &self,
        p: &Principal,
        event_type: Option<String>,
        application_id: Option<String>,
        cursor: Option<String>,
        limit: Option<i64>,
    ) -> AppResult<Value> {
        let fetch = fetch_limit(limit)?;
        crate::cursor(cursor.as_deref(), "evt")?;
        let filter = EventFilter {
            event_type,
            application_id,
            before_id: cursor,
            limit: fetch,
        };
        let events = self.store.events(p.ws(), &filter).await?;
        let envelopes: Vec<Value> = events.into_iter().map(|e| e.envelope).collect();
        Ok(paginate(envelopes, fetch, |e| {
            e["event_id"].as_str().unwrap_or_default().to_string()
        }))
    }
}
