//! Browser calls with their media anchored in the relay: a WebSocket
//! softphone (signalling) plus a str0m WebRTC client (media) plays the
//! browser; SIPp with RTP echo plays the provider. The tone the browser
//! sends comes back through the provider's echo and both legs of the bridge.

use std::time::Duration;

use callcard_shared::sip::ua::Event;
use callcard_tests::sipp::{Scenario, Sipp};
use callcard_tests::telephony::{
    create_trunk_over, last_call, registered_phone, setup, TrunkTest, IVAN, WAIT,
};
use callcard_tests::webrtc_peer::{dominant, WebRtcPeer};

async fn media_ports_in_use_drop_to_zero(t: &TrunkTest) -> usize {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let n = t.relay.state().telephony.media_ports_in_use();
        if n == 0 || tokio::time::Instant::now() > deadline {
            return n;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The INVITE SIPp received, from its message trace.
fn invite_seen_by(sipp: &Sipp) -> String {
    let log = sipp.messages();
    let start = log.find("INVITE sip:").expect("SIPp traced the INVITE");
    let rest = &log[start..];
    let end = rest.find("\n---").unwrap_or(rest.len());
    rest[..end].to_string()
}

#[tokio::test]
async fn a_browser_call_out_is_anchored_and_its_tone_comes_back_through_the_provider_echo() {
    let t = setup().await;
    let rtp_port = Sipp::free_port().to_string();
    let sipp = Sipp::serve_with(
        Scenario::BuiltIn("uas"),
        1,
        &["-mi", "127.0.0.1", "-mp", &rtp_port, "-rtp_echo"],
    );
    let trunk = create_trunk_over(&t, sipp.addr, "trunkpass", false, "udp").await;
    let mut phone = registered_phone(&t, "anna").await;
    let mut peer = WebRtcPeer::g711().await;

    let offer = peer.offer();
    let call = phone.call(IVAN, Some(offer.into_bytes())).await;
    let answered = phone
        .wait_for("the answer", WAIT, |e| matches!(e, Event::Answered { .. }))
        .await;
    let Event::Answered {
        sdp: Some(answer), ..
    } = answered
    else {
        panic!("the browser gets the relay's SDP: {answered:?}");
    };
    let answer = String::from_utf8(answer).unwrap();
    assert!(
        answer.contains("a=fingerprint") && answer.contains("a=candidate"),
        "a WebRTC answer from the relay: {answer}"
    );
    assert!(
        !answer.contains(&format!("m=audio {rtp_port} ")),
        "never the provider's media address: {answer}"
    );
    peer.accept_answer(&answer);
    assert!(
        peer.pump(WAIT, |p| p.connected).await,
        "ICE and DTLS with the relay completed"
    );

    // One second of 440 Hz out; the provider echoes it back.
    peer.send_tone(440.0, 50).await;
    peer.pump(WAIT, |p| p.received_pcm().len() >= 40 * 160)
        .await;
    let pcm = peer.received_pcm();
    assert!(
        pcm.len() >= 40 * 160,
        "the echo came back: {} samples",
        pcm.len()
    );
    let found = dominant(&pcm);
    assert!(
        (found - 440.0).abs() <= 440.0 * 0.05,
        "echoed tone at {found} Hz, wanted 440 Hz ± 5 %"
    );
    eprintln!("echo: {} samples back, dominant {found} Hz", pcm.len());

    // The provider saw the relay's plain RTP offer, never the browser's.
    let invite = invite_seen_by(&sipp);
    assert!(invite.contains("c=IN IP4 127.0.0.1"), "{invite}");
    assert!(invite.contains("RTP/AVP"), "{invite}");
    for webrtc in ["a=fingerprint", "a=ice-", "a=candidate", "SAVPF"] {
        assert!(!invite.contains(webrtc), "{webrtc} in {invite}");
    }
    let browser_port = peer.local_addr().port().to_string();
    assert!(!invite.contains(&browser_port), "{invite}");

    phone.hang_up(call).await;
    phone
        .wait_for(
            "the BYE's answer",
            WAIT,
            |e| matches!(e, Event::Terminated { call: c, .. } if *c == call),
        )
        .await;
    sipp.finished(WAIT).await.expect("SIPp's call completed");

    let record = last_call(&t).await;
    assert_eq!(record["direction"], "outbound");
    assert_eq!(record["status"], "answered", "{record}");
    assert_eq!(record["trunk_id"], trunk);
    assert_eq!(record["hangup_side"], "caller", "{record}");
    assert_eq!(
        media_ports_in_use_drop_to_zero(&t).await,
        0,
        "the call's media ports are free after the hang-up"
    );
}

#[tokio::test]
async fn a_browser_that_never_connects_its_media_is_hung_up_on_both_legs() {
    let t = setup().await;
    let rtp_port = Sipp::free_port().to_string();
    let sipp = Sipp::serve_with(
        Scenario::BuiltIn("uas"),
        1,
        &["-mi", "127.0.0.1", "-mp", &rtp_port, "-rtp_echo"],
    );
    create_trunk_over(&t, sipp.addr, "trunkpass", false, "udp").await;
    let mut phone = registered_phone(&t, "anna").await;
    // A WebRTC offer whose peer never runs ICE or DTLS.
    let mut peer = WebRtcPeer::g711().await;
    let call = phone.call(IVAN, Some(peer.offer().into_bytes())).await;
    phone
        .wait_for("the answer", WAIT, |e| matches!(e, Event::Answered { .. }))
        .await;
    // The relay's ICE/DTLS timeout is 10 s.
    phone
        .wait_for(
            "the relay's BYE",
            2 * WAIT,
            |e| matches!(e, Event::Terminated { call: c, by_peer: true } if *c == call),
        )
        .await;
    sipp.finished(WAIT)
        .await
        .expect("SIPp got its BYE from the relay too");
    let record = last_call(&t).await;
    assert_eq!(record["status"], "answered", "{record}");
    assert_eq!(record["end_cause"], "ice_dtls_timeout", "{record}");
    assert_eq!(record["hangup_side"], "relay", "{record}");
    assert_eq!(media_ports_in_use_drop_to_zero(&t).await, 0);
}
