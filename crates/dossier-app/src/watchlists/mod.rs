//! Watchlist imports, shared by `dossier watchlist import`, `dossier watchlist refresh` and the
//! refresher task of `dossier serve`: parse a whole source, diff it against the source's newest
//! snapshot, store it as the next version, then run [`after_import`]. A source that does not parse
//! stores nothing, so a bad file never replaces a good snapshot.

use std::path::Path;

use anyhow::{Context, bail};
use dossier_screening::{Entity, Snapshot, SnapshotDiff, SourceKind, diff};
use dossier_store::{Store, WatchlistEntityRow, WatchlistSnapshot};

use crate::screening::queue::{RescreenReport, rescreen_after_import};

use crate::Config;

/// A stored import: the new snapshot, what changed since the previous one, and the new entities.
#[derive(Debug, Clone)]
pub struct ImportOutcome {
    /// The stored snapshot (`snapshot.id` is the new version's id).
    pub snapshot: WatchlistSnapshot,
    /// Added, removed and changed entity keys `(list, list_id)`.
    pub diff: SnapshotDiff,
    /// Every entity of the new snapshot.
    pub entities: Vec<Entity>,
}

impl ImportOutcome {
    /// The added and changed entities: what active cases must be re-screened against.
    pub fn entities_to_rescreen(&self) -> Vec<Entity> {
        self.diff.entities_to_rescreen(&self.entities)
    }
}

/// What ran after an import.
#[derive(Debug, Clone, Default)]
pub struct AfterImport {
    /// Ongoing monitoring: the re-screen of active cases against the added and changed entities.
    pub rescreen: RescreenReport,
    /// Older snapshots of the source whose entities were pruned now.
    pub pruned: Vec<WatchlistSnapshot>,
}

/// Parses a source from a path (for `ofac_sdn` the folder with the CSV set) on a blocking thread.
/// The error names file, line and field, and says that nothing was imported.
pub async fn parse_path(kind: SourceKind, path: &Path) -> anyhow::Result<Snapshot> {
    let owned = path.to_path_buf();
    tokio::task::spawn_blocking(move || Snapshot::import(kind, &owned))
        .await?
        .with_context(|| {
            format!(
                "{} was not imported (the previous snapshot stays in use)",
                path.display()
            )
        })
}

/// Parses `path` and stores it as the next snapshot of `source` (the snapshot series: the kind's
/// name for `dossier watchlist import`, the configured name for refreshed sources).
pub async fn import_path(
    store: &Store,
    source: &str,
    kind: SourceKind,
    path: &Path,
) -> anyhow::Result<ImportOutcome> {
    let parsed = parse_path(kind, path).await?;
    let label = std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string();
    import_snapshot(store, source, parsed, label).await
}

/// Diffs a parsed source against the newest snapshot of `source` and stores them as its next
/// version, labelled `label` (where they came from). Two imports of one source at once cannot both
/// commit: the second fails and can be re-run.
pub async fn import_snapshot(
    store: &Store,
    source: &str,
    parsed: Snapshot,
    label: String,
) -> anyhow::Result<ImportOutcome> {
    let previous = store.latest_watchlist_snapshot(source).await?;
    let old: Vec<Entity> = match &previous {
        Some(p) => store
            .watchlist_entities(&p.id)
            .await?
            .iter()
            .map(|data| serde_json::from_str(data))
            .collect::<Result<_, _>>()
            .context("reading the previous snapshot")?,
        None => Vec::new(),
    };
    let (changes, rows, digest, entities) = tokio::task::spawn_blocking(move || {
        let changes = diff(&old, &parsed.entities);
        let rows: Vec<WatchlistEntityRow> = parsed
            .entities
            .iter()
            .map(|e| WatchlistEntityRow {
                list: e.list.clone(),
                list_id: e.list_id.clone(),
                content_hash: e.content_hash(),
                data: serde_json::to_string(e).expect("entities serialise"),
            })
            .collect();
        let digest = parsed.digest();
        (changes, rows, digest, parsed.entities)
    })
    .await?;
    let mut tx = store.begin().await?;
    let latest = tx.latest_watchlist_snapshot(source).await?;
    if latest.as_ref().map(|s| &s.id) != previous.as_ref().map(|s| &s.id) {
        tx.rollback().await?;
        bail!("another import of `{source}` finished meanwhile; run the import again");
    }
    let stored = WatchlistSnapshot {
        id: dossier_domain::id::new_id("wls"),
        source: source.to_string(),
        version: latest.map_or(1, |s| s.version + 1),
        label,
        imported_at: dossier_store::now(),
        entity_count: rows.len() as i64,
        digest,
        previous_id: previous.as_ref().map(|p| p.id.clone()),
        added: changes.added.len() as i64,
        removed: changes.removed.len() as i64,
        changed: changes.changed.len() as i64,
        pruned_at: None,
    };
    tx.insert_watchlist_snapshot(&stored, &rows).await?;
    tx.commit().await?;
    Ok(ImportOutcome {
        snapshot: stored,
        diff: changes,
        entities,
    })
}

/// Runs after every successful import, from the CLI and from the refresher alike: the one place
/// for follow-up work on a new snapshot. Its failures do not undo the import (it committed); they
/// are logged and returned.
pub async fn after_import(
    store: &Store,
    config: &Config,
    outcome: &ImportOutcome,
) -> anyhow::Result<AfterImport> {
    // Ongoing monitoring first: a failure here leaves the older snapshots in place.
    let rescreen = rescreen_after_import(
        store,
        &outcome.snapshot,
        outcome.entities_to_rescreen(),
        &outcome.diff.removed,
        config.screening.threshold,
    )
    .await
    .context(
        "re-screening the active cases (the snapshot is stored; `dossier screening rescreen` \
         runs it again)",
    )?;
    let pruned = prune(
        store,
        Some(&outcome.snapshot.source),
        config.watchlists.keep_snapshots,
    )
    .await?;
    Ok(AfterImport { rescreen, pruned })
}

/// Deletes the entities of all but the `keep` newest snapshots of each source (or of `source`),
/// keeping the snapshot rows, and logs what it pruned.
pub async fn prune(
    store: &Store,
    source: Option<&str>,
    keep: u32,
) -> anyhow::Result<Vec<WatchlistSnapshot>> {
    let pruned = store
        .prune_watchlist_snapshots(source, i64::from(keep.max(1)))
        .await
        .context("pruning old watchlist snapshots")?;
    for s in &pruned {
        tracing::info!(
            source = %s.source,
            version = s.version,
            snapshot = %s.id,
            entities = s.entity_count,
            keep,
            "pruned the entities of an old watchlist snapshot (its row stays)"
        );
    }
    Ok(pruned)
}

/// How current one watchlist is: its newest snapshot and, for a refreshed source, its refresh state.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WatchlistStatus {
    pub source: String,
    /// Refreshed on a schedule by `dossier serve` (an official list or a configured source).
    pub refreshed: bool,
    /// Where it is fetched or read from, for a refreshed source.
    pub location: Option<String>,
    pub every_secs: Option<u64>,
    /// The newest snapshot, if any was imported.
    pub version: Option<i64>,
    pub label: Option<String>,
    pub imported_at: Option<String>,
    pub entities: Option<i64>,
    /// Seconds since the newest snapshot was imported.
    pub age_secs: Option<i64>,
    /// The last refresh that succeeded (a new version or unchanged content).
    pub last_checked_at: Option<String>,
    /// Failed refreshes since the last success, and the last error.
    pub failures: i64,
    pub last_error: Option<String>,
    /// Never imported, or a refreshed source not successfully checked within twice its interval.
    pub stale: bool,
}

/// The status of every refreshed source and of every imported list (`GET /status/watchlists`).
pub async fn status(store: &Store, config: &Config) -> anyhow::Result<Vec<WatchlistStatus>> {
    let sources = config
        .refresh_sources()
        .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
    let snapshots = store.latest_watchlist_snapshots().await?;
    let now = jiff::Timestamp::now();
    let secs_since = |at: &str| -> Option<i64> {
        at.parse::<jiff::Timestamp>()
            .ok()
            .map(|t| now.duration_since(t).as_secs())
    };
    let mut names: Vec<String> = sources.iter().map(|s| s.name.clone()).collect();
    for s in &snapshots {
        if !names.contains(&s.source) {
            names.push(s.source.clone());
        }
    }
    let mut out = Vec::new();
    for name in names {
        let source = sources.iter().find(|s| s.name == name);
        let snapshot = snapshots.iter().find(|s| s.source == name);
        let state = store.watchlist_refresh_state(&name).await?;
        let last_checked_at = state.as_ref().and_then(|s| s.last_checked_at.clone());
        let stale = match (source, snapshot) {
            (_, None) => true,
            (None, Some(_)) => false,
            (Some(src), Some(_)) => last_checked_at
                .as_deref()
                .and_then(secs_since)
                .is_none_or(|age| age as u64 > 2 * src.every.as_secs()),
        };
        out.push(WatchlistStatus {
            refreshed: source.is_some(),
            location: source.map(|s| s.location.to_string()),
            every_secs: source.map(|s| s.every.as_secs()),
            version: snapshot.map(|s| s.version),
            label: snapshot.map(|s| s.label.clone()),
            imported_at: snapshot.map(|s| s.imported_at.clone()),
            entities: snapshot.map(|s| s.entity_count),
            age_secs: snapshot.and_then(|s| secs_since(&s.imported_at)),
            last_checked_at,
            failures: state.as_ref().map_or(0, |s| s.failures),
            last_error: state.and_then(|s| s.last_error),
            stale,
            source: name,
        });
    }
    Ok(out)
}

impl crate::App {
    /// The watchlists' status and every stored snapshot, newest first (admins: the settings
    /// page; the lists are the operator's, shared by every workspace).
    pub async fn watchlists(
        &self,
        p: &crate::Principal,
    ) -> crate::AppResult<(Vec<WatchlistStatus>, Vec<WatchlistSnapshot>)> {
        p.require_admin()?;
        let list = status(&self.store, &self.config).await.map_err(|e| {
            crate::AppError::internal("reading the watchlists' status", format!("{e:#}"))
        })?;
        let snapshots = self.store.watchlist_snapshots().await?;
        Ok((list, snapshots))
    }
}
