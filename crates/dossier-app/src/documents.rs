//! Documents of a case, and the upload pipeline every surface uses: the type is checked against the
//! catalogue, the first bytes decide the content type (refused when unsafe or when they contradict
//! the declared type), the size is counted as the bytes arrive (refused past the limit), the SHA-256
//! is computed on the way, and the file is streamed to the object store — never held whole in
//! memory. Then, in one transaction, the document row, the case's re-evaluation, the events and the
//! audit entries are written; a refused or replayed upload leaves no file behind.

use bytes::Bytes;
use dossier_domain::application::Application;
use dossier_domain::audit::diff;
use dossier_domain::relationship;
use dossier_domain::workflow::documents::{SNIFF_LEN, check_upload};
// The upload path's file names are made safe in the domain (pure, and fuzzed there).
pub use dossier_domain::workflow::documents::{MAX_FILENAME_CHARS, normalise_filename};
use dossier_domain::workflow::{ContentKind, DocumentStatus, DocumentType};
use dossier_store::{Document, Tx, now};
use futures_util::stream::BoxStream;
use object_store::path::Path as StorePath;
use object_store::{ObjectStoreExt, WriteMultipart};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::applications::{change, ensure_exists};
use crate::error::{AppError, AppResult};
use crate::workflow::ENGINE;
use crate::{App, Idempotency, Outcome, Principal, Written, fetch_limit, paginate};

fn storage_error(e: object_store::Error) -> AppError {
    AppError::Internal(format!("document storage: {e}"))
}

/// The document-type catalogue: each type with whose document it can be and the reasons a reviewer
/// picks from when marking one invalid.
pub fn document_types() -> Vec<&'static DocumentType> {
    ENGINE.catalogue.types().collect()
}

/// Refuses a type that is not in the catalogue.
pub fn check_type(document_type: &str) -> AppResult<()> {
    if ENGINE.catalogue.get(document_type).is_none() {
        return Err(AppError::invalid(
            "type",
            format!(
                "unknown document type `{document_type}`; use one of: {}",
                ENGINE.catalogue.names().join(", ")
            ),
        ));
    }
    Ok(())
}

/// Refuses a related party that is not on the case (empty means the case's subject).
pub fn check_relationship(app: &Application, relationship_id: &str) -> AppResult<()> {
    if !relationship_id.is_empty()
        && relationship::find(&app.relationships, relationship_id).is_none()
    {
        return Err(AppError::invalid(
            "relationship_id",
            "no such related party on this case",
        ));
    }
    Ok(())
}

/// A file on its way into the object store. Feed it with [`FileUpload::push`], then
/// [`FileUpload::finish`]; on any error, [`FileUpload::abort`] removes what was written.
pub struct FileUpload {
    store: std::sync::Arc<dyn object_store::ObjectStore>,
    doc_id: String,
    key: StorePath,
    filename: Option<String>,
    declared: Option<String>,
    limit: u64,
    size: u64,
    head: Vec<u8>,
    held: Vec<Bytes>,
    kind: Option<ContentKind>,
    writer: Option<WriteMultipart>,
    hasher: Sha256,
}

/// A stored file, not yet recorded on its case.
pub struct StoredFile {
    doc_id: String,
    key: StorePath,
    filename: Option<String>,
    content_type: &'static str,
    size: u64,
    sha256: String,
    store: std::sync::Arc<dyn object_store::ObjectStore>,
}

impl StoredFile {
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Removes the stored file (a refused or replayed upload).
    pub async fn discard(self) {
        let _ = self.store.delete(&self.key).await;
    }
}

impl FileUpload {
    /// Adds the next bytes: refuses past the size limit, and sniffs the content once the first
    /// bytes are in (nothing is written before the content is accepted).
    pub async fn push(&mut self, chunk: Bytes) -> AppResult<()> {
        self.size += chunk.len() as u64;
        if self.size > self.limit {
            return Err(AppError::PayloadTooLarge(self.limit));
        }
        if self.kind.is_none() {
            let take = chunk.len().min(SNIFF_LEN - self.head.len());
            self.head.extend_from_slice(&chunk[..take]);
            self.held.push(chunk);
            if self.head.len() >= SNIFF_LEN {
                self.accept().await?;
            }
            return Ok(());
        }
        self.write(chunk).await
    }

    async fn accept(&mut self) -> AppResult<()> {
        let kind = check_upload(
            &self.head,
            self.declared.as_deref(),
            self.filename.as_deref(),
        )
        .map_err(|e| AppError::UnsupportedMediaType("document_type_refused", e.to_string()))?;
        self.kind = Some(kind);
        let upload = self
            .store
            .put_multipart(&self.key)
            .await
            .map_err(storage_error)?;
        self.writer = Some(WriteMultipart::new(upload));
        for chunk in std::mem::take(&mut self.held) {
            self.write(chunk).await?;
        }
        Ok(())
    }

    async fn write(&mut self, chunk: Bytes) -> AppResult<()> {
        self.hasher.update(&chunk);
        let writer = self.writer.as_mut().expect("accepted before writing");
        writer.wait_for_capacity(4).await.map_err(storage_error)?;
        writer.put(chunk);
        Ok(())
    }

    /// Completes the file (a file shorter than the sniffing window is checked here).
    pub async fn finish(mut self) -> AppResult<StoredFile> {
        if self.kind.is_none() {
            self.accept().await?;
        }
        let writer = self.writer.take().expect("accepted");
        writer.finish().await.map_err(storage_error)?;
        Ok(StoredFile {
            doc_id: self.doc_id,
            key: self.key,
            filename: self.filename,
            content_type: self.kind.expect("accepted").mime(),
            size: self.size,
            sha256: hex::encode(self.hasher.finalize()),
            store: self.store,
        })
    }

    /// Drops a refused upload and what it wrote.
    pub async fn abort(mut self) {
        if let Some(writer) = self.writer.take() {
            let _ = writer.abort().await;
        }
        let _ = self.store.delete(&self.key).await;
    }
}

/// A document's content and how to serve it.
pub struct DocumentContent {
    pub document: Document,
    /// PDFs and common images may be shown inline; anything else is an attachment.
    pub inline: bool,
    /// The file name reduced to characters safe in a header.
    pub filename: String,
    pub stream: BoxStream<'static, Result<Bytes, object_store::Error>>,
}

impl App {
    /// The largest upload accepted, in bytes.
    pub fn document_limit(&self) -> u64 {
        self.config.documents.max_bytes
    }

    /// Starts an upload to a case of the principal's workspace. Returns the case (to check the
    /// form's fields against while the file streams) and the upload to feed.
    pub async fn begin_upload(
        &self,
        p: &Principal,
        id: &str,
        filename: Option<String>,
        declared_type: Option<String>,
    ) -> AppResult<(Application, FileUpload)> {
        p.require_write()?;
        let case = self
            .store
            .application(p.ws(), id)
            .await?
            .ok_or(AppError::NotFound("application"))?;
        let doc_id = dossier_domain::id::new_id("doc");
        let key = StorePath::from(format!("{}/{id}/{doc_id}", p.ws()));
        Ok((
            case,
            FileUpload {
                store: self.documents.clone(),
                doc_id,
                key,
                filename: filename.as_deref().and_then(normalise_filename),
                declared: declared_type,
                limit: self.document_limit(),
                size: 0,
                head: Vec::with_capacity(SNIFF_LEN),
                held: Vec::new(),
                kind: None,
                writer: None,
                hasher: Sha256::new(),
            },
        ))
    }

    /// Records a stored file as a document of the case (`document.created`); the file is removed
    /// when the change is refused or replayed.
    pub async fn record_upload(
        &self,
        p: &Principal,
        idempotency: Option<Idempotency>,
        id: &str,
        file: StoredFile,
        document_type: Option<String>,
        relationship_id: Option<String>,
    ) -> AppResult<Written> {
        let result = self
            .write(p, idempotency, async |tx| {
                let document_type = document_type
                    .ok_or_else(|| AppError::invalid("type", "a `type` part is required"))?;
                check_type(&document_type)?;
                let relationship_id = relationship_id.filter(|r| !r.is_empty());
                let at = now();
                let doc = Document {
                    id: file.doc_id.clone(),
                    application_id: id.to_string(),
                    relationship_id,
                    document_type,
                    filename: file.filename.clone(),
                    content_type: file.content_type.to_string(),
                    size: file.size as i64,
                    sha256: file.sha256.clone(),
                    status: DocumentStatus::Unset,
                    reason: None,
                    uploaded_by: p.actor.clone(),
                    created_at: at.clone(),
                    updated_at: at,
                    deleted_at: None,
                    storage_key: file.key.to_string(),
                };
                tx.insert_document(p.ws(), &doc).await?;
                change(tx, p, id, "document.created", |app| {
                    if let Some(r) = &doc.relationship_id {
                        check_relationship(app, r)?;
                    }
                    app.documents.push(doc.case_document());
                    Ok(())
                })
                .await?;
                let object = record(tx, p, "document.created", None, &doc).await?;
                Ok((Outcome::Created, object))
            })
            .await;
        match result {
            Ok(written) if !written.replayed => Ok(written),
            other => {
                file.discard().await;
                other
            }
        }
    }

    /// One page of a case's documents, newest first.
    pub async fn documents(
        &self,
        p: &Principal,
        id: &str,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> AppResult<Value> {
        ensure_exists(&self.store, p.ws(), id).await?;
        let fetch = fetch_limit(limit)?;
        let cursor = crate::cursor(cursor, "doc")?;
        let docs = self.store.documents(p.ws(), id, cursor, fetch).await?;
        Ok(paginate(docs, fetch, |d| d.id.clone()))
    }

    pub async fn document(&self, p: &Principal, id: &str, doc_id: &str) -> AppResult<Document> {
        self.store
            .document(p.ws(), id, doc_id)
            .await?
            .ok_or(AppError::NotFound("document"))
    }

    /// A document's content, with how it may be served.
    pub async fn document_content(
        &self,
        p: &Principal,
        id: &str,
        doc_id: &str,
    ) -> AppResult<DocumentContent> {
        let document = self.document(p, id, doc_id).await?;
        let got = self
            .documents
            .get(&StorePath::from(document.storage_key.as_str()))
            .await
            .map_err(storage_error)?;
        let inline =
            ContentKind::from_mime(&document.content_type).is_some_and(ContentKind::safe_inline);
        let filename = document
            .filename
            .as_deref()
            .unwrap_or(&document.id)
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "._-".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        Ok(DocumentContent {
            document,
            inline,
            filename,
            stream: got.into_stream(),
        })
    }

    /// Marks a document `valid` or `invalid` (with a reason from its type's list), or back to
    /// `unset`.
    pub async fn review_document(
        &self,
        p: &Principal,
        id: &str,
        doc_id: &str,
        status: DocumentStatus,
        reason: Option<String>,
    ) -> AppResult<Written> {
        self.write(p, None, async |tx| {
            let mut doc = tx
                .document(p.ws(), id, doc_id)
                .await?
                .ok_or(AppError::NotFound("document"))?;
            ENGINE
                .catalogue
                .check_status(&doc.document_type, status, reason.as_deref())
                .map_err(|e| AppError::invalid("reason", e.to_string()))?;
            let previous = doc.clone();
            doc.status = status;
            doc.reason = reason
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty());
            if doc == previous {
                return Ok((Outcome::Changed, to_json(&doc)));
            }
            doc.updated_at = now();
            tx.update_document(p.ws(), &doc).await?;
            change(tx, p, id, "document.updated", |app| {
                if let Some(d) = app.documents.iter_mut().find(|d| d.id == doc.id) {
                    *d = doc.case_document();
                }
                Ok(())
            })
            .await?;
            let object = record(tx, p, "document.updated", Some(&previous), &doc).await?;
            Ok((Outcome::Changed, object))
        })
        .await
    }

    /// Deletes a document (soft: the record and the file are kept for the audit, hidden from the
    /// API).
    pub async fn delete_document(
        &self,
        p: &Principal,
        id: &str,
        doc_id: &str,
    ) -> AppResult<Written> {
        self.write(p, None, async |tx| {
            let mut doc = tx
                .document(p.ws(), id, doc_id)
                .await?
                .ok_or(AppError::NotFound("document"))?;
            let previous = doc.clone();
            let at = now();
            doc.deleted_at = Some(at.clone());
            doc.updated_at = at;
            tx.update_document(p.ws(), &doc).await?;
            change(tx, p, id, "document.deleted", |app| {
                app.documents.retain(|d| d.id != doc.id);
                Ok(())
            })
            .await?;
            record(tx, p, "document.deleted", Some(&previous), &doc).await?;
            Ok((Outcome::Deleted, Value::Null))
        })
        .await
    }
}

/// Emits `document.*` with the document as `data.object` and audits the document's change.
async fn record(
    tx: &mut Tx,
    p: &Principal,
    action: &str,
    before: Option<&Document>,
    doc: &Document,
) -> AppResult<Value> {
    let object = to_json(doc);
    tx.emit(p.ws(), action, Some(&doc.application_id), &object)
        .await?;
    let before = before.map(to_json).unwrap_or(Value::Null);
    let after = if action == "document.deleted" {
        json!({"deleted_at": doc.deleted_at})
    } else {
        object.clone()
    };
    tx.audit(
        p.ws(),
        &p.actor,
        action,
        "document",
        &doc.id,
        Some(&doc.application_id),
        &diff(&before, &after),
    )
    .await?;
    Ok(object)
}

fn to_json(doc: &Document) -> Value {
    serde_json::to_value(doc).expect("a document serialises")
}
