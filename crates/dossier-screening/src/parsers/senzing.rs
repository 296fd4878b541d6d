//! Senzing JSON lines (the OpenSanctions "senzing" export). PEPs carry `RISKS: [{TOPIC:
//! "role.pep"}]`. Records without a `RECORD_TYPE` (positions, …) are not screenable and skipped.

use std::path::Path;

use serde_json::Value;

use super::{ParseError, parse_dates, utf8};
use crate::countries;
use crate::model::{Entity, Identifier, NameKind, Schema};

/// Parse the JSON-lines bytes; `file` is used in error messages only.
pub fn parse(file: &Path, bytes: &[u8]) -> Result<Vec<Entity>, ParseError> {
    let text = utf8(file, bytes)?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line_no = n as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line)
            .map_err(|e| ParseError::new(file, line_no, "-", format!("bad JSON: {e}")))?;
        if !v.is_object() {
            return Err(ParseError::new(file, line_no, "-", "not a JSON object"));
        }
        let id = v
            .get("RECORD_ID")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                ParseError::new(file, line_no, "RECORD_ID", "missing or not a string")
            })?;
        let schema = match v.get("RECORD_TYPE") {
            None | Some(Value::Null) => continue,
            Some(Value::String(s)) => match s.as_str() {
                "PERSON" => Schema::Person,
                "ORGANIZATION" => Schema::Organisation,
                "VESSEL" => Schema::Vessel,
                "AIRCRAFT" => Schema::Aircraft,
                _ => Schema::Unknown,
            },
            Some(_) => {
                return Err(ParseError::new(
                    file,
                    line_no,
                    "RECORD_TYPE",
                    "not a string",
                ));
            }
        };
        let list = v
            .get("DATA_SOURCE")
            .and_then(Value::as_str)
            .unwrap_or("senzing")
            .to_ascii_lowercase();
        let mut e = Entity::new(list, id, schema);
        for item in items(&v, "NAMES") {
            let s = |k: &str| item.get(k).and_then(Value::as_str).unwrap_or("").trim();
            let full = if !s("NAME_FULL").is_empty() {
                s("NAME_FULL").to_string()
            } else if !s("NAME_ORG").is_empty() {
                s("NAME_ORG").to_string()
            } else {
                [s("NAME_FIRST"), s("NAME_MIDDLE"), s("NAME_LAST")]
                    .into_iter()
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let kind = match s("NAME_TYPE") {
                "PRIMARY" => NameKind::Primary,
                _ => NameKind::Alias,
            };
            e.push_name(&full, kind, None);
        }
        if e.names.is_empty() {
            return Err(ParseError::new(
                file,
                line_no,
                "NAMES",
                "record without a name",
            ));
        }
        for item in items(&v, "DATES") {
            if let Some(d) = item.get("DATE_OF_BIRTH").and_then(Value::as_str) {
                for d in parse_dates(d) {
                    Entity::push_unique(&mut e.birth_dates, d);
                }
            }
        }
        for item in items(&v, "COUNTRIES") {
            for (k, val) in item.as_object().into_iter().flatten() {
                let Some(c) = val.as_str() else { continue };
                if k == "NATIONALITY" || k == "CITIZENSHIP" {
                    Entity::push_unique(&mut e.nationalities, countries::normalise(c));
                } else {
                    Entity::push_unique(&mut e.countries, countries::normalise(c));
                }
            }
        }
        for item in items(&v, "RISKS") {
            if let Some(t) = item.get("TOPIC").and_then(Value::as_str) {
                Entity::push_unique(&mut e.topics, t.to_string());
            }
        }
        for item in items(&v, "IDENTIFIERS") {
            let Some(obj) = item.as_object() else {
                continue;
            };
            for (k, val) in obj {
                let (Some(kind), Some(value)) = (k.strip_suffix("_NUMBER"), val.as_str()) else {
                    continue;
                };
                let label = obj
                    .get(&format!("{kind}_TYPE"))
                    .and_then(Value::as_str)
                    .unwrap_or(kind);
                e.identifiers.push(Identifier {
                    kind: label.to_string(),
                    value: value.to_string(),
                    country: obj
                        .get(&format!("{kind}_COUNTRY"))
                        .and_then(Value::as_str)
                        .map(countries::normalise),
                });
            }
        }
        e.source_url = v.get("URL").and_then(Value::as_str).map(String::from);
        out.push(e);
    }
    Ok(out)
}

fn items<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    v.get(key).and_then(Value::as_array).into_iter().flatten()
}
