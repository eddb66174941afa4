//! The one accept loop for HTTP and HTTPS: a cap on concurrent connections (making room by
//! closing the oldest one that has no request in flight), timeouts for the TLS handshake and
//! each request head (idle keep-alive included), and a back-off when `accept` fails (out of
//! file descriptors) instead of a spin. TLS is one extra step on the accepted stream.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

/// How long a client may take over each step, and how many may be connected at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Connections served at once. When all are taken, the oldest one waiting for a request
    /// is closed to make room; when every one has a request in flight, new ones wait.
    pub max_connections: usize,
    /// Time to send a whole request head. Hyper starts this clock whenever a connection
    /// waits for its next request, so it is also the idle keep-alive timeout.
    pub header_read: Duration,
    /// Time to finish the TLS handshake.
    pub tls_handshake: Duration,
}

pub const DEFAULT_MAX_CONNECTIONS: u32 = 256;
pub const DEFAULT_HEADER_READ: Duration = Duration::from_secs(10);

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: DEFAULT_MAX_CONNECTIONS as usize,
            header_read: DEFAULT_HEADER_READ,
            tls_handshake: Duration::from_secs(10),
        }
    }
}

/// Serve `app` on `listener` (over TLS when `tls` is given) until `shutdown`, then stop
/// accepting and let open connections finish their requests.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    tls: Option<TlsAcceptor>,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let live = Arc::new(Live::default());
    let mut backoff = Backoff::default();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (tcp, peer) = match accepted {
            Ok(pair) => {
                backoff.succeeded();
                pair
            }
            Err(e) => {
                // Out of descriptors, a connection that only holds one gives it up, as when
                // all slots are taken (below).
                let made_room = !only_this_connection(&e) && live.close_oldest_waiting();
                let wait = backoff.failed(&e, made_room, Instant::now());
                tokio::select! {
                    () = tokio::time::sleep(wait) => continue,
                    () = &mut shutdown => break,
                }
            }
        };
        let slot = match slots.clone().try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                // Full. Clients that hold sockets without sending a request (half-sent
                // heads, idle keep-alive, stalled handshakes) make room for new ones, oldest
                // first, so an attacker holding every slot cannot keep the admin out. When
                // every connection is busy with a request, this one waits for a slot and
                // the next ones wait in the kernel's backlog, holding no descriptor here.
                live.close_oldest_waiting();
                tokio::select! {
                    slot = slots.clone().acquire_owned() => match slot {
                        Ok(slot) => slot,
                        Err(_) => break, // never closed
                    },
                    () = &mut shutdown => break,
                }
            }
        };
        let conn = Conn {
            app: app.clone(),
            peer,
            limits,
            watcher: graceful.watcher(),
            entry: live.add(),
            _slot: slot,
        };
        tokio::spawn(conn.run(tcp, tls.clone()));
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// One accepted connection, its place in [`Live`] and the slot it holds until it ends.
struct Conn {
    app: Router,
    peer: SocketAddr,
    limits: Limits,
    watcher: Watcher,
    entry: Entry,
    _slot: OwnedSemaphorePermit,
}

impl Conn {
    async fn run(self, tcp: TcpStream, tls: Option<TlsAcceptor>) {
        let state = self.entry.state.clone();
        let peer = self.peer;
        let mut served = std::pin::pin!(self.serve(tcp, tls));
        loop {
            tokio::select! {
                () = &mut served => return,
                () = state.close.notified() => {
                    // A request may have begun since it was picked: let that one finish.
                    if state.waiting() {
                        tracing::debug!(%peer, "closed to make room for a new connection");
                        return;
                    }
                }
            }
        }
    }

    async fn serve(self, tcp: TcpStream, tls: Option<TlsAcceptor>) {
        // Small requests and answers: do not wait to fill a segment.
        let _ = tcp.set_nodelay(true);
        let Some(acceptor) = tls else {
            return self.http(tcp).await;
        };
        match tokio::time::timeout(self.limits.tls_handshake, acceptor.accept(tcp)).await {
            Ok(Ok(stream)) => self.http(stream).await,
            Ok(Err(e)) => tracing::debug!(peer = %self.peer, error = %e, "TLS handshake failed"),
            Err(_) => tracing::debug!(peer = %self.peer, "TLS handshake timed out"),
        }
    }

    /// HTTP/1.1 on `io`, each request carrying the client's address as `ConnectInfo` and
    /// counted in flight until its response body is sent.
    async fn http<I>(self, io: I)
    where
        I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let Conn {
            app,
            peer,
            limits,
            watcher,
            entry,
            _slot,
        } = self;
        let state = entry.state.clone();
        let service =
            hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                let in_flight = InFlight::start(state.clone());
                let response = app.clone().oneshot(req);
                async move {
                    let response = response.await?;
                    Ok::<_, Infallible>(response.map(|body| TrackedBody {
                        inner: body,
                        _in_flight: in_flight,
                    }))
                }
            });
        let conn = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read)
            .serve_connection(TokioIo::new(io), service);
        if let Err(e) = watcher.watch(conn).await {
            tracing::debug!(%peer, error = %e, "connection ended with an error");
        }
    }
}

/// The connections being served, oldest first.
#[derive(Debug, Default)]
struct Live {
    conns: Mutex<BTreeMap<u64, Arc<ConnState>>>,
    next_id: AtomicU64,
}

/// What the accept loop knows of a connection: requests in flight (a connection with none
/// is waiting for a request head), and the signal that asks it to close.
#[derive(Debug, Default)]
struct ConnState {
    in_flight: AtomicUsize,
    close: Notify,
}

impl ConnState {
    fn waiting(&self) -> bool {
        self.in_flight.load(Ordering::SeqCst) == 0
    }
}

impl Live {
    fn add(self: &Arc<Self>) -> Entry {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let state = Arc::new(ConnState::default());
        self.lock().insert(id, state.clone());
        Entry {
            id,
            state,
            live: self.clone(),
        }
    }

    /// Ask the oldest connection without a request in flight to close; false if none.
    fn close_oldest_waiting(&self) -> bool {
        let mut conns = self.lock();
        let oldest = conns
            .iter()
            .find(|(_, state)| state.waiting())
            .map(|(id, _)| *id);
        match oldest.and_then(|id| conns.remove(&id)) {
            Some(state) => {
                state.close.notify_one();
                true
            }
            None => false,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Arc<ConnState>>> {
        // The map stays consistent even if a holder panicked: each step is one insert or
        // remove.
        self.conns.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A connection's place in [`Live`], given up when the connection ends.
#[derive(Debug)]
struct Entry {
    id: u64,
    state: Arc<ConnState>,
    live: Arc<Live>,
}

impl Drop for Entry {
    fn drop(&mut self) {
        self.live.lock().remove(&self.id);
    }
}

/// One request in flight on a connection, from its head until its response body is sent.
#[derive(Debug)]
struct InFlight(Arc<ConnState>);

impl InFlight {
    fn start(state: Arc<ConnState>) -> Self {
        state.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight(state)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A response body that keeps its request counted in flight until hyper drops it (sent,
/// or the connection ended).
struct TrackedBody {
    inner: axum::body::Body,
    _in_flight: InFlight,
}

impl hyper::body::Body for TrackedBody {
    type Data = hyper::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.inner.size_hint()
    }
}

/// Accept errors: the wait before the next try, and when to say so in the log.
///
/// Out of file descriptors, `accept` fails at once and leaves the connection queued, so
/// retrying straight away spins. The wait doubles from 10 ms to 1 s while errors last
/// (10 ms without growing when a waiting connection was closed to free a descriptor);
/// errors about one connection only (reset or aborted before it was accepted) wait not at
/// all. The log gets one line per second at most, with the count of the ones left out.
#[derive(Debug, Default)]
struct Backoff {
    wait: Option<Duration>,
    last_logged: Option<Instant>,
    unlogged: u64,
}

const FIRST_WAIT: Duration = Duration::from_millis(10);
const LONGEST_WAIT: Duration = Duration::from_secs(1);
const LOG_EVERY: Duration = Duration::from_secs(1);

impl Backoff {
    fn succeeded(&mut self) {
        self.wait = None;
    }

    /// The wait after `error`; `made_room` when a connection was just closed to free a
    /// descriptor (then a short wait lets it go, and the wait does not grow).
    fn failed(&mut self, error: &std::io::Error, made_room: bool, now: Instant) -> Duration {
        let wait = if only_this_connection(error) {
            Duration::ZERO
        } else if made_room {
            FIRST_WAIT
        } else {
            let wait = next_wait(self.wait);
            self.wait = Some(wait);
            wait
        };
        if self.should_log(now) {
            tracing::warn!(
                error = %error,
                retry_in_ms = wait.as_millis() as u64,
                not_logged = self.unlogged,
                "accept failed"
            );
            self.unlogged = 0;
        } else {
            self.unlogged += 1;
        }
        wait
    }

    fn should_log(&mut self, now: Instant) -> bool {
        let due = self
            .last_logged
            .is_none_or(|last| now.duration_since(last) >= LOG_EVERY);
        if due {
            self.last_logged = Some(now);
        }
        due
    }
}

fn next_wait(previous: Option<Duration>) -> Duration {
    previous.map_or(FIRST_WAIT, |w| (w * 2).min(LONGEST_WAIT))
}

/// An error that concerns only the connection being accepted; the next one may succeed.
fn only_this_connection(error: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        error.kind(),
        ConnectionAborted | ConnectionReset | ConnectionRefused
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::FutureExt;

    fn emfile() -> std::io::Error {
        std::io::Error::from_raw_os_error(libc::EMFILE)
    }

    #[test]
    fn the_wait_doubles_from_ten_milliseconds_up_to_one_second() {
        let mut waits = vec![];
        let mut previous = None;
        for _ in 0..10 {
            let w = next_wait(previous);
            waits.push(w.as_millis());
            previous = Some(w);
        }
        assert_eq!(
            waits,
            [10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000],
            "grows, then stays at one second"
        );
    }

    #[test]
    fn out_of_file_descriptors_waits_and_a_success_starts_over() {
        let mut b = Backoff::default();
        let now = Instant::now();
        assert_eq!(b.failed(&emfile(), false, now), FIRST_WAIT);
        assert_eq!(b.failed(&emfile(), false, now), FIRST_WAIT * 2);
        assert_eq!(
            b.failed(&emfile(), true, now),
            FIRST_WAIT,
            "a closed connection frees a descriptor at once"
        );
        assert_eq!(b.failed(&emfile(), false, now), FIRST_WAIT * 4);
        b.succeeded();
        assert_eq!(b.failed(&emfile(), false, now), FIRST_WAIT);
    }

    #[test]
    fn a_connection_reset_before_accept_does_not_wait() {
        let mut b = Backoff::default();
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionAborted);
        assert_eq!(b.failed(&reset, false, Instant::now()), Duration::ZERO);
    }

    #[test]
    fn the_log_gets_one_line_per_second_at_most() {
        let mut b = Backoff::default();
        let start = Instant::now();
        let logged = (0..1000)
            .filter(|i| b.should_log(start + Duration::from_millis(i * 3)))
            .count();
        assert_eq!(logged, 3, "at 0 ms, 1002 ms and 2004 ms of three seconds");
    }

    #[test]
    fn room_is_made_by_closing_the_oldest_connection_without_a_request() {
        let live = Arc::new(Live::default());
        let (first, second, third) = (live.add(), live.add(), live.add());
        let busy = InFlight::start(first.state.clone());
        assert!(live.close_oldest_waiting());
        assert!(!first.state.waiting(), "a request in flight is never cut");
        assert!(
            second.state.close.notified().now_or_never().is_some(),
            "the oldest waiting one is asked to close"
        );
        assert!(third.state.close.notified().now_or_never().is_none());
        assert!(live.close_oldest_waiting(), "then the next oldest");
        assert!(!live.close_oldest_waiting(), "only the busy one is left");
        drop(busy);
        assert!(live.close_oldest_waiting(), "once its response is sent");
        drop((first, second, third));
        assert!(live.lock().is_empty());
    }
}
