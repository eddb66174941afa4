//! The Prometheus text exposition (format 0.0.4) of the newest test: per target whether it
//! passed, how long each stage and the whole probe took, and when it ran. Pure: the web
//! handler reads the newest test and hands it here.

use std::collections::HashSet;
use std::fmt::Write;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::probe::Report;

/// The media type Prometheus scrapes.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The `stage` label of the whole probe's duration.
pub const TOTAL_STAGE: &str = "total";

/// The newest test, as the exposition needs it.
#[derive(Clone, Copy, Debug)]
pub struct Latest<'a> {
    /// When the test finished, in seconds since the Unix epoch.
    pub at_unix: f64,
    /// One report per target.
    pub reports: &'a [Report],
}

/// Seconds since the Unix epoch of a stored RFC 3339 time (`tests_log`'s `at`).
pub fn unix_seconds(rfc3339: &str) -> Option<f64> {
    let at = OffsetDateTime::parse(rfc3339, &Rfc3339).ok()?;
    Some(at.unix_timestamp_nanos() as f64 / 1e9)
}

/// The whole exposition. Every family keeps its `# HELP` and `# TYPE` lines with no test
/// yet (a scraper then sees the metrics exist, with no samples). Prometheus wants each
/// family's samples together, so the targets repeat inside each family rather than each
/// target forming its own block.
pub fn render(latest: Option<Latest<'_>>) -> String {
    let reports = latest.map_or(&[][..], |l| l.reports);
    let targets = distinct_targets(reports);
    let mut out = String::new();
    family(
        &mut out,
        "fmc_proxy_probe_ok",
        "Whether the latest test of the target through the proxy passed (1) or not (0).",
    );
    for (target, report) in &targets {
        sample(
            &mut out,
            "fmc_proxy_probe_ok",
            &[("target", target)],
            bit(report.ok),
        );
    }
    family(
        &mut out,
        "fmc_proxy_probe_duration_seconds",
        "How long each stage of the latest test of the target took, and the whole test (stage=\"total\").",
    );
    for (target, report) in &targets {
        for stage in &report.stages {
            let labels = [("target", target.as_str()), ("stage", stage.name.as_str())];
            sample(
                &mut out,
                "fmc_proxy_probe_duration_seconds",
                &labels,
                seconds(stage.elapsed_ms),
            );
        }
        let labels = [("target", target.as_str()), ("stage", TOTAL_STAGE)];
        sample(
            &mut out,
            "fmc_proxy_probe_duration_seconds",
            &labels,
            seconds(report.total_ms),
        );
    }
    family(
        &mut out,
        "fmc_proxy_probe_last_run_timestamp_seconds",
        "When the latest test of the target finished, in seconds since the Unix epoch.",
    );
    if let Some(latest) = latest {
        for (target, _) in &targets {
            let value = format!("{:.3}", latest.at_unix);
            sample(
                &mut out,
                "fmc_proxy_probe_last_run_timestamp_seconds",
                &[("target", target)],
                value,
            );
        }
    }
    out
}

/// The target label of each report, first report first; a target seen twice keeps its
/// first report, as two samples with the same labels would make the scrape fail.
fn distinct_targets(reports: &[Report]) -> Vec<(String, &Report)> {
    let mut seen = HashSet::new();
    reports
        .iter()
        .map(|r| (target_label(r), r))
        .filter(|(target, _)| seen.insert(target.clone()))
        .collect()
}

/// The URL probed; reports stored before URLs existed probed `https://host:port/`.
fn target_label(report: &Report) -> String {
    if report.url.is_empty() {
        let host = crate::probe::hostport::authority(&report.target.host, report.target.port);
        format!("https://{host}/")
    } else {
        report.url.clone()
    }
}

fn family(out: &mut String, name: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {}", escape_help(help));
    let _ = writeln!(out, "# TYPE {name} gauge");
}

fn sample(out: &mut String, name: &str, labels: &[(&str, &str)], value: String) {
    let labels: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", escape_label(v)))
        .collect();
    let _ = writeln!(out, "{name}{{{}}} {value}", labels.join(","));
}

fn bit(ok: bool) -> String {
    u8::from(ok).to_string()
}

/// Milliseconds (two decimals, as the report keeps them) as seconds, exactly.
fn seconds(ms: f64) -> String {
    format!("{:.5}", ms / 1000.0)
}

/// A label value: backslash, double quote and line feed escaped, as the format requires.
pub fn escape_label(value: &str) -> String {
    escape(value, true)
}

/// A HELP text: backslash and line feed escaped (a quote is literal there).
fn escape_help(text: &str) -> String {
    escape(text, false)
}

fn escape(text: &str, quote: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '"' if quote => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    /// A report as stored in the test history (JSON, so fields added later default).
    fn report(url: &str, ok: bool) -> Report {
        let code = if ok { "ok" } else { "proxy_denied" };
        serde_json::from_value(serde_json::json!({
            "ok": ok,
            "diagnosis": {"code": code, "summary": "", "hint": ""},
            "proxy": {"host": "127.0.0.1", "port": 3128},
            "target": {"host": "tools.cisco.com", "port": 443},
            "url": url,
            "auth": {"offered": [], "used": null, "rounds": 0},
            "stages": [
                {"name": "resolve", "ok": true, "elapsed_ms": 0.01, "detail": ""},
                {"name": "tcp_connect", "ok": ok, "elapsed_ms": 1.25, "detail": ""}
            ],
            "connect_response": null, "tls": null, "http": null,
            "total_ms": 52.34,
            "curl": ""
        }))
        .expect("a stored report")
    }

    /// Each line is a comment (`# HELP name text`, `# TYPE name gauge`) or a sample
    /// `name{label="value",...} number`, the shapes Prometheus' text parser accepts.
    fn assert_parses(text: &str) {
        assert!(text.ends_with('\n'), "the exposition ends with a line feed");
        let mut typed = Vec::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                let (name, kind) = rest.split_once(' ').expect("TYPE name kind");
                assert_eq!(kind, "gauge", "{line}");
                assert!(
                    !typed.contains(&name.to_owned()),
                    "one TYPE per family: {line}"
                );
                typed.push(name.to_owned());
                continue;
            }
            if line.starts_with("# HELP ") {
                continue;
            }
            let (series, value) = line.rsplit_once(' ').expect("sample value");
            value
                .parse::<f64>()
                .unwrap_or_else(|_| panic!("number: {line}"));
            let (name, labels) = series.split_once('{').expect("labels");
            assert_eq!(
                Some(&name.to_owned()),
                typed.last(),
                "sample under its family: {line}"
            );
            let labels = labels.strip_suffix('}').expect("closing brace");
            assert_labels(labels, line);
        }
    }

    /// `k="v",k="v"` with only `\\`, `\"` and `\n` escapes inside the quotes.
    fn assert_labels(mut rest: &str, line: &str) {
        while !rest.is_empty() {
            let (key, after) = rest.split_once("=\"").expect("key=\"");
            assert!(
                key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                "{line}"
            );
            let mut chars = after.char_indices();
            let end = loop {
                match chars.next().expect("closing quote") {
                    (_, '\\') => {
                        let (_, e) = chars.next().expect("escaped char");
                        assert!(matches!(e, '\\' | '"' | 'n'), "bad escape in {line}");
                    }
                    (i, '"') => break i,
                    (_, c) => assert_ne!(c, '\n', "{line}"),
                }
            };
            rest = &after[end + 1..];
            rest = rest.strip_prefix(',').unwrap_or(rest);
        }
    }

    #[test]
    fn with_no_test_yet_only_the_help_and_type_lines() {
        let text = render(None);
        assert_parses(&text);
        assert_eq!(text.lines().count(), 6, "{text}");
        assert!(text.lines().all(|l| l.starts_with("# ")), "{text}");
        for name in [
            "fmc_proxy_probe_ok",
            "fmc_proxy_probe_duration_seconds",
            "fmc_proxy_probe_last_run_timestamp_seconds",
        ] {
            assert!(text.contains(&format!("# TYPE {name} gauge\n")), "{text}");
        }
    }

    #[test]
    fn one_set_of_samples_per_target_with_stage_durations_in_seconds() {
        let reports = [
            report("https://a.example/", true),
            report("http://b.example:8080/x", false),
        ];
        let text = render(Some(Latest {
            at_unix: 1_764_400_000.5,
            reports: &reports,
        }));
        assert_parses(&text);
        for want in [
            "fmc_proxy_probe_ok{target=\"https://a.example/\"} 1\n",
            "fmc_proxy_probe_ok{target=\"http://b.example:8080/x\"} 0\n",
            "fmc_proxy_probe_duration_seconds{target=\"https://a.example/\",stage=\"resolve\"} 0.00001\n",
            "fmc_proxy_probe_duration_seconds{target=\"https://a.example/\",stage=\"tcp_connect\"} 0.00125\n",
            "fmc_proxy_probe_duration_seconds{target=\"http://b.example:8080/x\",stage=\"total\"} 0.05234\n",
            "fmc_proxy_probe_last_run_timestamp_seconds{target=\"http://b.example:8080/x\"} 1764400000.500\n",
        ] {
            assert!(text.contains(want), "{want} in\n{text}");
        }
        let samples = text.lines().filter(|l| !l.starts_with('#')).count();
        assert_eq!(
            samples,
            2 * (1 + 3 + 1),
            "ok, two stages and total, timestamp per target"
        );
    }

    #[test]
    fn a_target_tested_twice_in_one_test_is_exposed_once() {
        let reports = [
            report("https://a.example/", true),
            report("https://a.example/", false),
        ];
        let text = render(Some(Latest {
            at_unix: 1.0,
            reports: &reports,
        }));
        assert_parses(&text);
        assert!(text.contains("fmc_proxy_probe_ok{target=\"https://a.example/\"} 1\n"));
        assert!(!text.contains("} 0\n"), "{text}");
    }

    #[test]
    fn label_values_escape_backslash_quote_and_line_feed() {
        assert_eq!(escape_label(r#"a\b"c"#), r#"a\\b\"c"#);
        assert_eq!(escape_label("a\nb"), "a\\nb");
        let reports = [report("https://h/p\"\\\n?", true)];
        let text = render(Some(Latest {
            at_unix: 1.0,
            reports: &reports,
        }));
        assert_parses(&text);
        assert!(
            text.contains(r#"fmc_proxy_probe_ok{target="https://h/p\"\\\n?"} 1"#),
            "{text}"
        );
    }

    #[test]
    fn a_report_stored_before_urls_existed_is_labelled_with_its_https_target() {
        let reports = [report("", true)];
        let text = render(Some(Latest {
            at_unix: 1.0,
            reports: &reports,
        }));
        assert!(
            text.contains("fmc_proxy_probe_ok{target=\"https://tools.cisco.com:443/\"} 1"),
            "{text}"
        );
    }

    #[test]
    fn stored_times_read_as_unix_seconds() {
        assert_eq!(unix_seconds("1970-01-01T00:00:01.5Z"), Some(1.5));
        assert_eq!(unix_seconds("2026-01-02T03:04:05Z"), Some(1_767_323_045.0));
        assert_eq!(unix_seconds("yesterday"), None);
    }
}
