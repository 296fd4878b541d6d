//! Portals — the links a client opens to fill in or complete a case — and each workspace's
//! branding. A portal row keeps what the queries need in columns (its kind, case, status, expiry and
//! the hash of its link's token) and the rest as JSON, which the application layer types
//! (`dossier_app::portals`).

use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::{Backend, Result, Store, Tx};

#[derive(Debug, Clone, PartialEq)]
pub struct PortalRow {
    pub id: String,
    /// `onboarding` or `collect`.
    pub kind: String,
    pub application_id: Option<String>,
    pub status: String,
    /// JSON.
    pub data: String,
    pub expires_at: String,
    /// When it was last opened: its creation, or a collect's current round.
    pub opened_at: String,
    pub created_at: String,
    pub updated_at: String,
}

/// What a list of portals may be narrowed to.
#[derive(Debug, Clone, Default)]
pub struct PortalFilter {
    pub kind: Option<String>,
    pub status: Option<String>,
    pub application_id: Option<String>,
    /// Portals with ids before this one (the cursor).
    pub before: Option<String>,
    pub limit: i64,
}

const COLUMNS: &str =
    "id, kind, application_id, status, data, expires_at, created_at, updated_at, opened_at";

fn from_row(r: &AnyRow) -> PortalRow {
    PortalRow {
        id: r.get(0),
        kind: r.get(1),
        application_id: r.get(2),
        status: r.get(3),
        data: r.get(4),
        expires_at: r.get(5),
        created_at: r.get(6),
        updated_at: r.get(7),
        opened_at: r.get(8),
    }
}

fn lock(backend: Backend) -> &'static str {
    if backend == Backend::Postgres {
        " FOR UPDATE"
    } else {
        ""
    }
}

impl Tx {
    pub async fn insert_portal(
        &mut self,
        workspace_id: &str,
        portal: &PortalRow,
        token_hash: &str,
    ) -> Result<()> {
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO portals (workspace_id, token_hash, {COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        )))
        .bind(workspace_id)
        .bind(token_hash)
        .bind(&portal.id)
        .bind(&portal.kind)
        .bind(&portal.application_id)
        .bind(&portal.status)
        .bind(&portal.data)
        .bind(&portal.expires_at)
        .bind(&portal.created_at)
        .bind(&portal.updated_at)
        .bind(&portal.opened_at)
        .execute(self.conn().await?)
        .await?;
        Ok(())
    }

    /// Stores a changed portal; with `token_hash`, its link is replaced too (the old one stops
    /// working).
    pub async fn update_portal(
        &mut self,
        workspace_id: &str,
        portal: &PortalRow,
        token_hash: Option<&str>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE portals SET application_id = $1, status = $2, data = $3, expires_at = $4, \
             updated_at = $5, token_hash = COALESCE($6, token_hash), opened_at = $9 \
             WHERE workspace_id = $7 AND id = $8",
        )
        .bind(&portal.application_id)
        .bind(&portal.status)
        .bind(&portal.data)
        .bind(&portal.expires_at)
        .bind(&portal.updated_at)
        .bind(token_hash)
        .bind(workspace_id)
        .bind(&portal.id)
        .bind(&portal.opened_at)
        .execute(self.conn().await?)
        .await?;
        Ok(())
    }

    pub async fn portal_for_update(
        &mut self,
        workspace_id: &str,
        id: &str,
    ) -> Result<Option<PortalRow>> {
        let lock = lock(self.backend());
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM portals WHERE workspace_id = $1 AND id = $2{lock}"
        )))
        .bind(workspace_id)
        .bind(id)
        .fetch_optional(self.conn().await?)
        .await?;
        Ok(row.as_ref().map(from_row))
    }

    /// The newest collect of a case, for change.
    pub async fn collect_for_update(
        &mut self,
        workspace_id: &str,
        application_id: &str,
    ) -> Result<Option<PortalRow>> {
        let lock = lock(self.backend());
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM portals WHERE workspace_id = $1 AND application_id = $2 \
             AND kind = 'collect' ORDER BY id DESC LIMIT 1{lock}"
        )))
        .bind(workspace_id)
        .bind(application_id)
        .fetch_optional(self.conn().await?)
        .await?;
        Ok(row.as_ref().map(from_row))
    }

    pub async fn put_branding(&mut self, workspace_id: &str, data: &str, at: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO branding (workspace_id, data, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (workspace_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
        )
        .bind(workspace_id)
        .bind(data)
        .bind(at)
        .execute(self.conn().await?)
        .await?;
        Ok(())
    }
}

impl Store {
    pub async fn portal(&self, workspace_id: &str, id: &str) -> Result<Option<PortalRow>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM portals WHERE workspace_id = $1 AND id = $2"
        )))
        .bind(workspace_id)
        .bind(id)
        .fetch_optional(self.reader())
        .await?;
        Ok(row.as_ref().map(from_row))
    }

    /// The portal whose link has this token hash, with its workspace: the one lookup not scoped
    /// to a workspace, since the link is what tells the workspace.
    pub async fn portal_by_token_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<(String, PortalRow)>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS}, workspace_id FROM portals WHERE token_hash = $1"
        )))
        .bind(token_hash)
        .fetch_optional(self.reader())
        .await?;
        Ok(row.map(|r| (r.get(9), from_row(&r))))
    }

    /// The newest collect of a case.
    pub async fn collect_of(
        &self,
        workspace_id: &str,
        application_id: &str,
    ) -> Result<Option<PortalRow>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM portals WHERE workspace_id = $1 AND application_id = $2 \
             AND kind = 'collect' ORDER BY id DESC LIMIT 1"
        )))
        .bind(workspace_id)
        .bind(application_id)
        .fetch_optional(self.reader())
        .await?;
        Ok(row.as_ref().map(from_row))
    }

    /// Portals newest first.
    pub async fn portals(&self, workspace_id: &str, f: &PortalFilter) -> Result<Vec<PortalRow>> {
        let mut sql = format!("SELECT {COLUMNS} FROM portals WHERE workspace_id = $1");
        let mut binds: Vec<&str> = Vec::new();
        for (condition, value) in [
            ("kind =", &f.kind),
            ("status =", &f.status),
            ("application_id =", &f.application_id),
            ("id <", &f.before),
        ] {
            if let Some(v) = value {
                binds.push(v);
                sql.push_str(&format!(" AND {condition} ${}", binds.len() + 1));
            }
        }
        sql.push_str(&format!(" ORDER BY id DESC LIMIT ${}", binds.len() + 2));
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(workspace_id);
        for b in binds {
            q = q.bind(b);
        }
        let rows = q.bind(f.limit).fetch_all(self.reader()).await?;
        Ok(rows.iter().map(from_row).collect())
    }

    /// The workspace's branding as JSON, if it was ever set.
    pub async fn branding(&self, workspace_id: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT data FROM branding WHERE workspace_id = $1")
            .bind(workspace_id)
            .fetch_optional(self.reader())
            .await?;
        Ok(row.map(|r| r.get(0)))
    }
}
