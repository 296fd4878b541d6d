//! The analysts' journeys in Chromium (tests/browser/backoffice_review.mjs) against the real server
//! with a real webhook receiver: a reviewer finds a case by a person's name, dismisses a screening
//! hit, clears a manual task, assigns, tags and comments, asks the client for a document, and is
//! refused the decisions her role may not take; qualified reviewers approve, four eyes needing two
//! different ones; a read-only user only looks. Then what the company's CRM saw: `collect.opened`
//! and `application.review_updated`, and the audit trail under each user.

mod common;

use std::time::Duration;

use common::receiver::{Received, Receiver};
use common::{Backend, FTM_SAMPLE, TestServer};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(20);

fn event<'a>(kind: &'a str, app: &'a str) -> impl Fn(&Received) -> bool + 'a {
    move |r| r.payload["type"] == kind && r.payload["data"]["application_id"] == app
}

async fn create(srv: &TestServer, key: &str, body: Value) -> String {
    let r = srv.post("/api/applications", key, &body).await;
    assert_eq!(r.status, 201, "{:?}", r.json);
    r.json["id"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analysts_review_and_decide_in_a_browser() {
    let mut srv = TestServer::with_env(
        Backend::Sqlite,
        &[("DOSSIER_WEBHOOKS__ALLOW_PRIVATE_TARGETS", "true")],
    )
    .await;
    srv.spawn().await;
    let key = srv.apikey(&[]);
    let rec = Receiver::subscribed(&srv, &key).await;
    srv.import_watchlist("ftm", FTM_SAMPLE);

    // A company whose UBO, Vitaly Kuzmenko, is on the sample list.
    let hit_case = create(
        &srv,
        &key,
        json!({
            "type": "business",
            "business": {"name": "Bravo Logistics SARL", "registration_number": "552100554", "country": "FR"},
            "relationships": [
                {"kind": "person", "roles": ["ubo"], "ownership_percentage": 80,
                 "person": {"first_name": "Vitaly", "last_name": "Kuzmenko", "birth_date": "1971-01-22",
                            "nationality": "RU"}}
            ]
        }),
    )
    .await;
    let screened = srv.screened(&key, &hit_case).await;
    assert!(
        !screened["screening_hits"].as_array().unwrap().is_empty(),
        "the UBO is a hit: {screened}"
    );
    // A low-risk person without documents: tasks not done.
    let open_case = create(
        &srv,
        &key,
        json!({"type": "person", "person": {"first_name": "Paul", "last_name": "Petit",
               "birth_date": "1980-04-02", "nationality": "FR", "country_of_residence": "FR"}}),
    )
    .await;
    // A national of a FATF call-for-action jurisdiction: high risk, so manual due diligence, a
    // decision reserved to qualified reviewers, and four eyes. Its template asks no documents, so
    // that its tasks are done once the due diligence is cleared.
    let mut template = srv.get("/api/templates/kyc_standard", &key).await.json;
    template["name"] = json!("kyc_no_documents");
    template["documents"] = json!([]);
    template["tasks"] = json!(
        template["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(
                |t| ["data_completeness", "screening", "enhanced_due_diligence"]
                    .contains(&t["key"].as_str().unwrap())
            )
            .collect::<Vec<_>>()
    );
    let r = srv
        .send_json("PUT", "/api/templates/kyc_no_documents", &key, &template)
        .await;
    assert!(r.status == 200 || r.status == 201, "{:?}", r.json);
    let high_case = create(
        &srv,
        &key,
        json!({"type": "person", "template": "kyc_no_documents",
               "person": {"first_name": "Min", "last_name": "Ri", "birth_date": "1975-09-09",
                          "nationality": "KP", "country_of_residence": "FR",
                          "address": {"line1": "3 rue de la Paix", "city": "Paris",
                                      "postal_code": "75002", "country": "FR"}}}),
    )
    .await;
    let high = srv
        .get(&format!("/api/applications/{high_case}"), &key)
        .await
        .json;
    assert_eq!(high["risk_level"], "high", "{high}");
    assert_eq!(high["review_requirements"]["four_eyes"], true, "{high}");
    assert_eq!(
        high["review_requirements"]["qualified_reviewer_only"], true,
        "{high}"
    );
    for c in [&open_case, &high_case] {
        srv.screened(&key, c).await;
    }

    let mut env: Vec<(String, String)> = [
        ("DOSSIER_BASE_URL", srv.base.clone()),
        ("DOSSIER_CASE_HIT", hit_case.clone()),
        ("DOSSIER_CASE_OPEN", open_case.clone()),
        ("DOSSIER_CASE_HIGH", high_case.clone()),
        ("DOSSIER_SEARCH", "kuzmenko".to_string()),
    ]
    .map(|(k, v)| (k.to_string(), v))
    .to_vec();
    for (var, email, name, role) in [
        ("REVIEWER", "rita@example.com", "Rita Reviewer", "reviewer"),
        (
            "QUALIFIED",
            "anna@example.com",
            "Anna Qualified",
            "qualified_reviewer",
        ),
        (
            "SECOND",
            "bob@example.com",
            "Bob Second",
            "qualified_reviewer",
        ),
        ("READER", "rhea@example.com", "Rhea Reader", "read_only"),
    ] {
        let password = srv.named_user(email, Some(name), role, None);
        env.push((format!("DOSSIER_{var}_EMAIL"), email.to_string()));
        env.push((format!("DOSSIER_{var}_PASSWORD"), password));
    }

    let run = tokio::spawn(async move {
        let env: Vec<(&str, String)> = env.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        common::browser::run_journey("backoffice_review.mjs", &env).await
    });
    if let Err(e) = run.await {
        eprintln!("the server's log:\n{}", srv.log());
        std::panic::resume_unwind(e.into_panic());
    }

    // What the CRM saw.
    let opened = rec
        .wait(WAIT, event("collect.opened", &open_case))
        .await
        .expect("collect.opened was not delivered");
    let collect = &opened.payload["data"]["object"];
    assert!(
        collect["portals"]["link"]
            .as_str()
            .is_some_and(|l| l.contains("/portals/")),
        "{}",
        opened.payload
    );
    assert_eq!(
        collect["documents"],
        json!([{"type": "proof_of_address"}]),
        "what was asked"
    );
    for case in [&open_case, &high_case] {
        let got = rec
            .wait(WAIT, |r| {
                event("application.review_updated", case)(r)
                    && r.payload["data"]["object"]["status_review"] == "approved"
            })
            .await
            .unwrap_or_else(|| panic!("application.review_updated (approved) of {case}"));
        assert_eq!(got.verified_with, vec![0], "signed");
    }
    // The four-eyes case: approved by Bob, after Anna's first approval.
    let high = srv
        .get(&format!("/api/applications/{high_case}"), &key)
        .await
        .json;
    assert_eq!(high["status_review"], "approved");
    let first = &high["decision"]["first_approval"]["by"];
    let second = &high["decision"]["decided_by"];
    assert!(
        first.is_string() && second.is_string() && first != second,
        "{high}"
    );
    // A reviewer's refusals changed nothing; the reviewer's own actions are audited as hers.
    let activity = srv
        .get(&format!("/api/applications/{hit_case}/activity"), &key)
        .await
        .json;
    let actions: Vec<(&str, &str)> = activity["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or_default(),
                e["actor"]["role"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    for action in [
        "screening_hit.reviewed",
        "application.assigned",
        "application.tagged",
        "comment.created",
    ] {
        assert!(
            actions.contains(&(action, "reviewer")),
            "{action} by the reviewer in {actions:?}"
        );
    }
    let app = srv
        .get(&format!("/api/applications/{hit_case}"), &key)
        .await
        .json;
    assert_eq!(
        app["status_review"], "pending",
        "the reader changed nothing"
    );
    assert_eq!(app["tags"], json!(["needs-call"]));
}
