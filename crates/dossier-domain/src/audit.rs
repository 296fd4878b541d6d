//! The audit trail's pure parts: what changed between two versions of an object (a JSON diff), and the
//! hash that chains each entry to the previous one so that any edit of a stored entry is detectable.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

pub use crate::access::Actor;

/// One changed leaf: its path (`business.country`, `relationships[0].roles`), value before and after
/// (`null` when absent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Change {
    pub path: String,
    /// Any JSON value, `null` when absent.
    #[schema(value_type = Option<serde_json::Value>)]
    pub before: Value,
    /// Any JSON value, `null` when absent.
    #[schema(value_type = Option<serde_json::Value>)]
    pub after: Value,
}

/// The changes of an object's creation — what `diff(&Value::Null, &object)` serialises to — built
/// around the object's JSON text, so a large object is not copied or serialised again.
pub fn created_changes_json(object_json: &str) -> String {
    format!("[{{\"path\":\"$\",\"before\":null,\"after\":{object_json}}}]")
}

/// The changes between two JSON documents. Objects are compared key by key; arrays of objects that
/// all carry an `id` are matched by id (so removing one related party is one change, not a shifted
/// list: `relationships[id=rel_1].roles`), arrays of objects that all carry a `key` instead (a case's
/// tasks) by key (`tasks[key=data_completeness].result`); other arrays are compared as a whole.
pub fn diff(before: &Value, after: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    diff_into(&mut out, "", before, after);
    out
}

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn diff_into(out: &mut Vec<Change>, path: &str, before: &Value, after: &Value) {
    if before == after {
        return;
    }
    match (before, after) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, va) in a {
                diff_into(out, &child(path, k), va, b.get(k).unwrap_or(&Value::Null));
            }
            for (k, vb) in b {
                if !a.contains_key(k) {
                    diff_into(out, &child(path, k), &Value::Null, vb);
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if identity(a, b).is_some() => {
            let field = identity(a, b).unwrap_or("id");
            let id = |v: &Value| v.get(field).and_then(Value::as_str).map(str::to_owned);
            for va in a {
                let key = id(va).unwrap_or_default();
                let p = format!("{path}[{field}={key}]");
                match b.iter().find(|vb| id(vb).as_deref() == Some(key.as_str())) {
                    Some(vb) => diff_into(out, &p, va, vb),
                    None => out.push(Change {
                        path: p,
                        before: va.clone(),
                        after: Value::Null,
                    }),
                }
            }
            for vb in b {
                let key = id(vb).unwrap_or_default();
                if !a.iter().any(|va| id(va).as_deref() == Some(key.as_str())) {
                    out.push(Change {
                        path: format!("{path}[{field}={key}]"),
                        before: Value::Null,
                        after: vb.clone(),
                    });
                }
            }
        }
        _ => out.push(Change {
            path: if path.is_empty() {
                "$".into()
            } else {
                path.to_string()
            },
            before: before.clone(),
            after: after.clone(),
        }),
    }
}

/// The field that identifies the items of both arrays: `id`, else `key`; `None` when some item (or an
/// empty array) has neither, and the arrays are compared as a whole.
fn identity(a: &[Value], b: &[Value]) -> Option<&'static str> {
    let all_have = |items: &[Value], field: &str| {
        !items.is_empty()
            && items
                .iter()
                .all(|v| v.get(field).and_then(Value::as_str).is_some())
    };
    ["id", "key"]
        .into_iter()
        .find(|field| all_have(a, field) && all_have(b, field))
}

/// The fields of an audit entry that its hash covers.
#[derive(Debug, Clone, Serialize)]
pub struct ChainedFields<'a> {
    pub workspace_id: &'a str,
    pub seq: i64,
    pub id: &'a str,
    pub at: &'a str,
    pub actor_kind: &'a str,
    pub actor_id: &'a str,
    /// Absent from entries written before roles were recorded, so their hashes still verify.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_role: Option<&'a str>,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: &'a str,
    pub application_id: Option<&'a str>,
    /// The changes, serialised exactly as stored.
    pub changes: &'a str,
    pub prev_hash: &'a str,
    /// The hash ([`document_hash`]) of the case version the change produced; absent from entries
    /// written before cases had versions (and from entries of no case), so their hashes still verify.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_hash: Option<&'a str>,
}

/// SHA-256 (hex) of a stored document's text: a case version's hash.
pub fn document_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The hash of the chain before its first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// SHA-256 over a canonical (field-ordered JSON) encoding of the entry, including the previous hash.
pub fn entry_hash(fields: &ChainedFields<'_>) -> String {
    let encoded = serde_json::to_vec(fields).expect("plain fields serialise");
    let mut h = Sha256::new();
    h.update(&encoded);
    let digest = h.finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn created_changes_json_is_the_diff_from_nothing() {
        let object = json!({"id": "app_1", "business": {"name": "Acme \"Ltd\""}, "tags": [1]});
        let text = created_changes_json(&object.to_string());
        let parsed: Vec<Change> = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed, diff(&Value::Null, &object));
    }

    #[test]
    fn diff_names_each_changed_leaf() {
        let a = json!({"business": {"name": "Acme", "country": "FR"}, "tags": ["a"]});
        let b = json!({"business": {"name": "Acme", "country": "DE", "phone": "+33 1"}, "tags": ["a", "b"]});
        let d = diff(&a, &b);
        let paths: Vec<_> = d.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, vec!["business.country", "business.phone", "tags"]);
        assert_eq!(d[0].before, json!("FR"));
        assert_eq!(d[0].after, json!("DE"));
        assert_eq!(d[1].before, Value::Null);
    }

    #[test]
    fn lists_of_identified_objects_are_matched_by_id() {
        let a = json!({"relationships": [{"id": "r1", "roles": ["ubo"]}, {"id": "r2", "roles": ["director"]}]});
        let b = json!({"relationships": [{"id": "r2", "roles": ["director", "signatory"]}]});
        let d = diff(&a, &b);
        let paths: Vec<_> = d.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            paths,
            vec!["relationships[id=r1]", "relationships[id=r2].roles"]
        );
    }

    #[test]
    fn tasks_are_matched_by_key() {
        let task = |key: &str, result: &str| {
            json!({"key": key, "kind": key, "result": result, "summary": "x".repeat(200),
                   "findings": [{"code": "c", "message": "m"}]})
        };
        let a = json!({"tasks": [task("data_completeness", "needs_action"), task("screening", "clear")]});
        let b = json!({"tasks": [task("data_completeness", "clear"), task("screening", "clear")]});
        let d = diff(&a, &b);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].path, "tasks[key=data_completeness].result");
        assert_eq!(
            (&d[0].before, &d[0].after),
            (&json!("needs_action"), &json!("clear"))
        );
        // A task that appears or goes is one change; `id` wins over `key` when both are there.
        let c = json!({"tasks": [task("screening", "clear")]});
        let paths: Vec<_> = diff(&a, &c).into_iter().map(|c| c.path).collect();
        assert_eq!(paths, ["tasks[key=data_completeness]"]);
        let both = |k: &str| json!([{"id": "i1", "key": k}]);
        let paths: Vec<_> = diff(&both("a"), &both("b"))
            .into_iter()
            .map(|c| c.path)
            .collect();
        assert_eq!(paths, ["[id=i1].key"]);
    }

    #[test]
    fn no_change_no_diff() {
        let a = json!({"x": [1, 2], "y": {"z": null}});
        assert!(diff(&a, &a.clone()).is_empty());
    }

    #[test]
    fn an_absent_version_hash_leaves_the_encoding_as_it_was() {
        let fields = ChainedFields {
            workspace_id: "ws_1",
            seq: 1,
            id: "aud_1",
            at: "t",
            actor_kind: "cli",
            actor_id: "",
            actor_role: None,
            action: "a",
            object_type: "o",
            object_id: "x",
            application_id: None,
            changes: "[]",
            prev_hash: GENESIS_HASH,
            version_hash: None,
        };
        let text = serde_json::to_string(&fields).unwrap();
        assert!(!text.contains("version_hash"));
        assert!(text.ends_with(&format!("\"prev_hash\":\"{GENESIS_HASH}\"}}")));
    }

    #[test]
    fn the_hash_covers_every_field() {
        let base = ChainedFields {
            workspace_id: "ws_1",
            seq: 1,
            id: "aud_1",
            at: "2026-01-01T00:00:00Z",
            actor_kind: "api_key",
            actor_id: "key_1",
            actor_role: Some("automation"),
            action: "application.created",
            object_type: "application",
            object_id: "app_1",
            application_id: Some("app_1"),
            changes: "[]",
            prev_hash: GENESIS_HASH,
            version_hash: None,
        };
        let h = entry_hash(&base);
        assert_eq!(h.len(), 64);
        assert_eq!(h, entry_hash(&base.clone()));
        assert_ne!(
            h,
            entry_hash(&ChainedFields {
                actor_id: "key_2",
                ..base.clone()
            })
        );
        assert_ne!(
            h,
            entry_hash(&ChainedFields {
                actor_role: Some("admin"),
                ..base.clone()
            })
        );
        assert_ne!(
            h,
            entry_hash(&ChainedFields {
                changes: "[{}]",
                ..base.clone()
            })
        );
        assert_ne!(
            h,
            entry_hash(&ChainedFields {
                version_hash: Some("ab"),
                ..base.clone()
            })
        );
        assert_ne!(
            h,
            entry_hash(&ChainedFields {
                prev_hash: &h,
                ..base
            })
        );
    }
}
