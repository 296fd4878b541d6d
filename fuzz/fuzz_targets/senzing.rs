//! Senzing JSON records (OpenSanctions' Senzing export), through the parser a list refresh uses.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    if let Ok(entities) = dossier_screening::parsers::senzing::parse(Path::new("fuzz"), data) {
        common::exercise(entities);
    }
});
