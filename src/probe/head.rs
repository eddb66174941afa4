//! Incremental parser for an HTTP/1.x response head, bounded in bytes and lines.
//!
//! Bytes are pushed as they arrive; the end of the head is found wherever it falls in a
//! chunk, and whatever follows it is handed back untouched (it belongs to the tunnel).
//! The buffer is allocated once at [`MAX_HEAD_BYTES`] and never grows past it.

use crate::locale::Text;
use crate::locale::{self, Arg};

/// Largest response head accepted (status line, headers and the blank line).
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Most header lines accepted.
pub const MAX_HEADER_LINES: usize = 100;

/// A parsed response head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseHead {
    /// Minor version: `0` for HTTP/1.0, `1` for HTTP/1.1.
    pub minor_version: u8,
    pub status: u16,
    pub reason: String,
    /// Headers in order, names as sent.
    pub headers: Vec<(String, String)>,
}

impl ResponseHead {
    /// `HTTP/1.1 200 Connection established`
    pub fn status_line(&self) -> String {
        let mut line = format!("HTTP/1.{} {}", self.minor_version, self.status);
        if !self.reason.is_empty() {
            line.push(' ');
            line.push_str(&self.reason);
        }
        line
    }

    /// Every value of the header `name` (case-insensitive), in order.
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first value of the header `name`.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn connection_has(&self, token: &str) -> bool {
        self.values("Connection")
            .chain(self.values("Proxy-Connection"))
            .flat_map(|v| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }

    /// Whether the connection can carry another request after this response's body:
    /// not when the proxy says `close`, and for HTTP/1.0 only with an explicit keep-alive.
    pub fn keeps_alive(&self) -> bool {
        if self.connection_has("close") {
            return false;
        }
        self.minor_version >= 1 || self.connection_has("keep-alive")
    }

    /// The body length, when `Content-Length` gives it unambiguously and no
    /// `Transfer-Encoding` overrides it.
    pub fn content_length(&self) -> Option<u64> {
        if self.value("Transfer-Encoding").is_some() {
            return None;
        }
        let mut lengths = self
            .values("Content-Length")
            .map(|v| v.trim().parse::<u64>());
        let first = lengths.next()?.ok()?;
        lengths.all(|l| l == Ok(first)).then_some(first)
    }
}

/// Why a response head was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HeadError {
    #[error("the answer is not HTTP: it starts with {0:?}")]
    NotHttp(String),
    #[error("no end of the response head within {MAX_HEAD_BYTES} bytes")]
    TooLarge,
    #[error("more than {MAX_HEADER_LINES} header lines")]
    TooManyLines,
    #[error("malformed status line {0:?}")]
    BadStatusLine(String),
    #[error("malformed header line {0:?}")]
    BadHeaderLine(String),
}

impl HeadError {
    /// The error in both languages (the English is its `Display`); what the peer sent is
    /// quoted as it came.
    pub fn text(&self) -> Text {
        let quoted = |value: &String| Arg::Same(format!("{value:?}"));
        let (id, args) = match self {
            HeadError::NotHttp(start) => ("probe-head-not-http", [("start", quoted(start))]),
            HeadError::TooLarge => (
                "probe-head-too-large",
                [("max", Arg::same(&MAX_HEAD_BYTES))],
            ),
            HeadError::TooManyLines => (
                "probe-head-too-many-lines",
                [("max", Arg::same(&MAX_HEADER_LINES))],
            ),
            HeadError::BadStatusLine(line) => {
                ("probe-head-bad-status-line", [("line", quoted(line))])
            }
            HeadError::BadHeaderLine(line) => {
                ("probe-head-bad-header-line", [("line", quoted(line))])
            }
        };
        locale::text(id, &args)
    }
}

/// What a push produced.
#[derive(Debug, PartialEq, Eq)]
pub enum Progress {
    /// The head is not complete yet: read more.
    NeedMore,
    /// The head is complete; `rest` is every byte after it, in order.
    Done { head: ResponseHead, rest: Vec<u8> },
}

/// Accumulates bytes until a whole response head is there, within the caps.
#[derive(Debug)]
pub struct HeadParser {
    buf: Vec<u8>,
    newlines: usize,
}

impl Default for HeadParser {
    fn default() -> Self {
        Self::new()
    }
}

impl HeadParser {
    pub fn new() -> Self {
        HeadParser {
            buf: Vec::with_capacity(MAX_HEAD_BYTES),
            newlines: 0,
        }
    }

    /// Bytes held so far (at most [`MAX_HEAD_BYTES`]).
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The buffer's allocation; stays at [`MAX_HEAD_BYTES`].
    pub fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// Takes the next bytes read from the peer.
    pub fn push(&mut self, chunk: &[u8]) -> Result<Progress, HeadError> {
        let old = self.buf.len();
        let take = chunk.len().min(MAX_HEAD_BYTES - old);
        self.buf.extend_from_slice(&chunk[..take]);
        check_prefix(&self.buf)?;
        if let Some(end) = find_head_end(&self.buf, old.saturating_sub(3)) {
            let mut rest = self.buf.split_off(end);
            rest.extend_from_slice(&chunk[take..]);
            let head = parse_head(&self.buf)?;
            return Ok(Progress::Done { head, rest });
        }
        self.newlines += self.buf[old..].iter().filter(|&&b| b == b'\n').count();
        // status line + MAX_HEADER_LINES header lines, and still no blank line
        if self.newlines > MAX_HEADER_LINES + 1 {
            return Err(HeadError::TooManyLines);
        }
        if self.buf.len() >= MAX_HEAD_BYTES {
            return Err(HeadError::TooLarge);
        }
        Ok(Progress::NeedMore)
    }
}

/// Fails as soon as the first bytes cannot begin `HTTP/`, so a non-HTTP peer is caught
/// without waiting for a head that will never come.
fn check_prefix(buf: &[u8]) -> Result<(), HeadError> {
    const PREFIX: &[u8] = b"HTTP/";
    let n = buf.len().min(PREFIX.len());
    if buf[..n] == PREFIX[..n] {
        Ok(())
    } else {
        let shown = &buf[..buf.len().min(32)];
        Err(HeadError::NotHttp(
            String::from_utf8_lossy(shown).into_owned(),
        ))
    }
}

/// The index just past the blank line ending the head (`\r\n\r\n`, or a lenient `\n\n`),
/// looking from `from` on.
fn find_head_end(buf: &[u8], from: usize) -> Option<usize> {
    (from..buf.len()).find_map(|i| {
        if buf[i] != b'\n' {
            return None;
        }
        match &buf[i + 1..] {
            [b'\n', ..] => Some(i + 2),
            [b'\r', b'\n', ..] => Some(i + 3),
            _ => None,
        }
    })
}

fn parse_head(bytes: &[u8]) -> Result<ResponseHead, HeadError> {
    let text = String::from_utf8_lossy(bytes);
    let mut lines = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.is_empty());
    let status_line = lines.next().unwrap_or_default();
    let (minor_version, status, reason) = parse_status_line(status_line)?;
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            // obsolete line folding: continue the previous value
            let (_, value) = headers
                .last_mut()
                .ok_or_else(|| HeadError::BadHeaderLine(line.to_string()))?;
            value.push(' ');
            value.push_str(line.trim());
            continue;
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| HeadError::BadHeaderLine(line.to_string()))?;
        if name.is_empty() || !name.bytes().all(is_token_byte) {
            return Err(HeadError::BadHeaderLine(line.to_string()));
        }
        headers.push((name.to_string(), value.trim().to_string()));
        if headers.len() > MAX_HEADER_LINES {
            return Err(HeadError::TooManyLines);
        }
    }
    Ok(ResponseHead {
        minor_version,
        status,
        reason,
        headers,
    })
}

fn parse_status_line(line: &str) -> Result<(u8, u16, String), HeadError> {
    let bad = || HeadError::BadStatusLine(line.chars().take(80).collect());
    let rest = line.strip_prefix("HTTP/1.").ok_or_else(bad)?;
    let mut chars = rest.chars();
    let minor = chars
        .next()
        .and_then(|c| c.to_digit(10))
        .and_then(|d| u8::try_from(d).ok())
        .ok_or_else(bad)?;
    let rest = chars.as_str().strip_prefix(' ').ok_or_else(bad)?;
    let (code, reason) = match rest.split_once(' ') {
        Some((code, reason)) => (code, reason.trim()),
        None => (rest, ""),
    };
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let status = code.parse::<u16>().map_err(|_| bad())?;
    if !(100..=599).contains(&status) {
        return Err(bad());
    }
    Ok((minor, status, reason.to_string()))
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_head_reads_as_before_in_english_and_is_said_in_chinese() {
        use crate::locale::Lang;
        for (e, id, var, value) in [
            (
                HeadError::NotHttp("SSH-2.0".into()),
                "probe-head-not-http",
                "start",
                r#""SSH-2.0""#,
            ),
            (HeadError::TooLarge, "probe-head-too-large", "max", "16384"),
            (
                HeadError::TooManyLines,
                "probe-head-too-many-lines",
                "max",
                "100",
            ),
            (
                HeadError::BadStatusLine("HTTP/1.1 x".into()),
                "probe-head-bad-status-line",
                "line",
                r#""HTTP/1.1 x""#,
            ),
            (
                HeadError::BadHeaderLine("a\"b".into()),
                "probe-head-bad-header-line",
                "line",
                r#""a\"b""#,
            ),
        ] {
            let t = e.text();
            assert_eq!(t.en, e.to_string(), "{id}: the English is the Display");
            let zh = locale::message(Lang::ZhCn, id, &[(var, value.to_owned())]);
            assert_eq!(t.zh_cn, zh, "{id}");
            assert!(zh != t.en && zh.contains(value), "{id}: {zh}");
        }
    }

    fn done(p: Result<Progress, HeadError>) -> (ResponseHead, Vec<u8>) {
        match p {
            Ok(Progress::Done { head, rest }) => (head, rest),
            other => panic!("expected a complete head, got {other:?}"),
        }
    }

    #[test]
    fn a_complete_head_in_one_chunk_gives_status_reason_and_headers() {
        let mut p = HeadParser::new();
        let (head, rest) = done(
            p.push(b"HTTP/1.1 200 Connection established\r\nVia: 1.1 squid\r\nX-A:  b \r\n\r\n"),
        );
        assert_eq!(head.status, 200);
        assert_eq!(head.minor_version, 1);
        assert_eq!(head.reason, "Connection established");
        assert_eq!(
            head.headers,
            vec![
                ("Via".to_string(), "1.1 squid".to_string()),
                ("X-A".to_string(), "b".to_string())
            ]
        );
        assert!(rest.is_empty());
    }

    #[test]
    fn bytes_after_the_head_in_the_same_chunk_are_kept_for_the_tunnel() {
        let mut p = HeadParser::new();
        let (_, rest) = done(p.push(b"HTTP/1.0 200 OK\r\n\r\n\x16\x03\x01rest"));
        assert_eq!(rest, b"\x16\x03\x01rest");
    }

    #[test]
    fn the_end_of_the_head_is_found_when_split_across_chunks() {
        let whole = b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"x\"\r\n\r\nBODY";
        for split in 1..whole.len() {
            let mut p = HeadParser::new();
            let first = p.push(&whole[..split]).unwrap();
            let (head, rest) = match first {
                Progress::Done { head, rest } => {
                    let mut rest = rest;
                    rest.extend_from_slice(&whole[split..]);
                    (head, rest)
                }
                Progress::NeedMore => done(p.push(&whole[split..])),
            };
            assert_eq!(head.status, 407, "split at {split}");
            assert_eq!(rest, b"BODY", "split at {split}");
        }
    }

    #[test]
    fn one_byte_at_a_time_works() {
        let mut p = HeadParser::new();
        let whole = b"HTTP/1.1 200 OK\r\n\r\n";
        for b in &whole[..whole.len() - 1] {
            assert_eq!(p.push(&[*b]), Ok(Progress::NeedMore));
        }
        let (head, _) = done(p.push(&whole[whole.len() - 1..]));
        assert_eq!(head.status_line(), "HTTP/1.1 200 OK");
    }

    #[test]
    fn bare_line_feeds_are_accepted() {
        let (head, rest) = done(HeadParser::new().push(b"HTTP/1.1 204 No Content\nA: b\n\nX"));
        assert_eq!(head.status, 204);
        assert_eq!(head.value("a"), Some("b"));
        assert_eq!(rest, b"X");
    }

    #[test]
    fn non_http_bytes_are_refused_at_once() {
        let mut p = HeadParser::new();
        assert!(matches!(
            p.push(b"SSH-2.0-OpenSSH_9.2"),
            Err(HeadError::NotHttp(_))
        ));
        let mut p = HeadParser::new();
        assert!(matches!(
            p.push(b"\x15\x03\x01\x00\x02"),
            Err(HeadError::NotHttp(_))
        ));
    }

    #[test]
    fn a_partial_prefix_waits_for_more() {
        assert_eq!(HeadParser::new().push(b"HTT"), Ok(Progress::NeedMore));
    }

    #[test]
    fn malformed_status_lines_are_refused() {
        for bad in [
            &b"HTTP/1.1 20 OK\r\n\r\n"[..],
            b"HTTP/1.1 abc OK\r\n\r\n",
            b"HTTP/2 200\r\n\r\n",
            b"HTTP/1.1200 OK\r\n\r\n",
            b"HTTP/1.1 999 Nope\r\n\r\n",
        ] {
            let r = HeadParser::new().push(bad);
            assert!(
                matches!(r, Err(HeadError::BadStatusLine(_) | HeadError::NotHttp(_))),
                "{:?} gave {r:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn a_status_line_without_reason_is_fine() {
        let (head, _) = done(HeadParser::new().push(b"HTTP/1.1 200\r\n\r\n"));
        assert_eq!(head.reason, "");
        assert_eq!(head.status_line(), "HTTP/1.1 200");
    }

    #[test]
    fn a_header_line_without_colon_is_refused() {
        assert!(matches!(
            HeadParser::new().push(b"HTTP/1.1 200 OK\r\nnonsense\r\n\r\n"),
            Err(HeadError::BadHeaderLine(_))
        ));
    }

    #[test]
    fn an_endless_header_stream_stops_at_the_byte_cap_and_the_buffer_never_grows() {
        let mut p = HeadParser::new();
        assert_eq!(p.capacity(), MAX_HEAD_BYTES);
        let mut result = p.push(b"HTTP/1.1 200 OK\r\nX-Fill: ");
        let filler = [b'a'; 1000];
        let mut pushed = 0;
        while let Ok(Progress::NeedMore) = result {
            result = p.push(&filler);
            pushed += filler.len();
            assert!(p.buffered() <= MAX_HEAD_BYTES);
            assert_eq!(p.capacity(), MAX_HEAD_BYTES);
            assert!(pushed < 1_000_000, "never stopped");
        }
        assert_eq!(result, Err(HeadError::TooLarge));
        assert_eq!(p.buffered(), MAX_HEAD_BYTES);
    }

    #[test]
    fn an_endless_stream_of_short_headers_stops_at_the_line_cap() {
        let mut p = HeadParser::new();
        let mut result = p.push(b"HTTP/1.1 200 OK\r\n");
        let mut n = 0;
        while let Ok(Progress::NeedMore) = result {
            result = p.push(b"A: b\r\n");
            n += 1;
            assert!(n < 10_000);
        }
        assert_eq!(result, Err(HeadError::TooManyLines));
        assert_eq!(n, MAX_HEADER_LINES + 1);
    }

    #[test]
    fn exactly_one_hundred_headers_are_accepted() {
        let mut head = b"HTTP/1.1 200 OK\r\n".to_vec();
        for i in 0..MAX_HEADER_LINES {
            head.extend_from_slice(format!("H{i}: v\r\n").as_bytes());
        }
        head.extend_from_slice(b"\r\n");
        let (parsed, _) = done(HeadParser::new().push(&head));
        assert_eq!(parsed.headers.len(), MAX_HEADER_LINES);
    }

    #[test]
    fn a_big_chunk_with_the_end_past_the_cap_is_refused_without_growing() {
        let mut big = b"HTTP/1.1 200 OK\r\nX: ".to_vec();
        big.resize(MAX_HEAD_BYTES + 100, b'a');
        big.extend_from_slice(b"\r\n\r\n");
        let mut p = HeadParser::new();
        assert_eq!(p.push(&big), Err(HeadError::TooLarge));
        assert_eq!(p.capacity(), MAX_HEAD_BYTES);
    }

    #[test]
    fn keep_alive_follows_the_version_and_connection_headers() {
        let parse = |b: &[u8]| done(HeadParser::new().push(b)).0;
        assert!(parse(b"HTTP/1.1 407 x\r\n\r\n").keeps_alive());
        assert!(!parse(b"HTTP/1.1 407 x\r\nConnection: close\r\n\r\n").keeps_alive());
        assert!(!parse(b"HTTP/1.1 407 x\r\nProxy-Connection: Close\r\n\r\n").keeps_alive());
        assert!(!parse(b"HTTP/1.0 407 x\r\n\r\n").keeps_alive());
        assert!(parse(b"HTTP/1.0 407 x\r\nProxy-Connection: keep-alive\r\n\r\n").keeps_alive());
    }

    #[test]
    fn content_length_is_trusted_only_when_unambiguous() {
        let parse = |b: &[u8]| done(HeadParser::new().push(b)).0;
        assert_eq!(
            parse(b"HTTP/1.1 407 x\r\nContent-Length: 12\r\n\r\n").content_length(),
            Some(12)
        );
        assert_eq!(
            parse(b"HTTP/1.1 407 x\r\nContent-Length: 12\r\nContent-Length: 13\r\n\r\n")
                .content_length(),
            None
        );
        assert_eq!(
            parse(b"HTTP/1.1 407 x\r\nContent-Length: 12\r\nTransfer-Encoding: chunked\r\n\r\n")
                .content_length(),
            None
        );
    }
}
