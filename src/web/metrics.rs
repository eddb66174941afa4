//! `GET /metrics`: the newest test in Prometheus text format, for a scraper holding an API
//! token (the same tokens, and the same 401, as the JSON API).

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};

use super::guard::bearer_identity;
use crate::error::AppError;
use crate::metrics::{self, Latest};
use crate::state::AppState;
use crate::tests_log;

pub const PATH: &str = "/metrics";

pub async fn show(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let pool = state.store.pool();
    if let Err(refused) = bearer_identity(pool, &headers).await {
        return refused;
    }
    let newest = match tests_log::list(pool, 1).await {
        Ok(mut tests) => tests.pop(),
        Err(e) => return AppError::from(e).into_response(),
    };
    let latest = newest.as_ref().and_then(|t| {
        Some(Latest {
            at_unix: metrics::unix_seconds(&t.at)?,
            reports: &t.reports,
        })
    });
    let body = metrics::render(latest);
    ([(header::CONTENT_TYPE, metrics::CONTENT_TYPE)], body).into_response()
}
