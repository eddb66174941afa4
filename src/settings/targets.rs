//! Test targets: the URLs Test connection probes through the proxy (SPEC §6), up to
//! [`MAX_TARGETS`], one per line as `URL` or `URL download`. The same text on the page
//! (a textarea) and in the API (an array of such lines), so both say the same thing.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::probe::url::{TargetUrl, UrlError, parse_url};

/// At most this many targets are kept and probed at once.
pub const MAX_TARGETS: usize = 8;

/// The word after a URL that asks for the whole body to be downloaded.
pub const DOWNLOAD: &str = "download";

/// One target: the URL, and whether the test downloads its whole body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestTarget {
    pub url: TargetUrl,
    pub download: bool,
}

impl fmt::Display for TestTarget {
    /// The line the form and the API take back: `URL` or `URL download`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.url)?;
        if self.download {
            write!(f, " {DOWNLOAD}")?;
        }
        Ok(())
    }
}

/// Stored and sent as its line, e.g. `"https://h/p download"`.
impl Serialize for TestTarget {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TestTarget {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let line = String::deserialize(d)?;
        parse_line(&line).map_err(|kind| serde::de::Error::custom(format!("{kind:?}")))
    }
}

/// Why a line was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetsErrorKind {
    /// More than [`MAX_TARGETS`] URLs.
    TooMany { max: usize },
    /// The URL does not parse (or is not http/https).
    Url(UrlError),
    /// Something other than `download` after the URL.
    BadMarker(String),
    /// The same URL (as written back) as the line named.
    Duplicate { url: String, first: usize },
}

/// A refused line: its number (1-based, as the textarea or the array counts) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetsError {
    pub line: usize,
    pub kind: TargetsErrorKind,
}

/// The targets in `text`, one per line. Blank lines and surrounding spaces are ignored;
/// a bare `host[:port]` (no `://`) means `https://host[:port]/`. Empty text is no target:
/// the default (`https://<--probe-target>/`) is tested.
pub fn parse_targets(text: &str) -> Result<Vec<TestTarget>, TargetsError> {
    parse_lines(text.lines())
}

/// As [`parse_targets`], over lines given one by one (the API's array).
pub fn parse_lines<'a>(
    lines: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<TestTarget>, TargetsError> {
    let mut out: Vec<(usize, TestTarget)> = Vec::new();
    for (index, raw) in lines.into_iter().enumerate() {
        let line = index + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let target = parse_line(raw).map_err(|kind| TargetsError { line, kind })?;
        if let Some((first, _)) = out.iter().find(|(_, t)| same_url(&t.url, &target.url)) {
            let kind = TargetsErrorKind::Duplicate {
                url: target.url.to_string(),
                first: *first,
            };
            return Err(TargetsError { line, kind });
        }
        if out.len() == MAX_TARGETS {
            let kind = TargetsErrorKind::TooMany { max: MAX_TARGETS };
            return Err(TargetsError { line, kind });
        }
        out.push((line, target));
    }
    Ok(out.into_iter().map(|(_, t)| t).collect())
}

/// The same URL: host names compare without case, as DNS does.
fn same_url(a: &TargetUrl, b: &TargetUrl) -> bool {
    a.scheme == b.scheme
        && a.port == b.port
        && a.path == b.path
        && a.host.as_str().eq_ignore_ascii_case(b.host.as_str())
}

/// One non-blank line: `URL` or `URL download`.
fn parse_line(raw: &str) -> Result<TestTarget, TargetsErrorKind> {
    let mut words = raw.split_whitespace();
    let url = words.next().unwrap_or("");
    let download = match (words.next(), words.next()) {
        (None, _) => false,
        (Some(word), None) if word.eq_ignore_ascii_case(DOWNLOAD) => true,
        (Some(_), _) => {
            let rest = raw.trim()[url.len()..].trim().to_owned();
            return Err(TargetsErrorKind::BadMarker(rest));
        }
    };
    let url = if url.contains("://") {
        parse_url(url)
    } else if url.contains('@') {
        // Credentials are never echoed: the URL parser says so without the text.
        parse_url(url)
    } else {
        parse_url(&format!("https://{url}"))
    };
    Ok(TestTarget {
        url: url.map_err(TargetsErrorKind::Url)?,
        download,
    })
}

/// The textarea's text for `targets`: one line each.
pub fn targets_text(targets: &[TestTarget]) -> String {
    targets
        .iter()
        .map(TestTarget::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        parse_targets(text)
            .unwrap()
            .iter()
            .map(TestTarget::to_string)
            .collect()
    }

    fn kind(text: &str) -> (usize, TargetsErrorKind) {
        let e = parse_targets(text).unwrap_err();
        (e.line, e.kind)
    }

    #[test]
    fn blank_lines_and_spaces_are_ignored_and_a_bare_host_is_https() {
        assert_eq!(lines(""), Vec::<String>::new());
        assert_eq!(lines("\n  \n\t\n"), Vec::<String>::new());
        assert_eq!(
            lines(
                "  https://a.example/p  \r\n\n tools.cisco.com\nh.example:8443\nhttp://b.example"
            ),
            [
                "https://a.example/p",
                "https://tools.cisco.com/",
                "https://h.example:8443/",
                "http://b.example/"
            ]
        );
    }

    #[test]
    fn download_after_the_url_marks_it() {
        let targets = parse_targets("https://a.example/big download\nhttps://b.example/").unwrap();
        assert!(targets[0].download);
        assert!(!targets[1].download);
        assert_eq!(targets[0].to_string(), "https://a.example/big download");
        assert_eq!(
            lines("https://a.example/  DOWNLOAD "),
            ["https://a.example/ download"]
        );
        assert_eq!(
            kind("https://a.example/\nhttps://b.example/ fetch"),
            (2, TargetsErrorKind::BadMarker("fetch".into()))
        );
        assert_eq!(
            kind("https://a.example/ download now"),
            (1, TargetsErrorKind::BadMarker("download now".into()))
        );
    }

    #[test]
    fn nine_targets_are_refused_on_the_ninth() {
        let eight: Vec<String> = (1..=8).map(|i| format!("https://h{i}.example/")).collect();
        assert_eq!(parse_targets(&eight.join("\n")).unwrap().len(), 8);
        let nine = format!("{}\n\nhttps://h9.example/", eight.join("\n"));
        assert_eq!(kind(&nine), (10, TargetsErrorKind::TooMany { max: 8 }));
    }

    #[test]
    fn bad_schemes_and_hosts_are_refused_with_their_line() {
        assert_eq!(
            kind("https://ok.example/\nftp://h.example/"),
            (2, TargetsErrorKind::Url(UrlError::Scheme("ftp".into())))
        );
        assert_eq!(
            kind("\nhttps://bad_host/"),
            (
                2,
                TargetsErrorKind::Url(UrlError::BadHost("bad_host".into()))
            )
        );
        assert_eq!(
            kind("-bad"),
            (1, TargetsErrorKind::Url(UrlError::BadHost("-bad".into())))
        );
        assert_eq!(
            kind("user:pw@h.example"),
            (1, TargetsErrorKind::Url(UrlError::Userinfo))
        );
    }

    #[test]
    fn the_same_url_twice_is_refused_naming_the_first() {
        assert_eq!(
            kind("https://a.example/\nhttps://b.example/\nhttps://A.example:443/ download"),
            (
                3,
                TargetsErrorKind::Duplicate {
                    url: "https://A.example/".into(),
                    first: 1
                }
            )
        );
        // Another path or scheme is another target.
        assert_eq!(
            lines("https://a.example/\nhttps://a.example/x\nhttp://a.example/").len(),
            3
        );
    }

    #[test]
    fn targets_go_to_json_as_their_lines_and_back() {
        let targets = parse_targets("https://a.example/ download\nhttp://[::1]:81/x").unwrap();
        let json = serde_json::to_string(&targets).unwrap();
        assert_eq!(
            json,
            r#"["https://a.example/ download","http://[::1]:81/x"]"#
        );
        let back: Vec<TestTarget> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, targets);
        assert_eq!(parse_targets(&targets_text(&targets)).unwrap(), targets);
    }
}
