//! What happens to a case when it is created or changed: validation against the workspace's custom
//! fields, the stored row, the event and the audit entry — inside the caller's transaction.

use dossier_domain::application::{Application, ApplicationPatch, NewApplication};
use dossier_domain::audit::{Actor, diff};
use dossier_store::{Tx, now};
use serde_json::Value;

use crate::error::{ApiError, ApiResult};

pub async fn create(
    tx: &mut Tx,
    ws: &str,
    actor: &Actor,
    new: NewApplication,
) -> ApiResult<Application> {
    let definitions = tx.custom_fields(ws).await?;
    let app = new.into_application(&definitions, &now())?;
    tx.insert_application(ws, &app).await?;
    let object = serde_json::to_value(&app).expect("an application serialises");
    tx.emit(ws, "application.created", Some(&app.id), &object)
        .await?;
    tx.audit(
        ws,
        actor,
        "application.created",
        "application",
        &app.id,
        Some(&app.id),
        &diff(&Value::Null, &object),
    )
    .await?;
    Ok(app)
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

/// Validates and stores a changed case; when anything changed, bumps `updated_at`, emits
/// `application.updated` and audits the difference under `action`. Every change of a case goes
/// through here, so this is where derived state is kept current.
pub async fn save(
    tx: &mut Tx,
    ws: &str,
    actor: &Actor,
    action: &str,
    before: &Application,
    mut app: Application,
) -> ApiResult<Application> {
    let definitions = tx.custom_fields(ws).await?;
    app.validate(&definitions)?;
    if &app == before {
        return Ok(app);
    }
    app.updated_at = now();
    tx.update_application(ws, &app).await?;
    let before_json = serde_json::to_value(before).expect("an application serialises");
    let after_json = serde_json::to_value(&app).expect("an application serialises");
    tx.emit(ws, "application.updated", Some(&app.id), &after_json)
        .await?;
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
