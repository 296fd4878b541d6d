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

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` with a month 01-12 and a day 01-31: the matcher compares dates
/// as such prefixes.
fn is_iso_prefix(d: &str) -> bool {
    let parts: Vec<&str> = d.split('-').collect();
    let number = |s: &str, len: usize, range: std::ops::RangeInclusive<u32>| {
        s.len() == len
            && s.bytes().all(|b| b.is_ascii_digit())
            && s.parse().is_ok_and(|n| range.contains(&n))
    };
    match parts.as_slice() {
        [y] => number(y, 4, 0..=9999),
        [y, m] => number(y, 4, 0..=9999) && number(m, 2, 1..=12),
        [y, m, day] => number(y, 4, 0..=9999) && number(m, 2, 1..=12) && number(day, 2, 1..=31),
        _ => false,
    }
}

/// Uses the parsed records the way the screening side does; a small index keeps each run fast.
pub fn exercise(entities: Vec<Entity>) {
    for e in &entities {
        for d in &e.birth_dates {
            assert!(is_iso_prefix(d), "birth date {d:?} of {}", e.list_id);
        }
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
