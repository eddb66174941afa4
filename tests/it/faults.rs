//! Faults: each gives a clear message on the page and loses nothing.

use crate::support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use support::app::{ADMIN_PASSWORD, TestApp, read_optional};
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
    let holder = hold_lock(&app.data_dir().join("fmc.db"));
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

/// Another process (python3's sqlite3) holding the database's write lock until dropped.
fn hold_lock(db: &Path) -> KillOnDrop {
    let holder = std::process::Command::new("python3")
        .arg("-c")
        .arg("import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1], isolation_level=None); c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(60)")
        .arg(db)
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
    holder
}

struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn save_on_port(port: &str) -> [(&'static str, &str); 3] {
    [("enabled", "on"), ("host", "10.10.10.1"), ("port", port)]
}

/// Names in `dir` that look like temp files.
fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

#[tokio::test]
async fn a_commit_refused_for_space_leaves_the_file_saying_what_the_database_says() {
    // Database and proxy file on one small disk with a single free page: the staged file
    // takes it, and the commit then has no room for its WAL frames.
    let dir = tempfile::tempdir().unwrap();
    let small = Tmpfs::mount(dir.path().join("disk"), "size=512k");
    let (db, conf) = (small.join("fmc.db"), small.join("iprep_proxy.conf"));
    let app = TestApp::spawn_in(
        dir,
        &[
            "--database-url",
            db.to_str().unwrap(),
            "--proxy-conf",
            conf.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(
        app.save(&save_on_port("1000")).await.status(),
        StatusCode::SEE_OTHER
    );
    let filler = small.fill_leaving(4096);

    let mut refused = None;
    for port in 1001..1400 {
        let port = port.to_string();
        let r = app.save(&save_on_port(&port)).await;
        if r.status() != StatusCode::SEE_OTHER {
            refused = Some((port, r.text().await.unwrap()));
            break;
        }
    }
    let (port, html) = refused.expect("the disk never filled up");
    assert!(html.contains("disk holding the database is full"), "{html}");
    let file = read_optional(&conf).unwrap();
    assert!(
        !file.contains(&format!("PROXY_PORT {port};")),
        "the file holds the refused save: {file}"
    );
    std::fs::remove_file(filler).unwrap();
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let (current,): (i64,) =
        sqlx::query_as("SELECT port FROM proxy_revisions ORDER BY id DESC LIMIT 1")
            .fetch_one(&pool)
            .await
            .unwrap();
    pool.close().await;
    assert!(
        file.contains(&format!("PROXY_PORT {current};")),
        "file and database disagree: {file} vs port {current}"
    );
    assert_eq!(temp_files(&small.path), Vec::<String>::new());
    drop(app);
    drop(small);
}

#[tokio::test]
async fn after_a_commit_fails_for_space_every_later_save_works() {
    let dir = tempfile::tempdir().unwrap();
    // Room for the WAL of the 40 saves after the filler is gone (it grows to 4 MiB before
    // it starts over).
    let small = Tmpfs::mount(dir.path().join("dbfs"), "size=8m");
    let db = small.join("fmc.db");
    let app = TestApp::spawn_in(dir, &["--database-url", db.to_str().unwrap()]).await;
    assert_eq!(app.save(GOOD).await.status(), StatusCode::SEE_OTHER);
    let filler = small.fill();
    let mut failures = 0;
    for port in 1000..1400 {
        if app.save(&save_on_port(&port.to_string())).await.status() != StatusCode::SEE_OTHER {
            failures += 1;
            if failures == 3 {
                break;
            }
        }
    }
    assert_eq!(failures, 3, "the full disk was never hit");
    std::fs::remove_file(filler).unwrap();

    // Every connection in the pool gets used: none may be stuck in the failed transaction.
    let mut refused = Vec::new();
    for port in 2000..2040 {
        let r = app.save(&save_on_port(&port.to_string())).await;
        if r.status() != StatusCode::SEE_OTHER {
            refused.push((port, r.status()));
        }
    }
    assert_eq!(refused, [], "saves refused after the disk had room again");
    assert!(app.conf().unwrap().contains("PROXY_PORT 2039;"));
    drop(app);
    drop(small);
}

#[tokio::test]
async fn saves_queued_behind_a_held_lock_all_answer_within_one_deadline() {
    let app = TestApp::spawn().await;
    assert_eq!(app.save(GOOD).await.status(), StatusCode::SEE_OTHER);
    let holder = hold_lock(&app.data_dir().join("fmc.db"));

    let started = Instant::now();
    let timed = |port: &'static str| {
        let app = &app;
        async move {
            let r = app.save(&save_on_port(port)).await;
            let status = r.status();
            (status, r.text().await.unwrap(), started.elapsed())
        }
    };
    let (a, b, c) = tokio::join!(timed("1001"), timed("1002"), timed("1003"));
    drop(holder);
    for (status, html, took) in [a, b, c] {
        assert_ne!(status, StatusCode::SEE_OTHER);
        assert!(html.contains("locked by another process"), "{html}");
        assert!(
            took < Duration::from_millis(7000),
            "a save behind the lock answered after {took:?}"
        );
    }
    assert_eq!(app.revision_count().await, 1);
    assert_eq!(
        app.save(&save_on_port("1004")).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_login_during_a_lock_says_the_database_is_locked_in_the_page_language() {
    let app = TestApp::spawn_anonymous().await;
    let base = app.url("");
    let holder = hold_lock(&app.data_dir().join("fmc.db"));
    let login = |language: &'static str| {
        let base = base.clone();
        async move {
            let client = reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .default_headers(
                    [(
                        reqwest::header::ACCEPT_LANGUAGE,
                        reqwest::header::HeaderValue::from_static(language),
                    )]
                    .into_iter()
                    .collect(),
                )
                .build()
                .unwrap();
            let r = support::app::login(&client, &base, "admin", ADMIN_PASSWORD).await;
            (r.status(), r.text().await.unwrap())
        }
    };
    let ((en_status, en), (zh_status, zh)) = tokio::join!(login("en"), login("zh-CN"));
    drop(holder);
    assert_eq!(en_status, StatusCode::SERVICE_UNAVAILABLE, "{en}");
    assert!(
        en.contains("the database is locked by another process"),
        "{en}"
    );
    assert_eq!(zh_status, StatusCode::SERVICE_UNAVAILABLE, "{zh}");
    assert!(zh.contains("数据库被另一个进程锁定"), "{zh}");
    assert!(!zh.contains("locked by another process"), "{zh}");
}

/// A proxy file outside the data directory, as /etc/sf/iprep_proxy.conf is.
fn existing_proxy_file(dir: &Path) -> (PathBuf, &'static str) {
    let conf = dir.join("iprep_proxy.conf");
    let text = "iprep_proxy {\n    PROXY_HOST 10.1.2.3;\n    PROXY_PORT 8080;\n}\n";
    std::fs::write(&conf, text).unwrap();
    (conf, text)
}

#[tokio::test]
async fn an_existing_proxy_file_is_adopted_at_first_start_and_after_the_database_is_lost() {
    let etc = tempfile::tempdir().unwrap();
    let (conf, text) = existing_proxy_file(etc.path());
    let app = TestApp::spawn_with(&["--proxy-conf", conf.to_str().unwrap()]).await;

    assert_eq!(
        read_optional(&conf).as_deref(),
        Some(text),
        "the file is kept"
    );
    assert_eq!(app.revision_count().await, 1);
    let html = app.page().await.1;
    assert!(html.contains("value=\"10.1.2.3\"") && html.contains("value=\"8080\""));
    let saves: Vec<_> = app
        .audit_log()
        .await
        .into_iter()
        .filter(|e| e.0 == "save")
        .collect();
    let (_, actor, detail) = &saves[0];
    assert_eq!(actor, "system");
    assert!(
        detail.contains(&format!("imported from {}", conf.display())),
        "{detail}"
    );

    // The database truncated to nothing: the file is adopted again, not deleted.
    let dir = app.stop().await;
    let db = dir.path().join("data/fmc.db");
    std::fs::write(&db, b"").unwrap();
    for side in ["fmc.db-wal", "fmc.db-shm"] {
        let _ = std::fs::remove_file(dir.path().join("data").join(side));
    }
    let app = TestApp::spawn_in(dir, &["--proxy-conf", conf.to_str().unwrap()]).await;
    assert_eq!(read_optional(&conf).as_deref(), Some(text));
    assert_eq!(app.revision_count().await, 1);
}

#[tokio::test]
async fn a_proxy_file_that_does_not_parse_is_never_deleted_at_start() {
    let etc = tempfile::tempdir().unwrap();
    let conf = etc.path().join("iprep_proxy.conf");
    std::fs::write(&conf, "# hand-written\nproxy 10.1.2.3 8080\n").unwrap();
    let app = TestApp::spawn_with(&["--proxy-conf", conf.to_str().unwrap()]).await;
    assert_eq!(
        read_optional(&conf).as_deref(),
        Some("# hand-written\nproxy 10.1.2.3 8080\n")
    );
    assert_eq!(app.revision_count().await, 0);
}

#[tokio::test]
async fn a_database_that_lost_its_revisions_is_reported_loudly_and_the_file_kept() {
    let cwd = tempfile::tempdir().unwrap();
    let env = [("FMC_ADMIN_PASSWORD", "faults-Pa55word!")];
    // A first start creates the database and its admin; then the revisions are "lost"
    // while the appliance's file stays, as after a damaged -wal file.
    let mut server = support::binary::Server::start(cwd.path(), &[], &env);
    server.signal_and_wait(15);
    let (conf, text) = existing_proxy_file(&cwd.path().join("data"));

    let server = support::binary::Server::start(cwd.path(), &[], &env);
    let log = server.log();
    drop(server);
    assert!(log.contains("revisions were probably lost"), "{log}");
    assert!(log.contains("ERROR"), "{log}");
    assert_eq!(read_optional(&conf).as_deref(), Some(text));
}

#[tokio::test]
async fn an_index_that_disagrees_with_its_table_is_refused_at_start() {
    let app = TestApp::spawn().await; // logged in: the sessions table and its index have a row
    let dir = app.stop().await;
    let db = dir.path().join("data/fmc.db");
    let corrupt = std::process::Command::new("python3")
        .arg("-c")
        .arg(
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1], isolation_level=None)\n\
             assert c.execute('SELECT count(*) FROM sessions').fetchone()[0] > 0\n\
             c.execute('PRAGMA writable_schema=ON')\n\
             c.execute(\"UPDATE sqlite_schema SET sql='CREATE INDEX sessions_user ON sessions (csrf_token)' WHERE name='sessions_user'\")\n\
             c.close()\n\
             c=sqlite3.connect(sys.argv[1])\n\
             assert c.execute('PRAGMA quick_check').fetchone()[0] == 'ok'\n\
             assert c.execute('PRAGMA integrity_check').fetchone()[0] != 'ok'",
        )
        .arg(&db)
        .status()
        .expect("python3 corrupts the index");
    assert!(corrupt.success());

    let cli = <fmc_mgmt::config::Cli as clap::Parser>::try_parse_from([
        "fmc-mgmt",
        "--data-dir",
        dir.path().join("data").to_str().unwrap(),
    ])
    .unwrap();
    let Err(refused) = fmc_mgmt::prepare(&cli.global).await else {
        panic!("a corrupt index was not refused at start");
    };
    let why = refused.to_string();
    assert!(why.contains("failed its integrity check"), "{why}");
    assert!(why.contains("sessions_user"), "{why}");
}

#[tokio::test]
async fn temp_files_left_by_killed_saves_are_removed_at_start() {
    let app = TestApp::spawn().await;
    assert_eq!(app.save(GOOD).await.status(), StatusCode::SEE_OTHER);
    let dir = app.stop().await;
    let data = dir.path().join("data");
    for leftover in [
        ".iprep_proxy.conf.4242.tmp",
        ".iprep_proxy.conf.0123456789abcdef.tmp",
    ] {
        std::fs::write(data.join(leftover), "iprep_proxy {\n").unwrap();
    }
    let elsewhere = tempfile::tempdir().unwrap();
    let victim = elsewhere.path().join("keep");
    std::fs::write(&victim, "keep").unwrap();
    std::os::unix::fs::symlink(&victim, data.join(".iprep_proxy.conf.99.tmp")).unwrap();
    std::fs::write(data.join("notes.tmp"), "mine").unwrap();

    let app = TestApp::spawn_in(dir, &[]).await;
    let mut left = temp_files(&app.data_dir());
    left.sort();
    assert_eq!(left, [".iprep_proxy.conf.99.tmp", "notes.tmp"]);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
    assert!(app.conf().unwrap().contains("10.10.10.1"));
}

#[tokio::test]
async fn links_planted_beside_the_proxy_file_are_neither_followed_nor_shown() {
    use std::os::unix::fs::PermissionsExt;
    let shared = tempfile::tempdir().unwrap();
    let conf = shared.path().join("iprep_proxy.conf");
    let victim = shared.path().join("shadow");
    std::fs::write(&victim, "root:secret-hash\n").unwrap();
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::os::unix::fs::symlink(&victim, &conf).unwrap();
    // The old predictable temp name of this process (the app runs in it).
    let old_tmp = shared
        .path()
        .join(format!(".iprep_proxy.conf.{}.tmp", std::process::id()));
    std::os::unix::fs::symlink(&victim, &old_tmp).unwrap();
    let app = TestApp::spawn_with(&["--proxy-conf", conf.to_str().unwrap()]).await;

    let html = app.page().await.1;
    assert!(!html.contains("secret-hash"), "the panel followed the link");
    assert!(html.contains("symbolic link (not followed)"), "{html}");

    assert_eq!(app.save(GOOD).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "root:secret-hash\n"
    );
    let mode = std::fs::metadata(&victim).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the link's target was chmod-ed");
    assert!(std::fs::symlink_metadata(&conf).unwrap().is_file());
    assert!(read_optional(&conf).unwrap().contains("10.10.10.1"));
    assert!(std::fs::symlink_metadata(&old_tmp).unwrap().is_symlink());
}

#[tokio::test]
async fn a_write_ahead_log_lost_after_a_crash_is_reported_at_start() {
    let cwd = tempfile::tempdir().unwrap();
    let env = [("FMC_ADMIN_PASSWORD", "faults-Pa55word!")];
    let mut server = support::binary::Server::start(cwd.path(), &[], &env);
    server.child.kill().expect("SIGKILL");
    server.child.wait().unwrap();
    let data = cwd.path().join("data");
    assert!(
        data.join("fmc.db-shm").exists(),
        "a crash leaves the -shm file"
    );
    std::fs::remove_file(data.join("fmc.db-wal")).expect("a crash leaves the -wal file");

    let server = support::binary::Server::start(cwd.path(), &[], &env);
    let log = server.log();
    drop(server);
    assert!(log.contains("write-ahead log is gone"), "{log}");
}

#[tokio::test]
async fn a_proxy_file_no_revision_ever_held_is_reported_before_it_is_rewritten() {
    let app = TestApp::spawn().await;
    assert_eq!(app.save(GOOD).await.status(), StatusCode::SEE_OTHER);
    let dir = app.stop().await;
    // As if the newest revisions were lost with the -wal file after the file was written.
    let conf = dir.path().join("data/iprep_proxy.conf");
    std::fs::write(
        &conf,
        "iprep_proxy {\n    PROXY_HOST 10.99.0.7;\n    PROXY_PORT 3129;\n}\n",
    )
    .unwrap();

    let server = support::binary::Server::start(dir.path(), &[], &[]);
    let log = server.log();
    drop(server);
    assert!(log.contains("no revision in the database has"), "{log}");
    assert!(
        log.contains("10.99.0.7"),
        "the lost values are in the log: {log}"
    );
    assert!(
        read_optional(&conf)
            .unwrap()
            .contains("PROXY_HOST 10.10.10.1;")
    );
}
