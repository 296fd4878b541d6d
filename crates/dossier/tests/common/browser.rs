//! Browser journeys: `node tests/browser/<script>` from the repository's root — playwright-core
//! driving Debian's headless Chromium, axe-core in the pages (the kit is tests/browser/lib.mjs).
//! A journey gets what it needs (the server's URL, …) as environment variables.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};

/// Chromium starts in about a second; a journey that takes minutes is stuck.
const TIMEOUT: Duration = Duration::from_secs(180);

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Runs the journey and panics with its output (stdout and stderr, in order) unless it exits 0
/// within [`TIMEOUT`]. On success the output is printed (shown with `--nocapture`).
pub async fn run_journey(script: &str, env: &[(&str, String)]) {
    let root = repo_root();
    let kit = root.join("tests/browser");
    assert!(
        Path::new("/usr/bin/chromium").exists(),
        "browser tests need Debian's Chromium at /usr/bin/chromium: \
         apt-get install chromium chromium-driver (or run `bash .ci/run`)"
    );
    assert!(
        ["playwright-core", "axe-core"]
            .iter()
            .all(|p| kit.join("node_modules").join(p).is_dir()),
        "browser tests need their npm packages: run `npm ci --prefix tests/browser` \
         in {}",
        root.display()
    );
    let mut child = tokio::process::Command::new("node")
        .arg(kit.join(script))
        .current_dir(&root)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| {
            panic!("browser tests need Node.js 20+ (`node`): apt-get install nodejs npm ({e})")
        });
    let output = Arc::new(Mutex::new(Vec::new()));
    let readers = [
        collect(child.stdout.take().unwrap(), output.clone()),
        collect(child.stderr.take().unwrap(), output.clone()),
    ];
    let status = tokio::time::timeout(TIMEOUT, child.wait()).await;
    if status.is_err() {
        let _ = child.kill().await;
    }
    // The pipes close when node exits (Chromium has its own), so the readers end.
    for reader in readers {
        let _ = reader.await;
    }
    let output = String::from_utf8_lossy(&output.lock().unwrap()).into_owned();
    match status {
        Ok(Ok(s)) if s.success() => println!("journey {script}:\n{output}"),
        Ok(Ok(s)) => panic!("journey {script} failed ({s}):\n{output}"),
        Ok(Err(e)) => panic!("journey {script}: waiting for node: {e}\n{output}"),
        Err(_) => panic!("journey {script} timed out after {TIMEOUT:?} (killed):\n{output}"),
    }
}

fn collect(
    mut pipe: impl AsyncRead + Unpin + Send + 'static,
    into: Arc<Mutex<Vec<u8>>>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut chunk = [0u8; 8192];
        while let Ok(n @ 1..) = pipe.read(&mut chunk).await {
            into.lock().unwrap().extend_from_slice(&chunk[..n]);
        }
    })
}
