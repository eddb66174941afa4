//! Test connection in headless Chromium, the way an admin clicks it: live stages, the
//! diagnosis and its advice, with and without JavaScript, through real squid.

use crate::support;

use std::time::Duration;

use fantoccini::Client;
use support::app::TestApp;
use support::browser::{self, *};
use support::fake_proxy::{FakeProxy, Script};
use support::squid::{Mode, Squid};
use support::tls_target::{CertKind, TlsTarget};

/// Fill the Proxy fields for `port` on loopback (Enabled on) and click Test connection.
async fn test_through(c: &Client, port: u16) {
    if prop(c, "#enabled", "checked").await.as_deref() != Some("true") {
        click(c, "#enabled").await;
    }
    fill(c, "#host", "127.0.0.1").await;
    fill(c, "#port", &port.to_string()).await;
    click(c, "#test-connection").await;
}

const RESULT: Duration = Duration::from_secs(10);

/// The proxy at 127.0.0.1:`port` saved, as an admin would have it before testing.
async fn save_proxy_at(app: &TestApp, port: u16) {
    let saved = app
        .save(&[
            ("enabled", "on"),
            ("host", "127.0.0.1"),
            ("port", &port.to_string()),
        ])
        .await;
    assert_eq!(saved.status(), reqwest::StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn test_connection_through_squid_shows_every_stage_and_ok() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(Mode::Open);
    let app = TestApp::spawn_probing(&target).await;
    let (app, port) = (&app, squid.port());
    browser::test(Js::On, |c| async move {
        open_page(&c, app).await;
        test_through(&c, port).await;
        wait_for_text(&c, "#diag-code", "ok", RESULT).await;
        for stage in [
            "resolve",
            "tcp_connect",
            "connect",
            "tls_handshake",
            "https_request",
            "large_request",
            "close",
        ] {
            assert!(
                exists(
                    &c,
                    &format!("#probe-result li.stage.ok[data-stage={stage}]")
                )
                .await,
                "{stage}"
            );
        }
        let response = text(&c, "#connect-response").await;
        assert!(
            response.contains("200 Connection established"),
            "{response}"
        );
        assert!(
            value(&c, "#curl-line")
                .await
                .starts_with(&format!("curl -x http://127.0.0.1:{port} "))
        );
        assert_eq!(app.revision_count().await, 0, "a test saves nothing");
        // The same place in the page announces results to screen readers.
        assert_eq!(
            attr(&c, "#probe-panel", "aria-live").await.as_deref(),
            Some("polite")
        );
    })
    .await;
}

#[tokio::test]
async fn the_stages_appear_live_before_the_diagnosis() {
    let target = TlsTarget::start(CertKind::Good);
    let silent = FakeProxy::start(Script::Silent);
    let app = TestApp::spawn_probing(&target).await;
    let (app, port) = (&app, silent.port());
    browser::test(Js::On, |c| async move {
        open_page(&c, app).await;
        test_through(&c, port).await;
        // The proxy never answers the CONNECT: the TCP handshake is shown while we wait.
        wait_for(&c, "#live-stages li.ok[data-stage=tcp_connect]").await;
        assert!(!exists(&c, "#diag-code").await, "no diagnosis yet");
        assert_eq!(
            prop(&c, "#test-connection", "disabled").await.as_deref(),
            Some("true")
        );
        wait_for_text(&c, "#diag-code", "proxy_no_response", RESULT).await;
        assert_eq!(
            prop(&c, "#test-connection", "disabled").await.as_deref(),
            Some("false")
        );
    })
    .await;
}

#[tokio::test]
async fn a_denying_squid_shows_proxy_denied_and_what_to_do() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(Mode::DenyConnect);
    let app = TestApp::spawn_probing(&target).await;
    let (app, port) = (&app, squid.port());
    browser::test(Js::On, |c| async move {
        open_page(&c, app).await;
        test_through(&c, port).await;
        wait_for_text(&c, "#diag-code", "proxy_denied", RESULT).await;
        assert!(exists(&c, "#probe-result li.stage.fail[data-stage=connect]").await);
        assert!(exists(&c, "#probe-result li.stage.skip[data-stage=tls_handshake]").await);
        let hint = text(&c, ".diag-hint").await;
        assert!(hint.contains("access control list"), "{hint}");
        assert!(
            text(&c, "#connect-response")
                .await
                .contains("403 Forbidden")
        );
    })
    .await;
}

#[tokio::test]
async fn the_diagnostics_panel_follows_a_live_test_without_a_reload() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(Mode::Open);
    let app = TestApp::spawn_probing(&target).await;
    let port = squid.port();
    // Saved, so the panel's netstat lines are those to squid.
    save_proxy_at(&app, port).await;
    let app = &app;
    browser::test(Js::On, |c| async move {
        open_page(&c, app).await;
        assert_eq!(
            text(&c, "#last-test").await,
            "No test since the server started."
        );
        let kept = text(&c, "#netstat").await;
        let held = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        // Gone if the page were loaded again.
        js(&c, "window.sameDocument = true;").await;
        test_through(&c, port).await;
        wait_for_text(&c, "#diag-code", "ok", RESULT).await;
        let last = wait_for_text(&c, "#last-test", " by admin:", RESULT).await;
        assert!(last.contains(" by admin: ok — Traffic gets out"), "{last}");
        assert!(
            text(&c, "#last-curl")
                .await
                .starts_with(&format!("$ curl -x http://127.0.0.1:{port} ")),
        );
        // netstat as it is after the test, not as the page kept it: a connection to squid
        // opened after the page was read is listed.
        let line = format!("{} ", held.local_addr().unwrap());
        let fresh = text(&c, "#netstat").await;
        assert!(!kept.contains(&line), "{kept}");
        assert!(
            fresh
                .lines()
                .any(|l| l.contains(&line) && l.contains(&format!("127.0.0.1:{port} "))),
            "kept {kept:?}, after the test {fresh:?}"
        );
        assert_eq!(js(&c, "return window.sameDocument === true;").await, true);
        assert_eq!(
            js(
                &c,
                "return document.querySelectorAll('#diagnostics-live').length;"
            )
            .await,
            1,
            "replaced, not added"
        );
    })
    .await;
}

#[tokio::test]
async fn without_javascript_test_connection_answers_with_the_page_and_keeps_the_values() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(Mode::Open);
    let app = TestApp::spawn_probing(&target).await;
    let (app, port) = (&app, squid.port());
    browser::test(Js::Off, |c| async move {
        open_page(&c, app).await;
        test_through(&c, port).await;
        wait_for_text(&c, "#diag-code", "ok", RESULT).await;
        assert_eq!(
            value(&c, "#port").await,
            port.to_string(),
            "the form keeps the values"
        );
        assert!(!exists(&c, "#live-stages").await, "no script ran");
    })
    .await;
}

/// The README's picture holds no temporary path: with `FMC_SCREENSHOT=1` the proxy file and
/// the trusted CA are at FMC's own `/etc/sf` (made for the picture, removed after; refused if
/// the host has one), so the Diagnostics panel and the curl line read as on an appliance.
struct ApplianceDir(&'static std::path::Path);

impl ApplianceDir {
    fn make(ca: &std::path::Path) -> ApplianceDir {
        let dir = std::path::Path::new("/etc/sf");
        assert!(
            !dir.exists(),
            "/etc/sf exists: this host's, not the picture's to use"
        );
        std::fs::create_dir_all(dir).expect("make /etc/sf (root)");
        std::fs::copy(ca, dir.join("ca.pem")).unwrap();
        ApplianceDir(dir)
    }
}

impl Drop for ApplianceDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(self.0);
    }
}

#[tokio::test]
async fn the_readme_picture_shows_a_successful_test() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(Mode::Open);
    let for_docs = std::env::var_os("FMC_SCREENSHOT").is_some_and(|v| v == "1");
    let appliance = for_docs.then(|| ApplianceDir::make(&target.ca_file));
    let app = match &appliance {
        Some(dir) => {
            let probe_target = format!("127.0.0.1:{}", target.port());
            let conf = dir.0.join("iprep_proxy.conf").display().to_string();
            let ca = dir.0.join("ca.pem").display().to_string();
            TestApp::spawn_with(&[
                "--probe-target",
                &probe_target,
                "--ca-file",
                &ca,
                "--proxy-conf",
                &conf,
            ])
            .await
        }
        None => TestApp::spawn_probing(&target).await,
    };
    let (app, port) = (&app, squid.port());
    // Saved first, as an admin would have it: the Diagnostics panel then shows the proxy
    // file, and the result no note that the tested values differ from the saved ones.
    save_proxy_at(app, port).await;
    browser::test(Js::On, |c| async move {
        open_page(&c, app).await;
        test_through(&c, port).await;
        wait_for_text(&c, "#diag-code", "ok", RESULT).await;
        assert!(
            !js(&c, "return document.getElementById('tested-unsaved') !== null;")
                .await
                .as_bool()
                .unwrap_or(true),
            "the saved values were tested"
        );
        // The README's picture at 1366 px, a common laptop width.
        c.set_window_size(1366, WINDOW.1).await.expect("1366 px wide");
        let page = screenshot_page(&c, "page-tested").await;
        let png = std::fs::read(&page).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        if for_docs {
            let shown = js(
                &c,
                "return document.body.innerText + [...document.querySelectorAll('input')].map(i => i.value).join(' ');",
            )
            .await
            .to_string();
            assert!(!shown.contains("/tmp/"), "a temporary path in the picture: {shown}");
            let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
            std::fs::create_dir_all(&docs).unwrap();
            std::fs::copy(&page, docs.join("page.png")).unwrap();
        }
    })
    .await;
    drop(appliance);
}

/// Test before saving, clicked: a refusing proxy is not saved, the result and Save anyway
/// show, the typed password is not in the page, and Save anyway with it typed again saves.
/// With and without JavaScript (Save is a plain form post either way).
#[tokio::test]
async fn test_before_saving_refuses_then_save_anyway_saves_with_and_without_javascript() {
    let target = TlsTarget::start(CertKind::Good);
    let secret = "Br0wser-s3cret!";
    for js in [Js::On, Js::Off] {
        let app = TestApp::spawn_probing(&target).await;
        let closed = support::squid::free_port();
        let page = &app;
        browser::test(js, |c| async move {
            let app = page;
            open_page(&c, app).await;
            click(&c, "#enabled").await;
            fill(&c, "#host", "127.0.0.1").await;
            fill(&c, "#port", &closed.to_string()).await;
            click(&c, "#use_auth").await;
            fill(&c, "#username", "proxyuser").await;
            fill(&c, "#password", secret).await;
            fill(&c, "#confirm_password", secret).await;
            click(&c, "#test_first").await;
            click(&c, "#save").await;
            wait_for(&c, "#save-anyway-button").await;
            assert!(exists(&c, "#probe-result.is-fail").await, "{js:?}");
            assert_eq!(app.revision_count().await, 0, "{js:?}: nothing saved");
            let source = c.source().await.unwrap();
            assert!(
                !source.contains(secret),
                "{js:?}: the password is not in the page"
            );
            fill(&c, "#anyway-password", secret).await;
            fill(&c, "#anyway-confirm", secret).await;
            click(&c, "#save-anyway-button").await;
            wait_for(&c, ".flash").await;
            assert_eq!(app.revision_count().await, 1, "{js:?}");
            assert_eq!(app.stored_password().await.as_deref(), Some(secret));
        })
        .await;
        app.stop().await;
    }
}

/// Several test targets, with and without JavaScript: one row per target, the worst on top;
/// live, each target's stages appear in its own timeline as they complete.
#[tokio::test]
async fn several_targets_show_one_row_each_the_worst_on_top_live_and_without_javascript() {
    let target = TlsTarget::start(CertKind::Good);
    let proxy = FakeProxy::start(Script::Tunnel {
        head: "HTTP/1.1 200 Connection established\r\n\r\n".into(),
        to: target.addr,
    });
    let app = TestApp::spawn_probing(&target).await;
    let p = target.port();
    // The slow one answers after a second; the other fails the name check at once.
    let targets = format!("https://127.0.0.1:{p}/slow\nhttps://wrong.example:{p}/");
    for js in [Js::On, Js::Off] {
        let (app, port, targets) = (&app, proxy.port(), targets.clone());
        browser::test(js, |c| async move {
            open_page(&c, app).await;
            fill(&c, "#targets", &targets).await;
            test_through(&c, port).await;
            if js == Js::On {
                // Both timelines are drawn while the slow target still waits.
                wait_for(
                    &c,
                    "#live-stages ol[data-target='1'] li.fail[data-stage=tls_handshake]",
                )
                .await;
                assert!(
                    exists(
                        &c,
                        "#live-stages ol[data-target='0'] li.ok[data-stage=tcp_connect]"
                    )
                    .await
                );
                assert!(
                    !exists(&c, "#diag-code").await,
                    "the slow target is not done yet"
                );
            }
            wait_for_text(&c, "#diag-code", "tls_name_mismatch", RESULT).await;
            assert_eq!(
                attr(&c, "#probe-result", "data-url").await.as_deref(),
                Some(format!("https://wrong.example:{p}/").as_str())
            );
            assert_eq!(text(&c, "#diag-code-2").await, "ok");
            assert!(exists(&c, "#probe-result-2 li.stage.ok[data-stage=https_request]").await);
            assert!(exists(&c, "#targets-heading").await);
        })
        .await;
    }
}

/// Tests in the history, counted in the database.
async fn tests_stored(app: &TestApp) -> i64 {
    let pool = app.db().await;
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM proxy_tests")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    n
}

/// Whether the element's top edge is inside the window (it was scrolled into view).
async fn in_view(c: &Client, css: &str) -> bool {
    let script = format!(
        "const r = document.querySelector('{css}').getBoundingClientRect(); \
         return r.top >= 0 && r.top < window.innerHeight;"
    );
    js(c, &script).await == true
}

#[tokio::test]
async fn after_a_live_test_focus_moves_to_the_result_heading() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(Mode::DenyConnect);
    let app = TestApp::spawn_probing(&target).await;
    let (app, port) = (&app, squid.port());
    browser::test(Js::On, |c| async move {
        open_page(&c, app).await;
        test_through(&c, port).await;
        wait_for_text(&c, "#diag-code", "proxy_denied", RESULT).await;
        assert_eq!(focused_id(&c).await, "test-result-h");
        assert_eq!(
            text(&c, "#test-result-h").await,
            "Access denied by the proxy (proxy_denied)"
        );
        assert_eq!(text(&c, "#tested-proxy").await, format!("127.0.0.1:{port}"));
        assert!(in_view(&c, "#test-result-h").await);
    })
    .await;
}

#[tokio::test]
async fn without_javascript_the_result_opens_in_view_and_a_refresh_does_not_test_again() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(Mode::Open);
    let app = TestApp::spawn_probing(&target).await;
    let (app, port) = (&app, squid.port());
    browser::test(Js::Off, |c| async move {
        open_page(&c, app).await;
        test_through(&c, port).await;
        wait_for_text(&c, "#diag-code", "ok", RESULT).await;
        let url = c.current_url().await.unwrap();
        assert_eq!(url.fragment(), Some("test-result"), "{url}");
        assert!(in_view(&c, "#test-result").await, "the result is in view");
        assert_eq!(value(&c, "#port").await, port.to_string());
        assert_eq!(tests_stored(app).await, 1);
        c.refresh().await.unwrap();
        wait_for_text(&c, "#diag-code", "ok", RESULT).await;
        assert_eq!(tests_stored(app).await, 1, "a refresh runs no test");
        assert!(in_view(&c, "#test-result").await);
    })
    .await;
}

#[tokio::test]
async fn a_test_refused_by_the_field_checks_says_not_tested_and_focuses_the_summary() {
    let app = TestApp::spawn().await;
    let app = &app;
    for mode in [Js::On, Js::Off] {
        browser::test(mode, |c| async move {
            open_page(&c, app).await;
            js(&c, "window.sameDocument = true;").await;
            if prop(&c, "#enabled", "checked").await.as_deref() != Some("true") {
                click(&c, "#enabled").await;
            }
            // Passes the browser's own pattern; the server refuses a label starting with '-'.
            fill(&c, "#host", "-bad-").await;
            fill(&c, "#port", "3128").await;
            click(&c, "#test-connection").await;
            let heading = wait_for_text(&c, "#error-summary h3", "Not tested", RESULT).await;
            assert_eq!(heading, "Not tested: 1 field needs attention");
            assert_eq!(focused_id(&c).await, "error-summary", "{mode:?}");
            assert!(in_view(&c, "#error-summary").await, "{mode:?}");
            assert!(
                exists(&c, "#host-error").await,
                "{mode:?}: beside its field"
            );
            let reloaded = js(&c, "return window.sameDocument !== true;").await == true;
            assert_eq!(reloaded, matches!(mode, Js::Off), "{mode:?}");
            assert_eq!(value(&c, "#host").await, "-bad-");
        })
        .await;
    }
    assert_eq!(tests_stored(app).await, 0);
}

#[tokio::test]
async fn a_long_test_shows_the_stage_in_progress_and_cancel_frees_the_session() {
    let target = TlsTarget::start(CertKind::Good);
    let silent = FakeProxy::start(Script::Silent);
    // A proxy silent for longer than the clicks below take on a busy machine.
    let probe_target = format!("127.0.0.1:{}", target.port());
    let app = TestApp::spawn_with(&[
        "--probe-target",
        &probe_target,
        "--probe-read-timeout",
        "30",
        "--probe-max-time",
        "40",
    ])
    .await;
    let (app, port) = (&app, silent.port());
    browser::test(Js::On, |c| async move {
        open_page(&c, app).await;
        test_through(&c, port).await;
        wait_for(&c, "#live-stages li.ok[data-stage=tcp_connect]").await;
        let first = wait_for_text(
            &c,
            "#test-progress",
            "Asking the proxy for a tunnel (CONNECT)…",
            RESULT,
        )
        .await;
        tokio::time::sleep(Duration::from_millis(1200)).await;
        let later = text(&c, "#test-progress").await;
        assert_ne!(first, later, "the running time moves");
        assert!(later.ends_with(" s"), "{later}");
        click(&c, "#test-cancel").await;
        wait_for_text(&c, "#test-live-h", "The test was cancelled.", RESULT).await;
        assert!(!exists(&c, "#test-cancel").await);
        assert_eq!(
            prop(&c, "#test-connection", "disabled").await.as_deref(),
            Some("false")
        );
        // The same session tests again at once: the cancelled probe is gone.
        click(&c, "#test-connection").await;
        wait_for(&c, "#live-stages li.ok[data-stage=tcp_connect]").await;
        let heading = text(&c, "#test-live-h").await;
        assert!(!heading.contains("already running"), "{heading}");
        click(&c, "#test-cancel").await;
        wait_for_text(&c, "#test-live-h", "The test was cancelled.", RESULT).await;
    })
    .await;
    assert_eq!(tests_stored(app).await, 0, "a cancelled test is not stored");
}
