//! `POST /cases/{id}/decision`: approve or reject with a reason. The policy of the application
//! layer decides who may; a refusal comes back on the case page with the policy's explanation.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use dossier_app::AppError;
use dossier_domain::workflow::{DecisionKind, DecisionRequest};
use serde_json::json;

use super::{back_to_case, page};
use crate::AppState;
use crate::backoffice::Analyst;

pub async fn decide(
    State(state): State<AppState>,
    analyst: Analyst,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let form = match analyst.form(&state, &body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    let kind = match form.get("status_review") {
        "approved" => Some(DecisionKind::Approved),
        "rejected" => Some(DecisionKind::Rejected),
        _ => None,
    };
    let result = match kind {
        None => Err(AppError::invalid(
            "status_review",
            "choose to approve or to reject",
        )),
        Some(kind) => {
            let request = DecisionRequest {
                status_review: kind,
                reason: form.get("reason").trim().to_string(),
                override_open_tasks: false,
            };
            state
                .app
                .decide(&analyst.staff.principal, &id, &request)
                .await
        }
    };
    match result {
        Ok(_) => back_to_case(&id, "decided", "decision"),
        Err(e @ (AppError::Invalid(_) | AppError::Refused(_) | AppError::Forbidden(..))) => {
            let (summary, errors) = analyst.form_errors(&state, &e);
            let refusal = match &e {
                AppError::Refused(r) => Some(r.message.clone()),
                AppError::Forbidden(_, detail) => Some(detail.clone()),
                _ => None,
            };
            page::render(
                &state,
                &analyst,
                &id,
                crate::error::status_of(&e),
                None,
                json!({
                    "decision_form": {
                        "summary": summary,
                        "errors": errors,
                        "refusal": refusal,
                        "status_review": form.get("status_review"),
                        "reason": form.get("reason"),
                    },
                }),
            )
            .await
        }
        Err(e) => analyst.refusal(&state, &e),
    }
}
