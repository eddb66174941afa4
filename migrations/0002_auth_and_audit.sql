-- Accounts, server-side sessions and the audit log.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,            -- argon2id PHC string
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);

-- The cookie holds a random token; only its SHA-256 is stored, so a leaked database
-- cannot be replayed as a login.
CREATE TABLE sessions (
    token_hash  TEXT    PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,              -- unix seconds
    last_seen   INTEGER NOT NULL               -- unix seconds, for the idle timeout
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       TEXT    NOT NULL,                 -- RFC 3339, UTC
    actor    TEXT    NOT NULL,
    address  TEXT,
    action   TEXT    NOT NULL,                 -- login, logout, login_failed, save, rollback, probe…
    detail   TEXT    NOT NULL DEFAULT ''       -- human-readable, secrets masked
);
