//! The probe against fake proxies scripted to fail in every way squid cannot be made to:
//! each ends in its own diagnosis, at the right stage, within max-time + 1 s.

use crate::support;

use std::time::Duration;

use fmc_mgmt::locale::Lang;
use fmc_mgmt::probe::head::MAX_HEAD_BYTES;
use fmc_mgmt::probe::{DiagnosisCode, StageName, render_text};
use support::chinese::{assert_chinese, english_words};
use support::fake_proxy::{FakeProxy, Fate, Script};
use support::probe::{all_stages, failed_at, host, probe, request, stages, with_credentials};
use support::tls_target::{CertKind, TlsTarget};

/// A target port for fakes that never open a tunnel (nothing is ever sent there).
const NO_TARGET: u16 = 9;

fn reply(head: &str) -> Script {
    Script::Reply(head.to_string())
}

#[tokio::test]
async fn an_ntlm_only_proxy_is_ntlm_unsupported_even_with_credentials() {
    let fake = FakeProxy::start(Script::NtlmOnly);
    let req = with_credentials(request(fake.port(), NO_TARGET, None), "u", "p");

    let report = probe(&req).await;

    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::NtlmUnsupported,
        "{}",
        render_text(&report)
    );
    assert_eq!(stages(&report), failed_at(StageName::Connect));
    assert_eq!(
        report.auth.offered,
        vec!["NTLM".to_string(), "Negotiate".to_string()]
    );
    assert_eq!(report.auth.rounds, 0);
    assert!(fake.authorizations().is_empty(), "no credentials were sent");
}

#[tokio::test]
async fn a_proxy_that_always_rejects_basic_is_auth_failed_after_two_rounds_on_one_connection() {
    let fake = FakeProxy::start(Script::BasicAlwaysRejects);
    let req = with_credentials(request(fake.port(), NO_TARGET, None), "u", "p@ss:w0rd!#%&");

    let report = probe(&req).await;

    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::ProxyAuthFailed,
        "{}",
        render_text(&report)
    );
    assert_eq!(stages(&report), failed_at(StageName::Connect));
    assert_eq!(report.auth.rounds, 2);
    assert_eq!(report.auth.used.as_deref(), Some("basic"));
    assert_eq!(fake.authorizations().len(), 2);
    assert_eq!(
        fake.seen
            .connections
            .load(std::sync::atomic::Ordering::SeqCst),
        1,
        "kept alive"
    );
}

#[tokio::test]
async fn a_proxy_that_closes_after_each_407_is_reconnected_to() {
    let fake = FakeProxy::start(Script::BasicRejectsAndCloses);
    let req = with_credentials(request(fake.port(), NO_TARGET, None), "u", "p");

    let report = probe(&req).await;

    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::ProxyAuthFailed,
        "{}",
        render_text(&report)
    );
    assert_eq!(fake.authorizations().len(), 2);
    assert_eq!(
        fake.seen
            .connections
            .load(std::sync::atomic::Ordering::SeqCst),
        3
    );
    assert!(report.stages[2].detail.en.contains("reconnected"));
}

#[tokio::test]
async fn digest_sha256_is_chosen_over_md5_and_basic_and_signs_the_connect_authority() {
    let target = TlsTarget::start(CertKind::Good);
    let fake = FakeProxy::start(Script::AuthThenTunnel {
        challenges: vec![
            r#"Basic realm="fake""#.to_string(),
            r#"Digest realm="fake", nonce="n1", qop="auth", algorithm=MD5"#.to_string(),
            r#"Digest realm="fake", nonce="n2", qop="auth", algorithm=SHA-256"#.to_string(),
        ],
        to: target.addr,
    });
    let req = with_credentials(
        request(fake.port(), target.port(), Some(target.ca_file.clone())),
        "u",
        "p",
    );

    let report = probe(&req).await;

    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::Ok,
        "{}",
        render_text(&report)
    );
    assert_eq!(report.auth.used.as_deref(), Some("digest"));
    assert_eq!(
        report.auth.offered,
        vec!["Basic".to_string(), "Digest".to_string()]
    );
    let sent = fake.authorizations();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].contains("algorithm=SHA-256"), "{}", sent[0]);
    assert!(
        sent[0].contains(&format!("uri=\"127.0.0.1:{}\"", target.port())),
        "{}",
        sent[0]
    );
}

#[tokio::test]
async fn error_statuses_map_to_their_own_codes() {
    for (head, code) in [
        (
            "HTTP/1.1 400 Bad Request\r\n\r\n",
            DiagnosisCode::BadRequest,
        ),
        (
            "HTTP/1.1 502 Bad Gateway\r\n\r\n",
            DiagnosisCode::BadGateway,
        ),
        (
            "HTTP/1.1 503 Service Unavailable\r\n\r\n",
            DiagnosisCode::ServiceUnavailable,
        ),
        (
            "HTTP/1.1 504 Gateway Timeout\r\n\r\n",
            DiagnosisCode::GatewayTimeout,
        ),
        (
            "HTTP/1.1 418 I'm a teapot\r\n\r\n",
            DiagnosisCode::ProxyError,
        ),
    ] {
        let fake = FakeProxy::start(reply(head));
        let req = request(fake.port(), NO_TARGET, None);

        let report = probe(&req).await;

        assert_eq!(
            report.diagnosis.code,
            code,
            "{head:?}\n{}",
            render_text(&report)
        );
        assert_eq!(stages(&report), failed_at(StageName::Connect));
        let status: u16 = head[9..12].parse().unwrap();
        assert_eq!(
            report.connect_response.as_ref().map(|c| c.status),
            Some(status)
        );
        assert!(report.diagnosis.summary.contains(&status.to_string()));
    }
}

#[tokio::test]
async fn a_proxy_silent_after_accept_is_proxy_no_response_after_the_read_timeout() {
    let fake = FakeProxy::start(Script::Silent);
    let req = request(fake.port(), NO_TARGET, None);

    let report = probe(&req).await;

    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::ProxyNoResponse,
        "{}",
        render_text(&report)
    );
    assert_eq!(stages(&report), failed_at(StageName::Connect));
    let connect = &report.stages[2];
    assert!(
        connect.elapsed_ms >= 900.0 && connect.elapsed_ms < 2000.0,
        "{connect:?}"
    );
}

#[tokio::test]
async fn a_tunnel_that_stays_idle_is_tunnel_idle() {
    let fake = FakeProxy::start(Script::OkThenIdle);
    let req = request(fake.port(), NO_TARGET, None);

    let report = probe(&req).await;

    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::TunnelIdle,
        "{}",
        render_text(&report)
    );
    assert_eq!(stages(&report), failed_at(StageName::TlsHandshake));
    assert!(report.diagnosis.hint.contains("inspection"));
}

#[tokio::test]
async fn a_reset_on_the_first_bytes_through_the_tunnel_is_connection_reset() {
    let fake = FakeProxy::start(Script::OkThenReset);
    let req = request(fake.port(), NO_TARGET, None);

    let report = probe(&req).await;

    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::ConnectionReset,
        "{}",
        render_text(&report)
    );
    assert_eq!(stages(&report), failed_at(StageName::TlsHandshake));
    assert!(report.diagnosis.hint.contains("MTU"));
    let tcp = report
        .tcp
        .as_ref()
        .expect("the socket's facts after a reset too");
    assert!(
        tcp.mss > 0 && tcp.interface.as_deref() == Some("lo"),
        "{tcp:?}"
    );
}

#[tokio::test]
async fn non_http_bytes_are_malformed_response_without_waiting_for_the_timeout() {
    let fake = FakeProxy::start(Script::Garbage);
    let req = request(fake.port(), NO_TARGET, None);

    let report = probe(&req).await;

    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::MalformedResponse,
        "{}",
        render_text(&report)
    );
    assert_eq!(stages(&report), failed_at(StageName::Connect));
    assert!(report.total_ms < 500.0, "{}", report.total_ms);
    assert!(report.stages[2].detail.en.contains("SSH-2.0"));
}

#[tokio::test]
async fn an_endless_header_stream_is_malformed_and_the_buffer_stays_within_the_cap() {
    let fake = FakeProxy::start(Script::EndlessHeaders);
    let req = request(fake.port(), NO_TARGET, None);

    let report = probe(&req).await;

    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::MalformedResponse,
        "{}",
        render_text(&report)
    );
    assert_eq!(stages(&report), failed_at(StageName::Connect));
    let detail = &report.stages[2].detail.en;
    let held: usize = detail
        .split(", ")
        .find_map(|part| part.strip_suffix(" held"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no held count in {detail:?}"));
    assert!(held <= MAX_HEAD_BYTES, "held {held} bytes");
    assert!(
        detail.contains(&format!("within {MAX_HEAD_BYTES} bytes")),
        "{detail}"
    );
    assert!(report.total_ms < 1000.0, "{}", report.total_ms);
}

#[tokio::test]
async fn a_one_byte_per_second_drip_is_proxy_no_response_within_the_limit() {
    let fake = FakeProxy::start(Script::Drip);
    let req = request(fake.port(), NO_TARGET, None);

    let report = probe(&req).await;

    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::ProxyNoResponse,
        "{}",
        render_text(&report)
    );
    assert_eq!(stages(&report), failed_at(StageName::Connect));
    assert!(report.total_ms < 2000.0, "{}", report.total_ms);
}

#[tokio::test]
async fn an_http_1_0_200_opens_the_tunnel() {
    let target = TlsTarget::start(CertKind::Good);
    let fake = FakeProxy::start(Script::Tunnel {
        head: "HTTP/1.0 200 Connection established\r\n\r\n".into(),
        to: target.addr,
    });
    let req = request(fake.port(), target.port(), Some(target.ca_file.clone()));

    let report = probe(&req).await;

    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::Ok,
        "{}",
        render_text(&report)
    );
    assert_eq!(stages(&report), all_stages());
    assert_eq!(report.http.as_ref().map(|h| h.status), Some(302));
}

#[tokio::test]
async fn a_2xx_other_than_200_opens_the_tunnel() {
    let target = TlsTarget::start(CertKind::Good);
    let fake = FakeProxy::start(Script::Tunnel {
        head: "HTTP/1.1 201 Tunnel Created\r\nX-Proxy: fake\r\n\r\n".into(),
        to: target.addr,
    });
    let req = request(fake.port(), target.port(), Some(target.ca_file.clone()));

    let report = probe(&req).await;

    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::Ok,
        "{}",
        render_text(&report)
    );
    let connect = report.connect_response.as_ref().expect("response");
    assert_eq!(
        (connect.status, connect.reason.as_str()),
        (201, "Tunnel Created")
    );
    assert_eq!(
        connect.headers,
        vec![("X-Proxy".to_string(), "fake".to_string())]
    );
}

#[tokio::test]
async fn a_port_where_nothing_listens_is_proxy_unreachable() {
    let port = support::squid::free_port();
    let req = request(port, NO_TARGET, None);

    let report = probe(&req).await;

    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::ProxyUnreachable,
        "{}",
        render_text(&report)
    );
    assert_eq!(stages(&report), failed_at(StageName::TcpConnect));
    assert!(report.stages[1].detail.en.contains("refused"));
}

#[tokio::test]
async fn a_listener_whose_backlog_is_full_is_connect_timeout() {
    // A listening socket that never accepts, with a backlog of 0: once one handshake sits
    // in its queue, Linux drops further SYNs, so the next connect gets no SYN-ACK.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(0).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..4 {
        if let Ok(Ok(s)) = tokio::time::timeout(
            Duration::from_millis(200),
            tokio::net::TcpStream::connect(addr),
        )
        .await
        {
            fillers.push(s);
        }
    }
    let mut req = request(addr.port(), NO_TARGET, None);
    req.timeouts.connect = Duration::from_millis(500);

    let report = probe(&req).await;

    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::ConnectTimeout,
        "{}",
        render_text(&report)
    );
    assert_eq!(stages(&report), failed_at(StageName::TcpConnect));
    let elapsed = report.stages[1].elapsed_ms;
    assert!((450.0..1500.0).contains(&elapsed), "{elapsed}");
    drop(fillers);
}

#[tokio::test]
async fn a_proxy_named_localhost_is_resolved_first() {
    let target = TlsTarget::start(CertKind::Good);
    let fake = FakeProxy::start(Script::Tunnel {
        head: "HTTP/1.1 200 Connection established\r\n\r\n".into(),
        to: target.addr,
    });
    let mut req = request(fake.port(), target.port(), Some(target.ca_file.clone()));
    req.proxy_host = host("localhost");

    let report = probe(&req).await;

    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::Ok,
        "{}",
        render_text(&report)
    );
    assert!(
        report.stages[0].detail.en.contains("localhost resolves to"),
        "{:?}",
        report.stages[0]
    );
}

#[tokio::test]
async fn the_whole_probe_limit_cuts_a_slow_proxy_short() {
    let fake = FakeProxy::start(Script::Silent);
    let mut req = request(fake.port(), NO_TARGET, None);
    req.timeouts.read = Duration::from_secs(10);
    req.timeouts.total = Duration::from_millis(800);

    let report = probe(&req).await;

    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::ProxyNoResponse,
        "{}",
        render_text(&report)
    );
    assert!(report.total_ms < 1200.0, "{}", report.total_ms);
    assert!(
        report.stages[2].detail.en.contains("whole-probe limit"),
        "{:?}",
        report.stages[2]
    );
}

#[tokio::test]
async fn an_ipv6_proxy_is_reached_and_written_in_brackets() {
    let fake = FakeProxy::start_on("[::1]:0", reply("HTTP/1.1 403 Forbidden\r\n\r\n"));
    let mut req = request(fake.port(), NO_TARGET, None);
    req.proxy_host = host("::1");

    let report = probe(&req).await;

    assert_eq!(
        report.diagnosis.code,
        DiagnosisCode::ProxyDenied,
        "{}",
        render_text(&report)
    );
    assert!(
        report.stages[1]
            .detail
            .en
            .contains(&format!("-> [::1]:{}", fake.port()))
    );
    let expected = format!(
        "curl -x 'http://[::1]:{}' -I https://127.0.0.1:9",
        fake.port()
    );
    assert_eq!(report.curl, expected);
}

/// Every stage of a probe that failed in any of these ways, and its diagnosis, as the
/// Chinese page says them: Chinese, no English sentence left in, and the summary quoting
/// the Chinese detail where the English summary quotes the English one.
#[tokio::test]
async fn every_stage_and_the_summary_are_said_in_chinese_whatever_failed() {
    let scripts = [
        ("403", reply("HTTP/1.1 403 Forbidden\r\n\r\n"), false),
        ("407 without credentials", Script::BasicAlwaysRejects, false),
        (
            "407 after reconnecting",
            Script::BasicRejectsAndCloses,
            true,
        ),
        ("NTLM only", Script::NtlmOnly, true),
        ("silent proxy", Script::Silent, false),
        ("not HTTP", Script::Garbage, false),
        ("endless headers", Script::EndlessHeaders, false),
        ("idle tunnel", Script::OkThenIdle, false),
        ("reset in the tunnel", Script::OkThenReset, false),
    ];
    let mut fakes = Vec::new();
    let mut cases = Vec::new();
    for (name, script, credentials) in scripts {
        let fake = FakeProxy::start(script);
        let mut req = request(fake.port(), NO_TARGET, None);
        if credentials {
            req = with_credentials(req, "u", "p");
        }
        cases.push((name, req));
        fakes.push(fake);
    }
    let mut targets = Vec::new();
    for (name, kind) in [
        ("unknown CA", CertKind::UnknownCa),
        ("expired certificate", CertKind::Expired),
        ("certificate for another name", CertKind::WrongName),
    ] {
        let target = TlsTarget::start(kind);
        let fake = FakeProxy::start(Script::Tunnel {
            head: "HTTP/1.1 200 Connection established\r\n\r\n".into(),
            to: target.addr,
        });
        let req = request(fake.port(), target.port(), Some(target.ca_file.clone()));
        cases.push((name, req));
        fakes.push(fake);
        targets.push(target);
    }
    cases.push((
        "refused port",
        request(support::squid::free_port(), NO_TARGET, None),
    ));
    // An invalid proxy or target name cannot reach the probe: a `Host` is checked where
    // it is parsed (the form, `-x`, `--target`), and those refusals are tested there.
    let mut req = request(support::squid::free_port(), NO_TARGET, None);
    req.proxy_host = host("nonexistent.invalid");
    cases.push(("unresolvable proxy name", req));

    let running: Vec<_> = cases
        .into_iter()
        .map(|(name, req)| tokio::spawn(async move { (name, probe(&req).await) }))
        .collect();
    for task in running {
        let (name, report) = task.await.unwrap();
        let walk = render_text(&report);
        assert!(!report.ok, "{name}: {walk}");
        for stage in &report.stages {
            let zh = stage.detail_in(Lang::ZhCn);
            assert_ne!(zh, stage.detail.en, "{name}: {} not translated", stage.name);
            assert_eq!(stage.detail_in(Lang::En), stage.detail.en);
            assert_chinese(&format!("{name}: the {} stage", stage.name), zh);
        }
        let failed = report.stages.last().expect("a stage ran");
        assert!(!failed.ok, "{name}: {walk}");
        let summary = report.diagnosis.summary_in(Lang::ZhCn);
        assert!(
            !summary.contains(&failed.detail.en),
            "{name}: the summary quotes the English detail: {summary}"
        );
        if report.diagnosis.summary.contains(&failed.detail.en) {
            assert!(
                summary.contains(failed.detail_in(Lang::ZhCn)),
                "{name}: the summary does not quote the Chinese detail: {summary}"
            );
        }
        assert_chinese(&format!("{name}: the summary"), &summary);
    }
    drop((fakes, targets));
}

/// Client writes the large-packet fakes still relay once the server has answered: more
/// than the TLS Finished and the small `HEAD`, less than the padded one.
const SMALL_WRITE: usize = 1200;

/// The MTU of `lo`, as the kernel says it.
fn loopback_mtu() -> String {
    std::fs::read_to_string("/sys/class/net/lo/mtu")
        .expect("lo's MTU")
        .trim()
        .to_owned()
}

/// The Cisco note's MTU case: the small `HEAD` passes, the padded one dies on the way.
async fn large_writes(fate: Fate) {
    let target = TlsTarget::start(CertKind::Good);
    let fake = FakeProxy::start(Script::LargeWrites {
        to: target.addr,
        over: SMALL_WRITE,
        fate,
    });
    let req = request(fake.port(), target.port(), Some(target.ca_file.clone()));

    let report = probe(&req).await;

    let walk = render_text(&report);
    assert_eq!(report.diagnosis.code, DiagnosisCode::MtuSuspected, "{walk}");
    assert_eq!(
        stages(&report),
        failed_at(StageName::LargeRequest),
        "{walk}"
    );
    assert_eq!(report.http.as_ref().map(|h| h.status), Some(302), "{walk}");
    let tcp = report.tcp.as_ref().expect("the tcp facts");
    assert!(tcp.mss > 0 && tcp.path_mtu > 0, "{tcp:?}");
    assert_eq!(tcp.interface.as_deref(), Some("lo"));
    let mtu = loopback_mtu();
    assert_eq!(tcp.interface_mtu.map(|m| m.to_string()), Some(mtu.clone()));
    for summary in [
        report.diagnosis.summary.clone(),
        report.diagnosis.summary_in(Lang::ZhCn),
    ] {
        assert!(
            summary.contains(" lo") && summary.contains(&mtu),
            "names lo and its MTU {mtu}: {summary}"
        );
        assert!(summary.contains(&tcp.mss.to_string()), "{summary}");
    }
    assert!(
        report.diagnosis.hint.contains("lo"),
        "{}",
        report.diagnosis.hint
    );
    // Said in Chinese too (the passed TLS stage quotes the test certificate's English CN,
    // and the verdict names `lo`, which the check takes for English: so the failed stage
    // is checked whole, the verdict by its Chinese words).
    let failed = report
        .stage(StageName::LargeRequest)
        .expect("the stage ran");
    assert_chinese("the large_request stage", failed.detail_in(Lang::ZhCn));
    let zh = report.diagnosis.summary_in(Lang::ZhCn);
    assert!(
        zh.contains("本设备通过 lo 访问代理") && zh.contains(failed.detail_in(Lang::ZhCn)),
        "{zh}"
    );
    let zh = report.diagnosis.hint_in(Lang::ZhCn);
    assert!(
        zh.contains(&format!("将 lo 的 MTU（当前为 {mtu}）")),
        "{zh}"
    );
    assert!(walk.contains("TCP to the proxy: MSS"), "{walk}");
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["tcp"]["interface"], "lo");
    assert!(json["tcp"]["mss"].as_u64().unwrap() > 0);
    drop((fake, target));
}

#[tokio::test]
async fn a_proxy_that_drops_large_writes_is_mtu_suspected_naming_the_interface_and_mtu() {
    large_writes(Fate::Dropped).await;
}

#[tokio::test]
async fn a_proxy_that_resets_on_large_writes_is_mtu_suspected_naming_the_interface_and_mtu() {
    large_writes(Fate::Reset).await;
}

/// The same fake with a bound above the padded request relays it: both requests answered.
#[tokio::test]
async fn a_path_that_passes_large_writes_is_ok_with_the_tcp_facts() {
    let target = TlsTarget::start(CertKind::Good);
    let fake = FakeProxy::start(Script::LargeWrites {
        to: target.addr,
        over: 1 << 20,
        fate: Fate::Reset,
    });
    let req = request(fake.port(), target.port(), Some(target.ca_file.clone()));

    let report = probe(&req).await;

    let walk = render_text(&report);
    assert_eq!(report.diagnosis.code, DiagnosisCode::Ok, "{walk}");
    assert_eq!(stages(&report), all_stages(), "{walk}");
    let large = report
        .stage(StageName::LargeRequest)
        .expect("the stage ran");
    assert!(large.detail.en.contains("padded to"), "{walk}");
    assert!(report.tcp.as_ref().is_some_and(|t| t.mss > 0), "{walk}");
    assert_eq!(
        (target.requests(), target.padded()),
        (1, 1),
        "one small, one padded"
    );
    drop((fake, target));
}

/// A server that closes after the small `HEAD` leaves no connection for the padded one:
/// the probe is `ok` with `large_request` not run, never a false `mtu_suspected`.
#[tokio::test]
async fn a_server_that_closes_after_its_answer_is_ok_without_the_large_request() {
    let target = TlsTarget::start(CertKind::Good);
    let fake = FakeProxy::start(Script::Tunnel {
        head: "HTTP/1.1 200 Connection established\r\n\r\n".into(),
        to: target.addr,
    });
    let mut req = request(fake.port(), target.port(), Some(target.ca_file.clone()));
    req.path = "/close".into();

    let report = probe(&req).await;

    let walk = render_text(&report);
    assert_eq!(report.diagnosis.code, DiagnosisCode::Ok, "{walk}");
    assert!(report.stage(StageName::LargeRequest).is_none(), "{walk}");
    assert!(walk.contains("not run: large_request"), "{walk}");
    assert_eq!((target.requests(), target.padded()), (1, 0));
    drop((fake, target));
}

/// The Chinese check above, checked.
#[test]
fn the_chinese_check_tells_english_sentences_from_technical_tokens() {
    assert!(
        english_words("已发送 CONNECT a.example:443 HTTP/1.1；HTTP/1.1 403 Forbidden").is_empty()
    );
    assert!(english_words("已发送 TLS close_notify，TLSv1.3 ClientHello 127.0.0.1:1").is_empty());
    assert!(english_words("应答开头为 \"SSH-2.0 is not http\\\" at all\"").is_empty());
    assert_eq!(
        english_words("连接失败：the proxy closed (os error 104)."),
        ["the", "proxy", "closed", "os", "error"]
    );
    assert_eq!(english_words("超时（within 1.0 s）"), ["within"]);
    assert!(english_words("代理应答 HTTP/1.1 200 Connection established，随后").is_empty());
    assert_eq!(
        english_words("已发送 CONNECT a:1 HTTP/1.1; the end"),
        ["the", "end"]
    );
}
