//! A write transaction. The change, the event rows it causes and its audit entries are written through
//! the same `Tx` and so commit together: an event exists exactly when its change does.

use std::sync::Arc;

use sqlx::{Any, AnyConnection, Transaction};
use tokio::sync::Notify;

use crate::{Backend, Result};

pub struct Tx {
    inner: Transaction<'static, Any>,
    backend: Backend,
    wrote_events: bool,
    on_events: Option<Arc<Notify>>,
}

impl Tx {
    pub(crate) fn new(
        inner: Transaction<'static, Any>,
        backend: Backend,
        on_events: Option<Arc<Notify>>,
    ) -> Self {
        Self {
            inner,
            backend,
            wrote_events: false,
            on_events,
        }
    }

    /// The connection, for queries inside the transaction.
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.inner
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn mark_event_written(&mut self) {
        self.wrote_events = true;
    }

    /// Commits; then wakes this process's event workers if events were written (other processes learn
    /// of them through PostgreSQL `NOTIFY`, sent inside the transaction and delivered on commit).
    pub async fn commit(self) -> Result<()> {
        self.inner.commit().await?;
        if self.wrote_events
            && let Some(n) = &self.on_events
        {
            n.notify_one();
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<()> {
        self.inner.rollback().await?;
        Ok(())
    }
}
