//! The bodies of `POST /api/applications` and `PATCH /api/applications/{id}` through what their
//! handlers run: the JSON parse, the NUL check and typed decoding of the `JsonBody` extractor
//! (`decode_body`), then validation against the workspace's custom fields (`into_application`, or
//! `apply` and `validate` on existing cases), then the evaluation with the shipped template.
#![no_main]

use std::sync::LazyLock;

use dossier_domain::application::{Application, ApplicationPatch, NewApplication};
use dossier_domain::custom_field::CustomFieldDefinition;
use dossier_domain::validation::decode_body;
use dossier_domain::workflow::{CompiledTemplate, Engine};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

#[path = "cases.rs"]
mod cases;

static ENGINE: LazyLock<Engine> = LazyLock::new(Engine::default);
static TEMPLATES: LazyLock<Vec<CompiledTemplate>> = LazyLock::new(|| {
    ENGINE
        .default_templates()
        .expect("the shipped templates compile")
});
static DEFINITIONS: LazyLock<Vec<CustomFieldDefinition>> = LazyLock::new(cases::definitions);
static BASES: LazyLock<[Application; 2]> =
    LazyLock::new(|| [cases::business_case(), cases::person_case()]);

fn evaluate(app: &Application) {
    if let Some(t) = TEMPLATES.iter().find(|t| t.name() == app.template) {
        cases::evaluate(&ENGINE, t, app);
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    if let Ok(new) = decode_body::<NewApplication>(&raw)
        && let Ok(app) = new.into_application(&DEFINITIONS, jiff::Timestamp::UNIX_EPOCH)
    {
        serde_json::to_string(&app).expect("an application serialises");
        evaluate(&app);
    }
    if let Ok(patch) = decode_body::<ApplicationPatch>(&raw) {
        for base in BASES.iter() {
            let mut app = base.clone();
            if app.apply(patch.clone()).is_ok() && app.validate(&DEFINITIONS).is_ok() {
                evaluate(&app);
            }
        }
    }
});
