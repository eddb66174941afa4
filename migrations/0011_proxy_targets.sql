-- The test targets of each revision (SPEC §6): a JSON array of lines, "URL" or
-- "URL download"; empty means the default target, https://<--probe-target>/.
ALTER TABLE proxy_revisions ADD COLUMN targets TEXT NOT NULL DEFAULT '[]';
