//! The probe report as the page draws it: a timeline of the six stages with a waterfall bar
//! each (SVG, since the CSP forbids inline styles), the telling proxy headers, the curl line;
//! and a test of several targets as one such row per target, the worst on top.

use crate::locale::{Lang, Texts};
use crate::probe::Report;
use crate::probe::diagnosis::DiagnosisCode;
use crate::probe::hostport::authority;
use crate::probe::report::StageName;
use crate::probe::text::duration;
use crate::probe::transcript::{Direction, WireEvent, WireKind};
use crate::tester::TestResult;
use crate::tests_log::TestedValues;

/// Response headers that explain a proxy's answer; others are noise for the admin.
const TELLING_HEADERS: &[&str] = &[
    "via",
    "proxy-authenticate",
    "server",
    "x-squid-error",
    "proxy-agent",
    "x-cache",
    "connection",
];

pub struct StageRow {
    pub code: &'static str,
    pub title: &'static str,
    /// `ok`, `fail` or `skip` (not run).
    pub state: &'static str,
    /// Ran, but had nothing to do (the DNS lookup of a proxy given as an IP address):
    /// marked neither passed nor failed.
    pub skipped: bool,
    pub elapsed: String,
    pub detail: String,
    /// Start and length of the bar, in percent of the whole probe.
    pub x: String,
    pub w: String,
}

/// One line of the transcript table, said in the page's language.
pub struct WireRow {
    /// The event's `kind` as the JSON names it (`write`, `rst`), for styling and tests.
    pub kind: &'static str,
    pub time: String,
    pub arrow: &'static str,
    pub direction: String,
    /// `127.0.0.1:50812 → 127.0.0.1:3128`, source first; empty when no socket is named.
    pub ends: String,
    pub event: String,
    pub bytes: String,
    pub note: String,
}

/// The "Packets (like tcpdump)" section: its words and its rows.
pub struct WireView {
    pub title: String,
    pub count: String,
    pub caption: String,
    /// Column headings: time, direction, from → to, event, bytes, note.
    pub columns: [String; 6],
    pub rows: Vec<WireRow>,
}

impl WireView {
    pub fn new(events: &[WireEvent], lang: Lang) -> WireView {
        let say = |id: &str| crate::locale::message(lang, id, &[]);
        let count = crate::locale::counted(lang, "wire-count", &[], ("count", events.len() as u64));
        WireView {
            title: say("wire-title"),
            count,
            caption: say("wire-caption"),
            columns: [
                "wire-col-time",
                "wire-col-direction",
                "wire-col-ends",
                "wire-col-event",
                "wire-col-bytes",
                "wire-col-note",
            ]
            .map(say),
            rows: events.iter().map(|e| wire_row(e, lang)).collect(),
        }
    }
}

/// An event as a table row; the ends are written source first, as tcpdump does.
fn wire_row(e: &WireEvent, lang: Lang) -> WireRow {
    let say = |id: &str| crate::locale::message(lang, id, &[]);
    let ends = e.ends();
    let direction = match e.dir {
        Direction::Out => say("wire-dir-out"),
        Direction::In => say("wire-dir-in"),
        Direction::Local => say("wire-dir-local"),
    };
    let event = match e.kind {
        WireKind::Omitted => {
            let bytes = [("bytes", e.bytes.to_string())];
            crate::locale::counted(
                lang,
                "wire-omitted",
                &bytes,
                ("count", e.omitted.unwrap_or(0)),
            )
        }
        kind => say(&format!("wire-kind-{}", kind.as_str())),
    };
    let carries_bytes = matches!(e.kind, WireKind::Write | WireKind::Read | WireKind::Omitted);
    WireRow {
        kind: e.kind.as_str(),
        time: format!("{:.3} ms", e.t_ms),
        arrow: e.dir.arrow(),
        direction,
        ends,
        event,
        bytes: if carries_bytes {
            e.bytes.to_string()
        } else {
            String::new()
        },
        note: e.note.clone().unwrap_or_default(),
    }
}

pub struct ProbeView {
    pub report: Report,
    /// The transcript, for the "Packets (like tcpdump)" section.
    pub wire: WireView,
    /// Appended to the row's element ids: empty for the first (worst) row, so it keeps
    /// the ids a single report always had, `-2`, `-3`… for the others.
    pub id_suffix: String,
    /// The diagnosis in the page's language.
    pub summary: String,
    pub hint: String,
    pub rows: Vec<StageRow>,
    pub headers: Vec<(String, String)>,
    pub total: String,
    /// This target's verdict in words (its row says it when there are several).
    pub title: String,
    /// The word for a stage that had nothing to do.
    pub skipped_word: String,
}

impl ProbeView {
    pub fn new(report: Report, t: &'static Texts) -> Self {
        let total: f64 = report
            .stages
            .iter()
            .map(|s| s.elapsed_ms)
            .sum::<f64>()
            .max(report.total_ms)
            .max(0.001);
        let mut start = 0.0;
        let rows = StageName::ALL
            .iter()
            // A stage that runs only when asked (download) has no row in a probe without it.
            .filter(|&&name| !name.is_optional() || report.stage(name).is_some())
            .map(|&name| match report.stage(name) {
                Some(stage) => {
                    let row = StageRow {
                        code: name.as_str(),
                        title: t.stage_title_in(&report, name),
                        state: if stage.ok { "ok" } else { "fail" },
                        skipped: stage.ok && skipped(name, &report.proxy.host),
                        elapsed: duration(stage.elapsed_ms),
                        detail: stage.detail_in(t.lang).to_owned(),
                        x: format!("{:.2}", start / total * 100.0),
                        // A sliver stays visible even for a stage of microseconds.
                        w: format!("{:.2}", (stage.elapsed_ms / total * 100.0).max(0.4)),
                    };
                    start += stage.elapsed_ms;
                    row
                }
                None => StageRow {
                    code: name.as_str(),
                    title: t.stage_title_in(&report, name),
                    state: "skip",
                    skipped: false,
                    elapsed: String::new(),
                    detail: t.not_run.into(),
                    x: "0".into(),
                    w: "0".into(),
                },
            })
            .collect();
        let headers = report
            .connect_response
            .as_ref()
            .map(|r| {
                r.headers
                    .iter()
                    .filter(|(name, _)| {
                        TELLING_HEADERS.contains(&name.to_ascii_lowercase().as_str())
                    })
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        ProbeView {
            wire: WireView::new(&report.wire, t.lang),
            total: duration(report.total_ms),
            summary: report.diagnosis.summary_in(t.lang),
            title: title(report.diagnosis.code, t.lang),
            skipped_word: crate::locale::message(t.lang, "result-skipped", &[]),
            hint: report.diagnosis.hint_in(t.lang),
            report,
            id_suffix: String::new(),
            rows,
            headers,
        }
    }

    pub fn code(&self) -> &'static str {
        self.report.diagnosis.code.as_str()
    }
}

/// Whether stage `name` ran with nothing to do: the DNS lookup of a proxy that is an IP
/// address (decided from the proxy, not from the stage's words).
pub fn skipped(name: StageName, proxy_host: &str) -> bool {
    let bare = proxy_host.trim_start_matches('[').trim_end_matches(']');
    name == StageName::Resolve && bare.parse::<std::net::IpAddr>().is_ok()
}

/// The result's headline: what happened in words, the code after them ("Access denied by
/// the proxy (proxy_denied)").
pub fn headline(code: DiagnosisCode, lang: Lang) -> String {
    crate::locale::message(
        lang,
        "result-headline",
        &[
            ("title", title(code, lang)),
            ("code", code.as_str().to_owned()),
        ],
    )
}

/// What `code` means, in a few words.
fn title(code: DiagnosisCode, lang: Lang) -> String {
    let id = format!("result-title-{}", code.as_str().replace('_', "-"));
    crate::locale::message(lang, &id, &[])
}

/// What a test probed, compared with what is saved: the facts the result's head says.
pub struct Tested {
    pub values: TestedValues,
    /// Each target's URL, in the order they were tested.
    pub urls: Vec<String>,
    /// The saved settings' values and target URLs (the default target when none).
    pub saved: TestedValues,
    pub saved_urls: Vec<String>,
}

impl Tested {
    /// The tested values differ from the saved ones (a password is never compared: it is
    /// not kept with a test).
    pub fn unsaved(&self) -> bool {
        let mut urls = self.urls.clone();
        let mut saved_urls = self.saved_urls.clone();
        urls.sort();
        saved_urls.sort();
        self.values != self.saved || urls != saved_urls
    }
}

/// The result's head: what was tested, in the page's language.
pub struct TestedView {
    /// "What was tested", and the labels of its three lines.
    pub heading: String,
    pub proxy_label: String,
    pub user_label: String,
    /// `host:port` of the proxy tested.
    pub proxy: String,
    /// The user name tested, or that none was.
    pub user: String,
    pub targets_label: String,
    pub targets: Vec<String>,
    /// "These values are not saved", when they are not.
    pub unsaved: Option<String>,
    /// "The proxy is disabled…", when the form had Enabled unticked.
    pub disabled: Option<String>,
}

impl TestedView {
    pub fn new(tested: &Tested, lang: Lang) -> Self {
        let say = |id: &str| crate::locale::message(lang, id, &[]);
        let v = &tested.values;
        let proxy = match (&v.host, v.port) {
            (Some(host), Some(port)) => authority(host, port),
            (Some(host), None) => host.clone(),
            _ => String::new(),
        };
        let user = match (&v.username, v.use_auth) {
            (Some(user), true) => user.clone(),
            _ => say("result-tested-no-user"),
        };
        let count = tested.urls.len() as u64;
        TestedView {
            heading: say("result-tested"),
            proxy_label: say("result-tested-proxy"),
            user_label: say("result-tested-user"),
            proxy,
            user,
            targets_label: crate::locale::counted(
                lang,
                "result-tested-targets",
                &[],
                ("count", count),
            ),
            targets: tested.urls.clone(),
            unsaved: tested.unsaved().then(|| say("result-not-saved")),
            disabled: (!v.enabled).then(|| say("result-disabled")),
        }
    }
}

/// A whole test as the page draws it: the verdict, then one [`ProbeView`] per target in
/// the result's order (the worst first).
pub struct TestView {
    pub ok: bool,
    /// The worst report's diagnosis code.
    pub code: &'static str,
    /// "Access denied by the proxy (proxy_denied)": the worst report's, in words first.
    pub headline: String,
    /// What was tested, when known.
    pub tested: Option<TestedView>,
    /// "N targets; the worst result is first", for a test of more than one target.
    pub heading: Option<String>,
    pub probes: Vec<ProbeView>,
}

impl TestView {
    pub fn new(result: TestResult, t: &'static Texts) -> Self {
        let count = result.reports.len();
        let probes = result
            .reports
            .into_iter()
            .enumerate()
            .map(|(i, report)| ProbeView {
                id_suffix: if i == 0 {
                    String::new()
                } else {
                    format!("-{}", i + 1)
                },
                ..ProbeView::new(report, t)
            })
            .collect();
        TestView {
            ok: result.ok,
            code: result.diagnosis.code.as_str(),
            headline: headline(result.diagnosis.code, t.lang),
            tested: None,
            heading: (count > 1).then(|| {
                crate::locale::message(
                    t.lang,
                    "targets-result-heading",
                    &[("count", count.to_string())],
                )
            }),
            probes,
        }
    }

    /// The view with its head saying what was tested.
    pub fn with_tested(self, tested: &Tested, lang: Lang) -> Self {
        TestView {
            tested: Some(TestedView::new(tested, lang)),
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(dir: Direction, kind: WireKind, bytes: u64) -> WireEvent {
        WireEvent {
            t_ms: 1.5,
            dir,
            kind,
            bytes,
            local: Some("127.0.0.1:50812".into()),
            remote: Some("127.0.0.1:3128".into()),
            note: None,
            omitted: None,
        }
    }

    #[test]
    fn the_headline_leads_with_words_and_every_code_has_them_in_both_languages() {
        assert_eq!(
            headline(DiagnosisCode::ProxyDenied, Lang::En),
            "Access denied by the proxy (proxy_denied)"
        );
        for code in DiagnosisCode::ALL {
            for lang in Lang::ALL {
                let said = headline(code, lang);
                assert!(!said.starts_with("result-"), "{code:?} {lang:?}: {said}");
                assert!(said.contains(code.as_str()), "{said}");
                assert!(!said.starts_with(code.as_str()), "words first: {said}");
            }
        }
    }

    #[test]
    fn only_the_lookup_of_an_ip_address_is_a_skipped_stage() {
        assert!(skipped(StageName::Resolve, "127.0.0.1"));
        assert!(skipped(StageName::Resolve, "[::1]"));
        assert!(skipped(StageName::Resolve, "::1"));
        assert!(!skipped(StageName::Resolve, "proxy.example"));
        assert!(!skipped(StageName::TcpConnect, "127.0.0.1"));
    }

    fn values(host: &str, enabled: bool) -> TestedValues {
        TestedValues {
            enabled,
            host: Some(host.to_owned()),
            port: Some(3128),
            use_auth: false,
            username: None,
        }
    }

    fn tested(host: &str, enabled: bool, urls: &[&str]) -> Tested {
        Tested {
            values: values(host, enabled),
            urls: urls.iter().map(|u| u.to_string()).collect(),
            saved: values("10.0.0.1", true),
            saved_urls: vec!["https://a.example/".into(), "https://b.example/".into()],
        }
    }

    #[test]
    fn the_head_says_when_the_tested_values_are_not_the_saved_ones_or_the_proxy_is_off() {
        let same = tested(
            "10.0.0.1",
            true,
            &["https://b.example/", "https://a.example/"],
        );
        assert!(!same.unsaved(), "the same targets in another order");
        let view = TestedView::new(&same, Lang::En);
        assert_eq!(view.proxy, "10.0.0.1:3128");
        assert_eq!(view.user, "none (no authentication)");
        assert_eq!(view.targets_label, "Targets");
        assert_eq!((view.unsaved, view.disabled), (None, None));

        let other_host = TestedView::new(
            &tested(
                "10.0.0.2",
                true,
                &["https://a.example/", "https://b.example/"],
            ),
            Lang::En,
        );
        assert_eq!(
            other_host.unsaved.as_deref(),
            Some("These values are not saved.")
        );
        let one_target =
            TestedView::new(&tested("10.0.0.1", true, &["https://a.example/"]), Lang::En);
        assert!(one_target.unsaved.is_some());
        assert_eq!(one_target.targets_label, "Target");
        let off = TestedView::new(
            &tested(
                "10.0.0.1",
                false,
                &["https://a.example/", "https://b.example/"],
            ),
            Lang::ZhCn,
        );
        assert!(off.unsaved.is_some(), "Enabled differs from what is saved");
        assert_eq!(
            off.disabled,
            Some(crate::locale::message(Lang::ZhCn, "result-disabled", &[]))
        );
        let v6 = TestedView::new(&tested("2001:db8::1", true, &[]), Lang::En);
        assert_eq!(v6.proxy, "[2001:db8::1]:3128");
    }

    #[test]
    fn answers_are_counted_with_the_languages_plural() {
        let say = |n: &str| {
            crate::locale::message(
                Lang::En,
                "probe-connect-said-still-refused-after-n-answer",
                &[("said", "407".into()), ("n", n.into())],
            )
        };
        assert_eq!(say("1"), "407; still refused after 1 answer");
        assert_eq!(say("2"), "407; still refused after 2 answers");
        let zh = crate::locale::message(
            Lang::ZhCn,
            "probe-connect-said-still-refused-after-n-answer",
            &[("said", "407".into()), ("n", "2".into())],
        );
        assert!(zh.contains('2') && !zh.contains("(s)"), "{zh}");
    }

    #[test]
    fn every_event_kind_is_said_in_both_languages() {
        for lang in Lang::ALL {
            for kind in WireKind::ALL {
                let row = wire_row(&event(Direction::Local, kind, 0), lang);
                assert!(
                    !row.event.starts_with("wire-"),
                    "{lang:?} {kind:?}: {}",
                    row.event
                );
            }
            let view = WireView::new(&[], lang);
            assert!(view.columns.iter().all(|c| !c.starts_with("wire-")));
            assert!(!view.count.starts_with("wire-"));
        }
    }

    #[test]
    fn rows_name_the_source_first_and_bytes_only_where_bytes_crossed() {
        let out = wire_row(&event(Direction::Out, WireKind::Write, 183), Lang::En);
        assert_eq!(out.ends, "127.0.0.1:50812 → 127.0.0.1:3128");
        assert_eq!((out.time.as_str(), out.bytes.as_str()), ("1.500 ms", "183"));
        let back = wire_row(&event(Direction::In, WireKind::Read, 39), Lang::En);
        assert_eq!(back.ends, "127.0.0.1:3128 → 127.0.0.1:50812");
        let fin = wire_row(&event(Direction::In, WireKind::Fin, 0), Lang::En);
        assert_eq!(fin.bytes, "");
        let mut gap = event(Direction::Local, WireKind::Omitted, 1489);
        gap.omitted = Some(1489);
        let said = wire_row(&gap, Lang::En).event;
        assert!(said.contains("1489 more events"), "{said}");
    }
}
