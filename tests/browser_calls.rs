//! Real calls from the real app: headless Chromium with a fake microphone
//! playing a 440 Hz WAV loads the built frontend, signs in and registers
//! over `/sip`; its WebRTC audio is anchored in the relay's media bridge and
//! bridged to plain G.711 toward a provider on loopback (the Rust
//! [`ProviderPeer`], which hears the browser and plays 1 kHz back).

use std::time::Duration;

use callcard_tests::browser::Browser;
use callcard_tests::provider_peer::{CallState, ProviderPeer};
use callcard_tests::softphone::{anna_online, answer_ringing_call, Call, MEDIA_WAIT, TONE_HZ};
use callcard_tests::telephony::{sip_address, TrunkTest, IVAN};
use callcard_tests::webrtc_peer::dominant;

/// The RMS level of the provider's newest half second of audio.
fn loudness_heard(provider: &ProviderPeer) -> f64 {
    let pcm = provider.received_pcm();
    let recent = &pcm[pcm.len().saturating_sub(4_000)..];
    let sum: f64 = recent.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
    (sum / recent.len().max(1) as f64).sqrt()
}

/// The request-URI user of the provider's first INVITE.
fn state_invite(provider: &ProviderPeer) -> String {
    provider
        .invites_received()
        .first()
        .cloned()
        .unwrap_or_default()
}

/// Picks `value` in the `<select>` at `css` (and fires its change event).
async fn select_option(browser: &Browser, css: &str, value: &str) {
    let select = browser.find(css).await;
    select
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("{css}: no option {value}: {e}"));
}

/// `data-*` of the call panel (None when no call is on screen).
async fn call_attr(browser: &Browser, name: &str) -> Option<String> {
    let panel = browser
        .client
        .find(fantoccini::Locator::Css("#active-call"))
        .await
        .ok()?;
    panel.attr(name).await.ok().flatten()
}

async fn rx_packets(browser: &Browser) -> u64 {
    call_attr(browser, "data-rx-packets")
        .await
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Waits until the browser's receive meter passes `packets` with sound in it.
async fn browser_hears(browser: &Browser, packets: u64) -> (u64, f64) {
    let deadline = tokio::time::Instant::now() + MEDIA_WAIT;
    loop {
        let n = rx_packets(browser).await;
        let level: f64 = call_attr(browser, "data-rx-level")
            .await
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0);
        if n > packets && level > 0.01 {
            return (n, level);
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the browser hears nothing: {n} packets, level {level}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The provider heard the browser's microphone: at least a second of audio
/// whose dominant frequency is the WAV's (within 5 %).
async fn provider_hears_the_tone(provider: &ProviderPeer) {
    let state = provider
        .expect("a second of the browser's audio", MEDIA_WAIT, |s| {
            s.received_pcm.len() >= 16_000
        })
        .await;
    // The newest second: past the start, where the fake device may be silent.
    let pcm = &state.received_pcm[state.received_pcm.len() - 8_000..];
    let heard = dominant(pcm);
    assert!(
        (heard - TONE_HZ).abs() < TONE_HZ * 0.05,
        "the provider hears {heard:.0} Hz, the microphone plays {TONE_HZ} Hz"
    );
}

#[tokio::test]
async fn a_click_on_a_contacts_number_calls_it_heard_at_both_ends_with_dtmf_mute_hold_and_a_wrap_up(
) {
    let Call {
        t,
        provider,
        browser,
        _wav_dir: _wav,
    } = anna_online().await;

    // Click-to-call on Ivan Petrov's number in the contacts table.
    browser
        .type_into("input#contact-search", "8 (495) 123-45-67")
        .await;
    browser
        .wait_text("#page-info", "exactly one match", |t| t.contains("of 1"))
        .await;
    browser
        .click("tr.contact-row button.click-to-call[data-phone='+7 495 123-45-67']")
        .await;
    let state = provider
        .expect("the call", MEDIA_WAIT, |s| s.call == CallState::Answered)
        .await;
    assert_eq!(state.invites.len(), 1, "one INVITE reached the provider");
    let offer = state.last_remote_sdp.clone().unwrap_or_default();
    assert!(
        !offer.contains("a=fingerprint") && !offer.contains("a=ice-ufrag"),
        "the provider gets plain RTP, not WebRTC: {offer}"
    );
    browser
        .wait_text("#active-call .call-status", "talking", |s| {
            s.starts_with("Talking")
        })
        .await;

    // 1. Audio both ways.
    provider_hears_the_tone(&provider).await;
    browser_hears(&browser, 50).await;

    // 3. DTMF from the keypad arrives as RFC 4733 events.
    for key in ["Key 1", "Key 5", "Key #"] {
        browser
            .click(&format!("button.key[aria-label='{key}']"))
            .await;
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    provider
        .expect("the digits 15#", MEDIA_WAIT, |s| s.dtmf == "15#")
        .await;

    // Mute: the far end hears silence until unmuted.
    browser.click("#mute-button").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let muted = loudness_heard(&provider);
    browser.click("#mute-button").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let unmuted = loudness_heard(&provider);
    assert!(
        muted < 100.0 && unmuted > 500.0,
        "the provider's audio level: {muted:.0} while muted, {unmuted:.0} after"
    );

    // 4. Hold: the provider is re-offered a held stream and stops sending;
    // the browser hears nothing until it resumes.
    browser.click("#hold-button").await;
    let state = provider
        .expect("a hold re-INVITE", MEDIA_WAIT, |s| {
            s.offered_directions.len() >= 2
        })
        .await;
    let held = state.offered_directions[1].clone();
    assert!(
        held == "sendonly" || held == "inactive",
        "hold offers {held}"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let during_hold = rx_packets(&browser).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let later = rx_packets(&browser).await;
    assert!(
        later <= during_hold + 5,
        "audio kept coming while held: {during_hold} → {later} packets"
    );
    browser.click("#hold-button").await;
    let state = provider
        .expect("a resume re-INVITE", MEDIA_WAIT, |s| {
            s.offered_directions.len() >= 3
        })
        .await;
    assert_eq!(state.offered_directions[2], "sendrecv");
    browser_hears(&browser, later + 25).await;

    // The client reads out a card number: the recording pauses a moment.
    browser.click("#pause-recording-button").await;
    browser
        .wait_text("#pause-recording-button", "the paused recording", |s| {
            s == "Resume recording"
        })
        .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    browser.click("#pause-recording-button").await;
    browser
        .wait_text("#pause-recording-button", "the recording again", |s| {
            s == "Pause recording"
        })
        .await;

    // Hang up from the browser: the provider gets the BYE, the log says answered.
    browser.click("#hangup-button").await;
    provider
        .expect("the BYE", MEDIA_WAIT, |s| s.call == CallState::Ended)
        .await;
    let outcome = callcard_tests::telephony::last_call(&t).await;
    assert_eq!(outcome["status"], "answered", "{outcome}");
    assert_eq!(outcome["direction"], "outbound", "{outcome}");
    assert_eq!(
        state_invite(&provider),
        "+74951234567",
        "the provider was asked for the number clicked"
    );

    // After the call: outcome and note, saved on the call and Ivan's card;
    // the prompt plays the call's recording once it is closed.
    browser.find("#wrap-up").await;
    browser.find("#wrap-up .wrap-up-recording audio").await;
    select_option(&browser, "#wrap-up-outcome", "Interested").await;
    browser
        .type_into("#wrap-up-note", "Wants 40 seats, call back Monday")
        .await;
    browser.click("#wrap-up-save").await;
    browser
        .wait_text("#call-outcome", "the confirmation", |s| s.contains("Saved"))
        .await;
    // The recording is on the record once the media has ended.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while callcard_tests::get_json(&t.admin, t.relay.url("/api/calls?limit=1")).await["items"][0]
        ["recording_seconds"]
        .is_null()
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the call was recorded"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let record = callcard_tests::get_json(&t.admin, t.relay.url("/api/calls?limit=1")).await;
    let spans = record["items"][0]["recording_paused"].as_array().cloned();
    assert_eq!(spans.map(|s| s.len()), Some(1), "{record}");
    browser.goto(&t.relay.url("/contacts/1")).await;
    browser
        .wait_text("#contact-calls", "the call with its note", |s| {
            s.contains("Wants 40 seats") && s.contains("Interested")
        })
        .await;
    let paused = browser.text("#contact-calls .recording-paused").await;
    assert!(paused.starts_with("paused 0:"), "{paused}");
    // Its player: Chromium loads the recording (with the session) and knows its length.
    browser.find("#contact-calls .call-recording audio").await;
    let duration = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const a = document.querySelector('#contact-calls .call-recording audio');
             a.preload = 'metadata';
             a.onloadedmetadata = () => done(a.duration);
             a.onerror = () => done(-1);
             a.load();",
            vec![],
        )
        .await
        .expect("the player's metadata");
    let duration = duration.as_f64().unwrap_or(-1.0);
    assert!(
        duration > 1.0,
        "the player knows the recording's length: {duration}"
    );
    // The call log saves the recordings of the calls it shows as a zip.
    browser.goto(&t.relay.url("/calls")).await;
    browser.click("#calls-zip").await;
    browser
        .wait_text("#calls-zip-done", "the zip saved", |s| {
            s == "1 recording saved"
        })
        .await;

    browser.close().await;
    t.relay.stop().await;
}

#[tokio::test]
async fn an_inbound_call_pops_the_callers_card_and_is_heard_at_both_ends() {
    let Call {
        t,
        provider,
        browser,
        _wav_dir: _wav,
    } = anna_online().await;
    let relay_sip = sip_address(&t);

    // Ivan Petrov (a demo contact) calls the company's number.
    provider.dial(relay_sip, "+74950000000", IVAN).await;
    browser
        .wait_text("#caller-card .caller-name", "Ivan's card", |s| {
            s.contains("Ivan Petrov")
        })
        .await;
    answer_ringing_call(&browser, &provider).await;

    // 2. Audio both ways on an inbound call.
    provider_hears_the_tone(&provider).await;
    browser_hears(&browser, 50).await;

    // The provider hangs up: the browser's call ends and says so.
    provider.hang_up().await;
    browser
        .wait_text("#call-outcome", "the end of the call", |s| {
            s.contains("hung up")
        })
        .await;
    let record = callcard_tests::telephony::last_call(&t).await;
    assert_eq!(record["status"], "answered", "{record}");
    assert_eq!(record["direction"], "inbound", "{record}");
    browser.click("#wrap-up-skip").await;

    // An unknown caller: "Unknown number", and the after-call prompt creates
    // the contact with the caller's number.
    provider
        .dial(relay_sip, "+74950000000", "+48221234567")
        .await;
    browser
        .wait_text("#caller-card", "the unknown caller", |s| {
            s.contains("Unknown number")
        })
        .await;
    answer_ringing_call(&browser, &provider).await;
    provider.hang_up().await;
    browser.find("#wrap-up-contact-name").await;
    browser
        .type_into("#wrap-up-contact-name", "Jan Kowalski")
        .await;
    browser.click("#wrap-up-save").await;
    browser
        .wait_text("#call-outcome", "the confirmation", |s| s.contains("Saved"))
        .await;
    let found: serde_json::Value =
        callcard_tests::get_json(&t.admin, t.relay.url("/api/contacts?q=Jan%20Kowalski")).await;
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(
        found["items"][0]["phones"][0]["e164"], "+48221234567",
        "{found}"
    );

    browser.close().await;
    t.relay.stop().await;
}

/// Devices Anna has registered at the relay right now.
fn registrations(t: &TrunkTest, user_id: i64) -> usize {
    t.relay
        .state()
        .telephony
        .registered
        .lock()
        .unwrap()
        .get(&user_id)
        .copied()
        .unwrap_or(0)
}

async fn registrations_become(t: &TrunkTest, user_id: i64, n: usize) {
    let deadline = tokio::time::Instant::now() + MEDIA_WAIT;
    while registrations(t, user_id) != n {
        assert!(
            tokio::time::Instant::now() < deadline,
            "Anna has {} registrations, expected {n}",
            registrations(t, user_id)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn two_tabs_share_one_registration_and_the_second_takes_over_when_the_first_closes() {
    let Call {
        t,
        provider,
        browser,
        _wav_dir: _wav,
    } = anna_online().await;
    let (anna,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE login = 'anna'")
        .fetch_one(&t.relay.state().db)
        .await
        .unwrap();
    registrations_become(&t, anna, 1).await;
    let first = browser.client.window().await.unwrap();

    // A second tab of the same browser: the phone shows online there too…
    let second = browser.client.new_window(true).await.unwrap().handle;
    browser
        .client
        .switch_to_window(second.clone())
        .await
        .unwrap();
    browser.goto(&t.relay.url("/contacts")).await;
    browser
        .wait_text("#line-state", "the mirrored line", |s| s.contains("Online"))
        .await;
    // …but only the first tab registered.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(registrations(&t, anna), 1);

    // A call started in the second tab goes out through the first.
    browser.type_into("input#dial-input", IVAN).await;
    browser.click("#call-button").await;
    provider
        .expect("the call from the second tab", MEDIA_WAIT, |s| {
            s.call == CallState::Answered
        })
        .await;
    browser
        .wait_text("#active-call .call-status", "talking, mirrored", |s| {
            s.starts_with("Talking")
        })
        .await;
    browser.click("#hangup-button").await;
    provider
        .expect("the BYE", MEDIA_WAIT, |s| s.call == CallState::Ended)
        .await;

    // The first tab closes: the second registers in its place.
    browser.client.switch_to_window(first).await.unwrap();
    browser.client.close_window().await.unwrap();
    browser.client.switch_to_window(second).await.unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    registrations_become(&t, anna, 1).await;
    browser
        .wait_text("#line-state", "the phone online", |s| s.contains("Online"))
        .await;
    // Calling now works from this tab alone: it holds the phone.
    browser.click("#call-button").await;
    provider
        .expect("a second call", MEDIA_WAIT, |s| {
            s.invites.len() == 2 && s.call == CallState::Answered
        })
        .await;
    browser
        .wait_text("#active-call .call-status", "talking", |s| {
            s.starts_with("Talking")
        })
        .await;
    browser_hears(&browser, 25).await;

    browser.close().await;
    t.relay.stop().await;
}

/// The values of the options of the `<select>` at `css`.
async fn option_values(browser: &Browser, css: &str) -> Vec<(String, String)> {
    let mut values = Vec::new();
    let options = browser
        .client
        .find_all(fantoccini::Locator::Css(&format!("{css} option")))
        .await
        .unwrap_or_default();
    for option in options {
        let value = option
            .attr("value")
            .await
            .ok()
            .flatten()
            .unwrap_or_default();
        let text = option.text().await.unwrap_or_default();
        values.push((value, text));
    }
    values
}

/// The current value of the form control at `css`.
async fn control_value(browser: &Browser, css: &str) -> String {
    browser
        .find(css)
        .await
        .prop("value")
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// Opens the dock's Audio panel and waits until it lists named microphones
/// (allowing the microphone first if the browser does not name them yet).
async fn open_audio_panel(browser: &Browser) -> Vec<(String, String)> {
    browser.click("#audio-toggle").await;
    browser.find("#audio-settings").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(allow) = browser
            .client
            .find(fantoccini::Locator::Css("#audio-allow"))
            .await
        {
            let _ = allow.click().await;
        }
        let options = option_values(browser, "#audio-input").await;
        if options.len() >= 2
            && browser
                .client
                .find(fantoccini::Locator::Css("#mic-level"))
                .await
                .is_ok()
        {
            return options;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the Audio panel lists no microphones: {options:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn the_microphone_chosen_in_the_audio_panel_is_remembered_and_used_for_calls() {
    let Call {
        t,
        provider,
        browser,
        _wav_dir: _wav,
    } = anna_online().await;

    // Chromium's fake devices are listed, with names; pick the last one.
    let options = open_audio_panel(&browser).await;
    let (chosen, label) = options.last().cloned().unwrap();
    assert!(!chosen.is_empty() && !label.is_empty(), "{options:?}");
    select_option(&browser, "#audio-input", &chosen).await;

    // The level meter moves with the fake microphone's tone.
    let deadline = tokio::time::Instant::now() + MEDIA_WAIT;
    loop {
        let level: f64 = browser
            .find("#mic-level")
            .await
            .attr("data-level")
            .await
            .ok()
            .flatten()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0);
        if level > 0.05 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the microphone meter stays at {level}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // After a reload the choice is still selected (localStorage).
    browser.client.refresh().await.expect("reload");
    browser
        .wait_text("#line-state", "the phone online", |s| s.contains("Online"))
        .await;
    open_audio_panel(&browser).await;
    assert_eq!(control_value(&browser, "#audio-input").await, chosen);
    let options = option_values(&browser, "#audio-input").await;
    assert!(
        options.iter().any(|(v, l)| *v == chosen && *l == label),
        "{label} is listed as connected: {options:?}"
    );

    // A call through the chosen microphone: the provider hears the tone.
    browser.type_into("#dial-input", "+7 495 123-45-67").await;
    browser.click("#call-button").await;
    provider
        .expect("the call", MEDIA_WAIT, |s| s.call == CallState::Answered)
        .await;
    provider_hears_the_tone(&provider).await;
    browser.click("#hangup-button").await;
    provider
        .expect("the BYE", MEDIA_WAIT, |s| s.call == CallState::Ended)
        .await;

    browser.close().await;
    t.relay.stop().await;
}

#[tokio::test]
async fn an_inbound_call_rings_until_it_is_declined() {
    let Call {
        t,
        provider,
        browser,
        _wav_dir: _wav,
    } = anna_online().await;
    assert_eq!(
        browser
            .find("#softphone")
            .await
            .attr("data-ringing")
            .await
            .ok()
            .flatten()
            .as_deref(),
        Some("false"),
        "silent before the call"
    );

    provider.dial(sip_address(&t), "+74950000000", IVAN).await;
    browser
        .wait_text("#active-call .call-status", "the ring", |s| {
            s.starts_with("Incoming")
        })
        .await;
    browser.find("#softphone[data-ringing='true']").await;

    browser.click("#reject-button").await;
    browser.find("#softphone[data-ringing='false']").await;
    assert!(
        browser
            .client
            .find(fantoccini::Locator::Css("#active-call"))
            .await
            .is_err(),
        "the call is gone after Decline"
    );

    browser.close().await;
    t.relay.stop().await;
}

#[tokio::test]
async fn a_second_call_waits_and_answering_it_holds_the_first_until_they_are_swapped() {
    let Call {
        t,
        provider,
        browser,
        _wav_dir: _wav,
    } = anna_online().await;
    // A second line of the provider: another trunk, another far end.
    let second = ProviderPeer::start().await;
    callcard_tests::telephony::create_trunk_over(&t, second.sip_addr(), "trunkpass", false, "udp")
        .await;
    let relay_sip = sip_address(&t);

    provider.dial(relay_sip, "+74950000000", IVAN).await;
    answer_ringing_call(&browser, &provider).await;

    // A second caller while talking: call waiting, not busy.
    second.dial(relay_sip, "+74950000000", "+48221234567").await;
    browser
        .wait_text("#other-call", "call waiting", |s| {
            s.contains("Call waiting") && s.contains("+48221234567")
        })
        .await;
    browser.click("#answer-waiting").await;
    second
        .expect("the second answer", MEDIA_WAIT, |s| {
            s.call == CallState::Answered
        })
        .await;
    let held = provider
        .expect("the first call held", MEDIA_WAIT, |s| {
            s.offered_directions.iter().any(|d| d == "sendonly")
        })
        .await;
    assert_eq!(held.call, CallState::Answered, "held, not hung up");
    browser
        .wait_text("#other-call", "the first call on hold", |s| {
            s.contains("On hold")
        })
        .await;
    // The second caller hears the browser's tone.
    second
        .expect("the browser's audio on the second call", MEDIA_WAIT, |s| {
            s.received_pcm.len() >= 8_000
        })
        .await;

    // Swap: the second goes on hold, the first resumes.
    browser.click("#swap-call").await;
    provider
        .expect("the first call resumed", MEDIA_WAIT, |s| {
            s.offered_directions.last().map(String::as_str) == Some("sendrecv")
                && s.offered_directions.len() >= 2
        })
        .await;
    second
        .expect("the second call held", MEDIA_WAIT, |s| {
            s.offered_directions.iter().any(|d| d == "sendonly")
        })
        .await;

    // The held caller hangs up: only the first call is left.
    second.hang_up().await;
    browser
        .wait_text("#softphone", "one call left", |s| !s.contains("On hold:"))
        .await;
    browser.click("#hangup-button").await;
    provider
        .expect("the BYE", MEDIA_WAIT, |s| s.call == CallState::Ended)
        .await;

    browser.close().await;
    t.relay.stop().await;
}

#[tokio::test]
async fn a_blind_transfer_from_the_dock_hands_the_client_to_a_colleague() {
    let Call {
        t,
        provider,
        browser,
        _wav_dir: _wav,
    } = anna_online().await;
    // Boris, a colleague, on a phone of his own (extension 102).
    let mut boris = callcard_tests::telephony::registered_phone(&t, "boris").await;
    let boris_rtp = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let boris_port = boris_rtp.local_addr().unwrap().port();

    provider.dial(sip_address(&t), "+74950000000", IVAN).await;
    answer_ringing_call(&browser, &provider).await;
    browser.click("#transfer-button").await;
    browser.type_into("#transfer-target", "102").await;
    browser.click("#transfer-blind").await;

    let answer = format!(
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
         m=audio {boris_port} RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\na=sendrecv\r\n"
    );
    let (_, from, _) = boris
        .answer_next(MEDIA_WAIT, Some(answer.into_bytes()))
        .await;
    assert!(from.contains(IVAN), "Boris sees the client: {from}");

    // Anna's dock says so and her call is over; the client now talks to Boris.
    browser
        .wait_text("#call-outcome", "the transfer's outcome", |s| {
            s.contains("Transferred to 102")
        })
        .await;
    let mut buf = [0u8; 1500];
    let mut packets = 0;
    while packets < 10 {
        let (n, _) = tokio::time::timeout(MEDIA_WAIT, boris_rtp.recv_from(&mut buf))
            .await
            .expect("the client's audio reaches Boris")
            .unwrap();
        if n > 12 {
            packets += 1;
        }
    }
    assert_eq!(
        provider.call_state(),
        CallState::Answered,
        "the client is still on the line"
    );
    browser.close().await;
    t.relay.stop().await;
}

#[tokio::test]
async fn an_attended_transfer_consults_a_partner_then_joins_them_with_the_client() {
    let Call {
        t,
        provider,
        browser,
        _wav_dir: _wav,
    } = anna_online().await;
    // A partner reached through a second line, which outbound calls prefer.
    let partner = ProviderPeer::start().await;
    let created = t
        .admin
        .post(t.relay.url("/api/trunks"))
        .json(&serde_json::json!({
            "name": "Partner line",
            "number": "+74950000001",
            "username": "trunkuser",
            "password": "trunkpass",
            "domain": "partner.test",
            "host": partner.sip_addr().to_string(),
            "register": false,
            "priority": -1,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);

    provider.dial(sip_address(&t), "+74950000000", IVAN).await;
    answer_ringing_call(&browser, &provider).await;
    browser.click("#transfer-button").await;
    browser.type_into("#transfer-target", "+74957654321").await;
    browser.click("#transfer-consult").await;
    // The client waits on hold while Anna talks to the partner.
    provider
        .expect("the client held", MEDIA_WAIT, |s| {
            s.offered_directions.iter().any(|d| d == "sendonly")
        })
        .await;
    partner
        .expect("the consultation answered", MEDIA_WAIT, |s| {
            s.call == CallState::Answered
        })
        .await;
    assert_eq!(partner.invites_received(), vec!["+74957654321".to_string()]);
    browser
        .wait_text("#other-call", "the held client", |s| s.contains("On hold"))
        .await;
    browser.click("#transfer-complete").await;

    browser
        .wait_text("#call-outcome", "the transfer's outcome", |s| {
            s.contains("Transferred to +74957654321")
        })
        .await;
    // Each side is re-INVITEd toward the other and hears the other.
    let (client_port, partner_port) = (provider.rtp_addr().port(), partner.rtp_addr().port());
    provider
        .expect(
            "the client re-INVITEd toward the partner",
            MEDIA_WAIT,
            |s| {
                s.last_remote_sdp
                    .as_deref()
                    .is_some_and(|sdp| sdp.contains(&format!("m=audio {partner_port}")))
            },
        )
        .await;
    let heard = partner.received_packets();
    partner
        .expect("the client's audio at the partner", MEDIA_WAIT, |s| {
            s.received_packets > heard + 10
                && s.last_remote_sdp
                    .as_deref()
                    .is_some_and(|sdp| sdp.contains(&format!("m=audio {client_port}")))
        })
        .await;
    assert_eq!(provider.call_state(), CallState::Answered);
    browser.close().await;
    t.relay.stop().await;
}

/// Kills every TCP connection to the relay's port from the client side
/// (`ss -K`): the browser's WebSocket, its event stream and its HTTP
/// connections drop as on a network glitch; UDP (the call's audio) is untouched.
fn drop_tcp_connections_to(port: u16) {
    let status = std::process::Command::new("ss")
        .args(["-K", "dst", "127.0.0.1", "dport", "=", &format!(":{port}")])
        .stdout(std::process::Stdio::null())
        .status()
        .expect("ss (iproute2) runs");
    assert!(status.success(), "ss -K killed the connections");
}

#[tokio::test]
async fn a_call_goes_on_through_a_dropped_connection_and_ends_normally_after() {
    let Call {
        t,
        provider,
        browser,
        _wav_dir: _wav,
    } = anna_online().await;
    provider.dial(sip_address(&t), "+74950000000", IVAN).await;
    answer_ringing_call(&browser, &provider).await;
    let heard = provider.received_packets();
    provider
        .expect("the browser's audio", MEDIA_WAIT, |s| {
            s.received_packets > heard + 25
        })
        .await;

    drop_tcp_connections_to(t.relay.addr.port());
    browser
        .wait_text("#call-outcome", "the notice", |s| {
            s.contains("call goes on")
        })
        .await;
    // Still one call, still talking, audio still flowing both ways.
    let heard = provider.received_packets();
    provider
        .expect("the browser's audio after the drop", MEDIA_WAIT, |s| {
            s.received_packets > heard + 50
        })
        .await;
    browser
        .wait_text("#line-state", "the phone back online", |s| {
            s.contains("Online")
        })
        .await;
    assert_eq!(provider.call_state(), CallState::Answered);
    assert_eq!(
        browser
            .find("#active-call")
            .await
            .attr("data-status")
            .await
            .unwrap()
            .as_deref(),
        Some("talking")
    );

    // The client hangs up: the BYE reaches the browser over its new socket.
    provider.hang_up().await;
    browser
        .wait_text("#call-outcome", "the end of the call", |s| {
            s.contains("other side hung up")
        })
        .await;
    browser.close().await;
    t.relay.stop().await;
}

#[tokio::test]
async fn a_colleagues_extension_dialled_from_the_dock_connects_two_browsers() {
    let Call {
        t,
        provider: _provider,
        browser: anna,
        _wav_dir: wav,
    } = anna_online().await;
    // Boris, in a browser of his own, with extension 102 (his microphone
    // plays 660 Hz: the same tone at both ends would be cancelled as echo).
    callcard_tests::telephony::sip_user(&t, "boris").await;
    let wav = callcard_tests::softphone::tone_wav_at(wav.path(), 660);
    let boris = callcard_tests::softphone::phone_online(&t, "boris", &wav).await;

    anna.type_into("#dial-input", "102").await;
    anna.click("#call-button").await;
    let ringing = boris
        .wait_text("#active-call", "Anna calling", |s| s.contains("Incoming"))
        .await;
    assert!(
        ringing.contains("Anna") && ringing.contains("(101)"),
        "{ringing}"
    );
    boris.click("#answer-button").await;
    // Browser to browser: each hears the other's microphone.
    browser_hears(&anna, 25).await;
    browser_hears(&boris, 25).await;
    anna.click("#hangup-button").await;
    boris
        .wait_text("#call-outcome", "the end of the call", |s| {
            s.contains("other side hung up")
        })
        .await;
    boris.close().await;
    anna.close().await;
    t.relay.stop().await;
}

#[tokio::test]
async fn an_attended_transfer_to_a_colleagues_browser_hands_them_the_client() {
    let Call {
        t,
        provider,
        browser: anna,
        _wav_dir: wav,
    } = anna_online().await;
    callcard_tests::telephony::sip_user(&t, "boris").await;
    let wav = callcard_tests::softphone::tone_wav_at(wav.path(), 660);
    let boris = callcard_tests::softphone::phone_online(&t, "boris", &wav).await;

    provider.dial(sip_address(&t), "+74950000000", IVAN).await;
    answer_ringing_call(&anna, &provider).await;
    anna.click("#transfer-button").await;
    anna.type_into("#transfer-target", "102").await;
    anna.click("#transfer-consult").await;
    boris
        .wait_text("#active-call", "Anna consulting", |s| {
            s.contains("Incoming")
        })
        .await;
    boris.click("#answer-button").await;
    browser_hears(&boris, 25).await;
    anna.wait_text("#other-call", "the held client", |s| s.contains("On hold"))
        .await;
    anna.click("#transfer-complete").await;
    anna.wait_text("#call-outcome", "the transfer's outcome", |s| {
        s.contains("Transferred to 102")
    })
    .await;

    // Boris now talks to the client through the relay: his browser was
    // re-offered an anchored session, the provider re-INVITEd toward it, and
    // each hears the other.
    let reinvited = provider
        .expect(
            "the client re-INVITEd toward Boris's new session",
            MEDIA_WAIT,
            |s| {
                s.offered_directions.len() >= 2
                    && s.offered_directions.last().map(String::as_str) == Some("sendrecv")
            },
        )
        .await;
    assert_eq!(reinvited.call, CallState::Answered, "{reinvited:?}");
    let before = reinvited.received_pcm.len();
    let pcm = provider
        .wait_until(MEDIA_WAIT, |s| s.received_pcm.len() > before + 16_000)
        .await
        .received_pcm;
    let heard = dominant(&pcm[pcm.len() - 8_000..]);
    assert!(
        (heard - 660.0).abs() < 33.0,
        "the client hears Boris: {heard} Hz"
    );
    let packets = rx_packets(&boris).await;
    browser_hears(&boris, packets + 25).await;
    assert_eq!(provider.call_state(), CallState::Answered);
    boris.close().await;
    anna.close().await;
    t.relay.stop().await;
}
