//! UK HM Treasury / OFSI consolidated list (CSV, Windows-1252), through the parser a list refresh uses.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    if let Ok(entities) = dossier_screening::parsers::uk_hmt::parse(Path::new("fuzz"), data) {
        common::exercise(entities);
    }
});
