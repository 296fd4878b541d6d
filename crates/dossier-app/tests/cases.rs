//! The back-office's use cases across cases (`dossier_app::cases`) on both backends, without HTTP:
//! assignment and tags as changes of the case, comments in its timeline, the case list's checks and
//! search, the dashboard, the tasks inbox; what belongs to another workspace is never reached.

#[macro_use]
#[path = "../../dossier-store/tests/common/mod.rs"]
mod common;

use dossier_app::users::NewUser;
use dossier_app::{App, AppError, Config, Principal};
use dossier_domain::access::{Actor, Role};
use dossier_domain::application::{Application, NewApplication};
use dossier_domain::workflow::{DecisionKind, DecisionRequest};
use dossier_store::{AssigneeFilter, CaseQuery, EventFilter, Store};
use serde_json::{Value, json};

fn app(store: Store) -> App {
    // No test here stores a document: one directory serves them all.
    let dir = std::env::temp_dir().join("dossier-app-tests");
    App::new(
        store,
        Config {
            data_dir: dir,
            ..Config::default()
        },
    )
    .unwrap()
}

/// An analyst of the workspace, with `role`.
fn analyst(ws: &str, id: &str, role: Role) -> Principal {
    Principal::new(ws, Actor::new("user", id, role))
}

async fn user(app: &App, ws: &str, email: &str, role: &str) -> String {
    let (user, _) = app
        .create_user(
            &Principal::cli(ws),
            NewUser {
                email: email.into(),
                role: role.into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    user.id
}

async fn create(app: &App, p: &Principal, body: Value) -> Application {
    let new: NewApplication = serde_json::from_value(body).unwrap();
    let written = app.create_application(p, None, new).await.unwrap();
    serde_json::from_str(&written.body).unwrap()
}

async fn company(app: &App, p: &Principal, name: &str) -> Application {
    create(
        app,
        p,
        json!({"type": "business", "business": {"name": name, "country": "FR"}}),
    )
    .await
}

/// The actions of the case's audit trail, oldest first.
async fn actions(app: &App, p: &Principal, id: &str) -> Vec<String> {
    let page = app
        .application_activity(p, id, None, Some(100))
        .await
        .unwrap();
    let mut actions: Vec<String> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    actions.reverse();
    actions
}

fn field_code(err: &AppError) -> (String, &'static str) {
    match err {
        AppError::Invalid(errors) => (errors[0].field.clone(), errors[0].code),
        other => panic!("not a validation error: {other:?}"),
    }
}

store_test!(assignment_is_a_change_of_the_case, |store| async move {
    let app = app(store.clone());
    let ws = store.create_workspace("acme").await.unwrap().id;
    let ann = user(&app, &ws, "ann@acme.example", "reviewer").await;
    let p = analyst(&ws, &ann, Role::Reviewer);
    let one = company(&app, &p, "Un SAS").await;
    let two = company(&app, &p, "Deux SARL").await;

    let saved = app
        .assign(&p, &[one.id.clone(), two.id.clone()], Some(&ann))
        .await
        .unwrap();
    assert_eq!(saved.len(), 2);
    for (case, before) in saved.iter().zip([&one, &two]) {
        assert_eq!(case.assignee_id.as_deref(), Some(ann.as_str()));
        assert_eq!(case.version, before.version + 1);
        let stored = app.application(&p, &case.id).await.unwrap();
        assert_eq!(stored.assignee_id.as_deref(), Some(ann.as_str()));
        assert_eq!(
            actions(&app, &p, &case.id).await.last().map(String::as_str),
            Some("application.assigned")
        );
        let events = store
            .events(
                &ws,
                &EventFilter {
                    application_id: Some(case.id.clone()),
                    event_type: Some("application.updated".into()),
                    limit: 10,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(
            events[0].envelope["data"]["object"]["assignee_id"],
            json!(ann)
        );
    }
    let mine = CaseQuery {
        assignee: dossier_app::cases::assignee_filter(&p, "mine"),
        limit: 100,
        ..Default::default()
    };
    assert_eq!(app.case_list(&p, &mine).await.unwrap().total, 2);

    // The same assignment again changes nothing; unassigning does.
    let again = app
        .assign(&p, std::slice::from_ref(&one.id), Some(&ann))
        .await
        .unwrap();
    assert_eq!(again[0].version, saved[0].version);
    let unassigned = app
        .assign(&p, std::slice::from_ref(&one.id), None)
        .await
        .unwrap();
    assert_eq!(unassigned[0].assignee_id, None);
    assert_eq!(unassigned[0].version, saved[0].version + 1);
    let none = CaseQuery {
        assignee: dossier_app::cases::assignee_filter(&p, "none"),
        limit: 100,
        ..Default::default()
    };
    let listed = app.case_list(&p, &none).await.unwrap();
    assert_eq!(
        listed
            .rows
            .iter()
            .map(|r| r.id.as_str())
            .collect::<Vec<_>>(),
        [one.id.as_str()]
    );
});

store_test!(
    only_an_active_user_who_may_work_is_assigned,
    |store| async move {
        let app = app(store.clone());
        let ws = store.create_workspace("acme").await.unwrap().id;
        let other_ws = store.create_workspace("other").await.unwrap().id;
        let ann = user(&app, &ws, "ann@acme.example", "reviewer").await;
        let reader = user(&app, &ws, "ro@acme.example", "read_only").await;
        let gone = user(&app, &ws, "gone@acme.example", "reviewer").await;
        app.change_user(
            &Principal::cli(&ws),
            &gone,
            dossier_app::users::UserChange {
                active: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let stranger = user(&app, &other_ws, "x@other.example", "admin").await;
        let p = analyst(&ws, &ann, Role::Reviewer);
        let case = company(&app, &p, "Acme").await;
        let ids = [case.id.clone()];
        for (assignee, code) in [
            ("usr_nobody", "unknown_user"),
            (stranger.as_str(), "unknown_user"),
            (gone.as_str(), "inactive_user"),
            (reader.as_str(), "read_only_user"),
        ] {
            let err = app.assign(&p, &ids, Some(assignee)).await.unwrap_err();
            assert_eq!(field_code(&err), ("assignee_id".into(), code), "{assignee}");
        }
        let err = app.assign(&p, &[], Some(&ann)).await.unwrap_err();
        assert_eq!(field_code(&err).0, "application_ids");
        let many: Vec<String> = (0..101).map(|i| format!("app_{i}")).collect();
        assert_eq!(
            field_code(&app.assign(&p, &many, None).await.unwrap_err()).0,
            "application_ids"
        );
        // A read-only analyst assigns nothing.
        let ro = analyst(&ws, &reader, Role::ReadOnly);
        assert_eq!(
            app.assign(&ro, &ids, Some(&ann)).await.unwrap_err().code(),
            "read_only"
        );
        assert_eq!(
            app.application(&p, &case.id).await.unwrap(),
            case,
            "nothing changed"
        );
    }
);

store_test!(another_workspace_is_out_of_reach, |store| async move {
    let app = app(store.clone());
    let ws = store.create_workspace("acme").await.unwrap().id;
    let other_ws = store.create_workspace("other").await.unwrap().id;
    let ann = user(&app, &ws, "ann@acme.example", "reviewer").await;
    let p = analyst(&ws, &ann, Role::Reviewer);
    let outsider = analyst(&other_ws, "usr_x", Role::Admin);
    let mine = company(&app, &p, "Shared Name").await;
    let theirs = company(&app, &outsider, "Shared Name").await;

    // Another workspace's case: not found, and the bulk action changes none of the cases.
    let both = [mine.id.clone(), theirs.id.clone()];
    assert!(matches!(
        app.assign(&p, &both, Some(&ann)).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.add_tag(&p, &both, "vip").await,
        Err(AppError::NotFound(_))
    ));
    assert_eq!(app.application(&p, &mine.id).await.unwrap(), mine);
    assert_eq!(
        app.application(&outsider, &theirs.id).await.unwrap(),
        theirs
    );
    let err = app
        .comment(&p, None, &theirs.id, "hello")
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)));
    assert!(matches!(
        app.comments(&p, &theirs.id).await,
        Err(AppError::NotFound(_))
    ));
    app.comment(&outsider, None, &theirs.id, "theirs")
        .await
        .unwrap();
    assert!(matches!(
        app.comments(&p, &theirs.id).await,
        Err(AppError::NotFound(_))
    ));

    // Lists, the inbox and the dashboard hold the workspace's own cases only.
    let search = CaseQuery {
        q: Some("shared name".into()),
        limit: 100,
        ..Default::default()
    };
    let found = app.case_list(&p, &search).await.unwrap();
    assert_eq!(
        found.rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        [mine.id.as_str()]
    );
    let inbox = app
        .task_inbox(&p, &AssigneeFilter::Anyone, 0, 100)
        .await
        .unwrap();
    assert!(!inbox.tasks.is_empty());
    assert!(inbox.tasks.iter().all(|t| t.task.application_id == mine.id));
    let dashboard = app.dashboard(&p).await.unwrap();
    assert_eq!(
        dashboard
            .by_status_and_risk
            .iter()
            .map(|c| c.cases)
            .sum::<i64>(),
        1
    );
});

store_test!(tags_are_added_and_removed_in_bulk, |store| async move {
    let app = app(store.clone());
    let ws = store.create_workspace("acme").await.unwrap().id;
    let p = analyst(&ws, "usr_1", Role::Reviewer);
    let one = company(&app, &p, "Un").await;
    let two = create(
        &app,
        &p,
        json!({"type": "business", "business": {"name": "Deux"}, "tags": ["eu"]}),
    )
    .await;
    let both = [one.id.clone(), two.id.clone()];
    let saved = app.add_tag(&p, &both, "  vip ").await.unwrap();
    assert_eq!(saved[0].tags, ["vip"]);
    assert_eq!(saved[1].tags, ["eu", "vip"]);
    // Tags are among the inputs of some tasks: an `application.evaluated` entry follows.
    assert!(
        actions(&app, &p, &one.id)
            .await
            .contains(&"application.tagged".to_string())
    );
    // Already there: no new version.
    let again = app.add_tag(&p, &both, "vip").await.unwrap();
    assert_eq!(again[1].version, saved[1].version);
    let tagged = |tag: &str| CaseQuery {
        tag: Some(tag.into()),
        limit: 100,
        ..Default::default()
    };
    assert_eq!(app.case_list(&p, &tagged("vip")).await.unwrap().total, 2);
    assert_eq!(
        app.tags_in_use(&p).await.unwrap(),
        [("eu".to_string(), 1), ("vip".to_string(), 2)]
    );
    let saved = app
        .remove_tag(&p, std::slice::from_ref(&two.id), "vip")
        .await
        .unwrap();
    assert_eq!(saved[0].tags, ["eu"]);
    assert!(
        actions(&app, &p, &two.id)
            .await
            .contains(&"application.untagged".to_string())
    );
    assert_eq!(app.case_list(&p, &tagged("vip")).await.unwrap().total, 1);
    for bad in ["", "  ", &"x".repeat(101), "a\0b"] {
        let err = app.add_tag(&p, &both, bad).await.unwrap_err();
        assert_eq!(field_code(&err).0, "tag", "{bad:?}");
    }
});

store_test!(comments_are_checked_and_audited, |store| async move {
    let app = app(store.clone());
    let ws = store.create_workspace("acme").await.unwrap().id;
    let p = analyst(&ws, "usr_1", Role::Reviewer);
    let case = company(&app, &p, "Acme").await;
    let written = app
        .comment(
            &p,
            None,
            &case.id,
            "  Asked for the Kbis.\nWaiting for it.  ",
        )
        .await
        .unwrap();
    assert_eq!(written.outcome, dossier_app::Outcome::Created);
    let body: Value = serde_json::from_str(&written.body).unwrap();
    assert_eq!(body["body"], "Asked for the Kbis.\nWaiting for it.");
    let longest = "é".repeat(dossier_app::cases::MAX_COMMENT_CHARS);
    app.comment(&p, None, &case.id, &longest).await.unwrap();
    let comments = app.comments(&p, &case.id).await.unwrap();
    assert_eq!(comments.len(), 2);
    assert_eq!(comments[0].id, body["id"].as_str().unwrap());
    assert_eq!(comments[0].author, p.actor);
    assert_eq!(comments[1].body, longest);

    // In the case's timeline, with its text; the case itself is unchanged.
    let page = app
        .application_activity(&p, &case.id, None, Some(10))
        .await
        .unwrap();
    let entry = &page["data"][1];
    assert_eq!(entry["action"], "comment.created");
    assert_eq!(entry["object_type"], "comment");
    assert_eq!(entry["actor"]["id"], "usr_1");
    assert_eq!(
        entry["changes"][0]["after"],
        "Asked for the Kbis.\nWaiting for it."
    );
    assert_eq!(
        app.application(&p, &case.id).await.unwrap().version,
        case.version
    );

    for (bad, code) in [
        ("", "required"),
        (" \n ", "required"),
        (&format!("{longest}e"), "too_long"),
        ("nul \0 inside", "invalid"),
        ("escape \u{1b}[31m", "invalid"),
    ] {
        let err = app.comment(&p, None, &case.id, bad).await.unwrap_err();
        assert_eq!(field_code(&err), ("body".into(), code), "{bad:?}");
    }
    let ro = analyst(&ws, "usr_2", Role::ReadOnly);
    assert_eq!(
        app.comment(&ro, None, &case.id, "hi")
            .await
            .unwrap_err()
            .code(),
        "read_only"
    );
    assert_eq!(
        app.comments(&ro, &case.id).await.unwrap().len(),
        2,
        "reading is allowed"
    );
    assert!(matches!(
        app.comment(&p, None, "app_missing", "hi").await,
        Err(AppError::NotFound(_))
    ));
    assert_eq!(app.comments(&p, &case.id).await.unwrap().len(), 2);
});

store_test!(
    the_case_list_checks_its_query_and_searches,
    |store| async move {
        let app = app(store.clone());
        let ws = store.create_workspace("acme").await.unwrap().id;
        let p = analyst(&ws, "usr_1", Role::Reviewer);
        let case = create(
            &app,
            &p,
            json!({"type": "business", "business": {"name": "Holding Martin"},
               "relationships": [{"kind": "person", "roles": ["director"],
                   "person": {"first_name": "Hélène", "last_name": "Lefèvre"}}]}),
        )
        .await;
        company(&app, &p, "Autre").await;
        let q = |text: &str| CaseQuery {
            q: Some(text.into()),
            limit: 20,
            ..Default::default()
        };
        let found = app.case_list(&p, &q("HELENE lefevre")).await.unwrap();
        assert_eq!(found.total, 1);
        assert_eq!(found.rows[0].id, case.id);
        assert_eq!(found.rows[0].display_name, "Holding Martin");

        for (query, field) in [
            (
                CaseQuery {
                    limit: 0,
                    ..Default::default()
                },
                "limit",
            ),
            (
                CaseQuery {
                    limit: 101,
                    ..Default::default()
                },
                "limit",
            ),
            (
                CaseQuery {
                    limit: 10,
                    offset: -1,
                    ..Default::default()
                },
                "offset",
            ),
            (q(&"x".repeat(201)), "q"),
            (q("a\0b"), "q"),
            (
                CaseQuery {
                    tag: Some("\0".into()),
                    limit: 10,
                    ..Default::default()
                },
                "tag",
            ),
        ] {
            let err = app.case_list(&p, &query).await.unwrap_err();
            assert_eq!(field_code(&err).0, field, "{query:?}");
        }
        // A portal's client never lists the workspace's cases.
        let client = Principal::new(&ws, Actor::new("portal", "prt_1", Role::Client));
        assert_eq!(
            app.case_list(&client, &q("")).await.unwrap_err().code(),
            "staff_only"
        );
        assert_eq!(
            app.dashboard(&client).await.unwrap_err().code(),
            "staff_only"
        );
        let err = app
            .task_inbox(&client, &AssigneeFilter::Anyone, 0, 10)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "staff_only");
    }
);

store_test!(
    the_dashboard_and_the_inbox_follow_the_cases,
    |store| async move {
        let app = app(store.clone());
        let ws = store.create_workspace("acme").await.unwrap().id;
        let p = analyst(&ws, "usr_1", Role::Admin);
        let asked = company(&app, &p, "Asked SAS").await;
        let rejected = company(&app, &p, "Rejected SAS").await;

        // A new case has open tasks, waiting on the team.
        let inbox = app
            .task_inbox(&p, &AssigneeFilter::Anyone, 0, 100)
            .await
            .unwrap();
        assert!(inbox.total >= 2, "{inbox:?}");
        assert!(
            inbox
                .tasks
                .iter()
                .all(|t| t.waits_on == "us" && t.waited_seconds >= 0)
        );
        let since: Vec<&str> = inbox.tasks.iter().map(|t| t.task.since.as_str()).collect();
        assert!(since.is_sorted(), "oldest first: {since:?}");

        // Asking the client for what is missing: what it must provide now waits on it.
        app.open_collect(&p, None, &asked.id, Default::default())
            .await
            .unwrap();
        let inbox = app
            .task_inbox(&p, &AssigneeFilter::Anyone, 0, 100)
            .await
            .unwrap();
        let on_client: Vec<&str> = inbox
            .tasks
            .iter()
            .filter(|t| t.waits_on == "client")
            .map(|t| t.task.application_id.as_str())
            .collect();
        assert!(!on_client.is_empty(), "{inbox:?}");
        assert!(on_client.iter().all(|id| *id == asked.id));
        assert!(
            inbox
                .tasks
                .iter()
                .filter(|t| t.waits_on == "client")
                .all(|t| t.task.result == "needs_action")
        );

        let decision = DecisionRequest {
            status_review: DecisionKind::Rejected,
            reason: "Incomplete file".into(),
            override_open_tasks: true,
        };
        app.decide(&p, &rejected.id, &decision).await.unwrap();
        let inbox = app
            .task_inbox(&p, &AssigneeFilter::Anyone, 0, 100)
            .await
            .unwrap();
        assert!(
            inbox
                .tasks
                .iter()
                .all(|t| t.task.application_id == asked.id)
        );

        let d = app.dashboard(&p).await.unwrap();
        let count = |status: &str| -> i64 {
            d.by_status_and_risk
                .iter()
                .filter(|c| c.status_review == status)
                .map(|c| c.cases)
                .sum()
        };
        assert_eq!((count("pending"), count("rejected")), (1, 1));
        assert_eq!(d.waiting_on_client.cases, 1);
        assert_eq!(d.waiting_on_us.cases, 0);
        assert!(d.waiting_on_client.longest_seconds.unwrap() >= 0);
        assert_eq!(
            d.decisions_per_week.len(),
            dossier_app::cases::DECISION_WEEKS
        );
        let this_week = d.decisions_per_week.last().unwrap();
        assert_eq!((this_week.approved, this_week.rejected), (0, 1));
        // The case asked has tasks not done: not waiting for a decision.
        assert_eq!(d.waiting_for_decision, 0);
        assert!(d.oldest_waiting.is_empty());
    }
);
