//! `data_completeness`: the fields and related parties the template expects are there.

use super::{Finding, TaskInput, TaskKind, TaskOutcome, TaskResult};
use crate::custom_field::{AppliesTo, CustomFieldDefinition};
use serde_json::{Value, json};

/// The workspace's required custom fields that apply to `scope`.
fn required(
    definitions: &[CustomFieldDefinition],
    scope: AppliesTo,
) -> impl Iterator<Item = &CustomFieldDefinition> {
    definitions
        .iter()
        .filter(move |d| d.required && d.applies_to.contains(&scope))
}

pub struct DataCompleteness;

/// `address.city` → the value at that dotted path; empty strings and empty lists count as missing.
pub(crate) fn field_value<'a>(object: &'a Value, field: &str) -> Option<&'a Value> {
    let value = field.split('.').try_fold(object, |v, part| v.get(part))?;
    match value {
        Value::Null => None,
        Value::String(s) if s.trim().is_empty() => None,
        Value::Array(a) if a.is_empty() => None,
        other => Some(other),
    }
}

impl TaskKind for DataCompleteness {
    fn kind(&self) -> &'static str {
        "data_completeness"
    }

    fn inputs(&self, input: &TaskInput<'_>) -> Value {
        json!({
            "application": input.facts.application,
            "relationships": input.facts.relationships_json(),
            "data": input.template.data,
            "required_custom_fields": input
                .field_definitions
                .iter()
                .filter(|d| d.required)
                .map(|d| json!({"api_name": d.api_name, "applies_to": d.applies_to}))
                .collect::<Vec<_>>(),
        })
    }

    fn run(&self, input: &TaskInput<'_>) -> TaskOutcome {
        let facts = input.facts;
        let data = &input.template.data;
        let subject_key = facts.case_type().to_string();
        let subject = &facts.application[&subject_key];
        let mut findings = Vec::new();
        for f in data.subject_fields.iter().filter(|f| f.required) {
            if field_value(subject, &f.field).is_none() {
                let label = f.label.clone().unwrap_or_else(|| f.field.replace('_', " "));
                findings.push(
                    Finding::new(
                        "missing_field",
                        format!("The {subject_key}'s {label} is missing"),
                    )
                    .at(format!("{subject_key}.{}", f.field)),
                );
            }
        }
        for f in data.custom_fields.iter().filter(|f| f.required) {
            if field_value(&facts.custom_fields, &f.field).is_none() {
                let label = f.label.clone().unwrap_or_else(|| f.field.clone());
                findings.push(
                    Finding::new(
                        "missing_custom_field",
                        format!("Custom field {label} is missing"),
                    )
                    .at(format!("custom_fields.{}", f.field)),
                );
            }
        }
        // The workspace's own required fields (`POST /api/custom_fields` with `required: true`).
        for d in required(input.field_definitions, AppliesTo::Application) {
            let path = format!("custom_fields.{}", d.api_name);
            let told = findings.iter().any(|f| f.path.as_ref() == Some(&path));
            if !told && field_value(&facts.custom_fields, &d.api_name).is_none() {
                findings.push(
                    Finding::new(
                        "missing_custom_field",
                        format!("Custom field {} (`{}`) is missing", d.label, d.api_name),
                    )
                    .at(path),
                );
            }
        }
        for rel in &facts.relationships {
            for d in required(input.field_definitions, AppliesTo::Relationship) {
                if field_value(&rel.value["custom_fields"], &d.api_name).is_none() {
                    findings.push(
                        Finding::new(
                            "missing_custom_field",
                            format!(
                                "{}: custom field {} (`{}`) is missing",
                                rel.display_name(),
                                d.label,
                                d.api_name
                            ),
                        )
                        .at(format!(
                            "relationships[{}].custom_fields.{}",
                            rel.id, d.api_name
                        ))
                        .on(rel.id.clone()),
                    );
                }
            }
        }
        for req in &data.relationships {
            let matching: Vec<_> = facts
                .relationships
                .iter()
                .filter(|r| r.has_role(&req.role))
                .filter(|r| req.kind.as_ref().is_none_or(|k| *k == r.kind))
                .collect();
            let count = matching.len() as u32;
            let role = req.role.replace('_', " ");
            if count < req.min {
                findings.push(
                    Finding::new(
                        "missing_relationship",
                        format!("At least {} {role}(s) expected, {count} declared", req.min),
                    )
                    .at("relationships"),
                );
            }
            if let Some(max) = req.max
                && count > max
            {
                findings.push(
                    Finding::new(
                        "too_many_relationships",
                        format!("At most {max} {role}(s) expected, {count} declared"),
                    )
                    .at("relationships"),
                );
            }
            for rel in matching {
                let (fields, object) = if rel.kind == "business" {
                    (&req.business_fields, &rel.value["business"])
                } else {
                    (&req.person_fields, &rel.value["person"])
                };
                for field in fields {
                    let path = format!("relationships[{}].{}.{field}", rel.id, rel.kind);
                    // A party with two roles (director and legal representative) is told once.
                    let told = findings.iter().any(|f| f.path.as_ref() == Some(&path));
                    if !told && field_value(object, field).is_none() {
                        findings.push(
                            Finding::new(
                                "missing_field",
                                format!(
                                    "{} ({role}): {} is missing",
                                    rel.display_name(),
                                    field.replace('_', " ")
                                ),
                            )
                            .at(path)
                            .on(rel.id.clone()),
                        );
                    }
                }
            }
        }
        if findings.is_empty() {
            TaskOutcome::new(TaskResult::Clear, "All expected data is present")
        } else {
            let n = findings.len();
            TaskOutcome::new(
                TaskResult::NeedsAction,
                format!("{n} item(s) of data missing"),
            )
            .with_findings(findings)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::tasks::tests_support::{facts, run_kind, template};

    #[test]
    fn reports_missing_subject_fields_roles_and_party_fields() {
        let tpl = template(json!({
            "subject_fields": [{"field": "name"}, {"field": "registration_number"}, {"field": "address.city"},
                               {"field": "website", "required": false}],
            "custom_fields": [{"field": "account_id"}],
            "relationships": [{"role": "director", "min": 1, "person_fields": ["first_name", "birth_date"]},
                              {"role": "legal_representative", "min": 1}]
        }));
        let f = facts(
            json!({"type": "business", "business": {"name": "Acme", "registration_number": " "},
            "custom_fields": {"account_id": "acc_1"},
            "relationships": [{"id": "r1", "kind": "person", "roles": ["director"],
                               "person": {"first_name": "Luc", "last_name": "W"}}]}),
        );
        let out = run_kind(&DataCompleteness, &tpl, &f);
        assert_eq!(out.result, TaskResult::NeedsAction);
        let paths: Vec<_> = out
            .findings
            .iter()
            .filter_map(|f| f.path.as_deref())
            .collect();
        assert_eq!(
            paths,
            [
                "business.registration_number",
                "business.address.city",
                "relationships[r1].person.birth_date",
                "relationships",
            ]
        );
        assert_eq!(out.findings[2].relationship_id.as_deref(), Some("r1"));
    }

    fn definition(api_name: &str, required: bool, applies_to: Value) -> CustomFieldDefinition {
        serde_json::from_value(json!({"id": format!("cf_{api_name}"), "api_name": api_name,
            "label": api_name.to_uppercase(), "type": "text", "required": required,
            "applies_to": applies_to, "created_at": "", "updated_at": ""}))
        .unwrap()
    }

    #[test]
    fn the_workspace_required_custom_fields_are_checked_on_the_case_and_each_party() {
        let tpl = template(json!({}));
        let definitions = [
            definition("channel", true, json!(["application"])),
            definition("notes", false, json!(["application", "relationship"])),
            definition("employee_id", true, json!(["relationship"])),
        ];
        let f = facts(json!({"type": "business", "business": {"name": "Acme"},
            "relationships": [
                {"id": "r1", "kind": "person", "roles": ["director"], "person": {"last_name": "W"}},
                {"id": "r2", "kind": "person", "roles": ["ubo"], "person": {"last_name": "X"},
                 "custom_fields": {"employee_id": "E1"}}]}));
        let run = |facts: &crate::workflow::CaseFacts| {
            DataCompleteness.run(&TaskInput {
                spec: &tpl.tasks[0],
                facts,
                template: &tpl,
                expected_documents: &[],
                field_definitions: &definitions,
            })
        };
        let out = run(&f);
        assert_eq!(out.result, TaskResult::NeedsAction);
        let paths: Vec<_> = out
            .findings
            .iter()
            .filter_map(|f| f.path.as_deref())
            .collect();
        assert_eq!(
            paths,
            [
                "custom_fields.channel",
                "relationships[r1].custom_fields.employee_id"
            ]
        );
        assert!(out.findings[0].message.contains("channel"));
        assert_eq!(out.findings[1].relationship_id.as_deref(), Some("r1"));

        let complete = facts(json!({"type": "business", "business": {"name": "Acme"},
            "custom_fields": {"channel": "web"},
            "relationships": [
                {"id": "r1", "kind": "person", "roles": ["director"], "person": {"last_name": "W"},
                 "custom_fields": {"employee_id": "E0"}}]}));
        assert_eq!(run(&complete).result, TaskResult::Clear);
        // Without the definitions (another workspace) nothing is required.
        assert_eq!(
            run_kind(&DataCompleteness, &tpl, &f).result,
            TaskResult::Clear
        );
    }

    #[test]
    fn clear_when_complete() {
        let tpl = template(json!({"subject_fields": [{"field": "first_name"}]}));
        let f = facts(json!({"type": "person", "person": {"first_name": "Sam"}}));
        assert_eq!(
            run_kind(&DataCompleteness, &tpl, &f).result,
            TaskResult::Clear
        );
    }
}
