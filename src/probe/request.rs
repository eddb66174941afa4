//! The bytes the probe sends: the CONNECT request to the proxy and the HEAD request inside
//! the tunnel, or for plain HTTP the absolute-form HEAD to the proxy.

use super::hostport::authority;
use super::url::TargetUrl;

/// `fmc-mgmt/<version>`, sent as `User-Agent` on both requests.
pub const USER_AGENT: &str = concat!("fmc-mgmt/", env!("CARGO_PKG_VERSION"));

/// The request line, as the walk-through shows it: `CONNECT host:port HTTP/1.1`.
pub fn connect_line(target_host: &str, target_port: u16) -> String {
    format!("CONNECT {} HTTP/1.1", authority(target_host, target_port))
}

/// The whole CONNECT request head. `proxy_authorization` is the value of a
/// `Proxy-Authorization` header (only ever sent in answer to the proxy's 407).
pub fn connect_request(
    target_host: &str,
    target_port: u16,
    proxy_authorization: Option<&str>,
) -> String {
    let auth = authority(target_host, target_port);
    let head = format!(
        "CONNECT {auth} HTTP/1.1\r\nHost: {auth}\r\nUser-Agent: {USER_AGENT}\r\nProxy-Connection: Keep-Alive\r\n"
    );
    end_to_proxy(head, proxy_authorization)
}

/// A request head to the proxy ended: the `Proxy-Authorization` answer if any, then the
/// blank line.
fn end_to_proxy(mut head: String, proxy_authorization: Option<&str>) -> String {
    if let Some(value) = proxy_authorization {
        head.push_str("Proxy-Authorization: ");
        head.push_str(value);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    head
}

/// `HEAD <path> HTTP/1.1` for the target, sent through the tunnel once TLS is up. The
/// port is left out of `Host` when it is the scheme's default, as browsers and curl do.
pub fn head_request(url: &TargetUrl) -> String {
    let (path, host) = (&url.path, url.host_header());
    format!(
        "HEAD {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {USER_AGENT}\r\nAccept: */*\r\n\r\n"
    )
}

/// `GET <path> HTTP/1.1` for the target, through the tunnel: the `download` stage's
/// request, with the same headers as the `HEAD`.
pub fn get_request(url: &TargetUrl) -> String {
    let (path, host) = (&url.path, url.host_header());
    format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {USER_AGENT}\r\nAccept: */*\r\n\r\n"
    )
}

/// The `HEAD` of [`head_request`] with one padding header (`X-Padding: xxx…`) that makes
/// the whole request `size` bytes (never less than the plain one): the large request that
/// must get through like the small one.
pub fn padded_head_request(url: &TargetUrl, size: usize) -> String {
    let plain = head_request(url);
    let header = "X-Padding: \r\n";
    let pad = size.saturating_sub(plain.len() + header.len());
    let mut req = plain;
    // Before the blank line that ends the head.
    req.truncate(req.len() - 2);
    req.push_str("X-Padding: ");
    req.push_str(&"x".repeat(pad));
    req.push_str("\r\n\r\n");
    req
}

/// The request line of a plain-HTTP probe: `HEAD http://host/path HTTP/1.1`, the
/// absolute form a proxy is asked with (no CONNECT).
pub fn absolute_line(url: &TargetUrl) -> String {
    absolute_line_with("HEAD", url)
}

/// [`absolute_line`] with another method (`GET` when the probe downloads).
pub fn absolute_line_with(method: &str, url: &TargetUrl) -> String {
    format!("{method} {url} HTTP/1.1")
}

/// The whole absolute-form request head for a plain-HTTP target. As with CONNECT,
/// `proxy_authorization` is only ever sent in answer to the proxy's 407.
pub fn absolute_request(url: &TargetUrl, proxy_authorization: Option<&str>) -> String {
    absolute_request_with("HEAD", url, proxy_authorization)
}

/// [`absolute_request`] with another method (`GET` when the probe downloads).
pub fn absolute_request_with(
    method: &str,
    url: &TargetUrl,
    proxy_authorization: Option<&str>,
) -> String {
    let host = url.host_header();
    let head = format!(
        "{}\r\nHost: {host}\r\nUser-Agent: {USER_AGENT}\r\nAccept: */*\r\nProxy-Connection: Keep-Alive\r\n",
        absolute_line_with(method, url)
    );
    end_to_proxy(head, proxy_authorization)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::url::parse_url;

    #[test]
    fn the_connect_request_names_the_target_in_the_line_and_the_host_header() {
        let req = connect_request("tools.cisco.com", 443, None);
        assert_eq!(
            req,
            format!(
                "CONNECT tools.cisco.com:443 HTTP/1.1\r\nHost: tools.cisco.com:443\r\n\
                 User-Agent: fmc-mgmt/{}\r\nProxy-Connection: Keep-Alive\r\n\r\n",
                env!("CARGO_PKG_VERSION")
            )
        );
    }

    #[test]
    fn an_ipv6_target_is_put_in_brackets() {
        let req = connect_request("2001:db8::1", 8443, None);
        assert!(
            req.starts_with("CONNECT [2001:db8::1]:8443 HTTP/1.1\r\nHost: [2001:db8::1]:8443\r\n")
        );
    }

    #[test]
    fn credentials_travel_in_one_proxy_authorization_header_before_the_blank_line() {
        let req = connect_request("a.example", 443, Some("Basic dTpw"));
        assert!(
            req.ends_with(
                "Proxy-Connection: Keep-Alive\r\nProxy-Authorization: Basic dTpw\r\n\r\n"
            )
        );
        assert_eq!(req.matches("\r\n\r\n").count(), 1);
    }

    fn head(url: &str) -> String {
        head_request(&parse_url(url).unwrap())
    }

    #[test]
    fn the_head_request_leaves_out_the_default_port() {
        assert!(
            head("https://tools.cisco.com")
                .starts_with("HEAD / HTTP/1.1\r\nHost: tools.cisco.com\r\n")
        );
        assert!(head("https://127.0.0.1:8443").contains("\r\nHost: 127.0.0.1:8443\r\n"));
        assert!(head("https://[::1]").contains("\r\nHost: [::1]\r\n"));
    }

    #[test]
    fn the_padded_head_is_exactly_the_size_asked_with_one_padding_header() {
        let url = parse_url("https://tools.cisco.com/healthcheck").unwrap();
        let req = padded_head_request(&url, 1400);
        assert_eq!(req.len(), 1400);
        assert!(req.starts_with(&head_request(&url)[..head_request(&url).len() - 2]));
        assert_eq!(req.matches("X-Padding: ").count(), 1);
        assert!(req.ends_with("xx\r\n\r\n"));
        assert_eq!(req.matches("\r\n\r\n").count(), 1);
        // Asked for less than the plain request: just the header, never a cut request.
        assert!(padded_head_request(&url, 10).ends_with("X-Padding: \r\n\r\n"));
    }

    #[test]
    fn the_download_asks_with_get_in_the_tunnel_and_in_absolute_form() {
        let url = parse_url("https://h:8443/big?x=1").unwrap();
        assert_eq!(
            get_request(&url),
            head_request(&url).replacen("HEAD ", "GET ", 1)
        );
        let url = parse_url("http://h/big").unwrap();
        let req = absolute_request_with("GET", &url, Some("Basic dTpw"));
        assert!(
            req.starts_with("GET http://h/big HTTP/1.1\r\nHost: h\r\n"),
            "{req}"
        );
        assert_eq!(
            req.replacen("GET ", "HEAD ", 1),
            absolute_request(&url, Some("Basic dTpw"))
        );
    }

    #[test]
    fn the_head_request_asks_for_the_urls_path() {
        assert!(
            head("https://h/healthcheck?x=1").starts_with("HEAD /healthcheck?x=1 HTTP/1.1\r\n")
        );
    }

    #[test]
    fn a_plain_http_request_goes_to_the_proxy_in_absolute_form() {
        let url = parse_url("http://127.0.0.1:8080/a?b").unwrap();
        assert_eq!(
            absolute_request(&url, None),
            format!(
                "HEAD http://127.0.0.1:8080/a?b HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\
                 User-Agent: fmc-mgmt/{}\r\nAccept: */*\r\nProxy-Connection: Keep-Alive\r\n\r\n",
                env!("CARGO_PKG_VERSION")
            )
        );
        let url = parse_url("http://[::1]/").unwrap();
        let req = absolute_request(&url, Some("Basic dTpw"));
        assert!(req.starts_with("HEAD http://[::1]/ HTTP/1.1\r\nHost: [::1]\r\n"));
        assert!(req.ends_with("Proxy-Authorization: Basic dTpw\r\n\r\n"));
        assert_eq!(req.matches("\r\n\r\n").count(), 1);
    }
}
