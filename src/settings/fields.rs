//! Value types for the proxy fields. Each `parse` refuses bad input with the message the
//! admin sees beside the field (SPEC §4), so a value of these types is always valid.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::i18n::Text;
use crate::secret::Secret;

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
            return Err(crate::locale::text(
                "settings-fields-enter-the-proxy-s-ip-address",
                &[],
            ));
        }
        if input.chars().any(char::is_control) {
            return Err(crate::locale::text(
                "settings-fields-the-host-must-not-contain-control",
                &[],
            ));
        }
        if input.chars().any(char::is_whitespace) {
            return Err(crate::locale::text(
                "settings-fields-the-host-must-not-contain-spaces",
                &[],
            ));
        }
        if input.contains("://") || looks_like_host_and_port(input) {
            return Err(crate::locale::text(
                "settings-fields-enter-the-host-only-the-port",
                &[],
            ));
        }
        if input.contains(['/', '?', '#', '@']) {
            return Err(crate::locale::text(
                "settings-fields-enter-the-host-only-without-a",
                &[],
            ));
        }
        let bare = match input.strip_prefix('[') {
            Some(rest) => rest.strip_suffix(']').ok_or_else(|| {
                crate::locale::text("settings-fields-an-ipv6-address-in-brackets-needs", &[])
            })?,
            None => input,
        };
        if bare.chars().count() > HOST_MAX {
            return Err(crate::locale::text(
                "settings-fields-the-host-may-be-at-most",
                &[("host_max", crate::locale::Arg::same(&HOST_MAX))],
            ));
        }
        if bare.contains(':') {
            return bare
                .parse::<Ipv6Addr>()
                .map(|_| ProxyHost(bare.to_owned()))
                .map_err(|_| {
                    crate::locale::text(
                        "settings-fields-bare-is-not-a-valid-ipv6",
                        &[("bare", crate::locale::Arg::same(&bare))],
                    )
                });
        }
        if input.starts_with('[') {
            return Err(crate::locale::text(
                "settings-fields-only-ipv6-addresses-go-in-brackets",
                &[],
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
                    crate::locale::text(
                        "settings-fields-bare-is-not-a-valid-ipv4",
                        &[("bare", crate::locale::Arg::same(&bare))],
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
        return Err(crate::locale::text(
            "settings-fields-the-name-has-an-empty-label",
            &[],
        ));
    }
    if label.len() > 63 {
        let n = label.len();
        return Err(crate::locale::text(
            "settings-fields-each-part-of-the-name-may",
            &[
                ("label", crate::locale::Arg::same(&label)),
                ("n", crate::locale::Arg::same(&n)),
            ],
        ));
    }
    if !label
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(crate::locale::text(
            "settings-fields-label-may-contain-only-letters-digits",
            &[("label", crate::locale::Arg::same(&label))],
        ));
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Err(crate::locale::text(
            "settings-fields-label-must-not-start-or-end",
            &[("label", crate::locale::Arg::same(&label))],
        ));
    }
    Ok(())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Port(u16);

impl Port {
    pub fn parse(input: &str) -> Result<Self, Text> {
        if input.is_empty() {
            return Err(crate::locale::text(
                "settings-fields-enter-the-proxy-s-port",
                &[],
            ));
        }
        if !input.bytes().all(|b| b.is_ascii_digit()) {
            return Err(crate::locale::text(
                "settings-fields-the-port-must-be-a-whole",
                &[],
            ));
        }
        match input.parse::<u32>() {
            Ok(n @ 1..=65535) => Ok(Port(n as u16)),
            _ => Err(crate::locale::text(
                "settings-fields-the-port-must-be-from-1",
                &[],
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
            return Err(crate::locale::text(
                "settings-fields-enter-the-user-name-for-the",
                &[],
            ));
        }
        if input.chars().any(char::is_control) {
            return Err(crate::locale::text(
                "settings-fields-the-user-name-must-not-contain",
                &[],
            ));
        }
        if input.contains(':') {
            return Err(crate::locale::text(
                "settings-fields-the-user-name-must-not-contain-2",
                &[],
            ));
        }
        if input.chars().count() > USERNAME_MAX {
            return Err(crate::locale::text(
                "settings-fields-the-user-name-may-be-at",
                &[("username_max", crate::locale::Arg::same(&USERNAME_MAX))],
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
        return Err(crate::locale::text(
            "settings-fields-enter-the-proxy-password",
            &[],
        ));
    }
    if password.len() > PASSWORD_MAX {
        return Err(crate::locale::text(
            "settings-fields-the-password-may-be-at-most",
            &[("password_max", crate::locale::Arg::same(&PASSWORD_MAX))],
        ));
    }
    if !password.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(crate::locale::text(
            "settings-fields-the-password-may-contain-only-letters",
            &[],
        ));
    }
    if password != confirm {
        return Err(crate::locale::text(
            "settings-fields-the-password-and-its-confirmation-differ",
            &[],
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
