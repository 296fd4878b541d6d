//! Webhooks, on SQLite and PostgreSQL, against a real receiver on loopback that checks every signature
//! with an independent Standard Webhooks implementation.

mod common;

use std::time::Duration;

use common::receiver::{Receiver, created};
use common::{Backend, TestServer};
use serde_json::{Value, json};

const FAST_RETRIES: &[(&str, &str)] = &[
    (
        "DOSSIER_WEBHOOKS__RETRY_SCHEDULE",
        "300ms,300ms,500ms,500ms,1s,1s,1s,1s,1s,1s",
    ),
    ("DOSSIER_WEBHOOKS__ALLOW_PRIVATE_TARGETS", "true"),
];

async fn server(backend: Backend) -> TestServer {
    let mut srv = TestServer::with_env(backend, FAST_RETRIES).await;
    srv.spawn().await;
    srv
}

fn person(n: &str) -> Value {
    json!({"type": "person", "person": {"first_name": n, "last_name": "Hook", "nationality": "FR"}})
}

async fn subscribe(srv: &TestServer, key: &str, rec: &Receiver, events: Value) -> (String, String) {
    let r = srv
        .post(
            "/api/webhooks",
            key,
            &json!({"url": rec.url, "events": events}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.json);
    let secret = r.json["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    rec.add_secret(&secret);
    (r.json["id"].as_str().unwrap().to_string(), secret)
}

async fn create(srv: &TestServer, key: &str, name: &str) -> String {
    let r = srv.post("/api/applications", key, &person(name)).await;
    assert_eq!(r.status, 201);
    r.json["id"].as_str().unwrap().to_string()
}

const WAIT: Duration = Duration::from_secs(20);

async fn events_arrive_signed_in_the_documented_envelope(backend: Backend) {
    let srv = server(backend).await;
    let key = srv.apikey(&[]);
    let rec = Receiver::start().await;
    let (hook, _) = subscribe(&srv, &key, &rec, json!(["*"])).await;
    let id = create(&srv, &key, "Ana").await;
    let got = rec
        .wait(WAIT, created(&id))
        .await
        .expect("application.created was not delivered");
    assert_eq!(
        got.verified_with,
        vec![0],
        "the signature does not verify independently"
    );
    assert!(got.user_agent.starts_with("Dossier-Webhooks/"));
    let p = &got.payload;
    assert_eq!(
        got.id,
        p["event_id"].as_str().unwrap(),
        "webhook-id is not the event id"
    );
    assert!(p["created_at"].as_str().is_some());
    assert_eq!(p["data"]["object"]["id"], id.as_str());
    assert_eq!(p["data"]["object"]["person"]["first_name"], "Ana");
    // The same envelope is what the event log shows.
    let events = srv
        .get(&format!("/api/events?application_id={id}"), &key)
        .await
        .json;
    assert_eq!(&events["data"][0], p);

    srv.patch(
        &format!("/api/applications/{id}"),
        &key,
        &json!({"tags": ["x"]}),
    )
    .await;
    let updated = rec
        .wait(WAIT, |r| {
            r.payload["type"] == "application.updated"
                && r.payload["data"]["application_id"] == id.as_str()
        })
        .await
        .expect("application.updated was not delivered");
    assert_eq!(updated.payload["data"]["object"]["tags"], json!(["x"]));

    let log = srv
        .get(&format!("/api/webhooks/{hook}/deliveries"), &key)
        .await
        .json;
    let first = log["data"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(first["status"], "delivered");
    assert_eq!(first["attempts"], 1);
    assert_eq!(first["last_status_code"], 200);
    let metrics =
        String::from_utf8(srv.request("GET", "/metrics", None, None, &[]).await.body).unwrap();
    assert!(metrics.contains("webhook_attempts_total"), "{metrics}");
}

async fn subscriptions_filter_by_event_type(backend: Backend) {
    let srv = server(backend).await;
    let key = srv.apikey(&[]);
    let rec = Receiver::start().await;
    // Zapier's REST-hook shape: target_url and a single event.
    let r = srv
        .post(
            "/api/webhooks",
            &key,
            &json!({"target_url": rec.url, "event": "application.updated"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.json);
    rec.add_secret(r.json["secret"].as_str().unwrap());
    assert_eq!(r.json["events"], json!(["application.updated"]));
    let id = create(&srv, &key, "Bea").await;
    srv.patch(
        &format!("/api/applications/{id}"),
        &key,
        &json!({"tags": ["y"]}),
    )
    .await;
    rec.wait(WAIT, |r| r.payload["type"] == "application.updated")
        .await
        .expect("no application.updated");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        rec.all()
            .iter()
            .all(|r| r.payload["type"] == "application.updated"),
        "an unsubscribed type was sent"
    );
    // Unsubscribe: nothing more arrives.
    let hook = r.json["id"].as_str().unwrap();
    assert_eq!(
        srv.request(
            "DELETE",
            &format!("/api/webhooks/{hook}"),
            Some(&key),
            None,
            &[]
        )
        .await
        .status,
        204
    );
    srv.patch(
        &format!("/api/applications/{id}"),
        &key,
        &json!({"tags": ["z"]}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(rec.all().len(), 1);
}

async fn failed_attempts_are_retried_with_the_same_id(backend: Backend) {
    let srv = server(backend).await;
    let key = srv.apikey(&[]);
    let rec = Receiver::start().await;
    let (hook, _) = subscribe(&srv, &key, &rec, json!(["application.created"])).await;
    rec.fail_next(2);
    let id = create(&srv, &key, "Retry").await;
    rec.wait(WAIT, created(&id))
        .await
        .expect("not delivered by retry");
    let tries: Vec<_> = rec.all().into_iter().filter(|r| created(&id)(r)).collect();
    assert_eq!(tries.len(), 3);
    assert!(
        tries.iter().all(|t| t.id == tries[0].id),
        "the webhook-id changed across retries"
    );
    assert!(tries.iter().all(|t| t.verified_with == vec![0]));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let log = srv
        .get(&format!("/api/webhooks/{hook}/deliveries"), &key)
        .await
        .json;
    assert_eq!(log["data"][0]["attempts"], 3);
    assert_eq!(log["data"][0]["status"], "delivered");
}

async fn an_exhausted_delivery_fails_and_can_be_replayed(backend: Backend) {
    let mut srv = TestServer::with_env(
        backend,
        &[
            ("DOSSIER_WEBHOOKS__RETRY_SCHEDULE", "200ms,200ms"),
            ("DOSSIER_WEBHOOKS__ALLOW_PRIVATE_TARGETS", "true"),
        ],
    )
    .await;
    srv.spawn().await;
    let key = srv.apikey(&[]);
    let rec = Receiver::start().await;
    let (hook, _) = subscribe(&srv, &key, &rec, json!(["*"])).await;
    rec.answer(503);
    let id = create(&srv, &key, "Down").await;
    let mut log = Value::Null;
    for _ in 0..100 {
        log = srv
            .get(&format!("/api/webhooks/{hook}/deliveries"), &key)
            .await
            .json;
        if log["data"][0]["status"] == "failed" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let delivery = &log["data"][0];
    assert_eq!(delivery["status"], "failed", "{log}");
    assert_eq!(
        delivery["attempts"], 3,
        "two retries after the first attempt"
    );
    assert_eq!(delivery["last_status_code"], 503);
    assert!(delivery["last_error"].as_str().unwrap().contains("503"));
    rec.answer(200);
    let did = delivery["id"].as_str().unwrap();
    let r = srv
        .request(
            "POST",
            &format!("/api/webhooks/{hook}/deliveries/{did}/retry"),
            Some(&key),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, 202, "{:?}", r.json);
    let got = rec
        .wait(WAIT, created(&id))
        .await
        .expect("the replay was not delivered");
    assert_eq!(got.id, delivery["event_id"].as_str().unwrap());
}

async fn nothing_is_lost_across_a_crash(backend: Backend) {
    let mut srv = server(backend).await;
    let key = srv.apikey(&[]);
    let rec = Receiver::start().await;
    subscribe(&srv, &key, &rec, json!(["application.created"])).await;
    rec.fail_next(usize::MAX / 2);
    let mut ids = Vec::new();
    for i in 0..8 {
        ids.push(create(&srv, &key, &format!("Crash{i}")).await);
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    srv.stop(true);
    rec.fail_next(0);
    srv.spawn().await;
    for id in &ids {
        let got = rec.wait(Duration::from_secs(60), created(id)).await;
        assert!(
            got.is_some(),
            "the committed event of {id} was lost across SIGKILL"
        );
    }
}

/// The deliveries of an endpoint, waiting until the event of `id` is delivered.
async fn delivered_delivery(srv: &TestServer, key: &str, hook: &str, id: &str) -> Value {
    for _ in 0..200 {
        let page = srv
            .get(&format!("/api/webhooks/{hook}/deliveries"), key)
            .await
            .json;
        let found = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["event_type"] == "application.created" && d["status"] == "delivered");
        if let Some(d) = found {
            return d.clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the event of {id} was never delivered");
}

/// A send the worker did not live to record is counted and logged: the receiver got two copies,
/// and the delivery says two attempts, the first cut short.
async fn a_send_cut_short_by_a_crash_is_counted(backend: Backend) {
    let mut env = FAST_RETRIES.to_vec();
    env.push(("DOSSIER_WEBHOOKS__LEASE_SECS", "3"));
    let mut srv = TestServer::with_env(backend, &env).await;
    srv.spawn().await;
    let key = srv.apikey(&[]);
    let rec = Receiver::start().await;
    let (hook, _) = subscribe(&srv, &key, &rec, json!(["application.created"])).await;
    rec.hold_next(1, Duration::from_secs(30));
    let id = create(&srv, &key, "Cut").await;
    for _ in 0..200 {
        if !rec.all().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(rec.all().len(), 1, "the first send never arrived");
    srv.stop(true);
    srv.spawn().await;
    let delivery = delivered_delivery(&srv, &key, &hook, &id).await;
    assert_eq!(delivery["attempts"], 2, "{delivery}");
    let sends: Vec<_> = rec.all().into_iter().filter(|r| created(&id)(r)).collect();
    assert_eq!(sends.len(), 2);
    assert_eq!(sends[0].id, sends[1].id, "a second copy keeps the event id");
    let log = srv
        .get(
            &format!(
                "/api/webhooks/{hook}/deliveries/{}/attempts",
                delivery["id"].as_str().unwrap()
            ),
            &key,
        )
        .await;
    assert_eq!(log.status, 200, "{:?}", log.json);
    let attempts = log.json["data"].as_array().unwrap();
    assert_eq!(attempts.len(), 2, "{attempts:?}");
    assert_eq!(attempts[0]["status_code"], Value::Null);
    assert!(
        attempts[0]["error"]
            .as_str()
            .unwrap()
            .contains("no outcome recorded"),
        "{attempts:?}"
    );
    assert_eq!(attempts[1]["status_code"], 200);
    assert_eq!(attempts[1]["error"], Value::Null);
    // Another workspace's key, an unknown delivery: not found.
    let other = srv.other_workspace_key("elsewhere");
    let path = format!(
        "/api/webhooks/{hook}/deliveries/{}/attempts",
        delivery["id"].as_str().unwrap()
    );
    assert_eq!(srv.get(&path, &other).await.status, 404);
    let unknown = format!("/api/webhooks/{hook}/deliveries/dlv_unknown/attempts");
    assert_eq!(srv.get(&unknown, &key).await.status, 404);
}

async fn a_410_disables_the_endpoint(backend: Backend) {
    let srv = server(backend).await;
    let key = srv.apikey(&[]);
    let rec = Receiver::start().await;
    let (hook, _) = subscribe(&srv, &key, &rec, json!(["*"])).await;
    rec.answer(410);
    create(&srv, &key, "Gone").await;
    let mut endpoint = Value::Null;
    for _ in 0..100 {
        endpoint = srv.get(&format!("/api/webhooks/{hook}"), &key).await.json;
        if endpoint["enabled"] == false {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(endpoint["enabled"], false, "{endpoint}");
    assert!(
        endpoint["disabled_reason"]
            .as_str()
            .unwrap()
            .contains("410")
    );
    let attempts = rec.all().len();
    create(&srv, &key, "After").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        rec.all().len(),
        attempts,
        "a disabled endpoint still receives"
    );
    // Re-enabling clears the reason.
    rec.answer(200);
    let r = srv
        .patch(
            &format!("/api/webhooks/{hook}"),
            &key,
            &json!({"enabled": true}),
        )
        .await;
    assert_eq!(r.json["enabled"], true);
    assert!(r.json["disabled_reason"].is_null());
}

async fn a_rotated_secret_signs_with_old_and_new(backend: Backend) {
    let srv = server(backend).await;
    let key = srv.apikey(&[]);
    let rec = Receiver::start().await;
    let (hook, _) = subscribe(&srv, &key, &rec, json!(["*"])).await;
    let r = srv
        .request(
            "POST",
            &format!("/api/webhooks/{hook}/rotate_secret"),
            Some(&key),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, 200);
    let new_secret = r.json["secret"].as_str().unwrap();
    rec.add_secret(new_secret);
    let id = create(&srv, &key, "Rotated").await;
    let got = rec.wait(WAIT, created(&id)).await.unwrap();
    assert_eq!(
        got.verified_with,
        vec![0, 1],
        "both the old and the new secret must verify"
    );
    assert!(
        srv.get(&format!("/api/webhooks/{hook}"), &key)
            .await
            .json
            .get("secret")
            .is_none(),
        "the secret leaked"
    );
}

async fn the_test_event_goes_to_one_endpoint(backend: Backend) {
    let srv = server(backend).await;
    let key = srv.apikey(&[]);
    let (a, b) = (Receiver::start().await, Receiver::start().await);
    let (hook_a, _) = subscribe(&srv, &key, &a, json!(["*"])).await;
    subscribe(&srv, &key, &b, json!(["*"])).await;
    let r = srv
        .request(
            "POST",
            &format!("/api/webhooks/{hook_a}/test"),
            Some(&key),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, 202);
    let got = a
        .wait(WAIT, |r| r.payload["type"] == "webhooks.test")
        .await
        .expect("no webhooks.test");
    assert_eq!(got.verified_with, vec![0]);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        b.all().is_empty(),
        "the test event went to another endpoint"
    );
}

async fn endpoints_are_validated_and_isolated(backend: Backend) {
    let srv = server(backend).await;
    let key = srv.apikey(&[]);
    let other = srv.other_workspace_key("other");
    let rec = Receiver::start().await;
    let (hook, _) = subscribe(&srv, &key, &rec, json!(["*"])).await;
    for bad in [
        json!({"url": "ftp://example.com/x", "events": ["*"]}),
        json!({"url": "https://example.com/x", "events": ["application.exploded"]}),
        json!({"url": "https://example.com/x", "events": []}),
        json!({"events": ["*"]}),
    ] {
        let r = srv.post("/api/webhooks", &key, &bad).await;
        assert_eq!(r.status, 422, "{bad} was accepted");
        assert!(r.is_problem());
    }
    for (method, path) in [
        ("GET", format!("/api/webhooks/{hook}")),
        ("DELETE", format!("/api/webhooks/{hook}")),
        ("POST", format!("/api/webhooks/{hook}/test")),
        ("POST", format!("/api/webhooks/{hook}/rotate_secret")),
        ("GET", format!("/api/webhooks/{hook}/deliveries")),
    ] {
        let r = srv.request(method, &path, Some(&other), None, &[]).await;
        assert_eq!(
            r.status, 404,
            "{method} {path} reached another workspace's endpoint"
        );
    }
    let r = srv
        .patch(
            &format!("/api/webhooks/{hook}"),
            &other,
            &json!({"enabled": false}),
        )
        .await;
    assert_eq!(r.status, 404);
    assert!(
        srv.get("/api/webhooks", &other).await.json["data"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Another workspace's events never reach this endpoint.
    create(&srv, &other, "Elsewhere").await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(rec.all().is_empty());
    // Nor can its deliveries be replayed from there.
    let mine = create(&srv, &key, "Mine").await;
    rec.wait(WAIT, created(&mine)).await.unwrap();
    let did = srv
        .get(&format!("/api/webhooks/{hook}/deliveries"), &key)
        .await
        .json["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = srv
        .request(
            "POST",
            &format!("/api/webhooks/{hook}/deliveries/{did}/retry"),
            Some(&other),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, 404);
}

async fn private_targets_are_refused_by_default(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let r = srv
        .post(
            "/api/webhooks",
            &key,
            &json!({"url": "http://127.0.0.1:9/hook", "events": ["*"]}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.error_fields(), vec!["url"]);
    // A name that resolves to loopback is refused when delivering, and not retried.
    let rec = Receiver::start().await;
    let port = rec
        .url
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches("/hook")
        .to_string();
    let r = srv
        .post(
            "/api/webhooks",
            &key,
            &json!({"url": format!("http://localhost:{port}/hook"), "events": ["*"]}),
        )
        .await;
    assert_eq!(r.status, 201);
    let hook = r.json["id"].as_str().unwrap();
    create(&srv, &key, "Ssrf").await;
    let mut log = Value::Null;
    for _ in 0..100 {
        log = srv
            .get(&format!("/api/webhooks/{hook}/deliveries"), &key)
            .await
            .json;
        if log["data"][0]["status"] != "pending" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(rec.all().is_empty(), "a private target was reached");
    assert!(
        log["data"][0]["last_error"]
            .as_str()
            .unwrap_or("")
            .contains("private"),
        "{log}"
    );
}

async fn a_rejected_change_sends_nothing(backend: Backend) {
    let srv = server(backend).await;
    let key = srv.apikey(&[]);
    let rec = Receiver::start().await;
    let (hook, _) = subscribe(&srv, &key, &rec, json!(["*"])).await;
    let r = srv
        .post(
            "/api/applications",
            &key,
            &json!({"type": "person", "person": {"last_name": "X", "nationality": "XX"}}),
        )
        .await;
    assert_eq!(r.status, 422);
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(rec.all().is_empty());
    assert!(
        srv.get(&format!("/api/webhooks/{hook}/deliveries"), &key)
            .await
            .json["data"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

both_backends!(
    events_arrive_signed_in_the_documented_envelope,
    subscriptions_filter_by_event_type,
    failed_attempts_are_retried_with_the_same_id,
    an_exhausted_delivery_fails_and_can_be_replayed,
    nothing_is_lost_across_a_crash,
    a_send_cut_short_by_a_crash_is_counted,
    a_410_disables_the_endpoint,
    a_rotated_secret_signs_with_old_and_new,
    the_test_event_goes_to_one_endpoint,
    endpoints_are_validated_and_isolated,
    private_targets_are_refused_by_default,
    a_rejected_change_sends_nothing,
);

/// Two `dossier serve` processes on one PostgreSQL database share the queue: every event is delivered,
/// and no delivery is sent by both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_share_the_postgres_queue_without_double_sends() {
    let mut a = TestServer::with_env(Backend::Postgres, FAST_RETRIES).await;
    a.spawn().await;
    let key = a.apikey(&[]);
    let rec = Receiver::start().await;
    subscribe(&a, &key, &rec, json!(["application.created"])).await;
    // The second process: same database, its own port.
    let mut b = TestServer::with_env(Backend::Postgres, FAST_RETRIES).await;
    b.database_url = a.database_url.clone();
    b.spawn().await;
    let mut ids = Vec::new();
    for i in 0..30 {
        let srv = if i % 2 == 0 { &a } else { &b };
        ids.push(create(srv, &key, &format!("Twin{i}")).await);
    }
    for id in &ids {
        assert!(
            rec.wait(WAIT, created(id)).await.is_some(),
            "{id} was not delivered"
        );
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    for id in &ids {
        let n = rec.all().iter().filter(|r| created(id)(r)).count();
        assert_eq!(n, 1, "{id} was sent {n} times");
    }
}

/// A receiver slower than the lease keeps its one copy: the worker renews its lease while the
/// attempt is in flight, so the other process never claims the delivery meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_receiver_gets_one_copy_from_two_processes() {
    let mut env = FAST_RETRIES.to_vec();
    env.push(("DOSSIER_WEBHOOKS__LEASE_SECS", "3"));
    env.push(("DOSSIER_WEBHOOKS__TIMEOUT_SECS", "30"));
    let mut a = TestServer::with_env(Backend::Postgres, &env).await;
    a.spawn().await;
    let key = a.apikey(&[]);
    let rec = Receiver::start().await;
    let (hook, _) = subscribe(&a, &key, &rec, json!(["application.created"])).await;
    let mut b = a.another_node();
    b.spawn().await;
    // Held for three leases' length.
    rec.hold_next(1, Duration::from_secs(9));
    let id = create(&a, &key, "Slow").await;
    let delivery = delivered_delivery(&a, &key, &hook, &id).await;
    let sends = rec.all().into_iter().filter(|r| created(&id)(r)).count();
    assert_eq!(sends, 1, "a slow receiver got {sends} copies");
    assert_eq!(delivery["attempts"], 1, "{delivery}");
}
