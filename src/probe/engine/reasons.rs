//! How a failed connection or lookup is said in a stage's detail, in both languages.

use std::io;

use crate::i18n::{Text, io_reason};
use crate::tr;

/// A TCP connect that failed, with what it usually means.
pub(super) fn describe_connect_error(e: &io::Error) -> Text {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => tr!(
            "connection refused (nothing listens there, or a firewall rejects it)",
            "连接被拒绝（该端口上没有服务在侦听，或防火墙拒绝了连接）"
        ),
        io::ErrorKind::HostUnreachable => tr!("host unreachable", "主机不可达"),
        io::ErrorKind::NetworkUnreachable => {
            tr!("network unreachable (no route)", "网络不可达（没有路由）")
        }
        _ => io_reason(e),
    }
}

/// Why a name did not resolve. The resolver's English (`failed to lookup address
/// information: Name or service not known`) stays in the English; the Chinese names the
/// common getaddrinfo answers and quotes the rest after a Chinese lead-in.
pub(super) fn dns_reason(e: &io::Error) -> Text {
    let en = e.to_string();
    let known = [
        ("Name or service not known", "名称或服务未知"),
        (
            "No address associated with hostname",
            "该主机名没有关联的地址",
        ),
        (
            "Temporary failure in name resolution",
            "名称解析暂时失败（DNS 服务器无应答或不可达）",
        ),
        ("Name has no usable address", "该名称没有可用的地址"),
        ("System error", "系统错误"),
    ];
    let zh = match known.iter().find(|(gai, _)| en.contains(gai)) {
        Some((_, zh)) => format!("DNS 解析失败：{zh}"),
        None => match e.raw_os_error() {
            Some(_) => format!("DNS 解析失败：{}", io_reason(e).zh_cn),
            None => format!("DNS 解析失败（{en}）"),
        },
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
    fn resolver_answers_keep_their_english_and_get_a_chinese_lead_in() {
        let e = io::Error::other("failed to lookup address information: Name or service not known");
        let t = dns_reason(&e);
        assert_eq!(t.en, e.to_string());
        assert_eq!(t.zh_cn, "DNS 解析失败：名称或服务未知");
        let odd = io::Error::other("failed to lookup address information: Odd");
        assert_eq!(
            dns_reason(&odd).zh_cn,
            "DNS 解析失败（failed to lookup address information: Odd）"
        );
    }
}
