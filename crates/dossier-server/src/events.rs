//! The event log, for polling integrations: `GET /api/events`.

use axum::Json;
use axum::extract::State;
use dossier_store::EventFilter;
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::extract::{Page, Query, paginate};

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
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Lists events, newest first; each item is the webhook envelope `{event_id, type, created_at, data}`.
#[utoipa::path(get, path = "/api/events", tag = "events", params(EventQuery),
    responses((status = 200, description = "`{data: [event envelope], next_cursor}`")))]
async fn list_events(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<EventQuery>,
) -> ApiResult<Json<Value>> {
    let fetch = Page {
        limit: q.limit,
        cursor: None,
    }
    .fetch_limit()?;
    let filter = EventFilter {
        event_type: q.event_type,
        application_id: q.application_id,
        before_id: q.cursor,
        limit: fetch,
    };
    let events = state.store.events(auth.workspace_id(), &filter).await?;
    let envelopes: Vec<Value> = events.into_iter().map(|e| e.envelope).collect();
    let page = paginate(envelopes, fetch, |e| {
        e["event_id"].as_str().unwrap_or_default().to_string()
    });
    Ok(Json(page))
}
