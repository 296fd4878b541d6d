-- The case list's search and name order (`case_lists.rs`): the search text with the default order's
-- column, so that a search's count and its matches are read from this index alone (a `LIKE '%…%'`
-- still reads every entry, but an entry is a few dozen bytes, not a row), and the name order is
-- the index's own.
CREATE INDEX applications_search ON applications (workspace_id, search, updated_at, id);
