//! The details step: the business or the person, and the custom fields the workspace shows in the
//! portal (conditional ones only when their condition holds). Inputs are named as the API names
//! the fields (`business.name`, `custom_fields.account_id`), so the application layer's field
//! errors land beside their inputs.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use dossier_domain::application::SubjectKind;
use dossier_domain::custom_field::{CustomFieldDefinition, FieldType};
use serde_json::{Map, Value, json};

use super::{Visit, next_step, value, values};
use crate::AppState;
use crate::web::Lang;
use crate::web::forms::FieldMessage;

/// One input of the subject: its name under the subject, the catalogue key of its label, its
/// kind and the browser's `autocomplete` token.
pub struct Input {
    pub name: &'static str,
    pub kind: &'static str,
    autocomplete: &'static str,
}

const fn input(name: &'static str, kind: &'static str, autocomplete: &'static str) -> Input {
    Input {
        name,
        kind,
        autocomplete,
    }
}

const BUSINESS: &[Input] = &[
    input("name", "text", "organization"),
    input("registration_number", "text", "off"),
    input("legal_form", "text", "off"),
    input("incorporation_date", "date", "off"),
    input("country", "country", "country"),
    input("industry_code", "text", "off"),
    input("website", "url", "url"),
    input("email", "email", "email"),
    input("phone", "tel", "tel"),
];

const PERSON: &[Input] = &[
    input("first_name", "text", "given-name"),
    input("last_name", "text", "family-name"),
    input("birth_date", "date", "bday"),
    input("nationality", "country", "off"),
    input("country_of_residence", "country", "country"),
    input("email", "email", "email"),
    input("phone", "tel", "tel"),
];

const ADDRESS: &[Input] = &[
    input("line1", "text", "address-line1"),
    input("line2", "text", "address-line2"),
    input("postal_code", "text", "postal-code"),
    input("city", "text", "address-level2"),
    input("region", "text", "address-level1"),
    input("country", "country", "country"),
];

pub fn subject_inputs(kind: SubjectKind) -> (&'static str, &'static [Input]) {
    match kind {
        SubjectKind::Business => ("business", BUSINESS),
        SubjectKind::Person => ("person", PERSON),
    }
}

/// The countries as `{value, label}` options in the page's language, sorted by name as a reader
/// looks for them: accents and case aside (`Égypte` among the E's, `Åland` among the A's).
pub fn countries(state: &AppState, lang: &Lang) -> Vec<Value> {
    let mut list: Vec<(String, &str)> = dossier_domain::country::ISO_3166_ALPHA2
        .iter()
        .map(|c| (country_name(state, lang, c), *c))
        .collect();
    list.sort_by_cached_key(|(label, _)| (sort_key(label), label.clone()));
    list.into_iter()
        .map(|(label, code)| json!({"value": code, "label": label}))
        .collect()
}

/// A country's name in the page's language.
pub fn country_name(state: &AppState, lang: &Lang, code: &str) -> String {
    state.web.t(lang, &format!("country-{code}"), &[])
}

/// A name without its accents, in lower case: what alphabetical order compares first.
fn sort_key(name: &str) -> String {
    dossier_domain::search::fold(name)
}

/// The inputs of a person or a business (also a related party's), with their values and labels:
/// what the `portal/fields.html` template renders.
pub fn subject_fields(
    state: &AppState,
    lang: &Lang,
    prefix: &str,
    inputs: &[Input],
    subject: &Value,
    posted: Option<&[(String, String)]>,
    required: &[&str],
) -> Vec<Value> {
    let mut out = Vec::new();
    let mut push = |name: String, key: &str, input: &Input, current: &Value| {
        let value = match posted {
            Some(fields) => value(fields, &name).unwrap_or_default().to_string(),
            None => current.as_str().unwrap_or_default().to_string(),
        };
        let hint = state
            .web
            .try_t(lang, &format!("field-{key}-hint"), &[])
            .unwrap_or_default();
        out.push(json!({
            "name": name,
            "label": state.web.t(lang, &format!("field-{key}"), &[]),
            "kind": input.kind,
            "autocomplete": input.autocomplete,
            "value": value,
            "hint": hint,
            "required": required.contains(&input.name),
        }));
    };
    for i in inputs {
        push(format!("{prefix}.{}", i.name), i.name, i, &subject[i.name]);
    }
    for i in ADDRESS {
        push(
            format!("{prefix}.address.{}", i.name),
            &format!("address-{}", i.name),
            i,
            &subject["address"][i.name],
        );
    }
    out
}

/// The subject as the form posted it: an object for the API's merge (empty inputs are `null`:
/// cleared), the address nested.
pub fn posted_subject(fields: &[(String, String)], prefix: &str, inputs: &[Input]) -> Value {
    let text = |name: String| match value(fields, &name).map(str::trim) {
        None | Some("") => Value::Null,
        Some(v) => Value::String(v.to_string()),
    };
    let mut subject = Map::new();
    for i in inputs {
        subject.insert(i.name.into(), text(format!("{prefix}.{}", i.name)));
    }
    let mut address = Map::new();
    for i in ADDRESS {
        address.insert(i.name.into(), text(format!("{prefix}.address.{}", i.name)));
    }
    if address.values().any(|v| !v.is_null()) {
        subject.insert("address".into(), Value::Object(address));
    } else {
        subject.insert("address".into(), Value::Null);
    }
    Value::Object(subject)
}

/// A related party's inputs (its kind's, as for a case's subject) and their prefix.
pub fn party_inputs(
    kind: dossier_domain::relationship::PartyKind,
) -> (&'static str, &'static [Input]) {
    match kind {
        dossier_domain::relationship::PartyKind::Person => ("person", PERSON),
        dossier_domain::relationship::PartyKind::Business => ("business", BUSINESS),
    }
}

/// The custom fields shown, with their values (posted, else stored) and options.
pub fn custom_inputs(
    state: &AppState,
    lang: &Lang,
    shown: &[&CustomFieldDefinition],
    stored: &Map<String, Value>,
    posted: Option<&[(String, String)]>,
) -> Vec<Value> {
    shown
        .iter()
        .map(|d| {
            let name = format!("custom_fields.{}", d.api_name);
            let current = stored.get(&d.api_name).cloned().unwrap_or(Value::Null);
            let selected: Vec<String> = match posted {
                Some(fields) => values(fields, &name).into_iter().map(str::to_string).collect(),
                None => match &current {
                    Value::Array(items) => items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
                    Value::Null => Vec::new(),
                    Value::String(s) => vec![s.clone()],
                    other => vec![other.to_string()],
                },
            };
            let (kind, options) = match d.field_type {
                FieldType::Text | FieldType::IndustryCode => ("text", Vec::new()),
                FieldType::Number => ("number", Vec::new()),
                FieldType::Date => ("date", Vec::new()),
                FieldType::Boolean => ("boolean", Vec::new()),
                FieldType::Country => ("country", Vec::new()),
                // The chosen ones first: a long list scrolls, and they stay in sight.
                FieldType::CountryMulti => {
                    let (mut chosen, rest): (Vec<Value>, Vec<Value>) = countries(state, lang)
                        .into_iter()
                        .partition(|c| selected.iter().any(|s| c["value"] == s.as_str()));
                    chosen.extend(rest);
                    ("countries", chosen)
                }
                FieldType::Choice => ("choice", choice_options(d)),
                FieldType::MultiChoice => ("choices", choice_options(d)),
            };
            json!({
                "name": name,
                "label": d.label,
                "hint": d.description.clone().unwrap_or_else(|| if d.field_type == FieldType::IndustryCode {
                    state.web.t(lang, "field-industry_code-hint", &[])
                } else { String::new() }),
                "kind": kind,
                "options": options,
                "value": selected.first().cloned().unwrap_or_default(),
                "selected": selected,
                "checked": selected.first().is_some_and(|v| v == "true"),
                "required": d.required,
            })
        })
        .collect()
}

fn choice_options(d: &CustomFieldDefinition) -> Vec<Value> {
    d.choices
        .iter()
        .map(|c| json!({"value": c, "label": c}))
        .collect()
}

/// A custom field's value as the form gives it, typed for the API (what cannot be typed is sent
/// as written, for the API's validation to name).
pub fn posted_custom(
    fields: &[(String, String)],
    shown: &[&CustomFieldDefinition],
) -> Map<String, Value> {
    let mut out = Map::new();
    for d in shown {
        let name = format!("custom_fields.{}", d.api_name);
        let one = value(fields, &name)
            .map(str::trim)
            .filter(|v| !v.is_empty());
        let v = match d.field_type {
            FieldType::Boolean => Value::Bool(one == Some("true")),
            FieldType::Number => match one {
                None => Value::Null,
                Some(text) => text
                    .replace(',', ".")
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number)
                    .unwrap_or_else(|| Value::String(text.to_string())),
            },
            FieldType::MultiChoice | FieldType::CountryMulti => Value::Array(
                values(fields, &name)
                    .into_iter()
                    .filter(|v| !v.is_empty())
                    .map(|v| Value::String(v.to_string()))
                    .collect(),
            ),
            _ => one
                .map(|v| Value::String(v.to_string()))
                .unwrap_or(Value::Null),
        };
        out.insert(d.api_name.clone(), v);
    }
    out
}

async fn render(
    state: &AppState,
    visit: &Visit,
    status: StatusCode,
    posted: Option<&[(String, String)]>,
    summary: Option<String>,
    errors: Vec<FieldMessage>,
) -> Response {
    let v = &visit.visitor;
    let case = state.app.visitor_case(v).await.ok().flatten();
    let (prefix, inputs) = subject_inputs(v.portal.data.subject_type);
    let subject = case
        .as_ref()
        .map(|c| serde_json::to_value(c).unwrap_or_default()[prefix].clone())
        .unwrap_or(Value::Null);
    let required: &[&str] = match v.portal.data.subject_type {
        SubjectKind::Business => &["name"],
        SubjectKind::Person => &["last_name"],
    };
    let definitions = state
        .app
        .custom_fields(&v.principal)
        .await
        .unwrap_or_default();
    let shown: Vec<&CustomFieldDefinition> = match &case {
        Some(c) => dossier_app::custom_fields::shown_in_portal(&definitions, c),
        None => definitions
            .iter()
            .filter(|d| d.show_in_portal && d.condition.is_none())
            .collect(),
    };
    let stored = case
        .as_ref()
        .map(|c| c.custom_fields.clone())
        .unwrap_or_default();
    visit
        .page(
            state,
            status,
            "portal_details.html",
            "details",
            json!({
                "fields": subject_fields(state, &visit.lang, prefix, inputs, &subject, posted, required),
                "custom": custom_inputs(state, &visit.lang, &shown, &stored, posted),
                "countries": countries(state, &visit.lang),
                "summary": summary,
                "errors": errors,
            }),
        )
        .await
}

pub async fn show(State(state): State<AppState>, visit: Visit) -> Response {
    if let Err(r) = visit.step(&state, "details") {
        return r;
    }
    render(&state, &visit, StatusCode::OK, None, None, Vec::new()).await
}

pub async fn save(State(state): State<AppState>, mut visit: Visit, body: Bytes) -> Response {
    if let Err(r) = visit.step(&state, "details") {
        return r;
    }
    let fields = match visit.form(&state, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let (prefix, inputs) = subject_inputs(visit.visitor.portal.data.subject_type);
    let subject = posted_subject(&fields, prefix, inputs);
    let definitions = state
        .app
        .custom_fields(&visit.visitor.principal)
        .await
        .unwrap_or_default();
    // The fields the form showed: those shown on the case as it is (or, before it exists, those
    // without a condition).
    let case = state.app.visitor_case(&visit.visitor).await.ok().flatten();
    let shown: Vec<&CustomFieldDefinition> = match &case {
        Some(c) => dossier_app::custom_fields::shown_in_portal(&definitions, c),
        None => definitions
            .iter()
            .filter(|d| d.show_in_portal && d.condition.is_none())
            .collect(),
    };
    let custom = posted_custom(&fields, &shown);
    match state
        .app
        .visitor_save_details(&mut visit.visitor, subject, custom)
        .await
    {
        Ok(_) => {
            if let Err(e) = state
                .app
                .visitor_step_done(&mut visit.visitor, "details")
                .await
            {
                return super::refusal(&state, &visit.lang, &e);
            }
            // A condition may now show more fields: stay until every shown one was seen.
            let case = state.app.visitor_case(&visit.visitor).await.ok().flatten();
            let now_shown = case
                .as_ref()
                .map(|c| dossier_app::custom_fields::shown_in_portal(&definitions, c).len())
                .unwrap_or(0);
            if now_shown > shown.len() {
                return Redirect::to("/portal/details").into_response();
            }
            Redirect::to(&next_step(&visit.visitor, "details")).into_response()
        }
        Err(e) => match visit.form_errors(&state, &e) {
            Ok((summary, errors)) => {
                render(
                    &state,
                    &visit,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some(&fields),
                    summary,
                    errors,
                )
                .await
            }
            Err(r) => r,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::sort_key;

    #[test]
    fn names_sort_with_their_accents_aside() {
        let mut names = vec![
            "Zimbabwe",
            "Égypte",
            "Åland",
            "Espagne",
            "équateur",
            "Allemagne",
        ];
        names.sort_by_cached_key(|n| (sort_key(n), n.to_string()));
        assert_eq!(
            names,
            [
                "Åland",
                "Allemagne",
                "Égypte",
                "équateur",
                "Espagne",
                "Zimbabwe"
            ]
        );
    }
}
