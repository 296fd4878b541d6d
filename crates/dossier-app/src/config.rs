//! Runtime configuration. Defaults run out of the box (SQLite under `./dossier-data`); the `dossier`
//! binary layers a TOML file, `DOSSIER_*` environment variables and command-line flags on top.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The whole configuration: a few sections, each a TOML table (`[server]`, `[database]`, …).
///
/// Every key, nested or not, is reachable from the environment as `DOSSIER_<SECTION>__<KEY>`; the
/// `dossier` binary derives those names by serialising [`Config::default`], so a field must
/// serialise even at its default: no `Option` fields (an empty string stands for "unset", as in
/// [`DatabaseConfig::url`]). Unknown keys are an error in every section.
///
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where SQLite's database and the documents (`<data_dir>/documents`) live. Top level because
    /// both the database (on SQLite) and the document store use it.
    pub data_dir: PathBuf,
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub webhooks: WebhooksConfig,
    pub screening: ScreeningConfig,
    pub watchlists: WatchlistsConfig,
    pub documents: DocumentsConfig,
    pub portal: PortalConfig,
    pub smtp: SmtpConfig,
    pub backoffice: BackofficeConfig,
    pub oidc: OidcConfig,
}

/// `[backoffice]`: the analysts' pages and their sign-in.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BackofficeConfig {
    /// A session ends after this long without a request, and in any case after `session_max`.
    pub session_idle: String,
    pub session_max: String,
    /// The shortest password a user may choose.
    pub min_password_length: u32,
    /// Failed sign-ins in a row, for one account or from one client address, before it is locked.
    pub lockout_after: u32,
    /// The first lock's length; each further failure doubles it, up to `lockout_max`.
    pub lockout_base: String,
    pub lockout_max: String,
}

/// `[oidc]`: sign-in with an OpenID Connect provider (off while `issuer` is empty).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OidcConfig {
    /// The provider's issuer URL; its discovery document is read from
    /// `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Only e-mail addresses of these domains may sign in (empty: any domain of an existing user).
    pub allowed_domains: Vec<String>,
    /// A claim whose value, when it names a role (`admin`, `reviewer`, …), sets the user's role at
    /// each sign-in. Empty: roles are managed in Dossier only.
    pub role_claim: String,
    /// The label of the sign-in button, e.g. `Okta`.
    pub name: String,
}

/// `[server]`: the HTTP API.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to listen on.
    pub bind: String,
    /// `text` or `json`.
    pub log_format: String,
    /// Requests per second each API key may make (0 disables the limit) and the burst it may spend.
    pub rate_limit_per_second: u32,
    pub rate_limit_burst: u32,
    /// Failed authentications per second each client address may make (0 disables the limit) and
    /// the burst it may spend; past it the address gets 429 before any key is looked up.
    pub auth_failures_per_second: u32,
    pub auth_failures_burst: u32,
}

/// `[database]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `postgres://…` for PostgreSQL, `sqlite://…` for another SQLite file; empty for SQLite in
    /// `data_dir`.
    pub url: String,
    /// Pool size (reads on SQLite; everything on PostgreSQL).
    pub max_connections: u32,
}

/// `[webhooks]`: delivery of events to the registered endpoints.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhooksConfig {
    /// Delays between webhook attempts, e.g. `5s,5m,30m,2h`; one attempt more than there are delays.
    pub retry_schedule: String,
    /// Allow webhook targets on loopback/private/link-local addresses (tests, on-premise receivers).
    pub allow_private_targets: bool,
    /// How long one webhook attempt may take.
    pub timeout_secs: u64,
    /// How long a worker's claim on a delivery lasts without being renewed. The worker renews it
    /// while the attempt is in flight, so this is how soon another worker takes over the
    /// deliveries of a worker that died.
    pub lease_secs: u64,
    /// Deliveries in flight at once, per process.
    pub concurrency: u32,
    /// Run the webhook delivery worker in this process. Turn it off for API-only nodes when dedicated
    /// nodes deliver (all share the queue in the database).
    pub delivery: bool,
}

/// `[screening]`: matching against the watchlists and the screening worker.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScreeningConfig {
    /// Screening score (0–1) at or above which a watchlist result is `matched`.
    pub threshold: f64,
    /// Run the screening worker (the `screening` task's results) in this process.
    pub worker: bool,
    /// How often the screening worker looks for queued cases, in milliseconds.
    pub poll_ms: u64,
}

/// `[watchlists]`: the scheduled refresh of watchlist sources and their retention.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WatchlistsConfig {
    /// The official public lists `dossier serve` keeps current from their publishers, by kind:
    /// `ofac_sdn` (US Treasury), `un_sc` (UN Security Council), `uk_hmt` (UK OFSI). `[]` turns
    /// them off (offline installations, tests); a `[[watchlists.sources]]` of the same name
    /// replaces the official one.
    pub official: Vec<String>,
    /// How often the official lists are checked for a new version.
    pub official_every: String,
    /// Watchlist sources refreshed on a schedule (`[[watchlists.sources]]`).
    pub sources: Vec<WatchlistSourceConfig>,
    /// Snapshots per source whose entities are kept; older ones keep only their snapshot row.
    pub keep_snapshots: u32,
    /// Run the watchlist refresher in `dossier serve` (needs `sources`).
    pub refresh: bool,
    /// How long fetching one watchlist URL may take.
    pub fetch_timeout_secs: u64,
    /// Largest watchlist download accepted, in bytes (per file).
    pub fetch_max_bytes: u64,
}

/// `[documents]`: uploaded documents.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DocumentsConfig {
    /// Largest document upload accepted, in bytes (413 above).
    pub max_bytes: u64,
}

/// `[portal]`: the client portal (and the pages' shared kit).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PortalConfig {
    /// The address clients reach Dossier at, e.g. `https://kyc.example.com`: portal links are built
    /// on it and form posts must come from its origin. Empty: the address `server.bind` listens on.
    pub public_url: String,
    /// How long a portal link stays valid when `expires_at` is not given (units `m`, `h`, `d`).
    pub link_ttl: String,
    /// A portal session ends after this long without a request (it warns before), and in any case
    /// after `session_max`.
    pub session_idle: String,
    pub session_max: String,
    /// The one-time code of an email-restricted portal: how long it is valid and how many wrong
    /// tries it takes.
    pub otp_ttl: String,
    pub otp_attempts: u32,
    /// Wrong or unknown portal tokens per minute a client address may try before it gets 429.
    pub token_failures_per_minute: u32,
    /// A directory whose `templates/*.html` and `locales/<lang>/*.ftl` replace the built-in ones of
    /// the same name (read at start). Empty: the built-in ones only.
    pub overrides_dir: String,
}

/// `[smtp]`: outgoing mail (the portal's one-time codes).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmtpConfig {
    /// `smtp://host:port` (STARTTLS when offered), `smtps://host:465` (TLS) or
    /// `smtp://user:pass@host:587`. Empty: no mail is sent and each message is written to the log
    /// (development).
    pub url: String,
    /// The sender, e.g. `Dossier <kyc@example.com>`.
    pub from: String,
    /// Require TLS (STARTTLS) even on `smtp://`; turn off only for a relay on loopback.
    pub require_tls: bool,
}

/// One `[[watchlists.sources]]` entry as written in the configuration file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchlistSourceConfig {
    /// The snapshot series it is stored as; defaults to `kind`. Needed when two sources share a
    /// kind (e.g. two OpenSanctions FtM exports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `ofac_sdn`, `un_sc`, `uk_hmt`, `ftm` or `senzing`.
    pub kind: String,
    /// `http(s)://…`: the file, or for `ofac_sdn` the base URL of the CSV set (or its `sdn.csv`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A local file, or for `ofac_sdn` the folder with the CSV set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    /// How often to refresh, e.g. `6h` (units `ms`, `s`, `m`, `h`, `d`).
    pub every: String,
}

/// Where a refreshed source comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceLocation {
    Url(url::Url),
    Path(PathBuf),
}

impl std::fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SourceLocation::Url(u) => write!(f, "{u}"),
            SourceLocation::Path(p) => write!(f, "{}", p.display()),
        }
    }
}

/// A checked `[[watchlists.sources]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshSource {
    pub name: String,
    pub kind: dossier_screening::SourceKind,
    pub location: SourceLocation,
    pub every: std::time::Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("dossier-data"),
            server: ServerConfig::default(),
            database: DatabaseConfig::default(),
            webhooks: WebhooksConfig::default(),
            screening: ScreeningConfig::default(),
            watchlists: WatchlistsConfig::default(),
            documents: DocumentsConfig::default(),
            portal: PortalConfig::default(),
            smtp: SmtpConfig::default(),
            backoffice: BackofficeConfig::default(),
            oidc: OidcConfig::default(),
        }
    }
}

impl Default for BackofficeConfig {
    fn default() -> Self {
        Self {
            session_idle: "30m".into(),
            session_max: "12h".into(),
            min_password_length: 12,
            lockout_after: 5,
            lockout_base: "30s".into(),
            lockout_max: "1h".into(),
        }
    }
}

impl Default for PortalConfig {
    fn default() -> Self {
        Self {
            public_url: String::new(),
            link_ttl: "30d".into(),
            session_idle: "30m".into(),
            session_max: "12h".into(),
            otp_ttl: "10m".into(),
            otp_attempts: 5,
            token_failures_per_minute: 20,
            overrides_dir: String::new(),
        }
    }
}

impl Default for SmtpConfig {
    fn default() -> Self {
        Self {
            url: String::new(),
            from: "Dossier <no-reply@localhost>".into(),
            require_tls: true,
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            log_format: "text".into(),
            rate_limit_per_second: 100,
            rate_limit_burst: 200,
            auth_failures_per_second: 1,
            auth_failures_burst: 20,
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: String::new(),
            max_connections: 8,
        }
    }
}

impl Default for WebhooksConfig {
    fn default() -> Self {
        Self {
            // About three days in all, like the Standard Webhooks reference schedule stretched out.
            retry_schedule: "5s,5m,30m,2h,5h,10h,12h,16h,20h".into(),
            allow_private_targets: false,
            timeout_secs: 10,
            lease_secs: 30,
            concurrency: 32,
            delivery: true,
        }
    }
}

impl Default for ScreeningConfig {
    fn default() -> Self {
        Self {
            threshold: dossier_screening::Params::default().threshold,
            worker: true,
            poll_ms: 500,
        }
    }
}

/// Where each official list is published (the publisher's own, stable download addresses).
pub const OFFICIAL_SOURCES: [(&str, &str); 3] = [
    // The legacy CSV set: sdn.csv with add.csv, alt.csv and sdn_comments.csv beside it.
    ("ofac_sdn", "https://www.treasury.gov/ofac/downloads/"),
    (
        "un_sc",
        "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
    ),
    (
        "uk_hmt",
        "https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.csv",
    ),
];

impl Default for WatchlistsConfig {
    fn default() -> Self {
        Self {
            official: OFFICIAL_SOURCES
                .iter()
                .map(|(k, _)| k.to_string())
                .collect(),
            official_every: "6h".into(),
            sources: Vec::new(),
            keep_snapshots: 3,
            refresh: true,
            fetch_timeout_secs: 300,
            fetch_max_bytes: 512 * 1024 * 1024,
        }
    }
}

impl Default for DocumentsConfig {
    fn default() -> Self {
        Self {
            max_bytes: 20 * 1024 * 1024,
        }
    }
}

impl Config {
    /// The public base URL without a trailing slash: `portal.public_url`, else `http://` and the
    /// bound address (an unspecified address such as `0.0.0.0` as `localhost`).
    pub fn public_url(&self) -> Result<String, String> {
        let raw = match self.portal.public_url.trim_end_matches('/') {
            "" => {
                let bind = self.server.bind.as_str();
                let (host, port) = bind.rsplit_once(':').unwrap_or((bind, "80"));
                let host = match host {
                    "0.0.0.0" | "[::]" | "" => "localhost",
                    h => h,
                };
                format!("http://{host}:{port}")
            }
            url => url.to_string(),
        };
        let parsed = url::Url::parse(&raw)
            .map_err(|e| format!("`portal.public_url`: `{raw}` is not a URL: {e}"))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
            return Err(format!(
                "`portal.public_url`: `{raw}` must be an http(s) URL with a host"
            ));
        }
        Ok(raw)
    }

    /// The database to open: the configured URL, or SQLite in the data directory.
    pub fn database_url(&self) -> String {
        match self.database.url.as_str() {
            "" => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("dossier.db").display()
            ),
            url => url.to_string(),
        }
    }
}

impl Config {
    /// Checks the settings serde cannot: every error names its key, e.g.
    /// `watchlists.sources[1].every`.
    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.screening.threshold) {
            return Err(format!(
                "`screening.threshold` must be between 0 and 1, not {}",
                self.screening.threshold
            ));
        }
        if self.watchlists.keep_snapshots == 0 {
            return Err(
                "`watchlists.keep_snapshots` must be at least 1 (the snapshot in use)".into(),
            );
        }
        if self.webhooks.lease_secs < 3 {
            return Err(
                "`webhooks.lease_secs` must be 3 or more (the lease is renewed every third of it)"
                    .into(),
            );
        }
        if self.watchlists.fetch_max_bytes == 0 || self.watchlists.fetch_timeout_secs == 0 {
            return Err(
                "`watchlists.fetch_max_bytes` and `watchlists.fetch_timeout_secs` must be above 0"
                    .into(),
            );
        }
        parse_schedule(&self.webhooks.retry_schedule)
            .map_err(|e| format!("`webhooks.retry_schedule`: {e}"))?;
        for (key, value) in [
            ("portal.link_ttl", &self.portal.link_ttl),
            ("portal.session_idle", &self.portal.session_idle),
            ("portal.session_max", &self.portal.session_max),
            ("portal.otp_ttl", &self.portal.otp_ttl),
            ("backoffice.session_idle", &self.backoffice.session_idle),
            ("backoffice.session_max", &self.backoffice.session_max),
            ("backoffice.lockout_base", &self.backoffice.lockout_base),
            ("backoffice.lockout_max", &self.backoffice.lockout_max),
        ] {
            parse_every(value).map_err(|e| format!("`{key}`: {e}"))?;
        }
        if self.portal.otp_attempts == 0 {
            return Err("`portal.otp_attempts` must be at least 1".into());
        }
        if self.backoffice.min_password_length < 8 || self.backoffice.lockout_after == 0 {
            return Err(
                "`backoffice.min_password_length` must be at least 8 and `backoffice.lockout_after` at least 1"
                    .into(),
            );
        }
        if !self.oidc.issuer.is_empty() && self.oidc.client_id.is_empty() {
            return Err("`oidc.client_id` is required with `oidc.issuer`".into());
        }
        self.public_url()?;
        self.refresh_sources().map(|_| ())
    }

    /// The `[[watchlists.sources]]`, checked.
    pub fn refresh_sources(&self) -> Result<Vec<RefreshSource>, String> {
        let mut out: Vec<RefreshSource> = Vec::new();
        for (i, s) in self.watchlists.sources.iter().enumerate() {
            let key = |field: &str| format!("`watchlists.sources[{i}].{field}`");
            let kind: dossier_screening::SourceKind = s
                .kind
                .parse()
                .map_err(|e: String| format!("{}: {e}", key("kind")))?;
            let name = match &s.name {
                None => kind.as_str().to_string(),
                Some(n) => {
                    let ok = !n.is_empty()
                        && n.len() <= 64
                        && n.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b));
                    if !ok {
                        return Err(format!(
                            "{}: `{n}` must be 1–64 letters, digits, `_`, `-` or `.`",
                            key("name")
                        ));
                    }
                    // Snapshots are stored per name: another kind's name would mix two lists.
                    if let Ok(other) = n.parse::<dossier_screening::SourceKind>()
                        && other != kind
                    {
                        return Err(format!(
                            "{}: `{n}` is the name of another kind; choose another name",
                            key("name")
                        ));
                    }
                    n.clone()
                }
            };
            if out.iter().any(|o| o.name == name) {
                return Err(format!(
                    "{}: a second source named `{name}` (give each source of one kind its own `name`)",
                    key("name")
                ));
            }
            let location = match (&s.url, &s.path) {
                (Some(_), Some(_)) | (None, None) => {
                    return Err(format!(
                        "watchlists.sources[{i}]: give exactly one of `url` and `path`"
                    ));
                }
                (Some(u), None) => {
                    let url =
                        url::Url::parse(u).map_err(|e| format!("{}: `{u}`: {e}", key("url")))?;
                    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
                        return Err(format!(
                            "{}: `{u}` must be an http:// or https:// URL",
                            key("url")
                        ));
                    }
                    SourceLocation::Url(url)
                }
                (None, Some(p)) => {
                    if p.as_os_str().is_empty() {
                        return Err(format!("{}: must not be empty", key("path")));
                    }
                    SourceLocation::Path(p.clone())
                }
            };
            let every = parse_every(&s.every).map_err(|e| format!("{}: {e}", key("every")))?;
            out.push(RefreshSource {
                name,
                kind,
                location,
                every,
            });
        }
        let every = parse_every(&self.watchlists.official_every)
            .map_err(|e| format!("`watchlists.official_every`: {e}"))?;
        for (i, name) in self.watchlists.official.iter().enumerate() {
            let Some((kind, url)) = OFFICIAL_SOURCES.iter().find(|(k, _)| k == name) else {
                let known: Vec<_> = OFFICIAL_SOURCES.iter().map(|(k, _)| *k).collect();
                return Err(format!(
                    "`watchlists.official[{i}]`: `{name}` is not an official list; use any of {}",
                    known.join(", ")
                ));
            };
            // A configured source of the same name (a mirror, a local copy) replaces it.
            if out.iter().any(|o| o.name == *kind) {
                continue;
            }
            out.push(RefreshSource {
                name: kind.to_string(),
                kind: kind.parse().expect("official kinds parse"),
                location: SourceLocation::Url(url.parse().expect("official URLs parse")),
                every,
            });
        }
        Ok(out)
    }
}

/// One interval such as `6h` (the units of [`parse_schedule`]), at least one second.
pub fn parse_every(text: &str) -> Result<std::time::Duration, String> {
    match parse_schedule(text)?.as_slice() {
        [d] if *d >= std::time::Duration::from_secs(1) => Ok(*d),
        [_] => Err(format!("`{text}` is shorter than one second")),
        _ => Err(format!("`{text}` must be one interval like 30m, 6h or 1d")),
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
    fn intervals_are_one_duration_of_a_second_or_more() {
        assert_eq!(parse_every("6h"), Ok(Duration::from_secs(6 * 3600)));
        assert_eq!(parse_every(" 90s "), Ok(Duration::from_secs(90)));
        for bad in ["", "500ms", "0s", "1h,2h", "6 hours", "6y"] {
            assert!(parse_every(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sources_default_their_name_to_the_kind() {
        let source = |name: Option<&str>, kind: &str| WatchlistSourceConfig {
            name: name.map(str::to_string),
            kind: kind.into(),
            url: Some("https://lists.example/x.json".into()),
            path: None,
            every: "1d".into(),
        };
        let config = |sources| {
            let mut c = Config::default();
            c.watchlists.sources = sources;
            c.watchlists.official.clear();
            c
        };
        let ok = config(vec![source(None, "ftm"), source(Some("peps"), "ftm")]);
        let names: Vec<String> = ok
            .refresh_sources()
            .unwrap()
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(names, ["ftm", "peps"]);
        assert!(ok.validate().is_ok());
        // Two sources of one kind need their own names; a name may not be another kind's.
        let twice = config(vec![source(None, "ftm"), source(None, "ftm")]);
        assert!(
            twice
                .validate()
                .unwrap_err()
                .contains("watchlists.sources[1].name")
        );
        let clash = config(vec![source(Some("un_sc"), "ftm")]);
        assert!(
            clash
                .validate()
                .unwrap_err()
                .contains("watchlists.sources[0].name")
        );
        let bad_name = config(vec![source(Some("no spaces"), "ftm")]);
        assert!(bad_name.validate().is_err());
        assert!(Config::default().validate().is_ok());
    }

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
        let default: u64 = parse_schedule(&Config::default().webhooks.retry_schedule)
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
