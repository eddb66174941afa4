-- Failed logins per key, in the database so that `fmc-mgmt admin unlock` and
-- `admin set-password` (other processes) can clear them. Keys: `a:<address>` and
-- `ua:<address>|<user>` lock; `u:<user>` only slows that user down, so failures from many
-- addresses never lock the admin out from a clean one. Addresses are IPv4 or an IPv6 /64;
-- user names are lower-cased and cut to 64 characters. The server keeps the table at a
-- fixed number of rows.
CREATE TABLE login_throttle (
    key          TEXT    PRIMARY KEY,
    username     TEXT,                       -- the (cut) user name the key is about, or last tried
    failures     INTEGER NOT NULL,
    last_failure INTEGER NOT NULL,           -- unix milliseconds
    locked_until INTEGER                     -- unix milliseconds
) WITHOUT ROWID;
CREATE INDEX login_throttle_username ON login_throttle (username);
CREATE INDEX login_throttle_last ON login_throttle (last_failure);
