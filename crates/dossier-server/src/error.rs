//! API errors, rendered as `application/problem+json` (RFC 9457) with a `type`, a human `detail` and,
//! for validation, the list of `{field, message}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dossier_domain::validation::FieldError;
use dossier_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug)]
pub enum ApiError {
    /// 400: the request cannot be read (malformed JSON, bad query parameter).
    BadRequest(String),
    /// 401: no key, an unknown key or a revoked key.
    Unauthorized,
    /// 403: the key may not do this (a read-only key writing).
    Forbidden(String),
    /// 404: no such object in this workspace — also for other workspaces' objects, never leaked.
    NotFound(&'static str),
    /// 409: the request conflicts with the current state.
    Conflict(String),
    /// 413: the body is larger than the route accepts.
    PayloadTooLarge(u64),
    /// 415: the body is not of a type the route accepts.
    UnsupportedMediaType(String),
    /// 422: the request is readable but invalid; each problem names its field.
    Invalid(Vec<FieldError>),
    /// A refusal by a policy (the decision policy): its own status (403/409/422) and problem type.
    Refused {
        status: StatusCode,
        slug: &'static str,
        detail: String,
    },
    /// 429: the key's rate limit is exhausted for now.
    RateLimited { retry_after_secs: u64 },
    /// 500: our fault; details go to the log, not to the client.
    Internal(String),
}

/// The problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str, &'static str, String) {
        use ApiError::*;
        match self {
            BadRequest(d) => (
                StatusCode::BAD_REQUEST,
                "bad-request",
                "Bad request",
                d.clone(),
            ),
            Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Unauthorized",
                "send a valid API key as `Authorization: Bearer <key>`".into(),
            ),
            Forbidden(d) => (StatusCode::FORBIDDEN, "forbidden", "Forbidden", d.clone()),
            NotFound(what) => (
                StatusCode::NOT_FOUND,
                "not-found",
                "Not found",
                format!("no such {what}"),
            ),
            Conflict(d) => (StatusCode::CONFLICT, "conflict", "Conflict", d.clone()),
            PayloadTooLarge(limit) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "Payload too large",
                format!("the body is larger than the {limit} bytes this route accepts"),
            ),
            UnsupportedMediaType(d) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
                d.clone(),
            ),
            Invalid(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                "Invalid request",
                errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            Refused {
                status,
                slug,
                detail,
            } => (*status, slug, "Refused by policy", detail.clone()),
            RateLimited { retry_after_secs } => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate-limited",
                "Too many requests",
                format!("this API key's rate limit is exhausted; retry in {retry_after_secs} s"),
            ),
            Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal error",
                "something went wrong on our side; it has been logged".into(),
            ),
        }
    }

    /// One invalid field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ApiError::Invalid(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, slug, title, detail) = self.parts();
        let retry_after = match &self {
            ApiError::RateLimited { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        };
        if let ApiError::Internal(cause) = &self {
            tracing::error!(%cause, "internal error");
        }
        let problem = Problem {
            problem_type: format!("urn:dossier:problem:{slug}"),
            title: title.into(),
            status: status.as_u16(),
            detail,
            errors: match self {
                ApiError::Invalid(e) => e,
                _ => Vec::new(),
            },
        };
        let mut resp = (
            status,
            serde_json::to_string(&problem).expect("a problem serialises"),
        )
            .into_response();
        let headers = resp.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(secs) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            // The rest of the body was not read: this connection cannot carry another request, and
            // saying so keeps clients from reusing it.
            headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        resp
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound("object"),
            StoreError::Conflict(d) => ApiError::Conflict(d),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<Vec<FieldError>> for ApiError {
    fn from(errors: Vec<FieldError>) -> Self {
        ApiError::Invalid(errors)
    }
}
