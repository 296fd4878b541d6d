//! Documents of a case: one metadata row each (the bytes live in the object store under
//! `storage_key`). Deleting is soft: the row stays with `deleted_at`, and the audit keeps who did it.

use dossier_domain::access::Role;
use dossier_domain::audit::Actor;
use dossier_domain::workflow::{CaseDocument, DocumentStatus};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use utoipa::ToSchema;

use crate::{Result, Store, Tx, corrupt};

/// A document as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Document {
    pub id: String,
    pub application_id: String,
    /// The related party the document belongs to; `null` for the case's subject.
    pub relationship_id: Option<String>,
    /// A type of the document catalogue, e.g. `passport`, `certificate_of_incorporation`.
    #[serde(rename = "type")]
    pub document_type: String,
    /// The file name the client sent.
    pub filename: Option<String>,
    /// Detected from the bytes, not taken from the client.
    pub content_type: String,
    pub size: i64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
    pub status: DocumentStatus,
    /// Why the document is invalid (one of its type's reasons).
    pub reason: Option<String>,
    pub uploaded_by: Actor,
    pub created_at: String,
    pub updated_at: String,
    /// Set when deleted (deleted documents are only visible in the audit trail).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<String>,
    #[serde(skip)]
    pub storage_key: String,
}

impl Document {
    /// What the workflow engine sees of it.
    pub fn case_document(&self) -> CaseDocument {
        CaseDocument {
            id: self.id.clone(),
            document_type: self.document_type.clone(),
            relationship_id: self.relationship_id.clone(),
            status: self.status,
            reason: self.reason.clone(),
        }
    }
}

const COLUMNS: &str = "id, application_id, relationship_id, type, filename, content_type, size_bytes, sha256, \
                       storage_key, status, reason, uploaded_by_kind, uploaded_by_id, created_at, updated_at, deleted_at, uploaded_by_role";

fn decode(r: &AnyRow) -> Result<Document> {
    let status: String = r.get(9);
    Ok(Document {
        id: r.get(0),
        application_id: r.get(1),
        relationship_id: r.get(2),
        document_type: r.get(3),
        filename: r.get(4),
        content_type: r.get(5),
        size: r.get(6),
        sha256: r.get(7),
        storage_key: r.get(8),
        status: serde_json::from_value(serde_json::Value::String(status))
            .map_err(|e| corrupt("document status", e))?,
        reason: r.get(10),
        uploaded_by: Actor {
            kind: r.get(11),
            id: r.get(12),
            role: Role::parse(&r.get::<String, _>(16)).unwrap_or_default(),
        },
        created_at: r.get(13),
        updated_at: r.get(14),
        deleted_at: r.get(15),
    })
}

impl Tx {
    pub async fn insert_document(&mut self, workspace_id: &str, d: &Document) -> Result<()> {
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO documents (workspace_id, {COLUMNS}) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
        )))
        .bind(workspace_id)
        .bind(&d.id)
        .bind(&d.application_id)
        .bind(&d.relationship_id)
        .bind(&d.document_type)
        .bind(&d.filename)
        .bind(&d.content_type)
        .bind(d.size)
        .bind(&d.sha256)
        .bind(&d.storage_key)
        .bind(d.status.as_str())
        .bind(&d.reason)
        .bind(&d.uploaded_by.kind)
        .bind(&d.uploaded_by.id)
        .bind(&d.created_at)
        .bind(&d.updated_at)
        .bind(&d.deleted_at)
        .bind(d.uploaded_by.role.as_str())
        .execute(self.conn().await?)
        .await?;
        Ok(())
    }

    /// A live document of a case, read inside the transaction (the case row is locked by the caller).
    pub async fn document(
        &mut self,
        workspace_id: &str,
        application_id: &str,
        id: &str,
    ) -> Result<Option<Document>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM documents WHERE workspace_id = $1 AND application_id = $2 AND id = $3 \
             AND deleted_at IS NULL"
        )))
        .bind(workspace_id)
        .bind(application_id)
        .bind(id)
        .fetch_optional(self.conn().await?)
        .await?;
        row.as_ref().map(decode).transpose()
    }

    /// Stores a document's status, reason, `updated_at` and `deleted_at`.
    pub async fn update_document(&mut self, workspace_id: &str, d: &Document) -> Result<()> {
        sqlx::query(
            "UPDATE documents SET status = $1, reason = $2, updated_at = $3, deleted_at = $4 \
             WHERE workspace_id = $5 AND id = $6",
        )
        .bind(d.status.as_str())
        .bind(&d.reason)
        .bind(&d.updated_at)
        .bind(&d.deleted_at)
        .bind(workspace_id)
        .bind(&d.id)
        .execute(self.conn().await?)
        .await?;
        Ok(())
    }
}

impl Store {
    /// A case's live documents, newest first.
    pub async fn documents(
        &self,
        workspace_id: &str,
        application_id: &str,
        before_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Document>> {
        // No sentinel for "no cursor": under a language collation `~` sorts before the ids.
        let cursor = if before_id.is_some() {
            " AND id < $4"
        } else {
            ""
        };
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM documents WHERE workspace_id = $1 AND application_id = $2 \
             AND deleted_at IS NULL{cursor} ORDER BY id DESC LIMIT $3"
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
        rows.iter().map(decode).collect()
    }

    pub async fn document(
        &self,
        workspace_id: &str,
        application_id: &str,
        id: &str,
    ) -> Result<Option<Document>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM documents WHERE workspace_id = $1 AND application_id = $2 AND id = $3 \
             AND deleted_at IS NULL"
        )))
        .bind(workspace_id)
        .bind(application_id)
        .bind(id)
        .fetch_optional(self.reader())
        .await?;
        row.as_ref().map(decode).transpose()
    }
}
