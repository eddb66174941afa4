//! The Management Interfaces page: render it, and save its Proxy section (Post/Redirect/Get).

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::PAGE;
use super::extract::{Actor, Cookies, PostedForm, form_error};
use super::flash::{self, Flash};
use super::form_body::FormBody;
use super::layout::BasePage;
use super::probe_view::TestView;
use super::proxy_save::{Pretest, SaveResult, pretest, save_proxy, wants_test};
use crate::auth::sessions::Session;
use crate::error::AppError;
use crate::host::{Diagnostics, HostFacts};
use crate::locale::{self, Arg};
use crate::locale::{Lang, Text, Texts};
use crate::settings::ProxyConfig;
use crate::settings::form::{FieldError, FieldErrors, ProxyForm};
use crate::settings::store::{Revision, Store};
use crate::settings::targets::targets_text;
use crate::signed_in::Current;
use crate::state::AppState;
use crate::tester::LastResult;
use crate::tests_log::{self, Brief};

#[derive(Template)]
#[template(path = "management_interfaces.html")]
pub struct PageTemplate {
    pub t: &'static Texts,
    pub base: BasePage,
    pub flash: Option<String>,
    pub host: std::sync::Arc<HostFacts>,
    pub notice: Option<String>,
    pub errors: FieldErrors,
    pub stale: Option<Revision>,
    pub probe: Option<TestView>,
    pub form: ProxyForm,
    pub revision: i64,
    pub password_set: bool,
    pub conf_path: String,
    pub diag: Arc<Diagnostics>,
    /// The last test and the netstat lines (templates/diagnostics_live.html).
    pub live: DiagnosticsLive,
    /// *Test before saving* stays as the admin left it.
    pub test_first: bool,
    pub save_anyway: Option<SaveAnyway>,
    /// The target tested when the settings name none: the targets field's placeholder.
    pub default_target: String,
}

/// The Diagnostics panel's parts a test changes (the last test, the netstat lines): the
/// page includes this fragment, and the live view sends it alone when a test ends, so both
/// show them with the same code.
#[derive(Template)]
#[template(path = "diagnostics_live.html")]
pub struct DiagnosticsLive {
    pub t: &'static Texts,
    pub last: Option<LastResult>,
    /// The last test's summary in the page's language.
    pub last_summary: String,
    /// Which of several targets decided the last test's verdict; empty for one target.
    pub last_targets: String,
    pub diag: Arc<Diagnostics>,
    /// The test history's newest [`RECENT`] tests.
    pub recent: Vec<RecentTest>,
}

/// Tests the page lists under Recent tests.
pub const RECENT: i64 = 20;

/// One row of Recent tests, ready to show.
pub struct RecentTest {
    pub at: String,
    pub actor: String,
    /// `host:port`, or the host alone when no port was tested.
    pub proxy: String,
    pub ok: bool,
    pub code: String,
    pub summary: String,
}

impl RecentTest {
    fn new(test: &Brief) -> Self {
        let host = test.host.clone().unwrap_or_default();
        let proxy = match test.port {
            Some(port) => format!("{host}:{port}"),
            None => host,
        };
        RecentTest {
            at: test.at.clone(),
            actor: test.actor.clone(),
            proxy,
            ok: test.ok,
            code: test.code.clone(),
            summary: test.summary.clone(),
        }
    }
}

/// The newest tests of the history, on a kept connection (one trip, every page load);
/// none (and a log line) if they cannot be read, so the page still shows.
pub async fn recent_tests(state: &AppState) -> Vec<Brief> {
    let read = async {
        let mut reader = state.store.readers().get().await?;
        tests_log::recent(&mut *reader, RECENT).await
    };
    read.await.unwrap_or_else(|e: sqlx::Error| {
        tracing::error!(error = %e, "could not read the test history");
        Vec::new()
    })
}

impl DiagnosticsLive {
    pub fn new(
        lang: Lang,
        last: Option<LastResult>,
        diag: Arc<Diagnostics>,
        recent: &[Brief],
    ) -> Self {
        DiagnosticsLive {
            t: lang.texts(),
            last_summary: last
                .as_ref()
                .map(|l| l.report.diagnosis.summary_in(lang))
                .unwrap_or_default(),
            last_targets: last
                .as_ref()
                .filter(|l| l.targets > 1)
                .map(|l| {
                    let count = ("count", l.targets.to_string());
                    let url = ("url", l.report.url.clone());
                    locale::message(lang, "targets-last-worst", &[count, url])
                })
                .unwrap_or_default(),
            last,
            diag,
            recent: recent.iter().map(RecentTest::new).collect(),
        }
    }
}

/// *Save anyway*, offered when the test before saving failed: a form that posts the same
/// values again with `force=on`. The password is never sent back to the browser, so a
/// typed one must be typed again (`password_typed` makes the server insist); a blank one
/// keeps the stored password, by the usual rule.
pub struct SaveAnyway {
    /// The revision the refused save was based on, so a save in between is still a 409.
    pub base: i64,
    pub password_typed: bool,
}

/// The Diagnostics panel, kept for five seconds per revision: a save (a new revision) is
/// seen at once, a hand edit of the file or a new connection within five seconds. Reading
/// /proc/net/tcp walks the kernel's whole socket table (11 ms on the 2-core test VM, with
/// three sockets open) and slows every request meanwhile; read once a second, it put the
/// page's p99 at one connection at 4 ms.
async fn diagnostics(state: &AppState, ctx: &PageContext) -> Arc<Diagnostics> {
    state
        .diagnostics
        .get_or_read(ctx.revision, || read_diagnostics(state, &ctx.config))
        .await
}

/// The Diagnostics panel for the stored `config`, read now (the file and /proc/net/tcp on
/// the blocking pool). Pages go through the cache; a finished test reads afresh, once, so
/// its answer shows the connections as they are after it.
pub async fn read_diagnostics(state: &AppState, config: &ProxyConfig) -> Diagnostics {
    let conf_path = state.store.conf_path().to_owned();
    // Never through a link: what a link points to is not ours to show.
    let read_conf = move || crate::settings::conf_file::read_for_display(&conf_path);
    let host = config.host.as_ref().map(|h| h.to_string());
    let proxy = host.zip(config.port.map(|p| p.get()));
    Diagnostics::read(read_conf, proxy).await
}

impl PageTemplate {
    fn err(&self, id: &str) -> Option<String> {
        self.errors
            .0
            .iter()
            .find(|(f, _)| f.id() == id)
            .map(|(_, e)| e.message(self.t.lang))
    }

    /// A refusal in the page's language.
    fn said(&self, error: &FieldError) -> String {
        error.message(self.t.lang)
    }

    /// `config`'s targets as the textarea shows them.
    fn targets_of(&self, config: &ProxyConfig) -> String {
        targets_text(&config.targets)
    }

    fn yes_no(&self, on: &bool) -> &'static str {
        self.t.yes_no(*on)
    }
}

/// What the page shows besides the form: gathered fresh on every render.
pub struct PageContext {
    pub revision: i64,
    pub config: ProxyConfig,
}

impl PageContext {
    pub async fn load(store: &Store) -> Result<Self, AppError> {
        Ok(PageContext::of(store.current().await?))
    }

    /// The context of `current`, the newest revision (none yet: revision 0, nothing set).
    pub fn of(current: Option<Revision>) -> Self {
        PageContext {
            revision: current.as_ref().map_or(0, |r| r.id),
            config: current.map(|r| r.config).unwrap_or_default(),
        }
    }
}

/// The form as the stored configuration fills it (passwords always blank).
pub fn form_from_config(config: &ProxyConfig) -> ProxyForm {
    ProxyForm {
        enabled: config.enabled,
        host: text(config.host.as_ref()),
        port: text(config.port.as_ref()),
        use_auth: config.use_auth,
        username: text(config.username.as_ref().map(|u| u.as_str())),
        password: String::new(),
        confirm_password: String::new(),
        targets: targets_text(&config.targets),
    }
}

/// A stored value as the form shows it; blank when unset.
fn text(value: Option<&(impl std::fmt::Display + ?Sized)>) -> String {
    value.map(ToString::to_string).unwrap_or_default()
}

/// What a render adds to the form besides its values.
#[derive(Default)]
pub struct Extras {
    pub errors: FieldErrors,
    pub flash: Option<String>,
    pub notice: Option<Text>,
    pub stale: Option<Revision>,
    pub probe: Option<TestView>,
    pub test_first: bool,
    pub save_anyway: Option<SaveAnyway>,
}

pub async fn render_page(
    lang: Lang,
    session: &Session,
    state: &AppState,
    ctx: &PageContext,
    mut form: ProxyForm,
    extras: Extras,
) -> Result<Html<String>, AppError> {
    form.password.clear();
    form.confirm_password.clear();
    let diag = diagnostics(state, ctx).await;
    let page = PageTemplate {
        t: lang.texts(),
        base: BasePage::new(session, PAGE),
        flash: extras.flash,
        host: state.host.facts().await,
        notice: extras.notice.map(|n| n.get(lang).to_owned()),
        errors: extras.errors,
        stale: extras.stale,
        probe: extras.probe,
        form,
        revision: ctx.revision,
        password_set: ctx.config.password.is_some(),
        conf_path: state.store.conf_path().display().to_string(),
        live: DiagnosticsLive::new(
            lang,
            state.tester.last(),
            diag.clone(),
            &recent_tests(state).await,
        ),
        diag,
        test_first: extras.test_first,
        save_anyway: extras.save_anyway,
        default_target: state.tester.default_target().to_string(),
    };
    Ok(Html(page.render()?))
}

#[tracing::instrument(skip_all)]
pub async fn show(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Extension(Current(current)): Extension<Current>,
    lang: Lang,
    cookies: Cookies,
) -> Result<Response, AppError> {
    // Read with the session, in the same statement (crate::signed_in).
    let ctx = PageContext::of(current);
    let flash = Flash::from_cookies(&cookies).map(|f| f.message().get(lang).to_owned());
    let extras = Extras {
        flash: flash.clone(),
        ..Extras::default()
    };
    let html = render_page(
        lang,
        &session,
        &state,
        &ctx,
        form_from_config(&ctx.config),
        extras,
    )
    .await?;
    let mut response = html.into_response();
    if flash.is_some() {
        flash::clear(response.headers_mut());
    }
    Ok(response)
}

/// The Proxy fields of a posted form; passwords may be absent (blank keeps the stored one).
pub fn proxy_form(fields: &FormBody) -> Result<ProxyForm, AppError> {
    let [host, port, username] = fields
        .require(["host", "port", "username"])
        .map_err(form_error)?;
    Ok(ProxyForm {
        enabled: fields.checkbox("enabled").map_err(form_error)?,
        host,
        port,
        use_auth: fields.checkbox("use_auth").map_err(form_error)?,
        username,
        password: fields.text("password"),
        confirm_password: fields.text("confirm_password"),
        targets: fields.text("targets"),
    })
}

/// What a *Test before saving* or *Save anyway* post asked for besides the values.
struct SaveOptions {
    test_first: bool,
    force: bool,
    password_typed: bool,
}

impl SaveOptions {
    fn of(fields: &FormBody) -> Result<Self, AppError> {
        Ok(SaveOptions {
            test_first: fields.checkbox("test_first").map_err(form_error)?,
            force: fields.checkbox("force").map_err(form_error)?,
            password_typed: fields.checkbox("password_typed").map_err(form_error)?,
        })
    }

    /// *Save anyway* after a test of a typed password, sent without it: saving would keep
    /// the stored password instead of the typed one, so it is refused.
    fn lost_password(&self, form: &ProxyForm) -> bool {
        self.force && self.password_typed && form.password.is_empty()
    }
}

#[tracing::instrument(skip_all)]
pub async fn save(
    State(state): State<AppState>,
    actor: Actor,
    lang: Lang,
    fields: PostedForm,
) -> Result<Response, AppError> {
    fields
        .require(["host", "port", "username", "revision"])
        .map_err(form_error)?;
    let form = proxy_form(&fields)?;
    let base = fields.number("revision").map_err(form_error)?;
    let options = SaveOptions::of(&fields)?;
    let anyway = |password_typed| {
        Some(SaveAnyway {
            base,
            password_typed,
        })
    };
    if options.lost_password(&form) {
        let extras = Extras {
            notice: Some(locale::text("web-save-anyway-retype", &[])),
            test_first: options.test_first,
            save_anyway: anyway(true),
            ..Extras::default()
        };
        return answer(
            &state,
            &actor,
            lang,
            form,
            StatusCode::UNPROCESSABLE_ENTITY,
            extras,
        )
        .await;
    }
    if wants_test(options.test_first, options.force, &form) {
        match pretest(&state, &actor, &form, base).await? {
            Pretest::Save => {}
            Pretest::Failed(report) => {
                let extras = Extras {
                    probe: Some(TestView::new(*report, lang.texts())),
                    test_first: true,
                    save_anyway: anyway(!form.password.is_empty()),
                    ..Extras::default()
                };
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                return answer(&state, &actor, lang, form, status, extras).await;
            }
            Pretest::Busy(busy) => {
                let extras = Extras {
                    notice: Some(busy.message()),
                    test_first: true,
                    ..Extras::default()
                };
                let status = StatusCode::TOO_MANY_REQUESTS;
                let mut response = answer(&state, &actor, lang, form, status, extras).await?;
                let retry = super::api::retry_after(state.tester.timeouts.total);
                response.headers_mut().insert(header::RETRY_AFTER, retry);
                return Ok(response);
            }
        }
    }
    let result = save_proxy(&state, &actor, &form, base, None).await?;
    let (status, extras) = match result {
        SaveResult::Saved(revision) => {
            let mut response = Redirect::to(PAGE).into_response();
            flash::set(response.headers_mut(), Flash::Saved(revision.id));
            return Ok(response);
        }
        SaveResult::Invalid(errors) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Extras {
                errors,
                ..Extras::default()
            },
        ),
        SaveResult::Stale(current) => (
            StatusCode::CONFLICT,
            Extras {
                stale: current,
                ..Extras::default()
            },
        ),
        SaveResult::NotWritten(why) => {
            let notice = locale::text("web-save-not-written", &[("why", Arg::each(&why))]);
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Extras {
                    notice: Some(notice),
                    ..Extras::default()
                },
            )
        }
    };
    let extras = Extras {
        test_first: options.test_first,
        ..extras
    };
    answer(&state, &actor, lang, form, status, extras).await
}

/// The page again, with `form`'s values and what the save found.
async fn answer(
    state: &AppState,
    actor: &Actor,
    lang: Lang,
    form: ProxyForm,
    status: StatusCode,
    extras: Extras,
) -> Result<Response, AppError> {
    let ctx = PageContext::load(&state.store).await?;
    let html = render_page(lang, &actor.session, state, &ctx, form, extras).await?;
    Ok((status, html).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::TcpConn;

    fn diag(connections: Vec<TcpConn>) -> Arc<Diagnostics> {
        Arc::new(Diagnostics {
            conf_text: Ok("proxy_password=s3cret\n".to_owned()),
            proxy_label: "proxy.example".to_owned(),
            connections,
        })
    }

    #[test]
    fn the_panels_live_part_says_no_test_and_no_connection_in_the_pages_language() {
        let html = DiagnosticsLive::new(Lang::ZhCn, None, diag(Vec::new()), &[])
            .render()
            .unwrap();
        assert!(html.starts_with("<div id=\"diagnostics-live\">"), "{html}");
        for id in ["page-last-test", "page-no-test-yet", "page-no-connections"] {
            let said = locale::message(Lang::ZhCn, id, &[]);
            assert!(html.contains(&said), "{id}: {html}");
        }
        assert!(html.contains("grep proxy.example"), "{html}");
        // The stream sends this fragment: the file's text, a password in it, is not part of it.
        assert!(!html.contains("s3cret"), "{html}");
    }

    #[test]
    fn the_panels_live_part_lists_each_connection_as_netstat_does() {
        let conn = TcpConn {
            local: "10.0.0.5:40000".to_owned(),
            remote: "192.0.2.7:3128".to_owned(),
            state: "TIME_WAIT",
        };
        let html = DiagnosticsLive::new(Lang::En, None, diag(vec![conn]), &[])
            .render()
            .unwrap();
        assert!(
            html.contains(
                "tcp        0      0 10.0.0.5:40000          192.0.2.7:3128          TIME_WAIT\n"
            ),
            "{html}"
        );
        assert!(!html.contains("no TCP connections"), "{html}");
    }
}
