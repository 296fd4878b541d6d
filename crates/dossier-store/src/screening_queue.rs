//! The screening queue: cases whose `screening` task waits for a full screening (new case, or its
//! parties' names, birth dates, countries or types changed). Written in the change's transaction,
//! deleted by the worker in the transaction that records the result — nothing is lost to a crash.
//! Also the page-wise scan of the cases an import re-screens.

use sqlx::Row;

use crate::{Result, Store, Tx, now};

/// A queued screening.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedScreening {
    pub workspace_id: String,
    pub application_id: String,
    /// The screening task's input fingerprint when it was queued.
    pub fingerprint: String,
    pub attempts: i64,
}

/// A case as stored, with its workspace (for scans across workspaces).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCase {
    pub workspace_id: String,
    pub id: String,
    /// The case JSON.
    pub data: String,
}

impl Tx {
    /// Queues (or re-queues, for new inputs) a case's screening.
    pub async fn enqueue_screening(
        &mut self,
        workspace_id: &str,
        application_id: &str,
        fingerprint: &str,
    ) -> Result<()> {
        let at = now();
        sqlx::query(
            "INSERT INTO screening_queue (workspace_id, application_id, fingerprint, enqueued_at, \
             not_before, attempts) VALUES ($1, $2, $3, $4, $4, 0) \
             ON CONFLICT (workspace_id, application_id) DO UPDATE SET \
             fingerprint = excluded.fingerprint, enqueued_at = excluded.enqueued_at, \
             not_before = excluded.not_before, attempts = 0",
        )
        .bind(workspace_id)
        .bind(application_id)
        .bind(fingerprint)
        .bind(&at)
        .execute(self.conn().await?)
        .await?;
        Ok(())
    }

    /// Removes the case's queue row if it is still for `fingerprint` (a newer change re-queued it
    /// otherwise, and that screening is still to do).
    pub async fn dequeue_screening(
        &mut self,
        workspace_id: &str,
        application_id: &str,
        fingerprint: &str,
    ) -> Result<()> {
        sqlx::query(
            "DELETE FROM screening_queue WHERE workspace_id = $1 AND application_id = $2 \
             AND fingerprint = $3",
        )
        .bind(workspace_id)
        .bind(application_id)
        .bind(fingerprint)
        .execute(self.conn().await?)
        .await?;
        Ok(())
    }
}

impl Store {
    /// Queued screenings that are due, oldest first.
    pub async fn due_screenings(&self, limit: i64) -> Result<Vec<QueuedScreening>> {
        let rows = sqlx::query(
            "SELECT workspace_id, application_id, fingerprint, attempts FROM screening_queue \
             WHERE not_before <= $1 ORDER BY not_before, application_id LIMIT $2",
        )
        .bind(now())
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        Ok(rows
            .iter()
            .map(|r| QueuedScreening {
                workspace_id: r.get(0),
                application_id: r.get(1),
                fingerprint: r.get(2),
                attempts: r.get(3),
            })
            .collect())
    }

    /// Puts a screening that failed off until `not_before` (a stored timestamp).
    pub async fn postpone_screening(&self, q: &QueuedScreening, not_before: &str) -> Result<()> {
        sqlx::query(
            "UPDATE screening_queue SET not_before = $1, attempts = attempts + 1 \
             WHERE workspace_id = $2 AND application_id = $3 AND fingerprint = $4",
        )
        .bind(not_before)
        .bind(&q.workspace_id)
        .bind(&q.application_id)
        .bind(&q.fingerprint)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Cases of every workspace not rejected, by id after `after` (a page of the re-screen scan).
    pub async fn active_cases(&self, after: &str, limit: i64) -> Result<Vec<StoredCase>> {
        let rows = sqlx::query(
            "SELECT a.workspace_id, a.id, v.encoding, v.data FROM applications a \
             JOIN application_versions v ON v.workspace_id = a.workspace_id AND v.application_id = a.id \
             AND v.version = a.version \
             WHERE a.status_review <> 'rejected' AND a.id > $1 ORDER BY a.id LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredCase {
                    workspace_id: r.get(0),
                    id: r.get(1),
                    data: crate::versions::decode_columns(r, 2)?,
                })
            })
            .collect()
    }
}
