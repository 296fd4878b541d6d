//! Lists whose cursor is an id must not depend on the database's collation. A PostgreSQL cluster made
//! with the machine's locale (`initdb` on an `en_US.UTF-8` system, the usual case) sorts text by
//! language rules, where punctuation such as `~` sorts *before* letters: a "larger than every id"
//! sentinel compared with `id < '~'` then matches no row at all.

use dossier_domain::audit::Actor;
use dossier_domain::workflow::{DocumentStatus, RiskAssessment};
use dossier_store::{Backend, Document, RiskHistoryEntry, Store, now};

use crate::common::*;

/// The first page (no cursor) of each id-paged list of a case lists what was written.
async fn first_pages_list_everything(store: Store) {
    let ws = workspace(&store, "acme").await.id;
    let case = create_case(&store, &ws, "business").await.id;
    let endpoint = create_endpoint(&store, &ws, &["*"]).await;
    emit(&store, &ws, "application.created", Some(&case)).await;
    let at = now();
    let mut tx = store.begin().await.unwrap();
    tx.insert_document(
        &ws,
        &Document {
            id: dossier_domain::id::new_id("doc"),
            application_id: case.clone(),
            relationship_id: None,
            document_type: "passport".into(),
            filename: Some("p.pdf".into()),
            content_type: "application/pdf".into(),
            size: 3,
            sha256: "00".into(),
            status: DocumentStatus::Unset,
            reason: None,
            uploaded_by: Actor::system(),
            created_at: at.clone(),
            updated_at: at.clone(),
            deleted_at: None,
            storage_key: "k".into(),
        },
    )
    .await
    .unwrap();
    tx.insert_risk_history(
        &ws,
        &RiskHistoryEntry {
            id: dossier_domain::id::new_id("rsk"),
            application_id: case.clone(),
            score: 10,
            level: "low".into(),
            cause: "application.created".into(),
            actor: Actor::system(),
            assessment: RiskAssessment {
                score: 10,
                level: "low".into(),
                explanation: Vec::new(),
                floor_applied: None,
                errors: Vec::new(),
                template: "kyb_standard".into(),
                template_version: 1,
            },
            created_at: at,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    assert_eq!(
        store
            .webhook_deliveries(&ws, &endpoint.id, None, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store.documents(&ws, &case, None, 10).await.unwrap().len(),
        1
    );
    assert_eq!(
        store
            .risk_history(&ws, &case, None, 10)
            .await
            .unwrap()
            .len(),
        1
    );
}

store_test!(first_pages_of_id_paged_lists, |store| async move {
    first_pages_list_everything(store).await;
});

/// The same on a PostgreSQL database with a language collation (ICU `en-US`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_pages_of_id_paged_lists_under_a_language_collation_postgres() {
    let db = TestDb::with_options(
        Backend::Postgres,
        "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'",
    )
    .await;
    run_on(db, first_pages_list_everything).await;
}
