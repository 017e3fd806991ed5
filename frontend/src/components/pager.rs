//! Prev / Next under a list, with "41–50 of 53" between them.

use yew::prelude::*;

use crate::format::page_info;
use crate::i18n::{t, use_lang};

#[derive(Properties, PartialEq)]
pub struct PagerProps {
    pub offset: u32,
    /// Rows on the current page.
    pub shown: usize,
    pub total: u64,
    pub has_prev: bool,
    pub has_next: bool,
    pub on_prev: Callback<()>,
    pub on_next: Callback<()>,
}

#[component]
pub fn Pager(props: &PagerProps) -> Html {
    use_lang();
    let on_prev = props.on_prev.clone();
    let on_next = props.on_next.clone();
    html! {
        <nav class="pager" aria-label={t("pager-label")}>
            <button type="button" id="page-prev" class="btn" disabled={!props.has_prev}
                onclick={move |_| on_prev.emit(())}>
                { t("pager-prev") }
            </button>
            <span id="page-info" aria-live="polite">
                { page_info(props.offset, props.shown, props.total) }
            </span>
            <button type="button" id="page-next" class="btn" disabled={!props.has_next}
                onclick={move |_| on_next.emit(())}>
                { t("pager-next") }
            </button>
        </nav>
    }
}
