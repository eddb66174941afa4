//! The human walk-through of a report, stage by stage, like the Cisco note's shell session.

use std::fmt::Write as _;

use super::hostport::authority;
use super::report::{Report, StageName};

/// Renders the report for a terminal: one block per stage with its timing, then the
/// diagnosis, the next step and the curl line.
pub fn render_text(r: &Report) -> String {
    let mut out = String::new();
    let proxy = authority(&r.proxy.host, r.proxy.port);
    let target = authority(&r.target.host, r.target.port);
    let _ = writeln!(
        out,
        "Probing https://{target} through the HTTP proxy {proxy}\n"
    );
    for stage in &r.stages {
        let mark = if stage.ok { " ok " } else { "FAIL" };
        let _ = writeln!(
            out,
            "[{mark}] {:<13} {:>9.2} ms  {}",
            stage.name.as_str(),
            stage.elapsed_ms,
            title(stage.name)
        );
        for part in stage.detail.split("; ") {
            let _ = writeln!(out, "       {part}");
        }
        if stage.name == StageName::Connect {
            if let Some(resp) = &r.connect_response {
                for (name, value) in &resp.headers {
                    let _ = writeln!(out, "         < {name}: {value}");
                }
            }
        }
    }
    let ran: Vec<StageName> = r.stages.iter().map(|s| s.name).collect();
    let skipped: Vec<&str> = StageName::ALL
        .iter()
        .filter(|n| !ran.contains(n))
        .map(|n| n.as_str())
        .collect();
    if !skipped.is_empty() {
        let _ = writeln!(out, "[    ] not run: {}", skipped.join(", "));
    }
    if !r.auth.offered.is_empty() {
        let _ = writeln!(
            out,
            "\nProxy authentication: offered {}; used {}; {} round(s)",
            r.auth.offered.join(", "),
            r.auth.used.as_deref().unwrap_or("none"),
            r.auth.rounds
        );
    }
    let _ = writeln!(
        out,
        "\nDiagnosis: {} ({:.2} ms in all)\n  {}\nNext step:\n  {}\n\nThe same test with curl:\n  {}",
        r.diagnosis.code, r.total_ms, r.diagnosis.summary, r.diagnosis.hint, r.curl
    );
    out
}

/// The stage's title in English (the CLI's); pages use `Texts::stage_title`.
pub fn title(name: StageName) -> &'static str {
    crate::i18n::EN.stage_title(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::diagnosis::{Diagnosis, DiagnosisCode, Facts};
    use crate::probe::report::{AuthReport, ConnectResponse, Endpoint, Stage};

    fn report() -> Report {
        Report {
            ok: false,
            diagnosis: Diagnosis::new(DiagnosisCode::ProxyDenied, &Facts::default()),
            proxy: Endpoint {
                host: "10.0.0.1".into(),
                port: 3128,
            },
            target: Endpoint {
                host: "tools.cisco.com".into(),
                port: 443,
            },
            auth: AuthReport::default(),
            stages: vec![
                Stage {
                    name: StageName::TcpConnect,
                    ok: true,
                    elapsed_ms: 0.25,
                    detail: "TCP handshake 10.0.0.2:5000 -> 10.0.0.1:3128 done".into(),
                    detail_zh: None,
                },
                Stage {
                    name: StageName::Connect,
                    ok: false,
                    elapsed_ms: 1.5,
                    detail: "CONNECT tools.cisco.com:443 HTTP/1.1 -> HTTP/1.1 403 Forbidden".into(),
                    detail_zh: None,
                },
            ],
            connect_response: Some(ConnectResponse {
                status: 403,
                reason: "Forbidden".into(),
                headers: vec![("Via".into(), "1.1 squid".into())],
            }),
            tls: None,
            http: None,
            total_ms: 2.0,
            curl: "curl -x http://10.0.0.1:3128 -I https://tools.cisco.com".into(),
        }
    }

    #[test]
    fn the_walk_through_shows_each_stage_the_diagnosis_and_the_curl_line() {
        let text = render_text(&report());
        assert!(text.contains("[ ok ] tcp_connect"), "{text}");
        assert!(text.contains("[FAIL] connect"), "{text}");
        assert!(text.contains("HTTP/1.1 403 Forbidden"), "{text}");
        assert!(text.contains("< Via: 1.1 squid"), "{text}");
        assert!(
            text.contains("not run: resolve, tls_handshake, https_request, close"),
            "{text}"
        );
        assert!(text.contains("Diagnosis: proxy_denied"), "{text}");
        assert!(text.contains("curl -x http://10.0.0.1:3128"), "{text}");
    }
}
