//! What happens to a case when it is created or changed: validation against the workspace's custom
//! fields, the workflow evaluation (tasks, risk, progress — see [`crate::workflow`]), the stored row,
//! the events and the audit entry — inside the caller's transaction.

use dossier_domain::application::{Application, ApplicationPatch, NewApplication};
use dossier_domain::audit::{Actor, created_changes_json, diff};
use dossier_domain::id::new_id;
use dossier_store::{RiskHistoryEntry, Store, Tx, now};

use crate::error::{ApiError, ApiResult};
use crate::write::JsonText;
use crate::{screening_worker, workflow};

/// Creates a case. Everything but the final writes — reading the workspace's custom fields and
/// template, validation, the workflow evaluation — happens before the transaction's first statement,
/// so none of it holds the writer (a create locks nothing it reads). Returns the case as JSON text,
/// serialised once for the row, the event, the audit entry and the response.
pub async fn create(
    tx: &mut Tx,
    ws: &str,
    actor: &Actor,
    new: NewApplication,
) -> ApiResult<JsonText> {
    let settings = tx.settings();
    let definitions = settings.field_definitions(ws).await?;
    let mut app = new.into_application(&definitions, &now())?;
    workflow::evaluate(&settings, ws, &mut app).await?;
    let data = serde_json::to_string(&app).expect("an application serialises");
    tx.insert_application(ws, &app, &data).await?;
    // Screening runs in the worker, never inside this transaction: only queue it.
    screening_worker::queue_if_needed(tx, ws, None, &app).await?;
    record_risk(tx, ws, actor, "application.created", &app).await?;
    tx.emit_json(ws, "application.created", Some(&app.id), &data)
        .await?;
    tx.audit_json(
        ws,
        actor,
        "application.created",
        "application",
        &app.id,
        Some(&app.id),
        created_changes_json(&data),
    )
    .await?;
    Ok(JsonText(data))
}

/// 404 unless this workspace has the case (for reads of a case's sub-resources).
pub async fn ensure_exists(store: &Store, ws: &str, id: &str) -> ApiResult<()> {
    match store.application_json(ws, id).await? {
        Some(_) => Ok(()),
        None => Err(ApiError::NotFound("application")),
    }
}

/// Loads a case of this workspace for change; 404 otherwise.
pub async fn load(tx: &mut Tx, ws: &str, id: &str) -> ApiResult<Application> {
    tx.application_for_update(ws, id)
        .await?
        .ok_or(ApiError::NotFound("application"))
}

pub async fn update(
    tx: &mut Tx,
    ws: &str,
    actor: &Actor,
    id: &str,
    patch: ApplicationPatch,
) -> ApiResult<Application> {
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
) -> ApiResult<Application> {
    let settings = tx.settings();
    let definitions = settings.field_definitions(ws).await?;
    app.validate(&definitions)?;
    workflow::evaluate(&settings, ws, &mut app).await?;
    if &app == before {
        return Ok(app);
    }
    app.updated_at = now();
    let before_json = serde_json::to_value(before).expect("an application serialises");
    let after_json = serde_json::to_value(&app).expect("an application serialises");
    // One text of the case for the row and every event below (a case is large).
    let data = after_json.to_string();
    tx.update_application(ws, &app, &data).await?;
    screening_worker::queue_if_needed(tx, ws, Some(before), &app).await?;
    let risk_of = |a: &Application| a.risk.as_ref().map(|r| (r.score, r.level.clone()));
    let risk_moved = risk_of(&app) != risk_of(before);
    if risk_moved {
        record_risk(tx, ws, actor, action, &app).await?;
    }
    let events = [
        ("application.updated", true),
        (
            "application.status_updated",
            app.status_execution != before.status_execution,
        ),
        ("application.risk_updated", risk_moved),
        (
            "application.review_updated",
            app.status_review != before.status_review
                || app.pending_approval != before.pending_approval,
        ),
    ];
    for (event_type, _) in events.iter().filter(|(_, moved)| *moved) {
        tx.emit_json(ws, event_type, Some(&app.id), &data).await?;
    }
    let changes: Vec<_> = diff(&before_json, &after_json)
        .into_iter()
        .filter(|c| c.path != "updated_at")
        .collect();
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
    Ok(app)
}

/// Keeps the case's current risk in its history.
async fn record_risk(
    tx: &mut Tx,
    ws: &str,
    actor: &Actor,
    cause: &str,
    app: &Application,
) -> ApiResult<()> {
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
