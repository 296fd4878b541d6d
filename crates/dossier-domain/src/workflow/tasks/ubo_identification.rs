//! `ubo_identification`: effective ownership through holdings (see [`crate::workflow::ownership`])
//! and a check that every person at or above the threshold (25 % by default) is declared with
//! the `ubo` role and has the documents the template expects of a UBO.

use super::{Finding, TaskInput, TaskKind, TaskOutcome, TaskResult};
use crate::workflow::facts::DocumentStatus;
use crate::workflow::ownership::{at_or_above, round_percentage};
use serde_json::{Value, json};

pub struct UboIdentification;

pub const DEFAULT_THRESHOLD: f64 = 25.0;

fn threshold(config: &Value) -> f64 {
    config["threshold"].as_f64().unwrap_or(DEFAULT_THRESHOLD)
}

impl TaskKind for UboIdentification {
    fn kind(&self) -> &'static str {
        "ubo_identification"
    }

    fn check_config(&self, config: &Value) -> Result<(), String> {
        match &config["threshold"] {
            Value::Null => Ok(()),
            Value::Number(n) if n.as_f64().is_some_and(|t| t > 0.0 && t <= 100.0) => Ok(()),
            _ => Err("threshold is a percentage above 0 and at most 100".into()),
        }
    }

    fn inputs(&self, input: &TaskInput<'_>) -> Value {
        json!({
            "relationships": input.facts.relationships_json(),
            "expected": input.expected_documents,
            "documents": input.facts.documents_json(),
            "threshold": threshold(&input.spec.config),
        })
    }

    fn run(&self, input: &TaskInput<'_>) -> TaskOutcome {
        let facts = input.facts;
        let threshold = threshold(&input.spec.config);
        let report = &facts.ownership;
        let mut findings = Vec::new();
        let mut notes = Vec::new();
        let mut owners = Vec::new();
        let mut ubo_count = 0;

        for (index, entity) in facts.entities.iter().enumerate().skip(1) {
            let share = report.effective[index];
            let rels: Vec<_> = facts
                .relationships
                .iter()
                .filter(|r| entity.relationship_ids.contains(&r.id))
                .collect();
            let declared = rels.iter().any(|r| r.has_role("ubo"));
            let first_id = entity.relationship_ids[0].clone();
            let reaches = at_or_above(share, threshold);
            if share > 0.0 || declared {
                let paths: Vec<Value> = report
                    .paths
                    .get(&index)
                    .map(|ps| {
                        ps.iter()
                            .map(|p| {
                                json!({
                                    "via": p.entities.iter().map(|e| facts.entities[*e].name.clone()).collect::<Vec<_>>(),
                                    "percentage": round_percentage(p.percentage),
                                })
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                owners.push(json!({
                    "name": entity.name,
                    "kind": entity.kind,
                    "relationship_ids": entity.relationship_ids,
                    "effective_ownership": round_percentage(share),
                    "declared_ubo": declared,
                    "paths": paths,
                }));
            }
            if entity.kind == "person" {
                if declared {
                    ubo_count += 1;
                }
                if reaches && !declared {
                    findings.push(
                        Finding::new(
                            "undeclared_ubo",
                            format!(
                                "{} holds {}% (at or above {threshold}%) but is not declared as UBO",
                                entity.name,
                                round_percentage(share)
                            ),
                        )
                        .on(first_id.clone()),
                    );
                }
                if reaches || declared {
                    for expected in input.expected_documents.iter().filter(|e| {
                        e.relationship_id
                            .as_ref()
                            .is_some_and(|id| entity.relationship_ids.contains(id))
                    }) {
                        let present = facts.documents.iter().any(|d| {
                            d.relationship_id == expected.relationship_id
                                && expected.types.contains(&d.document_type)
                                && d.status != DocumentStatus::Invalid
                        });
                        if !present {
                            let mut f = Finding::new(
                                "missing_ubo_document",
                                format!("{}: {} missing", entity.name, expected.label),
                            );
                            f.relationship_id = expected.relationship_id.clone();
                            findings.push(f);
                        }
                    }
                }
                if declared && !reaches {
                    notes.push(format!(
                        "{} is declared as UBO with {}% ownership: control by other means?",
                        entity.name,
                        round_percentage(share)
                    ));
                }
            } else if reaches {
                // A holding above the threshold whose owners are unknown hides its UBOs.
                let has_owners = facts.relationships.iter().any(|r| {
                    r.parent_id
                        .as_ref()
                        .is_some_and(|p| entity.relationship_ids.contains(p))
                        && !r.value["ownership_percentage"].is_null()
                });
                if !has_owners {
                    findings.push(
                        Finding::new(
                            "undisclosed_owners",
                            format!(
                                "{} holds {}%: declare its owners to identify the beneficial owners",
                                entity.name,
                                round_percentage(share)
                            ),
                        )
                        .on(first_id.clone()),
                    );
                }
            }
        }

        let mut considerations = Vec::new();
        if report.cycles_cut > 0 {
            considerations.push(Finding::new(
                "ownership_cycle",
                format!(
                    "The ownership chart has cross-holdings ({} cycle(s) cut): check it by hand",
                    report.cycles_cut
                ),
            ));
        }
        if report.truncated {
            considerations.push(Finding::new(
                "ownership_too_complex",
                "Too many ownership paths to list: figures are lower bounds",
            ));
        }
        if ubo_count == 0 && findings.is_empty() {
            considerations.push(Finding::new(
                "no_ubo",
                format!("No natural person holds {threshold}% or more: identify the senior managing official as UBO"),
            ));
        }
        let evidence = json!({
            "threshold": threshold,
            "owners": owners,
            "cycles_cut": report.cycles_cut,
            "truncated": report.truncated,
            "notes": notes,
        });
        let (result, summary) = if !findings.is_empty() {
            (
                TaskResult::NeedsAction,
                format!(
                    "{} beneficial ownership issue(s) to resolve",
                    findings.len()
                ),
            )
        } else if !considerations.is_empty() {
            (
                TaskResult::Consider,
                "Beneficial ownership needs a reviewer's look".to_string(),
            )
        } else {
            (
                TaskResult::Clear,
                format!("{ubo_count} beneficial owner(s) identified"),
            )
        };
        findings.extend(considerations);
        TaskOutcome::new(result, summary)
            .with_findings(findings)
            .with_evidence(evidence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::facts::{CaseDocument, DocumentStatus};
    use crate::workflow::tasks::tests_support::{facts_with_documents, run_kind_with, template};
    use crate::workflow::template::ExpectedDocument;

    fn acme() -> Value {
        json!({"type": "business", "business": {"name": "Acme Freight SARL", "country": "LU"},
            "relationships": [
                {"id": "r1", "kind": "person", "roles": ["director", "signatory"],
                 "person": {"first_name": "Luc", "last_name": "Weber"}},
                {"id": "r2", "kind": "business", "roles": ["shareholder"], "ownership_percentage": 100,
                 "business": {"name": "Acme Holding SA", "country": "BE"},
                 "relationships": [
                    {"id": "r3", "kind": "person", "roles": ["ubo"], "ownership_percentage": 70,
                     "person": {"first_name": "Anne", "last_name": "Peeters"}},
                    {"id": "r4", "kind": "person", "roles": ["shareholder"], "ownership_percentage": 30,
                     "person": {"first_name": "Bram", "last_name": "Claes"}}]}]})
    }

    fn id_expected(rel: &str) -> ExpectedDocument {
        ExpectedDocument {
            requirement_id: "ubo_identity".into(),
            types: vec!["passport".into(), "identity_document".into()],
            label: "Identity document".into(),
            relationship_id: Some(rel.into()),
            subject_name: rel.into(),
            condition_error: None,
        }
    }

    #[test]
    fn finds_undeclared_owner_through_a_holding_and_missing_documents() {
        let f = facts_with_documents(acme(), vec![]);
        let out = run_kind_with(
            &UboIdentification,
            &template(json!({})),
            &f,
            &[id_expected("r3")],
        );
        assert_eq!(out.result, TaskResult::NeedsAction);
        let codes: Vec<_> = out
            .findings
            .iter()
            .map(|f| (f.code.as_str(), f.relationship_id.as_deref()))
            .collect();
        assert!(
            codes.contains(&("missing_ubo_document", Some("r3"))),
            "{codes:?}"
        );
        assert!(codes.contains(&("undeclared_ubo", Some("r4"))), "{codes:?}");
        let owners = out.evidence["owners"].as_array().unwrap();
        let bram = owners.iter().find(|o| o["name"] == "Bram Claes").unwrap();
        assert_eq!(bram["effective_ownership"], json!(30.0));
        assert_eq!(
            bram["paths"][0]["via"],
            json!(["Bram Claes", "Acme Holding SA", "Acme Freight SARL"])
        );
    }

    #[test]
    fn clear_when_every_owner_above_threshold_is_declared_with_documents() {
        let mut case = acme();
        case["relationships"][1]["relationships"][1]["roles"] = json!(["ubo"]);
        let docs = ["r3", "r4"].map(|r| CaseDocument {
            id: format!("d_{r}"),
            document_type: "passport".into(),
            relationship_id: Some(r.into()),
            status: DocumentStatus::Unset,
            reason: None,
        });
        let f = facts_with_documents(case, docs.to_vec());
        let out = run_kind_with(
            &UboIdentification,
            &template(json!({})),
            &f,
            &[id_expected("r3"), id_expected("r4")],
        );
        assert_eq!(out.result, TaskResult::Clear, "{:?}", out.findings);
        assert!(
            UboIdentification
                .check_config(&json!({"threshold": 150}))
                .is_err()
        );
        assert!(
            UboIdentification
                .check_config(&json!({"threshold": 50}))
                .is_ok()
        );
    }

    #[test]
    fn a_holding_without_declared_owners_hides_ubos() {
        let case = json!({"type": "business", "business": {"name": "S"},
            "relationships": [{"id": "h", "kind": "business", "roles": ["shareholder"], "ownership_percentage": 60,
                               "business": {"name": "Opaque Ltd"}}]});
        let out = run_kind_with(
            &UboIdentification,
            &template(json!({})),
            &facts_with_documents(case, vec![]),
            &[],
        );
        assert_eq!(out.result, TaskResult::NeedsAction);
        assert_eq!(out.findings[0].code, "undisclosed_owners");
    }

    #[test]
    fn no_owner_above_threshold_asks_for_a_senior_managing_official() {
        let case = json!({"type": "business", "business": {"name": "S"},
            "relationships": [{"id": "p", "kind": "person", "roles": ["shareholder"], "ownership_percentage": 10,
                               "person": {"first_name": "A", "last_name": "B"}}]});
        let out = run_kind_with(
            &UboIdentification,
            &template(json!({})),
            &facts_with_documents(case, vec![]),
            &[],
        );
        assert_eq!(out.result, TaskResult::Consider);
        assert_eq!(out.findings[0].code, "no_ubo");
    }

    #[test]
    fn cross_holding_is_flagged_for_review() {
        // The subject appears again as an owner of its own parent.
        let case = json!({"type": "business", "business": {"name": "S", "country": "FR", "registration_number": "1"},
            "relationships": [{"id": "h", "kind": "business", "roles": ["shareholder"], "ownership_percentage": 100,
                "business": {"name": "H", "country": "FR", "registration_number": "2"},
                "relationships": [
                    {"id": "s", "kind": "business", "roles": ["shareholder"], "ownership_percentage": 20,
                     "business": {"name": "S", "country": "FR", "registration_number": "1"}},
                    {"id": "p", "kind": "person", "roles": ["ubo"], "ownership_percentage": 80,
                     "person": {"first_name": "A", "last_name": "B"}}]}]});
        let f = facts_with_documents(case, vec![]);
        assert_eq!(f.ownership.cycles_cut, 1);
        let out = run_kind_with(&UboIdentification, &template(json!({})), &f, &[]);
        assert_eq!(out.result, TaskResult::Consider, "{:?}", out.findings);
        assert!(out.findings.iter().any(|f| f.code == "ownership_cycle"));
    }
}
