//! The audit log: who did what, when, from where. Details are written by the callers with
//! secrets already masked; nothing here ever sees a password.

use sqlx::SqlitePool;

use crate::settings::store::now_rfc3339;

#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize)]
pub struct Entry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub address: Option<String>,
    pub action: String,
    pub detail: String,
}

/// Record an event. An audit write that fails is logged, not fatal: the admin's action
/// already happened and must not be reported as failed.
#[tracing::instrument(skip(pool, detail))]
pub async fn record(
    pool: &SqlitePool,
    actor: &str,
    address: Option<&str>,
    action: &str,
    detail: &str,
) {
    if let Err(e) = insert(pool, actor, address, action, detail).await {
        tracing::error!(error = %e, action, "could not write the audit log");
    }
}

/// Write one entry with `executor`: the pool, or a transaction the entry belongs to.
pub async fn insert<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Sqlite>,
    actor: &str,
    address: Option<&str>,
    action: &str,
    detail: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, address, action, detail) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(now_rfc3339())
    .bind(actor)
    .bind(address)
    .bind(action)
    .bind(detail)
    .execute(executor)
    .await?;
    Ok(())
}

/// Newest first.
pub async fn list(pool: &SqlitePool, limit: i64) -> Result<Vec<Entry>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, at, actor, address, action, detail FROM audit_log ORDER BY id DESC LIMIT ?",
    )
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// "port 80 → 3128; password changed": a one-line summary of a revision's changes, in
/// English (the audit log's words).
pub fn describe_changes(changes: &[crate::settings::Change]) -> String {
    describe_changes_in(&crate::i18n::EN, changes)
}

/// The summary of a revision's changes in the language of `t` (field names stay as the
/// form and the API spell them).
pub fn describe_changes_in(t: &crate::i18n::Texts, changes: &[crate::settings::Change]) -> String {
    if changes.is_empty() {
        return t.no_changes.into();
    }
    changes
        .iter()
        .map(|c| match c.field.as_str() {
            "password" => match (&c.from, &c.to) {
                (None, Some(_)) => t.change_password_set.to_owned(),
                (Some(_), None) => t.change_password_cleared.to_owned(),
                _ => t.change_password_changed.to_owned(),
            },
            field => format!(
                "{field} {} → {}",
                c.from.as_deref().unwrap_or(t.empty),
                c.to.as_deref().unwrap_or(t.empty)
            ),
        })
        .collect::<Vec<_>>()
        .join(t.list_separator)
}
