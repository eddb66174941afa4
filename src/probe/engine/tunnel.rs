//! The CONNECT exchange as a state machine, after curl's `cf-h1-proxy.c`: every decision
//! (skip a 1xx, open the tunnel, answer a challenge, keep or reopen the connection, stop
//! with a code) is made here from parsed heads and I/O outcomes; `connect.rs` only moves
//! the bytes, applies the timeouts and says what happened.

use std::io;

use crate::locale::Text;
use crate::probe::auth::{self, Decision, Rounds, Scheme};
use crate::probe::diagnosis::DiagnosisCode;
use crate::probe::engine::is_reset;
use crate::probe::head::ResponseHead;
use crate::probe::wire::{HeadReadError, MAX_DISCARD};
use crate::secret::Secret;

/// Interim (1xx) answers skipped before the real one.
pub(super) const MAX_INTERIM: usize = 5;

/// Where the exchange stands. curl's `INIT → CONNECT → RECEIVE → RESPONSE → ESTABLISHED |
/// FAILED`, with INIT folded into the first `Connect` and reopening the connection made
/// a state of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum State {
    /// Send the CONNECT (with the current answer, if any) on the current connection.
    Connect,
    /// Read the proxy's response head.
    Receive,
    /// Read through a challenge's body of `body` bytes to keep the connection.
    Response { body: u64 },
    /// Open a new connection to the proxy, then send the CONNECT again.
    Reconnect,
    /// A 2xx (for plain HTTP also a 3xx): the tunnel is open, or the answer came.
    Established,
    /// The exchange ended without a tunnel, with this code.
    Failed(DiagnosisCode),
}

/// What one response head led to.
#[derive(Debug)]
pub(super) enum Step {
    /// A 1xx: read the next head without sending anything.
    Interim,
    /// A 2xx (for plain HTTP also a 3xx): the tunnel is open, or the answer came.
    Established,
    /// A challenge answered; the next CONNECT carries the answer.
    Answered {
        scheme: Scheme,
        round: u32,
        offered: Vec<String>,
    },
    /// The exchange ends here.
    Failed(Failure),
}

/// Why the exchange ended on a response head.
#[derive(Debug)]
pub(super) enum Failure {
    /// A final status that neither opens the tunnel nor asks for credentials.
    Status(u16),
    /// A challenge (407, or 401 with `WWW-Authenticate`) that cannot be answered.
    Auth { offered: Vec<String>, why: AuthStop },
}

/// Why a challenge was not answered.
#[derive(Debug)]
pub(super) enum AuthStop {
    NoCredentials,
    /// Credentials were sent `answered` times and the proxy still refuses.
    StillRefused {
        answered: u32,
    },
    NtlmOnly,
    /// No scheme the probe speaks was offered.
    NoScheme,
    /// The chosen challenge could not be answered (the auth module's words).
    CannotAnswer(Text),
}

impl Failure {
    pub(super) fn code(&self) -> DiagnosisCode {
        match self {
            Failure::Status(status) => DiagnosisCode::for_status(*status),
            Failure::Auth { why, .. } => match why {
                AuthStop::NoCredentials => DiagnosisCode::ProxyAuthRequired,
                AuthStop::StillRefused { .. } => DiagnosisCode::ProxyAuthFailed,
                AuthStop::NtlmOnly => DiagnosisCode::NtlmUnsupported,
                AuthStop::NoScheme | AuthStop::CannotAnswer(_) => DiagnosisCode::ProxyError,
            },
        }
    }
}

/// The exchange's memory between heads: pure, driven by `connect.rs` and by unit tests.
/// Not `Debug`: `authorization` holds the credentials (Basic is only base64).
pub(super) struct Exchange<'a> {
    state: State,
    rounds: Rounds,
    interim: usize,
    credentials: Option<(&'a str, &'a Secret)>,
    /// The CONNECT's authority, which Digest signs as its `uri`.
    authority: String,
    /// The `Proxy-Authorization` value for the next CONNECT.
    authorization: Option<String>,
    /// The current connection already carried a round, so a close on it before any byte
    /// of the answer means "reconnect", not "the proxy does not answer".
    reused: bool,
    /// Every scheme offered so far, in order, without repeats.
    offered: Vec<String>,
    /// A plain-HTTP request: the answer comes from the origin through the proxy, so a
    /// 3xx (a redirect) proves the way out as a 2xx does.
    plain_http: bool,
    /// The plain-HTTP request is a `GET` (the probe downloads), not a `HEAD`.
    get: bool,
}

impl<'a> Exchange<'a> {
    pub(super) fn new(authority: String, credentials: Option<(&'a str, &'a Secret)>) -> Self {
        Exchange {
            state: State::Connect,
            rounds: Rounds::new(),
            interim: 0,
            credentials,
            authority,
            authorization: None,
            reused: false,
            offered: Vec::new(),
            plain_http: false,
            get: false,
        }
    }

    /// The request's method, which Digest signs.
    pub(super) fn method(&self) -> &'static str {
        match (self.plain_http, self.get) {
            (false, _) => "CONNECT",
            (true, false) => "HEAD",
            (true, true) => "GET",
        }
    }

    /// The exchange of an absolute-form `HEAD http://…` (no CONNECT); `uri` is the
    /// request-target, which Digest signs.
    pub(super) fn plain_http(uri: String, credentials: Option<(&'a str, &'a Secret)>) -> Self {
        Exchange {
            plain_http: true,
            ..Exchange::new(uri, credentials)
        }
    }

    /// The exchange of an absolute-form `GET http://…`: the download's request, which the
    /// proxy authenticates (and Digest signs) as it is.
    pub(super) fn plain_http_get(uri: String, credentials: Option<(&'a str, &'a Secret)>) -> Self {
        Exchange {
            get: true,
            ..Exchange::plain_http(uri, credentials)
        }
    }

    pub(super) fn state(&self) -> State {
        self.state
    }

    pub(super) fn authorization(&self) -> Option<&str> {
        self.authorization.as_deref()
    }

    pub(super) fn offered(&self) -> &[String] {
        &self.offered
    }

    /// CONNECT → RECEIVE: the request went out.
    pub(super) fn sent(&mut self) {
        self.state = State::Receive;
    }

    /// The request could not be written (`None`: not within the limit). A kept-alive
    /// connection the proxy dropped is reopened; otherwise the exchange fails.
    pub(super) fn send_failed(&mut self, error: Option<&io::Error>) -> State {
        self.state = match error {
            Some(_) if self.reused => State::Reconnect,
            Some(e) if is_reset(e) => State::Failed(DiagnosisCode::ConnectionReset),
            _ => State::Failed(DiagnosisCode::ProxyNoResponse),
        };
        self.state
    }

    /// No response head could be read. A kept-alive connection closed before any byte of
    /// the answer is reopened; otherwise the exchange fails with the error's code.
    pub(super) fn receive_failed(&mut self, e: &HeadReadError) -> State {
        let unanswered = matches!(
            e,
            HeadReadError::Closed { received: 0 } | HeadReadError::Io { received: 0, .. }
        );
        self.state = if unanswered && self.reused {
            State::Reconnect
        } else {
            State::Failed(proxy_head_code(e))
        };
        self.state
    }

    /// RESPONSE → CONNECT on the same connection (`kept`), or → RECONNECT.
    pub(super) fn drained(&mut self, kept: bool) {
        self.reused = kept;
        self.state = if kept {
            State::Connect
        } else {
            State::Reconnect
        };
    }

    /// RECONNECT → CONNECT on a fresh connection (`Some`), or the code opening it failed with.
    pub(super) fn reconnected(&mut self, failed: Option<DiagnosisCode>) {
        self.reused = false;
        self.state = match failed {
            None => State::Connect,
            Some(code) => State::Failed(code),
        };
    }

    /// RECEIVE → what the proxy's response head leads to.
    pub(super) fn next_step(&mut self, head: &ResponseHead) -> Step {
        let step = match head.status {
            100..=199 if self.interim < MAX_INTERIM => {
                self.interim += 1;
                Step::Interim
            }
            200..=299 => Step::Established,
            300..=399 if self.plain_http => Step::Established,
            status => match challenge_header(head) {
                Some(header) => self.on_challenge(head, header),
                None => Step::Failed(Failure::Status(status)),
            },
        };
        self.state = match &step {
            Step::Interim => State::Receive,
            Step::Established => State::Established,
            Step::Answered { .. } => after_answer(head),
            Step::Failed(failure) => State::Failed(failure.code()),
        };
        step
    }

    /// Answers a challenge with the strongest scheme offered, within the rounds allowed.
    fn on_challenge(&mut self, head: &ResponseHead, header: &str) -> Step {
        let mut challenges = auth::read_challenges(head.values(header));
        for scheme in &challenges.offered {
            if !self.offered.iter().any(|s| s.eq_ignore_ascii_case(scheme)) {
                self.offered.push(scheme.clone());
            }
        }
        let offered = challenges.offered.clone();
        let stop = |why| Step::Failed(Failure::Auth { offered, why });
        let round = match self.rounds.on_407(self.credentials.is_some(), &challenges) {
            Decision::Answer(n) => n,
            Decision::Required => return stop(AuthStop::NoCredentials),
            Decision::Failed => {
                let answered = self.rounds.answered();
                return stop(AuthStop::StillRefused { answered });
            }
            Decision::NtlmOnly => return stop(AuthStop::NtlmOnly),
            Decision::Unsupported => return stop(AuthStop::NoScheme),
        };
        let Some((user, password)) = self.credentials else {
            return stop(AuthStop::NoCredentials);
        };
        match auth::answer_request(
            &mut challenges.choice,
            user,
            password,
            (self.method(), &self.authority),
        ) {
            Ok((scheme, value)) => {
                self.authorization = Some(value);
                Step::Answered {
                    scheme,
                    round,
                    offered: challenges.offered,
                }
            }
            Err(why) => stop(AuthStop::CannotAnswer(why)),
        }
    }
}

/// The header carrying the challenges: a 407's `Proxy-Authenticate`, or the
/// `WWW-Authenticate` of a 401, which some proxies (tinyproxy) send instead (SPEC §6).
fn challenge_header(head: &ResponseHead) -> Option<&'static str> {
    match head.status {
        407 => Some("Proxy-Authenticate"),
        401 if head.value("WWW-Authenticate").is_some() => Some("WWW-Authenticate"),
        _ => None,
    }
}

/// After answering: keep the connection when the proxy keeps it and the body is small
/// and sized; otherwise open a new one.
fn after_answer(head: &ResponseHead) -> State {
    match head.content_length().filter(|len| *len <= MAX_DISCARD) {
        Some(body) if head.keeps_alive() => State::Response { body },
        _ => State::Reconnect,
    }
}

/// The code for a CONNECT answer that never came whole.
pub(super) fn proxy_head_code(e: &HeadReadError) -> DiagnosisCode {
    match e {
        HeadReadError::Timeout { .. } | HeadReadError::Closed { .. } => {
            DiagnosisCode::ProxyNoResponse
        }
        HeadReadError::Io { error, .. } if is_reset(error) => DiagnosisCode::ConnectionReset,
        HeadReadError::Io { .. } => DiagnosisCode::ProxyNoResponse,
        HeadReadError::Malformed { .. } => DiagnosisCode::MalformedResponse,
    }
}

/// The code for an answer through the tunnel that never came whole: an early end (a FIN,
/// or TLS cut without close_notify) or a reset is `connection_reset`, silence is
/// `tunnel_idle`.
pub(super) fn tunnel_head_code(e: &HeadReadError) -> DiagnosisCode {
    match e {
        HeadReadError::Closed { .. } => DiagnosisCode::ConnectionReset,
        HeadReadError::Io { error, .. }
            if is_reset(error) || error.kind() == io::ErrorKind::UnexpectedEof =>
        {
            DiagnosisCode::ConnectionReset
        }
        HeadReadError::Timeout { .. } | HeadReadError::Io { .. } => DiagnosisCode::TunnelIdle,
        HeadReadError::Malformed { .. } => DiagnosisCode::MalformedResponse,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::head::{HeadParser, Progress};

    const BASIC: &str = r#"Basic realm="proxy""#;
    const MD5: &str = r#"Digest realm="proxy", nonce="n1", qop="auth", algorithm=MD5"#;
    const SHA: &str = r#"Digest realm="proxy", nonce="n2", qop="auth", algorithm=SHA-256"#;

    /// A head parsed as the wire would give it, and the bytes after it.
    fn parse(bytes: &str) -> (ResponseHead, Vec<u8>) {
        match HeadParser::new().push(bytes.as_bytes()) {
            Ok(Progress::Done { head, rest }) => (head, rest),
            other => panic!("not a whole head: {other:?}"),
        }
    }

    fn head(bytes: &str) -> ResponseHead {
        parse(bytes).0
    }

    /// A 407 with these challenges, kept alive with an empty body.
    fn challenge(values: &[&str]) -> ResponseHead {
        let mut text = "HTTP/1.1 407 Proxy Authentication Required\r\n".to_string();
        for v in values {
            text.push_str(&format!("Proxy-Authenticate: {v}\r\n"));
        }
        text.push_str("Content-Length: 0\r\n\r\n");
        head(&text)
    }

    fn password() -> Secret {
        Secret::new("p@ss:w0rd")
    }

    /// An exchange whose CONNECT went out and waits for the answer.
    fn receiving<'a>(credentials: Option<(&'a str, &'a Secret)>) -> Exchange<'a> {
        let mut x = Exchange::new("tools.cisco.com:443".to_string(), credentials);
        assert_eq!(x.state(), State::Connect, "INIT is the first CONNECT");
        assert_eq!(x.authorization(), None);
        x.sent();
        assert_eq!(x.state(), State::Receive);
        x
    }

    /// Answers `h` and sends the next CONNECT on the kept connection.
    fn answer_and_resend(x: &mut Exchange<'_>, h: &ResponseHead) -> u32 {
        let Step::Answered { round, .. } = x.next_step(h) else {
            panic!("not answered: {:?}", x.state());
        };
        assert_eq!(x.state(), State::Response { body: 0 });
        x.drained(true);
        assert_eq!(x.state(), State::Connect);
        x.sent();
        round
    }

    fn failure_code(step: &Step) -> Option<DiagnosisCode> {
        match step {
            Step::Failed(f) => Some(f.code()),
            _ => None,
        }
    }

    #[test]
    fn a_2xx_establishes_the_tunnel_and_the_bytes_after_the_head_are_kept() {
        for status in ["200 Connection established", "201 Created", "299 Odd"] {
            let (h, rest) = parse(&format!(
                "HTTP/1.1 {status}\r\nVia: x\r\n\r\n\x16\x03\x01tls"
            ));
            let mut x = receiving(None);
            assert!(matches!(x.next_step(&h), Step::Established), "{status}");
            assert_eq!(x.state(), State::Established);
            assert_eq!(rest, b"\x16\x03\x01tls", "{status}");
        }
        let (h, rest) = parse("HTTP/1.0 200 OK\n\nabc");
        assert!(matches!(receiving(None).next_step(&h), Step::Established));
        assert_eq!(rest, b"abc");
    }

    #[test]
    fn interim_answers_are_skipped_five_times_then_the_sixth_is_a_proxy_error() {
        let mut x = receiving(None);
        let interim = head("HTTP/1.1 100 Continue\r\n\r\n");
        for _ in 0..MAX_INTERIM {
            assert!(matches!(x.next_step(&interim), Step::Interim));
            assert_eq!(x.state(), State::Receive, "read again, send nothing");
        }
        let step = x.next_step(&interim);
        assert_eq!(failure_code(&step), Some(DiagnosisCode::ProxyError));
        assert_eq!(x.state(), State::Failed(DiagnosisCode::ProxyError));
    }

    #[test]
    fn every_other_status_ends_with_its_own_code() {
        for (status, code) in [
            (400, DiagnosisCode::BadRequest),
            (401, DiagnosisCode::ProxyError),
            (403, DiagnosisCode::ProxyDenied),
            (404, DiagnosisCode::ProxyError),
            (301, DiagnosisCode::ProxyError),
            (500, DiagnosisCode::ProxyError),
            (502, DiagnosisCode::BadGateway),
            (503, DiagnosisCode::ServiceUnavailable),
            (504, DiagnosisCode::GatewayTimeout),
        ] {
            let mut x = receiving(None);
            let step = x.next_step(&head(&format!("HTTP/1.1 {status} X\r\n\r\n")));
            assert!(matches!(step, Step::Failed(Failure::Status(s)) if s == status));
            assert_eq!(x.state(), State::Failed(code), "{status}");
        }
    }

    #[test]
    fn digest_sha256_is_chosen_over_md5_and_basic() {
        let pw = password();
        let mut x = receiving(Some(("u", &pw)));
        let step = x.next_step(&challenge(&[BASIC, MD5, SHA]));
        let Step::Answered {
            scheme,
            round,
            offered,
        } = step
        else {
            panic!("{step:?}");
        };
        assert_eq!((scheme, round), (Scheme::DigestSha256, 1));
        assert_eq!(offered, vec!["Basic", "Digest"]);
        assert_eq!(x.offered(), ["Basic", "Digest"]);
        let value = x.authorization().unwrap_or_default();
        assert!(value.starts_with("Digest "), "{value}");
        assert!(value.contains("algorithm=SHA-256"), "{value}");
        assert!(value.contains(r#"uri="tools.cisco.com:443""#), "{value}");
        assert!(!value.contains("p@ss"), "{value}");
    }

    #[test]
    fn a_407_after_credentials_is_auth_failed_after_two_rounds() {
        let pw = password();
        let mut x = receiving(Some(("u", &pw)));
        let basic = challenge(&[BASIC]);
        assert_eq!(answer_and_resend(&mut x, &basic), 1);
        assert_eq!(answer_and_resend(&mut x, &basic), 2);
        let step = x.next_step(&basic);
        assert!(matches!(
            step,
            Step::Failed(Failure::Auth {
                why: AuthStop::StillRefused { answered: 2 },
                ..
            })
        ));
        assert_eq!(x.state(), State::Failed(DiagnosisCode::ProxyAuthFailed));
    }

    #[test]
    fn a_stale_nonce_allows_exactly_one_more_round() {
        let pw = password();
        let mut x = receiving(Some(("u", &pw)));
        let fresh = challenge(&[MD5]);
        let stale_value = format!("{MD5}, stale=true");
        let stale = challenge(&[&stale_value]);
        assert_eq!(answer_and_resend(&mut x, &fresh), 1);
        assert_eq!(answer_and_resend(&mut x, &fresh), 2);
        assert_eq!(answer_and_resend(&mut x, &stale), 3, "stale earns a round");
        let step = x.next_step(&stale);
        assert_eq!(failure_code(&step), Some(DiagnosisCode::ProxyAuthFailed));
    }

    #[test]
    fn without_credentials_a_challenge_is_auth_required() {
        let mut x = receiving(None);
        let step = x.next_step(&challenge(&[BASIC]));
        assert!(matches!(
            step,
            Step::Failed(Failure::Auth {
                why: AuthStop::NoCredentials,
                ..
            })
        ));
        assert_eq!(x.state(), State::Failed(DiagnosisCode::ProxyAuthRequired));
        assert_eq!(x.offered(), ["Basic"], "the offer is reported");
    }

    #[test]
    fn ntlm_only_is_ntlm_unsupported_even_with_credentials() {
        let pw = password();
        let mut x = receiving(Some(("u", &pw)));
        let step = x.next_step(&challenge(&["NTLM", "Negotiate"]));
        assert_eq!(failure_code(&step), Some(DiagnosisCode::NtlmUnsupported));
        assert_eq!(x.authorization(), None, "nothing was answered");
    }

    #[test]
    fn no_known_scheme_is_a_proxy_error_and_after_an_answer_an_auth_failure() {
        let pw = password();
        let mut x = receiving(Some(("u", &pw)));
        let bearer = challenge(&[r#"Bearer realm="x""#]);
        assert_eq!(
            failure_code(&x.next_step(&bearer)),
            Some(DiagnosisCode::ProxyError)
        );
        let mut x = receiving(Some(("u", &pw)));
        answer_and_resend(&mut x, &challenge(&[BASIC]));
        assert_eq!(
            failure_code(&x.next_step(&bearer)),
            Some(DiagnosisCode::ProxyAuthFailed)
        );
    }

    #[test]
    fn a_401_with_www_authenticate_is_answered_like_a_407() {
        let pw = password();
        let mut x = receiving(Some(("u", &pw)));
        let h = head(
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"tinyproxy\"\r\n\
             Content-Length: 0\r\n\r\n",
        );
        assert!(matches!(
            x.next_step(&h),
            Step::Answered {
                scheme: Scheme::Basic,
                round: 1,
                ..
            }
        ));
        assert_eq!(x.authorization(), Some("Basic dTpwQHNzOncwcmQ="));
        let mut x = receiving(None);
        x.next_step(&h);
        assert_eq!(x.state(), State::Failed(DiagnosisCode::ProxyAuthRequired));
        // A 407's header on a 401 is not a challenge for the proxy's own 401.
        let mut x = receiving(Some(("u", &pw)));
        x.next_step(&head(
            "HTTP/1.1 401 Unauthorized\r\nProxy-Authenticate: Basic realm=\"x\"\r\n\r\n",
        ));
        assert_eq!(x.state(), State::Failed(DiagnosisCode::ProxyError));
    }

    #[test]
    fn a_407_that_closes_or_cannot_be_read_through_leads_to_a_reconnect() {
        let pw = password();
        for (why, text) in [
            (
                "close",
                "HTTP/1.1 407 P\r\nProxy-Authenticate: Basic realm=\"x\"\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
            ),
            (
                "no length",
                "HTTP/1.1 407 P\r\nProxy-Authenticate: Basic realm=\"x\"\r\n\r\n",
            ),
            (
                "chunked",
                "HTTP/1.1 407 P\r\nProxy-Authenticate: Basic realm=\"x\"\r\nTransfer-Encoding: chunked\r\n\r\n",
            ),
            (
                "too big",
                "HTTP/1.1 407 P\r\nProxy-Authenticate: Basic realm=\"x\"\r\nContent-Length: 65537\r\n\r\n",
            ),
            (
                "1.0",
                "HTTP/1.0 407 P\r\nProxy-Authenticate: Basic realm=\"x\"\r\nContent-Length: 0\r\n\r\n",
            ),
        ] {
            let mut x = receiving(Some(("u", &pw)));
            assert!(
                matches!(x.next_step(&head(text)), Step::Answered { .. }),
                "{why}"
            );
            assert_eq!(x.state(), State::Reconnect, "{why}");
            x.reconnected(None);
            assert_eq!(x.state(), State::Connect, "{why}");
            assert!(
                x.authorization().is_some(),
                "{why}: the answer is sent again"
            );
        }
        let mut x = receiving(Some(("u", &pw)));
        let h = head(
            "HTTP/1.1 407 P\r\nProxy-Authenticate: Basic realm=\"x\"\r\nContent-Length: 12\r\n\r\n",
        );
        x.next_step(&h);
        assert_eq!(x.state(), State::Response { body: 12 });
        x.drained(false);
        assert_eq!(x.state(), State::Reconnect, "the body did not come");
        x.reconnected(Some(DiagnosisCode::ProxyUnreachable));
        assert_eq!(x.state(), State::Failed(DiagnosisCode::ProxyUnreachable));
    }

    #[test]
    fn a_kept_connection_closed_before_the_answer_is_reopened_once_per_round() {
        let pw = password();
        let mut x = receiving(Some(("u", &pw)));
        answer_and_resend(&mut x, &challenge(&[BASIC]));
        let closed = HeadReadError::Closed { received: 0 };
        assert_eq!(x.receive_failed(&closed), State::Reconnect);
        x.reconnected(None);
        x.sent();
        // On the fresh connection the same close means the proxy does not answer.
        assert_eq!(
            x.receive_failed(&closed),
            State::Failed(DiagnosisCode::ProxyNoResponse)
        );
        // A close after part of an answer is never retried.
        let mut x = receiving(Some(("u", &pw)));
        answer_and_resend(&mut x, &challenge(&[BASIC]));
        assert_eq!(
            x.receive_failed(&HeadReadError::Closed { received: 3 }),
            State::Failed(DiagnosisCode::ProxyNoResponse)
        );
    }

    #[test]
    fn a_failed_write_is_retried_only_on_a_kept_connection() {
        let reset = io::Error::from(io::ErrorKind::ConnectionReset);
        let refused = io::Error::from(io::ErrorKind::Other);
        assert_eq!(
            receiving(None).send_failed(Some(&reset)),
            State::Failed(DiagnosisCode::ConnectionReset)
        );
        assert_eq!(
            receiving(None).send_failed(Some(&refused)),
            State::Failed(DiagnosisCode::ProxyNoResponse)
        );
        assert_eq!(
            receiving(None).send_failed(None),
            State::Failed(DiagnosisCode::ProxyNoResponse)
        );
        let pw = password();
        let mut x = receiving(Some(("u", &pw)));
        answer_and_resend(&mut x, &challenge(&[BASIC]));
        assert_eq!(x.send_failed(Some(&reset)), State::Reconnect);
        let mut x = receiving(Some(("u", &pw)));
        answer_and_resend(&mut x, &challenge(&[BASIC]));
        assert_eq!(
            x.send_failed(None),
            State::Failed(DiagnosisCode::ProxyNoResponse),
            "a write that times out is not retried"
        );
    }

    #[test]
    fn head_errors_are_coded_from_their_kind_not_their_words() {
        let io = |kind: io::ErrorKind, words: &str| HeadReadError::Io {
            error: io::Error::new(kind, words.to_string()),
            received: 0,
        };
        let malformed = HeadReadError::Malformed {
            error: crate::probe::head::HeadError::TooLarge,
            received: 1,
            held: 1,
        };
        let cases = [
            (
                HeadReadError::Closed { received: 0 },
                DiagnosisCode::ProxyNoResponse,
                DiagnosisCode::ConnectionReset,
            ),
            (
                HeadReadError::Timeout { received: 4 },
                DiagnosisCode::ProxyNoResponse,
                DiagnosisCode::TunnelIdle,
            ),
            // The words say "closed" but the kind does not: silence, not a cut.
            (
                io(io::ErrorKind::Other, "closed"),
                DiagnosisCode::ProxyNoResponse,
                DiagnosisCode::TunnelIdle,
            ),
            // The words say nothing of a close but the kind is an early end.
            (
                io(io::ErrorKind::UnexpectedEof, "eof"),
                DiagnosisCode::ProxyNoResponse,
                DiagnosisCode::ConnectionReset,
            ),
            (
                io(io::ErrorKind::ConnectionReset, "x"),
                DiagnosisCode::ConnectionReset,
                DiagnosisCode::ConnectionReset,
            ),
            (
                io(io::ErrorKind::BrokenPipe, "x"),
                DiagnosisCode::ConnectionReset,
                DiagnosisCode::ConnectionReset,
            ),
            (
                malformed,
                DiagnosisCode::MalformedResponse,
                DiagnosisCode::MalformedResponse,
            ),
        ];
        for (e, proxy, tunnel) in &cases {
            assert_eq!(proxy_head_code(e), *proxy, "{e:?}");
            assert_eq!(tunnel_head_code(e), *tunnel, "{e:?}");
        }
    }
}
