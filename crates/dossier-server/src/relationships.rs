//! Related parties: `/api/applications/{id}/relationships`. Each change is a change of the case and goes
//! through the case's save path (validation of the whole tree, event, audit).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use dossier_domain::application::{merge_patch, typed};
use dossier_domain::relationship::{
    self, NewRelationship, PartyKind, Relationship, RelationshipPatch,
};
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::applications::service;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::JsonBody;
use crate::write::Idempotency;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(add_relationship))
        .routes(routes!(add_nested_relationship))
        .routes(routes!(update_relationship, delete_relationship))
}

/// Adds a related party to the case subject.
#[utoipa::path(post, path = "/api/applications/{id}/relationships", tag = "relationships",
    request_body = NewRelationship,
    responses((status = 201, body = Relationship), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_relationship(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: JsonBody<NewRelationship>,
) -> ApiResult<Response> {
    let route = format!("POST /api/applications/{id}/relationships");
    add(state, auth, headers, route, id, None, body).await
}

/// Adds a related party to a related business (e.g. an owner of a holding).
#[utoipa::path(post, path = "/api/applications/{id}/relationships/{rid}/relationships", tag = "relationships",
    request_body = NewRelationship,
    responses((status = 201, body = Relationship), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_nested_relationship(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, rid)): Path<(String, String)>,
    headers: HeaderMap,
    body: JsonBody<NewRelationship>,
) -> ApiResult<Response> {
    let route = format!("POST /api/applications/{id}/relationships/{rid}/relationships");
    add(state, auth, headers, route, id, Some(rid), body).await
}

async fn add(
    state: AppState,
    auth: Auth,
    headers: HeaderMap,
    route: String,
    id: String,
    parent: Option<String>,
    body: JsonBody<NewRelationship>,
) -> ApiResult<Response> {
    let idem = Idempotency::from_request(&headers, &route, &body.digest)?;
    let (ws, actor) = (auth.workspace_id().to_string(), auth.actor());
    state
        .write(&auth, idem, async |tx| {
            let mut app = service::load(tx, &ws, &id).await?;
            let before = app.clone();
            let added = body.value.into_relationship();
            let siblings = match &parent {
                None => &mut app.relationships,
                Some(rid) => {
                    let owner = relationship::find_mut(&mut app.relationships, rid)
                        .ok_or(ApiError::NotFound("relationship"))?;
                    if owner.kind != PartyKind::Business {
                        return Err(ApiError::invalid(
                            "kind",
                            "only a related business can have related parties",
                        ));
                    }
                    &mut owner.relationships
                }
            };
            siblings.push(added.clone());
            let app = service::save(tx, &ws, &actor, "relationship.created", &before, app).await?;
            let stored = relationship::find(&app.relationships, &added.id).expect("just added");
            Ok((StatusCode::CREATED, to_json(stored)))
        })
        .await
}

/// Changes a related party: roles and ownership replace, person/business fields merge.
#[utoipa::path(patch, path = "/api/applications/{id}/relationships/{rid}", tag = "relationships",
    request_body = RelationshipPatch,
    responses((status = 200, body = Relationship), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_relationship(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, rid)): Path<(String, String)>,
    body: JsonBody<RelationshipPatch>,
) -> ApiResult<Response> {
    let (ws, actor) = (auth.workspace_id().to_string(), auth.actor());
    state
        .write(&auth, None, async |tx| {
            let mut app = service::load(tx, &ws, &id).await?;
            let before = app.clone();
            let party = relationship::find_mut(&mut app.relationships, &rid)
                .ok_or(ApiError::NotFound("relationship"))?;
            apply(party, body.value)?;
            let app = service::save(tx, &ws, &actor, "relationship.updated", &before, app).await?;
            let stored = relationship::find(&app.relationships, &rid).expect("still there");
            Ok((StatusCode::OK, to_json(stored)))
        })
        .await
}

fn apply(party: &mut Relationship, patch: RelationshipPatch) -> ApiResult<()> {
    if let Some(roles) = patch.roles {
        party.roles = roles;
    }
    if let Some(p) = patch.ownership_percentage {
        party.ownership_percentage = p;
    }
    if let Some(p) = patch.person {
        let mut current =
            serde_json::to_value(party.person.clone().unwrap_or_default()).expect("serialises");
        merge_patch(&mut current, &p);
        party.person = Some(typed("person", current)?);
    }
    if let Some(p) = patch.business {
        let mut current =
            serde_json::to_value(party.business.clone().unwrap_or_default()).expect("serialises");
        merge_patch(&mut current, &p);
        party.business = Some(typed("business", current)?);
    }
    if let Some(fields) = patch.custom_fields {
        for (k, v) in fields {
            if v.is_null() {
                party.custom_fields.remove(&k);
            } else {
                party.custom_fields.insert(k, v);
            }
        }
    }
    Ok(())
}

/// Removes a related party and the parties nested under it.
#[utoipa::path(delete, path = "/api/applications/{id}/relationships/{rid}", tag = "relationships",
    responses((status = 204), (status = 404, body = Problem)))]
async fn delete_relationship(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, rid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (ws, actor) = (auth.workspace_id().to_string(), auth.actor());
    state
        .write(&auth, None, async |tx| {
            let mut app = service::load(tx, &ws, &id).await?;
            let before = app.clone();
            relationship::remove(&mut app.relationships, &rid)
                .ok_or(ApiError::NotFound("relationship"))?;
            service::save(tx, &ws, &actor, "relationship.deleted", &before, app).await?;
            Ok((StatusCode::NO_CONTENT, Value::Null))
        })
        .await
}

fn to_json(r: &Relationship) -> Value {
    serde_json::to_value(r).expect("a relationship serialises")
}
