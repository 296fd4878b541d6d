//! What `dossier backup` and `dossier restore` need from the database: a consistent snapshot of a
//! SQLite database taken while it is in use, the files the documents refer to, and what a backup
//! holds (for its manifest and for checking a restore).

use std::path::Path;

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::{Backend, Result, Store};

/// How many of each thing a database holds: written in a backup's manifest, compared after a
/// restore.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    pub workspaces: i64,
    pub applications: i64,
    pub documents: i64,
    pub events: i64,
    pub audit_entries: i64,
}

/// A stored document's object key, and the SHA-256 of its bytes.
#[derive(Debug, Clone)]
pub struct DocumentFile {
    pub storage_key: String,
    pub sha256: String,
}

impl Store {
    /// SQLite only: writes a transactionally consistent copy of the database to `path`, which must
    /// not exist, while the database stays in use (`VACUUM INTO` reads one snapshot; writers go on).
    pub async fn snapshot_sqlite(&self, path: &Path) -> Result<()> {
        debug_assert_eq!(self.backend, Backend::Sqlite);
        sqlx::query("VACUUM INTO $1")
            .bind(path.to_string_lossy().into_owned())
            .execute(self.reader())
            .await?;
        Ok(())
    }

    /// Every document's object key and hash, soft-deleted ones included (their bytes are kept).
    pub async fn document_files(&self) -> Result<Vec<DocumentFile>> {
        document_files(&mut *self.reader().acquire().await?).await
    }

    /// What the database holds.
    pub async fn inventory(&self) -> Result<Inventory> {
        inventory(&mut *self.reader().acquire().await?).await
    }

    /// PostgreSQL only: a read transaction whose snapshot is exported, so that `pg_dump --snapshot`
    /// and the list of document files see the very same database.
    pub async fn postgres_snapshot(&self) -> Result<PostgresSnapshot> {
        debug_assert_eq!(self.backend, Backend::Postgres);
        let mut tx = self.reader().begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
        let id: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
            .fetch_one(&mut *tx)
            .await?;
        Ok(PostgresSnapshot { tx, id })
    }
}

/// An exported PostgreSQL snapshot, valid while this value lives.
pub struct PostgresSnapshot {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    pub id: String,
}

impl PostgresSnapshot {
    pub async fn document_files(&mut self) -> Result<Vec<DocumentFile>> {
        document_files(&mut self.tx).await
    }

    pub async fn inventory(&mut self) -> Result<Inventory> {
        inventory(&mut self.tx).await
    }
}

async fn document_files(conn: &mut sqlx::AnyConnection) -> Result<Vec<DocumentFile>> {
    let rows = sqlx::query("SELECT storage_key, sha256 FROM documents ORDER BY storage_key")
        .fetch_all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| DocumentFile {
            storage_key: r.get(0),
            sha256: r.get(1),
        })
        .collect())
}

/// One statement, so the counts agree with each other.
async fn inventory(conn: &mut sqlx::AnyConnection) -> Result<Inventory> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM workspaces), (SELECT COUNT(*) FROM applications), \
         (SELECT COUNT(*) FROM documents), (SELECT COUNT(*) FROM events), \
         (SELECT COUNT(*) FROM audit_entries)",
    )
    .fetch_one(conn)
    .await?;
    Ok(Inventory {
        workspaces: row.get(0),
        applications: row.get(1),
        documents: row.get(2),
        events: row.get(3),
        audit_entries: row.get(4),
    })
}

/// Whether the PostgreSQL database at `url` has no tables in its `public` schema: the only kind a
/// restore writes into. Opened without migrating, so the check leaves it as it was.
pub async fn postgres_is_empty(url: &str) -> Result<bool> {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await?;
    let tables: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'",
    )
    .fetch_one(&mut conn)
    .await?;
    conn.close().await?;
    Ok(tables == 0)
}
