//! Dossier's application layer: every use case — cases and their parties, documents, tasks, risk,
//! decisions, templates, custom fields, webhook endpoints, screening, watchlist imports — behind one
//! [`App`], acting for one [`Principal`] and failing with one [`AppError`]. The JSON API, the pages,
//! the workers and the CLI all call it; it knows nothing of HTTP servers.

pub mod applications;
pub mod config;
pub mod custom_fields;
pub mod documents;
pub mod error;
pub mod events;
pub mod principal;
pub mod relationships;
pub mod screening;
pub mod templates;
pub mod verification;
pub mod versions;
pub mod watchlists;
pub mod webhooks;
pub mod workflow;
pub mod write;

use std::sync::Arc;

use dossier_store::Store;
use object_store::ObjectStore;
use object_store::local::LocalFileSystem;

pub use config::Config;
pub use error::{AppError, AppResult};
pub use principal::Principal;
pub use write::{Idempotency, JsonText, Outcome, Written};

/// What every use case can reach: the store, the configuration, the document contents and the
/// screening index. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub config: Arc<Config>,
    /// Where document contents live (a directory under the data dir).
    pub documents: Arc<dyn ObjectStore>,
    /// The in-memory watchlist search index (rebuilt when a new snapshot is imported).
    pub screening: Arc<screening::ScreeningIndex>,
}

impl App {
    /// Fails when the documents directory cannot be created.
    pub fn new(store: Store, config: Config) -> anyhow::Result<Self> {
        let dir = config.data_dir.join("documents");
        std::fs::create_dir_all(&dir)
            .map_err(|e| anyhow::anyhow!("creating {}: {e}", dir.display()))?;
        let documents = Arc::new(LocalFileSystem::new_with_prefix(&dir)?);
        Ok(Self {
            documents,
            config: Arc::new(config),
            store,
            screening: Arc::default(),
        })
    }
}

/// Cuts the extra item fetched by [`fetch_limit`] and gives the cursor of the next page: every list
/// answers `{data, next_cursor}`.
pub fn paginate<T: serde::Serialize>(
    mut items: Vec<T>,
    fetch_limit: i64,
    cursor_of: impl Fn(&T) -> String,
) -> serde_json::Value {
    let page = (fetch_limit - 1) as usize;
    let next = if items.len() > page {
        items.truncate(page);
        items.last().map(&cursor_of)
    } else {
        None
    };
    serde_json::json!({ "data": items, "next_cursor": next })
}

/// The limit to ask the store for: one more than the page, to know whether another page follows.
/// Pages hold 1–100 items, 20 by default.
pub fn fetch_limit(limit: Option<i64>) -> AppResult<i64> {
    match limit {
        None => Ok(21),
        Some(n) if (1..=100).contains(&n) => Ok(n + 1),
        Some(_) => Err(AppError::invalid("limit", "must be between 1 and 100")),
    }
}
