//! Schema migrations, embedded in the binary: one folder per dialect, the same versions in both.

use std::future::Future;
use std::pin::Pin;

use dossier_domain::application::Application;
use dossier_domain::audit::Actor;
use sqlx::{AssertSqlSafe, Row};

use crate::{Backend, Result, Store, Tx, corrupt, now};

/// A step of a migration that SQL alone cannot do (hashing, compressing), run in the migration's
/// transaction after its SQL.
type RustStep = for<'a> fn(&'a mut Tx) -> Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>>;

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
    rust: Option<RustStep>,
}

/// The newest schema version this build knows.
pub const LATEST: i64 = 17;

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sqlite: include_str!("../migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("../migrations/postgres/0001_foundation.sql"),
        rust: None,
    },
    Migration {
        version: 2,
        name: "webhooks",
        sqlite: include_str!("../migrations/sqlite/0002_webhooks.sql"),
        postgres: include_str!("../migrations/postgres/0002_webhooks.sql"),
        rust: None,
    },
    Migration {
        version: 3,
        name: "workflow",
        sqlite: include_str!("../migrations/sqlite/0003_workflow.sql"),
        postgres: include_str!("../migrations/postgres/0003_workflow.sql"),
        rust: None,
    },
    Migration {
        version: 4,
        name: "watchlists",
        sqlite: include_str!("../migrations/sqlite/0004_watchlists.sql"),
        postgres: include_str!("../migrations/postgres/0004_watchlists.sql"),
        rust: None,
    },
    Migration {
        version: 5,
        name: "screening_settings",
        sqlite: include_str!("../migrations/sqlite/0005_screening_settings.sql"),
        postgres: include_str!("../migrations/postgres/0005_screening_settings.sql"),
        rust: None,
    },
    Migration {
        version: 6,
        name: "screening_queue",
        sqlite: include_str!("../migrations/sqlite/0006_screening_queue.sql"),
        postgres: include_str!("../migrations/postgres/0006_screening_queue.sql"),
        rust: None,
    },
    Migration {
        version: 7,
        name: "watchlist_refresh",
        sqlite: include_str!("../migrations/sqlite/0007_watchlist_refresh.sql"),
        postgres: include_str!("../migrations/postgres/0007_watchlist_refresh.sql"),
        rust: None,
    },
    Migration {
        version: 8,
        name: "audit_chains",
        sqlite: include_str!("../migrations/sqlite/0008_audit_chains.sql"),
        postgres: include_str!("../migrations/postgres/0008_audit_chains.sql"),
        rust: None,
    },
    Migration {
        version: 9,
        name: "event_notify_trigger",
        sqlite: include_str!("../migrations/sqlite/0009_event_notify_trigger.sql"),
        postgres: include_str!("../migrations/postgres/0009_event_notify_trigger.sql"),
        rust: None,
    },
    Migration {
        version: 10,
        name: "settings_version",
        sqlite: include_str!("../migrations/sqlite/0010_settings_version.sql"),
        postgres: include_str!("../migrations/postgres/0010_settings_version.sql"),
        rust: None,
    },
    Migration {
        version: 11,
        name: "roles",
        sqlite: include_str!("../migrations/sqlite/0011_roles.sql"),
        postgres: include_str!("../migrations/postgres/0011_roles.sql"),
        rust: None,
    },
    Migration {
        version: 12,
        name: "application_versions",
        sqlite: include_str!("../migrations/sqlite/0012_application_versions.sql"),
        postgres: include_str!("../migrations/postgres/0012_application_versions.sql"),
        rust: Some(|tx| Box::pin(cases_become_versions(tx))),
    },
    Migration {
        version: 13,
        name: "portals",
        sqlite: include_str!("../migrations/sqlite/0013_portals.sql"),
        postgres: include_str!("../migrations/postgres/0013_portals.sql"),
        rust: None,
    },
    Migration {
        version: 14,
        name: "users",
        sqlite: include_str!("../migrations/sqlite/0014_users.sql"),
        postgres: include_str!("../migrations/postgres/0014_users.sql"),
        rust: None,
    },
    Migration {
        version: 15,
        name: "case_lists",
        sqlite: include_str!("../migrations/sqlite/0015_case_lists.sql"),
        postgres: include_str!("../migrations/postgres/0015_case_lists.sql"),
        rust: Some(|tx| Box::pin(crate::case_lists::backfill(tx))),
    },
    Migration {
        version: 16,
        name: "case_search",
        sqlite: include_str!("../migrations/sqlite/0016_case_search.sql"),
        postgres: include_str!("../migrations/postgres/0016_case_search.sql"),
        rust: None,
    },
    Migration {
        version: 17,
        name: "case_search_trigrams",
        sqlite: include_str!("../migrations/sqlite/0017_case_search_trigrams.sql"),
        postgres: include_str!("../migrations/postgres/0017_case_search_trigrams.sql"),
        rust: None,
    },
];

/// Migration 0012: each existing case becomes its version 1 (the document with `"version": 1`,
/// compressed and hashed, dated its `updated_at`, written by the system as `migration`), and its
/// row's `data` is emptied. Pages of 200 cases, so memory stays flat on a large database.
async fn cases_become_versions(tx: &mut Tx) -> Result<()> {
    let actor = Actor {
        id: "migration".into(),
        ..Actor::system()
    };
    loop {
        let rows = sqlx::query(
            "SELECT workspace_id, id, data FROM applications WHERE data <> '' ORDER BY id LIMIT 200",
        )
        .fetch_all(tx.conn().await?)
        .await?;
        if rows.is_empty() {
            return Ok(());
        }
        for r in &rows {
            let (ws, id, data): (String, String, String) = (r.get(0), r.get(1), r.get(2));
            let mut app: Application =
                serde_json::from_str(&data).map_err(|e| corrupt("application", e))?;
            app.version = 1;
            let text = serde_json::to_string(&app).expect("an application serialises");
            tx.insert_version(
                &ws,
                &id,
                1,
                &crate::timestamp(app.updated_at),
                &actor,
                &text,
            )
            .await?;
            sqlx::query(
                "UPDATE applications SET version = 1, data = '' WHERE workspace_id = $1 AND id = $2",
            )
            .bind(&ws)
            .bind(&id)
            .execute(tx.conn().await?)
            .await?;
        }
        // What the migration stored is no transaction's version of a case (no audit entry here).
        tx.versions_written.clear();
    }
}

impl Store {
    /// Applies the migrations not yet applied, each in its own transaction. Safe to run from several
    /// processes at once: PostgreSQL serialises them with an advisory lock, SQLite with its write lock.
    pub async fn migrate(&self) -> Result<Vec<i64>> {
        self.migrate_to(LATEST).await
    }

    /// Applies the pending migrations up to `version` included (tests build databases at an older
    /// schema with it; see [`Store::open_at_version`]).
    pub async fn migrate_to(&self, version: i64) -> Result<Vec<i64>> {
        let mut tx = self.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(7305126374)")
                .execute(tx.conn().await?)
                .await?;
        }
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS schema_migrations \
             (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )
        .execute(tx.conn().await?)
        .await?;
        let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations")
            .fetch_all(tx.conn().await?)
            .await?;
        let mut done = Vec::new();
        for m in MIGRATIONS
            .iter()
            .filter(|m| m.version <= version && !applied.contains(&m.version))
        {
            let sql = match self.backend {
                Backend::Sqlite => m.sqlite,
                Backend::Postgres => m.postgres,
            };
            sqlx::raw_sql(AssertSqlSafe(sql))
                .execute(tx.conn().await?)
                .await?;
            if let Some(step) = m.rust {
                step(&mut tx).await?;
            }
            sqlx::query(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            )
            .bind(m.version)
            .bind(m.name)
            .bind(now())
            .execute(tx.conn().await?)
            .await?;
            done.push(m.version);
        }
        tx.commit().await?;
        Ok(done)
    }
}
