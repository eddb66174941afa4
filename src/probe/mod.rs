//! The probe (SPEC §6): for an https:// target resolve → tcp_connect → connect →
//! tls_handshake → https_request → large_request → close; for an http:// one resolve → tcp_connect →
//! connect (the absolute-form `HEAD` to the proxy) → close; each timed, ending in one
//! diagnosis with a next step. Asked to download, a `download` stage (`GET`, the whole body
//! up to a limit) runs before `close`; for http:// the absolute-form request is then a `GET`.
//!
//! The pure core (request building, head parsing, auth, diagnosis, report) is in small
//! modules with unit tests; [`engine`] is the async shell that moves the bytes.

pub mod auth;
pub mod cli;
pub mod diagnosis;
pub mod download;
pub mod engine;
pub mod head;
pub mod hostport;
pub mod mtu;
pub mod report;
pub mod request;
pub mod text;
pub mod tls;
pub mod transcript;
pub mod url;
pub mod wire;

use std::path::PathBuf;
use std::time::Duration;

use rustls::pki_types::CertificateDer;

use crate::endpoint::{Host, Port};
use crate::secret::Secret;

pub use diagnosis::{Diagnosis, DiagnosisCode, StatusMeaning};
pub use download::{DEFAULT_MAX_FILESIZE, DownloadFacts};
pub use engine::run;
pub use report::{
    AuthReport, ConnectResponse, Endpoint, HttpReport, Report, Stage, StageName, TcpReport,
    TlsReport,
};
pub use text::render_text;
pub use transcript::{Direction, WireEvent, WireKind};
pub use url::{TargetUrl, UrlScheme};

/// The default target: the host the Cisco note tests with.
pub const DEFAULT_TARGET: &str = "tools.cisco.com:443";

/// What to probe.
#[derive(Clone, Debug)]
pub struct ProbeRequest {
    /// Proxy host: a name or an IP address (IPv6 without brackets).
    pub proxy_host: Host,
    pub proxy_port: Port,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub target_host: Host,
    pub target_port: Port,
    /// `https` (CONNECT, TLS, then the request in the tunnel) or plain `http` (the
    /// request goes to the proxy in absolute form).
    pub scheme: UrlScheme,
    /// The request path (starts with `/`), as [`url::parse_url`] leaves it.
    pub path: String,
    /// Extra trust anchors (PEM) for the TLS stage, on top of the OS store.
    pub ca_file: Option<PathBuf>,
    /// More trust anchors, given as certificates: the saved Trusted CA for the probe
    /// (checked when saved), on top of `ca_file` and the OS store.
    pub ca_certs: Vec<CertificateDer<'static>>,
    /// Who reads the next steps, so they name what that reader can change.
    pub advice: Advice,
    pub timeouts: Timeouts,
    /// `Some(max_filesize)`: after the requests, `GET` the URL and read its whole body,
    /// stopping at this many bytes (at least 1); `None`: no `download` stage.
    pub download: Option<u64>,
}

impl ProbeRequest {
    /// The target as a URL.
    pub fn url(&self) -> TargetUrl {
        TargetUrl {
            scheme: self.scheme,
            host: self.target_host.clone(),
            port: self.target_port,
            path: self.path.clone(),
        }
    }
}

/// Who reads a report's next steps: the page and the API (trust is added under *Trusted
/// CA for the probe*) or the CLI (`--cacert FILE`); and the proxy file the server writes,
/// named where a step says to read it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Advice {
    pub conf_path: String,
    pub cli: bool,
}

impl Default for Advice {
    fn default() -> Self {
        Advice {
            conf_path: DEFAULT_CONF_PATH.to_owned(),
            cli: false,
        }
    }
}

/// Where FMC keeps the proxy file; steps name it when the configured path is not known.
pub const DEFAULT_CONF_PATH: &str = "/etc/sf/iprep_proxy.conf";

/// The probe's time limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// TCP handshake with the proxy (per address tried).
    pub connect: Duration,
    /// Each wait for the peer: a whole response head, the TLS handshake, the close.
    pub read: Duration,
    /// The whole probe.
    pub total: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(5),
            read: Duration::from_secs(10),
            total: Duration::from_secs(30),
        }
    }
}
