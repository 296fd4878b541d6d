//! Watchlist snapshots: each import of a sanctions or PEP list source is kept as a new version, with
//! its entities stored as JSON (one row each) and its diff counts against the version before.
//!
//! Watchlists are global to the installation, not per workspace: they are public lists, imported by
//! an operator (`dossier watchlist import`), and every workspace screens against the same snapshots.
//! Old versions are kept, so a hit can always be traced to the snapshot it was found in; pruning
//! (see `watchlist_refresh.rs`) deletes only the entity rows of old versions, never the snapshot row.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use utoipa::ToSchema;

use crate::{Result, Store, Tx};

/// One import of one source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct WatchlistSnapshot {
    pub id: String,
    /// The parser kind: `ofac_sdn`, `un_sc`, `uk_hmt`, `ftm` or `senzing`.
    pub source: String,
    /// 1 for the first import of the source, then one more per import.
    pub version: i64,
    /// Where it was imported from (the path given to the import).
    pub label: String,
    pub imported_at: String,
    pub entity_count: i64,
    /// SHA-256 over the entities' keys and content hashes: equal for equal content.
    pub digest: String,
    /// The snapshot this one was diffed against (the source's previous version).
    pub previous_id: Option<String>,
    pub added: i64,
    pub removed: i64,
    pub changed: i64,
    /// When its entity rows were deleted by pruning (the row itself is kept, so references to
    /// the snapshot stay valid). Absent while its entities are stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pruned_at: Option<String>,
}

/// One entity of a snapshot, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchlistEntityRow {
    pub list: String,
    pub list_id: String,
    pub content_hash: String,
    /// The entity as JSON.
    pub data: String,
}

const INSERT_COLUMNS: &str = "id, source, version, label, imported_at, entity_count, digest, \
                              previous_id, added, removed, changed";
pub(crate) const SNAPSHOT_COLUMNS: &str = "id, source, version, label, imported_at, entity_count, \
                                digest, previous_id, added, removed, changed, pruned_at";

/// Entities per INSERT statement (6 parameters each: well under both engines' parameter limits).
const ENTITY_BATCH: usize = 500;

pub(crate) fn snapshot_from_row(r: &AnyRow) -> WatchlistSnapshot {
    WatchlistSnapshot {
        id: r.get(0),
        source: r.get(1),
        version: r.get(2),
        label: r.get(3),
        imported_at: r.get(4),
        entity_count: r.get(5),
        digest: r.get(6),
        previous_id: r.get(7),
        added: r.get(8),
        removed: r.get(9),
        changed: r.get(10),
        pruned_at: r.get(11),
    }
}

fn latest_snapshot_query(
    source: &str,
) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {SNAPSHOT_COLUMNS} FROM watchlist_snapshots WHERE source = $1 \
         ORDER BY version DESC LIMIT 1"
    )))
    .bind(source)
}

impl Tx {
    /// Stores a snapshot and its entities. `s.version` must be the source's next version: a
    /// concurrent import of the same source fails with a unique violation rather than interleave.
    pub async fn insert_watchlist_snapshot(
        &mut self,
        s: &WatchlistSnapshot,
        entities: &[WatchlistEntityRow],
    ) -> Result<()> {
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO watchlist_snapshots ({INSERT_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        )))
        .bind(&s.id)
        .bind(&s.source)
        .bind(s.version)
        .bind(&s.label)
        .bind(&s.imported_at)
        .bind(s.entity_count)
        .bind(&s.digest)
        .bind(&s.previous_id)
        .bind(s.added)
        .bind(s.removed)
        .bind(s.changed)
        .execute(self.conn().await?)
        .await
        .map_err(|e| {
            crate::conflict_on_unique(e, "another import of this source committed first; retry")
        })?;
        for (batch_no, batch) in entities.chunks(ENTITY_BATCH).enumerate() {
            let mut sql = String::from(
                "INSERT INTO watchlist_entities \
                 (snapshot_id, seq, list, list_id, content_hash, data) VALUES ",
            );
            for i in 0..batch.len() {
                let p = i * 6;
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!(
                    "(${}, ${}, ${}, ${}, ${}, ${})",
                    p + 1,
                    p + 2,
                    p + 3,
                    p + 4,
                    p + 5,
                    p + 6
                ));
            }
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for (i, e) in batch.iter().enumerate() {
                q = q
                    .bind(&s.id)
                    .bind((batch_no * ENTITY_BATCH + i) as i64)
                    .bind(&e.list)
                    .bind(&e.list_id)
                    .bind(&e.content_hash)
                    .bind(&e.data);
            }
            q.execute(self.conn().await?).await?;
        }
        Ok(())
    }

    /// The source's newest snapshot, read inside the transaction (to number the next one).
    pub async fn latest_watchlist_snapshot(
        &mut self,
        source: &str,
    ) -> Result<Option<WatchlistSnapshot>> {
        let row = latest_snapshot_query(source)
            .fetch_optional(self.conn().await?)
            .await?;
        Ok(row.as_ref().map(snapshot_from_row))
    }
}

impl Tx {
    /// Sets (`Some`) or removes (`None`) a workspace's screening threshold, in basis points;
    /// returns the one it had.
    pub async fn set_screening_threshold(
        &mut self,
        workspace_id: &str,
        threshold_bp: Option<i64>,
    ) -> Result<Option<i64>> {
        let before: Option<i64> = sqlx::query_scalar(
            "SELECT threshold_bp FROM screening_settings WHERE workspace_id = $1",
        )
        .bind(workspace_id)
        .fetch_optional(self.conn().await?)
        .await?;
        match threshold_bp {
            Some(bp) => {
                sqlx::query(
                    "INSERT INTO screening_settings (workspace_id, threshold_bp, updated_at) \
                     VALUES ($1, $2, $3) ON CONFLICT (workspace_id) DO UPDATE SET \
                     threshold_bp = excluded.threshold_bp, updated_at = excluded.updated_at",
                )
                .bind(workspace_id)
                .bind(bp)
                .bind(crate::now())
                .execute(self.conn().await?)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM screening_settings WHERE workspace_id = $1")
                    .bind(workspace_id)
                    .execute(self.conn().await?)
                    .await?;
            }
        }
        Ok(before)
    }
}

impl Store {
    /// A workspace's own screening threshold in basis points, if it set one.
    pub async fn screening_threshold(&self, workspace_id: &str) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT threshold_bp FROM screening_settings WHERE workspace_id = $1",
        )
        .bind(workspace_id)
        .fetch_optional(self.reader())
        .await?)
    }

    /// The newest snapshot of one source.
    pub async fn latest_watchlist_snapshot(
        &self,
        source: &str,
    ) -> Result<Option<WatchlistSnapshot>> {
        let row = latest_snapshot_query(source)
            .fetch_optional(self.reader())
            .await?;
        Ok(row.as_ref().map(snapshot_from_row))
    }

    /// Every snapshot, newest first.
    pub async fn watchlist_snapshots(&self) -> Result<Vec<WatchlistSnapshot>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {SNAPSHOT_COLUMNS} FROM watchlist_snapshots \
             ORDER BY imported_at DESC, source, version DESC"
        )))
        .fetch_all(self.reader())
        .await?;
        Ok(rows.iter().map(snapshot_from_row).collect())
    }

    /// The newest snapshot of every source, by source name.
    pub async fn latest_watchlist_snapshots(&self) -> Result<Vec<WatchlistSnapshot>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {SNAPSHOT_COLUMNS} FROM watchlist_snapshots s WHERE version = \
             (SELECT MAX(version) FROM watchlist_snapshots WHERE source = s.source) ORDER BY source"
        )))
        .fetch_all(self.reader())
        .await?;
        Ok(rows.iter().map(snapshot_from_row).collect())
    }

    /// The ids of the newest snapshot of every source, by source name: a cheap check of whether an
    /// in-memory index is still current.
    pub async fn latest_watchlist_snapshot_ids(&self) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM watchlist_snapshots s WHERE version = \
             (SELECT MAX(version) FROM watchlist_snapshots WHERE source = s.source) ORDER BY source",
        )
        .fetch_all(self.reader())
        .await?)
    }

    /// A snapshot's entities with their keys and content hashes, in import order (diffs compare
    /// the hashes and need to decode only the entities that changed).
    pub async fn watchlist_entity_rows(
        &self,
        snapshot_id: &str,
    ) -> Result<Vec<WatchlistEntityRow>> {
        let rows = sqlx::query(
            "SELECT list, list_id, content_hash, data FROM watchlist_entities \
             WHERE snapshot_id = $1 ORDER BY seq",
        )
        .bind(snapshot_id)
        .fetch_all(self.reader())
        .await?;
        Ok(rows
            .iter()
            .map(|r| WatchlistEntityRow {
                list: r.get(0),
                list_id: r.get(1),
                content_hash: r.get(2),
                data: r.get(3),
            })
            .collect())
    }

    /// A snapshot's entities as JSON, in import order.
    pub async fn watchlist_entities(&self, snapshot_id: &str) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT data FROM watchlist_entities WHERE snapshot_id = $1 ORDER BY seq",
        )
        .bind(snapshot_id)
        .fetch_all(self.reader())
        .await?)
    }
}
