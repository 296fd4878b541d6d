//! The case (`application` in the API): its subject — a business or a person — related parties, custom
//! fields, statuses and timestamps; how it is created, patched and validated.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::country::{CountryCode, is_country_code};
use crate::custom_field::{AppliesTo, CustomFieldDefinition, validate_values};
use crate::id::new_id;
use crate::relationship::{NewRelationship, Relationship, validate_tree};
use crate::validation::{Errors, FieldError, check_len, is_date, is_email, join};
use crate::workflow::{
    CaseDocument, Decision, ExpectedDocument, PendingApproval, ReviewRequirements, RiskAdjustment,
    RiskAssessment, Task, tasks::screening::ScreeningHit,
};

/// Whether the case is about a business (KYB) or a natural person (KYC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    Business,
    Person,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Business => "business",
            SubjectKind::Person => "person",
        }
    }
}

pub use crate::workflow::{StatusExecution, StatusReview};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Address {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 300)]
    pub line1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 300)]
    pub line2: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 300)]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 300)]
    pub postal_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 300)]
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<CountryCode>)]
    pub country: Option<String>,
}

/// A company, association or other legal entity.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Business {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 300)]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 300)]
    pub registration_number: Option<String>,
    /// Country of incorporation, ISO 3166-1 alpha-2.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<CountryCode>)]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 300)]
    pub legal_form: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = Date)]
    pub incorporation_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    /// Activity code (NACE/NAF style, e.g. `49.41`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 300)]
    pub industry_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 300)]
    pub website: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        max_length = 254,
        pattern = r"^[^@\s]+@[^@\s.][^@\s]*\.[^@\s]*[^@\s.]$"
    )]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"^[ +\-().]*(?:[0-9][ +\-().]*){5,15}$")]
    pub phone: Option<String>,
}

/// A natural person.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Person {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 200)]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 200)]
    pub last_name: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = Date)]
    pub birth_date: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<CountryCode>)]
    pub nationality: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<CountryCode>)]
    pub country_of_residence: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        max_length = 254,
        pattern = r"^[^@\s]+@[^@\s.][^@\s]*\.[^@\s]*[^@\s.]$"
    )]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"^[ +\-().]*(?:[0-9][ +\-().]*){5,15}$")]
    pub phone: Option<String>,
}

impl Person {
    pub fn full_name(&self) -> String {
        [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub(crate) fn validate(&self, errors: &mut Errors, path: &str) {
        let has_name = [&self.first_name, &self.last_name]
            .iter()
            .any(|n| n.as_deref().is_some_and(|n| !n.trim().is_empty()));
        if !has_name {
            errors.add_code(
                join(path, "last_name"),
                "required",
                "a person needs a first or last name",
            );
        }
        for (name, value) in [
            ("first_name", &self.first_name),
            ("last_name", &self.last_name),
        ] {
            if let Some(v) = value {
                check_len(errors, &join(path, name), v, 200);
            }
        }
        check_date(errors, path, "birth_date", &self.birth_date);
        check_country(errors, path, "nationality", &self.nationality);
        check_country(
            errors,
            path,
            "country_of_residence",
            &self.country_of_residence,
        );
        check_contact(errors, path, &self.email, &self.phone);
        if let Some(a) = &self.address {
            a.validate(errors, &join(path, "address"));
        }
    }
}

impl Business {
    pub(crate) fn validate(&self, errors: &mut Errors, path: &str) {
        match &self.name {
            Some(n) if !n.trim().is_empty() => {
                check_len(errors, &join(path, "name"), n, 300);
            }
            _ => errors.add_code(join(path, "name"), "required", "a business needs a name"),
        }
        for (name, value) in [
            ("registration_number", &self.registration_number),
            ("legal_form", &self.legal_form),
            ("industry_code", &self.industry_code),
            ("website", &self.website),
        ] {
            if let Some(v) = value {
                check_len(errors, &join(path, name), v, 300);
            }
        }
        check_country(errors, path, "country", &self.country);
        check_date(errors, path, "incorporation_date", &self.incorporation_date);
        check_contact(errors, path, &self.email, &self.phone);
        if let Some(a) = &self.address {
            a.validate(errors, &join(path, "address"));
        }
    }
}

impl Address {
    fn validate(&self, errors: &mut Errors, path: &str) {
        for (name, value) in [
            ("line1", &self.line1),
            ("line2", &self.line2),
            ("city", &self.city),
            ("postal_code", &self.postal_code),
            ("region", &self.region),
        ] {
            if let Some(v) = value {
                check_len(errors, &join(path, name), v, 300);
            }
        }
        check_country(errors, path, "country", &self.country);
    }
}

fn check_country(errors: &mut Errors, path: &str, name: &str, value: &Option<String>) {
    if let Some(v) = value
        && !is_country_code(v)
    {
        errors.add_code(
            join(path, name),
            "country",
            format!("`{v}` is not an ISO 3166-1 alpha-2 country code (e.g. FR, DE, US)"),
        );
    }
}

fn check_date(errors: &mut Errors, path: &str, name: &str, value: &Option<String>) {
    if let Some(v) = value
        && !is_date(v)
    {
        errors.add_code(
            join(path, name),
            "date",
            "must be a date written YYYY-MM-DD",
        );
    }
}

fn check_contact(errors: &mut Errors, path: &str, email: &Option<String>, phone: &Option<String>) {
    if let Some(e) = email
        && !is_email(e)
    {
        errors.add_code(join(path, "email"), "email", "is not an e-mail address");
    }
    if let Some(p) = phone {
        let digits = p.chars().filter(char::is_ascii_digit).count();
        let allowed = p
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c));
        if !allowed || !(5..=15).contains(&digits) {
            errors.add_code(
                join(path, "phone"),
                "phone",
                "is not a phone number (digits, spaces, + - ( ) .)",
            );
        }
    }
}

/// Body of `POST /api/applications`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApplication {
    #[serde(rename = "type")]
    pub kind: SubjectKind,
    /// Workflow template; defaults to `kyb_standard` or `kyc_standard` by type.
    #[schema(max_length = 100)]
    pub template: Option<String>,
    pub business: Option<Business>,
    pub person: Option<Person>,
    #[serde(default)]
    pub relationships: Vec<NewRelationship>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub custom_fields: Map<String, Value>,
    #[schema(min_length = 1, max_length = 255)]
    pub external_id: Option<String>,
    /// At most 50, each 1–100 characters and not blank.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub tags: Vec<String>,
}

/// A case as stored and returned by the API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Application {
    pub id: String,
    /// The case's version: 1 when created, one more with every change (see
    /// `GET /api/applications/{id}/versions`). 0 only on documents stored before versions.
    #[serde(default)]
    pub version: i64,
    #[serde(rename = "type")]
    pub kind: SubjectKind,
    pub template: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business: Option<Business>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<Person>,
    pub relationships: Vec<Relationship>,
    #[schema(value_type = Object)]
    pub custom_fields: Map<String, Value>,
    pub external_id: Option<String>,
    pub tags: Vec<String>,
    pub status_review: StatusReview,
    pub status_execution: StatusExecution,
    pub risk_score: Option<f64>,
    pub risk_level: Option<String>,
    #[serde(with = "crate::time::serde")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[serde(with = "crate::time::serde")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    #[serde(default, with = "crate::time::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub submitted_at: Option<Timestamp>,
    #[serde(default, with = "crate::time::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub decided_at: Option<Timestamp>,
    /// The template's tasks as last evaluated (see `docs/workflows.md`).
    #[serde(default)]
    pub tasks: Vec<Task>,
    /// The risk as last evaluated, with its explanation; `risk_score`/`risk_level` mirror it.
    #[serde(default)]
    pub risk: Option<RiskAssessment>,
    /// Manual risk adjustments, each with its reason; part of every evaluation.
    #[serde(default)]
    pub risk_adjustments: Vec<RiskAdjustment>,
    /// Documents the template expects on this case, after conditions.
    #[serde(default)]
    pub expected_documents: Vec<ExpectedDocument>,
    /// The case's live documents, as the engine sees them (full records under `/documents`).
    #[serde(default)]
    pub documents: Vec<CaseDocument>,
    /// Who may decide this case, from the template's policy.
    #[serde(default)]
    pub review_requirements: ReviewRequirements,
    /// A first approval waiting for its second approver (four-eyes).
    #[serde(default)]
    pub pending_approval: Option<PendingApproval>,
    /// The decision: who, when, why, second approver; `status_review`/`decided_at` mirror it.
    #[serde(default)]
    pub decision: Option<Decision>,
    /// Watchlist hits of the case's parties, with their reviews (see `docs/screening.md`); the
    /// `screening` task's result is derived from them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub screening_hits: Vec<ScreeningHit>,
    /// The onboarding portal the case was created through, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portal_id: Option<String>,
    /// The user the case is assigned to (`POST /api/applications/{id}/assignee`); `null` when
    /// unassigned.
    #[serde(default)]
    pub assignee_id: Option<String>,
}

impl Application {
    /// A case its client is still filling in through a portal (not yet submitted).
    pub fn is_portal_draft(&self) -> bool {
        self.portal_id.is_some() && self.submitted_at.is_none()
    }

    /// When the case reached the team: its creation, or for a case made through a portal its
    /// submission; `None` while its client is still filling it in.
    pub fn received_at(&self) -> Option<Timestamp> {
        if self.is_portal_draft() {
            None
        } else {
            Some(self.submitted_at.unwrap_or(self.created_at))
        }
    }
}

/// Body of `PATCH /api/applications/{id}`: the subject merges field by field (RFC 7386: `null`
/// removes a field), custom fields merge by name, `tags` and `external_id` replace.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationPatch {
    #[schema(value_type = Option<Object>)]
    pub business: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub person: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Option<Map<String, Value>>,
    pub tags: Option<Vec<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub external_id: Option<Option<String>>,
}

/// Distinguishes "absent" (`None`) from "set to null" (`Some(None)`) in patches.
pub mod double_option {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
    where
        T: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Option::<T>::deserialize(de).map(Some)
    }
}

/// Applies an RFC 7386 JSON merge patch to `target`.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(changes) => {
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            let map = target.as_object_mut().expect("made an object above");
            for (k, v) in changes {
                if v.is_null() {
                    map.remove(k);
                } else {
                    merge_patch(map.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        other => *target = other.clone(),
    }
}

/// Re-reads a merged JSON object as a typed value, naming the field at fault.
pub fn typed<T: serde::de::DeserializeOwned>(
    path: &str,
    value: Value,
) -> Result<T, Vec<FieldError>> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let inner = e.path().to_string();
        let field = if inner == "." {
            path.to_string()
        } else {
            join(path, &inner)
        };
        vec![FieldError {
            field,
            code: "invalid",
            message: e.into_inner().to_string(),
        }]
    })
}

impl NewApplication {
    /// Validates the request and turns it into a new case (ids assigned, status pending).
    pub fn into_application(
        self,
        definitions: &[CustomFieldDefinition],
        now: Timestamp,
    ) -> Result<Application, Vec<FieldError>> {
        let template = self
            .template
            .clone()
            .unwrap_or_else(|| default_template(self.kind).into());
        let app = Application {
            id: new_id("app"),
            version: 1,
            kind: self.kind,
            template,
            business: self.business,
            person: self.person,
            relationships: self
                .relationships
                .into_iter()
                .map(NewRelationship::into_relationship)
                .collect(),
            custom_fields: self.custom_fields,
            external_id: self.external_id,
            tags: self.tags,
            status_review: StatusReview::Pending,
            status_execution: StatusExecution::InProgress,
            risk_score: None,
            risk_level: None,
            created_at: now,
            updated_at: now,
            submitted_at: None,
            decided_at: None,
            tasks: Vec::new(),
            risk: None,
            risk_adjustments: Vec::new(),
            expected_documents: Vec::new(),
            documents: Vec::new(),
            review_requirements: ReviewRequirements::default(),
            pending_approval: None,
            decision: None,
            screening_hits: Vec::new(),
            portal_id: None,
            assignee_id: None,
        };
        app.validate(definitions)?;
        Ok(app)
    }
}

/// The template a case gets when the request names none.
pub fn default_template(kind: SubjectKind) -> &'static str {
    match kind {
        SubjectKind::Business => "kyb_standard",
        SubjectKind::Person => "kyc_standard",
    }
}

impl Application {
    /// Checks the whole case: subject matches type, every field, related parties, custom fields.
    pub fn validate(&self, definitions: &[CustomFieldDefinition]) -> Result<(), Vec<FieldError>> {
        let mut errors = Errors::new();
        match self.kind {
            SubjectKind::Business => {
                match &self.business {
                    Some(b) => b.validate(&mut errors, "business"),
                    None => errors.add("business", "a business case needs a `business` object"),
                }
                if self.person.is_some() {
                    errors.add("person", "a business case takes `business`, not `person`");
                }
            }
            SubjectKind::Person => {
                match &self.person {
                    Some(p) => p.validate(&mut errors, "person"),
                    None => errors.add("person", "a person case needs a `person` object"),
                }
                if self.business.is_some() {
                    errors.add("business", "a person case takes `person`, not `business`");
                }
            }
        }
        check_len(&mut errors, "template", &self.template, 100);
        if let Some(x) = &self.external_id {
            if x.is_empty() {
                errors.add(
                    "external_id",
                    "must not be empty (omit it or use null instead)",
                );
            }
            check_len(&mut errors, "external_id", x, 255);
        }
        if self.tags.len() > 50 {
            errors.add("tags", "at most 50 tags");
        }
        for (i, t) in self.tags.iter().enumerate() {
            if t.trim().is_empty() {
                errors.add(format!("tags[{i}]"), "must not be empty");
            }
            check_len(&mut errors, &format!("tags[{i}]"), t, 100);
        }
        validate_values(
            &mut errors,
            "custom_fields",
            &self.custom_fields,
            definitions,
            AppliesTo::Application,
        );
        validate_tree(&mut errors, &self.relationships, definitions);
        errors.into_result()
    }

    /// Applies a patch; the caller validates the result with [`Application::validate`].
    pub fn apply(&mut self, patch: ApplicationPatch) -> Result<(), Vec<FieldError>> {
        if let Some(p) = patch.business {
            if self.kind != SubjectKind::Business {
                return Err(vec![FieldError {
                    field: "business".into(),
                    code: "invalid",
                    message: "this is a person case; patch `person` instead".into(),
                }]);
            }
            let mut current = serde_json::to_value(self.business.clone().unwrap_or_default())
                .expect("a business serialises");
            merge_patch(&mut current, &p);
            self.business = Some(typed("business", current)?);
        }
        if let Some(p) = patch.person {
            if self.kind != SubjectKind::Person {
                return Err(vec![FieldError {
                    field: "person".into(),
                    code: "invalid",
                    message: "this is a business case; patch `business` instead".into(),
                }]);
            }
            let mut current = serde_json::to_value(self.person.clone().unwrap_or_default())
                .expect("a person serialises");
            merge_patch(&mut current, &p);
            self.person = Some(typed("person", current)?);
        }
        if let Some(fields) = patch.custom_fields {
            for (k, v) in fields {
                if v.is_null() {
                    self.custom_fields.remove(&k);
                } else {
                    self.custom_fields.insert(k, v);
                }
            }
        }
        if let Some(tags) = patch.tags {
            self.tags = tags;
        }
        if let Some(external_id) = patch.external_id {
            self.external_id = external_id;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn new_app(v: Value) -> Result<Application, Vec<FieldError>> {
        let req: NewApplication = serde_json::from_value(v).unwrap();
        req.into_application(&[], "2026-01-01T00:00:00Z".parse().unwrap())
    }

    fn fields(r: Result<Application, Vec<FieldError>>) -> Vec<String> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|f| f.field)
            .collect()
    }

    #[test]
    fn a_valid_business_case_gets_defaults() {
        let app = new_app(json!({"type": "business", "business": {"name": "Acme", "country": "FR",
            "incorporation_date": "2015-03-02", "email": "kyc@acme.fr", "phone": "+33 1 23 45 67 89"}}))
        .unwrap();
        assert_eq!(app.template, "kyb_standard");
        assert_eq!(app.status_review, StatusReview::Pending);
        assert!(app.id.starts_with("app_"));
    }

    #[test]
    fn every_bad_field_is_named() {
        let f = fields(new_app(
            json!({"type": "business", "business": {"name": "", "country": "XX",
            "incorporation_date": "2015-13-01", "email": "nope", "address": {"country": "ZZ"}}}),
        ));
        assert_eq!(
            f,
            vec![
                "business.name",
                "business.country",
                "business.incorporation_date",
                "business.email",
                "business.address.country"
            ]
        );
    }

    #[test]
    fn the_subject_must_match_the_type() {
        let f = fields(new_app(
            json!({"type": "person", "business": {"name": "Acme"}}),
        ));
        assert_eq!(f, vec!["person", "business"]);
    }

    #[test]
    fn patches_merge_the_subject_and_can_remove_fields() {
        let mut app = new_app(
            json!({"type": "person", "person": {"first_name": "Sam", "last_name": "Risk",
            "nationality": "FR", "email": "sam@example.com"}, "custom_fields": {}}),
        )
        .unwrap();
        let patch: ApplicationPatch = serde_json::from_value(
            json!({"person": {"nationality": "KP", "email": null}, "tags": ["vip"], "external_id": "crm-1"}),
        )
        .unwrap();
        app.apply(patch).unwrap();
        let p = app.person.as_ref().unwrap();
        assert_eq!(p.nationality.as_deref(), Some("KP"));
        assert_eq!(p.first_name.as_deref(), Some("Sam"));
        assert!(p.email.is_none());
        assert_eq!(app.tags, vec!["vip"]);
        assert_eq!(app.external_id.as_deref(), Some("crm-1"));
    }

    #[test]
    fn a_patch_with_a_wrong_type_names_the_field() {
        let mut app = new_app(json!({"type": "person", "person": {"last_name": "Risk"}})).unwrap();
        let patch: ApplicationPatch =
            serde_json::from_value(json!({"person": {"birth_date": 1990}})).unwrap();
        let err = app.apply(patch).unwrap_err();
        assert_eq!(err[0].field, "person.birth_date");
        let patch: ApplicationPatch =
            serde_json::from_value(json!({"business": {"name": "X"}})).unwrap();
        assert_eq!(app.apply(patch).unwrap_err()[0].field, "business");
    }
}
