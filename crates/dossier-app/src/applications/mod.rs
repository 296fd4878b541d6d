//! Cases: what happens when one is created or changed — validation against the workspace's custom
//! fields, the workflow evaluation (tasks, risk, progress — see [`crate::workflow`]), the stored row,
//! the events and the audit entry, inside the caller's transaction — and how they are read.

use dossier_domain::application::{Application, ApplicationPatch, NewApplication};
use dossier_domain::audit::{Actor, diff};
use dossier_domain::id::new_id;
use dossier_store::{ApplicationFilter, AuditEntry, RiskHistoryEntry, Store, Tx, now};
use serde_json::Value;

use crate::error::{AppError, AppResult};
use crate::write::JsonText;
use crate::{App, Principal, fetch_limit, paginate, screening, workflow};

/// Creates a case. Everything but the final writes — reading the workspace's custom fields and
/// template, validation, the workflow evaluation — happens before the transaction's first statement,
/// so none of it holds the writer (a create locks nothing it reads). Returns the case as JSON text,
/// serialised once for the row, the event, the audit entry and the response.
pub async fn create(
    tx: &mut Tx,
    ws: &str,
    actor: &Actor,
    new: NewApplication,
) -> AppResult<JsonText> {
    create_through(tx, ws, actor, new, None)
        .await
        .map(|(_, data)| data)
}

/// Creates the case an onboarding portal's client starts (a draft until submitted).
pub async fn create_from_portal(
    tx: &mut Tx,
    ws: &str,
    actor: &Actor,
    new: NewApplication,
    portal_id: &str,
) -> AppResult<Application> {
    create_through(tx, ws, actor, new, Some(portal_id))
        .await
        .map(|(app, _)| app)
}

async fn create_through(
    tx: &mut Tx,
    ws: &str,
    actor: &Actor,
    new: NewApplication,
    portal_id: Option<&str>,
) -> AppResult<(Application, JsonText)> {
    let settings = tx.settings();
    let definitions = settings.field_definitions(ws).await?;
    let mut app = new.into_application(&definitions, dossier_domain::time::now())?;
    app.portal_id = portal_id.map(str::to_string);
    workflow::evaluate(&settings, ws, &mut app).await?;
    let data = serde_json::to_string(&app).expect("an application serialises");
    // Version 1 (the domain numbers a new case so).
    tx.insert_application(ws, &app, &data, actor).await?;
    // Screening runs in the worker, never inside this transaction: only queue it.
    screening::queue::queue_if_needed(tx, ws, None, &app).await?;
    record_risk(tx, ws, actor, "application.created", &app).await?;
    tx.emit_version(ws, "application.created", &app.id, app.version)
        .await?;
    tx.audit_json(
        ws,
        actor,
        "application.created",
        "application",
        &app.id,
        Some(&app.id),
        // The whole case is the version the entry references (version 1), not copied here.
        "[]".to_string(),
    )
    .await?;
    Ok((app, JsonText(data)))
}

/// 404 unless this workspace has the case (for reads of a case's sub-resources).
pub async fn ensure_exists(store: &Store, ws: &str, id: &str) -> AppResult<()> {
    if store.application_exists(ws, id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound("application"))
    }
}

/// Loads a case of this workspace for change; 404 otherwise.
pub async fn load(tx: &mut Tx, ws: &str, id: &str) -> AppResult<Application> {
    tx.application_for_update(ws, id)
        .await?
        .ok_or(AppError::NotFound("application"))
}

/// The one shape of a change of a case: load it for change, edit it, save it (validation,
/// re-evaluation, events, audit under `action`). Returns the saved case and what `edit` returned.
pub async fn change<T>(
    tx: &mut Tx,
    p: &Principal,
    id: &str,
    action: &str,
    edit: impl FnOnce(&mut Application) -> AppResult<T>,
) -> AppResult<(Application, T)> {
    let mut app = load(tx, p.ws(), id).await?;
    let before = app.clone();
    let out = edit(&mut app)?;
    let app = save(tx, p.ws(), &p.actor, action, &before, app).await?;
    Ok((app, out))
}

pub async fn update(
    tx: &mut Tx,
    ws: &str,
    actor: &Actor,
    id: &str,
    patch: ApplicationPatch,
) -> AppResult<Application> {
    let mut app = load(tx, ws, id).await?;
    let before = app.clone();
    app.apply(patch)?;
    save(tx, ws, actor, "application.updated", &before, app).await
}

/// Validates, re-evaluates and stores a changed case; when anything changed, bumps `updated_at`, emits
/// `application.updated` (and `application.status_updated`, `application.risk_updated`,
/// `application.review_updated` when those moved) and audits the difference under `action`. Every
/// change of a case goes through here, so this is where derived state is kept current.
pub async fn save(
    tx: &mut Tx,
    ws: &str,
    actor: &Actor,
    action: &str,
    before: &Application,
    mut app: Application,
) -> AppResult<Application> {
    let settings = tx.settings();
    let definitions = settings.field_definitions(ws).await?;
    app.validate(&definitions)?;
    workflow::evaluate(&settings, ws, &mut app).await?;
    persist(tx, ws, actor, action, before, app).await
}

/// Stores a case that has just been validated and evaluated (the second half of [`save`], for a
/// change that evaluated the case itself, such as a decision).
pub async fn persist(
    tx: &mut Tx,
    ws: &str,
    actor: &Actor,
    action: &str,
    before: &Application,
    mut app: Application,
) -> AppResult<Application> {
    if &app == before {
        return Ok(app);
    }
    app.updated_at = dossier_domain::time::now();
    app.version = before.version + 1;
    let before_json = serde_json::to_value(before).expect("an application serialises");
    let after_json = serde_json::to_value(&app).expect("an application serialises");
    // One text of the case for the row and every event below (a case is large).
    let data = after_json.to_string();
    tx.update_application(ws, &app, &data, actor).await?;
    screening::queue::queue_if_needed(tx, ws, Some(before), &app).await?;
    let risk_of = |a: &Application| a.risk.as_ref().map(|r| (r.score, r.level.clone()));
    let risk_moved = risk_of(&app) != risk_of(before);
    if risk_moved {
        record_risk(tx, ws, actor, action, &app).await?;
    }
    // Each event type written out at its emit site, for the catalogue check
    // (`crates/dossier-app/tests/event_catalogue.rs`).
    tx.emit_version(ws, "application.updated", &app.id, app.version)
        .await?;
    if app.status_execution != before.status_execution {
        tx.emit_version(ws, "application.status_updated", &app.id, app.version)
            .await?;
    }
    if risk_moved {
        tx.emit_version(ws, "application.risk_updated", &app.id, app.version)
            .await?;
    }
    if app.status_review != before.status_review || app.pending_approval != before.pending_approval
    {
        tx.emit_version(ws, "application.review_updated", &app.id, app.version)
            .await?;
    }
    // What the caller changed is audited under `action`; what the evaluation derived from it (tasks,
    // risk, progress, expected documents, review requirements) in a second, short entry. A task
    // action (`task.run`, `task.cleared`) or a recorded screening changes its task itself.
    let caller_changes_tasks = action.starts_with("task.") || action.starts_with("screening.");
    let derived = |path: &str| {
        let field = path.split(['.', '[']).next().unwrap_or(path);
        match field {
            "tasks" => !caller_changes_tasks,
            "risk"
            | "risk_score"
            | "risk_level"
            | "status_execution"
            | "expected_documents"
            | "review_requirements" => true,
            _ => false,
        }
    };
    // A task's fingerprints are hashes of inputs the entry already records, kept to tell when a
    // result went stale; the version (chained by its hash) keeps them. In the audit they would only
    // repeat the change as 64-character hashes.
    let bookkeeping =
        |path: &str| path.ends_with("].fingerprint") || path.ends_with("].result_fingerprint");
    let (evaluated, changes): (Vec<_>, Vec<_>) = diff(&before_json, &after_json)
        .into_iter()
        .filter(|c| c.path != "updated_at" && c.path != "version" && !bookkeeping(&c.path))
        .partition(|c| derived(&c.path));
    tx.audit(
        ws,
        actor,
        action,
        "application",
        &app.id,
        Some(&app.id),
        &changes,
    )
    .await?;
    if !evaluated.is_empty() {
        tx.audit(
            ws,
            actor,
            "application.evaluated",
            "application",
            &app.id,
            Some(&app.id),
            &evaluated,
        )
        .await?;
    }
    Ok(app)
}

/// Keeps the case's current risk in its history.
async fn record_risk(
    tx: &mut Tx,
    ws: &str,
    actor: &Actor,
    cause: &str,
    app: &Application,
) -> AppResult<()> {
    let Some(risk) = &app.risk else {
        return Ok(());
    };
    let entry = RiskHistoryEntry {
        id: new_id("rsk"),
        application_id: app.id.clone(),
        score: risk.score,
        level: risk.level.clone(),
        cause: cause.to_string(),
        actor: actor.clone(),
        assessment: risk.clone(),
        created_at: now(),
    };
    tx.insert_risk_history(ws, &entry).await?;
    Ok(())
}

impl App {
    /// A case of the principal's workspace, as stored JSON text (the API hands it over as is).
    pub async fn application_json(&self, p: &Principal, id: &str) -> AppResult<String> {
        self.store
            .application_json(p.ws(), id)
            .await?
            .ok_or(AppError::NotFound("application"))
    }

    /// A case of the principal's workspace.
    pub async fn application(&self, p: &Principal, id: &str) -> AppResult<Application> {
        self.store
            .application(p.ws(), id)
            .await?
            .ok_or(AppError::NotFound("application"))
    }

    /// One page of cases, newest first: `{data, next_cursor}`.
    pub async fn applications(
        &self,
        p: &Principal,
        mut filter: ApplicationFilter,
        limit: Option<i64>,
    ) -> AppResult<Value> {
        filter.limit = fetch_limit(limit)?;
        crate::cursor(filter.before_id.as_deref(), "app")?;
        let apps = self.store.applications(p.ws(), &filter).await?;
        Ok(paginate(apps, filter.limit, |a| a.id.clone()))
    }

    /// One page of a case's audit trail, newest first.
    pub async fn application_activity(
        &self,
        p: &Principal,
        id: &str,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> AppResult<Value> {
        ensure_exists(&self.store, p.ws(), id).await?;
        let fetch = fetch_limit(limit)?;
        let before = crate::seq_cursor(cursor)?;
        let entries: Vec<AuditEntry> = self
            .store
            .application_activity(p.ws(), id, before, fetch)
            .await?;
        Ok(paginate(entries, fetch, |e| e.seq.to_string()))
    }

    /// Creates a case for the principal.
    pub async fn create_application(
        &self,
        p: &Principal,
        idempotency: Option<crate::Idempotency>,
        new: NewApplication,
    ) -> AppResult<crate::Written> {
        self.write(p, idempotency, async |tx| {
            let app = create(tx, p.ws(), &p.actor, new).await?;
            Ok((crate::Outcome::Created, app))
        })
        .await
    }

    /// Changes a case: subject fields merge, custom fields merge by name, tags and external_id
    /// replace.
    pub async fn update_application(
        &self,
        p: &Principal,
        id: &str,
        patch: ApplicationPatch,
    ) -> AppResult<crate::Written> {
        self.write(p, None, async |tx| {
            let app = update(tx, p.ws(), &p.actor, id, patch).await?;
            Ok((crate::Outcome::Changed, to_json(&app)))
        })
        .await
    }
}

pub fn to_json(app: &Application) -> Value {
    serde_json::to_value(app).expect("an application serialises")
}

/// Puts the screening outcome of the case's hits on its screening task. `fingerprint` is the input
/// fingerprint screened for; `None` keeps the one the task was last screened for.
pub fn record_screening(
    app: &mut Application,
    screened: &dossier_domain::workflow::tasks::screening::Screened,
    fingerprint: Option<String>,
) {
    let outcome =
        dossier_domain::workflow::tasks::screening::outcome(&app.screening_hits, screened);
    if let Some(task) = app.tasks.iter_mut().find(|t| t.kind == "screening") {
        let fingerprint = fingerprint.unwrap_or_else(|| task.result_fingerprint.clone());
        task.record_outcome(outcome, fingerprint);
    }
}
