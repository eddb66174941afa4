//! The probe report as the page draws it: a timeline of the six stages with a waterfall bar
//! each (SVG, since the CSP forbids inline styles), the telling proxy headers, the curl line;
//! and a test of several targets as one such row per target, the worst on top.

use crate::locale::Texts;
use crate::probe::Report;
use crate::probe::report::StageName;
use crate::tester::TestResult;

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
    pub elapsed: String,
    pub detail: String,
    /// Start and length of the bar, in percent of the whole probe.
    pub x: String,
    pub w: String,
}

pub struct ProbeView {
    pub report: Report,
    /// Appended to the row's element ids: empty for the first (worst) row, so it keeps
    /// the ids a single report always had, `-2`, `-3`… for the others.
    pub id_suffix: String,
    /// The diagnosis in the page's language.
    pub summary: String,
    pub hint: String,
    pub rows: Vec<StageRow>,
    pub headers: Vec<(String, String)>,
    pub total: String,
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
                        title: t.stage_title(name),
                        state: if stage.ok { "ok" } else { "fail" },
                        elapsed: format!("{:.2} ms", stage.elapsed_ms),
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
                    title: t.stage_title(name),
                    state: "skip",
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
            total: format!("{:.2} ms", report.total_ms),
            summary: report.diagnosis.summary_in(t.lang),
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

/// A whole test as the page draws it: the verdict, then one [`ProbeView`] per target in
/// the result's order (the worst first).
pub struct TestView {
    pub ok: bool,
    /// The worst report's diagnosis code.
    pub code: &'static str,
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
}
