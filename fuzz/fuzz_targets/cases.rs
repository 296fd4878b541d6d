//! Small cases the workflow targets evaluate against, built through the API's own path
//! (`NewApplication` → `into_application`), and the workspace's custom field definitions: one of
//! each type, so every value check is reachable.

// Shared by several targets, each using a part.
#![allow(dead_code)]

use std::time::Duration;

use dossier_domain::application::{Application, NewApplication};
use dossier_domain::custom_field::{AppliesTo, CustomFieldDefinition, FieldType};
use dossier_domain::workflow::{CompiledTemplate, Engine, EvaluationContext, cel};
use serde_json::{Value, json};

/// What the application layer allows one evaluation (`dossier_app::workflow::EVALUATION_BUDGET`).
pub const EVALUATION_BUDGET: Duration = Duration::from_millis(500);

pub fn today() -> jiff::civil::Date {
    jiff::civil::date(2026, 1, 15)
}

pub fn definitions() -> Vec<CustomFieldDefinition> {
    let def =
        |name: &str, t: FieldType, choices: &[&str], applies: &[AppliesTo]| CustomFieldDefinition {
            id: format!("cf_{name}"),
            api_name: name.into(),
            label: name.into(),
            field_type: t,
            choices: choices.iter().map(|c| c.to_string()).collect(),
            required: false,
            applies_to: applies.to_vec(),
            description: None,
            show_in_portal: true,
            condition: None,
            created_at: "2026-01-01T00:00:00Z".into(),
            updated_at: "2026-01-01T00:00:00Z".into(),
        };
    let both = [AppliesTo::Application, AppliesTo::Relationship];
    vec![
        def("text", FieldType::Text, &[], &both),
        def("number", FieldType::Number, &[], &both),
        def("boolean", FieldType::Boolean, &[], &both),
        def("date", FieldType::Date, &[], &both),
        def("country", FieldType::Country, &[], &both),
        def("choice", FieldType::Choice, &["low", "high"], &both),
        def(
            "multi_choice",
            FieldType::MultiChoice,
            &["a", "b", "c"],
            &both,
        ),
        def("country_multi", FieldType::CountryMulti, &[], &both),
        def("industry_code", FieldType::IndustryCode, &[], &both),
        def("case_only", FieldType::Text, &[], &[AppliesTo::Application]),
    ]
}

fn new_case(body: Value) -> Application {
    let new: NewApplication = serde_json::from_value(body).expect("the fixture is a valid body");
    new.into_application(&definitions(), jiff::Timestamp::UNIX_EPOCH)
        .expect("the fixture validates")
}

/// A business with a holding chain, a director and custom fields.
pub fn business_case() -> Application {
    new_case(json!({
        "type": "business",
        "business": {"name": "Acme Holding SA", "country": "FR", "registration_number": "552100554",
                     "incorporation_date": "2019-05-02", "industry_code": "64.20"},
        "relationships": [
            {"kind": "person", "roles": ["director", "ubo"], "ownership_percentage": 30,
             "person": {"first_name": "Claire", "last_name": "Martin", "birth_date": "1980-03-05",
                        "nationality": "FR"}},
            {"kind": "business", "roles": ["shareholder"], "ownership_percentage": 70,
             "business": {"name": "Acme Group Ltd", "country": "GB"},
             "relationships": [{"kind": "person", "roles": ["ubo"], "ownership_percentage": 100,
                                "person": {"first_name": "John", "last_name": "Smith"}}]}
        ],
        "custom_fields": {"text": "x", "number": 3, "country_multi": ["FR", "DE"]},
        "tags": ["fuzz"]
    }))
}

/// A person.
pub fn person_case() -> Application {
    new_case(json!({
        "type": "person",
        "person": {"first_name": "Anna", "last_name": "Ivanova", "birth_date": "1990-12-31",
                   "nationality": "RU", "country_of_residence": "DE"},
        "custom_fields": {"date": "2020-01-01"}
    }))
}

/// Evaluates `template` against `app` as every change of a case does, under the same budget.
pub fn evaluate(engine: &Engine, template: &CompiledTemplate, app: &Application) {
    let case = serde_json::to_value(app).expect("an application serialises");
    let definitions = definitions();
    let evaluation = cel::with_deadline(EVALUATION_BUDGET, || {
        engine.evaluate(
            template,
            &case,
            &app.documents,
            &app.tasks,
            &EvaluationContext {
                today: today(),
                risk_adjustments: &app.risk_adjustments,
                field_definitions: &definitions,
            },
        )
    });
    // The evaluation is stored as JSON.
    serde_json::to_string(&evaluation).expect("an evaluation serialises");
}
