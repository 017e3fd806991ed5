//! A phone number as a button: clicking it puts the number into the dial pad
//! and, when the phone is online and free, calls it.

use callcard_shared::api::Phone;
use yew::prelude::*;

use crate::i18n::{tr, use_lang};

#[derive(Properties, PartialEq)]
pub struct ClickToCallProps {
    pub phone: Phone,
    /// Receives the number as entered (`raw`); the server normalizes it.
    pub on_call: Callback<String>,
}

#[component]
pub fn ClickToCall(props: &ClickToCallProps) -> Html {
    use_lang();
    let raw = props.phone.raw.clone();
    let title = match &props.phone.e164 {
        Some(e164) if *e164 != raw => tr(
            "dock-click-to-call-e164",
            &[("number", (&raw).into()), ("e164", e164.into())],
        ),
        _ => tr("dock-click-to-call", &[("number", (&raw).into())]),
    };
    let onclick = {
        let on_call = props.on_call.clone();
        let raw = raw.clone();
        Callback::from(move |e: MouseEvent| {
            // Rows may become clickable later; the number must not open the card too.
            e.stop_propagation();
            on_call.emit(raw.clone());
        })
    };
    html! {
        <button type="button" class="click-to-call" data-phone={raw.clone()} {title} {onclick}>
            { raw }
        </button>
    }
}
