//! The foundation's HTTP contract, on SQLite and PostgreSQL: cases, related parties, custom fields,
//! keys and workspaces, errors, idempotency, paging, events, activity and the audit chain.

mod common;

use common::{Backend, TestServer};
use serde_json::{Value, json};

fn company() -> Value {
    json!({
        "type": "business",
        "business": {"name": "Acme Logistics SAS", "registration_number": "552100554", "country": "FR",
                     "legal_form": "SAS", "incorporation_date": "2015-03-02",
                     "address": {"line1": "10 rue de la Paix", "city": "Paris", "postal_code": "75002", "country": "FR"}},
        "relationships": [
            {"kind": "person", "roles": ["director", "signatory"],
             "person": {"first_name": "Claire", "last_name": "Martin", "birth_date": "1980-05-17", "nationality": "FR"}},
            {"kind": "business", "roles": ["shareholder"], "ownership_percentage": 100,
             "business": {"name": "Acme Holding BV", "country": "NL"},
             "relationships": [
                {"kind": "person", "roles": ["ubo"], "ownership_percentage": 60,
                 "person": {"first_name": "Jan", "last_name": "de Vries", "nationality": "NL"}}]}
        ],
        "external_id": "crm-0001",
        "tags": ["partner-x"]
    })
}

fn person(first: &str) -> Value {
    json!({"type": "person", "person": {"first_name": first, "last_name": "Lopez", "birth_date": "1990-02-03", "nationality": "ES"}})
}

async fn count(srv: &TestServer, key: &str, path: &str) -> usize {
    let r = srv.get(&format!("{path}?limit=100"), key).await;
    assert_eq!(
        r.status,
        200,
        "{path}: {}",
        String::from_utf8_lossy(&r.body)
    );
    r.json["data"].as_array().unwrap().len()
}

async fn a_case_round_trips_with_ids_statuses_and_custom_fields(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let r = srv
        .post(
            "/api/custom_fields",
            &key,
            &json!({"api_name": "account_id", "label": "Account", "type": "text"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.json);
    let mut body = company();
    body["custom_fields"] = json!({"account_id": "acc_42"});
    let created = srv.post("/api/applications", &key, &body).await;
    assert_eq!(created.status, 201, "{:?}", created.json);
    let id = created.json["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("app_"));
    let got = srv.get(&format!("/api/applications/{id}"), &key).await;
    assert_eq!(got.status, 200);
    let app = &got.json;
    assert_eq!(app["business"]["name"], "Acme Logistics SAS");
    assert_eq!(app["business"]["address"]["postal_code"], "75002");
    assert_eq!(app["custom_fields"]["account_id"], "acc_42");
    assert_eq!(app["status_review"], "pending");
    assert_eq!(app["external_id"], "crm-0001");
    assert_eq!(app["tags"], json!(["partner-x"]));
    assert_eq!(app["template"], "kyb_standard");
    for k in [
        "risk_score",
        "risk_level",
        "status_execution",
        "created_at",
        "updated_at",
        "submitted_at",
        "decided_at",
    ] {
        assert!(app.get(k).is_some(), "no {k}");
    }
    let holding = &app["relationships"][1];
    assert!(holding["id"].as_str().unwrap().starts_with("rel_"));
    assert!(
        holding["relationships"][0]["id"]
            .as_str()
            .unwrap()
            .starts_with("rel_")
    );
    assert_eq!(
        holding["relationships"][0]["person"]["last_name"],
        "de Vries"
    );
    assert!(got.headers.get("x-request-id").is_some());
}

async fn keys_are_required_and_read_only_keys_cannot_write(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let ro = srv.apikey(&["--read-only"]);
    let none = srv
        .request("GET", "/api/applications", None, None, &[])
        .await;
    assert_eq!(none.status, 401);
    assert!(none.is_problem());
    let bad = srv.get("/api/applications", "dsk_not_a_real_key").await;
    assert_eq!(bad.status, 401);
    let denied = srv.post("/api/applications", &ro, &person("Ana")).await;
    assert_eq!(denied.status, 403);
    assert!(denied.is_problem());
    assert_eq!(srv.get("/api/applications", &ro).await.status, 200);
    assert_eq!(
        count(&srv, &key, "/api/applications").await,
        0,
        "a refused write left a case behind"
    );

    // A revoked key stops working at once.
    let list = srv.cli(&["apikey", "list"]);
    let listing = String::from_utf8(list.stdout).unwrap();
    let ro_id = listing
        .lines()
        .find(|l| l.contains("read_only"))
        .and_then(|l| l.split('\t').next())
        .unwrap()
        .to_string();
    assert!(!listing.contains(&ro), "the list shows a secret");
    let out = srv.cli(&["apikey", "revoke", &ro_id]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(srv.get("/api/applications", &ro).await.status, 401);
    assert!(
        !srv.cli(&["apikey", "revoke", &ro_id]).status.success(),
        "revoking twice succeeded"
    );
}

async fn nothing_crosses_workspaces(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let other = srv.other_workspace_key("other");
    let app = srv.post("/api/applications", &key, &company()).await.json;
    let id = app["id"].as_str().unwrap();
    let rid = app["relationships"][0]["id"].as_str().unwrap();
    let cf = srv
        .post(
            "/api/custom_fields",
            &key,
            &json!({"api_name": "segment", "label": "Segment", "type": "text"}),
        )
        .await
        .json;

    for path in [
        format!("/api/applications/{id}"),
        format!("/api/applications/{id}/activity"),
        format!("/api/custom_fields/{}", cf["id"].as_str().unwrap()),
    ] {
        let r = srv.get(&path, &other).await;
        assert_eq!(r.status, 404, "{path} leaked to another workspace");
        assert!(r.is_problem());
    }
    let r = srv
        .patch(
            &format!("/api/applications/{id}"),
            &other,
            &json!({"tags": ["x"]}),
        )
        .await;
    assert_eq!(r.status, 404);
    let r = srv
        .patch(
            &format!("/api/applications/{id}/relationships/{rid}"),
            &other,
            &json!({"roles": ["ubo"]}),
        )
        .await;
    assert_eq!(r.status, 404);
    let r = srv
        .request(
            "DELETE",
            &format!("/api/applications/{id}/relationships/{rid}"),
            Some(&other),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(count(&srv, &other, "/api/applications").await, 0);
    assert_eq!(count(&srv, &other, "/api/events").await, 0);
    assert_eq!(count(&srv, &other, "/api/custom_fields").await, 0);
    // The other workspace's custom field namespace is its own: the same api_name is free there, but the
    // first workspace's definition does not validate values there.
    let r = srv
        .post("/api/applications", &other, &json!({"type": "person", "person": {"last_name": "X"}, "custom_fields": {"segment": "a"}}))
        .await;
    assert_eq!(r.status, 422);
    // And the case is untouched.
    let after = srv.get(&format!("/api/applications/{id}"), &key).await.json;
    assert_eq!(after, app);
}

async fn bad_input_gets_a_clear_error_and_changes_nothing(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let r = srv
        .request(
            "POST",
            "/api/applications",
            Some(&key),
            Some(b"{\"type\": \"business\",".to_vec()),
            &[("content-type", "application/json")],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.is_problem());
    let r = srv
        .request(
            "POST",
            "/api/applications",
            Some(&key),
            Some(b"type=business".to_vec()),
            &[("content-type", "text/plain")],
        )
        .await;
    assert_eq!(r.status, 415);

    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"type": "company", "business": {"name": "X"}}),
            "type",
        ),
        (
            json!({"type": "business", "business": {"name": 12}}),
            "business.name",
        ),
        (
            json!({"type": "business", "business": {"name": "X", "colour": "red"}}),
            "business.colour",
        ),
        (
            json!({"type": "business", "business": {"name": "X", "country": "XX"}}),
            "business.country",
        ),
        (
            json!({"type": "business", "business": {"name": "X", "incorporation_date": "2015-02-30"}}),
            "business.incorporation_date",
        ),
        (
            json!({"type": "person", "person": {"last_name": "X", "email": "not-an-email"}}),
            "person.email",
        ),
        (
            json!({"type": "person", "person": {"last_name": "X"}, "custom_fields": {"nope": 1}}),
            "custom_fields.nope",
        ),
        (
            json!({"type": "business", "business": {"name": "X"}, "relationships": [
            {"kind": "person", "roles": ["ubo"], "ownership_percentage": 101, "person": {"last_name": "A"}}]}),
            "relationships[0].ownership_percentage",
        ),
        (
            json!({"type": "business", "business": {"name": "X"}, "relationships": [
            {"kind": "person", "roles": ["signatory"], "person": {"last_name": "A"}},
            {"kind": "person", "roles": ["signatory"], "person": {"last_name": "B"}}]}),
            "relationships[1].roles",
        ),
        (
            json!({"type": "business", "business": {"name": "X"}, "relationships": [
            {"kind": "person", "roles": ["ubo"], "ownership_percentage": 60, "person": {"last_name": "A"}},
            {"kind": "person", "roles": ["ubo"], "ownership_percentage": 50, "person": {"last_name": "B"}}]}),
            "relationships",
        ),
    ];
    for (body, field) in cases {
        let r = srv.post("/api/applications", &key, &body).await;
        assert_eq!(r.status, 422, "{body} gave {}", r.status);
        assert!(r.is_problem());
        let fields = r.error_fields();
        assert!(
            fields.iter().any(|f| f == field),
            "{body}: errors {fields:?} do not name {field}"
        );
    }
    // Several problems at once are all named.
    let r = srv
        .post("/api/applications", &key, &json!({"type": "person", "person": {"last_name": "X", "nationality": "ZZ", "birth_date": "yesterday"}}))
        .await;
    assert_eq!(
        r.error_fields(),
        vec!["person.birth_date", "person.nationality"]
    );

    let big = json!({"type": "person", "person": {"last_name": "X"}, "external_id": "x".repeat(2 * 1024 * 1024)});
    let r = srv.post("/api/applications", &key, &big).await;
    assert_eq!(r.status, 413);
    assert!(r.is_problem());

    assert_eq!(
        srv.get("/api/applications/app_unknown", &key).await.status,
        404
    );
    assert_eq!(srv.get("/api/applications?limit=0", &key).await.status, 422);
    assert_eq!(
        srv.get("/api/applications?created_after=yesterday", &key)
            .await
            .status,
        422
    );
    assert_eq!(
        count(&srv, &key, "/api/applications").await,
        0,
        "a rejected request created a case"
    );
    assert_eq!(
        count(&srv, &key, "/api/events").await,
        0,
        "a rejected request emitted an event"
    );

    // A rejected patch leaves the case as it was.
    let app = srv
        .post("/api/applications", &key, &person("Ana"))
        .await
        .json;
    let id = app["id"].as_str().unwrap();
    let r = srv
        .patch(
            &format!("/api/applications/{id}"),
            &key,
            &json!({"person": {"nationality": "XX"}, "tags": ["t"]}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        srv.get(&format!("/api/applications/{id}"), &key).await.json,
        app
    );
    let r = srv
        .patch(
            &format!("/api/applications/{id}"),
            &key,
            &json!({"business": {"name": "X"}}),
        )
        .await;
    assert_eq!(r.status, 422);
}

async fn an_idempotency_key_replays_the_first_answer(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let body = serde_json::to_vec(&person("Ana")).unwrap();
    let headers = [
        ("content-type", "application/json"),
        ("idempotency-key", "idem-1"),
    ];
    let first = srv
        .request(
            "POST",
            "/api/applications",
            Some(&key),
            Some(body.clone()),
            &headers,
        )
        .await;
    let again = srv
        .request(
            "POST",
            "/api/applications",
            Some(&key),
            Some(body),
            &headers,
        )
        .await;
    assert_eq!(first.status, 201);
    assert_eq!(again.status, 201);
    assert_eq!(first.json, again.json);
    assert_eq!(count(&srv, &key, "/api/applications").await, 1);
    let other = serde_json::to_vec(&person("Bea")).unwrap();
    let r = srv
        .request(
            "POST",
            "/api/applications",
            Some(&key),
            Some(other),
            &headers,
        )
        .await;
    assert_eq!(r.status, 409);
    assert!(r.is_problem());
    assert_eq!(count(&srv, &key, "/api/applications").await, 1);
    // Keys are per workspace: the same key elsewhere creates there.
    let other_ws = srv.other_workspace_key("other");
    let body = serde_json::to_vec(&person("Ana")).unwrap();
    let r = srv
        .request(
            "POST",
            "/api/applications",
            Some(&other_ws),
            Some(body),
            &headers,
        )
        .await;
    assert_eq!(r.status, 201);
    assert_ne!(r.json["id"], first.json["id"]);
}

async fn lists_are_newest_first_filtered_and_paged(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let mut ids = Vec::new();
    for i in 0..5 {
        let mut body = person(&format!("P{i}"));
        body["external_id"] = json!(format!("crm-{i}"));
        ids.push(
            srv.post("/api/applications", &key, &body).await.json["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let company_id = srv.post("/api/applications", &key, &company()).await.json["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/applications?type=person&limit=2&cursor={c}"),
            None => "/api/applications?type=person&limit=2".to_string(),
        };
        let page = srv.get(&path, &key).await.json;
        for a in page["data"].as_array().unwrap() {
            seen.push(a["id"].as_str().unwrap().to_string());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    let mut newest_first = ids.clone();
    newest_first.reverse();
    assert_eq!(seen, newest_first);
    let r = srv
        .get("/api/applications?external_id=crm-3", &key)
        .await
        .json;
    assert_eq!(r["data"].as_array().unwrap().len(), 1);
    assert_eq!(r["data"][0]["id"], ids[3].as_str());
    let r = srv.get("/api/applications?type=business", &key).await.json;
    assert_eq!(r["data"][0]["id"], company_id.as_str());
    assert!(r["next_cursor"].is_null());
    let r = srv
        .get("/api/applications?status_review=approved", &key)
        .await
        .json;
    assert!(r["data"].as_array().unwrap().is_empty());
    let r = srv
        .get(
            "/api/applications?created_after=2000-01-01T00:00:00Z&limit=100",
            &key,
        )
        .await
        .json;
    assert_eq!(r["data"].as_array().unwrap().len(), 6);
    let r = srv
        .get("/api/applications?created_after=2999-01-01T00:00:00Z", &key)
        .await
        .json;
    assert!(r["data"].as_array().unwrap().is_empty());

    let events = srv
        .get("/api/events?type=application.created&limit=3", &key)
        .await
        .json;
    assert_eq!(events["data"].as_array().unwrap().len(), 3);
    assert_eq!(
        events["data"][0]["data"]["application_id"],
        company_id.as_str()
    );
    let next = events["next_cursor"].as_str().unwrap();
    let more = srv
        .get(
            &format!("/api/events?type=application.created&cursor={next}"),
            &key,
        )
        .await
        .json;
    assert_eq!(more["data"].as_array().unwrap().len(), 3);
}

async fn changes_are_patched_evented_and_audited(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let app = srv
        .post("/api/applications", &key, &person("Ana"))
        .await
        .json;
    let id = app["id"].as_str().unwrap();
    let r = srv
        .patch(
            &format!("/api/applications/{id}"),
            &key,
            &json!({"person": {"nationality": "PT", "birth_date": null}, "tags": ["vip"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json);
    assert_eq!(r.json["person"]["nationality"], "PT");
    assert_eq!(r.json["person"]["first_name"], "Ana");
    assert!(r.json["person"].get("birth_date").is_none());
    assert_eq!(r.json["tags"], json!(["vip"]));
    assert!(r.json["updated_at"].as_str().unwrap() > app["updated_at"].as_str().unwrap());

    let events = srv
        .get(&format!("/api/events?application_id={id}"), &key)
        .await
        .json;
    let types: Vec<&str> = events["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, vec!["application.updated", "application.created"]);
    assert_eq!(
        events["data"][0]["data"]["object"]["person"]["nationality"],
        "PT"
    );

    let activity = srv
        .get(&format!("/api/applications/{id}/activity"), &key)
        .await
        .json;
    let all = activity["data"].as_array().unwrap();
    // The evaluation's consequences (task fingerprints and results…) are a second, separate entry.
    let (evaluated, entries): (Vec<&Value>, Vec<&Value>) = all
        .iter()
        .partition(|e| e["action"] == "application.evaluated");
    assert_eq!(entries.len(), 2);
    assert_eq!(all[0]["action"], "application.evaluated");
    for change in evaluated[0]["changes"].as_array().unwrap() {
        let path = change["path"].as_str().unwrap();
        assert!(
            path.starts_with("tasks[key=") || path.starts_with("risk"),
            "{path}"
        );
    }
    assert_eq!(entries[0]["action"], "application.updated");
    assert_eq!(entries[0]["actor"]["kind"], "api_key");
    let changes = entries[0]["changes"].as_array().unwrap();
    let nationality = changes
        .iter()
        .find(|c| c["path"] == "person.nationality")
        .unwrap();
    assert_eq!(nationality["before"], "ES");
    assert_eq!(nationality["after"], "PT");
    assert!(
        changes
            .iter()
            .any(|c| c["path"] == "person.birth_date" && c["after"].is_null())
    );

    // A patch that changes nothing records nothing.
    srv.patch(
        &format!("/api/applications/{id}"),
        &key,
        &json!({"tags": ["vip"]}),
    )
    .await;
    assert_eq!(
        srv.get(&format!("/api/applications/{id}/activity"), &key)
            .await
            .json["data"]
            .as_array()
            .unwrap()
            .len(),
        all.len()
    );
}

async fn related_parties_are_added_changed_and_removed(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let app = srv.post("/api/applications", &key, &company()).await.json;
    let id = app["id"].as_str().unwrap();
    let holding = app["relationships"][1]["id"].as_str().unwrap();
    let director = app["relationships"][0]["id"].as_str().unwrap();
    let base = format!("/api/applications/{id}/relationships");

    let added = srv
        .post(&format!("{base}/{holding}/relationships"), &key,
              &json!({"kind": "person", "roles": ["ubo"], "ownership_percentage": 40, "person": {"first_name": "Eva", "last_name": "Jansen"}}))
        .await;
    assert_eq!(added.status, 201, "{:?}", added.json);
    let eva = added.json["id"].as_str().unwrap().to_string();
    // 60 + 40 is full; one more owner would exceed 100%.
    let r = srv
        .post(&format!("{base}/{holding}/relationships"), &key,
              &json!({"kind": "person", "roles": ["shareholder"], "ownership_percentage": 1, "person": {"last_name": "Extra"}}))
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.error_fields()
            .contains(&"relationships[1].relationships".to_string()),
        "{:?}",
        r.json
    );
    // A person has no related parties.
    let r = srv
        .post(
            &format!("{base}/{director}/relationships"),
            &key,
            &json!({"kind": "person", "roles": ["ubo"], "person": {"last_name": "Y"}}),
        )
        .await;
    assert_eq!(r.status, 422);
    // A second signatory is refused.
    let r = srv
        .post(
            &base,
            &key,
            &json!({"kind": "person", "roles": ["signatory"], "person": {"last_name": "Z"}}),
        )
        .await;
    assert_eq!(r.status, 422);

    let r = srv
        .patch(
            &format!("{base}/{eva}"),
            &key,
            &json!({"ownership_percentage": 30, "person": {"nationality": "BE"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json);
    assert_eq!(r.json["person"]["first_name"], "Eva");
    assert_eq!(r.json["person"]["nationality"], "BE");
    assert_eq!(r.json["ownership_percentage"], 30.0);

    let r = srv
        .request(
            "DELETE",
            &format!("{base}/{holding}"),
            Some(&key),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, 204);
    let after = srv.get(&format!("/api/applications/{id}"), &key).await.json;
    assert_eq!(after["relationships"].as_array().unwrap().len(), 1);
    assert_eq!(
        srv.patch(&format!("{base}/{eva}"), &key, &json!({"roles": ["ubo"]}))
            .await
            .status,
        404
    );
    let activity = srv
        .get(&format!("/api/applications/{id}/activity"), &key)
        .await
        .json;
    let actions: Vec<&str> = activity["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .filter(|a| *a != "application.evaluated")
        .collect();
    assert_eq!(
        actions,
        vec![
            "relationship.deleted",
            "relationship.updated",
            "relationship.created",
            "application.created"
        ]
    );
}

async fn custom_fields_are_defined_and_enforced(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let channel = srv
        .post("/api/custom_fields", &key,
              &json!({"api_name": "channel", "label": "Channel", "type": "choice", "choices": ["web", "partner"], "applies_to": ["application", "relationship"]}))
        .await;
    assert_eq!(channel.status, 201, "{:?}", channel.json);
    let dup = srv
        .post(
            "/api/custom_fields",
            &key,
            &json!({"api_name": "channel", "label": "Again", "type": "text"}),
        )
        .await;
    assert_eq!(dup.status, 409);
    let bad = srv
        .post(
            "/api/custom_fields",
            &key,
            &json!({"api_name": "Bad Name", "label": "", "type": "choice"}),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.error_fields(), vec!["api_name", "label", "choices"]);

    let mut body = person("Ana");
    body["custom_fields"] = json!({"channel": "tv"});
    assert_eq!(srv.post("/api/applications", &key, &body).await.status, 422);
    body["custom_fields"] = json!({"channel": "web"});
    assert_eq!(srv.post("/api/applications", &key, &body).await.status, 201);

    let id = channel.json["id"].as_str().unwrap();
    let r = srv
        .patch(
            &format!("/api/custom_fields/{id}"),
            &key,
            &json!({"choices": ["web", "partner", "tv"], "label": "Sales channel"}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["label"], "Sales channel");
    let r = srv
        .patch(
            &format!("/api/custom_fields/{id}"),
            &key,
            &json!({"api_name": "renamed"}),
        )
        .await;
    assert_eq!(r.status, 422, "api_name must be immutable");
    body["custom_fields"] = json!({"channel": "tv"});
    assert_eq!(srv.post("/api/applications", &key, &body).await.status, 201);
    let list = srv.get("/api/custom_fields", &key).await.json;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
}

async fn the_audit_chain_verifies_and_detects_tampering(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let app = srv
        .post("/api/applications", &key, &person("Ana"))
        .await
        .json;
    let id = app["id"].as_str().unwrap();
    srv.patch(
        &format!("/api/applications/{id}"),
        &key,
        &json!({"tags": ["a"]}),
    )
    .await;
    srv.patch(
        &format!("/api/applications/{id}"),
        &key,
        &json!({"tags": ["b"]}),
    )
    .await;
    let ok = srv.cli(&["audit", "verify"]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );

    // Someone with database access rewrites history: the chain no longer verifies.
    srv.sql(&format!(
        "UPDATE audit_entries SET changes = '[]' WHERE application_id = '{id}' AND action = 'application.updated' \
         AND seq = (SELECT MIN(seq) FROM audit_entries WHERE application_id = '{id}' AND action = 'application.updated')"
    ))
    .await;
    let broken = srv.cli(&["audit", "verify"]);
    assert!(!broken.status.success(), "a tampered chain verified");
    let out = String::from_utf8_lossy(&broken.stdout);
    assert!(
        out.contains("BROKEN") && out.contains("does not match its hash"),
        "{out}"
    );
}

async fn a_deleted_audit_entry_breaks_the_chain(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let ana = srv
        .post("/api/applications", &key, &person("Ana"))
        .await
        .json;
    let ana = ana["id"].as_str().unwrap();
    srv.patch(
        &format!("/api/applications/{ana}"),
        &key,
        &json!({"tags": ["a"]}),
    )
    .await;
    let bea = srv
        .post("/api/applications", &key, &person("Bea"))
        .await
        .json;
    let bea = bea["id"].as_str().unwrap();
    assert!(srv.cli(&["audit", "verify"]).status.success());

    // The last entry of one case's chain goes (the patch, or the `application.evaluated` entry
    // after it): its head still counts it.
    let last = srv
        .sql_i64(&format!(
            "SELECT MAX(seq) FROM audit_entries WHERE application_id = '{ana}'"
        ))
        .await;
    assert!(last >= 2);
    srv.sql(&format!(
        "DELETE FROM audit_entries WHERE application_id = '{ana}' AND seq = {last}"
    ))
    .await;
    let broken = srv.cli(&["audit", "verify"]);
    let out = String::from_utf8_lossy(&broken.stdout);
    assert!(
        !broken.status.success(),
        "a chain missing its last entry verified"
    );
    assert!(
        out.contains(&format!("the chain of {ana}")) && out.contains(&format!("head says {last}")),
        "{out}"
    );

    // A whole chain goes (the other case's): its head is left without entries.
    srv.sql(&format!(
        "DELETE FROM audit_entries WHERE application_id = '{ana}'"
    ))
    .await;
    srv.sql(&format!("DELETE FROM audit_heads WHERE chain = '{ana}'"))
        .await;
    assert!(srv.cli(&["audit", "verify"]).status.success());
    srv.sql(&format!(
        "DELETE FROM audit_entries WHERE application_id = '{bea}'"
    ))
    .await;
    let broken = srv.cli(&["audit", "verify"]);
    let out = String::from_utf8_lossy(&broken.stdout);
    assert!(
        !broken.status.success(),
        "a case whose entries were all deleted verified"
    );
    assert!(
        out.contains(&format!("the chain of {bea}")) && out.contains("empty"),
        "{out}"
    );
}

/// Concurrent changes of many cases (and of one case) keep every chain whole and gapless.
async fn concurrent_writes_keep_every_chain_intact(backend: Backend) {
    let srv = std::sync::Arc::new(TestServer::start(backend).await);
    let key = srv.apikey(&[]);
    let first = srv
        .post("/api/applications", &key, &person("Ana"))
        .await
        .json;
    let shared = first["id"].as_str().unwrap().to_string();
    let mut writers = Vec::new();
    for i in 0..8 {
        let (srv, key, shared) = (srv.clone(), key.clone(), shared.clone());
        writers.push(tokio::spawn(async move {
            for j in 0..4 {
                let created = srv
                    .post("/api/applications", &key, &person(&format!("P{i}x{j}")))
                    .await;
                assert_eq!(created.status, 201);
                let patched = srv
                    .patch(
                        &format!("/api/applications/{shared}"),
                        &key,
                        &json!({"tags": [format!("t{i}{j}")]}),
                    )
                    .await;
                assert_eq!(patched.status, 200);
            }
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    let ok = srv.cli(&["audit", "verify"]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    // The shared case's chain: its creation and 32 changes (with what their evaluation derived, in
    // entries of their own), numbered from 1 without gaps.
    let activity = srv
        .get(
            &format!("/api/applications/{shared}/activity?limit=100"),
            &key,
        )
        .await
        .json;
    let entries = activity["data"].as_array().unwrap();
    let seqs: Vec<i64> = entries.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, (1..=seqs.len() as i64).rev().collect::<Vec<_>>());
    assert_eq!(
        entries
            .iter()
            .filter(|e| e["action"] != "application.evaluated")
            .count(),
        33
    );
}

async fn operations_endpoints_answer(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    srv.get("/api/applications", &key).await;
    assert_eq!(
        srv.request("GET", "/readyz", None, None, &[]).await.status,
        200
    );
    let metrics = srv.request("GET", "/metrics", None, None, &[]).await;
    let text = String::from_utf8(metrics.body).unwrap();
    assert!(text.contains("http_requests_total"), "{text}");
    assert!(text.contains("route=\"/api/applications\""), "{text}");
    assert!(text.contains("http_request_duration_seconds_bucket"));
    assert!(text.contains("db_pool_connections"));
    let spec = srv
        .request("GET", "/api/openapi.json", None, None, &[])
        .await
        .json;
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/applications",
        "/api/applications/{id}",
        "/api/applications/{id}/relationships/{rid}",
        "/api/custom_fields",
        "/api/events",
    ] {
        assert!(spec["paths"].get(path).is_some(), "the spec lacks {path}");
    }
    assert!(spec["components"]["schemas"].get("Application").is_some());
    let r = srv.get("/api/nowhere", &key).await;
    assert_eq!(r.status, 404);
    assert!(r.is_problem());
}

async fn keys_are_rate_limited(backend: Backend) {
    let mut srv = TestServer::with_env(
        backend,
        &[
            ("DOSSIER_SERVER__RATE_LIMIT_PER_SECOND", "1"),
            ("DOSSIER_SERVER__RATE_LIMIT_BURST", "3"),
        ],
    )
    .await;
    srv.spawn().await;
    let key = srv.apikey(&[]);
    let other = srv.apikey(&[]);
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(srv.get("/api/applications", &key).await);
    }
    let limited = statuses
        .iter()
        .find(|r| r.status == 429)
        .expect("no request was rate-limited");
    assert!(limited.is_problem());
    assert!(limited.headers.get("retry-after").is_some());
    assert_eq!(statuses[0].status, 200);
    // Each key has its own budget.
    assert_eq!(srv.get("/api/applications", &other).await.status, 200);
}

async fn the_server_restarts_on_its_data(backend: Backend) {
    let mut srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let app = srv.post("/api/applications", &key, &company()).await.json;
    srv.stop(false);
    srv.spawn().await;
    let got = srv
        .get(
            &format!("/api/applications/{}", app["id"].as_str().unwrap()),
            &key,
        )
        .await;
    assert_eq!(got.status, 200);
    assert_eq!(got.json, app);
    let migrate = srv.cli(&["migrate"]);
    assert!(migrate.status.success());
}

/// A process keeps a workspace's custom fields and templates in memory; a change made through
/// another process applies from the next request on.
async fn settings_changed_on_another_node_apply_to_the_next_request(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let person = |custom: Value| json!({"type": "person", "person": {"first_name": "Ada", "last_name": "Lovelace"}, "custom_fields": custom});
    // This node reads (and keeps) the settings: no custom field yet.
    let r = srv
        .post(
            "/api/applications",
            &key,
            &person(json!({"segment": "retail"})),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.json);
    assert_eq!(r.error_fields(), ["custom_fields.segment"]);

    let mut other = srv.another_node();
    other.spawn().await;
    let cf = other
        .post(
            "/api/custom_fields",
            &key,
            &json!({"api_name": "segment", "label": "Segment", "type": "choice", "choices": ["retail", "corporate"]}),
        )
        .await;
    assert_eq!(cf.status, 201, "{:?}", cf.json);
    let r = srv
        .post(
            "/api/applications",
            &key,
            &person(json!({"segment": "retail"})),
        )
        .await;
    assert_eq!(
        r.status, 201,
        "the new definition applies on the first node: {:?}",
        r.json
    );

    // A change to a definition, too.
    let path = format!("/api/custom_fields/{}", cf.json["id"].as_str().unwrap());
    let r = other
        .patch(
            &path,
            &key,
            &json!({"choices": ["retail", "corporate", "public"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json);
    let r = srv
        .post(
            "/api/applications",
            &key,
            &person(json!({"segment": "public"})),
        )
        .await;
    assert_eq!(
        r.status, 201,
        "the changed definition applies on the first node: {:?}",
        r.json
    );

    // And a workspace's own template: the first node evaluates new cases with it.
    let mut template = srv.get("/api/templates/kyc_standard", &key).await.json;
    template["tasks"] = json!([template["tasks"][0].clone()]);
    let r = other
        .send_json("PUT", "/api/templates/kyc_standard", &key, &template)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json);
    let r = srv
        .post(
            "/api/applications",
            &key,
            &person(json!({"segment": "corporate"})),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.json);
    assert_eq!(
        r.json["tasks"].as_array().unwrap().len(),
        1,
        "{:?}",
        r.json["tasks"]
    );
}

/// The README's case: a PATCH of one field adds a small entry under its action (the website) and a
/// short one of what the evaluation derived, not the whole tasks array before and after.
async fn a_small_change_is_a_small_audit_entry(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let field = json!({"api_name": "account_id", "label": "Account id", "type": "text"});
    assert_eq!(
        srv.post("/api/custom_fields", &key, &field).await.status,
        201
    );
    let created = srv
        .post("/api/applications", &key, &json!({
            "type": "business",
            "business": {"name": "Acme Logistics SAS", "registration_number": "552100554", "country": "FR"},
            "relationships": [
                {"kind": "person", "roles": ["director", "signatory"],
                 "person": {"first_name": "Claire", "last_name": "Martin", "nationality": "FR"}},
                {"kind": "business", "roles": ["shareholder"], "ownership_percentage": 100,
                 "business": {"name": "Acme Holding BV", "country": "NL"},
                 "relationships": [{"kind": "person", "roles": ["ubo"], "ownership_percentage": 60,
                                    "person": {"first_name": "Jan", "last_name": "de Vries"}}]}],
            "custom_fields": {"account_id": "acc_42"},
            "external_id": "crm-0001"
        }))
        .await;
    assert_eq!(created.status, 201, "{:?}", created.json);
    let id = created.json["id"].as_str().unwrap();
    let activity = format!("/api/applications/{id}/activity?limit=100");
    let before = srv.get(&activity, &key).await.body.len();
    let patched = srv
        .patch(
            &format!("/api/applications/{id}"),
            &key,
            &json!({"business": {"website": "https://acme.example"}}),
        )
        .await;
    assert_eq!(patched.status, 200, "{:?}", patched.json);
    let after = srv.get(&activity, &key).await;
    let growth = after.body.len() - before;
    eprintln!("activity grew by {growth} bytes");
    assert!(growth < 6_000, "activity grew by {growth} bytes");
    let entries = after.json["data"].as_array().unwrap();
    let paths = |e: &Value| -> Vec<String> {
        e["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["path"].as_str().unwrap().to_string())
            .collect()
    };
    // The evaluation re-ran the tasks on the new input and derived nothing new: only their input
    // fingerprints moved, which the version keeps and the audit does not repeat.
    assert_eq!(entries[0]["action"], "application.updated", "{entries:?}");
    assert_eq!(paths(&entries[0]), ["business.website"]);
    assert_eq!(entries[1]["action"], "application.created", "{entries:?}");
    let version = |n: u32| format!("/api/applications/{id}/versions/{n}");
    let (v1, v2) = (
        srv.get(&version(1), &key).await.json,
        srv.get(&version(2), &key).await.json,
    );
    let fingerprints = |v: &Value| -> Vec<Value> {
        v["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["fingerprint"].clone())
            .collect()
    };
    assert_ne!(fingerprints(&v1), fingerprints(&v2));
    assert_eq!(v2["business"]["website"], "https://acme.example");
    // A change the evaluation does derive from (a director's nationality, an input of the risk)
    // gets its second entry, without the fingerprints.
    let director = created.json["relationships"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let moved = srv
        .patch(
            &format!("/api/applications/{id}/relationships/{director}"),
            &key,
            &json!({"person": {"nationality": "KP"}}),
        )
        .await;
    assert_eq!(moved.status, 200, "{:?}", moved.json);
    let entries = srv.get(&activity, &key).await.json["data"].clone();
    assert_eq!(entries[0]["action"], "application.evaluated", "{entries}");
    let derived = paths(&entries[0]);
    assert!(!derived.is_empty());
    assert!(derived.contains(&"risk.score".to_string()), "{derived:?}");
    assert!(
        derived.iter().all(|p| !p.ends_with("fingerprint")),
        "{derived:?}"
    );
}

/// A multipart body with text parts and one file part (raw bytes, so a test can put anything in it).
fn multipart(fields: &[(&str, &str)], filename: &str, file: &[u8]) -> (Vec<u8>, String) {
    let boundary = "dossier-test-boundary-Qx81";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n\
             Content-Type: application/pdf\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (body, format!("multipart/form-data; boundary={boundary}"))
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

/// PostgreSQL refuses text with a NUL character: the API refuses it first, on both backends, with a
/// 400 for the URL and a 422 naming the field for a body.
async fn nul_bytes_are_refused_before_they_reach_the_database(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let id = srv
        .post("/api/applications", &key, &person("Ana"))
        .await
        .json["id"]
        .as_str()
        .unwrap()
        .to_string();
    for path in [
        "/api/applications/app_%00".to_string(),
        format!("/api/applications/{id}/relationships/rel_%00x"),
        format!("/api/applications/{id}/documents/%00"),
        "/api/webhooks/whk%00".to_string(),
        "/api/templates/kyc%00".to_string(),
        "/api/applications?external_id=crm%00".to_string(),
        "/api/applications?cursor=%00".to_string(),
        "/api/events?type=application.created%00".to_string(),
        format!("/api/applications/{id}/screening/hits?status=%00"),
    ] {
        let r = srv.get(&path, &key).await;
        assert_eq!(r.status, 400, "{path}: {:?}", r.json);
        assert!(r.is_problem(), "{path}");
        assert_eq!(r.json["code"], "nul_byte", "{path}: {:?}", r.json);
    }
    let r = srv
        .patch(
            &format!("/api/applications/%00{id}"),
            &key,
            &json!({"tags": ["x"]}),
        )
        .await;
    assert_eq!(r.status, 400, "{:?}", r.json);

    let mut body = person("Bea");
    body["external_id"] = json!("crm-\u{0}1");
    let cases: Vec<(&str, Value, &str)> = vec![
        ("/api/applications", body, "external_id"),
        (
            "/api/applications",
            json!({"type": "person", "person": {"first_name": "A\u{0}", "last_name": "B"}}),
            "person.first_name",
        ),
        (
            "/api/applications",
            json!({"type": "person", "person": {"last_name": "B"}, "tags": ["ok", "n\u{0}"]}),
            "tags[1]",
        ),
        (
            "/api/applications",
            json!({"type": "person", "person": {"last_name": "B"}, "custom_fields": {"a\u{0}b": 1}}),
            "custom_fields",
        ),
        (
            "/api/webhooks",
            json!({"url": "https://hooks.example.com/\u{0}", "events": ["*"]}),
            "url",
        ),
        (
            "/api/webhooks",
            json!({"url": "https://hooks.example.com/h", "events": ["*"], "description": "d\u{0}"}),
            "description",
        ),
    ];
    for (path, body, field) in cases {
        let r = srv.post(path, &key, &body).await;
        assert_eq!(r.status, 422, "{path} {body}: {:?}", r.json);
        assert!(r.is_problem());
        assert_eq!(r.error_fields(), [field], "{body}: {:?}", r.json);
    }
    let r = srv
        .patch(
            &format!("/api/applications/{id}"),
            &key,
            &json!({"external_id": "\u{0}"}),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.json);
    assert_eq!(r.error_fields(), ["external_id"]);

    // The multipart form's text parts and the file's name.
    let docs = format!("/api/applications/{id}/documents");
    for (fields, filename, field) in [
        (vec![("type", "pass\0port")], "p.pdf", "type"),
        (
            vec![("type", "passport"), ("relationship_id", "rel_\0")],
            "p.pdf",
            "relationship_id",
        ),
    ] {
        let (body, content_type) = multipart(&fields, filename, PDF);
        let r = srv
            .request(
                "POST",
                &docs,
                Some(&key),
                Some(body),
                &[("content-type", &content_type)],
            )
            .await;
        assert!(
            r.status == 422 || r.status == 400,
            "{field}: {} {:?}",
            r.status,
            r.json
        );
        if r.status == 422 {
            assert_eq!(r.error_fields(), [field], "{:?}", r.json);
        }
    }
    // A raw NUL in the file name.
    let (mut body, content_type) = multipart(&[("type", "passport")], "pXX.pdf", PDF);
    let at = body.windows(7).position(|w| w == b"pXX.pdf").unwrap();
    body[at + 1] = 0;
    let r = srv
        .request(
            "POST",
            &docs,
            Some(&key),
            Some(body),
            &[("content-type", &content_type)],
        )
        .await;
    assert!(
        r.status == 422 || r.status == 400,
        "{} {:?}",
        r.status,
        r.json
    );
    assert_eq!(count(&srv, &key, &docs).await, 0, "a document was stored");
    assert_eq!(count(&srv, &key, "/api/applications").await, 1);
    assert_eq!(count(&srv, &key, "/api/webhooks").await, 0);
}

/// Every list checks its cursor: a made-up one is a 400 `bad_cursor`, not an empty or a first page.
async fn every_list_refuses_a_bad_cursor(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let id = srv
        .post("/api/applications", &key, &person("Ana"))
        .await
        .json["id"]
        .as_str()
        .unwrap()
        .to_string();
    let hook = srv
        .post(
            "/api/webhooks",
            &key,
            &json!({"url": "https://hooks.example.com/h", "events": ["*"]}),
        )
        .await;
    assert_eq!(hook.status, 201, "{:?}", hook.json);
    let hook = hook.json["id"].as_str().unwrap().to_string();
    let lists = [
        "/api/applications".to_string(),
        "/api/events".to_string(),
        format!("/api/applications/{id}/activity"),
        format!("/api/applications/{id}/documents"),
        format!("/api/applications/{id}/risk_history"),
        format!("/api/webhooks/{hook}/deliveries"),
    ];
    for list in &lists {
        let ok = srv.get(&format!("{list}?limit=1"), &key).await;
        assert_eq!(ok.status, 200, "{list}: {:?}", ok.json);
        for bad in ["bogus", "app_", "x_01JD0000000000000000000000", "-1x"] {
            let r = srv.get(&format!("{list}?cursor={bad}"), &key).await;
            assert_eq!(r.status, 400, "{list}?cursor={bad}: {:?}", r.json);
            assert_eq!(r.json["code"], "bad_cursor", "{list}: {:?}", r.json);
        }
    }
    // Another list's id is not a cursor either.
    let r = srv.get(&format!("/api/events?cursor={id}"), &key).await;
    assert_eq!(r.status, 400, "{:?}", r.json);
    // A real cursor still pages.
    srv.post("/api/applications", &key, &person("Bea")).await;
    let page = srv.get("/api/applications?limit=1", &key).await.json;
    let next = page["next_cursor"].as_str().unwrap();
    let r = srv
        .get(&format!("/api/applications?limit=1&cursor={next}"), &key)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json);
    assert_eq!(r.json["data"][0]["id"], id.as_str());
    let page = srv.get("/api/events?limit=1", &key).await.json;
    let next = page["next_cursor"].as_str().unwrap();
    let r = srv.get(&format!("/api/events?cursor={next}"), &key).await;
    assert_eq!(r.status, 200, "{:?}", r.json);
}

/// A read-only key is refused (403) whatever its body: the permission is checked before the body is
/// read. Reading routes sent as POST (screening search) stay open to it.
async fn a_read_only_key_is_refused_before_its_body_is_read(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let ro = srv.apikey(&["--read-only"]);
    let id = srv
        .post("/api/applications", &key, &person("Ana"))
        .await
        .json["id"]
        .as_str()
        .unwrap()
        .to_string();
    for (method, path, body) in [
        (
            "POST",
            "/api/applications".to_string(),
            json!({"type": "alien"}),
        ),
        ("POST", "/api/applications".to_string(), json!({})),
        (
            "PATCH",
            format!("/api/applications/{id}"),
            json!({"colour": 1}),
        ),
        ("POST", "/api/webhooks".to_string(), json!({"url": 3})),
        ("POST", "/api/custom_fields".to_string(), json!([])),
        (
            "PUT",
            "/api/screening/settings".to_string(),
            json!({"threshold": "high"}),
        ),
        (
            "POST",
            format!("/api/applications/{id}/decision"),
            json!({}),
        ),
    ] {
        let r = srv.send_json(method, &path, &ro, &body).await;
        assert_eq!(r.status, 403, "{method} {path}: {:?}", r.json);
        assert_eq!(r.json["code"], "read_only", "{:?}", r.json);
    }
    // Not JSON at all: still 403, not 415.
    let r = srv
        .request(
            "POST",
            "/api/applications",
            Some(&ro),
            Some(b"x".to_vec()),
            &[("content-type", "text/plain")],
        )
        .await;
    assert_eq!(r.status, 403, "{:?}", r.json);
    // A search only reads.
    let r = srv
        .post("/api/screening/search", &ro, &json!({"name": "Ana"}))
        .await;
    assert_ne!(r.status, 403, "{:?}", r.json);
    // The writer's invalid body is still a 422.
    let r = srv.post("/api/applications", &key, &json!({})).await;
    assert_eq!(r.status, 422, "{:?}", r.json);
}

/// Failed authentications are counted per client address: past the limit the address gets 429
/// before any key lookup, except with a key that authenticated lately.
async fn unknown_keys_are_rate_limited_per_address(backend: Backend) {
    let mut srv = TestServer::with_env(
        backend,
        &[
            ("DOSSIER_SERVER__AUTH_FAILURES_PER_SECOND", "1"),
            ("DOSSIER_SERVER__AUTH_FAILURES_BURST", "3"),
        ],
    )
    .await;
    srv.spawn().await;
    let key = srv.apikey(&[]);
    assert_eq!(srv.get("/api/applications", &key).await.status, 200);
    let doomed = srv.apikey(&["--read-only"]);
    assert_eq!(srv.get("/api/applications", &doomed).await.status, 200);
    // Created before the failures (creating one takes a process), used only after them.
    let unseen = srv.apikey(&[]);
    let mut statuses = Vec::new();
    for i in 0..8 {
        let r = srv
            .get("/api/applications", &format!("dsk_made_up_{i}"))
            .await;
        statuses.push(r.status);
        if r.status == 429 {
            assert!(r.is_problem());
            assert!(r.headers.get("retry-after").is_some());
        }
    }
    assert_eq!(&statuses[..3], [401, 401, 401], "{statuses:?}");
    assert!(statuses.contains(&429), "never limited: {statuses:?}");
    // The limited address still works with the key that authenticated before: a neighbour behind
    // the same address guessing keys does not lock it out. A key not seen lately is still limited,
    // and so is one revoked since (it is looked up every time).
    assert_eq!(srv.get("/api/applications", &key).await.status, 200);
    assert_eq!(srv.get("/api/applications", &unseen).await.status, 429);
    let listing = String::from_utf8(srv.cli(&["apikey", "list"]).stdout).unwrap();
    let doomed_id = listing
        .lines()
        .find(|l| l.contains("read_only"))
        .and_then(|l| l.split('\t').next())
        .unwrap()
        .to_string();
    assert!(srv.cli(&["apikey", "revoke", &doomed_id]).status.success());
    assert_eq!(srv.get("/api/applications", &doomed).await.status, 401);
    // Successful requests do not count against the address.
    let mut fresh = TestServer::with_env(
        backend,
        &[
            ("DOSSIER_SERVER__AUTH_FAILURES_PER_SECOND", "1"),
            ("DOSSIER_SERVER__AUTH_FAILURES_BURST", "3"),
        ],
    )
    .await;
    fresh.spawn().await;
    let key = fresh.apikey(&[]);
    for _ in 0..10 {
        assert_eq!(fresh.get("/api/applications", &key).await.status, 200);
    }
    assert_eq!(fresh.get("/api/applications", "dsk_nope").await.status, 401);
}

/// The JSON-schema subset the spec uses, enough to check real answers against it.
fn check_schema(spec: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.trim_start_matches("#/components/schemas/");
        let target = &spec["components"]["schemas"][name];
        assert!(!target.is_null(), "dangling {r}");
        return check_schema(spec, target, value, at, errors);
    }
    for alt in ["oneOf", "anyOf"] {
        if let Some(alts) = schema[alt].as_array() {
            let ok = alts.iter().any(|s| {
                let mut e = Vec::new();
                check_schema(spec, s, value, at, &mut e);
                e.is_empty()
            });
            if !ok {
                errors.push(format!("{at}: {value} fits no {alt} alternative"));
            }
        }
    }
    if let Some(all) = schema["allOf"].as_array() {
        for s in all {
            check_schema(spec, s, value, at, errors);
        }
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if !types.is_empty() {
        let fits = types.iter().any(|t| match *t {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            _ => true,
        });
        if !fits {
            errors.push(format!("{at}: {value} is not {types:?}"));
            return;
        }
    }
    if let Some(required) = schema["required"].as_array()
        && let Some(obj) = value.as_object()
    {
        for r in required.iter().filter_map(Value::as_str) {
            if !obj.contains_key(r) {
                errors.push(format!("{at}: lacks required `{r}`"));
            }
        }
    }
    if let (Some(props), Some(obj)) = (schema["properties"].as_object(), value.as_object()) {
        for (k, s) in props {
            if let Some(v) = obj.get(k) {
                check_schema(spec, s, v, &format!("{at}.{k}"), errors);
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), value.as_array()) {
        for (i, v) in arr.iter().enumerate() {
            check_schema(spec, items, v, &format!("{at}[{i}]"), errors);
        }
    }
}

/// The spec's 200 answer of `GET path`.
fn declared_200<'a>(spec: &'a Value, path: &str) -> &'a Value {
    declared(spec, "get", path, "200")
}

/// The spec's JSON answer of `method path` with `status`.
fn declared<'a>(spec: &'a Value, method: &str, path: &str, status: &str) -> &'a Value {
    let s =
        &spec["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"];
    assert!(
        !s.is_null(),
        "{method} {path} declares no JSON {status} answer"
    );
    s
}

/// The OpenAPI description matches what the lists and a new case answer.
async fn the_spec_describes_the_real_answers(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let spec = srv
        .request("GET", "/api/openapi.json", None, None, &[])
        .await
        .json;
    let app = srv.post("/api/applications", &key, &company()).await.json;
    let id = app["id"].as_str().unwrap().to_string();
    let hook = srv
        .post(
            "/api/webhooks",
            &key,
            &json!({"url": "https://hooks.example.com/h", "events": ["*"]}),
        )
        .await
        .json["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut errors = Vec::new();
    for (template, path) in [
        ("/api/applications", "/api/applications".to_string()),
        ("/api/events", "/api/events".to_string()),
        (
            "/api/applications/{id}/activity",
            format!("/api/applications/{id}/activity"),
        ),
        (
            "/api/applications/{id}/documents",
            format!("/api/applications/{id}/documents"),
        ),
        (
            "/api/applications/{id}/risk_history",
            format!("/api/applications/{id}/risk_history"),
        ),
        (
            "/api/applications/{id}/screening/hits",
            format!("/api/applications/{id}/screening/hits"),
        ),
        ("/api/document_types", "/api/document_types".to_string()),
        ("/api/templates", "/api/templates".to_string()),
        ("/api/custom_fields", "/api/custom_fields".to_string()),
        ("/api/webhooks", "/api/webhooks".to_string()),
        (
            "/api/webhooks/{id}/deliveries",
            format!("/api/webhooks/{hook}/deliveries"),
        ),
        (
            "/api/applications/{id}/versions",
            format!("/api/applications/{id}/versions"),
        ),
    ] {
        let declared = declared_200(&spec, template);
        let mut top = declared.clone();
        if let Some(r) = declared["$ref"].as_str() {
            top = spec["components"]["schemas"][r.trim_start_matches("#/components/schemas/")]
                .clone();
        }
        assert_eq!(
            top["type"], "object",
            "{template} is not declared a page: {declared}"
        );
        assert!(
            top["properties"].get("data").is_some()
                && top["properties"].get("next_cursor").is_some(),
            "{template}: {top}"
        );
        let real = srv.get(&path, &key).await;
        assert_eq!(real.status, 200, "{path}: {:?}", real.json);
        assert!(
            !real.json["data"].as_array().unwrap().is_empty()
                || template.contains("hits")
                || template.contains("documents")
                || template.contains("deliveries")
                || template.contains("custom_fields"),
            "{path} is empty: nothing checked"
        );
        check_schema(&spec, declared, &real.json, template, &mut errors);
    }
    // A new case, with its pending tasks' `evidence: null` (other kinds have a list or an object).
    let evidence = &spec["components"]["schemas"]["Task"]["properties"]["evidence"];
    for v in [Value::Null, json!([]), json!({})] {
        check_schema(&spec, evidence, &v, "Task.evidence", &mut errors);
    }
    // Every list declares the `limit` bounds the lists enforce.
    for (path, item) in spec["paths"].as_object().unwrap() {
        for param in item["get"]["parameters"].as_array().into_iter().flatten() {
            if param["name"] == "limit" {
                let s = &param["schema"];
                assert_eq!(
                    (s["minimum"].as_f64(), s["maximum"].as_f64()),
                    (Some(1.0), Some(100.0)),
                    "{path}: {s}"
                );
            }
        }
    }
    // The test event's answer is the whole delivery the spec declares, the one the log lists.
    let test = srv
        .request(
            "POST",
            &format!("/api/webhooks/{hook}/test"),
            Some(&key),
            None,
            &[],
        )
        .await;
    assert_eq!(test.status, 202, "{:?}", test.json);
    check_schema(
        &spec,
        declared(&spec, "post", "/api/webhooks/{id}/test", "202"),
        &test.json,
        "POST /api/webhooks/{id}/test",
        &mut errors,
    );
    let listed = srv
        .get(&format!("/api/webhooks/{hook}/deliveries"), &key)
        .await
        .json;
    let listed = &listed["data"][0];
    for field in ["id", "endpoint_id", "event_id", "event_type", "created_at"] {
        assert_eq!(test.json[field], listed[field], "{field}: {listed}");
    }
    let got = srv.get(&format!("/api/applications/{id}"), &key).await.json;
    assert!(got["tasks"][0]["evidence"].is_null(), "{}", got["tasks"][0]);
    check_schema(
        &spec,
        declared_200(&spec, "/api/applications/{id}"),
        &got,
        "/api/applications/{id}",
        &mut errors,
    );
    assert!(
        errors.is_empty(),
        "the spec contradicts the answers:\n{}",
        errors.join("\n")
    );
}

/// IPv6 forms that embed a private IPv4 address are private too.
async fn embedded_private_addresses_are_refused_as_webhook_targets(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    for url in [
        "http://[64:ff9b::a9fe:a9fe]/hook",
        "http://[2002:7f00:1::]/hook",
        "http://[::127.0.0.1]/hook",
        "http://[::ffff:0:7f00:1]/hook",
        "http://198.18.0.1/hook",
        "http://203.0.113.9/hook",
        "http://[2001:db8::1]/hook",
    ] {
        let r = srv
            .post("/api/webhooks", &key, &json!({"url": url, "events": ["*"]}))
            .await;
        assert_eq!(r.status, 422, "{url}: {:?}", r.json);
        assert_eq!(r.error_fields(), ["url"]);
    }
    let r = srv
        .post(
            "/api/webhooks",
            &key,
            &json!({"url": "http://[2606:4700::1111]/hook", "events": ["*"]}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.json);
}

both_backends!(
    a_small_change_is_a_small_audit_entry,
    a_case_round_trips_with_ids_statuses_and_custom_fields,
    keys_are_required_and_read_only_keys_cannot_write,
    nothing_crosses_workspaces,
    bad_input_gets_a_clear_error_and_changes_nothing,
    an_idempotency_key_replays_the_first_answer,
    lists_are_newest_first_filtered_and_paged,
    changes_are_patched_evented_and_audited,
    related_parties_are_added_changed_and_removed,
    custom_fields_are_defined_and_enforced,
    the_audit_chain_verifies_and_detects_tampering,
    a_deleted_audit_entry_breaks_the_chain,
    concurrent_writes_keep_every_chain_intact,
    operations_endpoints_answer,
    keys_are_rate_limited,
    the_server_restarts_on_its_data,
    settings_changed_on_another_node_apply_to_the_next_request,
    nul_bytes_are_refused_before_they_reach_the_database,
    every_list_refuses_a_bad_cursor,
    a_read_only_key_is_refused_before_its_body_is_read,
    unknown_keys_are_rate_limited_per_address,
    the_spec_describes_the_real_answers,
    embedded_private_addresses_are_refused_as_webhook_targets,
);
