//! The bodies of `POST /api/applications/{id}/relationships` (also nested under a related business)
//! and `PATCH …/relationships/{rid}`: `decode_body` as the `JsonBody` extractor, the party added or
//! patched on a case, and the whole case validated (the tree's depth, roles, ownership, custom
//! fields) and evaluated, as the case's save path does.
#![no_main]

use std::sync::LazyLock;

use dossier_domain::application::Application;
use dossier_domain::custom_field::CustomFieldDefinition;
use dossier_domain::relationship::{self, NewRelationship, PartyKind, RelationshipPatch};
use dossier_domain::validation::decode_body;
use dossier_domain::workflow::{CompiledTemplate, Engine};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

#[path = "cases.rs"]
mod cases;

static ENGINE: LazyLock<Engine> = LazyLock::new(Engine::default);
static KYB: LazyLock<CompiledTemplate> = LazyLock::new(|| {
    let t = ENGINE
        .default_templates()
        .expect("the shipped templates compile");
    t.into_iter()
        .find(|t| t.name() == "kyb_standard")
        .expect("kyb_standard ships")
});
static DEFINITIONS: LazyLock<Vec<CustomFieldDefinition>> = LazyLock::new(cases::definitions);
static BASE: LazyLock<Application> = LazyLock::new(cases::business_case);

fn save(app: &Application) {
    if app.validate(&DEFINITIONS).is_ok() {
        cases::evaluate(&ENGINE, &KYB, app);
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let ids: Vec<String> = relationship::walk(&BASE.relationships)
        .into_iter()
        .map(|(_, r)| r.id.clone())
        .collect();
    if let Ok(new) = decode_body::<NewRelationship>(&raw) {
        // On the subject, and under each related business.
        let mut app = BASE.clone();
        app.relationships.push(new.clone().into_relationship());
        save(&app);
        for id in &ids {
            let mut app = BASE.clone();
            let owner = relationship::find_mut(&mut app.relationships, id).expect("listed");
            if owner.kind == PartyKind::Business {
                owner.relationships.push(new.clone().into_relationship());
                save(&app);
            }
        }
    }
    if let Ok(patch) = decode_body::<RelationshipPatch>(&raw) {
        for id in &ids {
            let mut app = BASE.clone();
            let party = relationship::find_mut(&mut app.relationships, id).expect("listed");
            if patch.clone().apply_to(party).is_ok() {
                save(&app);
            }
        }
    }
});
