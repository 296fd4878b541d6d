//! Configuration layering: defaults ← TOML file (`--config` / `DOSSIER_CONFIG`) ← `DOSSIER_<KEY>`
//! environment variables ← command-line flags.

use anyhow::Context;
use dossier_app::Config;

use crate::GlobalArgs;

/// Keys whose default is "unset", so they do not appear in the serialised defaults.
const OPTIONAL_KEYS: &[&str] = &["database_url"];
/// Keys with a structured value, set in the file only (an environment variable cannot hold them).
const FILE_ONLY_KEYS: &[&str] = &["watchlist_sources"];

pub fn load(args: &GlobalArgs) -> anyhow::Result<Config> {
    let mut table = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            text.parse::<toml::Table>()
                .with_context(|| format!("parsing {}", path.display()))?
        }
        None => toml::Table::new(),
    };
    let defaults = toml::Table::try_from(Config::default()).expect("defaults serialise");
    let keys = defaults
        .keys()
        .map(String::as_str)
        .filter(|k| !FILE_ONLY_KEYS.contains(k))
        .chain(OPTIONAL_KEYS.iter().copied());
    for key in keys {
        let var = format!("DOSSIER_{}", key.to_ascii_uppercase());
        if let Ok(raw) = std::env::var(&var) {
            table.insert(key.to_string(), env_value(&raw));
        }
    }
    let mut config = parse(table)?;
    if let Some(dir) = &args.data_dir {
        config.data_dir = dir.clone();
    }
    if let Some(url) = &args.database_url {
        config.database_url = Some(url.clone());
    }
    Ok(config)
}

/// The layered table as a checked [`Config`]; every error names its key (`watchlist_sources[0].every`).
fn parse(table: toml::Table) -> anyhow::Result<Config> {
    let config: Config =
        serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|e| {
            let path = e.path().to_string();
            if path == "." {
                anyhow::anyhow!(
                    "invalid configuration (file or DOSSIER_* variables): {}",
                    e.inner()
                )
            } else {
                anyhow::anyhow!(
                    "invalid configuration (file or DOSSIER_* variables): `{path}`: {}",
                    e.inner()
                )
            }
        })?;
    config
        .validate()
        .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
    Ok(config)
}

/// An environment value as TOML would read it: numbers and booleans typed, anything else a string.
fn env_value(raw: &str) -> toml::Value {
    if let Ok(i) = raw.parse::<i64>() {
        toml::Value::Integer(i)
    } else if let Ok(b) = raw.parse::<bool>() {
        toml::Value::Boolean(b)
    } else if raw.contains('.')
        && raw
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
        && let Ok(f) = raw.parse::<f64>()
    {
        toml::Value::Float(f)
    } else {
        toml::Value::String(raw.to_string())
    }
}

pub fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    if config.log_format == "json" {
        builder.json().flatten_event(true).init();
    } else {
        builder.init();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> anyhow::Result<Config> {
        parse(text.parse::<toml::Table>().unwrap())
    }

    #[test]
    fn watchlist_sources_parse_from_the_file() {
        let c = parse_text(
            r#"
            watchlist_keep_snapshots = 5
            [[watchlist_sources]]
            kind = "ofac_sdn"
            url = "https://lists.example/ofac/"
            every = "6h"
            [[watchlist_sources]]
            name = "os_peps"
            kind = "ftm"
            path = "/var/lib/lists/peps.json"
            every = "1d"
            "#,
        )
        .unwrap();
        assert_eq!(c.watchlist_keep_snapshots, 5);
        let sources = c.refresh_sources().unwrap();
        assert_eq!(sources.len(), 2);
        assert_eq!(sources[0].name, "ofac_sdn");
        assert_eq!(sources[0].every, std::time::Duration::from_secs(6 * 3600));
        assert_eq!(sources[1].name, "os_peps");
        assert_eq!(sources[1].location.to_string(), "/var/lib/lists/peps.json");
        assert!(parse_text("").unwrap().watchlist_sources.is_empty());
    }

    #[test]
    fn configuration_errors_name_the_key() {
        let source = |body: &str| format!("[[watchlist_sources]]\n{body}\n");
        for (text, key) in [
            (
                source("kind = \"ofac_sdn\"\npath = \"x\"\nevery = \"6x\""),
                "`watchlist_sources[0].every`",
            ),
            (
                source("kind = \"ofac_sdn\"\npath = \"x\"\nevery = \"1h,2h\""),
                "`watchlist_sources[0].every`",
            ),
            (
                source("kind = \"sdn\"\npath = \"x\"\nevery = \"6h\""),
                "`watchlist_sources[0].kind`",
            ),
            (
                source("kind = \"ftm\"\nurl = \"ftp://x/y\"\nevery = \"6h\""),
                "`watchlist_sources[0].url`",
            ),
            (
                source("kind = \"ftm\"\nurl = \"not a url\"\nevery = \"6h\""),
                "`watchlist_sources[0].url`",
            ),
            (
                source("kind = \"ftm\"\nevery = \"6h\""),
                "watchlist_sources[0]: give exactly one of `url` and `path`",
            ),
            (
                source("kind = \"ftm\"\npath = \"a\"\nurl = \"http://x/\"\nevery = \"6h\""),
                "watchlist_sources[0]: give exactly one",
            ),
            (
                source("kind = \"ftm\"\npath = \"a\"\nevry = \"6h\""),
                "`watchlist_sources[0].evry`: unknown field `evry`",
            ),
            (
                source("kind = \"ftm\"\npath = \"a\""),
                "missing field `every`",
            ),
            (
                format!(
                    "{}{}",
                    source("kind = \"ftm\"\npath = \"a\"\nevery = \"1h\""),
                    source("kind = \"ftm\"\npath = \"b\"\nevery = \"1h\"")
                ),
                "`watchlist_sources[1].name`",
            ),
            (
                source("name = \"un_sc\"\nkind = \"ftm\"\npath = \"a\"\nevery = \"1h\""),
                "`watchlist_sources[0].name`",
            ),
            (
                "watchlist_keep_snapshots = 0".to_string(),
                "`watchlist_keep_snapshots`",
            ),
            (
                "watchlist_keep_snapshots = \"three\"".to_string(),
                "`watchlist_keep_snapshots`",
            ),
            (
                "screening_threshold = 1.5".to_string(),
                "`screening_threshold`",
            ),
        ] {
            let err = format!("{:#}", parse_text(&text).unwrap_err());
            assert!(err.contains(key), "{text}\n=> {err}\n(expected {key})");
        }
    }

    #[test]
    fn environment_values_are_typed_like_toml() {
        assert_eq!(env_value("42"), toml::Value::Integer(42));
        assert_eq!(env_value("true"), toml::Value::Boolean(true));
        assert_eq!(env_value("0.8"), toml::Value::Float(0.8));
        assert_eq!(env_value("1.2.3"), toml::Value::String("1.2.3".into()));
        assert_eq!(
            env_value("postgres://x"),
            toml::Value::String("postgres://x".into())
        );
    }
}
