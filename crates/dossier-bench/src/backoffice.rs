//! `--backoffice N[,M…]`: the analyst back-office's server time with N cases in the database.
//!
//! The database is seeded through the API (`POST /api/applications`, concurrently): business and
//! person cases with distinct company names, registration numbers and external ids, and related
//! persons whose names are drawn from syllable lists (so that a name search is selective), some
//! tagged, some assigned to the benchmark's analyst or to a colleague, some decided. Then one
//! signed-in analyst (an admin) requests each page sequentially after a warm-up (so that latency is
//! close to the server's time): the case list's default view, a filter, a search by a person's name
//! and by a registration number, late pages, and the case page of random cases; then a few
//! concurrent clients the same mix; and the bytes of a case page with every asset it links. With
//! several sizes (`10000,100000`) the same database is topped up from one size to the next.
//!
//! `--keep NAME` keeps the database (`$TMPDIR/dossier-bench-keep-NAME`, or the PostgreSQL database
//! `dossier_bench_keep_NAME`) for a later run, which only adds the cases missing.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Value, json};
use sqlx::Connection;

use crate::{Args, Server, quantile, start_with};

/// The benchmark analyst's and a colleague's sign-in.
const ANALYST: &str = "bench-analyst@example.com";
const COLLEAGUE: &str = "bench-colleague@example.com";
const PASSWORD: &str = "bench-Backoffice-password-2026";

/// A well-mixed 64-bit hash (splitmix64): the seed of case `i`'s choices, the same on every run.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn pick<'a>(list: &[&'a str], i: usize, salt: u64) -> &'a str {
    list[(mix((i as u64) << 8 | salt) % list.len() as u64) as usize]
}

const FIRST_A: [&str; 20] = [
    "Al", "Be", "Cla", "Da", "El", "Fa", "Gi", "Ha", "Isa", "Jo", "Ka", "Lu", "Ma", "No", "Ol",
    "Pe", "Ra", "Sa", "Te", "Vi",
];
const FIRST_B: [&str; 20] = [
    "na", "rie", "bert", "mon", "lia", "dric", "nne", "ra", "vin", "line", "co", "ssa", "tin",
    "die", "ro", "ane", "stin", "lo", "mi", "xel",
];
const LAST_A: [&str; 24] = [
    "Bar", "Cor", "Dup", "Fer", "Gar", "Hol", "Kov", "Lam", "Mor", "Nov", "Ost", "Pet", "Ros",
    "Sch", "Tor", "Van", "Wei", "Zim", "Bran", "Del", "Lin", "Mar", "Ber", "Car",
];
const LAST_B: [&str; 24] = [
    "a", "e", "i", "o", "u", "el", "an", "en", "in", "on", "er", "ar", "ol", "am", "im", "ov",
    "ul", "ed", "ad", "is", "ot", "ur", "ay", "ey",
];
const LAST_C: [&str; 16] = [
    "ski", "mann", "ens", "ez", "ini", "son", "ard", "eau", "ic", "berg", "ova", "elli", "ont",
    "ley", "ier", "ek",
];
const COMPANY: [&str; 20] = [
    "ka", "lo", "mi", "ra", "to", "ve", "xa", "zu", "bri", "cor", "del", "fen", "gal", "hel",
    "jor", "kin", "lum", "nor", "pra", "sol",
];
const TRADE: [&str; 20] = [
    "Logistics",
    "Trading",
    "Holding",
    "Foods",
    "Systems",
    "Capital",
    "Textiles",
    "Energy",
    "Consulting",
    "Pharma",
    "Metals",
    "Software",
    "Shipping",
    "Studios",
    "Farms",
    "Motors",
    "Retail",
    "Labs",
    "Partners",
    "Works",
];
/// Country, legal form, registration number prefix: mostly standard risk, some FATF grey list
/// (Monaco, South Africa, Vietnam) and black list (Iran), so risk levels vary.
const COUNTRIES: [(&str, &str, &str); 12] = [
    ("FR", "SAS", "RCS "),
    ("FR", "SARL", "RCS "),
    ("DE", "GmbH", "HRB "),
    ("DE", "AG", "HRB "),
    ("NL", "BV", "KvK "),
    ("GB", "Ltd", ""),
    ("ES", "SL", "B"),
    ("IT", "Srl", "REA "),
    ("BE", "SRL", "BE0"),
    ("MC", "SAM", "RCI "),
    ("ZA", "Pty Ltd", ""),
    ("IR", "PJS", ""),
];
/// NACE codes: ordinary ones and a few the risk matrix rates high (gambling, trusts and funds).
const INDUSTRIES: [&str; 8] = [
    "49.41", "62.01", "47.11", "68.10", "10.71", "46.90", "64.30", "92",
];

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The `k`-th related person of case `i` (0 is the subject of a person case): first and last name.
pub fn person_name(i: usize, k: u64) -> (String, String) {
    let s = 16 + 8 * k;
    let first = format!("{}{}", pick(&FIRST_A, i, s), pick(&FIRST_B, i, s + 1));
    let last = format!(
        "{}{}{}",
        pick(&LAST_A, i, s + 2),
        pick(&LAST_B, i, s + 3),
        pick(&LAST_C, i, s + 4)
    );
    (first, last)
}

/// Case `i` is a person case (3 in 10) or a business case.
fn is_person(i: usize) -> bool {
    mix(i as u64) % 10 < 3
}

/// The registration number of case `i` (business cases): distinct for every `i` below 10⁹.
pub fn registration_number(i: usize) -> String {
    let (_, _, prefix) = COUNTRIES[(mix((i as u64) << 8 | 1) % COUNTRIES.len() as u64) as usize];
    format!("{prefix}{:09}", (i as u64 * 104_729 + 777) % 1_000_000_000)
}

/// The company name of case `i`: distinct for every `i` below 160,000 (a bijection of `i` onto
/// three syllables and a trade word).
fn company_name(i: usize, form: &str) -> String {
    let j = (i as u64 * 7_919 + 4_242) % 160_000;
    let d = |k: u32| (j / 20u64.pow(k) % 20) as usize;
    format!(
        "{}{}{} {} {form}",
        capitalise(COMPANY[d(0)]),
        COMPANY[d(1)],
        COMPANY[d(2)],
        TRADE[d(3)]
    )
}

/// Tags, assignment and decision of case `i`: 1 in 10 tagged `priority`, 1 in 20 `partner-x`; 1 in
/// 10 assigned to the analyst, 1 in 10 to the colleague; 1 in 20 rejected and 1 in 20 approved.
fn tags(i: usize) -> Vec<&'static str> {
    let mut t = Vec::new();
    if i.is_multiple_of(10) {
        t.push("priority");
    }
    if i % 20 == 3 {
        t.push("partner-x");
    }
    t
}

enum Assignee {
    Analyst,
    Colleague,
}

fn assignee(i: usize) -> Option<Assignee> {
    match i % 10 {
        1 => Some(Assignee::Analyst),
        2 => Some(Assignee::Colleague),
        _ => None,
    }
}

fn decision(i: usize) -> Option<&'static str> {
    match i % 20 {
        5 => Some("rejected"),
        6 => Some("approved"),
        _ => None,
    }
}

/// The body of `POST /api/applications` for case `i`.
pub fn case_body(i: usize) -> Value {
    let (country, form, _) =
        COUNTRIES[(mix((i as u64) << 8 | 1) % COUNTRIES.len() as u64) as usize];
    let birth = |k: u64| {
        let h = mix((i as u64) << 8 | (100 + k));
        format!(
            "{}-{:02}-{:02}",
            1950 + h % 50,
            1 + (h >> 8) % 12,
            1 + (h >> 16) % 28
        )
    };
    let nationality =
        |k: u64| COUNTRIES[(mix((i as u64) << 8 | (120 + k)) % COUNTRIES.len() as u64) as usize].0;
    let external_id = format!("crm-{:06}-{:04x}", i, mix(i as u64) & 0xffff);
    if is_person(i) {
        let (first, last) = person_name(i, 0);
        return json!({
            "type": "person",
            "person": {"first_name": first, "last_name": last, "birth_date": birth(0),
                       "nationality": nationality(0), "country_of_residence": country},
            "external_id": external_id,
            "tags": tags(i),
        });
    }
    let parties = 1 + (mix((i as u64) << 8 | 2) % 3);
    let relationships: Vec<Value> = (1..=parties)
        .map(|k| {
            let (first, last) = person_name(i, k);
            let roles = match k {
                1 => json!(["director", "signatory"]),
                2 => json!(["ubo"]),
                _ => json!(["director"]),
            };
            let mut r = json!({"kind": "person", "roles": roles,
                "person": {"first_name": first, "last_name": last, "birth_date": birth(k),
                           "nationality": nationality(k)}});
            if k == 2 {
                r["ownership_percentage"] = json!(25 + mix(i as u64) % 70);
            }
            r
        })
        .collect();
    json!({
        "type": "business",
        "business": {"name": company_name(i, form), "registration_number": registration_number(i),
                     "country": country, "legal_form": form,
                     "incorporation_date": format!("{}-03-02", 1990 + i % 34),
                     "industry_code": pick(&INDUSTRIES, i, 3),
                     "address": {"line1": format!("{} Main Street", 1 + i % 200), "city": "Capital",
                                 "postal_code": format!("{:05}", i % 100_000), "country": country}},
        "relationships": relationships,
        "external_id": external_id,
        "tags": tags(i),
    })
}

/// Runs the `dossier` CLI on the benchmark's store, `stdin` on its standard input: its standard
/// output, or its standard error as the failure.
fn cli(server: &Server, args: &[&str], stdin: &str) -> anyhow::Result<String> {
    use std::io::Write;
    let mut child = Command::new(&server.dossier)
        .args(args)
        .args(&server.store_args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    child
        .stdin
        .take()
        .context("stdin")?
        .write_all(stdin.as_bytes())?;
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!("dossier {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8(out.stdout)?)
}

/// The user's id, creating them (with [`PASSWORD`]) unless they exist (a kept database).
fn ensure_user(server: &Server, email: &str, role: &str) -> anyhow::Result<String> {
    let find = |list: &str| {
        list.lines()
            .find(|l| l.split('\t').nth(1) == Some(email))
            .and_then(|l| l.split('\t').next())
            .map(str::to_string)
    };
    if let Some(id) = find(&cli(server, &["user", "list"], "")?) {
        return Ok(id);
    }
    cli(
        server,
        &[
            "user",
            "create",
            "--email",
            email,
            "--role",
            role,
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    )?;
    find(&cli(server, &["user", "list"], "")?).context("the user was not created")
}

/// The database's own answer to `sql` (a count), read beside the server.
async fn count(store: &Store, sql: &str) -> anyhow::Result<i64> {
    Ok(match store {
        Store::Sqlite(path) => {
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{path}")).await?;
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(&mut c)
                .await?
        }
        Store::Postgres(url) => {
            let mut c = sqlx::PgConnection::connect(url).await?;
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(&mut c)
                .await?
        }
    })
}

/// Ids of `n` random cases of the workspace.
async fn random_ids(store: &Store, n: usize) -> anyhow::Result<Vec<String>> {
    let sql = format!("SELECT id FROM applications ORDER BY random() LIMIT {n}");
    Ok(match store {
        Store::Sqlite(path) => {
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{path}")).await?;
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_all(&mut c)
                .await?
        }
        Store::Postgres(url) => {
            let mut c = sqlx::PgConnection::connect(url).await?;
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_all(&mut c)
                .await?
        }
    })
}

/// Where the benchmark's database is, for reading it directly.
pub enum Store {
    /// The SQLite file.
    Sqlite(String),
    /// The PostgreSQL database's URL.
    Postgres(String),
}

/// Adds cases `from..to` through the API, `clients` at a time, with their assignment and decision;
/// returns the seconds it took and the failures.
async fn seed(
    base: &str,
    key: &str,
    analyst: &str,
    colleague: &str,
    from: usize,
    to: usize,
    clients: usize,
) -> (f64, usize) {
    let next = Arc::new(AtomicUsize::new(from));
    let failed = Arc::new(AtomicUsize::new(0));
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .expect("client");
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (next, failed, http) = (next.clone(), failed.clone(), http.clone());
        let (base, key) = (base.to_string(), key.to_string());
        let (analyst, colleague) = (analyst.to_string(), colleague.to_string());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= to {
                    break;
                }
                if i.is_multiple_of(10_000) && i > from {
                    eprintln!(
                        "  … {i} cases ({:.0}/s)",
                        (i - from) as f64 / started.elapsed().as_secs_f64()
                    );
                }
                let ok = async {
                    let created: Value = http
                        .post(format!("{base}/api/applications"))
                        .bearer_auth(&key)
                        .json(&case_body(i))
                        .send()
                        .await?
                        .error_for_status()?
                        .json()
                        .await?;
                    let id = created["id"].as_str().context("no id")?;
                    if let Some(who) = assignee(i) {
                        let user = match who {
                            Assignee::Analyst => &analyst,
                            Assignee::Colleague => &colleague,
                        };
                        http.post(format!("{base}/api/applications/{id}/assignee"))
                            .bearer_auth(&key)
                            .json(&json!({"assignee_id": user}))
                            .send()
                            .await?
                            .error_for_status()?;
                    }
                    if let Some(outcome) = decision(i) {
                        // Refusals (four eyes, say) leave the case pending: not a failure.
                        http.post(format!("{base}/api/applications/{id}/decision"))
                            .bearer_auth(&key)
                            .json(&json!({"status_review": outcome, "reason": "benchmark",
                                          "override_open_tasks": true}))
                            .send()
                            .await?;
                    }
                    Ok::<_, anyhow::Error>(())
                }
                .await;
                if ok.is_err() {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    (
        started.elapsed().as_secs_f64(),
        failed.load(Ordering::Relaxed),
    )
}

/// Signs in through the form; the session cookie (`name=value`).
async fn sign_in(base: &str) -> anyhow::Result<String> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let resp = http
        .post(format!("{base}/login"))
        .header("origin", base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string([
            ("email", ANALYST),
            ("password", PASSWORD),
            ("next", "/cases"),
        ])?)
        .send()
        .await?;
    if !resp.status().is_redirection() {
        bail!("sign-in answered {}", resp.status());
    }
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|c| c.to_str().ok())
        .find(|c| c.starts_with("dossier_session="))
        .and_then(|c| c.split(';').next())
        .map(str::to_string)
        .context("no session cookie")
}

/// One measured page: latencies in ms, the HTML size of its last answer, the non-200 answers.
struct PageStat {
    name: String,
    ms: Vec<f64>,
    bytes: usize,
    errors: usize,
    /// `total` the list showed on its first answer (for the reader: how selective it was).
    matched: Option<String>,
}

async fn get_page(
    http: &reqwest::Client,
    cookie: &str,
    url: &str,
) -> anyhow::Result<(u16, String, f64)> {
    let started = Instant::now();
    let resp = http.get(url).header("cookie", cookie).send().await?;
    let status = resp.status().as_u16();
    let text = resp.text().await?;
    Ok((status, text, started.elapsed().as_secs_f64() * 1000.0))
}

/// The count a case list shows (its status line, "1,234 cases").
fn shown_total(html: &str) -> Option<String> {
    let marker = "class=\"bo-count\" role=\"status\">";
    let at = html.find(marker)? + marker.len();
    let line = html[at..].split('<').next()?;
    Some(
        line.replace(['\u{2068}', '\u{2069}'], "")
            .trim()
            .to_string(),
    )
}

/// `requests` sequential requests of `url(k)` after `warm` unmeasured ones.
async fn measure(
    http: &reqwest::Client,
    cookie: &str,
    name: &str,
    requests: usize,
    url: &(dyn Fn(usize) -> String + Sync),
) -> anyhow::Result<PageStat> {
    let warm = 20.min(requests);
    let mut stat = PageStat {
        name: name.to_string(),
        ms: Vec::with_capacity(requests),
        bytes: 0,
        errors: 0,
        matched: None,
    };
    for k in 0..warm + requests {
        let (status, text, ms) = get_page(http, cookie, &url(k)).await?;
        if k < warm {
            if k == 0 {
                stat.matched = shown_total(&text);
            }
            continue;
        }
        if status != 200 {
            stat.errors += 1;
            if stat.errors == 1 {
                eprintln!(
                    "{name}: {status} for {}: {}",
                    url(k),
                    &text[..text.len().min(300)]
                );
            }
        }
        stat.ms.push(ms);
        stat.bytes = text.len();
    }
    stat.ms.sort_by(f64::total_cmp);
    Ok(stat)
}

/// The bytes a browser transfers for a page and every same-origin asset it links (`href` and `src`
/// under `/assets/`), asking for gzip; also whether the server compressed anything.
async fn page_weight(
    http: &reqwest::Client,
    cookie: &str,
    base: &str,
    path: &str,
) -> anyhow::Result<(usize, usize, Vec<String>)> {
    let get = |url: String| async move {
        let resp = http
            .get(url)
            .header("cookie", cookie)
            .header("accept-encoding", "gzip")
            .send()
            .await?;
        let encoding = resp
            .headers()
            .get("content-encoding")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("identity")
            .to_string();
        let body = resp.bytes().await?;
        Ok::<_, anyhow::Error>((body, encoding))
    };
    let (html, encoding) = get(format!("{base}{path}")).await?;
    let text = String::from_utf8_lossy(&html).to_string();
    let mut notes = vec![format!("HTML {} B ({encoding})", html.len())];
    let mut assets = Vec::new();
    for attr in ["href=\"/assets/", "src=\"/assets/"] {
        for piece in text.split(attr).skip(1) {
            let rest = piece.split('"').next().unwrap_or_default();
            let asset = format!("/assets/{}", rest.replace("&amp;", "&"));
            if !assets.contains(&asset) {
                assets.push(asset);
            }
        }
    }
    let mut total = html.len();
    for asset in &assets {
        let (body, encoding) = get(format!("{base}{asset}")).await?;
        notes.push(format!(
            "{} {} B ({encoding})",
            asset.split('?').next().unwrap_or_default(),
            body.len()
        ));
        total += body.len();
    }
    Ok((total, html.len(), notes))
}

/// The pages measured, by name: each a function of the request's number.
type PageUrl = Box<dyn Fn(usize) -> String + Send + Sync>;

fn pages(base: &str, n: usize, ids: Arc<Vec<String>>) -> Vec<(&'static str, PageUrl)> {
    let b = base.to_string();
    let r = move |k: usize, salt: u64| (mix((k as u64) << 8 | salt) % n as u64) as usize;
    let person = move |k: usize| {
        // A person of a random case: the subject of a person case, or one of a business's.
        let i = r(k, 1);
        let p = if is_person(i) { 0 } else { 1 };
        let (first, last) = person_name(i, p);
        format!("{first}+{last}")
    };
    let business = move |k: usize| {
        (0..)
            .map(|t| r(k, 2 + t))
            .find(|&i| !is_person(i))
            .expect("a business case")
    };
    let last_page = n.div_ceil(50);
    let (b1, b2, b3, b4, b5, b6, b7) = (
        b.clone(),
        b.clone(),
        b.clone(),
        b.clone(),
        b.clone(),
        b.clone(),
        b,
    );
    vec![
        (
            "`/cases` (default view: mine or unassigned, last changed first)",
            Box::new(move |_| format!("{b1}/cases")),
        ),
        (
            "`/cases?assignee=any&status_review=pending&risk_level=high`",
            Box::new(move |_| {
                format!("{b2}/cases?assignee=any&status_review=pending&risk_level=high")
            }),
        ),
        (
            "`/cases?assignee=any&tag=priority&status_review=pending` (tag filter)",
            Box::new(move |_| {
                format!("{b3}/cases?assignee=any&tag=priority&status_review=pending")
            }),
        ),
        (
            "`/cases?assignee=any&q=<first+last name of a related person>`",
            Box::new(move |k| format!("{b4}/cases?assignee=any&q={}", person(k))),
        ),
        (
            "`/cases?assignee=any&q=<registration number>`",
            Box::new(move |k| {
                let number = registration_number(business(k));
                let digits = number.trim_start_matches(|c: char| !c.is_ascii_digit());
                format!("{b5}/cases?assignee=any&q={digits}")
            }),
        ),
        (
            "`/cases?assignee=any&sort=name&dir=asc&page=100` (late page, by name)",
            Box::new(move |_| format!("{b6}/cases?assignee=any&sort=name&dir=asc&page=100")),
        ),
        (
            "`/cases?assignee=any&sort=created_at&dir=asc&page=<last>`",
            Box::new(move |_| {
                format!("{b7}/cases?assignee=any&sort=created_at&dir=asc&page={last_page}")
            }),
        ),
        ("`/cases/{id}` (random cases)", {
            let b = base.to_string();
            Box::new(move |k| format!("{b}/cases/{}", ids[k % ids.len()]))
        }),
    ]
}

/// Measures every page at the database's current size `n`; prints the table's rows.
async fn measure_all(
    args: &Args,
    server: &Server,
    store: &Store,
    n: usize,
    requests: usize,
) -> anyhow::Result<()> {
    let cookie = sign_in(&server.base).await?;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(8)
        .build()?;
    let ids = Arc::new(random_ids(store, 1000).await?);
    let pages = pages(&server.base, n, ids.clone());
    println!(
        "\nback-office, backend {}, {n} cases, {requests} sequential requests per page after 20 \
         unmeasured, one signed-in admin",
        args.backend
    );
    println!("| page | p50 ms | p95 ms | max ms | HTML bytes | cases shown | errors |");
    println!("|---|---|---|---|---|---|---|");
    for (name, url) in &pages {
        let s = measure(&http, &cookie, name, requests, url.as_ref()).await?;
        println!(
            "| {} | {:.1} | {:.1} | {:.1} | {} | {} | {} |",
            s.name,
            quantile(&s.ms, 0.5),
            quantile(&s.ms, 0.95),
            s.ms.last().copied().unwrap_or(0.0),
            s.bytes,
            s.matched.as_deref().unwrap_or("–"),
            s.errors
        );
    }

    // A few concurrent clients, each going round the same pages, for a few seconds.
    let clients = 4;
    let deadline = Instant::now() + Duration::from_secs(args.seconds.min(10));
    let pages = Arc::new(pages);
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (http, cookie, pages) = (http.clone(), cookie.clone(), pages.clone());
        tasks.push(tokio::spawn(async move {
            let mut ms = Vec::new();
            let mut k = c * 1_000;
            while Instant::now() < deadline {
                let (_, url) = &pages[k % pages.len()];
                if let Ok((200, _, t)) = get_page(&http, &cookie, &url(k)).await {
                    ms.push(t);
                }
                k += 1;
            }
            ms
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await?);
    }
    all.sort_by(f64::total_cmp);
    println!(
        "{clients} concurrent clients, all pages in turn, {} s: {:.0} pages/s, p50 {:.1} ms, \
         p95 {:.1} ms, max {:.1} ms",
        args.seconds.min(10),
        all.len() as f64 / args.seconds.min(10) as f64,
        quantile(&all, 0.5),
        quantile(&all, 0.95),
        all.last().copied().unwrap_or(0.0)
    );

    // The weight of a business case's page, and of the list, with their assets.
    let business = first_business_id(store).await?;
    for path in [format!("/cases/{business}"), "/cases".to_string()] {
        let (total, html, notes) = page_weight(&http, &cookie, &server.base, &path).await?;
        println!(
            "`{}` with its assets: {total} B ({:.1} KB; the HTML {html} B): {}",
            if path == "/cases" {
                "/cases"
            } else {
                "/cases/{id}"
            },
            total as f64 / 1024.0,
            notes.join(", ")
        );
    }
    Ok(())
}

/// The first business case by id (the same one on every run of a kept database), for the page
/// weight.
async fn first_business_id(store: &Store) -> anyhow::Result<String> {
    let sql = "SELECT id FROM applications WHERE kind = 'business' ORDER BY id LIMIT 1";
    Ok(match store {
        Store::Sqlite(path) => {
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{path}")).await?;
            sqlx::query_scalar(sql).fetch_one(&mut c).await?
        }
        Store::Postgres(url) => {
            let mut c = sqlx::PgConnection::connect(url).await?;
            sqlx::query_scalar(sql).fetch_one(&mut c).await?
        }
    })
}

/// The back-office benchmark (see the module).
pub async fn run(
    args: &Args,
    store_args: Vec<String>,
    store: Store,
    sizes: &[usize],
) -> anyhow::Result<()> {
    // No official watchlists: the screening worker has no index, so it leaves the queue alone (the
    // cases' screening tasks stay pending) and writes nothing beside the measurements.
    let env = [("DOSSIER_WATCHLISTS__OFFICIAL", "[]")];
    let server = start_with(args, store_args, false, &env).await?;
    let key = server
        .cli(&["apikey", "create", "--role", "admin"])?
        .lines()
        .last()
        .unwrap_or_default()
        .trim()
        .to_string();
    let analyst = ensure_user(&server, ANALYST, "admin")?;
    let colleague = ensure_user(&server, COLLEAGUE, "reviewer")?;
    for &n in sizes {
        let have = count(&store, "SELECT COUNT(*) FROM applications").await? as usize;
        if have < n {
            let clients = args.concurrency.min(16);
            eprintln!("seeding cases {have}..{n} through the API, {clients} clients");
            let (secs, failed) =
                seed(&server.base, &key, &analyst, &colleague, have, n, clients).await;
            println!(
                "seeded {} cases in {secs:.0} s: {:.0} cases/s (with their assignments and \
                 decisions: 1 in 5 assigned, 1 in 10 decided), {failed} failed",
                n - have,
                (n - have) as f64 / secs
            );
        }
        // As autovacuum would after a bulk load (it may be off, as on the project's machine, and
        // PostgreSQL then plans the list's joins from empty statistics and cannot read an index
        // alone until the visibility map is set): a vacuum with statistics, and a checkpoint so
        // that the measurements do not pay for flushing the seeding's writes. One statement each:
        // VACUUM refuses to run in a transaction, which several statements of one query are.
        if let Store::Postgres(url) = &store {
            let mut c = sqlx::PgConnection::connect(url).await?;
            for statement in ["VACUUM ANALYZE", "CHECKPOINT"] {
                sqlx::raw_sql(statement).execute(&mut c).await?;
            }
        }
        let total = count(&store, "SELECT COUNT(*) FROM applications").await?;
        measure_all(args, &server, &store, total as usize, args.requests).await?;
    }
    Ok(())
}
