//! UK HM Treasury (OFSI) consolidated list, CSV in Windows-1252. Line 1 is `Last Updated,…`,
//! line 2 the header; each row is one name variant, grouped into designations by `Group ID`.

use std::collections::HashMap;
use std::path::Path;

use super::{ParseError, parse_dates};
use crate::countries;
use crate::model::{Entity, Identifier, NameKind, Schema};

const LIST: &str = "gb_hmt";

/// Windows-1252 bytes 0x80..=0x9F; the rest of the range maps to the same Unicode code point.
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

/// Decode Windows-1252 (never fails: every byte maps to a character).
pub fn decode_cp1252(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9f => CP1252_HIGH[(b - 0x80) as usize],
            _ => b as char,
        })
        .collect()
}

/// Parse the CSV bytes; `file` is used in error messages only.
pub fn parse(file: &Path, bytes: &[u8]) -> Result<Vec<Entity>, ParseError> {
    // Tolerate a UTF-8 re-save of the file: decode as UTF-8 when it is valid and non-ASCII.
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => decode_cp1252(bytes),
    };
    let text = text.trim_start_matches('\u{feff}');
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    if !first.starts_with("Last Updated") {
        return Err(ParseError::new(
            file,
            1,
            "Last Updated",
            "missing `Last Updated` line",
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(rest.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| ParseError::new(file, 2, "-", format!("bad header: {e}")))?
        .clone();
    let col = |name: &str| -> Result<usize, ParseError> {
        headers
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| ParseError::new(file, 2, name, "missing column"))
    };
    let names_idx = [
        col("Title")?,
        col("Name 1")?,
        col("Name 2")?,
        col("Name 3")?,
        col("Name 4")?,
        col("Name 5")?,
        col("Name 6")?,
    ];
    let (dob, nationality, passport, ni, country, group_type, alias_type, regime, group_id) = (
        col("DOB")?,
        col("Nationality")?,
        col("Passport Details")?,
        col("NI Number")?,
        col("Country")?,
        col("Group Type")?,
        col("Alias Type")?,
        col("Regime")?,
        col("Group ID")?,
    );

    let mut out: Vec<Entity> = Vec::new();
    let mut by_group: HashMap<String, usize> = HashMap::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() + 1);
                return Err(ParseError::new(file, line, "-", format!("bad CSV: {e}")));
            }
        }
        let line = record.position().map_or(0, |p| p.line() + 1);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let get = |i: usize| record.get(i).unwrap_or("").trim();
        let gid = get(group_id);
        if gid.is_empty() || gid.parse::<u64>().is_err() {
            return Err(ParseError::new(
                file,
                line,
                "Group ID",
                format!("not a number: `{gid}`"),
            ));
        }
        let schema = match get(group_type).to_ascii_lowercase().as_str() {
            "individual" => Schema::Person,
            "entity" => Schema::Organisation,
            "ship" => Schema::Vessel,
            other => {
                return Err(ParseError::new(
                    file,
                    line,
                    "Group Type",
                    format!("unknown group type `{other}`"),
                ));
            }
        };
        let i = *by_group.entry(gid.to_string()).or_insert_with(|| {
            let mut e = Entity::new(LIST, gid, schema);
            e.source_url = Some(format!(
                "https://www.gov.uk/government/publications/financial-sanctions-consolidated-list-of-targets#group-{gid}"
            ));
            out.push(e);
            out.len() - 1
        });
        let e = &mut out[i];
        // Name 1..5 are given names, Name 6 the surname; Title is kept out of the name.
        let name = names_idx[1..]
            .iter()
            .map(|&i| get(i))
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let kind = match get(alias_type).to_ascii_lowercase().as_str() {
            "prime alias" => NameKind::Primary,
            "fka" => NameKind::Former,
            _ => NameKind::Alias,
        };
        if !name.is_empty() {
            e.push_name(&name, kind, None);
        }
        for d in parse_dates(get(dob)) {
            Entity::push_unique(&mut e.birth_dates, d);
        }
        for n in split_numbered(get(nationality)) {
            Entity::push_unique(&mut e.nationalities, countries::normalise(&n));
        }
        let c = get(country);
        if !c.is_empty() {
            // "Afghanistan (since 2009)": keep the country part.
            let c = c.split(" (").next().unwrap_or(c);
            Entity::push_unique(&mut e.countries, countries::normalise(c));
        }
        for p in split_numbered(get(passport)) {
            let id = Identifier {
                kind: "Passport".into(),
                value: p,
                country: None,
            };
            if !e.identifiers.contains(&id) {
                e.identifiers.push(id);
            }
        }
        for p in split_numbered(get(ni)) {
            let id = Identifier {
                kind: "National ID".into(),
                value: p,
                country: None,
            };
            if !e.identifiers.contains(&id) {
                e.identifiers.push(id);
            }
        }
        let r = get(regime);
        if !r.is_empty() {
            Entity::push_unique(&mut e.programmes, r.to_string());
        }
    }
    // Keep the prime alias first.
    for e in &mut out {
        e.names.sort_by_key(|n| n.kind != NameKind::Primary);
    }
    Ok(out)
}

/// Split "1) Saudi Arabia 2) Qatar" into its items; text without numbering is one item.
fn split_numbered(s: &str) -> Vec<String> {
    let s = s.trim();
    if s.is_empty() {
        return Vec::new();
    }
    let mut items = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        // A marker is digits followed by ')' at the start or after a space.
        if chars[i].is_ascii_digit() && (i == 0 || chars[i - 1] == ' ') {
            let mut j = i;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            if j < chars.len() && chars[j] == ')' {
                if !cur.trim().is_empty() {
                    items.push(cur.trim().trim_end_matches([',', ';', '.']).to_string());
                }
                cur.clear();
                i = j + 1;
                continue;
            }
        }
        cur.push(chars[i]);
        i += 1;
    }
    if !cur.trim().is_empty() {
        items.push(cur.trim().trim_end_matches([',', ';', '.']).to_string());
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_items() {
        assert_eq!(
            split_numbered("1) Saudi Arabia 2) Qatar"),
            ["Saudi Arabia", "Qatar"]
        );
        assert_eq!(split_numbered("Iraq"), ["Iraq"]);
        assert!(split_numbered("").is_empty());
    }

    #[test]
    fn cp1252_high_range() {
        assert_eq!(decode_cp1252(&[0x93, b'a', 0x94, 0xe9]), "“a”é");
    }
}
