//! OFAC legacy CSV set: `sdn.csv` (+ `add.csv`, `alt.csv`, `sdn_comments.csv`), or the
//! consolidated non-SDN set with `cons_` names. No header row, `-0-` means null, the file may
//! end with a 0x1A byte. DOB, nationality, ids and weak a.k.a.s live in the free-text Remarks.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{ParseError, parse_dates, read, utf8};
use crate::countries;
use crate::model::{Entity, Identifier, NameKind, Schema};

/// One OFAC CSV file in memory: its path (for error messages) and bytes.
pub struct CsvFile<'a> {
    pub path: &'a Path,
    pub bytes: &'a [u8],
}

/// Read the set from a folder (or from the primary CSV's path).
pub fn parse_dir(path: &Path) -> Result<Vec<Entity>, ParseError> {
    let (dir, primary) = if path.is_dir() {
        let p = ["sdn.csv", "cons_prim.csv"]
            .iter()
            .map(|n| path.join(n))
            .find(|p| p.exists())
            .ok_or_else(|| {
                ParseError::new(path, 0, "-", "no sdn.csv or cons_prim.csv in this folder")
            })?;
        (path.to_path_buf(), p)
    } else {
        (
            path.parent().map(Path::to_path_buf).unwrap_or_default(),
            path.to_path_buf(),
        )
    };
    let consolidated = primary
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("cons_"));
    let sibling = |sdn: &str, cons: &str| -> Option<PathBuf> {
        let p = dir.join(if consolidated { cons } else { sdn });
        p.exists().then_some(p)
    };
    let add = sibling("add.csv", "cons_add.csv");
    let alt = sibling("alt.csv", "cons_alt.csv");
    let comments = sibling("sdn_comments.csv", "cons_comments.csv");

    let primary_bytes = read(&primary)?;
    let add_bytes = add.as_deref().map(read).transpose()?;
    let alt_bytes = alt.as_deref().map(read).transpose()?;
    let comments_bytes = comments.as_deref().map(read).transpose()?;
    let file = |p: &Option<PathBuf>, b: &Option<Vec<u8>>| match (p, b) {
        (Some(p), Some(b)) => Some((p.clone(), b.clone())),
        _ => None,
    };
    let (add, alt, comments) = (
        file(&add, &add_bytes),
        file(&alt, &alt_bytes),
        file(&comments, &comments_bytes),
    );
    parse_set(
        list_name(&primary),
        CsvFile {
            path: &primary,
            bytes: &primary_bytes,
        },
        add.as_ref().map(|(p, b)| CsvFile { path: p, bytes: b }),
        alt.as_ref().map(|(p, b)| CsvFile { path: p, bytes: b }),
        comments
            .as_ref()
            .map(|(p, b)| CsvFile { path: p, bytes: b }),
    )
}

/// The list an OFAC set belongs to, from its primary file's name (`cons_prim.csv`: the
/// consolidated non-SDN list).
fn list_name(primary: &Path) -> &'static str {
    let consolidated = primary
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("cons_"));
    if consolidated {
        "us_ofac_cons"
    } else {
        "us_ofac_sdn"
    }
}

/// Parse a set held in memory (e.g. downloaded): the primary file first, then any of the
/// secondary files, recognised by their names (`add.csv`, `alt.csv`, `sdn_comments.csv` or the
/// `cons_` ones). The names only label error messages and may be URLs.
pub fn parse_files(files: &[(PathBuf, Vec<u8>)]) -> Result<Vec<Entity>, ParseError> {
    let Some(((primary, primary_bytes), rest)) = files.split_first() else {
        return Err(ParseError::new(
            Path::new("-"),
            0,
            "-",
            "no primary OFAC file",
        ));
    };
    let secondary = |suffix: &str| {
        rest.iter()
            .find(|(p, _)| p.to_string_lossy().ends_with(suffix))
            .map(|(p, b)| CsvFile { path: p, bytes: b })
    };
    parse_set(
        list_name(primary),
        CsvFile {
            path: primary,
            bytes: primary_bytes,
        },
        secondary("add.csv"),
        secondary("alt.csv"),
        secondary("comments.csv"),
    )
}

/// Parse an in-memory set. Rows of the secondary files whose `ent_num` is not in the primary
/// file are ignored (the files may come from different dates).
pub fn parse_set(
    list: &str,
    primary: CsvFile<'_>,
    add: Option<CsvFile<'_>>,
    alt: Option<CsvFile<'_>>,
    comments: Option<CsvFile<'_>>,
) -> Result<Vec<Entity>, ParseError> {
    let mut entities: Vec<Entity> = Vec::new();
    let mut remarks: Vec<String> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();

    for_each_row(&primary, 12, |line, row| {
        let id = ent_num(primary.path, line, row[0])?;
        let schema = match null(row[2]).map(str::to_ascii_lowercase).as_deref() {
            None => Schema::Organisation,
            Some("individual") => Schema::Person,
            Some("vessel") => Schema::Vessel,
            Some("aircraft") => Schema::Aircraft,
            Some(other) => {
                return Err(ParseError::new(
                    primary.path,
                    line,
                    "SDN_Type",
                    format!("unknown type `{other}`"),
                ));
            }
        };
        let name = null(row[1])
            .ok_or_else(|| ParseError::new(primary.path, line, "SDN_Name", "empty name"))?;
        let mut e = Entity::new(list, id.clone(), schema);
        e.push_name(name, NameKind::Primary, None);
        if let Some(p) = null(row[3]) {
            for prog in p.split("] [") {
                Entity::push_unique(
                    &mut e.programmes,
                    prog.trim_matches(|c| c == '[' || c == ']' || c == ' ')
                        .to_string(),
                );
            }
        }
        if let Some(flag) = null(row[9]) {
            Entity::push_unique(&mut e.countries, countries::normalise(flag));
        }
        e.source_url = Some(format!(
            "https://sanctionssearch.ofac.treas.gov/Details.aspx?id={id}"
        ));
        if by_id.insert(id, entities.len()).is_some() {
            return Err(ParseError::new(
                primary.path,
                line,
                "ent_num",
                "duplicate ent_num",
            ));
        }
        entities.push(e);
        remarks.push(null(row[11]).unwrap_or("").to_string());
        Ok(())
    })?;

    if let Some(f) = &comments {
        for_each_row(f, 2, |line, row| {
            let id = ent_num(f.path, line, row[0])?;
            if let Some(&i) = by_id.get(&id) {
                remarks[i].push_str(null(row[1]).unwrap_or(""));
            }
            Ok(())
        })?;
    }
    for (e, r) in entities.iter_mut().zip(&remarks) {
        apply_remarks(e, r);
    }
    if let Some(f) = &add {
        for_each_row(f, 6, |line, row| {
            let id = ent_num(f.path, line, row[0])?;
            if let (Some(&i), Some(c)) = (by_id.get(&id), null(row[4])) {
                Entity::push_unique(&mut entities[i].countries, countries::normalise(c));
            }
            Ok(())
        })?;
    }
    if let Some(f) = &alt {
        for_each_row(f, 5, |line, row| {
            let id = ent_num(f.path, line, row[0])?;
            let kind = match null(row[2]).map(str::to_ascii_lowercase).as_deref() {
                Some("fka") => NameKind::Former,
                _ => NameKind::Alias,
            };
            if let (Some(&i), Some(name)) = (by_id.get(&id), null(row[3])) {
                entities[i].push_name(name, kind, None);
            }
            Ok(())
        })?;
    }
    Ok(entities)
}

fn null(field: &str) -> Option<&str> {
    let t = field.trim();
    (!t.is_empty() && t != "-0-").then_some(t)
}

fn ent_num(file: &Path, line: u64, field: &str) -> Result<String, ParseError> {
    let t = field.trim();
    t.parse::<u64>()
        .map(|n| n.to_string())
        .map_err(|_| ParseError::new(file, line, "ent_num", format!("not a number: `{t}`")))
}

/// Iterate over the rows, checking the column count; `f` gets the 1-based line.
fn for_each_row(
    file: &CsvFile<'_>,
    columns: usize,
    mut f: impl FnMut(u64, &[&str]) -> Result<(), ParseError>,
) -> Result<(), ParseError> {
    let mut bytes = file.bytes;
    // OFAC files end with a DOS end-of-file byte.
    while let Some((&last, rest)) = bytes.split_last() {
        if last == 0x1a || last == b'\n' || last == b'\r' {
            bytes = rest;
        } else {
            break;
        }
    }
    let text = utf8(file.path, bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    // The csv crate counts CRLF lines oddly, so lines are counted from byte offsets here,
    // incrementally (records come in order).
    let raw = text.as_bytes();
    let (mut seen_byte, mut seen_line) = (0usize, 1u64);
    let mut line_of = |byte: u64| -> u64 {
        let mut b = (byte as usize).min(raw.len());
        while b < raw.len() && (raw[b] == b'\r' || raw[b] == b'\n') {
            b += 1;
        }
        if b >= seen_byte {
            seen_line += raw[seen_byte..b].iter().filter(|c| **c == b'\n').count() as u64;
            seen_byte = b;
        }
        seen_line
    };
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| line_of(p.byte()));
                return Err(ParseError::new(
                    file.path,
                    line,
                    "-",
                    format!("bad CSV: {e}"),
                ));
            }
        }
        let line = record.position().map_or(0, |p| line_of(p.byte()));
        if record.len() == 1 && record[0].trim().is_empty() {
            continue;
        }
        if record.len() != columns {
            return Err(ParseError::new(
                file.path,
                line,
                "-",
                format!("expected {columns} columns, found {}", record.len()),
            ));
        }
        let row: Vec<&str> = record.iter().collect();
        f(line, &row)?;
    }
}

/// Identifier kinds OFAC writes in Remarks, longest first so prefixes do not shadow.
const ID_KINDS: &[&str] = &[
    "Vessel Registration Identification",
    "Business Registration Number",
    "Digital Currency Address",
    "Aircraft Serial Identification",
    "Aircraft Manufacturer's Serial Number (MSN)",
    "Government Gazette Number",
    "National Foreign ID Number",
    "Residency Number",
    "Registration Number",
    "Identification Number",
    "Registration ID",
    "National ID No.",
    "Tax ID No.",
    "Cedula No.",
    "Passport",
    "SWIFT/BIC",
    "D-U-N-S Number",
    "MMSI",
    "Stock Ticker",
    "UK Company Number",
    "Company Number",
    "Legal Entity Number",
    "RFC",
    "CURP",
    "NIT #",
    "RUC #",
    "C.U.I.T.",
    "Driver's License No.",
    "Trade License No.",
    "Commercial Registry Number",
    "Public Registration Number",
    "Chinese Commercial Code",
    "Kenyan ID No.",
    "Personal ID Card",
    "Citizen's Card Number",
    "Numero Unico de Identificacion Tributaria (NUIT)",
    "Unified Social Credit Code (USCC)",
];

/// Pull DOBs, nationalities, identifiers and weak a.k.a.s out of the Remarks text.
fn apply_remarks(e: &mut Entity, remarks: &str) {
    for part in remarks.split(';') {
        let part = part.trim().trim_end_matches('.').trim();
        let part = part.strip_prefix("alt. ").unwrap_or(part).trim();
        if let Some(rest) = strip_prefix_ci(part, "a.k.a.")
            .map(|r| (r, NameKind::Alias))
            .or_else(|| strip_prefix_ci(part, "f.k.a.").map(|r| (r, NameKind::Former)))
            .or_else(|| strip_prefix_ci(part, "n.k.a.").map(|r| (r, NameKind::Alias)))
        {
            let (text, kind) = rest;
            let name = text.trim().trim_matches('\'').trim();
            // Remarks a.k.a.s are the ones OFAC classes as weak (low quality).
            e.push_name(name, kind, Some("weak"));
        } else if let Some(rest) = part.strip_prefix("DOB ") {
            for d in parse_dates(rest) {
                Entity::push_unique(&mut e.birth_dates, d);
            }
        } else if let Some(rest) = part
            .strip_prefix("nationality ")
            .or_else(|| part.strip_prefix("citizen "))
        {
            Entity::push_unique(&mut e.nationalities, countries::normalise(rest));
        } else if let Some(kind) = ID_KINDS.iter().find(|k| part.starts_with(*k)) {
            let rest = part[kind.len()..]
                .trim()
                .trim_start_matches(['-', ':'])
                .trim();
            let (value, country) = match rest.rfind(" (") {
                Some(i) if rest.ends_with(')') => (
                    rest[..i].trim(),
                    Some(countries::normalise(&rest[i + 2..rest.len() - 1])),
                ),
                _ => (rest, None),
            };
            if !value.is_empty() {
                e.identifiers.push(Identifier {
                    kind: kind.to_string(),
                    value: value.to_string(),
                    country,
                });
            }
        }
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    (s.len() >= prefix.len() && s.is_char_boundary(prefix.len()))
        .then(|| &s[..prefix.len()])
        .filter(|p| p.eq_ignore_ascii_case(prefix))
        .map(|_| &s[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remarks_are_mined() {
        let mut e = Entity::new("x", "1", Schema::Person);
        apply_remarks(
            &mut e,
            "DOB 30 Apr 1963; alt. DOB 1964; nationality Iran; Passport A123 (Iran); a.k.a. 'BNC'; Gender Male.",
        );
        assert_eq!(e.birth_dates, ["1963-04-30", "1964"]);
        assert_eq!(e.nationalities, ["ir"]);
        assert_eq!(e.identifiers[0].value, "A123");
        assert_eq!(e.identifiers[0].country.as_deref(), Some("ir"));
        assert_eq!(e.names[0].value, "BNC");
        assert!(e.names[0].is_weak());
    }

    #[test]
    fn bad_ent_num_names_file_line_and_field() {
        let data = b"36,\"A\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\nX1,\"B\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n";
        let err = parse_set(
            "l",
            CsvFile {
                path: Path::new("sdn.csv"),
                bytes: data,
            },
            None,
            None,
            None,
        )
        .unwrap_err();
        assert_eq!(err.line, 2);
        assert_eq!(err.field, "ent_num");
        assert!(err.to_string().starts_with("sdn.csv:2: field `ent_num`"));
    }
}
