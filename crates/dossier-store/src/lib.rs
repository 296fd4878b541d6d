//! Dossier's persistence: one storage API over SQLite (the zero-setup default) and PostgreSQL (for
//! several stateless nodes). SQL is written once where the dialects agree (`$1` placeholders, TEXT
//! timestamps, BIGINT integers) and per dialect only where they must differ.
//!
//! Every write goes through a [`Tx`]: the change, its event row (the outbox) and its audit entry
//! commit together or not at all.

mod api_keys;
mod applications;
mod audit;
mod backup;
mod case_lists;
mod comments;
mod custom_fields;
mod documents;
mod events;
mod fast_reads;
mod idempotency;
mod migrate;
mod portals;
mod risk_history;
mod screening_queue;
mod settings;
mod templates;
mod tx;
mod users;
mod versions;
mod watchlist_refresh;
mod watchlists;
mod web_sessions;
mod webhooks;
mod workspaces;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Connection, Executor};
use tokio::sync::Notify;

pub use api_keys::{ApiKey, NewKey, hash_secret};
pub use applications::ApplicationFilter;
pub use audit::{AuditEntry, ChainBreak};
pub use backup::{DocumentFile, Inventory, PostgresSnapshot, postgres_is_empty};
pub use case_lists::{
    AssigneeFilter, CaseList, CaseQuery, CaseRow, CaseSort, DayDecisions, MAX_LIMIT,
    StatusRiskCount, TaskList, TaskRow, Waiting, WaitingSide,
};
pub use comments::Comment;
pub use documents::Document;
pub use events::{Event, EventFilter, TEST_EVENT};
pub use idempotency::IdempotentResponse;
/// The newest schema version this build knows.
pub use migrate::LATEST as LATEST_VERSION;
pub use portals::{PortalFilter, PortalRow};
pub use risk_history::RiskHistoryEntry;
pub use screening_queue::{QueuedScreening, StoredCase};
pub use settings::Settings;
pub use templates::StoredTemplate;
pub use tx::Tx;
pub use users::{Throttle, User};
pub use versions::{
    VersionInfo, encode as encode_version, encoding as version_encoding, retained_stub,
};
pub use watchlist_refresh::WatchlistRefreshState;
pub use watchlists::{WatchlistEntityRow, WatchlistSnapshot};
pub use web_sessions::WebSession;
pub use webhooks::{
    Attempt, AttemptOutcome, ClaimedDelivery, Delivery, UNFINISHED_ATTEMPT, WebhookEndpoint,
};
pub use workspaces::Workspace;

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// How to open the store.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// `sqlite://path/to/file.db` or `postgres://…`.
    pub url: String,
    /// Connections for reads (SQLite) or for everything (PostgreSQL).
    pub max_connections: u32,
}

/// How Dossier sets up its connection pools (public so the benchmark's bare-database phase uses the
/// very same set-up). SQLite connections get WAL, whose readers run beside the writer;
/// `synchronous = NORMAL`, durable across process crashes (a power loss may drop the last commits);
/// a 32 MiB page cache and reads through a memory map of up to 256 MiB (a case is ~10 KB, spread
/// over overflow pages: fewer read calls).
///
/// sqlx pings a connection on every acquire by default: one more round trip per query on PostgreSQL
/// and one more hop to the connection's thread on SQLite. A connection in steady use has just proved
/// itself (sqlx also tests it on release), so only one idle for a while — which a database restart
/// may have cut — is pinged before use.
pub fn pool_options(backend: Backend, max_connections: u32) -> AnyPoolOptions {
    let options = AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(30))
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for > Duration::from_secs(10) {
                    conn.ping().await?;
                }
                Ok(true)
            })
        });
    options.after_connect(move |conn, _| Box::pin(prepare_connection(conn, backend)))
}

/// What every new connection gets before its first query (see [`pool_options`]).
pub(crate) async fn prepare_connection(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
) -> Result<(), sqlx::Error> {
    if backend == Backend::Sqlite {
        conn.execute(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
             PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; \
             PRAGMA cache_size = -32768; PRAGMA mmap_size = 268435456;",
        )
        .await?;
    }
    Ok(())
}

/// The database, with a pool for reads and one for writes. On SQLite the write pool holds a single
/// connection: SQLite has one writer at a time anyway, and queueing in the pool is cheaper and fairer
/// than spinning on `SQLITE_BUSY`. On PostgreSQL both are the same pool.
#[derive(Clone)]
pub struct Store {
    read: AnyPool,
    write: AnyPool,
    backend: Backend,
    url: String,
    /// Woken after a commit that wrote events (in-process wake-up of the event workers).
    events_committed: Arc<Notify>,
    /// Settings cases are evaluated with, kept per settings version (see `settings`).
    settings: Arc<settings::SettingsCache>,
    /// Connections for the reads every request makes (`fast_reads.rs`).
    fast: Arc<fast_reads::FastReads>,
}

/// Connections [`fast_reads`] keeps open at most, per process.
const FAST_READ_CONNECTIONS: usize = 4;

impl Store {
    /// Connects and runs pending migrations.
    pub async fn open(config: &StoreConfig) -> Result<Self> {
        Self::open_at_version(config, migrate::LATEST).await
    }

    /// Connects and migrates up to schema `version` only: for tests of a migration, which build a
    /// database at the schema before it. [`Store::migrate`] brings it up to date.
    pub async fn open_at_version(config: &StoreConfig, version: i64) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend =
            if config.url.starts_with("postgres:") || config.url.starts_with("postgresql:") {
                Backend::Postgres
            } else if config.url.starts_with("sqlite:") {
                Backend::Sqlite
            } else {
                return Err(StoreError::Database(sqlx::Error::Configuration(
                    format!(
                        "unsupported database URL `{}`: use sqlite:// or postgres://",
                        config.url
                    )
                    .into(),
                )));
            };
        let options = AnyConnectOptions::from_str(&config.url)?;
        let store = match backend {
            Backend::Sqlite => {
                let pool = |max: u32| {
                    pool_options(Backend::Sqlite, max)
                        .min_connections(1)
                        .connect_with(options.clone())
                };
                let write = pool(1).await?;
                let store = Store {
                    read: write.clone(),
                    write,
                    backend,
                    url: config.url.clone(),
                    events_committed: Arc::default(),
                    settings: Arc::default(),
                    fast: Arc::new(fast_reads::FastReads::new(
                        options.clone(),
                        backend,
                        FAST_READ_CONNECTIONS,
                    )),
                };
                store.migrate_to(version).await?;
                let read = pool(config.max_connections.max(2)).await?;
                Store { read, ..store }
            }
            Backend::Postgres => {
                let pool = pool_options(Backend::Postgres, config.max_connections.max(2))
                    .connect_with(options.clone())
                    .await?;
                let store = Store {
                    read: pool.clone(),
                    write: pool,
                    backend,
                    url: config.url.clone(),
                    events_committed: Arc::default(),
                    settings: Arc::default(),
                    fast: Arc::new(fast_reads::FastReads::new(
                        options,
                        backend,
                        FAST_READ_CONNECTIONS,
                    )),
                };
                store.migrate_to(version).await?;
                store
            }
        };
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Notified after every commit that wrote events or made deliveries due — in this process, and on
    /// PostgreSQL in every process (see [`Store::listen_for_events`]).
    pub fn events_committed(&self) -> Arc<Notify> {
        self.events_committed.clone()
    }

    /// On PostgreSQL, relays `NOTIFY dossier_events` from every process sharing the database to
    /// [`Store::events_committed`], reconnecting when the connection drops. Nothing to do on SQLite.
    pub fn listen_for_events(&self) {
        if self.backend != Backend::Postgres {
            return;
        }
        let url = self.url.clone();
        let notify = self.events_committed.clone();
        tokio::spawn(async move {
            loop {
                match sqlx::postgres::PgListener::connect(&url).await {
                    Ok(mut listener) => {
                        if let Err(e) = listener.listen("dossier_events").await {
                            tracing::warn!(error = %e, "LISTEN dossier_events failed");
                        } else {
                            // Catch up on what was committed while we were not listening.
                            notify.notify_one();
                            while listener.recv().await.is_ok() {
                                notify.notify_one();
                            }
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "cannot connect the event listener"),
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }

    /// A write transaction; it begins at its first statement (see [`Tx`]).
    pub async fn begin(&self) -> Result<Tx> {
        Ok(Tx::new(self.clone()))
    }

    pub(crate) async fn begin_now(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            // IMMEDIATE takes the write lock up front, so a transaction that reads then writes never
            // fails half-way because another process (the CLI) wrote in between.
            Backend::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.write.begin().await?,
        })
    }

    /// The pool for reads.
    pub(crate) fn reader(&self) -> &AnyPool {
        &self.read
    }

    /// The connections for the reads every request makes (see `fast_reads.rs`).
    pub(crate) fn fast_reader(&self) -> &fast_reads::FastReads {
        &self.fast
    }

    /// `true` when the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.read).await.is_ok()
    }

    /// Connections open and idle in the read pool, for metrics.
    pub fn pool_stats(&self) -> (u32, usize) {
        (self.read.size(), self.read.num_idle())
    }

    pub async fn close(&self) {
        self.fast.close().await;
        self.read.close().await;
        self.write.close().await;
    }
}

/// Now, as stored: RFC 3339 UTC with microseconds, e.g. `2026-01-02T03:04:05.123456Z`.
pub fn now() -> String {
    timestamp(jiff::Timestamp::now())
}

/// Formats a timestamp the way the store keeps them (fixed width, so text order is time order).
pub fn timestamp(t: jiff::Timestamp) -> String {
    dossier_domain::time::format(t)
}

/// Parses an RFC 3339 timestamp given by a client and returns it in stored form.
pub fn normalise_timestamp(value: &str) -> Option<String> {
    value.parse::<jiff::Timestamp>().ok().map(timestamp)
}

pub(crate) fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

/// Maps a unique-constraint violation to [`StoreError::Conflict`].
pub(crate) fn conflict_on_unique(e: sqlx::Error, what: &str) -> StoreError {
    if let sqlx::Error::Database(db) = &e
        && db.is_unique_violation()
    {
        return StoreError::Conflict(what.to_string());
    }
    StoreError::Database(e)
}
