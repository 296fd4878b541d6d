//! `dossier backup` while the service runs, then `dossier restore` into a fresh installation: every
//! case, document and event is back, the audit chain verifies, and a damaged backup is refused.

mod common;

use common::{Backend, TestServer};
use serde_json::{Value, json};

const PDF: &[u8] = include_bytes!("fixtures/register-extract.pdf");
const PNG: &[u8] = include_bytes!("fixtures/id-card.png");

fn temp_dir(label: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("dossier-{label}-{:016x}", rand::random::<u64>()))
}

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn refused(out: &std::process::Output, why: &str) {
    assert!(!out.status.success(), "accepted: {why}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(why), "{stderr}");
}

async fn all_events(srv: &TestServer, key: &str) -> Vec<Value> {
    let r = srv.get("/api/events?limit=100", key).await;
    assert_eq!(r.status, 200, "{:?}", r.json);
    r.json["data"].as_array().unwrap().clone()
}

async fn a_backup_restores_into_a_working_installation(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let business = srv
        .post(
            "/api/applications",
            &key,
            &json!({"type": "business",
                    "business": {"name": "Acme Logistics SAS", "registration_number": "552100554", "country": "FR"},
                    "relationships": [{"kind": "person", "roles": ["director"],
                                       "person": {"first_name": "Claire", "last_name": "Martin"}}]}),
        )
        .await;
    assert_eq!(business.status, 201, "{:?}", business.json);
    let id = business.json["id"].as_str().unwrap().to_string();
    let patched = srv
        .patch(
            &format!("/api/applications/{id}"),
            &key,
            &json!({"business": {"website": "https://acme.example"}}),
        )
        .await;
    assert_eq!(patched.status, 200, "{:?}", patched.json);
    let pdf = srv
        .upload_file(
            &key,
            &id,
            "certificate_of_incorporation",
            None,
            ("extract.pdf", "application/pdf", PDF),
        )
        .await;
    let png = srv
        .upload_file(&key, &id, "passport", None, ("id.png", "image/png", PNG))
        .await;
    let before = srv.get(&format!("/api/applications/{id}"), &key).await.json;
    let events_before = all_events(&srv, &key).await;

    // Online: the server keeps running and serving.
    let dir = temp_dir("backup");
    let out = ok(&srv.cli(&["backup", dir.to_str().unwrap()]));
    assert!(out.contains("2 documents"), "{out}");
    assert!(dir.join("manifest.json").exists());
    // A second backup never overwrites the first.
    refused(&srv.cli(&["backup", dir.to_str().unwrap()]), "not empty");
    // What happens after the backup is not in it.
    let later = srv
        .post(
            "/api/applications",
            &key,
            &json!({"type": "person", "person": {"first_name": "Late", "last_name": "Comer"}}),
        )
        .await;
    assert_eq!(later.status, 201);

    let mut fresh = TestServer::new(backend).await;
    let out = ok(&fresh.cli(&["restore", dir.to_str().unwrap()]));
    assert!(out.contains("1 cases, 2 documents"), "{out}");
    // Restoring twice, or over data, is refused.
    refused(
        &fresh.cli(&["restore", dir.to_str().unwrap()]),
        "restore into",
    );
    assert!(ok(&fresh.cli(&["audit", "verify"])).contains("audit chain intact"));
    fresh.spawn().await;
    // The key is the backup's too.
    let after = fresh.get(&format!("/api/applications/{id}"), &key).await;
    assert_eq!(after.status, 200, "{:?}", after.json);
    // The worker may settle a task on either side; what the client sent is the same.
    for field in ["business", "relationships", "external_id", "created_at"] {
        assert_eq!(after.json[field], before[field], "{field}");
    }
    let later_id = later.json["id"].as_str().unwrap();
    assert_eq!(
        fresh
            .get(&format!("/api/applications/{later_id}"), &key)
            .await
            .status,
        404
    );
    for (doc, bytes) in [(&pdf, PDF), (&png, PNG)] {
        let r = fresh
            .get(
                &format!("/api/applications/{id}/documents/{doc}/content"),
                &key,
            )
            .await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body, bytes, "document {doc} differs after the restore");
    }
    let restored: Vec<Value> = all_events(&fresh, &key).await;
    for event in &events_before {
        assert!(restored.contains(event), "event {} is missing", event["id"]);
    }
    // The restored installation takes new work.
    let next = fresh
        .patch(
            &format!("/api/applications/{id}"),
            &key,
            &json!({"business": {"website": "https://acme.example/fr"}}),
        )
        .await;
    assert_eq!(next.status, 200, "{:?}", next.json);
    fresh.stop(false);
    assert!(ok(&fresh.cli(&["audit", "verify"])).contains("audit chain intact"));

    // A document damaged in the backup is found, not restored silently.
    let stored = walk(&dir.join("documents"));
    assert_eq!(stored.len(), 2, "{stored:?}");
    std::fs::write(&stored[0], b"not the uploaded bytes").unwrap();
    let damaged = TestServer::new(backend).await;
    refused(
        &damaged.cli(&["restore", dir.to_str().unwrap()]),
        "does not match its SHA-256",
    );
    // So is a backup cut short (no manifest).
    std::fs::remove_file(dir.join("manifest.json")).unwrap();
    let cut = TestServer::new(backend).await;
    refused(&cut.cli(&["restore", dir.to_str().unwrap()]), "manifest");
    let _ = std::fs::remove_dir_all(&dir);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files.sort();
    files
}

both_backends!(a_backup_restores_into_a_working_installation);
