//! `dossier-bench`: a load generator for Dossier (a benchmark, not a test).
//!
//! It starts the release binary on a fresh SQLite directory or PostgreSQL database, drives it over HTTP
//! with concurrent keep-alive clients, and reports requests/s with p50/p99 latency for
//! `POST /api/applications` and `GET /api/applications/{id}`, next to the rate of the same database
//! doing an equivalent bare insert transaction; then webhook deliveries/s and commit-to-delivery
//! latency to a fast local receiver. Run:
//!
//! ```sh
//! cargo build --release -p dossier -p dossier-bench
//! target/release/dossier-bench --backend sqlite
//! target/release/dossier-bench --backend postgres
//! target/release/dossier-bench --backend sqlite --storage 1000    # bytes on disk per create / PATCH
//! target/release/dossier-bench --backend sqlite --backoffice 10000,100000   # back-office pages
//! target/release/dossier-bench --backend sqlite --soak 30          # memory, files, bytes per case
//! ```

mod backoffice;
mod soak;

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use dossier_store::Backend;
use serde_json::{Value, json};
use sqlx::Connection;

#[derive(Parser)]
struct Args {
    /// `sqlite` or `postgres`.
    #[arg(long, default_value = "sqlite")]
    backend: String,
    /// Seconds per phase.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Concurrent clients.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// The dossier binary.
    #[arg(long, default_value = "target/release/dossier")]
    dossier: String,
    /// PostgreSQL server for the postgres backend.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432")]
    pg: String,
    /// Rounds of creates, each followed by a round of the equivalent bare transaction: alternating
    /// them exposes both to the same moments of the machine (its disk above all).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Events for the webhook phase.
    #[arg(long, default_value_t = 2000)]
    webhook_events: usize,
    /// Instead of the load phases: the storage benchmark — create this many README business cases,
    /// then PATCH one field of each, and report the database's growth per create and per PATCH.
    #[arg(long)]
    storage: Option<usize>,
    /// Instead of the load phases: the portal benchmark — this many clients walk an onboarding
    /// portal (link, continue, details, review, submit), `--concurrency` at a time; reports the
    /// first page's bytes with its assets, the server time per step and submit-to-delivery.
    #[arg(long)]
    portal: Option<usize>,
    /// Instead of the load phases: the back-office benchmark — seed the database to each of these
    /// numbers of cases in turn (`10000,100000`) and measure the analyst's pages at each.
    #[arg(long, value_delimiter = ',')]
    backoffice: Option<Vec<usize>>,
    /// Sequential requests per page in the back-office benchmark.
    #[arg(long, default_value_t = 200)]
    requests: usize,
    /// Instead of the load phases: the soak run — this many minutes at a moderate load, sampling
    /// the server's memory, open files and database bytes per case.
    #[arg(long)]
    soak: Option<u64>,
    /// Seconds between two samples of the soak run.
    #[arg(long, default_value_t = 60)]
    sample_secs: u64,
    /// Keep the back-office benchmark's database under this name, and reuse it if it exists (only
    /// the missing cases are added).
    #[arg(long)]
    keep: Option<String>,
}

struct Server {
    child: Child,
    base: String,
    store_args: Vec<String>,
    dossier: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// A new automation key of the default workspace (the last word `apikey create` prints).
    fn api_key(&self) -> anyhow::Result<String> {
        Ok(self
            .cli(&["apikey", "create"])?
            .lines()
            .last()
            .unwrap_or_default()
            .trim()
            .to_string())
    }

    fn cli(&self, args: &[&str]) -> anyhow::Result<String> {
        let out = Command::new(&self.dossier)
            .args(args)
            .args(&self.store_args)
            .output()?;
        if !out.status.success() {
            bail!("dossier {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(String::from_utf8(out.stdout)?)
    }
}

async fn start(args: &Args, store_args: Vec<String>, deliver: bool) -> anyhow::Result<Server> {
    start_with(args, store_args, deliver, &[]).await
}

/// [`start`], with more environment variables for the server.
async fn start_with(
    args: &Args,
    store_args: Vec<String>,
    deliver: bool,
    env: &[(&str, &str)],
) -> anyhow::Result<Server> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let child = Command::new(&args.dossier)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .args(&store_args)
        .env("DOSSIER_SERVER__RATE_LIMIT_PER_SECOND", "0")
        .env("DOSSIER_WEBHOOKS__ALLOW_PRIVATE_TARGETS", "true")
        .env("DOSSIER_WEBHOOKS__DELIVERY", deliver.to_string())
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| {
            format!(
                "starting {} (build it with cargo build --release)",
                args.dossier
            )
        })?;
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
        store_args,
        dossier: args.dossier.clone(),
    };
    let http = reqwest::Client::new();
    for _ in 0..300 {
        if http
            .get(format!("{}/healthz", server.base))
            .send()
            .await
            .is_ok()
        {
            return Ok(server);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("dossier did not start")
}

/// One operation of a load phase: `true` when it succeeded.
type BoxFuture = std::pin::Pin<Box<dyn Future<Output = bool> + Send>>;

/// Latencies of one phase.
struct Phase {
    name: String,
    latencies: Vec<Duration>,
    errors: usize,
    elapsed: Duration,
}

impl Phase {
    fn empty(name: &str) -> Self {
        Phase {
            name: name.into(),
            latencies: Vec::new(),
            errors: 0,
            elapsed: Duration::ZERO,
        }
    }

    fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Adds another round of the same phase.
    fn absorb(&mut self, round: Phase) {
        self.latencies.extend(round.latencies);
        self.errors += round.errors;
        self.elapsed += round.elapsed;
    }

    fn report(&mut self) -> String {
        self.latencies.sort();
        let n = self.latencies.len();
        let pct = |p: f64| {
            if n == 0 {
                0.0
            } else {
                self.latencies[((n as f64 * p) as usize).min(n - 1)].as_secs_f64() * 1000.0
            }
        };
        format!(
            "| {} | {:.0} | {:.2} | {:.2} | {} |",
            self.name,
            n as f64 / self.elapsed.as_secs_f64(),
            pct(0.50),
            pct(0.99),
            self.errors
        )
    }
}

/// Runs `op` from `concurrency` workers for `seconds`, timing each call.
async fn drive<F, Fut>(name: &str, concurrency: usize, seconds: u64, op: F) -> Phase
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send,
{
    let op = Arc::new(op);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let mut workers = Vec::new();
    for w in 0..concurrency {
        let op = op.clone();
        workers.push(tokio::spawn(async move {
            let (mut lat, mut errors, mut i) = (Vec::new(), 0, 0);
            while Instant::now() < deadline {
                let t = Instant::now();
                if op(w * 1_000_000 + i).await {
                    lat.push(t.elapsed());
                } else {
                    errors += 1;
                }
                i += 1;
            }
            (lat, errors)
        }));
    }
    let mut phase = Phase::empty(name);
    for w in workers {
        let (lat, errors) = w.await.expect("worker");
        phase.latencies.extend(lat);
        phase.errors += errors;
    }
    phase.elapsed = start.elapsed();
    phase
}

/// `POST /api/applications` of case `i`; its id when created.
async fn create_case(http: &reqwest::Client, base: &str, key: &str, i: usize) -> Option<String> {
    let r = http
        .post(format!("{base}/api/applications"))
        .bearer_auth(key)
        .json(&case(i))
        .send()
        .await
        .ok()?;
    if r.status().as_u16() != 201 {
        return None;
    }
    let v = r.json::<Value>().await.ok()?;
    v["id"].as_str().map(str::to_string)
}

fn case(i: usize) -> Value {
    json!({
        "type": "business",
        "business": {"name": format!("Bench Company {i}"), "registration_number": format!("{i:09}"), "country": "FR",
                     "incorporation_date": "2015-03-02", "industry_code": "49.41",
                     "address": {"line1": "10 rue de la Paix", "city": "Paris", "postal_code": "75002", "country": "FR"}},
        "relationships": [
            {"kind": "person", "roles": ["director", "signatory"],
             "person": {"first_name": "Claire", "last_name": "Martin", "birth_date": "1980-05-17", "nationality": "FR"}},
            {"kind": "person", "roles": ["ubo"], "ownership_percentage": 60,
             "person": {"first_name": "Jan", "last_name": "de Vries", "nationality": "NL"}}
        ],
        "external_id": format!("bench-{i}")
    })
}

/// The store's backend the run is on.
fn store_backend(args: &Args) -> Backend {
    if args.backend == "sqlite" {
        Backend::Sqlite
    } else {
        Backend::Postgres
    }
}

/// Connections for a bare transaction phase, set up exactly like the server's (SQLite: one writer,
/// WAL, `synchronous=NORMAL`; PostgreSQL: up to 8).
async fn bare_pool(url: &str, sqlite: bool, concurrency: usize) -> anyhow::Result<sqlx::AnyPool> {
    sqlx::any::install_default_drivers();
    let (backend, max) = if sqlite {
        (Backend::Sqlite, 1)
    } else {
        (Backend::Postgres, concurrency.min(8) as u32)
    };
    Ok(dossier_store::pool_options(backend, max)
        .connect(url)
        .await?)
}

/// The database's own rate for the write a create makes, without the service: on a database with
/// Dossier's schema (created by `dossier migrate`, indexes included), one transaction inserting the
/// rows a create stores, at their real size — the case row and its version 1 (the document, compressed
/// as the store does), its `application.created` event (by reference), its audit entry and the head of its
/// audit chain, its risk-history entry and its screening-queue row.
async fn equivalent_op(
    dossier: &str,
    url: &str,
    pg: Option<&str>,
    concurrency: usize,
    stored_case: &str,
    one_round_trip: bool,
) -> anyhow::Result<impl Fn(usize) -> BoxFuture + Clone + Send + Sync + 'static> {
    anyhow::ensure!(
        !one_round_trip || pg.is_none(),
        "one round trip is for SQLite only"
    );
    let migrated = Command::new(dossier)
        .args(["migrate", "--database-url", url])
        .stdout(Stdio::null())
        .status()?;
    anyhow::ensure!(migrated.success(), "dossier migrate failed on {url}");
    let pool = bare_pool(url, pg.is_none(), concurrency).await?;
    sqlx::query("INSERT INTO workspaces (id, name, created_at) VALUES ('ws_bench', 'bench', '2026-01-01T00:00:00.000000Z')")
        .execute(&pool)
        .await?;
    let case: Value = serde_json::from_str(stored_case)?;
    let backend = if pg.is_some() {
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    let compressed = dossier_store::encode_version(backend, stored_case);
    let risk = case["risk"].to_string();
    let rows = Arc::new((compressed, risk));
    Ok(move |i: usize| -> BoxFuture {
        let (pool, rows) = (pool.clone(), rows.clone());
        Box::pin(async move {
            let (data, risk) = &*rows;
            let at = "2026-01-01T00:00:00.000000Z";
            if one_round_trip {
                return create_rows_in_one_round_trip(&pool, i, data, risk, at)
                    .await
                    .is_ok();
            }
            let run = async {
                let mut tx = pool.begin().await?;
                sqlx::query(
                    "INSERT INTO applications (id, workspace_id, kind, external_id, status_review, \
                     status_execution, risk_level, risk_score, created_at, updated_at, version, data) \
                     VALUES ($1, 'ws_bench', 'business', $2, 'pending', 'in_progress', 'medium', 30, $3, $3, 1, '')",
                )
                .bind(format!("app_{i}"))
                .bind(format!("bench-{i}"))
                .bind(at)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO application_versions (workspace_id, application_id, version, at, \
                     actor_kind, actor_id, actor_role, hash, encoding, data) \
                     VALUES ('ws_bench', $1, 1, $2, 'api_key', 'key_x', 'automation', $3, $5, $4)",
                )
                .bind(format!("app_{i}"))
                .bind(at)
                .bind("0000000000000000000000000000000000000000000000000000000000000000")
                .bind(data.clone())
                .bind(dossier_store::version_encoding(backend))
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO risk_history (id, workspace_id, application_id, score, level, cause, \
                     actor_kind, actor_id, assessment, created_at) \
                     VALUES ($1, 'ws_bench', $2, 30, 'medium', 'application.created', 'api_key', 'key_x', $3, $4)",
                )
                .bind(format!("rsk_{i}"))
                .bind(format!("app_{i}"))
                .bind(risk)
                .bind(at)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO events (id, workspace_id, type, application_id, created_at, payload, version) \
                     VALUES ($1, 'ws_bench', 'application.created', $2, $3, '', 1)",
                )
                .bind(format!("evt_{i}"))
                .bind(format!("app_{i}"))
                .bind(at)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO audit_heads (workspace_id, chain, seq, hash) VALUES ('ws_bench', $1, 1, 'hash')",
                )
                .bind(format!("app_{i}"))
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO audit_entries (id, workspace_id, seq, at, actor_kind, actor_id, action, \
                     object_type, object_id, application_id, changes, prev_hash, hash, chain, actor_role, \
                     version, version_hash) \
                     VALUES ($1, 'ws_bench', $2, $3, 'api_key', 'key_x', 'application.created', \
                     'application', $4, $4, '[]', 'prev', 'hash', $4, 'automation', 1, 'hash')",
                )
                .bind(format!("aud_{i}"))
                .bind(1_i64)
                .bind(at)
                .bind(format!("app_{i}"))
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO screening_queue (workspace_id, application_id, fingerprint, \
                     enqueued_at, not_before, attempts) VALUES ('ws_bench', $1, 'fp', $2, $2, 0)",
                )
                .bind(format!("app_{i}"))
                .bind(at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok::<_, sqlx::Error>(())
            };
            run.await.is_ok()
        })
    })
}

/// The rows of [`equivalent_op`] sent to SQLite as one multi-statement query: `BEGIN`, one round
/// trip to the connection's thread, `COMMIT`. It measures what a create's writes would cost if the
/// store batched them, against the 7 round trips above (each a hand-off between threads).
async fn create_rows_in_one_round_trip(
    pool: &sqlx::AnyPool,
    i: usize,
    data: &[u8],
    risk: &str,
    at: &str,
) -> Result<(), sqlx::Error> {
    // SQLite binds `$N` by number in every statement of the query, so the ids are bound once.
    const ROWS: &str = "\
        INSERT INTO applications (id, workspace_id, kind, external_id, status_review, \
          status_execution, risk_level, risk_score, created_at, updated_at, version, data) \
          VALUES ($1, 'ws_bench', 'business', $2, 'pending', 'in_progress', 'medium', 30, $3, $3, 1, ''); \
        INSERT INTO application_versions (workspace_id, application_id, version, at, \
          actor_kind, actor_id, actor_role, hash, encoding, data) \
          VALUES ('ws_bench', $1, 1, $3, 'api_key', 'key_x', 'automation', $4, $5, $6); \
        INSERT INTO risk_history (id, workspace_id, application_id, score, level, cause, \
          actor_kind, actor_id, assessment, created_at) \
          VALUES ($7, 'ws_bench', $1, 30, 'medium', 'application.created', 'api_key', 'key_x', $8, $3); \
        INSERT INTO events (id, workspace_id, type, application_id, created_at, payload, version) \
          VALUES ($9, 'ws_bench', 'application.created', $1, $3, '', 1); \
        INSERT INTO audit_heads (workspace_id, chain, seq, hash) VALUES ('ws_bench', $1, 1, 'hash'); \
        INSERT INTO audit_entries (id, workspace_id, seq, at, actor_kind, actor_id, action, \
          object_type, object_id, application_id, changes, prev_hash, hash, chain, actor_role, \
          version, version_hash) \
          VALUES ($10, 'ws_bench', 1, $3, 'api_key', 'key_x', 'application.created', \
          'application', $1, $1, '[]', 'prev', 'hash', $1, 'automation', 1, 'hash'); \
        INSERT INTO screening_queue (workspace_id, application_id, fingerprint, \
          enqueued_at, not_before, attempts) VALUES ('ws_bench', $1, 'fp', $3, $3, 0)";
    let mut tx = pool.begin().await?;
    sqlx::query(ROWS)
        .bind(format!("app_{i}"))
        .bind(format!("bench-{i}"))
        .bind(at)
        .bind("0000000000000000000000000000000000000000000000000000000000000000")
        .bind(dossier_store::version_encoding(Backend::Sqlite))
        .bind(data.to_vec())
        .bind(format!("rsk_{i}"))
        .bind(risk)
        .bind(format!("evt_{i}"))
        .bind(format!("aud_{i}"))
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// The database's own rate for the same write: one transaction inserting a case-sized JSON row and an
/// event row, committed, from the same number of concurrent connections the server may use.
async fn bare_inserts(
    url: &str,
    pg: Option<&str>,
    concurrency: usize,
    seconds: u64,
) -> anyhow::Result<Phase> {
    let pool = bare_pool(url, pg.is_none(), concurrency).await?;
    sqlx::raw_sql(
        "CREATE TABLE bare_cases (id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, data TEXT NOT NULL); \
         CREATE TABLE bare_events (id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, payload TEXT NOT NULL);",
    )
    .execute(&pool)
    .await?;
    let body = case(0).to_string();
    warmed(
        "bare insert transaction, request-sized rows, 2 tables (database only)",
        concurrency,
        seconds,
        pg,
        move |i| {
            let pool = pool.clone();
            let body = body.clone();
            async move {
                let run = async {
                    let mut tx = pool.begin().await?;
                    sqlx::query(
                        "INSERT INTO bare_cases (id, workspace_id, data) VALUES ($1, $2, $3)",
                    )
                    .bind(format!("c{i}"))
                    .bind("ws")
                    .bind(&body)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "INSERT INTO bare_events (id, workspace_id, payload) VALUES ($1, $2, $3)",
                    )
                    .bind(format!("e{i}"))
                    .bind("ws")
                    .bind(&body)
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    Ok::<_, sqlx::Error>(())
                };
                run.await.is_ok()
            }
        },
    )
    .await
}

/// Starts a write phase from the same state: on PostgreSQL (`pg`, its server), a checkpoint first, so
/// that no phase pays for flushing what an earlier one wrote (as pgbench does before its runs); on
/// SQLite each phase writes its own file and has nothing to settle.
async fn settle(pg: Option<&str>) -> anyhow::Result<()> {
    if let Some(pg) = pg {
        let mut admin = sqlx::PgConnection::connect(&format!("{pg}/postgres")).await?;
        sqlx::raw_sql("CHECKPOINT").execute(&mut admin).await?;
    }
    Ok(())
}

/// Two unmeasured seconds of `op`'s load (connections opened, caches and tables warm), with indices of
/// their own: rows they insert do not collide with a measured phase's.
async fn warm_up<F, Fut>(concurrency: usize, op: F)
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send,
{
    drive("(warm-up)", concurrency, 2, move |i| op(i + (1 << 40))).await;
}

/// [`drive`], measured after a [`warm_up`] and a [`settle`].
async fn warmed<F, Fut>(
    name: &str,
    concurrency: usize,
    seconds: u64,
    pg: Option<&str>,
    op: F,
) -> anyhow::Result<Phase>
where
    F: Fn(usize) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send,
{
    warm_up(concurrency, op.clone()).await;
    settle(pg).await?;
    Ok(drive(name, concurrency, seconds, op).await)
}

async fn fresh_pg(base: &str) -> anyhow::Result<(String, String)> {
    let name = format!("dossier_bench_{:08x}", rand::random::<u32>());
    let mut admin = sqlx::PgConnection::connect(&format!("{base}/postgres")).await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await?;
    Ok((format!("{base}/{name}"), name))
}

async fn drop_pg(base: &str, name: &str) {
    if let Ok(mut admin) = sqlx::PgConnection::connect(&format!("{base}/postgres")).await {
        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&mut admin)
        .await;
    }
}

/// A receiver that answers 204 at once and notes when each event arrived.
async fn receiver() -> anyhow::Result<(String, Arc<Mutex<Vec<(String, jiff::Timestamp)>>>)> {
    let got: Arc<Mutex<Vec<(String, jiff::Timestamp)>>> = Arc::default();
    let sink = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: axum::body::Bytes| {
            let sink = sink.clone();
            async move {
                let now = jiff::Timestamp::now();
                if let Ok(v) = serde_json::from_slice::<Value>(&body)
                    && let Some(created) = v["created_at"].as_str()
                {
                    sink.lock().unwrap().push((created.to_string(), now));
                }
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hook", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((url, got))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let args = Args::parse();
    let sqlite = args.backend == "sqlite";
    let pg = (!sqlite).then_some(args.pg.as_str());
    if let Some(sizes) = &args.backoffice {
        return backoffice_mode(&args, sizes).await;
    }
    let dir = std::env::temp_dir().join(format!("dossier-bench-{}", rand::random::<u32>()));
    std::fs::create_dir_all(&dir)?;
    let mut store_args = vec!["--data-dir".to_string(), dir.display().to_string()];
    let mut pg_dbs = Vec::new();
    let mut pg_url = None;
    if !sqlite {
        let (url, name) = fresh_pg(&args.pg).await?;
        store_args.extend(["--database-url".to_string(), url.clone()]);
        pg_dbs.push(name);
        pg_url = Some(url);
    }
    if let Some(n) = args.portal {
        let outcome = portal(&args, store_args, n).await;
        for name in pg_dbs {
            drop_pg(&args.pg, &name).await;
        }
        let _ = std::fs::remove_dir_all(&dir);
        return outcome;
    }
    if let Some(minutes) = args.soak {
        let outcome = soak::soak(&args, store_args, &dir, pg_url.as_deref(), minutes).await;
        for name in pg_dbs {
            drop_pg(&args.pg, &name).await;
        }
        let _ = std::fs::remove_dir_all(&dir);
        return outcome;
    }
    if let Some(n) = args.storage {
        let outcome = storage(&args, store_args, &dir, pg_url.as_deref(), n).await;
        for name in pg_dbs {
            drop_pg(&args.pg, &name).await;
        }
        let _ = std::fs::remove_dir_all(&dir);
        return outcome;
    }
    let server = start(&args, store_args.clone(), true).await?;
    let key = server.api_key()?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .build()?;

    let ids: Arc<Mutex<Vec<String>>> = Arc::default();
    let (h, b, k, sink) = (http.clone(), server.base.clone(), key.clone(), ids.clone());
    let create_op = move |i: usize| -> BoxFuture {
        let (h, b, k, sink) = (h.clone(), b.clone(), k.clone(), sink.clone());
        Box::pin(async move {
            let id = create_case(&h, &b, &k, i).await;
            let created = id.is_some();
            sink.lock().unwrap().extend(id);
            created
        })
    };
    // Unmeasured: connections opened, caches and tables warm, and a stored case to size the
    // equivalent bare transaction's rows by.
    warm_up(args.concurrency, create_op.clone()).await;
    let first = ids
        .lock()
        .unwrap()
        .first()
        .cloned()
        .context("no case created")?;
    let stored_case = http
        .get(format!("{}/api/applications/{first}", server.base))
        .bearer_auth(&key)
        .send()
        .await?
        .error_for_status()?
        .text()
        .await?;
    let equivalent_url = if sqlite {
        format!("sqlite://{}?mode=rwc", dir.join("equivalent.db").display())
    } else {
        let (url, name) = fresh_pg(&args.pg).await?;
        pg_dbs.push(name);
        url
    };
    let per_statement = equivalent_op(
        &args.dossier,
        &equivalent_url,
        pg,
        args.concurrency,
        &stored_case,
        false,
    )
    .await?;
    warm_up(args.concurrency, per_statement.clone()).await;
    let mut create = Phase::empty("POST /api/applications");
    let mut equivalent =
        Phase::empty("bare insert transaction, the rows of a create (database only)");
    let (mut create_rounds, mut equivalent_rounds) = (Vec::new(), Vec::new());
    for round in 0..args.rounds.max(1) {
        let offset = round * (1 << 32);
        settle(pg).await?;
        let op = create_op.clone();
        let r = drive("", args.concurrency, args.seconds, move |i| op(offset + i)).await;
        create_rounds.push(r.rate());
        create.absorb(r);
        settle(pg).await?;
        let op = per_statement.clone();
        let r = drive("", args.concurrency, args.seconds, move |i| op(offset + i)).await;
        equivalent_rounds.push(r.rate());
        equivalent.absorb(r);
    }
    // SQLite: the same rows in one round trip to the writer's thread, on a database of their own.
    let mut one_round_trip = if sqlite {
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.join("one_round_trip.db").display()
        );
        let op = equivalent_op(
            &args.dossier,
            &url,
            None,
            args.concurrency,
            &stored_case,
            true,
        )
        .await?;
        let name =
            "bare insert transaction, the rows of a create in one round trip (database only)";
        Some(warmed(name, args.concurrency, args.seconds, None, op).await?)
    } else {
        None
    };
    let ids: Arc<Vec<String>> = Arc::new(ids.lock().unwrap().clone());
    let (h, b, k, pick) = (http.clone(), server.base.clone(), key.clone(), ids.clone());
    let mut get = drive(
        "GET /api/applications/{id}",
        args.concurrency,
        args.seconds,
        move |i| {
            let (h, b, k) = (h.clone(), b.clone(), k.clone());
            let id = pick[i % pick.len().max(1)].clone();
            async move {
                match h
                    .get(format!("{b}/api/applications/{id}"))
                    .bearer_auth(&k)
                    .send()
                    .await
                {
                    Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                    _ => false,
                }
            }
        },
    )
    .await;

    // Webhooks, latency: a fast receiver, events created one by one by 4 clients.
    let (url, got) = receiver().await?;
    http.post(format!("{}/api/webhooks", server.base))
        .bearer_auth(&key)
        .json(&json!({"url": url, "events": ["application.created"]}))
        .send()
        .await?
        .error_for_status()?;
    let (h, b, k) = (http.clone(), server.base.clone(), key.clone());
    drive("(webhook latency load)", 4, args.seconds.min(5), move |i| {
        let (h, b, k) = (h.clone(), b.clone(), k.clone());
        async move { create_case(&h, &b, &k, i).await.is_some() }
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut lags: Vec<f64> = got
        .lock()
        .unwrap()
        .drain(..)
        .filter_map(|(created, at)| {
            created
                .parse::<jiff::Timestamp>()
                .ok()
                .map(|c| at.duration_since(c).as_secs_f64() * 1000.0)
        })
        .collect();
    lags.sort_by(f64::total_cmp);
    drop(server);

    // Webhooks, throughput: queue events on an API-only node, then let a delivering node drain them.
    let api_only = start(&args, store_args.clone(), false).await?;
    let total = args.webhook_events;
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut senders = Vec::new();
    for _ in 0..args.concurrency.min(16) {
        let (h, b, k, next) = (
            http.clone(),
            api_only.base.clone(),
            key.clone(),
            next.clone(),
        );
        senders.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= total {
                    break;
                }
                create_case(&h, &b, &k, i).await;
            }
        }));
    }
    for s in senders {
        s.await?;
    }
    drop(api_only);
    let started = Instant::now();
    let server = start(&args, store_args, true).await?;
    let deadline = Instant::now() + Duration::from_secs(300);
    while got.lock().unwrap().len() < total && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let drained_in = started.elapsed();
    let delivered = got.lock().unwrap().len();
    drop(server);

    // The database alone, on a fresh database of the same kind.
    let bare_url = if sqlite {
        format!("sqlite://{}?mode=rwc", dir.join("bare.db").display())
    } else {
        let (url, name) = fresh_pg(&args.pg).await?;
        pg_dbs.push(name);
        url
    };
    let mut bare = bare_inserts(&bare_url, pg, args.concurrency, args.seconds).await?;

    println!(
        "backend: {}, {} clients, {} s per phase ({} rounds of creates and of the equivalent bare transaction), {} cores",
        args.backend,
        args.concurrency,
        args.seconds,
        args.rounds.max(1),
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );
    println!("| phase | req/s | p50 ms | p99 ms | errors |");
    println!("|---|---|---|---|---|");
    let (create_rate, bare_rate, equivalent_rate) = (create.rate(), bare.rate(), equivalent.rate());
    println!("{}", create.report());
    println!("{}", get.report());
    println!("{}", bare.report());
    println!("{}", equivalent.report());
    if let Some(phase) = one_round_trip.as_mut() {
        println!("{}", phase.report());
    }
    println!(
        "creates at {:.0}% of the equivalent bare transaction's rate ({:.0}% of the request-sized one); \
         stored case {} bytes",
        100.0 * create_rate / equivalent_rate.max(1e-9),
        100.0 * create_rate / bare_rate.max(1e-9),
        stored_case.len()
    );
    let rounds = |rates: &[f64]| {
        rates
            .iter()
            .map(|r| format!("{r:.0}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "rounds, alternating: creates {} req/s; equivalent bare transaction {} tx/s",
        rounds(&create_rounds),
        rounds(&equivalent_rounds)
    );
    let pct = |p: f64| {
        lags.get(((lags.len() as f64 * p) as usize).min(lags.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0.0)
    };
    println!(
        "webhooks: commit-to-delivery p50 {:.1} ms, p99 {:.1} ms over {} events; a backlog of {delivered}/{total} drained in {:.1} s (start-up included): {:.0} deliveries/s",
        pct(0.5),
        pct(0.99),
        lags.len(),
        drained_in.as_secs_f64(),
        delivered as f64 / drained_in.as_secs_f64()
    );
    for name in pg_dbs {
        drop_pg(&args.pg, &name).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// The back-office benchmark on a fresh database, or on the kept one (`--keep`).
async fn backoffice_mode(args: &Args, sizes: &[usize]) -> anyhow::Result<()> {
    let sqlite = args.backend == "sqlite";
    let (dir, pg_name) = match &args.keep {
        Some(name) => (
            std::env::temp_dir().join(format!("dossier-bench-keep-{name}")),
            format!("dossier_bench_keep_{name}"),
        ),
        None => {
            let tag = rand::random::<u32>();
            (
                std::env::temp_dir().join(format!("dossier-bench-{tag}")),
                format!("dossier_bench_{tag:08x}"),
            )
        }
    };
    std::fs::create_dir_all(&dir)?;
    let mut store_args = vec!["--data-dir".to_string(), dir.display().to_string()];
    let store = if sqlite {
        backoffice::Store::Sqlite(dir.join("dossier.db").display().to_string())
    } else {
        let mut admin = sqlx::PgConnection::connect(&format!("{}/postgres", args.pg)).await?;
        let exists: Option<i32> =
            sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
                .bind(&pg_name)
                .fetch_optional(&mut admin)
                .await?;
        if exists.is_none() {
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {pg_name}")))
                .execute(&mut admin)
                .await?;
        }
        let url = format!("{}/{pg_name}", args.pg);
        store_args.extend(["--database-url".to_string(), url.clone()]);
        backoffice::Store::Postgres(url)
    };
    let outcome = backoffice::run(args, store_args, store, sizes).await;
    if args.keep.is_none() {
        if !sqlite {
            drop_pg(&args.pg, &pg_name).await;
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    outcome
}

/// The README's business case ("A five-minute tour"), numbered so that each is its own.
/// A key for the server's workspace, with the custom field the README's case carries defined.
async fn readme_workspace(server: &Server, http: &reqwest::Client) -> anyhow::Result<String> {
    let key = server.api_key()?;
    http.post(format!("{}/api/custom_fields", server.base))
        .bearer_auth(&key)
        .json(&json!({"api_name": "account_id", "label": "Account id", "type": "text"}))
        .send()
        .await?
        .error_for_status()?;
    Ok(key)
}

fn readme_case(i: usize) -> Value {
    json!({
        "type": "business",
        "business": {"name": format!("Acme Logistics SAS {i}"), "registration_number": format!("{i:09}"), "country": "FR"},
        "relationships": [
            {"kind": "person", "roles": ["director", "signatory"],
             "person": {"first_name": "Claire", "last_name": "Martin", "nationality": "FR"}},
            {"kind": "business", "roles": ["shareholder"], "ownership_percentage": 100,
             "business": {"name": "Acme Holding BV", "country": "NL"},
             "relationships": [{"kind": "person", "roles": ["ubo"], "ownership_percentage": 60,
                                "person": {"first_name": "Jan", "last_name": "de Vries"}}]}],
        "custom_fields": {"account_id": format!("acc_{i}")},
        "external_id": format!("crm-{i}")
    })
}

/// The database's size in bytes: SQLite after a checkpoint that empties the WAL into the file (pages
/// in use: `page_count - freelist_count`); PostgreSQL the sum of `pg_total_relation_size` (table,
/// TOAST and indexes) of every table of the schema, after a CHECKPOINT.
async fn database_bytes(dir: &std::path::Path, pg_url: Option<&str>) -> anyhow::Result<i64> {
    sqlx::any::install_default_drivers();
    match pg_url {
        Some(url) => {
            let mut conn = sqlx::PgConnection::connect(url).await?;
            sqlx::raw_sql("CHECKPOINT").execute(&mut conn).await?;
            let bytes: i64 = sqlx::query_scalar(
                "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::BIGINT FROM pg_class c \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE c.relkind = 'r' AND n.nspname = 'public'",
            )
            .fetch_one(&mut conn)
            .await?;
            Ok(bytes)
        }
        None => {
            let url = format!("sqlite://{}", dir.join("dossier.db").display());
            let mut conn = sqlx::SqliteConnection::connect(&url).await?;
            sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&mut conn)
                .await?;
            let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
                .fetch_one(&mut conn)
                .await?;
            let free: i64 = sqlx::query_scalar("PRAGMA freelist_count")
                .fetch_one(&mut conn)
                .await?;
            let size: i64 = sqlx::query_scalar("PRAGMA page_size")
                .fetch_one(&mut conn)
                .await?;
            Ok((pages - free) * size)
        }
    }
}

/// The storage benchmark: `n` README business cases created, then one field of each PATCHed
/// (`business.website`), by 8 clients; the database's growth per create and per PATCH.
async fn storage(
    args: &Args,
    store_args: Vec<String>,
    dir: &std::path::Path,
    pg_url: Option<&str>,
    n: usize,
) -> anyhow::Result<()> {
    let server = start(args, store_args, false).await?;
    let http = reqwest::Client::new();
    let key = readme_workspace(&server, &http).await?;
    let clients = 8;
    let run = |op: Arc<dyn Fn(usize) -> BoxFuture + Send + Sync>| async move {
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..clients {
            let (op, next) = (op.clone(), next.clone());
            tasks.push(tokio::spawn(async move {
                let mut failed = 0;
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= n {
                        return failed;
                    }
                    if !op(i).await {
                        failed += 1;
                    }
                }
            }));
        }
        let mut failed = 0;
        for t in tasks {
            failed += t.await.unwrap_or(1);
        }
        failed
    };
    let ids: Arc<Mutex<Vec<Option<String>>>> = Arc::new(Mutex::new(vec![None; n]));
    let start_bytes = database_bytes(dir, pg_url).await?;
    let start_parts = pg_parts(pg_url).await?;
    let (h, b, k, sink) = (http.clone(), server.base.clone(), key.clone(), ids.clone());
    let started = Instant::now();
    let failed_creates = run(Arc::new(move |i| -> BoxFuture {
        let (h, b, k, sink) = (h.clone(), b.clone(), k.clone(), sink.clone());
        Box::pin(async move {
            let Ok(r) = h
                .post(format!("{b}/api/applications"))
                .bearer_auth(&k)
                .json(&readme_case(i))
                .send()
                .await
            else {
                return false;
            };
            if r.status().as_u16() != 201 {
                return false;
            }
            let id = r
                .json::<Value>()
                .await
                .ok()
                .and_then(|v| v["id"].as_str().map(str::to_string));
            let ok = id.is_some();
            sink.lock().unwrap()[i] = id;
            ok
        })
    }))
    .await;
    let create_secs = started.elapsed().as_secs_f64();
    let created_bytes = database_bytes(dir, pg_url).await?;
    let created_parts = pg_parts(pg_url).await?;
    let ids: Arc<Vec<String>> = Arc::new(ids.lock().unwrap().iter().flatten().cloned().collect());
    anyhow::ensure!(!ids.is_empty(), "no case was created");
    let (h, b, k, pick) = (http.clone(), server.base.clone(), key.clone(), ids.clone());
    let started = Instant::now();
    let failed_patches = run(Arc::new(move |i| -> BoxFuture {
        let (h, b, k) = (h.clone(), b.clone(), k.clone());
        let id = pick[i % pick.len().max(1)].clone();
        Box::pin(async move {
            matches!(
                h.patch(format!("{b}/api/applications/{id}"))
                    .bearer_auth(&k)
                    .json(&json!({"business": {"website": format!("https://acme{i}.example")}}))
                    .send()
                    .await,
                Ok(r) if r.status().is_success()
            )
        })
    }))
    .await;
    let patch_secs = started.elapsed().as_secs_f64();
    let patched_bytes = database_bytes(dir, pg_url).await?;
    let patched_parts = pg_parts(pg_url).await?;
    let stored = http
        .get(format!("{}/api/applications/{}", server.base, ids[0]))
        .bearer_auth(&key)
        .send()
        .await?
        .text()
        .await?;
    drop(server);
    let kb = |bytes: i64, count: usize| bytes as f64 / count.max(1) as f64 / 1024.0;
    let backend = store_backend(args);
    println!(
        "storage, backend {}: {n} README business cases (stored case {} bytes, {} {} bytes), {clients} clients",
        args.backend,
        stored.len(),
        dossier_store::version_encoding(backend),
        dossier_store::encode_version(backend, &stored).len()
    );
    println!(
        "per create: {:.1} KB ({:.0} creates/s, {failed_creates} failed); per one-field PATCH: {:.1} KB ({:.0} PATCH/s, {failed_patches} failed)",
        kb(created_bytes - start_bytes, n),
        n as f64 / create_secs,
        kb(patched_bytes - created_bytes, n),
        n as f64 / patch_secs,
    );
    for (step, before, after) in [
        ("create", &start_parts, &created_parts),
        ("PATCH", &created_parts, &patched_parts),
    ] {
        let mut grown: Vec<(String, f64)> = after
            .iter()
            .map(|(part, b)| (part.clone(), kb(b - before.get(part).unwrap_or(&0), n)))
            .filter(|(_, grown)| *grown >= 0.05)
            .collect();
        grown.sort_by(|a, b| b.1.total_cmp(&a.1));
        if !grown.is_empty() {
            let parts: Vec<String> = grown.iter().map(|(p, k)| format!("{p} {k:.2}")).collect();
            println!("  per {step}, KB by part: {}", parts.join(", "));
        }
    }
    Ok(())
}

/// PostgreSQL only: the bytes of each table's heap, TOAST and indexes (after the CHECKPOINT
/// [`database_bytes`] makes), to tell what a step's growth is made of.
async fn pg_parts(pg_url: Option<&str>) -> anyhow::Result<std::collections::BTreeMap<String, i64>> {
    let mut parts = std::collections::BTreeMap::new();
    let Some(url) = pg_url else {
        return Ok(parts);
    };
    let mut conn = sqlx::PgConnection::connect(url).await?;
    let rows: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT c.relname::TEXT, pg_relation_size(c.oid)::BIGINT, \
         COALESCE(pg_total_relation_size(NULLIF(c.reltoastrelid, 0)), 0)::BIGINT, \
         pg_indexes_size(c.oid)::BIGINT FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind = 'r' AND n.nspname = 'public'",
    )
    .fetch_all(&mut conn)
    .await?;
    for (table, heap, toast, indexes) in rows {
        parts.insert(format!("{table} heap"), heap);
        parts.insert(format!("{table} toast"), toast);
        parts.insert(format!("{table} indexes"), indexes);
    }
    Ok(parts)
}

/// The p-quantile of sorted values.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    sorted
        .get(((sorted.len() as f64 * p) as usize).min(sorted.len().saturating_sub(1)))
        .copied()
        .unwrap_or(0.0)
}

/// A step of a portal walk: its name, its URL, and its form fields if it is a post.
type Step<'a> = (&'static str, &'a str, Option<Vec<(&'static str, String)>>);

/// One client through an onboarding portal, as a browser without JavaScript does it; the time of
/// each request by step, and when its submit was answered.
async fn walk_portal(
    base: &str,
    key: &str,
    i: usize,
) -> anyhow::Result<(Vec<(&'static str, f64)>, jiff::Timestamp)> {
    // A client of its own: its own cookie, redirects not followed (each step is timed alone).
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let portal: Value = http
        .post(format!("{base}/api/portals"))
        .bearer_auth(key)
        .json(&json!({"type": "business", "default_custom_fields": {}}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let link = portal["link"].as_str().context("no link")?.to_string();
    let mut times = Vec::new();
    let mut cookie = String::new();
    let mut csrf = String::new();
    let steps: [Step<'_>; 5] = [
        ("GET /portals/{token}", &link, None),
        ("POST /portals/{token}", &link, Some(vec![])),
        ("GET /portal/details", "/portal/details", None),
        (
            "POST /portal/details",
            "/portal/details",
            Some(vec![
                ("business.name", format!("Portal Bench {i} SAS")),
                ("business.country", "FR".into()),
                ("business.registration_number", format!("RCS {i}")),
            ]),
        ),
        ("POST /portal/submit", "/portal/submit", Some(vec![])),
    ];
    for (name, path, form) in steps {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{base}{path}")
        };
        let started = std::time::Instant::now();
        let req = match form {
            None => http.get(&url),
            Some(mut fields) => {
                if !csrf.is_empty() {
                    fields.push(("_csrf", csrf.clone()));
                }
                http.post(&url)
                    .header("origin", base)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(serde_urlencoded::to_string(&fields)?)
            }
        };
        let req = if cookie.is_empty() {
            req
        } else {
            req.header("cookie", &cookie)
        };
        let resp = req.send().await?;
        if let Some(c) = resp.headers().get("set-cookie") {
            cookie = c
                .to_str()?
                .split(';')
                .next()
                .unwrap_or_default()
                .to_string();
        }
        let status = resp.status();
        let text = resp.text().await?;
        times.push((name, started.elapsed().as_secs_f64() * 1000.0));
        if !(status.is_success() || status.is_redirection()) {
            bail!("{name}: {status}");
        }
        if let Some(at) = text.find("name=\"_csrf\" value=\"") {
            csrf = text[at + 20..]
                .split('"')
                .next()
                .unwrap_or_default()
                .to_string();
        }
    }
    Ok((times, jiff::Timestamp::now()))
}

/// The portal benchmark (see `--portal`).
async fn portal(args: &Args, store_args: Vec<String>, clients: usize) -> anyhow::Result<()> {
    let server = start(args, store_args, true).await?;
    let key = server.api_key()?;
    let http = reqwest::Client::new();

    // The first page a client sees, with everything it loads.
    let portal: Value = http
        .post(format!("{}/api/portals", server.base))
        .bearer_auth(&key)
        .json(&json!({}))
        .send()
        .await?
        .json()
        .await?;
    let page = http
        .get(portal["link"].as_str().context("no link")?)
        .send()
        .await?
        .text()
        .await?;
    let mut bytes = page.len();
    for asset in page.split("\"/assets/").skip(1) {
        let path = asset.split('"').next().unwrap_or_default();
        bytes += http
            .get(format!("{}/assets/{path}", server.base))
            .send()
            .await?
            .bytes()
            .await?
            .len();
    }
    println!(
        "first portal page: {:.1} KB with its assets ({} B HTML)",
        bytes as f64 / 1024.0,
        page.len()
    );

    let (url, got) = receiver().await?;
    http.post(format!("{}/api/webhooks", server.base))
        .bearer_auth(&key)
        .json(&json!({"url": url, "events": ["application.submitted"]}))
        .send()
        .await?
        .error_for_status()?;
    let started = std::time::Instant::now();
    let mut by_step: std::collections::BTreeMap<&str, Vec<f64>> = Default::default();
    let mut submitted_at = Vec::new();
    let base = server.base.clone();
    let mut done = 0;
    while done < clients {
        let batch = args.concurrency.min(clients - done);
        let walks: Vec<_> = (done..done + batch)
            .map(|i| {
                let (base, key) = (base.clone(), key.clone());
                tokio::spawn(async move { walk_portal(&base, &key, i).await })
            })
            .collect();
        for w in walks {
            let (times, at) = w.await??;
            for (name, ms) in times {
                by_step.entry(name).or_default().push(ms);
            }
            submitted_at.push(at);
        }
        done += batch;
    }
    let elapsed = started.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    println!(
        "{clients} clients through the portal, {} at a time, in {:.1} s\n",
        args.concurrency,
        elapsed.as_secs_f64()
    );
    println!("| step | p50 ms | p99 ms |");
    println!("|---|---|---|");
    for (name, mut ms) in by_step {
        ms.sort_by(f64::total_cmp);
        println!(
            "| `{name}` | {:.1} | {:.1} |",
            quantile(&ms, 0.5),
            quantile(&ms, 0.99)
        );
    }
    let mut lags: Vec<f64> = got
        .lock()
        .unwrap()
        .iter()
        .filter_map(|(created, at)| {
            created
                .parse::<jiff::Timestamp>()
                .ok()
                .map(|c| at.duration_since(c).as_secs_f64() * 1000.0)
        })
        .collect();
    lags.sort_by(f64::total_cmp);
    println!(
        "\napplication.submitted: commit-to-delivery p50 {:.1} ms, p99 {:.1} ms ({} of {clients} delivered)",
        quantile(&lags, 0.5),
        quantile(&lags, 0.99),
        lags.len()
    );
    Ok(())
}
