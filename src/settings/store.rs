//! The revision store: every save is a new numbered revision; the newest is current.
//! Saving also brings iprep_proxy.conf into line, inside the same transaction, so the
//! database and the file change together or not at all.

use std::path::PathBuf;
use std::sync::Arc;

use sqlx::{FromRow, SqlitePool};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::sync::Mutex;

use super::{Change, ProxyConfig, conf_file};
use crate::secret::Secret;

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

#[derive(FromRow)]
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
    changes: String,
    rollback_of: Option<i64>,
}

impl From<RevisionRow> for Revision {
    fn from(r: RevisionRow) -> Self {
        Revision {
            id: r.id,
            created_at: r.created_at,
            actor: r.actor,
            config: ProxyConfig {
                enabled: r.enabled,
                host: r.host,
                port: r.port.and_then(|p| u16::try_from(p).ok()),
                use_auth: r.use_auth,
                username: r.username,
                password: r.password.map(Secret::new),
            },
            changes: serde_json::from_str(&r.changes).unwrap_or_default(),
            rollback_of: r.rollback_of,
        }
    }
}

const SELECT: &str = "SELECT id, created_at, actor, enabled, host, port, use_auth, username, \
                      password, changes, rollback_of FROM proxy_revisions";

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

/// The settings store. Clone freely: clones share the pool and the writer lock.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    conf_path: PathBuf,
    /// One writer at a time, so "read current, check revision, insert, write file" is a
    /// single step for everyone in this process.
    writer: Arc<Mutex<()>>,
    /// The current revision once read. The server is the only writer of revisions (the CLI
    /// only reads them), so after the first read it changes only in `save`, which updates
    /// it; every page load is spared a query.
    current: Arc<std::sync::RwLock<Option<Option<Revision>>>>,
}

impl Store {
    pub fn new(pool: SqlitePool, conf_path: PathBuf) -> Self {
        Store {
            pool,
            conf_path,
            writer: Arc::new(Mutex::new(())),
            current: Arc::default(),
        }
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub fn conf_path(&self) -> &std::path::Path {
        &self.conf_path
    }

    #[tracing::instrument(skip(self))]
    pub async fn current(&self) -> Result<Option<Revision>, sqlx::Error> {
        if let Some(cached) = self
            .current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
        {
            return Ok(cached);
        }
        let loaded = load_current(&self.pool).await?;
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(loaded.clone());
        Ok(loaded)
    }

    fn remember(&self, current: Option<Option<Revision>>) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = current;
    }

    #[tracing::instrument(skip(self))]
    pub async fn get(&self, id: i64) -> Result<Option<Revision>, sqlx::Error> {
        let row: Option<RevisionRow> = sqlx::query_as(&format!("{SELECT} WHERE id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(Revision::from))
    }

    /// Newest first.
    #[tracing::instrument(skip(self))]
    pub async fn list(&self, limit: i64) -> Result<Vec<Revision>, sqlx::Error> {
        let rows: Vec<RevisionRow> = sqlx::query_as(&format!("{SELECT} ORDER BY id DESC LIMIT ?"))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(Revision::from).collect())
    }

    /// Save a new revision built by `edit` from the current configuration, if the current
    /// revision is still `base` (0 = none yet). The new proxy file is written and synced
    /// beside the old one while the revision is inserted, put in place before the commit,
    /// and never put in place if the insert fails; if the commit itself fails the old file
    /// is put back.
    #[tracing::instrument(skip(self, edit))]
    pub async fn save(
        &self,
        base: i64,
        actor: &str,
        address: Option<&str>,
        rollback_of: Option<i64>,
        edit: impl FnOnce(&ProxyConfig) -> ProxyConfig,
    ) -> Result<SaveOutcome, SaveError> {
        let _writer = self.writer.lock().await;
        let mut current = self.current().await?;
        if id_of(&current) != base {
            // Memory could be behind another process: only the database can say stale.
            current = load_current(&self.pool).await?;
            self.remember(Some(current.clone()));
            if id_of(&current) != base {
                return Ok(SaveOutcome::Stale { current });
            }
        }
        let old = current.map(|r| r.config).unwrap_or_default();
        let new = edit(&old);
        let revision = Revision {
            id: base + 1,
            created_at: now_rfc3339(),
            actor: actor.to_owned(),
            changes: new.changes_from(&old),
            config: new,
            rollback_of,
        };
        let (staged, inserted) = tokio::join!(
            self.in_blocking({
                let (path, config) = (self.conf_path.clone(), revision.config.clone());
                move || conf_file::stage(&path, &config)
            }),
            self.insert(&revision, actor, address),
        );
        let tx = match inserted {
            Ok(tx) => tx,
            // The id is taken: another process saved since this one last looked.
            Err(e)
                if e.as_database_error()
                    .is_some_and(|d| d.is_unique_violation()) =>
            {
                let current = load_current(&self.pool).await?;
                self.remember(Some(current.clone()));
                return Ok(SaveOutcome::Stale { current });
            }
            Err(e) => return Err(e.into()),
        };
        // On any error from here the transaction rolls back as it is dropped.
        let staged = staged?;
        let placed = self.in_blocking(move || staged.place()).await?;
        // The file is in place: the directory sync that makes it durable and the commit
        // run together, and the save answers only once both are done.
        let (synced, committed) =
            tokio::join!(self.in_blocking(move || placed.sync()), tx.commit());
        if let Err(e) = committed {
            self.remember(None); // unknown now: read it again next time
            if let Err(restore) = self.sync_file(&old).await {
                tracing::error!(error = %restore, "could not restore the proxy file after a failed commit");
            }
            return Err(e.into());
        }
        if let Err(e) = synced {
            // Committed, and the file says so; only its directory entry may not be on disk.
            // Start-up makes the file agree with the database, so a crash loses nothing.
            tracing::error!(error = %e, "the proxy file is in place but its directory could not be synced");
        }
        self.remember(Some(Some(revision.clone())));
        Ok(SaveOutcome::Saved(revision))
    }

    /// Open the write transaction and insert `revision` with its audit entry, uncommitted.
    async fn insert(
        &self,
        revision: &Revision,
        actor: &str,
        address: Option<&str>,
    ) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        // IMMEDIATE takes the write lock now, waiting out the busy timeout for it; a deferred
        // transaction would read first and then fail at once on upgrading to a writer.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query(
            "INSERT INTO proxy_revisions (id, created_at, actor, enabled, host, port, use_auth, \
             username, password, changes, rollback_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(revision.id)
        .bind(&revision.created_at)
        .bind(&revision.actor)
        .bind(revision.config.enabled)
        .bind(&revision.config.host)
        .bind(revision.config.port)
        .bind(revision.config.use_auth)
        .bind(&revision.config.username)
        .bind(revision.config.password.as_ref().map(Secret::expose))
        .bind(serde_json::to_string(&revision.changes).unwrap_or_else(|_| "[]".into()))
        .bind(revision.rollback_of)
        .execute(&mut *tx)
        .await?;

        // The audit entry commits with the revision: one commit (one fsync), and never a
        // save without its entry.
        let (action, detail) =
            crate::audit::revision_entry(revision.id, revision.rollback_of, &revision.changes);
        crate::audit::insert(&mut *tx, actor, address, action, &detail).await?;
        Ok(tx)
    }

    /// Make the proxy file agree with the current revision (at start-up).
    pub async fn sync_file_with_database(&self) -> Result<(), SaveError> {
        let _writer = self.writer.lock().await;
        let config = self.current().await?.map(|r| r.config).unwrap_or_default();
        self.sync_file(&config).await
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
        tokio::task::spawn_blocking(work)
            .await
            .unwrap_or_else(|join| Err(std::io::Error::other(join.to_string())))
            .map_err(|source| SaveError::File {
                path: self.conf_path.clone(),
                source,
            })
    }
}

fn id_of(revision: &Option<Revision>) -> i64 {
    revision.as_ref().map_or(0, |r| r.id)
}

/// The current revision, for callers that only have a pool (the CLI's `--from-config`).
pub async fn load_current(pool: &SqlitePool) -> Result<Option<Revision>, sqlx::Error> {
    let row: Option<RevisionRow> = sqlx::query_as(&format!("{SELECT} ORDER BY id DESC LIMIT 1"))
        .fetch_optional(pool)
        .await?;
    Ok(row.map(Revision::from))
}

pub fn now_rfc3339() -> String {
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(host: &str) -> impl FnOnce(&ProxyConfig) -> ProxyConfig {
        let host = host.to_owned();
        move |old| ProxyConfig {
            enabled: true,
            host: Some(host),
            port: Some(3128),
            ..old.clone()
        }
    }

    async fn store(dir: &tempfile::TempDir) -> Store {
        let db = dir.path().join("fmc.db");
        let pool = crate::db::connect(db.to_str().unwrap()).await.unwrap();
        Store::new(pool, dir.path().join("iprep_proxy.conf"))
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
        // The other process saves revision 2; this store still remembers revision 1.
        saved(
            theirs
                .save(1, "b", None, None, on("two.test"))
                .await
                .unwrap(),
        );
        assert_eq!(ours.current().await.unwrap().map(|r| r.id), Some(first.id));

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
    async fn a_base_newer_than_memory_is_checked_against_the_database() {
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
        let ours = Store::new(pool, conf_dir.join("iprep_proxy.conf"));
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
}
