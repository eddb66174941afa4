//! Middleware: sessions in front of every protected route, CSRF on every state change
//! (a form body is parsed here, once, and handed on as `extract::PostedForm`), and the
//! security headers on every response. The session look-up itself is `auth`'s.

use axum::Json;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::BODY_LIMIT;
use super::extract::{Cookies, PostedForm, form_body};
use crate::auth::api_tokens;
use crate::auth::constant_time_eq;
use crate::auth::sessions::{self, Session};
use crate::error::{AppError, error_page};
use crate::locale::{self, Lang, Text};
use crate::state::AppState;

/// The header API clients send with the session's CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

pub async fn require_session(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let pool = state.store.pool();
    if is_api && req.headers().contains_key(header::AUTHORIZATION) {
        return match bearer_identity(pool, req.headers()).await {
            Ok(session) => {
                req.extensions_mut().insert(session);
                next.run(req).await
            }
            Err(resp) => resp,
        };
    }
    let cookie = Cookies::from_headers(req.headers())
        .get(sessions::COOKIE)
        .map(str::to_owned);
    let found = match cookie {
        // Read from the database on every request: a session ended by anyone (logout, a
        // password change from the shell) is refused on the very next one.
        Some(token) => {
            // The page reads its Recent tests in the same statement.
            let for_page = req.method() == Method::GET && req.uri().path() == super::PAGE;
            let policy = state.server.session_policy;
            match state
                .signed_in
                .read(&state.store, &token, policy, for_page)
                .await
            {
                Ok(found) => found,
                Err(e) => return AppError::from(e).into_response(),
            }
        }
        None => None,
    };
    let Some((session, current, recent)) = found else {
        return unauthenticated(&req, is_api);
    };
    req.extensions_mut().insert(current);
    if let Some(recent) = recent {
        req.extensions_mut().insert(recent);
    }
    // The user's saved language beats the browser's, for the page and any error page.
    let lang = session
        .language
        .unwrap_or_else(|| Lang::from_headers(req.headers()));
    req.extensions_mut().insert(lang);
    locale::run_in(lang, async move {
        if let Err(e) = sessions::touch(pool, &session).await {
            tracing::warn!(error = %e, "could not record session activity");
        }
        if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
            if let Err(message) = check_origin(req.headers(), is_api) {
                return forbidden(is_api, &message);
            }
            req = match check_csrf(req, &session, is_api).await {
                Ok(req) => req,
                Err(resp) => return resp,
            };
        }
        req.extensions_mut().insert(session);
        next.run(req).await
    })
    .await
}

/// A script with an API token: no cookie, so no CSRF to fear and none checked.
pub(super) async fn bearer_identity(
    pool: &sqlx::SqlitePool,
    headers: &HeaderMap,
) -> Result<Session, Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| unauthorized("use `Authorization: Bearer <API token>`", false))?;
    match api_tokens::authenticate(pool, token).await {
        Ok(Some(name)) => Ok(Session::for_api_token(&name)),
        Ok(None) => Err(unauthorized(
            "this API token is not valid (revoked or mistyped)",
            true,
        )),
        Err(e) => Err(AppError::from(e).into_response()),
    }
}

/// 401 for the API, with the challenge RFC 6750 asks for: `Bearer realm="fmc-mgmt"`, plus
/// `error="invalid_token"` when a token was sent and refused.
fn unauthorized(message: &str, token_sent: bool) -> Response {
    let challenge = if token_sent {
        r#"Bearer realm="fmc-mgmt", error="invalid_token""#
    } else {
        r#"Bearer realm="fmc-mgmt""#
    };
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, challenge)],
        Json(serde_json::json!({"error": message})),
    )
        .into_response()
}

fn unauthenticated(req: &Request, is_api: bool) -> Response {
    if is_api {
        return unauthorized(
            "log in first, or send `Authorization: Bearer <API token>`",
            false,
        );
    }
    let back = req.uri().path_and_query().map_or("/", |p| p.as_str());
    let target = if req.method() == Method::GET {
        back
    } else {
        super::PAGE
    };
    Redirect::to(&format!(
        "/login?next={}",
        percent_encoding::utf8_percent_encode(target, percent_encoding::NON_ALPHANUMERIC)
    ))
    .into_response()
}

/// Refuse writes that another site's page made the browser send. Browsers say so in
/// `Sec-Fetch-Site`; older ones only in `Origin` — which is `null` on our own forms, since
/// every page is served with `Referrer-Policy: no-referrer`, so `null` proves nothing either
/// way and the CSRF token decides. API writes with a session must show their origin.
fn check_origin(headers: &HeaderMap, is_api: bool) -> Result<(), Text> {
    let cross_site = || locale::text("web-guard-cross-site", &[]);
    let text = |name| {
        headers
            .get(name)
            .map(|v: &HeaderValue| v.to_str().unwrap_or(""))
    };
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site")) {
        return match site {
            "same-origin" | "none" => Ok(()),
            _ => Err(cross_site()),
        };
    }
    let host = text(header::HOST);
    match text(header::ORIGIN) {
        Some("null") if !is_api => Ok(()),
        Some(origin) => {
            let authority = origin.split_once("://").map(|(_, a)| a);
            if authority.is_some() && authority == host {
                Ok(())
            } else {
                Err(cross_site())
            }
        }
        None if is_api => Err(locale::text("web-guard-api-origin-missing", &[])),
        None => Ok(()),
    }
}

async fn check_csrf(req: Request, session: &Session, is_api: bool) -> Result<Request, Response> {
    if is_api {
        let sent = req
            .headers()
            .get(CSRF_HEADER)
            .map(|v| v.as_bytes())
            .unwrap_or(b"");
        return if constant_time_eq(sent, session.csrf_token.as_bytes()) {
            Ok(req)
        } else {
            Err(forbidden(
                true,
                &locale::text("web-guard-api-csrf-missing", &[]),
            ))
        };
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, BODY_LIMIT).await.map_err(|_| {
        error_page(
            StatusCode::PAYLOAD_TOO_LARGE,
            &locale::text("web-guard-form-too-large", &[]),
        )
    })?;
    let fields = form_body(&parts.headers, Ok(bytes)).map_err(IntoResponse::into_response)?;
    if !constant_time_eq(
        fields.text("csrf_token").as_bytes(),
        session.csrf_token.as_bytes(),
    ) {
        return Err(forbidden(
            false,
            &locale::text("web-guard-csrf-token-stale", &[]),
        ));
    }
    // The handler takes the parsed form as `PostedForm`: the body is read and parsed once.
    let mut req = Request::from_parts(parts, Body::empty());
    req.extensions_mut().insert(PostedForm(fields));
    Ok(req)
}

fn forbidden(is_api: bool, message: &Text) -> Response {
    tracing::warn!(%message, "request refused");
    if is_api {
        (
            StatusCode::FORBIDDEN,
            Json(serde_json::json!({"error": message.en})),
        )
            .into_response()
    } else {
        error_page(StatusCode::FORBIDDEN, message)
    }
}

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
