//! Webhook deliveries as a job queue: claiming leases a delivery, a finished attempt settles or
//! reschedules it, an expired lease makes it claimable again, concurrent claimers never share one.

use std::collections::HashSet;
use std::sync::Arc;

use dossier_store::{AttemptOutcome, ClaimedDelivery, Delivery, Store};

use crate::common::*;

async fn delivery(store: &Store, ws: &str, endpoint: &str, id: &str) -> Delivery {
    store
        .webhook_deliveries(ws, endpoint, None, 1000)
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.id == id)
        .expect("the delivery is listed")
}

fn claimed_ids(c: &[ClaimedDelivery]) -> HashSet<String> {
    c.iter().map(|d| d.id.clone()).collect()
}

store_test!(
    a_claimed_delivery_is_leased_until_its_attempt_is_recorded,
    |store| async move {
        let ws = workspace(&store, "acme").await.id;
        let endpoint = create_endpoint(&store, &ws, &["application.created"]).await;
        let other = create_endpoint(&store, &ws, &["document.uploaded"]).await;
        let event = emit(&store, &ws, "application.created", None).await;
        assert!(
            store
                .webhook_deliveries(&ws, &other.id, None, 10)
                .await
                .unwrap()
                .is_empty(),
            "an endpoint gets only the events it subscribes to"
        );
        assert_eq!(store.outbox_backlog().await.unwrap(), 1);

        let claimed = store
            .claim_due_deliveries(&from_now(600), 10)
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1);
        let d = &claimed[0];
        assert_eq!(
            (d.workspace_id.as_str(), d.endpoint_id.as_str()),
            (ws.as_str(), endpoint.id.as_str())
        );
        assert_eq!(d.event_id, event);
        assert_eq!(d.attempts, 0);
        assert_eq!(
            d.endpoint.as_ref().map(|e| e.secret.as_str()),
            Some("whsec_test")
        );
        let envelope: serde_json::Value = serde_json::from_str(&d.payload).unwrap();
        assert_eq!(envelope["event_id"], event.as_str());
        assert_eq!(envelope["type"], "application.created");

        // Leased: no one else gets it, and it is not due before its lease ends.
        assert!(
            store
                .claim_due_deliveries(&from_now(600), 10)
                .await
                .unwrap()
                .is_empty()
        );
        let due = store.next_delivery_due().await.unwrap().unwrap();
        assert!(due > from_now(300), "next due {due} is the lease's end");

        store
            .finish_attempt(d, &AttemptOutcome::Delivered { status_code: 204 }, 12)
            .await
            .unwrap();
        let row = delivery(&store, &ws, &endpoint.id, &d.id).await;
        assert_eq!(row.status, "delivered");
        assert_eq!(row.attempts, 1);
        assert_eq!(row.last_status_code, Some(204));
        assert!(row.delivered_at.is_some());
        assert_eq!(row.next_attempt_at, None);
        assert!(
            store
                .claim_due_deliveries(&from_now(600), 10)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(store.outbox_backlog().await.unwrap(), 0);
        assert_eq!(store.next_delivery_due().await.unwrap(), None);
    }
);

store_test!(an_expired_lease_is_claimable_again, |store| async move {
    let ws = workspace(&store, "acme").await.id;
    create_endpoint(&store, &ws, &["*"]).await;
    emit(&store, &ws, "application.created", None).await;
    let first = store
        .claim_due_deliveries(&from_now(600), 10)
        .await
        .unwrap();
    assert_eq!(first.len(), 1);
    assert!(
        store
            .claim_due_deliveries(&from_now(600), 10)
            .await
            .unwrap()
            .is_empty()
    );

    // The worker dies and its lease runs out (aged here rather than waited for).
    let aged = raw_sql(
        &store,
        "UPDATE webhook_deliveries SET leased_until = '2000-01-01T00:00:00.000000Z'",
    )
    .await;
    assert_eq!(aged, 1);
    let again = store
        .claim_due_deliveries(&from_now(600), 10)
        .await
        .unwrap();
    assert_eq!(
        claimed_ids(&again),
        claimed_ids(&first),
        "the same delivery, claimed again"
    );
    // A claim records its send before making it, so the dead worker's is counted.
    assert_eq!(again[0].attempts, 1, "the dead worker's send is counted");
    assert!(
        store
            .claim_due_deliveries(&from_now(600), 10)
            .await
            .unwrap()
            .is_empty()
    );

    // A lease that ended before the claim is no lease at all.
    raw_sql(&store, "UPDATE webhook_deliveries SET leased_until = NULL").await;
    let past = store
        .claim_due_deliveries(&from_now(-60), 10)
        .await
        .unwrap();
    assert_eq!(past.len(), 1);
    assert_eq!(
        store
            .claim_due_deliveries(&from_now(600), 10)
            .await
            .unwrap()
            .len(),
        1
    );
});

store_test!(retry_failure_and_gone_outcomes, |store| async move {
    let ws = workspace(&store, "acme").await.id;
    let endpoint = create_endpoint(&store, &ws, &["*"]).await;
    for _ in 0..4 {
        emit(&store, &ws, "application.updated", None).await;
    }
    let mut claimed = store
        .claim_due_deliveries(&from_now(600), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 4);
    claimed.sort_by(|x, y| x.id.cmp(&y.id));
    let (later, now_again, failed, gone) = (&claimed[0], &claimed[1], &claimed[2], &claimed[3]);

    let retry = |at: String| AttemptOutcome::Retry {
        status_code: Some(503),
        error: "unavailable".into(),
        next_attempt_at: at,
    };
    let in_an_hour = from_now(3600);
    store
        .finish_attempt(later, &retry(in_an_hour.clone()), 5)
        .await
        .unwrap();
    store
        .finish_attempt(now_again, &retry(from_now(-1)), 5)
        .await
        .unwrap();
    store
        .finish_attempt(
            failed,
            &AttemptOutcome::Failed {
                status_code: None,
                error: "refused".into(),
            },
            5,
        )
        .await
        .unwrap();

    let row = delivery(&store, &ws, &endpoint.id, &later.id).await;
    assert_eq!(
        (
            row.status.as_str(),
            row.attempts,
            row.next_attempt_at.as_deref(),
            row.last_status_code
        ),
        ("pending", 1, Some(in_an_hour.as_str()), Some(503))
    );
    assert_eq!(row.last_error.as_deref(), Some("unavailable"));
    let row = delivery(&store, &ws, &endpoint.id, &failed.id).await;
    assert_eq!((row.status.as_str(), row.attempts), ("failed", 1));
    assert_eq!(row.last_error.as_deref(), Some("refused"));

    // Only the retry that is due is claimed; the other waits for its time, the failed one for good.
    // (`gone` is still leased.)
    let next = store
        .claim_due_deliveries(&from_now(600), 10)
        .await
        .unwrap();
    assert_eq!(claimed_ids(&next), HashSet::from([now_again.id.clone()]));
    assert_eq!(next[0].attempts, 1);
    assert_eq!(
        store.outbox_backlog().await.unwrap(),
        3,
        "two retries and the leased one"
    );

    // A manual retry puts the failed delivery back, with a fresh schedule.
    let retried = store
        .retry_delivery(&ws, &endpoint.id, &failed.id)
        .await
        .unwrap();
    assert_eq!((retried.status.as_str(), retried.attempts), ("pending", 0));
    let next = store
        .claim_due_deliveries(&from_now(600), 10)
        .await
        .unwrap();
    assert_eq!(claimed_ids(&next), HashSet::from([failed.id.clone()]));

    // 410 Gone: the delivery fails, the endpoint is disabled (and audited), new events skip it.
    store
        .finish_attempt(gone, &AttemptOutcome::Gone, 5)
        .await
        .unwrap();
    let row = delivery(&store, &ws, &endpoint.id, &gone.id).await;
    assert_eq!(
        (row.status.as_str(), row.last_status_code),
        ("failed", Some(410))
    );
    let disabled = store
        .webhook_endpoint(&ws, &endpoint.id)
        .await
        .unwrap()
        .unwrap();
    assert!(!disabled.enabled);
    assert!(disabled.disabled_reason.is_some());
    let before = store
        .webhook_deliveries(&ws, &endpoint.id, None, 100)
        .await
        .unwrap()
        .len();
    emit(&store, &ws, "application.updated", None).await;
    assert_eq!(
        store
            .webhook_deliveries(&ws, &endpoint.id, None, 100)
            .await
            .unwrap()
            .len(),
        before
    );
    assert!(store.verify_audit().await.unwrap().is_none());
});

store_test!(
    deleting_an_endpoint_fails_its_pending_deliveries,
    |store| async move {
        let ws = workspace(&store, "acme").await.id;
        let endpoint = create_endpoint(&store, &ws, &["*"]).await;
        emit(&store, &ws, "application.created", None).await;
        let mut tx = store.begin().await.unwrap();
        tx.delete_webhook_endpoint(&ws, &endpoint.id).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            store.webhook_endpoint(&ws, &endpoint.id).await.unwrap(),
            None
        );
        assert!(
            store
                .claim_due_deliveries(&from_now(600), 10)
                .await
                .unwrap()
                .is_empty()
        );
        let log = store
            .webhook_deliveries(&ws, &endpoint.id, None, 10)
            .await
            .unwrap();
        assert_eq!(log.len(), 1, "the log stays");
        assert_eq!(log[0].status, "failed");
        assert_eq!(log[0].last_error.as_deref(), Some("endpoint deleted"));
    }
);

store_test!(delivery_log_pages_newest_first, |store| async move {
    let ws = workspace(&store, "acme").await.id;
    let endpoint = create_endpoint(&store, &ws, &["*"]).await;
    for _ in 0..5 {
        emit(&store, &ws, "application.created", None).await;
    }
    let all: Vec<String> = store
        .webhook_deliveries(&ws, &endpoint.id, None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(all.len(), 5);
    let mut sorted = all.clone();
    sorted.sort_by(|x, y| y.cmp(x));
    assert_eq!(all, sorted, "newest first");
    let first = store
        .webhook_deliveries(&ws, &endpoint.id, None, 2)
        .await
        .unwrap();
    let second = store
        .webhook_deliveries(&ws, &endpoint.id, Some(&first[1].id), 10)
        .await
        .unwrap();
    let paged: Vec<String> = first.iter().chain(&second).map(|d| d.id.clone()).collect();
    assert_eq!(paged, all);
});

store_test!(
    concurrent_claimers_never_get_the_same_delivery,
    |store| async move {
        const EVENTS: usize = 60;
        const CLAIMERS: usize = 4;
        let ws = workspace(&store, "acme").await.id;
        let endpoint = create_endpoint(&store, &ws, &["*"]).await;
        let mut tx = store.begin().await.unwrap();
        for _ in 0..EVENTS {
            tx.emit(&ws, "application.created", None, &serde_json::json!({}))
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        let all: HashSet<String> = store
            .webhook_deliveries(&ws, &endpoint.id, None, 1000)
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.id)
            .collect();
        assert_eq!(all.len(), EVENTS);

        // Claimers start together and claim small batches until none is left for them.
        let start = Arc::new(tokio::sync::Barrier::new(CLAIMERS));
        let mut running = tokio::task::JoinSet::new();
        for _ in 0..CLAIMERS {
            let (store, start) = (store.clone(), start.clone());
            running.spawn(async move {
                start.wait().await;
                let mut mine = Vec::new();
                // Bounded: a queue that hands out leased rows again must fail here, not hang.
                for _ in 0..EVENTS {
                    let batch = store.claim_due_deliveries(&from_now(600), 3).await.unwrap();
                    if batch.is_empty() {
                        return mine;
                    }
                    assert!(batch.len() <= 3, "the limit is respected");
                    mine.extend(batch.into_iter().map(|d| d.id));
                }
                panic!("more batches than deliveries: leased deliveries were claimed again");
            });
        }
        let mut seen: HashSet<String> = HashSet::new();
        let mut total = 0;
        while let Some(mine) = running.join_next().await {
            let mine = mine.unwrap();
            total += mine.len();
            for id in mine {
                assert!(seen.insert(id.clone()), "{id} was claimed twice");
            }
        }
        assert_eq!(total, seen.len());
        assert_eq!(seen, all, "every delivery claimed exactly once");
        assert!(
            store
                .claim_due_deliveries(&from_now(600), 100)
                .await
                .unwrap()
                .is_empty()
        );
    }
);
