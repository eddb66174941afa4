//! The audit log page.

use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::response::Html;

use crate::audit::{self, Entry};
use crate::auth::sessions::Session;
use crate::error::AppError;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    user: String,
    csrf_token: String,
    entries: Vec<Entry>,
}

pub async fn show(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
) -> Result<Html<String>, AppError> {
    let entries = audit::list(state.store.pool(), 500).await?;
    Ok(Html(
        AuditPage {
            user: session.username,
            csrf_token: session.csrf_token,
            entries,
        }
        .render()?,
    ))
}
