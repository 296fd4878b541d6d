//! UN Security Council consolidated list (XML), through the parser a list refresh uses.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    if let Ok(entities) = dossier_screening::parsers::un::parse(Path::new("fuzz"), data) {
        common::exercise(entities);
    }
});
