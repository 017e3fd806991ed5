//! The headset: which microphone and speaker the phone uses (chosen in the
//! dock's Audio panel, remembered per browser in `localStorage`), the
//! microphone level meter, the test sound, the ring tone of an inbound call
//! and the browser notification of a call ringing in a hidden tab.
//!
//! `setSinkId` (the speaker choice) and `AudioContext.setSinkId` are called
//! through `Reflect`: not every browser has them (Firefox hides them behind
//! a preference), and the dock says so instead of offering the choice.

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AudioContext, HtmlMediaElement, MediaStream, MediaStreamTrack};

use crate::i18n::{t, tr};

/// `localStorage` keys of the chosen devices.
pub const INPUT_KEY: &str = "callcard.audio.input";
pub const OUTPUT_KEY: &str = "callcard.audio.output";

/// The kinds of device, as the `kind` of [`missing_note`], [`display_label`]
/// and the other labels (compared without case; not shown as they are).
pub const MICROPHONE: &str = "microphone";
pub const SPEAKER: &str = "speaker";

fn is_speaker(kind: &str) -> bool {
    kind.eq_ignore_ascii_case(SPEAKER)
}

/// One microphone or speaker from `enumerateDevices()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: String,
    /// Empty until the user allowed the microphone on this site.
    pub label: String,
}

/// Which device the phone should open, given what was stored and what the
/// browser lists now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// Nothing chosen (or "default"): the browser's default.
    Default,
    /// The stored device is connected: use it.
    Device(String),
    /// The stored device is gone (unplugged headset): the default, and say so.
    Missing(String),
}

/// The stored device if it is still listed, else the default. An empty list
/// means the browser hides the ids (the microphone is not allowed yet in
/// this page): the stored one is tried, and the opening falls back.
pub fn choose(stored: Option<&str>, available: &[Device]) -> Choice {
    match stored {
        None | Some("") | Some("default") => Choice::Default,
        Some(id) if available.is_empty() || available.iter().any(|d| d.id == id) => {
            Choice::Device(id.to_string())
        }
        Some(id) => Choice::Missing(id.to_string()),
    }
}

/// What the user reads when the chosen device is not connected.
pub fn missing_note(kind: &str) -> String {
    if is_speaker(kind) {
        t("audio-speaker-missing")
    } else {
        t("audio-mic-missing")
    }
}

/// A label for a device the browser does not name yet.
pub fn display_label(device: &Device, index: usize, kind: &str) -> String {
    if device.label.is_empty() {
        if device.id == "default" {
            t("audio-default-device")
        } else if is_speaker(kind) {
            tr("audio-speaker-numbered", &[("number", (index + 1).into())])
        } else {
            tr("audio-mic-numbered", &[("number", (index + 1).into())])
        }
    } else {
        device.label.clone()
    }
}

/// The entry of the device chosen before that is not plugged in now.
pub fn not_connected_label(kind: &str) -> String {
    if is_speaker(kind) {
        t("audio-speaker-not-connected")
    } else {
        t("audio-mic-not-connected")
    }
}

/// The entry of the device chosen before, while the browser hides the names.
pub fn chosen_label(kind: &str) -> String {
    if is_speaker(kind) {
        t("audio-chosen-speaker")
    } else {
        t("audio-chosen-mic")
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn stored(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

pub fn store(key: &str, id: &str) {
    if let Some(s) = storage() {
        let _ = if id.is_empty() {
            s.remove_item(key)
        } else {
            s.set_item(key, id)
        };
    }
}

fn media_devices() -> Result<web_sys::MediaDevices, JsValue> {
    web_sys::window()
        .ok_or_else(|| JsValue::from(t("audio-no-window")))?
        .navigator()
        .media_devices()
}

/// The microphones and the speakers, in the browser's order.
pub async fn list() -> (Vec<Device>, Vec<Device>) {
    let mut inputs = Vec::new();
    let mut outputs = Vec::new();
    let Ok(devices) = media_devices() else {
        return (inputs, outputs);
    };
    let Ok(promise) = devices.enumerate_devices() else {
        return (inputs, outputs);
    };
    let Ok(list) = JsFuture::from(promise).await else {
        return (inputs, outputs);
    };
    for info in Array::from(&list).iter() {
        let get = |name: &str| {
            Reflect::get(&info, &name.into())
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default()
        };
        let device = Device {
            id: get("deviceId"),
            label: get("label"),
        };
        if device.id.is_empty() {
            // Not allowed yet and the browser hides even the ids: one
            // anonymous entry per kind, which is the default anyway.
            continue;
        }
        match get("kind").as_str() {
            "audioinput" => inputs.push(device),
            "audiooutput" => outputs.push(device),
            _ => {}
        }
    }
    (inputs, outputs)
}

/// The stored microphone, checked against the devices connected now.
pub async fn input_choice() -> Choice {
    let (inputs, _) = list().await;
    choose(stored(INPUT_KEY).as_deref(), &inputs)
}

/// The stored speaker, checked against the devices connected now.
pub async fn output_choice() -> Choice {
    let (_, outputs) = list().await;
    choose(stored(OUTPUT_KEY).as_deref(), &outputs)
}

/// The `audio` member of getUserMedia's constraints for `choice`.
pub fn audio_constraint(choice: &Choice) -> JsValue {
    match choice {
        Choice::Device(id) => {
            let exact = Object::new();
            let _ = Reflect::set(&exact, &"exact".into(), &id.into());
            let audio = Object::new();
            let _ = Reflect::set(&audio, &"deviceId".into(), &exact);
            audio.into()
        }
        _ => JsValue::TRUE,
    }
}

/// Opens the microphone `choice` names (the default for the others).
pub async fn open_mic(choice: &Choice) -> Result<MediaStream, JsValue> {
    let constraints = web_sys::MediaStreamConstraints::new();
    constraints.set_audio(&audio_constraint(choice));
    constraints.set_video(&JsValue::FALSE);
    JsFuture::from(media_devices()?.get_user_media_with_constraints(&constraints)?)
        .await?
        .dyn_into()
}

pub fn stop(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        if let Ok(track) = track.dyn_into::<MediaStreamTrack>() {
            track.stop();
        }
    }
}

/// Whether the browser can send a media element's sound to a chosen speaker.
pub fn speaker_choice_supported() -> bool {
    let Ok(window) = web_sys::window().ok_or(()) else {
        return false;
    };
    Reflect::get(&window, &"HTMLMediaElement".into())
        .and_then(|class| Reflect::get(&class, &"prototype".into()))
        .and_then(|proto| Reflect::has(&proto, &"setSinkId".into()).map(JsValue::from))
        .map(|v| v.is_truthy())
        .unwrap_or(false)
}

/// Calls `target.setSinkId(id)` where the browser has it.
async fn set_sink(target: &JsValue, id: &str) -> Result<(), JsValue> {
    let f = Reflect::get(target, &"setSinkId".into())?;
    let Some(f) = f.dyn_ref::<Function>() else {
        return Ok(());
    };
    let promise = f.call1(target, &id.into())?;
    if let Ok(promise) = promise.dyn_into::<js_sys::Promise>() {
        JsFuture::from(promise).await?;
    }
    Ok(())
}

/// Sends `element`'s sound to the stored speaker, if it is connected and the
/// browser can; a note when the stored one is gone.
pub async fn route_to_speaker(element: &HtmlMediaElement) -> Option<String> {
    if !speaker_choice_supported() {
        return None;
    }
    match output_choice().await {
        Choice::Device(id) => set_sink(element, &id).await.err().map(|e| {
            tr(
                "audio-speaker-failed",
                &[("why", super::media::describe(&e).into())],
            )
        }),
        Choice::Missing(_) => Some(missing_note(SPEAKER)),
        Choice::Default => None,
    }
}

/// An `AudioContext` playing on the stored speaker where the browser can
/// route one (`AudioContext.setSinkId`, Chromium 110+).
async fn context_on_speaker() -> Result<AudioContext, JsValue> {
    let ctx = AudioContext::new()?;
    if let Choice::Device(id) = output_choice().await {
        let _ = set_sink(&ctx, &id).await;
    }
    let _ = ctx.resume();
    Ok(ctx)
}

/// A tone of `hz` from `start` for `seconds` (seconds of the context's
/// clock), with soft edges, at `volume` (0–1).
fn tone(ctx: &AudioContext, hz: f32, start: f64, seconds: f64, volume: f32) -> Result<(), JsValue> {
    let osc = ctx.create_oscillator()?;
    osc.frequency().set_value(hz);
    let gain = ctx.create_gain()?;
    let level = gain.gain();
    level.set_value_at_time(0.0, start)?;
    level.linear_ramp_to_value_at_time(volume, start + 0.02)?;
    level.set_value_at_time(volume, start + seconds - 0.03)?;
    level.linear_ramp_to_value_at_time(0.0, start + seconds)?;
    osc.connect_with_audio_node(&gain)?;
    gain.connect_with_audio_node(&ctx.destination())?;
    osc.start_with_when(start)?;
    osc.stop_with_when(start + seconds)?;
    Ok(())
}

/// "Play test sound": a short 440 Hz tone on the chosen speaker.
pub async fn play_test_sound() -> Result<(), JsValue> {
    let ctx = context_on_speaker().await?;
    let t = ctx.current_time() + 0.05;
    tone(&ctx, 440.0, t, 0.8, 0.3)?;
    super::media::sleep_ms(1_000).await;
    let _ = ctx.close();
    Ok(())
}

/// The microphone level while the Audio panel is open.
pub struct MicMeter {
    ctx: AudioContext,
    stream: MediaStream,
    analyser: web_sys::AnalyserNode,
    buffer: Vec<f32>,
}

impl MicMeter {
    pub async fn open(choice: &Choice) -> Result<MicMeter, JsValue> {
        let stream = open_mic(choice).await?;
        let ctx = AudioContext::new()?;
        let _ = ctx.resume();
        let source = ctx.create_media_stream_source(&stream)?;
        let analyser = ctx.create_analyser()?;
        analyser.set_fft_size(1024);
        source.connect_with_audio_node(&analyser)?;
        let buffer = vec![0.0; analyser.fft_size() as usize];
        Ok(MicMeter {
            ctx,
            stream,
            analyser,
            buffer,
        })
    }

    /// The level now, 0–1 (RMS of the last window, scaled so speech shows).
    pub fn level(&mut self) -> f64 {
        self.analyser.get_float_time_domain_data(&mut self.buffer);
        rms_level(&self.buffer)
    }
}

/// The meter's reading of samples in −1…1: RMS, ×3 and capped at 1.
pub fn rms_level(samples: &[f32]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let sum: f64 = samples.iter().map(|&s| (s as f64) * (s as f64)).sum();
    ((sum / samples.len() as f64).sqrt() * 3.0).min(1.0)
}

impl Drop for MicMeter {
    fn drop(&mut self) {
        stop(&self.stream);
        let _ = self.ctx.close();
    }
}

/// The ring of an inbound call: a soft two-tone (480/620 Hz) pair, then a
/// pause, every 3 s until dropped (answered, declined or cancelled).
pub struct Ringer {
    ctx: Option<AudioContext>,
    _repeat: gloo_timers::callback::Interval,
}

/// One ring: two short tones, 0.4 s each.
fn ring_once(ctx: &AudioContext) {
    let t = ctx.current_time() + 0.05;
    let _ = tone(ctx, 480.0, t, 0.4, 0.12);
    let _ = tone(ctx, 620.0, t + 0.45, 0.4, 0.12);
}

impl Ringer {
    pub fn start() -> Option<Ringer> {
        let ctx = AudioContext::new().ok()?;
        let _ = ctx.resume();
        let routed = ctx.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Choice::Device(id) = output_choice().await {
                let _ = set_sink(&routed, &id).await;
            }
        });
        ring_once(&ctx);
        let again = ctx.clone();
        let repeat = gloo_timers::callback::Interval::new(3_000, move || ring_once(&again));
        Some(Ringer {
            ctx: Some(ctx),
            _repeat: repeat,
        })
    }
}

impl Drop for Ringer {
    fn drop(&mut self) {
        if let Some(ctx) = self.ctx.take() {
            let _ = ctx.close();
        }
    }
}

/// Whether the page is in a background tab or a minimised window.
pub fn page_hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}

fn notification_class() -> Option<JsValue> {
    let window = web_sys::window()?;
    Reflect::get(&window, &"Notification".into())
        .ok()
        .filter(|v| !v.is_undefined())
}

/// Asks for the permission to notify once, on a user's click (browsers
/// refuse or penalise asking on load).
pub fn ask_notification_permission() {
    let Some(class) = notification_class() else {
        return;
    };
    let permission = Reflect::get(&class, &"permission".into())
        .ok()
        .and_then(|v| v.as_string());
    if permission.as_deref() != Some("default") {
        return;
    }
    if let Ok(f) = Reflect::get(&class, &"requestPermission".into()) {
        if let Some(f) = f.dyn_ref::<Function>() {
            let _ = f.call0(&class);
        }
    }
}

/// A "call ringing" notification; clicking it brings the tab forward.
/// Closed when dropped.
pub struct RingNotice {
    notification: JsValue,
    _on_click: Closure<dyn FnMut()>,
}

impl RingNotice {
    /// Shows one if the page is hidden and notifications are allowed.
    pub fn show_if_hidden(caller: &str) -> Option<RingNotice> {
        if !page_hidden() {
            return None;
        }
        let class = notification_class()?;
        let permission = Reflect::get(&class, &"permission".into()).ok()?.as_string();
        if permission.as_deref() != Some("granted") {
            return None;
        }
        let options = Object::new();
        let _ = Reflect::set(&options, &"body".into(), &caller.into());
        let _ = Reflect::set(&options, &"tag".into(), &"callcard-ring".into());
        let _ = Reflect::set(&options, &"requireInteraction".into(), &JsValue::TRUE);
        let class: Function = class.dyn_into().ok()?;
        let args = Array::of2(&t("dock-incoming-call").into(), &options);
        let notification = Reflect::construct(&class, &args).ok()?;
        let target = notification.clone();
        let on_click = Closure::<dyn FnMut()>::new(move || {
            if let Some(window) = web_sys::window() {
                let _ = window.focus();
            }
            close(&target);
        });
        let _ = Reflect::set(
            &notification,
            &"onclick".into(),
            on_click.as_ref().unchecked_ref(),
        );
        Some(RingNotice {
            notification,
            _on_click: on_click,
        })
    }
}

fn close(notification: &JsValue) {
    if let Ok(f) = Reflect::get(notification, &"close".into()) {
        if let Some(f) = f.dyn_ref::<Function>() {
            let _ = f.call0(notification);
        }
    }
}

impl Drop for RingNotice {
    fn drop(&mut self) {
        let _ = Reflect::set(&self.notification, &"onclick".into(), &JsValue::NULL);
        close(&self.notification);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(id: &str) -> Device {
        Device {
            id: id.into(),
            label: String::new(),
        }
    }

    #[test]
    fn the_stored_device_is_used_while_it_is_connected() {
        let available = [device("default"), device("headset"), device("laptop")];
        assert_eq!(
            choose(Some("headset"), &available),
            Choice::Device("headset".into())
        );
    }

    #[test]
    fn an_unplugged_device_falls_back_to_the_default_and_says_so() {
        let available = [device("default"), device("laptop")];
        assert_eq!(
            choose(Some("headset"), &available),
            Choice::Missing("headset".into())
        );
        assert!(missing_note("microphone").contains("default"));
    }

    #[test]
    fn nothing_stored_or_default_means_the_browsers_default() {
        let available = [device("default"), device("laptop")];
        assert_eq!(choose(None, &available), Choice::Default);
        assert_eq!(choose(Some(""), &available), Choice::Default);
        assert_eq!(choose(Some("default"), &available), Choice::Default);
    }

    #[test]
    fn with_the_ids_hidden_the_stored_device_is_tried() {
        assert_eq!(
            choose(Some("headset"), &[]),
            Choice::Device("headset".into())
        );
        assert_eq!(choose(None, &[]), Choice::Default);
    }

    #[test]
    fn unnamed_devices_get_a_numbered_label() {
        assert_eq!(
            display_label(&device("default"), 0, "Microphone"),
            "Default"
        );
        assert_eq!(display_label(&device("x"), 1, "Microphone"), "Microphone 2");
        let named = Device {
            id: "x".into(),
            label: "Jabra Evolve".into(),
        };
        assert_eq!(display_label(&named, 1, "Microphone"), "Jabra Evolve");
    }

    #[test]
    fn the_labels_and_notes_read_as_before_in_english() {
        assert_eq!(
            missing_note(MICROPHONE),
            "The microphone chosen in Audio settings is not connected; the default one is used."
        );
        assert_eq!(
            missing_note(SPEAKER),
            "The speaker chosen in Audio settings is not connected; the default one is used."
        );
        assert_eq!(display_label(&device("x"), 0, "Speaker"), "Speaker 1");
        assert_eq!(
            not_connected_label("Microphone"),
            "Microphone (not connected)"
        );
        assert_eq!(not_connected_label("Speaker"), "Speaker (not connected)");
        assert_eq!(chosen_label("Microphone"), "The chosen microphone");
        assert_eq!(chosen_label("Speaker"), "The chosen speaker");
    }

    #[test]
    fn the_meter_reads_silence_as_zero_and_caps_loud_sound() {
        assert_eq!(rms_level(&[]), 0.0);
        assert_eq!(rms_level(&[0.0; 64]), 0.0);
        assert_eq!(rms_level(&[1.0, -1.0, 1.0, -1.0]), 1.0);
        let quiet = rms_level(&[0.1, -0.1, 0.1, -0.1]);
        assert!((quiet - 0.3).abs() < 1e-6, "{quiet}");
    }
}
