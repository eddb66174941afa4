//! Routes and handlers. `routes()` is the whole HTTP surface; cross-cutting layers are
//! added once in `crate::app`.

pub mod api;
pub mod api_body;
pub mod api_doc;
pub mod api_tokens_page;
pub mod assets;
pub mod audit_page;
pub mod extract;
pub mod flash;
pub mod form_body;
pub mod guard;
pub mod history;
pub mod host_check;
pub mod host_sections;
pub mod language;
pub mod layout;
pub mod login;
pub mod metrics;
pub mod page;
pub mod probe_test;
pub mod probe_view;
pub mod proxy_save;
pub mod support_bundle;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware::Next;

use axum::middleware;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::state::AppState;

pub const PAGE: &str = "/system/configuration/management-interfaces";

/// Forms are a few hundred bytes; anything near this is not a Proxy form.
pub const BODY_LIMIT: usize = 64 * 1024;

pub fn routes(state: AppState) -> Router {
    let protected = Router::new()
        .route("/", get(|| async { Redirect::to(PAGE) }))
        .route(PAGE, get(page::show))
        .route(&format!("{PAGE}/proxy"), post(page::save))
        .route(&format!("{PAGE}/proxy/test"), post(probe_test::test))
        .route(history::HISTORY, get(history::show))
        .route(support_bundle::PATH, get(support_bundle::download))
        .route(
            &format!("{}/rollback", history::HISTORY),
            post(history::rollback),
        )
        .route("/system/audit-log", get(audit_page::show))
        .route("/logout", post(login::logout))
        .route(language::PATH, post(language::set))
        .route(
            "/system/api-tokens",
            get(api_tokens_page::show).post(api_tokens_page::create),
        )
        .route("/system/api-tokens/revoke", post(api_tokens_page::revoke))
        .merge(api::router())
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            guard::require_session,
        ));
    Router::new()
        .merge(protected)
        .route("/login", get(login::show).post(login::submit))
        .route("/healthz", get(|| async { "ok" }))
        // A scraper has a token, never a session: the handler checks it.
        .route(metrics::PATH, get(metrics::show))
        .route("/static/{name}", get(assets::serve))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// No route here: JSON under `/api`, where clients read JSON, else the error page.
async fn not_found(uri: axum::http::Uri) -> Response {
    if api::is_api_path(uri.path()) {
        return api::not_found().await;
    }
    crate::error::error_page(
        axum::http::StatusCode::NOT_FOUND,
        &crate::locale::text("web-no-such-page", &[]),
    )
}

/// One log line per request: method, path (never the query), status, latency.
/// Bodies and headers are never logged, so passwords cannot reach the log.
pub async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = std::time::Instant::now();
    let response = next.run(request).await.into_response();
    tracing::info!(
        %method,
        path,
        status = response.status().as_u16(),
        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    response
}
