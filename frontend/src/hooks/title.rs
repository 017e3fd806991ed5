//! `use_title(text)`: the browser tab says which page (and which contact) is open.

use yew::prelude::*;

use crate::i18n::tr;

#[hook]
pub fn use_title(title: String) {
    use_effect_with(title, |title| {
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            let full = if title.is_empty() {
                "Callcard".to_owned()
            } else {
                tr("common-page-title", &[("page", title.into())])
            };
            document.set_title(&full);
        }
    });
}
