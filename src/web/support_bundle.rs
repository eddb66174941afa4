//! `GET …/proxy/support-bundle`: the support bundle as a download, audited.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::extract::Actor;
use crate::audit::{self, Event};
use crate::error::AppError;
use crate::locale;
use crate::state::AppState;
use crate::support_bundle;

pub const PATH: &str = "/system/configuration/management-interfaces/proxy/support-bundle";

#[tracing::instrument(skip_all)]
pub async fn download(State(state): State<AppState>, actor: Actor) -> Result<Response, AppError> {
    let gathered = support_bundle::gather(&state.store, &state.host).await?;
    // Compressing a few MiB takes milliseconds of CPU: not on a runtime thread.
    let built = tokio::task::spawn_blocking(move || support_bundle::build(&gathered)).await;
    let bundle = match built {
        Ok(Ok(bundle)) => bundle,
        Ok(Err(e)) => return Err(failed(&e)),
        Err(e) => return Err(failed(&e)),
    };
    let event = Event::SupportBundle {
        tests: bundle.tests as u64,
        bytes: bundle.gz.len() as u64,
    };
    audit::record(state.store.pool(), actor.name(), actor.address(), &event).await;
    let disposition = format!("attachment; filename=\"{}.tar.gz\"", bundle.name);
    Ok((
        [
            (header::CONTENT_TYPE, "application/gzip".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bundle.gz,
    )
        .into_response())
}

fn failed(cause: &dyn std::fmt::Display) -> AppError {
    tracing::error!(error = %cause, "could not make the support bundle");
    AppError::status(
        StatusCode::INTERNAL_SERVER_ERROR,
        locale::text("web-support-bundle-failed", &[]),
    )
}
