//! Extractors: how `web` turns a request into typed values once. [`PostedForm`] is a form
//! whose body the session guard parsed and whose CSRF token it checked; [`Actor`] is who
//! asks (the session) and from where; [`Cookies`] are read once; [`ClientAddr`] and
//! [`FormFields`] serve the login form, which has no session yet.

use std::convert::Infallible;
use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};

use super::form_body::{FormBody, FormBodyError};
use crate::auth::sessions::Session;
use crate::error::AppError;
use crate::locale::{self, Arg};
use crate::locale::{Lang, Text};

/// The client's address as the listener saw it (none when the server runs without
/// `ConnectInfo`, as in unit tests).
#[derive(Clone, Debug)]
pub struct ClientAddr(pub Option<String>);

impl ClientAddr {
    pub fn of(extensions: &axum::http::Extensions) -> Self {
        ClientAddr(
            extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string()),
        )
    }

    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// The address as an IP (the login throttle keys on it).
    pub fn ip(&self) -> Option<std::net::IpAddr> {
        self.0.as_deref().and_then(|a| a.parse().ok())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(ClientAddr::of(&parts.extensions))
    }
}

/// Who asks, from where: the session the guard found (a login or an API token) and the
/// client's address. Only routes behind `guard::require_session` can have one.
#[derive(Clone, Debug)]
pub struct Actor {
    pub session: Session,
    pub address: ClientAddr,
}

impl Actor {
    /// The name the audit log records.
    pub fn name(&self) -> &str {
        &self.session.username
    }

    pub fn address(&self) -> Option<&str> {
        self.address.as_deref()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let session = parts
            .extensions
            .get::<Session>()
            .cloned()
            .ok_or_else(outside_the_guard)?;
        Ok(Actor {
            session,
            address: ClientAddr::of(&parts.extensions),
        })
    }
}

/// A form posted behind the session guard: its body parsed once, by the guard, which also
/// checked its `csrf_token` against the session before any handler ran.
#[derive(Clone, Debug)]
pub struct PostedForm(pub FormBody);

impl std::ops::Deref for PostedForm {
    type Target = FormBody;

    fn deref(&self) -> &FormBody {
        &self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PostedForm {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        parts
            .extensions
            .remove::<PostedForm>()
            .ok_or_else(outside_the_guard)
    }
}

/// A route wired without the guard asked for what only the guard provides: a programming
/// error, answered as a 500 rather than served without a session or CSRF check.
fn outside_the_guard() -> AppError {
    tracing::error!("a handler behind no session guard asked for the session or a checked form");
    AppError::status(
        StatusCode::INTERNAL_SERVER_ERROR,
        locale::text("web-page-unavailable", &[]),
    )
}

/// The request's cookies, read once from its `Cookie` headers: the session, the login
/// form's CSRF token and the flash message travel in them.
#[derive(Clone, Debug, Default)]
pub struct Cookies(Vec<(String, String)>);

impl Cookies {
    pub fn from_headers(headers: &HeaderMap) -> Self {
        Cookies(
            headers
                .get_all(header::COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(';'))
                .filter_map(|pair| pair.trim().split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        )
    }

    /// The value of cookie `name`: the first one sent, as a browser lists the most
    /// specific path first.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Cookies {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Cookies::from_headers(&parts.headers))
    }
}

/// A form posted without a session (the login form, which checks its own CSRF cookie):
/// the body parsed strictly, once.
#[derive(Debug)]
pub struct FormFields(pub FormBody);

impl<S: Send + Sync> FromRequest<S> for FormFields {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let headers = req.headers().clone();
        let body = Bytes::from_request(req, state).await;
        form_body(&headers, body).map(FormFields)
    }
}

/// Read a urlencoded form body, turning every way it can be wrong into a clear 4xx.
pub fn form_body(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<FormBody, AppError> {
    let body = body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::status(
            StatusCode::PAYLOAD_TOO_LARGE,
            locale::text("web-form-too-large-for-proxy", &[]),
        ),
        status => AppError::status(status, unreadable(&rejection.body_text())),
    })?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Err(AppError::status(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            locale::text("web-form-not-urlencoded", &[]),
        ));
    }
    FormBody::parse(&body).map_err(form_error)
}

/// A body that broke off: axum's words (`why`) stay in the English; the other languages
/// say the same without them.
fn unreadable(why: &str) -> Text {
    let english = locale::message(
        Lang::En,
        "web-form-unreadable-quoting",
        &[("why", why.to_owned())],
    );
    locale::quoting(english, "web-form-unreadable", &[])
}

pub fn form_error(e: FormBodyError) -> AppError {
    AppError::bad_request(locale::text(
        "web-form-invalid",
        &[("why", Arg::each(&e.text()))],
    ))
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::routing::post;
    use tower::ServiceExt;

    use super::*;

    async fn post_form(app: Router, extensions: Option<PostedForm>) -> StatusCode {
        let mut req = axum::http::Request::post("/")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("csrf_token=forged&name=x"))
            .unwrap();
        if let Some(form) = extensions {
            req.extensions_mut().insert(form);
        }
        app.oneshot(req).await.unwrap().status()
    }

    #[tokio::test]
    async fn a_handler_outside_the_guard_never_sees_an_unchecked_form() {
        // The body is there, but no guard parsed and checked it: the handler must not run.
        let app = Router::new().route("/", post(|_: PostedForm| async { "ran" }));
        assert_eq!(
            post_form(app, None).await,
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[tokio::test]
    async fn a_handler_outside_the_guard_has_no_actor() {
        let app = Router::new().route("/", post(|_: Actor| async { "ran" }));
        assert_eq!(
            post_form(app, None).await,
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[tokio::test]
    async fn the_form_the_guard_checked_is_the_one_the_handler_gets() {
        let checked = PostedForm(FormBody::parse(b"name=checked").unwrap());
        let app = Router::new().route(
            "/",
            post(|form: PostedForm| async move { form.text("name") }),
        );
        let req = axum::http::Request::post("/")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .extension(checked)
            .body(Body::empty())
            .unwrap();
        let resp = app.oneshot(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let body = axum::body::to_bytes(resp.into_body(), 64).await.unwrap();
        assert_eq!(&body[..], b"checked");
    }

    #[tokio::test]
    async fn a_form_without_a_session_is_parsed_strictly_once() {
        let app = Router::new().route(
            "/",
            post(|FormFields(f): FormFields| async move { f.text("user") }),
        );
        let send = |body: &'static str| {
            axum::http::Request::post("/")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap()
        };
        let ok = app.clone().oneshot(send("user=ann")).await.unwrap();
        assert_eq!(ok.status(), StatusCode::OK);
        let twice = app.oneshot(send("user=a&user=b")).await.unwrap();
        assert_eq!(twice.status(), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn cookies_are_found_by_exact_name_across_headers() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, "a=1; fmc_session=abc".parse().unwrap());
        headers.append(
            header::COOKIE,
            "fmc_session=late; x_fmc_session=no".parse().unwrap(),
        );
        let cookies = Cookies::from_headers(&headers);
        assert_eq!(cookies.get("fmc_session"), Some("abc"));
        assert_eq!(cookies.get("a"), Some("1"));
        assert_eq!(cookies.get("session"), None);
        assert_eq!(Cookies::default().get("a"), None);
    }

    #[test]
    fn the_client_address_reads_back_as_an_ip() {
        let addr = ClientAddr(Some("::1".into()));
        assert_eq!(
            addr.ip(),
            Some(std::net::IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1]))
        );
        assert_eq!(ClientAddr(None).ip(), None);
    }
}
