-- Audit entries become facts: the action (which scripts filter on) and its parameters as
-- JSON, `{"event": "...", ...}`, put into words when read, in the reader's language. The
-- per-language columns `detail` and `detail_zh` go.
--
-- Old rows are converted. Those whose words are a known fact become that fact: a login or
-- logout (no detail), a failed login, the refusals of a lock period (with their count), an
-- API token created or revoked (the detail was its name, as typed). Every other row keeps
-- the words recorded then, English and the Chinese when it was kept:
-- `{"event": "recorded", "en": ..., "zh_cn": ...}`.
--
-- The table is rebuilt (rather than a column added and two dropped) so that `facts` has no
-- default and must hold JSON; dropping the old table drops its cap trigger, made again below.
CREATE TABLE audit_log_facts (
    id      INTEGER PRIMARY KEY,
    at      TEXT    NOT NULL,                  -- RFC 3339, UTC
    actor   TEXT    NOT NULL,
    address TEXT,
    action  TEXT    NOT NULL,                  -- login, logout, login_failed, save, rollback, probe…
    facts   TEXT    NOT NULL CHECK (json_valid(facts))  -- the event and its parameters, secrets masked
);

INSERT INTO audit_log_facts (id, at, actor, address, action, facts)
SELECT id, at, actor, address, action,
    CASE
        WHEN action = 'login' AND detail = '' THEN json_object('event', 'logged_in')
        WHEN action = 'logout' AND detail = '' THEN json_object('event', 'logged_out')
        WHEN action = 'login_failed' AND detail = 'wrong user name or password'
            THEN json_object('event', 'login_failed')
        -- The count is read back from the words, and only when they say it exactly.
        WHEN action = 'login_locked'
            AND detail = CAST(substr(detail, 1, instr(detail, ' ') - 1) AS INTEGER)
                         || ' attempt(s) refused while locked'
            THEN json_object('event', 'refused_while_locked',
                             'count', CAST(substr(detail, 1, instr(detail, ' ') - 1) AS INTEGER))
        WHEN action = 'api_token_created' AND detail_zh IS NULL
            THEN json_object('event', 'token_created', 'name', detail)
        WHEN action = 'api_token_revoked' AND detail_zh IS NULL
            THEN json_object('event', 'token_revoked', 'name', detail)
        ELSE json_object('event', 'recorded', 'en', detail, 'zh_cn', detail_zh)
    END
FROM audit_log;

DROP TABLE audit_log;
ALTER TABLE audit_log_facts RENAME TO audit_log;

-- As in 0007: the log keeps at most `keep` entries, whichever process writes them.
CREATE TRIGGER audit_log_cap AFTER INSERT ON audit_log
BEGIN
    DELETE FROM audit_log WHERE id <= NEW.id - (SELECT keep FROM audit_settings WHERE id = 1);
END;
