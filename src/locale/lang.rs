//! The two languages of the UI, as FMC offers them: English (the default) and Simplified
//! Chinese. Owns the choice of language for a request (a saved preference, else
//! `Accept-Language`) and [`Text`], a message already said in both languages.

use std::convert::Infallible;
use std::fmt;

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::Response;

use super::Texts;
use super::catalog::{EN, ZH_CN};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    En,
    ZhCn,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhCn];

    /// The code stored for a user and written in `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// A stored or submitted code; anything else is not a language we offer.
    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code)
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::En => &EN,
            Lang::ZhCn => &ZH_CN,
        }
    }

    /// The language for one `Accept-Language` tag, if we offer it. Only Simplified Chinese
    /// is offered, so Traditional (`zh-TW`, `zh-HK`, `zh-MO`, `zh-Hant…`) is not a match.
    fn for_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase();
        let mut parts = tag.split(['-', '_']);
        match parts.next()? {
            "en" | "*" => Some(Lang::En),
            "zh" => {
                let rest: Vec<&str> = parts.collect();
                if rest.contains(&"hans") {
                    return Some(Lang::ZhCn);
                }
                let traditional = ["hant", "tw", "hk", "mo"];
                if rest.iter().any(|p| traditional.contains(p)) {
                    None
                } else {
                    Some(Lang::ZhCn)
                }
            }
            _ => None,
        }
    }

    /// The best offered language for an `Accept-Language` value (RFC 9110 §12.5.4): the
    /// highest q among the tags we offer, the first listed on a tie; English if none.
    pub fn negotiate(accept_language: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for item in accept_language.split(',') {
            let mut params = item.split(';');
            let Some(lang) = params.next().and_then(Lang::for_tag) else {
                continue;
            };
            let q = params
                .filter_map(|p| p.trim().strip_prefix("q=").or(p.trim().strip_prefix("Q=")))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q.is_nan() || q <= 0.0 {
                continue;
            }
            if best.is_none_or(|(b, _)| q > b) {
                best = Some((q, lang));
            }
        }
        best.map_or(Lang::En, |(_, lang)| lang)
    }

    pub fn from_headers(headers: &HeaderMap) -> Lang {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map_or(Lang::En, Lang::negotiate)
    }
}

tokio::task_local! {
    static CURRENT: Lang;
}

/// The language of the request being handled, for code that has no request at hand (error
/// pages made from an `AppError`). English outside a request.
pub fn current() -> Lang {
    CURRENT.try_with(|l| *l).unwrap_or_default()
}

/// Run `fut` (the rest of the request) in `lang`, for error pages made far from the
/// request; handlers take the [`Lang`] extension the caller inserted.
pub async fn run_in(lang: Lang, fut: impl Future<Output = Response>) -> Response {
    CURRENT.scope(lang, fut).await
}

/// Middleware for every route: the language from `Accept-Language`. The session guard
/// replaces it with the user's saved preference, if there is one.
pub async fn from_browser(mut req: Request, next: Next) -> Response {
    let lang = Lang::from_headers(req.headers());
    req.extensions_mut().insert(lang);
    run_in(lang, next.run(req)).await
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Lang>()
            .copied()
            .unwrap_or_else(|| Lang::from_headers(&parts.headers)))
    }
}

/// A message for the admin said in both languages by the locale layer (`locale::text`);
/// a test there fails when a message lacks a language. `Display` is the English (logs and
/// the JSON API).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Text {
    pub en: String,
    pub zh_cn: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::ZhCn => &self.zh_cn,
        }
    }

    /// Words shown as they are typed in both languages: a name, an address, a status line.
    pub fn same(s: impl Into<String>) -> Text {
        let s = s.into();
        Text {
            en: s.clone(),
            zh_cn: s,
        }
    }

    /// A text made by saying the same thing once per language.
    pub fn each(f: impl Fn(Lang) -> String) -> Text {
        Text {
            en: f(Lang::En),
            zh_cn: f(Lang::ZhCn),
        }
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simplified_chinese_tags_choose_chinese() {
        for header in [
            "zh",
            "zh-CN",
            "zh-cn",
            "zh-Hans",
            "zh-Hans-CN",
            "zh-SG",
            "zh_CN",
            "zh-CN,zh;q=0.9,en;q=0.8",
        ] {
            assert_eq!(Lang::negotiate(header), Lang::ZhCn, "{header}");
        }
    }

    #[test]
    fn traditional_chinese_falls_back_to_english() {
        for header in [
            "zh-TW",
            "zh-Hant",
            "zh-HK",
            "zh-Hant-TW",
            "zh-MO",
            "zh-TW,fr;q=0.5",
        ] {
            assert_eq!(Lang::negotiate(header), Lang::En, "{header}");
        }
    }

    #[test]
    fn english_is_the_default() {
        for header in ["", "fr-FR", "de, ja;q=0.5", "garbage;;;", "zh;q=0"] {
            assert_eq!(Lang::negotiate(header), Lang::En, "{header}");
        }
        assert_eq!(Lang::from_headers(&HeaderMap::new()), Lang::En);
    }

    #[test]
    fn q_values_rank_the_offered_languages() {
        assert_eq!(Lang::negotiate("en;q=0.5, zh-CN;q=0.8"), Lang::ZhCn);
        assert_eq!(Lang::negotiate("zh-CN;q=0.5, en"), Lang::En);
        assert_eq!(Lang::negotiate("fr, zh-TW;q=0.9, zh-CN;q=0.4"), Lang::ZhCn);
        assert_eq!(
            Lang::negotiate("en-US, zh-CN"),
            Lang::En,
            "tie: first listed"
        );
        assert_eq!(Lang::negotiate("*;q=0.1, zh;q=0.5"), Lang::ZhCn);
        assert_eq!(Lang::negotiate("zh-CN; q=0.3 , en ; q=0.2"), Lang::ZhCn);
    }

    #[test]
    fn codes_round_trip() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
        }
        assert_eq!(Lang::from_code("auto"), None);
        assert_eq!(Lang::from_code("zh-TW"), None);
    }

    #[test]
    fn a_text_says_each_language_and_displays_the_english() {
        use crate::locale::{self, Arg};
        let id = "web-form-field-not-a-number";
        let t = locale::text(id, &[("field", Arg::same(&"port"))]);
        let args = [("field", "port".to_owned())];
        assert_eq!(t.get(Lang::En), "the field 'port' must be a whole number");
        assert_eq!(t.get(Lang::ZhCn), locale::message(Lang::ZhCn, id, &args));
        assert_ne!(t.en, t.zh_cn);
        assert_eq!(t.to_string(), t.en, "logs and JSON say the English");

        let same = Text::same("tools.cisco.com:443");
        assert_eq!(same.get(Lang::En), same.get(Lang::ZhCn));
    }

    #[test]
    fn a_text_can_be_made_per_language() {
        let t = Text::each(|l| l.code().to_owned());
        assert_eq!((t.en.as_str(), t.zh_cn.as_str()), ("en", "zh-CN"));
    }
}
