//! The README's tour runs verbatim: its shell blocks (between `<!-- tour:begin -->` and
//! `<!-- tour:end -->`) are run with bash against `dossier serve --demo`, with only the command
//! that runs `dossier` and the server's address swapped for the test's. The tour ends with an
//! approved case and its `application.review_updated` event, so a newcomer following it reaches a
//! decision.

mod common;

use std::process::Command;

use common::{Backend, TestServer};

const README: &str = include_str!("../../../README.md");

/// The tour's shell blocks, in order, as one script.
fn tour_script() -> String {
    let tour = README
        .split("<!-- tour:begin -->")
        .nth(1)
        .and_then(|rest| rest.split("<!-- tour:end -->").next())
        .expect("README.md has a tour between <!-- tour:begin --> and <!-- tour:end -->");
    let blocks: Vec<&str> = tour
        .split("```sh\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap_or_default())
        .collect();
    assert!(
        blocks.len() >= 4,
        "the tour has {} shell blocks",
        blocks.len()
    );
    blocks.concat()
}

async fn the_readme_tour_runs_verbatim(backend: Backend) {
    let mut srv = TestServer::new(backend).await;
    srv.spawn_with(&["--demo"]).await;
    let script = tour_script();
    let run_dossier = r#"DOSSIER="cargo run --release -q --""#;
    let address = "http://127.0.0.1:8080";
    assert!(
        script.contains(run_dossier),
        "the tour runs dossier as {run_dossier}"
    );
    assert!(script.contains(address), "the tour talks to {address}");
    let ours = format!(
        r#"DOSSIER="{} {}""#,
        env!("CARGO_BIN_EXE_dossier"),
        srv.store_args().join(" ")
    );
    let script = format!(
        "set -euo pipefail\n{}",
        script
            .replace(run_dossier, &ours)
            .replace(address, &srv.base)
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        // The tour runs from the repository's root (it uploads the shipped sample PDFs).
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .envs(srv.env().iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the tour failed ({}):\n{stdout}\n{stderr}\n{}",
        out.status,
        srv.log()
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(stdout.contains("created app_"), "{stdout}");
    assert!(stdout.contains("passport: valid"), "{stdout}");
    assert!(stdout.contains("screening: clear"), "{stdout}");
    assert_eq!(
        lines[lines.len().saturating_sub(2)..],
        ["approved", "application.review_updated"],
        "the tour does not end with an approval:\n{stdout}\n{stderr}"
    );
}

both_backends!(the_readme_tour_runs_verbatim);
