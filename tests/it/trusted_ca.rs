//! Trusted CA for the probe (issue 16 point 8): a TLS-inspecting proxy's CA saved in the
//! Proxy section (or the API) makes every test trust it — the page, the API and
//! `probe --from-config` — while the server runs without `--ca-file`.

use crate::support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::app::{TestApp, encode, hidden};
use support::fake_proxy::{FakeProxy, Script};
use support::tls_target::{CertKind, TEST_CA_CN, TlsTarget};

const TEST: &str = "/system/configuration/management-interfaces/proxy/test";
const HISTORY: &str = "/system/configuration/management-interfaces/proxy/history";

/// A server whose default target is `target`, trusting only the OS store (no --ca-file).
pub(crate) async fn app_without_ca_file(target: &TlsTarget) -> TestApp {
    let probe_target = format!("127.0.0.1:{}", target.port());
    TestApp::spawn_with(&[
        "--probe-target",
        &probe_target,
        "--probe-read-timeout",
        "2",
        "--probe-max-time",
        "5",
    ])
    .await
}

/// A proxy that tunnels to `target`, whose certificate is signed by a CA the appliance
/// does not know: what a TLS-inspecting proxy looks like to the probe.
pub(crate) fn inspecting_proxy(target: &TlsTarget) -> FakeProxy {
    FakeProxy::start(Script::Tunnel {
        head: "HTTP/1.1 200 Connection established\r\n\r\n".into(),
        to: target.addr,
    })
}

/// Test connection from the page without JavaScript; the HTML.
async fn page_test(app: &TestApp, port: &str) -> String {
    let html = app.page().await.1;
    let fields: Vec<(String, String)> = [
        ("enabled", "on"),
        ("host", "127.0.0.1"),
        ("port", port),
        ("username", ""),
        ("csrf_token", &hidden(&html, "csrf_token")),
        ("revision", &hidden(&html, "revision")),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let r = app
        .client
        .post(app.url(TEST))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html")
        .body(encode(&fields))
        .send()
        .await
        .unwrap();
    // Without JavaScript the test answers with Post/Redirect/Get: the page shows it.
    let (status, html) = app.follow(r, None).await;
    assert_eq!(status, StatusCode::OK);
    html
}

/// The session's API call (CSRF header and Origin), its status and JSON.
async fn api(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = app
        .client
        .request(method, app.url(path))
        .header("x-csrf-token", app.csrf().await)
        .header("origin", format!("http://{}", app.addr));
    if let Some(body) = body {
        req = req.json(&body);
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The base64 of the PEM's first body line: what must never be shown back.
fn pem_body_line(pem: &str) -> String {
    pem.lines().nth(1).expect("a PEM body").to_owned()
}

#[tokio::test]
async fn a_saved_ca_makes_the_inspecting_proxy_trusted_by_the_page_the_api_and_from_config() {
    let target = TlsTarget::start(CertKind::Good);
    let proxy = inspecting_proxy(&target);
    let app = app_without_ca_file(&target).await;
    let port = proxy.port().to_string();
    let base = [
        ("enabled", "on"),
        ("host", "127.0.0.1"),
        ("port", port.as_str()),
    ];
    assert_eq!(app.save(&base).await.status(), StatusCode::SEE_OTHER);

    // Without the CA: untrusted, and the advice names the field, not a restart flag.
    let html = page_test(&app, &port).await;
    assert!(html.contains("data-code=\"tls_untrusted\""), "{html}");
    assert!(
        html.contains("Trusted CA for the probe"),
        "advice names the field"
    );
    let (_, untrusted) = api(&app, reqwest::Method::POST, "/api/v1/proxy/test", None).await;
    assert_eq!(untrusted["diagnosis"]["code"], "tls_untrusted");

    // Save the CA as pasted PEM (what the file picker puts in the textarea too).
    let pem = std::fs::read_to_string(&target.ca_file).unwrap();
    let mut with_ca = base.to_vec();
    with_ca.push(("ca_pem", pem.as_str()));
    assert_eq!(app.save(&with_ca).await.status(), StatusCode::SEE_OTHER);
    let page = app.page().await.1;
    assert!(
        page.contains(&format!("CN={TEST_CA_CN}")),
        "the subject is shown"
    );
    assert!(!page.contains(&pem_body_line(&pem)), "the PEM is not shown");

    let html = page_test(&app, &port).await;
    assert!(html.contains("data-code=\"ok\""), "{html}");
    let (_, ok) = api(&app, reqwest::Method::POST, "/api/v1/proxy/test", None).await;
    assert_eq!(ok["diagnosis"]["code"], "ok", "{ok}");

    // The API shows subject and expiry, never the PEM.
    let (status, view) = api(&app, reqwest::Method::GET, "/api/v1/proxy", None).await;
    assert_eq!(status, StatusCode::OK);
    let cas = view["trusted_ca"].as_array().expect("trusted_ca listed");
    assert_eq!(cas.len(), 1);
    assert_eq!(cas[0]["subject"], format!("CN={TEST_CA_CN}"));
    assert!(cas[0]["not_after"].as_str().unwrap().len() == 10, "{view}");
    assert!(!view.to_string().contains(&pem_body_line(&pem)));

    // The history says it.
    let history = app.client.get(app.url(HISTORY)).send().await.unwrap();
    let history = history.text().await.unwrap();
    assert!(
        history.contains(&format!("Trusted CA added: CN={TEST_CA_CN}")),
        "{history}"
    );

    // `probe --from-config` trusts it too, with no --cacert.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fmc-mgmt"))
        .args([
            "probe",
            "--from-config",
            "--json",
            "--max-time",
            "5",
            "--data-dir",
        ])
        .arg(app.data_dir())
        .args(["--target", &format!("127.0.0.1:{}", target.port())])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    assert_eq!(
        report["diagnosis"]["code"],
        "ok",
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0));

    // Remove it: untrusted again; roll back to the revision that had it: trusted again.
    let fingerprint = cas[0]["sha256"].as_str().unwrap().to_owned();
    let mut remove = base.to_vec();
    remove.push(("ca_remove_0", fingerprint.as_str()));
    assert_eq!(app.save(&remove).await.status(), StatusCode::SEE_OTHER);
    let (_, view) = api(&app, reqwest::Method::GET, "/api/v1/proxy", None).await;
    assert_eq!(view["trusted_ca"], json!([]));
    assert!(
        page_test(&app, &port)
            .await
            .contains("data-code=\"tls_untrusted\"")
    );
    let r = crate::history::rollback(&app, "2", "3").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(page_test(&app, &port).await.contains("data-code=\"ok\""));
}

#[tokio::test]
async fn the_api_replaces_the_cas_with_ca_pem_and_a_test_may_bring_its_own() {
    let target = TlsTarget::start(CertKind::Good);
    let proxy = inspecting_proxy(&target);
    let app = app_without_ca_file(&target).await;
    let pem = std::fs::read_to_string(&target.ca_file).unwrap();
    let port = proxy.port();
    // A test that brings the CA passes; one without it (nothing saved) does not.
    let (_, given) = api(
        &app,
        reqwest::Method::POST,
        "/api/v1/proxy/test",
        Some(json!({"host": "127.0.0.1", "port": port, "ca_pem": pem})),
    )
    .await;
    assert_eq!(given["diagnosis"]["code"], "ok", "{given}");
    let (_, bare) = api(
        &app,
        reqwest::Method::POST,
        "/api/v1/proxy/test",
        Some(json!({"host": "127.0.0.1", "port": port})),
    )
    .await;
    assert_eq!(bare["diagnosis"]["code"], "tls_untrusted");

    let put = |revision: i64, ca: Option<&str>| {
        let mut body =
            json!({"enabled": true, "host": "127.0.0.1", "port": port, "revision": revision});
        if let Some(ca) = ca {
            body["ca_pem"] = json!(ca);
        }
        body
    };
    let (status, _) = api(
        &app,
        reqwest::Method::PUT,
        "/api/v1/proxy",
        Some(put(0, Some(&pem))),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // Absent keeps them; "" removes them.
    let (_, kept) = api(
        &app,
        reqwest::Method::PUT,
        "/api/v1/proxy",
        Some(put(1, None)),
    )
    .await;
    assert_eq!(
        kept["trusted_ca"].as_array().map(Vec::len),
        Some(1),
        "{kept}"
    );
    let (_, cleared) = api(
        &app,
        reqwest::Method::PUT,
        "/api/v1/proxy",
        Some(put(1, Some(""))),
    )
    .await;
    assert_eq!(cleared["trusted_ca"], json!([]), "{cleared}");
}

#[tokio::test]
async fn a_private_key_or_garbage_is_refused_with_its_reason_and_the_key_never_comes_back() {
    let app = TestApp::spawn().await;
    let key = rcgen::KeyPair::generate().unwrap().serialize_pem();
    let secret_line = pem_body_line(&key);

    let r = app
        .save(&[
            ("enabled", "on"),
            ("host", "10.0.0.1"),
            ("port", "3128"),
            ("ca_pem", &key),
        ])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("is a private key"), "{html}");
    assert!(!html.contains(&secret_line), "the key is not shown again");
    assert_eq!(app.revision_count().await, 0);

    let r = app
        .save(&[
            ("enabled", "on"),
            ("host", "10.0.0.1"),
            ("port", "3128"),
            ("ca_pem", "not a certificate"),
        ])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("This is not PEM"), "{html}");
    assert!(
        html.contains(">not a certificate</textarea>"),
        "a certificate mistake is kept to fix"
    );

    let (status, body) = api(
        &app,
        reqwest::Method::PUT,
        "/api/v1/proxy",
        Some(json!({"enabled": false, "revision": 0, "ca_pem": key})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["fields"]["ca_pem"]
            .as_str()
            .unwrap()
            .contains("private key"),
        "{body}"
    );
    assert!(!body.to_string().contains(&secret_line));
}
