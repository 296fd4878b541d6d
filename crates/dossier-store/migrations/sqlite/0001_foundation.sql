-- Foundation: workspaces, API keys, custom fields, applications, events (the outbox), audit chain,
-- idempotency. Timestamps are RFC 3339 UTC text with microseconds, so text order is time order.
CREATE TABLE workspaces (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    read_only INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX api_keys_workspace ON api_keys (workspace_id, id);

CREATE TABLE custom_fields (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    api_name TEXT NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (workspace_id, api_name)
);

CREATE TABLE applications (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    kind TEXT NOT NULL,
    external_id TEXT,
    status_review TEXT NOT NULL,
    status_execution TEXT NOT NULL,
    risk_level TEXT,
    risk_score DOUBLE PRECISION,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX applications_workspace ON applications (workspace_id, id);
CREATE INDEX applications_external ON applications (workspace_id, external_id);

CREATE TABLE events (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    type TEXT NOT NULL,
    application_id TEXT,
    created_at TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX events_workspace ON events (workspace_id, id);
CREATE INDEX events_application ON events (workspace_id, application_id, id);

CREATE TABLE audit_heads (
    workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);

CREATE TABLE audit_entries (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    seq BIGINT NOT NULL,
    at TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    application_id TEXT,
    changes TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (workspace_id, seq)
);
CREATE INDEX audit_application ON audit_entries (workspace_id, application_id, seq);

CREATE TABLE idempotency_keys (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status BIGINT NOT NULL,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (workspace_id, idem_key)
);
