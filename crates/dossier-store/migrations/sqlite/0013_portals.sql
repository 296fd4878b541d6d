-- Portals (onboarding and collect), the pages' sessions, and each workspace's branding.
CREATE TABLE portals (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    -- onboarding | collect
    kind TEXT NOT NULL,
    -- null until an onboarding portal's client starts
    application_id TEXT,
    -- SHA-256 of the link's token; the token itself is never stored
    token_hash TEXT NOT NULL,
    -- onboarding: active, submitted, closed; collect: opened, closed
    status TEXT NOT NULL,
    -- the rest as JSON (see dossier_app::portals)
    data TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX portals_token ON portals (token_hash);
CREATE INDEX portals_workspace ON portals (workspace_id, id);
CREATE INDEX portals_application ON portals (workspace_id, application_id, kind, status);

CREATE TABLE web_sessions (
    -- SHA-256 of the cookie's value
    id_hash TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    -- portal | user
    kind TEXT NOT NULL,
    -- the portal's or the user's id
    subject_id TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    idle_expires_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX web_sessions_subject ON web_sessions (workspace_id, kind, subject_id);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);

CREATE TABLE branding (
    workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id),
    data TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
