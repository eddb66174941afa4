//! TLS through the tunnel: the trust store (OS roots plus an optional PEM file), a verifier
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
use crate::i18n::{Text, io_reason};
use crate::tr;

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
            TlsSetupError::CaFile { path, reason } => crate::locale::text(
                "probe-tls-cannot-read-ca-file-path-reason",
                &[
                    ("path", crate::locale::Arg::same(&path)),
                    ("reason", crate::locale::Arg::each(reason)),
                ],
            ),
            TlsSetupError::CaFileEmpty(path) => crate::locale::text(
                "probe-tls-ca-file-path-holds-no-certificate",
                &[("path", crate::locale::Arg::same(&path))],
            ),
            TlsSetupError::Rustls(e) => crate::locale::text(
                "probe-tls-tls-setup-failed-why",
                &[("why", crate::locale::Arg::each(&describe(e)))],
            ),
            TlsSetupError::Interrupted(e) => tr!(
                "TLS setup did not finish: {e}",
                "TLS 设置未完成（内部任务被中断）"
            ),
        }
    }
}

/// Why a PEM file could not be read, in both languages.
fn pem_reason(e: &pem::Error) -> Text {
    let zh = match e {
        pem::Error::Io(io) => return io_reason(io),
        pem::Error::MissingSectionEnd { .. } => "PEM 段缺少 END 行",
        pem::Error::IllegalSectionStart { .. } => "PEM 段的 BEGIN 行无效",
        pem::Error::Base64Decode(_) => "PEM 内容不是有效的 Base64",
        pem::Error::SectionTooLarge => "PEM 段过大",
        _ => "不是有效的 PEM 文件",
    };
    Text::new(e.to_string(), zh)
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
/// words but for the two an admin meets most; the Chinese names each kind and keeps the
/// protocol's own names (alerts, message types) as rustls spells them.
pub fn describe(err: &rustls::Error) -> Text {
    use rustls::Error as R;
    let rustls = err.to_string();
    let zh = |zh: String| Text::new(rustls.clone(), zh);
    match err {
        R::InvalidCertificate(CertificateError::NotValidForNameContext {
            expected,
            presented,
        }) => {
            let expected = expected.to_str();
            if presented.is_empty() {
                crate::locale::text(
                    "probe-tls-the-certificate-is-for-no-name",
                    &[("expected", crate::locale::Arg::same(&expected))],
                )
            } else {
                let names = presented.join(", ");
                crate::locale::text(
                    "probe-tls-the-certificate-is-for-names-but",
                    &[
                        ("expected", crate::locale::Arg::same(&expected)),
                        ("names", crate::locale::Arg::same(&names)),
                    ],
                )
            }
        }
        R::InvalidCertificate(CertificateError::UnknownIssuer) => {
            crate::locale::text("probe-tls-certificate-issued-by-an-unknown-ca", &[])
        }
        R::InvalidCertificate(cert) => zh(certificate_zh(cert)),
        R::AlertReceived(alert) => zh(format!("对端发送了 TLS 警报 {alert:?}")),
        R::NoCertificatesPresented => zh("服务器未提供证书".to_owned()),
        R::PeerIncompatible(why) => zh(format!("服务器与本设备的 TLS 参数不兼容（{why:?}）")),
        R::PeerMisbehaved(why) => zh(format!("服务器违反了 TLS 协议（{why:?}）")),
        R::InvalidMessage(why) => zh(format!(
            "收到无效的 TLS 消息（{why:?}）：隧道另一端可能不是 TLS 服务器"
        )),
        R::InappropriateMessage { got_type, .. } => {
            zh(format!("收到不应在此时出现的 TLS 消息（{got_type:?}）"))
        }
        R::InappropriateHandshakeMessage { got_type, .. } => {
            zh(format!("收到不应在此时出现的 TLS 握手消息（{got_type:?}）"))
        }
        R::DecryptError => zh("无法解密 TLS 消息".to_owned()),
        R::PeerSentOversizedRecord => zh("对端发送了超出大小限制的 TLS 记录".to_owned()),
        R::FailedToGetCurrentTime => zh("无法读取当前时间".to_owned()),
        _ => zh(format!("TLS 错误（{err:?}）")),
    }
}

/// A certificate refused for a reason other than its name or an unknown issuer.
fn certificate_zh(err: &CertificateError) -> String {
    use CertificateError as E;
    match err {
        E::Expired | E::ExpiredContext { .. } => "证书已过期".to_owned(),
        E::NotValidYet | E::NotValidYetContext { .. } => "证书尚未生效".to_owned(),
        E::NotValidForName => "证书未颁发给目标名称".to_owned(),
        E::BadSignature => "证书签名无效".to_owned(),
        E::BadEncoding => "证书编码无效".to_owned(),
        E::Revoked => "证书已被吊销".to_owned(),
        E::InvalidPurpose | E::InvalidPurposeContext { .. } => {
            "证书的用途不是 TLS 服务器身份验证".to_owned()
        }
        E::UnsupportedSignatureAlgorithmContext { .. }
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
            "证书使用了不支持的签名算法".to_owned()
        }
        other => format!("证书无效（{other:?}）"),
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
        for said in [&text.en, &text.zh_cn] {
            assert!(
                said.contains("b.example") && said.contains("a.example"),
                "{said}"
            );
        }
        assert!(text.zh_cn.contains("证书"), "{}", text.zh_cn);
    }

    #[test]
    fn a_missing_ca_file_is_a_setup_error() {
        let err = client(Some(Path::new("/nonexistent/ca.pem")))
            .err()
            .unwrap();
        assert!(matches!(err, TlsSetupError::CaFile { .. }), "{err}");
        assert_eq!(err.text().en, err.to_string());
        assert!(
            err.text()
                .zh_cn
                .starts_with("无法读取 CA 文件 /nonexistent/ca.pem：文件或目录不存在"),
            "{}",
            err.text().zh_cn
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
    fn a_ca_file_without_certificates_is_a_setup_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.pem");
        std::fs::write(&path, "not a pem\n").unwrap();
        let err = client(Some(&path)).err().unwrap();
        assert!(matches!(err, TlsSetupError::CaFileEmpty(_)), "{err}");
    }
}
