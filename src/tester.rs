//! Runs the probe for the page and the API: at most one test per session and a few per
//! server at once, each bounded in time; stores every test in the history (the Diagnostics panel reads it).
//! A test probes every target of the settings at once ([`run_test`]), so it takes as long
//! as its slowest target, not the sum.

use std::collections::{HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;
use tokio::sync::mpsc::{self, UnboundedSender};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use utoipa::ToSchema;

use crate::probe::diagnosis::Diagnosis;
use crate::probe::hostport::HostPort;
use crate::probe::url::TargetUrl;
use crate::probe::{Advice, ProbeRequest, Report, Stage, Timeouts};
use crate::settings::{ProxyConfig, TestTarget};
use crate::tests_log::{self, TestedValues};

/// Tests running at once on the whole server: each holds two sockets and a TLS session
/// for at most the probe's max time, so a handful is plenty for a few admins.
pub const MAX_CONCURRENT: usize = 4;

/// The answer of a test: the verdict of all its targets, said by the worst report, and
/// every report. Reports that are not `ok` come first, then the rest, each group in the
/// targets' order: the first report is the worst, and its diagnosis is the test's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TestResult {
    /// Every target's report is `ok`.
    pub ok: bool,
    /// The worst report's diagnosis (the first report's).
    pub diagnosis: Diagnosis,
    /// One report per target, the worst first.
    pub reports: Vec<Report>,
    /// The test's id in the test history, once stored there (the page links to it); not
    /// part of the JSON answer.
    #[serde(skip)]
    pub id: Option<i64>,
}

impl TestResult {
    /// The result of `reports`, given in the targets' order (at least one).
    pub fn of(reports: Vec<Report>) -> Option<TestResult> {
        let (mut ordered, passed): (Vec<Report>, Vec<Report>) =
            reports.into_iter().partition(|r| !r.ok);
        ordered.extend(passed);
        Some(TestResult {
            ok: ordered.iter().all(|r| r.ok),
            diagnosis: ordered.first()?.diagnosis.clone(),
            reports: ordered,
            id: None,
        })
    }

    /// The report that decides the verdict.
    pub fn worst(&self) -> &Report {
        // `of` never makes a result without a report.
        &self.reports[0]
    }
}

/// Each stage of a running test as it completes, with the index of its target (in the
/// order of [`Tester::requests`]).
pub type StageEvents = UnboundedSender<(usize, Stage)>;

/// Who started a test and from where, as the history and the audit log keep it.
pub struct TestBy<'a> {
    /// The user, `api:<token name>`, or `schedule`.
    pub who: &'a str,
    pub address: Option<&'a str>,
    /// Enabled as the form had it (a test probes either way).
    pub enabled: bool,
}

/// The one entry point that tests a [`ProxyConfig`] (page, API, schedule): every target
/// probed at once, the result kept for the Diagnostics panel, stored in the test history
/// and audited. `None` when the settings name no proxy to test. The caller holds the
/// test's [`Permit`] (one per test, whatever the number of targets).
pub async fn run_test(
    tester: &Tester,
    pool: &SqlitePool,
    by: &TestBy<'_>,
    config: &ProxyConfig,
    events: Option<StageEvents>,
) -> Option<TestResult> {
    let requests = tester.requests(config)?;
    let probes = requests
        .iter()
        .enumerate()
        .map(|(index, req)| probe_one(index, req, events.clone()));
    let mut result = TestResult::of(futures_util::future::join_all(probes).await)?;
    let values = TestedValues::of(config, by.enabled);
    result.id = tests_log::record(pool, by.who, &values, &result.reports).await;
    if let Some(id) = result.id {
        tester.keep(KeptTest {
            id,
            values,
            result: result.clone(),
        });
    }
    let worst = result.worst();
    let tested = crate::audit::Event::Tested {
        code: worst.diagnosis.code.as_str().to_owned(),
        proxy_host: worst.proxy.host.clone(),
        proxy_port: worst.proxy.port,
        target_host: worst.target.host.clone(),
        target_port: worst.target.port,
        ms: worst.total_ms,
    };
    crate::audit::record(pool, by.who, by.address, &tested).await;
    Some(result)
}

/// One target's probe, its stages passed on tagged with `index`.
async fn probe_one(index: usize, req: &ProbeRequest, events: Option<StageEvents>) -> Report {
    let probe = |tx: Option<UnboundedSender<Stage>>| async move {
        let mut report = crate::probe::run(req, tx).await;
        crate::probe::mtu::annotate_mtu(&mut report).await;
        report
    };
    let Some(out) = events else {
        return probe(None).await;
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    // Ends when the probe is done and drops its sender.
    let forward = async move {
        while let Some(stage) = rx.recv().await {
            let _ = out.send((index, stage));
        }
    };
    futures_util::future::join(probe(Some(tx)), forward).await.0
}

/// Tests kept whole in memory, so that the page a test without JavaScript redirects to
/// shows its result in any language (the history keeps a report's English only).
pub const KEPT: usize = 32;

/// A recent test as it ran: the values tested and the result, with every word of it.
#[derive(Clone, Debug)]
pub struct KeptTest {
    pub id: i64,
    pub values: TestedValues,
    pub result: TestResult,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Busy {
    /// This session already has a test running.
    Session,
    /// The server runs as many tests as it allows.
    Server,
}

impl Busy {
    pub fn message(&self) -> crate::locale::Text {
        match self {
            Busy::Session => {
                crate::locale::text("server-tester-a-test-is-already-running-for", &[])
            }
            Busy::Server => crate::locale::text("server-tester-too-many-tests-are-running-on", &[]),
        }
    }
}

#[derive(Debug)]
pub struct Tester {
    slots: Arc<Semaphore>,
    active: Mutex<HashSet<String>>,
    kept: Mutex<VecDeque<KeptTest>>,
    pub target: HostPort,
    pub ca_file: Option<PathBuf>,
    pub timeouts: Timeouts,
    /// What the next steps name: the server's proxy file, the page's Trusted CA.
    pub advice: Advice,
}

/// A running test's place: frees its slot and its session's turn when dropped, however
/// the test ends (result, error, or the client going away).
pub struct Permit {
    tester: Arc<Tester>,
    key: String,
    _slot: OwnedSemaphorePermit,
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.tester
            .active
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.key);
    }
}

impl Tester {
    pub fn new(target: HostPort, ca_file: Option<PathBuf>, timeouts: Timeouts) -> Self {
        Tester {
            slots: Arc::new(Semaphore::new(MAX_CONCURRENT)),
            active: Mutex::default(),
            kept: Mutex::default(),
            target,
            ca_file,
            timeouts,
            advice: Advice::default(),
        }
    }

    /// The same tester, its next steps said for `advice`.
    pub fn with_advice(self, advice: Advice) -> Self {
        Tester { advice, ..self }
    }

    /// Take a place for a test by `key` (the session), or say why not.
    pub fn start(self: &Arc<Self>, key: &str) -> Result<Permit, Busy> {
        let mut active = self.active.lock().unwrap_or_else(|e| e.into_inner());
        if active.contains(key) {
            return Err(Busy::Session);
        }
        let slot = self
            .slots
            .clone()
            .try_acquire_owned()
            .map_err(|_| Busy::Server)?;
        active.insert(key.to_owned());
        Ok(Permit {
            tester: self.clone(),
            key: key.to_owned(),
            _slot: slot,
        })
    }

    /// The default target, `https://<--probe-target>/`, tested when the settings name none.
    pub fn default_target(&self) -> TargetUrl {
        TargetUrl::https(self.target.host.clone(), self.target.port)
    }

    /// One probe per target of `config` (the default one when it names none), in the
    /// targets' order; `None` when `config` has no proxy host and port.
    pub fn requests(&self, config: &ProxyConfig) -> Option<Vec<ProbeRequest>> {
        let default = [TestTarget {
            url: self.default_target(),
            download: false,
        }];
        let targets = match config.targets.as_slice() {
            [] => &default[..],
            targets => targets,
        };
        targets
            .iter()
            .map(|target| self.request(config, target))
            .collect()
    }

    /// The probe of `target` through `config`'s proxy (its credentials only when
    /// authentication is on).
    pub fn request(&self, config: &ProxyConfig, target: &TestTarget) -> Option<ProbeRequest> {
        Some(ProbeRequest {
            proxy_host: config.host.clone()?.into_host(),
            proxy_port: config.port?,
            username: if config.use_auth {
                config.username.as_ref().map(|u| u.as_str().to_owned())
            } else {
                None
            },
            password: if config.use_auth {
                config.password.clone()
            } else {
                None
            },
            target_host: target.url.host.clone(),
            target_port: target.url.port,
            scheme: target.url.scheme,
            path: target.url.path.clone(),
            ca_file: self.ca_file.clone(),
            // The saved Trusted CA for the probe, on top of --ca-file and the OS store.
            ca_certs: config.trusted_ca.iter().map(|ca| ca.der()).collect(),
            advice: self.advice.clone(),
            timeouts: self.timeouts,
            // A target marked `download` reads its whole body, up to the CLI's default cap.
            download: target
                .download
                .then_some(crate::probe::DEFAULT_MAX_FILESIZE),
        })
    }

    /// Keep `test`, dropping the oldest past [`KEPT`].
    fn keep(&self, test: KeptTest) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() >= KEPT {
            kept.pop_front();
        }
        kept.push_back(test);
    }

    /// The recent test `id`, if still kept.
    pub fn kept(&self, id: i64) -> Option<KeptTest> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.iter().find(|t| t.id == id).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::{Host, Port};

    fn tester() -> Arc<Tester> {
        Arc::new(Tester::new(
            HostPort::new(Host::parse("127.0.0.1").unwrap(), Port::new(443).unwrap()),
            None,
            Timeouts::default(),
        ))
    }

    #[test]
    fn one_test_per_session_and_a_few_per_server() {
        let t = tester();
        let first = t.start("a").unwrap();
        assert_eq!(t.start("a").err(), Some(Busy::Session));
        let others: Vec<Permit> = (1..MAX_CONCURRENT)
            .map(|i| t.start(&format!("s{i}")).unwrap())
            .collect();
        assert_eq!(t.start("z").err(), Some(Busy::Server));
        drop(first);
        assert!(
            t.start("a").is_ok(),
            "a finished test frees its session and slot"
        );
        drop(others);
    }

    #[test]
    fn credentials_go_to_the_probe_only_with_authentication_on() {
        let t = tester();
        use crate::settings::fields::{ProxyHost, UserName};
        let mut config = ProxyConfig {
            enabled: true,
            host: ProxyHost::parse("10.0.0.1").ok(),
            port: Port::new(3128),
            use_auth: false,
            username: UserName::parse("u").ok(),
            password: Some(crate::secret::Secret::new("p")),
            targets: Vec::new(),
            trusted_ca: Vec::new(),
        };
        let req = t.requests(&config).unwrap().remove(0);
        assert_eq!((req.username, req.password), (None, None));
        config.use_auth = true;
        let req = t.requests(&config).unwrap().remove(0);
        assert_eq!(req.username.as_deref(), Some("u"));
        assert!(t.requests(&ProxyConfig::default()).is_none());
    }

    #[test]
    fn one_probe_per_target_or_the_default_one() {
        let t = tester();
        use crate::settings::fields::ProxyHost;
        let mut config = ProxyConfig {
            host: ProxyHost::parse("10.0.0.1").ok(),
            port: Port::new(3128),
            ..ProxyConfig::default()
        };
        let urls = |config: &ProxyConfig| -> Vec<String> {
            t.requests(config)
                .unwrap()
                .iter()
                .map(|r| r.url().to_string())
                .collect()
        };
        assert_eq!(urls(&config), ["https://127.0.0.1/"]);
        config.targets =
            crate::settings::targets::parse_targets("http://a.example/x\nb.example:8443 download")
                .unwrap();
        assert_eq!(
            urls(&config),
            ["http://a.example/x", "https://b.example:8443/"]
        );
    }

    #[test]
    fn the_saved_trusted_cas_go_to_every_probe() {
        // Page, API and schedule all test through `requests`, so all trust the saved CAs.
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let pem = params.self_signed(&key).unwrap().pem();
        let cas = crate::settings::trusted_ca::parse_pem(&pem, crate::settings::trusted_ca::now())
            .unwrap();
        use crate::settings::fields::ProxyHost;
        let config = ProxyConfig {
            host: ProxyHost::parse("10.0.0.1").ok(),
            port: Port::new(3128),
            targets: crate::settings::targets::parse_targets("a.example\nb.example").unwrap(),
            trusted_ca: cas.clone(),
            ..ProxyConfig::default()
        };
        let requests = tester().requests(&config).unwrap();
        assert_eq!(requests.len(), 2);
        for req in requests {
            assert_eq!(req.ca_certs, [cas[0].der()]);
        }
        let none = ProxyConfig {
            trusted_ca: Vec::new(),
            ..config
        };
        assert!(tester().requests(&none).unwrap()[0].ca_certs.is_empty());
    }

    /// A report with `code`, made from JSON so it stays valid as reports gain fields.
    fn report(code: crate::probe::diagnosis::DiagnosisCode, url: &str) -> Report {
        let ok = code == crate::probe::diagnosis::DiagnosisCode::Ok;
        serde_json::from_value(serde_json::json!({
            "ok": ok,
            "diagnosis": {"code": code, "summary": "", "hint": ""},
            "proxy": {"host": "p", "port": 1},
            "target": {"host": "t", "port": 1},
            "url": url,
            "auth": {"offered": [], "used": null, "rounds": 0},
            "stages": [],
            "connect_response": null,
            "tls": null,
            "http": null,
            "total_ms": 1.0,
            "curl": ""
        }))
        .unwrap()
    }

    #[test]
    fn the_worst_report_is_the_first_not_ok_one_and_says_the_verdict() {
        use crate::probe::diagnosis::DiagnosisCode as C;
        let result = TestResult::of(vec![
            report(C::Ok, "a"),
            report(C::TlsNameMismatch, "b"),
            report(C::Ok, "c"),
            report(C::ProxyUnreachable, "d"),
        ])
        .unwrap();
        assert!(!result.ok);
        assert_eq!(result.diagnosis.code, C::TlsNameMismatch);
        let order: Vec<&str> = result.reports.iter().map(|r| r.url.as_str()).collect();
        assert_eq!(order, ["b", "d", "a", "c"]);
        let all_ok = TestResult::of(vec![report(C::Ok, "a"), report(C::Ok, "b")]).unwrap();
        assert!(all_ok.ok);
        assert_eq!(all_ok.worst().url, "a");
        assert!(TestResult::of(Vec::new()).is_none());
    }
}
