//! A workspace's own workflow templates (overrides of the shipped ones, or new ones), kept as the JSON
//! source that was validated when it was saved.

use serde::Serialize;
use sqlx::Row;
use utoipa::ToSchema;

use crate::{Result, Store, Tx};

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct StoredTemplate {
    pub name: String,
    pub version: i64,
    /// The template as JSON text.
    pub source: String,
    pub updated_at: String,
}

impl Tx {
    /// Creates or replaces a workspace's template.
    pub async fn put_template(&mut self, workspace_id: &str, t: &StoredTemplate) -> Result<()> {
        sqlx::query(
            "INSERT INTO workflow_templates (workspace_id, name, version, source, updated_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (workspace_id, name) DO UPDATE SET \
             version = excluded.version, source = excluded.source, updated_at = excluded.updated_at",
        )
        .bind(workspace_id)
        .bind(&t.name)
        .bind(t.version)
        .bind(&t.source)
        .bind(&t.updated_at)
        .execute(self.conn().await?)
        .await?;
        self.settings_changed(workspace_id).await
    }
}

impl Store {
    /// The workspace's template of that name, from the read pool.
    pub async fn template(&self, workspace_id: &str, name: &str) -> Result<Option<StoredTemplate>> {
        let row = sqlx::query(
            "SELECT name, version, source, updated_at FROM workflow_templates \
             WHERE workspace_id = $1 AND name = $2",
        )
        .bind(workspace_id)
        .bind(name)
        .fetch_optional(self.reader())
        .await?;
        Ok(row.map(|r| StoredTemplate {
            name: r.get(0),
            version: r.get(1),
            source: r.get(2),
            updated_at: r.get(3),
        }))
    }

    /// The workspace's own templates, by name.
    pub async fn templates(&self, workspace_id: &str) -> Result<Vec<StoredTemplate>> {
        let rows = sqlx::query(
            "SELECT name, version, source, updated_at FROM workflow_templates \
             WHERE workspace_id = $1 ORDER BY name",
        )
        .bind(workspace_id)
        .fetch_all(self.reader())
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| StoredTemplate {
                name: r.get(0),
                version: r.get(1),
                source: r.get(2),
                updated_at: r.get(3),
            })
            .collect())
    }
}
