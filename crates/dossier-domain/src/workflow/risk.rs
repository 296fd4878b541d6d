//! The risk matrix: score = sum of the weights of the rules that hold, plus manual adjustments;
//! level = the highest level whose threshold the score reaches, raised to the highest floor of the
//! rules that hold. A rule that cannot be evaluated counts nothing, is listed as `error` in the
//! explanation, and the assessment says it is incomplete — never a silent zero.

use super::cel::{Expression, Scope};
use super::template::{LevelSpec, RiskRuleSpec, RiskSpec};
use cel::Context;
use serde::{Deserialize, Serialize};

pub const DEFAULT_LEVELS: &[(&str, i64)] = &[("low", 0), ("medium", 30), ("high", 60)];
/// Weights stay in a range where sums of hundreds of rules cannot overflow.
pub const MAX_WEIGHT: i64 = 1_000_000;

#[derive(Debug, Clone)]
pub struct RiskRule {
    pub spec: RiskRuleSpec,
    pub condition: Expression,
    pub floor: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct RiskMatrix {
    pub rules: Vec<RiskRule>,
    pub levels: Vec<LevelSpec>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleOutcome {
    Fired,
    NotFired,
    Error,
}

/// One line of the explanation: a rule (or a manual adjustment) and what it added.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RuleContribution {
    pub rule_id: String,
    pub description: String,
    pub outcome: RuleOutcome,
    pub weight: i64,
    /// What it added to the score (the weight when fired, else 0).
    pub contribution: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A manual adjustment by a user, with its reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RiskAdjustment {
    pub delta: i64,
    pub reason: String,
    pub by: String,
    #[schema(value_type = String, format = DateTime)]
    #[serde(with = "crate::time::serde")]
    pub at: jiff::Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FloorApplied {
    pub level: String,
    pub rule_id: String,
    /// The level the score alone gave.
    pub score_level: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RiskAssessment {
    pub score: i64,
    pub level: String,
    /// Every rule with its outcome, fired ones first, then manual adjustments.
    pub explanation: Vec<RuleContribution>,
    pub floor_applied: Option<FloorApplied>,
    /// Ids of rules that could not be evaluated: the score may be too low.
    pub errors: Vec<String>,
    pub template: String,
    pub template_version: u32,
}

impl RiskAssessment {
    /// What policy conditions see as `risk`.
    pub fn fact(&self) -> serde_json::Value {
        serde_json::json!({
            "score": self.score,
            "level": self.level,
            "errors": self.errors.len(),
            "fired": self.explanation.iter()
                .filter(|c| c.outcome == RuleOutcome::Fired)
                .map(|c| c.rule_id.clone()).collect::<Vec<_>>(),
        })
    }
}

impl RiskMatrix {
    /// Compiles the rules; problems go to `report` with their path. None if any.
    pub fn compile(spec: &RiskSpec, report: &mut dyn FnMut(String, String)) -> Option<RiskMatrix> {
        let mut ok = true;
        let mut fail = |path: String, message: String| {
            ok = false;
            report(path, message);
        };
        if spec.levels.is_empty() {
            fail("risk.levels".into(), "list at least one level".into());
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, level) in spec.levels.iter().enumerate() {
            if level.name.trim().is_empty() || !seen.insert(level.name.as_str()) {
                fail(
                    format!("risk.levels[{i}].name"),
                    "level names are non-empty and unique".into(),
                );
            }
            if i > 0 && level.min_score <= spec.levels[i - 1].min_score {
                fail(
                    format!("risk.levels[{i}].min_score"),
                    "levels go from lowest to highest with increasing min_score".into(),
                );
            }
        }
        let mut ids = std::collections::BTreeSet::new();
        let mut rules = Vec::new();
        for (i, rule) in spec.rules.iter().enumerate() {
            let path = format!("risk.rules[{i}]");
            if rule.id.trim().is_empty() || !ids.insert(rule.id.as_str()) {
                fail(
                    path.clone(),
                    format!("rule ids are non-empty and unique ({:?})", rule.id),
                );
            }
            if rule.weight.abs() > MAX_WEIGHT {
                fail(
                    format!("{path}.weight"),
                    format!("weights stay within ±{MAX_WEIGHT}"),
                );
            }
            let floor = match &rule.floor {
                None => None,
                Some(name) => {
                    let found = spec.levels.iter().position(|l| &l.name == name);
                    if found.is_none() {
                        fail(
                            format!("{path}.floor"),
                            format!("{name:?} is not one of the risk levels"),
                        );
                    }
                    found
                }
            };
            match Expression::compile(&rule.condition, Scope::Risk) {
                Ok(condition) => rules.push(RiskRule {
                    spec: rule.clone(),
                    condition,
                    floor,
                }),
                Err(message) => fail(format!("{path}.condition"), message),
            }
        }
        ok.then(|| RiskMatrix {
            rules,
            levels: spec.levels.clone(),
        })
    }

    /// Index of the level a score reaches (the lowest level below the first threshold).
    pub fn level_for(&self, score: i64) -> usize {
        self.levels
            .iter()
            .rposition(|l| score >= l.min_score)
            .unwrap_or(0)
    }

    pub fn level_index(&self, name: &str) -> Option<usize> {
        self.levels.iter().position(|l| l.name == name)
    }

    pub fn evaluate(
        &self,
        context: &Context<'_, '_>,
        adjustments: &[RiskAdjustment],
        template: &str,
        template_version: u32,
    ) -> RiskAssessment {
        let mut score: i64 = 0;
        let mut fired = Vec::new();
        let mut others = Vec::new();
        let mut errors = Vec::new();
        let mut floor: Option<(usize, &str)> = None;
        for rule in &self.rules {
            let (outcome, error) = match rule.condition.eval_bool(context) {
                Ok(true) => (RuleOutcome::Fired, None),
                Ok(false) => (RuleOutcome::NotFired, None),
                Err(e) => (RuleOutcome::Error, Some(e)),
            };
            let contribution = if outcome == RuleOutcome::Fired {
                rule.spec.weight
            } else {
                0
            };
            score += contribution;
            if outcome == RuleOutcome::Fired
                && let Some(level) = rule.floor
                && floor.is_none_or(|(current, _)| level > current)
            {
                floor = Some((level, &rule.spec.id));
            }
            if outcome == RuleOutcome::Error {
                errors.push(rule.spec.id.clone());
            }
            let line = RuleContribution {
                rule_id: rule.spec.id.clone(),
                description: rule.spec.description.clone(),
                outcome,
                weight: rule.spec.weight,
                contribution,
                floor: rule.spec.floor.clone(),
                error,
            };
            if outcome == RuleOutcome::Fired {
                fired.push(line);
            } else {
                others.push(line);
            }
        }
        // Errors before rules that simply did not hold: they need attention.
        others.sort_by_key(|c| c.outcome != RuleOutcome::Error);
        let mut explanation = fired;
        explanation.extend(others);
        for (i, adj) in adjustments.iter().enumerate() {
            score += adj.delta;
            explanation.push(RuleContribution {
                rule_id: format!("manual_adjustment_{}", i + 1),
                description: format!("Manual adjustment by {}: {}", adj.by, adj.reason),
                outcome: RuleOutcome::Fired,
                weight: adj.delta,
                contribution: adj.delta,
                floor: None,
                error: None,
            });
        }
        let score_level = self.level_for(score);
        let (level, floor_applied) = match floor {
            Some((floor_level, rule_id)) if floor_level > score_level => (
                floor_level,
                Some(FloorApplied {
                    level: self.levels[floor_level].name.clone(),
                    rule_id: rule_id.to_string(),
                    score_level: self.levels[score_level].name.clone(),
                }),
            ),
            _ => (score_level, None),
        };
        RiskAssessment {
            score,
            level: self.levels[level].name.clone(),
            explanation,
            floor_applied,
            errors,
            template: template.to_string(),
            template_version,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::cel::{HelperData, new_context, to_cel};
    use serde_json::json;
    use std::sync::Arc;

    fn matrix(rules: serde_json::Value) -> RiskMatrix {
        let spec: RiskSpec = serde_json::from_value(json!({"rules": rules})).unwrap();
        let mut errs = Vec::new();
        let m = RiskMatrix::compile(&spec, &mut |p, m| errs.push(format!("{p}: {m}")));
        m.unwrap_or_else(|| panic!("{errs:?}"))
    }

    fn ctx(app: serde_json::Value) -> Context<'static, 'static> {
        let helpers = HelperData {
            tables: Arc::new(Default::default()),
            today: jiff::civil::date(2025, 1, 1),
            ownership: Arc::new(Default::default()),
        };
        new_context(
            &helpers,
            &[("application", to_cel(&app)), ("tasks", to_cel(&json!([])))],
        )
    }

    fn rule(id: &str, condition: &str, weight: i64, floor: Option<&str>) -> serde_json::Value {
        json!({"id": id, "description": id, "condition": condition, "weight": weight, "floor": floor})
    }

    #[test]
    fn score_sums_fired_weights_and_levels_follow_thresholds() {
        let m = matrix(json!([
            rule(
                "nationality",
                "country_risk(application.person.nationality) == 'high'",
                40,
                None
            ),
            rule("young", "application.person.age < 25", 25, None),
            rule("never", "false", 100, None),
        ]));
        let a = m.evaluate(
            &ctx(json!({"person": {"nationality": "IR", "age": 20}})),
            &[],
            "t",
            3,
        );
        assert_eq!(a.score, 65);
        assert_eq!(a.level, "high");
        assert_eq!(a.floor_applied, None);
        assert_eq!(a.template_version, 3);
        assert_eq!(a.explanation[0].outcome, RuleOutcome::Fired);
        assert_eq!(
            a.explanation.iter().map(|c| c.contribution).sum::<i64>(),
            65
        );
        let a = m.evaluate(
            &ctx(json!({"person": {"nationality": "FR", "age": 20}})),
            &[],
            "t",
            3,
        );
        assert_eq!((a.score, a.level.as_str()), (25, "low"));
        let a = m.evaluate(
            &ctx(json!({"person": {"nationality": "IR", "age": 30}})),
            &[],
            "t",
            3,
        );
        assert_eq!((a.score, a.level.as_str()), (40, "medium"));
    }

    #[test]
    fn thresholds_are_inclusive() {
        let m = matrix(json!([]));
        assert_eq!(m.level_for(-5), 0);
        assert_eq!(m.level_for(29), 0);
        assert_eq!(m.level_for(30), 1);
        assert_eq!(m.level_for(60), 2);
        assert_eq!(m.level_for(10_000), 2);
    }

    #[test]
    fn floor_raises_the_level_but_not_the_score() {
        let m = matrix(json!([
            rule("sanctions", "true", 5, Some("high")),
            rule("pep", "true", 1, Some("medium")),
        ]));
        let a = m.evaluate(&ctx(json!({})), &[], "t", 1);
        assert_eq!(a.score, 6);
        assert_eq!(a.level, "high");
        let floor = a.floor_applied.unwrap();
        assert_eq!(
            (floor.rule_id.as_str(), floor.score_level.as_str()),
            ("sanctions", "low")
        );
        // A floor below the score's own level changes nothing.
        let m = matrix(json!([
            rule("big", "true", 70, None),
            rule("pep", "true", 0, Some("medium"))
        ]));
        let a = m.evaluate(&ctx(json!({})), &[], "t", 1);
        assert_eq!((a.level.as_str(), a.floor_applied), ("high", None));
    }

    #[test]
    fn an_erroring_rule_is_explained_and_counts_nothing() {
        let m = matrix(json!([
            rule(
                "typo",
                "application.business.countryy == 'IR'",
                50,
                Some("high")
            ),
            rule("ok", "true", 10, None),
        ]));
        let a = m.evaluate(&ctx(json!({"business": {"country": "IR"}})), &[], "t", 1);
        assert_eq!(a.score, 10);
        assert_eq!(a.level, "low");
        assert_eq!(a.errors, vec!["typo".to_string()]);
        let line = a.explanation.iter().find(|c| c.rule_id == "typo").unwrap();
        assert_eq!(line.outcome, RuleOutcome::Error);
        assert!(line.error.as_deref().unwrap().contains("countryy"));
        // A non-boolean result is an error too.
        let m = matrix(json!([rule("num", "1 + 1", 10, None)]));
        assert_eq!(m.evaluate(&ctx(json!({})), &[], "t", 1).errors.len(), 1);
    }

    #[test]
    fn manual_adjustments_add_with_their_reason() {
        let m = matrix(json!([rule("a", "true", 20, None)]));
        let adj = RiskAdjustment {
            delta: 15,
            reason: "negative press".into(),
            by: "usr_1".into(),
            at: jiff::Timestamp::UNIX_EPOCH,
        };
        let a = m.evaluate(&ctx(json!({})), &[adj], "t", 1);
        assert_eq!((a.score, a.level.as_str()), (35, "medium"));
        assert!(
            a.explanation
                .last()
                .unwrap()
                .description
                .contains("negative press")
        );
    }
}
