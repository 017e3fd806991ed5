//! The loading, error and badge bits every page uses, so they look the same everywhere.

use yew::prelude::*;

use crate::i18n::{t, use_lang};

#[derive(Properties, PartialEq)]
pub struct LoadingProps {
    pub label: AttrValue,
}

#[component]
pub fn Loading(props: &LoadingProps) -> Html {
    html! {
        <div class="loading" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            { props.label.clone() }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct ErrorNoticeProps {
    pub message: AttrValue,
    /// Shows a "Try again" button when set.
    #[prop_or_default]
    pub on_retry: Option<Callback<()>>,
}

#[component]
pub fn ErrorNotice(props: &ErrorNoticeProps) -> Html {
    use_lang();
    let retry = props.on_retry.as_ref().map(|on_retry| {
        let on_retry = on_retry.clone();
        html! {
            <button type="button" class="btn btn-small" onclick={move |_| on_retry.emit(())}>
                { t("status-try-again") }
            </button>
        }
    });
    html! {
        <div class="error-notice" role="alert">
            <span>{ props.message.clone() }</span>
            { for retry }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct BadgeProps {
    pub text: AttrValue,
}

/// A status or stage label; the CSS colours known values via `data-value`.
#[component]
pub fn Badge(props: &BadgeProps) -> Html {
    let value = props.text.to_lowercase();
    html! { <span class="badge" data-value={value}>{ props.text.clone() }</span> }
}
