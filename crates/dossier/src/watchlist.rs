//! `dossier watchlist import|refresh|prune|list` and `dossier screen`: sanctions and PEP lists in
//! the store, and ad-hoc searches against them. Watchlists are global to the installation (not per
//! workspace). Imports go through `dossier_app::watchlists`, like the server's refresher.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::bail;
use clap::{Args, Subcommand};
use dossier_app::config::Config;
use dossier_app::screening::queue::{Screener, rescreen_snapshot};
use dossier_app::screening::{ScreeningIndex, SearchRequest, load_index, threshold, validate};
use dossier_app::watchlists::{after_import, import_path, prune};
use dossier_app::{AppError, Principal};
use dossier_screening::SourceKind;
use dossier_store::{Store, WatchlistSnapshot};
use dossier_workers::watchlists::{Refreshed, Refresher};
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
    /// Refresh every configured source (`[[watchlists.sources]]`) once, whatever its schedule:
    /// fetch or read it, store a new snapshot when its content changed. For cron. Exits 1 when a
    /// source failed (its previous snapshot stays in use).
    Refresh {
        /// Only the source with this name.
        #[arg(long)]
        source: Option<String>,
        /// Print one JSON object per source.
        #[arg(long)]
        json: bool,
    },
    /// Delete the entities of all but the newest snapshots of each source (the snapshot rows
    /// stay, so references to them remain valid).
    Prune {
        /// Snapshots to keep per source (default: the `watchlists.keep_snapshots` setting).
        #[arg(long)]
        keep: Option<u32>,
        /// Only this source.
        #[arg(long)]
        source: Option<String>,
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
                default_threshold: config.screening.threshold,
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
                let r = rescreen_snapshot(store, &s, config.screening.threshold).await?;
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
    /// installation's `screening.threshold`.
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
            let outcome = import_path(store, source.as_str(), source, &path).await?;
            let after = after_import(store, config, &outcome).await?;
            report_pruned(&after.pruned);
            let (s, report) = (outcome.snapshot, after.rescreen);
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
        WatchlistCommand::Refresh { source, json } => {
            return refresh(store, config, source.as_deref(), json).await;
        }
        WatchlistCommand::Prune { keep, source, json } => {
            let keep = keep.unwrap_or(config.watchlists.keep_snapshots);
            if keep == 0 {
                bail!("--keep must be at least 1 (the snapshot in use)");
            }
            let pruned = prune(store, source.as_deref(), keep).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&pruned)?);
            } else if pruned.is_empty() {
                println!("nothing to prune (keeping {keep} snapshots per source)");
            } else {
                for s in &pruned {
                    println!(
                        "pruned {} version {} ({}): {} entities deleted, snapshot row kept",
                        s.source, s.version, s.id, s.entity_count
                    );
                }
            }
        }
        WatchlistCommand::List { json } => {
            let snapshots = store.watchlist_snapshots().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&snapshots)?);
            } else {
                for s in snapshots {
                    println!(
                        "{}\t{}\tv{}\t{}\t{} entities{}\t+{} -{} ~{}\t{}",
                        s.id,
                        s.source,
                        s.version,
                        s.imported_at,
                        s.entity_count,
                        if s.pruned_at.is_some() {
                            " (pruned)"
                        } else {
                            ""
                        },
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

/// Tells on standard error which old snapshots lost their entities to pruning.
fn report_pruned(pruned: &[WatchlistSnapshot]) {
    for s in pruned {
        eprintln!(
            "pruned the entities of {} version {} ({}); its snapshot row stays",
            s.source, s.version, s.id
        );
    }
}

/// `dossier watchlist refresh`: every configured source once; exit 1 when one failed.
async fn refresh(
    store: &Store,
    config: &Config,
    only: Option<&str>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let refresher = Refresher::new(store.clone(), config)?;
    if refresher.sources().is_empty() {
        bail!(
            "no watchlist sources configured (add [[watchlists.sources]] to the configuration file)"
        );
    }
    let sources: Vec<_> = refresher
        .sources()
        .iter()
        .filter(|s| only.is_none_or(|n| s.name == n))
        .cloned()
        .collect();
    if sources.is_empty() {
        bail!(
            "no configured watchlist source named `{}`",
            only.unwrap_or_default()
        );
    }
    let mut failed = false;
    for source in &sources {
        let name = &source.name;
        let result = refresher.refresh(source).await;
        let (line, value) = match &result {
            Ok(Refreshed::Imported { outcome, after }) => {
                report_pruned(&after.pruned);
                let s = &outcome.snapshot;
                (
                    format!(
                        "{name}: imported version {} ({}): {} entities; {} added, {} removed, {} changed",
                        s.version, s.id, s.entity_count, s.added, s.removed, s.changed
                    ),
                    json!({
                        "source": name,
                        "outcome": "imported",
                        "snapshot": s,
                        "previous_id": s.previous_id,
                        "added": outcome.diff.added,
                        "removed": outcome.diff.removed,
                        "changed": outcome.diff.changed,
                        "pruned": after.pruned.iter().map(|p| &p.id).collect::<Vec<_>>(),
                    }),
                )
            }
            Ok(Refreshed::Unchanged { snapshot: s }) => (
                format!(
                    "{name}: unchanged since version {} ({}); nothing stored",
                    s.version, s.id
                ),
                json!({"source": name, "outcome": "unchanged", "snapshot": s}),
            ),
            Ok(Refreshed::Busy { until }) => (
                format!(
                    "{name}: skipped, another process is refreshing it (lease until {})",
                    until.as_deref().unwrap_or("-")
                ),
                json!({"source": name, "outcome": "busy", "lease_until": until}),
            ),
            Err(e) => {
                failed = true;
                eprintln!("dossier: {name}: {e:#}");
                (
                    format!("{name}: FAILED (the previous snapshot stays in use)"),
                    json!({"source": name, "outcome": "failed", "error": format!("{e:#}")}),
                )
            }
        };
        if json {
            println!("{}", serde_json::to_string(&value)?);
        } else {
            println!("{line}");
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
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
        Err(AppError::Invalid(errors)) => {
            let text: Vec<String> = errors
                .iter()
                .map(|e| format!("--{}: {}", e.field.replace('_', "-"), e.message))
                .collect();
            bail!("{}", text.join("; "))
        }
        Err(e) => bail!("invalid query: {e}"),
    };
    if store.latest_watchlist_snapshot_ids().await?.is_empty() {
        bail!("no watchlist imported; run `dossier watchlist import --source KIND PATH`");
    }
    let (snapshots, index) = load_index(store).await?;
    let threshold = match &args.workspace {
        None => config.screening.threshold,
        Some(name) => {
            let Some(ws) = store.workspace_by_name(name).await? else {
                bail!("no workspace named `{name}`");
            };
            let cli = Principal::cli(&ws.id);
            threshold(store, cli.ws(), config.screening.threshold)
                .await?
                .0
        }
    };
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
