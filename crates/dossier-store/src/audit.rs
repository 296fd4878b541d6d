//! The audit trail: append-only, one hash chain per workspace. Each entry's hash covers its content and
//! the previous entry's hash; the workspace's head row holds the last sequence number and hash, and is
//! updated in the same transaction (on PostgreSQL its row lock orders concurrent writers).

use dossier_domain::audit::{Actor, ChainedFields, Change, GENESIS_HASH, entry_hash};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use utoipa::ToSchema;

use crate::{Result, Store, Tx, corrupt, now};

/// One audit entry as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: String,
    pub seq: i64,
    pub at: String,
    pub actor: Actor,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub application_id: Option<String>,
    pub changes: Vec<Change>,
    pub prev_hash: String,
    pub hash: String,
}

/// Where verification found the chain broken.
#[derive(Debug, Clone, Serialize)]
pub struct ChainBreak {
    pub workspace_id: String,
    pub seq: i64,
    pub entry_id: Option<String>,
    pub reason: String,
}

const COLUMNS: &str = "id, workspace_id, seq, at, actor_kind, actor_id, action, object_type, object_id, \
                       application_id, changes, prev_hash, hash";

struct Raw {
    id: String,
    workspace_id: String,
    seq: i64,
    at: String,
    actor_kind: String,
    actor_id: String,
    action: String,
    object_type: String,
    object_id: String,
    application_id: Option<String>,
    changes: String,
    prev_hash: String,
    hash: String,
}

impl Raw {
    fn from_row(r: &AnyRow) -> Self {
        Raw {
            id: r.get(0),
            workspace_id: r.get(1),
            seq: r.get(2),
            at: r.get(3),
            actor_kind: r.get(4),
            actor_id: r.get(5),
            action: r.get(6),
            object_type: r.get(7),
            object_id: r.get(8),
            application_id: r.get(9),
            changes: r.get(10),
            prev_hash: r.get(11),
            hash: r.get(12),
        }
    }

    fn fields(&self) -> ChainedFields<'_> {
        ChainedFields {
            workspace_id: &self.workspace_id,
            seq: self.seq,
            id: &self.id,
            at: &self.at,
            actor_kind: &self.actor_kind,
            actor_id: &self.actor_id,
            action: &self.action,
            object_type: &self.object_type,
            object_id: &self.object_id,
            application_id: self.application_id.as_deref(),
            changes: &self.changes,
            prev_hash: &self.prev_hash,
        }
    }

    fn into_entry(self) -> Result<AuditEntry> {
        Ok(AuditEntry {
            changes: serde_json::from_str(&self.changes)
                .map_err(|e| corrupt("audit changes", e))?,
            id: self.id,
            seq: self.seq,
            at: self.at,
            actor: Actor {
                kind: self.actor_kind,
                id: self.actor_id,
            },
            action: self.action,
            object_type: self.object_type,
            object_id: self.object_id,
            application_id: self.application_id,
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }
}

impl Tx {
    /// Appends an entry to the workspace's chain.
    #[allow(clippy::too_many_arguments)]
    pub async fn audit(
        &mut self,
        workspace_id: &str,
        actor: &Actor,
        action: &str,
        object_type: &str,
        object_id: &str,
        application_id: Option<&str>,
        changes: &[Change],
    ) -> Result<()> {
        let head = sqlx::query(
            "UPDATE audit_heads SET seq = seq + 1 WHERE workspace_id = $1 RETURNING seq, hash",
        )
        .bind(workspace_id)
        .fetch_one(self.conn())
        .await?;
        let seq: i64 = head.get(0);
        let prev_hash: String = head.get(1);
        let raw = Raw {
            id: dossier_domain::id::new_id("aud"),
            workspace_id: workspace_id.to_string(),
            seq,
            at: now(),
            actor_kind: actor.kind.clone(),
            actor_id: actor.id.clone(),
            action: action.to_string(),
            object_type: object_type.to_string(),
            object_id: object_id.to_string(),
            application_id: application_id.map(str::to_string),
            changes: serde_json::to_string(changes).expect("changes serialise"),
            prev_hash,
            hash: String::new(),
        };
        let hash = entry_hash(&raw.fields());
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO audit_entries ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        )))
        .bind(&raw.id)
        .bind(&raw.workspace_id)
        .bind(raw.seq)
        .bind(&raw.at)
        .bind(&raw.actor_kind)
        .bind(&raw.actor_id)
        .bind(&raw.action)
        .bind(&raw.object_type)
        .bind(&raw.object_id)
        .bind(&raw.application_id)
        .bind(&raw.changes)
        .bind(&raw.prev_hash)
        .bind(&hash)
        .execute(self.conn())
        .await?;
        sqlx::query("UPDATE audit_heads SET hash = $1 WHERE workspace_id = $2")
            .bind(&hash)
            .bind(workspace_id)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}

impl Store {
    /// A case's audit entries, newest first, paged by sequence number.
    pub async fn application_activity(
        &self,
        workspace_id: &str,
        application_id: &str,
        before_seq: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM audit_entries WHERE workspace_id = $1 AND application_id = $2 \
             AND seq < $3 ORDER BY seq DESC LIMIT $4"
        )))
        .bind(workspace_id)
        .bind(application_id)
        .bind(before_seq.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(|r| Raw::from_row(r).into_entry()).collect()
    }

    /// Walks every workspace's chain and returns the first break, if any.
    pub async fn verify_audit(&self) -> Result<Option<ChainBreak>> {
        for ws in self.workspaces().await? {
            if let Some(b) = self.verify_workspace_chain(&ws.id).await? {
                return Ok(Some(b));
            }
        }
        Ok(None)
    }

    /// Returns how many entries were checked in all, for reporting.
    pub async fn audit_entry_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM audit_entries")
            .fetch_one(self.reader())
            .await?)
    }

    async fn verify_workspace_chain(&self, workspace_id: &str) -> Result<Option<ChainBreak>> {
        let broken = |seq: i64, id: Option<&str>, reason: String| {
            Ok(Some(ChainBreak {
                workspace_id: workspace_id.to_string(),
                seq,
                entry_id: id.map(str::to_string),
                reason,
            }))
        };
        let mut expected_seq = 1;
        let mut prev = GENESIS_HASH.to_string();
        loop {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM audit_entries WHERE workspace_id = $1 AND seq >= $2 ORDER BY seq LIMIT 1000"
            )))
            .bind(workspace_id)
            .bind(expected_seq)
            .fetch_all(self.reader())
            .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let raw = Raw::from_row(row);
                if raw.seq != expected_seq {
                    return broken(
                        expected_seq,
                        None,
                        format!("entry {expected_seq} is missing"),
                    );
                }
                if raw.prev_hash != prev {
                    return broken(
                        raw.seq,
                        Some(&raw.id),
                        "does not link to the previous entry".into(),
                    );
                }
                if entry_hash(&raw.fields()) != raw.hash {
                    return broken(
                        raw.seq,
                        Some(&raw.id),
                        "its content does not match its hash".into(),
                    );
                }
                prev = raw.hash;
                expected_seq += 1;
            }
        }
        let head = sqlx::query("SELECT seq, hash FROM audit_heads WHERE workspace_id = $1")
            .bind(workspace_id)
            .fetch_optional(self.reader())
            .await?;
        if let Some(head) = head {
            let (seq, hash): (i64, String) = (head.get(0), head.get(1));
            if seq != expected_seq - 1 || hash != prev {
                return broken(
                    expected_seq,
                    None,
                    format!(
                        "the chain ends at entry {} but its head says {seq}",
                        expected_seq - 1
                    ),
                );
            }
        }
        Ok(None)
    }
}
