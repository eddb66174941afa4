//! The record of every connection test: when, who, the values tested (never the password),
//! the verdict and each report; newest first, at most [`KEEP`] kept. Facts only: the page
//! puts them into words.

use serde::Serialize;
use sqlx::SqlitePool;
use utoipa::ToSchema;

use crate::probe::Report;
use crate::settings::ProxyConfig;

/// Tests kept: the oldest go when a new one is stored past this.
pub const KEEP: i64 = 1000;

/// The proxy values a test used. There is no password field, so none can be stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct TestedValues {
    pub enabled: bool,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub use_auth: bool,
    pub username: Option<String>,
}

impl TestedValues {
    /// The values of `config`, with `enabled` as the form had it (a test probes either way).
    pub fn of(config: &ProxyConfig, enabled: bool) -> TestedValues {
        TestedValues {
            enabled,
            host: config.host.as_ref().map(|h| h.as_str().to_owned()),
            port: config.port.map(|p| p.get()),
            use_auth: config.use_auth,
            username: config.username.as_ref().map(|u| u.as_str().to_owned()),
        }
    }
}

/// One stored test.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct TestRecord {
    pub id: i64,
    /// When it finished (RFC 3339, UTC).
    pub at: String,
    /// The user, `api:<token name>`, or `schedule`.
    pub actor: String,
    pub values: TestedValues,
    /// Every report is `ok`.
    pub ok: bool,
    /// The diagnosis code of the first report that is not `ok` (else of the first report).
    pub code: String,
    pub reports: Vec<Report>,
}

/// The verdict of a test over `reports`: all ok, and the code that says why not.
/// What the list of tests shows of one: whether every target passed, and the code, the
/// (English) summary and the diagnosis facts of the report that decided the verdict: the
/// first that failed, else the first.
struct Verdict<'a> {
    ok: bool,
    code: &'static str,
    summary: &'a str,
    facts: Option<String>,
    url: &'a str,
    curl: &'a str,
}

fn verdict(reports: &[Report]) -> Verdict<'_> {
    let worst = reports.iter().find(|r| !r.ok).or(reports.first());
    Verdict {
        ok: reports.iter().all(|r| r.ok),
        code: worst.map_or("", |r| r.diagnosis.code.as_str()),
        summary: worst.map_or("", |r| r.diagnosis.summary.as_str()),
        facts: worst
            .and_then(|r| r.diagnosis.facts.as_ref())
            .and_then(|f| serde_json::to_string(f).ok()),
        url: worst.map_or("", |r| r.url.as_str()),
        curl: worst.map_or("", |r| r.curl.as_str()),
    }
}

/// Store a finished test and answer its id. A write that fails is logged, not fatal: the
/// admin has the result in hand and it must not be reported as failed.
pub async fn record(
    pool: &SqlitePool,
    actor: &str,
    values: &TestedValues,
    reports: &[Report],
) -> Option<i64> {
    insert(pool, KEEP, actor, values, reports)
        .await
        .inspect_err(
            |e| tracing::error!(error = %e, "could not store the test in the test history"),
        )
        .ok()
}

/// Store a test and drop all but the newest `keep`, in one transaction.
pub async fn insert(
    pool: &SqlitePool,
    keep: i64,
    actor: &str,
    values: &TestedValues,
    reports: &[Report],
) -> Result<i64, sqlx::Error> {
    let verdict = verdict(reports);
    let json = serde_json::to_string(reports).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let mut tx = pool.begin().await?;
    let id = sqlx::query(
        "INSERT INTO proxy_tests (at, actor, enabled, host, port, use_auth, username, ok, code, \
         summary, facts, url, curl, targets, reports) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(crate::clock::now_rfc3339())
    .bind(actor)
    .bind(values.enabled)
    .bind(&values.host)
    .bind(values.port)
    .bind(values.use_auth)
    .bind(&values.username)
    .bind(verdict.ok)
    .bind(verdict.code)
    .bind(verdict.summary)
    .bind(verdict.facts)
    .bind(verdict.url)
    .bind(verdict.curl)
    .bind(reports.len() as i64)
    .bind(json)
    .execute(&mut *tx)
    .await?
    .last_insert_rowid();
    sqlx::query(
        "DELETE FROM proxy_tests WHERE id NOT IN \
         (SELECT id FROM proxy_tests ORDER BY id DESC LIMIT ?)",
    )
    .bind(keep)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

type Row = (
    i64,
    String,
    String,
    bool,
    Option<String>,
    Option<u16>,
    bool,
    Option<String>,
    bool,
    String,
    String,
);

/// One line of the page's list of recent tests: no reports to parse, only the summary
/// of the report that decided the verdict (its English, as a report read back says it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Brief {
    pub at: String,
    pub actor: String,
    pub host: Option<String>,
    pub port: Option<i64>,
    pub ok: bool,
    pub code: String,
    /// The English summary, for tests stored without `facts` (and the English page).
    pub summary: String,
    /// The deciding report's diagnosis facts (JSON), to say the summary in another language.
    pub facts: Option<String>,
    /// The deciding report's URL and curl line, and how many targets the test probed.
    pub url: String,
    pub curl: String,
    pub targets: i64,
}

/// The newest `limit` tests as [`Brief`]s, in one statement (the page reads them on every
/// load: short columns only, never the stored reports). SQLite packs them into one row of
/// JSON: sqlx hands each row across from its worker thread on its own, and on the page's hot
/// path those hand-offs cost more than parsing the JSON here.
pub async fn recent(
    db: impl sqlx::SqliteExecutor<'_>,
    limit: i64,
) -> Result<Vec<Brief>, sqlx::Error> {
    let packed: String = sqlx::query_scalar(&packed_recent("?"))
        .bind(limit)
        .fetch_one(db)
        .await?;
    unpack_briefs(&packed).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// Tests the page lists under Recent tests.
pub const RECENT: i64 = 20;

/// The statement that packs the newest `limit` tests into one JSON array (one row, one
/// column; `limit` is SQL: a number or `?`), for [`recent`] and for the page's signed-in
/// statement (src/signed_in.rs), which reads them in the same trip. The array's order is
/// not SQL's to promise, so each line carries its id and [`unpack_briefs`] sorts (an
/// `ORDER BY` inside the aggregate would build a temporary index on every page load).
pub fn packed_recent(limit: &str) -> String {
    format!(
        "SELECT json_group_array(json_array(id, at, actor, host, port, ok, code, summary, \
         facts, url, curl, targets)) \
         FROM (SELECT * FROM proxy_tests ORDER BY id DESC LIMIT {limit})"
    )
}

/// One packed line of [`recent`], in its column order.
type PackedBrief = (
    i64,
    String,
    String,
    Option<String>,
    Option<i64>,
    i64,
    String,
    String,
    Option<String>,
    String,
    String,
    i64,
);

/// The [`Brief`]s of a [`packed_recent`] value, newest first.
pub fn unpack_briefs(packed: &str) -> Result<Vec<Brief>, serde_json::Error> {
    let mut rows: Vec<PackedBrief> = serde_json::from_str(packed)?;
    rows.sort_unstable_by_key(|row| std::cmp::Reverse(row.0));
    Ok(rows
        .into_iter()
        .map(
            |(_, at, actor, host, port, ok, code, summary, facts, url, curl, targets)| Brief {
                at,
                actor,
                host,
                port,
                ok: ok != 0,
                code,
                summary,
                facts,
                url,
                curl,
                targets,
            },
        )
        .collect())
}

/// The newest `limit` tests, newest first. A report that no longer reads (a future
/// format) is left out of its test rather than failing the list.
pub async fn list(pool: &SqlitePool, limit: i64) -> Result<Vec<TestRecord>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, at, actor, enabled, host, port, use_auth, username, ok, code, reports \
         FROM proxy_tests ORDER BY id DESC LIMIT ?",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(from_row).collect())
}

/// The test `id`, if the history still has it.
pub async fn get(pool: &SqlitePool, id: i64) -> Result<Option<TestRecord>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, at, actor, enabled, host, port, use_auth, username, ok, code, reports \
         FROM proxy_tests WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(from_row))
}

fn from_row(row: Row) -> TestRecord {
    let (id, at, actor, enabled, host, port, use_auth, username, ok, code, reports) = row;
    let reports = serde_json::from_str(&reports).unwrap_or_else(|e| {
        tracing::warn!(id, error = %e, "a stored test's reports do not read");
        Vec::new()
    });
    TestRecord {
        id,
        at,
        actor,
        values: TestedValues {
            enabled,
            host,
            port,
            use_auth,
            username,
        },
        ok,
        code,
        reports,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn pool() -> (tempfile::TempDir, SqlitePool) {
        let dir = tempfile::tempdir().unwrap();
        let pool = crate::db::connect(dir.path().join("t.db").to_str().unwrap())
            .await
            .unwrap();
        (dir, pool)
    }

    fn values(host: &str) -> TestedValues {
        TestedValues {
            enabled: true,
            host: Some(host.to_owned()),
            port: Some(3128),
            use_auth: true,
            username: Some("u".to_owned()),
        }
    }

    #[tokio::test]
    async fn keeps_the_newest_up_to_the_cap_newest_first() {
        let (_dir, pool) = pool().await;
        for i in 0..5 {
            insert(&pool, 3, "admin", &values(&format!("h{i}")), &[])
                .await
                .unwrap();
        }
        let hosts: Vec<_> = list(&pool, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.values.host.unwrap())
            .collect();
        assert_eq!(hosts, ["h4", "h3", "h2"]);
    }

    #[test]
    fn briefs_come_newest_first_whatever_order_sqlite_packed_them_in() {
        let line = |id: i64| {
            let host = format!("h{id}");
            serde_json::json!([
                id, "at", "admin", host, 3128, 1, "ok", "s", null, "u", "c", 1
            ])
        };
        let packed = serde_json::json!([line(2), line(17), line(5)]).to_string();
        let hosts: Vec<_> = unpack_briefs(&packed)
            .unwrap()
            .into_iter()
            .map(|b| b.host.unwrap())
            .collect();
        assert_eq!(hosts, ["h17", "h5", "h2"]);
    }

    #[tokio::test]
    async fn recent_reads_the_newest_tests_newest_first() {
        let (_dir, pool) = pool().await;
        for i in 0..4 {
            insert(&pool, 10, "admin", &values(&format!("h{i}")), &[])
                .await
                .unwrap();
        }
        let hosts: Vec<_> = recent(&pool, 3)
            .await
            .unwrap()
            .into_iter()
            .map(|b| b.host.unwrap())
            .collect();
        assert_eq!(hosts, ["h3", "h2", "h1"]);
    }

    #[tokio::test]
    async fn a_stored_test_reads_back_as_written() {
        let (_dir, pool) = pool().await;
        let id = insert(&pool, KEEP, "api:ci", &values("p"), &[])
            .await
            .unwrap();
        let got = list(&pool, 1).await.unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(get(&pool, id).await.unwrap().as_ref(), got.first());
        assert_eq!(get(&pool, id + 1).await.unwrap(), None, "an unknown id");
        assert_eq!((got[0].id, got[0].actor.as_str()), (id, "api:ci"));
        assert_eq!(got[0].values, values("p"));
        assert!(got[0].ok, "no failing report");
        assert_eq!(got[0].code, "");
    }

    /// A report as JSON gives it back (no facts), with `ok` and `summary`.
    fn report(ok: bool, summary: &str) -> Report {
        let code = if ok { "ok" } else { "proxy_denied" };
        let (url, curl) = if ok {
            ("https://u/", "curl fine")
        } else {
            ("https://t/", "curl denied")
        };
        serde_json::from_value(serde_json::json!({
            "ok": ok,
            "diagnosis": {"code": code, "summary": summary, "hint": ""},
            "proxy": {"host": "p", "port": 3128},
            "target": {"host": "t", "port": 443},
            "auth": {"offered": [], "used": null, "rounds": 0},
            "url": url,
            "stages": [],
            "total_ms": 1.0,
            "curl": curl
        }))
        .unwrap()
    }

    #[tokio::test]
    async fn the_page_line_carries_the_summary_and_facts_of_the_report_that_decided() {
        let (_dir, pool) = pool().await;
        assert_eq!(recent(&pool, 20).await.unwrap(), [], "no test yet");
        let mut denied = report(false, "denied");
        let facts = crate::probe::diagnosis::Facts {
            proxy: "p:3128".into(),
            status: Some(403),
            ..Default::default()
        };
        denied.diagnosis.facts = Some(facts.clone());
        let reports = [report(true, "fine"), denied];
        insert(&pool, KEEP, "admin", &values("p"), &reports)
            .await
            .unwrap();
        insert(&pool, KEEP, "api:ci", &values("q"), &[])
            .await
            .unwrap();
        let got = recent(&pool, 20).await.unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].actor.as_str(), got[0].summary.as_str()),
            ("api:ci", "")
        );
        assert_eq!(got[1].summary, "denied", "the failing report decides");
        assert_eq!(got[1].code, "proxy_denied");
        let stored: crate::probe::diagnosis::Facts =
            serde_json::from_str(got[1].facts.as_deref().unwrap()).unwrap();
        assert_eq!(
            stored, facts,
            "the facts are kept to say it in another language"
        );
        assert_eq!(
            (got[1].host.as_deref(), got[1].port),
            (Some("p"), Some(3128))
        );
        assert_eq!((got[1].url.as_str(), got[1].targets), ("https://t/", 2));
        assert_eq!(got[1].curl, "curl denied");
    }

    #[tokio::test]
    async fn the_migration_gives_older_tests_their_deciding_summary() {
        let (pool, _dir) = crate::db::migrated_before("0013").await;
        let reports = r#"[{"ok": true, "diagnosis": {"summary": "fine"}},
                          {"ok": false, "diagnosis": {"summary": "denied"},
                           "url": "https://t/", "curl": "curl denied"}]"#;
        for (ok, reports) in [
            (0, reports),
            (1, r#"[{"ok": true, "diagnosis": {"summary": "fine"}}]"#),
        ] {
            sqlx::query(
                "INSERT INTO proxy_tests (at, actor, enabled, host, port, use_auth, username, \
                 ok, code, reports) VALUES ('t', 'admin', 1, 'p', 3128, 0, NULL, ?, 'x', ?)",
            )
            .bind(ok)
            .bind(reports)
            .execute(&pool)
            .await
            .unwrap();
        }
        sqlx::migrate!("./migrations").run(&pool).await.unwrap();
        let got = recent(&pool, 20).await.unwrap();
        let summaries: Vec<(&str, Option<&str>)> = got
            .iter()
            .map(|b| (b.summary.as_str(), b.facts.as_deref()))
            .collect();
        assert_eq!(summaries, [("fine", None), ("denied", None)]);
        assert_eq!(
            (got[1].url.as_str(), got[1].curl.as_str(), got[1].targets),
            ("https://t/", "curl denied", 2)
        );
        assert_eq!((got[0].url.as_str(), got[0].targets), ("", 1));
    }
}
