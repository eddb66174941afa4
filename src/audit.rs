//! The audit log: who did what, when, from where. Details are written by the callers with
//! secrets already masked; nothing here ever sees a password. Each detail is kept in
//! English, and in Simplified Chinese beside it when the program wrote it (a name the user
//! typed is kept once, as typed).

use sqlx::SqlitePool;

use crate::clock::now_rfc3339;
use crate::i18n::{Lang, Text};
use crate::tr;

#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize)]
pub struct Entry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub address: Option<String>,
    pub action: String,
    pub detail: String,
    /// The detail in Chinese; none in entries written before it was kept, nor for details
    /// typed by a user.
    pub detail_zh: Option<String>,
}

impl Entry {
    /// The detail in `lang`, the English when there is no other.
    pub fn detail_in(&self, lang: Lang) -> &str {
        match (lang, &self.detail_zh) {
            (Lang::ZhCn, Some(zh)) => zh,
            _ => &self.detail,
        }
    }
}

/// What an entry says: the English, and the Chinese when there is one. A [`Text`] gives
/// both; a plain `&str` (a token name, or nothing) is the same in both languages.
#[derive(Clone, Copy, Debug)]
pub struct Detail<'a> {
    pub en: &'a str,
    pub zh_cn: Option<&'a str>,
}

impl<'a> From<&'a Text> for Detail<'a> {
    fn from(t: &'a Text) -> Self {
        Detail {
            en: &t.en,
            zh_cn: Some(&t.zh_cn),
        }
    }
}

impl<'a> From<&'a str> for Detail<'a> {
    fn from(typed: &'a str) -> Self {
        Detail {
            en: typed,
            zh_cn: None,
        }
    }
}

/// User names are cut to this many characters before they are stored or logged.
pub const NAME_CHARS: usize = 64;

/// A user name as it may be stored and logged: at most [`NAME_CHARS`] characters.
pub fn cut_name(name: &str) -> &str {
    match name.char_indices().nth(NAME_CHARS) {
        Some((end, _)) => &name[..end],
        None => name,
    }
}

/// Record an event. An audit write that fails is logged, not fatal: the admin's action
/// already happened and must not be reported as failed.
#[tracing::instrument(skip(pool, detail))]
pub async fn record<'d>(
    pool: &SqlitePool,
    actor: &str,
    address: Option<&str>,
    action: &str,
    detail: impl Into<Detail<'d>>,
) {
    if let Err(e) = insert(pool, actor, address, action, detail).await.map(drop) {
        tracing::error!(error = %e, action, "could not write the audit log");
    }
}

/// Write one entry with `executor`: the pool, or a transaction the entry belongs to.
/// Returns its id. The actor is cut to 64 characters: a name typed at the login form is
/// the attacker's to choose. The log keeps at most `--audit-keep` entries (a trigger drops
/// the oldest).
pub async fn insert<'e, 'd>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Sqlite>,
    actor: &str,
    address: Option<&str>,
    action: &str,
    detail: impl Into<Detail<'d>>,
) -> Result<i64, sqlx::Error> {
    let detail = detail.into();
    let done = sqlx::query(
        "INSERT INTO audit_log (at, actor, address, action, detail, detail_zh) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(now_rfc3339())
    .bind(cut_name(actor))
    .bind(address)
    .bind(action)
    .bind(detail.en)
    .bind(detail.zh_cn)
    .execute(executor)
    .await?;
    Ok(done.last_insert_rowid())
}

fn refusals_detail(count: u64) -> Text {
    tr!(
        "{count} attempt(s) refused while locked",
        "锁定期间拒绝了 {count} 次登录尝试"
    )
}

/// The one entry of a lock period that counts the attempts refused during it.
pub async fn insert_refusals(
    pool: &SqlitePool,
    actor: &str,
    address: Option<&str>,
    count: u64,
) -> Result<i64, sqlx::Error> {
    insert(
        pool,
        actor,
        address,
        "login_locked",
        &refusals_detail(count),
    )
    .await
}

/// Update that entry's count.
pub async fn set_refusals(pool: &SqlitePool, id: i64, count: u64) -> Result<(), sqlx::Error> {
    let detail = refusals_detail(count);
    sqlx::query(
        "UPDATE audit_log SET detail = ?, detail_zh = ? WHERE id = ? AND action = 'login_locked'",
    )
    .bind(&detail.en)
    .bind(&detail.zh_cn)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

/// Keep at most `keep` entries (`--audit-keep`), for every process that writes the log.
pub async fn set_keep(pool: &SqlitePool, keep: u64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE audit_settings SET keep = ? WHERE id = 1")
        .bind(i64::try_from(keep).unwrap_or(i64::MAX))
        .execute(pool)
        .await?;
    sqlx::query("DELETE FROM audit_log WHERE id <= (SELECT max(id) FROM audit_log) - ?")
        .bind(i64::try_from(keep).unwrap_or(i64::MAX))
        .execute(pool)
        .await?;
    Ok(())
}

/// Newest first.
pub async fn list(pool: &SqlitePool, limit: i64) -> Result<Vec<Entry>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, at, actor, address, action, detail, detail_zh FROM audit_log \
         ORDER BY id DESC LIMIT ?",
    )
    .bind(limit)
    .fetch_all(pool)
    .await
}
