-- The back-office's users (analysts and admins) and the throttle of failed sign-ins.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    -- lower-cased; one account per address across the installation, so the sign-in form needs no
    -- workspace field
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    -- admin | qualified_reviewer | reviewer | read_only
    role TEXT NOT NULL,
    -- argon2id PHC string; null for a user who signs in only by OpenID Connect
    password_hash TEXT,
    -- 1 when the user must choose a new password at the next sign-in
    must_change_password BIGINT NOT NULL,
    -- active | deactivated
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_login_at TEXT
);
CREATE UNIQUE INDEX users_email ON users (email);
CREATE INDEX users_workspace ON users (workspace_id, id);

-- Failed sign-ins per account (`user:<email>`) and per client address (`addr:<bucket>`): in the
-- database, so every `serve` process counts the same failures.
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    locked_until TEXT,
    updated_at TEXT NOT NULL
);

-- The workspace option "new users choose their own password at first sign-in" (off by default).
ALTER TABLE workspaces ADD COLUMN users_must_change_password BIGINT NOT NULL DEFAULT 0;
