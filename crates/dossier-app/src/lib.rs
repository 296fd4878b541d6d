//! Dossier's application layer: every use case — cases and their parties, documents, tasks, risk,
//! decisions, templates, custom fields, webhook endpoints, screening, watchlist imports — behind one
//! [`App`], acting for one [`Principal`] and failing with one [`AppError`]. The JSON API, the pages,
//! the workers and the CLI all call it; it knows nothing of HTTP servers.

pub mod api_keys;
pub mod applications;
pub mod branding;
pub mod config;
pub mod custom_fields;
pub mod documents;
pub mod error;
pub mod events;
pub mod mail;
pub mod oidc;
pub mod portals;
pub mod principal;
pub mod relationships;
pub mod screening;
pub mod sessions;
pub mod templates;
pub mod users;
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
    /// Outgoing mail (`[smtp]`; the log when none is configured).
    pub mailer: Arc<mail::Mailer>,
    /// The address clients reach Dossier at (`Config::public_url`): portal links start with it.
    pub public_url: String,
    /// The OpenID Connect provider's client and discovery cache (`[oidc]`).
    pub oidc: Arc<oidc::Oidc>,
}

impl App {
    /// Fails when the documents directory cannot be created.
    pub fn new(store: Store, config: Config) -> anyhow::Result<Self> {
        let dir = config.data_dir.join("documents");
        std::fs::create_dir_all(&dir)
            .map_err(|e| anyhow::anyhow!("creating {}: {e}", dir.display()))?;
        let documents = Arc::new(LocalFileSystem::new_with_prefix(&dir)?);
        let public_url = config.public_url().map_err(|e| anyhow::anyhow!(e))?;
        let mailer = Arc::new(mail::Mailer::new(&config.smtp)?);
        let oidc = Arc::new(oidc::Oidc::new(&config.oidc)?);
        Ok(Self {
            oidc,
            mailer,
            public_url,
            documents,
            config: Arc::new(config),
            store,
            screening: Arc::default(),
        })
    }
}

/// A random secret (256 bits, URL-safe base64): session ids, CSRF tokens.
pub fn new_secret() -> String {
    use base64::Engine;
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
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

/// Checks a list's `cursor`: the `next_cursor` of a previous page is the id of its last item, so it
/// has the shape of an id with the list's prefix (see [`dossier_domain::id`]). Anything else is a 400
/// `bad_cursor` rather than a silently empty or first page.
pub fn cursor<'a>(cursor: Option<&'a str>, prefix: &str) -> AppResult<Option<&'a str>> {
    match cursor {
        Some(c) if !dossier_domain::id::looks_like(prefix, c) => Err(bad_cursor()),
        c => Ok(c),
    }
}

/// A sequence-number cursor (the audit trail's): a non-negative integer.
pub fn seq_cursor(cursor: Option<&str>) -> AppResult<Option<i64>> {
    cursor
        .map(|c| match c.parse::<i64>() {
            Ok(n) if n >= 0 && c.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
            _ => Err(bad_cursor()),
        })
        .transpose()
}

fn bad_cursor() -> AppError {
    AppError::BadRequest(
        "bad_cursor",
        "bad cursor: pass the `next_cursor` of the previous page".into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_must_look_like_the_lists_ids() {
        let id = dossier_domain::id::new_id("app");
        assert_eq!(cursor(Some(&id), "app").unwrap(), Some(id.as_str()));
        assert_eq!(cursor(None, "app").unwrap(), None);
        for bad in [
            "",
            "bogus",
            "app_",
            "evt_01JD0000000000000000000000",
            &id[..10],
        ] {
            assert_eq!(
                cursor(Some(bad), "app").unwrap_err().code(),
                "bad_cursor",
                "{bad}"
            );
        }
        assert_eq!(cursor(Some(&id), "evt").unwrap_err().code(), "bad_cursor");
        assert_eq!(seq_cursor(Some("42")).unwrap(), Some(42));
        for bad in ["-1", "+3", "x", "", "1e3"] {
            assert_eq!(
                seq_cursor(Some(bad)).unwrap_err().code(),
                "bad_cursor",
                "{bad}"
            );
        }
    }
}
