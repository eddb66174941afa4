//! The audit log page: each entry's facts said in the reader's language.

use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::response::Html;

use crate::audit::{self, Entry};
use crate::auth::sessions::Session;
use crate::error::AppError;
use crate::state::AppState;

use super::layout::BasePage;
use crate::locale::{Lang, Texts};

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    t: &'static Texts,
    base: BasePage,
    rows: Vec<Row>,
}

/// One entry as the table shows it.
struct Row {
    at: String,
    actor: String,
    address: String,
    action: String,
    detail: String,
}

impl Row {
    fn new(entry: Entry, lang: Lang) -> Row {
        Row {
            detail: entry.event.say(lang),
            at: entry.at,
            actor: entry.actor,
            address: entry.address.unwrap_or_default(),
            action: entry.action,
        }
    }
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
            rows: entries.into_iter().map(|e| Row::new(e, lang)).collect(),
        }
        .render()?,
    ))
}
