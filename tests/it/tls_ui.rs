//! HTTPS for the UI: a self-signed certificate made on first start, Secure cookies.

use crate::support;

use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, ServerName, pem::PemObject};
use support::app::{ADMIN_PASSWORD, encode, hidden};
use support::binary::Server;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One HTTP/1.1 request over TLS, trusting only `ca_pem`; returns the whole response text.
async fn https(addr: &str, ca_pem: &[u8], request: String) -> String {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(ca_pem).unwrap())
        .unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let mut tls = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .expect("TLS handshake");
    tls.write_all(request.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    let _ = tls.read_to_end(&mut out).await;
    String::from_utf8_lossy(&out).into_owned()
}

fn cookie(response: &str, name: &str) -> String {
    response
        .lines()
        .find(|l| {
            l.to_ascii_lowercase().starts_with("set-cookie:") && l.contains(&format!("{name}="))
        })
        .unwrap_or_else(|| panic!("no {name} cookie in {response}"))
        .to_owned()
}

#[tokio::test]
async fn self_signed_https_serves_the_ui_with_secure_cookies() {
    let cwd = tempfile::tempdir().unwrap();
    let mut server = Server::start(
        cwd.path(),
        &["--tls-self-signed"],
        &[("FMC_ADMIN_PASSWORD", ADMIN_PASSWORD)],
    );
    assert!(server.log().contains("serving https://"));
    let data = cwd.path().join("data");
    let ca = std::fs::read(data.join("ui-cert.pem")).unwrap();
    assert_eq!(
        std::fs::metadata(data.join("ui-key.pem"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );

    let health = https(
        &server.addr,
        &ca,
        "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".into(),
    )
    .await;
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");

    let login_page = https(
        &server.addr,
        &ca,
        "GET /login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".into(),
    )
    .await;
    let login_csrf = cookie(&login_page, "fmc_login_csrf");
    let csrf_pair = login_csrf
        .split_once(':')
        .unwrap()
        .1
        .trim()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let body = encode(&[
        ("username".into(), "admin".into()),
        ("password".into(), ADMIN_PASSWORD.into()),
        ("csrf_token".into(), hidden(&login_page, "csrf_token")),
        ("next".into(), "/".into()),
    ]);
    let request = format!(
        "POST /login HTTP/1.1\r\nHost: localhost\r\nCookie: {csrf_pair}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let logged_in = https(&server.addr, &ca, request).await;
    assert!(logged_in.starts_with("HTTP/1.1 303"), "{logged_in}");
    let session = cookie(&logged_in, "fmc_session");
    assert!(
        session.contains("; Secure")
            && session.contains("HttpOnly")
            && session.contains("SameSite=Strict"),
        "{session}"
    );
    assert!(server.signal_and_wait(15).success());

    let mut again = Server::start(cwd.path(), &["--tls-self-signed"], &[]);
    assert_eq!(
        std::fs::read(data.join("ui-cert.pem")).unwrap(),
        ca,
        "the certificate is kept across restarts"
    );
    again.signal_and_wait(15);
}

#[test]
fn a_missing_certificate_file_stops_the_start_with_its_path() {
    let cwd = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fmc-mgmt"))
        .current_dir(cwd.path())
        .args([
            "--listen",
            "127.0.0.1:0",
            "--tls-cert",
            "/nonexistent/cert.pem",
            "--tls-key",
            "/nonexistent/key.pem",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/cert.pem"));
}
