//! The app's softphone in headless Chromium, ready to call: a relay serving
//! the built frontend, a trunk to a [`ProviderPeer`], Anna with a telephony
//! user, signed in with a fake microphone playing a 440 Hz WAV and her phone
//! online. Used by the browser call tests and the screenshots.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use crate::browser::{dist_dir, Browser};
use crate::provider_peer::{CallState, ProviderPeer};
use crate::telephony::{create_trunk_over, sip_user, TrunkTest};
use crate::TestRelay;

/// The fake microphone's tone.
pub const TONE_HZ: f64 = 440.0;
/// Media setup in a headless browser on a busy 2-core machine.
pub const MEDIA_WAIT: Duration = Duration::from_secs(20);

/// A mono 48 kHz 16-bit WAV with a 440 Hz sine, made by sox (installed by
/// xtask). Chromium opens it at getUserMedia: it must outlive the sign-in.
pub fn tone_wav(dir: &std::path::Path) -> PathBuf {
    tone_wav_at(dir, 440)
}

/// Like [`tone_wav`] at `hz`: two browsers in one call need different tones,
/// or each one's echo canceller removes its own microphone as the echo of
/// the other's.
pub fn tone_wav_at(dir: &std::path::Path, hz: u32) -> PathBuf {
    let path = dir.join(format!("tone-{hz}.wav"));
    let status = Command::new("sox")
        .args(["-n", "-r", "48000", "-c", "1", "-b", "16"])
        .arg(&path)
        .args(["synth", "60", "sine", &hz.to_string(), "vol", "0.5"])
        .status()
        .expect("sox is installed (cargo xtask test installs it)");
    assert!(status.success(), "sox made the WAV");
    path
}

pub struct Call {
    pub t: TrunkTest,
    pub provider: ProviderPeer,
    pub browser: Browser,
    pub _wav_dir: tempfile::TempDir,
}

/// The relay with the app, a trunk to the provider, Anna with a telephony
/// user, signed in with a fake microphone and her phone online.
pub async fn anna_online() -> Call {
    let relay = TestRelay::start_with(&dist_dir()).await;
    let admin = relay.signed_in("admin").await;
    let t = TrunkTest { relay, admin };
    let provider = ProviderPeer::start().await;
    create_trunk_over(&t, provider.sip_addr(), "trunkpass", false, "udp").await;
    sip_user(&t, "anna").await;

    let wav_dir = tempfile::tempdir().unwrap();
    let browser = phone_online(&t, "anna", &tone_wav(wav_dir.path())).await;
    Call {
        t,
        provider,
        browser,
        _wav_dir: wav_dir,
    }
}

/// `login` (with a telephony user) signed in to the app in a headless
/// Chromium of their own whose fake microphone plays `wav`, phone online.
pub async fn phone_online(t: &TrunkTest, login: &str, wav: &std::path::Path) -> Browser {
    let capture = format!("--use-file-for-fake-audio-capture={}", wav.display());
    let browser = Browser::start(&[
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        &capture,
        "--autoplay-policy=no-user-gesture-required",
        "--allow-loopback-in-peer-connection",
    ])
    .await;
    browser.sign_in(&t.relay.url(""), login, "demo").await;
    browser
        .wait_text("#line-state", &format!("{login}'s phone online"), |s| {
            s.contains("Online")
        })
        .await;
    browser
}

/// The dock shows an inbound call ringing; Answer is clicked and `provider`
/// (the caller) sees the answer.
pub async fn answer_ringing_call(browser: &Browser, provider: &ProviderPeer) {
    browser
        .wait_text("#active-call .call-status", "the ring", |s| {
            s.starts_with("Incoming")
        })
        .await;
    browser.click("#answer-button").await;
    provider
        .expect("the answer", MEDIA_WAIT, |s| s.call == CallState::Answered)
        .await;
}
