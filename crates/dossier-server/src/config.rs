//! Runtime configuration. Defaults run out of the box (SQLite under `./dossier-data`); the `dossier`
//! binary layers a TOML file, `DOSSIER_*` environment variables and command-line flags on top.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub bind: String,
    /// Where SQLite's database (and, later, documents) live.
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
