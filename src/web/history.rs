//! Proxy history: every revision with who, when and what changed, and rollback — itself a
//! new revision through the same validation, file write and audit as a save.

use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::PAGE;
use super::extract::{Actor, PostedForm, form_error};
use super::flash::{self, Flash};
use super::layout::BasePage;
use super::page::form_from_config;
use super::proxy_save::{SaveResult, save_proxy};
use crate::auth::sessions::Session;
use crate::error::AppError;
use crate::locale::{self, Arg};
use crate::locale::{Lang, Text, Texts};
use crate::settings::store::Revision;
use crate::signed_in::Current;
use crate::state::AppState;

pub const HISTORY: &str = "/system/configuration/management-interfaces/proxy/history";

/// How many revisions the page lists.
const SHOWN: i64 = 200;

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    t: &'static Texts,
    base: BasePage,
    current: i64,
    revisions: Vec<Revision>,
    message: Option<String>,
}

impl HistoryPage {
    fn changes(&self, r: &Revision) -> String {
        crate::settings::store::describe_changes_in(self.t, &r.changes)
    }
}

async fn render(
    lang: Lang,
    state: &AppState,
    session: &Session,
    message: Option<Text>,
) -> Result<Html<String>, AppError> {
    let revisions = state.store.list(SHOWN).await?;
    let page = HistoryPage {
        t: lang.texts(),
        base: BasePage::new(session, HISTORY),
        current: revisions.first().map_or(0, |r| r.id),
        revisions,
        message: message.map(|m| m.get(lang).to_owned()),
    };
    Ok(Html(page.render()?))
}

pub async fn show(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    lang: Lang,
) -> Result<Html<String>, AppError> {
    render(lang, &state, &session, None).await
}

#[tracing::instrument(skip_all)]
pub async fn rollback(
    State(state): State<AppState>,
    Extension(Current(current)): Extension<Current>,
    actor: Actor,
    lang: Lang,
    fields: PostedForm,
) -> Result<Response, AppError> {
    let target_id = fields.number("target").map_err(form_error)?;
    let base = fields.number("revision").map_err(form_error)?;
    let Some(target) = state.store.get(target_id).await? else {
        return Err(AppError::status(
            StatusCode::NOT_FOUND,
            locale::text(
                "web-history-no-such-revision",
                &[("revision", Arg::same(&target_id))],
            ),
        ));
    };
    // The same rules as a save: a revision saved under older rules must pass today's.
    let form = form_from_config(&target.config);
    let saved = save_proxy(&state, &actor, &form, base, Some(&target), current).await?;
    let (status, message) = match saved {
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
            let why = Text::each(|lang: Lang| {
                let t = lang.texts();
                errors
                    .0
                    .iter()
                    .map(|(f, m)| format!("{}: {}", t.field_label(f), m.message(lang)))
                    .collect::<Vec<_>>()
                    .join("; ")
            });
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                locale::text(
                    "web-history-cannot-restore",
                    &[
                        ("revision", Arg::same(&target_id)),
                        ("why", Arg::each(&why)),
                    ],
                ),
            )
        }
        SaveResult::Stale(current) => {
            let id = current.map_or(0, |r| r.id);
            (
                StatusCode::CONFLICT,
                locale::text("web-history-stale", &[("current", Arg::same(&id))]),
            )
        }
        SaveResult::NotWritten(why) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            locale::text("web-history-not-written", &[("why", Arg::each(&why))]),
        ),
    };
    let html = render(lang, &state, &actor.session, Some(message)).await?;
    Ok((status, html).into_response())
}
