-- Scheduled watchlist refresh and snapshot pruning. Independent of 0006 (screening hits).
--
-- Pruning deletes the entity rows of old snapshots but keeps the snapshot row itself (its counts
-- and digest), so anything that refers to a snapshot id — a stored screening hit — stays valid.
ALTER TABLE watchlist_snapshots ADD COLUMN pruned_at TEXT;

-- One row per configured source: when it was last checked and a lease, so that among several
-- nodes only one fetches and imports a given refresh. An expired lease (a crashed node) is free.
CREATE TABLE watchlist_refresh (
    source TEXT PRIMARY KEY,
    lease_owner TEXT,
    lease_until TEXT,
    last_attempt_at TEXT,
    -- The last attempt that succeeded, whether it imported a new version or found no change.
    last_checked_at TEXT,
    -- Failed attempts since the last success (drives the retry backoff).
    failures BIGINT NOT NULL DEFAULT 0,
    last_error TEXT
);
