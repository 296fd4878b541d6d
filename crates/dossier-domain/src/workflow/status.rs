//! `status_execution`, derived from the active tasks only (inactive ones never gate anything).
//! Precedence, most urgent first: `failed` (a check errored: an operator must look) >
//! `waiting_for_user_input` (the client must provide or fix something) > `in_progress` (a task
//! has not run, waits for a reviewer, or is stale) > `done` (every active task has a result:
//! clear, consider or alert — the case is ready for a decision).

use super::tasks::{Task, TaskResult};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatusExecution {
    InProgress,
    WaitingForUserInput,
    Failed,
    Done,
}

impl StatusExecution {
    pub fn as_str(self) -> &'static str {
        match self {
            StatusExecution::InProgress => "in_progress",
            StatusExecution::WaitingForUserInput => "waiting_for_user_input",
            StatusExecution::Failed => "failed",
            StatusExecution::Done => "done",
        }
    }
}

pub fn derive_status(tasks: &[Task]) -> StatusExecution {
    let active = || tasks.iter().filter(|t| t.active);
    if active().any(|t| t.result == TaskResult::Error) {
        StatusExecution::Failed
    } else if active().any(|t| t.result == TaskResult::NeedsAction) {
        StatusExecution::WaitingForUserInput
    } else if active().any(|t| t.result == TaskResult::Pending || t.stale) {
        StatusExecution::InProgress
    } else {
        StatusExecution::Done
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn t(result: TaskResult, active: bool, stale: bool) -> Task {
        Task {
            key: format!("{result:?}"),
            kind: "manual".into(),
            name: String::new(),
            active,
            result,
            summary: String::new(),
            findings: vec![],
            evidence: Value::Null,
            signals: vec![],
            fingerprint: String::new(),
            result_fingerprint: String::new(),
            stale,
            clearance: None,
        }
    }
    use TaskResult::*;

    #[test]
    fn precedence_of_statuses() {
        let all = [
            t(Clear, true, false),
            t(Pending, true, false),
            t(NeedsAction, true, false),
            t(Error, true, false),
        ];
        assert_eq!(derive_status(&all), StatusExecution::Failed);
        assert_eq!(
            derive_status(&all[..3]),
            StatusExecution::WaitingForUserInput
        );
        assert_eq!(derive_status(&all[..2]), StatusExecution::InProgress);
        assert_eq!(derive_status(&all[..1]), StatusExecution::Done);
    }

    #[test]
    fn consider_and_alert_are_done_but_stale_is_not() {
        assert_eq!(
            derive_status(&[t(Consider, true, false), t(Alert, true, false)]),
            StatusExecution::Done
        );
        assert_eq!(
            derive_status(&[t(Clear, true, true)]),
            StatusExecution::InProgress
        );
        assert_eq!(derive_status(&[]), StatusExecution::Done);
    }

    #[test]
    fn inactive_tasks_do_not_count() {
        let tasks = [
            t(Clear, true, false),
            t(Error, false, false),
            t(Pending, false, true),
        ];
        assert_eq!(derive_status(&tasks), StatusExecution::Done);
    }

    #[test]
    fn serialises_in_api_words() {
        assert_eq!(
            serde_json::to_value(StatusExecution::WaitingForUserInput).unwrap(),
            "waiting_for_user_input"
        );
    }
}
