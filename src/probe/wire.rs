//! Moving bytes with bounds: reading a response head under a deadline, discarding a small
//! body, and a stream that replays bytes already read before the socket's own.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};

use super::head::{HeadError, HeadParser, Progress, ResponseHead};

/// Largest 407 body the probe reads through to keep the connection; bigger ones reconnect.
pub const MAX_DISCARD: u64 = 64 * 1024;

/// Why no response head could be read.
#[derive(Debug)]
pub enum HeadReadError {
    /// The limit passed; `received` bytes had come.
    Timeout {
        received: usize,
    },
    /// The peer closed after `received` bytes.
    Closed {
        received: usize,
    },
    Io {
        error: io::Error,
        received: usize,
    },
    /// Not a valid head; `held` is what the parser kept (never above the cap).
    Malformed {
        error: HeadError,
        received: usize,
        held: usize,
    },
}

/// Reads one response head within `limit` (the whole head, so a drip cannot stretch it).
/// `prefix` holds bytes already read from this stream. Returns the head and the bytes
/// read past it.
pub async fn read_head<S: AsyncRead + Unpin>(
    stream: &mut S,
    prefix: Vec<u8>,
    limit: Duration,
) -> Result<(ResponseHead, Vec<u8>), HeadReadError> {
    let mut parser = HeadParser::new();
    let mut received = prefix.len();
    if !prefix.is_empty() {
        match parser.push(&prefix) {
            Ok(Progress::Done { head, rest }) => return Ok((head, rest)),
            Ok(Progress::NeedMore) => {}
            Err(error) => {
                let held = parser.buffered();
                return Err(HeadReadError::Malformed {
                    error,
                    received,
                    held,
                });
            }
        }
    }
    let reading = async {
        let mut chunk = [0u8; 4096];
        loop {
            let n = match stream.read(&mut chunk).await {
                Ok(n) => n,
                Err(error) => {
                    return Err(HeadReadError::Io { error, received });
                }
            };
            if n == 0 {
                return Err(HeadReadError::Closed { received });
            }
            received += n;
            match parser.push(&chunk[..n]) {
                Ok(Progress::Done { head, rest }) => return Ok((head, rest)),
                Ok(Progress::NeedMore) => {}
                Err(error) => {
                    let held = parser.buffered();
                    return Err(HeadReadError::Malformed {
                        error,
                        received,
                        held,
                    });
                }
            }
        }
    };
    let outcome = tokio::time::timeout(limit, reading).await;
    outcome.unwrap_or(Err(HeadReadError::Timeout { received }))
}

/// Reads and drops a body of `len` bytes (some may already be in `already`) within
/// `limit`. Returns the bytes read past the body, or `None` when the connection cannot
/// be reused.
pub async fn discard_body<S: AsyncRead + Unpin>(
    stream: &mut S,
    mut already: Vec<u8>,
    len: u64,
    limit: Duration,
) -> Option<Vec<u8>> {
    let have = already.len() as u64;
    if have >= len {
        let cut = usize::try_from(len).ok()?;
        return Some(already.split_off(cut));
    }
    let mut left = len - have;
    let reading = async {
        let mut chunk = [0u8; 4096];
        while left > 0 {
            let want = usize::try_from(left.min(chunk.len() as u64)).ok()?;
            let n = stream.read(&mut chunk[..want]).await.ok()?;
            if n == 0 {
                return None;
            }
            left -= n as u64;
        }
        Some(Vec::new())
    };
    tokio::time::timeout(limit, reading).await.ok().flatten()
}

/// A stream that first yields `prefix` (bytes read past the proxy's head) and then
/// the inner stream's own bytes; writes go straight through.
#[derive(Debug)]
pub struct Prefixed<S> {
    prefix: Vec<u8>,
    pos: usize,
    inner: S,
}

impl<S> Prefixed<S> {
    pub fn new(prefix: Vec<u8>, inner: S) -> Self {
        Prefixed {
            prefix,
            pos: 0,
            inner,
        }
    }

    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Prefixed<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.pos < this.prefix.len() {
            let n = buf.remaining().min(this.prefix.len() - this.pos);
            buf.put_slice(&this.prefix[this.pos..this.pos + n]);
            this.pos += n;
            if this.pos == this.prefix.len() {
                this.prefix = Vec::new();
                this.pos = 0;
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Prefixed<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    #[tokio::test]
    async fn the_prefix_is_read_before_the_stream() {
        let (mut a, b) = tokio::io::duplex(64);
        a.write_all(b"world").await.unwrap();
        drop(a);
        let mut p = Prefixed::new(b"hello ".to_vec(), b);
        let mut out = String::new();
        p.read_to_string(&mut out).await.unwrap();
        assert_eq!(out, "hello world");
    }

    #[tokio::test]
    async fn a_head_split_across_writes_is_read_and_the_rest_kept() {
        let (mut a, mut b) = tokio::io::duplex(64);
        tokio::spawn(async move {
            a.write_all(b"HTTP/1.1 200 OK\r\n\r").await.unwrap();
            a.write_all(b"\nTLS").await.unwrap();
        });
        let (head, rest) = read_head(&mut b, Vec::new(), Duration::from_secs(2))
            .await
            .unwrap();
        assert_eq!(head.status, 200);
        assert_eq!(rest, b"TLS");
    }

    #[tokio::test]
    async fn a_silent_peer_times_out_with_the_count_of_bytes_received() {
        let (mut a, mut b) = tokio::io::duplex(64);
        a.write_all(b"HTTP/1.1 2").await.unwrap();
        let err = read_head(&mut b, Vec::new(), Duration::from_millis(50))
            .await
            .unwrap_err();
        assert!(
            matches!(err, HeadReadError::Timeout { received: 10 }),
            "{err:?}"
        );
        drop(a);
    }

    #[tokio::test]
    async fn a_head_already_in_the_prefix_needs_no_read() {
        let (_a, mut b) = tokio::io::duplex(64);
        let (head, rest) = read_head(
            &mut b,
            b"HTTP/1.1 200 OK\r\n\r\nX".to_vec(),
            Duration::from_millis(10),
        )
        .await
        .unwrap();
        assert_eq!((head.status, rest), (200, b"X".to_vec()));
    }

    #[tokio::test]
    async fn a_body_is_discarded_and_what_follows_is_kept() {
        let (mut a, mut b) = tokio::io::duplex(64);
        a.write_all(b"6789").await.unwrap();
        let left = discard_body(&mut b, b"012345".to_vec(), 10, Duration::from_secs(1)).await;
        assert_eq!(left, Some(Vec::new()));
        let left = discard_body(&mut b, b"0123NEXT".to_vec(), 4, Duration::from_secs(1)).await;
        assert_eq!(left, Some(b"NEXT".to_vec()));
        drop(a);
        let left = discard_body(&mut b, Vec::new(), 4, Duration::from_secs(1)).await;
        assert_eq!(left, None);
    }
}
