//! Case versions over HTTP, on SQLite and PostgreSQL: every change stores one version, listed newest
//! first and readable by number or by time; events and the activity name the version they concern;
//! the audit chain covers them.

mod common;

use common::{Backend, TestServer};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn versions_are_listed_and_read(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let created = srv
        .post(
            "/api/applications",
            &key,
            &json!({"type": "person", "person": {"first_name": "Ana", "last_name": "Lima"}}),
        )
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(created.json["version"], 1);
    let id = created.json["id"].as_str().unwrap().to_string();
    let patched = srv
        .patch(
            &format!("/api/applications/{id}"),
            &key,
            &json!({"tags": ["vip"]}),
        )
        .await;
    assert_eq!(patched.status, 200);
    assert_eq!(patched.json["version"], 2);

    // The current case is its newest version, byte for byte.
    let current = srv.get(&format!("/api/applications/{id}"), &key).await;
    let v2 = srv
        .get(&format!("/api/applications/{id}/versions/2"), &key)
        .await;
    assert_eq!(v2.status, 200);
    assert_eq!(current.body, v2.body);
    let v1 = srv
        .get(&format!("/api/applications/{id}/versions/1"), &key)
        .await;
    assert_eq!(v1.body, created.body, "version 1 is the case as created");
    assert_eq!(
        srv.get(&format!("/api/applications/{id}/versions/3"), &key)
            .await
            .status,
        404
    );

    // The list: newest first, paged by version, each with its hash.
    let page = srv
        .get(&format!("/api/applications/{id}/versions?limit=1"), &key)
        .await;
    assert_eq!(page.status, 200);
    let item = &page.json["data"][0];
    assert_eq!(item["version"], 2);
    assert_eq!(item["hash"], hex_sha256(&v2.body).as_str());
    assert_eq!(item["actor"]["kind"], "api_key");
    assert_eq!(item["at"], current.json["updated_at"]);
    assert_eq!(page.json["next_cursor"], "2");
    let next = srv
        .get(
            &format!("/api/applications/{id}/versions?limit=1&cursor=2"),
            &key,
        )
        .await;
    assert_eq!(next.json["data"][0]["version"], 1);
    assert_eq!(next.json["next_cursor"], Value::Null);

    // As of a time.
    let created_at = created.json["created_at"].as_str().unwrap();
    let as_of = srv
        .get(&format!("/api/applications/{id}?as_of={created_at}"), &key)
        .await;
    assert_eq!(as_of.status, 200);
    assert_eq!(as_of.body, created.body);
    let before = srv
        .get(
            &format!("/api/applications/{id}?as_of=2000-01-01T00:00:00Z"),
            &key,
        )
        .await;
    assert_eq!(before.status, 404);
    assert!(before.is_problem());
    let bad = srv
        .get(&format!("/api/applications/{id}?as_of=yesterday"), &key)
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.is_problem());

    // Events say which version they announce; the activity which version each change produced.
    let events = srv
        .get(&format!("/api/events?application_id={id}"), &key)
        .await;
    let announced: Vec<(String, Value)> = events.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap().to_string(),
                e["data"]["object"]["version"].clone(),
            )
        })
        .collect();
    assert!(announced.contains(&("application.created".into(), json!(1))));
    assert!(announced.contains(&("application.updated".into(), json!(2))));
    let activity = srv
        .get(&format!("/api/applications/{id}/activity"), &key)
        .await;
    let versions: Vec<Value> = activity.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["version"].clone())
        .collect();
    // The change references version 2 (its evaluation derived nothing but task fingerprints, which
    // the version keeps and the audit does not repeat).
    assert_eq!(versions, vec![json!(2), json!(1)]);
    assert_eq!(activity.json["data"][0]["action"], "application.updated");
    // The creation entry no longer embeds the case: its version does.
    assert_eq!(activity.json["data"][1]["action"], "application.created");
    assert_eq!(activity.json["data"][1]["changes"], json!([]));

    // The chain, versions included, verifies.
    let ok = srv.cli(&["audit", "verify"]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

both_backends!(versions_are_listed_and_read);
