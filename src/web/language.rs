//! The language selector of the user menu: save `en`, `zh-CN`, or `auto` (follow the
//! browser) for the signed-in user, then go back to the page it was sent from.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use super::extract::{Actor, PostedForm, form_error};
use super::login::safe_next;
use crate::auth::users;
use crate::error::AppError;
use crate::locale;
use crate::locale::Lang;
use crate::state::AppState;

pub const PATH: &str = "/system/language";

#[tracing::instrument(skip_all)]
pub async fn set(
    State(state): State<AppState>,
    actor: Actor,
    fields: PostedForm,
) -> Result<Response, AppError> {
    let [choice] = fields.require(["language"]).map_err(form_error)?;
    let language = match choice.as_str() {
        "auto" => None,
        code => Some(
            Lang::from_code(code)
                .ok_or_else(|| AppError::bad_request(locale::text("web-language-unknown", &[])))?,
        ),
    };
    users::set_language(state.store.pool(), actor.session.user_id, language).await?;
    // Back to the page the menu was on; only a path on this server (never `//evil`).
    let next = fields.text("next");
    Ok(Redirect::to(safe_next(Some(&next))).into_response())
}
