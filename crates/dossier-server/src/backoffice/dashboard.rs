//! `/dashboard`: cases by status and risk, what waits for a decision and on whom, and decisions per
//! week as a small SVG drawn here (no chart library, nothing downloaded), with a table beside it.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use dossier_app::cases::assignee_filter;
use serde_json::json;

use crate::AppState;
use crate::backoffice::Analyst;

/// "3 d 4 h", "5 h 12 min", "7 min": how long something has waited.
pub fn waited(seconds: i64) -> String {
    let (d, h, m) = (
        seconds / 86_400,
        seconds % 86_400 / 3600,
        seconds % 3600 / 60,
    );
    match (d, h) {
        (0, 0) => format!("{m} min"),
        (0, _) => format!("{h} h {m} min"),
        _ => format!("{d} d {h} h"),
    }
}

pub async fn show(State(state): State<AppState>, analyst: Analyst) -> Response {
    let p = &analyst.staff.principal;
    let d = match state.app.dashboard(p).await {
        Ok(d) => d,
        Err(e) => return analyst.refusal(&state, &e),
    };
    // The chart: one pair of bars per week, scaled to the busiest week.
    let max = d
        .decisions_per_week
        .iter()
        .map(|w| w.approved.max(w.rejected))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let (height, slot) = (120.0, 36.0);
    let bars: Vec<_> = d
        .decisions_per_week
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let x = i as f64 * slot + 4.0;
            let ha = (w.approved as f64 / max * height).round();
            let hr = (w.rejected as f64 / max * height).round();
            json!({"x_approved": x, "x_rejected": x + 14.0, "y_approved": height - ha, "h_approved": ha,
                   "y_rejected": height - hr, "h_rejected": hr, "label": w.week, "label_x": x + 13.0,
                   "short": w.week.rsplit('-').next().unwrap_or(&w.week),
                   "approved": w.approved, "rejected": w.rejected, "starts": w.starts})
        })
        .collect();
    let inbox = state
        .app
        .task_inbox(p, &assignee_filter(p, "any"), 0, 1)
        .await
        .map(|i| i.total)
        .unwrap_or(0);
    analyst.page(
        &state,
        StatusCode::OK,
        "bo_dashboard.html",
        json!({
            "nav": "dashboard",
            "by_status_and_risk": d.by_status_and_risk,
            "waiting_for_decision": d.waiting_for_decision,
            "oldest_waiting": d.oldest_waiting,
            "on_us": {"cases": d.waiting_on_us.cases, "longest": d.waiting_on_us.longest_seconds.map(waited),
                      "mean": d.waiting_on_us.mean_seconds.map(waited)},
            "on_client": {"cases": d.waiting_on_client.cases, "longest": d.waiting_on_client.longest_seconds.map(waited),
                          "mean": d.waiting_on_client.mean_seconds.map(waited)},
            "weeks": bars,
            "chart_width": d.decisions_per_week.len() as f64 * slot + 8.0,
            "chart_height": height + 20.0,
            "chart_base": height,
            "no_decisions": d.decisions_per_week.iter().all(|w| w.approved + w.rejected == 0),
            "open_tasks": inbox,
        }),
    )
}
