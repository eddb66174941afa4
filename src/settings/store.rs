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
    /// revision is still `base` (0 = none yet). The proxy file is written before the commit
    /// and the transaction rolls back if it cannot be; if the commit itself fails the file
    /// is put back as it was.
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
        // IMMEDIATE takes the write lock now, waiting out the busy timeout for it; a deferred
        // transaction would read first and then fail at once on upgrading to a writer.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let current: Option<Revision> =
            sqlx::query_as::<_, RevisionRow>(&format!("{SELECT} ORDER BY id DESC LIMIT 1"))
                .fetch_optional(&mut *tx)
                .await?
                .map(Revision::from);
        self.remember(Some(current.clone()));
        let current_id = current.as_ref().map_or(0, |r| r.id);
        if current_id != base {
            return Ok(SaveOutcome::Stale { current });
        }
        let old = current.map(|r| r.config).unwrap_or_default();
        let new = edit(&old);
        let revision = Revision {
            id: current_id + 1,
            created_at: now_rfc3339(),
            actor: actor.to_owned(),
            changes: new.changes_from(&old),
            config: new,
            rollback_of,
        };
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
        let changes = crate::audit::describe_changes(&revision.changes);
        let (action, detail) = match rollback_of {
            Some(target) => (
                "rollback",
                format!(
                    "revision {} restores revision {target}: {changes}",
                    revision.id
                ),
            ),
            None => ("save", format!("revision {}: {changes}", revision.id)),
        };
        crate::audit::insert(
            &mut *tx,
            actor,
            address,
            action,
            crate::audit::Detail {
                en: &detail,
                zh_cn: Some(&crate::audit::revision_detail_zh(
                    revision.id,
                    rollback_of,
                    &revision.changes,
                )),
            },
        )
        .await?;

        self.sync_file(&revision.config).await?;
        if let Err(e) = tx.commit().await {
            self.remember(None); // unknown now: read it again next time
            if let Err(restore) = self.sync_file(&old).await {
                tracing::error!(error = %restore, "could not restore the proxy file after a failed commit");
            }
            return Err(e.into());
        }
        self.remember(Some(Some(revision.clone())));
        Ok(SaveOutcome::Saved(revision))
    }

    /// Make the proxy file agree with the current revision (at start-up).
    pub async fn sync_file_with_database(&self) -> Result<(), SaveError> {
        let _writer = self.writer.lock().await;
        let config = self.current().await?.map(|r| r.config).unwrap_or_default();
        self.sync_file(&config).await
    }

    async fn sync_file(&self, config: &ProxyConfig) -> Result<(), SaveError> {
        let path = self.conf_path.clone();
        let config = config.clone();
        let result = tokio::task::spawn_blocking(move || conf_file::sync(&path, &config))
            .await
            .unwrap_or_else(|join| Err(std::io::Error::other(join.to_string())));
        result.map_err(|source| SaveError::File {
            path: self.conf_path.clone(),
            source,
        })
    }
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
