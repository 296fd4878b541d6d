//! Cases. The `applications` row holds the columns that lists filter on and the number of the case's
//! current version; the document itself is that version (`application_versions`, see `versions.rs`):
//! one joined row read answers `GET /api/applications/{id}`. `applications.data` is empty since
//! migration 0012. Every write of a case also writes what the back-office's lists read of it
//! (`case_lists.rs`).

use dossier_domain::application::Application;
use sqlx::AssertSqlSafe;

use dossier_domain::audit::Actor;

use crate::case_lists::ListColumns;
use crate::versions::decode_columns;
use crate::{Backend, Result, Store, StoreError, Tx, corrupt, timestamp};

/// Filters of `GET /api/applications`; the list is newest first.
#[derive(Debug, Clone, Default)]
pub struct ApplicationFilter {
    pub kind: Option<String>,
    pub status_review: Option<String>,
    pub status_execution: Option<String>,
    pub risk_level: Option<String>,
    pub external_id: Option<String>,
    /// Stored-form timestamps (see [`crate::normalise_timestamp`]).
    pub created_after: Option<String>,
    pub updated_after: Option<String>,
    /// Only cases older than this id (the cursor).
    pub before_id: Option<String>,
    pub limit: i64,
}

fn decode(data: &str) -> Result<Application> {
    serde_json::from_str(data).map_err(|e| corrupt("application", e))
}

/// The current version's document of each selected case: `SELECT {CURRENT} ... FROM {JOINED}`.
const CURRENT: &str = "v.encoding, v.data";
const JOINED: &str = "applications a JOIN application_versions v ON v.workspace_id = a.workspace_id \
                      AND v.application_id = a.id AND v.version = a.version";

impl Tx {
    /// Stores a new case as its version `app.version` (1), written by `actor`; `data` is the case as
    /// JSON text (the caller has it already). Returns the version's hash.
    pub async fn insert_application(
        &mut self,
        workspace_id: &str,
        app: &Application,
        data: &str,
        actor: &Actor,
    ) -> Result<String> {
        let list = ListColumns::of(app);
        sqlx::query(
            "INSERT INTO applications (id, workspace_id, kind, external_id, status_review, status_execution, \
             risk_level, risk_score, created_at, updated_at, version, data, assignee_id, template, \
             display_name, tags, search, received_at, decided_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, '', $12, $13, $14, $15, $16, $17, $18)",
        )
        .bind(&app.id)
        .bind(workspace_id)
        .bind(app.kind.as_str())
        .bind(&app.external_id)
        .bind(app.status_review.as_str())
        .bind(app.status_execution.as_str())
        .bind(&app.risk_level)
        .bind(app.risk_score)
        .bind(timestamp(app.created_at))
        .bind(timestamp(app.updated_at))
        .bind(app.version)
        .bind(list.assignee_id)
        .bind(list.template)
        .bind(list.display_name)
        .bind(list.tags)
        .bind(list.search)
        .bind(list.received_at)
        .bind(list.decided_at)
        .execute(self.conn().await?)
        .await?;
        self.write_list_state(workspace_id, app, true).await?;
        // A new case starts its own audit chain (see `audit::append`).
        self.new_audit_chains
            .push((workspace_id.to_string(), app.id.clone()));
        self.insert_version(
            workspace_id,
            &app.id,
            app.version,
            &timestamp(app.updated_at),
            actor,
            data,
        )
        .await
    }

    /// Reads a case for change; on PostgreSQL the row stays locked until the transaction ends, so two
    /// concurrent changes of one case apply one after the other instead of losing one.
    pub async fn application_for_update(
        &mut self,
        workspace_id: &str,
        id: &str,
    ) -> Result<Option<Application>> {
        let row = match self.backend() {
            // Lock the row alone, then read its version: locking a join would drop the row when a
            // concurrent change commits first (the re-checked join still names the old version).
            Backend::Postgres => {
                let version: Option<i64> = sqlx::query_scalar(
                    "SELECT version FROM applications WHERE workspace_id = $1 AND id = $2 FOR UPDATE",
                )
                .bind(workspace_id)
                .bind(id)
                .fetch_optional(self.conn().await?)
                .await?;
                let Some(version) = version else {
                    return Ok(None);
                };
                sqlx::query(
                    "SELECT encoding, data FROM application_versions \
                     WHERE workspace_id = $1 AND application_id = $2 AND version = $3",
                )
                .bind(workspace_id)
                .bind(id)
                .bind(version)
                .fetch_optional(self.conn().await?)
                .await?
            }
            Backend::Sqlite => {
                sqlx::query(AssertSqlSafe(format!(
                    "SELECT {CURRENT} FROM {JOINED} WHERE a.workspace_id = $1 AND a.id = $2"
                )))
                .bind(workspace_id)
                .bind(id)
                .fetch_optional(self.conn().await?)
                .await?
            }
        };
        row.map(|r| decode(&decode_columns(&r, 0)?)).transpose()
    }

    /// Stores a changed case as its new version `app.version` (one more than the stored one, read
    /// for update), written by `actor`; `data` is the case as JSON text. Returns the version's hash.
    /// A conflict if the stored case is not at the version before.
    pub async fn update_application(
        &mut self,
        workspace_id: &str,
        app: &Application,
        data: &str,
        actor: &Actor,
    ) -> Result<String> {
        let list = ListColumns::of(app);
        let done = sqlx::query(
            "UPDATE applications SET external_id = $1, status_review = $2, status_execution = $3, risk_level = $4, \
             risk_score = $5, updated_at = $6, version = $7, assignee_id = $8, template = $9, display_name = $10, \
             tags = $11, search = $12, received_at = $13, decided_at = $14 \
             WHERE workspace_id = $15 AND id = $16 AND version = $17",
        )
        .bind(&app.external_id)
        .bind(app.status_review.as_str())
        .bind(app.status_execution.as_str())
        .bind(&app.risk_level)
        .bind(app.risk_score)
        .bind(timestamp(app.updated_at))
        .bind(app.version)
        .bind(list.assignee_id)
        .bind(list.template)
        .bind(list.display_name)
        .bind(list.tags)
        .bind(list.search)
        .bind(list.received_at)
        .bind(list.decided_at)
        .bind(workspace_id)
        .bind(&app.id)
        .bind(app.version - 1)
        .execute(self.conn().await?)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict(format!(
                "application {} is not at version {}",
                app.id,
                app.version - 1
            )));
        }
        self.write_list_state(workspace_id, app, false).await?;
        self.insert_version(
            workspace_id,
            &app.id,
            app.version,
            &timestamp(app.updated_at),
            actor,
            data,
        )
        .await
    }
}

impl Store {
    pub async fn application(&self, workspace_id: &str, id: &str) -> Result<Option<Application>> {
        self.application_json(workspace_id, id)
            .await?
            .map(|data| decode(&data))
            .transpose()
    }

    /// Whether this workspace has the case: one indexed row, no version read (for the lists of a
    /// case's sub-resources, which only need to know).
    pub async fn application_exists(&self, workspace_id: &str, id: &str) -> Result<bool> {
        let row = sqlx::query("SELECT 1 FROM applications WHERE workspace_id = $1 AND id = $2")
            .bind(workspace_id)
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        Ok(row.is_some())
    }

    /// A case exactly as stored: the JSON text the API returns, without decoding and re-encoding it
    /// (the hot read path).
    pub async fn application_json(&self, workspace_id: &str, id: &str) -> Result<Option<String>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {CURRENT} FROM {JOINED} WHERE a.workspace_id = $1 AND a.id = $2"
        )))
        .bind(workspace_id)
        .bind(id);
        let row = self.fast_reader().fetch_optional(row).await?;
        row.map(|r| decode_columns(&r, 0)).transpose()
    }

    pub async fn applications(
        &self,
        workspace_id: &str,
        f: &ApplicationFilter,
    ) -> Result<Vec<Application>> {
        let mut sql = format!("SELECT {CURRENT} FROM {JOINED} WHERE a.workspace_id = $1");
        let mut binds: Vec<&str> = Vec::new();
        for (condition, value) in [
            ("a.kind =", &f.kind),
            ("a.status_review =", &f.status_review),
            ("a.status_execution =", &f.status_execution),
            ("a.risk_level =", &f.risk_level),
            ("a.external_id =", &f.external_id),
            ("a.created_at >", &f.created_after),
            ("a.updated_at >", &f.updated_after),
            ("a.id <", &f.before_id),
        ] {
            if let Some(v) = value {
                binds.push(v);
                sql.push_str(&format!(" AND {condition} ${}", binds.len() + 1));
            }
        }
        sql.push_str(&format!(" ORDER BY a.id DESC LIMIT ${}", binds.len() + 2));
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(workspace_id);
        for b in binds {
            q = q.bind(b);
        }
        let rows = q.bind(f.limit).fetch_all(self.reader()).await?;
        rows.iter()
            .map(|r| decode(&decode_columns(r, 0)?))
            .collect()
    }
}
