//! The connect stage's I/O: sends the CONNECT, reads the answers, reads through a 407's
//! body or reopens the connection between auth rounds, all under the timeouts, and says
//! each step in the stage's detail. What to do next is decided by [`super::tunnel`].

use std::net::SocketAddr;

use tokio::io::AsyncWriteExt;
use tokio::time::{Instant, timeout};

use super::tunnel::{AuthStop, Exchange, Failure, State, Step};
use super::{Conn, Probe};
use crate::locale::{Text, io_reason};
use crate::probe::diagnosis::{DiagnosisCode, offered_in};
use crate::probe::head::{MAX_HEAD_BYTES, ResponseHead};
use crate::probe::hostport::authority;
use crate::probe::report::{ConnectResponse, HttpReport, StageName};
use crate::probe::request::{
    absolute_line_with, absolute_request_with, connect_line, connect_request,
};
use crate::probe::transcript::{Direction, Link, WireKind};
use crate::probe::url::UrlScheme;
use crate::probe::wire::{HeadReadError, discard_body, read_head};

/// The connection and what the stage has to say so far.
struct Walk {
    t0: Instant,
    /// `CONNECT host:port HTTP/1.1`, as the details quote it.
    line: String,
    stream: Conn,
    /// Bytes read past the last head (the tunnel's first bytes once it opens).
    leftover: Vec<u8>,
    /// What earlier rounds did, said before the stage's last word.
    notes: Vec<Text>,
}

impl Probe<'_> {
    /// Drives the exchange until the tunnel opens (its stream and the bytes already read
    /// from it) or the stage fails (its code; the stage is recorded).
    pub(super) async fn connect(
        &mut self,
        stream: Conn,
        addrs: &[SocketAddr],
    ) -> Result<(Conn, Vec<u8>), DiagnosisCode> {
        let t0 = self.begin(StageName::Connect);
        let req = self.req;
        let (host, port) = (req.target_host.as_str(), req.target_port.get());
        let credentials = match (&req.username, &req.password) {
            (Some(user), Some(password)) => Some((user.as_str(), password)),
            _ => None,
        };
        let (line, mut x) = match req.scheme {
            UrlScheme::Https => (
                connect_line(host, port),
                Exchange::new(authority(host, port), credentials),
            ),
            UrlScheme::Http => {
                let url = req.url();
                // Downloading, the one request to the proxy is the GET whose body the
                // download stage reads (SPEC §6: `GET` with `--download`).
                let x = match req.download {
                    Some(_) => Exchange::plain_http_get(url.to_string(), credentials),
                    None => Exchange::plain_http(url.to_string(), credentials),
                };
                (absolute_line_with(x.method(), &url), x)
            }
        };
        let mut walk = Walk {
            t0,
            line,
            stream,
            leftover: Vec::new(),
            notes: Vec::new(),
        };
        loop {
            match x.state() {
                State::Connect => self.send(&mut x, &mut walk).await,
                State::Receive => self.receive(&mut x, &mut walk).await,
                State::Response { body } => self.read_through(&mut x, &mut walk, body).await,
                State::Reconnect => self.reconnect(&mut x, &mut walk, addrs).await,
                State::Established => return Ok((walk.stream, walk.leftover)),
                State::Failed(code) => return Err(code),
            }
        }
    }

    /// CONNECT (or, for plain HTTP, the absolute-form HEAD): writes the request (with the
    /// current answer) within the read timeout.
    async fn send(&mut self, x: &mut Exchange<'_>, w: &mut Walk) {
        let request = match self.req.scheme {
            UrlScheme::Https => connect_request(
                self.req.target_host.as_str(),
                self.req.target_port.get(),
                x.authorization(),
            ),
            UrlScheme::Http => {
                absolute_request_with(x.method(), &self.req.url(), x.authorization())
            }
        };
        let limit = self.budget(self.req.timeouts.read);
        let line = &w.line;
        let detail = match timeout(limit, w.stream.write_all(request.as_bytes())).await {
            Ok(Ok(())) => return x.sent(),
            Ok(Err(e)) => {
                if x.send_failed(Some(&e)) == State::Reconnect {
                    w.notes.push(crate::locale::text(
                        "probe-connect-the-kept-alive-connection-failed-why",
                        &[("why", crate::locale::Arg::each(&io_reason(&e)))],
                    ));
                    return;
                }
                crate::locale::text(
                    "probe-connect-line-could-not-be-sent-why",
                    &[
                        ("line", crate::locale::Arg::same(&line)),
                        ("why", crate::locale::Arg::each(&io_reason(&e))),
                    ],
                )
            }
            Err(_) => {
                self.timed_out();
                x.send_failed(None);
                crate::locale::text(
                    "probe-connect-line-could-not-be-sent-within",
                    &[
                        ("limit", crate::locale::Arg::each(&self.limit_text())),
                        ("line", crate::locale::Arg::same(&line)),
                    ],
                )
            }
        };
        self.record(StageName::Connect, w.t0, false, detail);
    }

    /// RECEIVE: reads one response head and acts on what the exchange makes of it.
    async fn receive(&mut self, x: &mut Exchange<'_>, w: &mut Walk) {
        let limit = self.budget(self.req.timeouts.read);
        let head = match read_head(&mut w.stream, std::mem::take(&mut w.leftover), limit).await {
            Ok((head, rest)) => {
                w.leftover = rest;
                head
            }
            Err(e) => {
                self.head_timed_out(&e);
                if x.receive_failed(&e) == State::Reconnect {
                    w.notes.push(crate::locale::text(
                        "probe-connect-the-proxy-closed-the-kept-alive",
                        &[],
                    ));
                } else {
                    let proxy = crate::locale::text("probe-connect-the-proxy", &[]);
                    let detail = with_notes(self.head_failure(&w.line, e, &proxy), &w.notes);
                    self.record(StageName::Connect, w.t0, false, detail);
                }
                return;
            }
        };
        let status_line = self.note_response(&head, w.stream.link());
        let step = x.next_step(&head);
        self.auth.offered = x.offered().to_vec();
        match step {
            Step::Interim => {}
            Step::Established => {
                if self.req.scheme == UrlScheme::Http {
                    // The origin's answer, relayed by the proxy.
                    self.http = Some(HttpReport {
                        status: head.status,
                        location: head.value("Location").map(str::to_string),
                    });
                    // A GET's body follows this head: the download stage reads it.
                    self.plain_answer = Some(head.clone());
                }
                let detail = with_notes(answered(&w.line, &status_line), &w.notes);
                self.record(StageName::Connect, w.t0, true, detail);
            }
            Step::Answered {
                scheme,
                round,
                offered,
            } => {
                self.used = Some(scheme);
                self.auth.used = Some(scheme.report_name().to_string());
                self.auth.rounds = round;
                let said = offer(&w.line, &status_line, &offered);
                let scheme = scheme.describe();
                w.notes.push(crate::locale::text(
                    "probe-connect-said-answered-with-scheme-round-round",
                    &[
                        ("round", crate::locale::Arg::same(&round)),
                        ("said", crate::locale::Arg::each(&said)),
                        ("scheme", crate::locale::Arg::same(&scheme)),
                    ],
                ));
                if x.state() == State::Reconnect {
                    w.notes.push(not_kept());
                }
            }
            Step::Failed(failure) => {
                let detail = failure_detail(&w.line, &status_line, &failure);
                self.record(
                    StageName::Connect,
                    w.t0,
                    false,
                    with_notes(detail, &w.notes),
                );
            }
        }
    }

    /// The status line and the answer as the report shows them (the last one read wins).
    fn note_response(&mut self, head: &ResponseHead, link: &Link) -> String {
        let status_line = head.status_line();
        // The status line only: the rest of the head may quote the request's headers.
        let said = Some(status_line.clone());
        self.wire
            .add(link, Direction::In, WireKind::ResponseHead, 0, said);
        self.status_line = Some(status_line.clone());
        self.connect_response = Some(ConnectResponse {
            status: head.status,
            reason: head.reason.clone(),
            headers: head.headers.clone(),
        });
        status_line
    }

    /// RESPONSE: reads through a challenge's body to keep the connection for the next round.
    async fn read_through(&mut self, x: &mut Exchange<'_>, w: &mut Walk, body: u64) {
        let limit = self.budget(self.req.timeouts.read);
        let kept = discard_body(&mut w.stream, std::mem::take(&mut w.leftover), body, limit).await;
        x.drained(kept.is_some());
        match kept {
            Some(rest) => w.leftover = rest,
            None => w.notes.push(not_kept()),
        }
    }

    /// RECONNECT: a new TCP connection to the proxy for the next round.
    async fn reconnect(&mut self, x: &mut Exchange<'_>, w: &mut Walk, addrs: &[SocketAddr]) {
        // Bytes from the old connection are no part of the new one.
        w.leftover.clear();
        match self.open(addrs).await {
            Ok((stream, local, remote)) => {
                w.notes.push(crate::locale::text(
                    "probe-connect-reconnected-local-remote",
                    &[
                        ("local", crate::locale::Arg::same(&local)),
                        ("remote", crate::locale::Arg::same(&remote)),
                    ],
                ));
                w.stream = stream;
                x.reconnected(None);
            }
            Err((code, detail)) => {
                let detail = with_notes(
                    crate::locale::text(
                        "probe-connect-reconnecting-failed-detail",
                        &[("detail", crate::locale::Arg::each(&detail))],
                    ),
                    &w.notes,
                );
                self.record(StageName::Connect, w.t0, false, detail);
                x.reconnected(Some(code));
            }
        }
    }

    /// Words for a response head that did not come from `who` (the code is decided by
    /// [`super::tunnel`] from the same error).
    pub(super) fn head_failure(&self, sent: &str, e: HeadReadError, who: &Text) -> Text {
        match e {
            HeadReadError::Timeout { received } => crate::locale::text(
                "probe-connect-sent-sent-received-byte-s-back",
                &[
                    ("limit", crate::locale::Arg::each(&self.limit_text())),
                    ("received", crate::locale::Arg::same(&received)),
                    ("sent", crate::locale::Arg::same(&sent)),
                ],
            ),
            HeadReadError::Closed { received } => crate::locale::text(
                "probe-connect-sent-sent-who-closed-the-connection",
                &[
                    ("received", crate::locale::Arg::same(&received)),
                    ("sent", crate::locale::Arg::same(&sent)),
                    ("who", crate::locale::Arg::each(who)),
                ],
            ),
            HeadReadError::Io { error, received } => crate::locale::text(
                "probe-connect-sent-sent-why-after-received-byte",
                &[
                    ("received", crate::locale::Arg::same(&received)),
                    ("sent", crate::locale::Arg::same(&sent)),
                    ("why", crate::locale::Arg::each(&io_reason(&error))),
                ],
            ),
            HeadReadError::Malformed {
                error,
                received,
                held,
            } => crate::locale::text(
                "probe-connect-sent-sent-why-received-byte-s",
                &[
                    ("max_head_bytes", crate::locale::Arg::same(&MAX_HEAD_BYTES)),
                    ("held", crate::locale::Arg::same(&held)),
                    ("received", crate::locale::Arg::same(&received)),
                    ("sent", crate::locale::Arg::same(&sent)),
                    ("why", crate::locale::Arg::each(&error.text())),
                ],
            ),
        }
    }
}

/// How a response head that ends the exchange is said.
fn failure_detail(line: &str, status_line: &str, failure: &Failure) -> Text {
    let Failure::Auth { offered, why } = failure else {
        return answered(line, status_line);
    };
    let said = offer(line, status_line, offered);
    match why {
        AuthStop::NoCredentials => crate::locale::text(
            "probe-connect-said-no-credentials-configured",
            &[("said", crate::locale::Arg::each(&said))],
        ),
        AuthStop::StillRefused { answered: n } => crate::locale::text(
            "probe-connect-said-still-refused-after-n-answer",
            &[
                ("n", crate::locale::Arg::same(&n)),
                ("said", crate::locale::Arg::each(&said)),
            ],
        ),
        AuthStop::NtlmOnly => crate::locale::text(
            "probe-connect-said-ntlm-negotiate-only",
            &[("said", crate::locale::Arg::each(&said))],
        ),
        AuthStop::NoScheme => crate::locale::text(
            "probe-connect-said-no-scheme-the-probe-can",
            &[("said", crate::locale::Arg::each(&said))],
        ),
        AuthStop::CannotAnswer(why) => crate::locale::text(
            "probe-connect-said-cannot-answer-why",
            &[
                ("said", crate::locale::Arg::each(&said)),
                ("why", crate::locale::Arg::each(why)),
            ],
        ),
    }
}

/// `CONNECT a:443 HTTP/1.1 -> HTTP/1.1 407 Proxy Authentication Required (offers Digest, Basic)`
fn offer(line: &str, status_line: &str, offered: &[String]) -> Text {
    let offered = Text::each(|lang| offered_in(lang, offered));
    crate::locale::text(
        "probe-connect-line-status-line-offers-offered",
        &[
            ("line", crate::locale::Arg::same(&line)),
            ("offered", crate::locale::Arg::each(&offered)),
            ("status_line", crate::locale::Arg::same(&status_line)),
        ],
    )
}

fn not_kept() -> Text {
    crate::locale::text("probe-connect-the-proxy-does-not-keep-the", &[])
}

/// `CONNECT a:443 HTTP/1.1 -> HTTP/1.1 403 Forbidden`: what was sent, what came back.
fn answered(line: &str, status_line: &str) -> Text {
    crate::locale::text(
        "probe-connect-line-status-line",
        &[
            ("line", crate::locale::Arg::same(&line)),
            ("status_line", crate::locale::Arg::same(&status_line)),
        ],
    )
}

/// The notes of earlier rounds, then the stage's last word.
fn with_notes(detail: Text, notes: &[Text]) -> Text {
    if notes.is_empty() {
        detail
    } else {
        let notes = crate::locale::join(notes);
        crate::locale::text(
            "probe-connect-notes-then-detail",
            &[
                ("detail", crate::locale::Arg::each(&detail)),
                ("notes", crate::locale::Arg::each(&notes)),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use tokio::io::AsyncReadExt;
    use tokio::net::{TcpListener, TcpStream};
    use tokio::task::JoinHandle;

    use super::*;
    use crate::endpoint::{Host, Port};
    use crate::probe::{ProbeRequest, Timeouts};
    use crate::secret::Secret;

    /// A loopback proxy that answers the CONNECTs it reads, in order over all
    /// connections, with `answers`; it drops a connection after an answer saying
    /// `Connection: close`. Stopped when dropped.
    struct Fake {
        addr: SocketAddr,
        requests: Arc<Mutex<Vec<String>>>,
        task: JoinHandle<()>,
    }

    impl Drop for Fake {
        fn drop(&mut self) {
            self.task.abort();
        }
    }

    impl Fake {
        async fn start(answers: Vec<&'static str>) -> Fake {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let requests = Arc::new(Mutex::new(Vec::new()));
            let log = Arc::clone(&requests);
            let task = tokio::spawn(async move {
                let mut answers = answers.into_iter();
                while let Ok((mut conn, _)) = listener.accept().await {
                    while let Some(request) = read_request(&mut conn).await {
                        log.lock().unwrap().push(request);
                        let Some(answer) = answers.next() else { return };
                        if conn.write_all(answer.as_bytes()).await.is_err()
                            || answer.contains("Connection: close")
                        {
                            break;
                        }
                    }
                }
            });
            Fake {
                addr,
                requests,
                task,
            }
        }

        fn requests(&self) -> Vec<String> {
            self.requests.lock().unwrap().clone()
        }
    }

    async fn read_request(conn: &mut TcpStream) -> Option<String> {
        let mut seen = Vec::new();
        let mut byte = [0u8; 1];
        while !seen.ends_with(b"\r\n\r\n") {
            if conn.read(&mut byte).await.ok()? == 0 {
                return None;
            }
            seen.push(byte[0]);
        }
        Some(String::from_utf8_lossy(&seen).into_owned())
    }

    fn request(credentials: bool) -> ProbeRequest {
        ProbeRequest {
            proxy_host: Host::parse("127.0.0.1").unwrap(),
            // Never dialled: the tests hand the stage a connected stream.
            proxy_port: Port::new(9).unwrap(),
            username: credentials.then(|| "u".to_string()),
            password: credentials.then(|| Secret::new("pw")),
            target_host: Host::parse("127.0.0.1").unwrap(),
            target_port: Port::new(9).unwrap(),
            scheme: crate::probe::UrlScheme::Https,
            path: "/".to_string(),
            ca_file: None,
            ca_certs: Vec::new(),
            advice: Default::default(),
            timeouts: Timeouts {
                connect: Duration::from_secs(2),
                read: Duration::from_secs(2),
                total: Duration::from_secs(5),
            },
            download: None,
        }
    }

    /// Runs the connect stage alone against `fake`: the outcome (the bytes read past the
    /// head when the tunnel opened), the stage's English detail and the probe's auth report.
    async fn connect_to(
        fake: &Fake,
        req: &ProbeRequest,
    ) -> (
        Result<Vec<u8>, DiagnosisCode>,
        String,
        crate::probe::AuthReport,
    ) {
        let mut probe = Probe::new(req, None);
        let stream = TcpStream::connect(fake.addr).await.unwrap();
        let stream = probe.wire.stream(stream, Link::default());
        let outcome = probe.connect(stream, &[fake.addr]).await;
        let detail = probe.stages.last().map(|s| s.detail.en.clone()).unwrap();
        (outcome.map(|(_, rest)| rest), detail, probe.auth)
    }

    #[tokio::test]
    async fn the_bytes_after_a_2xx_head_are_handed_on_to_the_tunnel() {
        let fake = Fake::start(vec![
            "HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01hello",
        ])
        .await;
        let (outcome, detail, _) = connect_to(&fake, &request(false)).await;
        assert_eq!(outcome, Ok(b"\x16\x03\x01hello".to_vec()));
        assert_eq!(
            detail,
            "CONNECT 127.0.0.1:9 HTTP/1.1 -> HTTP/1.1 200 Connection established"
        );
    }

    #[tokio::test]
    async fn a_401_with_www_authenticate_is_answered_with_the_proxy_credentials() {
        const TINYPROXY_401: &str = "HTTP/1.1 401 Unauthorized\r\n\
            WWW-Authenticate: Basic realm=\"tinyproxy\"\r\nContent-Length: 0\r\n\r\n";
        let fake = Fake::start(vec![TINYPROXY_401, "HTTP/1.1 200 OK\r\n\r\n"]).await;
        let (outcome, detail, auth) = connect_to(&fake, &request(true)).await;
        assert_eq!(outcome, Ok(Vec::new()), "{detail}");
        let requests = fake.requests();
        assert_eq!(requests.len(), 2);
        assert!(
            requests[1].contains("\r\nProxy-Authorization: Basic dTpwdw==\r\n"),
            "{}",
            requests[1]
        );
        assert_eq!((auth.used.as_deref(), auth.rounds), (Some("basic"), 1));
        assert_eq!(auth.offered, vec!["Basic"]);

        let fake = Fake::start(vec![TINYPROXY_401]).await;
        let (outcome, detail, _) = connect_to(&fake, &request(false)).await;
        assert_eq!(outcome, Err(DiagnosisCode::ProxyAuthRequired));
        assert!(
            detail.ends_with("(offers Basic); no credentials configured"),
            "{detail}"
        );
    }

    #[tokio::test]
    async fn a_407_that_closes_is_answered_on_a_new_connection_and_the_walk_says_so() {
        let fake = Fake::start(vec![
            "HTTP/1.1 407 P\r\nProxy-Authenticate: Basic realm=\"x\"\r\nConnection: close\r\n\r\n",
            "HTTP/1.1 200 OK\r\n\r\n",
        ])
        .await;
        let (outcome, detail, auth) = connect_to(&fake, &request(true)).await;
        assert_eq!(outcome, Ok(Vec::new()), "{detail}");
        assert_eq!(auth.rounds, 1);
        let expected = "CONNECT 127.0.0.1:9 HTTP/1.1 -> HTTP/1.1 407 P (offers Basic); \
            answered with Basic (round 1); the proxy does not keep the connection after its \
            407; reconnected 127.0.0.1:";
        assert!(detail.starts_with(expected), "{detail}");
        assert!(
            detail.ends_with("; then CONNECT 127.0.0.1:9 HTTP/1.1 -> HTTP/1.1 200 OK"),
            "{detail}"
        );
    }
    /// A whole probe of `http://127.0.0.1:9/path` through `fake`.
    async fn plain_http(fake: &Fake, credentials: bool) -> crate::probe::Report {
        let mut req = request(credentials);
        req.proxy_port = Port::new(fake.addr.port()).unwrap();
        req.scheme = UrlScheme::Http;
        req.path = "/path?q".to_string();
        crate::probe::run(&req, None).await
    }

    fn stage_names(report: &crate::probe::Report) -> Vec<&'static str> {
        report.stages.iter().map(|s| s.name.as_str()).collect()
    }

    #[tokio::test]
    async fn a_plain_http_target_is_asked_in_absolute_form_without_connect_or_tls() {
        let fake = Fake::start(vec!["HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"]).await;
        let report = plain_http(&fake, false).await;
        assert_eq!(report.diagnosis.code, DiagnosisCode::Ok, "{report:?}");
        assert_eq!(
            stage_names(&report),
            ["resolve", "tcp_connect", "connect", "close"]
        );
        let requests = fake.requests();
        assert_eq!(requests.len(), 1);
        assert!(
            requests[0]
                .starts_with("HEAD http://127.0.0.1:9/path?q HTTP/1.1\r\nHost: 127.0.0.1:9\r\n"),
            "{}",
            requests[0]
        );
        assert!(!requests[0].contains("Proxy-Authorization"));
        let connect = report.stage(StageName::Connect).unwrap();
        assert_eq!(
            connect.detail.en,
            "HEAD http://127.0.0.1:9/path?q HTTP/1.1 -> HTTP/1.1 200 OK"
        );
        assert!(report.tls.is_none());
        assert_eq!(report.http.as_ref().map(|h| h.status), Some(200));
        assert!(
            report.curl.ends_with(" -I 'http://127.0.0.1:9/path?q'"),
            "{}",
            report.curl
        );
    }

    #[tokio::test]
    async fn a_redirect_from_the_origin_proves_the_way_out() {
        let fake = Fake::start(vec![
            "HTTP/1.1 301 Moved\r\nLocation: https://127.0.0.1/\r\n\r\n",
        ])
        .await;
        let report = plain_http(&fake, false).await;
        assert_eq!(report.diagnosis.code, DiagnosisCode::Ok);
        let http = report.http.as_ref().unwrap();
        assert_eq!(
            (http.status, http.location.as_deref()),
            (301, Some("https://127.0.0.1/"))
        );
    }

    #[tokio::test]
    async fn a_plain_http_answer_decides_the_diagnosis_as_a_connect_answer_does() {
        for (answer, code) in [
            ("HTTP/1.1 403 Forbidden\r\n\r\n", DiagnosisCode::ProxyDenied),
            (
                "HTTP/1.1 407 P\r\nProxy-Authenticate: Basic realm=\"x\"\r\n\r\n",
                DiagnosisCode::ProxyAuthRequired,
            ),
            ("HTTP/1.1 400 Bad\r\n\r\n", DiagnosisCode::BadRequest),
            (
                "HTTP/1.1 502 Bad Gateway\r\n\r\n",
                DiagnosisCode::BadGateway,
            ),
            (
                "HTTP/1.1 503 Unavailable\r\n\r\n",
                DiagnosisCode::ServiceUnavailable,
            ),
            (
                "HTTP/1.1 504 Timeout\r\n\r\n",
                DiagnosisCode::GatewayTimeout,
            ),
            ("HTTP/1.1 500 Oops\r\n\r\n", DiagnosisCode::ProxyError),
        ] {
            let fake = Fake::start(vec![answer]).await;
            let report = plain_http(&fake, false).await;
            assert_eq!(report.diagnosis.code, code, "{answer:?}");
            assert_eq!(
                stage_names(&report),
                ["resolve", "tcp_connect", "connect"],
                "{answer:?}"
            );
            assert!(report.http.is_none(), "no origin answer: {answer:?}");
        }
    }

    #[tokio::test]
    async fn a_plain_http_407_is_answered_with_the_request_again_in_absolute_form() {
        let fake = Fake::start(vec![
            "HTTP/1.1 407 P\r\nProxy-Authenticate: Basic realm=\"x\"\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\n\r\n",
        ])
        .await;
        let report = plain_http(&fake, true).await;
        assert_eq!(report.diagnosis.code, DiagnosisCode::Ok, "{report:?}");
        let requests = fake.requests();
        assert_eq!(requests.len(), 2);
        for r in &requests {
            assert!(
                r.starts_with("HEAD http://127.0.0.1:9/path?q HTTP/1.1\r\n"),
                "{r}"
            );
        }
        assert!(requests[1].contains("\r\nProxy-Authorization: Basic dTpwdw==\r\n"));
        assert_eq!(report.auth.rounds, 1);
        assert!(
            report.curl.contains("-U 'u:****' --proxy-basic"),
            "{}",
            report.curl
        );
    }
}
