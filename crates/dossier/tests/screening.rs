//! Watchlists in the store and ad-hoc screening, on SQLite and PostgreSQL: `dossier watchlist
//! import|list` with the real OFAC SDN files (two versions, diffed), a bad file that changes nothing,
//! `dossier screen` and `POST /api/screening/search` (global lists, any workspace's key).

mod common;

use common::{Backend, TestServer};
use serde_json::{Value, json};

const SDN_OLD: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/watchlists/ofac_sdn/2024-04-26"
);
const SDN_NEW: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/watchlists/ofac_sdn/2024-05-03"
);
/// `PUTIN, Vladimir Vladimirovich` on the SDN list.
const PUTIN: &str = "35096";

/// `(ent_num, name)` of the individuals in an SDN `sdn.csv`.
fn sdn_people(dir: &str) -> Vec<(String, String)> {
    let text = std::fs::read(format!("{dir}/sdn.csv")).unwrap();
    String::from_utf8_lossy(&text)
        .lines()
        .filter(|l| l.contains(",\"individual\","))
        .filter_map(|l| {
            let (id, rest) = l.split_once(",\"")?;
            let (name, _) = rest.split_once("\",")?;
            Some((id.trim().to_string(), name.to_string()))
        })
        .collect()
}

fn run_json(srv: &TestServer, args: &[&str]) -> Value {
    let out = srv.cli(args);
    assert!(
        out.status.success(),
        "dossier {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "dossier {args:?}: not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

async fn search(srv: &TestServer, key: &str, body: Value) -> common::Response {
    srv.post("/api/screening/search", key, &body).await
}

async fn watchlists_import_diff_and_screen(backend: Backend) {
    let mut srv = TestServer::with_env(backend, &[("DOSSIER_SCREENING__THRESHOLD", "0.72")]).await;
    srv.spawn().await;
    let key = srv.apikey(&[]);

    let spec = srv.get("/api/openapi.json", &key).await.json;
    for path in ["/api/screening/search", "/api/screening/settings"] {
        assert!(
            spec["paths"][path].is_object(),
            "{path} not in the OpenAPI document"
        );
    }

    // Nothing imported yet: the API says what to do.
    let r = search(&srv, &key, json!({"name": "Vladimir Putin"})).await;
    assert_eq!(r.status, 409, "{:?}", r.json);
    assert!(r.is_problem());
    assert!(
        r.json["detail"]
            .as_str()
            .unwrap()
            .contains("dossier watchlist import")
    );
    let out = srv.cli(&["screen", "--name", "Vladimir Putin"]);
    assert!(!out.status.success());

    // First import: everything is new.
    let v1 = run_json(
        &srv,
        &[
            "watchlist",
            "import",
            "--source",
            "ofac_sdn",
            SDN_OLD,
            "--json",
        ],
    );
    let n1 = v1["entity_count"].as_i64().unwrap();
    assert!(n1 > 10_000, "{v1}");
    assert_eq!(v1["version"], 1);
    assert_eq!(v1["added"].as_i64(), Some(n1));
    assert_eq!(v1["removed"], 0);
    assert_eq!(v1["source"], "ofac_sdn");

    // Someone listed only in the newer file is not found yet.
    let old_ids: std::collections::HashSet<String> =
        sdn_people(SDN_OLD).into_iter().map(|(id, _)| id).collect();
    let (new_id, new_name) = sdn_people(SDN_NEW)
        .into_iter()
        .find(|(id, _)| !old_ids.contains(id))
        .expect("the 2024-05-03 file lists new individuals");
    let r = search(&srv, &key, json!({"name": new_name, "type": "person"})).await;
    assert_eq!(r.status, 200, "{:?}", r.json);
    assert!(
        r.json["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["entity"]["list_id"] != new_id.as_str()),
        "{new_name} found before it was imported"
    );

    // Second import: the diff against the first, and the server's index follows.
    let v2 = run_json(
        &srv,
        &[
            "watchlist",
            "import",
            "--source",
            "ofac_sdn",
            SDN_NEW,
            "--json",
        ],
    );
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["previous_id"], v1["id"]);
    let (added, removed) = (
        v2["added"].as_i64().unwrap(),
        v2["removed"].as_i64().unwrap(),
    );
    assert!(added > 0 && removed > 0, "{v2}");
    assert_eq!(v2["entity_count"].as_i64().unwrap(), n1 + added - removed);
    let text = srv.cli(&["watchlist", "list"]);
    let listing = String::from_utf8_lossy(&text.stdout);
    assert!(
        listing.contains(&format!("+{added} -{removed}")),
        "{listing}"
    );
    let r = search(&srv, &key, json!({"name": new_name, "type": "person"})).await;
    assert_eq!(r.status, 200, "{:?}", r.json);
    assert_eq!(
        r.json["results"][0]["entity"]["list_id"], new_id,
        "{new_name}: {:?}",
        r.json
    );
    assert_eq!(r.json["snapshots"][0]["id"], v2["id"]);

    // A bad file fails, names file, line and field, and leaves the snapshot in place.
    let bad = srv.data_dir.join("bad_sdn");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(
        bad.join("sdn.csv"),
        "36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n\
         173,\"ANGLO-CARIBBEAN CO., LTD.\"\n",
    )
    .unwrap();
    let out = srv.cli(&[
        "watchlist",
        "import",
        "--source",
        "ofac_sdn",
        bad.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("sdn.csv:2") && err.contains("field"), "{err}");
    let snapshots = run_json(&srv, &["watchlist", "list", "--json"]);
    assert_eq!(snapshots.as_array().unwrap().len(), 2, "{snapshots}");
    assert_eq!(snapshots[0]["id"], v2["id"]);

    // `dossier screen` finds a reordered, German-transliterated name, and the Cyrillic one.
    for name in ["Wladimir Wladimirowitsch Putin", "Путин Владимир"] {
        let found = run_json(&srv, &["screen", "--name", name, "--json", "--limit", "3"]);
        let first = &found["results"][0];
        assert_eq!(first["entity"]["list_id"], PUTIN, "{name}: {found}");
        assert_eq!(first["matched"], true, "{name}: {found}");
        assert_eq!(found["threshold"], 0.72);
    }
    let text = srv.cli(&["screen", "--name", "Putin Vladimir", "--type", "person"]);
    assert!(text.status.success());
    assert!(String::from_utf8_lossy(&text.stdout).contains("us_ofac_sdn:35096"));

    // The API ranks it first for every workspace: the lists are global.
    let other = srv.other_workspace_key("elsewhere");
    let body = json!({"name": "Putin, Wladimir", "birth_date": "1952-10-07", "country": "Russia", "type": "person", "limit": 5});
    let mut firsts = Vec::new();
    for k in [&key, &other] {
        let r = search(&srv, k, body.clone()).await;
        assert_eq!(r.status, 200, "{:?}", r.json);
        let results = r.json["results"].as_array().unwrap();
        assert!(!results.is_empty() && results.len() <= 5);
        let first = &results[0];
        assert_eq!(first["entity"]["list_id"], PUTIN, "{:?}", r.json);
        assert_eq!(first["entity"]["list"], "us_ofac_sdn");
        assert_eq!(first["entity"]["schema"], "person");
        assert_eq!(first["entity"]["birth_dates"], json!(["1952-10-07"]));
        assert!(first["entity"]["names"].is_array());
        assert_eq!(first["matched"], true);
        let score = first["score"].as_f64().unwrap();
        assert!((0.72..=1.0).contains(&score), "{score}");
        let scores: Vec<f64> = results
            .iter()
            .map(|m| m["score"].as_f64().unwrap())
            .collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
        let features: Vec<&str> = first["explanation"]["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["feature"].as_str().unwrap())
            .collect();
        assert!(
            features.contains(&"name") && features.contains(&"birth_date"),
            "{features:?}"
        );
        firsts.push(first.clone());
    }
    assert_eq!(firsts[0], firsts[1]);

    // Each workspace may set its own threshold; the other keeps the installation's.
    let r = srv.get("/api/screening/settings", &other).await;
    assert_eq!(r.status, 200, "{:?}", r.json);
    assert_eq!(
        r.json,
        json!({"threshold": 0.72, "source": "default", "default": 0.72})
    );
    let r = srv
        .send_json(
            "PUT",
            "/api/screening/settings",
            &other,
            &json!({"threshold": 0.95}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json);
    assert_eq!(r.json["threshold"], 0.95);
    assert_eq!(r.json["source"], "workspace");
    let weak = json!({"name": "Putin, Wladimir"});
    for (k, t) in [(&other, 0.95), (&key, 0.72)] {
        let r = search(&srv, k, weak.clone()).await;
        assert_eq!(r.status, 200, "{:?}", r.json);
        assert_eq!(r.json["threshold"], t);
        for m in r.json["results"].as_array().unwrap() {
            assert_eq!(m["matched"], m["score"].as_f64().unwrap() >= t, "{m}");
        }
    }
    let found = run_json(
        &srv,
        &[
            "screen",
            "--name",
            "Putin, Wladimir",
            "--workspace",
            "elsewhere",
            "--json",
        ],
    );
    assert_eq!(found["threshold"], 0.95);
    let r = srv
        .send_json(
            "PUT",
            "/api/screening/settings",
            &other,
            &json!({"threshold": 1.5}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.error_fields(), vec!["threshold".to_string()]);
    let read_only = srv.apikey(&["--workspace", "elsewhere", "--read-only"]);
    let r = srv
        .send_json(
            "PUT",
            "/api/screening/settings",
            &read_only,
            &json!({"threshold": 0.5}),
        )
        .await;
    assert_eq!(r.status, 403);
    let r = search(&srv, &read_only, weak.clone()).await;
    assert_eq!(r.status, 200, "read-only keys may search");
    assert_eq!(r.json["threshold"], 0.95);
    let r = srv
        .send_json(
            "PUT",
            "/api/screening/settings",
            &other,
            &json!({"threshold": null}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["source"], "default");
    assert_eq!(
        srv.get("/api/screening/settings", &other).await.json["threshold"],
        0.72
    );

    // Without a key: 401. Invalid queries: 422 naming the field.
    let r = srv
        .request(
            "POST",
            "/api/screening/search",
            None,
            Some(br#"{"name":"Vladimir Putin"}"#.to_vec()),
            &[("content-type", "application/json")],
        )
        .await;
    assert_eq!(r.status, 401);
    for (body, field) in [
        (json!({"name": "  "}), "name"),
        (
            json!({"name": "Putin", "birth_date": "07/10/1952"}),
            "birth_date",
        ),
        (
            json!({"name": "Putin", "birth_date": "1952-02-30"}),
            "birth_date",
        ),
        (json!({"name": "Putin", "type": "dragon"}), "type"),
        (json!({"name": "Putin", "limit": 0}), "limit"),
        (json!({"birth_date": "1952"}), "name"),
    ] {
        let r = search(&srv, &key, body.clone()).await;
        assert_eq!(r.status, 422, "{body}: {:?}", r.json);
        assert!(r.is_problem());
        assert_eq!(r.error_fields(), vec![field.to_string()], "{body}");
    }
    let out = srv.cli(&["screen", "--name", "Putin", "--birth-date", "1952-13"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--birth-date"));
}

both_backends!(watchlists_import_diff_and_screen);
