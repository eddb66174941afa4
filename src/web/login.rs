//! Log in and out. The login form carries its own CSRF token (double-submit cookie) since
//! there is no session yet; success always starts a new session (no fixation).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::{RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::PAGE;
use super::extract::{Actor, ClientAddr, Cookies, FormFields, PostedForm, form_error};
use crate::audit;
use crate::audit::cut_name;
use crate::auth::sessions::{self};
use crate::auth::throttle::{Keys, Refusal};
use crate::auth::{constant_time_eq, password, random_hex, users};
use crate::error::AppError;
use crate::locale::{self, Arg};
use crate::locale::{Lang, Text, Texts};
use crate::secret::Secret;
use crate::state::AppState;

const LOGIN_CSRF_COOKIE: &str = "fmc_login_csrf";

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    t: &'static Texts,
    username: &'a str,
    next: &'a str,
    csrf_token: &'a str,
    error: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only a path on this server may follow a login: `/x`, never `//evil`, `/\evil` or a URL.
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && n.len() <= 2048
                && !n
                    .chars()
                    .any(|c| c.is_control() || c.is_whitespace() || c == '\\') =>
        {
            n
        }
        _ => PAGE,
    }
}

fn render(
    lang: Lang,
    status: StatusCode,
    username: &str,
    next: &str,
    error: Option<Text>,
) -> Result<Response, AppError> {
    let csrf = random_hex(16);
    let html = LoginPage {
        t: lang.texts(),
        username,
        next: safe_next(Some(next)),
        csrf_token: &csrf,
        error: error.map(|e| e.get(lang).to_owned()),
    }
    .render()?;
    let mut response = (status, Html(html)).into_response();
    let value = format!("{LOGIN_CSRF_COOKIE}={csrf}; Path=/login; HttpOnly; SameSite=Strict");
    if let Ok(v) = HeaderValue::from_str(&value) {
        response.headers_mut().append(SET_COOKIE, v);
    }
    Ok(response)
}

/// The login page speaks the browser's language (there is no user yet).
pub async fn show(lang: Lang, Query(q): Query<NextQuery>) -> Result<Response, AppError> {
    render(lang, StatusCode::OK, "", safe_next(q.next.as_deref()), None)
}

#[tracing::instrument(skip_all)]
pub async fn submit(
    State(state): State<AppState>,
    lang: Lang,
    cookies: Cookies,
    address: ClientAddr,
    FormFields(fields): FormFields,
) -> Result<Response, AppError> {
    let [username, password_text, csrf] = fields
        .require(["username", "password", "csrf_token"])
        .map_err(form_error)?;
    let next = fields.text("next");
    let expected = cookies.get(LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(csrf.as_bytes(), expected.as_bytes()) {
        return render(
            lang,
            StatusCode::FORBIDDEN,
            &username,
            &next,
            Some(locale::text("web-login-form-expired", &[])),
        );
    }
    let keys = Keys::new(&username, address.ip());
    // What the log and the audit keep of a name the client chose: 64 characters.
    let actor = cut_name(&username);
    let pool = state.store.pool();
    let slow = state.throttle.slowdown(pool, &keys).await?;
    if !slow.is_zero() {
        tokio::time::sleep(slow).await;
    }
    // Reserved before the password is checked: guesses in flight count against the limit.
    let mut attempt = match state.throttle.reserve(pool, &keys).await? {
        Ok(attempt) => attempt,
        Err(refusal) => {
            if let Refusal::Locked(_) = refusal
                && let Err(e) = state
                    .throttle
                    .count_refusal(pool, &keys, actor, address.as_deref())
                    .await
            {
                tracing::error!(error = %e, "could not count a refused login in the audit log");
            }
            return refused(lang, refusal, &username, &next);
        }
    };

    let user = users::find(pool, &username).await?;
    let secret = Secret::new(password_text);
    let phc = user.as_ref().map_or_else(
        || password::dummy_hash().to_owned(),
        |u| u.password_hash.clone(),
    );
    let ok = password::verify_bounded(secret, phc, attempt.take_permit()).await;
    let user = match (ok, user) {
        (true, Some(user)) => user,
        _ => {
            let lock = attempt.failed(pool, actor, address.as_deref()).await?;
            return match lock {
                Some(d) => refused(lang, Refusal::Locked(d), &username, &next),
                None => render(
                    lang,
                    StatusCode::UNAUTHORIZED,
                    &username,
                    &next,
                    Some(locale::text("web-login-invalid", &[])),
                ),
            };
        }
    };

    attempt.succeeded(pool).await?;
    logged_in(&state, &cookies, &user, address.as_deref(), &next).await
}

/// The password was right: a new session (the old one ended), audited, its cookie set and
/// the login form's CSRF cookie cleared, and on to `next`.
async fn logged_in(
    state: &AppState,
    cookies: &Cookies,
    user: &users::User,
    address: Option<&str>,
    next: &str,
) -> Result<Response, AppError> {
    let pool = state.store.pool();
    if let Some(old) = cookies.get(sessions::COOKIE) {
        sessions::delete(pool, &sessions::hash_token(old)).await?;
    }
    let token = sessions::create(pool, user.id).await?;
    audit::record(pool, &user.username, address, &audit::Event::LoggedIn).await;
    let mut response = Redirect::to(safe_next(Some(next))).into_response();
    let h = response.headers_mut();
    if let Ok(v) =
        HeaderValue::from_str(&sessions::cookie(Some(&token), state.server.secure_cookies))
    {
        h.append(SET_COOKIE, v);
    }
    h.append(
        SET_COOKIE,
        HeaderValue::from_static(
            "fmc_login_csrf=; Path=/login; Max-Age=0; HttpOnly; SameSite=Strict",
        ),
    );
    Ok(response)
}

/// The answer to an attempt refused before its password was checked, with `Retry-After`.
fn refused(lang: Lang, refusal: Refusal, username: &str, next: &str) -> Result<Response, AppError> {
    let (status, secs, message) = match refusal {
        Refusal::Locked(remaining) => {
            let secs = remaining.as_secs_f64().ceil().max(1.0) as u64;
            (
                StatusCode::TOO_MANY_REQUESTS,
                secs,
                locale::text("web-login-locked", &[("seconds", Arg::same(&secs))]),
            )
        }
        Refusal::AddressBusy => (
            StatusCode::TOO_MANY_REQUESTS,
            1,
            locale::text("web-login-address-busy", &[]),
        ),
        Refusal::ServerBusy => (
            StatusCode::SERVICE_UNAVAILABLE,
            1,
            locale::text("web-login-server-busy", &[]),
        ),
    };
    let mut response = render(lang, status, username, next, Some(message))?;
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(secs));
    Ok(response)
}

#[tracing::instrument(skip_all)]
pub async fn logout(
    State(state): State<AppState>,
    actor: Actor,
    _checked: PostedForm,
) -> Result<Response, AppError> {
    let pool = state.store.pool();
    sessions::delete(pool, &actor.session.token_hash).await?;
    audit::record(
        pool,
        actor.name(),
        actor.address(),
        &audit::Event::LoggedOut,
    )
    .await;
    let mut response = Redirect::to("/login").into_response();
    if let Ok(v) = HeaderValue::from_str(&sessions::cookie(None, state.server.secure_cookies)) {
        response.headers_mut().append(SET_COOKIE, v);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_may_follow_a_login() {
        assert_eq!(safe_next(Some("/system/x?y=1")), "/system/x?y=1");
        for evil in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "evil",
            "/a\r\nb",
            "/ a",
            "",
        ] {
            assert_eq!(safe_next(Some(evil)), PAGE, "{evil:?}");
        }
        assert_eq!(safe_next(None), PAGE);
    }
}
