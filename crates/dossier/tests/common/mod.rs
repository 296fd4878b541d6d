//! The integration harness: each test starts the real `dossier` binary on a free port against a real
//! database — SQLite in a temp directory, or a fresh PostgreSQL database on the local server — and talks
//! to it over HTTP. `both_backends!` runs each test body once per backend.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use sqlx::Connection;

pub mod backoffice;
pub mod browser;
pub mod oidc;
pub mod receiver;
pub mod smtp;

/// The OpenSanctions EU FSF sample (FollowTheMoney JSON lines, 7 entities): a small real watchlist.
pub const FTM_SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/watchlists/opensanctions_ftm/yente_t1_eu_fsf_sample.ftm.json"
);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The local PostgreSQL server (override with `DOSSIER_TEST_PG`).
pub fn pg_base() -> String {
    std::env::var("DOSSIER_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

pub struct TestServer {
    pub backend: Backend,
    pub base: String,
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    pg_database: Option<String>,
    /// `false` for a second node on another server's database: it leaves the data in place.
    owns_data: bool,
    env: Vec<(String, String)>,
    child: Option<Child>,
    pub http: reqwest::Client,
}

pub struct Response {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
    pub json: Value,
}

impl Response {
    pub fn is_problem(&self) -> bool {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/problem+json"))
    }

    /// The `field`s of a 422 problem.
    pub fn error_fields(&self) -> Vec<String> {
        self.json["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl TestServer {
    /// Prepares a server (not started) on a fresh database.
    pub async fn new(backend: Backend) -> Self {
        Self::with_env(backend, &[]).await
    }

    pub async fn with_env(backend: Backend, env: &[(&str, &str)]) -> Self {
        // The HTTP client shares Dossier's TLS stack, which needs its crypto provider chosen.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let data_dir = std::env::temp_dir().join(format!("dossier-test-{}", rand::random::<u64>()));
        std::fs::create_dir_all(&data_dir).unwrap();
        let (database_url, pg_database) = match backend {
            Backend::Sqlite => (None, None),
            Backend::Postgres => {
                let name = format!("dossier_test_{:016x}", rand::random::<u64>());
                let mut admin = sqlx::PgConnection::connect(&format!("{}/postgres", pg_base()))
                    .await
                    .expect("PostgreSQL must be reachable for the postgres tests (see .ci/run)");
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut admin)
                    .await
                    .unwrap();
                (Some(format!("{}/{name}", pg_base())), Some(name))
            }
        };
        let mut env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        env.push(("RUST_LOG".into(), "warn".into()));
        // The screening worker polls its queue; tests should not wait for the default 500 ms.
        // Tests never reach the network: no official watchlist is fetched.
        if !env.iter().any(|(k, _)| k == "DOSSIER_WATCHLISTS__OFFICIAL") {
            env.push(("DOSSIER_WATCHLISTS__OFFICIAL".into(), "[]".into()));
        }
        if !env.iter().any(|(k, _)| k == "DOSSIER_SCREENING__POLL_MS") {
            env.push(("DOSSIER_SCREENING__POLL_MS".into(), "50".into()));
        }
        Self {
            backend,
            base: String::new(),
            data_dir,
            database_url,
            pg_database,
            owns_data: true,
            env,
            child: None,
            http: reqwest::Client::new(),
        }
    }

    /// Another process on this server's database (a second node of a cluster), not started.
    pub fn another_node(&self) -> Self {
        Self {
            backend: self.backend,
            base: String::new(),
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            pg_database: None,
            owns_data: false,
            env: self.env.clone(),
            child: None,
            http: reqwest::Client::new(),
        }
    }

    /// Prepares and starts a server.
    pub async fn start(backend: Backend) -> Self {
        let mut s = Self::new(backend).await;
        s.spawn().await;
        s
    }

    /// The environment the server and the CLI run with.
    pub fn env(&self) -> &[(String, String)] {
        &self.env
    }

    pub fn store_args(&self) -> Vec<String> {
        let mut args = vec![
            "--data-dir".to_string(),
            self.data_dir.display().to_string(),
        ];
        if let Some(url) = &self.database_url {
            args.push("--database-url".into());
            args.push(url.clone());
        }
        args
    }

    /// Starts (or restarts) `dossier serve` and waits for `/healthz`.
    pub async fn spawn(&mut self) {
        self.spawn_with(&[]).await
    }

    /// [`TestServer::spawn`] with more arguments for `serve` (e.g. `--demo`).
    pub async fn spawn_with(&mut self, extra: &[&str]) {
        let port = free_port();
        self.base = format!("http://127.0.0.1:{port}");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.data_dir.join("serve.log"))
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_dossier"))
            .arg("serve")
            .args(["--bind", &format!("127.0.0.1:{port}")])
            .args(self.store_args())
            .args(extra)
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("dossier starts");
        self.child = Some(child);
        let started = Instant::now();
        loop {
            if let Ok(r) = self.http.get(format!("{}/healthz", self.base)).send().await
                && r.status().is_success()
            {
                return;
            }
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("dossier serve exited with {status}: {}", self.log());
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "dossier serve did not start: {}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.data_dir.join("serve.log")).unwrap_or_default()
    }

    /// Stops the server with SIGTERM (graceful) or SIGKILL.
    pub fn stop(&mut self, kill: bool) {
        if let Some(mut child) = self.child.take() {
            let signal = if kill { "-KILL" } else { "-TERM" };
            let _ = Command::new("kill")
                .args([signal, &child.id().to_string()])
                .status();
            let _ = child.wait();
        }
    }

    /// Runs a `dossier` subcommand against this server's database.
    pub fn cli(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_dossier"))
            .args(args)
            .args(self.store_args())
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .output()
            .expect("dossier runs")
    }

    /// Creates an API key with `dossier apikey create` and returns it.
    pub fn apikey(&self, extra: &[&str]) -> String {
        let mut args = vec!["apikey", "create"];
        args.extend_from_slice(extra);
        let out = self.cli(&args);
        assert!(
            out.status.success(),
            "apikey create failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .last()
            .unwrap()
            .trim()
            .to_string()
    }

    /// A key of a new workspace.
    pub fn other_workspace_key(&self, name: &str) -> String {
        let out = self.cli(&["workspace", "create", name]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.apikey(&["--workspace", name])
    }

    pub async fn request(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: Option<Vec<u8>>,
        headers: &[(&str, &str)],
    ) -> Response {
        let mut req = self
            .http
            .request(method.parse().unwrap(), format!("{}{}", self.base, path));
        if let Some(k) = key {
            req = req.header("authorization", format!("Bearer {k}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.body(b);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
        let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
        Response {
            status,
            headers,
            body,
            json,
        }
    }

    pub async fn get(&self, path: &str, key: &str) -> Response {
        self.request("GET", path, Some(key), None, &[]).await
    }

    pub async fn send_json(&self, method: &str, path: &str, key: &str, body: &Value) -> Response {
        self.request(
            method,
            path,
            Some(key),
            Some(serde_json::to_vec(body).unwrap()),
            &[("content-type", "application/json")],
        )
        .await
    }

    pub async fn post(&self, path: &str, key: &str, body: &Value) -> Response {
        self.send_json("POST", path, key, body).await
    }

    pub async fn patch(&self, path: &str, key: &str, body: &Value) -> Response {
        self.send_json("PATCH", path, key, body).await
    }

    /// The case's events of one type, newest first.
    pub async fn events(&self, key: &str, kind: &str, application_id: &str) -> Vec<Value> {
        let r = self
            .get(
                &format!("/api/events?type={kind}&application_id={application_id}&limit=100"),
                key,
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.json);
        r.json["data"].as_array().cloned().unwrap_or_default()
    }

    /// Imports a watchlist with `dossier watchlist import --json`: the stored snapshot, with the
    /// report of the re-screen of active cases under `rescreen`.
    pub fn import_watchlist(&self, source: &str, path: &str) -> Value {
        let out = self.cli(&["watchlist", "import", "--source", source, path, "--json"]);
        assert!(
            out.status.success(),
            "import failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Polls until the screening worker settled the case's `screening` task; returns the case.
    /// Uploads a file by API for the case's subject or, with `relationship_id`, one of its
    /// parties; it must be accepted (201). The document's id.
    pub async fn upload_file(
        &self,
        key: &str,
        id: &str,
        kind: &str,
        relationship_id: Option<&str>,
        (name, mime, bytes): (&str, &str, &[u8]),
    ) -> String {
        let mut form = reqwest::multipart::Form::new().text("type", kind.to_string());
        if let Some(r) = relationship_id {
            form = form.text("relationship_id", r.to_string());
        }
        let form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes.to_vec())
                .file_name(name.to_string())
                .mime_str(mime)
                .unwrap(),
        );
        let resp = self
            .http
            .post(format!("{}/api/applications/{id}/documents", self.base))
            .header("authorization", format!("Bearer {key}"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 201, "the upload of {name}");
        let doc: Value = resp.json().await.unwrap();
        doc["id"].as_str().unwrap().to_string()
    }

    pub async fn screened(&self, key: &str, id: &str) -> Value {
        let started = Instant::now();
        loop {
            let app = self.get(&format!("/api/applications/{id}"), key).await.json;
            let task = app["tasks"]
                .as_array()
                .and_then(|tasks| tasks.iter().find(|t| t["kind"] == "screening"))
                .unwrap_or_else(|| panic!("no screening task in {app}"));
            if task["result"] != "pending" && task["stale"] == false {
                return app;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "not screened: {task}\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn connect(&self) -> sqlx::AnyConnection {
        sqlx::any::install_default_drivers();
        let url = match &self.database_url {
            Some(u) => u.clone(),
            None => format!("sqlite://{}", self.data_dir.join("dossier.db").display()),
        };
        sqlx::AnyConnection::connect(&url).await.unwrap()
    }

    /// Reads one integer straight from the server's database (what the API does not show).
    pub async fn sql_i64(&self, query: &str) -> i64 {
        let mut conn = self.connect().await;
        sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(query.to_string()))
            .fetch_one(&mut conn)
            .await
            .unwrap()
    }

    /// Runs SQL directly against the server's database (to tamper with it, as an attacker would).
    pub async fn sql(&self, statement: &str) {
        let mut conn = self.connect().await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement.to_string()))
            .execute(&mut conn)
            .await
            .unwrap();
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop(false);
        if let Some(name) = self.pg_database.take() {
            // Best effort, synchronously: the test's runtime may be gone.
            let _ = Command::new("psql")
                .args([
                    &format!("{}/postgres", pg_base()),
                    "-qAtc",
                    &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                ])
                .output();
        }
        if self.owns_data {
            let _ = std::fs::remove_dir_all(&self.data_dir);
        }
    }
}

/// Generates `sqlite::name` and `postgres::name` tests calling `name(Backend)`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::Backend::Postgres).await
                }
            )*
        }
    };
}
