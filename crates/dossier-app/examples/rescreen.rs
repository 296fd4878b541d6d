//! Benchmark (not a test): screening at scale through the server's own code on a real store.
//!
//! 1. stores the OFAC SDN list of 2024-04-26 as a snapshot;
//! 2. creates cases holding N synthetic parties (a company and three persons each, the persons
//!    drawn from the name-matching negative fixtures with birth date and nationality) — each create
//!    queues its screening, as the API does;
//! 3. **full screening**: the screening worker drains the queue (every party against the whole
//!    SDN list, hits and outcome saved case by case through `service::save`);
//! 4. stores the SDN list of 2024-05-03 (305 added, 8 removed) and runs **monitoring**:
//!    `rescreen_snapshot`, every party of every active case against the changed entities only.
//!
//! ```sh
//! cargo run --release -p dossier-app --example rescreen -- --parties 100000 \
//!     [--database-url postgres://postgres@127.0.0.1:5432/bench]   # default: SQLite in a temp dir
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use dossier_app::applications as service;
use dossier_app::screening::ScreeningIndex;
use dossier_app::screening::queue::{Screener, rescreen_snapshot};
use dossier_domain::application::NewApplication;
use dossier_domain::audit::Actor;
use dossier_screening::{Entity, SourceKind, countries, diff, parse};
use dossier_store::{Store, StoreConfig, WatchlistEntityRow, WatchlistSnapshot};
use serde_json::json;

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

async fn store_snapshot(
    store: &Store,
    dir: &str,
    previous: Option<&WatchlistSnapshot>,
) -> anyhow::Result<(WatchlistSnapshot, Vec<Entity>)> {
    let entities = parse(
        SourceKind::OfacSdn,
        &shared().join("watchlists/ofac_sdn").join(dir),
    )?;
    let rows: Vec<WatchlistEntityRow> = entities
        .iter()
        .map(|e| WatchlistEntityRow {
            list: e.list.clone(),
            list_id: e.list_id.clone(),
            content_hash: e.content_hash(),
            data: serde_json::to_string(e).unwrap(),
        })
        .collect();
    let snapshot = WatchlistSnapshot {
        id: dossier_domain::id::new_id("wls"),
        source: "ofac_sdn".into(),
        version: previous.map_or(1, |p| p.version + 1),
        label: dir.into(),
        imported_at: dossier_store::now(),
        entity_count: rows.len() as i64,
        digest: String::new(),
        previous_id: previous.map(|p| p.id.clone()),
        added: 0,
        removed: 0,
        changed: 0,
        pruned_at: None,
    };
    let mut tx = store.begin().await?;
    tx.insert_watchlist_snapshot(&snapshot, &rows).await?;
    tx.commit().await?;
    Ok((snapshot, entities))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let parties: usize = arg("--parties").map_or(100_000, |n| n.parse().unwrap());
    let dir = std::env::temp_dir().join(format!("dossier-rescreen-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = arg("--database-url")
        .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", dir.join("bench.db").display()));
    let store = Store::open(&StoreConfig {
        url: url.clone(),
        max_connections: 8,
    })
    .await?;
    println!("store: {url}");
    let ws = store.create_workspace("bench").await?.id;

    let t = Instant::now();
    let (v1, old) = store_snapshot(&store, "2024-04-26", None).await?;
    println!(
        "snapshot v1: {} entities stored in {:.1} s",
        old.len(),
        t.elapsed().as_secs_f64()
    );

    // Persons from the negative fixtures: name, birth date, nationality (as an ISO code).
    let mut people = Vec::new();
    for file in ["negatives_global.csv", "negatives_us.csv"] {
        let text =
            std::fs::read_to_string(shared().join("name_matching/screening_fixtures").join(file))?;
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            if f.len() < 8 || f[1].is_empty() || f[3].is_empty() {
                continue;
            }
            let mut person = json!({"first_name": f[1], "last_name": f[3]});
            if f[5].len() == 10 {
                person["birth_date"] = json!(f[5]);
            }
            if let Some(code) = countries::to_code(f[7]) {
                person["nationality"] = json!(code.to_ascii_uppercase());
            }
            people.push(person);
        }
    }
    let words = [
        "Trading",
        "Logistics",
        "Holding",
        "Consulting",
        "Industries",
        "Shipping",
    ];
    let forms = ["Ltd", "GmbH", "SARL", "LLC", "BV", "SA"];
    let cases = parties / 4;
    let t = Instant::now();
    let actor = Actor::cli();
    let mut made = 0;
    while made < cases {
        let mut tx = store.begin().await?;
        for i in made..(made + 500).min(cases) {
            let p = |k: usize| people[(i * 3 + k) % people.len()].clone();
            let surname = p(0)["last_name"].as_str().unwrap_or("Acme").to_string();
            let body = json!({"type": "business",
                "business": {"name": format!("{surname} {} {}", words[i % 6], forms[(i / 6) % 6]),
                             "country": "GB"},
                "relationships": [
                    {"kind": "person", "roles": ["director"], "person": p(0)},
                    {"kind": "person", "roles": ["ubo"], "ownership_percentage": 60, "person": p(1)},
                    {"kind": "person", "roles": ["shareholder"], "ownership_percentage": 40, "person": p(2)}]});
            let new: NewApplication = serde_json::from_value(body)?;
            service::create(&mut tx, &ws, &actor, new)
                .await
                .map_err(|e| anyhow::anyhow!("create: {e:?}"))?;
        }
        tx.commit().await?;
        made = (made + 500).min(cases);
    }
    println!(
        "{cases} cases ({} parties) created and queued in {:.1} s",
        cases * 4,
        t.elapsed().as_secs_f64()
    );

    let screener = Screener {
        store: store.clone(),
        index: Arc::new(ScreeningIndex::new()),
        default_threshold: 0.70,
    };
    let t = Instant::now();
    let settled = screener.drain().await?;
    let full = t.elapsed().as_secs_f64();
    println!(
        "full screening against SDN v1 (worker, index build included): {settled} cases / {} parties in {full:.1} s ({:.0} parties/s)",
        settled * 4,
        (settled * 4) as f64 / full
    );

    let (v2, new) = store_snapshot(&store, "2024-05-03", Some(&v1)).await?;
    let d = diff(&old, &new);
    println!(
        "snapshot v2: {} added, {} removed, {} changed",
        d.added.len(),
        d.removed.len(),
        d.changed.len()
    );
    let t = Instant::now();
    let report = rescreen_snapshot(&store, &v2, 0.70).await?;
    println!(
        "monitoring (changed entities only): {} cases / {} parties against {} entities in {:.1} s ({:.1} s with loading and diffing the snapshots); {} new hits on {} cases",
        report.cases,
        report.parties,
        report.entities,
        report.seconds,
        t.elapsed().as_secs_f64(),
        report.hits_raised,
        report.cases_updated
    );
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
