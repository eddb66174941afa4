//! Trusted CA for the probe in headless Chromium (issue 16 point 8): with JavaScript the
//! file picker reads the TLS-inspecting proxy's CA into the field and a test uses it before
//! it is saved; without JavaScript the PEM is pasted. Saved, the CA is listed by subject.

use crate::support;

use std::time::Duration;

use fantoccini::Client;
use support::app::TestApp;
use support::browser::{self, *};
use support::fake_proxy::FakeProxy;
use support::tls_target::{CertKind, TEST_CA_CN, TlsTarget};

const RESULT: Duration = Duration::from_secs(10);

/// A server testing `target` by default, trusting only the OS store (no --ca-file), and a
/// proxy tunnelling to `target`, whose certificate that server does not trust.
async fn setup(target: &TlsTarget) -> (TestApp, FakeProxy) {
    let app = crate::trusted_ca::app_without_ca_file(target).await;
    (app, crate::trusted_ca::inspecting_proxy(target))
}

async fn proxy_fields(c: &Client, port: u16) {
    if prop(c, "#enabled", "checked").await.as_deref() != Some("true") {
        click(c, "#enabled").await;
    }
    fill(c, "#host", "127.0.0.1").await;
    fill(c, "#port", &port.to_string()).await;
}

#[tokio::test]
async fn with_javascript_a_picked_ca_file_is_tested_then_saved_and_listed() {
    let target = TlsTarget::start(CertKind::Good);
    let (app, proxy) = setup(&target).await;
    let (app, port, ca_file) = (&app, proxy.port(), target.ca_file.clone());
    browser::test(Js::On, |c| async move {
        open_page(&c, app).await;
        proxy_fields(&c, port).await;
        click(&c, "#test-connection").await;
        wait_for_text(&c, "#diag-code", "tls_untrusted", RESULT).await;

        assert!(
            displayed(&c, "#ca_file").await,
            "the picker shows with JavaScript"
        );
        find(&c, "#ca_file")
            .await
            .send_keys(&ca_file.display().to_string())
            .await
            .expect("pick the CA file");
        let pasted = value(&c, "#ca_pem").await;
        assert!(pasted.contains("BEGIN CERTIFICATE"), "{pasted}");
        // The unsaved CA is what the test trusts.
        click(&c, "#test-connection").await;
        wait_for_text(&c, "#diag-code", "ok", RESULT).await;

        click(&c, "#save").await;
        let listed = wait_for_text(&c, ".ca-subject", TEST_CA_CN, RESULT).await;
        assert_eq!(listed, format!("CN={TEST_CA_CN}"));
        assert_eq!(value(&c, "#ca_pem").await, "", "the saved PEM is not shown");
        assert_eq!(app.revision_count().await, 1);
    })
    .await;
}

#[tokio::test]
async fn without_javascript_pasted_pem_is_saved_listed_and_trusted() {
    let target = TlsTarget::start(CertKind::Good);
    let (app, proxy) = setup(&target).await;
    let pem = std::fs::read_to_string(&target.ca_file).unwrap();
    let (app, port, pem) = (&app, proxy.port(), pem.as_str());
    browser::test(Js::Off, |c| async move {
        open_page(&c, app).await;
        assert!(
            !displayed(&c, "#ca_file").await,
            "no picker without JavaScript"
        );
        proxy_fields(&c, port).await;
        fill(&c, "#ca_pem", pem).await;
        click(&c, "#save").await;
        let listed = wait_for_text(&c, ".ca-subject", TEST_CA_CN, RESULT).await;
        assert_eq!(listed, format!("CN={TEST_CA_CN}"));
        assert!(text(&c, ".ca-expiry").await.contains("valid until "));
        click(&c, "#test-connection").await;
        wait_for_text(&c, "#diag-code", "ok", RESULT).await;
    })
    .await;
}
