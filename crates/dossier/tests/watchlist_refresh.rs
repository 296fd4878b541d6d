//! Scheduled watchlist refresh and snapshot pruning, on SQLite and PostgreSQL, over real list files:
//! `dossier watchlist refresh` against a real HTTP file server on loopback (a single file and the
//! OFAC CSV set by base URL) and a local path; unchanged content stores nothing; a changed file
//! gives a new version with its diff; a broken file keeps the previous snapshot; pruning keeps N;
//! leases; and `dossier serve` refreshing on its own.

mod common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use common::{Backend, TestServer};
use serde_json::{Value, json};

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/watchlists"
);

/// A scratch directory removed at the end of the test.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("dossier-refresh-{}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A static file server on a free loopback port serving `dir` (404 for anything missing).
async fn file_server(dir: PathBuf) -> String {
    async fn serve(
        State(dir): State<PathBuf>,
        UrlPath(path): UrlPath<String>,
    ) -> Result<Vec<u8>, StatusCode> {
        if path.contains("..") {
            return Err(StatusCode::BAD_REQUEST);
        }
        std::fs::read(dir.join(path)).map_err(|_| StatusCode::NOT_FOUND)
    }
    let app = axum::Router::new()
        .route("/{*path}", axum::routing::get(serve))
        .with_state(dir);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn copy(from: &str, to: &Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(format!("{DATA}/{from}"), to).unwrap();
}

/// Runs a CLI command that must succeed and prints one JSON object per line.
fn json_lines(srv: &TestServer, args: &[&str]) -> Vec<Value> {
    let out = srv.cli(args);
    assert!(
        out.status.success(),
        "dossier {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// The first result's list id of `dossier screen --json --name NAME`.
fn screen_first(srv: &TestServer, name: &str) -> Value {
    let out = srv.cli(&["screen", "--name", name, "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Value>(&out.stdout).unwrap()["results"][0]["entity"]["list_id"].clone()
}

fn snapshots(srv: &TestServer) -> Vec<Value> {
    let out = srv.cli(&["watchlist", "list", "--json"]);
    assert!(out.status.success());
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// The snapshots of one source, newest first.
fn versions(srv: &TestServer, source: &str) -> Vec<Value> {
    let mut v: Vec<Value> = snapshots(srv)
        .into_iter()
        .filter(|s| s["source"] == source)
        .collect();
    v.sort_by_key(|s| -s["version"].as_i64().unwrap());
    v
}

fn by_source<'a>(lines: &'a [Value], source: &str) -> &'a Value {
    lines
        .iter()
        .find(|l| l["source"] == source)
        .unwrap_or_else(|| panic!("no line for {source}: {lines:?}"))
}

fn keys(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|k| k["list_id"].as_str().unwrap().to_string())
        .collect()
}

/// The Senzing export with record `drop` removed, record `rename` renamed and a new record added
/// (a copy of `template` under a new id and name). Returns the file's text.
fn edited_senzing(original: &str, drop: &str, rename: &str, added: Option<(&str, &str)>) -> String {
    let mut out = String::new();
    let mut template = None;
    for line in original.lines() {
        let mut v: Value = serde_json::from_str(line).unwrap();
        let id = v["RECORD_ID"].as_str().unwrap().to_string();
        if template.is_none() && v["RECORD_TYPE"] == "PERSON" {
            template = Some(v.clone());
        }
        if id == drop {
            continue;
        }
        if id == rename {
            v["NAMES"] =
                json!([{"NAME_TYPE": "PRIMARY", "NAME_FULL": "Renamed Testperson Quillfeather"}]);
        }
        out.push_str(&serde_json::to_string(&v).unwrap());
        out.push('\n');
    }
    if let Some((id, name)) = added {
        let mut v = template.unwrap();
        v["RECORD_ID"] = json!(id);
        v["NAMES"] = json!([{"NAME_TYPE": "PRIMARY", "NAME_FULL": name}]);
        v["URL"] = json!(format!("https://www.opensanctions.org/entities/{id}"));
        out.push_str(&serde_json::to_string(&v).unwrap());
        out.push('\n');
    }
    out
}

/// Writes `dossier.toml` in `dir` and returns its path.
fn write_config(dir: &Path, keep: u32, sources: &str) -> PathBuf {
    let path = dir.join("dossier.toml");
    std::fs::write(
        &path,
        format!("[watchlists]\nkeep_snapshots = {keep}\nfetch_timeout_secs = 20\n{sources}"),
    )
    .unwrap();
    path
}

async fn refresh_over_http_and_paths(backend: Backend) {
    let scratch = Scratch::new();
    let served = scratch.0.join("served");
    copy(
        "opensanctions_ftm/us_congress_peps_senzing.json",
        &served.join("peps.json"),
    );
    for f in [
        "cons_prim.csv",
        "cons_add.csv",
        "cons_alt.csv",
        "cons_comments.csv",
    ] {
        copy(
            &format!("ofac_non_sdn/2025-12/{f}"),
            &served.join("ofac").join(f),
        );
    }
    // (Not the UN XML here: it parses slowly in a debug build.)
    let zala = scratch.0.join("zala.ftm.json");
    copy("opensanctions_ftm/yente_zala_cluster.ftm.json", &zala);
    let base = file_server(served.clone()).await;
    let config = write_config(
        &scratch.0,
        2,
        &format!(
            r#"
[[watchlists.sources]]
name = "us_congress"
kind = "senzing"
url = "{base}/peps.json"
every = "6h"

[[watchlists.sources]]
name = "ofac_cons"
kind = "ofac_sdn"
url = "{base}/ofac/cons_prim.csv"
every = "1d"

[[watchlists.sources]]
name = "zala"
kind = "ftm"
path = "{}"
every = "12h"
"#,
            zala.display()
        ),
    );
    let srv = TestServer::with_env(backend, &[("DOSSIER_CONFIG", config.to_str().unwrap())]).await;

    // First refresh: every source is imported, from a URL, the OFAC CSV set (its secondary files
    // found beside the primary one), a path.
    let first = json_lines(&srv, &["watchlist", "refresh", "--json"]);
    assert_eq!(first.len(), 3, "{first:?}");
    for (source, count) in [("us_congress", 1317), ("ofac_cons", 442), ("zala", 17)] {
        let line = by_source(&first, source);
        assert_eq!(line["outcome"], "imported", "{line}");
        assert_eq!(line["snapshot"]["version"], 1);
        assert_eq!(line["snapshot"]["entity_count"], count, "{source}");
        assert_eq!(line["snapshot"]["added"], count, "{source}");
        assert_eq!(line["previous_id"], Value::Null);
    }
    assert_eq!(
        by_source(&first, "us_congress")["snapshot"]["label"],
        format!("{base}/peps.json")
    );
    let ofac_v1 = by_source(&first, "ofac_cons")["snapshot"]["id"].clone();
    // The set fetched over HTTP (primary, then add/alt/comments found beside it) is the same
    // content as the folder imported from disk: same digest.
    let from_disk = srv.cli(&[
        "watchlist",
        "import",
        "--source",
        "ofac_sdn",
        served.join("ofac").to_str().unwrap(),
        "--json",
    ]);
    assert!(from_disk.status.success());
    let from_disk: Value = serde_json::from_slice(&from_disk.stdout).unwrap();
    assert_eq!(
        from_disk["digest"],
        by_source(&first, "ofac_cons")["snapshot"]["digest"]
    );

    // Same content again: nothing stored.
    let second = json_lines(&srv, &["watchlist", "refresh", "--json"]);
    for line in &second {
        assert_eq!(line["outcome"], "unchanged", "{line}");
        assert_eq!(line["snapshot"]["version"], 1);
    }
    assert_eq!(snapshots(&srv).len(), 4);

    // A changed file: a new version with exactly that diff; the other sources are unchanged.
    let original = std::fs::read_to_string(served.join("peps.json")).unwrap();
    let ids: Vec<String> = original
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["RECORD_TYPE"] == "PERSON")
        .map(|v| v["RECORD_ID"].as_str().unwrap().to_string())
        .collect();
    let (dropped, renamed) = (ids[3].clone(), ids[7].clone());
    let added_name = "Zebulon Quartermaine Fitzwilliam";
    std::fs::write(
        served.join("peps.json"),
        edited_senzing(
            &original,
            &dropped,
            &renamed,
            Some(("TEST-ADDED-1", added_name)),
        ),
    )
    .unwrap();
    let third = json_lines(&srv, &["watchlist", "refresh", "--json"]);
    let peps = by_source(&third, "us_congress");
    assert_eq!(peps["outcome"], "imported", "{peps}");
    assert_eq!(peps["snapshot"]["version"], 2);
    assert_eq!(peps["previous_id"], first[0]["snapshot"]["id"]);
    assert_eq!(keys(&peps["added"]), ["TEST-ADDED-1"]);
    assert_eq!(keys(&peps["removed"]), [dropped.as_str()]);
    assert_eq!(keys(&peps["changed"]), [renamed.as_str()]);
    assert_eq!(peps["snapshot"]["entity_count"], 1317);
    assert_eq!(by_source(&third, "ofac_cons")["outcome"], "unchanged");
    assert_eq!(by_source(&third, "zala")["outcome"], "unchanged");
    let v2 = peps["snapshot"]["id"].as_str().unwrap().to_string();
    assert_eq!(screen_first(&srv, added_name), "TEST-ADDED-1");

    // A broken file (cut off mid-record): the refresh fails naming the URL and line, nothing is
    // stored and version 2 stays in use; the other sources still refresh.
    let edited = std::fs::read_to_string(served.join("peps.json")).unwrap();
    let cut = edited
        .lines()
        .take(9)
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        + &edited.lines().nth(9).unwrap()[..40];
    std::fs::write(served.join("peps.json"), cut).unwrap();
    let out = srv.cli(&["watchlist", "refresh", "--json"]);
    assert!(!out.status.success(), "a failed source fails the command");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{base}/peps.json:10"))
            && stderr.contains("previous snapshot stays in use"),
        "{stderr}"
    );
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(by_source(&lines, "us_congress")["outcome"], "failed");
    assert!(
        by_source(&lines, "us_congress")["error"]
            .as_str()
            .unwrap()
            .contains("peps.json:10")
    );
    assert_eq!(by_source(&lines, "ofac_cons")["outcome"], "unchanged");
    let peps_versions = versions(&srv, "us_congress");
    assert_eq!(peps_versions.len(), 2);
    assert_eq!(peps_versions[0]["id"], v2.as_str());
    assert_eq!(screen_first(&srv, added_name), "TEST-ADDED-1");
    // The failure is recorded for the schedule's backoff.
    assert_eq!(
        srv.sql_i64("SELECT failures FROM watchlist_refresh WHERE source = 'us_congress'")
            .await,
        1
    );

    // A third version (the original file back) prunes the first: keep = 2.
    std::fs::write(served.join("peps.json"), &original).unwrap();
    let out = srv.cli(&["watchlist", "refresh", "--source", "us_congress", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["snapshot"]["version"], 3);
    assert_eq!(keys(&line["added"]), [dropped.as_str()]);
    assert_eq!(keys(&line["removed"]), ["TEST-ADDED-1"]);
    assert_eq!(line["pruned"], json!([first[0]["snapshot"]["id"]]));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("pruned the entities of us_congress version 1")
    );
    assert_eq!(
        srv.sql_i64("SELECT failures FROM watchlist_refresh WHERE source = 'us_congress'")
            .await,
        0
    );
    let rows = |id: String| {
        let srv = &srv;
        async move {
            srv.sql_i64(&format!(
                "SELECT COUNT(*) FROM watchlist_entities WHERE snapshot_id = '{id}'"
            ))
            .await
        }
    };
    let peps_versions = versions(&srv, "us_congress");
    assert_eq!(peps_versions.len(), 3, "the pruned snapshot's row stays");
    assert!(
        peps_versions[2]["pruned_at"].is_string(),
        "{:?}",
        peps_versions[2]
    );
    assert_eq!(peps_versions[2]["entity_count"], 1317, "its counts stay");
    assert_eq!(
        rows(peps_versions[2]["id"].as_str().unwrap().into()).await,
        0
    );
    for v in &peps_versions[..2] {
        assert!(v["pruned_at"].is_null(), "{v}");
        assert_eq!(rows(v["id"].as_str().unwrap().into()).await, 1317);
    }
    assert_eq!(rows(ofac_v1.as_str().unwrap().into()).await, 442);
    let listing = String::from_utf8_lossy(&srv.cli(&["watchlist", "list"]).stdout).to_string();
    assert_eq!(listing.matches("(pruned)").count(), 1, "{listing}");

    // `watchlist prune --keep 1`: only the newest of each source keeps its entities; the newest
    // data is intact and still searched.
    let pruned: Value = serde_json::from_slice(
        &srv.cli(&["watchlist", "prune", "--keep", "1", "--json"])
            .stdout,
    )
    .unwrap();
    assert_eq!(pruned.as_array().unwrap().len(), 1, "{pruned}");
    assert_eq!(pruned[0]["id"], v2.as_str());
    assert_eq!(rows(v2.clone()).await, 0);
    assert_eq!(
        rows(peps_versions[0]["id"].as_str().unwrap().into()).await,
        1317
    );
    let out = srv.cli(&["watchlist", "prune", "--keep", "1"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("nothing to prune"));
    let dropped_name = original
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|v| v["RECORD_ID"] == dropped.as_str())
        .unwrap()["NAMES"][0]["NAME_FULL"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(screen_first(&srv, &dropped_name), dropped.as_str());
    let out = srv.cli(&["watchlist", "prune", "--keep", "0"]);
    assert!(!out.status.success());

    // Another process holds zala's lease: skipped, not failed. Once it expires, it runs.
    srv.sql(
        "UPDATE watchlist_refresh SET lease_owner = 'other-node', \
         lease_until = '2999-01-01T00:00:00.000000Z' WHERE source = 'zala'",
    )
    .await;
    let busy = json_lines(
        &srv,
        &["watchlist", "refresh", "--source", "zala", "--json"],
    );
    assert_eq!(busy[0]["outcome"], "busy", "{busy:?}");
    assert_eq!(busy[0]["lease_until"], "2999-01-01T00:00:00.000000Z");
    srv.sql(
        "UPDATE watchlist_refresh SET lease_until = '2000-01-01T00:00:00.000000Z' \
         WHERE source = 'zala'",
    )
    .await;
    let again = json_lines(
        &srv,
        &["watchlist", "refresh", "--source", "zala", "--json"],
    );
    assert_eq!(again[0]["outcome"], "unchanged", "{again:?}");
    let out = srv.cli(&["watchlist", "refresh", "--source", "nope"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("no configured watchlist source named `nope`")
    );

    // Two refreshes at once (two nodes, or cron beside serve): one imports the new content, the
    // other finds the lease taken or, if it came after, the content unchanged; never two versions.
    std::fs::write(
        served.join("peps.json"),
        edited_senzing(&original, &renamed, &dropped, None),
    )
    .unwrap();
    let racers: Vec<_> = (0..2)
        .map(|_| {
            std::process::Command::new(env!("CARGO_BIN_EXE_dossier"))
                .args(["watchlist", "refresh", "--source", "us_congress", "--json"])
                .args(srv.store_args())
                .env("DOSSIER_CONFIG", &config)
                .env("RUST_LOG", "warn")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut outcomes: Vec<String> = racers
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let line: Value = serde_json::from_slice(&out.stdout).unwrap();
            line["outcome"].as_str().unwrap().to_string()
        })
        .collect();
    outcomes.sort();
    assert!(
        outcomes == ["busy", "imported"] || outcomes == ["imported", "unchanged"],
        "{outcomes:?}"
    );
    assert_eq!(versions(&srv, "us_congress")[0]["version"], 4);

    // A download over the size cap fails (naming the cap) and changes nothing.
    let text = std::fs::read_to_string(&config).unwrap();
    let text = text.replacen(
        "[watchlists]\n",
        "[watchlists]\nfetch_max_bytes = 1000\n",
        1,
    );
    std::fs::write(&config, text).unwrap();
    std::fs::write(
        served.join("peps.json"),
        edited_senzing(&original, &dropped, &renamed, None),
    )
    .unwrap();
    let out = srv.cli(&["watchlist", "refresh", "--source", "us_congress"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("larger than watchlists.fetch_max_bytes (1000 bytes)"),
        "{err}"
    );
    assert_eq!(versions(&srv, "us_congress").len(), 4);
}

/// Polls `f` until it returns `Some`, for at most `secs` seconds.
async fn wait_for<T>(secs: u64, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            started.elapsed() < Duration::from_secs(secs),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn serve_refreshes_on_schedule(backend: Backend) {
    let scratch = Scratch::new();
    let file = scratch.0.join("eu_fsf.ftm.json");
    copy("opensanctions_ftm/yente_t1_eu_fsf_sample.ftm.json", &file);
    let base = file_server(scratch.0.join("empty")).await;
    let config = write_config(
        &scratch.0,
        3,
        &format!(
            r#"
[[watchlists.sources]]
name = "eu_fsf"
kind = "ftm"
path = "{}"
every = "1s"

[[watchlists.sources]]
name = "gone_feed"
kind = "senzing"
url = "{base}/missing.json"
every = "1s"
"#,
            file.display()
        ),
    );
    let mut srv =
        TestServer::with_env(backend, &[("DOSSIER_CONFIG", config.to_str().unwrap())]).await;
    srv.spawn().await;

    // At start-up the never-imported source is imported without waiting an interval.
    let v1 = wait_for(20, "the first scheduled import", || {
        versions(&srv, "eu_fsf").first().cloned()
    })
    .await;
    assert_eq!(v1["version"], 1);
    let count = v1["entity_count"].as_i64().unwrap();
    assert!(count >= 5, "{v1}");

    // Unchanged content at the next intervals: no new version.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(versions(&srv, "eu_fsf").len(), 1);

    // A changed file is picked up at the next interval, with its diff.
    let text = std::fs::read_to_string(&file).unwrap();
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.contains("Vitaly Yurievich KUZMENKO"))
        .collect();
    assert_eq!(kept.len(), text.lines().count() - 1);
    std::fs::write(&file, kept.join("\n") + "\n").unwrap();
    let v2 = wait_for(20, "the changed file's import", || {
        versions(&srv, "eu_fsf")
            .into_iter()
            .find(|s| s["version"] == 2)
    })
    .await;
    assert_eq!(v2["removed"], 1, "{v2}");
    assert_eq!(v2["added"], 0);
    assert_eq!(v2["entity_count"].as_i64().unwrap(), count - 1);

    // A garbled file: logged with the source's name and the file and line; version 2 stays.
    std::fs::write(
        &file,
        kept[0].to_string() + "\n{\"id\": \"x\", \"schema\": \n",
    )
    .unwrap();
    let failure = wait_for(20, "the failure in the log", || {
        srv.log()
            .lines()
            .find(|l| l.contains("source=eu_fsf") && l.contains("watchlist refresh failed"))
            .map(str::to_string)
    })
    .await;
    let log = srv.log();
    assert!(
        failure.contains(&format!("{}:2", file.display())),
        "{failure}"
    );
    let gone = log
        .lines()
        .find(|l| l.contains("gone_feed") && l.contains("watchlist refresh failed"))
        .unwrap_or_else(|| panic!("{log}"));
    assert!(gone.contains("404"), "{gone}");
    let current = versions(&srv, "eu_fsf");
    assert_eq!(current.len(), 2);
    assert_eq!(current[0]["id"], v2["id"]);

    // Metrics count the outcomes per source.
    let metrics = srv
        .http
        .get(format!("{}/metrics", srv.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for needle in [
        "watchlist_refresh_total{source=\"eu_fsf\",outcome=\"imported\"}",
        "watchlist_refresh_total{source=\"gone_feed\",outcome=\"failed\"}",
    ] {
        assert!(metrics.contains(needle), "{needle} not in {metrics}");
    }

    // The operations endpoint says how current each list is: the failing source is stale, with
    // its failures and last error; the refreshed one is not.
    let status = srv
        .request("GET", "/status/watchlists", None, None, &[])
        .await;
    assert_eq!(status.status, 200);
    let of = |name: &str| {
        status.json["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["source"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} not in {}", status.json))
    };
    let (fresh, failing) = (of("eu_fsf"), of("gone_feed"));
    assert_eq!(fresh["version"], 2, "{fresh}");
    assert_eq!(fresh["refreshed"], true);
    assert_eq!(fresh["every_secs"], 1);
    assert!(fresh["age_secs"].as_i64().unwrap() >= 0, "{fresh}");
    assert_eq!(failing["stale"], true, "{failing}");
    assert_eq!(failing["version"], Value::Null);
    assert!(failing["failures"].as_i64().unwrap() >= 1, "{failing}");
    assert!(
        failing["last_error"].as_str().unwrap().contains("404"),
        "{failing}"
    );

    // Restarting does not re-import content that did not change.
    srv.stop(false);
    std::fs::write(&file, kept.join("\n") + "\n").unwrap();
    srv.spawn().await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(versions(&srv, "eu_fsf").len(), 2);
    let ids: HashSet<String> = versions(&srv, "eu_fsf")
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.contains(v2["id"].as_str().unwrap()));
}

both_backends!(refresh_over_http_and_paths, serve_refreshes_on_schedule);

/// A configuration error names the key, for `serve` and the CLI alike, and nothing starts.
#[test]
fn configuration_errors_name_the_key() {
    let scratch = Scratch::new();
    let config = scratch.0.join("bad.toml");
    for (text, key) in [
        (
            "[[watchlists.sources]]\nkind = \"ofac_sdn\"\npath = \"/x\"\nevery = \"soon\"\n",
            "`watchlists.sources[0].every`",
        ),
        (
            "[[watchlists.sources]]\nkind = \"ftm\"\nurl = \"file:///etc/passwd\"\nevery = \"1h\"\n",
            "`watchlists.sources[0].url`",
        ),
        (
            "[watchlists]\nkeep_snapshots = 0\n",
            "`watchlists.keep_snapshots`",
        ),
    ] {
        std::fs::write(&config, text).unwrap();
        for args in [
            &["watchlist", "refresh"][..],
            &["serve", "--bind", "127.0.0.1:0"],
        ] {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_dossier"))
                .args(args)
                .args(["--config", config.to_str().unwrap()])
                .args(["--data-dir", scratch.0.join("data").to_str().unwrap()])
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(2), "{args:?} with {text}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains(key), "{args:?} with {text}: {err}");
        }
    }
}
