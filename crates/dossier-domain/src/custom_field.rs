//! Workspace-defined custom fields: their definitions, and the validation of values given on cases and
//! related parties against them.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::country::is_country_code;
use crate::validation::{Errors, check_len, is_date, join};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    Number,
    Boolean,
    Date,
    Country,
    Choice,
    MultiChoice,
    /// A list of ISO 3166-1 alpha-2 codes (e.g. the countries a business operates in).
    CountryMulti,
    /// A NACE Rev. 2 activity code: a section letter (`J`), a division (`62`), a group (`62.0`)
    /// or a class (`62.01`) of a known division. Other classifications (NAICS, SIC) are not built.
    IndustryCode,
}

/// NACE Rev. 2's divisions (two-digit codes); groups and classes are accepted under them.
const NACE_DIVISIONS: &[u8] = &[
    1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27,
    28, 29, 30, 31, 32, 33, 35, 36, 37, 38, 39, 41, 42, 43, 45, 46, 47, 49, 50, 51, 52, 53, 55, 56,
    58, 59, 60, 61, 62, 63, 64, 65, 66, 68, 69, 70, 71, 72, 73, 74, 75, 77, 78, 79, 80, 81, 82, 84,
    85, 86, 87, 88, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99,
];

/// Whether `code` is a NACE Rev. 2 section, division, group or class (by shape, under a known
/// division).
pub fn is_nace_code(code: &str) -> bool {
    let b = code.as_bytes();
    if b.len() == 1 {
        return (b'A'..=b'U').contains(&b[0]);
    }
    let division = match code.get(..2).map(str::parse::<u8>) {
        Some(Ok(d)) if b[..2].iter().all(u8::is_ascii_digit) => d,
        _ => return false,
    };
    let rest = &b[2..];
    let shape = rest.is_empty()
        || (rest[0] == b'.'
            && (2..=3).contains(&rest.len())
            && rest[1..].iter().all(u8::is_ascii_digit));
    shape && NACE_DIVISIONS.contains(&division)
}

/// Where a custom field may be set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppliesTo {
    Application,
    Relationship,
}

/// A custom field definition as stored and returned by the API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CustomFieldDefinition {
    pub id: String,
    /// Stable name used in the API and in rules; unique per workspace, never changes.
    pub api_name: String,
    pub label: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    #[serde(default)]
    pub required: bool,
    pub applies_to: Vec<AppliesTo>,
    /// Help shown under the field in the portal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether the client fills it in the portal (otherwise it is for the company's own use).
    #[serde(default)]
    pub show_in_portal: bool,
    /// A CEL expression on the case (e.g. `business.country == "FR"`): the field is shown, and
    /// required if `required`, only when it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// Body of `POST /api/custom_fields`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCustomField {
    #[schema(max_length = 64, pattern = r"^[a-z][a-z0-9_]*$")]
    pub api_name: String,
    #[schema(max_length = 200, pattern = r"\S")]
    pub label: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    #[serde(default)]
    pub choices: Vec<String>,
    #[serde(default)]
    pub required: bool,
    /// Defaults to `["application"]`.
    #[serde(default)]
    pub applies_to: Option<Vec<AppliesTo>>,
    #[schema(max_length = 1000)]
    pub description: Option<String>,
    #[serde(default)]
    pub show_in_portal: bool,
    #[schema(max_length = 2000, pattern = r"\S")]
    pub condition: Option<String>,
}

/// Body of `PATCH /api/custom_fields/{id}`: `api_name` and `type` cannot change.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomFieldPatch {
    pub label: Option<String>,
    pub choices: Option<Vec<String>>,
    pub required: Option<bool>,
    pub applies_to: Option<Vec<AppliesTo>>,
    /// `null` removes it.
    #[serde(default, with = "crate::application::double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub show_in_portal: Option<bool>,
    /// `null` removes it.
    #[serde(default, with = "crate::application::double_option")]
    #[schema(value_type = Option<String>)]
    pub condition: Option<Option<String>>,
}

impl NewCustomField {
    pub fn validate(&self) -> Result<(), Vec<crate::validation::FieldError>> {
        let mut errors = Errors::new();
        let name_ok = !self.api_name.is_empty()
            && self.api_name.len() <= 64
            && self.api_name.starts_with(|c: char| c.is_ascii_lowercase())
            && self
                .api_name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !name_ok {
            errors.add(
                "api_name",
                "must be 1-64 characters of a-z, 0-9 and _, starting with a letter",
            );
        }
        validate_definition_parts(
            &mut errors,
            &self.label,
            self.field_type,
            &self.choices,
            self.applies_to.as_deref(),
        );
        check_extras(&mut errors, &self.description, &self.condition);
        errors.into_result()
    }
}

/// The description's length and the condition's shape (its compilation is checked by the
/// application layer, which has the rules engine).
fn check_extras(errors: &mut Errors, description: &Option<String>, condition: &Option<String>) {
    if let Some(d) = description {
        check_len(errors, "description", d, 1000);
    }
    if let Some(c) = condition {
        if c.trim().is_empty() {
            errors.add(
                "condition",
                "must not be empty (omit it, or null to remove it)",
            );
        }
        check_len(errors, "condition", c, 2000);
    }
}

impl CustomFieldDefinition {
    /// Applies a patch, validating the result as a whole.
    pub fn apply(
        &mut self,
        patch: CustomFieldPatch,
    ) -> Result<(), Vec<crate::validation::FieldError>> {
        if let Some(label) = patch.label {
            self.label = label;
        }
        if let Some(choices) = patch.choices {
            self.choices = choices;
        }
        if let Some(required) = patch.required {
            self.required = required;
        }
        if let Some(applies_to) = patch.applies_to {
            self.applies_to = applies_to;
        }
        if let Some(description) = patch.description {
            self.description = description;
        }
        if let Some(show) = patch.show_in_portal {
            self.show_in_portal = show;
        }
        if let Some(condition) = patch.condition {
            self.condition = condition;
        }
        let mut errors = Errors::new();
        validate_definition_parts(
            &mut errors,
            &self.label,
            self.field_type,
            &self.choices,
            Some(&self.applies_to),
        );
        check_extras(&mut errors, &self.description, &self.condition);
        errors.into_result()
    }
}

fn validate_definition_parts(
    errors: &mut Errors,
    label: &str,
    field_type: FieldType,
    choices: &[String],
    applies_to: Option<&[AppliesTo]>,
) {
    if label.trim().is_empty() {
        errors.add("label", "must not be empty");
    }
    check_len(errors, "label", label, 200);
    let is_choice = matches!(field_type, FieldType::Choice | FieldType::MultiChoice);
    if is_choice && choices.is_empty() {
        errors.add("choices", "a choice field needs at least one choice");
    }
    if !is_choice && !choices.is_empty() {
        errors.add(
            "choices",
            "only choice and multi_choice fields take choices",
        );
    }
    let mut seen = std::collections::HashSet::new();
    for (i, c) in choices.iter().enumerate() {
        if c.is_empty() || !seen.insert(c) {
            errors.add(
                format!("choices[{i}]"),
                "choices must be non-empty and distinct",
            );
        }
    }
    if applies_to.is_some_and(|a| a.is_empty()) {
        errors.add("applies_to", "must name application, relationship or both");
    }
}

/// Validates `values` (as given on a case or a related party) against the workspace's definitions.
/// `path` is where the values sit in the request, e.g. `custom_fields` or `relationships[0].custom_fields`.
pub fn validate_values(
    errors: &mut Errors,
    path: &str,
    values: &Map<String, Value>,
    definitions: &[CustomFieldDefinition],
    target: AppliesTo,
) {
    for (name, value) in values {
        let field = join(path, name);
        let Some(def) = definitions.iter().find(|d| &d.api_name == name) else {
            errors.add_code(
                field,
                "unknown_field",
                "no custom field with this api_name is defined in the workspace",
            );
            continue;
        };
        if !def.applies_to.contains(&target) {
            let place = match target {
                AppliesTo::Application => "applications",
                AppliesTo::Relationship => "relationships",
            };
            errors.add(
                field,
                format!("this custom field does not apply to {place}"),
            );
            continue;
        }
        if value.is_null() {
            continue;
        }
        if let Some((code, message)) = value_problem(def, value) {
            errors.add_code(field, code, message);
        }
    }
}

/// What is wrong with a value of this field, if anything: a code (see
/// [`FieldError`](crate::validation::FieldError)) and an English message.
fn value_problem(def: &CustomFieldDefinition, value: &Value) -> Option<(&'static str, String)> {
    match def.field_type {
        FieldType::Text => match value.as_str() {
            None => Some(("invalid", "must be a string".into())),
            Some(s) if s.chars().count() > 10_000 => {
                Some(("too_long", "must be at most 10000 characters".into()))
            }
            Some(_) => None,
        },
        FieldType::Number => (!value.is_number()).then(|| ("number", "must be a number".into())),
        FieldType::Boolean => {
            (!value.is_boolean()).then(|| ("boolean", "must be true or false".into()))
        }
        FieldType::Date => match value.as_str() {
            Some(s) if is_date(s) => None,
            _ => Some(("date", "must be a date written YYYY-MM-DD".into())),
        },
        FieldType::CountryMulti => match value.as_array() {
            Some(items)
                if items
                    .iter()
                    .all(|v| v.as_str().is_some_and(is_country_code)) =>
            {
                None
            }
            _ => Some((
                "country",
                "must be a list of ISO 3166-1 alpha-2 country codes".into(),
            )),
        },
        FieldType::IndustryCode => match value.as_str() {
            Some(s) if is_nace_code(s) => None,
            _ => Some((
                "industry_code",
                "must be a NACE Rev. 2 code such as J, 62, 62.0 or 62.01".into(),
            )),
        },
        FieldType::Country => match value.as_str() {
            Some(s) if is_country_code(s) => None,
            _ => Some((
                "country",
                "must be an ISO 3166-1 alpha-2 country code".into(),
            )),
        },
        FieldType::Choice => match value.as_str() {
            Some(s) if def.choices.iter().any(|c| c == s) => None,
            _ => Some((
                "choice",
                format!("must be one of: {}", def.choices.join(", ")),
            )),
        },
        FieldType::MultiChoice => match value.as_array() {
            Some(items)
                if items.iter().all(|v| {
                    v.as_str()
                        .is_some_and(|s| def.choices.iter().any(|c| c == s))
                }) =>
            {
                None
            }
            _ => Some((
                "choice",
                format!("must be a list of values among: {}", def.choices.join(", ")),
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn def(name: &str, t: FieldType, choices: &[&str]) -> CustomFieldDefinition {
        CustomFieldDefinition {
            id: "cf_1".into(),
            api_name: name.into(),
            label: name.into(),
            field_type: t,
            choices: choices.iter().map(|s| s.to_string()).collect(),
            required: false,
            applies_to: vec![AppliesTo::Application],
            description: None,
            show_in_portal: false,
            condition: None,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    fn check(values: Value, defs: &[CustomFieldDefinition]) -> Vec<String> {
        let mut e = Errors::new();
        validate_values(
            &mut e,
            "custom_fields",
            values.as_object().unwrap(),
            defs,
            AppliesTo::Application,
        );
        e.into_result()
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|f| f.field)
            .collect()
    }

    #[test]
    fn values_are_checked_against_their_type() {
        let defs = vec![
            def("account_id", FieldType::Text, &[]),
            def("revenue", FieldType::Number, &[]),
            def("channel", FieldType::Choice, &["web", "partner"]),
            def("products", FieldType::MultiChoice, &["cards", "loans"]),
            def("seen", FieldType::Date, &[]),
            def("origin", FieldType::Country, &[]),
        ];
        let ok = json!({"account_id": "acc_1", "revenue": 12.5, "channel": "web",
                        "products": ["cards"], "seen": "2024-01-31", "origin": "DE"});
        assert!(check(ok, &defs).is_empty());
        let bad = json!({"account_id": 1, "revenue": "12", "channel": "tv",
                         "products": ["cards", "boats"], "seen": "31/01/2024", "origin": "XX"});
        let fields = check(bad, &defs);
        assert_eq!(fields.len(), 6, "{fields:?}");
        assert!(fields.contains(&"custom_fields.origin".to_string()));
    }

    #[test]
    fn unknown_names_and_wrong_targets_are_refused() {
        let mut rel_only = def("role_note", FieldType::Text, &[]);
        rel_only.applies_to = vec![AppliesTo::Relationship];
        let fields = check(json!({"nope": 1, "role_note": "x"}), &[rel_only]);
        assert_eq!(
            fields,
            vec!["custom_fields.nope", "custom_fields.role_note"]
        );
    }

    #[test]
    fn definitions_are_validated() {
        let bad = NewCustomField {
            api_name: "Account Id".into(),
            label: " ".into(),
            field_type: FieldType::Choice,
            choices: vec![],
            required: false,
            applies_to: Some(vec![]),
            description: None,
            show_in_portal: true,
            condition: Some("  ".into()),
        };
        let errors = bad.validate().unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec!["api_name", "label", "choices", "applies_to", "condition"]
        );
    }

    #[test]
    fn nace_codes_are_sections_divisions_groups_or_classes_of_known_divisions() {
        for ok in ["J", "62", "62.0", "62.01", "01.11", "99"] {
            assert!(is_nace_code(ok), "{ok}");
        }
        for bad in ["V", "j", "04", "62.", "62.012", "6201", "62-01", "", "A1"] {
            assert!(!is_nace_code(bad), "{bad}");
        }
    }

    #[test]
    fn country_lists_and_industry_codes_are_checked_with_their_codes() {
        let defs = [
            def("markets", FieldType::CountryMulti, &[]),
            def("activity", FieldType::IndustryCode, &[]),
        ];
        let mut e = Errors::new();
        let values = json!({"markets": ["FR", "XX"], "activity": "62.01"});
        validate_values(
            &mut e,
            "custom_fields",
            values.as_object().unwrap(),
            &defs,
            AppliesTo::Application,
        );
        let errors = e.into_result().unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(
            (errors[0].field.as_str(), errors[0].code),
            ("custom_fields.markets", "country")
        );
        let mut e = Errors::new();
        let values = json!({"markets": ["FR", "DE"], "activity": "6201"});
        validate_values(
            &mut e,
            "custom_fields",
            values.as_object().unwrap(),
            &defs,
            AppliesTo::Application,
        );
        assert_eq!(e.into_result().unwrap_err()[0].code, "industry_code");
    }
}
