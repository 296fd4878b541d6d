-- Watchlists (sanctions and PEP lists): versioned snapshots per source and their entities as JSON.
-- Global to the installation, not per workspace: the lists are public and every workspace screens
-- against the same imports.
CREATE TABLE watchlist_snapshots (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    version BIGINT NOT NULL,
    label TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    entity_count BIGINT NOT NULL,
    digest TEXT NOT NULL,
    previous_id TEXT,
    added BIGINT NOT NULL,
    removed BIGINT NOT NULL,
    changed BIGINT NOT NULL,
    UNIQUE (source, version)
);

CREATE TABLE watchlist_entities (
    snapshot_id TEXT NOT NULL REFERENCES watchlist_snapshots(id),
    seq BIGINT NOT NULL,
    list TEXT NOT NULL,
    list_id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (snapshot_id, seq)
);
CREATE INDEX watchlist_entities_key ON watchlist_entities (list, list_id, snapshot_id);
