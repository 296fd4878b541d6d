//! `POST /cases/{id}/risk`: a manual adjustment of the risk score, in points, with a reason (it
//! joins the explanation and the history).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use dossier_app::AppError;
use serde_json::json;

use super::{back_to_case, refused};
use crate::AppState;
use crate::backoffice::Analyst;

pub async fn adjust(
    State(state): State<AppState>,
    analyst: Analyst,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let form = match analyst.form(&state, &body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    let values = json!({"points": form.get("points"), "reason": form.get("reason")});
    // A sign typed as a phone's keyboard gives it (− U+2212) reads as the minus it means.
    let typed = form.get("points").trim().replace('\u{2212}', "-");
    let result = match typed.trim_start_matches('+').parse::<i64>() {
        Ok(points) => {
            state
                .app
                .adjust_risk(&analyst.staff.principal, &id, points, form.get("reason"))
                .await
        }
        Err(_) => Err(AppError::invalid(
            "points",
            "a whole number of points, e.g. 10 or -5",
        )),
    };
    match result {
        Ok(_) => back_to_case(&id, "risk", "risk"),
        Err(e) => refused(&state, &analyst, &id, "risk", &e, values).await,
    }
}
