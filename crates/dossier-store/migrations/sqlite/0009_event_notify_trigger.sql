-- PostgreSQL only (a trigger sending NOTIFY for each event); SQLite wakes its event workers in process.
SELECT 1;
