//! Documents of a case: `/api/applications/{id}/documents`. The multipart form is read here; its file
//! streams through the application layer's upload pipeline (`dossier_app::documents`): 415 when its
//! content is refused or contradicts the declared type, 413 past the limit.

use axum::Json;
use axum::body::Body;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dossier_app::AppError;
use dossier_app::documents::{self, FileUpload};
use dossier_domain::workflow::{DocumentStatus, DocumentType};
use dossier_store::Document;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiResult, Problem};
use crate::extract::{JsonBody, Page, Query, idempotency_key, respond};

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
    responses((status = 200, description = "The catalogue, in one page", body = crate::extract::ListPage<DocumentType>)))]
async fn document_types(_auth: Auth) -> Json<Value> {
    let types: Vec<&DocumentType> = documents::document_types();
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

fn multipart_error(limit: u64) -> impl Fn(MultipartError) -> AppError {
    move |e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge(limit)
        } else {
            AppError::BadRequest(
                "unreadable_multipart",
                format!("the multipart body could not be read: {}", e.body_text()),
            )
        }
    }
}

/// Reads a small text field (at most 1 KiB).
async fn small_text(mut field: Field<'_>, name: &str, limit: u64) -> Result<String, AppError> {
    let mut buf = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error(limit))? {
        buf.extend_from_slice(&chunk);
        if buf.len() > 1024 {
            return Err(AppError::invalid(name, "at most 1024 bytes"));
        }
    }
    let text = String::from_utf8(buf).map_err(|_| AppError::invalid(name, "must be UTF-8 text"))?;
    if text.contains('\0') {
        return Err(AppError::invalid(
            name,
            "must not contain the NUL character",
        ));
    }
    Ok(text)
}

/// Feeds the `file` part to the upload pipeline.
async fn stream_file(
    upload: &mut FileUpload,
    mut field: Field<'_>,
    limit: u64,
) -> Result<(), AppError> {
    while let Some(chunk) = field.chunk().await.map_err(multipart_error(limit))? {
        upload.push(chunk).await?;
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
    let key = idempotency_key(request.headers())?.map(str::to_string);
    let upload = receive_upload(&state, &auth, &id, request, &[], |_| Ok(())).await?;
    let idem = match key {
        Some(key) => {
            let digest = format!(
                "{}\n{}\n{}",
                upload.file.sha256(),
                upload.document_type.as_deref().unwrap_or(""),
                upload.relationship_id.as_deref().unwrap_or("")
            );
            let operation = format!("POST /api/applications/{id}/documents");
            match dossier_app::Idempotency::with_digest(&key, &operation, &digest) {
                Ok(i) => Some(i),
                Err(e) => {
                    upload.file.discard().await;
                    return Err(e.into());
                }
            }
        }
        None => None,
    };
    let written = state
        .app
        .record_upload(
            &auth,
            idem,
            &id,
            upload.file,
            upload.document_type,
            upload.relationship_id,
        )
        .await?;
    Ok(respond(written))
}

/// A document upload as read from its multipart form: the stored file, its `type` and
/// `relationship_id` parts.
pub(crate) struct Upload {
    pub file: documents::StoredFile,
    pub document_type: Option<String>,
    pub relationship_id: Option<String>,
}

/// What the parts before the file said, for a check that runs before the file is streamed.
pub(crate) struct BeforeFile<'a> {
    pub document_type: Option<&'a str>,
    pub relationship_id: Option<&'a str>,
    pub parts: &'a [(String, String)],
}

/// Reads a multipart document upload to case `id` for `p`: the text parts are checked as they
/// arrive (other text parts only when named in `extra`, e.g. a page's CSRF token) and
/// `before_file` runs when the file part begins, so a bad request is refused before its
/// file is streamed (forms send the text parts first). The file streams through the application
/// layer's pipeline; on any refusal nothing is left stored and the rest of the body is drained.
pub(crate) async fn receive_upload(
    state: &AppState,
    p: &dossier_app::Principal,
    id: &str,
    request: Request,
    extra: &[&str],
    before_file: impl Fn(BeforeFile<'_>) -> Result<(), AppError>,
) -> Result<Upload, AppError> {
    let limit = state.app.document_limit();
    let declared_length = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared_length.is_some_and(|n| n > limit.saturating_add(MULTIPART_OVERHEAD)) {
        return Err(AppError::PayloadTooLarge(limit));
    }
    let mut multipart = Multipart::from_request(request, state).await.map_err(|e| {
        AppError::UnsupportedMediaType(
            "multipart_expected",
            format!(
                "send the document as multipart/form-data with `file` and `type` parts ({})",
                e.body_text()
            ),
        )
    })?;
    let mut case = None;
    let mut document_type = None;
    let mut relationship_id = None;
    let mut parts = Vec::new();
    let mut file = None;
    let read: Result<(), AppError> = async {
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(multipart_error(limit))?
        {
            match field.name().unwrap_or("") {
                "type" => {
                    let t = small_text(field, "type", limit).await?;
                    documents::check_type(&t)?;
                    document_type = Some(t);
                }
                "relationship_id" => {
                    let r = small_text(field, "relationship_id", limit).await?;
                    if let Some(case) = &case {
                        documents::check_relationship(case, &r)?;
                    }
                    relationship_id = Some(r).filter(|r: &String| !r.is_empty());
                }
                // A form's file input left empty still sends its part, with no file name. The
                // check runs for it as for a file (a form that sent nothing is told why, and its
                // parts were those of a form allowed to send).
                "file" if field.file_name() == Some("") => {
                    before_file(BeforeFile {
                        document_type: document_type.as_deref(),
                        relationship_id: relationship_id.as_deref(),
                        parts: &parts,
                    })?;
                    small_text(field, "file", 1024).await?;
                }
                "file" if file.is_none() => {
                    if field.file_name().is_some_and(|n| n.contains('\0')) {
                        return Err(AppError::invalid(
                            "file",
                            "the file name must not contain the NUL character",
                        ));
                    }
                    before_file(BeforeFile {
                        document_type: document_type.as_deref(),
                        relationship_id: relationship_id.as_deref(),
                        parts: &parts,
                    })?;
                    let (current, mut u) = state
                        .app
                        .begin_upload(
                            p,
                            id,
                            field.file_name().map(str::to_string),
                            field.content_type().map(str::to_string),
                        )
                        .await?;
                    if let Some(r) = &relationship_id {
                        documents::check_relationship(&current, r)?;
                    }
                    case = Some(current);
                    let streamed = stream_file(&mut u, field, limit).await;
                    match streamed {
                        Ok(()) => file = Some(u.finish().await?),
                        Err(e) => {
                            u.abort().await;
                            return Err(e);
                        }
                    }
                }
                "file" => return Err(AppError::invalid("file", "send one file per upload")),
                other if extra.contains(&other) => {
                    let name = other.to_string();
                    let text = small_text(field, &name, limit).await?;
                    parts.push((name, text));
                }
                other => {
                    return Err(AppError::invalid(
                        other,
                        "unknown part; send `file`, `type` and optionally `relationship_id`",
                    ));
                }
            }
        }
        Ok(())
    }
    .await;
    if let Err(e) = read {
        if let Some(f) = file {
            f.discard().await;
        }
        // Read (and drop) the rest of the body, up to the limit, so that the client is done sending
        // when the refusal arrives and gets it rather than a reset connection.
        drain(&mut multipart, limit).await;
        return Err(e);
    }
    let Some(file) = file else {
        return Err(AppError::Invalid(vec![
            dossier_domain::validation::FieldError {
                field: "file".into(),
                code: "required",
                message: "a `file` part is required".into(),
            },
        ]));
    };
    Ok(Upload {
        file,
        document_type,
        relationship_id,
    })
}

/// Lists a case's documents, newest first.
#[utoipa::path(get, path = "/api/applications/{id}/documents", tag = "documents", params(Page),
    responses((status = 200, description = "One page of documents", body = crate::extract::ListPage<Document>), (status = 404, body = Problem)))]
async fn list_documents(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        state
            .app
            .documents(&auth, &id, page.cursor.as_deref(), page.limit)
            .await?,
    ))
}

/// Reads a document's record.
#[utoipa::path(get, path = "/api/applications/{id}/documents/{doc_id}", tag = "documents",
    responses((status = 200, body = Document), (status = 404, body = Problem)))]
async fn get_document(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, doc_id)): Path<(String, String)>,
) -> ApiResult<Json<Document>> {
    Ok(Json(state.app.document(&auth, &id, &doc_id).await?))
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
    let content = state.app.document_content(&auth, &id, &doc_id).await?;
    Ok(content_response(content, "sandbox; default-src 'none'"))
}

/// A document's bytes with their detected type, `inline` only for PDFs and common images, never
/// sniffed, not cached, under `csp` (which must keep `sandbox`: a stored file is the client's
/// bytes, and even a PDF that is also HTML (a polyglot) must run nothing and load nothing when
/// opened from our origin). The back-office serves its previews with it too.
pub(crate) fn content_response(
    content: dossier_app::documents::DocumentContent,
    csp: &'static str,
) -> Response {
    let doc = &content.document;
    let disposition = format!(
        "{}; filename=\"{}\"",
        if content.inline {
            "inline"
        } else {
            "attachment"
        },
        content.filename
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
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    (headers, Body::from_stream(content.stream)).into_response()
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
    let DocumentPatch { status, reason } = body.value;
    let written = (state.app)
        .review_document(&auth, &id, &doc_id, status, reason)
        .await?;
    Ok(respond(written))
}

/// Deletes a document (soft: the record and the file are kept for the audit, hidden from the API).
#[utoipa::path(delete, path = "/api/applications/{id}/documents/{doc_id}", tag = "documents",
    responses((status = 204), (status = 404, body = Problem)))]
async fn delete_document(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, doc_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    Ok(respond(
        state.app.delete_document(&auth, &id, &doc_id).await?,
    ))
}
