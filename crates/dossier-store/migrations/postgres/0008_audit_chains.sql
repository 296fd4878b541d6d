-- One audit hash chain per case (and one for the workspace's own settings: keys, webhooks, custom
-- fields, templates), instead of one per workspace: writers of different cases no longer queue on
-- one head row. Existing entries stay in the workspace chain (`chain` = ''), where they were linked.
ALTER TABLE audit_heads ADD COLUMN chain TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_heads DROP CONSTRAINT audit_heads_pkey;
ALTER TABLE audit_heads ADD PRIMARY KEY (workspace_id, chain);
ALTER TABLE audit_entries ADD COLUMN chain TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_entries DROP CONSTRAINT audit_entries_workspace_id_seq_key;
ALTER TABLE audit_entries ADD CONSTRAINT audit_entries_chain_seq UNIQUE (workspace_id, chain, seq);
