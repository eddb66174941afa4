//! The JSON API (SPEC §7): the same rules as the form, answers as JSON, documented by an
//! OpenAPI document generated from these handlers.

use axum::Json;
use axum::body::Bytes;
use axum::extract::Query;
use axum::extract::State;
use axum::extract::rejection::{BytesRejection, JsonRejection, QueryRejection};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::api_body::test_form;
pub use super::api_body::{ProxyPut, ProxyTest};
use super::extract::Actor;
use super::proxy_save::{Pretest, SaveResult, pretest, save_proxy, wants_test};
use crate::locale::Lang;
use crate::probe::Report;
use crate::settings::fields::Port;
use crate::settings::form::{FieldErrors, ProxyForm};
use crate::settings::store::Revision;
use crate::settings::{TestTarget, TrustedCa};
use crate::state::AppState;
use crate::tester::{Busy, TestResult};
use crate::tests_log::{TestRecord, TestedValues};

/// The Proxy settings as the API shows them: the password never, only whether one is set.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProxyView {
    pub enabled: bool,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub use_auth: bool,
    pub username: Option<String>,
    pub password_set: bool,
    /// Test targets, one line each: `"https://host/path"` or `"https://host/path download"`;
    /// empty: the default target, `https://<--probe-target>/`.
    pub targets: Vec<String>,
    /// Trusted CA for the probe: each saved certificate's subject and expiry (never the
    /// PEM). PUT `ca_pem` to replace them.
    pub trusted_ca: Vec<CaView>,
    /// The revision these values are; send it back with PUT.
    pub revision: i64,
    pub updated_at: Option<String>,
    pub updated_by: Option<String>,
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
    /// Test targets, as in [`ProxyView`].
    pub targets: Vec<String>,
    /// Trusted CA for the probe, as in [`ProxyView`].
    pub trusted_ca: Vec<CaView>,
    /// Changed fields; a password shows as `****`; `targets` as its lines joined by `, `.
    pub changes: Vec<ChangeView>,
    pub rollback_of: Option<i64>,
}

/// One trusted CA certificate as the API shows it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CaView {
    /// RFC 4514, e.g. `CN=Proxy CA, O=Example`.
    pub subject: String,
    /// The last day it is valid, `YYYY-MM-DD` (UTC).
    pub not_after: String,
    /// SHA-256 of the certificate (DER), lower-case hex.
    pub sha256: String,
}

/// The saved CAs as the API says them.
fn ca_views(cas: &[TrustedCa]) -> Vec<CaView> {
    cas.iter()
        .map(|ca| CaView {
            subject: ca.subject().to_owned(),
            not_after: ca.not_after().to_owned(),
            sha256: ca.fingerprint().to_owned(),
        })
        .collect()
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

/// The 422 of a PUT with `test_first` whose test did not pass: nothing was saved.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TestFailed {
    pub error: String,
    /// The worst target's report: `diagnosis` says what failed and what to do next.
    pub report: Report,
    /// Every target's report, the worst first (as `POST /api/v1/proxy/test` answers).
    pub reports: Vec<Report>,
}

impl ApiError {
    /// 422 with one message per field, in the form's words.
    pub fn invalid(errors: &FieldErrors, message: &str) -> Response {
        let fields = errors
            .0
            .iter()
            .map(|(f, m)| (f.id().to_owned(), m.message(Lang::En)))
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
        host: config.host.map(|h| h.to_string()),
        port: config.port.map(Port::get),
        use_auth: config.use_auth,
        username: config.username.map(|u| u.as_str().to_owned()),
        password_set: config.password.is_some(),
        targets: target_lines(&config.targets),
        trusted_ca: ca_views(&config.trusted_ca),
        revision: revision.map_or(0, |r| r.id),
        updated_at: revision.map(|r| r.created_at.clone()),
        updated_by: revision.map(|r| r.actor.clone()),
    }
}

/// Targets as the API says them: one line each, as a PUT takes them.
fn target_lines(targets: &[TestTarget]) -> Vec<String> {
    targets.iter().map(TestTarget::to_string).collect()
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
    responses((status = 200, body = ProxyView)))]
pub async fn get_proxy(State(state): State<AppState>) -> Response {
    match state.store.current().await {
        Ok(current) => Json(view(current.as_ref())).into_response(),
        Err(e) => internal(e),
    }
}

/// A body the JSON extractor refused: too large and not JSON keep their status, anything
/// else is a 400 that says what is wrong.
fn json_rejection(rejection: &JsonRejection) -> Response {
    let status = match rejection.status() {
        s @ (StatusCode::PAYLOAD_TOO_LARGE | StatusCode::UNSUPPORTED_MEDIA_TYPE) => s,
        _ => StatusCode::BAD_REQUEST,
    };
    ApiError::response(status, rejection.body_text())
}

/// Whether `form`, sent over revision `base`, asks for exactly the current settings (GET's
/// answer sent back, say). Such a PUT saves nothing: no revision, no audit entry, no write.
fn changes_nothing(current: Option<&Revision>, base: i64, form: &ProxyForm) -> bool {
    let config = current.map(|r| r.config.clone()).unwrap_or_default();
    current.map_or(0, |r| r.id) == base
        && form
            .parse(&config)
            .is_ok_and(|settings| settings.apply_to(&config) == config)
}

/// The query of a PUT.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PutOptions {
    /// Test before saving: probe the new values first (as `POST /api/v1/proxy/test` does)
    /// and save only if the verdict is `ok`; otherwise 422 with the report. A PUT that
    /// disables the proxy, or changes nothing, is not tested. To save anyway, PUT again
    /// without it.
    #[serde(default)]
    pub test_first: bool,
}

/// Replace the Proxy settings (a new revision), with the page's validation. Sending back
/// what GET answered changes nothing and makes no revision: the answer is 200 with the
/// current settings. With `test_first=true` the new values are tested first.
#[utoipa::path(put, path = "/api/v1/proxy", tag = "proxy", params(PutOptions),
    request_body(content = ProxyPut, content_type = "application/json"),
    responses(
        (status = 200, body = ProxyView, description = "saved, or nothing to change"),
        (status = 400, body = ApiError, description = "not a valid JSON body (syntax, a wrong type, an unknown or missing field), or a `test_first` that is not `true` or `false`"),
        (status = 403, body = ApiError, description = "a session without the CSRF header or its own Origin"),
        (status = 409, body = ApiError, description = "`revision` is not the current one; `current` holds it"),
        (status = 413, body = ApiError, description = "the body is over 64 KiB"),
        (status = 415, body = ApiError, description = "the body is not `application/json`"),
        (status = 422, body = ApiError, description = "invalid values; `fields` says why, per field (also for the rules that join fields: a password when authentication is on and none is stored, `confirm_password` equal to `password`); or, with `test_first`, the test's verdict is not `ok`: nothing saved, the body is a `TestFailed` with the test's `report`"),
        (status = 429, body = ApiError, description = "with `test_first`: a test is already running for this caller, or too many on the server; nothing saved",
            headers(("Retry-After" = u64, description = "seconds: the probe's time limit"))),
        (status = 500, body = ApiError, description = "the proxy file or the database could not be written; nothing saved")))]
pub async fn put_proxy(
    State(state): State<AppState>,
    actor: Actor,
    options: Result<Query<PutOptions>, QueryRejection>,
    body: Result<Json<ProxyPut>, JsonRejection>,
) -> Response {
    let options = match options {
        Ok(Query(o)) => o,
        Err(rejection) => {
            return ApiError::response(StatusCode::BAD_REQUEST, rejection.body_text());
        }
    };
    let body = match body {
        Ok(Json(b)) => b,
        Err(rejection) => return json_rejection(&rejection),
    };
    let base = body.revision;
    let form = body.into_form();
    let current = match state.store.current().await {
        Ok(current) => current,
        Err(e) => return internal(e),
    };
    if changes_nothing(current.as_ref(), base, &form) {
        return Json(view(current.as_ref())).into_response();
    }
    if wants_test(options.test_first, false, &form) {
        match pretest(&state, &actor, &form, base).await {
            Ok(Pretest::Save) => {}
            Ok(Pretest::Failed(report)) => return test_failed(*report),
            Ok(Pretest::Busy(why)) => return busy(&why, state.tester.timeouts.total),
            Err(e) => return internal(e),
        }
    }
    match save_proxy(&state, &actor, &form, base, None, current).await {
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

/// 422 for a save whose test before saving did not pass, with the test's reports.
fn test_failed(result: TestResult) -> Response {
    let body = TestFailed {
        error: format!(
            "the test before saving found `{}`; nothing was saved (PUT again without test_first to save anyway)",
            result.diagnosis.code.as_str()
        ),
        report: result.worst().clone(),
        reports: result.reports,
    };
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

/// Seconds a refused test should wait: a running test ends within the probe's time limit.
pub fn retry_after(probe_limit: Duration) -> HeaderValue {
    let seconds = probe_limit.as_secs() + u64::from(probe_limit.subsec_nanos() > 0);
    HeaderValue::from(seconds.max(1))
}

fn busy(why: &Busy, probe_limit: Duration) -> Response {
    let mut response = ApiError::response(StatusCode::TOO_MANY_REQUESTS, why.message().en);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, retry_after(probe_limit));
    response
}

/// Run Test connection: the staged probe of every test target at once, answered with the
/// verdict and each target's report (SPEC §6). With no body, the saved settings are tested.
#[utoipa::path(post, path = "/api/v1/proxy/test", tag = "proxy",
    request_body(content = ProxyTest, content_type = "application/json",
        description = "the values to test; no body (or an empty one) tests the saved settings"),
    responses(
        (status = 200, body = TestResult, description = "the test, also when the proxy fails: `ok` (every target passed) and `diagnosis` (the worst target's) say how it went; `reports` holds one report per target, the worst first"),
        (status = 400, body = ApiError, description = "not a valid JSON body (syntax, `null`, a wrong type, an unknown field)"),
        (status = 403, body = ApiError, description = "a session without the CSRF header or its own Origin"),
        (status = 413, body = ApiError, description = "the body is over 64 KiB"),
        (status = 415, body = ApiError, description = "a body that is not `application/json`"),
        (status = 422, body = ApiError, description = "invalid values (`fields.targets` names the refused entry), no complete proxy saved (for no body), or a blank password for a host, port or user name other than the saved ones (`fields.password`: type the password)"),
        (status = 429, body = ApiError, description = "a test is already running for this caller, or too many on the server",
            headers(("Retry-After" = u64, description = "seconds: the probe's time limit")))))]
pub async fn test_proxy(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return ApiError::response(rejection.status(), rejection.body_text()),
    };
    let stored = match state.store.current().await {
        Ok(current) => current.map(|r| r.config).unwrap_or_default(),
        Err(e) => return internal(e),
    };
    let form = match test_form(&headers, &body, &stored) {
        Ok(form) => form,
        Err((status, message)) => return ApiError::response(status, message),
    };
    match super::probe_test::run_once(&state, &actor, &form, &stored).await {
        Ok(result) => Json(result).into_response(),
        Err(super::probe_test::NotRun::Invalid(errors)) => {
            ApiError::invalid(&errors, "invalid values; nothing was tested")
        }
        Err(super::probe_test::NotRun::Busy(why)) => busy(&why, state.tester.timeouts.total),
    }
}

/// Every revision, newest first (at most 1000).
#[utoipa::path(get, path = "/api/v1/proxy/revisions", tag = "proxy",
    responses((status = 200, body = Vec<RevisionView>)))]
pub async fn revisions(State(state): State<AppState>) -> Response {
    match state.store.list(1000).await {
        Ok(list) => Json(list.into_iter().map(revision_view).collect::<Vec<_>>()).into_response(),
        Err(e) => internal(e),
    }
}

fn revision_view(r: Revision) -> RevisionView {
    RevisionView {
        revision: r.id,
        created_at: r.created_at,
        actor: r.actor,
        enabled: r.config.enabled,
        host: r.config.host.map(|h| h.to_string()),
        port: r.config.port.map(Port::get),
        use_auth: r.config.use_auth,
        username: r.config.username.map(|u| u.as_str().to_owned()),
        password_set: r.config.password.is_some(),
        targets: target_lines(&r.config.targets),
        trusted_ca: ca_views(&r.config.trusted_ca),
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
    }
}

/// This document.
/// The test history, newest first.
#[utoipa::path(get, path = "/api/v1/proxy/tests", tag = "proxy",
    responses((status = 200, body = Vec<TestRecord>,
        description = "every stored test, newest first (at most 1,000): when, who, the values tested (never the password), the verdict and each report")))]
pub async fn tests(State(state): State<AppState>) -> Response {
    match crate::tests_log::list(state.store.pool(), crate::tests_log::KEEP).await {
        Ok(list) => Json(list).into_response(),
        Err(e) => internal(e),
    }
}

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "the OpenAPI document", content_type = "application/json",
        body = Object)))]
pub async fn openapi() -> Json<&'static serde_json::Value> {
    Json(DOC.get().unwrap_or(&serde_json::Value::Null))
}

/// The document, as built from the routes below by `router()`.
static DOC: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();

/// Whether `path` is under `/api`, where every answer is JSON.
pub fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// No route at this path under `/api`.
pub async fn not_found() -> Response {
    ApiError::response(StatusCode::NOT_FOUND, "there is no API route at this path")
}

/// The path exists but not with this method; axum adds the `Allow` header.
async fn method_not_allowed() -> Response {
    ApiError::response(
        StatusCode::METHOD_NOT_ALLOWED,
        "this API route does not take this method; `Allow` lists those it takes",
    )
}

/// The API routes. Each is registered with its documentation, so no route can be
/// undocumented and the document cannot name a route that is not served.
pub fn router() -> axum::Router<AppState> {
    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(get_proxy, put_proxy))
        .routes(routes!(revisions))
        .routes(routes!(test_proxy))
        .routes(routes!(tests))
        .routes(routes!(openapi))
        .split_for_parts();
    let _ = DOC.set(super::api_doc::complete(&doc));
    router.method_not_allowed_fallback(method_not_allowed)
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "fmc-mgmt",
        description = "Proxy settings of the Management Interfaces page. \
        Authenticate with `Authorization: Bearer <API token>` (System > API Tokens), or with the \
        UI session cookie plus `X-CSRF-Token` and a same-origin `Origin` for writes. \
        Every answer is JSON, errors included (`ApiError`): a path under `/api` that is not \
        listed here answers 404, and a method a path does not take answers 405 with `Allow`."
    ),
    components(schemas(
        ProxyView,
        ProxyPut,
        ProxyTest,
        RevisionView,
        ChangeView,
        CaView,
        ApiError,
        TestFailed,
        TestResult,
        Report,
        TestRecord,
        TestedValues
    ))
)]
pub struct ApiDoc;

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn retry_after_rounds_the_probe_limit_up_to_whole_seconds() {
        assert_eq!(retry_after(Duration::from_secs(30)), "30");
        assert_eq!(retry_after(Duration::from_millis(2500)), "3");
        assert_eq!(retry_after(Duration::ZERO), "1");
    }

    #[test]
    fn only_the_current_revision_with_its_own_values_changes_nothing() {
        let form = ProxyForm {
            enabled: true,
            host: "10.10.10.1".into(),
            port: "80".into(),
            ..ProxyForm::default()
        };
        let revision = Revision {
            id: 4,
            created_at: String::new(),
            actor: String::new(),
            config: form
                .parse(&Default::default())
                .unwrap()
                .apply_to(&Default::default()),
            changes: Vec::new(),
            rollback_of: None,
        };
        assert!(changes_nothing(Some(&revision), 4, &form));
        assert!(!changes_nothing(Some(&revision), 3, &form), "stale: a 409");
        let other = ProxyForm {
            port: "3128".into(),
            ..form.clone()
        };
        assert!(!changes_nothing(Some(&revision), 4, &other));
        assert!(changes_nothing(None, 0, &ProxyForm::default()));
    }
}
