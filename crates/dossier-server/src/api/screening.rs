//! Ad-hoc screening against the imported watchlists and the workspace's threshold:
//! `/api/screening` (see `dossier_app::screening`).

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use dossier_app::screening::{ScreeningSettings, SearchRequest};
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiResult, Problem};
use crate::extract::{JsonBody, idempotency, respond};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(get_settings, put_settings))
}

/// Searches the newest snapshot of every imported watchlist. Results are ranked best first; each has
/// `score` (0–1), `matched` (score at or above the `screening.threshold` setting), the listed
/// `entity` and the `explanation` of its score. Watchlists are global: every workspace searches the
/// same lists, each with its own threshold (`/api/screening/settings`). 409 when no watchlist has
/// been imported yet.
#[utoipa::path(post, path = "/api/screening/search", tag = "screening", request_body = SearchRequest,
    responses(
        (status = 200, description = "`{results: [{score, matched, entity: {list, list_id, schema, names, birth_dates, nationalities, countries, identifiers, programmes, topics, source_url}, explanation}], threshold, snapshots: [{id, source, version, imported_at}]}`"),
        (status = 409, body = Problem, description = "no watchlist imported yet"),
        (status = 422, body = Problem)))]
async fn search(
    State(state): State<AppState>,
    auth: Auth,
    body: JsonBody<SearchRequest>,
) -> ApiResult<Json<Value>> {
    Ok(Json(state.app.screening_search(&auth, &body.value).await?))
}

/// The workspace's screening threshold: `{threshold, source: "workspace" | "default", default}`.
#[utoipa::path(get, path = "/api/screening/settings", tag = "screening",
    responses((status = 200, description = "`{threshold, source, default}`")))]
async fn get_settings(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Value>> {
    Ok(Json(state.app.screening_settings(&auth).await?))
}

/// Sets the workspace's screening threshold (audited as `screening_settings.updated`).
#[utoipa::path(put, path = "/api/screening/settings", tag = "screening", request_body = ScreeningSettings,
    responses((status = 200, description = "`{threshold, source, default}`"), (status = 422, body = Problem)))]
async fn put_settings(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    body: JsonBody<ScreeningSettings>,
) -> ApiResult<Response> {
    let idem = idempotency(&headers, "PUT /api/screening/settings", &body.raw)?;
    let written = (state.app)
        .set_screening_threshold(&auth, idem, body.value.threshold)
        .await?;
    Ok(respond(written))
}
