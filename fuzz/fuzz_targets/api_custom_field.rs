//! The bodies of `POST /api/custom_fields` and `PATCH /api/custom_fields/{id}`: `decode_body` as the
//! `JsonBody` extractor, the definition's checks, and its `condition` compiled as a case expression
//! as the application layer does before storing it.
#![no_main]

use std::sync::LazyLock;

use dossier_domain::custom_field::{CustomFieldDefinition, CustomFieldPatch, NewCustomField};
use dossier_domain::validation::decode_body;
use dossier_domain::workflow::cel::{Expression, Scope};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

#[path = "cases.rs"]
mod cases;

static DEFINITIONS: LazyLock<Vec<CustomFieldDefinition>> = LazyLock::new(cases::definitions);

fn condition(c: &Option<String>) {
    if let Some(c) = c {
        let _ = Expression::compile(c, Scope::Case);
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    if let Ok(new) = decode_body::<NewCustomField>(&raw)
        && new.validate().is_ok()
    {
        condition(&new.condition);
    }
    if let Ok(patch) = decode_body::<CustomFieldPatch>(&raw) {
        for def in DEFINITIONS.iter() {
            let mut def = def.clone();
            if def.apply(patch.clone()).is_ok() {
                condition(&def.condition);
            }
        }
    }
});
