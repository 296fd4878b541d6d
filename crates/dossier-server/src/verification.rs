//! Acting on a case's verification: rerun or clear a task, adjust the risk, read its history, decide.
//! Each change goes through [`service::save`], which re-evaluates the case with its template.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use dossier_domain::workflow::{
    self, CaseState, DecisionOutcome, DecisionRequest, RefusalCode, RiskAdjustment, Role,
};
use dossier_store::RiskHistoryEntry;
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::applications::{service, to_json};
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{JsonBody, Page, Query, paginate};
use crate::workflow as wiring;
use dossier_domain::application::Application;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(run_task))
        .routes(routes!(clear_task))
        .routes(routes!(adjust_risk))
        .routes(routes!(risk_history))
        .routes(routes!(decide))
}

fn task_index(app: &Application, key: &str) -> ApiResult<usize> {
    app.tasks
        .iter()
        .position(|t| t.key == key)
        .ok_or(ApiError::NotFound("task"))
}

/// Reruns a task now: its result is recomputed from the case's current data (a stale task of a kind
/// that does not rerun by itself starts again from `pending`).
#[utoipa::path(post, path = "/api/applications/{id}/tasks/{task_id}/run", tag = "tasks",
    responses((status = 200, body = Application), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn run_task(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, task_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (ws, actor) = (auth.workspace_id().to_string(), auth.actor());
    state
        .write(&auth, None, async |tx| {
            let mut app = service::load(tx, &ws, &id).await?;
            let before = app.clone();
            let i = task_index(&app, &task_id)?;
            if !app.tasks[i].active {
                return Err(ApiError::Conflict(
                    "the task is not active on this case (its condition does not hold)".into(),
                ));
            }
            if app.tasks[i].stale {
                app.tasks.remove(i);
            }
            let app = service::save(tx, &ws, &actor, "task.run", &before, app).await?;
            Ok((StatusCode::OK, to_json(&app)))
        })
        .await
}

/// Body of `POST …/tasks/{task_id}/clear`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClearTask {
    /// Why the reviewer clears the task (mandatory; audited).
    pub comment: String,
}

/// Clears a task by hand, with a mandatory comment (kept on the task and in the audit trail).
#[utoipa::path(post, path = "/api/applications/{id}/tasks/{task_id}/clear", tag = "tasks",
    request_body = ClearTask,
    responses((status = 200, body = Application), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn clear_task(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, task_id)): Path<(String, String)>,
    body: JsonBody<ClearTask>,
) -> ApiResult<Response> {
    let (ws, actor) = (auth.workspace_id().to_string(), auth.actor());
    state
        .write(&auth, None, async |tx| {
            let mut app = service::load(tx, &ws, &id).await?;
            let before = app.clone();
            let i = task_index(&app, &task_id)?;
            if app.tasks[i].kind == "screening" {
                // Its result follows the hits: clearing it by hand would hide unreviewed ones.
                return Err(ApiError::Conflict(format!(
                    "a screening task is settled by reviewing its hits: POST /api/applications/{id}/screening/hits/{{hit_id}}/review"
                )));
            }
            app.tasks[i]
                .clear(&actor.id, &body.value.comment, jiff::Timestamp::now())
                .map_err(|e| match e {
                    workflow::tasks::TaskActionError::CommentRequired => {
                        ApiError::invalid("comment", e.to_string())
                    }
                    other => ApiError::Conflict(other.to_string()),
                })?;
            let app = service::save(tx, &ws, &actor, "task.cleared", &before, app).await?;
            Ok((StatusCode::OK, to_json(&app)))
        })
        .await
}

/// Body of `POST /api/applications/{id}/risk_adjustments`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRiskAdjustment {
    /// Points added to (or, negative, taken from) the score; -1000 to 1000, not 0.
    pub points: i64,
    /// Why (mandatory; shown in the explanation).
    pub reason: String,
}

/// Adjusts the risk score by hand, with a reason; the adjustment joins the explanation.
#[utoipa::path(post, path = "/api/applications/{id}/risk_adjustments", tag = "risk",
    request_body = NewRiskAdjustment,
    responses((status = 201, body = Application), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn adjust_risk(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: JsonBody<NewRiskAdjustment>,
) -> ApiResult<Response> {
    let (ws, actor) = (auth.workspace_id().to_string(), auth.actor());
    let NewRiskAdjustment { points, reason } = body.value;
    if points == 0 || !(-1000..=1000).contains(&points) {
        return Err(ApiError::invalid("points", "between -1000 and 1000, not 0"));
    }
    let reason = reason.trim().to_string();
    if reason.is_empty() || reason.len() > 1000 {
        return Err(ApiError::invalid(
            "reason",
            "an adjustment needs a reason (at most 1000 characters)",
        ));
    }
    state
        .write(&auth, None, async |tx| {
            let mut app = service::load(tx, &ws, &id).await?;
            let before = app.clone();
            app.risk_adjustments.push(RiskAdjustment {
                delta: points,
                reason,
                by: actor.id.clone(),
                at: jiff::Timestamp::now(),
            });
            let app = service::save(tx, &ws, &actor, "risk.adjusted", &before, app).await?;
            Ok((StatusCode::CREATED, to_json(&app)))
        })
        .await
}

/// The case's risk over time, newest first: each score and level it had, with its explanation.
#[utoipa::path(get, path = "/api/applications/{id}/risk_history", tag = "risk", params(Page),
    responses((status = 200, description = "`{data: [RiskHistoryEntry], next_cursor}`", body = [RiskHistoryEntry]), (status = 404, body = Problem)))]
async fn risk_history(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Value>> {
    let ws = auth.workspace_id();
    service::ensure_exists(&state.store, ws, &id).await?;
    let fetch = page.fetch_limit()?;
    let entries = state
        .store
        .risk_history(ws, &id, page.cursor.as_deref(), fetch)
        .await?;
    Ok(Json(paginate(entries, fetch, |e| e.id.clone())))
}

fn refusal_slug(code: RefusalCode) -> &'static str {
    match code {
        RefusalCode::NotAllowed => "decision-not-allowed",
        RefusalCode::ReasonRequired => "decision-reason-required",
        RefusalCode::AlreadyDecided => "already-decided",
        RefusalCode::TasksNotDone => "tasks-not-done",
        RefusalCode::ReservedForQualifiedReviewer => "reserved-for-qualified-reviewer",
        RefusalCode::SameApprover => "same-approver",
    }
}

/// Approves or rejects the case, as an automation (the API key): allowed only when its tasks are done
/// and no policy rule reserves it for a qualified reviewer; an approval that needs four eyes waits for
/// a second, different approver (202). Refusals are problems with the policy's status (403/409/422).
#[utoipa::path(post, path = "/api/applications/{id}/decision", tag = "decisions",
    request_body = DecisionRequest,
    responses((status = 200, body = Application), (status = 202, description = "First approval recorded; a second approver is needed", body = Application),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn decide(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: JsonBody<DecisionRequest>,
) -> ApiResult<Response> {
    let (ws, actor) = (auth.workspace_id().to_string(), auth.actor());
    let request = body.value;
    state
        .write(&auth, None, async |tx| {
            let mut app = service::load(tx, &ws, &id).await?;
            let before = app.clone();
            // Decide on the case as it is now (its template may have changed since its last change).
            let open = wiring::evaluate(&tx.settings(), &ws, &mut app).await?;
            let policy_actor = workflow::Actor {
                id: actor.id.clone(),
                role: Role::Automation,
            };
            let outcome = workflow::decide(
                CaseState {
                    status_review: wiring::review_status(&app),
                    status_execution: wiring::execution_status(&app),
                    requirements: &app.review_requirements,
                    pending_approval: app.pending_approval.as_ref(),
                    open_tasks: &open,
                },
                &policy_actor,
                &request,
                jiff::Timestamp::now(),
            )
            .map_err(|refusal| ApiError::Refused {
                status: StatusCode::from_u16(refusal.code.http_status())
                    .unwrap_or(StatusCode::CONFLICT),
                slug: refusal_slug(refusal.code),
                detail: refusal.message,
            })?;
            let status = match outcome {
                DecisionOutcome::Decided(decision) => {
                    wiring::apply_decision(&mut app, decision);
                    StatusCode::OK
                }
                DecisionOutcome::AwaitingSecondApproval(first) => {
                    app.pending_approval = Some(first);
                    StatusCode::ACCEPTED
                }
            };
            let app = service::save(tx, &ws, &actor, "application.decided", &before, app).await?;
            Ok((status, to_json(&app)))
        })
        .await
}
