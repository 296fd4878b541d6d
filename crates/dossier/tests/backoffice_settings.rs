//! The back-office's settings over HTTP, on SQLite and PostgreSQL, driven as a browser without
//! JavaScript would: forms with the session's CSRF token, post/redirect/get. For each section: an
//! admin's change is made and audited with the user as the actor; a reviewer and a read-only user
//! get 403 on every route (GET and POST); a missing token or a cross-site origin gets 403;
//! another workspace's ids are 404; invalid input is refused beside its field and stores nothing;
//! a secret (a password, a key, a signing secret) is shown once and not on a reload.

mod common;

use common::{Backend, TestServer};
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

/// A browser without JavaScript: its session cookie, no redirects followed.
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

    fn csrf(&self) -> String {
        let at = self
            .text
            .find("name=\"_csrf\" value=\"")
            .unwrap_or_else(|| panic!("no CSRF field in {}", self.text))
            + 20;
        self.text[at..].split('"').next().unwrap().to_string()
    }

    /// The secret shown once (`<code class="bo-secret-value">…</code>`), if any.
    fn secret(&self) -> Option<String> {
        let marker = "class=\"bo-secret-value\">";
        let at = self.text.find(marker)? + marker.len();
        Some(self.text[at..].split('<').next().unwrap().to_string())
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
            Some(c) => req.header("cookie", format!("dossier_session={c}")),
            None => req,
        };
        let resp = req.send().await.expect("request sent");
        let headers = resp.headers().clone();
        for c in headers.get_all("set-cookie") {
            let c = c.to_str().unwrap();
            if let Some(v) = c.strip_prefix("dossier_session=") {
                let v = v.split(';').next().unwrap();
                self.cookie = (!v.is_empty()).then(|| v.to_string());
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
            req = req.header("origin", o);
        }
        self.send(req).await
    }

    /// A `multipart/form-data` post from our origin (the branding forms).
    async fn post_multipart(&mut self, path: &str, form: reqwest::multipart::Form) -> Page {
        let req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("origin", self.base.clone())
            .multipart(form);
        self.send(req).await
    }

    /// Signs in; panics unless it worked.
    async fn login(srv: &TestServer, email: &str, password: &str) -> Browser {
        let mut b = Browser::new(srv);
        let page = b
            .post("/login", &[("email", email), ("password", password)])
            .await;
        assert_eq!(page.status, 303, "sign-in of {email}: {}", page.text);
        assert!(b.cookie.is_some(), "no session cookie");
        b
    }

    /// A page's CSRF token (a GET of a page the user may see).
    async fn token(&mut self) -> String {
        let page = self.get("/cases").await;
        assert_eq!(page.status, 200, "{}", page.text);
        page.csrf()
    }
}

/// Creates a user with the CLI: (id, password).
fn user(srv: &TestServer, email: &str, role: &str, workspace: &str) -> (String, String) {
    let out = srv.cli(&[
        "user",
        "create",
        "--email",
        email,
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
    let password = String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .last()
        .unwrap()
        .to_string();
    let list = srv.cli(&["user", "list", "--workspace", workspace]);
    let id = String::from_utf8(list.stdout)
        .unwrap()
        .lines()
        .find(|l| l.split('\t').nth(1) == Some(email))
        .and_then(|l| l.split('\t').next())
        .unwrap()
        .to_string();
    (id, password)
}

fn workspace(srv: &TestServer, name: &str) {
    let out = srv.cli(&["workspace", "create", name]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// How many audit entries of `action` the user `actor_id` made.
async fn audited(srv: &TestServer, action: &str, actor_id: &str) -> i64 {
    srv.sql_i64(&format!(
        "SELECT COUNT(*) FROM audit_entries WHERE action = '{action}' \
         AND actor_kind = 'user' AND actor_id = '{actor_id}'"
    ))
    .await
}

/// Every settings route, for the role matrix: (method, path).
fn routes(user_id: &str) -> Vec<(&'static str, String)> {
    let mut list: Vec<(&str, String)> = [
        "/settings",
        "/settings/users",
        "/settings/api-keys",
        "/settings/webhooks",
        "/settings/custom-fields",
        "/settings/templates",
        "/settings/templates/kyb_standard",
        "/settings/branding",
        "/settings/branding/preview",
        "/settings/watchlists",
        "/settings/audit",
    ]
    .into_iter()
    .map(|p| ("GET", p.to_string()))
    .collect();
    list.push(("GET", format!("/settings/users/{user_id}")));
    for p in [
        "/settings/users",
        "/settings/users/options",
        "/settings/api-keys",
        "/settings/webhooks",
        "/settings/custom-fields",
        "/settings/templates/kyb_standard",
        "/settings/audit/verify",
        "/settings/branding",
        "/settings/branding/themes",
    ] {
        list.push(("POST", p.to_string()));
    }
    for suffix in ["", "/active", "/password"] {
        list.push(("POST", format!("/settings/users/{user_id}{suffix}")));
    }
    list
}

/// Checks that `b` gets 403 on every settings route, GET and POST (with its own valid token).
async fn refused_everywhere(b: &mut Browser, user_id: &str, who: &str) {
    let csrf = b.token().await;
    for (method, path) in routes(user_id) {
        let page = match method {
            "GET" => b.get(&path).await,
            _ => {
                b.post(
                    &path,
                    &[
                        ("_csrf", csrf.as_str()),
                        ("email", "x@bank.test"),
                        ("role", "admin"),
                        ("name", "x"),
                        ("active", "no"),
                    ],
                )
                .await
            }
        };
        assert_eq!(page.status, 403, "{who}: {method} {path}: {}", page.text);
    }
    // The top bar offers no settings to a non-admin.
    let page = b.get("/cases").await;
    assert!(!page.text.contains("href=\"/settings\""), "{who}");
}

async fn admins_manage_users_and_others_are_refused(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let (admin_id, password) = user(&srv, "admin@bank.test", "admin", "default");
    let mut admin = Browser::login(&srv, "admin@bank.test", &password).await;

    let page = admin.get("/settings").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("href=\"/settings/users\""));
    let page = admin.get("/settings/users").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("admin@bank.test"));
    let csrf = page.csrf();

    // Invite: the generated password is shown once, after the redirect, and not on a reload.
    let page = admin
        .post(
            "/settings/users",
            &[
                ("_csrf", &csrf),
                ("email", "Rev@Bank.test"),
                ("name", "Rita Reviewer"),
                ("role", "reviewer"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.text);
    assert_eq!(page.location(), "/settings/users?done=user-invited");
    let page = admin.get(page.location()).await;
    assert_eq!(page.status, 200);
    let rev_password = page.secret().expect("the password is shown");
    assert_eq!(rev_password.len(), 20, "{rev_password}");
    assert!(page.text.contains("rev@bank.test"));
    assert!(page.text.contains("The user is invited."));
    let again = admin.get("/settings/users").await;
    assert!(again.secret().is_none(), "the password is shown again");
    assert!(!again.text.contains(&rev_password));
    assert_eq!(audited(&srv, "user.created", &admin_id).await, 1);
    let rev_id = srv
        .sql_i64("SELECT COUNT(*) FROM users WHERE email = 'rev@bank.test'")
        .await;
    assert_eq!(rev_id, 1);
    let rev_id = {
        let list = srv.cli(&["user", "list"]);
        String::from_utf8(list.stdout)
            .unwrap()
            .lines()
            .find(|l| l.contains("rev@bank.test"))
            .and_then(|l| l.split('\t').next())
            .unwrap()
            .to_string()
    };

    // Invalid input: refused beside its field, what was typed kept, nothing stored.
    let page = admin
        .post(
            "/settings/users",
            &[
                ("_csrf", &csrf),
                ("email", "not-an-address"),
                ("name", "Nobody"),
                ("role", "superuser"),
            ],
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.text);
    assert!(page.text.contains("aria-invalid=\"true\""));
    assert!(page.text.contains("not-an-address"));
    assert!(page.text.contains("href=\"#field-role\""), "{}", page.text);
    let page = admin
        .post(
            "/settings/users",
            &[
                ("_csrf", &csrf),
                ("email", "rev@bank.test"),
                ("role", "reviewer"),
            ],
        )
        .await;
    assert_eq!(page.status, 409, "{}", page.text);
    assert!(
        page.text
            .contains("A user with this e-mail address exists already.")
    );
    assert_eq!(srv.sql_i64("SELECT COUNT(*) FROM users").await, 2);

    // No token, a wrong one, or another site: 403, and nothing changes.
    let fields = [("email", "csrf@bank.test"), ("role", "admin")];
    assert_eq!(admin.post("/settings/users", &fields).await.status, 403);
    let wrong = [fields[0], fields[1], ("_csrf", "not-the-token")];
    assert_eq!(admin.post("/settings/users", &wrong).await.status, 403);
    let good = [fields[0], fields[1], ("_csrf", csrf.as_str())];
    let page = admin
        .post_from("/settings/users", &good, Some("https://evil.example"))
        .await;
    assert_eq!(page.status, 403);
    assert_eq!(
        admin
            .post_from("/settings/users", &good, Some("null"))
            .await
            .status,
        403
    );
    assert_eq!(srv.sql_i64("SELECT COUNT(*) FROM users").await, 2);

    // A reviewer and a read-only user: 403 on every route, GET and POST.
    let mut reviewer = Browser::login(&srv, "rev@bank.test", &rev_password).await;
    refused_everywhere(&mut reviewer, &rev_id, "reviewer").await;
    let (_, ro_password) = user(&srv, "ro@bank.test", "read_only", "default");
    let mut read_only = Browser::login(&srv, "ro@bank.test", &ro_password).await;
    refused_everywhere(&mut read_only, &rev_id, "read-only").await;
    assert_eq!(audited(&srv, "user.updated", &rev_id).await, 0);

    // The admin changes the reviewer's role: audited, and the reviewer's session ends.
    let page = admin.get(&format!("/settings/users/{rev_id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("Rita Reviewer"));
    let page = admin
        .post(
            &format!("/settings/users/{rev_id}"),
            &[
                ("_csrf", &csrf),
                ("name", "Rita Qualified"),
                ("role", "qualified_reviewer"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.text);
    assert_eq!(audited(&srv, "user.updated", &admin_id).await, 1);
    assert_eq!(
        reviewer.get("/cases").await.status,
        303,
        "the old role acts on"
    );
    let page = admin
        .post(
            &format!("/settings/users/{rev_id}"),
            &[("_csrf", &csrf), ("name", ""), ("role", "automation")],
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.text);
    assert_eq!(audited(&srv, "user.updated", &admin_id).await, 1);

    // Deactivated: the user's session stops working at once, and signing in fails.
    let mut reviewer = Browser::login(&srv, "rev@bank.test", &rev_password).await;
    assert_eq!(reviewer.get("/cases").await.status, 200);
    let page = admin
        .post(
            &format!("/settings/users/{rev_id}/active"),
            &[("_csrf", &csrf), ("active", "no")],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.text);
    let page = reviewer.get("/cases").await;
    assert_eq!(page.status, 303);
    assert!(page.location().starts_with("/login"), "{}", page.location());
    let mut b = Browser::new(&srv);
    let page = b
        .post(
            "/login",
            &[
                ("email", "rev@bank.test"),
                ("password", rev_password.as_str()),
            ],
        )
        .await;
    assert_eq!(page.status, 401);
    let page = admin.get(&format!("/settings/users/{rev_id}")).await;
    assert!(page.text.contains("Deactivated"), "{}", page.text);
    let page = admin
        .post(
            &format!("/settings/users/{rev_id}/active"),
            &[("_csrf", &csrf), ("active", "yes")],
        )
        .await;
    assert_eq!(page.status, 303);
    assert_eq!(audited(&srv, "user.updated", &admin_id).await, 3);

    // The last admin cannot deactivate themself.
    let page = admin
        .post(
            &format!("/settings/users/{admin_id}/active"),
            &[("_csrf", &csrf), ("active", "no")],
        )
        .await;
    assert_eq!(page.status, 409, "{}", page.text);

    // A reset password is shown once, and the old one stops working.
    let page = admin
        .post(
            &format!("/settings/users/{rev_id}/password"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.text);
    let page = admin.get(page.location()).await;
    let new_password = page.secret().expect("the new password is shown");
    assert_ne!(new_password, rev_password);
    assert!(
        admin
            .get(&format!("/settings/users/{rev_id}"))
            .await
            .secret()
            .is_none()
    );
    assert_eq!(audited(&srv, "user.password_reset", &admin_id).await, 1);
    Browser::login(&srv, "rev@bank.test", &new_password).await;

    // The workspace option: users choose their own password at first sign-in.
    let page = admin
        .post(
            "/settings/users/options",
            &[("_csrf", &csrf), ("must_change_password", "yes")],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.text);
    assert_eq!(audited(&srv, "workspace.updated", &admin_id).await, 1);
    let page = admin.get("/settings/users").await;
    assert!(
        page.text
            .contains("name=\"must_change_password\" value=\"yes\" checked"),
        "{}",
        page.text
    );
    let page = admin
        .post(
            "/settings/users",
            &[
                ("_csrf", &csrf),
                ("email", "new@bank.test"),
                ("role", "reviewer"),
            ],
        )
        .await;
    assert_eq!(page.status, 303);
    let new_password = admin.get("/settings/users").await.secret().unwrap();
    let mut b = Browser::new(&srv);
    let page = b
        .post(
            "/login",
            &[
                ("email", "new@bank.test"),
                ("password", new_password.as_str()),
            ],
        )
        .await;
    assert_eq!(page.location(), "/account/password");

    // Another workspace's admin: this workspace's users are not found.
    workspace(&srv, "other");
    let (_, other_password) = user(&srv, "admin@other.test", "admin", "other");
    let mut other = Browser::login(&srv, "admin@other.test", &other_password).await;
    let other_csrf = other.token().await;
    assert_eq!(
        other.get(&format!("/settings/users/{rev_id}")).await.status,
        404
    );
    for suffix in ["", "/active", "/password"] {
        let page = other
            .post(
                &format!("/settings/users/{rev_id}{suffix}"),
                &[
                    ("_csrf", other_csrf.as_str()),
                    ("name", "Hijack"),
                    ("role", "admin"),
                    ("active", "no"),
                ],
            )
            .await;
        assert_eq!(page.status, 404, "{suffix}: {}", page.text);
    }
    let page = other.get("/settings/users").await;
    assert!(!page.text.contains("rev@bank.test"));

    // French pages.
    let page = admin
        .send(
            admin
                .http
                .get(format!("{}/settings/users", admin.base))
                .header("accept-language", "fr-FR"),
        )
        .await;
    assert!(
        page.text.contains("Inviter un utilisateur"),
        "{}",
        page.text
    );
}

async fn api_keys_webhooks_and_custom_fields(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let (admin_id, password) = user(&srv, "admin@bank.test", "admin", "default");
    let (rev_id, rev_password) = user(&srv, "rev@bank.test", "reviewer", "default");
    workspace(&srv, "other");
    let (_, other_password) = user(&srv, "admin@other.test", "admin", "other");
    let mut admin = Browser::login(&srv, "admin@bank.test", &password).await;
    let mut reviewer = Browser::login(&srv, "rev@bank.test", &rev_password).await;
    let mut other = Browser::login(&srv, "admin@other.test", &other_password).await;
    let csrf = admin.token().await;
    let rev_csrf = reviewer.token().await;
    let other_csrf = other.token().await;

    // API keys: created with a role, shown once, working, revoked.
    let page = admin
        .post(
            "/settings/api-keys",
            &[
                ("_csrf", &csrf),
                ("name", "Ledger export"),
                ("role", "read_only"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.text);
    let page = admin.get(page.location()).await;
    let key = page.secret().expect("the key is shown");
    assert!(key.starts_with("dsk_"), "{key}");
    assert!(page.text.contains("Ledger export"));
    let again = admin.get("/settings/api-keys").await;
    assert!(again.secret().is_none() && !again.text.contains(&key));
    assert_eq!(audited(&srv, "api_key.created", &admin_id).await, 1);
    assert_eq!(srv.get("/api/applications", &key).await.status, 200);
    let denied = srv
        .post("/api/applications", &key, &json!({"type": "person"}))
        .await;
    assert_eq!(denied.status, 403, "the key is read-only");
    let key_id = {
        let at = again.text.find("/settings/api-keys/").unwrap() + 19;
        again.text[at..].split('/').next().unwrap().to_string()
    };
    let keys = srv.sql_i64("SELECT COUNT(*) FROM api_keys").await;
    let page = admin
        .post(
            "/settings/api-keys",
            &[("_csrf", &csrf), ("name", " "), ("role", "client")],
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.text);
    assert!(page.text.contains("href=\"#field-name\""));
    assert!(page.text.contains("href=\"#field-role\""));
    assert_eq!(srv.sql_i64("SELECT COUNT(*) FROM api_keys").await, keys);
    for (b, token) in [(&mut reviewer, &rev_csrf)] {
        assert_eq!(b.get("/settings/api-keys").await.status, 403);
        let page = b
            .post(
                &format!("/settings/api-keys/{key_id}/revoke"),
                &[("_csrf", token)],
            )
            .await;
        assert_eq!(page.status, 403);
    }
    let page = other
        .post(
            &format!("/settings/api-keys/{key_id}/revoke"),
            &[("_csrf", &other_csrf)],
        )
        .await;
    assert_eq!(page.status, 404, "{}", page.text);
    assert!(
        !other
            .get("/settings/api-keys")
            .await
            .text
            .contains("Ledger export")
    );
    let page = admin
        .post(&format!("/settings/api-keys/{key_id}/revoke"), &[])
        .await;
    assert_eq!(page.status, 403, "no CSRF token");
    let page = admin
        .post(
            &format!("/settings/api-keys/{key_id}/revoke"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(page.status, 303);
    assert_eq!(srv.get("/api/applications", &key).await.status, 401);
    assert_eq!(audited(&srv, "api_key.revoked", &admin_id).await, 1);
    assert!(
        admin
            .get("/settings/api-keys")
            .await
            .text
            .contains("Revoked on")
    );

    // Webhooks: the signing secret is shown once; the log, a test event and its replay.
    let bad = admin
        .post(
            "/settings/webhooks",
            &[
                ("_csrf", &csrf),
                ("url", "ftp://hooks.example.com"),
                ("events", "*"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(
        bad.text.contains("ftp:&#x2f;&#x2f;hooks.example.com"),
        "{}",
        bad.text
    );
    let bad = admin
        .post(
            "/settings/webhooks",
            &[
                ("_csrf", &csrf),
                ("url", "https://hooks.example.com/dossier"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422, "no event: {}", bad.text);
    assert!(bad.text.contains("href=\"#field-events\""));
    assert_eq!(
        srv.sql_i64("SELECT COUNT(*) FROM webhook_endpoints").await,
        0
    );
    let page = admin
        .post(
            "/settings/webhooks",
            &[
                ("_csrf", &csrf),
                ("url", "https://hooks.example.com/dossier"),
                ("description", "CRM"),
                ("events", "application.review_updated"),
                ("events", "collect.opened"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.text);
    let page = admin.get(page.location()).await;
    let secret = page.secret().expect("the secret is shown");
    assert!(secret.starts_with("whsec_"), "{secret}");
    let again = admin.get("/settings/webhooks").await;
    assert!(again.secret().is_none() && !again.text.contains(&secret));
    assert_eq!(audited(&srv, "webhook.created", &admin_id).await, 1);
    let hook = {
        let at = again.text.find("/settings/webhooks/whk_").unwrap() + 19;
        again.text[at..].split('"').next().unwrap().to_string()
    };
    let page = admin.get(&format!("/settings/webhooks/{hook}")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("collect.opened"));
    let page = admin
        .post(
            &format!("/settings/webhooks/{hook}/test"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.text);
    let page = admin.get(page.location()).await;
    assert!(page.text.contains("webhooks.test"), "{}", page.text);
    let at = page.text.find("/deliveries/").expect("a replay form") + 12;
    let delivery = page.text[at..].split('/').next().unwrap().to_string();
    let retry = format!("/settings/webhooks/{hook}/deliveries/{delivery}/retry");
    let page = admin.post(&retry, &[("_csrf", &csrf)]).await;
    assert_eq!(page.status, 303, "{}", page.text);
    assert!(page.location().ends_with("done=delivery-replayed"));
    let page = reviewer.post(&retry, &[("_csrf", &rev_csrf)]).await;
    assert_eq!(page.status, 403);
    let page = other.post(&retry, &[("_csrf", &other_csrf)]).await;
    assert_eq!(page.status, 404);
    assert_eq!(
        other
            .get(&format!("/settings/webhooks/{hook}"))
            .await
            .status,
        404
    );
    for action in ["enabled", "test", "delete"] {
        let path = format!("/settings/webhooks/{hook}/{action}");
        let page = other.post(&path, &[("_csrf", &other_csrf)]).await;
        assert_eq!(page.status, 404, "{action}");
        let page = reviewer.post(&path, &[("_csrf", &rev_csrf)]).await;
        assert_eq!(page.status, 403, "{action}");
    }
    assert_eq!(
        reviewer
            .get(&format!("/settings/webhooks/{hook}"))
            .await
            .status,
        403
    );
    let page = admin
        .post(
            &format!("/settings/webhooks/{hook}/enabled"),
            &[("_csrf", &csrf), ("enabled", "no")],
        )
        .await;
    assert_eq!(page.status, 303);
    let page = admin.get(&format!("/settings/webhooks/{hook}")).await;
    assert!(page.text.contains("name=\"enabled\" value=\"yes\""));
    assert_eq!(audited(&srv, "webhook.updated", &admin_id).await, 1);
    let page = admin
        .post(
            &format!("/settings/webhooks/{hook}/delete"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(page.status, 303);
    assert_eq!(audited(&srv, "webhook.deleted", &admin_id).await, 1);
    assert_eq!(
        admin
            .get(&format!("/settings/webhooks/{hook}"))
            .await
            .status,
        404
    );

    // Custom fields: created, invalid refused, changed.
    let page = admin
        .post(
            "/settings/custom-fields",
            &[
                ("_csrf", &csrf),
                ("api_name", "Bad Name"),
                ("label", "Tier"),
                ("type", "choice"),
            ],
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.text);
    assert!(
        page.text.contains("href=\"#field-api-name\""),
        "{}",
        page.text
    );
    assert!(page.text.contains("Bad Name"));
    assert_eq!(srv.sql_i64("SELECT COUNT(*) FROM custom_fields").await, 0);
    let page = admin
        .post(
            "/settings/custom-fields",
            &[
                ("_csrf", &csrf),
                ("api_name", "account_tier"),
                ("label", "Tier"),
                ("type", "choice"),
                ("choices", "gold\nsilver\n"),
                ("applies_to", "application"),
                ("show_in_portal", "yes"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.text);
    assert_eq!(audited(&srv, "custom_field.created", &admin_id).await, 1);
    let api_key = srv.apikey(&[]);
    let fields = srv.get("/api/custom_fields", &api_key).await.json;
    let field = &fields["data"][0];
    assert_eq!(field["choices"], json!(["gold", "silver"]), "{fields}");
    assert_eq!(field["show_in_portal"], true);
    let id = field["id"].as_str().unwrap().to_string();
    let path = format!("/settings/custom-fields/{id}");
    let page = admin.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("gold\nsilver"));
    let page = admin
        .post(
            &path,
            &[
                ("_csrf", &csrf),
                ("label", "Customer tier"),
                ("choices", "gold\nsilver\nbronze"),
                ("applies_to", "application"),
                ("condition", "1 +"),
            ],
        )
        .await;
    assert_eq!(page.status, 422, "a broken condition: {}", page.text);
    assert!(page.text.contains("href=\"#field-condition\""));
    let page = admin
        .post(
            &path,
            &[
                ("_csrf", &csrf),
                ("label", "Customer tier"),
                ("choices", "gold\nsilver\nbronze"),
                ("applies_to", "application"),
                ("required", "yes"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.text);
    assert_eq!(audited(&srv, "custom_field.updated", &admin_id).await, 1);
    let field = &srv
        .get(&format!("/api/custom_fields/{id}"), &api_key)
        .await
        .json;
    assert_eq!(field["label"], "Customer tier", "{field}");
    assert_eq!(field["required"], true);
    assert_eq!(field["show_in_portal"], false);
    assert_eq!(reviewer.get(&path).await.status, 403);
    assert_eq!(
        reviewer
            .post(&path, &[("_csrf", &rev_csrf), ("label", "x")])
            .await
            .status,
        403
    );
    assert_eq!(other.get(&path).await.status, 404);
    let page = other
        .post(&path, &[("_csrf", &other_csrf), ("label", "Hijack")])
        .await;
    assert_eq!(page.status, 404);
    assert_eq!(audited(&srv, "custom_field.updated", &rev_id).await, 0);
}

/// A template's JSON with one risk rule's condition broken: the text and the line (from 1) of the
/// broken condition.
fn broken_template(pretty: &str) -> (String, usize) {
    let lines: Vec<&str> = pretty.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("\"condition\"") && l.contains("country_risk"))
        .expect("a risk rule with a condition");
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let indent: String = out[at].chars().take_while(|c| *c == ' ').collect();
    out[at] = format!("{indent}\"condition\": \"country_risk(application.business.country) ==\",");
    (out.join("\n"), at + 1)
}

/// The text of a `<textarea name="source">`, unescaped.
fn textarea(text: &str) -> String {
    let start = text.find("name=\"source\"").unwrap();
    let open = text[start..].find('>').unwrap() + start + 1;
    let close = text[open..].find("</textarea>").unwrap() + open;
    text[open..close]
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

async fn templates_branding_watchlists_and_the_audit_chain(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let (admin_id, password) = user(&srv, "admin@bank.test", "admin", "default");
    let (_, rev_password) = user(&srv, "rev@bank.test", "reviewer", "default");
    workspace(&srv, "other");
    let (_, other_password) = user(&srv, "admin@other.test", "admin", "other");
    let mut admin = Browser::login(&srv, "admin@bank.test", &password).await;
    let mut reviewer = Browser::login(&srv, "rev@bank.test", &rev_password).await;
    let mut other = Browser::login(&srv, "admin@other.test", &other_password).await;
    let csrf = admin.token().await;
    let rev_csrf = reviewer.token().await;
    let key = srv.apikey(&[]);

    // Templates: the list, a template with its risk matrix and its JSON.
    let page = admin.get("/settings/templates").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("kyb_standard") && page.text.contains("kyc_standard"));
    let page = admin.get("/settings/templates/kyb_standard").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("Risk matrix"));
    assert!(page.text.contains("country_high"));
    let pretty = textarea(&page.text);
    let parsed: Value = serde_json::from_str(&pretty).expect("the editor holds JSON");
    assert_eq!(parsed["name"], "kyb_standard");

    // A broken expression is shown on its line, with the line's text; nothing is saved.
    let (broken, line) = broken_template(&pretty);
    let page = admin
        .post(
            "/settings/templates/kyb_standard",
            &[("_csrf", &csrf), ("source", &broken)],
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.text);
    assert!(
        page.text.contains(&format!("Line {line}")),
        "line {line}: {}",
        page.text
    );
    assert!(
        page.text
            .contains("country_risk(application.business.country) ==")
    );
    assert!(page.text.contains("risk.rules["), "the path: {}", page.text);
    assert_eq!(textarea(&page.text), broken, "the text as typed is kept");
    assert_eq!(
        srv.sql_i64("SELECT COUNT(*) FROM workflow_templates").await,
        0
    );
    // Not JSON at all: serde_json's line.
    let unreadable = pretty.replacen("\"version\": ", "\"version\" ", 1);
    let version_line = unreadable
        .lines()
        .position(|l| l.contains("\"version\" "))
        .unwrap()
        + 1;
    let page = admin
        .post(
            "/settings/templates/kyb_standard",
            &[("_csrf", &csrf), ("source", &unreadable)],
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.text);
    assert!(
        page.text.contains(&format!("Line {version_line}")),
        "{}",
        page.text
    );
    assert_eq!(
        srv.sql_i64("SELECT COUNT(*) FROM workflow_templates").await,
        0
    );
    // A good change is saved and audited.
    let mut changed = parsed.clone();
    changed["description"] = json!("Our own KYB");
    let source = serde_json::to_string_pretty(&changed).unwrap();
    let page = admin
        .post(
            "/settings/templates/kyb_standard",
            &[("_csrf", &csrf), ("source", &source)],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.text);
    assert_eq!(audited(&srv, "template.saved", &admin_id).await, 1);
    let t = srv.get("/api/templates/kyb_standard", &key).await.json;
    assert_eq!(t["description"], "Our own KYB", "{t}");
    // A new one, copied from another.
    let page = admin
        .get("/settings/templates/new?name=kyb_light&from=kyb_standard")
        .await;
    assert_eq!(page.status, 303);
    let page = admin.get(page.location()).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let copy: Value = serde_json::from_str(&textarea(&page.text)).unwrap();
    assert_eq!(copy["name"], "kyb_light");
    // Another workspace sees the shipped template, not this one's.
    let page = other.get("/settings/templates/kyb_standard").await;
    assert!(!page.text.contains("Our own KYB"));
    assert_eq!(
        reviewer
            .get("/settings/templates/kyb_standard")
            .await
            .status,
        403
    );
    let page = reviewer
        .post(
            "/settings/templates/kyb_standard",
            &[("_csrf", &rev_csrf), ("source", &source)],
        )
        .await;
    assert_eq!(page.status, 403);
    let page = admin
        .post_from(
            "/settings/templates/kyb_standard",
            &[("_csrf", &csrf), ("source", &source)],
            Some("https://evil.example"),
        )
        .await;
    assert_eq!(page.status, 403);

    // Branding: name, colour, e-mail and a logo; an invalid colour is refused, nothing kept.
    let png: Vec<u8> = vec![0x89, b'P', b'N', b'G', 13, 10, 26, 10, 0, 0, 0, 13];
    let look = |csrf: &str, color: &str| {
        reqwest::multipart::Form::new()
            .text("_csrf", csrf.to_string())
            .text("display_name", "Acme Pay")
            .text("primary_color", color.to_string())
            .text("support_email", "help@acme.test")
            .part(
                "logo",
                reqwest::multipart::Part::bytes(png.clone())
                    .file_name("logo.png")
                    .mime_str("image/png")
                    .unwrap(),
            )
    };
    let page = admin
        .post_multipart("/settings/branding", look(&csrf, "blue"))
        .await;
    assert_eq!(page.status, 422, "{}", page.text);
    assert!(
        page.text.contains("href=\"#field-primary-color\""),
        "{}",
        page.text
    );
    assert_eq!(srv.get("/api/branding", &key).await.json, json!({}));
    let page = admin
        .post_multipart("/settings/branding", look("wrong", "#0a7d33"))
        .await;
    assert_eq!(page.status, 403, "no valid token");
    let page = reviewer
        .post_multipart("/settings/branding", look(&rev_csrf, "#0a7d33"))
        .await;
    assert_eq!(page.status, 403);
    let page = admin
        .post_multipart("/settings/branding", look(&csrf, "#0A7D33"))
        .await;
    assert_eq!(page.status, 303, "{}", page.text);
    let branding = srv.get("/api/branding", &key).await.json;
    assert_eq!(branding["display_name"], "Acme Pay", "{branding}");
    assert_eq!(branding["primary_color"], "#0a7d33");
    assert!(
        branding["logo"]
            .as_str()
            .unwrap()
            .starts_with("data:image/png;base64,")
    );
    assert_eq!(audited(&srv, "branding.updated", &admin_id).await, 1);
    let page = admin.get("/settings/branding").await;
    assert!(page.text.contains("Acme Pay"));
    assert!(
        page.text.contains("data:image&#x2f;png;base64,")
            || page.text.contains("data:image/png;base64,")
    );
    // A theme, and the preview of each look.
    let page = admin
        .post_multipart(
            "/settings/branding/themes",
            reqwest::multipart::Form::new()
                .text("_csrf", csrf.clone())
                .text("theme", "bad name!"),
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.text);
    let page = admin
        .post_multipart(
            "/settings/branding/themes",
            reqwest::multipart::Form::new()
                .text("_csrf", csrf.clone())
                .text("theme", "dark"),
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.text);
    let page = admin
        .post_multipart(
            "/settings/branding/themes/dark",
            reqwest::multipart::Form::new()
                .text("_csrf", csrf.clone())
                .text("themes.dark.primary_color", "#101010")
                .text("themes.dark.display_name", ""),
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.text);
    let branding = srv.get("/api/branding", &key).await.json;
    assert_eq!(branding["themes"]["dark"]["primary_color"], "#101010");
    assert_eq!(
        branding["display_name"], "Acme Pay",
        "the theme left the look"
    );
    let page = admin.get("/settings/branding/preview").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("--brand: #0a7d33;"), "{}", page.text);
    assert!(page.text.contains("Acme Pay"));
    assert!(page.text.contains("help@acme.test"));
    let page = admin.get("/settings/branding/preview?theme=dark").await;
    assert!(page.text.contains("--brand: #101010;"), "{}", page.text);
    assert_eq!(reviewer.get("/settings/branding/preview").await.status, 403);
    let page = other.get("/settings/branding").await;
    assert!(!page.text.contains("Acme Pay"), "another workspace's look");

    // Watchlists: the sources and their versions.
    srv.import_watchlist("ftm", common::FTM_SAMPLE);
    let page = admin.get("/settings/watchlists").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("<code>ftm</code>"), "{}", page.text);
    assert_eq!(reviewer.get("/settings/watchlists").await.status, 403);

    // The audit chain: intact, then broken behind Dossier's back.
    let page = admin.get("/settings/audit").await;
    assert_eq!(page.status, 200);
    let page = admin
        .post("/settings/audit/verify", &[("_csrf", &csrf)])
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text.contains("The audit trail is intact"),
        "{}",
        page.text
    );
    assert_eq!(
        reviewer
            .post("/settings/audit/verify", &[("_csrf", &rev_csrf)])
            .await
            .status,
        403
    );
    assert_eq!(admin.post("/settings/audit/verify", &[]).await.status, 403);
    srv.sql("UPDATE audit_entries SET changes = '[]' WHERE action = 'branding.updated'")
        .await;
    let page = admin
        .post("/settings/audit/verify", &[("_csrf", &csrf)])
        .await;
    assert!(
        page.text.contains("The audit trail is broken"),
        "{}",
        page.text
    );
    // The other workspace's trail is its own, and intact.
    let other_csrf = other.token().await;
    let page = other
        .post("/settings/audit/verify", &[("_csrf", &other_csrf)])
        .await;
    assert!(
        page.text.contains("The audit trail is intact"),
        "{}",
        page.text
    );
}

/// Every page in Chromium (SQLite): axe-core on a desktop and a phone, a form without JavaScript,
/// and the docs' screenshots (tests/browser/backoffice_settings.mjs).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_pages_in_a_browser() {
    let srv = TestServer::start(Backend::Sqlite).await;
    let (_, password) = user(&srv, "admin@bank.test", "admin", "default");
    let (rev_id, _) = user(&srv, "rev@bank.test", "reviewer", "default");
    for (email, name, role) in [
        (
            "claire.martin@bank.test",
            "Claire Martin",
            "qualified_reviewer",
        ),
        ("jan.devries@bank.test", "Jan de Vries", "reviewer"),
        ("audit@bank.test", "Internal audit", "read_only"),
    ] {
        let out = srv.cli(&[
            "user", "create", "--email", email, "--role", role, "--name", name,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let key = srv.apikey(&[]);
    srv.import_watchlist("ftm", common::FTM_SAMPLE);
    let hook = srv
        .post(
            "/api/webhooks",
            &key,
            &json!({"url": "https://hooks.example.com/dossier", "events": ["*"]}),
        )
        .await;
    assert_eq!(hook.status, 201, "{}", hook.json);
    let hook = hook.json["id"].as_str().unwrap().to_string();
    srv.post(&format!("/api/webhooks/{hook}/test"), &key, &json!({}))
        .await;
    let field = srv
        .post(
            "/api/custom_fields",
            &key,
            &json!({"api_name": "account_tier", "label": "Tier", "type": "choice",
                    "choices": ["gold", "silver"]}),
        )
        .await;
    assert_eq!(field.status, 201, "{}", field.json);
    let field = field.json["id"].as_str().unwrap().to_string();
    let branding = srv
        .send_json(
            "PUT",
            "/api/branding",
            &key,
            &json!({"display_name": "Acme Pay", "primary_color": "#0a7d33",
                    "support_email": "help@acme.test",
                    "themes": {"night": {"primary_color": "#1b1c1f"}}}),
        )
        .await;
    assert_eq!(branding.status, 200, "{}", branding.json);
    let pages = [
        format!("/settings/users/{rev_id}"),
        format!("/settings/webhooks/{hook}"),
        format!("/settings/custom-fields/{field}"),
        "/settings/branding/preview?theme=night".to_string(),
    ]
    .join(",");
    common::browser::run_journey(
        "backoffice_settings.mjs",
        &[
            ("DOSSIER_BASE_URL", srv.base.clone()),
            ("DOSSIER_EMAIL", "admin@bank.test".into()),
            ("DOSSIER_PASSWORD", password),
            ("DOSSIER_PAGES", pages),
        ],
    )
    .await;
}

both_backends!(
    admins_manage_users_and_others_are_refused,
    api_keys_webhooks_and_custom_fields,
    templates_branding_watchlists_and_the_audit_chain,
);
