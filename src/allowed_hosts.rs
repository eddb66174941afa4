//! The host names this server answers to (`--allowed-host`), and the decision whether a
//! `Host` value names it. Pure values and rules; `web::host_check` answers with 421.

use std::net::IpAddr;
use std::sync::Arc;

/// The host names (besides IP literals and `localhost`) this server answers to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedHosts(Arc<[String]>);

impl AllowedHosts {
    pub fn new<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> Self {
        AllowedHosts(names.into_iter().map(|n| normalize(n.as_ref())).collect())
    }

    /// Whether a request with this `Host` value (name or address, with or without port)
    /// is meant for this server.
    pub fn allows(&self, host: &str) -> bool {
        let Some(name) = host_without_port(host) else {
            return false;
        };
        if name.parse::<IpAddr>().is_ok() {
            return true;
        }
        let name = normalize(name);
        name == "localhost" || self.0.contains(&name)
    }
}

/// `--allowed-host`: a host name alone (every port is accepted).
pub fn parse_allowed_host(s: &str) -> Result<String, String> {
    let name = s.trim();
    if name.is_empty() {
        return Err("expected a host name, e.g. fmc.example.com".into());
    }
    if !name.chars().all(is_name_char) {
        return Err(format!(
            "{name:?} is not a host name: give the name alone, without scheme, port or path (every port is accepted)"
        ));
    }
    Ok(normalize(name))
}

/// The host of `name`, `name:port`, `1.2.3.4:port`, `[::1]:port` or `::1`; `None` when the
/// brackets or the port are malformed.
pub fn host_without_port(host: &str) -> Option<&str> {
    if let Some(rest) = host.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        return port_ok(after.strip_prefix(':'), after.is_empty()).then_some(inside);
    }
    if host.parse::<IpAddr>().is_ok() {
        return Some(host); // bare IPv6
    }
    match host.rsplit_once(':') {
        Some((name, port)) => port_ok(Some(port), false).then_some(name),
        None => Some(host),
    }
}

fn port_ok(port: Option<&str>, absent_is_fine: bool) -> bool {
    match port {
        Some(p) => !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()),
        None => absent_is_fine,
    }
}

/// Lower case, without the trailing dot of a fully qualified name.
fn normalize(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

pub fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> AllowedHosts {
        AllowedHosts::new(["fmc.example", "Admin.Corp.example."])
    }

    #[test]
    fn ip_literals_are_accepted_with_any_port() {
        for host in [
            "127.0.0.1",
            "127.0.0.1:8080",
            "10.1.2.3:443",
            "[::1]",
            "[::1]:8443",
            "::1",
            "[fe80::1]:1",
        ] {
            assert!(allowed().allows(host), "{host}");
        }
    }

    #[test]
    fn localhost_and_the_given_names_are_accepted_in_any_case() {
        for host in [
            "localhost",
            "localhost:8080",
            "LOCALHOST.",
            "fmc.example",
            "FMC.example:8443",
            "admin.corp.example",
            "admin.corp.example.:80",
        ] {
            assert!(allowed().allows(host), "{host}");
        }
    }

    #[test]
    fn other_names_and_malformed_values_are_refused() {
        for host in [
            "evil.example",
            "evil.example:8080",
            "fmc.example.evil.example",
            "127.0.0.1.evil.example",
            "localhost.evil.example",
            "xfmc.example",
            "0x7f.1",
            "[::1",
            "[::1]x",
            "[::1]:",
            "localhost:",
            "localhost:80:80",
            "",
        ] {
            assert!(!allowed().allows(host), "{host}");
        }
    }

    #[test]
    fn the_flag_takes_a_bare_host_name() {
        assert_eq!(
            parse_allowed_host("FMC.Example.").as_deref(),
            Ok("fmc.example")
        );
        for bad in ["", "fmc.example:8443", "https://fmc.example", "a b", "x/y"] {
            assert!(parse_allowed_host(bad).is_err(), "{bad:?}");
        }
    }
}
