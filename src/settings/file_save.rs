//! The proxy file's half of a save, on one thread of the blocking pool from start to end,
//! beside the database's half on the async task (crate::settings::store). They meet twice:
//!
//! 1. *written*: the new file is written beside the old one. The commit waits for this, so
//!    a full or read-only disk, which fails the write, fails the save as a whole.
//! 2. *committed*: only a commit that stood puts the file in place (rename, then the
//!    directory's fsync); a save that ends any other way leaves the old file and no temp
//!    file behind (issue 12, items 15 and 20).
//!
//! In between, the file's fsync runs while the rows are inserted and committed: the two
//! waits for the disk overlap instead of adding up (BENCHMARKS.md, "The page and the save
//! back within their targets").

use std::future::Future;
use std::io;
use std::path::PathBuf;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::{ProxyConfig, conf_file};

pub struct FileSave {
    written: oneshot::Receiver<io::Result<()>>,
    committed: oneshot::Sender<()>,
    done: JoinHandle<io::Result<()>>,
}

impl FileSave {
    /// Start writing `config` as the file at `path`; it is put in place only by
    /// [`commit_then_publish`].
    pub fn start(path: PathBuf, config: ProxyConfig) -> Self {
        let (written_tx, written) = oneshot::channel();
        let (committed, committed_rx) = oneshot::channel::<()>();
        let done = tokio::task::spawn_blocking(move || {
            let mut staged = match conf_file::stage(&path, &config) {
                Ok(staged) => staged,
                Err(e) => {
                    let _ = written_tx.send(Err(e));
                    return Ok(());
                }
            };
            let _ = written_tx.send(Ok(()));
            let synced = staged.sync();
            // No word (the sender dropped): the save did not commit. `staged` is dropped
            // here, and its temp file with it.
            if committed_rx.blocking_recv().is_err() {
                return Ok(());
            }
            synced?;
            staged.publish()
        });
        FileSave {
            written,
            committed,
            done,
        }
    }

    /// The new file is written beside the old one (not yet synced, not in place).
    pub async fn written(&mut self) -> io::Result<()> {
        (&mut self.written)
            .await
            .unwrap_or_else(|_| Err(io::Error::other("the file's writer stopped")))
    }
}

/// Commit, and only once that succeeded put the file in place. `Err`: the commit failed;
/// the temp file is gone and the old file was never touched. `Ok(Err)`: committed, but the
/// file could not be synced or put in place.
pub async fn commit_then_publish(
    file: FileSave,
    commit: impl Future<Output = Result<(), sqlx::Error>>,
) -> Result<io::Result<()>, sqlx::Error> {
    let FileSave {
        committed, done, ..
    } = file;
    let outcome = commit.await;
    if outcome.is_ok() {
        let _ = committed.send(());
    } else {
        drop(committed);
    }
    // Waited for either way: a failed save answers only when its temp file is gone.
    let published = joined(done.await);
    outcome.map(|()| published)
}

/// File work's result from the blocking pool; a panic there comes back as an I/O error.
pub fn joined<T>(done: Result<io::Result<T>, tokio::task::JoinError>) -> io::Result<T> {
    done.unwrap_or_else(|join| Err(io::Error::other(join.to_string())))
}

/// The names in `dir`, sorted: what a save left beside the proxy file (tests here and in
/// the store's).
#[cfg(test)]
pub(crate) fn listing(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::fields::{Port, ProxyHost};

    fn endpoint(host: &str, port: u16) -> ProxyConfig {
        ProxyConfig {
            enabled: true,
            host: ProxyHost::parse(host).ok(),
            port: Port::new(port),
            ..ProxyConfig::default()
        }
    }

    #[tokio::test]
    async fn the_file_is_put_in_place_only_after_the_commit_and_never_if_it_fails() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("iprep_proxy.conf");
        conf_file::sync(&path, &endpoint("old.test", 80)).unwrap();
        let read = || std::fs::read_to_string(&path).unwrap();

        let mut file = FileSave::start(path.clone(), endpoint("new.test", 3128));
        file.written().await.unwrap();
        let failed = commit_then_publish(file, async {
            assert!(
                read().contains("old.test"),
                "the file changed before the commit"
            );
            Err(sqlx::Error::Protocol("injected commit failure".into()))
        })
        .await;
        assert!(failed.is_err());
        assert!(
            read().contains("old.test"),
            "a failed commit leaves the old file"
        );
        assert_eq!(
            listing(dir.path()),
            ["iprep_proxy.conf"],
            "and no temp file"
        );

        let mut file = FileSave::start(path.clone(), endpoint("new.test", 3128));
        file.written().await.unwrap();
        assert_eq!(listing(dir.path()).len(), 2, "written beside the old one");
        let done = commit_then_publish(file, async {
            assert!(
                read().contains("old.test"),
                "the file changed before the commit"
            );
            Ok(())
        })
        .await;
        assert!(matches!(done, Ok(Ok(()))), "{done:?}");
        assert!(read().contains("new.test"));
        assert_eq!(listing(dir.path()), ["iprep_proxy.conf"]);
    }

    #[tokio::test]
    async fn a_save_that_ends_before_its_commit_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("iprep_proxy.conf");
        conf_file::sync(&path, &endpoint("old.test", 80)).unwrap();
        let mut file = FileSave::start(path.clone(), endpoint("new.test", 3128));
        file.written().await.unwrap();
        // What a save that fails before its commit does: it drops its half.
        let FileSave {
            done, committed, ..
        } = file;
        drop(committed);
        joined(done.await).unwrap();
        assert_eq!(listing(dir.path()), ["iprep_proxy.conf"]);
        assert!(std::fs::read_to_string(&path).unwrap().contains("old.test"));
    }

    #[tokio::test]
    async fn a_write_that_fails_is_said_before_any_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("iprep_proxy.conf");
        std::fs::create_dir(&path).unwrap();
        let mut file = FileSave::start(path, endpoint("new.test", 3128));
        assert!(file.written().await.is_err());
    }

    #[tokio::test]
    async fn a_file_that_cannot_be_put_in_place_after_the_commit_is_reported_as_committed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("iprep_proxy.conf");
        conf_file::sync(&path, &endpoint("old.test", 80)).unwrap();
        let mut file = FileSave::start(path.clone(), endpoint("new.test", 3128));
        file.written().await.unwrap();
        let placed = commit_then_publish(file, async {
            // Between the commit and the rename, something takes the file's place.
            std::fs::remove_file(&path).unwrap();
            std::fs::create_dir(&path).unwrap();
            Ok(())
        })
        .await;
        assert!(matches!(placed, Ok(Err(_))), "{placed:?}");
        assert_eq!(
            listing(dir.path()),
            ["iprep_proxy.conf"],
            "no temp file left"
        );
    }
}
