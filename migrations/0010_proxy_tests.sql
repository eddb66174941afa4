-- Every connection test: who ran it, the values tested (never the password), the verdict
-- and each target's report as JSON. The store keeps the newest 1,000 (src/tests_log.rs).
CREATE TABLE proxy_tests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    host TEXT,
    port INTEGER,
    use_auth INTEGER NOT NULL,
    username TEXT,
    ok INTEGER NOT NULL,
    code TEXT NOT NULL,
    reports TEXT NOT NULL
);
