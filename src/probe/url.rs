//! Target URLs, as curl takes them: `https://host[:port][/path]` goes through a CONNECT
//! tunnel, `http://host[:port][/path]` is asked of the proxy in absolute form. The host
//! and port follow the core's [`Host`] and [`Port`]: one rule for the form and the probe.

use std::fmt;

use crate::endpoint::{Host, Port};

/// How the target is reached through the proxy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UrlScheme {
    /// CONNECT, TLS, then `HEAD <path>` inside the tunnel.
    Https,
    /// No CONNECT, no TLS: `HEAD http://host/path HTTP/1.1` to the proxy itself.
    Http,
}

impl UrlScheme {
    pub fn as_str(self) -> &'static str {
        match self {
            UrlScheme::Https => "https",
            UrlScheme::Http => "http",
        }
    }

    /// The port a URL of this scheme means when it names none.
    pub fn default_port(self) -> u16 {
        match self {
            UrlScheme::Https => 443,
            UrlScheme::Http => 80,
        }
    }
}

/// A parsed target URL. The host is stored bare (an IPv6 address without brackets); the
/// path is what goes in the request line: it starts with `/` and has no spaces or
/// control characters (the fragment is dropped, as curl does).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetUrl {
    pub scheme: UrlScheme,
    pub host: Host,
    pub port: Port,
    pub path: String,
}

/// Why a URL was refused; the message is shown to the user as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error("expected a URL such as https://tools.cisco.com/, got an empty value")]
    Empty,
    #[error("{0:?} has no scheme: write https://{0} (or http://{0} for plain HTTP)")]
    NoScheme(String),
    #[error("the probe tests https:// and http:// URLs, not {0}://")]
    Scheme(String),
    #[error(
        "credentials do not go in the URL (user@host): give them with -U USER[:PASSWORD]; they are the proxy's"
    )]
    Userinfo,
    #[error("{0:?} has no host")]
    NoHost(String),
    #[error("the port in {0:?} must be a whole number from 1 to 65535")]
    BadPort(String),
    #[error("an IPv6 address goes in brackets: https://[{0}]/")]
    UnbracketedIpv6(String),
    #[error("{0:?} is not a valid host name or IP address")]
    BadHost(String),
    #[error("the path {0:?} has spaces, control or non-ASCII characters: percent-encode them")]
    BadPath(String),
}

impl TargetUrl {
    /// `https://host:port/`, the URL `--target HOST:PORT` stands for.
    pub fn https(host: Host, port: Port) -> Self {
        TargetUrl {
            scheme: UrlScheme::Https,
            host,
            port,
            path: "/".to_string(),
        }
    }

    /// `host` or `host:port` when the port is not the scheme's default; IPv6 in brackets.
    /// What the `Host` header carries, as browsers and curl send it.
    pub fn host_header(&self) -> String {
        if self.port.get() == self.scheme.default_port() {
            bracketed(self.host.as_str())
        } else {
            self.host.authority(self.port)
        }
    }
}

impl fmt::Display for TargetUrl {
    /// The URL written back the way curl shows it: the default port left out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}://{}{}",
            self.scheme.as_str(),
            self.host_header(),
            self.path
        )
    }
}

fn bracketed(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

/// Parses a target URL (see the module's words). A pure function: the CLI's only rule.
pub fn parse_url(input: &str) -> Result<TargetUrl, UrlError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(UrlError::Empty);
    }
    let Some((scheme, rest)) = s.split_once("://") else {
        // `user:password@host` is never echoed, even in the no-scheme message.
        if s.contains('@') {
            return Err(UrlError::Userinfo);
        }
        return Err(UrlError::NoScheme(s.to_string()));
    };
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "https" => UrlScheme::Https,
        "http" => UrlScheme::Http,
        _ => return Err(UrlError::Scheme(scheme.to_string())),
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if authority.contains('@') {
        return Err(UrlError::Userinfo);
    }
    let (host, port) = split_authority(authority, scheme)?;
    Ok(TargetUrl {
        scheme,
        host,
        port,
        path: request_path(tail)?,
    })
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`.
fn split_authority(authority: &str, scheme: UrlScheme) -> Result<(Host, Port), UrlError> {
    if authority.is_empty() {
        return Err(UrlError::NoHost(authority.to_string()));
    }
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (v6, after) = rest
            .split_once(']')
            .ok_or_else(|| UrlError::BadHost(authority.to_string()))?;
        let host = Host::parse(v6)
            .ok()
            .filter(Host::is_ipv6)
            .ok_or_else(|| UrlError::BadHost(v6.to_string()))?;
        let port = match after {
            "" => None,
            p => Some(
                p.strip_prefix(':')
                    .ok_or_else(|| UrlError::BadHost(authority.to_string()))?,
            ),
        };
        (host, port)
    } else {
        if authority.matches(':').count() > 1 {
            return Err(UrlError::UnbracketedIpv6(authority.to_string()));
        }
        let (name, port) = match authority.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (authority, None),
        };
        let host = Host::parse_absolute(name).map_err(|_| UrlError::BadHost(name.to_string()))?;
        (host, port)
    };
    let port = match port {
        None => Port::new(scheme.default_port()),
        Some(p) => Port::parse(p).ok(),
    }
    .ok_or_else(|| UrlError::BadPort(authority.to_string()))?;
    Ok((host, port))
}

/// The request path: `/` when none is given, a query kept, the fragment dropped. Only
/// visible ASCII is taken, so nothing can break the request line.
fn request_path(tail: &str) -> Result<String, UrlError> {
    let tail = tail.split_once('#').map_or(tail, |(before, _)| before);
    if !tail.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(UrlError::BadPath(tail.to_string()));
    }
    Ok(match tail.strip_prefix('?') {
        Some(_) => format!("/{tail}"),
        None if tail.is_empty() => "/".to_string(),
        None => tail.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(scheme: UrlScheme, host: &str, port: u16, path: &str) -> TargetUrl {
        TargetUrl {
            scheme,
            host: Host::parse_absolute(host).unwrap(),
            port: Port::new(port).unwrap(),
            path: path.to_string(),
        }
    }

    #[test]
    fn urls_parse_with_each_schemes_default_port() {
        use UrlScheme::{Http, Https};
        for (input, want) in [
            (
                "https://tools.cisco.com",
                url(Https, "tools.cisco.com", 443, "/"),
            ),
            (
                "HTTPS://tools.cisco.com/",
                url(Https, "tools.cisco.com", 443, "/"),
            ),
            (
                "http://tools.cisco.com",
                url(Http, "tools.cisco.com", 80, "/"),
            ),
            (
                "http://127.0.0.1:8080/a/b?c=d#frag",
                url(Http, "127.0.0.1", 8080, "/a/b?c=d"),
            ),
            ("https://[::1]/x", url(Https, "::1", 443, "/x")),
            ("http://[2001:db8::1]:81", url(Http, "2001:db8::1", 81, "/")),
            ("https://h.example?q", url(Https, "h.example", 443, "/?q")),
            (
                "  https://a.example.:8443  ",
                url(Https, "a.example.", 8443, "/"),
            ),
        ] {
            assert_eq!(parse_url(input), Ok(want), "{input:?}");
        }
    }

    #[test]
    fn urls_the_probe_cannot_test_are_refused_precisely() {
        for (input, want) in [
            ("", UrlError::Empty),
            (
                "tools.cisco.com",
                UrlError::NoScheme("tools.cisco.com".into()),
            ),
            ("ftp://tools.cisco.com/", UrlError::Scheme("ftp".into())),
            ("socks5://h:1", UrlError::Scheme("socks5".into())),
            ("https://user:pw@tools.cisco.com/", UrlError::Userinfo),
            ("http://@h/", UrlError::Userinfo),
            ("bob:pw@h", UrlError::Userinfo),
            ("https:///path", UrlError::NoHost(String::new())),
            ("https://h:0/", UrlError::BadPort("h:0".into())),
            ("https://h:65536", UrlError::BadPort("h:65536".into())),
            ("https://h:/", UrlError::BadPort("h:".into())),
            ("https://::1/", UrlError::UnbracketedIpv6("::1".into())),
            ("https://[h]/", UrlError::BadHost("h".into())),
            ("https://[::1]x/", UrlError::BadHost("[::1]x".into())),
            ("https://bad host/", UrlError::BadHost("bad host".into())),
            ("https://-bad/", UrlError::BadHost("-bad".into())),
            ("https://h/a b", UrlError::BadPath("/a b".into())),
            (
                "https://h/a\r\nX: y",
                UrlError::BadPath("/a\r\nX: y".into()),
            ),
            ("https://h/é", UrlError::BadPath("/é".into())),
        ] {
            assert_eq!(parse_url(input), Err(want), "{input:?}");
        }
    }

    #[test]
    fn the_url_is_written_back_without_the_default_port() {
        for (input, shown, host) in [
            ("https://h:443/p", "https://h/p", "h"),
            ("http://h:80", "http://h/", "h"),
            ("http://h:443/", "http://h:443/", "h:443"),
            ("https://[::1]:8443/", "https://[::1]:8443/", "[::1]:8443"),
            ("https://[::1]/", "https://[::1]/", "[::1]"),
        ] {
            let u = parse_url(input).unwrap();
            assert_eq!(u.to_string(), shown);
            assert_eq!(u.host_header(), host);
        }
    }

    /// `--target` and a URL apply the same host rule as `-x` and the form.
    #[test]
    fn url_hosts_follow_the_host_port_rule() {
        use crate::probe::hostport::parse_host_port;
        for host in ["10.0.0.1", "pro_xy", "-bad", "a..b", "10.0.0.256", "x;y"] {
            let by_url = parse_url(&format!("https://{host}:80/")).map(|u| u.host);
            let by_hp = parse_host_port(&format!("{host}:80")).map(|h| h.host);
            assert_eq!(by_url.ok(), by_hp.ok(), "{host:?}");
        }
    }
}
