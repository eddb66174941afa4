//! System > API Tokens: make a token for a script (shown once), list and revoke them.

use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::extract::{Actor, PostedForm, form_error};
use crate::audit;
use crate::auth::api_tokens::{self, ApiToken};
use crate::auth::sessions::Session;
use crate::error::AppError;
use crate::state::AppState;

use super::layout::BasePage;
use crate::locale;
use crate::locale::{Lang, Text, Texts};

const PATH: &str = "/system/api-tokens";
/// A new token's lifetime unless chosen otherwise.
const DEFAULT_DAYS: u32 = 90;

#[derive(Template)]
#[template(path = "api_tokens.html")]
struct TokensPage {
    t: &'static Texts,
    base: BasePage,
    tokens: Vec<ApiToken>,
    new_token: Option<(String, String)>,
    error: Option<String>,
}

async fn render(
    lang: Lang,
    state: &AppState,
    session: &Session,
    new_token: Option<(String, String)>,
    error: Option<Text>,
) -> Result<Html<String>, AppError> {
    let tokens = api_tokens::list(state.store.pool()).await?;
    let page = TokensPage {
        t: lang.texts(),
        base: BasePage::new(session, PATH),
        tokens,
        new_token,
        error: error.map(|e| e.get(lang).to_owned()),
    };
    Ok(Html(page.render()?))
}

pub async fn show(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    lang: Lang,
) -> Result<Html<String>, AppError> {
    render(lang, &state, &session, None, None).await
}

pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    lang: Lang,
    fields: PostedForm,
) -> Result<Response, AppError> {
    let session = &actor.session;
    let [name] = fields.require(["name"]).map_err(form_error)?;
    let name = name.trim();
    let refusal =
        if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
            Some(locale::text("web-token-name-invalid", &[]))
        } else {
            None
        };
    let days = lifetime(&fields.text("expires_days"));
    let (Some(days), None) = (days, &refusal) else {
        let why = refusal.unwrap_or_else(|| locale::text("web-token-lifetime-invalid", &[]));
        let html = render(lang, &state, session, None, Some(why)).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response());
    };
    let token = api_tokens::create(state.store.pool(), name, &session.username, days).await?;
    audit::record(
        state.store.pool(),
        actor.name(),
        actor.address(),
        &audit::Event::TokenCreated {
            name: name.to_owned(),
            days: Some(days),
        },
    )
    .await;
    // Shown once, in this response only; it is not stored in clear anywhere.
    Ok(
        render(lang, &state, session, Some((name.to_owned(), token)), None)
            .await?
            .into_response(),
    )
}

/// The lifetime chosen on the form, in days (0 = never); absent (an older form or a
/// script), the page's default; anything but the offered choices, none.
fn lifetime(field: &str) -> Option<u32> {
    match field {
        "" => Some(DEFAULT_DAYS),
        d => d
            .parse::<u32>()
            .ok()
            .filter(|d| api_tokens::LIFETIMES.contains(d)),
    }
}

pub async fn revoke(
    State(state): State<AppState>,
    actor: Actor,
    fields: PostedForm,
) -> Result<Response, AppError> {
    let id = fields.number("id").map_err(form_error)?;
    if let Some(name) = api_tokens::revoke(state.store.pool(), id).await? {
        audit::record(
            state.store.pool(),
            actor.name(),
            actor.address(),
            &audit::Event::TokenRevoked { name },
        )
        .await;
    }
    Ok(Redirect::to(PATH).into_response())
}
