//! The application layer's errors. Each failure has a stable machine `code` (and, where a message
//! needs them, `params`), so that every surface renders it its own way: the API as problem+json with
//! today's types and statuses (`dossier-server`), the pages in the visitor's language, the CLI and
//! the workers as a log line. The English `detail` is for logs and the API's `detail` field.

use dossier_domain::validation::FieldError;
use dossier_domain::workflow::{DecisionRefusal, RefusalCode};
use dossier_store::StoreError;

#[derive(Debug, Clone, PartialEq)]
pub enum AppError {
    /// The request cannot be read (malformed JSON, a bad query parameter or cursor).
    BadRequest(&'static str, String),
    /// No credentials, or unknown or revoked ones.
    Unauthorized,
    /// The principal may not do this (a read-only role writing, a role deciding what it may not).
    Forbidden(&'static str, String),
    /// No such object in the principal's workspace (other workspaces' objects too: never leaked).
    NotFound(&'static str),
    /// The request conflicts with the current state.
    Conflict(&'static str, String),
    /// It existed and is no more (an expired or closed portal link).
    Gone(&'static str, String),
    /// A body or file larger than the limit (in bytes).
    PayloadTooLarge(u64),
    /// A body or file of a kind that is not accepted.
    UnsupportedMediaType(&'static str, String),
    /// Readable but invalid; each problem names its field.
    Invalid(Vec<FieldError>),
    /// A refusal of the decision policy, with the policy's own code and explanation.
    Refused(DecisionRefusal),
    /// A rate limit is exhausted for now.
    RateLimited { retry_after_secs: u64 },
    /// A service we depend on cannot be reached or answers wrongly (an identity provider): not our
    /// fault, nor the caller's; worth retrying later.
    Unavailable(&'static str, String),
    /// Our fault: the cause goes to the log, never to the caller.
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// One invalid field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![FieldError {
            field: field.into(),
            code: "invalid",
            message: message.into(),
        }])
    }

    pub fn internal(context: &str, e: impl std::fmt::Display) -> Self {
        AppError::Internal(format!("{context}: {e}"))
    }

    /// The stable machine code: what a page looks up in its catalogue (`error-<code>` with `.` and
    /// `_` as `-`) and what tests match on. Never reworded once shipped.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest(code, _)
            | AppError::Forbidden(code, _)
            | AppError::Conflict(code, _)
            | AppError::Gone(code, _)
            | AppError::UnsupportedMediaType(code, _)
            | AppError::Unavailable(code, _) => code,
            AppError::Unauthorized => "unauthorized",
            AppError::NotFound(_) => "not_found",
            AppError::PayloadTooLarge(_) => "payload_too_large",
            AppError::Invalid(_) => "validation",
            AppError::Refused(refusal) => refusal_code(refusal.code),
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Internal(_) => "internal",
        }
    }

    /// The values a translated message needs, by name.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            AppError::NotFound(what) => vec![("what", what.to_string())],
            AppError::PayloadTooLarge(limit) => vec![("limit", limit.to_string())],
            AppError::RateLimited { retry_after_secs } => {
                vec![("retry_after", retry_after_secs.to_string())]
            }
            _ => Vec::new(),
        }
    }

    /// The English explanation (the API's `detail`); an internal error's cause is not in it.
    pub fn detail(&self) -> String {
        match self {
            AppError::BadRequest(_, d)
            | AppError::Forbidden(_, d)
            | AppError::Conflict(_, d)
            | AppError::Gone(_, d)
            | AppError::UnsupportedMediaType(_, d)
            | AppError::Unavailable(_, d) => d.clone(),
            AppError::Unauthorized => {
                "send a valid API key as `Authorization: Bearer <key>`".into()
            }
            AppError::NotFound(what) => format!("no such {what}"),
            AppError::PayloadTooLarge(limit) => {
                format!("the body is larger than the {limit} bytes this route accepts")
            }
            AppError::Invalid(errors) => errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
            AppError::Refused(refusal) => refusal.message.clone(),
            AppError::RateLimited { retry_after_secs } => {
                format!("the rate limit is exhausted; retry in {retry_after_secs} s")
            }
            AppError::Internal(_) => "something went wrong on our side; it has been logged".into(),
        }
    }
}

/// The policy's refusal codes, as machine codes.
pub fn refusal_code(code: RefusalCode) -> &'static str {
    match code {
        RefusalCode::NotAllowed => "decision.not_allowed",
        RefusalCode::ReasonRequired => "decision.reason_required",
        RefusalCode::AlreadyDecided => "decision.already_decided",
        RefusalCode::TasksNotDone => "decision.tasks_not_done",
        RefusalCode::ReservedForQualifiedReviewer => "decision.reserved_for_qualified_reviewer",
        RefusalCode::SameApprover => "decision.same_approver",
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // Workers and the CLI log this: they need the cause.
            AppError::Internal(cause) => write!(f, "internal error: {cause}"),
            other => write!(f, "{}: {}", other.code(), other.detail()),
        }
    }
}

impl std::error::Error for AppError {}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound("object"),
            StoreError::Conflict(d) => AppError::Conflict("conflict", d),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<Vec<FieldError>> for AppError {
    fn from(errors: Vec<FieldError>) -> Self {
        AppError::Invalid(errors)
    }
}

impl From<DecisionRefusal> for AppError {
    fn from(refusal: DecisionRefusal) -> Self {
        AppError::Refused(refusal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_params_name_the_failure() {
        let e = AppError::NotFound("application");
        assert_eq!(e.code(), "not_found");
        assert_eq!(e.params(), vec![("what", "application".to_string())]);
        assert_eq!(e.detail(), "no such application");
        let refusal = AppError::Refused(DecisionRefusal {
            code: RefusalCode::ReservedForQualifiedReviewer,
            message: "reserved".into(),
        });
        assert_eq!(refusal.code(), "decision.reserved_for_qualified_reviewer");
        // An internal cause is logged, never shown.
        let internal = AppError::Internal("disk on fire".into());
        assert!(!internal.detail().contains("disk"));
        assert!(internal.to_string().contains("disk"));
    }
}
