//! Internal comments on a case: notes the team leaves for itself, never shown to the client. Each is
//! audited in the case's chain by the application layer, so it also appears in the case's timeline.

use dossier_domain::access::Role;
use dossier_domain::audit::Actor;
use serde::Serialize;
use sqlx::Row;
use utoipa::ToSchema;

use crate::{Result, Store, Tx};

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Comment {
    pub id: String,
    pub application_id: String,
    pub author: Actor,
    pub body: String,
    pub created_at: String,
}

impl Tx {
    pub async fn insert_comment(&mut self, workspace_id: &str, c: &Comment) -> Result<()> {
        sqlx::query(
            "INSERT INTO comments (id, workspace_id, application_id, actor_kind, actor_id, actor_role, \
             body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&c.id)
        .bind(workspace_id)
        .bind(&c.application_id)
        .bind(&c.author.kind)
        .bind(&c.author.id)
        .bind(c.author.role.as_str())
        .bind(&c.body)
        .bind(&c.created_at)
        .execute(self.conn().await?)
        .await?;
        Ok(())
    }
}

impl Store {
    /// The case's comments, oldest first.
    pub async fn comments(&self, workspace_id: &str, application_id: &str) -> Result<Vec<Comment>> {
        let rows = sqlx::query(
            "SELECT id, application_id, actor_kind, actor_id, actor_role, body, created_at FROM comments \
             WHERE workspace_id = $1 AND application_id = $2 ORDER BY id",
        )
        .bind(workspace_id)
        .bind(application_id)
        .fetch_all(self.reader())
        .await?;
        Ok(rows
            .iter()
            .map(|r| Comment {
                id: r.get(0),
                application_id: r.get(1),
                author: Actor {
                    kind: r.get(2),
                    id: r.get(3),
                    // A role this build does not know is the least one.
                    role: Role::parse(&r.get::<String, _>(4)).unwrap_or(Role::ReadOnly),
                },
                body: r.get(5),
                created_at: r.get(6),
            })
            .collect())
    }
}
