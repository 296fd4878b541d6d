//! A case's screening hits and their review: `GET /api/applications/{id}/screening/hits` and
//! `POST /api/applications/{id}/screening/hits/{hit_id}/review`. A review changes the case through
//! the application layer (`dossier_app::screening::hits`) (the task's result and risk signals follow, with events and an audit entry
//! naming the reviewer).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use dossier_app::screening::hits::HitReviewRequest;
use dossier_domain::application::Application;
use dossier_domain::workflow::tasks::screening;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiResult, Problem};
use crate::extract::{JsonBody, Query, idempotency, respond};

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
    #[param(value_type = Option<dossier_domain::workflow::tasks::screening::HitStatus>)]
    pub status: Option<String>,
}

/// The case's screening hits, newest first: each with the party, the listed entity (list, list id,
/// schema, names, birth dates, countries, topics, content hash), the score and its explanation, the
/// snapshot it was found in and its review. `{data: [ScreeningHit], next_cursor: null}` — a case
/// has few hits, so the list is one page.
#[utoipa::path(get, path = "/api/applications/{id}/screening/hits", tag = "screening", params(HitFilter),
    responses((status = 200, description = "Every hit of the case, in one page", body = crate::extract::ListPage<screening::ScreeningHit>),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn list_hits(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(filter): Query<HitFilter>,
) -> ApiResult<Json<Value>> {
    let hits = (state.app)
        .screening_hits(&auth, &id, filter.status.as_deref())
        .await?;
    Ok(Json(json!({"data": hits, "next_cursor": null})))
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
    let operation = format!("POST /api/applications/{id}/screening/hits/{hit_id}/review");
    let idem = idempotency(&headers, &operation, &body.raw)?;
    let written = (state.app)
        .review_hit(&auth, idem, &id, &hit_id, &body.value)
        .await?;
    Ok(respond(written))
}
