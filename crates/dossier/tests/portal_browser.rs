//! The client portal in a real browser: headless Chromium runs the journeys of
//! tests/browser/portal_*.mjs against the real server (SQLite), with a real webhook receiver and a
//! real SMTP listener on loopback. The journeys check every page with axe-core (both languages,
//! phone and desktop), save the docs' screenshots, and assert on what the client sees; this side
//! sets the workspace up, hands the journey its link, and checks what the integrator gets back:
//! the webhooks, the case over the API, the landing on `redirect_url`.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, RawQuery, State};
use axum::response::Html;
use common::browser::run_journey;
use common::receiver::{Received, Receiver};
use common::smtp::SmtpListener;
use common::{Backend, TestServer};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(20);

/// The integrator's side, served by the test: the page a client lands on after submitting
/// (`/landing`, each query kept) and the client's inbox (`/code?to=…`: the 6-digit code of the
/// first mail to that address, as the client would read it; 404 when none came).
#[derive(Clone)]
struct Site {
    url: String,
    landed: Arc<Mutex<Vec<String>>>,
}

#[derive(Clone)]
struct SiteState {
    landed: Arc<Mutex<Vec<String>>>,
    smtp: Option<Arc<SmtpListener>>,
}

async fn landing(State(s): State<SiteState>, RawQuery(query): RawQuery) -> Html<&'static str> {
    s.landed.lock().unwrap().push(query.unwrap_or_default());
    Html(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Acme Pay</title>\
         </head><body><main><h1>Welcome back to Acme Pay</h1></main></body></html>",
    )
}

#[derive(serde::Deserialize)]
struct CodeQuery {
    to: String,
}

async fn code(
    State(s): State<SiteState>,
    Query(q): Query<CodeQuery>,
) -> Result<String, axum::http::StatusCode> {
    let smtp = s.smtp.ok_or(axum::http::StatusCode::NOT_FOUND)?;
    for _ in 0..500 {
        let mail = smtp
            .messages()
            .into_iter()
            .find(|m| m.to.iter().any(|r| r.eq_ignore_ascii_case(&q.to)));
        if let Some(mail) = mail {
            return six_digits(&mail.text()).ok_or(axum::http::StatusCode::UNPROCESSABLE_ENTITY);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Err(axum::http::StatusCode::NOT_FOUND)
}

/// The first run of exactly six digits in a text.
fn six_digits(text: &str) -> Option<String> {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .map(str::to_string)
}

impl Site {
    async fn start(smtp: Option<Arc<SmtpListener>>) -> Self {
        let landed = Arc::new(Mutex::new(Vec::new()));
        let app = axum::Router::new()
            .route("/landing", axum::routing::get(landing))
            .route("/code", axum::routing::get(code))
            .with_state(SiteState {
                landed: landed.clone(),
                smtp,
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { url, landed }
    }

    fn landed(&self) -> Vec<String> {
        self.landed.lock().unwrap().clone()
    }
}

/// A server whose webhooks reach the loopback receiver (subscribed to everything), with the
/// workspace's custom fields: `account_id` (the integrator's, never shown to the client), a choice
/// and a country list shown in the portal, and a text shown only when the choice is `other`.
async fn workspace(env: &[(&str, &str)]) -> (TestServer, String, Receiver) {
    let mut all = vec![("DOSSIER_WEBHOOKS__ALLOW_PRIVATE_TARGETS", "true")];
    all.extend_from_slice(env);
    let mut srv = TestServer::with_env(Backend::Sqlite, &all).await;
    srv.spawn().await;
    let key = srv.apikey(&[]);
    for field in [
        json!({"api_name": "account_id", "label": "Account", "type": "text"}),
        json!({"api_name": "activity", "label": "Main activity", "type": "choice",
               "choices": ["payments", "lending", "other"], "required": true,
               "show_in_portal": true, "description": "What the company mostly does."}),
        json!({"api_name": "activity_other", "label": "Describe the activity", "type": "text",
               "show_in_portal": true,
               "condition": "application.custom_fields.activity == 'other'"}),
        json!({"api_name": "operating_countries", "label": "Countries of operation",
               "type": "country_multi", "show_in_portal": true}),
    ] {
        let r = srv.post("/api/custom_fields", &key, &field).await;
        assert_eq!(r.status, 201, "{field}: {}", r.json);
    }
    let rec = Receiver::subscribed(&srv, &key).await;
    let r = srv
        .send_json(
            "PUT",
            "/api/branding",
            &key,
            &json!({"display_name": "Acme Pay", "support_email": "kyc@acme.example"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    (srv, key, rec)
}

/// An onboarding portal for a business with the integrator's `account_id`: its id and link.
async fn onboarding_portal(srv: &TestServer, key: &str, extra: Value) -> (String, String) {
    let mut body = json!({"type": "business", "default_custom_fields": {"account_id": "acc_42"}});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let r = srv.post("/api/portals", key, &body).await;
    assert_eq!(r.status, 201, "{}", r.json);
    (
        r.json["id"].as_str().unwrap().to_string(),
        r.json["link"].as_str().unwrap().to_string(),
    )
}

/// Runs a journey; when it fails, the server's log is printed with it.
async fn journey(srv: &TestServer, script: &'static str, env: Vec<(&'static str, String)>) {
    let run = tokio::spawn(async move { run_journey(script, &env).await });
    if let Err(e) = run.await {
        eprintln!("the server's log:\n{}", srv.log());
        std::panic::resume_unwind(e.into_panic());
    }
}

fn event<'a>(kind: &'a str, app: &'a str) -> impl Fn(&Received) -> bool + 'a {
    move |r| r.payload["type"] == kind && r.payload["data"]["application_id"] == app
}

/// The whole onboarding in the browser (`portal_onboarding.mjs` with `viewport`, `locale` and
/// `javascript`; `screenshots`: the steps whose pictures illustrate docs/portal.md), then what the integrator sees: the landing with `application_id`, both webhooks
/// with the `account_id`, and the case as the client filled it.
async fn onboarding(viewport: &str, locale: &str, javascript: bool, screenshots: &str) {
    let (srv, key, rec) = workspace(&[]).await;
    let site = Site::start(None).await;
    let landing = format!("{}/landing", site.url);
    let (portal, link) = onboarding_portal(
        &srv,
        &key,
        json!({"redirect_url": landing, "external_id": "crm-7"}),
    )
    .await;
    journey(
        &srv,
        "portal_onboarding.mjs",
        vec![
            ("DOSSIER_BASE_URL", srv.base.clone()),
            ("DOSSIER_LINK", link),
            ("DOSSIER_LANDING", landing.clone()),
            ("DOSSIER_VIEWPORT", viewport.into()),
            ("DOSSIER_LOCALE", locale.into()),
            (
                "DOSSIER_JAVASCRIPT",
                if javascript { "on" } else { "off" }.into(),
            ),
            ("DOSSIER_SCREENSHOTS", screenshots.into()),
        ],
    )
    .await;

    let p = srv.get(&format!("/api/portals/{portal}"), &key).await.json;
    assert_eq!(p["status"], "submitted", "{p}");
    let app = p["application_id"].as_str().expect("the case").to_string();
    assert_eq!(
        site.landed(),
        vec![format!("application_id={app}")],
        "the client lands on redirect_url with the case's id"
    );

    let created = rec
        .wait(WAIT, event("application.created", &app))
        .await
        .expect("application.created was not delivered");
    let submitted = rec
        .wait(WAIT, event("application.submitted", &app))
        .await
        .expect("application.submitted was not delivered");
    for got in [&created, &submitted] {
        assert_eq!(got.verified_with, vec![0], "signed");
        let object = &got.payload["data"]["object"];
        assert_eq!(object["custom_fields"]["account_id"], "acc_42", "{object}");
        assert_eq!(object["external_id"], "crm-7");
    }
    assert!(
        submitted.payload["data"]["object"]["submitted_at"].is_string(),
        "{}",
        submitted.payload
    );

    let case = srv
        .get(&format!("/api/applications/{app}"), &key)
        .await
        .json;
    assert!(case["submitted_at"].is_string(), "{case}");
    let business = &case["business"];
    assert_eq!(business["name"], "Acme Trading SAS", "{case}");
    assert_eq!(business["country"], "FR");
    assert_eq!(business["email"], "contact@acme-trading.example");
    let fields = &case["custom_fields"];
    assert_eq!(fields["account_id"], "acc_42");
    assert_eq!(fields["activity"], "other");
    assert_eq!(fields["activity_other"], "Trade finance");
    assert_eq!(fields["operating_countries"], json!(["BE", "FR"]));

    // The holding with its two owners, and the signatory.
    let parties = case["relationships"].as_array().unwrap();
    assert_eq!(parties.len(), 2, "{case}");
    let holding = parties
        .iter()
        .find(|p| p["kind"] == "business")
        .expect("the holding");
    assert_eq!(holding["business"]["name"], "Acme Group BV");
    assert_eq!(holding["roles"], json!(["shareholder"]));
    assert_eq!(holding["ownership_percentage"], 100.0);
    let owners: Vec<&str> = holding["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            assert_eq!(o["roles"], json!(["ubo"]), "{o}");
            assert_eq!(o["ownership_percentage"], 50.0, "{o}");
            o["person"]["last_name"].as_str().unwrap()
        })
        .collect();
    assert_eq!(owners, ["Martin", "Dubois"]);
    let signatory = parties
        .iter()
        .find(|p| p["kind"] == "person")
        .expect("the signatory");
    assert_eq!(signatory["person"]["last_name"], "Laurent");
    assert_eq!(signatory["roles"], json!(["director", "signatory"]));

    // A PDF for the company, a photo for an owner's passport.
    let docs = srv
        .get(&format!("/api/applications/{app}/documents"), &key)
        .await
        .json;
    let mut docs: Vec<(String, String, bool)> = docs["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["type"].as_str().unwrap().to_string(),
                d["content_type"].as_str().unwrap().to_string(),
                d["relationship_id"].is_string(),
            )
        })
        .collect();
    docs.sort();
    assert_eq!(
        docs,
        vec![
            (
                "certificate_of_incorporation".into(),
                "application/pdf".into(),
                false
            ),
            ("passport".into(), "image/png".into(), true),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_company_onboards_on_a_phone() {
    onboarding("phone", "en", true, "link,details,parties,documents,review").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_company_onboards_on_a_desktop() {
    onboarding("desktop", "en", true, "details,review").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_company_onboards_without_javascript_in_french() {
    onboarding("phone", "fr", false, "").await;
}

/// A collect for one missing document: the client sees the reason (never the note), uploads
/// that document only, and the collect closes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collect_asks_for_one_missing_document() {
    let (srv, key, rec) = workspace(&[]).await;
    let r = srv
        .post(
            "/api/applications",
            &key,
            &json!({"type": "business", "business": {"name": "Bravo Logistics SARL", "country": "FR"},
                    "custom_fields": {"account_id": "acc_7", "activity": "lending"}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let app = r.json["id"].as_str().unwrap().to_string();
    let expected: Vec<&str> = r.json["expected_documents"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["types"].as_array().unwrap())
        .filter_map(Value::as_str)
        .collect();
    assert!(
        expected.contains(&"certificate_of_incorporation"),
        "{expected:?}"
    );

    let reason = "The register extract must be less than three months old.";
    let note = "INTERNAL: the one on file is from 2019, check the new directors";
    let r = srv
        .post(
            &format!("/api/applications/{app}/portals"),
            &key,
            &json!({"steps": ["documents"],
                    "documents": [{"type": "certificate_of_incorporation", "reason": reason, "note": note}],
                    "message": "One more document, please."}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let opened = rec
        .wait(WAIT, event("collect.opened", &app))
        .await
        .expect("collect.opened was not delivered");
    let link = opened.payload["data"]["object"]["portals"]["link"]
        .as_str()
        .expect("the link in collect.opened")
        .to_string();
    assert_eq!(link, r.json["portals"]["link"].as_str().unwrap());

    journey(
        &srv,
        "portal_collect.mjs",
        vec![
            ("DOSSIER_BASE_URL", srv.base.clone()),
            ("DOSSIER_LINK", link),
            ("DOSSIER_REASON", reason.into()),
            ("DOSSIER_NOTE", note.into()),
        ],
    )
    .await;

    let closed = rec
        .wait(WAIT, event("collect.closed", &app))
        .await
        .expect("collect.closed was not delivered");
    assert_eq!(closed.payload["data"]["object"]["status"], "closed");
    let docs = srv
        .get(&format!("/api/applications/{app}/documents"), &key)
        .await
        .json;
    let docs = docs["data"].as_array().unwrap();
    assert_eq!(docs.len(), 1, "{docs:?}");
    assert_eq!(docs[0]["type"], "certificate_of_incorporation");
    let collect = srv
        .get(&format!("/api/applications/{app}/portals"), &key)
        .await
        .json;
    assert_eq!(collect["status"], "closed", "{collect}");
    assert_eq!(
        collect["rounds"][0]["returned"]["documents"],
        json!([docs[0]["id"]]),
        "{collect}"
    );
    // Nothing else of the case changed.
    let case = srv
        .get(&format!("/api/applications/{app}"), &key)
        .await
        .json;
    assert_eq!(case["business"]["name"], "Bravo Logistics SARL");
    assert_eq!(case["custom_fields"]["account_id"], "acc_7");
}

/// A portal restricted to an e-mail address: the code comes by real mail; a wrong one is refused
/// beside its field, the right one opens the details.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_email_restricted_portal_asks_for_the_mailed_code() {
    let smtp = Arc::new(SmtpListener::start().await);
    let url = smtp.url();
    let (srv, key, _rec) = workspace(&[
        ("DOSSIER_SMTP__URL", &url),
        ("DOSSIER_SMTP__REQUIRE_TLS", "false"),
    ])
    .await;
    let site = Site::start(Some(smtp.clone())).await;
    let email = "claire@client.example";
    let (_, link) = onboarding_portal(&srv, &key, json!({"email": email})).await;
    journey(
        &srv,
        "portal_code.mjs",
        vec![
            ("DOSSIER_BASE_URL", srv.base.clone()),
            ("DOSSIER_LINK", link),
            ("DOSSIER_CODE_URL", format!("{}/code?to={email}", site.url)),
        ],
    )
    .await;
    let mails = smtp.messages();
    assert_eq!(mails.len(), 1, "one code sent: {mails:?}");
    assert_eq!(mails[0].to, vec![email.to_string()]);
    assert!(six_digits(&mails[0].header("Subject").unwrap()).is_some());
}
