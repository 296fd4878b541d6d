//! Screening against the imported watchlists: the in-memory search index, ad-hoc searches, the
//! workspace's threshold, the screening task's queue ([`queue`]) and hit review ([`hits`]).
//!
//! Watchlists are global to the installation (public lists imported with `dossier watchlist
//! import`), so every workspace searches the same snapshots. The search index is built lazily from
//! the newest snapshot of every source and kept in memory; each use checks, with one small query,
//! whether the set of newest snapshots changed (an import by the CLI or another node) and rebuilds
//! the index if so.

pub mod hits;
pub mod queue;

use std::collections::HashMap;
use std::sync::Arc;

use dossier_domain::audit::diff;
use dossier_screening::{Entity, Index, Query, Schema};
use dossier_store::{Store, WatchlistSnapshot};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::{Mutex, RwLock};
use utoipa::ToSchema;

use crate::error::{AppError, AppResult};
use crate::{App, Idempotency, Outcome, Principal, Written};

/// Results per search at most.
pub const MAX_LIMIT: usize = 100;

/// An index and the snapshots it was built from.
pub struct BuiltIndex {
    pub snapshots: Vec<WatchlistSnapshot>,
    pub index: Index,
    /// Which snapshot (index into `snapshots`) each list's entities came from.
    pub lists: HashMap<String, usize>,
}

/// The in-memory index over the newest snapshot of every source.
#[derive(Default)]
pub struct ScreeningIndex {
    current: RwLock<Option<Arc<BuiltIndex>>>,
    /// One rebuild at a time; requests arriving meanwhile wait for it rather than build again.
    building: Mutex<()>,
}

impl ScreeningIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// The index over the newest snapshots, rebuilt if they changed since it was built; `None`
    /// when no watchlist was ever imported.
    pub async fn get(&self, store: &Store) -> anyhow::Result<Option<Arc<BuiltIndex>>> {
        let ids = store.latest_watchlist_snapshot_ids().await?;
        if ids.is_empty() {
            return Ok(None);
        }
        let current = || async {
            self.current
                .read()
                .await
                .as_ref()
                .filter(|b| b.snapshots.iter().map(|s| &s.id).eq(ids.iter()))
                .cloned()
        };
        if let Some(built) = current().await {
            return Ok(Some(built));
        }
        let _guard = self.building.lock().await;
        // Another request may have rebuilt it while we waited.
        if let Some(built) = current().await {
            return Ok(Some(built));
        }
        let started = std::time::Instant::now();
        let (snapshots, per_snapshot) = entities_by_snapshot(store).await?;
        let lists = list_origins(&per_snapshot);
        let index = tokio::task::spawn_blocking(move || {
            Index::build(per_snapshot.into_iter().flatten().collect())
        })
        .await?;
        tracing::info!(
            snapshots = snapshots.len(),
            entities = index.len(),
            ms = started.elapsed().as_millis() as u64,
            "screening index built"
        );
        let built = Arc::new(BuiltIndex {
            snapshots,
            index,
            lists,
        });
        *self.current.write().await = Some(built.clone());
        Ok(Some(built))
    }
}

/// The entities of the newest snapshot of every source.
pub async fn latest_entities(
    store: &Store,
) -> anyhow::Result<(Vec<WatchlistSnapshot>, Vec<Entity>)> {
    let (snapshots, per_snapshot) = entities_by_snapshot(store).await?;
    Ok((snapshots, per_snapshot.into_iter().flatten().collect()))
}

/// The entities of the newest snapshot of every source, snapshot by snapshot.
pub async fn entities_by_snapshot(
    store: &Store,
) -> anyhow::Result<(Vec<WatchlistSnapshot>, Vec<Vec<Entity>>)> {
    let snapshots = store.latest_watchlist_snapshots().await?;
    let mut rows = Vec::new();
    for s in &snapshots {
        rows.push(store.watchlist_entities(&s.id).await?);
    }
    let entities = tokio::task::spawn_blocking(move || {
        rows.into_iter()
            .map(|snapshot| {
                snapshot
                    .iter()
                    .map(|data| serde_json::from_str::<Entity>(data))
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()
    })
    .await??;
    Ok((snapshots, entities))
}

/// List name → the snapshot its entities came from (a source may publish several lists).
pub fn list_origins(per_snapshot: &[Vec<Entity>]) -> HashMap<String, usize> {
    let mut lists = HashMap::new();
    for (i, entities) in per_snapshot.iter().enumerate() {
        for e in entities {
            lists.entry(e.list.clone()).or_insert(i);
        }
    }
    lists
}

/// Builds a search index over the newest snapshot of every source (the CLI's `screen` uses it too).
pub async fn load_index(store: &Store) -> anyhow::Result<(Vec<WatchlistSnapshot>, Index)> {
    let (snapshots, entities) = latest_entities(store).await?;
    let index = tokio::task::spawn_blocking(move || Index::build(entities)).await?;
    Ok((snapshots, index))
}

/// An ad-hoc screening query.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchRequest {
    /// The name to screen, as written (any script, any order). Required (a missing one is a 422
    /// naming `name`, like an empty one).
    #[serde(default)]
    #[schema(pattern = r"\S")]
    pub name: String,
    /// `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.
    pub birth_date: Option<String>,
    /// Nationality, residence or registration country: ISO code or name.
    pub country: Option<String>,
    /// `person`, `organisation` (or `organization`), `vessel` or `aircraft`; omitted searches all.
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub entity_type: Option<String>,
    /// Results at most (1–100, default 10).
    #[schema(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

/// Checks a query's fields; every problem names its field.
pub fn validate(req: &SearchRequest) -> Result<Query, AppError> {
    let mut errors = Vec::new();
    let mut fail = |field: &str, message: &str| {
        errors.push(dossier_domain::validation::FieldError {
            field: field.into(),
            code: "invalid",
            message: message.into(),
        })
    };
    let name = req.name.trim();
    if name.is_empty() {
        fail("name", "must not be empty");
    } else if name.chars().count() > 500 {
        fail("name", "must be at most 500 characters");
    }
    let birth_date = req
        .birth_date
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty());
    if let Some(d) = birth_date
        && !is_date_prefix(d)
    {
        fail("birth_date", "must be a date: YYYY-MM-DD, YYYY-MM or YYYY");
    }
    let schema = match req
        .entity_type
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        None => None,
        Some(t) => match t.parse::<Schema>() {
            Ok(s) if s != Schema::Unknown => Some(s),
            _ => {
                fail(
                    "type",
                    "must be one of person, organisation, vessel, aircraft",
                );
                None
            }
        },
    };
    let limit = match req.limit {
        None => 10,
        Some(n) if (1..=MAX_LIMIT as i64).contains(&n) => n as usize,
        Some(_) => {
            fail("limit", "must be between 1 and 100");
            10
        }
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(Query {
        name: name.to_string(),
        birth_date: birth_date.map(str::to_string),
        country: req
            .country
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string),
        schema,
        limit,
        ..Query::default()
    })
}

/// `YYYY`, `YYYY-MM` or a real `YYYY-MM-DD`.
pub fn is_date_prefix(d: &str) -> bool {
    let parts: Vec<&str> = d.split('-').collect();
    let num = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [y] => num(y, 4),
        [y, m] => num(y, 4) && num(m, 2) && (1..=12).contains(&m.parse::<u8>().unwrap_or(0)),
        [_, _, _] => d.parse::<jiff::civil::Date>().is_ok(),
        _ => false,
    }
}

/// A stored threshold (basis points) as a score.
fn from_basis_points(bp: i64) -> f64 {
    bp as f64 / 10_000.0
}

/// The threshold a workspace screens with and where it comes from (`workspace`, or `default`: the
/// installation's `screening.threshold`). The one place a stored threshold is read.
pub async fn threshold(store: &Store, ws: &str, default: f64) -> AppResult<(f64, &'static str)> {
    Ok(match store.screening_threshold(ws).await? {
        Some(bp) => (from_basis_points(bp), "workspace"),
        None => (default, "default"),
    })
}

/// A workspace's screening settings.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScreeningSettings {
    /// Score (0–1, at most 4 decimals kept) at or above which a result is `matched`; `null` (or
    /// omitted) goes back to the installation's `screening.threshold`.
    #[schema(minimum = 0, maximum = 1)]
    pub threshold: Option<f64>,
}

impl App {
    /// The screening index, or a conflict when no watchlist has been imported yet.
    pub async fn screening_index(&self) -> AppResult<Arc<BuiltIndex>> {
        self.screening
            .get(&self.store)
            .await
            .map_err(|e| AppError::Internal(format!("building the screening index: {e:#}")))?
            .ok_or_else(|| {
                AppError::Conflict(
                    "no_watchlist",
                    "no watchlist imported; run `dossier watchlist import --source KIND PATH`"
                        .into(),
                )
            })
    }

    /// Searches the newest snapshot of every imported watchlist, best first, with the principal's
    /// workspace threshold: `{results, threshold, snapshots}`.
    pub async fn screening_search(&self, p: &Principal, req: &SearchRequest) -> AppResult<Value> {
        let query = validate(req)?;
        let built = self.screening_index().await?;
        let threshold = self.screening_threshold(p).await?.0;
        let snapshots: Vec<Value> = built
            .snapshots
            .iter()
            .map(|s| json!({"id": s.id, "source": s.source, "version": s.version, "imported_at": s.imported_at}))
            .collect();
        let results = tokio::task::spawn_blocking(move || built.index.search(&query, threshold))
            .await
            .map_err(|e| AppError::internal("screening search", e))?;
        Ok(json!({
            "results": results,
            "threshold": threshold,
            "snapshots": snapshots,
        }))
    }

    /// The principal's workspace threshold and where it comes from.
    pub async fn screening_threshold(&self, p: &Principal) -> AppResult<(f64, &'static str)> {
        threshold(&self.store, p.ws(), self.config.screening.threshold).await
    }

    /// `{threshold, source: "workspace" | "default", default}`.
    pub async fn screening_settings(&self, p: &Principal) -> AppResult<Value> {
        let (t, source) = self.screening_threshold(p).await?;
        Ok(json!({"threshold": t, "source": source, "default": self.config.screening.threshold}))
    }

    /// Sets the workspace's screening threshold (audited as `screening_settings.updated`); `None`
    /// goes back to the installation's default.
    pub async fn set_screening_threshold(
        &self,
        p: &Principal,
        idempotency: Option<Idempotency>,
        threshold: Option<f64>,
    ) -> AppResult<Written> {
        p.require_admin()?;
        let bp = match threshold {
            None => None,
            Some(t) if (0.0..=1.0).contains(&t) => Some((t * 10_000.0).round() as i64),
            Some(_) => return Err(AppError::invalid("threshold", "must be between 0 and 1")),
        };
        let default = self.config.screening.threshold;
        self.write(p, idempotency, async |tx| {
            let before = tx.set_screening_threshold(p.ws(), bp).await?;
            let show = |bp: Option<i64>| bp.map(from_basis_points);
            tx.audit(
                p.ws(),
                &p.actor,
                "screening_settings.updated",
                "workspace",
                p.ws(),
                None,
                &diff(
                    &json!({"threshold": show(before)}),
                    &json!({"threshold": show(bp)}),
                ),
            )
            .await?;
            Ok((
                Outcome::Changed,
                json!({
                    "threshold": show(bp).unwrap_or(default),
                    "source": if bp.is_some() { "workspace" } else { "default" },
                    "default": default,
                }),
            ))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_iso_prefixes() {
        for ok in ["1952", "1952-10", "1952-10-07", "2000-02-29"] {
            assert!(is_date_prefix(ok), "{ok}");
        }
        for bad in [
            "52",
            "1952-13",
            "1952-02-30",
            "07/10/1952",
            "1952-1-7",
            "",
            "abcd",
        ] {
            assert!(!is_date_prefix(bad), "{bad}");
        }
    }
}
