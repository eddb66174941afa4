//! Words at the edge: Project Fluent messages, one id per fact, per language
//! (`locales/<lang>/*.ftl`, compiled into the binary). The core names a message and its
//! variables; this layer says it in a language. Translators edit the `.ftl` files, not Rust.
//!
//! Every word the program shows lives here; a test below fails when Chinese text appears in
//! `src/`, `templates/` or `static/`. Also here: the request's language (`lang`), the
//! page's fixed words as templates see them (`catalog`) and the OS's error reasons.

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

mod catalog;
mod io_reason;
mod lang;

pub use catalog::{EN, Texts, ZH_CN};
pub use io_reason::io_reason;
pub use lang::{Lang, Text, current, from_browser, run_in};

/// Every `.ftl` file of a language, in the order they are added to its bundle.
const EN_FILES: &[&str] = &[
    include_str!("../../locales/en/diagnosis.ftl"),
    include_str!("../../locales/en/probe.ftl"),
    include_str!("../../locales/en/settings.ftl"),
    include_str!("../../locales/en/server.ftl"),
    include_str!("../../locales/en/page.ftl"),
    include_str!("../../locales/en/io.ftl"),
    include_str!("../../locales/en/web.ftl"),
    include_str!("../../locales/en/audit.ftl"),
    include_str!("../../locales/en/wire.ftl"),
    include_str!("../../locales/en/support.ftl"),
    include_str!("../../locales/en/download.ftl"),
    include_str!("../../locales/en/targets.ftl"),
    include_str!("../../locales/en/result.ftl"),
    include_str!("../../locales/en/trusted_ca.ftl"),
];
const ZH_CN_FILES: &[&str] = &[
    include_str!("../../locales/zh-CN/diagnosis.ftl"),
    include_str!("../../locales/zh-CN/probe.ftl"),
    include_str!("../../locales/zh-CN/settings.ftl"),
    include_str!("../../locales/zh-CN/server.ftl"),
    include_str!("../../locales/zh-CN/page.ftl"),
    include_str!("../../locales/zh-CN/io.ftl"),
    include_str!("../../locales/zh-CN/web.ftl"),
    include_str!("../../locales/zh-CN/audit.ftl"),
    include_str!("../../locales/zh-CN/wire.ftl"),
    include_str!("../../locales/zh-CN/support.ftl"),
    include_str!("../../locales/zh-CN/download.ftl"),
    include_str!("../../locales/zh-CN/targets.ftl"),
    include_str!("../../locales/zh-CN/result.ftl"),
    include_str!("../../locales/zh-CN/trusted_ca.ftl"),
];

/// The files of `lang`.
pub fn sources(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::En => EN_FILES,
        Lang::ZhCn => ZH_CN_FILES,
    }
}

fn bundle(lang: Lang) -> &'static FluentBundle<FluentResource> {
    static EN_BUNDLE: OnceLock<FluentBundle<FluentResource>> = OnceLock::new();
    static ZH_BUNDLE: OnceLock<FluentBundle<FluentResource>> = OnceLock::new();
    let cell = match lang {
        Lang::En => &EN_BUNDLE,
        Lang::ZhCn => &ZH_BUNDLE,
    };
    cell.get_or_init(|| build(lang))
}

/// Parse every language's files now (they are otherwise parsed at their first message).
pub fn load() {
    for lang in Lang::ALL {
        bundle(lang);
    }
}

fn build(lang: Lang) -> FluentBundle<FluentResource> {
    let tag = lang.code().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![tag]);
    // The texts are shown in pages and terminals that lay out one direction: no Unicode
    // isolation marks around the variables.
    bundle.set_use_isolating(false);
    for source in sources(lang) {
        // The files are part of the program: a syntax error or a duplicate id is a bug
        // that the tests below catch before a release.
        let resource = FluentResource::try_new((*source).to_owned()).unwrap_or_else(|(r, _)| r);
        let _ = bundle.add_resource(resource);
    }
    bundle
}

/// Message variables: name and value.
pub type Args<'a> = [(&'a str, String)];

/// A variable of a message said in every language: the same value in each (a host, a
/// number), or one already said in each (another message).
pub enum Arg {
    Same(String),
    Each(Text),
}

impl Arg {
    pub fn same(value: &dyn std::fmt::Display) -> Arg {
        Arg::Same(value.to_string())
    }

    pub fn each(text: &Text) -> Arg {
        Arg::Each(text.clone())
    }

    fn in_lang(&self, lang: Lang) -> String {
        match self {
            Arg::Same(v) => v.clone(),
            Arg::Each(t) => t.get(lang).to_owned(),
        }
    }
}

/// A library's own English words for a failure (what the logs and the JSON have always
/// shown), and the fact, message `id`, in every other language.
pub fn quoting(english: String, id: &str, args: &[(&str, Arg)]) -> Text {
    Text {
        en: english,
        zh_cn: text(id, args).zh_cn,
    }
}

/// Stage details joined into one, with the list separator of each language.
pub fn join(parts: &[Text]) -> Text {
    let separator = text("detail-separator", &[]);
    Text::each(|lang| {
        parts
            .iter()
            .map(|p| p.get(lang))
            .collect::<Vec<_>>()
            .join(separator.get(lang))
    })
}

/// The message `id` in every language, each with its variables in that language.
pub fn text(id: &str, args: &[(&str, Arg)]) -> Text {
    let said = |lang: Lang| {
        let args: Vec<(&str, String)> = args.iter().map(|(n, a)| (*n, a.in_lang(lang))).collect();
        message(lang, id, &args)
    };
    Text {
        en: said(Lang::En),
        zh_cn: said(Lang::ZhCn),
    }
}

/// The message `id` in `lang` with `args`. An unknown id is logged and answered with the
/// id itself, so a missing translation shows as a name, never as nothing.
pub fn message(lang: Lang, id: &str, args: &Args<'_>) -> String {
    format(lang, id, fluent_args(args))
}

/// The message `id` in `lang` with `args` and a number, `count`, that the message may
/// choose its words by (`{ $fields -> [one] field *[other] fields }`): the other variables
/// are words, and a word never picks a plural form.
pub fn counted(lang: Lang, id: &str, args: &Args<'_>, count: (&str, u64)) -> String {
    let mut fluent_args = fluent_args(args);
    fluent_args.set(count.0, FluentValue::from(count.1));
    format(lang, id, fluent_args)
}

fn fluent_args<'a>(args: &'a Args<'_>) -> FluentArgs<'a> {
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        fluent_args.set(*name, value_of(value));
    }
    fluent_args
}

/// A variable as Fluent takes it: a plain count (`2`, no sign, no leading zero, exact as a
/// float) as a number, so a message can pick its plural form by it (`{ $n -> [one] answer
/// *[other] answers }`) and still prints as written; anything else as words.
fn value_of(value: &str) -> FluentValue<'_> {
    let plain_count = !value.is_empty()
        && value.len() <= 15
        && value.bytes().all(|b| b.is_ascii_digit())
        && (value == "0" || !value.starts_with('0'));
    match value.parse::<u64>() {
        Ok(n) if plain_count => FluentValue::from(n),
        _ => FluentValue::from(value),
    }
}

fn format(lang: Lang, id: &str, args: FluentArgs<'_>) -> String {
    let bundle = bundle(lang);
    let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
        tracing::error!(
            id,
            lang = lang.code(),
            "no such message in the locale files"
        );
        return id.to_owned();
    };
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
    if !errors.is_empty() {
        tracing::error!(
            id,
            lang = lang.code(),
            ?errors,
            "a message could not be formatted"
        );
    }
    text.into_owned()
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use fluent_bundle::FluentResource;
    use fluent_syntax::ast;

    use super::*;

    /// Files under `dir` (recursively) whose text has a CJK ideograph, with the first line.
    fn files_with_chinese(dir: &std::path::Path, found: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                files_with_chinese(&path, found);
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let chinese = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
            if let Some((n, line)) = text
                .lines()
                .enumerate()
                .find(|(_, l)| l.chars().any(chinese))
            {
                found.push(format!("{}:{}: {line}", path.display(), n + 1));
            }
        }
    }

    #[test]
    fn no_chinese_is_written_in_the_code_only_in_the_locale_files() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut found = Vec::new();
        for dir in ["src", "templates", "static"] {
            files_with_chinese(&root.join(dir), &mut found);
        }
        assert!(
            found.is_empty(),
            "words belong in locales/*/*.ftl:\n{}",
            found.join("\n")
        );
    }

    /// Every message id of `lang` with the variables its value uses.
    fn messages(lang: Lang) -> BTreeMap<String, BTreeSet<String>> {
        let mut out = BTreeMap::new();
        for source in sources(lang) {
            let resource = FluentResource::try_new((*source).to_owned())
                .unwrap_or_else(|(_, errors)| panic!("{lang:?}: syntax errors {errors:?}"));
            for entry in resource.entries() {
                if let ast::Entry::Message(m) = entry {
                    let mut vars = BTreeSet::new();
                    if let Some(value) = &m.value {
                        variables(value, &mut vars);
                    }
                    let id = m.id.name.to_owned();
                    assert!(
                        out.insert(id.clone(), vars).is_none(),
                        "{lang:?}: {id} twice"
                    );
                }
            }
        }
        out
    }

    fn variables(pattern: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
        for element in &pattern.elements {
            if let ast::PatternElement::Placeable { expression } = element {
                expression_variables(expression, out);
            }
        }
    }

    fn expression_variables(expression: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
        let inline = match expression {
            ast::Expression::Inline(inline) => inline,
            ast::Expression::Select { selector, variants } => {
                for v in variants {
                    variables(&v.value, out);
                }
                selector
            }
        };
        match inline {
            ast::InlineExpression::VariableReference { id } => {
                out.insert(id.name.to_owned());
            }
            ast::InlineExpression::Placeable { expression } => {
                expression_variables(expression, out)
            }
            _ => {}
        }
    }

    #[test]
    fn every_message_has_a_translation_with_the_same_variables() {
        let en = messages(Lang::En);
        let zh = messages(Lang::ZhCn);
        assert!(!en.is_empty());
        assert_eq!(
            en.keys().collect::<Vec<_>>(),
            zh.keys().collect::<Vec<_>>(),
            "the same ids in both languages"
        );
        for (id, vars) in &en {
            assert_eq!(
                vars, &zh[id],
                "{id}: the variables differ between the languages"
            );
        }
    }

    #[test]
    fn details_join_with_each_language_separator() {
        let parts = [
            Text {
                en: "a".into(),
                zh_cn: "x".into(),
            },
            Text::same("b"),
        ];
        let t = join(&parts);
        let zh_separator = message(Lang::ZhCn, "detail-separator", &[]);
        assert_eq!(t.en, "a; b");
        assert_eq!(t.zh_cn, format!("x{zh_separator}b"));
        assert_ne!(zh_separator, "; ", "Chinese has its own separator");
    }

    #[test]
    fn a_quoted_failure_keeps_the_english_words_and_says_the_fact_elsewhere() {
        let t = quoting(
            "invalid dns name".into(),
            "probe-engine-invalid-dns-name",
            &[],
        );
        assert_eq!(t.en, "invalid dns name");
        assert_eq!(
            t.zh_cn,
            message(Lang::ZhCn, "probe-engine-invalid-dns-name", &[])
        );
    }

    #[test]
    fn variables_are_filled_in_without_isolation_marks() {
        let text = message(
            Lang::En,
            "diagnosis-proxy-denied-summary",
            &[
                ("target", "tools.cisco.com:443".into()),
                ("status", "HTTP/1.1 403 Forbidden".into()),
            ],
        );
        assert_eq!(
            text,
            "The proxy refused the tunnel to tools.cisco.com:443: HTTP/1.1 403 Forbidden."
        );
        assert_eq!(
            message(Lang::ZhCn, "diagnosis-offered-separator", &[]),
            "、"
        );
        assert_eq!(message(Lang::En, "diagnosis-offered-separator", &[]), ", ");
        assert_eq!(message(Lang::En, "no-such-id", &[]), "no-such-id");
    }
}
