//! Connections for the reads every request makes (its API key, `GET /api/applications/{id}`), kept
//! by the store itself instead of sqlx's pool.
//!
//! sqlx's pool tests each connection it takes back with a ping, from a task it spawns for the purpose:
//! on PostgreSQL one more round trip to the server per query, on SQLite one more hand-off to the
//! connection's thread and back. For a read that takes the database a few microseconds, that is
//! most of its cost (profiled: the key lookup and the case read were ~40% of a `GET`'s CPU, half of
//! it the release ping). The ping is there to catch a connection left half-way by a cancelled
//! query; here a connection goes back only when its query has run to the end, and is closed
//! otherwise, so it needs none. A connection idle for a while is pinged before use, as the pool does
//! (`pool_options`), since a database restart may have cut it.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use sqlx::any::{AnyArguments, AnyConnectOptions, AnyRow};
use sqlx::{Any, AnyConnection, ConnectOptions, Connection};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::{Backend, Result};

/// Past this idle time a kept connection is pinged before its next query.
const PING_IF_IDLE_FOR: Duration = Duration::from_secs(10);

pub(crate) struct FastReads {
    options: AnyConnectOptions,
    backend: Backend,
    idle: Mutex<Vec<(AnyConnection, Instant)>>,
    /// One permit per connection that may be open.
    permits: Semaphore,
}

/// A connection out of [`FastReads`], for one query; it goes back only through [`Lease::finish`].
struct Lease<'a> {
    reads: &'a FastReads,
    conn: Option<AnyConnection>,
    _permit: SemaphorePermit<'a>,
}

impl Lease<'_> {
    fn conn(&mut self) -> &mut AnyConnection {
        self.conn
            .as_mut()
            .expect("a lease holds its connection until it ends")
    }

    /// The query ran to its end: the connection is fit for the next one.
    fn finish(mut self) {
        if let Some(conn) = self.conn.take() {
            self.reads
                .idle
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((conn, Instant::now()));
        }
    }
}

impl FastReads {
    pub(crate) fn new(options: AnyConnectOptions, backend: Backend, connections: usize) -> Self {
        Self {
            options,
            backend,
            idle: Mutex::new(Vec::new()),
            permits: Semaphore::new(connections.max(1)),
        }
    }

    async fn lease(&self) -> Result<Lease<'_>> {
        let permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| sqlx::Error::PoolClosed)?;
        let kept = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match kept {
            Some((mut conn, since)) => {
                if since.elapsed() < PING_IF_IDLE_FOR || conn.ping().await.is_ok() {
                    conn
                } else {
                    self.connect().await?
                }
            }
            None => self.connect().await?,
        };
        Ok(Lease {
            reads: self,
            conn: Some(conn),
            _permit: permit,
        })
    }

    async fn connect(&self) -> Result<AnyConnection> {
        let mut conn = self.options.connect().await?;
        crate::prepare_connection(&mut conn, self.backend).await?;
        Ok(conn)
    }

    /// Closes the kept connections (a lease out now closes its own when it ends).
    pub(crate) async fn close(&self) {
        self.permits.close();
        let idle = std::mem::take(&mut *self.idle.lock().unwrap_or_else(|e| e.into_inner()));
        for (conn, _) in idle {
            let _ = conn.close().await;
        }
    }

    /// Runs a query for at most one row. A connection whose query failed (or was cancelled) is closed,
    /// not kept.
    pub(crate) async fn fetch_optional<'q>(
        &self,
        query: sqlx::query::Query<'q, Any, AnyArguments>,
    ) -> Result<Option<AnyRow>> {
        let mut lease = self.lease().await?;
        let row = query.fetch_optional(lease.conn()).await?;
        lease.finish();
        Ok(row)
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn idle(reads: &FastReads) -> usize {
        reads.idle.lock().unwrap().len()
    }

    #[tokio::test]
    async fn a_connection_is_kept_only_after_a_query_that_ran_to_its_end() {
        sqlx::any::install_default_drivers();
        let path = std::env::temp_dir().join(format!(
            "dossier-fast-reads-{}.db",
            dossier_domain::id::new_id("t")
        ));
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let reads = FastReads::new(
            AnyConnectOptions::from_str(&url).unwrap(),
            Backend::Sqlite,
            2,
        );
        let row = reads.fetch_optional(sqlx::query("SELECT 1")).await.unwrap();
        assert!(row.is_some());
        assert_eq!(
            idle(&reads),
            1,
            "a connection whose query succeeded is kept"
        );
        // The kept one is reused, not joined by a second.
        reads.fetch_optional(sqlx::query("SELECT 1")).await.unwrap();
        assert_eq!(idle(&reads), 1);

        let failed = reads
            .fetch_optional(sqlx::query("SELECT * FROM no_such_table"))
            .await;
        assert!(failed.is_err());
        assert_eq!(idle(&reads), 0, "a connection whose query failed is closed");

        // A cancelled query: its connection is not put back either.
        let slow = reads.fetch_optional(sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000000) \
             SELECT count(*) FROM n",
        ));
        let cancelled = tokio::time::timeout(std::time::Duration::from_millis(1), slow).await;
        assert!(cancelled.is_err(), "the query was not cancelled");
        assert_eq!(idle(&reads), 0);
        // And reads go on, on a new connection.
        assert!(
            reads
                .fetch_optional(sqlx::query("SELECT 1"))
                .await
                .unwrap()
                .is_some()
        );
        reads.close().await;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
