//! Workflow templates: `/api/templates` (see `dossier_app::templates`).

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use dossier_app::templates::TemplateSummary;
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiResult, Problem};
use crate::extract::{JsonBody, respond};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_templates))
        .routes(routes!(get_template, put_template))
}

/// Lists the templates the workspace's cases can use.
#[utoipa::path(get, path = "/api/templates", tag = "templates",
    responses((status = 200, description = "Every template, in one page", body = crate::extract::ListPage<TemplateSummary>)))]
async fn list_templates(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Value>> {
    let out = state.app.templates(&auth).await?;
    Ok(Json(json!({ "data": out, "next_cursor": null })))
}

/// Reads a template (the workspace's own, else the shipped one) in the format of `docs/workflows.md`.
#[utoipa::path(get, path = "/api/templates/{name}", tag = "templates",
    responses((status = 200, description = "The template", body = Object), (status = 404, body = Problem)))]
async fn get_template(
    State(state): State<AppState>,
    auth: Auth,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(state.app.template(&auth, &name).await?))
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
    Ok(respond(
        state.app.save_template(&auth, &name, body.value).await?,
    ))
}
