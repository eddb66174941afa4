//! The wire transcript (SPEC §6 `wire`): through real squid with Basic auth it shows the
//! connect, the writes and reads, the proxy's `200` and the FIN, and never the password;
//! a resetting proxy shows an RST; a proxy dripping one byte per read cannot grow it
//! without bound. Also the CLI's `--wire`, the page's table and the OpenAPI schema.

use crate::support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use fmc_mgmt::probe::transcript::MAX_EVENTS;
use fmc_mgmt::probe::{DiagnosisCode, Direction, Report, WireEvent, WireKind, render_text};
use support::app::{TestApp, encode, hidden};
use support::fake_proxy::{FakeProxy, Script};
use support::probe::{probe, request, with_credentials};
use support::squid::{Mode, Squid};
use support::tls_target::{CertKind, TlsTarget};
use utoipa::OpenApi;

const USER: &str = "fmcadmin";
const PASSWORD: &str = "p@ss:w0rd!#%&";
/// base64("fmcadmin:p@ss:w0rd!#%&"), what a Basic header carries.
const PASSWORD_B64: &str = "Zm1jYWRtaW46cEBzczp3MHJkISMlJg==";

fn basic() -> Mode {
    Mode::Basic {
        user: USER.into(),
        password: PASSWORD.into(),
    }
}

fn kinds(wire: &[WireEvent]) -> Vec<WireKind> {
    wire.iter().map(|e| e.kind).collect()
}

/// Nothing in `text` is a credential.
fn assert_no_secret(text: &str, what: &str) {
    assert!(
        !text.contains(PASSWORD),
        "{what} holds the password:\n{text}"
    );
    assert!(
        !text.contains(PASSWORD_B64),
        "{what} holds Basic's base64:\n{text}"
    );
    assert!(
        !text.contains("p@ss"),
        "{what} holds part of the password:\n{text}"
    );
}

#[tokio::test]
async fn through_squid_with_basic_the_transcript_shows_the_exchange_and_no_credential() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(basic());
    let req = with_credentials(
        request(squid.port(), target.port(), Some(target.ca_file.clone())),
        USER,
        PASSWORD,
    );
    let report = probe(&req).await;
    let text = render_text(&report);
    assert_eq!(report.diagnosis.code, DiagnosisCode::Ok, "{text}");
    let wire = &report.wire;
    let found = kinds(wire);

    let connect = &wire[0];
    assert_eq!(
        (connect.kind, connect.dir),
        (WireKind::Connect, Direction::Out)
    );
    let proxy = format!("127.0.0.1:{}", squid.port());
    assert_eq!(connect.remote.as_deref(), Some(proxy.as_str()));
    assert!(
        connect
            .local
            .as_deref()
            .is_some_and(|l| l.starts_with("127.0.0.1:"))
    );
    let heads: Vec<&str> = wire
        .iter()
        .filter(|e| e.kind == WireKind::ResponseHead)
        .filter_map(|e| e.note.as_deref())
        .collect();
    assert!(
        heads.first().is_some_and(|h| h.starts_with("HTTP/1.1 407")),
        "the challenge first: {heads:?}"
    );
    assert!(
        heads.last().is_some_and(|h| h.starts_with("HTTP/1.1 200")),
        "then the tunnel: {heads:?}"
    );
    assert!(found.contains(&WireKind::TlsHandshake), "{found:?}");
    let fin_out = wire
        .iter()
        .any(|e| e.kind == WireKind::Fin && e.dir == Direction::Out);
    assert!(fin_out, "the close stage's FIN: {found:?}");
    let written: u64 = wire
        .iter()
        .filter(|e| e.kind == WireKind::Write)
        .map(|e| e.bytes)
        .sum();
    let read: u64 = wire
        .iter()
        .filter(|e| e.kind == WireKind::Read)
        .map(|e| e.bytes)
        .sum();
    // Two CONNECTs, a ClientHello, two HEADs (one padded past 1,400 bytes), close_notify.
    assert!(written > 1400, "{written} B written");
    assert!(read > 500, "{read} B read (heads and the certificate)");
    assert!(
        wire.windows(2).all(|w| w[0].t_ms <= w[1].t_ms),
        "in time order"
    );
    assert!(wire.len() < MAX_EVENTS, "{}", wire.len());

    // Only status lines, TLS versions, error kinds and limits are kept as notes: no header
    // of the request or of the target's answer, no payload.
    for e in wire {
        if let Some(note) = &e.note {
            let allowed = match e.kind {
                WireKind::ResponseHead => note.starts_with("HTTP/1.") && !note.contains('\n'),
                WireKind::TlsHandshake => note.starts_with("TLSv1."),
                _ => false,
            };
            assert!(allowed, "{:?} note {note:?}", e.kind);
        }
    }
    let json = serde_json::to_string(&report).unwrap();
    assert_no_secret(&json, "the JSON report");
    let wire_json = serde_json::to_string(wire).unwrap();
    assert!(
        !wire_json.contains("healthcheck") && !wire_json.contains("Proxy-"),
        "no header in the transcript: {wire_json}"
    );
    let back: Report = serde_json::from_str(&json).unwrap();
    assert_eq!(&back.wire, wire, "the transcript reads back from JSON");
}

#[tokio::test]
async fn a_proxy_that_resets_the_tunnel_leaves_an_rst_in_the_transcript() {
    let fake = FakeProxy::start(Script::OkThenReset);
    let report = probe(&request(fake.port(), 443, None)).await;
    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::ConnectionReset,
        "{}",
        render_text(&report)
    );
    let rst = report
        .wire
        .iter()
        .find(|e| e.kind == WireKind::Rst)
        .unwrap_or_else(|| panic!("no RST: {:?}", kinds(&report.wire)));
    assert_eq!(rst.dir, Direction::In);
    let proxy = format!("127.0.0.1:{}", fake.port());
    assert_eq!(rst.remote.as_deref(), Some(proxy.as_str()));
    let head = report
        .wire
        .iter()
        .position(|e| e.kind == WireKind::ResponseHead);
    let rst_at = report.wire.iter().position(|e| e.kind == WireKind::Rst);
    assert!(head < rst_at, "the 200 came before the reset");
}

#[tokio::test]
async fn a_refused_connection_and_a_silent_proxy_are_in_the_transcript() {
    let closed = support::squid::free_port();
    let report = probe(&request(closed, 443, None)).await;
    let failed = report
        .wire
        .iter()
        .find(|e| e.kind == WireKind::ConnectFailed)
        .unwrap_or_else(|| panic!("{:?}", report.wire));
    assert_eq!(failed.note.as_deref(), Some("ConnectionRefused"));
    let refused = format!("127.0.0.1:{closed}");
    assert_eq!(failed.remote.as_deref(), Some(refused.as_str()));

    let silent = FakeProxy::start(Script::Silent);
    let report = probe(&request(silent.port(), 443, None)).await;
    assert_eq!(report.diagnosis.code, DiagnosisCode::ProxyNoResponse);
    let found = kinds(&report.wire);
    assert_eq!(
        &found[..3],
        [WireKind::Connect, WireKind::Write, WireKind::Timeout],
        "the CONNECT went out and nothing came back"
    );
    assert_eq!(
        report.wire[2].note.as_deref(),
        Some("1.0 s"),
        "the read limit"
    );
}

/// A proxy that answers a CONNECT with a head that never ends, one byte per write with a
/// pause between, so every read of the probe gets one byte. Stopped when dropped.
struct Dripper {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    sent: Arc<std::sync::atomic::AtomicUsize>,
    thread: Option<JoinHandle<()>>,
}

impl Dripper {
    fn start() -> Dripper {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr");
        let stop = Arc::new(AtomicBool::new(false));
        let sent = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (stopping, count) = (Arc::clone(&stop), Arc::clone(&sent));
        let thread = std::thread::spawn(move || {
            while !stopping.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((conn, _)) => drip(conn, &stopping, &count),
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Dripper {
            addr,
            stop,
            sent,
            thread: Some(thread),
        }
    }
}

fn drip(mut conn: std::net::TcpStream, stop: &AtomicBool, sent: &std::sync::atomic::AtomicUsize) {
    let _ = conn.set_nonblocking(false);
    let _ = conn.set_nodelay(true);
    let _ = conn.set_read_timeout(Some(Duration::from_secs(2)));
    let mut request = [0u8; 4096];
    if conn.read(&mut request).unwrap_or(0) == 0 {
        return;
    }
    let head = b"HTTP/1.1 200 Connection established\r\nX-Drip: ";
    for &byte in head.iter().chain(std::iter::repeat(&b'a')) {
        if stop.load(Ordering::SeqCst) || conn.write_all(&[byte]).is_err() {
            return;
        }
        sent.fetch_add(1, Ordering::SeqCst);
        // A gap long enough that each byte is its own read even on a loaded machine (a
        // reader that falls behind reads several at once, and the cap is never reached).
        std::thread::sleep(Duration::from_millis(1));
    }
}

impl Drop for Dripper {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[tokio::test]
async fn a_proxy_dripping_one_byte_per_read_cannot_grow_the_transcript_past_its_cap() {
    let dripper = Dripper::start();
    let mut req = request(dripper.addr.port(), 443, None);
    req.timeouts.read = Duration::from_secs(3);
    let report = probe(&req).await;
    let sent = dripper.sent.load(Ordering::SeqCst);
    drop(dripper);
    assert_eq!(report.diagnosis.code, DiagnosisCode::ProxyNoResponse);
    let wire = &report.wire;
    assert!(
        sent > MAX_EVENTS * 2,
        "the drip was long enough to test the cap: {sent} B"
    );
    assert!(wire.len() <= MAX_EVENTS, "{} events", wire.len());
    let marker = wire
        .iter()
        .find(|e| e.kind == WireKind::Omitted)
        .expect("a marker for the events left out");
    let read: u64 = wire
        .iter()
        .filter(|e| e.kind == WireKind::Read)
        .map(|e| e.bytes)
        .sum();
    let omitted_reads = marker.omitted.unwrap_or(0);
    assert!(omitted_reads > 0);
    assert!(
        read + marker.bytes <= sent as u64 && read + marker.bytes > 1000,
        "every byte read is counted, kept or left out: {read} + {} of {sent}",
        marker.bytes
    );
    assert_eq!(wire[0].kind, WireKind::Connect, "the start is kept");
    let end = kinds(&wire[wire.len() - 3..]);
    assert!(
        end.contains(&WireKind::Timeout),
        "the end is kept, with the limit that stopped the drip: {end:?}"
    );
}

#[test]
fn the_cli_prints_the_transcript_with_wire_and_never_the_password() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(basic());
    let ca = target.ca_file.display().to_string();
    let proxy = format!("127.0.0.1:{}", squid.port());
    let run = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_fmc-mgmt"))
            .arg("probe")
            .args(["-x", &proxy, "-U", &format!("{USER}:{PASSWORD}")])
            .args(["--target", &format!("127.0.0.1:{}", target.port())])
            .args(["--cacert", &ca, "--max-time", "5"])
            .args(extra)
            .env_remove("FMC_PROXY_PASSWORD")
            .stdin(Stdio::null())
            .output()
            .expect("run fmc-mgmt");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (out.status.code(), stdout, stderr)
    };
    let (code, stdout, stderr) = run(&["--wire"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let (_, packets) = stdout
        .split_once("Packets (like tcpdump)")
        .expect("the transcript follows the walk-through");
    assert!(
        packets.contains(&format!(" → {proxy}  write ")),
        "{packets}"
    );
    assert!(
        packets.contains(&format!("{proxy} → 127.0.0.1:")),
        "{packets}"
    );
    assert!(packets.contains("  read "), "{packets}");
    assert!(packets.contains("HTTP/1.1 407"), "{packets}");
    assert!(packets.contains("HTTP/1.1 200"), "{packets}");
    assert!(packets.contains("  FIN"), "{packets}");
    let first = packets.lines().nth(1).unwrap_or_default();
    assert!(first.trim_start().contains(" ms  >  "), "{first}");
    assert_no_secret(&stdout, "--wire's output");
    assert_no_secret(&stderr, "stderr");

    let (_, plain, _) = run(&[]);
    assert!(
        !plain.contains("Packets (like tcpdump)"),
        "only with --wire"
    );
    let (_, json, _) = run(&["--json"]);
    let report: Report = serde_json::from_str(&json).expect("JSON report");
    assert!(
        !report.wire.is_empty(),
        "the JSON always has the transcript"
    );
    assert_no_secret(&json, "the JSON");
}

const TEST: &str = "/system/configuration/management-interfaces/proxy/test";

#[tokio::test]
async fn the_page_shows_the_transcript_as_a_table_in_both_languages_without_the_password() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(basic());
    let app = TestApp::spawn_probing(&target).await;
    let html = app.page().await.1;
    let port = squid.port().to_string();
    let fields = [
        ("enabled", "on"),
        ("host", "127.0.0.1"),
        ("port", port.as_str()),
        ("use_auth", "on"),
        ("username", USER),
        ("password", PASSWORD),
        ("confirm_password", PASSWORD),
    ];
    let mut all: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    all.push(("csrf_token".into(), hidden(&html, "csrf_token")));
    all.push(("revision".into(), hidden(&html, "revision")));
    for (lang, title, connect) in [
        ("en", "Packets (like tcpdump)", "TCP handshake done"),
        ("zh-CN", "数据包（类似 tcpdump）", "TCP 握手完成"),
    ] {
        let r = app
            .client
            .post(app.url(TEST))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "text/html")
            .header("accept-language", lang)
            .body(encode(&all))
            .send()
            .await
            .unwrap();
        let page = app.follow(r, Some(lang)).await.1;
        assert!(page.contains("data-code=\"ok\""), "{lang}: {page}");
        let start = page
            .find("id=\"probe-wire\"")
            .expect("the transcript section");
        let end = page[start..].find("</details>").expect("its end") + start;
        let section = &page[start..end];
        assert!(section.contains(title), "{lang}: {section}");
        assert!(section.contains(connect), "{lang}: {section}");
        for kind in ["connect", "write", "read", "response_head", "fin"] {
            assert!(
                section.contains(&format!("data-kind=\"{kind}\"")),
                "{lang}: no {kind} row"
            );
        }
        assert!(section.contains("HTTP/1.1 200"), "{lang}: {section}");
        assert_no_secret(&page, "the page");
    }
}

#[test]
fn the_openapi_document_describes_the_transcript() {
    let doc = serde_json::to_value(fmc_mgmt::web::api::ApiDoc::openapi()).unwrap();
    let schemas = &doc["components"]["schemas"];
    let wire = &schemas["Report"]["properties"]["wire"];
    assert_eq!(wire["type"], "array", "{wire}");
    assert_eq!(
        wire["items"]["$ref"], "#/components/schemas/WireEvent",
        "{wire}"
    );
    let event = &schemas["WireEvent"]["properties"];
    for field in ["t_ms", "dir", "kind", "bytes", "note"] {
        assert!(event.get(field).is_some(), "WireEvent.{field}: {event}");
    }
    let dirs = &schemas["Direction"]["enum"];
    assert_eq!(dirs, &serde_json::json!(["out", "in", "local"]));
    let kinds = schemas["WireKind"]["enum"].to_string();
    for kind in [
        "connect", "write", "read", "fin", "rst", "timeout", "omitted",
    ] {
        assert!(kinds.contains(&format!("\"{kind}\"")), "{kinds}");
    }
}

#[test]
fn a_report_stored_before_the_transcript_reads_back_with_an_empty_one() {
    let target_less = serde_json::json!({
        "ok": false,
        "diagnosis": {"code": "proxy_unreachable", "summary": "s", "hint": "h"},
        "proxy": {"host": "127.0.0.1", "port": 1},
        "target": {"host": "tools.cisco.com", "port": 443},
        "auth": {"offered": [], "used": null, "rounds": 0},
        "stages": [],
        "connect_response": null,
        "tls": null,
        "http": null,
        "total_ms": 1.0,
        "curl": "curl"
    });
    let report: Report = serde_json::from_value(target_less).expect("an old report");
    assert!(report.wire.is_empty());
}
