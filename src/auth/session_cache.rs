//! Sessions as last read from the database, kept until the database changes.
//!
//! Checking the session is most of the cost of a page load (a query through SQLite's
//! worker thread). The database is the truth, and other processes may change it (`fmc-mgmt
//! admin set-password` ends a user's sessions), so a cached session is trusted only while
//! the database files are exactly as they were when it was read: any commit, by anyone,
//! changes the WAL's size or modification time and empties the cache. Under read-only load
//! (page views) nothing commits, so nearly every check is a `stat` of two files. File times
//! are coarse (a few ms), so a change that neither grows the WAL nor moves its time could in
//! principle go unseen; every cached session is re-read after 30 s regardless.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Instant, SystemTime};

use sqlx::SqlitePool;

use super::sessions::{self, Session, SessionPolicy, hash_token, now_unix};

/// A cached session is checked against the database at least this often anyway, which
/// bounds how late the absolute lifetime can be noticed.
const RECHECK_AFTER: std::time::Duration = std::time::Duration::from_secs(30);
const MAX_ENTRIES: usize = 10_000;

type Stamp = Vec<Option<(SystemTime, u64)>>;

#[derive(Debug, Default)]
struct State {
    stamp: Option<Stamp>,
    entries: HashMap<String, (Session, Instant)>,
}

#[derive(Debug)]
pub struct SessionCache {
    /// The database file and its WAL; empty for an in-memory database (no caching).
    files: Vec<PathBuf>,
    state: Mutex<State>,
}

impl SessionCache {
    pub fn new(database: Option<PathBuf>) -> Self {
        let files = database
            .map(|db| vec![db.clone(), PathBuf::from(format!("{}-wal", db.display()))])
            .unwrap_or_default();
        SessionCache {
            files,
            state: Mutex::default(),
        }
    }

    fn stamp(&self) -> Option<Stamp> {
        if self.files.is_empty() {
            return None;
        }
        Some(
            self.files
                .iter()
                .map(|f| {
                    std::fs::metadata(f)
                        .ok()
                        .and_then(|m| Some((m.modified().ok()?, m.len())))
                })
                .collect(),
        )
    }

    /// The live session for `token`, from memory when the database has not changed.
    pub async fn lookup(
        &self,
        pool: &SqlitePool,
        token: &str,
        policy: SessionPolicy,
    ) -> Result<Option<Session>, sqlx::Error> {
        let key = hash_token(token);
        let stamp = self.stamp();
        {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            if stamp.is_none() || state.stamp != stamp {
                state.entries.clear();
                state.stamp.clone_from(&stamp);
            }
            if let Some((session, read_at)) = state.entries.get(&key) {
                let idle = now_unix() - session.last_seen > policy.idle.as_secs() as i64;
                if !idle && read_at.elapsed() < RECHECK_AFTER {
                    return Ok(Some(session.clone()));
                }
                state.entries.remove(&key);
            }
        }
        let found = sessions::lookup(pool, token, policy).await?;
        if let Some(session) = &found {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            // Only if nothing changed since the stamp was taken before the query.
            if stamp.is_some() && state.stamp == stamp {
                if state.entries.len() >= MAX_ENTRIES {
                    state.entries.clear();
                }
                state.entries.insert(key, (session.clone(), Instant::now()));
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn db() -> (tempfile::TempDir, SqlitePool, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fmc.db");
        let pool = crate::db::connect(path.to_str().unwrap()).await.unwrap();
        (dir, pool, path)
    }

    #[tokio::test]
    async fn a_session_ended_by_another_connection_is_noticed_at_once() {
        let (_dir, pool, path) = db().await;
        crate::auth::users::set_password(&pool, "admin", &crate::secret::Secret::new("x-Passw0rd"))
            .await
            .unwrap();
        let token = sessions::create(&pool, 1).await.unwrap();
        let cache = SessionCache::new(Some(path.clone()));
        let policy = SessionPolicy::default();
        assert!(cache.lookup(&pool, &token, policy).await.unwrap().is_some());
        assert!(
            cache.lookup(&pool, &token, policy).await.unwrap().is_some(),
            "now from memory"
        );

        // Another process (its own connection) deletes every session.
        let other = SqlitePool::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        sqlx::query("DELETE FROM sessions")
            .execute(&other)
            .await
            .unwrap();
        assert!(cache.lookup(&pool, &token, policy).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn an_in_memory_database_is_never_cached() {
        let cache = SessionCache::new(None);
        assert!(cache.stamp().is_none());
    }
}
