//! The human walk-through of a report, stage by stage, like the Cisco note's shell session.

use std::borrow::Cow;
use std::fmt::Write as _;

use super::download::{DownloadFacts, human_bytes};
use super::hostport::authority;
use super::report::{Report, StageName, TcpReport};
use super::transcript::{WireEvent, WireKind};

/// Renders the report for a terminal: one block per stage with its timing, then the
/// diagnosis, the next step and the curl line. Every piece that can hold a proxy's or a
/// target's words goes through [`terminal_safe`], so none can move the cursor, recolour or
/// clear the admin's terminal, or fake a line.
pub fn render_text(r: &Report) -> String {
    let mut out = String::new();
    let proxy = terminal_safe(&authority(&r.proxy.host, r.proxy.port)).into_owned();
    let url = if r.url.is_empty() {
        format!("https://{}", authority(&r.target.host, r.target.port))
    } else {
        r.url.clone()
    };
    let url = terminal_safe(&url).into_owned();
    let _ = writeln!(out, "Probing {url} through the HTTP proxy {proxy}\n");
    for stage in &r.stages {
        let mark = if stage.ok { " ok " } else { "FAIL" };
        let _ = writeln!(
            out,
            "[{mark}] {:<13} {:>9.2} ms  {}",
            stage.name.as_str(),
            stage.elapsed_ms,
            crate::locale::EN.stage_title_in(r, stage.name)
        );
        for part in stage.detail.en.split("; ") {
            let _ = writeln!(out, "       {}", terminal_safe(part));
        }
        if stage.name == StageName::Connect {
            if let Some(resp) = &r.connect_response {
                for (name, value) in &resp.headers {
                    let _ = writeln!(
                        out,
                        "         < {}: {}",
                        terminal_safe(name),
                        terminal_safe(value)
                    );
                }
            }
        }
    }
    let ran: Vec<StageName> = r.stages.iter().map(|s| s.name).collect();
    // A plain-HTTP probe has no tunnel: TLS and the request inside it never belong to it.
    let plain = r.url.starts_with("http://");
    let belongs = |n: &StageName| {
        !(plain
            && matches!(
                n,
                StageName::TlsHandshake | StageName::HttpsRequest | StageName::LargeRequest
            ))
    };
    // A stage that runs only when asked (download) is never listed as not run.
    let skipped: Vec<&str> = StageName::ALL
        .iter()
        .filter(|n| !ran.contains(n) && belongs(n) && !n.is_optional())
        .map(|n| n.as_str())
        .collect();
    if !skipped.is_empty() {
        let _ = writeln!(out, "[    ] not run: {}", skipped.join(", "));
    }
    if let Some(tcp) = &r.tcp {
        let _ = writeln!(out, "\n{}", tcp_line(tcp));
    }
    if let Some(download) = &r.download {
        let _ = writeln!(out, "\n{}", download_line(download));
    }
    if !r.auth.offered.is_empty() {
        let _ = writeln!(
            out,
            "\nProxy authentication: offered {}; used {}; {} round(s)",
            terminal_safe(&r.auth.offered.join(", ")),
            terminal_safe(r.auth.used.as_deref().unwrap_or("none")),
            r.auth.rounds
        );
    }
    let _ = writeln!(
        out,
        "\nDiagnosis: {} ({:.2} ms in all)\n  {}\nNext step:\n  {}\n\nThe same test with curl:\n  {}",
        r.diagnosis.code,
        r.total_ms,
        terminal_safe(&r.diagnosis.summary),
        terminal_safe(&r.diagnosis.hint),
        terminal_safe(&r.curl)
    );
    out
}

/// `TCP to the proxy: MSS 1448, path MTU 1500; interface eth0, MTU 1500` (the CLI's line
/// for the report's `tcp`).
pub fn tcp_line(tcp: &TcpReport) -> String {
    let iface = terminal_safe(tcp.interface.as_deref().unwrap_or("unknown")).into_owned();
    let mtu = tcp
        .interface_mtu
        .map_or_else(|| "unknown".to_owned(), |m| m.to_string());
    format!(
        "TCP to the proxy: MSS {}, path MTU {}; interface {iface}, MTU {mtu}",
        tcp.mss, tcp.path_mtu
    )
}

/// The transcript for `--wire`, one line per event like tcpdump:
/// `     0.412 ms  >  127.0.0.1:50812 → 127.0.0.1:3128  write 183 B`.
pub fn render_wire(events: &[WireEvent]) -> String {
    let mut out = format!("Packets (like tcpdump), {} event(s):\n", events.len());
    for e in events {
        let _ = writeln!(out, "{}", terminal_safe(&wire_line(e)));
    }
    out
}

/// One transcript line (not yet made terminal-safe).
pub fn wire_line(e: &WireEvent) -> String {
    let ends = match e.ends() {
        ends if ends.is_empty() => ends,
        ends => format!("{ends}  "),
    };
    let what = match e.kind {
        WireKind::Write | WireKind::Read => format!("{} {} B", e.kind.as_str(), e.bytes),
        WireKind::Omitted => format!(
            "... {} more event(s), {} B, left out",
            e.omitted.unwrap_or(0),
            e.bytes
        ),
        // The TCP flags as tcpdump writes them.
        WireKind::Fin => "FIN".to_owned(),
        WireKind::Rst => "RST".to_owned(),
        kind => kind.as_str().to_owned(),
    };
    let note = e
        .note
        .as_deref()
        .map(|n| format!("  {n}"))
        .unwrap_or_default();
    format!("{:>10.3} ms  {}  {ends}{what}{note}", e.t_ms, e.dir.arrow())
}

/// `Download: HTTP 200, 2097152 of 2097152 bytes (2.0 MiB) in 0.051 s, 39.2 MiB/s` (the
/// CLI's line for the report's `download`), saying when the limit stopped it.
pub fn download_line(d: &DownloadFacts) -> String {
    let of = d.expected.map_or_else(String::new, |e| format!(" of {e}"));
    let limited = if d.limited {
        "; stopped at --max-filesize"
    } else {
        ""
    };
    format!(
        "Download: HTTP {}, {}{of} bytes ({}) in {:.3} s, {}/s{limited}",
        d.status,
        d.bytes,
        human_bytes(d.bytes),
        d.elapsed_ms / 1000.0,
        human_bytes(d.bytes_per_sec)
    )
}

/// `text` with every control character (C0 including newline and tab, DEL, C1) and every
/// bidirectional override written as a visible escape such as `\x1b` or `\u{202e}`.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unsafe_on_a_terminal) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if !unsafe_on_a_terminal(c) => out.push(c),
            c if (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        }
    }
    Cow::Owned(out)
}

fn unsafe_on_a_terminal(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Stage titles live with the stages, so the catalog needs no probe type (imports point
/// down: `probe` uses `locale`, never the other way).
impl crate::locale::Texts {
    pub fn stage_title(&self, name: StageName) -> &'static str {
        match name {
            StageName::Resolve => self.stage_resolve,
            StageName::TcpConnect => self.stage_tcp_connect,
            StageName::Connect => self.stage_connect,
            StageName::TlsHandshake => self.stage_tls_handshake,
            StageName::HttpsRequest => self.stage_https_request,
            StageName::LargeRequest => self.stage_large_request,
            StageName::Download => self.stage_download,
            StageName::Close => self.stage_close,
        }
    }

    /// The title of `name` in `report`: a plain-HTTP probe's request to the proxy is no
    /// CONNECT (it goes in absolute form).
    pub fn stage_title_in(&self, report: &Report, name: StageName) -> &'static str {
        match name {
            StageName::Connect if report.url.starts_with("http://") => self.stage_connect_plain,
            _ => self.stage_title(name),
        }
    }
}

/// The stage's title in English (the CLI's); pages use `Texts::stage_title`.
pub fn title(name: StageName) -> &'static str {
    crate::locale::EN.stage_title(name)
}

/// A duration for people: from one second up in seconds with one decimal (`10.0 s`), below
/// in milliseconds with at most one (`12.3 ms`, `4 ms`), so a glance compares them.
pub fn duration(ms: f64) -> String {
    let ms = if ms.is_finite() { ms.max(0.0) } else { 0.0 };
    // Rounded first, so 999.96 ms is said as the 1.0 s it rounds to, not as "1000 ms".
    let tenths = (ms * 10.0).round() / 10.0;
    if tenths >= 1000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else if tenths.fract() == 0.0 {
        format!("{tenths:.0} ms")
    } else {
        format!("{tenths:.1} ms")
    }
}

/// An RFC 3339 time to the second, as people read it: `2026-11-29 17:46:14 UTC` (the
/// history keeps nanoseconds; nobody reads them). A text that is not such a time is kept.
pub fn timestamp(rfc3339: &str) -> String {
    let Some((date, time)) = rfc3339.split_once('T') else {
        return rfc3339.to_owned();
    };
    let (clock, zone) = match time.find(['Z', 'z', '+', '-']) {
        Some(i) => time.split_at(i),
        None => (time, ""),
    };
    let seconds = clock.split('.').next().unwrap_or(clock);
    let zone = match zone {
        "Z" | "z" | "+00:00" | "" => "UTC",
        other => other,
    };
    format!("{date} {seconds} {zone}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_seconds_from_one_second_and_as_short_milliseconds_below() {
        assert_eq!(duration(10003.33), "10.0 s");
        assert_eq!(duration(1000.0), "1.0 s");
        assert_eq!(duration(999.96), "1.0 s");
        assert_eq!(duration(999.94), "999.9 ms");
        assert_eq!(duration(12.345), "12.3 ms");
        assert_eq!(duration(4.0), "4 ms");
        assert_eq!(duration(0.04), "0 ms");
        assert_eq!(duration(0.05), "0.1 ms");
        assert_eq!(duration(f64::NAN), "0 ms");
        assert_eq!(duration(-3.0), "0 ms");
    }

    #[test]
    fn timestamps_stop_at_the_second() {
        assert_eq!(
            timestamp("2026-11-29T17:46:14.123456789Z"),
            "2026-11-29 17:46:14 UTC"
        );
        assert_eq!(timestamp("2026-11-29T17:46:14Z"), "2026-11-29 17:46:14 UTC");
        assert_eq!(
            timestamp("2026-11-29T17:46:14.5+08:00"),
            "2026-11-29 17:46:14 +08:00"
        );
        assert_eq!(timestamp("not a time"), "not a time");
    }
    use crate::locale::Text;
    use crate::probe::diagnosis::{Diagnosis, DiagnosisCode, Facts};
    use crate::probe::report::{AuthReport, ConnectResponse, Endpoint, Stage};
    use crate::probe::transcript::WireEvent;

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
            url: "https://tools.cisco.com/".into(),
            auth: AuthReport::default(),
            stages: vec![
                Stage {
                    name: StageName::TcpConnect,
                    ok: true,
                    elapsed_ms: 0.25,
                    detail: Text::same("TCP handshake 10.0.0.2:5000 -> 10.0.0.1:3128 done"),
                },
                Stage {
                    name: StageName::Connect,
                    ok: false,
                    elapsed_ms: 1.5,
                    detail: Text::same(
                        "CONNECT tools.cisco.com:443 HTTP/1.1 -> HTTP/1.1 403 Forbidden",
                    ),
                },
            ],
            connect_response: Some(ConnectResponse {
                status: 403,
                reason: "Forbidden".into(),
                headers: vec![("Via".into(), "1.1 squid".into())],
            }),
            tls: None,
            http: None,
            tcp: None,
            wire: Vec::new(),
            download: None,
            total_ms: 2.0,
            curl: "curl -x http://10.0.0.1:3128 -I https://tools.cisco.com".into(),
        }
    }

    #[test]
    fn a_plain_http_probe_does_not_call_its_request_a_connect() {
        let mut r = report();
        r.stages = vec![crate::probe::report::Stage::new(
            StageName::Connect,
            true,
            1.0,
            crate::locale::Text::same("HEAD http://h/ HTTP/1.1 -> HTTP/1.1 200 OK"),
        )];
        assert!(render_text(&r).contains("CONNECT request"));
        r.url = "http://tools.cisco.com/".into();
        let text = render_text(&r);
        assert!(
            text.contains("Request through the proxy (plain HTTP)"),
            "{text}"
        );
        assert!(!text.contains("CONNECT request"), "{text}");
        let zh = crate::locale::Lang::ZhCn.texts();
        assert_ne!(zh.stage_title_in(&r, StageName::Connect), zh.stage_connect);
    }

    #[test]
    fn the_walk_through_shows_each_stage_the_diagnosis_and_the_curl_line() {
        let text = render_text(&report());
        assert!(text.contains("[ ok ] tcp_connect"), "{text}");
        assert!(text.contains("[FAIL] connect"), "{text}");
        assert!(text.contains("HTTP/1.1 403 Forbidden"), "{text}");
        assert!(text.contains("< Via: 1.1 squid"), "{text}");
        assert!(
            text.contains("not run: resolve, tls_handshake, https_request, large_request, close"),
            "{text}"
        );
        assert!(text.contains("Diagnosis: proxy_denied"), "{text}");
        assert!(text.contains("curl -x http://10.0.0.1:3128"), "{text}");
    }

    #[test]
    fn a_plain_http_walk_through_names_its_url_and_no_tunnel_stage_as_not_run() {
        let mut r = report();
        r.url = "http://tools.cisco.com/".into();
        let text = render_text(&r);
        assert!(
            text.starts_with("Probing http://tools.cisco.com/ through"),
            "{text}"
        );
        assert!(text.contains("not run: resolve, close\n"), "{text}");
        r.url = String::new();
        assert!(render_text(&r).starts_with("Probing https://tools.cisco.com:443 through"));
    }

    #[test]
    fn the_walk_through_has_a_tcp_line_when_the_report_has_tcp_facts() {
        let mut r = report();
        assert!(!render_text(&r).contains("TCP to the proxy"));
        r.tcp = Some(TcpReport {
            mss: 1448,
            path_mtu: 1500,
            interface: Some("eth0".into()),
            interface_mtu: Some(1400),
        });
        let text = render_text(&r);
        assert!(
            text.contains("TCP to the proxy: MSS 1448, path MTU 1500; interface eth0, MTU 1400"),
            "{text}"
        );
    }

    #[test]
    fn the_wire_lines_read_like_tcpdump_and_escape_a_proxys_status_line() {
        use crate::probe::transcript::Direction;
        let ends = |dir, kind, bytes, note: Option<&str>| WireEvent {
            t_ms: 0.412,
            dir,
            kind,
            bytes,
            local: Some("127.0.0.1:50812".into()),
            remote: Some("127.0.0.1:3128".into()),
            note: note.map(str::to_owned),
            omitted: None,
        };
        let events = [
            ends(Direction::Out, WireKind::Write, 183, None),
            ends(Direction::In, WireKind::Read, 39, None),
            WireEvent {
                local: None,
                remote: None,
                ..ends(
                    Direction::In,
                    WireKind::ResponseHead,
                    0,
                    Some("HTTP/1.1 200 \x1b[2Jok"),
                )
            },
            ends(Direction::In, WireKind::Rst, 0, None),
        ];
        let text = render_wire(&events);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "Packets (like tcpdump), 4 event(s):");
        assert_eq!(
            lines[1],
            "     0.412 ms  >  127.0.0.1:50812 → 127.0.0.1:3128  write 183 B"
        );
        assert_eq!(
            lines[2],
            "     0.412 ms  <  127.0.0.1:3128 → 127.0.0.1:50812  read 39 B"
        );
        assert!(
            lines[3].ends_with("<  response_head  HTTP/1.1 200 \\x1b[2Jok"),
            "{text}"
        );
        assert!(lines[4].ends_with("127.0.0.1:50812  RST"), "{text}");
        assert!(!text.contains('\x1b'));
    }

    #[test]
    fn the_walk_through_has_a_download_line_with_bytes_time_and_throughput() {
        let mut r = report();
        assert!(!render_text(&r).contains("Download:"));
        assert!(
            !render_text(&r).contains("download"),
            "not asked, not listed"
        );
        r.download = Some(DownloadFacts {
            status: 200,
            bytes: 2_097_152,
            expected: Some(2_097_152),
            elapsed_ms: 51.0,
            bytes_per_sec: 41_120_627,
            limited: false,
        });
        let text = render_text(&r);
        assert!(
            text.contains(
                "Download: HTTP 200, 2097152 of 2097152 bytes (2.0 MiB) in 0.051 s, 39.2 MiB/s\n"
            ),
            "{text}"
        );
        r.download = Some(DownloadFacts {
            expected: None,
            limited: true,
            bytes: 1000,
            ..r.download.clone().unwrap()
        });
        let text = render_text(&r);
        assert!(
            text.contains("Download: HTTP 200, 1000 bytes (1000 B) in 0.051 s")
                && text.contains("; stopped at --max-filesize"),
            "{text}"
        );
    }

    #[test]
    fn control_characters_from_a_proxy_are_written_as_visible_escapes() {
        assert_eq!(terminal_safe("1.1 squid"), "1.1 squid");
        assert_eq!(
            terminal_safe("a\x1b[31mred\x1b[0m\r\n\t\x07\x7f\u{9b}\u{202e}b"),
            "a\\x1b[31mred\\x1b[0m\\x0d\\x0a\\x09\\x07\\x7f\\x9b\\u{202e}b"
        );
        assert_eq!(terminal_safe("Grüße καλημέρα"), "Grüße καλημέρα");
    }

    #[test]
    fn the_walk_through_never_passes_an_escape_sequence_to_the_terminal() {
        let mut r = report();
        let esc = "\x1b[2J\x1b[31mpwned\x1b]0;title\x07\r\nFAKE";
        r.stages[1].detail = Text::same(format!("HTTP/1.1 403 {esc}"));
        r.connect_response = Some(ConnectResponse {
            status: 403,
            reason: esc.into(),
            headers: vec![(format!("X-{esc}"), format!("1.1 {esc}"))],
        });
        r.auth.offered = vec![esc.into()];
        r.diagnosis.summary = esc.into();
        r.diagnosis.hint = esc.into();
        let text = render_text(&r);
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{text:?}"
        );
        assert!(!text.contains("\nFAKE"), "no line of the proxy's making");
        assert!(text.contains("< X-\\x1b[2J"), "{text}");
        assert!(text.contains("1.1 \\x1b[2J\\x1b[31mpwned"), "{text}");
    }
}
