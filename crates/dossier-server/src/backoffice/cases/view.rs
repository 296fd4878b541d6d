//! The case page's sections as the template reads them: what the application layer answered,
//! made readable (names for ids, translated codes, evidence as labelled values instead of JSON).

use std::collections::HashMap;

use dossier_domain::application::Application;
use dossier_domain::custom_field::CustomFieldDefinition;
use dossier_domain::workflow::CaseFacts;
use dossier_domain::workflow::tasks::screening::{self, ScreeningHit};
use serde_json::{Map, Value, json};

use crate::AppState;
use crate::web::Lang;

/// Who acted, as a reader knows them: a user by name (or e-mail), anything else by kind and id.
pub struct People(HashMap<String, String>);

impl People {
    pub fn new(users: &[dossier_store::User]) -> Self {
        People(
            users
                .iter()
                .map(|u| {
                    let name = if u.name.trim().is_empty() {
                        u.email.clone()
                    } else {
                        u.name.clone()
                    };
                    (u.id.clone(), name)
                })
                .collect(),
        )
    }

    /// The name of the user with this id, else the id.
    pub fn name(&self, id: &str) -> String {
        self.0.get(id).cloned().unwrap_or_else(|| id.to_string())
    }

    /// An actor of the audit trail: `{kind, name}` (`name` is the user's, or the id).
    pub fn actor(&self, kind: &str, id: &str) -> Value {
        let name = if kind == "user" {
            self.name(id)
        } else {
            id.to_string()
        };
        json!({"kind": kind, "name": name, "id": id})
    }
}

/// Text of a JSON scalar; lists of scalars joined.
fn text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(if *b { "✓" } else { "✗" }.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            let parts: Vec<String> = items.iter().filter_map(text).collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        _ => None,
    }
}

/// `snake_case` as words: `effective_ownership` → `Effective ownership`.
fn humanise(key: &str) -> String {
    let words = key.replace(['_', '.'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A percentage for reading: two decimals at most, none when whole (`48`, `12.5`).
fn percent(value: f64) -> String {
    let rounded = dossier_domain::workflow::ownership::round_percentage(value);
    let text = format!("{rounded:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A country code as its name in the page's language.
fn country(state: &AppState, lang: &Lang, code: &str) -> String {
    state
        .web
        .try_t(lang, &format!("country-{}", code.to_ascii_uppercase()), &[])
        .unwrap_or_else(|| code.to_string())
}

const COUNTRY_FIELDS: &[&str] = &["country", "nationality", "country_of_residence"];

/// The subject's facts: `{label, value}` in the order of the portal's inputs, the address on one
/// line, countries by name.
pub fn profile(state: &AppState, lang: &Lang, app: &Application) -> Vec<Value> {
    let (prefix, inputs) = crate::portal::details::subject_inputs(app.kind);
    let subject = serde_json::to_value(app).unwrap_or_default()[prefix].clone();
    let mut out = Vec::new();
    for input in inputs {
        let Some(mut value) = text(&subject[input.name]) else {
            continue;
        };
        if COUNTRY_FIELDS.contains(&input.name) {
            value = country(state, lang, &value);
        }
        out.push(json!({
            "label": state.web.t(lang, &format!("field-{}", input.name), &[]),
            "value": value,
        }));
    }
    let address = &subject["address"];
    let line: Vec<String> = ["line1", "line2", "postal_code", "city", "region"]
        .iter()
        .filter_map(|k| text(&address[*k]))
        .chain(text(&address["country"]).map(|c| country(state, lang, &c)))
        .collect();
    if !line.is_empty() {
        out.push(json!({
            "label": state.web.t(lang, "field-address", &[]),
            "value": line.join(", "),
        }));
    }
    out
}

/// The case's custom fields with their definitions' labels; values without a definition too.
pub fn custom_fields(
    state: &AppState,
    lang: &Lang,
    definitions: &[CustomFieldDefinition],
    app: &Application,
) -> Vec<Value> {
    let mut out = Vec::new();
    for d in definitions.iter().filter(|d| {
        d.applies_to
            .contains(&dossier_domain::custom_field::AppliesTo::Application)
    }) {
        let value = app.custom_fields.get(&d.api_name).and_then(|v| {
            use dossier_domain::custom_field::FieldType;
            match (d.field_type, v) {
                (FieldType::Country, Value::String(c)) => Some(country(state, lang, c)),
                (FieldType::CountryMulti, Value::Array(cs)) => Some(
                    cs.iter()
                        .filter_map(Value::as_str)
                        .map(|c| country(state, lang, c))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                (FieldType::Boolean, Value::Bool(b)) => Some(state.web.t(
                    lang,
                    if *b { "answer-yes" } else { "answer-no" },
                    &[],
                )),
                _ => text(v),
            }
        });
        out.push(json!({"label": d.label, "value": value, "name": d.api_name}));
    }
    for (name, v) in &app.custom_fields {
        if !definitions.iter().any(|d| &d.api_name == name) {
            out.push(json!({"label": name, "value": text(v), "name": name}));
        }
    }
    out
}

/// The relationships as a tree (children under their parent), each party with its roles, the
/// share it holds directly, and the effective ownership the engine computed through every chain,
/// with the chains themselves.
pub fn ownership_tree(
    state: &AppState,
    lang: &Lang,
    app: &Application,
    facts: &CaseFacts,
) -> Value {
    let by_id: HashMap<&str, &dossier_domain::workflow::facts::RelationshipFact> = facts
        .relationships
        .iter()
        .map(|r| (r.id.as_str(), r))
        .collect();
    let node = |rel: &dossier_domain::relationship::Relationship| -> Map<String, Value> {
        let fact = by_id.get(rel.id.as_str());
        let effective = fact.and_then(|f| f.value["effective_ownership"].as_f64());
        let chains = fact.and_then(|f| facts.ownership.paths.get(&f.entity));
        // Worth listing when the figure is not the direct holding: several chains, or one
        // through other parties.
        let show_paths =
            chains.is_some_and(|ps| ps.len() > 1 || ps.iter().any(|p| p.entities.len() > 2));
        let paths: Vec<Value> = chains
            .map(|ps| {
                ps.iter()
                    .map(|p| {
                        json!({
                            "via": p.entities.iter().map(|e| facts.entities[*e].name.clone()).collect::<Vec<_>>().join(" → "),
                            "percentage": percent(p.percentage),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let roles: Vec<String> = rel
            .roles
            .iter()
            .map(|r| {
                let code = serde_json::to_value(r)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                state
                    .web
                    .try_t(lang, &format!("role-{code}"), &[])
                    .unwrap_or(code)
            })
            .collect();
        let mut m = Map::new();
        m.insert("id".into(), json!(rel.id));
        m.insert("name".into(), json!(rel.display_name()));
        m.insert(
            "kind".into(),
            serde_json::to_value(rel.kind).unwrap_or_default(),
        );
        m.insert("roles".into(), json!(roles));
        m.insert(
            "direct".into(),
            json!(rel.ownership_percentage.map(percent)),
        );
        m.insert(
            "effective".into(),
            json!(effective.filter(|e| *e > 0.0).map(percent)),
        );
        m.insert("paths".into(), json!(paths));
        m.insert("show_paths".into(), json!(show_paths));
        m
    };
    fn walk(
        rels: &[dossier_domain::relationship::Relationship],
        node: &dyn Fn(&dossier_domain::relationship::Relationship) -> Map<String, Value>,
    ) -> Vec<Value> {
        rels.iter()
            .map(|r| {
                let mut m = node(r);
                m.insert("children".into(), json!(walk(&r.relationships, node)));
                Value::Object(m)
            })
            .collect()
    }
    json!({
        "nodes": walk(&app.relationships, &node),
        "cycles_cut": facts.ownership.cycles_cut,
        "truncated": facts.ownership.truncated,
    })
}

/// A party's name by the id documents and hits use (`None` / [`screening::SUBJECT`]: the case's
/// subject).
pub fn party_names(app: &Application) -> HashMap<String, String> {
    let mut names: HashMap<String, String> = dossier_domain::relationship::walk(&app.relationships)
        .into_iter()
        .map(|(_, r)| (r.id.clone(), r.display_name()))
        .collect();
    names.insert(screening::SUBJECT.into(), super::display_name(app));
    names
}

/// The case's documents with what the page needs: whose, a label for the type, whether it can be
/// previewed (PDFs in a sandboxed frame, images as images) and the reasons for marking it invalid.
pub fn documents(
    state: &AppState,
    lang: &Lang,
    docs: &Value,
    names: &HashMap<String, String>,
    people: &People,
) -> Vec<Value> {
    let types = dossier_app::documents::document_types();
    docs["data"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            let kind = d["type"].as_str().unwrap_or_default();
            let content_type = d["content_type"].as_str().unwrap_or_default();
            let preview = match content_type {
                "application/pdf" => "pdf",
                "image/jpeg" | "image/png" | "image/webp" => "image",
                _ => "",
            };
            let reasons: Vec<Value> = types
                .iter()
                .find(|t| t.name == kind)
                .map(|t| {
                    t.invalid_reasons
                        .iter()
                        .map(|r| {
                            json!({
                                "value": r,
                                "label": state.web.try_t(lang, &format!("bo-doc-reason-{r}"), &[]).unwrap_or_else(|| humanise(r)),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            let reason_label = d["reason"].as_str().map(|r| {
                state
                    .web
                    .try_t(lang, &format!("bo-doc-reason-{r}"), &[])
                    .unwrap_or_else(|| humanise(r))
            });
            let whose = d["relationship_id"]
                .as_str()
                .unwrap_or(screening::SUBJECT);
            let size = d["size"].as_i64().unwrap_or(0);
            json!({
                "id": d["id"],
                "type": kind,
                "label": state.web.try_t(lang, &format!("doctype-{kind}"), &[]).unwrap_or_else(|| humanise(kind)),
                "filename": d["filename"],
                "content_type": content_type,
                "size_kb": (size + 1023) / 1024,
                "status": d["status"],
                "reason": d["reason"],
                "reason_label": reason_label,
                "whose": names.get(whose).cloned().unwrap_or_else(|| whose.to_string()),
                "uploaded_by": people.actor(
                    d["uploaded_by"]["kind"].as_str().unwrap_or_default(),
                    d["uploaded_by"]["id"].as_str().unwrap_or_default(),
                ),
                "created_at": d["created_at"],
                "preview": preview,
                "reasons": reasons,
            })
        })
        .collect()
}

/// Evidence as labelled values: scalars as text, lists of scalars joined, objects and lists of
/// objects nested (`{label, text}` or `{label, items}`), at most a few levels deep.
pub fn readable(state: &AppState, lang: &Lang, value: &Value) -> Vec<Value> {
    fn label(state: &AppState, lang: &Lang, key: &str) -> String {
        state
            .web
            .try_t(lang, &format!("bo-evidence-{key}"), &[])
            .unwrap_or_else(|| humanise(key))
    }
    fn go(state: &AppState, lang: &Lang, value: &Value, depth: usize) -> Vec<Value> {
        let entry = |label: String, v: &Value| -> Option<Value> {
            if let Some(t) = text(v) {
                return Some(json!({"label": label, "text": t}));
            }
            if depth >= 4 {
                return Some(json!({"label": label, "text": v.to_string()}));
            }
            let items = go(state, lang, v, depth + 1);
            (!items.is_empty()).then(|| json!({"label": label, "items": items}))
        };
        match value {
            Value::Object(m) => m
                .iter()
                .filter_map(|(k, v)| entry(label(state, lang, k), v))
                .collect(),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| {
                    // An item is named by what names it, else by its place.
                    let name = ["name", "party_name", "label", "key", "id", "type"]
                        .iter()
                        .find_map(|k| v[*k].as_str().map(str::to_string))
                        .unwrap_or_else(|| format!("{}", i + 1));
                    entry(name, v)
                })
                .collect(),
            other => text(other)
                .map(|t| vec![json!({"label": "", "text": t})])
                .unwrap_or_default(),
        }
    }
    go(state, lang, value, 0)
}

/// The tasks with their findings and evidence made readable, and what may be done with each.
pub fn tasks(state: &AppState, lang: &Lang, app: &Application, people: &People) -> Vec<Value> {
    app.tasks
        .iter()
        .map(|t| {
            let clearance = t.clearance.as_ref().map(|c| {
                json!({
                    "by": people.name(&c.by),
                    "comment": c.comment,
                    "at": c.at.to_string(),
                    "previous_result": c.previous_result,
                })
            });
            json!({
                "key": t.key,
                "kind": t.kind,
                "name": if t.name.is_empty() { &t.key } else { &t.name },
                "active": t.active,
                "result": t.result,
                "summary": t.summary,
                "stale": t.stale,
                "findings": t.findings,
                "evidence": readable(state, lang, &t.evidence),
                "signals": t.signals,
                "clearance": clearance,
                "may_clear": t.active && t.kind != "screening"
                    && t.result != dossier_domain::workflow::tasks::TaskResult::Clear,
                "may_run": t.active,
            })
        })
        .collect()
}

/// The screening hits side by side with the party screened: names, dates of birth, countries and
/// the list entry's programmes, with the score's explanation. A false positive is remembered: the
/// same entry is not raised again for this party until its record changes.
pub fn hits(
    state: &AppState,
    lang: &Lang,
    app: &Application,
    hits: &[ScreeningHit],
    facts: &CaseFacts,
    people: &People,
) -> Vec<Value> {
    let parties: HashMap<String, screening::ScreeningParty> = screening::parties(facts)
        .into_iter()
        .map(|p| (p.party_id.clone(), p))
        .collect();
    let screened_at = app
        .tasks
        .iter()
        .find(|t| t.kind == "screening")
        .and_then(|t| screening::Screened::from_evidence(&t.evidence))
        .map(|s| s.at);
    let countries = |codes: &[String]| {
        codes
            .iter()
            .map(|c| country(state, lang, c))
            .collect::<Vec<_>>()
            .join(", ")
    };
    hits.iter()
        .map(|h| {
            let party = parties.get(&h.party_id);
            let e = &h.explanation;
            let features: Vec<Value> = e["features"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| {
                    let name = f["feature"].as_str().unwrap_or_default();
                    json!({
                        "feature": state.web.try_t(lang, &format!("bo-feature-{name}"), &[]).unwrap_or_else(|| humanise(name)),
                        "contribution": format!("{:+.2}", f["contribution"].as_f64().unwrap_or(0.0)),
                        "detail": f["detail"],
                    })
                })
                .collect();
            let tokens: Vec<Value> = e["tokens"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|t| {
                    let how = t["how"].as_str().unwrap_or_default();
                    json!({
                        "query": t["query"],
                        "candidate": t["candidate"],
                        "similarity": format!("{:.2}", t["similarity"].as_f64().unwrap_or(0.0)),
                        "how": state.web.try_t(lang, &format!("bo-token-{how}"), &[]).unwrap_or_else(|| humanise(how)),
                    })
                })
                .collect();
            let review = h.review.as_ref().map(|r| {
                json!({
                    "status": r.status,
                    "comment": r.comment,
                    "by": if r.by_kind == "user" { people.name(&r.by) } else { r.by.clone() },
                    "at": r.at.to_string(),
                })
            });
            // Kept through a later screening: the list was searched again and the reviewer's
            // answer held.
            let held = h.status == screening::HitStatus::FalsePositive
                && h.review
                    .as_ref()
                    .zip(screened_at.as_deref())
                    .is_some_and(|(r, at)| at > r.at.to_string().as_str());
            json!({
                "id": h.id,
                "status": h.status,
                "score": format!("{:.2}", h.score),
                "party": {
                    "name": h.party_name,
                    "kind": h.party_kind,
                    "birth_date": party.and_then(|p| p.birth_date.clone()),
                    "countries": party.map(|p| countries(&p.countries)),
                },
                "entity": {
                    "names": h.entity.names,
                    "birth_dates": h.entity.birth_dates.join(", "),
                    "nationalities": countries(&h.entity.nationalities),
                    "countries": countries(&h.entity.countries),
                    "programmes": h.entity.programmes.join(", "),
                    "topics": h.entity.topics.iter().map(|t| state.web.try_t(lang, &format!("bo-topic-{}", t.replace('.', "-")), &[]).unwrap_or_else(|| t.clone())).collect::<Vec<_>>().join(", "),
                    "schema": h.entity.schema,
                    "list": h.entity.list,
                    "list_id": h.entity.list_id,
                    "source_url": h.entity.source_url,
                },
                "snapshot": format!("{} v{}", h.snapshot_source, h.snapshot_version),
                "found_at": h.found_at,
                "explanation": {
                    "query_name": e["query_name"],
                    "matched_name": e["matched_name"],
                    "features": features,
                    "tokens": tokens,
                    "unmatched_query": text(&e["unmatched_query"]),
                    "unmatched_candidate": text(&e["unmatched_candidate"]),
                },
                "review": review,
                "remembered": h.status == screening::HitStatus::FalsePositive,
                "held": held,
                "may_review": h.status != screening::HitStatus::Withdrawn,
            })
        })
        .collect()
}

/// The risk: score, level, each rule's contribution (fired first), the floor, the manual
/// adjustments and the history.
pub fn risk(app: &Application, history: &Value, people: &People) -> Value {
    let Some(r) = &app.risk else {
        return Value::Null;
    };
    let history: Vec<Value> = history["data"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| {
            json!({
                "at": h["created_at"],
                "score": h["score"],
                "level": h["level"],
                "cause": h["cause"],
                "actor": people.actor(
                    h["actor"]["kind"].as_str().unwrap_or_default(),
                    h["actor"]["id"].as_str().unwrap_or_default(),
                ),
            })
        })
        .collect();
    json!({
        "score": r.score,
        "level": r.level,
        "explanation": r.explanation,
        "floor": r.floor_applied,
        "errors": r.errors,
        "adjustments": app.risk_adjustments.iter().map(|a| json!({
            "delta": format!("{:+}", a.delta),
            "reason": a.reason,
            "by": people.name(&a.by),
            "at": a.at.to_string(),
        })).collect::<Vec<_>>(),
        "history": history,
    })
}

/// The audit trail, newest first: when, what (the catalogue's name of the action), who, and the
/// comment or reason the change carried. A first approval of a four-eyes case is told apart from
/// the decision that completes it.
pub fn timeline(state: &AppState, lang: &Lang, activity: &Value, people: &People) -> Vec<Value> {
    let entries: Vec<&Value> = activity.as_array().into_iter().flatten().collect();
    // One change of a document (or a collect) is audited twice, on the case and on its own
    // record, one after the other: a reader sees it once.
    let twin = |a: &Value, b: &Value| {
        a["action"] == b["action"]
            && a["actor"] == b["actor"]
            && (a["object_type"] == "application") != (b["object_type"] == "application")
            && a["at"].as_str().and_then(|t| t.get(..19))
                == b["at"].as_str().and_then(|t| t.get(..19))
    };
    entries
        .iter()
        .enumerate()
        .filter(|(i, e)| *i == 0 || !twin(entries[i - 1], e))
        .map(|(_, e)| *e)
        .map(|e| {
            let action = e["action"].as_str().unwrap_or_default();
            let changes = e["changes"].as_array().cloned().unwrap_or_default();
            let touches = |prefix: &str| {
                changes.iter().any(|c| {
                    c["path"]
                        .as_str()
                        .is_some_and(|p| p == prefix || p.starts_with(&format!("{prefix}.")))
                        && !c["after"].is_null()
                })
            };
            let key = match action {
                "application.decided" if !touches("decision") && touches("pending_approval") => {
                    "first_approval".to_string()
                }
                a => a.replace('.', "-"),
            };
            let label = state
                .web
                .try_t(lang, &format!("bo-action-{key}"), &[])
                .unwrap_or_else(|| action.to_string());
            let detail = changes.iter().find_map(|c| {
                let path = c["path"].as_str()?;
                let leaf = path.rsplit('.').next()?;
                let after = &c["after"];
                match leaf {
                    "comment" | "reason" | "body" => after.as_str().map(str::to_string),
                    // A decision and a first approval are audited whole, their reason inside.
                    "decision" | "pending_approval" => after["reason"].as_str().map(str::to_string),
                    _ => None,
                }
            });
            let at = e["at"].as_str().unwrap_or_default();
            json!({
                "at": at,
                "when": at.get(..16).unwrap_or(at).replace('T', " "),
                "action": label,
                "code": action,
                "actor": people.actor(
                    e["actor"]["kind"].as_str().unwrap_or_default(),
                    e["actor"]["id"].as_str().unwrap_or_default(),
                ),
                "detail": detail,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_read_short() {
        assert_eq!(percent(48.0), "48");
        assert_eq!(percent(12.5), "12.5");
        assert_eq!(percent(100.0 / 3.0), "33.33");
        assert_eq!(percent(10.0), "10");
    }

    #[test]
    fn keys_read_as_words() {
        assert_eq!(humanise("effective_ownership"), "Effective ownership");
        assert_eq!(humanise(""), "");
    }

    #[test]
    fn scalars_and_lists_of_them_are_text() {
        assert_eq!(text(&json!("a")), Some("a".into()));
        assert_eq!(text(&json!(["FR", "BE"])), Some("FR, BE".into()));
        assert_eq!(text(&json!([{"a": 1}])), None);
        assert_eq!(text(&json!(null)), None);
        assert_eq!(text(&json!(" ")), None);
    }
}
