//! `GET /cases/{id}/edit`: the subject's profile and the case's custom fields, each section its own
//! form (`POST /cases/{id}/profile`, `POST /cases/{id}/custom-fields`) patching the case through
//! the application layer, which validates and audits the change. The inputs are the portal's, named
//! as the API names the fields, so each field error lands beside its input.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use dossier_domain::application::{Application, ApplicationPatch, SubjectKind};
use dossier_domain::custom_field::{AppliesTo, CustomFieldDefinition};
use serde_json::{Value, json};

use super::{back_to_case, display_name};
use crate::AppState;
use crate::backoffice::Analyst;
use crate::portal::details;

pub async fn show(
    State(state): State<AppState>,
    analyst: Analyst,
    Path(id): Path<String>,
) -> Response {
    if let Err(e) = analyst.staff.principal.require_write() {
        return analyst.refusal(&state, &e);
    }
    render(&state, &analyst, &id, StatusCode::OK, None, json!({})).await
}

/// The workspace's custom fields of a case.
async fn definitions(state: &AppState, analyst: &Analyst) -> Vec<CustomFieldDefinition> {
    state
        .app
        .custom_fields(&analyst.staff.principal)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|d| d.applies_to.contains(&AppliesTo::Application))
        .collect()
}

/// The edit page; `posted` refills the section that was refused, `forms` carries its messages.
async fn render(
    state: &AppState,
    analyst: &Analyst,
    id: &str,
    status: StatusCode,
    posted: Option<(&str, &[(String, String)])>,
    forms: Value,
) -> Response {
    let p = &analyst.staff.principal;
    let app: Application = match state.app.application(p, id).await {
        Ok(app) => app,
        Err(e) => return analyst.refusal(state, &e),
    };
    let lang = &analyst.lang;
    let (prefix, inputs) = details::subject_inputs(app.kind);
    let subject = serde_json::to_value(&app).unwrap_or_default()[prefix].clone();
    let required: &[&str] = match app.kind {
        SubjectKind::Business => &["name"],
        SubjectKind::Person => &["last_name"],
    };
    let of = |section: &str| posted.filter(|(s, _)| *s == section).map(|(_, f)| f);
    let definitions = definitions(state, analyst).await;
    let shown: Vec<&CustomFieldDefinition> = definitions.iter().collect();
    let fields = details::subject_fields(
        state,
        lang,
        prefix,
        inputs,
        &subject,
        of("profile"),
        required,
    );
    let custom = details::custom_inputs(state, lang, &shown, &app.custom_fields, of("custom"));
    analyst.page(
        state,
        status,
        "bo_case_edit.html",
        json!({
            "nav": "cases",
            "name": display_name(&app),
            "case": {"id": app.id, "type": app.kind},
            "fields": fields,
            "custom": custom,
            "countries": details::countries(state, lang),
            "forms": forms,
        }),
    )
}

/// What a refused section shows: the messages, beside their inputs.
fn messages(analyst: &Analyst, state: &AppState, e: &dossier_app::AppError) -> Value {
    let (summary, errors) = analyst.form_errors(state, e);
    json!({"summary": summary, "errors": errors})
}

pub async fn save_profile(
    State(state): State<AppState>,
    analyst: Analyst,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let form = match analyst.form(&state, &body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    let p = &analyst.staff.principal;
    let kind = match state.app.application(p, &id).await {
        Ok(app) => app.kind,
        Err(e) => return analyst.refusal(&state, &e),
    };
    let (prefix, inputs) = details::subject_inputs(kind);
    let subject = details::posted_subject(&form.0, prefix, inputs);
    let patch = match kind {
        SubjectKind::Business => ApplicationPatch {
            business: Some(subject),
            ..Default::default()
        },
        SubjectKind::Person => ApplicationPatch {
            person: Some(subject),
            ..Default::default()
        },
    };
    match state.app.update_application(p, &id, patch).await {
        Ok(_) => back_to_case(&id, "profile", "profile"),
        Err(e @ dossier_app::AppError::Invalid(_)) => {
            render(
                &state,
                &analyst,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(("profile", &form.0)),
                json!({"profile": messages(&analyst, &state, &e)}),
            )
            .await
        }
        Err(e) => analyst.refusal(&state, &e),
    }
}

pub async fn save_custom_fields(
    State(state): State<AppState>,
    analyst: Analyst,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let form = match analyst.form(&state, &body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    let p = &analyst.staff.principal;
    if let Err(e) = state.app.application(p, &id).await {
        return analyst.refusal(&state, &e);
    }
    let definitions = definitions(&state, &analyst).await;
    let shown: Vec<&CustomFieldDefinition> = definitions.iter().collect();
    let patch = ApplicationPatch {
        custom_fields: Some(details::posted_custom(&form.0, &shown)),
        ..Default::default()
    };
    match state.app.update_application(p, &id, patch).await {
        Ok(_) => back_to_case(&id, "custom_fields", "custom-fields"),
        Err(e @ dossier_app::AppError::Invalid(_)) => {
            render(
                &state,
                &analyst,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(("custom", &form.0)),
                json!({"custom": messages(&analyst, &state, &e)}),
            )
            .await
        }
        Err(e) => analyst.refusal(&state, &e),
    }
}
