//! A network endpoint's parts as checked values: one host rule and one port type for the
//! proxy form, the store and the probe alike. Facts only: a refusal says what is wrong, and
//! whoever shows it says it in words (settings.ftl for the form, the CLI's usage errors).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::num::NonZeroU16;

/// The longest DNS name in text form, without the root's trailing dot (RFC 1035 §2.3.4).
pub const NAME_MAX: usize = 253;
/// The longest DNS label.
pub const LABEL_MAX: usize = 63;

/// An IPv4 address, an IPv6 address (bare, without brackets), or a DNS name of labels
/// `[A-Za-z0-9-]{1,63}` that neither start nor end with `-`, at most 253 characters
/// (SPEC §4). Kept as written. Whatever passes is safe in a request line and in
/// iprep_proxy.conf: no spaces, control characters, `;`, `/` or `_`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Host(String);

/// Why a text is not a [`Host`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostError {
    Empty,
    /// It has a `:`, so it can only be an IPv6 address, and it is not one.
    BadIpv6 {
        host: String,
    },
    /// Digits and dots only, so it can only be an IPv4 address, and it is not one.
    BadIpv4 {
        host: String,
    },
    /// A DNS name longer than [`NAME_MAX`] characters.
    TooLong {
        len: usize,
    },
    /// Two dots in a row, or a dot at an end.
    EmptyLabel,
    LabelTooLong {
        label: String,
        len: usize,
    },
    /// A character other than an ASCII letter, digit or hyphen.
    BadCharacter {
        label: String,
    },
    HyphenAtEdge {
        label: String,
    },
}

impl Host {
    pub fn parse(input: &str) -> Result<Host, HostError> {
        if input.is_empty() {
            return Err(HostError::Empty);
        }
        if input.contains(':') {
            return match input.parse::<Ipv6Addr>() {
                Ok(_) => Ok(Host(input.to_owned())),
                Err(_) => Err(HostError::BadIpv6 {
                    host: input.to_owned(),
                }),
            };
        }
        let labels: Vec<&str> = input.split('.').collect();
        if labels
            .iter()
            .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()))
        {
            // All-numeric names are IPv4 addresses or mistakes, never DNS names (a resolver
            // would read `10.1` as 10.0.0.1).
            return match input.parse::<Ipv4Addr>() {
                Ok(_) => Ok(Host(input.to_owned())),
                Err(_) => Err(HostError::BadIpv4 {
                    host: input.to_owned(),
                }),
            };
        }
        let len = input.chars().count();
        if len > NAME_MAX {
            return Err(HostError::TooLong { len });
        }
        for label in labels {
            check_label(label)?;
        }
        Ok(Host(input.to_owned()))
    }

    /// [`Host::parse`], also taking a DNS name in its absolute form, ending with the root's
    /// dot (`tools.cisco.com.`), as curl and resolvers do; the dot is kept. The probe's
    /// targets and proxies take this form; the proxy form does not (FMC's does not).
    pub fn parse_absolute(input: &str) -> Result<Host, HostError> {
        let Some(name) = input.strip_suffix('.') else {
            return Host::parse(input);
        };
        let host = Host::parse(name)?;
        if host.ip().is_some() {
            // An address has no root: the dot ends it with an empty label.
            return Err(HostError::EmptyLabel);
        }
        Ok(Host(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address, when the host is one (nothing to resolve).
    pub fn ip(&self) -> Option<IpAddr> {
        self.0.parse().ok()
    }

    pub fn is_ipv6(&self) -> bool {
        self.0.contains(':')
    }

    /// `host:port`, an IPv6 host in brackets: the CONNECT request-target form.
    pub fn authority(&self, port: Port) -> String {
        if self.is_ipv6() {
            format!("[{}]:{port}", self.0)
        } else {
            format!("{}:{port}", self.0)
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn check_label(label: &str) -> Result<(), HostError> {
    if label.is_empty() {
        return Err(HostError::EmptyLabel);
    }
    let len = label.len();
    if len > LABEL_MAX {
        return Err(HostError::LabelTooLong {
            label: label.to_owned(),
            len,
        });
    }
    if !label
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(HostError::BadCharacter {
            label: label.to_owned(),
        });
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Err(HostError::HyphenAtEdge {
            label: label.to_owned(),
        });
    }
    Ok(())
}

/// A TCP port, 1–65535.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Port(NonZeroU16);

/// Why a text is not a [`Port`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortError {
    Empty,
    /// Something other than the digits 0–9 (a sign, a space, a letter).
    NotANumber,
    /// 0, or above 65535.
    OutOfRange,
}

impl Port {
    pub fn parse(input: &str) -> Result<Port, PortError> {
        if input.is_empty() {
            return Err(PortError::Empty);
        }
        if !input.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PortError::NotANumber);
        }
        input
            .parse::<u16>()
            .ok()
            .and_then(Port::new)
            .ok_or(PortError::OutOfRange)
    }

    pub fn new(n: u16) -> Option<Port> {
        NonZeroU16::new(n).map(Port)
    }

    pub fn get(self) -> u16 {
        self.0.get()
    }
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(s: &str) -> HostError {
        Host::parse(s).unwrap_err()
    }

    #[test]
    fn addresses_and_names_pass_as_written() {
        for ok in [
            "10.10.10.1",
            "::1",
            "2001:db8::1",
            "::ffff:10.0.0.1",
            "proxy",
            "my-proxy.example.com",
            "Proxy.Example.COM",
            "3com.example",
            "proxy.123",
        ] {
            assert_eq!(Host::parse(ok).map(|h| h.to_string()), Ok(ok.to_owned()));
        }
        assert!(Host::parse("::1").unwrap().is_ipv6());
        assert_eq!(
            Host::parse("10.0.0.1").unwrap().ip(),
            Some("10.0.0.1".parse().unwrap())
        );
        assert_eq!(Host::parse("proxy").unwrap().ip(), None);
    }

    #[test]
    fn each_refusal_is_a_fact_with_its_part() {
        assert_eq!(refused(""), HostError::Empty);
        let bad6 = |h: &str| HostError::BadIpv6 { host: h.into() };
        assert_eq!(refused("2001:db8:::1"), bad6("2001:db8:::1"));
        assert_eq!(refused("fe80::1%eth0"), bad6("fe80::1%eth0"));
        assert_eq!(refused("[::1]"), bad6("[::1]"), "no brackets in a host");
        let bad4 = |h: &str| HostError::BadIpv4 { host: h.into() };
        assert_eq!(refused("10.10.10.256"), bad4("10.10.10.256"));
        assert_eq!(refused("10.10.10"), bad4("10.10.10"));
        assert_eq!(refused("1234"), bad4("1234"));
        assert_eq!(refused("proxy..example"), HostError::EmptyLabel);
        assert_eq!(refused("proxy."), HostError::EmptyLabel);
        assert_eq!(refused(".proxy"), HostError::EmptyLabel);
        let bad = |l: &str| HostError::BadCharacter { label: l.into() };
        assert_eq!(refused("pro_xy.example"), bad("pro_xy"), "SPEC: no `_`");
        assert_eq!(refused("a b"), bad("a b"));
        assert_eq!(refused("evil\r\nX"), bad("evil\r\nX"));
        assert_eq!(refused("x;}"), bad("x;}"));
        assert_eq!(refused("прокси"), bad("прокси"));
        assert_eq!(
            refused("-proxy.example"),
            HostError::HyphenAtEdge {
                label: "-proxy".into()
            }
        );
        assert_eq!(
            refused("proxy-"),
            HostError::HyphenAtEdge {
                label: "proxy-".into()
            }
        );
    }

    #[test]
    fn labels_of_63_pass_and_64_fail() {
        assert!(Host::parse(&"a".repeat(63)).is_ok());
        let long = "a".repeat(64);
        assert_eq!(
            refused(&format!("{long}.example")),
            HostError::LabelTooLong {
                label: long,
                len: 64
            }
        );
    }

    #[test]
    fn names_of_253_pass_and_254_fail() {
        let label = "a".repeat(63);
        let name253 = format!("{label}.{label}.{label}.{}", "b".repeat(61));
        assert_eq!(name253.len(), 253);
        assert!(Host::parse(&name253).is_ok());
        let name254 = format!("{name253}c");
        assert_eq!(refused(&name254), HostError::TooLong { len: 254 });
    }

    #[test]
    fn the_absolute_form_takes_one_root_dot_on_names_only() {
        let host = Host::parse_absolute("tools.cisco.com.").unwrap();
        assert_eq!(host.as_str(), "tools.cisco.com.");
        assert_eq!(host.ip(), None);
        assert!(Host::parse_absolute("tools.cisco.com").is_ok());
        assert_eq!(
            Host::parse_absolute("tools..com."),
            Err(HostError::EmptyLabel)
        );
        assert_eq!(
            Host::parse_absolute("tools.com.."),
            Err(HostError::EmptyLabel)
        );
        assert_eq!(
            Host::parse_absolute("10.0.0.1."),
            Err(HostError::EmptyLabel)
        );
        assert_eq!(Host::parse_absolute("."), Err(HostError::Empty));
        assert!(Host::parse_absolute("pro_xy.").is_err());
    }

    #[test]
    fn an_ipv6_authority_has_brackets() {
        let port = Port::new(3128).unwrap();
        assert_eq!(Host::parse("::1").unwrap().authority(port), "[::1]:3128");
        assert_eq!(Host::parse("proxy").unwrap().authority(port), "proxy:3128");
    }

    #[test]
    fn ports_are_whole_numbers_from_1_to_65535() {
        assert_eq!(Port::parse(""), Err(PortError::Empty));
        assert_eq!(Port::parse("0"), Err(PortError::OutOfRange));
        assert_eq!(Port::parse("1").map(Port::get), Ok(1));
        assert_eq!(Port::parse("65535").map(Port::get), Ok(65535));
        assert_eq!(Port::parse("65536"), Err(PortError::OutOfRange));
        assert_eq!(Port::parse("99999999999999"), Err(PortError::OutOfRange));
        for not_a_number in ["80a", "-1", "+80", " 80", "8 0"] {
            assert_eq!(Port::parse(not_a_number), Err(PortError::NotANumber));
        }
        assert_eq!(Port::new(0), None);
        assert_eq!(Port::new(443).unwrap().to_string(), "443");
    }
}
