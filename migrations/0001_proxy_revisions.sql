-- Every save of the Proxy section is a new revision; the newest row is the current setting.
-- Values are kept when the proxy or its authentication is off, so re-enabling restores them.
CREATE TABLE proxy_revisions (
    id          INTEGER PRIMARY KEY,                 -- revision number: 1, 2, 3… without gaps
    created_at  TEXT    NOT NULL,                    -- RFC 3339, UTC
    actor       TEXT    NOT NULL,                    -- who saved
    enabled     INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    host        TEXT,
    port        INTEGER CHECK (port BETWEEN 1 AND 65535),
    use_auth    INTEGER NOT NULL CHECK (use_auth IN (0, 1)),
    username    TEXT,
    password    TEXT,                                -- clear text: the probe must send it
    changes     TEXT    NOT NULL DEFAULT '[]',       -- JSON [{field, from, to}], secrets masked
    rollback_of INTEGER REFERENCES proxy_revisions (id)
);
