//! Case versions: every change of a case stores one immutable version — the whole document,
//! compressed (LZ4 on SQLite, deflate on PostgreSQL), with who wrote it, when, and the SHA-256 of its JSON text. The current case is the
//! newest version (`applications.version` names it); events of a case name the version they announce
//! and are rendered from it; audit entries of a case carry the hash of the version their transaction
//! produced, so editing a stored version breaks `dossier audit verify` as editing an entry does.

use dossier_domain::access::Role;
use dossier_domain::audit::{Actor, document_hash};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use utoipa::ToSchema;

use crate::{Backend, Result, Store, StoreError, Tx, corrupt};

/// One version of a case as `GET /api/applications/{id}/versions` lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionInfo {
    pub version: i64,
    pub at: String,
    pub actor: Actor,
    /// SHA-256 (hex) of the version's JSON text, as `GET .../versions/{version}` returns it.
    pub hash: String,
}

/// How new versions are encoded, per backend (`docs/benchmarks.md` has what each codec saves and
/// costs). Rows keep their codec's name, so a version written with another one (`deflate`, `lz4`,
/// `json`) stays readable on either backend.
/// - SQLite: LZ4. Every `GET /api/applications/{id}` decodes the case's current version, and LZ4
///   decodes a case in ~5 µs where deflate takes ~30 µs (15% of a `GET`'s CPU), for ~0.9 KB more per
///   version.
/// - PostgreSQL: deflate at its fastest level, which brings a case into two TOAST chunks where LZ4's
///   output needs three (1.4 KB more per version, past the 8 KB budget for a PATCH).
pub fn encoding(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "lz4",
        Backend::Postgres => "deflate",
    }
}

/// Deflate's fastest level: it runs inside the write transaction, and higher levels save only
/// ~10% more on a case for several times the time.
const DEFLATE_LEVEL: u8 = 1;

/// No stored case comes near this; a corrupt row must not make the server allocate without bound.
const MAX_DECODED: usize = 64 << 20;

/// A document's text, encoded for storage on `backend` (as [`encoding`] names it).
pub fn encode(backend: Backend, text: &str) -> Vec<u8> {
    match backend {
        Backend::Sqlite => lz4_flex::block::compress_prepend_size(text.as_bytes()),
        Backend::Postgres => miniz_oxide::deflate::compress_to_vec(text.as_bytes(), DEFLATE_LEVEL),
    }
}

/// A stored document's text.
pub(crate) fn decode(encoding: &str, data: &[u8]) -> Result<String> {
    let bytes = match encoding {
        "deflate" => miniz_oxide::inflate::decompress_to_vec_with_limit(data, MAX_DECODED)
            .map_err(|e| corrupt("application version", e))?,
        "lz4" => {
            // The size it claims is allocated up front: bound it first.
            let claimed = data.get(..4).map_or(usize::MAX, |n| {
                u32::from_le_bytes([n[0], n[1], n[2], n[3]]) as usize
            });
            if claimed > MAX_DECODED {
                return Err(corrupt("application version", "lz4 size out of bounds"));
            }
            lz4_flex::block::decompress_size_prepended(data)
                .map_err(|e| corrupt("application version", e))?
        }
        "json" => data.to_vec(),
        other => return Err(corrupt("application version", format!("encoding {other}"))),
    };
    String::from_utf8(bytes).map_err(|e| corrupt("application version", e))
}

/// Reads `(encoding, data)` at `offset` of a row, and decodes them.
pub(crate) fn decode_columns(r: &AnyRow, offset: usize) -> Result<String> {
    let encoding: String = r.get(offset);
    let data: Vec<u8> = r.get(offset + 1);
    decode(&encoding, &data)
}

/// The object an event of a case renders when its version is no longer stored.
pub fn retained_stub(application_id: &str, version: i64) -> String {
    serde_json::json!({"id": application_id, "version": version, "retained": false}).to_string()
}

impl Tx {
    /// Stores one version of a case; `text` is the document as JSON. Returns its hash. The audit
    /// entries of this case written by this transaction reference the newest version it stored.
    pub(crate) async fn insert_version(
        &mut self,
        workspace_id: &str,
        application_id: &str,
        version: i64,
        at: &str,
        actor: &Actor,
        text: &str,
    ) -> Result<String> {
        let hash = document_hash(text);
        sqlx::query(
            "INSERT INTO application_versions (workspace_id, application_id, version, at, actor_kind, \
             actor_id, actor_role, hash, encoding, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(workspace_id)
        .bind(application_id)
        .bind(version)
        .bind(at)
        .bind(&actor.kind)
        .bind(&actor.id)
        .bind(actor.role.as_str())
        .bind(&hash)
        .bind(encoding(self.backend()))
        .bind(encode(self.backend(), text))
        .execute(self.conn().await?)
        .await?;
        self.versions_written
            .retain(|(ws, app, _, _)| !(ws == workspace_id && app == application_id));
        self.versions_written.push((
            workspace_id.to_string(),
            application_id.to_string(),
            version,
            hash.clone(),
        ));
        Ok(hash)
    }
}

impl Store {
    /// A case's versions, newest first, paged by version number (`before`: only older ones).
    pub async fn application_versions(
        &self,
        workspace_id: &str,
        application_id: &str,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<VersionInfo>> {
        let rows = sqlx::query(
            "SELECT version, at, actor_kind, actor_id, actor_role, hash FROM application_versions \
             WHERE workspace_id = $1 AND application_id = $2 AND version < $3 \
             ORDER BY version DESC LIMIT $4",
        )
        .bind(workspace_id)
        .bind(application_id)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        Ok(rows
            .iter()
            .map(|r| VersionInfo {
                version: r.get(0),
                at: r.get(1),
                actor: Actor {
                    kind: r.get(2),
                    id: r.get(3),
                    role: Role::parse(&r.get::<String, _>(4)).unwrap_or_default(),
                },
                hash: r.get(5),
            })
            .collect())
    }

    /// The case as it was at `version`, as stored JSON text.
    pub async fn application_version_json(
        &self,
        workspace_id: &str,
        application_id: &str,
        version: i64,
    ) -> Result<Option<String>> {
        let row = sqlx::query(
            "SELECT encoding, data FROM application_versions \
             WHERE workspace_id = $1 AND application_id = $2 AND version = $3",
        )
        .bind(workspace_id)
        .bind(application_id)
        .bind(version)
        .fetch_optional(self.reader())
        .await?;
        row.map(|r| decode_columns(&r, 0)).transpose()
    }

    /// The newest version of the case written at or before `at` (a stored-form timestamp), as JSON
    /// text; `None` before the case was created (or for no such case).
    pub async fn application_json_as_of(
        &self,
        workspace_id: &str,
        application_id: &str,
        at: &str,
    ) -> Result<Option<String>> {
        let row = sqlx::query(
            "SELECT encoding, data FROM application_versions \
             WHERE workspace_id = $1 AND application_id = $2 AND at <= $3 \
             ORDER BY version DESC LIMIT 1",
        )
        .bind(workspace_id)
        .bind(application_id)
        .bind(at)
        .fetch_optional(self.reader())
        .await?;
        row.map(|r| decode_columns(&r, 0)).transpose()
    }

    /// Checks every stored version of the workspace against its own hash; the first that does not
    /// match, as `(application_id, version)`.
    pub(crate) async fn first_altered_version(
        &self,
        workspace_id: &str,
    ) -> Result<Option<(String, i64)>> {
        let (mut after_app, mut after_version) = (String::new(), 0_i64);
        loop {
            let rows = sqlx::query(
                "SELECT application_id, version, hash, encoding, data FROM application_versions \
                 WHERE workspace_id = $1 AND (application_id > $2 OR (application_id = $2 AND version > $3)) \
                 ORDER BY application_id, version LIMIT 500",
            )
            .bind(workspace_id)
            .bind(&after_app)
            .bind(after_version)
            .fetch_all(self.reader())
            .await?;
            if rows.is_empty() {
                return Ok(None);
            }
            for r in &rows {
                let (app, version, hash): (String, i64, String) = (r.get(0), r.get(1), r.get(2));
                let matches = match decode_columns(r, 3) {
                    Ok(text) => document_hash(&text) == hash,
                    Err(StoreError::Corrupt(_)) => false,
                    Err(e) => return Err(e),
                };
                if !matches {
                    return Ok(Some((app, version)));
                }
                (after_app, after_version) = (app, version);
            }
        }
    }
}
