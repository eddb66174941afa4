//! The audit log page.

use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::response::Html;

use crate::audit::{self, Entry};
use crate::auth::sessions::Session;
use crate::error::AppError;
use crate::state::AppState;

use super::layout::BasePage;
use crate::i18n::{Lang, Texts};

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    t: &'static Texts,
    base: BasePage,
    entries: Vec<Entry>,
}

pub async fn show(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    lang: Lang,
) -> Result<Html<String>, AppError> {
    let entries = audit::list(state.store.pool(), 500).await?;
    Ok(Html(
        AuditPage {
            t: lang.texts(),
            base: BasePage::new(&session, "/system/audit-log"),
            entries,
        }
        .render()?,
    ))
}
