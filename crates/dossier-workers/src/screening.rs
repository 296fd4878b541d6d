//! The screening worker: passes of [`Screener`] over the screening queue.

use std::time::Duration;

use dossier_app::screening::queue::Screener;

/// Runs forever: a pass over the due queue rows, then a pause of `interval` when there was nothing
/// to do (queue rows are also written by other processes, so this polls one small indexed query).
pub async fn run(screener: Screener, interval: Duration) {
    loop {
        match screener.run_once().await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %format!("{e:#}"), "screening worker pass failed"),
        }
        tokio::time::sleep(interval).await;
    }
}
