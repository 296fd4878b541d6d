//! The audit chains: each case's entries, and the workspace's own, link by hash from the genesis
//! hash; `verify_audit` passes on what the store wrote and reports any edit made behind its back.

use dossier_domain::access::Role;
use dossier_domain::audit::{Actor, ChainedFields, Change, GENESIS_HASH, entry_hash};
use dossier_store::{AuditEntry, ChainBreak, Store};

use crate::common::*;

async fn audit_case(store: &Store, ws: &str, case: &str, action: &str) {
    let mut tx = store.begin().await.unwrap();
    let change = Change {
        path: "tags".into(),
        before: serde_json::json!([]),
        after: serde_json::json!([action]),
    };
    tx.audit(
        ws,
        &Actor::api_key("key_1", Role::Automation),
        action,
        "application",
        case,
        Some(case),
        &[change],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn broken(store: &Store) -> ChainBreak {
    store
        .verify_audit()
        .await
        .unwrap()
        .expect("verification reports a break")
}

/// Oldest first.
async fn chain_of(store: &Store, ws: &str, case: &str) -> Vec<AuditEntry> {
    let mut entries = store
        .application_activity(ws, case, None, 10_000)
        .await
        .unwrap();
    entries.reverse();
    entries
}

fn assert_linked(entries: &[AuditEntry]) {
    let mut prev = GENESIS_HASH.to_string();
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e.seq, i as i64 + 1);
        assert_eq!(e.prev_hash, prev, "entry {} links to the one before", e.seq);
        prev = e.hash.clone();
    }
}

store_test!(entries_chain_per_case_and_verify, |store| async move {
    let ws = workspace(&store, "acme").await.id;
    let one = create_case(&store, &ws, "business").await.id;
    let two = create_case(&store, &ws, "person").await.id;
    audit_case(&store, &ws, &one, "application.updated").await;
    audit_case(&store, &ws, &two, "application.updated").await;
    audit_case(&store, &ws, &one, "application.submitted").await;
    store
        .create_api_key(&ws, "k", Role::Automation)
        .await
        .unwrap();

    let chain = chain_of(&store, &ws, &one).await;
    assert_eq!(
        chain.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        [
            "application.created",
            "application.updated",
            "application.submitted"
        ]
    );
    assert_linked(&chain);
    assert_eq!(chain[1].actor, Actor::api_key("key_1", Role::Automation));
    assert_eq!(
        chain[1].changes[0].after,
        serde_json::json!(["application.updated"])
    );
    assert_linked(&chain_of(&store, &ws, &two).await);
    assert_eq!(store.audit_entry_count().await.unwrap(), 6);

    // Activity pages by sequence number, newest first.
    let page = store
        .application_activity(&ws, &one, Some(3), 1)
        .await
        .unwrap();
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![2]);

    assert!(store.verify_audit().await.unwrap().is_none());
});

store_test!(an_edited_entry_is_reported, |store| async move {
    let ws = workspace(&store, "acme").await.id;
    let case = create_case(&store, &ws, "business").await.id;
    audit_case(&store, &ws, &case, "application.updated").await;
    audit_case(&store, &ws, &case, "application.approved").await;
    assert!(store.verify_audit().await.unwrap().is_none());
    let entry = chain_of(&store, &ws, &case).await.remove(1);

    // The content of entry 2, edited.
    let edited = raw_sql(
        &store,
        &format!(
            "UPDATE audit_entries SET action = 'application.rejected' WHERE id = '{}'",
            entry.id
        ),
    )
    .await;
    assert_eq!(edited, 1);
    let b = broken(&store).await;
    assert_eq!(
        (b.workspace_id.as_str(), b.chain.as_str(), b.seq),
        (ws.as_str(), case.as_str(), 2)
    );
    assert_eq!(b.entry_id.as_deref(), Some(entry.id.as_str()));
    assert!(b.reason.contains("hash"), "{}", b.reason);

    // Put back as it was, the chain verifies again: the check is about the content, nothing else.
    raw_sql(
        &store,
        &format!(
            "UPDATE audit_entries SET action = '{}' WHERE id = '{}'",
            entry.action, entry.id
        ),
    )
    .await;
    assert!(store.verify_audit().await.unwrap().is_none());

    // An edit of the workspace chain (an API key's creation) is reported too, on chain "".
    store
        .create_api_key(&ws, "k", Role::Automation)
        .await
        .unwrap();
    raw_sql(
        &store,
        "UPDATE audit_entries SET actor_id = 'someone' WHERE chain = ''",
    )
    .await;
    let b = broken(&store).await;
    assert_eq!((b.chain.as_str(), b.seq), ("", 1));
});

store_test!(
    a_rehashed_edit_breaks_the_link_to_the_next_entry,
    |store| async move {
        let ws = workspace(&store, "acme").await.id;
        let case = create_case(&store, &ws, "business").await.id;
        audit_case(&store, &ws, &case, "application.updated").await;
        audit_case(&store, &ws, &case, "application.approved").await;
        let entry = chain_of(&store, &ws, &case).await.remove(1);

        // Someone edits entry 2 and recomputes its hash so that it matches its new content.
        let changes = "[]";
        let hash = entry_hash(&ChainedFields {
            workspace_id: &ws,
            seq: entry.seq,
            id: &entry.id,
            at: &entry.at,
            actor_kind: &entry.actor.kind,
            actor_id: &entry.actor.id,
            actor_role: Some(entry.actor.role.as_str()),
            action: &entry.action,
            object_type: &entry.object_type,
            object_id: &entry.object_id,
            application_id: entry.application_id.as_deref(),
            changes,
            prev_hash: &entry.prev_hash,
            version_hash: None,
        });
        raw_sql(
            &store,
            &format!(
                "UPDATE audit_entries SET changes = '{changes}', hash = '{hash}' WHERE id = '{}'",
                entry.id
            ),
        )
        .await;
        let b = broken(&store).await;
        assert_eq!((b.chain.as_str(), b.seq), (case.as_str(), 3));
        assert!(b.reason.contains("link"), "{}", b.reason);
    }
);

store_test!(removed_entries_are_reported, |store| async move {
    let ws = workspace(&store, "acme").await.id;
    let case = create_case(&store, &ws, "business").await.id;
    audit_case(&store, &ws, &case, "application.updated").await;
    audit_case(&store, &ws, &case, "application.submitted").await;
    audit_case(&store, &ws, &case, "application.approved").await;
    let entries = chain_of(&store, &ws, &case).await;

    // The last entry, deleted: the chain now ends before its head.
    raw_sql(
        &store,
        &format!("DELETE FROM audit_entries WHERE id = '{}'", entries[3].id),
    )
    .await;
    let b = broken(&store).await;
    assert_eq!((b.chain.as_str(), b.seq), (case.as_str(), 4));
    assert!(b.reason.contains("head"), "{}", b.reason);

    // An entry in the middle, deleted: a gap.
    raw_sql(
        &store,
        &format!("DELETE FROM audit_entries WHERE id = '{}'", entries[1].id),
    )
    .await;
    let b = broken(&store).await;
    assert_eq!((b.chain.as_str(), b.seq), (case.as_str(), 2));
    assert!(b.reason.contains("missing"), "{}", b.reason);

    // Every entry of the chain, deleted: its head still counts them.
    raw_sql(
        &store,
        &format!("DELETE FROM audit_entries WHERE chain = '{case}'"),
    )
    .await;
    let b = broken(&store).await;
    assert_eq!(b.chain, case);
    assert!(b.reason.contains("empty"), "{}", b.reason);
});

store_test!(
    a_long_chain_verifies_across_pages_and_reports_a_late_break,
    |store| async move {
        // 1 200 entries: written in statements of 500 rows, verified in pages of 1 000.
        let ws = workspace(&store, "acme").await.id;
        let app = new_case("business", None);
        let mut tx = store.begin().await.unwrap();
        insert_case_in(&mut tx, &ws, &app).await;
        for i in 0..1199 {
            tx.audit(
                &ws,
                &Actor::system(),
                &format!("step.{i}"),
                "application",
                &app.id,
                Some(&app.id),
                &[],
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let chain = chain_of(&store, &ws, &app.id).await;
        assert_eq!(chain.len(), 1200);
        assert_linked(&chain);
        assert!(store.verify_audit().await.unwrap().is_none());

        // One more transaction appends after the head.
        audit_case(&store, &ws, &app.id, "application.updated").await;
        assert_linked(&chain_of(&store, &ws, &app.id).await);
        assert!(store.verify_audit().await.unwrap().is_none());

        raw_sql(
        &store,
        &format!("UPDATE audit_entries SET at = '1999-01-01T00:00:00.000000Z' WHERE chain = '{}' AND seq = 1100", app.id),
    )
    .await;
        let b = broken(&store).await;
        assert_eq!((b.chain.as_str(), b.seq), (app.id.as_str(), 1100));
    }
);

store_test!(
    concurrent_writers_of_one_chain_never_fork_it,
    |store| async move {
        let ws = workspace(&store, "acme").await.id;
        let case = create_case(&store, &ws, "business").await.id;
        let mut running = tokio::task::JoinSet::new();
        for i in 0..8 {
            let (store, ws, case) = (store.clone(), ws.clone(), case.clone());
            running.spawn(async move {
                for j in 0..4 {
                    audit_case(&store, &ws, &case, &format!("writer.{i}.{j}")).await;
                }
                store
                    .create_api_key(&ws, &format!("key-{i}"), Role::Automation)
                    .await
                    .unwrap();
            });
        }
        while let Some(done) = running.join_next().await {
            done.unwrap();
        }
        let chain = chain_of(&store, &ws, &case).await;
        assert_eq!(chain.len(), 1 + 8 * 4);
        assert_linked(&chain);
        assert_eq!(store.audit_entry_count().await.unwrap(), 1 + 8 * 4 + 8);
        assert!(store.verify_audit().await.unwrap().is_none());
    }
);
