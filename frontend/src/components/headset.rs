//! The dock's Audio panel, for a headset worn all day: the microphone and
//! the speaker the phone uses (remembered in this browser), a live level of
//! the chosen microphone while the panel is open, and a test sound.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::i18n::{t, tr, use_lang};
use crate::softphone::devices::{self, Choice, Device, MicMeter};

#[derive(Clone, PartialEq, Default)]
struct Listing {
    inputs: Vec<Device>,
    outputs: Vec<Device>,
    /// The browser names the devices (the microphone was allowed).
    named: bool,
}

#[component]
pub fn HeadsetSettings() -> Html {
    use_lang();
    let open = use_state(|| false);
    let listing = use_state(Listing::default);
    let input = use_state(|| devices::stored(devices::INPUT_KEY).unwrap_or_default());
    let output = use_state(|| devices::stored(devices::OUTPUT_KEY).unwrap_or_default());
    let level = use_state(|| 0.0f64);
    let problem = use_state(|| None::<String>);
    // Bumped to list the devices again (after the microphone was allowed).
    let refresh = use_state(|| 0u32);
    let testing = use_state(|| false);

    {
        let listing = listing.clone();
        use_effect_with((*open, *refresh), move |(open, _)| {
            let load = move || {
                let listing = listing.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let (inputs, outputs) = devices::list().await;
                    let named = inputs.iter().any(|d| !d.label.is_empty());
                    listing.set(Listing {
                        inputs,
                        outputs,
                        named,
                    });
                });
            };
            // A headset plugged in or out while the panel is open.
            let media = web_sys::window().and_then(|w| w.navigator().media_devices().ok());
            let on_change = open.then(|| {
                load();
                let on_change = Closure::<dyn FnMut()>::new(load);
                if let Some(media) = &media {
                    media.set_ondevicechange(Some(on_change.as_ref().unchecked_ref()));
                }
                on_change
            });
            move || {
                if let (Some(media), Some(_)) = (&media, &on_change) {
                    media.set_ondevicechange(None);
                }
                drop(on_change);
            }
        });
    }
    {
        // The level meter on the chosen microphone, while the panel is open
        // and the browser lets us open it without asking.
        let level = level.clone();
        let problem = problem.clone();
        let run = *open && listing.named;
        let choice = devices::choose(Some(input.as_str()), &listing.inputs);
        use_effect_with((run, choice), move |(run, choice)| {
            let meter: Rc<RefCell<Option<MicMeter>>> = Rc::new(RefCell::new(None));
            let cancelled = Rc::new(RefCell::new(false));
            let mut poll = None;
            if *run {
                let choice = choice.clone();
                let slot = meter.clone();
                let gone = cancelled.clone();
                let problem = problem.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    match MicMeter::open(&choice).await {
                        Ok(m) if !*gone.borrow() => {
                            problem.set(None);
                            *slot.borrow_mut() = Some(m);
                        }
                        Ok(_) => {}
                        Err(e) => problem.set(Some(tr(
                            "audio-mic-cannot-open",
                            &[("why", crate::softphone::media::describe(&e).into())],
                        ))),
                    }
                });
                let slot = meter.clone();
                poll = Some(gloo_timers::callback::Interval::new(100, move || {
                    if let Some(m) = slot.borrow_mut().as_mut() {
                        level.set(m.level());
                    }
                }));
            }
            move || {
                *cancelled.borrow_mut() = true;
                drop(poll);
                meter.borrow_mut().take();
            }
        });
    }

    let toggle = {
        let open = open.clone();
        move |_| open.set(!*open)
    };
    let allow = {
        let refresh = refresh.clone();
        let problem = problem.clone();
        move |_| {
            let refresh = refresh.clone();
            let problem = problem.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match devices::open_mic(&Choice::Default).await {
                    Ok(stream) => devices::stop(&stream),
                    Err(e) => problem.set(Some(tr(
                        "audio-mic-not-allowed",
                        &[("why", crate::softphone::media::describe(&e).into())],
                    ))),
                }
                refresh.set(*refresh + 1);
            });
        }
    };
    let on_input = {
        let input = input.clone();
        move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            devices::store(devices::INPUT_KEY, &select.value());
            input.set(select.value());
        }
    };
    let on_output = {
        let output = output.clone();
        move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            devices::store(devices::OUTPUT_KEY, &select.value());
            output.set(select.value());
        }
    };
    let on_test = {
        let testing = testing.clone();
        let problem = problem.clone();
        move |_| {
            let testing = testing.clone();
            let problem = problem.clone();
            testing.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(e) = devices::play_test_sound().await {
                    problem.set(Some(tr(
                        "audio-test-failed",
                        &[("why", crate::softphone::media::describe(&e).into())],
                    )));
                }
                testing.set(false);
            });
        }
    };

    let options = |list: &[Device], chosen: &str, kind: &str| -> Html {
        let listed = list.iter().any(|d| d.id == chosen);
        html! {
            <>
                <option value="" selected={chosen.is_empty()}>{ t("audio-system-default") }</option>
                { for list.iter().filter(|d| d.id != "default").enumerate().map(|(i, d)| html! {
                    <option value={d.id.clone()} selected={d.id == chosen}>
                        { devices::display_label(d, i, kind) }
                    </option>
                }) }
                if !chosen.is_empty() && !listed {
                    <option value={chosen.to_string()} selected=true>
                        { if listing.named {
                            devices::not_connected_label(kind)
                        } else {
                            devices::chosen_label(kind)
                        } }
                    </option>
                }
            </>
        }
    };
    let missing = |list: &[Device], chosen: &str, kind: &str| {
        (listing.named && matches!(devices::choose(Some(chosen), list), Choice::Missing(_)))
            .then(|| html! { <p class="small audio-note">{ devices::missing_note(kind) }</p> })
    };
    let percent = (level.clamp(0.0, 1.0) * 100.0).round();
    let speaker = if devices::speaker_choice_supported() {
        html! {
            <>
                <label for="audio-output" class="small muted">{ t("audio-speaker") }</label>
                <select id="audio-output" onchange={on_output}>
                    { options(&listing.outputs, &output, devices::SPEAKER) }
                </select>
                { for missing(&listing.outputs, &output, devices::SPEAKER) }
            </>
        }
    } else {
        html! {
            <p id="audio-output-note" class="small muted">
                { t("audio-no-speaker-choice") }
            </p>
        }
    };

    html! {
        <div class="headset">
            <button type="button" id="audio-toggle" class="btn btn-ghost audio-toggle"
                aria-expanded={open.to_string()} aria-controls="audio-settings" onclick={toggle}>
                { if *open { t("audio-toggle-open") } else { t("audio-toggle-closed") } }
            </button>
            if *open {
                <section id="audio-settings" class="audio-settings" aria-label={t("audio-settings")}>
                    if !listing.named {
                        <p class="small muted">
                            { t("audio-names-after-allow") }
                        </p>
                        <button type="button" id="audio-allow" class="btn btn-ghost" onclick={allow}>
                            { t("audio-allow-mic") }
                        </button>
                    }
                    <label for="audio-input" class="small muted">{ t("audio-microphone") }</label>
                    <select id="audio-input" onchange={on_input}>
                        { options(&listing.inputs, &input, devices::MICROPHONE) }
                    </select>
                    { for missing(&listing.inputs, &input, devices::MICROPHONE) }
                    if listing.named {
                        <div id="mic-level" class="mic-level" title={t("audio-mic-level-title")}
                            data-level={format!("{:.3}", *level)}>
                            <span style={format!("width: {percent}%")}></span>
                        </div>
                    }
                    { speaker }
                    <button type="button" id="audio-test" class="btn btn-ghost"
                        disabled={*testing} onclick={on_test}>
                        { if *testing { t("audio-test-playing") } else { t("audio-test") } }
                    </button>
                    if let Some(text) = &*problem {
                        <p class="small audio-note" role="status">{ text }</p>
                    }
                </section>
            }
        </div>
    }
}
