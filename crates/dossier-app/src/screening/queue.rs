//! The `screening` task's results and ongoing monitoring.
//!
//! * [`queue_if_needed`] — called by [`crate::applications`] in the change's transaction: a case whose screening
//!   task waits for a screening (new case, or the parties' names, birth dates, countries or types
//!   changed) gets a `screening_queue` row. Only an insert: no watchlist search happens inside a
//!   create or an update.
//! * [`Screener`] — a pass of the screening worker (`dossier-workers` loops over it; `dossier
//!   screening run` runs it until the queue is empty):
//!   screens every party of each queued case with the in-memory [`ScreeningIndex`] outside any
//!   transaction, then records the hits and the task's outcome through [`applications::save`] in a write
//!   transaction, so events, audit and status derivation happen the normal way.
//! * [`rescreen_after_import`] — after an import, every active case (not rejected) is re-screened
//!   against the added and changed entities only, with a small index of just those.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use dossier_domain::application::Application;
use dossier_domain::audit::Actor;
use dossier_domain::id::new_id;
use dossier_domain::workflow::tasks::screening::{
    self, HitEntity, Scope, Screened, ScreenedSnapshot, ScreeningHit, ScreeningParty,
};
use dossier_domain::workflow::{CaseFacts, TaskResult};
use dossier_screening::{Entity, EntityKey, Index, Match, Query, Schema};
use dossier_store::{QueuedScreening, Store, Tx, WatchlistSnapshot, now, timestamp};

use crate::applications;
use crate::error::AppResult;
use crate::screening::{BuiltIndex, ScreeningIndex, threshold};

/// Audit action of a worker's screening of a case.
pub const SCREENED: &str = "screening.completed";
/// Audit action of a re-screening after an import.
pub const RESCREENED: &str = "screening.rescreened";
/// Results per party at most.
const HITS_PER_PARTY: usize = 10;
/// Queue rows per worker pass, and cases per page of a re-screen.
const BATCH: i64 = 200;
const PAGE: i64 = 500;

/// The input fingerprint to screen for, when the case's active screening task waits for a
/// (full) screening: never run, or stale.
pub fn needs_screening(app: &Application) -> Option<&str> {
    app.tasks
        .iter()
        .find(|t| t.kind == "screening" && t.active && (t.result == TaskResult::Pending || t.stale))
        .map(|t| t.fingerprint.as_str())
}

/// Queues the case's screening, in the change's transaction, when it needs one for inputs that were
/// not already queued (`before` is the case before the change; `None` for a new case).
pub async fn queue_if_needed(
    tx: &mut Tx,
    ws: &str,
    before: Option<&Application>,
    app: &Application,
) -> AppResult<()> {
    // A case a client is still filling in a portal is screened once submitted, not at every step.
    if app.is_portal_draft() {
        return Ok(());
    }
    let before = before.filter(|b| !b.is_portal_draft());
    let Some(fingerprint) = needs_screening(app) else {
        return Ok(());
    };
    if before.and_then(needs_screening) == Some(fingerprint) {
        return Ok(());
    }
    tx.enqueue_screening(ws, &app.id, fingerprint).await?;
    Ok(())
}

/// The parties of a case, as screened.
pub fn parties_of(app: &Application) -> Vec<ScreeningParty> {
    let case = serde_json::to_value(app).expect("an application serialises");
    screening::parties(&CaseFacts::build(&case, &[]))
}

/// Searches every party in `index`; `snapshot_of` names the snapshot an entity came from.
pub fn screen_parties(
    index: &Index,
    parties: &[ScreeningParty],
    threshold: f64,
    snapshot_of: &dyn Fn(&Entity) -> ScreenedSnapshot,
) -> Vec<ScreeningHit> {
    let at = now();
    let mut hits = Vec::new();
    for party in parties {
        let query = Query {
            name: party.name.clone(),
            birth_date: party.birth_date.clone(),
            country: party.countries.first().cloned(),
            schema: Some(if party.kind == "person" {
                Schema::Person
            } else {
                Schema::Organisation
            }),
            limit: HITS_PER_PARTY,
            ..Query::default()
        };
        for m in index.search(&query, threshold) {
            if m.matched {
                hits.push(to_hit(party, m, snapshot_of, &at));
            }
        }
    }
    hits
}

fn to_hit(
    party: &ScreeningParty,
    m: Match,
    snapshot_of: &dyn Fn(&Entity) -> ScreenedSnapshot,
    at: &str,
) -> ScreeningHit {
    let snapshot = snapshot_of(&m.entity);
    let e = m.entity;
    ScreeningHit {
        id: new_id("hit"),
        party_id: party.party_id.clone(),
        party_name: party.name.clone(),
        party_kind: party.kind.clone(),
        entity: HitEntity {
            content_hash: e.content_hash(),
            schema: serde_json::to_value(e.schema)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_else(|| "unknown".into()),
            names: e.names.into_iter().map(|n| n.value).collect(),
            list: e.list,
            list_id: e.list_id,
            birth_dates: e.birth_dates,
            nationalities: e.nationalities,
            countries: e.countries,
            programmes: e.programmes,
            topics: e.topics,
            source_url: e.source_url,
        },
        score: m.score,
        explanation: serde_json::to_value(&m.explanation).unwrap_or_default(),
        snapshot_id: snapshot.id,
        snapshot_source: snapshot.source,
        snapshot_version: snapshot.version,
        status: screening::HitStatus::Unreviewed,
        found_at: at.to_string(),
        review: None,
    }
}

fn snapshot_ref(s: &WatchlistSnapshot) -> ScreenedSnapshot {
    ScreenedSnapshot {
        id: s.id.clone(),
        source: s.source.clone(),
        version: s.version,
    }
}

/// A screening done: what was searched, for which task inputs, and what was found.
struct Done<'a> {
    /// The screening task's input fingerprint the parties came from.
    fingerprint: String,
    screened: Screened,
    found: Vec<ScreeningHit>,
    scope: Scope<'a>,
}

/// Records a screening's hits and the task's outcome on the case and saves it through
/// [`applications::save`] (events, audit, status); then one `screening.hit` event per raised hit.
async fn record(
    tx: &mut Tx,
    ws: &str,
    action: &str,
    mut app: Application,
    done: Done<'_>,
) -> AppResult<Vec<String>> {
    let before = app.clone();
    let raised = screening::merge(&mut app.screening_hits, done.found, &done.scope);
    applications::record_screening(&mut app, &done.screened, Some(done.fingerprint));
    let app = applications::save(tx, ws, &Actor::system(), action, &before, app).await?;
    for id in &raised {
        if let Some(hit) = app.screening_hits.iter().find(|h| &h.id == id) {
            let object = serde_json::to_value(hit).expect("a hit serialises");
            tx.emit(ws, "screening.hit", Some(&app.id), &object).await?;
        }
    }
    Ok(raised)
}

/// The screening worker.
#[derive(Clone)]
pub struct Screener {
    pub store: Store,
    pub index: Arc<ScreeningIndex>,
    /// The installation's `screening.threshold`.
    pub default_threshold: f64,
}

impl Screener {
    /// Screens the queued cases that are due (one batch); returns how many were settled. Does
    /// nothing while no watchlist is imported: the tasks stay `pending` (never a fake clear).
    pub async fn run_once(&self) -> anyhow::Result<usize> {
        let Some(built) = self.index.get(&self.store).await? else {
            return Ok(0);
        };
        // Cases are searched concurrently, one per core (the writes queue up in the store).
        let parallel = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut running = tokio::task::JoinSet::new();
        let mut settled = 0;
        let mut due = self.store.due_screenings(BATCH).await?.into_iter();
        loop {
            while running.len() < parallel
                && let Some(q) = due.next()
            {
                let (this, built) = (self.clone(), built.clone());
                running.spawn(async move {
                    let outcome = this.screen_queued(&built, &q).await;
                    (q, outcome)
                });
            }
            let Some(joined) = running.join_next().await else {
                break;
            };
            let (q, outcome) = joined?;
            match outcome {
                Ok(true) => settled += 1,
                Ok(false) => {}
                Err(e) => {
                    // Back off (1 s, 2 s, … up to an hour) rather than retry a failing case hot.
                    let delay = (1u64 << q.attempts.clamp(0, 12)).min(3600);
                    let until =
                        jiff::Timestamp::now() + jiff::SignedDuration::from_secs(delay as i64);
                    tracing::warn!(application_id = %q.application_id, error = %format!("{e:#}"),
                        "screening failed; retrying in {delay} s");
                    self.store.postpone_screening(&q, &timestamp(until)).await?;
                }
            }
        }
        Ok(settled)
    }

    /// Runs passes until nothing due is left (the CLI's `dossier screening run`).
    pub async fn drain(&self) -> anyhow::Result<usize> {
        let mut total = 0;
        loop {
            let n = self.run_once().await?;
            if n == 0 {
                return Ok(total);
            }
            total += n;
        }
    }

    /// Screens one queued case; `Ok(false)` when it was left for a later pass.
    async fn screen_queued(
        &self,
        built: &Arc<BuiltIndex>,
        q: &QueuedScreening,
    ) -> anyhow::Result<bool> {
        let (ws, id, fp) = (&q.workspace_id, &q.application_id, &q.fingerprint);
        let Some(app) = self.store.application(ws, id).await? else {
            return Ok(false);
        };
        if needs_screening(&app) != Some(fp.as_str()) {
            // Settled meanwhile, or re-queued for newer inputs (that row replaced this one).
            let mut tx = self.store.begin().await?;
            tx.dequeue_screening(ws, id, fp).await?;
            tx.commit().await?;
            return Ok(true);
        }
        let parties = parties_of(&app);
        let (threshold, _) = threshold(&self.store, ws, self.default_threshold).await?;
        let searched = built.clone();
        let party_count = parties.len();
        let found = tokio::task::spawn_blocking(move || {
            let snapshot_of = |e: &Entity| {
                let i = searched.lists.get(&e.list).copied().unwrap_or(0);
                snapshot_ref(&searched.snapshots[i])
            };
            screen_parties(&searched.index, &parties, threshold, &snapshot_of)
        })
        .await?;

        let mut tx = self.store.begin().await?;
        let Some(app) = tx.application_for_update(ws, id).await? else {
            tx.rollback().await?;
            return Ok(false);
        };
        let current: Vec<String> = self.store.latest_watchlist_snapshot_ids().await?;
        if needs_screening(&app) != Some(fp.as_str())
            || !built.snapshots.iter().map(|s| &s.id).eq(current.iter())
        {
            // The case changed (its new queue row covers it) or an import landed while we were
            // searching (the next pass searches the new index).
            tx.rollback().await?;
            return Ok(false);
        }
        let screened = Screened {
            parties: party_count,
            snapshots: built.snapshots.iter().map(snapshot_ref).collect(),
            threshold,
            at: now(),
        };
        let done = Done {
            fingerprint: fp.clone(),
            screened,
            found,
            scope: Scope::Full,
        };
        record(&mut tx, ws, SCREENED, app, done)
            .await
            .map_err(|e| anyhow::anyhow!("recording the screening: {e}"))?;
        tx.dequeue_screening(ws, id, fp).await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// What a re-screen after an import did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RescreenReport {
    /// Entities searched (added and changed ones).
    pub entities: usize,
    /// Active cases whose screening was settled and so re-screened.
    pub cases: usize,
    pub parties: usize,
    /// Cases whose hits changed (and were saved).
    pub cases_updated: usize,
    pub hits_raised: usize,
    pub seconds: f64,
}

/// Re-screens every active case (status_review pending or approved) whose screening is settled
/// against the entities an import added or changed (`to_rescreen`), and withdraws unreviewed hits
/// on entities it removed. New hits reopen the task (`needs_action`, with
/// `application.status_updated` through the normal save path) and each emits `screening.hit`.
/// Cases still waiting for a full screening are left to the worker, which searches the new index.
pub async fn rescreen_after_import(
    store: &Store,
    snapshot: &WatchlistSnapshot,
    to_rescreen: Vec<Entity>,
    removed: &[EntityKey],
    default_threshold: f64,
) -> anyhow::Result<RescreenReport> {
    // Nothing to monitor: skip building an index of the changed entities.
    if store.active_cases("", 1).await?.is_empty() {
        return Ok(RescreenReport::default());
    }
    let started = Instant::now();
    let mut report = RescreenReport {
        entities: to_rescreen.len(),
        ..RescreenReport::default()
    };
    let key = |list: &str, list_id: &str| (list.to_string(), list_id.to_string());
    let rescreened: HashSet<(String, String)> = to_rescreen
        .iter()
        .map(|e| key(&e.list, &e.list_id))
        .collect();
    let removed: HashSet<(String, String)> =
        removed.iter().map(|k| key(&k.list, &k.list_id)).collect();
    if rescreened.is_empty() && removed.is_empty() {
        return Ok(report);
    }
    let index = Arc::new(tokio::task::spawn_blocking(move || Index::build(to_rescreen)).await?);
    let shared = Arc::new(Changes {
        rescreened,
        removed,
        snapshot: snapshot_ref(snapshot),
    });
    let changes = shared.clone();
    let mut thresholds: HashMap<String, f64> = HashMap::new();
    let mut after = String::new();
    loop {
        let page = store.active_cases(&after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.id.clone();
        for c in &page {
            if !thresholds.contains_key(&c.workspace_id) {
                let (t, _) = threshold(store, &c.workspace_id, default_threshold).await?;
                thresholds.insert(c.workspace_id.clone(), t);
            }
        }
        let (page_index, page_shared, page_thresholds) =
            (index.clone(), shared.clone(), thresholds.clone());
        // Decoding and searching are CPU work: off the async threads, split over the cores.
        let candidates = tokio::task::spawn_blocking(move || {
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
            let chunk = page.len().div_ceil(threads).max(1);
            std::thread::scope(|s| {
                let workers: Vec<_> = page
                    .chunks(chunk)
                    .map(|cases| {
                        let (index, changes, thresholds) =
                            (&page_index, &page_shared, &page_thresholds);
                        s.spawn(move || {
                            cases
                                .iter()
                                .filter_map(|c| {
                                    let threshold = thresholds[&c.workspace_id];
                                    rescreen_case(&c.data, index, changes, threshold).map(
                                        |(p, changed)| {
                                            (c.workspace_id.clone(), c.id.clone(), p, changed)
                                        },
                                    )
                                })
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                workers
                    .into_iter()
                    .flat_map(|w| w.join().unwrap_or_default())
                    .collect::<Vec<_>>()
            })
        })
        .await?;
        for (ws, id, parties, changed) in candidates {
            report.cases += 1;
            report.parties += parties;
            let Some(found) = changed else { continue };
            let mut tx = store.begin().await?;
            let Some(app) = tx.application_for_update(&ws, &id).await? else {
                tx.rollback().await?;
                continue;
            };
            let Some((fingerprint, screened)) = settled(&app, &changes.snapshot) else {
                // Changed since the scan: the worker screens it in full.
                tx.rollback().await?;
                continue;
            };
            let done = Done {
                fingerprint,
                screened,
                found,
                scope: changes.scope(),
            };
            let raised = record(&mut tx, &ws, RESCREENED, app, done)
                .await
                .map_err(|e| anyhow::anyhow!("recording the re-screening of {id}: {e}"))?;
            tx.commit().await?;
            report.cases_updated += 1;
            report.hits_raised += raised.len();
        }
    }
    report.seconds = started.elapsed().as_secs_f64();
    tracing::info!(?report, snapshot = %snapshot.id, "re-screened active cases after an import");
    Ok(report)
}

/// The fingerprint of a settled screening task (a result for the current inputs) and what its
/// evidence says was screened, with `snapshot` put in place of its source's older version.
fn settled(app: &Application, snapshot: &ScreenedSnapshot) -> Option<(String, Screened)> {
    let task = app.tasks.iter().find(|t| {
        t.kind == "screening" && t.active && t.result != TaskResult::Pending && !t.stale
    })?;
    let mut screened = Screened::from_evidence(&task.evidence)?;
    screened.snapshots.retain(|s| s.source != snapshot.source);
    screened.snapshots.push(snapshot.clone());
    screened.at = now();
    Some((task.result_fingerprint.clone(), screened))
}

/// What an import changed, keyed by `(list, list_id)`, and its snapshot.
struct Changes {
    rescreened: HashSet<(String, String)>,
    removed: HashSet<(String, String)>,
    snapshot: ScreenedSnapshot,
}

impl Changes {
    fn scope(&self) -> Scope<'_> {
        Scope::Changes {
            rescreened: &self.rescreened,
            removed: &self.removed,
        }
    }
}

/// One case of a re-screen: `None` unless its screening is settled; else the number of parties
/// searched and, when the hits would change, the hits found.
fn rescreen_case(
    data: &str,
    index: &Index,
    changes: &Changes,
    threshold: f64,
) -> Option<(usize, Option<Vec<ScreeningHit>>)> {
    let app: Application = serde_json::from_str(data).ok()?;
    settled(&app, &changes.snapshot)?;
    let parties = parties_of(&app);
    let found = screen_parties(index, &parties, threshold, &|_| changes.snapshot.clone());
    let mut hits = app.screening_hits.clone();
    screening::merge(&mut hits, found.clone(), &changes.scope());
    let changed = hits != app.screening_hits;
    Some((parties.len(), changed.then_some(found)))
}

/// [`rescreen_after_import`] for a stored snapshot: diffs it against the snapshot it followed (the
/// source's previous version, by the stored content hashes) and re-screens the active cases against
/// the added and changed entities. What `dossier watchlist import` and a scheduled refresh call
/// after storing a snapshot.
pub async fn rescreen_snapshot(
    store: &Store,
    snapshot: &WatchlistSnapshot,
    default_threshold: f64,
) -> anyhow::Result<RescreenReport> {
    // Before reading two snapshots' rows for nothing (`rescreen_after_import` checks it too).
    if store.active_cases("", 1).await?.is_empty() {
        return Ok(RescreenReport::default());
    }
    let new = store.watchlist_entity_rows(&snapshot.id).await?;
    let old: HashMap<(String, String), String> = match &snapshot.previous_id {
        Some(id) => store
            .watchlist_entity_rows(id)
            .await?
            .into_iter()
            .map(|r| ((r.list, r.list_id), r.content_hash))
            .collect(),
        None => HashMap::new(),
    };
    let mut current = HashSet::new();
    let mut to_rescreen = Vec::new();
    for row in new {
        let key = (row.list, row.list_id);
        if old.get(&key) != Some(&row.content_hash) {
            to_rescreen.push(serde_json::from_str::<Entity>(&row.data)?);
        }
        current.insert(key);
    }
    let removed: Vec<EntityKey> = old
        .into_keys()
        .filter(|k| !current.contains(k))
        .map(|(list, list_id)| EntityKey { list, list_id })
        .collect();
    rescreen_after_import(store, snapshot, to_rescreen, &removed, default_threshold).await
}
