//! The verification engine: templates, tasks, risk matrix, decision policy, effective ownership.
//! Pure: the server hands in the case JSON, its documents and stored tasks, and stores what
//! [`Engine::evaluate`] returns. See `docs/workflows.md`.
//!
//! One evaluation, in order:
//! 1. facts: the case normalised (every known field present), relationships flattened with
//!    effective ownership, documents;
//! 2. expected documents (template requirements whose conditions hold);
//! 3. tasks: activation conditions, then each active task's result (inline kinds are recomputed,
//!    deferred kinds keep their stored result and turn stale when their inputs change);
//! 4. risk, with this evaluation's tasks visible to the rules;
//! 5. tasks whose activation reads `risk` (e.g. enhanced due diligence when the risk is high);
//! 6. `status_execution`, the review requirements (qualified reviewer only, four-eyes) and any
//!    automatic decision of the policy.

pub mod cel;
pub mod documents;
pub mod facts;
pub mod ownership;
pub mod policy;
pub mod risk;
pub mod risk_data;
pub mod status;
pub mod tasks;
pub mod template;

pub use documents::{
    ContentKind, ContentRejection, DocumentCatalogue, DocumentType, check_upload, sniff,
};
pub use facts::{CaseDocument, CaseFacts, DocumentStatus};
pub use policy::{
    Actor, AutomaticDecision, CaseState, Decision, DecisionKind, DecisionOutcome, DecisionRefusal,
    DecisionRequest, PendingApproval, RefusalCode, ReviewRequirements, Role, StatusReview, decide,
    may_decide,
};
pub use risk::{RiskAdjustment, RiskAssessment, RuleContribution, RuleOutcome};
pub use risk_data::{CountryRiskTable, IndustryRiskTable, RiskCategory, RiskTables};
pub use status::{StatusExecution, derive_status};
pub use tasks::{Task, TaskKind, TaskOutcome, TaskRegistry, TaskResult};
pub use template::{
    CompiledTemplate, ExpectedDocument, TemplateError, TemplateErrors, TemplateSource,
};

use self::cel::{HelperData, list_of, new_context, shared_list, shared_value, to_cel};
use self::tasks::{Execution, Finding, TaskInput, fingerprint};
use self::template::{CompiledReservation, CompiledTask};
use ::cel::Context;
use ::cel::common::value::Val;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// The engine: task kinds, risk tables and document catalogue of a workspace.
#[derive(Clone)]
pub struct Engine {
    pub registry: TaskRegistry,
    pub tables: Arc<RiskTables>,
    pub catalogue: DocumentCatalogue,
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new(RiskTables::default(), DocumentCatalogue::default())
    }
}

/// What an evaluation needs besides the case.
#[derive(Debug, Clone, Copy)]
pub struct EvaluationContext<'a> {
    /// For `age_years()`; the caller's clock, so evaluations are reproducible.
    pub today: jiff::civil::Date,
    pub risk_adjustments: &'a [RiskAdjustment],
    /// The workspace's custom field definitions: `data_completeness` checks the `required` ones on
    /// the case and on each related party.
    pub field_definitions: &'a [crate::custom_field::CustomFieldDefinition],
}

/// Everything the server stores after a change of the case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Evaluation {
    pub tasks: Vec<Task>,
    pub risk: RiskAssessment,
    pub status_execution: StatusExecution,
    pub review_requirements: ReviewRequirements,
    /// Set when a policy rule decides the case by itself; apply it while `status_review` is pending.
    pub automatic_decision: Option<AutomaticDecision>,
    pub expected_documents: Vec<ExpectedDocument>,
    /// Policy conditions that could not be evaluated (the safe side was taken).
    pub policy_errors: Vec<String>,
}

impl Evaluation {
    /// Names of active tasks that keep the case from `done`, for messages.
    pub fn open_tasks(&self) -> Vec<String> {
        self.tasks
            .iter()
            .filter(|t| t.is_open())
            .map(|t| format!("{} ({})", t.name, t.result.as_str()))
            .collect()
    }
}

impl Engine {
    pub fn new(tables: RiskTables, catalogue: DocumentCatalogue) -> Self {
        Engine {
            registry: TaskRegistry::default(),
            tables: Arc::new(tables),
            catalogue,
        }
    }

    pub fn compile(&self, source: TemplateSource) -> Result<CompiledTemplate, TemplateErrors> {
        template::compile(source, &self.registry, &self.catalogue)
    }

    /// Parses and compiles a template sent as JSON (`PUT /api/templates/{name}`).
    pub fn compile_json(&self, value: &Value) -> Result<CompiledTemplate, TemplateErrors> {
        self.compile(TemplateSource::from_value(value)?)
    }

    /// `kyb_standard` and `kyc_standard`, compiled.
    pub fn default_templates(&self) -> Result<Vec<CompiledTemplate>, TemplateErrors> {
        template::default_templates()
            .into_iter()
            .map(|s| self.compile(s))
            .collect()
    }

    /// The case as every condition sees it: its facts and a CEL context with `application`,
    /// `custom_fields`, `relationships` and `documents` (the case converted to CEL once), plus the
    /// relationships' values for the per-relationship `relationship` variable.
    fn case_context(
        &self,
        case: &Value,
        documents: &[CaseDocument],
        today: jiff::civil::Date,
    ) -> (CaseFacts, Context<'static, 'static>, Vec<Box<dyn Val>>) {
        let mut facts = CaseFacts::build(case, documents);
        facts.annotate_risk(&self.tables);
        let helpers = HelperData {
            tables: self.tables.clone(),
            today,
            ownership: Arc::new(
                facts
                    .relationships
                    .iter()
                    .map(|r| {
                        (
                            r.id.clone(),
                            r.value["effective_ownership"].as_f64().unwrap_or(0.0),
                        )
                    })
                    .collect::<HashMap<_, _>>(),
            ),
        };
        let mut base = new_context(
            &helpers,
            &[
                ("application", to_cel(&facts.application)),
                ("custom_fields", to_cel(&facts.custom_fields)),
            ],
        );
        let relationship_values: Vec<Box<dyn Val>> = facts
            .relationships
            .iter()
            .map(|r| shared_value(&r.value))
            .collect();
        base.add_variable_as_val("relationships", list_of(relationship_values.clone()));
        let document_values = match facts.documents_json() {
            Value::Array(items) => items,
            _ => Vec::new(),
        };
        base.add_variable_as_val("documents", shared_list(&document_values));
        (facts, base, relationship_values)
    }

    /// Evaluates case-scoped expressions outside a template (a custom field's `condition`), each
    /// against the case as a template's conditions see it, with the case's current tasks.
    pub fn conditions(
        &self,
        expressions: &[&cel::Expression],
        case: &Value,
        documents: &[CaseDocument],
        tasks: &[Task],
        today: jiff::civil::Date,
    ) -> Vec<Result<bool, String>> {
        let (_, base, _) = self.case_context(case, documents, today);
        let mut scope = base.new_inner_scope();
        let tasks: Vec<Value> = tasks.iter().map(Task::fact).collect();
        scope.add_variable_as_val("tasks", shared_list(&tasks));
        expressions.iter().map(|e| e.eval_bool(&scope)).collect()
    }

    pub fn evaluate(
        &self,
        template: &CompiledTemplate,
        case: &Value,
        documents: &[CaseDocument],
        previous_tasks: &[Task],
        ctx: &EvaluationContext<'_>,
    ) -> Evaluation {
        let (facts, base, relationship_values) = self.case_context(case, documents, ctx.today);
        let context_with = |tasks: &[Task], risk: Option<&RiskAssessment>| {
            let mut scope = base.new_inner_scope();
            let tasks: Vec<Value> = tasks.iter().map(Task::fact).collect();
            scope.add_variable_as_val("tasks", shared_list(&tasks));
            if let Some(risk) = risk {
                scope.add_variable_from_value("risk", to_cel(&risk.fact()));
            }
            scope
        };

        // Conditions that run before this evaluation's tasks see the stored ones.
        let before = context_with(previous_tasks, None);
        let expected_documents =
            self.expected_documents(template, &facts, &relationship_values, &before);
        let run = |compiled: &CompiledTask, context: &Context<'_, '_>| {
            run_task(
                compiled,
                context,
                &facts,
                template,
                &expected_documents,
                previous_tasks,
                ctx.field_definitions,
            )
        };
        let mut tasks: Vec<Option<Task>> = template
            .tasks
            .iter()
            .map(|t| (!t.depends_on_risk()).then(|| run(t, &before)))
            .collect();

        let done: Vec<Task> = tasks.iter().flatten().cloned().collect();
        let risk_context = context_with(&done, None);
        let risk = template.risk.evaluate(
            &risk_context,
            ctx.risk_adjustments,
            template.name(),
            template.version(),
        );

        let risk_aware = context_with(&done, Some(&risk));
        for (slot, compiled) in tasks.iter_mut().zip(&template.tasks) {
            if slot.is_none() {
                *slot = Some(run(compiled, &risk_aware));
            }
        }
        let tasks: Vec<Task> = tasks.into_iter().flatten().collect();
        let status_execution = derive_status(&tasks);

        let decision_context = context_with(&tasks, Some(&risk));
        let mut policy_errors = Vec::new();
        let level = template.risk.level_index(&risk.level).unwrap_or(0);
        let level_name = |i: usize| template.risk.levels[i].name.clone();
        let reasons = |reservation: &Option<CompiledReservation>, errors: &mut Vec<String>| {
            let mut reasons = Vec::new();
            if let Some(r) = reservation {
                if let Some(min) = r.min_level
                    && level >= min
                {
                    reasons.push(format!(
                        "risk level {} is at or above {}",
                        risk.level,
                        level_name(min)
                    ));
                }
                if let Some(condition) = &r.condition {
                    match condition.eval_bool(&decision_context) {
                        Ok(true) => {
                            reasons.push(format!("policy condition holds: {}", condition.source))
                        }
                        Ok(false) => {}
                        Err(e) => {
                            errors.push(format!("{}: {e}", condition.source));
                            reasons.push(format!("policy condition could not be evaluated ({e})"));
                        }
                    }
                }
            }
            reasons
        };
        let mut qualified = reasons(&template.policy.qualified_reviewer_only, &mut policy_errors);
        if !risk.errors.is_empty() {
            qualified.push(format!(
                "{} risk rule(s) could not be evaluated",
                risk.errors.len()
            ));
        }
        let four_eyes = reasons(&template.policy.four_eyes, &mut policy_errors);
        let review_requirements = ReviewRequirements {
            qualified_reviewer_only: !qualified.is_empty(),
            qualified_reviewer_reasons: qualified,
            four_eyes: !four_eyes.is_empty(),
            four_eyes_reasons: four_eyes,
        };

        // A rejection may come at any time; an approval only when a person could approve alone.
        let may_auto_approve = status_execution == StatusExecution::Done
            && !review_requirements.qualified_reviewer_only
            && !review_requirements.four_eyes;
        let mut automatic_decision = None;
        for auto in &template.policy.automatic_decisions {
            match auto.condition.eval_bool(&decision_context) {
                Ok(true) if auto.spec.decision == DecisionKind::Rejected || may_auto_approve => {
                    automatic_decision = Some(AutomaticDecision {
                        rule_id: auto.spec.id.clone(),
                        status_review: auto.spec.decision,
                        reason: auto.spec.reason.clone(),
                    });
                    break;
                }
                Ok(_) => {}
                Err(e) => policy_errors.push(format!("automatic decision {}: {e}", auto.spec.id)),
            }
        }

        Evaluation {
            tasks,
            risk,
            status_execution,
            review_requirements,
            automatic_decision,
            expected_documents,
            policy_errors,
        }
    }

    fn expected_documents(
        &self,
        template: &CompiledTemplate,
        facts: &CaseFacts,
        relationship_values: &[Box<dyn Val>],
        context: &Context<'_, '_>,
    ) -> Vec<ExpectedDocument> {
        let subject_name = {
            let subject = &facts.application[facts.case_type()];
            if facts.case_type() == "person" {
                [&subject["first_name"], &subject["last_name"]]
                    .into_iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(" ")
            } else {
                subject["name"]
                    .as_str()
                    .unwrap_or("the company")
                    .to_string()
            }
        };
        let mut out = Vec::new();
        for requirement in &template.documents {
            let spec = &requirement.spec;
            let label = spec.label.clone().unwrap_or_else(|| {
                let names: Vec<String> = spec
                    .types
                    .iter()
                    .map(|t| {
                        self.catalogue
                            .get(t)
                            .map(|d| d.label.clone())
                            .unwrap_or_else(|| t.clone())
                    })
                    .collect();
                names.join(" or ")
            });
            let expect = |relationship_id: Option<String>,
                          subject_name: String,
                          error: Option<String>| ExpectedDocument {
                requirement_id: spec.id.clone(),
                types: spec.types.clone(),
                label: label.clone(),
                relationship_id,
                subject_name,
                condition_error: error,
            };
            if spec.roles.is_empty() {
                match requirement.condition.as_ref().map(|c| c.eval_bool(context)) {
                    None | Some(Ok(true)) => out.push(expect(None, subject_name.clone(), None)),
                    Some(Ok(false)) => {}
                    Some(Err(e)) => out.push(expect(None, subject_name.clone(), Some(e))),
                }
                continue;
            }
            for (rel, value) in facts
                .relationships
                .iter()
                .zip(relationship_values)
                .filter(|(r, _)| spec.roles.iter().any(|role| r.has_role(role)))
            {
                let outcome = requirement.condition.as_ref().map(|c| {
                    let mut scope = context.new_inner_scope();
                    scope.add_variable_as_val("relationship", value.clone());
                    c.eval_bool(&scope)
                });
                match outcome {
                    None | Some(Ok(true)) => {
                        out.push(expect(Some(rel.id.clone()), rel.display_name(), None))
                    }
                    Some(Ok(false)) => {}
                    Some(Err(e)) => {
                        out.push(expect(Some(rel.id.clone()), rel.display_name(), Some(e)))
                    }
                }
            }
        }
        out
    }
}

fn run_task(
    compiled: &CompiledTask,
    context: &Context<'_, '_>,
    facts: &CaseFacts,
    template: &CompiledTemplate,
    expected_documents: &[ExpectedDocument],
    previous_tasks: &[Task],
    field_definitions: &[crate::custom_field::CustomFieldDefinition],
) -> Task {
    let spec = &compiled.spec;
    let kind = &compiled.kind;
    let previous = previous_tasks
        .iter()
        .find(|t| t.key == spec.key && t.kind == spec.kind);
    let input = TaskInput {
        spec,
        facts,
        template: &template.source,
        expected_documents,
        field_definitions,
    };
    let activation = compiled.condition.as_ref().map(|c| c.eval_bool(context));
    let fp = fingerprint(kind.kind(), &spec.config, &kind.inputs(&input));
    let mut task = Task {
        key: spec.key.clone(),
        kind: spec.kind.clone(),
        name: spec.name.clone(),
        active: true,
        result: TaskResult::Pending,
        summary: String::new(),
        findings: Vec::new(),
        evidence: Value::Null,
        signals: Vec::new(),
        fingerprint: fp.clone(),
        result_fingerprint: fp.clone(),
        stale: false,
        clearance: None,
    };
    let apply = |task: &mut Task, outcome: TaskOutcome| {
        task.result = outcome.result;
        task.summary = outcome.summary;
        task.findings = outcome.findings;
        task.evidence = outcome.evidence;
        task.signals = outcome.signals;
    };
    match activation {
        Some(Err(e)) => {
            // Active on the safe side, and failed, so someone fixes the template.
            task.result = TaskResult::Error;
            task.summary = "The activation condition could not be evaluated".into();
            task.findings = vec![Finding::new("activation_error", e)];
            return task;
        }
        Some(Ok(false)) => {
            task.active = false;
            task.summary = "Not applicable to this case".into();
            // A deferred result (a reviewer's work) is kept for when the task applies again.
            if kind.execution() == Execution::Deferred
                && let Some(p) = previous
            {
                let mut kept = p.clone();
                kept.active = false;
                kept.name = spec.name.clone();
                kept.fingerprint = fp.clone();
                kept.stale = kept.result != TaskResult::Pending && kept.result_fingerprint != fp;
                return kept;
            }
            return task;
        }
        None | Some(Ok(true)) => {}
    }
    match (kind.execution(), previous) {
        (Execution::Deferred, Some(p)) if p.result != TaskResult::Pending => {
            let mut kept = p.clone();
            kept.active = true;
            kept.name = spec.name.clone();
            kept.fingerprint = fp.clone();
            kept.stale = kept.result_fingerprint != fp;
            kept
        }
        (execution, previous) => {
            apply(&mut task, kind.run(&input));
            // A reviewer's clearance of an inline task holds while its inputs are unchanged.
            if execution == Execution::Inline
                && let Some(p) = previous
                && let Some(clearance) = &p.clearance
                && p.result_fingerprint == fp
            {
                task.clearance = Some(clearance.clone());
                task.result = TaskResult::Clear;
            }
            task
        }
    }
}

#[cfg(test)]
mod tests;
