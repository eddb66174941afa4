//! Property tests for validation: what is accepted can never break iprep_proxy.conf, and what
//! is refused never reaches the database or the file.

use crate::support;

use fmc_mgmt::probe::hostport::parse_host_port;
use fmc_mgmt::settings::ProxyConfig;
use fmc_mgmt::settings::conf_file::render;
use fmc_mgmt::settings::fields::ProxyHost;
use fmc_mgmt::settings::form::ProxyForm;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use support::app::TestApp;

fn enabled(host: &str, port: &str) -> ProxyForm {
    ProxyForm {
        enabled: true,
        host: host.into(),
        port: port.into(),
        ..ProxyForm::default()
    }
}

/// Strings that look like what admins paste: names, addresses, URLs, junk and controls.
fn host_input() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9.-]{1,70}",
        "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
        "\\[?[0-9a-fA-F:]{2,40}\\]?",
        "(http|https)://[a-z.]{1,20}(:[0-9]{1,5})?(/[a-z]*)?",
        ".{0,80}",
        "[a-z]{1,10}[;{}# \\n\\r\\t\"'][a-z]{0,10}",
    ]
}

proptest! {
    #![proptest_config(Config { cases: 2000, ..Config::default() })]

    #[test]
    fn every_accepted_host_renders_a_line_that_cannot_break_the_block(host in host_input(), port in 1u16..=65535) {
        if let Ok(settings) = enabled(&host, &port.to_string()).parse(&ProxyConfig::default()) {
            let config = settings.apply_to(&ProxyConfig::default());
            let text = render(&config).expect("an enabled proxy renders");
            let stored = config.host.clone().unwrap();
            prop_assert!(!stored.contains([';', '{', '}', '#', '\n', '\r', ' ', '\t', '"', '\'', '\\']), "{stored:?}");
            prop_assert_eq!(text.lines().count(), 4);
            prop_assert_eq!(text, format!("iprep_proxy {{\n    PROXY_HOST {stored};\n    PROXY_PORT {port};\n}}\n"));
        }
    }

    /// One host rule: whatever the HTTP Proxy field takes, `-x HOST:PORT` takes as the same
    /// host, and the other way round for hosts within the form's 64 characters (the form's
    /// own syntax — brackets, a scheme, a port — is compared where both have it).
    #[test]
    fn the_form_and_the_probe_take_the_same_hosts(host in host_input()) {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let plain = !host.contains(['/', '@', '?', '#']) && host.trim() == host && !host.ends_with('.');
        if !plain || bare.chars().count() > 64 || bare.contains(['[', ']']) {
            return Ok(());
        }
        let written = if bare.contains(':') { format!("[{bare}]:80") } else { format!("{bare}:80") };
        let form = ProxyHost::parse(bare).map(|h| h.to_string()).ok();
        let probe = parse_host_port(&written).map(|hp| hp.host.to_string()).ok();
        prop_assert_eq!(form, probe, "{:?}", written);
    }

    #[test]
    fn a_saved_form_parses_back_to_the_same_settings(host in host_input(), port in "[0-9]{1,6}", user in "[ -~]{0,70}") {
        let form = ProxyForm { use_auth: true, username: user, password: "pw".into(), confirm_password: "pw".into(), ..enabled(&host, &port) };
        if let Ok(settings) = form.parse(&ProxyConfig::default()) {
            let config = settings.apply_to(&ProxyConfig::default());
            let again = fmc_mgmt::web::page::form_from_config(&config).parse(&config).expect("stored values stay valid");
            prop_assert_eq!(again.apply_to(&config), config);
        }
    }
}

#[test]
fn every_refused_input_leaves_database_and_file_untouched() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let app = rt.block_on(TestApp::spawn());
    rt.block_on(async {
        let ok = app
            .save(&[("enabled", "on"), ("host", "10.1.1.1"), ("port", "8080")])
            .await;
        assert_eq!(ok.status(), reqwest::StatusCode::SEE_OTHER);
    });
    let file_before = app.conf().unwrap();
    let mut runner = TestRunner::new(Config {
        cases: 96,
        ..Config::default()
    });
    let bad = (host_input(), "[0-9a-z-]{0,7}", "[ -~\\t\\n]{0,70}").prop_filter(
        "refused by validation",
        |(h, p, u)| {
            let form = ProxyForm {
                use_auth: true,
                username: u.clone(),
                ..enabled(h, p)
            };
            form.parse(&ProxyConfig::default()).is_err()
        },
    );
    runner
        .run(&bad, |(host, port, user)| {
            let status = rt.block_on(async {
                app.save(&[
                    ("enabled", "on"),
                    ("host", &host),
                    ("port", &port),
                    ("use_auth", "on"),
                    ("username", &user),
                ])
                .await
                .status()
            });
            prop_assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY);
            Ok(())
        })
        .unwrap();
    assert_eq!(
        rt.block_on(app.revision_count()),
        1,
        "no refused input became a revision"
    );
    assert_eq!(app.conf().unwrap(), file_before);
}
