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
    pub created_at: String,
    pub updated_at: String,
}

/// Body of `POST /api/custom_fields`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCustomField {
    pub api_name: String,
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
}

/// Body of `PATCH /api/custom_fields/{id}`: `api_name` and `type` cannot change.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomFieldPatch {
    pub label: Option<String>,
    pub choices: Option<Vec<String>>,
    pub required: Option<bool>,
    pub applies_to: Option<Vec<AppliesTo>>,
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
        errors.into_result()
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
        let mut errors = Errors::new();
        validate_definition_parts(
            &mut errors,
            &self.label,
            self.field_type,
            &self.choices,
            Some(&self.applies_to),
        );
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
            errors.add(
                field,
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
        if let Some(message) = value_problem(def, value) {
            errors.add(field, message);
        }
    }
}

fn value_problem(def: &CustomFieldDefinition, value: &Value) -> Option<String> {
    match def.field_type {
        FieldType::Text => match value.as_str() {
            None => Some("must be a string".into()),
            Some(s) if s.chars().count() > 10_000 => {
                Some("must be at most 10000 characters".into())
            }
            Some(_) => None,
        },
        FieldType::Number => (!value.is_number()).then(|| "must be a number".into()),
        FieldType::Boolean => (!value.is_boolean()).then(|| "must be true or false".into()),
        FieldType::Date => match value.as_str() {
            Some(s) if is_date(s) => None,
            _ => Some("must be a date written YYYY-MM-DD".into()),
        },
        FieldType::Country => match value.as_str() {
            Some(s) if is_country_code(s) => None,
            _ => Some("must be an ISO 3166-1 alpha-2 country code".into()),
        },
        FieldType::Choice => match value.as_str() {
            Some(s) if def.choices.iter().any(|c| c == s) => None,
            _ => Some(format!("must be one of: {}", def.choices.join(", "))),
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
            _ => Some(format!(
                "must be a list of values among: {}",
                def.choices.join(", ")
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
        };
        let errors = bad.validate().unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["api_name", "label", "choices", "applies_to"]);
    }
}
