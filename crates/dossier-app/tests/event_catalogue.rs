//! The event catalogue (`dossier_domain::event`) matches what the code emits: every event type given to
//! `emit(`/`emit_json(`/`emit_version(` in the application, worker and server sources is catalogued, and every
//! catalogued type is emitted somewhere or marked reserved.
//!
//! The event type at an emit site is read from the source: a string literal; a constant
//! (`const NAME: &str = "…"` anywhere in the scanned crates or the store); or a parameter of the
//! enclosing function, resolved to the string literals its callers in the same file pass. Anything
//! else fails the test, so a new emit site cannot slip past the catalogue.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use dossier_domain::event::{EVENT_TYPES, RESERVED};

/// The crates whose sources emit events, and the store (for constants such as `TEST_EVENT`).
const EMITTING: &[&str] = &["dossier-app", "dossier-workers", "dossier-server"];
const CONSTANTS_ONLY: &[&str] = &["dossier-store"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn sources(crates: &[&str]) -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for name in crates {
        rust_files(&root.join(name).join("src"), &mut files);
    }
    files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).unwrap();
            (f, text)
        })
        .collect()
}

/// The text between the `(` at `open` and its matching `)`, split at top-level commas.
fn arguments(text: &str, open: usize) -> Vec<String> {
    let bytes = text.as_bytes();
    assert_eq!(bytes[open], b'(');
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let (mut args, mut current) = (Vec::new(), String::new());
    for &b in &bytes[open..] {
        let c = b as char;
        if in_string {
            current.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                current.push(c);
            }
            '(' | '[' | '{' => {
                depth += 1;
                if depth > 1 {
                    current.push(c);
                }
            }
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    args.push(current.trim().to_string());
                    return args;
                }
                current.push(c);
            }
            ',' if depth == 1 => args.push(std::mem::take(&mut current).trim().to_string()),
            _ => current.push(c),
        }
    }
    panic!("unbalanced call at byte {open}");
}

fn literal(arg: &str) -> Option<String> {
    let s = arg.strip_prefix('"')?.strip_suffix('"')?;
    Some(s.to_string())
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Byte offsets of `name(` where `name` is a whole identifier, with or without a leading `fn `.
fn calls_of(text: &str, name: &str) -> Vec<(usize, bool)> {
    let pattern = format!("{name}(");
    text.match_indices(&pattern)
        .filter(|(at, _)| *at == 0 || !is_ident_byte(text.as_bytes()[at - 1]))
        .map(|(at, _)| (at + name.len(), text[..at].ends_with("fn ")))
        .collect()
}

/// The name of the function whose body holds byte `at`: the nearest `fn name(` before it.
fn enclosing_fn(text: &str, at: usize) -> String {
    let start = text[..at]
        .rfind("fn ")
        .expect("an emit site inside a function")
        + 3;
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

fn constants(files: &[(PathBuf, String)]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (_, text) in files {
        for (at, _) in text.match_indices("const ") {
            let rest = &text[at + 6..];
            let Some((name, value)) = rest.split_once(": &str = ") else {
                continue;
            };
            if !name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
            {
                continue;
            }
            if let Some(end) = value.find(';')
                && let Some(v) = literal(value[..end].trim())
            {
                out.push((name.to_string(), v));
            }
        }
    }
    out
}

/// Every event type the sources emit, with where; panics on an emit site it cannot read.
fn emitted() -> BTreeSet<String> {
    let files = sources(EMITTING);
    let mut all = files.clone();
    all.extend(sources(CONSTANTS_ONLY));
    let constants = constants(&all);
    let mut out = BTreeSet::new();
    let mut sites = 0;
    for (path, text) in &files {
        for method in [".emit(", ".emit_json(", ".emit_version("] {
            for (at, _) in text.match_indices(method) {
                sites += 1;
                let open = at + method.len() - 1;
                let args = arguments(text, open);
                let arg = args.get(1).map(String::as_str).unwrap_or_default();
                let site = format!("{}:{}", path.display(), text[..at].lines().count());
                if let Some(v) = literal(arg) {
                    out.insert(v);
                } else if let Some((_, v)) = constants.iter().find(|(n, _)| n == arg) {
                    out.insert(v.clone());
                } else if arg.chars().all(|c| c.is_ascii_lowercase() || c == '_') && !arg.is_empty()
                {
                    // A parameter: what the enclosing function's callers in this file pass.
                    let function = enclosing_fn(text, at);
                    let mut found = false;
                    for (call, is_definition) in calls_of(text, &function) {
                        if is_definition {
                            continue;
                        }
                        let passed: Vec<String> = arguments(text, call)
                            .iter()
                            .filter_map(|a| literal(a))
                            .collect();
                        assert_eq!(
                            passed.len(),
                            1,
                            "{site}: a call of {function} passes {passed:?}; \
                             expected exactly one string literal (the event type)"
                        );
                        out.extend(passed);
                        found = true;
                    }
                    assert!(found, "{site}: no call of {function} to read `{arg}` from");
                } else {
                    panic!(
                        "{site}: cannot read the event type `{arg}`; use a string literal, a \
                         `const` or a parameter"
                    );
                }
            }
        }
    }
    assert!(
        sites >= 5,
        "only {sites} emit sites found: is the scan broken?"
    );
    out
}

#[test]
fn every_emitted_event_type_is_catalogued_and_every_catalogued_one_emitted_or_reserved() {
    let emitted = emitted();
    let catalogue: BTreeSet<String> = EVENT_TYPES.iter().map(|s| s.to_string()).collect();
    let reserved: BTreeSet<String> = RESERVED.iter().map(|s| s.to_string()).collect();
    let uncatalogued: Vec<_> = emitted.difference(&catalogue).collect();
    assert!(
        uncatalogued.is_empty(),
        "emitted but not in dossier_domain::event::EVENT_TYPES: {uncatalogued:?}"
    );
    assert!(
        reserved.is_subset(&catalogue),
        "reserved types must be catalogued: {:?}",
        reserved.difference(&catalogue).collect::<Vec<_>>()
    );
    let silent: Vec<_> = catalogue
        .difference(&emitted)
        .filter(|t| !reserved.contains(*t))
        .collect();
    assert!(
        silent.is_empty(),
        "catalogued but never emitted (emit them or mark them RESERVED): {silent:?}"
    );
    let reserved_but_emitted: Vec<_> = reserved.intersection(&emitted).collect();
    assert!(
        reserved_but_emitted.is_empty(),
        "emitted, so no longer reserved: {reserved_but_emitted:?}"
    );
}

#[test]
fn the_scanner_reads_literals_constants_and_parameters() {
    let text = r#"
const KIND: &str = "x.const";
async fn record(tx: &mut Tx, action: &str) { tx.emit(ws, action, None, &json!({"a": (1, 2)})).await }
fn user() { record(tx, "x.param").await; record(tx, "x.other").await; }
"#;
    let open = text.find(".emit(").unwrap() + 5;
    let args = arguments(text, open);
    assert_eq!(args.len(), 4, "{args:?}");
    assert_eq!(args[1], "action");
    assert_eq!(enclosing_fn(text, open), "record");
    let calls: Vec<_> = calls_of(text, "record")
        .into_iter()
        .filter(|(_, d)| !d)
        .map(|(at, _)| literal(&arguments(text, at)[1]).unwrap())
        .collect();
    assert_eq!(calls, ["x.param", "x.other"]);
    let files = vec![(PathBuf::from("t.rs"), text.to_string())];
    assert_eq!(
        constants(&files),
        [("KIND".to_string(), "x.const".to_string())]
    );
}
