//! `--soak MINUTES`: a long run at a moderate load, watching what should stay flat.
//!
//! Four clients, each at most five rounds a second, each round a create (the README's business
//! case), a PATCH of one field, a read of the case and a page of the case list; every change is
//! delivered to a local webhook receiver. Every `--sample-secs` it reads the server's resident
//! memory (`VmRSS`) and open files (`/proc/PID/fd`), the database's bytes in use and the cases
//! stored, and prints a row; at the end the first and last rows after the warm-up are compared.
//! Memory and open files should not grow with time, and bytes per case should not grow with cases.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::json;

use crate::{Args, database_bytes, readme_case, readme_workspace, receiver, start_with};

const CLIENTS: usize = 4;
const ROUND: Duration = Duration::from_millis(200);

struct Sample {
    minute: f64,
    rss_kib: u64,
    open_files: usize,
    cases: usize,
    db_bytes: i64,
    delivered: usize,
}

fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmRSS in /proc/PID/status")
}

fn open_files(pid: u32) -> anyhow::Result<usize> {
    Ok(std::fs::read_dir(format!("/proc/{pid}/fd"))?.count())
}

pub async fn soak(
    args: &Args,
    store_args: Vec<String>,
    dir: &std::path::Path,
    pg_url: Option<&str>,
    minutes: u64,
) -> anyhow::Result<()> {
    let server = start_with(args, store_args, true, &[]).await?;
    let pid = server.child.id();
    let http = reqwest::Client::new();
    let key = readme_workspace(&server, &http).await?;
    let (hook, got) = receiver().await?;
    let r = http
        .post(format!("{}/api/webhooks", server.base))
        .bearer_auth(&key)
        .json(&json!({"url": hook, "events": ["*"]}))
        .send()
        .await?;
    anyhow::ensure!(r.status().as_u16() == 201, "subscribing: {}", r.status());

    let cases = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let until = Instant::now() + Duration::from_secs(minutes * 60);
    let mut clients = Vec::new();
    for c in 0..CLIENTS {
        let (http, base, key) = (http.clone(), server.base.clone(), key.clone());
        let (cases, errors) = (cases.clone(), errors.clone());
        clients.push(tokio::spawn(async move {
            let mut i = 0;
            while Instant::now() < until {
                let round = Instant::now();
                i += 1;
                let (created, all_ok) = soak_round(&http, &base, &key, c * 10_000_000 + i).await;
                if created {
                    cases.fetch_add(1, Ordering::Relaxed);
                }
                if !all_ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
                tokio::time::sleep(ROUND.saturating_sub(round.elapsed())).await;
            }
        }));
    }

    let started = Instant::now();
    let mut samples = Vec::new();
    println!(
        "| minute | RSS (MiB) | open files | cases | database (MiB) | bytes per case | events delivered |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    while Instant::now() < until {
        tokio::time::sleep(Duration::from_secs(args.sample_secs)).await;
        let s = Sample {
            minute: started.elapsed().as_secs_f64() / 60.0,
            rss_kib: rss_kib(pid)?,
            open_files: open_files(pid)?,
            cases: cases.load(Ordering::Relaxed),
            db_bytes: database_bytes(dir, pg_url).await?,
            delivered: got.lock().unwrap().len(),
        };
        println!(
            "| {:.1} | {:.1} | {} | {} | {:.1} | {:.0} | {} |",
            s.minute,
            s.rss_kib as f64 / 1024.0,
            s.open_files,
            s.cases,
            s.db_bytes as f64 / 1048576.0,
            s.db_bytes as f64 / s.cases.max(1) as f64,
            s.delivered
        );
        samples.push(s);
    }
    for c in clients {
        c.await?;
    }
    // The first sample is the warm-up (caches, pools, the first pages of each table).
    if let (Some(first), Some(last)) = (samples.get(1), samples.last()) {
        println!(
            "\nfrom minute {:.1} to {:.1}: RSS {:.1} → {:.1} MiB, open files {} → {}, bytes per case \
             {:.0} → {:.0}; {} cases created, {} rounds with a failed request",
            first.minute,
            last.minute,
            first.rss_kib as f64 / 1024.0,
            last.rss_kib as f64 / 1024.0,
            first.open_files,
            last.open_files,
            first.db_bytes as f64 / first.cases.max(1) as f64,
            last.db_bytes as f64 / last.cases.max(1) as f64,
            cases.load(Ordering::Relaxed),
            errors.load(Ordering::Relaxed),
        );
    }
    Ok(())
}

/// One client's round: create, change one field, read it, list a page. Whether the case was
/// created, and whether every request succeeded.
async fn soak_round(http: &reqwest::Client, base: &str, key: &str, i: usize) -> (bool, bool) {
    let ok = |r: &reqwest::Response| r.status().is_success();
    let Ok(r) = http
        .post(format!("{base}/api/applications"))
        .bearer_auth(key)
        .json(&readme_case(i))
        .send()
        .await
    else {
        return (false, false);
    };
    if r.status().as_u16() != 201 {
        return (false, false);
    }
    let Some(id) = r
        .json::<serde_json::Value>()
        .await
        .ok()
        .and_then(|v| v["id"].as_str().map(str::to_string))
    else {
        return (true, false);
    };
    let patch = http
        .patch(format!("{base}/api/applications/{id}"))
        .bearer_auth(key)
        .json(&json!({"business": {"website": format!("https://soak-{i}.example")}}))
        .send()
        .await;
    let read = http
        .get(format!("{base}/api/applications/{id}"))
        .bearer_auth(key)
        .send()
        .await;
    let list = http
        .get(format!("{base}/api/applications?limit=20"))
        .bearer_auth(key)
        .send()
        .await;
    (
        true,
        [patch, read, list].iter().all(|r| r.as_ref().is_ok_and(ok)),
    )
}
