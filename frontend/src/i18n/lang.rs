//! Which languages there are, how a code names one, and where the choice is kept.

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Ru,
    Pl,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Ru, Lang::Pl];

    /// The BCP 47 code (`en`, `ru`, `pl`), as `<html lang>` and `Intl` want it.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
            Lang::Pl => "pl",
        }
    }

    /// The language's own name, for the picker.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Ru => "Русский",
            Lang::Pl => "Polski",
        }
    }

    /// `ru`, `ru-RU`, `PL`, `en-GB` → the language; anything else → `None`.
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The first of the browser's preferred languages that we speak, else English.
    pub fn best_of<'a>(preferred: impl IntoIterator<Item = &'a str>) -> Lang {
        preferred
            .into_iter()
            .find_map(Lang::from_code)
            .unwrap_or(Lang::En)
    }
}

#[cfg(target_arch = "wasm32")]
const STORAGE_KEY: &str = "callcard.language";

#[cfg(target_arch = "wasm32")]
fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The language this browser chose before (an unknown stored code is ignored).
#[cfg(target_arch = "wasm32")]
pub fn stored() -> Option<Lang> {
    Lang::from_code(&storage()?.get_item(STORAGE_KEY).ok()??)
}

#[cfg(target_arch = "wasm32")]
pub fn remember(lang: Lang) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(STORAGE_KEY, lang.code());
    }
    mark_document(lang);
}

/// `<html lang="…">`, so the browser's spell checker and screen readers follow.
#[cfg(target_arch = "wasm32")]
pub fn mark_document(lang: Lang) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", lang.code());
    }
}

/// `navigator.languages` (then `navigator.language`) read as our language.
#[cfg(target_arch = "wasm32")]
pub fn from_browser() -> Lang {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return Lang::En;
    };
    let listed: Vec<String> = navigator
        .languages()
        .iter()
        .filter_map(|v| v.as_string())
        .chain(navigator.language())
        .collect();
    Lang::best_of(listed.iter().map(String::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_with_regions_and_any_case_name_the_language() {
        assert_eq!(Lang::from_code("ru-RU"), Some(Lang::Ru));
        assert_eq!(Lang::from_code("PL"), Some(Lang::Pl));
        assert_eq!(Lang::from_code("en_GB"), Some(Lang::En));
        assert_eq!(Lang::from_code("de"), None);
        assert_eq!(Lang::from_code(""), None);
    }

    #[test]
    fn the_first_language_we_speak_wins_and_english_is_the_fallback() {
        assert_eq!(Lang::best_of(["de-DE", "pl-PL", "ru"]), Lang::Pl);
        assert_eq!(Lang::best_of(["fr", "uk"]), Lang::En);
        assert_eq!(Lang::best_of([]), Lang::En);
    }
}
