//! Trusted CA for the probe (SPEC §6): certificates an admin pastes as PEM (a
//! TLS-inspecting proxy's CA), checked here, stored with the revision and added to the
//! probe's trust anchors on top of `--ca-file` and the OS store. Only facts leave this
//! module in a refusal: never the pasted text, which may be a private key by mistake.

use std::fmt;

use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use sha2::{Digest, Sha256};

/// At most this much pasted PEM at once (a chain of CAs is a few KiB; the form's whole
/// body is capped at 64 KiB, and PEM grows by a third when percent-encoded).
pub const MAX_PEM_BYTES: usize = 32 * 1024;

/// At most this many certificates are stored.
pub const MAX_CAS: usize = 16;

/// One trusted certificate: its DER and the facts the page shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustedCa {
    der: Vec<u8>,
    subject: String,
    /// `YYYY-MM-DD` (UTC).
    not_after: String,
    not_after_unix: i64,
    /// SHA-256 of the DER, lower-case hex: what the Remove checkbox and the store name.
    fingerprint: String,
}

impl TrustedCa {
    /// The certificate in `der`, if it parses as X.509 (dates are not checked here: a
    /// stored CA that has since expired is still read back, and shown as expired).
    pub fn from_der(der: &[u8]) -> Option<TrustedCa> {
        let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
        let not_after_unix = cert.validity().not_after.timestamp();
        Some(TrustedCa {
            der: der.to_vec(),
            subject: cert.subject().to_string(),
            not_after: date(not_after_unix),
            not_after_unix,
            fingerprint: crate::hex::encode(&Sha256::digest(der)),
        })
    }

    pub fn der(&self) -> CertificateDer<'static> {
        CertificateDer::from(self.der.clone())
    }

    /// The subject as RFC 4514 says it, e.g. `CN=Proxy CA, O=Example`.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The last day it is valid, `YYYY-MM-DD` (UTC).
    pub fn not_after(&self) -> &str {
        &self.not_after
    }

    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Expired at `now` (Unix seconds)?
    pub fn expired_at(&self, now: i64) -> bool {
        self.not_after_unix < now
    }

    /// The stored form: the DER in hex.
    pub fn der_hex(&self) -> String {
        crate::hex::encode(&self.der)
    }

    /// The certificate from its stored form.
    pub fn from_der_hex(text: &str) -> Option<TrustedCa> {
        Self::from_der(&crate::hex::decode(text)?)
    }
}

/// How a change and the history say it: `subject (until YYYY-MM-DD)`.
impl fmt::Display for TrustedCa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (until {})", self.subject, self.not_after)
    }
}

/// Why pasted PEM was refused. `block` counts the `-----BEGIN` sections from 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaError {
    /// Over [`MAX_PEM_BYTES`].
    TooLarge { max_kib: usize },
    /// No `-----BEGIN CERTIFICATE-----` section at all.
    NotPem,
    /// A private key: it is refused, and neither stored nor shown again.
    PrivateKey { block: usize },
    /// A PEM section of another kind (e.g. `CERTIFICATE REQUEST`).
    NotCertificate { block: usize, label: String },
    /// A section that is not well-formed PEM (no end line, not base64).
    BadPem { block: usize },
    /// Base64 that is not an X.509 certificate.
    NotX509 { block: usize },
    /// Past its end date: a probe trusting it would fail anyway.
    Expired {
        block: usize,
        subject: String,
        not_after: String,
    },
    /// Not yet valid.
    NotYetValid {
        block: usize,
        subject: String,
        not_before: String,
    },
    /// A certificate the TLS library cannot use as a trust anchor.
    NotAnAnchor { block: usize, subject: String },
    /// More than [`MAX_CAS`] certificates in all.
    TooMany { max: usize },
}

/// The certificates in `text`, each checked at `now` (Unix seconds). Text outside the
/// PEM sections (e.g. `openssl x509 -text` output around them) is ignored.
pub fn parse_pem(text: &str, now: i64) -> Result<Vec<TrustedCa>, CaError> {
    if text.len() > MAX_PEM_BYTES {
        return Err(CaError::TooLarge {
            max_kib: MAX_PEM_BYTES / 1024,
        });
    }
    let labels = begin_labels(text);
    if labels.is_empty() {
        return Err(CaError::NotPem);
    }
    // Keys first: whatever else is wrong, a key pasted by mistake is said as such.
    if let Some(i) = labels.iter().position(|l| l.contains("PRIVATE KEY")) {
        return Err(CaError::PrivateKey { block: i + 1 });
    }
    if let Some(i) = labels.iter().position(|l| l != "CERTIFICATE") {
        let label = labels[i].chars().take(40).collect();
        return Err(CaError::NotCertificate {
            block: i + 1,
            label,
        });
    }
    let mut out = Vec::new();
    let mut ders = CertificateDer::pem_slice_iter(text.as_bytes());
    for block in 1..=labels.len() {
        let der = match ders.next() {
            Some(Ok(der)) => der,
            _ => return Err(CaError::BadPem { block }),
        };
        out.push(checked(block, &der, now)?);
    }
    Ok(out)
}

/// One decoded certificate: X.509, in its validity period, usable as an anchor.
fn checked(block: usize, der: &[u8], now: i64) -> Result<TrustedCa, CaError> {
    let (_, cert) =
        x509_parser::parse_x509_certificate(der).map_err(|_| CaError::NotX509 { block })?;
    let subject = cert.subject().to_string();
    let validity = cert.validity();
    if validity.not_after.timestamp() < now {
        let not_after = date(validity.not_after.timestamp());
        return Err(CaError::Expired {
            block,
            subject,
            not_after,
        });
    }
    if validity.not_before.timestamp() > now {
        let not_before = date(validity.not_before.timestamp());
        return Err(CaError::NotYetValid {
            block,
            subject,
            not_before,
        });
    }
    let mut roots = RootCertStore::empty();
    if roots.add(CertificateDer::from(der.to_vec())).is_err() {
        return Err(CaError::NotAnAnchor { block, subject });
    }
    TrustedCa::from_der(der).ok_or(CaError::NotX509 { block })
}

/// The labels of the `-----BEGIN <label>-----` lines, in order.
fn begin_labels(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix("-----BEGIN ")?;
            Some(rest.trim_end_matches('-').trim().to_owned())
        })
        .collect()
}

/// What a save or a test trusts: the `stored` certificates but those whose fingerprint is
/// in `remove` (or none of them when `replace`), then the `pasted` ones not already there.
pub fn combine(
    stored: &[TrustedCa],
    remove: &[String],
    replace: bool,
    pasted: &str,
    now: i64,
) -> Result<Vec<TrustedCa>, CaError> {
    let mut out: Vec<TrustedCa> = if replace {
        Vec::new()
    } else {
        stored
            .iter()
            .filter(|ca| {
                !remove
                    .iter()
                    .any(|f| f.eq_ignore_ascii_case(&ca.fingerprint))
            })
            .cloned()
            .collect()
    };
    if !pasted.trim().is_empty() {
        for ca in parse_pem(pasted, now)? {
            if !out.iter().any(|c| c.fingerprint == ca.fingerprint) {
                out.push(ca);
            }
        }
    }
    if out.len() > MAX_CAS {
        return Err(CaError::TooMany { max: MAX_CAS });
    }
    Ok(out)
}

/// Pasted text as a refused form shows it again: never a private key.
pub fn echo(pasted: &str) -> &str {
    if pasted.contains("PRIVATE KEY") {
        ""
    } else {
        pasted
    }
}

/// The certificates as stored: a JSON array of DER in hex.
pub fn to_json(cas: &[TrustedCa]) -> String {
    let hexes: Vec<String> = cas.iter().map(TrustedCa::der_hex).collect();
    serde_json::to_string(&hexes).unwrap_or_else(|_| "[]".into())
}

/// The stored certificates; `None` when the text is not what [`to_json`] writes.
pub fn from_json(json: &str) -> Option<Vec<TrustedCa>> {
    let hexes: Vec<String> = serde_json::from_str(json).ok()?;
    hexes.iter().map(|h| TrustedCa::from_der_hex(h)).collect()
}

/// Now, in Unix seconds.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn date(unix: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| unix.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};

    /// 2026-01-01.
    const NOW: i64 = 1_767_225_600;

    fn ca_pem(cn: &str, from: i32, to: i32) -> (String, KeyPair) {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, cn);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.not_before = rcgen::date_time_ymd(from, 1, 1);
        params.not_after = rcgen::date_time_ymd(to, 1, 1);
        (params.self_signed(&key).unwrap().pem(), key)
    }

    #[test]
    fn two_certificates_are_read_with_their_subject_and_end_date() {
        let (a, _) = ca_pem("Inspect CA One", 2020, 2040);
        let (b, _) = ca_pem("Inspect CA Two", 2021, 2039);
        let text = format!("subject=CN = Inspect CA One\n{a}\nnoise between\r\n{b}");
        let cas = parse_pem(&text, NOW).unwrap();
        let facts: Vec<(&str, &str)> = cas.iter().map(|c| (c.subject(), c.not_after())).collect();
        assert_eq!(
            facts,
            [
                ("CN=Inspect CA One", "2040-01-01"),
                ("CN=Inspect CA Two", "2039-01-01")
            ]
        );
        assert_eq!(cas[0].fingerprint().len(), 64);
        assert_ne!(cas[0].fingerprint(), cas[1].fingerprint());
        assert_eq!(
            from_json(&to_json(&cas)).unwrap(),
            cas,
            "stored and read back"
        );
        assert_eq!(cas[1].to_string(), "CN=Inspect CA Two (until 2039-01-01)");
    }

    #[test]
    fn garbage_and_empty_text_are_not_pem() {
        assert_eq!(parse_pem("hello", NOW), Err(CaError::NotPem));
        assert_eq!(
            parse_pem("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA", NOW),
            Err(CaError::NotPem)
        );
        let broken =
            "-----BEGIN CERTIFICATE-----\n!!!! not base64 !!!!\n-----END CERTIFICATE-----\n";
        assert_eq!(parse_pem(broken, NOW), Err(CaError::BadPem { block: 1 }));
        let unterminated = "-----BEGIN CERTIFICATE-----\nMIIB\n";
        assert_eq!(
            parse_pem(unterminated, NOW),
            Err(CaError::BadPem { block: 1 })
        );
        let not_x509 = "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n";
        assert_eq!(parse_pem(not_x509, NOW), Err(CaError::NotX509 { block: 1 }));
    }

    #[test]
    fn a_private_key_pasted_by_mistake_is_refused_and_never_echoed() {
        let (cert, key) = ca_pem("CA", 2020, 2040);
        let key_pem = key.serialize_pem();
        for text in [key_pem.clone(), format!("{cert}{key_pem}")] {
            let err = parse_pem(&text, NOW).unwrap_err();
            assert!(matches!(err, CaError::PrivateKey { .. }), "{err:?}");
            let said = format!("{err:?}");
            assert!(!said.contains("MII"), "{said}");
            assert_eq!(echo(&text), "", "a refused key is not shown again");
        }
        let rsa =
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----";
        assert_eq!(parse_pem(rsa, NOW), Err(CaError::PrivateKey { block: 1 }));
        assert_eq!(
            echo(&cert),
            cert,
            "a certificate is shown again to be corrected"
        );
        let csr = "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----";
        assert_eq!(
            parse_pem(csr, NOW),
            Err(CaError::NotCertificate {
                block: 1,
                label: "CERTIFICATE REQUEST".into()
            })
        );
    }

    #[test]
    fn oversize_text_is_refused_before_it_is_read() {
        let (cert, _) = ca_pem("CA", 2020, 2040);
        let big = cert.repeat(MAX_PEM_BYTES / cert.len() + 1);
        assert_eq!(parse_pem(&big, NOW), Err(CaError::TooLarge { max_kib: 32 }));
    }

    #[test]
    fn an_expired_or_not_yet_valid_certificate_is_refused_with_its_dates() {
        let (old, _) = ca_pem("Old CA", 2010, 2020);
        let (good, _) = ca_pem("Good CA", 2020, 2040);
        assert_eq!(
            parse_pem(&format!("{good}{old}"), NOW),
            Err(CaError::Expired {
                block: 2,
                subject: "CN=Old CA".into(),
                not_after: "2020-01-01".into()
            })
        );
        let (future, _) = ca_pem("Future CA", 2030, 2040);
        assert!(matches!(
            parse_pem(&future, NOW),
            Err(CaError::NotYetValid { block: 1, .. })
        ));
    }

    #[test]
    fn combine_keeps_removes_replaces_and_deduplicates() {
        let (a, _) = ca_pem("A", 2020, 2040);
        let (b, _) = ca_pem("B", 2020, 2040);
        let stored = parse_pem(&a, NOW).unwrap();
        let fa = stored[0].fingerprint().to_owned();
        let subjects = |cas: Vec<TrustedCa>| -> Vec<String> {
            cas.iter().map(|c| c.subject().to_owned()).collect()
        };
        assert_eq!(
            subjects(combine(&stored, &[], false, "", NOW).unwrap()),
            ["CN=A"]
        );
        assert_eq!(
            subjects(combine(&stored, &[], false, &b, NOW).unwrap()),
            ["CN=A", "CN=B"]
        );
        assert_eq!(
            subjects(combine(&stored, &[], false, &a, NOW).unwrap()),
            ["CN=A"],
            "the same CA once"
        );
        assert_eq!(
            subjects(combine(&stored, &[fa.to_uppercase()], false, &b, NOW).unwrap()),
            ["CN=B"]
        );
        assert_eq!(
            subjects(combine(&stored, &[], true, "", NOW).unwrap()),
            Vec::<String>::new()
        );
        // A stored CA that has since expired is kept until removed.
        assert_eq!(
            subjects(combine(&stored, &[], false, "", NOW + 100 * 365 * 86_400).unwrap()),
            ["CN=A"]
        );
        let many: Vec<TrustedCa> = (0..MAX_CAS)
            .map(|i| {
                parse_pem(&ca_pem(&format!("C{i}"), 2020, 2040).0, NOW)
                    .unwrap()
                    .remove(0)
            })
            .collect();
        assert_eq!(
            combine(&many, &[], false, &b, NOW),
            Err(CaError::TooMany { max: MAX_CAS })
        );
    }

    #[test]
    fn stored_text_that_is_not_ours_reads_as_nothing() {
        assert_eq!(from_json("[]"), Some(Vec::new()));
        assert_eq!(from_json("[\"zz\"]"), None);
        assert_eq!(from_json("[\"abc\"]"), None);
        assert_eq!(from_json("not json"), None);
    }
}
