//! The decision policy: who may approve or reject a case, and when.
//!
//! - `read_only` never decides.
//! - `reviewer` and an API key acting as an automation decide only cases whose
//!   `status_execution` is `done` and that no rule reserves for qualified reviewers.
//! - `qualified_reviewer` and `admin` decide any case; on a case whose tasks are not done they
//!   must say so explicitly (`override_open_tasks`), which the decision records.
//! - Four-eyes applies to approvals (a rejection is the cautious side): the first approval is
//!   held, and a second, different actor completes it.
//!
//! Which cases are reserved or need four eyes is computed with the case's evaluation
//! ([`ReviewRequirements`]), so deciding is a cheap pure function the server calls in a request.

use super::status::StatusExecution;
use serde::{Deserialize, Serialize};

pub use crate::access::{Actor, Role};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    Approved,
    Rejected,
}

/// The compliance decision of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatusReview {
    #[default]
    Pending,
    Approved,
    Rejected,
}

impl StatusReview {
    pub fn as_str(self) -> &'static str {
        match self {
            StatusReview::Pending => "pending",
            StatusReview::Approved => "approved",
            StatusReview::Rejected => "rejected",
        }
    }
}

impl From<DecisionKind> for StatusReview {
    fn from(kind: DecisionKind) -> Self {
        match kind {
            DecisionKind::Approved => StatusReview::Approved,
            DecisionKind::Rejected => StatusReview::Rejected,
        }
    }
}

/// `POST /api/applications/{id}/decision` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DecisionRequest {
    pub status_review: DecisionKind,
    pub reason: String,
    #[serde(default)]
    pub override_open_tasks: bool,
}

/// Computed with each evaluation from the template's policy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReviewRequirements {
    pub qualified_reviewer_only: bool,
    /// Why (rule descriptions), for the refusal message and the UI.
    #[serde(default)]
    pub qualified_reviewer_reasons: Vec<String>,
    pub four_eyes: bool,
    #[serde(default)]
    pub four_eyes_reasons: Vec<String>,
}

/// A first approval waiting for its second approver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PendingApproval {
    pub by: String,
    pub reason: String,
    #[schema(value_type = String, format = DateTime)]
    #[serde(with = "crate::time::serde")]
    pub at: jiff::Timestamp,
}

/// The decision as the case JSON carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Decision {
    pub status_review: DecisionKind,
    pub reason: String,
    /// Who decided (the second approver's first approval is in `first_approval`).
    pub decided_by: String,
    #[schema(value_type = String, format = DateTime)]
    #[serde(with = "crate::time::serde")]
    pub decided_at: jiff::Timestamp,
    #[serde(default)]
    pub first_approval: Option<PendingApproval>,
    /// Set when the decision completes a four-eyes approval.
    #[serde(default)]
    pub second_approver: Option<String>,
    /// The actor decided although tasks were not done.
    #[serde(default)]
    pub overrode_open_tasks: bool,
    /// The policy rule that decided automatically, if any.
    #[serde(default)]
    pub automatic_rule: Option<String>,
    /// The version of the case the decision was made on (absent on decisions made before cases
    /// had versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum DecisionOutcome {
    Decided(Decision),
    AwaitingSecondApproval(PendingApproval),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RefusalCode {
    NotAllowed,
    ReasonRequired,
    AlreadyDecided,
    TasksNotDone,
    ReservedForQualifiedReviewer,
    SameApprover,
}

impl RefusalCode {
    /// The HTTP status the API answers with.
    pub fn http_status(self) -> u16 {
        match self {
            RefusalCode::NotAllowed | RefusalCode::ReservedForQualifiedReviewer => 403,
            RefusalCode::ReasonRequired => 422,
            RefusalCode::AlreadyDecided | RefusalCode::TasksNotDone | RefusalCode::SameApprover => {
                409
            }
        }
    }
}

#[derive(
    Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error, utoipa::ToSchema,
)]
#[error("{message}")]
pub struct DecisionRefusal {
    pub code: RefusalCode,
    pub message: String,
}

fn refuse<T>(code: RefusalCode, message: impl Into<String>) -> Result<T, DecisionRefusal> {
    Err(DecisionRefusal {
        code,
        message: message.into(),
    })
}

/// What the decision needs to know about the case.
#[derive(Debug, Clone, Copy)]
pub struct CaseState<'a> {
    pub status_review: StatusReview,
    pub status_execution: StatusExecution,
    pub requirements: &'a ReviewRequirements,
    pub pending_approval: Option<&'a PendingApproval>,
    /// Names of the active tasks that are not finished, for the refusal message.
    pub open_tasks: &'a [String],
}

/// Whether `actor` may decide the case now, whatever the choice and the reason: the checks of
/// [`decide`] that do not depend on the request, a qualified reviewer taken as overriding open
/// tasks (as they may). A page asks it to show the policy's refusal instead of a form that would
/// be refused; [`decide`] itself enforces the same rules.
pub fn may_decide(case: &CaseState<'_>, actor: &Actor) -> Result<(), DecisionRefusal> {
    may_act(case, actor)?;
    tasks_and_reservation(case, actor, actor.role.is_qualified()).map(|_| ())
}

/// The role and the case's state: who may decide at all, and only a pending case.
fn may_act(case: &CaseState<'_>, actor: &Actor) -> Result<(), DecisionRefusal> {
    if !actor.role.may_write() {
        return refuse(
            RefusalCode::NotAllowed,
            "a read-only user cannot decide cases",
        );
    }
    if actor.role == Role::Client {
        return refuse(
            RefusalCode::NotAllowed,
            "a client cannot decide its own case",
        );
    }
    if case.status_review != StatusReview::Pending {
        return refuse(
            RefusalCode::AlreadyDecided,
            "the case has already been decided; reopen it before deciding again",
        );
    }
    Ok(())
}

/// Open tasks (only a qualified reviewer decides before they are done, by saying so) and a case
/// reserved for qualified reviewers. Whether the decision overrides open tasks.
fn tasks_and_reservation(
    case: &CaseState<'_>,
    actor: &Actor,
    override_open_tasks: bool,
) -> Result<bool, DecisionRefusal> {
    let mut overrode = false;
    if case.status_execution != StatusExecution::Done {
        let open = if case.open_tasks.is_empty() {
            String::new()
        } else {
            format!(" (open: {})", case.open_tasks.join(", "))
        };
        if actor.role.is_qualified() {
            if !override_open_tasks {
                return refuse(
                    RefusalCode::TasksNotDone,
                    format!(
                        "the case's tasks are not done: status_execution is {}{open}; set override_open_tasks to decide anyway",
                        case.status_execution.as_str()
                    ),
                );
            }
            overrode = true;
        } else {
            return refuse(
                RefusalCode::TasksNotDone,
                format!(
                    "the case's tasks are not done: status_execution is {}{open}; only a qualified reviewer may decide before they are",
                    case.status_execution.as_str()
                ),
            );
        }
    }
    if case.requirements.qualified_reviewer_only && !actor.role.is_qualified() {
        return refuse(
            RefusalCode::ReservedForQualifiedReviewer,
            format!(
                "this case is reserved for qualified reviewers: {}",
                case.requirements.qualified_reviewer_reasons.join("; ")
            ),
        );
    }
    Ok(overrode)
}

pub fn decide(
    case: CaseState<'_>,
    actor: &Actor,
    request: &DecisionRequest,
    now: jiff::Timestamp,
) -> Result<DecisionOutcome, DecisionRefusal> {
    may_act(&case, actor)?;
    let reason = request.reason.trim();
    if reason.is_empty() {
        return refuse(RefusalCode::ReasonRequired, "a decision needs a reason");
    }
    let overrode = tasks_and_reservation(&case, actor, request.override_open_tasks)?;
    let mut decision = Decision {
        status_review: request.status_review,
        reason: reason.to_string(),
        decided_by: actor.id.clone(),
        decided_at: now,
        first_approval: None,
        second_approver: None,
        overrode_open_tasks: overrode,
        automatic_rule: None,
        version: None,
    };
    if case.requirements.four_eyes && request.status_review == DecisionKind::Approved {
        match case.pending_approval {
            None => {
                return Ok(DecisionOutcome::AwaitingSecondApproval(PendingApproval {
                    by: actor.id.clone(),
                    reason: reason.to_string(),
                    at: now,
                }));
            }
            Some(first) if first.by == actor.id => {
                return refuse(
                    RefusalCode::SameApprover,
                    "four-eyes: the second approval must come from someone else than the first",
                );
            }
            Some(first) => {
                decision.first_approval = Some(first.clone());
                decision.second_approver = Some(actor.id.clone());
            }
        }
    }
    Ok(DecisionOutcome::Decided(decision))
}

/// A decision taken by a policy rule (e.g. auto-reject on a confirmed sanctions hit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AutomaticDecision {
    pub rule_id: String,
    pub status_review: DecisionKind,
    pub reason: String,
}

impl AutomaticDecision {
    pub fn into_decision(self, now: jiff::Timestamp) -> Decision {
        Decision {
            status_review: self.status_review,
            reason: self.reason,
            decided_by: format!("policy:{}", self.rule_id),
            decided_at: now,
            first_approval: None,
            second_approver: None,
            overrode_open_tasks: false,
            automatic_rule: Some(self.rule_id),
            version: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(id: &str, role: Role) -> Actor {
        Actor::new("user", id, role)
    }
    fn approve() -> DecisionRequest {
        DecisionRequest {
            status_review: DecisionKind::Approved,
            reason: "all checks clear".into(),
            override_open_tasks: false,
        }
    }
    fn state<'a>(
        exec: StatusExecution,
        req: &'a ReviewRequirements,
        pending: Option<&'a PendingApproval>,
    ) -> CaseState<'a> {
        CaseState {
            status_review: StatusReview::Pending,
            status_execution: exec,
            requirements: req,
            pending_approval: pending,
            open_tasks: &[],
        }
    }
    const NOW: jiff::Timestamp = jiff::Timestamp::UNIX_EPOCH;

    fn code(r: Result<DecisionOutcome, DecisionRefusal>) -> RefusalCode {
        r.unwrap_err().code
    }

    #[test]
    fn reviewer_and_automation_need_done_tasks() {
        let req = ReviewRequirements::default();
        for role in [Role::Reviewer, Role::Automation] {
            let mut override_request = approve();
            override_request.override_open_tasks = true;
            let r = decide(
                state(StatusExecution::WaitingForUserInput, &req, None),
                &actor("a", role),
                &override_request,
                NOW,
            );
            let refusal = r.unwrap_err();
            assert_eq!(refusal.code, RefusalCode::TasksNotDone);
            assert!(
                refusal.message.contains("waiting_for_user_input"),
                "{}",
                refusal.message
            );
            let ok = decide(
                state(StatusExecution::Done, &req, None),
                &actor("a", role),
                &approve(),
                NOW,
            )
            .unwrap();
            assert!(
                matches!(ok, DecisionOutcome::Decided(d) if d.decided_by == "a" && !d.overrode_open_tasks)
            );
        }
    }

    #[test]
    fn qualified_reviewer_overrides_only_explicitly() {
        let req = ReviewRequirements::default();
        let q = actor("q", Role::QualifiedReviewer);
        assert_eq!(
            code(decide(
                state(StatusExecution::InProgress, &req, None),
                &q,
                &approve(),
                NOW
            )),
            RefusalCode::TasksNotDone
        );
        let mut request = approve();
        request.override_open_tasks = true;
        match decide(
            state(StatusExecution::Failed, &req, None),
            &q,
            &request,
            NOW,
        )
        .unwrap()
        {
            DecisionOutcome::Decided(d) => assert!(d.overrode_open_tasks),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reserved_cases_need_a_qualified_reviewer() {
        let req = ReviewRequirements {
            qualified_reviewer_only: true,
            qualified_reviewer_reasons: vec!["risk level high".into()],
            ..Default::default()
        };
        let refusal = decide(
            state(StatusExecution::Done, &req, None),
            &actor("r", Role::Reviewer),
            &approve(),
            NOW,
        )
        .unwrap_err();
        assert_eq!(refusal.code, RefusalCode::ReservedForQualifiedReviewer);
        assert!(refusal.message.contains("risk level high"));
        assert_eq!(refusal.code.http_status(), 403);
        assert!(
            decide(
                state(StatusExecution::Done, &req, None),
                &actor("x", Role::Admin),
                &approve(),
                NOW
            )
            .is_ok()
        );
    }

    #[test]
    fn read_only_reason_and_already_decided() {
        let req = ReviewRequirements::default();
        let s = state(StatusExecution::Done, &req, None);
        assert_eq!(
            code(decide(s, &actor("r", Role::ReadOnly), &approve(), NOW)),
            RefusalCode::NotAllowed
        );
        let mut blank = approve();
        blank.reason = "  ".into();
        assert_eq!(
            code(decide(s, &actor("r", Role::Reviewer), &blank, NOW)),
            RefusalCode::ReasonRequired
        );
        let decided = CaseState {
            status_review: StatusReview::Rejected,
            ..s
        };
        assert_eq!(
            code(decide(decided, &actor("r", Role::Admin), &approve(), NOW)),
            RefusalCode::AlreadyDecided
        );
    }

    #[test]
    fn four_eyes_needs_two_different_approvers_for_approval_only() {
        let req = ReviewRequirements {
            four_eyes: true,
            ..Default::default()
        };
        let first = decide(
            state(StatusExecution::Done, &req, None),
            &actor("u1", Role::Reviewer),
            &approve(),
            NOW,
        )
        .unwrap();
        let DecisionOutcome::AwaitingSecondApproval(pending) = first else {
            panic!("{first:?}")
        };
        assert_eq!(pending.by, "u1");
        assert_eq!(
            code(decide(
                state(StatusExecution::Done, &req, Some(&pending)),
                &actor("u1", Role::Reviewer),
                &approve(),
                NOW
            )),
            RefusalCode::SameApprover
        );
        match decide(
            state(StatusExecution::Done, &req, Some(&pending)),
            &actor("u2", Role::QualifiedReviewer),
            &approve(),
            NOW,
        )
        .unwrap()
        {
            DecisionOutcome::Decided(d) => {
                assert_eq!(d.second_approver.as_deref(), Some("u2"));
                assert_eq!(d.first_approval.unwrap().by, "u1");
            }
            other => panic!("{other:?}"),
        }
        let reject = DecisionRequest {
            status_review: DecisionKind::Rejected,
            ..approve()
        };
        assert!(matches!(
            decide(
                state(StatusExecution::Done, &req, None),
                &actor("u1", Role::Reviewer),
                &reject,
                NOW
            )
            .unwrap(),
            DecisionOutcome::Decided(_)
        ));
    }

    #[test]
    fn decision_json_shape() {
        let d = AutomaticDecision {
            rule_id: "sanctions_confirmed".into(),
            status_review: DecisionKind::Rejected,
            reason: "Confirmed sanctions match".into(),
        }
        .into_decision(NOW);
        let v = serde_json::to_value(&d).unwrap();
        assert_eq!(v["status_review"], "rejected");
        assert_eq!(v["decided_by"], "policy:sanctions_confirmed");
        let v = serde_json::to_value(DecisionOutcome::Decided(d)).unwrap();
        assert_eq!(v["outcome"], "decided");
    }
}
