//! Field-level validation errors: every rejected input names the field it is about, with a JSON-path-like
//! location (`business.country`, `relationships[1].ownership_percentage`).

use serde::Serialize;
use utoipa::ToSchema;

/// One reason an input was refused: the field, a stable `code` a surface can translate
/// (`required`, `too_long`, `date`, `email`, `phone`, `country`, `choice`, `number`, `boolean`,
/// `unknown_field`, or `invalid` for the rest) and an English message.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

/// Collects every problem of an input, so the caller sees all of them at once.
#[derive(Debug, Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.add_code(field, "invalid", message);
    }

    /// As [`Errors::add`], with a code more precise than `invalid`.
    pub fn add_code(
        &mut self,
        field: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
    ) {
        self.0.push(FieldError {
            field: field.into(),
            code,
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was found, the list otherwise.
    pub fn into_result(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

/// Joins a parent path and a child name: `join("business", "country")` → `business.country`.
pub fn join(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_string()
    } else {
        format!("{parent}.{child}")
    }
}

/// `true` when `value` is a calendar date written `YYYY-MM-DD`.
pub fn is_date(value: &str) -> bool {
    value.len() == 10 && value.parse::<jiff::civil::Date>().is_ok()
}

/// A deliberately plain e-mail check: one `@`, a non-empty local part, a dotted domain, no spaces.
/// Deliverability is the format-check task's business, not the API's.
pub fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !value.chars().any(char::is_whitespace)
        && value.len() <= 254
}

/// Checks a string's length bound; adds an error and returns false when it is exceeded.
pub fn check_len(errors: &mut Errors, field: &str, value: &str, max: usize) -> bool {
    if value.chars().count() > max {
        errors.add_code(
            field,
            "too_long",
            format!("must be at most {max} characters"),
        );
        false
    } else {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_be_real_calendar_days() {
        assert!(is_date("2015-03-02"));
        assert!(!is_date("2015-02-30"));
        assert!(!is_date("02/03/2015"));
        assert!(!is_date("2015-3-2"));
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert!(is_email("claire.martin@acme.fr"));
        assert!(!is_email("claire.martin"));
        assert!(!is_email("@acme.fr"));
        assert!(!is_email("claire@acme"));
        assert!(!is_email("claire @acme.fr"));
        assert!(!is_email("a@b@acme.fr"));
    }

    #[test]
    fn errors_collect_every_problem() {
        let mut e = Errors::new();
        assert!(e.is_empty());
        e.add("a", "x");
        e.add("b.c", "y");
        let list = e.into_result().unwrap_err();
        assert_eq!(list.len(), 2);
        assert_eq!(list[1].field, "b.c");
    }
}
