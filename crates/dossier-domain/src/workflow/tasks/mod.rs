//! Tasks: one verification step each. A kind is one module implementing [`TaskKind`]; adding a
//! kind is writing that module and registering it in [`TaskRegistry`].

mod data_completeness;
mod documents;
mod format_checks;
pub mod formats;
mod manual;
pub mod screening;
mod ubo_identification;

pub use data_completeness::DataCompleteness;
pub use documents::{DocumentsCollected, DocumentsValidated};
pub use format_checks::FormatChecks;
pub use manual::{External, Manual};
pub use screening::Screening;
pub use ubo_identification::UboIdentification;

use super::facts::CaseFacts;
use super::template::{ExpectedDocument, TaskSpec, TemplateSource};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

/// A task's result, as the API shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskResult {
    /// Not run yet, or waiting for someone (a reviewer, an external check).
    Pending,
    Clear,
    /// Ran; something for the reviewer to weigh.
    Consider,
    /// Something is missing or wrong that the client must provide or fix.
    NeedsAction,
    /// A serious finding (e.g. a sanctions match).
    Alert,
    /// The check itself failed (bad rule, unexpected data); needs an operator.
    Error,
}

impl TaskResult {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskResult::Pending => "pending",
            TaskResult::Clear => "clear",
            TaskResult::Consider => "consider",
            TaskResult::NeedsAction => "needs_action",
            TaskResult::Alert => "alert",
            TaskResult::Error => "error",
        }
    }
}

/// One thing a task found, in words a reviewer reads, with where it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Finding {
    /// Stable machine code, e.g. `missing_field`, `undeclared_ubo`.
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship_id: Option<String>,
}

impl Finding {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Finding {
            code: code.into(),
            message: message.into(),
            path: None,
            relationship_id: None,
        }
    }
    pub fn at(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }
    pub fn on(mut self, relationship_id: impl Into<String>) -> Self {
        self.relationship_id = Some(relationship_id.into());
        self
    }
}

/// What running a task produces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TaskOutcome {
    pub result: TaskResult,
    pub summary: String,
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// Kind-specific data backing the result (figures, paths, document ids).
    /// Any JSON: an object or a list depending on the kind, `null` until a run has some.
    #[schema(value_type = Option<serde_json::Value>)]
    #[serde(default)]
    pub evidence: Value,
    /// Facts for risk rules, e.g. `sanctions_confirmed`, `pep_confirmed`, `adverse_media`.
    #[serde(default)]
    pub signals: Vec<String>,
}

impl TaskOutcome {
    pub fn new(result: TaskResult, summary: impl Into<String>) -> Self {
        TaskOutcome {
            result,
            summary: summary.into(),
            findings: Vec::new(),
            evidence: Value::Null,
            signals: Vec::new(),
        }
    }
    pub fn with_findings(mut self, findings: Vec<Finding>) -> Self {
        self.findings = findings;
        self
    }
    pub fn with_evidence(mut self, evidence: Value) -> Self {
        self.evidence = evidence;
        self
    }
}

/// A reviewer's clearance of a task, kept while the task's inputs do not change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Clearance {
    pub by: String,
    pub comment: String,
    #[schema(value_type = String, format = DateTime)]
    #[serde(with = "crate::time::serde")]
    pub at: jiff::Timestamp,
    /// The result the reviewer overrode.
    pub previous_result: TaskResult,
}

/// A task of a case, as stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Task {
    /// The template's task key, unique in the case.
    pub key: String,
    pub kind: String,
    pub name: String,
    /// Whether the activation condition holds; only active tasks gate the decision.
    pub active: bool,
    pub result: TaskResult,
    pub summary: String,
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// Any JSON: an object or a list depending on the kind, `null` until a run has some.
    #[schema(value_type = Option<serde_json::Value>)]
    #[serde(default)]
    pub evidence: Value,
    #[serde(default)]
    pub signals: Vec<String>,
    /// SHA-256 of the task's current inputs.
    pub fingerprint: String,
    /// The fingerprint of the inputs the result was produced for.
    #[serde(default)]
    pub result_fingerprint: String,
    /// The inputs changed since the result was produced and the kind does not rerun by itself.
    #[serde(default)]
    pub stale: bool,
    #[serde(default)]
    pub clearance: Option<Clearance>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskActionError {
    #[error("a comment is required to clear a task")]
    CommentRequired,
    #[error("the task is not active")]
    Inactive,
    #[error("the task is already clear")]
    AlreadyClear,
}

impl Task {
    /// A reviewer clears the task (mandatory comment). The caller audits it.
    pub fn clear(
        &mut self,
        by: &str,
        comment: &str,
        at: jiff::Timestamp,
    ) -> Result<(), TaskActionError> {
        if comment.trim().is_empty() {
            return Err(TaskActionError::CommentRequired);
        }
        if !self.active {
            return Err(TaskActionError::Inactive);
        }
        if self.result == TaskResult::Clear {
            return Err(TaskActionError::AlreadyClear);
        }
        self.clearance = Some(Clearance {
            by: by.into(),
            comment: comment.trim().into(),
            at,
            previous_result: self.result,
        });
        self.result = TaskResult::Clear;
        self.stale = false;
        Ok(())
    }

    /// Records the outcome of an externally run kind (screening worker) for the given inputs.
    pub fn record_outcome(&mut self, outcome: TaskOutcome, fingerprint: String) {
        self.result = outcome.result;
        self.summary = outcome.summary;
        self.findings = outcome.findings;
        self.evidence = outcome.evidence;
        self.signals = outcome.signals;
        self.result_fingerprint = fingerprint.clone();
        self.fingerprint = fingerprint;
        self.stale = false;
        self.clearance = None;
    }

    /// Whether the task keeps its case from being decided: active, and not run yet, waiting for
    /// someone, needing the client, failed, or stale. The tasks inbox lists these.
    pub fn is_open(&self) -> bool {
        self.active
            && (self.stale
                || matches!(
                    self.result,
                    TaskResult::Pending | TaskResult::NeedsAction | TaskResult::Error
                ))
    }

    /// The shape CEL rules see in `tasks`.
    pub fn fact(&self) -> Value {
        json!({
            "key": self.key,
            "kind": self.kind,
            "name": self.name,
            "active": self.active,
            "result": self.result.as_str(),
            "stale": self.stale,
            "signals": self.signals,
            "findings": self.findings.iter().map(|f| f.code.clone()).collect::<Vec<_>>(),
        })
    }
}

/// How a kind's result comes about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Execution {
    /// Cheap and pure: recomputed on every evaluation.
    Inline,
    /// Produced by someone else (a reviewer, a worker): the engine keeps the stored result and
    /// marks it stale when the inputs change.
    Deferred,
}

/// What a task sees when it runs.
pub struct TaskInput<'a> {
    pub spec: &'a TaskSpec,
    pub facts: &'a CaseFacts,
    pub template: &'a TemplateSource,
    pub expected_documents: &'a [ExpectedDocument],
    /// The workspace's custom field definitions.
    pub field_definitions: &'a [crate::custom_field::CustomFieldDefinition],
}

/// One kind of task.
pub trait TaskKind: Send + Sync {
    fn kind(&self) -> &'static str;
    fn execution(&self) -> Execution {
        Execution::Inline
    }
    /// Checks the task's `config` when the template is saved.
    fn check_config(&self, _config: &Value) -> Result<(), String> {
        Ok(())
    }
    /// The data the result depends on (hashed into the fingerprint).
    fn inputs(&self, input: &TaskInput<'_>) -> Value;
    /// Produces the result (for a deferred kind: the initial, pending, one).
    fn run(&self, input: &TaskInput<'_>) -> TaskOutcome;
}

/// The kinds a template may use.
#[derive(Clone)]
pub struct TaskRegistry {
    kinds: BTreeMap<&'static str, Arc<dyn TaskKind>>,
}

impl TaskRegistry {
    pub fn empty() -> Self {
        TaskRegistry {
            kinds: BTreeMap::new(),
        }
    }

    pub fn register(&mut self, kind: Arc<dyn TaskKind>) {
        self.kinds.insert(kind.kind(), kind);
    }

    pub fn get(&self, kind: &str) -> Option<&Arc<dyn TaskKind>> {
        self.kinds.get(kind)
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.kinds.keys().copied().collect()
    }
}

impl Default for TaskRegistry {
    fn default() -> Self {
        let mut registry = TaskRegistry::empty();
        registry.register(Arc::new(DataCompleteness));
        registry.register(Arc::new(DocumentsCollected));
        registry.register(Arc::new(DocumentsValidated));
        registry.register(Arc::new(UboIdentification));
        registry.register(Arc::new(FormatChecks));
        registry.register(Arc::new(Manual));
        registry.register(Arc::new(Screening));
        registry
    }
}

/// SHA-256 over a canonical JSON form (sorted keys), so equal inputs hash equal whatever the
/// key order of the stored JSON. Streamed into the hasher: no intermediate text.
pub fn fingerprint(kind: &str, config: &Value, inputs: &Value) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"{\"config\":");
    write_canonical(config, &mut hasher);
    hasher.update(b",\"inputs\":");
    write_canonical(inputs, &mut hasher);
    hasher.update(b",\"kind\":");
    write_canonical(&Value::String(kind.to_string()), &mut hasher);
    hasher.update(b"}");
    let mut out = String::with_capacity(64);
    for byte in hasher.finalize() {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

struct HashWriter<'a>(&'a mut Sha256);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn write_canonical(value: &Value, out: &mut Sha256) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            // serde_json keeps keys sorted unless a crate turns on `preserve_order`.
            if !entries.is_sorted_by(|a, b| a.0 <= b.0) {
                entries.sort_by(|a, b| a.0.cmp(b.0));
            }
            out.update(b"{");
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.update(b",");
                }
                let _ = serde_json::to_writer(HashWriter(out), key);
                out.update(b":");
                write_canonical(item, out);
            }
            out.update(b"}");
        }
        Value::Array(items) => {
            out.update(b"[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.update(b",");
                }
                write_canonical(item, out);
            }
            out.update(b"]");
        }
        other => {
            let _ = serde_json::to_writer(HashWriter(out), other);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;
    use crate::workflow::facts::CaseDocument;

    /// A business template with the given data spec and one task (spec for the kind under test).
    pub fn template(data: Value) -> TemplateSource {
        TemplateSource::from_value(&json!({
            "name": "t", "applies_to": "business", "data": data,
            "tasks": [{"key": "t", "kind": "x", "name": "T"}],
            "risk": {"rules": []}
        }))
        .unwrap()
    }

    pub fn facts(case: Value) -> CaseFacts {
        CaseFacts::build(&case, &[])
    }

    pub fn facts_with_documents(case: Value, documents: Vec<CaseDocument>) -> CaseFacts {
        CaseFacts::build(&case, &documents)
    }

    pub fn run_kind(
        kind: &dyn TaskKind,
        template: &TemplateSource,
        facts: &CaseFacts,
    ) -> TaskOutcome {
        run_kind_with(kind, template, facts, &[])
    }

    pub fn run_kind_with(
        kind: &dyn TaskKind,
        template: &TemplateSource,
        facts: &CaseFacts,
        expected: &[ExpectedDocument],
    ) -> TaskOutcome {
        kind.run(&TaskInput {
            spec: &template.tasks[0],
            facts,
            template,
            expected_documents: expected,
            field_definitions: &[],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_ignores_key_order_but_not_values() {
        let a: Value = serde_json::from_str(r#"{"x":1,"y":{"b":2,"a":[1,2]}}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"y":{"a":[1,2],"b":2},"x":1}"#).unwrap();
        let c: Value = serde_json::from_str(r#"{"y":{"a":[2,1],"b":2},"x":1}"#).unwrap();
        assert_eq!(
            fingerprint("k", &Value::Null, &a),
            fingerprint("k", &Value::Null, &b)
        );
        assert_ne!(
            fingerprint("k", &Value::Null, &a),
            fingerprint("k", &Value::Null, &c)
        );
        assert_ne!(
            fingerprint("k", &Value::Null, &a),
            fingerprint("j", &Value::Null, &a)
        );
        assert_eq!(fingerprint("k", &Value::Null, &a).len(), 64);
        // The canonical text is what is hashed: check against an independent digest of it.
        let text = r#"{"config":null,"inputs":{"x":1,"y":{"a":[1,2],"b":2}},"kind":"k"}"#;
        let digest = Sha256::digest(text.as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(fingerprint("k", &Value::Null, &b), hex);
    }

    fn task(result: TaskResult) -> Task {
        Task {
            key: "t".into(),
            kind: "manual".into(),
            name: "T".into(),
            active: true,
            result,
            summary: String::new(),
            findings: vec![],
            evidence: Value::Null,
            signals: vec![],
            fingerprint: "f".into(),
            result_fingerprint: "e".into(),
            stale: true,
            clearance: None,
        }
    }

    #[test]
    fn clearing_needs_a_comment_and_an_open_active_task() {
        let at = jiff::Timestamp::UNIX_EPOCH;
        let mut t = task(TaskResult::Consider);
        assert_eq!(
            t.clear("u1", "  ", at),
            Err(TaskActionError::CommentRequired)
        );
        t.clear("u1", "checked the website", at).unwrap();
        assert_eq!(t.result, TaskResult::Clear);
        assert!(!t.stale);
        assert_eq!(
            t.clearance.as_ref().unwrap().previous_result,
            TaskResult::Consider
        );
        assert_eq!(
            t.clear("u1", "again", at),
            Err(TaskActionError::AlreadyClear)
        );
        let mut inactive = task(TaskResult::Pending);
        inactive.active = false;
        assert_eq!(
            inactive.clear("u1", "x", at),
            Err(TaskActionError::Inactive)
        );
    }

    #[test]
    fn task_json_uses_the_documented_words() {
        let t = task(TaskResult::NeedsAction);
        let v = serde_json::to_value(&t).unwrap();
        assert_eq!(v["result"], "needs_action");
        assert_eq!(v["kind"], "manual");
        assert_eq!(t.fact()["result"], "needs_action");
    }
}
