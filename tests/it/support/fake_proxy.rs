//! Hostile and odd HTTP proxies, scripted per failure mode, on 127.0.0.1. Each runs on its
//! own thread and runtime; dropping it stops it (and every connection it holds).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

/// How the fake answers each connection.
#[derive(Clone, Debug)]
pub enum Script {
    /// Reads the CONNECT, sends these bytes, then holds the connection open.
    Reply(String),
    /// 407 offering only NTLM and Negotiate (two headers).
    NtlmOnly,
    /// 407 Basic to every request, keeping the connection alive.
    BasicAlwaysRejects,
    /// 407 Basic with `Connection: close`, then closes, every time.
    BasicRejectsAndCloses,
    /// 407 with these challenge header values; accepts the first request that carries
    /// `Proxy-Authorization` with a 200 and tunnels to `to`.
    AuthThenTunnel {
        challenges: Vec<String>,
        to: SocketAddr,
    },
    /// Accepts, reads, never answers.
    Silent,
    /// 200, then nothing: the tunnel stays idle.
    OkThenIdle,
    /// 200, then a TCP reset (SO_LINGER 0) on the first byte through the tunnel.
    OkThenReset,
    /// Bytes that are not HTTP.
    Garbage,
    /// A status line followed by header lines without end.
    EndlessHeaders,
    /// `HTTP/1.1 200 Connection established\r\n\r\n`, one byte per second.
    Drip,
    /// Sends `head`, then relays bytes to and from `to` (a real tunnel).
    Tunnel { head: String, to: SocketAddr },
    /// 200, then relays to `to` like `Tunnel`, but once the server has answered (the TLS
    /// handshake under way, so the ClientHello passed) a client write of more than `over`
    /// bytes meets `fate`: the large packet that dies on a small-MTU path.
    LargeWrites {
        to: SocketAddr,
        over: usize,
        fate: Fate,
    },
    /// A proxy that gives up mid-download: answers CONNECT with 200 (or forwards a
    /// plain-HTTP request as it came) and relays to `to`, but after `after` bytes from the
    /// server it meets `cut`: the transfer a size or time limit, or an inspection engine,
    /// stops half-way.
    CutBody {
        to: SocketAddr,
        after: usize,
        cut: Cut,
    },
}

/// How [`Script::CutBody`] stops relaying.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cut {
    /// Nothing more is relayed either way; the connection stays open (a stall).
    Stall,
    /// The connection to the client is closed with a FIN (a truncation).
    Close,
}

/// What happens to a large client write in [`Script::LargeWrites`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Never relayed, and nothing after it either; the connection stays open (a blackhole).
    Dropped,
    /// The connection is reset (SO_LINGER 0).
    Reset,
}

/// What the fake saw.
#[derive(Debug, Default)]
pub struct Seen {
    pub connections: AtomicUsize,
    pub requests: AtomicUsize,
    /// `Proxy-Authorization` values received, in order.
    pub authorizations: Mutex<Vec<String>>,
    /// Bytes the fake managed to write (EndlessHeaders).
    pub written: AtomicUsize,
}

pub struct FakeProxy {
    pub addr: SocketAddr,
    pub seen: Arc<Seen>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl FakeProxy {
    pub fn start(script: Script) -> FakeProxy {
        Self::start_on("127.0.0.1:0", script)
    }

    /// Listens on `bind` (a loopback address: `127.0.0.1:0` or `[::1]:0`).
    pub fn start_on(bind: &str, script: Script) -> FakeProxy {
        let listener = std::net::TcpListener::bind(bind).expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr");
        let seen = Arc::new(Seen::default());
        let seen2 = seen.clone();
        let (tx, mut rx) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                loop {
                    tokio::select! {
                        _ = &mut rx => break,
                        accepted = listener.accept() => {
                            if let Ok((stream, _)) = accepted {
                                seen2.connections.fetch_add(1, Ordering::SeqCst);
                                tokio::spawn(handle(script.clone(), stream, seen2.clone()));
                            }
                        }
                    }
                }
            });
            // Dropping the runtime here cancels every connection task.
        });
        FakeProxy {
            addr,
            seen,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn authorizations(&self) -> Vec<String> {
        self.seen
            .authorizations
            .lock()
            .map(|v| v.clone())
            .unwrap_or_default()
    }
}

impl Drop for FakeProxy {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

const HOLD: Duration = Duration::from_secs(3600);

/// Reads one request head; `None` on close or error.
async fn read_request(stream: &mut TcpStream, seen: &Seen) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 65536 {
            return None;
        }
        match stream.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return None,
        }
    }
    seen.requests.fetch_add(1, Ordering::SeqCst);
    let text = String::from_utf8_lossy(&head).into_owned();
    if let Some(auth) = text.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("Proxy-Authorization")
            .then(|| value.trim().to_string())
    }) {
        if let Ok(mut v) = seen.authorizations.lock() {
            v.push(auth);
        }
    }
    Some(text)
}

const BODY: &str = "<html>proxy authentication required</html>";

fn basic_407(close: bool) -> String {
    format!(
        "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"fake\"\r\n{}Content-Length: {}\r\n\r\n{BODY}",
        if close { "Connection: close\r\n" } else { "" },
        BODY.len()
    )
}

async fn handle(script: Script, mut stream: TcpStream, seen: Arc<Seen>) {
    match script {
        Script::Reply(bytes) => {
            if read_request(&mut stream, &seen).await.is_some() {
                let _ = stream.write_all(bytes.as_bytes()).await;
                tokio::time::sleep(HOLD).await;
            }
        }
        Script::NtlmOnly => {
            if read_request(&mut stream, &seen).await.is_some() {
                let reply = "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: NTLM\r\nProxy-Authenticate: Negotiate\r\nContent-Length: 0\r\n\r\n";
                let _ = stream.write_all(reply.as_bytes()).await;
                tokio::time::sleep(HOLD).await;
            }
        }
        Script::BasicAlwaysRejects => {
            while read_request(&mut stream, &seen).await.is_some() {
                if stream.write_all(basic_407(false).as_bytes()).await.is_err() {
                    return;
                }
            }
        }
        Script::BasicRejectsAndCloses => {
            if read_request(&mut stream, &seen).await.is_some() {
                let _ = stream.write_all(basic_407(true).as_bytes()).await;
                let _ = stream.shutdown().await;
            }
        }
        Script::AuthThenTunnel { challenges, to } => {
            while let Some(req) = read_request(&mut stream, &seen).await {
                if req
                    .to_ascii_lowercase()
                    .contains("\r\nproxy-authorization:")
                {
                    let _ = stream
                        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                        .await;
                    relay(stream, to).await;
                    return;
                }
                let mut reply = "HTTP/1.1 407 Proxy Authentication Required\r\n".to_string();
                for c in &challenges {
                    reply.push_str(&format!("Proxy-Authenticate: {c}\r\n"));
                }
                reply.push_str("Content-Length: 0\r\n\r\n");
                if stream.write_all(reply.as_bytes()).await.is_err() {
                    return;
                }
            }
        }
        Script::Silent => {
            let _ = read_request(&mut stream, &seen).await;
            tokio::time::sleep(HOLD).await;
        }
        Script::OkThenIdle => {
            if read_request(&mut stream, &seen).await.is_some() {
                let _ = stream
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await;
                tokio::time::sleep(HOLD).await;
            }
        }
        Script::OkThenReset => {
            if read_request(&mut stream, &seen).await.is_some() {
                let _ = stream
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await;
                let mut first = [0u8; 1];
                let _ = stream.read(&mut first).await;
                let _ = stream.set_zero_linger();
                drop(stream); // SO_LINGER 0: the close is a RST
            }
        }
        Script::Garbage => {
            if read_request(&mut stream, &seen).await.is_some() {
                let _ = stream
                    .write_all(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
                    .await;
                tokio::time::sleep(HOLD).await;
            }
        }
        Script::EndlessHeaders => {
            if read_request(&mut stream, &seen).await.is_some() {
                let mut n = 0u64;
                if stream
                    .write_all(b"HTTP/1.1 200 Connection established\r\n")
                    .await
                    .is_err()
                {
                    return;
                }
                loop {
                    let line = format!("X-Filler-{n}: {}\r\n", "a".repeat(400));
                    if stream.write_all(line.as_bytes()).await.is_err() {
                        return;
                    }
                    seen.written.fetch_add(line.len(), Ordering::SeqCst);
                    n += 1;
                }
            }
        }
        Script::Drip => {
            if read_request(&mut stream, &seen).await.is_some() {
                for b in b"HTTP/1.1 200 Connection established\r\n\r\n" {
                    if stream.write_all(&[*b]).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                tokio::time::sleep(HOLD).await;
            }
        }
        Script::LargeWrites { to, over, fate } => {
            if read_request(&mut stream, &seen).await.is_some() {
                let ok = b"HTTP/1.1 200 Connection established\r\n\r\n";
                if stream.write_all(ok).await.is_err() {
                    return;
                }
                relay_small_only(stream, to, over, fate).await;
            }
        }
        Script::CutBody { to, after, cut } => {
            if let Some(req) = read_request(&mut stream, &seen).await {
                let Ok(mut upstream) = TcpStream::connect(to).await else {
                    return;
                };
                let sent = if req.starts_with("CONNECT ") {
                    let ok = b"HTTP/1.1 200 Connection established\r\n\r\n";
                    stream.write_all(ok).await
                } else {
                    upstream.write_all(req.as_bytes()).await
                };
                if sent.is_ok() {
                    relay_until(stream, upstream, after, cut).await;
                }
            }
        }
        Script::Tunnel { head, to } => {
            if read_request(&mut stream, &seen).await.is_some() {
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                relay(stream, to).await;
            }
        }
    }
}

/// Relays like [`relay`], but a client write over `over` bytes after the server's first
/// bytes is dropped (and the relay stops) or answered with a reset.
async fn relay_small_only(mut client: TcpStream, to: SocketAddr, over: usize, fate: Fate) {
    let Ok(mut upstream) = TcpStream::connect(to).await else {
        return;
    };
    let (mut up, mut down) = (vec![0u8; 64 * 1024], vec![0u8; 16 * 1024]);
    let mut answered = false;
    loop {
        tokio::select! {
            read = client.read(&mut up) => {
                let n = match read {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                if n > over && answered {
                    if fate == Fate::Reset {
                        let _ = client.set_zero_linger();
                        return; // dropping `client` with SO_LINGER 0 sends a RST
                    }
                    tokio::time::sleep(HOLD).await;
                    return;
                }
                if upstream.write_all(&up[..n]).await.is_err() {
                    return;
                }
            }
            read = upstream.read(&mut down) => {
                let n = match read {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                if client.write_all(&down[..n]).await.is_err() {
                    return;
                }
                answered = true;
            }
        }
    }
}

/// Relays both ways until `after` bytes came from the server, then passes only those and
/// meets `cut`.
async fn relay_until(mut client: TcpStream, mut upstream: TcpStream, after: usize, cut: Cut) {
    let (mut up, mut down) = (vec![0u8; 64 * 1024], vec![0u8; 16 * 1024]);
    let mut relayed = 0usize;
    loop {
        tokio::select! {
            read = client.read(&mut up) => {
                let n = match read {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                if upstream.write_all(&up[..n]).await.is_err() {
                    return;
                }
            }
            read = upstream.read(&mut down) => {
                let n = match read {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                let pass = n.min(after - relayed);
                if client.write_all(&down[..pass]).await.is_err() {
                    return;
                }
                relayed += pass;
                if relayed == after {
                    match cut {
                        Cut::Stall => tokio::time::sleep(HOLD).await,
                        Cut::Close => {
                            let _ = client.shutdown().await;
                        }
                    }
                    return;
                }
            }
        }
    }
}

async fn relay(mut client: TcpStream, to: SocketAddr) {
    if let Ok(mut upstream) = TcpStream::connect(to).await {
        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
    }
}
