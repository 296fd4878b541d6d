-- The case list's free-text search (`case_lists.rs`): a trigram index of each case's search text, so
-- that a search reads the cases holding its words' trigrams instead of every case of the workspace.
-- External content: the text itself stays in `applications.search` only, and the triggers keep the
-- index equal to it (a write that leaves the text alone, most of them, does not touch the index).
-- `detail='none'`: only which cases hold a trigram, the smallest index; a `LIKE` on it is then
-- checked against the text itself.
CREATE VIRTUAL TABLE case_search USING fts5(
    search, content = 'applications', content_rowid = 'rowid', tokenize = 'trigram', detail = 'none'
);
INSERT INTO case_search (case_search) VALUES ('rebuild');
CREATE TRIGGER applications_search_insert AFTER INSERT ON applications BEGIN
    INSERT INTO case_search (rowid, search) VALUES (new.rowid, new.search);
END;
CREATE TRIGGER applications_search_update AFTER UPDATE OF search ON applications
    WHEN old.search IS NOT new.search BEGIN
    INSERT INTO case_search (case_search, rowid, search) VALUES ('delete', old.rowid, old.search);
    INSERT INTO case_search (rowid, search) VALUES (new.rowid, new.search);
END;
CREATE TRIGGER applications_search_delete AFTER DELETE ON applications BEGIN
    INSERT INTO case_search (case_search, rowid, search) VALUES ('delete', old.rowid, old.search);
END;
