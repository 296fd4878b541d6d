//! The verification loop over HTTP, on SQLite and PostgreSQL: a company with a holding chain gets its
//! template's tasks, documents are uploaded (sniffed, hashed, limited) and validated, data is fixed,
//! the case reaches `done`, its risk is explained, and the decision policy refuses or accepts; templates
//! are validated on save; country risk moves the score and emits `application.risk_updated`.

mod common;

use common::{Backend, Response, TestServer};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

/// A company in Luxembourg owned through a Belgian holding by Anne (70 % of 100 %) and Bram (30 %).
fn company() -> Value {
    json!({
        "type": "business",
        "business": {"name": "Acme Freight SARL", "registration_number": "B123456", "country": "LU",
                     "incorporation_date": "2019-06-01", "industry_code": "49.41",
                     "address": {"line1": "1 rue du Fort", "city": "Luxembourg", "postal_code": "L-1111", "country": "LU"}},
        "relationships": [
            {"kind": "person", "roles": ["director", "signatory"],
             "person": {"first_name": "Luc", "last_name": "Weber", "nationality": "LU", "birth_date": "1975-01-02",
                        "email": "luc@acme.lu"}},
            {"kind": "business", "roles": ["shareholder"], "ownership_percentage": 100,
             "business": {"name": "Acme Holding SA", "country": "BE", "registration_number": "0123456789"},
             "relationships": [
                 {"kind": "person", "roles": ["ubo"], "ownership_percentage": 70,
                  "person": {"first_name": "Anne", "last_name": "Peeters", "nationality": "BE",
                             "birth_date": "1970-03-04", "country_of_residence": "BE"}},
                 {"kind": "person", "roles": ["shareholder"], "ownership_percentage": 30,
                  "person": {"first_name": "Bram", "last_name": "Claes", "nationality": "BE"}}]}]
    })
}

fn person(nationality: &str) -> Value {
    json!({"type": "person", "person": {"first_name": "Sam", "last_name": "Risk", "birth_date": "1985-04-04",
           "nationality": nationality, "country_of_residence": nationality}})
}

/// A multipart body with text parts and one file part.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &str, &[u8])>) -> (Vec<u8>, String) {
    let boundary = "dossier-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((filename, content_type, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n\
                 Content-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (body, format!("multipart/form-data; boundary={boundary}"))
}

async fn upload(
    srv: &TestServer,
    key: &str,
    app: &str,
    doc_type: &str,
    relationship_id: Option<&str>,
    file: (&str, &str, &[u8]),
) -> Response {
    let mut fields = vec![("type", doc_type)];
    if let Some(r) = relationship_id {
        fields.push(("relationship_id", r));
    }
    let (body, content_type) = multipart(&fields, Some(file));
    srv.request(
        "POST",
        &format!("/api/applications/{app}/documents"),
        Some(key),
        Some(body),
        &[("content-type", &content_type)],
    )
    .await
}

fn task<'a>(app: &'a Value, key: &str) -> &'a Value {
    app["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == key)
        .unwrap_or_else(|| panic!("no task {key} in {}", app["tasks"]))
}

/// The number of fractional second digits of every `T..:..:..\.(\d+)Z` timestamp in `text`.
fn fraction_digits(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let mut out = Vec::new();
    for i in 0..b.len() {
        let time = b[i] == b'T'
            && [1, 2, 4, 5, 7, 8].iter().all(|o| digit(i + o))
            && b.get(i + 3) == Some(&b':')
            && b.get(i + 6) == Some(&b':')
            && b.get(i + 9) == Some(&b'.');
        if time {
            let n = (i + 10..b.len()).take_while(|j| digit(*j)).count();
            if b.get(i + 10 + n) == Some(&b'Z') {
                out.push(n);
            }
        }
    }
    out
}

fn fired(app: &Value) -> Vec<String> {
    app["risk"]["explanation"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["outcome"] == "fired")
        .map(|c| c["rule_id"].as_str().unwrap().to_string())
        .collect()
}

async fn a_company_goes_from_tasks_to_a_decision(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    // A case is done only once screened, which needs a watchlist.
    srv.import_watchlist("ftm", common::FTM_SAMPLE);
    let mut body = company();
    // Missing data, fixed below.
    body["business"]
        .as_object_mut()
        .unwrap()
        .remove("registration_number");
    let created = srv.post("/api/applications", &key, &body).await;
    assert_eq!(created.status, 201, "{:?}", created.json);
    let app = created.json;
    let id = app["id"].as_str().unwrap().to_string();
    for k in [
        "data_completeness",
        "ubo_identification",
        "documents_collected",
        "documents_validated",
    ] {
        let t = task(&app, k);
        assert_eq!(t["active"], true, "{k}");
    }
    assert_eq!(task(&app, "data_completeness")["result"], "needs_action");
    assert_eq!(task(&app, "documents_collected")["result"], "needs_action");
    assert_eq!(app["status_execution"], "waiting_for_user_input");
    assert!(app["risk_score"].is_number() && app["risk_level"].is_string());
    assert_eq!(app["risk"]["template"], "kyb_standard");
    assert!(
        fired(&app).contains(&"missing_documents".to_string()),
        "{}",
        app["risk"]
    );
    // Anne holds 70 % of the holding that holds 100 %: she is the declared UBO at 70 %.
    let anne = app["relationships"][1]["relationships"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let bram = app["relationships"][1]["relationships"][1]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Bram's 30 % of the holding is 30 % of the company: an undeclared UBO.
    let ubo = task(&app, "ubo_identification");
    assert_eq!(ubo["result"], "needs_action", "{ubo}");
    let codes = |t: &Value| -> Vec<String> {
        t["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(codes(ubo).contains(&"undeclared_ubo".to_string()), "{ubo}");
    let owners = ubo["evidence"]["owners"].as_array().unwrap();
    let anne_share = owners.iter().find(|o| o["name"] == "Anne Peeters").unwrap();
    assert_eq!(anne_share["effective_ownership"], 70.0);

    // The decision is refused while tasks are open, and nothing changes.
    let refused = srv
        .post(
            &format!("/api/applications/{id}/decision"),
            &key,
            &json!({"status_review": "approved", "reason": "looks fine"}),
        )
        .await;
    assert_eq!(refused.status, 409, "{:?}", refused.json);
    assert!(refused.is_problem());
    assert!(
        refused.json["detail"]
            .as_str()
            .unwrap()
            .contains("not done"),
        "{:?}",
        refused.json
    );
    let got = srv.get(&format!("/api/applications/{id}"), &key).await;
    assert_eq!(got.json["status_review"], "pending");
    assert!(got.json["decision"].is_null());

    // Fix the data.
    let fixed = srv
        .patch(
            &format!("/api/applications/{id}"),
            &key,
            &json!({"business": {"registration_number": "B123456", "legal_form": "SARL"}}),
        )
        .await;
    assert_eq!(fixed.status, 200, "{:?}", fixed.json);
    assert_eq!(
        task(&fixed.json, "data_completeness")["result"],
        "clear",
        "{}",
        task(&fixed.json, "data_completeness")
    );
    let declared = srv
        .patch(
            &format!("/api/applications/{id}/relationships/{bram}"),
            &key,
            &json!({"roles": ["shareholder", "ubo"],
                    "person": {"birth_date": "1980-07-08", "country_of_residence": "BE"}}),
        )
        .await;
    assert_eq!(declared.status, 200, "{:?}", declared.json);
    let got = srv.get(&format!("/api/applications/{id}"), &key).await;
    let ubo = task(&got.json, "ubo_identification");
    assert!(!codes(ubo).contains(&"undeclared_ubo".to_string()), "{ubo}");
    let fixed = got;

    // Upload every expected document, then mark them valid.
    let expected = fixed.json["expected_documents"].as_array().unwrap().clone();
    assert!(
        expected
            .iter()
            .any(|e| e["relationship_id"].as_str() == Some(anne.as_str())),
        "Anne's identity document is expected: {expected:?}"
    );
    let mut docs = Vec::new();
    for e in &expected {
        let r = upload(
            &srv,
            &key,
            &id,
            e["types"][0].as_str().unwrap(),
            e["relationship_id"].as_str(),
            ("doc.pdf", "application/pdf", PDF),
        )
        .await;
        assert_eq!(r.status, 201, "{:?}", r.json);
        docs.push(r.json["id"].as_str().unwrap().to_string());
    }
    let got = srv.get(&format!("/api/applications/{id}"), &key).await;
    assert_eq!(task(&got.json, "documents_collected")["result"], "clear");
    assert_eq!(task(&got.json, "documents_validated")["result"], "pending");
    assert!(!fired(&got.json).contains(&"missing_documents".to_string()));
    for d in &docs {
        let r = srv
            .patch(
                &format!("/api/applications/{id}/documents/{d}"),
                &key,
                &json!({"status": "valid"}),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.json);
        assert_eq!(r.json["status"], "valid");
    }
    let app = srv.screened(&key, &id).await;
    assert_eq!(app["status_execution"], "done", "{}", app["tasks"]);
    assert_eq!(app["risk_level"], "low", "{}", app["risk"]);
    assert!(!app["risk"]["explanation"].as_array().unwrap().is_empty());

    // Decided, once.
    let decided = srv
        .post(
            &format!("/api/applications/{id}/decision"),
            &key,
            &json!({"status_review": "approved", "reason": "all checks clear"}),
        )
        .await;
    assert_eq!(decided.status, 200, "{:?}", decided.json);
    assert_eq!(decided.json["status_review"], "approved");
    assert_eq!(decided.json["decision"]["reason"], "all checks clear");
    // Made on the version the reviewer saw; the decision is the next one.
    assert_eq!(decided.json["decision"]["version"], app["version"]);
    assert_eq!(
        decided.json["version"].as_i64(),
        app["version"].as_i64().map(|v| v + 1)
    );
    assert!(
        decided.json["decision"]["decided_by"]
            .as_str()
            .unwrap()
            .starts_with("key_")
    );
    assert!(decided.json["decided_at"].is_string());
    let again = srv
        .post(
            &format!("/api/applications/{id}/decision"),
            &key,
            &json!({"status_review": "rejected", "reason": "changed my mind"}),
        )
        .await;
    assert_eq!(again.status, 409);
    assert!(again.is_problem());

    // The events of the loop.
    assert!(
        !srv.events(&key, "application.status_updated", &id)
            .await
            .is_empty()
    );
    assert!(
        !srv.events(&key, "application.risk_updated", &id)
            .await
            .is_empty()
    );
    let review = srv.events(&key, "application.review_updated", &id).await;
    assert_eq!(review.len(), 1);
    assert_eq!(review[0]["data"]["object"]["status_review"], "approved");
    let created_docs = srv.events(&key, "document.created", &id).await;
    assert_eq!(created_docs.len(), docs.len());
    assert!(created_docs[0]["data"]["object"]["sha256"].is_string());
    let history = srv
        .get(&format!("/api/applications/{id}/risk_history"), &key)
        .await;
    assert_eq!(history.status, 200);
    assert!(history.json["data"].as_array().unwrap().len() >= 2);
}

async fn tasks_are_cleared_with_a_comment_and_rerun(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let created = srv.post("/api/applications", &key, &person("FR")).await;
    assert_eq!(created.status, 201);
    let id = created.json["id"].as_str().unwrap();
    let path = |t: &str, action: &str| format!("/api/applications/{id}/tasks/{t}/{action}");
    let r = srv
        .post(
            &path("documents_collected", "clear"),
            &key,
            &json!({"comment": "  "}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.error_fields(), vec!["comment"]);
    let r = srv
        .post(&path("nope", "clear"), &key, &json!({"comment": "x"}))
        .await;
    assert_eq!(r.status, 404);
    let r = srv
        .post(
            &path("documents_collected", "clear"),
            &key,
            &json!({"comment": "documents checked in the branch"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json);
    let t = task(&r.json, "documents_collected");
    assert_eq!(t["result"], "clear");
    assert_eq!(t["clearance"]["comment"], "documents checked in the branch");
    let r = srv
        .post(&path("documents_collected", "run"), &key, &json!({}))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json);
    assert_eq!(task(&r.json, "documents_collected")["result"], "clear");
    let activity = srv
        .get(&format!("/api/applications/{id}/activity"), &key)
        .await;
    assert!(
        activity.json["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "task.cleared"),
        "{:?}",
        activity.json
    );
    // A read-only key cannot clear.
    let ro = srv.apikey(&["--read-only"]);
    let r = srv
        .post(
            &path("documents_validated", "clear"),
            &ro,
            &json!({"comment": "x"}),
        )
        .await;
    assert_eq!(r.status, 403);
}

async fn documents_are_sniffed_limited_and_served(backend: Backend) {
    let mut srv = TestServer::with_env(backend, &[("DOSSIER_DOCUMENTS__MAX_BYTES", "65536")]).await;
    srv.spawn().await;
    let key = srv.apikey(&[]);
    let created = srv.post("/api/applications", &key, &company()).await;
    let id = created.json["id"].as_str().unwrap().to_string();
    let luc = created.json["relationships"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let r = upload(
        &srv,
        &key,
        &id,
        "passport",
        Some(&luc),
        ("luc.pdf", "application/pdf", PDF),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.json);
    let doc = r.json.clone();
    let doc_id = doc["id"].as_str().unwrap().to_string();
    assert_eq!(doc["sha256"], hex(PDF));
    assert_eq!(doc["content_type"], "application/pdf");
    assert_eq!(doc["size"], PDF.len());
    assert_eq!(doc["filename"], "luc.pdf");
    assert_eq!(doc["relationship_id"], luc.as_str());
    assert_eq!(doc["status"], "unset");
    assert_eq!(doc["uploaded_by"]["kind"], "api_key");

    let content = srv
        .get(
            &format!("/api/applications/{id}/documents/{doc_id}/content"),
            &key,
        )
        .await;
    assert_eq!(content.status, 200);
    assert_eq!(content.body, PDF);
    assert_eq!(content.headers["content-type"], "application/pdf");
    assert_eq!(content.headers["x-content-type-options"], "nosniff");
    assert_eq!(
        content.headers["content-security-policy"],
        "sandbox; default-src 'none'"
    );
    assert!(
        content.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    // A file name with a direction override and control characters is stored cleaned (on a case
    // of its own, so the counts below stay this case's).
    let other_case = srv.post("/api/applications", &key, &company()).await;
    let other_id = other_case.json["id"].as_str().unwrap().to_string();
    let r = upload(
        &srv,
        &key,
        &other_id,
        "passport",
        None,
        ("scan\u{202E}fdp.exe\t.pdf", "application/pdf", PDF),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.json);
    assert_eq!(r.json["filename"], "scanfdp.exe .pdf");
    // A TIFF is served as an attachment.
    let tiff = b"II*\0\x08\0\0\0rest of a tiff";
    let r = upload(
        &srv,
        &key,
        &id,
        "bank_statement",
        None,
        ("s.tif", "image/tiff", tiff),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.json);
    let tiff_id = r.json["id"].as_str().unwrap();
    let content = srv
        .get(
            &format!("/api/applications/{id}/documents/{tiff_id}/content"),
            &key,
        )
        .await;
    assert!(
        content.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );

    // Refused uploads.
    let html = b"<html><script>alert(1)</script></html>";
    let r = upload(
        &srv,
        &key,
        &id,
        "passport",
        None,
        ("kbis.pdf", "application/pdf", html),
    )
    .await;
    assert_eq!(r.status, 415, "{:?}", r.json);
    assert!(r.is_problem());
    let r = upload(
        &srv,
        &key,
        &id,
        "passport",
        None,
        ("page.html", "text/html", html),
    )
    .await;
    assert_eq!(r.status, 415);
    // A Content-Length over the limit is refused before the body is sent.
    let head = early_answer(
        &srv,
        &format!(
            "POST /api/applications/{id}/documents HTTP/1.1\r\nHost: dossier\r\n\
             Authorization: Bearer {key}\r\nContent-Type: multipart/form-data; boundary=x\r\n\
             Content-Length: 209715200\r\n\r\n"
        ),
    )
    .await;
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    assert!(head.contains("application/problem+json"), "{head}");
    // Over the limit but within the Content-Length allowance: counted while streaming.
    let mut over = PDF.to_vec();
    over.resize(70 * 1024, 0);
    let r = upload(
        &srv,
        &key,
        &id,
        "passport",
        None,
        ("over.pdf", "application/pdf", &over),
    )
    .await;
    assert_eq!(r.status, 413, "{:?}", r.json);
    let r = upload(
        &srv,
        &key,
        &id,
        "no_such_type",
        None,
        ("a.pdf", "application/pdf", PDF),
    )
    .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.error_fields(), vec!["type"]);
    let r = upload(
        &srv,
        &key,
        &id,
        "passport",
        Some("rel_nope"),
        ("a.pdf", "application/pdf", PDF),
    )
    .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.error_fields(), vec!["relationship_id"]);
    let list = srv
        .get(&format!("/api/applications/{id}/documents"), &key)
        .await;
    assert_eq!(
        list.json["data"].as_array().unwrap().len(),
        2,
        "refused uploads leave nothing"
    );

    // The catalogue says which reasons make a document invalid.
    let types = srv.get("/api/document_types", &key).await;
    assert_eq!(types.status, 200);
    let passport = types.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["type"] == "passport")
        .unwrap()
        .clone();
    let catalogue_reason = passport["invalid_reasons"][0].as_str().unwrap().to_string();

    // Validation status.
    let doc_path = format!("/api/applications/{id}/documents/{doc_id}");
    let r = srv
        .patch(&doc_path, &key, &json!({"status": "invalid"}))
        .await;
    assert_eq!(r.status, 422);
    assert!(r.is_problem());
    let r = srv
        .patch(
            &doc_path,
            &key,
            &json!({"status": "invalid", "reason": "not a reason"}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.json["detail"]
            .as_str()
            .unwrap()
            .contains(catalogue_reason.as_str()),
        "the refusal lists the reasons: {:?}",
        r.json
    );
    let r = srv
        .patch(
            &doc_path,
            &key,
            &json!({"status": "invalid", "reason": catalogue_reason}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json);
    assert_eq!(r.json["status"], "invalid");
    let app = srv.get(&format!("/api/applications/{id}"), &key).await;
    assert!(fired(&app.json).contains(&"rejected_documents".to_string()));

    // Other workspaces see nothing.
    let other = srv.other_workspace_key("other");
    assert_eq!(srv.get(&doc_path, &other).await.status, 404);
    assert_eq!(
        srv.get(&format!("{doc_path}/content"), &other).await.status,
        404
    );
    let r = upload(
        &srv,
        &other,
        &id,
        "passport",
        None,
        ("a.pdf", "application/pdf", PDF),
    )
    .await;
    assert_eq!(r.status, 404);
    assert_eq!(
        srv.patch(&doc_path, &other, &json!({"status": "valid"}))
            .await
            .status,
        404
    );

    // Soft delete.
    let r = srv
        .request("DELETE", &doc_path, Some(&key), None, &[])
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(srv.get(&doc_path, &key).await.status, 404);
    let list = srv
        .get(&format!("/api/applications/{id}/documents"), &key)
        .await;
    assert_eq!(list.json["data"].as_array().unwrap().len(), 1);
    let app = srv.get(&format!("/api/applications/{id}"), &key).await;
    assert!(
        app.json["documents"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["id"] != doc_id.as_str())
    );
    for kind in ["document.created", "document.updated", "document.deleted"] {
        let ev = srv.events(&key, kind, &id).await;
        assert!(!ev.is_empty(), "{kind}");
        assert!(ev[0]["data"]["object"]["id"].is_string(), "{kind}");
    }
    let activity = srv
        .get(&format!("/api/applications/{id}/activity?limit=100"), &key)
        .await;
    let deleted: Vec<&Value> = activity.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "document.deleted" && e["object_type"] == "document")
        .collect();
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0]["actor"]["kind"], "api_key");
}

/// Sends a request head without its body and returns the head of the answer.
async fn early_answer(srv: &TestServer, head: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = srv.base.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await.unwrap();
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&answer).into_owned()
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn templates_are_validated_on_save(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let list = srv.get("/api/templates", &key).await;
    assert_eq!(list.status, 200);
    let names: Vec<&str> = list.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["kyb_standard", "kyc_standard"]);
    let kyc = srv.get("/api/templates/kyc_standard", &key).await;
    assert_eq!(kyc.status, 200);
    assert_eq!(kyc.json["name"], "kyc_standard");
    assert_eq!(srv.get("/api/templates/nope", &key).await.status, 404);

    // Broken templates are refused with the path of the problem.
    let r = srv
        .send_json(
            "PUT",
            "/api/templates/kyb_standard",
            &key,
            &json!({"risk": {"rules": "((("}}),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.json);
    assert!(r.is_problem());
    let mut broken = kyc.json.clone();
    broken["risk"]["rules"][0]["condition"] = json!("application.person.nationality ==");
    let r = srv
        .send_json("PUT", "/api/templates/kyc_standard", &key, &broken)
        .await;
    assert_eq!(r.status, 422, "{:?}", r.json);
    assert!(
        r.error_fields()
            .iter()
            .any(|f| f.contains("risk.rules[0].condition")),
        "{:?}",
        r.json
    );
    let r = srv
        .send_json("PUT", "/api/templates/kyb_standard", &key, &kyc.json)
        .await;
    assert_eq!(r.status, 422, "a body named differently from the path");

    // A workspace override applies to its cases, and only to its own.
    let mut custom = kyc.json.clone();
    custom["version"] = json!(2);
    custom["risk"]["rules"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "spanish", "description": "Spanish national",
                     "condition": "application.person.nationality == 'ES'", "weight": 7}));
    let r = srv
        .send_json("PUT", "/api/templates/kyc_standard", &key, &custom)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json);
    let got = srv.get("/api/templates/kyc_standard", &key).await;
    assert_eq!(got.json["version"], 2);
    let es = srv.post("/api/applications", &key, &person("ES")).await;
    let fr = srv.post("/api/applications", &key, &person("FR")).await;
    assert_eq!(es.status, 201);
    assert_eq!(es.json["risk"]["template_version"], 2);
    assert!(fired(&es.json).contains(&"spanish".to_string()));
    assert_eq!(
        es.json["risk_score"].as_f64().unwrap(),
        fr.json["risk_score"].as_f64().unwrap() + 7.0
    );
    let other = srv.other_workspace_key("other");
    let theirs = srv.get("/api/templates/kyc_standard", &other).await;
    assert_eq!(theirs.json["version"], kyc.json["version"]);
    // A case naming an unknown template is refused.
    let mut body = person("FR");
    body["template"] = json!("nope");
    let r = srv.post("/api/applications", &key, &body).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.error_fields(), vec!["template"]);
}

async fn country_risk_moves_the_score(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let fr = srv
        .post("/api/applications", &key, &person("FR"))
        .await
        .json;
    let ir = srv
        .post("/api/applications", &key, &person("IR"))
        .await
        .json;
    let score = |v: &Value| v["risk_score"].as_f64().unwrap();
    assert!(
        score(&ir) > score(&fr),
        "IR {} vs FR {}",
        score(&ir),
        score(&fr)
    );
    assert_eq!(ir["risk_level"], "high");
    assert!(
        fired(&ir).contains(&"nationality_high".to_string()),
        "{}",
        ir["risk"]
    );
    assert!(!fired(&fr).contains(&"nationality_high".to_string()));
    // A high-risk case needs enhanced due diligence.
    assert_eq!(task(&ir, "enhanced_due_diligence")["active"], true);
    assert_eq!(task(&fr, "enhanced_due_diligence")["active"], false);

    let id = fr["id"].as_str().unwrap();
    let moved = srv
        .patch(
            &format!("/api/applications/{id}"),
            &key,
            &json!({"person": {"nationality": "KP", "country_of_residence": "KP"}}),
        )
        .await;
    assert_eq!(moved.status, 200);
    assert!(score(&moved.json) > score(&fr));
    assert_eq!(moved.json["risk_level"], "high");
    let ev = srv.events(&key, "application.risk_updated", id).await;
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["data"]["object"]["risk_level"], "high");

    // Manual adjustments, with a reason, join the explanation and the history.
    let r = srv
        .post(
            &format!("/api/applications/{id}/risk_adjustments"),
            &key,
            &json!({"points": 5, "reason": ""}),
        )
        .await;
    assert_eq!(r.status, 422);
    let r = srv
        .post(
            &format!("/api/applications/{id}/risk_adjustments"),
            &key,
            &json!({"points": 5, "reason": "known to the branch"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.json);
    assert_eq!(score(&r.json), score(&moved.json) + 5.0);
    assert!(
        r.json["risk"]["explanation"]
            .to_string()
            .contains("known to the branch")
    );
    let history = srv
        .get(&format!("/api/applications/{id}/risk_history"), &key)
        .await;
    let entries = history.json["data"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0]["cause"], "risk.adjusted");
    assert_eq!(entries[2]["cause"], "application.created");

    // A high-risk case is reserved for qualified reviewers: an automation is refused.
    let r = srv
        .post(
            &format!("/api/applications/{}/decision", ir["id"].as_str().unwrap()),
            &key,
            &json!({"status_review": "rejected", "reason": "too risky"}),
        )
        .await;
    assert!(r.status == 403 || r.status == 409, "{:?}", r.json);
    assert!(r.is_problem());
}

/// A template whose policy wants four eyes on every approval: the first key's approval waits (200 with
/// `pending_approval`),
/// the same key cannot complete it, a second key does.
async fn four_eyes_needs_a_second_approver(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    // A case is done only once screened, which needs a watchlist.
    srv.import_watchlist("ftm", common::FTM_SAMPLE);
    let second = srv.apikey(&[]);
    let mut kyc = srv.get("/api/templates/kyc_standard", &key).await.json;
    kyc["policy"]["four_eyes"] = json!({"condition": "true"});
    let r = srv
        .send_json("PUT", "/api/templates/kyc_standard", &key, &kyc)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json);
    let mut body = person("FR");
    body["person"]["address"] =
        json!({"line1": "1 rue X", "city": "Lyon", "postal_code": "69001", "country": "FR"});
    let created = srv.post("/api/applications", &key, &body).await;
    assert_eq!(created.status, 201, "{:?}", created.json);
    let id = created.json["id"].as_str().unwrap().to_string();
    assert_eq!(created.json["review_requirements"]["four_eyes"], true);
    for (doc_type, name) in [("passport", "p.pdf"), ("proof_of_address", "a.pdf")] {
        let r = upload(
            &srv,
            &key,
            &id,
            doc_type,
            None,
            (name, "application/pdf", PDF),
        )
        .await;
        assert_eq!(r.status, 201, "{:?}", r.json);
        let doc = r.json["id"].as_str().unwrap();
        let r = srv
            .patch(
                &format!("/api/applications/{id}/documents/{doc}"),
                &key,
                &json!({"status": "valid"}),
            )
            .await;
        assert_eq!(r.status, 200);
    }
    let app = srv.screened(&key, &id).await;
    assert_eq!(app["status_execution"], "done", "{}", app["tasks"]);
    let path = format!("/api/applications/{id}/decision");
    let approval = json!({"status_review": "approved", "reason": "verified"});
    let first = srv.post(&path, &key, &approval).await;
    assert_eq!(first.status, 200, "{:?}", first.json);
    assert_eq!(first.json["status_review"], "pending", "{:?}", first.json);
    assert!(
        first.json["pending_approval"].is_object(),
        "{:?}",
        first.json
    );
    assert_eq!(first.json["status_review"], "pending");
    assert!(first.json["pending_approval"]["by"].is_string());
    let same = srv.post(&path, &key, &approval).await;
    assert_eq!(same.status, 409);
    assert!(same.is_problem());
    let done = srv.post(&path, &second, &approval).await;
    assert_eq!(done.status, 200, "{:?}", done.json);
    assert_eq!(done.json["status_review"], "approved");
    assert!(done.json["decision"]["second_approver"].is_string());
    assert_eq!(
        done.json["decision"]["first_approval"]["by"],
        first.json["pending_approval"]["by"]
    );
    assert!(done.json["pending_approval"].is_null());
    // One precision for every timestamp the case carries (`decided_at`, `decision.decided_at`,
    // `decision.first_approval.at`, `created_at`…), in the answer and once stored.
    let stored = srv.get(&format!("/api/applications/{id}"), &key).await.json;
    for json in [&done.json, &stored] {
        let digits = fraction_digits(&json.to_string());
        assert!(digits.len() >= 4, "{digits:?}");
        assert!(
            digits.iter().all(|d| *d == digits[0]),
            "{digits:?} in {json}"
        );
    }
    assert_eq!(stored["decided_at"], stored["decision"]["decided_at"]);
    let review = srv.events(&key, "application.review_updated", &id).await;
    assert_eq!(review.len(), 2, "the first approval and the decision");
}

/// Every route of this capability is in the OpenAPI description.
async fn the_new_routes_are_described(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let spec = srv
        .request("GET", "/api/openapi.json", None, None, &[])
        .await
        .json;
    for path in [
        "/api/applications/{id}/documents",
        "/api/applications/{id}/documents/{doc_id}",
        "/api/applications/{id}/documents/{doc_id}/content",
        "/api/applications/{id}/tasks/{task_id}/run",
        "/api/applications/{id}/tasks/{task_id}/clear",
        "/api/applications/{id}/risk_adjustments",
        "/api/applications/{id}/risk_history",
        "/api/applications/{id}/decision",
        "/api/templates",
        "/api/templates/{name}",
        "/api/document_types",
    ] {
        assert!(spec["paths"][path].is_object(), "{path} is not described");
    }
    for schema in ["Document", "Task", "RiskAssessment", "DecisionRequest"] {
        assert!(
            spec["components"]["schemas"][schema].is_object(),
            "{schema}"
        );
    }
}

/// A corporate director (a French SAS's président) is accepted, checked with business fields, screened
/// as a business; a business signatory is still refused.
async fn a_business_may_be_a_director(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let mut body = company();
    body["relationships"][0]["roles"] = json!(["signatory"]);
    body["relationships"].as_array_mut().unwrap().push(
        json!({"kind": "business", "roles": ["director", "legal_representative"],
               "business": {"name": "Gestion Présidence SAS", "country": "FR"}}),
    );
    let created = srv.post("/api/applications", &key, &body).await;
    assert_eq!(created.status, 201, "{:?}", created.json);
    let app = created.json;
    let director = app["relationships"][2]["id"].as_str().unwrap().to_string();
    for t in app["tasks"].as_array().unwrap() {
        assert_ne!(t["result"], "error", "{t}");
    }
    let completeness = task(&app, "data_completeness");
    let paths: Vec<&str> = completeness["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["relationship_id"] == director.as_str())
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert_eq!(
        paths,
        [format!(
            "relationships[{director}].business.registration_number"
        )],
        "{completeness}"
    );
    assert!(
        app["expected_documents"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["relationship_id"] == director.as_str()
                && d["requirement_id"] == "corporate_director_registration"),
        "{}",
        app["expected_documents"]
    );

    let mut signatory = company();
    signatory["relationships"][1]["roles"] = json!(["shareholder", "signatory"]);
    signatory["relationships"][0]["roles"] = json!(["director"]);
    let refused = srv.post("/api/applications", &key, &signatory).await;
    assert_eq!(refused.status, 422, "{:?}", refused.json);
    assert_eq!(refused.error_fields(), ["relationships[1].roles"]);
    let id = app["id"].as_str().unwrap();
    let patched = srv
        .patch(
            &format!("/api/applications/{id}/relationships/{director}"),
            &key,
            &json!({"roles": ["director", "signatory"]}),
        )
        .await;
    assert_eq!(patched.status, 422, "{:?}", patched.json);
}

/// A workspace's `required` custom fields hold the data completeness check, on the case and per party.
async fn required_custom_fields_are_enforced_by_data_completeness(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let mut body = company();
    body["business"]["legal_form"] = json!("SARL");
    let before = srv.post("/api/applications", &key, &body).await;
    assert_eq!(before.status, 201, "{:?}", before.json);
    let completeness = task(&before.json, "data_completeness");
    assert_eq!(completeness["result"], "clear", "{completeness}");

    for field in [
        json!({"api_name": "channel", "label": "Channel", "type": "text", "required": true,
               "applies_to": ["application"]}),
        json!({"api_name": "employee_id", "label": "Employee id", "type": "text", "required": true,
               "applies_to": ["relationship"]}),
    ] {
        let r = srv.post("/api/custom_fields", &key, &field).await;
        assert_eq!(r.status, 201, "{:?}", r.json);
    }
    let created = srv.post("/api/applications", &key, &body).await;
    assert_eq!(created.status, 201, "{:?}", created.json);
    let app = created.json;
    let completeness = task(&app, "data_completeness");
    assert_ne!(completeness["result"], "clear", "{completeness}");
    let paths = |t: &Value| -> Vec<String> {
        t["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["path"].as_str().map(str::to_string))
            .collect()
    };
    let found = paths(completeness);
    assert!(
        found.contains(&"custom_fields.channel".to_string()),
        "{completeness}"
    );
    // Every one of the four parties lacks its employee id.
    assert_eq!(
        found
            .iter()
            .filter(|p| p.ends_with(".custom_fields.employee_id"))
            .count(),
        4,
        "{completeness}"
    );
    assert!(completeness.to_string().contains("channel"));

    let id = app["id"].as_str().unwrap();
    let patched = srv
        .patch(
            &format!("/api/applications/{id}"),
            &key,
            &json!({"custom_fields": {"channel": "web"}}),
        )
        .await;
    assert_eq!(patched.status, 200, "{:?}", patched.json);
    let found = paths(task(&patched.json, "data_completeness"));
    assert!(
        !found.contains(&"custom_fields.channel".to_string()),
        "{found:?}"
    );
    assert_eq!(found.len(), 4, "{found:?}");
}

both_backends!(
    a_company_goes_from_tasks_to_a_decision,
    tasks_are_cleared_with_a_comment_and_rerun,
    documents_are_sniffed_limited_and_served,
    templates_are_validated_on_save,
    country_risk_moves_the_score,
    four_eyes_needs_a_second_approver,
    the_new_routes_are_described,
    a_business_may_be_a_director,
    required_custom_fields_are_enforced_by_data_completeness,
);
