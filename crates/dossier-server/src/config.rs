//! Runtime configuration. Defaults run out of the box (SQLite under `./dossier-data`); the `dossier`
//! binary layers a TOML file, `DOSSIER_*` environment variables and command-line flags on top.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub bind: String,
    /// Where SQLite's database and the documents (`<data_dir>/documents`) live.
    pub data_dir: PathBuf,
    /// `postgres://…` for PostgreSQL; empty for SQLite in `data_dir`.
    pub database_url: Option<String>,
    /// Pool size (reads on SQLite; everything on PostgreSQL).
    pub database_max_connections: u32,
    /// `text` or `json`.
    pub log_format: String,
    /// Requests per second each API key may make (0 disables the limit) and the burst it may spend.
    pub rate_limit_per_second: u32,
    pub rate_limit_burst: u32,
    /// Delays between webhook attempts, e.g. `5s,5m,30m,2h`; one attempt more than there are delays.
    pub webhook_retry_schedule: String,
    /// Allow webhook targets on loopback/private/link-local addresses (tests, on-premise receivers).
    pub webhook_allow_private_targets: bool,
    /// How long one webhook attempt may take.
    pub webhook_timeout_secs: u64,
    /// Deliveries in flight at once, per process.
    pub webhook_concurrency: u32,
    /// Run the webhook delivery worker in this process. Turn it off for API-only nodes when dedicated
    /// nodes deliver (all share the queue in the database).
    pub webhook_delivery: bool,
    /// Largest document upload accepted, in bytes (413 above).
    pub document_max_bytes: u64,
    /// Screening score (0–1) at or above which a watchlist result is `matched`.
    pub screening_threshold: f64,
    /// Run the screening worker (the `screening` task's results) in this process.
    pub screening_worker: bool,
    /// How often the screening worker looks for queued cases, in milliseconds.
    pub screening_poll_ms: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("dossier-data"),
            database_url: None,
            database_max_connections: 8,
            log_format: "text".into(),
            rate_limit_per_second: 100,
            rate_limit_burst: 200,
            // About three days in all, like the Standard Webhooks reference schedule stretched out.
            webhook_retry_schedule: "5s,5m,30m,2h,5h,10h,12h,16h,20h".into(),
            webhook_allow_private_targets: false,
            webhook_timeout_secs: 10,
            webhook_concurrency: 32,
            webhook_delivery: true,
            document_max_bytes: 20 * 1024 * 1024,
            screening_threshold: dossier_screening::Params::default().threshold,
            screening_worker: true,
            screening_poll_ms: 500,
        }
    }
}

impl Config {
    /// The database to open: the configured URL, or SQLite in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) if !url.is_empty() => url.clone(),
            _ => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("dossier.db").display()
            ),
        }
    }
}

/// Parses a retry schedule such as `1s,500ms,5m,2h,1d`.
pub fn parse_schedule(text: &str) -> Result<Vec<std::time::Duration>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|item| {
            let split = item
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(item.len());
            let (number, unit) = item.split_at(split);
            let n: u64 = number
                .parse()
                .map_err(|_| format!("`{item}` is not a delay like 5s, 5m or 2h"))?;
            let secs = match unit {
                "ms" => return Ok(std::time::Duration::from_millis(n)),
                "s" | "" => n,
                "m" => n * 60,
                "h" => n * 3600,
                "d" => n * 86_400,
                _ => {
                    return Err(format!(
                        "`{item}`: unknown unit `{unit}` (use ms, s, m, h or d)"
                    ));
                }
            };
            Ok(std::time::Duration::from_secs(secs))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn schedules_parse_with_units() {
        assert_eq!(
            parse_schedule("1s, 500ms,5m,2h,1d").unwrap(),
            vec![
                Duration::from_secs(1),
                Duration::from_millis(500),
                Duration::from_secs(300),
                Duration::from_secs(7200),
                Duration::from_secs(86_400)
            ]
        );
        assert!(parse_schedule("5 minutes").is_err());
        assert!(parse_schedule("5y").is_err());
        let default: u64 = parse_schedule(&Config::default().webhook_retry_schedule)
            .unwrap()
            .iter()
            .map(|d| d.as_secs())
            .sum();
        assert!(
            (2 * 86_400..4 * 86_400).contains(&default),
            "the default schedule spans {default} s"
        );
    }
}
