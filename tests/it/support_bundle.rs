//! The support bundle (SPEC §6): a `.tar.gz` an admin downloads with a session, every file
//! there and readable, and no secret in any of them.

use crate::api::make_token;
use crate::support;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use reqwest::StatusCode;
use reqwest::cookie::CookieStore;
use serde_json::Value;
use support::app::{TestApp, encode, hidden};
use support::squid::{Mode, Squid};
use support::tls_target::{CertKind, TlsTarget};

const BUNDLE: &str = "/system/configuration/management-interfaces/proxy/support-bundle";
const TEST: &str = "/system/configuration/management-interfaces/proxy/test";
const USER: &str = "fmcadmin";
const PASSWORD: &str = "Sb-p@ss:w0rd!#%&";
/// The Basic credentials squid sees: base64("fmcadmin:Sb-p@ss:w0rd!#%&").
const BASIC: &str = "Zm1jYWRtaW46U2ItcEBzczp3MHJkISMlJg==";
/// A password line someone added to the proxy file by hand.
const HAND_EDITED: &str = "hand-Edited-Secret-42";
/// A wrong password typed into the form for one test, never saved.
const TYPED: &str = "Typed-Wrong-Secret-7";
const FILES: [&str; 8] = [
    "README.txt",
    "last-test.json",
    "last-test.txt",
    "iprep_proxy.conf",
    "netstat.txt",
    "host.json",
    "revisions.json",
    "tests.json",
];

/// Save the proxy with Basic auth and its password, as the form does.
async fn save_with_auth(app: &TestApp, port: u16) {
    let port = port.to_string();
    let r = app
        .save(&[
            ("enabled", "on"),
            ("host", "127.0.0.1"),
            ("port", &port),
            ("use_auth", "on"),
            ("username", USER),
            ("password", PASSWORD),
            ("confirm_password", PASSWORD),
        ])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

/// Test connection on the saved values, as the page does without JavaScript, with a typed
/// password (blank: the stored one); returns the page.
async fn test_saved(app: &TestApp, port: u16, typed: &str) -> String {
    let html = app.page().await.1;
    let fields = [
        ("enabled".to_owned(), "on".to_owned()),
        ("host".to_owned(), "127.0.0.1".to_owned()),
        ("port".to_owned(), port.to_string()),
        ("use_auth".to_owned(), "on".to_owned()),
        ("username".to_owned(), USER.to_owned()),
        ("password".to_owned(), typed.to_owned()),
        ("confirm_password".to_owned(), typed.to_owned()),
        ("csrf_token".to_owned(), hidden(&html, "csrf_token")),
        ("revision".to_owned(), hidden(&html, "revision")),
    ];
    let r = app
        .post_raw(
            TEST,
            "application/x-www-form-urlencoded",
            encode(&fields).into_bytes(),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "Post/Redirect/Get");
    app.follow(r, None).await.1
}

/// A second browser that signs in, and the values of every cookie it holds.
async fn second_session(app: &TestApp) -> (reqwest::Client, Vec<String>) {
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = support::app::login(&client, &app.url(""), "admin", support::app::ADMIN_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let url = app.url("/").parse().unwrap();
    let header = jar.cookies(&url).expect("cookies");
    let values: Vec<String> = header
        .to_str()
        .unwrap()
        .split("; ")
        .filter_map(|c| c.split_once('=').map(|(_, v)| v.to_owned()))
        .collect();
    assert!(
        header
            .to_str()
            .unwrap()
            .contains(fmc_mgmt::auth::sessions::COOKIE),
        "signed in"
    );
    (client, values)
}

/// Download the bundle with `client`; the response's headers and body.
async fn download(
    client: &reqwest::Client,
    app: &TestApp,
) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let r = client.get(app.url(BUNDLE)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let headers = r.headers().clone();
    (headers, r.bytes().await.unwrap().to_vec())
}

/// Extract `gz` with the system tar; the folder it made.
fn extract(gz: &[u8], into: &Path) -> PathBuf {
    let archive = into.join("bundle.tar.gz");
    std::fs::write(&archive, gz).unwrap();
    let out = std::process::Command::new("tar")
        .arg("-xzf")
        .arg(&archive)
        .current_dir(into)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_file(&archive).unwrap();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(into)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(dirs.len(), 1, "one folder: {dirs:?}");
    dirs.remove(0)
}

/// Every file under `dir`, with its bytes.
fn every_file(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(every_file(&path));
        } else {
            out.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn read_json(dir: &Path, name: &str) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join(name)).unwrap())
        .unwrap_or_else(|e| panic!("{name} is not JSON: {e}"))
}

#[tokio::test]
async fn the_bundle_holds_every_file_readable_and_no_secret_in_any() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(Mode::Basic {
        user: USER.into(),
        password: PASSWORD.into(),
    });
    let app = TestApp::spawn_probing(&target).await;
    save_with_auth(&app, squid.port()).await;
    let token = make_token(&app, "support").await;
    let wrong = test_saved(&app, squid.port(), TYPED).await;
    assert!(wrong.contains("data-code=\"proxy_auth_failed\""), "{wrong}");
    let page = test_saved(&app, squid.port(), "").await;
    assert!(page.contains("data-code=\"ok\""), "the test passed: {page}");
    assert!(
        page.contains(&format!(
            "href=\"{BUNDLE}\" id=\"support-bundle-result\" download"
        )),
        "a link beside the result"
    );
    // Someone put a password into the proxy file by hand.
    let conf = app.conf().expect("proxy file");
    let edited = conf.replacen('}', &format!("    PROXY_PASSWORD {HAND_EDITED};\n}}"), 1);
    std::fs::write(app.conf_path(), edited).unwrap();
    let (client, cookies) = second_session(&app).await;

    let (headers, gz) = download(&client, &app).await;

    assert_eq!(headers["content-type"], "application/gzip");
    assert_eq!(headers["cache-control"], "no-store");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"fmc-mgmt-support-")
            && disposition.ends_with(".tar.gz\""),
        "{disposition}"
    );
    let tmp = tempfile::tempdir().unwrap();
    let dir = extract(&gz, tmp.path());
    let folder = dir.file_name().unwrap().to_str().unwrap();
    assert!(
        disposition.contains(&format!("\"{folder}.tar.gz\"")),
        "{folder}"
    );
    for name in FILES {
        assert!(dir.join(name).is_file(), "{name} is in the bundle");
    }
    let last = read_json(&dir, "last-test.json");
    assert_eq!(last["reports"][0]["diagnosis"]["code"], "ok", "{last}");
    assert_eq!(last["values"]["username"], USER);
    assert_eq!(last["reports"][0]["auth"]["used"], "basic", "{last}");
    let text = std::fs::read_to_string(dir.join("last-test.txt")).unwrap();
    assert!(text.contains("Diagnosis: ok"), "{text}");
    let revisions = read_json(&dir, "revisions.json");
    assert_eq!(revisions[0]["password_set"], true, "{revisions}");
    assert!(revisions[0].get("password").is_none());
    let tests = read_json(&dir, "tests.json");
    assert_eq!(tests.as_array().unwrap().len(), 2);
    assert_eq!(tests[1]["code"], "proxy_auth_failed", "{tests}");
    assert!(read_json(&dir, "host.json")["interfaces"].is_array());
    let conf = std::fs::read_to_string(dir.join("iprep_proxy.conf")).unwrap();
    assert!(
        conf.contains(&format!("PROXY_PORT {};", squid.port())),
        "{conf}"
    );
    assert!(conf.contains("PROXY_PASSWORD ****;"), "{conf}");
    let netstat = std::fs::read_to_string(dir.join("netstat.txt")).unwrap();
    assert!(
        netstat.starts_with("$ netstat -na | grep 127.0.0.1"),
        "{netstat}"
    );
    let readme = std::fs::read_to_string(dir.join("README.txt")).unwrap();
    for name in FILES {
        assert!(readme.contains(name), "README names {name}");
    }

    let pool = app.db().await;
    let (hash,): (String,) = sqlx::query_as("SELECT password_hash FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    let key = std::fs::read(app.data_dir().join("secret.key")).unwrap();
    let mut secrets: Vec<(&str, Vec<u8>)> = vec![
        ("the proxy password", PASSWORD.into()),
        ("its Basic credentials", BASIC.into()),
        ("a hand-edited password", HAND_EDITED.into()),
        ("a typed password", TYPED.into()),
        ("the API token", token.clone().into()),
        ("the admin password", support::app::ADMIN_PASSWORD.into()),
        ("the admin password hash", hash.into()),
        ("the secret key", key),
    ];
    for cookie in &cookies {
        secrets.push(("a cookie of the session", cookie.clone().into()));
    }
    for (path, bytes) in every_file(&dir) {
        for (what, secret) in &secrets {
            assert!(!contains(&bytes, secret), "{what} is in {}", path.display());
        }
    }
    assert!(!contains(&gz, PASSWORD.as_bytes()));

    let audit = app.audit_log().await;
    let entry = audit
        .iter()
        .find(|(action, _, _)| action == "support_bundle")
        .expect("the download is audited");
    assert_eq!(entry.1, "admin");
    assert!(
        entry
            .2
            .starts_with("support bundle downloaded: 2 test(s), "),
        "{}",
        entry.2
    );
}

#[tokio::test]
async fn without_a_session_the_bundle_sends_to_login_and_nothing_is_audited() {
    let app = TestApp::spawn_anonymous().await;

    let r = app.client.get(app.url(BUNDLE)).send().await.unwrap();

    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap();
    assert!(location.starts_with("/login?next="), "{location}");
    assert!(
        !r.headers()
            .get("content-type")
            .is_some_and(|v| v.to_str().unwrap().contains("gzip"))
    );
    assert!(
        app.audit_log()
            .await
            .iter()
            .all(|(action, _, _)| action != "support_bundle")
    );
}

#[tokio::test]
async fn before_any_test_the_bundle_says_so_and_the_diagnostics_panel_links_to_it() {
    let app = TestApp::spawn().await;
    let (_, html) = app.page().await;
    assert!(
        html.contains(&format!("href=\"{BUNDLE}\" id=\"support-bundle\" download")),
        "the Diagnostics panel links to the bundle"
    );

    let (_, gz) = download(&app.client, &app).await;

    let tmp = tempfile::tempdir().unwrap();
    let dir = extract(&gz, tmp.path());
    assert_eq!(read_json(&dir, "last-test.json"), Value::Null);
    assert_eq!(read_json(&dir, "tests.json"), Value::Array(vec![]));
    assert_eq!(read_json(&dir, "revisions.json"), Value::Array(vec![]));
    let text = std::fs::read_to_string(dir.join("last-test.txt")).unwrap();
    assert!(text.contains("No test has been run yet."), "{text}");
    // No proxy, no file: the README says why instead.
    assert!(!dir.join("iprep_proxy.conf").exists());
    let readme = std::fs::read_to_string(dir.join("README.txt")).unwrap();
    assert!(
        readme.contains("iprep_proxy.conf is not included: No such file or directory"),
        "{readme}"
    );
}
