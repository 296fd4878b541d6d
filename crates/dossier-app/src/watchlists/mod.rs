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
