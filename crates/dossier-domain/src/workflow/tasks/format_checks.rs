//! `format_checks`: values that are present have a valid format (IBAN, VAT number, LEI, e-mail,
//! phone). Presence is `data_completeness`'s job, so an absent value is skipped here.
//!
//! Config: `{"checks": [{"path": "application.business.email", "format": "email"},
//! {"path": "relationships.person.phone", "format": "phone"}, {"path": "custom_fields.iban",
//! "format": "iban"}]}` — a `relationships.` path applies to every related party.

use super::data_completeness::field_value;
use super::formats::Format;
use super::{Finding, TaskInput, TaskKind, TaskOutcome, TaskResult};
use serde_json::{Value, json};

pub struct FormatChecks;

struct Check<'a> {
    root: &'a str,
    rest: &'a str,
    format: Format,
}

fn checks(config: &Value) -> Result<Vec<Check<'_>>, String> {
    let list = config["checks"]
        .as_array()
        .ok_or("config.checks lists {path, format} items")?;
    list.iter()
        .enumerate()
        .map(|(i, c)| {
            let path = c["path"]
                .as_str()
                .ok_or(format!("checks[{i}].path is missing"))?;
            let format_name = c["format"].as_str().unwrap_or("");
            let format = Format::parse(format_name).ok_or(format!(
                "checks[{i}].format {format_name:?} is not one of {}",
                Format::NAMES.join(", ")
            ))?;
            let (root, rest) = path
                .split_once('.')
                .ok_or(format!("checks[{i}].path {path:?} is too short"))?;
            if !matches!(root, "application" | "relationships" | "custom_fields") {
                return Err(format!(
                    "checks[{i}].path starts with application, relationships or custom_fields"
                ));
            }
            Ok(Check { root, rest, format })
        })
        .collect()
}

impl TaskKind for FormatChecks {
    fn kind(&self) -> &'static str {
        "format_checks"
    }

    fn check_config(&self, config: &Value) -> Result<(), String> {
        checks(config).map(|_| ())
    }

    fn inputs(&self, input: &TaskInput<'_>) -> Value {
        json!({
            "application": input.facts.application,
            "relationships": input.facts.relationships_json(),
        })
    }

    fn run(&self, input: &TaskInput<'_>) -> TaskOutcome {
        let checks = match checks(&input.spec.config) {
            Ok(c) => c,
            Err(e) => return TaskOutcome::new(TaskResult::Error, e),
        };
        let facts = input.facts;
        let mut findings = Vec::new();
        let mut checked = 0;
        for check in &checks {
            let targets: Vec<(String, Option<&str>, &Value)> = match check.root {
                "application" => vec![(
                    format!("application.{}", check.rest),
                    None,
                    &facts.application,
                )],
                "custom_fields" => vec![(
                    format!("custom_fields.{}", check.rest),
                    None,
                    &facts.custom_fields,
                )],
                _ => facts
                    .relationships
                    .iter()
                    .map(|r| {
                        (
                            format!("relationships[{}].{}", r.id, check.rest),
                            Some(r.id.as_str()),
                            &r.value,
                        )
                    })
                    .collect(),
            };
            for (path, rel, object) in targets {
                let Some(value) = field_value(object, check.rest) else {
                    continue;
                };
                checked += 1;
                let text = value
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| value.to_string());
                if let Err(why) = check.format.check(&text) {
                    let mut f =
                        Finding::new("invalid_format", format!("{path}: {text:?} is {why}"))
                            .at(path);
                    f.relationship_id = rel.map(str::to_string);
                    findings.push(f);
                }
            }
        }
        if findings.is_empty() {
            TaskOutcome::new(
                TaskResult::Clear,
                format!("{checked} value(s) checked, all well-formed"),
            )
        } else {
            TaskOutcome::new(
                TaskResult::NeedsAction,
                format!("{} value(s) badly formatted", findings.len()),
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
    fn checks_present_values_and_skips_absent_ones() {
        let mut tpl = template(json!({}));
        tpl.tasks[0].config = json!({"checks": [
            {"path": "application.business.email", "format": "email"},
            {"path": "application.business.phone", "format": "phone"},
            {"path": "relationships.person.email", "format": "email"},
            {"path": "custom_fields.iban", "format": "iban"}]});
        let f = facts(
            json!({"type": "business", "business": {"email": "ops@acme.fr"},
            "custom_fields": {"iban": "FR76 3000 6000 0112 3456 7890 189"},
            "relationships": [{"id": "r1", "kind": "person", "person": {"email": "broken@"}},
                              {"id": "r2", "kind": "person", "person": {}}]}),
        );
        let out = run_kind(&FormatChecks, &tpl, &f);
        assert_eq!(out.result, TaskResult::NeedsAction);
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.findings[0].relationship_id.as_deref(), Some("r1"));
        assert_eq!(
            out.findings[0].path.as_deref(),
            Some("relationships[r1].person.email")
        );
    }

    #[test]
    fn config_is_checked_at_save() {
        assert!(
            FormatChecks
                .check_config(&json!({"checks": [{"path": "application.x", "format": "email"}]}))
                .is_ok()
        );
        assert!(
            FormatChecks
                .check_config(&json!({"checks": [{"path": "application.x", "format": "morse"}]}))
                .is_err()
        );
        assert!(
            FormatChecks
                .check_config(&json!({"checks": [{"path": "elsewhere.x", "format": "iban"}]}))
                .is_err()
        );
        assert!(FormatChecks.check_config(&json!({})).is_err());
    }
}
