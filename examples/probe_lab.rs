//! An on-demand loopback lab for `scripts/probe-vs-curl.sh` and the benchmarks: real squids
//! (open, Basic, Digest, deny CONNECT, deny plain HTTP), local TLS targets and a plain-HTTP
//! one, a slow target, and scripted fake proxies (401, 404, 500, a small-MTU path, a
//! TLS-inspecting proxy). `cargo run --example probe_lab` writes the addresses as shell
//! variables to `$FMC_LAB_FILE`, stays up `$FMC_LAB_SECONDS` (default 120) or until that file
//! is deleted, then stops everything it started.

// The test suite's own peers, shared rather than copied.
#[allow(dead_code)]
#[path = "../tests/it/support/fake_proxy.rs"]
mod fake_proxy;
#[allow(dead_code)]
#[path = "../tests/it/support/squid.rs"]
mod squid;
#[allow(dead_code)]
#[path = "../tests/it/support/tls_target.rs"]
mod tls_target;

use std::fmt::Write as _;
use std::io::copy;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use fake_proxy::{FakeProxy, Fate, Script};
use squid::{Mode, Squid};
use tls_target::{CertKind, TEST_CA_CN, TestCa, TlsTarget};

/// How late the slow target answers: long beside a loopback probe (~10 ms), short enough
/// for many benchmark runs.
const SLOW_DELAY: Duration = Duration::from_millis(300);

/// Client writes larger than this die on the fake small-MTU path (the padded `HEAD` is
/// ≥ 1,400 bytes; the small one and the TLS handshake's writes are under it).
const MTU_WRITE_LIMIT: usize = 1200;

fn main() {
    let file = std::env::var("FMC_LAB_FILE").unwrap_or_else(|_| "/tmp/fmc-lab.env".into());
    let seconds: u64 = std::env::var("FMC_LAB_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(120);
    let user = "fmcadmin".to_string();
    let password = "p@ss:w0rd!#%&".to_string();
    let ca = TestCa::new(TEST_CA_CN);
    let targets = [
        ("GOOD", TlsTarget::start_with(CertKind::Good, &ca)),
        (
            "UNKNOWN_CA",
            TlsTarget::start_with(CertKind::UnknownCa, &ca),
        ),
        ("EXPIRED", TlsTarget::start_with(CertKind::Expired, &ca)),
        (
            "WRONG_NAME",
            TlsTarget::start_with(CertKind::WrongName, &ca),
        ),
        ("PLAIN", TlsTarget::start_plain()),
    ];
    let good = targets[0].1.addr;
    let slow = slow_relay(good, SLOW_DELAY);
    let squids = [
        ("OPEN", Squid::start(Mode::Open)),
        (
            "BASIC",
            Squid::start(Mode::Basic {
                user: user.clone(),
                password: password.clone(),
            }),
        ),
        (
            "DIGEST",
            Squid::start(Mode::Digest {
                user: user.clone(),
                password: password.clone(),
            }),
        ),
        ("DENY", Squid::start(Mode::DenyConnect)),
        ("DENY_HTTP", Squid::start(Mode::DenyPlainHttp)),
    ];
    let fakes = fake_proxies(good, targets[1].1.addr);
    let mut env = String::new();
    for (name, t) in &targets {
        let _ = writeln!(env, "TARGET_{name}=127.0.0.1:{}", t.port());
    }
    let _ = writeln!(
        env,
        "TARGET_SLOW={slow}\nSLOW_MS={}",
        SLOW_DELAY.as_millis()
    );
    let _ = writeln!(env, "CA_FILE='{}'", targets[0].1.ca_file.display());
    for (name, s) in &squids {
        let _ = writeln!(env, "SQUID_{name}=127.0.0.1:{}", s.port());
    }
    for (name, f) in &fakes {
        let _ = writeln!(env, "FAKE_{name}=127.0.0.1:{}", f.port());
    }
    let _ = writeln!(env, "MTU_WRITE_LIMIT={MTU_WRITE_LIMIT}");
    let _ = writeln!(env, "PROXY_USER='{user}'\nPROXY_PASSWORD='{password}'");
    std::fs::write(&file, env).expect("write lab file");
    let until = Instant::now() + Duration::from_secs(seconds);
    while Instant::now() < until && std::path::Path::new(&file).exists() {
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = std::fs::remove_file(&file);
}

/// The scripted proxies of issue 14's cases, by the name the lab file gives them. `good` is
/// the good TLS target, `inspected` the one whose certificate an unknown CA signed (what a
/// TLS-inspecting proxy presents in the target's place).
fn fake_proxies(good: SocketAddr, inspected: SocketAddr) -> Vec<(&'static str, FakeProxy)> {
    let reply = |head: &str| FakeProxy::start(Script::Reply(format!("{head}\r\n")));
    let mtu = |fate| {
        FakeProxy::start(Script::LargeWrites {
            to: good,
            over: MTU_WRITE_LIMIT,
            fate,
        })
    };
    vec![
        // tinyproxy's way of asking for credentials: 401, not 407.
        (
            "401",
            reply(
                "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"tinyproxy\"\r\nContent-Length: 0\r\n",
            ),
        ),
        (
            "404",
            reply("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"),
        ),
        (
            "500",
            reply("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n"),
        ),
        ("MTU_DROP", mtu(Fate::Dropped)),
        ("MTU_RESET", mtu(Fate::Reset)),
        // Tunnels every CONNECT to the re-signing server, whatever host it names.
        (
            "INSPECT",
            FakeProxy::start(Script::Tunnel {
                head: "HTTP/1.1 200 Connection established\r\n\r\n".into(),
                to: inspected,
            }),
        ),
    ]
}

/// A slow target: `to` behind a relay that waits `delay` after accepting each connection
/// before it relays a byte (a far or busy server), for the multi-target timing. Its
/// threads end with the lab's process.
fn slow_relay(to: SocketAddr, delay: Duration) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the slow relay");
    let addr = listener.local_addr().expect("slow relay address");
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            std::thread::spawn(move || relay_late(client, to, delay));
        }
    });
    addr
}

/// Waits `delay`, then relays `client` to `to` both ways until either side closes.
fn relay_late(client: TcpStream, to: SocketAddr, delay: Duration) {
    std::thread::sleep(delay);
    let Ok(server) = TcpStream::connect(to) else {
        return;
    };
    let (Ok(mut client_in), Ok(mut server_out)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    let _ = (client.set_nodelay(true), server.set_nodelay(true));
    let up = std::thread::spawn(move || {
        let _ = copy(&mut client_in, &mut server_out);
        let _ = server_out.shutdown(Shutdown::Write);
    });
    let (mut server_in, mut client_out) = (server, client);
    let _ = copy(&mut server_in, &mut client_out);
    let _ = client_out.shutdown(Shutdown::Write);
    let _ = up.join();
}
