//! `/settings/templates`: the workflow templates (each with its risk matrix), viewed and edited as
//! JSON text. A refused save shows each error on the line at fault of the text as written: JSON
//! that does not parse at serde_json's line and column, a template the engine refuses at the line
//! of the path it names (see [`super::json_lines`]).

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use dossier_app::AppError;
use serde::Deserialize;
use serde_json::{Value, json};

use super::json_lines::{line_of, value_lines};
use super::{admin_large_form, done, guard, page, segment, short_time};
use crate::AppState;
use crate::backoffice::Analyst;

/// Largest template text accepted from the form.
const TEMPLATE_FORM_LIMIT: usize = 512 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings/templates", get(list))
        .route("/settings/templates/new", get(new))
        .route("/settings/templates/{name}", get(show).post(save))
}

async fn list(
    State(state): State<AppState>,
    analyst: Analyst,
    Query(q): Query<super::Done>,
) -> Response {
    if let Err(r) = guard(&state, &analyst) {
        return r;
    }
    let templates = match state.app.templates(&analyst.staff.principal).await {
        Ok(t) => t,
        Err(e) => return analyst.refusal(&state, &e),
    };
    let rows: Vec<Value> = templates
        .iter()
        .map(|t| {
            json!({
                "name": t.name,
                "version": t.version,
                "applies_to": t.applies_to,
                "description": t.description,
                "origin": t.origin,
                "updated_at": t.updated_at.as_deref().map(short_time),
            })
        })
        .collect();
    page(
        &state,
        &analyst,
        StatusCode::OK,
        "bo_settings_templates.html",
        "templates",
        q.done.as_deref(),
        json!({"templates": rows}),
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    name: Option<String>,
    from: Option<String>,
}

/// `GET /settings/templates/new?name=…&from=…`: the editor of a new template, a copy of `from`.
async fn new(
    State(state): State<AppState>,
    analyst: Analyst,
    Query(q): Query<NewQuery>,
) -> Response {
    if let Err(r) = guard(&state, &analyst) {
        return r;
    }
    let name = q.name.unwrap_or_default().trim().to_string();
    let from = q.from.unwrap_or_default();
    Redirect::to(&format!(
        "/settings/templates/{}?from={}",
        segment(&name),
        segment(&from)
    ))
    .into_response()
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    done: Option<String>,
    from: Option<String>,
}

/// The risk matrix of a template, as the page's tables read it.
fn risk_matrix(template: &Value) -> Value {
    json!({
        "levels": template["risk"]["levels"],
        "rules": template["risk"]["rules"],
    })
}

/// The editor page: `template` is the template shown (the stored one, or a copy), `source` the
/// text in the editor, `problems` the errors by line.
#[allow(clippy::too_many_arguments)]
fn render(
    state: &AppState,
    analyst: &Analyst,
    status: StatusCode,
    name: &str,
    template: Option<&Value>,
    source: &str,
    problems: Vec<Value>,
    done_key: Option<&str>,
) -> Response {
    let summary: Vec<Value> = problems
        .iter()
        .map(|p| {
            let message = match p["line"].as_u64() {
                Some(line) => state.web.t(
                    &analyst.lang,
                    "bo-template-error-at",
                    &[
                        ("line", line.to_string()),
                        (
                            "message",
                            p["message"].as_str().unwrap_or_default().to_string(),
                        ),
                    ],
                ),
                None => p["message"].as_str().unwrap_or_default().to_string(),
            };
            json!({"field": "source", "id": "field-source", "message": message})
        })
        .collect();
    page(
        state,
        analyst,
        status,
        "bo_settings_template.html",
        "templates",
        done_key,
        json!({
            "name": name,
            "template": template,
            "risk": template.map(risk_matrix),
            "source": source,
            "problems": problems,
            "summary_fields": summary,
        }),
    )
}

async fn show(
    State(state): State<AppState>,
    analyst: Analyst,
    Path(name): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Response {
    if let Err(r) = guard(&state, &analyst) {
        return r;
    }
    let p = &analyst.staff.principal;
    let found = match state.app.template(p, &name).await {
        Ok(t) => Some(t),
        Err(AppError::NotFound(_)) => None,
        Err(e) => return analyst.refusal(&state, &e),
    };
    // A new template starts as a copy of another.
    let template = match (found, q.from.as_deref().filter(|f| !f.is_empty())) {
        (Some(t), _) => t,
        (None, Some(from)) => match state.app.template(p, from).await {
            Ok(mut t) => {
                t["name"] = json!(name);
                t["version"] = json!(1);
                t
            }
            Err(e) => return analyst.refusal(&state, &e),
        },
        (None, None) => return analyst.refusal(&state, &AppError::NotFound("template")),
    };
    let source = serde_json::to_string_pretty(&template).unwrap_or_default();
    render(
        &state,
        &analyst,
        StatusCode::OK,
        &name,
        Some(&template),
        &source,
        Vec::new(),
        q.done.as_deref(),
    )
}

/// One problem of the text: where (a line from 1, when known), the line's text and what is wrong.
fn problem(source: &str, line: Option<usize>, path: &str, message: &str) -> Value {
    let text = line
        .and_then(|l| source.lines().nth(l.saturating_sub(1)))
        .map(|t| t.trim().chars().take(200).collect::<String>());
    json!({"line": line, "text": text, "path": path, "message": message})
}

/// `POST /settings/templates/{name}`: the template's JSON text (`source`), validated and saved.
async fn save(
    State(state): State<AppState>,
    analyst: Analyst,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    let form = match admin_large_form(&state, &analyst, &body, TEMPLATE_FORM_LIMIT) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let source = form.get("source").to_string();
    let p = &analyst.staff.principal;
    let stored = state.app.template(p, &name).await.ok();
    let refused = |problems: Vec<Value>| {
        render(
            &state,
            &analyst,
            StatusCode::UNPROCESSABLE_ENTITY,
            &name,
            stored.as_ref(),
            &source,
            problems,
            None,
        )
    };
    let value: Value = match serde_json::from_str(&source) {
        Ok(v) => v,
        Err(e) => {
            let detail = state.web.t(
                &analyst.lang,
                "bo-template-unreadable",
                &[("column", e.column().to_string())],
            );
            let message = format!("{detail} ({e})");
            return refused(vec![problem(&source, Some(e.line()), "", &message)]);
        }
    };
    match state.app.save_template(p, &name, value).await {
        Ok(_) => done(
            &format!("/settings/templates/{}", segment(&name)),
            "template-saved",
        ),
        Err(AppError::Invalid(errors)) => {
            let lines = value_lines(&source);
            let problems = errors
                .iter()
                .map(|fe| {
                    let path = match fe.field.as_str() {
                        "body" => "",
                        // The name in the URL: the text's `name`, if it has one.
                        other => other,
                    };
                    problem(&source, line_of(&lines, path), path, &fe.message)
                })
                .collect();
            refused(problems)
        }
        Err(e) => analyst.refusal(&state, &e),
    }
}
