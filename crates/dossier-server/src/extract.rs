//! Request extractors shared by every route — the JSON body (with its size limit and field-naming
//! errors), list paging, the idempotency key — and the rendering of a change's answer.

use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use dossier_app::{AppError, Idempotency, Outcome, Written};
use dossier_domain::validation::decode_body;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use utoipa::IntoParams;

use crate::error::ApiError;

/// JSON routes accept at most this much.
pub const MAX_JSON_BODY: u64 = 1024 * 1024;

/// A JSON body: 415 unless `Content-Type` is JSON, 413 over 1 MiB, 400 when malformed, 422 naming the
/// field when it does not fit the route's shape. Keeps the parsed body for idempotency.
pub struct JsonBody<T> {
    pub value: T,
    pub raw: serde_json::Value,
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let mime = v
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            })
            .unwrap_or(false);
        if !is_json {
            return Err(AppError::UnsupportedMediaType(
                "json_expected",
                "send the body as JSON with `Content-Type: application/json`".into(),
            )
            .into());
        }
        let bytes = read_limited(req.into_body(), MAX_JSON_BODY).await?;
        let raw: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            AppError::BadRequest("malformed_json", format!("the body is not valid JSON: {e}"))
        })?;
        let value = decode_body(&raw).map_err(|e| AppError::Invalid(vec![e]))?;
        Ok(JsonBody { value, raw })
    }
}

/// True when a percent-encoded URL part decodes to a NUL byte (`%00`; a raw NUL cannot be sent).
fn has_encoded_nul(s: &str) -> bool {
    s.as_bytes()
        .windows(3)
        .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
}

/// Refuses, with a 400 `nul_byte`, a request whose path or query string holds an encoded NUL: it
/// could reach no resource, and PostgreSQL refuses such text. One check for every route, before the
/// path and query extractors decode them.
pub async fn refuse_nul(req: Request, next: axum::middleware::Next) -> Response {
    let uri = req.uri();
    if has_encoded_nul(uri.path()) || uri.query().is_some_and(has_encoded_nul) {
        return ApiError(AppError::BadRequest(
            "nul_byte",
            "the URL must not contain the NUL character (%00)".into(),
        ))
        .into_response();
    }
    next.run(req).await
}

/// Reads a body up to `limit` bytes; 413 past it. A `Content-Length` over the limit is refused before
/// anything is read.
pub async fn read_limited(body: Body, limit: u64) -> Result<axum::body::Bytes, ApiError> {
    axum::body::to_bytes(body, limit as usize)
        .await
        .map_err(|e| {
            let mut source: Option<&dyn std::error::Error> = Some(&e);
            while let Some(s) = source {
                if s.is::<http_body_util::LengthLimitError>() {
                    return AppError::PayloadTooLarge(limit).into();
                }
                source = s.source();
            }
            AppError::BadRequest(
                "unreadable_body",
                format!("the body could not be read: {e}"),
            )
            .into()
        })
}

/// The answer of every list, for the OpenAPI description: one page of items, newest first, and the
/// cursor of the next page (`null` on the last).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ListPage<T> {
    pub data: Vec<T>,
    /// Pass it as `cursor` to get the next page; `null` when this page is the last.
    pub next_cursor: Option<String>,
}

/// `limit` and `cursor` of every list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Page {
    /// 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The `Idempotency-Key` of a request, with the fingerprint of its parsed body.
pub fn idempotency(
    headers: &HeaderMap,
    operation: &str,
    body: &serde_json::Value,
) -> Result<Option<Idempotency>, ApiError> {
    idempotency_key(headers)?
        .map(|key| Idempotency::new(key, operation, body).map_err(ApiError::from))
        .transpose()
}

/// The raw `Idempotency-Key` header, if any.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    headers
        .get("idempotency-key")
        .map(|v| {
            v.to_str().map_err(|_| {
                AppError::BadRequest(
                    "idempotency_key",
                    "Idempotency-Key must be 1-255 visible ASCII characters".into(),
                )
                .into()
            })
        })
        .transpose()
}

/// A change's answer: its status, its JSON body, and `Idempotent-Replayed` on a kept answer.
pub fn respond(written: Written) -> Response {
    let status = match written.outcome {
        Outcome::Created => StatusCode::CREATED,
        Outcome::Changed => StatusCode::OK,
        Outcome::Accepted => StatusCode::ACCEPTED,
        Outcome::Deleted => StatusCode::NO_CONTENT,
    };
    let mut resp = if status == StatusCode::NO_CONTENT {
        status.into_response()
    } else {
        (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            written.body,
        )
            .into_response()
    };
    if written.replayed {
        resp.headers_mut().insert(
            "idempotent-replayed",
            axum::http::HeaderValue::from_static("true"),
        );
    }
    resp
}

/// A stored JSON document, handed over as is.
pub fn json_text(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// A query string that does not parse is a 400 naming the parameter.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str(q)
            .map(Query)
            .map_err(|e| AppError::BadRequest("bad_query", format!("bad query string: {e}")).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_nuls_are_found_and_only_them() {
        assert!(has_encoded_nul("/api/applications/app_%00"));
        assert!(has_encoded_nul("cursor=%00"));
        assert!(!has_encoded_nul("/api/applications/app_%2500"));
        assert!(!has_encoded_nul("name=100%25"));
    }
}
