//! The case list: newest first, cursor pages, filters; a case reads back as stored.

use dossier_domain::application::{Application, StatusExecution, StatusReview};
use dossier_store::{ApplicationFilter, Store};

use crate::common::*;

fn ids(apps: &[Application]) -> Vec<String> {
    apps.iter().map(|a| a.id.clone()).collect()
}

async fn list(store: &Store, ws: &str, f: ApplicationFilter) -> Vec<String> {
    let f = ApplicationFilter {
        limit: if f.limit == 0 { 100 } else { f.limit },
        ..f
    };
    ids(&store.applications(ws, &f).await.unwrap())
}

store_test!(a_case_reads_back_as_stored, |store| async move {
    let ws = workspace(&store, "acme").await.id;
    let app = new_case("business", Some("crm-1"));
    insert_case(&store, &ws, &app).await;
    assert_eq!(
        store.application(&ws, &app.id).await.unwrap(),
        Some(app.clone())
    );
    let text = store.application_json(&ws, &app.id).await.unwrap().unwrap();
    assert_eq!(text, serde_json::to_string(&app).unwrap());
    assert_eq!(store.application(&ws, "app_missing").await.unwrap(), None);
});

store_test!(
    case_list_pages_newest_first_without_gap_or_overlap,
    |store| async move {
        let ws = workspace(&store, "acme").await.id;
        let mut created = Vec::new();
        for i in 0..7 {
            let kind = if i % 2 == 0 { "business" } else { "person" };
            created.push(create_case(&store, &ws, kind).await.id);
        }
        let newest_first: Vec<String> = created.iter().rev().cloned().collect();

        // The whole list at once: newest first.
        assert_eq!(
            list(&store, &ws, ApplicationFilter::default()).await,
            newest_first
        );

        // Pages of 3 by the `before_id` cursor: 3, 3, 1, then nothing.
        let mut pages = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = list(
                &store,
                &ws,
                ApplicationFilter {
                    before_id: cursor.clone(),
                    limit: 3,
                    ..Default::default()
                },
            )
            .await;
            if page.is_empty() {
                break;
            }
            assert!(page.len() <= 3, "the limit is respected: {page:?}");
            cursor = page.last().cloned();
            pages.push(page);
            assert!(pages.len() <= 3, "the pages end");
        }
        assert_eq!(
            pages.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![3, 3, 1]
        );
        assert_eq!(pages.concat(), newest_first, "no gap, no overlap, in order");

        // A cursor in the middle: exactly the older cases.
        assert_eq!(
            list(
                &store,
                &ws,
                ApplicationFilter {
                    before_id: Some(created[4].clone()),
                    ..Default::default()
                }
            )
            .await,
            newest_first[3..].to_vec()
        );
    }
);

store_test!(case_list_filters, |store| async move {
    let ws = workspace(&store, "acme").await.id;
    let at = |m: u32| format!("2026-{m:02}-01T00:00:00.000000Z");
    let on = |m: u32| at(m).parse::<jiff::Timestamp>().unwrap();

    let mut a = new_case("business", Some("ext-a"));
    a.created_at = on(1);
    a.updated_at = on(1);
    let mut b = new_case("person", None);
    b.status_review = StatusReview::Approved;
    b.status_execution = StatusExecution::Done;
    b.risk_level = Some("high".into());
    b.risk_score = Some(80.0);
    b.created_at = on(2);
    b.updated_at = on(2);
    let mut c = new_case("business", Some("ext-c"));
    c.status_review = StatusReview::Rejected;
    c.status_execution = StatusExecution::Failed;
    c.risk_level = Some("low".into());
    c.created_at = on(3);
    c.updated_at = on(3);
    for app in [&a, &b, &c] {
        insert_case(&store, &ws, app).await;
    }
    let (a_id, b_id, c_id) = (a.id.clone(), b.id.clone(), c.id.clone());
    let f = |f: ApplicationFilter| f;
    let some = |s: &str| Some(s.to_string());

    assert_eq!(
        list(
            &store,
            &ws,
            f(ApplicationFilter {
                kind: some("business"),
                ..Default::default()
            })
        )
        .await,
        vec![c_id.clone(), a_id.clone()]
    );
    assert_eq!(
        list(
            &store,
            &ws,
            f(ApplicationFilter {
                kind: some("person"),
                ..Default::default()
            })
        )
        .await,
        vec![b_id.clone()]
    );
    assert_eq!(
        list(
            &store,
            &ws,
            ApplicationFilter {
                status_review: some("approved"),
                ..Default::default()
            }
        )
        .await,
        vec![b_id.clone()]
    );
    assert_eq!(
        list(
            &store,
            &ws,
            ApplicationFilter {
                status_execution: some("failed"),
                ..Default::default()
            }
        )
        .await,
        vec![c_id.clone()]
    );
    assert_eq!(
        list(
            &store,
            &ws,
            ApplicationFilter {
                risk_level: some("high"),
                ..Default::default()
            }
        )
        .await,
        vec![b_id.clone()]
    );
    assert_eq!(
        list(
            &store,
            &ws,
            ApplicationFilter {
                external_id: some("ext-a"),
                ..Default::default()
            }
        )
        .await,
        vec![a_id.clone()]
    );
    assert!(
        list(
            &store,
            &ws,
            ApplicationFilter {
                external_id: some("ext-zz"),
                ..Default::default()
            }
        )
        .await
        .is_empty()
    );
    // `created_after` is strict: a case created at that very instant is not "after" it.
    assert_eq!(
        list(
            &store,
            &ws,
            ApplicationFilter {
                created_after: Some(at(2)),
                ..Default::default()
            }
        )
        .await,
        vec![c_id.clone()]
    );
    assert_eq!(
        list(
            &store,
            &ws,
            ApplicationFilter {
                created_after: some("2026-01-15T00:00:00.000000Z"),
                ..Default::default()
            }
        )
        .await,
        vec![c_id.clone(), b_id.clone()]
    );
    // Filters combine (AND).
    assert_eq!(
        list(
            &store,
            &ws,
            ApplicationFilter {
                kind: some("business"),
                status_review: some("rejected"),
                ..Default::default()
            }
        )
        .await,
        vec![c_id.clone()]
    );
    assert!(
        list(
            &store,
            &ws,
            ApplicationFilter {
                kind: some("person"),
                risk_level: some("low"),
                ..Default::default()
            }
        )
        .await
        .is_empty()
    );

    // An update moves the filtered columns: `a` approved later than everything else.
    let mut tx = store.begin().await.unwrap();
    let mut a = tx
        .application_for_update(&ws, &a_id)
        .await
        .unwrap()
        .unwrap();
    a.status_review = StatusReview::Approved;
    a.risk_level = Some("low".into());
    a.external_id = Some("ext-a2".into());
    a.updated_at = on(6);
    a.version += 1;
    let data = serde_json::to_string(&a).unwrap();
    tx.update_application(&ws, &a, &data, &dossier_domain::audit::Actor::system())
        .await
        .unwrap();
    tx.commit().await.unwrap();

    assert_eq!(
        list(
            &store,
            &ws,
            ApplicationFilter {
                updated_after: Some(at(4)),
                ..Default::default()
            }
        )
        .await,
        vec![a_id.clone()]
    );
    assert_eq!(
        list(
            &store,
            &ws,
            ApplicationFilter {
                updated_after: Some(at(1)),
                ..Default::default()
            }
        )
        .await,
        vec![c_id.clone(), b_id.clone(), a_id.clone()]
    );
    assert_eq!(
        list(
            &store,
            &ws,
            ApplicationFilter {
                status_review: some("approved"),
                ..Default::default()
            }
        )
        .await,
        vec![b_id.clone(), a_id.clone()]
    );
    assert_eq!(
        list(
            &store,
            &ws,
            ApplicationFilter {
                risk_level: some("low"),
                ..Default::default()
            }
        )
        .await,
        vec![c_id.clone(), a_id.clone()]
    );
    assert!(
        list(
            &store,
            &ws,
            ApplicationFilter {
                external_id: some("ext-a"),
                ..Default::default()
            }
        )
        .await
        .is_empty()
    );
    // A cursor combines with a filter: the business cases older than `c`.
    assert_eq!(
        list(
            &store,
            &ws,
            ApplicationFilter {
                kind: some("business"),
                before_id: Some(c_id.clone()),
                ..Default::default()
            }
        )
        .await,
        vec![a_id.clone()]
    );
    // And the stored document is the updated one.
    assert_eq!(store.application(&ws, &a_id).await.unwrap(), Some(a));
});
