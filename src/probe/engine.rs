//! The thin async shell: runs the stages in order under their timeouts, records each one
//! as it completes, and turns the first failure into the report's diagnosis.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use rustls::pki_types::ServerName;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::mpsc::UnboundedSender;
use tokio::time::{Instant, timeout};
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use super::ProbeRequest;
use super::auth::Scheme;
use super::diagnosis::{Diagnosis, DiagnosisCode, Facts};
use super::download::{Body, DownloadFacts, End, bytes_per_sec, human_bytes, read_body};
use super::head::ResponseHead;
use super::hostport::authority;
use super::mtu::{Exchange, large_packet_verdict, large_request_size};
use super::report::{
    AuthReport, ConnectResponse, CurlFetch, Endpoint, HttpReport, Report, Stage, StageName,
    TcpReport, TlsReport, curl_command, millis,
};
use super::request::{get_request, head_request, padded_head_request};
use super::tls;
use super::transcript::{Direction, Link, Recorded, Recorder, WireKind};
use super::url::UrlScheme;
use super::wire::{HeadReadError, Prefixed, read_head};
use crate::locale::{Text, io_reason};

mod connect;
mod lookup;
mod reasons;
mod tunnel;

use reasons::{describe_connect_error, dns_reason};

/// The proxy socket, its traffic written into the transcript.
type Conn = Recorded<TcpStream>;
type Tunnel = TlsStream<Prefixed<Conn>>;

/// Grace after the whole-probe deadline before the safety net cuts a stage short.
const SAFETY_NET: Duration = Duration::from_millis(250);

/// Runs the probe. Never panics, never outlives `req.timeouts.total` by more than a moment;
/// each completed stage is also sent to `events`.
pub async fn run(req: &ProbeRequest, events: Option<UnboundedSender<Stage>>) -> Report {
    let mut probe = Probe::new(req, events);
    let limit = req.timeouts.total + SAFETY_NET;
    let outcome = match timeout(limit, probe.stages()).await {
        Ok(outcome) => outcome,
        Err(_) => Err(probe.cut_short()),
    };
    let (info, peer) = probe.early_tcp;
    let mut report = probe.finish(outcome);
    // A probe that stopped before large_request still says what the socket looked like
    // (a reset during the TLS handshake is the other large-packet case).
    if report.tcp.is_none() {
        report.tcp = super::mtu::tcp_report(info, peer).await;
    }
    report
}

struct Probe<'a> {
    req: &'a ProbeRequest,
    events: Option<UnboundedSender<Stage>>,
    started: Instant,
    deadline: Instant,
    current: StageName,
    current_start: Instant,
    last_limit: Duration,
    stages: Vec<Stage>,
    failure_detail: Option<Text>,
    auth: AuthReport,
    used: Option<Scheme>,
    status_line: Option<String>,
    connect_response: Option<ConnectResponse>,
    tls: Option<TlsReport>,
    http: Option<HttpReport>,
    tcp: Option<TcpReport>,
    /// The target's answer to the small `HEAD` leaves the connection open.
    server_keeps_alive: bool,
    /// `TCP_INFO` right after the TCP handshake, and the proxy's address.
    early_tcp: (Option<(u32, u32)>, Option<std::net::IpAddr>),
    /// The report's `wire`: every socket of the probe records into it.
    wire: Recorder,
    /// Plain HTTP: the proxy's answer head to the absolute-form request (a `GET`'s body
    /// follows it, for the download stage).
    plain_answer: Option<ResponseHead>,
    download: Option<DownloadFacts>,
}

impl<'a> Probe<'a> {
    fn new(req: &'a ProbeRequest, events: Option<UnboundedSender<Stage>>) -> Self {
        let started = Instant::now();
        Probe {
            req,
            events,
            started,
            deadline: started + req.timeouts.total,
            current: StageName::Resolve,
            current_start: started,
            last_limit: req.timeouts.connect.min(req.timeouts.total),
            stages: Vec::new(),
            failure_detail: None,
            auth: AuthReport::default(),
            used: None,
            status_line: None,
            connect_response: None,
            tls: None,
            http: None,
            tcp: None,
            server_keeps_alive: false,
            early_tcp: (None, None),
            wire: Recorder::new(started.into_std()),
            plain_answer: None,
            download: None,
        }
    }

    async fn stages(&mut self) -> Result<(), DiagnosisCode> {
        let addrs = self.resolve().await?;
        let stream = self.tcp_connect(&addrs).await?;
        let (stream, rest) = self.connect(stream, &addrs).await?;
        if self.req.scheme == UrlScheme::Http {
            // The proxy already answered the request itself: no tunnel, no TLS.
            let stream = match self.req.download {
                Some(max) => self.download_plain(stream, rest, max).await?,
                None => stream,
            };
            return self.close_plain(stream).await;
        }
        // The trust store is read only once the tunnel is open (a probe that fails before
        // never pays for it) and before the TLS stage starts, which then times the
        // handshake alone. The OS store is read once per process.
        let ca_file = self.req.ca_file.clone();
        let ca_certs = self.req.ca_certs.clone();
        let tls_client =
            tokio::task::spawn_blocking(move || tls::client(ca_file.as_deref(), &ca_certs))
                .await
                .unwrap_or_else(|e| Err(tls::TlsSetupError::Interrupted(e.to_string())));
        let tunnel = self.tls_handshake(tls_client, stream, rest).await?;
        let tunnel = self.https_request(tunnel).await?;
        // A server that ends the connection after its answer leaves no connection for the
        // padded request: the stage is not run rather than failed (no false MTU verdict).
        let tunnel = if self.server_keeps_alive {
            self.large_request(tunnel).await?
        } else {
            tunnel
        };
        let tunnel = match self.req.download {
            Some(max) => self.download(tunnel, max).await?,
            None => tunnel,
        };
        self.close(tunnel).await
    }

    // ---- bookkeeping -------------------------------------------------------------

    fn begin(&mut self, name: StageName) -> Instant {
        self.current = name;
        self.current_start = Instant::now();
        self.current_start
    }

    /// The limit for one operation: its own timeout, or what is left of the whole probe.
    fn budget(&mut self, own: Duration) -> Duration {
        let left = self.deadline.saturating_duration_since(Instant::now());
        self.last_limit = own.min(left);
        self.last_limit
    }

    /// The last limit applied, for "within …" (`probe-engine-s-s` and its whole-probe form).
    fn limit_text(&self) -> Text {
        let s = self.last_limit.as_secs_f64();
        let whole = self
            .deadline
            .saturating_duration_since(Instant::now())
            .is_zero();
        if whole {
            crate::locale::text(
                "probe-engine-s-s-the-whole-probe-limit",
                &[("s", crate::locale::Arg::same(&format!("{s:.1}")))],
            )
        } else {
            crate::locale::text(
                "probe-engine-s-s",
                &[("s", crate::locale::Arg::same(&format!("{s:.1}")))],
            )
        }
    }

    fn record(&mut self, name: StageName, t0: Instant, ok: bool, detail: Text) {
        if !ok {
            self.failure_detail = Some(detail.clone());
        }
        let stage = Stage::new(name, ok, millis(t0.elapsed()), detail);
        if let Some(tx) = &self.events {
            // The listener may have gone away; the report still has the stage.
            let _ = tx.send(stage.clone());
        }
        self.stages.push(stage);
    }

    fn fail<T>(
        &mut self,
        name: StageName,
        t0: Instant,
        code: DiagnosisCode,
        detail: Text,
    ) -> Result<T, DiagnosisCode> {
        self.record(name, t0, false, detail);
        Err(code)
    }

    /// The last limit passed while waiting: a transcript line, as tcpdump would show the
    /// silence before the probe gave up.
    fn timed_out(&self) {
        let limit = format!("{:.1} s", self.last_limit.as_secs_f64());
        self.wire.add(
            &Link::default(),
            Direction::Local,
            WireKind::Timeout,
            0,
            Some(limit),
        );
    }

    /// A response head that did not come in time is a timeout in the transcript too.
    fn head_timed_out(&self, e: &HeadReadError) {
        if matches!(e, HeadReadError::Timeout { .. }) {
            self.timed_out();
        }
    }

    /// The safety net fired: close the running stage as failed.
    fn cut_short(&mut self) -> DiagnosisCode {
        let code = match self.current {
            StageName::Resolve => DiagnosisCode::ProxyDnsFailed,
            StageName::TcpConnect => DiagnosisCode::ConnectTimeout,
            StageName::Connect => DiagnosisCode::ProxyNoResponse,
            StageName::TlsHandshake | StageName::HttpsRequest | StageName::Close => {
                DiagnosisCode::TunnelIdle
            }
            // The small request was answered; the large one never was.
            StageName::LargeRequest => DiagnosisCode::MtuSuspected,
            // The body was still coming (or not) when the whole-probe limit struck.
            StageName::Download => DiagnosisCode::TransferStalled,
        };
        let total = self.req.timeouts.total.as_secs_f64();
        let detail = crate::locale::text(
            "probe-engine-stopped-at-the-whole-probe-limit",
            &[("total", crate::locale::Arg::same(&format!("{total:.1}")))],
        );
        self.last_limit = self.req.timeouts.total;
        self.timed_out();
        let (name, t0) = (self.current, self.current_start);
        self.record(name, t0, false, detail);
        code
    }

    fn finish(self, outcome: Result<(), DiagnosisCode>) -> Report {
        let code = outcome.err().unwrap_or(DiagnosisCode::Ok);
        let proxy = Endpoint {
            host: self.req.proxy_host.to_string(),
            port: self.req.proxy_port.get(),
        };
        let target = Endpoint {
            host: self.req.target_host.to_string(),
            port: self.req.target_port.get(),
        };
        let facts = Facts {
            proxy: authority(&proxy.host, proxy.port),
            target: authority(&target.host, target.port),
            status_line: self.status_line.clone(),
            status: self.connect_response.as_ref().map(|r| r.status),
            offered: self.auth.offered.clone(),
            rounds: self.auth.rounds,
            issuer: self.tls.as_ref().and_then(|t| t.issuer.clone()),
            not_after: self.tls.as_ref().and_then(|t| t.not_after.clone()),
            detail: self.failure_detail.clone(),
            connect_timeout_s: self.last_limit.as_secs_f64(),
            read_timeout_s: self.last_limit.as_secs_f64(),
            mtu: self
                .tcp
                .as_ref()
                .and_then(|t| Some((t.interface.clone()?, t.interface_mtu?.to_string()))),
            mss: self.tcp.as_ref().map(|t| t.mss),
            path_mtu: self.tcp.as_ref().map(|t| t.path_mtu),
            plain_http: self.req.scheme == UrlScheme::Http,
            transferred: self.download.as_ref().map(|d| (d.bytes, d.expected)),
            advice: self.req.advice.clone(),
        };
        let fetch = match self.req.download {
            Some(_) => CurlFetch::Body,
            None => CurlFetch::Head,
        };
        let curl = curl_command(
            &proxy,
            &self.req.url(),
            self.req.username.as_deref(),
            self.used.map(Scheme::curl_flag),
            self.req.ca_file.as_deref(),
            fetch,
        );
        Report {
            ok: code == DiagnosisCode::Ok,
            diagnosis: Diagnosis::new(code, &facts),
            proxy,
            target,
            url: self.req.url().to_string(),
            auth: self.auth,
            stages: self.stages,
            connect_response: self.connect_response,
            tls: self.tls,
            http: self.http,
            tcp: self.tcp,
            wire: self.wire.events(),
            download: self.download,
            total_ms: millis(self.started.elapsed()),
            curl,
        }
    }

    // ---- stages ------------------------------------------------------------------

    async fn resolve(&mut self) -> Result<Vec<SocketAddr>, DiagnosisCode> {
        let t0 = self.begin(StageName::Resolve);
        let host = self.req.proxy_host.to_string();
        let port = self.req.proxy_port.get();
        if let Some(ip) = self.req.proxy_host.ip() {
            self.record(
                StageName::Resolve,
                t0,
                true,
                crate::locale::text(
                    "probe-engine-skipped-host-is-an-ip-address",
                    &[("host", crate::locale::Arg::same(&host))],
                ),
            );
            return Ok(vec![SocketAddr::new(ip, port)]);
        }
        let limit = self.budget(self.req.timeouts.connect);
        let name = host.clone();
        let lookup = tokio::task::spawn_blocking(move || lookup::lookup(&name, port));
        let found = timeout(limit, lookup).await.map(|joined| {
            // As tokio's lookup_host says a resolver task that did not finish.
            joined.unwrap_or_else(|_| {
                let e = io::Error::other("background task failed");
                Err(lookup::DnsError::System(e))
            })
        });
        match found {
            Ok(Ok(addrs)) => {
                if addrs.is_empty() {
                    return self.fail(
                        StageName::Resolve,
                        t0,
                        DiagnosisCode::ProxyDnsFailed,
                        crate::locale::text(
                            "probe-engine-host-has-no-address",
                            &[("host", crate::locale::Arg::same(&host))],
                        ),
                    );
                }
                let list: Vec<String> = addrs.iter().map(|a| a.ip().to_string()).collect();
                let list = list.join(", ");
                self.record(
                    StageName::Resolve,
                    t0,
                    true,
                    crate::locale::text(
                        "probe-engine-host-resolves-to-list",
                        &[
                            ("host", crate::locale::Arg::same(&host)),
                            ("list", crate::locale::Arg::same(&list)),
                        ],
                    ),
                );
                Ok(addrs)
            }
            Ok(Err(e)) => self.fail(
                StageName::Resolve,
                t0,
                DiagnosisCode::ProxyDnsFailed,
                crate::locale::text(
                    "probe-engine-host-why",
                    &[
                        ("host", crate::locale::Arg::same(&host)),
                        ("why", crate::locale::Arg::each(&dns_reason(&e))),
                    ],
                ),
            ),
            Err(_) => {
                self.timed_out();
                let detail = crate::locale::text(
                    "probe-engine-no-dns-answer-for-host-within",
                    &[
                        ("host", crate::locale::Arg::same(&host)),
                        ("limit", crate::locale::Arg::each(&self.limit_text())),
                    ],
                );
                self.fail(
                    StageName::Resolve,
                    t0,
                    DiagnosisCode::ProxyDnsFailed,
                    detail,
                )
            }
        }
    }

    async fn tcp_connect(&mut self, addrs: &[SocketAddr]) -> Result<Conn, DiagnosisCode> {
        let t0 = self.begin(StageName::TcpConnect);
        match self.open(addrs).await {
            Ok((stream, local, remote)) => {
                self.early_tcp = (super::mtu::tcp_info(stream.get_ref()), Some(remote.ip()));
                self.record(
                    StageName::TcpConnect,
                    t0,
                    true,
                    crate::locale::text(
                        "probe-engine-tcp-handshake-local-remote-done",
                        &[
                            ("local", crate::locale::Arg::same(&local)),
                            ("remote", crate::locale::Arg::same(&remote)),
                        ],
                    ),
                );
                Ok(stream)
            }
            Err((code, detail)) => self.fail(StageName::TcpConnect, t0, code, detail),
        }
    }

    /// Connects to the first address that answers.
    async fn open(
        &mut self,
        addrs: &[SocketAddr],
    ) -> Result<(Conn, SocketAddr, SocketAddr), (DiagnosisCode, Text)> {
        let mut errors = Vec::new();
        let mut code = DiagnosisCode::ProxyUnreachable;
        for addr in addrs {
            let limit = self.budget(self.req.timeouts.connect);
            if limit.is_zero() {
                code = DiagnosisCode::ConnectTimeout;
                errors.push(crate::locale::text(
                    "probe-engine-addr-not-tried-no-time-left",
                    &[("addr", crate::locale::Arg::same(&addr))],
                ));
                break;
            }
            match timeout(limit, TcpStream::connect(addr)).await {
                Ok(Ok(stream)) => {
                    // Small writes go out at once; failing to set it changes nothing else.
                    let _ = stream.set_nodelay(true);
                    let local = stream.local_addr().unwrap_or(*addr);
                    let link = Link::new(local, *addr);
                    self.wire
                        .add(&link, Direction::Out, WireKind::Connect, 0, None);
                    return Ok((self.wire.stream(stream, link), local, *addr));
                }
                Ok(Err(e)) => {
                    let link = Link {
                        local: None,
                        remote: Some(addr.to_string()),
                    };
                    let kind = format!("{:?}", e.kind());
                    self.wire.add(
                        &link,
                        Direction::Local,
                        WireKind::ConnectFailed,
                        0,
                        Some(kind),
                    );
                    code = match e.kind() {
                        io::ErrorKind::TimedOut => DiagnosisCode::ConnectTimeout,
                        _ => DiagnosisCode::ProxyUnreachable,
                    };
                    let why = describe_connect_error(&e);
                    // A proxy given as an IP address has only its own address, which the
                    // summary names already: said again it reads "at 127.0.0.1:1
                    // (127.0.0.1:1: connection refused (…))".
                    errors.push(if self.req.proxy_host.ip().is_some() {
                        why
                    } else {
                        crate::locale::text(
                            "probe-engine-addr-why",
                            &[
                                ("addr", crate::locale::Arg::same(&addr)),
                                ("why", crate::locale::Arg::each(&why)),
                            ],
                        )
                    });
                }
                Err(_) => {
                    self.timed_out();
                    code = DiagnosisCode::ConnectTimeout;
                    errors.push(crate::locale::text(
                        "probe-engine-addr-no-answer-to-the-syn",
                        &[
                            ("addr", crate::locale::Arg::same(&addr)),
                            ("limit", crate::locale::Arg::each(&self.limit_text())),
                        ],
                    ));
                }
            }
        }
        Err((code, crate::locale::join(&errors)))
    }

    async fn tls_handshake(
        &mut self,
        client: Result<tls::TlsClient, tls::TlsSetupError>,
        stream: Conn,
        rest: Vec<u8>,
    ) -> Result<Tunnel, DiagnosisCode> {
        let t0 = self.begin(StageName::TlsHandshake);
        let (config, seen) = match &client {
            Ok(c) => (c.config.clone(), c.seen.clone()),
            Err(e) => {
                let detail = e.text();
                return self.fail(
                    StageName::TlsHandshake,
                    t0,
                    DiagnosisCode::TlsFailed,
                    detail,
                );
            }
        };
        let name = match ServerName::try_from(self.req.target_host.to_string()) {
            Ok(n) => n,
            Err(e) => {
                let host = self.req.target_host.as_str();
                let why =
                    crate::locale::quoting(e.to_string(), "probe-engine-invalid-dns-name", &[]);
                let detail = crate::locale::text(
                    "probe-engine-not-a-tls-server-name",
                    &[
                        ("host", crate::locale::Arg::same(&format!("{host:?}"))),
                        ("why", crate::locale::Arg::each(&why)),
                    ],
                );
                return self.fail(
                    StageName::TlsHandshake,
                    t0,
                    DiagnosisCode::TlsFailed,
                    detail,
                );
            }
        };
        let limit = self.budget(self.req.timeouts.read);
        let connecting = TlsConnector::from(config).connect(name, Prefixed::new(rest, stream));
        match timeout(limit, connecting).await {
            Ok(Ok(tunnel)) => {
                let (report, detail) = handshake_facts(tunnel.get_ref().1);
                let link = tunnel.get_ref().0.get_ref().link().clone();
                let version = report.version.clone();
                self.wire
                    .add(&link, Direction::Local, WireKind::TlsHandshake, 0, version);
                self.tls = Some(report);
                self.record(StageName::TlsHandshake, t0, true, detail);
                Ok(tunnel)
            }
            Ok(Err(e)) => {
                let presented = seen.lock().ok().and_then(|slot| slot.clone());
                if let Some(facts) = presented.and_then(|c| tls::cert_facts(&c)) {
                    self.tls = Some(facts);
                }
                let rustls_error = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>());
                if let Some(rustls::Error::AlertReceived(alert)) = rustls_error {
                    let alert = Some(format!("{alert:?}"));
                    self.wire.add(
                        &Link::default(),
                        Direction::In,
                        WireKind::TlsAlert,
                        0,
                        alert,
                    );
                }
                let (code, detail) = match rustls_error {
                    Some(r) => (tls::classify(r), tls::describe(r)),
                    None if is_reset(&e) || e.kind() == io::ErrorKind::UnexpectedEof => (
                        DiagnosisCode::ConnectionReset,
                        crate::locale::text(
                            "probe-engine-the-tunnel-was-cut-during-the",
                            &[("why", crate::locale::Arg::each(&io_reason(&e)))],
                        ),
                    ),
                    None => (DiagnosisCode::TlsFailed, io_reason(&e)),
                };
                self.fail(StageName::TlsHandshake, t0, code, detail)
            }
            Err(_) => {
                self.timed_out();
                let detail = crate::locale::text(
                    "probe-engine-clienthello-sent-through-the-tunnel-no",
                    &[("limit", crate::locale::Arg::each(&self.limit_text()))],
                );
                self.fail(
                    StageName::TlsHandshake,
                    t0,
                    DiagnosisCode::TunnelIdle,
                    detail,
                )
            }
        }
    }

    async fn https_request(&mut self, mut tunnel: Tunnel) -> Result<Tunnel, DiagnosisCode> {
        let t0 = self.begin(StageName::HttpsRequest);
        let url = self.req.url();
        let request = head_request(&url);
        let sent_line = format!("HEAD {} HTTP/1.1", url.path);
        let limit = self.budget(self.req.timeouts.read);
        let sent = async {
            tunnel.write_all(request.as_bytes()).await?;
            tunnel.flush().await
        };
        match timeout(limit, sent).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                let code = io_code(&e, DiagnosisCode::TlsFailed);
                return self.fail(
                    StageName::HttpsRequest,
                    t0,
                    code,
                    crate::locale::text(
                        "probe-engine-head-could-not-be-sent-why",
                        &[("why", crate::locale::Arg::each(&io_reason(&e)))],
                    ),
                );
            }
            Err(_) => {
                self.timed_out();
                let detail = crate::locale::text(
                    "probe-engine-head-could-not-be-sent-within",
                    &[("limit", crate::locale::Arg::each(&self.limit_text()))],
                );
                return self.fail(
                    StageName::HttpsRequest,
                    t0,
                    DiagnosisCode::TunnelIdle,
                    detail,
                );
            }
        }
        let limit = self.budget(self.req.timeouts.read);
        match read_head(&mut tunnel, Vec::new(), limit).await {
            Ok((head, _)) => {
                let location = head.value("Location").map(str::to_string);
                let status = head.status_line();
                let detail = match &location {
                    Some(l) => crate::locale::text(
                        "probe-engine-head-status-location-l",
                        &[
                            ("l", crate::locale::Arg::same(&l)),
                            ("status", crate::locale::Arg::same(&status)),
                        ],
                    ),
                    None => crate::locale::text(
                        "probe-engine-head-status",
                        &[("status", crate::locale::Arg::same(&status))],
                    ),
                };
                self.http = Some(HttpReport {
                    status: head.status,
                    location,
                });
                self.server_keeps_alive = head.keeps_alive();
                self.record(StageName::HttpsRequest, t0, true, detail);
                Ok(tunnel)
            }
            Err(e) => {
                self.head_timed_out(&e);
                let server = crate::locale::text("probe-engine-the-server", &[]);
                let code = tunnel::tunnel_head_code(&e);
                let detail = self.head_failure(&sent_line, e, &server);
                self.fail(StageName::HttpsRequest, t0, code, detail)
            }
        }
    }

    /// The second `HEAD` on the same connection, padded past a full-size packet: lost or
    /// cut while the small one was answered, it is the MTU case. Also reads the socket's
    /// `TCP_INFO` and the interface toward the proxy for the report's `tcp`.
    async fn large_request(&mut self, mut tunnel: Tunnel) -> Result<Tunnel, DiagnosisCode> {
        let t0 = self.begin(StageName::LargeRequest);
        let socket = tunnel.get_ref().0.get_ref().get_ref();
        let info = super::mtu::tcp_info(socket);
        let peer = socket.peer_addr().ok().map(|a| a.ip());
        let request = padded_head_request(&self.req.url(), large_request_size(info.map(|i| i.0)));
        let size = request.len().to_string();
        let limit = self.budget(self.req.timeouts.read);
        let sent = async {
            tunnel.write_all(request.as_bytes()).await?;
            tunnel.flush().await
        };
        let (outcome, status, why) = match timeout(limit, sent).await {
            Ok(Ok(())) => {
                let limit = self.budget(self.req.timeouts.read);
                match read_head(&mut tunnel, Vec::new(), limit).await {
                    Ok((head, _)) => {
                        // The download that may follow needs the connection kept.
                        self.server_keeps_alive = head.keeps_alive();
                        (Exchange::Answered, Some(head.status_line()), None)
                    }
                    Err(e) => {
                        self.head_timed_out(&e);
                        (head_exchange(&e), None, head_error_text(e))
                    }
                }
            }
            Ok(Err(e)) => (write_exchange(&e), None, Some(io_reason(&e))),
            Err(_) => {
                self.timed_out();
                (Exchange::Stalled, None, None)
            }
        };
        // After the exchange, so the path MTU is what the kernel learned from it.
        let info = super::mtu::tcp_info(tunnel.get_ref().0.get_ref().get_ref()).or(info);
        let arg = crate::locale::Arg::same;
        let result = match (large_packet_verdict(Exchange::Answered, outcome), status) {
            (DiagnosisCode::Ok, Some(status)) => {
                let detail = crate::locale::text(
                    "probe-engine-large-head-status",
                    &[("size", arg(&size)), ("status", arg(&status))],
                );
                self.record(StageName::LargeRequest, t0, true, detail);
                Ok(tunnel)
            }
            (code, _) => {
                let detail = self.large_failure(&size, outcome, why);
                self.fail(StageName::LargeRequest, t0, code, detail)
            }
        };
        // Outside the stage's time: reading the routes is this host's work, not the path's.
        self.tcp = super::mtu::tcp_report(info, peer).await;
        result
    }

    /// What the large request's failure looked like, in both languages.
    fn large_failure(&self, size: &str, outcome: Exchange, why: Option<Text>) -> Text {
        let size = crate::locale::Arg::same(&size);
        match (outcome, why) {
            (Exchange::Stalled, _) => crate::locale::text(
                "probe-engine-large-head-no-answer-within",
                &[
                    ("size", size),
                    ("limit", crate::locale::Arg::each(&self.limit_text())),
                ],
            ),
            (_, Some(why)) => crate::locale::text(
                "probe-engine-large-head-failed-why",
                &[("size", size), ("why", crate::locale::Arg::each(&why))],
            ),
            (_, None) => crate::locale::text("probe-engine-large-head-closed", &[("size", size)]),
        }
    }

    /// The `download` stage through the tunnel: `GET` on the same connection, then the
    /// whole body up to `max` bytes. A server that ended the connection after its answer
    /// leaves none to download on: the stage says so and passes (the way out was proven).
    async fn download(&mut self, mut tunnel: Tunnel, max: u64) -> Result<Tunnel, DiagnosisCode> {
        let t0 = self.begin(StageName::Download);
        if !self.server_keeps_alive {
            let detail = crate::locale::text("probe-download-not-run-closed", &[]);
            self.record(StageName::Download, t0, true, detail);
            return Ok(tunnel);
        }
        let url = self.req.url();
        let sent_line = format!("GET {} HTTP/1.1", url.path);
        let limit = self.budget(self.req.timeouts.read);
        let sent = async {
            tunnel.write_all(get_request(&url).as_bytes()).await?;
            tunnel.flush().await
        };
        match timeout(limit, sent).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                let detail = crate::locale::text(
                    "probe-download-get-could-not-be-sent-why",
                    &[("why", crate::locale::Arg::each(&io_reason(&e)))],
                );
                let code = DiagnosisCode::ConnectionReset;
                return self.fail(StageName::Download, t0, code, detail);
            }
            Err(_) => {
                let detail = crate::locale::text(
                    "probe-download-get-could-not-be-sent-within",
                    &[("limit", crate::locale::Arg::each(&self.limit_text()))],
                );
                return self.fail(StageName::Download, t0, DiagnosisCode::TunnelIdle, detail);
            }
        }
        let limit = self.budget(self.req.timeouts.read);
        match read_head(&mut tunnel, Vec::new(), limit).await {
            Ok((head, rest)) => {
                self.read_download(t0, &url.path, &head, &rest, &mut tunnel, max)
                    .await?;
                Ok(tunnel)
            }
            Err(e) => {
                let server = crate::locale::text("probe-engine-the-server", &[]);
                let code = tunnel::tunnel_head_code(&e);
                let detail = self.head_failure(&sent_line, e, &server);
                self.fail(StageName::Download, t0, code, detail)
            }
        }
    }

    /// The `download` stage for plain HTTP: the proxy already answered the absolute-form
    /// `GET` in the connect stage; its body follows (`rest` holds its first bytes).
    async fn download_plain(
        &mut self,
        mut stream: Conn,
        rest: Vec<u8>,
        max: u64,
    ) -> Result<Conn, DiagnosisCode> {
        let t0 = self.begin(StageName::Download);
        if let Some(head) = self.plain_answer.take() {
            let target = self.req.url().to_string();
            self.read_download(t0, &target, &head, &rest, &mut stream, max)
                .await?;
        }
        Ok(stream)
    }

    /// Reads the body that follows `head` (its first bytes in `prefix`) up to `max` bytes,
    /// records the download's facts and the stage, and turns a body that did not come
    /// whole into `transfer_stalled` or `transfer_truncated`.
    /// `target` is the request-target as sent (`/path`, or the absolute URL for plain HTTP).
    async fn read_download(
        &mut self,
        t0: Instant,
        target: &str,
        head: &ResponseHead,
        prefix: &[u8],
        stream: &mut (impl tokio::io::AsyncRead + Unpin),
        max: u64,
    ) -> Result<(), DiagnosisCode> {
        let framing = super::download::framing(head);
        let mut body = Body::new(framing, max.max(1));
        let end = read_body(
            stream,
            prefix,
            &mut body,
            self.req.timeouts.read,
            self.deadline,
        )
        .await;
        let elapsed = t0.elapsed();
        let facts = DownloadFacts {
            status: head.status,
            bytes: body.bytes(),
            expected: framing.expected(),
            elapsed_ms: millis(elapsed),
            bytes_per_sec: bytes_per_sec(body.bytes(), elapsed),
            limited: matches!(end, End::Limited),
        };
        let arg = crate::locale::Arg::same;
        let status = crate::locale::text(
            "probe-download-get-status",
            &[("path", arg(&target)), ("status", arg(&head.status_line()))],
        );
        let received = super::diagnosis::received_text(body.bytes(), facts.expected);
        let pace = [
            ("status", crate::locale::Arg::each(&status)),
            ("bytes", arg(&facts.bytes)),
            ("human", arg(&human_bytes(facts.bytes))),
            ("secs", arg(&format!("{:.2}", elapsed.as_secs_f64()))),
            ("rate", arg(&human_bytes(facts.bytes_per_sec))),
        ];
        let with = |extra: (&'static str, crate::locale::Arg)| {
            vec![("status", crate::locale::Arg::each(&status)), extra]
        };
        let received_arg = || ("received", crate::locale::Arg::each(&received));
        self.download = Some(facts.clone());
        let (code, detail) = match end {
            End::Complete => {
                let id = match facts.expected {
                    Some(_) => "probe-download-read-of",
                    None => "probe-download-read",
                };
                let mut args: Vec<_> = pace.into_iter().collect();
                if let Some(expected) = facts.expected {
                    args.push(("expected", arg(&expected)));
                }
                let detail = crate::locale::text(id, &args);
                self.record(StageName::Download, t0, true, detail);
                return Ok(());
            }
            End::Limited => {
                let detail = crate::locale::text("probe-download-limited", &pace);
                self.record(StageName::Download, t0, true, detail);
                return Ok(());
            }
            End::Stalled { limit } => {
                self.last_limit = limit;
                let mut args = with(received_arg());
                args.push(("limit", crate::locale::Arg::each(&self.limit_text())));
                let detail = crate::locale::text("probe-download-stalled", &args);
                (DiagnosisCode::TransferStalled, detail)
            }
            End::Closed => {
                let detail = crate::locale::text("probe-download-closed", &with(received_arg()));
                (DiagnosisCode::TransferTruncated, detail)
            }
            End::Failed(e) => {
                let mut args = with(received_arg());
                args.push(("why", crate::locale::Arg::each(&io_reason(&e))));
                let detail = crate::locale::text("probe-download-failed", &args);
                (DiagnosisCode::TransferTruncated, detail)
            }
            End::Malformed(e) => {
                let mut args = with(received_arg());
                args.push(("why", arg(&e)));
                let detail = crate::locale::text("probe-download-malformed", &args);
                (DiagnosisCode::MalformedResponse, detail)
            }
        };
        self.fail(StageName::Download, t0, code, detail)
    }

    /// Plain HTTP: the answer is read, so the probe ends the connection with a FIN.
    async fn close_plain(&mut self, stream: Conn) -> Result<(), DiagnosisCode> {
        let said = (
            "probe-engine-tcp-fin-sent",
            "probe-engine-fin-could-not-be-sent",
        );
        self.close_with(stream, said).await
    }

    /// Through the tunnel: TLS close_notify, then the TCP FIN.
    async fn close(&mut self, tunnel: Tunnel) -> Result<(), DiagnosisCode> {
        let said = (
            "probe-engine-tls-close-notify-sent-then-tcp",
            "probe-engine-close-notify-could-not-be-sent",
        );
        self.close_with(tunnel, said).await
    }

    /// The `close` stage on `stream`; `said` names the messages for "sent" and "could not
    /// be sent in time".
    async fn close_with(
        &mut self,
        mut stream: impl tokio::io::AsyncWrite + Unpin,
        (sent, not_sent): (&str, &str),
    ) -> Result<(), DiagnosisCode> {
        let t0 = self.begin(StageName::Close);
        let limit = self.budget(self.req.timeouts.read);
        match timeout(limit, stream.shutdown()).await {
            Ok(Ok(())) => {
                self.record(StageName::Close, t0, true, crate::locale::text(sent, &[]));
                Ok(())
            }
            // The server may close first after its answer; the way out was proven.
            Ok(Err(e)) if is_reset(&e) || e.kind() == io::ErrorKind::NotConnected => {
                let detail = crate::locale::text(
                    "probe-engine-the-server-had-already-closed-the",
                    &[("why", crate::locale::Arg::each(&io_reason(&e)))],
                );
                self.record(StageName::Close, t0, true, detail);
                Ok(())
            }
            Ok(Err(e)) => self.fail(
                StageName::Close,
                t0,
                DiagnosisCode::ConnectionReset,
                crate::locale::text(
                    "probe-engine-closing-failed-why",
                    &[("why", crate::locale::Arg::each(&io_reason(&e)))],
                ),
            ),
            Err(_) => {
                self.timed_out();
                let detail = crate::locale::text(
                    not_sent,
                    &[("limit", crate::locale::Arg::each(&self.limit_text()))],
                );
                self.fail(StageName::Close, t0, DiagnosisCode::TunnelIdle, detail)
            }
        }
    }
}

/// What the handshake settled (version, cipher, the server's certificate) and how the
/// stage says it.
fn handshake_facts(conn: &rustls::ClientConnection) -> (TlsReport, Text) {
    let mut report = conn
        .peer_certificates()
        .and_then(|certs| certs.first())
        .and_then(|c| tls::cert_facts(c))
        .unwrap_or_default();
    report.version = conn.protocol_version().map(tls::version_name);
    report.cipher = conn.negotiated_cipher_suite().map(tls::cipher_name);
    let version = report.version.as_deref().unwrap_or("TLS");
    let cipher = match &report.cipher {
        Some(c) => Text::same(c),
        None => crate::locale::text("probe-engine-unknown-cipher", &[]),
    };
    let subject = report.subject.as_deref().unwrap_or("?");
    let issuer = report.issuer.as_deref().unwrap_or("?");
    let not_after = report.not_after.as_deref().unwrap_or("?");
    let detail = crate::locale::text(
        "probe-engine-version-cipher-subject-subject-issuer-issuer",
        &[
            ("cipher", crate::locale::Arg::each(&cipher)),
            ("issuer", crate::locale::Arg::same(&issuer)),
            ("not_after", crate::locale::Arg::same(&not_after)),
            ("subject", crate::locale::Arg::same(&subject)),
            ("version", crate::locale::Arg::same(&version)),
        ],
    );
    (report, detail)
}

/// A failed write of the large request: a reset, or a connection already gone.
fn write_exchange(e: &io::Error) -> Exchange {
    if is_reset(e) {
        Exchange::Reset
    } else {
        Exchange::Closed
    }
}

/// A failed read of the large request's answer, as the verdict sees it.
fn head_exchange(e: &HeadReadError) -> Exchange {
    match e {
        HeadReadError::Timeout { .. } => Exchange::Stalled,
        HeadReadError::Closed { .. } => Exchange::Closed,
        HeadReadError::Io { error, .. } if is_reset(error) => Exchange::Reset,
        HeadReadError::Io { .. } => Exchange::Closed,
        HeadReadError::Malformed { .. } => Exchange::Malformed,
    }
}

/// The words for a failed read (a timeout is said with its limit by the caller).
fn head_error_text(e: HeadReadError) -> Option<Text> {
    match e {
        HeadReadError::Io { error, .. } => Some(io_reason(&error)),
        HeadReadError::Malformed { error, .. } => Some(error.text()),
        HeadReadError::Timeout { .. } | HeadReadError::Closed { .. } => None,
    }
}

/// Resets and aborts (the peer or something in the path cut the connection).
pub(crate) fn is_reset(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
    )
}

pub(crate) fn io_code(e: &io::Error, otherwise: DiagnosisCode) -> DiagnosisCode {
    if is_reset(e) {
        DiagnosisCode::ConnectionReset
    } else {
        otherwise
    }
}
