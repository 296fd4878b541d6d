//! The verification engine wired to the store: which template a case uses (the shipped ones, or the
//! workspace's own saved through `PUT /api/templates/{name}`), and the evaluation that recomputes a
//! case's tasks, risk, progress and review requirements. [`crate::applications`] calls
//! [`evaluate`] on every change of a case, before the change's writes.
//!
//! The engine is pure and holds only shipped data (task kinds, risk tables, document catalogue), so one
//! instance serves every workspace. Compiled workspace templates are cached by the SHA-256 of their
//! source: a template saved by another process is picked up on the next read of its row.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use dossier_domain::application::{Application, StatusReview};
use dossier_domain::workflow::{
    self, CompiledTemplate, Engine, EvaluationContext, TemplateErrors, cel,
};
use dossier_store::{Settings, StoredTemplate};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};

/// The engine with the shipped task kinds, risk tables and document catalogue.
pub static ENGINE: LazyLock<Engine> = LazyLock::new(Engine::default);

/// The shipped templates, compiled once.
static DEFAULTS: LazyLock<HashMap<String, Arc<CompiledTemplate>>> = LazyLock::new(|| {
    ENGINE
        .default_templates()
        .expect("the shipped templates compile")
        .into_iter()
        .map(|t| (t.name().to_string(), Arc::new(t)))
        .collect()
});

type Cache = HashMap<(String, String), (String, Arc<CompiledTemplate>)>;
static COMPILED: LazyLock<Mutex<Cache>> = LazyLock::new(Mutex::default);

/// The names of the shipped templates.
pub fn default_names() -> Vec<String> {
    let mut names: Vec<String> = DEFAULTS.keys().cloned().collect();
    names.sort();
    names
}

/// A shipped template by name.
pub fn default_template(name: &str) -> Option<Arc<CompiledTemplate>> {
    DEFAULTS.get(name).cloned()
}

/// Validates a template sent by a client: every problem as a 422 field error named by its path
/// (`risk.rules[3].condition`).
pub fn compile(value: &Value) -> AppResult<CompiledTemplate> {
    ENGINE.compile_json(value).map_err(template_errors)
}

pub fn template_errors(errors: TemplateErrors) -> AppError {
    AppError::Invalid(
        errors
            .0
            .into_iter()
            .map(|e| dossier_domain::validation::FieldError {
                field: if e.path.is_empty() {
                    "body".into()
                } else {
                    e.path
                },
                code: "invalid",
                message: e.message,
            })
            .collect(),
    )
}

/// Compiles a stored template, through the cache.
pub fn compile_stored(ws: &str, stored: &StoredTemplate) -> AppResult<Arc<CompiledTemplate>> {
    let digest = hex::encode(Sha256::digest(stored.source.as_bytes()));
    let key = (ws.to_string(), stored.name.clone());
    if let Some((d, t)) = COMPILED.lock().unwrap_or_else(|e| e.into_inner()).get(&key)
        && *d == digest
    {
        return Ok(t.clone());
    }
    let value: Value = serde_json::from_str(&stored.source)
        .map_err(|e| AppError::Internal(format!("stored template {}: {e}", stored.name)))?;
    let compiled = Arc::new(
        ENGINE
            .compile_json(&value)
            .map_err(|e| AppError::Internal(format!("stored template {}: {e}", stored.name)))?,
    );
    COMPILED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, (digest, compiled.clone()));
    Ok(compiled)
}

/// The template a case of this workspace uses: the workspace's own (`stored`), else the shipped one.
fn compiled_or_default(
    ws: &str,
    name: &str,
    stored: Option<&StoredTemplate>,
) -> AppResult<Option<Arc<CompiledTemplate>>> {
    match stored {
        Some(stored) => compile_stored(ws, stored).map(Some),
        None => Ok(default_template(name)),
    }
}

/// The compiled template `name` for a case of this kind: the workspace's own, else the shipped one;
/// refused when there is none or it applies to the other kind of case.
pub async fn template_for(
    settings: &Settings,
    ws: &str,
    name: &str,
    kind: dossier_domain::application::SubjectKind,
) -> AppResult<Arc<CompiledTemplate>> {
    let stored = settings.workspace_template(ws, name).await?;
    let template = compiled_or_default(ws, name, stored.as_deref())?
        .ok_or_else(|| AppError::invalid("template", format!("no template named `{name}`")))?;
    if template.source.applies_to.as_str() != kind.as_str() {
        return Err(AppError::invalid(
            "template",
            format!(
                "template `{name}` applies to {} cases, not {} ones",
                template.source.applies_to.as_str(),
                kind.as_str()
            ),
        ));
    }
    Ok(template)
}

/// Today in UTC, for age rules.
pub fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

/// What one evaluation of a case may spend on its template's expressions; past it, the rules left are
/// explained errors (each expression is also bounded at save, by `cel::MAX_STEPS`).
pub const EVALUATION_BUDGET: std::time::Duration = std::time::Duration::from_millis(500);

/// Recomputes the case's derived state with its template: tasks, risk (and the `risk_score` /
/// `risk_level` columns), `status_execution`, expected documents, review requirements; applies an
/// automatic decision while the case is pending. Returns the open tasks, for refusal messages.
pub async fn evaluate(
    settings: &Settings,
    ws: &str,
    app: &mut Application,
) -> AppResult<Vec<String>> {
    let template = template_for(settings, ws, &app.template, app.kind).await?;
    // Cached per workspace: the required ones are checked by `data_completeness`.
    let definitions = settings.field_definitions(ws).await?;
    let case = serde_json::to_value(&*app).expect("an application serialises");
    let (documents, tasks, adjustments) = (
        app.documents.clone(),
        app.tasks.clone(),
        app.risk_adjustments.clone(),
    );
    // Off the async runtime's threads: a costly template slows its own cases, not the server.
    let evaluation = tokio::task::spawn_blocking(move || {
        cel::with_deadline(EVALUATION_BUDGET, || {
            ENGINE.evaluate(
                &template,
                &case,
                &documents,
                &tasks,
                &EvaluationContext {
                    today: today(),
                    risk_adjustments: &adjustments,
                    field_definitions: &definitions,
                },
            )
        })
    })
    .await
    .map_err(|e| AppError::Internal(format!("the workflow evaluation failed: {e}")))?;
    let open = evaluation.open_tasks();
    app.status_execution = evaluation.status_execution;
    app.risk_score = Some(evaluation.risk.score as f64);
    app.risk_level = Some(evaluation.risk.level.clone());
    app.risk = Some(evaluation.risk);
    app.tasks = evaluation.tasks;
    app.expected_documents = evaluation.expected_documents;
    app.review_requirements = evaluation.review_requirements;
    if app.status_review == StatusReview::Pending
        && let Some(auto) = evaluation.automatic_decision
    {
        apply_decision(app, auto.into_decision(jiff::Timestamp::now()));
    }
    Ok(open)
}

/// Records a decision on the case and mirrors it in `status_review` and `decided_at`.
pub fn apply_decision(app: &mut Application, mut decision: workflow::Decision) {
    // Made on the version loaded (the new one is numbered when the case is stored).
    decision.version = Some(app.version);
    app.status_review = decision.status_review.into();
    app.decided_at = Some(decision.decided_at);
    app.pending_approval = None;
    app.decision = Some(decision);
}
