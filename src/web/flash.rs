//! One-shot messages after a redirect (Post/Redirect/Get), carried in a short-lived cookie.
//! Only a fixed set of kinds travels, so a cookie can never inject text into the page.

use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue};

use super::extract::Cookies;
use crate::locale::Text;
use crate::locale::{self, Arg};

const NAME: &str = "fmc_flash";

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

    #[test]
    fn unknown_flash_values_are_ignored() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_static("fmc_flash=<script>"));
        assert_eq!(Flash::from_cookies(&Cookies::from_headers(&headers)), None);
    }
}
