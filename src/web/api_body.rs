//! The JSON API's request bodies: what a PUT and a test take, read into the form the page
//! validates, so the API and the page share one set of rules.

use axum::http::{HeaderMap, StatusCode, header};
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

use crate::settings::ProxyConfig;
use crate::settings::form::ProxyForm;

/// A PUT body: the form's fields with JSON types. GET's answer is one: `null` means blank,
/// and its read-only fields (`password_set`, `updated_at`, `updated_by`) are accepted and
/// ignored, so a client can read, change a field and send the object back. `password`
/// absent, null or blank keeps the stored one; `confirm_password` defaults to `password`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProxyPut {
    pub enabled: bool,
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<u16>)]
    pub port: Option<serde_json::Number>,
    #[serde(default)]
    pub use_auth: bool,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub confirm_password: Option<String>,
    /// Test targets, at most 8: `"https://host/path"`, or with ` download` after the URL
    /// to fetch the whole body (`"https://host/big download"`); a bare `host[:port]` means
    /// `https://host[:port]/`. Absent, null or empty: the default target.
    #[serde(default)]
    pub targets: Option<Vec<String>>,
    /// Trusted CA for the probe: PEM certificates (`-----BEGIN CERTIFICATE-----`, several
    /// in one string) that replace the saved ones; `""` removes them all. Absent or null:
    /// the saved ones are kept. Each must be an X.509 certificate not expired; at most
    /// 32 KiB of PEM and 16 certificates.
    #[serde(default)]
    pub ca_pem: Option<String>,
    /// Read-only (as GET shows the saved CAs); ignored.
    #[serde(default)]
    #[schema(value_type = Option<Vec<super::api::CaView>>)]
    pub trusted_ca: Option<serde_json::Value>,
    /// The revision the client last read (0 before the first save).
    #[serde(deserialize_with = "whole_number")]
    #[schema(minimum = 0)]
    pub revision: i64,
    #[serde(default)]
    pub password_set: Option<bool>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub updated_by: Option<String>,
}

impl ProxyPut {
    /// The form these values make; the revision and read-only fields are not part of it.
    pub fn into_form(self) -> ProxyForm {
        let password = self.password.unwrap_or_default();
        ProxyForm {
            enabled: self.enabled,
            host: self.host.unwrap_or_default(),
            port: port_text(self.port.as_ref()),
            use_auth: self.use_auth,
            username: self.username.unwrap_or_default(),
            confirm_password: self.confirm_password.unwrap_or_else(|| password.clone()),
            password,
            targets: targets_text(self.targets.as_deref().unwrap_or_default()),
            ca_replace: self.ca_pem.is_some(),
            ca_pem: self.ca_pem.unwrap_or_default(),
            ca_remove: Vec::new(),
        }
    }
}

/// The API's target lines as the form's textarea: line N is entry N, so a refusal names
/// the entry (a line break inside an entry becomes a space, which the parser refuses).
fn targets_text(lines: &[String]) -> String {
    lines
        .iter()
        .map(|l| l.replace(['\r', '\n'], " "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A JSON number as the form's Port text. JSON does not tell 3128 from 3128.0 (nor does the
/// document's `integer`), so a whole number is that number; anything else keeps its text and
/// gets the form's message.
fn port_text(port: Option<&serde_json::Number>) -> String {
    let Some(n) = port else {
        return String::new();
    };
    match (n.as_u64(), n.as_f64()) {
        (Some(whole), _) => whole.to_string(),
        (None, Some(f)) if f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&f) => {
            format!("{f:.0}")
        }
        _ => n.to_string(),
    }
}

/// An `i64` that may be written as a whole float (`3.0`), as JSON Schema's `integer` allows.
fn whole_number<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    if let Some(i) = n.as_i64() {
        return Ok(i);
    }
    match n.as_f64() {
        // Beyond 2^53 a float is not exact; only smaller whole floats are taken.
        Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
        _ => Err(serde::de::Error::custom(format!(
            "invalid value: {n}, expected a whole number"
        ))),
    }
}

/// What to test: the same fields as a PUT, without `enabled` (a test always runs as if the
/// proxy were on) and `revision`. A blank or absent password means the stored one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProxyTest {
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    #[schema(value_type = u16)]
    pub port: Option<serde_json::Number>,
    #[serde(default)]
    pub use_auth: bool,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    /// The targets to test, as in a PUT; absent or null: the saved ones.
    #[serde(default)]
    pub targets: Option<Vec<String>>,
    /// The CAs to trust, as in a PUT; absent or null: the saved ones.
    #[serde(default)]
    pub ca_pem: Option<String>,
}

impl ProxyTest {
    /// The form to test; targets not given are the `saved` ones.
    pub fn into_form(self, saved: &ProxyConfig) -> ProxyForm {
        let password = self.password.unwrap_or_default();
        ProxyForm {
            enabled: true,
            host: self.host.unwrap_or_default(),
            port: port_text(self.port.as_ref()),
            use_auth: self.use_auth,
            username: self.username.unwrap_or_default(),
            confirm_password: password.clone(),
            password,
            targets: match &self.targets {
                Some(lines) => targets_text(lines),
                None => crate::settings::targets::targets_text(&saved.targets),
            },
            // Absent: the form parses against the saved config, which keeps its CAs.
            ca_replace: self.ca_pem.is_some(),
            ca_pem: self.ca_pem.unwrap_or_default(),
            ca_remove: Vec::new(),
        }
    }
}

/// `application/json`, or a `+json` type, whatever its parameters.
pub fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence
            .strip_prefix("application/")
            .is_some_and(|sub| sub.ends_with("+json"))
}

/// The values a test body asks for: the saved ones when there is no body, else the JSON
/// body's. A body in any other type is refused (415) rather than guessed at. The error is
/// the status and message of the refusal.
pub fn test_form(
    headers: &HeaderMap,
    body: &[u8],
    saved: &ProxyConfig,
) -> Result<ProxyForm, (StatusCode, String)> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(super::page::form_from_config(saved));
    }
    if !is_json(headers) {
        return Err((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the test body as `Content-Type: application/json`, or no body to test the saved settings".into(),
        ));
    }
    serde_json::from_slice::<ProxyTest>(body)
        .map(|test| test.into_form(saved))
        .map_err(|e| {
            (
                StatusCode::BAD_REQUEST,
                format!("not a valid test body: {e}"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn number(json: &str) -> serde_json::Number {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_port_is_read_as_the_form_would_read_its_text() {
        assert_eq!(port_text(None), "");
        assert_eq!(port_text(Some(&number("3128"))), "3128");
        assert_eq!(port_text(Some(&number("3128.0"))), "3128");
        assert_eq!(port_text(Some(&number("3128.5"))), "3128.5");
        assert_eq!(port_text(Some(&number("-1"))), "-1");
        // Too large to be exact: its text, which the form refuses.
        assert_eq!(port_text(Some(&number("1e300"))), "1e+300");
    }

    #[test]
    fn a_revision_may_be_a_whole_float_but_not_a_fraction() {
        let read = |json: &str| {
            serde_json::from_str::<ProxyPut>(&format!(
                r#"{{"enabled": false, "revision": {json}}}"#
            ))
            .map(|p| p.revision)
        };
        assert_eq!(read("3").unwrap(), 3);
        assert_eq!(read("3.0").unwrap(), 3);
        assert!(
            read("3.5")
                .unwrap_err()
                .to_string()
                .contains("whole number")
        );
        assert!(read("\"3\"").is_err());
    }

    #[test]
    fn target_entries_are_the_forms_lines_one_each() {
        let put: ProxyPut = serde_json::from_str(
            r#"{"enabled": false, "revision": 0, "targets": ["https://a.example/", "", "b.example download", "https://c.example/\nhttps://d.example/"]}"#,
        )
        .unwrap();
        let form = put.into_form();
        assert_eq!(
            form.targets,
            "https://a.example/\n\nb.example download\nhttps://c.example/ https://d.example/"
        );
        let error = form.parse(&ProxyConfig::default()).unwrap_err();
        let said = error
            .message(
                crate::settings::form::Field::Targets,
                crate::locale::Lang::En,
            )
            .unwrap();
        assert!(said.starts_with("Line 4: "), "{said}");
    }

    #[test]
    fn a_test_without_targets_tests_the_saved_ones() {
        let saved = ProxyConfig {
            targets: crate::settings::targets::parse_targets("https://s.example/").unwrap(),
            ..ProxyConfig::default()
        };
        let absent: ProxyTest = serde_json::from_str(r#"{"host": "h"}"#).unwrap();
        assert_eq!(absent.into_form(&saved).targets, "https://s.example/");
        let given: ProxyTest = serde_json::from_str(r#"{"targets": ["g.example"]}"#).unwrap();
        assert_eq!(given.into_form(&saved).targets, "g.example");
    }

    #[test]
    fn json_is_application_json_or_a_json_suffix_whatever_the_parameters() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(value).unwrap());
            is_json(&headers)
        };
        assert!(with("application/json"));
        assert!(with("Application/JSON; charset=utf-8"));
        assert!(with("application/merge-patch+json"));
        assert!(!with("text/plain"));
        assert!(!with("application/jsonx"));
        assert!(!with("text/json+x"));
        assert!(!is_json(&HeaderMap::new()));
    }
}
