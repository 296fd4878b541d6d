//! `dossier watchlist import|list` and `dossier screen`: sanctions and PEP lists in the store, and
//! ad-hoc searches against them. Watchlists are global to the installation (not per workspace).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use dossier_screening::{Entity, Snapshot, SourceKind, diff};
use dossier_server::Config;
use dossier_server::error::ApiError;
use dossier_server::screening::{ScreeningIndex, SearchRequest, load_index, validate};
use dossier_server::screening_worker::{Screener, rescreen_snapshot};
use dossier_store::{Store, WatchlistEntityRow, WatchlistSnapshot};
use serde_json::json;

#[derive(Subcommand)]
pub enum WatchlistCommand {
    /// Parse a list file (or the OFAC CSV folder) and store it as the source's next snapshot, with
    /// its diff against the previous one. A file that does not parse changes nothing.
    Import {
        /// ofac_sdn, un_sc, uk_hmt, ftm or senzing.
        #[arg(long, value_parser = parse_kind)]
        source: SourceKind,
        /// The file; for ofac_sdn the folder with sdn.csv (add.csv, alt.csv, sdn_comments.csv
        /// are used when present).
        path: PathBuf,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the imported snapshots, newest first.
    List {
        #[arg(long)]
        json: bool,
    },
}

/// `dossier screening …`.
#[derive(Subcommand)]
pub enum ScreeningCommand {
    /// Screen every queued case now (what the worker of `dossier serve` does continuously) and
    /// exit: new cases and cases whose parties changed. Does nothing before a watchlist is imported.
    Run,
    /// Re-screen the active cases against what a snapshot added or changed (what an import does
    /// after storing it); to re-run monitoring that was interrupted. Default: the newest snapshot
    /// of every source.
    Rescreen {
        /// A snapshot id (`wls_…`, see `dossier watchlist list`).
        #[arg(long)]
        snapshot: Option<String>,
    },
}

pub async fn run_screening(
    command: ScreeningCommand,
    store: &Store,
    config: &Config,
) -> anyhow::Result<ExitCode> {
    match command {
        ScreeningCommand::Run => {
            let screener = Screener {
                store: store.clone(),
                index: Arc::new(ScreeningIndex::new()),
                default_threshold: config.screening_threshold,
            };
            let n = screener.drain().await?;
            println!("screened {n} queued case(s)");
        }
        ScreeningCommand::Rescreen { snapshot } => {
            let snapshots = match snapshot {
                Some(id) => match store
                    .watchlist_snapshots()
                    .await?
                    .into_iter()
                    .find(|s| s.id == id)
                {
                    Some(s) => vec![s],
                    None => bail!("no snapshot `{id}`; see `dossier watchlist list`"),
                },
                None => store.latest_watchlist_snapshots().await?,
            };
            for s in snapshots {
                let r = rescreen_snapshot(store, &s, config.screening_threshold).await?;
                println!(
                    "{} v{}: re-screened {} case(s) ({} parties) against {} entities in {:.1} s: \
                     {} new hit(s) on {} case(s)",
                    s.source,
                    s.version,
                    r.cases,
                    r.parties,
                    r.entities,
                    r.seconds,
                    r.hits_raised,
                    r.cases_updated
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_kind(s: &str) -> Result<SourceKind, String> {
    s.parse()
}

/// `dossier screen`: search the newest snapshot of every imported list.
#[derive(Args)]
pub struct ScreenArgs {
    /// The name to screen, in any script and word order.
    #[arg(long)]
    pub name: String,
    /// YYYY-MM-DD, YYYY-MM or YYYY.
    #[arg(long)]
    pub birth_date: Option<String>,
    /// Nationality, residence or registration country (ISO code or name).
    #[arg(long)]
    pub country: Option<String>,
    /// person or organisation (also vessel, aircraft); all types when omitted.
    #[arg(long = "type")]
    pub entity_type: Option<String>,
    /// Results at most (1–100).
    #[arg(long, default_value_t = 10)]
    pub limit: i64,
    /// Use this workspace's threshold (see `PUT /api/screening/settings`) instead of the
    /// installation's `screening_threshold`.
    #[arg(long)]
    pub workspace: Option<String>,
    /// Print `{results, threshold, snapshots}` as JSON, like `POST /api/screening/search`.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(
    command: WatchlistCommand,
    store: &Store,
    config: &Config,
) -> anyhow::Result<ExitCode> {
    match command {
        WatchlistCommand::Import { source, path, json } => {
            let s = import(store, source, &path).await?;
            // Ongoing monitoring: active cases against what this import added or changed.
            let report = rescreen_snapshot(store, &s, config.screening_threshold)
                .await
                .context("re-screening the active cases (the snapshot is stored)")?;
            if json {
                let mut value = serde_json::to_value(&s)?;
                value["rescreen"] = serde_json::to_value(&report)?;
                println!("{}", serde_json::to_string_pretty(&value)?);
            } else {
                println!(
                    "imported {} version {} ({}): {} entities; {} added, {} removed, {} changed",
                    s.source, s.version, s.id, s.entity_count, s.added, s.removed, s.changed
                );
                println!(
                    "re-screened {} active case(s) ({} parties) against {} added/changed entities \
                     in {:.1} s: {} new hit(s) on {} case(s)",
                    report.cases,
                    report.parties,
                    report.entities,
                    report.seconds,
                    report.hits_raised,
                    report.cases_updated
                );
            }
        }
        WatchlistCommand::List { json } => {
            let snapshots = store.watchlist_snapshots().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&snapshots)?);
            } else {
                for s in snapshots {
                    println!(
                        "{}\t{}\tv{}\t{}\t{} entities\t+{} -{} ~{}\t{}",
                        s.id,
                        s.source,
                        s.version,
                        s.imported_at,
                        s.entity_count,
                        s.added,
                        s.removed,
                        s.changed,
                        s.label
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Parses `path`, diffs it against the source's newest snapshot and stores it as the next version.
/// Nothing is written unless the whole file parsed.
pub async fn import(
    store: &Store,
    kind: SourceKind,
    path: &std::path::Path,
) -> anyhow::Result<WatchlistSnapshot> {
    let owned = path.to_path_buf();
    let snapshot = tokio::task::spawn_blocking(move || Snapshot::import(kind, &owned))
        .await?
        .with_context(|| {
            format!(
                "{} was not imported (the previous snapshot stays in use)",
                path.display()
            )
        })?;
    let source = kind.as_str();
    let previous = store
        .latest_watchlist_snapshots()
        .await?
        .into_iter()
        .find(|s| s.source == source);
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
    let changes = diff(&old, &snapshot.entities);
    let rows: Vec<WatchlistEntityRow> = snapshot
        .entities
        .iter()
        .map(|e| WatchlistEntityRow {
            list: e.list.clone(),
            list_id: e.list_id.clone(),
            content_hash: e.content_hash(),
            data: serde_json::to_string(e).expect("entities serialise"),
        })
        .collect();
    let label = std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string();
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
        digest: snapshot.digest(),
        previous_id: previous.map(|p| p.id),
        added: changes.added.len() as i64,
        removed: changes.removed.len() as i64,
        changed: changes.changed.len() as i64,
    };
    tx.insert_watchlist_snapshot(&stored, &rows).await?;
    tx.commit().await?;
    Ok(stored)
}

/// `dossier screen`.
pub async fn screen(args: ScreenArgs, store: &Store, config: &Config) -> anyhow::Result<ExitCode> {
    let request = SearchRequest {
        name: args.name,
        birth_date: args.birth_date,
        country: args.country,
        entity_type: args.entity_type,
        limit: Some(args.limit),
    };
    let query = match validate(&request) {
        Ok(q) => q,
        Err(ApiError::Invalid(errors)) => {
            let text: Vec<String> = errors
                .iter()
                .map(|e| format!("--{}: {}", e.field.replace('_', "-"), e.message))
                .collect();
            bail!("{}", text.join("; "))
        }
        Err(e) => bail!("invalid query: {e:?}"),
    };
    if store.latest_watchlist_snapshot_ids().await?.is_empty() {
        bail!("no watchlist imported; run `dossier watchlist import --source KIND PATH`");
    }
    let (snapshots, index) = load_index(store).await?;
    let mut threshold = config.screening_threshold;
    if let Some(name) = &args.workspace {
        let Some(ws) = store.workspace_by_name(name).await? else {
            bail!("no workspace named `{name}`");
        };
        if let Some(bp) = store.screening_threshold(&ws.id).await? {
            threshold = bp as f64 / 10_000.0;
        }
    }
    let results = index.search(&query, threshold);
    if args.json {
        let snapshots: Vec<_> = snapshots
            .iter()
            .map(|s| json!({"id": s.id, "source": s.source, "version": s.version, "imported_at": s.imported_at}))
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "results": results,
                "threshold": threshold,
                "snapshots": snapshots,
            }))?
        );
        return Ok(ExitCode::SUCCESS);
    }
    if results.is_empty() {
        println!("no results (threshold {threshold:.2})");
    }
    for (rank, m) in results.iter().enumerate() {
        let e = &m.entity;
        println!(
            "{:>2}. {:.3} {} {}:{} {:?} {}{}{}",
            rank + 1,
            m.score,
            if m.matched { "MATCH" } else { "     " },
            e.list,
            e.list_id,
            e.schema,
            e.caption(),
            if e.birth_dates.is_empty() {
                String::new()
            } else {
                format!(" born {}", e.birth_dates.join("/"))
            },
            if e.countries.is_empty() && e.nationalities.is_empty() {
                String::new()
            } else {
                let mut c = e.nationalities.clone();
                c.extend(
                    e.countries
                        .iter()
                        .filter(|x| !e.nationalities.contains(x))
                        .cloned(),
                );
                format!(" [{}]", c.join(","))
            },
        );
        println!(
            "      matched `{}` ({:?}) with `{}`",
            m.explanation.matched_name, m.explanation.matched_name_kind, m.explanation.query_name
        );
    }
    Ok(ExitCode::SUCCESS)
}
