-- The case list's free-text search (`case_lists.rs`): a trigram index of each case's search text, so
-- that a search reads the cases holding its words' trigrams instead of every case of the workspace.
-- `pg_trgm` ships with PostgreSQL (contrib) and is a trusted extension: the database's owner may
-- create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
-- The text in a table of its own, kept by triggers: an index on `applications` would gain entries on
-- every write of a case (each write moves its row), while the search text changes on few writes.
CREATE TABLE case_search (
    application_id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    search TEXT NOT NULL
);
INSERT INTO case_search (application_id, workspace_id, search)
    SELECT id, workspace_id, search FROM applications;
CREATE INDEX case_search_trigrams ON case_search USING gin (search gin_trgm_ops);
CREATE FUNCTION dossier_case_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM case_search WHERE application_id = OLD.id;
    ELSE
        INSERT INTO case_search (application_id, workspace_id, search)
            VALUES (NEW.id, NEW.workspace_id, NEW.search)
            ON CONFLICT (application_id) DO UPDATE SET search = EXCLUDED.search;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER applications_search_insert AFTER INSERT ON applications
    FOR EACH ROW EXECUTE FUNCTION dossier_case_search();
CREATE TRIGGER applications_search_update AFTER UPDATE OF search ON applications
    FOR EACH ROW WHEN (OLD.search IS DISTINCT FROM NEW.search) EXECUTE FUNCTION dossier_case_search();
CREATE TRIGGER applications_search_delete AFTER DELETE ON applications
    FOR EACH ROW EXECUTE FUNCTION dossier_case_search();
