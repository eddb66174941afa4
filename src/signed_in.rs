//! What every signed-in request reads first, in one statement: who is asking (the session)
//! and what is stored now (the newest revision). A statement is one trip to SQLite's worker
//! thread, and that trip, not SQLite's work, is what decides how many pages a second the
//! server gives (BENCHMARKS.md). Nothing is kept between requests: each one reads anew.

use std::sync::LazyLock;

use crate::auth::sessions::{self, Session, SessionPolicy};
use crate::settings::store::{self, Revision, Store};

/// The newest revision, read in the same statement as the request's session.
#[derive(Clone, Debug)]
pub struct Current(pub Option<Revision>);

static STATEMENT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {}, {} FROM {} {} WHERE {}",
        sessions::COLUMNS,
        store::CURRENT_COLUMNS,
        sessions::FROM,
        store::CURRENT_JOIN,
        sessions::WHERE
    )
});

/// The live session of the cookie `token` and the newest revision; none when the session
/// is unknown or has expired (an expired one is deleted).
pub async fn read(
    store: &Store,
    token: &str,
    policy: SessionPolicy,
) -> Result<Option<(Session, Current)>, sqlx::Error> {
    let row = {
        // Given back before anything else is awaited: the handler's reads take one again.
        let mut reader = store.readers().get().await?;
        sqlx::query(STATEMENT.as_str())
            .bind(sessions::key(token))
            .fetch_optional(&mut *reader)
            .await?
    };
    let Some(row) = row else {
        return Ok(None);
    };
    let Some(session) = sessions::read(store.pool(), &row, policy).await? else {
        return Ok(None);
    };
    Ok(Some((session, Current(store.current_in(&row)?))))
}
