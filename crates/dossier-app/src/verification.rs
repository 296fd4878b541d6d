//! Acting on a case's verification: rerun or clear a task, adjust the risk, read its history, decide.
//! Each change goes through [`applications::save`](crate::applications::save), which re-evaluates the
//! case with its template.

use dossier_domain::application::Application;
use dossier_domain::workflow::{
    self, CaseState, DecisionOutcome, DecisionRequest, RiskAdjustment, tasks::TaskActionError,
};
use serde_json::Value;

use crate::applications::{self, change, ensure_exists, to_json};
use crate::error::{AppError, AppResult};
use crate::{App, Outcome, Principal, Written, fetch_limit, paginate};

/// Bounds of a manual risk adjustment, in points.
pub const MAX_ADJUSTMENT: i64 = 1000;

fn task_index(app: &Application, key: &str) -> AppResult<usize> {
    app.tasks
        .iter()
        .position(|t| t.key == key)
        .ok_or(AppError::NotFound("task"))
}

/// Why the principal may not decide the case as it stands (its role, its state, open tasks, a
/// reservation for qualified reviewers), by the same policy [`App::decide`] enforces; `None` when
/// they may. A page shows this instead of a form that would be refused.
pub fn decision_refusal(p: &Principal, app: &Application) -> Option<workflow::DecisionRefusal> {
    let case = CaseState {
        status_review: app.status_review,
        status_execution: app.status_execution,
        requirements: &app.review_requirements,
        pending_approval: app.pending_approval.as_ref(),
        open_tasks: &[],
    };
    workflow::may_decide(&case, &p.actor).err()
}

impl App {
    /// Reruns a task now: its result is recomputed from the case's current data (a stale task of a
    /// kind that does not rerun by itself starts again from `pending`).
    pub async fn run_task(&self, p: &Principal, id: &str, task: &str) -> AppResult<Written> {
        self.write(p, None, async |tx| {
            let (app, ()) = change(tx, p, id, "task.run", |app| {
                let i = task_index(app, task)?;
                if !app.tasks[i].active {
                    return Err(AppError::Conflict(
                        "task_inactive",
                        "the task is not active on this case (its condition does not hold)".into(),
                    ));
                }
                if app.tasks[i].stale {
                    app.tasks.remove(i);
                }
                Ok(())
            })
            .await?;
            Ok((Outcome::Changed, to_json(&app)))
        })
        .await
    }

    /// Clears a task by hand, with a mandatory comment (kept on the task and in the audit trail). A
    /// screening task is settled by reviewing its hits instead: clearing it would hide unreviewed
    /// ones.
    pub async fn clear_task(
        &self,
        p: &Principal,
        id: &str,
        task: &str,
        comment: &str,
    ) -> AppResult<Written> {
        self.write(p, None, async |tx| {
            let (app, ()) = change(tx, p, id, "task.cleared", |app| {
                let i = task_index(app, task)?;
                if app.tasks[i].kind == "screening" {
                    return Err(AppError::Conflict(
                        "screening_task_cleared_by_hand",
                        format!(
                            "a screening task is settled by reviewing its hits: POST /api/applications/{id}/screening/hits/{{hit_id}}/review"
                        ),
                    ));
                }
                app.tasks[i]
                    .clear(&p.actor.id, comment, jiff::Timestamp::now())
                    .map_err(|e| match e {
                        TaskActionError::CommentRequired => AppError::invalid("comment", e.to_string()),
                        other => AppError::Conflict("task_not_clearable", other.to_string()),
                    })
            })
            .await?;
            Ok((Outcome::Changed, to_json(&app)))
        })
        .await
    }

    /// Adjusts the risk score by hand, with a reason; the adjustment joins the explanation.
    pub async fn adjust_risk(
        &self,
        p: &Principal,
        id: &str,
        points: i64,
        reason: &str,
    ) -> AppResult<Written> {
        if points == 0 || !(-MAX_ADJUSTMENT..=MAX_ADJUSTMENT).contains(&points) {
            return Err(AppError::invalid(
                "points",
                format!("between -{MAX_ADJUSTMENT} and {MAX_ADJUSTMENT}, not 0"),
            ));
        }
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 1000 {
            return Err(AppError::invalid(
                "reason",
                "an adjustment needs a reason (at most 1000 characters)",
            ));
        }
        self.write(p, None, async |tx| {
            let (app, ()) = change(tx, p, id, "risk.adjusted", |app| {
                app.risk_adjustments.push(RiskAdjustment {
                    delta: points,
                    reason: reason.to_string(),
                    by: p.actor.id.clone(),
                    at: jiff::Timestamp::now(),
                });
                Ok(())
            })
            .await?;
            Ok((Outcome::Created, to_json(&app)))
        })
        .await
    }

    /// The case's risk over time, newest first: each score and level it had, with its explanation.
    pub async fn risk_history(
        &self,
        p: &Principal,
        id: &str,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> AppResult<Value> {
        ensure_exists(&self.store, p.ws(), id).await?;
        let fetch = fetch_limit(limit)?;
        let cursor = crate::cursor(cursor, "rsk")?;
        let entries = self.store.risk_history(p.ws(), id, cursor, fetch).await?;
        Ok(paginate(entries, fetch, |e| e.id.clone()))
    }

    /// Approves or rejects the case as the principal's role may: the policy decides (see
    /// `dossier_domain::workflow::policy`). An approval that needs four eyes waits for a second,
    /// different approver: the first approval is recorded (`pending_approval`, `status_review` still
    /// `pending`), as a change like any other.
    pub async fn decide(
        &self,
        p: &Principal,
        id: &str,
        request: &DecisionRequest,
    ) -> AppResult<Written> {
        self.write(p, None, async |tx| {
            let mut app = applications::load(tx, p.ws(), id).await?;
            let before = app.clone();
            // Decide on the case as it is now (its template may have changed since its last
            // change); this evaluation is the one stored.
            let open = crate::workflow::evaluate(&tx.settings(), p.ws(), &mut app).await?;
            let outcome = workflow::decide(
                CaseState {
                    status_review: app.status_review,
                    status_execution: app.status_execution,
                    requirements: &app.review_requirements,
                    pending_approval: app.pending_approval.as_ref(),
                    open_tasks: &open,
                },
                &p.actor,
                request,
                jiff::Timestamp::now(),
            )?;
            let outcome = match outcome {
                DecisionOutcome::Decided(decision) => {
                    crate::workflow::apply_decision(&mut app, decision);
                    Outcome::Changed
                }
                DecisionOutcome::AwaitingSecondApproval(first) => {
                    app.pending_approval = Some(first);
                    Outcome::Changed
                }
            };
            let app =
                applications::persist(tx, p.ws(), &p.actor, "application.decided", &before, app)
                    .await?;
            Ok((outcome, to_json(&app)))
        })
        .await
    }
}
