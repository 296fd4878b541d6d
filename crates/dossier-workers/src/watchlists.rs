//! Scheduled refresh of the configured watchlist sources (`[[watchlists.sources]]`).
//!
//! For each source, at its interval: take the source's lease (so that among several nodes only one
//! works on it), fetch the URL or read the path, parse it completely, and skip the import when the
//! content digest equals the newest snapshot's; otherwise import it as the next version and run
//! [`after_import`]. A failure stores nothing and is retried with a backoff (30 s doubling, never
//! later than the source's interval). `dossier serve` runs [`Refresher::run`]; `dossier watchlist
//! refresh` runs [`Refresher::refresh`] once per source.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use dossier_screening::{Snapshot, SourceKind};
use dossier_store::{Store, WatchlistRefreshState, WatchlistSnapshot, timestamp};
use jiff::Timestamp;

use dossier_app::config::{Config, RefreshSource, SourceLocation};
use dossier_app::watchlists::{
    AfterImport, ImportOutcome, after_import, import_snapshot, parse_path,
};

/// Longest sleep between two looks at the schedule (other nodes may have refreshed meanwhile).
const MAX_POLL: Duration = Duration::from_secs(60);
/// First retry delay after a failure; doubles per consecutive failure, capped at the interval.
const FIRST_RETRY: Duration = Duration::from_secs(30);

/// What one refresh of one source did.
#[derive(Debug)]
pub enum Refreshed {
    /// New content: stored as a new version.
    Imported {
        outcome: Box<ImportOutcome>,
        after: AfterImport,
    },
    /// Same content as the newest snapshot: nothing stored.
    Unchanged { snapshot: WatchlistSnapshot },
    /// Another process holds the source's lease (it is refreshing it now).
    Busy { until: Option<String> },
}

pub struct Refresher {
    store: Store,
    sources: Vec<RefreshSource>,
    client: reqwest::Client,
    config: Config,
    lease_for: Duration,
    /// This process's lease owner id.
    owner: String,
}

impl Refresher {
    pub fn new(store: Store, config: &Config) -> anyhow::Result<Self> {
        let sources = config
            .refresh_sources()
            .map_err(|e| anyhow!("invalid configuration: {e}"))?;
        let timeout = Duration::from_secs(config.watchlists.fetch_timeout_secs);
        let _ = rustls::crypto::ring::default_provider().install_default();
        // The URLs are the operator's, not a client's: no private-address filter (unlike webhooks).
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::limited(5))
            .user_agent(concat!("Dossier-Watchlists/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            store,
            sources,
            client,
            config: config.clone(),
            // Up to four OFAC files, each within the timeout, then parsing and storing.
            lease_for: timeout * 4 + Duration::from_secs(600),
            owner: format!(
                "{}-{}",
                std::process::id(),
                dossier_domain::id::new_id("wlr")
            ),
        })
    }

    pub fn sources(&self) -> &[RefreshSource] {
        &self.sources
    }

    /// This process's lease owner id (to release its leases at shutdown).
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// Refreshes one source now (whatever its schedule), unless another process holds its lease.
    /// An error means nothing was stored: the source's newest snapshot stays in use.
    pub async fn refresh(&self, source: &RefreshSource) -> anyhow::Result<Refreshed> {
        let until = timestamp(Timestamp::now() + self.lease_for);
        if !self
            .store
            .lease_watchlist_refresh(&source.name, &self.owner, &until)
            .await?
        {
            let state = self.store.watchlist_refresh_state(&source.name).await?;
            return Ok(Refreshed::Busy {
                until: state.and_then(|s| s.lease_until),
            });
        }
        let result = self.fetch_and_import(source).await;
        let error = result.as_ref().err().map(|e| format!("{e:#}"));
        if let Err(e) = self
            .store
            .finish_watchlist_refresh(&source.name, &self.owner, error.as_deref())
            .await
        {
            tracing::warn!(source = %source.name, error = %e, "could not record the watchlist refresh");
        }
        let label = match &result {
            Ok(Refreshed::Imported { .. }) => "imported",
            Ok(Refreshed::Unchanged { .. }) => "unchanged",
            Ok(Refreshed::Busy { .. }) => "busy",
            Err(_) => "failed",
        };
        metrics::counter!("watchlist_refresh_total", "source" => source.name.clone(), "outcome" => label)
            .increment(1);
        if result.is_ok() {
            metrics::gauge!("watchlist_refresh_last_success_timestamp_seconds", "source" => source.name.clone())
                .set(Timestamp::now().as_second() as f64);
        }
        result
    }

    async fn fetch_and_import(&self, source: &RefreshSource) -> anyhow::Result<Refreshed> {
        let (parsed, label) = match &source.location {
            SourceLocation::Path(path) => {
                let parsed = parse_path(source.kind, path).await?;
                let label = std::fs::canonicalize(path)
                    .unwrap_or_else(|_| path.clone())
                    .display()
                    .to_string();
                (parsed, label)
            }
            SourceLocation::Url(url) => {
                let files = self.download(source.kind, url).await?;
                let kind = source.kind;
                let parsed = tokio::task::spawn_blocking(move || {
                    dossier_screening::parsers::parse_files(kind, &files)
                        .map(|entities| Snapshot { kind, entities })
                })
                .await?
                .with_context(|| {
                    format!("{url} was not imported (the previous snapshot stays in use)")
                })?;
                (parsed, url.to_string())
            }
        };
        let (digest, parsed) =
            tokio::task::spawn_blocking(move || (parsed.digest(), parsed)).await?;
        if let Some(latest) = self.store.latest_watchlist_snapshot(&source.name).await?
            && latest.digest == digest
        {
            return Ok(Refreshed::Unchanged { snapshot: latest });
        }
        let outcome = import_snapshot(&self.store, &source.name, parsed, label).await?;
        let after = match after_import(&self.store, &self.config, &outcome).await {
            Ok(a) => a,
            Err(e) => {
                // The import committed; what follows it must not turn it into a failure.
                tracing::warn!(source = %source.name, error = %format!("{e:#}"), "after-import work failed");
                AfterImport::default()
            }
        };
        Ok(Refreshed::Imported {
            outcome: Box::new(outcome),
            after,
        })
    }

    /// Fetches a source's files: the URL, or for `ofac_sdn` the CSV set at that base URL (the
    /// secondary files are optional: a 404 means the set has none).
    async fn download(
        &self,
        kind: SourceKind,
        url: &url::Url,
    ) -> anyhow::Result<Vec<(PathBuf, Vec<u8>)>> {
        let mut files = Vec::new();
        if kind == SourceKind::OfacSdn {
            let (primary, secondary) = ofac_urls(url)?;
            let body = self.get(&primary, true).await?.expect("required");
            files.push((PathBuf::from(primary.as_str()), body));
            for u in secondary {
                if let Some(body) = self.get(&u, false).await? {
                    files.push((PathBuf::from(u.as_str()), body));
                }
            }
        } else {
            let body = self.get(url, true).await?.expect("required");
            files.push((PathBuf::from(url.as_str()), body));
        }
        Ok(files)
    }

    /// One GET, at most `watchlists.fetch_max_bytes`; `None` for a missing optional file.
    async fn get(&self, url: &url::Url, required: bool) -> anyhow::Result<Option<Vec<u8>>> {
        let mut resp = self
            .client
            .get(url.clone())
            .send()
            .await
            .with_context(|| format!("fetching {url}"))?;
        let status = resp.status();
        if !required && matches!(status.as_u16(), 404 | 410) {
            return Ok(None);
        }
        if !status.is_success() {
            bail!("fetching {url}: HTTP {status}");
        }
        let too_big = || {
            anyhow!(
                "fetching {url}: larger than watchlists.fetch_max_bytes ({} bytes)",
                self.config.watchlists.fetch_max_bytes
            )
        };
        if resp
            .content_length()
            .is_some_and(|n| n > self.config.watchlists.fetch_max_bytes)
        {
            return Err(too_big());
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .with_context(|| format!("fetching {url}"))?
        {
            if (body.len() + chunk.len()) as u64 > self.config.watchlists.fetch_max_bytes {
                return Err(too_big());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Some(body))
    }

    /// When `source` is next due, from what the store says (shared by every node).
    pub async fn due_at(&self, source: &RefreshSource) -> anyhow::Result<Timestamp> {
        let state = self.store.watchlist_refresh_state(&source.name).await?;
        let latest = self.store.latest_watchlist_snapshot(&source.name).await?;
        Ok(next_due(
            source.every,
            state.as_ref(),
            latest.as_ref().map(|s| s.imported_at.as_str()),
            &self.owner,
        ))
    }

    /// Refreshes each source when it falls due, forever (until the runtime stops).
    pub async fn run(self) {
        let names: Vec<&str> = self.sources.iter().map(|s| s.name.as_str()).collect();
        tracing::info!(sources = ?names, "watchlist refresher started");
        loop {
            let mut next = Timestamp::now() + MAX_POLL;
            for source in &self.sources {
                let due = match self.due_at(source).await {
                    Ok(d) => d,
                    Err(e) => {
                        tracing::warn!(source = %source.name, error = %e, "reading the refresh schedule failed");
                        continue;
                    }
                };
                let due = if due <= Timestamp::now() {
                    self.refresh_and_log(source).await;
                    self.due_at(source)
                        .await
                        .unwrap_or_else(|_| Timestamp::now() + FIRST_RETRY)
                } else {
                    due
                };
                next = next.min(due);
            }
            let wait = Duration::try_from(next.duration_since(Timestamp::now()))
                .unwrap_or(Duration::ZERO)
                .clamp(Duration::from_millis(200), MAX_POLL);
            tokio::time::sleep(wait).await;
        }
    }

    async fn refresh_and_log(&self, source: &RefreshSource) {
        match self.refresh(source).await {
            Ok(Refreshed::Imported { outcome, after }) => {
                let s = &outcome.snapshot;
                tracing::info!(
                    source = %source.name,
                    version = s.version,
                    snapshot = %s.id,
                    entities = s.entity_count,
                    added = s.added,
                    removed = s.removed,
                    changed = s.changed,
                    pruned = after.pruned.len(),
                    "watchlist refreshed: new snapshot stored"
                );
            }
            Ok(Refreshed::Unchanged { snapshot }) => tracing::info!(
                source = %source.name,
                version = snapshot.version,
                "watchlist refreshed: content unchanged, nothing stored"
            ),
            Ok(Refreshed::Busy { until }) => tracing::debug!(
                source = %source.name,
                lease_until = until.as_deref().unwrap_or("-"),
                "watchlist being refreshed by another process"
            ),
            Err(e) => tracing::warn!(
                source = %source.name,
                error = %format!("{e:#}"),
                "watchlist refresh failed; the previous snapshot stays in use"
            ),
        }
    }
}

/// The URLs of an OFAC CSV set: a `.csv` URL is the primary file (its siblings share its folder
/// and, for `cons_prim.csv`, its `cons_` names); any other URL is the folder holding `sdn.csv`.
pub fn ofac_urls(url: &url::Url) -> anyhow::Result<(url::Url, Vec<url::Url>)> {
    let (primary, secondary): (url::Url, [&str; 3]) = if url.path().ends_with(".csv") {
        let cons = url
            .path_segments()
            .and_then(|mut s| s.next_back())
            .is_some_and(|n| n.starts_with("cons_"));
        let names = if cons {
            ["cons_add.csv", "cons_alt.csv", "cons_comments.csv"]
        } else {
            ["add.csv", "alt.csv", "sdn_comments.csv"]
        };
        (url.clone(), names)
    } else {
        let mut base = url.clone();
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        (
            base.join("sdn.csv")?,
            ["add.csv", "alt.csv", "sdn_comments.csv"],
        )
    };
    let secondary = secondary
        .iter()
        .map(|n| primary.join(n))
        .collect::<Result<_, _>>()?;
    Ok((primary, secondary))
}

/// When a source is next due: its interval after the last successful check (or the newest
/// snapshot's import, e.g. by the CLI), sooner after failures (backoff), now when never checked;
/// not before another owner's lease ends.
pub fn next_due(
    every: Duration,
    state: Option<&WatchlistRefreshState>,
    last_import: Option<&str>,
    owner: &str,
) -> Timestamp {
    let parse = |t: Option<&str>| t.and_then(|t| t.parse::<Timestamp>().ok());
    let due = match state {
        Some(s) if s.failures > 0 => {
            parse(s.last_attempt_at.as_deref()).map(|t| t + retry_delay(s.failures, every))
        }
        _ => parse(state.and_then(|s| s.last_checked_at.as_deref()))
            .max(parse(last_import))
            .map(|t| t + every),
    }
    .unwrap_or(Timestamp::UNIX_EPOCH);
    match state {
        Some(s) if s.lease_owner.as_deref() != Some(owner) => {
            due.max(parse(s.lease_until.as_deref()).unwrap_or(Timestamp::UNIX_EPOCH))
        }
        _ => due,
    }
}

/// 30 s, 1 min, 2 min, … after consecutive failures, never later than the interval.
pub fn retry_delay(failures: i64, every: Duration) -> Duration {
    let doublings = failures.clamp(1, 16) as u32 - 1;
    (FIRST_RETRY * 2u32.pow(doublings)).min(every)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(f: impl FnOnce(&mut WatchlistRefreshState)) -> WatchlistRefreshState {
        let mut s = WatchlistRefreshState {
            source: "ofac_sdn".into(),
            lease_owner: None,
            lease_until: None,
            last_attempt_at: None,
            last_checked_at: None,
            failures: 0,
            last_error: None,
        };
        f(&mut s);
        s
    }

    #[test]
    fn sources_fall_due_after_their_interval() {
        let hour = Duration::from_secs(3600);
        assert_eq!(next_due(hour, None, None, "me"), Timestamp::UNIX_EPOCH);
        let t = "2026-01-01T00:00:00.000000Z";
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        // An import by the CLI counts like a refresh.
        assert_eq!(
            next_due(hour, None, Some(t), "me"),
            at("2026-01-01T01:00:00Z")
        );
        let checked = state(|s| s.last_checked_at = Some("2026-01-01T02:00:00.000000Z".into()));
        assert_eq!(
            next_due(hour, Some(&checked), Some(t), "me"),
            at("2026-01-01T03:00:00Z")
        );
        // After failures: the backoff, from the last attempt.
        let failed = state(|s| {
            s.failures = 3;
            s.last_checked_at = Some(t.into());
            s.last_attempt_at = Some("2026-01-01T05:00:00.000000Z".into());
        });
        assert_eq!(
            next_due(hour, Some(&failed), Some(t), "me"),
            at("2026-01-01T05:02:00Z")
        );
        // Another owner's live lease defers it; our own does not.
        let leased = state(|s| {
            s.lease_owner = Some("other".into());
            s.lease_until = Some("2026-06-01T00:00:00.000000Z".into());
        });
        assert_eq!(
            next_due(hour, Some(&leased), None, "me"),
            at("2026-06-01T00:00:00Z")
        );
        assert_eq!(
            next_due(hour, Some(&leased), None, "other"),
            Timestamp::UNIX_EPOCH
        );
    }

    #[test]
    fn retries_back_off_up_to_the_interval() {
        let hour = Duration::from_secs(3600);
        let delays: Vec<u64> = (1..=9).map(|f| retry_delay(f, hour).as_secs()).collect();
        assert_eq!(delays, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(
            retry_delay(1, Duration::from_secs(5)),
            Duration::from_secs(5)
        );
        assert_eq!(retry_delay(1000, hour), hour);
    }

    #[test]
    fn ofac_urls_name_the_csv_set() {
        let names = |u: &str| {
            let (p, s) = ofac_urls(&u.parse().unwrap()).unwrap();
            let mut all = vec![p.to_string()];
            all.extend(s.iter().map(|u| u.to_string()));
            all
        };
        assert_eq!(
            names("https://x.test/ofac"),
            [
                "https://x.test/ofac/sdn.csv",
                "https://x.test/ofac/add.csv",
                "https://x.test/ofac/alt.csv",
                "https://x.test/ofac/sdn_comments.csv"
            ]
        );
        assert_eq!(
            names("https://x.test/ofac/")[0],
            "https://x.test/ofac/sdn.csv"
        );
        assert_eq!(
            names("https://x.test/l/cons_prim.csv"),
            [
                "https://x.test/l/cons_prim.csv",
                "https://x.test/l/cons_add.csv",
                "https://x.test/l/cons_alt.csv",
                "https://x.test/l/cons_comments.csv"
            ]
        );
    }
}
