//! Configuration layering: defaults ← TOML file (`--config` / `DOSSIER_CONFIG`) ← environment
//! variables ← command-line flags.
//!
//! Every key has an environment variable, derived from the serialised defaults rather than from a
//! list kept by hand: `data_dir` is `DOSSIER_DATA_DIR`, `[webhooks] allow_private_targets` is
//! `DOSSIER_WEBHOOKS__ALLOW_PRIVATE_TARGETS` (a double underscore between levels). The flat keys of
//! before the sections ([`ALIASES`]) still work, in the file and as `DOSSIER_<OLD_KEY>`, with a
//! deprecation warning each.

use std::collections::BTreeMap;

use anyhow::{Context, bail};
use dossier_app::Config;

use crate::GlobalArgs;

/// The prefix of every configuration variable.
const PREFIX: &str = "DOSSIER_";

/// The flat keys of the configuration before it had sections, and their keys now. The environment
/// variable of each (`DOSSIER_<OLD>` upper case) is a deprecated alias too, except for
/// `watchlist_sources`, which was set in the file only.
pub const ALIASES: &[(&str, &str)] = &[
    ("bind", "server.bind"),
    ("log_format", "server.log_format"),
    ("rate_limit_per_second", "server.rate_limit_per_second"),
    ("rate_limit_burst", "server.rate_limit_burst"),
    ("database_url", "database.url"),
    ("database_max_connections", "database.max_connections"),
    ("webhook_retry_schedule", "webhooks.retry_schedule"),
    (
        "webhook_allow_private_targets",
        "webhooks.allow_private_targets",
    ),
    ("webhook_timeout_secs", "webhooks.timeout_secs"),
    ("webhook_concurrency", "webhooks.concurrency"),
    ("webhook_delivery", "webhooks.delivery"),
    ("screening_threshold", "screening.threshold"),
    ("screening_worker", "screening.worker"),
    ("screening_poll_ms", "screening.poll_ms"),
    ("watchlist_sources", "watchlists.sources"),
    ("watchlist_keep_snapshots", "watchlists.keep_snapshots"),
    ("watchlist_refresh", "watchlists.refresh"),
    (
        "watchlist_fetch_timeout_secs",
        "watchlists.fetch_timeout_secs",
    ),
    ("watchlist_fetch_max_bytes", "watchlists.fetch_max_bytes"),
    ("document_max_bytes", "documents.max_bytes"),
];

/// Old keys that never had an environment variable.
const FILE_ONLY_ALIASES: &[&str] = &["watchlist_sources"];

/// One setting as derived from [`Config::default`].
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    /// Dotted path, e.g. `webhooks.allow_private_targets`.
    pub key: String,
    /// `DOSSIER_WEBHOOKS__ALLOW_PRIVATE_TARGETS`.
    pub env: String,
    pub default: toml::Value,
}

/// Every setting, found by walking the serialised defaults: a table is a section, anything else
/// (arrays included) a key.
pub fn settings() -> Vec<Setting> {
    fn walk(prefix: &[&str], table: &toml::Table, out: &mut Vec<Setting>) {
        for (k, v) in table {
            let path: Vec<&str> = prefix.iter().copied().chain([k.as_str()]).collect();
            match v {
                toml::Value::Table(t) => walk(&path, t, out),
                _ => out.push(Setting {
                    key: path.join("."),
                    env: env_name(&path.join(".")),
                    default: v.clone(),
                }),
            }
        }
    }
    let defaults = toml::Table::try_from(Config::default()).expect("defaults serialise");
    let mut out = Vec::new();
    walk(&[], &defaults, &mut out);
    out
}

/// `webhooks.allow_private_targets` → `DOSSIER_WEBHOOKS__ALLOW_PRIVATE_TARGETS`.
fn env_name(key: &str) -> String {
    format!("{PREFIX}{}", key.replace('.', "__").to_ascii_uppercase())
}

/// The old flat variable of an alias: `bind` → `DOSSIER_BIND`.
fn alias_env_name(old: &str) -> Option<String> {
    (!FILE_ONLY_ALIASES.contains(&old)).then(|| format!("{PREFIX}{}", old.to_ascii_uppercase()))
}

/// The checked configuration and the deprecated aliases it was given (one message each), to be
/// reported once logging is set up ([`report_deprecations`]).
pub struct Loaded {
    pub config: Config,
    pub deprecations: Vec<String>,
}

pub fn load(args: &GlobalArgs) -> anyhow::Result<Loaded> {
    let table = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            text.parse::<toml::Table>()
                .with_context(|| format!("parsing {}", path.display()))?
        }
        None => toml::Table::new(),
    };
    let env: BTreeMap<String, String> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .filter(|(k, _)| k.starts_with(PREFIX))
        .collect();
    let (mut config, deprecations) = layer(table, &env)?;
    if let Some(dir) = &args.data_dir {
        config.data_dir = dir.clone();
    }
    if let Some(url) = &args.database_url {
        config.database.url = url.clone();
    }
    Ok(Loaded {
        config,
        deprecations,
    })
}

/// Tells about each deprecated alias used: through `tracing` when logging is up (`serve`), else on
/// standard error.
pub fn report_deprecations(deprecations: &[String], logging: bool) {
    for d in deprecations {
        if logging {
            tracing::warn!(deprecated = true, "{d}");
        } else {
            eprintln!("dossier: warning: {d}");
        }
    }
}

/// The file's table with the environment laid over it, checked. Returns the deprecation messages.
fn layer(
    mut table: toml::Table,
    env: &BTreeMap<String, String>,
) -> anyhow::Result<(Config, Vec<String>)> {
    let settings = settings();
    let setting = |key: &str| {
        settings
            .iter()
            .find(|s| s.key == key)
            .expect("every alias names a setting")
    };
    let mut deprecations = Vec::new();
    // Old flat keys in the file move to their section.
    for (old, new) in ALIASES {
        if let Some(value) = table.remove(*old) {
            if get(&table, new).is_some() {
                bail!(
                    "invalid configuration: `{old}` (deprecated) and `{new}` are both set; keep `{new}`"
                );
            }
            set(&mut table, new, value)?;
            deprecations.push(format!(
                "the configuration key `{old}` is deprecated; use `{new}`"
            ));
        }
    }
    // A nested variable that is no setting is a typo: refuse it like an unknown key in the file.
    // (Flat `DOSSIER_*` names are left alone: `DOSSIER_CONFIG` and other tools' variables.)
    for name in env.keys() {
        let known = settings.iter().any(|s| &s.env == name);
        if !known && name.contains("__") {
            let key = name[PREFIX.len()..].to_ascii_lowercase().replace("__", ".");
            bail!("invalid configuration: unknown key `{key}` (environment variable {name})");
        }
    }
    // Deprecated variables, then the current ones, which win.
    for (old, new) in ALIASES {
        let Some(var) = alias_env_name(old) else {
            continue;
        };
        let Some(raw) = env.get(&var) else { continue };
        let s = setting(new);
        if env.contains_key(&s.env) {
            deprecations.push(format!("{var} is deprecated and ignored: {} is set", s.env));
        } else {
            set(&mut table, new, typed(&s.default, raw))?;
            deprecations.push(format!("{var} is deprecated; use {} (`{new}`)", s.env));
        }
    }
    for s in &settings {
        if let Some(raw) = env.get(&s.env) {
            set(&mut table, &s.key, typed(&s.default, raw))?;
        }
    }
    Ok((parse(table)?, deprecations))
}

fn get<'a>(table: &'a toml::Table, key: &str) -> Option<&'a toml::Value> {
    let (section, rest) = match key.split_once('.') {
        Some((section, rest)) => (section, Some(rest)),
        None => (key, None),
    };
    match (table.get(section)?, rest) {
        (v, None) => Some(v),
        (toml::Value::Table(t), Some(rest)) => get(t, rest),
        _ => None,
    }
}

fn set(table: &mut toml::Table, key: &str, value: toml::Value) -> anyhow::Result<()> {
    match key.split_once('.') {
        None => {
            table.insert(key.to_string(), value);
        }
        Some((section, rest)) => {
            let entry = table
                .entry(section.to_string())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            let toml::Value::Table(t) = entry else {
                bail!("invalid configuration: `{section}` must be a table ([{section}])");
            };
            set(t, rest, value)?;
        }
    }
    Ok(())
}

/// The layered table as a checked [`Config`]; every error names its key
/// (`watchlists.sources[0].every`).
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

/// An environment value typed like the key's default. A value that does not fit stays a string,
/// so the error names the key and what it expected; an array is written as in TOML
/// (`[{ kind = "ftm", path = "/x", every = "1d" }]`).
fn typed(default: &toml::Value, raw: &str) -> toml::Value {
    use toml::Value;
    let string = || Value::String(raw.to_string());
    let trimmed = raw.trim();
    match default {
        Value::Integer(_) => trimmed
            .parse()
            .map(Value::Integer)
            .unwrap_or_else(|_| string()),
        Value::Float(_) => trimmed
            .parse()
            .map(Value::Float)
            .unwrap_or_else(|_| string()),
        Value::Boolean(_) => trimmed
            .parse()
            .map(Value::Boolean)
            .unwrap_or_else(|_| string()),
        Value::Array(_) => format!("v = {raw}")
            .parse::<toml::Table>()
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(string),
        _ => string(),
    }
}

pub fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    if config.server.log_format == "json" {
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

    /// The file `text` under the environment `vars`: the configuration and its deprecations.
    fn layered(text: &str, vars: &[(&str, &str)]) -> anyhow::Result<(Config, Vec<String>)> {
        let env = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        layer(text.parse::<toml::Table>().unwrap(), &env)
    }

    fn err(text: &str, vars: &[(&str, &str)]) -> String {
        format!("{:#}", layered(text, vars).unwrap_err())
    }

    #[test]
    fn watchlist_sources_parse_from_the_file() {
        let c = parse_text(
            r#"
            [watchlists]
            keep_snapshots = 5
            [[watchlists.sources]]
            kind = "ofac_sdn"
            url = "https://lists.example/ofac/"
            every = "6h"
            [[watchlists.sources]]
            name = "os_peps"
            kind = "ftm"
            path = "/var/lib/lists/peps.json"
            every = "1d"
            "#,
        )
        .unwrap();
        assert_eq!(c.watchlists.keep_snapshots, 5);
        let sources = c.refresh_sources().unwrap();
        // The configured ones, then the official lists not replaced by one of the same name.
        let names: Vec<_> = sources.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["ofac_sdn", "os_peps", "un_sc", "uk_hmt"]);
        assert_eq!(sources[0].every, std::time::Duration::from_secs(6 * 3600));
        assert_eq!(
            sources[0].location.to_string(),
            "https://lists.example/ofac/"
        );
        assert_eq!(sources[1].location.to_string(), "/var/lib/lists/peps.json");
        assert!(
            sources[2]
                .location
                .to_string()
                .starts_with("https://scsanctions.un.org/")
        );
        let off = parse_text("[watchlists]\nofficial = []\n").unwrap();
        assert!(off.refresh_sources().unwrap().is_empty());
        let err = parse_text("[watchlists]\nofficial = [\"eu_fsf\"]\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("watchlists.official[0]") && err.contains("eu_fsf"),
            "{err}"
        );
        assert!(parse_text("").unwrap().watchlists.sources.is_empty());
    }

    #[test]
    fn configuration_errors_name_the_key() {
        let source = |body: &str| format!("[[watchlists.sources]]\n{body}\n");
        for (text, key) in [
            (
                source("kind = \"ofac_sdn\"\npath = \"x\"\nevery = \"6x\""),
                "`watchlists.sources[0].every`",
            ),
            (
                source("kind = \"ofac_sdn\"\npath = \"x\"\nevery = \"1h,2h\""),
                "`watchlists.sources[0].every`",
            ),
            (
                source("kind = \"sdn\"\npath = \"x\"\nevery = \"6h\""),
                "`watchlists.sources[0].kind`",
            ),
            (
                source("kind = \"ftm\"\nurl = \"ftp://x/y\"\nevery = \"6h\""),
                "`watchlists.sources[0].url`",
            ),
            (
                source("kind = \"ftm\"\nurl = \"not a url\"\nevery = \"6h\""),
                "`watchlists.sources[0].url`",
            ),
            (
                source("kind = \"ftm\"\nevery = \"6h\""),
                "watchlists.sources[0]: give exactly one of `url` and `path`",
            ),
            (
                source("kind = \"ftm\"\npath = \"a\"\nurl = \"http://x/\"\nevery = \"6h\""),
                "watchlists.sources[0]: give exactly one",
            ),
            (
                source("kind = \"ftm\"\npath = \"a\"\nevry = \"6h\""),
                "`watchlists.sources[0].evry`: unknown field `evry`",
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
                "`watchlists.sources[1].name`",
            ),
            (
                source("name = \"un_sc\"\nkind = \"ftm\"\npath = \"a\"\nevery = \"1h\""),
                "`watchlists.sources[0].name`",
            ),
            (
                "[watchlists]\nkeep_snapshots = 0".to_string(),
                "`watchlists.keep_snapshots`",
            ),
            (
                "[watchlists]\nkeep_snapshots = \"three\"".to_string(),
                "`watchlists.keep_snapshots`",
            ),
            (
                "[screening]\nthreshold = 1.5".to_string(),
                "`screening.threshold`",
            ),
            (
                "[webhooks]\nretry_schedule = \"5 minutes\"".to_string(),
                "`webhooks.retry_schedule`",
            ),
            ("[server]\nbnid = \"x\"".to_string(), "`server.bnid`"),
            ("[portal]\nenabled = true".to_string(), "`portal.enabled`"),
            (
                "[portal]\nsession_idle = \"soon\"".to_string(),
                "`portal.session_idle`",
            ),
            (
                "[portal]\npublic_url = \"ftp://x\"".to_string(),
                "`portal.public_url`",
            ),
            ("[oidc]\nissuer = \"x\"".to_string(), "`oidc.client_id`"),
            ("[oidc]\nprovider = \"x\"".to_string(), "`oidc.provider`"),
            (
                "[backoffice]\nlockout_base = \"x\"".to_string(),
                "`backoffice.lockout_base`",
            ),
            ("server = 3".to_string(), "`server`"),
        ] {
            let err = format!("{:#}", parse_text(&text).unwrap_err());
            assert!(err.contains(key), "{text}\n=> {err}\n(expected {key})");
        }
    }

    #[test]
    fn nested_keys_are_set_from_the_environment() {
        let (c, deprecations) = layered(
            "[server]\nrate_limit_burst = 7\nbind = \"0.0.0.0:1\"\n",
            &[
                ("DOSSIER_WEBHOOKS__ALLOW_PRIVATE_TARGETS", "true"),
                ("DOSSIER_SERVER__RATE_LIMIT_BURST", "9"),
                ("DOSSIER_SCREENING__THRESHOLD", "0.8"),
                ("DOSSIER_SCREENING__POLL_MS", "50"),
                ("DOSSIER_WEBHOOKS__RETRY_SCHEDULE", "5"),
                ("DOSSIER_DATABASE__URL", "postgres://db/x"),
                ("DOSSIER_DATA_DIR", "/srv/dossier"),
                (
                    "DOSSIER_WATCHLISTS__SOURCES",
                    r#"[{ kind = "ftm", path = "/x.json", every = "1d" }]"#,
                ),
                // Not settings, and flat: left alone.
                ("DOSSIER_CONFIG", "/etc/dossier.toml"),
                ("DOSSIER_TEST_PG", "postgres://x"),
            ],
        )
        .unwrap();
        assert!(c.webhooks.allow_private_targets);
        assert_eq!(
            c.server.rate_limit_burst, 9,
            "the environment wins over the file"
        );
        assert_eq!(c.server.bind, "0.0.0.0:1");
        assert_eq!(c.screening.threshold, 0.8);
        assert_eq!(c.screening.poll_ms, 50);
        // Typed like the default: a string key keeps a number-like value as text.
        assert_eq!(c.webhooks.retry_schedule, "5");
        assert_eq!(c.database_url(), "postgres://db/x");
        assert_eq!(c.data_dir, std::path::PathBuf::from("/srv/dossier"));
        assert_eq!(c.watchlists.sources.len(), 1);
        assert!(deprecations.is_empty(), "{deprecations:?}");
        // A value that does not fit names its key.
        let e = err("", &[("DOSSIER_SERVER__RATE_LIMIT_BURST", "lots")]);
        assert!(e.contains("`server.rate_limit_burst`"), "{e}");
    }

    #[test]
    fn old_flat_names_are_deprecated_aliases() {
        let (c, deprecations) = layered(
            "bind = \"0.0.0.0:9\"\nwatchlist_keep_snapshots = 4\n\
             [[watchlist_sources]]\nkind = \"ftm\"\npath = \"/x\"\nevery = \"1d\"\n",
            &[
                ("DOSSIER_RATE_LIMIT_PER_SECOND", "1"),
                ("DOSSIER_WEBHOOK_ALLOW_PRIVATE_TARGETS", "true"),
                ("DOSSIER_SCREENING_WORKER", "false"),
                ("DOSSIER_DATABASE_URL", "postgres://old/x"),
                // Both spellings: the new one wins and the old one is reported ignored.
                ("DOSSIER_WEBHOOK_RETRY_SCHEDULE", "1s"),
                ("DOSSIER_WEBHOOKS__RETRY_SCHEDULE", "2s"),
            ],
        )
        .unwrap();
        assert_eq!(c.server.bind, "0.0.0.0:9");
        assert_eq!(c.watchlists.keep_snapshots, 4);
        assert_eq!(c.watchlists.sources.len(), 1);
        assert_eq!(c.server.rate_limit_per_second, 1);
        assert!(c.webhooks.allow_private_targets);
        assert!(!c.screening.worker);
        assert_eq!(c.database.url, "postgres://old/x");
        assert_eq!(c.webhooks.retry_schedule, "2s");
        let all = deprecations.join("\n");
        for text in [
            "`bind` is deprecated; use `server.bind`",
            "`watchlist_sources` is deprecated; use `watchlists.sources`",
            "DOSSIER_RATE_LIMIT_PER_SECOND is deprecated; use DOSSIER_SERVER__RATE_LIMIT_PER_SECOND",
            "DOSSIER_DATABASE_URL is deprecated; use DOSSIER_DATABASE__URL",
            "DOSSIER_WEBHOOK_RETRY_SCHEDULE is deprecated and ignored: DOSSIER_WEBHOOKS__RETRY_SCHEDULE is set",
        ] {
            assert!(all.contains(text), "{text} not in\n{all}");
        }
        assert_eq!(deprecations.len(), 8, "one message per alias used: {all}");
        // An old and a new key for one setting in the same file is a mistake.
        let e = err("bind = \"a:1\"\n[server]\nbind = \"b:2\"\n", &[]);
        assert!(
            e.contains("`bind` (deprecated) and `server.bind` are both set"),
            "{e}"
        );
        // Every alias leads to a setting; only `watchlist_sources` has no old variable.
        let settings = settings();
        for (old, new) in ALIASES {
            assert!(settings.iter().any(|s| s.key == *new), "{old} → {new}");
            assert_eq!(alias_env_name(old).is_none(), *old == "watchlist_sources");
        }
    }

    #[test]
    fn unknown_keys_are_errors_naming_their_path() {
        let e = err("[webhooks]\nallow_private = true\n", &[]);
        assert!(e.contains("`webhooks.allow_private`: unknown field"), "{e}");
        let e = err("", &[("DOSSIER_WEBHOOKS__ALLOW_PRIVATE", "true")]);
        assert!(
            e.contains("unknown key `webhooks.allow_private` (environment variable DOSSIER_WEBHOOKS__ALLOW_PRIVATE)"),
            "{e}"
        );
        let e = err("", &[("DOSSIER_SERVR__BIND", "x")]);
        assert!(e.contains("`servr.bind`"), "{e}");
    }

    #[test]
    fn environment_values_are_typed_like_the_default() {
        use toml::Value;
        assert_eq!(typed(&Value::Integer(1), "42"), Value::Integer(42));
        assert_eq!(typed(&Value::Boolean(false), "true"), Value::Boolean(true));
        assert_eq!(typed(&Value::Float(0.7), "0.8"), Value::Float(0.8));
        assert_eq!(typed(&Value::Float(0.7), "1"), Value::Float(1.0));
        assert_eq!(
            typed(&Value::String(String::new()), "42"),
            Value::String("42".into())
        );
        assert_eq!(typed(&Value::Integer(1), "x"), Value::String("x".into()));
        assert_eq!(
            typed(&Value::Array(vec![]), "[1, 2]"),
            Value::Array(vec![Value::Integer(1), Value::Integer(2)])
        );
    }

    /// A default as `docs/configuration.md` writes it (in backticks, first in its cell).
    fn render(v: &toml::Value) -> String {
        match v {
            toml::Value::String(s) if s.is_empty() => "\"\"".into(),
            toml::Value::String(s) => s.clone(),
            toml::Value::Array(a) if a.is_empty() => "[]".into(),
            other => other.to_string(),
        }
    }

    /// The first backticked text of a Markdown table cell.
    fn code(cell: &str) -> Option<String> {
        let start = cell.find('`')? + 1;
        let len = cell[start..].find('`')?;
        Some(cell[start..start + len].to_string())
    }

    /// The rows of every table of `doc` whose header is `header`, with the `### ` heading above.
    fn table_rows(doc: &str, header: &str) -> Vec<(String, Vec<String>)> {
        let mut rows = Vec::new();
        let (mut heading, mut inside) = (String::new(), false);
        for line in doc.lines() {
            if let Some(h) = line.strip_prefix("### ") {
                heading = h.to_string();
            }
            if line.trim() == header {
                inside = true;
                continue;
            }
            if !line.starts_with('|') {
                inside = false;
            } else if inside && !line.starts_with("|---") {
                let cells: Vec<String> = line
                    .trim_matches('|')
                    .split('|')
                    .map(|c| c.trim().to_string())
                    .collect();
                rows.push((heading.clone(), cells));
            }
        }
        rows
    }

    /// `docs/configuration.md` lists exactly the settings of the code, with their section,
    /// variable and default, and exactly the aliases of [`ALIASES`].
    #[test]
    fn the_configuration_doc_matches_the_code() {
        let doc = include_str!("../../../docs/configuration.md");
        let mut documented: Vec<(String, String, String)> =
            table_rows(doc, "| key | environment variable | default | meaning |")
                .into_iter()
                .map(|(heading, cells)| {
                    // `### `[server]`` above a section's table; `### Top level` above the rest.
                    let key = code(&cells[0]).unwrap_or_default();
                    let key = match heading.split_once("`[") {
                        Some((_, rest)) => format!("{}.{key}", rest.split(']').next().unwrap()),
                        None => key,
                    };
                    (
                        key,
                        code(&cells[1]).unwrap_or_default(),
                        code(&cells[2]).unwrap_or_default(),
                    )
                })
                .collect();
        let mut derived: Vec<(String, String, String)> = settings()
            .into_iter()
            .map(|s| (s.key, s.env, render(&s.default)))
            .collect();
        documented.sort();
        derived.sort();
        let missing: Vec<_> = derived.iter().filter(|d| !documented.contains(d)).collect();
        let stale: Vec<_> = documented.iter().filter(|d| !derived.contains(d)).collect();
        assert!(
            missing.is_empty() && stale.is_empty(),
            "docs/configuration.md is out of date.\nIn the code, not the doc: {missing:#?}\n\
             In the doc, not the code: {stale:#?}"
        );

        let mut aliases: Vec<(String, String, String)> = table_rows(
            doc,
            "| deprecated key | deprecated environment variable | now |",
        )
        .into_iter()
        .map(|(_, cells)| {
            (
                code(&cells[0]).unwrap_or_default(),
                code(&cells[1]).unwrap_or_else(|| "-".into()),
                code(&cells[2]).unwrap_or_default(),
            )
        })
        .collect();
        let mut expected: Vec<(String, String, String)> = ALIASES
            .iter()
            .map(|(old, new)| {
                (
                    old.to_string(),
                    alias_env_name(old).unwrap_or_else(|| "-".into()),
                    new.to_string(),
                )
            })
            .collect();
        aliases.sort();
        expected.sort();
        assert_eq!(aliases, expected, "the doc's table of deprecated names");
    }
}
