//! Dossier's background workers, in one place: webhook delivery ([`webhooks`]), the screening
//! queue ([`screening`]), the watchlist refresher ([`watchlists`]) and, on SQLite, the case search
//! index ([`case_search`]). Each is a loop around the application layer; [`Workers::start`] runs
//! the ones the configuration turns on.

pub mod case_search;
pub mod screening;
pub mod watchlists;
pub mod webhooks;

use std::sync::Arc;
use std::time::Duration;

use dossier_app::App;
use dossier_app::screening::queue::Screener;
use tokio::task::JoinHandle;

/// The workers running in this process.
pub struct Workers {
    app: App,
    delivery: Option<JoinHandle<()>>,
    refresher: Option<(JoinHandle<()>, String)>,
    screener: Option<JoinHandle<()>>,
    indexer: Option<JoinHandle<()>>,
}

impl Workers {
    /// Starts the workers the configuration turns on (all by default).
    pub fn start(app: &App) -> anyhow::Result<Self> {
        let config = &app.config;
        let dispatcher = Arc::new(webhooks::Dispatcher::new(app.store.clone(), config)?);
        let delivery = config
            .webhooks
            .delivery
            .then(|| tokio::spawn(dispatcher.run()));
        let refresher = watchlists::Refresher::new(app.store.clone(), config)?;
        let owner = refresher.owner().to_string();
        let refresher = (config.watchlists.refresh && !refresher.sources().is_empty())
            .then(|| (tokio::spawn(refresher.run()), owner));
        let screener = config.screening.worker.then(|| {
            let screener = Screener {
                store: app.store.clone(),
                index: app.screening.clone(),
                default_threshold: config.screening.threshold,
            };
            tokio::spawn(screening::run(
                screener,
                Duration::from_millis(config.screening.poll_ms.max(10)),
            ))
        });
        // Always on SQLite: the index is part of the store, not a feature to turn off.
        let indexer = (app.store.backend() == dossier_store::Backend::Sqlite).then(|| {
            tokio::spawn(case_search::run(
                app.store.clone(),
                Duration::from_millis(500),
            ))
        });
        Ok(Self {
            app: app.clone(),
            delivery,
            refresher,
            screener,
            indexer,
        })
    }

    /// Stops every worker. Deliveries in flight are abandoned with their lease (sent again after a
    /// restart); a screening in flight is rolled back (its queue row stays); a refresh cut short
    /// stores nothing and its lease is released so the next start retries at once.
    pub async fn stop(self) {
        if let Some(w) = self.delivery {
            w.abort();
        }
        if let Some((r, owner)) = self.refresher {
            r.abort();
            let _ = r.await;
            if let Err(e) = self
                .app
                .store
                .release_watchlist_refresh_leases(&owner)
                .await
            {
                tracing::warn!(error = %e, "could not release the watchlist refresh leases");
            }
        }
        if let Some(s) = self.screener {
            s.abort();
        }
        // A batch cut short rolls back; its cases stay marked.
        if let Some(i) = self.indexer {
            i.abort();
        }
    }
}
