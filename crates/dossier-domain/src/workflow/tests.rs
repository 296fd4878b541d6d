//! Whole-engine tests: a case goes in as JSON, tasks, risk, status and policy come out.

use super::*;
use serde_json::json;

const TODAY: jiff::civil::Date = jiff::civil::date(2025, 6, 30);

fn ctx() -> EvaluationContext<'static> {
    EvaluationContext {
        today: TODAY,
        risk_adjustments: &[],
        field_definitions: &[],
    }
}

fn templates() -> (Engine, CompiledTemplate, CompiledTemplate) {
    let engine = Engine::default();
    let mut compiled = engine.default_templates().unwrap();
    let kyc = compiled.pop().unwrap();
    let kyb = compiled.pop().unwrap();
    (engine, kyb, kyc)
}

/// The acceptance check's company: a director-signatory and a holding owned 70/30.
fn acme() -> Value {
    json!({
        "id": "app_1", "type": "business",
        "business": {"name": "Acme Freight SARL", "registration_number": "B123456", "country": "LU",
                     "incorporation_date": "2019-06-01"},
        "relationships": [
            {"id": "r1", "kind": "person", "roles": ["director", "signatory"],
             "person": {"first_name": "Luc", "last_name": "Weber", "nationality": "LU"}},
            {"id": "r2", "kind": "business", "roles": ["shareholder"], "ownership_percentage": 100,
             "business": {"name": "Acme Holding SA", "country": "BE"},
             "relationships": [
                {"id": "r3", "kind": "person", "roles": ["ubo"], "ownership_percentage": 70,
                 "person": {"first_name": "Anne", "last_name": "Peeters", "nationality": "BE"}},
                {"id": "r4", "kind": "person", "roles": ["shareholder"], "ownership_percentage": 30,
                 "person": {"first_name": "Bram", "last_name": "Claes", "nationality": "BE"}}]}]
    })
}

fn person(nationality: &str) -> Value {
    json!({"id": "app_p", "type": "person", "person": {"first_name": "Sam", "last_name": "Risk",
        "birth_date": "1985-04-04", "nationality": nationality, "country_of_residence": nationality}})
}

fn task<'a>(evaluation: &'a Evaluation, key: &str) -> &'a Task {
    evaluation
        .tasks
        .iter()
        .find(|t| t.key == key)
        .unwrap_or_else(|| panic!("no task {key}"))
}

#[test]
fn a_kyb_case_gets_its_tasks_risk_and_status() {
    let (engine, kyb, _) = templates();
    let e = engine.evaluate(&kyb, &acme(), &[], &[], &ctx());
    assert!(e.tasks.iter().filter(|t| t.active).count() >= 4);
    let ubo = task(&e, "ubo_identification");
    assert_eq!(ubo.result, TaskResult::NeedsAction);
    assert!(ubo.findings.iter().any(|f| f.code == "undeclared_ubo"));
    assert_eq!(
        task(&e, "documents_collected").result,
        TaskResult::NeedsAction
    );
    assert_eq!(e.status_execution, StatusExecution::WaitingForUserInput);
    // No industry code: the activity review does not apply; low risk: no EDD.
    assert!(!task(&e, "activity_review").active);
    assert!(!task(&e, "enhanced_due_diligence").active);
    let fired: Vec<&str> = e
        .risk
        .explanation
        .iter()
        .filter(|c| c.outcome == RuleOutcome::Fired)
        .map(|c| c.rule_id.as_str())
        .collect();
    // One holding level is not yet a chain.
    assert!(!fired.contains(&"complex_ownership"), "{fired:?}");
    assert!(fired.contains(&"missing_documents"), "{fired:?}");
    assert!(e.risk.errors.is_empty(), "{:?}", e.risk.explanation);
    assert_eq!(e.risk.template, "kyb_standard");
    // Expected documents follow the conditions: LU has a UBO register; Luc is a director so no
    // power of attorney; the holding owns 100 % so its registration is asked.
    let expected: Vec<(&str, Option<&str>)> = e
        .expected_documents
        .iter()
        .map(|d| (d.requirement_id.as_str(), d.relationship_id.as_deref()))
        .collect();
    for want in [
        ("certificate_of_incorporation", None),
        ("articles_of_association", None),
        ("ubo_register_extract", None),
        ("ubo_identity", Some("r3")),
        ("director_identity", Some("r1")),
        ("shareholder_registration", Some("r2")),
    ] {
        assert!(expected.contains(&want), "missing {want:?} in {expected:?}");
    }
    assert!(
        !expected
            .iter()
            .any(|(id, _)| *id == "signatory_power_of_attorney")
    );
    // The decision is refused while tasks are open.
    let refusal = decide(
        CaseState {
            status_review: StatusReview::Pending,
            status_execution: e.status_execution,
            requirements: &e.review_requirements,
            pending_approval: None,
            open_tasks: &e.open_tasks(),
        },
        &Actor::new("user", "key_1", Role::Automation),
        &DecisionRequest {
            status_review: DecisionKind::Approved,
            reason: "looks fine".into(),
            override_open_tasks: false,
        },
        jiff::Timestamp::UNIX_EPOCH,
    )
    .unwrap_err();
    assert_eq!(refusal.code, RefusalCode::TasksNotDone);
    assert!(
        refusal.message.contains("Beneficial owners identified"),
        "{}",
        refusal.message
    );
}

#[test]
fn a_business_director_goes_through_the_kyb_workflow() {
    let (engine, kyb, _) = templates();
    let mut case = acme();
    // A corporate director (a French SAS's président): a business, without its registration number.
    case["relationships"][0]["roles"] = json!(["signatory"]);
    case["relationships"].as_array_mut().unwrap().push(
        json!({"id": "r5", "kind": "business", "roles": ["director", "legal_representative"],
                     "business": {"name": "Gestion Présidence SAS", "country": "FR"}}),
    );
    let e = engine.evaluate(&kyb, &case, &[], &[], &ctx());
    assert!(
        e.tasks.iter().all(|t| t.result != TaskResult::Error),
        "{:?}",
        e.tasks
    );
    assert!(e.risk.errors.is_empty(), "{:?}", e.risk.errors);
    let completeness = task(&e, "data_completeness");
    let on_r5: Vec<_> = completeness
        .findings
        .iter()
        .filter(|f| f.relationship_id.as_deref() == Some("r5"))
        .filter_map(|f| f.path.as_deref())
        .collect();
    // The business director is checked with business fields; it counts as the director.
    assert_eq!(on_r5, ["relationships[r5].business.registration_number"]);
    assert!(
        !completeness
            .findings
            .iter()
            .any(|f| f.code == "missing_relationship"),
        "{:?}",
        completeness.findings
    );
    // A corporate director brings its certificate of incorporation, no passport.
    let r5: Vec<&str> = e
        .expected_documents
        .iter()
        .filter(|d| d.relationship_id.as_deref() == Some("r5"))
        .map(|d| d.requirement_id.as_str())
        .collect();
    assert_eq!(r5, ["corporate_director_registration"]);
    // The signatory who is no longer director needs a power of attorney.
    assert!(
        e.expected_documents
            .iter()
            .any(|d| d.requirement_id == "signatory_power_of_attorney"
                && d.relationship_id.as_deref() == Some("r1"))
    );
    // The business director is screened as a business.
    let facts = CaseFacts::build(&case, &[]);
    let parties = tasks::screening::parties(&facts);
    let director = parties
        .iter()
        .find(|p| p.party_id == "r5")
        .expect("r5 screened");
    assert_eq!(director.kind, "business");
}

#[test]
fn a_complete_case_reaches_done() {
    let (engine, kyb, _) = templates();
    let mut case = acme();
    case["business"] = json!({"name": "Acme Freight SARL", "registration_number": "B123456", "country": "LU",
        "legal_form": "SARL", "incorporation_date": "2019-06-01", "industry_code": "49.41",
        "address": {"line1": "1 rue X", "city": "Luxembourg", "postal_code": "L-1111", "country": "LU"}});
    case["relationships"][0]["person"]["birth_date"] = json!("1970-01-01");
    case["relationships"][0]["person"]["email"] = json!("luc@acme.lu");
    case["relationships"][1]["business"]["registration_number"] = json!("0403170701");
    for i in 0..2 {
        let p = &mut case["relationships"][1]["relationships"][i];
        p["roles"] = json!(["ubo"]);
        p["person"]["birth_date"] = json!("1980-01-01");
        p["person"]["country_of_residence"] = json!("BE");
    }
    let first = engine.evaluate(&kyb, &case, &[], &[], &ctx());
    let mut documents = Vec::new();
    for (i, expected) in first.expected_documents.iter().enumerate() {
        documents.push(CaseDocument {
            id: format!("doc_{i}"),
            document_type: expected.types[0].clone(),
            relationship_id: expected.relationship_id.clone(),
            status: DocumentStatus::Unset,
            reason: None,
        });
    }
    let collected = engine.evaluate(&kyb, &case, &documents, &first.tasks, &ctx());
    assert_eq!(
        collected.status_execution,
        StatusExecution::InProgress,
        "{:#?}",
        collected.tasks
    );
    assert_eq!(
        task(&collected, "documents_validated").result,
        TaskResult::Pending
    );
    for d in &mut documents {
        d.status = DocumentStatus::Valid;
    }
    // The screening worker found nothing (until then the case cannot be done).
    let mut stored = collected.tasks.clone();
    let screening = stored.iter_mut().find(|t| t.kind == "screening").unwrap();
    let fp = screening.fingerprint.clone();
    screening.record_outcome(TaskOutcome::new(TaskResult::Clear, "no hits"), fp);
    let validated = engine.evaluate(&kyb, &case, &documents, &stored, &ctx());
    assert_eq!(
        validated.status_execution,
        StatusExecution::Done,
        "{:#?}",
        validated.tasks
    );
    // Two business levels is a holding chain: medium-ish but not reserved.
    assert_eq!(validated.risk.level, "low");
    assert!(!validated.review_requirements.qualified_reviewer_only);
    let outcome = decide(
        CaseState {
            status_review: StatusReview::Pending,
            status_execution: validated.status_execution,
            requirements: &validated.review_requirements,
            pending_approval: None,
            open_tasks: &validated.open_tasks(),
        },
        &Actor::new("user", "u1", Role::Reviewer),
        &DecisionRequest {
            status_review: DecisionKind::Approved,
            reason: "all clear".into(),
            override_open_tasks: false,
        },
        jiff::Timestamp::UNIX_EPOCH,
    )
    .unwrap();
    assert!(matches!(outcome, DecisionOutcome::Decided(_)));
}

#[test]
fn a_chain_of_holdings_is_complex_ownership() {
    let (engine, kyb, _) = templates();
    let mut case = acme();
    let holding = case["relationships"][1].clone();
    case["relationships"][1] = json!({"id": "top", "kind": "business", "roles": ["shareholder"],
        "ownership_percentage": 100, "business": {"name": "Top Holding SA", "country": "LU"},
        "relationships": [holding]});
    let e = engine.evaluate(&kyb, &case, &[], &[], &ctx());
    let line = e
        .risk
        .explanation
        .iter()
        .find(|c| c.rule_id == "complex_ownership")
        .unwrap();
    assert_eq!(line.outcome, RuleOutcome::Fired);
    // Anne still owns 70 % through two levels.
    let ubo = task(&e, "ubo_identification");
    let anne = ubo.evidence["owners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "Anne Peeters")
        .unwrap();
    assert_eq!(anne["effective_ownership"], json!(70.0));
}

#[test]
fn country_risk_moves_the_score_with_an_explanation() {
    let (engine, _, kyc) = templates();
    let fr = engine.evaluate(&kyc, &person("FR"), &[], &[], &ctx());
    let ir = engine.evaluate(&kyc, &person("IR"), &[], &[], &ctx());
    let kp = engine.evaluate(&kyc, &person("KP"), &[], &[], &ctx());
    let sy = engine.evaluate(&kyc, &person("SY"), &[], &[], &ctx());
    assert!(ir.risk.score > fr.risk.score);
    assert!(kp.risk.score > fr.risk.score);
    assert!(sy.risk.score > fr.risk.score && sy.risk.score < ir.risk.score);
    assert_eq!(fr.risk.level, "low");
    assert_eq!(ir.risk.level, "high");
    assert!(
        ir.risk
            .explanation
            .iter()
            .any(|c| c.rule_id == "nationality_high"
                && c.outcome == RuleOutcome::Fired
                && c.contribution == 40)
    );
    // High risk: reserved for qualified reviewers, four eyes, and enhanced due diligence applies.
    assert!(ir.review_requirements.qualified_reviewer_only);
    assert!(ir.review_requirements.four_eyes);
    assert!(task(&ir, "enhanced_due_diligence").active);
    assert!(!task(&fr, "enhanced_due_diligence").active);
    assert!(fr.risk.errors.is_empty(), "{:?}", fr.risk.explanation);
}

#[test]
fn manual_tasks_keep_the_reviewers_clearance() {
    let (engine, _, kyc) = templates();
    let first = engine.evaluate(&kyc, &person("IR"), &[], &[], &ctx());
    let mut stored = first.tasks.clone();
    let edd = stored
        .iter_mut()
        .find(|t| t.key == "enhanced_due_diligence")
        .unwrap();
    assert_eq!(edd.result, TaskResult::Pending);
    edd.clear(
        "usr_q",
        "source of funds: salary slips",
        jiff::Timestamp::UNIX_EPOCH,
    )
    .unwrap();
    let again = engine.evaluate(&kyc, &person("IR"), &[], &stored, &ctx());
    let edd = task(&again, "enhanced_due_diligence");
    assert_eq!(edd.result, TaskResult::Clear);
    assert!(!edd.stale);
    assert_eq!(edd.clearance.as_ref().unwrap().by, "usr_q");
}

#[test]
fn clearance_of_an_inline_task_lapses_when_its_inputs_change() {
    let (engine, _, kyc) = templates();
    let mut case = person("FR");
    case["person"]["email"] = json!("not-an-email");
    let first = engine.evaluate(&kyc, &case, &[], &[], &ctx());
    assert_eq!(
        task(&first, "format_checks").result,
        TaskResult::NeedsAction
    );
    let mut stored = first.tasks.clone();
    stored
        .iter_mut()
        .find(|t| t.key == "format_checks")
        .unwrap()
        .clear(
            "u",
            "client confirmed by phone",
            jiff::Timestamp::UNIX_EPOCH,
        )
        .unwrap();
    let same = engine.evaluate(&kyc, &case, &[], &stored, &ctx());
    assert_eq!(task(&same, "format_checks").result, TaskResult::Clear);
    case["person"]["email"] = json!("still broken");
    let changed = engine.evaluate(&kyc, &case, &[], &same.tasks, &ctx());
    let t = task(&changed, "format_checks");
    assert_eq!(t.result, TaskResult::NeedsAction);
    assert!(t.clearance.is_none());
}

fn custom(template: Value) -> (Engine, CompiledTemplate) {
    let engine = Engine::default();
    let compiled = engine
        .compile_json(&template)
        .unwrap_or_else(|e| panic!("{e}"));
    (engine, compiled)
}

fn screening_template() -> Value {
    json!({
        "name": "with_screening", "version": 2, "applies_to": "person",
        "tasks": [{"key": "screening", "kind": "screening", "name": "Sanctions and PEP screening"}],
        "risk": {"rules": [{"id": "sanctions", "description": "Confirmed sanctions match",
                            "condition": "tasks.exists(t, 'sanctions_confirmed' in t.signals)",
                            "weight": 10, "floor": "high"}]},
        "policy": {"automatic_decisions": [{"id": "auto_reject", "decision": "rejected", "reason": "Sanctions",
            "condition": "tasks.exists(t, 'sanctions_confirmed' in t.signals)"}]}
    })
}

#[test]
fn deferred_results_are_kept_go_stale_and_feed_risk_and_automatic_decisions() {
    let (engine, tpl) = custom(screening_template());
    let first = engine.evaluate(&tpl, &person("FR"), &[], &[], &ctx());
    let screening = task(&first, "screening");
    assert_eq!(screening.result, TaskResult::Pending);
    assert_eq!(first.status_execution, StatusExecution::InProgress);
    assert_eq!(first.automatic_decision, None);

    // The worker records a confirmed hit for the inputs it screened.
    let mut stored = first.tasks.clone();
    let mut outcome = TaskOutcome::new(TaskResult::Alert, "1 confirmed match");
    outcome.signals = vec!["sanctions_confirmed".into()];
    let fp = stored[0].fingerprint.clone();
    stored[0].record_outcome(outcome, fp);
    let second = engine.evaluate(&tpl, &person("FR"), &[], &stored, &ctx());
    assert_eq!(second.risk.level, "high");
    assert_eq!(second.risk.template_version, 2);
    assert_eq!(
        second.risk.floor_applied.as_ref().unwrap().rule_id,
        "sanctions"
    );
    assert_eq!(second.status_execution, StatusExecution::Done);
    let auto = second.automatic_decision.clone().unwrap();
    assert_eq!(auto.status_review, DecisionKind::Rejected);
    assert_eq!(auto.rule_id, "auto_reject");

    // The person's data changes: the result is kept but stale, and the case is in progress.
    let third = engine.evaluate(&tpl, &person("DE"), &[], &second.tasks, &ctx());
    let screening = task(&third, "screening");
    assert!(screening.stale);
    assert_eq!(screening.result, TaskResult::Alert);
    assert_ne!(screening.fingerprint, screening.result_fingerprint);
    assert_eq!(third.status_execution, StatusExecution::InProgress);
}

#[test]
fn a_failing_activation_condition_fails_the_task_visibly() {
    let (engine, tpl) = custom(json!({
        "name": "broken_at_run", "applies_to": "person",
        "tasks": [{"key": "m", "kind": "manual", "name": "M",
                   "condition": "application.person.birth_date > 3"}],
        "risk": {"rules": []}
    }));
    let e = engine.evaluate(&tpl, &person("FR"), &[], &[], &ctx());
    let m = task(&e, "m");
    assert!(m.active);
    assert_eq!(m.result, TaskResult::Error);
    assert_eq!(m.findings[0].code, "activation_error");
    assert_eq!(e.status_execution, StatusExecution::Failed);
}

#[test]
fn a_rule_error_reserves_the_case_for_qualified_reviewers() {
    let (engine, tpl) = custom(json!({
        "name": "rule_error", "applies_to": "person",
        "risk": {"rules": [{"id": "bad", "description": "compares a date with a number",
                            "condition": "application.person.birth_date > 3", "weight": 10}]}
    }));
    let e = engine.evaluate(&tpl, &person("FR"), &[], &[], &ctx());
    assert_eq!(e.risk.errors, vec!["bad".to_string()]);
    assert!(e.review_requirements.qualified_reviewer_only);
    assert!(e.review_requirements.qualified_reviewer_reasons[0].contains("could not be evaluated"));
}

#[test]
fn manual_adjustments_are_part_of_the_assessment() {
    let (engine, _, kyc) = templates();
    let adjustments = [RiskAdjustment {
        delta: 35,
        reason: "unusual transaction pattern".into(),
        by: "usr_1".into(),
        at: jiff::Timestamp::UNIX_EPOCH,
    }];
    let ctx = EvaluationContext {
        today: TODAY,
        risk_adjustments: &adjustments,
        field_definitions: &[],
    };
    let e = engine.evaluate(&kyc, &person("FR"), &[], &[], &ctx);
    assert!(e.risk.score >= 35);
    assert_eq!(e.risk.level, "medium");
}

#[test]
fn evaluation_serialises_to_the_documented_shape() {
    let (engine, kyb, _) = templates();
    let e = engine.evaluate(&kyb, &acme(), &[], &[], &ctx());
    let v = serde_json::to_value(&e).unwrap();
    assert!(v["status_execution"].is_string());
    assert!(v["risk"]["score"].is_i64());
    assert!(v["risk"]["explanation"][0]["rule_id"].is_string());
    assert!(v["tasks"][0]["result"].is_string());
    assert!(v["tasks"][0]["fingerprint"].as_str().unwrap().len() == 64);
    let back: Evaluation = serde_json::from_value(v).unwrap();
    assert_eq!(back, e);
}

#[test]
fn engine_and_templates_can_be_shared_across_threads() {
    // The server keeps one engine and the compiled templates in its shared state.
    fn shared<T: Send + Sync + 'static>() {}
    shared::<Engine>();
    shared::<CompiledTemplate>();
    shared::<Evaluation>();
    let (engine, kyb, _) = templates();
    let engine = std::sync::Arc::new(engine);
    let kyb = std::sync::Arc::new(kyb);
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let (engine, kyb) = (engine.clone(), kyb.clone());
            std::thread::spawn(move || engine.evaluate(&kyb, &acme(), &[], &[], &ctx()).risk.score)
        })
        .collect();
    let scores: Vec<i64> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(scores[0], scores[1]);
}

#[test]
fn the_documented_kyc_template_is_the_shipped_one() {
    let doc = include_str!("../../../../docs/workflows.md");
    let start = doc
        .find("```json\n{\n  \"name\": \"kyc_standard\"")
        .expect("docs embed kyc_standard")
        + 8;
    let end = start + doc[start..].find("\n```").unwrap();
    let documented: Value = serde_json::from_str(&doc[start..end]).unwrap();
    let shipped: Value = serde_json::from_str(template::KYC_STANDARD).unwrap();
    assert_eq!(documented, shipped, "docs/workflows.md is out of date");
}
