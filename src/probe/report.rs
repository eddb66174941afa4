//! The probe's report (SPEC §6 JSON) and the curl command line that reproduces it.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::Path;
use utoipa::ToSchema;

use super::diagnosis::Diagnosis;
pub use super::download::DownloadFacts;
use super::hostport::authority;
use super::transcript::WireEvent;
use super::url::TargetUrl;
use crate::locale::{Lang, Text};

/// The stages, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StageName {
    Resolve,
    TcpConnect,
    Connect,
    TlsHandshake,
    HttpsRequest,
    LargeRequest,
    /// Only when asked (`--download`, a target marked for it).
    Download,
    Close,
}

impl StageName {
    pub const ALL: [StageName; 8] = [
        StageName::Resolve,
        StageName::TcpConnect,
        StageName::Connect,
        StageName::TlsHandshake,
        StageName::HttpsRequest,
        StageName::LargeRequest,
        StageName::Download,
        StageName::Close,
    ];

    /// Whether the stage runs only when asked for (a report without it lacks nothing).
    pub fn is_optional(self) -> bool {
        self == StageName::Download
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StageName::Resolve => "resolve",
            StageName::TcpConnect => "tcp_connect",
            StageName::Connect => "connect",
            StageName::TlsHandshake => "tls_handshake",
            StageName::HttpsRequest => "https_request",
            StageName::LargeRequest => "large_request",
            StageName::Download => "download",
            StageName::Close => "close",
        }
    }
}

impl fmt::Display for StageName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One completed stage. The JSON report carries its detail in English; the page says it in
/// the reader's language with [`Stage::detail_in`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Stage {
    pub name: StageName,
    pub ok: bool,
    pub elapsed_ms: f64,
    /// What the stage saw, said in each language (a report read back from JSON has only
    /// the English, which it then says in every language).
    #[serde(with = "english_only")]
    #[schema(value_type = String)]
    pub detail: Text,
}

impl Stage {
    pub fn new(name: StageName, ok: bool, elapsed_ms: f64, detail: Text) -> Stage {
        Stage {
            name,
            ok,
            elapsed_ms,
            detail,
        }
    }

    /// The detail in `lang`.
    pub fn detail_in(&self, lang: Lang) -> &str {
        self.detail.get(lang)
    }
}

/// A [`Text`] in the JSON report: its English, as SPEC §6 fixes `detail` to a string.
mod english_only {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::locale::Text;

    pub fn serialize<S: Serializer>(text: &Text, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&text.en)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        String::deserialize(d).map(Text::same)
    }
}

/// `{"host": ..., "port": ...}`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
}

/// What the proxy offered and what the probe answered with.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AuthReport {
    /// Schemes the proxy offered in its 407s (`["Digest", "Basic"]`); empty if it never asked.
    pub offered: Vec<String>,
    /// `"digest"` or `"basic"` once the probe answered a 407.
    pub used: Option<String>,
    /// 407s answered with credentials.
    pub rounds: u32,
}

/// The proxy's final answer to CONNECT.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ConnectResponse {
    pub status: u16,
    pub reason: String,
    /// `[["Via", "1.1 squid"], ...]`, in order.
    pub headers: Vec<(String, String)>,
}

/// What the TLS handshake showed (the certificate facts also when it failed on them).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TlsReport {
    pub version: Option<String>,
    pub cipher: Option<String>,
    pub issuer: Option<String>,
    pub subject: Option<String>,
    /// RFC 3339.
    pub not_after: Option<String>,
}

/// The target's answer to `HEAD /`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HttpReport {
    pub status: u16,
    pub location: Option<String>,
}

/// The proxy socket as the kernel saw it (`TCP_INFO`) and this host's interface toward
/// the proxy: what to compare when large packets die but small ones pass.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TcpReport {
    /// The sender's maximum segment size on the proxy connection (`tcpi_snd_mss`).
    pub mss: u32,
    /// The path MTU the kernel holds for the connection (`tcpi_pmtu`).
    pub path_mtu: u32,
    /// The interface the kernel routes the proxy's address through (`eth0`, `lo`).
    pub interface: Option<String>,
    /// That interface's MTU.
    pub interface_mtu: Option<u32>,
}

/// The whole report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Report {
    pub ok: bool,
    pub diagnosis: Diagnosis,
    pub proxy: Endpoint,
    pub target: Endpoint,
    /// The URL probed (`https://…` through CONNECT, `http://…` in absolute form); empty
    /// in reports stored before URLs existed, which were all `https://target/`.
    #[serde(default)]
    pub url: String,
    pub auth: AuthReport,
    pub stages: Vec<Stage>,
    pub connect_response: Option<ConnectResponse>,
    pub tls: Option<TlsReport>,
    pub http: Option<HttpReport>,
    /// The proxy socket's MSS and path MTU and the interface toward the proxy; absent
    /// when the probe never reached the tunnel's requests (and in older stored reports).
    #[serde(default)]
    pub tcp: Option<TcpReport>,
    /// What crossed the proxy socket, like a tcpdump (empty in older stored reports).
    #[serde(default)]
    pub wire: Vec<WireEvent>,
    /// What the `download` stage read (only when a download was asked for and its answer
    /// came).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub download: Option<DownloadFacts>,
    pub total_ms: f64,
    pub curl: String,
}

impl Report {
    /// The stage called `name`, if it ran.
    pub fn stage(&self, name: StageName) -> Option<&Stage> {
        self.stages.iter().find(|s| s.name == name)
    }
}

/// Milliseconds with two decimals, for `elapsed_ms` and `total_ms`.
pub fn millis(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 100_000.0).round() / 100.0
}

/// The curl command that does what the probe did:
/// `curl -x http://host:port [-U user:****] [--proxy-digest|--proxy-basic] [--cacert FILE] -I URL`,
/// the URL https:// or plain http:// as probed.
/// The password is always written as `****`.
pub fn curl_line(
    proxy: &Endpoint,
    target: &TargetUrl,
    username: Option<&str>,
    scheme_flag: Option<&str>,
    ca_file: Option<&Path>,
) -> String {
    curl_command(
        proxy,
        target,
        username,
        scheme_flag,
        ca_file,
        CurlFetch::Head,
    )
}

/// What the curl command asks for: the head only (`-I`), or the whole body thrown away
/// (`-o /dev/null`), as the `download` stage reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CurlFetch {
    Head,
    Body,
}

/// [`curl_line`], for a head or a download.
pub fn curl_command(
    proxy: &Endpoint,
    target: &TargetUrl,
    username: Option<&str>,
    scheme_flag: Option<&str>,
    ca_file: Option<&Path>,
    fetch: CurlFetch,
) -> String {
    let mut parts = vec![
        "curl".to_string(),
        "-x".to_string(),
        shell_quote(&format!("http://{}", authority(&proxy.host, proxy.port))),
    ];
    if let Some(user) = username {
        parts.push("-U".to_string());
        parts.push(shell_quote(&format!("{user}:****")));
        if let Some(flag) = scheme_flag {
            parts.push(flag.to_string());
        }
    }
    if let Some(ca) = ca_file {
        parts.push("--cacert".to_string());
        parts.push(shell_quote(&ca.to_string_lossy()));
    }
    match fetch {
        CurlFetch::Head => parts.push("-I".to_string()),
        CurlFetch::Body => parts.extend(["-o".to_string(), "/dev/null".to_string()]),
    }
    parts.push(shell_quote(&curl_url(target)));
    parts.join(" ")
}

/// The URL as an admin types it: the default port and a bare `/` path left out
/// (`https://tools.cisco.com`, as in the Cisco note).
fn curl_url(target: &TargetUrl) -> String {
    let url = target.to_string();
    match url.strip_suffix('/') {
        Some(bare) if target.path == "/" => bare.to_string(),
        _ => url,
    }
}

/// Quotes for a POSIX shell only when needed (brackets and `*` are glob characters).
fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:@=+,%".contains(&b));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(host: &str, port: u16) -> Endpoint {
        Endpoint {
            host: host.into(),
            port,
        }
    }

    #[test]
    fn the_plain_curl_line_matches_the_cisco_note() {
        assert_eq!(
            curl_line(
                &ep("10.10.10.1", 80),
                &url("https://tools.cisco.com:443/"),
                None,
                None,
                None
            ),
            "curl -x http://10.10.10.1:80 -I https://tools.cisco.com"
        );
    }

    #[test]
    fn the_curl_line_masks_the_password_and_names_the_scheme_and_ca_file() {
        let line = curl_line(
            &ep("::1", 3128),
            &url("https://127.0.0.1:8443"),
            Some("proxy user"),
            Some("--proxy-digest"),
            Some(Path::new("/tmp/ca dir/ca.pem")),
        );
        assert_eq!(
            line,
            "curl -x 'http://[::1]:3128' -U 'proxy user:****' --proxy-digest \
             --cacert '/tmp/ca dir/ca.pem' -I https://127.0.0.1:8443"
        );
    }

    #[test]
    fn an_ipv6_target_on_443_keeps_its_brackets() {
        let line = curl_line(&ep("p", 1), &url("https://[2001:db8::1]"), None, None, None);
        assert!(line.ends_with("-I 'https://[2001:db8::1]'"), "{line}");
    }

    #[test]
    fn a_plain_http_url_and_a_path_are_in_the_curl_line() {
        let line = curl_line(
            &ep("10.10.10.1", 3128),
            &url("http://tools.cisco.com/healthcheck?a=1"),
            None,
            None,
            None,
        );
        assert_eq!(
            line,
            "curl -x http://10.10.10.1:3128 -I 'http://tools.cisco.com/healthcheck?a=1'"
        );
        let line = curl_line(&ep("p", 1), &url("http://h:8080/"), None, None, None);
        assert!(line.ends_with(" -I http://h:8080"), "{line}");
    }

    fn url(text: &str) -> TargetUrl {
        crate::probe::url::parse_url(text).unwrap()
    }

    #[test]
    fn a_download_curl_line_writes_the_body_to_dev_null_instead_of_asking_for_the_head() {
        let line = curl_command(
            &ep("10.10.10.1", 3128),
            &url("https://tools.cisco.com/big.bin"),
            Some("u"),
            Some("--proxy-basic"),
            None,
            CurlFetch::Body,
        );
        assert_eq!(
            line,
            "curl -x http://10.10.10.1:3128 -U 'u:****' --proxy-basic -o /dev/null \
             https://tools.cisco.com/big.bin"
        );
        assert!(!line.contains(" -I "));
    }

    #[test]
    fn quotes_inside_values_are_escaped_for_the_shell() {
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }

    #[test]
    fn stage_names_serialize_as_in_the_spec() {
        let names: Vec<String> = StageName::ALL
            .iter()
            .map(|n| serde_json::to_string(n).unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "\"resolve\"",
                "\"tcp_connect\"",
                "\"connect\"",
                "\"tls_handshake\"",
                "\"https_request\"",
                "\"large_request\"",
                "\"download\"",
                "\"close\""
            ]
        );
        for n in StageName::ALL {
            assert_eq!(
                serde_json::to_string(&n).unwrap(),
                format!("\"{}\"", n.as_str())
            );
        }
    }

    #[test]
    fn a_stage_says_its_detail_in_either_language_and_serializes_only_the_english() {
        let id = "probe-engine-tls-close-notify-sent-then-tcp";
        let english = "TLS close_notify sent, then TCP FIN";
        let stage = Stage::new(StageName::Close, true, 1.0, crate::locale::text(id, &[]));
        assert_eq!(stage.detail_in(Lang::En), english);
        let chinese = crate::locale::message(Lang::ZhCn, id, &[]);
        assert_ne!(chinese, english);
        assert_eq!(stage.detail_in(Lang::ZhCn), chinese);
        let json = serde_json::to_value(&stage).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"name": "close", "ok": true, "elapsed_ms": 1.0, "detail": english})
        );
        let back: Stage = serde_json::from_value(json).unwrap();
        assert_eq!(back.detail_in(Lang::ZhCn), english);
    }

    #[test]
    fn milliseconds_keep_two_decimals() {
        assert_eq!(millis(std::time::Duration::from_micros(1234)), 1.23);
    }
}
