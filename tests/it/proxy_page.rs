//! The Management Interfaces page and its Proxy save, black-box over HTTP, checking the
//! database (reopened) and the proxy file on disk.

use crate::support;

use std::os::unix::fs::PermissionsExt;

use reqwest::StatusCode;
use support::app::{PAGE, TestApp, encode};
use support::fake_proxy::{FakeProxy, Script};
use support::squid::free_port;
use support::tls_target::{CertKind, TlsTarget};

const GOOD: &[(&str, &str)] = &[("enabled", "on"), ("host", "10.10.10.1"), ("port", "80")];

fn position(html: &str, needle: &str) -> usize {
    html.find(needle)
        .unwrap_or_else(|| panic!("page lacks {needle:?}"))
}

#[tokio::test]
async fn the_page_shows_the_fmc_frame_and_the_proxy_fields_in_order() {
    let app = TestApp::spawn().await;
    let (status, html) = app.page().await;
    assert_eq!(status, StatusCode::OK);
    for item in [
        "Overview",
        "Analysis",
        "Policies",
        "Devices",
        "Objects",
        "Integration",
        "Deploy",
        "System",
    ] {
        assert!(html.contains(&format!(">{item}<")), "menu lacks {item}");
    }
    assert!(html.contains("System <span aria-hidden=\"true\">/</span> Configuration"));
    for page in [
        "Access List",
        "Audit Log Certificate",
        "UCAPL/CC Compliance",
        "Web Analytics",
    ] {
        assert!(
            html.contains(&format!("<span class=\"inactive\">{page}</span>")),
            "nav lacks {page}"
        );
    }
    assert!(html.contains("aria-current=\"page\" href=\"/system/configuration/management-interfaces\">Management Interfaces<"));
    let sections = [
        "id=\"interfaces-h\">Interfaces",
        "id=\"routes-h\">Routes",
        "id=\"shared-h\">Shared Settings",
        "id=\"icmpv6-h\">ICMPv6",
        "id=\"proxy-h\">Proxy",
    ];
    let at: Vec<usize> = sections.iter().map(|s| position(&html, s)).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "sections out of order");

    // The other sections show this host, read-only: its management interfaces only
    // (never loopback), and FMC's Shared Settings.
    assert!(
        !html.contains("<td>lo</td>"),
        "lo is not a management interface"
    );
    assert!(html.contains("<th scope=\"col\">Channels</th>"));
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    assert!(html.contains(&format!(
        "<dt>Hostname</dt><dd id=\"hostname\">{}</dd>",
        hostname.trim()
    )));
    assert!(html.contains("<dd id=\"remote-management-port\">8305</dd>"));

    let proxy = &html[position(&html, "id=\"proxy-h\"")..];
    let order = [
        "NT LAN Manager (NTLM) authentication are not supported",
        "cannot have more than 64 characters",
        "for=\"enabled\">Enabled<",
        "for=\"host\">HTTP Proxy<",
        "for=\"port\">Port<",
        "for=\"use_auth\">Use Proxy Authentication<",
        "for=\"username\">User Name<",
        "for=\"password\">Password<",
        "for=\"confirm_password\">Confirm Password<",
        ">Test connection</button>",
        // Save ends the page, as in FMC, and still submits the Proxy form.
        "form=\"proxy-form\" class=\"primary\" id=\"save\">Save</button>",
    ];
    let at: Vec<usize> = order.iter().map(|s| position(proxy, s)).collect();
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "proxy fields out of order: {at:?}"
    );
    assert!(
        proxy.contains(
            "method=\"post\" action=\"/system/configuration/management-interfaces/proxy\""
        )
    );
}

#[tokio::test]
async fn a_valid_save_redirects_with_a_flash_and_writes_revision_and_file() {
    let app = TestApp::spawn().await;
    let r = app.save(GOOD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], PAGE);

    let (_, html) = app.page().await;
    assert!(
        html.contains("Saved. The proxy settings are now revision 1."),
        "flash missing"
    );
    assert!(html.contains("value=\"10.10.10.1\""));
    let (_, again) = app.page().await;
    assert!(!again.contains("Saved."), "a flash shows once");

    assert_eq!(app.revision_count().await, 1);
    assert_eq!(
        app.conf().unwrap(),
        "iprep_proxy {\n    PROXY_HOST 10.10.10.1;\n    PROXY_PORT 80;\n}\n"
    );
    let mode = std::fs::metadata(app.conf_path())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o644);
}

#[tokio::test]
async fn the_stored_password_is_never_sent_back_and_blank_keeps_it() {
    let app = TestApp::spawn().await;
    let secret = "p@ss:w0rd!#%&";
    let mut fields = GOOD.to_vec();
    fields.extend([
        ("use_auth", "on"),
        ("username", "proxyuser"),
        ("password", secret),
        ("confirm_password", secret),
    ]);
    assert_eq!(app.save(&fields).await.status(), StatusCode::SEE_OTHER);

    let (_, html) = app.page().await;
    assert!(
        !html.contains(secret) && !html.contains("p@ss"),
        "password leaked into the page"
    );
    assert!(html.contains("Password set — leave blank to keep."));
    assert!(html.contains("value=\"proxyuser\""));
    assert!(
        !app.conf().unwrap().contains("p@ss"),
        "credentials never go in the file"
    );

    // Same proxy and user, now disabled: a blank password keeps the stored one. (Aimed at
    // another host, port or user it would have to be typed again: see security.rs.)
    let blank: Vec<(&str, &str)> = fields
        .iter()
        .copied()
        .filter(|(k, _)| !k.contains("password") && *k != "enabled")
        .collect();
    assert_eq!(app.save(&blank).await.status(), StatusCode::SEE_OTHER);
    let pool = app.db().await;
    let (sealed, enabled): (String, bool) =
        sqlx::query_as("SELECT password, enabled FROM proxy_revisions ORDER BY id DESC LIMIT 1")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(!sealed.contains("p@ss"), "sealed at rest: {sealed}");
    assert_eq!(app.stored_password().await.as_deref(), Some(secret));
    assert!(!enabled);
}

#[tokio::test]
async fn an_invalid_save_answers_422_with_messages_beside_fields_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let r = app
        .save(&[
            ("enabled", "on"),
            ("host", "http://proxy:3128"),
            ("port", "80a"),
            ("use_auth", "on"),
            ("username", "kept-user"),
            ("password", "one-secret"),
            ("confirm_password", "two-secret"),
        ])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"error-summary\""));
    assert!(html.contains("Not saved: 3 fields need attention"));
    assert!(html.contains(
        "<p class=\"error\" id=\"host-error\">Enter the host only; the port goes in Port.</p>"
    ));
    assert!(html.contains("aria-describedby=\"host-hint host-error\""));
    assert!(html.contains("id=\"port-error\""));
    assert!(html.contains("id=\"password-error\">The password and its confirmation differ."));
    assert!(html.contains("value=\"http://proxy:3128\""), "host kept");
    assert!(html.contains("value=\"80a\""), "port kept");
    assert!(html.contains("value=\"kept-user\""), "user kept");
    assert!(
        !html.contains("one-secret") && !html.contains("two-secret"),
        "passwords are not echoed"
    );
    assert_eq!(app.revision_count().await, 0);
    assert_eq!(app.conf(), None);
}

#[tokio::test]
async fn disabling_keeps_every_value_and_removes_the_file() {
    let app = TestApp::spawn().await;
    let mut fields = GOOD.to_vec();
    fields.extend([
        ("use_auth", "on"),
        ("username", "u1"),
        ("password", "pw1"),
        ("confirm_password", "pw1"),
    ]);
    app.save(&fields).await;
    assert!(app.conf().is_some());

    let disabled: Vec<(&str, &str)> = fields
        .iter()
        .copied()
        .filter(|(k, _)| *k != "enabled" && !k.contains("password"))
        .collect();
    assert_eq!(app.save(&disabled).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.conf(), None, "the file goes when the proxy is off");

    let pool = app.db().await;
    let row: (bool, String, i64, bool, String) = sqlx::query_as(
        "SELECT enabled, host, port, use_auth, username FROM proxy_revisions ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(row, (false, "10.10.10.1".into(), 80, true, "u1".into()));
    assert_eq!(app.stored_password().await.as_deref(), Some("pw1"));
    let (_, html) = app.page().await;
    assert!(html.contains("value=\"10.10.10.1\"") && html.contains("value=\"u1\""));
    assert!(!html.contains("id=\"enabled\" name=\"enabled\" value=\"on\" checked"));

    assert_eq!(app.save(&fields[..3]).await.status(), StatusCode::SEE_OTHER);
    assert!(
        app.conf().unwrap().contains("PROXY_HOST 10.10.10.1;"),
        "re-enabling brings it back"
    );
}

#[tokio::test]
async fn a_stale_form_answers_409_with_both_versions_and_overwrites_nothing() {
    let app = TestApp::spawn().await;
    app.save(GOOD).await; // revision 1
    app.save(&[
        ("enabled", "on"),
        ("host", "proxy-b.example.com"),
        ("port", "8080"),
    ])
    .await; // revision 2

    let r = app
        .save(&[
            ("enabled", "on"),
            ("host", "mine.example.com"),
            ("port", "3128"),
            ("revision", "1"),
        ])
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.unwrap();
    assert!(html.contains("saved revision 2"));
    assert!(
        html.contains("<td>mine.example.com</td><td>proxy-b.example.com</td>"),
        "side by side"
    );
    assert!(
        html.contains("value=\"mine.example.com\""),
        "the user's input is kept in the form"
    );
    assert!(
        html.contains("name=\"revision\" value=\"2\""),
        "a second Save is a deliberate overwrite"
    );
    assert_eq!(app.revision_count().await, 2);
    assert!(app.conf().unwrap().contains("proxy-b.example.com"));
}

#[tokio::test]
async fn malformed_posts_get_clear_error_pages_and_save_nothing() {
    let app = TestApp::spawn().await;
    let csrf = format!("&csrf_token={}", app.csrf().await);
    let path = format!("{PAGE}/proxy");
    let form = "application/x-www-form-urlencoded";
    let cases: Vec<(Vec<u8>, &str, StatusCode, &str)> = vec![
        (
            format!("enabled=on&host=10.0.0.1{csrf}").into_bytes(),
            form,
            StatusCode::BAD_REQUEST,
            "missing the fields port, username, revision",
        ),
        (
            format!("enabled=yes-please&host=a&port=1&username=&revision=0{csrf}").into_bytes(),
            form,
            StatusCode::BAD_REQUEST,
            "checkbox value",
        ),
        (
            format!("host=a&port=1&username=&revision=latest{csrf}").into_bytes(),
            form,
            StatusCode::BAD_REQUEST,
            "whole number",
        ),
        (
            b"host=%ff%fe&port=1&username=&revision=0".to_vec(),
            form,
            StatusCode::BAD_REQUEST,
            "not valid UTF-8",
        ),
        (
            b"host=a&host=b&port=1&username=&revision=0".to_vec(),
            form,
            StatusCode::BAD_REQUEST,
            "more than once",
        ),
        (
            br#"{"host":"a"}"#.to_vec(),
            "application/json",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "x-www-form-urlencoded",
        ),
        (
            vec![b'a'; 1024 * 1024],
            form,
            StatusCode::PAYLOAD_TOO_LARGE,
            "too large",
        ),
    ];
    for (body, content_type, status, message) in cases {
        let r = app.post_raw(&path, content_type, body).await;
        assert_eq!(r.status(), status, "expected {status} for {message}");
        let html = r.text().await.unwrap();
        assert!(
            html.contains(message),
            "page for {status} lacks {message:?}: {html}"
        );
        assert!(html.contains("Nothing was saved"));
    }
    assert_eq!(app.revision_count().await, 0);
    assert_eq!(app.conf(), None);
}

#[tokio::test]
async fn an_unwritable_proxy_file_fails_the_whole_save_and_says_why() {
    // The file's path is a directory: rename cannot replace it, whoever runs the test.
    let app = TestApp::spawn().await;
    app.save(GOOD).await;
    std::fs::remove_file(app.conf_path()).unwrap();
    std::fs::create_dir(app.conf_path()).unwrap();

    let r = app
        .save(&[("enabled", "on"), ("host", "10.9.9.9"), ("port", "8080")])
        .await;
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Not saved:") && html.contains("iprep_proxy.conf could not be written"),
        "{html}"
    );
    assert!(html.contains("The database is unchanged"));
    assert!(html.contains("value=\"10.9.9.9\""), "values kept");
    assert_eq!(app.revision_count().await, 1, "database unchanged");
}

#[tokio::test]
async fn a_restart_finds_the_values_and_makes_the_file_agree() {
    let app = TestApp::spawn().await;
    app.save(&[
        ("enabled", "on"),
        ("host", "[2001:db8::10]"),
        ("port", "3128"),
    ])
    .await;
    let dir = app.stop().await;
    let conf = dir.path().join("data/iprep_proxy.conf");
    std::fs::write(&conf, "tampered\n").unwrap();

    let app = TestApp::spawn_in(dir, &[]).await;
    let (_, html) = app.page().await;
    assert!(
        html.contains("value=\"2001:db8::10\""),
        "IPv6 shown bare after restart"
    );
    assert_eq!(
        app.conf().unwrap(),
        "iprep_proxy {\n    PROXY_HOST 2001:db8::10;\n    PROXY_PORT 3128;\n}\n"
    );
}

#[tokio::test]
async fn the_root_redirects_to_the_page_and_unknown_paths_get_a_404_page() {
    let app = TestApp::spawn().await;
    let r = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], PAGE);
    let r = app.client.get(app.url("/nope")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("There is no page at this address.")
    );
    let r = app
        .client
        .get(app.url("/static/fmc.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "text/css; charset=utf-8");
}

/// The text of the `<pre id="…">` block on the page.
fn pre(html: &str, id: &str) -> String {
    let start = position(html, &format!("id=\"{id}\">")) + id.len() + 6;
    html[start..][..html[start..].find("</pre>").unwrap()].to_owned()
}

#[tokio::test]
async fn diagnostics_show_the_file_and_the_connections_to_the_proxy_as_they_are_now() {
    let app = TestApp::spawn().await;
    let proxy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = proxy.local_addr().unwrap().port().to_string();
    let (_, html) = app.page().await;
    assert!(pre(&html, "conf-text").contains("No such file or directory"));

    // A save is seen by the next page load, however soon.
    app.save(&[("enabled", "on"), ("host", "127.0.0.1"), ("port", &port)])
        .await;
    let (_, html) = app.page().await;
    assert_eq!(
        pre(&html, "conf-text"),
        format!("iprep_proxy {{\n    PROXY_HOST 127.0.0.1;\n    PROXY_PORT {port};\n}}\n")
    );
    // Another test's client that picked this port number before the listener did (bind,
    // drop, connect) would show here: the panel is then printed to tell.
    let netstat = pre(&html, "netstat");
    assert!(netstat.contains("no TCP connections"), "{netstat}");

    // A connection to the proxy and a hand edit of the file show within moments (the
    // panel is read at most once every five seconds).
    let _open = std::net::TcpStream::connect(proxy.local_addr().unwrap()).unwrap();
    std::fs::write(app.conf_path(), "edited by hand\n").unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (_, html) = app.page().await;
        let (conf, netstat) = (pre(&html, "conf-text"), pre(&html, "netstat"));
        if conf == "edited by hand\n" && netstat.contains("ESTABLISHED") {
            assert!(netstat.contains(&format!("127.0.0.1:{port}")), "{netstat}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still {conf:?} / {netstat:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// A proxy that tunnels to `target`, as a working proxy does.
fn tunnel_to(target: &TlsTarget) -> FakeProxy {
    FakeProxy::start(Script::Tunnel {
        head: "HTTP/1.1 200 Connection established\r\n\r\n".into(),
        to: target.addr,
    })
}

/// The hidden and typed fields of the *Save anyway* form, as a browser would post them.
fn save_anyway_fields(html: &str, password: Option<&str>) -> Vec<(String, String)> {
    let start = position(html, "id=\"save-anyway\"");
    let form = &html[start..start + html[start..].find("</form>").expect("form ends")];
    let mut fields: Vec<(String, String)> = form
        .split("<input type=\"hidden\" name=\"")
        .skip(1)
        .map(|rest| {
            let (name, rest) = rest.split_once('"').expect("name");
            let value = rest.split_once("value=\"").expect("value").1;
            (
                name.to_owned(),
                value.split_once('"').expect("quote").0.to_owned(),
            )
        })
        .collect();
    if let Some(p) = password {
        fields.push(("password".into(), p.into()));
        fields.push(("confirm_password".into(), p.into()));
    }
    // The button's own name and value, as a browser adds it.
    fields.push(("force".into(), "on".into()));
    fields
}

async fn post_form(app: &TestApp, fields: &[(String, String)]) -> reqwest::Response {
    app.post_raw(
        &format!("{PAGE}/proxy"),
        "application/x-www-form-urlencoded",
        encode(fields).into_bytes(),
    )
    .await
}

#[tokio::test]
async fn test_before_saving_saves_values_that_pass() {
    let target = TlsTarget::start(CertKind::Good);
    let proxy = tunnel_to(&target);
    let app = TestApp::spawn_probing(&target).await;
    let (_, html) = app.page().await;
    assert!(
        html.contains("name=\"test_first\" value=\"on\" aria-describedby"),
        "the checkbox is there and off by default"
    );
    let port = proxy.port().to_string();
    let fields = [
        ("enabled", "on"),
        ("host", "127.0.0.1"),
        ("port", port.as_str()),
        ("test_first", "on"),
    ];
    let r = app.save(&fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.revision_count().await, 1);
    assert_eq!(
        target.requests(),
        1,
        "the values were tested before the save"
    );
    assert!(app.audit_detail("probe").await.starts_with("ok through"));
}

#[tokio::test]
async fn a_failed_test_before_saving_saves_nothing_until_save_anyway_with_the_password_retyped() {
    let target = TlsTarget::start(CertKind::Good);
    let app = TestApp::spawn_probing(&target).await;
    let secret = "n3w-Secr3t!#%";
    let closed = free_port().to_string();
    let fields = [
        ("enabled", "on"),
        ("host", "127.0.0.1"),
        ("port", closed.as_str()),
        ("use_auth", "on"),
        ("username", "proxyuser"),
        ("password", secret),
        ("confirm_password", secret),
        ("test_first", "on"),
    ];
    let r = app.save(&fields).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"probe-result\""), "the result is shown");
    assert!(!html.contains("data-code=\"ok\""), "{html}");
    assert!(
        html.contains("id=\"save-anyway-button\""),
        "Save anyway is offered"
    );
    assert!(html.contains("Type it again") || html.contains("type it again"));
    assert!(
        !html.contains(secret) && !html.contains("n3w-"),
        "the password never comes back"
    );
    assert!(
        html.contains("id=\"test_first\" name=\"test_first\" value=\"on\" checked"),
        "the checkbox stays checked"
    );
    assert_eq!(app.revision_count().await, 0, "nothing saved");
    assert_eq!(app.conf(), None, "no proxy file");

    // Save anyway without the typed password would keep none: refused, still nothing saved.
    let without = save_anyway_fields(&html, None);
    assert!(
        without.contains(&("port".into(), closed.clone())),
        "{without:?}"
    );
    let r = post_form(&app, &without).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let again = r.text().await.unwrap();
    assert!(
        again.contains("Not saved: you typed a new password"),
        "{again}"
    );
    assert!(again.contains("id=\"save-anyway-button\""), "still offered");
    assert_eq!(app.revision_count().await, 0);

    // With it typed again, Save anyway saves these values and that password, untested.
    let r = post_form(&app, &save_anyway_fields(&html, Some(secret))).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.revision_count().await, 1);
    assert_eq!(app.stored_password().await.as_deref(), Some(secret));
    assert!(app.conf().unwrap().contains(&closed));
    assert_eq!(
        app.audit_log()
            .await
            .iter()
            .filter(|(a, _, _)| a == "probe")
            .count(),
        1
    );

    // Blank keeps the stored password: Save anyway then needs nothing typed.
    let keep: Vec<(&str, &str)> = fields
        .iter()
        .copied()
        .filter(|(k, _)| !k.contains("password"))
        .collect();
    let r = app.save(&keep).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(!html.contains("anyway-password"), "no password to retype");
    let r = post_form(&app, &save_anyway_fields(&html, None)).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.stored_password().await.as_deref(), Some(secret));
    assert_eq!(target.requests(), 0);
}

#[tokio::test]
async fn without_test_before_saving_a_save_is_not_tested() {
    let target = TlsTarget::start(CertKind::Good);
    let app = TestApp::spawn_probing(&target).await;
    let closed = free_port().to_string();
    let fields = [
        ("enabled", "on"),
        ("host", "127.0.0.1"),
        ("port", closed.as_str()),
    ];
    assert_eq!(app.save(&fields).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.revision_count().await, 1);
    // Disabling with the box ticked is not tested either: nothing would use the proxy.
    let off = [
        ("host", "127.0.0.1"),
        ("port", closed.as_str()),
        ("test_first", "on"),
    ];
    assert_eq!(app.save(&off).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.revision_count().await, 2);
    // Invalid values are refused as always, without a test.
    let invalid = [
        ("enabled", "on"),
        ("host", "127.0.0.1"),
        ("port", "0"),
        ("test_first", "on"),
    ];
    let r = app.save(&invalid).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("id=\"error-summary\""));
    assert_eq!(app.revision_count().await, 2);
    let probes = app.audit_log().await;
    assert!(!probes.iter().any(|(a, _, _)| a == "probe"), "{probes:?}");
}

#[tokio::test]
async fn test_before_saving_while_a_test_runs_is_refused_with_retry_after_and_saves_nothing() {
    let target = TlsTarget::start(CertKind::Good);
    let silent = FakeProxy::start(Script::Silent);
    let app = TestApp::spawn_probing(&target).await;
    let port = silent.port().to_string();
    let fields = [
        ("enabled", "on"),
        ("host", "127.0.0.1"),
        ("port", port.as_str()),
    ];
    let mut test: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    test.extend([
        ("username".into(), String::new()),
        ("csrf_token".into(), app.csrf().await),
    ]);
    // Test connection holds this session's turn until the silent proxy times out.
    let path = format!("{PAGE}/proxy/test");
    let first = app.post_raw(
        &path,
        "application/x-www-form-urlencoded",
        encode(&test).into_bytes(),
    );
    let second = async {
        while silent
            .seen
            .connections
            .load(std::sync::atomic::Ordering::SeqCst)
            == 0
        {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let mut save = fields.to_vec();
        save.push(("test_first", "on"));
        app.save(&save).await
    };
    let (first, second) = tokio::join!(first, second);
    assert_eq!(first.status(), StatusCode::SEE_OTHER, "the test's result");
    assert_eq!(second.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        second.headers()["retry-after"],
        "5",
        "the probe's time limit"
    );
    let html = second.text().await.unwrap();
    assert!(html.contains("id=\"notice\""), "{html}");
    assert_eq!(app.revision_count().await, 0, "nothing saved");
}
