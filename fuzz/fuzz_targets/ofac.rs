//! OFAC legacy CSV sets (SDN and consolidated non-SDN): the primary file, then optionally `add`,
//! `alt` and `comments` files, as an in-memory download is parsed. The input is the files joined by
//! `common::FILE_SEPARATOR`; its first byte picks the SDN or the consolidated names.
#![no_main]

use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&flavour, data)) = data.split_first() else {
        return;
    };
    let names: [&str; 4] = if flavour & 1 == 0 {
        ["sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"]
    } else {
        [
            "cons_prim.csv",
            "cons_add.csv",
            "cons_alt.csv",
            "cons_comments.csv",
        ]
    };
    let files: Vec<(PathBuf, Vec<u8>)> = common::split_files(data)
        .into_iter()
        .zip(names)
        .map(|(bytes, name)| (PathBuf::from(name), bytes.to_vec()))
        .collect();
    if let Ok(entities) =
        dossier_screening::parsers::parse_files(dossier_screening::SourceKind::OfacSdn, &files)
    {
        common::exercise(entities);
    }
});
