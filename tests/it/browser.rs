//! The Management Interfaces page in headless Chromium, used the way an admin uses it:
//! clicking, typing, tabbing. Each test gets a fresh app, data directory and browser profile;
//! a failing test leaves a screenshot under `<target>/browser-failures/`.
//!
//! `FMC_SCREENSHOT=1 cargo test --test it browser_probe::the_readme` refreshes `docs/page.png`.

use crate::support;

use fantoccini::Client;
use fantoccini::key::Key;
use fmc_mgmt::locale::Lang;
use fmc_mgmt::settings::fields::ProxyHost;
use fmc_mgmt::settings::form::FieldError;
use support::app::TestApp;
use support::browser::{self, *};

/// The inputs the Enabled checkbox governs, in page order.
const PROXY_INPUTS: [&str; 5] = [
    "#host",
    "#port",
    "#username",
    "#password",
    "#confirm_password",
];
const AUTH_INPUTS: [&str; 3] = ["#username", "#password", "#confirm_password"];
/// The muted text colour (#5c6670, 5.3:1 on the page's grey) the disabled fields take.
const GREY: &str = "rgba(92, 102, 112, 1)";

use browser::open_page;

/// Click Save and wait for the page that answers (the flash, or the error summary).
async fn save_and_wait(c: &Client, answer: &str) {
    click(c, "#save").await;
    wait_for(c, answer).await;
}

async fn checked(c: &Client, css: &str) -> bool {
    prop(c, css, "checked").await.as_deref() == Some("true")
}

async fn read_only(c: &Client, css: &str) -> bool {
    prop(c, css, "readOnly").await.as_deref() == Some("true")
}

/// Store a proxy with authentication through the HTTP form post, as a previous admin did.
async fn app_with_saved_proxy() -> TestApp {
    let app = TestApp::spawn().await;
    let r = app
        .save(&[
            ("enabled", "on"),
            ("host", "proxy.example.com"),
            ("port", "3128"),
            ("use_auth", "on"),
            ("username", "alice"),
            ("password", "s3cret!"),
            ("confirm_password", "s3cret!"),
        ])
        .await;
    assert_eq!(r.status(), 303, "arranging a saved proxy");
    app
}

#[tokio::test]
async fn unchecking_enabled_makes_the_proxy_fields_read_only_and_grey_and_keeps_their_values() {
    let app = app_with_saved_proxy().await;
    let app = &app;
    browser::test(Js::On, |c| async move {
        open_page(&c, app).await;
        for input in PROXY_INPUTS {
            assert!(
                !read_only(&c, input).await,
                "{input} editable while enabled"
            );
        }
        let live_colour = css(&c, "#host", "color").await;
        assert_ne!(live_colour, GREY, "not greyed while enabled");

        click(&c, "#enabled").await;

        for input in PROXY_INPUTS {
            assert!(
                read_only(&c, input).await,
                "{input} read-only when disabled"
            );
            assert_eq!(
                attr(&c, input, "aria-disabled").await.as_deref(),
                Some("true")
            );
        }
        // Greyed by colour (not opacity, which took the words below 4.5:1 contrast).
        assert_eq!(css(&c, "#host", "color").await, GREY, "greyed out");
        assert_eq!(css(&c, "label[for=host]", "color").await, GREY);
        type_into(&c, "#host", "typed").await;
        assert_eq!(
            value(&c, "#host").await,
            "proxy.example.com",
            "typing is ignored"
        );
        assert_eq!(value(&c, "#port").await, "3128");
        assert_eq!(value(&c, "#username").await, "alice");
        click(&c, "#use_auth").await;
        assert!(
            checked(&c, "#use_auth").await,
            "Use Proxy Authentication is locked"
        );
        assert_eq!(
            attr(&c, "#use_auth", "aria-disabled").await.as_deref(),
            Some("true")
        );

        click(&c, "#enabled").await;

        for input in PROXY_INPUTS {
            assert!(!read_only(&c, input).await, "{input} editable again");
            assert_eq!(
                attr(&c, input, "aria-disabled").await.as_deref(),
                Some("false")
            );
        }
        assert_eq!(css(&c, "#host", "color").await, live_colour);
        assert_eq!(value(&c, "#host").await, "proxy.example.com");
    })
    .await;
}

#[tokio::test]
async fn saving_with_enabled_unchecked_removes_the_file_but_keeps_every_value() {
    let app = app_with_saved_proxy().await;
    let app = &app;
    browser::test(Js::On, |c| async move {
        open_page(&c, app).await;
        click(&c, "#enabled").await;
        save_and_wait(&c, ".flash").await;

        assert!(text(&c, ".flash").await.starts_with("Saved."));
        assert!(!checked(&c, "#enabled").await);
        assert_eq!(value(&c, "#host").await, "proxy.example.com");
        assert_eq!(value(&c, "#port").await, "3128");
        assert!(checked(&c, "#use_auth").await);
        assert_eq!(value(&c, "#username").await, "alice");
        assert_eq!(app.conf(), None, "a disabled proxy has no file");
        assert_eq!(app.revision_count().await, 2);
    })
    .await;
}

#[tokio::test]
async fn use_proxy_authentication_shows_and_hides_user_name_and_passwords() {
    let app = TestApp::spawn().await;
    let app = &app;
    browser::test(Js::On, |c| async move {
        open_page(&c, app).await;
        click(&c, "#enabled").await;
        for input in AUTH_INPUTS {
            assert!(!displayed(&c, input).await, "{input} hidden without auth");
        }

        click(&c, "#use_auth").await;
        for input in AUTH_INPUTS {
            assert!(displayed(&c, input).await, "{input} shown with auth");
        }
        fill(&c, "#username", "bob").await;

        click(&c, "#use_auth").await;
        for input in AUTH_INPUTS {
            assert!(!displayed(&c, input).await, "{input} hidden again");
        }
        assert_eq!(value(&c, "#username").await, "bob", "hidden, not cleared");
    })
    .await;
}

#[tokio::test]
async fn a_host_the_browser_accepts_but_the_server_refuses_is_explained_beside_the_field() {
    let app = TestApp::spawn().await;
    let app = &app;
    let refused = "proxy-.example.com";
    let message = FieldError::Host(ProxyHost::parse(refused).expect_err("the server refuses it"))
        .message(Lang::En);
    browser::test(Js::On, |c| async move {
        open_page(&c, app).await;
        click(&c, "#enabled").await;
        fill(&c, "#host", refused).await;
        fill(&c, "#port", "3128").await;
        click(&c, "#use_auth").await;
        fill(&c, "#username", "kept-user").await;
        fill(&c, "#password", "pw-not-echoed").await;
        fill(&c, "#confirm_password", "pw-not-echoed").await;
        assert_eq!(
            js(
                &c,
                "return document.getElementById('proxy-form').checkValidity()"
            )
            .await,
            true,
            "the browser lets it through; the server is the authority"
        );

        save_and_wait(&c, "#error-summary").await;

        assert_eq!(text(&c, "#host-error").await, message);
        assert!(displayed(&c, "#host-error").await);
        assert_eq!(
            attr(&c, "#host", "aria-invalid").await.as_deref(),
            Some("true")
        );
        let described = attr(&c, "#host", "aria-describedby")
            .await
            .unwrap_or_default();
        assert!(
            described.split(' ').any(|id| id == "host-error"),
            "{described}"
        );
        let summary = text(&c, "#error-summary").await;
        assert!(
            summary.contains("Not saved: 1 field needs attention"),
            "{summary}"
        );
        assert!(
            summary.contains(&format!("HTTP Proxy: {message}")),
            "{summary}"
        );
        assert!(checked(&c, "#enabled").await);
        assert_eq!(value(&c, "#host").await, refused);
        assert_eq!(value(&c, "#port").await, "3128");
        assert!(checked(&c, "#use_auth").await);
        assert_eq!(value(&c, "#username").await, "kept-user");
        assert_eq!(
            value(&c, "#password").await,
            "",
            "passwords are not sent back"
        );
        assert_eq!(app.revision_count().await, 0);
        assert_eq!(app.conf(), None);
    })
    .await;
}

#[tokio::test]
async fn a_message_in_the_error_summary_puts_the_cursor_in_its_field() {
    let app = TestApp::spawn().await;
    let app = &app;
    browser::test(Js::On, |c| async move {
        open_page(&c, app).await;
        click(&c, "#enabled").await;
        fill(&c, "#host", "10.0.0.1").await;
        fill(&c, "#port", "3128").await;
        click(&c, "#use_auth").await;
        fill(&c, "#username", "erin").await;
        fill(&c, "#password", "one").await;
        fill(&c, "#confirm_password", "two").await;
        save_and_wait(&c, "#error-summary").await;

        click(&c, "#error-summary a[href='#password']").await;

        assert_eq!(focused_id(&c).await, "password");
        type_keys(&c, "two").await;
        assert_eq!(value(&c, "#password").await, "two");
    })
    .await;
}

#[tokio::test]
async fn saving_good_values_shows_saved_and_they_survive_a_reload_and_reach_the_file() {
    let app = TestApp::spawn().await;
    let app = &app;
    browser::test(Js::On, |c| async move {
        open_page(&c, app).await;
        click(&c, "#enabled").await;
        fill(&c, "#host", "10.10.10.1").await;
        fill(&c, "#port", "80").await;

        save_and_wait(&c, ".flash").await;

        assert_eq!(
            text(&c, ".flash").await,
            "Saved. The proxy settings are now revision 1."
        );
        let file = "iprep_proxy {\n    PROXY_HOST 10.10.10.1;\n    PROXY_PORT 80;\n}\n";
        assert_eq!(app.conf().as_deref(), Some(file));
        assert_eq!(
            text(&c, "#conf-text").await,
            file.trim_end(),
            "the Diagnostics panel shows the file"
        );

        c.refresh().await.expect("reload");
        wait_for(&c, "#proxy-form").await;
        assert!(!exists(&c, ".flash").await, "the flash shows once");
        assert!(checked(&c, "#enabled").await);
        assert_eq!(value(&c, "#host").await, "10.10.10.1");
        assert_eq!(value(&c, "#port").await, "80");
        assert!(!checked(&c, "#use_auth").await);
    })
    .await;
}

#[tokio::test]
async fn without_javascript_saving_still_works() {
    let app = TestApp::spawn().await;
    let app = &app;
    browser::test(Js::Off, |c| async move {
        open_page(&c, app).await;
        assert_eq!(
            attr(&c, "#host", "aria-disabled").await,
            None,
            "the script really did not run"
        );
        click(&c, "#enabled").await;
        fill(&c, "#host", "proxy.example.com").await;
        fill(&c, "#port", "8080").await;
        assert!(
            !displayed(&c, "#username").await,
            "CSS alone hides the credentials…"
        );
        click(&c, "#use_auth").await;
        assert!(displayed(&c, "#username").await, "…and shows them");
        fill(&c, "#username", "carol").await;
        fill(&c, "#password", "pw").await;
        fill(&c, "#confirm_password", "pw").await;

        save_and_wait(&c, ".flash").await;

        assert!(text(&c, ".flash").await.starts_with("Saved."));
        assert_eq!(value(&c, "#username").await, "carol");
        assert_eq!(
            text(&c, "#password-hint").await,
            "Password set — leave blank to keep."
        );
        assert!(
            app.conf()
                .unwrap()
                .contains("PROXY_HOST proxy.example.com;")
        );
    })
    .await;
}

#[tokio::test]
async fn without_javascript_a_refused_save_still_shows_the_message_beside_the_field() {
    let app = TestApp::spawn().await;
    let app = &app;
    browser::test(Js::Off, |c| async move {
        open_page(&c, app).await;
        click(&c, "#enabled").await;
        fill(&c, "#host", "proxy-.example.com").await;
        fill(&c, "#port", "3128").await;

        save_and_wait(&c, "#error-summary").await;

        assert!(text(&c, "#host-error").await.contains("hyphen"));
        assert_eq!(
            attr(&c, "#host", "aria-invalid").await.as_deref(),
            Some("true")
        );
        assert_eq!(value(&c, "#port").await, "3128");
        assert_eq!(app.revision_count().await, 0);
    })
    .await;
}

#[tokio::test]
async fn every_form_control_has_a_label_that_names_it() {
    let app = app_with_saved_proxy().await;
    let app = &app;
    browser::test(Js::On, |c| async move {
        open_page(&c, app).await;
        let expected = [
            ("enabled", "Enabled"),
            ("host", "HTTP Proxy"),
            ("port", "Port"),
            ("use_auth", "Use Proxy Authentication"),
            ("username", "User Name"),
            ("password", "Password"),
            ("confirm_password", "Confirm Password"),
            // Trusted CA's file picker (shown with JavaScript only).
            ("ca_file", "Read a .pem or .crt file"),
            ("test_first", "Test before saving"),
        ];
        let ids = js(
            &c,
            "return [...document.querySelectorAll('#proxy-form input:not([type=hidden])')].map(i => i.id)",
        )
        .await;
        let ids: Vec<&str> = ids
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(ids, expected.map(|(id, _)| id), "the form's inputs");
        for (id, label) in expected {
            assert_eq!(text(&c, &format!("label[for={id}]")).await, label);
            assert_eq!(
                accessible_name(&c, &format!("#{id}")).await,
                label,
                "accessible name of #{id}"
            );
        }
        assert_eq!(accessible_name(&c, "#save").await, "Save");
    })
    .await;
}

#[tokio::test]
async fn a_keyboard_alone_reaches_every_field_in_order_and_saves() {
    let app = TestApp::spawn().await;
    let app = &app;
    browser::test(Js::On, |c| async move {
        open_page(&c, app).await;
        let mut presses = 0;
        while focused_id(&c).await != "enabled" {
            press(&c, Key::Tab).await;
            presses += 1;
            assert!(presses < 10, "Tab never reached Enabled");
        }
        press(&c, Key::Space).await;
        let steps = [
            ("host", Some("proxy.example.com")),
            ("port", Some("3128")),
            ("use_auth", Some(" ")),
            ("username", Some("dave")),
            ("password", Some("pw")),
            ("confirm_password", Some("pw")),
            ("targets", None),
            ("ca_pem", None),
            ("ca_file", None),
            ("test_first", None),
            ("test-connection", None),
        ];
        for (id, typed) in steps {
            press(&c, Key::Tab).await;
            assert_eq!(focused_id(&c).await, id, "Tab order");
            if let Some(text) = typed {
                type_keys(&c, text).await;
            }
        }
        // Save ends the page, as in FMC: past the status help, History and Diagnostics.
        let mut presses = 0;
        while focused_id(&c).await != "save" {
            press(&c, Key::Tab).await;
            presses += 1;
            assert!(presses < 10, "Tab never reached Save at the page's foot");
        }
        press(&c, Key::Enter).await;
        wait_for_text(&c, ".flash", "Saved.", WAIT).await;

        assert!(checked(&c, "#enabled").await && checked(&c, "#use_auth").await);
        assert_eq!(value(&c, "#username").await, "dave");
        assert!(
            app.conf()
                .unwrap()
                .contains("PROXY_HOST proxy.example.com;")
        );
    })
    .await;
}

#[tokio::test]
async fn enter_in_the_host_field_submits_the_form() {
    let app = TestApp::spawn().await;
    let app = &app;
    browser::test(Js::On, |c| async move {
        open_page(&c, app).await;
        click(&c, "#enabled").await;
        fill(&c, "#port", "8080").await;
        fill(&c, "#host", "10.0.0.9").await; // leaves the focus in HTTP Proxy
        assert_eq!(focused_id(&c).await, "host");

        press(&c, Key::Enter).await;

        wait_for(&c, ".flash").await;
        assert!(app.conf().unwrap().contains("PROXY_HOST 10.0.0.9;"));
    })
    .await;
}

#[tokio::test]
async fn the_browser_checks_mirror_the_server_rules_and_never_refuse_a_valid_value() {
    let app = TestApp::spawn().await;
    let app = &app;
    browser::test(Js::On, |c| async move {
        open_page(&c, app).await;
        for (css_sel, name, want) in [
            ("#port", "type", "number"),
            ("#port", "min", "1"),
            ("#port", "max", "65535"),
            ("#port", "step", "1"),
            ("#host", "maxlength", "66"),
            ("#username", "maxlength", "64"),
            ("#password", "maxlength", "128"),
            ("#confirm_password", "maxlength", "128"),
        ] {
            assert_eq!(
                attr(&c, css_sel, name).await.as_deref(),
                Some(want),
                "{css_sel}[{name}]"
            );
        }
        assert_eq!(prop(&c, "#host", "required").await.as_deref(), Some("false"));
        click(&c, "#enabled").await;
        assert_eq!(prop(&c, "#host", "required").await.as_deref(), Some("true"));
        assert_eq!(prop(&c, "#port", "required").await.as_deref(), Some("true"));
        assert_eq!(prop(&c, "#username", "required").await.as_deref(), Some("false"));
        click(&c, "#use_auth").await;
        assert_eq!(prop(&c, "#username", "required").await.as_deref(), Some("true"));
        assert_eq!(
            prop(&c, "#password", "required").await.as_deref(),
            Some("true"),
            "no stored password yet"
        );

        // Empty required fields: the browser stops the post itself.
        click(&c, "#save").await;
        assert_eq!(
            js(&c, "return document.querySelector('#host').validity.valueMissing").await,
            true
        );
        assert!(!exists(&c, "#error-summary").await && !exists(&c, ".flash").await);
        assert_eq!(app.revision_count().await, 0);

        let validity = |field: &str, value: &str| {
            format!(
                "const i = document.getElementById('{field}'); i.value = {value:?}; \
                 const v = i.validity; \
                 return {{valid: v.valid, pattern: v.patternMismatch, over: v.rangeOverflow, under: v.rangeUnderflow}}"
            )
        };
        let port = js(&c, &validity("port", "70000")).await;
        assert_eq!(port["over"], true, "{port}");
        let port = js(&c, &validity("port", "0")).await;
        assert_eq!(port["under"], true, "{port}");
        let port = js(&c, &validity("port", "65535")).await;
        assert_eq!(port["valid"], true, "{port}");

        let name64 = format!("{}.{}.{}.{}", "a".repeat(16), "b".repeat(15), "c".repeat(15), "d".repeat(15));
        assert_eq!(name64.len(), 64);
        for host in [
            "10.10.10.1",
            "proxy.example.com",
            "my-proxy.example.com",
            "2001:db8::1",
            "[2001:db8::1]",
            name64.as_str(),
            "http://proxy:3128",
            "proxy/path",
            "proxy example.com",
            "user@proxy",
        ] {
            let browser_ok = js(&c, &validity("host", host)).await["valid"] == true;
            let server_ok = ProxyHost::parse(host).is_ok();
            assert!(
                browser_ok || !server_ok,
                "the browser refuses {host:?}, which the server accepts"
            );
            if ["http://proxy:3128", "proxy/path", "proxy example.com", "user@proxy"].contains(&host) {
                assert!(!browser_ok, "the pattern catches {host:?} before the post");
            }
        }

        click(&c, "#enabled").await;
        assert_eq!(
            prop(&c, "#host", "required").await.as_deref(),
            Some("false"),
            "a disabled proxy requires nothing"
        );
    })
    .await;
}

/// The screenshot tool: whole-page pictures under `<target>/browser-screens/` — `page.png`
/// (a saved proxy with authentication), `disabled.png`, `refused.png`. With
/// `FMC_SCREENSHOT=1`, `page.png` is also copied to `docs/page.png`, the README's picture.
#[tokio::test]
async fn screenshots_show_the_page_saved_disabled_and_refusing_a_host() {
    let app = app_with_saved_proxy().await;
    let app = &app;
    browser::test(Js::On, |c| async move {
        open_page(&c, app).await;
        let page = screenshot_page(&c, "page").await;

        click(&c, "#enabled").await;
        screenshot_page(&c, "disabled").await;

        click(&c, "#enabled").await;
        fill(&c, "#host", "proxy-.example.com").await;
        fill(&c, "#port", "3128").await;
        save_and_wait(&c, "#error-summary").await;
        screenshot_page(&c, "refused").await;

        let png = std::fs::read(&page).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
        assert_eq!(width, browser::WINDOW.0);
        assert!(
            png.len() < 300 * 1024,
            "keep the picture small: {} bytes",
            png.len()
        );
    })
    .await;
}

/// The status help beside Test connection opens from the keyboard without JavaScript, and
/// its panel floats: in a narrow window it stays inside the form and moves nothing below.
#[tokio::test]
async fn the_status_help_opens_from_the_keyboard_and_floats_inside_a_narrow_window() {
    let app = TestApp::spawn().await;
    let app = &app;
    browser::test(Js::Off, |c| async move {
        c.set_window_size(720, 900).await.expect("a narrow window");
        open_page(&c, app).await;
        let layout = "const f = document.querySelector('#proxy-form').getBoundingClientRect();
            const p = document.querySelector('.status-help-panel').getBoundingClientRect();
            return {width: document.documentElement.scrollWidth,
                    below: document.querySelector('#probe-panel').getBoundingClientRect().top + scrollY,
                    form_left: f.left, form_right: f.right, left: p.left, right: p.right,
                    shown: document.querySelector('.status-help-panel').checkVisibility()};";
        let before = js(&c, layout).await;
        assert_eq!(before["shown"], false, "closed at first: {before}");

        // Tab from Test connection reaches the summary; Enter opens it.
        js(&c, "document.querySelector('#test-connection').focus(); return 0;").await;
        press(&c, Key::Tab).await;
        let focused = js(&c, "return document.activeElement.parentElement.id;").await;
        assert_eq!(focused, "status-help", "Tab reaches the summary");
        press(&c, Key::Enter).await;
        assert_eq!(prop(&c, "#status-help", "open").await.as_deref(), Some("true"));
        assert!(text(&c, ".status-help-panel").await.contains("Timeout between servers"));

        let after = js(&c, layout).await;
        assert_eq!(after["shown"], true, "{after}");
        assert_eq!(after["width"], before["width"], "no new horizontal scroll: {after}");
        assert_eq!(after["below"], before["below"], "nothing pushed down: {after}");
        let inside = after["left"].as_f64() >= after["form_left"].as_f64()
            && after["right"].as_f64() <= after["form_right"].as_f64();
        assert!(inside, "the panel stays inside the form: {after}");
    })
    .await;
}

/// The read-only sections as FMC 7.4 lays them out: the headings and columns, from this
/// host (its management interfaces only, never `lo`), and ICMPv6 boxes that cannot change.
#[tokio::test]
async fn the_read_only_sections_show_fmc_s_headings_columns_and_locked_checkboxes() {
    let app = TestApp::spawn().await;
    let app = &app;
    browser::test(Js::On, |c| async move {
        open_page(&c, app).await;
        let headings = js(
            &c,
            "return [...document.querySelectorAll('main section > h2, #routes h3')].map(h => h.textContent)",
        )
        .await;
        assert_eq!(
            headings,
            serde_json::json!([
                "Interfaces",
                "Routes",
                "IPv4 Routes",
                "IPv6 Routes",
                "Shared Settings",
                "ICMPv6",
                "Proxy",
                "Diagnostics"
            ])
        );
        let columns = |table: &'static str| {
            let c = c.clone();
            async move {
                js(
                    &c,
                    &format!("return [...document.querySelectorAll('{table} th')].map(h => h.textContent)"),
                )
                .await
            }
        };
        // This host's tables; a host without one shows the section's "none" line instead.
        for (table, none, want) in [
            ("#interfaces-table", "#no-interfaces", ["Interface", "Channels", "MAC Address", "IP Address"]),
            ("#ipv4-routes", "#no-ipv4-routes", ["Destination", "Netmask", "Interface", "Gateway"]),
            ("#ipv6-routes", "#no-ipv6-routes", ["Destination", "Prefix Length", "Interface", "Gateway"]),
        ] {
            if exists(&c, table).await {
                assert_eq!(columns(table).await, serde_json::json!(want), "{table}");
            } else {
                assert!(displayed(&c, none).await, "{table} or {none}");
            }
        }
        let listed = text(&c, "#interfaces").await;
        assert!(!listed.lines().any(|l| l.starts_with("lo ")), "{listed}");
        if exists(&c, "#interfaces-table").await {
            let channels = text(&c, "#interfaces-table tbody td.channels").await;
            assert!(channels.contains("Management Traffic") && channels.contains("Event Traffic"));
        }
        let terms = js(
            &c,
            "return [...document.querySelectorAll('#shared dt')].map(d => d.textContent)",
        )
        .await;
        assert_eq!(
            terms,
            serde_json::json!([
                "Hostname",
                "Domains",
                "Primary DNS Server",
                "Secondary DNS Server",
                "Tertiary DNS Server",
                "Remote Management Port"
            ])
        );
        assert_eq!(text(&c, "#remote-management-port").await, "8305");
        let resolv = std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
        let primary = fmc_mgmt::host::parse_resolv_conf(&resolv);
        assert_eq!(text(&c, "#dns-primary").await, primary.server(0));

        for (id, label) in [
            ("icmpv6-echo", "Enable Echo Reply Packets"),
            ("icmpv6-unreachable", "Enable Destination Unreachable Packets"),
        ] {
            assert_eq!(accessible_name(&c, &format!("#{id}")).await, label);
            assert_eq!(prop(&c, &format!("#{id}"), "disabled").await.as_deref(), Some("true"));
        }
        let echo_ignore_all = std::fs::read_to_string("/proc/sys/net/ipv6/icmp/echo_ignore_all")
            .map(|s| s.trim() == "0")
            .unwrap_or(false);
        assert_eq!(checked(&c, "#icmpv6-echo").await, echo_ignore_all, "from the kernel");
        let before = checked(&c, "#icmpv6-unreachable").await;
        js(&c, "document.getElementById('icmpv6-unreachable').click(); return 0;").await;
        assert_eq!(checked(&c, "#icmpv6-unreachable").await, before, "read-only");
        assert!(text(&c, "#icmpv6-echo-hint").await.contains("net.ipv6.icmp.echo_ignore_all"));
    })
    .await;
}

/// Save and Cancel end the page, as in FMC: Save (outside the Proxy section) still saves the
/// Proxy form, and Cancel throws a typed change away and shows the saved values again.
#[tokio::test]
async fn cancel_at_the_foot_reloads_the_saved_values_and_save_at_the_foot_saves() {
    let app = app_with_saved_proxy().await;
    let app = &app;
    browser::test(Js::On, |c| async move {
        open_page(&c, app).await;
        let place = js(
            &c,
            "const save = document.getElementById('save');
             const cancel = document.getElementById('cancel');
             const diag = document.getElementById('diagnostics');
             return {in_proxy: document.getElementById('proxy').contains(save),
                     form: save.form && save.form.id,
                     after_diagnostics: !!(diag.compareDocumentPosition(save) & Node.DOCUMENT_POSITION_FOLLOWING),
                     cancel_next: save.nextElementSibling === cancel};",
        )
        .await;
        assert_eq!(
            place,
            serde_json::json!({"in_proxy": false, "form": "proxy-form", "after_diagnostics": true, "cancel_next": true})
        );

        fill(&c, "#host", "typed.example.net").await;
        fill(&c, "#port", "8080").await;
        click(&c, "#use_auth").await;
        click(&c, "#cancel").await;
        let mut waited = 0;
        while value(&c, "#host").await != "proxy.example.com" {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            waited += 1;
            assert!(waited < 100, "Cancel did not bring the saved host back");
        }
        assert_eq!(value(&c, "#port").await, "3128");
        assert!(checked(&c, "#use_auth").await);
        assert_eq!(app.revision_count().await, 1, "Cancel saves nothing");

        fill(&c, "#port", "3129").await;
        // A new port keeps the stored password only if it is typed again (SPEC §6).
        fill(&c, "#password", "s3cret!").await;
        fill(&c, "#confirm_password", "s3cret!").await;
        save_and_wait(&c, ".flash").await;
        assert!(text(&c, ".flash").await.starts_with("Saved."));
        assert_eq!(app.revision_count().await, 2);
        assert!(app.conf().unwrap().contains("PROXY_PORT 3129;"));
    })
    .await;
}

/// The top bar as FMC 7.4's: search (it filters the left list, no script needed), the
/// System gear, Help, and the user menu that holds the audit log, API tokens, the language
/// and Log Out.
#[tokio::test]
async fn the_top_bar_searches_the_pages_and_its_user_menu_logs_out() {
    let app = TestApp::spawn().await;
    let app = &app;
    browser::test(Js::Off, |c| async move {
        open_page(&c, app).await;
        assert!(text(&c, ".tools .system").await.contains("System"));
        assert_eq!(
            accessible_name(&c, "#topsearch").await,
            "Search the configuration pages"
        );
        fill(&c, "#topsearch", "audit").await;
        press(&c, Key::Enter).await;
        wait_for(&c, "#search-show-all").await;
        let listed = text(&c, ".confnav ul").await;
        let listed: Vec<&str> = listed.lines().collect();
        assert_eq!(
            listed,
            [
                "Audit Log",
                "Audit Log Certificate",
                "Management Interfaces"
            ]
        );
        assert_eq!(value(&c, "#topsearch").await, "audit");
        click(&c, "#search-show-all").await;
        wait_for(&c, "#proxy-form").await;
        assert!(text(&c, ".confnav ul").await.lines().count() > 20);

        click(&c, "#help-menu > summary").await;
        assert!(displayed(&c, "#help-menu a[href='/api/v1/openapi.json']").await);

        assert!(
            !displayed(&c, "#logout").await,
            "inside the closed user menu"
        );
        click(&c, "#user-menu > summary").await;
        for shown in [
            "#logout",
            "#language",
            "a[href='/system/audit-log']",
            "a[href='/system/api-tokens']",
        ] {
            assert!(displayed(&c, shown).await, "{shown}");
        }
        assert_eq!(text(&c, "#user-name").await, "admin");
        click(&c, "#logout").await;
        wait_for(&c, "#login-username").await;
    })
    .await;
}
