//! `HOST:PORT` values: parsing them the curl way (IPv6 in brackets) and writing them back.
//! The host and the port are the core's [`Host`] and [`Port`]: one rule for the form and
//! the probe.

use std::fmt;
use std::str::FromStr;

use crate::endpoint::{Host, HostError, Port};

/// A host and a port. The host is stored bare: an IPv6 address has no brackets here;
/// [`HostPort::authority`] adds them back where HTTP needs them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostPort {
    pub host: Host,
    pub port: Port,
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
    #[error("{host:?} is not a valid host name or IP address")]
    BadHost { host: String, why: HostError },
    #[error("only http:// proxies are supported, not {0:?}")]
    Scheme(String),
}

impl HostPort {
    pub fn new(host: Host, port: Port) -> Self {
        HostPort { host, port }
    }

    /// `host:port`, with an IPv6 host in brackets: the CONNECT request-target form.
    pub fn authority(&self) -> String {
        self.host.authority(self.port)
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
/// prefix and trailing `/`. The host follows [`Host::parse_absolute`]: the form's rule,
/// and a name may end with the root's dot.
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
        let host = Host::parse(v6)
            .ok()
            .filter(Host::is_ipv6)
            .ok_or_else(|| HostPortError::BadIpv6(v6.to_string()))?;
        let port = after
            .strip_prefix(':')
            .ok_or_else(|| HostPortError::MissingPort(s.to_string()))?;
        return Ok(HostPort::new(host, parse_port(port)?));
    }
    if s.matches(':').count() > 1 {
        return Err(HostPortError::UnbracketedIpv6(s.to_string()));
    }
    let (host, port) = s
        .rsplit_once(':')
        .ok_or_else(|| HostPortError::MissingPort(s.to_string()))?;
    let host = Host::parse_absolute(host).map_err(|why| HostPortError::BadHost {
        host: host.to_string(),
        why,
    })?;
    Ok(HostPort::new(host, parse_port(port)?))
}

fn parse_port(s: &str) -> Result<Port, HostPortError> {
    Port::parse(s).map_err(|_| HostPortError::BadPort(s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hp(host: &str, port: u16) -> HostPort {
        HostPort::new(
            Host::parse_absolute(host).unwrap(),
            Port::new(port).unwrap(),
        )
    }

    #[test]
    fn a_name_and_port_parse() {
        assert_eq!(
            parse_host_port("proxy.example.com:3128"),
            Ok(hp("proxy.example.com", 3128))
        );
        assert_eq!(
            parse_host_port("tools.cisco.com.:443"),
            Ok(hp("tools.cisco.com.", 443)),
            "a name in its absolute form, as curl takes it"
        );
    }

    #[test]
    fn an_ipv6_address_in_brackets_parses_and_is_stored_bare() {
        let parsed = parse_host_port("[::1]:3128").unwrap();
        assert_eq!(parsed, hp("::1", 3128));
        assert_eq!(parsed.authority(), "[::1]:3128");
        assert_eq!(
            parse_host_port("[proxy]:3128"),
            Err(HostPortError::BadIpv6("proxy".into()))
        );
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
            Ok(hp("10.0.0.1", 80))
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
        for bad in ["proxy:0", "proxy:65536", "proxy:+80", "proxy:"] {
            assert!(
                matches!(parse_host_port(bad), Err(HostPortError::BadPort(_))),
                "{bad}"
            );
        }
    }

    /// The form's HTTP Proxy field and `-x`/`--target` apply one rule: a host is taken or
    /// refused by both, as the same value; only the form adds FMC's 64-character limit.
    #[test]
    fn the_form_and_the_probe_take_and_refuse_the_same_hosts() {
        use crate::settings::fields::{ProxyHost, ProxyHostError};
        let form = |h: &str| ProxyHost::parse(h).map(|h| h.to_string()).ok();
        let probe = |hp: &str| parse_host_port(hp).map(|hp| hp.host.to_string()).ok();
        let label64 = "a".repeat(64);
        for host in [
            "10.0.0.1",
            "proxy",
            "my-proxy.Example.com",
            "3com.example",
            "pro_xy",
            "proxy_1!",
            "-bad",
            "bad-",
            "a..b",
            ".a",
            "10.0.0.256",
            "10.1",
            "1234",
            "прокси",
            "x;y",
            "a b",
            "a\tb",
            &label64,
        ] {
            assert_eq!(form(host), probe(&format!("{host}:80")), "{host:?}");
        }
        for v6 in [
            "::1",
            "2001:db8::1",
            "2001:db8:::1",
            "fe80::1%eth0",
            "1.2.3.4:5",
        ] {
            assert_eq!(form(v6), probe(&format!("[{v6}]:80")), "{v6:?}");
        }

        let label = "a".repeat(63);
        let name65 = format!("{label}.b");
        assert_eq!(name65.len(), 65);
        assert_eq!(
            ProxyHost::parse(&name65),
            Err(ProxyHostError::TooLong { max: 64 })
        );
        assert_eq!(probe(&format!("{name65}:443")), Some(name65));
        let name253 = format!("{label}.{label}.{label}.{}", "b".repeat(61));
        assert_eq!(probe(&format!("{name253}:443")), Some(name253.clone()));
        assert!(matches!(
            parse_host_port(&format!("{name253}c:443")),
            Err(HostPortError::BadHost {
                why: HostError::TooLong { len: 254 },
                ..
            })
        ));
    }

    #[test]
    fn hosts_that_could_inject_into_a_request_line_are_refused() {
        for (input, host) in [
            ("evil\r\nX-y:80", "evil\r\nX-y"),
            ("a b:80", "a b"),
            ("-bad.example:80", "-bad.example"),
            (":80", ""),
        ] {
            assert!(
                matches!(parse_host_port(input), Err(HostPortError::BadHost { host: h, .. }) if h == host),
                "{input:?}"
            );
        }
        assert_eq!(
            HostPortError::BadHost {
                host: "a b".into(),
                why: HostError::EmptyLabel
            }
            .to_string(),
            "\"a b\" is not a valid host name or IP address"
        );
    }
}
