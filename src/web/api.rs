//! The JSON API (SPEC §7): the same rules as the form, answers as JSON, documented by an
//! OpenAPI document generated from these handlers.

use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::proxy_save::{Actor, SaveResult, save_proxy};
use crate::auth::guard::client_addr;
use crate::auth::sessions::Session;
use crate::settings::form::{FieldErrors, ProxyForm};
use crate::settings::store::Revision;
use crate::state::AppState;

/// The Proxy settings as the API shows them: the password never, only whether one is set.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProxyView {
    pub enabled: bool,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub use_auth: bool,
    pub username: Option<String>,
    pub password_set: bool,
    /// The revision these values are; send it back with PUT.
    pub revision: i64,
    pub updated_at: Option<String>,
    pub updated_by: Option<String>,
}

/// A PUT body: the form's fields with JSON types. `password` absent or null keeps the
/// stored one; `confirm_password` defaults to `password`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProxyPut {
    pub enabled: bool,
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    pub port: Option<u32>,
    #[serde(default)]
    pub use_auth: bool,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub confirm_password: Option<String>,
    /// The revision the client last read.
    pub revision: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RevisionView {
    pub revision: i64,
    pub created_at: String,
    pub actor: String,
    pub enabled: bool,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub use_auth: bool,
    pub username: Option<String>,
    pub password_set: bool,
    /// Changed fields; a password shows as `****`.
    pub changes: Vec<ChangeView>,
    pub rollback_of: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ChangeView {
    pub field: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Every error answer: a message, and for 422 one message per field.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApiError {
    pub error: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, String>>,
    /// On 409: the current settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<ProxyView>,
}

impl ApiError {
    /// 422 with one message per field, in the form's words.
    pub fn invalid(errors: &FieldErrors, message: &str) -> Response {
        let fields = errors
            .0
            .iter()
            .map(|(f, m)| (f.id().to_owned(), m.en.clone()))
            .collect();
        let body = ApiError {
            error: message.into(),
            fields: Some(fields),
            current: None,
        };
        (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
    }

    pub fn response(status: StatusCode, message: impl Into<String>) -> Response {
        (
            status,
            Json(ApiError {
                error: message.into(),
                fields: None,
                current: None,
            }),
        )
            .into_response()
    }
}

fn view(revision: Option<&Revision>) -> ProxyView {
    let config = revision.map(|r| r.config.clone()).unwrap_or_default();
    ProxyView {
        enabled: config.enabled,
        host: config.host,
        port: config.port,
        use_auth: config.use_auth,
        username: config.username,
        password_set: config.password.is_some(),
        revision: revision.map_or(0, |r| r.id),
        updated_at: revision.map(|r| r.created_at.clone()),
        updated_by: revision.map(|r| r.actor.clone()),
    }
}

fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "API request failed");
    ApiError::response(
        StatusCode::INTERNAL_SERVER_ERROR,
        "the server could not complete this request; see its log",
    )
}

/// The current Proxy settings.
#[utoipa::path(get, path = "/api/v1/proxy", tag = "proxy",
    responses((status = 200, body = ProxyView), (status = 401, body = ApiError)))]
pub async fn get_proxy(State(state): State<AppState>) -> Response {
    match state.store.current().await {
        Ok(current) => Json(view(current.as_ref())).into_response(),
        Err(e) => internal(e),
    }
}

/// Replace the Proxy settings (a new revision), with the page's validation.
#[utoipa::path(put, path = "/api/v1/proxy", tag = "proxy", request_body = ProxyPut,
    responses(
        (status = 200, body = ProxyView, description = "saved"),
        (status = 400, body = ApiError, description = "not a valid JSON body"),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError, description = "missing CSRF header or cross-origin"),
        (status = 409, body = ApiError, description = "`revision` is not the current one; `current` holds it"),
        (status = 422, body = ApiError, description = "invalid values; `fields` says why, per field"),
        (status = 500, body = ApiError, description = "the proxy file could not be written; nothing saved")))]
pub async fn put_proxy(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    request_ext: axum::http::Extensions,
    body: Result<Json<ProxyPut>, JsonRejection>,
) -> Response {
    let body = match body {
        Ok(Json(b)) => b,
        Err(rejection) => {
            let status = match rejection.status() {
                s @ (StatusCode::PAYLOAD_TOO_LARGE | StatusCode::UNSUPPORTED_MEDIA_TYPE) => s,
                _ => StatusCode::BAD_REQUEST,
            };
            return ApiError::response(status, rejection.body_text());
        }
    };
    let password = body.password.unwrap_or_default();
    let form = ProxyForm {
        enabled: body.enabled,
        host: body.host,
        port: body.port.map(|p| p.to_string()).unwrap_or_default(),
        use_auth: body.use_auth,
        username: body.username,
        confirm_password: body.confirm_password.unwrap_or_else(|| password.clone()),
        password,
    };
    let address = client_addr(&request_ext);
    let actor = Actor {
        name: &session.username,
        address: address.as_deref(),
    };
    match save_proxy(&state, actor, &form, body.revision, None).await {
        Ok(SaveResult::Saved(revision)) => Json(view(Some(&revision))).into_response(),
        Ok(SaveResult::Invalid(errors)) => {
            ApiError::invalid(&errors, "invalid values; nothing was saved")
        }
        Ok(SaveResult::Stale(current)) => {
            let body = ApiError {
                error: "the settings changed since revision you sent; nothing was saved".into(),
                fields: None,
                current: Some(view(current.as_ref())),
            };
            (StatusCode::CONFLICT, Json(body)).into_response()
        }
        Ok(SaveResult::NotWritten(why)) => ApiError::response(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("not saved: {}; the database is unchanged", why.en),
        ),
        Err(e) => internal(e),
    }
}

/// What to test: the same fields as a PUT, without `revision`. An empty body tests the
/// saved settings. A blank or absent password means the stored one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProxyTest {
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    pub port: Option<u32>,
    #[serde(default)]
    pub use_auth: bool,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: Option<String>,
}

/// Run Test connection: the staged CONNECT probe, answered with its report (SPEC §6).
#[utoipa::path(post, path = "/api/v1/proxy/test", tag = "proxy", request_body(content = Option<ProxyTest>),
    responses(
        (status = 200, description = "the probe report: `ok`, `diagnosis`, `stages`, … (SPEC §6); also when the proxy fails"),
        (status = 400, body = ApiError, description = "not a valid JSON body"),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError, description = "missing CSRF header or cross-origin"),
        (status = 422, body = ApiError, description = "invalid values, or no proxy saved"),
        (status = 429, body = ApiError, description = "a test is already running for this caller, or too many on the server")))]
pub async fn test_proxy(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    request_ext: axum::http::Extensions,
    body: axum::body::Bytes,
) -> Response {
    let stored = match state.store.current().await {
        Ok(current) => current.map(|r| r.config).unwrap_or_default(),
        Err(e) => return internal(e),
    };
    let form = if body.iter().all(u8::is_ascii_whitespace) {
        super::page::form_from_config(&stored)
    } else {
        match serde_json::from_slice::<ProxyTest>(&body) {
            Ok(t) => ProxyForm {
                enabled: true,
                host: t.host,
                port: t.port.map(|p| p.to_string()).unwrap_or_default(),
                use_auth: t.use_auth,
                username: t.username,
                confirm_password: t.password.clone().unwrap_or_default(),
                password: t.password.unwrap_or_default(),
            },
            Err(e) => {
                return ApiError::response(
                    StatusCode::BAD_REQUEST,
                    format!("not a valid test body: {e}"),
                );
            }
        }
    };
    let address = client_addr(&request_ext);
    match super::probe_test::run_once(&state, &session, address, &form, &stored).await {
        Ok(report) => Json(report).into_response(),
        Err(super::probe_test::NotRun::Invalid(errors)) => {
            ApiError::invalid(&errors, "invalid values; nothing was tested")
        }
        Err(super::probe_test::NotRun::Busy(busy)) => {
            ApiError::response(StatusCode::TOO_MANY_REQUESTS, busy.message().en)
        }
    }
}

/// Every revision, newest first (at most 1000).
#[utoipa::path(get, path = "/api/v1/proxy/revisions", tag = "proxy",
    responses((status = 200, body = Vec<RevisionView>), (status = 401, body = ApiError)))]
pub async fn revisions(State(state): State<AppState>) -> Response {
    match state.store.list(1000).await {
        Ok(list) => Json(
            list.into_iter()
                .map(|r| RevisionView {
                    revision: r.id,
                    created_at: r.created_at,
                    actor: r.actor,
                    enabled: r.config.enabled,
                    host: r.config.host,
                    port: r.config.port,
                    use_auth: r.config.use_auth,
                    username: r.config.username,
                    password_set: r.config.password.is_some(),
                    changes: r
                        .changes
                        .into_iter()
                        .map(|c| ChangeView {
                            field: c.field,
                            from: c.from,
                            to: c.to,
                        })
                        .collect(),
                    rollback_of: r.rollback_of,
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => internal(e),
    }
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "the OpenAPI document"), (status = 401, body = ApiError)))]
pub async fn openapi() -> Json<Option<&'static utoipa::openapi::OpenApi>> {
    Json(DOC.get())
}

/// The document, as built from the routes below by `router()`.
static DOC: std::sync::OnceLock<utoipa::openapi::OpenApi> = std::sync::OnceLock::new();

/// The API routes. Each is registered with its documentation, so no route can be
/// undocumented and the document cannot name a route that is not served.
pub fn router() -> axum::Router<AppState> {
    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(get_proxy, put_proxy))
        .routes(routes!(revisions))
        .routes(routes!(test_proxy))
        .routes(routes!(openapi))
        .split_for_parts();
    let _ = DOC.set(doc);
    router
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "fmc-mgmt",
        description = "Proxy settings of the Management Interfaces page. \
        Authenticate with `Authorization: Bearer <API token>` (System > API Tokens), or with the \
        UI session cookie plus `X-CSRF-Token` and a same-origin `Origin` for writes."
    ),
    components(schemas(ProxyView, ProxyPut, ProxyTest, RevisionView, ChangeView, ApiError))
)]
pub struct ApiDoc;
