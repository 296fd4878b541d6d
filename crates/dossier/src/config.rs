//! Configuration layering: defaults ← TOML file (`--config` / `DOSSIER_CONFIG`) ← `DOSSIER_<KEY>`
//! environment variables ← command-line flags.

use anyhow::Context;
use dossier_server::Config;

use crate::GlobalArgs;

/// Keys whose default is "unset", so they do not appear in the serialised defaults.
const OPTIONAL_KEYS: &[&str] = &["database_url"];

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
        .chain(OPTIONAL_KEYS.iter().copied());
    for key in keys {
        let var = format!("DOSSIER_{}", key.to_ascii_uppercase());
        if let Ok(raw) = std::env::var(&var) {
            table.insert(key.to_string(), env_value(&raw));
        }
    }
    let mut config: Config = toml::Value::Table(table)
        .try_into()
        .context("invalid configuration (file or DOSSIER_* variables)")?;
    if !(0.0..=1.0).contains(&config.screening_threshold) {
        anyhow::bail!(
            "invalid configuration: `screening_threshold` must be between 0 and 1, not {}",
            config.screening_threshold
        );
    }
    if let Some(dir) = &args.data_dir {
        config.data_dir = dir.clone();
    }
    if let Some(url) = &args.database_url {
        config.database_url = Some(url.clone());
    }
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
