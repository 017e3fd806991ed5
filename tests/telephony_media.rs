//! Browser calls with their media anchored in the relay: a WebSocket
//! softphone (signalling) plus a str0m WebRTC client (media) plays the
//! browser; SIPp with RTP echo, or the Rust [`ProviderPeer`], plays the
//! provider. With SIPp the tone the browser sends comes back through the
//! provider's echo; the provider peer sends a tone of its own, records what
//! it hears, and holds, resumes and calls in.

use std::net::SocketAddr;
use std::time::Duration;

use callcard_relay::media::{g711, rtp};
use callcard_shared::sip::sdp::{self, Codec, Direction as SdpDirection, LocalMedia, Session};
use callcard_shared::sip::ua::{CallHandle, Event};
use callcard_shared::Instant;
use callcard_tests::provider_peer::{CallState, ProviderPeer};
use callcard_tests::sip_phone::WsPhone;
use callcard_tests::sipp::{Scenario, Sipp};
use callcard_tests::telephony::{
    create_trunk_over, last_call, recorded_call, registered_phone, setup, trunk_status, TrunkTest,
    IVAN, WAIT,
};
use callcard_tests::webrtc_peer::{dominant, tone, WebRtcPeer};
use str0m::media::Direction;
use tokio::net::UdpSocket;

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

// --- The Rust provider peer: audio both ways, hold / resume, DTMF, inbound ---

/// A provider peer and a trunk to it, ready for calls.
async fn provider_trunk(t: &TrunkTest) -> (ProviderPeer, i64) {
    let provider = ProviderPeer::start().await;
    let trunk = create_trunk_over(t, provider.sip_addr(), "trunkpass", false, "udp").await;
    let status = trunk_status(t, trunk, |s| s["state"] == "not_registering").await;
    assert_eq!(status["state"], "not_registering", "{status}");
    (provider, trunk)
}

/// The relay's socket for `trunk` (where its provider sends).
async fn trunk_socket(t: &TrunkTest, trunk: i64) -> SocketAddr {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(addr) = t.relay.state().telephony.trunk_addr(trunk) {
            return addr;
        }
        assert!(tokio::time::Instant::now() < deadline, "the trunk opened");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Anna calls Ivan from a browser (a WebSocket phone plus a WebRTC peer);
/// the provider answers and ICE/DTLS with the relay completes.
async fn anchored_call(t: &TrunkTest) -> (WsPhone, WebRtcPeer, CallHandle) {
    let mut phone = registered_phone(t, "anna").await;
    let (peer, call) = anchored_call_from(&mut phone).await;
    (phone, peer, call)
}

/// `phone` calls Ivan with a WebRTC peer of its own; the provider answers
/// and ICE/DTLS with the relay completes.
async fn anchored_call_from(phone: &mut WsPhone) -> (WebRtcPeer, CallHandle) {
    let mut peer = WebRtcPeer::g711().await;
    let call = phone.call(IVAN, Some(peer.offer().into_bytes())).await;
    let answered = phone
        .wait_for("the answer", WAIT, |e| matches!(e, Event::Answered { .. }))
        .await;
    let Event::Answered {
        sdp: Some(answer), ..
    } = answered
    else {
        panic!("the browser gets the relay's SDP: {answered:?}");
    };
    peer.accept_answer(&String::from_utf8(answer).unwrap());
    assert!(
        peer.pump(WAIT, |p| p.connected).await,
        "ICE and DTLS with the relay completed"
    );
    (peer, call)
}

/// The browser re-offers its audio with `direction` (hold / resume) and
/// takes the relay's answer, which it returns.
async fn browser_reoffer(
    phone: &mut WsPhone,
    peer: &mut WebRtcPeer,
    call: CallHandle,
    direction: Direction,
) -> String {
    let offer = peer.reoffer(direction).expect("the direction changes");
    phone
        .ep
        .reinvite(Instant::now(), call, Some(offer.into_bytes()));
    let answered = phone
        .wait_for(
            "the re-INVITE's answer",
            WAIT,
            |e| matches!(e, Event::Modified { call: c, .. } if *c == call),
        )
        .await;
    let Event::Modified {
        code: 200,
        sdp: Some(answer),
        ..
    } = answered
    else {
        panic!("the relay answers the re-INVITE with 200 and SDP: {answered:?}");
    };
    let answer = String::from_utf8(answer).unwrap();
    peer.accept_answer(&answer);
    answer
}

/// The audio direction of an SDP (sendrecv when it says nothing).
fn direction_in(sdp: &str) -> &'static str {
    let session = Session::parse(sdp.as_bytes()).expect("SDP");
    session
        .media
        .iter()
        .find(|m| m.kind == "audio" && m.port != 0)
        .map_or("inactive", |m| m.direction(&session).as_str())
}

fn assert_tone(samples: &[i16], want: f64, what: &str) {
    let found = dominant(samples);
    assert!(
        (found - want).abs() <= want * 0.05,
        "{what}: dominant {found} Hz over {} samples, wanted {want} Hz ± 5 %",
        samples.len()
    );
}

/// Hangs the browser up: its BYE is answered and the provider gets one.
async fn hang_up_both_legs(phone: &mut WsPhone, call: CallHandle, provider: &ProviderPeer) {
    phone.hang_up(call).await;
    phone
        .wait_for(
            "the BYE's answer",
            WAIT,
            |e| matches!(e, Event::Terminated { call: c, .. } if *c == call),
        )
        .await;
    provider
        .expect("the BYE", WAIT, |s| s.call == CallState::Ended)
        .await;
}

/// Hangs the browser up and checks both legs and the record ended.
async fn browser_hangs_up(
    t: &TrunkTest,
    phone: &mut WsPhone,
    call: CallHandle,
    provider: &ProviderPeer,
) {
    hang_up_both_legs(phone, call, provider).await;
    let record = last_call(t).await;
    assert_eq!(record["status"], "answered", "{record}");
    assert_eq!(record["hangup_side"], "caller", "{record}");
    assert_eq!(media_ports_in_use_drop_to_zero(t).await, 0);
}

#[tokio::test]
async fn an_anchored_browser_call_to_the_provider_carries_audio_both_ways() {
    let t = setup().await;
    let (provider, trunk) = provider_trunk(&t).await;
    let (mut phone, mut peer, call) = anchored_call(&t).await;

    // One second of 440 Hz out; the provider's 1000 Hz comes in meanwhile.
    peer.send_tone(440.0, 50).await;
    let heard = provider
        .expect("the browser's tone", WAIT, |s| {
            s.received_pcm.len() >= 40 * 160
        })
        .await;
    assert_tone(&heard.received_pcm, 440.0, "the provider hears the browser");
    assert!(
        peer.pump(WAIT, |p| p.received_pcm().len() >= 40 * 160)
            .await,
        "the provider's tone reached the browser: {} samples",
        peer.received_pcm().len()
    );
    assert_tone(
        &peer.received_pcm(),
        1000.0,
        "the browser hears the provider",
    );

    let state = provider.state();
    assert_eq!(state.invites.len(), 1, "{state:?}");
    assert!(state.invites[0].ends_with("4951234567"), "{state:?}");
    assert_eq!(state.offered_directions, ["sendrecv"]);
    let offer = state.last_remote_sdp.unwrap_or_default();
    assert!(
        offer.contains("RTP/AVP") && !offer.contains("a=fingerprint"),
        "{offer}"
    );

    browser_hangs_up(&t, &mut phone, call, &provider).await;
    assert_eq!(last_call(&t).await["trunk_id"], trunk);
}

#[tokio::test]
async fn the_browser_holds_and_resumes_an_anchored_call_by_reinvite() {
    let t = setup().await;
    let (provider, _) = provider_trunk(&t).await;
    let (mut phone, mut peer, call) = anchored_call(&t).await;
    peer.send_tone(440.0, 25).await;
    provider
        .expect("the browser's tone", WAIT, |s| s.received_packets >= 20)
        .await;
    assert!(peer.pump(WAIT, |p| p.received.len() >= 20).await);

    // Hold: the browser only sends; the provider is told to only listen.
    let answer = browser_reoffer(&mut phone, &mut peer, call, Direction::SendOnly).await;
    assert_eq!(direction_in(&answer), "recvonly", "{answer}");
    let held = provider
        .expect("the hold re-INVITE", WAIT, |s| {
            s.offered_directions.len() >= 2
        })
        .await;
    assert_eq!(held.offered_directions, ["sendrecv", "sendonly"]);
    assert_eq!(held.direction, "recvonly");
    peer.pump(Duration::from_millis(200), |_| false).await;
    let (sent, heard) = (provider.sent_packets(), peer.received.len());
    let got = provider.received_packets();
    peer.send_tone(440.0, 25).await;
    assert_eq!(
        provider.sent_packets(),
        sent,
        "the provider sends nothing while the call is on hold"
    );
    assert!(
        peer.received.len() <= heard + 1,
        "nothing reaches the browser on hold: {} packets",
        peer.received.len() - heard
    );
    // `sendonly` is the browser's: what it still sends (music on hold)
    // reaches the provider. Only an `inactive` hold would silence it.
    let on_hold = provider
        .expect("the browser's audio on hold", WAIT, |s| {
            s.received_packets >= got + 20
        })
        .await;
    eprintln!(
        "on hold: the browser sent 25 packets, the provider got {}",
        on_hold.received_packets - got
    );

    // Resume: audio flows both ways again.
    let answer = browser_reoffer(&mut phone, &mut peer, call, Direction::SendRecv).await;
    assert_eq!(direction_in(&answer), "sendrecv", "{answer}");
    let resumed = provider
        .expect("the resume re-INVITE", WAIT, |s| {
            s.offered_directions.len() >= 3
        })
        .await;
    assert_eq!(
        resumed.offered_directions,
        ["sendrecv", "sendonly", "sendrecv"]
    );
    assert_eq!(resumed.direction, "sendrecv");
    let before = resumed.received_pcm.len();
    peer.received.clear();
    peer.send_tone(440.0, 50).await;
    let after = provider
        .expect("the browser's tone after the resume", WAIT, |s| {
            s.received_pcm.len() >= before + 40 * 160
        })
        .await;
    assert_tone(
        &after.received_pcm[before..],
        440.0,
        "the provider hears the browser again",
    );
    assert!(
        peer.pump(WAIT, |p| p.received_pcm().len() >= 40 * 160)
            .await,
        "the provider's tone is back"
    );
    assert_tone(
        &peer.received_pcm(),
        1000.0,
        "the browser hears the provider again",
    );

    browser_hangs_up(&t, &mut phone, call, &provider).await;
}

#[tokio::test]
async fn the_provider_holds_and_resumes_an_anchored_call_by_reinvite() {
    let t = setup().await;
    let (provider, _) = provider_trunk(&t).await;
    let (mut phone, mut peer, call) = anchored_call(&t).await;

    for (direction, browser_sees) in [("sendonly", "sendonly"), ("sendrecv", "sendrecv")] {
        let code = match direction {
            "sendonly" => provider.hold().await,
            _ => provider.resume().await,
        };
        assert_eq!(
            code, 200,
            "the relay answers the provider's {direction} at once"
        );
        let offered = phone
            .wait_for(
                "the relay's re-INVITE",
                WAIT,
                |e| matches!(e, Event::RemoteOffer { call: c, .. } if *c == call),
            )
            .await;
        let Event::RemoteOffer {
            sdp: Some(offer), ..
        } = offered
        else {
            panic!("a re-offer for the browser: {offered:?}");
        };
        let offer = String::from_utf8(offer).unwrap();
        assert_eq!(direction_in(&offer), browser_sees, "{offer}");
        assert!(offer.contains("a=fingerprint"), "still WebRTC: {offer}");
        let answer = peer.accept_offer(&offer);
        phone
            .ep
            .accept(Instant::now(), call, Some(answer.into_bytes()));
        assert!(!phone.closed_within(Duration::from_millis(300)).await);
        assert_eq!(provider.state().direction, direction);
    }

    // After the resume, audio flows both ways.
    let before = provider.received_pcm().len();
    peer.received.clear();
    peer.send_tone(440.0, 50).await;
    let after = provider
        .expect("the browser's tone", WAIT, |s| {
            s.received_pcm.len() >= before + 40 * 160
        })
        .await;
    assert_tone(
        &after.received_pcm[before..],
        440.0,
        "the provider hears the browser",
    );
    assert!(
        peer.pump(WAIT, |p| p.received_pcm().len() >= 40 * 160)
            .await
    );
    assert_tone(
        &peer.received_pcm(),
        1000.0,
        "the browser hears the provider",
    );
    browser_hangs_up(&t, &mut phone, call, &provider).await;
}

#[tokio::test]
async fn the_browsers_rfc4733_digits_reach_the_provider() {
    let t = setup().await;
    let (provider, _) = provider_trunk(&t).await;
    let (mut phone, mut peer, call) = anchored_call(&t).await;
    peer.send_dtmf("159#*0").await;
    let state = provider
        .expect("six digits", WAIT, |s| s.dtmf.len() >= 6)
        .await;
    assert_eq!(state.dtmf, "159#*0");
    browser_hangs_up(&t, &mut phone, call, &provider).await;
}

/// The phone's side of a call from the provider: a WebRTC peer when the
/// relay anchors it, else a plain RTP socket answering the provider's SDP.
enum PhoneMedia {
    WebRtc(Box<WebRtcPeer>),
    Plain { socket: UdpSocket, to: SocketAddr },
}

/// Answers the next call on `phone` with 200 and media of its own.
async fn answer_the_provider(phone: &mut WsPhone) -> (CallHandle, PhoneMedia) {
    let incoming = phone
        .wait_for("the relay's INVITE", WAIT, |e| {
            matches!(e, Event::IncomingCall { .. })
        })
        .await;
    let Event::IncomingCall {
        call,
        sdp: Some(offer),
        ..
    } = incoming
    else {
        panic!("an INVITE with an offer: {incoming:?}");
    };
    let offer = String::from_utf8(offer).unwrap();
    let (answer, media) = if offer.contains("a=fingerprint") {
        eprintln!("the relay anchors the call: a WebRTC offer for the phone");
        let mut peer = WebRtcPeer::g711().await;
        let answer = peer.accept_offer(&offer);
        (answer.into_bytes(), PhoneMedia::WebRtc(Box::new(peer)))
    } else {
        eprintln!("the provider's SDP passes through to the phone");
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let session = Session::parse(offer.as_bytes()).unwrap();
        let audio = session.media.iter().find(|m| m.kind == "audio").unwrap();
        let ip = session
            .connection
            .as_ref()
            .unwrap()
            .address
            .parse()
            .unwrap();
        let to = SocketAddr::new(ip, audio.port);
        let local = socket.local_addr().unwrap();
        let answer = sdp::answer(&session, &plain_media(local, SdpDirection::SendRecv)).unwrap();
        (answer.to_bytes(), PhoneMedia::Plain { socket, to })
    };
    phone.ep.accept(Instant::now(), call, Some(answer));
    phone
        .wait_for(
            "the ACK",
            WAIT,
            |e| matches!(e, Event::Confirmed { call: c } if *c == call),
        )
        .await;
    (call, media)
}

fn plain_media(local: SocketAddr, direction: SdpDirection) -> LocalMedia {
    LocalMedia {
        codecs: vec![Codec::pcma(), Codec::pcmu(), Codec::telephone_event()],
        address: local.ip().to_string(),
        port: local.port(),
        proto: "RTP/AVP".into(),
        direction,
        ice: None,
        candidates: Vec::new(),
        fingerprint: None,
        rtcp_mux: false,
        ssrc: None,
        session_id: 7,
        session_version: 1,
    }
}

/// Sends `packets` × 20 ms of a `freq` tone (A-law) and returns the G.711
/// audio received meanwhile, decoded.
async fn plain_exchange(socket: &UdpSocket, to: SocketAddr, freq: f64, packets: usize) -> Vec<i16> {
    let mut heard = Vec::new();
    let mut out = Vec::new();
    let mut buf = vec![0u8; 2048];
    for i in 0..packets {
        let payload: Vec<u8> = tone(freq, i * 160, 160)
            .iter()
            .map(|s| g711::linear_to_alaw(*s))
            .collect();
        rtp::write(
            &mut out,
            i == 0,
            8,
            i as u16,
            160 * i as u32,
            0x5eed,
            &payload,
        );
        socket.send_to(&out, to).await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        while let Ok((n, _)) = socket.try_recv_from(&mut buf) {
            if let Some(p) = rtp::parse(&buf[..n]) {
                heard.extend(p.payload.iter().map(|b| match p.pt {
                    0 => g711::ulaw_to_linear(*b),
                    _ => g711::alaw_to_linear(*b),
                }));
            }
        }
    }
    heard
}

#[tokio::test]
async fn a_call_from_the_provider_rings_the_registered_phone_and_carries_audio() {
    let t = setup().await;
    let (provider, trunk) = provider_trunk(&t).await;
    let relay = trunk_socket(&t, trunk).await;
    let mut phone = registered_phone(&t, "anna").await;

    let (placed, (call, mut media)) = tokio::join!(
        provider.call(relay, "+74950000000", IVAN),
        answer_the_provider(&mut phone)
    );
    placed.expect("the phone answered");

    // Audio both ways.
    let before = provider.received_pcm().len();
    let heard = match media {
        PhoneMedia::Plain { ref socket, to } => plain_exchange(socket, to, 440.0, 50).await,
        PhoneMedia::WebRtc(ref mut peer) => {
            assert!(peer.pump(WAIT, |p| p.connected).await, "ICE and DTLS");
            peer.send_tone(440.0, 50).await;
            peer.received_pcm()
        }
    };
    let got = provider
        .expect("the phone's tone", WAIT, |s| {
            s.received_pcm.len() >= before + 40 * 160
        })
        .await;
    assert_tone(
        &got.received_pcm[before..],
        440.0,
        "the provider hears the phone",
    );
    assert!(
        heard.len() >= 30 * 160,
        "the phone heard {} samples",
        heard.len()
    );
    assert_tone(&heard, 1000.0, "the phone hears the provider");

    // The provider holds and resumes; the phone answers each re-INVITE.
    if let PhoneMedia::Plain { ref socket, .. } = media {
        let local = socket.local_addr().unwrap();
        for (want, answered) in [("sendonly", "recvonly"), ("sendrecv", "sendrecv")] {
            let (code, ()) = tokio::join!(
                async {
                    match want {
                        "sendonly" => provider.hold().await,
                        _ => provider.resume().await,
                    }
                },
                async {
                    let offered = phone
                        .wait_for(
                            "the re-INVITE",
                            WAIT,
                            |e| matches!(e, Event::RemoteOffer { call: c, .. } if *c == call),
                        )
                        .await;
                    let Event::RemoteOffer {
                        sdp: Some(offer), ..
                    } = offered
                    else {
                        panic!("a re-offer: {offered:?}");
                    };
                    let offer = Session::parse(&offer).unwrap();
                    let answer = sdp::answer(&offer, &plain_media(local, SdpDirection::SendRecv));
                    let answer = answer.unwrap().to_bytes();
                    assert_eq!(direction_in(&String::from_utf8_lossy(&answer)), answered);
                    phone.ep.accept(Instant::now(), call, Some(answer));
                    assert!(!phone.closed_within(Duration::from_millis(300)).await);
                }
            );
            assert_eq!(code, 200, "the phone's answer reached the provider");
            assert_eq!(provider.state().direction, want);
        }
    }

    provider.hang_up().await;
    phone
        .wait_for(
            "the provider's BYE",
            WAIT,
            |e| matches!(e, Event::Terminated { call: c, by_peer: true } if *c == call),
        )
        .await;
    let record = last_call(&t).await;
    assert_eq!(record["direction"], "inbound");
    assert_eq!(record["status"], "answered", "{record}");
    assert_eq!(record["trunk_id"], trunk);
    assert_eq!(record["number_e164"], "+74951234567");
}

/// The database fails in the middle of a call (its pool is closed under the
/// relay): the call keeps its audio both ways and hangs up normally, a new
/// call from the same phone still connects (its record is lost), and the
/// failure is logged once, not once per change.
#[tokio::test]
async fn a_database_failing_mid_call_leaves_the_calls_and_their_audio_and_is_logged_once() {
    use callcard_tests::logs::Logs;
    let (logs, _guard) = Logs::capture();
    let t = setup().await;
    let (provider, _) = provider_trunk(&t).await;
    let (mut phone, mut peer, call) = anchored_call(&t).await;
    peer.send_tone(440.0, 25).await;
    provider
        .expect("the browser's tone", WAIT, |s| {
            s.received_pcm.len() >= 20 * 160
        })
        .await;

    t.relay.state().db.close().await;
    const FAILED: &str = "call records cannot be written";
    assert_eq!(logs.count(FAILED), 0, "{}", logs.text());

    // Both directions go on: a new tone out, the provider's tone in.
    let heard_before = provider.state().received_pcm.len();
    let got_before = peer.received_pcm().len();
    peer.send_tone(660.0, 50).await;
    let heard = provider
        .expect("the browser's tone after the failure", WAIT, |s| {
            s.received_pcm.len() >= heard_before + 40 * 160
        })
        .await;
    assert_tone(
        &heard.received_pcm[heard_before + 5 * 160..],
        660.0,
        "the provider hears the browser after the database failed",
    );
    assert!(
        peer.pump(WAIT, |p| p.received_pcm().len() >= got_before + 40 * 160)
            .await,
        "the provider's tone still reaches the browser"
    );
    assert_tone(
        &peer.received_pcm()[got_before..],
        1000.0,
        "the browser hears the provider after the database failed",
    );

    // The hang-up works on both legs (its record change is lost).
    hang_up_both_legs(&mut phone, call, &provider).await;

    // A new call goes out, is answered and connects, the database still closed.
    let (_second, call) = anchored_call_from(&mut phone).await;
    hang_up_both_legs(&mut phone, call, &provider).await;
    t.relay.state().telephony.records_written().await;
    assert_eq!(
        logs.count(FAILED),
        1,
        "one error for the whole failure, not one per change:\n{}",
        logs.text()
    );
    assert_eq!(provider.state().invites.len(), 2);
}

/// An anchored call is recorded: after the hang-up the record has a stereo
/// MP3 — the client (the provider's 1 kHz) left, our side (the browser's
/// 440 Hz) right, as long as the call talked — that plays with ranges
/// (206, 416 out of bounds), downloads as `{id}_{phone}_{date}.mp3` with
/// the phone masked as the reader sees it, and that a colleague cannot get.
#[tokio::test]
async fn an_anchored_call_is_recorded_in_stereo_and_played_downloaded_and_kept_from_colleagues() {
    use callcard_tests::recordings::decode_mp3;
    let t = setup().await;
    let (provider, _) = provider_trunk(&t).await;
    provider.set_tone(Some(1000.0));
    let (mut phone, mut peer, call) = anchored_call(&t).await;
    let talking = std::time::Instant::now();
    peer.send_tone(440.0, 100).await;
    let talked = talking.elapsed().as_secs_f64();
    hang_up_both_legs(&mut phone, call, &provider).await;
    let mut record = last_call(&t).await;
    let id = record["id"].as_i64().unwrap();
    let url = t.relay.url(&format!("/api/calls/{id}/recording"));
    // The log says there is a recording, and how long, once it is closed.
    record = recorded_call(&t, id).await;
    let logged = record["recording_seconds"]
        .as_f64()
        .expect("a recording in the log");
    assert!(
        (logged - talked).abs() < 1.5,
        "{logged} s in the log, {talked} s talked"
    );
    assert!(record["recording_note"].is_null(), "{record}");
    // The audio's quality on the record: both sides heard, nothing lost on
    // loopback, a good score.
    let quality = &record["quality"];
    assert!(
        quality["client"]["received"].as_u64().unwrap_or(0) > 50,
        "{record}"
    );
    assert!(
        quality["ours"]["received"].as_u64().unwrap_or(0) > 50,
        "{record}"
    );
    assert_eq!(quality["client"]["lost"], 0, "{record}");
    assert!(quality["mos"].as_f64().unwrap_or(0.0) > 4.0, "{record}");

    // The recorder closes the file once the media has ended.
    let deadline = tokio::time::Instant::now() + WAIT;
    let response = loop {
        let response = t.admin.get(&url).send().await.unwrap();
        if response.status() == 200 || tokio::time::Instant::now() > deadline {
            break response;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    assert_eq!(response.headers()["content-type"], "audio/mpeg");
    let bytes = response.bytes().await.unwrap().to_vec();
    let decoded = decode_mp3(bytes.clone());
    assert_eq!((decoded.channels, decoded.sample_rate), (2, 8000));
    let seconds = decoded.left.len() as f64 / 8000.0;
    // The recording starts at the answer, a little before `talking`.
    assert!(
        seconds >= talked - 0.5 && seconds <= talked + 1.5,
        "{seconds} s recorded, {talked} s talked"
    );
    let left = dominant(&decoded.left);
    let right = dominant(&decoded.right);
    assert!(
        (left - 1000.0).abs() <= 50.0,
        "the client's channel: {left} Hz"
    );
    assert!(
        (right - 440.0).abs() <= 22.0,
        "our side's channel: {right} Hz"
    );

    // Seeking: a range, and a range past the end.
    let ranged = t
        .admin
        .get(&url)
        .header("Range", "bytes=100-199")
        .send()
        .await
        .unwrap();
    assert_eq!(ranged.status(), 206);
    assert_eq!(
        ranged.bytes().await.unwrap().to_vec(),
        bytes[100..200].to_vec()
    );
    let past = t
        .admin
        .get(&url)
        .header("Range", format!("bytes={}-", bytes.len() + 10))
        .send()
        .await
        .unwrap();
    assert_eq!(past.status(), 416);

    // The download's name: the number as the reader may see it.
    let download = t
        .admin
        .get(format!("{url}?download=1"))
        .send()
        .await
        .unwrap();
    let name = download.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    let day = record["started_at"].as_str().unwrap()[..10].to_string();
    assert_eq!(
        name,
        format!("attachment; filename=\"{id}_{IVAN}_{day}.mp3\"")
    );
    let manager = callcard_tests::group_id(&t.admin, &t.relay, "manager").await;
    let masked = t
        .admin
        .put(t.relay.url(&format!("/api/groups/{manager}/masking")))
        .json(&serde_json::json!({"kind": "show_last", "n": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(masked.status(), 200);
    let anna = t.relay.signed_in("anna").await;
    let download = anna.get(format!("{url}?download=1")).send().await.unwrap();
    assert_eq!(download.status(), 200);
    let name = download.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        !callcard_shared::masking::contains_digits_of(name.as_bytes(), &IVAN[..IVAN.len() - 2]),
        "{name}"
    );
    assert!(name.ends_with(&format!("67_{day}.mp3\"")), "{name}");

    // A colleague may not hear it — until their group hears all calls.
    let boris = t.relay.signed_in("boris").await;
    let refused = boris.get(&url).send().await.unwrap();
    assert_eq!(refused.status(), 403);
    let why: serde_json::Value = refused.json().await.unwrap();
    assert!(
        why["error"].as_str().unwrap().contains("colleague"),
        "{why}"
    );
    let all = t
        .admin
        .put(t.relay.url(&format!("/api/groups/{manager}/recordings")))
        .json(&serde_json::json!({"hears_all_calls": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(all.status(), 200);
    let heard = boris.get(&url).send().await.unwrap();
    assert_eq!(heard.status(), 200);
    assert_eq!(heard.bytes().await.unwrap().to_vec(), bytes);

    // The audit log: each play (not each range a player asks for) and each
    // download, with who — for admins only.
    let audit = callcard_tests::get_json(&t.admin, t.relay.url("/api/audit")).await;
    let lines: Vec<(String, String)> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["call_id"] == id)
        .map(|e| {
            let who = e["user"]["display_name"].as_str().unwrap().to_string();
            (who, e["action"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("Boris Orlov".to_string(), "recording_played".to_string()),
            (
                "Anna Sokolova".to_string(),
                "recording_downloaded".to_string()
            ),
            (
                "Alice Admin".to_string(),
                "recording_downloaded".to_string()
            ),
            ("Alice Admin".to_string(), "recording_played".to_string()),
        ],
        "{audit}"
    );
    assert_eq!(
        anna.get(t.relay.url("/api/audit"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );

    // Retention: a month later (the call's end moved back 31 days) the
    // 30-day sweep deletes the file, and the log says so.
    let state = t.relay.state();
    let data_dir = state.config.data_dir.clone();
    let file = std::fs::read_dir(data_dir.join("recordings"))
        .unwrap()
        .next()
        .expect("the call's file")
        .unwrap()
        .path();
    assert!(file.exists());
    let kept = callcard_relay::recording::retention::sweep(&state.db, &state.recordings, 30)
        .await
        .unwrap();
    assert_eq!(kept, 0, "a fresh recording is kept");
    sqlx::query("UPDATE call_records SET ended_at = strftime('%Y-%m-%dT%H:%M:%SZ', ended_at, '-31 days') WHERE id = $1")
        .bind(id)
        .execute(&state.db)
        .await
        .unwrap();
    let deleted = callcard_relay::recording::retention::sweep(&state.db, &state.recordings, 30)
        .await
        .unwrap();
    assert_eq!(deleted, 1);
    assert!(!file.exists(), "the file is gone");
    let record = callcard_tests::get_json(&t.admin, t.relay.url(&format!("/api/calls/{id}"))).await;
    assert!(record["recording_seconds"].is_null(), "{record}");
    let note = record["recording_note"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(note.starts_with("deleted after 30 days on "), "{record}");
    let gone = t.admin.get(&url).send().await.unwrap();
    assert_eq!(gone.status(), 404);
    let why: serde_json::Value = gone.json().await.unwrap();
    assert!(why["error"].as_str().unwrap().contains("deleted"), "{why}");
}

/// The recording settings: refused values name their field; a manager
/// pauses their call's recording (the span is silence in the file and
/// marked on the record), a colleague may not, a call not being recorded
/// says so; and a direction switched off leaves its calls unrecorded, the
/// record saying why.
#[tokio::test]
async fn a_paused_recording_is_silent_there_and_the_settings_decide_which_calls_are_recorded() {
    use callcard_tests::recordings::decode_mp3;
    let t = setup().await;
    let (provider, _) = provider_trunk(&t).await;
    provider.set_tone(Some(1000.0));
    let settings_url = t.relay.url("/api/recording-settings");
    for (body, field) in [
        (serde_json::json!({"retention_days": 0}), "retention_days"),
        (
            serde_json::json!({"users": [{"user_id": 99999, "record": true}]}),
            "users[0].user_id",
        ),
        (
            serde_json::json!({"groups_not_recorded": [99999]}),
            "groups_not_recorded[0]",
        ),
    ] {
        let refused = t.admin.put(&settings_url).json(&body).send().await.unwrap();
        assert_eq!(refused.status(), 422, "{body}");
        let why: serde_json::Value = refused.json().await.unwrap();
        assert_eq!(why["field"], field, "{why}");
    }
    let anna = t.relay.signed_in("anna").await;
    let boris = t.relay.signed_in("boris").await;
    assert_eq!(anna.get(&settings_url).send().await.unwrap().status(), 403);

    // Talk, pause (the client reads a card number), talk again.
    let (mut phone, mut peer, call) = anchored_call(&t).await;
    t.relay.state().telephony.records_written().await;
    let page = callcard_tests::get_json(&t.admin, t.relay.url("/api/calls?limit=1")).await;
    assert_eq!(page["items"][0]["status"], "in_progress", "{page}");
    let id = page["items"][0]["id"].as_i64().unwrap();
    let pause_url = t.relay.url(&format!("/api/calls/{id}/recording/pause"));
    let talking = std::time::Instant::now();
    peer.send_tone(440.0, 50).await;
    let colleague = boris
        .put(&pause_url)
        .json(&serde_json::json!({"paused": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(colleague.status(), 403);
    let paused = anna
        .put(&pause_url)
        .json(&serde_json::json!({"paused": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(paused.status(), 200, "{:?}", paused.text().await);
    let paused_at = talking.elapsed().as_secs_f64();
    peer.send_tone(440.0, 75).await;
    let resumed = anna
        .put(&pause_url)
        .json(&serde_json::json!({"paused": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(resumed.status(), 200);
    let resumed_at = talking.elapsed().as_secs_f64();
    peer.send_tone(440.0, 50).await;
    hang_up_both_legs(&mut phone, call, &provider).await;

    let record = recorded_call(&t, id).await;
    let spans = record["recording_paused"].as_array().expect("paused spans");
    assert_eq!(spans.len(), 1, "{record}");
    let (from, to) = (spans[0][0].as_f64().unwrap(), spans[0][1].as_f64().unwrap());
    assert!(
        ((to - from) - (resumed_at - paused_at)).abs() < 0.3,
        "paused {from:.2}–{to:.2} s in the file, {paused_at:.2}–{resumed_at:.2} s into the talk"
    );
    let file = anna
        .get(t.relay.url(&format!("/api/calls/{id}/recording")))
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), 200);
    let decoded = decode_mp3(file.bytes().await.unwrap().to_vec());
    let energy = |s: &[i16]| s.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>() / s.len() as f64;
    let at = |t: f64| ((t * 8000.0) as usize).min(decoded.left.len());
    // The MP3 encoder's delay (~0.15 s) moves decoded audio a little later.
    let span = at(from + 0.25)..at(to - 0.1);
    assert!(span.len() > 4000, "{span:?}");
    let before = at(0.2)..at(from - 0.1);
    assert!(
        energy(&decoded.left[before.clone()]) > 100_000.0,
        "the client is heard before the pause"
    );
    assert!(
        energy(&decoded.left[span.clone()]) < 1000.0 && energy(&decoded.right[span]) < 1000.0,
        "the paused span is silent on both channels"
    );
    // Once the call is over there is nothing to pause.
    let over = anna
        .put(&pause_url)
        .json(&serde_json::json!({"paused": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(over.status(), 409);
    let why: serde_json::Value = over.json().await.unwrap();
    assert!(
        why["error"]
            .as_str()
            .unwrap()
            .contains("not being recorded"),
        "{why}"
    );

    // Outbound calls switched off: the next one is not recorded, and says why.
    let saved = t
        .admin
        .put(&settings_url)
        .json(&serde_json::json!({"outbound": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 200);
    let saved: serde_json::Value = saved.json().await.unwrap();
    assert_eq!(
        (
            saved["outbound"].as_bool(),
            saved["retention_days"].as_u64()
        ),
        (Some(false), Some(30))
    );
    let (mut peer, call) = anchored_call_from(&mut phone).await;
    peer.send_tone(440.0, 25).await;
    hang_up_both_legs(&mut phone, call, &provider).await;
    t.relay.state().telephony.records_written().await;
    let record = last_call(&t).await;
    assert_ne!(record["id"].as_i64(), Some(id));
    assert!(record["recording_seconds"].is_null(), "{record}");
    assert!(
        record["recording_note"]
            .as_str()
            .unwrap_or_default()
            .contains("settings"),
        "{record}"
    );
}

/// A data directory without room for recordings (the threshold set above
/// any disk): the call is answered and talks as usual, its record says it
/// was not recorded and why, and administrators see the alert.
#[tokio::test]
async fn a_full_disk_stops_recording_new_calls_with_an_alert_and_the_call_goes_on() {
    let data = tempfile::tempdir().unwrap();
    let mut config = callcard_relay::config::Config::with_data_dir(data.path());
    config.demo = true;
    config.recording_min_free_bytes = u64::MAX;
    let relay = callcard_tests::TestRelay::start_config(config, data).await;
    let admin = relay.signed_in("admin").await;
    let t = TrunkTest { relay, admin };
    let (provider, _) = provider_trunk(&t).await;
    let (mut phone, mut peer, call) = anchored_call(&t).await;
    peer.send_tone(440.0, 50).await;
    provider
        .expect("the browser's audio", WAIT, |s| s.received_packets >= 40)
        .await;
    hang_up_both_legs(&mut phone, call, &provider).await;
    let record = last_call(&t).await;
    assert_eq!(record["status"], "answered", "{record}");
    assert!(record["recording_seconds"].is_null(), "{record}");
    let note = record["recording_note"].as_str().unwrap_or_default();
    assert!(note.contains("disk is full"), "{record}");
    let status =
        callcard_tests::get_json(&t.admin, t.relay.url("/api/recording-settings/status")).await;
    assert!(
        status["alert"]
            .as_str()
            .unwrap_or_default()
            .contains("disk is full"),
        "{status}"
    );
    assert_eq!(status["recording_now"], 0, "{status}");
    let files = std::fs::read_dir(t.relay.data.path().join("recordings")).map_or(0, |d| d.count());
    assert_eq!(files, 0, "no recording file was started");
}

/// The consent announcement: switched on, a recorded call's client first
/// hears "This call is recorded." (espeak-ng's default, made on first use)
/// and only then our side; a bad upload is refused saying why, an MP3 one
/// replaces it.
#[tokio::test]
async fn the_client_hears_the_recording_announcement_before_the_call_is_connected() {
    let t = setup().await;
    let (provider, _) = provider_trunk(&t).await;
    let saved = t
        .admin
        .put(t.relay.url("/api/recording-settings"))
        .json(&serde_json::json!({"consent_announcement": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 200);
    let status =
        callcard_tests::get_json(&t.admin, t.relay.url("/api/recording-settings/status")).await;
    assert!(status["announcement_error"].is_null(), "{status}");
    let seconds = status["announcement_seconds"]
        .as_f64()
        .expect("an announcement");
    assert!((1.0..3.0).contains(&seconds), "{status}");
    let refused = t
        .admin
        .put(t.relay.url("/api/recording-settings/announcement"))
        .body(b"ID3 a broken mp3".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let why: serde_json::Value = refused.json().await.unwrap();
    assert!(why["error"].as_str().unwrap().contains("MP3"), "{why}");

    let (mut phone, mut peer, call) = anchored_call(&t).await;
    peer.send_tone(440.0, 175).await;
    hang_up_both_legs(&mut phone, call, &provider).await;
    let pcm = provider.received_pcm();
    assert!(pcm.len() > 8000 * 3, "{} samples heard", pcm.len());
    let energy = |s: &[i16]| s.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>() / s.len() as f64;
    // How much of a stretch's energy is a pure `freq` tone (1: all of it).
    let tone_share = |s: &[i16], freq: f64| {
        let w = 2.0 * std::f64::consts::PI * freq / 8000.0;
        let (re, im) = s.iter().enumerate().fold((0.0, 0.0), |(re, im), (n, x)| {
            let x = f64::from(*x);
            (re + x * (w * n as f64).cos(), im - x * (w * n as f64).sin())
        });
        (re * re + im * im) / (s.len() as f64 / 2.0 * energy(s) * s.len() as f64)
    };
    // The first second: the announcement — speech, not our side's tone.
    let first = &pcm[400..8400];
    assert!(
        energy(first) > 100_000.0,
        "the client hears the announcement"
    );
    assert!(
        tone_share(first, 440.0) < 0.3,
        "our side is not heard yet: {:.2} of it is the 440 Hz tone",
        tone_share(first, 440.0)
    );
    // The last second: our side.
    let last = &pcm[pcm.len() - 8000..];
    assert!(
        tone_share(last, 440.0) > 0.8,
        "then our side: {:.2}",
        tone_share(last, 440.0)
    );

    // An administrator's own announcement, as MP3: 1.5 s of it, then back
    // to the default.
    let tone: Vec<i16> = (0..12_000)
        .map(|i| ((f64::from(i) * 700.0 * std::f64::consts::TAU / 8000.0).sin() * 9000.0) as i16)
        .collect();
    let mut mp3 = callcard_relay::recording::mp3::Mp3::new().unwrap();
    let mut file = Vec::new();
    mp3.encode(&tone, &tone, &mut file).unwrap();
    mp3.finish(&mut file).unwrap();
    let uploaded = t
        .admin
        .put(t.relay.url("/api/recording-settings/announcement"))
        .body(file)
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status(), 200);
    let status: serde_json::Value = uploaded.json().await.unwrap();
    assert_eq!(status["announcement_uploaded"], true, "{status}");
    let seconds = status["announcement_seconds"].as_f64().unwrap();
    assert!((1.5..1.8).contains(&seconds), "{status}");
    let back = t
        .admin
        .delete(t.relay.url("/api/recording-settings/announcement"))
        .send()
        .await
        .unwrap();
    let status: serde_json::Value = back.json().await.unwrap();
    assert_eq!(status["announcement_uploaded"], false, "{status}");
}
