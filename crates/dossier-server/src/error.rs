//! The API's rendering of the application layer's errors: `application/problem+json` (RFC 9457) with
//! a `type`, a human `detail`, the machine `code` and, for validation, the list of `{field, message}`.
//! This is the one place where an [`AppError`] becomes an HTTP status.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dossier_app::AppError;
use dossier_domain::validation::FieldError;
use dossier_domain::workflow::RefusalCode;
use serde::Serialize;
use utoipa::ToSchema;

/// An application error on its way to becoming a problem document.
#[derive(Debug)]
pub struct ApiError(pub AppError);

pub type ApiResult<T> = Result<T, ApiError>;

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl From<dossier_store::StoreError> for ApiError {
    fn from(e: dossier_store::StoreError) -> Self {
        ApiError(e.into())
    }
}

/// The problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The application layer's stable code of the failure (e.g. `not_found`, `decision.tasks_not_done`).
    pub code: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// The HTTP status of an error, for every surface.
pub fn status_of(e: &AppError) -> StatusCode {
    parts(e).0
}

/// The status, the problem type's slug and its title.
fn parts(e: &AppError) -> (StatusCode, &'static str, &'static str) {
    use AppError::*;
    match e {
        BadRequest(..) => (StatusCode::BAD_REQUEST, "bad-request", "Bad request"),
        Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized", "Unauthorized"),
        Forbidden(..) => (StatusCode::FORBIDDEN, "forbidden", "Forbidden"),
        NotFound(_) => (StatusCode::NOT_FOUND, "not-found", "Not found"),
        Conflict(..) => (StatusCode::CONFLICT, "conflict", "Conflict"),
        Gone(..) => (StatusCode::GONE, "gone", "Gone"),
        PayloadTooLarge(_) => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "Payload too large",
        ),
        UnsupportedMediaType(..) => (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
        ),
        Invalid(_) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            "Invalid request",
        ),
        Refused(refusal) => {
            let (status, slug) = match refusal.code {
                RefusalCode::NotAllowed => (StatusCode::FORBIDDEN, "decision-not-allowed"),
                RefusalCode::ReasonRequired => {
                    (StatusCode::UNPROCESSABLE_ENTITY, "decision-reason-required")
                }
                RefusalCode::AlreadyDecided => (StatusCode::CONFLICT, "already-decided"),
                RefusalCode::TasksNotDone => (StatusCode::CONFLICT, "tasks-not-done"),
                RefusalCode::ReservedForQualifiedReviewer => {
                    (StatusCode::FORBIDDEN, "reserved-for-qualified-reviewer")
                }
                RefusalCode::SameApprover => (StatusCode::CONFLICT, "same-approver"),
            };
            (status, slug, "Refused by policy")
        }
        RateLimited { .. } => (
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            "Too many requests",
        ),
        Unavailable(..) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "Service unavailable",
        ),
        Internal(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
        ),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let (status, slug, title) = parts(&e);
        if let AppError::Internal(cause) = &e {
            tracing::error!(%cause, "internal error");
        }
        let retry_after = match &e {
            AppError::RateLimited { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        };
        let problem = Problem {
            problem_type: format!("urn:dossier:problem:{slug}"),
            title: title.into(),
            status: status.as_u16(),
            detail: e.detail(),
            code: e.code().into(),
            errors: match e {
                AppError::Invalid(errors) => errors,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_refusal_keeps_its_policy_status_and_type() {
        let e = ApiError(AppError::Refused(
            dossier_domain::workflow::DecisionRefusal {
                code: RefusalCode::ReservedForQualifiedReviewer,
                message: "reserved: high risk".into(),
            },
        ));
        let resp = e.into_response();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        let body = axum::body::to_bytes(resp.into_body(), 10_000)
            .await
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            v["type"],
            "urn:dossier:problem:reserved-for-qualified-reviewer"
        );
        assert_eq!(v["code"], "decision.reserved_for_qualified_reviewer");
        assert_eq!(v["detail"], "reserved: high risk");
    }
}
