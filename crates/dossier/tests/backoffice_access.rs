//! Who gets into the back-office, over HTTP, on SQLite and PostgreSQL: sign-in and its refusals,
//! sessions (rotation, idle expiry, sign-out, deactivation), the growing lock-out per account and
//! per address, password changes, CSRF and origins, and workspaces that never see each other.

mod common;

use common::backoffice::Analyst;
use common::{Backend, TestServer};
use serde_json::json;

async fn case(srv: &TestServer, key: &str, name: &str) -> String {
    let r = srv
        .post(
            "/api/applications",
            key,
            &json!({"type": "business", "business": {"name": name, "country": "DE"}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    r.json["id"].as_str().unwrap().to_string()
}

async fn sign_in_opens_a_new_session_each_time_and_sign_out_ends_it(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    case(&srv, &key, "Zebulon Trading GmbH").await;
    let password = srv.user("Rev@Bars.test", "reviewer", None);

    // Not signed in: pages send to the sign-in page, and come back after it.
    let mut a = Analyst::new(&srv);
    let page = a.get("/cases?risk_level=high").await;
    assert_eq!(page.status, 303);
    assert_eq!(page.location(), "/login?next=%2Fcases%3Frisk_level%3Dhigh");
    assert_eq!(a.get("/").await.location(), "/login");

    // A wrong password, an unknown address: the same refusal, no session.
    for (email, pw) in [
        ("rev@bars.test", "not-the-password"),
        ("nobody@bars.test", password.as_str()),
    ] {
        let page = a.sign_in(email, pw).await;
        assert_eq!(page.status, 401, "{email}");
        assert!(page.session_cookie().is_none());
        assert!(
            page.text
                .contains("The e-mail address or the password is not right.")
        );
        assert!(
            page.text.contains(&format!("value=\"{email}\"")),
            "the e-mail stays typed"
        );
    }

    // The e-mail is matched whatever its case; the cookie is HttpOnly and SameSite=Strict.
    let page = a
        .post_raw(
            "/login",
            &[
                ("email", "REV@bars.test"),
                ("password", &password),
                ("next", "/cases?x=1"),
            ],
            Some(&srv.base),
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.text);
    assert_eq!(page.location(), "/cases?x=1");
    let set = page.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    let first = a.cookie.clone().unwrap();
    let page = a.get("/cases").await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("Zebulon Trading GmbH"));
    assert_eq!(a.get("/").await.location(), "/cases");

    // Signing in again from the same browser replaces the session: the old id is dead.
    let page = a.sign_in("rev@bars.test", &password).await;
    assert_eq!(page.status, 303);
    let second = a.cookie.clone().unwrap();
    assert_ne!(first, second);
    let mut old = Analyst::new(&srv);
    old.cookie = Some(first);
    assert_eq!(old.get("/cases").await.status, 303);

    // `next` only ever leads to our own pages.
    for next in [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
    ] {
        let page = a
            .post_raw(
                "/login",
                &[
                    ("email", "rev@bars.test"),
                    ("password", &password),
                    ("next", next),
                ],
                Some(&srv.base),
            )
            .await;
        assert_eq!(page.location(), "/cases", "{next}");
    }

    // Sign-out needs the token, then ends the session.
    a.get("/cases").await;
    let no_token = a.post_raw("/logout", &[], Some(&srv.base)).await;
    assert_eq!(no_token.status, 403);
    assert_eq!(a.get("/cases").await.status, 200);
    let page = a.post("/logout", &[]).await;
    assert_eq!(page.status, 303);
    assert_eq!(page.location(), "/login");
    let cookie = a.cookie.clone();
    assert!(cookie.is_none(), "the cookie is cleared");
    let mut after = Analyst::new(&srv);
    after.cookie = Some(second);
    assert_eq!(after.get("/cases").await.status, 303);
}

async fn sign_in_posts_only_from_our_origin(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let password = srv.user("rev@bars.test", "reviewer", None);
    let mut a = Analyst::new(&srv);
    let fields = [("email", "rev@bars.test"), ("password", password.as_str())];
    let page = a
        .post_raw("/login", &fields, Some("https://evil.example"))
        .await;
    assert_eq!(page.status, 403);
    assert!(page.session_cookie().is_none());
    let page = a.post_raw("/login", &fields, Some("null")).await;
    assert_eq!(page.status, 403);
    // A NUL byte or an unreadable body is refused, not stored or looked up.
    let page = a
        .post_raw(
            "/login",
            &[("email", "rev\0@bars.test"), ("password", "x")],
            Some(&srv.base),
        )
        .await;
    assert_eq!(page.status, 400);
}

async fn failed_sign_ins_lock_the_account_then_the_address(backend: Backend) {
    let srv = TestServer::with_env(backend, &[("DOSSIER_BACKOFFICE__LOCKOUT_AFTER", "3")]).await;
    let mut srv = srv;
    srv.spawn().await;
    let rev = srv.user("rev@bars.test", "reviewer", None);
    let other = srv.user("other@bars.test", "reviewer", None);
    let mut a = Analyst::new(&srv);
    for _ in 0..3 {
        assert_eq!(a.sign_in("rev@bars.test", "wrong").await.status, 401);
    }
    // Locked: even the right password is refused, with the wait.
    let page = a.sign_in("rev@bars.test", &rev).await;
    assert_eq!(page.status, 429, "{}", page.text);
    assert!(page.session_cookie().is_none());
    assert!(page.text.contains("Too many failed attempts"));
    let locked: i64 = srv
        .sql_i64("SELECT count(*) FROM login_throttle WHERE key = 'user:rev@bars.test' AND locked_until IS NOT NULL")
        .await;
    assert_eq!(locked, 1);

    // Another account from the same address still signs in (the address locks later: 4 × 3).
    assert_eq!(a.sign_in("other@bars.test", &other).await.status, 303);
    // Its success forgot nothing of the address's failures; nine more lock the address.
    for i in 0..9 {
        let status = a
            .sign_in(&format!("guess{i}@bars.test"), "wrong")
            .await
            .status;
        assert_eq!(status, 401, "attempt {i}");
    }
    assert_eq!(a.sign_in("other@bars.test", &other).await.status, 429);
}

async fn an_idle_session_ends_and_a_deactivated_user_is_out_at_once(backend: Backend) {
    let mut srv =
        TestServer::with_env(backend, &[("DOSSIER_BACKOFFICE__SESSION_IDLE", "2s")]).await;
    srv.spawn().await;
    let mut idle = srv.analyst("idle@bars.test", "reviewer").await;
    assert_eq!(idle.get("/cases").await.status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let page = idle.get("/cases").await;
    assert_eq!(page.status, 303, "an idle session ended");
    let gone: i64 = srv
        .sql_i64("SELECT count(*) FROM web_sessions WHERE kind = 'user' AND subject_id IN (SELECT id FROM users WHERE email = 'idle@bars.test')")
        .await;
    assert_eq!(gone, 0, "and was deleted");

    let mut busy = srv.analyst("busy@bars.test", "reviewer").await;
    assert_eq!(busy.get("/cases").await.status, 200);
    srv.sql("UPDATE users SET status = 'deactivated' WHERE email = 'busy@bars.test'")
        .await;
    assert_eq!(busy.get("/cases").await.status, 303);
    let password = srv.user("busy2@bars.test", "reviewer", None);
    srv.sql("UPDATE users SET status = 'deactivated' WHERE email = 'busy2@bars.test'")
        .await;
    let mut again = Analyst::new(&srv);
    assert_eq!(
        again.sign_in("busy2@bars.test", &password).await.status,
        401
    );
}

async fn a_password_change_checks_the_old_one_refuses_weak_ones_and_ends_other_sessions(
    backend: Backend,
) {
    let srv = TestServer::start(backend).await;
    let password = srv.user("rev@bars.test", "reviewer", None);
    let mut here = Analyst::new(&srv);
    here.sign_in("rev@bars.test", &password).await;
    let mut elsewhere = Analyst::new(&srv);
    elsewhere.sign_in("rev@bars.test", &password).await;
    assert_eq!(here.get("/account/password").await.status, 200);

    for (current, new, repeat, message) in [
        (
            "wrong",
            "a long fresh passphrase",
            "a long fresh passphrase",
            "This is not your current password.",
        ),
        (
            password.as_str(),
            "short",
            "short",
            "This password is too short.",
        ),
        (
            password.as_str(),
            "Qwerty123456",
            "Qwerty123456",
            "one of the most common",
        ),
        (
            password.as_str(),
            "a long fresh passphrase",
            "another long passphrase",
            "The two new passwords are not the same.",
        ),
    ] {
        let page = here
            .post(
                "/account/password",
                &[("current", current), ("new", new), ("repeat", repeat)],
            )
            .await;
        assert_eq!(page.status, 422, "{new}");
        assert!(page.text.contains(message), "{message} in\n{}", page.text);
    }
    let page = here
        .post(
            "/account/password",
            &[
                ("current", &password),
                ("new", "a long fresh passphrase"),
                ("repeat", "a long fresh passphrase"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.text);
    assert_eq!(
        here.get("/cases").await.status,
        200,
        "this browser stays signed in"
    );
    assert_eq!(
        elsewhere.get("/cases").await.status,
        303,
        "the others are out"
    );
    let mut fresh = Analyst::new(&srv);
    assert_eq!(fresh.sign_in("rev@bars.test", &password).await.status, 401);
    assert_eq!(
        fresh
            .sign_in("rev@bars.test", "a long fresh passphrase")
            .await
            .status,
        303
    );
    let audited: i64 = srv
        .sql_i64("SELECT count(*) FROM audit_entries WHERE action = 'user.password_changed'")
        .await;
    assert_eq!(audited, 1);
}

async fn a_workspace_can_make_users_choose_their_own_password(backend: Backend) {
    let srv = TestServer::start(backend).await;
    srv.sql("UPDATE workspaces SET users_must_change_password = 1")
        .await;
    let password = srv.user("new@bars.test", "reviewer", None);
    let mut a = Analyst::new(&srv);
    let page = a.sign_in("new@bars.test", &password).await;
    assert_eq!(page.location(), "/account/password");
    // Nothing else opens until it is done.
    assert_eq!(a.get("/cases").await.location(), "/account/password");
    let page = a.get("/account/password").await;
    assert!(
        page.text
            .contains("Choose your own password before you go on.")
    );
    let page = a
        .post(
            "/account/password",
            &[
                ("current", &password),
                ("new", "my very own passphrase"),
                ("repeat", "my very own passphrase"),
            ],
        )
        .await;
    assert_eq!(page.status, 303);
    assert_eq!(a.get("/cases").await.status, 200);
}

async fn a_user_sees_only_their_own_workspace(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let ours = case(&srv, &key, "Zebulon Trading GmbH").await;
    let other_key = srv.other_workspace_key("other");
    let theirs = case(&srv, &other_key, "Quokka Holdings SA").await;
    let password = srv.user("oth@bars.test", "admin", Some("other"));
    let mut a = Analyst::new(&srv);
    assert_eq!(a.sign_in("oth@bars.test", &password).await.status, 303);
    let list = a.get("/cases").await;
    assert!(list.text.contains("Quokka Holdings SA"));
    assert!(!list.text.contains("Zebulon"));
    let page = a.get(&format!("/cases/{ours}")).await;
    assert_eq!(page.status, 404);
    assert!(!page.text.contains("Zebulon"));
    assert_eq!(a.get(&format!("/cases/{theirs}")).await.status, 200);
    // Acting on the other workspace's case by its id changes nothing there.
    let page = a
        .post(
            &format!("/cases/{ours}/decision"),
            &[("status_review", "rejected"), ("reason", "x")],
        )
        .await;
    assert_eq!(page.status, 404);
    let r = srv.get(&format!("/api/applications/{ours}"), &key).await;
    assert_eq!(r.json["status_review"], "pending");
}

async fn forms_refuse_cross_site_posts_and_missing_tokens(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let id = case(&srv, &key, "Zebulon Trading GmbH").await;
    let mut a = srv.analyst("adm@bars.test", "admin").await;
    a.get(&format!("/cases/{id}")).await;
    let token = a.csrf.clone().unwrap();
    let path = format!("/cases/{id}/decision");
    let fields = [
        ("_csrf", token.as_str()),
        ("status_review", "rejected"),
        ("reason", "fraud"),
    ];
    let page = a
        .post_raw(&path, &fields, Some("https://evil.example"))
        .await;
    assert_eq!(page.status, 403);
    let page = a.post_raw(&path, &fields[1..], Some(&srv.base)).await;
    assert_eq!(page.status, 403);
    let page = a
        .post_raw(
            &path,
            &[
                ("_csrf", "forged-token"),
                ("status_review", "rejected"),
                ("reason", "x"),
            ],
            Some(&srv.base),
        )
        .await;
    assert_eq!(page.status, 403);
    let r = srv.get(&format!("/api/applications/{id}"), &key).await;
    assert_eq!(r.json["status_review"], "pending", "nothing was decided");
}

/// "Stay signed in" moves the idle expiry and says when it now is; only from our pages.
async fn staying_signed_in_moves_the_idle_expiry(backend: Backend) {
    let mut srv =
        TestServer::with_env(backend, &[("DOSSIER_BACKOFFICE__SESSION_IDLE", "3s")]).await;
    srv.spawn().await;
    let mut a = srv.analyst("stay@bars.test", "reviewer").await;
    let first = a.post("/account/session", &[]).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let at = |p: &common::backoffice::Page| -> jiff::Timestamp {
        let v: serde_json::Value = serde_json::from_str(&p.text).unwrap();
        v["expires_at"].as_str().unwrap().parse().unwrap()
    };
    let before = at(&first);
    // Twice the idle time, extended every second: still signed in.
    for _ in 0..6 {
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        let r = a.post("/account/session", &[]).await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let later = a.post("/account/session", &[]).await;
    assert!(at(&later) > before, "the expiry moved");
    // Without the token, or from another site: refused.
    let r = a
        .post_raw("/account/session", &[], Some(&srv.base.clone()))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let token = a.csrf.clone().unwrap();
    let r = a
        .post_raw(
            "/account/session",
            &[("_csrf", &token)],
            Some("https://evil.example"),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
}

both_backends!(
    staying_signed_in_moves_the_idle_expiry,
    sign_in_opens_a_new_session_each_time_and_sign_out_ends_it,
    sign_in_posts_only_from_our_origin,
    failed_sign_ins_lock_the_account_then_the_address,
    an_idle_session_ends_and_a_deactivated_user_is_out_at_once,
    a_password_change_checks_the_old_one_refuses_weak_ones_and_ends_other_sessions,
    a_workspace_can_make_users_choose_their_own_password,
    a_user_sees_only_their_own_workspace,
    forms_refuse_cross_site_posts_and_missing_tokens,
);
