//! The floor under a save, measured on this machine: one bare file write + fsync, and one
//! SQLite commit in WAL mode with synchronous=FULL (what fmc-mgmt's store uses).
//! `cargo run --release --example baseline -- DIR ITERATIONS` prints medians in ms.

use std::io::Write;
use std::str::FromStr;
use std::time::Instant;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(args.get(1).expect("DIR"));
    let n: usize = args.get(2).map_or(200, |s| s.parse().expect("ITERATIONS"));

    let mut fsyncs = Vec::new();
    for i in 0..n {
        let t = Instant::now();
        let mut f = std::fs::File::create(dir.join("baseline.tmp")).unwrap();
        f.write_all(
            format!(
                "iprep_proxy {{\n    PROXY_HOST 10.0.0.{};\n    PROXY_PORT 80;\n}}\n",
                i % 250
            )
            .as_bytes(),
        )
        .unwrap();
        f.sync_all().unwrap();
        fsyncs.push(t.elapsed().as_secs_f64() * 1000.0);
    }

    let options =
        SqliteConnectOptions::from_str(&format!("sqlite://{}", dir.join("baseline.db").display()))
            .unwrap()
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    sqlx::query("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)")
        .execute(&pool)
        .await
        .unwrap();
    let mut commits = Vec::new();
    for i in 0..n {
        let t = Instant::now();
        sqlx::query("INSERT INTO t (v) VALUES (?)")
            .bind(format!("row {i}"))
            .execute(&pool)
            .await
            .unwrap();
        commits.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (f, c) = (median(fsyncs), median(commits));
    println!(
        "baseline iterations={n} fsync_p50_ms={f:.3} sqlite_full_commit_p50_ms={c:.3} sum_ms={:.3}",
        f + c
    );
}
