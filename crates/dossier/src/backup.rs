//! `dossier backup DIR` and `dossier restore DIR`: a copy of an installation that restores into a
//! working one.
//!
//! A backup is a directory holding:
//! - `manifest.json`: the format, Dossier's version, the schema version, the backend, when it was
//!   taken, and what it holds ([`Inventory`]);
//! - `dossier.db` (SQLite, an online snapshot by `VACUUM INTO`) or `dossier.pgdump` (PostgreSQL,
//!   `pg_dump --format=custom` of an exported snapshot);
//! - `documents/`: the file of every document the snapshot names, each checked against its SHA-256.
//!
//! The database is copied first and the files after: a document's file is written before its row
//! commits and is never changed or removed afterwards, so every file the snapshot names is there.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail, ensure};
use dossier_app::Config;
use dossier_store::{Backend, DocumentFile, Inventory, LATEST_VERSION, Store, StoreConfig};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Bumped when the layout of a backup changes.
const FORMAT: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: u32,
    dossier_version: String,
    schema_version: i64,
    backend: String,
    taken_at: String,
    inventory: Inventory,
}

const SQLITE_FILE: &str = "dossier.db";
const PG_FILE: &str = "dossier.pgdump";

/// Writes a backup of the configured installation into `dir` (created; refused if not empty).
pub async fn backup(config: &Config, store: &Store, dir: &Path) -> anyhow::Result<()> {
    ensure_empty_dir(dir)?;
    let (files, inventory) = match store.backend() {
        Backend::Sqlite => {
            let snapshot = dir.join(SQLITE_FILE);
            store
                .snapshot_sqlite(&snapshot)
                .await
                .context("taking the database snapshot")?;
            // The file list comes from the snapshot itself, so it matches it exactly.
            let copy = open(&format!("sqlite://{}", snapshot.display())).await?;
            let listed = (copy.document_files().await?, copy.inventory().await?);
            copy.close().await;
            listed
        }
        Backend::Postgres => {
            let mut snapshot = store.postgres_snapshot().await?;
            let status = Command::new("pg_dump")
                .args(["--format=custom", "--no-owner", "--no-privileges"])
                .arg(format!("--snapshot={}", snapshot.id))
                .arg("--file")
                .arg(dir.join(PG_FILE))
                .arg(config.database_url())
                .status()
                .context("running pg_dump (install PostgreSQL's client tools)")?;
            ensure!(status.success(), "pg_dump failed ({status})");
            (
                snapshot.document_files().await?,
                snapshot.inventory().await?,
            )
        }
    };
    let source = config.data_dir.join("documents");
    let target = dir.join("documents");
    for file in &files {
        copy_checked(&source, &target, file)?;
    }
    let manifest = Manifest {
        format: FORMAT,
        dossier_version: env!("CARGO_PKG_VERSION").into(),
        schema_version: LATEST_VERSION,
        backend: backend_name(store.backend()).into(),
        taken_at: jiff::Timestamp::now().to_string(),
        inventory,
    };
    write_manifest(dir, &manifest)?;
    let i = &manifest.inventory;
    println!(
        "backup written to {}: {} workspaces, {} cases, {} documents ({} files checked), {} events, {} audit entries",
        dir.display(),
        i.workspaces,
        i.applications,
        i.documents,
        files.len(),
        i.events,
        i.audit_entries
    );
    Ok(())
}

/// Restores the backup in `dir` into the configured installation, which must be empty: no SQLite
/// database (or no table in the PostgreSQL database) and no documents yet.
pub async fn restore(config: &Config, dir: &Path) -> anyhow::Result<()> {
    let manifest: Manifest = serde_json::from_slice(
        &fs::read(dir.join("manifest.json"))
            .with_context(|| format!("reading {}/manifest.json", dir.display()))?,
    )
    .context("reading the backup's manifest")?;
    ensure!(
        manifest.format == FORMAT,
        "this backup has format {}; this build reads format {FORMAT}",
        manifest.format
    );
    ensure!(
        manifest.schema_version <= LATEST_VERSION,
        "this backup has schema {} (Dossier {}); this build knows schema {LATEST_VERSION} at most",
        manifest.schema_version,
        manifest.dossier_version
    );
    let url = config.database_url();
    let backend = if config.database.url.is_empty() {
        Backend::Sqlite
    } else {
        Backend::Postgres
    };
    ensure!(
        manifest.backend == backend_name(backend),
        "this backup is of a {} installation; the configured database is {}",
        manifest.backend,
        backend_name(backend)
    );
    let documents = config.data_dir.join("documents");
    ensure!(
        !documents.exists() || fs::read_dir(&documents)?.next().is_none(),
        "{} is not empty: restore into a fresh installation",
        documents.display()
    );
    match backend {
        Backend::Sqlite => {
            let db = config.data_dir.join(SQLITE_FILE);
            ensure!(
                !db.exists(),
                "{} exists: restore into a fresh data directory",
                db.display()
            );
            fs::create_dir_all(&config.data_dir)?;
            // Copied beside, then renamed: a restore cut short leaves no half database behind.
            let partial = config.data_dir.join("dossier.db.restoring");
            fs::copy(dir.join(SQLITE_FILE), &partial).context("copying the database")?;
            fs::File::open(&partial)?.sync_all()?;
            fs::rename(&partial, &db)?;
        }
        Backend::Postgres => {
            ensure!(
                dossier_store::postgres_is_empty(&url).await?,
                "the configured PostgreSQL database has tables: restore into an empty database"
            );
            let status = Command::new("pg_restore")
                .args([
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--dbname",
                ])
                .arg(&url)
                .arg(dir.join(PG_FILE))
                .status()
                .context("running pg_restore (install PostgreSQL's client tools)")?;
            ensure!(status.success(), "pg_restore failed ({status})");
        }
    }
    // Opening migrates a backup of an older schema up to this build's.
    let store = open(&url).await?;
    store.rebuild_case_search().await?;
    let files = store.document_files().await?;
    let backed_up = dir.join("documents");
    for file in &files {
        copy_checked(&backed_up, &documents, file)?;
    }
    let inventory = store.inventory().await?;
    ensure!(
        inventory == manifest.inventory,
        "the restored database holds {inventory:?}, the manifest says {:?}",
        manifest.inventory
    );
    store.close().await;
    println!(
        "restored the backup of {} into {}: {} cases, {} documents, {} events, {} audit entries; check it with `dossier audit verify`",
        manifest.taken_at,
        config.data_dir.display(),
        inventory.applications,
        inventory.documents,
        inventory.events,
        inventory.audit_entries
    );
    Ok(())
}

async fn open(url: &str) -> anyhow::Result<Store> {
    Store::open(&StoreConfig {
        url: url.into(),
        max_connections: 2,
    })
    .await
    .with_context(|| format!("opening {url}"))
}

fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

fn ensure_empty_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        ensure!(
            fs::read_dir(dir)?.next().is_none(),
            "{} is not empty: back up into a new or empty directory",
            dir.display()
        );
    }
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))
}

/// Where a document's object key lives under a documents directory; a key that would leave it is
/// refused.
fn object_path(root: &Path, key: &str) -> anyhow::Result<PathBuf> {
    let mut path = root.to_path_buf();
    for segment in key.split('/') {
        if segment.is_empty() || segment == "." || segment == ".." || segment.contains('\\') {
            bail!("a document's storage key is not a plain path: {key:?}");
        }
        path.push(segment);
    }
    Ok(path)
}

/// Copies one document's file from `from` to `to` (same key), refusing one whose bytes no longer
/// match the SHA-256 recorded when it was uploaded.
fn copy_checked(from: &Path, to: &Path, file: &DocumentFile) -> anyhow::Result<()> {
    let source = object_path(from, &file.storage_key)?;
    let target = object_path(to, &file.storage_key)?;
    if let Some(parent) = target.parent() {
        fs::create_dir_all(parent)?;
    }
    let mut input = fs::File::open(&source)
        .with_context(|| format!("the file of document {} is missing", file.storage_key))?;
    let mut output = fs::File::create(&target)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        output.write_all(&buf[..n])?;
    }
    output.sync_all()?;
    let got = hex::encode(hasher.finalize());
    ensure!(
        got == file.sha256,
        "the file of document {} does not match its SHA-256 (stored {}, found {got})",
        file.storage_key,
        file.sha256
    );
    Ok(())
}

fn write_manifest(dir: &Path, manifest: &Manifest) -> anyhow::Result<()> {
    let path = dir.join("manifest.json");
    let mut f = fs::File::create(&path)?;
    f.write_all(&serde_json::to_vec_pretty(manifest)?)?;
    f.sync_all()?;
    Ok(())
}
