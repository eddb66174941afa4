//! API tokens for scripts: made on an admin page, shown once, stored as SHA-256, revocable.

use sqlx::SqlitePool;

use super::random_hex;
use super::sessions::hash_token;
use crate::settings::store::now_rfc3339;

/// Every token starts with this, so a leaked one is recognisable in a scan.
pub const PREFIX: &str = "fmct_";

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub created_by: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
}

/// Make a token; returns the clear text, which is never stored.
pub async fn create(
    pool: &SqlitePool,
    name: &str,
    created_by: &str,
) -> Result<String, sqlx::Error> {
    let token = format!("{PREFIX}{}", random_hex(32));
    sqlx::query(
        "INSERT INTO api_tokens (name, token_hash, created_by, created_at) VALUES (?, ?, ?, ?)",
    )
    .bind(name)
    .bind(hash_token(&token))
    .bind(created_by)
    .bind(now_rfc3339())
    .execute(pool)
    .await?;
    Ok(token)
}

/// The token's name when it is valid, recording its use.
pub async fn authenticate(pool: &SqlitePool, token: &str) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as(
        "UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ? RETURNING name",
    )
    .bind(now_rfc3339())
    .bind(hash_token(token))
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| r.0))
}

pub async fn list(pool: &SqlitePool) -> Result<Vec<ApiToken>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, created_by, created_at, last_used_at FROM api_tokens ORDER BY id",
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
