//! Connections under attack (SPEC §8): half-sent heads and idle keep-alive sockets are
//! closed after 10 s over HTTP and HTTPS, a server full of held sockets still lets the admin
//! in, out of file descriptors the accept loop backs off instead of spinning, and a `Host`
//! that is not this server's gets 421 (DNS rebinding).

use crate::support;

use std::os::unix::process::CommandExt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use rustls::pki_types::{CertificateDer, ServerName, pem::PemObject};
use support::app::{ADMIN_PASSWORD, PAGE, TestApp, encode, hidden};
use support::binary::Server;
use support::fake_proxy::{FakeProxy, Script};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A request head cut before its blank line, as a slowloris client sends it.
const HALF_HEAD: &[u8] = b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1\r\n";

/// Reads until the peer closes (or fails) or `limit` passes: when it closed, and what came.
async fn wait_for_close(
    stream: &mut (impl AsyncRead + Unpin),
    limit: Duration,
) -> (Option<Duration>, Vec<u8>) {
    let start = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let left = limit.saturating_sub(start.elapsed());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return (None, got),
            Ok(Ok(0)) | Ok(Err(_)) => return (Some(start.elapsed()), got),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

/// Asserts that the server closed the connection 10 s (the header read timeout) after the
/// clock started, give or take scheduling.
fn assert_closed_after_ten_seconds(closed: Option<Duration>, what: &str) {
    let closed = closed.unwrap_or_else(|| panic!("{what}: still open after 20 s"));
    assert!(
        closed >= Duration::from_secs(9) && closed <= Duration::from_secs(13),
        "{what}: closed after {closed:?}, not 10 s"
    );
}

/// A TLS connection to `addr` trusting only the app's self-signed certificate.
async fn tls_connect(app: &TestApp) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    let pem = std::fs::read(app.data_dir().join("ui-cert.pem")).expect("certificate");
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(&pem).unwrap())
        .unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let tcp = TcpStream::connect(app.addr).await.unwrap();
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .expect("TLS handshake")
}

#[tokio::test]
async fn a_half_sent_request_head_is_closed_after_ten_seconds() {
    let app = TestApp::spawn_anonymous().await;
    let mut slow = TcpStream::connect(app.addr).await.unwrap();
    slow.write_all(HALF_HEAD).await.unwrap();
    let (closed, _) = wait_for_close(&mut slow, Duration::from_secs(20)).await;
    assert_closed_after_ten_seconds(closed, "half-sent head over HTTP");
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_ten_seconds() {
    let app = TestApp::spawn_anonymous().await;
    let mut idle = TcpStream::connect(app.addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let (closed, answer) = wait_for_close(&mut idle, Duration::from_secs(20)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        !answer.contains("connection: close"),
        "kept alive: {answer}"
    );
    assert_closed_after_ten_seconds(closed, "idle keep-alive");
}

#[tokio::test]
async fn over_https_a_half_sent_head_after_the_handshake_is_closed_after_ten_seconds() {
    let app = TestApp::spawn_anonymous_with(&["--tls-self-signed"]).await;
    let mut slow = tls_connect(&app).await;
    slow.write_all(HALF_HEAD).await.unwrap();
    slow.flush().await.unwrap();
    let (closed, _) = wait_for_close(&mut slow, Duration::from_secs(20)).await;
    assert_closed_after_ten_seconds(closed, "half-sent head over HTTPS");

    let mut ok = tls_connect(&app).await;
    ok.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let (_, answer) = wait_for_close(&mut ok, Duration::from_secs(5)).await;
    assert!(answer.starts_with(b"HTTP/1.1 200"), "HTTPS still serves");
}

#[tokio::test]
async fn with_every_connection_held_by_an_attacker_the_login_page_still_answers_at_once() {
    let app = TestApp::spawn_anonymous_with(&["--max-connections", "8"]).await;
    let mut held = Vec::new();
    for _ in 0..40 {
        let mut s = TcpStream::connect(app.addr).await.unwrap();
        s.write_all(HALF_HEAD).await.unwrap();
        held.push(s);
    }

    let started = Instant::now();
    let login = app
        .client
        .get(app.url("/login"))
        .timeout(Duration::from_secs(8))
        .send()
        .await
        .expect("GET /login answers while every slot is held (no need to wait the 10 s out)");
    assert_eq!(login.status(), StatusCode::OK);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(3), "GET /login took {took:?}");

    // The attackers' sockets made room: the oldest ones were closed at once.
    let mut closed = 0;
    for s in &mut held {
        if let (Some(_), _) = wait_for_close(s, Duration::from_millis(1)).await {
            closed += 1;
        }
    }
    assert!(closed >= 1, "no held socket was closed to make room");
}

/// User and system CPU time of process `pid` so far.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat.rsplit_once(") ").unwrap().1.split(' ').collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    // SAFETY: sysconf only reads a system constant.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as u64;
    Duration::from_millis(ticks * 1000 / per_second)
}

#[tokio::test]
async fn out_of_file_descriptors_over_https_the_accept_loop_backs_off() {
    let cwd = tempfile::tempdir().unwrap();
    let server = Server::start_configured(
        cwd.path(),
        &["--tls-self-signed"],
        &[("FMC_ADMIN_PASSWORD", ADMIN_PASSWORD)],
        |command| {
            // SAFETY: setrlimit is async-signal-safe and touches only the child.
            unsafe {
                command.pre_exec(|| {
                    let limit = libc::rlimit {
                        rlim_cur: 64,
                        rlim_max: 64,
                    };
                    if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        },
    );
    let pid = server.child.id();
    // More connections than the server has descriptors: it runs out, the rest queue.
    let mut held = Vec::new();
    for _ in 0..150 {
        held.push(TcpStream::connect(&server.addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (cpu_before, log_before) = (cpu_time(pid), server.log().len());
    tokio::time::sleep(Duration::from_secs(3)).await;
    let cpu = cpu_time(pid) - cpu_before;
    let logged = server.log().len() - log_before;
    assert!(
        server.log().contains("accept failed"),
        "the server did run out: {}",
        server.log()
    );
    assert!(
        cpu < Duration::from_millis(500),
        "{cpu:?} of CPU in 3 s out of descriptors"
    );
    assert!(
        logged < 4096,
        "{logged} bytes of log in 3 s out of descriptors"
    );

    // While they still hold their sockets, the admin gets in: connections that only hold
    // a descriptor give it up, without waiting for their handshake timeout.
    let ca = std::fs::read(cwd.path().join("data/ui-cert.pem")).unwrap();
    let started = Instant::now();
    let answer = tls_get_healthz(&server.addr, &ca).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "HTTPS answered after {took:?}"
    );
    drop(held);
}

/// `GET /healthz` over TLS with a fresh connection, retried for up to 15 s while the server
/// recovers its descriptors.
async fn tls_get_healthz(addr: &str, ca_pem: &[u8]) -> String {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(ca_pem).unwrap())
        .unwrap();
    let config = Arc::new(
        rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth(),
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let attempt = async {
            let tcp = TcpStream::connect(addr).await.ok()?;
            let mut tls = tokio_rustls::TlsConnector::from(config.clone())
                .connect(ServerName::try_from("localhost").unwrap(), tcp)
                .await
                .ok()?;
            tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .await
                .ok()?;
            let mut out = Vec::new();
            let _ = tls.read_to_end(&mut out).await;
            Some(String::from_utf8_lossy(&out).into_owned())
        };
        match tokio::time::timeout(Duration::from_secs(5), attempt).await {
            Ok(Some(answer)) if !answer.is_empty() => return answer,
            _ if Instant::now() > deadline => panic!("HTTPS did not recover"),
            _ => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

async fn get_with_host(app: &TestApp, host: &str) -> (StatusCode, String) {
    let r = app
        .client
        .get(app.url("/login"))
        .header(reqwest::header::HOST, host)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn a_foreign_host_name_gets_421_and_addresses_and_localhost_are_served() {
    let app = TestApp::spawn_anonymous().await;
    let port = app.addr.port();
    let (status, body) = get_with_host(&app, "evil.example").await;
    assert_eq!(status, StatusCode::MISDIRECTED_REQUEST);
    assert!(body.contains("--allowed-host evil.example"), "{body}");
    let (status, _) = get_with_host(&app, &format!("rebind.evil.example:{port}")).await;
    assert_eq!(status, StatusCode::MISDIRECTED_REQUEST);
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        "localhost".to_owned(),
        format!("[::1]:{port}"),
        "10.20.30.40".to_owned(),
    ] {
        let (status, _) = get_with_host(&app, &host).await;
        assert_eq!(status, StatusCode::OK, "Host: {host}");
    }
    // Under /api the refusal has the API's JSON error shape.
    let r = app
        .client
        .get(app.url("/api/v1/proxy"))
        .header(reqwest::header::HOST, "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::MISDIRECTED_REQUEST);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("--allowed-host evil.example"),
        "{body}"
    );
}

#[tokio::test]
async fn a_name_given_with_allowed_host_is_served() {
    let app = TestApp::spawn_anonymous_with(&["--allowed-host", "fmc.example"]).await;
    for host in ["fmc.example", "FMC.example:8443"] {
        assert_eq!(get_with_host(&app, host).await.0, StatusCode::OK, "{host}");
    }
    assert_eq!(
        get_with_host(&app, "other.example").await.0,
        StatusCode::MISDIRECTED_REQUEST
    );
}

#[tokio::test]
async fn fmc_allowed_host_takes_a_comma_separated_list() {
    let cwd = tempfile::tempdir().unwrap();
    let server = Server::start(
        cwd.path(),
        &[],
        &[
            ("FMC_ADMIN_PASSWORD", ADMIN_PASSWORD),
            ("FMC_ALLOWED_HOST", "a.example,b.example"),
        ],
    );
    let client = support::app::client();
    for (host, status) in [
        ("b.example", StatusCode::OK),
        ("a.example", StatusCode::OK),
        ("c.example", StatusCode::MISDIRECTED_REQUEST),
    ] {
        let r = client
            .get(server.url("/login"))
            .header(reqwest::header::HOST, host)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "Host: {host}");
    }
}

#[tokio::test]
async fn a_shutdown_lets_the_request_in_flight_finish_and_stops_accepting() {
    let silent = FakeProxy::start(Script::Silent);
    let app = TestApp::spawn_with(&[
        "--probe-read-timeout",
        "2",
        "--probe-max-time",
        "5",
        "--probe-target",
        "127.0.0.1:9",
    ])
    .await;
    let html = app.page().await.1;
    let form = encode(&[
        ("enabled".into(), "on".into()),
        ("host".into(), "127.0.0.1".into()),
        ("port".into(), silent.port().to_string()),
        ("username".into(), String::new()),
        ("csrf_token".into(), hidden(&html, "csrf_token")),
        ("revision".into(), hidden(&html, "revision")),
    ]);
    let addr = app.addr;
    // A Test connection against a proxy that never answers takes the 2 s read timeout.
    let test = app
        .client
        .post(app.url(&format!("{PAGE}/proxy/test")))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(form)
        .send();
    let started = Instant::now();
    let (answer, ()) = tokio::join!(test, async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        app.stop().await;
    });
    let answer = answer.expect("the request in flight is answered");
    assert_eq!(answer.status(), StatusCode::OK);
    assert!(
        started.elapsed() >= Duration::from_millis(1500),
        "answered after the probe ran, not cut at the signal"
    );
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "no longer accepting"
    );
}
