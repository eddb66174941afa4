//! The connect stage: the CONNECT request, the proxy's answer, and the 407 rounds
//! (answering, keeping or reopening the connection) until the tunnel opens or cannot.

use std::net::SocketAddr;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout};

use super::{Probe, io_code};
use crate::probe::auth::{self, Decision, Rounds};
use crate::probe::diagnosis::DiagnosisCode;
use crate::probe::head::MAX_HEAD_BYTES;
use crate::probe::hostport::{authority, is_valid_host};
use crate::probe::report::{ConnectResponse, StageName};
use crate::probe::request::{connect_line, connect_request};
use crate::probe::wire::{HeadReadError, MAX_DISCARD, discard_body, read_head};

/// Interim (1xx) answers skipped before the real one.
const MAX_INTERIM: usize = 5;

impl Probe<'_> {
    pub(super) async fn connect(
        &mut self,
        mut stream: TcpStream,
        addrs: &[SocketAddr],
    ) -> Result<(TcpStream, Vec<u8>), DiagnosisCode> {
        let t0 = self.begin(StageName::Connect);
        let (host, port) = (self.req.target_host.clone(), self.req.target_port);
        let line = connect_line(&host, port);
        if !is_valid_host(&host) {
            let detail = format!("the target {host:?} is not a valid host name; nothing was sent");
            return self.fail(StageName::Connect, t0, DiagnosisCode::BadRequest, detail);
        }
        let target_authority = authority(&host, port);
        let mut rounds = Rounds::new();
        let mut authorization: Option<String> = None;
        let mut notes: Vec<String> = Vec::new();
        let mut leftover: Vec<u8> = Vec::new();
        let mut reused = false;
        let mut interim = 0;
        let mut send = true;
        loop {
            if send {
                let request = connect_request(&host, port, authorization.as_deref());
                let limit = self.budget(self.req.timeouts.read);
                match timeout(limit, stream.write_all(request.as_bytes())).await {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) if reused => {
                        notes.push(format!("the kept-alive connection failed ({e})"));
                        stream = self.reopen(addrs, t0, &mut notes).await?;
                        reused = false;
                        continue;
                    }
                    Ok(Err(e)) => {
                        let code = io_code(&e, DiagnosisCode::ProxyNoResponse);
                        return self.fail(
                            StageName::Connect,
                            t0,
                            code,
                            format!("{line} could not be sent: {e}"),
                        );
                    }
                    Err(_) => {
                        let detail =
                            format!("{line} could not be sent within {}", self.limit_text());
                        return self.fail(
                            StageName::Connect,
                            t0,
                            DiagnosisCode::ProxyNoResponse,
                            detail,
                        );
                    }
                }
            }
            send = true;
            let limit = self.budget(self.req.timeouts.read);
            let head = match read_head(&mut stream, std::mem::take(&mut leftover), limit).await {
                Ok((head, rest)) => {
                    leftover = rest;
                    head
                }
                Err(
                    HeadReadError::Closed { received: 0 } | HeadReadError::Io { received: 0, .. },
                ) if reused => {
                    notes.push("the proxy closed the kept-alive connection".to_string());
                    stream = self.reopen(addrs, t0, &mut notes).await?;
                    reused = false;
                    continue;
                }
                Err(e) => {
                    let (code, detail) = self.head_failure(&line, e, "the proxy");
                    return self.fail(StageName::Connect, t0, code, with_notes(detail, &notes));
                }
            };
            self.status_line = Some(head.status_line());
            self.connect_response = Some(ConnectResponse {
                status: head.status,
                reason: head.reason.clone(),
                headers: head.headers.clone(),
            });
            match head.status {
                100..=199 if interim < MAX_INTERIM => {
                    interim += 1;
                    send = false;
                    continue;
                }
                200..=299 => {
                    let detail = with_notes(format!("{line} -> {}", head.status_line()), &notes);
                    self.record(StageName::Connect, t0, true, detail);
                    return Ok((stream, leftover));
                }
                407 => {}
                status => {
                    let detail = with_notes(format!("{line} -> {}", head.status_line()), &notes);
                    return self.fail(
                        StageName::Connect,
                        t0,
                        DiagnosisCode::for_status(status),
                        detail,
                    );
                }
            }
            // 407: answer it, or stop here.
            let mut challenges = auth::read_challenges(head.values("Proxy-Authenticate"));
            for scheme in &challenges.offered {
                if !self
                    .auth
                    .offered
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case(scheme))
                {
                    self.auth.offered.push(scheme.clone());
                }
            }
            let credentials = match (&self.req.username, &self.req.password) {
                (Some(u), Some(p)) => Some((u.clone(), p.clone())),
                _ => None,
            };
            let said = format!(
                "{line} -> {} (offers {})",
                head.status_line(),
                offered_text(&challenges.offered)
            );
            let n = match rounds.on_407(credentials.is_some(), &challenges) {
                Decision::Answer(n) => n,
                Decision::Required => {
                    let detail = with_notes(format!("{said}; no credentials configured"), &notes);
                    return self.fail(
                        StageName::Connect,
                        t0,
                        DiagnosisCode::ProxyAuthRequired,
                        detail,
                    );
                }
                Decision::Failed => {
                    let detail = with_notes(
                        format!(
                            "{said}; still refused after {} answer(s)",
                            rounds.answered()
                        ),
                        &notes,
                    );
                    return self.fail(
                        StageName::Connect,
                        t0,
                        DiagnosisCode::ProxyAuthFailed,
                        detail,
                    );
                }
                Decision::NtlmOnly => {
                    let detail = with_notes(format!("{said}; NTLM/Negotiate only"), &notes);
                    return self.fail(
                        StageName::Connect,
                        t0,
                        DiagnosisCode::NtlmUnsupported,
                        detail,
                    );
                }
                Decision::Unsupported => {
                    let detail =
                        with_notes(format!("{said}; no scheme the probe can answer"), &notes);
                    return self.fail(StageName::Connect, t0, DiagnosisCode::ProxyError, detail);
                }
            };
            let Some((user, password)) = credentials else {
                return self.fail(
                    StageName::Connect,
                    t0,
                    DiagnosisCode::ProxyAuthRequired,
                    said,
                );
            };
            match auth::answer(&mut challenges.choice, &user, &password, &target_authority) {
                Ok((scheme, value)) => {
                    authorization = Some(value);
                    self.used = Some(scheme);
                    self.auth.used = Some(scheme.report_name().to_string());
                    self.auth.rounds = n;
                    notes.push(format!(
                        "{said}; answered with {} (round {n})",
                        scheme.describe()
                    ));
                }
                Err(e) => {
                    let detail = with_notes(format!("{said}; cannot answer: {e}"), &notes);
                    return self.fail(StageName::Connect, t0, DiagnosisCode::ProxyError, detail);
                }
            }
            // Reuse the connection when the proxy keeps it and the body is small and sized.
            let body = head.content_length().filter(|len| *len <= MAX_DISCARD);
            let kept = match body {
                Some(len) if head.keeps_alive() => {
                    let limit = self.budget(self.req.timeouts.read);
                    discard_body(&mut stream, std::mem::take(&mut leftover), len, limit).await
                }
                _ => None,
            };
            match kept {
                Some(rest) => {
                    leftover = rest;
                    reused = true;
                }
                None => {
                    notes.push("the proxy does not keep the connection after its 407".to_string());
                    leftover.clear();
                    stream = self.reopen(addrs, t0, &mut notes).await?;
                    reused = false;
                }
            }
        }
    }

    /// A new TCP connection to the proxy for the next auth round.
    async fn reopen(
        &mut self,
        addrs: &[SocketAddr],
        t0: Instant,
        notes: &mut Vec<String>,
    ) -> Result<TcpStream, DiagnosisCode> {
        match self.open(addrs).await {
            Ok((stream, local, remote)) => {
                notes.push(format!("reconnected {local} -> {remote}"));
                Ok(stream)
            }
            Err((code, detail)) => {
                let detail = with_notes(format!("reconnecting failed: {detail}"), notes);
                self.fail(StageName::Connect, t0, code, detail)
            }
        }
    }

    /// Code and words for a response head that did not come.
    pub(super) fn head_failure(
        &self,
        sent: &str,
        e: HeadReadError,
        who: &str,
    ) -> (DiagnosisCode, String) {
        match e {
            HeadReadError::Timeout { received } => (
                DiagnosisCode::ProxyNoResponse,
                format!(
                    "{sent} sent; {received} byte(s) back and no complete answer within {}",
                    self.limit_text()
                ),
            ),
            HeadReadError::Closed { received } => (
                DiagnosisCode::ProxyNoResponse,
                format!(
                    "{sent} sent; {who} closed the connection after {received} byte(s) without a complete answer"
                ),
            ),
            HeadReadError::Io { error, received } => (
                io_code(&error, DiagnosisCode::ProxyNoResponse),
                format!("{sent} sent; {error} after {received} byte(s)"),
            ),
            HeadReadError::Malformed {
                error,
                received,
                held,
            } => (
                DiagnosisCode::MalformedResponse,
                format!(
                    "{sent} sent; {error} ({received} byte(s) read, {held} held, cap {MAX_HEAD_BYTES})"
                ),
            ),
        }
    }
}

fn offered_text(offered: &[String]) -> String {
    if offered.is_empty() {
        "no scheme".to_string()
    } else {
        offered.join(", ")
    }
}

fn with_notes(detail: String, notes: &[String]) -> String {
    if notes.is_empty() {
        detail
    } else {
        format!("{}; then {detail}", notes.join("; "))
    }
}
