//! The Proxy form as submitted (raw strings, as miniflux keeps them) and its parsing into
//! [`ProxySettings`] or a list of refusals, one per field, in the order of the page.

use super::fields::{
    PasswordError, Port, PortError, ProxyHost, ProxyHostError, UserName, UserNameError,
    parse_password,
};
use super::targets::{TargetsError, parse_targets};
use super::trusted_ca::{self, CaError};
use super::{ProxyConfig, ProxySettings};
use crate::locale::Lang;

/// The submitted values, kept verbatim so a failed save can show them again.
/// Passwords are here only on the way in; templates never print them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProxyForm {
    pub enabled: bool,
    pub host: String,
    pub port: String,
    pub use_auth: bool,
    pub username: String,
    pub password: String,
    pub confirm_password: String,
    /// The test targets' textarea: one `URL` or `URL download` per line.
    pub targets: String,
    /// Trusted CA: PEM pasted (or read from a file by the page's script) to add.
    pub ca_pem: String,
    /// The fingerprints of stored CAs whose Remove box is ticked.
    pub ca_remove: Vec<String>,
    /// `ca_pem` is the whole list, not an addition (the API's `ca_pem`).
    pub ca_replace: bool,
}

/// Form fields in page order; `id()` is also the HTML id and the form field name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    Host,
    Port,
    Username,
    Password,
    Targets,
    TrustedCa,
}

impl Field {
    pub fn id(self) -> &'static str {
        match self {
            Field::Host => "host",
            Field::Port => "port",
            Field::Username => "username",
            Field::Password => "password",
            Field::Targets => "targets",
            Field::TrustedCa => "ca_pem",
        }
    }

    /// The field's label in English; pages use `Texts::field_label` for their language.
    pub fn label(self) -> &'static str {
        crate::locale::EN.field_label(&self)
    }
}

/// Field labels live with the fields, so the catalog needs no settings type (imports point
/// down: `settings` uses `locale`, never the other way).
impl crate::locale::Texts {
    pub fn field_label(&self, field: &Field) -> &'static str {
        match field {
            Field::Host => self.http_proxy,
            Field::Port => self.port,
            Field::Username => self.user_name,
            Field::Password => self.password,
            Field::Targets => self.test_targets,
            Field::TrustedCa => self.trusted_ca,
        }
    }
}

/// Why a field was refused: a fact; [`FieldError::message`] says it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldError {
    Host(ProxyHostError),
    Port(PortError),
    Username(UserNameError),
    Password(PasswordError),
    Targets(TargetsError),
    TrustedCa(CaError),
    /// The password was left blank to keep the stored one, but that one belongs to another
    /// proxy or user name ([`ProxyConfig::password_for`]).
    PasswordNotKept,
}

/// The refusals of the fields that failed, in page order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<(Field, FieldError)>);

impl FieldErrors {
    pub fn get(&self, field: Field) -> Option<&FieldError> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, e)| e)
    }

    /// The refusal of `field` in `lang` (English for the JSON API).
    pub fn message(&self, field: Field, lang: Lang) -> Option<String> {
        self.get(field).map(|e| e.message(lang))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl ProxyForm {
    /// The pasted CA text as the form shows it again: never a private key.
    pub fn ca_pem_echo(&self) -> &str {
        trusted_ca::echo(&self.ca_pem)
    }

    /// Validate per SPEC §4. Values are required only when the proxy (and for the
    /// credentials, authentication) is enabled, but anything entered must be valid, so a
    /// disabled proxy can never hide a value that would fail once re-enabled.
    /// A blank password keeps the one `stored` holds, but only while host, port and user
    /// name are the ones it was saved with ([`ProxyConfig::password_for`]).
    pub fn parse(&self, stored: &ProxyConfig) -> Result<ProxySettings, FieldErrors> {
        let mut errors = Vec::new();
        let need_auth = self.enabled && self.use_auth;

        let host = optional(&self.host, self.enabled, &mut errors, |raw| {
            ProxyHost::parse(raw).map_err(|e| (Field::Host, FieldError::Host(e)))
        });
        let port = optional(&self.port, self.enabled, &mut errors, |raw| {
            Port::parse(raw).map_err(|e| (Field::Port, FieldError::Port(e)))
        });
        let username = optional(&self.username, need_auth, &mut errors, |raw| {
            UserName::parse(raw).map_err(|e| (Field::Username, FieldError::Username(e)))
        });

        let password = if self.password.is_empty() && self.confirm_password.is_empty() {
            let kept = stored.password_for(host.as_ref(), port, username.as_ref());
            if need_auth && kept.is_none() {
                match stored.password {
                    None => {
                        errors.push((Field::Password, FieldError::Password(PasswordError::Empty)))
                    }
                    // The other messages come first; this one would only confuse them.
                    Some(_) if !errors.is_empty() => {}
                    Some(_) => errors.push((Field::Password, FieldError::PasswordNotKept)),
                }
            }
            None
        } else {
            match parse_password(&self.password, &self.confirm_password) {
                Ok(secret) => Some(secret),
                Err(e) => {
                    errors.push((Field::Password, FieldError::Password(e)));
                    None
                }
            }
        };

        // Targets are checked whether the proxy is on or not: a test runs either way.
        let targets = parse_targets(&self.targets)
            .map_err(|e| errors.push((Field::Targets, FieldError::Targets(e))))
            .unwrap_or_default();
        let trusted_ca = trusted_ca::combine(
            &stored.trusted_ca,
            &self.ca_remove,
            self.ca_replace,
            &self.ca_pem,
            trusted_ca::now(),
        )
        .map_err(|e| errors.push((Field::TrustedCa, FieldError::TrustedCa(e))))
        .unwrap_or_default();

        if !errors.is_empty() {
            return Err(FieldErrors(errors));
        }
        Ok(ProxySettings {
            targets,
            trusted_ca,
            enabled: self.enabled,
            host,
            port,
            use_auth: self.use_auth,
            username,
            new_password: password,
        })
    }
}

/// `raw` parsed, or `None` when it is blank and not `required`; a refusal goes to `errors`.
fn optional<T>(
    raw: &str,
    required: bool,
    errors: &mut Vec<(Field, FieldError)>,
    parse: impl Fn(&str) -> Result<T, (Field, FieldError)>,
) -> Option<T> {
    if raw.is_empty() && !required {
        return None;
    }
    parse(raw).map_err(|e| errors.push(e)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a save of `enabled_form` with user `u` and a password stored.
    fn stored() -> ProxyConfig {
        ProxyConfig {
            enabled: true,
            host: ProxyHost::parse("10.10.10.1").ok(),
            port: Port::new(80),
            use_auth: true,
            username: UserName::parse("u").ok(),
            password: Some(crate::secret::Secret::new("saved")),
            targets: Vec::new(),
            trusted_ca: Vec::new(),
        }
    }

    fn enabled_form() -> ProxyForm {
        ProxyForm {
            enabled: true,
            host: "10.10.10.1".into(),
            port: "80".into(),
            ..ProxyForm::default()
        }
    }

    #[test]
    fn an_enabled_proxy_needs_host_and_port() {
        let form = ProxyForm {
            enabled: true,
            ..ProxyForm::default()
        };
        let errs = form.parse(&ProxyConfig::default()).unwrap_err();
        assert!(errs.get(Field::Host).is_some());
        assert!(errs.get(Field::Port).is_some());
        assert_eq!(errs.0.len(), 2);
    }

    #[test]
    fn a_disabled_proxy_keeps_blank_values_but_still_refuses_bad_ones() {
        assert!(ProxyForm::default().parse(&ProxyConfig::default()).is_ok());
        let form = ProxyForm {
            host: "http://proxy:3128".into(),
            ..ProxyForm::default()
        };
        assert_eq!(
            form.parse(&ProxyConfig::default())
                .unwrap_err()
                .message(Field::Host, Lang::En)
                .as_deref(),
            Some("Enter the host only; the port goes in Port.")
        );
    }

    #[test]
    fn authentication_needs_a_user_and_a_password_unless_one_is_stored() {
        let form = ProxyForm {
            use_auth: true,
            ..enabled_form()
        };
        let errs = form.parse(&ProxyConfig::default()).unwrap_err();
        assert!(errs.get(Field::Username).is_some());
        assert!(errs.get(Field::Password).is_some());

        let form = ProxyForm {
            use_auth: true,
            username: "u".into(),
            ..enabled_form()
        };
        let settings = form.parse(&stored()).unwrap();
        assert!(
            settings.new_password.is_none(),
            "blank keeps the stored password"
        );
    }

    #[test]
    fn a_blank_password_aimed_at_another_proxy_or_user_must_be_typed_again() {
        for (host, port, user) in [
            ("10.10.10.2", "80", "u"),
            ("10.10.10.1", "8080", "u"),
            ("10.10.10.1", "80", "someone-else"),
        ] {
            let form = ProxyForm {
                host: host.into(),
                port: port.into(),
                use_auth: true,
                username: user.into(),
                ..enabled_form()
            };
            let errs = form.parse(&stored()).unwrap_err();
            assert_eq!(errs.0.len(), 1, "{errs:?}");
            assert_eq!(
                errs.get(Field::Password),
                Some(&FieldError::PasswordNotKept),
                "{errs:?}"
            );
            assert!(
                errs.message(Field::Password, Lang::En)
                    .unwrap()
                    .starts_with("The stored password is kept only for"),
                "{errs:?}"
            );
        }
    }

    #[test]
    fn targets_are_parsed_and_a_refusal_names_the_line_and_keeps_nothing_else_from_saving() {
        let form = ProxyForm {
            targets: "https://a.example/\n\nhttps://b.example/ download".into(),
            ..enabled_form()
        };
        let settings = form.parse(&ProxyConfig::default()).unwrap();
        assert_eq!(settings.targets.len(), 2);
        assert!(settings.targets[1].download);
        let form = ProxyForm {
            targets: "https://a.example/\nhttps://a.example/".into(),
            ..enabled_form()
        };
        let errs = form.parse(&ProxyConfig::default()).unwrap_err();
        assert_eq!(errs.0.len(), 1);
        assert_eq!(
            errs.message(Field::Targets, Lang::En).as_deref(),
            Some("Line 2: https://a.example/ is already on line 1.")
        );
    }

    #[test]
    fn a_mismatched_confirmation_is_reported_on_the_password() {
        let form = ProxyForm {
            use_auth: true,
            username: "u".into(),
            password: "one".into(),
            confirm_password: "two".into(),
            ..enabled_form()
        };
        let errs = form.parse(&stored()).unwrap_err();
        assert_eq!(
            errs.get(Field::Password),
            Some(&FieldError::Password(PasswordError::Mismatch))
        );
        assert_eq!(
            errs.message(Field::Password, Lang::En).as_deref(),
            Some("The password and its confirmation differ.")
        );
    }

    #[test]
    fn every_message_is_in_chinese_too() {
        let form = ProxyForm {
            enabled: true,
            use_auth: true,
            host: "bad host".into(),
            port: "0".into(),
            username: "a:b".into(),
            password: "one".into(),
            confirm_password: "two".into(),
            targets: "https://a.example/\nftp://b.example/".into(),
            ca_pem: "-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----".into(),
            ..ProxyForm::default()
        };
        for (field, error) in form.parse(&ProxyConfig::default()).unwrap_err().0 {
            let (en, zh) = (error.message(Lang::En), error.message(Lang::ZhCn));
            assert!(
                zh != en && zh.chars().any(|c| c > '\u{2e80}'),
                "{field:?}: {zh}"
            );
        }
    }

    #[test]
    fn errors_come_in_page_order() {
        let form = ProxyForm {
            enabled: true,
            use_auth: true,
            host: "bad host".into(),
            port: "0".into(),
            username: "a:b".into(),
            targets: "bad host".into(),
            ..ProxyForm::default()
        };
        let fields: Vec<Field> = form
            .parse(&ProxyConfig::default())
            .unwrap_err()
            .0
            .iter()
            .map(|e| e.0)
            .collect();
        assert_eq!(
            fields,
            [
                Field::Host,
                Field::Port,
                Field::Username,
                Field::Password,
                Field::Targets
            ]
        );
    }
}
