//! Access control on every back-office route, over HTTP, on SQLite and PostgreSQL: a table of the
//! routes (method and path, as `dossier_server::backoffice` declares them) with, for each, what
//! each principal gets — nobody signed in, `read_only`, `reviewer`, `qualified_reviewer`, `admin`
//! of workspace A, and an admin of workspace B handed A's ids.
//!
//! Each cell checks the effect, not only the status: an allowed post did its change (an audit entry
//! of its action by that very user, or the row's own evidence), on fresh objects so the cells do
//! not depend on each other; every other cell changed nothing (no audit entry by any user, no
//! session opened or ended, no test event, A's case at the same version); and no answer to
//! workspace B's user carries A's data.
//!
//! The table must list exactly the router's routes: `the_table_lists_every_route_of_the_router`
//! reads them from the router's source (`crates/dossier-server/src/backoffice/**`), so a new route
//! without its row fails here.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use common::backoffice::Analyst;
use common::{Backend, FTM_SAMPLE, TestServer};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Who asks, and what they get.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    ReadOnly,
    Reviewer,
    Qualified,
    Admin,
    /// An admin of workspace B, given workspace A's ids: every role check passes, only the
    /// workspace can refuse.
    OtherWorkspace,
}

const WHO: [Who; 6] = [
    Who::Anonymous,
    Who::ReadOnly,
    Who::Reviewer,
    Who::Qualified,
    Who::Admin,
    Who::OtherWorkspace,
];

impl Who {
    fn role(self) -> &'static str {
        match self {
            Who::Anonymous => "",
            Who::ReadOnly => "read_only",
            Who::Reviewer => "reviewer",
            Who::Qualified => "qualified_reviewer",
            Who::Admin | Who::OtherWorkspace => "admin",
        }
    }

    fn workspace(self) -> &'static str {
        match self {
            Who::OtherWorkspace => "other",
            _ => "default",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    /// 200, nothing changed.
    Page,
    /// 303 to the sign-in page (`?next=` the page for a GET), nothing changed.
    Login,
    /// 403, nothing changed.
    Refused,
    /// 404, nothing changed.
    NotFound,
    /// This status, nothing changed (a refusal of the decision policy, a failed sign-in).
    Status(u16),
    /// 303 to exactly this location, nothing changed.
    To(&'static str),
    /// 200 or 303, and the row's [`Effect`] happened (on fresh objects).
    Done,
}

use Want::{Done, Login, NotFound as Nf, Page as See, Refused as No, Status, To};

/// What an allowed post must have done.
#[derive(Debug, Clone, Copy)]
enum Effect {
    /// Nothing to check beyond the status (pages, and posts that only answer).
    None,
    /// One more audit entry of this action by the user who posted.
    Audit(&'static str),
    /// One more test event (`webhooks.test`).
    TestEvent,
    /// The answer's location carries this notice (a replayed delivery: its state is the
    /// delivery worker's, not stable enough to compare).
    Notice(&'static str),
    /// The session the post came with no longer opens a page.
    SignedOut,
}

struct Route {
    method: &'static str,
    /// The path as the router declares it.
    pattern: &'static str,
    /// The path requested: `{…}` are ids of workspace A's objects (fresh ones for a `Done` cell),
    /// `{n}` a number unique to the cell.
    path: &'static str,
    fields: &'static [(&'static str, &'static str)],
    /// A `multipart/form-data` post (the branding forms).
    multipart: bool,
    /// The cell runs with a session of its own, of a new user of the principal's role and
    /// workspace (sign-in, sign-out and password changes end or replace sessions).
    own_session: bool,
    /// In the order of [`WHO`]: anonymous, read_only, reviewer, qualified_reviewer, admin, other
    /// workspace's admin.
    want: [Want; 6],
    effect: Effect,
}

const fn get(path: &'static str, want: [Want; 6]) -> Route {
    Route {
        method: "GET",
        pattern: path,
        path,
        fields: &[],
        multipart: false,
        own_session: false,
        want,
        effect: Effect::None,
    }
}

const fn post(
    path: &'static str,
    fields: &'static [(&'static str, &'static str)],
    want: [Want; 6],
    effect: Effect,
) -> Route {
    Route {
        method: "POST",
        pattern: path,
        path,
        fields,
        multipart: false,
        own_session: false,
        want,
        effect,
    }
}

impl Route {
    /// The router's pattern when the requested path differs (`{case}` for `{id}`, …).
    const fn pattern(mut self, pattern: &'static str) -> Self {
        self.pattern = pattern;
        self
    }
    const fn multipart(mut self) -> Self {
        self.multipart = true;
        self
    }
    const fn own_session(mut self) -> Self {
        self.own_session = true;
        self
    }
}

/// Staff of A may read; B's admin gets 404 on A's ids.
const READ_CASE: [Want; 6] = [Login, See, See, See, See, Nf];
/// Any signed-in user, in either workspace (B's sees its own).
const SIGNED_IN: [Want; 6] = [Login, See, See, See, See, See];
/// A form of a case: read_only refused, the others do it, B's admin gets 404.
const WRITE_CASE: [Want; 6] = [Login, No, Done, Done, Done, Nf];
/// A form of a case that only writers open.
const WRITERS_PAGE: [Want; 6] = [Login, No, See, See, See, Nf];
/// A settings page without an id: admins, of either workspace.
const ADMIN_PAGE: [Want; 6] = [Login, No, No, No, See, See];
/// A settings page of one of A's objects: B's admin gets 404.
const ADMIN_PAGE_OF_A: [Want; 6] = [Login, No, No, No, See, Nf];
/// A settings change without an id: admins, B's in its own workspace.
const ADMIN_CHANGE: [Want; 6] = [Login, No, No, No, Done, Done];
/// A settings change of one of A's objects: B's admin gets 404.
const ADMIN_CHANGE_OF_A: [Want; 6] = [Login, No, No, No, Done, Nf];

/// Every back-office route (see `crates/dossier-server/src/backoffice/mod.rs` and the routers it
/// merges: `cases/mod.rs`, `settings/*.rs`, `oidc.rs`).
const ROUTES: &[Route] = &[
    // Signing in and out, the account, the language.
    get(
        "/",
        [
            To("/login"),
            To("/cases"),
            To("/cases"),
            To("/cases"),
            To("/cases"),
            To("/cases"),
        ],
    ),
    get(
        "/login",
        [
            See,
            To("/cases"),
            To("/cases"),
            To("/cases"),
            To("/cases"),
            To("/cases"),
        ],
    ),
    post(
        "/login",
        &[
            ("email", "nobody{n}@nowhere.test"),
            ("password", "not the password"),
        ],
        [Status(401); 6],
        Effect::None,
    ),
    post(
        "/logout",
        &[],
        [Login, Done, Done, Done, Done, Done],
        Effect::SignedOut,
    )
    .own_session(),
    get("/account/password", SIGNED_IN),
    post(
        "/account/password",
        &[
            ("current", "{password}"),
            ("new", "a matrix passphrase number {n}"),
            ("repeat", "a matrix passphrase number {n}"),
        ],
        [Login, Done, Done, Done, Done, Done],
        Effect::Audit("user.password_changed"),
    )
    .own_session(),
    // "Stay signed in": answers the moved expiry as JSON.
    post(
        "/account/session",
        &[],
        [
            Login,
            Status(200),
            Status(200),
            Status(200),
            Status(200),
            Status(200),
        ],
        Effect::None,
    ),
    post(
        "/language",
        &[("lang", "fr"), ("return_to", "/cases")],
        [To("/cases"); 6],
        Effect::None,
    ),
    // OpenID Connect is not configured on this server: both ends answer 404 to everyone.
    post("/login/oidc", &[], [Status(404); 6], Effect::None),
    get("/login/oidc/callback", [Status(404); 6]),
    // Cases.
    get("/cases", SIGNED_IN),
    post(
        "/cases/bulk",
        &[
            ("action", "tag"),
            ("tag", "matrix"),
            ("id", "{case}"),
            ("return_to", "/cases"),
        ],
        WRITE_CASE,
        Effect::Audit("application.tagged"),
    ),
    get("/cases/{case}", READ_CASE).pattern("/cases/{id}"),
    post(
        "/cases/{case}/decision",
        &[
            ("status_review", "rejected"),
            ("reason", "Matrix."),
            ("override_open_tasks", "yes"),
        ],
        // A reviewer may not decide before the tasks are done (nor override them).
        [Login, No, Status(409), Done, Done, Nf],
        Effect::Audit("application.decided"),
    )
    .pattern("/cases/{id}/decision"),
    get("/cases/{case}/edit", WRITERS_PAGE).pattern("/cases/{id}/edit"),
    post(
        "/cases/{case}/profile",
        &[
            ("business.name", "Bravo Logistics {n}"),
            ("business.registration_number", "552100554"),
            ("business.country", "FR"),
        ],
        WRITE_CASE,
        Effect::Audit("application.updated"),
    )
    .pattern("/cases/{id}/profile"),
    post(
        "/cases/{case}/custom-fields",
        &[("custom_fields.account_a", "AC-{n}")],
        WRITE_CASE,
        Effect::Audit("application.updated"),
    )
    .pattern("/cases/{id}/custom-fields"),
    get("/cases/{case}/documents/{doc}/content", READ_CASE)
        .pattern("/cases/{id}/documents/{doc_id}/content"),
    post(
        "/cases/{case}/documents/{doc}/review",
        &[("status", "invalid"), ("reason", "too_old")],
        WRITE_CASE,
        Effect::Audit("document.updated"),
    )
    .pattern("/cases/{id}/documents/{doc_id}/review"),
    // A rerun that computes the same result changes nothing, so leaves no audit entry: the
    // notice is the evidence (the refused cells still must change nothing).
    post(
        "/cases/{case}/tasks/{task_run}/run",
        &[],
        WRITE_CASE,
        Effect::Notice("done=task_run"),
    )
    .pattern("/cases/{id}/tasks/{key}/run"),
    post(
        "/cases/{case}/tasks/{task_clear}/clear",
        &[("comment", "Checked by the matrix.")],
        WRITE_CASE,
        Effect::Audit("task.cleared"),
    )
    .pattern("/cases/{id}/tasks/{key}/clear"),
    post(
        "/cases/{case}/hits/{hit}/review",
        &[("status", "false_positive"), ("comment", "Another man.")],
        WRITE_CASE,
        Effect::Audit("screening_hit.reviewed"),
    )
    .pattern("/cases/{id}/hits/{hit_id}/review"),
    post(
        "/cases/{case}/risk",
        &[("points", "5"), ("reason", "Matrix.")],
        WRITE_CASE,
        Effect::Audit("risk.adjusted"),
    )
    .pattern("/cases/{id}/risk"),
    post(
        "/cases/{case}/assignee",
        &[("assignee_id", "me")],
        WRITE_CASE,
        Effect::Audit("application.assigned"),
    )
    .pattern("/cases/{id}/assignee"),
    post(
        "/cases/{case}/tags",
        &[("action", "add"), ("tag", "matrix-{n}")],
        WRITE_CASE,
        Effect::Audit("application.tagged"),
    )
    .pattern("/cases/{id}/tags"),
    post(
        "/cases/{case}/comments",
        &[("body", "Seen by the matrix.")],
        WRITE_CASE,
        Effect::Audit("comment.created"),
    )
    .pattern("/cases/{id}/comments"),
    get("/cases/{case}/request", WRITERS_PAGE).pattern("/cases/{id}/request"),
    post(
        "/cases/{case}/request",
        &[("mode", "open"), ("step", "details")],
        WRITE_CASE,
        Effect::Audit("collect.opened"),
    )
    .pattern("/cases/{id}/request"),
    get("/dashboard", SIGNED_IN),
    get("/tasks", SIGNED_IN),
    // Settings: admins only.
    get("/settings", ADMIN_PAGE),
    get("/settings/users", ADMIN_PAGE),
    post(
        "/settings/users",
        &[
            ("email", "new{n}@new.test"),
            ("name", "New {n}"),
            ("role", "reviewer"),
        ],
        ADMIN_CHANGE,
        Effect::Audit("user.created"),
    ),
    post(
        "/settings/users/options",
        &[("must_change_password", "no")],
        ADMIN_CHANGE,
        Effect::Audit("workspace.updated"),
    ),
    get("/settings/users/{user}", ADMIN_PAGE_OF_A).pattern("/settings/users/{id}"),
    post(
        "/settings/users/{user}",
        &[("name", "Renamed {n}"), ("role", "qualified_reviewer")],
        ADMIN_CHANGE_OF_A,
        Effect::Audit("user.updated"),
    )
    .pattern("/settings/users/{id}"),
    post(
        "/settings/users/{user}/active",
        &[("active", "no")],
        ADMIN_CHANGE_OF_A,
        Effect::Audit("user.updated"),
    )
    .pattern("/settings/users/{id}/active"),
    post(
        "/settings/users/{user}/password",
        &[],
        ADMIN_CHANGE_OF_A,
        Effect::Audit("user.password_reset"),
    )
    .pattern("/settings/users/{id}/password"),
    get("/settings/api-keys", ADMIN_PAGE),
    post(
        "/settings/api-keys",
        &[("name", "key {n}"), ("role", "reviewer")],
        ADMIN_CHANGE,
        Effect::Audit("api_key.created"),
    ),
    post(
        "/settings/api-keys/{key}/revoke",
        &[],
        ADMIN_CHANGE_OF_A,
        Effect::Audit("api_key.revoked"),
    )
    .pattern("/settings/api-keys/{id}/revoke"),
    get("/settings/webhooks", ADMIN_PAGE),
    post(
        "/settings/webhooks",
        &[("url", "https://hooks-new.example/{n}"), ("events", "*")],
        ADMIN_CHANGE,
        Effect::Audit("webhook.created"),
    ),
    get("/settings/webhooks/{webhook}", ADMIN_PAGE_OF_A).pattern("/settings/webhooks/{id}"),
    post(
        "/settings/webhooks/{webhook}/enabled",
        &[("enabled", "no")],
        ADMIN_CHANGE_OF_A,
        Effect::Audit("webhook.updated"),
    )
    .pattern("/settings/webhooks/{id}/enabled"),
    post(
        "/settings/webhooks/{webhook}/delete",
        &[],
        ADMIN_CHANGE_OF_A,
        Effect::Audit("webhook.deleted"),
    )
    .pattern("/settings/webhooks/{id}/delete"),
    post(
        "/settings/webhooks/{webhook}/test",
        &[],
        ADMIN_CHANGE_OF_A,
        Effect::TestEvent,
    )
    .pattern("/settings/webhooks/{id}/test"),
    post(
        "/settings/webhooks/{webhook}/deliveries/{delivery}/retry",
        &[],
        ADMIN_CHANGE_OF_A,
        Effect::Notice("done=delivery-replayed"),
    )
    .pattern("/settings/webhooks/{id}/deliveries/{delivery_id}/retry"),
    get("/settings/custom-fields", ADMIN_PAGE),
    post(
        "/settings/custom-fields",
        &[
            ("api_name", "field_{n}"),
            ("label", "Field {n}"),
            ("type", "text"),
            ("applies_to", "application"),
        ],
        ADMIN_CHANGE,
        Effect::Audit("custom_field.created"),
    ),
    get("/settings/custom-fields/{field}", ADMIN_PAGE_OF_A).pattern("/settings/custom-fields/{id}"),
    post(
        "/settings/custom-fields/{field}",
        &[("label", "Relabelled {n}"), ("applies_to", "application")],
        ADMIN_CHANGE_OF_A,
        Effect::Audit("custom_field.updated"),
    )
    .pattern("/settings/custom-fields/{id}"),
    get("/settings/templates", ADMIN_PAGE),
    get(
        "/settings/templates/new?name=matrix_new&from=kyb_standard",
        [
            Login,
            No,
            No,
            No,
            To("/settings/templates/matrix_new?from=kyb_standard"),
            To("/settings/templates/matrix_new?from=kyb_standard"),
        ],
    )
    .pattern("/settings/templates/new"),
    get("/settings/templates/{template}", ADMIN_PAGE_OF_A).pattern("/settings/templates/{name}"),
    // A template's name is not an id: B's admin saving one of that name saves B's own.
    post(
        "/settings/templates/{template}",
        &[("source", "{template_source}")],
        ADMIN_CHANGE,
        Effect::Audit("template.saved"),
    )
    .pattern("/settings/templates/{name}"),
    get("/settings/branding", ADMIN_PAGE),
    post(
        "/settings/branding",
        &[("display_name", "Look {n}")],
        ADMIN_CHANGE,
        Effect::Audit("branding.updated"),
    )
    .multipart(),
    get("/settings/branding/preview", ADMIN_PAGE),
    get("/settings/branding/preview.css", ADMIN_PAGE),
    post(
        "/settings/branding/themes",
        &[("theme", "theme{n}")],
        ADMIN_CHANGE,
        Effect::Audit("branding.updated"),
    )
    .multipart(),
    post(
        "/settings/branding/themes/{theme}",
        &[("themes.{theme}.primary_color", "#101010")],
        ADMIN_CHANGE_OF_A,
        Effect::Audit("branding.updated"),
    )
    .pattern("/settings/branding/themes/{name}")
    .multipart(),
    post(
        "/settings/branding/themes/{theme}/delete",
        &[],
        ADMIN_CHANGE_OF_A,
        Effect::Audit("branding.updated"),
    )
    .pattern("/settings/branding/themes/{name}/delete")
    .multipart(),
    get("/settings/watchlists", ADMIN_PAGE),
    get("/settings/audit", ADMIN_PAGE),
    // Verifying reads the chains and changes nothing.
    post(
        "/settings/audit/verify",
        &[],
        [Login, No, No, No, See, See],
        Effect::None,
    ),
];

/// What only workspace A has: none of it may reach B's admin, whatever the page.
const A_MARKERS: &[&str] = &[
    "Bravo Logistics",
    "Holding Alpha",
    "@a.test",
    "hooks-a.example",
    "Account number A",
    "Matrix template of A",
    "Look of A",
];

// ---------------------------------------------------------------------------------------------
// The routes in the router's source.

/// `(method, path)` of every `.route(…)` in the back-office's router files.
fn router_routes() -> BTreeSet<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../dossier-server/src/backoffice");
    let mut files = vec![dir];
    let mut out = BTreeSet::new();
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        // Without comment lines, which may name `.route(` in prose.
        let code: String = std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            !code.contains(".nest("),
            "{}: a nested router; teach router_routes() its prefix",
            path.display()
        );
        let mut rest = code.as_str();
        while let Some(at) = rest.find(".route(") {
            rest = &rest[at + ".route(".len()..];
            // The call's arguments: up to the parenthesis that closes it.
            let mut depth = 1;
            let end = rest
                .char_indices()
                .find(|&(_, c)| {
                    match c {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map(|(i, _)| i)
                .expect("a closed .route(");
            let args = &rest[..end];
            let route = args.split('"').nth(1).expect("a path literal").to_string();
            let mut methods = 0;
            for method in ["get", "post", "put", "patch", "delete"] {
                let mut from = 0;
                while let Some(i) = args[from..].find(&format!("{method}(")) {
                    let i = from + i;
                    let before = args[..i].chars().next_back();
                    if !before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                        out.insert((method.to_uppercase(), route.clone()));
                        methods += 1;
                    }
                    from = i + method.len();
                }
            }
            assert!(methods > 0, "no method found in .route({args})");
        }
    }
    out
}

#[test]
fn the_table_lists_every_route_of_the_router() {
    let router = router_routes();
    assert!(router.len() > 40, "the scan found only {router:?}");
    let table: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|r| (r.method.to_string(), r.pattern.to_string()))
        .collect();
    assert_eq!(table.len(), ROUTES.len(), "a route is twice in the table");
    let missing: Vec<_> = router.difference(&table).collect();
    let stale: Vec<_> = table.difference(&router).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "routes without a row: {missing:?}; rows without a route: {stale:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// The fixtures.

type Ids = HashMap<&'static str, String>;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

/// A company held by a holding held by Vitaly Kuzmenko (on the EU FSF sample): a case with a hit.
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
        ]
    })
}

/// Creates a user with the CLI: (id, password).
fn new_user(srv: &TestServer, email: &str, role: &str, workspace: &str) -> (String, String) {
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
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "user create: {stderr}");
    // "Created <role> user <id> <<email>> in workspace …"
    let id = stderr
        .split_whitespace()
        .skip_while(|w| *w != "user")
        .nth(1)
        .unwrap_or_else(|| panic!("a user id in {stderr}"))
        .to_string();
    let password = String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .last()
        .expect("a password")
        .to_string();
    (id, password)
}

struct Session {
    browser: Analyst,
    user_id: String,
    password: String,
}

struct Ctx {
    srv: TestServer,
    /// Workspace A's (`default`) automation key.
    key: String,
    /// A's objects, for the cells that must change nothing.
    shared: Ids,
    /// A signed-in session per principal, in the order of [`WHO`] (none for anonymous).
    sessions: Vec<Option<Session>>,
    /// A client that follows no redirect, to build multipart posts with.
    http: reqwest::Client,
    n: u32,
}

impl Ctx {
    async fn new(backend: Backend) -> Ctx {
        let srv = TestServer::start(backend).await;
        let key = srv.apikey(&[]);
        srv.other_workspace_key("other");
        srv.import_watchlist("ftm", FTM_SAMPLE);
        let r = srv
            .post(
                "/api/custom_fields",
                &key,
                &json!({"api_name": "account_a", "label": "Account number A", "type": "text",
                        "applies_to": ["application"]}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.json);
        let mut template = srv.get("/api/templates/kyb_standard", &key).await.json;
        template["name"] = json!("matrix_a");
        template["description"] = json!("Matrix template of A");
        let r = srv
            .send_json("PUT", "/api/templates/matrix_a", &key, &template)
            .await;
        assert!(r.status == 200 || r.status == 201, "{}", r.json);
        let r = srv
            .send_json(
                "PUT",
                "/api/branding",
                &key,
                &json!({"display_name": "Look of A", "themes": {"atheme": {"display_name": "Look of A, dark"}}}),
            )
            .await;
        assert!(r.status == 200 || r.status == 201, "{}", r.json);
        let mut sessions = Vec::new();
        for who in WHO {
            if who == Who::Anonymous {
                sessions.push(None);
                continue;
            }
            let domain = if who == Who::OtherWorkspace {
                "b.test"
            } else {
                "a.test"
            };
            let email = format!("{}@{domain}", who.role());
            sessions.push(Some(sign_in(&srv, &email, who).await));
        }
        let mut ctx = Ctx {
            srv,
            key,
            shared: Ids::new(),
            sessions,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            n: 0,
        };
        // Kept aside: the shared objects are made like the fresh ones.
        let every = "{case} {user} {key} {webhook} {field} {template} {theme}";
        ctx.shared = ctx.objects(every).await;
        ctx
    }

    fn next(&mut self) -> u32 {
        self.n += 1;
        self.n
    }

    /// New objects of A, those that `path` (a route's path and fields) names.
    async fn objects(&mut self, path: &str) -> Ids {
        let n = self.next();
        let srv = &self.srv;
        let key = &self.key;
        let mut ids = Ids::new();
        ids.insert("n", n.to_string());
        // A template's text without its name, so it saves under any name.
        let mut source = srv.get("/api/templates/kyb_standard", key).await.json;
        source.as_object_mut().unwrap().remove("name");
        source["description"] = json!("Posted by the matrix");
        ids.insert("template_source", source.to_string());
        if path.contains("{case}") {
            let r = srv.post("/api/applications", key, &company()).await;
            assert_eq!(r.status, 201, "{}", r.json);
            let case = r.json["id"].as_str().unwrap().to_string();
            let doc = srv
                .upload_file(
                    key,
                    &case,
                    "certificate_of_incorporation",
                    None,
                    ("extract.pdf", "application/pdf", PDF),
                )
                .await;
            let app = srv.screened(key, &case).await;
            let hits = srv
                .get(&format!("/api/applications/{case}/screening/hits"), key)
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
            let task = |kind: &str| {
                app["tasks"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|t| t["kind"] == kind)
                    .and_then(|t| t["key"].as_str())
                    .unwrap_or_else(|| panic!("no {kind} task in {}", app["tasks"]))
                    .to_string()
            };
            ids.insert("task_run", task("data_completeness"));
            ids.insert("task_clear", task("documents_collected"));
            ids.insert("doc", doc);
            ids.insert("hit", hit);
            ids.insert("case", case);
        }
        if path.contains("{user}") {
            let (id, _) = new_user(srv, &format!("user{n}@a.test"), "reviewer", "default");
            ids.insert("user", id);
        }
        if path.contains("{key}") {
            let out = srv.cli(&["apikey", "create", "--name", &format!("key {n}")]);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "{stderr}");
            // "Created <role> key <id> in workspace …"
            let id = stderr
                .split_whitespace()
                .skip_while(|w| *w != "key")
                .nth(1)
                .unwrap_or_else(|| panic!("a key id in {stderr}"))
                .to_string();
            ids.insert("key", id);
        }
        if path.contains("{webhook}") {
            let r = srv
                .post(
                    "/api/webhooks",
                    key,
                    &json!({"url": format!("https://hooks-a.example/{n}"), "events": ["*"]}),
                )
                .await;
            assert_eq!(r.status, 201, "{}", r.json);
            let hook = r.json["id"].as_str().unwrap().to_string();
            let r = srv
                .post(&format!("/api/webhooks/{hook}/test"), key, &json!({}))
                .await;
            assert!(r.status < 300, "{}", r.json);
            let r = srv
                .get(&format!("/api/webhooks/{hook}/deliveries"), key)
                .await;
            let delivery = r.json["data"][0]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("a delivery in {}", r.json))
                .to_string();
            ids.insert("delivery", delivery);
            ids.insert("webhook", hook);
        }
        if path.contains("{field}") {
            let r = srv
                .post(
                    "/api/custom_fields",
                    key,
                    &json!({"api_name": format!("account_a_{n}"), "label": format!("Account number A {n}"),
                            "type": "text", "applies_to": ["application"]}),
                )
                .await;
            assert_eq!(r.status, 201, "{}", r.json);
            ids.insert("field", r.json["id"].as_str().unwrap().to_string());
        }
        if path.contains("{template}") {
            // The shared one is A's own; a fresh one is a name nobody used yet.
            let name = if self.shared.is_empty() {
                "matrix_a".to_string()
            } else {
                format!("matrix_{n}")
            };
            ids.insert("template", name);
        }
        if path.contains("{theme}") {
            let name = format!("atheme{n}");
            let mut branding = srv.get("/api/branding", key).await.json;
            branding["themes"][&name] = json!({"display_name": "Look of A, again"});
            let r = srv.send_json("PUT", "/api/branding", key, &branding).await;
            assert!(r.status < 300, "{}", r.json);
            ids.insert("theme", name);
        }
        ids
    }

    /// What no refused request may change: audit entries by any user, user sessions, test events,
    /// and the version of A's shared case.
    async fn fingerprint(&self) -> Vec<i64> {
        let srv = &self.srv;
        let case = &self.shared["case"];
        let app = srv
            .get(&format!("/api/applications/{case}"), &self.key)
            .await
            .json;
        vec![
            srv.sql_i64("SELECT COUNT(*) FROM audit_entries WHERE actor_kind = 'user'")
                .await,
            srv.sql_i64("SELECT COUNT(*) FROM web_sessions WHERE kind = 'user'")
                .await,
            srv.sql_i64("SELECT COUNT(*) FROM events WHERE type = 'webhooks.test'")
                .await,
            app["version"].as_i64().unwrap_or(-1),
        ]
    }

    async fn audited(&self, action: &str, user_id: &str) -> i64 {
        self.srv
            .sql_i64(&format!(
                "SELECT COUNT(*) FROM audit_entries WHERE action = '{action}' \
                 AND actor_kind = 'user' AND actor_id = '{user_id}'"
            ))
            .await
    }

    /// Runs one cell of the matrix; the reason it failed, naming it.
    async fn cell(&mut self, route: &Route, who: Who) -> Result<(), String> {
        let i = WHO.iter().position(|w| *w == who).unwrap();
        let want = route.want[i];
        let ids = if want == Done {
            let needs: Vec<&str> = route.fields.iter().map(|(_, v)| *v).collect();
            self.objects(&format!("{} {}", route.path, needs.join(" ")))
                .await
        } else {
            let mut ids = self.shared.clone();
            ids.insert("n", self.next().to_string());
            ids
        };
        // The browser: anonymous, the principal's own session, or a new user's for this cell.
        let mut session = match who {
            Who::Anonymous => None,
            _ if route.own_session => {
                let n = &ids["n"];
                let domain = if who == Who::OtherWorkspace {
                    "b.test"
                } else {
                    "a.test"
                };
                Some(sign_in(&self.srv, &format!("own{n}@{domain}"), who).await)
            }
            _ => self.sessions[i].take(),
        };
        let user_id = session.as_ref().map(|s| s.user_id.clone());
        let mut ids = ids;
        if let Some(s) = &session {
            ids.insert("password", s.password.clone());
        }
        let mut anonymous = Analyst::new(&self.srv);
        let browser = match &mut session {
            Some(s) => &mut s.browser,
            None => &mut anonymous,
        };
        let fill = |text: &str| {
            let mut out = text.to_string();
            for (k, v) in &ids {
                out = out.replace(&format!("{{{k}}}"), v);
            }
            out
        };
        let path = fill(route.path);
        let fields: Vec<(String, String)> = route
            .fields
            .iter()
            .map(|(k, v)| (fill(k), fill(v)))
            .collect();
        let label = format!("{} {} as {who:?}", route.method, route.pattern);

        let before = self.fingerprint().await;
        let audited_before = match (route.effect, &user_id) {
            (Effect::Audit(action), Some(u)) => self.audited(action, u).await,
            _ => 0,
        };
        let events_before = self.fingerprint_events().await;
        let cookie = browser.cookie.clone();
        let page = match route.method {
            "GET" => browser.get(&path).await,
            _ if route.multipart => {
                if browser.csrf.is_none() {
                    browser.get("/cases").await;
                }
                let mut form = reqwest::multipart::Form::new()
                    .text("_csrf", browser.csrf.clone().unwrap_or_default());
                for (k, v) in fields {
                    form = form.text(k, v);
                }
                let req = self
                    .http
                    .post(format!("{}{path}", self.srv.base))
                    .header("origin", self.srv.base.clone())
                    .multipart(form);
                browser.send(req).await
            }
            _ => {
                let fields: Vec<(&str, &str)> = fields
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                browser.post(&path, &fields).await
            }
        };
        let after = self.fingerprint().await;

        let got = format!(
            "got {} {}: {}",
            page.status,
            page.location(),
            gist(&page.text)
        );
        let fail = |why: &str| Err(format!("{label}: want {want:?}, {why}; {got}"));
        let result = match want {
            See if page.status != 200 => fail("not 200"),
            No if page.status != 403 => fail("not 403"),
            Nf if page.status != 404 => fail("not 404"),
            Status(s) if page.status != s => fail("not this status"),
            To(to) if page.status != 303 || page.location() != to => fail("not this redirect"),
            Login => {
                let to = if route.method == "GET" {
                    format!(
                        "/login?{}",
                        serde_urlencoded::to_string([("next", path.as_str())]).unwrap()
                    )
                } else {
                    "/login".to_string()
                };
                if page.status != 303 || page.location() != to {
                    fail(&format!("not a redirect to {to}"))
                } else {
                    Ok(())
                }
            }
            Done if page.status != 200 && page.status != 303 => fail("not done"),
            Done => {
                let done = match route.effect {
                    Effect::None => true,
                    Effect::Audit(action) => {
                        let u = user_id.as_deref().unwrap_or_default();
                        self.audited(action, u).await > audited_before
                    }
                    Effect::TestEvent => self.fingerprint_events().await > events_before,
                    Effect::Notice(notice) => page.location().contains(notice),
                    Effect::SignedOut => {
                        let mut old = Analyst::new(&self.srv);
                        old.cookie = cookie;
                        old.get("/cases").await.status == 303
                    }
                };
                if done {
                    Ok(())
                } else {
                    fail(&format!("its effect ({:?}) did not happen", route.effect))
                }
            }
            _ => Ok(()),
        };
        let result = result.and_then(|()| {
            if want != Done && before != after {
                Err(format!(
                    "{label}: want {want:?}, but something changed: {before:?} → {after:?}; {got}"
                ))
            } else {
                Ok(())
            }
        });
        let result = result.and_then(|()| {
            match A_MARKERS
                .iter()
                .find(|m| who == Who::OtherWorkspace && page.text.contains(**m))
            {
                Some(m) => Err(format!("{label}: workspace A's {m:?} in the answer; {got}")),
                None => Ok(()),
            }
        });
        if !route.own_session && who != Who::Anonymous {
            self.sessions[i] = session;
        }
        result
    }

    async fn fingerprint_events(&self) -> i64 {
        self.srv
            .sql_i64("SELECT COUNT(*) FROM events WHERE type = 'webhooks.test'")
            .await
    }
}

/// A new user of `who`'s role and workspace, signed in.
async fn sign_in(srv: &TestServer, email: &str, who: Who) -> Session {
    let (user_id, password) = new_user(srv, email, who.role(), who.workspace());
    let mut browser = Analyst::new(srv);
    let page = browser.sign_in(email, &password).await;
    assert_eq!(page.status, 303, "sign-in of {email}: {}", page.text);
    Session {
        browser,
        user_id,
        password,
    }
}

/// A page's heading (or its start), for a failure message.
fn gist(text: &str) -> String {
    let heading = text
        .split("<h1")
        .nth(1)
        .and_then(|h| h.split_once('>'))
        .map(|(_, h)| {
            h.split("</h1>")
                .next()
                .unwrap_or_default()
                .trim()
                .to_string()
        });
    heading.unwrap_or_else(|| text.chars().take(160).collect())
}

// ---------------------------------------------------------------------------------------------
// The tests.

/// Every route × every principal.
async fn every_route_refuses_whom_it_must_and_serves_whom_it_may(backend: Backend) {
    let mut ctx = Ctx::new(backend).await;
    let mut failures = Vec::new();
    for route in ROUTES {
        for who in WHO {
            if let Err(e) = ctx.cell(route, who).await {
                failures.push(e);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cells failed:\n{}\n\nthe server's log:\n{}",
        failures.len(),
        ROUTES.len() * WHO.len(),
        failures.join("\n"),
        ctx.srv.log()
    );
}

/// The decision policy through the page: a reviewer decides an ordinary case whose tasks are done,
/// not one reserved for qualified reviewers, which a qualified reviewer then decides; a read-only
/// user decides nothing.
async fn decisions_follow_the_policy_for_each_role(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    // Two person templates without tasks (a case is `done` at once); one reserves every case.
    let mut template = srv.get("/api/templates/kyc_standard", &key).await.json;
    template["tasks"] = json!([]);
    template["documents"] = json!([]);
    for (name, policy) in [
        ("matrix_open", json!({})),
        (
            "matrix_reserved",
            json!({"qualified_reviewer_only": {"condition": "true"}}),
        ),
    ] {
        template["name"] = json!(name);
        template["policy"] = policy;
        let r = srv
            .send_json("PUT", &format!("/api/templates/{name}"), &key, &template)
            .await;
        assert!(r.status == 200 || r.status == 201, "{name}: {}", r.json);
    }
    let case = |template: &'static str| {
        let srv = &srv;
        let key = &key;
        async move {
            let r = srv
                .post(
                    "/api/applications",
                    key,
                    &json!({"type": "person", "template": template,
                            "person": {"first_name": "Claire", "last_name": "Martin", "nationality": "FR"}}),
                )
                .await;
            assert_eq!(r.status, 201, "{}", r.json);
            assert_eq!(r.json["status_execution"], "done", "{}", r.json);
            r.json["id"].as_str().unwrap().to_string()
        }
    };
    let decide = [
        ("status_review", "approved"),
        ("reason", "Identity checked."),
    ];
    let review = |id: String| {
        let srv = &srv;
        let key = &key;
        async move {
            let app = srv.get(&format!("/api/applications/{id}"), key).await.json;
            app["status_review"].as_str().unwrap().to_string()
        }
    };

    let mut read_only = srv.analyst("ro@a.test", "read_only").await;
    let mut reviewer = srv.analyst("rev@a.test", "reviewer").await;
    let mut qualified = srv.analyst("qual@a.test", "qualified_reviewer").await;

    let open = case("matrix_open").await;
    let r = read_only
        .post(&format!("/cases/{open}/decision"), &decide)
        .await;
    assert_eq!(r.status, 403, "read_only: {}", r.text);
    assert_eq!(review(open.clone()).await, "pending");
    let r = reviewer
        .post(&format!("/cases/{open}/decision"), &decide)
        .await;
    assert_eq!(r.status, 303, "reviewer on an open case: {}", r.text);
    assert_eq!(review(open.clone()).await, "approved");

    let reserved = case("matrix_reserved").await;
    let app = srv
        .get(&format!("/api/applications/{reserved}"), &key)
        .await
        .json;
    assert_eq!(
        app["review_requirements"]["qualified_reviewer_only"], true,
        "{app}"
    );
    let r = reviewer
        .post(&format!("/cases/{reserved}/decision"), &decide)
        .await;
    assert_eq!(r.status, 403, "reviewer on a reserved case: {}", r.text);
    assert!(
        r.text.contains("reserved for qualified reviewers"),
        "{}",
        r.text
    );
    assert_eq!(review(reserved.clone()).await, "pending");
    let decided: i64 = srv
        .sql_i64(&format!(
            "SELECT COUNT(*) FROM audit_entries WHERE action = 'application.decided' \
             AND application_id = '{reserved}'"
        ))
        .await;
    assert_eq!(
        decided, 0,
        "the refusal left no decision in the audit trail"
    );
    let r = qualified
        .post(&format!("/cases/{reserved}/decision"), &decide)
        .await;
    assert_eq!(r.status, 303, "qualified reviewer: {}", r.text);
    assert_eq!(review(reserved.clone()).await, "approved");
}

/// The settings pages' refusals are the application layer's, not only the pages': the same use
/// cases through the API refuse a key of any role but admin (and automation, an integration's).
/// A webhook endpoint's URL may carry the receiver's token, its log the events' payloads.
async fn settings_reads_are_refused_by_the_application_layer_too(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let key = srv.apikey(&[]);
    let admin = srv.apikey(&["--role", "admin"]);
    let r = srv
        .post(
            "/api/webhooks",
            &key,
            &json!({"url": "https://hooks-a.example/token-in-the-url", "events": ["*"]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let hook = r.json["id"].as_str().unwrap().to_string();
    let reads = [
        "/api/webhooks".to_string(),
        format!("/api/webhooks/{hook}"),
        format!("/api/webhooks/{hook}/deliveries"),
    ];
    for role in ["read_only", "reviewer", "qualified_reviewer"] {
        let k = srv.apikey(&["--role", role]);
        for path in &reads {
            let r = srv.get(path, &k).await;
            assert_eq!(r.status, 403, "GET {path} with a {role} key: {}", r.json);
            assert!(
                !String::from_utf8_lossy(&r.body).contains("token-in-the-url"),
                "{role}: {path}"
            );
        }
    }
    for k in [&key, &admin] {
        for path in &reads {
            assert_eq!(srv.get(path, k).await.status, 200, "GET {path}");
        }
    }
}

both_backends!(
    every_route_refuses_whom_it_must_and_serves_whom_it_may,
    decisions_follow_the_policy_for_each_role,
    settings_reads_are_refused_by_the_application_layer_too,
);
