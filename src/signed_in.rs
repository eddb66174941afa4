//! What every signed-in request reads first, in one statement: who is asking (the session)
//! and what is stored now (the newest revision). A statement is one trip to SQLite's worker
//! thread, and that trip, not SQLite's work, is what decides how many pages a second the
//! server gives (BENCHMARKS.md). So requests that arrive while a trip is under way wait for
//! the next one and share it: one task reads for every request waiting, up to
//! [`MAX_ASKED`] sessions in one statement. Nothing is kept between requests: each is
//! answered by a statement that ran after it arrived, so it sees every commit made before.

use std::sync::{Arc, LazyLock};

use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use tokio::sync::{mpsc, oneshot};

use crate::auth::sessions::{self, Session, SessionPolicy};
use crate::settings::store::{self, Revision, Store};
use crate::tests_log::{self, Brief};

/// The newest revision, read in the same statement as the request's session.
#[derive(Clone, Debug)]
pub struct Current(pub Option<Revision>);

/// The page's Recent tests, read in the same statement when the request is for the page.
#[derive(Clone, Debug)]
pub struct Recent(pub Vec<Brief>);

/// The most sessions one statement reads. Under load the requests waiting at once are about
/// as many as the connections being served; a statement per size is prepared and kept on
/// each reader, so the bound also bounds that.
pub const MAX_ASKED: usize = 32;

/// The statement for `asked` cookies (numbered from 0 in `asked.n`): each one's session,
/// with the newest revision, and with the Recent tests when a page asked (one JSON value:
/// a second statement would be a second trip). A cookie of no session has no row.
fn statement(asked: usize, with_recent: bool) -> String {
    let recent = if with_recent {
        format!(
            ", ({}) AS recent",
            tests_log::packed_recent(&tests_log::RECENT.to_string())
        )
    } else {
        String::new()
    };
    let values: Vec<String> = (0..asked).map(|n| format!("({n}, ?)")).collect();
    // CROSS JOIN keeps the asked cookies as the outer loop: one look-up on the sessions'
    // key each.
    format!(
        "WITH asked(n, key) AS (VALUES {}) \
         SELECT asked.n AS asked, {}, {}{recent} \
         FROM asked CROSS JOIN {} {} WHERE {} = asked.key",
        values.join(", "),
        sessions::COLUMNS,
        store::CURRENT_COLUMNS,
        sessions::FROM,
        store::CURRENT_JOIN,
        sessions::KEY,
    )
}

/// [`statement`] for 1 to [`MAX_ASKED`] cookies, without and with the Recent tests.
static STATEMENTS: LazyLock<[Vec<String>; 2]> = LazyLock::new(|| {
    [false, true].map(|with_recent| {
        (1..=MAX_ASKED)
            .map(|asked| statement(asked, with_recent))
            .collect()
    })
});

/// One request's question: the session key of its cookie, and whether it is the page.
struct Ask {
    key: String,
    for_page: bool,
    answer: oneshot::Sender<Result<Option<SqliteRow>, Failed>>,
}

/// Why a read failed. One statement's error is every waiting request's answer, so it is
/// shared, whole: the page still says what it means (a locked or unreadable database,
/// crate::db::explain).
pub type Failed = Arc<sqlx::Error>;

/// Where signed-in requests ask; the task that answers them lives as long as this does.
#[derive(Debug)]
pub struct SignedIn {
    asks: mpsc::Sender<Ask>,
}

impl SignedIn {
    /// Start answering on `store`'s kept readers. Needs a Tokio runtime.
    pub fn start(store: Store) -> SignedIn {
        let (asks, waiting) = mpsc::channel(1024);
        tokio::spawn(serve(store, waiting));
        SignedIn { asks }
    }

    /// The live session of the cookie `token` and the newest revision (and, `for_page`,
    /// the Recent tests); none when the session is unknown or has expired (an expired one
    /// is deleted).
    pub async fn read(
        &self,
        store: &Store,
        token: &str,
        policy: SessionPolicy,
        for_page: bool,
    ) -> Result<Option<(Session, Current, Option<Recent>)>, Failed> {
        let (answer, answered) = oneshot::channel();
        let ask = Ask {
            key: sessions::key(token),
            for_page,
            answer,
        };
        let row = match self.asks.send(ask).await {
            Ok(()) => answered.await.unwrap_or_else(|_| Err(stopped())),
            Err(mpsc::error::SendError(_)) => Err(stopped()),
        }?;
        let Some(row) = row else {
            return Ok(None);
        };
        let Some(session) = sessions::read(store.pool(), &row, policy).await? else {
            return Ok(None);
        };
        let recent = for_page.then(|| recent(&row)).flatten();
        Ok(Some((session, Current(store.current_in(&row)?), recent)))
    }
}

fn stopped() -> Failed {
    Arc::new(sqlx::Error::WorkerCrashed)
}

/// The page's Recent tests in `row`. A history that does not read never keeps the admin
/// from the page: it is logged and the page reads (and logs) it again, showing none.
fn recent(row: &SqliteRow) -> Option<Recent> {
    let packed = match row.try_get::<String, _>("recent") {
        Ok(packed) => packed,
        Err(e) => {
            tracing::error!(error = %e, "could not read the test history");
            return None;
        }
    };
    match tests_log::unpack_briefs(&packed) {
        Ok(briefs) => Some(Recent(briefs)),
        Err(e) => {
            tracing::error!(error = %e, "could not read the test history");
            None
        }
    }
}

/// Answer every request waiting, one statement for up to [`MAX_ASKED`] of them, until the
/// last [`SignedIn`] is gone.
async fn serve(store: Store, mut waiting: mpsc::Receiver<Ask>) {
    let mut asks = Vec::with_capacity(MAX_ASKED);
    while waiting.recv_many(&mut asks, MAX_ASKED).await > 0 {
        let rows = read_rows(&store, &asks).await;
        answer(asks.drain(..), rows);
    }
}

/// One statement for `asks` (1 to [`MAX_ASKED`]).
async fn read_rows(store: &Store, asks: &[Ask]) -> Result<Vec<SqliteRow>, sqlx::Error> {
    let with_recent = asks.iter().any(|a| a.for_page);
    let statement = &STATEMENTS[usize::from(with_recent)][asks.len() - 1];
    let mut query = sqlx::query(statement);
    for ask in asks {
        query = query.bind(ask.key.as_str());
    }
    let mut reader = store.readers().get().await?;
    query.fetch_all(&mut *reader).await
}

/// Give each ask its row (none: no such session), or each the statement's error.
fn answer(asks: impl ExactSizeIterator<Item = Ask>, rows: Result<Vec<SqliteRow>, sqlx::Error>) {
    let mut found: Vec<Option<SqliteRow>> = (0..asks.len()).map(|_| None).collect();
    let rows = rows.and_then(|rows| {
        for row in rows {
            let n: i64 = row.try_get("asked")?;
            if let Some(slot) = usize::try_from(n).ok().and_then(|n| found.get_mut(n)) {
                *slot = Some(row);
            }
        }
        Ok(())
    });
    let failed = rows.err().map(Arc::new);
    for (ask, row) in asks.zip(found) {
        let said = match &failed {
            Some(failed) => Err(failed.clone()),
            None => Ok(row),
        };
        // A request that went away no longer wants its answer.
        let _ = ask.answer.send(said);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::secret_box::SecretBox;

    async fn store(dir: &tempfile::TempDir) -> Store {
        let pool = crate::db::connect(dir.path().join("fmc.db").to_str().unwrap())
            .await
            .unwrap();
        let sealer = SecretBox::load_or_create(&dir.path().join("secret.key")).unwrap();
        Store::new(pool, dir.path().join("iprep_proxy.conf"), Arc::new(sealer))
    }

    /// A user `name` with one session; its cookie token.
    async fn signed_in_user(store: &Store, name: &str) -> String {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, password_hash, created_at, updated_at) \
             VALUES (?, 'x', 'now', 'now') RETURNING id",
        )
        .bind(name)
        .fetch_one(store.pool())
        .await
        .unwrap();
        sessions::create(store.pool(), id).await.unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn requests_that_share_a_statement_each_get_their_own_session() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir).await;
        let signed_in = Arc::new(SignedIn::start(store.clone()));
        let mut tokens = Vec::new();
        for i in 0..5 {
            tokens.push((
                Some(format!("user{i}")),
                signed_in_user(&store, &format!("user{i}")).await,
            ));
        }
        tokens.push((None, "no-such-session".to_owned()));
        let policy = SessionPolicy::default();
        // More requests at once than one statement reads, pages and others mixed.
        let asks = (0..3 * MAX_ASKED).map(|i| {
            let (signed_in, store) = (signed_in.clone(), store.clone());
            let (user, token) = tokens[i % tokens.len()].clone();
            tokio::spawn(async move {
                let found = signed_in
                    .read(&store, &token, policy, i % 2 == 0)
                    .await
                    .unwrap();
                let got = found
                    .as_ref()
                    .map(|(session, _, _)| session.username.clone());
                assert_eq!(got, user, "request {i}");
                if let Some((_, Current(current), recent)) = found {
                    assert!(current.is_none());
                    assert_eq!(recent.is_some(), i % 2 == 0, "request {i}");
                }
            })
        });
        for ask in asks.collect::<Vec<_>>() {
            ask.await.unwrap();
        }
    }

    #[tokio::test]
    async fn one_statement_answers_each_cookie_with_its_own_row_or_none() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir).await;
        let (ann, bob) = (
            signed_in_user(&store, "ann").await,
            signed_in_user(&store, "bob").await,
        );
        let mut answers = Vec::new();
        let asks: Vec<Ask> = [bob.as_str(), "nobody", ann.as_str(), bob.as_str()]
            .iter()
            .map(|token| {
                let (answer, answered) = oneshot::channel();
                answers.push(answered);
                Ask {
                    key: sessions::key(token),
                    for_page: false,
                    answer,
                }
            })
            .collect();
        let rows = read_rows(&store, &asks).await;
        assert_eq!(rows.as_ref().unwrap().len(), 3, "one row per known cookie");
        answer(asks.into_iter(), rows);
        let mut users = Vec::new();
        for answered in answers {
            let row = answered.await.unwrap().unwrap();
            users.push(row.map(|r| r.get::<String, _>("username")));
        }
        let expected = [Some("bob"), None, Some("ann"), Some("bob")];
        assert_eq!(users, expected.map(|u| u.map(str::to_owned)));
    }

    #[tokio::test]
    async fn a_statement_that_fails_gives_every_request_the_databases_own_error() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir).await;
        let token = signed_in_user(&store, "ann").await;
        sqlx::query("DROP TABLE sessions")
            .execute(store.pool())
            .await
            .unwrap();
        let (asks, answers): (Vec<Ask>, Vec<_>) = (0..3)
            .map(|_| {
                let (answer, answered) = oneshot::channel();
                let key = sessions::key(&token);
                let ask = Ask {
                    key,
                    for_page: true,
                    answer,
                };
                (ask, answered)
            })
            .unzip();
        let rows = read_rows(&store, &asks).await;
        answer(asks.into_iter(), rows);
        let mut failed = Vec::new();
        for answered in answers {
            match answered.await.unwrap() {
                Err(e) => failed.push(e),
                Ok(_) => panic!("a statement over a dropped table answered"),
            }
        }
        // Whole, so the page can still say what it means (crate::db::explain reads its code).
        assert!(failed[0].as_database_error().is_some(), "{:?}", failed[0]);
        assert!(failed.iter().all(|f| Arc::ptr_eq(f, &failed[0])));
    }

    #[tokio::test]
    async fn a_session_ended_after_one_read_is_refused_on_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir).await;
        let signed_in = SignedIn::start(store.clone());
        let token = signed_in_user(&store, "admin").await;
        let policy = SessionPolicy::default();
        assert!(
            signed_in
                .read(&store, &token, policy, true)
                .await
                .unwrap()
                .is_some()
        );
        sessions::delete(store.pool(), &sessions::key(&token))
            .await
            .unwrap();
        assert!(
            signed_in
                .read(&store, &token, policy, true)
                .await
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn each_size_has_its_statement_with_one_placeholder_per_cookie() {
        for with_recent in [false, true] {
            let statements = &STATEMENTS[usize::from(with_recent)];
            assert_eq!(statements.len(), MAX_ASKED);
            for (i, statement) in statements.iter().enumerate() {
                assert_eq!(statement.matches('?').count(), i + 1, "{statement}");
                assert_eq!(statement.contains("recent"), with_recent);
            }
        }
    }
}
