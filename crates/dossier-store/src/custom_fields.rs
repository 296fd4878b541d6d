//! Custom field definitions, per workspace.

use dossier_domain::custom_field::CustomFieldDefinition;
use sqlx::Row;

use crate::{Result, Store, Tx, conflict_on_unique, corrupt};

fn decode(data: &str) -> Result<CustomFieldDefinition> {
    serde_json::from_str(data).map_err(|e| corrupt("custom field", e))
}

impl Store {
    /// Every definition of the workspace, in creation order.
    pub async fn custom_fields(&self, workspace_id: &str) -> Result<Vec<CustomFieldDefinition>> {
        let rows =
            sqlx::query("SELECT data FROM custom_fields WHERE workspace_id = $1 ORDER BY id")
                .bind(workspace_id)
                .fetch_all(self.reader())
                .await?;
        rows.iter()
            .map(|r| decode(&r.get::<String, _>(0)))
            .collect()
    }

    pub async fn custom_field(
        &self,
        workspace_id: &str,
        id: &str,
    ) -> Result<Option<CustomFieldDefinition>> {
        let row = sqlx::query("SELECT data FROM custom_fields WHERE workspace_id = $1 AND id = $2")
            .bind(workspace_id)
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.map(|r| decode(&r.get::<String, _>(0))).transpose()
    }
}

impl Tx {
    /// Every definition of the workspace, read inside the transaction (validation of a write).
    pub async fn custom_fields(
        &mut self,
        workspace_id: &str,
    ) -> Result<Vec<CustomFieldDefinition>> {
        let rows =
            sqlx::query("SELECT data FROM custom_fields WHERE workspace_id = $1 ORDER BY id")
                .bind(workspace_id)
                .fetch_all(self.conn().await?)
                .await?;
        rows.iter()
            .map(|r| decode(&r.get::<String, _>(0)))
            .collect()
    }

    pub async fn insert_custom_field(
        &mut self,
        workspace_id: &str,
        def: &CustomFieldDefinition,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO custom_fields (id, workspace_id, api_name, data) VALUES ($1, $2, $3, $4)",
        )
        .bind(&def.id)
        .bind(workspace_id)
        .bind(&def.api_name)
        .bind(serde_json::to_string(def).expect("a definition serialises"))
        .execute(self.conn().await?)
        .await
        .map_err(|e| conflict_on_unique(e, "a custom field with this api_name exists"))?;
        self.settings_changed(workspace_id).await
    }

    pub async fn update_custom_field(
        &mut self,
        workspace_id: &str,
        def: &CustomFieldDefinition,
    ) -> Result<()> {
        sqlx::query("UPDATE custom_fields SET data = $1 WHERE workspace_id = $2 AND id = $3")
            .bind(serde_json::to_string(def).expect("a definition serialises"))
            .bind(workspace_id)
            .bind(&def.id)
            .execute(self.conn().await?)
            .await?;
        self.settings_changed(workspace_id).await
    }
}
