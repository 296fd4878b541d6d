//! The portal's safety over HTTP, on SQLite and PostgreSQL: links reveal nothing and are used up by
//! nothing but a same-origin post; sessions, CSRF tokens and origins are checked on every change;
//! a portal touches only its own case and only the steps it asks; guessing is slowed down; bad
//! input is refused page by page, translated, and loses nothing.

mod common;

use common::{Backend, TestServer};
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{Value, json};

/// A visitor's browser without JavaScript: its own cookie, no redirects followed.
struct Browser {
    http: reqwest::Client,
    base: String,
    cookie: Option<String>,
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

    /// The value of a hidden `_csrf` input.
    fn csrf(&self) -> String {
        let at = self
            .text
            .find("name=\"_csrf\" value=\"")
            .expect("a CSRF field")
            + 20;
        self.text[at..].split('"').next().unwrap().to_string()
    }
}

impl Browser {
    fn new(srv: &TestServer) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: srv.base.clone(),
            cookie: None,
        }
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let req = match &self.cookie {
            Some(c) => req.header("cookie", format!("dossier_portal={c}")),
            None => req,
        };
        let resp = req.send().await.expect("request sent");
        let headers = resp.headers().clone();
        for c in headers.get_all("set-cookie") {
            let c = c.to_str().unwrap();
            if let Some(v) = c.strip_prefix("dossier_portal=") {
                self.cookie = Some(v.split(';').next().unwrap().to_string());
            }
        }
        Page {
            status: resp.status().as_u16(),
            headers,
            text: resp.text().await.unwrap_or_default(),
        }
    }

    async fn get(&mut self, path: &str) -> Page {
        let req = self.http.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    async fn get_fr(&mut self, path: &str) -> Page {
        let req = self
            .http
            .get(format!("{}{path}", self.base))
            .header("accept-language", "fr-FR,fr;q=0.9");
        self.send(req).await
    }

    /// A form post from our origin.
    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let origin = self.base.clone();
        self.post_from(path, fields, Some(&origin)).await
    }

    async fn post_from(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        origin: Option<&str>,
    ) -> Page {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(fields).unwrap());
        if let Some(o) = origin {
            req = req.header("origin", HeaderValue::from_str(o).unwrap());
        }
        self.send(req).await
    }

    /// Opens a link and continues: the session cookie and the first page.
    async fn enter(&mut self, link: &str) -> Page {
        let path = link.strip_prefix(&self.base).unwrap().to_string();
        let page = self.post(&path, &[]).await;
        assert_eq!(page.status, 303, "{}", page.text);
        page
    }
}

async fn portal(srv: &TestServer, key: &str, body: Value) -> Value {
    let r = srv.post("/api/portals", key, &body).await;
    assert_eq!(r.status, 201, "{}", r.json);
    r.json
}

async fn links_reveal_nothing_and_open_only_from_our_origin(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let p = portal(&srv, &key, json!({})).await;
    let link = p["link"].as_str().unwrap();
    let path = link.strip_prefix(&srv.base).unwrap().to_string();
    let mut b = Browser::new(&srv);

    // Opening the link makes no session (a scanner's GET uses nothing up).
    let page = b.get(&path).await;
    assert_eq!(page.status, 200);
    assert!(page.headers.get("set-cookie").is_none());
    assert!(page.headers.contains_key("content-security-policy"));
    assert!(page.text.contains("<form"));

    // A cross-site post, or one without any origin information, opens nothing.
    let page = b.post_from(&path, &[], Some("https://evil.example")).await;
    assert_eq!(page.status, 403);
    assert!(b.cookie.is_none());
    let page = b.post_from(&path, &[], Some("null")).await;
    assert_eq!(page.status, 403);

    let page = b.enter(link).await;
    assert_eq!(page.location(), "/portal/details");
    let flags = page
        .headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_lowercase();
    for f in ["httponly", "samesite=lax", "secure", "path=/"] {
        assert!(flags.contains(f), "{f} missing in {flags}");
    }
    let token = path.rsplit('/').next().unwrap();
    let page = b.get("/portal").await;
    assert_eq!(page.status, 303);
    assert!(!page.location().contains(token));
    let page = b.get(page.location()).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(!page.text.contains(token), "the token is in the step page");

    // Unknown, malformed, closed and replaced links: the same plain page, no form, nothing told.
    let mut other = Browser::new(&srv);
    for bad in [
        "/portals/not-a-real-token-0123456789abcdef0123456789",
        "/portals/x",
    ] {
        let page = other.get(bad).await;
        assert_eq!(page.status, 404, "{bad}");
        assert!(!page.text.contains("<form"), "{bad}");
    }
    // A NUL byte is refused before anything is looked up.
    assert_eq!(other.get("/portals/%00").await.status, 400);
    let renewed = srv
        .post(
            &format!("/api/portals/{}/link", p["id"].as_str().unwrap()),
            &key,
            &json!({}),
        )
        .await;
    assert_eq!(renewed.status, 200);
    assert_eq!(
        other.get(&path).await.status,
        404,
        "the replaced link still works"
    );
    let new_path = renewed.json["link"]
        .as_str()
        .unwrap()
        .strip_prefix(&srv.base)
        .unwrap()
        .to_string();
    assert_eq!(other.get(&new_path).await.status, 200);
    srv.post(
        &format!("/api/portals/{}/close", p["id"].as_str().unwrap()),
        &key,
        &json!({}),
    )
    .await;
    let page = other.get(&new_path).await;
    assert_eq!(page.status, 410);
    // The closed portal's session is over too.
    let page = b.get("/portal/details").await;
    assert!(page.status == 410 || page.status == 401, "{}", page.status);
}

async fn every_change_needs_the_session_its_token_and_our_origin(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let p = portal(&srv, &key, json!({"type": "person"})).await;
    let mut b = Browser::new(&srv);

    // No session: the step pages say so.
    let page = b.get("/portal/details").await;
    assert_eq!(page.status, 401);
    b.cookie = Some("forged-session-id".into());
    assert_eq!(b.get("/portal/details").await.status, 401);
    b.cookie = None;

    b.enter(p["link"].as_str().unwrap()).await;
    let page = b.get("/portal/details").await;
    assert_eq!(page.status, 200);
    let csrf = page.csrf();
    let fields = [("person.first_name", "Ana"), ("person.last_name", "Lima")];

    let page = b.post("/portal/details", &fields).await;
    assert_eq!(page.status, 403, "no CSRF token");
    let with_token = [fields[0], fields[1], ("_csrf", "wrong")];
    assert_eq!(b.post("/portal/details", &with_token).await.status, 403);
    let good = [fields[0], fields[1], ("_csrf", csrf.as_str())];
    let page = b
        .post_from("/portal/details", &good, Some("https://evil.example"))
        .await;
    assert_eq!(page.status, 403, "cross-site");
    let r = srv
        .get(&format!("/api/portals/{}", p["id"].as_str().unwrap()), &key)
        .await;
    assert_eq!(
        r.json["application_id"],
        Value::Null,
        "a refused post made a case"
    );

    let page = b.post("/portal/details", &good).await;
    assert_eq!(page.status, 303, "{}", page.text);
    let r = srv
        .get(&format!("/api/portals/{}", p["id"].as_str().unwrap()), &key)
        .await;
    let app = r.json["application_id"]
        .as_str()
        .expect("the case is created")
        .to_string();
    let r = srv.get(&format!("/api/applications/{app}"), &key).await;
    assert_eq!(r.json["person"]["last_name"], "Lima");
    assert_eq!(r.json["portal_id"], p["id"]);
    assert_eq!(r.json["submitted_at"], Value::Null);

    // Invalid values are refused beside their fields, translated, and nothing is lost.
    let bad = [
        ("person.first_name", "Ana"),
        ("person.last_name", "Lima"),
        ("person.email", "not-an-email"),
        ("person.birth_date", "31/02/1990"),
        ("_csrf", csrf.as_str()),
    ];
    let page = b.post("/portal/details", &bad).await;
    assert_eq!(page.status, 422);
    assert!(page.text.contains("aria-invalid=\"true\""));
    assert!(
        page.text.contains("not-an-email"),
        "the typed value is kept"
    );
    let r = srv.get(&format!("/api/applications/{app}"), &key).await;
    assert_eq!(r.json["person"]["email"], Value::Null);
    let page = b.get_fr("/portal/details").await;
    assert!(page.text.contains("lang=\"fr\""));
    let bad_fr = b
        .send(
            b.http
                .post(format!("{}/portal/details", srv.base))
                .header("origin", srv.base.clone())
                .header("accept-language", "fr")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(serde_urlencoded::to_string(bad).unwrap()),
        )
        .await;
    assert_eq!(bad_fr.status, 422);
    assert!(
        bad_fr.text.contains("Saisissez une adresse e-mail"),
        "{}",
        bad_fr.text
    );

    // A NUL byte is refused, clearly.
    let nul = [("person.last_name", "Li\0ma"), ("_csrf", csrf.as_str())];
    let page = b.post("/portal/details", &nul).await;
    assert!(page.status == 400 || page.status == 422, "{}", page.status);

    // Everything the client entered is audited with the portal as the actor.
    let by_portal = srv
        .sql_i64(&format!(
            "SELECT COUNT(*) FROM audit_entries WHERE application_id = '{app}' AND actor_kind = 'portal' AND actor_id = '{}'",
            p["id"].as_str().unwrap()
        ))
        .await;
    assert!(by_portal >= 1);

    // Submitted: the link shows the submitted state and takes no change.
    let page = b.post("/portal/submit", &[("_csrf", csrf.as_str())]).await;
    assert_eq!(page.status, 303, "{}", page.text);
    assert_eq!(page.location(), "/portal/done");
    let r = srv.get(&format!("/api/applications/{app}"), &key).await;
    assert!(r.json["submitted_at"].is_string());
    assert_eq!(
        srv.events(&key, "application.submitted", &app).await.len(),
        1
    );
    let page = b
        .post(
            "/portal/details",
            &[("person.last_name", "Changed"), ("_csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(page.status, 303);
    assert_eq!(page.location(), "/portal/done");
    let r = srv.get(&format!("/api/applications/{app}"), &key).await;
    assert_eq!(r.json["person"]["last_name"], "Lima");
    assert_eq!(
        b.post("/portal/submit", &[("_csrf", csrf.as_str())])
            .await
            .location(),
        "/portal/done"
    );
    assert_eq!(
        srv.events(&key, "application.submitted", &app).await.len(),
        1
    );
}

async fn a_collect_touches_only_what_it_asks(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let r = srv
        .post(
            "/api/applications",
            &key,
            &json!({"type": "business", "business": {"name": "Acme SAS", "country": "FR"}}),
        )
        .await;
    let app = r.json["id"].as_str().unwrap().to_string();
    let r = srv
        .post(
            &format!("/api/applications/{app}/portals"),
            &key,
            &json!({"steps": ["documents"], "documents": [{"type": "proof_of_address", "reason": "The address on file changed", "note": "INTERNAL-NOTE-42"}]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let mut b = Browser::new(&srv);
    let page = b.enter(r.json["portals"]["link"].as_str().unwrap()).await;
    assert_eq!(page.location(), "/portal/documents");
    let page = b.get("/portal").await;
    assert_eq!(page.location(), "/portal/documents");
    let page = b.get("/portal/documents").await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("The address on file changed"));
    assert!(
        !page.text.contains("INTERNAL-NOTE-42"),
        "the internal note is shown to the client"
    );
    let csrf = page.csrf();

    // A documents-only collect cannot change the company.
    let page = b.get("/portal/details").await;
    assert_eq!(page.status, 404);
    let page = b
        .post(
            "/portal/details",
            &[("business.name", "Evil Corp"), ("_csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(page.status, 404);
    assert_eq!(b.get("/portal/relationships").await.status, 404);
    let r = srv.get(&format!("/api/applications/{app}"), &key).await;
    assert_eq!(r.json["business"]["name"], "Acme SAS");

    // Only the asked document is taken; files go through the API's pipeline.
    let http = b.http.clone();
    let upload = |t: &str, bytes: Vec<u8>, name: &str, mime: &str| {
        let form = reqwest::multipart::Form::new()
            .text("_csrf", csrf.clone())
            .text("type", t.to_string())
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes)
                    .file_name(name.to_string())
                    .mime_str(mime)
                    .unwrap(),
            );
        http.post(format!("{}/portal/documents", srv.base))
            .header("origin", srv.base.clone())
            .multipart(form)
    };
    let pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".to_vec();
    let page = b
        .send(upload("passport", pdf.clone(), "p.pdf", "application/pdf"))
        .await;
    assert_eq!(
        page.status, 422,
        "a document not asked for: {}",
        page.status
    );
    let page = b
        .send(upload(
            "proof_of_address",
            b"<html><script>x</script></html>".to_vec(),
            "bill.pdf",
            "application/pdf",
        ))
        .await;
    assert_eq!(page.status, 415, "an HTML file labelled PDF");
    let page = b
        .send(upload(
            "proof_of_address",
            pdf.clone(),
            "bill.pdf",
            "application/pdf",
        ))
        .await;
    assert_eq!(page.status, 303, "{}", page.text);
    let docs = srv
        .get(&format!("/api/applications/{app}/documents"), &key)
        .await;
    assert_eq!(docs.json["data"].as_array().unwrap().len(), 1);
    assert_eq!(docs.json["data"][0]["uploaded_by"]["kind"], "portal");

    let page = b.post("/portal/submit", &[("_csrf", csrf.as_str())]).await;
    assert_eq!(page.status, 303, "{}", page.text);
    let collect = srv
        .get(&format!("/api/applications/{app}/portals"), &key)
        .await;
    assert_eq!(collect.json["status"], "closed");
    assert_eq!(
        collect.json["rounds"][0]["returned"]["documents"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(srv.events(&key, "collect.closed", &app).await.len(), 1);
    // Submitting a collect is not submitting the case again.
    assert_eq!(
        srv.events(&key, "application.submitted", &app).await.len(),
        0
    );
}

async fn a_visitor_reaches_no_other_case(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let other = srv.other_workspace_key("other");
    let r = srv
        .post(
            "/api/applications",
            &other,
            &json!({"type": "business", "business": {"name": "Other Ltd"},
                    "relationships": [{"kind": "person", "roles": ["director"], "person": {"last_name": "Else"}}]}),
        )
        .await;
    let foreign = r.json["relationships"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let foreign_app = r.json["id"].as_str().unwrap().to_string();
    let p = portal(&srv, &key, json!({})).await;
    let mut b = Browser::new(&srv);
    b.enter(p["link"].as_str().unwrap()).await;
    let csrf = b.get("/portal/details").await.csrf();
    let page = b
        .post(
            "/portal/details",
            &[("business.name", "Mine SA"), ("_csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(page.status, 303);
    // Another case's party, by its id: not found from this portal.
    assert_eq!(
        b.get(&format!("/portal/relationships/{foreign}"))
            .await
            .status,
        404
    );
    let page = b
        .post(
            &format!("/portal/relationships/{foreign}/remove"),
            &[("_csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(page.status, 404);
    let r = srv
        .get(&format!("/api/applications/{foreign_app}"), &other)
        .await;
    assert_eq!(r.json["relationships"].as_array().unwrap().len(), 1);
}

async fn guessing_links_is_slowed_and_sessions_end(backend: Backend) {
    let mut srv = TestServer::with_env(
        backend,
        &[
            ("DOSSIER_PORTAL__TOKEN_FAILURES_PER_MINUTE", "3"),
            ("DOSSIER_PORTAL__SESSION_IDLE", "2s"),
        ],
    )
    .await;
    srv.spawn().await;
    let key = srv.apikey(&[]);
    let p = portal(&srv, &key, json!({})).await;
    let link_path = p["link"]
        .as_str()
        .unwrap()
        .strip_prefix(&srv.base)
        .unwrap()
        .to_string();
    let mut b = Browser::new(&srv);
    b.enter(p["link"].as_str().unwrap()).await;
    assert_eq!(b.get("/portal/details").await.status, 200);

    let mut guesser = Browser::new(&srv);
    for i in 0..3 {
        let page = guesser.get(&format!("/portals/guess{i:0>38}")).await;
        assert_eq!(page.status, 404);
    }
    let page = guesser
        .get("/portals/guess9999999999999999999999999999999999999")
        .await;
    assert_eq!(page.status, 429);
    // Past the budget, even a good link waits (nothing tells a good guess from a bad one).
    assert_eq!(guesser.get(&link_path).await.status, 429);

    // Idle past its limit, the session is over; the link opens a new one, and nothing is lost.
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let page = b.get("/portal/details").await;
    assert_eq!(page.status, 401);
    assert!(page.text.contains("link"), "{}", page.text);
}

async fn expired_links_are_gone(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let soon = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(2);
    let p = portal(&srv, &key, json!({"expires_at": soon.to_string()})).await;
    let path = p["link"]
        .as_str()
        .unwrap()
        .strip_prefix(&srv.base)
        .unwrap()
        .to_string();
    let mut b = Browser::new(&srv);
    assert_eq!(b.get(&path).await.status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let page = b.get(&path).await;
    assert_eq!(page.status, 410);
    assert!(!page.text.contains("<form"));
    assert_eq!(b.post(&path, &[]).await.status, 410);
}

both_backends!(
    links_reveal_nothing_and_open_only_from_our_origin,
    every_change_needs_the_session_its_token_and_our_origin,
    a_collect_touches_only_what_it_asks,
    a_visitor_reaches_no_other_case,
    guessing_links_is_slowed_and_sessions_end,
    expired_links_are_gone,
);
