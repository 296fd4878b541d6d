//! Templates: what a case of a given kind must provide, which tasks run, the risk matrix and the
//! decision policy. Stored and exchanged as JSON ([`TemplateSource`]); [`compile`] checks every
//! part — expressions included — and reports each problem with its path, so a broken template is
//! refused when saved and never fails at run time.

use super::cel::{Expression, Scope};
use super::documents::DocumentCatalogue;
use super::facts::{ADDRESS_FIELDS, BUSINESS_FIELDS, PERSON_FIELDS, ROLES};
use super::policy::DecisionKind;
use super::risk::{DEFAULT_LEVELS, RiskMatrix};
use super::tasks::{TaskKind, TaskRegistry};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::Arc;

pub const KYB_STANDARD: &str = include_str!("../../data/templates/kyb_standard.json");
pub const KYC_STANDARD: &str = include_str!("../../data/templates/kyc_standard.json");

pub use crate::application::SubjectKind;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateSource {
    pub name: String,
    #[serde(default = "one")]
    pub version: u32,
    pub applies_to: SubjectKind,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub data: DataSpec,
    #[serde(default)]
    pub documents: Vec<DocumentRequirement>,
    #[serde(default)]
    pub tasks: Vec<TaskSpec>,
    pub risk: RiskSpec,
    #[serde(default)]
    pub policy: PolicySpec,
}

fn one() -> u32 {
    1
}
fn yes() -> bool {
    true
}

/// The data expected from the client (also drives the portal's form).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DataSpec {
    /// Fields of the subject, e.g. `registration_number`, `address.city`.
    #[serde(default)]
    pub subject_fields: Vec<FieldRequirement>,
    /// Workspace custom fields by API name.
    #[serde(default)]
    pub custom_fields: Vec<FieldRequirement>,
    /// Related parties expected, by role.
    #[serde(default)]
    pub relationships: Vec<RoleRequirement>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldRequirement {
    pub field: String,
    #[serde(default = "yes")]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleRequirement {
    pub role: String,
    /// Restricts the role to persons or businesses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// At least this many related parties with the role.
    #[serde(default)]
    pub min: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
    /// Fields each such person must have.
    #[serde(default)]
    pub person_fields: Vec<String>,
    /// Fields each such business must have.
    #[serde(default)]
    pub business_fields: Vec<String>,
}

/// A document the case must carry: on the subject when `roles` is empty, else on every related
/// party with one of the roles. Any of `types` satisfies it (passport or ID card).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentRequirement {
    pub id: String,
    pub types: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// CEL; per relationship it also sees `relationship`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskSpec {
    pub key: String,
    pub kind: String,
    pub name: String,
    /// Activation condition (CEL); absent means always active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    #[schema(value_type = Object)]
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub config: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskSpec {
    pub rules: Vec<RiskRuleSpec>,
    #[serde(default = "default_levels")]
    pub levels: Vec<LevelSpec>,
}

fn default_levels() -> Vec<LevelSpec> {
    DEFAULT_LEVELS
        .iter()
        .map(|(name, min)| LevelSpec {
            name: (*name).into(),
            min_score: *min,
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskRuleSpec {
    pub id: String,
    pub description: String,
    pub condition: String,
    pub weight: i64,
    /// The case is at least at this level when the rule holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<String>,
}

/// A level starts at `min_score`; levels are listed from lowest to highest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelSpec {
    pub name: String,
    pub min_score: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicySpec {
    /// Cases only a qualified reviewer (or admin) may decide.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualified_reviewer_only: Option<Reservation>,
    /// Cases whose approval needs two different approvers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub four_eyes: Option<Reservation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub automatic_decisions: Vec<AutomaticDecisionSpec>,
}

/// Holds when the risk level is at or above `min_level`, or when `condition` holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reservation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_level: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AutomaticDecisionSpec {
    pub id: String,
    pub condition: String,
    pub decision: DecisionKind,
    pub reason: String,
}

/// One problem in a template, with where it is (`risk.rules[3].condition`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TemplateError {
    pub path: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid template: {}", .0.iter().map(|e| format!("{}: {}", e.path, e.message)).collect::<Vec<_>>().join("; "))]
pub struct TemplateErrors(pub Vec<TemplateError>);

impl TemplateSource {
    /// Parses JSON, with the path of a shape error (`risk.rules: invalid type…`).
    pub fn from_json(text: &str) -> Result<Self, TemplateErrors> {
        let mut de = serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            TemplateErrors(vec![TemplateError {
                path: if path == "." { String::new() } else { path },
                message: e.into_inner().to_string(),
            }])
        })
    }

    pub fn from_value(value: &Value) -> Result<Self, TemplateErrors> {
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            TemplateErrors(vec![TemplateError {
                path: if path == "." { String::new() } else { path },
                message: e.into_inner().to_string(),
            }])
        })
    }
}

#[derive(Debug, Clone)]
pub struct CompiledDocumentRequirement {
    pub spec: DocumentRequirement,
    pub condition: Option<Expression>,
}

#[derive(Clone)]
pub struct CompiledTask {
    pub spec: TaskSpec,
    pub condition: Option<Expression>,
    pub kind: Arc<dyn TaskKind>,
}

impl std::fmt::Debug for CompiledTask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledTask")
            .field("spec", &self.spec)
            .field("condition", &self.condition)
            .finish()
    }
}

impl CompiledTask {
    /// Tasks whose condition reads the risk are decided after the risk is scored.
    pub fn depends_on_risk(&self) -> bool {
        self.condition.as_ref().is_some_and(|c| c.uses_risk)
    }
}

#[derive(Debug, Clone)]
pub struct CompiledReservation {
    pub min_level: Option<usize>,
    pub condition: Option<Expression>,
}

#[derive(Debug, Clone)]
pub struct CompiledAutomaticDecision {
    pub spec: AutomaticDecisionSpec,
    pub condition: Expression,
}

#[derive(Debug, Clone)]
pub struct CompiledPolicy {
    pub qualified_reviewer_only: Option<CompiledReservation>,
    pub four_eyes: Option<CompiledReservation>,
    pub automatic_decisions: Vec<CompiledAutomaticDecision>,
}

/// A template ready to evaluate cases.
#[derive(Debug, Clone)]
pub struct CompiledTemplate {
    pub source: TemplateSource,
    pub documents: Vec<CompiledDocumentRequirement>,
    pub tasks: Vec<CompiledTask>,
    pub risk: RiskMatrix,
    pub policy: CompiledPolicy,
}

impl CompiledTemplate {
    pub fn name(&self) -> &str {
        &self.source.name
    }
    pub fn version(&self) -> u32 {
        self.source.version
    }
}

/// A document expected on this case, after conditions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ExpectedDocument {
    pub requirement_id: String,
    pub types: Vec<String>,
    pub label: String,
    /// None for the subject.
    pub relationship_id: Option<String>,
    /// Whose document it is, for messages ("Anne Peeters").
    pub subject_name: String,
    /// When the condition could not be evaluated the document is expected (the safe side) and
    /// the error is shown here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition_error: Option<String>,
}

struct Errors(Vec<TemplateError>);

impl Errors {
    fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(TemplateError {
            path: path.into(),
            message: message.into(),
        });
    }
    fn expr(&mut self, path: String, source: &str, scope: Scope) -> Option<Expression> {
        match Expression::compile(source, scope) {
            Ok(e) => Some(e),
            Err(message) => {
                self.push(path, message);
                None
            }
        }
    }
    fn unique<'a>(&mut self, path: &str, what: &str, ids: impl Iterator<Item = &'a str>) {
        let mut seen = BTreeSet::new();
        for (i, id) in ids.enumerate() {
            if id.trim().is_empty() {
                self.push(format!("{path}[{i}]"), format!("the {what} is empty"));
            } else if !seen.insert(id) {
                self.push(format!("{path}[{i}]"), format!("duplicate {what} {id:?}"));
            }
        }
    }
}

fn known_field(field: &str, fields: &[&str]) -> bool {
    match field.split_once('.') {
        Some(("address", sub)) => fields.contains(&"address") && ADDRESS_FIELDS.contains(&sub),
        Some(_) => false,
        None => fields.contains(&field),
    }
}

fn api_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Checks everything and compiles the expressions; all problems are reported at once.
pub fn compile(
    source: TemplateSource,
    registry: &TaskRegistry,
    catalogue: &DocumentCatalogue,
) -> Result<CompiledTemplate, TemplateErrors> {
    let mut errors = Errors(Vec::new());
    if !api_name(&source.name) {
        errors.push("name", "use lower-case letters, digits and underscores");
    }
    if source.version == 0 {
        errors.push("version", "versions start at 1");
    }

    // Data expected.
    let subject_fields = match source.applies_to {
        SubjectKind::Business => &BUSINESS_FIELDS[..],
        SubjectKind::Person => &PERSON_FIELDS[..],
    };
    for (i, f) in source.data.subject_fields.iter().enumerate() {
        if !known_field(&f.field, subject_fields) {
            errors.push(
                format!("data.subject_fields[{i}].field"),
                format!(
                    "unknown {} field {:?}; known: {}",
                    source.applies_to.as_str(),
                    f.field,
                    subject_fields.join(", ")
                ),
            );
        }
    }
    errors.unique(
        "data.subject_fields",
        "field",
        source.data.subject_fields.iter().map(|f| f.field.as_str()),
    );
    errors.unique(
        "data.custom_fields",
        "field",
        source.data.custom_fields.iter().map(|f| f.field.as_str()),
    );
    for (i, f) in source.data.custom_fields.iter().enumerate() {
        if !api_name(&f.field) {
            errors.push(
                format!("data.custom_fields[{i}].field"),
                "a custom field's API name uses lower-case letters, digits and underscores",
            );
        }
    }
    for (i, r) in source.data.relationships.iter().enumerate() {
        let path = format!("data.relationships[{i}]");
        if !ROLES.contains(&r.role.as_str()) {
            errors.push(
                format!("{path}.role"),
                format!("unknown role {:?}; known: {}", r.role, ROLES.join(", ")),
            );
        }
        if let Some(kind) = &r.kind
            && kind != "person"
            && kind != "business"
        {
            errors.push(format!("{path}.kind"), "kind is person or business");
        }
        if r.max.is_some_and(|max| max < r.min) {
            errors.push(format!("{path}.max"), "max is below min");
        }
        for (j, f) in r.person_fields.iter().enumerate() {
            if !known_field(f, &PERSON_FIELDS) {
                errors.push(
                    format!("{path}.person_fields[{j}]"),
                    format!("unknown person field {f:?}"),
                );
            }
        }
        for (j, f) in r.business_fields.iter().enumerate() {
            if !known_field(f, &BUSINESS_FIELDS) {
                errors.push(
                    format!("{path}.business_fields[{j}]"),
                    format!("unknown business field {f:?}"),
                );
            }
        }
    }

    // Documents expected.
    errors.unique(
        "documents",
        "document requirement id",
        source.documents.iter().map(|d| d.id.as_str()),
    );
    let mut documents = Vec::new();
    for (i, d) in source.documents.iter().enumerate() {
        let path = format!("documents[{i}]");
        if d.types.is_empty() {
            errors.push(format!("{path}.types"), "list at least one document type");
        }
        for (j, t) in d.types.iter().enumerate() {
            match catalogue.get(t) {
                None => errors.push(
                    format!("{path}.types[{j}]"),
                    format!(
                        "unknown document type {t:?}; known: {}",
                        catalogue.names().join(", ")
                    ),
                ),
                // A subject document must be one the subject can have (no passport for a company).
                Some(dt)
                    if d.roles.is_empty()
                        && !dt.subjects.iter().any(|s| s == source.applies_to.as_str()) =>
                {
                    errors.push(
                        format!("{path}.types[{j}]"),
                        format!(
                            "a {} cannot have a {t:?} document",
                            source.applies_to.as_str()
                        ),
                    )
                }
                Some(_) => {}
            }
        }
        for (j, role) in d.roles.iter().enumerate() {
            if !ROLES.contains(&role.as_str()) {
                errors.push(
                    format!("{path}.roles[{j}]"),
                    format!("unknown role {role:?}"),
                );
            }
        }
        let scope = if d.roles.is_empty() {
            Scope::Case
        } else {
            Scope::Relationship
        };
        let condition = d
            .condition
            .as_deref()
            .and_then(|c| errors.expr(format!("{path}.condition"), c, scope));
        documents.push(CompiledDocumentRequirement {
            spec: d.clone(),
            condition,
        });
    }

    // Tasks.
    errors.unique(
        "tasks",
        "task key",
        source.tasks.iter().map(|t| t.key.as_str()),
    );
    let mut tasks = Vec::new();
    for (i, t) in source.tasks.iter().enumerate() {
        let path = format!("tasks[{i}]");
        if t.name.trim().is_empty() {
            errors.push(format!("{path}.name"), "a task needs a name");
        }
        if !api_name(&t.key) {
            errors.push(
                format!("{path}.key"),
                "use lower-case letters, digits and underscores",
            );
        }
        let condition = t
            .condition
            .as_deref()
            .and_then(|c| errors.expr(format!("{path}.condition"), c, Scope::Decision));
        match registry.get(&t.kind) {
            None => errors.push(
                format!("{path}.kind"),
                format!(
                    "unknown task kind {:?}; known: {}",
                    t.kind,
                    registry.names().join(", ")
                ),
            ),
            Some(kind) => {
                if let Err(message) = kind.check_config(&t.config) {
                    errors.push(format!("{path}.config"), message);
                }
                tasks.push(CompiledTask {
                    spec: t.clone(),
                    condition,
                    kind: kind.clone(),
                });
            }
        }
    }

    // Risk matrix.
    let risk = RiskMatrix::compile(&source.risk, &mut |path, message| {
        errors.push(path, message)
    });
    let level_index = |name: &str| source.risk.levels.iter().position(|l| l.name == name);

    // Decision policy.
    let reservation = |path: &str, r: &Option<Reservation>, errors: &mut Errors| {
        r.as_ref().map(|r| {
            let min_level = r.min_level.as_deref().and_then(|level| {
                let found = level_index(level);
                if found.is_none() {
                    errors.push(
                        format!("{path}.min_level"),
                        format!("{level:?} is not one of the risk levels"),
                    );
                }
                found
            });
            if r.min_level.is_none() && r.condition.is_none() {
                errors.push(path.to_string(), "give min_level, condition or both");
            }
            CompiledReservation {
                min_level,
                condition: r
                    .condition
                    .as_deref()
                    .and_then(|c| errors.expr(format!("{path}.condition"), c, Scope::Decision)),
            }
        })
    };
    let qualified_reviewer_only = reservation(
        "policy.qualified_reviewer_only",
        &source.policy.qualified_reviewer_only,
        &mut errors,
    );
    let four_eyes = reservation("policy.four_eyes", &source.policy.four_eyes, &mut errors);
    errors.unique(
        "policy.automatic_decisions",
        "automatic decision id",
        source
            .policy
            .automatic_decisions
            .iter()
            .map(|a| a.id.as_str()),
    );
    let mut automatic_decisions = Vec::new();
    for (i, a) in source.policy.automatic_decisions.iter().enumerate() {
        let path = format!("policy.automatic_decisions[{i}]");
        if a.reason.trim().is_empty() {
            errors.push(
                format!("{path}.reason"),
                "an automatic decision needs a reason",
            );
        }
        if let Some(condition) =
            errors.expr(format!("{path}.condition"), &a.condition, Scope::Decision)
        {
            automatic_decisions.push(CompiledAutomaticDecision {
                spec: a.clone(),
                condition,
            });
        }
    }

    if !errors.0.is_empty() {
        return Err(TemplateErrors(errors.0));
    }
    Ok(CompiledTemplate {
        documents,
        tasks,
        risk: risk.expect("no errors means the matrix compiled"),
        policy: CompiledPolicy {
            qualified_reviewer_only,
            four_eyes,
            automatic_decisions,
        },
        source,
    })
}

/// The templates Dossier ships, parsed.
pub fn default_templates() -> Vec<TemplateSource> {
    [KYB_STANDARD, KYC_STANDARD]
        .into_iter()
        .map(|text| TemplateSource::from_json(text).expect("shipped templates parse"))
        .collect()
}

/// The default template name for a case type.
pub fn default_template_name(case_type: SubjectKind) -> &'static str {
    match case_type {
        SubjectKind::Business => "kyb_standard",
        SubjectKind::Person => "kyc_standard",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn compile_value(value: Value) -> Result<CompiledTemplate, TemplateErrors> {
        let source = TemplateSource::from_value(&value)?;
        compile(
            source,
            &TaskRegistry::default(),
            &DocumentCatalogue::default(),
        )
    }

    fn paths(errors: &TemplateErrors) -> Vec<&str> {
        errors.0.iter().map(|e| e.path.as_str()).collect()
    }

    #[test]
    fn shipped_templates_compile() {
        for source in default_templates() {
            let name = source.name.clone();
            let compiled = compile(
                source,
                &TaskRegistry::default(),
                &DocumentCatalogue::default(),
            )
            .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(compiled.tasks.len() >= 3, "{name}");
            assert!(!compiled.risk.rules.is_empty(), "{name}");
        }
    }

    #[test]
    fn a_broken_shape_names_its_path() {
        let err =
            compile_value(json!({"name": "x", "applies_to": "business", "risk": {"rules": "((("}}))
                .unwrap_err();
        assert_eq!(paths(&err), ["risk.rules"]);
        let err = compile_value(
            json!({"name": "x", "applies_to": "business", "risk": {"rules": []}, "colour": 1}),
        )
        .unwrap_err();
        assert!(err.0[0].message.contains("colour"), "{err}");
    }

    #[test]
    fn every_bad_item_is_reported_with_its_path() {
        let err = compile_value(json!({
            "name": "Bad Name", "applies_to": "business",
            "data": {"subject_fields": [{"field": "nationality"}, {"field": "address.city"}],
                     "relationships": [{"role": "owner", "min": 2, "max": 1}]},
            "documents": [{"id": "d", "types": ["selfie_video"], "condition": "application.type =="},
                          {"id": "p", "types": ["passport"]},
                          {"id": "d", "types": ["passport"], "roles": ["ubo"], "condition": "relationship.kind == 'person'"}],
            "tasks": [{"key": "T t", "kind": "teleport", "name": "T"},
                      {"key": "f", "kind": "format_checks", "name": "F", "config": {"checks": [{"path": "application.business.email", "format": "morse"}]}}],
            "risk": {"rules": [
                {"id": "r", "description": "d", "condition": "country_risk(application.business.country) == 'high'", "weight": 10, "floor": "extreme"},
                {"id": "r", "description": "d", "condition": "(((", "weight": 10}],
                "levels": [{"name": "low", "min_score": 0}, {"name": "high", "min_score": 0}]},
            "policy": {"four_eyes": {"min_level": "severe"}, "qualified_reviewer_only": {},
                       "automatic_decisions": [{"id": "a", "condition": "risk.score >", "decision": "rejected", "reason": ""}]}
        }))
        .unwrap_err();
        let got = paths(&err);
        for expected in [
            "name",
            "data.subject_fields[0].field",
            "data.relationships[0].role",
            "data.relationships[0].max",
            "documents[2]",
            "documents[0].types[0]",
            "documents[1].types[0]",
            "documents[0].condition",
            "tasks[0].kind",
            "tasks[0].key",
            "tasks[1].config",
            "risk.rules[1]",
            "risk.rules[0].floor",
            "risk.rules[1].condition",
            "risk.levels[1].min_score",
            "policy.four_eyes.min_level",
            "policy.qualified_reviewer_only",
            "policy.automatic_decisions[0].reason",
            "policy.automatic_decisions[0].condition",
        ] {
            assert!(got.contains(&expected), "missing {expected} in {got:?}");
        }
        assert!(
            !got.contains(&"data.subject_fields[1].field"),
            "address.city is a business field"
        );
    }

    #[test]
    fn roundtrips_through_json() {
        for source in default_templates() {
            let value = serde_json::to_value(&source).unwrap();
            assert_eq!(TemplateSource::from_value(&value).unwrap(), source);
        }
    }
}
