//! CEL expressions as a template save compiles them (`Expression::compile`, with the allowed
//! variables and functions and the estimated-cost budget), in the scope the input's first byte picks. What compiles is
//! evaluated the way cases evaluate it, under `cel::with_deadline`; nothing else is run, as in
//! the product.
#![no_main]

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use dossier_domain::workflow::cel::{self, Expression, HelperData, Scope};
use dossier_domain::workflow::{Engine, RiskTables};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

#[path = "cases.rs"]
mod cases;

static ENGINE: LazyLock<Engine> = LazyLock::new(Engine::default);
static CASE: LazyLock<Value> =
    LazyLock::new(|| serde_json::to_value(cases::business_case()).expect("serialises"));

fn scoped(expr: &Expression, scope: Scope) -> Result<bool, String> {
    let case = &*CASE;
    let helpers = HelperData {
        tables: Arc::new(RiskTables::default()),
        today: cases::today(),
        ownership: Arc::new(HashMap::from([("rel_1".to_string(), 30.0)])),
    };
    let mut vars = vec![
        ("application", cel::to_cel(case)),
        ("relationships", cel::to_cel(&case["relationships"])),
        ("documents", cel::to_cel(&json!([]))),
        (
            "tasks",
            cel::to_cel(&json!([{"key": "screening", "result": "clear"}])),
        ),
        ("custom_fields", cel::to_cel(&case["custom_fields"])),
    ];
    match scope {
        Scope::Relationship => vars.push(("relationship", cel::to_cel(&case["relationships"][0]))),
        Scope::Decision => vars.push(("risk", cel::to_cel(&json!({"level": "high", "score": 42})))),
        Scope::Case | Scope::Risk => {}
    }
    expr.eval_bool(&cel::new_context(&helpers, &vars))
}

// The first byte picks the scope: one compilation per input (the CEL parser is the slow part).
fuzz_target!(|data: &[u8]| {
    let Some((&pick, source)) = data.split_first() else {
        return;
    };
    let Ok(source) = std::str::from_utf8(source) else {
        return;
    };
    let scope = [
        Scope::Case,
        Scope::Relationship,
        Scope::Risk,
        Scope::Decision,
    ][usize::from(pick % 4)];
    let Ok(expr) = Expression::compile(source, scope) else {
        return;
    };
    cel::with_deadline(cases::EVALUATION_BUDGET, || match scope {
        // A custom field's condition is evaluated so, against the whole case.
        Scope::Case => {
            let _ = ENGINE.conditions(&[&expr], &CASE, &[], &[], cases::today());
        }
        _ => {
            let _ = scoped(&expr, scope);
        }
    });
});
