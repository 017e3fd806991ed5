//! The Fluent bundles, one per language, built on first use from the `.ftl`
//! files compiled into the app, and the lookup with its English fallback.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};

use super::Lang;

/// The message files of each language, one per area of the interface.
macro_rules! ftl_files {
    ($lang:literal) => {
        [
            include_str!(concat!("../../locales/", $lang, "/common.ftl")),
            include_str!(concat!("../../locales/", $lang, "/softphone.ftl")),
            include_str!(concat!("../../locales/", $lang, "/contacts.ftl")),
            include_str!(concat!("../../locales/", $lang, "/calls.ftl")),
            include_str!(concat!("../../locales/", $lang, "/admin_telephony.ftl")),
            include_str!(concat!("../../locales/", $lang, "/admin_policy.ftl")),
            include_str!(concat!("../../locales/", $lang, "/errors.ftl")),
        ]
    };
}

/// The files' names, in the order of [`ftl_files`], for the tests' messages.
#[cfg(test)]
const FILE_NAMES: [&str; 7] = [
    "common",
    "softphone",
    "contacts",
    "calls",
    "admin_telephony",
    "admin_policy",
    "errors",
];

/// The `.ftl` sources of `lang`.
pub fn sources(lang: Lang) -> [&'static str; 7] {
    match lang {
        Lang::En => ftl_files!("en"),
        Lang::Ru => ftl_files!("ru"),
        Lang::Pl => ftl_files!("pl"),
    }
}

/// A value put into a message: `{ $name }` or `{ $count }` (numbers select plural forms).
#[derive(Debug, Clone, PartialEq)]
pub enum Arg<'a> {
    Text(std::borrow::Cow<'a, str>),
    Number(f64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Text(s.into())
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(s: &'a String) -> Self {
        Arg::Text(s.as_str().into())
    }
}

impl From<String> for Arg<'_> {
    fn from(s: String) -> Self {
        Arg::Text(s.into())
    }
}

macro_rules! number_args {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg<'_> {
            fn from(n: $t) -> Self {
                Arg::Number(n as f64)
            }
        }
    )*};
}
number_args!(i32, i64, u16, u32, u64, usize, f64);

type Bundle = FluentBundle<FluentResource>;

thread_local! {
    static CURRENT: Cell<Lang> = const { Cell::new(Lang::En) };
    static BUNDLES: RefCell<HashMap<Lang, Bundle>> = RefCell::new(HashMap::new());
}

pub fn current() -> Lang {
    CURRENT.with(Cell::get)
}

pub fn set_current(lang: Lang) {
    CURRENT.with(|c| c.set(lang));
}

/// A bundle of `lang`'s messages. A file that does not parse keeps the
/// entries it could read (Fluent recovers per entry); the tests make sure
/// none has errors.
pub fn build(lang: Lang) -> Bundle {
    let id = lang
        .code()
        .parse()
        .expect("en, ru and pl are language identifiers");
    let mut bundle = FluentBundle::new(vec![id]);
    // No Unicode isolation marks around values: our text is left-to-right
    // and the marks would end up in copied numbers and in the tests' text.
    bundle.set_use_isolating(false);
    for source in sources(lang) {
        let resource = match FluentResource::try_new(source.to_owned()) {
            Ok(resource) => resource,
            Err((resource, _errors)) => resource,
        };
        let _ = bundle.add_resource(resource);
    }
    bundle
}

/// `id` formatted by `bundle`, or `None` when it lacks the message (or an argument).
fn format_with(bundle: &Bundle, id: &str, args: Option<&FluentArgs>) -> Option<String> {
    let pattern = bundle.get_message(id)?.value()?;
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, args, &mut errors);
    errors.is_empty().then(|| text.into_owned())
}

/// The first of `bundles` that has `id`; the id itself when none has (a bug
/// the tests catch: every id the code asks for is in English).
fn pick(bundles: &[&Bundle], id: &str, args: Option<&FluentArgs>) -> String {
    bundles
        .iter()
        .find_map(|b| format_with(b, id, args))
        .unwrap_or_else(|| id.to_owned())
}

fn lookup(id: &str, args: Option<&FluentArgs>) -> String {
    let lang = current();
    BUNDLES.with(|bundles| {
        let mut bundles = bundles.borrow_mut();
        bundles.entry(Lang::En).or_insert_with(|| build(Lang::En));
        bundles.entry(lang).or_insert_with(|| build(lang));
        let english = &bundles[&Lang::En];
        if lang == Lang::En {
            pick(&[english], id, args)
        } else {
            pick(&[&bundles[&lang], english], id, args)
        }
    })
}

/// The message `id` in the current language (English when it lacks one).
pub fn t(id: &str) -> String {
    lookup(id, None)
}

/// The message `id` with its arguments, e.g. `tr("calls-count", &[("count", 5.into())])`.
pub fn tr(id: &str, args: &[(&str, Arg<'_>)]) -> String {
    let mut fluent = FluentArgs::new();
    for (name, value) in args {
        match value {
            Arg::Text(s) => fluent.set(*name, FluentValue::from(s.to_string())),
            Arg::Number(n) => fluent.set(*name, FluentValue::from(*n)),
        }
    }
    lookup(id, Some(&fluent))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_lang<T>(lang: Lang, f: impl FnOnce() -> T) -> T {
        let before = current();
        set_current(lang);
        let out = f();
        set_current(before);
        out
    }

    #[test]
    fn every_file_parses_in_every_language() {
        for lang in Lang::ALL {
            for (source, name) in sources(lang).into_iter().zip(FILE_NAMES) {
                if let Err((_, errors)) = FluentResource::try_new(source.to_owned()) {
                    panic!("{}/{name}.ftl does not parse: {errors:?}", lang.code());
                }
            }
        }
    }

    /// Message ids of one language's files.
    fn ids(lang: Lang) -> std::collections::BTreeSet<String> {
        let mut ids = std::collections::BTreeSet::new();
        for source in sources(lang) {
            let resource = FluentResource::try_new(source.to_owned()).expect("parses");
            for entry in resource.entries() {
                if let fluent_syntax::ast::Entry::Message(m) = entry {
                    ids.insert(m.id.name.to_owned());
                }
            }
        }
        ids
    }

    #[test]
    fn russian_and_polish_translate_every_english_message_and_nothing_else() {
        let english = ids(Lang::En);
        assert!(english.len() > 100, "the English files hold the interface");
        for lang in [Lang::Ru, Lang::Pl] {
            let other = ids(lang);
            let missing: Vec<_> = english.difference(&other).collect();
            let extra: Vec<_> = other.difference(&english).collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", lang.code());
            assert!(
                extra.is_empty(),
                "{} has ids English lacks: {extra:?}",
                lang.code()
            );
        }
    }

    #[test]
    fn every_id_the_code_asks_for_is_in_english() {
        let english = ids(Lang::En);
        let mut asked = Vec::new();
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        collect_ids(std::path::Path::new(root), &mut asked);
        assert!(
            asked.len() > 100,
            "the interface's text goes through t() and tr()"
        );
        let unknown: Vec<_> = asked
            .iter()
            .filter(|(id, _)| !english.contains(id))
            .collect();
        assert!(
            unknown.is_empty(),
            "ids asked for but not in en/*.ftl: {unknown:?}"
        );
    }

    /// `t("id")`, `tr("id", …)` and `t_id("id")` calls in the sources, with their file.
    fn collect_ids(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).expect("src is readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                collect_ids(&path, out);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") || path.ends_with("bundle.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("source is UTF-8");
            // Comments may show `t("id")` as an example.
            let code: String = text
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            for marker in ["t(\"", "tr(\""] {
                let mut rest = code.as_str();
                while let Some(at) = rest.find(marker) {
                    let before = rest[..at].chars().next_back();
                    rest = &rest[at + marker.len()..];
                    // `t(` only as a whole name: not `start(` or `split(`.
                    if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                        continue;
                    }
                    if let Some(end) = rest.find('"') {
                        out.push((rest[..end].to_owned(), path.display().to_string()));
                    }
                }
            }
        }
    }

    #[test]
    fn plural_forms_follow_each_language() {
        let count = |lang, n: i64| with_lang(lang, || tr("calls-count", &[("count", n.into())]));
        assert_eq!(count(Lang::En, 1), "1 call");
        assert_eq!(count(Lang::En, 5), "5 calls");
        assert_eq!(count(Lang::Ru, 1), "1 звонок");
        assert_eq!(count(Lang::Ru, 2), "2 звонка");
        assert_eq!(count(Lang::Ru, 5), "5 звонков");
        assert_eq!(count(Lang::Ru, 21), "21 звонок");
        assert_eq!(count(Lang::Pl, 1), "1 połączenie");
        assert_eq!(count(Lang::Pl, 2), "2 połączenia");
        assert_eq!(count(Lang::Pl, 5), "5 połączeń");
        assert_eq!(count(Lang::Pl, 22), "22 połączenia");
    }

    #[test]
    fn a_missing_translation_shows_english_and_an_unknown_id_never_a_blank() {
        let bundle = |lang: &str, ftl: &str| {
            let mut b: Bundle = FluentBundle::new(vec![lang.parse().expect("id")]);
            b.set_use_isolating(false);
            b.add_resource(FluentResource::try_new(ftl.to_owned()).expect("parses"))
                .expect("adds");
            b
        };
        let english = bundle("en", "save = Save\ncancel = Cancel\n");
        let russian = bundle("ru", "save = Сохранить\n");
        assert_eq!(pick(&[&russian, &english], "save", None), "Сохранить");
        assert_eq!(pick(&[&russian, &english], "cancel", None), "Cancel");
        assert_eq!(pick(&[&russian, &english], "nothing", None), "nothing");
        assert_eq!(
            with_lang(Lang::Pl, || t("no-such-message")),
            "no-such-message"
        );
    }
}
