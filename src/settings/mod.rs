//! The proxy settings: value types, the form, the revision store and the iprep_proxy.conf file.

pub mod conf_file;
pub mod fields;
pub mod file_save;
pub mod form;
pub mod store;
pub mod targets;
pub mod trusted_ca;
pub mod words;

use serde::Serialize;

use crate::secret::Secret;
use fields::{Port, ProxyHost, UserName};
pub use targets::TestTarget;
pub use trusted_ca::TrustedCa;

/// What a valid save asks for. `new_password: None` keeps the stored password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxySettings {
    pub enabled: bool,
    pub host: Option<ProxyHost>,
    pub port: Option<Port>,
    pub use_auth: bool,
    pub username: Option<UserName>,
    pub new_password: Option<Secret>,
    pub targets: Vec<TestTarget>,
    /// Every CA the probe trusts after this save (kept, minus removed, plus pasted).
    pub trusted_ca: Vec<TrustedCa>,
}

/// The settings as stored in one revision. Values are kept when the proxy or its
/// authentication is disabled, so re-enabling brings them back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProxyConfig {
    pub enabled: bool,
    pub host: Option<ProxyHost>,
    pub port: Option<Port>,
    pub use_auth: bool,
    pub username: Option<UserName>,
    pub password: Option<Secret>,
    /// What Test connection probes; empty means the default, `https://<--probe-target>/`.
    /// Not part of iprep_proxy.conf.
    pub targets: Vec<TestTarget>,
    /// Trusted CA for the probe: extra trust anchors for every test, on top of
    /// `--ca-file` and the OS store. Not part of iprep_proxy.conf.
    pub trusted_ca: Vec<TrustedCa>,
}

/// One changed field of a save, with secrets masked; stored with the revision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Change {
    pub field: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

impl ProxySettings {
    /// The configuration this save produces on top of `current`.
    pub fn apply_to(&self, current: &ProxyConfig) -> ProxyConfig {
        ProxyConfig {
            enabled: self.enabled,
            host: self.host.clone(),
            port: self.port,
            use_auth: self.use_auth,
            username: self.username.clone(),
            password: self.new_password.clone().or_else(|| {
                current
                    .password_for(self.host.as_ref(), self.port, self.username.as_ref())
                    .cloned()
            }),
            targets: self.targets.clone(),
            trusted_ca: self.trusted_ca.clone(),
        }
    }
}

impl ProxyConfig {
    /// The stored password, if it may go to `host:port` as `username`. A password belongs
    /// to the proxy and user name it was saved with (SPEC §6): a blank password on a form
    /// aimed anywhere else must not send it there — to a listener that answers 407 Basic
    /// it would travel in clear.
    pub fn password_for(
        &self,
        host: Option<&ProxyHost>,
        port: Option<Port>,
        username: Option<&UserName>,
    ) -> Option<&Secret> {
        let same_host = match (&self.host, host) {
            (Some(saved), Some(given)) => saved.as_str().eq_ignore_ascii_case(given.as_str()),
            (saved, given) => saved.as_ref() == given,
        };
        let same = same_host && self.port == port && self.username.as_ref() == username;
        self.password.as_ref().filter(|_| same)
    }

    /// `Some((host, port))` when the proxy is on and complete: what the file and probe use.
    pub fn active_endpoint(&self) -> Option<(&ProxyHost, Port)> {
        match (self.enabled, &self.host, self.port) {
            (true, Some(h), Some(p)) => Some((h, p)),
            _ => None,
        }
    }

    /// Field-by-field differences from `old`; a password shows only that it changed.
    pub fn changes_from(&self, old: &ProxyConfig) -> Vec<Change> {
        let mut out = Vec::new();
        let mut push = |field: &str, from: Option<String>, to: Option<String>| {
            if from != to {
                out.push(Change {
                    field: field.to_owned(),
                    from,
                    to,
                });
            }
        };
        let flag = |b: bool| Some(if b { "on" } else { "off" }.to_owned());
        push("enabled", flag(old.enabled), flag(self.enabled));
        let host = |h: &Option<ProxyHost>| h.as_ref().map(ProxyHost::to_string);
        push("host", host(&old.host), host(&self.host));
        let port = |p: Option<Port>| p.map(|p| p.to_string());
        push("port", port(old.port), port(self.port));
        push("use_auth", flag(old.use_auth), flag(self.use_auth));
        let name = |u: &Option<UserName>| u.as_ref().map(|u| u.as_str().to_owned());
        push("username", name(&old.username), name(&self.username));
        push(
            "targets",
            targets_said(&old.targets),
            targets_said(&self.targets),
        );
        out.extend(ca_changes(&old.trusted_ca, &self.trusted_ca));
        if old.password != self.password {
            let mask = |p: &Option<Secret>| p.as_ref().map(|_| "****".to_owned());
            out.push(Change {
                field: "password".into(),
                from: mask(&old.password),
                to: mask(&self.password),
            });
        }
        out
    }
}

/// Targets as a change shows them: the lines joined by `, ` (a URL has no space), none
/// for the default.
fn targets_said(targets: &[TestTarget]) -> Option<String> {
    (!targets.is_empty()).then(|| {
        targets
            .iter()
            .map(TestTarget::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    })
}

/// One `trusted_ca` change per certificate removed (`from` only) or added (`to` only),
/// said as `subject (until date)`: the history reads "Trusted CA added: CN=…".
fn ca_changes(old: &[TrustedCa], new: &[TrustedCa]) -> Vec<Change> {
    let held = |list: &[TrustedCa], ca: &TrustedCa| {
        list.iter().any(|c| c.fingerprint() == ca.fingerprint())
    };
    let change = |from: Option<&TrustedCa>, to: Option<&TrustedCa>| Change {
        field: "trusted_ca".into(),
        from: from.map(TrustedCa::to_string),
        to: to.map(TrustedCa::to_string),
    };
    let removed = old
        .iter()
        .filter(|ca| !held(new, ca))
        .map(|ca| change(Some(ca), None));
    let added = new
        .iter()
        .filter(|ca| !held(old, ca))
        .map(|ca| change(None, Some(ca)));
    removed.chain(added).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    impl ProxyConfig {
        fn password_for_text(&self, host: &str, port: u16, username: &str) -> Option<&Secret> {
            let host = ProxyHost::parse(host).unwrap();
            let username = UserName::parse(username).unwrap();
            self.password_for(Some(&host), Port::new(port), Some(&username))
        }
    }

    fn config() -> ProxyConfig {
        ProxyConfig {
            enabled: true,
            host: ProxyHost::parse("10.10.10.1").ok(),
            port: Port::new(80),
            use_auth: true,
            username: UserName::parse("u").ok(),
            password: Some(Secret::new("old-secret")),
            targets: Vec::new(),
            trusted_ca: Vec::new(),
        }
    }

    #[test]
    fn a_blank_password_keeps_the_stored_one() {
        let settings = ProxySettings {
            enabled: false,
            host: ProxyHost::parse("10.10.10.1").ok(),
            port: Port::new(80),
            use_auth: false,
            username: UserName::parse("u").ok(),
            new_password: None,
            targets: Vec::new(),
            trusted_ca: Vec::new(),
        };
        assert_eq!(
            settings.apply_to(&config()).password,
            Some(Secret::new("old-secret"))
        );
    }

    #[test]
    fn the_stored_password_goes_only_where_it_was_saved_for() {
        let c = config();
        let pw = Some(&Secret::new("old-secret"));
        assert_eq!(c.password_for_text("10.10.10.1", 80, "u"), pw);
        assert_eq!(c.password_for_text("10.10.10.2", 80, "u"), None);
        assert_eq!(c.password_for_text("10.10.10.1", 81, "u"), None);
        assert_eq!(c.password_for_text("10.10.10.1", 80, "U"), None);
        assert_eq!(
            c.password_for(None, Port::new(80), UserName::parse("u").ok().as_ref()),
            None
        );
        let named = ProxyConfig {
            host: ProxyHost::parse("Proxy.Example.com").ok(),
            ..config()
        };
        assert_eq!(
            named.password_for_text("proxy.example.COM", 80, "u"),
            pw,
            "DNS names compare without case"
        );
    }

    #[test]
    fn a_save_aimed_elsewhere_drops_the_stored_password() {
        let moved = ProxySettings {
            enabled: true,
            host: ProxyHost::parse("10.9.9.9").ok(),
            port: Port::new(80),
            use_auth: false,
            username: UserName::parse("u").ok(),
            new_password: None,
            targets: Vec::new(),
            trusted_ca: Vec::new(),
        };
        assert_eq!(moved.apply_to(&config()).password, None);
        let typed = ProxySettings {
            new_password: Some(Secret::new("typed")),
            ..moved
        };
        assert_eq!(
            typed.apply_to(&config()).password,
            Some(Secret::new("typed"))
        );
    }

    #[test]
    fn changes_mask_the_password() {
        let old = config();
        let new = ProxyConfig {
            password: Some(Secret::new("new-secret")),
            port: Port::new(3128),
            ..config()
        };
        let changes = new.changes_from(&old);
        assert_eq!(changes.len(), 2);
        assert_eq!(
            changes[0],
            Change {
                field: "port".into(),
                from: Some("80".into()),
                to: Some("3128".into())
            }
        );
        let json = serde_json::to_string(&changes).unwrap();
        assert!(!json.contains("secret"), "{json}");
        assert!(json.contains("****"));
    }

    #[test]
    fn a_targets_change_shows_both_lists() {
        let old = config();
        let new = ProxyConfig {
            targets: targets::parse_targets("https://a.example/\nhttps://b.example/x download")
                .unwrap(),
            ..config()
        };
        assert_eq!(
            new.changes_from(&old),
            [Change {
                field: "targets".into(),
                from: None,
                to: Some("https://a.example/, https://b.example/x download".into()),
            }]
        );
        assert_eq!(new.changes_from(&new), []);
    }

    #[test]
    fn a_trusted_ca_change_says_each_certificate_added_or_removed() {
        let ca = |cn: &str| {
            let key = rcgen::KeyPair::generate().unwrap();
            let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
            params
                .distinguished_name
                .push(rcgen::DnType::CommonName, cn);
            params.not_after = rcgen::date_time_ymd(2040, 1, 1);
            let pem = params.self_signed(&key).unwrap().pem();
            trusted_ca::parse_pem(&pem, trusted_ca::now())
                .unwrap()
                .remove(0)
        };
        let (a, b) = (ca("A"), ca("B"));
        let old = ProxyConfig {
            trusted_ca: vec![a.clone()],
            ..config()
        };
        let new = ProxyConfig {
            trusted_ca: vec![b],
            ..config()
        };
        assert_eq!(
            new.changes_from(&old),
            [
                Change {
                    field: "trusted_ca".into(),
                    from: Some("CN=A (until 2040-01-01)".into()),
                    to: None
                },
                Change {
                    field: "trusted_ca".into(),
                    from: None,
                    to: Some("CN=B (until 2040-01-01)".into())
                },
            ]
        );
        assert_eq!(old.changes_from(&old), []);
    }

    #[test]
    fn only_an_enabled_complete_proxy_has_an_endpoint() {
        let saved = config();
        let (host, port) = saved.active_endpoint().unwrap();
        assert_eq!((host.as_str(), port.get()), ("10.10.10.1", 80));
        assert_eq!(
            ProxyConfig {
                enabled: false,
                ..config()
            }
            .active_endpoint(),
            None
        );
        assert_eq!(
            ProxyConfig {
                port: None,
                ..config()
            }
            .active_endpoint(),
            None
        );
    }
}
