//! `GET /cases`: the workspace's cases with filters, search, order and pages, all kept in the URL;
//! `POST /cases/bulk`: assign or tag the checked cases.

use axum::body::Bytes;
use axum::extract::{Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use dossier_app::AppError;
use dossier_app::cases::{assignee_filter, date_bound};
use dossier_store::{CaseQuery, CaseSort};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::backoffice::Analyst;

/// Cases per page.
const PAGE: i64 = 50;

/// The list counts its cases up to this many, then says "more than": an exact count of a large
/// result would read all of it on every page (`docs/benchmarks.md`, back-office).
const COUNT_UP_TO: i64 = 1_000;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    status_review: Option<String>,
    status_execution: Option<String>,
    risk_level: Option<String>,
    /// `mine_or_unassigned` (the default view), `mine`, `none`, `any` or a user id.
    assignee: Option<String>,
    tag: Option<String>,
    template: Option<String>,
    created_from: Option<String>,
    created_to: Option<String>,
    updated_from: Option<String>,
    updated_to: Option<String>,
    /// `yes`: only the cases waiting on their client (an open collect).
    waiting: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
    page: Option<i64>,
    done: Option<String>,
}

fn text(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The store's query for the page's filters; a bad date is a field error.
fn query(analyst: &Analyst, q: &ListQuery) -> Result<CaseQuery, AppError> {
    let p = &analyst.staff.principal;
    let bound = |field: &str, v: &Option<String>, end: bool| {
        text(v).map(|t| date_bound(field, &t, end)).transpose()
    };
    let sort = q
        .sort
        .as_deref()
        .and_then(CaseSort::parse)
        .unwrap_or_default();
    Ok(CaseQuery {
        q: text(&q.q),
        status_review: text(&q.status_review),
        status_execution: text(&q.status_execution),
        risk_level: text(&q.risk_level),
        assignee: assignee_filter(p, q.assignee.as_deref().unwrap_or("mine_or_unassigned")),
        tag: text(&q.tag),
        template: text(&q.template),
        created_from: bound("created_from", &q.created_from, false)?,
        created_to: bound("created_to", &q.created_to, true)?,
        updated_from: bound("updated_from", &q.updated_from, false)?,
        updated_to: bound("updated_to", &q.updated_to, true)?,
        waiting_on_client: (q.waiting.as_deref() == Some("yes")).then_some(true),
        sort,
        ascending: q.dir.as_deref() == Some("asc"),
        offset: (q.page.unwrap_or(1).max(1) - 1) * PAGE,
        limit: PAGE,
        count_up_to: Some(COUNT_UP_TO),
        ..Default::default()
    })
}

pub async fn show(
    State(state): State<AppState>,
    analyst: Analyst,
    RawQuery(raw): RawQuery,
    Query(q): Query<ListQuery>,
) -> Response {
    let p = &analyst.staff.principal;
    let users = state.app.users(p).await.unwrap_or_default();
    let name_of = |id: &Option<String>| {
        id.as_ref().map(|id| {
            users
                .iter()
                .find(|u| &u.id == id)
                .map(|u| u.name.clone())
                .unwrap_or_else(|| id.clone())
        })
    };
    let (list, errors) = match query(&analyst, &q) {
        Ok(cq) => match state.app.case_list(p, &cq).await {
            Ok(list) => (Some(list), None),
            Err(e @ AppError::Invalid(_)) => (None, Some(analyst.form_errors(&state, &e))),
            Err(e) => return analyst.refusal(&state, &e),
        },
        Err(e) => (None, Some(analyst.form_errors(&state, &e))),
    };
    let page = q.page.unwrap_or(1).max(1);
    let (total, more, has_next) = list
        .as_ref()
        .map(|l| (l.total, l.more, l.has_next))
        .unwrap_or_default();
    let rows: Vec<Value> = list
        .map(|l| l.rows)
        .unwrap_or_default()
        .into_iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.display_name,
                "type": r.kind,
                "status_review": r.status_review,
                "status_execution": r.status_execution,
                "risk_level": r.risk_level,
                "risk_score": r.risk_score,
                "assignee": name_of(&r.assignee_id),
                "tags": r.tags,
                "updated_at": r.updated_at,
                "waiting_on_client": r.waiting_on_client,
            })
        })
        .collect();
    // The URL of this list without `page`, `sort`, `dir` and `done`: the base of the page and
    // order links, so every filter stays.
    let kept: Vec<(String, String)> =
        url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
            .filter(|(k, v)| {
                !v.is_empty() && !matches!(k.as_ref(), "page" | "sort" | "dir" | "done")
            })
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
    let base: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&kept)
        .finish();
    let sort = q.sort.clone().unwrap_or_else(|| "updated_at".into());
    let dir = q.dir.clone().unwrap_or_else(|| "desc".into());
    let (summary, field_errors) = errors.unwrap_or((None, Vec::new()));
    analyst.page(
        &state,
        if summary.is_some() || !field_errors.is_empty() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        "bo_cases.html",
        json!({
            "nav": "cases",
            "cases": rows,
            "total": total,
            "more": more,
            "page": page,
            // Unknown past the count's cap: the pages then say "Page N" and link the next one
            // while there is one.
            "pages": (!more).then(|| ((total + PAGE - 1) / PAGE).max(1)),
            "has_next": has_next,
            "base": base,
            "sort": sort,
            "dir": dir,
            "filters": {
                "q": q.q, "status_review": q.status_review, "status_execution": q.status_execution,
                "risk_level": q.risk_level,
                "assignee": q.assignee.clone().unwrap_or_else(|| "mine_or_unassigned".into()),
                "tag": q.tag, "template": q.template,
                "created_from": q.created_from, "created_to": q.created_to,
                "updated_from": q.updated_from, "updated_to": q.updated_to,
                "waiting": q.waiting,
            },
            "users": users.iter().filter(|u| u.is_active()).map(|u| json!({"id": u.id, "name": u.name})).collect::<Vec<_>>(),
            "return_to": format!("/cases?{base}"),
            "summary": summary,
            "errors": field_errors,
            "done": q.done,
        }),
    )
}

/// `POST /cases/bulk`: `action` = `assign` (with `assignee`, empty to unassign) or `tag` /
/// `untag` (with `tag`), on every checked `id`.
pub async fn bulk(State(state): State<AppState>, analyst: Analyst, body: Bytes) -> Response {
    let form = match analyst.form(&state, &body) {
        Ok(f) => f,
        Err(page) => return page,
    };
    let p = &analyst.staff.principal;
    let ids = form.all("id");
    let result = match form.get("action") {
        "assign" => {
            let assignee = form.opt("assignee");
            let assignee = match assignee.as_deref() {
                Some("me") => Some(p.actor.id.clone()),
                other => other.map(str::to_string),
            };
            state
                .app
                .assign(p, &ids, assignee.as_deref())
                .await
                .map(|_| "assigned")
        }
        "tag" => state
            .app
            .add_tag(p, &ids, form.get("tag"))
            .await
            .map(|_| "tagged"),
        "untag" => state
            .app
            .remove_tag(p, &ids, form.get("tag"))
            .await
            .map(|_| "untagged"),
        _ => Err(AppError::invalid("action", "choose assign, tag or untag")),
    };
    let back = crate::backoffice::safe_next(Some(form.get("return_to"))).to_string();
    let sep = if back.contains('?') { '&' } else { '?' };
    match result {
        Ok(done) => Redirect::to(&format!("{back}{sep}done={done}")).into_response(),
        Err(e) => analyst.refusal(&state, &e),
    }
}
