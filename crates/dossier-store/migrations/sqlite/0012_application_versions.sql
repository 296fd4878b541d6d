-- A case is stored once per change: each change writes one immutable version (the whole document,
-- compressed, with who wrote it, when, and the SHA-256 of its text). The `applications` row keeps
-- the columns lists filter on and the number of its current version; its `data` is left empty.
-- Events of a case name the version they announce instead of holding a copy of it; audit entries of
-- a case carry the hash of the version they produced (covered by the entry's own hash). Rows written
-- before this keep their inline payload and changes and read as they did. Existing cases become
-- version 1 in the Rust step of this migration (`migrate.rs`), which compresses and hashes them.
CREATE TABLE application_versions (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    application_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    at TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    -- SHA-256 (hex) of the document's JSON text, before compression.
    hash TEXT NOT NULL,
    -- How `data` is encoded: `lz4` (LZ4 block, length-prefixed) or `json` (the text as is).
    encoding TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (workspace_id, application_id, version)
);
ALTER TABLE applications ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN version BIGINT;
ALTER TABLE audit_entries ADD COLUMN version BIGINT;
ALTER TABLE audit_entries ADD COLUMN version_hash TEXT;
