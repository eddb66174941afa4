//! `HOST:PORT` values: parsing them the curl way (IPv6 in brackets) and writing them back.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};
use std::str::FromStr;

/// A host and a port. The host is stored bare: an IPv6 address has no brackets here;
/// [`HostPort::authority`] adds them back where HTTP needs them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostPort {
    pub host: String,
    pub port: u16,
}

/// Why a `HOST:PORT` value was refused; the message is shown to the user as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostPortError {
    #[error("expected HOST:PORT, got an empty value")]
    Empty,
    #[error("expected HOST:PORT (e.g. proxy.example.com:3128), {0:?} has no port")]
    MissingPort(String),
    #[error("the port in {0:?} must be a whole number from 1 to 65535")]
    BadPort(String),
    #[error("{0:?} is not a valid IPv6 address")]
    BadIpv6(String),
    #[error("an IPv6 address goes in brackets: [{0}]:PORT")]
    UnbracketedIpv6(String),
    #[error("{0:?} is not a valid host name or IP address")]
    BadHost(String),
    #[error("only http:// proxies are supported, not {0:?}")]
    Scheme(String),
}

impl HostPort {
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        HostPort {
            host: host.into(),
            port,
        }
    }

    /// `host:port`, with an IPv6 host in brackets: the CONNECT request-target form.
    pub fn authority(&self) -> String {
        authority(&self.host, self.port)
    }
}

impl fmt::Display for HostPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.authority())
    }
}

impl FromStr for HostPort {
    type Err = HostPortError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_host_port(s)
    }
}

/// `host:port` with an IPv6 host put in brackets.
pub fn authority(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Parses `HOST:PORT`, `[IPv6]:PORT`, and (as curl's `-x` does) an optional `http://`
/// prefix and trailing `/`.
pub fn parse_host_port(input: &str) -> Result<HostPort, HostPortError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(HostPortError::Empty);
    }
    let s = match s.split_once("://") {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => rest,
        Some((scheme, _)) => return Err(HostPortError::Scheme(scheme.to_string())),
        None => s,
    };
    let s = s.strip_suffix('/').unwrap_or(s);
    if let Some(rest) = s.strip_prefix('[') {
        let (v6, after) = rest
            .split_once(']')
            .ok_or_else(|| HostPortError::BadIpv6(s.to_string()))?;
        let addr: Ipv6Addr = v6
            .parse()
            .map_err(|_| HostPortError::BadIpv6(v6.to_string()))?;
        let port = after
            .strip_prefix(':')
            .ok_or_else(|| HostPortError::MissingPort(s.to_string()))?;
        return Ok(HostPort::new(addr.to_string(), parse_port(port)?));
    }
    if s.matches(':').count() > 1 {
        return Err(HostPortError::UnbracketedIpv6(s.to_string()));
    }
    let (host, port) = s
        .rsplit_once(':')
        .ok_or_else(|| HostPortError::MissingPort(s.to_string()))?;
    if !is_valid_host(host) {
        return Err(HostPortError::BadHost(host.to_string()));
    }
    Ok(HostPort::new(host, parse_port(port)?))
}

fn parse_port(s: &str) -> Result<u16, HostPortError> {
    match s.parse::<u16>() {
        Ok(p) if p > 0 && s.bytes().all(|b| b.is_ascii_digit()) => Ok(p),
        _ => Err(HostPortError::BadPort(s.to_string())),
    }
}

/// An IP address (IPv6 bare, without brackets) or a DNS name made of labels
/// `[A-Za-z0-9_-]{1,63}` that neither start nor end with `-`, 253 characters at most.
/// Anything that passes is safe to write into a request line.
pub fn is_valid_host(host: &str) -> bool {
    if host.parse::<IpAddr>().is_ok() {
        return true;
    }
    let name = host.strip_suffix('.').unwrap_or(host);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// True when `host` is an IP address, so there is nothing to resolve.
pub fn is_ip_literal(host: &str) -> bool {
    host.parse::<IpAddr>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_and_port_parse() {
        assert_eq!(
            parse_host_port("proxy.example.com:3128"),
            Ok(HostPort::new("proxy.example.com", 3128))
        );
    }

    #[test]
    fn an_ipv6_address_in_brackets_parses_and_is_stored_bare() {
        let hp = parse_host_port("[::1]:3128").unwrap();
        assert_eq!(hp, HostPort::new("::1", 3128));
        assert_eq!(hp.authority(), "[::1]:3128");
    }

    #[test]
    fn an_ipv6_address_without_brackets_is_refused_with_a_hint() {
        assert_eq!(
            parse_host_port("::1:3128"),
            Err(HostPortError::UnbracketedIpv6("::1:3128".into()))
        );
    }

    #[test]
    fn an_http_scheme_prefix_is_accepted_like_curl() {
        assert_eq!(
            parse_host_port("http://10.0.0.1:80/"),
            Ok(HostPort::new("10.0.0.1", 80))
        );
        assert!(matches!(
            parse_host_port("socks5://10.0.0.1:80"),
            Err(HostPortError::Scheme(_))
        ));
    }

    #[test]
    fn missing_zero_or_out_of_range_ports_are_refused() {
        assert!(matches!(
            parse_host_port("proxy"),
            Err(HostPortError::MissingPort(_))
        ));
        assert!(matches!(
            parse_host_port("proxy:0"),
            Err(HostPortError::BadPort(_))
        ));
        assert!(matches!(
            parse_host_port("proxy:65536"),
            Err(HostPortError::BadPort(_))
        ));
        assert!(matches!(
            parse_host_port("proxy:+80"),
            Err(HostPortError::BadPort(_))
        ));
    }

    #[test]
    fn hosts_that_could_inject_into_a_request_line_are_refused() {
        assert!(!is_valid_host("evil\r\nX: y"));
        assert!(!is_valid_host("a b"));
        assert!(!is_valid_host("-bad.example"));
        assert!(!is_valid_host(""));
        assert!(is_valid_host("tools.cisco.com"));
        assert!(is_valid_host("::1"));
    }
}
