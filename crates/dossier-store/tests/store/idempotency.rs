//! Idempotency keys: a kept response reads back; a second keep under the key conflicts.

use dossier_store::{IdempotentResponse, StoreError};

use crate::common::*;

store_test!(
    a_kept_response_reads_back_and_its_key_cannot_be_kept_twice,
    |store| async move {
        let ws = workspace(&store, "acme").await.id;
        assert!(
            store
                .idempotent_response(&ws, "k1")
                .await
                .unwrap()
                .is_none()
        );

        let first = IdempotentResponse {
            request_hash: "hash-1".into(),
            status: 201,
            body: r#"{"id":"app_1"}"#.into(),
        };
        let mut tx = store.begin().await.unwrap();
        tx.keep_idempotent_response(&ws, "k1", &first)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let kept = store.idempotent_response(&ws, "k1").await.unwrap().unwrap();
        assert_eq!(
            (kept.request_hash.as_str(), kept.status, kept.body.as_str()),
            ("hash-1", 201, r#"{"id":"app_1"}"#)
        );

        // A concurrent request that lost the race: Conflict, and the first response stays.
        let second = IdempotentResponse {
            request_hash: "hash-2".into(),
            status: 200,
            body: "{}".into(),
        };
        let mut tx = store.begin().await.unwrap();
        let err = tx
            .keep_idempotent_response(&ws, "k1", &second)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        tx.rollback().await.unwrap();
        assert_eq!(
            store
                .idempotent_response(&ws, "k1")
                .await
                .unwrap()
                .unwrap()
                .body,
            kept.body
        );

        // Another key is independent.
        let mut tx = store.begin().await.unwrap();
        tx.keep_idempotent_response(&ws, "k2", &second)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            store
                .idempotent_response(&ws, "k2")
                .await
                .unwrap()
                .unwrap()
                .status,
            200
        );
    }
);

store_test!(
    a_response_is_kept_only_if_its_transaction_commits,
    |store| async move {
        let ws = workspace(&store, "acme").await.id;
        let r = IdempotentResponse {
            request_hash: "h".into(),
            status: 201,
            body: "{}".into(),
        };
        let mut tx = store.begin().await.unwrap();
        let case = new_case("business", None);
        insert_case_in(&mut tx, &ws, &case).await;
        tx.keep_idempotent_response(&ws, "k", &r).await.unwrap();
        tx.rollback().await.unwrap();
        assert!(store.idempotent_response(&ws, "k").await.unwrap().is_none());
        assert!(store.application(&ws, &case.id).await.unwrap().is_none());
        assert!(store.verify_audit().await.unwrap().is_none());
    }
);
