-- One audit hash chain per case (and one for the workspace's own settings: keys, webhooks, custom
-- fields, templates), instead of one per workspace: writers of different cases no longer queue on
-- one head row. Existing entries stay in the workspace chain (`chain` = ''), where they were linked.
CREATE TABLE audit_heads_by_chain (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    chain TEXT NOT NULL,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (workspace_id, chain)
);
INSERT INTO audit_heads_by_chain (workspace_id, chain, seq, hash)
    SELECT workspace_id, '', seq, hash FROM audit_heads;
DROP TABLE audit_heads;
ALTER TABLE audit_heads_by_chain RENAME TO audit_heads;

CREATE TABLE audit_entries_by_chain (
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
    chain TEXT NOT NULL,
    UNIQUE (workspace_id, chain, seq)
);
INSERT INTO audit_entries_by_chain (id, workspace_id, seq, at, actor_kind, actor_id, action, object_type,
    object_id, application_id, changes, prev_hash, hash, chain)
    SELECT id, workspace_id, seq, at, actor_kind, actor_id, action, object_type, object_id,
        application_id, changes, prev_hash, hash, '' FROM audit_entries;
DROP TABLE audit_entries;
ALTER TABLE audit_entries_by_chain RENAME TO audit_entries;
CREATE INDEX audit_application ON audit_entries (workspace_id, application_id, seq);
