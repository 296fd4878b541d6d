//! Latency benchmark: per-query p50/p99 against the full OFAC SDN list and against 1,000,000
//! synthetic entities, with index build time and memory.
//!
//! `cargo run --release -p dossier-screening --example latency [-- --sdn-only] [--n 1000000]`

use std::path::PathBuf;
use std::time::{Duration, Instant};

use dossier_screening::{Entity, Index, Name, NameKind, Query, Schema, SourceKind, parse};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

fn rss_mb() -> f64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn read_rows(file: &str) -> Vec<csv::StringRecord> {
    let mut r =
        csv::Reader::from_path(root().join("name_matching/screening_fixtures").join(file)).unwrap();
    r.records().map(Result::unwrap).collect()
}

/// Small deterministic PRNG (xorshift) so runs are repeatable without a dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[(self.next() % xs.len() as u64) as usize]
    }
    fn chance(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }
}

/// Queries: listed names (UN, Congress) and non-listed synthetic persons, with DOB and
/// nationality as onboarding forms give them.
fn queries(n: usize) -> Vec<Query> {
    let mut rows = Vec::new();
    for f in [
        "positives_un_treated.csv",
        "positives_us_congress_untreated.csv",
        "negatives_global.csv",
        "negatives_us.csv",
    ] {
        rows.extend(read_rows(f).into_iter().take(n / 4));
    }
    rows.iter()
        .map(|r| Query {
            name: r[0].to_string(),
            birth_date: Some(r[5].to_string()).filter(|s| !s.is_empty()),
            country: Some(r[7].to_string()).filter(|s| !s.is_empty()),
            schema: Some(Schema::Person),
            limit: 10,
            ..Query::default()
        })
        .collect()
}

fn synthetic(n: usize, seed: u64) -> Vec<Entity> {
    let mut first = Vec::new();
    let mut last = Vec::new();
    let mut countries = Vec::new();
    for f in ["negatives_global.csv", "negatives_us.csv"] {
        for r in read_rows(f) {
            if !r[1].is_empty() {
                first.push(r[1].to_string());
            }
            if !r[3].is_empty() {
                last.push(r[3].to_string());
            }
            countries.push(r[7].to_string());
        }
    }
    let words = [
        "Global",
        "Trading",
        "Holding",
        "Industrial",
        "Petroleum",
        "Shipping",
        "Logistics",
        "Energy",
        "Capital",
        "Investment",
        "Mining",
        "Technologies",
        "Systems",
        "Marine",
        "Aviation",
        "Steel",
        "Chemical",
        "Bank",
        "Finance",
        "Development",
        "Construction",
        "Export",
        "Import",
        "Engineering",
        "Resources",
        "Pharma",
        "Electronics",
        "Agro",
    ];
    let forms = [
        "LLC",
        "Ltd",
        "GmbH",
        "S.A.",
        "JSC",
        "OOO",
        "Inc.",
        "Co., Ltd.",
        "FZE",
        "PLC",
    ];
    let mut rng = Rng(seed | 1);
    (0..n)
        .map(|i| {
            let org = rng.chance(25);
            let mut e = Entity::new(
                "synthetic",
                i.to_string(),
                if org {
                    Schema::Organisation
                } else {
                    Schema::Person
                },
            );
            if org {
                let name = format!(
                    "{} {} {} {}",
                    rng.pick(&last),
                    rng.pick(&words),
                    rng.pick(&words),
                    rng.pick(&forms)
                );
                e.names.push(Name::new(name, NameKind::Primary));
            } else {
                let mut name = rng.pick(&first).clone();
                if rng.chance(30) {
                    name = format!("{name} {}", rng.pick(&first));
                }
                name = format!("{name} {}", rng.pick(&last));
                e.names.push(Name::new(name.clone(), NameKind::Primary));
                if rng.chance(30) {
                    e.names.push(Name::new(
                        format!("{} {}", rng.pick(&first), rng.pick(&last)),
                        NameKind::Alias,
                    ));
                }
                let y = 1940 + rng.next() % 65;
                let m = 1 + rng.next() % 12;
                let d = 1 + rng.next() % 28;
                e.birth_dates.push(format!("{y}-{m:02}-{d:02}"));
            }
            let c: &String = rng.pick(&countries);
            e.nationalities
                .push(dossier_screening::countries::normalise(c));
            e
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e3
}

fn run(label: &str, index: &Index, qs: &[Query]) {
    // Warm-up (page faults, thread-local scratch).
    for q in qs.iter().take(200) {
        std::hint::black_box(index.search_default(q));
    }
    let mut times: Vec<Duration> = Vec::with_capacity(qs.len());
    let mut hits = 0;
    let mut slowest: Vec<(Duration, &str)> = Vec::new();
    for q in qs {
        let t = Instant::now();
        let r = index.search_default(q);
        let el = t.elapsed();
        times.push(el);
        slowest.push((el, q.name.as_str()));
        hits += usize::from(r.iter().any(|m| m.matched));
    }
    if std::env::var("SHOW_SLOW").is_ok() {
        slowest.sort();
        for (d, n) in slowest.iter().rev().take(12) {
            eprintln!("slow {:.2} ms {n}", d.as_secs_f64() * 1e3);
        }
    }
    times.sort();
    let mean = times.iter().map(Duration::as_secs_f64).sum::<f64>() / times.len() as f64 * 1e3;
    println!(
        "| {label} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {hits} |",
        qs.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        mean,
        times.last().unwrap().as_secs_f64() * 1e3
    );
    // Two threads sharing the index: throughput on 2 cores.
    let t = Instant::now();
    std::thread::scope(|s| {
        for part in qs.chunks(qs.len().div_ceil(2)) {
            s.spawn(move || {
                for q in part {
                    std::hint::black_box(index.search_default(q));
                }
            });
        }
    });
    println!(
        "|  ↳ 2 threads | {} | | | {:.3} per query (wall) | {:.0} queries/s | |",
        qs.len(),
        t.elapsed().as_secs_f64() * 1e3 / qs.len() as f64,
        qs.len() as f64 / t.elapsed().as_secs_f64()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let sdn_only = args.iter().any(|a| a == "--sdn-only");
    let n: usize = args
        .iter()
        .position(|a| a == "--n")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let qs = queries(2_000);
    println!("| index | queries | p50 ms | p99 ms | mean ms | max ms | queries with a match |");
    println!("|---|---|---|---|---|---|---|");

    let r0 = rss_mb();
    let t = Instant::now();
    let sdn = parse(
        SourceKind::OfacSdn,
        &root().join("watchlists/ofac_sdn/2024-05-03"),
    )
    .unwrap();
    let parse_s = t.elapsed().as_secs_f64();
    let names: usize = sdn.iter().map(|e| e.names.len()).sum();
    let t = Instant::now();
    let index = Index::build(sdn);
    let build_s = t.elapsed().as_secs_f64();
    let (keys, postings) = index.stats();
    let sdn_mem = rss_mb() - r0;
    if let Ok(p) = std::env::var("PROBE") {
        for n in p.split(';') {
            probe(&index, n);
        }
    }
    run("OFAC SDN (14,965 entities)", &index, &qs);
    // Re-screen 100,000 synthetic parties (the negative fixtures) against the whole list and
    // against the week's changes only, on two threads.
    let parties: Vec<Query> = ["negatives_global.csv", "negatives_us.csv"]
        .iter()
        .flat_map(|f| read_rows(f))
        .map(|r| Query {
            name: r[0].to_string(),
            birth_date: Some(r[5].to_string()).filter(|s| !s.is_empty()),
            country: Some(r[7].to_string()).filter(|s| !s.is_empty()),
            schema: Some(Schema::Person),
            limit: 10,
            ..Query::default()
        })
        .collect();
    let rescreen = |index: &Index| {
        let t = Instant::now();
        let hits = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|s| {
            for part in parties.chunks(parties.len().div_ceil(2)) {
                let hits = &hits;
                s.spawn(move || {
                    for q in part {
                        if index.search_default(q).iter().any(|m| m.matched) {
                            hits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                });
            }
        });
        (t.elapsed().as_secs_f64(), hits.into_inner())
    };
    let (full_s, full_hits) = rescreen(&index);
    let old = parse(
        SourceKind::OfacSdn,
        &root().join("watchlists/ofac_sdn/2024-04-26"),
    )
    .unwrap();
    let d = dossier_screening::diff(&old, index.entities());
    let delta = Index::build(d.entities_to_rescreen(index.entities()));
    let (delta_s, delta_hits) = rescreen(&delta);
    let rescreen_line = format!(
        "re-screen of {} parties, 2 threads: full SDN {full_s:.1} s ({full_hits} with a match); only the {} entities changed 2024-04-26 → 2024-05-03: {delta_s:.1} s ({delta_hits} with a match)",
        parties.len(),
        delta.len()
    );
    let sdn_line = format!(
        "SDN: parse {parse_s:.2} s, index build {build_s:.2} s, {names} names, {keys} keys, {postings} postings, RSS +{sdn_mem:.0} MB (entities + index)"
    );
    drop(index);
    if sdn_only {
        println!("\n{sdn_line}\n{rescreen_line}");
        return;
    }
    let r0 = rss_mb();
    let t = Instant::now();
    let ents = synthetic(n, 0x5eed);
    let gen_s = t.elapsed().as_secs_f64();
    let ents_mem = rss_mb() - r0;
    let t = Instant::now();
    let index = Index::build(ents);
    let build_s = t.elapsed().as_secs_f64();
    let (keys, postings) = index.stats();
    let mem = rss_mb() - r0;
    run(&format!("{n} synthetic entities"), &index, &qs);
    println!("\n{sdn_line}\n{rescreen_line}");
    println!(
        "synthetic: generated in {gen_s:.1} s (entities alone RSS +{ents_mem:.0} MB); index build {build_s:.1} s; {keys} keys, {postings} postings; RSS +{mem:.0} MB (entities + index)"
    );
}

#[allow(dead_code)]
fn probe(index: &Index, name: &str) {
    let q = Query::name(name);
    let t = Instant::now();
    for _ in 0..50 {
        std::hint::black_box(index.search_default(&q));
    }
    eprintln!(
        "probe {name}: {:.3} ms",
        t.elapsed().as_secs_f64() * 1e3 / 50.0
    );
}
