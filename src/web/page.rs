//! The Management Interfaces page: render it, and save its Proxy section (Post/Redirect/Get).

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::PAGE;
use super::extract::{Actor, Cookies, PostedForm, form_error};
use super::flash::{self, Flash, TestRef};
use super::form_body::FormBody;
use super::layout::BasePage;
use super::probe_view::{TestView, Tested};
use super::proxy_save::{Pretest, SaveResult, pretest, save_proxy, wants_test};
use crate::auth::sessions::Session;
use crate::error::AppError;
use crate::host::Diagnostics;
use crate::locale::{self, Arg};
use crate::locale::{Lang, Text, Texts};
use crate::probe::diagnosis::stored_summary;
use crate::probe::text::timestamp;
use crate::settings::ProxyConfig;
use crate::settings::form::{FieldError, FieldErrors, ProxyForm};
use crate::settings::store::{Revision, Store};
use crate::settings::targets::targets_text;
use crate::settings::trusted_ca::{MAX_CAS, TrustedCa};
use crate::signed_in::{Current, Recent};
use crate::state::AppState;
use crate::tester::TestResult;
use crate::tests_log::{self, Brief, TestedValues};

#[derive(Template)]
#[template(path = "management_interfaces.html")]
pub struct PageTemplate {
    pub t: &'static Texts,
    /// The window's title (said once per language).
    pub title: &'static str,
    pub base: BasePage,
    pub flash: Option<String>,
    /// Interfaces, Routes, Shared Settings and ICMPv6, drawn from the host's facts
    /// (crate::web::host_sections).
    pub host_sections: Arc<str>,
    pub notice: Option<String>,
    pub errors: FieldErrors,
    /// The errors refused a test, not a save: the summary says "Not tested".
    pub test_refused: bool,
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
    /// The live view's words (templates: the probe panel's `data-` attributes).
    pub live_words: &'static [(String, String)],
    pub save_anyway: Option<SaveAnyway>,
    /// The top bar's search: the left list shows the configuration pages that hold it.
    pub search: String,
    /// The target tested when the settings name none: the targets field's placeholder.
    pub default_target: String,
    /// The saved Trusted CAs, each with a Remove box.
    pub trusted_ca: Vec<TrustedCa>,
}

/// What the page says the same way on every load in a language, said once: Fluent on
/// every page load cost more than the template around it.
struct Constant {
    /// The window's title.
    title: String,
    /// The live view's words that are not on the page: attribute name (after `data-`) and
    /// text.
    live_words: Vec<(String, String)>,
}

fn constant(lang: Lang) -> &'static Constant {
    static EN: std::sync::OnceLock<Constant> = std::sync::OnceLock::new();
    static ZH_CN: std::sync::OnceLock<Constant> = std::sync::OnceLock::new();
    let once = match lang {
        Lang::En => &EN,
        Lang::ZhCn => &ZH_CN,
    };
    once.get_or_init(|| Constant {
        title: lang.texts().title(lang.texts().management_interfaces),
        live_words: say_live_words(lang),
    })
}

fn live_words(lang: Lang) -> &'static [(String, String)] {
    &constant(lang).live_words
}

/// The rendered page is about 18 KB: room for it at once, not grown by doubling as the
/// template writes (each step a copy of what was written).
const PAGE_CAPACITY: usize = 32 * 1024;

fn say_live_words(lang: Lang) -> Vec<(String, String)> {
    let say = |id: &str| locale::message(lang, id, &[]);
    let mut words: Vec<(String, String)> = [
        ("cancel", "result-cancel"),
        ("cancelled", "result-cancelled"),
        ("skipped", "result-skipped"),
    ]
    .iter()
    .map(|(name, id)| ((*name).to_owned(), say(id)))
    .collect();
    for name in crate::probe::report::StageName::ALL {
        let stage = name.as_str();
        let id = format!("result-doing-{}", stage.replace('_', "-"));
        words.push((format!("doing-{stage}"), say(&id)));
    }
    words
}

/// The Diagnostics panel's parts a test changes (the last test, the netstat lines): the
/// page includes this fragment, and the live view sends it alone when a test ends, so both
/// show them with the same code.
#[derive(Template)]
#[template(path = "diagnostics_live.html")]
pub struct DiagnosticsLive {
    pub t: &'static Texts,
    /// The newest test of the history (whoever ran it, in this process or another, before
    /// a restart or after), said in the page's language.
    pub last: Option<RecentTest>,
    /// Which of several targets decided the last test's verdict; empty for one target.
    pub last_targets: String,
    pub diag: Arc<Diagnostics>,
    /// The test history's newest [`RECENT`] tests.
    pub recent: Vec<RecentTest>,
}

/// Tests the page lists under Recent tests.
pub const RECENT: i64 = tests_log::RECENT;

/// One row of Recent tests, ready to show.
#[derive(Clone)]
pub struct RecentTest {
    pub at: String,
    pub actor: String,
    /// `host:port`, or the host alone when no port was tested.
    pub proxy: String,
    pub ok: bool,
    pub code: String,
    pub summary: String,
    pub curl: String,
}

impl RecentTest {
    fn new(test: &Brief, lang: Lang) -> Self {
        let host = test.host.clone().unwrap_or_default();
        let proxy = match test.port {
            Some(port) => format!("{host}:{port}"),
            None => host,
        };
        RecentTest {
            at: timestamp(&test.at),
            actor: test.actor.clone(),
            proxy,
            ok: test.ok,
            code: test.code.clone(),
            // The stored English is the English page's; other languages are said again
            // from the facts (older tests have none and keep their English).
            summary: match (lang, &test.facts) {
                (Lang::En, _) | (_, None) => None,
                (lang, Some(facts)) => stored_summary(lang, &test.code, facts),
            }
            .unwrap_or_else(|| test.summary.clone()),
            curl: test.curl.clone(),
        }
    }
}

/// The newest tests of the history, on a kept connection, for a page drawn after a save or
/// a test (a plain page load has them from its signed-in statement, crate::signed_in);
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
    pub fn new(lang: Lang, diag: Arc<Diagnostics>, briefs: &[Brief]) -> Self {
        let recent: Vec<RecentTest> = briefs.iter().map(|r| RecentTest::new(r, lang)).collect();
        DiagnosticsLive {
            t: lang.texts(),
            last_targets: briefs
                .first()
                .filter(|b| b.targets > 1)
                .map(|b| {
                    let count = ("count", b.targets.to_string());
                    let url = ("url", b.url.clone());
                    locale::message(lang, "targets-last-worst", &[count, url])
                })
                .unwrap_or_default(),
            last: recent.first().cloned(),
            diag,
            recent,
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
    /// The error summary's heading: what the errors stopped.
    fn errors_heading(&self) -> String {
        let count = self.errors.0.len();
        if self.test_refused {
            let fields = ("fields", u64::try_from(count).unwrap_or(u64::MAX));
            locale::counted(self.t.lang, "result-not-tested-heading", &[], fields)
        } else {
            self.t.not_saved_heading(count)
        }
    }

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

    /// The Remove box of `ca` was ticked on the form shown again.
    fn ca_removed(&self, ca: &TrustedCa) -> bool {
        self.form.ca_remove.iter().any(|f| f == ca.fingerprint())
    }

    /// `ca` has expired: a probe cannot use it; the page says so beside it.
    fn ca_expired(&self, ca: &TrustedCa) -> bool {
        ca.expired_at(crate::settings::trusted_ca::now())
    }

    fn yes_no(&self, on: &bool) -> &'static str {
        self.t.yes_no(*on)
    }

    /// Whether the left list shows `page`: every page, or those the search names.
    fn listed(&self, page: &str) -> bool {
        matches_search(page, &self.search)
    }
}

/// A configuration page's name matches the search when it holds every typed word, in any
/// case; an empty search matches every page.
pub fn matches_search(page: &str, search: &str) -> bool {
    if search.trim().is_empty() {
        return true;
    }
    let page = page.to_lowercase();
    search
        .split_whitespace()
        .all(|word| page.contains(&word.to_lowercase()))
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
        ..ProxyForm::default()
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
    /// The errors refused a test (not a save).
    pub test_refused: bool,
    pub flash: Option<String>,
    pub notice: Option<Text>,
    pub stale: Option<Revision>,
    pub probe: Option<TestView>,
    pub test_first: bool,
    pub save_anyway: Option<SaveAnyway>,
    /// The top bar's search (`?q=`), trimmed.
    pub search: String,
    /// Recent tests already read (with the session, for the page); else read here.
    pub recent: Option<Vec<Brief>>,
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
    let recent = match extras.recent {
        Some(recent) => recent,
        None => recent_tests(state).await,
    };
    let page = PageTemplate {
        t: lang.texts(),
        title: &constant(lang).title,
        base: BasePage::new(session, PAGE),
        flash: extras.flash,
        host_sections: super::host_sections::html(lang, &state.host.facts().await)?,
        notice: extras.notice.map(|n| n.get(lang).to_owned()),
        errors: extras.errors,
        test_refused: extras.test_refused,
        stale: extras.stale,
        probe: extras.probe,
        form,
        revision: ctx.revision,
        password_set: ctx.config.password.is_some(),
        conf_path: state.store.conf_path().display().to_string(),
        live: DiagnosticsLive::new(lang, diag.clone(), &recent),
        diag,
        test_first: extras.test_first,
        live_words: live_words(lang),
        save_anyway: extras.save_anyway,
        search: extras.search,
        default_target: state.tester.default_target().to_string(),
        trusted_ca: ctx.config.trusted_ca.clone(),
    };
    let mut html = String::with_capacity(PAGE_CAPACITY);
    page.render_into(&mut html)?;
    Ok(Html(html))
}

/// The page's query: the top bar's search, and the test to show, if any.
#[derive(Debug, Default, serde::Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    /// `?test=<id>` after a test without JavaScript, `?test=refused` when the field checks
    /// refused it (crate::web::probe_test).
    #[serde(default)]
    test: String,
}

/// What a test probed beside the saved settings `stored`: the values of the history and
/// each report's target.
pub fn tested(
    state: &AppState,
    values: TestedValues,
    result: &TestResult,
    stored: &ProxyConfig,
) -> Tested {
    let saved_urls = match stored.targets.as_slice() {
        [] => vec![state.tester.default_target().to_string()],
        targets => targets.iter().map(|t| t.url.to_string()).collect(),
    };
    Tested {
        values,
        urls: result.reports.iter().map(|r| r.url.clone()).collect(),
        saved: TestedValues::of(stored, stored.enabled),
        saved_urls,
    }
}

/// The test `id` with the values it tested: kept whole in memory while recent, else read
/// back from the history (whose reports say their stages in English only); none if unknown.
async fn shown_test(state: &AppState, id: i64) -> Option<(TestedValues, TestResult)> {
    if let Some(kept) = state.tester.kept(id) {
        return Some((kept.values, kept.result));
    }
    let record = tests_log::get(state.store.pool(), id)
        .await
        .inspect_err(|e| tracing::error!(error = %e, id, "could not read a test from the history"))
        .ok()??;
    let result = TestResult::of(record.reports)?;
    Some((record.values, result))
}

/// The page's form and what it adds for `?test=`: the tested values (when the cookie
/// still carries them) with the test's result, or with why the field checks refused it.
async fn with_test(
    state: &AppState,
    lang: Lang,
    cookies: &Cookies,
    ctx: &PageContext,
    test: TestRef,
    extras: Extras,
) -> (ProxyForm, Extras) {
    let carried = flash::tested_form(cookies, test);
    let saved = || form_from_config(&ctx.config);
    match test {
        TestRef::Refused => {
            let Some(form) = carried else {
                return (saved(), extras);
            };
            let errors = super::probe_test::tested_config(state, &form, &ctx.config)
                .err()
                .unwrap_or_default();
            let extras = Extras {
                test_refused: true,
                errors,
                ..extras
            };
            (form, extras)
        }
        TestRef::Id(id) => {
            let Some((values, result)) = shown_test(state, id).await else {
                return (carried.unwrap_or_else(saved), extras);
            };
            let tested = tested(state, values, &result, &ctx.config);
            let probe = TestView::new(result, lang.texts()).with_tested(&tested, lang);
            let extras = Extras {
                probe: Some(probe),
                ..extras
            };
            (carried.unwrap_or_else(saved), extras)
        }
    }
}

#[tracing::instrument(skip_all)]
pub async fn show(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Extension(Current(current)): Extension<Current>,
    recent: Option<Extension<Recent>>,
    lang: Lang,
    cookies: Cookies,
    Query(query): Query<SearchQuery>,
) -> Result<Response, AppError> {
    // Read with the session, in the same statement (crate::signed_in).
    let ctx = PageContext::of(current);
    let flash = Flash::from_cookies(&cookies).map(|f| f.message().get(lang).to_owned());
    let extras = Extras {
        flash: flash.clone(),
        search: query.q.trim().to_owned(),
        recent: recent.map(|Extension(Recent(briefs))| briefs),
        ..Extras::default()
    };
    let (form, extras) = match TestRef::decode(&query.test) {
        Some(test) => with_test(&state, lang, &cookies, &ctx, test, extras).await,
        None => (form_from_config(&ctx.config), extras),
    };
    let html = render_page(lang, &session, &state, &ctx, form, extras).await?;
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
        ca_pem: fields.text("ca_pem"),
        ca_remove: ca_removals(fields),
        ca_replace: false,
    })
}

/// The fingerprints of the ticked Remove boxes: `ca_remove_<i>`, one per saved CA (a form
/// field may come only once, so each box has its own name; the value names the CA, so a
/// list changed meanwhile cannot remove the wrong one).
fn ca_removals(fields: &FormBody) -> Vec<String> {
    (0..MAX_CAS)
        .map(|i| fields.text(&format!("ca_remove_{i}")))
        .filter(|f| !f.is_empty())
        .collect()
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
    Extension(Current(current)): Extension<Current>,
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
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return answer(&state, &actor, lang, form, status, extras).await;
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
    let result = save_proxy(&state, &actor, &form, base, None, current).await?;
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
    fn a_listed_test_is_said_in_the_readers_language_from_its_facts() {
        let facts = crate::probe::diagnosis::Facts {
            proxy: "10.0.0.1:3128".into(),
            target: "tools.cisco.com:443".into(),
            status_line: Some("HTTP/1.1 403 Forbidden".into()),
            status: Some(403),
            ..Default::default()
        };
        let english = crate::probe::diagnosis::texts(
            Lang::En,
            crate::probe::diagnosis::DiagnosisCode::ProxyDenied,
            &facts,
        )
        .0;
        let mut brief = Brief {
            at: "2026-11-29T18:00:00Z".into(),
            actor: "admin".into(),
            host: Some("10.0.0.1".into()),
            port: Some(3128),
            ok: false,
            code: "proxy_denied".into(),
            summary: english.clone(),
            facts: Some(serde_json::to_string(&facts).unwrap()),
            url: "https://tools.cisco.com/".into(),
            curl: "curl -x http://10.0.0.1:3128 -I https://tools.cisco.com/".into(),
            targets: 1,
        };
        assert_eq!(RecentTest::new(&brief, Lang::En).summary, english);
        let chinese = RecentTest::new(&brief, Lang::ZhCn).summary;
        assert_ne!(chinese, english, "said again in Chinese");
        assert!(chinese.contains("tools.cisco.com:443"), "{chinese}");
        brief.facts = None;
        assert_eq!(
            RecentTest::new(&brief, Lang::ZhCn).summary,
            english,
            "a test stored without facts keeps its English"
        );
    }

    #[test]
    fn the_last_test_is_the_newest_in_the_history_whoever_ran_it() {
        let brief = |actor: &str, code: &str, targets: i64| Brief {
            at: "2026-11-29T18:00:00Z".into(),
            actor: actor.into(),
            host: Some("10.0.0.1".into()),
            port: Some(3128),
            ok: code == "ok",
            code: code.into(),
            summary: format!("{code} said"),
            facts: None,
            url: "https://b.example/".into(),
            curl: format!("curl -x http://10.0.0.1:3128 -I https://{actor}.example/"),
            targets,
        };
        let html = DiagnosticsLive::new(
            Lang::En,
            diag(Vec::new()),
            &[
                brief("schedule", "proxy_denied", 3),
                brief("admin", "ok", 1),
            ],
        )
        .render()
        .unwrap();
        let last = html.split("id=\"last-test\">").nth(1).unwrap();
        let last = &last[..last.find("</pre>").unwrap()];
        assert!(
            last.contains("schedule") && last.contains("<strong>proxy_denied</strong>"),
            "{last}"
        );
        assert!(last.contains("proxy_denied said"), "{last}");
        assert!(
            last.contains("https://b.example/"),
            "the deciding target: {last}"
        );
        assert!(last.contains("$ curl -x http://10.0.0.1:3128 -I https://schedule.example/"));
        let none = DiagnosticsLive::new(Lang::En, diag(Vec::new()), &[])
            .render()
            .unwrap();
        assert!(none.contains(&locale::message(Lang::En, "page-no-test-yet", &[])));
    }

    #[test]
    fn the_panels_live_part_says_no_test_and_no_connection_in_the_pages_language() {
        let html = DiagnosticsLive::new(Lang::ZhCn, diag(Vec::new()), &[])
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
    fn recent_tests_are_timed_to_the_second() {
        let brief = Brief {
            at: "2026-11-29T17:46:14.123456789Z".into(),
            actor: "admin".into(),
            host: Some("10.0.0.1".into()),
            port: Some(3128),
            ok: true,
            code: "ok".into(),
            summary: "fine".into(),
            facts: None,
            url: "https://tools.cisco.com/".into(),
            curl: "curl".into(),
            targets: 1,
        };
        let html = DiagnosticsLive::new(Lang::En, diag(Vec::new()), &[brief])
            .render()
            .unwrap();
        assert!(html.contains("<td>2026-11-29 17:46:14 UTC</td>"), "{html}");
        let last = html.split("id=\"last-test\">").nth(1).unwrap();
        assert!(
            last.starts_with("2026-11-29 17:46:14 UTC") || last.contains("2026-11-29 17:46:14 UTC")
        );
        assert!(!html.contains(".123456789"), "{html}");
    }

    #[test]
    fn the_panels_live_part_lists_each_connection_as_netstat_does() {
        let conn = TcpConn {
            local: "10.0.0.5:40000".to_owned(),
            remote: "192.0.2.7:3128".to_owned(),
            state: "TIME_WAIT",
        };
        let html = DiagnosticsLive::new(Lang::En, diag(vec![conn]), &[])
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
    /// The page on a fixture host (tests/fixtures/host): every read-only section as FMC
    /// lays it out, in the page's language.
    fn page_on_fixture_host(lang: Lang, search: &str) -> String {
        let root = tempfile::tempdir().unwrap();
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/host");
        let put = |path: &str, text: &str| {
            let path = root.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        for (path, fixture) in [
            ("proc/sys/kernel/hostname", "hostname"),
            ("proc/net/fib_trie", "fib_trie"),
            ("proc/net/route", "route"),
            ("proc/net/if_inet6", "if_inet6"),
            ("proc/net/ipv6_route", "ipv6_route"),
            ("etc/resolv.conf", "resolv.conf"),
        ] {
            put(
                path,
                &std::fs::read_to_string(fixtures.join(fixture)).unwrap(),
            );
        }
        put("proc/sys/net/ipv6/icmp/echo_ignore_all", "1\n");
        put("proc/sys/net/ipv6/icmp/ratelimit", "1000\n");
        put("proc/sys/net/ipv6/icmp/ratemask", "0-1,3-127\n");
        put("sys/class/net/eth0/address", "52:54:00:12:34:56\n");
        put("sys/class/net/eth0/device/uevent", "");
        put("sys/class/net/lo/address", "00:00:00:00:00:00\n");
        let page = PageTemplate {
            t: lang.texts(),
            title: &constant(lang).title,
            base: BasePage {
                user: "admin".into(),
                csrf_token: "t".into(),
                language: "auto",
                back: PAGE,
            },
            flash: None,
            host_sections: crate::web::host_sections::html(
                lang,
                &Arc::new(crate::host::HostFacts::read_at(root.path())),
            )
            .unwrap(),
            notice: None,
            errors: FieldErrors::default(),
            test_refused: false,
            stale: None,
            probe: None,
            form: ProxyForm::default(),
            revision: 0,
            password_set: false,
            conf_path: "/etc/sf/iprep_proxy.conf".into(),
            diag: diag(Vec::new()),
            live: DiagnosticsLive::new(lang, diag(Vec::new()), &[]),
            test_first: false,
            live_words: live_words(lang),
            save_anyway: None,
            search: search.into(),
            default_target: "https://tools.cisco.com/".into(),
            trusted_ca: Vec::new(),
        };
        page.render().unwrap()
    }

    #[test]
    fn the_window_title_names_the_page_in_each_language() {
        assert_eq!(
            Lang::En.texts().management_interfaces,
            "Management Interfaces"
        );
        for lang in Lang::ALL {
            let page = lang.texts().management_interfaces;
            let html = page_on_fixture_host(lang, "");
            let title = html
                .split_once("<title>")
                .and_then(|(_, rest)| rest.split_once("</title>"))
                .map(|(title, _)| title.to_owned())
                .unwrap();
            assert!(title.contains(page), "{title}");
            assert!(title.contains("Firewall Management Center"), "{title}");
        }
    }

    #[test]
    fn the_read_only_sections_show_the_fixture_host_as_fmc_does() {
        let html = page_on_fixture_host(Lang::En, "");
        for needle in [
            "<th scope=\"col\">Interface</th><th scope=\"col\">Channels</th><th scope=\"col\">MAC Address</th><th scope=\"col\">IP Address</th>",
            "<tr><td>eth0</td>",
            "Management Traffic",
            "Event Traffic",
            "<td>52:54:00:12:34:56</td><td>192.0.2.2/24<br>2001:db8:10::5/64<br>fd00::2/64</td>",
            ">IPv4 Routes</h3>",
            "<th scope=\"col\">Destination</th><th scope=\"col\">Netmask</th><th scope=\"col\">Interface</th><th scope=\"col\">Gateway</th>",
            "<tr><td>0.0.0.0</td><td>0.0.0.0</td><td>eth0</td><td>192.0.2.1</td></tr>",
            "<tr><td>203.0.113.0</td><td>255.255.255.0</td><td>eth1</td><td></td></tr>",
            ">IPv6 Routes</h3>",
            "<th scope=\"col\">Destination</th><th scope=\"col\">Prefix Length</th><th scope=\"col\">Interface</th><th scope=\"col\">Gateway</th>",
            "<tr><td>::</td><td>0</td><td>eth0</td><td>fd00::1</td></tr>",
            "<dt>Hostname</dt><dd id=\"hostname\">fmc-lab-01</dd>",
            "<dd id=\"domains\">corp.example,lab.example</dd>",
            "<dt>Primary DNS Server</dt><dd id=\"dns-primary\">10.0.0.2</dd>",
            "<dt>Secondary DNS Server</dt><dd id=\"dns-secondary\">2001:db8::53</dd>",
            "<dt>Tertiary DNS Server</dt><dd id=\"dns-tertiary\">10.0.0.3</dd>",
            "<dt>Remote Management Port</dt><dd id=\"remote-management-port\">8305</dd>",
            "Enable Echo Reply Packets",
            "net.ipv6.icmp.echo_ignore_all = 1",
            "net.ipv6.icmp.ratelimit = 1000 ms",
        ] {
            assert!(html.contains(needle), "lacks {needle:?}");
        }
        assert!(
            !html.contains("<td>lo</td>"),
            "lo is not a management interface"
        );
        assert!(!html.contains("ff00::"), "no multicast route");
        assert!(
            html.contains("id=\"icmpv6-echo\" disabled aria-describedby"),
            "echo_ignore_all = 1: Echo Reply is not ticked"
        );
        assert!(html.contains("id=\"icmpv6-unreachable\" disabled checked"));
        let foot = html.find("id=\"page-foot\"").unwrap();
        assert!(
            html.find("id=\"diagnostics-h\"").unwrap() < foot,
            "Save and Cancel end the page"
        );
        assert!(
            html[foot..]
                .contains("form=\"proxy-form\" class=\"primary\" id=\"save\">Save</button>")
        );
        assert!(html[foot..].contains(
            "id=\"cancel\" href=\"/system/configuration/management-interfaces\">Cancel</a>"
        ));
    }

    #[test]
    fn the_sections_speak_chinese_too() {
        let html = page_on_fixture_host(Lang::ZhCn, "");
        for id in [
            "page-ipv6-routes",
            "page-prefix-length",
            "page-tertiary-dns-server",
            "page-channels",
            "page-cancel",
        ] {
            let said = locale::message(Lang::ZhCn, id, &[]);
            assert!(html.contains(&said), "{id}: {said}");
        }
    }

    #[test]
    fn the_search_filters_the_left_list_and_keeps_the_current_page() {
        let html = page_on_fixture_host(Lang::En, "audit");
        assert!(html.contains("<span class=\"inactive\">Audit Log</span>"));
        assert!(html.contains("<span class=\"inactive\">Audit Log Certificate</span>"));
        assert!(!html.contains(">Access List<"), "filtered out");
        assert!(
            html.contains("aria-current=\"page\""),
            "the current page stays"
        );
        assert!(html.contains("value=\"audit\""), "the box keeps the search");
        assert!(matches_search("Audit Log Certificate", "log  CERT"));
        assert!(!matches_search("Audit Log", "log cert"));
        assert!(matches_search("Time", ""));
    }
}
