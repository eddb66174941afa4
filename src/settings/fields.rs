//! Value types for the proxy fields. Each `parse` refuses bad input with the message the
//! admin sees beside the field (SPEC §4), so a value of these types is always valid.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::i18n::Text;
use crate::secret::Secret;
use crate::tr;

/// Smart Licensing refuses proxy names longer than this (FMC's own limit).
pub const HOST_MAX: usize = 64;
pub const USERNAME_MAX: usize = 64;
pub const PASSWORD_MAX: usize = 128;

/// The proxy's address: IPv4, IPv6 (stored without brackets) or a DNS name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyHost(String);

impl ProxyHost {
    pub fn parse(input: &str) -> Result<Self, Text> {
        if input.is_empty() {
            return Err(tr!(
                "Enter the proxy's IP address or fully qualified domain name.",
                "请输入代理的 IP 地址或完全限定域名。"
            ));
        }
        if input.chars().any(char::is_control) {
            return Err(tr!(
                "The host must not contain control characters.",
                "主机不能包含控制字符。"
            ));
        }
        if input.chars().any(char::is_whitespace) {
            return Err(tr!(
                "The host must not contain spaces.",
                "主机不能包含空格。"
            ));
        }
        if input.contains("://") || looks_like_host_and_port(input) {
            return Err(tr!(
                "Enter the host only; the port goes in Port.",
                "只需输入主机；端口请填写在“端口”中。"
            ));
        }
        if input.contains(['/', '?', '#', '@']) {
            return Err(tr!(
                "Enter the host only, without a path or user name.",
                "只需输入主机，不要包含路径或用户名。"
            ));
        }
        let bare = match input.strip_prefix('[') {
            Some(rest) => rest.strip_suffix(']').ok_or_else(|| {
                tr!(
                    "An IPv6 address in brackets needs the closing ']'.",
                    "方括号中的 IPv6 地址缺少右方括号“]”。"
                )
            })?,
            None => input,
        };
        if bare.chars().count() > HOST_MAX {
            return Err(tr!(
                "The host may be at most {HOST_MAX} characters (the Smart Licensing limit).",
                "主机最多 {HOST_MAX} 个字符（智能许可的限制）。"
            ));
        }
        if bare.contains(':') {
            return bare
                .parse::<Ipv6Addr>()
                .map(|_| ProxyHost(bare.to_owned()))
                .map_err(|_| {
                    tr!(
                        "'{bare}' is not a valid IPv6 address.",
                        "“{bare}”不是有效的 IPv6 地址。"
                    )
                });
        }
        if input.starts_with('[') {
            return Err(tr!(
                "Only IPv6 addresses go in brackets.",
                "只有 IPv6 地址才能放在方括号中。"
            ));
        }
        let labels: Vec<&str> = bare.split('.').collect();
        if labels
            .iter()
            .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()))
        {
            // All-numeric names are IPv4 addresses or mistakes; never DNS names.
            return bare
                .parse::<Ipv4Addr>()
                .map(|_| ProxyHost(bare.to_owned()))
                .map_err(|_| {
                    tr!(
                        "'{bare}' is not a valid IPv4 address.",
                        "“{bare}”不是有效的 IPv4 地址。"
                    )
                });
        }
        for label in &labels {
            check_label(label)?;
        }
        Ok(ProxyHost(bare.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_ipv6(&self) -> bool {
        self.0.contains(':')
    }
}

impl fmt::Display for ProxyHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `proxy:3128` or `[::1]:3128`, but not a bare IPv6 address.
fn looks_like_host_and_port(input: &str) -> bool {
    let Some((head, port)) = input.rsplit_once(':') else {
        return false;
    };
    let port_like = !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit());
    port_like && (head.ends_with(']') || !head.contains(':'))
}

fn check_label(label: &str) -> Result<(), Text> {
    if label.is_empty() {
        return Err(tr!(
            "The name has an empty label (two dots in a row, or a dot at an end).",
            "名称中有空标签（连续两个点，或以点开头或结尾）。"
        ));
    }
    if label.len() > 63 {
        let n = label.len();
        return Err(tr!(
            "Each part of the name may be at most 63 characters ('{label}' has {n}).",
            "名称的每个部分最多 63 个字符（“{label}”有 {n} 个）。"
        ));
    }
    if !label
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(tr!(
            "'{label}' may contain only letters, digits and hyphens.",
            "“{label}”只能包含字母、数字和连字符。"
        ));
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Err(tr!(
            "'{label}' must not start or end with a hyphen.",
            "“{label}”不能以连字符开头或结尾。"
        ));
    }
    Ok(())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Port(u16);

impl Port {
    pub fn parse(input: &str) -> Result<Self, Text> {
        if input.is_empty() {
            return Err(tr!("Enter the proxy's port.", "请输入代理的端口。"));
        }
        if !input.bytes().all(|b| b.is_ascii_digit()) {
            return Err(tr!(
                "The port must be a whole number from 1 to 65535.",
                "端口必须是 1 到 65535 之间的整数。"
            ));
        }
        match input.parse::<u32>() {
            Ok(n @ 1..=65535) => Ok(Port(n as u16)),
            _ => Err(tr!(
                "The port must be from 1 to 65535.",
                "端口必须在 1 到 65535 之间。"
            )),
        }
    }

    pub fn new(n: u16) -> Option<Self> {
        (n != 0).then_some(Port(n))
    }

    pub fn get(self) -> u16 {
        self.0
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserName(String);

impl UserName {
    pub fn parse(input: &str) -> Result<Self, Text> {
        if input.is_empty() {
            return Err(tr!(
                "Enter the user name for the proxy.",
                "请输入代理的用户名。"
            ));
        }
        if input.chars().any(char::is_control) {
            return Err(tr!(
                "The user name must not contain control characters.",
                "用户名不能包含控制字符。"
            ));
        }
        if input.contains(':') {
            return Err(tr!(
                "The user name must not contain ':' (it cannot travel in Basic credentials).",
                "用户名不能包含“:”（它无法在 Basic 凭据中传输）。"
            ));
        }
        if input.chars().count() > USERNAME_MAX {
            return Err(tr!(
                "The user name may be at most {USERNAME_MAX} characters.",
                "用户名最多 {USERNAME_MAX} 个字符。"
            ));
        }
        Ok(UserName(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new proxy password: 1–128 printable ASCII characters, equal to its confirmation.
pub fn parse_password(password: &str, confirm: &str) -> Result<Secret, Text> {
    if password.is_empty() {
        return Err(tr!("Enter the proxy password.", "请输入代理密码。"));
    }
    if password.len() > PASSWORD_MAX {
        return Err(tr!(
            "The password may be at most {PASSWORD_MAX} characters.",
            "密码最多 {PASSWORD_MAX} 个字符。"
        ));
    }
    if !password.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(tr!(
            "The password may contain only letters, digits and the printable specials (no spaces, control or non-ASCII characters).",
            "密码只能包含字母、数字和可打印的特殊字符（不能包含空格、控制字符或非 ASCII 字符）。"
        ));
    }
    if password != confirm {
        return Err(tr!(
            "The password and its confirmation differ.",
            "密码与确认密码不一致。"
        ));
    }
    Ok(Secret::new(password))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(s: &str) -> Result<String, String> {
        ProxyHost::parse(s)
            .map(|h| h.as_str().to_owned())
            .map_err(|e| e.en)
    }

    #[test]
    fn ipv4_addresses_are_accepted() {
        assert_eq!(host("10.10.10.1").unwrap(), "10.10.10.1");
        assert!(
            host("10.10.10.256")
                .unwrap_err()
                .contains("not a valid IPv4")
        );
        assert!(host("10.10.10").unwrap_err().contains("not a valid IPv4"));
    }

    #[test]
    fn ipv6_with_and_without_brackets_is_stored_bare() {
        assert_eq!(host("2001:db8::1").unwrap(), "2001:db8::1");
        assert_eq!(host("[2001:db8::1]").unwrap(), "2001:db8::1");
        assert_eq!(host("::1").unwrap(), "::1");
        assert!(host("[2001:db8::1").is_err());
        assert!(host("2001:db8:::1").unwrap_err().contains("IPv6"));
        assert!(host("[proxy.example.com]").is_err());
        assert!(host("fe80::1%eth0").is_err());
    }

    #[test]
    fn names_of_64_characters_pass_and_65_fail() {
        let name64 = format!("{}.{}.example.com", "a".repeat(40), "b".repeat(11));
        assert_eq!(name64.len(), 64);
        assert_eq!(host(&name64).unwrap(), name64);
        let name65 = format!("{}.{}.example.com", "a".repeat(40), "b".repeat(12));
        assert_eq!(name65.len(), 65);
        assert!(host(&name65).unwrap_err().contains("at most 64"));
    }

    #[test]
    fn labels_of_63_characters_pass_and_64_fail() {
        let l63 = "a".repeat(63);
        assert!(host(&l63).is_ok());
        let l64 = "a".repeat(64);
        assert!(host(&l64).unwrap_err().contains("63"));
    }

    #[test]
    fn hyphens_may_not_lead_or_trail_a_label() {
        assert!(host("my-proxy.example.com").is_ok());
        assert!(host("-proxy.example.com").unwrap_err().contains("hyphen"));
        assert!(host("proxy-.example.com").unwrap_err().contains("hyphen"));
        assert!(host("proxy.-example.com").unwrap_err().contains("hyphen"));
    }

    #[test]
    fn schemes_and_ports_point_the_admin_to_the_port_field() {
        let msg = "Enter the host only; the port goes in Port.";
        assert_eq!(host("http://proxy:3128").unwrap_err(), msg);
        assert_eq!(host("https://proxy").unwrap_err(), msg);
        assert_eq!(host("proxy:3128").unwrap_err(), msg);
        assert_eq!(host("10.0.0.1:80").unwrap_err(), msg);
        assert_eq!(host("[::1]:3128").unwrap_err(), msg);
        assert!(host("proxy/path").unwrap_err().contains("without a path"));
    }

    #[test]
    fn spaces_control_characters_and_empty_labels_are_refused() {
        assert!(host("").unwrap_err().contains("Enter"));
        assert!(host("my proxy").unwrap_err().contains("spaces"));
        assert!(host(" proxy").unwrap_err().contains("spaces"));
        assert!(host("proxy\r\nX: y").unwrap_err().contains("control"));
        assert!(host("proxy..example").unwrap_err().contains("empty label"));
        assert!(host("proxy.").unwrap_err().contains("empty label"));
        assert!(host("pro_xy").unwrap_err().contains("letters, digits"));
        assert!(host("прокси").unwrap_err().contains("letters, digits"));
    }

    #[test]
    fn ports_are_whole_numbers_from_1_to_65535() {
        assert!(Port::parse("0").is_err());
        assert_eq!(Port::parse("1").unwrap().get(), 1);
        assert_eq!(Port::parse("65535").unwrap().get(), 65535);
        assert!(Port::parse("65536").is_err());
        assert!(Port::parse("99999999999999").is_err());
        assert!(Port::parse("80a").unwrap_err().en.contains("whole number"));
        assert!(Port::parse("-1").is_err());
        assert!(Port::parse(" 80").is_err());
        assert!(Port::parse("").unwrap_err().en.contains("Enter"));
    }

    #[test]
    fn user_names_refuse_colons_and_control_characters() {
        assert!(UserName::parse("proxyuser").is_ok());
        assert!(UserName::parse("DOMAIN\\user name").is_ok());
        assert!(UserName::parse("a:b").unwrap_err().en.contains("':'"));
        assert!(UserName::parse("a\nb").unwrap_err().en.contains("control"));
        assert!(
            UserName::parse("a\u{7f}")
                .unwrap_err()
                .en
                .contains("control")
        );
        assert!(UserName::parse(&"u".repeat(64)).is_ok());
        assert!(UserName::parse(&"u".repeat(65)).is_err());
        assert!(UserName::parse("").is_err());
    }

    #[test]
    fn passwords_take_every_printable_special_and_must_match() {
        let specials: String = (0x21u8..=0x7e).map(char::from).collect();
        assert_eq!(
            parse_password(&specials, &specials).unwrap().expose(),
            specials
        );
        assert!(parse_password("p@ss:w0rd!#%&", "p@ss:w0rd!#%&").is_ok());
        assert!(
            parse_password("secret", "Secret")
                .unwrap_err()
                .en
                .contains("differ")
        );
        assert!(parse_password("has space", "has space").is_err());
        assert!(parse_password("tab\there", "tab\there").is_err());
        assert!(parse_password("pässword", "pässword").is_err());
        assert!(parse_password("", "").is_err());
        let long = "x".repeat(128);
        assert!(parse_password(&long, &long).is_ok());
        let longer = "x".repeat(129);
        assert!(parse_password(&longer, &longer).is_err());
    }
}
