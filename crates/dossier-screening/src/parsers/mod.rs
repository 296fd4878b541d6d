//! Watchlist parsers. Each reads one source format into [`Entity`] records; errors name the
//! file, the line and the field.

use std::path::{Path, PathBuf};

use crate::model::{Entity, SourceKind};

pub mod ftm;
pub mod ofac;
pub mod senzing;
pub mod uk_hmt;
pub mod un;

/// A parse failure, pointing at the file, line (1-based, 0 when unknown) and field.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: field `{field}`: {message}")]
pub struct ParseError {
    pub file: PathBuf,
    pub line: u64,
    pub field: String,
    pub message: String,
}

impl ParseError {
    pub(crate) fn new(
        file: &Path,
        line: u64,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        ParseError {
            file: file.to_path_buf(),
            line,
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Parse a watchlist source. For [`SourceKind::OfacSdn`] `path` is the folder holding the CSV
/// set (or the primary CSV file); for the others it is the file.
pub fn parse(kind: SourceKind, path: &Path) -> Result<Vec<Entity>, ParseError> {
    match kind {
        SourceKind::OfacSdn => ofac::parse_dir(path),
        SourceKind::UnSc => un::parse(path, &read(path)?),
        SourceKind::UkHmt => uk_hmt::parse(path, &read(path)?),
        SourceKind::Ftm => ftm::parse(path, &read(path)?),
        SourceKind::Senzing => senzing::parse(path, &read(path)?),
    }
}

/// Parse a source held in memory (e.g. downloaded), as `(name, bytes)` files: one file, or for
/// [`SourceKind::OfacSdn`] the primary CSV first and then any secondary files (see
/// [`ofac::parse_files`]). The names only label error messages; they may be URLs.
pub fn parse_files(
    kind: SourceKind,
    files: &[(PathBuf, Vec<u8>)],
) -> Result<Vec<Entity>, ParseError> {
    let one = || {
        files
            .first()
            .ok_or_else(|| ParseError::new(Path::new("-"), 0, "-", "no file"))
    };
    match kind {
        SourceKind::OfacSdn => ofac::parse_files(files),
        SourceKind::UnSc => one().and_then(|(p, b)| un::parse(p, b)),
        SourceKind::UkHmt => one().and_then(|(p, b)| uk_hmt::parse(p, b)),
        SourceKind::Ftm => one().and_then(|(p, b)| ftm::parse(p, b)),
        SourceKind::Senzing => one().and_then(|(p, b)| senzing::parse(p, b)),
    }
}

pub(crate) fn read(path: &Path) -> Result<Vec<u8>, ParseError> {
    std::fs::read(path).map_err(|e| ParseError::new(path, 0, "-", format!("cannot read: {e}")))
}

/// Decode UTF-8, naming the line of the first invalid byte.
pub(crate) fn utf8<'a>(file: &Path, bytes: &'a [u8]) -> Result<&'a str, ParseError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64
            + 1;
        ParseError::new(file, line, "-", format!("invalid UTF-8: {e}"))
    })
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Parse a date as lists print it into ISO prefixes: `30 Apr 1963`, `Apr 1963`, `1963`,
/// `circa 1963`, `1962 to 1964` (expanded to each year), `1963-04-30`, `30/04/1963`,
/// `00/00/1963` (00 = unknown). Unreadable text gives no dates.
pub fn parse_dates(text: &str) -> Vec<String> {
    let t = text
        .trim()
        .trim_end_matches('.')
        .trim_start_matches("circa")
        .trim_start_matches("approximately")
        .trim();
    if let Some((a, b)) = t.split_once(" to ") {
        let (a, b) = (parse_date(a), parse_date(b));
        if let (Some(a), Some(b)) = (a, b) {
            let (ya, yb) = (year_of(&a), year_of(&b));
            if let (Some(ya), Some(yb)) = (ya, yb)
                && ya < yb
                && yb - ya <= 10
            {
                return (ya..=yb).map(|y| y.to_string()).collect();
            }
            return vec![a, b];
        }
        return Vec::new();
    }
    parse_date(t).into_iter().collect()
}

fn year_of(d: &str) -> Option<i32> {
    d.get(..4)?.parse().ok()
}

fn parse_date(t: &str) -> Option<String> {
    let t = t.trim();
    // ISO prefixes.
    if t.len() >= 4 && t.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
        let parts: Vec<&str> = t.split('-').collect();
        let y: i32 = parts[0].parse().ok()?;
        if !(1800..=2100).contains(&y) || parts[0].len() != 4 {
            return None;
        }
        let m = parts
            .get(1)
            .and_then(|m| m.get(..2))
            .and_then(|m| m.parse::<u32>().ok());
        let d = parts
            .get(2)
            .and_then(|d| d.get(..2))
            .and_then(|d| d.parse::<u32>().ok());
        return Some(iso(y, m, d));
    }
    // dd/mm/yyyy with 00 meaning unknown.
    if t.contains('/') {
        let parts: Vec<&str> = t.split('/').collect();
        if parts.len() == 3 {
            let y: i32 = parts[2].trim().parse().ok()?;
            if !(1800..=2100).contains(&y) {
                return None;
            }
            let m: u32 = parts[1].trim().parse().ok()?;
            let d: u32 = parts[0].trim().parse().ok()?;
            return Some(iso(y, Some(m), Some(d)));
        }
        return None;
    }
    // `30 Apr 1963`, `Apr 1963`, `1963`.
    let words: Vec<&str> = t.split_whitespace().collect();
    let (d, m, y) = match words.as_slice() {
        [y] => (None, None, *y),
        [m, y] => (None, Some(*m), *y),
        [d, m, y] => (Some(*d), Some(*m), *y),
        _ => return None,
    };
    let y: i32 = y.trim_end_matches(',').parse().ok()?;
    if !(1800..=2100).contains(&y) {
        return None;
    }
    let m = match m {
        Some(m) => {
            let m = m.to_ascii_lowercase();
            Some(MONTHS.iter().position(|x| m.starts_with(x))? as u32 + 1)
        }
        None => None,
    };
    let d = match d {
        Some(d) => Some(d.parse::<u32>().ok()?),
        None => None,
    };
    Some(iso(y, m, d))
}

fn iso(y: i32, m: Option<u32>, d: Option<u32>) -> String {
    match (
        m.filter(|m| (1..=12).contains(m)),
        d.filter(|d| (1..=31).contains(d)),
    ) {
        (Some(m), Some(d)) => format!("{y:04}-{m:02}-{d:02}"),
        (Some(m), None) => format!("{y:04}-{m:02}"),
        _ => format!("{y:04}"),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_dates;

    #[test]
    fn list_date_formats() {
        assert_eq!(parse_dates("30 Apr 1963"), ["1963-04-30"]);
        assert_eq!(parse_dates("Apr 1963"), ["1963-04"]);
        assert_eq!(parse_dates("circa 1963"), ["1963"]);
        assert_eq!(parse_dates("1962 to 1964"), ["1962", "1963", "1964"]);
        assert_eq!(parse_dates("00/00/1980"), ["1980"]);
        assert_eq!(parse_dates("05/03/1980"), ["1980-03-05"]);
        assert_eq!(parse_dates("1980-03-05"), ["1980-03-05"]);
        assert!(parse_dates("unknown").is_empty());
    }
}
