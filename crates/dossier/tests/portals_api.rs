//! Portals and collects through the JSON API, on SQLite and PostgreSQL: links are absolute, shown
//! once and never stored in the clear; bad requests are refused field by field; one collect at a
//! time, reopened in rounds; `collect.opened` carries the link; branding is validated and audited;
//! nothing crosses workspaces.

mod common;

use common::{Backend, TestServer};
use serde_json::{Value, json};

async fn onboarding_portals_are_made_listed_and_closed(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let r = srv
        .post(
            "/api/custom_fields",
            &key,
            &json!({"api_name": "account_id", "label": "Account", "type": "text"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);

    let r = srv
        .post(
            "/api/portals",
            &key,
            &json!({"type": "business", "default_custom_fields": {"account_id": "acc_1"},
                    "redirect_url": "https://crm.example.org/done", "email": "client@example.org",
                    "locale": "fr", "external_id": "crm-1"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let portal = r.json;
    let link = portal["link"].as_str().unwrap();
    assert!(
        link.starts_with(&format!("{}/portals/", srv.base)),
        "{link}"
    );
    let token = link.rsplit('/').next().unwrap();
    assert_eq!(token.len(), 43, "a 256-bit token: {token}");
    assert_eq!(portal["status"], "active");
    assert_eq!(portal["application_id"], Value::Null);
    let id = portal["id"].as_str().unwrap();

    // The link is shown once: not in reads, not in the database.
    let r = srv.get(&format!("/api/portals/{id}"), &key).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["link"], Value::Null);
    assert_eq!(r.json["default_custom_fields"]["account_id"], "acc_1");
    let stored = srv
        .sql_i64(&format!(
            "SELECT COUNT(*) FROM portals WHERE token_hash = '{token}' OR data LIKE '%{token}%'"
        ))
        .await;
    assert_eq!(stored, 0, "the token is stored in the clear");

    let r = srv
        .get("/api/portals?kind=onboarding&status=active", &key)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["data"].as_array().unwrap().len(), 1);
    let r = srv.get("/api/portals?status=closed", &key).await;
    assert_eq!(r.json["data"].as_array().unwrap().len(), 0);
    let r = srv.get("/api/portals?cursor=nonsense", &key).await;
    assert_eq!(r.status, 400, "{}", r.json);

    // Another workspace sees nothing of it.
    let other = srv.other_workspace_key("other");
    assert_eq!(
        srv.get(&format!("/api/portals/{id}"), &other).await.status,
        404
    );
    let r = srv
        .post(&format!("/api/portals/{id}/close"), &other, &json!({}))
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(
        srv.get("/api/portals", &other).await.json["data"],
        json!([])
    );

    // A new link replaces the old one.
    let r = srv
        .post(&format!("/api/portals/{id}/link"), &key, &json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_ne!(r.json["link"], portal["link"]);

    let r = srv
        .post(&format!("/api/portals/{id}/close"), &key, &json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["status"], "closed");
    let r = srv
        .post(&format!("/api/portals/{id}/close"), &key, &json!({}))
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(r.json["code"], "portal_not_open");
    let r = srv
        .post(&format!("/api/portals/{id}/link"), &key, &json!({}))
        .await;
    assert_eq!(r.status, 409);

    // Audited, with the key as the actor.
    let audited = srv
        .sql_i64(&format!(
            "SELECT COUNT(*) FROM audit_entries WHERE object_id = '{id}' AND action IN ('portal.created', 'portal.closed', 'portal.link_renewed')"
        ))
        .await;
    assert_eq!(audited, 3);
}

async fn bad_portal_requests_are_refused_field_by_field(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let r = srv
        .post(
            "/api/portals",
            &key,
            &json!({"redirect_url": "javascript:alert(1)", "email": "nope", "locale": "français",
                    "theme": "dark", "expires_at": "2001-01-01T00:00:00Z",
                    "default_custom_fields": {"unknown": 1}}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.json);
    let fields = r.error_fields();
    for f in [
        "redirect_url",
        "email",
        "locale",
        "theme",
        "default_custom_fields.unknown",
    ] {
        assert!(fields.contains(&f.to_string()), "{f} not in {fields:?}");
    }
    let r = srv
        .post(
            "/api/portals",
            &key,
            &json!({"expires_at": "2001-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.error_fields(), vec!["expires_at"]);
    let r = srv
        .post("/api/portals", &key, &json!({"type": "robot"}))
        .await;
    assert_eq!(r.status, 422, "{}", r.json);
    let r = srv
        .post("/api/portals", &key, &json!({"template": "kyc_standard"}))
        .await;
    assert_eq!(
        r.status, 422,
        "a person template on a business portal: {}",
        r.json
    );
    let r = srv
        .post("/api/portals", &key, &json!({"colour": "red"}))
        .await;
    assert_eq!(r.status, 422, "unknown fields are refused: {}", r.json);
    let ro = srv.apikey(&["--role", "read_only"]);
    assert_eq!(srv.post("/api/portals", &ro, &json!({})).await.status, 403);
    assert_eq!(srv.get("/api/portals/prt_nope", &key).await.status, 404);
}

async fn a_case_has_one_collect_at_a_time_reopened_in_rounds(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let r = srv
        .post(
            "/api/applications",
            &key,
            &json!({"type": "person", "person": {"first_name": "Col", "last_name": "Lect", "nationality": "FR"}}),
        )
        .await;
    assert_eq!(r.status, 201);
    let app = r.json["id"].as_str().unwrap().to_string();
    let path = format!("/api/applications/{app}/portals");

    assert_eq!(srv.get(&path, &key).await.status, 404, "no collect yet");
    let r = srv
        .post(&path, &key, &json!({"steps": ["identity-verification"]}))
        .await;
    assert_eq!(r.status, 422, "{}", r.json);
    assert_eq!(r.json["errors"][0]["code"], "unsupported");
    let r = srv
        .post(&path, &key, &json!({"steps": ["relationships"]}))
        .await;
    assert_eq!(
        r.status, 422,
        "a person has no parties to ask for: {}",
        r.json
    );
    let r = srv
        .post(
            &path,
            &key,
            &json!({"steps": ["documents"], "documents": [{"type": "no_such_type"}]}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.json);

    let r = srv
        .post(
            &path,
            &key,
            &json!({"steps": ["documents"],
                    "documents": [{"type": "proof_of_address", "reason": "Your proof of address is missing",
                                   "note": "asked by compliance"}],
                    "message": "One more document, please."}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let collect = r.json;
    let link = collect["portals"]["link"].as_str().unwrap().to_string();
    assert!(link.starts_with(&srv.base));
    assert_eq!(collect["status"], "opened");
    assert_eq!(collect["round"], 1);
    assert_eq!(collect["documents"][0]["note"], "asked by compliance");

    let events = srv.events(&key, "collect.opened", &app).await;
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0]["data"]["object"]["portals"]["link"],
        link.as_str()
    );
    assert_eq!(events[0]["data"]["application_id"], app.as_str());

    let r = srv
        .post(&path, &key, &json!({"steps": ["documents"]}))
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(r.json["code"], "collect_open");

    let r = srv
        .patch(
            &path,
            &key,
            &json!({"steps": ["details"], "message": "Please check your name."}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["round"], 2);
    assert_eq!(r.json["rounds"].as_array().unwrap().len(), 2);
    assert!(r.json["rounds"][0]["closed_at"].is_string());
    let relink = r.json["portals"]["link"].as_str().unwrap().to_string();
    assert_ne!(relink, link);
    assert_eq!(srv.events(&key, "collect.opened", &app).await.len(), 2);

    let collect_id = r.json["id"].as_str().unwrap().to_string();
    let r = srv
        .post(
            &format!("/api/portals/{collect_id}/close"),
            &key,
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let closed = srv.events(&key, "collect.closed", &app).await;
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0]["data"]["object"]["status"], "closed");
    assert_eq!(closed[0]["data"]["object"]["portals"]["link"], Value::Null);

    // Closed, it can be opened again.
    let r = srv.post(&path, &key, &json!({"steps": ["details"]})).await;
    assert_eq!(r.status, 201, "{}", r.json);

    let other = srv.other_workspace_key("other");
    assert_eq!(
        srv.post(&path, &other, &json!({"steps": ["details"]}))
            .await
            .status,
        404
    );
    assert_eq!(srv.get(&path, &other).await.status, 404);
    let r = srv
        .post("/api/applications/app_nope/portals", &key, &json!({}))
        .await;
    assert_eq!(r.status, 404);
}

async fn branding_is_validated_audited_and_for_admins(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    assert_eq!(srv.get("/api/branding", &key).await.json, json!({}));
    let png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
    let branding = json!({"display_name": "Acme Pay", "primary_color": "#0a7d34", "logo": png,
                          "support_email": "kyc@acme.example", "themes": {"night": {"primary_color": "#222222"}}});
    let r = srv.send_json("PUT", "/api/branding", &key, &branding).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(srv.get("/api/branding", &key).await.json, branding);

    let r = srv
        .send_json(
            "PUT",
            "/api/branding",
            &key,
            &json!({"primary_color": "green", "logo": "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=",
                    "themes": {"bad name!": {}}}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.json);
    let fields = r.error_fields();
    for f in ["primary_color", "logo", "themes.bad name!"] {
        assert!(fields.contains(&f.to_string()), "{f} not in {fields:?}");
    }
    let reviewer = srv.apikey(&["--role", "reviewer"]);
    let r = srv
        .send_json("PUT", "/api/branding", &reviewer, &json!({}))
        .await;
    assert_eq!(r.status, 403);

    // A portal may pick a theme that exists.
    let r = srv
        .post("/api/portals", &key, &json!({"theme": "night"}))
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let audited = srv
        .sql_i64("SELECT COUNT(*) FROM audit_entries WHERE action = 'branding.updated'")
        .await;
    assert_eq!(audited, 1);
    let other = srv.other_workspace_key("other");
    assert_eq!(srv.get("/api/branding", &other).await.json, json!({}));
}

both_backends!(
    onboarding_portals_are_made_listed_and_closed,
    bad_portal_requests_are_refused_field_by_field,
    a_case_has_one_collect_at_a_time_reopened_in_rounds,
    branding_is_validated_audited_and_for_admins,
);
