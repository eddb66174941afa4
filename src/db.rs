//! The SQLite pool: file created 0600, pragmas set explicitly, migrations applied at start.

use std::fs::{self, OpenOptions};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;

use crate::locale::Text;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot create the database file {path}: {source}")]
    Create {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot open the database {url}: {source}")]
    Open { url: String, source: sqlx::Error },
    #[error(
        "the database {url} failed its integrity check ({detail}); restore it from a backup or move it away — fmc-mgmt will not start over it"
    )]
    Corrupt { url: String, detail: String },
    #[error("cannot read the database: {0}")]
    Query(sqlx::Error),
    #[error("cannot apply the database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Open (creating if needed) the database at `url`: a `sqlite:` URL or a plain path.
/// The file is created with mode 0600 before SQLite touches it; SQLite gives its -wal
/// and -shm files the same mode.
pub async fn connect(url: &str) -> Result<SqlitePool, DbError> {
    let options = if url.starts_with("sqlite:") {
        SqliteConnectOptions::from_str(url).map_err(|source| DbError::Open {
            url: url.into(),
            source,
        })?
    } else {
        SqliteConnectOptions::new().filename(url)
    };
    let path = options.get_filename().to_owned();
    if wal_lost(&path) {
        tracing::error!(
            database = %path.display(),
            "the database's -wal file is missing beside its -shm file: it was not closed \
             cleanly and its write-ahead log is gone, so its newest changes (revisions, \
             accounts) are lost; restore the -wal file or a backup if that matters"
        );
    }
    if path != Path::new(":memory:") && !path.as_os_str().is_empty() {
        create_private(&path).map_err(|source| DbError::Create {
            path: path.display().to_string(),
            source,
        })?;
    }
    let options = options
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT);
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        // A connection to a local file does not go stale the way a network one does, and
        // a ping is a round trip to the connection's worker thread: one more on every query
        // (-20% pages/s at 16 connections, BENCHMARKS.md). A broken transaction state, the
        // one thing that does spoil a connection here, is checked on release instead.
        .test_before_acquire(false)
        .after_release(|conn, _| Box::pin(still_usable(conn)))
        .connect_with(options)
        .await
        .map_err(|source| DbError::Open {
            url: url.into(),
            source,
        })?;
    check_integrity(&pool, url).await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok(pool)
}

/// How long a statement waits for another process's lock before "database is locked".
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Set how long statements on `conn` wait for a lock (SQLite's busy handler), to the
/// millisecond; zero fails at once. A save sets what is left of its deadline, then puts
/// [`BUSY_TIMEOUT`] back.
pub async fn set_busy_timeout(
    conn: &mut sqlx::SqliteConnection,
    wait: Duration,
) -> Result<(), sqlx::Error> {
    // PRAGMA takes no bound parameters; the value is a number we made.
    sqlx::query(&format!("PRAGMA busy_timeout = {}", wait.as_millis()))
        .execute(conn)
        .await
        .map(drop)
}

/// Whether a connection handed back to the pool can serve the next caller. SQLite rolls a
/// transaction back by itself when its COMMIT fails for space or I/O; sqlx still counts
/// it as open, its queued ROLLBACK then fails, and every later `begin` on that connection
/// fails ("non-zero transaction depth") until a restart (issue 12, item 16). Such a
/// connection is closed instead of reused. Checked only when sqlx counts a transaction
/// open, so the common path costs nothing.
async fn still_usable(conn: &mut sqlx::SqliteConnection) -> Result<bool, sqlx::Error> {
    use sqlx::Connection;
    if !conn.is_in_transaction() {
        return Ok(true);
    }
    // A dropped transaction's ROLLBACK is queued on the connection: let it run first.
    conn.ping().await?;
    let usable = !conn.is_in_transaction();
    if !usable {
        tracing::warn!("closing a database connection left inside a failed transaction");
    }
    Ok(usable)
}

/// The database file behind `pool`, if it is a file (not `:memory:`).
pub fn file_path(pool: &SqlitePool) -> Option<std::path::PathBuf> {
    let path = pool.connect_options().get_filename().to_path_buf();
    (path.as_os_str() != ":memory:" && !path.as_os_str().is_empty()).then_some(path)
}

/// What an admin can do about a database error, for the ones that have a cause outside
/// the program (disk full, another process holding the lock, read-only storage).
pub fn explain(e: &sqlx::Error) -> Option<Text> {
    let code = e.as_database_error()?.code()?;
    // SQLite's primary result code is the low byte of the extended one.
    let primary = code.parse::<i32>().ok()? & 0xff;
    Some(match primary {
        5 | 6 => crate::locale::text("server-db-the-database-is-locked-by-another", &[]),
        8 => crate::locale::text("server-db-the-database-is-read-only-check", &[]),
        10 => crate::locale::text("server-db-the-database-could-not-be-read", &[]),
        13 => crate::locale::text("server-db-the-disk-holding-the-database-is", &[]),
        _ => return None,
    })
}

/// Whether the database at `path` lost its write-ahead log: a clean close removes both the
/// `-wal` and the `-shm` file, a crash leaves both; a `-shm` alone means the `-wal` (and
/// whatever it held that was not yet checkpointed) was deleted or lost. SQLite itself
/// would open the database without a word.
fn wal_lost(path: &Path) -> bool {
    let beside = |suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        std::path::PathBuf::from(name)
    };
    path.is_file() && beside("-shm").exists() && !beside("-wal").exists()
}

/// Create the database file with mode 0600 if it is missing, and tighten it if it exists.
fn create_private(path: &Path) -> std::io::Result<()> {
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o600))
}

/// Refuse to run over a damaged database rather than silently start empty. The full
/// `integrity_check` (the README's promise): unlike `quick_check` it also finds an index
/// that disagrees with its table. The database is small; it takes milliseconds.
async fn check_integrity(pool: &SqlitePool, url: &str) -> Result<(), DbError> {
    let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check")
        .fetch_all(pool)
        .await
        .map_err(|e| DbError::Corrupt {
            url: url.into(),
            detail: e.to_string(),
        })?;
    match rows.as_slice() {
        [(ok,)] if ok == "ok" => Ok(()),
        _ => Err(DbError::Corrupt {
            url: url.into(),
            detail: rows
                .into_iter()
                .map(|r| r.0)
                .take(3)
                .collect::<Vec<_>>()
                .join("; "),
        }),
    }
}

/// Connections kept aside for the reads every signed-in page makes (its session, the
/// current revision). A query through the pool costs two trips to the connection's SQLite
/// worker thread and a task: the query, then the ping sqlx sends when the connection goes
/// back. On a kept connection it is one trip — the cost that decides pages per second here
/// (BENCHMARKS.md). Nothing is remembered: each statement runs on its own and sees the
/// newest commit of any process, as through the pool. They are opened read-only, on first
/// use, with the pool's options, so they can never hold a write lock or a transaction.
#[derive(Debug)]
pub struct Readers {
    pool: SqlitePool,
    slots: Box<[Slot]>,
    next: std::sync::atomic::AtomicUsize,
}

/// A connection opened on first use; `None` once [`Readers::close`] has closed it.
type Slot = tokio::sync::OnceCell<tokio::sync::Mutex<Option<sqlx::SqliteConnection>>>;

/// A kept connection, held for one read.
pub type Reader<'a> = tokio::sync::MappedMutexGuard<'a, sqlx::SqliteConnection>;

impl Readers {
    /// `count` connections beside `pool`, opened when first needed.
    pub fn new(pool: SqlitePool, count: usize) -> Readers {
        Readers {
            pool,
            slots: (0..count.max(1)).map(|_| Slot::new()).collect(),
            next: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// A free connection, else the next one in turn once it is free.
    pub async fn get(&self) -> Result<Reader<'_>, sqlx::Error> {
        use std::sync::atomic::Ordering;
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let n = self.slots.len();
        let free = (0..n).find_map(|i| self.slots[(start + i) % n].get()?.try_lock().ok());
        let held = match free {
            Some(held) => held,
            None => {
                let slot = self.slots[start % n]
                    .get_or_try_init(|| async {
                        use sqlx::ConnectOptions;
                        let options = (*self.pool.connect_options()).clone().read_only(true);
                        let conn = options.connect().await?;
                        Ok::<_, sqlx::Error>(tokio::sync::Mutex::new(Some(conn)))
                    })
                    .await?;
                slot.lock().await
            }
        };
        tokio::sync::MutexGuard::try_map(held, Option::as_mut).map_err(|_| sqlx::Error::PoolClosed)
    }

    /// Close every kept connection, waiting for reads in progress. Done before the pool is
    /// closed at a clean stop: the last connection to close checkpoints the WAL into the
    /// database file, and a read-only one cannot, so it must not be the last.
    pub async fn close(&self) {
        for slot in self.slots.iter() {
            if let Some(held) = slot.get() {
                if let Some(conn) = held.lock().await.take() {
                    use sqlx::Connection;
                    if let Err(e) = conn.close().await {
                        tracing::warn!(error = %e, "could not close a read connection");
                    }
                }
            }
        }
    }
}

/// For migration tests: an in-memory database migrated only up to (not including) the
/// migration whose file name starts with `before`, e.g. `"0009"`; the caller inserts rows
/// as an older release wrote them, then runs every migration.
#[cfg(test)]
pub async fn migrated_before(before: &str) -> (SqlitePool, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let all = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    for entry in std::fs::read_dir(&all).expect("the migrations") {
        let path = entry.expect("a migration").path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if name.as_str() < before {
            std::fs::copy(&path, dir.path().join(&name)).expect("a copy");
        }
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect("sqlite::memory:")
        .await
        .expect("an in-memory database");
    sqlx::migrate::Migrator::new(dir.path())
        .await
        .expect("the older migrations")
        .run(&pool)
        .await
        .expect("migrated");
    (pool, dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_read_only_database_is_explained_in_both_languages() {
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .unwrap();
        sqlx::query("PRAGMA query_only = 1")
            .execute(&pool)
            .await
            .unwrap();
        let e = sqlx::query("CREATE TABLE t (x)")
            .execute(&pool)
            .await
            .unwrap_err();
        let why = explain(&e).expect("a read-only database is explained");
        assert!(why.en.starts_with("the database is read-only"), "{why}");
        let id = "server-db-the-database-is-read-only-check";
        assert_eq!(
            why.zh_cn,
            crate::locale::message(crate::locale::Lang::ZhCn, id, &[])
        );
        assert_ne!(why.zh_cn, why.en, "the Chinese page says it in Chinese");
    }

    #[test]
    fn a_shm_file_without_its_wal_means_the_log_was_lost() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("fmc.db");
        assert!(!wal_lost(&db), "no database yet");
        fs::write(&db, b"").unwrap();
        assert!(!wal_lost(&db), "closed cleanly");
        fs::write(dir.path().join("fmc.db-shm"), b"").unwrap();
        fs::write(dir.path().join("fmc.db-wal"), b"").unwrap();
        assert!(!wal_lost(&db), "crashed, log intact");
        fs::remove_file(dir.path().join("fmc.db-wal")).unwrap();
        assert!(wal_lost(&db));
    }

    #[tokio::test]
    async fn kept_readers_see_every_commit_at_once_and_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        let url = dir.path().join("fmc.db").display().to_string();
        let pool = connect(&url).await.unwrap();
        // Another process's pool: its commits are what the readers must see.
        let other = connect(&url).await.unwrap();
        let readers = Readers::new(pool.clone(), 2);
        let count = |n: &'static str| {
            let readers = &readers;
            async move {
                let mut reader = readers.get().await.unwrap();
                let (c,): (i64,) = sqlx::query_as(&format!("SELECT count(*) FROM {n}"))
                    .fetch_one(&mut *reader)
                    .await
                    .unwrap();
                c
            }
        };
        assert_eq!(count("users").await, 0);
        sqlx::query("INSERT INTO users (username, password_hash, created_at, updated_at) VALUES ('a', 'x', '', '')")
            .execute(&other)
            .await
            .unwrap();
        for _ in 0..4 {
            assert_eq!(count("users").await, 1, "each kept connection reads anew");
        }
        let mut reader = readers.get().await.unwrap();
        let refused = sqlx::query("DELETE FROM users")
            .execute(&mut *reader)
            .await
            .unwrap_err();
        assert!(refused.to_string().contains("readonly"), "{refused}");
        drop(reader);
        readers.close().await;
        assert!(readers.get().await.is_err(), "closed for good");
        // The pool is now the last to close: the WAL goes back into the file.
        pool.close().await;
        other.close().await;
        // The last connection's worker thread checkpoints and deletes the WAL as it
        // closes, a moment after close() returns.
        let wal = dir.path().join("fmc.db-wal");
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while wal.exists() && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(!wal.exists(), "a clean close leaves no WAL");
    }
}
