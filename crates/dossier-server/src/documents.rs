//! Documents of a case: `/api/applications/{id}/documents`. An upload is streamed to the object store
//! (never held whole in memory): its first bytes decide the content type (415 when refused or when
//! they contradict the declared type), its size is counted as it arrives (413 past the limit), and its
//! SHA-256 is computed on the way. Then, in one transaction, the document row, the case's
//! re-evaluation (tasks, risk), the events and the audit entries are written.

use axum::Json;
use axum::body::Body;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dossier_domain::application::Application;
use dossier_domain::audit::{Actor, diff};
use dossier_domain::relationship;
use dossier_domain::workflow::documents::{SNIFF_LEN, check_upload, sniff};
use dossier_domain::workflow::{DocumentStatus, DocumentType};
use dossier_store::{Document, Tx, now};
use object_store::path::Path as StorePath;
use object_store::{ObjectStoreExt, WriteMultipart};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::applications::service;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{JsonBody, Page, Query, paginate};
use crate::workflow::ENGINE;
use crate::write::Idempotency;

/// Room for the multipart framing and the small fields around the file when checking
/// `Content-Length` against the size limit.
const MULTIPART_OVERHEAD: u64 = 64 * 1024;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload_document, list_documents))
        .routes(routes!(get_document, update_document, delete_document))
        .routes(routes!(document_content))
        .routes(routes!(document_types))
}

/// The document-type catalogue: each type with whose document it can be and the reasons a reviewer
/// picks from when marking one invalid.
#[utoipa::path(get, path = "/api/document_types", tag = "documents",
    responses((status = 200, description = "`{data: [DocumentType], next_cursor: null}`", body = [DocumentType])))]
async fn document_types(_auth: Auth) -> Json<Value> {
    let types: Vec<&DocumentType> = ENGINE.catalogue.types().collect();
    Json(json!({ "data": types, "next_cursor": null }))
}

/// The multipart form of an upload (for the OpenAPI description).
#[derive(ToSchema)]
#[allow(dead_code)]
struct DocumentUpload {
    /// The file: PDF, JPEG, PNG, WebP, HEIC/HEIF or TIFF.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// A document type of the catalogue, e.g. `passport`.
    #[serde(rename = "type")]
    document_type: String,
    /// The related party the document belongs to; omit for the case's subject.
    relationship_id: Option<String>,
}

/// A file stored in the object store, not yet recorded.
struct StoredFile {
    key: StorePath,
    filename: Option<String>,
    content_type: &'static str,
    size: u64,
    sha256: String,
}

fn multipart_error(limit: u64) -> impl Fn(MultipartError) -> ApiError {
    move |e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge(limit)
        } else {
            ApiError::BadRequest(format!(
                "the multipart body could not be read: {}",
                e.body_text()
            ))
        }
    }
}

fn storage_error(e: object_store::Error) -> ApiError {
    ApiError::Internal(format!("document storage: {e}"))
}

/// Reads a small text field (at most 1 KiB).
async fn small_text(mut field: Field<'_>, name: &str, limit: u64) -> ApiResult<String> {
    let mut buf = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error(limit))? {
        buf.extend_from_slice(&chunk);
        if buf.len() > 1024 {
            return Err(ApiError::invalid(name, "at most 1024 bytes"));
        }
    }
    String::from_utf8(buf).map_err(|_| ApiError::invalid(name, "must be UTF-8 text"))
}

/// Streams the `file` part to the object store, sniffing its first bytes before anything is written.
async fn store_file(
    state: &AppState,
    key: StorePath,
    mut field: Field<'_>,
    limit: u64,
) -> ApiResult<StoredFile> {
    let filename = field.file_name().map(str::to_string);
    let declared = field.content_type().map(str::to_string);
    let mut size: u64 = 0;
    let mut head = Vec::with_capacity(SNIFF_LEN);
    let mut held = Vec::new();
    while head.len() < SNIFF_LEN {
        let Some(chunk) = field.chunk().await.map_err(multipart_error(limit))? else {
            break;
        };
        size += chunk.len() as u64;
        if size > limit {
            return Err(ApiError::PayloadTooLarge(limit));
        }
        let take = chunk.len().min(SNIFF_LEN - head.len());
        head.extend_from_slice(&chunk[..take]);
        held.push(chunk);
    }
    let kind = check_upload(&head, declared.as_deref(), filename.as_deref())
        .map_err(|e| ApiError::UnsupportedMediaType(e.to_string()))?;
    debug_assert_eq!(kind, sniff(&head));
    let upload = state
        .documents
        .put_multipart(&key)
        .await
        .map_err(storage_error)?;
    let mut writer = WriteMultipart::new(upload);
    let mut hasher = Sha256::new();
    for chunk in held {
        hasher.update(&chunk);
        writer.put(chunk);
    }
    loop {
        let chunk = match field.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(e) => {
                let _ = writer.abort().await;
                return Err(multipart_error(limit)(e));
            }
        };
        size += chunk.len() as u64;
        if size > limit {
            let _ = writer.abort().await;
            return Err(ApiError::PayloadTooLarge(limit));
        }
        hasher.update(&chunk);
        if let Err(e) = writer.wait_for_capacity(4).await {
            let _ = writer.abort().await;
            return Err(storage_error(e));
        }
        writer.put(chunk);
    }
    writer.finish().await.map_err(storage_error)?;
    Ok(StoredFile {
        key,
        filename,
        content_type: kind.mime(),
        size,
        sha256: hex::encode(hasher.finalize()),
    })
}

fn check_type(document_type: &str) -> ApiResult<()> {
    if ENGINE.catalogue.get(document_type).is_none() {
        return Err(ApiError::invalid(
            "type",
            format!(
                "unknown document type `{document_type}`; use one of: {}",
                ENGINE.catalogue.names().join(", ")
            ),
        ));
    }
    Ok(())
}

fn check_relationship(app: &Application, relationship_id: &str) -> ApiResult<()> {
    if !relationship_id.is_empty()
        && relationship::find(&app.relationships, relationship_id).is_none()
    {
        return Err(ApiError::invalid(
            "relationship_id",
            "no such related party on this case",
        ));
    }
    Ok(())
}

/// Discards what is left of a refused upload, at most `budget` bytes.
async fn drain(multipart: &mut Multipart, budget: u64) {
    let mut seen: u64 = 0;
    while let Ok(Some(mut field)) = multipart.next_field().await {
        while let Ok(Some(chunk)) = field.chunk().await {
            seen += chunk.len() as u64;
            if seen > budget {
                return;
            }
        }
    }
}

/// Uploads a document (multipart: `file`, `type`, optional `relationship_id`).
#[utoipa::path(post, path = "/api/applications/{id}/documents", tag = "documents",
    request_body(content = DocumentUpload, content_type = "multipart/form-data"),
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe upload")),
    responses((status = 201, body = Document), (status = 404, body = Problem), (status = 413, body = Problem),
        (status = 415, body = Problem), (status = 422, body = Problem)))]
async fn upload_document(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    request: Request,
) -> ApiResult<Response> {
    auth.require_write()?;
    let ws = auth.workspace_id().to_string();
    let limit = state.config.document_max_bytes;
    let headers = request.headers().clone();
    let declared_length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared_length.is_some_and(|n| n > limit.saturating_add(MULTIPART_OVERHEAD)) {
        return Err(ApiError::PayloadTooLarge(limit));
    }
    let Some(current) = state.store.application(&ws, &id).await? else {
        return Err(ApiError::NotFound("application"));
    };
    let mut multipart = Multipart::from_request(request, &state)
        .await
        .map_err(|e| {
            ApiError::UnsupportedMediaType(format!(
                "send the document as multipart/form-data with `file` and `type` parts ({})",
                e.body_text()
            ))
        })?;
    let doc_id = dossier_domain::id::new_id("doc");
    let key = StorePath::from(format!("{ws}/{id}/{doc_id}"));
    let mut document_type = None;
    let mut relationship_id = None;
    let mut file: Option<StoredFile> = None;
    let read = async {
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(multipart_error(limit))?
        {
            match field.name().unwrap_or("") {
                // Checked as they arrive (again in the transaction), so that a bad request is
                // refused before its file is streamed when the form sends them first.
                "type" => {
                    let t = small_text(field, "type", limit).await?;
                    check_type(&t)?;
                    document_type = Some(t);
                }
                "relationship_id" => {
                    let r = small_text(field, "relationship_id", limit).await?;
                    check_relationship(&current, &r)?;
                    relationship_id = Some(r);
                }
                "file" if file.is_none() => {
                    file = Some(store_file(&state, key.clone(), field, limit).await?)
                }
                "file" => return Err(ApiError::invalid("file", "send one file per upload")),
                other => {
                    return Err(ApiError::invalid(
                        other,
                        "unknown part; send `file`, `type` and optionally `relationship_id`",
                    ));
                }
            }
        }
        Ok(())
    };
    let read: ApiResult<()> = read.await;
    let cleanup = async |state: &AppState| {
        let _ = state.documents.delete(&key).await;
    };
    if let Err(e) = read {
        cleanup(&state).await;
        // Read (and drop) the rest of the body, up to the limit, so that the client is done sending
        // when the refusal arrives and gets it rather than a reset connection.
        drain(&mut multipart, limit).await;
        return Err(e);
    }
    let Some(file) = file else {
        return Err(ApiError::invalid("file", "a `file` part is required"));
    };
    let digest = format!(
        "{}\n{}\n{}",
        file.sha256,
        document_type.as_deref().unwrap_or(""),
        relationship_id.as_deref().unwrap_or("")
    );
    let route = format!("POST /api/applications/{id}/documents");
    let idem = match Idempotency::from_request(&headers, &route, &digest) {
        Ok(i) => i,
        Err(e) => {
            cleanup(&state).await;
            return Err(e);
        }
    };
    let actor = auth.actor();
    let result = state
        .write(&auth, idem, async |tx| {
            let mut app = service::load(tx, &ws, &id).await?;
            let before = app.clone();
            let document_type = document_type
                .ok_or_else(|| ApiError::invalid("type", "a `type` part is required"))?;
            check_type(&document_type)?;
            let relationship_id = relationship_id.filter(|r| !r.is_empty());
            if let Some(r) = &relationship_id {
                check_relationship(&app, r)?;
            }
            let at = now();
            let doc = Document {
                id: doc_id.clone(),
                application_id: id.clone(),
                relationship_id,
                document_type,
                filename: file.filename.clone(),
                content_type: file.content_type.to_string(),
                size: file.size as i64,
                sha256: file.sha256.clone(),
                status: DocumentStatus::Unset,
                reason: None,
                uploaded_by: actor.clone(),
                created_at: at.clone(),
                updated_at: at,
                deleted_at: None,
                storage_key: file.key.to_string(),
            };
            tx.insert_document(&ws, &doc).await?;
            app.documents.push(doc.case_document());
            service::save(tx, &ws, &actor, "document.created", &before, app).await?;
            let object = record(tx, &ws, &actor, "document.created", None, &doc).await?;
            Ok((StatusCode::CREATED, object))
        })
        .await;
    match result {
        Ok(resp) if resp.headers().contains_key("idempotent-replayed") => {
            cleanup(&state).await;
            Ok(resp)
        }
        Ok(resp) => Ok(resp),
        Err(e) => {
            cleanup(&state).await;
            Err(e)
        }
    }
}

/// Emits `document.*` with the document as `data.object` and audits the document's change.
async fn record(
    tx: &mut Tx,
    ws: &str,
    actor: &Actor,
    action: &str,
    before: Option<&Document>,
    doc: &Document,
) -> ApiResult<Value> {
    let object = to_json(doc);
    tx.emit(ws, action, Some(&doc.application_id), &object)
        .await?;
    let before = before.map(to_json).unwrap_or(Value::Null);
    let after = if action == "document.deleted" {
        json!({"deleted_at": doc.deleted_at})
    } else {
        object.clone()
    };
    tx.audit(
        ws,
        actor,
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

/// Lists a case's documents, newest first.
#[utoipa::path(get, path = "/api/applications/{id}/documents", tag = "documents", params(Page),
    responses((status = 200, description = "`{data: [Document], next_cursor}`", body = [Document]), (status = 404, body = Problem)))]
async fn list_documents(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Value>> {
    let ws = auth.workspace_id();
    service::ensure_exists(&state.store, ws, &id).await?;
    let fetch = page.fetch_limit()?;
    let docs = state
        .store
        .documents(ws, &id, page.cursor.as_deref(), fetch)
        .await?;
    Ok(Json(paginate(docs, fetch, |d| d.id.clone())))
}

async fn find(state: &AppState, auth: &Auth, id: &str, doc_id: &str) -> ApiResult<Document> {
    state
        .store
        .document(auth.workspace_id(), id, doc_id)
        .await?
        .ok_or(ApiError::NotFound("document"))
}

/// Reads a document's record.
#[utoipa::path(get, path = "/api/applications/{id}/documents/{doc_id}", tag = "documents",
    responses((status = 200, body = Document), (status = 404, body = Problem)))]
async fn get_document(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, doc_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    Ok(Json(to_json(&find(&state, &auth, &id, &doc_id).await?)))
}

/// Downloads a document's content, with its detected type; only PDFs and common images are shown
/// inline, anything else is an attachment; never sniffed by the browser.
#[utoipa::path(get, path = "/api/applications/{id}/documents/{doc_id}/content", tag = "documents",
    responses((status = 200, description = "The file", content_type = "application/octet-stream"), (status = 404, body = Problem)))]
async fn document_content(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, doc_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let doc = find(&state, &auth, &id, &doc_id).await?;
    let got = state
        .documents
        .get(&StorePath::from(doc.storage_key.as_str()))
        .await
        .map_err(storage_error)?;
    let inline = matches!(
        doc.content_type.as_str(),
        "application/pdf" | "image/jpeg" | "image/png" | "image/webp"
    );
    let name: String = doc
        .filename
        .as_deref()
        .unwrap_or(&doc.id)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "{}; filename=\"{name}\"",
        if inline { "inline" } else { "attachment" }
    );
    let mut headers = HeaderMap::new();
    let value = |s: &str| {
        HeaderValue::from_str(s)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
    };
    headers.insert(header::CONTENT_TYPE, value(&doc.content_type));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(doc.size as u64));
    headers.insert(header::CONTENT_DISPOSITION, value(&disposition));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok((headers, Body::from_stream(got.into_stream())).into_response())
}

/// Body of `PATCH /api/applications/{id}/documents/{doc_id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentPatch {
    pub status: DocumentStatus,
    /// Required with `invalid`: one of the document type's reasons.
    pub reason: Option<String>,
}

/// Marks a document `valid` or `invalid` (with a reason from its type's list), or back to `unset`.
#[utoipa::path(patch, path = "/api/applications/{id}/documents/{doc_id}", tag = "documents",
    request_body = DocumentPatch,
    responses((status = 200, body = Document), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_document(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, doc_id)): Path<(String, String)>,
    body: JsonBody<DocumentPatch>,
) -> ApiResult<Response> {
    let (ws, actor) = (auth.workspace_id().to_string(), auth.actor());
    state
        .write(&auth, None, async |tx| {
            let mut app = service::load(tx, &ws, &id).await?;
            let mut doc = tx
                .document(&ws, &id, &doc_id)
                .await?
                .ok_or(ApiError::NotFound("document"))?;
            let patch = body.value;
            ENGINE
                .catalogue
                .check_status(&doc.document_type, patch.status, patch.reason.as_deref())
                .map_err(|e| ApiError::invalid("reason", e.to_string()))?;
            let previous = doc.clone();
            doc.status = patch.status;
            doc.reason = patch
                .reason
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty());
            if doc == previous {
                return Ok((StatusCode::OK, to_json(&doc)));
            }
            doc.updated_at = now();
            tx.update_document(&ws, &doc).await?;
            let before = app.clone();
            if let Some(d) = app.documents.iter_mut().find(|d| d.id == doc.id) {
                *d = doc.case_document();
            }
            service::save(tx, &ws, &actor, "document.updated", &before, app).await?;
            let object = record(tx, &ws, &actor, "document.updated", Some(&previous), &doc).await?;
            Ok((StatusCode::OK, object))
        })
        .await
}

/// Deletes a document (soft: the record and the file are kept for the audit, hidden from the API).
#[utoipa::path(delete, path = "/api/applications/{id}/documents/{doc_id}", tag = "documents",
    responses((status = 204), (status = 404, body = Problem)))]
async fn delete_document(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, doc_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (ws, actor) = (auth.workspace_id().to_string(), auth.actor());
    state
        .write(&auth, None, async |tx| {
            let mut app = service::load(tx, &ws, &id).await?;
            let mut doc = tx
                .document(&ws, &id, &doc_id)
                .await?
                .ok_or(ApiError::NotFound("document"))?;
            let previous = doc.clone();
            let at = now();
            doc.deleted_at = Some(at.clone());
            doc.updated_at = at;
            tx.update_document(&ws, &doc).await?;
            let before = app.clone();
            app.documents.retain(|d| d.id != doc.id);
            service::save(tx, &ws, &actor, "document.deleted", &before, app).await?;
            record(tx, &ws, &actor, "document.deleted", Some(&previous), &doc).await?;
            Ok((StatusCode::NO_CONTENT, Value::Null))
        })
        .await
}
