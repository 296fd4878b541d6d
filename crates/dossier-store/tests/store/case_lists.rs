//! The back-office's lists: the list columns and side tables follow every write of a case; the case
//! list's filters, search, orders and counts; the dashboard's figures; the tasks inbox; comments;
//! migration 0015 of cases stored before it; and another workspace's cases never showing.

use dossier_domain::application::{Application, StatusExecution, StatusReview};
use dossier_domain::audit::Actor;
use dossier_domain::workflow::{Task, TaskResult};
use dossier_store::{
    AssigneeFilter, CaseList, CaseQuery, CaseSort, Comment, PortalRow, Store, now, timestamp,
};
use serde_json::{Value, json};

use crate::common::*;

fn case(body: Value) -> Application {
    let new: dossier_domain::application::NewApplication = serde_json::from_value(body).unwrap();
    new.into_application(&[], dossier_domain::time::now())
        .unwrap()
}

fn business(name: &str) -> Application {
    case(json!({"type": "business", "business": {"name": name}}))
}

fn task(key: &str, result: TaskResult) -> Task {
    Task {
        key: key.into(),
        kind: if key == "review" {
            "manual"
        } else {
            "data_completeness"
        }
        .into(),
        name: format!("Task {key}"),
        active: true,
        result,
        summary: String::new(),
        findings: vec![],
        evidence: Value::Null,
        signals: vec![],
        fingerprint: String::new(),
        result_fingerprint: String::new(),
        stale: false,
        clearance: None,
    }
}

/// Stores a change of the case as the service does (next version, `updated_at` now).
async fn save(
    store: &Store,
    ws: &str,
    id: &str,
    edit: impl FnOnce(&mut Application),
) -> Application {
    let mut tx = store.begin().await.unwrap();
    let mut app = tx.application_for_update(ws, id).await.unwrap().unwrap();
    edit(&mut app);
    app.version += 1;
    app.updated_at = dossier_domain::time::now();
    let data = serde_json::to_string(&app).unwrap();
    tx.update_application(ws, &app, &data, &Actor::system())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    app
}

async fn list(store: &Store, ws: &str, q: CaseQuery) -> CaseList {
    let q = CaseQuery {
        limit: if q.limit == 0 { 100 } else { q.limit },
        ..q
    };
    store.case_list(ws, &q).await.unwrap()
}

/// The ids a query lists, in order.
async fn ids(store: &Store, ws: &str, q: CaseQuery) -> Vec<String> {
    list(store, ws, q)
        .await
        .rows
        .into_iter()
        .map(|r| r.id)
        .collect()
}

async fn found(store: &Store, ws: &str, q: &str) -> Vec<String> {
    let mut found = ids(
        store,
        ws,
        CaseQuery {
            q: Some(q.into()),
            ..Default::default()
        },
    )
    .await;
    found.sort();
    found
}

/// A collect on the case, `opened` or `closed`, opened at `opened_at`.
async fn collect(
    store: &Store,
    ws: &str,
    application_id: &str,
    status: &str,
    opened_at: &str,
) -> PortalRow {
    let at = now();
    let row = PortalRow {
        id: dossier_domain::id::new_id("col"),
        kind: "collect".into(),
        application_id: Some(application_id.into()),
        status: status.into(),
        data: json!({"rounds": [{"opened_at": opened_at}]}).to_string(),
        expires_at: from_now(3600),
        opened_at: opened_at.into(),
        created_at: opened_at.into(),
        updated_at: at,
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_portal(ws, &row, &dossier_domain::id::new_id("hash"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    row
}

store_test!(list_columns_follow_every_write, |store| async move {
    let ws = workspace(&store, "acme").await.id;
    let mut app = case(json!({"type": "business", "template": "kyb_standard",
        "business": {"name": "Acme Logistique", "registration_number": "552100554"},
        "external_id": "crm-1", "tags": ["vip", "partner"]}));
    app.risk_score = Some(40.0);
    app.risk_level = Some("medium".into());
    insert_case(&store, &ws, &app).await;

    let page = list(&store, &ws, CaseQuery::default()).await;
    assert_eq!(page.total, 1);
    let row = &page.rows[0];
    assert_eq!(row.id, app.id);
    assert_eq!(row.kind, "business");
    assert_eq!(row.display_name, "Acme Logistique");
    assert_eq!(row.tags, ["vip", "partner"]);
    assert_eq!(row.template, "kyb_standard");
    assert_eq!(row.external_id.as_deref(), Some("crm-1"));
    assert_eq!(
        (row.risk_score, row.risk_level.as_deref()),
        (Some(40.0), Some("medium"))
    );
    assert_eq!(
        row.received_at.as_deref(),
        Some(timestamp(app.created_at).as_str())
    );
    assert_eq!(row.decided_at, None);
    assert_eq!(row.assignee_id, None);
    assert!(!row.waiting_on_client);
    let tags = store.tags_in_use(&ws).await.unwrap();
    assert_eq!(tags, [("partner".to_string(), 1), ("vip".to_string(), 1)]);

    let changed = save(&store, &ws, &app.id, |a| {
        a.tags = vec!["vip".into(), "eu".into(), "vip".into()];
        a.assignee_id = Some("usr_1".into());
        a.business.as_mut().unwrap().name = Some("Acme Transports".into());
        a.status_review = StatusReview::Approved;
        a.decided_at = Some(dossier_domain::time::now());
    })
    .await;
    let row = list(&store, &ws, CaseQuery::default()).await.rows.remove(0);
    assert_eq!(row.display_name, "Acme Transports");
    assert_eq!(row.assignee_id.as_deref(), Some("usr_1"));
    assert_eq!(row.status_review, "approved");
    assert_eq!(
        row.decided_at.as_deref(),
        Some(timestamp(changed.decided_at.unwrap()).as_str())
    );
    assert_eq!(row.updated_at, timestamp(changed.updated_at));
    let tags = store.tags_in_use(&ws).await.unwrap();
    assert_eq!(tags, [("eu".to_string(), 1), ("vip".to_string(), 1)]);
    assert_eq!(found(&store, &ws, "transports").await, [app.id.clone()]);
    assert!(found(&store, &ws, "logistique").await.is_empty());
});

store_test!(filters_select_the_matching_cases, |store| async move {
    let ws = workspace(&store, "acme").await.id;
    let mut a = business("Alpha");
    a.tags = vec!["vip".into()];
    a.risk_score = Some(10.0);
    a.risk_level = Some("low".into());
    let mut b = business("Beta");
    b.assignee_id = Some("usr_ann".into());
    b.risk_score = Some(80.0);
    b.risk_level = Some("high".into());
    b.status_execution = StatusExecution::Done;
    b.template = "kyb_light".into();
    let mut c =
        case(json!({"type": "person", "person": {"first_name": "Chloé", "last_name": "Gamma"}}));
    c.assignee_id = Some("usr_bob".into());
    c.tags = vec!["vip".into(), "eu".into()];
    c.risk_score = Some(50.0);
    c.risk_level = Some("medium".into());
    // Created in the order a, b, c, a day apart.
    let day = jiff::SignedDuration::from_hours(24);
    let base = dossier_domain::time::now() - day * 10;
    for (i, app) in [&mut a, &mut b, &mut c].into_iter().enumerate() {
        app.created_at = base + day * i as i32;
        app.updated_at = app.created_at;
        insert_case(&store, &ws, app).await;
    }
    // Then a is changed last.
    save(&store, &ws, &a.id, |x| x.external_id = Some("x-1".into())).await;
    let (a, b, c) = (a.id, b.id, c.id);
    let (a, b, c) = (a.as_str(), b.as_str(), c.as_str());

    let q = |f: fn(&mut CaseQuery)| {
        let mut q = CaseQuery::default();
        f(&mut q);
        q
    };
    // The default order: last changed first.
    assert_eq!(ids(&store, &ws, CaseQuery::default()).await, [a, c, b]);
    for (query, expected) in [
        (q(|q| q.kind = Some("person".into())), vec![c]),
        (q(|q| q.status_execution = Some("done".into())), vec![b]),
        (q(|q| q.risk_level = Some("high".into())), vec![b]),
        (q(|q| q.status_review = Some("approved".into())), vec![]),
        (q(|q| q.template = Some("kyb_light".into())), vec![b]),
        (q(|q| q.tag = Some("vip".into())), vec![a, c]),
        (q(|q| q.tag = Some("VIP".into())), vec![]),
        (
            q(|q| q.assignee = AssigneeFilter::User("usr_ann".into())),
            vec![b],
        ),
        (q(|q| q.assignee = AssigneeFilter::Unassigned), vec![a]),
        (
            q(|q| q.assignee = AssigneeFilter::UserOrUnassigned("usr_bob".into())),
            vec![a, c],
        ),
        (
            q(|q| {
                q.tag = Some("vip".into());
                q.assignee = AssigneeFilter::Unassigned;
            }),
            vec![a],
        ),
    ] {
        assert_eq!(ids(&store, &ws, query.clone()).await, expected, "{query:?}");
        assert_eq!(
            list(&store, &ws, query.clone()).await.total,
            expected.len() as i64
        );
    }

    // Dates: `from` inclusive, `to` exclusive.
    let at = |i: i32| timestamp(base + day * i);
    let created = |from: Option<String>, to: Option<String>| CaseQuery {
        created_from: from,
        created_to: to,
        ..Default::default()
    };
    assert_eq!(ids(&store, &ws, created(Some(at(1)), None)).await, [c, b]);
    assert_eq!(ids(&store, &ws, created(None, Some(at(1)))).await, [a]);
    assert_eq!(
        ids(&store, &ws, created(Some(at(1)), Some(at(2)))).await,
        [b]
    );
    let updated = CaseQuery {
        updated_from: Some(at(9)),
        ..Default::default()
    };
    assert_eq!(ids(&store, &ws, updated).await, [a]);

    // Orders.
    let sorted = |sort: CaseSort, ascending: bool| CaseQuery {
        sort,
        ascending,
        ..Default::default()
    };
    assert_eq!(
        ids(&store, &ws, sorted(CaseSort::CreatedAt, true)).await,
        [a, b, c]
    );
    assert_eq!(
        ids(&store, &ws, sorted(CaseSort::CreatedAt, false)).await,
        [c, b, a]
    );
    assert_eq!(
        ids(&store, &ws, sorted(CaseSort::RiskScore, false)).await,
        [b, c, a]
    );
    assert_eq!(
        ids(&store, &ws, sorted(CaseSort::Name, true)).await,
        [a, b, c]
    );
    assert_eq!(
        ids(&store, &ws, sorted(CaseSort::UpdatedAt, true)).await,
        [b, c, a]
    );

    // Pages: the total stays, the rows move on.
    let page = |offset: i64| CaseQuery {
        sort: CaseSort::CreatedAt,
        ascending: true,
        offset,
        limit: 2,
        ..Default::default()
    };
    let first = list(&store, &ws, page(0)).await;
    let second = list(&store, &ws, page(2)).await;
    assert_eq!((first.total, second.total), (3, 3));
    assert!(!first.more && !second.more);
    assert!(first.has_next && !second.has_next);
    assert_eq!(
        first.rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        [a, b]
    );
    assert_eq!(
        second
            .rows
            .iter()
            .map(|r| r.id.as_str())
            .collect::<Vec<_>>(),
        [c]
    );
});

store_test!(
    search_ignores_case_and_accents_and_finds_every_name,
    |store| async move {
        let ws = workspace(&store, "acme").await.id;
        let societe = case(json!({"type": "business",
            "business": {"name": "Société Générale d'Études", "registration_number": "552 100 554"},
            "external_id": "CRM-7",
            "relationships": [{"kind": "person", "roles": ["ubo"], "ownership_percentage": 60,
                "person": {"first_name": "Jean", "last_name": "Dupont"}},
                {"kind": "business", "roles": ["shareholder"], "business": {"name": "Holding Ærø"},
                 "relationships": [{"kind": "person", "roles": ["ubo"],
                    "person": {"first_name": "Zoë", "last_name": "Ñúñez"}}]}]}));
        let person = case(
            json!({"type": "person", "person": {"first_name": "Élodie", "last_name": "MÜLLER"}}),
        );
        let other = case(json!({"type": "business", "business": {"name": "100% Bio_Shop"}}));
        for app in [&societe, &person, &other] {
            insert_case(&store, &ws, app).await;
        }
        let only = |app: &Application| vec![app.id.clone()];
        for (q, expected) in [
            ("societe generale", only(&societe)),
            ("SOCIÉTÉ", only(&societe)),
            ("études", only(&societe)),
            ("552 100", only(&societe)),
            ("crm-7", only(&societe)),
            ("dupont", only(&societe)),
            ("Jean DUPONT", only(&societe)),
            ("dupont jean", only(&societe)),
            ("nunez zoe", only(&societe)),
            ("aero", only(&societe)),
            ("elodie", only(&person)),
            ("muller", only(&person)),
            ("Müller élodie", only(&person)),
            ("100%", only(&other)),
            ("bio_shop", only(&other)),
            (&person.id.to_uppercase(), only(&person)),
            ("dupont elodie", vec![]),
            ("nobody", vec![]),
        ] {
            assert_eq!(found(&store, &ws, q).await, expected, "{q}");
        }
        // LIKE's wildcards stand for themselves (`generale` has no `g_n`).
        for q in ["soc%te", "g_n", "\\"] {
            assert!(
                !found(&store, &ws, q).await.contains(&societe.id),
                "{q} is not a wildcard"
            );
        }
        // Words too short for a trigram are matched on the text, alone or beside indexed ones
        // (`ro`, of `aero`: ids, in the text too, never hold an `o`).
        assert_eq!(found(&store, &ws, "ro").await, only(&societe));
        assert_eq!(found(&store, &ws, "zo nunez").await, only(&societe));
        assert!(found(&store, &ws, "zo muller").await.is_empty());
        // An empty query filters nothing.
        assert_eq!(found(&store, &ws, "   ").await.len(), 3);

        // A rename: the old name no longer finds the case and the new one does, before the index
        // takes the change in (SQLite batches it), once it has, and after a rebuild (a restore).
        save(&store, &ws, &person.id, |a| {
            a.person.as_mut().unwrap().last_name = Some("Schmidt".into());
        })
        .await;
        let searches = || async {
            assert!(found(&store, &ws, "muller").await.is_empty());
            assert_eq!(found(&store, &ws, "elodie schmidt").await, only(&person));
            assert_eq!(found(&store, &ws, "552 100").await, only(&societe));
            assert_eq!(found(&store, &ws, "dupont").await, only(&societe));
        };
        searches().await;
        let pending = store.index_case_search(1).await.unwrap();
        let rest = store.index_case_search(100).await.unwrap();
        if store.backend() == dossier_store::Backend::Sqlite {
            // Three created and one renamed case, one batch of one then the rest.
            assert_eq!((pending, rest), (1, 2));
        } else {
            assert_eq!(
                (pending, rest),
                (0, 0),
                "PostgreSQL's triggers keep the index"
            );
        }
        assert_eq!(store.index_case_search(100).await.unwrap(), 0);
        searches().await;
        store.rebuild_case_search().await.unwrap();
        searches().await;
    }
);

store_test!(
    the_next_case_is_the_next_older_undecided_one,
    |store| async move {
        let ws = workspace(&store, "acme").await.id;
        let other = workspace(&store, "other").await.id;
        let mut cases = Vec::new();
        for name in ["Oldest", "Decided", "Newest"] {
            let app = business(name);
            insert_case(&store, &ws, &app).await;
            cases.push(app.id);
        }
        cases.sort();
        let (oldest, decided, newest) = (&cases[0], &cases[1], &cases[2]);
        // An undecided case of another workspace, between them, never comes next.
        let mut foreign = business("Foreign");
        foreign.id = format!("{oldest}x");
        insert_case(&store, &other, &foreign).await;
        save(&store, &ws, decided, |a| {
            a.status_review = StatusReview::Rejected
        })
        .await;

        let next = |id: String| {
            let (store, ws) = (store.clone(), ws.clone());
            async move { store.pending_case_before(&ws, &id).await.unwrap() }
        };
        assert_eq!(next(newest.clone()).await.as_ref(), Some(oldest));
        assert_eq!(next(oldest.clone()).await, None);
    }
);

store_test!(a_capped_count_says_more_match, |store| async move {
    let ws = workspace(&store, "acme").await.id;
    for i in 0..5 {
        insert_case(&store, &ws, &business(&format!("Case {i}"))).await;
    }
    let q = |offset: i64, count_up_to: Option<i64>| CaseQuery {
        offset,
        limit: 2,
        count_up_to,
        ..Default::default()
    };
    let capped = list(&store, &ws, q(0, Some(3))).await;
    assert_eq!(
        (capped.total, capped.more, capped.has_next),
        (3, true, true)
    );
    assert_eq!(capped.rows.len(), 2);
    // Past the cap, the pages go on while there are cases.
    let third = list(&store, &ws, q(4, Some(3))).await;
    assert_eq!((third.rows.len(), third.has_next), (1, false));
    // A cap the result stays within counts it exactly, as no cap does.
    for cap in [Some(5), Some(10), None] {
        let page = list(&store, &ws, q(0, cap)).await;
        assert_eq!((page.total, page.more), (5, false), "{cap:?}");
    }
});

store_test!(
    waiting_on_the_client_is_an_open_collect,
    |store| async move {
        let ws = workspace(&store, "acme").await.id;
        let asked = create_case(&store, &ws, "business").await;
        let answered = create_case(&store, &ws, "business").await;
        let untouched = create_case(&store, &ws, "person").await;
        let decided = create_case(&store, &ws, "person").await;
        save(&store, &ws, &decided.id, |a| {
            a.status_review = StatusReview::Rejected;
            a.decided_at = Some(dossier_domain::time::now());
        })
        .await;
        let opened_at = from_now(-7200);
        collect(&store, &ws, &asked.id, "opened", &opened_at).await;
        collect(&store, &ws, &answered.id, "closed", &from_now(-3600)).await;

        let waiting = |v: bool| CaseQuery {
            waiting_on_client: Some(v),
            sort: CaseSort::CreatedAt,
            ascending: true,
            ..Default::default()
        };
        assert_eq!(ids(&store, &ws, waiting(true)).await, [asked.id.as_str()]);
        assert_eq!(
            ids(&store, &ws, waiting(false)).await,
            [
                answered.id.as_str(),
                untouched.id.as_str(),
                decided.id.as_str()
            ]
        );
        let rows = list(&store, &ws, CaseQuery::default()).await.rows;
        let flags: Vec<(String, bool)> = rows
            .into_iter()
            .map(|r| (r.id, r.waiting_on_client))
            .collect();
        assert!(flags.contains(&(asked.id.clone(), true)));
        assert!(flags.contains(&(answered.id.clone(), false)));

        // The undecided cases: one on the client since its collect opened, two on the team — one
        // since it was received, one since its collect was answered (closed: its `updated_at`).
        let w = store.waiting(&ws).await.unwrap();
        assert_eq!(w.on_client.cases, 1);
        assert_eq!(
            w.on_client.oldest_since.as_deref(),
            Some(opened_at.as_str())
        );
        let opened_epoch = opened_at.parse::<jiff::Timestamp>().unwrap().as_second() as f64;
        assert!((w.on_client.mean_since_epoch.unwrap() - opened_epoch).abs() < 1.0);
        assert_eq!(w.on_us.cases, 2);
        assert_eq!(
            w.on_us.oldest_since.as_deref(),
            Some(timestamp(untouched.created_at).as_str()),
            "the answered case waits on us since its answer, which is later"
        );
    }
);

store_test!(
    the_tasks_inbox_lists_open_tasks_oldest_first,
    |store| async move {
        let ws = workspace(&store, "acme").await.id;
        let mut app = business("Inbox SAS");
        app.tasks = vec![
            task("review", TaskResult::Pending),
            task("data", TaskResult::NeedsAction),
            task("format", TaskResult::Clear),
            Task {
                active: false,
                ..task("edd", TaskResult::Pending)
            },
        ];
        insert_case(&store, &ws, &app).await;
        let created = timestamp(app.updated_at);
        let inbox = store
            .task_inbox(&ws, &AssigneeFilter::Anyone, 0, 100)
            .await
            .unwrap();
        assert_eq!(inbox.total, 2);
        let keys: Vec<&str> = inbox.rows.iter().map(|t| t.task_key.as_str()).collect();
        assert_eq!(keys, ["data", "review"]);
        let review = &inbox.rows[1];
        assert_eq!(
            (
                review.application_id.as_str(),
                review.display_name.as_str(),
                review.kind.as_str()
            ),
            (app.id.as_str(), "Inbox SAS", "business")
        );
        assert_eq!(
            (review.task_kind.as_str(), review.task_name.as_str()),
            ("manual", "Task review")
        );
        assert_eq!((review.result.as_str(), review.stale), ("pending", false));
        assert_eq!(review.since, created);
        assert!(inbox.rows.iter().all(|t| !t.waiting_on_client));

        // A collect opens: the task the client must act on waits on it, the reviewer's does not.
        collect(&store, &ws, &app.id, "opened", &now()).await;
        let inbox = store
            .task_inbox(&ws, &AssigneeFilter::Anyone, 0, 100)
            .await
            .unwrap();
        let on_client: Vec<(&str, bool)> = inbox
            .rows
            .iter()
            .map(|t| (t.task_key.as_str(), t.waiting_on_client))
            .collect();
        assert_eq!(on_client, [("data", true), ("review", false)]);

        // A later write: a task that stays open keeps its `since`, one that opens gets this write's
        // time, one that closes leaves.
        let later = save(&store, &ws, &app.id, |a| {
            a.tasks[0].stale = true; // review: still open, changed
            a.tasks[1].result = TaskResult::Clear; // data: done
            a.tasks[2].result = TaskResult::Error; // format: now open
        })
        .await;
        let inbox = store
            .task_inbox(&ws, &AssigneeFilter::Anyone, 0, 100)
            .await
            .unwrap();
        let rows: Vec<(&str, &str, bool, &str)> = inbox
            .rows
            .iter()
            .map(|t| {
                (
                    t.task_key.as_str(),
                    t.result.as_str(),
                    t.stale,
                    t.since.as_str(),
                )
            })
            .collect();
        let later_at = timestamp(later.updated_at);
        assert_eq!(
            rows,
            [
                ("review", "pending", true, created.as_str()),
                ("format", "error", false, later_at.as_str())
            ]
        );

        // Filtered by assignee, paged.
        let other = business("Other SA");
        let other = Application {
            assignee_id: Some("usr_1".into()),
            tasks: vec![task("review", TaskResult::Pending)],
            ..other
        };
        insert_case(&store, &ws, &other).await;
        let mine = store
            .task_inbox(&ws, &AssigneeFilter::User("usr_1".into()), 0, 100)
            .await
            .unwrap();
        assert_eq!(
            (mine.total, mine.rows[0].application_id.as_str()),
            (1, other.id.as_str())
        );
        let page = store
            .task_inbox(&ws, &AssigneeFilter::Anyone, 1, 1)
            .await
            .unwrap();
        assert_eq!(
            (page.total, page.rows.len(), page.rows[0].task_key.as_str()),
            (3, 1, "format")
        );

        // A decided case has nothing left to do.
        save(&store, &ws, &app.id, |a| {
            a.status_review = StatusReview::Approved;
            a.decided_at = Some(dossier_domain::time::now());
        })
        .await;
        let inbox = store
            .task_inbox(&ws, &AssigneeFilter::Anyone, 0, 100)
            .await
            .unwrap();
        assert_eq!(inbox.total, 1);
        assert_eq!(inbox.rows[0].application_id, other.id);

        // Nor does a case its client is still filling in, until it is submitted.
        let draft = Application {
            portal_id: Some("prt_1".into()),
            tasks: vec![task("review", TaskResult::Pending)],
            ..business("Draft SARL")
        };
        insert_case(&store, &ws, &draft).await;
        assert_eq!(
            store
                .task_inbox(&ws, &AssigneeFilter::Anyone, 0, 100)
                .await
                .unwrap()
                .total,
            1
        );
        let draft = save(&store, &ws, &draft.id, |a| {
            a.submitted_at = Some(dossier_domain::time::now())
        })
        .await;
        let inbox = store
            .task_inbox(&ws, &AssigneeFilter::Anyone, 0, 100)
            .await
            .unwrap();
        assert_eq!(inbox.total, 2);
        assert_eq!(inbox.rows[1].since, timestamp(draft.updated_at));
    }
);

store_test!(the_dashboard_counts, |store| async move {
    let ws = workspace(&store, "acme").await.id;
    let mk = |name: &str, level: &str, execution: StatusExecution| {
        let mut a = business(name);
        a.risk_level = Some(level.into());
        a.status_execution = execution;
        a
    };
    let mut old_ready = mk("Old ready", "low", StatusExecution::Done);
    old_ready.created_at = dossier_domain::time::now() - jiff::SignedDuration::from_hours(48);
    let new_ready = mk("New ready", "high", StatusExecution::Done);
    let busy = mk("Busy", "low", StatusExecution::InProgress);
    let draft = Application {
        portal_id: Some("prt_1".into()),
        ..mk("Draft", "low", StatusExecution::Done)
    };
    let decided = mk("Decided", "high", StatusExecution::Done);
    for app in [&old_ready, &new_ready, &busy, &draft, &decided] {
        insert_case(&store, &ws, app).await;
    }
    let decided = save(&store, &ws, &decided.id, |a| {
        a.status_review = StatusReview::Approved;
        a.decided_at = Some(dossier_domain::time::now());
    })
    .await;

    let counts: Vec<(String, Option<String>, i64)> = store
        .cases_by_status_and_risk(&ws)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.status_review, c.risk_level, c.cases))
        .collect();
    assert_eq!(
        counts,
        [
            ("approved".into(), Some("high".into()), 1),
            ("pending".into(), Some("high".into()), 1),
            ("pending".into(), Some("low".into()), 3),
        ]
    );
    // Waiting for a decision: received, done, undecided; the oldest received first.
    let waiting = list(
        &store,
        &ws,
        CaseQuery {
            waiting_for_decision: true,
            sort: CaseSort::ReceivedAt,
            ascending: true,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(waiting.total, 2);
    let names: Vec<&str> = waiting
        .rows
        .iter()
        .map(|r| r.display_name.as_str())
        .collect();
    assert_eq!(names, ["Old ready", "New ready"]);

    let today = timestamp(decided.decided_at.unwrap())[..10].to_string();
    let days = store
        .decisions_by_day(&ws, &from_now(-86400))
        .await
        .unwrap();
    assert_eq!(days.len(), 1);
    assert_eq!(
        (
            days[0].day.as_str(),
            days[0].status_review.as_str(),
            days[0].cases
        ),
        (today.as_str(), "approved", 1)
    );
    assert!(
        store
            .decisions_by_day(&ws, &from_now(60))
            .await
            .unwrap()
            .is_empty()
    );
});

store_test!(comments_read_back_oldest_first, |store| async move {
    let ws = workspace(&store, "acme").await.id;
    let app = create_case(&store, &ws, "business").await;
    let mut written = Vec::new();
    for body in ["First look: fine.", "Asked for the Kbis.\nWaiting."] {
        let c = Comment {
            id: dossier_domain::id::new_id("cmt"),
            application_id: app.id.clone(),
            author: Actor::new("user", "usr_1", dossier_domain::access::Role::Reviewer),
            body: body.into(),
            created_at: now(),
        };
        let mut tx = store.begin().await.unwrap();
        tx.insert_comment(&ws, &c).await.unwrap();
        tx.commit().await.unwrap();
        written.push(c);
    }
    assert_eq!(store.comments(&ws, &app.id).await.unwrap(), written);
    assert!(store.comments(&ws, "app_other").await.unwrap().is_empty());
});

store_test!(another_workspace_never_shows, |store| async move {
    let a = workspace(&store, "a").await.id;
    let b = workspace(&store, "b").await.id;
    let mut app = business("Shared Name");
    app.tags = vec!["vip".into()];
    app.tasks = vec![task("review", TaskResult::Pending)];
    app.assignee_id = Some("usr_1".into());
    insert_case(&store, &a, &app).await;
    collect(&store, &a, &app.id, "opened", &now()).await;

    let everything = CaseQuery {
        q: Some("shared".into()),
        ..Default::default()
    };
    assert_eq!(list(&store, &a, everything.clone()).await.total, 1);
    assert_eq!(list(&store, &b, everything).await.total, 0);
    for q in [
        CaseQuery {
            tag: Some("vip".into()),
            ..Default::default()
        },
        CaseQuery {
            waiting_on_client: Some(true),
            ..Default::default()
        },
        CaseQuery {
            assignee: AssigneeFilter::User("usr_1".into()),
            ..Default::default()
        },
        CaseQuery::default(),
    ] {
        assert_eq!(list(&store, &b, q).await.total, 0);
    }
    assert!(store.tags_in_use(&b).await.unwrap().is_empty());
    assert!(store.cases_by_status_and_risk(&b).await.unwrap().is_empty());
    assert_eq!(store.waiting(&b).await.unwrap(), Default::default());
    assert_eq!(
        store
            .task_inbox(&b, &AssigneeFilter::Anyone, 0, 100)
            .await
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        store
            .task_inbox(&a, &AssigneeFilter::Anyone, 0, 100)
            .await
            .unwrap()
            .total,
        1
    );
    assert!(store.decisions_by_day(&b, "").await.unwrap().is_empty());
});

/// Migration 0015 fills in the list state of cases written before it, from their current version.
async fn migration_0015_fills_in_existing_cases(backend: dossier_store::Backend) {
    run_at_version(backend, 14, |store| async move {
        let ws = workspace(&store, "acme").await.id;
        let mut app = case(json!({"type": "business",
            "business": {"name": "Ancienne Société", "registration_number": "RCS 1"},
            "tags": ["legacy"],
            "relationships": [{"kind": "person", "roles": ["director"],
                "person": {"first_name": "José", "last_name": "Núñez"}}]}));
        app.tasks = vec![task("review", TaskResult::Pending)];
        app.assignee_id = None;
        let text = serde_json::to_string(&app).unwrap();
        let created = timestamp(app.created_at);
        let mut tx = store.begin().await.unwrap();
        sqlx::query(
            "INSERT INTO applications (id, workspace_id, kind, external_id, status_review, \
             status_execution, risk_level, risk_score, created_at, updated_at, version, data) \
             VALUES ($1, $2, 'business', NULL, 'pending', 'in_progress', NULL, NULL, $3, $3, 1, '')",
        )
        .bind(&app.id)
        .bind(&ws)
        .bind(&created)
        .execute(tx.conn().await.unwrap())
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO application_versions (workspace_id, application_id, version, at, actor_kind, \
             actor_id, actor_role, hash, encoding, data) \
             VALUES ($1, $2, 1, $3, 'system', '', 'automation', 'h', 'json', $4)",
        )
        .bind(&ws)
        .bind(&app.id)
        .bind(&created)
        .bind(text.into_bytes())
        .execute(tx.conn().await.unwrap())
        .await
        .unwrap();
        let round_opened = from_now(-600);
        sqlx::query(
            "INSERT INTO portals (id, workspace_id, kind, application_id, token_hash, status, data, \
             expires_at, created_at, updated_at) \
             VALUES ('col_1', $1, 'collect', $2, 'th', 'opened', $3, $4, $5, $5)",
        )
        .bind(&ws)
        .bind(&app.id)
        .bind(json!({"rounds": [{"opened_at": from_now(-9000)}, {"opened_at": round_opened}]}).to_string())
        .bind(from_now(3600))
        .bind(from_now(-9000))
        .execute(tx.conn().await.unwrap())
        .await
        .unwrap();
        tx.commit().await.unwrap();

        assert_eq!(store.migrate().await.unwrap(), [15, 16, 17]);
        let page = list(&store, &ws, CaseQuery { q: Some("nunez".into()), ..Default::default() }).await;
        assert_eq!(page.total, 1);
        let row = &page.rows[0];
        assert_eq!(row.display_name, "Ancienne Société");
        assert_eq!(row.tags, ["legacy"]);
        assert_eq!(row.template, "kyb_standard");
        assert_eq!(row.received_at.as_deref(), Some(created.as_str()));
        assert!(row.waiting_on_client);
        assert_eq!(store.tags_in_use(&ws).await.unwrap(), [("legacy".to_string(), 1)]);
        let inbox = store.task_inbox(&ws, &AssigneeFilter::Anyone, 0, 10).await.unwrap();
        assert_eq!(inbox.rows.len(), 1);
        assert_eq!(inbox.rows[0].since, created);
        let portal = store.portal(&ws, "col_1").await.unwrap().unwrap();
        assert_eq!(portal.opened_at, round_opened, "the current round's opening");
        assert_eq!(store.waiting(&ws).await.unwrap().on_client.oldest_since, Some(round_opened));
    })
    .await;
}

mod migration_0015 {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::migration_0015_fills_in_existing_cases(dossier_store::Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::migration_0015_fills_in_existing_cases(dossier_store::Backend::Postgres).await;
    }
}
