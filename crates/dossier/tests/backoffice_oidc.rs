//! Sign-in with OpenID Connect against a real provider on loopback (`tests/oidc/provider.mjs`, the
//! certified `oidc-provider` package), on SQLite and PostgreSQL, driven over HTTP as a browser
//! without JavaScript would: an existing user signs in by verified e-mail, a role claim sets the
//! role, and every other way in is refused with a page that says why — an unverified address,
//! another domain, no such user, a deactivated one, a wrong or replayed state, a callback without
//! the pending cookie, a forged start, the provider refusing or down.

mod common;

use common::oidc::OidcProvider;
use common::{Backend, TestServer};
use reqwest::header::HeaderMap;

/// A browser without JavaScript: one cookie jar for both sites (as a browser has on loopback,
/// where ports do not separate cookies), no redirects followed.
struct Agent {
    http: reqwest::Client,
    jar: Vec<(String, String)>,
    lang: Option<&'static str>,
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

    /// Every `Set-Cookie` header of the answer.
    fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }

    /// The `Set-Cookie` of `name`, if the answer sets it.
    fn set_cookie(&self, name: &str) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=")))
    }

    /// Where a signed-in page goes on to: it refreshes to the same place its link leads (a page
    /// of ours, not a redirect, so that the `SameSite=Strict` session cookie rides along).
    fn signed_in_to(&self) -> String {
        assert_eq!(self.status, 200, "not signed in: {}", self.text);
        let unescape = |s: &str| s.replace("&#x2f;", "/").replace("&amp;", "&");
        let link = self
            .text
            .split("href=\"")
            .find_map(|rest| {
                let (href, after) = rest.split_once('"')?;
                after.starts_with(" data-oidc-next").then(|| unescape(href))
            })
            .unwrap_or_else(|| panic!("no way on in {}", self.text));
        let refresh = format!("content=\"0; url={link}\"");
        assert!(unescape(&self.text).contains(&refresh), "{}", self.text);
        link
    }

    /// The refusal's key (`data-oidc-error`) on an error page.
    fn refusal(&self) -> &str {
        self.text
            .split("data-oidc-error=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("not a refusal page ({}): {}", self.status, self.text))
    }
}

impl Agent {
    fn new() -> Self {
        Agent {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            jar: Vec::new(),
            lang: None,
        }
    }

    fn cookie(&self, name: &str) -> Option<String> {
        self.jar
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    fn set(&mut self, name: &str, value: &str) {
        self.jar.retain(|(n, _)| n != name);
        self.jar.push((name.to_string(), value.to_string()));
    }

    fn forget(&mut self, name: &str) {
        self.jar.retain(|(n, _)| n != name);
    }

    async fn send(&mut self, mut req: reqwest::RequestBuilder) -> Page {
        if !self.jar.is_empty() {
            let cookies: Vec<String> = self.jar.iter().map(|(n, v)| format!("{n}={v}")).collect();
            req = req.header("cookie", cookies.join("; "));
        }
        if let Some(lang) = self.lang {
            req = req.header("accept-language", lang);
        }
        let resp = req.send().await.expect("request sent");
        let page = Page {
            status: resp.status().as_u16(),
            headers: resp.headers().clone(),
            text: resp.text().await.unwrap_or_default(),
        };
        for cookie in page.set_cookies() {
            let pair = cookie.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            let gone = value.is_empty() || cookie.contains("Max-Age=0");
            if gone {
                self.forget(name);
            } else {
                self.set(name, value);
            }
        }
        page
    }

    async fn get(&mut self, url: &str) -> Page {
        let req = self.http.get(url);
        self.send(req).await
    }

    /// A form post from `origin`'s page.
    async fn post(&mut self, url: &str, origin: &str, fields: &[(&str, &str)]) -> Page {
        let req = self
            .http
            .post(url)
            .header("origin", origin)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(fields).unwrap());
        self.send(req).await
    }

    /// Presses "Sign in with …" on Dossier's sign-in page: the answer sends the browser to the
    /// provider.
    async fn start(&mut self, srv: &TestServer, next: &str) -> Page {
        let url = format!("{}/login/oidc", srv.base);
        self.post(&url, &srv.base, &[("next", next)]).await
    }

    /// At the provider from `location` (the authorization URL), signs in as the provider's account
    /// `login`: follows the provider's redirects until one leads back to Dossier, and returns that
    /// callback URL (not followed).
    async fn at_provider(&mut self, idp: &OidcProvider, location: &str, login: &str) -> String {
        let mut url = location.to_string();
        for _ in 0..10 {
            if !url.starts_with(&idp.issuer) {
                return url;
            }
            // The provider's login page signs the account in at once with `?login=`.
            if url.contains("/interaction/") && !url.contains('?') {
                url = format!("{url}?login={login}");
            }
            let page = self.get(&url).await;
            assert_eq!(page.status, 303, "at the provider, {url}: {}", page.text);
            let next = page.location().to_string();
            url = if next.starts_with('/') {
                format!("{}{next}", idp.issuer)
            } else {
                next
            };
        }
        panic!("the provider did not send the browser back: {url}");
    }

    /// The whole sign-in up to Dossier's callback, which it returns (not followed).
    async fn through_provider(
        &mut self,
        srv: &TestServer,
        idp: &OidcProvider,
        login: &str,
    ) -> String {
        let started = self.start(srv, "/cases").await;
        assert_eq!(started.status, 303, "{}", started.text);
        let callback = self.at_provider(idp, started.location(), login).await;
        assert!(
            callback.starts_with(&format!("{}/login/oidc/callback?", srv.base)),
            "{callback}"
        );
        callback
    }
}

/// The query parameter `name` of `url`.
fn param(url: &str, name: &str) -> String {
    let parsed = reqwest::Url::parse(url).unwrap();
    parsed
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no {name} in {url}"))
}

/// `url` with its query parameter `name` set to `value`.
fn with_param(url: &str, name: &str, value: &str) -> String {
    let mut parsed = reqwest::Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == name {
                value.into()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    parsed.query_pairs_mut().clear().extend_pairs(pairs);
    parsed.to_string()
}

/// Dossier with `[oidc]` for a provider on loopback (allowed domain `bank.test`, role claim
/// `role_claim`), and that provider, started with `args` unless `started` is false.
async fn setup(
    backend: Backend,
    role_claim: &str,
    args: &[&str],
    started: bool,
) -> (TestServer, OidcProvider) {
    let mut idp = OidcProvider::reserve();
    let env = idp.env(&[
        ("DOSSIER_OIDC__ALLOWED_DOMAINS", "[\"bank.test\"]"),
        ("DOSSIER_OIDC__ROLE_CLAIM", role_claim),
    ]);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut srv = TestServer::with_env(backend, &env).await;
    srv.spawn().await;
    if started {
        idp.start(&format!("{}/login/oidc/callback", srv.base), args)
            .await;
    }
    for (email, role) in [
        ("ana@bank.test", "reviewer"),
        ("quinn@bank.test", "reviewer"),
        ("rey@bank.test", "reviewer"),
        ("una@bank.test", "reviewer"),
        ("olga@elsewhere.test", "reviewer"),
        ("dee@bank.test", "admin"),
    ] {
        create_user(&srv, email, role).await;
    }
    deactivate(&srv, "dee@bank.test").await;
    (srv, idp)
}

/// A user of the default workspace who signs in only through the provider (no password).
async fn create_user(srv: &TestServer, email: &str, role: &str) {
    let id = format!("usr_{}", email.split('@').next().unwrap());
    srv.sql(&format!(
        "INSERT INTO users (id, workspace_id, email, name, role, password_hash, \
         must_change_password, status, created_at, updated_at, last_login_at) \
         SELECT '{id}', id, '{email}', '{email}', '{role}', NULL, 0, 'active', \
         '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', NULL FROM workspaces WHERE name = 'default'"
    ))
    .await;
}

async fn deactivate(srv: &TestServer, email: &str) {
    srv.sql(&format!(
        "UPDATE users SET status = 'deactivated' WHERE email = '{email}'"
    ))
    .await;
}

async fn sessions(srv: &TestServer, kind: &str) -> i64 {
    srv.sql_i64(&format!(
        "SELECT COUNT(*) FROM web_sessions WHERE kind = '{kind}'"
    ))
    .await
}

async fn role_of(srv: &TestServer, email: &str) -> i64 {
    // 1 admin, 2 qualified_reviewer, 3 reviewer, 4 read_only.
    srv.sql_i64(&format!(
        "SELECT CASE role WHEN 'admin' THEN 1 WHEN 'qualified_reviewer' THEN 2 \
         WHEN 'reviewer' THEN 3 ELSE 4 END FROM users WHERE email = '{email}'"
    ))
    .await
}

async fn an_existing_user_signs_in_by_verified_email(backend: Backend) {
    let (srv, idp) = setup(backend, "dossier_role", &[], true).await;
    let mut agent = Agent::new();

    // The button's form: off to the provider with PKCE, a state and a nonce, and a pending cookie
    // that comes back with the provider's redirect.
    let started = agent.start(&srv, "/cases?status_review=pending").await;
    assert_eq!(started.status, 303, "{}", started.text);
    let auth = started.location().to_string();
    assert!(auth.starts_with(&format!("{}/auth?", idp.issuer)), "{auth}");
    assert_eq!(param(&auth, "response_type"), "code");
    assert_eq!(param(&auth, "client_id"), common::oidc::CLIENT_ID);
    assert_eq!(param(&auth, "code_challenge_method"), "S256");
    assert_eq!(
        param(&auth, "redirect_uri"),
        format!("{}/login/oidc/callback", srv.base)
    );
    assert!(param(&auth, "scope").split(' ').any(|s| s == "openid"));
    assert!(param(&auth, "state").len() >= 43 && param(&auth, "nonce").len() >= 43);
    let pending = started
        .set_cookie("dossier_oidc")
        .expect("a pending cookie");
    assert!(
        pending.contains("HttpOnly") && pending.contains("SameSite=Lax"),
        "{pending}"
    );
    assert!(pending.contains("Max-Age=600"), "{pending}");
    assert_eq!(sessions(&srv, "oidc").await, 1);

    // The provider signs Rey in and sends the browser back: Dossier opens a session.
    let callback = agent.at_provider(&idp, &auth, "rey").await;
    let back = agent.get(&callback).await;
    assert_eq!(
        back.signed_in_to(),
        "/cases?status_review=pending",
        "{}",
        srv.log()
    );
    let session = back
        .set_cookie("dossier_session")
        .expect("a session cookie");
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Strict"),
        "{session}"
    );
    assert!(
        back.set_cookie("dossier_oidc")
            .is_some_and(|c| c.contains("Max-Age=0")),
        "the pending cookie is cleared: {:?}",
        back.set_cookies()
    );
    assert_eq!(sessions(&srv, "user").await, 1);
    assert_eq!(
        sessions(&srv, "oidc").await,
        0,
        "a pending sign-in is used up"
    );
    // Signed in: the case list, as Rey.
    let cases = agent
        .get(&format!("{}/cases?status_review=pending", srv.base))
        .await;
    assert_eq!(cases.status, 200, "{}", cases.text);
    assert!(cases.text.contains("rey@bank.test"), "{}", cases.text);
    let signed_in = srv
        .sql_i64(
            "SELECT COUNT(*) FROM users WHERE email = 'rey@bank.test' \
             AND last_login_at IS NOT NULL",
        )
        .await;
    assert_eq!(signed_in, 1);
    // Without a role claim the role stays.
    assert_eq!(role_of(&srv, "rey@bank.test").await, 3);

    // The same callback again, even with the pending cookie it came with, signs no one in.
    let pending_value = pending
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string();
    agent.set("dossier_oidc", &pending_value);
    let replayed = agent.get(&callback).await;
    assert_eq!(replayed.status, 400, "{}", replayed.text);
    assert_eq!(replayed.refusal(), "state");
    assert!(replayed.set_cookie("dossier_session").is_none());
    assert_eq!(sessions(&srv, "user").await, 1);

    // A `next` that leaves the site is not followed.
    let mut other = Agent::new();
    let started = other.start(&srv, "https://evil.example/phish").await;
    let callback = other.at_provider(&idp, started.location(), "rey").await;
    let back = other.get(&callback).await;
    assert_eq!(back.signed_in_to(), "/cases");
    assert_eq!(sessions(&srv, "user").await, 2);
}

async fn a_role_claim_sets_the_role(backend: Backend) {
    let (srv, idp) = setup(backend, "dossier_role", &[], true).await;
    // Ana is a reviewer here; the provider says admin.
    assert_eq!(role_of(&srv, "ana@bank.test").await, 3);
    let mut agent = Agent::new();
    let callback = agent.through_provider(&srv, &idp, "ana").await;
    let back = agent.get(&callback).await;
    assert_eq!(back.signed_in_to(), "/cases", "{}", srv.log());
    assert_eq!(role_of(&srv, "ana@bank.test").await, 1);
    let audited = srv
        .sql_i64(
            "SELECT COUNT(*) FROM audit_entries WHERE action = 'user.updated' \
             AND actor_kind = 'oidc' AND object_id = 'usr_ana'",
        )
        .await;
    assert_eq!(audited, 1, "the provider's change is audited");
}

async fn claims_in_the_id_token_and_a_list_claim(backend: Backend) {
    // The provider puts every claim in the ID token; the role comes from a list (`groups`), of
    // which the most powerful role counts. The provider spells the address `Quinn@Bank.test`.
    let (srv, idp) = setup(backend, "groups", &["--claims-in-id-token"], true).await;
    let mut agent = Agent::new();
    let callback = agent.through_provider(&srv, &idp, "quinn").await;
    let back = agent.get(&callback).await;
    assert_eq!(back.signed_in_to(), "/cases", "{}", srv.log());
    assert!(back.set_cookie("dossier_session").is_some());
    assert_eq!(role_of(&srv, "quinn@bank.test").await, 2);
}

async fn who_may_not_sign_in_is_told_why(backend: Backend) {
    let (srv, idp) = setup(backend, "dossier_role", &[], true).await;
    for (login, status, refusal) in [
        ("una", 403, "unverified"),
        ("olga", 403, "domain"),
        ("nobody", 403, "no-user"),
        ("dee", 403, "no-user"),
    ] {
        let mut agent = Agent::new();
        let callback = agent.through_provider(&srv, &idp, login).await;
        let back = agent.get(&callback).await;
        assert_eq!(back.status, status, "{login}: {}", back.text);
        assert_eq!(back.refusal(), refusal, "{login}");
        assert!(back.text.contains("href=\"/login\""), "{}", back.text);
        assert!(back.set_cookie("dossier_session").is_none(), "{login}");
        assert!(
            back.set_cookie("dossier_oidc")
                .is_some_and(|c| c.contains("Max-Age=0"))
        );
    }
    assert_eq!(sessions(&srv, "user").await, 0);
    assert_eq!(sessions(&srv, "oidc").await, 0);
    // Dee, deactivated, kept her role: a refused sign-in changes nothing.
    assert_eq!(role_of(&srv, "dee@bank.test").await, 1);

    // In French, with the provider's name.
    let mut agent = Agent::new();
    agent.lang = Some("fr-FR,fr;q=0.9");
    let callback = agent.through_provider(&srv, &idp, "una").await;
    let back = agent.get(&callback).await;
    assert_eq!(back.status, 403);
    assert!(back.text.contains("<html lang=\"fr\">"), "{}", back.text);
    assert!(
        back.text
            .contains("Test IdP n’a pas confirmé votre adresse e-mail"),
        "{}",
        back.text
    );
}

async fn a_callback_needs_its_own_pending_sign_in(backend: Backend) {
    let (srv, idp) = setup(backend, "dossier_role", &[], true).await;

    // A wrong state: refused, and the pending sign-in is used up by the try.
    let mut agent = Agent::new();
    let callback = agent.through_provider(&srv, &idp, "rey").await;
    let pending = agent.cookie("dossier_oidc").unwrap();
    let forged = with_param(&callback, "state", "not-the-state");
    let back = agent.get(&forged).await;
    assert_eq!(back.status, 400, "{}", back.text);
    assert_eq!(back.refusal(), "state");
    agent.set("dossier_oidc", &pending);
    let back = agent.get(&callback).await;
    assert_eq!(back.status, 400, "{}", back.text);
    assert_eq!(back.refusal(), "state");

    // No pending cookie (the callback opened in another browser).
    let mut agent = Agent::new();
    let callback = agent.through_provider(&srv, &idp, "rey").await;
    agent.forget("dossier_oidc");
    let back = agent.get(&callback).await;
    assert_eq!(back.status, 400, "{}", back.text);
    assert_eq!(back.refusal(), "state");

    // Another browser's pending sign-in with this callback: its state is not this one's.
    let mut victim = Agent::new();
    let victims_callback = victim.through_provider(&srv, &idp, "rey").await;
    let mut attacker = Agent::new();
    let started = attacker.start(&srv, "/cases").await;
    assert_eq!(started.status, 303);
    let back = attacker.get(&victims_callback).await;
    assert_eq!(back.status, 400, "{}", back.text);
    assert_eq!(back.refusal(), "state");

    // The provider's refusal (the person cancelled) comes back with the right state.
    let mut agent = Agent::new();
    let started = agent.start(&srv, "/cases").await;
    let state = param(started.location(), "state");
    let url = format!(
        "{}/login/oidc/callback?error=access_denied&error_description=cancelled&state={state}",
        srv.base
    );
    let back = agent.get(&url).await;
    assert_eq!(back.status, 403, "{}", back.text);
    assert_eq!(back.refusal(), "denied");

    // A start posted from another site's page is refused, and stores nothing.
    let before = sessions(&srv, "oidc").await;
    let mut agent = Agent::new();
    let url = format!("{}/login/oidc", srv.base);
    let forged = agent.post(&url, "https://evil.example", &[]).await;
    assert_eq!(forged.status, 403, "{}", forged.text);
    assert_eq!(forged.refusal(), "forged");
    assert!(forged.set_cookie("dossier_oidc").is_none());
    assert_eq!(sessions(&srv, "oidc").await, before);

    assert_eq!(sessions(&srv, "user").await, 0, "no one signed in");
    let back = victim.get(&victims_callback).await;
    assert_eq!(
        back.signed_in_to(),
        "/cases",
        "the victim's sign-in still works"
    );
    assert_eq!(sessions(&srv, "user").await, 1);
}

async fn a_provider_down_is_a_clear_page(backend: Backend) {
    let (srv, mut idp) = setup(backend, "dossier_role", &[], false).await;
    let mut agent = Agent::new();

    // Not there at all: nothing to discover.
    let started = agent.start(&srv, "/cases").await;
    assert_eq!(started.status, 503, "{}", started.text);
    assert_eq!(started.refusal(), "unreachable");
    assert!(started.text.contains("Test IdP"), "{}", started.text);
    assert!(started.set_cookie("dossier_oidc").is_none());

    // Once it is up, the next try discovers it.
    idp.start(&format!("{}/login/oidc/callback", srv.base), &[])
        .await;
    let callback = agent.through_provider(&srv, &idp, "rey").await;

    // Gone between the sign-in and the code's exchange.
    idp.stop();
    let back = agent.get(&callback).await;
    assert_eq!(back.status, 503, "{}", back.text);
    assert_eq!(back.refusal(), "unreachable");
    assert!(back.set_cookie("dossier_session").is_none());
    assert!(!srv.log().contains("panicked"), "{}", srv.log());

    // Back again (a new provider on the same address, with new keys): discovery is read again.
    idp.start(&format!("{}/login/oidc/callback", srv.base), &[])
        .await;
    let callback = agent.through_provider(&srv, &idp, "rey").await;
    let back = agent.get(&callback).await;
    assert_eq!(back.signed_in_to(), "/cases", "{}", srv.log());
}

async fn without_oidc_the_routes_say_so(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let mut agent = Agent::new();
    let started = agent.start(&srv, "/cases").await;
    assert_eq!(started.status, 404, "{}", started.text);
    assert_eq!(started.refusal(), "off");
    let back = agent
        .get(&format!("{}/login/oidc/callback?code=x&state=y", srv.base))
        .await;
    assert_eq!(back.status, 404, "{}", back.text);
    assert_eq!(back.refusal(), "off");
}

both_backends!(
    an_existing_user_signs_in_by_verified_email,
    a_role_claim_sets_the_role,
    claims_in_the_id_token_and_a_list_claim,
    who_may_not_sign_in_is_told_why,
    a_callback_needs_its_own_pending_sign_in,
    a_provider_down_is_a_clear_page,
    without_oidc_the_routes_say_so,
);

/// In Chromium, with the provider on another site (`localhost` against Dossier's `127.0.0.1`):
/// `tests/browser/backoffice_oidc.mjs`. The browser's rules do not depend on the database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_browser_across_sites() {
    let mut idp = OidcProvider::reserve_as("localhost");
    let env = idp.env(&[("DOSSIER_OIDC__ALLOWED_DOMAINS", "[\"bank.test\"]")]);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut srv = TestServer::with_env(Backend::Sqlite, &env).await;
    srv.spawn().await;
    idp.start(&format!("{}/login/oidc/callback", srv.base), &[])
        .await;
    create_user(&srv, "rey@bank.test", "reviewer").await;
    create_user(&srv, "una@bank.test", "reviewer").await;
    let journey_env = vec![
        ("DOSSIER_BASE_URL", srv.base.clone()),
        ("OIDC_ISSUER", idp.issuer.clone()),
    ];
    let run = tokio::spawn(async move {
        common::browser::run_journey("backoffice_oidc.mjs", &journey_env).await
    });
    if let Err(e) = run.await {
        eprintln!(
            "the server's log:\n{}\nthe provider's:\n{}",
            srv.log(),
            idp.log()
        );
        std::panic::resume_unwind(e.into_panic());
    }
}
