//! An operating-system error said in both languages: the English is the error's own text
//! (as the logs and the JSON have always shown it); the Chinese names the common kinds and
//! keeps the OS error number, and falls back to the OS text for the rare ones.

use std::io::{self, ErrorKind};

use super::Text;

/// `io::Error` → [`Text`]: `Connection refused (os error 111)` / `连接被拒绝（OS 错误 111）`.
pub fn io_reason(e: &io::Error) -> Text {
    let en = e.to_string();
    let zh_cn = match phrase(e.kind()) {
        Some(zh) => match e.raw_os_error() {
            Some(n) => format!("{zh}（OS 错误 {n}）"),
            None => zh.to_owned(),
        },
        None => en.clone(),
    };
    Text { en, zh_cn }
}

fn phrase(kind: ErrorKind) -> Option<&'static str> {
    Some(match kind {
        ErrorKind::ConnectionRefused => "连接被拒绝",
        ErrorKind::ConnectionReset => "连接被对端重置",
        ErrorKind::ConnectionAborted => "连接被中止",
        ErrorKind::BrokenPipe => "连接已断开",
        ErrorKind::TimedOut => "操作超时",
        ErrorKind::HostUnreachable => "主机不可达",
        ErrorKind::NetworkUnreachable => "网络不可达",
        ErrorKind::NetworkDown => "网络已关闭",
        ErrorKind::UnexpectedEof => "连接意外结束",
        ErrorKind::NotConnected => "连接未建立或已关闭",
        ErrorKind::AddrNotAvailable => "地址不可用",
        ErrorKind::AddrInUse => "地址已被占用",
        ErrorKind::PermissionDenied => "权限被拒绝",
        ErrorKind::NotFound => "文件或目录不存在",
        ErrorKind::ReadOnlyFilesystem => "只读文件系统",
        ErrorKind::StorageFull => "设备上没有剩余空间",
        ErrorKind::QuotaExceeded => "超出磁盘配额",
        ErrorKind::AlreadyExists => "文件已存在",
        ErrorKind::IsADirectory => "是一个目录",
        ErrorKind::NotADirectory => "不是目录",
        ErrorKind::DirectoryNotEmpty => "目录不为空",
        ErrorKind::FileTooLarge => "文件过大",
        ErrorKind::Interrupted => "操作被中断",
        ErrorKind::OutOfMemory => "内存不足",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn common_os_errors_are_said_in_chinese_with_their_number() {
        for (errno, zh) in [
            (111, "连接被拒绝（OS 错误 111）"),
            (104, "连接被对端重置（OS 错误 104）"),
            (32, "连接已断开（OS 错误 32）"),
            (110, "操作超时（OS 错误 110）"),
            (113, "主机不可达（OS 错误 113）"),
            (101, "网络不可达（OS 错误 101）"),
            (99, "地址不可用（OS 错误 99）"),
            (13, "权限被拒绝（OS 错误 13）"),
            (2, "文件或目录不存在（OS 错误 2）"),
            (30, "只读文件系统（OS 错误 30）"),
            (28, "设备上没有剩余空间（OS 错误 28）"),
            (17, "文件已存在（OS 错误 17）"),
            (21, "是一个目录（OS 错误 21）"),
        ] {
            let e = io::Error::from_raw_os_error(errno);
            let t = io_reason(&e);
            assert_eq!(t.get(Lang::ZhCn), zh, "{e}");
            assert_eq!(t.get(Lang::En), e.to_string(), "the English is the OS text");
        }
    }

    #[test]
    fn an_error_without_a_number_is_named_by_its_kind() {
        let e = io::Error::new(ErrorKind::UnexpectedEof, "peer closed connection");
        assert_eq!(io_reason(&e).zh_cn, "连接意外结束");
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
