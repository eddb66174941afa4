//! How the settings' refusals are said: each fact to its message in settings.ftl, in the
//! reader's language. The only place in `settings` that knows a message id.

use super::fields::{HostError, PasswordError, PortError, ProxyHostError, UserNameError};
use super::form::FieldError;
use super::targets::{TargetsError, TargetsErrorKind};
use super::trusted_ca::CaError;
use crate::endpoint::NAME_MAX;
use crate::locale::Lang;
use crate::locale::message;
use crate::probe::url::UrlError;

impl FieldError {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            FieldError::Host(e) => host(e, lang),
            FieldError::Port(e) => port(*e, lang),
            FieldError::Username(e) => username(*e, lang),
            FieldError::Password(e) => password(*e, lang),
            FieldError::Targets(e) => e.message(lang),
            FieldError::TrustedCa(e) => ca(e, lang),
            FieldError::PasswordNotKept => message(lang, "settings-password-not-kept", &[]),
        }
    }
}

fn host(e: &ProxyHostError, lang: Lang) -> String {
    let id = match e {
        ProxyHostError::Empty => "settings-host-empty",
        ProxyHostError::ControlCharacter => "settings-host-control-character",
        ProxyHostError::Space => "settings-host-space",
        ProxyHostError::HasPort => "settings-host-has-port",
        ProxyHostError::HasPath => "settings-host-has-path",
        ProxyHostError::UnclosedBracket => "settings-host-unclosed-bracket",
        ProxyHostError::BracketsNotIpv6 => "settings-host-brackets-not-ipv6",
        ProxyHostError::TooLong { max } => {
            return message(lang, "settings-host-too-long", &[("max", max.to_string())]);
        }
        ProxyHostError::Rule(rule) => return host_rule(rule, lang),
    };
    message(lang, id, &[])
}

fn host_rule(e: &HostError, lang: Lang) -> String {
    let (id, args): (&str, Vec<(&str, String)>) = match e {
        HostError::Empty => ("settings-host-empty", vec![]),
        HostError::BadIpv6 { host } => ("settings-host-bad-ipv6", vec![("host", host.clone())]),
        HostError::BadIpv4 { host } => ("settings-host-bad-ipv4", vec![("host", host.clone())]),
        HostError::TooLong { len } => (
            "settings-host-name-too-long",
            vec![("max", NAME_MAX.to_string()), ("len", len.to_string())],
        ),
        HostError::EmptyLabel => ("settings-host-empty-label", vec![]),
        HostError::LabelTooLong { label, len } => (
            "settings-host-label-too-long",
            vec![("label", label.clone()), ("len", len.to_string())],
        ),
        HostError::BadCharacter { label } => (
            "settings-host-bad-character",
            vec![("label", label.clone())],
        ),
        HostError::HyphenAtEdge { label } => (
            "settings-host-hyphen-at-edge",
            vec![("label", label.clone())],
        ),
    };
    message(lang, id, &args)
}

fn port(e: PortError, lang: Lang) -> String {
    let id = match e {
        PortError::Empty => "settings-port-empty",
        PortError::NotANumber => "settings-port-not-a-number",
        PortError::OutOfRange => "settings-port-out-of-range",
    };
    message(lang, id, &[])
}

fn username(e: UserNameError, lang: Lang) -> String {
    let id = match e {
        UserNameError::Empty => "settings-username-empty",
        UserNameError::ControlCharacter => "settings-username-control-character",
        UserNameError::Colon => "settings-username-colon",
        UserNameError::TooLong { max } => {
            return message(
                lang,
                "settings-username-too-long",
                &[("max", max.to_string())],
            );
        }
    };
    message(lang, id, &[])
}

fn password(e: PasswordError, lang: Lang) -> String {
    let id = match e {
        PasswordError::Empty => "settings-password-empty",
        PasswordError::NotPrintable => "settings-password-not-printable",
        PasswordError::Mismatch => "settings-password-mismatch",
        PasswordError::TooLong { max } => {
            return message(
                lang,
                "settings-password-too-long",
                &[("max", max.to_string())],
            );
        }
    };
    message(lang, id, &[])
}

/// A refused Trusted CA, naming its PEM section (trusted_ca.ftl); never the pasted text.
fn ca(e: &CaError, lang: Lang) -> String {
    let n = |block: &usize| ("block", block.to_string());
    let (id, args): (&str, Vec<(&str, String)>) = match e {
        CaError::TooLarge { max_kib } => ("ca-too-large", vec![("max", max_kib.to_string())]),
        CaError::NotPem => ("ca-not-pem", vec![]),
        CaError::PrivateKey { block } => ("ca-private-key", vec![n(block)]),
        CaError::NotCertificate { block, label } => (
            "ca-not-certificate",
            vec![n(block), ("label", label.clone())],
        ),
        CaError::BadPem { block } => ("ca-bad-pem", vec![n(block)]),
        CaError::NotX509 { block } => ("ca-not-x509", vec![n(block)]),
        CaError::Expired {
            block,
            subject,
            not_after,
        } => (
            "ca-expired-refused",
            vec![
                n(block),
                ("subject", subject.clone()),
                ("date", not_after.clone()),
            ],
        ),
        CaError::NotYetValid {
            block,
            subject,
            not_before,
        } => (
            "ca-not-yet-valid",
            vec![
                n(block),
                ("subject", subject.clone()),
                ("date", not_before.clone()),
            ],
        ),
        CaError::NotAnAnchor { block, subject } => (
            "ca-not-an-anchor",
            vec![n(block), ("subject", subject.clone())],
        ),
        CaError::TooMany { max } => ("ca-too-many", vec![("max", max.to_string())]),
    };
    message(lang, id, &args)
}

impl TargetsError {
    /// The refusal in `lang`, naming its line (targets.ftl).
    pub fn message(&self, lang: Lang) -> String {
        let (id, mut args): (&str, Vec<(&str, String)>) = match &self.kind {
            TargetsErrorKind::TooMany { max } => {
                ("targets-too-many", vec![("max", max.to_string())])
            }
            TargetsErrorKind::BadMarker(word) => {
                ("targets-bad-marker", vec![("word", word.clone())])
            }
            TargetsErrorKind::Duplicate { url, first } => (
                "targets-duplicate",
                vec![("url", url.clone()), ("first", first.to_string())],
            ),
            TargetsErrorKind::Url(e) => url_words(e),
        };
        args.push(("line", self.line.to_string()));
        message(lang, id, &args)
    }
}

/// The message id and values of a refused URL.
fn url_words(e: &UrlError) -> (&'static str, Vec<(&'static str, String)>) {
    match e {
        UrlError::Empty => ("targets-url-empty", vec![]),
        UrlError::NoScheme(url) => ("targets-url-no-scheme", vec![("url", url.clone())]),
        UrlError::Scheme(scheme) => ("targets-url-scheme", vec![("scheme", scheme.clone())]),
        UrlError::Userinfo => ("targets-url-userinfo", vec![]),
        UrlError::NoHost(_) => ("targets-url-no-host", vec![]),
        UrlError::BadPort(a) => ("targets-url-bad-port", vec![("authority", a.clone())]),
        UrlError::UnbracketedIpv6(h) => ("targets-url-unbracketed-ipv6", vec![("host", h.clone())]),
        UrlError::BadHost(h) => ("targets-url-bad-host", vec![("host", h.clone())]),
        UrlError::BadPath(p) => ("targets-url-bad-path", vec![("path", p.clone())]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words the page, the JSON API and the CLI have always shown for each refusal.
    #[test]
    fn each_refusal_says_the_words_it_always_said() {
        use FieldError as F;
        use ProxyHostError as H;
        let rule = |e| F::Host(H::Rule(e));
        let label = |l: &str| l.to_owned();
        let cases = [
            (
                F::Host(H::Empty),
                "Enter the proxy's IP address or fully qualified domain name.",
            ),
            (
                rule(HostError::Empty),
                "Enter the proxy's IP address or fully qualified domain name.",
            ),
            (
                F::Host(H::ControlCharacter),
                "The host must not contain control characters.",
            ),
            (F::Host(H::Space), "The host must not contain spaces."),
            (
                F::Host(H::HasPort),
                "Enter the host only; the port goes in Port.",
            ),
            (
                F::Host(H::HasPath),
                "Enter the host only, without a path or user name.",
            ),
            (
                F::Host(H::UnclosedBracket),
                "An IPv6 address in brackets needs the closing ']'.",
            ),
            (
                F::Host(H::TooLong { max: 64 }),
                "The host may be at most 64 characters (the Smart Licensing limit).",
            ),
            (
                F::Host(H::BracketsNotIpv6),
                "Only IPv6 addresses go in brackets.",
            ),
            (
                rule(HostError::BadIpv6 {
                    host: "1:::2".into(),
                }),
                "'1:::2' is not a valid IPv6 address.",
            ),
            (
                rule(HostError::BadIpv4 {
                    host: "10.1".into(),
                }),
                "'10.1' is not a valid IPv4 address.",
            ),
            (
                rule(HostError::TooLong { len: 254 }),
                "The name may be at most 253 characters (254 given).",
            ),
            (
                rule(HostError::EmptyLabel),
                "The name has an empty label (two dots in a row, or a dot at an end).",
            ),
            (
                rule(HostError::LabelTooLong {
                    label: label("aa"),
                    len: 64,
                }),
                "Each part of the name may be at most 63 characters ('aa' has 64).",
            ),
            (
                rule(HostError::BadCharacter {
                    label: label("pro_xy"),
                }),
                "'pro_xy' may contain only letters, digits and hyphens.",
            ),
            (
                rule(HostError::HyphenAtEdge { label: label("-p") }),
                "'-p' must not start or end with a hyphen.",
            ),
            (F::Port(PortError::Empty), "Enter the proxy's port."),
            (
                F::Port(PortError::NotANumber),
                "The port must be a whole number from 1 to 65535.",
            ),
            (
                F::Port(PortError::OutOfRange),
                "The port must be from 1 to 65535.",
            ),
            (
                F::Username(UserNameError::Empty),
                "Enter the user name for the proxy.",
            ),
            (
                F::Username(UserNameError::ControlCharacter),
                "The user name must not contain control characters.",
            ),
            (
                F::Username(UserNameError::Colon),
                "The user name must not contain ':' (it cannot travel in Basic credentials).",
            ),
            (
                F::Username(UserNameError::TooLong { max: 64 }),
                "The user name may be at most 64 characters.",
            ),
            (
                F::Password(PasswordError::Empty),
                "Enter the proxy password.",
            ),
            (
                F::Password(PasswordError::TooLong { max: 128 }),
                "The password may be at most 128 characters.",
            ),
            (
                F::Password(PasswordError::NotPrintable),
                "The password may contain only letters, digits and the printable specials (no spaces, control or non-ASCII characters).",
            ),
            (
                F::Password(PasswordError::Mismatch),
                "The password and its confirmation differ.",
            ),
            (
                F::PasswordNotKept,
                "The stored password is kept only for the proxy and user name it was saved with; enter the password for this one.",
            ),
        ];
        for (error, english) in cases {
            assert_eq!(error.message(Lang::En), english, "{error:?}");
            let chinese = error.message(Lang::ZhCn);
            assert_ne!(chinese, english, "{error:?} has no Chinese");
            assert!(!chinese.starts_with("settings-"), "{error:?}: {chinese}");
        }
    }

    #[test]
    fn every_targets_refusal_names_its_line_in_both_languages() {
        use TargetsErrorKind as K;
        let kinds = [
            K::TooMany { max: 8 },
            K::BadMarker("fetch".into()),
            K::Duplicate {
                url: "https://a.example/".into(),
                first: 1,
            },
            K::Url(UrlError::Empty),
            K::Url(UrlError::NoScheme("h".into())),
            K::Url(UrlError::Scheme("ftp".into())),
            K::Url(UrlError::Userinfo),
            K::Url(UrlError::NoHost(String::new())),
            K::Url(UrlError::BadPort("h:0".into())),
            K::Url(UrlError::UnbracketedIpv6("::1".into())),
            K::Url(UrlError::BadHost("bad_host".into())),
            K::Url(UrlError::BadPath("/a b".into())),
        ];
        for kind in kinds {
            let error = TargetsError { line: 7, kind };
            let (en, zh) = (error.message(Lang::En), error.message(Lang::ZhCn));
            assert!(en.starts_with("Line 7: "), "{en}");
            assert!(
                zh.contains('7') && zh != en && !zh.starts_with("targets-"),
                "{zh}"
            );
        }
        let bad = TargetsError {
            line: 2,
            kind: K::Url(UrlError::Scheme("ftp".into())),
        };
        assert_eq!(
            bad.message(Lang::En),
            "Line 2: only https:// and http:// URLs can be tested, not ftp://."
        );
    }

    #[test]
    fn the_values_in_a_message_are_said_as_typed_in_chinese_too() {
        let error = FieldError::Host(ProxyHostError::Rule(HostError::LabelTooLong {
            label: "x".repeat(64),
            len: 64,
        }));
        let chinese = error.message(Lang::ZhCn);
        assert!(
            chinese.contains(&"x".repeat(64)) && chinese.contains("64"),
            "{chinese}"
        );
    }
}
