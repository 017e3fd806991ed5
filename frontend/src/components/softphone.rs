//! The softphone dock, always on screen beside the pages: a dial pad whose
//! number comes from typing, the keypad or any click-to-call button. Calling
//! itself arrives with the SIP engine; until then the Call button is disabled.
//! Under the number, a live preview of the relay's number rules: the string
//! the trunk will get and the destination class, or why the call is refused.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use callcard_shared::api::DialplanView;

use crate::services::api;
use crate::state::phone::{self, PhoneAction, MAX_DIAL_LEN};

const KEYS: [char; 12] = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

#[derive(Properties, PartialEq)]
pub struct SoftphoneDockProps {
    pub dial: AttrValue,
    /// Changes on every click-to-call, to flash the dial input.
    pub dial_requests: u32,
    /// The relay's number rules, once loaded.
    pub dialplan: Option<DialplanView>,
    pub on_action: Callback<PhoneAction>,
}

#[component]
pub fn SoftphoneDock(props: &SoftphoneDockProps) -> Html {
    let on_action = props.on_action.clone();
    {
        // The rules are fetched once per page load; without them there is no preview.
        let on_action = on_action.clone();
        let loaded = props.dialplan.is_some();
        use_effect_with((), move |_| {
            if !loaded {
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(view) = api::dialplan().await {
                        on_action.emit(PhoneAction::Rules(view));
                    }
                });
            }
        });
    }
    let plan = use_memo(props.dialplan.clone(), |view| {
        view.as_ref().and_then(phone::compile)
    });
    let preview = match (&*plan, props.dial.trim()) {
        (Some((plan, region)), dial) if !dial.is_empty() => {
            let p = phone::preview(&plan.evaluate(*region, dial));
            let class = if p.allowed {
                "dial-preview ok"
            } else {
                "dial-preview refused"
            };
            html! { <p id="dial-preview" class={class} aria-live="polite">{ p.text }</p> }
        }
        _ => html! {},
    };
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
                { preview }
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
