//! `/settings/custom-fields`: the workspace's custom fields, defining one and changing one (its
//! API name and type stay).

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use dossier_app::AppError;
use dossier_domain::custom_field::{
    AppliesTo, CustomFieldDefinition, CustomFieldPatch, FieldType, NewCustomField,
};
use serde_json::{Value, json};

use super::{Done, admin_form, done, guard, is_form_error, page, segment};
use crate::AppState;
use crate::backoffice::{Analyst, Form};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings/custom-fields", get(list).post(create))
        .route("/settings/custom-fields/{id}", get(show).post(change))
}

const TYPES: [&str; 9] = [
    "text",
    "number",
    "boolean",
    "date",
    "country",
    "choice",
    "multi_choice",
    "country_multi",
    "industry_code",
];

fn row(d: &CustomFieldDefinition) -> Value {
    let mut v = serde_json::to_value(d).unwrap_or_default();
    v["choices_text"] = json!(d.choices.join("\n"));
    v["choices"] = json!(d.choices);
    v["description"] = json!(d.description.as_deref().unwrap_or_default());
    v["condition"] = json!(d.condition.as_deref().unwrap_or_default());
    v
}

/// The choices of a textarea: one a line, blank lines left out.
fn choices(form: &Form) -> Vec<String> {
    form.get("choices")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn applies_to(form: &Form) -> Vec<AppliesTo> {
    form.all("applies_to")
        .iter()
        .filter_map(|a| serde_json::from_value(json!(a)).ok())
        .collect()
}

/// What was typed, to show again beside the errors.
fn typed(form: &Form) -> Value {
    json!({
        "api_name": form.get("api_name"),
        "label": form.get("label"),
        "type": form.get("type"),
        "choices_text": form.get("choices"),
        "required": form.get("required") == "yes",
        "applies_to": form.all("applies_to"),
        "description": form.get("description"),
        "show_in_portal": form.get("show_in_portal") == "yes",
        "condition": form.get("condition"),
    })
}

fn type_options(state: &AppState, analyst: &Analyst) -> Vec<Value> {
    TYPES
        .iter()
        .map(|t| json!({"value": t, "label": state.web.t(&analyst.lang, &format!("bo-cf-type-{t}"), &[])}))
        .collect()
}

async fn render_list(
    state: &AppState,
    analyst: &Analyst,
    status: StatusCode,
    done_key: Option<&str>,
    extra: Value,
) -> Response {
    let fields = match state.app.custom_fields(&analyst.staff.principal).await {
        Ok(f) => f,
        Err(e) => return analyst.refusal(state, &e),
    };
    let mut context = json!({
        "fields": fields.iter().map(row).collect::<Vec<_>>(),
        "types": type_options(state, analyst),
        "new_field": {"api_name": "", "label": "", "type": "text", "choices_text": "",
                      "required": false, "applies_to": ["application"], "description": "",
                      "show_in_portal": false, "condition": ""},
    });
    if let (Value::Object(ctx), Value::Object(extra)) = (&mut context, extra) {
        ctx.extend(extra);
    }
    page(
        state,
        analyst,
        status,
        "bo_settings_fields.html",
        "custom-fields",
        done_key,
        context,
    )
}

async fn list(State(state): State<AppState>, analyst: Analyst, Query(q): Query<Done>) -> Response {
    if let Err(r) = guard(&state, &analyst) {
        return r;
    }
    render_list(
        &state,
        &analyst,
        StatusCode::OK,
        q.done.as_deref(),
        json!({}),
    )
    .await
}

/// `POST /settings/custom-fields`: a new definition.
async fn create(State(state): State<AppState>, analyst: Analyst, body: Bytes) -> Response {
    let form = match admin_form(&state, &analyst, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let result = match serde_json::from_value::<FieldType>(json!(form.get("type"))) {
        Err(_) => Err(AppError::invalid("type", "choose a type")),
        Ok(field_type) => {
            let new = NewCustomField {
                api_name: form.get("api_name").trim().to_string(),
                label: form.get("label").trim().to_string(),
                field_type,
                choices: choices(&form),
                required: form.get("required") == "yes",
                applies_to: Some(applies_to(&form)),
                description: form.opt("description"),
                show_in_portal: form.get("show_in_portal") == "yes",
                condition: form.opt("condition"),
            };
            state
                .app
                .create_custom_field(&analyst.staff.principal, None, new)
                .await
        }
    };
    match result {
        Ok(_) => done("/settings/custom-fields", "field-created"),
        Err(e) if is_form_error(&e) => {
            let (summary, errors) = analyst.form_errors(&state, &e);
            let extra = json!({"summary": summary, "errors": errors, "new_field": typed(&form)});
            render_list(&state, &analyst, crate::error::status_of(&e), None, extra).await
        }
        Err(e) => analyst.refusal(&state, &e),
    }
}

async fn render_field(
    state: &AppState,
    analyst: &Analyst,
    id: &str,
    status: StatusCode,
    done_key: Option<&str>,
    edit: Option<Value>,
    extra: Value,
) -> Response {
    let def = match state.app.custom_field(&analyst.staff.principal, id).await {
        Ok(d) => d,
        Err(e) => return analyst.refusal(state, &e),
    };
    let mut edit = edit.unwrap_or_else(|| row(&def));
    edit["api_name"] = json!(def.api_name);
    edit["type"] = json!(def.field_type);
    let mut context = json!({"field": row(&def), "edit": edit});
    if let (Value::Object(ctx), Value::Object(extra)) = (&mut context, extra) {
        ctx.extend(extra);
    }
    page(
        state,
        analyst,
        status,
        "bo_settings_field.html",
        "custom-fields",
        done_key,
        context,
    )
}

async fn show(
    State(state): State<AppState>,
    analyst: Analyst,
    Path(id): Path<String>,
    Query(q): Query<Done>,
) -> Response {
    if let Err(r) = guard(&state, &analyst) {
        return r;
    }
    render_field(
        &state,
        &analyst,
        &id,
        StatusCode::OK,
        q.done.as_deref(),
        None,
        json!({}),
    )
    .await
}

/// `POST /settings/custom-fields/{id}`: the label, choices, `required`, where it applies, the
/// description, the portal and the condition (an empty description or condition removes it).
async fn change(
    State(state): State<AppState>,
    analyst: Analyst,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let form = match admin_form(&state, &analyst, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let patch = CustomFieldPatch {
        label: Some(form.get("label").trim().to_string()),
        choices: Some(choices(&form)),
        required: Some(form.get("required") == "yes"),
        applies_to: Some(applies_to(&form)),
        description: Some(form.opt("description")),
        show_in_portal: Some(form.get("show_in_portal") == "yes"),
        condition: Some(form.opt("condition")),
    };
    match state
        .app
        .update_custom_field(&analyst.staff.principal, &id, patch)
        .await
    {
        Ok(_) => done(
            &format!("/settings/custom-fields/{}", segment(&id)),
            "field-updated",
        ),
        Err(e) if is_form_error(&e) => {
            let (summary, errors) = analyst.form_errors(&state, &e);
            let extra = json!({"summary": summary, "errors": errors});
            let status = crate::error::status_of(&e);
            render_field(
                &state,
                &analyst,
                &id,
                status,
                None,
                Some(typed(&form)),
                extra,
            )
            .await
        }
        Err(e) => analyst.refusal(&state, &e),
    }
}
