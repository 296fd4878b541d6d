//! The event log, for polling integrations: `GET /api/events`.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::extract::Query;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_events))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// e.g. `application.created`.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub event_type: Option<String>,
    pub application_id: Option<String>,
    /// 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Lists events, newest first; each item is the webhook envelope `{event_id, type, created_at, data}`.
#[utoipa::path(get, path = "/api/events", tag = "events", params(EventQuery),
    responses((status = 200, description = "One page of event envelopes `{event_id, type, created_at, data}`", body = crate::extract::ListPage<Value>)))]
async fn list_events(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<EventQuery>,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        state
            .app
            .events(&auth, q.event_type, q.application_id, q.cursor, q.limit)
            .await?,
    ))
}
