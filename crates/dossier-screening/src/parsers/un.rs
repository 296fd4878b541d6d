//! UN Security Council consolidated list (`CONSOLIDATED_LIST` XML, schema sc-sanctions.xsd).

use std::path::Path;

use quick_xml::events::Event;

use super::{ParseError, parse_dates, utf8};
use crate::countries;
use crate::model::{Entity, Identifier, NameKind, Schema};

const LIST: &str = "un_sc";

#[derive(Default)]
struct Pending {
    alias_quality: String,
    alias_name: String,
    dob: Vec<(String, String)>,
    doc: Vec<(String, String)>,
    names: [String; 4],
}

/// Parse the XML bytes; `file` is used in error messages only.
pub fn parse(file: &Path, bytes: &[u8]) -> Result<Vec<Entity>, ParseError> {
    let text = utf8(file, bytes)?;
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().trim_text(false);
    let line_at = |pos: u64| -> u64 {
        let end = (pos as usize).min(text.len());
        text.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64
            + 1
    };

    let mut out = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    let mut buf = String::new();
    let mut current: Option<(Entity, Pending)> = None;
    let mut saw_root = false;

    loop {
        let event = reader.read_event().map_err(|e| {
            ParseError::new(
                file,
                line_at(reader.error_position()),
                stack.last().map_or("-", |s| s.as_str()),
                format!("bad XML: {e}"),
            )
        })?;
        match event {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                if name == "CONSOLIDATED_LIST" {
                    saw_root = true;
                }
                if (name == "INDIVIDUAL" || name == "ENTITY") && stack.len() == 2 {
                    let schema = if name == "INDIVIDUAL" {
                        Schema::Person
                    } else {
                        Schema::Organisation
                    };
                    current = Some((Entity::new(LIST, String::new(), schema), Pending::default()));
                }
                stack.push(name);
                buf.clear();
            }
            Event::Text(t) => {
                let s = t.decode().map_err(|e| {
                    ParseError::new(file, line_at(reader.buffer_position()), "-", e.to_string())
                })?;
                buf.push_str(&s);
            }
            Event::CData(t) => buf.push_str(&String::from_utf8_lossy(&t)),
            Event::GeneralRef(r) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    buf.push(c);
                } else {
                    let name = r.decode().unwrap_or_default();
                    if let Some(s) = quick_xml::escape::resolve_predefined_entity(&name) {
                        buf.push_str(s);
                    }
                }
            }
            Event::End(_) => {
                let Some(name) = stack.pop() else { break };
                let parent = stack.last().map(String::as_str).unwrap_or("");
                let value = std::mem::take(&mut buf);
                let value = value.trim();
                if let Some((e, p)) = current.as_mut() {
                    // Line numbers are only computed for errors (counting is linear).
                    let line = || line_at(reader.buffer_position());
                    on_end(e, p, &name, parent, value)
                        .map_err(|m| ParseError::new(file, line(), name.as_str(), m))?;
                    if (name == "INDIVIDUAL" || name == "ENTITY") && stack.len() == 2 {
                        let line = line();
                        let (mut e, p) = current.take().expect("current record");
                        let full = p
                            .names
                            .iter()
                            .map(|s| s.trim())
                            .filter(|s| !s.is_empty())
                            .collect::<Vec<_>>()
                            .join(" ");
                        if full.is_empty() {
                            return Err(ParseError::new(
                                file,
                                line,
                                "FIRST_NAME",
                                "record without a name",
                            ));
                        }
                        if e.list_id.is_empty() {
                            return Err(ParseError::new(
                                file,
                                line,
                                "REFERENCE_NUMBER",
                                "record without an id",
                            ));
                        }
                        let full = crate::model::collapse_ws(&full);
                        e.names.retain(|n| n.value != full);
                        e.names
                            .insert(0, crate::model::Name::new(full, NameKind::Primary));
                        e.source_url = Some(format!(
                            "https://main.un.org/securitycouncil/en/sanctions/un-sc-consolidated-list#{}",
                            e.list_id
                        ));
                        out.push(e);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_root {
        return Err(ParseError::new(
            file,
            1,
            "CONSOLIDATED_LIST",
            "not a UN consolidated list",
        ));
    }
    if !stack.is_empty() {
        return Err(ParseError::new(
            file,
            line_at(text.len() as u64),
            stack.last().unwrap().as_str(),
            "unexpected end of file",
        ));
    }
    Ok(out)
}

fn on_end(
    e: &mut Entity,
    p: &mut Pending,
    name: &str,
    parent: &str,
    value: &str,
) -> Result<(), String> {
    let record = parent == "INDIVIDUAL" || parent == "ENTITY";
    match (parent, name) {
        (_, "FIRST_NAME") if record => p.names[0] = value.to_string(),
        (_, "SECOND_NAME") if record => p.names[1] = value.to_string(),
        (_, "THIRD_NAME") if record => p.names[2] = value.to_string(),
        (_, "FOURTH_NAME") if record => p.names[3] = value.to_string(),
        (_, "REFERENCE_NUMBER") if record => e.list_id = value.to_string(),
        (_, "UN_LIST_TYPE") if record => Entity::push_unique(&mut e.programmes, value.to_string()),
        (_, "NAME_ORIGINAL_SCRIPT") if record => e.push_name(value, NameKind::OriginalScript, None),
        ("NATIONALITY", "VALUE") if !value.is_empty() => {
            Entity::push_unique(&mut e.nationalities, countries::normalise(value));
        }
        ("INDIVIDUAL_ALIAS" | "ENTITY_ALIAS", "QUALITY") => p.alias_quality = value.to_string(),
        ("INDIVIDUAL_ALIAS" | "ENTITY_ALIAS", "ALIAS_NAME") => p.alias_name = value.to_string(),
        (_, "INDIVIDUAL_ALIAS" | "ENTITY_ALIAS") => {
            let q = std::mem::take(&mut p.alias_quality);
            let n = std::mem::take(&mut p.alias_name);
            e.push_name(&n, NameKind::Alias, Some(&q));
        }
        ("INDIVIDUAL_ADDRESS" | "ENTITY_ADDRESS", "COUNTRY") if !value.is_empty() => {
            Entity::push_unique(&mut e.countries, countries::normalise(value));
        }
        ("INDIVIDUAL_DATE_OF_BIRTH", _) => p.dob.push((name.to_string(), value.to_string())),
        (_, "INDIVIDUAL_DATE_OF_BIRTH") => {
            let get = |k: &str| p.dob.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
            let dates = if let Some(d) = get("DATE") {
                parse_dates(d)
            } else if let Some(y) = get("YEAR") {
                parse_dates(y)
            } else if let (Some(a), Some(b)) = (get("FROM_YEAR"), get("TO_YEAR")) {
                parse_dates(&format!("{a} to {b}"))
            } else {
                Vec::new()
            };
            for d in dates {
                Entity::push_unique(&mut e.birth_dates, d);
            }
            p.dob.clear();
        }
        ("INDIVIDUAL_DOCUMENT", _) => p.doc.push((name.to_string(), value.to_string())),
        (_, "INDIVIDUAL_DOCUMENT") => {
            let get = |k: &str| p.doc.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            if let Some(number) = get("NUMBER").filter(|n| !n.is_empty()) {
                e.identifiers.push(Identifier {
                    kind: get("TYPE_OF_DOCUMENT").unwrap_or_else(|| "Document".into()),
                    value: number,
                    country: get("ISSUING_COUNTRY")
                        .or_else(|| get("COUNTRY_OF_ISSUE"))
                        .filter(|c| !c.is_empty())
                        .map(|c| countries::normalise(&c)),
                });
            }
            p.doc.clear();
        }
        _ => {}
    }
    Ok(())
}
