//! The probe against a real squid on loopback: open, Basic, Digest, ACL deny, and the TLS
//! failures seen through an open squid.

use crate::support;

use fmc_mgmt::probe::{DiagnosisCode, StageName, render_text, run};
use support::origin::Origin;
use support::probe::{
    all_stages, assert_within_limit, failed_at, plain_http, probe, request, stages,
    with_credentials,
};
use support::squid::{Mode, Squid};
use support::tls_target::{CertKind, TEST_CA_CN, TlsTarget, UNKNOWN_CA_CN};

const USER: &str = "fmcadmin";
const PASSWORD: &str = "p@ss:w0rd!#%&";

fn basic() -> Mode {
    Mode::Basic {
        user: USER.into(),
        password: PASSWORD.into(),
    }
}

fn digest() -> Mode {
    Mode::Digest {
        user: USER.into(),
        password: PASSWORD.into(),
    }
}

#[tokio::test]
async fn an_open_squid_lets_the_probe_through_every_stage() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(Mode::Open);
    let req = request(squid.port(), target.port(), Some(target.ca_file.clone()));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();

    let t0 = std::time::Instant::now();
    let report = run(&req, Some(tx)).await;

    assert_within_limit(&report, &req, t0.elapsed());
    let text = render_text(&report);
    assert_eq!(report.diagnosis.code, DiagnosisCode::Ok, "{text}");
    assert!(report.ok);
    assert_eq!(stages(&report), all_stages(), "{text}");
    let connect = report.connect_response.as_ref().expect("connect response");
    assert_eq!(connect.status, 200);
    let tls = report.tls.as_ref().expect("tls facts");
    assert!(
        tls.version
            .as_deref()
            .is_some_and(|v| v.starts_with("TLSv1."))
    );
    assert!(tls.cipher.is_some());
    assert!(
        tls.issuer
            .as_deref()
            .is_some_and(|i| i.contains(TEST_CA_CN))
    );
    assert!(tls.not_after.is_some());
    let http = report.http.as_ref().expect("http");
    assert_eq!(http.status, 302);
    assert!(
        http.location
            .as_deref()
            .is_some_and(|l| l.ends_with("/healthcheck"))
    );
    assert_eq!(report.auth.rounds, 0);
    assert_eq!(target.requests(), 1);
    let mut streamed = Vec::new();
    while let Ok(stage) = rx.try_recv() {
        streamed.push(stage);
    }
    assert_eq!(
        streamed, report.stages,
        "each stage is streamed as it completes"
    );
}

#[tokio::test]
async fn basic_auth_with_a_password_full_of_specials_gets_through_squid() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(basic());
    let req = with_credentials(
        request(squid.port(), target.port(), Some(target.ca_file.clone())),
        USER,
        PASSWORD,
    );

    let report = probe(&req).await;

    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::Ok,
        "{}",
        render_text(&report)
    );
    assert_eq!(report.auth.used.as_deref(), Some("basic"));
    assert_eq!(report.auth.rounds, 1);
    assert!(report.auth.offered.iter().any(|s| s == "Basic"));
    assert!(
        report.curl.contains("-U 'fmcadmin:****' --proxy-basic"),
        "{}",
        report.curl
    );
    assert!(!serde_json::to_string(&report).unwrap().contains(PASSWORD));
}

#[tokio::test]
async fn digest_auth_with_a_password_full_of_specials_gets_through_squid() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(digest());
    let req = with_credentials(
        request(squid.port(), target.port(), Some(target.ca_file.clone())),
        USER,
        PASSWORD,
    );

    let report = probe(&req).await;

    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::Ok,
        "{}",
        render_text(&report)
    );
    assert_eq!(report.auth.used.as_deref(), Some("digest"));
    assert_eq!(report.auth.rounds, 1);
    assert!(report.curl.contains("--proxy-digest"), "{}", report.curl);
    assert!(!serde_json::to_string(&report).unwrap().contains(PASSWORD));
}

#[tokio::test]
async fn a_wrong_basic_password_is_proxy_auth_failed() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(basic());
    let req = with_credentials(request(squid.port(), target.port(), None), USER, "wrong");

    let report = probe(&req).await;

    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::ProxyAuthFailed,
        "{}",
        render_text(&report)
    );
    assert_eq!(stages(&report), failed_at(StageName::Connect));
    assert_eq!(
        report.connect_response.as_ref().map(|c| c.status),
        Some(407)
    );
    assert_eq!(report.auth.rounds, 2);
}

#[tokio::test]
async fn a_wrong_digest_password_is_proxy_auth_failed() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(digest());
    let req = with_credentials(request(squid.port(), target.port(), None), USER, "wrong");

    let report = probe(&req).await;

    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::ProxyAuthFailed,
        "{}",
        render_text(&report)
    );
    assert_eq!(report.auth.used.as_deref(), Some("digest"));
}

#[tokio::test]
async fn no_credentials_against_an_authenticating_squid_is_proxy_auth_required() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(basic());
    let req = request(squid.port(), target.port(), None);

    let report = probe(&req).await;

    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::ProxyAuthRequired,
        "{}",
        render_text(&report)
    );
    assert_eq!(stages(&report), failed_at(StageName::Connect));
    assert_eq!(report.auth.offered, vec!["Basic".to_string()]);
    assert_eq!(report.auth.rounds, 0);
}

#[tokio::test]
async fn a_squid_acl_denying_connect_is_proxy_denied_with_its_403() {
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(Mode::DenyConnect);
    let req = request(squid.port(), target.port(), None);

    let report = probe(&req).await;

    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::ProxyDenied,
        "{}",
        render_text(&report)
    );
    assert_eq!(stages(&report), failed_at(StageName::Connect));
    let resp = report.connect_response.as_ref().expect("response");
    assert_eq!((resp.status, resp.reason.as_str()), (403, "Forbidden"));
    assert!(
        resp.headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("Server"))
    );
    assert!(report.diagnosis.hint.contains("access control list"));
    assert_eq!(target.requests(), 0);
}

/// The plain-HTTP stages: no tunnel, so no TLS and no request inside one.
fn plain_stages(last_ok: bool) -> Vec<String> {
    let connect = if last_ok { "connect" } else { "connect!" };
    let mut names = vec!["resolve".to_string(), "tcp_connect".into(), connect.into()];
    if last_ok {
        names.push("close".into());
    }
    names
}

#[tokio::test]
async fn a_squid_allowing_plain_http_relays_the_absolute_form_head_to_the_origin() {
    let origin = Origin::start();
    let squid = Squid::start(Mode::Open);
    let req = plain_http(squid.port(), origin.port());

    let report = probe(&req).await;

    let text = render_text(&report);
    assert_eq!(report.diagnosis.code, DiagnosisCode::Ok, "{text}");
    assert_eq!(stages(&report), plain_stages(true), "{text}");
    assert_eq!(
        origin.request_lines(),
        ["HEAD / HTTP/1.1"],
        "squid asked the origin"
    );
    let resp = report.connect_response.as_ref().expect("response");
    assert!(
        resp.headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("X-Origin") && v == "fmc-test"),
        "the answer came from the origin through squid: {resp:?}"
    );
    let http = report.http.as_ref().expect("http");
    assert_eq!(
        (http.status, http.location.as_deref()),
        (302, Some("/healthcheck"))
    );
    assert!(report.tls.is_none());
    assert_eq!(
        report.curl,
        format!(
            "curl -x http://127.0.0.1:{} -I http://127.0.0.1:{}",
            squid.port(),
            origin.port()
        )
    );
    assert!(
        report
            .stage(StageName::Connect)
            .unwrap()
            .detail
            .en
            .starts_with(&format!(
                "HEAD http://127.0.0.1:{}/ HTTP/1.1 -> HTTP/1.1 302 Found",
                origin.port()
            )),
        "{text}"
    );
}

#[tokio::test]
async fn a_squid_denying_plain_http_is_proxy_denied_while_https_still_passes() {
    let origin = Origin::start();
    let target = TlsTarget::start(CertKind::Good);
    let squid = Squid::start(Mode::DenyPlainHttp);

    let report = probe(&plain_http(squid.port(), origin.port())).await;

    let text = render_text(&report);
    assert_eq!(report.diagnosis.code, DiagnosisCode::ProxyDenied, "{text}");
    assert_eq!(stages(&report), plain_stages(false), "{text}");
    let resp = report.connect_response.as_ref().expect("response");
    assert_eq!((resp.status, resp.reason.as_str()), (403, "Forbidden"));
    assert!(
        report.http.is_none(),
        "a 403 of squid's own is no origin answer"
    );
    assert!(
        origin.request_lines().is_empty(),
        "squid never reached the origin"
    );

    let https = request(squid.port(), target.port(), Some(target.ca_file.clone()));
    let report = probe(&https).await;
    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::Ok,
        "{}",
        render_text(&report)
    );
}

#[tokio::test]
async fn plain_http_through_an_authenticating_squid_answers_its_407() {
    let origin = Origin::start();
    let squid = Squid::start(digest());
    let req = with_credentials(plain_http(squid.port(), origin.port()), USER, PASSWORD);

    let report = probe(&req).await;

    let text = render_text(&report);
    assert_eq!(report.diagnosis.code, DiagnosisCode::Ok, "{text}");
    assert_eq!(report.auth.used.as_deref(), Some("digest"), "{text}");
    assert_eq!(origin.request_lines(), ["HEAD / HTTP/1.1"]);
    assert!(!text.contains(PASSWORD));
}

#[tokio::test]
async fn a_certificate_from_an_unknown_ca_is_tls_untrusted_and_names_the_issuer() {
    let target = TlsTarget::start(CertKind::UnknownCa);
    let squid = Squid::start(Mode::Open);
    let req = request(squid.port(), target.port(), Some(target.ca_file.clone()));

    let report = probe(&req).await;

    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::TlsUntrusted,
        "{}",
        render_text(&report)
    );
    assert_eq!(stages(&report), failed_at(StageName::TlsHandshake));
    let issuer = report
        .tls
        .as_ref()
        .and_then(|t| t.issuer.clone())
        .unwrap_or_default();
    assert!(issuer.contains(UNKNOWN_CA_CN), "{issuer}");
    assert!(report.diagnosis.summary.contains(UNKNOWN_CA_CN));
    assert!(report.diagnosis.hint.contains("Trusted CA for the probe"));
}

#[tokio::test]
async fn an_expired_certificate_is_tls_expired() {
    let target = TlsTarget::start(CertKind::Expired);
    let squid = Squid::start(Mode::Open);
    let req = request(squid.port(), target.port(), Some(target.ca_file.clone()));

    let report = probe(&req).await;

    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::TlsExpired,
        "{}",
        render_text(&report)
    );
    assert_eq!(stages(&report), failed_at(StageName::TlsHandshake));
    let not_after = report
        .tls
        .as_ref()
        .and_then(|t| t.not_after.clone())
        .unwrap_or_default();
    assert!(not_after.starts_with("2021-01-01"), "{not_after}");
}

#[tokio::test]
async fn a_certificate_for_another_name_is_tls_name_mismatch() {
    let target = TlsTarget::start(CertKind::WrongName);
    let squid = Squid::start(Mode::Open);
    let req = request(squid.port(), target.port(), Some(target.ca_file.clone()));

    let report = probe(&req).await;

    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::TlsNameMismatch,
        "{}",
        render_text(&report)
    );
    assert_eq!(stages(&report), failed_at(StageName::TlsHandshake));
    assert!(
        report
            .stages
            .last()
            .is_some_and(|s| s.detail.en.contains("wrong.example"))
    );
}
