//! DNS rebinding: a request whose `Host` names this server by a name it was not given gets
//! 421 Misdirected Request, before any route sees it.
//!
//! A rebinding attack makes an admin's browser send requests for `attacker.example` to this
//! server, so such requests carry a name. IP literals (any port) cannot be rebound and stay
//! accepted, which keeps `--listen 0.0.0.0` reachable by address; `localhost` and the names
//! given with `--allowed-host` are accepted too.

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

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

/// Middleware: 421 for a `Host` (or absolute-form authority) this server was not given.
pub async fn check(State(allowed): State<AllowedHosts>, req: Request, next: Next) -> Response {
    let from_header = req.headers().get(header::HOST).map(|v| v.to_str());
    let from_uri = req.uri().authority().map(|a| a.as_str());
    // A request without Host (HTTP/1.0 from a script) cannot come from a rebound page:
    // browsers always send one.
    let refused = match from_header {
        Some(Ok(host)) if !allowed.allows(host) => Some(host),
        Some(Err(_)) => Some(""),
        _ => from_uri.filter(|a| !allowed.allows(a)),
    };
    match refused {
        Some(host) => misdirected(host),
        None => next.run(req).await,
    }
}

fn misdirected(host: &str) -> Response {
    // The name is echoed only when it is plainly a host name.
    let name = host_without_port(host)
        .filter(|n| !n.is_empty() && n.len() <= 253 && n.chars().all(is_name_char))
        .unwrap_or("NAME");
    let body = format!(
        "421 Misdirected Request\n\n\
         fmc-mgmt does not answer to this host name (protection against DNS rebinding).\n\
         Use its IP address or localhost; or, if {name} is this server's name, start it with \
         --allowed-host {name} (or FMC_ALLOWED_HOST={name}, comma-separated for several).\n"
    );
    (
        StatusCode::MISDIRECTED_REQUEST,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}

/// The host of `name`, `name:port`, `1.2.3.4:port`, `[::1]:port` or `::1`; `None` when the
/// brackets or the port are malformed.
fn host_without_port(host: &str) -> Option<&str> {
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

fn is_name_char(c: char) -> bool {
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

    async fn text(r: Response) -> String {
        let bytes = axum::body::to_bytes(r.into_body(), 4096).await.unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn the_page_names_the_flag_and_never_echoes_odd_characters() {
        let r = misdirected("evil.example:8080");
        assert_eq!(r.status(), StatusCode::MISDIRECTED_REQUEST);
        let body = text(r).await;
        assert!(
            body.contains("--allowed-host evil.example (or FMC_ALLOWED_HOST=evil.example"),
            "{body}"
        );
        let body = text(misdirected("<script>:1")).await;
        assert!(!body.contains("<script>"), "{body}");
        assert!(body.contains("--allowed-host NAME"), "{body}");
    }
}
