//! Value types for the proxy fields. Each `parse` refuses bad input with a fact (an enum
//! with the offending part), so a value of these types is always valid; the words beside
//! the field come from settings.ftl ([`super::words`]).

use std::fmt;

pub use crate::endpoint::{Host, HostError, Port, PortError};
use crate::secret::Secret;

/// Smart Licensing refuses proxy names longer than this (FMC's own limit).
pub const HOST_MAX: usize = 64;
pub const USERNAME_MAX: usize = 64;
pub const PASSWORD_MAX: usize = 128;

/// The proxy's address: a [`Host`] (IPv6 stored without brackets) of at most
/// [`HOST_MAX`] characters, as the form writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyHost(Host);

/// Why the HTTP Proxy field was refused: the form's own checks, then the host rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProxyHostError {
    Empty,
    ControlCharacter,
    Space,
    /// A scheme (`http://`) or a port (`proxy:3128`): those go elsewhere.
    HasPort,
    /// A path, query, fragment or user name.
    HasPath,
    UnclosedBracket,
    /// Longer than [`HOST_MAX`].
    TooLong {
        max: usize,
    },
    /// Brackets around something that is not an IPv6 address.
    BracketsNotIpv6,
    Rule(HostError),
}

impl ProxyHost {
    pub fn parse(input: &str) -> Result<Self, ProxyHostError> {
        if input.is_empty() {
            return Err(ProxyHostError::Empty);
        }
        if input.chars().any(char::is_control) {
            return Err(ProxyHostError::ControlCharacter);
        }
        if input.chars().any(char::is_whitespace) {
            return Err(ProxyHostError::Space);
        }
        if input.contains("://") || looks_like_host_and_port(input) {
            return Err(ProxyHostError::HasPort);
        }
        if input.contains(['/', '?', '#', '@']) {
            return Err(ProxyHostError::HasPath);
        }
        let bare = match input.strip_prefix('[') {
            Some(rest) => rest
                .strip_suffix(']')
                .ok_or(ProxyHostError::UnclosedBracket)?,
            None => input,
        };
        if bare.chars().count() > HOST_MAX {
            return Err(ProxyHostError::TooLong { max: HOST_MAX });
        }
        if input.starts_with('[') && !bare.contains(':') {
            return Err(ProxyHostError::BracketsNotIpv6);
        }
        Host::parse(bare)
            .map(ProxyHost)
            .map_err(ProxyHostError::Rule)
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn host(&self) -> &Host {
        &self.0
    }

    pub fn into_host(self) -> Host {
        self.0
    }

    pub fn is_ipv6(&self) -> bool {
        self.0.is_ipv6()
    }
}

/// Read as text where text is wanted (templates, comparisons); it cannot be changed.
impl std::ops::Deref for ProxyHost {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for ProxyHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
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

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserName(String);

/// Read as text where text is wanted (templates); it cannot be changed.
impl std::ops::Deref for UserName {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserNameError {
    Empty,
    ControlCharacter,
    /// A `:` cannot travel in Basic credentials.
    Colon,
    TooLong {
        max: usize,
    },
}

impl UserName {
    pub fn parse(input: &str) -> Result<Self, UserNameError> {
        if input.is_empty() {
            return Err(UserNameError::Empty);
        }
        if input.chars().any(char::is_control) {
            return Err(UserNameError::ControlCharacter);
        }
        if input.contains(':') {
            return Err(UserNameError::Colon);
        }
        if input.chars().count() > USERNAME_MAX {
            return Err(UserNameError::TooLong { max: USERNAME_MAX });
        }
        Ok(UserName(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordError {
    Empty,
    TooLong {
        max: usize,
    },
    /// A space, a control or a non-ASCII character.
    NotPrintable,
    /// The password and its confirmation differ.
    Mismatch,
}

/// A new proxy password: 1–128 printable ASCII characters, equal to its confirmation.
pub fn parse_password(password: &str, confirm: &str) -> Result<Secret, PasswordError> {
    if password.is_empty() {
        return Err(PasswordError::Empty);
    }
    if password.len() > PASSWORD_MAX {
        return Err(PasswordError::TooLong { max: PASSWORD_MAX });
    }
    if !password.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(PasswordError::NotPrintable);
    }
    if password != confirm {
        return Err(PasswordError::Mismatch);
    }
    Ok(Secret::new(password))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(s: &str) -> Result<String, ProxyHostError> {
        ProxyHost::parse(s).map(|h| h.as_str().to_owned())
    }

    fn rule(e: HostError) -> Result<String, ProxyHostError> {
        Err(ProxyHostError::Rule(e))
    }

    #[test]
    fn ipv4_addresses_are_accepted() {
        assert_eq!(host("10.10.10.1").unwrap(), "10.10.10.1");
        let bad = |h: &str| HostError::BadIpv4 { host: h.into() };
        assert_eq!(host("10.10.10.256"), rule(bad("10.10.10.256")));
        assert_eq!(host("10.10.10"), rule(bad("10.10.10")));
    }

    #[test]
    fn ipv6_with_and_without_brackets_is_stored_bare() {
        assert_eq!(host("2001:db8::1").unwrap(), "2001:db8::1");
        assert_eq!(host("[2001:db8::1]").unwrap(), "2001:db8::1");
        assert_eq!(host("::1").unwrap(), "::1");
        assert!(ProxyHost::parse("[::1]").unwrap().is_ipv6());
        assert_eq!(host("[2001:db8::1"), Err(ProxyHostError::UnclosedBracket));
        assert_eq!(
            host("2001:db8:::1"),
            rule(HostError::BadIpv6 {
                host: "2001:db8:::1".into()
            })
        );
        assert_eq!(
            host("[proxy.example.com]"),
            Err(ProxyHostError::BracketsNotIpv6)
        );
        assert!(matches!(
            host("fe80::1%eth0"),
            Err(ProxyHostError::Rule(HostError::BadIpv6 { .. }))
        ));
    }

    #[test]
    fn names_of_64_characters_pass_and_65_fail() {
        let name64 = format!("{}.{}.example.com", "a".repeat(40), "b".repeat(11));
        assert_eq!(name64.len(), 64);
        assert_eq!(host(&name64).unwrap(), name64);
        let name65 = format!("{}.{}.example.com", "a".repeat(40), "b".repeat(12));
        assert_eq!(name65.len(), 65);
        assert_eq!(host(&name65), Err(ProxyHostError::TooLong { max: 64 }));
        assert!(
            Host::parse(&name65).is_ok(),
            "the 64 limit is the form's, on top of the host rule"
        );
    }

    #[test]
    fn labels_of_63_characters_pass_and_64_fail() {
        let l63 = "a".repeat(63);
        assert!(host(&l63).is_ok());
        let l64 = "a".repeat(64);
        assert_eq!(
            host(&l64),
            rule(HostError::LabelTooLong {
                label: l64,
                len: 64
            })
        );
    }

    #[test]
    fn hyphens_may_not_lead_or_trail_a_label() {
        assert!(host("my-proxy.example.com").is_ok());
        for (input, label) in [
            ("-proxy.example.com", "-proxy"),
            ("proxy-.example.com", "proxy-"),
            ("proxy.-example.com", "-example"),
        ] {
            assert_eq!(
                host(input),
                rule(HostError::HyphenAtEdge {
                    label: label.into()
                })
            );
        }
    }

    #[test]
    fn schemes_and_ports_point_the_admin_to_the_port_field() {
        for input in [
            "http://proxy:3128",
            "https://proxy",
            "proxy:3128",
            "10.0.0.1:80",
            "[::1]:3128",
        ] {
            assert_eq!(host(input), Err(ProxyHostError::HasPort), "{input}");
        }
        assert_eq!(host("proxy/path"), Err(ProxyHostError::HasPath));
        assert_eq!(host("user@proxy"), Err(ProxyHostError::HasPath));
    }

    #[test]
    fn spaces_control_characters_and_empty_labels_are_refused() {
        assert_eq!(host(""), Err(ProxyHostError::Empty));
        assert_eq!(host("my proxy"), Err(ProxyHostError::Space));
        assert_eq!(host(" proxy"), Err(ProxyHostError::Space));
        assert_eq!(host("proxy\r\nX: y"), Err(ProxyHostError::ControlCharacter));
        assert_eq!(host("proxy..example"), rule(HostError::EmptyLabel));
        assert_eq!(host("proxy."), rule(HostError::EmptyLabel));
        let bad = |l: &str| rule(HostError::BadCharacter { label: l.into() });
        assert_eq!(host("pro_xy"), bad("pro_xy"));
        assert_eq!(host("прокси"), bad("прокси"));
    }

    #[test]
    fn user_names_refuse_colons_and_control_characters() {
        assert!(UserName::parse("proxyuser").is_ok());
        assert!(UserName::parse("DOMAIN\\user name").is_ok());
        assert_eq!(UserName::parse("a:b"), Err(UserNameError::Colon));
        assert_eq!(
            UserName::parse("a\nb"),
            Err(UserNameError::ControlCharacter)
        );
        assert_eq!(
            UserName::parse("a\u{7f}"),
            Err(UserNameError::ControlCharacter)
        );
        assert!(UserName::parse(&"u".repeat(64)).is_ok());
        assert_eq!(
            UserName::parse(&"u".repeat(65)),
            Err(UserNameError::TooLong { max: 64 })
        );
        assert_eq!(UserName::parse(""), Err(UserNameError::Empty));
    }

    #[test]
    fn passwords_take_every_printable_special_and_must_match() {
        let specials: String = (0x21u8..=0x7e).map(char::from).collect();
        assert_eq!(
            parse_password(&specials, &specials).unwrap().expose(),
            specials
        );
        assert!(parse_password("p@ss:w0rd!#%&", "p@ss:w0rd!#%&").is_ok());
        assert_eq!(
            parse_password("secret", "Secret").unwrap_err(),
            PasswordError::Mismatch
        );
        for bad in ["has space", "tab\there", "pässword"] {
            assert_eq!(
                parse_password(bad, bad).unwrap_err(),
                PasswordError::NotPrintable
            );
        }
        assert_eq!(parse_password("", "").unwrap_err(), PasswordError::Empty);
        let long = "x".repeat(128);
        assert!(parse_password(&long, &long).is_ok());
        let longer = "x".repeat(129);
        assert_eq!(
            parse_password(&longer, &longer).unwrap_err(),
            PasswordError::TooLong { max: 128 }
        );
    }
}
