//! The thin async shell: runs the stages in order under their timeouts, records each one
//! as it completes, and turns the first failure into the report's diagnosis.

use std::io;
use std::net::{IpAddr, SocketAddr};
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
use super::hostport::{authority, is_valid_host};
use super::report::{
    AuthReport, ConnectResponse, Endpoint, HttpReport, Report, Stage, StageName, TlsReport,
    curl_line, millis,
};
use super::request::head_request;
use super::tls;
use super::wire::{Prefixed, read_head};

mod connect;

type Tunnel = TlsStream<Prefixed<TcpStream>>;

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
    probe.finish(outcome)
}

struct Probe<'a> {
    req: &'a ProbeRequest,
    proxy_host: String,
    events: Option<UnboundedSender<Stage>>,
    started: Instant,
    deadline: Instant,
    current: StageName,
    current_start: Instant,
    last_limit: Duration,
    stages: Vec<Stage>,
    failure_detail: Option<String>,
    auth: AuthReport,
    used: Option<Scheme>,
    status_line: Option<String>,
    connect_response: Option<ConnectResponse>,
    tls: Option<TlsReport>,
    http: Option<HttpReport>,
}

impl<'a> Probe<'a> {
    fn new(req: &'a ProbeRequest, events: Option<UnboundedSender<Stage>>) -> Self {
        let started = Instant::now();
        let proxy_host = req
            .proxy_host
            .trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        Probe {
            req,
            proxy_host,
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
        }
    }

    async fn stages(&mut self) -> Result<(), DiagnosisCode> {
        let addrs = self.resolve().await?;
        let stream = self.tcp_connect(&addrs).await?;
        let (stream, rest) = self.connect(stream, &addrs).await?;
        // The trust store is read only once the tunnel is open (a probe that fails before
        // never pays for it) and before the TLS stage starts, which then times the
        // handshake alone. The OS store is read once per process.
        let ca_file = self.req.ca_file.clone();
        let tls_client = tokio::task::spawn_blocking(move || tls::client(ca_file.as_deref()))
            .await
            .unwrap_or_else(|e| Err(tls::TlsSetupError::Interrupted(e.to_string())));
        let tunnel = self.tls_handshake(tls_client, stream, rest).await?;
        let tunnel = self.https_request(tunnel).await?;
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

    fn limit_text(&self) -> String {
        let s = self.last_limit.as_secs_f64();
        let whole = self
            .deadline
            .saturating_duration_since(Instant::now())
            .is_zero();
        if whole {
            format!("{s:.1} s (the whole-probe limit)")
        } else {
            format!("{s:.1} s")
        }
    }

    fn record(&mut self, name: StageName, t0: Instant, ok: bool, detail: String) {
        if !ok {
            self.failure_detail = Some(detail.clone());
        }
        let stage = Stage {
            name,
            ok,
            elapsed_ms: millis(t0.elapsed()),
            detail,
        };
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
        detail: String,
    ) -> Result<T, DiagnosisCode> {
        self.record(name, t0, false, detail);
        Err(code)
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
        };
        let detail = format!(
            "stopped at the whole-probe limit of {:.1} s",
            self.req.timeouts.total.as_secs_f64()
        );
        self.last_limit = self.req.timeouts.total;
        let (name, t0) = (self.current, self.current_start);
        self.record(name, t0, false, detail);
        code
    }

    fn finish(self, outcome: Result<(), DiagnosisCode>) -> Report {
        let code = outcome.err().unwrap_or(DiagnosisCode::Ok);
        let proxy = Endpoint {
            host: self.proxy_host.clone(),
            port: self.req.proxy_port,
        };
        let target = Endpoint {
            host: self.req.target_host.clone(),
            port: self.req.target_port,
        };
        let facts = Facts {
            proxy: authority(&proxy.host, proxy.port),
            target: authority(&target.host, target.port),
            status_line: self.status_line.clone(),
            offered: self.auth.offered.clone(),
            rounds: self.auth.rounds,
            issuer: self.tls.as_ref().and_then(|t| t.issuer.clone()),
            not_after: self.tls.as_ref().and_then(|t| t.not_after.clone()),
            detail: self.failure_detail.clone(),
            connect_timeout_s: self.last_limit.as_secs_f64(),
            read_timeout_s: self.last_limit.as_secs_f64(),
            mtu: None,
        };
        let curl = curl_line(
            &proxy,
            &target,
            self.req.username.as_deref(),
            self.used.map(Scheme::curl_flag),
            self.req.ca_file.as_deref(),
        );
        Report {
            ok: code == DiagnosisCode::Ok,
            diagnosis: Diagnosis::new(code, &facts),
            proxy,
            target,
            auth: self.auth,
            stages: self.stages,
            connect_response: self.connect_response,
            tls: self.tls,
            http: self.http,
            total_ms: millis(self.started.elapsed()),
            curl,
        }
    }

    // ---- stages ------------------------------------------------------------------

    async fn resolve(&mut self) -> Result<Vec<SocketAddr>, DiagnosisCode> {
        let t0 = self.begin(StageName::Resolve);
        let host = self.proxy_host.clone();
        let port = self.req.proxy_port;
        if let Ok(ip) = host.parse::<IpAddr>() {
            self.record(
                StageName::Resolve,
                t0,
                true,
                format!("skipped: {host} is an IP address"),
            );
            return Ok(vec![SocketAddr::new(ip, port)]);
        }
        if !is_valid_host(&host) {
            return self.fail(
                StageName::Resolve,
                t0,
                DiagnosisCode::ProxyDnsFailed,
                format!("{host:?} is not a valid host name"),
            );
        }
        let limit = self.budget(self.req.timeouts.connect);
        match timeout(limit, tokio::net::lookup_host((host.as_str(), port))).await {
            Ok(Ok(found)) => {
                let addrs: Vec<SocketAddr> = found.collect();
                if addrs.is_empty() {
                    return self.fail(
                        StageName::Resolve,
                        t0,
                        DiagnosisCode::ProxyDnsFailed,
                        format!("{host} has no address"),
                    );
                }
                let list: Vec<String> = addrs.iter().map(|a| a.ip().to_string()).collect();
                self.record(
                    StageName::Resolve,
                    t0,
                    true,
                    format!("{host} resolves to {}", list.join(", ")),
                );
                Ok(addrs)
            }
            Ok(Err(e)) => self.fail(
                StageName::Resolve,
                t0,
                DiagnosisCode::ProxyDnsFailed,
                format!("{host}: {e}"),
            ),
            Err(_) => {
                let detail = format!("no DNS answer for {host} within {}", self.limit_text());
                self.fail(
                    StageName::Resolve,
                    t0,
                    DiagnosisCode::ProxyDnsFailed,
                    detail,
                )
            }
        }
    }

    async fn tcp_connect(&mut self, addrs: &[SocketAddr]) -> Result<TcpStream, DiagnosisCode> {
        let t0 = self.begin(StageName::TcpConnect);
        match self.open(addrs).await {
            Ok((stream, local, remote)) => {
                self.record(
                    StageName::TcpConnect,
                    t0,
                    true,
                    format!("TCP handshake {local} -> {remote} done"),
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
    ) -> Result<(TcpStream, SocketAddr, SocketAddr), (DiagnosisCode, String)> {
        let mut errors = Vec::new();
        let mut code = DiagnosisCode::ProxyUnreachable;
        for addr in addrs {
            let limit = self.budget(self.req.timeouts.connect);
            if limit.is_zero() {
                code = DiagnosisCode::ConnectTimeout;
                errors.push(format!("{addr}: not tried, no time left"));
                break;
            }
            match timeout(limit, TcpStream::connect(addr)).await {
                Ok(Ok(stream)) => {
                    // Small writes go out at once; failing to set it changes nothing else.
                    let _ = stream.set_nodelay(true);
                    let local = stream.local_addr().unwrap_or(*addr);
                    return Ok((stream, local, *addr));
                }
                Ok(Err(e)) => {
                    code = match e.kind() {
                        io::ErrorKind::TimedOut => DiagnosisCode::ConnectTimeout,
                        _ => DiagnosisCode::ProxyUnreachable,
                    };
                    errors.push(format!("{addr}: {}", describe_connect_error(&e)));
                }
                Err(_) => {
                    code = DiagnosisCode::ConnectTimeout;
                    errors.push(format!(
                        "{addr}: no answer to the SYN within {}",
                        self.limit_text()
                    ));
                }
            }
        }
        Err((code, errors.join("; ")))
    }

    async fn tls_handshake(
        &mut self,
        client: Result<tls::TlsClient, tls::TlsSetupError>,
        stream: TcpStream,
        rest: Vec<u8>,
    ) -> Result<Tunnel, DiagnosisCode> {
        let t0 = self.begin(StageName::TlsHandshake);
        let (config, seen) = match &client {
            Ok(c) => (c.config.clone(), c.seen.clone()),
            Err(e) => {
                let detail = e.to_string();
                return self.fail(
                    StageName::TlsHandshake,
                    t0,
                    DiagnosisCode::TlsFailed,
                    detail,
                );
            }
        };
        let name = match ServerName::try_from(self.req.target_host.clone()) {
            Ok(n) => n,
            Err(e) => {
                let detail = format!("{:?} is not a TLS server name: {e}", self.req.target_host);
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
                let (_, conn) = tunnel.get_ref();
                let mut report = conn
                    .peer_certificates()
                    .and_then(|certs| certs.first())
                    .and_then(|c| tls::cert_facts(c))
                    .unwrap_or_default();
                report.version = conn.protocol_version().map(tls::version_name);
                report.cipher = conn.negotiated_cipher_suite().map(tls::cipher_name);
                let detail = format!(
                    "{} {}; subject {}; issuer {}; valid until {}",
                    report.version.as_deref().unwrap_or("TLS"),
                    report.cipher.as_deref().unwrap_or("(unknown cipher)"),
                    report.subject.as_deref().unwrap_or("?"),
                    report.issuer.as_deref().unwrap_or("?"),
                    report.not_after.as_deref().unwrap_or("?"),
                );
                self.tls = Some(report);
                self.record(StageName::TlsHandshake, t0, true, detail);
                Ok(tunnel)
            }
            Ok(Err(e)) => {
                let presented = seen.lock().ok().and_then(|slot| slot.clone());
                if let Some(facts) = presented.and_then(|c| tls::cert_facts(&c)) {
                    self.tls = Some(facts);
                }
                let (code, detail) =
                    match e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
                        Some(r) => (tls::classify(r), tls::describe(r)),
                        None if is_reset(&e) || e.kind() == io::ErrorKind::UnexpectedEof => (
                            DiagnosisCode::ConnectionReset,
                            format!("the tunnel was cut during the TLS handshake: {e}"),
                        ),
                        None => (DiagnosisCode::TlsFailed, e.to_string()),
                    };
                self.fail(StageName::TlsHandshake, t0, code, detail)
            }
            Err(_) => {
                let detail = format!(
                    "ClientHello sent through the tunnel; no TLS answer within {}",
                    self.limit_text()
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
        let request = head_request(&self.req.target_host, self.req.target_port);
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
                    format!("HEAD / could not be sent: {e}"),
                );
            }
            Err(_) => {
                let detail = format!("HEAD / could not be sent within {}", self.limit_text());
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
                let mut detail = format!("HEAD / -> {}", head.status_line());
                if let Some(l) = &location {
                    detail.push_str(&format!("; Location: {l}"));
                }
                self.http = Some(HttpReport {
                    status: head.status,
                    location,
                });
                self.record(StageName::HttpsRequest, t0, true, detail);
                Ok(tunnel)
            }
            Err(e) => {
                let (code, detail) = match self.head_failure("HEAD /", e, "the server") {
                    (DiagnosisCode::ProxyNoResponse, d) if d.contains("closed") => {
                        (DiagnosisCode::ConnectionReset, d)
                    }
                    (DiagnosisCode::ProxyNoResponse, d) => (DiagnosisCode::TunnelIdle, d),
                    other => other,
                };
                self.fail(StageName::HttpsRequest, t0, code, detail)
            }
        }
    }

    async fn close(&mut self, mut tunnel: Tunnel) -> Result<(), DiagnosisCode> {
        let t0 = self.begin(StageName::Close);
        let limit = self.budget(self.req.timeouts.read);
        match timeout(limit, tunnel.shutdown()).await {
            Ok(Ok(())) => {
                self.record(
                    StageName::Close,
                    t0,
                    true,
                    "TLS close_notify sent, then TCP FIN".to_string(),
                );
                Ok(())
            }
            Ok(Err(e)) if is_reset(&e) || e.kind() == io::ErrorKind::NotConnected => {
                let detail = format!("the server had already closed the connection ({e})");
                self.record(StageName::Close, t0, true, detail);
                Ok(())
            }
            Ok(Err(e)) => self.fail(
                StageName::Close,
                t0,
                DiagnosisCode::ConnectionReset,
                format!("closing failed: {e}"),
            ),
            Err(_) => {
                let detail = format!(
                    "close_notify could not be sent within {}",
                    self.limit_text()
                );
                self.fail(StageName::Close, t0, DiagnosisCode::TunnelIdle, detail)
            }
        }
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

fn describe_connect_error(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => {
            "connection refused (nothing listens there, or a firewall rejects it)".to_string()
        }
        io::ErrorKind::HostUnreachable => "host unreachable".to_string(),
        io::ErrorKind::NetworkUnreachable => "network unreachable (no route)".to_string(),
        _ => e.to_string(),
    }
}
