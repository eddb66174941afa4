//! The wire transcript (SPEC §6 `wire`): what crossed the proxy socket, like the Cisco
//! note's tcpdump — each connect, write, read, TLS step, FIN, RST and timeout with its time
//! since the probe started, its direction and its byte count. Only counts and the proxy's
//! status line are kept: never a request header (they hold `Proxy-Authorization`), never a
//! payload byte.

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use utoipa::ToSchema;

/// Events kept from the start of the probe; later ones go to the tail.
pub const HEAD_EVENTS: usize = 384;
/// Events kept from the end; older ones beyond both are only counted, so a proxy that
/// drips one byte per read cannot grow the report without bound.
pub const TAIL_EVENTS: usize = 127;
/// At most this many events in a report (the marker for the left-out ones included).
pub const MAX_EVENTS: usize = HEAD_EVENTS + TAIL_EVENTS + 1;

/// Which way the bytes went, seen from this host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From this host toward the proxy.
    Out,
    /// From the proxy toward this host.
    In,
    /// Nothing crossed the wire: the probe's own step (a timeout, TLS done, a close).
    Local,
}

impl Direction {
    /// `>`, `<` or `.`, as the transcript lines show it.
    pub fn arrow(self) -> &'static str {
        match self {
            Direction::Out => ">",
            Direction::In => "<",
            Direction::Local => ".",
        }
    }
}

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WireKind {
    /// The TCP handshake with the proxy completed.
    Connect,
    /// The TCP handshake failed (`note`: the error kind).
    ConnectFailed,
    /// Bytes written to the socket.
    Write,
    /// Bytes read from the socket.
    Read,
    /// The proxy's response head (`note`: its status line only).
    ResponseHead,
    /// The TLS handshake through the tunnel completed (`note`: the version).
    TlsHandshake,
    /// The server sent a TLS alert (`note`: its description).
    TlsAlert,
    /// A FIN: the peer's end of stream (`in`) or this host's shutdown (`out`).
    Fin,
    /// The connection was reset.
    Rst,
    /// Another socket error (`note`: its kind).
    Error,
    /// A limit passed while waiting (`note`: the limit).
    Timeout,
    /// The probe let go of the socket without a shutdown first (the kernel sends the FIN,
    /// or an RST when unread bytes remain).
    Close,
    /// Events left out in the middle: `omitted` of them, `bytes` in all.
    Omitted,
}

impl WireKind {
    pub const ALL: [WireKind; 13] = [
        WireKind::Connect,
        WireKind::ConnectFailed,
        WireKind::Write,
        WireKind::Read,
        WireKind::ResponseHead,
        WireKind::TlsHandshake,
        WireKind::TlsAlert,
        WireKind::Fin,
        WireKind::Rst,
        WireKind::Error,
        WireKind::Timeout,
        WireKind::Close,
        WireKind::Omitted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WireKind::Connect => "connect",
            WireKind::ConnectFailed => "connect_failed",
            WireKind::Write => "write",
            WireKind::Read => "read",
            WireKind::ResponseHead => "response_head",
            WireKind::TlsHandshake => "tls_handshake",
            WireKind::TlsAlert => "tls_alert",
            WireKind::Fin => "fin",
            WireKind::Rst => "rst",
            WireKind::Error => "error",
            WireKind::Timeout => "timeout",
            WireKind::Close => "close",
            WireKind::Omitted => "omitted",
        }
    }
}

/// One line of the transcript.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WireEvent {
    /// Milliseconds since the probe started (microsecond precision).
    pub t_ms: f64,
    pub dir: Direction,
    pub kind: WireKind,
    /// Bytes that crossed the wire (0 for events that carry none).
    pub bytes: u64,
    /// This host's end of the connection (`127.0.0.1:50812`), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local: Option<String>,
    /// The proxy's end (`127.0.0.1:3128`), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<String>,
    /// A status line, a TLS version, an error kind or a limit; never payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// How many events an `omitted` marker stands for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub omitted: Option<u64>,
}

impl WireEvent {
    /// `127.0.0.1:50812 → 127.0.0.1:3128`: source first, as tcpdump writes it; empty when
    /// the event names no socket.
    pub fn ends(&self) -> String {
        match (&self.local, &self.remote, self.dir) {
            (Some(l), Some(r), Direction::In) => format!("{r} → {l}"),
            (Some(l), Some(r), _) => format!("{l} → {r}"),
            (None, Some(r), _) => format!("→ {r}"),
            _ => String::new(),
        }
    }
}

/// The two ends of a connection, as the events name them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Link {
    pub local: Option<String>,
    pub remote: Option<String>,
}

impl Link {
    pub fn new(local: SocketAddr, remote: SocketAddr) -> Link {
        Link {
            local: Some(local.to_string()),
            remote: Some(remote.to_string()),
        }
    }
}

/// What the recorder holds: the first events, the last ones, and a count of those between.
#[derive(Debug)]
struct Log {
    started: Instant,
    head: Vec<WireEvent>,
    tail: VecDeque<WireEvent>,
    omitted: u64,
    omitted_bytes: u64,
    omitted_at: f64,
}

impl Log {
    fn push(&mut self, event: WireEvent) {
        if self.head.len() < HEAD_EVENTS {
            self.head.push(event);
            return;
        }
        if self.tail.len() == TAIL_EVENTS {
            if let Some(old) = self.tail.pop_front() {
                self.omitted += 1;
                self.omitted_bytes += old.bytes;
                self.omitted_at = old.t_ms;
            }
        }
        self.tail.push_back(event);
    }

    fn events(&self) -> Vec<WireEvent> {
        let mut out = self.head.clone();
        if self.omitted > 0 {
            out.push(WireEvent {
                t_ms: self.omitted_at,
                dir: Direction::Local,
                kind: WireKind::Omitted,
                bytes: self.omitted_bytes,
                local: None,
                remote: None,
                note: None,
                omitted: Some(self.omitted),
            });
        }
        out.extend(self.tail.iter().cloned());
        out
    }
}

/// The probe's transcript, shared cheaply by the engine and every recorded socket.
#[derive(Clone, Debug)]
pub struct Recorder(Arc<Mutex<Log>>);

impl Recorder {
    /// A transcript whose times count from `started`.
    pub fn new(started: Instant) -> Recorder {
        Recorder(Arc::new(Mutex::new(Log {
            started,
            head: Vec::new(),
            tail: VecDeque::new(),
            omitted: 0,
            omitted_bytes: 0,
            omitted_at: 0.0,
        })))
    }

    /// Adds one event, timed now.
    pub fn add(
        &self,
        link: &Link,
        dir: Direction,
        kind: WireKind,
        bytes: u64,
        note: Option<String>,
    ) {
        // A poisoned lock only loses the transcript, never the probe.
        let Ok(mut log) = self.0.lock() else { return };
        let t_ms = micros_as_ms(log.started.elapsed());
        log.push(WireEvent {
            t_ms,
            dir,
            kind,
            bytes,
            local: link.local.clone(),
            remote: link.remote.clone(),
            note,
            omitted: None,
        });
    }

    /// The transcript so far, in order (with the marker for left-out events).
    pub fn events(&self) -> Vec<WireEvent> {
        self.0.lock().map(|log| log.events()).unwrap_or_default()
    }

    /// `inner` with every read, write, end and error recorded as it crosses.
    pub fn stream<S>(&self, inner: S, link: Link) -> Recorded<S> {
        Recorded {
            inner,
            link,
            recorder: self.clone(),
            fin_in: false,
            fin_out: false,
        }
    }
}

/// Milliseconds, rounded to the microsecond.
fn micros_as_ms(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

/// A socket whose traffic is written into the transcript: byte counts of reads and
/// writes, the peer's FIN (a read of 0), this host's FIN (shutdown), resets and errors.
#[derive(Debug)]
pub struct Recorded<S> {
    inner: S,
    link: Link,
    recorder: Recorder,
    fin_in: bool,
    fin_out: bool,
}

impl<S> Recorded<S> {
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The connection's two ends, for events said about it from outside.
    pub fn link(&self) -> &Link {
        &self.link
    }

    fn add(&self, dir: Direction, kind: WireKind, bytes: u64, note: Option<String>) {
        self.recorder.add(&self.link, dir, kind, bytes, note);
    }

    /// A failed socket call: a reset is the peer's RST, anything else an error.
    fn failed(&self, e: &io::Error) {
        if is_reset_kind(e.kind()) {
            self.add(
                Direction::In,
                WireKind::Rst,
                0,
                Some(format!("{:?}", e.kind())),
            );
        } else {
            self.add(
                Direction::Local,
                WireKind::Error,
                0,
                Some(format!("{:?}", e.kind())),
            );
        }
    }
}

fn is_reset_kind(kind: io::ErrorKind) -> bool {
    matches!(
        kind,
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
    )
}

impl<S> Drop for Recorded<S> {
    fn drop(&mut self) {
        if !self.fin_out {
            self.add(Direction::Local, WireKind::Close, 0, None);
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Recorded<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let room = buf.remaining() > 0;
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        match &polled {
            Poll::Ready(Ok(())) => {
                let n = (buf.filled().len() - before) as u64;
                if n > 0 {
                    this.add(Direction::In, WireKind::Read, n, None);
                } else if room && !this.fin_in {
                    this.fin_in = true;
                    this.add(Direction::In, WireKind::Fin, 0, None);
                }
            }
            Poll::Ready(Err(e)) => this.failed(e),
            Poll::Pending => {}
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Recorded<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write(cx, buf);
        match &polled {
            Poll::Ready(Ok(n)) if *n > 0 => {
                this.add(Direction::Out, WireKind::Write, *n as u64, None);
            }
            Poll::Ready(Err(e)) => this.failed(e),
            _ => {}
        }
        polled
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_shutdown(cx);
        match &polled {
            Poll::Ready(Ok(())) if !this.fin_out => {
                this.fin_out = true;
                this.add(Direction::Out, WireKind::Fin, 0, None);
            }
            Poll::Ready(Err(e)) => this.failed(e),
            _ => {}
        }
        polled
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn kinds(events: &[WireEvent]) -> Vec<(Direction, WireKind, u64)> {
        events.iter().map(|e| (e.dir, e.kind, e.bytes)).collect()
    }

    #[tokio::test]
    async fn reads_writes_and_both_fins_are_recorded_with_their_byte_counts() {
        let rec = Recorder::new(Instant::now());
        let (a, mut peer) = tokio::io::duplex(64);
        let link = Link::new(
            "127.0.0.1:50812".parse().unwrap(),
            "127.0.0.1:3128".parse().unwrap(),
        );
        let mut s = rec.stream(a, link);
        s.write_all(b"CONNECT x:443 HTTP/1.1\r\n\r\n")
            .await
            .unwrap();
        let mut got = [0u8; 26];
        peer.read_exact(&mut got).await.unwrap();
        peer.write_all(b"HTTP/1.1 200 OK\r\n\r\n").await.unwrap();
        let mut back = [0u8; 64];
        let n = s.read(&mut back).await.unwrap();
        s.shutdown().await.unwrap();
        drop(peer);
        assert_eq!(s.read(&mut back).await.unwrap(), 0);
        assert_eq!(
            s.read(&mut back).await.unwrap(),
            0,
            "a second EOF is no new FIN"
        );
        drop(s);
        let events = rec.events();
        assert_eq!(
            kinds(&events),
            [
                (Direction::Out, WireKind::Write, 26),
                (Direction::In, WireKind::Read, n as u64),
                (Direction::Out, WireKind::Fin, 0),
                (Direction::In, WireKind::Fin, 0),
            ],
            "a socket shut down first has no close event"
        );
        assert_eq!(events[0].local.as_deref(), Some("127.0.0.1:50812"));
        assert_eq!(events[0].remote.as_deref(), Some("127.0.0.1:3128"));
        assert!(events.windows(2).all(|w| w[0].t_ms <= w[1].t_ms));
        assert!(
            events.iter().all(|e| e.note.is_none()),
            "no payload in notes"
        );
    }

    /// A stream whose every call fails with `kind`.
    struct Failing(io::ErrorKind);

    impl AsyncRead for Failing {
        fn poll_read(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            _: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            Poll::Ready(Err(self.0.into()))
        }
    }

    impl AsyncWrite for Failing {
        fn poll_write(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            _: &[u8],
        ) -> Poll<io::Result<usize>> {
            Poll::Ready(Err(self.0.into()))
        }
        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Err(self.0.into()))
        }
    }

    #[tokio::test]
    async fn a_reset_is_an_rst_other_errors_are_errors_and_a_drop_is_a_close() {
        let rec = Recorder::new(Instant::now());
        let mut s = rec.stream(Failing(io::ErrorKind::ConnectionReset), Link::default());
        let _ = s.read(&mut [0u8; 4]).await;
        let _ = s.write(b"x").await;
        drop(s);
        let mut s = rec.stream(Failing(io::ErrorKind::PermissionDenied), Link::default());
        let _ = s.read(&mut [0u8; 4]).await;
        drop(s);
        let events = rec.events();
        assert_eq!(
            kinds(&events),
            [
                (Direction::In, WireKind::Rst, 0),
                (Direction::In, WireKind::Rst, 0),
                (Direction::Local, WireKind::Close, 0),
                (Direction::Local, WireKind::Error, 0),
                (Direction::Local, WireKind::Close, 0),
            ]
        );
        assert_eq!(events[3].note.as_deref(), Some("PermissionDenied"));
    }

    #[tokio::test]
    async fn a_drip_of_one_byte_reads_keeps_the_first_and_last_events_and_counts_the_rest() {
        let rec = Recorder::new(Instant::now());
        let (a, mut peer) = tokio::io::duplex(4);
        let mut s = rec.stream(a, Link::default());
        let total = 2000u64;
        let mut one = [0u8; 1];
        for _ in 0..total {
            peer.write_all(b"z").await.unwrap();
            s.read_exact(&mut one).await.unwrap();
        }
        drop(peer);
        assert_eq!(s.read(&mut one).await.unwrap(), 0);
        let events = rec.events();
        assert_eq!(events.len(), MAX_EVENTS);
        let marker = &events[HEAD_EVENTS];
        assert_eq!(marker.kind, WireKind::Omitted);
        let kept_reads = (MAX_EVENTS - 2) as u64; // all but the marker and the FIN
        assert_eq!(marker.omitted, Some(total - kept_reads));
        assert_eq!(
            marker.bytes,
            total - kept_reads,
            "one byte per left-out read"
        );
        assert_eq!(
            events.last().map(|e| e.kind),
            Some(WireKind::Fin),
            "the end is kept"
        );
        let read: u64 = events
            .iter()
            .filter(|e| e.kind == WireKind::Read)
            .map(|e| e.bytes)
            .sum();
        assert_eq!(read + marker.bytes, total, "every byte is accounted for");
    }

    #[test]
    fn the_json_names_directions_and_kinds_in_snake_case_and_omits_empty_fields() {
        let event = WireEvent {
            t_ms: 0.412,
            dir: Direction::Out,
            kind: WireKind::ResponseHead,
            bytes: 0,
            local: None,
            remote: None,
            note: Some("HTTP/1.1 200 OK".into()),
            omitted: None,
        };
        let json = serde_json::to_string(&event).unwrap();
        assert_eq!(
            json,
            r#"{"t_ms":0.412,"dir":"out","kind":"response_head","bytes":0,"note":"HTTP/1.1 200 OK"}"#
        );
        let back: WireEvent = serde_json::from_str(&json).unwrap();
        assert_eq!(back, event);
        for kind in [WireKind::Connect, WireKind::TlsAlert, WireKind::Omitted] {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
    }
}
