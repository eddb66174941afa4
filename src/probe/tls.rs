//! TLS through the tunnel: the trust store (OS roots plus an optional PEM file), a verifier
//! that remembers the certificate it was shown, failure classification, certificate facts.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

use super::diagnosis::DiagnosisCode;
use super::report::TlsReport;

/// Why the TLS client could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    #[error("cannot read CA file {path}: {reason}")]
    CaFile { path: String, reason: String },
    #[error("CA file {0} holds no certificate")]
    CaFileEmpty(String),
    #[error("TLS setup failed: {0}")]
    Rustls(#[from] rustls::Error),
    #[error("TLS setup did not finish: {0}")]
    Interrupted(String),
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

/// Builds the client: OS trust store plus every certificate of `ca_file`.
pub fn client(ca_file: Option<&Path>) -> Result<TlsClient, TlsSetupError> {
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
                reason: e.to_string(),
            })?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| TlsSetupError::CaFile {
                path: shown.clone(),
                reason: e.to_string(),
            })?;
        if certs.is_empty() {
            return Err(TlsSetupError::CaFileEmpty(shown));
        }
        for cert in certs {
            roots.add(cert).map_err(|e| TlsSetupError::CaFile {
                path: shown.clone(),
                reason: e.to_string(),
            })?;
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

/// A readable account of a rustls error.
pub fn describe(err: &rustls::Error) -> String {
    match err {
        rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext {
            expected,
            presented,
        }) => format!(
            "the certificate is for {} but the target is {}",
            if presented.is_empty() {
                "no name".to_string()
            } else {
                presented.join(", ")
            },
            expected.to_str()
        ),
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
            "certificate issued by an unknown CA".to_string()
        }
        other => other.to_string(),
    }
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
        assert!(
            text.contains("b.example") && text.contains("a.example"),
            "{text}"
        );
    }

    #[test]
    fn a_missing_ca_file_is_a_setup_error() {
        let err = client(Some(Path::new("/nonexistent/ca.pem")))
            .err()
            .unwrap();
        assert!(matches!(err, TlsSetupError::CaFile { .. }), "{err}");
    }

    #[test]
    fn a_ca_file_without_certificates_is_a_setup_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.pem");
        std::fs::write(&path, "not a pem\n").unwrap();
        let err = client(Some(&path)).err().unwrap();
        assert!(matches!(err, TlsSetupError::CaFileEmpty(_)), "{err}");
    }
}
