//! Case versions: one per change, read back as stored; events rendered from the version they
//! announce, byte for byte; verify catching an edited version; migration 0012 of data written the
//! way the code before it did.

use dossier_domain::application::Application;
use dossier_domain::audit::{
    Actor, ChainedFields, Change, GENESIS_HASH, created_changes_json, diff, document_hash,
    entry_hash,
};
use dossier_store::{EventFilter, Store, Tx, now};
use serde_json::Value;

use crate::common::*;

/// An audit entry as the activity reads it: seq, action, changes, hash, version.
type Read = (i64, String, Vec<Change>, String, Option<i64>);

/// Changes the case's tags as the service does: read for update, next version, event, audit.
async fn change_tags(store: &Store, ws: &str, id: &str, tags: &[&str]) -> Application {
    let mut tx = store.begin().await.unwrap();
    let before = tx.application_for_update(ws, id).await.unwrap().unwrap();
    let mut app = before.clone();
    app.tags = tags.iter().map(|t| t.to_string()).collect();
    app.updated_at = dossier_domain::time::now();
    app.version = before.version + 1;
    let data = serde_json::to_string(&app).unwrap();
    tx.update_application(ws, &app, &data, &Actor::system())
        .await
        .unwrap();
    tx.emit_version(ws, "application.updated", id, app.version)
        .await
        .unwrap();
    let changes = diff(
        &serde_json::to_value(&before).unwrap(),
        &serde_json::to_value(&app).unwrap(),
    );
    tx.audit(
        ws,
        &Actor::system(),
        "application.updated",
        "application",
        id,
        Some(id),
        &changes,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    app
}

async fn exec(tx: &mut Tx, sql: &str, bytes: Vec<u8>) {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .bind(bytes)
        .execute(tx.conn().await.unwrap())
        .await
        .unwrap();
}

store_test!(every_change_stores_one_version, |store| async move {
    let ws = workspace(&store, "acme").await.id;
    let v1 = create_case(&store, &ws, "business").await;
    assert_eq!(v1.version, 1);
    let v2 = change_tags(&store, &ws, &v1.id, &["vip"]).await;
    let v3 = change_tags(&store, &ws, &v1.id, &["vip", "fr"]).await;
    assert_eq!((v2.version, v3.version), (2, 3));

    let current = store.application_json(&ws, &v1.id).await.unwrap().unwrap();
    assert_eq!(current, serde_json::to_string(&v3).unwrap());
    for v in [&v1, &v2, &v3] {
        let text = store
            .application_version_json(&ws, &v1.id, v.version)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(text, serde_json::to_string(v).unwrap());
    }
    assert_eq!(
        store
            .application_version_json(&ws, &v1.id, 4)
            .await
            .unwrap(),
        None
    );

    let list = store
        .application_versions(&ws, &v1.id, None, 10)
        .await
        .unwrap();
    let numbers: Vec<i64> = list.iter().map(|v| v.version).collect();
    assert_eq!(numbers, vec![3, 2, 1]);
    assert_eq!(list[0].hash, document_hash(&current));
    assert_eq!(list[0].at, dossier_store::timestamp(v3.updated_at));
    assert_eq!(list[0].actor, Actor::system());
    let older = store
        .application_versions(&ws, &v1.id, Some(3), 1)
        .await
        .unwrap();
    assert_eq!(older[0].version, 2);

    // As of a time: the newest version at or before it; nothing before the creation.
    let as_of = |at: String| {
        let store = store.clone();
        let (ws, id) = (ws.clone(), v1.id.clone());
        async move { store.application_json_as_of(&ws, &id, &at).await.unwrap() }
    };
    assert_eq!(
        as_of(dossier_store::timestamp(v2.updated_at)).await,
        Some(serde_json::to_string(&v2).unwrap())
    );
    assert_eq!(as_of(now()).await, Some(current.clone()));
    assert_eq!(as_of("2000-01-01T00:00:00.000000Z".into()).await, None);

    // The list and the read for update see the current version.
    let listed = store
        .applications(
            &ws,
            &dossier_store::ApplicationFilter {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(listed, vec![v3.clone()]);

    // Each audit entry references the version its change produced.
    let activity = store
        .application_activity(&ws, &v1.id, None, 10)
        .await
        .unwrap();
    let versions: Vec<Option<i64>> = activity.iter().map(|e| e.version).collect();
    assert_eq!(versions, vec![Some(3), Some(2), Some(1)]);
    assert_eq!(store.verify_audit().await.unwrap().map(|b| b.reason), None);
});

store_test!(a_stale_version_is_a_conflict, |store| async move {
    let ws = workspace(&store, "acme").await.id;
    let v1 = create_case(&store, &ws, "business").await;
    let mut tx = store.begin().await.unwrap();
    let mut stale = v1.clone();
    stale.version = 3;
    let data = serde_json::to_string(&stale).unwrap();
    assert!(matches!(
        tx.update_application(&ws, &stale, &data, &Actor::system())
            .await,
        Err(dossier_store::StoreError::Conflict(_))
    ));
});

store_test!(
    events_of_a_case_are_rendered_from_their_version,
    |store| async move {
        let ws = workspace(&store, "acme").await.id;
        let endpoint = create_endpoint(&store, &ws, &["application.updated"]).await;
        let v1 = create_case(&store, &ws, "business").await;
        let v2 = change_tags(&store, &ws, &v1.id, &["vip"]).await;
        change_tags(&store, &ws, &v1.id, &["vip", "later"]).await;

        let events = store
            .events(
                &ws,
                &EventFilter {
                    limit: 10,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(events.len(), 2);
        let first = &events[1];
        // The envelope as it was built before events were stored by reference, with version 2.
        let expected = format!(
            "{{\"event_id\":\"{}\",\"type\":\"application.updated\",\"created_at\":\"{}\",\"data\":{{\"object\":{},\"application_id\":\"{}\"}}}}",
            first.id,
            first.created_at,
            serde_json::to_string(&v2).unwrap(),
            v1.id
        );
        assert_eq!(
            first.envelope,
            serde_json::from_str::<Value>(&expected).unwrap()
        );

        // The bytes a receiver gets: exactly that text.
        let claimed = store
            .claim_due_deliveries(&from_now(600), 10)
            .await
            .unwrap();
        let d = claimed
            .iter()
            .find(|d| d.event_id == first.id)
            .expect("delivery of the first update");
        assert_eq!(d.endpoint_id, endpoint.id);
        assert_eq!(d.payload, expected);

        // A version that is gone (retention) renders as a stub that says so.
        raw_sql(
            &store,
            &format!(
                "DELETE FROM application_versions WHERE application_id = '{}' AND version = 2",
                v1.id
            ),
        )
        .await;
        let events = store
            .events(
                &ws,
                &EventFilter {
                    limit: 10,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(
            events[1].envelope["data"]["object"],
            serde_json::json!({"id": v1.id, "version": 2, "retained": false})
        );
        assert_eq!(events[1].envelope["data"]["application_id"], v1.id.as_str());
        // …and verification says the version its audit entry references is missing.
        let b = store.verify_audit().await.unwrap().expect("a break");
        assert!(b.reason.contains("missing"), "{}", b.reason);
    }
);

store_test!(
    a_version_is_stored_in_its_backends_codec_and_every_codec_reads,
    |store| async move {
        use dossier_store::Backend::{Postgres, Sqlite};
        let ws = workspace(&store, "acme").await.id;
        let app = create_case(&store, &ws, "business").await;
        let text = store.application_json(&ws, &app.id).await.unwrap().unwrap();
        let mut tx = store.begin().await.unwrap();
        let stored: String = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT encoding FROM application_versions WHERE application_id = '{}'",
            app.id
        )))
        .fetch_one(tx.conn().await.unwrap())
        .await
        .unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(stored, dossier_store::version_encoding(store.backend()));
        // A version written by either backend's codec (a database moved by dump and restore, or
        // written before the codec changed) reads back the same.
        for codec in [Sqlite, Postgres] {
            let mut tx = store.begin().await.unwrap();
            exec(
                &mut tx,
                &format!(
                    "UPDATE application_versions SET encoding = '{}', data = $1 \
                     WHERE application_id = '{}'",
                    dossier_store::version_encoding(codec),
                    app.id
                ),
                dossier_store::encode_version(codec, &text),
            )
            .await;
            tx.commit().await.unwrap();
            assert_eq!(
                store.application_json(&ws, &app.id).await.unwrap(),
                Some(text.clone())
            );
        }
        // A corrupt row is an error, not an allocation of the size it claims.
        let mut tx = store.begin().await.unwrap();
        let mut huge = u32::MAX.to_le_bytes().to_vec();
        huge.extend_from_slice(b"not lz4");
        exec(
            &mut tx,
            &format!(
                "UPDATE application_versions SET encoding = 'lz4', data = $1 \
                 WHERE application_id = '{}'",
                app.id
            ),
            huge,
        )
        .await;
        tx.commit().await.unwrap();
        assert!(store.application_json(&ws, &app.id).await.is_err());
    }
);

store_test!(an_edited_version_breaks_verify, |store| async move {
    let ws = workspace(&store, "acme").await.id;
    let v1 = create_case(&store, &ws, "business").await;
    let v2 = change_tags(&store, &ws, &v1.id, &["vip"]).await;
    assert!(store.verify_audit().await.unwrap().is_none());

    // Version 2 rewritten (stored as plain JSON, which the store also reads), hash column untouched.
    let mut forged = v2.clone();
    forged.tags = vec!["clean".into()];
    let text = serde_json::to_string(&forged).unwrap();
    let mut tx = store.begin().await.unwrap();
    exec(
        &mut tx,
        &format!(
            "UPDATE application_versions SET encoding = 'json', data = $1 \
             WHERE application_id = '{}' AND version = 2",
            v1.id
        ),
        text.clone().into_bytes(),
    )
    .await;
    tx.commit().await.unwrap();
    assert_eq!(
        store.application_json(&ws, &v1.id).await.unwrap(),
        Some(text.clone())
    );
    let b = store.verify_audit().await.unwrap().expect("a break");
    assert_eq!(b.chain, v1.id);
    assert!(b.reason.contains("version 2"), "{}", b.reason);

    // The same edit with the version's own hash recomputed: its audit entry still says otherwise.
    raw_sql(
        &store,
        &format!(
            "UPDATE application_versions SET hash = '{}' WHERE application_id = '{}' AND version = 2",
            document_hash(&text),
            v1.id
        ),
    )
    .await;
    let b = store.verify_audit().await.unwrap().expect("a break");
    assert_eq!((b.chain.as_str(), b.seq), (v1.id.as_str(), 2));
    assert!(b.reason.contains("altered"), "{}", b.reason);
});

/// Migration 0012 on a database written the way the code before it did: the case's document in its
/// row, the event's envelope inline, the creation entry embedding the whole case.
async fn old_data_reads_the_same_after_migration(store: Store) {
    let ws = workspace(&store, "acme").await.id;
    let mut app = new_case("business", Some("ext-1"));
    // Documents of then had no `version`.
    let mut doc = serde_json::to_value(&app).unwrap();
    doc.as_object_mut().unwrap().remove("version");
    let data = doc.to_string();
    app.version = 0;
    let insert = format!(
        "INSERT INTO applications (id, workspace_id, kind, external_id, status_review, status_execution, \
         risk_level, risk_score, created_at, updated_at, data) VALUES ('{}', '{ws}', 'business', 'ext-1', \
         'pending', 'in_progress', NULL, NULL, '{}', '{}', '{}')",
        app.id,
        dossier_store::timestamp(app.created_at),
        dossier_store::timestamp(app.updated_at),
        data.replace('\'', "''")
    );
    raw_sql(&store, &insert).await;
    let envelope = format!(
        "{{\"event_id\":\"evt_old\",\"type\":\"application.created\",\"created_at\":\"{}\",\"data\":{{\"object\":{data},\"application_id\":\"{}\"}}}}",
        dossier_store::timestamp(app.created_at),
        app.id
    );
    raw_sql(
        &store,
        &format!(
            "INSERT INTO events (id, workspace_id, type, application_id, created_at, payload) \
             VALUES ('evt_old', '{ws}', 'application.created', '{}', '{}', '{}')",
            app.id,
            dossier_store::timestamp(app.created_at),
            envelope.replace('\'', "''")
        ),
    )
    .await;
    // Two entries of the case's chain, hashed as the old code hashed them.
    let created = created_changes_json(&data);
    let updated = serde_json::to_string(&[Change {
        path: "tags".into(),
        before: serde_json::json!([]),
        after: serde_json::json!(["vip"]),
    }])
    .unwrap();
    let mut prev = GENESIS_HASH.to_string();
    let mut hashes = Vec::new();
    for (seq, action, changes) in [
        (1, "application.created", &created),
        (2, "application.updated", &updated),
    ] {
        let id = format!("aud_old{seq}");
        let at = now();
        let hash = entry_hash(&ChainedFields {
            workspace_id: &ws,
            seq,
            id: &id,
            at: &at,
            actor_kind: "api_key",
            actor_id: "key_1",
            actor_role: Some("automation"),
            action,
            object_type: "application",
            object_id: &app.id,
            application_id: Some(&app.id),
            changes,
            prev_hash: &prev,
            version_hash: None,
        });
        raw_sql(
            &store,
            &format!(
                "INSERT INTO audit_entries (id, workspace_id, seq, at, actor_kind, actor_id, action, \
                 object_type, object_id, application_id, changes, prev_hash, hash, chain, actor_role) \
                 VALUES ('{id}', '{ws}', {seq}, '{at}', 'api_key', 'key_1', '{action}', 'application', \
                 '{app_id}', '{app_id}', '{}', '{prev}', '{hash}', '{app_id}', 'automation')",
                changes.replace('\'', "''"),
                app_id = app.id,
            ),
        )
        .await;
        hashes.push(hash.clone());
        prev = hash;
    }
    raw_sql(
        &store,
        &format!(
            "INSERT INTO audit_heads (workspace_id, chain, seq, hash) VALUES ('{ws}', '{}', 2, '{prev}')",
            app.id
        ),
    )
    .await;
    // 0012 and every migration after it.
    let applied = store.migrate().await.unwrap();
    assert_eq!(applied.first(), Some(&12));
    assert_eq!(applied.last(), Some(&dossier_store::LATEST_VERSION));

    // The case: version 1, otherwise as it was.
    let text = store.application_json(&ws, &app.id).await.unwrap().unwrap();
    let migrated: Application = serde_json::from_str(&text).unwrap();
    assert_eq!(
        migrated,
        Application {
            version: 1,
            ..app.clone()
        }
    );
    let versions = store
        .application_versions(&ws, &app.id, None, 10)
        .await
        .unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].version, 1);
    assert_eq!(versions[0].hash, document_hash(&text));
    assert_eq!(versions[0].actor.id, "migration");
    let row_data: Vec<String> = sqlx::query_scalar("SELECT data FROM applications")
        .fetch_all(&mut *store.begin().await.unwrap().conn().await.unwrap())
        .await
        .unwrap();
    assert_eq!(row_data, vec![String::new()], "no second copy of the case");

    // The event: the same envelope, read from its inline payload.
    let events = store
        .events(
            &ws,
            &EventFilter {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        events[0].envelope,
        serde_json::from_str::<Value>(&envelope).unwrap()
    );

    // The activity reads the same (the creation entry with the whole case), and the chain verifies.
    let activity = store
        .application_activity(&ws, &app.id, None, 10)
        .await
        .unwrap();
    let read: Vec<Read> = activity
        .into_iter()
        .map(|e| (e.seq, e.action, e.changes, e.hash, e.version))
        .collect();
    let parse = |text: &str| serde_json::from_str::<Vec<Change>>(text).unwrap();
    assert_eq!(
        read,
        vec![
            (
                2,
                "application.updated".to_string(),
                parse(&updated),
                hashes[1].clone(),
                None
            ),
            (
                1,
                "application.created".to_string(),
                parse(&created),
                hashes[0].clone(),
                None
            ),
        ]
    );
    assert_eq!(read[1].2[0].after, doc);
    assert_eq!(store.verify_audit().await.unwrap().map(|b| b.reason), None);

    // The case changes on from version 1, and its chain goes on verifying.
    let v2 = change_tags(&store, &ws, &migrated.id, &["vip", "fr"]).await;
    assert_eq!(v2.version, 2);
    assert_eq!(store.verify_audit().await.unwrap().map(|b| b.reason), None);
}

mod migration_0012 {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        run_at_version(
            dossier_store::Backend::Sqlite,
            11,
            old_data_reads_the_same_after_migration,
        )
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        run_at_version(
            dossier_store::Backend::Postgres,
            11,
            old_data_reads_the_same_after_migration,
        )
        .await;
    }
}
