//! `POST /cases/{id}/hits/{hit_id}/review`: a screening hit confirmed (the same party) or dismissed
//! (a false positive, remembered for this party and list entry), with a comment.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use dossier_app::screening::hits::HitReviewRequest;
use serde_json::json;

use super::{back_to_case, refused};
use crate::AppState;
use crate::backoffice::Analyst;

pub async fn review(
    State(state): State<AppState>,
    analyst: Analyst,
    Path((id, hit_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let form = match analyst.form(&state, &body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    let key = format!("hit-{hit_id}");
    let request = HitReviewRequest {
        status: form.get("status").to_string(),
        comment: form.get("comment").to_string(),
    };
    let values = json!({"status": request.status, "comment": request.comment});
    match state
        .app
        .review_hit(&analyst.staff.principal, None, &id, &hit_id, &request)
        .await
    {
        Ok(_) => back_to_case(&id, "hit", &key),
        Err(e) => refused(&state, &analyst, &id, &key, &e, values).await,
    }
}
