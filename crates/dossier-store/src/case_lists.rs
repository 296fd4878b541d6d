//! What the back-office's lists read, kept beside each case so that no list decodes a case's
//! document: the list columns of its `applications` row, its tags (`case_tags`) and its open tasks
//! (`case_tasks`), all written with every write of the case (`applications.rs`). Read here: the case
//! list with its filters, sort and count; the dashboard's figures; the tasks inbox.

use dossier_domain::application::{Application, StatusReview};
use dossier_domain::workflow::Task;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::{Backend, Result, Store, Tx, corrupt, timestamp};

/// The largest page of a list.
pub const MAX_LIMIT: i64 = 100;

/// The list columns of a case's row, as they follow from the case.
pub(crate) struct ListColumns {
    pub assignee_id: Option<String>,
    pub template: String,
    pub display_name: String,
    /// The JSON list of the case's tags.
    pub tags: String,
    pub search: String,
    pub received_at: Option<String>,
    pub decided_at: Option<String>,
}

impl ListColumns {
    pub(crate) fn of(app: &Application) -> Self {
        ListColumns {
            assignee_id: app.assignee_id.clone(),
            template: app.template.clone(),
            display_name: app.display_name(),
            tags: serde_json::to_string(&app.tags).expect("tags serialise"),
            search: app.search_text(),
            received_at: app.received_at().map(timestamp),
            decided_at: app.decided_at.map(timestamp),
        }
    }
}

/// The open tasks the inbox lists for a case: none once it is decided, or while its client is still
/// filling it in (it has not reached the team).
fn inbox_tasks(app: &Application) -> Vec<&Task> {
    if app.status_review != StatusReview::Pending || app.received_at().is_none() {
        return Vec::new();
    }
    app.tasks.iter().filter(|t| t.is_open()).collect()
}

/// `VALUES` placeholders for `rows` rows of `columns` values: `($1, $2), ($3, $4)`.
fn placeholders(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|r| {
            let row: Vec<String> = (1..=columns)
                .map(|c| format!("${}", r * columns + c))
                .collect();
            format!("({})", row.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl Tx {
    /// Writes the case's tags and open tasks to their side tables; `new` when the case has just been
    /// inserted (nothing stored yet to compare with).
    pub(crate) async fn write_list_state(
        &mut self,
        workspace_id: &str,
        app: &Application,
        new: bool,
    ) -> Result<()> {
        self.write_case_tags(workspace_id, app, new).await?;
        self.write_case_tasks(workspace_id, app, new).await
    }

    async fn write_case_tags(&mut self, ws: &str, app: &Application, new: bool) -> Result<()> {
        let mut tags: Vec<&str> = app.tags.iter().map(String::as_str).collect();
        tags.sort_unstable();
        tags.dedup();
        let stored: Vec<String> = if new {
            Vec::new()
        } else {
            sqlx::query_scalar(
                "SELECT tag FROM case_tags WHERE workspace_id = $1 AND application_id = $2",
            )
            .bind(ws)
            .bind(&app.id)
            .fetch_all(self.conn().await?)
            .await?
        };
        for gone in stored.iter().filter(|t| !tags.contains(&t.as_str())) {
            sqlx::query(
                "DELETE FROM case_tags WHERE workspace_id = $1 AND tag = $2 AND application_id = $3",
            )
            .bind(ws)
            .bind(gone)
            .bind(&app.id)
            .execute(self.conn().await?)
            .await?;
        }
        let added: Vec<&str> = tags
            .into_iter()
            .filter(|t| !stored.iter().any(|s| s == t))
            .collect();
        if added.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "INSERT INTO case_tags (workspace_id, tag, application_id) VALUES {}",
            placeholders(added.len(), 3)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for tag in added {
            q = q.bind(ws).bind(tag).bind(&app.id);
        }
        q.execute(self.conn().await?).await?;
        Ok(())
    }

    /// Keeps `case_tasks` equal to the case's inbox tasks. A task that stays open keeps its `since`;
    /// one that opens now is dated by this write (the case's `updated_at`).
    async fn write_case_tasks(&mut self, ws: &str, app: &Application, new: bool) -> Result<()> {
        let open = inbox_tasks(app);
        let stored: Vec<(String, String, String, String, i64)> = if new {
            Vec::new()
        } else {
            sqlx::query_as(
                "SELECT task_key, kind, name, result, stale FROM case_tasks \
                 WHERE workspace_id = $1 AND application_id = $2",
            )
            .bind(ws)
            .bind(&app.id)
            .fetch_all(self.conn().await?)
            .await?
        };
        for (key, ..) in stored.iter().filter(|s| !open.iter().any(|t| t.key == s.0)) {
            sqlx::query(
                "DELETE FROM case_tasks WHERE workspace_id = $1 AND application_id = $2 AND task_key = $3",
            )
            .bind(ws)
            .bind(&app.id)
            .bind(key)
            .execute(self.conn().await?)
            .await?;
        }
        let mut added = Vec::new();
        for t in open {
            let row = (
                t.kind.as_str(),
                t.name.as_str(),
                t.result.as_str(),
                t.stale as i64,
            );
            match stored.iter().find(|s| s.0 == t.key) {
                None => added.push(t),
                Some(s) if (s.1.as_str(), s.2.as_str(), s.3.as_str(), s.4) == row => {}
                Some(_) => {
                    sqlx::query(
                        "UPDATE case_tasks SET kind = $1, name = $2, result = $3, stale = $4 \
                         WHERE workspace_id = $5 AND application_id = $6 AND task_key = $7",
                    )
                    .bind(row.0)
                    .bind(row.1)
                    .bind(row.2)
                    .bind(row.3)
                    .bind(ws)
                    .bind(&app.id)
                    .bind(&t.key)
                    .execute(self.conn().await?)
                    .await?;
                }
            }
        }
        if added.is_empty() {
            return Ok(());
        }
        let since = timestamp(app.updated_at);
        let sql = format!(
            "INSERT INTO case_tasks (workspace_id, application_id, task_key, kind, name, result, stale, since) \
             VALUES {}",
            placeholders(added.len(), 8)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for t in added {
            q = q
                .bind(ws)
                .bind(&app.id)
                .bind(&t.key)
                .bind(&t.kind)
                .bind(&t.name)
                .bind(t.result.as_str())
                .bind(t.stale as i64)
                .bind(&since);
        }
        q.execute(self.conn().await?).await?;
        Ok(())
    }
}

/// Migration 0015: fills the list columns, tags and open tasks of every existing case from its
/// current version, and each collect's `opened_at` from its current round. Pages of 200, so memory
/// stays flat on a large database.
pub(crate) async fn backfill(tx: &mut Tx) -> Result<()> {
    let mut after = String::new();
    loop {
        let rows = sqlx::query(
            "SELECT a.workspace_id, a.id, v.encoding, v.data FROM applications a \
             JOIN application_versions v ON v.workspace_id = a.workspace_id \
             AND v.application_id = a.id AND v.version = a.version \
             WHERE a.id > $1 ORDER BY a.id LIMIT 200",
        )
        .bind(&after)
        .fetch_all(tx.conn().await?)
        .await?;
        let Some(last) = rows.last() else { break };
        after = last.get(1);
        for r in &rows {
            let ws: String = r.get(0);
            let text = crate::versions::decode_columns(r, 2)?;
            let app: Application =
                serde_json::from_str(&text).map_err(|e| corrupt("application", e))?;
            let list = ListColumns::of(&app);
            sqlx::query(
                "UPDATE applications SET assignee_id = $1, template = $2, display_name = $3, tags = $4, \
                 search = $5, received_at = $6, decided_at = $7 WHERE workspace_id = $8 AND id = $9",
            )
            .bind(list.assignee_id)
            .bind(list.template)
            .bind(list.display_name)
            .bind(list.tags)
            .bind(list.search)
            .bind(list.received_at)
            .bind(list.decided_at)
            .bind(&ws)
            .bind(&app.id)
            .execute(tx.conn().await?)
            .await?;
            tx.write_list_state(&ws, &app, true).await?;
        }
    }
    let collects: Vec<(String, String)> =
        sqlx::query_as("SELECT id, data FROM portals WHERE kind = 'collect'")
            .fetch_all(tx.conn().await?)
            .await?;
    for (id, data) in collects {
        let data: serde_json::Value =
            serde_json::from_str(&data).map_err(|e| corrupt("portal", e))?;
        let opened = data["rounds"]
            .as_array()
            .and_then(|r| r.last())
            .and_then(|r| r["opened_at"].as_str());
        if let Some(opened) = opened {
            sqlx::query("UPDATE portals SET opened_at = $1 WHERE id = $2")
                .bind(opened)
                .bind(&id)
                .execute(tx.conn().await?)
                .await?;
        }
    }
    Ok(())
}

/// Whose cases a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AssigneeFilter {
    #[default]
    Anyone,
    /// The cases assigned to this user.
    User(String),
    Unassigned,
    /// The cases assigned to this user and the unassigned ones: an analyst's default view.
    UserOrUnassigned(String),
}

/// The orders of the case list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CaseSort {
    CreatedAt,
    #[default]
    UpdatedAt,
    /// When the case reached the team (cases still filled in by their client last).
    ReceivedAt,
    RiskScore,
    /// The subject's name, ignoring case and accents.
    Name,
}

impl CaseSort {
    pub const ALL: [CaseSort; 5] = [
        CaseSort::CreatedAt,
        CaseSort::UpdatedAt,
        CaseSort::ReceivedAt,
        CaseSort::RiskScore,
        CaseSort::Name,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseSort::CreatedAt => "created_at",
            CaseSort::UpdatedAt => "updated_at",
            CaseSort::ReceivedAt => "received_at",
            CaseSort::RiskScore => "risk_score",
            CaseSort::Name => "name",
        }
    }

    pub fn parse(text: &str) -> Option<CaseSort> {
        CaseSort::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The `ORDER BY` column, and whether it may be null. The name order reads the search text,
    /// whose first line is the folded name.
    fn column(self) -> (&'static str, bool) {
        match self {
            CaseSort::CreatedAt => ("a.created_at", false),
            CaseSort::UpdatedAt => ("a.updated_at", false),
            CaseSort::ReceivedAt => ("a.received_at", true),
            CaseSort::RiskScore => ("a.risk_score", true),
            CaseSort::Name => ("a.search", false),
        }
    }
}

/// What the case list shows: filters, order and page. Empty filters select every case of the
/// workspace; timestamps are in stored form (see [`crate::normalise_timestamp`]), `…_from`
/// inclusive and `…_to` exclusive.
#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    pub kind: Option<String>,
    pub status_review: Option<String>,
    pub status_execution: Option<String>,
    pub risk_level: Option<String>,
    pub assignee: AssigneeFilter,
    pub tag: Option<String>,
    pub template: Option<String>,
    pub created_from: Option<String>,
    pub created_to: Option<String>,
    pub updated_from: Option<String>,
    pub updated_to: Option<String>,
    /// `Some(true)`: only the cases with an open collect; `Some(false)`: only the others.
    pub waiting_on_client: Option<bool>,
    /// Only the cases waiting for a decision (see [`WAITING_FOR_DECISION`]).
    pub waiting_for_decision: bool,
    /// Free text: each of its words must be in the case's search text (see
    /// `dossier_domain::search`).
    pub q: Option<String>,
    /// Count the matching cases up to this many only (`None`: all of them). Counting a large result
    /// exactly reads all of it on every page; past the cap the list says "more than".
    pub count_up_to: Option<i64>,
    pub sort: CaseSort,
    pub ascending: bool,
    pub offset: i64,
    /// 1 to [`MAX_LIMIT`].
    pub limit: i64,
}

/// A case waits for a decision once it has reached the team, every active task has a result
/// (`status_execution` `done`: what the policy lets a reviewer decide) and it is not decided.
const WAITING_FOR_DECISION: &str =
    "a.status_review = 'pending' AND a.status_execution = 'done' AND a.received_at IS NOT NULL";

/// The case `a` has an open collect: its client was asked for something and has not answered.
const OPEN_COLLECT: &str = "EXISTS (SELECT 1 FROM portals p WHERE p.workspace_id = a.workspace_id \
                            AND p.application_id = a.id AND p.kind = 'collect' AND p.status = 'opened')";

/// A case as the list shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseRow {
    pub id: String,
    /// `business` or `person`.
    #[serde(rename = "type")]
    pub kind: String,
    pub display_name: String,
    pub status_review: String,
    pub status_execution: String,
    pub risk_level: Option<String>,
    pub risk_score: Option<f64>,
    pub assignee_id: Option<String>,
    pub tags: Vec<String>,
    pub template: String,
    pub external_id: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub received_at: Option<String>,
    pub decided_at: Option<String>,
    /// An open collect waits for the client.
    pub waiting_on_client: bool,
}

/// One page of cases and how many match in all.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseList {
    pub rows: Vec<CaseRow>,
    /// How many cases match, or the query's [`CaseQuery::count_up_to`] when more do.
    pub total: i64,
    /// More cases match than `total` (the count stopped at its cap).
    pub more: bool,
    /// A later page has cases.
    pub has_next: bool,
}

fn case_row_columns() -> String {
    format!(
        "a.id, a.kind, a.display_name, a.status_review, a.status_execution, a.risk_level, a.risk_score, \
         a.assignee_id, a.tags, a.template, a.external_id, a.created_at, a.updated_at, a.received_at, \
         a.decided_at, CASE WHEN {OPEN_COLLECT} THEN 1 ELSE 0 END"
    )
}

fn case_row(r: &AnyRow) -> Result<CaseRow> {
    let tags: String = r.get(8);
    Ok(CaseRow {
        id: r.get(0),
        kind: r.get(1),
        display_name: r.get(2),
        status_review: r.get(3),
        status_execution: r.get(4),
        risk_level: r.get(5),
        risk_score: r.get(6),
        assignee_id: r.get(7),
        tags: serde_json::from_str(&tags).map_err(|e| corrupt("application tags", e))?,
        template: r.get(9),
        external_id: r.get(10),
        created_at: r.get(11),
        updated_at: r.get(12),
        received_at: r.get(13),
        decided_at: r.get(14),
        waiting_on_client: r.get::<i64, _>(15) != 0,
    })
}

/// A `WHERE` clause being built, with its text values bound in order.
struct Conditions {
    sql: String,
    binds: Vec<String>,
    /// Put before each column of the case's row: `+` (SQLite) keeps the planner from reading the
    /// cases through an index of those columns (see [`case_conditions`]).
    prefix: &'static str,
}

impl Conditions {
    fn new(workspace_id: &str, column: &str) -> Self {
        Self::with_prefix(workspace_id, column, "")
    }

    fn with_prefix(workspace_id: &str, column: &str, prefix: &'static str) -> Self {
        Conditions {
            sql: format!("{prefix}{column} = $1"),
            binds: vec![workspace_id.to_string()],
            prefix,
        }
    }

    /// Binds `value` and returns its placeholder.
    fn bind(&mut self, value: impl Into<String>) -> String {
        self.binds.push(value.into());
        format!("${}", self.binds.len())
    }

    fn and(&mut self, condition: &str) {
        self.sql.push_str(" AND ");
        self.sql.push_str(condition);
    }

    fn assignee(&mut self, filter: &AssigneeFilter) {
        match filter {
            AssigneeFilter::Anyone => {}
            AssigneeFilter::User(id) => {
                let p = self.bind(id);
                self.and(&format!("{}a.assignee_id = {p}", self.prefix));
            }
            AssigneeFilter::Unassigned => {
                self.and(&format!("{}a.assignee_id IS NULL", self.prefix))
            }
            AssigneeFilter::UserOrUnassigned(id) => {
                let p = self.bind(id);
                let column = format!("{}a.assignee_id", self.prefix);
                self.and(&format!("({column} = {p} OR {column} IS NULL)"));
            }
        }
    }

    fn query<'q>(
        &'q self,
        sql: String,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for b in &self.binds {
            q = q.bind(b);
        }
        q
    }
}

/// `%word%` for `LIKE … ESCAPE '\'`, with the word's own wildcards escaped.
fn contains_pattern(word: &str) -> String {
    let mut p = String::with_capacity(word.len() + 2);
    p.push('%');
    for c in word.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// Whether a search word can be looked up in the trigram index (`case_search`, migration 0017): it
/// has a trigram, and no character `LIKE` would read as a wildcard (SQLite's index takes no
/// `ESCAPE`). Other words are matched against each candidate's text.
fn indexed_word(word: &str) -> bool {
    word.chars().count() >= 3 && !word.contains(['%', '_', '\\'])
}

/// The conditions of `f` on the cases `a`. On SQLite, a search through the trigram index (and the
/// tag, if `tag_drives`) is the set the cases are read from, each looked up by key, rather than
/// an index of the workspace's cases walked and the set probed: the planner cannot tell that the
/// set is small, and a search through 100,000 cases walked them all.
fn case_conditions(
    backend: Backend,
    workspace_id: &str,
    f: &CaseQuery,
    tag_drives: bool,
) -> Conditions {
    let words = dossier_domain::search::query_words(f.q.as_deref().unwrap_or(""));
    let searched = words.iter().any(|w| indexed_word(w));
    let driven = searched || (tag_drives && f.tag.is_some());
    let prefix = if driven && backend == Backend::Sqlite {
        "+"
    } else {
        ""
    };
    let mut c = Conditions::with_prefix(workspace_id, "a.workspace_id", prefix);
    for (condition, value) in [
        ("a.kind =", &f.kind),
        ("a.status_review =", &f.status_review),
        ("a.status_execution =", &f.status_execution),
        ("a.risk_level =", &f.risk_level),
        ("a.template =", &f.template),
        ("a.created_at >=", &f.created_from),
        ("a.created_at <", &f.created_to),
        ("a.updated_at >=", &f.updated_from),
        ("a.updated_at <", &f.updated_to),
    ] {
        if let Some(v) = value {
            let p = c.bind(v);
            c.and(&format!("{prefix}{condition} {p}"));
        }
    }
    c.assignee(&f.assignee);
    if let Some(tag) = &f.tag {
        let p = c.bind(tag);
        // The tagged cases drive the query (an uncorrelated set), rather than a probe of
        // `case_tags` for every case the other conditions let through.
        c.and(&format!(
            "a.id IN (SELECT t.application_id FROM case_tags t WHERE t.workspace_id = $1 \
             AND t.tag = {p})"
        ));
    }
    match f.waiting_on_client {
        Some(true) => c.and(OPEN_COLLECT),
        Some(false) => c.and(&format!("NOT {OPEN_COLLECT}")),
        None => {}
    }
    if f.waiting_for_decision {
        c.and(WAITING_FOR_DECISION);
    }
    // The words with a trigram select their cases through the trigram index (its trigrams only
    // narrow the candidates); the shorter words are matched against those candidates' text.
    let (indexed, scanned): (Vec<_>, Vec<_>) = words.into_iter().partition(|w| indexed_word(w));
    if !indexed.is_empty() {
        let likes: Vec<String> = indexed
            .iter()
            .map(|w| {
                let p = c.bind(contains_pattern(w));
                format!("s.search LIKE {p}")
            })
            .collect();
        c.and(&match backend {
            // The index's candidates and the cases it has not taken in yet (see migration
            // 0017), all checked against their current text below.
            Backend::Sqlite => format!(
                "(a.rowid IN (SELECT s.rowid FROM case_search s WHERE {}) \
                 OR a.rowid IN (SELECT t.app_rowid FROM case_search_stale t))",
                likes.join(" AND ")
            ),
            Backend::Postgres => format!(
                "a.id IN (SELECT s.application_id FROM case_search s WHERE s.workspace_id = $1 \
                 AND {})",
                likes.join(" AND ")
            ),
        });
    }
    // SQLite's index may hold a case's former text until it takes the case in again: every word
    // is checked against the current one.
    let checked = match backend {
        Backend::Sqlite => indexed.into_iter().chain(scanned).collect(),
        Backend::Postgres => scanned,
    };
    for word in checked {
        let p = c.bind(contains_pattern(&word));
        c.and(&format!("a.search LIKE {p} ESCAPE '\\'"));
    }
    c
}

/// The epoch seconds (fractional) of a stored timestamp, for averages.
fn epoch(backend: Backend, column: &str) -> String {
    match backend {
        Backend::Sqlite => format!("unixepoch({column}, 'subsec')"),
        Backend::Postgres => {
            format!("CAST(EXTRACT(EPOCH FROM CAST({column} AS TIMESTAMPTZ)) AS DOUBLE PRECISION)")
        }
    }
}

/// Cases of one `status_review` and `risk_level`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusRiskCount {
    pub status_review: String,
    pub risk_level: Option<String>,
    pub cases: i64,
}

/// The undecided cases waiting on one side: how many, since when the oldest waits, and the mean
/// of the times they have waited (as the epoch second it is measured from).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct WaitingSide {
    pub cases: i64,
    pub oldest_since: Option<String>,
    /// The mean of the epoch seconds since which the cases wait (now minus it: the mean wait).
    pub mean_since_epoch: Option<f64>,
}

/// Who the undecided cases wait on.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Waiting {
    /// No open collect: the team has the next move, since the case was received or its client
    /// last answered a collect.
    pub on_us: WaitingSide,
    /// An open collect: since it was (re)opened.
    pub on_client: WaitingSide,
}

/// Decisions of one day and outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayDecisions {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    /// `approved` or `rejected`.
    pub status_review: String,
    pub cases: i64,
}

/// A task of the inbox.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskRow {
    pub application_id: String,
    pub display_name: String,
    /// The case's subject: `business` or `person`.
    #[serde(rename = "type")]
    pub kind: String,
    pub assignee_id: Option<String>,
    pub task_key: String,
    pub task_kind: String,
    pub task_name: String,
    pub result: String,
    pub stale: bool,
    /// When the task became open.
    pub since: String,
    /// The client must act (`needs_action`) and a collect asks it to: the task waits on the
    /// client; otherwise on the team.
    pub waiting_on_client: bool,
}

/// One page of the tasks inbox and how many tasks it holds in all.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskList {
    pub rows: Vec<TaskRow>,
    pub total: i64,
}

impl Store {
    /// One page of the cases `f` selects, in its order, and how many it selects.
    pub async fn case_list(&self, workspace_id: &str, f: &CaseQuery) -> Result<CaseList> {
        // The count reads every match (up to its cap) and drives from the search's and the tag's
        // sets. The page stops at its end: a tagged page walks the order's index and probes the
        // tag's set (a frequent tag fills a page at once); a searched one reads its few matches.
        let c = case_conditions(self.backend(), workspace_id, f, true);
        let count = match f.count_up_to {
            None => format!("SELECT COUNT(*) FROM applications a WHERE {}", c.sql),
            Some(cap) => format!(
                "SELECT COUNT(*) FROM (SELECT 1 FROM applications a WHERE {} LIMIT {}) capped",
                c.sql,
                cap.max(0) + 1
            ),
        };
        let counted: i64 = c.query(count).fetch_one(self.reader()).await?.get(0);
        let (total, more) = match f.count_up_to {
            Some(cap) if counted > cap.max(0) => (cap.max(0), true),
            _ => (counted, false),
        };
        let direction = if f.ascending { "ASC" } else { "DESC" };
        // Cases without a value (no risk yet, not received) come last either way (said only for
        // such columns: it would keep the others from being read in their index's order). The id
        // breaks ties, so that pages never overlap.
        let (column, nullable) = f.sort.column();
        let nulls = if nullable { " NULLS LAST" } else { "" };
        // A searched page is not read in the sort's index order: the planner cannot tell that a
        // search selects few cases, and would walk the whole workspace in order looking up each
        // row. SQLite's unary `+` keeps it off the order's index, so the matches (from the trigram
        // index, or for short words the covering search index) are read, then sorted.
        let page = case_conditions(self.backend(), workspace_id, f, false);
        let searched = f.q.as_deref().is_some_and(|q| !q.trim().is_empty());
        let key = if searched && self.backend() == Backend::Sqlite {
            format!("+{column}")
        } else {
            column.to_string()
        };
        // A deferred join: the page's ids first, from the narrow row (an index alone where one
        // fits), then the shown columns and the collect subquery for those ids only, not for
        // every row an offset skips. One row more than the page tells whether a next one exists
        // when the count stopped at its cap.
        let limit = f.limit.clamp(1, MAX_LIMIT);
        let sql = format!(
            "SELECT {} FROM applications a WHERE a.id IN (\
               SELECT a.id FROM applications a WHERE {} \
               ORDER BY {key} {direction}{nulls}, a.id {direction} LIMIT {} OFFSET {}) \
             ORDER BY {column} {direction}{nulls}, a.id {direction}",
            case_row_columns(),
            page.sql,
            limit + 1,
            f.offset.max(0),
        );
        let rows = page.query(sql).fetch_all(self.reader()).await?;
        let has_next = rows.len() as i64 > limit;
        Ok(CaseList {
            rows: rows
                .iter()
                .take(limit as usize)
                .map(case_row)
                .collect::<Result<_>>()?,
            total,
            more,
            has_next,
        })
    }

    /// The id of the newest undecided case older than `id` (ids sort by creation), read from the
    /// row alone: the case page's "next case".
    pub async fn pending_case_before(
        &self,
        workspace_id: &str,
        id: &str,
    ) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM applications WHERE workspace_id = $1 AND id < $2 \
             AND status_review = 'pending' ORDER BY id DESC LIMIT 1",
        )
        .bind(workspace_id)
        .bind(id)
        .fetch_optional(self.reader())
        .await?)
    }

    /// Rebuilds SQLite's trigram index of the case search from the cases' rows (PostgreSQL's is a
    /// table keyed by case id: nothing to do). That index is keyed by each row's `rowid`, which
    /// SQLite does not promise to keep across a `VACUUM`, so a restored copy rebuilds it.
    pub async fn rebuild_case_search(&self) -> Result<()> {
        if self.backend() == Backend::Sqlite {
            let mut tx = self.begin().await?;
            for statement in [
                "DELETE FROM case_search",
                "INSERT INTO case_search (rowid, search) SELECT rowid, search FROM applications",
                "DELETE FROM case_search_stale",
            ] {
                sqlx::query(statement).execute(tx.conn().await?).await?;
            }
            tx.commit().await?;
        }
        Ok(())
    }

    /// SQLite: takes up to `limit` of the cases whose search text changed into the trigram
    /// index, in one transaction (one FTS5 segment for all of them); returns how many it took.
    /// PostgreSQL's index is kept by its triggers (0).
    pub async fn index_case_search(&self, limit: i64) -> Result<u64> {
        if self.backend() != Backend::Sqlite {
            return Ok(0);
        }
        // Polled twice a second: a read tells whether there is anything to take, so that an idle
        // poll does not queue for the single writer.
        let marked: i64 = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM case_search_stale)")
            .fetch_one(self.reader())
            .await?;
        if marked == 0 {
            return Ok(0);
        }
        let batch = format!(
            "SELECT app_rowid FROM case_search_stale ORDER BY app_rowid LIMIT {}",
            limit.max(1)
        );
        let mut tx = self.begin().await?;
        for statement in [
            format!("DELETE FROM case_search WHERE rowid IN ({batch})"),
            format!(
                "INSERT INTO case_search (rowid, search) \
                 SELECT a.rowid, a.search FROM applications a WHERE a.rowid IN ({batch})"
            ),
        ] {
            sqlx::query(AssertSqlSafe(statement))
                .execute(tx.conn().await?)
                .await?;
        }
        let taken = sqlx::query(AssertSqlSafe(format!(
            "DELETE FROM case_search_stale WHERE app_rowid IN ({batch})"
        )))
        .execute(tx.conn().await?)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(taken)
    }

    /// The tags on the workspace's cases, with how many cases have each, by tag.
    pub async fn tags_in_use(&self, workspace_id: &str) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT tag, COUNT(*) FROM case_tags WHERE workspace_id = $1 GROUP BY tag ORDER BY tag",
        )
        .bind(workspace_id)
        .fetch_all(self.reader())
        .await?)
    }

    /// The workspace's cases counted by `status_review` and `risk_level`.
    pub async fn cases_by_status_and_risk(
        &self,
        workspace_id: &str,
    ) -> Result<Vec<StatusRiskCount>> {
        let rows = sqlx::query(
            "SELECT status_review, risk_level, COUNT(*) FROM applications WHERE workspace_id = $1 \
             GROUP BY status_review, risk_level ORDER BY status_review, risk_level",
        )
        .bind(workspace_id)
        .fetch_all(self.reader())
        .await?;
        Ok(rows
            .iter()
            .map(|r| StatusRiskCount {
                status_review: r.get(0),
                risk_level: r.get(1),
                cases: r.get(2),
            })
            .collect())
    }

    /// Who the received, undecided cases wait on, and for how long (see [`Waiting`]). A collect
    /// closed after the case was received is when its client last answered (a closed collect's
    /// `updated_at` is its closing).
    pub async fn waiting(&self, workspace_id: &str) -> Result<Waiting> {
        let since = "COALESCE(c.open_since, CASE WHEN c.answered_at > a.received_at \
                     THEN c.answered_at ELSE a.received_at END)";
        let sql = format!(
            "SELECT w.on_client, COUNT(*), MIN(w.since), AVG({}) FROM (\
               SELECT CASE WHEN c.open_since IS NULL THEN 0 ELSE 1 END AS on_client, {since} AS since \
               FROM applications a LEFT JOIN (\
                 SELECT application_id, \
                   MAX(CASE WHEN status = 'opened' THEN opened_at END) AS open_since, \
                   MAX(CASE WHEN status = 'closed' THEN updated_at END) AS answered_at \
                 FROM portals WHERE workspace_id = $1 AND kind = 'collect' GROUP BY application_id\
               ) c ON c.application_id = a.id \
               WHERE a.workspace_id = $1 AND a.status_review = 'pending' AND a.received_at IS NOT NULL\
             ) w GROUP BY w.on_client",
            epoch(self.backend(), "w.since")
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(workspace_id)
            .fetch_all(self.reader())
            .await?;
        let mut waiting = Waiting::default();
        for r in &rows {
            let side = WaitingSide {
                cases: r.get(1),
                oldest_since: r.get(2),
                mean_since_epoch: r.get(3),
            };
            if r.get::<i64, _>(0) == 1 {
                waiting.on_client = side;
            } else {
                waiting.on_us = side;
            }
        }
        Ok(waiting)
    }

    /// Decisions made since `from` (a stored timestamp), counted by UTC day and outcome.
    pub async fn decisions_by_day(
        &self,
        workspace_id: &str,
        from: &str,
    ) -> Result<Vec<DayDecisions>> {
        let rows = sqlx::query(
            "SELECT substr(decided_at, 1, 10), status_review, COUNT(*) FROM applications \
             WHERE workspace_id = $1 AND decided_at >= $2 \
             GROUP BY substr(decided_at, 1, 10), status_review ORDER BY 1, 2",
        )
        .bind(workspace_id)
        .bind(from)
        .fetch_all(self.reader())
        .await?;
        Ok(rows
            .iter()
            .map(|r| DayDecisions {
                day: r.get(0),
                status_review: r.get(1),
                cases: r.get(2),
            })
            .collect())
    }

    /// One page of the tasks inbox, oldest first: the open tasks of the received, undecided cases
    /// `assignee` selects.
    pub async fn task_inbox(
        &self,
        workspace_id: &str,
        assignee: &AssigneeFilter,
        offset: i64,
        limit: i64,
    ) -> Result<TaskList> {
        let mut c = Conditions::new(workspace_id, "t.workspace_id");
        c.assignee(assignee);
        let from = "case_tasks t JOIN applications a ON a.workspace_id = t.workspace_id \
                    AND a.id = t.application_id";
        let total: i64 = c
            .query(format!("SELECT COUNT(*) FROM {from} WHERE {}", c.sql))
            .fetch_one(self.reader())
            .await?
            .get(0);
        let sql = format!(
            "SELECT t.application_id, a.display_name, a.kind, a.assignee_id, t.task_key, t.kind, t.name, \
             t.result, t.stale, t.since, \
             CASE WHEN t.result = 'needs_action' AND {OPEN_COLLECT} THEN 1 ELSE 0 END \
             FROM {from} WHERE {} ORDER BY t.since, t.application_id, t.task_key LIMIT {} OFFSET {}",
            c.sql,
            limit.clamp(1, MAX_LIMIT),
            offset.max(0),
        );
        let rows = c.query(sql).fetch_all(self.reader()).await?;
        Ok(TaskList {
            rows: rows
                .iter()
                .map(|r| TaskRow {
                    application_id: r.get(0),
                    display_name: r.get(1),
                    kind: r.get(2),
                    assignee_id: r.get(3),
                    task_key: r.get(4),
                    task_kind: r.get(5),
                    task_name: r.get(6),
                    result: r.get(7),
                    stale: r.get::<i64, _>(8) != 0,
                    since: r.get(9),
                    waiting_on_client: r.get::<i64, _>(10) != 0,
                })
                .collect(),
            total,
        })
    }
}
