//! FollowTheMoney entities as JSON lines (OpenSanctions exports, flat or nested form).
//! Person / Organization / Company / PublicBody / LegalEntity / Vessel / Airplane become
//! entities; `Sanction` records lend their programme to the entity they point at; other
//! schemata (Address, Ownership, …) are skipped.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use super::{ParseError, parse_dates, utf8};
use crate::countries;
use crate::model::{Entity, Identifier, NameKind, Schema};

const ID_PROPS: &[&str] = &[
    "registrationNumber",
    "idNumber",
    "passportNumber",
    "innCode",
    "ogrnCode",
    "kppCode",
    "taxNumber",
    "vatCode",
    "leiCode",
    "swiftBic",
    "imoNumber",
    "mmsi",
    "callSign",
    "registrationNumber",
    "okpoCode",
    "uniqueEntityId",
];

fn schema_of(s: &str) -> Option<Schema> {
    Some(match s {
        "Person" => Schema::Person,
        "Organization" | "Company" | "PublicBody" => Schema::Organisation,
        "LegalEntity" => Schema::Unknown,
        "Vessel" => Schema::Vessel,
        "Airplane" => Schema::Aircraft,
        _ => return None,
    })
}

/// Parse the JSON-lines bytes; `file` is used in error messages only.
pub fn parse(file: &Path, bytes: &[u8]) -> Result<Vec<Entity>, ParseError> {
    let text = utf8(file, bytes)?;
    let mut out: Vec<Entity> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    // (target id, programme) from Sanction records, applied once every line is read.
    let mut sanctions: Vec<(String, String)> = Vec::new();

    for (n, line) in text.lines().enumerate() {
        let line_no = n as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line)
            .map_err(|e| ParseError::new(file, line_no, "-", format!("bad JSON: {e}")))?;
        let id = v
            .get("id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ParseError::new(file, line_no, "id", "missing or not a string"))?;
        let schema_name = v
            .get("schema")
            .and_then(Value::as_str)
            .ok_or_else(|| ParseError::new(file, line_no, "schema", "missing or not a string"))?;
        let props = match v.get("properties") {
            Some(Value::Object(m)) => m,
            None => &serde_json::Map::new(),
            Some(_) => {
                return Err(ParseError::new(
                    file,
                    line_no,
                    "properties",
                    "not an object",
                ));
            }
        };
        let strings = |key: &str| -> Vec<String> {
            match props.get(key) {
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(|x| match x {
                        Value::String(s) => Some(s.clone()),
                        // Nested form: an embedded entity stands for its id.
                        Value::Object(o) => o.get("id").and_then(Value::as_str).map(String::from),
                        _ => None,
                    })
                    .collect(),
                Some(Value::String(s)) => vec![s.clone()],
                _ => Vec::new(),
            }
        };
        if schema_name == "Sanction" {
            let programmes: Vec<String> = strings("program")
                .into_iter()
                .chain(strings("programId"))
                .chain(strings("authority"))
                .collect();
            if let Some(p) = programmes.into_iter().next() {
                for target in strings("entity") {
                    sanctions.push((target, p.clone()));
                }
            }
            continue;
        }
        let Some(schema) = schema_of(schema_name) else {
            continue;
        };
        let list = v
            .get("datasets")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .and_then(Value::as_str)
            .unwrap_or("opensanctions");
        let mut e = Entity::new(list, id, schema);
        if let Some(caption) = v.get("caption").and_then(Value::as_str) {
            let names = strings("name");
            if names.iter().any(|n| n == caption) {
                e.push_name(caption, NameKind::Primary, None);
            }
        }
        for n in strings("name") {
            e.push_name(&n, NameKind::Primary, None);
        }
        if e.names.is_empty() {
            let parts: Vec<String> = [
                "firstName",
                "secondName",
                "middleName",
                "fatherName",
                "lastName",
            ]
            .iter()
            .filter_map(|k| strings(k).into_iter().next())
            .collect();
            e.push_name(&parts.join(" "), NameKind::Primary, None);
        }
        for n in strings("alias") {
            e.push_name(&n, NameKind::Alias, None);
        }
        for n in strings("weakAlias") {
            e.push_name(&n, NameKind::Alias, Some("weak"));
        }
        for n in strings("previousName") {
            e.push_name(&n, NameKind::Former, None);
        }
        for d in strings("birthDate")
            .iter()
            .chain(&strings("incorporationDate"))
        {
            for d in parse_dates(d) {
                Entity::push_unique(&mut e.birth_dates, d);
            }
        }
        for c in strings("nationality")
            .into_iter()
            .chain(strings("citizenship"))
        {
            Entity::push_unique(&mut e.nationalities, countries::normalise(&c));
        }
        for c in [
            "country",
            "jurisdiction",
            "mainCountry",
            "flag",
            "registrationCountry",
        ]
        .iter()
        .flat_map(|k| strings(k))
        {
            Entity::push_unique(&mut e.countries, countries::normalise(&c));
        }
        for kind in ID_PROPS {
            for value in strings(kind) {
                let id = Identifier {
                    kind: kind.to_string(),
                    value,
                    country: None,
                };
                if !e.identifiers.contains(&id) {
                    e.identifiers.push(id);
                }
            }
        }
        for p in strings("program") {
            Entity::push_unique(&mut e.programmes, p);
        }
        for t in strings("topics") {
            Entity::push_unique(&mut e.topics, t);
        }
        e.source_url = Some(format!("https://www.opensanctions.org/entities/{id}/"));
        if e.names.is_empty() {
            return Err(ParseError::new(
                file,
                line_no,
                "name",
                "entity without a name",
            ));
        }
        index.insert(id.to_string(), out.len());
        out.push(e);
    }
    for (target, programme) in sanctions {
        if let Some(&i) = index.get(&target) {
            Entity::push_unique(&mut out[i].programmes, programme);
        }
    }
    Ok(out)
}
