//! `GET /cases/{id}`: everything about one case, and the forms that act on it.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use dossier_domain::workflow::CaseFacts;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{display_name, view};
use crate::AppState;
use crate::backoffice::Analyst;

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    done: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    analyst: Analyst,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    render(&state, &analyst, &id, StatusCode::OK, q.done, json!({})).await
}

/// The case page, with `extra` (a refused form's errors, under `forms` or `decision_form`) merged
/// into its context.
pub async fn render(
    state: &AppState,
    analyst: &Analyst,
    id: &str,
    status: StatusCode,
    done: Option<String>,
    extra: Value,
) -> Response {
    let p = &analyst.staff.principal;
    let lang = &analyst.lang;
    let app = match state.app.application(p, id).await {
        Ok(app) => app,
        Err(e) => return analyst.refusal(state, &e),
    };
    // The sections read together; one that fails shows empty rather than losing the page.
    let (activity, documents, hits, history, collect, users, definitions, comments, next) = tokio::join!(
        state.app.application_activity(p, id, None, Some(50)),
        state.app.documents(p, id, None, Some(100)),
        state.app.screening_hits(p, id, None),
        state.app.risk_history(p, id, None, Some(20)),
        state.app.collect(p, id),
        state.app.users(p),
        state.app.custom_fields(p),
        state.app.comments(p, id),
        state.app.next_pending_case(p, id),
    );
    let activity = activity.unwrap_or_else(|_| json!({"data": []}));
    let documents = documents.unwrap_or_else(|_| json!({"data": []}));
    let hits = hits.unwrap_or_default();
    let history = history.unwrap_or_else(|_| json!({"data": []}));
    let users = users.unwrap_or_default();
    let people = view::People::new(&users);
    let definitions = definitions.unwrap_or_default();
    let next_case = next.ok().flatten();

    let case_json = dossier_app::applications::to_json(&app);
    let facts = CaseFacts::build(&case_json, &app.documents);
    let names = view::party_names(&app);
    let role = p.role();
    let may_write = role.may_write();
    let pending_approval = app.pending_approval.as_ref().map(|a| {
        json!({
            "by": people.name(&a.by),
            "mine": a.by == p.actor.id,
            "reason": a.reason,
            "at": a.at.to_string(),
        })
    });
    let decision = app.decision.as_ref().map(|d| {
        json!({
            "status_review": d.status_review,
            "reason": d.reason,
            "by": people.name(&d.decided_by),
            "at": d.decided_at.to_string(),
            "first_approval": d.first_approval.as_ref().map(|a| json!({
                "by": people.name(&a.by),
                "reason": a.reason,
                "at": a.at.to_string(),
            })),
            "overrode_open_tasks": d.overrode_open_tasks,
            "automatic_rule": d.automatic_rule,
        })
    });
    let collect = collect.ok().map(|c| collect_summary(&c, &people));
    // A decision the policy would refuse whatever is chosen: its words instead of the form.
    let blocked = (may_write && app.decision.is_none())
        .then(|| dossier_app::verification::decision_refusal(p, &app))
        .flatten()
        .map(|r| super::refusal_text(state, analyst, &r));
    let team = team_panel(&app, &users, &people, &p.actor.id);
    let comments: Vec<Value> = comments
        .unwrap_or_default()
        .into_iter()
        .map(|c| {
            json!({
                "by": people.actor(&c.author.kind, &c.author.id),
                "at": c.created_at,
                "body": c.body,
            })
        })
        .collect();
    let mut context = json!({
        "nav": "cases",
        "name": display_name(&app),
        "case": case_json,
        "profile": view::profile(state, lang, &app),
        "custom_fields": view::custom_fields(state, lang, &definitions, &app),
        "tree": view::ownership_tree(state, lang, &app, &facts),
        "documents": view::documents(state, lang, &documents, &names, &people),
        "tasks": view::tasks(state, lang, &app, &people),
        "hits": view::hits(state, lang, &app, &hits, &facts, &people),
        "risk": view::risk(&app, &history, &people),
        "timeline": view::timeline(state, lang, &activity["data"], &people),
        "collect": collect,
        "team": team,
        "comments": comments,
        "pending_approval": pending_approval,
        "decision": decision,
        "next_case": next_case,
        "done": done,
        "may_write": may_write,
        "may_decide": may_write && app.decision.is_none() && blocked.is_none(),
        "decision_blocked": blocked,
        "is_qualified": role.is_qualified(),
        "forms": {},
    });
    if let (Value::Object(ctx), Value::Object(extra)) = (&mut context, extra) {
        for (k, v) in extra {
            match (ctx.get_mut(&k), v) {
                (Some(Value::Object(mine)), Value::Object(more)) => mine.extend(more),
                (_, v) => {
                    ctx.insert(k, v);
                }
            }
        }
    }
    let mut response = analyst.page(state, status, "bo_case.html", context);
    allow_frames(&mut response);
    response
}

/// The page's documents are previewed in frames of our own origin (the content route, sandboxed):
/// the kit's policy (`default-src 'none'`) gets `frame-src 'self'` for this page only.
fn allow_frames(response: &mut Response) {
    let headers = response.headers_mut();
    let Some(csp) = headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
    else {
        return;
    };
    if let Ok(value) = HeaderValue::from_str(&format!("{csp}; frame-src 'self'")) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Who the case is assigned to, and whom it may be assigned to: the workspace's active users who
/// may work on cases (the application layer refuses the others), the signed-in one first.
fn team_panel(
    app: &dossier_domain::application::Application,
    users: &[dossier_store::User],
    people: &view::People,
    me: &str,
) -> Value {
    let mut choices: Vec<Value> = users
        .iter()
        .filter(|u| u.is_active() && u.role.may_write() && u.id != me)
        .map(|u| json!({"value": u.id, "label": people.name(&u.id)}))
        .collect();
    choices.sort_by(|a, b| a["label"].as_str().cmp(&b["label"].as_str()));
    json!({
        "assignee_id": app.assignee_id,
        "assignee": app.assignee_id.as_deref().map(|id| people.name(id)),
        "mine": app.assignee_id.as_deref() == Some(me),
        "choices": choices,
    })
}

/// The case's collect as the page shows it: open or not, and its rounds, newest first.
pub fn collect_summary(c: &Value, people: &view::People) -> Value {
    let mut rounds: Vec<Value> = c["rounds"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|mut r| {
            let by = people.actor(
                r["opened_by"]["kind"].as_str().unwrap_or_default(),
                r["opened_by"]["id"].as_str().unwrap_or_default(),
            );
            r["opened_by"] = by;
            r
        })
        .collect();
    rounds.reverse();
    json!({
        "id": c["id"],
        "status": c["status"],
        "open": c["status"] == "opened",
        "expires_at": c["portals"]["expires_at"],
        "rounds": rounds,
    })
}
