//! The verdict: one code per probe (SPEC §6), each with a summary of what happened and a
//! next step for the admin, after the Cisco proxy troubleshooting note.

use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;

use crate::i18n::{Lang, Text};

/// Exactly the codes of SPEC §6.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DiagnosisCode {
    Ok,
    ProxyDnsFailed,
    ProxyUnreachable,
    ConnectTimeout,
    ProxyNoResponse,
    MalformedResponse,
    ProxyAuthRequired,
    ProxyAuthFailed,
    NtlmUnsupported,
    ProxyDenied,
    BadRequest,
    BadGateway,
    ServiceUnavailable,
    GatewayTimeout,
    ProxyError,
    TunnelIdle,
    ConnectionReset,
    TlsUntrusted,
    TlsExpired,
    TlsNameMismatch,
    TlsFailed,
}

impl DiagnosisCode {
    pub const ALL: [DiagnosisCode; 21] = [
        DiagnosisCode::Ok,
        DiagnosisCode::ProxyDnsFailed,
        DiagnosisCode::ProxyUnreachable,
        DiagnosisCode::ConnectTimeout,
        DiagnosisCode::ProxyNoResponse,
        DiagnosisCode::MalformedResponse,
        DiagnosisCode::ProxyAuthRequired,
        DiagnosisCode::ProxyAuthFailed,
        DiagnosisCode::NtlmUnsupported,
        DiagnosisCode::ProxyDenied,
        DiagnosisCode::BadRequest,
        DiagnosisCode::BadGateway,
        DiagnosisCode::ServiceUnavailable,
        DiagnosisCode::GatewayTimeout,
        DiagnosisCode::ProxyError,
        DiagnosisCode::TunnelIdle,
        DiagnosisCode::ConnectionReset,
        DiagnosisCode::TlsUntrusted,
        DiagnosisCode::TlsExpired,
        DiagnosisCode::TlsNameMismatch,
        DiagnosisCode::TlsFailed,
    ];

    /// The code as the report spells it (`proxy_denied`).
    pub fn as_str(self) -> &'static str {
        match self {
            DiagnosisCode::Ok => "ok",
            DiagnosisCode::ProxyDnsFailed => "proxy_dns_failed",
            DiagnosisCode::ProxyUnreachable => "proxy_unreachable",
            DiagnosisCode::ConnectTimeout => "connect_timeout",
            DiagnosisCode::ProxyNoResponse => "proxy_no_response",
            DiagnosisCode::MalformedResponse => "malformed_response",
            DiagnosisCode::ProxyAuthRequired => "proxy_auth_required",
            DiagnosisCode::ProxyAuthFailed => "proxy_auth_failed",
            DiagnosisCode::NtlmUnsupported => "ntlm_unsupported",
            DiagnosisCode::ProxyDenied => "proxy_denied",
            DiagnosisCode::BadRequest => "bad_request",
            DiagnosisCode::BadGateway => "bad_gateway",
            DiagnosisCode::ServiceUnavailable => "service_unavailable",
            DiagnosisCode::GatewayTimeout => "gateway_timeout",
            DiagnosisCode::ProxyError => "proxy_error",
            DiagnosisCode::TunnelIdle => "tunnel_idle",
            DiagnosisCode::ConnectionReset => "connection_reset",
            DiagnosisCode::TlsUntrusted => "tls_untrusted",
            DiagnosisCode::TlsExpired => "tls_expired",
            DiagnosisCode::TlsNameMismatch => "tls_name_mismatch",
            DiagnosisCode::TlsFailed => "tls_failed",
        }
    }

    /// The code for a proxy's final answer to CONNECT that is neither 2xx nor 407.
    pub fn for_status(status: u16) -> DiagnosisCode {
        match status {
            400 => DiagnosisCode::BadRequest,
            403 => DiagnosisCode::ProxyDenied,
            502 => DiagnosisCode::BadGateway,
            503 => DiagnosisCode::ServiceUnavailable,
            504 => DiagnosisCode::GatewayTimeout,
            _ => DiagnosisCode::ProxyError,
        }
    }
}

impl fmt::Display for DiagnosisCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The report's `diagnosis` object. `summary` and `hint` are the English (the JSON
/// report's); the page asks for its language with [`Diagnosis::summary_in`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Diagnosis {
    pub code: DiagnosisCode,
    /// What happened, in one or two sentences.
    pub summary: String,
    /// What the admin should do next.
    pub hint: String,
    /// The facts the texts were made from, to say them again in another language
    /// (absent in a report read back from JSON).
    #[serde(skip)]
    pub facts: Option<Facts>,
}

/// The facts a summary or hint may quote. Everything is optional but the endpoints.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facts {
    /// `host:port` of the proxy.
    pub proxy: String,
    /// `host:port` of the target.
    pub target: String,
    /// The proxy's final status line, e.g. `HTTP/1.1 403 Forbidden`.
    pub status_line: Option<String>,
    /// Auth schemes the proxy offered.
    pub offered: Vec<String>,
    /// Auth rounds answered.
    pub rounds: u32,
    /// The certificate issuer (TLS stage).
    pub issuer: Option<String>,
    /// The certificate's not-after date (TLS stage).
    pub not_after: Option<String>,
    /// The failing stage's own words, in both languages.
    pub detail: Option<Text>,
    pub connect_timeout_s: f64,
    pub read_timeout_s: f64,
    /// On a reset: this host's interface toward the proxy and its MTU.
    pub mtu: Option<(String, String)>,
}

impl Diagnosis {
    pub fn new(code: DiagnosisCode, f: &Facts) -> Diagnosis {
        let (summary, hint) = texts(Lang::En, code, f);
        Diagnosis {
            code,
            summary,
            hint,
            facts: Some(f.clone()),
        }
    }

    /// Name this host's interface toward the proxy and its MTU in the next step.
    pub fn add_mtu(&mut self, iface: String, mtu: String) {
        let mut facts = self.facts.clone().unwrap_or_default();
        facts.mtu = Some((iface, mtu));
        *self = Diagnosis::new(self.code, &facts);
    }

    fn texts_in(&self, lang: Lang) -> Option<(String, String)> {
        match (lang, &self.facts) {
            (Lang::En, _) | (_, None) => None,
            (lang, Some(facts)) => Some(texts(lang, self.code, facts)),
        }
    }

    /// The summary in `lang` (English if the facts are not known).
    pub fn summary_in(&self, lang: Lang) -> String {
        self.texts_in(lang)
            .map_or_else(|| self.summary.clone(), |(summary, _)| summary)
    }

    /// The next step in `lang` (English if the facts are not known).
    pub fn hint_in(&self, lang: Lang) -> String {
        self.texts_in(lang)
            .map_or_else(|| self.hint.clone(), |(_, hint)| hint)
    }
}

/// Summary and next step for `code` in `lang`, with the MTU sentence on a reset when known.
pub fn texts(lang: Lang, code: DiagnosisCode, f: &Facts) -> (String, String) {
    let (summary, mut hint) = match lang {
        Lang::En => texts_en(code, f),
        Lang::ZhCn => super::diagnosis_zh::texts(code, f),
    };
    if let (DiagnosisCode::ConnectionReset, Some((iface, mtu))) = (code, &f.mtu) {
        hint.push_str(&match lang {
            Lang::En => format!(
                " This appliance reaches the proxy through {iface}, whose MTU is {mtu}: if any link on \
                 the path has a smaller MTU and drops or blackholes large packets, lower the \
                 interface MTU or fix PMTU discovery (ICMP 'fragmentation needed' must pass)."
            ),
            Lang::ZhCn => super::diagnosis_zh::mtu_sentence(iface, mtu),
        });
    }
    (summary, hint)
}

fn texts_en(code: DiagnosisCode, f: &Facts) -> (String, String) {
    use DiagnosisCode as C;
    let proxy = &f.proxy;
    let target = &f.target;
    let detail = f.detail.as_ref().map_or("no detail", |d| d.get(Lang::En));
    let status = f.status_line.as_deref().unwrap_or("an error status");
    let proxy_host = proxy_host(proxy);
    match code {
        C::Ok => (
            format!(
                "Traffic gets out: {proxy} opened a tunnel to {target}, the server's certificate \
                 is trusted and it answered over HTTPS."
            ),
            "Nothing to fix. Keep this result and its curl line as the baseline for later tests."
                .to_string(),
        ),
        C::ProxyDnsFailed => (
            format!("The proxy name {proxy_host} could not be resolved ({detail})."),
            format!(
                "Check the HTTP Proxy field for a typo and that the appliance's DNS servers \
                 (Shared Settings) can resolve {proxy_host}; or enter the proxy's IP address."
            ),
        ),
        C::ProxyUnreachable => (
            format!("Nothing accepted a TCP connection at {proxy} ({detail})."),
            format!(
                "Check the address and port against the proxy's configuration \
                 (cat /etc/sf/iprep_proxy.conf), that the proxy service is running on that port, \
                 and that no firewall or route between this appliance and the proxy blocks it; \
                 netstat -na | grep {proxy_host} shows the attempts."
            ),
        ),
        C::ConnectTimeout => (
            format!(
                "The TCP handshake with {proxy} did not complete within {} s: the SYN got no answer.",
                secs(f.connect_timeout_s)
            ),
            format!(
                "A firewall or ACL on the path is dropping the SYN, the route is wrong, or the \
                 proxy host is down. Capture on the management interface \
                 (tcpdump -n host {proxy_host}): SYN retransmissions without a SYN-ACK confirm it; \
                 then check routes and ACLs between the appliance and the proxy."
            ),
        ),
        C::ProxyNoResponse => (
            format!(
                "{proxy} accepted the connection but sent no complete answer to the CONNECT \
                 within {} s ({detail}).",
                secs(f.read_timeout_s)
            ),
            "Check that this port is the proxy's HTTP listener (not another service), and look \
             for this CONNECT in the proxy's logs: it may be overloaded or stuck on its upstream."
                .to_string(),
        ),
        C::MalformedResponse => (
            format!("The answer from {proxy} is not a valid HTTP response: {detail}."),
            "The port probably belongs to another service, or a device in the path rewrites the \
             traffic. Check the proxy port: it must be an HTTP proxy that supports CONNECT."
                .to_string(),
        ),
        C::ProxyAuthRequired => (
            format!(
                "The proxy requires authentication (407, offering {}) and no credentials were given.",
                offered_in(Lang::En, &f.offered)
            ),
            "Turn on Use Proxy Authentication and enter the proxy account's user name and \
             password (with the CLI: -U USER)."
                .to_string(),
        ),
        C::ProxyAuthFailed => (
            format!(
                "The proxy rejected the credentials: still 407 after {} answer(s) (it offers {}).",
                f.rounds,
                offered_in(Lang::En, &f.offered)
            ),
            "Check the user name and password with the proxy administrator (passwords are \
             case-sensitive; the account may be locked or not allowed to use CONNECT), then \
             save them again."
                .to_string(),
        ),
        C::NtlmUnsupported => (
            format!(
                "The proxy only offers {} (Windows-integrated authentication), which FMC does not support.",
                offered_in(Lang::En, &f.offered)
            ),
            "Ask the proxy administrator to enable Basic or Digest authentication for this \
             appliance, or to let its address through without authentication."
                .to_string(),
        ),
        C::ProxyDenied => (
            format!("The proxy refused the tunnel to {target}: {status}."),
            format!(
                "A 403 comes from the proxy's access control list: ask the proxy administrator \
                 to allow CONNECT from this appliance's address to {target}, and check the \
                 proxy's access log for the denied request."
            ),
        ),
        C::BadRequest => (
            format!("The proxy did not accept the CONNECT request: {status}."),
            "The service on that port may not be a forward proxy (a web server or reverse \
             proxy answers CONNECT with 400), or it rejects the target name. Check the proxy \
             address and port."
                .to_string(),
        ),
        C::BadGateway => (
            format!("The proxy could not reach {target} itself: {status}."),
            format!(
                "The proxy's own path out fails: its DNS, its upstream firewall, or an ACL \
                 refusing the destination (the Cisco note lists 502 beside 403 as proxy ACL \
                 symptoms). Ask the proxy administrator to check its logs for {target}."
            ),
        ),
        C::ServiceUnavailable => (
            format!("The proxy could not serve the tunnel to {target}: {status}."),
            format!(
                "The proxy is overloaded, in maintenance, or cannot reach {target} upstream. \
                 Check the proxy's logs and its connectivity to {target}, then test again."
            ),
        ),
        C::GatewayTimeout => (
            format!("The proxy timed out connecting to {target}: {status}."),
            format!(
                "The proxy's path to {target} is slow or blocked: check its upstream firewall, \
                 DNS and routes, and its connect timeout."
            ),
        ),
        C::ProxyError => (
            format!("The proxy refused the tunnel to {target}: {status}."),
            format!(
                "Look for this status in the proxy's logs and documentation, and ask its \
                 administrator why CONNECT to {target} is refused."
            ),
        ),
        C::TunnelIdle => (
            format!(
                "The proxy opened the tunnel, but no TLS answer from {target} came back within {} s ({detail}).",
                secs(f.read_timeout_s)
            ),
            "An idle tunnel points at something in the path: traffic inspection holding the \
             connection, proxy idle or connect timeouts, or size limits dropping the large TLS \
             packets. Check the proxy's inspection policy, timeouts and size limits, and \
             capture (tcpdump) to see where the data stops."
                .to_string(),
        ),
        C::ConnectionReset => (
            format!("The connection was reset or closed inside the tunnel to {target} ({detail})."),
            "A reset right after a large packet (the TLS handshake) usually means an MTU problem \
             on the path or an inspection device cutting the flow. Compare the management \
             interface's MTU with the path (ping -M do -s 1472 <proxy>), and check IPS/TLS \
             inspection between the appliance and the proxy and the proxy's logs."
                .to_string(),
        ),
        C::TlsUntrusted => {
            let issuer = f.issuer.as_deref().unwrap_or("an unknown issuer");
            (
                format!(
                    "The certificate presented for {target} was issued by {issuer}, which this \
                     appliance does not trust."
                ),
                format!(
                    "A TLS-inspecting proxy re-signs every site with its own CA. If {issuer} is \
                     your proxy's CA, add that CA certificate (PEM) with --ca-file (server) or \
                     --cacert (CLI); if not, something in the path is intercepting the connection."
                ),
            )
        }
        C::TlsExpired => (
            format!(
                "The certificate presented for {target} is expired or not yet valid (valid until {}).",
                f.not_after.as_deref().unwrap_or("unknown")
            ),
            "Check the appliance's clock first (System > Configuration > Time): a wrong clock \
             makes good certificates look expired. If the clock is right, the server or an \
             inspecting proxy presents a stale certificate."
                .to_string(),
        ),
        C::TlsNameMismatch => (
            format!("The certificate presented does not name {target} ({detail})."),
            "Something in the path answered with another site's certificate: a TLS-inspecting \
             proxy misconfigured, a captive portal, or a wrong target name. Check the proxy's \
             inspection policy and the target."
                .to_string(),
        ),
        C::TlsFailed => (
            format!("The TLS handshake with {target} through the tunnel failed: {detail}."),
            "Check TLS inspection on the proxy (protocol versions, cipher suites) and, if one is \
             given, the --ca-file/--cacert file."
                .to_string(),
        ),
    }
}

pub(super) fn proxy_host(authority: &str) -> &str {
    let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
    host.trim_start_matches('[').trim_end_matches(']')
}

pub(super) fn offered_in(lang: Lang, schemes: &[String]) -> String {
    match (lang, schemes.is_empty()) {
        (Lang::En, true) => "no scheme".to_string(),
        (Lang::En, false) => schemes.join(", "),
        (Lang::ZhCn, true) => "无任何方式".to_string(),
        (Lang::ZhCn, false) => schemes.join("、"),
    }
}

pub(super) fn secs(s: f64) -> String {
    let rounded = (s * 10.0).round() / 10.0;
    format!("{rounded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        Facts {
            proxy: "10.10.10.1:80".into(),
            target: "tools.cisco.com:443".into(),
            status_line: Some("HTTP/1.1 403 Forbidden".into()),
            issuer: Some("CN=Corp Inspection CA".into()),
            connect_timeout_s: 5.0,
            read_timeout_s: 10.0,
            ..Facts::default()
        }
    }

    #[test]
    fn every_code_serializes_to_its_spec_name() {
        for code in DiagnosisCode::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            let back: DiagnosisCode = serde_json::from_str(&json).unwrap();
            assert_eq!(back, code);
        }
    }

    #[test]
    fn every_code_has_a_summary_and_a_next_step() {
        for code in DiagnosisCode::ALL {
            let d = Diagnosis::new(code, &facts());
            assert!(d.summary.len() > 20, "{code}: {}", d.summary);
            assert!(d.hint.len() > 20, "{code}: {}", d.hint);
        }
    }

    #[test]
    fn a_403_points_at_the_proxy_acl() {
        let d = Diagnosis::new(DiagnosisCode::ProxyDenied, &facts());
        assert!(d.summary.contains("403 Forbidden"));
        assert!(d.hint.contains("access control list"));
    }

    #[test]
    fn an_untrusted_certificate_names_its_issuer_and_how_to_trust_an_inspecting_proxy() {
        let d = Diagnosis::new(DiagnosisCode::TlsUntrusted, &facts());
        assert!(d.summary.contains("CN=Corp Inspection CA"));
        assert!(d.hint.contains("re-signs"));
        assert!(d.hint.contains("--ca-file"));
    }

    #[test]
    fn an_idle_tunnel_and_a_reset_point_at_inspection_timeouts_sizes_and_mtu() {
        let idle = Diagnosis::new(DiagnosisCode::TunnelIdle, &facts()).hint;
        assert!(idle.contains("inspection") && idle.contains("timeouts") && idle.contains("size"));
        let reset = Diagnosis::new(DiagnosisCode::ConnectionReset, &facts()).hint;
        assert!(reset.contains("MTU") && reset.contains("inspection"));
    }

    fn has_cjk(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    #[test]
    fn every_code_has_a_chinese_summary_and_next_step_that_differ_from_the_english() {
        let mut f = facts();
        f.mtu = Some(("eth0".into(), "1500".into()));
        for code in DiagnosisCode::ALL {
            let d = Diagnosis::new(code, &f);
            let (summary, hint) = (d.summary_in(Lang::ZhCn), d.hint_in(Lang::ZhCn));
            assert!(
                has_cjk(&summary) && summary != d.summary,
                "{code}: {summary}"
            );
            assert!(has_cjk(&hint) && hint != d.hint, "{code}: {hint}");
            assert_eq!(d.summary_in(Lang::En), d.summary);
            assert_eq!(d.hint_in(Lang::En), d.hint);
        }
    }

    #[test]
    fn the_chinese_texts_keep_the_facts_and_technical_tokens() {
        let d = Diagnosis::new(DiagnosisCode::TlsUntrusted, &facts());
        assert!(d.summary_in(Lang::ZhCn).contains("CN=Corp Inspection CA"));
        assert!(d.hint_in(Lang::ZhCn).contains("--ca-file"));
        let d = Diagnosis::new(DiagnosisCode::ProxyDenied, &facts());
        assert!(d.summary_in(Lang::ZhCn).contains("HTTP/1.1 403 Forbidden"));
        assert!(d.hint_in(Lang::ZhCn).contains("访问控制列表"));
    }

    #[test]
    fn the_mtu_sentence_follows_a_reset_in_both_languages() {
        let mut d = Diagnosis::new(DiagnosisCode::ConnectionReset, &facts());
        let before = d.hint.clone();
        d.add_mtu("eth0".into(), "1400".into());
        assert!(d.hint.starts_with(&before));
        assert!(d.hint.ends_with(
            " This appliance reaches the proxy through eth0, whose MTU is 1400: if any link on \
             the path has a smaller MTU and drops or blackholes large packets, lower the \
             interface MTU or fix PMTU discovery (ICMP 'fragmentation needed' must pass)."
        ));
        assert!(d.hint_in(Lang::ZhCn).contains("eth0") && d.hint_in(Lang::ZhCn).contains("1400"));
    }

    #[test]
    fn a_report_read_back_from_json_speaks_english() {
        let d = Diagnosis::new(DiagnosisCode::ProxyDenied, &facts());
        let back: Diagnosis = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
        assert_eq!(back.summary_in(Lang::ZhCn), d.summary);
    }

    #[test]
    fn statuses_map_to_their_codes() {
        assert_eq!(DiagnosisCode::for_status(400), DiagnosisCode::BadRequest);
        assert_eq!(DiagnosisCode::for_status(403), DiagnosisCode::ProxyDenied);
        assert_eq!(DiagnosisCode::for_status(502), DiagnosisCode::BadGateway);
        assert_eq!(
            DiagnosisCode::for_status(503),
            DiagnosisCode::ServiceUnavailable
        );
        assert_eq!(
            DiagnosisCode::for_status(504),
            DiagnosisCode::GatewayTimeout
        );
        assert_eq!(DiagnosisCode::for_status(418), DiagnosisCode::ProxyError);
        assert_eq!(DiagnosisCode::for_status(301), DiagnosisCode::ProxyError);
    }

    #[test]
    fn the_proxy_host_is_taken_from_an_ipv6_authority() {
        assert_eq!(proxy_host("[::1]:3128"), "::1");
        assert_eq!(proxy_host("proxy:80"), "proxy");
    }
}
