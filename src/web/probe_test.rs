//! Test connection: probe the values in the form (saved or not; a blank password means the
//! stored one). Answers the page (no JavaScript: Post/Redirect/Get to the stored test's
//! result, `?test=<id>#test-result`), JSON, or a live stream of stages that a client
//! cancels by going away.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use askama::Template;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::PAGE;
use super::api::ApiError;
use super::extract::{Actor, PostedForm, form_error};
use super::flash::{self, TestRef};
use super::page::{
    DiagnosticsLive, Extras, PageContext, proxy_form, read_diagnostics, render_page, tested,
};
use super::probe_view::{TestView, skipped};
use crate::auth::sessions::Session;
use crate::error::AppError;
use crate::locale;
use crate::locale::{Lang, Texts};
use crate::settings::ProxyConfig;
use crate::settings::fields::ProxyHostError;
use crate::settings::form::{Field, FieldError, FieldErrors, ProxyForm};
use crate::state::AppState;
use crate::tester::{self, Busy, Permit, StageEvents, TestBy, TestResult};
use crate::tests_log::TestedValues;

/// What the live view's panel shows, in the page's language, when the result fragment
/// cannot be rendered: plain HTML made without a template, so it cannot fail too.
fn render_failed(lang: Lang) -> String {
    let said = locale::message(lang, "web-probe-result-not-shown", &[]);
    let Ok(escaped) = askama::filters::escape(said, askama::filters::Html);
    format!("<p class=\"error\">{escaped}</p>")
}

/// The media type of the live view: one JSON object per line.
pub const STREAM: &str = "application/x-ndjson";

#[derive(Template)]
#[template(path = "probe_results.html")]
struct Fragment {
    t: &'static Texts,
    test: TestView,
}

/// The settings a test of `form` probes, on top of the stored settings. A test needs a
/// host and a port even when the proxy is unchecked, so it validates the form as if
/// Enabled were on.
pub fn tested_config(
    state: &AppState,
    form: &ProxyForm,
    stored: &ProxyConfig,
) -> Result<ProxyConfig, FieldErrors> {
    let as_enabled = ProxyForm {
        enabled: true,
        ..form.clone()
    };
    let tested = as_enabled.parse(stored)?.apply_to(stored);
    match state.tester.requests(&tested) {
        Some(_) => Ok(tested),
        // The form was parsed as enabled, so host and port are there; should that ever
        // change, the host is what is missing.
        None => Err(host_missing()),
    }
}

fn host_missing() -> FieldErrors {
    FieldErrors(vec![(Field::Host, FieldError::Host(ProxyHostError::Empty))])
}

/// The key that allows one test at a time: the session, or the API token.
fn session_key(session: &Session) -> &str {
    if session.token_hash.is_empty() {
        &session.username
    } else {
        &session.token_hash
    }
}

/// Run one test of every target of `config` ([`tester::run_test`]).
async fn run(
    state: &AppState,
    actor: &Actor,
    config: &ProxyConfig,
    enabled: bool,
    events: Option<StageEvents>,
) -> Result<TestResult, NotRun> {
    let by = TestBy {
        who: actor.name(),
        address: actor.address.0.as_deref(),
        enabled,
    };
    tester::run_test(&state.tester, state.store.pool(), &by, config, events)
        .await
        .ok_or_else(|| NotRun::Invalid(host_missing()))
}

pub enum NotRun {
    Invalid(FieldErrors),
    Busy(Busy),
}

/// Validate, take a place, probe, record: the whole test for callers that wait for it.
pub async fn run_once(
    state: &AppState,
    actor: &Actor,
    form: &ProxyForm,
    stored: &ProxyConfig,
) -> Result<TestResult, NotRun> {
    let config = tested_config(state, form, stored).map_err(NotRun::Invalid)?;
    let _permit = state
        .tester
        .start(session_key(&actor.session))
        .map_err(NotRun::Busy)?;
    run(state, actor, &config, form.enabled, None).await
}

enum Wants {
    Page,
    Json,
    Stream,
}

fn wants(headers: &HeaderMap) -> Wants {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if accept.contains(STREAM) {
        Wants::Stream
    } else if accept.contains("application/json") {
        Wants::Json
    } else {
        Wants::Page
    }
}

#[tracing::instrument(skip_all)]
pub async fn test(
    State(state): State<AppState>,
    actor: Actor,
    lang: Lang,
    headers: HeaderMap,
    fields: PostedForm,
) -> Result<Response, AppError> {
    fields
        .require(["host", "port", "username"])
        .map_err(form_error)?;
    let form = proxy_form(&fields)?;
    let wants = wants(&headers);
    let ctx = PageContext::load(&state.store).await?;
    let outcome = match wants {
        Wants::Stream => match start_stream(&state, lang, &actor, &form, &ctx.config) {
            Ok(response) => return Ok(response),
            Err(not_run) => Err(not_run),
        },
        _ => run_once(&state, &actor, &form, &ctx.config).await,
    };
    // A refused test says when to try again, on the page and in JSON alike.
    let retry = matches!(outcome, Err(NotRun::Busy(_)))
        .then(|| super::api::retry_after(state.tester.timeouts.total));
    let mut response = match wants {
        Wants::Page => page_answer(&state, &actor.session, lang, &ctx, form, outcome).await?,
        _ => json_answer(lang, &wants, outcome),
    };
    if let Some(seconds) = retry {
        response.headers_mut().insert(header::RETRY_AFTER, seconds);
    }
    Ok(response)
}

/// Take a place and start the live view, or say why not.
fn start_stream(
    state: &AppState,
    lang: Lang,
    actor: &Actor,
    form: &ProxyForm,
    stored: &ProxyConfig,
) -> Result<Response, NotRun> {
    let config = tested_config(state, form, stored).map_err(NotRun::Invalid)?;
    let permit = state
        .tester
        .start(session_key(&actor.session))
        .map_err(NotRun::Busy)?;
    let urls = state
        .tester
        .requests(&config)
        .unwrap_or_default()
        .iter()
        .map(|r| r.url().to_string())
        .collect();
    let test = LiveTest {
        state: state.clone(),
        lang,
        actor: actor.clone(),
        enabled: form.enabled,
        stored: stored.clone(),
        values: TestedValues::of(&config, form.enabled),
        config,
        urls,
    };
    Ok(stream(test, permit))
}

/// Where a test without JavaScript sends the browser: the page showing `test`, scrolled
/// to the result or to the error summary.
pub fn after_test(test: TestRef) -> String {
    let anchor = match test {
        TestRef::Id(_) => "test-result",
        TestRef::Refused => "error-summary",
    };
    format!("{PAGE}?test={}#{anchor}", test.encode())
}

/// Post/Redirect/Get: 303 to the page that shows `test`, the form's values (never the
/// password) carried along, so a refresh shows the result again without running the test.
fn redirect_to(test: TestRef, form: &ProxyForm) -> Response {
    let mut response = Redirect::to(&after_test(test)).into_response();
    flash::set_tested(response.headers_mut(), test, form);
    response
}

/// The result's view, headed by what was tested beside the saved settings.
fn result_view(
    state: &AppState,
    lang: Lang,
    form: &ProxyForm,
    result: TestResult,
    stored: &ProxyConfig,
) -> TestView {
    let values = match tested_config(state, form, stored) {
        Ok(config) => TestedValues::of(&config, form.enabled),
        Err(_) => TestedValues::of(stored, form.enabled),
    };
    let tested = tested(state, values, &result, stored);
    TestView::new(result, lang.texts()).with_tested(&tested, lang)
}

/// The page after a test without JavaScript: a redirect to its result or to why the field
/// checks refused it; the page itself only when the test could not be stored (no id to
/// show it by) or did not run for lack of a place.
async fn page_answer(
    state: &AppState,
    session: &Session,
    lang: Lang,
    ctx: &PageContext,
    form: ProxyForm,
    outcome: Result<TestResult, NotRun>,
) -> Result<Response, AppError> {
    let (status, extras) = match outcome {
        Ok(result) => match result.id {
            Some(id) => return Ok(redirect_to(TestRef::Id(id), &form)),
            None => (
                StatusCode::OK,
                Extras {
                    probe: Some(result_view(state, lang, &form, result, &ctx.config)),
                    ..Extras::default()
                },
            ),
        },
        Err(NotRun::Invalid(_)) => return Ok(redirect_to(TestRef::Refused, &form)),
        Err(NotRun::Busy(busy)) => (
            StatusCode::TOO_MANY_REQUESTS,
            Extras {
                notice: Some(busy.message()),
                ..Extras::default()
            },
        ),
    };
    let html = render_page(lang, session, state, ctx, form, extras).await?;
    Ok((status, html).into_response())
}

/// The result as JSON (`{"ok","diagnosis","reports"}`), or why the test did not run: in
/// English for JSON clients, in the page's language for the live view (which shows it to
/// the admin).
fn json_answer(lang: Lang, wants: &Wants, outcome: Result<TestResult, NotRun>) -> Response {
    let (status, body) = match outcome {
        Ok(result) => return Json(result).into_response(),
        Err(NotRun::Invalid(errors)) if matches!(wants, Wants::Stream) => {
            return refused_live(lang, &errors);
        }
        Err(NotRun::Invalid(errors)) => {
            let fields: std::collections::BTreeMap<_, _> = errors
                .0
                .iter()
                .map(|(f, m)| (f.id().to_owned(), m.message(Lang::En)))
                .collect();
            let body = ApiError {
                error: "invalid values; nothing was tested".to_owned(),
                fields: (!fields.is_empty()).then_some(fields),
                current: None,
            };
            (StatusCode::UNPROCESSABLE_ENTITY, body)
        }
        Err(NotRun::Busy(busy)) => {
            let notice = busy.message();
            let error = match wants {
                Wants::Stream => notice.get(lang).to_owned(),
                _ => notice.en,
            };
            let body = ApiError {
                error,
                fields: None,
                current: None,
            };
            (StatusCode::TOO_MANY_REQUESTS, body)
        }
    };
    (status, Json(body)).into_response()
}

/// The error summary as the page shows it after a test the field checks refused.
#[derive(Template)]
#[template(path = "error_summary.html")]
struct ErrorSummary {
    heading: String,
    /// Each field's id, label and message, in the page's language.
    errors: Vec<(&'static str, &'static str, String)>,
}

/// A live test the field checks refused, for the page to show in place without a reload:
/// 422 with each field's message and the error summary, in the page's language.
fn refused_live(lang: Lang, errors: &FieldErrors) -> Response {
    let t = lang.texts();
    let count = u64::try_from(errors.0.len()).unwrap_or(u64::MAX);
    let heading = locale::counted(lang, "result-not-tested-heading", &[], ("fields", count));
    let said: Vec<_> = errors
        .0
        .iter()
        .map(|(f, m)| (f.id(), t.field_label(f), m.message(lang)))
        .collect();
    let fields: serde_json::Map<_, _> = said
        .iter()
        .map(|(id, _, m)| ((*id).to_owned(), serde_json::Value::from(m.as_str())))
        .collect();
    let summary = ErrorSummary {
        heading: heading.clone(),
        errors: said,
    }
    .render();
    let body = serde_json::json!({
        "error": heading,
        "fields": fields,
        "summary": rendered(lang, "error summary", summary),
    });
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

/// A spawned test that is cancelled when its stream is dropped (the tab closed).
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl<T> Future for AbortOnDrop<T> {
    type Output = Option<T>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx).map(Result::ok)
    }
}

/// Who runs a live test, in which language, over which stored settings, of what.
struct LiveTest {
    state: AppState,
    lang: Lang,
    actor: Actor,
    /// Enabled as the form had it.
    enabled: bool,
    stored: ProxyConfig,
    /// The settings tested.
    config: ProxyConfig,
    /// The values tested, as the history keeps them.
    values: TestedValues,
    /// Each target's URL, in the order of the stage events' `target` index.
    urls: Vec<String>,
}

/// A fragment rendered for the live view, or, since the stream has already begun with
/// 200, a line saying it could not be shown (the log says why).
fn rendered(lang: Lang, what: &str, fragment: Result<String, askama::Error>) -> String {
    fragment.unwrap_or_else(|e| {
        tracing::error!(error = %e, what, "could not render a live view fragment");
        render_failed(lang)
    })
}

/// The live view's last line: the result, its fragment, and the Diagnostics panel's last
/// test and netstat lines read now, after the test, in the page's language.
async fn done_line(test: &LiveTest, result: Option<TestResult>) -> String {
    let lang = test.lang;
    let html = match &result {
        Some(result) => Fragment {
            t: lang.texts(),
            test: TestView::new(result.clone(), lang.texts()).with_tested(
                &tested(&test.state, test.values.clone(), result, &test.stored),
                lang,
            ),
        }
        .render(),
        None => Ok(render_failed(lang)),
    };
    let diag = Arc::new(read_diagnostics(&test.state, &test.stored).await);
    let recent = super::page::recent_tests(&test.state).await;
    let diagnostics = DiagnosticsLive::new(lang, diag, &recent).render();
    let line = serde_json::json!({
        "event": "done",
        "result": result,
        "html": rendered(lang, "probe result", html),
        "diagnostics": rendered(lang, "diagnostics", diagnostics),
    });
    format!("{line}\n")
}

/// The live view: `{"event":"stage","target":i,"url":…,…}` per completed stage of each
/// target (all probed at once, so their stages interleave), then
/// `{"event":"done","result":…,"html":…,"diagnostics":…}` with the same fragments the
/// page renders.
fn stream(test: LiveTest, permit: Permit) -> Response {
    let lang = test.lang;
    let urls = test.urls.clone();
    let proxy_host = test
        .config
        .host
        .as_ref()
        .map(|h| h.as_str().to_owned())
        .unwrap_or_default();
    let (tx, rx) = mpsc::unbounded_channel();
    let task = AbortOnDrop(tokio::spawn(async move {
        let _permit = permit;
        let result = run(
            &test.state,
            &test.actor,
            &test.config,
            test.enabled,
            Some(tx),
        )
        .await;
        done_line(&test, result.ok()).await
    }));
    let lines = futures_util::stream::unfold((rx, Some(task)), move |(mut rx, task)| {
        let urls = urls.clone();
        let proxy_host = proxy_host.clone();
        async move {
            if let Some((target, stage)) = rx.recv().await {
                // `stage` is the report's (English) stage; `text` its detail in the page's
                // language, for the live view.
                let line = serde_json::json!({
                    "event": "stage",
                    "target": target,
                    "url": urls.get(target),
                    "stage": stage,
                    "text": stage.detail_in(lang),
                    // Ran with nothing to do: the page marks it neither passed nor failed.
                    "skipped": stage.ok && skipped(stage.name, &proxy_host),
                });
                return Some((
                    Ok::<_, Infallible>(Bytes::from(format!("{line}\n"))),
                    (rx, task),
                ));
            }
            let line = task?.await?;
            Some((Ok(Bytes::from(line)), (rx, None)))
        }
    });
    (
        [
            (header::CONTENT_TYPE, STREAM),
            (header::CACHE_CONTROL, "no-store"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        Body::from_stream(lines),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_result_that_cannot_be_shown_is_said_in_the_pages_language_only() {
        let en = render_failed(Lang::En);
        let zh = render_failed(Lang::ZhCn);
        assert_eq!(
            en,
            "<p class=\"error\">The result could not be shown; see the server log.</p>"
        );
        let zh_words = locale::message(Lang::ZhCn, "web-probe-result-not-shown", &[]);
        assert_eq!(zh, format!("<p class=\"error\">{zh_words}</p>"));
        assert!(!zh.contains("server log"), "{zh}");
        assert!(!en.contains(&zh_words), "{en}");
    }
}
