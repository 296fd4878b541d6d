//! The related-parties step of a business: persons and companies with their roles and ownership,
//! companies (holdings) with parties of their own. The person filling in marks themself as the
//! signatory.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use dossier_domain::relationship::{
    NewRelationship, PartyKind, PartyRole, Relationship, RelationshipPatch,
};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::details::{party_inputs, posted_subject, subject_fields};
use super::{Visit, next_step, value, values};
use crate::AppState;
use crate::web::forms::FieldMessage;

const ROLES: [PartyRole; 5] = [
    PartyRole::Ubo,
    PartyRole::Director,
    PartyRole::Shareholder,
    PartyRole::Signatory,
    PartyRole::LegalRepresentative,
];

fn role_name(r: PartyRole) -> String {
    serde_json::to_value(r)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The parties as a flat list in tree order, each with its depth and its owner's name.
fn flatten(parties: &[Relationship], depth: usize, owner: Option<&str>, out: &mut Vec<Value>) {
    for p in parties {
        let name = display_name(p);
        out.push(json!({
            "id": p.id,
            "kind": p.kind,
            "name": name,
            "roles": p.roles.iter().map(|r| role_name(*r)).collect::<Vec<_>>(),
            "ownership": p.ownership_percentage,
            "depth": depth,
            "owner": owner,
        }));
        if p.kind == PartyKind::Business {
            flatten(&p.relationships, depth + 1, Some(&name), out);
        }
    }
}

fn display_name(p: &Relationship) -> String {
    match (&p.person, &p.business) {
        (Some(person), _) => person.full_name(),
        (_, Some(b)) => b.name.clone().unwrap_or_default(),
        _ => String::new(),
    }
}

pub async fn list(State(state): State<AppState>, visit: Visit) -> Response {
    if let Err(r) = visit.step(&state, "relationships") {
        return r;
    }
    let case = match state.app.visitor_case(&visit.visitor).await {
        Ok(Some(c)) => c,
        Ok(None) => return Redirect::to("/portal/details").into_response(),
        Err(e) => return super::refusal(&state, &visit.lang, &e),
    };
    let mut parties = Vec::new();
    flatten(&case.relationships, 0, None, &mut parties);
    let businesses: Vec<Value> = parties
        .iter()
        .filter(|p| p["kind"] == "business")
        .cloned()
        .collect();
    visit
        .page(
            &state,
            StatusCode::OK,
            "portal_relationships.html",
            "relationships",
            json!({"parties": parties, "businesses": businesses,
                   "company": case.business.as_ref().and_then(|b| b.name.clone())}),
        )
        .await
}

pub async fn done(State(state): State<AppState>, mut visit: Visit, body: Bytes) -> Response {
    if let Err(r) = visit.step(&state, "relationships") {
        return r;
    }
    if let Err(r) = visit.form(&state, &body) {
        return r;
    }
    if let Err(e) = state
        .app
        .visitor_step_done(&mut visit.visitor, "relationships")
        .await
    {
        return super::refusal(&state, &visit.lang, &e);
    }
    Redirect::to(&next_step(&visit.visitor, "relationships")).into_response()
}

#[derive(Deserialize)]
pub struct NewQuery {
    kind: Option<String>,
    parent: Option<String>,
}

/// The party form: `party` is the stored party when editing; `posted`, `summary` and `errors` when
/// a post was refused.
#[allow(clippy::too_many_arguments)] // each is one part of the page; a struct would only rename them
async fn form(
    state: &AppState,
    visit: &Visit,
    status: StatusCode,
    kind: PartyKind,
    party: Option<&Relationship>,
    parent: Option<&str>,
    posted: Option<&[(String, String)]>,
    summary: Option<String>,
    errors: Vec<FieldMessage>,
) -> Response {
    let (prefix, inputs) = party_inputs(kind);
    let required: &[&str] = match kind {
        PartyKind::Person => &["last_name"],
        PartyKind::Business => &["name"],
    };
    let subject = party
        .map(|p| serde_json::to_value(p).unwrap_or_default()[prefix].clone())
        .unwrap_or(Value::Null);
    let chosen: Vec<String> = match posted {
        Some(f) => values(f, "roles").into_iter().map(str::to_string).collect(),
        None => party
            .map(|p| p.roles.iter().map(|r| role_name(*r)).collect())
            .unwrap_or_default(),
    };
    let roles: Vec<Value> = ROLES
        .iter()
        .map(|r| {
            let name = role_name(*r);
            json!({"value": name, "label": state.web.t(&visit.lang, &format!("role-{name}"), &[]),
                   "hint": state.web.t(&visit.lang, &format!("role-{name}-hint"), &[]),
                   "checked": chosen.contains(&name)})
        })
        .filter(|r| {
            kind == PartyKind::Person || (r["value"] != "signatory" && r["value"] != "director")
        })
        .collect();
    let ownership = match posted {
        Some(f) => value(f, "ownership_percentage")
            .unwrap_or_default()
            .to_string(),
        None => party
            .and_then(|p| p.ownership_percentage)
            .map(|o| o.to_string())
            .unwrap_or_default(),
    };
    let action = match party {
        Some(p) => format!("/portal/relationships/{}", p.id),
        None => "/portal/relationships/new".to_string(),
    };
    visit
        .page(
            state,
            status,
            "portal_party.html",
            "relationships",
            json!({
                "kind": kind,
                "editing": party.is_some(),
                "party_id": party.map(|p| p.id.clone()),
                "parent": parent,
                "action": action,
                "fields": subject_fields(state, &visit.lang, prefix, inputs, &subject, posted, required),
                "countries": super::details::countries(state, &visit.lang),
                "roles": roles,
                "ownership": ownership,
                "summary": summary,
                "errors": errors,
            }),
        )
        .await
}

fn kind_of(text: Option<&str>) -> PartyKind {
    if text == Some("business") {
        PartyKind::Business
    } else {
        PartyKind::Person
    }
}

pub async fn new_form(
    State(state): State<AppState>,
    visit: Visit,
    Query(q): Query<NewQuery>,
) -> Response {
    if let Err(r) = visit.step(&state, "relationships") {
        return r;
    }
    let kind = kind_of(q.kind.as_deref());
    form(
        &state,
        &visit,
        StatusCode::OK,
        kind,
        None,
        q.parent.as_deref(),
        None,
        None,
        Vec::new(),
    )
    .await
}

/// Roles and ownership as posted; an unreadable percentage is left for the validation to name.
fn posted_roles(
    fields: &[(String, String)],
) -> Result<(Vec<PartyRole>, Option<f64>), dossier_app::AppError> {
    let roles = values(fields, "roles")
        .into_iter()
        .filter_map(|r| serde_json::from_value(Value::String(r.to_string())).ok())
        .collect();
    let ownership = match value(fields, "ownership_percentage").map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(text.replace(',', ".").parse::<f64>().map_err(|_| {
            dossier_app::AppError::invalid(
                "ownership_percentage",
                "must be a number between 0 and 100",
            )
        })?),
    };
    Ok((roles, ownership))
}

/// The subject object without its empty parts (a new party's fields).
fn compact(subject: Value) -> Value {
    match subject {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, compact(v)))
                .collect::<Map<_, _>>(),
        ),
        other => other,
    }
}

pub async fn add(State(state): State<AppState>, visit: Visit, body: Bytes) -> Response {
    if let Err(r) = visit.step(&state, "relationships") {
        return r;
    }
    let fields = match visit.form(&state, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let kind = kind_of(value(&fields, "kind"));
    let parent = value(&fields, "parent")
        .filter(|p| !p.is_empty())
        .map(str::to_string);
    let result = async {
        let (roles, ownership) = posted_roles(&fields)?;
        let (prefix, inputs) = party_inputs(kind);
        let subject = compact(posted_subject(&fields, prefix, inputs));
        let bad = |e: serde_json::Error| dossier_app::AppError::invalid(prefix, e.to_string());
        let new = NewRelationship {
            kind,
            roles,
            ownership_percentage: ownership,
            person: if kind == PartyKind::Person {
                Some(serde_json::from_value(subject.clone()).map_err(bad)?)
            } else {
                None
            },
            business: if kind == PartyKind::Business {
                Some(serde_json::from_value(subject).map_err(bad)?)
            } else {
                None
            },
            custom_fields: Map::new(),
            relationships: Vec::new(),
        };
        state
            .app
            .visitor_add_party(&visit.visitor, parent.as_deref(), new)
            .await
    }
    .await;
    match result {
        Ok(()) => Redirect::to("/portal/relationships").into_response(),
        Err(e) => match visit.form_errors(&state, &e) {
            Ok((summary, errors)) => {
                let errors = strip_index(errors);
                form(
                    &state,
                    &visit,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    kind,
                    None,
                    parent.as_deref(),
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

/// The application layer names a party's fields by their place in the case
/// (`relationships[2].person.last_name`); the form names them from the party (`person.last_name`).
fn strip_index(errors: Vec<FieldMessage>) -> Vec<FieldMessage> {
    errors
        .into_iter()
        .map(|mut e| {
            if let Some(rest) = e.field.rsplit_once("].").map(|(_, r)| r.to_string()) {
                e.field = rest;
                e.id = crate::web::forms::field_id(&e.field);
            }
            e
        })
        .collect()
}

async fn find_party(state: &AppState, visit: &Visit, rid: &str) -> Result<Relationship, Response> {
    match state.app.visitor_case(&visit.visitor).await {
        Ok(Some(case)) => dossier_domain::relationship::find(&case.relationships, rid)
            .cloned()
            .ok_or_else(|| {
                super::refusal(
                    state,
                    &visit.lang,
                    &dossier_app::AppError::NotFound("relationship"),
                )
            }),
        Ok(None) => Err(Redirect::to("/portal/details").into_response()),
        Err(e) => Err(super::refusal(state, &visit.lang, &e)),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    visit: Visit,
    Path(rid): Path<String>,
) -> Response {
    if let Err(r) = visit.step(&state, "relationships") {
        return r;
    }
    match find_party(&state, &visit, &rid).await {
        Ok(p) => {
            form(
                &state,
                &visit,
                StatusCode::OK,
                p.kind,
                Some(&p),
                None,
                None,
                None,
                Vec::new(),
            )
            .await
        }
        Err(r) => r,
    }
}

pub async fn update(
    State(state): State<AppState>,
    visit: Visit,
    Path(rid): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(r) = visit.step(&state, "relationships") {
        return r;
    }
    let fields = match visit.form(&state, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let party = match find_party(&state, &visit, &rid).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let result = async {
        let (roles, ownership) = posted_roles(&fields)?;
        let (prefix, inputs) = party_inputs(party.kind);
        let subject = posted_subject(&fields, prefix, inputs);
        let patch = RelationshipPatch {
            roles: Some(roles),
            ownership_percentage: Some(ownership),
            person: (party.kind == PartyKind::Person).then(|| subject.clone()),
            business: (party.kind == PartyKind::Business).then_some(subject),
            custom_fields: None,
        };
        state
            .app
            .visitor_update_party(&visit.visitor, &rid, patch)
            .await
    }
    .await;
    match result {
        Ok(()) => Redirect::to("/portal/relationships").into_response(),
        Err(e) => match visit.form_errors(&state, &e) {
            Ok((summary, errors)) => {
                let errors = strip_index(errors);
                form(
                    &state,
                    &visit,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    party.kind,
                    Some(&party),
                    None,
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

pub async fn remove(
    State(state): State<AppState>,
    visit: Visit,
    Path(rid): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(r) = visit.step(&state, "relationships") {
        return r;
    }
    if let Err(r) = visit.form(&state, &body) {
        return r;
    }
    match state.app.visitor_remove_party(&visit.visitor, &rid).await {
        Ok(()) => Redirect::to("/portal/relationships").into_response(),
        Err(e) => super::refusal(&state, &visit.lang, &e),
    }
}
