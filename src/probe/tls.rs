//! TLS through the tunnel: the trust store (OS roots, an optional PEM file and the saved
//! Trusted CA for the probe), a verifier
//! that remembers the certificate it was shown, failure classification, certificate facts.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

use super::diagnosis::DiagnosisCode;
use super::report::TlsReport;
use crate::locale::{self, Arg};
use crate::locale::{Text, io_reason};

/// Why the TLS client could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    #[error("cannot read CA file {path}: {reason}")]
    CaFile { path: String, reason: Text },
    #[error("CA file {0} holds no certificate")]
    CaFileEmpty(String),
    #[error("TLS setup failed: {0}")]
    Rustls(#[from] rustls::Error),
    #[error("TLS setup did not finish: {0}")]
    Interrupted(String),
}

impl TlsSetupError {
    /// The error in both languages (the English is its `Display`).
    pub fn text(&self) -> Text {
        match self {
            TlsSetupError::CaFile { path, reason } => locale::text(
                "probe-tls-cannot-read-ca-file-path-reason",
                &[("path", Arg::same(&path)), ("reason", Arg::each(reason))],
            ),
            TlsSetupError::CaFileEmpty(path) => locale::text(
                "probe-tls-ca-file-path-holds-no-certificate",
                &[("path", Arg::same(&path))],
            ),
            TlsSetupError::Rustls(e) => locale::text(
                "probe-tls-tls-setup-failed-why",
                &[("why", Arg::each(&describe(e)))],
            ),
            // The task's panic message is for the log, not for the admin.
            TlsSetupError::Interrupted(_) => {
                locale::quoting(self.to_string(), "probe-tls-setup-interrupted", &[])
            }
        }
    }
}

/// Why a PEM file could not be read, in both languages: the reader's own words in English.
fn pem_reason(e: &pem::Error) -> Text {
    let id = match e {
        pem::Error::Io(io) => return io_reason(io),
        pem::Error::MissingSectionEnd { .. } => "probe-tls-pem-missing-section-end",
        pem::Error::IllegalSectionStart { .. } => "probe-tls-pem-illegal-section-start",
        pem::Error::Base64Decode(_) => "probe-tls-pem-not-base64",
        pem::Error::SectionTooLarge => "probe-tls-pem-section-too-large",
        _ => "probe-tls-pem-invalid",
    };
    locale::quoting(e.to_string(), id, &[])
}

/// A client configuration and the slot where its verifier puts the server's certificate.
pub struct TlsClient {
    pub config: Arc<ClientConfig>,
    pub seen: Arc<Mutex<Option<CertificateDer<'static>>>>,
    /// Trust anchors loaded (OS + file).
    pub anchors: usize,
}

/// The OS trust store, read once per process: reading and parsing it takes milliseconds,
/// which a server probing again and again should pay only once.
fn native_roots() -> &'static [CertificateDer<'static>] {
    static ROOTS: std::sync::OnceLock<Vec<CertificateDer<'static>>> = std::sync::OnceLock::new();
    ROOTS.get_or_init(|| rustls_native_certs::load_native_certs().certs)
}

/// Builds the client: OS trust store plus every certificate of `ca_file` and `ca_certs`.
pub fn client(
    ca_file: Option<&Path>,
    ca_certs: &[CertificateDer<'static>],
) -> Result<TlsClient, TlsSetupError> {
    let mut roots = RootCertStore::empty();
    for cert in native_roots() {
        // An OS certificate rustls cannot use is simply not a trust anchor.
        let _ = roots.add(cert.clone());
    }
    if let Some(path) = ca_file {
        let shown = path.display().to_string();
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| TlsSetupError::CaFile {
                path: shown.clone(),
                reason: pem_reason(&e),
            })?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| TlsSetupError::CaFile {
                path: shown.clone(),
                reason: pem_reason(&e),
            })?;
        if certs.is_empty() {
            return Err(TlsSetupError::CaFileEmpty(shown));
        }
        for cert in certs {
            roots.add(cert).map_err(|e| TlsSetupError::CaFile {
                path: shown.clone(),
                reason: describe(&e),
            })?;
        }
    }
    // Checked when they were saved; one the TLS library would not take (a rule of a later
    // version) is skipped rather than failing every test, and said in the log.
    for cert in ca_certs {
        if let Err(e) = roots.add(cert.clone()) {
            tracing::warn!(error = %e, "a saved trusted CA is not usable as a trust anchor; skipped");
        }
    }
    let anchors = roots.len();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let inner = if roots.is_empty() {
        None
    } else {
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()
            .ok()
    };
    let seen = Arc::new(Mutex::new(None));
    let verifier = Recording {
        inner,
        seen: seen.clone(),
        algorithms: provider.signature_verification_algorithms,
    };
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(TlsClient {
        config: Arc::new(config),
        seen,
        anchors,
    })
}

/// WebPKI verification that first notes the end-entity certificate, so a failed
/// handshake can still say who issued it.
#[derive(Debug)]
struct Recording {
    inner: Option<Arc<WebPkiServerVerifier>>,
    seen: Arc<Mutex<Option<CertificateDer<'static>>>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut slot) = self.seen.lock() {
            *slot = Some(end_entity.clone().into_owned());
        }
        match &self.inner {
            Some(v) => {
                v.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            }
            None => Err(rustls::Error::InvalidCertificate(
                CertificateError::UnknownIssuer,
            )),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The diagnosis for a rustls error met during the handshake.
pub fn classify(err: &rustls::Error) -> DiagnosisCode {
    use CertificateError as E;
    match err {
        rustls::Error::InvalidCertificate(cert) => match cert {
            E::UnknownIssuer | E::BadSignature => DiagnosisCode::TlsUntrusted,
            E::Expired
            | E::ExpiredContext { .. }
            | E::NotValidYet
            | E::NotValidYetContext { .. } => DiagnosisCode::TlsExpired,
            E::NotValidForName | E::NotValidForNameContext { .. } => DiagnosisCode::TlsNameMismatch,
            _ => DiagnosisCode::TlsFailed,
        },
        _ => DiagnosisCode::TlsFailed,
    }
}

/// A readable account of a rustls error, in both languages. The English is rustls's own
/// words but for the two an admin meets most; other languages name each kind and keep the
/// protocol's own names (alerts, message types) as rustls spells them.
pub fn describe(err: &rustls::Error) -> Text {
    use rustls::Error as R;
    match err {
        R::InvalidCertificate(CertificateError::NotValidForNameContext {
            expected,
            presented,
        }) => {
            let expected = expected.to_str();
            if presented.is_empty() {
                locale::text(
                    "probe-tls-the-certificate-is-for-no-name",
                    &[("expected", Arg::same(&expected))],
                )
            } else {
                let names = presented.join(", ");
                locale::text(
                    "probe-tls-the-certificate-is-for-names-but",
                    &[
                        ("expected", Arg::same(&expected)),
                        ("names", Arg::same(&names)),
                    ],
                )
            }
        }
        R::InvalidCertificate(CertificateError::UnknownIssuer) => {
            locale::text("probe-tls-certificate-issued-by-an-unknown-ca", &[])
        }
        _ => {
            let (id, args) = fact(err);
            locale::quoting(err.to_string(), id, &args)
        }
    }
}

/// The message that names a rustls error, with its variables (rustls's names for the
/// alert, the message type or the reason).
fn fact(err: &rustls::Error) -> (&'static str, Vec<(&'static str, Arg)>) {
    use rustls::Error as R;
    let named = |name, value: String| vec![(name, Arg::Same(value))];
    match err {
        R::InvalidCertificate(cert) => certificate_fact(cert),
        R::AlertReceived(alert) => (
            "probe-tls-alert-received",
            named("alert", format!("{alert:?}")),
        ),
        R::NoCertificatesPresented => ("probe-tls-no-certificates", vec![]),
        R::PeerIncompatible(why) => (
            "probe-tls-peer-incompatible",
            named("why", format!("{why:?}")),
        ),
        R::PeerMisbehaved(why) => (
            "probe-tls-peer-misbehaved",
            named("why", format!("{why:?}")),
        ),
        R::InvalidMessage(why) => (
            "probe-tls-invalid-message",
            named("why", format!("{why:?}")),
        ),
        R::InappropriateMessage { got_type, .. } => (
            "probe-tls-unexpected-message",
            named("message_type", format!("{got_type:?}")),
        ),
        R::InappropriateHandshakeMessage { got_type, .. } => (
            "probe-tls-unexpected-handshake-message",
            named("message_type", format!("{got_type:?}")),
        ),
        R::DecryptError => ("probe-tls-decrypt-error", vec![]),
        R::PeerSentOversizedRecord => ("probe-tls-oversized-record", vec![]),
        R::FailedToGetCurrentTime => ("probe-tls-no-current-time", vec![]),
        _ => ("probe-tls-error", named("why", format!("{err:?}"))),
    }
}

/// A certificate refused for a reason other than its name or an unknown issuer.
fn certificate_fact(err: &CertificateError) -> (&'static str, Vec<(&'static str, Arg)>) {
    use CertificateError as E;
    let id = match err {
        E::Expired | E::ExpiredContext { .. } => "probe-tls-certificate-expired",
        E::NotValidYet | E::NotValidYetContext { .. } => "probe-tls-certificate-not-valid-yet",
        E::NotValidForName => "probe-tls-certificate-not-for-name",
        E::BadSignature => "probe-tls-certificate-bad-signature",
        E::BadEncoding => "probe-tls-certificate-bad-encoding",
        E::Revoked => "probe-tls-certificate-revoked",
        E::InvalidPurpose | E::InvalidPurposeContext { .. } => {
            "probe-tls-certificate-wrong-purpose"
        }
        E::UnsupportedSignatureAlgorithmContext { .. }
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
            "probe-tls-certificate-unsupported-signature-algorithm"
        }
        other => {
            return (
                "probe-tls-certificate-invalid",
                vec![("why", Arg::Same(format!("{other:?}")))],
            );
        }
    };
    (id, vec![])
}

/// Subject, issuer and not-after of a DER certificate.
pub fn cert_facts(der: &[u8]) -> Option<TlsReport> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let not_after =
        time::OffsetDateTime::from_unix_timestamp(cert.validity().not_after.timestamp())
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            });
    Some(TlsReport {
        version: None,
        cipher: None,
        subject: Some(cert.subject().to_string()),
        issuer: Some(cert.issuer().to_string()),
        not_after,
    })
}

/// `TLSv1.3`, `TLSv1.2`, as curl and openssl print them.
pub fn version_name(v: rustls::ProtocolVersion) -> String {
    match v {
        rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".to_string(),
        rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".to_string(),
        other => format!("{other:?}"),
    }
}

/// The cipher suite's IANA name.
pub fn cipher_name(suite: rustls::SupportedCipherSuite) -> String {
    let s = suite.suite();
    s.as_str().map_or_else(|| format!("{s:?}"), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::locale::Lang;
    use crate::locale::message;
    use rustls::pki_types::ServerName;

    #[test]
    fn certificate_errors_map_to_their_codes() {
        let c = |e| classify(&rustls::Error::InvalidCertificate(e));
        assert_eq!(
            c(CertificateError::UnknownIssuer),
            DiagnosisCode::TlsUntrusted
        );
        assert_eq!(c(CertificateError::Expired), DiagnosisCode::TlsExpired);
        assert_eq!(c(CertificateError::NotValidYet), DiagnosisCode::TlsExpired);
        assert_eq!(
            c(CertificateError::ExpiredContext {
                time: UnixTime::since_unix_epoch(std::time::Duration::from_secs(2)),
                not_after: UnixTime::since_unix_epoch(std::time::Duration::from_secs(1)),
            }),
            DiagnosisCode::TlsExpired
        );
        assert_eq!(
            c(CertificateError::NotValidForName),
            DiagnosisCode::TlsNameMismatch
        );
        assert_eq!(
            c(CertificateError::NotValidForNameContext {
                expected: ServerName::try_from("a.example").unwrap().to_owned(),
                presented: vec!["b.example".into()],
            }),
            DiagnosisCode::TlsNameMismatch
        );
        assert_eq!(c(CertificateError::Revoked), DiagnosisCode::TlsFailed);
        assert_eq!(
            classify(&rustls::Error::AlertReceived(
                rustls::AlertDescription::HandshakeFailure
            )),
            DiagnosisCode::TlsFailed
        );
    }

    #[test]
    fn a_name_mismatch_says_which_names_the_certificate_has() {
        let e = rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext {
            expected: ServerName::try_from("a.example").unwrap().to_owned(),
            presented: vec!["DnsName(\"b.example\")".into()],
        });
        let text = describe(&e);
        for said in [&text.en, &text.zh_cn] {
            assert!(
                said.contains("b.example") && said.contains("a.example"),
                "{said}"
            );
        }
        assert_ne!(text.zh_cn, text.en, "said in Chinese");
    }

    #[test]
    fn a_missing_ca_file_is_a_setup_error() {
        let err = client(Some(Path::new("/nonexistent/ca.pem")), &[])
            .err()
            .unwrap();
        assert!(matches!(err, TlsSetupError::CaFile { .. }), "{err}");
        assert_eq!(err.text().en, err.to_string());
        let not_found = io_reason(&std::io::Error::from_raw_os_error(2));
        assert_eq!(
            err.text().zh_cn,
            message(
                Lang::ZhCn,
                "probe-tls-cannot-read-ca-file-path-reason",
                &[
                    ("path", "/nonexistent/ca.pem".into()),
                    ("reason", not_found.zh_cn.clone()),
                ]
            )
        );
        assert_ne!(
            not_found.zh_cn, not_found.en,
            "the reason is said in Chinese"
        );
    }

    #[test]
    fn rustls_errors_are_named_in_chinese_and_keep_rustls_words_in_english() {
        use rustls::{AlertDescription, Error as R};
        for e in [
            R::InvalidCertificate(CertificateError::Expired),
            R::InvalidCertificate(CertificateError::Revoked),
            R::AlertReceived(AlertDescription::HandshakeFailure),
            R::NoCertificatesPresented,
            R::DecryptError,
            R::General("odd".into()),
        ] {
            let t = describe(&e);
            assert_eq!(t.en, e.to_string());
            assert!(
                t.zh_cn
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{e:?}: {}",
                t.zh_cn
            );
        }
        assert!(
            describe(&R::AlertReceived(AlertDescription::HandshakeFailure))
                .zh_cn
                .contains("HandshakeFailure")
        );
    }

    #[test]
    fn each_rustls_error_is_said_by_its_own_message() {
        use rustls::{AlertDescription, ContentType, Error as R};
        let zh = |id: &str, args: &[(&str, &str)]| {
            let args: Vec<(&str, String)> =
                args.iter().map(|(n, v)| (*n, (*v).to_owned())).collect();
            message(Lang::ZhCn, id, &args)
        };
        for (e, expected) in [
            (
                R::InvalidCertificate(CertificateError::Expired),
                zh("probe-tls-certificate-expired", &[]),
            ),
            (
                R::InvalidCertificate(CertificateError::Revoked),
                zh("probe-tls-certificate-revoked", &[]),
            ),
            (
                R::InvalidCertificate(CertificateError::UnhandledCriticalExtension),
                zh(
                    "probe-tls-certificate-invalid",
                    &[("why", "UnhandledCriticalExtension")],
                ),
            ),
            (
                R::AlertReceived(AlertDescription::HandshakeFailure),
                zh("probe-tls-alert-received", &[("alert", "HandshakeFailure")]),
            ),
            (
                R::InappropriateMessage {
                    expect_types: vec![],
                    got_type: ContentType::Alert,
                },
                zh("probe-tls-unexpected-message", &[("message_type", "Alert")]),
            ),
            (R::DecryptError, zh("probe-tls-decrypt-error", &[])),
            (
                R::General("odd".into()),
                zh("probe-tls-error", &[("why", r#"General("odd")"#)]),
            ),
        ] {
            let t = describe(&e);
            assert_eq!(t.en, e.to_string(), "rustls's words in English");
            assert_eq!(t.zh_cn, expected, "{e:?}");
        }
        let pem = pem_reason(&pem::Error::SectionTooLarge);
        assert_eq!(pem.en, pem::Error::SectionTooLarge.to_string());
        assert_eq!(pem.zh_cn, zh("probe-tls-pem-section-too-large", &[]));
        let interrupted = TlsSetupError::Interrupted("task panicked".into());
        assert_eq!(interrupted.text().en, interrupted.to_string());
        assert_eq!(
            interrupted.text().zh_cn,
            zh("probe-tls-setup-interrupted", &[])
        );
    }

    #[test]
    fn a_ca_file_without_certificates_is_a_setup_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.pem");
        std::fs::write(&path, "not a pem\n").unwrap();
        let err = client(Some(&path), &[]).err().unwrap();
        assert!(matches!(err, TlsSetupError::CaFileEmpty(_)), "{err}");
    }
}
