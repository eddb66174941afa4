//! The revision store: every save is a new numbered revision; the newest is current.
//! Saving also brings iprep_proxy.conf into line: staged before the commit, put in place
//! after it, so the file only ever says what the database holds.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::sqlite::SqliteRow;
use sqlx::{FromRow, Row, SqlitePool};
use tokio::sync::Mutex;

use super::fields::{Port, PortError, ProxyHost, UserName};
use super::file_save::{self, FileSave, commit_then_publish};
use super::targets::{TestTarget, parse_lines};
use super::trusted_ca::{self, TrustedCa};
use super::{Change, ProxyConfig, conf_file};
use crate::audit::Event;
use crate::clock::now_rfc3339;
use crate::db;
use crate::locale::Texts;
use crate::secret::Secret;
use crate::secret_box::{SecretBox, is_sealed};

/// One saved state of the Proxy section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Revision {
    pub id: i64,
    pub created_at: String,
    pub actor: String,
    pub config: ProxyConfig,
    pub changes: Vec<Change>,
    pub rollback_of: Option<i64>,
}

struct RevisionRow {
    id: i64,
    created_at: String,
    actor: String,
    enabled: bool,
    host: Option<String>,
    port: Option<i64>,
    use_auth: bool,
    username: Option<String>,
    password: Option<String>,
    targets: String,
    trusted_ca: String,
    changes: String,
    rollback_of: Option<i64>,
}

/// The names a revision's columns are read by, in [`RevisionRow`]'s order: as stored, and
/// as [`CURRENT_COLUMNS`] names them beside another statement's. Spelled out, not built
/// per row: every signed-in request reads one.
type ColumnNames = [&'static str; 13];
const STORED: ColumnNames = [
    "id",
    "created_at",
    "actor",
    "enabled",
    "host",
    "port",
    "use_auth",
    "username",
    "password",
    "targets",
    "trusted_ca",
    "changes",
    "rollback_of",
];
const CURRENT: ColumnNames = [
    "current_id",
    "current_created_at",
    "current_actor",
    "current_enabled",
    "current_host",
    "current_port",
    "current_use_auth",
    "current_username",
    "current_password",
    "current_targets",
    "current_trusted_ca",
    "current_changes",
    "current_rollback_of",
];

impl RevisionRow {
    /// The revision's columns of `row`, named by `names`.
    fn read(row: &SqliteRow, names: &ColumnNames) -> Result<RevisionRow, sqlx::Error> {
        let [
            id,
            created_at,
            actor,
            enabled,
            host,
            port,
            use_auth,
            username,
            password,
            targets,
            trusted_ca,
            changes,
            rollback_of,
        ] = *names;
        Ok(RevisionRow {
            id: row.try_get(id)?,
            created_at: row.try_get(created_at)?,
            actor: row.try_get(actor)?,
            enabled: row.try_get(enabled)?,
            host: row.try_get(host)?,
            port: row.try_get(port)?,
            use_auth: row.try_get(use_auth)?,
            username: row.try_get(username)?,
            password: row.try_get(password)?,
            targets: row.try_get(targets)?,
            trusted_ca: row.try_get(trusted_ca)?,
            changes: row.try_get(changes)?,
            rollback_of: row.try_get(rollback_of)?,
        })
    }

    /// The revision, its password opened with `sealer`. A password that does not open
    /// (the key file was replaced or lost) is treated as none — the admin types it again —
    /// and said loudly, never shown.
    fn into_revision(self, sealer: &SecretBox) -> Revision {
        let r = self;
        let password = r.password.and_then(|stored| match sealer.open(&stored) {
            Ok(secret) => Some(secret),
            Err(e) => {
                tracing::error!(revision = r.id, error = %e, "the stored proxy password cannot be read; enter it again");
                None
            }
        });
        Revision {
            id: r.id,
            created_at: r.created_at,
            actor: r.actor,
            config: ProxyConfig {
                enabled: r.enabled,
                host: checked(r.id, "host", r.host, |h| ProxyHost::parse(h)),
                port: checked(r.id, "port", r.port, |p| stored_port(*p)),
                use_auth: r.use_auth,
                username: checked(r.id, "username", r.username, |u| UserName::parse(u)),
                password,
                targets: stored_targets(r.id, &r.targets),
                trusted_ca: stored_cas(r.id, &r.trusted_ca),
            },
            changes: serde_json::from_str(&r.changes).unwrap_or_default(),
            rollback_of: r.rollback_of,
        }
    }
}

/// A stored value read back through its type. One that does not pass (written by hand, or
/// by a version with another rule) is read as unset, so it is never shown, written to the
/// proxy file or sent to a proxy unchecked, and said loudly with its revision and field:
/// the page shows the field empty and a save asks for it again.
fn checked<R, T, E: std::fmt::Debug>(
    revision: i64,
    field: &'static str,
    raw: Option<R>,
    parse: impl FnOnce(&R) -> Result<T, E>,
) -> Option<T> {
    match parse(&raw?) {
        Ok(value) => Some(value),
        Err(refused) => {
            tracing::error!(
                revision,
                field,
                ?refused,
                "a stored proxy value does not pass validation; it is read as unset, enter it again"
            );
            None
        }
    }
}

/// The stored targets (a JSON array of lines), each read back through the form's rule;
/// any that does not pass drops the list to the default target, said loudly, as
/// [`checked`] does for one value.
fn stored_targets(revision: i64, json: &str) -> Vec<TestTarget> {
    let lines: Vec<String> = match serde_json::from_str(json) {
        Ok(lines) => lines,
        Err(e) => {
            tracing::error!(revision, error = %e, "the stored test targets are not a JSON list of lines; the default target is used");
            return Vec::new();
        }
    };
    checked(revision, "targets", Some(lines), |l| {
        parse_lines(l.iter().map(String::as_str))
    })
    .unwrap_or_default()
}

/// The stored trusted CAs; a list that does not read back (written by hand) is none,
/// said loudly, as [`checked`] does for one value. Dates are not checked: a CA that has
/// expired since it was saved is still shown, so the admin sees it and removes it.
fn stored_cas(revision: i64, json: &str) -> Vec<TrustedCa> {
    trusted_ca::from_json(json).unwrap_or_else(|| {
        tracing::error!(
            revision,
            "the stored trusted CAs are not a list of certificates; none is used"
        );
        Vec::new()
    })
}

/// The targets as stored: a JSON array of their lines.
fn targets_json(targets: &[TestTarget]) -> String {
    serde_json::to_string(targets).unwrap_or_else(|_| "[]".into())
}

fn stored_port(n: i64) -> Result<Port, PortError> {
    u16::try_from(n)
        .ok()
        .and_then(Port::new)
        .ok_or(PortError::OutOfRange)
}

const SELECT: &str = "SELECT id, created_at, actor, enabled, host, port, use_auth, username, \
                      password, targets, trusted_ca, changes, rollback_of FROM proxy_revisions";

impl<'r> FromRow<'r, SqliteRow> for RevisionRow {
    fn from_row(row: &'r SqliteRow) -> Result<Self, sqlx::Error> {
        RevisionRow::read(row, &STORED)
    }
}

/// The newest revision beside what another statement reads, in the same statement:
/// `SELECT …, {CURRENT_COLUMNS} FROM … {CURRENT_JOIN} WHERE …`, read back with
/// [`Store::current_in`]. One statement is one trip to SQLite's worker thread. The join is
/// a look-up by primary key: a subquery with `LIMIT 1` here was materialized into a
/// temporary table on every request (2 % of the page's CPU under load, `perf`).
pub const CURRENT_JOIN: &str = "LEFT JOIN proxy_revisions current \
    ON current.id = (SELECT max(id) FROM proxy_revisions)";
pub const CURRENT_COLUMNS: &str = "current.id AS current_id, \
    current.created_at AS current_created_at, current.actor AS current_actor, \
    current.enabled AS current_enabled, current.host AS current_host, \
    current.port AS current_port, current.use_auth AS current_use_auth, \
    current.username AS current_username, current.password AS current_password, \
    current.targets AS current_targets, current.trusted_ca AS current_trusted_ca, \
    current.changes AS current_changes, current.rollback_of AS current_rollback_of";

#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("cannot write {path}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
}

#[derive(Debug)]
pub enum SaveOutcome {
    Saved(Revision),
    /// The form was loaded from an older revision; nothing was written.
    Stale {
        current: Option<Revision>,
    },
}

/// Connections kept for reads on the hot paths. When each signed-in request read on its own,
/// measured at 16 and 64 connections (BENCHMARKS.md): 1 → 12k pages/s, 2 → 19k, 4 → 24k,
/// 8 → 24k. Now the requests waiting at once share one statement (src/signed_in.rs), one
/// at a time, and the other kept connections serve the rest (a save's reads, a page drawn
/// after a test).
const READERS: usize = 4;

/// The settings store. Clone freely: clones share the pool and the writer lock.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    conf_path: PathBuf,
    /// Seals the proxy password at rest and opens it again.
    sealer: Arc<SecretBox>,
    /// One writer at a time in this process, so saves queue here, in order, under one
    /// deadline, rather than in SQLite's busy handler. The database's write lock is what
    /// makes "read current, check revision, insert" one step for every process.
    writer: Arc<Mutex<()>>,
    /// Connections for the reads every page makes (see [`db::Readers`]).
    readers: Arc<db::Readers>,
}

impl Store {
    pub fn new(pool: SqlitePool, conf_path: PathBuf, sealer: Arc<SecretBox>) -> Self {
        Store {
            readers: Arc::new(db::Readers::new(pool.clone(), READERS)),
            pool,
            conf_path,
            sealer,
            writer: Arc::new(Mutex::new(())),
        }
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The connections kept for every page's reads (its session, the current revision).
    pub fn readers(&self) -> &db::Readers {
        &self.readers
    }

    pub fn conf_path(&self) -> &std::path::Path {
        &self.conf_path
    }

    /// The newest revision in a row read with [`CURRENT_COLUMNS`] and [`CURRENT_JOIN`]
    /// (none when there is no revision yet).
    pub fn current_in(&self, row: &SqliteRow) -> Result<Option<Revision>, sqlx::Error> {
        if row.try_get::<Option<i64>, _>("current_id")?.is_none() {
            return Ok(None);
        }
        Ok(Some(
            RevisionRow::read(row, &CURRENT)?.into_revision(&self.sealer),
        ))
    }

    /// The newest revision, read from the database each time (one query on the primary
    /// key): another process may have saved since, and the page must say what is stored.
    #[tracing::instrument(skip(self))]
    pub async fn current(&self) -> Result<Option<Revision>, sqlx::Error> {
        let mut reader = self.readers.get().await?;
        load_current(&mut *reader, &self.sealer).await
    }

    #[tracing::instrument(skip(self))]
    pub async fn get(&self, id: i64) -> Result<Option<Revision>, sqlx::Error> {
        let row: Option<RevisionRow> = sqlx::query_as(&format!("{SELECT} WHERE id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.into_revision(&self.sealer)))
    }

    /// Newest first.
    #[tracing::instrument(skip(self))]
    pub async fn list(&self, limit: i64) -> Result<Vec<Revision>, sqlx::Error> {
        let rows: Vec<RevisionRow> = sqlx::query_as(&format!("{SELECT} ORDER BY id DESC LIMIT ?"))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| r.into_revision(&self.sealer))
            .collect())
    }

    /// Save a new revision built by `edit` from the current configuration, if the current
    /// revision is still `base` (0 = none yet). The save has one deadline, [`db::BUSY_TIMEOUT`]
    /// from its arrival, for everything it waits on: another save in this process and the
    /// database's write lock alike, so saves queued behind a held lock all answer in time.
    pub async fn save(
        &self,
        base: i64,
        actor: &str,
        address: Option<&str>,
        rollback_of: Option<i64>,
        edit: impl FnOnce(&ProxyConfig) -> ProxyConfig,
    ) -> Result<SaveOutcome, SaveError> {
        let current = self.current().await?;
        self.save_over(current, base, actor, address, rollback_of, edit)
            .await
    }

    /// [`Store::save`] over `current`, the newest revision as this request already read it
    /// (a signed-in request reads it with its session, src/signed_in.rs): a save reads it
    /// no second time. That read may be older than the database by now — another save in
    /// between — and then the new revision's id (current + 1) is taken and the save is
    /// stale, as it should be: the check is the insert's primary key either way.
    #[tracing::instrument(skip(self, current, edit))]
    pub async fn save_over(
        &self,
        current: Option<Revision>,
        base: i64,
        actor: &str,
        address: Option<&str>,
        rollback_of: Option<i64>,
        edit: impl FnOnce(&ProxyConfig) -> ProxyConfig,
    ) -> Result<SaveOutcome, SaveError> {
        let deadline = Instant::now() + db::BUSY_TIMEOUT;
        let _writer = self.writer.lock().await;
        let plan = |current: &Option<Revision>| {
            if id_of(current) != base {
                return None;
            }
            let old = current
                .as_ref()
                .map(|r| r.config.clone())
                .unwrap_or_default();
            let new = edit(&old);
            let revision = Revision {
                id: base + 1,
                created_at: now_rfc3339(),
                actor: actor.to_owned(),
                changes: new.changes_from(&old),
                config: new,
                rollback_of,
            };
            let entry = revision_entry(revision.id, revision.rollback_of, &revision.changes);
            Some((revision, entry))
        };
        self.write(plan, current, address, deadline).await
    }

    /// Store the revision `plan` makes of `current`, with its audit entry, and bring the
    /// file into line; `plan` answers `None` when the save is stale. `current` was read
    /// from the database before, and the new revision's id (current + 1) is its primary
    /// key: if anyone saved after that read, the insert in the write transaction finds the
    /// id taken and the save is stale, so the check is the database's own, atomic with the
    /// insert, and costs no query under the lock.
    ///
    /// The order keeps the file and the database agreeing (issue 12, items 15 and 20; the
    /// file's half is crate::settings::file_save): the new file is written beside the old
    /// one while the write lock is taken and the rows inserted, synced while the
    /// transaction commits, and renamed into place only after the commit. A full or
    /// read-only disk fails the write, so the save as a whole; a failed commit leaves the
    /// old file untouched; a crash anywhere leaves the old file or the committed one, never
    /// a value the database does not hold. The caller holds the writer lock.
    async fn write(
        &self,
        plan: impl FnOnce(&Option<Revision>) -> Option<(Revision, Event)>,
        current: Option<Revision>,
        address: Option<&str>,
        deadline: Instant,
    ) -> Result<SaveOutcome, SaveError> {
        let Some((revision, entry)) = plan(&current) else {
            // Told as the database says it now: `current` may be older.
            let current = self.current().await?;
            return Ok(SaveOutcome::Stale { current });
        };
        // Started now, it runs while the lock is waited for; if this save ends early the
        // file's half removes its temp file.
        let file = FileSave::start(self.conf_path.clone(), revision.config.clone());
        let mut conn = self.pool.acquire().await?;
        // A connection waits BUSY_TIMEOUT for the lock already. Setting another wait costs
        // two trips to its worker thread, so only a save that has waited here (queued
        // behind others) sets what is left of its deadline.
        let wait = lock_wait(deadline, Instant::now());
        let shortened = db::BUSY_TIMEOUT.saturating_sub(wait) > WAITED;
        if shortened {
            db::set_busy_timeout(&mut conn, wait).await?;
        }
        let written = self
            .write_on(&mut conn, file, revision, address, entry)
            .await;
        // The usual wait for whoever uses the connection next; one that cannot take it is
        // not reused.
        if shortened
            && db::set_busy_timeout(&mut conn, db::BUSY_TIMEOUT)
                .await
                .is_err()
        {
            conn.close_on_drop();
        }
        written
    }

    /// [`Store::write`] on `conn`, whose busy timeout is what is left of the deadline.
    async fn write_on(
        &self,
        conn: &mut sqlx::SqliteConnection,
        mut file: FileSave,
        revision: Revision,
        address: Option<&str>,
        event: Event,
    ) -> Result<SaveOutcome, SaveError> {
        // IMMEDIATE takes the write lock now, waiting (up to the deadline) for it; a deferred
        // transaction would read first and then fail at once on upgrading to a writer.
        let mut tx = sqlx::Connection::begin_with(conn, "BEGIN IMMEDIATE").await?;
        match insert(&mut tx, &self.sealer, &revision, address, &event).await {
            Ok(()) => {}
            // The id is taken: another process saved since the current revision was read.
            Err(e)
                if e.as_database_error()
                    .is_some_and(|d| d.is_unique_violation()) =>
            {
                drop(tx);
                let current = load_current(&self.pool, &self.sealer).await?;
                return Ok(SaveOutcome::Stale { current });
            }
            Err(e) => return Err(e.into()),
        }
        // On an error here the transaction rolls back as it is dropped.
        file.written()
            .await
            .map_err(|source| self.file_error(source))?;
        match commit_then_publish(file, tx.commit()).await {
            Err(e) => {
                // Nothing to restore: the file was never touched. The connection the
                // failed commit ran on is not reused (db::connect's release check).
                return Err(e.into());
            }
            Ok(Err(e)) => {
                // Committed: the revision is saved and the page says so (answering "not
                // saved" would invite a retry of a save that stands). The file lags until
                // the next save or start, which write it from the database; the
                // Diagnostics panel shows it as it is meanwhile.
                tracing::error!(
                    revision = revision.id,
                    path = %self.conf_path.display(),
                    error = %e,
                    "revision committed but the proxy file could not be put in place; \
                     the next save or restart writes it"
                );
            }
            Ok(Ok(())) => {}
        }
        Ok(SaveOutcome::Saved(revision))
    }

    /// At start, before serving: remove the temp files crashed saves left, then make the
    /// proxy file and the database agree. With no revision yet, a proxy file already there
    /// is adopted as revision 1 (an appliance's existing setting, or a database that was
    /// lost); one that cannot be adopted is left as it is. Otherwise the file is written
    /// from the current revision. Says loudly (in the log) what looks like lost data.
    pub async fn reconcile_at_start(&self) -> Result<StartFile, SaveError> {
        let _writer = self.writer.lock().await;
        let path = self.conf_path.clone();
        match self
            .in_blocking(move || conf_file::remove_stale_temps(&path))
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, "removed temp files left by interrupted saves"),
            Err(e) => {
                tracing::warn!(error = %e, "could not clear old temp files beside the proxy file")
            }
        }
        let path = self.conf_path.clone();
        let found = self
            .in_blocking(move || conf_file::read_no_follow(&path))
            .await?;
        let current = self.current().await?;
        match plan_at_start(current.as_ref(), &found) {
            StartPlan::Adopt { host, port } => self.adopt(host, port).await,
            StartPlan::LeaveAlone(why) => Ok(StartFile::LeftAlone(why)),
            StartPlan::Sync => {
                if let (Some(current), conf_file::Current::Text(text)) = (&current, &found) {
                    self.report_disagreement(current, text).await?;
                }
                let config = current.map(|r| r.config).unwrap_or_default();
                self.sync_file(&config).await?;
                Ok(StartFile::Synced)
            }
        }
    }

    /// Revision 1 from the proxy file found at start: enabled, its host and port, no
    /// authentication (the file has none), by `system`, audited as imported.
    async fn adopt(&self, host: ProxyHost, port: Port) -> Result<StartFile, SaveError> {
        let config = ProxyConfig {
            enabled: true,
            host: Some(host),
            port: Some(port),
            ..ProxyConfig::default()
        };
        let revision = Revision {
            id: 1,
            created_at: now_rfc3339(),
            actor: SYSTEM.to_owned(),
            changes: config.changes_from(&ProxyConfig::default()),
            config,
            rollback_of: None,
        };
        let imported = Event::Imported {
            revision: 1,
            changes: audit_changes(&revision.changes),
            path: self.conf_path.display().to_string(),
        };
        let deadline = Instant::now() + db::BUSY_TIMEOUT;
        // Only over no revision at all: another process may have saved since start looked.
        let plan = |current: &Option<Revision>| current.is_none().then_some((revision, imported));
        let current = self.current().await?;
        match self.write(plan, current, None, deadline).await? {
            SaveOutcome::Saved(revision) => Ok(StartFile::Adopted(Box::new(revision))),
            // Another process saved first: its revision is the truth, and the file follows.
            SaveOutcome::Stale { current } => {
                let config = current.map(|r| r.config).unwrap_or_default();
                self.sync_file(&config).await?;
                Ok(StartFile::Synced)
            }
        }
    }

    /// The file at start says something other than the current revision: fine if an
    /// earlier revision said it (a save's last step was cut, or a rollback), suspicious
    /// if none did (revisions lost with a damaged or missing -wal file, or a hand edit).
    /// Logged with the file's endpoint (not a secret), since the file is rewritten next.
    async fn report_disagreement(&self, current: &Revision, text: &str) -> Result<(), SaveError> {
        let Some((host, port)) = conf_file::parse(text) else {
            if conf_file::render(&current.config).as_deref() != Some(text) {
                tracing::warn!(path = %self.conf_path.display(), "the proxy file did not parse; rewriting it from the current revision");
            }
            return Ok(());
        };
        let same = current
            .config
            .active_endpoint()
            .is_some_and(|(h, p)| (h.as_str(), p.get()) == (host.as_str(), port));
        if same {
            return Ok(());
        }
        let (known,): (bool,) = sqlx::query_as(
            "SELECT EXISTS (SELECT 1 FROM proxy_revisions WHERE enabled = 1 AND host = ? AND port = ?)",
        )
        .bind(&host)
        .bind(port)
        .fetch_one(&self.pool)
        .await?;
        if known {
            tracing::warn!(revision = current.id, %host, port, "the proxy file held an earlier revision; rewriting it");
        } else {
            tracing::error!(
                revision = current.id,
                %host,
                port,
                path = %self.conf_path.display(),
                "the proxy file holds a host and port no revision in the database has: \
                 the database may have lost its newest revisions (a missing or damaged -wal \
                 file, a restored or truncated database), or the file was edited by hand; \
                 the file is being rewritten from the current revision"
            );
        }
        Ok(())
    }

    async fn sync_file(&self, config: &ProxyConfig) -> Result<(), SaveError> {
        let (path, config) = (self.conf_path.clone(), config.clone());
        self.in_blocking(move || conf_file::sync(&path, &config))
            .await
    }

    /// Run file work on the blocking pool; its error names the proxy file.
    async fn in_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> std::io::Result<T> + Send + 'static,
    ) -> Result<T, SaveError> {
        self.joined(tokio::task::spawn_blocking(work).await)
    }

    /// The result of file work done on the blocking pool; its error names the proxy file.
    fn joined<T>(
        &self,
        done: Result<std::io::Result<T>, tokio::task::JoinError>,
    ) -> Result<T, SaveError> {
        file_save::joined(done).map_err(|source| self.file_error(source))
    }

    fn file_error(&self, source: std::io::Error) -> SaveError {
        SaveError::File {
            path: self.conf_path.clone(),
            source,
        }
    }
}

/// The least a save waits for the write lock, even past its deadline: enough for a login's
/// or another write's brief hold in this process, too short to matter behind a held lock.
const LOCK_WAIT_FLOOR: Duration = Duration::from_millis(100);

/// How long BEGIN IMMEDIATE may wait for the write lock: what is left of the deadline.
/// How long a save may already have waited and still leave SQLite's wait as it is (the
/// deadline then ends at most this much late).
const WAITED: Duration = Duration::from_millis(100);

fn lock_wait(deadline: Instant, now: Instant) -> Duration {
    deadline.saturating_duration_since(now).max(LOCK_WAIT_FLOOR)
}

/// Who imports a proxy file found at start.
pub const SYSTEM: &str = "system";

/// What start-up found and did about the proxy file.
#[derive(Debug)]
pub enum StartFile {
    /// The file now says what the current revision says (perhaps nothing was needed).
    Synced,
    /// There was no revision; the file's host and port became this revision.
    Adopted(Box<Revision>),
    /// There was no revision and a file that could not be adopted; it was not touched.
    LeftAlone(&'static str),
}

#[derive(Debug, PartialEq, Eq)]
enum StartPlan {
    Adopt { host: ProxyHost, port: Port },
    LeaveAlone(&'static str),
    Sync,
}

/// What to do at start with the file found, given the current revision. The database is
/// the truth once it has a revision; before that, a file we did not write is the
/// appliance's own setting and is kept: adopted if the form would accept it, else left.
fn plan_at_start(current: Option<&Revision>, found: &conf_file::Current) -> StartPlan {
    use conf_file::Current;
    if current.is_some() {
        return StartPlan::Sync;
    }
    match found {
        Current::Absent => StartPlan::Sync,
        Current::Link => StartPlan::LeaveAlone("it is a symbolic link"),
        Current::NotRegular => StartPlan::LeaveAlone("it is not a regular file"),
        Current::Text(text) => match conf_file::parse(text) {
            None => StartPlan::LeaveAlone("it does not parse as an iprep_proxy block"),
            Some((host, port)) => match (ProxyHost::parse(&host), Port::new(port)) {
                (Ok(host), Some(port)) => StartPlan::Adopt { host, port },
                _ => StartPlan::LeaveAlone("its host or port would be refused by the form"),
            },
        },
    }
}

/// Insert `revision` and its audit entry in the open transaction `tx`.
async fn insert(
    tx: &mut sqlx::SqliteConnection,
    sealer: &SecretBox,
    revision: &Revision,
    address: Option<&str>,
    event: &Event,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO proxy_revisions (id, created_at, actor, enabled, host, port, use_auth, \
         username, password, targets, trusted_ca, changes, rollback_of) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(revision.id)
    .bind(&revision.created_at)
    .bind(&revision.actor)
    .bind(revision.config.enabled)
    .bind(revision.config.host.as_ref().map(ProxyHost::as_str))
    .bind(revision.config.port.map(Port::get))
    .bind(revision.config.use_auth)
    .bind(revision.config.username.as_ref().map(UserName::as_str))
    .bind(revision.config.password.as_ref().map(|p| sealer.seal(p)))
    .bind(targets_json(&revision.config.targets))
    .bind(trusted_ca::to_json(&revision.config.trusted_ca))
    .bind(serde_json::to_string(&revision.changes).unwrap_or_else(|_| "[]".into()))
    .bind(revision.rollback_of)
    .execute(&mut *tx)
    .await?;
    // The audit entry commits with the revision: one commit (one fsync), and never a
    // save without its entry.
    crate::audit::insert(&mut *tx, &revision.actor, address, event)
        .await
        .map(drop)
}

fn id_of(revision: &Option<Revision>) -> i64 {
    revision.as_ref().map_or(0, |r| r.id)
}

/// The current revision: the newest by the primary key (one indexed step). Also for
/// callers that only have a pool (the CLI's `--from-config`).
pub async fn load_current(
    db: impl sqlx::SqliteExecutor<'_>,
    sealer: &SecretBox,
) -> Result<Option<Revision>, sqlx::Error> {
    let row: Option<RevisionRow> = sqlx::query_as(&format!("{SELECT} ORDER BY id DESC LIMIT 1"))
        .fetch_optional(db)
        .await?;
    Ok(row.map(|r| r.into_revision(sealer)))
}

/// Seal every proxy password still stored in clear (written before sealing existed), in
/// one transaction, at start.
pub async fn seal_stored_passwords(
    pool: &SqlitePool,
    sealer: &SecretBox,
) -> Result<u64, sqlx::Error> {
    // Read first: a start with nothing to seal (every start but the first after the upgrade)
    // takes no write lock, so it is not held up by another process writing.
    let stored: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, password FROM proxy_revisions WHERE password IS NOT NULL")
            .fetch_all(pool)
            .await?;
    let clear: Vec<_> = stored.into_iter().filter(|(_, p)| !is_sealed(p)).collect();
    if clear.is_empty() {
        return Ok(0);
    }
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let mut sealed = 0;
    for (id, password) in clear {
        // Only if it is still that clear text: another process may have sealed it since.
        let done =
            sqlx::query("UPDATE proxy_revisions SET password = ? WHERE id = ? AND password = ?")
                .bind(sealer.seal(&Secret::new(password.clone())))
                .bind(id)
                .bind(&password)
                .execute(&mut *tx)
                .await?;
        sealed += done.rows_affected();
    }
    tx.commit().await?;
    Ok(sealed)
}

// A revision's audit event is made here, beside the save that writes it: `settings` uses
// `audit` to store the entry, and `audit` knows nothing of settings (it has its own
// `Change`, and says the event in words when the log is read).

/// The audit event of a save or a rollback, e.g. revision 4 restores revision 1 with
/// port 80 → 3128.
pub fn revision_entry(revision: i64, rollback_of: Option<i64>, changes: &[Change]) -> Event {
    let changes = audit_changes(changes);
    match rollback_of {
        Some(target) => Event::RolledBack {
            revision,
            target,
            changes,
        },
        None => Event::Saved { revision, changes },
    }
}

/// A revision's changes as the audit log keeps them (already masked).
fn audit_changes(changes: &[Change]) -> Vec<crate::audit::Change> {
    changes
        .iter()
        .map(|c| crate::audit::Change {
            field: c.field.clone(),
            from: c.from.clone(),
            to: c.to.clone(),
        })
        .collect()
}

/// The summary of a revision's changes in the language of `t`, as the audit log says a
/// save's (one wording for both).
pub fn describe_changes_in(t: &Texts, changes: &[Change]) -> String {
    crate::audit::describe_changes(t.lang, &audit_changes(changes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::file_save::listing;

    #[test]
    fn the_current_revisions_column_names_match_the_statement_that_reads_them() {
        for (stored, current) in STORED.iter().zip(CURRENT) {
            assert_eq!(current, format!("current_{stored}"));
            assert!(
                CURRENT_COLUMNS.contains(&format!("current.{stored} AS {current}")),
                "{current}"
            );
            assert!(SELECT.contains(stored), "{stored}");
        }
        assert_eq!(CURRENT_COLUMNS.matches(" AS ").count(), CURRENT.len());
    }
    use crate::locale::Lang;

    fn sealer(dir: &tempfile::TempDir) -> Arc<SecretBox> {
        Arc::new(SecretBox::load_or_create(&dir.path().join("secret.key")).unwrap())
    }

    #[tokio::test]
    async fn the_proxy_password_is_sealed_in_the_database_and_opens_for_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let ours = store(&dir).await;
        let with_password = |_: &ProxyConfig| ProxyConfig {
            enabled: true,
            host: ProxyHost::parse("p.test").ok(),
            port: Port::new(3128),
            use_auth: true,
            username: UserName::parse("u").ok(),
            password: Some(Secret::new("hunter2-proxy")),
            targets: Vec::new(),
            trusted_ca: Vec::new(),
        };
        saved(ours.save(0, "a", None, None, with_password).await.unwrap());
        let (raw,): (String,) = sqlx::query_as("SELECT password FROM proxy_revisions")
            .fetch_one(ours.pool())
            .await
            .unwrap();
        assert!(is_sealed(&raw) && !raw.contains("hunter2"), "{raw}");
        let current = load_current(ours.pool(), &sealer(&dir))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(current.config.password, Some(Secret::new("hunter2-proxy")));

        // A password stored in clear before sealing existed is sealed at start.
        sqlx::query("UPDATE proxy_revisions SET password = 'legacy-clear'")
            .execute(ours.pool())
            .await
            .unwrap();
        assert_eq!(
            seal_stored_passwords(ours.pool(), &sealer(&dir))
                .await
                .unwrap(),
            1
        );
        let (raw,): (String,) = sqlx::query_as("SELECT password FROM proxy_revisions")
            .fetch_one(ours.pool())
            .await
            .unwrap();
        assert!(is_sealed(&raw), "{raw}");
        let reopened = load_current(ours.pool(), &sealer(&dir))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(reopened.config.password, Some(Secret::new("legacy-clear")));

        // Another key cannot open it: the password reads as none, never as garbage.
        let other = tempfile::tempdir().unwrap();
        let foreign = load_current(ours.pool(), &sealer(&other))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(foreign.config.password, None);
    }

    /// A row that no longer passes the field rules (edited by hand, or written by a
    /// version with another rule) must not fail the page or vanish: its revision reads
    /// with those fields unset (and a log line), everything else as stored, and nothing
    /// unchecked reaches the proxy file.
    #[tokio::test]
    async fn a_stored_value_that_does_not_pass_reads_as_unset_and_the_rest_as_stored() {
        let dir = tempfile::tempdir().unwrap();
        let ours = store(&dir).await;
        let complete = |_: &ProxyConfig| ProxyConfig {
            enabled: true,
            host: ProxyHost::parse("p.test").ok(),
            port: Port::new(3128),
            use_auth: true,
            username: UserName::parse("u").ok(),
            password: Some(Secret::new("pw")),
            targets: crate::settings::targets::parse_targets("https://t.example/ download")
                .unwrap(),
            trusted_ca: Vec::new(),
        };
        saved(ours.save(0, "a", None, None, complete).await.unwrap());
        let stored = ours.current().await.unwrap().unwrap();
        assert_eq!(
            stored.config.targets[0].to_string(),
            "https://t.example/ download",
            "targets are stored and read back"
        );
        sqlx::query(
            "UPDATE proxy_revisions SET host = 'pro_xy;}', username = 'a:b', \
             targets = '[\"ftp://x/\"]'",
        )
        .execute(ours.pool())
        .await
        .unwrap();

        let current = ours
            .current()
            .await
            .unwrap()
            .expect("the revision is still there");
        assert_eq!(current.id, 1);
        assert_eq!(current.config.host, None);
        assert_eq!(current.config.username, None);
        assert_eq!(
            current.config.targets,
            [],
            "bad targets read as the default"
        );
        assert_eq!(current.config.port, Port::new(3128));
        assert!(current.config.enabled && current.config.use_auth);
        assert_eq!(current.config.password, Some(Secret::new("pw")));
        assert_eq!(conf_file::render(&current.config), None);
        assert_eq!(ours.list(10).await.unwrap(), vec![current.clone()]);
        assert_eq!(
            current.config.password_for(
                ProxyHost::parse("p.test").ok().as_ref(),
                Port::new(3128),
                UserName::parse("u").ok().as_ref()
            ),
            None,
            "a password whose proxy is unknown goes nowhere"
        );
    }

    fn on(host: &str) -> impl FnOnce(&ProxyConfig) -> ProxyConfig {
        let host = ProxyHost::parse(host).ok();
        move |old| ProxyConfig {
            enabled: true,
            host,
            port: Port::new(3128),
            ..old.clone()
        }
    }

    async fn store(dir: &tempfile::TempDir) -> Store {
        let db = dir.path().join("fmc.db");
        let pool = crate::db::connect(db.to_str().unwrap()).await.unwrap();
        Store::new(pool, dir.path().join("iprep_proxy.conf"), sealer(dir))
    }

    fn saved(outcome: SaveOutcome) -> Revision {
        match outcome {
            SaveOutcome::Saved(r) => r,
            SaveOutcome::Stale { current } => panic!("stale; current {current:?}"),
        }
    }

    fn conf(dir: &tempfile::TempDir) -> String {
        std::fs::read_to_string(dir.path().join("iprep_proxy.conf")).unwrap_or_default()
    }

    #[tokio::test]
    async fn a_save_by_another_process_makes_this_one_stale_not_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let (ours, theirs) = (store(&dir).await, store(&dir).await);
        let first = saved(ours.save(0, "a", None, None, on("one.test")).await.unwrap());
        assert_eq!(ours.current().await.unwrap().map(|r| r.id), Some(first.id));
        // The other process saves revision 2: this store says so at once (no memory of 1).
        saved(
            theirs
                .save(1, "b", None, None, on("two.test"))
                .await
                .unwrap(),
        );
        assert_eq!(ours.current().await.unwrap().map(|r| r.id), Some(2));

        match ours
            .save(1, "a", None, None, on("three.test"))
            .await
            .unwrap()
        {
            SaveOutcome::Stale { current } => assert_eq!(current.map(|r| r.id), Some(2)),
            SaveOutcome::Saved(r) => panic!("saved over another save: {r:?}"),
        }
        assert!(
            conf(&dir).contains("two.test"),
            "the file is the other save's"
        );
        assert_eq!(ours.list(10).await.unwrap().len(), 2);
        // Now that it knows, a save over revision 2 goes through.
        let third = saved(
            ours.save(2, "a", None, None, on("three.test"))
                .await
                .unwrap(),
        );
        assert_eq!(third.id, 3);
        assert!(conf(&dir).contains("three.test"));
    }

    #[tokio::test]
    async fn a_form_loaded_from_another_process_s_revision_is_not_stale() {
        let dir = tempfile::tempdir().unwrap();
        let (ours, theirs) = (store(&dir).await, store(&dir).await);
        saved(ours.save(0, "a", None, None, on("one.test")).await.unwrap());
        saved(
            theirs
                .save(1, "b", None, None, on("two.test"))
                .await
                .unwrap(),
        );
        // The form was loaded from the other process's revision 2: not stale.
        let r = saved(
            ours.save(2, "a", None, None, on("three.test"))
                .await
                .unwrap(),
        );
        assert_eq!(r.id, 3);
        assert_eq!(
            r.changes.len(),
            1,
            "changes from revision 2, not 1: {:?}",
            r.changes
        );
    }

    #[tokio::test]
    async fn a_file_that_cannot_be_written_leaves_no_revision_and_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("fmc.db");
        let pool = crate::db::connect(db.to_str().unwrap()).await.unwrap();
        let conf_dir = dir.path().join("etc");
        let ours = Store::new(pool, conf_dir.join("iprep_proxy.conf"), sealer(&dir));
        let err = ours
            .save(0, "a", None, None, on("one.test"))
            .await
            .expect_err("the directory is missing");
        assert!(matches!(err, SaveError::File { .. }), "{err:?}");
        assert!(ours.list(10).await.unwrap().is_empty());
        let audit: (i64,) = sqlx::query_as("SELECT count(*) FROM audit_log")
            .fetch_one(ours.pool())
            .await
            .unwrap();
        assert_eq!(audit.0, 0, "no audit entry for a save that did not happen");

        std::fs::create_dir(&conf_dir).unwrap();
        let r = saved(ours.save(0, "a", None, None, on("one.test")).await.unwrap());
        assert_eq!(r.id, 1);
        assert_eq!(
            std::fs::read_dir(&conf_dir).unwrap().count(),
            1,
            "no temp file"
        );
    }

    /// A commit that fails: a deferred foreign key that only COMMIT checks.
    async fn fail_commits(store: &Store) {
        for sql in [
            "CREATE TABLE trap (revision INTEGER REFERENCES nowhere (id) DEFERRABLE INITIALLY DEFERRED)",
            "CREATE TABLE nowhere (id INTEGER PRIMARY KEY)",
            "CREATE TRIGGER spring AFTER INSERT ON proxy_revisions BEGIN INSERT INTO trap VALUES (NEW.id); END",
        ] {
            sqlx::query(sql).execute(store.pool()).await.unwrap();
        }
    }

    #[tokio::test]
    async fn a_failed_commit_leaves_the_old_file_and_saving_works_afterwards() {
        let dir = tempfile::tempdir().unwrap();
        let ours = store(&dir).await;
        saved(ours.save(0, "a", None, None, on("one.test")).await.unwrap());
        fail_commits(&ours).await;

        for _ in 0..3 {
            let err = ours
                .save(1, "a", None, None, on("two.test"))
                .await
                .expect_err("the commit fails");
            assert!(matches!(err, SaveError::Db(_)), "{err:?}");
            assert!(conf(&dir).contains("one.test"), "{}", conf(&dir));
        }
        assert_eq!(ours.list(10).await.unwrap().len(), 1);
        assert_eq!(
            listing(dir.path())
                .iter()
                .filter(|n| n.ends_with(".tmp"))
                .count(),
            0
        );

        sqlx::query("DROP TRIGGER spring")
            .execute(ours.pool())
            .await
            .unwrap();
        for id in 2..=6 {
            let r = saved(
                ours.save(id - 1, "a", None, None, on(&format!("h{id}.test")))
                    .await
                    .unwrap(),
            );
            assert_eq!(r.id, id);
        }
        assert!(conf(&dir).contains("h6.test"));
    }

    fn found(text: &str) -> conf_file::Current {
        conf_file::Current::Text(text.to_owned())
    }

    #[test]
    fn history_names_fields_by_the_pages_labels_in_chinese_and_as_the_api_does_in_english() {
        let changes = vec![Change {
            field: "host".into(),
            from: None,
            to: Some("10.0.0.1".into()),
        }];
        assert_eq!(
            describe_changes_in(Lang::En.texts(), &changes),
            format!("host {} → 10.0.0.1", Lang::En.texts().empty)
        );
        let zh = describe_changes_in(Lang::ZhCn.texts(), &changes);
        let label = crate::locale::message(Lang::ZhCn, "page-http-proxy", &[]);
        assert!(zh.starts_with(&format!("{label}（host） ")), "{zh}");
        for field in ["enabled", "host", "port", "use_auth", "username", "targets"] {
            let change = Change {
                field: field.into(),
                from: None,
                to: None,
            };
            let named = describe_changes_in(Lang::ZhCn.texts(), &[change]);
            assert!(named.contains(&format!("（{field}）")), "{field}: {named}");
        }
    }

    #[test]
    fn start_adopts_a_valid_file_only_when_there_is_no_revision() {
        let file = "iprep_proxy {\n    PROXY_HOST [2001:db8::1];\n    PROXY_PORT 8080;\n}\n";
        assert_eq!(
            plan_at_start(None, &found(file)),
            StartPlan::Adopt {
                host: ProxyHost::parse("2001:db8::1").unwrap(),
                port: Port::new(8080).unwrap()
            }
        );
        let revision = Revision {
            id: 1,
            created_at: String::new(),
            actor: "a".into(),
            config: ProxyConfig::default(),
            changes: Vec::new(),
            rollback_of: None,
        };
        assert_eq!(
            plan_at_start(Some(&revision), &found(file)),
            StartPlan::Sync
        );
        assert_eq!(
            plan_at_start(None, &conf_file::Current::Absent),
            StartPlan::Sync
        );
    }

    #[test]
    fn start_leaves_alone_what_it_cannot_adopt() {
        use conf_file::Current;
        for left in [
            found("proxy = 10.0.0.1:80\n"),
            found("iprep_proxy {\n    PROXY_HOST a b;\n    PROXY_PORT 80;\n}\n"),
            found("iprep_proxy {\n    PROXY_HOST http://x;\n    PROXY_PORT 80;\n}\n"),
            found("iprep_proxy {\n    PROXY_HOST x.test;\n    PROXY_PORT 0;\n}\n"),
            Current::Link,
            Current::NotRegular,
        ] {
            assert!(
                matches!(plan_at_start(None, &left), StartPlan::LeaveAlone(_)),
                "{left:?}"
            );
        }
    }

    /// A save's audit entry says its changes with the words the history page uses, in
    /// each language.
    #[test]
    fn the_audit_entry_of_a_save_says_the_changes_as_the_history_does() {
        let old = ProxyConfig {
            enabled: false,
            username: UserName::parse("u").ok(),
            password: Some(Secret::new("old-secret")),
            ..ProxyConfig::default()
        };
        let new = ProxyConfig {
            enabled: true,
            host: ProxyHost::parse("10.10.10.1").ok(),
            port: Port::new(80),
            use_auth: true,
            ..ProxyConfig::default()
        };
        for changes in [new.changes_from(&old), vec![]] {
            for lang in Lang::ALL {
                let said = revision_entry(3, None, &changes).say(lang);
                let history = describe_changes_in(lang.texts(), &changes);
                let expected = crate::locale::message(
                    lang,
                    "audit-saved",
                    &[("revision", "3".into()), ("changes", history)],
                );
                assert_eq!(said, expected, "{lang:?}");
                assert!(!said.contains("old-secret"));
            }
        }
        let rollback = revision_entry(4, Some(1), &new.changes_from(&old));
        assert_eq!(rollback.action(), "rollback");
        assert!(
            rollback
                .say(Lang::En)
                .starts_with("revision 4 restores revision 1: enabled off → on; host (empty)")
        );
    }

    /// Actor, action and the detail in English, oldest first.
    async fn audit_details(store: &Store) -> Vec<(String, String, String)> {
        let mut entries = crate::audit::list(store.pool(), 100).await.unwrap();
        entries.reverse();
        entries
            .into_iter()
            .map(|e| (e.actor, e.action, e.event.say(Lang::En)))
            .collect()
    }

    #[tokio::test]
    async fn an_existing_proxy_file_becomes_revision_one_and_stays() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("iprep_proxy.conf");
        let text = "iprep_proxy {\n    PROXY_HOST 10.1.2.3;\n    PROXY_PORT 8080;\n}\n";
        std::fs::write(&path, text).unwrap();
        let ours = store(&dir).await;

        let adopted = match ours.reconcile_at_start().await.unwrap() {
            StartFile::Adopted(r) => r,
            other => panic!("not adopted: {other:?}"),
        };
        assert_eq!(adopted.id, 1);
        assert_eq!(adopted.actor, "system");
        let (host, port) = adopted.config.active_endpoint().unwrap();
        assert_eq!((host.as_str(), port.get()), ("10.1.2.3", 8080));
        assert!(!adopted.config.use_auth && adopted.config.password.is_none());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
        let audit = audit_details(&ours).await;
        assert_eq!(audit.len(), 1);
        assert_eq!(
            (audit[0].0.as_str(), audit[0].1.as_str()),
            ("system", "save")
        );
        assert!(
            audit[0]
                .2
                .contains(&format!("imported from {}", path.display())),
            "{}",
            audit[0].2
        );
        // A second start has a revision: nothing is imported again.
        assert!(matches!(
            ours.reconcile_at_start().await.unwrap(),
            StartFile::Synced
        ));
        assert_eq!(ours.list(10).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_proxy_file_that_does_not_parse_is_left_untouched_at_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("iprep_proxy.conf");
        std::fs::write(&path, "PROXY_HOST 10.1.2.3\n").unwrap();
        let ours = store(&dir).await;
        assert!(matches!(
            ours.reconcile_at_start().await.unwrap(),
            StartFile::LeftAlone(_)
        ));
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "PROXY_HOST 10.1.2.3\n"
        );
        assert!(ours.list(10).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn start_removes_only_our_leftover_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let ours = store(&dir).await;
        saved(ours.save(0, "a", None, None, on("one.test")).await.unwrap());
        std::fs::write(dir.path().join(".iprep_proxy.conf.31337.tmp"), "x").unwrap();
        std::fs::write(
            dir.path().join(".iprep_proxy.conf.9f8e7d6c5b4a3921.tmp"),
            "x",
        )
        .unwrap();
        std::fs::write(dir.path().join("notes.tmp"), "x").unwrap();
        ours.reconcile_at_start().await.unwrap();
        assert_eq!(
            listing(dir.path())
                .into_iter()
                .filter(|n| !n.starts_with("fmc.db") && n != "secret.key")
                .collect::<Vec<_>>(),
            ["iprep_proxy.conf", "notes.tmp"]
        );
    }

    #[test]
    fn a_save_waits_for_the_lock_only_what_is_left_of_its_deadline() {
        let now = Instant::now();
        let deadline = now + db::BUSY_TIMEOUT;
        assert_eq!(lock_wait(deadline, now), db::BUSY_TIMEOUT);
        assert_eq!(
            lock_wait(deadline, now + Duration::from_secs(3)),
            Duration::from_secs(2)
        );
        assert_eq!(
            lock_wait(deadline, now + Duration::from_secs(9)),
            LOCK_WAIT_FLOOR
        );
    }
}
