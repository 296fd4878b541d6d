-- Wake every process's event workers when events commit: the NOTIFY is sent by a trigger on the
-- event row rather than by a statement of its own after each insert (one round trip fewer per event).
-- PostgreSQL folds identical notifications of one transaction into one and delivers them on commit.
CREATE FUNCTION dossier_notify_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('dossier_events', NEW.workspace_id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER events_notify AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION dossier_notify_event();
