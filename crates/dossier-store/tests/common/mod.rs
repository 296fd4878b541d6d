//! The store's own test harness: `store_test!` runs one test body against a fresh store on each
//! backend — SQLite in a new file of a fresh temp directory, and PostgreSQL in a new database on the
//! local server (`postgres://postgres@127.0.0.1:5432`, trust auth; override with `DOSSIER_TEST_PG`).
//! The store is opened (and migrated) with its public API, `Store::open`, as the server does.

#![allow(dead_code)]

use std::future::Future;
use std::path::PathBuf;

use dossier_domain::application::Application;
use dossier_domain::audit::Actor;
use dossier_store::{Backend, Store, StoreConfig, Tx, WebhookEndpoint, Workspace, now};
use sqlx::Connection;

/// `store_test!(name, |store| async move { ... })` defines the tests `name::sqlite` and
/// `name::postgres` (a module per test, since `macro_rules!` cannot make `name_sqlite`): filter with
/// `cargo test -p dossier-store name`, or `... sqlite` / `... postgres` for one backend.
macro_rules! store_test {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::common::run(dossier_store::Backend::Sqlite, $body).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::common::run(dossier_store::Backend::Postgres, $body).await;
            }
        }
    };
}

/// The local PostgreSQL server (override with `DOSSIER_TEST_PG`).
pub fn pg_base() -> String {
    std::env::var("DOSSIER_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// A fresh, empty database for one test; [`TestDb::cleanup`] removes it.
pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    dir: Option<PathBuf>,
    pg_database: Option<String>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> Self {
        Self::with_options(backend, "").await
    }

    /// A fresh database; on PostgreSQL, `options` follow `CREATE DATABASE name` (e.g. a collation).
    pub async fn with_options(backend: Backend, options: &str) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir()
                    .join(format!("dossier-store-test-{:016x}", rand::random::<u64>()));
                std::fs::create_dir_all(&dir).unwrap();
                TestDb {
                    backend,
                    url: format!("sqlite://{}?mode=rwc", dir.join("dossier.db").display()),
                    dir: Some(dir),
                    pg_database: None,
                }
            }
            Backend::Postgres => {
                let name = format!("dossier_store_test_{:016x}", rand::random::<u64>());
                let mut admin = sqlx::PgConnection::connect(&format!("{}/postgres", pg_base()))
                    .await
                    .expect("PostgreSQL must be reachable for the postgres tests (see .ci/run)");
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "CREATE DATABASE {name} {options}"
                )))
                .execute(&mut admin)
                .await
                .unwrap();
                let _ = admin.close().await;
                TestDb {
                    backend,
                    url: format!("{}/{name}", pg_base()),
                    dir: None,
                    pg_database: Some(name),
                }
            }
        }
    }

    pub async fn open(&self) -> Store {
        Store::open(&StoreConfig {
            url: self.url.clone(),
            max_connections: 8,
        })
        .await
        .expect("the store opens and migrates a fresh database")
    }

    /// The store migrated up to schema `version` only (for tests of a later migration).
    pub async fn open_at_version(&self, version: i64) -> Store {
        Store::open_at_version(
            &StoreConfig {
                url: self.url.clone(),
                max_connections: 8,
            },
            version,
        )
        .await
        .expect("the store opens and migrates a fresh database")
    }

    /// Best effort: the data of a test is of no use once it is over.
    pub async fn cleanup(self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some(name) = &self.pg_database
            && let Ok(mut admin) =
                sqlx::PgConnection::connect(&format!("{}/postgres", pg_base())).await
        {
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut admin)
            .await;
            let _ = admin.close().await;
        }
    }
}

/// Runs `body` on a fresh store of `backend`, then removes the database, and re-raises the body's
/// panic if it failed.
pub async fn run<F, Fut>(backend: Backend, body: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    run_on(TestDb::new(backend).await, body).await;
}

/// [`run`] on a database made by the caller.
pub async fn run_on<F, Fut>(db: TestDb, body: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let store = db.open().await;
    assert_eq!(store.backend(), db.backend);
    let outcome = tokio::spawn(body(store.clone())).await;
    store.close().await;
    db.cleanup().await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// [`run`] on a fresh store migrated up to schema `version` only.
pub async fn run_at_version<F, Fut>(backend: Backend, version: i64, body: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let db = TestDb::new(backend).await;
    let store = db.open_at_version(version).await;
    let outcome = tokio::spawn(body(store.clone())).await;
    store.close().await;
    db.cleanup().await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// Raw SQL on the store's database, for what the API never does (tampering with stored rows), run
/// through a write transaction's connection; the number of rows it changed.
pub async fn raw_sql(store: &Store, sql: &str) -> u64 {
    let mut tx = store.begin().await.unwrap();
    let done = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(tx.conn().await.unwrap())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    done.rows_affected()
}

/// A new case of `kind` (`business` or `person`), not stored.
pub fn new_case(kind: &str, external_id: Option<&str>) -> Application {
    let body = match kind {
        "business" => serde_json::json!({"type": "business", "business": {"name": "Acme SAS"}}),
        "person" => serde_json::json!({"type": "person", "person": {"last_name": "Doe"}}),
        other => panic!("unknown kind {other}"),
    };
    let mut new: dossier_domain::application::NewApplication =
        serde_json::from_value(body).unwrap();
    new.external_id = external_id.map(str::to_string);
    new.into_application(&[], dossier_domain::time::now())
        .expect("a valid case")
}

/// Stores `app` in `ws` with its creation audit entry, as the service does, in one transaction.
pub async fn insert_case(store: &Store, ws: &str, app: &Application) {
    let mut tx = store.begin().await.unwrap();
    insert_case_in(&mut tx, ws, app).await;
    tx.commit().await.unwrap();
}

pub async fn insert_case_in(tx: &mut Tx, ws: &str, app: &Application) {
    let data = serde_json::to_string(app).unwrap();
    tx.insert_application(ws, app, &data, &Actor::system())
        .await
        .unwrap();
    tx.audit_json(
        ws,
        &Actor::system(),
        "application.created",
        "application",
        &app.id,
        Some(&app.id),
        "[]".to_string(),
    )
    .await
    .unwrap();
}

/// Creates and stores a case of `kind`.
pub async fn create_case(store: &Store, ws: &str, kind: &str) -> Application {
    let app = new_case(kind, None);
    insert_case(store, ws, &app).await;
    app
}

pub async fn workspace(store: &Store, name: &str) -> Workspace {
    store.create_workspace(name).await.unwrap()
}

/// An enabled endpoint subscribed to `events`, stored in `ws`.
pub async fn create_endpoint(store: &Store, ws: &str, events: &[&str]) -> WebhookEndpoint {
    let at = now();
    let e = WebhookEndpoint {
        id: dossier_domain::id::new_id("whk"),
        url: "http://127.0.0.1:9/hook".into(),
        events: events.iter().map(|e| e.to_string()).collect(),
        description: None,
        enabled: true,
        disabled_reason: None,
        created_at: at.clone(),
        updated_at: at,
        secret: "whsec_test".into(),
        previous_secret: None,
        previous_secret_until: None,
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_webhook_endpoint(ws, &e).await.unwrap();
    tx.commit().await.unwrap();
    e
}

/// Emits an event of `event_type` in `ws` (fanned out to the subscribed endpoints); its id.
pub async fn emit(
    store: &Store,
    ws: &str,
    event_type: &str,
    application_id: Option<&str>,
) -> String {
    let mut tx = store.begin().await.unwrap();
    let id = tx
        .emit(ws, event_type, application_id, &serde_json::json!({"n": 1}))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

/// A stored timestamp `secs` seconds from now (negative: in the past).
pub fn from_now(secs: i64) -> String {
    dossier_store::timestamp(jiff::Timestamp::now() + jiff::SignedDuration::from_secs(secs))
}
