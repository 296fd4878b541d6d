//! `POST /cases/{id}/decision`: approve or reject with a reason. The policy of the application
//! layer decides who may; a refusal comes back on the case page with the policy's explanation. A
//! qualified reviewer may decide before the tasks are done by saying so (`override_open_tasks`).

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
                override_open_tasks: form.get("override_open_tasks") == "yes",
            };
            state
                .app
                .decide(&analyst.staff.principal, &id, &request)
                .await
        }
    };
    match result {
        Ok(written) => {
            // Under four eyes, a first approval leaves the case pending: say so, not "decided".
            let app: serde_json::Value = serde_json::from_str(&written.body).unwrap_or_default();
            let first = app["status_review"] == "pending" && !app["pending_approval"].is_null();
            back_to_case(
                &id,
                if first { "first_approval" } else { "decided" },
                "decision",
            )
        }
        Err(e @ (AppError::Invalid(_) | AppError::Refused(_) | AppError::Forbidden(..))) => {
            let mut state_of_form = super::form_state(
                &state,
                &analyst,
                "decision",
                &e,
                json!({
                    "status_review": form.get("status_review"),
                    "reason": form.get("reason"),
                    "override_open_tasks": form.get("override_open_tasks") == "yes",
                }),
            );
            if let AppError::Forbidden(_, detail) = &e {
                state_of_form["refusal"] = json!(detail);
            }
            page::render(
                &state,
                &analyst,
                &id,
                crate::error::status_of(&e),
                None,
                json!({ "forms": { "decision": state_of_form } }),
            )
            .await
        }
        Err(e) => analyst.refusal(&state, &e),
    }
}
