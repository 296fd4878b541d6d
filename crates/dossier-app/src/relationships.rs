//! Related parties of a case. Each change is a change of the case and goes through its save path
//! (validation of the whole tree, re-evaluation, event, audit).

use dossier_domain::relationship::{
    self, NewRelationship, PartyKind, Relationship, RelationshipPatch,
};
use serde_json::Value;

use crate::applications::change;
use crate::error::{AppError, AppResult};
use crate::{App, Idempotency, Outcome, Principal, Written};

impl App {
    /// Adds a related party to the case's subject, or under a related business (`parent`).
    pub async fn add_relationship(
        &self,
        p: &Principal,
        idempotency: Option<Idempotency>,
        id: &str,
        parent: Option<&str>,
        new: NewRelationship,
    ) -> AppResult<Written> {
        self.write(p, idempotency, async |tx| {
            let added = new.into_relationship();
            let added_id = added.id.clone();
            let (app, ()) = change(tx, p, id, "relationship.created", |app| {
                let siblings = match parent {
                    None => &mut app.relationships,
                    Some(rid) => {
                        let owner = relationship::find_mut(&mut app.relationships, rid)
                            .ok_or(AppError::NotFound("relationship"))?;
                        if owner.kind != PartyKind::Business {
                            return Err(AppError::invalid(
                                "kind",
                                "only a related business can have related parties",
                            ));
                        }
                        &mut owner.relationships
                    }
                };
                siblings.push(added);
                Ok(())
            })
            .await?;
            let stored = relationship::find(&app.relationships, &added_id).expect("just added");
            Ok((Outcome::Created, to_json(stored)))
        })
        .await
    }

    /// Changes a related party: roles and ownership replace, person/business fields merge.
    pub async fn update_relationship(
        &self,
        p: &Principal,
        id: &str,
        rid: &str,
        patch: RelationshipPatch,
    ) -> AppResult<Written> {
        self.write(p, None, async |tx| {
            let (app, ()) = change(tx, p, id, "relationship.updated", |app| {
                let party = relationship::find_mut(&mut app.relationships, rid)
                    .ok_or(AppError::NotFound("relationship"))?;
                Ok(patch.apply_to(party)?)
            })
            .await?;
            let stored = relationship::find(&app.relationships, rid).expect("still there");
            Ok((Outcome::Changed, to_json(stored)))
        })
        .await
    }

    /// Removes a related party and the parties nested under it.
    pub async fn delete_relationship(
        &self,
        p: &Principal,
        id: &str,
        rid: &str,
    ) -> AppResult<Written> {
        self.write(p, None, async |tx| {
            change(tx, p, id, "relationship.deleted", |app| {
                relationship::remove(&mut app.relationships, rid)
                    .map(|_| ())
                    .ok_or(AppError::NotFound("relationship"))
            })
            .await?;
            Ok((Outcome::Deleted, Value::Null))
        })
        .await
    }
}

fn to_json(r: &Relationship) -> Value {
    serde_json::to_value(r).expect("a relationship serialises")
}
