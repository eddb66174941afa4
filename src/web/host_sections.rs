//! The page's four read-only sections — Interfaces, Routes, Shared Settings, ICMPv6 — drawn
//! from the host's facts. The facts are read again at most every five seconds
//! (crate::host::HostCache) and until then every page load would draw the same HTML, so it
//! is drawn once per reading and language. What is kept is the kernel's data, never ours
//! (issue 13, item 4): a save or a test changes nothing here.

use std::sync::{Arc, Mutex};

use askama::Template;

use crate::host::HostFacts;
use crate::locale::{self, Lang, Texts};

#[derive(Template)]
#[template(path = "host_sections.html")]
struct HostSections<'a> {
    t: &'static Texts,
    host: &'a HostFacts,
    remote_management_port: u16,
}

impl HostSections<'_> {
    fn echo_reply(&self) -> bool {
        self.host.icmpv6.as_ref().is_some_and(|i| i.echo_reply)
    }

    /// Where *Enable Echo Reply Packets* comes from, with the setting's value.
    fn echo_source(&self) -> String {
        match &self.host.icmpv6 {
            Some(i) => locale::message(
                self.t.lang,
                "page-icmpv6-echo-source",
                &[("value", i.echo_ignore_all.clone())],
            ),
            None => self.t.icmpv6_off.to_owned(),
        }
    }

    /// Why *Enable Destination Unreachable Packets* is what it is (no kernel switch).
    fn unreachable_source(&self) -> String {
        match &self.host.icmpv6 {
            Some(i) => locale::message(
                self.t.lang,
                "page-icmpv6-unreachable-source",
                &[
                    ("ratelimit", i.ratelimit.clone()),
                    ("ratemask", i.ratemask.clone()),
                ],
            ),
            None => self.t.icmpv6_off.to_owned(),
        }
    }
}

/// The sections drawn from one reading of the facts, per language. Holding the reading
/// keeps its address from being reused by another, so "the same reading" is sure.
struct Drawn {
    facts: Arc<HostFacts>,
    html: [Option<Arc<str>>; Lang::ALL.len()],
}

/// Where the drawings of the newest reading are kept.
struct Drawings(Mutex<Option<Drawn>>);

static DRAWN: Drawings = Drawings(Mutex::new(None));

/// The sections for `facts` in `lang`: drawn now if this reading was not drawn in `lang` yet.
pub fn html(lang: Lang, facts: &Arc<HostFacts>) -> Result<Arc<str>, askama::Error> {
    DRAWN.html(lang, facts)
}

impl Drawings {
    fn html(&self, lang: Lang, facts: &Arc<HostFacts>) -> Result<Arc<str>, askama::Error> {
        let index = Lang::ALL.iter().position(|l| *l == lang).unwrap_or(0);
        let lock = || self.0.lock().unwrap_or_else(|e| e.into_inner());
        let kept = lock()
            .as_ref()
            .filter(|d| Arc::ptr_eq(&d.facts, facts))
            .and_then(|d| d.html[index].clone());
        if let Some(html) = kept {
            return Ok(html);
        }
        let html: Arc<str> = HostSections {
            t: lang.texts(),
            host: facts,
            remote_management_port: crate::host::REMOTE_MANAGEMENT_PORT,
        }
        .render()?
        .into();
        let mut drawn = lock();
        match &mut *drawn {
            Some(d) if Arc::ptr_eq(&d.facts, facts) => d.html[index] = Some(html.clone()),
            other => {
                let mut fresh = Drawn {
                    facts: facts.clone(),
                    html: Default::default(),
                };
                fresh.html[index] = Some(html.clone());
                *other = Some(fresh);
            }
        }
        Ok(html)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reading_is_drawn_in_each_language_and_a_new_reading_is_drawn_anew() {
        // Its own drawings: other tests in this process draw other readings meanwhile.
        let drawings = Drawings(Mutex::new(None));
        let html = |lang, facts: &Arc<HostFacts>| drawings.html(lang, facts);
        let one = Arc::new(HostFacts {
            hostname: "first-reading".into(),
            ..HostFacts::default()
        });
        let en = html(Lang::En, &one).unwrap();
        assert!(en.contains("first-reading"));
        assert!(
            Arc::ptr_eq(&en, &html(Lang::En, &one).unwrap()),
            "drawn once"
        );
        let zh = html(Lang::ZhCn, &one).unwrap();
        assert_ne!(en, zh, "each language its own words");
        let two = Arc::new(HostFacts {
            hostname: "second-reading".into(),
            ..HostFacts::default()
        });
        let again = html(Lang::En, &two).unwrap();
        assert!(again.contains("second-reading") && !again.contains("first-reading"));
    }
}
