//! Acting on a case's verification: rerun or clear a task, adjust the risk, read its history, decide.
//! The rules are in `dossier_app::verification`.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use dossier_domain::application::Application;
use dossier_domain::workflow::DecisionRequest;
use dossier_store::RiskHistoryEntry;
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiResult, Problem};
use crate::extract::{JsonBody, Page, Query, respond};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(run_task))
        .routes(routes!(clear_task))
        .routes(routes!(adjust_risk))
        .routes(routes!(risk_history))
        .routes(routes!(decide))
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
    Ok(respond(state.app.run_task(&auth, &id, &task_id).await?))
}

/// Body of `POST …/tasks/{task_id}/clear`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClearTask {
    /// Why the reviewer clears the task (mandatory; audited).
    #[schema(pattern = r"\S")]
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
    let written = (state.app)
        .clear_task(&auth, &id, &task_id, &body.value.comment)
        .await?;
    Ok(respond(written))
}

/// Body of `POST /api/applications/{id}/risk_adjustments`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRiskAdjustment {
    /// Points added to (or, negative, taken from) the score; -1000 to 1000, not 0.
    #[schema(minimum = -1000, maximum = 1000)]
    pub points: i64,
    /// Why (mandatory; shown in the explanation): at most 1000 characters once trimmed.
    #[schema(pattern = r"\S")]
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
    let NewRiskAdjustment { points, reason } = body.value;
    let written = state.app.adjust_risk(&auth, &id, points, &reason).await?;
    Ok(respond(written))
}

/// The case's risk over time, newest first: each score and level it had, with its explanation.
#[utoipa::path(get, path = "/api/applications/{id}/risk_history", tag = "risk", params(Page),
    responses((status = 200, description = "One page of the risk history", body = crate::extract::ListPage<RiskHistoryEntry>), (status = 404, body = Problem)))]
async fn risk_history(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        state
            .app
            .risk_history(&auth, &id, page.cursor.as_deref(), page.limit)
            .await?,
    ))
}

/// Approves or rejects the case with the key's role: an `automation` or `reviewer` key decides only
/// cases whose tasks are done and that no policy rule reserves for a qualified reviewer; an approval that needs four eyes waits for
/// a second, different approver (200 with `pending_approval` set and `status_review` still `pending`).
/// Refusals are problems with the policy's status (403/409/422).
#[utoipa::path(post, path = "/api/applications/{id}/decision", tag = "decisions",
    request_body = DecisionRequest,
    responses((status = 200, body = Application, description = "The case: decided, or with its first approval in `pending_approval` when a second approver is needed"),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn decide(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: JsonBody<DecisionRequest>,
) -> ApiResult<Response> {
    Ok(respond(state.app.decide(&auth, &id, &body.value).await?))
}
