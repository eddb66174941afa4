//! Test targets (SPEC §6, issue 14 item 6): saved with each revision, in its history and
//! rollback; probed at once, one report and one page row per target, the worst on top.

use std::time::{Duration, Instant};

use crate::support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::app::{PAGE, TestApp, encode, hidden};
use support::fake_proxy::{FakeProxy, Script};
use support::tls_target::{CertKind, SLOW, TlsTarget};

const TEST: &str = "/system/configuration/management-interfaces/proxy/test";
const HISTORY: &str = "/system/configuration/management-interfaces/proxy/history";

/// A proxy that tunnels every CONNECT to `target`, whatever host it names.
fn tunnel_to(target: &TlsTarget) -> FakeProxy {
    FakeProxy::start(Script::Tunnel {
        head: "HTTP/1.1 200 Connection established\r\n\r\n".into(),
        to: target.addr,
    })
}

/// POST Test connection with the proxy on `port`, `targets`, answered as `accept` asks.
async fn test(app: &TestApp, port: u16, targets: &str, accept: &str) -> reqwest::Response {
    let html = app.page().await.1;
    let fields = [
        ("host", "127.0.0.1".to_owned()),
        ("port", port.to_string()),
        ("username", String::new()),
        ("targets", targets.to_owned()),
        ("csrf_token", hidden(&html, "csrf_token")),
        ("revision", hidden(&html, "revision")),
    ]
    .map(|(k, v)| (k.to_owned(), v));
    app.client
        .post(app.url(TEST))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", accept)
        .body(encode(&fields))
        .send()
        .await
        .unwrap()
}

/// The JSON answer of a test and how long it took.
async fn timed_test(app: &TestApp, port: u16, targets: &str) -> (Value, Duration) {
    let started = Instant::now();
    let r = test(app, port, targets, "application/json").await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.json().await.unwrap();
    (body, started.elapsed())
}

fn urls(result: &Value) -> Vec<String> {
    result["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["url"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn three_slow_targets_take_as_long_as_the_slowest_not_the_sum() {
    let target = TlsTarget::start(CertKind::Good);
    let proxy = tunnel_to(&target);
    let app = TestApp::spawn_probing(&target).await;
    let p = target.port();

    let (one, alone) =
        timed_test(&app, proxy.port(), &format!("https://127.0.0.1:{p}/slow?a")).await;
    assert_eq!(one["ok"], true, "{one}");
    assert!(
        alone >= SLOW,
        "the slow target answers after {SLOW:?}: {alone:?}"
    );

    let three = format!(
        "https://127.0.0.1:{p}/slow?a\nhttps://127.0.0.1:{p}/slow?b\nhttps://localhost:{p}/slow?c"
    );
    let (result, together) = timed_test(&app, proxy.port(), &three).await;
    eprintln!("one slow target: {alone:?}; three at once: {together:?}");
    assert_eq!(result["ok"], true, "{result}");
    assert_eq!(result["diagnosis"]["code"], "ok");
    assert_eq!(
        urls(&result),
        [
            format!("https://127.0.0.1:{p}/slow?a"),
            format!("https://127.0.0.1:{p}/slow?b"),
            format!("https://localhost:{p}/slow?c"),
        ]
    );
    // One after another they would take at least 3 × SLOW.
    assert!(
        together < Duration::from_secs(2) && together.as_secs_f64() < 1.6 * alone.as_secs_f64(),
        "three targets took {together:?}, one alone {alone:?}: not concurrent"
    );
    assert_eq!(target.requests(), 4, "each target probed once");
}

#[tokio::test]
async fn the_worst_target_is_on_top_in_json_and_on_the_page() {
    let target = TlsTarget::start(CertKind::Good);
    let proxy = tunnel_to(&target);
    let app = TestApp::spawn_probing(&target).await;
    let p = target.port();
    // The proxy tunnels every name to the target, whose certificate names 127.0.0.1 and
    // localhost only: the second target fails the name check.
    let targets =
        format!("https://127.0.0.1:{p}/\n\n  https://wrong.example:{p}/x  \nlocalhost:{p}");

    let (result, _) = timed_test(&app, proxy.port(), &targets).await;
    assert_eq!(result["ok"], false, "{result}");
    assert_eq!(result["diagnosis"]["code"], "tls_name_mismatch");
    assert_eq!(
        urls(&result),
        [
            format!("https://wrong.example:{p}/x"),
            format!("https://127.0.0.1:{p}/"),
            format!("https://localhost:{p}/"),
        ],
        "the worst first, then the others in their order"
    );
    let reports = result["reports"].as_array().unwrap();
    assert_eq!(reports[0]["diagnosis"], result["diagnosis"]);
    assert!(reports[1]["ok"] == true && reports[2]["ok"] == true);
    assert!(!reports[1]["stages"].as_array().unwrap().is_empty());

    // Without JavaScript: one row per target, the worst on top, each with its stages.
    let r = test(&app, proxy.port(), &targets, "text/html").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "Post/Redirect/Get");
    let (status, html) = app.follow(r, None).await;
    assert_eq!(status, StatusCode::OK);
    let rows: Vec<&str> = html.split("<div class=\"probe-result ").skip(1).collect();
    assert_eq!(rows.len(), 3, "{html}");
    assert!(rows[0].starts_with(&format!(
        "is-fail\" id=\"probe-result\" data-code=\"tls_name_mismatch\" data-url=\"https://wrong.example:{p}/x\""
    )));
    assert!(rows[1].starts_with(&format!(
        "is-ok\" id=\"probe-result-2\" data-code=\"ok\" data-url=\"https://127.0.0.1:{p}/\""
    )));
    assert!(rows[2].starts_with("is-ok\" id=\"probe-result-3\""));
    for row in &rows[1..] {
        assert!(
            row.contains("class=\"stage ok\" data-stage=\"https_request\""),
            "{row}"
        );
    }
    assert!(rows[0].contains("class=\"stage fail\" data-stage=\"tls_handshake\""));
    assert!(html.contains("3 targets; the worst result is first."));
    assert!(
        html.contains(&format!(
            "<span id=\"last-targets\">(the worst of 3 targets: https://wrong.example:{p}/x)</span>"
        )),
        "the Diagnostics panel's last test names the target that decided it"
    );
    assert!(html.contains("id=\"probe-test\" data-code=\"tls_name_mismatch\" data-targets=\"3\""));
    // The values tested stay in the form, unsaved.
    assert!(html.contains(&format!(
        "https://127.0.0.1:{p}/\n\n  https://wrong.example:{p}/x"
    )));

    // The history keeps every report of the test.
    let db = app.db().await;
    let (code, reports): (String, String) =
        sqlx::query_as("SELECT code, reports FROM proxy_tests ORDER BY id DESC LIMIT 1")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(code, "tls_name_mismatch");
    assert_eq!(
        serde_json::from_str::<Vec<Value>>(&reports).unwrap().len(),
        3
    );
}

#[tokio::test]
async fn the_live_view_tags_each_stage_with_its_target() {
    let target = TlsTarget::start(CertKind::Good);
    let proxy = tunnel_to(&target);
    let app = TestApp::spawn_probing(&target).await;
    let p = target.port();
    let targets = format!("https://127.0.0.1:{p}/\nhttps://localhost:{p}/");
    let r = test(&app, proxy.port(), &targets, "application/x-ndjson").await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    let events: Vec<Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (done, stages) = events.split_last().unwrap();
    for index in [0, 1] {
        let url = if index == 0 {
            format!("https://127.0.0.1:{p}/")
        } else {
            format!("https://localhost:{p}/")
        };
        let mine: Vec<&Value> = stages.iter().filter(|e| e["target"] == index).collect();
        assert!(mine.len() >= 5, "{body}");
        assert!(
            mine.iter()
                .all(|e| e["event"] == "stage" && e["url"] == url.as_str())
        );
    }
    assert_eq!(done["event"], "done");
    assert_eq!(done["result"]["ok"], true);
    assert_eq!(done["result"]["reports"].as_array().unwrap().len(), 2);
    let html = done["html"].as_str().unwrap();
    assert!(html.contains("id=\"probe-result\"") && html.contains("id=\"probe-result-2\""));
}

#[tokio::test]
async fn targets_are_saved_shown_in_history_rolled_back_and_kept_out_of_the_proxy_file() {
    let app = TestApp::spawn().await;
    let on = [("enabled", "on"), ("host", "10.0.0.1"), ("port", "3128")];
    let r = app.save(&on).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "saved");
    let file = app.conf();

    let mut with_targets = on.to_vec();
    with_targets.push((
        "targets",
        " https://a.example/ \r\n\r\nb.example:8443 download\r\n",
    ));
    assert_eq!(
        app.save(&with_targets).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.revision_count().await, 2);
    assert_eq!(app.conf(), file, "targets are not part of iprep_proxy.conf");
    let html = app.page().await.1;
    assert!(
        html.contains(">https://a.example/\nhttps://b.example:8443/ download</textarea>"),
        "saved and shown one per line"
    );

    let history = app.client.get(app.url(HISTORY)).send().await.unwrap();
    let history = history.text().await.unwrap();
    assert!(
        history.contains("targets (empty) → https://a.example/, https://b.example:8443/ download"),
        "{history}"
    );

    // Rollback to revision 1 restores the default target.
    let r = crate::history::rollback(&app, "1", "2").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "rolled back");
    let db = app.db().await;
    let stored: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, targets FROM proxy_revisions ORDER BY id")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(
        stored,
        [
            (1, "[]".to_owned()),
            (
                2,
                r#"["https://a.example/","https://b.example:8443/ download"]"#.to_owned()
            ),
            (3, "[]".to_owned()),
        ]
    );
    let history = app.client.get(app.url(HISTORY)).send().await.unwrap();
    assert!(
        history
            .text()
            .await
            .unwrap()
            .contains("targets https://a.example/, https://b.example:8443/ download → (empty)")
    );
}

#[tokio::test]
async fn a_bad_target_is_refused_naming_its_line_and_the_other_values_are_kept() {
    let app = TestApp::spawn().await;
    let r = app
        .save(&[
            ("enabled", "on"),
            ("host", "10.0.0.7"),
            ("port", "3128"),
            ("targets", "https://ok.example/\nftp://files.example/"),
        ])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Line 2: only https:// and http:// URLs can be tested, not ftp://."),
        "{html}"
    );
    assert!(html.contains("value=\"10.0.0.7\""));
    assert!(html.contains(">https://ok.example/\nftp://files.example/</textarea>"));
    assert_eq!(app.revision_count().await, 0);

    let nine: Vec<String> = (1..=9).map(|i| format!("https://h{i}.example/")).collect();
    let r = app.save(&[("targets", nine.join("\n").as_str())]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Line 9: at most 8 targets can be tested.")
    );
}

#[tokio::test]
async fn the_api_reads_writes_and_tests_targets_as_lines() {
    let target = TlsTarget::start(CertKind::Good);
    let proxy = tunnel_to(&target);
    let app = TestApp::spawn_probing(&target).await;
    let token = crate::api::make_token(&app, "targets").await;
    let p = target.port();
    let put =
        |body: Value| crate::api::bearer(&app, Method::PUT, "/api/v1/proxy", &token).json(&body);

    // A bad entry: 422 naming it, never 500, nothing saved.
    for (targets, said) in [
        (
            json!(["https://a.example/", "https://a.example/"]),
            "Line 2: https://a.example/ is already on line 1.",
        ),
        (
            json!(["https://a.example/ fetch"]),
            "Line 1: only the word \"download\" may follow the URL, not \"fetch\".",
        ),
        (
            json!(["https://bad_host/"]),
            "Line 1: \"bad_host\" is not a valid host name or IP address.",
        ),
    ] {
        let r = put(json!({"enabled": false, "revision": 0, "targets": targets}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["fields"]["targets"], said, "{body}");
    }
    assert_eq!(app.revision_count().await, 0);

    let lines = json!([
        format!("https://127.0.0.1:{p}/ download"),
        format!("localhost:{p}")
    ]);
    let r = put(
        json!({"enabled": true, "host": "127.0.0.1", "port": proxy.port(),
                       "revision": 0, "targets": lines}),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let saved: Value = r.json().await.unwrap();
    let normal = json!([
        format!("https://127.0.0.1:{p}/ download"),
        format!("https://localhost:{p}/")
    ]);
    assert_eq!(saved["targets"], normal);
    let got: Value = crate::api::bearer(&app, Method::GET, "/api/v1/proxy", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["targets"], normal);
    let revisions: Value = crate::api::bearer(&app, Method::GET, "/api/v1/proxy/revisions", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(revisions[0]["targets"], normal);

    // No body tests the saved targets; the answer is the envelope.
    let r = crate::api::bearer(&app, Method::POST, "/api/v1/proxy/test", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let result: Value = r.json().await.unwrap();
    assert_eq!(result["ok"], true, "{result}");
    assert_eq!(result["diagnosis"]["code"], "ok");
    assert_eq!(
        urls(&result),
        [
            format!("https://127.0.0.1:{p}/"),
            format!("https://localhost:{p}/")
        ]
    );
    // A body's targets are tested instead.
    let r = crate::api::bearer(&app, Method::POST, "/api/v1/proxy/test", &token)
        .json(&json!({"host": "127.0.0.1", "port": proxy.port(),
                      "targets": [format!("https://wrong.example:{p}/")]}))
        .send()
        .await
        .unwrap();
    let result: Value = r.json().await.unwrap();
    assert_eq!(result["diagnosis"]["code"], "tls_name_mismatch", "{result}");
    assert_eq!(result["reports"].as_array().unwrap().len(), 1);
    let r = crate::api::bearer(&app, Method::POST, "/api/v1/proxy/test", &token)
        .json(&json!({"host": "127.0.0.1", "port": proxy.port(), "targets": ["gopher://x/"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_page_offers_the_targets_field_in_the_proxy_section() {
    let app = TestApp::spawn_with(&["--probe-target", "127.0.0.1:9443"]).await;
    let html = app.page().await.1;
    assert!(html.contains("<label for=\"targets\">Test targets</label>"));
    assert!(html.contains("placeholder=\"https://127.0.0.1:9443/\""));
    assert!(
        html.contains("<p class=\"hint\" id=\"targets-hint\">One URL per line, up to 8; add "),
        "{html}"
    );
    assert!(html.contains(&format!("action=\"{PAGE}/proxy\"")));
}

/// The document's pattern for a `targets` entry accepts exactly what the server does (so
/// Schemathesis's positive and negative data agree with it), checked with Python's `re`,
/// as Schemathesis reads it.
#[test]
fn the_documented_target_pattern_is_the_parsers_rule() {
    let long_name = format!(
        "{}.{}.{}.{}",
        "a".repeat(63),
        "b".repeat(63),
        "c".repeat(63),
        "d".repeat(61)
    );
    let too_long = format!("{long_name}e");
    let lines: Vec<String> = [
        "",
        " ",
        "\t\u{3000}",
        "https://a.example/",
        "HTTP://a.example",
        "a.example",
        "a.example.",
        "a.example:8443/x?y#z",
        "  https://h/ download  ",
        "h DOWNLOAD",
        "h download x",
        "h fetch",
        "https://[::1]:443/",
        "[::1]",
        "::1",
        "https://[h]/",
        "https://h:0/",
        "https://h:65535/",
        "https://h:65536/",
        "https://h:00080/",
        "https://h:/",
        "ftp://h/",
        "user@h",
        "https://u@h/",
        "https://h/@x",
        "h/x://y",
        "https://h/x://y",
        "1.2.3.4",
        "1.2.3",
        "1.2.3.4.",
        "10.0.0.1a",
        "1..2",
        "a..b",
        "-a",
        "a-",
        "pro_xy",
        "https://h/é",
        "https://h/#é",
        "https://h#frag",
        "https://h?q",
        "https:///p",
        "https://",
        "h\u{2003}download",
        "\u{a0}h\u{a0}",
        "https://h/\u{1c}",
        "\u{1c}h",
        "h\u{85}",
        "https://h\u{2028}x",
        &long_name,
        &too_long,
        &format!("{long_name}."),
        "https://1.2.3.4:1/",
        "https://[::ffff:1.2.3.4]/",
        "https://[1:2:3:4:5:6:7:8:9]/",
        "http://a:1:2/",
        "0.0.0.0",
        "https://09.1.1.1/",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let pattern = fmc_mgmt::web::api_doc::target_line_pattern();
    let script = "import json, re, sys\n\
                  data = json.load(sys.stdin)\n\
                  print(json.dumps([re.search(data['pattern'], l) is not None for l in data['lines']]))";
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    let input = json!({"pattern": pattern, "lines": lines}).to_string();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let matched: Vec<bool> = serde_json::from_slice(&out.stdout).expect("python's answer");
    assert_eq!(matched.len(), lines.len());
    let accepted = matched.iter().filter(|m| **m).count();
    assert!(accepted > 15 && accepted < lines.len() - 15, "{matched:?}");
    let mut disagree = Vec::new();
    for (line, documented) in lines.iter().zip(matched) {
        let parsed = fmc_mgmt::settings::targets::parse_lines([line.as_str()]).is_ok();
        if parsed != documented {
            disagree.push(format!("{line:?}: parser {parsed}, pattern {documented}"));
        }
    }
    assert!(disagree.is_empty(), "{}", disagree.join("\n"));
}
