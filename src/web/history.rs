//! Proxy history: every revision with who, when and what changed, and rollback — itself a
//! new revision through the same validation, file write and audit as a save.

use askama::Template;
use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::PAGE;
use super::flash::{self, Flash};
use super::page::{form_body, form_error, form_from_config};
use super::proxy_save::{Actor, SaveResult, save_proxy};
use crate::audit;
use crate::auth::guard::client_addr;
use crate::auth::sessions::Session;
use crate::error::AppError;
use crate::settings::store::Revision;
use crate::state::AppState;

pub const HISTORY: &str = "/system/configuration/management-interfaces/proxy/history";

/// How many revisions the page lists.
const SHOWN: i64 = 200;

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    user: String,
    csrf_token: String,
    current: i64,
    revisions: Vec<Revision>,
    message: Option<String>,
}

impl HistoryPage {
    fn changes(&self, r: &Revision) -> String {
        audit::describe_changes(&r.changes)
    }
}

async fn render(
    state: &AppState,
    session: &Session,
    message: Option<String>,
) -> Result<Html<String>, AppError> {
    let revisions = state.store.list(SHOWN).await?;
    let page = HistoryPage {
        user: session.username.clone(),
        csrf_token: session.csrf_token.clone(),
        current: revisions.first().map_or(0, |r| r.id),
        revisions,
        message,
    };
    Ok(Html(page.render()?))
}

pub async fn show(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
) -> Result<Html<String>, AppError> {
    render(&state, &session, None).await
}

#[tracing::instrument(skip_all)]
pub async fn rollback(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    request_ext: axum::http::Extensions,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let fields = form_body(&headers, body)?;
    let target_id = fields.number("target").map_err(form_error)?;
    let base = fields.number("revision").map_err(form_error)?;
    let Some(target) = state.store.get(target_id).await? else {
        return Err(AppError::status(
            StatusCode::NOT_FOUND,
            format!("There is no revision {target_id}."),
        ));
    };
    // The same rules as a save: a revision saved under older rules must pass today's.
    let form = form_from_config(&target.config);
    let address = client_addr(&request_ext);
    let actor = Actor {
        name: &session.username,
        address: address.as_deref(),
    };
    let (status, message) = match save_proxy(&state, actor, &form, base, Some(&target)).await? {
        SaveResult::Saved(revision) => {
            let mut response = Redirect::to(PAGE).into_response();
            flash::set(
                response.headers_mut(),
                Flash::RolledBack {
                    revision: revision.id,
                    target: target_id,
                },
            );
            return Ok(response);
        }
        SaveResult::Invalid(errors) => {
            let why: Vec<String> = errors
                .0
                .iter()
                .map(|(f, m)| format!("{}: {m}", f.label()))
                .collect();
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "Revision {target_id} cannot be restored: {}",
                    why.join("; ")
                ),
            )
        }
        SaveResult::Stale(current) => (
            StatusCode::CONFLICT,
            format!(
                "Not rolled back: revision {} was saved after this list was loaded. Check the list and try again.",
                current.map_or(0, |r| r.id)
            ),
        ),
        SaveResult::NotWritten(why) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("Not rolled back: {why}. The database is unchanged."),
        ),
    };
    let html = render(&state, &session, Some(message)).await?;
    Ok((status, html).into_response())
}
