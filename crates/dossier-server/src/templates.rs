//! Workflow templates: `/api/templates`. A workspace sees the shipped templates (`kyb_standard`,
//! `kyc_standard`) and its own, which override a shipped one of the same name or add new ones. A
//! template is compiled when it is saved, so a broken CEL expression is a 422 naming its path and never
//! reaches a case. Cases pick up a changed template at their next change.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use dossier_domain::audit::diff;
use dossier_store::{StoredTemplate, now};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::JsonBody;
use crate::workflow;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_templates))
        .routes(routes!(get_template, put_template))
}

/// One entry of the template list.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateSummary {
    pub name: String,
    pub version: u32,
    /// `business` or `person`.
    pub applies_to: String,
    pub description: String,
    /// `default` (shipped with Dossier) or `workspace` (saved through the API).
    pub origin: String,
    pub updated_at: Option<String>,
}

/// Lists the templates the workspace's cases can use.
#[utoipa::path(get, path = "/api/templates", tag = "templates",
    responses((status = 200, description = "`{data: [TemplateSummary]}`", body = [TemplateSummary])))]
async fn list_templates(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Value>> {
    let ws = auth.workspace_id();
    let own = state.store.templates(ws).await?;
    let mut out = Vec::new();
    for stored in &own {
        let t = workflow::compile_stored(ws, stored)?;
        out.push(TemplateSummary {
            name: t.source.name.clone(),
            version: t.source.version,
            applies_to: t.source.applies_to.as_str().into(),
            description: t.source.description.clone(),
            origin: "workspace".into(),
            updated_at: Some(stored.updated_at.clone()),
        });
    }
    for name in workflow::default_names() {
        if own.iter().any(|s| s.name == name) {
            continue;
        }
        let t = workflow::default_template(&name).expect("listed");
        out.push(TemplateSummary {
            name,
            version: t.source.version,
            applies_to: t.source.applies_to.as_str().into(),
            description: t.source.description.clone(),
            origin: "default".into(),
            updated_at: None,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Json(json!({ "data": out, "next_cursor": null })))
}

async fn current(state: &AppState, ws: &str, name: &str) -> ApiResult<Option<Value>> {
    if let Some(stored) = state
        .store
        .templates(ws)
        .await?
        .into_iter()
        .find(|t| t.name == name)
    {
        return serde_json::from_str(&stored.source)
            .map(Some)
            .map_err(|e| ApiError::Internal(format!("stored template {name}: {e}")));
    }
    Ok(workflow::default_template(name)
        .map(|t| serde_json::to_value(&t.source).expect("a template serialises")))
}

/// Reads a template (the workspace's own, else the shipped one) in the format of `docs/workflows.md`.
#[utoipa::path(get, path = "/api/templates/{name}", tag = "templates",
    responses((status = 200, description = "The template", body = Object), (status = 404, body = Problem)))]
async fn get_template(
    State(state): State<AppState>,
    auth: Auth,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    current(&state, auth.workspace_id(), &name)
        .await?
        .map(Json)
        .ok_or(ApiError::NotFound("template"))
}

/// Saves the workspace's version of a template (validated and compiled first: 422 with the path of
/// each problem). The body's `name`, if given, must match the path.
#[utoipa::path(put, path = "/api/templates/{name}", tag = "templates",
    request_body(content = Object, description = "A template, see docs/workflows.md"),
    responses((status = 200, description = "The saved template", body = Object), (status = 422, body = Problem)))]
async fn put_template(
    State(state): State<AppState>,
    auth: Auth,
    Path(name): Path<String>,
    body: JsonBody<Value>,
) -> ApiResult<Response> {
    let valid_name = !name.is_empty()
        && name.len() <= 100
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid_name {
        return Err(ApiError::invalid(
            "name",
            "use 1-100 lower-case letters, digits and underscores",
        ));
    }
    let mut value = body.value;
    let Some(object) = value.as_object_mut() else {
        return Err(ApiError::invalid("body", "a template is a JSON object"));
    };
    match object.get("name") {
        None => {
            object.insert("name".into(), json!(name));
        }
        Some(Value::String(n)) if *n == name => {}
        Some(_) => {
            return Err(ApiError::invalid(
                "name",
                format!("must be `{name}`, the name in the path"),
            ));
        }
    }
    let compiled = workflow::compile(&value)?;
    let source = serde_json::to_value(&compiled.source).expect("a template serialises");
    let before = current(&state, auth.workspace_id(), &name).await?;
    let (ws, actor) = (auth.workspace_id().to_string(), auth.actor());
    state
        .write(&auth, None, async |tx| {
            let stored = StoredTemplate {
                name: name.clone(),
                version: compiled.source.version as i64,
                source: source.to_string(),
                updated_at: now(),
            };
            tx.put_template(&ws, &stored).await?;
            tx.audit(
                &ws,
                &actor,
                "template.saved",
                "template",
                &name,
                None,
                &diff(before.as_ref().unwrap_or(&Value::Null), &source),
            )
            .await?;
            Ok((StatusCode::OK, source.clone()))
        })
        .await
}
