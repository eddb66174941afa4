//! One-shot messages after a redirect (Post/Redirect/Get), carried in a short-lived cookie.
//! Only a fixed set of kinds travels, so a cookie can never inject text into the page.
//! A test without JavaScript carries the form values it tested the same way (never a
//! password), so the page it redirects to shows them again.

use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue};

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use super::extract::Cookies;
use super::form_body::FormBody;
use crate::locale::Text;
use crate::locale::{self, Arg};
use crate::settings::form::ProxyForm;

const NAME: &str = "fmc_flash";
const TESTED: &str = "fmc_tested";

/// A cookie's value stays well under the 4 KiB browsers keep; values that would not fit
/// are not carried (the page then shows the saved ones, and the result says they differ).
const TESTED_MAX: usize = 3500;

/// Which test the page shows after a test without JavaScript (`?test=` in its address).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TestRef {
    /// The test history's id of a test that ran.
    Id(i64),
    /// A test refused by the field checks: nothing ran.
    Refused,
}

impl TestRef {
    pub fn encode(self) -> String {
        match self {
            TestRef::Id(id) => id.to_string(),
            TestRef::Refused => "refused".to_owned(),
        }
    }

    pub fn decode(value: &str) -> Option<Self> {
        match value {
            "refused" => Some(TestRef::Refused),
            id => id.parse().ok().filter(|&id| id > 0).map(TestRef::Id),
        }
    }
}

/// Carry the values `form` tested, for `test`: every field but the passwords.
pub fn set_tested(headers: &mut HeaderMap, test: TestRef, form: &ProxyForm) {
    let value = format!("{}.{}", test.encode(), encode_form(form));
    if value.len() > TESTED_MAX {
        return;
    }
    let cookie = format!("{TESTED}={value}; Path=/; Max-Age=600; HttpOnly; SameSite=Strict");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        headers.append(SET_COOKIE, v);
    }
}

/// The values carried for `test`, if the request has them (for another test: none).
pub fn tested_form(cookies: &Cookies, test: TestRef) -> Option<ProxyForm> {
    let (key, fields) = cookies.get(TESTED)?.split_once('.')?;
    if TestRef::decode(key)? != test {
        return None;
    }
    decode_form(fields)
}

/// The form as `name=value&…`, each value percent-encoded to letters, digits and `%XX`
/// (all safe in a cookie); the passwords left out.
fn encode_form(form: &ProxyForm) -> String {
    let check = |on: bool| if on { "on" } else { "" };
    [
        ("enabled", check(form.enabled)),
        ("host", form.host.as_str()),
        ("port", form.port.as_str()),
        ("use_auth", check(form.use_auth)),
        ("username", form.username.as_str()),
        ("targets", form.targets.as_str()),
    ]
    .iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, NON_ALPHANUMERIC)))
    .collect::<Vec<_>>()
    .join("&")
}

fn decode_form(fields: &str) -> Option<ProxyForm> {
    let body = FormBody::parse(fields.as_bytes()).ok()?;
    Some(ProxyForm {
        enabled: body.checkbox("enabled").ok()?,
        host: body.text("host"),
        port: body.text("port"),
        use_auth: body.checkbox("use_auth").ok()?,
        username: body.text("username"),
        password: String::new(),
        confirm_password: String::new(),
        targets: body.text("targets"),
        // A pasted CA (up to 32 KiB) is too big for a cookie: the page shows the saved ones.
        ..ProxyForm::default()
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flash {
    Saved(i64),
    RolledBack { revision: i64, target: i64 },
}

impl Flash {
    pub fn message(self) -> Text {
        match self {
            Flash::Saved(rev) => locale::text("web-flash-saved", &[("revision", Arg::same(&rev))]),
            Flash::RolledBack { revision, target } => locale::text(
                "web-flash-rolled-back",
                &[
                    ("revision", Arg::same(&revision)),
                    ("target", Arg::same(&target)),
                ],
            ),
        }
    }

    fn encode(self) -> String {
        match self {
            Flash::Saved(rev) => format!("saved-{rev}"),
            Flash::RolledBack { revision, target } => format!("rollback-{revision}-{target}"),
        }
    }

    fn decode(value: &str) -> Option<Self> {
        if let Some(rest) = value.strip_prefix("rollback-") {
            let (revision, target) = rest.split_once('-')?;
            return Some(Flash::RolledBack {
                revision: revision.parse().ok()?,
                target: target.parse().ok()?,
            });
        }
        let rev = value.strip_prefix("saved-")?.parse().ok()?;
        Some(Flash::Saved(rev))
    }

    /// The flash the request's cookies carry, if any (an unknown value is none).
    pub fn from_cookies(cookies: &Cookies) -> Option<Self> {
        cookies.get(NAME).and_then(Flash::decode)
    }
}

pub fn set(headers: &mut HeaderMap, flash: Flash) {
    let value = format!(
        "{NAME}={}; Path=/; Max-Age=60; HttpOnly; SameSite=Strict",
        flash.encode()
    );
    if let Ok(v) = HeaderValue::from_str(&value) {
        headers.append(SET_COOKIE, v);
    }
}

pub fn clear(headers: &mut HeaderMap) {
    headers.append(
        SET_COOKIE,
        HeaderValue::from_static("fmc_flash=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header::COOKIE;

    #[test]
    fn a_flash_survives_the_cookie_round_trip() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("other=1; fmc_flash=saved-12"),
        );
        assert_eq!(
            Flash::from_cookies(&Cookies::from_headers(&headers)),
            Some(Flash::Saved(12))
        );
    }

    #[test]
    fn a_flash_says_its_revisions_in_every_language() {
        use crate::locale::Lang;
        let saved = Flash::Saved(12).message();
        assert_eq!(saved.en, "Saved. The proxy settings are now revision 12.");
        let back = Flash::RolledBack {
            revision: 1234,
            target: 7,
        }
        .message();
        assert_eq!(
            back.en,
            "Rolled back: revision 1234 restores the settings of revision 7."
        );
        let zh = |id, args: &[(&str, String)]| locale::message(Lang::ZhCn, id, args);
        assert_eq!(
            saved.zh_cn,
            zh("web-flash-saved", &[("revision", "12".into())])
        );
        assert_eq!(
            back.zh_cn,
            zh(
                "web-flash-rolled-back",
                &[("revision", "1234".into()), ("target", "7".into())]
            )
        );
        // Revisions are said as the ids they are, never as grouped numbers ("1,234").
        assert!(back.zh_cn.contains("1234") && back.zh_cn.contains('7'));
        assert_ne!(saved.zh_cn, saved.en);
    }

    fn typed() -> ProxyForm {
        ProxyForm {
            enabled: false,
            host: "proxy.example".into(),
            port: "3128".into(),
            use_auth: true,
            username: "ü ser;=&".into(),
            password: "s3cret".into(),
            confirm_password: "s3cret".into(),
            targets: "https://a.example/\nhttp://b.example:8080/x download".into(),
            ..ProxyForm::default()
        }
    }

    /// The request a browser sends back with the cookies `set` put in `headers`.
    fn sent_back(headers: &HeaderMap) -> Cookies {
        let mut back = HeaderMap::new();
        for v in headers.get_all(SET_COOKIE) {
            let pair = v.to_str().unwrap().split(';').next().unwrap().to_owned();
            back.append(COOKIE, HeaderValue::from_str(&pair).unwrap());
        }
        Cookies::from_headers(&back)
    }

    #[test]
    fn the_tested_values_come_back_for_their_test_only_and_never_the_password() {
        let mut headers = HeaderMap::new();
        set_tested(&mut headers, TestRef::Id(42), &typed());
        let cookie = headers.get(SET_COOKIE).unwrap().to_str().unwrap();
        assert!(!cookie.contains("s3cret"), "{cookie}");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
        let cookies = sent_back(&headers);
        let back = tested_form(&cookies, TestRef::Id(42)).unwrap();
        assert_eq!(
            back,
            ProxyForm {
                password: String::new(),
                confirm_password: String::new(),
                ..typed()
            }
        );
        assert_eq!(tested_form(&cookies, TestRef::Id(41)), None);
        assert_eq!(tested_form(&cookies, TestRef::Refused), None);
    }

    #[test]
    fn values_too_long_for_a_cookie_are_not_carried() {
        let mut headers = HeaderMap::new();
        let long = ProxyForm {
            targets: "https://a.example/".repeat(300),
            ..typed()
        };
        set_tested(&mut headers, TestRef::Refused, &long);
        assert!(headers.get(SET_COOKIE).is_none());
    }

    #[test]
    fn a_test_is_named_by_its_id_or_as_refused() {
        assert_eq!(TestRef::decode("7"), Some(TestRef::Id(7)));
        assert_eq!(TestRef::decode("refused"), Some(TestRef::Refused));
        for bad in ["", "0", "-1", "x", "7 "] {
            assert_eq!(TestRef::decode(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn unknown_flash_values_are_ignored() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_static("fmc_flash=<script>"));
        assert_eq!(Flash::from_cookies(&Cookies::from_headers(&headers)), None);
    }
}
