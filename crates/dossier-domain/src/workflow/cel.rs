//! CEL for conditions and rules: compiling with checks (at template save, never at run time),
//! the variables a case exposes, and the helper functions CEL lacks.
//!
//! Helpers: `country_risk(code)` and `industry_risk(code)` → "high" | "increased" | "standard" |
//! "unknown" (null code); `age_years(date)` → whole years since an ISO date (null for null);
//! `effective_ownership(relationship_id)` → percent (also precomputed on each relationship).

use super::risk_data::RiskTables;
use cel::common::traits::{
    Adder, Comparer, Container, Divider, Indexer, Iterable, Modder, Multiplier, Negator, Sizer,
    Subtractor, Zeroer,
};
use cel::common::types::{CelList, Type};
use cel::common::value::{BuiltinRef, Val};
use cel::objects::Key;
use cel::{Context, Env, ExecutionError, Program};
use serde_json::Value as Json;
use std::cell::Cell;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

/// Longest accepted expression: conditions are one-liners, not programs.
pub const MAX_EXPRESSION_LEN: usize = 4096;

/// Most evaluation steps an expression may take by [`estimated_steps`]: nested loops multiply, and
/// one costly condition would run on every change of every case of its template. At a few hundred
/// nanoseconds a step this is some tens of milliseconds at worst.
pub const MAX_STEPS: u64 = 200_000;

/// The length assumed of a list that comes from the case (relationships, documents, tasks, a
/// field's values) when estimating: a case's own lists are not bounded by the template.
pub const ASSUMED_DATA_LEN: u64 = 100;

static ENV: LazyLock<Arc<Env>> = LazyLock::new(|| Arc::new(Env::stdlib()));

/// The helper functions Dossier adds.
pub const HELPERS: &[&str] = &[
    "country_risk",
    "industry_risk",
    "age_years",
    "effective_ownership",
];

/// Functions and macros of the CEL standard library as the `cel` crate provides them; an
/// expression naming anything else is refused at save time.
const STANDARD_FUNCTIONS: &[&str] = &[
    "size",
    "contains",
    "startsWith",
    "endsWith",
    "matches",
    "string",
    "int",
    "uint",
    "double",
    "bool",
    "bytes",
    "type",
    "dyn",
    "has",
    "all",
    "exists",
    "exists_one",
    "map",
    "filter",
];

/// Type names are identifiers too (`type(x) == int`).
const TYPE_NAMES: &[&str] = &[
    "int",
    "uint",
    "double",
    "string",
    "bool",
    "bytes",
    "list",
    "map",
    "null_type",
    "type",
];

/// Which variables an expression may use depends on where it sits in the template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Task activation, subject documents: the case.
    Case,
    /// Documents expected per relationship role: the case plus `relationship`.
    Relationship,
    /// Risk rules: the case plus this evaluation's task results.
    Risk,
    /// Decision policy and tasks that depend on the risk: also `risk`.
    Decision,
}

impl Scope {
    pub fn variables(self) -> &'static [&'static str] {
        match self {
            Scope::Case | Scope::Risk => &[
                "application",
                "relationships",
                "documents",
                "tasks",
                "custom_fields",
            ],
            Scope::Relationship => &[
                "application",
                "relationships",
                "documents",
                "tasks",
                "custom_fields",
                "relationship",
            ],
            Scope::Decision => &[
                "application",
                "relationships",
                "documents",
                "tasks",
                "custom_fields",
                "risk",
            ],
        }
    }
}

/// A compiled expression with its source, for explanations and for serialising the template back.
#[derive(Clone)]
pub struct Expression {
    pub source: String,
    program: Arc<Program>,
    pub uses_risk: bool,
}

impl std::fmt::Debug for Expression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Expression").field(&self.source).finish()
    }
}

impl Expression {
    /// Parses and checks that only known variables and functions are referenced.
    pub fn compile(source: &str, scope: Scope) -> Result<Expression, String> {
        let trimmed = source.trim();
        if trimmed.is_empty() {
            return Err("the expression is empty".into());
        }
        if trimmed.len() > MAX_EXPRESSION_LEN {
            return Err(format!(
                "the expression is longer than {MAX_EXPRESSION_LEN} characters"
            ));
        }
        let program = ENV
            .compile(trimmed)
            .map_err(|e| format!("CEL syntax error: {}", one_line(&e.to_string())))?;
        let steps = estimated_steps(program.expression());
        if steps > MAX_STEPS {
            return Err(format!(
                "the expression could take {} evaluation steps, more than the {MAX_STEPS} allowed: \
                 loops inside loops multiply (a list from the case counts as {ASSUMED_DATA_LEN} items)",
                if steps == u64::MAX {
                    "unbounded".to_string()
                } else {
                    steps.to_string()
                }
            ));
        }
        let allowed = scope.variables();
        let references = program.references();
        // The crate's reference list counts macro loop variables (`r` in `exists(r, …)`) as
        // variables, so free variables are collected here with their scopes.
        let mut free = std::collections::BTreeSet::new();
        free_variables(program.expression(), &mut Vec::new(), &mut free);
        let unknown_vars: Vec<&str> = free
            .iter()
            .map(String::as_str)
            .filter(|v| !allowed.contains(v) && !TYPE_NAMES.contains(v))
            .collect();
        if !unknown_vars.is_empty() {
            return Err(format!(
                "unknown variable(s) {}; available here: {}",
                unknown_vars.join(", "),
                allowed.join(", ")
            ));
        }
        let mut unknown_functions: Vec<&str> = references
            .functions()
            .into_iter()
            .filter(|f| {
                // Operators are spelled `_+_`, `@in`, `!_`… in the tree.
                f.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                    && !HELPERS.contains(f)
                    && !STANDARD_FUNCTIONS.contains(f)
            })
            .collect();
        unknown_functions.sort_unstable();
        if !unknown_functions.is_empty() {
            return Err(format!(
                "unknown function(s) {}; helpers available: {}",
                unknown_functions.join(", "),
                HELPERS.join(", ")
            ));
        }
        Ok(Expression {
            source: trimmed.to_string(),
            uses_risk: free.contains("risk"),
            program: Arc::new(program),
        })
    }

    /// Evaluates to a boolean; anything else (an error, a non-boolean) is reported, never guessed.
    /// Past the deadline of [`with_deadline`], it is not run and says so.
    pub fn eval_bool(&self, context: &Context<'_, '_>) -> Result<bool, String> {
        if DEADLINE.get().is_some_and(|d| Instant::now() >= d) {
            return Err(format!(
                "not evaluated: this evaluation ran out of its time budget ({} ms)",
                BUDGET.get().as_millis()
            ));
        }
        match self.program.execute(context) {
            Ok(cel::Value::Bool(b)) => Ok(b),
            Ok(other) => Err(format!(
                "the expression gave {} instead of true or false",
                describe(&other)
            )),
            Err(e) => Err(describe_error(&e)),
        }
    }
}

thread_local! {
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
    static BUDGET: Cell<Duration> = const { Cell::new(Duration::ZERO) };
}

/// Runs `f` with a time budget for the expressions it evaluates on this thread: once it is spent,
/// each further expression is an explained error of its rule instead of more work. One expression
/// is not interrupted; [`MAX_STEPS`] bounds it at save.
pub fn with_deadline<R>(budget: Duration, f: impl FnOnce() -> R) -> R {
    let previous = (DEADLINE.get(), BUDGET.get());
    DEADLINE.set(Some(Instant::now() + budget));
    BUDGET.set(budget);
    let result = f();
    DEADLINE.set(previous.0);
    BUDGET.set(previous.1);
    result
}

/// An upper estimate of the steps evaluating `e` takes, saturating at `u64::MAX`.
pub fn estimated_steps(e: &cel::IdedExpr) -> u64 {
    estimate(e).steps
}

/// Steps to evaluate, and the length of the value if it is a list or a map.
struct Estimate {
    steps: u64,
    len: u64,
}

fn estimate(e: &cel::IdedExpr) -> Estimate {
    use cel::common::ast::{EntryExpr, Expr};
    let sum = |parts: &mut dyn Iterator<Item = &cel::IdedExpr>| {
        parts
            .map(estimate)
            .fold(Estimate { steps: 1, len: 0 }, |a, b| Estimate {
                steps: a.steps.saturating_add(b.steps),
                len: a.len.saturating_add(b.len),
            })
    };
    match &e.expr {
        Expr::Unspecified | Expr::Literal(_) => Estimate { steps: 1, len: 0 },
        // A name or a field may hold one of the case's lists.
        Expr::Ident(_) | Expr::Select(_) => {
            let operand = match &e.expr {
                Expr::Select(s) => estimate(&s.operand).steps,
                _ => 0,
            };
            Estimate {
                steps: operand.saturating_add(1),
                len: ASSUMED_DATA_LEN,
            }
        }
        Expr::List(list) => {
            let all = sum(&mut list.elements.iter());
            Estimate {
                steps: all.steps,
                len: list.elements.len() as u64,
            }
        }
        Expr::Map(map) => {
            let mut parts = map.entries.iter().flat_map(|entry| match &entry.expr {
                EntryExpr::MapEntry(m) => vec![&m.key, &m.value],
                EntryExpr::StructField(f) => vec![&f.value],
            });
            Estimate {
                steps: sum(&mut parts).steps,
                len: map.entries.len() as u64,
            }
        }
        Expr::Struct(s) => {
            let mut parts = s.entries.iter().filter_map(|entry| match &entry.expr {
                EntryExpr::StructField(f) => Some(&f.value),
                EntryExpr::MapEntry(_) => None,
            });
            Estimate {
                steps: sum(&mut parts).steps,
                len: 0,
            }
        }
        Expr::Call(call) => {
            let parts: Vec<Estimate> = call
                .target
                .iter()
                .map(|t| &**t)
                .chain(&call.args)
                .map(estimate)
                .collect();
            let steps = parts.iter().fold(1u64, |a, p| a.saturating_add(p.steps));
            // `a + b` of lists is as long as both; other calls give at most their longest input.
            let len = if call.func_name == "_+_" {
                parts.iter().fold(0u64, |a, p| a.saturating_add(p.len))
            } else {
                parts.iter().map(|p| p.len).max().unwrap_or(0)
            };
            Estimate { steps, len }
        }
        Expr::Comprehension(c) => {
            let range = estimate(&c.iter_range);
            let init = estimate(&c.accu_init);
            let per_item = estimate(&c.loop_cond)
                .steps
                .saturating_add(estimate(&c.loop_step).steps);
            let result = estimate(&c.result);
            Estimate {
                steps: range
                    .steps
                    .saturating_add(init.steps)
                    .saturating_add(range.len.saturating_mul(per_item))
                    .saturating_add(result.steps),
                len: range.len,
            }
        }
    }
}

/// Identifiers used but not bound by an enclosing comprehension.
fn free_variables(
    e: &cel::IdedExpr,
    bound: &mut Vec<String>,
    out: &mut std::collections::BTreeSet<String>,
) {
    use cel::common::ast::{EntryExpr, Expr};
    match &e.expr {
        Expr::Unspecified | Expr::Literal(_) => {}
        Expr::Ident(name) => {
            if !name.starts_with('@') && !bound.contains(name) {
                out.insert(name.clone());
            }
        }
        Expr::Call(call) => {
            if let Some(target) = &call.target {
                free_variables(target, bound, out);
            }
            for arg in &call.args {
                free_variables(arg, bound, out);
            }
        }
        Expr::Select(select) => free_variables(&select.operand, bound, out),
        Expr::List(list) => {
            for element in &list.elements {
                free_variables(element, bound, out);
            }
        }
        Expr::Map(map) => {
            for entry in &map.entries {
                if let EntryExpr::MapEntry(m) = &entry.expr {
                    free_variables(&m.key, bound, out);
                    free_variables(&m.value, bound, out);
                }
            }
        }
        Expr::Struct(s) => {
            for entry in &s.entries {
                if let EntryExpr::StructField(f) = &entry.expr {
                    free_variables(&f.value, bound, out);
                }
            }
        }
        Expr::Comprehension(c) => {
            free_variables(&c.iter_range, bound, out);
            free_variables(&c.accu_init, bound, out);
            let depth = bound.len();
            bound.push(c.iter_var.clone());
            bound.extend(c.iter_var2.clone());
            bound.push(c.accu_var.clone());
            free_variables(&c.loop_cond, bound, out);
            free_variables(&c.loop_step, bound, out);
            free_variables(&c.result, bound, out);
            bound.truncate(depth);
        }
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn describe(value: &cel::Value) -> String {
    match value {
        cel::Value::Null => "null".into(),
        cel::Value::Int(i) => format!("the number {i}"),
        cel::Value::UInt(i) => format!("the number {i}"),
        cel::Value::Float(f) => format!("the number {f}"),
        cel::Value::String(s) => format!("the text {s:?}"),
        cel::Value::List(_) => "a list".into(),
        cel::Value::Map(_) => "a map".into(),
        _ => "a value".into(),
    }
}

fn describe_error(e: &ExecutionError) -> String {
    match e {
        ExecutionError::NoSuchKey(key) => format!("no field {key} in the data"),
        other => one_line(&other.to_string()),
    }
}

/// JSON → CEL, with whole numbers as `int` so `x.ownership_percentage >= 25` works whether the
/// number came in as 25 or 25.0.
pub fn to_cel(value: &Json) -> cel::Value {
    match value {
        Json::Null => cel::Value::Null,
        Json::Bool(b) => cel::Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => cel::Value::Int(i),
            None => cel::Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => cel::Value::String(Arc::new(s.clone())),
        Json::Array(items) => cel::Value::List(Arc::new(items.iter().map(to_cel).collect())),
        Json::Object(map) => {
            let map: HashMap<Key, cel::Value> = map
                .iter()
                .map(|(k, v)| (Key::String(Arc::new(k.clone())), to_cel(v)))
                .collect();
            cel::Value::Map(cel::objects::Map { map: Arc::new(map) })
        }
    }
}

/// A list whose elements are shared: the `cel` crate copies a list element on every step of
/// `exists`/`filter`/`map`, and a deep copy of a relationship map per step made list rules the
/// slowest by far. Elements wrapped in [`Shared`] copy as a reference count.
pub fn shared_list(items: &[Json]) -> Box<dyn Val> {
    list_of(items.iter().map(shared_value).collect())
}

/// A list of already converted values.
pub fn list_of(elements: Vec<Box<dyn Val>>) -> Box<dyn Val> {
    Box::new(CelList::from(elements))
}

/// One JSON value converted once; its clones share it.
pub fn shared_value(item: &Json) -> Box<dyn Val> {
    let inner: Box<dyn Val> = to_cel(item).try_into().expect("JSON values convert to CEL");
    Box::new(Shared(Arc::new(inner)))
}

/// A CEL value behind an `Arc`, delegating every operation to it.
#[derive(Debug, Clone)]
pub struct Shared(Arc<Box<dyn Val>>);

impl Val for Shared {
    fn get_type(&self) -> &Type {
        self.0.get_type()
    }
    fn cel_type() -> &'static Type
    where
        Self: Sized,
    {
        unreachable!("a shared value has the type of what it wraps")
    }
    fn as_adder<'b, 'v>(&'b self) -> Option<&'b (dyn Adder + 'v)>
    where
        Self: 'v,
    {
        self.0.as_adder()
    }
    fn as_comparer(&self) -> Option<&dyn Comparer> {
        self.0.as_comparer()
    }
    fn as_container(&self) -> Option<&dyn Container> {
        self.0.as_container()
    }
    fn as_divider<'b, 'v>(&'b self) -> Option<&'b (dyn Divider + 'v)>
    where
        Self: 'v,
    {
        self.0.as_divider()
    }
    fn as_indexer<'b, 'v>(&'b self) -> Option<&'b (dyn Indexer + 'v)>
    where
        Self: 'v,
    {
        self.0.as_indexer()
    }
    fn as_iterable<'b, 'v>(&'b self) -> Option<&'b (dyn Iterable + 'v)>
    where
        Self: 'v,
    {
        self.0.as_iterable()
    }
    fn as_modder<'b, 'v>(&'b self) -> Option<&'b (dyn Modder + 'v)>
    where
        Self: 'v,
    {
        self.0.as_modder()
    }
    fn as_multiplier<'b, 'v>(&'b self) -> Option<&'b (dyn Multiplier + 'v)>
    where
        Self: 'v,
    {
        self.0.as_multiplier()
    }
    fn as_negator<'b, 'v>(&'b self) -> Option<&'b (dyn Negator + 'v)>
    where
        Self: 'v,
    {
        self.0.as_negator()
    }
    fn as_sizer(&self) -> Option<&dyn Sizer> {
        self.0.as_sizer()
    }
    fn as_subtractor<'b, 'v>(&'b self) -> Option<&'b (dyn Subtractor + 'v)>
    where
        Self: 'v,
    {
        self.0.as_subtractor()
    }
    fn as_zeroer(&self) -> Option<&dyn Zeroer> {
        self.0.as_zeroer()
    }
    fn equals(&self, other: &dyn Val) -> bool {
        self.0.equals(other)
    }
    fn clone_as_boxed<'v>(&self) -> Box<dyn Val + 'v>
    where
        Self: 'v,
    {
        Box::new(self.clone())
    }
    fn as_builtin<'b, 'v>(&'b self) -> BuiltinRef<'b, 'v>
    where
        Self: 'v,
    {
        self.0.as_builtin()
    }
}

/// What the helpers need besides their arguments.
#[derive(Clone)]
pub struct HelperData {
    pub tables: Arc<RiskTables>,
    pub today: jiff::civil::Date,
    /// Relationship id → effective ownership in percent.
    pub ownership: Arc<HashMap<String, f64>>,
}

fn optional_text(value: &cel::Value) -> Result<Option<String>, String> {
    match value {
        cel::Value::Null => Ok(None),
        cel::Value::String(s) => Ok(Some(s.to_string())),
        other => Err(format!("expected a text or null, got {}", describe(other))),
    }
}

/// A context with the standard library, Dossier's helpers and the given variables.
pub fn new_context(
    helpers: &HelperData,
    variables: &[(&str, cel::Value)],
) -> Context<'static, 'static> {
    let mut ctx = Context::with_env(ENV.clone());
    let tables = helpers.tables.clone();
    ctx.add_function(
        "country_risk",
        move |code: cel::Value| -> Result<cel::Value, ExecutionError> {
            let code = optional_text(&code)
                .map_err(|e| ExecutionError::function_error("country_risk", e))?;
            Ok(tables.countries.lookup(code.as_deref()).as_str().into())
        },
    )
    .expect("country_risk is not a standard function");
    let tables = helpers.tables.clone();
    ctx.add_function(
        "industry_risk",
        move |code: cel::Value| -> Result<cel::Value, ExecutionError> {
            let code = optional_text(&code)
                .map_err(|e| ExecutionError::function_error("industry_risk", e))?;
            Ok(tables.industries.lookup(code.as_deref()).as_str().into())
        },
    )
    .expect("industry_risk is not a standard function");
    let today = helpers.today;
    ctx.add_function(
        "age_years",
        move |date: cel::Value| -> Result<cel::Value, ExecutionError> {
            let Some(text) =
                optional_text(&date).map_err(|e| ExecutionError::function_error("age_years", e))?
            else {
                return Ok(cel::Value::Null);
            };
            let date: jiff::civil::Date = text.trim().parse().map_err(|_| {
                ExecutionError::function_error(
                    "age_years",
                    format!("{text:?} is not a date (YYYY-MM-DD)"),
                )
            })?;
            Ok(cel::Value::Int(whole_years(date, today)))
        },
    )
    .expect("age_years is not a standard function");
    let ownership = helpers.ownership.clone();
    ctx.add_function(
        "effective_ownership",
        move |id: Arc<String>| -> Result<cel::Value, ExecutionError> {
            ownership
                .get(id.as_str())
                .map(|v| cel::Value::Float(*v))
                .ok_or_else(|| {
                    ExecutionError::function_error(
                        "effective_ownership",
                        format!("no relationship {id}"),
                    )
                })
        },
    )
    .expect("effective_ownership is not a standard function");
    for (name, value) in variables {
        ctx.add_variable_from_value(*name, value.clone());
    }
    ctx
}

/// Completed years between `from` and `today` (negative if `from` is in the future).
pub fn whole_years(from: jiff::civil::Date, today: jiff::civil::Date) -> i64 {
    let mut years = i64::from(today.year()) - i64::from(from.year());
    if (today.month(), today.day()) < (from.month(), from.day()) {
        years -= 1;
    }
    years
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn helpers() -> HelperData {
        HelperData {
            tables: Arc::new(RiskTables::default()),
            today: jiff::civil::date(2025, 6, 30),
            ownership: Arc::new(HashMap::from([("r1".to_string(), 37.5)])),
        }
    }

    fn eval(source: &str, vars: &[(&str, Json)]) -> Result<bool, String> {
        let expr = Expression::compile(source, Scope::Relationship)?;
        let vars: Vec<(&str, cel::Value)> = vars.iter().map(|(k, v)| (*k, to_cel(v))).collect();
        expr.eval_bool(&new_context(&helpers(), &vars))
    }

    #[test]
    fn nested_loops_over_the_budget_are_refused_at_compile() {
        let mut source = "true".to_string();
        for i in 0..8 {
            source = format!("[0,1,2,3,4,5,6,7,8,9].all(v{i}, {source})");
        }
        let err = Expression::compile(&source, Scope::Case).unwrap_err();
        assert!(err.contains("evaluation steps"), "{err}");
        // Loops over the case's lists count as ASSUMED_DATA_LEN items each.
        let three_deep = "relationships.exists(a, relationships.exists(b, \
                          relationships.exists(c, a.id == c.id)))";
        assert!(Expression::compile(three_deep, Scope::Case).is_err());
        // What templates really do stays well inside.
        for ok in [
            "relationships.exists(r, r.roles.exists(x, x == 'ubo') && r.effective_ownership >= 25)",
            "documents.filter(d, d.type == 'passport').map(d, d.id).size() > 0",
            "[0,1,2,3,4,5,6,7,8,9].all(a, [0,1,2,3,4,5,6,7,8,9].all(b, a + b >= 0))",
        ] {
            assert!(Expression::compile(ok, Scope::Case).is_ok(), "{ok}");
        }
    }

    #[test]
    fn the_estimate_follows_list_lengths() {
        let program = ENV.compile("[1,2,3].map(x, x * 2).all(y, y > 0)").unwrap();
        let steps = estimated_steps(program.expression());
        // Two loops of three items, not nine.
        assert!((6..60).contains(&steps), "{steps}");
        let program = ENV
            .compile("[1,2,3].all(x, [1,2,3].all(y, x != y))")
            .unwrap();
        assert!(estimated_steps(program.expression()) >= 9);
    }

    #[test]
    fn past_the_deadline_expressions_are_explained_errors() {
        let expr = Expression::compile("1 == 1", Scope::Case).unwrap();
        let ctx = new_context(&helpers(), &[]);
        assert_eq!(expr.eval_bool(&ctx), Ok(true));
        let inside = with_deadline(Duration::from_secs(60), || expr.eval_bool(&ctx));
        assert_eq!(inside, Ok(true));
        let spent = with_deadline(Duration::ZERO, || expr.eval_bool(&ctx));
        assert!(spent.unwrap_err().contains("time budget"));
        // The budget ends with its scope.
        assert_eq!(expr.eval_bool(&ctx), Ok(true));
    }

    #[test]
    fn helpers_answer_from_the_tables() {
        let app = json!({"business": {"country": "IR", "industry_code": "92.00", "incorporation_date": "2024-07-01"}});
        let vars = [("application", app)];
        assert_eq!(
            eval(
                "country_risk(application.business.country) == 'high'",
                &vars
            ),
            Ok(true)
        );
        assert_eq!(eval("country_risk('SY') == 'increased'", &vars), Ok(true));
        assert_eq!(eval("country_risk(null) == 'unknown'", &vars), Ok(true));
        assert_eq!(
            eval(
                "industry_risk(application.business.industry_code) == 'high'",
                &vars
            ),
            Ok(true)
        );
        assert_eq!(
            eval(
                "age_years(application.business.incorporation_date) < 1",
                &vars
            ),
            Ok(true)
        );
        assert_eq!(eval("effective_ownership('r1') > 37.0", &vars), Ok(true));
    }

    #[test]
    fn macros_and_mixed_numbers_work_over_json() {
        let rels = json!([{"roles": ["ubo"], "ownership_percentage": 25, "effective_ownership": 25.0},
                          {"roles": ["director"], "ownership_percentage": null, "effective_ownership": 0.0}]);
        let vars = [("relationships", rels)];
        assert_eq!(
            eval(
                "relationships.exists(r, 'ubo' in r.roles && r.ownership_percentage >= 25)",
                &vars
            ),
            Ok(true)
        );
        assert_eq!(
            eval(
                "relationships.filter(r, r.effective_ownership >= 25).size() == 1",
                &vars
            ),
            Ok(true)
        );
        assert_eq!(
            eval("relationships.all(r, r.effective_ownership >= 0)", &vars),
            Ok(true)
        );
    }

    #[test]
    fn the_allowed_standard_functions_exist() {
        // Everything in STANDARD_FUNCTIONS must work at run time, or compile() would accept
        // expressions that can only fail.
        let source = "'abc'.startsWith('a') && 'abc'.endsWith('c') && 'abc'.contains('b') \
            && 'abc'.matches('^a.c$') && size('abc') == 3 && int('1') == 1 && uint(1) == 1u \
            && double(1) == 1.0 && string(1) == '1' && bool('true') && bytes('a') == b'a' \
            && type(1) == int && dyn(1) == 1 \
            && has({'a': 1}.a) && [1, 2].all(x, x > 0) && [1, 2].exists(x, x > 1) \
            && [1, 2].exists_one(x, x > 1) && [1, 2].map(x, x * 2) == [2, 4] \
            && [1, 2].filter(x, x > 1) == [2]";
        assert_eq!(eval(source, &[]), Ok(true));
        // `min`/`max` are not in this crate's standard library: refused at save.
        assert!(Expression::compile("min(1, 2) == 1", Scope::Case).is_err());
        assert!(Expression::compile("max(1, 2) == 2", Scope::Case).is_err());
        for f in STANDARD_FUNCTIONS {
            assert!(
                source.contains(&format!("{f}(")),
                "{f} is allowed but not exercised"
            );
        }
    }

    #[test]
    fn shared_lists_behave_like_plain_ones() {
        let rels = json!([{"id": "a", "roles": ["ubo"], "pct": 30, "nested": {"x": [1, 2]}},
                          {"id": "b", "roles": [], "pct": 10.5, "nested": {"x": []}}]);
        let mut ctx = new_context(&helpers(), &[]);
        ctx.add_variable_as_val("relationships", shared_list(rels.as_array().unwrap()));
        for (source, want) in [
            (
                "relationships.exists(r, 'ubo' in r.roles && r.pct >= 25)",
                true,
            ),
            ("relationships.filter(r, r.pct > 5).size() == 2", true),
            ("relationships.map(r, r.id) == ['a', 'b']", true),
            ("size(relationships[0].nested.x) == 2", true),
            ("relationships[0] == relationships[0]", true),
            ("relationships[0] == relationships[1]", false),
            ("relationships.all(r, has(r.nested.x))", true),
            ("'id' in relationships[1]", true),
            (
                "relationships.exists(r, country_risk(r.id) == 'high')",
                false,
            ),
        ] {
            let expr = Expression::compile(source, Scope::Case).unwrap();
            assert_eq!(expr.eval_bool(&ctx), Ok(want), "{source}");
        }
        let expr = Expression::compile("relationships[5].id == 'x'", Scope::Case).unwrap();
        assert!(expr.eval_bool(&ctx).is_err());
    }

    #[test]
    fn broken_or_unknown_expressions_are_refused_at_compile() {
        assert!(
            Expression::compile("(((", Scope::Case)
                .unwrap_err()
                .contains("syntax")
        );
        assert!(Expression::compile("", Scope::Case).is_err());
        let err = Expression::compile("applicaton.type == 'x'", Scope::Case).unwrap_err();
        assert!(err.contains("applicaton"), "{err}");
        let err = Expression::compile("contry_risk('FR') == 'high'", Scope::Case).unwrap_err();
        assert!(err.contains("contry_risk"), "{err}");
        // `relationship` only exists per relationship, `risk` only for decisions.
        assert!(Expression::compile("relationship.kind == 'person'", Scope::Case).is_err());
        assert!(Expression::compile("risk.level == 'high'", Scope::Risk).is_err());
        assert!(
            Expression::compile("risk.level == 'high'", Scope::Decision)
                .unwrap()
                .uses_risk
        );
        // Loop variables are bound inside their macro only.
        assert!(Expression::compile("relationships.exists(r, r.depth > 1)", Scope::Case).is_ok());
        let err = Expression::compile(
            "relationships.exists(r, r.depth > 1) && r.kind == 'x'",
            Scope::Case,
        )
        .unwrap_err();
        assert!(err.contains("variable(s) r"), "{err}");
    }

    #[test]
    fn evaluation_errors_are_reported_not_hidden() {
        let vars = [("application", json!({"business": {"country": null}}))];
        let err = eval("application.business.nope == 1", &vars).unwrap_err();
        assert!(err.contains("nope"), "{err}");
        let err = eval("application.business.country", &vars).unwrap_err();
        assert!(err.contains("null"), "{err}");
        assert!(eval("age_years('yesterday') > 1", &vars).is_err());
        assert!(eval("country_risk(3) == 'high'", &vars).is_err());
    }

    #[test]
    fn whole_years_counts_birthdays() {
        let today = jiff::civil::date(2025, 6, 30);
        assert_eq!(whole_years(jiff::civil::date(2000, 6, 30), today), 25);
        assert_eq!(whole_years(jiff::civil::date(2000, 7, 1), today), 24);
    }
}
