//! The softphone dock, always on screen beside the pages: the line state, a
//! dial pad whose number comes from typing, the keypad or any click-to-call
//! button, with a live preview of the relay's number rules (the string the
//! trunk will get and the destination class, or why the call is refused);
//! the incoming-call pop-up with the caller's card; the call in progress
//! with its timer, mute, hold, DTMF keypad, receive meter and hang-up.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use callcard_shared::dialplan::Verdict;

use crate::components::headset::HeadsetSettings;
use crate::components::wrap_up::WrapUpPrompt;
use crate::i18n::{t, tr, use_lang};
use crate::services::api;
use crate::softphone::devices::{RingNotice, Ringer};
use crate::softphone::Engine;
use crate::state::phone::{
    self, CallStatus, CallView, CallerCard, LineState, PhoneAction, PhoneState, MAX_DIAL_LEN,
};

const KEYS: [char; 12] = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

#[derive(Properties, PartialEq)]
pub struct SoftphoneDockProps {
    pub state: PhoneState,
    /// The browser phone (None: calls cannot be made from this page).
    pub engine: Option<Engine>,
    pub on_action: Callback<PhoneAction>,
}

#[component]
pub fn SoftphoneDock(props: &SoftphoneDockProps) -> Html {
    use_lang();
    let state = &props.state;
    let on_action = props.on_action.clone();
    // The relay's verdict on the number in the pad, asked 150 ms after the
    // last keystroke (the relay holds the numbering-plan metadata; the app
    // stays small). Kept with the text it is for, so a stale answer is never shown.
    let verdict = use_state(|| None::<(String, Verdict)>);
    {
        let verdict = verdict.clone();
        let dial = state.dial.trim().to_owned();
        use_effect_with((dial, state.rules_version), move |(dial, _)| {
            let dial = dial.clone();
            let timer = (!dial.is_empty()).then(|| {
                gloo_timers::callback::Timeout::new(150, move || {
                    wasm_bindgen_futures::spawn_local(async move {
                        if let Ok(answer) = api::check_number(&dial).await {
                            verdict.set(Some((dial, answer)));
                        }
                    });
                })
            });
            move || drop(timer)
        });
    }
    // The ring tone plays (for tests and styles: `data-ringing`).
    let ring_flag = use_state(|| false);
    {
        // An inbound call rings: the ring tone and, in a hidden tab, a
        // notification; both stop when it is answered, declined or gone.
        // Only the tab holding the phone rings.
        let ringing = state
            .call
            .as_ref()
            .filter(|c| c.inbound && c.status == CallStatus::Incoming)
            .map(|c| c.id);
        let caller = state
            .caller
            .as_ref()
            .and_then(|card| card.contact.as_ref().map(|c| c.name.clone()))
            .or_else(|| state.call.as_ref().map(|c| c.number.clone()))
            .unwrap_or_default();
        let leader = props.engine.as_ref().is_some_and(Engine::is_leader);
        let flag = ring_flag.clone();
        use_effect_with(ringing, move |ringing| {
            let on = ringing.is_some() && leader;
            let ringer = on.then(Ringer::start).flatten();
            let notice = on.then(|| RingNotice::show_if_hidden(&caller)).flatten();
            flag.set(ringer.is_some());
            move || {
                flag.set(false);
                drop((ringer, notice))
            }
        });
    }
    // Notifications are asked for on the first click in the dock, not on load.
    let asked = use_mut_ref(|| false);
    let on_dock_click = move |_: MouseEvent| {
        if !std::mem::replace(&mut *asked.borrow_mut(), true) {
            crate::softphone::devices::ask_notification_permission();
        }
    };
    let mut allowed = true;
    let preview = match &*verdict {
        Some((checked, verdict)) if !checked.is_empty() && *checked == state.dial.trim() => {
            let p = phone::preview(verdict);
            allowed = p.allowed;
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
    let talking = state
        .call
        .as_ref()
        .is_some_and(|c| c.status == CallStatus::Talking);
    let keys = KEYS.iter().map(|&key| {
        let on_action = on_action.clone();
        let engine = props.engine.clone();
        // During a call the keypad sends DTMF; otherwise it types the number.
        let onclick = move |_| match (&engine, talking) {
            (Some(engine), true) => engine.dtmf(key),
            _ => on_action.emit(PhoneAction::Press(key)),
        };
        html! {
            <button type="button" class="key" aria-label={tr("dock-key", &[("key", key.to_string().into())])} {onclick}>
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
    let flash = match state.dial_requests {
        0 => None,
        n if !n.is_multiple_of(2) => Some("flash-a"),
        _ => Some("flash-b"),
    };
    let online = state.line == LineState::Online;
    let can_call = online && state.call.is_none() && !state.dial.trim().is_empty() && allowed;
    let call_title = match &state.line {
        LineState::Online if !allowed => t("dock-call-refused-title"),
        LineState::Online => t("dock-call-title"),
        _ => t("dock-not-connected-title"),
    };
    let on_call = {
        let engine = props.engine.clone();
        let dial = state.dial.clone();
        move |_| {
            if let Some(engine) = &engine {
                engine.call(&dial);
            }
        }
    };
    let (line_class, line_text, line_title) = line_view(&state.line);
    let missed = (state.missed > 0).then(|| {
        html! {
            <span id="missed-calls" class="badge" title={t("dock-missed-title")}>
                { tr("dock-missed", &[("count", state.missed.into())]) }
            </span>
        }
    });
    let outcome = state.last_outcome.as_ref().map(|text| {
        html! { <p id="call-outcome" class="call-outcome" role="status">{ text }</p> }
    });
    let call_panel = state.call.as_ref().map(|call| {
        html! {
            <CallPanel call={call.clone()} caller={state.caller.clone()}
                engine={props.engine.clone()} can_consult={state.other.is_none()} />
        }
    });
    let other_call = state.other.as_ref().map(|other| {
        let engine = props.engine.clone();
        let act = move |f: fn(&Engine)| {
            let engine = engine.clone();
            Callback::from(move |_: MouseEvent| {
                if let Some(engine) = &engine {
                    f(engine);
                }
            })
        };
        let waiting = other.status == CallStatus::Incoming;
        let consulting = other.status == CallStatus::Talking
            && state.call.as_ref().is_some_and(|c| c.status == CallStatus::Talking);
        html! {
            <section id="other-call" class={classes!("other-call", waiting.then_some("waiting"))}
                aria-label={if waiting { t("dock-call-waiting") } else { t("dock-call-on-hold") }}>
                <p class="other-call-title">
                    { if waiting {
                        tr("dock-call-waiting-from", &[("number", (&other.number).into())])
                    } else {
                        tr("dock-on-hold-with", &[("number", (&other.number).into())])
                    } }
                </p>
                <div class="call-actions">
                    if waiting {
                        <button type="button" id="answer-waiting" class="btn btn-call"
                            title={t("dock-hold-and-answer-title")}
                            onclick={act(Engine::answer_waiting)}>{ t("dock-hold-and-answer") }</button>
                        <button type="button" id="decline-waiting" class="btn btn-hangup"
                            onclick={act(Engine::decline_waiting)}>{ t("dock-decline") }</button>
                    } else {
                        <button type="button" id="swap-call" class="btn btn-ghost"
                            title={t("dock-swap-title")}
                            onclick={act(Engine::swap)}>{ t("dock-swap") }</button>
                        if consulting {
                            <button type="button" id="transfer-complete" class="btn btn-call"
                                title={t("dock-complete-transfer-title")}
                                onclick={act(Engine::complete_transfer)}>{ t("dock-complete-transfer") }</button>
                        }
                    }
                </div>
            </section>
        }
    });
    let wrap_up = state.wrap_up.as_ref().map(|record| {
        let on_action = on_action.clone();
        let on_done = Callback::from(move |saved: Option<callcard_shared::api::CallRecord>| {
            on_action.emit(PhoneAction::WrapUp(None));
            if saved.is_some() {
                on_action.emit(PhoneAction::Notice(t("dock-wrap-up-saved")));
            }
        });
        html! { <WrapUpPrompt key={record.id} record={record.clone()} {on_done} /> }
    });
    let announced = match (&state.caller, &state.call) {
        // The card arrives before the INVITE: shown at once, even before the ring.
        (Some(card), None) => Some(html! { <CallerCardView card={card.clone()} /> }),
        _ => None,
    };
    html! {
        <aside id="softphone" class="softphone" aria-label={t("dock-softphone")} onclick={on_dock_click}
            data-ringing={ring_flag.to_string()}>
            <div class="softphone-head">
                <h2>{ t("dock-phone") }</h2>
                { for missed }
                <span id="line-state" class={classes!("line-state", line_class)} title={line_title}>
                    <span class="dot" aria-hidden="true"></span>{ line_text }
                </span>
            </div>
            { for announced }
            { for call_panel }
            { for other_call }
            { for outcome }
            { for wrap_up }
            <form class="dial-form" onsubmit={|e: SubmitEvent| e.prevent_default()}>
                <label for="dial-input" class="small muted">{ t("dock-number") }</label>
                <div class={classes!("dial-field", flash)}>
                    <input id="dial-input" type="tel" inputmode="tel" autocomplete="off"
                        placeholder={t("dock-number-placeholder")} maxlength={MAX_DIAL_LEN.to_string()}
                        value={state.dial.clone()} {oninput} />
                    <button type="button" class="key-small" aria-label={t("dock-backspace")}
                        title={t("dock-backspace")} disabled={state.dial.is_empty()} onclick={backspace}>
                        { "⌫" }
                    </button>
                </div>
                { preview }
                <div class="keypad">{ for keys }</div>
                <div class="softphone-actions">
                    <button type="submit" id="call-button" class="btn btn-call"
                        disabled={!can_call} title={call_title} onclick={on_call}>
                        { t("dock-call") }
                    </button>
                    <button type="button" class="btn btn-ghost" disabled={state.dial.is_empty()} onclick={clear}>
                        { t("dock-clear") }
                    </button>
                </div>
            </form>
            <HeadsetSettings />
        </aside>
    }
}

/// The line indicator: CSS class, text and the detail on hover.
fn line_view(line: &LineState) -> (&'static str, String, String) {
    match line {
        LineState::Off => ("off", t("dock-line-offline"), t("dock-line-off-title")),
        LineState::Connecting => ("connecting", t("dock-line-connecting"), String::new()),
        LineState::Online => ("online", t("dock-line-online"), t("dock-line-online-title")),
        LineState::Reconnecting { reason } => {
            ("reconnecting", t("dock-line-reconnecting"), reason.clone())
        }
        LineState::Unavailable(why) => ("unavailable", t("dock-line-offline"), why.clone()),
    }
}

fn status_text(call: &CallView) -> String {
    match call.status {
        CallStatus::Preparing => t("dock-status-preparing"),
        CallStatus::Calling => t("dock-status-calling"),
        CallStatus::Ringing => t("dock-status-ringing"),
        CallStatus::Incoming => t("dock-incoming-call"),
        CallStatus::Connecting => t("dock-status-connecting"),
        CallStatus::Talking if call.held => t("dock-status-on-hold"),
        CallStatus::Talking => t("dock-status-talking"),
    }
}

#[derive(Properties, PartialEq)]
struct CallerCardProps {
    card: CallerCard,
}

/// Who is calling: the contact's card, or an unknown number to create.
#[component]
fn CallerCardView(props: &CallerCardProps) -> Html {
    use_lang();
    let card = &props.card;
    match &card.contact {
        Some(contact) => {
            let href = format!("/contacts/{}", contact.id);
            html! {
                <section id="caller-card" class="caller-card" aria-label={t("dock-caller")}>
                    <a class="caller-name" href={href}>{ &contact.name }</a>
                    if let Some(company) = &contact.company {
                        <p class="caller-company">{ company }</p>
                    }
                    <p class="small muted">
                        { &card.number }{ " · " }{ &contact.status }
                        if let Some(manager) = &contact.responsible {
                            { " · " }{ &manager.display_name }
                        }
                    </p>
                    if let Some(email) = &contact.email {
                        <p class="small">{ email }</p>
                    }
                    if let Some(last) = &card.last_call {
                        <p class="small muted">{ tr("dock-last-call", &[("when", crate::format::timestamp(last).into())]) }</p>
                    }
                </section>
            }
        }
        None => html! {
            <section id="caller-card" class="caller-card unknown" aria-label={t("dock-caller")}>
                <p class="caller-name">{ t("dock-unknown-number") }</p>
                <p class="small muted">{ &card.number }</p>
            </section>
        },
    }
}

#[derive(Properties, PartialEq)]
struct CallPanelProps {
    call: CallView,
    /// No second call is up (a consultation can be placed).
    can_consult: bool,
    caller: Option<CallerCard>,
    engine: Option<Engine>,
}

/// The call in progress (or ringing here).
#[component]
fn CallPanel(props: &CallPanelProps) -> Html {
    use_lang();
    let call = &props.call;
    let engine = props.engine.clone();
    let act = move |f: fn(&Engine)| {
        let engine = engine.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(engine) = &engine {
                f(engine);
            }
        })
    };
    let (muted, held, paused) = (call.muted, call.held, call.recording_paused);
    let on_pause_recording = {
        let engine = props.engine.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(engine) = &engine {
                engine.set_recording_paused(!paused);
            }
        })
    };
    let on_mute = {
        let engine = props.engine.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(engine) = &engine {
                engine.set_muted(!muted);
            }
        })
    };
    let on_hold = {
        let engine = props.engine.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(engine) = &engine {
                engine.set_held(!held);
            }
        })
    };
    let transfer = html! {
        <TransferForm engine={props.engine.clone()} consult={props.can_consult} />
    };
    let card = props.caller.as_ref().filter(|_| call.inbound);
    let title = card
        .and_then(|c| c.contact.as_ref().map(|contact| contact.name.clone()))
        .unwrap_or_else(|| call.number.clone());
    let status = match call.status {
        CallStatus::Preparing => "preparing",
        CallStatus::Calling => "calling",
        CallStatus::Ringing => "ringing",
        CallStatus::Incoming => "incoming",
        CallStatus::Connecting => "connecting",
        CallStatus::Talking => "talking",
    };
    let level = (call.rx_level.clamp(0.0, 1.0) * 100.0).round();
    html! {
        <section id="active-call" class={classes!("active-call", status)} aria-label={t("dock-call-panel")}
            data-status={status} data-rx-packets={call.rx_packets.to_string()}
            data-rx-level={format!("{:.4}", call.rx_level)}>
            if let Some(card) = card {
                <CallerCardView card={card.clone()} />
            } else {
                <p class="call-title">{ title }</p>
            }
            <p class="call-status">
                { status_text(call) }
                if let Some(since) = call.answered_at {
                    { " · " }<CallTimer {since} />
                }
            </p>
            if call.status == CallStatus::Talking {
                <div class="rx-meter" title={t("dock-rx-meter-title")}>
                    <span style={format!("width: {level}%")}></span>
                </div>
            }
            <div class="call-actions">
                if call.status == CallStatus::Incoming {
                    <button type="button" id="answer-button" class="btn btn-call"
                        onclick={act(Engine::answer)}>{ t("dock-answer") }</button>
                    <button type="button" id="reject-button" class="btn btn-hangup"
                        onclick={act(Engine::hang_up)}>{ t("dock-decline") }</button>
                } else {
                    if call.status == CallStatus::Talking {
                        <button type="button" id="mute-button" class="btn btn-ghost"
                            aria-pressed={muted.to_string()} onclick={on_mute}>
                            { if muted { t("dock-unmute") } else { t("dock-mute") } }
                        </button>
                        <button type="button" id="hold-button" class="btn btn-ghost"
                            aria-pressed={held.to_string()} onclick={on_hold}>
                            { if held { t("dock-resume") } else { t("dock-hold") } }
                        </button>
                        <button type="button" id="pause-recording-button" class="btn btn-ghost"
                            aria-pressed={paused.to_string()} onclick={on_pause_recording}
                            title={t("dock-pause-recording-title")}>
                            { if paused { t("dock-resume-recording") } else { t("dock-pause-recording") } }
                        </button>
                    }
                    <button type="button" id="hangup-button" class="btn btn-hangup"
                        onclick={act(Engine::hang_up)}>{ t("dock-hang-up") }</button>
                }
            </div>
            if call.status == CallStatus::Talking {
                { transfer }
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct TransferFormProps {
    engine: Option<Engine>,
    /// No other call is up: "Consult first" can place one.
    consult: bool,
}

/// Transfer of the call in progress: to an extension or a number, at once
/// (blind) or after talking to them first (consult, then "Complete
/// transfer" on the held call).
#[component]
fn TransferForm(props: &TransferFormProps) -> Html {
    use_lang();
    let open = use_state(|| false);
    let target = use_state(String::new);
    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let oninput = {
        let target = target.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            target.set(input.value());
        })
    };
    let run = |f: fn(&Engine, &str)| {
        let (engine, target, open) = (props.engine.clone(), target.clone(), open.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(engine) = &engine {
                f(engine, target.trim());
                open.set(false);
            }
        })
    };
    let empty = target.trim().is_empty();
    html! {
        <div class="transfer">
            <button type="button" id="transfer-button" class="btn btn-ghost"
                aria-expanded={open.to_string()} onclick={toggle}>{ t("dock-transfer") }</button>
            if *open {
                <form class="transfer-form" onsubmit={|e: SubmitEvent| e.prevent_default()}>
                    <label for="transfer-target" class="small muted">
                        { t("dock-transfer-target") }
                    </label>
                    <input id="transfer-target" type="tel" inputmode="tel" autocomplete="off"
                        placeholder={t("dock-transfer-placeholder")} value={(*target).clone()} {oninput} />
                    <div class="call-actions">
                        <button type="submit" id="transfer-blind" class="btn btn-call" disabled={empty}
                            title={t("dock-transfer-now-title")}
                            onclick={run(Engine::transfer)}>{ t("dock-transfer-now") }</button>
                        if props.consult {
                            <button type="button" id="transfer-consult" class="btn btn-ghost" disabled={empty}
                                title={t("dock-consult-first-title")}
                                onclick={run(Engine::consult)}>{ t("dock-consult-first") }</button>
                        }
                    </div>
                </form>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct CallTimerProps {
    /// `Date.now()` at the answer.
    since: f64,
}

/// `m:ss` since the answer, ticking every second.
#[component]
fn CallTimer(props: &CallTimerProps) -> Html {
    let tick = use_state(|| 0u32);
    {
        let tick = tick.clone();
        use_effect_with((), move |_| {
            let interval =
                gloo_timers::callback::Interval::new(1_000, move || tick.set(tick.wrapping_add(1)));
            move || drop(interval)
        });
    }
    let seconds = ((js_sys::Date::now() - props.since) / 1000.0).max(0.0) as u64;
    html! {
        <span id="call-timer" class="call-timer">
            { format!("{}:{:02}", seconds / 60, seconds % 60) }
        </span>
    }
}
