//! How a failed connection or lookup is said in a stage's detail, in both languages.

use std::io;

use super::lookup::DnsError;
use crate::locale::{Text, io_reason};

/// A TCP connect that failed, with what it usually means.
pub(super) fn describe_connect_error(e: &io::Error) -> Text {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => crate::locale::text(
            "probe-reasons-connection-refused-nothing-listens-there-or",
            &[],
        ),
        io::ErrorKind::HostUnreachable => {
            crate::locale::text("probe-reasons-host-unreachable", &[])
        }
        io::ErrorKind::NetworkUnreachable => {
            crate::locale::text("probe-reasons-network-unreachable-no-route", &[])
        }
        _ => io_reason(e),
    }
}

/// Why a name did not resolve. The English is the resolver's own words
/// (`failed to lookup address information: Name or service not known`); the other
/// languages name the common getaddrinfo answers by their code (`probe-dns-*`), an OS
/// error by its kind, and quote the rest after a lead-in.
pub(super) fn dns_reason(e: &DnsError) -> Text {
    use crate::locale::{Arg, quoting, text};
    let words = e.resolver_words();
    let why = match e {
        DnsError::UnknownName => text("probe-dns-unknown-name", &[]),
        DnsError::NoAddress => text("probe-dns-no-address", &[]),
        DnsError::TryAgain => text("probe-dns-try-again", &[]),
        DnsError::System(io) if io.raw_os_error().is_some() => io_reason(io),
        DnsError::System(_) | DnsError::Other(_) => {
            return quoting(
                words.clone(),
                "probe-dns-failed-quoting",
                &[("words", Arg::same(&words))],
            );
        }
    };
    quoting(words, "probe-dns-failed", &[("why", Arg::each(&why))])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::locale::Lang;
    use crate::locale::message;

    /// What the Chinese page says for a failed lookup whose reason is message `id`.
    fn dns_failed(why: &str) -> String {
        message(Lang::ZhCn, "probe-dns-failed", &[("why", why.to_owned())])
    }

    #[test]
    fn a_refused_connection_says_what_it_usually_means() {
        let t = describe_connect_error(&io::Error::from_raw_os_error(111));
        assert!(
            t.en.starts_with("connection refused (nothing listens"),
            "{t}"
        );
        assert_eq!(
            t.zh_cn,
            message(
                Lang::ZhCn,
                "probe-reasons-connection-refused-nothing-listens-there-or",
                &[]
            )
        );
        let timed_out = io::Error::from_raw_os_error(110);
        assert_eq!(
            describe_connect_error(&timed_out).zh_cn,
            io_reason(&timed_out).zh_cn
        );
    }

    #[test]
    fn resolver_answers_keep_their_english_and_get_a_lead_in_by_their_code() {
        let t = dns_reason(&DnsError::UnknownName);
        assert_eq!(
            t.en,
            "failed to lookup address information: Name or service not known"
        );
        for (e, id) in [
            (DnsError::UnknownName, "probe-dns-unknown-name"),
            (DnsError::TryAgain, "probe-dns-try-again"),
            (DnsError::NoAddress, "probe-dns-no-address"),
        ] {
            let why = message(Lang::ZhCn, id, &[]);
            assert_eq!(dns_reason(&e).zh_cn, dns_failed(&why), "{id}");
        }
        let odd = dns_reason(&DnsError::Other(libc::EAI_FAIL));
        assert_eq!(
            odd.zh_cn,
            message(
                Lang::ZhCn,
                "probe-dns-failed-quoting",
                &[(
                    "words",
                    "failed to lookup address information: Non-recoverable failure in name resolution"
                        .to_owned()
                )]
            )
        );
        let timed_out = io::Error::from_raw_os_error(110);
        let system = dns_reason(&DnsError::System(io::Error::from_raw_os_error(110)));
        assert_eq!(system.zh_cn, dns_failed(&io_reason(&timed_out).zh_cn));
    }
}
