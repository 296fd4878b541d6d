//! `documents_collected` (every expected document uploaded, not rejected) and
//! `documents_validated` (every expected document marked valid by a reviewer).

use super::{Finding, TaskInput, TaskKind, TaskOutcome, TaskResult};
use crate::workflow::facts::{CaseDocument, DocumentStatus};
use crate::workflow::template::ExpectedDocument;
use serde_json::{Value, json};

pub struct DocumentsCollected;
pub struct DocumentsValidated;

/// The documents that can satisfy an expectation: right type, right party.
fn candidates<'a>(
    expected: &ExpectedDocument,
    documents: &'a [CaseDocument],
) -> Vec<&'a CaseDocument> {
    documents
        .iter()
        .filter(|d| {
            expected.types.contains(&d.document_type)
                && d.relationship_id == expected.relationship_id
        })
        .collect()
}

fn inputs(input: &TaskInput<'_>) -> Value {
    json!({
        "expected": input.expected_documents,
        "documents": input.facts.documents_json(),
    })
}

fn describe(expected: &ExpectedDocument) -> String {
    format!("{} for {}", expected.label, expected.subject_name)
}

fn finding(code: &str, message: String, expected: &ExpectedDocument) -> Finding {
    let mut f = Finding::new(code, message).at(format!("documents.{}", expected.requirement_id));
    f.relationship_id = expected.relationship_id.clone();
    f
}

fn condition_errors(input: &TaskInput<'_>) -> Option<TaskOutcome> {
    let findings: Vec<Finding> = input
        .expected_documents
        .iter()
        .filter_map(|e| {
            e.condition_error.as_ref().map(|err| {
                finding(
                    "condition_error",
                    format!(
                        "Condition of {} could not be evaluated: {err}",
                        e.requirement_id
                    ),
                    e,
                )
            })
        })
        .collect();
    (!findings.is_empty()).then(|| {
        TaskOutcome::new(
            TaskResult::Error,
            "A document condition of the template could not be evaluated",
        )
        .with_findings(findings)
    })
}

impl TaskKind for DocumentsCollected {
    fn kind(&self) -> &'static str {
        "documents_collected"
    }

    fn inputs(&self, input: &TaskInput<'_>) -> Value {
        inputs(input)
    }

    fn run(&self, input: &TaskInput<'_>) -> TaskOutcome {
        if let Some(error) = condition_errors(input) {
            return error;
        }
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        for expected in input.expected_documents {
            let usable: Vec<_> = candidates(expected, &input.facts.documents)
                .into_iter()
                .filter(|d| d.status != DocumentStatus::Invalid)
                .collect();
            if usable.is_empty() {
                findings.push(finding(
                    "missing_document",
                    format!("Missing: {}", describe(expected)),
                    expected,
                ));
            }
            evidence.push(json!({
                "requirement_id": expected.requirement_id,
                "relationship_id": expected.relationship_id,
                "documents": usable.iter().map(|d| d.id.clone()).collect::<Vec<_>>(),
            }));
        }
        let outcome = if findings.is_empty() {
            TaskOutcome::new(
                TaskResult::Clear,
                format!(
                    "All {} expected documents collected",
                    input.expected_documents.len()
                ),
            )
        } else {
            TaskOutcome::new(
                TaskResult::NeedsAction,
                format!("{} expected document(s) missing", findings.len()),
            )
        };
        outcome
            .with_findings(findings)
            .with_evidence(Value::Array(evidence))
    }
}

impl TaskKind for DocumentsValidated {
    fn kind(&self) -> &'static str {
        "documents_validated"
    }

    fn inputs(&self, input: &TaskInput<'_>) -> Value {
        inputs(input)
    }

    fn run(&self, input: &TaskInput<'_>) -> TaskOutcome {
        if let Some(error) = condition_errors(input) {
            return error;
        }
        let mut rejected = Vec::new();
        let mut waiting = Vec::new();
        for expected in input.expected_documents {
            let docs = candidates(expected, &input.facts.documents);
            if docs.iter().any(|d| d.status == DocumentStatus::Valid) {
                continue;
            }
            if docs.iter().any(|d| d.status == DocumentStatus::Unset) {
                waiting.push(finding(
                    "awaiting_review",
                    format!("To review: {}", describe(expected)),
                    expected,
                ));
            } else if let Some(invalid) = docs.iter().find(|d| d.status == DocumentStatus::Invalid)
            {
                let reason = invalid.reason.as_deref().unwrap_or("no reason given");
                rejected.push(finding(
                    "document_invalid",
                    format!(
                        "Rejected ({reason}), a new one is needed: {}",
                        describe(expected)
                    ),
                    expected,
                ));
            } else {
                waiting.push(finding(
                    "awaiting_upload",
                    format!("Not uploaded yet: {}", describe(expected)),
                    expected,
                ));
            }
        }
        // A rejected document needs the client; one not yet reviewed waits for a reviewer.
        let (result, summary) = if !rejected.is_empty() {
            (
                TaskResult::NeedsAction,
                format!("{} document(s) rejected and to be replaced", rejected.len()),
            )
        } else if !waiting.is_empty() {
            (
                TaskResult::Pending,
                format!("{} document(s) not validated yet", waiting.len()),
            )
        } else {
            (
                TaskResult::Clear,
                "All expected documents are valid".to_string(),
            )
        };
        rejected.extend(waiting);
        TaskOutcome::new(result, summary).with_findings(rejected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::tasks::tests_support::{facts_with_documents, run_kind_with, template};

    fn expected(id: &str, types: &[&str], rel: Option<&str>) -> ExpectedDocument {
        ExpectedDocument {
            requirement_id: id.into(),
            types: types.iter().map(|t| t.to_string()).collect(),
            label: id.into(),
            relationship_id: rel.map(str::to_string),
            subject_name: "X".into(),
            condition_error: None,
        }
    }
    fn doc(id: &str, t: &str, rel: Option<&str>, status: DocumentStatus) -> CaseDocument {
        CaseDocument {
            id: id.into(),
            document_type: t.into(),
            relationship_id: rel.map(str::to_string),
            status,
            reason: None,
        }
    }

    #[test]
    fn collected_counts_any_accepted_type_on_the_right_party() {
        let tpl = template(json!({}));
        let exp = [
            expected("coi", &["certificate_of_incorporation"], None),
            expected("ubo_id", &["passport", "identity_document"], Some("r3")),
        ];
        let f = facts_with_documents(
            json!({"type": "business"}),
            vec![
                doc(
                    "d1",
                    "certificate_of_incorporation",
                    None,
                    DocumentStatus::Unset,
                ),
                doc("d2", "passport", Some("r9"), DocumentStatus::Valid),
            ],
        );
        let out = run_kind_with(&DocumentsCollected, &tpl, &f, &exp);
        assert_eq!(out.result, TaskResult::NeedsAction);
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.findings[0].relationship_id.as_deref(), Some("r3"));
        let f = facts_with_documents(
            json!({"type": "business"}),
            vec![
                doc(
                    "d1",
                    "certificate_of_incorporation",
                    None,
                    DocumentStatus::Unset,
                ),
                doc("d2", "identity_document", Some("r3"), DocumentStatus::Unset),
            ],
        );
        assert_eq!(
            run_kind_with(&DocumentsCollected, &tpl, &f, &exp).result,
            TaskResult::Clear
        );
        // An invalid document does not count as collected.
        let f = facts_with_documents(
            json!({"type": "business"}),
            vec![
                doc(
                    "d1",
                    "certificate_of_incorporation",
                    None,
                    DocumentStatus::Invalid,
                ),
                doc("d2", "identity_document", Some("r3"), DocumentStatus::Unset),
            ],
        );
        assert_eq!(
            run_kind_with(&DocumentsCollected, &tpl, &f, &exp).result,
            TaskResult::NeedsAction
        );
    }

    #[test]
    fn validated_waits_for_review_and_asks_for_replacements() {
        let tpl = template(json!({}));
        let exp = [expected("coi", &["certificate_of_incorporation"], None)];
        let with = |status| {
            facts_with_documents(
                json!({"type": "business"}),
                vec![doc("d1", "certificate_of_incorporation", None, status)],
            )
        };
        assert_eq!(
            run_kind_with(
                &DocumentsValidated,
                &tpl,
                &with(DocumentStatus::Unset),
                &exp
            )
            .result,
            TaskResult::Pending
        );
        assert_eq!(
            run_kind_with(
                &DocumentsValidated,
                &tpl,
                &with(DocumentStatus::Invalid),
                &exp
            )
            .result,
            TaskResult::NeedsAction
        );
        assert_eq!(
            run_kind_with(
                &DocumentsValidated,
                &tpl,
                &with(DocumentStatus::Valid),
                &exp
            )
            .result,
            TaskResult::Clear
        );
        let none = facts_with_documents(json!({"type": "business"}), vec![]);
        assert_eq!(
            run_kind_with(&DocumentsValidated, &tpl, &none, &exp).result,
            TaskResult::Pending
        );
    }

    #[test]
    fn a_condition_error_is_an_error_not_a_silent_skip() {
        let tpl = template(json!({}));
        let mut e = expected("coi", &["certificate_of_incorporation"], None);
        e.condition_error = Some("no field x".into());
        let f = facts_with_documents(json!({"type": "business"}), vec![]);
        let out = run_kind_with(&DocumentsCollected, &tpl, &f, &[e]);
        assert_eq!(out.result, TaskResult::Error);
        assert!(out.findings[0].message.contains("no field x"));
    }
}
