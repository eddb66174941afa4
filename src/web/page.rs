//! The Management Interfaces page: render it, and save its Proxy section (Post/Redirect/Get).

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
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
use crate::settings::trusted_ca::{MAX_CAS, TrustedCa};
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
    /// The top bar's search: the left list shows the configuration pages that hold it.
    pub search: String,
    pub remote_management_port: u16,
    /// The target tested when the settings name none: the targets field's placeholder.
    pub default_target: String,
    /// The saved Trusted CAs, each with a Remove box.
    pub trusted_ca: Vec<TrustedCa>,
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

    fn echo_reply(&self) -> bool {
        self.host.icmpv6.as_ref().is_some_and(|i| i.echo_reply)
    }

    /// Where *Enable Echo Reply Packets* comes from, with the setting's value.
    fn echo_source(&self) -> String {
        match &self.host.icmpv6 {
            Some(i) => locale::message(
                self.t.lang,
                "page-icmpv6-echo-source",
                &[("value", i.echo_ignore_all.clone())],
            ),
            None => self.t.icmpv6_off.to_owned(),
        }
    }

    /// Why *Enable Destination Unreachable Packets* is what it is (no kernel switch).
    fn unreachable_source(&self) -> String {
        match &self.host.icmpv6 {
            Some(i) => locale::message(
                self.t.lang,
                "page-icmpv6-unreachable-source",
                &[
                    ("ratelimit", i.ratelimit.clone()),
                    ("ratemask", i.ratemask.clone()),
                ],
            ),
            None => self.t.icmpv6_off.to_owned(),
        }
    }
}

/// A configuration page's name matches the search when it holds every typed word, in any
/// case; an empty search matches every page.
pub fn matches_search(page: &str, search: &str) -> bool {
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
    pub flash: Option<String>,
    pub notice: Option<Text>,
    pub stale: Option<Revision>,
    pub probe: Option<TestView>,
    pub test_first: bool,
    pub save_anyway: Option<SaveAnyway>,
    /// The top bar's search (`?q=`), trimmed.
    pub search: String,
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
        search: extras.search,
        remote_management_port: crate::host::REMOTE_MANAGEMENT_PORT,
        default_target: state.tester.default_target().to_string(),
        trusted_ca: ctx.config.trusted_ca.clone(),
    };
    Ok(Html(page.render()?))
}

/// The page's query: the top bar's search, if any.
#[derive(Debug, Default, serde::Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[tracing::instrument(skip_all)]
pub async fn show(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Extension(Current(current)): Extension<Current>,
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
            base: BasePage {
                user: "admin".into(),
                csrf_token: "t".into(),
                language: "auto",
                back: PAGE,
            },
            flash: None,
            host: Arc::new(HostFacts::read_at(root.path())),
            notice: None,
            errors: FieldErrors::default(),
            stale: None,
            probe: None,
            form: ProxyForm::default(),
            revision: 0,
            password_set: false,
            conf_path: "/etc/sf/iprep_proxy.conf".into(),
            diag: diag(Vec::new()),
            live: DiagnosticsLive::new(lang, None, diag(Vec::new()), &[]),
            test_first: false,
            save_anyway: None,
            search: search.into(),
            remote_management_port: crate::host::REMOTE_MANAGEMENT_PORT,
            default_target: "https://tools.cisco.com/".into(),
            trusted_ca: Vec::new(),
        };
        page.render().unwrap()
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
