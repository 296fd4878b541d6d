//! A case's screening hits and their review. A review changes the case through
//! [`applications::change`] (the task's result and risk signals follow, with events and an audit
//! entry naming the reviewer).

use dossier_domain::workflow::tasks::screening::{
    self, HitStatus, ReviewError, Screened, ScreeningHit,
};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::applications::{self, change, to_json};
use crate::error::{AppError, AppResult};
use crate::{App, Idempotency, Outcome, Principal, Written};

/// Longest review comment kept.
const MAX_COMMENT: usize = 2000;

/// What a review may conclude (for the OpenAPI description; the request carries it as text).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
enum ReviewVerdict {
    FalsePositive,
    TruePositive,
}

/// Body of a hit review.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HitReviewRequest {
    /// `false_positive` (not the same party) or `true_positive` (the same party).
    #[serde(default)]
    #[schema(value_type = ReviewVerdict)]
    pub status: String,
    /// Why (mandatory; kept on the hit and in the audit trail).
    #[serde(default)]
    #[schema(pattern = r"\S")]
    pub comment: String,
}

impl App {
    /// The case's hits, newest first, optionally of one status (`unreviewed`, `false_positive`,
    /// `true_positive`, `withdrawn`).
    pub async fn screening_hits(
        &self,
        p: &Principal,
        id: &str,
        status: Option<&str>,
    ) -> AppResult<Vec<ScreeningHit>> {
        let status = match status {
            None => None,
            Some(s) => Some(HitStatus::parse(s).ok_or_else(|| {
                AppError::invalid(
                    "status",
                    "one of unreviewed, false_positive, true_positive, withdrawn",
                )
            })?),
        };
        let app = self.application(p, id).await?;
        let mut hits: Vec<_> = app
            .screening_hits
            .into_iter()
            .filter(|h| status.is_none_or(|s| h.status == s))
            .collect();
        hits.sort_by(|a, b| b.id.cmp(&a.id));
        Ok(hits)
    }

    /// Resolves a hit as a false or a true positive, with a comment. When no hit is left
    /// unreviewed the screening task is `clear` (all false positives) or an `alert` publishing
    /// `sanctions_confirmed` (and `pep_confirmed` for a PEP). A false positive is remembered for
    /// this party and entity. Answers the case.
    pub async fn review_hit(
        &self,
        p: &Principal,
        idempotency: Option<Idempotency>,
        id: &str,
        hit_id: &str,
        request: &HitReviewRequest,
    ) -> AppResult<Written> {
        let status = HitStatus::parse(request.status.trim())
            .filter(|s| matches!(s, HitStatus::FalsePositive | HitStatus::TruePositive))
            .ok_or_else(|| {
                AppError::invalid("status", "must be `false_positive` or `true_positive`")
            })?;
        if request.comment.chars().count() > MAX_COMMENT {
            return Err(AppError::invalid(
                "comment",
                format!("at most {MAX_COMMENT} characters"),
            ));
        }
        self.write(p, idempotency, async |tx| {
            let (app, ()) = change(tx, p, id, "screening_hit.reviewed", |app| {
                screening::review(
                    &mut app.screening_hits,
                    hit_id,
                    status,
                    &request.comment,
                    &p.actor.kind,
                    &p.actor.id,
                    jiff::Timestamp::now(),
                )
                .map_err(|e| match e {
                    ReviewError::NotFound => AppError::NotFound("screening hit"),
                    ReviewError::BadStatus => AppError::invalid("status", e.to_string()),
                    ReviewError::CommentRequired => AppError::invalid("comment", e.to_string()),
                    ReviewError::Withdrawn => AppError::Conflict("hit_withdrawn", e.to_string()),
                })?;
                // The task's result follows the hits; its fingerprint stays the one it was screened
                // for (the evaluation in `save` marks it stale if the parties changed since).
                let screened = app
                    .tasks
                    .iter()
                    .find(|t| t.kind == "screening")
                    .and_then(|t| Screened::from_evidence(&t.evidence));
                if let Some(screened) = screened {
                    applications::record_screening(app, &screened, None);
                }
                Ok(())
            })
            .await?;
            Ok((Outcome::Changed, to_json(&app)))
        })
        .await
    }
}
