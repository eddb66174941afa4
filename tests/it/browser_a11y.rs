//! The page around the results, checked in headless Chromium the way an auditor would
//! (issue 16 points 1, 2, 10): no sideways scrolling at desktop and phone widths in both
//! languages, Log Out reached by Tab without the page shifting, History and Audit without the
//! configuration list, and axe-core's WCAG 2 A/AA rules with no serious or critical finding.
//!
//! axe-core comes from npm, pinned by `tests/axe/package-lock.json`
//! (`npm ci --prefix tests/axe`, which `scripts/test` runs).

use crate::support;

use std::time::Duration;

use fantoccini::Client;
use fantoccini::key::Key;
use serde_json::{Value, json};
use support::app::{PAGE, TestApp};
use support::browser::{self, *};
use support::squid::{Mode, Squid};
use support::tls_target::{CertKind, TlsTarget};

const HISTORY: &str = "/system/configuration/management-interfaces/proxy/history";
const AUDIT: &str = "/system/audit-log";
const TOKENS: &str = "/system/api-tokens";
/// FMC's supported desktop widths and a phone's.
const WIDTHS: [u32; 5] = [390, 1280, 1366, 1600, 1920];
const HEIGHT: u32 = 900;
const RESULT: Duration = Duration::from_secs(10);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Language {
    En,
    Zh,
}

/// Make the browser ask for `language` (Accept-Language, through chromedriver's DevTools
/// bridge): the login page and the signed-in pages (saved preference "auto") follow it.
async fn speak(c: &Client, language: Language) {
    let accept = match language {
        Language::En => "en-US,en;q=0.9",
        Language::Zh => "zh-CN,zh;q=0.9",
    };
    let agent = js(c, "return navigator.userAgent").await;
    c.issue_cmd(cdp(json!({
        "cmd": "Emulation.setUserAgentOverride",
        "params": { "userAgent": agent, "acceptLanguage": accept },
    })))
    .await
    .unwrap_or_else(|e| panic!("set Accept-Language {accept}: {e}"));
}

/// The page's language is the one asked for (so a test in Chinese really saw Chinese).
async fn assert_language(c: &Client, language: Language) {
    let lang = js(c, "return document.documentElement.lang").await;
    let want = match language {
        Language::En => "en",
        Language::Zh => "zh-CN",
    };
    assert_eq!(lang, json!(want), "the page's language");
}

/// chromedriver's `goog/cdp/execute`: one DevTools command in the session.
fn cdp(command: Value) -> SessionCommand {
    SessionCommand {
        path: "goog/cdp/execute".into(),
        body: Some(command),
    }
}

/// An app with history (two saved revisions), audit rows and an API token, so every page
/// shows its table.
async fn app_with_rows() -> TestApp {
    let app = TestApp::spawn().await;
    for host in [
        "proxy.example.com",
        "a-rather-long-proxy-name.branch-office.example.com",
    ] {
        let r = app
            .save(&[
                ("enabled", "on"),
                ("host", host),
                ("port", "3128"),
                ("use_auth", "on"),
                ("username", "alice"),
                ("password", "s3cret!"),
                ("confirm_password", "s3cret!"),
            ])
            .await;
        assert_eq!(r.status(), 303, "arranging a saved proxy");
    }
    app
}

async fn open(c: &Client, app: &TestApp, path: &str) {
    c.goto(&app.url(path))
        .await
        .unwrap_or_else(|e| panic!("open {path}: {e}"));
    wait_for(c, "main").await;
}

/// The login page first (signed out), then sign in and land on the page.
async fn sign_in(c: &Client, app: &TestApp) {
    open_page(c, app).await;
}

async fn create_token(c: &Client, app: &TestApp) {
    open(c, app, TOKENS).await;
    fill(c, "#token-name", "monitoring").await;
    click(c, "form[action='/system/api-tokens'] button[type=submit]").await;
    wait_for(c, "#new-token").await;
}

/// How far the document reaches past the window, in CSS pixels (0 = no sideways scroll),
/// and the widest element that sticks out, to name in a failure.
async fn overflow(c: &Client) -> (i64, String) {
    let v = js(
        c,
        "const over = document.documentElement.scrollWidth - window.innerWidth;
         let worst = '', right = window.innerWidth;
         for (const el of document.body.querySelectorAll('*')) {
           const r = el.getBoundingClientRect();
           if (r.right > right + 0.5 && el.checkVisibility()) {
             right = r.right;
             worst = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
               (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '');
           }
         }
         return [over, worst + ' reaches ' + Math.round(right)];",
    )
    .await;
    (v[0].as_i64().unwrap_or(i64::MAX), v[1].to_string())
}

/// Show the page in a viewport `width` CSS pixels wide. Through DevTools' device metrics,
/// not the window: headless Chromium will not make a window narrower than 500 px.
async fn at_width(c: &Client, width: u32) {
    viewport(c, width, HEIGHT).await;
}

async fn viewport(c: &Client, width: u32, height: u32) {
    c.issue_cmd(cdp(json!({
        "cmd": "Emulation.setDeviceMetricsOverride",
        "params": { "width": width, "height": height, "deviceScaleFactor": 1, "mobile": false },
    })))
    .await
    .unwrap_or_else(|e| panic!("viewport {width} px: {e}"));
    let inner = js(c, "return window.innerWidth").await;
    assert_eq!(inner, json!(width), "the viewport's width");
}

/// The whole page at a phone's width as `<target>/browser-screens/<name>.png`.
async fn phone_screenshot(c: &Client, name: &str) {
    let height = js(c, "return document.documentElement.scrollHeight").await;
    let height = height
        .as_u64()
        .and_then(|h| u32::try_from(h).ok())
        .unwrap_or(HEIGHT);
    viewport(c, 390, height).await;
    let path = browser::target_dir()
        .join("browser-screens")
        .join(format!("{name}.png"));
    save_screenshot(c, &path).await.expect("phone screenshot");
    at_width(c, 390).await;
}

/// Each page at each width: the document is never wider than the window.
async fn no_sideways_scrolling(language: Language) {
    let app = app_with_rows().await;
    let app = &app;
    browser::test(Js::On, |c| async move {
        speak(&c, language).await;
        let mut wide = Vec::new();
        c.goto(&app.url(PAGE)).await.expect("open the login page");
        wait_for(&c, "#login-username").await;
        assert_language(&c, language).await;
        for width in WIDTHS {
            at_width(&c, width).await;
            let (over, what) = overflow(&c).await;
            if over > 0 {
                wide.push(format!("login at {width} px: {over} px too wide ({what})"));
            }
            assert!(
                !exists(&c, ".mainmenu").await && !exists(&c, ".tools").await,
                "the login page shows no app menu"
            );
        }
        at_width(&c, browser::WINDOW.0).await;
        sign_in(&c, app).await;
        create_token(&c, app).await;
        for path in [PAGE, HISTORY, AUDIT, TOKENS] {
            open(&c, app, path).await;
            assert_language(&c, language).await;
            for width in WIDTHS {
                at_width(&c, width).await;
                let (over, what) = overflow(&c).await;
                if over > 0 {
                    wide.push(format!("{path} at {width} px: {over} px too wide ({what})"));
                }
                if path == PAGE && width == 1280 {
                    let shot = format!("top-bar-1280-{language:?}.png");
                    let path = browser::target_dir().join("browser-screens").join(shot);
                    save_screenshot(&c, &path).await.expect("screenshot");
                }
            }
            at_width(&c, browser::WINDOW.0).await;
        }
        assert!(wide.is_empty(), "{language:?}: {wide:#?}");
    })
    .await;
}

#[tokio::test]
async fn no_page_scrolls_sideways_from_a_phone_to_1920_px_in_english() {
    no_sideways_scrolling(Language::En).await;
}

#[tokio::test]
async fn no_page_scrolls_sideways_from_a_phone_to_1920_px_in_chinese() {
    no_sideways_scrolling(Language::Zh).await;
}

/// Tab from the user menu's summary to Log Out (language, Apply on the way): the page never
/// scrolls sideways, at the narrowest desktop width and on a phone, in both languages.
#[tokio::test]
async fn tabbing_to_log_out_does_not_scroll_sideways() {
    let app = TestApp::spawn().await;
    let app = &app;
    browser::test(Js::On, |c| async move {
        sign_in(&c, app).await;
        for language in [Language::En, Language::Zh] {
            speak(&c, language).await;
            for width in [390, 1280] {
                at_width(&c, width).await;
                open(&c, app, PAGE).await;
                let toggle = find(&c, "#user-menu > summary").await;
                toggle.click().await.expect("open the user menu");
                let mut presses = 0;
                while focused_id(&c).await != "logout" {
                    press(&c, Key::Tab).await;
                    presses += 1;
                    assert!(presses < 12, "Tab never reached Log Out");
                }
                let x = js(&c, "return window.scrollX").await;
                assert_eq!(
                    x,
                    json!(0),
                    "{language:?} at {width} px: Log Out scrolled the page"
                );
                assert!(displayed(&c, "#logout").await);
                let (over, what) = overflow(&c).await;
                assert!(over <= 0, "{language:?} at {width} px, menu open: {what}");
            }
        }
    })
    .await;
}

/// On a phone the configuration list folds into a disclosure that opens without script;
/// wide tables scroll inside their own region, which the keyboard can reach.
#[tokio::test]
async fn on_a_phone_the_left_list_folds_and_wide_tables_scroll_in_their_section() {
    let app = app_with_rows().await;
    let app = &app;
    browser::test(Js::Off, |c| async move {
        sign_in(&c, app).await;
        at_width(&c, 390).await;
        open(&c, app, PAGE).await;
        assert!(
            !displayed(&c, ".confnav a.current").await,
            "folded at 390 px"
        );
        phone_screenshot(&c, "phone-page").await;
        click(&c, "#confnav-menu > summary").await;
        assert!(displayed(&c, ".confnav a.current").await, "opens on a tap");

        open(&c, app, HISTORY).await;
        let region = find(&c, ".table-scroll").await;
        assert_eq!(region.attr("tabindex").await.unwrap().as_deref(), Some("0"));
        assert_eq!(region.attr("role").await.unwrap().as_deref(), Some("region"));
        assert!(!accessible_name(&c, ".table-scroll").await.is_empty());
        let scrolls = js(
            &c,
            "const r = document.querySelector('.table-scroll'); return r.scrollWidth > r.clientWidth",
        )
        .await;
        assert_eq!(scrolls, json!(true), "the history table is wider than a phone");
        phone_screenshot(&c, "phone-history").await;

        at_width(&c, 1366).await;
        open(&c, app, PAGE).await;
        assert!(displayed(&c, ".confnav a.current").await, "open on a desktop");
    })
    .await;
}

/// Point 10: History and Audit are not configuration pages; Back to Management Interfaces
/// heads their content.
#[tokio::test]
async fn history_and_audit_have_no_left_list_and_back_heads_the_content() {
    let app = app_with_rows().await;
    let app = &app;
    browser::test(Js::Off, |c| async move {
        sign_in(&c, app).await;
        for path in [HISTORY, AUDIT] {
            open(&c, app, path).await;
            assert!(!exists(&c, ".confnav").await, "{path}: no left list");
            let first = find(&c, "main a").await;
            assert_eq!(
                first.text().await.unwrap(),
                "Back to Management Interfaces",
                "{path}"
            );
            assert!(first.attr("href").await.unwrap().unwrap().starts_with(PAGE));
            let above = js(
                &c,
                "return document.querySelector('main a').getBoundingClientRect().top <
                        document.querySelector('main h1').getBoundingClientRect().top",
            )
            .await;
            assert_eq!(above, json!(true), "{path}: Back above the heading");
        }
    })
    .await;
}

// ---- axe-core ----

fn axe_source() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/axe/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (install it: npm ci --prefix tests/axe)",
            path.display()
        )
    })
}

/// Run axe-core's WCAG 2 A and AA rules on the page as it is now; the serious and critical
/// violations, one line per element.
async fn axe_findings(c: &Client, axe: &str) -> Vec<String> {
    c.execute(axe, vec![]).await.expect("inject axe-core");
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } })
               .then(r => done(r.violations
                 .filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .flatMap(v => v.nodes.map(n =>
                   `${v.impact} ${v.id} (${v.help}): ${n.target.join(' ')}: ${n.failureSummary.replace(/\\s+/g, ' ')}`))))
               .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .expect("axe.run");
    found
        .as_array()
        .map(|a| {
            a.iter()
                .map(|v| v.as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_else(|| vec![format!("axe answered {found}")])
}

/// Audit whatever is shown now under `label`, adding its findings to `all`.
async fn audit(c: &Client, axe: &str, label: &str, all: &mut Vec<String>) {
    for f in axe_findings(c, axe).await {
        all.push(format!("{label}: {f}"));
    }
}

async fn audit_pages(language: Language) {
    let axe = axe_source();
    let target = TlsTarget::start(CertKind::Good);
    let open_squid = Squid::start(Mode::Open);
    let denying = Squid::start(Mode::DenyConnect);
    let app = TestApp::spawn_probing(&target).await;
    let (app, axe, ok_port, denied_port) = (&app, &axe, open_squid.port(), denying.port());
    browser::test(Js::On, |c| async move {
        speak(&c, language).await;
        let mut all = Vec::new();
        c.goto(&app.url("/login")).await.expect("open login");
        wait_for(&c, "#login-username").await;
        audit(&c, axe, "login", &mut all).await;

        sign_in(&c, app).await;
        assert_language(&c, language).await;
        audit(&c, axe, "page (empty)", &mut all).await;

        for (label, port, answer) in [
            ("page after an ok test", ok_port, "ok"),
            ("page after a failed test", denied_port, "proxy_denied"),
        ] {
            open(&c, app, PAGE).await;
            if prop(&c, "#enabled", "checked").await.as_deref() != Some("true") {
                click(&c, "#enabled").await;
            }
            fill(&c, "#host", "127.0.0.1").await;
            fill(&c, "#port", &port.to_string()).await;
            click(&c, "#test-connection").await;
            wait_for_text(&c, "#probe-result", answer, RESULT).await;
            // The transcript open, so its table is audited too.
            for summary in c
                .find_all(fantoccini::Locator::Css("details.wire > summary"))
                .await
                .expect("wire summaries")
            {
                summary.click().await.expect("open the transcript");
            }
            audit(&c, axe, label, &mut all).await;
            // The result's transcript and timeline stay inside the window too.
            for width in [390, 1366] {
                at_width(&c, width).await;
                let (over, what) = overflow(&c).await;
                if over > 0 {
                    all.push(format!(
                        "{label} at {width} px: {over} px too wide ({what})"
                    ));
                }
            }
            at_width(&c, browser::WINDOW.0).await;
        }

        let r = app.save(&[
            ("enabled", "on"),
            ("host", "proxy.example.com"),
            ("port", "3128"),
        ]);
        assert_eq!(r.await.status(), 303, "a revision for the history");
        create_token(&c, app).await;
        audit(&c, axe, "tokens (new token shown)", &mut all).await;
        for (label, path) in [("history", HISTORY), ("audit", AUDIT), ("tokens", TOKENS)] {
            open(&c, app, path).await;
            audit(&c, axe, label, &mut all).await;
        }
        assert!(
            all.is_empty(),
            "{language:?}: axe-core found {} serious or critical violation(s):\n{}",
            all.len(),
            all.join("\n")
        );
    })
    .await;
}

#[tokio::test]
async fn axe_core_finds_nothing_serious_on_any_page_in_english() {
    audit_pages(Language::En).await;
}

#[tokio::test]
async fn axe_core_finds_nothing_serious_on_any_page_in_chinese() {
    audit_pages(Language::Zh).await;
}
