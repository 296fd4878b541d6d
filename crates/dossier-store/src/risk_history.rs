//! Every risk a case had: one row each time its score or level changed, with the assessment (and so
//! its explanation) as it was.

use dossier_domain::access::Role;
use dossier_domain::audit::Actor;
use dossier_domain::workflow::RiskAssessment;
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};
use utoipa::ToSchema;

use crate::{Result, Store, Tx, corrupt};

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RiskHistoryEntry {
    pub id: String,
    pub application_id: String,
    pub score: i64,
    pub level: String,
    /// The audit action of the change that moved the risk (`application.updated`, `risk.adjusted`…).
    pub cause: String,
    pub actor: Actor,
    pub assessment: RiskAssessment,
    pub created_at: String,
}

impl Tx {
    pub async fn insert_risk_history(
        &mut self,
        workspace_id: &str,
        e: &RiskHistoryEntry,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO risk_history (id, workspace_id, application_id, score, level, cause, actor_kind, \
             actor_id, assessment, created_at, actor_role) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&e.id)
        .bind(workspace_id)
        .bind(&e.application_id)
        .bind(e.score)
        .bind(&e.level)
        .bind(&e.cause)
        .bind(&e.actor.kind)
        .bind(&e.actor.id)
        .bind(serde_json::to_string(&e.assessment).expect("an assessment serialises"))
        .bind(&e.created_at)
        .bind(e.actor.role.as_str())
        .execute(self.conn().await?)
        .await?;
        Ok(())
    }
}

impl Store {
    /// A case's risk history, newest first.
    pub async fn risk_history(
        &self,
        workspace_id: &str,
        application_id: &str,
        before_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<RiskHistoryEntry>> {
        // No sentinel for "no cursor": under a language collation `~` sorts before the ids.
        let cursor = if before_id.is_some() {
            " AND id < $4"
        } else {
            ""
        };
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT id, application_id, score, level, cause, actor_kind, actor_id, assessment, created_at, actor_role \
             FROM risk_history WHERE workspace_id = $1 AND application_id = $2{cursor} \
             ORDER BY id DESC LIMIT $3"
        )))
        .bind(workspace_id)
        .bind(application_id)
        .bind(limit);
        let rows = match before_id {
            Some(id) => rows.bind(id),
            None => rows,
        }
        .fetch_all(self.reader())
        .await?;
        rows.into_iter()
            .map(|r| {
                let assessment: String = r.get(7);
                Ok(RiskHistoryEntry {
                    id: r.get(0),
                    application_id: r.get(1),
                    score: r.get(2),
                    level: r.get(3),
                    cause: r.get(4),
                    actor: Actor {
                        kind: r.get(5),
                        id: r.get(6),
                        role: Role::parse(&r.get::<String, _>(9)).unwrap_or_default(),
                    },
                    assessment: serde_json::from_str(&assessment)
                        .map_err(|e| corrupt("risk assessment", e))?,
                    created_at: r.get(8),
                })
            })
            .collect()
    }
}
