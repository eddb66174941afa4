//! Faults: each gives a clear message on the page and loses nothing.

mod support;

use reqwest::StatusCode;
use support::app::{TestApp, read_optional};
use support::mounts::Tmpfs;

const GOOD: &[(&str, &str)] = &[("enabled", "on"), ("host", "10.10.10.1"), ("port", "80")];

/// An app whose proxy file is in a read-only file system; drop the `Tmpfs` (unmount it)
/// before the app, whose temporary directory holds the mount point.
async fn app_writing_to_a_read_only_directory() -> (TestApp, Tmpfs, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let ro = Tmpfs::mount(dir.path().join("ro"), "ro,size=64k");
    let conf = ro.join("iprep_proxy.conf");
    let app = TestApp::spawn_in(dir, &["--proxy-conf", conf.to_str().unwrap()]).await;
    (app, ro, conf)
}

#[tokio::test]
async fn a_read_only_directory_fails_the_save_with_the_database_unchanged() {
    let (app, ro, conf) = app_writing_to_a_read_only_directory().await;

    let r = app.save(GOOD).await;
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let html = r.text().await.unwrap();
    assert!(html.contains("Read-only file system"), "{html}");
    assert!(html.contains("The database is unchanged") && html.contains("value=\"10.10.10.1\""));
    assert_eq!(app.revision_count().await, 0);
    assert_eq!(read_optional(&conf), None);
    drop(ro); // unmount before the temporary directory goes
}

#[tokio::test]
async fn a_save_the_file_system_refuses_is_explained_in_chinese() {
    let (app, ro, _) = app_writing_to_a_read_only_directory().await;
    let r = app.choose_language("zh-CN").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let r = app.save(GOOD).await;
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let html = r.text().await.unwrap();
    assert!(html.contains("未保存：无法写入 "), "{html}");
    assert!(
        html.contains("（只读文件系统（OS 错误 30））。数据库未更改；解决此问题后请再次保存。"),
        "{html}"
    );
    assert!(!html.contains("Read-only file system"), "{html}");
    assert_eq!(app.revision_count().await, 0);
    drop(ro);
}

#[tokio::test]
async fn a_full_disk_for_the_file_fails_the_save_and_keeps_the_old_file() {
    let dir = tempfile::tempdir().unwrap();
    let small = Tmpfs::mount(dir.path().join("small"), "size=64k");
    let conf = small.join("iprep_proxy.conf");
    let app = TestApp::spawn_in(dir, &["--proxy-conf", conf.to_str().unwrap()]).await;
    assert_eq!(app.save(GOOD).await.status(), StatusCode::SEE_OTHER);
    let before = read_optional(&conf).unwrap();
    let filler = small.fill();

    let r = app
        .save(&[
            ("enabled", "on"),
            ("host", "proxy.example.com"),
            ("port", "3128"),
        ])
        .await;
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(r.text().await.unwrap().contains("No space left on device"));
    assert_eq!(
        read_optional(&conf).unwrap(),
        before,
        "the old file is intact"
    );
    assert_eq!(app.revision_count().await, 1);
    assert_eq!(
        std::fs::read_dir(&small.path).unwrap().count(),
        2,
        "no temp file left behind"
    );

    std::fs::remove_file(filler).unwrap();
    assert_eq!(
        app.save(&[
            ("enabled", "on"),
            ("host", "proxy.example.com"),
            ("port", "3128")
        ])
        .await
        .status(),
        StatusCode::SEE_OTHER
    );
    assert!(read_optional(&conf).unwrap().contains("proxy.example.com"));
    drop(app);
    drop(small);
}

#[tokio::test]
async fn a_full_disk_for_the_database_says_so_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let small = Tmpfs::mount(dir.path().join("dbfs"), "size=512k");
    let db = small.join("fmc.db");
    let app = TestApp::spawn_in(dir, &["--database-url", db.to_str().unwrap()]).await;
    assert_eq!(app.save(GOOD).await.status(), StatusCode::SEE_OTHER);
    let filler = small.fill();

    // Enough changes that SQLite must grow its files.
    let long_user = "u".repeat(64);
    let mut failed = None;
    for i in 0..200 {
        let port = (1000 + i).to_string();
        let r = app
            .save(&[
                ("enabled", "on"),
                ("host", "10.10.10.1"),
                ("port", &port),
                ("use_auth", "on"),
                ("username", &long_user),
                ("password", &"p".repeat(128)),
                ("confirm_password", &"p".repeat(128)),
            ])
            .await;
        if r.status() != StatusCode::SEE_OTHER {
            failed = Some((r.status(), r.text().await.unwrap()));
            break;
        }
    }
    let (status, html) = failed.expect("the full disk was never hit");
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(html.contains("disk holding the database is full"), "{html}");
    assert!(html.contains("value=\"10.10.10.1\""), "values kept");

    std::fs::remove_file(filler).unwrap();
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    let (count, max): (i64, i64) = sqlx::query_as("SELECT COUNT(*), MAX(id) FROM proxy_revisions")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, max, "no gap: every answered save is there");
    let current = std::fs::read_to_string(app.conf_path()).unwrap();
    let (port,): (i64,) =
        sqlx::query_as("SELECT port FROM proxy_revisions ORDER BY id DESC LIMIT 1")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(
        current.contains(&format!("PROXY_PORT {port};")),
        "file and database agree"
    );
    pool.close().await;
    drop(app);
    drop(small);
}

#[tokio::test]
async fn a_database_locked_by_another_process_fails_the_save_clearly() {
    let app = TestApp::spawn().await;
    assert_eq!(app.save(GOOD).await.status(), StatusCode::SEE_OTHER);
    let db = app.data_dir().join("fmc.db");
    // Another process: sqlite3-like exclusive writer holding the lock past the busy timeout.
    let holder = std::process::Command::new("python3")
        .arg("-c")
        .arg("import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1], isolation_level=None); c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(30)")
        .arg(&db)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs the lock holder");
    let mut holder = KillOnDrop(holder);
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(holder.0.stdout.as_mut().unwrap()),
        &mut line,
    )
    .unwrap();
    assert_eq!(line.trim(), "locked");

    let r = app
        .save(&[("enabled", "on"), ("host", "10.9.9.9"), ("port", "8080")])
        .await;
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let html = r.text().await.unwrap();
    assert!(html.contains("locked by another process"), "{html}");
    assert!(html.contains("value=\"10.9.9.9\""));
    drop(holder);
    assert_eq!(app.revision_count().await, 1);
    assert!(
        app.conf().unwrap().contains("10.10.10.1"),
        "the file still matches revision 1"
    );
}

struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
