//! `/settings/watchlists`: read-only, how current each watchlist is and every stored version
//! (snapshot), newest first. The lists are the operator's (`[watchlists]`, `dossier watchlist`),
//! shared by every workspace.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::json;

use super::{guard, page, short_time};
use crate::AppState;
use crate::backoffice::Analyst;

pub fn routes() -> Router<AppState> {
    Router::new().route("/settings/watchlists", get(show))
}

async fn show(State(state): State<AppState>, analyst: Analyst) -> Response {
    if let Err(r) = guard(&state, &analyst) {
        return r;
    }
    let (sources, snapshots) = match state.app.watchlists(&analyst.staff.principal).await {
        Ok(w) => w,
        Err(e) => return analyst.refusal(&state, &e),
    };
    let sources: Vec<_> = sources
        .iter()
        .map(|s| {
            let mut v = serde_json::to_value(s).unwrap_or_default();
            v["imported_at"] = json!(s.imported_at.as_deref().map(short_time));
            v["last_checked_at"] = json!(s.last_checked_at.as_deref().map(short_time));
            v["age_days"] = json!(s.age_secs.map(|a| a / 86_400));
            v
        })
        .collect();
    let snapshots: Vec<_> = snapshots
        .iter()
        .take(200)
        .map(|s| {
            let mut v = serde_json::to_value(s).unwrap_or_default();
            v["imported_at"] = json!(short_time(&s.imported_at));
            v["pruned"] = json!(s.pruned_at.is_some());
            v
        })
        .collect();
    page(
        &state,
        &analyst,
        StatusCode::OK,
        "bo_settings_watchlists.html",
        "watchlists",
        None,
        json!({"sources": sources, "snapshots": snapshots}),
    )
}
