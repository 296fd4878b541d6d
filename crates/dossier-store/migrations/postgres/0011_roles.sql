-- Who acts carries a role: API keys get one (`automation` by default; read-only keys become
-- `read_only`), and audit entries record the role their actor acted with. Entries written before
-- this have no role (NULL): their hash never covered one, and they read as `automation`.
ALTER TABLE api_keys ADD COLUMN role TEXT NOT NULL DEFAULT 'automation';
UPDATE api_keys SET role = 'read_only' WHERE read_only <> 0;
ALTER TABLE audit_entries ADD COLUMN actor_role TEXT;
ALTER TABLE documents ADD COLUMN uploaded_by_role TEXT NOT NULL DEFAULT 'automation';
ALTER TABLE risk_history ADD COLUMN actor_role TEXT NOT NULL DEFAULT 'automation';
