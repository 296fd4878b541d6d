//! Workflow templates as `PUT /api/templates/{name}` receives them: the JSON body, its parse into a
//! template and the compilation of every CEL expression in it (the save-time cost budget included).
//! A template that compiles must compile again from the source that is stored (a case reads it back
//! through that), and is evaluated against a case of its kind under the evaluation budget.
#![no_main]

use std::sync::LazyLock;

use dossier_domain::application::Application;
use dossier_domain::validation::decode_body;
use dossier_domain::workflow::Engine;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

#[path = "cases.rs"]
mod cases;

static ENGINE: LazyLock<Engine> = LazyLock::new(Engine::default);
static BUSINESS: LazyLock<Application> = LazyLock::new(cases::business_case);
static PERSON: LazyLock<Application> = LazyLock::new(cases::person_case);

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let Ok(value) = decode_body::<Value>(&raw) else {
        return;
    };
    let Ok(compiled) = ENGINE.compile_json(&value) else {
        return;
    };
    let stored = serde_json::to_value(&compiled.source).expect("a template serialises");
    let again = ENGINE
        .compile_json(&stored)
        .unwrap_or_else(|e| panic!("a saved template does not compile back: {e}"));
    let case = match again.source.applies_to.as_str() {
        "person" => &*PERSON,
        _ => &*BUSINESS,
    };
    cases::evaluate(&ENGINE, &again, case);
});
