//! The audit trail: append-only hash chains. Each case has its own chain (its `application_id`), and
//! the workspace one more for changes that concern no case (API keys, webhooks, custom fields,
//! templates); entries written before chains were per case stay in the workspace chain. Each entry's
//! hash covers its content and the previous entry's hash; the chain's head row holds the last sequence
//! number and hash and is updated in the same transaction, at commit (on PostgreSQL its row lock orders
//! concurrent writers of one chain — and only of one chain, so creates of different cases never wait
//! for each other).

use std::collections::{HashMap, HashSet};

use dossier_domain::access::Role;
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
    /// The case version this entry's change produced (`GET /api/applications/{id}/versions/{n}`);
    /// absent on entries of no case and on entries written before cases had versions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    pub prev_hash: String,
    pub hash: String,
}

/// Where verification found a chain broken.
#[derive(Debug, Clone, Serialize)]
pub struct ChainBreak {
    pub workspace_id: String,
    /// The case whose chain is broken; empty for the workspace chain.
    pub chain: String,
    pub seq: i64,
    pub entry_id: Option<String>,
    pub reason: String,
}

const COLUMNS: &str = "id, workspace_id, seq, at, actor_kind, actor_id, action, object_type, object_id, \
                       application_id, changes, prev_hash, hash, chain, actor_role, version, version_hash";
const COLUMN_COUNT: usize = 17;

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
    chain: String,
    /// NULL on entries written before roles were recorded (their hash does not cover one).
    actor_role: Option<String>,
    /// The case version the entry's transaction stored, and its hash (covered by the entry's hash);
    /// NULL on entries of no case and on entries written before versions.
    version: Option<i64>,
    version_hash: Option<String>,
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
            chain: r.get(13),
            actor_role: r.get(14),
            version: r.get(15),
            version_hash: r.get(16),
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
            actor_role: self.actor_role.as_deref(),
            action: &self.action,
            object_type: &self.object_type,
            object_id: &self.object_id,
            application_id: self.application_id.as_deref(),
            changes: &self.changes,
            prev_hash: &self.prev_hash,
            version_hash: self.version_hash.as_deref(),
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
                role: self
                    .actor_role
                    .as_deref()
                    .and_then(Role::parse)
                    .unwrap_or_default(),
                kind: self.actor_kind,
                id: self.actor_id,
            },
            action: self.action,
            object_type: self.object_type,
            object_id: self.object_id,
            application_id: self.application_id,
            version: self.version,
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }
}

/// An audit entry written by a change, waiting for the commit to be chained.
pub(crate) struct PendingAudit(Raw);

impl Tx {
    /// Adds an entry to the workspace's chain; it is linked and written when the transaction commits.
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
        let changes = serde_json::to_string(changes).expect("changes serialise");
        self.audit_json(
            workspace_id,
            actor,
            action,
            object_type,
            object_id,
            application_id,
            changes,
        )
        .await
    }

    /// [`Tx::audit`] with the changes already serialised (as a list of [`Change`]).
    #[allow(clippy::too_many_arguments)]
    pub async fn audit_json(
        &mut self,
        workspace_id: &str,
        actor: &Actor,
        action: &str,
        object_type: &str,
        object_id: &str,
        application_id: Option<&str>,
        changes: String,
    ) -> Result<()> {
        self.push_audit(PendingAudit(Raw {
            id: dossier_domain::id::new_id("aud"),
            workspace_id: workspace_id.to_string(),
            seq: 0,
            at: now(),
            actor_kind: actor.kind.clone(),
            actor_id: actor.id.clone(),
            action: action.to_string(),
            object_type: object_type.to_string(),
            object_id: object_id.to_string(),
            application_id: application_id.map(str::to_string),
            changes,
            prev_hash: String::new(),
            hash: String::new(),
            chain: application_id.unwrap_or_default().to_string(),
            actor_role: Some(actor.role.as_str().to_string()),
            version: None,
            version_hash: None,
        }));
        Ok(())
    }
}

/// Links the entries into their chains and writes them. Per existing chain, one statement reserves
/// the sequence numbers (and, on PostgreSQL, locks the head row until commit), one inserts the
/// entries, one stores the new head hash. A chain this transaction starts (a case it inserts) links
/// from the genesis hash, so its head is inserted whole, with no read: two statements. Should such a
/// head exist after all, that insert fails and the transaction with it.
pub(crate) async fn append(tx: &mut Tx, pending: Vec<PendingAudit>) -> Result<()> {
    let mut by_chain: Vec<(String, String, Vec<Raw>)> = Vec::new();
    for PendingAudit(mut raw) in pending {
        // An entry of a case references the newest version of it this transaction stored.
        if let Some(application_id) = &raw.application_id
            && let Some((_, _, version, hash)) = tx
                .versions_written
                .iter()
                .find(|(ws, app, _, _)| *ws == raw.workspace_id && app == application_id)
        {
            raw.version = Some(*version);
            raw.version_hash = Some(hash.clone());
        }
        match by_chain
            .iter_mut()
            .find(|(ws, chain, _)| *ws == raw.workspace_id && *chain == raw.chain)
        {
            Some((_, _, entries)) => entries.push(raw),
            None => by_chain.push((raw.workspace_id.clone(), raw.chain.clone(), vec![raw])),
        }
    }
    for (workspace_id, chain, mut entries) in by_chain {
        let n = entries.len() as i64;
        let starts = tx
            .new_audit_chains
            .iter()
            .any(|(ws, c)| *ws == workspace_id && *c == chain);
        let (last_seq, mut prev_hash) = if starts {
            (n, GENESIS_HASH.to_string())
        } else {
            // A chain's first entry links from the genesis hash.
            let head = sqlx::query(
                "INSERT INTO audit_heads (workspace_id, chain, seq, hash) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (workspace_id, chain) DO UPDATE SET seq = audit_heads.seq + excluded.seq \
                 RETURNING seq, hash",
            )
            .bind(&workspace_id)
            .bind(&chain)
            .bind(n)
            .bind(GENESIS_HASH)
            .fetch_one(tx.conn().await?)
            .await?;
            (head.get::<i64, _>(0), head.get::<String, _>(1))
        };
        for (i, raw) in entries.iter_mut().enumerate() {
            raw.seq = last_seq - n + 1 + i as i64;
            raw.prev_hash = std::mem::take(&mut prev_hash);
            raw.hash = entry_hash(&raw.fields());
            prev_hash = raw.hash.clone();
        }
        if starts {
            sqlx::query(
                "INSERT INTO audit_heads (workspace_id, chain, seq, hash) VALUES ($1, $2, $3, $4)",
            )
            .bind(&workspace_id)
            .bind(&chain)
            .bind(n)
            .bind(&prev_hash)
            .execute(tx.conn().await?)
            .await?;
        }
        // Several rows per statement, within SQLite's limit on bound parameters.
        for chunk in entries.chunks(400) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let p: Vec<String> = (1..=COLUMN_COUNT)
                        .map(|c| format!("${}", i * COLUMN_COUNT + c))
                        .collect();
                    format!("({})", p.join(", "))
                })
                .collect();
            let sql = format!(
                "INSERT INTO audit_entries ({COLUMNS}) VALUES {}",
                rows.join(", ")
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for raw in chunk {
                q = q
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
                    .bind(&raw.hash)
                    .bind(&raw.chain)
                    .bind(&raw.actor_role)
                    .bind(raw.version)
                    .bind(&raw.version_hash);
            }
            q.execute(tx.conn().await?).await?;
        }
        if !starts {
            sqlx::query("UPDATE audit_heads SET hash = $1 WHERE workspace_id = $2 AND chain = $3")
                .bind(&prev_hash)
                .bind(&workspace_id)
                .bind(&chain)
                .execute(tx.conn().await?)
                .await?;
        }
    }
    Ok(())
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

    /// Walks every workspace's chain and returns the first break, if any. Also recomputes the hash of
    /// every stored case version: a version whose text does not match its hash, or whose hash is not
    /// the one its audit entry recorded, breaks the case's chain.
    pub async fn verify_audit(&self) -> Result<Option<ChainBreak>> {
        for ws in self.workspaces().await? {
            if let Some(b) = self.verify_workspace_audit(&ws.id).await? {
                return Ok(Some(b));
            }
        }
        Ok(None)
    }

    /// [`Store::verify_audit`] for one workspace: its chains, and its cases' stored versions.
    pub async fn verify_workspace_audit(&self, workspace_id: &str) -> Result<Option<ChainBreak>> {
        if let Some(b) = self.verify_workspace_chain(workspace_id).await? {
            return Ok(Some(b));
        }
        if let Some((application_id, version)) = self.first_altered_version(workspace_id).await? {
            return Ok(Some(ChainBreak {
                workspace_id: workspace_id.to_string(),
                chain: application_id,
                seq: 0,
                entry_id: None,
                reason: format!("version {version} does not match its hash"),
            }));
        }
        Ok(None)
    }

    /// How many audit entries one workspace has.
    pub async fn workspace_audit_entry_count(&self, workspace_id: &str) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_entries WHERE workspace_id = $1")
                .bind(workspace_id)
                .fetch_one(self.reader())
                .await?,
        )
    }

    /// Returns how many entries were checked in all, for reporting.
    pub async fn audit_entry_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM audit_entries")
            .fetch_one(self.reader())
            .await?)
    }

    /// Walks every chain of the workspace in one pass over its entries, ordered by chain and
    /// sequence, and checks each chain's end against its head.
    async fn verify_workspace_chain(&self, workspace_id: &str) -> Result<Option<ChainBreak>> {
        let broken = |chain: &str, seq: i64, id: Option<&str>, reason: String| {
            Ok(Some(ChainBreak {
                workspace_id: workspace_id.to_string(),
                chain: chain.to_string(),
                seq,
                entry_id: id.map(str::to_string),
                reason,
            }))
        };
        let mut heads: HashMap<String, (i64, String)> = HashMap::new();
        for row in sqlx::query("SELECT chain, seq, hash FROM audit_heads WHERE workspace_id = $1")
            .bind(workspace_id)
            .fetch_all(self.reader())
            .await?
        {
            heads.insert(row.get(0), (row.get(1), row.get(2)));
        }
        // The chain being walked: its name, the next sequence number expected, the last hash.
        let mut current: Option<(String, i64, String)> = None;
        let ends_at_head = |chain: &str, next: i64, hash: &str| -> Option<String> {
            match heads.get(chain) {
                None => Some("its chain has no head".into()),
                Some((seq, head_hash)) if *seq != next - 1 || head_hash != hash => Some(format!(
                    "the chain ends at entry {} but its head says {seq}",
                    next - 1
                )),
                Some(_) => None,
            }
        };
        let mut seen: HashSet<String> = HashSet::new();
        let (mut after_chain, mut after_seq) = (String::new(), -1_i64);
        loop {
            // Each entry with the hash of the version it references, as that version stores it.
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS}, (SELECT v.hash FROM application_versions v \
                   WHERE v.workspace_id = audit_entries.workspace_id \
                   AND v.application_id = audit_entries.application_id \
                   AND v.version = audit_entries.version) \
                 FROM audit_entries WHERE workspace_id = $1 \
                 AND (chain > $2 OR (chain = $2 AND seq > $3)) ORDER BY chain, seq LIMIT 1000"
            )))
            .bind(workspace_id)
            .bind(&after_chain)
            .bind(after_seq)
            .fetch_all(self.reader())
            .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let raw = Raw::from_row(row);
                if current
                    .as_ref()
                    .is_none_or(|(chain, _, _)| *chain != raw.chain)
                {
                    if let Some((chain, next, hash)) = current.take()
                        && let Some(reason) = ends_at_head(&chain, next, &hash)
                    {
                        return broken(&chain, next, None, reason);
                    }
                    seen.insert(raw.chain.clone());
                    current = Some((raw.chain.clone(), 1, GENESIS_HASH.to_string()));
                }
                let (chain, next, prev) = current.as_mut().expect("set above");
                if raw.seq != *next {
                    return broken(chain, *next, None, format!("entry {next} is missing"));
                }
                if raw.prev_hash != *prev {
                    return broken(
                        chain,
                        raw.seq,
                        Some(&raw.id),
                        "does not link to the previous entry".into(),
                    );
                }
                if entry_hash(&raw.fields()) != raw.hash {
                    return broken(
                        chain,
                        raw.seq,
                        Some(&raw.id),
                        "its content does not match its hash".into(),
                    );
                }
                if let Some(expected) = &raw.version_hash {
                    let stored: Option<String> = row.get(COLUMN_COUNT);
                    let version = raw.version.unwrap_or_default();
                    match stored {
                        None => {
                            return broken(
                                chain,
                                raw.seq,
                                Some(&raw.id),
                                format!("the version {version} it references is missing"),
                            );
                        }
                        Some(stored) if stored != *expected => {
                            return broken(
                                chain,
                                raw.seq,
                                Some(&raw.id),
                                format!("the version {version} it references was altered"),
                            );
                        }
                        Some(_) => {}
                    }
                }
                *prev = raw.hash.clone();
                *next += 1;
                (after_chain, after_seq) = (raw.chain, raw.seq);
            }
        }
        if let Some((chain, next, hash)) = current
            && let Some(reason) = ends_at_head(&chain, next, &hash)
        {
            return broken(&chain, next, None, reason);
        }
        // A head whose entries are all gone.
        for (chain, (seq, _)) in &heads {
            if *seq > 0 && !seen.contains(chain) {
                return broken(
                    chain,
                    1,
                    None,
                    format!("the chain is empty but its head says {seq}"),
                );
            }
        }
        Ok(None)
    }
}
