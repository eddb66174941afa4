//! The audit log: who did what, when, from where. Each entry is a fact, an [`Event`] with
//! its parameters (stored as JSON beside the `action` scripts filter on), and is put into
//! words only when it is read, in the reader's language (`locales/*/audit.ftl`). Callers
//! mask secrets before they build an event; nothing here ever sees a password.

use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;

use crate::clock::now_rfc3339;
use crate::i18n::Lang;
use crate::locale;

/// One changed field of a save, as the revision stores it: secrets already masked
/// (`****`), checkboxes as `on`/`off`, everything else as typed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub field: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// What happened. The tag is the `event` key of the stored JSON; the other keys are the
/// parameters. Values a user typed (token names, user names, paths) are kept as typed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    LoggedIn,
    LoggedOut,
    /// A wrong user name or password.
    LoginFailed,
    /// The one entry of a lock period: how many attempts were refused during it.
    RefusedWhileLocked { count: u64 },
    Saved {
        revision: i64,
        changes: Vec<Change>,
    },
    RolledBack {
        revision: i64,
        target: i64,
        changes: Vec<Change>,
    },
    /// Revision `revision` made from the proxy file found at start.
    Imported {
        revision: i64,
        changes: Vec<Change>,
        path: String,
    },
    /// A connection test and its diagnosis code.
    Tested {
        code: String,
        proxy_host: String,
        proxy_port: u16,
        target_host: String,
        target_port: u16,
        ms: f64,
    },
    /// `days` is the lifetime chosen (0: never expires); none in entries from before it
    /// was kept.
    TokenCreated {
        name: String,
        #[serde(default)]
        days: Option<u32>,
    },
    TokenRevoked { name: String },
    ShellSetPassword { user: String },
    ShellUnlock { user: String },
    /// An entry written before entries were facts: the words recorded then, English and
    /// the Chinese when it was kept. Only the migration that converted the log makes these.
    Recorded { en: String, zh_cn: Option<String> },
}

impl Event {
    /// The `action` column: what scripts filter on, the same names as before entries
    /// were facts.
    pub fn action(&self) -> &'static str {
        match self {
            Event::LoggedIn => "login",
            Event::LoggedOut => "logout",
            Event::LoginFailed => "login_failed",
            Event::RefusedWhileLocked { .. } => "login_locked",
            Event::Saved { .. } | Event::Imported { .. } => "save",
            Event::RolledBack { .. } => "rollback",
            Event::Tested { .. } => "probe",
            Event::TokenCreated { .. } => "api_token_created",
            Event::TokenRevoked { .. } => "api_token_revoked",
            Event::ShellSetPassword { .. } => "set_password",
            Event::ShellUnlock { .. } => "unlock",
            Event::Recorded { .. } => "recorded",
        }
    }

    /// The event in `lang`, as the audit page shows it.
    pub fn say(&self, lang: Lang) -> String {
        let say = |id: &str, args: &[(&str, String)]| locale::message(lang, id, args);
        match self {
            Event::LoggedIn | Event::LoggedOut => String::new(),
            Event::LoginFailed => say("audit-login-failed", &[]),
            Event::RefusedWhileLocked { count } => {
                say("audit-refused-while-locked", &[("count", count.to_string())])
            }
            Event::Saved { revision, changes } => say(
                "audit-saved",
                &[
                    ("revision", revision.to_string()),
                    ("changes", describe_changes(lang, changes)),
                ],
            ),
            Event::RolledBack {
                revision,
                target,
                changes,
            } => say(
                "audit-rolled-back",
                &[
                    ("revision", revision.to_string()),
                    ("target", target.to_string()),
                    ("changes", describe_changes(lang, changes)),
                ],
            ),
            Event::Imported {
                revision,
                changes,
                path,
            } => say(
                "audit-imported",
                &[
                    ("revision", revision.to_string()),
                    ("changes", describe_changes(lang, changes)),
                    ("path", path.clone()),
                ],
            ),
            Event::Tested {
                code,
                proxy_host,
                proxy_port,
                target_host,
                target_port,
                ms,
            } => say(
                "audit-tested",
                &[
                    ("code", code.clone()),
                    ("proxy_host", proxy_host.clone()),
                    ("proxy_port", proxy_port.to_string()),
                    ("target_host", target_host.clone()),
                    ("target_port", target_port.to_string()),
                    ("ms", format!("{ms:.0}")),
                ],
            ),
            Event::TokenCreated { name, .. } | Event::TokenRevoked { name } => name.clone(),
            Event::ShellSetPassword { user } => {
                say("audit-shell-set-password", &[("user", user.clone())])
            }
            Event::ShellUnlock { user } => say("audit-shell-unlock", &[("user", user.clone())]),
            Event::Recorded { en, zh_cn } => match (lang, zh_cn) {
                (Lang::ZhCn, Some(zh)) => zh.clone(),
                _ => en.clone(),
            },
        }
    }
}

/// A save's changes in `lang`, e.g. "port 80 → 3128; password set". Field names stay as
/// the form and the API spell them; a checkbox's `on`/`off` is a word of the language.
fn describe_changes(lang: Lang, changes: &[Change]) -> String {
    let say = |id: &str| locale::message(lang, id, &[]);
    if changes.is_empty() {
        return say("audit-no-changes");
    }
    let value = |field: &str, v: &Option<String>| match v.as_deref() {
        None => say("audit-value-empty"),
        Some("on") if is_checkbox(field) => say("audit-value-on"),
        Some("off") if is_checkbox(field) => say("audit-value-off"),
        Some(typed) => typed.to_owned(),
    };
    changes
        .iter()
        .map(|c| match (c.field.as_str(), &c.from, &c.to) {
            ("password", None, Some(_)) => say("audit-password-set"),
            ("password", Some(_), None) => say("audit-password-cleared"),
            ("password", _, _) => say("audit-password-changed"),
            (field, from, to) => locale::message(
                lang,
                "audit-change",
                &[
                    ("field", field.to_owned()),
                    ("from", value(field, from)),
                    ("to", value(field, to)),
                ],
            ),
        })
        .collect::<Vec<_>>()
        .join(&say("audit-change-separator"))
}

fn is_checkbox(field: &str) -> bool {
    matches!(field, "enabled" | "use_auth")
}

/// One entry as read back.
#[derive(Clone, Debug)]
pub struct Entry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub address: Option<String>,
    pub action: String,
    pub event: Event,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    at: String,
    actor: String,
    address: Option<String>,
    action: String,
    facts: String,
}

impl From<Row> for Entry {
    fn from(row: Row) -> Self {
        let event = parse_facts(&row.facts).unwrap_or_else(|| {
            // Written by something other than this program: shown as it is stored.
            tracing::warn!(id = row.id, "an audit entry's facts do not parse");
            Event::Recorded {
                en: row.facts.clone(),
                zh_cn: None,
            }
        });
        Entry {
            id: row.id,
            at: row.at,
            actor: row.actor,
            address: row.address,
            action: row.action,
            event,
        }
    }
}

fn parse_facts(facts: &str) -> Option<Event> {
    serde_json::from_str(facts).ok()
}

fn facts_of(event: &Event) -> String {
    // An enum of strings and numbers always serializes; the fallback is never reached.
    serde_json::to_string(event).unwrap_or_else(|_| "{}".into())
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
#[tracing::instrument(skip(pool, event), fields(action = event.action()))]
pub async fn record(pool: &SqlitePool, actor: &str, address: Option<&str>, event: &Event) {
    if let Err(e) = insert(pool, actor, address, event).await.map(drop) {
        tracing::error!(error = %e, action = event.action(), "could not write the audit log");
    }
}

/// Write one entry with `executor`: the pool, or a transaction the entry belongs to.
/// Returns its id. The actor is cut to 64 characters: a name typed at the login form is
/// the attacker's to choose. The log keeps at most `--audit-keep` entries (a trigger drops
/// the oldest).
pub async fn insert<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Sqlite>,
    actor: &str,
    address: Option<&str>,
    event: &Event,
) -> Result<i64, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO audit_log (at, actor, address, action, facts) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(now_rfc3339())
    .bind(cut_name(actor))
    .bind(address)
    .bind(event.action())
    .bind(facts_of(event))
    .execute(executor)
    .await?;
    Ok(done.last_insert_rowid())
}

/// The one entry of a lock period that counts the attempts refused during it.
pub async fn insert_refusals(
    pool: &SqlitePool,
    actor: &str,
    address: Option<&str>,
    count: u64,
) -> Result<i64, sqlx::Error> {
    insert(pool, actor, address, &Event::RefusedWhileLocked { count }).await
}

/// Update that entry's count.
pub async fn set_refusals(pool: &SqlitePool, id: i64, count: u64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE audit_log SET facts = ? WHERE id = ? AND action = 'login_locked'")
        .bind(facts_of(&Event::RefusedWhileLocked { count }))
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
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, at, actor, address, action, facts FROM audit_log ORDER BY id DESC LIMIT ?",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Entry::from).collect())
}
