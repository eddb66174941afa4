//! Scheduled tests (`--probe-every`): every period, the saved proxy settings, read afresh
//! from the database, are tested as the page tests them, stored in the test history as
//! `schedule` and audited, so `/metrics` and the page always have a recent result.

use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior};

use crate::settings::ProxyConfig;
use crate::state::AppState;
use crate::tester::{TestBy, run_test};

/// Who the test history and the audit log name for a scheduled test.
pub const ACTOR: &str = "schedule";

/// The scheduler's key for a test's place: no account or token can have it (a user
/// named `schedule` testing from the page must not make a round look busy).
const PERMIT_KEY: &str = "\0schedule";

/// The longest period `--probe-every` takes: a day. Longer would outlast any alert.
pub const MAX_MINUTES: u64 = 1440;

/// Why a round tested nothing although the server was free.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Idle {
    /// Nothing was ever saved.
    NotSaved,
    /// The saved proxy is turned off: FMC goes out directly, there is no proxy to test.
    Disabled,
    /// The saved proxy is on but lacks a host or a port.
    Incomplete,
}

/// What one round did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Round {
    /// Tested: the verdict's code.
    Tested {
        ok: bool,
        code: String,
    },
    Idle(Idle),
    /// The server already runs as many tests as it allows: this round is skipped.
    Busy,
    /// The saved settings could not be read.
    Unreadable(String),
}

/// Whether the saved settings (the newest revision, if any) are a proxy to test.
pub fn idle_reason(saved: Option<&ProxyConfig>) -> Option<Idle> {
    match saved {
        None => Some(Idle::NotSaved),
        Some(c) if !c.enabled => Some(Idle::Disabled),
        Some(c) if c.host.is_none() || c.port.is_none() => Some(Idle::Incomplete),
        Some(_) => None,
    }
}

/// Whether `now` deserves a log line after `before`: an idle round only when the reason
/// changed (a disabled proxy would otherwise log every period, forever); a test, a busy
/// server or a failed read every time.
pub fn worth_logging(before: Option<&Round>, now: &Round) -> bool {
    !matches!(now, Round::Idle(_)) || before != Some(now)
}

/// Start the scheduled tests every `minutes` (none when 0) until `stop` turns true or its
/// sender goes away.
pub fn spawn(state: AppState, minutes: u64, stop: watch::Receiver<bool>) -> Option<JoinHandle<()>> {
    if minutes == 0 {
        return None;
    }
    tracing::info!(
        minutes,
        "testing the saved proxy settings every {minutes} minutes"
    );
    let stopped = async move {
        let mut stop = stop;
        let _ = stop.wait_for(|stop| *stop).await;
    };
    let every = Duration::from_secs(minutes * 60);
    Some(tokio::spawn(run(state, every, stopped)))
}

/// Test the saved settings every `every` until `stop` resolves. The first test comes one
/// period after the start, not at it: the last result survives a restart in the test
/// history (so `/metrics` has it at once), and a service restarted in a loop must not
/// turn into a stream of probes at the proxy. A round that overruns delays the next
/// rather than bunching them (`MissedTickBehavior::Delay`). `stop` is watched during a
/// round too: a probe has no one waiting for it, so shutdown abandons it rather than
/// wait up to the probe's time limit.
pub async fn run(state: AppState, every: Duration, stop: impl Future<Output = ()>) {
    tokio::pin!(stop);
    let mut ticks = tokio::time::interval_at(Instant::now() + every, every);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut last: Option<Round> = None;
    loop {
        let round = tokio::select! {
            _ = &mut stop => break,
            round = async {
                ticks.tick().await;
                round(&state).await
            } => round,
        };
        if worth_logging(last.as_ref(), &round) {
            log(&round);
        }
        last = Some(round);
    }
    tracing::info!("scheduled tests stopped");
}

fn log(round: &Round) {
    match round {
        Round::Tested { ok, code } => {
            tracing::info!(
                ok,
                code = code.as_str(),
                "scheduled test of the saved proxy"
            )
        }
        Round::Idle(Idle::NotSaved) => {
            tracing::info!("scheduled test: no proxy settings saved yet; nothing to test")
        }
        Round::Idle(Idle::Disabled) => {
            tracing::info!("scheduled test: the saved proxy is disabled; nothing to test")
        }
        Round::Idle(Idle::Incomplete) => {
            tracing::info!("scheduled test: the saved proxy has no host or port; nothing to test")
        }
        Round::Busy => tracing::warn!(
            "scheduled test skipped: the server is running as many tests as it allows"
        ),
        Round::Unreadable(e) => {
            tracing::error!(
                error = e.as_str(),
                "scheduled test: cannot read the saved settings"
            )
        }
    }
}

/// One round: read the saved settings (never a copy kept from before: a save or a
/// rollback counts from the next round), and test them if there is a proxy to test.
pub async fn round(state: &AppState) -> Round {
    let saved = match state.store.current().await {
        Ok(current) => current.map(|r| r.config),
        Err(e) => return Round::Unreadable(e.to_string()),
    };
    if let Some(idle) = idle_reason(saved.as_ref()) {
        return Round::Idle(idle);
    }
    let Some(config) = saved else {
        return Round::Idle(Idle::NotSaved);
    };
    // A place like any test, so scheduled tests never crowd out the admins' own.
    let Ok(_permit) = state.tester.start(PERMIT_KEY) else {
        return Round::Busy;
    };
    let by = TestBy {
        who: ACTOR,
        address: None,
        enabled: config.enabled,
    };
    let Some(result) = run_test(&state.tester, state.store.pool(), &by, &config, None).await else {
        return Round::Idle(Idle::Incomplete);
    };
    Round::Tested {
        ok: result.ok,
        code: result.worst().diagnosis.code.as_str().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::Port;
    use crate::settings::fields::ProxyHost;
    use crate::tests_log;

    fn config(enabled: bool, host: Option<&str>, port: Option<u16>) -> ProxyConfig {
        ProxyConfig {
            enabled,
            host: host.and_then(|h| ProxyHost::parse(h).ok()),
            port: port.and_then(Port::new),
            ..ProxyConfig::default()
        }
    }

    /// A fresh app state whose probes go to a closed port on loopback and give up fast.
    async fn state(dir: &tempfile::TempDir) -> AppState {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = closed.local_addr().unwrap().port().to_string();
        drop(closed);
        let data = dir.path().join("data");
        let args = [
            "fmc-mgmt",
            "--data-dir",
            data.to_str().unwrap(),
            "--probe-target",
            "127.0.0.1:443",
            "--probe-connect-timeout",
            "2",
            "--probe-max-time",
            "4",
        ];
        let mut cli = <crate::config::Cli as clap::Parser>::try_parse_from(args).unwrap();
        cli.global.admin_password = Some(crate::secret::Secret::new("schedule-Test-1"));
        let state = crate::prepare(&cli.global).await.unwrap();
        let saved = |_: &ProxyConfig| config(true, Some("127.0.0.1"), port.parse().ok());
        state
            .store
            .save(0, "admin", None, None, saved)
            .await
            .unwrap();
        state
    }

    /// Run the loop with a short period until `done` says so (or 10 s pass), then stop
    /// it; returns how long the stop took.
    async fn run_until(state: &AppState, done: impl AsyncFn() -> bool) -> Duration {
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(run(state.clone(), Duration::from_millis(50), async {
            let _ = rx.await;
        }));
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !done().await && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let asked = std::time::Instant::now();
        tx.send(()).unwrap();
        task.await.unwrap();
        asked.elapsed()
    }

    #[tokio::test]
    async fn each_period_the_saved_proxy_is_tested_stored_as_schedule_and_audited() {
        let dir = tempfile::tempdir().unwrap();
        let state = state(&dir).await;
        let pool = state.store.pool().clone();
        let two_stored = async || tests_log::list(&pool, 10).await.unwrap().len() >= 2;
        run_until(&state, two_stored).await;
        let tests = tests_log::list(&pool, 10).await.unwrap();
        assert!(tests.len() >= 2, "a test every period: {}", tests.len());
        let newest = &tests[0];
        assert_eq!(newest.actor, ACTOR);
        assert_eq!(newest.values.host.as_deref(), Some("127.0.0.1"));
        assert!(!newest.ok, "the saved proxy is a closed port");
        assert_eq!(newest.reports.len(), 1);
        assert_eq!(
            newest.reports[0].diagnosis.code.as_str(),
            "proxy_unreachable"
        );
        let audited: (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE actor = ? AND action = 'probe'")
                .bind(ACTOR)
                .fetch_one(&pool)
                .await
                .unwrap();
        assert!(audited.0 >= 2, "audited like the page's tests");
    }

    #[tokio::test]
    async fn each_round_reads_the_saved_settings_afresh() {
        let dir = tempfile::tempdir().unwrap();
        let state = state(&dir).await;
        assert!(matches!(round(&state).await, Round::Tested { .. }));
        let toggle = |enabled| {
            move |c: &ProxyConfig| ProxyConfig {
                enabled,
                ..c.clone()
            }
        };
        state
            .store
            .save(1, "admin", None, None, toggle(false))
            .await
            .unwrap();
        assert_eq!(round(&state).await, Round::Idle(Idle::Disabled));
        state
            .store
            .save(2, "admin", None, None, toggle(true))
            .await
            .unwrap();
        assert!(matches!(round(&state).await, Round::Tested { .. }));
        assert_eq!(
            tests_log::list(state.store.pool(), 10).await.unwrap().len(),
            2
        );
    }

    #[tokio::test]
    async fn a_disabled_proxy_is_not_tested_however_many_periods_pass() {
        let dir = tempfile::tempdir().unwrap();
        let state = state(&dir).await;
        let off = |c: &ProxyConfig| ProxyConfig {
            enabled: false,
            ..c.clone()
        };
        state.store.save(1, "admin", None, None, off).await.unwrap();
        let polls = std::sync::atomic::AtomicUsize::new(0);
        // Polled every 20 ms against a 50 ms period: several periods pass.
        let a_few_periods = async || polls.fetch_add(1, std::sync::atomic::Ordering::Relaxed) > 15;
        run_until(&state, a_few_periods).await;
        assert!(
            tests_log::list(state.store.pool(), 10)
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[tokio::test]
    async fn a_round_on_a_server_busy_with_tests_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let state = state(&dir).await;
        let held: Vec<_> = (0..crate::tester::MAX_CONCURRENT)
            .map(|i| state.tester.start(&format!("admin{i}")).unwrap())
            .collect();
        assert_eq!(round(&state).await, Round::Busy);
        assert!(
            tests_log::list(state.store.pool(), 10)
                .await
                .unwrap()
                .is_empty()
        );
        drop(held);
        assert!(matches!(
            round(&state).await,
            Round::Tested { ok: false, .. }
        ));
    }

    #[tokio::test]
    async fn stopping_does_not_wait_for_the_period() {
        let dir = tempfile::tempdir().unwrap();
        let state = state(&dir).await;
        let (tx, rx) = watch::channel(false);
        let task = spawn(state.clone(), MAX_MINUTES, rx).expect("a period is set");
        tokio::time::sleep(Duration::from_millis(50)).await;
        let asked = std::time::Instant::now();
        tx.send(true).unwrap();
        tokio::time::timeout(Duration::from_secs(2), task)
            .await
            .expect("stops at once, not after a day")
            .unwrap();
        assert!(asked.elapsed() < Duration::from_secs(1));
        assert!(
            spawn(state, 0, watch::channel(false).1).is_none(),
            "0 is off"
        );
    }

    #[test]
    fn only_an_enabled_proxy_with_host_and_port_is_tested() {
        assert_eq!(idle_reason(None), Some(Idle::NotSaved));
        let off = config(false, Some("10.0.0.1"), Some(3128));
        assert_eq!(idle_reason(Some(&off)), Some(Idle::Disabled));
        let no_port = config(true, Some("10.0.0.1"), None);
        assert_eq!(idle_reason(Some(&no_port)), Some(Idle::Incomplete));
        let no_host = config(true, None, Some(3128));
        assert_eq!(idle_reason(Some(&no_host)), Some(Idle::Incomplete));
        let on = config(true, Some("10.0.0.1"), Some(3128));
        assert_eq!(idle_reason(Some(&on)), None);
    }

    #[test]
    fn an_idle_round_is_logged_once_per_change_the_rest_every_time() {
        let disabled = Round::Idle(Idle::Disabled);
        let tested = Round::Tested {
            ok: true,
            code: "ok".into(),
        };
        assert!(worth_logging(None, &disabled));
        assert!(!worth_logging(Some(&disabled), &disabled));
        assert!(worth_logging(Some(&tested), &disabled));
        assert!(worth_logging(Some(&Round::Idle(Idle::NotSaved)), &disabled));
        assert!(worth_logging(Some(&tested), &tested));
        assert!(worth_logging(Some(&Round::Busy), &Round::Busy));
    }
}
