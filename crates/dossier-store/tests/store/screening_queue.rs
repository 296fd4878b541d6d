//! The screening queue: one row per case, replaced by newer inputs, removed only for the inputs that
//! were screened, put off by a failure until its back-off ends.
//!
//! The queue has no claim or lease: `due_screenings` is a plain read, and two workers may read the same
//! row. What keeps a case from being screened twice is in the worker (`dossier-server`): it re-reads the
//! case with `application_for_update` and records only if the queued fingerprint is still the one the
//! case waits for. So the store's part tested here is the row's life cycle.

use dossier_store::{QueuedScreening, Store};

use crate::common::*;

async fn due(store: &Store) -> Vec<(String, String, i64)> {
    store
        .due_screenings(100)
        .await
        .unwrap()
        .into_iter()
        .map(|q| (q.application_id, q.fingerprint, q.attempts))
        .collect()
}

async fn enqueue(store: &Store, ws: &str, app: &str, fp: &str) {
    let mut tx = store.begin().await.unwrap();
    tx.enqueue_screening(ws, app, fp).await.unwrap();
    tx.commit().await.unwrap();
}

async fn dequeue(store: &Store, ws: &str, app: &str, fp: &str) {
    let mut tx = store.begin().await.unwrap();
    tx.dequeue_screening(ws, app, fp).await.unwrap();
    tx.commit().await.unwrap();
}

store_test!(
    a_queued_screening_is_replaced_by_newer_inputs_and_removed_only_for_its_own,
    |store| async move {
        let ws = workspace(&store, "acme").await.id;
        let one = create_case(&store, &ws, "business").await.id;
        let two = create_case(&store, &ws, "person").await.id;
        assert!(due(&store).await.is_empty());

        enqueue(&store, &ws, &one, "fp-1").await;
        enqueue(&store, &ws, &two, "fp-x").await;
        assert_eq!(
            due(&store).await,
            vec![
                (one.clone(), "fp-1".into(), 0),
                (two.clone(), "fp-x".into(), 0)
            ],
            "oldest first"
        );
        assert_eq!(
            store.due_screenings(1).await.unwrap().len(),
            1,
            "the limit is respected"
        );

        // The case changed again before it was screened: one row, for the new inputs.
        enqueue(&store, &ws, &one, "fp-2").await;
        let rows = due(&store).await;
        assert_eq!(rows.len(), 2);
        assert!(rows.contains(&(one.clone(), "fp-2".into(), 0)));

        // A worker that screened the old inputs must not remove the row of the new ones.
        dequeue(&store, &ws, &one, "fp-1").await;
        assert!(due(&store).await.contains(&(one.clone(), "fp-2".into(), 0)));
        dequeue(&store, &ws, &one, "fp-2").await;
        assert_eq!(due(&store).await, vec![(two.clone(), "fp-x".into(), 0)]);
    }
);

store_test!(
    a_postponed_screening_waits_for_its_back_off,
    |store| async move {
        let ws = workspace(&store, "acme").await.id;
        let case = create_case(&store, &ws, "business").await.id;
        enqueue(&store, &ws, &case, "fp-1").await;
        let queued: QueuedScreening = store.due_screenings(10).await.unwrap().remove(0);

        store
            .postpone_screening(&queued, &from_now(3600))
            .await
            .unwrap();
        assert!(due(&store).await.is_empty(), "not due during its back-off");

        // A back-off that has ended: due again, with the failed attempt counted.
        store
            .postpone_screening(&queued, &from_now(-1))
            .await
            .unwrap();
        assert_eq!(due(&store).await, vec![(case.clone(), "fp-1".into(), 2)]);

        // Postponing a row that was meanwhile re-queued for other inputs changes nothing.
        enqueue(&store, &ws, &case, "fp-2").await;
        store
            .postpone_screening(&queued, &from_now(3600))
            .await
            .unwrap();
        assert_eq!(due(&store).await, vec![(case.clone(), "fp-2".into(), 0)]);

        // Re-queuing a postponed row makes it due at once, attempts reset.
        let q2 = store.due_screenings(10).await.unwrap().remove(0);
        store
            .postpone_screening(&q2, &from_now(3600))
            .await
            .unwrap();
        assert!(due(&store).await.is_empty());
        enqueue(&store, &ws, &case, "fp-3").await;
        assert_eq!(due(&store).await, vec![(case, "fp-3".into(), 0)]);
    }
);
