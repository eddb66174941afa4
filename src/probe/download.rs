//! The `download` stage's body reading: how the answer says its body ends (length, chunked
//! or the close), a pure counter that follows that framing up to `--max-filesize`, and the
//! async loop that feeds it under the read timeout and says how the body ended.

use std::io;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::time::{Instant, timeout};
use utoipa::ToSchema;

use super::head::ResponseHead;

/// The default `--max-filesize`: 8 MiB (SPEC §6).
pub const DEFAULT_MAX_FILESIZE: u64 = 8 * 1024 * 1024;

/// Longest chunk-size line or trailer line accepted (curl allows 16 hex digits plus
/// extensions; a line this long is not a chunked body).
const MAX_CHUNK_LINE: usize = 4096;
/// Most trailer bytes accepted after the last chunk.
const MAX_TRAILER: usize = 16 * 1024;

/// What the download showed (the report's `download`): the answer's status, the body bytes
/// that came, the length announced, and the pace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DownloadFacts {
    pub status: u16,
    /// Body bytes received (never more than `--max-filesize`).
    pub bytes: u64,
    /// The body length the answer announced (`Content-Length`), if it did.
    pub expected: Option<u64>,
    pub elapsed_ms: f64,
    /// `bytes` over the stage's time, like curl's `speed_download`.
    pub bytes_per_sec: u64,
    /// The body was longer than `--max-filesize`: reading stopped at the limit (stated,
    /// not a failure, as curl states it).
    pub limited: bool,
}

/// How the body's end is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// `Content-Length` bytes.
    Length(u64),
    /// `Transfer-Encoding: chunked`, up to the zero-size chunk and its trailer.
    Chunked,
    /// Neither: the body ends when the server closes the connection.
    UntilClose,
}

impl Framing {
    /// The length announced, if any.
    pub fn expected(self) -> Option<u64> {
        match self {
            Framing::Length(n) => Some(n),
            Framing::Chunked | Framing::UntilClose => None,
        }
    }
}

/// The framing of the body that follows `head`, the answer to a `GET` (RFC 9112 §6.3).
pub fn framing(head: &ResponseHead) -> Framing {
    if matches!(head.status, 100..=199 | 204 | 304) {
        return Framing::Length(0);
    }
    if let Some(te) = head.value("Transfer-Encoding") {
        let last = te.rsplit(',').next().unwrap_or("").trim();
        return if last.eq_ignore_ascii_case("chunked") {
            Framing::Chunked
        } else {
            Framing::UntilClose
        };
    }
    head.content_length()
        .map_or(Framing::UntilClose, Framing::Length)
}

/// Why a chunked body could not be followed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("a chunk size is not a hexadecimal number")]
    BadChunkSize,
    #[error("a chunk does not end with CRLF")]
    BadChunkEnd,
    #[error("a chunk-size or trailer line is longer than {MAX_CHUNK_LINE} bytes")]
    LineTooLong,
}

/// What one [`Body::push`] led to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The body goes on.
    More,
    /// The body ended as its framing says.
    Done,
    /// `max` body bytes came before the end: reading stops here.
    Limited,
}

/// Where a chunked body stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Chunk {
    /// Reading the size line; `size` so far, `digits` seen, `ext` once past them.
    Size { size: u64, digits: u32, ext: bool },
    /// `left` data bytes of the current chunk.
    Data { left: u64 },
    /// The CRLF after a chunk's data (`cr` once the CR came).
    DataEnd { cr: bool },
    /// Trailer lines after the last chunk; `line` bytes on the current one.
    Trailer { line: usize },
}

/// Counts the body bytes of one answer, following its framing, up to `max`. Pure: bytes
/// in, a step out; the payload itself is not kept.
#[derive(Clone, Debug)]
pub struct Body {
    framing: Framing,
    max: u64,
    bytes: u64,
    chunk: Chunk,
    /// Bytes on the current chunk-size line, and trailer bytes in all (both capped).
    line: usize,
    trailer: usize,
}

impl Body {
    pub fn new(framing: Framing, max: u64) -> Body {
        Body {
            framing,
            max,
            bytes: 0,
            chunk: Chunk::Size {
                size: 0,
                digits: 0,
                ext: false,
            },
            line: 0,
            trailer: 0,
        }
    }

    /// Body bytes counted so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    pub fn framing(&self) -> Framing {
        self.framing
    }

    /// Whether the body is already complete before any byte (`Content-Length: 0`).
    pub fn is_empty_body(&self) -> bool {
        self.framing == Framing::Length(0)
    }

    /// Takes the next bytes of the stream. Bytes after the body's end are ignored (the
    /// probe sends nothing after the `GET`).
    pub fn push(&mut self, data: &[u8]) -> Result<Step, BodyError> {
        match self.framing {
            Framing::Length(len) => Ok(self.count(len - self.bytes, data.len() as u64, true)),
            Framing::UntilClose => Ok(self.count(u64::MAX, data.len() as u64, false)),
            Framing::Chunked => self.push_chunked(data),
        }
    }

    /// Counts `n` bytes of data of which `left` remain in the framing's current piece;
    /// `ends` when reaching `left` ends the body.
    fn count(&mut self, left: u64, n: u64, ends: bool) -> Step {
        let room = self.max - self.bytes;
        let take = n.min(left);
        if take >= room && room < left {
            self.bytes = self.max;
            return Step::Limited;
        }
        self.bytes += take;
        if ends && take == left {
            Step::Done
        } else {
            Step::More
        }
    }

    fn push_chunked(&mut self, mut data: &[u8]) -> Result<Step, BodyError> {
        while !data.is_empty() {
            if let Chunk::Data { left } = self.chunk {
                let take = left.min(data.len() as u64);
                let room = self.max - self.bytes;
                if take > room || (take == room && room > 0 && left > take) {
                    self.bytes = self.max;
                    return Ok(Step::Limited);
                }
                self.bytes += take;
                data = &data[take as usize..];
                self.chunk = if take == left {
                    Chunk::DataEnd { cr: false }
                } else {
                    Chunk::Data { left: left - take }
                };
                continue;
            }
            let byte = data[0];
            data = &data[1..];
            if self.chunk_byte(byte)? {
                return Ok(Step::Done);
            }
        }
        Ok(Step::More)
    }

    /// One byte outside chunk data; `true` once the trailer's blank line ends the body.
    fn chunk_byte(&mut self, byte: u8) -> Result<bool, BodyError> {
        match self.chunk {
            Chunk::Size { size, digits, ext } => {
                self.line += 1;
                if self.line > MAX_CHUNK_LINE {
                    return Err(BodyError::LineTooLong);
                }
                match (byte, ext) {
                    (b'\n', _) if digits == 0 => return Err(BodyError::BadChunkSize),
                    (b'\n', _) => {
                        self.line = 0;
                        self.chunk = if size == 0 {
                            Chunk::Trailer { line: 0 }
                        } else {
                            Chunk::Data { left: size }
                        };
                    }
                    (b'\r', _) => {}
                    (_, false) if byte.is_ascii_hexdigit() => {
                        let digit = u64::from((byte as char).to_digit(16).unwrap_or(0));
                        let size = size
                            .checked_mul(16)
                            .and_then(|s| s.checked_add(digit))
                            .ok_or(BodyError::BadChunkSize)?;
                        self.chunk = Chunk::Size {
                            size,
                            digits: digits + 1,
                            ext,
                        };
                    }
                    // Extensions (`;name=value`) and whitespace after the size are skipped.
                    (b';' | b' ' | b'\t', _) | (_, true) if digits > 0 => {
                        self.chunk = Chunk::Size {
                            size,
                            digits,
                            ext: true,
                        };
                    }
                    _ => return Err(BodyError::BadChunkSize),
                }
            }
            Chunk::DataEnd { cr } => match byte {
                b'\r' if !cr => self.chunk = Chunk::DataEnd { cr: true },
                b'\n' => {
                    self.chunk = Chunk::Size {
                        size: 0,
                        digits: 0,
                        ext: false,
                    }
                }
                _ => return Err(BodyError::BadChunkEnd),
            },
            Chunk::Trailer { line } => {
                self.trailer += 1;
                if self.trailer > MAX_TRAILER {
                    return Err(BodyError::LineTooLong);
                }
                match byte {
                    b'\n' if line == 0 => return Ok(true),
                    b'\n' => self.chunk = Chunk::Trailer { line: 0 },
                    b'\r' => {}
                    _ => self.chunk = Chunk::Trailer { line: line + 1 },
                }
            }
            Chunk::Data { .. } => {}
        }
        Ok(false)
    }
}

/// How reading the body ended.
#[derive(Debug)]
pub enum End {
    /// The whole body came.
    Complete,
    /// `max` bytes came; the rest was not read.
    Limited,
    /// No byte came for `limit` (the read timeout, or what was left of the whole probe).
    Stalled { limit: Duration },
    /// The connection ended before the framing's end (a FIN, or TLS cut without
    /// close_notify).
    Closed,
    /// A read failed (a reset, most often).
    Failed(io::Error),
    /// A chunked body that does not follow the format.
    Malformed(BodyError),
}

/// Reads the body from `prefix` (bytes already read past the head) and then `stream`,
/// each read within `read` or what is left before `deadline`, until `body` says it ended.
pub async fn read_body<S: AsyncRead + Unpin>(
    stream: &mut S,
    prefix: &[u8],
    body: &mut Body,
    read: Duration,
    deadline: Instant,
) -> End {
    if body.is_empty_body() {
        return End::Complete;
    }
    if !prefix.is_empty() {
        match body.push(prefix) {
            Ok(Step::More) => {}
            Ok(step) => return end_of(step),
            Err(e) => return End::Malformed(e),
        }
    }
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let limit = read.min(deadline.saturating_duration_since(Instant::now()));
        let n = match timeout(limit, stream.read(&mut buf)).await {
            Err(_) => return End::Stalled { limit },
            Ok(Ok(0)) => return at_close(body.framing()),
            Ok(Ok(n)) => n,
            // A TLS stream cut without close_notify: the server's FIN is the end of an
            // until-close body, and an early end of any other.
            Ok(Err(e)) if e.kind() == io::ErrorKind::UnexpectedEof => {
                return at_close(body.framing());
            }
            Ok(Err(e)) => return End::Failed(e),
        };
        match body.push(&buf[..n]) {
            Ok(Step::More) => {}
            Ok(step) => return end_of(step),
            Err(e) => return End::Malformed(e),
        }
    }
}

fn end_of(step: Step) -> End {
    match step {
        Step::Limited => End::Limited,
        Step::Done | Step::More => End::Complete,
    }
}

/// The connection ended: the end of an until-close body, an early end of any other.
fn at_close(framing: Framing) -> End {
    match framing {
        Framing::UntilClose => End::Complete,
        Framing::Length(_) | Framing::Chunked => End::Closed,
    }
}

/// Bytes per second over `elapsed` (0 for no time at all).
pub fn bytes_per_sec(bytes: u64, elapsed: Duration) -> u64 {
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 {
        (bytes as f64 / secs).round() as u64
    } else {
        0
    }
}

/// A byte count as people read it: `512 B`, `2.0 KiB`, `8.0 MiB`.
pub fn human_bytes(n: u64) -> String {
    const KIB: f64 = 1024.0;
    let v = n as f64;
    if v < KIB {
        format!("{n} B")
    } else if v < KIB * KIB {
        format!("{:.1} KiB", v / KIB)
    } else if v < KIB * KIB * KIB {
        format!("{:.1} MiB", v / KIB / KIB)
    } else {
        format!("{:.2} GiB", v / KIB / KIB / KIB)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::head::{HeadParser, Progress};
    use tokio::io::AsyncWriteExt;

    fn head(text: &str) -> ResponseHead {
        match HeadParser::new().push(text.as_bytes()) {
            Ok(Progress::Done { head, .. }) => head,
            other => panic!("{other:?}"),
        }
    }

    /// Feeds `data` in pieces of `step` bytes; the last step and the count.
    fn feed(body: &mut Body, data: &[u8], step: usize) -> (Result<Step, BodyError>, u64) {
        let mut last = Ok(Step::More);
        for piece in data.chunks(step.max(1)) {
            last = body.push(piece);
            if last != Ok(Step::More) {
                break;
            }
        }
        (last, body.bytes())
    }

    #[test]
    fn the_framing_follows_the_answer_head() {
        let f = |h: &str| framing(&head(h));
        assert_eq!(
            f("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n"),
            Framing::Length(12)
        );
        assert_eq!(
            f("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 9\r\n\r\n"),
            Framing::Chunked
        );
        assert_eq!(
            f("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"),
            Framing::UntilClose
        );
        assert_eq!(f("HTTP/1.0 200 OK\r\n\r\n"), Framing::UntilClose);
        assert_eq!(
            f("HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n"),
            Framing::Length(0)
        );
        assert_eq!(f("HTTP/1.1 204 No Content\r\n\r\n"), Framing::Length(0));
    }

    #[test]
    fn a_content_length_body_ends_at_its_length_in_any_split() {
        for step in [1, 3, 10, 100] {
            let mut body = Body::new(Framing::Length(10), 1000);
            assert_eq!(feed(&mut body, b"0123456789", step), (Ok(Step::Done), 10));
        }
        let mut body = Body::new(Framing::Length(10), 1000);
        assert_eq!(body.push(b"01234"), Ok(Step::More));
        assert_eq!(body.bytes(), 5);
    }

    #[test]
    fn a_chunked_body_counts_only_the_data_and_ends_after_the_trailer() {
        let wire =
            b"4\r\nWiki\r\n5;name=x\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-T: 1\r\n\r\n";
        for step in [1, 2, 7, 64] {
            let mut body = Body::new(Framing::Chunked, 1000);
            assert_eq!(feed(&mut body, wire, step), (Ok(Step::Done), 23), "{step}");
        }
        let mut body = Body::new(Framing::Chunked, 1000);
        assert_eq!(feed(&mut body, b"3\nabc\n0\n\n", 1), (Ok(Step::Done), 3));
        let mut body = Body::new(Framing::Chunked, 1000);
        assert_eq!(body.push(b"10\r\n0123"), Ok(Step::More), "half a chunk");
        assert_eq!(body.bytes(), 4);
    }

    #[test]
    fn a_broken_chunked_body_is_refused() {
        for (wire, error) in [
            (&b"zz\r\n"[..], BodyError::BadChunkSize),
            (b"\r\n", BodyError::BadChunkSize),
            (b"3\r\nabcX", BodyError::BadChunkEnd),
            (b"11111111111111111\r\n", BodyError::BadChunkSize),
        ] {
            let mut body = Body::new(Framing::Chunked, 1000);
            assert_eq!(feed(&mut body, wire, 1).0, Err(error), "{wire:?}");
        }
        let mut body = Body::new(Framing::Chunked, 1000);
        let long = format!("1;{}\r\n", "e".repeat(MAX_CHUNK_LINE));
        assert_eq!(body.push(long.as_bytes()), Err(BodyError::LineTooLong));
    }

    #[test]
    fn an_until_close_body_never_ends_by_itself() {
        let mut body = Body::new(Framing::UntilClose, 1000);
        assert_eq!(feed(&mut body, &[7u8; 600], 100), (Ok(Step::More), 600));
    }

    #[test]
    fn the_limit_stops_every_framing_at_exactly_max_bytes() {
        let chunked = b"400\r\n"
            .iter()
            .chain(&[b'a'; 0x400])
            .copied()
            .collect::<Vec<u8>>();
        for (framing, data) in [
            (Framing::Length(5000), vec![1u8; 5000]),
            (Framing::UntilClose, vec![1u8; 5000]),
            (Framing::Chunked, chunked),
        ] {
            for step in [1, 100, 4096] {
                let mut body = Body::new(framing, 1000);
                assert_eq!(
                    feed(&mut body, &data, step),
                    (Ok(Step::Limited), 1000),
                    "{framing:?} {step}"
                );
            }
        }
    }

    #[test]
    fn a_body_exactly_the_limit_is_complete_not_limited() {
        let mut body = Body::new(Framing::Length(1000), 1000);
        assert_eq!(feed(&mut body, &[1u8; 1000], 300), (Ok(Step::Done), 1000));
        let mut body = Body::new(Framing::Chunked, 4);
        assert_eq!(
            feed(&mut body, b"4\r\nabcd\r\n0\r\n\r\n", 1),
            (Ok(Step::Done), 4)
        );
    }

    #[tokio::test]
    async fn the_reader_says_complete_limited_closed_and_stalled() {
        let far = Instant::now() + Duration::from_secs(10);
        let read = Duration::from_millis(100);
        // Content-Length: the prefix and the stream together.
        let (mut a, mut b) = tokio::io::duplex(1024);
        a.write_all(b"6789").await.unwrap();
        let mut body = Body::new(Framing::Length(10), 100);
        let end = read_body(&mut b, b"012345", &mut body, read, far).await;
        assert!(matches!(end, End::Complete), "{end:?}");
        // Until close: the FIN ends it.
        let (mut a, mut b) = tokio::io::duplex(1024);
        a.write_all(&[0u8; 300]).await.unwrap();
        drop(a);
        let mut body = Body::new(Framing::UntilClose, 1000);
        let end = read_body(&mut b, &[], &mut body, read, far).await;
        assert!(
            matches!(end, End::Complete) && body.bytes() == 300,
            "{end:?}"
        );
        // Closed before the length: truncated with the count.
        let (mut a, mut b) = tokio::io::duplex(1024);
        a.write_all(&[0u8; 300]).await.unwrap();
        drop(a);
        let mut body = Body::new(Framing::Length(1000), 5000);
        let end = read_body(&mut b, &[], &mut body, read, far).await;
        assert!(matches!(end, End::Closed) && body.bytes() == 300, "{end:?}");
        // Closed before the chunked terminator.
        let (mut a, mut b) = tokio::io::duplex(1024);
        a.write_all(b"3\r\nabc\r\n").await.unwrap();
        drop(a);
        let mut body = Body::new(Framing::Chunked, 5000);
        let end = read_body(&mut b, &[], &mut body, read, far).await;
        assert!(matches!(end, End::Closed) && body.bytes() == 3, "{end:?}");
        // Silent after some bytes: stalled, at the read limit.
        let (mut a, mut b) = tokio::io::duplex(1024);
        a.write_all(&[0u8; 200]).await.unwrap();
        let mut body = Body::new(Framing::Length(1000), 5000);
        let end = read_body(&mut b, &[], &mut body, read, far).await;
        assert!(
            matches!(end, End::Stalled { limit } if limit == read) && body.bytes() == 200,
            "{end:?}"
        );
        // The limit, with the sender still sending.
        let (mut a, mut b) = tokio::io::duplex(1024);
        let sender = tokio::spawn(async move { while a.write_all(&[0u8; 512]).await.is_ok() {} });
        let mut body = Body::new(Framing::UntilClose, 4000);
        let end = read_body(&mut b, &[], &mut body, read, far).await;
        assert!(
            matches!(end, End::Limited) && body.bytes() == 4000,
            "{end:?}"
        );
        drop(b);
        sender.await.unwrap();
    }

    #[tokio::test]
    async fn the_whole_probe_deadline_shortens_the_read_limit() {
        let (_a, mut b) = tokio::io::duplex(64);
        let mut body = Body::new(Framing::Length(10), 100);
        let soon = Instant::now() + Duration::from_millis(50);
        let end = read_body(&mut b, &[], &mut body, Duration::from_secs(5), soon).await;
        assert!(
            matches!(end, End::Stalled { limit } if limit <= Duration::from_millis(50)),
            "{end:?}"
        );
    }

    #[test]
    fn throughput_and_sizes_read_as_people_say_them() {
        assert_eq!(
            bytes_per_sec(2_000_000, Duration::from_millis(500)),
            4_000_000
        );
        assert_eq!(bytes_per_sec(5, Duration::ZERO), 0);
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(2048), "2.0 KiB");
        assert_eq!(human_bytes(8 * 1024 * 1024), "8.0 MiB");
    }
}
