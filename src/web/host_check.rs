//! DNS rebinding: a request whose `Host` names this server by a name it was not given gets
//! 421 Misdirected Request, before any route sees it.
//!
//! A rebinding attack makes an admin's browser send requests for `attacker.example` to this
//! server, so such requests carry a name. IP literals (any port) cannot be rebound and stay
//! accepted, which keeps `--listen 0.0.0.0` reachable by address; `localhost` and the names
//! given with `--allowed-host` are accepted too.

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::allowed_hosts::{AllowedHosts, host_without_port, is_name_char};

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
        // Under /api the answer has the API's JSON error shape, as every other there does.
        Some(host) if req.uri().path().starts_with("/api/") => super::api::ApiError::response(
            StatusCode::MISDIRECTED_REQUEST,
            explanation(host).trim_end().replace('\n', " "),
        ),
        Some(host) => misdirected(host),
        None => next.run(req).await,
    }
}

fn misdirected(host: &str) -> Response {
    (
        StatusCode::MISDIRECTED_REQUEST,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("421 Misdirected Request\n\n{}", explanation(host)),
    )
        .into_response()
}

/// What to do about a refused `Host`, naming the flag.
fn explanation(host: &str) -> String {
    // The name is echoed only when it is plainly a host name.
    let name = host_without_port(host)
        .filter(|n| !n.is_empty() && n.len() <= 253 && n.chars().all(is_name_char))
        .unwrap_or("NAME");
    format!(
        "fmc-mgmt does not answer to this host name (protection against DNS rebinding).\n\
         Use its IP address or localhost; or, if {name} is this server's name, start it with \
         --allowed-host {name} (or FMC_ALLOWED_HOST={name}, comma-separated for several).\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
