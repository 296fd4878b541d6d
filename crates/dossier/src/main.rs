//! `dossier`: one binary for the service and its operations.

mod backup;
mod config;
mod demo;
mod watchlist;

// A create builds, serialises and frees many small JSON values; glibc's malloc spent about a quarter
// of the server's CPU on them under load (see docs/benchmarks.md), mimalloc much less.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use dossier_app::users::NewUser;
use dossier_app::{App, Config, Principal};
use dossier_domain::access::Role;
use dossier_server::AppState;
use dossier_store::{Store, StoreConfig};
use dossier_workers::Workers;

#[derive(Parser)]
#[command(
    name = "dossier",
    version,
    about = "Open-source KYC/KYB compliance orchestration"
)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

/// Where the data lives; accepted before or after the subcommand.
#[derive(Args, Clone, Default)]
pub struct GlobalArgs {
    /// TOML configuration file.
    #[arg(long, global = true, env = "DOSSIER_CONFIG")]
    pub config: Option<std::path::PathBuf>,
    /// Directory for the SQLite database (default ./dossier-data).
    #[arg(long, global = true)]
    pub data_dir: Option<std::path::PathBuf>,
    /// `postgres://…` to use PostgreSQL instead of SQLite.
    #[arg(long, global = true)]
    pub database_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the API (and workers) until SIGTERM/SIGINT.
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        bind: Option<String>,
        /// Seed a demo workspace with realistic cases and print a working API key.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Manage workspaces.
    #[command(subcommand)]
    Workspace(WorkspaceCommand),
    /// Manage API keys.
    #[command(subcommand)]
    Apikey(ApiKeyCommand),
    /// Manage the back-office's users.
    #[command(subcommand)]
    User(UserCommand),
    /// Check the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Write a consistent copy of the database and the documents into DIR (new or empty), while
    /// the service runs.
    Backup { dir: std::path::PathBuf },
    /// Restore a backup written by `dossier backup` into the configured installation, which must be
    /// empty (a fresh data directory, or an empty PostgreSQL database).
    Restore { dir: std::path::PathBuf },
    /// Sanctions and PEP watchlists (global to the installation): import, refresh, prune, list.
    #[command(subcommand)]
    Watchlist(watchlist::WatchlistCommand),
    /// Screen a name against the newest snapshot of every imported watchlist.
    Screen(watchlist::ScreenArgs),
    /// The `screening` task of cases: run the screening worker once.
    #[command(subcommand)]
    Screening(watchlist::ScreeningCommand),
}

#[derive(Subcommand)]
enum WorkspaceCommand {
    /// Create a workspace.
    Create { name: String },
    /// List workspaces.
    List,
}

#[derive(Subcommand)]
enum ApiKeyCommand {
    /// Create a key; prints it once, as the last line of standard output.
    Create {
        #[arg(long, default_value = "default")]
        workspace: String,
        /// The role the key acts with: admin, qualified_reviewer, reviewer, read_only or automation.
        /// It decides what the decision policy leaves to that role.
        #[arg(long, default_value = "automation", value_parser = parse_role)]
        role: Role,
        /// Same as `--role read_only`: a key that can read but not change anything.
        #[arg(long, conflicts_with = "role")]
        read_only: bool,
        /// A label to recognise the key by.
        #[arg(long, default_value = "cli")]
        name: String,
    },
    /// List a workspace's keys (never their secrets).
    List {
        #[arg(long, default_value = "default")]
        workspace: String,
    },
    /// Revoke a key by id.
    Revoke {
        id: String,
        #[arg(long, default_value = "default")]
        workspace: String,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; prints the initial password as the last word of standard output (or takes
    /// it from standard input with `--password-stdin`).
    Create {
        #[arg(long)]
        email: String,
        /// admin, qualified_reviewer, reviewer or read_only.
        #[arg(long)]
        role: String,
        #[arg(long, default_value = "default")]
        workspace: String,
        /// The name shown in the back-office (default: the e-mail address).
        #[arg(long, default_value = "")]
        name: String,
        /// Read the password from the first line of standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List a workspace's users.
    List {
        #[arg(long, default_value = "default")]
        workspace: String,
    },
    /// Give a user a new generated password (printed as the last word of standard output); their
    /// sessions end.
    ResetPassword {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "default")]
        workspace: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Verify every workspace's hash chain; exit 0 if intact, 1 and the first broken entry otherwise.
    Verify,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let loaded = match config::load(&cli.global) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("dossier: {e:#}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts");
    match runtime.block_on(run(cli.command, loaded.config, &loaded.deprecations)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("dossier: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn open_store(config: &Config) -> anyhow::Result<Store> {
    if config.database.url.is_empty() {
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!("creating the data directory {}", config.data_dir.display())
        })?;
    }
    let store = Store::open(&StoreConfig {
        url: config.database_url(),
        max_connections: config.database.max_connections,
    })
    .await
    .context("opening the database")?;
    // The default workspace always exists, so a first key needs no setup.
    store.ensure_workspace("default").await?;
    Ok(store)
}

async fn workspace_id(store: &Store, name: &str) -> anyhow::Result<String> {
    match store.workspace_by_name(name).await? {
        Some(ws) => Ok(ws.id),
        None => {
            bail!("no workspace named `{name}` (create it with `dossier workspace create {name}`)")
        }
    }
}

/// `dossier user …`: through the application layer, as the operator (audited as the CLI).
async fn users(cmd: UserCommand, config: Config) -> anyhow::Result<ExitCode> {
    let store = open_store(&config).await?;
    let app = App::new(store.clone(), config)?;
    let show = |e: dossier_app::AppError| match e {
        dossier_app::AppError::Invalid(errors) => anyhow::anyhow!(
            "{}",
            errors
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        e => anyhow::anyhow!("{}", e.detail()),
    };
    match cmd {
        UserCommand::Create {
            email,
            role,
            workspace,
            name,
            password_stdin,
        } => {
            let ws = workspace_id(&store, &workspace).await?;
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                Some(line.trim_end_matches(['\r', '\n']).to_string())
            } else {
                None
            };
            let (user, generated) = app
                .create_user(
                    &Principal::cli(&ws),
                    NewUser {
                        email,
                        name,
                        role,
                        password,
                    },
                )
                .await
                .map_err(show)?;
            eprintln!(
                "Created {} user {} <{}> in workspace `{workspace}`.",
                user.role, user.id, user.email
            );
            if let Some(password) = generated {
                eprintln!("Their initial password is shown only now:");
                println!("{password}");
            }
        }
        UserCommand::List { workspace } => {
            let ws = workspace_id(&store, &workspace).await?;
            for u in app.users(&Principal::cli(&ws)).await.map_err(show)? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    u.id,
                    u.email,
                    u.role,
                    u.status,
                    u.last_login_at.as_deref().unwrap_or("never signed in")
                );
            }
        }
        UserCommand::ResetPassword { email, workspace } => {
            let ws = workspace_id(&store, &workspace).await?;
            let p = Principal::cli(&ws);
            let user = app
                .users(&p)
                .await
                .map_err(show)?
                .into_iter()
                .find(|u| u.email == dossier_app::users::normalise_email(&email))
                .ok_or_else(|| anyhow::anyhow!("no user `{email}` in workspace `{workspace}`"))?;
            let password = app.reset_password(&p, &user.id).await.map_err(show)?;
            eprintln!("New password of {} (shown only now):", user.email);
            println!("{password}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn run(
    command: Command,
    mut config: Config,
    deprecations: &[String],
) -> anyhow::Result<ExitCode> {
    // `serve` logs; the other subcommands print to standard error.
    if !matches!(command, Command::Serve { .. }) {
        config::report_deprecations(deprecations, false);
    }
    match command {
        Command::Serve { bind, demo } => {
            if let Some(b) = bind {
                config.server.bind = b;
            }
            config::init_logging(&config);
            config::report_deprecations(deprecations, true);
            let store = open_store(&config).await?;
            let listener = tokio::net::TcpListener::bind(&config.server.bind)
                .await
                .with_context(|| format!("listening on {}", config.server.bind))?;
            let addr = listener.local_addr()?;
            if demo {
                demo::import_sample_watchlist(&store, &config).await?;
                let key = demo::seed(&store).await?;
                let (email, password) = demo::admin(&store, &config).await?;
                println!("Dossier demo is running at http://{addr}");
                println!("Back-office: http://{addr}/login as {email} with password {password}");
                println!(
                    "Try: curl -H 'Authorization: Bearer {key}' http://{addr}/api/applications"
                );
                println!("Demo API key (workspace `demo`):\n{key}");
            }
            tracing::info!(%addr, backend = ?store.backend(), "dossier serving");
            let app = App::new(store.clone(), config)?;
            let state = AppState::new(app.clone())?;
            let workers = Workers::start(&app)?;
            let served = dossier_server::serve(state, listener, shutdown_signal()).await;
            workers.stop().await;
            served?;
            store.close().await;
            tracing::info!("dossier stopped");
        }
        Command::Migrate => {
            let store = open_store(&config).await?;
            let applied = store.migrate().await?;
            println!(
                "database is up to date ({} migrations applied now)",
                applied.len()
            );
        }
        Command::Workspace(WorkspaceCommand::Create { name }) => {
            let store = open_store(&config).await?;
            match store.create_workspace(&name).await {
                Ok(ws) => println!("{}", ws.id),
                Err(dossier_store::StoreError::Conflict(_)) => {
                    bail!("a workspace named `{name}` already exists")
                }
                Err(e) => return Err(e.into()),
            }
        }
        Command::Workspace(WorkspaceCommand::List) => {
            let store = open_store(&config).await?;
            for ws in store.workspaces().await? {
                println!("{}\t{}\t{}", ws.id, ws.name, ws.created_at);
            }
        }
        Command::Apikey(ApiKeyCommand::Create {
            workspace,
            role,
            read_only,
            name,
        }) => {
            let role = if read_only { Role::ReadOnly } else { role };
            let store = open_store(&config).await?;
            let ws = workspace_id(&store, &workspace).await?;
            let app = App::new(store, config)?;
            let created = app
                .create_api_key(&Principal::cli(&ws), &name, role.as_str())
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.detail()))?;
            eprintln!(
                "Created {role} key {} in workspace `{workspace}`. It is shown only now:",
                created.key.id
            );
            println!("{}", created.secret);
        }
        Command::Apikey(ApiKeyCommand::List { workspace }) => {
            let store = open_store(&config).await?;
            let ws = workspace_id(&store, &workspace).await?;
            let app = App::new(store, config)?;
            let keys = app
                .api_keys(&Principal::cli(&ws))
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.detail()))?;
            for k in keys {
                let state = match &k.revoked_at {
                    Some(at) => format!("revoked {at}"),
                    None => k.role.to_string(),
                };
                println!(
                    "{}\t{}…\t{}\t{}\t{}",
                    k.id, k.prefix, k.name, state, k.created_at
                );
            }
        }
        Command::Apikey(ApiKeyCommand::Revoke { id, workspace }) => {
            let store = open_store(&config).await?;
            let ws = workspace_id(&store, &workspace).await?;
            let app = App::new(store, config)?;
            match app.revoke_api_key(&Principal::cli(&ws), &id).await {
                Ok(()) => println!("revoked {id}"),
                Err(dossier_app::AppError::NotFound(_)) => {
                    bail!("no live key `{id}` in workspace `{workspace}`")
                }
                Err(e) => bail!("{}", e.detail()),
            }
        }
        Command::User(cmd) => return users(cmd, config).await,
        Command::Watchlist(cmd) => {
            let store = open_store(&config).await?;
            return watchlist::run(cmd, &store, &config).await;
        }
        Command::Screening(cmd) => {
            let store = open_store(&config).await?;
            return watchlist::run_screening(cmd, &store, &config).await;
        }
        Command::Screen(args) => {
            let store = open_store(&config).await?;
            return watchlist::screen(args, &store, &config).await;
        }
        Command::Backup { dir } => {
            let store = open_store(&config).await?;
            backup::backup(&config, &store, &dir).await?;
        }
        Command::Restore { dir } => backup::restore(&config, &dir).await?,
        Command::Audit(AuditCommand::Verify) => {
            let store = open_store(&config).await?;
            let count = store.audit_entry_count().await?;
            match store.verify_audit().await? {
                None => println!("audit chain intact: {count} entries verified"),
                Some(b) => {
                    let chain = if b.chain.is_empty() {
                        "the workspace chain".to_string()
                    } else {
                        format!("the chain of {}", b.chain)
                    };
                    println!(
                        "audit chain BROKEN in workspace {}, {chain}, at entry {} ({}): {}",
                        b.workspace_id,
                        b.seq,
                        b.entry_id.as_deref().unwrap_or("-"),
                        b.reason
                    );
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// `--role`: one of the roles, named as the API names them.
fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text)
        .filter(|r| Role::STAFF.contains(r))
        .ok_or_else(|| {
            let names: Vec<_> = Role::STAFF.iter().map(|r| r.as_str()).collect();
            format!(
                "unknown role `{text}`; a role is one of {}",
                names.join(", ")
            )
        })
}
