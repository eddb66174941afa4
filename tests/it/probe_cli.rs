//! `fmc-mgmt probe` as a user runs it: exit codes 0/1/2, the JSON report, the walk-through,
//! and a password that never shows anywhere.

use crate::support;

use std::process::{Command, Output, Stdio};

use fmc_mgmt::probe::{DiagnosisCode, Report};
use support::fake_proxy::{FakeProxy, Script};
use support::origin::Origin;
use support::squid::{Mode, Squid};
use support::tls_target::{CertKind, TlsTarget};

const PASSWORD: &str = "p@ss:w0rd!#%&";
/// base64("fmcadmin:p@ss:w0rd!#%&"), what a Basic header would carry.
const PASSWORD_B64: &str = "Zm1jYWRtaW46cEBzczp3MHJkISMlJg==";

fn fmc(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fmc-mgmt"));
    cmd.arg("probe")
        .args(args)
        .env_remove("FMC_PROXY_PASSWORD")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run fmc-mgmt")
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn tunnel_to(target: &TlsTarget) -> FakeProxy {
    FakeProxy::start(Script::Tunnel {
        head: "HTTP/1.1 200 Connection established\r\n\r\n".into(),
        to: target.addr,
    })
}

#[test]
fn a_working_path_exits_0_and_prints_valid_json() {
    let target = TlsTarget::start(CertKind::Good);
    let proxy = tunnel_to(&target);
    let ca = target.ca_file.display().to_string();
    let out = fmc(
        &[
            "-x",
            &format!("127.0.0.1:{}", proxy.port()),
            "--target",
            &format!("127.0.0.1:{}", target.port()),
            "--cacert",
            &ca,
            "--max-time",
            "3",
            "--json",
        ],
        &[],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let report: Report = serde_json::from_str(&stdout).expect("JSON report");
    assert!(report.ok);
    assert_eq!(report.diagnosis.code, DiagnosisCode::Ok);
    assert_eq!(report.stages.len(), 7);
    assert_eq!(
        report.curl,
        format!(
            "curl -x http://127.0.0.1:{} --cacert {ca} -I https://127.0.0.1:{}",
            proxy.port(),
            target.port()
        )
    );
    let raw: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    for key in [
        "ok",
        "diagnosis",
        "proxy",
        "target",
        "auth",
        "stages",
        "connect_response",
        "tls",
        "http",
        "tcp",
        "total_ms",
        "curl",
    ] {
        assert!(raw.get(key).is_some(), "missing {key}");
    }
    assert_eq!(raw["stages"][1]["name"], "tcp_connect");
    assert_eq!(raw["stages"][5]["name"], "large_request");
    assert_eq!(raw["tcp"]["interface"], "lo");
    assert!(raw["tcp"]["mss"].as_u64().is_some_and(|m| m > 0));
    assert_eq!(raw["connect_response"]["headers"], serde_json::json!([]));
}

#[test]
fn without_json_it_walks_through_the_stages_like_the_cisco_note() {
    let target = TlsTarget::start(CertKind::Good);
    let proxy = tunnel_to(&target);
    let out = fmc(
        &[
            "-x",
            &format!("127.0.0.1:{}", proxy.port()),
            "--target",
            &format!("127.0.0.1:{}", target.port()),
            "--cacert",
            &target.ca_file.display().to_string(),
        ],
        &[],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    for expected in [
        "TCP handshake 127.0.0.1:",
        &format!("CONNECT 127.0.0.1:{} HTTP/1.1", target.port()),
        "200 Connection established",
        "TLSv1.3",
        "fmc-mgmt Test CA",
        "302 Found",
        "/healthcheck",
        "close_notify",
        "Diagnosis: ok",
        "Next step:",
        "curl -x http://127.0.0.1:",
        " ms",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
}

#[test]
fn a_denied_tunnel_exits_1_with_its_diagnosis() {
    let proxy = FakeProxy::start(Script::Reply("HTTP/1.1 403 Forbidden\r\n\r\n".into()));
    let out = fmc(
        &[
            "-x",
            &format!("127.0.0.1:{}", proxy.port()),
            "--target",
            "127.0.0.1:9",
            "--max-time",
            "2",
            "--json",
        ],
        &[],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    let report: Report = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(report.diagnosis.code, DiagnosisCode::ProxyDenied);
    assert!(!report.ok);
}

#[test]
fn a_plain_http_url_goes_through_squid_without_connect_and_prints_its_curl_line() {
    let origin = Origin::start();
    let squid = Squid::start(Mode::Open);
    let url = format!("http://127.0.0.1:{}/healthcheck?x=1", origin.port());
    let proxy = format!("127.0.0.1:{}", squid.port());
    let out = fmc(&["-x", &proxy, "--max-time", "3", "--json", &url], &[]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let report: Report = serde_json::from_str(&stdout).expect("JSON report");
    assert_eq!(report.diagnosis.code, DiagnosisCode::Ok);
    assert_eq!(report.url, url);
    assert_eq!(
        report.curl,
        format!("curl -x http://{proxy} -I '{url}'"),
        "the curl line asks for the same plain-HTTP URL"
    );
    assert_eq!(origin.request_lines(), ["HEAD /healthcheck?x=1 HTTP/1.1"]);
    let names: Vec<&str> = report.stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["resolve", "tcp_connect", "connect", "close"]);

    let out = fmc(&["-x", &proxy, "--max-time", "3", &url], &[]);
    let (stdout, _) = text(&out);
    assert!(
        stdout.starts_with(&format!("Probing {url} through")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("HEAD {url} HTTP/1.1 -> HTTP/1.1 302 Found")),
        "{stdout}"
    );
}

#[test]
fn a_plain_http_url_denied_by_squid_exits_1_with_proxy_denied() {
    let origin = Origin::start();
    let squid = Squid::start(Mode::DenyPlainHttp);
    let url = format!("http://127.0.0.1:{}/", origin.port());
    let proxy = format!("127.0.0.1:{}", squid.port());
    let out = fmc(&["-x", &proxy, "--max-time", "3", "--json", &url], &[]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    let report: Report = serde_json::from_str(&stdout).expect("JSON report");
    assert_eq!(report.diagnosis.code, DiagnosisCode::ProxyDenied);
    assert!(origin.request_lines().is_empty());
}

#[test]
fn bad_urls_and_a_url_with_target_exit_2_with_a_precise_message() {
    for (args, needle) in [
        (&["-x", "p:1", "ftp://h/"][..], "not ftp://"),
        (&["-x", "p:1", "tools.cisco.com"][..], "has no scheme"),
        (&["-x", "p:1", "https://bob:pw@h/"][..], "-U USER"),
        (&["-x", "p:1", "http://h:0/"][..], "1 to 65535"),
        (&["-x", "p:1", "https://::1/"][..], "brackets"),
        (&["-x", "p:1", "https://h/a b"][..], "percent-encode"),
        (
            &["-x", "p:1", "--target", "h:443", "https://h/"][..],
            "cannot be used with",
        ),
    ] {
        let out = fmc(args, &[]);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stdout}\n{stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("pw@"),
            "a password in a refused URL is not echoed: {stderr}"
        );
    }
}

#[test]
fn usage_errors_exit_2_with_a_precise_message() {
    for (args, needle) in [
        (&[][..], "-x HOST:PORT is required"),
        (&["-x", "proxy"][..], "has no port"),
        (&["-x", "::1:3128"][..], "brackets"),
        (&["-x", "proxy:99999"][..], "1 to 65535"),
        (&["-x", "p:1", "--max-time", "soon"][..], "seconds"),
        (&["-x", "p:1", "--connect-timeout", "0"][..], "seconds"),
        (&["-x", "p:1", "-U", "bob"][..], "FMC_PROXY_PASSWORD"),
        (
            &["-x", "p:1", "--cacert", "/nonexistent/ca.pem"][..],
            "no such file",
        ),
        (&["-x", "p:1", "--bogus"][..], "--bogus"),
    ] {
        let out = fmc(args, &[]);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stdout}\n{stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
}

/// Extra flags, environment, expected exit code.
type Run<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, i32);

#[test]
fn the_password_never_appears_in_any_output() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(Mode::Basic {
        user: "fmcadmin".into(),
        password: PASSWORD.into(),
    });
    let proxy = format!("127.0.0.1:{}", squid.port());
    let tgt = format!("127.0.0.1:{}", target.port());
    let ca = target.ca_file.display().to_string();
    let with_password = format!("fmcadmin:{PASSWORD}");
    let wrong = "fmcadmin:not-the-password-42";
    let runs: Vec<Run> = vec![
        (vec!["-U", &with_password, "--json"], vec![], 0),
        (vec!["-U", &with_password], vec![], 0),
        (
            vec!["-U", "fmcadmin", "--json"],
            vec![("FMC_PROXY_PASSWORD", PASSWORD)],
            0,
        ),
        (
            vec!["-U", "fmcadmin"],
            vec![("FMC_PROXY_PASSWORD", PASSWORD)],
            0,
        ),
        (vec!["-U", wrong, "--json"], vec![], 1),
    ];
    for (extra, env, code) in runs {
        let mut args = vec![
            "-x",
            &proxy,
            "--target",
            &tgt,
            "--cacert",
            &ca,
            "--max-time",
            "5",
        ];
        args.extend(extra.iter().copied());
        let out = fmc(&args, &env);
        let (stdout, stderr) = text(&out);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}\n{stdout}\n{stderr}"
        );
        for secret in [PASSWORD, PASSWORD_B64, "not-the-password-42"] {
            assert!(
                !stdout.contains(secret),
                "{args:?} leaked in stdout:\n{stdout}"
            );
            assert!(
                !stderr.contains(secret),
                "{args:?} leaked in stderr:\n{stderr}"
            );
        }
        assert!(
            stdout.contains("-U 'fmcadmin:****' --proxy-basic"),
            "{stdout}"
        );
        if args.contains(&"--json") {
            let report: Report = serde_json::from_str(&stdout).expect("JSON");
            assert!(report.curl.contains("fmcadmin:****"));
        }
    }
}

#[test]
fn help_lists_the_curl_shaped_flags() {
    let out = fmc(&["--help"], &[]);
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(0));
    for flag in [
        "--proxy <HOST:PORT>",
        "--proxy-user <USER[:PASSWORD]>",
        "--target <HOST:PORT>",
        "--cacert <FILE>",
        "--connect-timeout <S>",
        "--max-time <S>",
        "--json",
        "--from-config",
        "tools.cisco.com:443",
    ] {
        assert!(stdout.contains(flag), "missing {flag} in:\n{stdout}");
    }
}

#[test]
fn a_proxys_escape_sequences_never_reach_the_terminal() {
    let esc = "\x1b[31mred\x1b[2J\x1b]0;owned\x07\u{202e}";
    let proxy = FakeProxy::start(Script::Reply(format!(
        "HTTP/1.1 403 Forbidden {esc}\r\nVia: 1.1 squid {esc}\r\n\r\n"
    )));
    let args = [
        "-x",
        &format!("127.0.0.1:{}", proxy.port()),
        "--target",
        "127.0.0.1:9",
        "--max-time",
        "3",
    ];
    let out = fmc(&args, &[]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    let raw = |c: char| c.is_control() && c != '\n' || c == '\u{202e}';
    assert!(
        !stdout.chars().any(raw) && !stderr.chars().any(raw),
        "control characters reached the terminal: {stdout:?} {stderr:?}"
    );
    assert!(
        stdout.contains(r"< Via: 1.1 squid \x1b[31mred\x1b[2J\x1b]0;owned\x07\u{202e}"),
        "the proxy's text is shown, escaped:\n{stdout}"
    );

    let json = fmc(&[&args[..], &["--json"]].concat(), &[]);
    let report: Report = serde_json::from_slice(&json.stdout).expect("JSON report");
    let via = report.connect_response.expect("response").headers;
    assert!(
        via.iter().any(|(_, v)| v == &format!("1.1 squid {esc}")),
        "--json keeps the exact text (JSON escapes it): {via:?}"
    );
}
