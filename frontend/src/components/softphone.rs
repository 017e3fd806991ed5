//! The softphone dock, always on screen beside the pages: a dial pad whose
//! number comes from typing, the keypad or any click-to-call button. Calling
//! itself arrives with the SIP engine; until then the Call button is disabled.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::state::phone::{PhoneAction, MAX_DIAL_LEN};

const KEYS: [char; 12] = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

#[derive(Properties, PartialEq)]
pub struct SoftphoneDockProps {
    pub dial: AttrValue,
    /// Changes on every click-to-call, to flash the dial input.
    pub dial_requests: u32,
    pub on_action: Callback<PhoneAction>,
}

#[component]
pub fn SoftphoneDock(props: &SoftphoneDockProps) -> Html {
    let on_action = props.on_action.clone();
    let oninput = {
        let on_action = on_action.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            on_action.emit(PhoneAction::Edit(input.value()));
        })
    };
    let keys = KEYS.iter().map(|&key| {
        let on_action = on_action.clone();
        html! {
            <button type="button" class="key" aria-label={format!("Key {key}")}
                onclick={move |_| on_action.emit(PhoneAction::Press(key))}>
                { key }
            </button>
        }
    });
    let backspace = {
        let on_action = on_action.clone();
        move |_| on_action.emit(PhoneAction::Backspace)
    };
    let clear = {
        let on_action = on_action.clone();
        move |_| on_action.emit(PhoneAction::Clear)
    };
    // Two identical animations, alternated, so every click-to-call replays it.
    let flash = match props.dial_requests {
        0 => None,
        n if !n.is_multiple_of(2) => Some("flash-a"),
        _ => Some("flash-b"),
    };
    html! {
        <aside id="softphone" class="softphone" aria-label="Softphone">
            <div class="softphone-head">
                <h2>{ "Phone" }</h2>
                <span class="line-state" title="The browser phone is not connected yet">
                    <span class="dot" aria-hidden="true"></span>{ "Offline" }
                </span>
            </div>
            <form class="dial-form" onsubmit={|e: SubmitEvent| e.prevent_default()}>
                <label for="dial-input" class="small muted">{ "Number" }</label>
                <div class={classes!("dial-field", flash)}>
                    <input id="dial-input" type="tel" inputmode="tel" autocomplete="off"
                        placeholder="Type a number" maxlength={MAX_DIAL_LEN.to_string()}
                        value={props.dial.clone()} {oninput} />
                    <button type="button" class="key-small" aria-label="Delete last character"
                        title="Delete last character" disabled={props.dial.is_empty()} onclick={backspace}>
                        { "⌫" }
                    </button>
                </div>
                <div class="keypad">{ for keys }</div>
                <div class="softphone-actions">
                    <button type="button" id="call-button" class="btn btn-call" disabled=true
                        title="Calling from the browser arrives in a later version">
                        { "Call" }
                    </button>
                    <button type="button" class="btn btn-ghost" disabled={props.dial.is_empty()} onclick={clear}>
                        { "Clear" }
                    </button>
                </div>
            </form>
            <p class="softphone-note">
                { "The phone connects in a later version. For now, clicking any number puts it here." }
            </p>
        </aside>
    }
}
