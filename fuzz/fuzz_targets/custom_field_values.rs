//! Custom field values as a case or a related party carries them (`custom_fields`), validated
//! against definitions of every field type, for a case and for a related party. The input is the
//! JSON object of values.
#![no_main]

use std::sync::LazyLock;

use dossier_domain::custom_field::{AppliesTo, CustomFieldDefinition, validate_values};
use dossier_domain::validation::{Errors, decode_body};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

#[path = "cases.rs"]
mod cases;

static DEFINITIONS: LazyLock<Vec<CustomFieldDefinition>> = LazyLock::new(cases::definitions);

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let Ok(values) = decode_body::<Map<String, Value>>(&raw) else {
        return;
    };
    for target in [AppliesTo::Application, AppliesTo::Relationship] {
        let mut errors = Errors::new();
        validate_values(&mut errors, "custom_fields", &values, &DEFINITIONS, target);
        if let Err(list) = errors.into_result() {
            for e in list {
                // Every refusal names a field under the values' path.
                assert!(e.field.starts_with("custom_fields."), "{e:?}");
            }
        }
    }
});
