//! The `download` stage on real sockets: a 2 MiB body through real squid (https and plain
//! http), every framing, the --max-filesize limit, and fake proxies that stall or close
//! half-way (`transfer_stalled`, `transfer_truncated`); then the same through the CLI.

use crate::support;

use std::process::{Command, Output, Stdio};

use fmc_mgmt::locale::Lang;
use fmc_mgmt::probe::{DiagnosisCode, ProbeRequest, Report, StageName, render_text};
use support::fake_proxy::{Cut, FakeProxy, Script};
use support::probe::{all_stages, failed_at, plain_http, probe, request, stages};
use support::squid::{Mode, Squid};
use support::tls_target::{CertKind, TlsTarget};

const MIB2: u64 = 2 * 1024 * 1024;
/// Server bytes a cutting fake relays before it stalls or closes: past the TLS handshake
/// and the two HEAD answers, well inside the 2 MiB body.
const CUT_AFTER: usize = 96 * 1024;

/// A download of `path` from the TLS target through the proxy at `proxy_port`.
fn download(proxy_port: u16, target: &TlsTarget, path: &str, max: u64) -> ProbeRequest {
    let mut req = request(proxy_port, target.port(), Some(target.ca_file.clone()));
    req.path = path.to_string();
    req.download = Some(max);
    req
}

/// The same, plain http:// (absolute-form GET to the proxy).
fn download_plain(proxy_port: u16, origin: &TlsTarget, path: &str, max: u64) -> ProbeRequest {
    let mut req = plain_http(proxy_port, origin.port());
    req.path = path.to_string();
    req.download = Some(max);
    req
}

/// Every stage, the download before the close.
fn with_download() -> Vec<String> {
    let mut names = all_stages();
    names.insert(names.len() - 1, "download".to_string());
    names
}

fn downloaded(report: &Report) -> &fmc_mgmt::probe::DownloadFacts {
    report
        .download
        .as_ref()
        .unwrap_or_else(|| panic!("no download facts\n{}", render_text(report)))
}

#[tokio::test]
async fn a_2_mib_body_comes_whole_through_real_squid_with_bytes_and_throughput() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(Mode::Open);
    let req = download(squid.port(), &target, &format!("/bytes/{MIB2}"), 8 << 20);
    let report = probe(&req).await;
    let text = render_text(&report);
    assert_eq!(report.diagnosis.code, DiagnosisCode::Ok, "{text}");
    assert_eq!(stages(&report), with_download(), "{text}");
    let d = downloaded(&report);
    assert_eq!(
        (d.status, d.bytes, d.expected),
        (200, MIB2, Some(MIB2)),
        "{text}"
    );
    assert!(!d.limited);
    assert!(d.elapsed_ms > 0.0 && d.bytes_per_sec > 0, "{d:?}");
    let stage = report.stage(StageName::Download).expect("download stage");
    assert!(
        stage
            .detail
            .en
            .contains(&format!("{MIB2} of {MIB2} bytes (2.0 MiB)")),
        "{}",
        stage.detail.en
    );
    assert!(
        text.contains(&format!("Download: HTTP 200, {MIB2} of {MIB2} bytes")),
        "{text}"
    );
    assert!(
        report.curl.ends_with(&format!(
            " -o /dev/null https://127.0.0.1:{}/bytes/{MIB2}",
            target.port()
        )),
        "{}",
        report.curl
    );
    assert!(!report.curl.contains(" -I "), "{}", report.curl);
    let json = serde_json::to_value(&report).expect("json");
    assert_eq!(json["download"]["bytes"], MIB2);
    assert_eq!(json["download"]["limited"], false);
}

#[tokio::test]
async fn chunked_and_until_close_bodies_are_read_to_their_end() {
    let target = TlsTarget::start(CertKind::Good);
    let proxy = FakeProxy::start(Script::Tunnel {
        head: "HTTP/1.1 200 Connection established\r\n\r\n".into(),
        to: target.addr,
    });
    for (path, expected) in [
        (format!("/chunked/{MIB2}"), None),
        (format!("/until-close/{MIB2}"), None),
        ("/".to_string(), Some(0)),
    ] {
        let report = probe(&download(proxy.port(), &target, &path, 8 << 20)).await;
        let text = render_text(&report);
        assert_eq!(report.diagnosis.code, DiagnosisCode::Ok, "{path}\n{text}");
        let d = downloaded(&report);
        let bytes = if path == "/" { 0 } else { MIB2 };
        assert_eq!((d.bytes, d.expected), (bytes, expected), "{path}\n{text}");
        if path == "/" {
            assert_eq!(d.status, 302, "any HTTP answer is downloaded as it is");
        }
    }
}

#[tokio::test]
async fn a_smaller_max_filesize_stops_at_the_limit_and_says_so_without_failing() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(Mode::Open);
    let req = download(squid.port(), &target, &format!("/bytes/{MIB2}"), 100_000);
    let report = probe(&req).await;
    let text = render_text(&report);
    assert_eq!(report.diagnosis.code, DiagnosisCode::Ok, "{text}");
    assert_eq!(stages(&report), with_download(), "{text}");
    let d = downloaded(&report);
    assert_eq!(
        (d.bytes, d.expected, d.limited),
        (100_000, Some(MIB2), true)
    );
    let stage = report.stage(StageName::Download).expect("download stage");
    assert!(
        stage
            .detail
            .en
            .contains("--max-filesize limit after 100000 bytes"),
        "{text}"
    );
    assert!(
        stage.detail.get(Lang::ZhCn).contains("--max-filesize"),
        "{text}"
    );
    assert!(text.contains("; stopped at --max-filesize"), "{text}");
}

#[tokio::test]
async fn a_plain_http_download_goes_through_squid_as_an_absolute_form_get() {
    let origin = TlsTarget::start_plain();
    let squid = Squid::start(Mode::Open);
    let req = download_plain(squid.port(), &origin, &format!("/bytes/{MIB2}"), 8 << 20);
    let report = probe(&req).await;
    let text = render_text(&report);
    assert_eq!(report.diagnosis.code, DiagnosisCode::Ok, "{text}");
    assert_eq!(
        stages(&report),
        ["resolve", "tcp_connect", "connect", "download", "close"],
        "{text}"
    );
    assert!(
        report
            .stage(StageName::Connect)
            .expect("connect")
            .detail
            .en
            .starts_with(&format!(
                "GET http://127.0.0.1:{}/bytes/{MIB2} HTTP/1.1",
                origin.port()
            )),
        "{text}"
    );
    let d = downloaded(&report);
    assert_eq!(
        (d.status, d.bytes, d.expected),
        (200, MIB2, Some(MIB2)),
        "{text}"
    );
    assert_eq!(origin.requests(), 1, "one GET, no HEAD before it");
    assert!(
        report.curl.contains(" -o /dev/null http://"),
        "{}",
        report.curl
    );
}

/// A fake that cuts the download of the 2 MiB body (https, or plain http to `origin`).
fn cutting(target: &TlsTarget, cut: Cut) -> FakeProxy {
    FakeProxy::start(Script::CutBody {
        to: target.addr,
        after: CUT_AFTER,
        cut,
    })
}

/// The failed download's facts: some bytes got through, not all, and the summary names
/// how many of how many in both languages.
fn assert_cut_short(report: &Report, code: DiagnosisCode) {
    let text = render_text(report);
    assert_eq!(report.diagnosis.code, code, "{text}");
    assert!(!report.ok);
    let d = downloaded(report);
    assert!(d.bytes > 0 && d.bytes < MIB2, "{d:?}\n{text}");
    assert_eq!(d.expected, Some(MIB2));
    let said = format!("{} of {MIB2} bytes", d.bytes);
    assert!(report.diagnosis.summary.contains(&said), "{text}");
    assert!(
        report
            .diagnosis
            .summary_in(Lang::ZhCn)
            .contains(&format!("{} / {MIB2}", d.bytes))
    );
    let stage = report.stage(StageName::Download).expect("download stage");
    assert!(!stage.ok && stage.detail.en.contains(&said), "{text}");
}

#[tokio::test]
async fn a_proxy_that_stops_relaying_mid_body_is_transfer_stalled_after_the_read_timeout() {
    let target = TlsTarget::start(CertKind::Good);
    let proxy = cutting(&target, Cut::Stall);
    let req = download(proxy.port(), &target, &format!("/bytes/{MIB2}"), 8 << 20);
    let t0 = std::time::Instant::now();
    let report = probe(&req).await;
    assert_cut_short(&report, DiagnosisCode::TransferStalled);
    assert_eq!(stages(&report), failed_at(StageName::Download));
    let stage = report.stage(StageName::Download).expect("download stage");
    assert!(
        stage.detail.en.contains("then no data within 1.0 s"),
        "{}",
        stage.detail.en
    );
    assert!(
        report.diagnosis.hint.contains("inspection"),
        "{}",
        report.diagnosis.hint
    );
    // The stall is seen at the read timeout (1 s), not at the whole-probe limit (3 s).
    assert!(
        t0.elapsed() < std::time::Duration::from_millis(2_500),
        "{:?}",
        t0.elapsed()
    );
}

#[tokio::test]
async fn a_proxy_that_closes_mid_body_is_transfer_truncated() {
    let target = TlsTarget::start(CertKind::Good);
    let proxy = cutting(&target, Cut::Close);
    let req = download(proxy.port(), &target, &format!("/bytes/{MIB2}"), 8 << 20);
    let report = probe(&req).await;
    assert_cut_short(&report, DiagnosisCode::TransferTruncated);
    assert_eq!(stages(&report), failed_at(StageName::Download));
    assert!(
        report.diagnosis.hint.contains("size"),
        "{}",
        report.diagnosis.hint
    );
}

#[tokio::test]
async fn plain_http_downloads_cut_half_way_are_stalled_or_truncated_too() {
    let origin = TlsTarget::start_plain();
    for (cut, code) in [
        (Cut::Close, DiagnosisCode::TransferTruncated),
        (Cut::Stall, DiagnosisCode::TransferStalled),
    ] {
        let proxy = cutting(&origin, cut);
        let req = download_plain(proxy.port(), &origin, &format!("/bytes/{MIB2}"), 8 << 20);
        let report = probe(&req).await;
        assert_cut_short(&report, code);
    }
}

#[tokio::test]
async fn a_chunked_body_closed_before_its_terminator_is_truncated() {
    let target = TlsTarget::start(CertKind::Good);
    let proxy = cutting(&target, Cut::Close);
    let req = download(proxy.port(), &target, &format!("/chunked/{MIB2}"), 8 << 20);
    let report = probe(&req).await;
    let text = render_text(&report);
    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::TransferTruncated,
        "{text}"
    );
    let d = downloaded(&report);
    assert_eq!(d.expected, None);
    assert!(d.bytes > 0 && d.bytes < MIB2, "{d:?}");
    assert!(
        report
            .diagnosis
            .summary
            .contains(&format!("after {} bytes", d.bytes)),
        "{text}"
    );
}

#[tokio::test]
async fn without_download_nothing_changes() {
    let target = TlsTarget::start(CertKind::Good);
    let proxy = cutting(&target, Cut::Close);
    let req = request(proxy.port(), target.port(), Some(target.ca_file.clone()));
    let report = probe(&req).await;
    let text = render_text(&report);
    assert_eq!(report.diagnosis.code, DiagnosisCode::Ok, "{text}");
    assert_eq!(stages(&report), all_stages(), "{text}");
    assert!(report.download.is_none());
    let json = serde_json::to_value(&report).expect("json");
    assert!(json.get("download").is_none(), "{json}");
    assert!(report.curl.contains(" -I "), "{}", report.curl);
    assert!(!text.contains("download"), "{text}");
}

fn fmc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fmc-mgmt"))
        .arg("probe")
        .args(args)
        .env_remove("FMC_PROXY_PASSWORD")
        .stdin(Stdio::null())
        .output()
        .expect("run fmc-mgmt")
}

#[test]
fn the_cli_downloads_prints_the_throughput_and_exits_by_the_verdict() {
    let target = TlsTarget::start(CertKind::Good);
    let open = FakeProxy::start(Script::Tunnel {
        head: "HTTP/1.1 200 Connection established\r\n\r\n".into(),
        to: target.addr,
    });
    let closing = cutting(&target, Cut::Close);
    let ca = target.ca_file.display().to_string();
    let url = format!("https://127.0.0.1:{}/bytes/{MIB2}", target.port());
    let run = |proxy: &FakeProxy, extra: &[&str]| {
        let x = format!("127.0.0.1:{}", proxy.port());
        let mut args = vec!["-x", &x, "--cacert", &ca, "--max-time", "5", "--download"];
        args.extend_from_slice(extra);
        args.push(&url);
        fmc(&args)
    };
    let out = run(&open, &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("[ ok ] download"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "Download: HTTP 200, {MIB2} of {MIB2} bytes (2.0 MiB) in "
        )),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("-o /dev/null {url}")), "{stdout}");

    let out = run(&open, &["--max-filesize", "64K", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["download"]["bytes"], 65_536);
    assert_eq!(json["download"]["limited"], true);

    let out = run(&closing, &["--json"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["diagnosis"]["code"], "transfer_truncated");
}

#[test]
fn a_bad_max_filesize_exits_2_with_a_precise_message() {
    for (bad, said) in [
        ("0", "above 0 bytes"),
        ("abc", "expected a number of bytes"),
        ("1.5M", "expected a number of bytes"),
    ] {
        let flag = format!("--max-filesize={bad}");
        let out = fmc(&[
            "-x",
            "127.0.0.1:9",
            "--download",
            &flag,
            "https://127.0.0.1/",
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad}: {stderr}");
        assert!(stderr.contains(said), "{bad}: {stderr}");
        assert!(out.stdout.is_empty());
    }
    let out = fmc(&[
        "-x",
        "127.0.0.1:9",
        "--max-filesize",
        "10",
        "https://127.0.0.1/",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--download"));
}

#[tokio::test]
async fn a_plain_http_download_through_digest_squid_signs_the_get() {
    let origin = TlsTarget::start_plain();
    let (user, password) = ("fmcadmin", "p@ss:w0rd!#%&");
    let squid = Squid::start(Mode::Digest {
        user: user.into(),
        password: password.into(),
    });
    let req = download_plain(squid.port(), &origin, &format!("/bytes/{MIB2}"), 8 << 20);
    let req = support::probe::with_credentials(req, user, password);
    let report = probe(&req).await;
    let text = render_text(&report);
    assert_eq!(report.diagnosis.code, DiagnosisCode::Ok, "{text}");
    assert_eq!(report.auth.used.as_deref(), Some("digest"), "{text}");
    assert_eq!(downloaded(&report).bytes, MIB2, "{text}");
}

#[tokio::test]
async fn a_server_that_closes_after_its_head_answer_leaves_the_download_not_run_but_the_probe_ok() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(Mode::Open);
    let report = probe(&download(squid.port(), &target, "/close", 8 << 20)).await;
    let text = render_text(&report);
    assert_eq!(report.diagnosis.code, DiagnosisCode::Ok, "{text}");
    let stage = report.stage(StageName::Download).expect("download stage");
    assert!(
        stage.ok && stage.detail.en.starts_with("not run: the server closed"),
        "{text}"
    );
    assert!(report.download.is_none());
}
