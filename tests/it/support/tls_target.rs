//! A local HTTPS server for the probe to reach through a proxy: certificates made at test
//! time with rcgen, `HEAD /` answered with `302` and `Location: https://<host>/healthcheck`
//! (on a kept connection; `HEAD /close` is answered with `Connection: close`, then closed;
//! a small `HEAD /slow…` is answered after [`SLOW`], a slow server for the timing tests).
//! Downloads: `GET /bytes/N` answers N body bytes with `Content-Length`, `GET /chunked/N`
//! the same chunked, `GET /until-close/N` N bytes ended by the close. [`TlsTarget::start_plain`]
//! serves the same without TLS (a plain-HTTP origin).
//! Runs on its own thread and runtime; dropping it stops it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose, SanType};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::oneshot;

/// Which certificate the server presents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertKind {
    /// Signed by the test CA written to `ca_file`, for 127.0.0.1 and localhost.
    Good,
    /// Signed by another CA ("Untrusted Inspection CA") that `ca_file` does not hold.
    UnknownCa,
    /// Signed by the test CA, but expired in 2021.
    Expired,
    /// Signed by the test CA, for wrong.example only.
    WrongName,
}

pub const TEST_CA_CN: &str = "fmc-mgmt Test CA";

/// How long `HEAD /slow…` waits before its answer (the padded request that follows does not).
pub const SLOW: Duration = Duration::from_secs(1);
pub const UNKNOWN_CA_CN: &str = "Untrusted Inspection CA";

pub struct TlsTarget {
    pub addr: SocketAddr,
    /// PEM of the test CA (the one `Good`, `Expired` and `WrongName` chain to).
    pub ca_file: PathBuf,
    requests: Arc<AtomicUsize>,
    padded: Arc<AtomicUsize>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

/// A CA made at test time; several targets may share one.
pub struct TestCa {
    cert: rcgen::Certificate,
    key: KeyPair,
}

impl TestCa {
    pub fn new(cn: &str) -> TestCa {
        let (cert, key) = make_ca(cn);
        TestCa { cert, key }
    }
}

impl TlsTarget {
    /// A target with its own fresh test CA.
    pub fn start(kind: CertKind) -> TlsTarget {
        Self::start_with(kind, &TestCa::new(TEST_CA_CN))
    }

    /// A target whose certificate chains to `ca` (or, for `UnknownCa`, to another CA).
    pub fn start_with(kind: CertKind, ca: &TestCa) -> TlsTarget {
        let dir = tempfile::tempdir().expect("tempdir");
        let ca_file = dir.path().join("ca.pem");
        std::fs::write(&ca_file, ca.cert.pem()).expect("write ca.pem");

        let unknown;
        let (signer_cert, signer_key) = match kind {
            CertKind::UnknownCa => {
                unknown = TestCa::new(UNKNOWN_CA_CN);
                (&unknown.cert, &unknown.key)
            }
            _ => (&ca.cert, &ca.key),
        };
        let names = match kind {
            CertKind::WrongName => vec!["wrong.example".to_string()],
            _ => vec!["localhost".to_string()],
        };
        let mut params = CertificateParams::new(names).expect("params");
        if kind != CertKind::WrongName {
            params
                .subject_alt_names
                .push(SanType::IpAddress([127, 0, 0, 1].into()));
        }
        params
            .distinguished_name
            .push(DnType::CommonName, "fmc-mgmt test target");
        if kind == CertKind::Expired {
            params.not_before = rcgen::date_time_ymd(2020, 1, 1);
            params.not_after = rcgen::date_time_ymd(2021, 1, 1);
        }
        let leaf_key = KeyPair::generate().expect("key");
        let leaf = params
            .signed_by(&leaf_key, signer_cert, signer_key)
            .expect("sign leaf");

        let chain: Vec<CertificateDer<'static>> =
            vec![leaf.der().clone(), signer_cert.der().clone()];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("server config");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        Self::serve_on(Some(acceptor), dir, ca_file)
    }

    /// The same routes over plain HTTP (no TLS): an origin for http:// downloads.
    pub fn start_plain() -> TlsTarget {
        let dir = tempfile::tempdir().expect("tempdir");
        let ca_file = dir.path().join("none.pem");
        Self::serve_on(None, dir, ca_file)
    }

    fn serve_on(
        acceptor: Option<tokio_rustls::TlsAcceptor>,
        dir: tempfile::TempDir,
        ca_file: PathBuf,
    ) -> TlsTarget {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr");
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = requests.clone();
        let padded = Arc::new(AtomicUsize::new(0));
        let padded_counter = padded.clone();
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
                                tokio::spawn(serve(
                                    acceptor.clone(),
                                    stream,
                                    counter.clone(),
                                    padded_counter.clone(),
                                ));
                            }
                        }
                    }
                }
            });
        });
        TlsTarget {
            addr,
            ca_file,
            requests,
            padded,
            shutdown: Some(tx),
            thread: Some(thread),
            _dir: dir,
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// HTTP requests answered so far, one per probe that got through: the padded
    /// `large_request` that follows each small `HEAD` is counted by [`Self::padded`].
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// Padded (`X-Padding`) requests answered so far.
    pub fn padded(&self) -> usize {
        self.padded.load(Ordering::SeqCst)
    }
}

impl Drop for TlsTarget {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn make_ca(cn: &str) -> (rcgen::Certificate, KeyPair) {
    let key = KeyPair::generate().expect("ca key");
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    params.distinguished_name.push(DnType::CommonName, cn);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let cert = params.self_signed(&key).expect("ca cert");
    (cert, key)
}

async fn serve(
    acceptor: Option<tokio_rustls::TlsAcceptor>,
    stream: tokio::net::TcpStream,
    counter: Arc<AtomicUsize>,
    padded: Arc<AtomicUsize>,
) {
    let limit = Duration::from_secs(10);
    // As real servers do: no Nagle delay on the small answers.
    let _ = stream.set_nodelay(true);
    let Some(acceptor) = acceptor else {
        return answer(stream, counter, padded).await;
    };
    let Ok(Ok(tls)) = tokio::time::timeout(limit, acceptor.accept(stream)).await else {
        return;
    };
    answer(tls, counter, padded).await;
}

/// A download route's body: `(framing, length)` for `GET /bytes/N`, `/chunked/N`,
/// `/until-close/N` (also in absolute form, `GET http://host/bytes/N`).
fn download_route(request_line: &str) -> Option<(&'static str, usize)> {
    let target = request_line.strip_prefix("GET ")?.split(' ').next()?;
    let path = match target.strip_prefix("http://") {
        Some(rest) => &rest[rest.find('/')?..],
        None => target,
    };
    ["bytes", "chunked", "until-close"]
        .into_iter()
        .find_map(|kind| {
            let n = path
                .strip_prefix('/')?
                .strip_prefix(kind)?
                .strip_prefix('/')?;
            Some((kind, n.parse().ok()?))
        })
}

/// Writes a download's answer: `n` bytes of `x`, framed as `kind` says.
async fn send_body<S: AsyncWrite + Unpin>(s: &mut S, kind: &str, n: usize) -> std::io::Result<()> {
    let piece = vec![b'x'; 16 * 1024];
    let framing = match kind {
        "bytes" => format!("Content-Length: {n}\r\n"),
        "chunked" => "Transfer-Encoding: chunked\r\n".to_string(),
        _ => "Connection: close\r\n".to_string(),
    };
    let head =
        format!("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n{framing}\r\n");
    s.write_all(head.as_bytes()).await?;
    let mut left = n;
    while left > 0 {
        let take = left.min(piece.len());
        if kind == "chunked" {
            s.write_all(format!("{take:x}\r\n").as_bytes()).await?;
            s.write_all(&piece[..take]).await?;
            s.write_all(b"\r\n").await?;
        } else {
            s.write_all(&piece[..take]).await?;
        }
        left -= take;
    }
    if kind == "chunked" {
        s.write_all(b"0\r\n\r\n").await?;
    }
    s.flush().await
}

/// Answers request heads on one connection (TLS or plain) until it ends.
async fn answer<S: AsyncRead + AsyncWrite + Unpin>(
    mut tls: S,
    counter: Arc<AtomicUsize>,
    padded: Arc<AtomicUsize>,
) {
    let limit = Duration::from_secs(10);
    loop {
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
            match tokio::time::timeout(limit, tls.read(&mut byte)).await {
                Ok(Ok(1)) => head.push(byte[0]),
                _ => return,
            }
        }
        let text = String::from_utf8_lossy(&head);
        let host = text
            .lines()
            .find_map(|l| {
                l.strip_prefix("Host: ")
                    .or_else(|| l.strip_prefix("host: "))
            })
            .unwrap_or("localhost")
            .trim()
            .to_string();
        let which = if text.contains("\r\nX-Padding: ") {
            &padded
        } else {
            &counter
        };
        which.fetch_add(1, Ordering::SeqCst);
        if let Some((kind, n)) = download_route(text.lines().next().unwrap_or("")) {
            if send_body(&mut tls, kind, n).await.is_err() {
                return;
            }
            if kind == "until-close" {
                let _ = tls.shutdown().await;
                return;
            }
            continue;
        }
        if text.starts_with("HEAD /slow") && !text.contains("\r\nX-Padding: ") {
            tokio::time::sleep(SLOW).await;
        }
        // `/close` is a server that ends the connection after each answer.
        let closing = text.starts_with("HEAD /close ");
        let connection = if closing { "Connection: close\r\n" } else { "" };
        let answer = format!(
            "HTTP/1.1 302 Found\r\nLocation: https://{host}/healthcheck\r\n{connection}Content-Length: 0\r\n\r\n"
        );
        if tls.write_all(answer.as_bytes()).await.is_err() || tls.flush().await.is_err() {
            return;
        }
        if closing {
            let _ = tls.shutdown().await;
            return;
        }
    }
}
