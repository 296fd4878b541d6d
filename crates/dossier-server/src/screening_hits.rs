//! A case's screening hits and their review: `GET /api/applications/{id}/screening/hits` and
//! `POST /api/applications/{id}/screening/hits/{hit_id}/review`. A review changes the case through
//! [`service::save`] (the task's result and risk signals follow, with events and an audit entry
//! naming the reviewer).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use dossier_domain::application::Application;
use dossier_domain::workflow::tasks::screening::{self, HitStatus, ReviewError, Screened};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::applications::{service, to_json};
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{JsonBody, Query};
use crate::write::Idempotency;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_hits))
        .routes(routes!(review_hit))
}

/// Filters of the hit list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct HitFilter {
    /// `unreviewed`, `false_positive`, `true_positive` or `withdrawn`.
    pub status: Option<String>,
}

/// The case's screening hits, newest first: each with the party, the listed entity (list, list id,
/// schema, names, birth dates, countries, topics, content hash), the score and its explanation, the
/// snapshot it was found in and its review. `{data: [ScreeningHit], next_cursor: null}` — a case
/// has few hits, so the list is one page.
#[utoipa::path(get, path = "/api/applications/{id}/screening/hits", tag = "screening", params(HitFilter),
    responses((status = 200, description = "`{data: [ScreeningHit], next_cursor}`", body = [screening::ScreeningHit]),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn list_hits(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(filter): Query<HitFilter>,
) -> ApiResult<Json<Value>> {
    let status = match filter.status.as_deref() {
        None => None,
        Some(s) => Some(HitStatus::parse(s).ok_or_else(|| {
            ApiError::invalid(
                "status",
                "one of unreviewed, false_positive, true_positive, withdrawn",
            )
        })?),
    };
    let app = state
        .store
        .application(auth.workspace_id(), &id)
        .await?
        .ok_or(ApiError::NotFound("application"))?;
    let mut hits: Vec<_> = app
        .screening_hits
        .iter()
        .filter(|h| status.is_none_or(|s| h.status == s))
        .collect();
    hits.sort_by(|a, b| b.id.cmp(&a.id));
    Ok(Json(json!({"data": hits, "next_cursor": null})))
}

/// Body of `POST …/screening/hits/{hit_id}/review`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HitReviewRequest {
    /// `false_positive` (not the same party) or `true_positive` (the same party).
    #[serde(default)]
    pub status: String,
    /// Why (mandatory; kept on the hit and in the audit trail).
    #[serde(default)]
    pub comment: String,
}

/// Resolves a hit as a false or a true positive, with a comment. When no hit is left unreviewed the
/// screening task is `clear` (all false positives) or an `alert` publishing `sanctions_confirmed`
/// (and `pep_confirmed` for a PEP) to the risk matrix and the decision policy. A false positive is
/// remembered for this party and entity: a later screening does not raise it again unless the
/// entity's record changes. Answers the case.
#[utoipa::path(post, path = "/api/applications/{id}/screening/hits/{hit_id}/review", tag = "screening",
    request_body = HitReviewRequest,
    responses((status = 200, body = Application), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn review_hit(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Path((id, hit_id)): Path<(String, String)>,
    body: JsonBody<HitReviewRequest>,
) -> ApiResult<Response> {
    let idem = Idempotency::from_request(
        &headers,
        &format!("POST /api/applications/{id}/screening/hits/{hit_id}/review"),
        &body.digest,
    )?;
    let (ws, actor) = (auth.workspace_id().to_string(), auth.actor());
    let request = body.value;
    state
        .write(&auth, idem, async |tx| {
            let status = HitStatus::parse(request.status.trim())
                .filter(|s| matches!(s, HitStatus::FalsePositive | HitStatus::TruePositive))
                .ok_or_else(|| {
                    ApiError::invalid("status", "must be `false_positive` or `true_positive`")
                })?;
            if request.comment.trim().is_empty() {
                return Err(ApiError::invalid(
                    "comment",
                    "a review needs a comment saying why",
                ));
            }
            if request.comment.len() > 2000 {
                return Err(ApiError::invalid("comment", "at most 2000 characters"));
            }
            let mut app = service::load(tx, &ws, &id).await?;
            let before = app.clone();
            screening::review(
                &mut app.screening_hits,
                &hit_id,
                status,
                &request.comment,
                &actor.kind,
                &actor.id,
                jiff::Timestamp::now(),
            )
            .map_err(|e| match e {
                ReviewError::NotFound => ApiError::NotFound("screening hit"),
                ReviewError::BadStatus => ApiError::invalid("status", e.to_string()),
                ReviewError::CommentRequired => ApiError::invalid("comment", e.to_string()),
                ReviewError::Withdrawn => ApiError::Conflict(e.to_string()),
            })?;
            // The task's result follows the hits; its fingerprint stays the one it was screened for
            // (the evaluation in `save` marks it stale if the parties changed since).
            if let Some(task) = app.tasks.iter_mut().find(|t| t.kind == "screening")
                && let Some(screened) = Screened::from_evidence(&task.evidence)
            {
                let outcome = screening::outcome(&app.screening_hits, &screened);
                let fingerprint = task.result_fingerprint.clone();
                task.record_outcome(outcome, fingerprint);
            }
            let app =
                service::save(tx, &ws, &actor, "screening_hit.reviewed", &before, app).await?;
            Ok((StatusCode::OK, to_json(&app)))
        })
        .await
}
