//! Risk evaluation time per case for a 50-rule matrix (issue 4's budget: well under 1 ms).
//! `CARGO_TARGET_DIR=/work/target-workflow cargo bench -p dossier-domain --bench risk`

use criterion::{Criterion, criterion_group, criterion_main};
use dossier_domain::workflow::cel::{HelperData, new_context, shared_list, to_cel};
use dossier_domain::workflow::template::KYB_STANDARD;
use dossier_domain::workflow::{Engine, EvaluationContext};
use serde_json::{Value, json};
use std::hint::black_box;
use std::sync::Arc;

/// The shipped KYB matrix topped up to 50 rules of the same shapes.
fn fifty_rule_template() -> Value {
    let mut template: Value = serde_json::from_str(KYB_STANDARD).unwrap();
    let rules = template["risk"]["rules"].as_array_mut().unwrap();
    let shapes = [
        "country_risk(application.business.country) == 'increased' && application.business.legal_form == 'SAS'",
        "relationships.exists(r, r.kind == 'person' && r.nationality_risk == 'high')",
        "relationships.filter(r, 'ubo' in r.roles && r.effective_ownership >= 50.0).size() > 1",
        "industry_risk(application.business.industry_code) in ['high', 'increased'] && age_years(application.business.incorporation_date) < 5",
        "documents.exists(d, d.type == 'passport' && d.status == 'invalid')",
        "tasks.exists(t, t.active && t.result == 'consider')",
        "application.business.website == null && relationships.size() > 3",
    ];
    let mut i = 0;
    while rules.len() < 50 {
        rules.push(
            json!({"id": format!("extra_{i}"), "description": "benchmark rule",
                          "condition": shapes[i % shapes.len()], "weight": 5}),
        );
        i += 1;
    }
    template
}

fn case() -> Value {
    let person = |first: &str, nat: &str, roles: Value, pct: u32| {
        json!({"kind": "person", "roles": roles, "ownership_percentage": pct,
               "person": {"first_name": first, "last_name": "Doe", "birth_date": "1980-01-01", "nationality": nat}})
    };
    json!({"id": "app_bench", "type": "business",
    "business": {"name": "Acme Logistics SAS", "registration_number": "552100554", "country": "FR",
                 "legal_form": "SAS", "incorporation_date": "2015-03-02", "industry_code": "49.41",
                 "address": {"line1": "10 rue de la Paix", "city": "Paris", "postal_code": "75002", "country": "FR"}},
    "relationships": [
        person("Claire", "FR", json!(["director", "signatory"]), 0),
        {"kind": "business", "roles": ["shareholder"], "ownership_percentage": 100,
         "business": {"name": "Acme Holding BV", "country": "NL", "registration_number": "12345678"},
         "relationships": [person("Jan", "NL", json!(["ubo"]), 60), person("Eva", "DE", json!(["ubo"]), 40)]},
        person("Marc", "BE", json!(["director"]), 0)
    ]})
}

fn bench(c: &mut Criterion) {
    let engine = Engine::default();
    let template = engine.compile_json(&fifty_rule_template()).unwrap();
    assert_eq!(template.risk.rules.len(), 50);
    let case = case();
    let ctx = EvaluationContext {
        today: jiff::civil::date(2025, 6, 30),
        risk_adjustments: &[],
        field_definitions: &[],
    };

    // The matrix alone, on a case already turned into CEL values.
    let facts = dossier_domain::workflow::CaseFacts::build(&case, &[]);
    let helpers = HelperData {
        tables: engine.tables.clone(),
        today: ctx.today,
        ownership: Arc::new(Default::default()),
    };
    // As `Engine::evaluate` builds it: lists with shared elements.
    let mut context = new_context(
        &helpers,
        &[
            ("application", to_cel(&facts.application)),
            ("custom_fields", to_cel(&facts.custom_fields)),
        ],
    );
    let relationships: Vec<Value> = facts
        .relationships
        .iter()
        .map(|r| r.value.clone())
        .collect();
    context.add_variable_as_val("relationships", shared_list(&relationships));
    context.add_variable_as_val("documents", shared_list(&[]));
    context.add_variable_as_val("tasks", shared_list(&[]));
    c.bench_function("risk matrix, 50 rules", |b| {
        b.iter(|| black_box(template.risk.evaluate(&context, &[], "bench", 1)))
    });

    for (name, condition) in [
        ("true", "true"),
        ("field", "application.business.country == 'FR'"),
        (
            "helper",
            "country_risk(application.business.country) == 'high'",
        ),
        ("exists", "relationships.exists(r, r.kind == 'person')"),
        (
            "exists_helper",
            "relationships.exists(r, country_risk(r.nationality) == 'high')",
        ),
    ] {
        let mut t = fifty_rule_template();
        for rule in t["risk"]["rules"].as_array_mut().unwrap() {
            rule["condition"] = json!(condition);
        }
        let t = engine.compile_json(&t).unwrap();
        c.bench_function(&format!("50 rules shaped {name}"), |b| {
            b.iter(|| black_box(t.risk.evaluate(&context, &[], "bench", 1)))
        });
    }

    // Everything the server runs on a change: facts, expected documents, tasks, risk, policy.
    c.bench_function("full evaluation, 50 rules", |b| {
        b.iter(|| black_box(engine.evaluate(&template, black_box(&case), &[], &[], &ctx)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
