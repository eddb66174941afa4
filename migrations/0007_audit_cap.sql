-- The audit log keeps at most `keep` entries (`--audit-keep`, set at every start); the
-- oldest go as new ones arrive, whichever process writes them.
CREATE TABLE audit_settings (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    keep INTEGER NOT NULL CHECK (keep > 0)
);
INSERT INTO audit_settings (id, keep) VALUES (1, 100000);
CREATE TRIGGER audit_log_cap AFTER INSERT ON audit_log
BEGIN
    DELETE FROM audit_log WHERE id <= NEW.id - (SELECT keep FROM audit_settings WHERE id = 1);
END;
