//! The verdict: one code per probe (SPEC §6), each with a summary of what happened and a
//! next step for the admin, after the Cisco proxy troubleshooting note.

use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;

use crate::locale;
use crate::locale::{Lang, Text};

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
    MtuSuspected,
    TransferStalled,
    TransferTruncated,
}

impl DiagnosisCode {
    pub const ALL: [DiagnosisCode; 24] = [
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
        DiagnosisCode::MtuSuspected,
        DiagnosisCode::TransferStalled,
        DiagnosisCode::TransferTruncated,
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
            DiagnosisCode::MtuSuspected => "mtu_suspected",
            DiagnosisCode::TransferStalled => "transfer_stalled",
            DiagnosisCode::TransferTruncated => "transfer_truncated",
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

/// What the Cisco note's status table says a `proxy_error` status means. The other rows of
/// the table (400, 403, 502, 503, 504) have codes of their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusMeaning {
    /// 401 without a challenge: credentials missing or wrong, but nothing to answer.
    Unauthorized,
    /// 404: the resource was not found.
    NotFound,
    /// 500: an internal error in the proxy.
    InternalError,
    /// Any status outside the table, or a 401 whose challenge cannot be answered: said
    /// neutrally, since a 5xx is a fault, not a refusal.
    Other,
}

impl StatusMeaning {
    /// The meaning of the proxy's final `status`; `challenged` when it offered a scheme.
    pub fn of(status: Option<u16>, challenged: bool) -> StatusMeaning {
        match status {
            Some(401) if !challenged => StatusMeaning::Unauthorized,
            Some(404) => StatusMeaning::NotFound,
            Some(500) => StatusMeaning::InternalError,
            _ => StatusMeaning::Other,
        }
    }

    /// The part of the message ids (`diagnosis-proxy-error-<id>-summary`).
    fn id(self) -> &'static str {
        match self {
            StatusMeaning::Unauthorized => "unauthorized",
            StatusMeaning::NotFound => "not-found",
            StatusMeaning::InternalError => "internal-error",
            StatusMeaning::Other => "other",
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
/// Stored with each test (src/tests_log.rs) so a listed test is said in the reader's language.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Facts {
    /// `host:port` of the proxy.
    pub proxy: String,
    /// `host:port` of the target.
    pub target: String,
    /// The proxy's final status line, e.g. `HTTP/1.1 403 Forbidden`.
    pub status_line: Option<String>,
    /// The proxy's final status code (what a `proxy_error` summary names the meaning of).
    pub status: Option<u16>,
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
    /// The proxy socket's MSS and path MTU from `TCP_INFO` (what `mtu_suspected` quotes).
    pub mss: Option<u32>,
    pub path_mtu: Option<u32>,
    /// The probe asked for a plain http:// URL (no CONNECT, no tunnel): the codes whose
    /// words speak of CONNECT or a tunnel are said with their `-http` variants.
    pub plain_http: bool,
    /// The download's body bytes received and, when the answer announced it, of how many
    /// (what `transfer_stalled` and `transfer_truncated` quote).
    pub transferred: Option<(u64, Option<u64>)>,
    /// Who reads the next step (the proxy file's path; CLI or page).
    pub advice: super::Advice,
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

/// A stored test's summary in `lang`, said again from its code and facts (JSON); `None`
/// when either does not read (a test stored before its facts were kept).
pub fn stored_summary(lang: Lang, code: &str, facts: &str) -> Option<String> {
    let code: DiagnosisCode =
        serde_json::from_value(serde_json::Value::String(code.to_owned())).ok()?;
    let facts: Facts = serde_json::from_str(facts).ok()?;
    Some(texts(lang, code, &facts).0)
}

/// Summary and next step for `code` in `lang`, from the locale files: the message ids are
/// `diagnosis-<code>-summary` and `-hint` (a reset whose interface and MTU are known has its
/// own next step, `diagnosis-connection-reset-hint-mtu`; a `proxy_error` is said by its
/// status's meaning, `diagnosis-proxy-error-<meaning>-…`), the facts their variables.
pub fn texts(lang: Lang, code: DiagnosisCode, f: &Facts) -> (String, String) {
    let say = |id: &str| locale::message(lang, id, &[]);
    let known =
        |value: Option<&str>, stand_in: &str| value.map_or_else(|| say(stand_in), str::to_owned);
    let (iface, mtu) = f.mtu.clone().unwrap_or_default();
    let args = [
        ("proxy", f.proxy.clone()),
        ("proxy_host", proxy_host(&f.proxy).to_owned()),
        ("target", f.target.clone()),
        (
            "status",
            known(f.status_line.as_deref(), "diagnosis-no-status"),
        ),
        (
            "detail",
            known(
                f.detail.as_ref().map(|d| d.get(lang)),
                "diagnosis-no-detail",
            ),
        ),
        ("offered", offered_in(lang, &f.offered)),
        ("rounds", f.rounds.to_string()),
        // What the proxy asked for credentials with: 407, or 401 from a proxy that answers
        // like a web server (tinyproxy).
        ("auth_status", f.status.unwrap_or(407).to_string()),
        (
            "issuer",
            known(f.issuer.as_deref(), "diagnosis-unknown-issuer"),
        ),
        (
            "not_after",
            known(f.not_after.as_deref(), "diagnosis-unknown-date"),
        ),
        ("connect_timeout", secs(f.connect_timeout_s)),
        ("read_timeout", secs(f.read_timeout_s)),
        ("iface", known_or(lang, iface)),
        ("mtu", known_or(lang, mtu)),
        ("mss", number(lang, f.mss)),
        ("path_mtu", number(lang, f.path_mtu)),
        ("received", received(lang, f.transferred)),
        ("conf_path", f.advice.conf_path.clone()),
    ];
    let (summary, hint) = message_ids(code, f);
    (
        locale::message(lang, &summary, &args),
        locale::message(lang, &hint, &args),
    )
}

/// A fact the host could not tell, said as "unknown".
fn known_or(lang: Lang, value: String) -> String {
    if value.is_empty() {
        locale::message(lang, "diagnosis-unknown-value", &[])
    } else {
        value
    }
}

/// [`received`] in every language, for a stage's detail.
pub(super) fn received_text(bytes: u64, expected: Option<u64>) -> Text {
    Text {
        en: received(Lang::En, Some((bytes, expected))),
        zh_cn: received(Lang::ZhCn, Some((bytes, expected))),
    }
}

/// `300 of 2048 bytes` (or `300 bytes` when the length was not announced) for a download.
fn received(lang: Lang, transferred: Option<(u64, Option<u64>)>) -> String {
    let (bytes, expected) = transferred.unwrap_or_default();
    match expected {
        Some(expected) => locale::message(
            lang,
            "diagnosis-received-of",
            &[
                ("bytes", bytes.to_string()),
                ("expected", expected.to_string()),
            ],
        ),
        None => locale::message(lang, "diagnosis-received", &[("bytes", bytes.to_string())]),
    }
}

/// A `TCP_INFO` number, or "unknown" when the kernel did not say.
fn number(lang: Lang, value: Option<u32>) -> String {
    known_or(lang, value.map(|n| n.to_string()).unwrap_or_default())
}

/// The ids of the summary and next step that say `code` with these facts.
fn message_ids(code: DiagnosisCode, f: &Facts) -> (String, String) {
    let id = match code {
        DiagnosisCode::ProxyError => {
            let meaning = StatusMeaning::of(f.status, !f.offered.is_empty());
            format!("proxy-error-{}", meaning.id())
        }
        _ => code.as_str().replace('_', "-"),
    };
    let hint = match (code, &f.mtu) {
        (DiagnosisCode::ConnectionReset, Some(_)) => {
            "diagnosis-connection-reset-hint-mtu".to_owned()
        }
        _ if f.plain_http && HTTP_HINTS.contains(&id.as_str()) => {
            format!("diagnosis-{id}-http-hint")
        }
        // The CLI adds trust with a flag; the page and the API with a saved CA.
        (DiagnosisCode::TlsUntrusted | DiagnosisCode::TlsFailed, _) if f.advice.cli => {
            format!("diagnosis-{id}-cli-hint")
        }
        _ => format!("diagnosis-{id}-hint"),
    };
    let summary = if f.plain_http && HTTP_SUMMARIES.contains(&id.as_str()) {
        format!("diagnosis-{id}-http-summary")
    } else {
        format!("diagnosis-{id}-summary")
    };
    (summary, hint)
}

/// Messages whose words speak of CONNECT, a tunnel or TLS, and so have a plain-HTTP
/// variant (`diagnosis-<id>-http-summary` / `-http-hint`).
const HTTP_SUMMARIES: &[&str] = &[
    "ok",
    "proxy-no-response",
    "proxy-denied",
    "bad-request",
    "service-unavailable",
    "proxy-error-unauthorized",
    "proxy-error-not-found",
    "proxy-error-internal-error",
    "proxy-error-other",
];
const HTTP_HINTS: &[&str] = &[
    "proxy-no-response",
    "malformed-response",
    "proxy-auth-failed",
    "proxy-denied",
    "bad-request",
    "proxy-error-not-found",
    "proxy-error-other",
];

pub(super) fn proxy_host(authority: &str) -> &str {
    let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
    host.trim_start_matches('[').trim_end_matches(']')
}

/// The auth schemes a proxy offered, as a list in `lang`.
pub(super) fn offered_in(lang: Lang, schemes: &[String]) -> String {
    if schemes.is_empty() {
        return locale::message(lang, "diagnosis-offered-none", &[]);
    }
    schemes.join(&locale::message(lang, "diagnosis-offered-separator", &[]))
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
        // The page and the API: a saved CA, not a restart with a flag.
        assert!(d.hint.contains("Trusted CA for the probe"), "{}", d.hint);
        assert!(!d.hint.contains("--ca-file"), "{}", d.hint);
        // The CLI: its flag.
        let cli = Facts {
            advice: crate::probe::Advice {
                cli: true,
                ..crate::probe::Advice::default()
            },
            ..facts()
        };
        let d = Diagnosis::new(DiagnosisCode::TlsUntrusted, &cli);
        assert!(d.hint.contains("--cacert FILE"), "{}", d.hint);
        assert!(!d.hint.contains("Trusted CA"), "{}", d.hint);
    }

    #[test]
    fn a_step_that_reads_the_proxy_file_names_the_configured_path() {
        let at = |conf_path: &str| Facts {
            advice: crate::probe::Advice {
                conf_path: conf_path.into(),
                cli: false,
            },
            ..facts()
        };
        let d = Diagnosis::new(
            DiagnosisCode::ProxyUnreachable,
            &at("/srv/fmc/iprep_proxy.conf"),
        );
        assert!(
            d.hint.contains("cat /srv/fmc/iprep_proxy.conf"),
            "{}",
            d.hint
        );
        assert!(d.hint_in(Lang::ZhCn).contains("/srv/fmc/iprep_proxy.conf"));
        let d = Diagnosis::new(DiagnosisCode::ProxyUnreachable, &facts());
        assert!(
            d.hint.contains("cat /etc/sf/iprep_proxy.conf"),
            "{}",
            d.hint
        );
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
        assert!(d.hint_in(Lang::ZhCn).contains("ca_pem"));
        let d = Diagnosis::new(DiagnosisCode::ProxyDenied, &facts());
        assert!(d.summary_in(Lang::ZhCn).contains("HTTP/1.1 403 Forbidden"));
        // "Access control list", as the Chinese next step must name it.
        let acl = "\u{8bbf}\u{95ee}\u{63a7}\u{5236}\u{5217}\u{8868}";
        assert!(d.hint_in(Lang::ZhCn).contains(acl));
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
    fn a_cut_download_says_how_many_bytes_of_how_many_and_points_at_limits_and_inspection() {
        let mut f = facts();
        f.transferred = Some((81_920, Some(2_097_152)));
        let stalled = Diagnosis::new(DiagnosisCode::TransferStalled, &f);
        assert!(
            stalled
                .summary
                .contains("81920 of 2097152 bytes got through")
                && stalled.summary.contains("within 10 s"),
            "{}",
            stalled.summary
        );
        assert!(stalled.hint.contains("inspect") && stalled.hint.contains("size or time limit"));
        assert!(stalled.summary_in(Lang::ZhCn).contains("81920 / 2097152"));
        f.transferred = Some((300, None));
        let cut = Diagnosis::new(DiagnosisCode::TransferTruncated, &f);
        assert!(
            cut.summary.contains("ended after 300 bytes."),
            "{}",
            cut.summary
        );
        assert!(cut.hint.contains("size limit") && cut.hint.contains("inspection"));
        let said = locale::message(Lang::ZhCn, "diagnosis-received", &[("bytes", "300".into())]);
        assert!(has_cjk(&said) && cut.summary_in(Lang::ZhCn).contains(&said));
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
    fn a_proxy_error_status_means_what_the_cisco_table_says() {
        use StatusMeaning::*;
        for (status, challenged, meaning) in [
            (Some(401), false, Unauthorized),
            (Some(401), true, Other),
            (Some(404), false, NotFound),
            (Some(500), false, InternalError),
            (Some(500), true, InternalError),
            (Some(418), false, Other),
            (Some(501), false, Other),
            (Some(599), false, Other),
            (Some(301), false, Other),
            (Some(100), false, Other),
            (None, false, Other),
        ] {
            assert_eq!(
                StatusMeaning::of(status, challenged),
                meaning,
                "{status:?} challenged: {challenged}"
            );
        }
    }

    /// Facts of a `proxy_error` whose final answer was `status_line`.
    fn answered(status_line: &str) -> Facts {
        let status = status_line.split(' ').nth(1).and_then(|s| s.parse().ok());
        Facts {
            status_line: Some(status_line.into()),
            status,
            ..facts()
        }
    }

    #[test]
    fn a_proxy_error_summary_names_the_status_meaning_in_both_languages() {
        // The English meaning, and the Cisco note's Chinese words for it.
        for (line, en, zh) in [
            (
                "HTTP/1.1 404 Not Found",
                "the resource was not found",
                "\u{627e}\u{4e0d}\u{5230}\u{8d44}\u{6e90}",
            ),
            (
                "HTTP/1.1 500 Internal Server Error",
                "internal error",
                "\u{670d}\u{52a1}\u{5668}\u{9519}\u{8bef}",
            ),
            (
                "HTTP/1.1 401 Unauthorized",
                "the credentials are missing or wrong",
                "\u{51ed}\u{636e}\u{7f3a}\u{5931}\u{6216}\u{4e0d}\u{6b63}\u{786e}",
            ),
        ] {
            let d = Diagnosis::new(DiagnosisCode::ProxyError, &answered(line));
            assert!(d.summary.contains(en), "{line}: {}", d.summary);
            assert!(d.summary.contains(line), "{line}: {}", d.summary);
            let zh_summary = d.summary_in(Lang::ZhCn);
            assert!(zh_summary.contains(zh), "{line}: {zh_summary}");
            assert!(zh_summary.contains(line), "{line}: {zh_summary}");
        }
    }

    #[test]
    fn each_meaning_has_its_own_next_step() {
        let hints: Vec<String> = [
            "HTTP/1.1 401 Unauthorized",
            "HTTP/1.1 404 Not Found",
            "HTTP/1.1 500 Internal Server Error",
            "HTTP/1.1 418 I'm a teapot",
        ]
        .iter()
        .map(|line| Diagnosis::new(DiagnosisCode::ProxyError, &answered(line)).hint)
        .collect();
        for (i, hint) in hints.iter().enumerate() {
            assert!(
                !hints[..i].contains(hint),
                "the same next step twice: {hint}"
            );
        }
        assert!(hints[0].contains("user name") && hints[0].contains("password"));
        assert!(hints[1].contains("address and port"));
        assert!(hints[2].contains("error log"));
    }

    /// A plain-HTTP probe sends no CONNECT and opens no tunnel: no verdict may say so,
    /// in either language, and every variant exists in both.
    #[test]
    fn plain_http_verdicts_never_speak_of_connect_or_a_tunnel() {
        for code in DiagnosisCode::ALL {
            for line in [
                "HTTP/1.1 401 Unauthorized",
                "HTTP/1.1 404 Not Found",
                "HTTP/1.1 500 Oops",
                "HTTP/1.1 418 Teapot",
            ] {
                let f = Facts {
                    plain_http: true,
                    target: "tools.cisco.com:80".into(),
                    ..answered(line)
                };
                // The verdicts a plain-HTTP probe can reach (no TLS, no tunnel stages).
                let reachable = matches!(
                    code,
                    DiagnosisCode::Ok
                        | DiagnosisCode::ProxyDnsFailed
                        | DiagnosisCode::ProxyUnreachable
                        | DiagnosisCode::ConnectTimeout
                        | DiagnosisCode::ProxyNoResponse
                        | DiagnosisCode::MalformedResponse
                        | DiagnosisCode::ProxyAuthRequired
                        | DiagnosisCode::ProxyAuthFailed
                        | DiagnosisCode::NtlmUnsupported
                        | DiagnosisCode::ProxyDenied
                        | DiagnosisCode::BadRequest
                        | DiagnosisCode::BadGateway
                        | DiagnosisCode::ServiceUnavailable
                        | DiagnosisCode::GatewayTimeout
                        | DiagnosisCode::ProxyError
                );
                if !reachable {
                    continue;
                }
                for lang in [Lang::En, Lang::ZhCn] {
                    let (summary, hint) = texts(lang, code, &f);
                    for said in [&summary, &hint] {
                        assert!(!said.contains("CONNECT"), "{code:?} {line}: {said}");
                        assert!(!said.contains("tunnel"), "{code:?} {line}: {said}");
                        // The Chinese texts' word for the tunnel.
                        assert!(
                            !said.contains("\u{96a7}\u{9053}"),
                            "{code:?} {line}: {said}"
                        );
                        assert!(!said.contains("diagnosis-"), "missing id: {said}");
                    }
                }
            }
        }
        let f = Facts {
            plain_http: true,
            ..answered("HTTP/1.1 403 Forbidden")
        };
        let d = Diagnosis::new(DiagnosisCode::ProxyDenied, &f);
        assert!(d.hint.contains("plain HTTP"), "{}", d.hint);
    }

    #[test]
    fn a_401_with_a_challenge_it_cannot_answer_is_said_neutrally() {
        let f = Facts {
            offered: vec!["Kerberos".into()],
            ..answered("HTTP/1.1 401 Unauthorized")
        };
        let d = Diagnosis::new(DiagnosisCode::ProxyError, &f);
        assert!(!d.summary.contains("no challenge"), "{}", d.summary);
        assert!(d.summary.contains("no tunnel was opened"), "{}", d.summary);
    }

    #[test]
    fn an_auth_answer_names_the_status_the_proxy_used() {
        for (line, status) in [
            ("HTTP/1.1 401 Unauthorized", "401"),
            ("HTTP/1.1 407 X", "407"),
        ] {
            let f = Facts {
                offered: vec!["Basic".into()],
                rounds: 1,
                ..answered(line)
            };
            for code in [
                DiagnosisCode::ProxyAuthRequired,
                DiagnosisCode::ProxyAuthFailed,
            ] {
                let d = Diagnosis::new(code, &f);
                for said in [d.summary.clone(), d.summary_in(Lang::ZhCn)] {
                    assert!(said.contains(status), "{code:?} {line}: {said}");
                    let other = if status == "401" { "407" } else { "401" };
                    assert!(!said.contains(other), "{code:?} {line}: {said}");
                }
            }
        }
    }

    #[test]
    fn a_server_error_is_never_called_a_refusal() {
        // "Refused", as the Chinese texts say it.
        let refused = "\u{62d2}\u{7edd}";
        for status in 500..600 {
            let f = answered(&format!("HTTP/1.1 {status} X"));
            let d = Diagnosis::new(DiagnosisCode::for_status(status), &f);
            // The summary says what happened; a next step may still name an ACL as a cause.
            let summary = d.summary.to_lowercase();
            assert!(!summary.contains("refus"), "{status}: {summary}");
            let zh = d.summary_in(Lang::ZhCn);
            assert!(!zh.contains(refused), "{status}: {zh}");
        }
    }

    #[test]
    fn the_proxy_host_is_taken_from_an_ipv6_authority() {
        assert_eq!(proxy_host("[::1]:3128"), "::1");
        assert_eq!(proxy_host("proxy:80"), "proxy");
    }
}
