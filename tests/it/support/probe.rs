//! Helpers for probe tests: a request with short timeouts, stage lists, time bounds.

use std::path::PathBuf;
use std::time::Duration;

use fmc_mgmt::endpoint::{Host, Port};
use fmc_mgmt::probe::{ProbeRequest, Report, StageName, Timeouts, UrlScheme, render_text};
use fmc_mgmt::secret::Secret;

/// Short limits so failures come fast: TCP 1 s, each read 1 s, whole probe 3 s.
pub fn short_timeouts() -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(1),
        read: Duration::from_secs(1),
        total: Duration::from_secs(3),
    }
}

/// A probe of `127.0.0.1:target_port` through the proxy at `127.0.0.1:proxy_port`.
pub fn request(proxy_port: u16, target_port: u16, ca_file: Option<PathBuf>) -> ProbeRequest {
    ProbeRequest {
        proxy_host: host("127.0.0.1"),
        proxy_port: port(proxy_port),
        username: None,
        password: None,
        target_host: host("127.0.0.1"),
        target_port: port(target_port),
        scheme: UrlScheme::Https,
        path: "/".to_string(),
        ca_file,
        ca_certs: Vec::new(),
        advice: Default::default(),
        timeouts: short_timeouts(),
        download: None,
    }
}

/// A host the tests know to be valid.
pub fn host(text: &str) -> Host {
    Host::parse(text).expect("a valid host")
}

/// A port the tests know to be valid (not 0).
pub fn port(n: u16) -> Port {
    Port::new(n).expect("a port from 1 to 65535")
}

/// A probe of `http://127.0.0.1:origin_port/` (plain HTTP, absolute form, no CONNECT)
/// through the proxy at `127.0.0.1:proxy_port`.
pub fn plain_http(proxy_port: u16, origin_port: u16) -> ProbeRequest {
    ProbeRequest {
        scheme: UrlScheme::Http,
        ..request(proxy_port, origin_port, None)
    }
}

pub fn with_credentials(mut req: ProbeRequest, user: &str, password: &str) -> ProbeRequest {
    req.username = Some(user.to_string());
    req.password = Some(Secret::new(password));
    req
}

/// The stage names in the order they ran, with `!` after a failed one.
pub fn stages(report: &Report) -> Vec<String> {
    report
        .stages
        .iter()
        .map(|s| {
            if s.ok {
                s.name.as_str().to_string()
            } else {
                format!("{}!", s.name.as_str())
            }
        })
        .collect()
}

/// Every stage a probe runs without being asked for more (no `download`).
pub fn all_stages() -> Vec<String> {
    StageName::ALL
        .iter()
        .filter(|n| !n.is_optional())
        .map(|n| n.as_str().to_string())
        .collect()
}

/// The stage names up to and including `last`, with `last` marked as failed.
pub fn failed_at(last: StageName) -> Vec<String> {
    let mut names = Vec::new();
    for n in StageName::ALL {
        if n.is_optional() && n != last {
            continue;
        }
        if n == last {
            names.push(format!("{}!", n.as_str()));
            break;
        }
        names.push(n.as_str().to_string());
    }
    names
}

/// The report's own total and the measured wall time both stay within max-time + 1 s.
pub fn assert_within_limit(report: &Report, req: &ProbeRequest, wall: Duration) {
    let limit = req.timeouts.total + Duration::from_secs(1);
    assert!(
        wall <= limit && report.total_ms <= limit.as_secs_f64() * 1000.0,
        "took {wall:?} (report {} ms), limit {limit:?}\n{}",
        report.total_ms,
        render_text(report)
    );
}

/// Runs the probe and checks the time bound.
pub async fn probe(req: &ProbeRequest) -> Report {
    let t0 = std::time::Instant::now();
    let report = fmc_mgmt::probe::run(req, None).await;
    assert_within_limit(&report, req, t0.elapsed());
    report
}
