//! `screening`: sanctions and PEP screening of the subject and of every related person and business
//! (the whole relationship tree). Deferred: the engine only fingerprints the parties' names, birth
//! dates, countries and types; the server's screening worker searches the watchlists outside the
//! write transaction and records the hits on the case ([`crate::application::Application::
//! screening_hits`]) and the outcome on the task (see `docs/screening.md`).
//!
//! Everything about hits that is a rule lives here, pure: which parties are screened, how a new
//! screening is merged with the hits already on the case (a reviewed false positive is remembered
//! for that party and entity until the entity's record changes), how a reviewer resolves a hit, and
//! the task's result and risk signals derived from the hits.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::{Finding, TaskInput, TaskKind, TaskOutcome, TaskResult};
use crate::workflow::facts::CaseFacts;
use crate::workflow::tasks::Execution;

/// The party id of the case's subject (related parties use their relationship id).
pub const SUBJECT: &str = "subject";
/// Signal of a confirmed sanctions match.
pub const SANCTIONS_CONFIRMED: &str = "sanctions_confirmed";
/// Signal of a confirmed politically exposed person.
pub const PEP_CONFIRMED: &str = "pep_confirmed";

pub struct Screening;

impl TaskKind for Screening {
    fn kind(&self) -> &'static str {
        "screening"
    }

    fn execution(&self) -> Execution {
        Execution::Deferred
    }

    /// Only what a screening reads: a changed e-mail address does not call for a new screening.
    fn inputs(&self, input: &TaskInput<'_>) -> Value {
        json!({ "parties": parties(input.facts) })
    }

    fn run(&self, input: &TaskInput<'_>) -> TaskOutcome {
        let n = parties(input.facts).len();
        TaskOutcome::new(
            TaskResult::Pending,
            format!(
                "Not screened yet: {n} part{} wait for the screening worker (it needs an imported watchlist)",
                if n == 1 { "y" } else { "ies" }
            ),
        )
    }
}

/// One party as it is screened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScreeningParty {
    /// [`SUBJECT`] or the relationship id.
    pub party_id: String,
    /// `person` or `business`.
    pub kind: String,
    pub name: String,
    pub birth_date: Option<String>,
    /// Nationality first, then residence / registration and address countries; no repeats.
    pub countries: Vec<String>,
}

/// The subject and every related party with a name, in tree order.
pub fn parties(facts: &CaseFacts) -> Vec<ScreeningParty> {
    let mut out = Vec::new();
    let case_type = facts.case_type();
    if let Some(p) = party(SUBJECT, case_type, &facts.application[case_type]) {
        out.push(p);
    }
    for rel in &facts.relationships {
        if let Some(p) = party(&rel.id, &rel.kind, &rel.value[rel.kind.as_str()]) {
            out.push(p);
        }
    }
    out
}

fn party(id: &str, kind: &str, data: &Value) -> Option<ScreeningParty> {
    let text = |v: &Value| {
        v.as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let (name, birth_date, country_fields): (String, Option<String>, &[&str]) = if kind == "person"
    {
        let name = [&data["first_name"], &data["last_name"]]
            .into_iter()
            .filter_map(text)
            .collect::<Vec<_>>()
            .join(" ");
        (
            name,
            text(&data["birth_date"]),
            &["nationality", "country_of_residence"],
        )
    } else {
        (text(&data["name"]).unwrap_or_default(), None, &["country"])
    };
    if name.is_empty() {
        return None;
    }
    let mut countries: Vec<String> = Vec::new();
    for c in country_fields
        .iter()
        .map(|f| &data[*f])
        .chain([&data["address"]["country"]])
        .filter_map(text)
    {
        let c = c.to_ascii_uppercase();
        if !countries.contains(&c) {
            countries.push(c);
        }
    }
    Some(ScreeningParty {
        party_id: id.to_string(),
        kind: if kind == "person" {
            "person"
        } else {
            "business"
        }
        .into(),
        name,
        birth_date,
        countries,
    })
}

/// Where a hit stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HitStatus {
    /// Found, waiting for a reviewer: keeps the task at `needs_action`.
    Unreviewed,
    /// Not the same party (remembered for this party and entity until the entity's record changes).
    FalsePositive,
    /// The same party: the task is an `alert` and publishes risk signals.
    TruePositive,
    /// No longer matched before anyone reviewed it (the party's data or the list entry changed, or
    /// the entry left the list).
    Withdrawn,
}

impl HitStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            HitStatus::Unreviewed => "unreviewed",
            HitStatus::FalsePositive => "false_positive",
            HitStatus::TruePositive => "true_positive",
            HitStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            HitStatus::Unreviewed,
            HitStatus::FalsePositive,
            HitStatus::TruePositive,
            HitStatus::Withdrawn,
        ]
        .into_iter()
        .find(|h| h.as_str() == s)
    }
}

/// The listed entity a hit points at, as it was in the snapshot screened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HitEntity {
    pub list: String,
    pub list_id: String,
    /// `person`, `organisation`, `vessel`, `aircraft` or `unknown`.
    pub schema: String,
    pub names: Vec<String>,
    #[serde(default)]
    pub birth_dates: Vec<String>,
    #[serde(default)]
    pub nationalities: Vec<String>,
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default)]
    pub programmes: Vec<String>,
    /// e.g. `sanction`, `role.pep`.
    #[serde(default)]
    pub topics: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    /// SHA-256 of the entity's record: a false positive holds while it is unchanged.
    pub content_hash: String,
}

impl HitEntity {
    /// A politically exposed person (OpenSanctions / Senzing `role.pep` topic).
    pub fn is_pep(&self) -> bool {
        self.topics.iter().any(|t| t == "role.pep")
    }

    /// Sanctioned: a `sanction` topic, or a list that has no topics (sanctions lists such as OFAC
    /// SDN, UN, HMT), unless the entity is only a PEP.
    pub fn is_sanctioned(&self) -> bool {
        self.topics.iter().any(|t| t.starts_with("sanction")) || !self.is_pep()
    }
}

/// A reviewer's resolution of a hit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HitReview {
    pub status: HitStatus,
    pub comment: String,
    /// Actor kind and id, e.g. `api_key` / `key_…`.
    pub by_kind: String,
    pub by: String,
    #[schema(value_type = String, format = DateTime)]
    #[serde(with = "crate::time::serde")]
    pub at: jiff::Timestamp,
}

/// One possible match of a party of the case on a watchlist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ScreeningHit {
    /// `hit_…`, stable across re-screenings while the hit stands.
    pub id: String,
    /// [`SUBJECT`] or the relationship id of the party.
    pub party_id: String,
    pub party_name: String,
    /// `person` or `business`.
    pub party_kind: String,
    pub entity: HitEntity,
    /// 0–1, at or above the workspace's screening threshold when found.
    pub score: f64,
    /// How the score came about: which names matched, each feature's contribution.
    #[schema(value_type = Object)]
    pub explanation: Value,
    /// The watchlist snapshot the entity was found in.
    pub snapshot_id: String,
    pub snapshot_source: String,
    pub snapshot_version: i64,
    pub status: HitStatus,
    pub found_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<HitReview>,
}

impl ScreeningHit {
    fn same_match(&self, other: &ScreeningHit) -> bool {
        self.party_id == other.party_id
            && self.entity.list == other.entity.list
            && self.entity.list_id == other.entity.list_id
    }
}

/// What a screening covered: the parties against which entities.
pub enum Scope<'a> {
    /// Every party against every list entity (a new or changed case).
    Full,
    /// Every party against the entities added or changed by an import (`rescreened`, keyed by
    /// `(list, list_id)`); `removed` entries left the list.
    Changes {
        rescreened: &'a HashSet<(String, String)>,
        removed: &'a HashSet<(String, String)>,
    },
}

/// Merges the hits of a new screening into the case's hits and returns the ids of the hits raised
/// now (new ones, and ones whose entity record changed since a reviewer resolved them).
///
/// * A hit already there and still unreviewed is refreshed (score, explanation, entity, snapshot).
/// * A reviewed hit whose entity has the same content hash stays as reviewed: a false positive is
///   not raised again for that party and entity until the entity's record changes. When it changed,
///   a new unreviewed hit is raised beside the old one (which stays as history).
/// * Unreviewed hits that the screening covered but no longer found are withdrawn; so are those
///   whose entity left the list.
pub fn merge(
    hits: &mut Vec<ScreeningHit>,
    found: Vec<ScreeningHit>,
    scope: &Scope<'_>,
) -> Vec<String> {
    let mut raised = Vec::new();
    let mut kept: HashSet<usize> = HashSet::new();
    for f in found {
        // The newest hit of this party and entity decides (older ones are history).
        match hits.iter().rposition(|h| h.same_match(&f)) {
            Some(i) if hits[i].status == HitStatus::Unreviewed => {
                let h = &mut hits[i];
                h.entity = f.entity;
                h.score = f.score;
                h.explanation = f.explanation;
                h.snapshot_id = f.snapshot_id;
                h.snapshot_source = f.snapshot_source;
                h.snapshot_version = f.snapshot_version;
                h.party_name = f.party_name;
                kept.insert(i);
            }
            Some(i)
                if hits[i].status != HitStatus::Withdrawn
                    && hits[i].entity.content_hash == f.entity.content_hash =>
            {
                kept.insert(i);
            }
            _ => {
                raised.push(f.id.clone());
                kept.insert(hits.len());
                hits.push(f);
            }
        }
    }
    for (i, h) in hits.iter_mut().enumerate() {
        if h.status != HitStatus::Unreviewed || kept.contains(&i) {
            continue;
        }
        let key = (h.entity.list.clone(), h.entity.list_id.clone());
        let covered = match scope {
            Scope::Full => true,
            Scope::Changes {
                rescreened,
                removed,
            } => rescreened.contains(&key) || removed.contains(&key),
        };
        if covered {
            h.status = HitStatus::Withdrawn;
        }
    }
    raised
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    #[error("no screening hit with this id on the case")]
    NotFound,
    #[error("`status` must be `false_positive` or `true_positive`")]
    BadStatus,
    #[error("a comment is required to review a hit")]
    CommentRequired,
    #[error("the hit was withdrawn (it no longer matches); there is nothing to review")]
    Withdrawn,
}

/// A reviewer resolves a hit as a false or a true positive, with a mandatory comment. A resolved
/// hit may be resolved again (a correction); the audit trail keeps both.
pub fn review(
    hits: &mut [ScreeningHit],
    hit_id: &str,
    status: HitStatus,
    comment: &str,
    by_kind: &str,
    by: &str,
    at: jiff::Timestamp,
) -> Result<(), ReviewError> {
    let hit = hits
        .iter_mut()
        .find(|h| h.id == hit_id)
        .ok_or(ReviewError::NotFound)?;
    if !matches!(status, HitStatus::FalsePositive | HitStatus::TruePositive) {
        return Err(ReviewError::BadStatus);
    }
    if comment.trim().is_empty() {
        return Err(ReviewError::CommentRequired);
    }
    if hit.status == HitStatus::Withdrawn {
        return Err(ReviewError::Withdrawn);
    }
    hit.status = status;
    hit.review = Some(HitReview {
        status,
        comment: comment.trim().to_string(),
        by_kind: by_kind.to_string(),
        by: by.to_string(),
        at,
    });
    Ok(())
}

/// The snapshot of a list that a screening searched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScreenedSnapshot {
    pub id: String,
    pub source: String,
    pub version: i64,
}

/// What the last screening covered, kept in the task's evidence as proof of what was searched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Screened {
    pub parties: usize,
    pub snapshots: Vec<ScreenedSnapshot>,
    pub threshold: f64,
    pub at: String,
}

impl Screened {
    /// Reads it back from a task's evidence.
    pub fn from_evidence(evidence: &Value) -> Option<Self> {
        serde_json::from_value(evidence["screened"].clone()).ok()
    }
}

/// The task's outcome from the case's hits: `needs_action` while any hit is unreviewed; `alert`
/// with `sanctions_confirmed` (and `pep_confirmed` for a PEP) when any is a true positive; `clear`
/// otherwise — with the screened snapshots as evidence.
pub fn outcome(hits: &[ScreeningHit], screened: &Screened) -> TaskOutcome {
    let count = |s: HitStatus| hits.iter().filter(|h| h.status == s).count();
    let (unreviewed, false_pos, true_pos) = (
        count(HitStatus::Unreviewed),
        count(HitStatus::FalsePositive),
        count(HitStatus::TruePositive),
    );
    let lists = screened
        .snapshots
        .iter()
        .map(|s| format!("{} v{}", s.source, s.version))
        .collect::<Vec<_>>()
        .join(", ");
    let describe = |h: &ScreeningHit| {
        format!(
            "{} ~ {} ({} {}, score {:.2})",
            h.party_name,
            h.entity.names.first().map(String::as_str).unwrap_or("?"),
            h.entity.list,
            h.entity.list_id,
            h.score
        )
    };
    let finding = |code: &str, h: &ScreeningHit| {
        let f = Finding::new(code, describe(h));
        if h.party_id == SUBJECT {
            f
        } else {
            f.on(h.party_id.clone())
        }
    };
    let mut findings: Vec<Finding> = hits
        .iter()
        .filter(|h| h.status == HitStatus::TruePositive)
        .map(|h| finding("confirmed_match", h))
        .collect();
    findings.extend(
        hits.iter()
            .filter(|h| h.status == HitStatus::Unreviewed)
            .map(|h| finding("unreviewed_hit", h)),
    );
    let mut signals = Vec::new();
    let confirmed = || hits.iter().filter(|h| h.status == HitStatus::TruePositive);
    if confirmed().any(|h| h.entity.is_sanctioned()) {
        signals.push(SANCTIONS_CONFIRMED.to_string());
    }
    if confirmed().any(|h| h.entity.is_pep()) {
        signals.push(PEP_CONFIRMED.to_string());
    }
    let (result, summary) = if unreviewed > 0 {
        (
            TaskResult::NeedsAction,
            format!(
                "{unreviewed} screening hit{} to review ({} part{} screened against {lists})",
                if unreviewed == 1 { "" } else { "s" },
                screened.parties,
                if screened.parties == 1 { "y" } else { "ies" }
            ),
        )
    } else if true_pos > 0 {
        (
            TaskResult::Alert,
            format!(
                "{true_pos} confirmed match{}: {}",
                if true_pos == 1 { "" } else { "es" },
                confirmed().map(describe).collect::<Vec<_>>().join("; ")
            ),
        )
    } else if false_pos > 0 {
        (
            TaskResult::Clear,
            format!(
                "{} part{} screened against {lists}: every hit ({false_pos}) resolved as a false positive",
                screened.parties,
                if screened.parties == 1 { "y" } else { "ies" }
            ),
        )
    } else {
        (
            TaskResult::Clear,
            format!(
                "{} part{} screened against {lists}: no hits",
                screened.parties,
                if screened.parties == 1 { "y" } else { "ies" }
            ),
        )
    };
    TaskOutcome {
        result,
        summary,
        findings,
        evidence: json!({
            "screened": screened,
            "hits": {"unreviewed": unreviewed, "false_positive": false_pos,
                     "true_positive": true_pos, "withdrawn": count(HitStatus::Withdrawn)},
        }),
        signals,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::tasks::tests_support::facts;

    fn entity(list_id: &str, hash: &str, topics: &[&str]) -> HitEntity {
        HitEntity {
            list: "eu_fsf".into(),
            list_id: list_id.into(),
            schema: "person".into(),
            names: vec![format!("Person {list_id}")],
            birth_dates: vec![],
            nationalities: vec![],
            countries: vec![],
            programmes: vec![],
            topics: topics.iter().map(|t| t.to_string()).collect(),
            source_url: None,
            content_hash: hash.into(),
        }
    }

    fn hit(id: &str, party: &str, list_id: &str, hash: &str) -> ScreeningHit {
        ScreeningHit {
            id: id.into(),
            party_id: party.into(),
            party_name: format!("Party {party}"),
            party_kind: "person".into(),
            entity: entity(list_id, hash, &["sanction"]),
            score: 0.9,
            explanation: Value::Null,
            snapshot_id: "wls_1".into(),
            snapshot_source: "ftm".into(),
            snapshot_version: 1,
            status: HitStatus::Unreviewed,
            found_at: "2026-01-01T00:00:00Z".into(),
            review: None,
        }
    }

    fn screened() -> Screened {
        Screened {
            parties: 3,
            snapshots: vec![ScreenedSnapshot {
                id: "wls_1".into(),
                source: "ftm".into(),
                version: 1,
            }],
            threshold: 0.7,
            at: "2026-01-01T00:00:00Z".into(),
        }
    }

    fn resolve(hits: &mut [ScreeningHit], id: &str, status: HitStatus) {
        review(
            hits,
            id,
            status,
            "checked the birth date",
            "api_key",
            "key_1",
            jiff::Timestamp::UNIX_EPOCH,
        )
        .unwrap();
    }

    #[test]
    fn every_named_party_of_the_tree_is_screened() {
        let f = facts(json!({"type": "business",
            "business": {"name": "Acme SARL", "country": "fr", "address": {"country": "BE"}},
            "relationships": [
                {"id": "rel_a", "kind": "person", "roles": ["director"],
                 "person": {"first_name": "Vitaly", "last_name": "Kuzmenko", "birth_date": "1971-01-22",
                            "nationality": "RU", "country_of_residence": "RU"}},
                {"id": "rel_b", "kind": "business", "roles": ["shareholder"],
                 "business": {"name": "Holding BV", "country": "NL"},
                 "relationships": [{"id": "rel_c", "kind": "person", "roles": ["ubo"],
                                    "person": {"last_name": "Peeters"}},
                                   {"id": "rel_d", "kind": "person", "roles": ["ubo"], "person": {}}]}]}));
        let p = parties(&f);
        let ids: Vec<&str> = p.iter().map(|p| p.party_id.as_str()).collect();
        assert_eq!(
            ids,
            vec![SUBJECT, "rel_a", "rel_b", "rel_c"],
            "nameless rel_d is skipped"
        );
        assert_eq!(p[0].countries, vec!["FR", "BE"]);
        assert_eq!(p[0].kind, "business");
        assert_eq!(p[1].name, "Vitaly Kuzmenko");
        assert_eq!(p[1].birth_date.as_deref(), Some("1971-01-22"));
        assert_eq!(p[1].countries, vec!["RU"]);
        assert_eq!(p[3].name, "Peeters");
    }

    #[test]
    fn the_fingerprint_moves_with_names_not_with_contact_details() {
        let base = json!({"type": "person", "person": {"first_name": "Sam", "last_name": "Risk",
            "email": "sam@example.com"}});
        let inputs = |case: &Value| json!({"parties": parties(&facts(case.clone()))});
        let mut email = base.clone();
        email["person"]["email"] = json!("other@example.com");
        assert_eq!(inputs(&base), inputs(&email));
        let mut renamed = base.clone();
        renamed["person"]["last_name"] = json!("Rysk");
        assert_ne!(inputs(&base), inputs(&renamed));
        let mut born = base.clone();
        born["person"]["birth_date"] = json!("1980-01-01");
        assert_ne!(inputs(&base), inputs(&born));
    }

    #[test]
    fn no_hits_is_clear_with_the_snapshots_as_evidence() {
        let o = outcome(&[], &screened());
        assert_eq!(o.result, TaskResult::Clear);
        assert!(o.summary.contains("ftm v1"), "{}", o.summary);
        assert_eq!(o.evidence["screened"]["snapshots"][0]["id"], "wls_1");
        assert!(o.signals.is_empty());
    }

    #[test]
    fn unreviewed_hits_need_action_then_reviews_decide() {
        let mut hits = vec![
            hit("hit_1", "rel_a", "1", "h1"),
            hit("hit_2", SUBJECT, "2", "h2"),
        ];
        let o = outcome(&hits, &screened());
        assert_eq!(o.result, TaskResult::NeedsAction);
        assert_eq!(o.findings.len(), 2);
        assert_eq!(o.findings[0].relationship_id.as_deref(), Some("rel_a"));
        resolve(&mut hits, "hit_1", HitStatus::FalsePositive);
        assert_eq!(outcome(&hits, &screened()).result, TaskResult::NeedsAction);
        resolve(&mut hits, "hit_2", HitStatus::FalsePositive);
        let o = outcome(&hits, &screened());
        assert_eq!(o.result, TaskResult::Clear);
        assert!(o.summary.contains("false positive"), "{}", o.summary);
        resolve(&mut hits, "hit_2", HitStatus::TruePositive);
        let o = outcome(&hits, &screened());
        assert_eq!(o.result, TaskResult::Alert);
        assert_eq!(o.signals, vec![SANCTIONS_CONFIRMED]);
        assert_eq!(o.findings[0].code, "confirmed_match");
        assert_eq!(hits[1].review.as_ref().unwrap().by, "key_1");
    }

    #[test]
    fn a_confirmed_pep_signals_pep_only() {
        let mut hits = vec![hit("hit_1", SUBJECT, "1", "h1")];
        hits[0].entity.topics = vec!["role.pep".into()];
        resolve(&mut hits, "hit_1", HitStatus::TruePositive);
        assert_eq!(outcome(&hits, &screened()).signals, vec![PEP_CONFIRMED]);
        hits[0].entity.topics.push("sanction".into());
        assert_eq!(
            outcome(&hits, &screened()).signals,
            vec![SANCTIONS_CONFIRMED, PEP_CONFIRMED]
        );
    }

    #[test]
    fn reviews_need_a_known_hit_a_resolution_and_a_comment() {
        let mut hits = vec![hit("hit_1", SUBJECT, "1", "h1")];
        let at = jiff::Timestamp::UNIX_EPOCH;
        let r = |hits: &mut [ScreeningHit], id: &str, s: HitStatus, c: &str| {
            review(hits, id, s, c, "api_key", "k", at)
        };
        assert_eq!(
            r(&mut hits, "hit_9", HitStatus::FalsePositive, "x"),
            Err(ReviewError::NotFound)
        );
        assert_eq!(
            r(&mut hits, "hit_1", HitStatus::Unreviewed, "x"),
            Err(ReviewError::BadStatus)
        );
        assert_eq!(
            r(&mut hits, "hit_1", HitStatus::FalsePositive, "  "),
            Err(ReviewError::CommentRequired)
        );
        hits[0].status = HitStatus::Withdrawn;
        assert_eq!(
            r(&mut hits, "hit_1", HitStatus::FalsePositive, "x"),
            Err(ReviewError::Withdrawn)
        );
        assert_eq!(
            HitStatus::parse("true_positive"),
            Some(HitStatus::TruePositive)
        );
        assert_eq!(HitStatus::parse("maybe"), None);
    }

    #[test]
    fn a_false_positive_is_remembered_until_the_entity_changes() {
        let mut hits = vec![hit("hit_1", "rel_a", "1", "h1")];
        resolve(&mut hits, "hit_1", HitStatus::FalsePositive);
        // Same party, same entity, same record: not raised again.
        let raised = merge(
            &mut hits,
            vec![hit("hit_2", "rel_a", "1", "h1")],
            &Scope::Full,
        );
        assert!(raised.is_empty());
        assert_eq!(hits.len(), 1);
        // Another party matching the same entity is a hit of its own.
        let raised = merge(
            &mut hits,
            vec![
                hit("hit_3", "rel_a", "1", "h1"),
                hit("hit_4", "rel_b", "1", "h1"),
            ],
            &Scope::Full,
        );
        assert_eq!(raised, vec!["hit_4"]);
        // The entity's record changed: raised again, the old review stays as history.
        let raised = merge(
            &mut hits,
            vec![
                hit("hit_5", "rel_a", "1", "h2"),
                hit("hit_6", "rel_b", "1", "h1"),
            ],
            &Scope::Full,
        );
        assert_eq!(raised, vec!["hit_5"]);
        assert_eq!(hits[0].status, HitStatus::FalsePositive);
        assert_eq!(hits.last().unwrap().status, HitStatus::Unreviewed);
        // Now the newest hit of the pair decides: unreviewed, so refreshed in place.
        let raised = merge(
            &mut hits,
            vec![
                hit("hit_7", "rel_a", "1", "h2"),
                hit("hit_8", "rel_b", "1", "h1"),
            ],
            &Scope::Full,
        );
        assert!(raised.is_empty());
        assert_eq!(hits.len(), 3);
    }

    #[test]
    fn unreviewed_hits_no_longer_found_are_withdrawn_within_the_scope() {
        let mut hits = vec![
            hit("hit_1", "rel_a", "1", "h1"),
            hit("hit_2", "rel_a", "2", "h2"),
        ];
        let rescreened: HashSet<(String, String)> =
            [("eu_fsf".to_string(), "3".to_string())].into();
        let removed: HashSet<(String, String)> = [("eu_fsf".to_string(), "2".to_string())].into();
        let raised = merge(
            &mut hits,
            vec![hit("hit_3", SUBJECT, "3", "h3")],
            &Scope::Changes {
                rescreened: &rescreened,
                removed: &removed,
            },
        );
        assert_eq!(raised, vec!["hit_3"]);
        assert_eq!(hits[0].status, HitStatus::Unreviewed, "outside the changes");
        assert_eq!(hits[1].status, HitStatus::Withdrawn, "left the list");
        // A full screening that finds nothing withdraws every unreviewed hit.
        merge(&mut hits, vec![], &Scope::Full);
        assert!(hits.iter().all(|h| h.status == HitStatus::Withdrawn));
        assert_eq!(outcome(&hits, &screened()).result, TaskResult::Clear);
    }

    #[test]
    fn the_task_waits_for_the_worker() {
        use crate::workflow::tasks::tests_support::{run_kind, template};
        let f =
            facts(json!({"type": "person", "person": {"first_name": "Sam", "last_name": "Risk"}}));
        let o = run_kind(&Screening, &template(json!({})), &f);
        assert_eq!(o.result, TaskResult::Pending);
        assert!(o.summary.contains("1 party"), "{}", o.summary);
        assert_eq!(Screening.execution(), Execution::Deferred);
    }
}
