-- A counter of changes to a workspace's settings that cases are evaluated with (custom field
-- definitions, templates). Each request reads it with its API key, so a process may keep those
-- settings in memory and still see, from its next request on, a change made by any other process.
ALTER TABLE workspaces ADD COLUMN settings_version BIGINT NOT NULL DEFAULT 0;
