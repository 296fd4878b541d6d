//! `dossier serve --demo`: a `demo` workspace with a few realistic cases and, when no watchlist is
//! imported yet, the shipped OFAC SDN sample (`samples/`, dated and labelled as a sample), so a
//! newcomer can screen, complete and approve a case at once. Seeding is done once; later starts
//! reuse the cases and make a fresh key.

use anyhow::Context;
use dossier_app::Config;
use dossier_app::applications;
use dossier_app::watchlists::{after_import, import_snapshot, parse_path};
use dossier_domain::application::NewApplication;
use dossier_domain::audit::Actor;
use dossier_screening::SourceKind;
use dossier_store::{ApplicationFilter, Store};
use serde_json::json;

/// The OFAC SDN list of 2024-05-03, public domain, shipped for the demo (see `samples/README.md`).
const SAMPLE_SDN: &[u8] = include_bytes!("../samples/ofac_sdn-2024-05-03/sdn.csv");
/// The snapshot label the sample is imported under: it says it is a sample and of when.
pub const SAMPLE_LABEL: &str =
    "sample: OFAC SDN list of 2024-05-03 shipped with Dossier (not current)";

/// Imports the shipped OFAC SDN sample as the `ofac_sdn` source when no watchlist is imported, so
/// the demo's screening tasks can run; returns whether it did.
pub async fn import_sample_watchlist(store: &Store, config: &Config) -> anyhow::Result<bool> {
    if !store.latest_watchlist_snapshot_ids().await?.is_empty() {
        return Ok(false);
    }
    let dir = config.data_dir.join("samples").join("ofac_sdn-2024-05-03");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::write(dir.join("sdn.csv"), SAMPLE_SDN)
        .with_context(|| format!("writing {}", dir.display()))?;
    let parsed = parse_path(SourceKind::OfacSdn, &dir).await?;
    let outcome = import_snapshot(
        store,
        SourceKind::OfacSdn.as_str(),
        parsed,
        SAMPLE_LABEL.into(),
    )
    .await?;
    after_import(store, config, &outcome).await?;
    tracing::warn!(
        entities = outcome.snapshot.entity_count,
        "imported the OFAC SDN sample of 2024-05-03 for the demo; it is not current"
    );
    Ok(true)
}

/// Seeds the demo workspace if it is empty and returns a new read-write key for it.
pub async fn seed(store: &Store) -> anyhow::Result<String> {
    let ws = store.ensure_workspace("demo").await?;
    let existing = store
        .applications(
            &ws.id,
            &ApplicationFilter {
                limit: 1,
                ..Default::default()
            },
        )
        .await?;
    if existing.is_empty() {
        let mut tx = store.begin().await?;
        for case in cases() {
            let new: NewApplication = serde_json::from_value(case).context("demo case shape")?;
            applications::create(&mut tx, &ws.id, &Actor::system(), new)
                .await
                .map_err(|e| anyhow::anyhow!("seeding the demo: {e}"))?;
        }
        tx.commit().await?;
    }
    Ok(store
        .create_api_key(&ws.id, "demo", dossier_domain::access::Role::Automation)
        .await?
        .secret)
}

fn cases() -> Vec<serde_json::Value> {
    vec![
        // A company owned through a Dutch holding: two UBOs at 60% and 40% of the holding.
        json!({
            "type": "business",
            "business": {"name": "Acme Logistics SAS", "registration_number": "552100554", "country": "FR",
                         "legal_form": "SAS", "incorporation_date": "2015-03-02", "industry_code": "49.41",
                         "address": {"line1": "10 rue de la Paix", "city": "Paris", "postal_code": "75002", "country": "FR"}},
            "relationships": [
                {"kind": "person", "roles": ["director", "signatory"],
                 "person": {"first_name": "Claire", "last_name": "Martin", "birth_date": "1980-05-17", "nationality": "FR"}},
                {"kind": "business", "roles": ["shareholder"], "ownership_percentage": 100,
                 "business": {"name": "Acme Holding BV", "country": "NL", "registration_number": "12345678"},
                 "relationships": [
                    {"kind": "person", "roles": ["ubo"], "ownership_percentage": 60,
                     "person": {"first_name": "Jan", "last_name": "de Vries", "birth_date": "1975-01-09", "nationality": "NL"}},
                    {"kind": "person", "roles": ["ubo"], "ownership_percentage": 40,
                     "person": {"first_name": "Eva", "last_name": "Jansen", "birth_date": "1982-11-30", "nationality": "NL"}}]}
            ],
            "external_id": "crm-0001",
            "tags": ["demo", "holding"]
        }),
        // A sole trader: a one-person business, owner and director at once.
        json!({
            "type": "business",
            "business": {"name": "Boulangerie Dupont EI", "country": "FR", "legal_form": "EI",
                         "incorporation_date": "2021-09-15", "industry_code": "10.71",
                         "address": {"line1": "3 place du Marché", "city": "Lyon", "postal_code": "69002", "country": "FR"}},
            "relationships": [
                {"kind": "person", "roles": ["ubo", "director", "signatory"], "ownership_percentage": 100,
                 "person": {"first_name": "Marc", "last_name": "Dupont", "birth_date": "1988-07-02", "nationality": "FR"}}
            ],
            "external_id": "crm-0002",
            "tags": ["demo", "sole-trader"]
        }),
        // A natural person.
        json!({
            "type": "person",
            "person": {"first_name": "Ana", "last_name": "López García", "birth_date": "1990-02-03",
                       "nationality": "ES", "country_of_residence": "PT", "email": "ana.lopez@example.com",
                       "address": {"line1": "Rua Augusta 100", "city": "Lisboa", "postal_code": "1100-053", "country": "PT"}},
            "external_id": "crm-0003",
            "tags": ["demo"]
        }),
    ]
}

/// The demo workspace's admin: created at the first demo start, given a fresh password at each
/// start (printed, like the key). Returns the login.
pub async fn admin(store: &Store, config: &Config) -> anyhow::Result<(String, String)> {
    let ws = store.ensure_workspace("demo").await?;
    let app = dossier_app::App::new(store.clone(), config.clone())?;
    let p = dossier_app::Principal::cli(&ws.id);
    let email = "admin@demo.dossier.test".to_string();
    let existing = app
        .users(&p)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.detail()))?
        .into_iter()
        .find(|u| u.email == email);
    let password = match existing {
        Some(user) => app.reset_password(&p, &user.id).await,
        None => app
            .create_user(
                &p,
                dossier_app::users::NewUser {
                    email: email.clone(),
                    name: "Demo Admin".into(),
                    role: "admin".into(),
                    password: None,
                },
            )
            .await
            .map(|(_, generated)| generated.expect("no password was given")),
    }
    .map_err(|e| anyhow::anyhow!("{}", e.detail()))?;
    Ok((email, password))
}
