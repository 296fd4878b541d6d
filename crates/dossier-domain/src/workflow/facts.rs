//! The case as rules see it: the application JSON normalised so that every known field is present
//! (null when unknown — CEL fails on a missing key, not on a null), relationships flattened with
//! their depth, path and effective ownership, and documents in one shape.

use super::ownership::{self, Holding, OwnershipReport};
use super::risk_data::RiskTables;
use crate::application::{Address, Business, Person};
use crate::relationship::{PartyKind, Relationship};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::sync::LazyLock;

/// Fields of a business subject or related business, in the API's words: every field [`Business`]
/// serialises, so a field added to the type is in the facts (and accepted by templates) at once.
pub static BUSINESS_FIELDS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| field_names(&full_business()));
/// Fields of a person subject or related person: every field [`Person`] serialises.
pub static PERSON_FIELDS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| field_names(&full_person()));
/// Fields of an address: every field [`Address`] serialises.
pub static ADDRESS_FIELDS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| field_names(&full_address()));
/// Fields of a related party as stored: every field [`Relationship`] serialises. Its nested
/// `relationships` are flattened into the list instead (with `parent_id`, `depth`, `path`).
pub static RELATIONSHIP_FIELDS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| field_names(&full_relationship()));

// Exhaustive literals (no `..Default::default()`): a field added to a type does not compile until it
// is set here, and then it is in the facts.
fn full_address() -> Address {
    let s = || Some(String::new());
    Address {
        line1: s(),
        line2: s(),
        city: s(),
        postal_code: s(),
        region: s(),
        country: s(),
    }
}

fn full_business() -> Business {
    let s = || Some(String::new());
    Business {
        name: s(),
        registration_number: s(),
        country: s(),
        legal_form: s(),
        incorporation_date: s(),
        address: Some(full_address()),
        industry_code: s(),
        website: s(),
        email: s(),
        phone: s(),
    }
}

fn full_person() -> Person {
    let s = || Some(String::new());
    Person {
        first_name: s(),
        last_name: s(),
        birth_date: s(),
        nationality: s(),
        country_of_residence: s(),
        address: Some(full_address()),
        email: s(),
        phone: s(),
    }
}

fn full_relationship() -> Relationship {
    Relationship {
        id: String::new(),
        kind: PartyKind::Person,
        roles: Vec::new(),
        ownership_percentage: Some(0.0),
        person: Some(full_person()),
        business: Some(full_business()),
        custom_fields: Map::new(),
        relationships: Vec::new(),
    }
}

/// The names of the fields `value` serialises to, as `'static` strings (computed once per type).
fn field_names<T: Serialize>(value: &T) -> Vec<&'static str> {
    match serde_json::to_value(value) {
        Ok(Value::Object(m)) => m
            .keys()
            .map(|k| &*Box::leak(k.clone().into_boxed_str()))
            .collect(),
        _ => Vec::new(),
    }
}

/// Nesting below this depth is ignored: no real ownership chart is that deep, and the bound
/// keeps recursion safe whatever the input.
pub const MAX_DEPTH: usize = 32;
/// Roles a relationship may carry (product.md).
pub const ROLES: &[&str] = &[
    "ubo",
    "director",
    "shareholder",
    "signatory",
    "legal_representative",
];

/// A document as the engine needs it; the server builds it from its stored document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CaseDocument {
    pub id: String,
    #[serde(rename = "type")]
    pub document_type: String,
    #[serde(default)]
    pub relationship_id: Option<String>,
    #[serde(default)]
    pub status: DocumentStatus,
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    #[default]
    Unset,
    Valid,
    Invalid,
}

impl DocumentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentStatus::Unset => "unset",
            DocumentStatus::Valid => "valid",
            DocumentStatus::Invalid => "invalid",
        }
    }
}

/// One related party, wherever it sits in the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct RelationshipFact {
    pub id: String,
    pub kind: String,
    pub roles: Vec<String>,
    pub parent_id: Option<String>,
    pub depth: usize,
    /// Index in the ownership computation; the same person or business met twice shares one.
    pub entity: usize,
    /// Normalised JSON with depth, path, effective ownership etc., as CEL sees it.
    pub value: Value,
}

impl RelationshipFact {
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    pub fn display_name(&self) -> String {
        self.value["name"].as_str().unwrap_or(&self.id).to_string()
    }
}

/// Everything the rules and tasks read, built once per evaluation.
#[derive(Debug, Clone)]
pub struct CaseFacts {
    pub application: Value,
    pub relationships: Vec<RelationshipFact>,
    pub documents: Vec<CaseDocument>,
    pub custom_fields: Value,
    pub ownership: OwnershipReport,
    /// Entity keys by index; 0 is the subject.
    pub entities: Vec<EntityInfo>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EntityInfo {
    pub key: String,
    pub kind: String,
    pub name: String,
    pub relationship_ids: Vec<String>,
}

impl CaseFacts {
    pub fn build(case: &Value, documents: &[CaseDocument]) -> Self {
        let case_type = case["type"].as_str().unwrap_or("business").to_string();
        let business = normalise_party(&case["business"], &BUSINESS_FIELDS);
        let person = normalise_party(&case["person"], &PERSON_FIELDS);
        let custom_fields = match &case["custom_fields"] {
            Value::Object(m) => Value::Object(m.clone()),
            _ => Value::Object(Map::new()),
        };
        let application = json!({
            "id": case["id"].clone(),
            "type": case_type,
            "template": case["template"].clone(),
            "external_id": case["external_id"].clone(),
            "tags": string_list(&case["tags"]),
            "business": business,
            "person": person,
            "custom_fields": custom_fields.clone(),
        });

        let mut entities = vec![EntityInfo {
            key: entity_key(
                &case_type,
                &application["business"],
                &application["person"],
                "subject",
            ),
            kind: case_type.clone(),
            name: party_name(&case_type, &application["business"], &application["person"]),
            relationship_ids: Vec::new(),
        }];
        let mut relationships = Vec::new();
        let mut holdings = Vec::new();
        if let Some(list) = case["relationships"].as_array() {
            flatten(
                list,
                None,
                0,
                &[],
                "rel",
                &mut relationships,
                &mut entities,
                &mut holdings,
            );
        }

        let ownership = ownership::compute(entities.len(), &holdings);
        for rel in &mut relationships {
            let share = ownership.effective.get(rel.entity).copied().unwrap_or(0.0);
            rel.value["effective_ownership"] = json!(ownership::round_percentage(share));
        }

        CaseFacts {
            application,
            relationships,
            documents: documents.to_vec(),
            custom_fields,
            ownership,
            entities,
        }
    }

    /// Precomputes `country_risk` and `nationality_risk` on each relationship, so rules over
    /// the list compare a field instead of calling a helper per element.
    pub fn annotate_risk(&mut self, tables: &RiskTables) {
        for rel in &mut self.relationships {
            let country = tables.countries.lookup(rel.value["country"].as_str());
            let nationality = tables.countries.lookup(rel.value["nationality"].as_str());
            rel.value["country_risk"] = json!(country.as_str());
            rel.value["nationality_risk"] = json!(nationality.as_str());
        }
    }

    pub fn case_type(&self) -> &str {
        self.application["type"].as_str().unwrap_or("business")
    }

    pub fn relationship(&self, id: &str) -> Option<&RelationshipFact> {
        self.relationships.iter().find(|r| r.id == id)
    }

    pub fn relationships_json(&self) -> Value {
        Value::Array(self.relationships.iter().map(|r| r.value.clone()).collect())
    }

    pub fn documents_json(&self) -> Value {
        Value::Array(
            self.documents
                .iter()
                .map(|d| {
                    json!({
                        "id": d.id,
                        "type": d.document_type,
                        "relationship_id": d.relationship_id,
                        "status": d.status.as_str(),
                        "reason": d.reason,
                    })
                })
                .collect(),
        )
    }
}

#[allow(clippy::too_many_arguments)]
fn flatten(
    list: &[Value],
    parent: Option<(&str, usize)>,
    depth: usize,
    path: &[String],
    id_prefix: &str,
    out: &mut Vec<RelationshipFact>,
    entities: &mut Vec<EntityInfo>,
    holdings: &mut Vec<Holding>,
) {
    for (index, rel) in list.iter().enumerate() {
        // Ids are assigned by the server; a case evaluated before that gets stable positional ones.
        let id = rel["id"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| format!("{id_prefix}_{index}"));
        let kind = rel["kind"]
            .as_str()
            .unwrap_or(if rel["business"].is_object() {
                "business"
            } else {
                "person"
            })
            .to_string();
        let roles = string_list(&rel["roles"]);
        let business = normalise_party(&rel["business"], &BUSINESS_FIELDS);
        let person = normalise_party(&rel["person"], &PERSON_FIELDS);
        let key = entity_key(&kind, &business, &person, &id);
        let name = party_name(&kind, &business, &person);
        let entity = match entities.iter().position(|e| e.key == key) {
            Some(existing) => existing,
            None => {
                entities.push(EntityInfo {
                    key,
                    kind: kind.clone(),
                    name: name.clone(),
                    relationship_ids: Vec::new(),
                });
                entities.len() - 1
            }
        };
        entities[entity].relationship_ids.push(id.clone());
        let owned = parent.map(|(_, e)| e).unwrap_or(0);
        let percentage = rel["ownership_percentage"].as_f64();
        if let Some(percentage) = percentage {
            holdings.push(Holding {
                owner: entity,
                owned,
                percentage,
            });
        }
        let mut own_path = path.to_vec();
        own_path.push(id.clone());
        let country = if kind == "business" {
            business["country"].clone()
        } else {
            person["country_of_residence"].clone()
        };
        // Only the party object of the relationship's kind: the other is null (CEL copies a
        // relationship on every step of `exists`/`filter`, so size matters; see docs).
        let (person_value, business_value) = if kind == "business" {
            (Value::Null, business.clone())
        } else {
            (person.clone(), Value::Null)
        };
        // Every field of the stored relationship (null when absent), then the normalised and
        // derived ones. Nested parties are flattened into the list instead.
        let mut value: Map<String, Value> = RELATIONSHIP_FIELDS
            .iter()
            .filter(|f| **f != "relationships")
            .map(|f| (f.to_string(), rel[*f].clone()))
            .collect();
        if !value.get("custom_fields").is_some_and(Value::is_object) {
            value.insert("custom_fields".into(), Value::Object(Map::new()));
        }
        let Value::Object(derived) = json!({
            "id": id,
            "kind": kind,
            "roles": roles,
            "person": person_value,
            "business": business_value,
            "name": name,
            "country": country,
            "nationality": person["nationality"].clone(),
            "depth": depth + 1,
            "parent_id": parent.map(|(p, _)| p.to_string()),
            "path": own_path,
            "effective_ownership": 0.0,
            "country_risk": "unknown",
            "nationality_risk": "unknown",
        }) else {
            unreachable!("a JSON object literal")
        };
        value.extend(derived);
        let value = Value::Object(value);
        out.push(RelationshipFact {
            id: id.clone(),
            kind,
            roles,
            parent_id: parent.map(|(p, _)| p.to_string()),
            depth: depth + 1,
            entity,
            value,
        });
        if let Some(children) = rel["relationships"].as_array()
            && depth + 1 < MAX_DEPTH
        {
            flatten(
                children,
                Some((&id, entity)),
                depth + 1,
                &own_path,
                &id,
                out,
                entities,
                holdings,
            );
        }
    }
}

/// Every known field present; unknown extra fields kept as they are.
fn normalise_party(value: &Value, fields: &[&str]) -> Value {
    let mut out = match value {
        Value::Object(m) => m.clone(),
        _ => Map::new(),
    };
    for field in fields {
        out.entry(field.to_string()).or_insert(Value::Null);
    }
    let address = match out.get("address") {
        Some(Value::Object(m)) => {
            let mut a = m.clone();
            for field in ADDRESS_FIELDS.iter() {
                a.entry(field.to_string()).or_insert(Value::Null);
            }
            Value::Object(a)
        }
        _ => Value::Object(
            ADDRESS_FIELDS
                .iter()
                .map(|f| (f.to_string(), Value::Null))
                .collect(),
        ),
    };
    out.insert("address".into(), address);
    Value::Object(out)
}

fn string_list(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or("").trim().to_lowercase()
}

/// Identity of a party across the chart, so a holding met under two branches (or the subject met
/// again higher up: a cross-holding) is one node of the ownership graph.
fn entity_key(kind: &str, business: &Value, person: &Value, fallback: &str) -> String {
    if kind == "person" {
        let (first, last) = (text(&person["first_name"]), text(&person["last_name"]));
        if first.is_empty() && last.is_empty() {
            return format!("unnamed:{fallback}");
        }
        format!("person:{first}|{last}|{}", text(&person["birth_date"]))
    } else {
        let country = text(&business["country"]);
        let number: String = text(&business["registration_number"])
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        if !number.is_empty() {
            return format!("business:{country}|{number}");
        }
        let name = text(&business["name"]);
        if name.is_empty() {
            return format!("unnamed:{fallback}");
        }
        format!("business-name:{country}|{name}")
    }
}

fn party_name(kind: &str, business: &Value, person: &Value) -> String {
    if kind == "person" {
        let parts: Vec<&str> = [&person["first_name"], &person["last_name"]]
            .into_iter()
            .filter_map(Value::as_str)
            .collect();
        parts.join(" ")
    } else {
        business["name"].as_str().unwrap_or("").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn acme() -> Value {
        json!({
            "id": "app_1", "type": "business",
            "business": {"name": "Acme Freight SARL", "registration_number": "B123456", "country": "LU"},
            "relationships": [
                {"id": "r1", "kind": "person", "roles": ["director", "signatory"],
                 "person": {"first_name": "Luc", "last_name": "Weber", "nationality": "LU"}},
                {"id": "r2", "kind": "business", "roles": ["shareholder"], "ownership_percentage": 100,
                 "business": {"name": "Acme Holding SA", "country": "BE"},
                 "relationships": [
                    {"id": "r3", "kind": "person", "roles": ["ubo"], "ownership_percentage": 70,
                     "person": {"first_name": "Anne", "last_name": "Peeters", "nationality": "BE"}},
                    {"id": "r4", "kind": "person", "roles": ["shareholder"], "ownership_percentage": 30,
                     "person": {"first_name": "Bram", "last_name": "Claes"}}]}]
        })
    }

    #[test]
    fn flattens_with_depth_path_and_effective_ownership() {
        let facts = CaseFacts::build(&acme(), &[]);
        assert_eq!(facts.relationships.len(), 4);
        let anne = facts.relationship("r3").unwrap();
        assert_eq!(anne.depth, 2);
        assert_eq!(anne.parent_id.as_deref(), Some("r2"));
        assert_eq!(anne.value["path"], json!(["r2", "r3"]));
        assert_eq!(anne.value["effective_ownership"], json!(70.0));
        assert_eq!(
            facts.relationship("r1").unwrap().value["effective_ownership"],
            json!(0.0)
        );
        // Every known field is present, null when unknown.
        assert!(anne.value["person"]["birth_date"].is_null());
        assert!(anne.value["business"].is_null());
        assert!(facts.relationship("r2").unwrap().value["business"]["legal_form"].is_null());
        assert!(facts.application["business"]["address"]["city"].is_null());
        assert!(facts.application["person"]["nationality"].is_null());
    }

    /// The names of the properties of `T`'s schema: derived by utoipa from the type's fields, apart
    /// from the facts' own derivation.
    fn schema_fields<T: utoipa::PartialSchema>() -> Vec<String> {
        use utoipa::openapi::{RefOr, schema::Schema};
        match T::schema() {
            RefOr::T(Schema::Object(o)) => o.properties.keys().cloned().collect(),
            _ => panic!("not an object schema"),
        }
    }

    #[test]
    fn facts_carry_every_field_of_the_subject_and_party_types() {
        let (business, person, address, relationship) = (
            schema_fields::<Business>(),
            schema_fields::<Person>(),
            schema_fields::<Address>(),
            schema_fields::<Relationship>(),
        );
        assert!(business.len() >= 10 && person.len() >= 8 && address.len() >= 6);
        // The serialised fields of fully-populated values are the schema's.
        let serialised = |v: Value| {
            let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
            keys.sort();
            keys
        };
        let sorted = |mut v: Vec<String>| {
            v.sort();
            v
        };
        assert_eq!(serialised(json!(full_business())), sorted(business.clone()));
        assert_eq!(serialised(json!(full_person())), sorted(person.clone()));
        assert_eq!(serialised(json!(full_address())), sorted(address.clone()));
        assert_eq!(
            serialised(json!(full_relationship())),
            sorted(relationship.clone())
        );

        // An almost empty case: every known field is still there, null when unknown.
        let case = json!({"type": "business", "business": {"name": "S"},
            "relationships": [
                {"id": "p", "kind": "person", "roles": ["director"], "person": {"last_name": "A"}},
                {"id": "b", "kind": "business", "roles": ["director"], "business": {"name": "B"}}]});
        let facts = CaseFacts::build(&case, &[]);
        let has_all = |object: &Value, fields: &[String], what: &str| {
            for f in fields {
                assert!(
                    object.as_object().is_some_and(|o| o.contains_key(f)),
                    "{what} misses {f}: {object}"
                );
            }
        };
        let subject = &facts.application["business"];
        has_all(subject, &business, "the business subject");
        has_all(&subject["address"], &address, "the subject's address");
        has_all(&facts.application["person"], &person, "the person subject");
        has_all(
            &facts.application["person"]["address"],
            &address,
            "the person's address",
        );
        let nested: Vec<String> = relationship
            .iter()
            .filter(|f| *f != "relationships")
            .cloned()
            .collect();
        for rel in &facts.relationships {
            has_all(&rel.value, &nested, "a relationship");
        }
        let p = &facts.relationship("p").unwrap().value;
        has_all(&p["person"], &person, "a related person");
        has_all(
            &p["person"]["address"],
            &address,
            "a related person's address",
        );
        let b = &facts.relationship("b").unwrap().value;
        has_all(&b["business"], &business, "a related business");
        has_all(
            &b["business"]["address"],
            &address,
            "a related business's address",
        );
        assert!(subject["address"]["region"].is_null());
    }

    #[test]
    fn the_same_person_under_two_branches_is_one_owner() {
        let case = json!({"type": "business", "business": {"name": "S", "country": "FR"},
            "relationships": [
                {"kind": "person", "roles": ["shareholder"], "ownership_percentage": 10,
                 "person": {"first_name": "Eva", "last_name": "Roux", "birth_date": "1970-01-01"}},
                {"kind": "business", "roles": ["shareholder"], "ownership_percentage": 50,
                 "business": {"name": "H", "country": "FR", "registration_number": "1"},
                 "relationships": [{"kind": "person", "roles": [], "ownership_percentage": 40,
                    "person": {"first_name": "EVA ", "last_name": "roux", "birth_date": "1970-01-01"}}]}]});
        let facts = CaseFacts::build(&case, &[]);
        assert_eq!(facts.relationships[0].entity, facts.relationships[2].entity);
        assert_eq!(
            facts.relationships[0].value["effective_ownership"],
            json!(30.0)
        );
        assert_eq!(facts.relationships[2].id, "rel_1_0");
    }

    #[test]
    fn nesting_is_bounded() {
        let mut rel = json!({"kind": "person", "roles": ["ubo"], "person": {"first_name": "Deep"}});
        for i in 0..200 {
            rel = json!({"kind": "business", "roles": ["shareholder"], "ownership_percentage": 100,
                         "business": {"name": format!("H{i}")}, "relationships": [rel]});
        }
        let facts = CaseFacts::build(&json!({"type": "business", "relationships": [rel]}), &[]);
        assert_eq!(facts.relationships.len(), MAX_DEPTH);
        assert!(facts.relationships.iter().all(|r| r.depth <= MAX_DEPTH));
    }

    #[test]
    fn relationships_carry_their_country_risk() {
        let mut facts = CaseFacts::build(&acme(), &[]);
        assert_eq!(facts.relationships[0].value["nationality_risk"], "unknown");
        let mut tables = RiskTables::default();
        tables.countries.high.push("BE".into());
        facts.annotate_risk(&tables);
        assert_eq!(
            facts.relationship("r1").unwrap().value["nationality_risk"],
            "standard"
        );
        assert_eq!(
            facts.relationship("r2").unwrap().value["country_risk"],
            "high"
        );
        assert_eq!(
            facts.relationship("r3").unwrap().value["nationality_risk"],
            "high"
        );
    }
}
