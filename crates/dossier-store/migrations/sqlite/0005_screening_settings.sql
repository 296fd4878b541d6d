-- A workspace's screening settings: its match threshold, in basis points (7000 = 0.70). No row: the
-- installation's `screening_threshold` applies.
CREATE TABLE screening_settings (
    workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id),
    threshold_bp BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);
