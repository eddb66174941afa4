//! Runs the probe for the page and the API: at most one test per session and a few per
//! server at once, each bounded in time; keeps the last result for the Diagnostics panel.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::probe::hostport::HostPort;
use crate::probe::{ProbeRequest, Report, Timeouts};
use crate::settings::ProxyConfig;

/// Tests running at once on the whole server: each holds two sockets and a TLS session
/// for at most the probe's max time, so a handful is plenty for a few admins.
pub const MAX_CONCURRENT: usize = 4;

#[derive(Clone, Debug)]
pub struct LastResult {
    pub at: String,
    pub by: String,
    pub report: Report,
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
    last: Mutex<Option<LastResult>>,
    pub target: HostPort,
    pub ca_file: Option<PathBuf>,
    pub timeouts: Timeouts,
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
            last: Mutex::default(),
            target,
            ca_file,
            timeouts,
        }
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

    /// The probe of `config`'s proxy (its credentials only when authentication is on).
    pub fn request(&self, config: &ProxyConfig) -> Option<ProbeRequest> {
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
            target_host: self.target.host.clone(),
            target_port: self.target.port,
            scheme: crate::probe::UrlScheme::Https,
            path: "/".to_string(),
            ca_file: self.ca_file.clone(),
            timeouts: self.timeouts,
            // MERGE: the targets helper's `TestTarget { download, .. }` sets
            // `Some(max_filesize)` here for a target marked for download.
            download: None,
        })
    }

    pub fn record(&self, by: &str, report: &Report) {
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Some(LastResult {
            at: crate::clock::now_rfc3339(),
            by: by.to_owned(),
            report: report.clone(),
        });
    }

    pub fn last(&self) -> Option<LastResult> {
        self.last.lock().unwrap_or_else(|e| e.into_inner()).clone()
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
        };
        let req = t.request(&config).unwrap();
        assert_eq!((req.username, req.password), (None, None));
        config.use_auth = true;
        let req = t.request(&config).unwrap();
        assert_eq!(req.username.as_deref(), Some("u"));
        assert!(t.request(&ProxyConfig::default()).is_none());
    }
}
