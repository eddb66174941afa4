//! Server-side sessions: a random 256-bit token in the cookie, its SHA-256 in the database,
//! an idle timeout and an absolute lifetime, and a CSRF token per session.

use std::time::Duration;

use sha2::{Digest, Sha256};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};

use super::random_hex;
use crate::locale::Lang;

pub const COOKIE: &str = "fmc_session";

#[derive(Clone, Debug)]
pub struct Session {
    pub token_hash: String,
    pub user_id: i64,
    pub username: String,
    pub csrf_token: String,
    pub last_seen: i64,
    /// The user's saved UI language; `None` follows the browser.
    pub language: Option<Lang>,
}

impl Session {
    /// The identity of a script using an API token: named `api:<token name>`, with no
    /// cookie session behind it (nothing to end at logout, no CSRF token).
    pub fn for_api_token(name: &str) -> Session {
        Session {
            token_hash: String::new(),
            user_id: 0,
            username: format!("api:{name}"),
            csrf_token: String::new(),
            last_seen: 0,
            language: None,
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle: Duration::from_secs(30 * 60),
            absolute: Duration::from_secs(12 * 3600),
        }
    }
}

pub fn hash_token(token: &str) -> String {
    crate::hex::encode(&Sha256::digest(token.as_bytes()))
}

/// Start a session for `user_id`; returns the cookie token (never stored).
pub async fn create(pool: &SqlitePool, user_id: i64) -> Result<String, sqlx::Error> {
    let token = random_hex(32);
    let now = crate::clock::unix_seconds();
    sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen) VALUES (?, ?, ?, ?, ?)")
        .bind(hash_token(&token))
        .bind(user_id)
        .bind(random_hex(32))
        .bind(now)
        .bind(now)
        .execute(pool)
        .await?;
    Ok(token)
}

/// How often a session's `last_seen` is written: reads stay reads, and the idle timeout
/// (minutes) is still measured to the minute.
const TOUCH_EVERY: i64 = 60;

/// Whether a session created at `created_at` and last seen at `last_seen` (unix seconds)
/// has ended by `now`, by idleness or by age.
fn has_expired(now: i64, created_at: i64, last_seen: i64, policy: SessionPolicy) -> bool {
    now - last_seen > policy.idle.as_secs() as i64
        || now - created_at > policy.absolute.as_secs() as i64
}

/// A session's columns, read with what else a request needs in one statement
/// (the `signed_in` module, one level up): `SELECT {COLUMNS}, … FROM {FROM} … WHERE {KEY} = …`,
/// read back with [`read`]. Read from the database on every request (a look-up on the
/// primary key), so a session ended by any process is refused at once.
pub const COLUMNS: &str = "s.token_hash, s.user_id, u.username, s.csrf_token, \
    s.created_at AS session_created_at, s.last_seen, u.language";
pub const FROM: &str = "sessions s JOIN users u ON u.id = s.user_id";
pub const KEY: &str = "s.token_hash";

/// The value to compare with [`KEY`].
pub fn key(token: &str) -> String {
    hash_token(token)
}

/// The session in a row read with [`COLUMNS`]; an expired one is deleted through `pool`
/// and reads as none.
pub async fn read(
    pool: &SqlitePool,
    row: &SqliteRow,
    policy: SessionPolicy,
) -> Result<Option<Session>, sqlx::Error> {
    let token_hash: String = row.try_get("token_hash")?;
    let created_at: i64 = row.try_get("session_created_at")?;
    let last_seen: i64 = row.try_get("last_seen")?;
    let now = crate::clock::unix_seconds();
    if has_expired(now, created_at, last_seen, policy) {
        delete(pool, &token_hash).await?;
        return Ok(None);
    }
    let language: Option<String> = row.try_get("language")?;
    Ok(Some(Session {
        token_hash,
        user_id: row.try_get("user_id")?,
        username: row.try_get("username")?,
        csrf_token: row.try_get("csrf_token")?,
        last_seen,
        language: language.as_deref().and_then(Lang::from_code),
    }))
}

/// Record activity for the idle timeout; at most one write a minute per session. The
/// condition is repeated in the statement so that concurrent requests write it once.
pub async fn touch(pool: &SqlitePool, session: &Session) -> Result<(), sqlx::Error> {
    let now = crate::clock::unix_seconds();
    if now - session.last_seen >= TOUCH_EVERY {
        sqlx::query("UPDATE sessions SET last_seen = ? WHERE token_hash = ? AND last_seen <= ?")
            .bind(now)
            .bind(&session.token_hash)
            .bind(now - TOUCH_EVERY)
            .execute(pool)
            .await?;
    }
    Ok(())
}

pub async fn delete(pool: &SqlitePool, token_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
        .bind(token_hash)
        .execute(pool)
        .await?;
    Ok(())
}

/// The Set-Cookie value for a new session (or, with `None`, one that ends it).
pub fn cookie(token: Option<&str>, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    match token {
        Some(t) => format!("{COOKIE}={t}; Path=/; HttpOnly; SameSite=Strict{secure}"),
        None => format!("{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict{secure}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_ends_when_idle_or_old_enough_and_not_before() {
        let policy = SessionPolicy {
            idle: Duration::from_secs(60),
            absolute: Duration::from_secs(600),
        };
        let now = 10_000;
        assert!(!has_expired(now, now - 100, now - 60, policy));
        assert!(has_expired(now, now - 100, now - 61, policy), "idle");
        assert!(!has_expired(now, now - 600, now, policy));
        assert!(has_expired(now, now - 601, now, policy), "too old");
    }
}
