//! Schema migrations, embedded in the binary: one folder per dialect, the same versions in both.

use sqlx::AssertSqlSafe;

use crate::{Backend, Result, Store, now};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sqlite: include_str!("../migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("../migrations/postgres/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "webhooks",
        sqlite: include_str!("../migrations/sqlite/0002_webhooks.sql"),
        postgres: include_str!("../migrations/postgres/0002_webhooks.sql"),
    },
    Migration {
        version: 3,
        name: "workflow",
        sqlite: include_str!("../migrations/sqlite/0003_workflow.sql"),
        postgres: include_str!("../migrations/postgres/0003_workflow.sql"),
    },
    Migration {
        version: 4,
        name: "watchlists",
        sqlite: include_str!("../migrations/sqlite/0004_watchlists.sql"),
        postgres: include_str!("../migrations/postgres/0004_watchlists.sql"),
    },
    Migration {
        version: 5,
        name: "screening_settings",
        sqlite: include_str!("../migrations/sqlite/0005_screening_settings.sql"),
        postgres: include_str!("../migrations/postgres/0005_screening_settings.sql"),
    },
    Migration {
        version: 6,
        name: "screening_queue",
        sqlite: include_str!("../migrations/sqlite/0006_screening_queue.sql"),
        postgres: include_str!("../migrations/postgres/0006_screening_queue.sql"),
    },
    Migration {
        version: 7,
        name: "watchlist_refresh",
        sqlite: include_str!("../migrations/sqlite/0007_watchlist_refresh.sql"),
        postgres: include_str!("../migrations/postgres/0007_watchlist_refresh.sql"),
    },
    Migration {
        version: 8,
        name: "audit_chains",
        sqlite: include_str!("../migrations/sqlite/0008_audit_chains.sql"),
        postgres: include_str!("../migrations/postgres/0008_audit_chains.sql"),
    },
    Migration {
        version: 9,
        name: "event_notify_trigger",
        sqlite: include_str!("../migrations/sqlite/0009_event_notify_trigger.sql"),
        postgres: include_str!("../migrations/postgres/0009_event_notify_trigger.sql"),
    },
    Migration {
        version: 10,
        name: "settings_version",
        sqlite: include_str!("../migrations/sqlite/0010_settings_version.sql"),
        postgres: include_str!("../migrations/postgres/0010_settings_version.sql"),
    },
    Migration {
        version: 11,
        name: "roles",
        sqlite: include_str!("../migrations/sqlite/0011_roles.sql"),
        postgres: include_str!("../migrations/postgres/0011_roles.sql"),
    },
];

impl Store {
    /// Applies the migrations not yet applied, each in its own transaction. Safe to run from several
    /// processes at once: PostgreSQL serialises them with an advisory lock, SQLite with its write lock.
    pub async fn migrate(&self) -> Result<Vec<i64>> {
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
        for m in MIGRATIONS.iter().filter(|m| !applied.contains(&m.version)) {
            let sql = match self.backend {
                Backend::Sqlite => m.sqlite,
                Backend::Postgres => m.postgres,
            };
            sqlx::raw_sql(AssertSqlSafe(sql))
                .execute(tx.conn().await?)
                .await?;
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
