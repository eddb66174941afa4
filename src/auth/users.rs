//! Accounts: the first admin at start-up, look-up at login, password resets from the shell.

use sqlx::SqlitePool;

use super::password;
use crate::clock::now_rfc3339;
use crate::locale::Lang;
use crate::secret::Secret;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
}

pub async fn find(pool: &SqlitePool, username: &str) -> Result<Option<User>, sqlx::Error> {
    sqlx::query_as("SELECT id, username, password_hash FROM users WHERE username = ?")
        .bind(username)
        .fetch_optional(pool)
        .await
}

/// Save the user's UI language; `None` follows the browser again.
pub async fn set_language(
    pool: &SqlitePool,
    user_id: i64,
    language: Option<Lang>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET language = ? WHERE id = ?")
        .bind(language.map(Lang::code))
        .bind(user_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Create `admin` if there is no account yet. Returns the password when it was generated,
/// so the caller can print it once; it is never stored in clear.
pub async fn ensure_admin(
    pool: &SqlitePool,
    given: Option<&Secret>,
) -> Result<Option<Secret>, BootstrapError> {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(pool)
        .await?;
    if count > 0 {
        return Ok(None);
    }
    let (secret, generated) = match given {
        Some(s) => {
            password::check_new(s.expose()).map_err(BootstrapError::Weak)?;
            (s.clone(), false)
        }
        None => (password::generate(), true),
    };
    set_password(pool, "admin", &secret).await?;
    Ok(generated.then_some(secret))
}

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("cannot hash the password: {0}")]
    Hash(String),
    #[error("FMC_ADMIN_PASSWORD is too weak: {0}")]
    Weak(String),
}

/// Set (creating the account if needed) the password of `username`, end its sessions and
/// clear its login locks.
pub async fn set_password(
    pool: &SqlitePool,
    username: &str,
    secret: &Secret,
) -> Result<(), BootstrapError> {
    let phc = password::hash(secret).map_err(|e| BootstrapError::Hash(e.to_string()))?;
    let now = now_rfc3339();
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::query(
        "INSERT INTO users (username, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash, updated_at = excluded.updated_at",
    )
    .bind(username)
    .bind(&phc)
    .bind(&now)
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = ?)")
        .bind(username)
        .execute(&mut *tx)
        .await?;
    super::throttle::unlock(&mut *tx, username).await?;
    tx.commit().await?;
    Ok(())
}
