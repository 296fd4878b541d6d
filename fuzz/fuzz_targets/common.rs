//! What every watchlist target checks on a parse that succeeded: the records can be hashed (the
//! refresh diff does), captioned, indexed and searched, as a list update would be.

// Shared by several targets, each using a part.
#![allow(dead_code)]

use dossier_screening::{Entity, Index, Query};

/// Separates the files of a multi-file input (OFAC's primary CSV and its secondaries). Seeds are
/// written with it by `fuzz/seed.py`.
pub const FILE_SEPARATOR: &[u8] = b"\n--dossier-fuzz-file--\n";

/// Splits `data` on [`FILE_SEPARATOR`].
pub fn split_files(data: &[u8]) -> Vec<&[u8]> {
    let mut parts = Vec::new();
    let mut rest = data;
    while let Some(at) = rest
        .windows(FILE_SEPARATOR.len())
        .position(|w| w == FILE_SEPARATOR)
    {
        parts.push(&rest[..at]);
        rest = &rest[at + FILE_SEPARATOR.len()..];
    }
    parts.push(rest);
    parts
}

/// Uses the parsed records the way the screening side does; a small index keeps each run fast.
pub fn exercise(entities: Vec<Entity>) {
    for e in &entities {
        assert!(!e.content_hash().is_empty());
        let _ = e.caption();
        let _ = e.key();
    }
    let query = entities.first().map(|e| Query::name(e.caption()));
    let index = Index::build(entities.into_iter().take(32).collect());
    if let Some(q) = query {
        let _ = index.search_default(&q);
    }
}
