//! The `screening` task over HTTP, on SQLite and PostgreSQL, with a real list (the OpenSanctions EU
//! FSF sample in FollowTheMoney form, 7 entities): no fake clear before any import, the worker's
//! hits with explanation and snapshot, reviews (false → clear, true → alert, risk floor and the
//! policy's automatic rejection), the error paths, and ongoing monitoring — a modified list
//! re-screens the active cases, raises new hits with `screening.hit` and `application.status_updated`,
//! and remembers false positives until the entity's record changes.

mod common;

use std::time::Duration;

use common::{Backend, FTM_SAMPLE, TestServer};
use serde_json::{Value, json};

/// `Vitaly Yurievich KUZMENKO`, born 1971-01-22, Russian, in the sample.
const KUZMENKO: &str = "NK-2Ka3UvopqbpZmVDFjWd4LA";

fn task(app: &Value) -> &Value {
    app["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == "screening")
        .unwrap_or_else(|| panic!("no screening task in {}", app["tasks"]))
}

async fn case(srv: &TestServer, key: &str, id: &str) -> Value {
    let r = srv.get(&format!("/api/applications/{id}"), key).await;
    assert_eq!(r.status, 200, "{:?}", r.json);
    r.json
}

async fn hits(srv: &TestServer, key: &str, id: &str, filter: &str) -> Vec<Value> {
    let r = srv
        .get(
            &format!("/api/applications/{id}/screening/hits{filter}"),
            key,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json);
    assert!(r.json["next_cursor"].is_null());
    r.json["data"].as_array().unwrap().clone()
}

async fn review(srv: &TestServer, key: &str, id: &str, hit: &str, body: Value) -> common::Response {
    srv.post(
        &format!("/api/applications/{id}/screening/hits/{hit}/review"),
        key,
        &body,
    )
    .await
}

fn hit_of<'a>(hits: &'a [Value], party: &str) -> &'a Value {
    hits.iter()
        .find(|h| h["party_id"] == party)
        .unwrap_or_else(|| panic!("no hit for {party}: {hits:?}"))
}

fn person(first: &str, last: &str, birth: &str, nationality: &str) -> Value {
    json!({"type": "person", "person": {"first_name": first, "last_name": last,
           "birth_date": birth, "nationality": nationality}})
}

async fn create(srv: &TestServer, key: &str, body: &Value) -> String {
    let r = srv.post("/api/applications", key, body).await;
    assert_eq!(r.status, 201, "{:?}", r.json);
    r.json["id"].as_str().unwrap().to_string()
}

async fn screening_loop_hits_reviews_and_policy(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let spec = srv.get("/api/openapi.json", &key).await.json;
    for path in [
        "/api/applications/{id}/screening/hits",
        "/api/applications/{id}/screening/hits/{hit_id}/review",
    ] {
        assert!(spec["paths"][path].is_object(), "{path} not in the spec");
    }

    // A company with a listed director and a listed UBO, spelled the way a form would.
    let company = json!({"type": "business",
        "business": {"name": "Northwind Trading SARL", "country": "FR"},
        "relationships": [
            {"kind": "person", "roles": ["director"],
             "person": {"first_name": "Vitaly", "last_name": "Kuzmenko", "birth_date": "1971-01-22",
                        "nationality": "RU"}},
            {"kind": "business", "roles": ["shareholder"], "ownership_percentage": 100,
             "business": {"name": "Northwind Holding BV", "country": "NL"},
             "relationships": [
                {"kind": "person", "roles": ["ubo"], "ownership_percentage": 100,
                 "person": {"first_name": "Tatiana", "last_name": "Zhuravleva",
                            "birth_date": "1967-12-19"}}]},
            {"kind": "person", "roles": ["signatory"],
             "person": {"first_name": "Claire", "last_name": "Martin", "nationality": "FR"}}]});
    let id = create(&srv, &key, &company).await;

    // No watchlist yet: the task stays pending and says why; never a fake clear.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let app = case(&srv, &key, &id).await;
    assert_eq!(task(&app)["result"], "pending", "{}", task(&app));
    assert!(
        task(&app)["summary"]
            .as_str()
            .unwrap()
            .contains("watchlist"),
        "{}",
        task(&app)
    );
    assert_ne!(app["status_execution"], "done");
    assert!(hits(&srv, &key, &id, "").await.is_empty());

    let imported = srv.import_watchlist("ftm", FTM_SAMPLE);
    assert_eq!(imported["version"], 1);
    let app = srv.screened(&key, &id).await;
    let t = task(&app);
    assert_eq!(t["result"], "needs_action", "{t}");
    assert_eq!(app["status_execution"], "waiting_for_user_input");
    assert_eq!(t["evidence"]["screened"]["parties"], 5, "{t}");
    assert_eq!(
        t["evidence"]["screened"]["snapshots"][0]["id"],
        imported["id"]
    );
    let rels = app["relationships"].as_array().unwrap();
    let director = rels[0]["id"].as_str().unwrap();
    let ubo = rels[1]["relationships"][0]["id"].as_str().unwrap();
    let found = hits(&srv, &key, &id, "").await;
    assert_eq!(found.len(), 2, "{found:#?}");
    let kuzmenko = hit_of(&found, director);
    assert_eq!(kuzmenko["entity"]["list_id"], KUZMENKO);
    assert_eq!(kuzmenko["entity"]["schema"], "person");
    assert_eq!(kuzmenko["entity"]["birth_dates"], json!(["1971-01-22"]));
    assert_eq!(
        kuzmenko["entity"]["content_hash"].as_str().unwrap().len(),
        64
    );
    assert!(kuzmenko["entity"]["names"].as_array().unwrap().len() > 1);
    assert_eq!(kuzmenko["status"], "unreviewed");
    assert_eq!(kuzmenko["snapshot_id"], imported["id"]);
    assert_eq!(kuzmenko["snapshot_version"], 1);
    assert!(kuzmenko["score"].as_f64().unwrap() >= 0.7);
    assert!(
        kuzmenko["explanation"]["matched_name"].is_string(),
        "{kuzmenko}"
    );
    assert!(kuzmenko["explanation"]["features"].is_array(), "{kuzmenko}");
    let zhuravleva = hit_of(&found, ubo);
    assert_eq!(zhuravleva["party_name"], "Tatiana Zhuravleva");
    let (kuzmenko_id, zhuravleva_id) = (
        kuzmenko["id"].as_str().unwrap().to_string(),
        zhuravleva["id"].as_str().unwrap().to_string(),
    );
    assert_eq!(srv.events(&key, "screening.hit", &id).await.len(), 2);

    // Error paths.
    let ok = json!({"status": "false_positive", "comment": "born elsewhere"});
    let r = review(&srv, &key, &id, "hit_unknown", ok.clone()).await;
    assert_eq!(r.status, 404, "{:?}", r.json);
    assert!(r.is_problem());
    let r = review(&srv, &key, "app_unknown", &kuzmenko_id, ok.clone()).await;
    assert_eq!(r.status, 404);
    let other = srv.other_workspace_key("elsewhere");
    let r = review(&srv, &other, &id, &kuzmenko_id, ok.clone()).await;
    assert_eq!(r.status, 404, "another workspace's case is not found");
    let r = srv
        .get(&format!("/api/applications/{id}/screening/hits"), &other)
        .await;
    assert_eq!(r.status, 404);
    let r = review(
        &srv,
        &key,
        &id,
        &kuzmenko_id,
        json!({"status": "maybe", "comment": "x"}),
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.is_problem());
    assert_eq!(r.error_fields(), vec!["status"]);
    let r = review(
        &srv,
        &key,
        &id,
        &kuzmenko_id,
        json!({"status": "true_positive"}),
    )
    .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.error_fields(), vec!["comment"]);
    let r = review(
        &srv,
        &key,
        &id,
        &kuzmenko_id,
        json!({"status": "true_positive", "comment": " "}),
    )
    .await;
    assert_eq!(r.error_fields(), vec!["comment"]);
    let read_only = srv.apikey(&["--read-only"]);
    let r = review(&srv, &read_only, &id, &kuzmenko_id, ok.clone()).await;
    assert_eq!(r.status, 403);
    assert!(r.is_problem());
    assert_eq!(
        hits(&srv, &read_only, &id, "?status=unreviewed")
            .await
            .len(),
        2
    );
    let r = srv
        .get(
            &format!("/api/applications/{id}/screening/hits?status=nope"),
            &key,
        )
        .await;
    assert_eq!(r.status, 422);

    let r = srv
        .post(
            &format!("/api/applications/{id}/tasks/screening/clear"),
            &key,
            &json!({"comment": "looks fine"}),
        )
        .await;
    assert_eq!(r.status, 409, "hits are reviewed one by one: {:?}", r.json);

    // One false positive: still one to review.
    let r = review(&srv, &key, &id, &kuzmenko_id, ok.clone()).await;
    assert_eq!(r.status, 200, "{:?}", r.json);
    assert_eq!(task(&r.json)["result"], "needs_action");
    let reviewed = hits(&srv, &key, &id, "?status=false_positive").await;
    assert_eq!(reviewed.len(), 1);
    assert_eq!(reviewed[0]["review"]["comment"], "born elsewhere");
    assert!(
        reviewed[0]["review"]["by"]
            .as_str()
            .unwrap()
            .starts_with("key_")
    );
    let score_before = r.json["risk_score"].as_f64().unwrap();

    // A true positive: alert, sanctions signal, risk floor high, the policy rejects the case.
    let r = review(
        &srv,
        &key,
        &id,
        &zhuravleva_id,
        json!({"status": "true_positive", "comment": "same person, same birth date"}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.json);
    let app = r.json;
    let t = task(&app);
    assert_eq!(t["result"], "alert", "{t}");
    assert_eq!(t["signals"], json!(["sanctions_confirmed"]));
    assert_eq!(app["risk_level"], "high", "{}", app["risk"]);
    assert!(app["risk_score"].as_f64().unwrap() >= score_before + 100.0);
    assert!(
        app["risk"]["explanation"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| {
                r["rule_id"] == "sanctions_confirmed"
                    && r["outcome"] == "fired"
                    && r["contribution"] == 100
                    && r["floor"] == "high"
            }),
        "{}",
        app["risk"]
    );
    assert_eq!(app["status_review"], "rejected");
    assert_eq!(app["decision"]["reason"], "Confirmed sanctions match");
    assert!(
        !srv.events(&key, "application.review_updated", &id)
            .await
            .is_empty()
    );
    assert!(
        !srv.events(&key, "application.risk_updated", &id)
            .await
            .is_empty()
    );
    let activity = srv
        .get(&format!("/api/applications/{id}/activity"), &key)
        .await
        .json;
    let reviews: Vec<&Value> = activity["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "screening_hit.reviewed")
        .collect();
    assert_eq!(reviews.len(), 2, "{activity}");
    assert_eq!(reviews[0]["actor"]["kind"], "api_key");
    assert!(
        activity["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "screening.completed" && e["actor"]["kind"] == "system")
    );

    // A person case whose only hit is a false positive ends clear; a clean one is clear at once,
    // with the screened snapshot as evidence.
    let listed = create(
        &srv,
        &key,
        &person("Tatyana", "Zhuravleva", "1967-12-19", "UA"),
    )
    .await;
    let clean = create(&srv, &key, &person("Claire", "Martin", "1980-05-17", "FR")).await;
    let app = srv.screened(&key, &listed).await;
    assert_eq!(task(&app)["result"], "needs_action");
    let only = hits(&srv, &key, &listed, "").await;
    assert_eq!(only.len(), 1);
    let r = review(
        &srv,
        &key,
        &listed,
        only[0]["id"].as_str().unwrap(),
        json!({"status": "false_positive", "comment": "our client is another person"}),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(task(&r.json)["result"], "clear", "{}", task(&r.json));
    assert!(task(&r.json)["signals"].as_array().unwrap().is_empty());
    let app = srv.screened(&key, &clean).await;
    assert_eq!(task(&app)["result"], "clear");
    assert_eq!(
        task(&app)["evidence"]["screened"]["snapshots"][0]["version"],
        1
    );
    assert!(hits(&srv, &key, &clean, "").await.is_empty());

    // Changing a party's name re-screens the case in full; the reviewed hit stays as history.
    let app = srv.screened(&key, &listed).await;
    let r = srv
        .patch(
            &format!("/api/applications/{listed}"),
            &key,
            &json!({"person": {"last_name": "Smith"}}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(task(&r.json)["stale"], true, "{}", task(&r.json));
    let again = srv.screened(&key, &listed).await;
    assert_ne!(
        task(&again)["result_fingerprint"],
        task(&app)["result_fingerprint"]
    );
    assert_eq!(task(&again)["result"], "clear");
    assert_eq!(
        hits(&srv, &key, &listed, "?status=false_positive")
            .await
            .len(),
        1
    );
}

/// The sample as JSON lines, to write modified copies.
fn sample() -> Vec<Value> {
    std::fs::read_to_string(FTM_SAMPLE)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn write_list(srv: &TestServer, name: &str, entities: &[Value]) -> String {
    let path = srv.data_dir.join(name);
    let text: Vec<String> = entities.iter().map(Value::to_string).collect();
    std::fs::write(&path, text.join("\n") + "\n").unwrap();
    path.display().to_string()
}

async fn monitoring_after_list_updates(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let v1 = srv.import_watchlist("ftm", FTM_SAMPLE);
    let listed = create(
        &srv,
        &key,
        &person("Vitaly", "Kuzmenko", "1971-01-22", "RU"),
    )
    .await;
    // A client approved after a clean screening (a template with the screening task only, so the
    // case can be done and decided without documents).
    let monitored = json!({"name": "monitored", "version": 1, "applies_to": "person",
        "description": "Screening only",
        "tasks": [{"key": "screening", "kind": "screening", "name": "Sanctions and PEP screening"}],
        "risk": {"rules": []}});
    let r = srv
        .send_json("PUT", "/api/templates/monitored", &key, &monitored)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json);
    let mut body = person("Ivan", "Petrovsky", "1975-03-14", "BG");
    body["template"] = json!("monitored");
    let clean = create(&srv, &key, &body).await;
    // A confirmed match: the policy rejects the case, which leaves monitoring.
    let rejected = create(
        &srv,
        &key,
        &person("Tatyana", "Zhuravleva", "1967-12-19", "UA"),
    )
    .await;
    srv.screened(&key, &listed).await;
    srv.screened(&key, &rejected).await;
    let confirmed = hits(&srv, &key, &rejected, "").await;
    let r = review(
        &srv,
        &key,
        &rejected,
        confirmed[0]["id"].as_str().unwrap(),
        json!({"status": "true_positive", "comment": "same person"}),
    )
    .await;
    assert_eq!(r.json["status_review"], "rejected", "{:?}", r.json);
    let found = hits(&srv, &key, &listed, "").await;
    assert_eq!(found.len(), 1, "{found:?}");
    let first_hash = found[0]["entity"]["content_hash"].clone();
    let r = review(
        &srv,
        &key,
        &listed,
        found[0]["id"].as_str().unwrap(),
        json!({"status": "false_positive", "comment": "different tax number"}),
    )
    .await;
    assert_eq!(task(&r.json)["result"], "clear");
    let app = srv.screened(&key, &clean).await;
    assert_eq!(task(&app)["result"], "clear");
    assert_eq!(app["status_execution"], "done");
    let r = srv
        .post(
            &format!("/api/applications/{clean}/decision"),
            &key,
            &json!({"status_review": "approved", "reason": "no hits"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json);
    let status_events = srv
        .events(&key, "application.status_updated", &clean)
        .await
        .len();

    // v2: a new listing matching the clean client; Kuzmenko unchanged.
    let mut entities = sample();
    let mut added = entities
        .iter()
        .find(|e| e["id"] == KUZMENKO)
        .unwrap()
        .clone();
    added["id"] = json!("NK-test-petrovsky");
    added["caption"] = json!("Ivan PETROVSKY");
    added["properties"] = json!({"name": ["Ivan PETROVSKY"], "firstName": ["Ivan"],
        "lastName": ["PETROVSKY"], "birthDate": ["1975-03-14"], "nationality": ["bg"],
        "topics": ["sanction"]});
    entities.push(added);
    let v2 = srv.import_watchlist("ftm", &write_list(&srv, "v2.ftm.json", &entities));
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["added"], 1);
    assert_eq!(v2["changed"], 0);
    assert_eq!(v2["rescreen"]["entities"], 1);
    assert_eq!(v2["rescreen"]["hits_raised"], 1, "{v2}");
    assert_eq!(v2["rescreen"]["cases_updated"], 1, "{v2}");

    let app = case(&srv, &key, &clean).await;
    assert_eq!(task(&app)["result"], "needs_action", "{}", task(&app));
    assert_eq!(app["status_execution"], "waiting_for_user_input");
    assert_eq!(app["status_review"], "approved");
    let new = hits(&srv, &key, &clean, "").await;
    assert_eq!(new.len(), 1);
    assert_eq!(new[0]["entity"]["list_id"], "NK-test-petrovsky");
    assert_eq!(new[0]["snapshot_version"], 2);
    assert_eq!(new[0]["snapshot_id"], v2["id"]);
    let hit_events = srv.events(&key, "screening.hit", &clean).await;
    assert_eq!(hit_events.len(), 1);
    assert_eq!(hit_events[0]["data"]["object"]["id"], new[0]["id"]);
    assert_eq!(hit_events[0]["data"]["application_id"], clean.as_str());
    assert_eq!(
        srv.events(&key, "application.status_updated", &clean)
            .await
            .len(),
        status_events + 1
    );
    let snapshots: Vec<Value> = task(&app)["evidence"]["screened"]["snapshots"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        snapshots,
        vec![json!({"id": v2["id"], "source": "ftm", "version": 2})]
    );
    // The remembered false positive is not raised again: the entity did not change.
    let app = case(&srv, &key, &listed).await;
    assert_eq!(task(&app)["result"], "clear", "{}", task(&app));
    assert_eq!(hits(&srv, &key, &listed, "").await.len(), 1);
    assert!(srv.events(&key, "screening.hit", &listed).await.len() == 1);

    // v3: Kuzmenko's and Zhuravleva's records change (new aliases): the false positive is raised
    // again, the rejected case is left alone; the Petrovsky listing is removed, so its unreviewed
    // hit is withdrawn.
    let mut entities = sample();
    for e in &mut entities {
        if e["id"] == KUZMENKO {
            e["properties"]["alias"] = json!(["Vitalii Kuzmenko"]);
        }
        if e["caption"] == "Tatiana Vladimirovna ZJURAVLEVA" {
            e["properties"]["alias"] = json!(["Tatjana Zhuravleva"]);
        }
    }
    let v3 = srv.import_watchlist("ftm", &write_list(&srv, "v3.ftm.json", &entities));
    assert_eq!(v3["changed"], 2);
    assert_eq!(v3["removed"], 1);
    let app = case(&srv, &key, &listed).await;
    assert_eq!(task(&app)["result"], "needs_action", "{}", task(&app));
    let all = hits(&srv, &key, &listed, "").await;
    assert_eq!(all.len(), 2, "{all:#?}");
    let raised = &all[0];
    assert_eq!(raised["status"], "unreviewed");
    assert_ne!(raised["entity"]["content_hash"], first_hash);
    assert_eq!(raised["snapshot_version"], 3);
    assert_eq!(all[1]["status"], "false_positive");
    assert_eq!(srv.events(&key, "screening.hit", &listed).await.len(), 2);
    let app = case(&srv, &key, &clean).await;
    assert_eq!(hits(&srv, &key, &clean, "?status=withdrawn").await.len(), 1);
    assert_eq!(task(&app)["result"], "clear", "{}", task(&app));
    assert_eq!(v1["version"], 1);
    // A rejected case is not monitored.
    let kept = hits(&srv, &key, &rejected, "").await;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0]["status"], "true_positive");
    assert_eq!(srv.events(&key, "screening.hit", &rejected).await.len(), 1);

    // The worker can also be run once from the CLI (nothing queued now).
    let out = srv.cli(&["screening", "run"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

both_backends!(
    screening_loop_hits_reviews_and_policy,
    monitoring_after_list_updates
);
