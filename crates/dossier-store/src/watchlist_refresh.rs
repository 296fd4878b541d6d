//! Scheduled watchlist refresh state and snapshot pruning.
//!
//! `watchlist_refresh` holds one row per configured source: when it was last checked, how many
//! attempts failed since, and a lease. Several `dossier serve` processes (and a `dossier watchlist
//! refresh` from cron) may look at the same source; the one that takes the lease fetches and
//! imports, the others skip it. A lease is a deadline, not a lock held by a connection, so a node
//! that crashes mid-refresh only delays the next one until its lease expires. Correctness does not
//! rest on the lease: two imports of one source still cannot both commit (`UNIQUE (source,
//! version)`), the lease only saves the duplicate work.

use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::watchlists::{SNAPSHOT_COLUMNS, snapshot_from_row};
use crate::{Result, Store, WatchlistSnapshot, now};

/// What the store remembers about one source's refreshes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WatchlistRefreshState {
    pub source: String,
    pub lease_owner: Option<String>,
    pub lease_until: Option<String>,
    pub last_attempt_at: Option<String>,
    /// The last attempt that succeeded (imported a new version or found the content unchanged).
    pub last_checked_at: Option<String>,
    /// Failed attempts since the last success.
    pub failures: i64,
    pub last_error: Option<String>,
}

const STATE_COLUMNS: &str =
    "source, lease_owner, lease_until, last_attempt_at, last_checked_at, failures, last_error";

fn state_from_row(r: &AnyRow) -> WatchlistRefreshState {
    WatchlistRefreshState {
        source: r.get(0),
        lease_owner: r.get(1),
        lease_until: r.get(2),
        last_attempt_at: r.get(3),
        last_checked_at: r.get(4),
        failures: r.get(5),
        last_error: r.get(6),
    }
}

impl Store {
    /// The refresh state of a source, if it was ever refreshed.
    pub async fn watchlist_refresh_state(
        &self,
        source: &str,
    ) -> Result<Option<WatchlistRefreshState>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {STATE_COLUMNS} FROM watchlist_refresh WHERE source = $1"
        )))
        .bind(source)
        .fetch_optional(self.reader())
        .await?;
        Ok(row.as_ref().map(state_from_row))
    }

    /// Takes the refresh lease of `source` for `owner` until `until` (a stored timestamp) when
    /// nobody holds it or the holder's lease expired; `false` when another owner holds it.
    pub async fn lease_watchlist_refresh(
        &self,
        source: &str,
        owner: &str,
        until: &str,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO watchlist_refresh (source, failures) VALUES ($1, 0) \
             ON CONFLICT (source) DO NOTHING",
        )
        .bind(source)
        .execute(tx.conn().await?)
        .await?;
        // One conditional UPDATE: on PostgreSQL the row lock makes concurrent takers queue, and
        // the second re-evaluates the condition against the first one's lease and gets 0 rows.
        // Placeholders first appear in ascending order (SQLite numbers them as it meets them).
        let taken = sqlx::query(
            "UPDATE watchlist_refresh SET lease_owner = $1, lease_until = $2 WHERE source = $3 \
             AND (lease_until IS NULL OR lease_until < $4 OR lease_owner = $1)",
        )
        .bind(owner)
        .bind(until)
        .bind(source)
        .bind(now())
        .execute(tx.conn().await?)
        .await?
        .rows_affected()
            == 1;
        tx.commit().await?;
        Ok(taken)
    }

    /// Records the end of a refresh attempt by the lease holder and releases the lease: a success
    /// (`error` is `None`) resets the failure count, a failure increments it.
    pub async fn finish_watchlist_refresh(
        &self,
        source: &str,
        owner: &str,
        error: Option<&str>,
    ) -> Result<()> {
        let at = now();
        let mut tx = self.begin().await?;
        let q = match error {
            None => sqlx::query(
                "UPDATE watchlist_refresh SET lease_owner = NULL, lease_until = NULL, \
                 last_attempt_at = $1, last_checked_at = $1, failures = 0, last_error = NULL \
                 WHERE source = $2 AND lease_owner = $3",
            )
            .bind(&at),
            Some(e) => sqlx::query(
                "UPDATE watchlist_refresh SET lease_owner = NULL, lease_until = NULL, \
                 last_attempt_at = $1, last_error = $2, failures = failures + 1 \
                 WHERE source = $3 AND lease_owner = $4",
            )
            .bind(&at)
            .bind(e),
        };
        q.bind(source).bind(owner).execute(tx.conn().await?).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Releases every refresh lease `owner` holds (at shutdown).
    pub async fn release_watchlist_refresh_leases(&self, owner: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE watchlist_refresh SET lease_owner = NULL, lease_until = NULL \
             WHERE lease_owner = $1",
        )
        .bind(owner)
        .execute(tx.conn().await?)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes the entity rows of every snapshot older than the `keep` newest versions of its
    /// source (of `source` only when given) and marks those snapshots `pruned_at`; the snapshot
    /// rows stay. Returns the snapshots pruned now, oldest first. `keep` is at least 1, so the
    /// newest version of a source is never pruned.
    pub async fn prune_watchlist_snapshots(
        &self,
        source: Option<&str>,
        keep: i64,
    ) -> Result<Vec<WatchlistSnapshot>> {
        let keep = keep.max(1);
        let at = now();
        let mut tx = self.begin().await?;
        let mut sql = format!(
            "SELECT {SNAPSHOT_COLUMNS} FROM watchlist_snapshots s WHERE pruned_at IS NULL AND \
             version <= (SELECT MAX(version) FROM watchlist_snapshots WHERE source = s.source) - $1"
        );
        if source.is_some() {
            sql.push_str(" AND source = $2");
        }
        sql.push_str(" ORDER BY source, version");
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(keep);
        if let Some(s) = source {
            q = q.bind(s);
        }
        let rows = q.fetch_all(tx.conn().await?).await?;
        let mut pruned = Vec::new();
        for row in &rows {
            let mut s = snapshot_from_row(row);
            sqlx::query("DELETE FROM watchlist_entities WHERE snapshot_id = $1")
                .bind(&s.id)
                .execute(tx.conn().await?)
                .await?;
            sqlx::query("UPDATE watchlist_snapshots SET pruned_at = $1 WHERE id = $2")
                .bind(&at)
                .bind(&s.id)
                .execute(tx.conn().await?)
                .await?;
            s.pruned_at = Some(at.clone());
            pruned.push(s);
        }
        tx.commit().await?;
        Ok(pruned)
    }
}
