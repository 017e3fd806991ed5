//! A phone number as a button: clicking it puts the number into the dial pad
//! and, when the phone is online and free, calls it.

use callcard_shared::api::Phone;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ClickToCallProps {
    pub phone: Phone,
    /// Receives the number as entered (`raw`); the server normalizes it.
    pub on_call: Callback<String>,
}

#[component]
pub fn ClickToCall(props: &ClickToCallProps) -> Html {
    let raw = props.phone.raw.clone();
    let title = match &props.phone.e164 {
        Some(e164) if *e164 != raw => format!("Call {raw} ({e164})"),
        _ => format!("Call {raw}"),
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
