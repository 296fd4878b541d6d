//! SQLite's case search index, kept up to date in batches: a write of a case only marks it
//! (migration 0017), and this loop takes the marked cases into the trigram index a few hundred at a
//! time, one FTS5 segment per batch rather than one per write. Searches read the marked cases too,
//! so the delay changes how fast a search is, never what it finds. On PostgreSQL the index is kept
//! by triggers and this loop does not run.

use std::time::Duration;

use dossier_store::Store;

/// Cases taken in per transaction: short enough that a batch holds the single writer for a few
/// milliseconds.
const BATCH: i64 = 250;

pub async fn run(store: Store, interval: Duration) {
    loop {
        match store.index_case_search(BATCH).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %format!("{e:#}"), "case search indexing failed"),
        }
        tokio::time::sleep(interval).await;
    }
}
