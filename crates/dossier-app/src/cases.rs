//! The back-office's work across cases: the case list (filters, search, order, counts), the
//! dashboard, the tasks inbox, and what an analyst does to many cases at once or beside a case —
//! assign them, tag them, comment. Lists read what the store keeps beside each case
//! (`dossier_store` `case_lists.rs`), never the case documents. Assignment and tags are changes of
//! the case like any other (through [`applications::change`]: a version, an audit entry,
//! `application.updated`); a comment is audited in the case's chain, so it shows in its timeline.

use dossier_domain::application::Application;
use dossier_domain::audit::diff;
use dossier_domain::search::MAX_QUERY_CHARS;
use dossier_domain::validation::Errors;
use dossier_store::{
    AssigneeFilter, CaseList, CaseQuery, CaseRow, Comment, DayDecisions, MAX_LIMIT,
    StatusRiskCount, TaskRow, WaitingSide, normalise_timestamp, now, timestamp,
};
use serde::Serialize;
use serde_json::json;

use crate::applications::{change, ensure_exists};
use crate::error::{AppError, AppResult};
use crate::{App, Idempotency, Outcome, Principal, Written};

/// The most cases one bulk action changes.
pub const MAX_BULK: usize = 100;
/// The longest comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 5000;
/// How many weeks of decisions the dashboard charts (this one included).
pub const DECISION_WEEKS: usize = 12;
/// How many of the oldest cases waiting for a decision the dashboard names.
pub const OLDEST_WAITING: i64 = 5;

/// The assignee filter a surface names in words: `none` (unassigned), `mine`, `mine_or_unassigned`
/// (an analyst's default view), `any`, or a user id.
pub fn assignee_filter(p: &Principal, text: &str) -> AssigneeFilter {
    match text {
        "" | "any" => AssigneeFilter::Anyone,
        "none" => AssigneeFilter::Unassigned,
        "mine" => AssigneeFilter::User(p.actor.id.clone()),
        "mine_or_unassigned" => AssigneeFilter::UserOrUnassigned(p.actor.id.clone()),
        id => AssigneeFilter::User(id.to_string()),
    }
}

/// A date bound of a list filter in stored form: an RFC 3339 timestamp, or a day `YYYY-MM-DD`
/// (UTC) — as a lower bound its start, as an upper (`end`) the start of the next day, so that
/// "to 2026-03-31" includes the 31st.
pub fn date_bound(field: &str, text: &str, end: bool) -> AppResult<String> {
    if let Ok(day) = text.parse::<jiff::civil::Date>()
        && text.len() == 10
    {
        let day = if end {
            day.tomorrow()
                .map_err(|e| AppError::invalid(field, e.to_string()))?
        } else {
            day
        };
        let at = day
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map_err(|e| AppError::invalid(field, e.to_string()))?;
        return Ok(timestamp(at.timestamp()));
    }
    normalise_timestamp(text).ok_or_else(|| {
        AppError::invalid(
            field,
            "must be a date (YYYY-MM-DD) or an RFC 3339 timestamp",
        )
    })
}

/// The dashboard's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dashboard {
    pub by_status_and_risk: Vec<StatusRiskCount>,
    /// Received, undecided, every active task with a result: a reviewer may decide them.
    pub waiting_for_decision: i64,
    /// The oldest of those (by when they were received), oldest first.
    pub oldest_waiting: Vec<CaseRow>,
    /// The received, undecided cases with no open collect: the team has the next move.
    pub waiting_on_us: WaitingTime,
    /// The received, undecided cases with an open collect: their client has.
    pub waiting_on_client: WaitingTime,
    /// The last [`DECISION_WEEKS`] ISO weeks, oldest first, this one last.
    pub decisions_per_week: Vec<WeekDecisions>,
}

/// How long the cases of one side have waited.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct WaitingTime {
    pub cases: i64,
    /// Since when the oldest waits (stored form).
    pub oldest_since: Option<String>,
    pub longest_seconds: Option<i64>,
    pub mean_seconds: Option<i64>,
}

/// Decisions of one ISO week.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekDecisions {
    /// `2026-W07`.
    pub week: String,
    /// Its Monday, `YYYY-MM-DD`.
    pub starts: String,
    pub approved: i64,
    pub rejected: i64,
}

/// A task of the inbox, with how long it has waited and on whom.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InboxTask {
    #[serde(flatten)]
    pub task: TaskRow,
    pub waited_seconds: i64,
    /// `us` or `client`.
    pub waits_on: &'static str,
}

/// One page of the tasks inbox.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskInbox {
    pub tasks: Vec<InboxTask>,
    pub total: i64,
}

/// Seconds from a stored timestamp to `now` (0 for one that does not parse or is in the future).
fn seconds_since(at: &str, now: jiff::Timestamp) -> i64 {
    at.parse::<jiff::Timestamp>()
        .map(|t| (now.as_second() - t.as_second()).max(0))
        .unwrap_or(0)
}

fn waiting_time(side: WaitingSide, now: jiff::Timestamp) -> WaitingTime {
    let now_epoch = now.as_microsecond() as f64 / 1e6;
    WaitingTime {
        cases: side.cases,
        longest_seconds: side.oldest_since.as_deref().map(|s| seconds_since(s, now)),
        mean_seconds: side
            .mean_since_epoch
            .map(|mean| (now_epoch - mean).max(0.0).round() as i64),
        oldest_since: side.oldest_since,
    }
}

/// The Monday of `day`'s ISO week.
fn monday(day: jiff::civil::Date) -> jiff::civil::Date {
    let back = i64::from(day.weekday().to_monday_zero_offset());
    day.checked_sub(jiff::Span::new().days(back))
        .expect("a date after the first week of year -9999")
}

/// The last `weeks` ISO weeks ending with `today`'s, with the decisions of each.
fn decision_weeks(
    today: jiff::civil::Date,
    weeks: usize,
    by_day: &[DayDecisions],
) -> Vec<WeekDecisions> {
    let this_monday = monday(today);
    let mut out: Vec<WeekDecisions> = (0..weeks)
        .rev()
        .map(|back| {
            let start = this_monday
                .checked_sub(jiff::Span::new().weeks(back as i64))
                .expect("a date in range");
            let iso = start.iso_week_date();
            WeekDecisions {
                week: format!("{:04}-W{:02}", iso.year(), iso.week()),
                starts: start.to_string(),
                approved: 0,
                rejected: 0,
            }
        })
        .collect();
    for d in by_day {
        let Ok(day) = d.day.parse::<jiff::civil::Date>() else {
            continue;
        };
        let start = monday(day).to_string();
        if let Some(week) = out.iter_mut().find(|w| w.starts == start) {
            match d.status_review.as_str() {
                "approved" => week.approved += d.cases,
                "rejected" => week.rejected += d.cases,
                _ => {}
            }
        }
    }
    out
}

/// Refuses a NUL character in a filter (PostgreSQL cannot take one in text).
fn check_text(errors: &mut Errors, field: &str, value: Option<&str>) {
    if value.is_some_and(|v| v.contains('\0')) {
        errors.add(field, "must not contain the NUL character");
    }
}

/// A tag as given to a bulk action: trimmed, 1–100 characters, no NUL.
fn tag_of(tag: &str) -> AppResult<String> {
    let tag = tag.trim();
    if tag.is_empty() {
        return Err(AppError::Invalid(vec![
            dossier_domain::validation::FieldError {
                field: "tag".into(),
                code: "required",
                message: "a tag must not be empty".into(),
            },
        ]));
    }
    if tag.chars().count() > 100 || tag.contains('\0') {
        return Err(AppError::invalid(
            "tag",
            "at most 100 characters, without the NUL character",
        ));
    }
    Ok(tag.to_string())
}

/// The cases of a bulk action: 1 to [`MAX_BULK`], each once.
fn bulk(ids: &[String]) -> AppResult<Vec<&str>> {
    if ids.is_empty() || ids.len() > MAX_BULK {
        return Err(AppError::invalid(
            "application_ids",
            format!("between 1 and {MAX_BULK} cases"),
        ));
    }
    let mut unique: Vec<&str> = Vec::with_capacity(ids.len());
    for id in ids {
        if !unique.contains(&id.as_str()) {
            unique.push(id);
        }
    }
    Ok(unique)
}

/// A comment's text, trimmed: 1–5000 characters, no control characters but line breaks and tabs.
fn comment_body(body: &str) -> AppResult<String> {
    let body = body.trim();
    let mut errors = Errors::new();
    if body.is_empty() {
        errors.add_code("body", "required", "a comment must not be empty");
    } else if body.chars().count() > MAX_COMMENT_CHARS {
        errors.add_code(
            "body",
            "too_long",
            format!("at most {MAX_COMMENT_CHARS} characters"),
        );
    }
    if body
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        errors.add(
            "body",
            "must not contain control characters (the NUL character among them)",
        );
    }
    errors.into_result()?;
    Ok(body.to_string())
}

impl App {
    /// One page of the workspace's cases, as `q` filters and orders them, with how many match.
    pub async fn case_list(&self, p: &Principal, q: &CaseQuery) -> AppResult<CaseList> {
        p.require_staff()?;
        let mut errors = Errors::new();
        if !(1..=MAX_LIMIT).contains(&q.limit) {
            errors.add("limit", format!("must be between 1 and {MAX_LIMIT}"));
        }
        if q.offset < 0 {
            errors.add("offset", "must not be negative");
        }
        if q.q
            .as_deref()
            .is_some_and(|t| t.chars().count() > MAX_QUERY_CHARS)
        {
            errors.add_code(
                "q",
                "too_long",
                format!("at most {MAX_QUERY_CHARS} characters"),
            );
        }
        for (field, value) in [
            ("q", &q.q),
            ("tag", &q.tag),
            ("template", &q.template),
            ("type", &q.kind),
            ("status_review", &q.status_review),
            ("status_execution", &q.status_execution),
            ("risk_level", &q.risk_level),
        ] {
            check_text(&mut errors, field, value.as_deref());
        }
        if let AssigneeFilter::User(id) | AssigneeFilter::UserOrUnassigned(id) = &q.assignee {
            check_text(&mut errors, "assignee", Some(id));
        }
        errors.into_result()?;
        Ok(self.store.case_list(p.ws(), q).await?)
    }

    /// The case an analyst goes to after `id`: the next undecided one in the order of ids (newest
    /// first), if any.
    pub async fn next_pending_case(&self, p: &Principal, id: &str) -> AppResult<Option<String>> {
        p.require_staff()?;
        Ok(self.store.pending_case_before(p.ws(), id).await?)
    }

    /// The tags on the workspace's cases and how many cases have each (for the tag filter).
    pub async fn tags_in_use(&self, p: &Principal) -> AppResult<Vec<(String, i64)>> {
        p.require_staff()?;
        Ok(self.store.tags_in_use(p.ws()).await?)
    }

    /// The dashboard: cases by status and risk, those waiting for a decision and the oldest of them,
    /// how long cases wait on the team and on their clients, and the decisions of the last weeks.
    pub async fn dashboard(&self, p: &Principal) -> AppResult<Dashboard> {
        p.require_staff()?;
        let ws = p.ws();
        let at = jiff::Timestamp::now();
        let today = at.to_zoned(jiff::tz::TimeZone::UTC).date();
        let first_monday = monday(today)
            .checked_sub(jiff::Span::new().weeks(DECISION_WEEKS as i64 - 1))
            .expect("a date in range");
        let from = date_bound("from", &first_monday.to_string(), false)?;
        let waiting_query = CaseQuery {
            waiting_for_decision: true,
            sort: dossier_store::CaseSort::ReceivedAt,
            ascending: true,
            limit: OLDEST_WAITING,
            ..CaseQuery::default()
        };
        let (by_status_and_risk, waiting_list, waiting, by_day) = tokio::try_join!(
            self.store.cases_by_status_and_risk(ws),
            self.store.case_list(ws, &waiting_query),
            self.store.waiting(ws),
            self.store.decisions_by_day(ws, &from),
        )?;
        Ok(Dashboard {
            by_status_and_risk,
            waiting_for_decision: waiting_list.total,
            oldest_waiting: waiting_list.rows,
            waiting_on_us: waiting_time(waiting.on_us, at),
            waiting_on_client: waiting_time(waiting.on_client, at),
            decisions_per_week: decision_weeks(today, DECISION_WEEKS, &by_day),
        })
    }

    /// One page of the tasks inbox, oldest first: the open tasks of the received, undecided cases
    /// `assignee` selects, each with how long it has waited and on whom — the client when it must
    /// act (`needs_action`) and a collect asks it to, the team otherwise.
    pub async fn task_inbox(
        &self,
        p: &Principal,
        assignee: &AssigneeFilter,
        offset: i64,
        limit: i64,
    ) -> AppResult<TaskInbox> {
        p.require_staff()?;
        if !(1..=MAX_LIMIT).contains(&limit) || offset < 0 {
            return Err(AppError::invalid(
                "limit",
                format!("a page holds 1 to {MAX_LIMIT} tasks, from an offset of 0 or more"),
            ));
        }
        let page = self
            .store
            .task_inbox(p.ws(), assignee, offset, limit)
            .await?;
        let at = jiff::Timestamp::now();
        Ok(TaskInbox {
            tasks: page
                .rows
                .into_iter()
                .map(|task| InboxTask {
                    waited_seconds: seconds_since(&task.since, at),
                    waits_on: if task.waiting_on_client {
                        "client"
                    } else {
                        "us"
                    },
                    task,
                })
                .collect(),
            total: page.total,
        })
    }

    /// Assigns cases to a user of the workspace who is active and may change cases, or unassigns
    /// them (`None`); all or none. Returns the cases as saved.
    pub async fn assign(
        &self,
        p: &Principal,
        application_ids: &[String],
        assignee: Option<&str>,
    ) -> AppResult<Vec<Application>> {
        p.require_write()?;
        let ids = bulk(application_ids)?;
        if let Some(id) = assignee {
            let refuse = |code, message: &str| {
                AppError::Invalid(vec![dossier_domain::validation::FieldError {
                    field: "assignee_id".into(),
                    code,
                    message: message.into(),
                }])
            };
            let user =
                self.store.user(p.ws(), id).await?.ok_or_else(|| {
                    refuse("unknown_user", "no user of this workspace has this id")
                })?;
            if !user.is_active() {
                return Err(refuse("inactive_user", "this user is deactivated"));
            }
            if !user.role.may_write() {
                return Err(refuse(
                    "read_only_user",
                    "a read-only user cannot work on cases",
                ));
            }
        }
        self.change_each(p, &ids, "application.assigned", |app| {
            app.assignee_id = assignee.map(str::to_string);
        })
        .await
    }

    /// Adds a tag to cases (those that have it already stay as they are).
    pub async fn add_tag(
        &self,
        p: &Principal,
        application_ids: &[String],
        tag: &str,
    ) -> AppResult<Vec<Application>> {
        let tag = tag_of(tag)?;
        let ids = bulk(application_ids)?;
        self.change_each(p, &ids, "application.tagged", |app| {
            if !app.tags.contains(&tag) {
                app.tags.push(tag.clone());
            }
        })
        .await
    }

    /// Removes a tag from cases.
    pub async fn remove_tag(
        &self,
        p: &Principal,
        application_ids: &[String],
        tag: &str,
    ) -> AppResult<Vec<Application>> {
        let tag = tag_of(tag)?;
        let ids = bulk(application_ids)?;
        self.change_each(p, &ids, "application.untagged", |app| {
            app.tags.retain(|t| *t != tag);
        })
        .await
    }

    /// Changes each case in one transaction, through the one change path of a case.
    async fn change_each(
        &self,
        p: &Principal,
        ids: &[&str],
        action: &str,
        edit: impl Fn(&mut Application),
    ) -> AppResult<Vec<Application>> {
        let mut saved = Vec::with_capacity(ids.len());
        self.write(p, None, async |tx| {
            for id in ids {
                let (app, ()) = change(tx, p, id, action, |app| {
                    edit(app);
                    Ok(())
                })
                .await?;
                saved.push(app);
            }
            Ok((Outcome::Changed, serde_json::Value::Null))
        })
        .await?;
        Ok(saved)
    }

    /// Adds an internal comment to a case (audited as `comment.created` in the case's chain). The
    /// answer's body is the comment.
    pub async fn comment(
        &self,
        p: &Principal,
        idempotency: Option<Idempotency>,
        application_id: &str,
        body: &str,
    ) -> AppResult<Written> {
        let body = comment_body(body)?;
        self.write(p, idempotency, async |tx| {
            ensure_exists(tx.store(), p.ws(), application_id).await?;
            let comment = Comment {
                id: dossier_domain::id::new_id("cmt"),
                application_id: application_id.to_string(),
                author: p.actor.clone(),
                body,
                created_at: now(),
            };
            tx.insert_comment(p.ws(), &comment).await?;
            tx.audit(
                p.ws(),
                &p.actor,
                "comment.created",
                "comment",
                &comment.id,
                Some(application_id),
                // One change, `body`, from nothing to the text.
                &diff(&json!({}), &json!({"body": comment.body})),
            )
            .await?;
            Ok((Outcome::Created, json!(comment)))
        })
        .await
    }

    /// The case's internal comments, oldest first.
    pub async fn comments(&self, p: &Principal, application_id: &str) -> AppResult<Vec<Comment>> {
        p.require_staff()?;
        ensure_exists(&self.store, p.ws(), application_id).await?;
        Ok(self.store.comments(p.ws(), application_id).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_end_with_this_one_and_count_each_outcome() {
        let today: jiff::civil::Date = "2026-03-05".parse().unwrap(); // a Thursday, week 10
        let d = |day: &str, status: &str, cases| DayDecisions {
            day: day.into(),
            status_review: status.into(),
            cases,
        };
        let by_day = [
            d("2026-03-02", "approved", 2),
            d("2026-03-05", "rejected", 1),
            d("2026-03-01", "approved", 4), // the Sunday of week 9
            d("2025-01-01", "approved", 9), // before the chart
        ];
        let weeks = decision_weeks(today, 12, &by_day);
        assert_eq!(weeks.len(), 12);
        let last = weeks.last().unwrap();
        assert_eq!(
            (last.week.as_str(), last.starts.as_str()),
            ("2026-W10", "2026-03-02")
        );
        assert_eq!((last.approved, last.rejected), (2, 1));
        assert_eq!(
            (weeks[10].week.as_str(), weeks[10].approved),
            ("2026-W09", 4)
        );
        assert_eq!(weeks[0].week, "2025-W51");
        assert_eq!(
            weeks.iter().map(|w| w.approved + w.rejected).sum::<i64>(),
            7
        );
    }

    #[test]
    fn a_day_bound_covers_the_whole_day() {
        assert_eq!(
            date_bound("f", "2026-03-31", false).unwrap(),
            "2026-03-31T00:00:00.000000Z"
        );
        assert_eq!(
            date_bound("f", "2026-03-31", true).unwrap(),
            "2026-04-01T00:00:00.000000Z"
        );
        assert_eq!(
            date_bound("f", "2026-03-31T10:00:00+02:00", true).unwrap(),
            "2026-03-31T08:00:00.000000Z"
        );
        assert_eq!(
            date_bound("f", "31/03/2026", false).unwrap_err().code(),
            "validation"
        );
    }

    #[test]
    fn comments_are_checked() {
        assert_eq!(comment_body("  a\n\tb  ").unwrap(), "a\n\tb");
        for bad in ["", "   ", "a\0b", "bell\u{7}"] {
            assert!(comment_body(bad).is_err(), "{bad:?}");
        }
        assert!(comment_body(&"é".repeat(MAX_COMMENT_CHARS)).is_ok());
        assert!(comment_body(&"é".repeat(MAX_COMMENT_CHARS + 1)).is_err());
    }
}
