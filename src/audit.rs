//! The audit log: who did what, when, from where. Each entry is a fact, an [`Event`] with
//! its parameters (stored as JSON beside the `action` scripts filter on), and is put into
//! words only when it is read, in the reader's language (`locales/*/audit.ftl`). Callers
//! mask secrets before they build an event; nothing here ever sees a password.

use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;

use crate::clock::now_rfc3339;
use crate::locale;
use crate::locale::Lang;

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
    RefusedWhileLocked {
        count: u64,
    },
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
    TokenRevoked {
        name: String,
    },
    ShellSetPassword {
        user: String,
    },
    ShellUnlock {
        user: String,
    },
    /// A support bundle was downloaded: how many tests it held and its size.
    SupportBundle {
        tests: u64,
        bytes: u64,
    },
    /// An entry written before entries were facts: the words recorded then, English and
    /// the Chinese when it was kept. Only the migration that converted the log makes these.
    Recorded {
        en: String,
        zh_cn: Option<String>,
    },
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
            Event::SupportBundle { .. } => "support_bundle",
            Event::Recorded { .. } => "recorded",
        }
    }

    /// The event in `lang`, as the audit page shows it.
    pub fn say(&self, lang: Lang) -> String {
        let say = |id: &str, args: &[(&str, String)]| locale::message(lang, id, args);
        match self {
            Event::LoggedIn | Event::LoggedOut => String::new(),
            Event::LoginFailed => say("audit-login-failed", &[]),
            Event::RefusedWhileLocked { count } => say(
                "audit-refused-while-locked",
                &[("count", count.to_string())],
            ),
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
            Event::SupportBundle { tests, bytes } => say(
                "audit-support-bundle",
                &[("tests", tests.to_string()), ("bytes", bytes.to_string())],
            ),
            Event::Recorded { en, zh_cn } => match (lang, zh_cn) {
                (Lang::ZhCn, Some(zh)) => zh.clone(),
                _ => en.clone(),
            },
        }
    }
}

/// A save's changes in `lang`, e.g. "port 80 → 3128; password set" (History says them the
/// same way). English names the fields as the form and the API spell them, other languages
/// by the page's labels; a checkbox's `on`/`off` is a word of the language.
pub fn describe_changes(lang: Lang, changes: &[Change]) -> String {
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
            // One entry per certificate: "Trusted CA added: CN=… (until …)".
            ("trusted_ca", _, Some(ca)) => format!("{}: {ca}", say("ca-change-added")),
            ("trusted_ca", Some(ca), None) => format!("{}: {ca}", say("ca-change-removed")),
            (field, from, to) => locale::message(
                lang,
                "audit-change",
                &[
                    ("field", field_name(lang, field)),
                    ("from", value(field, from)),
                    ("to", value(field, to)),
                ],
            ),
        })
        .collect::<Vec<_>>()
        .join(&say("audit-change-separator"))
}

/// A changed field as `lang` names it (`history-field-*` in settings.ftl); a field without
/// words of its own keeps its name.
fn field_name(lang: Lang, field: &str) -> String {
    let id = match field {
        "enabled" => "history-field-enabled",
        "host" => "history-field-host",
        "port" => "history-field-port",
        "use_auth" => "history-field-use_auth",
        "username" => "history-field-username",
        "targets" => "history-field-targets",
        _ => return field.to_owned(),
    };
    locale::message(lang, id, &[])
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

#[cfg(test)]
mod tests {
    use sqlx::sqlite::SqlitePoolOptions;

    use super::*;

    fn en(id: &str, args: &[(&str, String)]) -> String {
        locale::message(Lang::En, id, args)
    }

    fn zh(id: &str, args: &[(&str, String)]) -> String {
        locale::message(Lang::ZhCn, id, args)
    }

    fn change(field: &str, from: Option<&str>, to: Option<&str>) -> Change {
        Change {
            field: field.into(),
            from: from.map(Into::into),
            to: to.map(Into::into),
        }
    }

    /// One of every event, with the parameters a caller writes.
    fn every_event() -> Vec<Event> {
        vec![
            Event::LoggedIn,
            Event::LoggedOut,
            Event::LoginFailed,
            Event::RefusedWhileLocked { count: 3 },
            Event::Saved {
                revision: 2,
                changes: vec![change("port", None, Some("80"))],
            },
            Event::RolledBack {
                revision: 4,
                target: 1,
                changes: vec![change("password", Some("****"), None)],
            },
            Event::Imported {
                revision: 1,
                changes: vec![],
                path: "/etc/iprep_proxy.conf".into(),
            },
            Event::Tested {
                code: "ok".into(),
                proxy_host: "10.0.0.1".into(),
                proxy_port: 3128,
                target_host: "tools.cisco.com".into(),
                target_port: 443,
                ms: 12.4,
            },
            Event::TokenCreated {
                name: "deploy \"bot\"".into(),
                days: Some(90),
            },
            Event::TokenRevoked {
                name: "deploy".into(),
            },
            Event::ShellSetPassword {
                user: "admin".into(),
            },
            Event::ShellUnlock {
                user: "admin".into(),
            },
            Event::SupportBundle {
                tests: 3,
                bytes: 2048,
            },
            Event::Recorded {
                en: "words".into(),
                zh_cn: None,
            },
        ]
    }

    #[test]
    fn every_event_comes_back_from_its_json() {
        for event in every_event() {
            let json = facts_of(&event);
            assert_eq!(parse_facts(&json), Some(event.clone()), "{json}");
        }
    }

    #[test]
    fn the_stored_json_names_the_event_and_its_parameters() {
        let json: serde_json::Value =
            serde_json::from_str(&facts_of(&Event::RefusedWhileLocked { count: 3 })).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"event": "refused_while_locked", "count": 3})
        );
        assert_eq!(facts_of(&Event::LoggedIn), r#"{"event":"logged_in"}"#);
        // A token entry from before the lifetime was kept has none.
        assert_eq!(
            parse_facts(r#"{"event":"token_created","name":"x"}"#),
            Some(Event::TokenCreated {
                name: "x".into(),
                days: None
            })
        );
        assert_eq!(parse_facts("not json"), None);
        assert_eq!(parse_facts(r#"{"event":"no_such_event"}"#), None);
    }

    #[test]
    fn events_are_said_in_english_as_they_always_were() {
        let said: Vec<String> = every_event().iter().map(|e| e.say(Lang::En)).collect();
        assert_eq!(
            said,
            [
                "",
                "",
                "wrong user name or password",
                "3 attempt(s) refused while locked",
                "revision 2: port (empty) → 80",
                "revision 4 restores revision 1: password cleared",
                "revision 1: no changes (imported from /etc/iprep_proxy.conf)",
                "ok through 10.0.0.1:3128 to tools.cisco.com:443 in 12 ms",
                "deploy \"bot\"",
                "deploy",
                "password of 'admin' set from the shell",
                "login locks of 'admin' cleared from the shell",
                "support bundle downloaded: 3 test(s), 2048 bytes",
                "words",
            ]
        );
    }

    #[test]
    fn events_are_said_in_chinese_with_the_same_parameters() {
        for event in every_event() {
            let (in_en, in_zh) = (event.say(Lang::En), event.say(Lang::ZhCn));
            let typed_only = matches!(
                event,
                Event::LoggedIn
                    | Event::LoggedOut
                    | Event::TokenCreated { .. }
                    | Event::TokenRevoked { .. }
                    | Event::Recorded { zh_cn: None, .. }
            );
            assert_eq!(typed_only, in_en == in_zh, "{event:?}: {in_en} / {in_zh}");
        }
        let tested = &every_event()[7];
        assert_eq!(
            tested.say(Lang::ZhCn),
            zh(
                "audit-tested",
                &[
                    ("code", "ok".into()),
                    ("proxy_host", "10.0.0.1".into()),
                    ("proxy_port", "3128".into()),
                    ("target_host", "tools.cisco.com".into()),
                    ("target_port", "443".into()),
                    ("ms", "12".into()),
                ]
            )
        );
    }

    #[test]
    fn a_saves_changes_are_said_with_each_languages_words() {
        let changes = vec![
            change("enabled", Some("off"), Some("on")),
            change("host", None, Some("10.10.10.1")),
            change("username", Some("on"), Some("off")),
            change("password", None, Some("****")),
            change("password", Some("****"), Some("****")),
        ];
        assert_eq!(
            describe_changes(Lang::En, &changes),
            "enabled off → on; host (empty) → 10.10.10.1; username on → off; \
             password set; password changed"
        );
        // Chinese names a field by the page's label, the form's name after it.
        let zh_change = |field: &str, from: String, to: String| {
            let name = zh(&format!("history-field-{field}"), &[]);
            assert!(name.ends_with(&format!("（{field}）")), "{name}");
            zh(
                "audit-change",
                &[("field", name), ("from", from), ("to", to)],
            )
        };
        let expected = [
            zh_change(
                "enabled",
                zh("audit-value-off", &[]),
                zh("audit-value-on", &[]),
            ),
            zh_change("host", zh("audit-value-empty", &[]), "10.10.10.1".into()),
            // Only a checkbox's on/off is a word; a typed "on" stays as typed.
            zh_change("username", "on".into(), "off".into()),
            zh("audit-password-set", &[]),
            zh("audit-password-changed", &[]),
        ]
        .join(&zh("audit-change-separator", &[]));
        assert_eq!(describe_changes(Lang::ZhCn, &changes), expected);
        assert_ne!(zh("audit-value-on", &[]), "on");
        assert_eq!(describe_changes(Lang::En, &[]), "no changes");
        assert_ne!(describe_changes(Lang::ZhCn, &[]), "no changes");
    }

    async fn memory_pool() -> SqlitePool {
        SqlitePoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .unwrap()
    }

    /// The columns of `audit_log`, in order.
    async fn columns(pool: &SqlitePool) -> Vec<String> {
        sqlx::query_scalar("SELECT name FROM pragma_table_info('audit_log') ORDER BY cid")
            .fetch_all(pool)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn the_log_has_no_per_language_columns() {
        let pool = memory_pool().await;
        sqlx::migrate!("./migrations").run(&pool).await.unwrap();
        assert_eq!(
            columns(&pool).await,
            ["id", "at", "actor", "address", "action", "facts"]
        );
        let id = insert(&pool, "admin", None, &Event::LoggedIn)
            .await
            .unwrap();
        let (action, facts): (String, String) =
            sqlx::query_as("SELECT action, facts FROM audit_log WHERE id = ?")
                .bind(id)
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(
            (action.as_str(), facts.as_str()),
            ("login", r#"{"event":"logged_in"}"#)
        );
        // The column holds JSON only.
        let bad = sqlx::query(
            "INSERT INTO audit_log (at, actor, action, facts) VALUES ('t', 'a', 'login', 'words')",
        )
        .execute(&pool)
        .await;
        assert!(bad.is_err());
    }

    #[tokio::test]
    async fn the_refusals_of_a_lock_period_are_counted_in_one_entry() {
        let pool = memory_pool().await;
        sqlx::migrate!("./migrations").run(&pool).await.unwrap();
        let id = insert_refusals(&pool, "admin", Some("127.0.0.1"), 1)
            .await
            .unwrap();
        set_refusals(&pool, id, 9).await.unwrap();
        let entries = list(&pool, 10).await.unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].action, "login_locked");
        assert_eq!(entries[0].event, Event::RefusedWhileLocked { count: 9 });
    }

    /// An entry as release 0008 wrote it.
    struct OldRow {
        action: &'static str,
        detail: String,
        detail_zh: Option<String>,
    }

    fn old(action: &'static str, detail: &str, detail_zh: Option<String>) -> OldRow {
        OldRow {
            action,
            detail: detail.into(),
            detail_zh,
        }
    }

    /// A database at migration 0008: the migrations up to it, run from a copy.
    async fn pool_at_0008() -> (SqlitePool, tempfile::TempDir) {
        let (pool, dir) = crate::db::migrated_before("0009").await;
        assert!(columns(&pool).await.contains(&"detail_zh".to_owned()));
        (pool, dir)
    }

    /// Rows as releases before 0009 wrote them, and the save entry's words.
    fn old_rows() -> ([OldRow; 10], &'static str, String) {
        let saved_en = "revision 2: port (empty) → 80";
        let saved_zh = zh(
            "audit-saved",
            &[("revision", "2".into()), ("changes", "port x → 80".into())],
        );
        let refused = |count: &str| zh("audit-refused-while-locked", &[("count", count.into())]);
        let rows = [
            old("login", "", None),
            old("logout", "", None),
            old(
                "login_failed",
                "wrong user name or password",
                Some(zh("audit-login-failed", &[])),
            ),
            // Written before the Chinese was kept: now said in Chinese too.
            old("login_failed", "wrong user name or password", None),
            old(
                "login_locked",
                "3 attempt(s) refused while locked",
                Some(refused("3")),
            ),
            old("login_locked", "x3 attempt(s) refused while locked", None),
            old("save", saved_en, Some(saved_zh.clone())),
            old("save", "revision 0: from an old release", None),
            old("api_token_created", "deploy \"bot\" \\ {x}", None),
            old("api_token_revoked", "deploy", None),
        ];
        (rows, saved_en, saved_zh)
    }

    async fn insert_old(pool: &SqlitePool, rows: &[OldRow]) {
        for row in rows {
            sqlx::query(
                "INSERT INTO audit_log (at, actor, address, action, detail, detail_zh) \
                 VALUES ('2024-01-01T00:00:00Z', 'admin', '127.0.0.1', ?, ?, ?)",
            )
            .bind(row.action)
            .bind(&row.detail)
            .bind(&row.detail_zh)
            .execute(pool)
            .await
            .unwrap();
        }
    }

    /// A converted lock entry still counts its refusals, and the cap still holds.
    async fn still_counts_and_caps(pool: &SqlitePool, lock_id: i64) {
        set_refusals(pool, lock_id, 8).await.unwrap();
        let counted = list(pool, 100).await.unwrap();
        assert!(
            counted
                .iter()
                .any(|e| e.event == Event::RefusedWhileLocked { count: 8 })
        );
        set_keep(pool, 3).await.unwrap();
        insert(pool, "admin", None, &Event::LoggedOut)
            .await
            .unwrap();
        let kept = list(pool, 100).await.unwrap();
        assert_eq!(kept.len(), 3);
        assert_eq!(kept[0].event, Event::LoggedOut);
    }

    #[tokio::test]
    async fn the_migration_turns_old_entries_into_facts_that_say_the_same() {
        let (pool, _dir) = pool_at_0008().await;
        let (rows, saved_en, saved_zh) = old_rows();
        insert_old(&pool, &rows).await;

        sqlx::migrate!("./migrations").run(&pool).await.unwrap();

        assert_eq!(
            columns(&pool).await,
            ["id", "at", "actor", "address", "action", "facts"]
        );
        let mut entries = list(&pool, 100).await.unwrap();
        entries.reverse();
        let events: Vec<&Event> = entries.iter().map(|e| &e.event).collect();
        let recorded = |en: &str, zh_cn: Option<String>| Event::Recorded {
            en: en.into(),
            zh_cn,
        };
        assert_eq!(
            events,
            [
                &Event::LoggedIn,
                &Event::LoggedOut,
                &Event::LoginFailed,
                &Event::LoginFailed,
                &Event::RefusedWhileLocked { count: 3 },
                &recorded("x3 attempt(s) refused while locked", None),
                &recorded(saved_en, Some(saved_zh.clone())),
                &recorded("revision 0: from an old release", None),
                &Event::TokenCreated {
                    name: "deploy \"bot\" \\ {x}".into(),
                    days: None
                },
                &Event::TokenRevoked {
                    name: "deploy".into()
                },
            ]
        );
        // Every row says in each language what it said before (English where no Chinese
        // was kept), except a known fact kept only in English, now said in Chinese too.
        for (i, (row, entry)) in rows.iter().zip(&entries).enumerate() {
            assert_eq!(
                (entry.action.as_str(), entry.actor.as_str()),
                (row.action, "admin")
            );
            assert_eq!(entry.event.say(Lang::En), row.detail, "row {i}");
            let zh_before = row.detail_zh.clone().unwrap_or_else(|| row.detail.clone());
            if i == 3 {
                assert_eq!(entry.event.say(Lang::ZhCn), zh("audit-login-failed", &[]));
            } else {
                assert_eq!(entry.event.say(Lang::ZhCn), zh_before, "row {i}");
            }
        }
        assert_eq!(
            entries[4].event.say(Lang::En),
            en("audit-refused-while-locked", &[("count", "3".into())])
        );

        still_counts_and_caps(&pool, entries[4].id).await;
    }
}
