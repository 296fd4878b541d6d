-- The case list's free-text search (`case_lists.rs`): a trigram index of each case's search text, so
-- that a search reads the cases holding its words' trigrams instead of every case of the workspace.
-- `detail='none'`: only which cases hold a trigram, the smallest index; a `LIKE` on it is then
-- checked against the text. The index keeps its own copy of the text, so that a case is removed
-- from it by rowid alone.
CREATE VIRTUAL TABLE case_search USING fts5(
    search, tokenize = 'trigram', detail = 'none', columnsize = 0
);
INSERT INTO case_search (rowid, search) SELECT rowid, search FROM applications;
-- The cases whose text changed since the index last took them in. Indexing one case per write
-- costs FTS5 a segment per transaction (creates ran ~40% slower); the writes only mark the case
-- here, the search worker (`dossier-workers`) indexes the marked cases in batches, and a search
-- also reads the marked cases, checked against their current text, so it never misses one.
CREATE TABLE case_search_stale (app_rowid INTEGER PRIMARY KEY);
CREATE TRIGGER applications_search_insert AFTER INSERT ON applications BEGIN
    INSERT OR IGNORE INTO case_search_stale (app_rowid) VALUES (new.rowid);
END;
CREATE TRIGGER applications_search_update AFTER UPDATE OF search ON applications
    WHEN old.search IS NOT new.search BEGIN
    INSERT OR IGNORE INTO case_search_stale (app_rowid) VALUES (new.rowid);
END;
CREATE TRIGGER applications_search_delete AFTER DELETE ON applications BEGIN
    INSERT OR IGNORE INTO case_search_stale (app_rowid) VALUES (old.rowid);
END;
