//! Scheduled tests and `GET /metrics` (SPEC §6 "Schedule and metrics"), against a real
//! squid and a TLS target on loopback.

use crate::api::make_token;
use std::time::Duration;

use crate::support;

use clap::Parser;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::app::TestApp;
use support::squid::{Mode, Squid, free_port};
use support::tls_target::{CertKind, TlsTarget};

const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

fn bearer(app: &TestApp, method: Method, path: &str, token: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .request(method, app.url(path))
        .bearer_auth(token)
}

/// The flags of an app probing `target` (as `TestApp::spawn_probing` starts it).
fn probing_flags(target: &TlsTarget) -> Vec<String> {
    let ca = target.ca_file.to_str().expect("UTF-8 path");
    [
        "--probe-target",
        &format!("127.0.0.1:{}", target.port()),
        "--ca-file",
        ca,
        "--probe-read-timeout",
        "2",
        "--probe-max-time",
        "5",
    ]
    .map(str::to_owned)
    .to_vec()
}

/// Save `squid` as the proxy through the API.
async fn save_proxy(app: &TestApp, token: &str, port: u16) {
    let body = json!({"enabled": true, "host": "127.0.0.1", "port": port, "use_auth": false,
                      "revision": 0});
    let r = bearer(app, Method::PUT, "/api/v1/proxy", token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
}

async fn scrape(app: &TestApp, token: &str) -> String {
    let r = bearer(app, Method::GET, "/metrics", token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], CONTENT_TYPE);
    r.text().await.unwrap()
}

/// The value of the sample whose series (name and labels) is exactly `series`.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .map(|v| v.parse().expect("a number"))
}

fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// Every line is a HELP or TYPE comment or `name{labels} number`.
fn assert_prometheus_lines(text: &str) {
    for line in text.lines() {
        if line.starts_with("# HELP fmc_proxy_probe_")
            || line.starts_with("# TYPE fmc_proxy_probe_")
        {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("name{labels} value");
        assert!(value.parse::<f64>().is_ok(), "{line}");
        assert!(
            series.starts_with("fmc_proxy_probe_") && series.ends_with("\"}"),
            "{line}"
        );
    }
}

#[tokio::test]
async fn metrics_need_an_api_token_and_answer_401_with_a_bearer_challenge() {
    let app = TestApp::spawn().await;
    let anonymous = reqwest::Client::new();
    let r = anonymous.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(
        r.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer ")
    );
    let r = anonymous
        .get(app.url("/metrics"))
        .bearer_auth("fmct_not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // A signed-in browser session is not a scraper's credential either.
    let r = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let token = make_token(&app, "prometheus").await;
    let text = scrape(&app, &token).await;
    assert!(
        text.lines().all(|l| l.starts_with("# ")),
        "no test yet, no samples:\n{text}"
    );
    assert!(text.contains("# TYPE fmc_proxy_probe_ok gauge\n"), "{text}");
}

#[tokio::test]
async fn metrics_show_the_latest_test_of_each_target_passed_then_failed() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(Mode::Open);
    let flags = probing_flags(&target);
    let app = TestApp::spawn_with(&flags.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let token = make_token(&app, "prometheus").await;
    save_proxy(&app, &token, squid.port()).await;

    let r = bearer(&app, Method::POST, "/api/v1/proxy/test", &token)
        .send()
        .await
        .unwrap();
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["ok"], true, "{report}");

    let text = scrape(&app, &token).await;
    assert_prometheus_lines(&text);
    let label = format!("target=\"https://127.0.0.1:{}/\"", target.port());
    assert_eq!(
        sample(&text, &format!("fmc_proxy_probe_ok{{{label}}}")),
        Some(1.0),
        "{text}"
    );
    for stage in [
        "tcp_connect",
        "connect",
        "tls_handshake",
        "https_request",
        "total",
    ] {
        let series = format!("fmc_proxy_probe_duration_seconds{{{label},stage=\"{stage}\"}}");
        let seconds = sample(&text, &series).unwrap_or_else(|| panic!("{series} in\n{text}"));
        assert!((0.0..5.0).contains(&seconds), "{series} {seconds}");
    }
    let total = report["reports"][0]["total_ms"].as_f64().unwrap() / 1000.0;
    let series = format!("fmc_proxy_probe_duration_seconds{{{label},stage=\"total\"}}");
    assert!((sample(&text, &series).unwrap() - total).abs() < 1e-4);
    let at = sample(
        &text,
        &format!("fmc_proxy_probe_last_run_timestamp_seconds{{{label}}}"),
    )
    .expect("a timestamp");
    assert!((now() - 60.0..=now() + 1.0).contains(&at), "{at}");

    // The latest test wins, whoever ran it: a proxy that is not there makes it 0.
    let r = bearer(&app, Method::POST, "/api/v1/proxy/test", &token)
        .json(&json!({"host": "127.0.0.1", "port": free_port()}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let text = scrape(&app, &token).await;
    assert_prometheus_lines(&text);
    assert_eq!(
        sample(&text, &format!("fmc_proxy_probe_ok{{{label}}}")),
        Some(0.0),
        "{text}"
    );
}

#[tokio::test]
async fn a_scheduled_test_of_the_saved_squid_is_stored_as_schedule_and_scraped() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(Mode::Open);
    let flags = probing_flags(&target);
    let app = TestApp::spawn_with(&flags.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let token = make_token(&app, "prometheus").await;
    save_proxy(&app, &token, squid.port()).await;

    // The scheduler's loop over the same data directory, with a period of a fraction of
    // a second (`--probe-every` counts minutes).
    let mut args = vec![
        "fmc-mgmt".to_owned(),
        "--data-dir".to_owned(),
        app.data_dir().display().to_string(),
    ];
    args.extend(flags);
    let cli = fmc_mgmt::config::Cli::try_parse_from(&args).unwrap();
    let state = fmc_mgmt::prepare(&cli.global).await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let schedule = tokio::spawn(fmc_mgmt::schedule::run(
        state,
        Duration::from_millis(200),
        async {
            let _ = stopped.await;
        },
    ));
    let history = || async {
        bearer(&app, Method::GET, "/api/v1/proxy/tests", &token)
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let mut tests = history().await;
    while tests.as_array().is_none_or(|t| t.is_empty()) && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        tests = history().await;
    }
    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(10), schedule)
        .await
        .expect("the loop stops")
        .unwrap();

    let newest = &tests[0];
    assert_eq!(newest["actor"], "schedule", "{tests}");
    assert_eq!(newest["ok"], true, "{newest}");
    assert_eq!(newest["values"]["port"], squid.port());
    assert!(newest["values"].get("password").is_none());
    let text = scrape(&app, &token).await;
    let label = format!("target=\"https://127.0.0.1:{}/\"", target.port());
    assert_eq!(
        sample(&text, &format!("fmc_proxy_probe_ok{{{label}}}")),
        Some(1.0),
        "{text}"
    );
}

#[test]
fn the_real_server_with_a_schedule_stops_on_sigterm_without_waiting_a_period() {
    let cwd = tempfile::tempdir().unwrap();
    let mut server = support::binary::Server::start(
        cwd.path(),
        &["--probe-every", "60"],
        &[("FMC_ADMIN_PASSWORD", support::app::ADMIN_PASSWORD)],
    );
    let asked = std::time::Instant::now();
    let status = server.signal_and_wait(15);
    assert!(status.success(), "a clean stop, got {status}");
    assert!(
        asked.elapsed() < Duration::from_secs(3),
        "stopped in {:?}",
        asked.elapsed()
    );
    let log = server.log();
    assert!(
        log.contains("testing the saved proxy settings every 60 minutes")
            && log.contains("scheduled tests stopped"),
        "{log}"
    );
}

#[test]
fn the_real_server_refuses_probe_every_over_a_day() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fmc-mgmt"))
        .args(["--probe-every", "1441", "serve"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a usage error");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "invalid value '1441' for '--probe-every <MINUTES>': 1441 is not in 0..=1440"
        ),
        "{stderr}"
    );
}
