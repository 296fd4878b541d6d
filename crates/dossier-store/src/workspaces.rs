//! Workspaces: the tenants. Everything else is scoped by a workspace id.

use serde::Serialize;
use sqlx::Row;

use crate::{Result, Store, StoreError, Tx, conflict_on_unique, now};

#[derive(Debug, Clone, Serialize)]
pub struct Workspace {
    pub id: String,
    pub name: String,
    pub created_at: String,
}

impl Store {
    pub async fn workspace_by_name(&self, name: &str) -> Result<Option<Workspace>> {
        let row = sqlx::query("SELECT id, name, created_at FROM workspaces WHERE name = $1")
            .bind(name)
            .fetch_optional(self.reader())
            .await?;
        Ok(row.map(|r| Workspace {
            id: r.get(0),
            name: r.get(1),
            created_at: r.get(2),
        }))
    }

    pub async fn workspaces(&self) -> Result<Vec<Workspace>> {
        let rows = sqlx::query("SELECT id, name, created_at FROM workspaces ORDER BY id")
            .fetch_all(self.reader())
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| Workspace {
                id: r.get(0),
                name: r.get(1),
                created_at: r.get(2),
            })
            .collect())
    }

    /// Creates a workspace; `Conflict` if the name is taken.
    pub async fn create_workspace(&self, name: &str) -> Result<Workspace> {
        let mut tx = self.begin().await?;
        let ws = tx.create_workspace(name).await?;
        tx.commit().await?;
        Ok(ws)
    }

    /// The workspace with this name, created if missing (the `default` workspace at first start).
    pub async fn ensure_workspace(&self, name: &str) -> Result<Workspace> {
        if let Some(ws) = self.workspace_by_name(name).await? {
            return Ok(ws);
        }
        match self.create_workspace(name).await {
            Err(StoreError::Conflict(_)) => self
                .workspace_by_name(name)
                .await?
                .ok_or(StoreError::NotFound),
            other => other,
        }
    }
}

impl Tx {
    pub async fn create_workspace(&mut self, name: &str) -> Result<Workspace> {
        let ws = Workspace {
            id: dossier_domain::id::new_id("ws"),
            name: name.to_string(),
            created_at: now(),
        };
        sqlx::query("INSERT INTO workspaces (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(&ws.id)
            .bind(&ws.name)
            .bind(&ws.created_at)
            .execute(self.conn().await?)
            .await
            .map_err(|e| conflict_on_unique(e, "a workspace with this name exists"))?;
        sqlx::query(
            "INSERT INTO audit_heads (workspace_id, chain, seq, hash) VALUES ($1, '', 0, $2)",
        )
        .bind(&ws.id)
        .bind(dossier_domain::audit::GENESIS_HASH)
        .execute(self.conn().await?)
        .await?;
        Ok(ws)
    }
}
