//! How a failed connection or lookup is said in a stage's detail, in both languages.

use std::io;

use super::lookup::DnsError;
use crate::i18n::{Text, io_reason};

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
/// (`failed to lookup address information: Name or service not known`); the Chinese
/// names the common getaddrinfo answers by their code and quotes the rest after a
/// Chinese lead-in.
pub(super) fn dns_reason(e: &DnsError) -> Text {
    let en = e.resolver_words();
    let known = match e {
        DnsError::UnknownName => Some("名称或服务未知"),
        DnsError::NoAddress => Some("该主机名没有关联的地址"),
        DnsError::TryAgain => Some("名称解析暂时失败（DNS 服务器无应答或不可达）"),
        DnsError::System(_) | DnsError::Other(_) => None,
    };
    let zh = match (known, e) {
        (Some(zh), _) => format!("DNS 解析失败：{zh}"),
        (None, DnsError::System(io)) if io.raw_os_error().is_some() => {
            format!("DNS 解析失败：{}", io_reason(io).zh_cn)
        }
        (None, _) => format!("DNS 解析失败（{en}）"),
    };
    Text::new(en, zh)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_connection_says_what_it_usually_means() {
        let t = describe_connect_error(&io::Error::from_raw_os_error(111));
        assert!(
            t.en.starts_with("connection refused (nothing listens"),
            "{t}"
        );
        assert!(t.zh_cn.starts_with("连接被拒绝（"), "{}", t.zh_cn);
        let t = describe_connect_error(&io::Error::from_raw_os_error(110));
        assert_eq!(t.zh_cn, "操作超时（OS 错误 110）");
    }

    #[test]
    fn resolver_answers_keep_their_english_and_get_a_chinese_lead_in_by_their_code() {
        let t = dns_reason(&DnsError::UnknownName);
        assert_eq!(
            t.en,
            "failed to lookup address information: Name or service not known"
        );
        assert_eq!(t.zh_cn, "DNS 解析失败：名称或服务未知");
        let t = dns_reason(&DnsError::TryAgain);
        assert_eq!(
            t.zh_cn,
            "DNS 解析失败：名称解析暂时失败（DNS 服务器无应答或不可达）"
        );
        assert_eq!(
            dns_reason(&DnsError::NoAddress).zh_cn,
            "DNS 解析失败：该主机名没有关联的地址"
        );
        let odd = dns_reason(&DnsError::Other(libc::EAI_FAIL));
        assert_eq!(
            odd.zh_cn,
            "DNS 解析失败（failed to lookup address information: Non-recoverable failure in name resolution）"
        );
        let system = dns_reason(&DnsError::System(io::Error::from_raw_os_error(110)));
        assert_eq!(system.zh_cn, "DNS 解析失败：操作超时（OS 错误 110）");
    }
}
