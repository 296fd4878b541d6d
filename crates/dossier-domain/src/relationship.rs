//! Related parties of a case: persons and businesses linked to the subject with roles, ownership, and
//! (for a business) their own related parties — a holding's owners.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::application::{Business, Person, merge_patch, typed};
use crate::custom_field::{AppliesTo, CustomFieldDefinition, validate_values};
use crate::id::new_id;
use crate::validation::{Errors, FieldError, join};

/// How deep holdings may nest: deep enough for real structures, shallow enough to refuse abuse.
pub const MAX_DEPTH: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    Person,
    Business,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartyRole {
    /// Ultimate beneficial owner: at least 25% ownership, directly or through chains.
    Ubo,
    Director,
    Shareholder,
    /// The person who filled the portal; at most one per case.
    Signatory,
    LegalRepresentative,
}

/// A related party as stored and returned: every one has an id, nested ones too.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Relationship {
    pub id: String,
    pub kind: PartyKind,
    pub roles: Vec<PartyRole>,
    /// Shares held directly in the entity this party is attached to, 0–100.
    pub ownership_percentage: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<Person>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business: Option<Business>,
    #[serde(default)]
    pub custom_fields: Map<String, Value>,
    /// The related parties of a related business (e.g. a holding's owners).
    #[serde(default)]
    #[schema(no_recursion)]
    pub relationships: Vec<Relationship>,
}

/// A related party as given in a request (ids are assigned by Dossier).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRelationship {
    pub kind: PartyKind,
    pub roles: Vec<PartyRole>,
    pub ownership_percentage: Option<f64>,
    pub person: Option<Person>,
    pub business: Option<Business>,
    #[serde(default)]
    pub custom_fields: Map<String, Value>,
    #[serde(default)]
    #[schema(no_recursion)]
    pub relationships: Vec<NewRelationship>,
}

/// Body of `PATCH /api/applications/{id}/relationships/{rid}`. Subject parts merge field by field;
/// nested relationships are managed through their own ids.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelationshipPatch {
    pub roles: Option<Vec<PartyRole>>,
    #[serde(default, with = "crate::application::double_option")]
    #[schema(value_type = Option<f64>)]
    pub ownership_percentage: Option<Option<f64>>,
    #[schema(value_type = Option<Object>)]
    pub person: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub business: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Option<Map<String, Value>>,
}

impl RelationshipPatch {
    /// Applies the patch: roles and ownership replace, person/business fields merge, custom fields
    /// merge by name (`null` removes one). The caller validates the case's tree afterwards.
    pub fn apply_to(self, party: &mut Relationship) -> Result<(), Vec<FieldError>> {
        let patch = self;
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
            let mut current = serde_json::to_value(party.business.clone().unwrap_or_default())
                .expect("serialises");
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
}

impl NewRelationship {
    /// Gives this party and its nested parties fresh ids.
    pub fn into_relationship(self) -> Relationship {
        Relationship {
            id: new_id("rel"),
            kind: self.kind,
            roles: self.roles,
            ownership_percentage: self.ownership_percentage,
            person: self.person,
            business: self.business,
            custom_fields: self.custom_fields,
            relationships: self
                .relationships
                .into_iter()
                .map(NewRelationship::into_relationship)
                .collect(),
        }
    }
}

impl Relationship {
    /// A display name: the person's full name or the business name.
    pub fn display_name(&self) -> String {
        match (&self.person, &self.business) {
            (Some(p), _) => p.full_name(),
            (_, Some(b)) => b.name.clone().unwrap_or_default(),
            _ => String::new(),
        }
    }
}

/// Finds a relationship anywhere in the tree.
pub fn find<'a>(tree: &'a [Relationship], id: &str) -> Option<&'a Relationship> {
    tree.iter().find_map(|r| {
        if r.id == id {
            Some(r)
        } else {
            find(&r.relationships, id)
        }
    })
}

/// Finds a relationship anywhere in the tree, mutably.
pub fn find_mut<'a>(tree: &'a mut [Relationship], id: &str) -> Option<&'a mut Relationship> {
    for r in tree.iter_mut() {
        if r.id == id {
            return Some(r);
        }
        if let Some(found) = find_mut(&mut r.relationships, id) {
            return Some(found);
        }
    }
    None
}

/// Removes a relationship (and the parties nested under it) from anywhere in the tree.
pub fn remove(tree: &mut Vec<Relationship>, id: &str) -> Option<Relationship> {
    if let Some(pos) = tree.iter().position(|r| r.id == id) {
        return Some(tree.remove(pos));
    }
    tree.iter_mut()
        .find_map(|r| remove(&mut r.relationships, id))
}

/// Every relationship of the tree, depth first, with its path in the request/response shape.
pub fn walk(tree: &[Relationship]) -> Vec<(String, &Relationship)> {
    fn go<'a>(tree: &'a [Relationship], prefix: &str, out: &mut Vec<(String, &'a Relationship)>) {
        for (i, r) in tree.iter().enumerate() {
            let path = format!("{prefix}relationships[{i}]");
            out.push((path.clone(), r));
            go(&r.relationships, &format!("{path}."), out);
        }
    }
    let mut out = Vec::new();
    go(tree, "", &mut out);
    out
}

/// Validates the whole tree: each party, ownership ranges and totals, one signatory at most, depth.
pub fn validate_tree(
    errors: &mut Errors,
    tree: &[Relationship],
    definitions: &[CustomFieldDefinition],
) {
    validate_level(errors, tree, "", 1, definitions);
    let signatories: Vec<String> = walk(tree)
        .into_iter()
        .filter(|(_, r)| r.roles.contains(&PartyRole::Signatory))
        .map(|(path, _)| path)
        .collect();
    if signatories.len() > 1 {
        for path in &signatories[1..] {
            errors.add(join(path, "roles"), "a case has at most one signatory");
        }
    }
}

fn validate_level(
    errors: &mut Errors,
    level: &[Relationship],
    prefix: &str,
    depth: usize,
    definitions: &[CustomFieldDefinition],
) {
    let mut owned = 0.0;
    for (i, r) in level.iter().enumerate() {
        let path = format!("{prefix}relationships[{i}]");
        if depth > MAX_DEPTH {
            errors.add(
                path,
                format!("related parties nest at most {MAX_DEPTH} levels deep"),
            );
            return;
        }
        validate_party(errors, r, &path, definitions);
        if let Some(p) = r.ownership_percentage
            && p.is_finite()
            && (0.0..=100.0).contains(&p)
        {
            owned += p;
        }
        validate_level(
            errors,
            &r.relationships,
            &format!("{path}."),
            depth + 1,
            definitions,
        );
    }
    // Small tolerance: 33.33 + 33.33 + 33.34 must pass despite binary floating point.
    if owned > 100.0 + 1e-6 {
        let owner = if prefix.is_empty() {
            "the subject".to_string()
        } else {
            prefix.trim_end_matches('.').to_string()
        };
        errors.add(
            format!("{prefix}relationships"),
            format!("the owners of {owner} hold {owned}% in total, more than 100%"),
        );
    }
}

fn validate_party(
    errors: &mut Errors,
    r: &Relationship,
    path: &str,
    definitions: &[CustomFieldDefinition],
) {
    if r.roles.is_empty() {
        errors.add(join(path, "roles"), "at least one role is needed");
    }
    let mut seen = Vec::new();
    for role in &r.roles {
        if seen.contains(role) {
            errors.add(join(path, "roles"), "a role is listed twice");
        }
        seen.push(*role);
    }
    if let Some(p) = r.ownership_percentage
        && (!p.is_finite() || !(0.0..=100.0).contains(&p))
    {
        errors.add(
            join(path, "ownership_percentage"),
            "must be between 0 and 100",
        );
    }
    match r.kind {
        PartyKind::Person => {
            match &r.person {
                Some(p) => p.validate(errors, &join(path, "person")),
                None => errors.add(join(path, "person"), "a person relationship needs a person"),
            }
            if r.business.is_some() {
                errors.add(
                    join(path, "business"),
                    "a person relationship takes no business",
                );
            }
            if !r.relationships.is_empty() {
                errors.add(
                    join(path, "relationships"),
                    "only a business can have related parties of its own",
                );
            }
        }
        PartyKind::Business => {
            match &r.business {
                Some(b) => b.validate(errors, &join(path, "business")),
                None => errors.add(
                    join(path, "business"),
                    "a business relationship needs a business",
                ),
            }
            if r.person.is_some() {
                errors.add(
                    join(path, "person"),
                    "a business relationship takes no person",
                );
            }
            if r.roles.contains(&PartyRole::Signatory) {
                // The signatory fills the portal and signs: a natural person. A business may be a
                // director or legal representative (a French SAS's président, a UK corporate director).
                errors.add(
                    join(path, "roles"),
                    "a business cannot be signatory: the signatory is a natural person",
                );
            }
        }
    }
    validate_values(
        errors,
        &join(path, "custom_fields"),
        &r.custom_fields,
        definitions,
        AppliesTo::Relationship,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tree(v: Value) -> Vec<Relationship> {
        let news: Vec<NewRelationship> = serde_json::from_value(v).unwrap();
        news.into_iter()
            .map(NewRelationship::into_relationship)
            .collect()
    }

    fn fields(tree: &[Relationship]) -> Vec<String> {
        let mut e = Errors::new();
        validate_tree(&mut e, tree, &[]);
        e.into_result()
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|f| f.field)
            .collect()
    }

    #[test]
    fn a_holding_chain_is_valid_and_every_party_gets_an_id() {
        let t = tree(json!([
            {"kind": "person", "roles": ["director", "signatory"], "person": {"first_name": "Claire", "last_name": "Martin"}},
            {"kind": "business", "roles": ["shareholder"], "ownership_percentage": 100,
             "business": {"name": "Acme Holding BV", "country": "NL"},
             "relationships": [
                {"kind": "person", "roles": ["ubo"], "ownership_percentage": 60, "person": {"first_name": "Jan", "last_name": "de Vries"}},
                {"kind": "person", "roles": ["ubo"], "ownership_percentage": 40, "person": {"first_name": "Eva", "last_name": "Jansen"}}]}
        ]));
        assert!(fields(&t).is_empty(), "{:?}", fields(&t));
        let all = walk(&t);
        assert_eq!(all.len(), 4);
        assert_eq!(all[3].0, "relationships[1].relationships[1]");
        let nested = all[2].1.id.clone();
        assert_eq!(find(&t, &nested).unwrap().display_name(), "Jan de Vries");
    }

    #[test]
    fn ownership_ranges_totals_and_signatories_are_enforced() {
        let t = tree(json!([
            {"kind": "person", "roles": ["signatory"], "ownership_percentage": 120, "person": {"first_name": "A", "last_name": "B"}},
            {"kind": "person", "roles": ["signatory", "ubo"], "ownership_percentage": 90, "person": {"first_name": "C", "last_name": "D"}},
            {"kind": "business", "roles": ["shareholder"], "ownership_percentage": 20, "business": {"name": "H"},
             "relationships": [
                {"kind": "person", "roles": ["ubo"], "ownership_percentage": 70, "person": {"first_name": "E", "last_name": "F"}},
                {"kind": "person", "roles": ["ubo"], "ownership_percentage": 31, "person": {"first_name": "G", "last_name": "H"}}]}
        ]));
        let f = fields(&t);
        assert!(
            f.contains(&"relationships[0].ownership_percentage".to_string()),
            "{f:?}"
        );
        assert!(
            f.contains(&"relationships[2].relationships".to_string()),
            "{f:?}"
        );
        assert!(f.contains(&"relationships[1].roles".to_string()), "{f:?}");
        // 90 + 20 = 110 at the top level too (the out-of-range 120 is reported on its own).
        assert!(f.contains(&"relationships".to_string()), "{f:?}");
    }

    #[test]
    fn kinds_must_match_their_subject() {
        let t = tree(json!([
            {"kind": "person", "roles": ["director"], "business": {"name": "X"}},
            {"kind": "business", "roles": ["signatory"], "business": {"name": "Y"}}
        ]));
        let f = fields(&t);
        assert!(f.contains(&"relationships[0].person".to_string()));
        assert!(f.contains(&"relationships[0].business".to_string()));
        assert!(f.contains(&"relationships[1].roles".to_string()));
    }

    #[test]
    fn a_business_may_be_director_or_legal_representative_but_not_signatory() {
        let t = tree(json!([
            {"kind": "business", "roles": ["director"], "business": {"name": "Gestion SAS", "country": "FR"}},
            {"kind": "business", "roles": ["legal_representative", "shareholder"], "ownership_percentage": 10,
             "business": {"name": "Corporate Director Ltd", "country": "GB"}},
            {"kind": "business", "roles": ["director", "signatory"], "business": {"name": "Z"}}
        ]));
        assert_eq!(fields(&t), ["relationships[2].roles"]);
    }

    #[test]
    fn remove_finds_nested_parties() {
        let mut t = tree(json!([
            {"kind": "business", "roles": ["shareholder"], "business": {"name": "H"},
             "relationships": [{"kind": "person", "roles": ["ubo"], "person": {"first_name": "E", "last_name": "F"}}]}
        ]));
        let nested = t[0].relationships[0].id.clone();
        assert!(remove(&mut t, &nested).is_some());
        assert!(t[0].relationships.is_empty());
        assert!(remove(&mut t, "rel_missing").is_none());
    }
}
