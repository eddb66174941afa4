//! The real binary as an admin runs it: defaults, flags, permissions, logs, signals.

use crate::support;

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use support::app::client;
use support::binary::Server;

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn help_documents_every_setting_and_its_environment_variable() {
    let out = Command::new(env!("CARGO_BIN_EXE_fmc-mgmt"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for (flag, env) in [
        ("--listen", "FMC_LISTEN"),
        ("--data-dir", "FMC_DATA_DIR"),
        ("--database-url", "FMC_DATABASE_URL"),
        ("--proxy-conf", "FMC_PROXY_CONF"),
        ("--probe-target", "FMC_PROBE_TARGET"),
        ("--ca-file", "FMC_CA_FILE"),
        ("--log-format", "FMC_LOG_FORMAT"),
        ("--audit-keep", "FMC_AUDIT_KEEP"),
        ("--allowed-host", "FMC_ALLOWED_HOST"),
        ("--max-connections", "FMC_MAX_CONNECTIONS"),
        ("--header-read-timeout", "FMC_HEADER_READ_TIMEOUT"),
    ] {
        assert!(help.contains(flag), "--help lacks {flag}");
        assert!(help.contains(env), "--help lacks {env}");
    }
    assert!(help.contains("127.0.0.1:8080") && help.contains("tools.cisco.com:443"));
}

#[tokio::test]
async fn defaults_create_a_private_data_directory_in_any_working_directory() {
    let cwd = tempfile::tempdir().unwrap();
    let mut server = Server::start(cwd.path(), &[], &[("FMC_ADMIN_PASSWORD", "bin-admin-Pa55")]);
    let data = cwd.path().join("data");
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("fmc.db")), 0o600);
    assert_eq!(
        mode(&data.join("secret.key")),
        0o600,
        "the key that seals the proxy password"
    );

    let client = client();
    let login = support::app::login(&client, &server.url(""), "admin", "bin-admin-Pa55").await;
    assert_eq!(login.status(), 303);
    let page = client
        .get(server.url("/system/configuration/management-interfaces"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.status(),
        200,
        "templates are compiled in: no files needed in the cwd"
    );
    let csrf = support::app::hidden(&page.text().await.unwrap(), "csrf_token");
    let css = client
        .get(server.url("/static/fmc.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), 200);

    let secret = "Zq7-never-logged!";
    let body = format!(
        "enabled=on&host=10.1.1.1&port=3128&use_auth=on&username=u&password={secret}&confirm_password={secret}&revision=0&csrf_token={csrf}"
    );
    let r = client
        .post(server.url("/system/configuration/management-interfaces/proxy"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(data.join("iprep_proxy.conf").exists());

    let status = server.signal_and_wait(15);
    assert!(status.success(), "SIGTERM is a clean stop, got {status}");
    let log = server.log();
    assert!(
        log.contains("method=POST")
            && log.contains("path=\"/system/configuration/management-interfaces/proxy\"")
            && log.contains("status=303")
            && log.contains("latency_ms="),
        "{log}"
    );
    assert!(!log.contains(secret), "the password reached the log");

    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", data.join("fmc.db").display()))
        .await
        .unwrap();
    let (journal,): (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(journal, "wal");
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(n >= 1, "migrations applied at start");
}

#[test]
fn sigint_stops_the_server_cleanly_and_flags_move_the_data() {
    let cwd = tempfile::tempdir().unwrap();
    let elsewhere = cwd.path().join("srv");
    let conf = cwd.path().join("etc-sf/iprep_proxy.conf");
    std::fs::create_dir_all(conf.parent().unwrap()).unwrap();
    let mut server = Server::start(
        cwd.path(),
        &["--proxy-conf", conf.to_str().unwrap()],
        &[("FMC_DATA_DIR", elsewhere.to_str().unwrap())],
    );
    assert!(
        elsewhere.join("fmc.db").exists(),
        "FMC_DATA_DIR is honoured"
    );
    assert!(!cwd.path().join("data").exists());
    let status = server.signal_and_wait(2);
    assert!(status.success(), "SIGINT is a clean stop, got {status}");
}

#[test]
fn a_corrupt_database_stops_the_start_with_a_clear_message() {
    let cwd = tempfile::tempdir().unwrap();
    let data = cwd.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("fmc.db"), vec![0x42u8; 8192]).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_fmc-mgmt"))
        .current_dir(cwd.path())
        .args(["--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("fmc.db") && (err.contains("not a database") || err.contains("integrity")),
        "{err}"
    );
    assert_eq!(
        std::fs::read(data.join("fmc.db")).unwrap(),
        vec![0x42u8; 8192],
        "left untouched"
    );
}

#[tokio::test]
async fn a_first_start_without_a_password_prints_a_random_one_once() {
    let cwd = tempfile::tempdir().unwrap();
    let mut server = Server::start(cwd.path(), &[], &[]);
    let log = server.log();
    let password = log
        .split("created user 'admin' with password ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no generated password in {log}"))
        .to_owned();
    assert_eq!(password.len(), 20);
    let r = support::app::login(&client(), &server.url(""), "admin", &password).await;
    assert_eq!(r.status(), 303, "the printed password works");
    server.signal_and_wait(15);

    let mut again = Server::start(cwd.path(), &[], &[]);
    assert!(
        !again.log().contains("created user"),
        "printed only on the first start"
    );
    again.signal_and_wait(15);
    let db = std::fs::read(cwd.path().join("data/fmc.db")).unwrap();
    let wal = std::fs::read(cwd.path().join("data/fmc.db-wal")).unwrap_or_default();
    let needle = password.as_bytes();
    assert!(
        !db.windows(needle.len())
            .chain(wal.windows(needle.len()))
            .any(|w| w == needle),
        "stored in clear"
    );
}

#[tokio::test]
async fn admin_set_password_resets_the_password_from_the_shell_and_ends_sessions() {
    let cwd = tempfile::tempdir().unwrap();
    let mut server = Server::start(cwd.path(), &[], &[("FMC_ADMIN_PASSWORD", "old-Passw0rd")]);
    let c = client();
    assert_eq!(
        support::app::login(&c, &server.url(""), "admin", "old-Passw0rd")
            .await
            .status(),
        303
    );

    let out = Command::new(env!("CARGO_BIN_EXE_fmc-mgmt"))
        .current_dir(cwd.path())
        .args(["admin", "set-password", "admin"])
        .env("FMC_NEW_PASSWORD", "new-Passw0rd")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let page = c
        .get(server.url("/system/configuration/management-interfaces"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 303, "existing sessions were ended");
    assert_eq!(
        support::app::login(&client(), &server.url(""), "admin", "old-Passw0rd")
            .await
            .status(),
        401
    );
    assert_eq!(
        support::app::login(&client(), &server.url(""), "admin", "new-Passw0rd")
            .await
            .status(),
        303
    );

    let short = Command::new(env!("CARGO_BIN_EXE_fmc-mgmt"))
        .current_dir(cwd.path())
        .args(["admin", "set-password", "admin"])
        .env("FMC_NEW_PASSWORD", "short")
        .output()
        .unwrap();
    assert_eq!(short.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 12 characters"));
    server.signal_and_wait(15);
}

#[test]
fn a_weak_first_admin_password_stops_the_first_start_with_the_rule() {
    let cwd = tempfile::tempdir().unwrap();
    for (weak, rule) in [
        ("a", "at least 12 characters"),
        ("aaaaaaaaaaaaaaaa", "not all of one kind"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_fmc-mgmt"))
            .current_dir(cwd.path())
            .args(["--listen", "127.0.0.1:0"])
            .env("FMC_ADMIN_PASSWORD", weak)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success(),
            "started with FMC_ADMIN_PASSWORD={weak}"
        );
        assert!(
            stderr.contains("FMC_ADMIN_PASSWORD is too weak") && stderr.contains(rule),
            "{stderr}"
        );
    }
    let db = cwd.path().join("data/fmc.db");
    let pool_users = std::process::Command::new("python3")
        .args(["-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from users').fetchone()[0])"])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&pool_users.stdout).trim(),
        "0",
        "no account made"
    );
}

#[test]
fn a_truncated_database_stops_the_start_and_is_left_as_it_was() {
    let cwd = tempfile::tempdir().unwrap();
    let mut server = Server::start(cwd.path(), &[], &[("FMC_ADMIN_PASSWORD", "trunc-Pa55word")]);
    server.signal_and_wait(15);
    let db = cwd.path().join("data/fmc.db");
    let wal = cwd.path().join("data/fmc.db-wal");
    assert!(
        !wal.exists(),
        "a clean stop checkpoints the WAL ({} bytes left); the server said:\n{}",
        std::fs::metadata(&wal).map_or(0, |m| m.len()),
        server.log()
    );
    let full = std::fs::read(&db).unwrap();
    assert!(full.len() > 8192, "a database with its tables");
    let cut = &full[..full.len() / 2];
    std::fs::write(&db, cut).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_fmc-mgmt"))
        .current_dir(cwd.path())
        .args(["--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "started over a truncated database");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("fmc.db")
            && (err.contains("integrity")
                || err.contains("malformed")
                || err.contains("not a database")),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&db).unwrap(),
        cut,
        "left untouched for recovery"
    );
}

#[tokio::test]
async fn a_planted_proxy_password_never_reaches_a_page_answer_log_report_or_curl_line() {
    use support::squid::{Mode, Squid};
    use support::tls_target::{CertKind, TlsTarget};
    let planted = "Pl4nted:S3cret!#%&";
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(Mode::Basic {
        user: "proxyuser".into(),
        password: planted.into(),
    });
    let cwd = tempfile::tempdir().unwrap();
    let probe_target = format!("127.0.0.1:{}", target.port());
    let mut server = Server::start(
        cwd.path(),
        &[
            "--probe-target",
            &probe_target,
            "--ca-file",
            target.ca_file.to_str().unwrap(),
            "--log-format",
            "json",
        ],
        &[
            ("FMC_ADMIN_PASSWORD", "leak-Pa55word"),
            ("RUST_LOG", "debug"),
        ],
    );
    let c = client();
    let base = server.url("");
    assert_eq!(
        support::app::login(&c, &base, "admin", "leak-Pa55word")
            .await
            .status(),
        303
    );
    let page = c
        .get(server.url(support::app::PAGE))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = support::app::hidden(&page, "csrf_token");
    let port = squid.port().to_string();
    let fields = |extra: &[(&str, &str)]| {
        let mut f: Vec<(String, String)> = [
            ("enabled", "on"),
            ("host", "127.0.0.1"),
            ("port", port.as_str()),
            ("use_auth", "on"),
            ("username", "proxyuser"),
            ("revision", "0"),
            ("csrf_token", csrf.as_str()),
        ]
        .iter()
        .chain(extra)
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        f.dedup_by(|a, b| a.0 == b.0);
        support::app::encode(&f)
    };
    let form = "application/x-www-form-urlencoded";
    let saved = c
        .post(server.url(&format!("{}/proxy", support::app::PAGE)))
        .header("content-type", form)
        .body(fields(&[
            ("password", planted),
            ("confirm_password", planted),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 303);

    let mut seen = String::new();
    for accept in ["text/html", "application/json", "application/x-ndjson"] {
        let r = c
            .post(server.url(&format!("{}/proxy/test", support::app::PAGE)))
            .header("content-type", form)
            .header("accept", accept)
            .body(fields(&[]))
            .send()
            .await
            .unwrap();
        // The page's answer is a redirect to the result (Post/Redirect/Get).
        let body = match r.headers().get("location") {
            Some(to) => {
                let to = server.url(to.to_str().unwrap());
                c.get(to).send().await.unwrap().text().await.unwrap()
            }
            None => r.text().await.unwrap(),
        };
        assert!(
            body.contains("\"ok\"") || body.contains("data-code=\"ok\""),
            "the stored password works: {body}"
        );
        seen.push_str(&body);
    }
    let report: serde_json::Value = c
        .post(server.url(&format!("{}/proxy/test", support::app::PAGE)))
        .header("content-type", form)
        .header("accept", "application/json")
        .body(fields(&[]))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        report["reports"][0]["curl"]
            .as_str()
            .unwrap()
            .matches("'proxyuser:****'")
            .count(),
        1
    );
    for path in [
        support::app::PAGE,
        "/system/audit-log",
        "/system/configuration/management-interfaces/proxy/history",
        "/api/v1/proxy",
        "/api/v1/proxy/revisions",
    ] {
        seen.push_str(
            &c.get(server.url(path))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
        );
    }
    server.signal_and_wait(15);
    seen.push_str(&server.log());
    assert!(
        server
            .log()
            .contains("\"path\":\"/system/configuration/management-interfaces/proxy/test\""),
        "the log has the requests"
    );
    // The Basic credentials as they travel to the proxy must not show up either.
    for needle in [
        planted,
        "Pl4nted",
        "cHJveHl1c2VyOlBsNG50ZWQ6UzNjcmV0ISMlJg==",
    ] {
        assert!(!seen.contains(needle), "{needle} leaked");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_fmc-mgmt"))
        .args([
            "probe",
            "-x",
            &format!("127.0.0.1:{port}"),
            "-U",
            "proxyuser",
            "--target",
            &probe_target,
            "--cacert",
        ])
        .arg(&target.ca_file)
        .env("FMC_PROXY_PASSWORD", planted)
        .output()
        .unwrap();
    let cli = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{cli}");
    assert!(!cli.contains("Pl4nted"), "the CLI printed the password");
}
