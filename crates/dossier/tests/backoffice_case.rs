//! The back-office's case page over HTTP, on SQLite and PostgreSQL, driven as a browser without
//! JavaScript would: the page shows the case (profile, ownership tree with effective ownership,
//! documents, tasks, screening hits beside their list entries, risk, timeline by user name), and
//! each of its forms — profile, custom fields, document review, task rerun and clearing, hit
//! review, risk adjustment, request for information, decision — changes the case through the
//! application layer (audited under the user) and comes back to the page; bad input comes back on
//! its form; a post without the session's token or from another site, by a read-only user, or on
//! another workspace's ids changes nothing.

mod common;

use common::{Backend, FTM_SAMPLE, TestServer};
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

/// A signed-in analyst's browser without JavaScript: its session cookie, no redirects followed.
struct Analyst {
    http: reqwest::Client,
    base: String,
    cookie: String,
}

struct Page {
    status: u16,
    headers: HeaderMap,
    text: String,
}

impl Page {
    fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    fn csrf(&self) -> String {
        let at = self
            .text
            .find("name=\"_csrf\" value=\"")
            .expect("a CSRF field")
            + 20;
        self.text[at..].split('"').next().unwrap().to_string()
    }
}

/// Creates a user with the CLI; its password is the last word of the output.
fn user(srv: &TestServer, email: &str, name: &str, role: &str, workspace: &str) -> String {
    let out = srv.cli(&[
        "user",
        "create",
        "--email",
        email,
        "--name",
        name,
        "--role",
        role,
        "--workspace",
        workspace,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .last()
        .unwrap()
        .to_string()
}

impl Analyst {
    async fn sign_in(srv: &TestServer, email: &str, password: &str) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let resp = http
            .post(format!("{}/login", srv.base))
            .header("origin", &srv.base)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string([("email", email), ("password", password)]).unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 303, "sign-in of {email}");
        let cookie = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|c| c.to_str().ok())
            .find_map(|c| c.strip_prefix("dossier_session="))
            .expect("a session cookie")
            .split(';')
            .next()
            .unwrap()
            .to_string();
        Self {
            http,
            base: srv.base.clone(),
            cookie,
        }
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Page {
        let resp = req
            .header("cookie", format!("dossier_session={}", self.cookie))
            .send()
            .await
            .unwrap();
        Page {
            status: resp.status().as_u16(),
            headers: resp.headers().clone(),
            text: resp.text().await.unwrap_or_default(),
        }
    }

    async fn get(&self, path: &str) -> Page {
        self.send(self.http.get(format!("{}{path}", self.base)))
            .await
    }

    async fn get_fr(&self, path: &str) -> Page {
        self.send(
            self.http
                .get(format!("{}{path}", self.base))
                .header("accept-language", "fr-FR,fr;q=0.9"),
        )
        .await
    }

    /// A form post from our origin, with the session's CSRF token (read from `path_for_token`).
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.token().await;
        let mut all: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all, Some(&self.base.clone())).await
    }

    async fn post_raw(&self, path: &str, fields: &[(&str, &str)], origin: Option<&str>) -> Page {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(fields).unwrap());
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        self.send(req).await
    }

    async fn token(&self) -> String {
        let page = self.get("/cases").await;
        assert_eq!(page.status, 200, "{}", page.text);
        page.csrf()
    }
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

/// Uploads a PDF for the case's subject.
async fn upload(srv: &TestServer, key: &str, id: &str, kind: &str) -> String {
    srv.upload_file(key, id, kind, None, ("extract.pdf", "application/pdf", PDF))
        .await
}

/// A company held by a holding (60 %) held by Vitaly Kuzmenko (80 %, on the EU FSF sample), with a
/// director: Kuzmenko's effective ownership is 48 %.
fn company() -> Value {
    json!({
        "type": "business",
        "business": {"name": "Bravo Logistics SARL", "registration_number": "552100554", "country": "FR"},
        "relationships": [
            {"kind": "business", "roles": ["shareholder"], "ownership_percentage": 60,
             "business": {"name": "Holding Alpha SA", "country": "LU"},
             "relationships": [
                {"kind": "person", "roles": ["ubo"], "ownership_percentage": 80,
                 "person": {"first_name": "Vitaly", "last_name": "Kuzmenko", "birth_date": "1971-01-22",
                            "nationality": "RU"}}
             ]},
            {"kind": "person", "roles": ["director"],
             "person": {"first_name": "Claire", "last_name": "Martin", "nationality": "FR"}}
        ]
    })
}

/// The collect's link on the page (minijinja writes `/` as `&#x2f;` in attributes).
fn shown_link(html: &str) -> Option<String> {
    let at = html.find("id=\"collect-link\"")?;
    let value = html[at..].split("value=\"").nth(1)?.split('"').next()?;
    Some(value.replace("&#x2f;", "/"))
}

async fn activity(srv: &TestServer, key: &str, id: &str) -> Vec<Value> {
    let r = srv
        .get(&format!("/api/applications/{id}/activity?limit=100"), key)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json);
    r.json["data"].as_array().unwrap().clone()
}

/// The newest audit entry of `action`, which must be the user's.
async fn audited_by(srv: &TestServer, key: &str, id: &str, action: &str, user_id: &str) -> Value {
    let entries = activity(srv, key, id).await;
    let e = entries
        .iter()
        .find(|e| e["action"] == action)
        .unwrap_or_else(|| {
            let actions: Vec<&Value> = entries.iter().map(|e| &e["action"]).collect();
            panic!("no {action} in {actions:?}")
        })
        .clone();
    assert_eq!(e["actor"]["kind"], "user", "{e}");
    assert_eq!(e["actor"]["id"], user_id, "{e}");
    e
}

async fn user_id(srv: &TestServer, key: &str, id: &str, action: &str) -> String {
    activity(srv, key, id)
        .await
        .iter()
        .find(|e| e["action"] == action)
        .map(|e| e["actor"]["id"].as_str().unwrap().to_string())
        .unwrap()
}

fn task_key<'a>(app: &'a Value, kind: &str) -> &'a str {
    app["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == kind)
        .and_then(|t| t["key"].as_str())
        .unwrap_or_else(|| panic!("no {kind} task in {}", app["tasks"]))
}

async fn the_case_page_shows_the_case_and_each_form_changes_it(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let r = srv
        .post(
            "/api/custom_fields",
            &key,
            &json!({"api_name": "account_id", "label": "Account", "type": "text", "applies_to": ["application"]}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.json);
    srv.import_watchlist("ftm", FTM_SAMPLE);
    let mut body = company();
    body["custom_fields"] = json!({"account_id": "AC-1"});
    let r = srv.post("/api/applications", &key, &body).await;
    assert_eq!(r.status, 201, "{:?}", r.json);
    let id = r.json["id"].as_str().unwrap().to_string();
    let app = srv.screened(&key, &id).await;
    let doc = upload(&srv, &key, &id, "certificate_of_incorporation").await;

    let password = user(
        &srv,
        "anna@example.com",
        "Anna Reviewer",
        "qualified_reviewer",
        "default",
    );
    let anna = Analyst::sign_in(&srv, "anna@example.com", &password).await;

    // The page.
    let page = anna.get(&format!("/cases/{id}")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-src 'self'"), "{csp}");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let html = &page.text;
    for part in [
        "Bravo Logistics SARL",
        "552100554",
        "Holding Alpha SA",
        "Vitaly Kuzmenko",
        // 60 % × 80 %, as the engine computed it, through its chain.
        "48% effective",
        "Vitaly Kuzmenko → Holding Alpha SA → Bravo Logistics SARL: 48%",
        "AC-1",
        "Certificate of incorporation",
        "Screening hits",
        "The list entry",
        "How the score is made",
        "Case created",
        "Keyboard shortcuts",
    ] {
        assert!(html.contains(part), "the case page lacks {part:?}");
    }
    assert!(
        html.contains(&format!(
            "<iframe src=\"/cases/{id}/documents/{doc}/content\""
        )),
        "a preview frame (sandboxed by the content's policy)"
    );
    // Evidence is read as labelled values, not as JSON.
    assert!(!html.contains("{&quot;"), "raw JSON on the page");
    // In French too.
    let fr = anna.get_fr(&format!("/cases/{id}")).await;
    assert_eq!(fr.status, 200);
    assert!(fr.text.contains("Alertes de filtrage"), "the French page");
    assert!(fr.text.contains("Dossier créé"));

    // The preview: the document's bytes, sandboxed, framed by our pages only.
    let content = anna
        .get(&format!("/cases/{id}/documents/{doc}/content"))
        .await;
    assert_eq!(content.status, 200);
    assert_eq!(content.headers["content-type"], "application/pdf");
    assert_eq!(
        content.headers["content-security-policy"],
        "sandbox; default-src 'none'; frame-ancestors 'self'"
    );
    assert_eq!(content.headers["x-content-type-options"], "nosniff");
    assert!(content.text.starts_with("%PDF"));

    // Profile: a bad country comes back on its field, in the form; a good one is saved.
    let edit = anna.get(&format!("/cases/{id}/edit")).await;
    assert_eq!(edit.status, 200, "{}", edit.text);
    assert!(edit.text.contains("name=\"business.name\""));
    assert!(edit.text.contains("name=\"custom_fields.account_id\""));
    let bad = anna
        .post(
            &format!("/cases/{id}/profile"),
            &[
                ("business.name", "Bravo Logistics SAS"),
                ("business.country", "XX"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(
        bad.text.contains("id=\"field-business-country-error\""),
        "{}",
        bad.text
    );
    assert!(
        bad.text.contains("value=\"Bravo Logistics SAS\""),
        "the input is kept"
    );
    let saved = anna
        .post(
            &format!("/cases/{id}/profile"),
            &[
                ("business.name", "Bravo Logistics SAS"),
                ("business.registration_number", "552100554"),
                ("business.country", "FR"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    assert_eq!(
        saved.location(),
        format!("/cases/{id}?done=profile#profile")
    );
    let anna_id = user_id(&srv, &key, &id, "application.updated").await;
    audited_by(&srv, &key, &id, "application.updated", &anna_id).await;
    let now = srv.get(&format!("/api/applications/{id}"), &key).await.json;
    assert_eq!(now["business"]["name"], "Bravo Logistics SAS");
    let back = anna.get(saved.location()).await;
    assert!(back.text.contains("The profile is saved."));

    let saved = anna
        .post(
            &format!("/cases/{id}/custom-fields"),
            &[("custom_fields.account_id", "AC-2")],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let now = srv.get(&format!("/api/applications/{id}"), &key).await.json;
    assert_eq!(now["custom_fields"]["account_id"], "AC-2");

    // A document: invalid needs a reason of the type's catalogue.
    let path = format!("/cases/{id}/documents/{doc}/review");
    let bad = anna
        .post(&path, &[("status", "invalid"), ("reason", "")])
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(
        bad.text
            .contains(&format!("id=\"doc-{doc}-field-reason-error\"")),
        "{}",
        bad.text
    );
    let bad = anna
        .post(&path, &[("status", "invalid"), ("reason", "not_a_reason")])
        .await;
    assert_eq!(bad.status, 422);
    let done = anna
        .post(&path, &[("status", "invalid"), ("reason", "too_old")])
        .await;
    assert_eq!(done.status, 303, "{}", done.text);
    let d = srv
        .get(&format!("/api/applications/{id}/documents/{doc}"), &key)
        .await
        .json;
    assert_eq!(
        (d["status"].as_str(), d["reason"].as_str()),
        (Some("invalid"), Some("too_old"))
    );
    audited_by(&srv, &key, &id, "document.updated", &anna_id).await;
    let page = anna.get(&format!("/cases/{id}")).await;
    assert!(
        page.text.contains("Invalid: Too old."),
        "the reason, translated"
    );

    // Tasks: rerun, and clear with a comment (not without one; not an unknown task).
    let run = task_key(&app, "data_completeness");
    let r = anna
        .post(&format!("/cases/{id}/tasks/{run}/run"), &[])
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert_eq!(
        r.location(),
        format!("/cases/{id}?done=task_run#task-{run}")
    );
    let kyb = task_key(&app, "documents_collected");
    let r = anna
        .post(
            &format!("/cases/{id}/tasks/{kyb}/clear"),
            &[("comment", "  ")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(
        r.text
            .contains(&format!("id=\"task-{kyb}-field-comment-error\"")),
        "{}",
        r.text
    );
    let r = anna
        .post(
            &format!("/cases/{id}/tasks/{kyb}/clear"),
            &[("comment", "Checked on the register by phone.")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let cleared = audited_by(&srv, &key, &id, "task.cleared", &anna_id).await;
    assert!(
        cleared
            .to_string()
            .contains("Checked on the register by phone.")
    );
    let r = anna
        .post(
            &format!("/cases/{id}/tasks/no_such_task/clear"),
            &[("comment", "x")],
        )
        .await;
    assert_eq!(r.status, 404);
    // A screening task is settled by its hits: refused on its form.
    let screening = task_key(&app, "screening");
    let r = anna
        .post(
            &format!("/cases/{id}/tasks/{screening}/clear"),
            &[("comment", "x")],
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);

    // The hit: beside its list entry; dismissed with a comment, and then remembered.
    let hits = srv
        .get(&format!("/api/applications/{id}/screening/hits"), &key)
        .await
        .json;
    let hit = hits["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["party_name"] == "Vitaly Kuzmenko")
        .unwrap_or_else(|| panic!("no hit for Kuzmenko: {hits}"))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let page = anna.get(&format!("/cases/{id}")).await;
    assert!(page.text.contains(&format!("id=\"hit-{hit}\"")));
    assert!(
        page.text.contains("1971-01-22"),
        "the dates of birth side by side"
    );
    let path = format!("/cases/{id}/hits/{hit}/review");
    let r = anna
        .post(&path, &[("status", "false_positive"), ("comment", "")])
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let r = anna
        .post(&path, &[("status", "maybe"), ("comment", "x")])
        .await;
    assert_eq!(r.status, 422);
    let r = anna
        .post(
            &path,
            &[
                ("status", "false_positive"),
                ("comment", "Another man: other father's name."),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    audited_by(&srv, &key, &id, "screening_hit.reviewed", &anna_id).await;
    let page = anna.get(&format!("/cases/{id}")).await;
    assert!(page.text.contains("Remembered false positive"));
    assert!(page.text.contains("Another man: other father&#x27;s name."));

    // Risk: points must be a number, with a reason.
    let r = anna
        .post(
            &format!("/cases/{id}/risk"),
            &[("points", "ten"), ("reason", "x")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.text.contains("id=\"risk-field-points-error\""));
    let r = anna
        .post(
            &format!("/cases/{id}/risk"),
            &[("points", "15"), ("reason", "")],
        )
        .await;
    assert_eq!(r.status, 422);
    let before = srv.get(&format!("/api/applications/{id}"), &key).await.json["risk_score"]
        .as_f64()
        .unwrap();
    let r = anna
        .post(
            &format!("/cases/{id}/risk"),
            &[("points", "+15"), ("reason", "Cash-intensive activity.")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let after = srv.get(&format!("/api/applications/{id}"), &key).await.json["risk_score"]
        .as_f64()
        .unwrap();
    assert_eq!(after, before + 15.0);
    audited_by(&srv, &key, &id, "risk.adjusted", &anna_id).await;
    let page = anna.get(&format!("/cases/{id}")).await;
    assert!(page.text.contains("Cash-intensive activity."));
    assert!(
        page.text.contains("Risk adjusted"),
        "the timeline names the action"
    );
    assert!(
        page.text.contains("Anna Reviewer"),
        "the timeline names the user"
    );

    // Request information: the link once, then the rounds' history.
    let form = anna.get(&format!("/cases/{id}/request")).await;
    assert_eq!(form.status, 200, "{}", form.text);
    assert!(
        form.text.contains(&format!("value=\"doc:{doc}\"")),
        "the invalid document to replace"
    );
    let r = anna
        .post(&format!("/cases/{id}/request"), &[("mode", "open")])
        .await;
    assert_eq!(r.status, 422, "nothing asked: {}", r.text);
    let r = anna
        .post(
            &format!("/cases/{id}/request"),
            &[
                ("mode", "open"),
                ("document", &format!("doc:{doc}")),
                ("message", "One more document, please."),
                ("reason", "The extract must be less than 3 months old."),
                ("note", "INTERNAL: register shows a change of address"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let link = shown_link(&r.text).expect("the link, once");
    assert!(
        link.starts_with(&format!("{}/portals/", srv.base)),
        "{link}"
    );
    let collect = audited_by(&srv, &key, &id, "collect.opened", &anna_id).await;
    assert!(
        !collect
            .to_string()
            .contains(link.rsplit('/').next().unwrap()),
        "no token in the audit"
    );
    let again = anna.get(&format!("/cases/{id}/request")).await;
    assert_eq!(shown_link(&again.text), None, "the link is shown once");
    assert!(
        again
            .text
            .contains("INTERNAL: register shows a change of address")
    );
    assert!(again.text.contains("name=\"mode\" value=\"reopen\""));
    let page = anna.get(&format!("/cases/{id}")).await;
    assert!(page.text.contains("Information asked of the client"));
    let r = anna
        .post(
            &format!("/cases/{id}/request"),
            &[("mode", "open"), ("step", "details")],
        )
        .await;
    assert_eq!(r.status, 409, "a second open collect: {}", r.text);
    let r = anna
        .post(
            &format!("/cases/{id}/request"),
            &[("mode", "reopen"), ("step", "details")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(shown_link(&r.text).is_some_and(|l| l != link), "a new link");
    audited_by(&srv, &key, &id, "collect.reopened", &anna_id).await;

    // The decision: a qualified reviewer decides before the tasks are done only by saying so.
    let r = anna
        .post(
            &format!("/cases/{id}/decision"),
            &[("status_review", "approved"), ("reason", "ok")],
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(
        r.text.contains("This decision is not allowed"),
        "{}",
        r.text
    );
    assert!(
        r.text
            .contains("To decide anyway, tick “Decide although tasks are not done”"),
        "the policy's refusal, in the page's words: {}",
        r.text
    );
    let r = anna
        .post(
            &format!("/cases/{id}/decision"),
            &[
                ("status_review", "rejected"),
                ("reason", "Ownership not documented."),
                ("override_open_tasks", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    audited_by(&srv, &key, &id, "application.decided", &anna_id).await;
    let page = anna.get(&format!("/cases/{id}")).await;
    assert!(page.text.contains("Ownership not documented."));
    assert!(
        !page
            .text
            .contains(&format!("action=\"/cases/{id}/decision\"")),
        "no second decision"
    );
}

/// Four eyes: the first approval shows, by name, and the second must be someone else's.
async fn four_eyes_needs_a_second_different_user(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    // A person case whose template wants four eyes on every approval.
    let mut template = srv.get("/api/templates/kyc_standard", &key).await.json;
    template["name"] = json!("kyc_four_eyes");
    template["policy"]["four_eyes"] = json!({"condition": "true"});
    let r = srv
        .send_json("PUT", "/api/templates/kyc_four_eyes", &key, &template)
        .await;
    assert!(r.status == 200 || r.status == 201, "{:?}", r.json);
    let r = srv
        .post(
            "/api/applications",
            &key,
            &json!({"type": "person", "template": "kyc_four_eyes",
                    "person": {"first_name": "Claire", "last_name": "Martin", "nationality": "FR"}}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.json);
    let id = r.json["id"].as_str().unwrap().to_string();

    let p1 = user(
        &srv,
        "ann@example.com",
        "Ann First",
        "qualified_reviewer",
        "default",
    );
    let p2 = user(
        &srv,
        "bob@example.com",
        "Bob Second",
        "qualified_reviewer",
        "default",
    );
    let ann = Analyst::sign_in(&srv, "ann@example.com", &p1).await;
    let bob = Analyst::sign_in(&srv, "bob@example.com", &p2).await;
    let approve = [
        ("status_review", "approved"),
        ("reason", "Identity checked."),
        ("override_open_tasks", "yes"),
    ];
    let r = ann.post(&format!("/cases/{id}/decision"), &approve).await;
    assert_eq!(r.status, 303, "{}", r.text);
    let page = bob.get(&format!("/cases/{id}")).await;
    assert!(
        page.text.contains("First approval by Ann First"),
        "{}",
        page.text
    );
    assert!(
        page.text.contains("First approval (four eyes)"),
        "in the timeline"
    );
    let mine = ann.get(&format!("/cases/{id}")).await;
    assert!(mine.text.contains("You gave the first approval"));
    let r = ann.post(&format!("/cases/{id}/decision"), &approve).await;
    assert_eq!(r.status, 409, "the same user twice: {}", r.text);
    assert!(r.text.contains("someone else than the first"), "{}", r.text);
    let r = bob.post(&format!("/cases/{id}/decision"), &approve).await;
    assert_eq!(r.status, 303, "{}", r.text);
    let app = srv.get(&format!("/api/applications/{id}"), &key).await.json;
    assert_eq!(app["status_review"], "approved");
    let page = bob.get(&format!("/cases/{id}")).await;
    assert!(
        page.text.contains("First approval by Ann First"),
        "{}",
        page.text
    );
}

/// Every form refuses what is not a signed-in analyst's own post on the analyst's own data, and
/// changes nothing.
async fn forms_refuse_forgery_read_only_users_and_other_workspaces(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let r = srv.post("/api/applications", &key, &company()).await;
    let id = r.json["id"].as_str().unwrap().to_string();
    let doc = upload(&srv, &key, &id, "certificate_of_incorporation").await;
    let app = srv.get(&format!("/api/applications/{id}"), &key).await.json;
    let kyb = task_key(&app, "documents_collected").to_string();

    let other_key = srv.other_workspace_key("other");
    let r = srv.post("/api/applications", &other_key, &company()).await;
    let other_id = r.json["id"].as_str().unwrap().to_string();
    let other_doc = upload(&srv, &other_key, &other_id, "certificate_of_incorporation").await;

    let pw = user(
        &srv,
        "rita@example.com",
        "Rita Reviewer",
        "reviewer",
        "default",
    );
    let rita = Analyst::sign_in(&srv, "rita@example.com", &pw).await;
    let pw = user(
        &srv,
        "olga@example.com",
        "Olga Observer",
        "read_only",
        "default",
    );
    let olga = Analyst::sign_in(&srv, "olga@example.com", &pw).await;

    let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            format!("/cases/{id}/profile"),
            vec![("business.name", "Changed")],
        ),
        (format!("/cases/{id}/custom-fields"), vec![]),
        (
            format!("/cases/{id}/documents/{doc}/review"),
            vec![("status", "valid")],
        ),
        (format!("/cases/{id}/tasks/{kyb}/run"), vec![]),
        (
            format!("/cases/{id}/tasks/{kyb}/clear"),
            vec![("comment", "fine")],
        ),
        (
            format!("/cases/{id}/risk"),
            vec![("points", "5"), ("reason", "because")],
        ),
        (
            format!("/cases/{id}/request"),
            vec![("mode", "open"), ("step", "details")],
        ),
        (
            format!("/cases/{id}/decision"),
            vec![("status_review", "rejected"), ("reason", "no")],
        ),
    ];
    let audit_len = activity(&srv, &key, &id).await.len();
    let token = rita.token().await;
    for (path, fields) in &posts {
        // No CSRF token.
        let r = rita.post_raw(path, fields, Some(&rita.base)).await;
        assert_eq!(r.status, 403, "{path} without a token");
        // A wrong one.
        let mut forged = vec![("_csrf", "not-the-token")];
        forged.extend_from_slice(fields);
        let r = rita.post_raw(path, &forged, Some(&rita.base)).await;
        assert_eq!(r.status, 403, "{path} with a wrong token");
        // Another site's page.
        let mut with = vec![("_csrf", token.as_str())];
        with.extend_from_slice(fields);
        let r = rita
            .post_raw(path, &with, Some("https://evil.example"))
            .await;
        assert_eq!(r.status, 403, "{path} from another site");
        // A NUL byte.
        let mut nul = with.clone();
        nul.push(("comment", "a\0b"));
        let r = rita.post_raw(path, &nul, Some(&rita.base)).await;
        assert_eq!(r.status, 400, "{path} with a NUL byte");
        // A read-only user: not allowed.
        let r = olga.post(path, fields).await;
        assert_eq!(r.status, 403, "{path} by a read-only user: {}", r.text);
    }
    assert_eq!(
        activity(&srv, &key, &id).await.len(),
        audit_len,
        "nothing changed"
    );
    let now = srv.get(&format!("/api/applications/{id}"), &key).await.json;
    assert_eq!(now["business"]["name"], "Bravo Logistics SARL");

    // A read-only user sees the case, without its forms.
    let page = olga.get(&format!("/cases/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(
        !page.text.contains("method=\"post\" action=\"/cases/"),
        "no form for a read-only user"
    );
    assert!(
        page.text
            .contains("Your role can look at this case, not change it.")
    );
    assert_eq!(olga.get(&format!("/cases/{id}/edit")).await.status, 403);
    assert_eq!(olga.get(&format!("/cases/{id}/request")).await.status, 403);

    // Another workspace's case, document or hit: not found, whatever the form.
    assert_eq!(rita.get(&format!("/cases/{other_id}")).await.status, 404);
    assert_eq!(
        rita.get(&format!("/cases/{other_id}/edit")).await.status,
        404
    );
    assert_eq!(
        rita.get(&format!("/cases/{other_id}/documents/{other_doc}/content"))
            .await
            .status,
        404
    );
    assert_eq!(
        rita.get(&format!("/cases/{id}/documents/{other_doc}/content"))
            .await
            .status,
        404
    );
    let other_audit = activity(&srv, &other_key, &other_id).await.len();
    for (path, fields) in [
        (
            format!("/cases/{other_id}/profile"),
            vec![("business.name", "Changed")],
        ),
        (
            format!("/cases/{other_id}/documents/{other_doc}/review"),
            vec![("status", "valid")],
        ),
        (
            format!("/cases/{id}/documents/{other_doc}/review"),
            vec![("status", "valid")],
        ),
        (
            format!("/cases/{other_id}/tasks/{kyb}/clear"),
            vec![("comment", "fine")],
        ),
        (
            format!("/cases/{other_id}/risk"),
            vec![("points", "5"), ("reason", "because")],
        ),
        (
            format!("/cases/{id}/hits/hit_doesnotexist/review"),
            vec![("status", "false_positive"), ("comment", "x")],
        ),
        (
            format!("/cases/{other_id}/request"),
            vec![("mode", "open"), ("step", "details")],
        ),
        (
            format!("/cases/{other_id}/decision"),
            vec![("status_review", "rejected"), ("reason", "no")],
        ),
    ] {
        let r = rita.post(&path, &fields).await;
        assert_eq!(r.status, 404, "{path}: {}", r.text);
    }
    assert_eq!(
        activity(&srv, &other_key, &other_id).await.len(),
        other_audit
    );

    // A reviewer is refused a decision while tasks are open, with the policy's explanation.
    let r = rita
        .post(
            &format!("/cases/{id}/decision"),
            &[("status_review", "approved"), ("reason", "fine")],
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(
        r.text
            .contains("only a qualified reviewer may decide before they are"),
        "{}",
        r.text
    );
    // Not signed in: to the sign-in page.
    let anonymous = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = anonymous
        .get(format!("{}/cases/{id}/documents/{doc}/content", srv.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
}

/// The case page in Chromium (tests/browser/backoffice_case.mjs): axe-core on every page in both
/// languages, on a desktop and a phone; the shortcuts; a document marked invalid; a request; the
/// same forms without JavaScript; the screenshots of docs/backoffice.md.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_case_page_in_a_browser() {
    let srv = TestServer::start(Backend::Sqlite).await;
    let key = srv.apikey(&[]);
    srv.import_watchlist("ftm", FTM_SAMPLE);
    let r = srv.post("/api/applications", &key, &company()).await;
    assert_eq!(r.status, 201, "{:?}", r.json);
    let id = r.json["id"].as_str().unwrap().to_string();
    let app = srv.screened(&key, &id).await;
    let kuzmenko = app["relationships"][0]["relationships"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    srv.upload_file(
        &key,
        &id,
        "certificate_of_incorporation",
        None,
        (
            "register-extract.pdf",
            "application/pdf",
            include_bytes!("fixtures/register-extract.pdf"),
        ),
    )
    .await;
    let image = srv
        .upload_file(
            &key,
            &id,
            "passport",
            Some(&kuzmenko),
            (
                "passport.png",
                "image/png",
                include_bytes!("fixtures/id-card.png"),
            ),
        )
        .await;
    let password = user(
        &srv,
        "anna@example.com",
        "Anna Martin",
        "qualified_reviewer",
        "default",
    );
    let env = vec![
        ("DOSSIER_BASE_URL", srv.base.clone()),
        ("DOSSIER_EMAIL", "anna@example.com".to_string()),
        ("DOSSIER_PASSWORD", password),
        ("DOSSIER_CASE", id.clone()),
        ("DOSSIER_DOC", image),
    ];
    let run =
        tokio::spawn(
            async move { common::browser::run_journey("backoffice_case.mjs", &env).await },
        );
    if let Err(e) = run.await {
        eprintln!("the server's log:\n{}", srv.log());
        std::panic::resume_unwind(e.into_panic());
    }
}

/// The team panel: assign (to oneself, a colleague, no one), tags, internal comments; each audited
/// under the user; what the application layer refuses comes back on its form, and a read-only user
/// or another workspace's user changes nothing.
async fn the_team_panel_assigns_tags_and_comments(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let r = srv.post("/api/applications", &key, &company()).await;
    assert_eq!(r.status, 201, "{:?}", r.json);
    let id = r.json["id"].as_str().unwrap().to_string();
    let pa = user(
        &srv,
        "anna@example.com",
        "Anna Martin",
        "reviewer",
        "default",
    );
    user(&srv, "bob@example.com", "Bob Durand", "reviewer", "default");
    let pr = user(
        &srv,
        "rhea@example.com",
        "Rhea Reader",
        "read_only",
        "default",
    );
    srv.other_workspace_key("other");
    let po = user(&srv, "otto@example.com", "Otto Other", "admin", "other");
    let anna = Analyst::sign_in(&srv, "anna@example.com", &pa).await;
    let anna_id = user_id_of(&srv, "anna@example.com");
    let bob_id = user_id_of(&srv, "bob@example.com");
    let rhea_id = user_id_of(&srv, "rhea@example.com");
    let path = |tail: &str| format!("/cases/{id}/{tail}");

    // The panel offers the colleagues who may work on cases, not the read-only one.
    let page = anna.get(&format!("/cases/{id}")).await;
    assert!(page.text.contains("Assignment and tags"), "{}", page.text);
    assert!(page.text.contains(&format!("value=\"{bob_id}\"")));
    assert!(!page.text.contains(&format!("value=\"{rhea_id}\"")));

    // To herself, then to Bob, then to no one.
    let r = anna.post(&path("assignee"), &[("assignee_id", "me")]).await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert!(
        r.location().ends_with("?done=assigned_case#team"),
        "{}",
        r.location()
    );
    let app = srv.get(&format!("/api/applications/{id}"), &key).await.json;
    assert_eq!(app["assignee_id"], anna_id.as_str());
    audited_by(&srv, &key, &id, "application.assigned", &anna_id).await;
    let page = anna.get(&format!("/cases/{id}?done=assigned_case")).await;
    assert!(
        page.text.contains("The case&#x27;s assignee is saved.")
            || page.text.contains("The case's assignee is saved.")
    );
    let r = anna
        .post(&path("assignee"), &[("assignee_id", &bob_id)])
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let page = anna.get(&format!("/cases/{id}")).await;
    assert!(
        page.text.contains("<strong>Bob Durand</strong>"),
        "{}",
        page.text
    );
    // A read-only user cannot be given cases; an unknown id is refused; both on the form.
    for (who, message) in [
        (rhea_id.as_str(), "a read-only user cannot work on cases"),
        ("usr_unknown", "no user of this workspace has this id"),
    ] {
        let r = anna.post(&path("assignee"), &[("assignee_id", who)]).await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert!(r.text.contains(message), "{}", r.text);
        assert!(
            r.text.contains("href=\"#assignee-field-assignee-id\""),
            "the summary links the field at fault"
        );
        assert!(r.text.contains("id=\"assignee-field-assignee-id\""));
    }
    let r = anna.post(&path("assignee"), &[("assignee_id", "")]).await;
    assert_eq!(r.status, 303, "{}", r.text);
    let app = srv.get(&format!("/api/applications/{id}"), &key).await.json;
    assert!(app["assignee_id"].is_null(), "{app}");

    // Tags: add two, remove one; an empty one is refused on its field.
    for tag in ["needs-call", "priority"] {
        let r = anna
            .post(&path("tags"), &[("action", "add"), ("tag", tag)])
            .await;
        assert_eq!(r.status, 303, "{}", r.text);
    }
    let r = anna
        .post(&path("tags"), &[("action", "remove"), ("tag", "priority")])
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let app = srv.get(&format!("/api/applications/{id}"), &key).await.json;
    assert_eq!(app["tags"], json!(["needs-call"]));
    let r = anna
        .post(&path("tags"), &[("action", "add"), ("tag", "  ")])
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("Enter this information."), "{}", r.text);
    audited_by(&srv, &key, &id, "application.untagged", &anna_id).await;

    // Comments, oldest first, in the timeline with their text; an empty one is refused.
    for body in [
        "First call: no answer.",
        "Second call:\nthe extract follows.",
    ] {
        let r = anna.post(&path("comments"), &[("body", body)]).await;
        assert_eq!(r.status, 303, "{}", r.text);
    }
    let r = anna.post(&path("comments"), &[("body", " ")]).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("Enter this information."), "{}", r.text);
    let page = anna.get(&format!("/cases/{id}")).await;
    let first = page
        .text
        .find("First call: no answer.")
        .expect("the first comment");
    let second = page
        .text
        .find("Second call:\nthe extract follows.")
        .expect("the second");
    assert!(first < second, "oldest first");
    assert!(page.text.contains("Internal comment"), "in the timeline");
    let comments = srv
        .get(&format!("/api/applications/{id}/comments"), &key)
        .await
        .json;
    assert_eq!(
        comments["data"].as_array().map(Vec::len),
        Some(2),
        "{comments}"
    );
    audited_by(&srv, &key, &id, "comment.created", &anna_id).await;

    // A read-only user sees the panel without its forms and changes nothing by posting.
    let before = activity(&srv, &key, &id).await.len();
    let rhea = Analyst::sign_in(&srv, "rhea@example.com", &pr).await;
    let page = rhea.get(&format!("/cases/{id}")).await;
    assert!(page.text.contains("First call: no answer."));
    assert!(
        !page
            .text
            .contains(&format!("action=\"/cases/{id}/comments\""))
    );
    let otto = Analyst::sign_in(&srv, "otto@example.com", &po).await;
    for (who, status) in [(&rhea, 403), (&otto, 404)] {
        for (tail, fields) in [
            ("assignee", vec![("assignee_id", "me")]),
            ("tags", vec![("action", "add"), ("tag", "x")]),
            ("comments", vec![("body", "hello")]),
        ] {
            let r = who.post(&path(tail), &fields).await;
            assert_eq!(r.status, status, "{tail}: {}", r.text);
        }
    }
    assert_eq!(
        activity(&srv, &key, &id).await.len(),
        before,
        "nothing changed"
    );
}

/// A user's id, from the CLI's list.
fn user_id_of(srv: &TestServer, email: &str) -> String {
    let out = srv.cli(&["user", "list"]);
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines()
        .find(|l| l.split('\t').nth(1) == Some(email))
        .and_then(|l| l.split('\t').next())
        .unwrap_or_else(|| panic!("{email} in\n{text}"))
        .to_string()
}

both_backends!(
    the_case_page_shows_the_case_and_each_form_changes_it,
    four_eyes_needs_a_second_different_user,
    forms_refuse_forgery_read_only_users_and_other_workspaces,
    the_team_panel_assigns_tags_and_comments,
);
