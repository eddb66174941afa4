//! API tokens for scripts: made on an admin page, shown once, stored as SHA-256, revocable.

use sqlx::SqlitePool;

use super::random_hex;
use super::sessions::hash_token;
use crate::clock::{now_rfc3339, unix_seconds};

/// Every token starts with this, so a leaked one is recognisable in a scan.
pub const PREFIX: &str = "fmct_";

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub created_by: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    /// Unix seconds; none never expires.
    pub expires_at: Option<i64>,
}

impl ApiToken {
    /// When it expires, as RFC 3339 (UTC), for the page.
    pub fn expires(&self) -> Option<String> {
        let at = time::OffsetDateTime::from_unix_timestamp(self.expires_at?).ok()?;
        at.format(&time::format_description::well_known::Rfc3339)
            .ok()
    }

    pub fn expired(&self) -> bool {
        self.expires_at.is_some_and(|at| at <= unix_seconds())
    }
}

/// How long a new token may live, in days: the choices the page offers (0 = never).
pub const LIFETIMES: [u32; 4] = [30, 90, 365, 0];

/// Make a token that lives `days` days (0 = until revoked); returns the clear text, which
/// is never stored.
pub async fn create(
    pool: &SqlitePool,
    name: &str,
    created_by: &str,
    days: u32,
) -> Result<String, sqlx::Error> {
    let token = format!("{PREFIX}{}", random_hex(32));
    let expires_at = (days > 0).then(|| unix_seconds() + i64::from(days) * 86_400);
    sqlx::query(
        "INSERT INTO api_tokens (name, token_hash, created_by, created_at, expires_at) \
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(name)
    .bind(hash_token(&token))
    .bind(created_by)
    .bind(now_rfc3339())
    .bind(expires_at)
    .execute(pool)
    .await?;
    Ok(token)
}

/// The token's name when it is valid and not expired, recording its use.
pub async fn authenticate(pool: &SqlitePool, token: &str) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as(
        "UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ? \
         AND (expires_at IS NULL OR expires_at > ?) RETURNING name",
    )
    .bind(now_rfc3339())
    .bind(hash_token(token))
    .bind(unix_seconds())
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| r.0))
}

pub async fn list(pool: &SqlitePool) -> Result<Vec<ApiToken>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, created_by, created_at, last_used_at, expires_at FROM api_tokens \
         ORDER BY id",
    )
    .fetch_all(pool)
    .await
}

pub async fn revoke(pool: &SqlitePool, id: i64) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> =
        sqlx::query_as("DELETE FROM api_tokens WHERE id = ? RETURNING name")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(|r| r.0))
}
