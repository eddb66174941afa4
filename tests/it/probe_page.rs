//! Test connection from the page and the API, through real squid to a local TLS target.

use crate::support;

use reqwest::StatusCode;
use serde_json::Value;
use support::app::{PAGE, TestApp, encode, hidden};
use support::fake_proxy::{FakeProxy, Script};
use support::squid::{Mode, Squid};
use support::tls_target::{CertKind, TlsTarget};

const TEST: &str = "/system/configuration/management-interfaces/proxy/test";

/// POST the Test connection form with `accept`.
async fn test(app: &TestApp, fields: &[(&str, &str)], accept: &str) -> reqwest::Response {
    let html = app.page().await.1;
    let mut all: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    for name in ["host", "port", "username"] {
        if !all.iter().any(|(k, _)| k == name) {
            all.push((name.into(), String::new()));
        }
    }
    all.push(("csrf_token".into(), hidden(&html, "csrf_token")));
    all.push(("revision".into(), hidden(&html, "revision")));
    app.client
        .post(app.url(TEST))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", accept)
        .body(encode(&all))
        .send()
        .await
        .unwrap()
}

fn proxy_fields(port: &str) -> Vec<(&'static str, String)> {
    vec![
        ("enabled", "on".into()),
        ("host", "127.0.0.1".into()),
        ("port", port.into()),
    ]
}

fn borrow<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, s)| (*k, s.as_str())).collect()
}

#[tokio::test]
async fn without_javascript_the_page_shows_every_stage_ok_and_keeps_the_unsaved_values() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(Mode::Open);
    let app = TestApp::spawn_probing(&target).await;
    let fields = proxy_fields(&squid.port().to_string());
    let r = test(&app, &borrow(&fields), "text/html").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, html) = app.follow(r, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("data-code=\"ok\""), "{html}");
    for stage in [
        "tcp_connect",
        "connect",
        "tls_handshake",
        "https_request",
        "large_request",
        "close",
    ] {
        assert!(
            html.contains(&format!("class=\"stage ok\" data-stage=\"{stage}\"")),
            "{stage} not ok"
        );
    }
    assert!(html.contains("HTTP/1.1 200 Connection established"));
    assert!(html.contains("HTTPS answer: <strong>302</strong>"));
    assert!(
        html.contains(&format!("value=\"{}\"", squid.port())),
        "the form keeps its values"
    );
    assert!(html.contains(&format!("curl -x http://127.0.0.1:{} ", squid.port())));
    assert_eq!(app.revision_count().await, 0, "testing saves nothing");
    assert_eq!(target.requests(), 1);

    let (_, page) = app.page().await;
    assert!(
        page.contains("id=\"last-test\"") && page.contains("<strong>ok</strong>"),
        "Diagnostics shows the last test"
    );
    let detail = app.audit_detail("probe").await;
    assert!(detail.starts_with("ok through 127.0.0.1:"), "{detail}");
}

#[tokio::test]
async fn a_denying_squid_is_explained_as_the_proxy_acl() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(Mode::DenyConnect);
    let app = TestApp::spawn_probing(&target).await;
    let fields = proxy_fields(&squid.port().to_string());
    let r = test(&app, &borrow(&fields), "text/html").await;
    let html = app.follow(r, None).await.1;
    assert!(html.contains("data-code=\"proxy_denied\""));
    assert!(
        html.contains(
            "<h3 id=\"test-result-h\" class=\"test-headline\" tabindex=\"-1\">Access denied by the proxy (proxy_denied)</h3>"
        ),
        "the headline leads with words, the code after: {html}"
    );
    assert!(!html.contains("Test connection: "), "{html}");
    assert!(html.contains("HTTP/1.1 403 Forbidden"));
    assert!(html.contains("class=\"stage fail\" data-stage=\"connect\""));
    assert!(html.contains("class=\"stage skip\" data-stage=\"tls_handshake\""));
    assert!(html.contains("Next step:") && html.contains("access control list"));
    assert_eq!(target.requests(), 0);
}

#[tokio::test]
async fn a_blank_password_tests_with_the_stored_one_which_never_shows() {
    let target = TlsTarget::start(CertKind::Good);
    let secret = "p@ss:w0rd!#%&";
    let squid = Squid::start(Mode::Basic {
        user: "proxyuser".into(),
        password: secret.into(),
    });
    let app = TestApp::spawn_probing(&target).await;
    let port = squid.port().to_string();
    let save = [
        ("enabled", "on"),
        ("host", "127.0.0.1"),
        ("port", port.as_str()),
        ("use_auth", "on"),
        ("username", "proxyuser"),
        ("password", secret),
        ("confirm_password", secret),
    ];
    assert_eq!(app.save(&save).await.status(), StatusCode::SEE_OTHER);

    let blank = [
        ("enabled", "on"),
        ("host", "127.0.0.1"),
        ("port", port.as_str()),
        ("use_auth", "on"),
        ("username", "proxyuser"),
    ];
    let r = test(&app, &blank, "application/json").await;
    assert_eq!(r.status(), StatusCode::OK);
    let text = r.text().await.unwrap();
    assert!(!text.contains("p@ss"), "the password leaked: {text}");
    let report: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report["diagnosis"]["code"], "ok", "{report}");
    let report = &report["reports"][0];
    assert_eq!(report["auth"]["used"], "basic");
    assert_eq!(
        report["curl"].as_str().unwrap(),
        format!(
            "curl -x http://127.0.0.1:{port} -U 'proxyuser:****' --proxy-basic --cacert {} -I https://127.0.0.1:{}",
            target.ca_file.display(),
            target.port()
        )
    );

    let wrong = [
        ("enabled", "on"),
        ("host", "127.0.0.1"),
        ("port", port.as_str()),
        ("use_auth", "on"),
        ("username", "proxyuser"),
        ("password", "not-it"),
        ("confirm_password", "not-it"),
    ];
    let report: Value = test(&app, &wrong, "application/json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        report["diagnosis"]["code"], "proxy_auth_failed",
        "the form's password wins over the stored one"
    );
    for path in [PAGE, "/system/audit-log"] {
        let body = app
            .client
            .get(app.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!body.contains("p@ss") && !body.contains("not-it"), "{path}");
    }
}

#[tokio::test]
async fn the_live_view_streams_each_stage_then_the_rendered_result() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(Mode::Open);
    let app = TestApp::spawn_probing(&target).await;
    let fields = proxy_fields(&squid.port().to_string());
    let r = test(&app, &borrow(&fields), "application/x-ndjson").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/x-ndjson");
    let body = r.text().await.unwrap();
    let events: Vec<Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let stages: Vec<&str> = events
        .iter()
        .filter(|e| e["event"] == "stage")
        .map(|e| e["stage"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        stages,
        [
            "resolve",
            "tcp_connect",
            "connect",
            "tls_handshake",
            "https_request",
            "large_request",
            "close"
        ]
    );
    // The lookup of an IP address had nothing to do: marked skipped, not passed.
    let skipped: Vec<bool> = events
        .iter()
        .filter(|e| e["event"] == "stage")
        .map(|e| e["skipped"] == true)
        .collect();
    assert_eq!(skipped, [true, false, false, false, false, false, false]);
    let done = events.last().unwrap();
    assert_eq!(done["event"], "done");
    let html = done["html"].as_str().unwrap();
    assert!(
        html.contains("class=\"stage ok skipped\" data-stage=\"resolve\">\n      <span class=\"mark\" aria-hidden=\"true\">–</span>"),
        "{html}"
    );
    assert!(html.contains("id=\"test-result-h\""), "{html}");
    assert_eq!(done["result"]["ok"], true);
    assert_eq!(done["result"]["reports"][0]["ok"], true);
    assert!(
        done["html"]
            .as_str()
            .unwrap()
            .contains("id=\"probe-result\"")
    );
}

/// The `<p id="last-test">…</p>` of a page or fragment.
fn last_test_line(html: &str) -> &str {
    let start = html.find("<p id=\"last-test\">").expect("a last test line");
    let end = start + html[start..].find("</p>").expect("its end");
    &html[start..end]
}

/// The netstat lines of a page or fragment.
fn netstat_lines(html: &str) -> Vec<String> {
    let marker = "id=\"netstat\">";
    let start = html.find(marker).expect("netstat lines") + marker.len();
    let end = start + html[start..].find("</pre>").expect("their end");
    html[start..end].lines().map(str::to_owned).collect()
}

#[tokio::test]
async fn the_live_views_last_message_brings_the_panels_last_test_and_netstat_read_after_it() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(Mode::Open);
    let app = TestApp::spawn_probing(&target).await;
    let port = squid.port().to_string();
    let fields = proxy_fields(&port);
    // Saved, so the panel's netstat lines are those to squid; in Chinese, the admin's choice.
    assert_eq!(
        app.save(&borrow(&fields)).await.status(),
        StatusCode::SEE_OTHER
    );
    app.choose_language("zh-CN").await;
    // The page before the test: no test yet, and netstat lines kept for five seconds.
    let before = app.page().await.1;
    assert!(before.contains("服务器启动后尚未进行测试。"), "{before}");
    let kept = netstat_lines(&before);
    let held = std::net::TcpStream::connect(("127.0.0.1", squid.port())).unwrap();

    let r = test(&app, &borrow(&fields), "application/x-ndjson").await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    let done: Value = serde_json::from_str(body.lines().last().unwrap()).unwrap();
    assert_eq!(done["event"], "done");
    let diag = done["diagnostics"].as_str().expect("the panel's fragment");
    assert!(diag.starts_with("<div id=\"diagnostics-live\">"), "{diag}");
    assert!(
        diag.contains("上次测试连接"),
        "in the page's language: {diag}"
    );
    assert!(!diag.contains("Last Test connection"), "{diag}");
    assert!(
        last_test_line(diag).contains("<strong>ok</strong>"),
        "{diag}"
    );
    assert!(!diag.contains("服务器启动后尚未进行测试"), "{diag}");
    // netstat read after the test, not the page's kept copy: a connection to squid opened
    // after the page was read is listed. (The probe's own may leave no trace: a close with
    // data unread resets it, which leaves no TIME_WAIT.)
    let line = format!("{} ", held.local_addr().unwrap());
    let fresh = netstat_lines(diag);
    assert!(!kept.iter().any(|l| l.contains(&line)), "{kept:?}");
    assert!(
        fresh
            .iter()
            .any(|l| l.contains(&line) && l.contains(&format!("127.0.0.1:{port} "))),
        "kept {kept:?}, after the test {fresh:?}"
    );
    drop(held);
    // The same fragment a reload shows.
    let after = app.page().await.1;
    assert_eq!(last_test_line(&after), last_test_line(diag));
    assert!(after.contains("<div id=\"diagnostics-live\">"), "{after}");
}

#[tokio::test]
async fn bad_values_are_refused_before_any_connection() {
    let target = TlsTarget::start(CertKind::Good);
    let app = TestApp::spawn_probing(&target).await;
    let r = test(
        &app,
        &[("host", "http://proxy:3128"), ("port", "80")],
        "text/html",
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        app.follow(r, None)
            .await
            .1
            .contains("Enter the host only; the port goes in Port.")
    );
    let r = test(&app, &[("host", ""), ("port", "")], "application/json").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert!(body["fields"]["host"].is_string() && body["fields"]["port"].is_string());
}

#[tokio::test]
async fn one_test_per_session_and_closing_the_stream_cancels_it() {
    let target = TlsTarget::start(CertKind::Good);
    let silent = FakeProxy::start(Script::Silent);
    let app = TestApp::spawn_probing(&target).await;
    let fields = proxy_fields(&silent.port().to_string());
    let mut running = test(&app, &borrow(&fields), "application/x-ndjson").await;
    assert_eq!(running.status(), StatusCode::OK);
    // The first stages arrive while the proxy stays silent.
    let first = running.chunk().await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&first).contains("\"stage\""));

    let second = test(&app, &borrow(&fields), "application/json").await;
    assert_eq!(second.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(
        second.headers().contains_key("retry-after"),
        "a refused test says when to try again"
    );
    assert!(second.text().await.unwrap().contains("already running"));

    drop(running); // the tab closes
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    loop {
        let r = test(
            &app,
            &[("host", "127.0.0.1"), ("port", "1")],
            "application/json",
        )
        .await;
        if r.status() == StatusCode::OK {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the cancelled test still holds the session's place"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_api_tests_the_saved_settings_or_the_values_given() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(Mode::Open);
    let app = TestApp::spawn_probing(&target).await;
    let port = squid.port().to_string();
    app.save(&[
        ("enabled", "on"),
        ("host", "127.0.0.1"),
        ("port", port.as_str()),
    ])
    .await;
    let csrf = app.csrf().await;
    let origin = format!("http://{}", app.addr);
    let post = |body: String| {
        app.client
            .post(app.url("/api/v1/proxy/test"))
            .header("x-csrf-token", &csrf)
            .header("origin", &origin)
            .header("content-type", "application/json")
            .body(body)
    };
    let saved: Value = post(String::new())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(saved["diagnosis"]["code"], "ok");
    let given: Value = post(r#"{"host": "127.0.0.1", "port": 1}"#.into())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(given["diagnosis"]["code"], "proxy_unreachable");
    let bad = post(r#"{"host": "a b", "port": 1}"#.into())
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_cli_probes_the_saved_settings_with_from_config() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(Mode::Digest {
        user: "proxyuser".into(),
        password: "p@ss:w0rd!#%&".into(),
    });
    let app = TestApp::spawn_probing(&target).await;
    let port = squid.port().to_string();
    let save = [
        ("enabled", "on"),
        ("host", "127.0.0.1"),
        ("port", port.as_str()),
        ("use_auth", "on"),
        ("username", "proxyuser"),
        ("password", "p@ss:w0rd!#%&"),
        ("confirm_password", "p@ss:w0rd!#%&"),
    ];
    assert_eq!(app.save(&save).await.status(), StatusCode::SEE_OTHER);

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fmc-mgmt"))
        .args(["probe", "--from-config", "--json", "--data-dir"])
        .arg(app.data_dir())
        .args([
            "--target",
            &format!("127.0.0.1:{}", target.port()),
            "--cacert",
        ])
        .arg(&target.ca_file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["diagnosis"]["code"], "ok");
    assert_eq!(report["auth"]["used"], "digest");
    assert!(!stdout.contains("p@ss"));

    let missing = std::process::Command::new(env!("CARGO_BIN_EXE_fmc-mgmt"))
        .args(["probe", "--from-config", "--data-dir", "/nonexistent/fmc"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("no database at /nonexistent/fmc/fmc.db")
    );
}

#[tokio::test]
async fn a_reset_in_the_tunnel_names_mtu_and_the_interface_toward_the_proxy() {
    let target = TlsTarget::start(CertKind::Good);
    let resetting = FakeProxy::start(Script::OkThenReset);
    let app = TestApp::spawn_probing(&target).await;
    let fields = proxy_fields(&resetting.port().to_string());
    let report: Value = test(&app, &borrow(&fields), "application/json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["diagnosis"]["code"], "connection_reset");
    let lo_mtu = std::fs::read_to_string("/sys/class/net/lo/mtu").unwrap();
    let hint = report["diagnosis"]["hint"].as_str().unwrap();
    assert!(hint.contains("MTU"), "{hint}");
    assert!(
        hint.contains(&format!("through lo, whose MTU is {}", lo_mtu.trim())),
        "{hint}"
    );
}

/// The test history's ids, newest first.
async fn history_ids(app: &TestApp) -> Vec<i64> {
    let pool = app.db().await;
    let ids: Vec<(i64,)> = sqlx::query_as("SELECT id FROM proxy_tests ORDER BY id DESC")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    ids.into_iter().map(|(id,)| id).collect()
}

#[tokio::test]
async fn without_javascript_a_test_redirects_to_its_result_and_a_refresh_does_not_run_it_again() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(Mode::Open);
    let app = TestApp::spawn_probing(&target).await;
    let mut fields = proxy_fields(&squid.port().to_string());
    fields.push(("username", "typed-user".into()));
    fields.push(("use_auth", "on".into()));
    fields.push(("password", "typed-Secret1".into()));
    fields.push(("confirm_password", "typed-Secret1".into()));
    let r = test(&app, &borrow(&fields), "text/html").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let ids = history_ids(&app).await;
    assert_eq!(ids.len(), 1, "one test stored");
    assert_eq!(
        location,
        format!("{PAGE}?test={}#test-result", ids[0]),
        "the result opens in view"
    );
    for cookie in r.headers().get_all("set-cookie") {
        assert!(!cookie.to_str().unwrap().contains("typed-Secret1"));
    }

    // The page shows the result with what was tested, and keeps the unsaved values.
    for round in 0..2 {
        let r = app.client.get(app.url(&location)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let html = r.text().await.unwrap();
        assert!(html.contains("id=\"test-result\""), "{round}: {html}");
        assert!(html.contains("data-code=\"ok\""), "{round}");
        assert!(
            html.contains(&format!(
                "<dd id=\"tested-proxy\">127.0.0.1:{}</dd>",
                squid.port()
            )),
            "{html}"
        );
        assert!(html.contains("<dd id=\"tested-user\">typed-user</dd>"));
        assert!(html.contains("id=\"tested-unsaved\">These values are not saved.</p>"));
        assert!(!html.contains("tested-disabled"), "Enabled was ticked");
        assert!(
            html.contains(&format!("name=\"port\" value=\"{}\"", squid.port())),
            "the tested values stay in the form"
        );
        assert!(html.contains("value=\"typed-user\""));
        assert!(!html.contains("typed-Secret1"), "never the password");
        // Durations read at a glance: "12.3 ms", "4 ms", "10.0 s", never "10003.33 ms".
        for ms in html.split("<span class=\"ms\">").skip(1) {
            let said = &ms[..ms.find('<').unwrap()];
            if said.is_empty() {
                continue; // a stage that did not run
            }
            let (number, unit) = said.split_once(' ').unwrap_or((said, ""));
            let decimals = number.split_once('.').map_or(0, |(_, d)| d.len());
            assert!(matches!(unit, "ms" | "s") && decimals <= 1, "{said:?}");
            assert!(
                unit == "s" || number.parse::<f64>().unwrap() < 1000.0,
                "{said:?}"
            );
        }
    }
    assert_eq!(history_ids(&app).await, ids, "a refresh runs no test");
    assert_eq!(app.revision_count().await, 0, "testing saves nothing");

    // An unknown test is simply not shown.
    let r = app
        .client
        .get(app.url(&format!("{PAGE}?test={}", ids[0] + 100)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(!r.text().await.unwrap().contains("id=\"test-result\""));
}

#[tokio::test]
async fn a_test_with_enabled_unticked_says_the_proxy_is_disabled() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(Mode::Open);
    let app = TestApp::spawn_probing(&target).await;
    let port = squid.port().to_string();
    let fields = [("host", "127.0.0.1"), ("port", port.as_str())];
    let r = test(&app, &fields, "text/html").await;
    let html = app.follow(r, None).await.1;
    assert!(html.contains("data-code=\"ok\""), "{html}");
    assert!(
        html.contains(
            "id=\"tested-disabled\">The proxy is disabled: appliances do not use it.</p>"
        ),
        "{html}"
    );
}

#[tokio::test]
async fn a_test_refused_by_the_field_checks_is_headed_not_tested() {
    let app = TestApp::spawn().await;
    let r = test(
        &app,
        &[
            ("enabled", "on"),
            ("host", "http://proxy:3128"),
            ("port", "80"),
        ],
        "text/html",
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()["location"],
        format!("{PAGE}?test=refused#error-summary").as_str(),
        "the page opens at the error summary"
    );
    let html = app.follow(r, None).await.1;
    assert!(
        html.contains("id=\"error-summary\" tabindex=\"-1\">\n      <h3>Not tested: 1 field needs attention</h3>"),
        "{html}"
    );
    assert!(!html.contains("Not saved"), "nothing was being saved");
    assert!(
        html.contains("value=\"http://proxy:3128\""),
        "the typed value stays"
    );
    assert!(history_ids(&app).await.is_empty());

    // The live view gets the same, in place.
    let r = test(
        &app,
        &[("host", ""), ("port", "80")],
        "application/x-ndjson",
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    let summary = body["summary"].as_str().unwrap();
    assert!(
        summary.contains("<h3>Not tested: 1 field needs attention</h3>"),
        "{summary}"
    );
    assert!(summary.contains("href=\"#host\""), "{summary}");
    assert!(body["fields"]["host"].is_string(), "{body}");
}

#[tokio::test]
async fn a_cancelled_live_test_frees_the_session_at_once() {
    let target = TlsTarget::start(CertKind::Good);
    let silent = FakeProxy::start(Script::Silent);
    let app = TestApp::spawn_probing(&target).await;
    let fields = proxy_fields(&silent.port().to_string());
    let mut running = test(&app, &borrow(&fields), "application/x-ndjson").await;
    assert_eq!(running.status(), StatusCode::OK);
    let first = running.chunk().await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&first).contains("\"stage\""));
    drop(running); // Cancel: the browser aborts the request
    // The server notices the closed connection itself, not at its next write: the next
    // test, well inside the silent proxy's read timeout, is not refused as a second one.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let started = std::time::Instant::now();
    let r = test(
        &app,
        &[("host", "127.0.0.1"), ("port", "1")],
        "application/json",
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[tokio::test]
async fn a_refused_connection_names_the_proxys_address_once() {
    let app = TestApp::spawn_with(&["--probe-max-time", "5"]).await;
    let r = test(
        &app,
        &[("enabled", "on"), ("host", "127.0.0.1"), ("port", "1")],
        "application/json",
    )
    .await;
    let body: Value = r.json().await.unwrap();
    let summary = body["diagnosis"]["summary"].as_str().unwrap();
    assert_eq!(body["diagnosis"]["code"], "proxy_unreachable", "{body}");
    assert_eq!(summary.matches("127.0.0.1:1").count(), 1, "{summary}");
    assert!(summary.contains("connection refused"), "{summary}");
}
