-- Workflow: documents (metadata; the bytes live in the object store; soft delete), workspace template
-- overrides, and the history of each case's risk.
CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    application_id TEXT NOT NULL REFERENCES applications(id),
    relationship_id TEXT,
    type TEXT NOT NULL,
    filename TEXT,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    uploaded_by_kind TEXT NOT NULL,
    uploaded_by_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX documents_application ON documents (workspace_id, application_id, id);

CREATE TABLE workflow_templates (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    name TEXT NOT NULL,
    version BIGINT NOT NULL,
    source TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (workspace_id, name)
);

CREATE TABLE risk_history (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    application_id TEXT NOT NULL REFERENCES applications(id),
    score BIGINT NOT NULL,
    level TEXT NOT NULL,
    cause TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    assessment TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX risk_history_application ON risk_history (workspace_id, application_id, id);
