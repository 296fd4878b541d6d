-- The back-office's lists. Each case's row gains the columns its lists filter, sort and show, written
-- from the case on every write of it (`applications.rs`); its tags and its open tasks get side tables
-- kept in the same writes, so that no list decodes a case's document. Existing cases are filled in by
-- the Rust step of this migration (`migrate.rs`).
-- The user the case is assigned to (null: unassigned).
ALTER TABLE applications ADD COLUMN assignee_id TEXT;
-- The case's workflow template.
ALTER TABLE applications ADD COLUMN template TEXT NOT NULL DEFAULT '';
-- The subject's name as lists show it.
ALTER TABLE applications ADD COLUMN display_name TEXT NOT NULL DEFAULT '';
-- The tags, as the JSON list of the case.
ALTER TABLE applications ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
-- What the free-text search looks in: names, registration numbers and ids, lower-cased and without
-- accents (`dossier_domain::search`).
ALTER TABLE applications ADD COLUMN search TEXT NOT NULL DEFAULT '';
-- When the case reached the team: its creation, or for a case made through a portal its submission
-- (null while the client is still filling it in).
ALTER TABLE applications ADD COLUMN received_at TEXT;
ALTER TABLE applications ADD COLUMN decided_at TEXT;

-- The default list (last changed first), the list by creation, by risk, and "my cases".
CREATE INDEX applications_updated ON applications (workspace_id, updated_at, id);
CREATE INDEX applications_created ON applications (workspace_id, created_at, id);
CREATE INDEX applications_risk ON applications (workspace_id, risk_score, id);
CREATE INDEX applications_assignee ON applications (workspace_id, assignee_id, updated_at);
-- The dashboard: cases waiting for a decision, oldest first, and the counts by status and risk (the
-- index covers them).
CREATE INDEX applications_review ON applications (workspace_id, status_review, status_execution, received_at, risk_level);
CREATE INDEX applications_decided ON applications (workspace_id, decided_at);

-- Each tag of each case, for the tag filter and the tags in use.
CREATE TABLE case_tags (
    workspace_id TEXT NOT NULL,
    tag TEXT NOT NULL,
    application_id TEXT NOT NULL,
    PRIMARY KEY (workspace_id, tag, application_id)
);

-- The open tasks (`Task::is_open`) of the cases waiting for the team (received, not decided): the
-- tasks inbox. `since` is when the task became open, kept while it stays open.
CREATE TABLE case_tasks (
    workspace_id TEXT NOT NULL,
    application_id TEXT NOT NULL,
    task_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    result TEXT NOT NULL,
    stale BIGINT NOT NULL,
    since TEXT NOT NULL,
    PRIMARY KEY (workspace_id, application_id, task_key)
);
CREATE INDEX case_tasks_since ON case_tasks (workspace_id, since);

-- Internal comments on a case (never shown to the client).
CREATE TABLE comments (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    application_id TEXT NOT NULL REFERENCES applications(id),
    actor_kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX comments_application ON comments (workspace_id, application_id, id);

-- When a portal was last opened (a collect's current round), for the time a case waits on its client.
ALTER TABLE portals ADD COLUMN opened_at TEXT NOT NULL DEFAULT '';
UPDATE portals SET opened_at = created_at;
