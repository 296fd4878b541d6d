//! Request extractors shared by every route: the JSON body (with its size limit and field-naming
//! errors) and list paging.

use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{header, request::Parts};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use utoipa::IntoParams;

use crate::error::ApiError;

/// JSON routes accept at most this much.
pub const MAX_JSON_BODY: u64 = 1024 * 1024;

/// A JSON body: 415 unless `Content-Type` is JSON, 413 over 1 MiB, 400 when malformed, 422 naming the
/// field when it does not fit the route's shape. Keeps the body's SHA-256 for idempotency.
pub struct JsonBody<T> {
    pub value: T,
    pub digest: String,
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
            return Err(ApiError::UnsupportedMediaType(
                "send the body as JSON with `Content-Type: application/json`".into(),
            ));
        }
        let bytes = read_limited(req.into_body(), MAX_JSON_BODY).await?;
        let digest = hex::encode(Sha256::digest(&bytes));
        let raw: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))?;
        let value = serde_path_to_error::deserialize(raw).map_err(|e| {
            let path = e.path().to_string();
            let field = if path == "." {
                "body".to_string()
            } else {
                path
            };
            ApiError::invalid(&field, e.into_inner().to_string())
        })?;
        Ok(JsonBody { value, digest })
    }
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
                    return ApiError::PayloadTooLarge(limit);
                }
                source = s.source();
            }
            ApiError::BadRequest(format!("the body could not be read: {e}"))
        })
}

/// `limit` and `cursor` of every list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Page {
    /// 1–100, default 20.
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl Page {
    /// The limit to ask the store for: one more than the page, to know whether another page follows.
    pub fn fetch_limit(&self) -> Result<i64, ApiError> {
        match self.limit {
            None => Ok(21),
            Some(n) if (1..=100).contains(&n) => Ok(n + 1),
            Some(_) => Err(ApiError::invalid("limit", "must be between 1 and 100")),
        }
    }
}

/// Cuts the extra item fetched by [`Page::fetch_limit`] and gives the cursor of the next page.
pub fn paginate<T: serde::Serialize>(
    mut items: Vec<T>,
    fetch_limit: i64,
    cursor_of: impl Fn(&T) -> String,
) -> serde_json::Value {
    let page = (fetch_limit - 1) as usize;
    let next = if items.len() > page {
        items.truncate(page);
        items.last().map(&cursor_of)
    } else {
        None
    };
    serde_json::json!({ "data": items, "next_cursor": next })
}

/// A query string that does not parse is a 400 naming the parameter.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str(q)
            .map(Query)
            .map_err(|e| ApiError::BadRequest(format!("bad query string: {e}")))
    }
}
