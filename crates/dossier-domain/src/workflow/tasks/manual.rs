//! `manual`: a checklist item a reviewer clears (with a mandatory comment, see
//! [`super::Task::clear`]). `External` is the same mechanism for results produced elsewhere
//! (an external check): pending until recorded, stale when inputs move.

use super::{Execution, Finding, TaskInput, TaskKind, TaskOutcome, TaskResult};
use serde_json::{Value, json};

pub struct Manual;

impl TaskKind for Manual {
    fn kind(&self) -> &'static str {
        "manual"
    }

    fn execution(&self) -> Execution {
        Execution::Deferred
    }

    fn check_config(&self, config: &Value) -> Result<(), String> {
        match &config["checklist"] {
            Value::Null => Ok(()),
            Value::Array(items) if items.iter().all(Value::is_string) => Ok(()),
            _ => Err("checklist is a list of texts".into()),
        }
    }

    /// A manual check is about the case as a whole; it is not reopened when data changes.
    fn inputs(&self, input: &TaskInput<'_>) -> Value {
        json!({"config": input.spec.config})
    }

    fn run(&self, input: &TaskInput<'_>) -> TaskOutcome {
        let findings = input.spec.config["checklist"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|item| Finding::new("checklist_item", item))
                    .collect()
            })
            .unwrap_or_default();
        TaskOutcome::new(
            TaskResult::Pending,
            format!("To be checked by a reviewer: {}", input.spec.name),
        )
        .with_findings(findings)
    }
}

/// A kind whose results are recorded by another component; inputs are the whole case's parties.
pub struct External {
    pub kind: &'static str,
}

impl TaskKind for External {
    fn kind(&self) -> &'static str {
        self.kind
    }

    fn execution(&self) -> Execution {
        Execution::Deferred
    }

    fn inputs(&self, input: &TaskInput<'_>) -> Value {
        json!({
            "subject": input.facts.application[input.facts.case_type()],
            "relationships": input.facts.relationships_json(),
        })
    }

    fn run(&self, _input: &TaskInput<'_>) -> TaskOutcome {
        TaskOutcome::new(TaskResult::Pending, "Waiting for the check to run")
    }
}
