//! A write transaction. The change, the event rows it causes and its audit entries are written through
//! the same `Tx` and so commit together: an event exists exactly when its change does.
//!
//! The transaction begins lazily, at its first statement: work done before that (validation, reads
//! through [`Tx::store`], the workflow evaluation) does not hold the SQLite writer or a PostgreSQL
//! connection. Audit entries are buffered and chained at commit, so the workspace's audit head is
//! locked only for the last few statements of a transaction.

use sqlx::{Any, AnyConnection, Transaction};

use crate::audit::PendingAudit;
use crate::{Backend, Result, Store};

pub struct Tx {
    store: Store,
    inner: Option<Transaction<'static, Any>>,
    wrote_events: bool,
    pending_audit: Vec<PendingAudit>,
    /// Audit chains (workspace, chain) this transaction starts: the cases it inserts.
    pub(crate) new_audit_chains: Vec<(String, String)>,
    /// The workspace settings version this transaction's request observed (see `settings`).
    pub(crate) settings_version: Option<(String, i64)>,
    /// The newest version of each case this transaction stored: (workspace, case, version, hash).
    /// Its audit entries of that case reference it (see `audit::append`).
    pub(crate) versions_written: Vec<(String, String, i64, String)>,
}

impl Tx {
    pub(crate) fn new(store: Store) -> Self {
        Self {
            store,
            inner: None,
            wrote_events: false,
            pending_audit: Vec::new(),
            new_audit_chains: Vec::new(),
            settings_version: None,
            versions_written: Vec::new(),
        }
    }

    /// The store, for reads that need not see this transaction's writes nor lock anything (they go
    /// through the read pool and do not begin the transaction).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The connection, for queries inside the transaction; begins it on first use.
    pub async fn conn(&mut self) -> Result<&mut AnyConnection> {
        if self.inner.is_none() {
            self.inner = Some(self.store.begin_now().await?);
        }
        Ok(self.inner.as_mut().expect("begun above"))
    }

    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    pub(crate) fn mark_event_written(&mut self) {
        self.wrote_events = true;
    }

    pub(crate) fn push_audit(&mut self, entry: PendingAudit) {
        self.pending_audit.push(entry);
    }

    /// Chains the buffered audit entries, commits; then wakes this process's event workers if events
    /// were written (other processes learn of them through PostgreSQL `NOTIFY`, sent inside the
    /// transaction and delivered on commit). A transaction that wrote nothing commits nothing.
    pub async fn commit(mut self) -> Result<()> {
        let pending = std::mem::take(&mut self.pending_audit);
        if !pending.is_empty() {
            crate::audit::append(&mut self, pending).await?;
        }
        let Some(inner) = self.inner.take() else {
            return Ok(());
        };
        inner.commit().await?;
        if self.wrote_events {
            self.store.events_committed.notify_one();
        }
        Ok(())
    }

    pub async fn rollback(mut self) -> Result<()> {
        if let Some(inner) = self.inner.take() {
            inner.rollback().await?;
        }
        Ok(())
    }
}
