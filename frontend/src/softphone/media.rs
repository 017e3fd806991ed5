//! The audio of one call: an `RTCPeerConnection` with the microphone's
//! track, the far end's audio played through an `<audio>` element, DTMF
//! through `RTCDTMFSender`, mute, hold (a `sendonly` re-offer) and the
//! receive meter from `getStats`. The relay is ICE-lite and anchors the
//! media, so there are no ICE servers and no trickle: an SDP is sent once
//! candidate gathering is complete.

use super::devices::{self, Choice};
use crate::i18n::t;
use js_sys::{Array, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    HtmlAudioElement, MediaStream, MediaStreamTrack, RtcConfiguration, RtcIceGatheringState,
    RtcPeerConnection, RtcRtpTransceiverDirection, RtcSdpType, RtcSessionDescriptionInit,
    RtcTrackEvent,
};

/// Gathering is normally done in milliseconds (host candidates only); this
/// is the most a user waits before the SDP goes with what it has.
const GATHERING_LIMIT_MS: u32 = 3_000;

pub struct CallAudio {
    pc: RtcPeerConnection,
    mic: MediaStream,
    player: HtmlAudioElement,
    /// For the user: the chosen microphone or speaker was not used, and why.
    pub note: Option<String>,
    _on_track: Closure<dyn FnMut(RtcTrackEvent)>,
}

/// What went wrong setting the audio up, in words for the user.
pub fn describe(e: &JsValue) -> String {
    let name = Reflect::get(e, &"name".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    match name.as_str() {
        "NotAllowedError" => t("audio-error-not-allowed"),
        "NotFoundError" => t("audio-error-not-found"),
        "NotReadableError" => t("audio-error-in-use"),
        // The browser's own message (in the browser's language).
        _ => Reflect::get(e, &"message".into())
            .ok()
            .and_then(|v| v.as_string())
            .or_else(|| e.as_string())
            .unwrap_or_else(|| t("audio-error-failed")),
    }
}

impl CallAudio {
    /// Opens the microphone and a peer connection with its track.
    pub async fn open() -> Result<CallAudio, JsValue> {
        let window = web_sys::window().ok_or_else(|| JsValue::from(t("audio-no-window")))?;
        // The microphone chosen in the dock's Audio panel, if still plugged in.
        let choice = devices::input_choice().await;
        let mut notes = Vec::new();
        if let Choice::Missing(_) = choice {
            notes.push(devices::missing_note(devices::MICROPHONE));
        }
        let mic = match devices::open_mic(&choice).await {
            Ok(mic) => mic,
            Err(_) if matches!(choice, Choice::Device(_)) => {
                // Unplugged between the listing and the opening.
                notes.push(devices::missing_note(devices::MICROPHONE));
                devices::open_mic(&Choice::Default).await?
            }
            Err(e) => return Err(e),
        };
        let config = RtcConfiguration::new();
        config.set_ice_servers(&Array::new());
        let pc = RtcPeerConnection::new_with_configuration(&config)?;
        for track in mic.get_audio_tracks().iter() {
            let track: MediaStreamTrack = track.dyn_into()?;
            pc.add_track_0(&track, &mic);
        }
        let document = window
            .document()
            .ok_or_else(|| JsValue::from(t("audio-no-document")))?;
        let player: HtmlAudioElement = document.create_element("audio")?.dyn_into()?;
        player.set_autoplay(true);
        player.set_class_name("remote-audio");
        if let Some(body) = document.body() {
            let _ = body.append_child(&player);
        }
        notes.extend(devices::route_to_speaker(&player).await);
        let sink = player.clone();
        let on_track = Closure::<dyn FnMut(RtcTrackEvent)>::new(move |e: RtcTrackEvent| {
            if let Some(stream) = e.streams().get(0).dyn_ref::<MediaStream>() {
                sink.set_src_object(Some(stream));
            } else {
                let stream = MediaStream::new().expect("an empty MediaStream");
                stream.add_track(&e.track());
                sink.set_src_object(Some(&stream));
            }
            let _ = sink.play();
        });
        pc.set_ontrack(Some(on_track.as_ref().unchecked_ref()));
        Ok(CallAudio {
            pc,
            mic,
            player,
            note: (!notes.is_empty()).then(|| notes.join(" ")),
            _on_track: on_track,
        })
    }

    /// Our offer, with every candidate in it.
    pub async fn offer(&self) -> Result<String, JsValue> {
        let offer = JsFuture::from(self.pc.create_offer()).await?;
        self.set_local(RtcSdpType::Offer, &offer).await?;
        self.complete_sdp().await
    }

    /// Answers the far end's offer.
    pub async fn answer(&self, remote_offer: &str) -> Result<String, JsValue> {
        self.set_remote(RtcSdpType::Offer, remote_offer).await?;
        let answer = JsFuture::from(self.pc.create_answer()).await?;
        self.set_local(RtcSdpType::Answer, &answer).await?;
        self.complete_sdp().await
    }

    /// Takes the far end's answer to our offer.
    pub async fn take_answer(&self, remote_answer: &str) -> Result<(), JsValue> {
        self.set_remote(RtcSdpType::Answer, remote_answer).await
    }

    /// A re-offer that holds (`sendonly`) or resumes (`sendrecv`) the call.
    pub async fn reoffer(&self, hold: bool) -> Result<String, JsValue> {
        let direction = if hold {
            RtcRtpTransceiverDirection::Sendonly
        } else {
            RtcRtpTransceiverDirection::Sendrecv
        };
        for t in self.pc.get_transceivers().iter() {
            if let Ok(t) = t.dyn_into::<web_sys::RtcRtpTransceiver>() {
                t.set_direction(direction);
            }
        }
        self.offer().await
    }

    /// Whether a remote description is in place (an early answer was taken).
    pub fn has_remote(&self) -> bool {
        self.pc.remote_description().is_some()
    }

    /// Whether we sent an offer that has no answer yet.
    pub fn awaits_answer(&self) -> bool {
        self.pc.signaling_state() == web_sys::RtcSignalingState::HaveLocalOffer
    }

    /// Stops or restarts sending the microphone.
    pub fn set_muted(&self, muted: bool) {
        for track in self.mic.get_audio_tracks().iter() {
            if let Ok(track) = track.dyn_into::<MediaStreamTrack>() {
                track.set_enabled(!muted);
            }
        }
    }

    /// Sends DTMF digits as RFC 4733 events (what the relay passes on).
    pub fn send_dtmf(&self, digits: &str) {
        for sender in self.pc.get_senders().iter() {
            if let Ok(sender) = sender.dyn_into::<web_sys::RtcRtpSender>() {
                if let Some(dtmf) = sender.dtmf() {
                    dtmf.insert_dtmf_with_duration(digits, 120);
                }
            }
        }
    }

    /// Audio packets received so far and the current level (0–1). After a
    /// renegotiation (e.g. a transfer to a new far end) each sender's stream
    /// has its own report: the packets add up, the level is the newest one's.
    pub async fn receive_meter(&self) -> Option<(u64, f64)> {
        let report = JsFuture::from(self.pc.get_stats()).await.ok()?;
        let values = Reflect::get(&report, &"values".into()).ok()?;
        let values: js_sys::Function = values.dyn_into().ok()?;
        let iter = values.call0(&report).ok()?;
        let number = |stat: &JsValue, name: &str| {
            Reflect::get(stat, &name.into())
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0)
        };
        let mut found: Option<(f64, f64, f64)> = None; // (packets, newest, level)
        for stat in js_sys::try_iter(&iter).ok()??.flatten() {
            let kind = Reflect::get(&stat, &"type".into()).ok()?.as_string();
            let media = Reflect::get(&stat, &"kind".into()).ok()?.as_string();
            if kind.as_deref() == Some("inbound-rtp") && media.as_deref() == Some("audio") {
                let packets = number(&stat, "packetsReceived");
                let last = number(&stat, "lastPacketReceivedTimestamp");
                let level = number(&stat, "audioLevel");
                found = Some(match found {
                    None => (packets, last, level),
                    Some((total, newest, _)) if last >= newest => (total + packets, last, level),
                    Some((total, newest, kept)) => (total + packets, newest, kept),
                });
            }
        }
        found.map(|(packets, _, level)| (packets as u64, level))
    }

    async fn set_local(&self, kind: RtcSdpType, description: &JsValue) -> Result<(), JsValue> {
        let sdp = Reflect::get(description, &"sdp".into())?
            .as_string()
            .unwrap_or_default();
        let init = RtcSessionDescriptionInit::new(kind);
        init.set_sdp(&sdp);
        JsFuture::from(self.pc.set_local_description(&init)).await?;
        Ok(())
    }

    async fn set_remote(&self, kind: RtcSdpType, sdp: &str) -> Result<(), JsValue> {
        let init = RtcSessionDescriptionInit::new(kind);
        init.set_sdp(sdp);
        JsFuture::from(self.pc.set_remote_description(&init)).await?;
        Ok(())
    }

    /// Waits until ICE gathering is complete (or the limit passes) and
    /// returns the local description with its candidates.
    async fn complete_sdp(&self) -> Result<String, JsValue> {
        let mut waited = 0;
        while self.pc.ice_gathering_state() != RtcIceGatheringState::Complete
            && waited < GATHERING_LIMIT_MS
        {
            sleep_ms(20).await;
            waited += 20;
        }
        self.pc
            .local_description()
            .map(|d| d.sdp())
            .ok_or_else(|| JsValue::from(t("audio-no-local-description")))
    }
}

impl Drop for CallAudio {
    /// Hang-up: the microphone light goes off, the connection closes.
    fn drop(&mut self) {
        for track in self.mic.get_tracks().iter() {
            if let Ok(track) = track.dyn_into::<MediaStreamTrack>() {
                track.stop();
            }
        }
        self.pc.close();
        self.player.set_src_object(None);
        self.player.remove();
    }
}

pub async fn sleep_ms(ms: u32) {
    let promise = Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ =
                window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32);
        }
    });
    let _ = JsFuture::from(promise).await;
}
