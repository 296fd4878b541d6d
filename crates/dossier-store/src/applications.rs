//! Cases. The whole case is kept as one JSON document (`data`), with the columns that lists filter on
//! beside it: one row read answers `GET /api/applications/{id}`.

use dossier_domain::application::Application;
use sqlx::{AssertSqlSafe, Row};

use crate::{Backend, Result, Store, Tx, corrupt};

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

impl Tx {
    /// Stores a new case; `data` is the case as JSON text (the caller has it already).
    pub async fn insert_application(
        &mut self,
        workspace_id: &str,
        app: &Application,
        data: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO applications (id, workspace_id, kind, external_id, status_review, status_execution, \
             risk_level, risk_score, created_at, updated_at, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&app.id)
        .bind(workspace_id)
        .bind(app.kind.as_str())
        .bind(&app.external_id)
        .bind(app.status_review.as_str())
        .bind(app.status_execution.as_str())
        .bind(&app.risk_level)
        .bind(app.risk_score)
        .bind(&app.created_at)
        .bind(&app.updated_at)
        .bind(data)
        .execute(self.conn().await?)
        .await?;
        // A new case starts its own audit chain (see `audit::append`).
        self.new_audit_chains
            .push((workspace_id.to_string(), app.id.clone()));
        Ok(())
    }

    /// Reads a case for change; on PostgreSQL the row stays locked until the transaction ends, so two
    /// concurrent changes of one case apply one after the other instead of losing one.
    pub async fn application_for_update(
        &mut self,
        workspace_id: &str,
        id: &str,
    ) -> Result<Option<Application>> {
        let sql = match self.backend() {
            Backend::Postgres => {
                "SELECT data FROM applications WHERE workspace_id = $1 AND id = $2 FOR UPDATE"
            }
            Backend::Sqlite => "SELECT data FROM applications WHERE workspace_id = $1 AND id = $2",
        };
        let row = sqlx::query(sql)
            .bind(workspace_id)
            .bind(id)
            .fetch_optional(self.conn().await?)
            .await?;
        row.map(|r| decode(&r.get::<String, _>(0))).transpose()
    }

    /// Stores a changed case; `data` is the case as JSON text.
    pub async fn update_application(
        &mut self,
        workspace_id: &str,
        app: &Application,
        data: &str,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE applications SET external_id = $1, status_review = $2, status_execution = $3, risk_level = $4, \
             risk_score = $5, updated_at = $6, data = $7 WHERE workspace_id = $8 AND id = $9",
        )
        .bind(&app.external_id)
        .bind(app.status_review.as_str())
        .bind(app.status_execution.as_str())
        .bind(&app.risk_level)
        .bind(app.risk_score)
        .bind(&app.updated_at)
        .bind(data)
        .bind(workspace_id)
        .bind(&app.id)
        .execute(self.conn().await?)
        .await?;
        Ok(())
    }
}

impl Store {
    pub async fn application(&self, workspace_id: &str, id: &str) -> Result<Option<Application>> {
        self.application_json(workspace_id, id)
            .await?
            .map(|data| decode(&data))
            .transpose()
    }

    /// A case exactly as stored: the JSON text the API returns, without decoding and re-encoding it
    /// (the hot read path).
    pub async fn application_json(&self, workspace_id: &str, id: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT data FROM applications WHERE workspace_id = $1 AND id = $2")
            .bind(workspace_id)
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        Ok(row.map(|r| r.get::<String, _>(0)))
    }

    pub async fn applications(
        &self,
        workspace_id: &str,
        f: &ApplicationFilter,
    ) -> Result<Vec<Application>> {
        let mut sql = String::from("SELECT data FROM applications WHERE workspace_id = $1");
        let mut binds: Vec<&str> = Vec::new();
        for (condition, value) in [
            ("kind =", &f.kind),
            ("status_review =", &f.status_review),
            ("status_execution =", &f.status_execution),
            ("risk_level =", &f.risk_level),
            ("external_id =", &f.external_id),
            ("created_at >", &f.created_after),
            ("updated_at >", &f.updated_after),
            ("id <", &f.before_id),
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
        rows.iter()
            .map(|r| decode(&r.get::<String, _>(0)))
            .collect()
    }
}
