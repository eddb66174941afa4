//! The connect stage: the CONNECT request, the proxy's answer, and the 407 rounds
//! (answering, keeping or reopening the connection) until the tunnel opens or cannot.

use std::net::SocketAddr;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout};

use super::{Probe, io_code};
use crate::i18n::{Text, io_reason};
use crate::probe::auth::{self, Decision, Rounds};
use crate::probe::diagnosis::{DiagnosisCode, offered_in};
use crate::probe::head::MAX_HEAD_BYTES;
use crate::probe::hostport::{authority, is_valid_host};
use crate::probe::report::{ConnectResponse, StageName};
use crate::probe::request::{connect_line, connect_request};
use crate::probe::wire::{HeadReadError, MAX_DISCARD, discard_body, read_head};
use crate::tr;

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
            let detail = tr!(
                "the target {host:?} is not a valid host name; nothing was sent",
                "目标 {host:?} 不是有效的主机名；未发送任何内容"
            );
            return self.fail(StageName::Connect, t0, DiagnosisCode::BadRequest, detail);
        }
        let target_authority = authority(&host, port);
        let mut rounds = Rounds::new();
        let mut authorization: Option<String> = None;
        let mut notes: Vec<Text> = Vec::new();
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
                        notes.push(tr!(
                            "the kept-alive connection failed ({why})",
                            "保持的连接已失效（{why}）";
                            why = io_reason(&e)
                        ));
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
                            tr!(
                                "{line} could not be sent: {why}",
                                "无法发送 {line}：{why}";
                                why = io_reason(&e)
                            ),
                        );
                    }
                    Err(_) => {
                        let detail = tr!(
                            "{line} could not be sent within {limit}",
                            "未能在 {limit}内发送 {line}";
                            limit = self.limit_text()
                        );
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
                    notes.push(tr!(
                        "the proxy closed the kept-alive connection",
                        "代理关闭了保持的连接"
                    ));
                    stream = self.reopen(addrs, t0, &mut notes).await?;
                    reused = false;
                    continue;
                }
                Err(e) => {
                    let proxy = tr!("the proxy", "代理");
                    let (code, detail) = self.head_failure(&line, e, &proxy);
                    return self.fail(StageName::Connect, t0, code, with_notes(detail, &notes));
                }
            };
            let status_line = head.status_line();
            self.status_line = Some(status_line.clone());
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
                    let detail = with_notes(answered(&line, &status_line), &notes);
                    self.record(StageName::Connect, t0, true, detail);
                    return Ok((stream, leftover));
                }
                407 => {}
                status => {
                    let detail = with_notes(answered(&line, &status_line), &notes);
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
            let offered = Text::each(|lang| offered_in(lang, &challenges.offered));
            let said = tr!(
                "{line} -> {status_line} (offers {offered})",
                "已发送 {line}，代理应答 {status_line}（提供 {offered}）";
                offered
            );
            let n = match rounds.on_407(credentials.is_some(), &challenges) {
                Decision::Answer(n) => n,
                Decision::Required => {
                    let detail = with_notes(
                        tr!("{said}; no credentials configured", "{said}；未配置凭据"; said),
                        &notes,
                    );
                    return self.fail(
                        StageName::Connect,
                        t0,
                        DiagnosisCode::ProxyAuthRequired,
                        detail,
                    );
                }
                Decision::Failed => {
                    let n = rounds.answered();
                    let detail = with_notes(
                        tr!(
                            "{said}; still refused after {n} answer(s)",
                            "{said}；应答 {n} 次后仍被拒绝";
                            said
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
                    let detail = with_notes(
                        tr!("{said}; NTLM/Negotiate only", "{said}；仅支持 NTLM/Negotiate"; said),
                        &notes,
                    );
                    return self.fail(
                        StageName::Connect,
                        t0,
                        DiagnosisCode::NtlmUnsupported,
                        detail,
                    );
                }
                Decision::Unsupported => {
                    let detail = with_notes(
                        tr!(
                            "{said}; no scheme the probe can answer",
                            "{said}；没有探测能够应答的身份验证方式";
                            said
                        ),
                        &notes,
                    );
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
                    let scheme = scheme.describe();
                    notes.push(tr!(
                        "{said}; answered with {scheme} (round {n})",
                        "{said}；已使用 {scheme} 应答（第 {n} 轮）";
                        said
                    ));
                }
                Err(why) => {
                    let detail = with_notes(
                        tr!("{said}; cannot answer: {why}", "{said}；无法应答：{why}"; said, why),
                        &notes,
                    );
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
                    notes.push(tr!(
                        "the proxy does not keep the connection after its 407",
                        "代理在发送 407 后未保持连接"
                    ));
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
        notes: &mut Vec<Text>,
    ) -> Result<TcpStream, DiagnosisCode> {
        match self.open(addrs).await {
            Ok((stream, local, remote)) => {
                notes.push(tr!(
                    "reconnected {local} -> {remote}",
                    "已重新连接 {local} -> {remote}"
                ));
                Ok(stream)
            }
            Err((code, detail)) => {
                let detail = with_notes(
                    tr!("reconnecting failed: {detail}", "重新连接失败：{detail}"; detail),
                    notes,
                );
                self.fail(StageName::Connect, t0, code, detail)
            }
        }
    }

    /// Code and words for a response head that did not come from `who`.
    pub(super) fn head_failure(
        &self,
        sent: &str,
        e: HeadReadError,
        who: &Text,
    ) -> (DiagnosisCode, Text) {
        match e {
            HeadReadError::Timeout { received } => (
                DiagnosisCode::ProxyNoResponse,
                tr!(
                    "{sent} sent; {received} byte(s) back and no complete answer within {limit}",
                    "已发送 {sent}；收到 {received} 字节，{limit}内没有完整的应答";
                    limit = self.limit_text()
                ),
            ),
            HeadReadError::Closed { received } => (
                DiagnosisCode::ProxyNoResponse,
                tr!(
                    "{sent} sent; {who} closed the connection after {received} byte(s) without a complete answer",
                    "已发送 {sent}；{who}在发送 {received} 字节后关闭了连接，没有完整的应答";
                    who
                ),
            ),
            HeadReadError::Io { error, received } => (
                io_code(&error, DiagnosisCode::ProxyNoResponse),
                tr!(
                    "{sent} sent; {why} after {received} byte(s)",
                    "已发送 {sent}；收到 {received} 字节后出错：{why}";
                    why = io_reason(&error)
                ),
            ),
            HeadReadError::Malformed {
                error,
                received,
                held,
            } => (
                DiagnosisCode::MalformedResponse,
                tr!(
                    "{sent} sent; {why} ({received} byte(s) read, {held} held, cap {MAX_HEAD_BYTES})",
                    "已发送 {sent}；{why}（已读取 {received} 字节，保留 {held} 字节，上限 {MAX_HEAD_BYTES} 字节）";
                    why = error.text()
                ),
            ),
        }
    }
}

/// `CONNECT a:443 HTTP/1.1 -> HTTP/1.1 403 Forbidden`: what was sent, what came back.
fn answered(line: &str, status_line: &str) -> Text {
    tr!(
        "{line} -> {status_line}",
        "已发送 {line}，代理应答 {status_line}"
    )
}

/// The notes of earlier rounds, then the stage's last word.
fn with_notes(detail: Text, notes: &[Text]) -> Text {
    if notes.is_empty() {
        detail
    } else {
        let notes = Text::join(notes, "; ", "；");
        tr!("{notes}; then {detail}", "{notes}；随后{detail}"; notes, detail)
    }
}
