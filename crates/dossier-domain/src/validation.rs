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

/// The path (in the notation of the 422 `field`s, e.g. `relationships[0].person.first_name`) of the
/// first string holding a NUL character, or of the object with such a key; `body` for the top level.
/// PostgreSQL cannot store NUL in text, and no field of Dossier's has a use for it.
pub fn nul_path(value: &serde_json::Value) -> Option<String> {
    fn walk(value: &serde_json::Value, path: &mut String) -> bool {
        match value {
            serde_json::Value::String(s) => s.contains('\0'),
            serde_json::Value::Array(items) => items.iter().enumerate().any(|(i, v)| {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                let found = walk(v, path);
                if !found {
                    path.truncate(len);
                }
                found
            }),
            serde_json::Value::Object(map) => {
                if map.keys().any(|k| k.contains('\0')) {
                    return true;
                }
                map.iter().any(|(k, v)| {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(k);
                    let found = walk(v, path);
                    if !found {
                        path.truncate(len);
                    }
                    found
                })
            }
            _ => false,
        }
    }
    let mut path = String::new();
    walk(value, &mut path).then(|| if path.is_empty() { "body".into() } else { path })
}

/// A JSON body read as the route's type `T`, as every JSON route does: refused naming the field of
/// the first NUL character (see [`nul_path`]), or the field that does not fit `T`.
pub fn decode_body<T: serde::de::DeserializeOwned>(
    raw: &serde_json::Value,
) -> Result<T, FieldError> {
    if let Some(field) = nul_path(raw) {
        return Err(FieldError {
            field,
            code: "invalid",
            message: "must not contain the NUL character (\\u0000)".into(),
        });
    }
    serde_path_to_error::deserialize(raw).map_err(|e| {
        let path = e.path().to_string();
        FieldError {
            field: if path == "." {
                "body".to_string()
            } else {
                path
            },
            code: "invalid",
            message: e.into_inner().to_string(),
        }
    })
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

    #[test]
    fn the_first_nul_is_named_by_its_path() {
        assert_eq!(
            nul_path(&serde_json::json!({"a": "ok", "b": [1, "x"]})),
            None
        );
        assert_eq!(
            nul_path(&serde_json::json!("a\u{0}")).as_deref(),
            Some("body")
        );
        assert_eq!(
            nul_path(&serde_json::json!({"external_id": "a\u{0}"})).as_deref(),
            Some("external_id")
        );
        assert_eq!(
            nul_path(&serde_json::json!({"rel": [{"p": {"n": "ok"}}, {"p": {"n": "\u{0}"}}]}))
                .as_deref(),
            Some("rel[1].p.n")
        );
        assert_eq!(
            nul_path(&serde_json::json!({"custom_fields": {"k\u{0}": 1}})).as_deref(),
            Some("custom_fields")
        );
        assert_eq!(
            nul_path(&serde_json::json!({"k\u{0}": 1})).as_deref(),
            Some("body")
        );
    }
}
