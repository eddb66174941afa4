//! `application/x-www-form-urlencoded` bodies parsed strictly: invalid UTF-8, a field sent
//! twice or a bad percent escape is a clear 400, not a lossy guess (axum's `Form` cannot
//! tell us which field was wrong, and a lossy decode could save a mangled value).

use std::collections::HashMap;

use percent_encoding::percent_decode;

use crate::locale::Text;
use crate::locale::{self, Arg};

#[derive(Clone, Debug, Default)]
pub struct FormBody(HashMap<String, String>);

/// What is wrong with a form: the field it concerns, never words (see [`FormBodyError::text`]).
#[derive(Debug, PartialEq, Eq)]
pub enum FormBodyError {
    NotUtf8(String),
    Duplicate(String),
    Missing(Vec<String>),
    NotACheckbox { field: String, value: String },
    NotANumber(String),
}

impl FormBodyError {
    /// The message id that says this failure, with its variables.
    fn message(&self) -> (&'static str, Vec<(&'static str, Arg)>) {
        let field = |f: &String| vec![("field", Arg::same(f))];
        match self {
            FormBodyError::NotUtf8(f) => ("web-form-field-not-utf8", field(f)),
            FormBodyError::Duplicate(f) => ("web-form-field-twice", field(f)),
            FormBodyError::Missing(fields) => {
                // English says "field" or "fields"; the list is the same in every language.
                let id = if fields.len() > 1 {
                    "web-form-fields-missing"
                } else {
                    "web-form-field-missing"
                };
                (id, vec![("fields", Arg::same(&fields.join(", ")))])
            }
            FormBodyError::NotACheckbox { field, value } => (
                "web-form-field-not-a-checkbox",
                vec![("field", Arg::same(field)), ("value", Arg::same(value))],
            ),
            FormBodyError::NotANumber(f) => ("web-form-field-not-a-number", field(f)),
        }
    }

    /// The message in every language (`Display` is the English).
    pub fn text(&self) -> Text {
        let (id, args) = self.message();
        locale::text(id, &args)
    }
}

impl std::fmt::Display for FormBodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text().en)
    }
}

impl std::error::Error for FormBodyError {}

impl FormBody {
    pub fn parse(body: &[u8]) -> Result<Self, FormBodyError> {
        let mut fields = HashMap::new();
        for pair in body.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
            let (key, value) = match pair.iter().position(|&b| b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &b""[..]),
            };
            let key = decode(key)
                .map_err(|_| FormBodyError::NotUtf8(String::from_utf8_lossy(key).into_owned()))?;
            let value = decode(value).map_err(|_| FormBodyError::NotUtf8(key.clone()))?;
            if fields.insert(key.clone(), value).is_some() {
                return Err(FormBodyError::Duplicate(key));
            }
        }
        Ok(FormBody(fields))
    }

    /// Text fields that must be present (even if empty); all missing ones are named at once.
    pub fn require<const N: usize>(&self, names: [&str; N]) -> Result<[String; N], FormBodyError> {
        let missing: Vec<String> = names
            .iter()
            .filter(|n| !self.0.contains_key(**n))
            .map(|n| n.to_string())
            .collect();
        if !missing.is_empty() {
            return Err(FormBodyError::Missing(missing));
        }
        Ok(names.map(|n| self.0[n].clone()))
    }

    /// An optional text field; absent reads as empty.
    pub fn text(&self, name: &str) -> String {
        self.0.get(name).cloned().unwrap_or_default()
    }

    /// A checkbox: absent is off; HTML sends `on`, scripts may send true/false.
    pub fn checkbox(&self, name: &str) -> Result<bool, FormBodyError> {
        match self.0.get(name).map(String::as_str) {
            None | Some("" | "off" | "false" | "0") => Ok(false),
            Some("on" | "true" | "1") => Ok(true),
            Some(other) => Err(FormBodyError::NotACheckbox {
                field: name.into(),
                value: other.chars().take(40).collect(),
            }),
        }
    }

    pub fn number(&self, name: &str) -> Result<i64, FormBodyError> {
        let [raw] = self.require([name])?;
        raw.parse()
            .map_err(|_| FormBodyError::NotANumber(name.into()))
    }
}

fn decode(raw: &[u8]) -> Result<String, std::str::Utf8Error> {
    let plus_as_space: Vec<u8> = raw
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    percent_decode(&plus_as_space)
        .decode_utf8()
        .map(|s| s.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_plus_and_percent_escapes() {
        let f = FormBody::parse(b"host=my+proxy&password=p%40ss%3Aw0rd%21%23%25%26&empty=&flag")
            .unwrap();
        assert_eq!(f.text("host"), "my proxy");
        assert_eq!(f.text("password"), "p@ss:w0rd!#%&");
        assert_eq!(f.text("empty"), "");
        assert_eq!(f.text("flag"), "");
        assert_eq!(f.text("absent"), "");
    }

    #[test]
    fn invalid_utf8_names_the_field() {
        assert_eq!(
            FormBody::parse(b"host=%ff%fe").unwrap_err(),
            FormBodyError::NotUtf8("host".into())
        );
        assert!(FormBody::parse(b"ho\xffst=x").is_err());
    }

    #[test]
    fn a_field_sent_twice_is_refused() {
        assert_eq!(
            FormBody::parse(b"port=1&port=2").unwrap_err(),
            FormBodyError::Duplicate("port".into())
        );
    }

    #[test]
    fn missing_fields_are_all_named() {
        let f = FormBody::parse(b"host=x").unwrap();
        let err = f.require(["host", "port", "revision"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the form is missing the fields port, revision"
        );
        let one = FormBodyError::Missing(vec!["port".into()]);
        assert_eq!(one.to_string(), "the form is missing the field port");
    }

    #[test]
    fn each_failure_says_its_field_in_every_language() {
        use crate::locale::Lang;
        let value = |v: &str| v.to_owned();
        let cases = [
            (
                FormBodyError::NotUtf8("host".into()),
                "web-form-field-not-utf8",
                vec![("field", value("host"))],
            ),
            (
                FormBodyError::Duplicate("port".into()),
                "web-form-field-twice",
                vec![("field", value("port"))],
            ),
            (
                FormBodyError::Missing(vec!["port".into(), "revision".into()]),
                "web-form-fields-missing",
                vec![("fields", value("port, revision"))],
            ),
            (
                FormBodyError::NotACheckbox {
                    field: "enabled".into(),
                    value: "maybe".into(),
                },
                "web-form-field-not-a-checkbox",
                vec![("field", value("enabled")), ("value", value("maybe"))],
            ),
            (
                FormBodyError::NotANumber("revision".into()),
                "web-form-field-not-a-number",
                vec![("field", value("revision"))],
            ),
        ];
        for (error, id, args) in cases {
            let text = error.text();
            for lang in Lang::ALL {
                assert_eq!(text.get(lang), locale::message(lang, id, &args), "{id}");
                for (_, v) in &args {
                    assert!(text.get(lang).contains(v.as_str()), "{lang:?} {id}: {v}");
                }
            }
            assert_ne!(text.en, text.zh_cn, "{id} is translated");
            assert_eq!(error.to_string(), text.en);
        }
    }

    #[test]
    fn checkboxes_and_numbers_refuse_other_values() {
        let f = FormBody::parse(b"enabled=on&use_auth=maybe&revision=7&bad=7x").unwrap();
        assert!(f.checkbox("enabled").unwrap());
        assert!(!f.checkbox("absent").unwrap());
        assert!(f.checkbox("use_auth").is_err());
        assert_eq!(f.number("revision").unwrap(), 7);
        assert_eq!(
            f.number("bad").unwrap_err(),
            FormBodyError::NotANumber("bad".into())
        );
    }

    /// The request's body broke off (axum's rejection): the Chinese page says so in
    /// Chinese, without axum's English, which only the English keeps.
    #[tokio::test]
    async fn a_body_that_breaks_off_is_refused_in_chinese_without_axums_words() {
        use axum::body::{Body, Bytes};
        use axum::extract::FromRequest;
        use axum::http::{HeaderMap, Request, StatusCode};

        let broken = futures_util::stream::iter([Err::<Bytes, _>(std::io::Error::other("cut"))]);
        let rejection = Bytes::from_request(Request::new(Body::from_stream(broken)), &())
            .await
            .unwrap_err();
        let axums = rejection.body_text();
        let refused = crate::web::extract::form_body(&HeaderMap::new(), Err(rejection));
        let Err(crate::error::AppError::BadRequest { status, message }) = refused else {
            panic!("a broken body was read");
        };
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(message.en.contains(&axums), "{}", message.en);
        assert_eq!(
            message.zh_cn,
            crate::locale::message(crate::locale::Lang::ZhCn, "web-form-unreadable", &[])
        );
        assert!(
            !message.zh_cn.chars().any(|c| c.is_ascii_alphabetic()),
            "{}",
            message.zh_cn
        );
    }
}
