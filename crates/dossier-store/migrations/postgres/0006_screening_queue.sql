-- Cases whose screening task waits for a full screening: a row is written in the change's
-- transaction when the parties' screening fingerprint (names, birth dates, countries, types) moved,
-- and deleted by the screening worker in the transaction that records the result for that
-- fingerprint — so a screening survives crashes and restarts. One row per case.
CREATE TABLE screening_queue (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    application_id TEXT NOT NULL REFERENCES applications(id),
    fingerprint TEXT NOT NULL,
    enqueued_at TEXT NOT NULL,
    not_before TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, application_id)
);
CREATE INDEX screening_queue_due ON screening_queue (not_before);
