//! The interface's languages: English, Russian and Polish, from Fluent files
//! (`frontend/locales/{en,ru,pl}/*.ftl`, compiled into the app).
//!
//! `t("id")` and `tr("id", args)` give a message in the current language;
//! a message missing there falls back to English, and a message missing in
//! English too (a bug the tests catch) shows its id. Plural forms come from
//! Fluent's CLDR rules (`{ $count -> [one] … [few] … *[many] … }`), never
//! from our own arithmetic. Components call [`use_lang`] so they re-render
//! when the user picks another language; the choice is kept in
//! `localStorage`, and the first visit follows the browser's languages.

mod bundle;
mod lang;
#[cfg(target_arch = "wasm32")]
mod locale_format;

pub use bundle::{t, tr, Arg};
pub use lang::Lang;
#[cfg(target_arch = "wasm32")]
pub use locale_format::{local_date, local_money, local_number, local_timestamp};

use yew::prelude::*;

/// The language state, provided by `App` above everything else.
pub type LangContext = UseStateHandle<Lang>;

/// The current language; subscribes the calling component to changes, so
/// its `t(...)` calls are made again in the new language.
#[hook]
pub fn use_lang() -> Lang {
    use_context::<LangContext>()
        .map(|handle| *handle)
        .unwrap_or_else(bundle::current)
}

/// The setter of the language, for the language picker.
#[hook]
pub fn use_set_lang() -> Callback<Lang> {
    let handle = use_context::<LangContext>();
    Callback::from(move |lang: Lang| {
        choose(lang);
        if let Some(handle) = &handle {
            handle.set(lang);
        }
    })
}

/// Makes `lang` the language of the messages, remembers it and tells the page.
pub fn choose(lang: Lang) {
    bundle::set_current(lang);
    #[cfg(target_arch = "wasm32")]
    lang::remember(lang);
}

/// The language to start with: the stored choice, else the browser's.
pub fn initial() -> Lang {
    #[cfg(target_arch = "wasm32")]
    let lang = lang::stored().unwrap_or_else(lang::from_browser);
    #[cfg(not(target_arch = "wasm32"))]
    let lang = Lang::En;
    bundle::set_current(lang);
    #[cfg(target_arch = "wasm32")]
    lang::mark_document(lang);
    lang
}

/// Words for a refusal by the relay: in English its own sentence (which
/// names the rule and the number); in the other languages the stable code's
/// message (`refusal-<kind>` with the code's arguments), or the English
/// sentence when the code is unknown to this app.
pub fn refusal(code: &callcard_shared::refusal::RefusalCode, english: &str) -> String {
    if bundle::current() == Lang::En || code.kind.is_empty() {
        return english.to_owned();
    }
    let id = format!("refusal-{}", code.kind);
    let args: Vec<(&str, Arg<'_>)> = code
        .args
        .iter()
        .map(|(name, value)| (name.as_str(), Arg::from(value.as_str())))
        .collect();
    let text = tr(&id, &args);
    if text == id {
        english.to_owned()
    } else {
        text
    }
}

/// What people call a destination class's numbers, lower case: the shared
/// crate's `describe()` in the current language (`class-<class>` messages).
pub fn class_words(class: callcard_shared::dialplan::DestinationClass) -> String {
    t(&format!("class-{}", class.as_str()))
}

#[cfg(test)]
mod tests {
    use callcard_shared::dialplan::DestinationClass;

    #[test]
    fn class_words_in_english_are_the_shared_descriptions() {
        for class in DestinationClass::ALL {
            assert_eq!(super::class_words(class), class.describe());
        }
    }
}
