//! Workspace scoping: what belongs to workspace A is never returned, changed or fanned out to for
//! workspace B.

use dossier_domain::access::Role;
use dossier_domain::application::StatusReview;
use dossier_store::{ApplicationFilter, EventFilter, IdempotentResponse, StoreError};

use crate::common::*;

store_test!(
    nothing_of_workspace_a_is_seen_from_workspace_b,
    |store| async move {
        let a = workspace(&store, "a").await.id;
        let b = workspace(&store, "b").await.id;

        // Workspace A: a case (with its audit chain), an API key, an endpoint, an event and its delivery,
        // an idempotency key.
        let case = new_case("business", Some("shared-ext"));
        insert_case(&store, &a, &case).await;
        let key = store
            .create_api_key(&a, "ci", Role::Automation)
            .await
            .unwrap();
        let endpoint = create_endpoint(&store, &a, &["*"]).await;
        let event = emit(&store, &a, "application.created", Some(&case.id)).await;
        let deliveries = store
            .webhook_deliveries(&a, &endpoint.id, None, 10)
            .await
            .unwrap();
        assert_eq!(
            deliveries.len(),
            1,
            "A's event is delivered to A's endpoint"
        );
        let delivery = deliveries[0].id.clone();
        let mut tx = store.begin().await.unwrap();
        let kept = IdempotentResponse {
            request_hash: "h".into(),
            status: 201,
            body: "{}".into(),
        };
        tx.keep_idempotent_response(&a, "idem-1", &kept)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        // Cases.
        assert_eq!(store.application(&b, &case.id).await.unwrap(), None);
        assert_eq!(store.application_json(&b, &case.id).await.unwrap(), None);
        let all = ApplicationFilter {
            limit: 100,
            ..Default::default()
        };
        assert!(store.applications(&b, &all).await.unwrap().is_empty());
        let by_ext = ApplicationFilter {
            external_id: Some("shared-ext".into()),
            ..all.clone()
        };
        assert!(store.applications(&b, &by_ext).await.unwrap().is_empty());
        assert_eq!(store.applications(&a, &by_ext).await.unwrap().len(), 1);
        let mut tx = store.begin().await.unwrap();
        assert_eq!(tx.application_for_update(&b, &case.id).await.unwrap(), None);
        // An update addressed to B does not touch A's case.
        let mut changed = case.clone();
        changed.status_review = StatusReview::Rejected;
        changed.version += 1;
        let data = serde_json::to_string(&changed).unwrap();
        assert!(matches!(
            tx.update_application(&b, &changed, &data, &dossier_domain::audit::Actor::system())
                .await,
            Err(StoreError::Conflict(_))
        ));
        tx.commit().await.unwrap();
        assert_eq!(
            store.application(&a, &case.id).await.unwrap(),
            Some(case.clone())
        );
        assert!(
            store
                .application_activity(&b, &case.id, None, 10)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            store
                .application_activity(&a, &case.id, None, 10)
                .await
                .unwrap()
                .len(),
            1
        );

        // API keys.
        assert!(store.api_keys(&b).await.unwrap().is_empty());
        assert!(matches!(
            store.revoke_api_key(&b, &key.key.id).await,
            Err(StoreError::NotFound)
        ));
        let (found, _) = store
            .api_key_by_secret(&key.secret)
            .await
            .unwrap()
            .expect("still live");
        assert_eq!(
            found.workspace_id, a,
            "a key authenticates for its own workspace only"
        );

        // Webhooks.
        assert!(store.webhook_endpoints(&b).await.unwrap().is_empty());
        assert_eq!(
            store.webhook_endpoint(&b, &endpoint.id).await.unwrap(),
            None
        );
        let mut tx = store.begin().await.unwrap();
        assert_eq!(
            tx.webhook_endpoint_for_update(&b, &endpoint.id)
                .await
                .unwrap(),
            None
        );
        tx.delete_webhook_endpoint(&b, &endpoint.id).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            store.webhook_endpoint(&a, &endpoint.id).await.unwrap(),
            Some(endpoint.clone()),
            "a delete addressed to B leaves A's endpoint"
        );
        assert!(
            store
                .webhook_deliveries(&b, &endpoint.id, None, 10)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            store.retry_delivery(&b, &endpoint.id, &delivery).await,
            Err(StoreError::NotFound)
        ));
        // B's events are not fanned out to A's endpoint, even one subscribed to everything: no
        // delivery at all is made (B has no endpoint), in either workspace's name.
        assert_eq!(store.outbox_backlog().await.unwrap(), 1);
        emit(&store, &b, "application.created", None).await;
        assert_eq!(store.outbox_backlog().await.unwrap(), 1);
        assert_eq!(
            store
                .webhook_deliveries(&a, &endpoint.id, None, 10)
                .await
                .unwrap()
                .len(),
            1
        );

        // Events.
        let every = EventFilter {
            limit: 100,
            ..Default::default()
        };
        let b_events = store.events(&b, &every).await.unwrap();
        assert_eq!(b_events.len(), 1);
        assert!(
            b_events
                .iter()
                .all(|e| e.workspace_id == b && e.id != event)
        );
        let a_events = store.events(&a, &every).await.unwrap();
        assert_eq!(
            a_events.iter().map(|e| e.id.clone()).collect::<Vec<_>>(),
            vec![event.clone()]
        );
        let of_case = EventFilter {
            application_id: Some(case.id.clone()),
            ..every.clone()
        };
        assert!(store.events(&b, &of_case).await.unwrap().is_empty());

        // Idempotency keys: B neither sees A's response nor collides with its key.
        assert!(
            store
                .idempotent_response(&b, "idem-1")
                .await
                .unwrap()
                .is_none()
        );
        let mut tx = store.begin().await.unwrap();
        let other = IdempotentResponse {
            request_hash: "h2".into(),
            status: 200,
            body: "[]".into(),
        };
        tx.keep_idempotent_response(&b, "idem-1", &other)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            store
                .idempotent_response(&a, "idem-1")
                .await
                .unwrap()
                .unwrap()
                .body,
            "{}"
        );
        assert_eq!(
            store
                .idempotent_response(&b, "idem-1")
                .await
                .unwrap()
                .unwrap()
                .body,
            "[]"
        );

        // Both workspaces' chains still verify.
        assert!(store.verify_audit().await.unwrap().is_none());
    }
);
