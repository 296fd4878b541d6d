//! An application error as a form shows it: a summary for the top of the page and a message beside
//! each field at fault, in the visitor's language.

use dossier_app::AppError;
use serde::Serialize;

use super::{Lang, Web};

/// One field's error, as the `field` macros and `error_summary` read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldMessage {
    /// The field's path as the application layer names it (and the form's input is named).
    pub field: String,
    /// The input's HTML id (see [`field_id`]), the error summary's link target.
    pub id: String,
    pub message: String,
}

/// The HTML id of a field's input: `field-` and the name with anything but letters and digits as
/// `-` (`tags[0]` → `field-tags-0-`). The templates' `field_id` filter is this function.
pub fn field_id(field: &str) -> String {
    let name: String = field
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("field-{name}")
}

/// The catalogue key of an application error code: `error-` and the code, a `.` written `-`
/// (Fluent ids have no dots): `not_found` → `error-not_found`, `decision.not_allowed` →
/// `error-decision-not_allowed`.
fn error_key(code: &str) -> String {
    format!("error-{}", code.replace('.', "-"))
}

/// The summary and the field messages of an error. Invalid input gives one message per field (and
/// no summary: the summary box's heading says enough); any other error gives a summary only. Each
/// message is the catalogue's `error-<code>`; a field's is `error-field-<code>`, else the generic
/// `error-field-invalid` (which quotes the English detail). The English detail stands in when no
/// catalogue has the key.
pub fn error_messages(
    web: &Web,
    lang: &Lang,
    error: &AppError,
) -> (Option<String>, Vec<FieldMessage>) {
    let lookup = |key: &str, args: &[(&str, String)]| web.try_t(lang, key, args);
    let AppError::Invalid(errors) = error else {
        let mut params = error.params();
        params.push(("detail", error.detail()));
        let summary = lookup(&error_key(error.code()), &params).unwrap_or_else(|| error.detail());
        return (Some(summary), Vec::new());
    };
    let fields = errors
        .iter()
        .map(|fe| {
            let args = [("field", fe.field.clone()), ("detail", fe.message.clone())];
            let message = lookup(&format!("error-field-{}", fe.code.replace('.', "-")), &args)
                .or_else(|| lookup("error-field-invalid", &args))
                .unwrap_or_else(|| fe.message.clone());
            FieldMessage {
                field: fe.field.clone(),
                id: field_id(&fe.field),
                message,
            }
        })
        .collect();
    (None, fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dossier_domain::validation::FieldError;

    fn web() -> Web {
        Web::new(None, "https://kyc.example.com").unwrap()
    }

    #[test]
    fn field_ids_are_html_safe() {
        assert_eq!(field_id("legal_name"), "field-legal-name");
        assert_eq!(field_id("address.country"), "field-address-country");
        assert_eq!(field_id("tags[0]"), "field-tags-0-");
    }

    #[test]
    fn an_error_code_becomes_a_translated_summary() {
        let web = web();
        let fr = web.negotiate(Some("fr"), None);
        let (summary, fields) = error_messages(&web, &fr, &AppError::NotFound("document"));
        let summary = summary.unwrap();
        assert!(fields.is_empty());
        assert_eq!(summary, web.t(&fr, "error-not_found", &[]));
        assert_ne!(summary, AppError::NotFound("document").detail());

        let en = web.negotiate(None, None);
        let too_large = AppError::PayloadTooLarge(5_000_000);
        let (summary, _) = error_messages(&web, &en, &too_large);
        assert!(summary.unwrap().contains("5000000"));
    }

    #[test]
    fn an_unknown_code_falls_back_to_the_english_detail() {
        let web = web();
        let fr = web.negotiate(Some("fr"), None);
        let e = AppError::Conflict("no_such_code_anywhere", "it clashes".into());
        assert_eq!(
            error_messages(&web, &fr, &e).0.as_deref(),
            Some("it clashes")
        );
    }

    #[test]
    fn an_internal_cause_never_reaches_the_page() {
        let web = web();
        let en = web.negotiate(None, None);
        let e = AppError::Internal("disk on fire".into());
        let summary = error_messages(&web, &en, &e).0.unwrap();
        assert!(!summary.contains("disk"), "{summary}");
    }

    #[test]
    fn invalid_fields_get_one_message_each_by_their_codes() {
        let web = web();
        let fr = web.negotiate(Some("fr"), None);
        let error = |field: &str, code, message: &str| FieldError {
            field: field.into(),
            code,
            message: message.into(),
        };
        let e = AppError::Invalid(vec![
            error("person.last_name", "required", "is required"),
            error("tags[0]", "too_long", "must be at most 50 characters"),
            error("nickname", "no_such_code", "is odd"),
        ]);
        let (summary, fields) = error_messages(&web, &fr, &e);
        assert_eq!(summary, None);
        assert_eq!(fields.len(), 3);
        assert_eq!(fields[0].field, "person.last_name");
        assert_eq!(fields[0].id, "field-person-last-name");
        assert_eq!(fields[0].message, web.t(&fr, "error-field-required", &[]));
        assert_eq!(fields[1].message, web.t(&fr, "error-field-too_long", &[]));
        assert_ne!(fields[0].message, fields[1].message);
        // An unknown code gets the generic message, which quotes the detail.
        let generic = web.t(&fr, "error-field-invalid", &[("detail", "is odd".into())]);
        assert_eq!(fields[2].message, generic);
        assert!(
            generic.contains("is odd") && generic.starts_with("Vérifiez"),
            "{generic}"
        );
    }
}
