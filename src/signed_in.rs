//! What every signed-in request reads first, in one statement: who is asking (the session)
//! and what is stored now (the newest revision). A statement is one trip to SQLite's worker
//! thread, and that trip, not SQLite's work, is what decides how many pages a second the
//! server gives (BENCHMARKS.md). Nothing is kept between requests: each one reads anew.

use std::sync::LazyLock;

use sqlx::Row;

use crate::auth::sessions::{self, Session, SessionPolicy};
use crate::settings::store::{self, Revision, Store};
use crate::tests_log::{self, Brief};

/// The newest revision, read in the same statement as the request's session.
#[derive(Clone, Debug)]
pub struct Current(pub Option<Revision>);

/// The page's Recent tests, read in the same statement when the request is for the page.
#[derive(Clone, Debug)]
pub struct Recent(pub Vec<Brief>);

/// What a request reads first: the session and the newest revision, and for the page also
/// its Recent tests (one JSON value: a second statement would be a second trip).
fn statement(with_recent: bool) -> String {
    let recent = if with_recent {
        format!(
            ", ({}) AS recent",
            tests_log::packed_recent(&tests_log::RECENT.to_string())
        )
    } else {
        String::new()
    };
    format!(
        "SELECT {}, {}{recent} FROM {} {} WHERE {}",
        sessions::COLUMNS,
        store::CURRENT_COLUMNS,
        sessions::FROM,
        store::CURRENT_JOIN,
        sessions::WHERE
    )
}

static STATEMENT: LazyLock<String> = LazyLock::new(|| statement(false));
static PAGE_STATEMENT: LazyLock<String> = LazyLock::new(|| statement(true));

/// The live session of the cookie `token` and the newest revision (and, `for_page`, the
/// Recent tests); none when the session is unknown or has expired (an expired one is
/// deleted).
pub async fn read(
    store: &Store,
    token: &str,
    policy: SessionPolicy,
    for_page: bool,
) -> Result<Option<(Session, Current, Option<Recent>)>, sqlx::Error> {
    let statement = if for_page {
        &PAGE_STATEMENT
    } else {
        &STATEMENT
    };
    let row = {
        // Given back before anything else is awaited: the handler's reads take one again.
        let mut reader = store.readers().get().await?;
        sqlx::query(statement.as_str())
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
    // A history that does not read never keeps the admin from the page: it is logged and
    // the page reads (and logs) it again, showing none.
    let recent = for_page
        .then(|| row.try_get::<String, _>("recent"))
        .transpose()?
        .and_then(|packed| match tests_log::unpack_briefs(&packed) {
            Ok(briefs) => Some(Recent(briefs)),
            Err(e) => {
                tracing::error!(error = %e, "could not read the test history");
                None
            }
        });
    Ok(Some((session, Current(store.current_in(&row)?), recent)))
}
