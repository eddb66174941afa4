//! An operating-system error said in both languages: the English is the error's own text
//! (as the logs and the JSON have always shown it); other languages name the common kinds
//! (`locales/*/io.ftl`) and keep the OS error number, and fall back to the OS text for the
//! rare ones.

use std::io::{self, ErrorKind};

use super::Text;
use crate::locale::{self, Arg};

/// `io::Error` → [`Text`]: the OS text in English (`Connection refused (os error 111)`),
/// the kind and the number in the other languages.
pub fn io_reason(e: &io::Error) -> Text {
    let english = e.to_string();
    let Some(id) = kind_message(e.kind()) else {
        return Text::same(english);
    };
    match e.raw_os_error() {
        Some(number) => locale::quoting(
            english,
            "io-reason-with-number",
            &[
                ("reason", Arg::each(&locale::text(id, &[]))),
                ("number", Arg::same(&number)),
            ],
        ),
        None => locale::quoting(english, id, &[]),
    }
}

/// The message naming an error kind; `None` for the kinds said in the OS's words only.
fn kind_message(kind: ErrorKind) -> Option<&'static str> {
    Some(match kind {
        ErrorKind::ConnectionRefused => "io-connection-refused",
        ErrorKind::ConnectionReset => "io-connection-reset",
        ErrorKind::ConnectionAborted => "io-connection-aborted",
        ErrorKind::BrokenPipe => "io-broken-pipe",
        ErrorKind::TimedOut => "io-timed-out",
        ErrorKind::HostUnreachable => "io-host-unreachable",
        ErrorKind::NetworkUnreachable => "io-network-unreachable",
        ErrorKind::NetworkDown => "io-network-down",
        ErrorKind::UnexpectedEof => "io-unexpected-eof",
        ErrorKind::NotConnected => "io-not-connected",
        ErrorKind::AddrNotAvailable => "io-addr-not-available",
        ErrorKind::AddrInUse => "io-addr-in-use",
        ErrorKind::PermissionDenied => "io-permission-denied",
        ErrorKind::NotFound => "io-not-found",
        ErrorKind::ReadOnlyFilesystem => "io-read-only-filesystem",
        ErrorKind::StorageFull => "io-storage-full",
        ErrorKind::QuotaExceeded => "io-quota-exceeded",
        ErrorKind::AlreadyExists => "io-already-exists",
        ErrorKind::IsADirectory => "io-is-a-directory",
        ErrorKind::NotADirectory => "io-not-a-directory",
        ErrorKind::DirectoryNotEmpty => "io-directory-not-empty",
        ErrorKind::FileTooLarge => "io-file-too-large",
        ErrorKind::Interrupted => "io-interrupted",
        ErrorKind::OutOfMemory => "io-out-of-memory",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::locale::Lang;
    use crate::locale::message;

    fn has_cjk(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    #[test]
    fn common_os_errors_are_named_in_chinese_with_their_number() {
        for (errno, id) in [
            (111, "io-connection-refused"),
            (104, "io-connection-reset"),
            (32, "io-broken-pipe"),
            (110, "io-timed-out"),
            (113, "io-host-unreachable"),
            (101, "io-network-unreachable"),
            (99, "io-addr-not-available"),
            (13, "io-permission-denied"),
            (1, "io-permission-denied"),
            (2, "io-not-found"),
            (30, "io-read-only-filesystem"),
            (28, "io-storage-full"),
            (17, "io-already-exists"),
            (21, "io-is-a-directory"),
        ] {
            let e = io::Error::from_raw_os_error(errno);
            let t = io_reason(&e);
            let kind = message(Lang::ZhCn, id, &[]);
            let expected = message(
                Lang::ZhCn,
                "io-reason-with-number",
                &[("reason", kind.clone()), ("number", errno.to_string())],
            );
            assert_eq!(t.get(Lang::ZhCn), expected, "{e}");
            assert!(
                has_cjk(&kind) && expected.contains(&kind),
                "{id}: {expected}"
            );
            assert!(expected.contains(&errno.to_string()), "{expected}");
            assert_eq!(t.get(Lang::En), e.to_string(), "the English is the OS text");
        }
    }

    #[test]
    fn an_error_without_a_number_is_named_by_its_kind() {
        let e = io::Error::new(ErrorKind::UnexpectedEof, "peer closed connection");
        assert_eq!(
            io_reason(&e).zh_cn,
            message(Lang::ZhCn, "io-unexpected-eof", &[])
        );
        assert!(has_cjk(&io_reason(&e).zh_cn));
        assert_eq!(io_reason(&e).en, "peer closed connection");
    }

    #[test]
    fn a_rare_error_falls_back_to_the_os_text() {
        let e = io::Error::from_raw_os_error(95); // EOPNOTSUPP
        let t = io_reason(&e);
        assert_eq!(t.zh_cn, e.to_string());
        assert!(t.zh_cn.contains("os error 95"), "{}", t.zh_cn);
    }
}
