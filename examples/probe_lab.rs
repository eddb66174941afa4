//! An on-demand loopback lab for `scripts/probe-vs-curl.sh` and the benchmarks: real squids
//! (open, Basic, Digest, deny) and local TLS targets. `cargo run --example probe_lab` writes
//! the addresses as shell variables to `$FMC_LAB_FILE`, stays up `$FMC_LAB_SECONDS` (default
//! 120) or until that file is deleted, then stops everything it started.

// The test suite's own peers, shared rather than copied.
#[allow(dead_code)]
#[path = "../tests/it/support/squid.rs"]
mod squid;
#[allow(dead_code)]
#[path = "../tests/it/support/tls_target.rs"]
mod tls_target;

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use squid::{Mode, Squid};
use tls_target::{CertKind, TEST_CA_CN, TestCa, TlsTarget};

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
    ];
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
    ];
    let mut env = String::new();
    for (name, t) in &targets {
        let _ = writeln!(env, "TARGET_{name}=127.0.0.1:{}", t.port());
    }
    let _ = writeln!(env, "CA_FILE='{}'", targets[0].1.ca_file.display());
    for (name, s) in &squids {
        let _ = writeln!(env, "SQUID_{name}=127.0.0.1:{}", s.port());
    }
    let _ = writeln!(env, "PROXY_USER='{user}'\nPROXY_PASSWORD='{password}'");
    std::fs::write(&file, env).expect("write lab file");
    let until = Instant::now() + Duration::from_secs(seconds);
    while Instant::now() < until && std::path::Path::new(&file).exists() {
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = std::fs::remove_file(&file);
}
