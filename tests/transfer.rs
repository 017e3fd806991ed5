//! Calls between extensions and call transfer (REFER) through the relay,
//! against real peers on loopback: the Rust SIP/RTP provider as the client's
//! side, WebSocket phones on the shared SIP stack as the managers.

use std::time::Duration;

use callcard_shared::sip::ua::{CallHandle, Event};
use callcard_tests::events::EventStream;
use callcard_tests::get_json;
use callcard_tests::provider_peer::{CallState, ProviderPeer};
use callcard_tests::sip_phone::WsPhone;
use callcard_tests::telephony::{
    create_trunk_over, registered_phone, setup, sip_address, sip_user, TrunkTest, IVAN, WAIT,
};
use serde_json::{json, Value};
use tokio::net::UdpSocket;

/// A plain RTP/AVP description of a phone listening on `port` (G.711 A-law).
fn plain_sdp(port: u16) -> Vec<u8> {
    format!(
        "v=0\r\no=- {port} 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
         m=audio {port} RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\n\
         a=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n"
    )
    .into_bytes()
}

/// The extension of the demo user whose name starts with `name`.
async fn extension_of(t: &TrunkTest, name: &str) -> String {
    let users: Value = get_json(&t.admin, t.relay.url("/api/sip-users")).await;
    users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| {
            u["user"]["display_name"]
                .as_str()
                .is_some_and(|n| n.starts_with(name))
        })
        .map(|u| u["extension"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("{name} has a telephony user: {users}"))
}

/// Every record, newest first.
async fn records(t: &TrunkTest) -> Vec<Value> {
    get_json(&t.admin, t.relay.url("/api/calls?limit=50")).await["items"]
        .as_array()
        .unwrap()
        .clone()
}

/// Waits until every record has ended; returns them newest first.
async fn ended_records(t: &TrunkTest, count: usize) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let all = records(t).await;
        if all.len() >= count && all.iter().all(|r| !r["ended_at"].is_null()) {
            return all;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{count} records ended: {all:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Answers the next incoming call on `phone` with plain RTP on `port`.
async fn answer(phone: &mut WsPhone, port: u16) -> (CallHandle, String, Vec<u8>) {
    let (call, from, offer) = phone.answer_next(WAIT, Some(plain_sdp(port))).await;
    (call, from, offer.unwrap_or_default())
}

/// The next NOTIFY about a transfer on `phone` with a final code.
async fn transfer_outcome(phone: &mut WsPhone) -> u16 {
    transfer_result(phone).await.0
}

/// The final transfer NOTIFY's code and reason phrase.
async fn transfer_result(phone: &mut WsPhone) -> (u16, String) {
    loop {
        let event = phone
            .wait_for("the transfer's outcome", WAIT, |e| {
                matches!(e, Event::TransferProgress { .. })
            })
            .await;
        if let Event::TransferProgress { code, reason, .. } = event {
            if code >= 200 {
                return (code, reason);
            }
        }
    }
}

/// Ivan Petrov calls the company through `provider`; Anna answers.
async fn ivan_calls_anna(
    t: &TrunkTest,
    provider: &ProviderPeer,
    anna: &mut WsPhone,
    port: u16,
) -> CallHandle {
    provider.dial(sip_address(t), "+74950000000", IVAN).await;
    let (call, _, _) = answer(anna, port).await;
    provider
        .expect("Anna's answer", WAIT, |s| s.call == CallState::Answered)
        .await;
    call
}

/// PCMA packets arrive on `socket` (the provider's tone reaches whoever listens there).
async fn hears_rtp(socket: &UdpSocket, what: &str) {
    let mut buf = [0u8; 1500];
    let mut packets = 0;
    let deadline = tokio::time::Instant::now() + WAIT;
    while packets < 10 {
        let received = tokio::time::timeout_at(deadline, socket.recv_from(&mut buf)).await;
        match received {
            Ok(Ok((n, _))) if n > 12 && buf[1] & 0x7f == 8 => packets += 1,
            Ok(_) => {}
            Err(_) => panic!("{what}: {packets} RTP packets within {WAIT:?}"),
        }
    }
}

#[tokio::test]
async fn a_colleagues_extension_rings_their_phone_and_the_call_is_logged_internal() {
    let t = setup().await;
    let mut anna = registered_phone(&t, "anna").await;
    let mut boris = registered_phone(&t, "boris").await;
    let (anna_ext, boris_ext) = (
        extension_of(&t, "Anna").await,
        extension_of(&t, "Boris").await,
    );
    let mut anna_events = EventStream::open(
        &t.relay.signed_in("anna").await,
        &t.relay.url("/api/events"),
    )
    .await;
    let mut boris_events = EventStream::open(
        &t.relay.signed_in("boris").await,
        &t.relay.url("/api/events"),
    )
    .await;

    let call = anna.call(&boris_ext, Some(plain_sdp(41000))).await;
    let (boris_call, from, offer) = answer(&mut boris, 41002).await;
    let call_ids = [
        anna.ep.call_id(call).map(str::to_string),
        boris.ep.call_id(boris_call).map(str::to_string),
    ];
    assert!(
        from.contains("Anna") && from.contains(&format!("({anna_ext})")),
        "Boris sees who calls: {from}"
    );
    assert!(
        String::from_utf8_lossy(&offer).contains("m=audio 41000"),
        "Anna's SDP reaches Boris as it is"
    );
    let answered = anna
        .wait_for("Boris's answer", WAIT, |e| {
            matches!(e, Event::Answered { .. })
        })
        .await;
    let Event::Answered { sdp: Some(sdp), .. } = answered else {
        panic!("{answered:?}")
    };
    assert!(String::from_utf8_lossy(&sdp).contains("m=audio 41002"));
    anna.hang_up(call).await;
    boris
        .wait_for("Anna's BYE", WAIT, |e| {
            matches!(e, Event::Terminated { by_peer: true, .. })
        })
        .await;
    let record = &ended_records(&t, 1).await[0];
    // Each phone was told which record its dialog is (the after-call prompt's).
    for (events, call_id) in [
        (&mut anna_events, &call_ids[0]),
        (&mut boris_events, &call_ids[1]),
    ] {
        let (name, named) = events.next("the call's record", WAIT).await;
        assert_eq!(name, "call_record", "{named}");
        assert_eq!(named["call_id"], record["id"], "{named}");
        assert!(call_id.is_some());
        assert_eq!(
            named["sip_call_id"].as_str(),
            call_id.as_deref(),
            "named by the phone's own dialog"
        );
    }
    assert_eq!(record["direction"], "internal", "{record}");
    assert_eq!(record["status"], "answered", "{record}");
    assert_eq!(record["number_dialled"], boris_ext.as_str());
    assert!(record["user"]["display_name"]
        .as_str()
        .unwrap()
        .starts_with("Anna"));

    // An extension nobody has: 404 with the reason, logged as failed.
    let nobody = anna.call("199", None).await;
    let failed = anna
        .wait_for(
            "the refusal",
            WAIT,
            |e| matches!(e, Event::Failed { call, .. } if *call == nobody),
        )
        .await;
    let Event::Failed { code, reason, .. } = failed else {
        unreachable!()
    };
    assert_eq!((code, reason.as_str()), (404, "No extension 199"));
    // Calling your own extension is refused, not rung back to you.
    let own = anna.call(&anna_ext, None).await;
    let failed = anna
        .wait_for(
            "the refusal",
            WAIT,
            |e| matches!(e, Event::Failed { call, .. } if *call == own),
        )
        .await;
    assert!(
        matches!(failed, Event::Failed { code: 486, .. }),
        "{failed:?}"
    );
    // Open event streams would hold the relay's graceful stop.
    drop((anna_events, boris_events));
    t.relay.stop().await;
}

#[tokio::test]
async fn a_blind_transfer_hands_the_client_to_a_colleague_who_then_hears_them() {
    let t = setup().await;
    let provider = ProviderPeer::start().await;
    create_trunk_over(&t, provider.sip_addr(), "trunkpass", false, "udp").await;
    let mut anna = registered_phone(&t, "anna").await;
    let mut boris = registered_phone(&t, "boris").await;
    let boris_ext = extension_of(&t, "Boris").await;
    let boris_rtp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let boris_port = boris_rtp.local_addr().unwrap().port();

    let call = ivan_calls_anna(&t, &provider, &mut anna, 41010).await;
    anna.refer(call, &format!("sip:{boris_ext}@callcard")).await;
    let (_, from, offer) = answer(&mut boris, boris_port).await;
    assert!(
        from.contains(IVAN),
        "Boris sees the client's number: {from}"
    );
    assert!(
        String::from_utf8_lossy(&offer)
            .contains(&format!("m=audio {}", provider.rtp_addr().port())),
        "the client's media description is handed to Boris"
    );
    assert_eq!(transfer_outcome(&mut anna).await, 200);
    anna.wait_for(
        "the relay's BYE",
        WAIT,
        |e| matches!(e, Event::Terminated { call: c, by_peer: true } if *c == call),
    )
    .await;
    // The client's side is re-INVITEd toward Boris, and its audio reaches him.
    provider
        .expect("the re-INVITE toward Boris", WAIT, |s| {
            s.last_remote_sdp
                .as_deref()
                .is_some_and(|sdp| sdp.contains(&format!("m=audio {boris_port}")))
        })
        .await;
    hears_rtp(&boris_rtp, "the client's audio at Boris's phone").await;

    // The client hangs up: Boris is hung up too.
    provider
        .expect("still talking", WAIT, |s| s.call == CallState::Answered)
        .await;
    provider.hang_up().await;
    boris
        .wait_for("the client's BYE", WAIT, |e| {
            matches!(e, Event::Terminated { by_peer: true, .. })
        })
        .await;
    let all = ended_records(&t, 2).await;
    let (after, before) = (&all[0], &all[1]);
    assert_eq!(before["status"], "answered", "{before}");
    assert_eq!(
        before["end_cause"],
        format!("transferred to {boris_ext}"),
        "{before}"
    );
    assert!(before["user"]["display_name"]
        .as_str()
        .unwrap()
        .starts_with("Anna"));
    assert_eq!(after["direction"], "inbound", "{after}");
    assert_eq!(after["status"], "answered", "{after}");
    assert_eq!(after["number_e164"], IVAN, "{after}");
    assert_eq!(after["contact_id"], 1, "still filed against Ivan Petrov");
    assert!(
        after["user"]["display_name"]
            .as_str()
            .unwrap()
            .starts_with("Boris"),
        "{after}"
    );
    t.relay.stop().await;
}

#[tokio::test]
async fn a_transfer_the_colleague_declines_or_the_rules_forbid_leaves_the_call_with_the_manager() {
    let t = setup().await;
    let provider = ProviderPeer::start().await;
    create_trunk_over(&t, provider.sip_addr(), "trunkpass", false, "udp").await;
    let mut anna = registered_phone(&t, "anna").await;
    let mut boris = registered_phone(&t, "boris").await;
    let boris_ext = extension_of(&t, "Boris").await;
    let mut rules: Value = get_json(&t.admin, t.relay.url("/api/dialplan")).await["rules"].clone();
    rules["forbidden_codes"] = json!(["+1"]);
    let saved = t
        .admin
        .put(t.relay.url("/api/dialplan"))
        .json(&rules)
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 200);

    let call = ivan_calls_anna(&t, &provider, &mut anna, 41020).await;
    // A forbidden destination: refused by the relay, nothing rings.
    anna.refer(call, "sip:+12125551234@callcard").await;
    let (code, reason) = transfer_result(&mut anna).await;
    assert_eq!(code, 403);
    assert!(
        reason.starts_with("forbidden code `+1`"),
        "the phone is told why: {reason}"
    );
    assert!(provider.state().invites.is_empty(), "no INVITE went out");

    // Boris declines: Anna is told, and the call is still hers.
    anna.refer(call, &format!("sip:{boris_ext}@callcard")).await;
    let incoming = boris
        .wait_for("the transfer ringing", WAIT, |e| {
            matches!(e, Event::IncomingCall { .. })
        })
        .await;
    let Event::IncomingCall { call: ringing, .. } = incoming else {
        unreachable!()
    };
    boris.reject(ringing, 486).await;
    assert_eq!(transfer_outcome(&mut anna).await, 486);
    assert!(!anna.closed_within(Duration::from_millis(300)).await);
    assert!(
        !anna
            .events
            .iter()
            .any(|e| matches!(e, Event::Terminated { .. })),
        "the call stays up: {:?}",
        anna.events
    );
    assert_eq!(provider.state().call, CallState::Answered);
    anna.hang_up(call).await;
    provider
        .expect("Anna's BYE", WAIT, |s| s.call == CallState::Ended)
        .await;
    // Newest first: the declined transfer, then Anna's call.
    let all = ended_records(&t, 2).await;
    assert_eq!(all.len(), 2, "the refused transfer rang nobody: {all:#?}");
    assert_eq!(all[1]["status"], "answered", "Anna's call: {}", all[1]);
    assert_eq!(all[1]["hangup_side"], "callee");
    assert_eq!(
        all[0]["status"], "missed",
        "the declined transfer: {}",
        all[0]
    );
    assert!(all[0]["user"]["display_name"]
        .as_str()
        .unwrap()
        .starts_with("Boris"));
    t.relay.stop().await;
}

#[tokio::test]
async fn an_attended_transfer_joins_the_client_with_the_consulted_number() {
    let t = setup().await;
    // The consulted party's line is the first trunk (outbound calls take it);
    // the client calls in on the second.
    let consulted = ProviderPeer::start().await;
    create_trunk_over(&t, consulted.sip_addr(), "trunkpass", false, "udp").await;
    let client = ProviderPeer::start().await;
    create_trunk_over(&t, client.sip_addr(), "trunkpass", false, "udp").await;
    let mut anna = registered_phone(&t, "anna").await;

    let first = ivan_calls_anna(&t, &client, &mut anna, 41030).await;
    // Anna consults a partner on +7 495 765-43-21.
    let second = anna.call("+74957654321", Some(plain_sdp(41032))).await;
    anna.wait_for(
        "the partner's answer",
        WAIT,
        |e| matches!(e, Event::Answered { call, .. } if *call == second),
    )
    .await;
    let dialog = anna
        .ep
        .dialog(second)
        .expect("the consultation's dialog")
        .id
        .clone();
    let replaces = format!(
        "{}%3Bto-tag%3D{}%3Bfrom-tag%3D{}",
        dialog.call_id.replace('@', "%40"),
        dialog.remote_tag,
        dialog.local_tag
    );
    anna.refer(
        first,
        &format!("sip:+74957654321@callcard?Replaces={replaces}"),
    )
    .await;
    assert_eq!(transfer_outcome(&mut anna).await, 200);
    for call in [first, second] {
        anna.wait_for(
            "the relay's BYE",
            WAIT,
            |e| matches!(e, Event::Terminated { call: c, by_peer: true } if *c == call),
        )
        .await;
    }
    // Each side now has the other's media description and hears the other.
    let client_rtp = client.rtp_addr().port();
    let consulted_rtp = consulted.rtp_addr().port();
    client
        .expect("the re-INVITE toward the partner", WAIT, |s| {
            s.last_remote_sdp
                .as_deref()
                .is_some_and(|sdp| sdp.contains(&format!("m=audio {consulted_rtp}")))
        })
        .await;
    consulted
        .expect("the re-INVITE toward the client", WAIT, |s| {
            s.last_remote_sdp
                .as_deref()
                .is_some_and(|sdp| sdp.contains(&format!("m=audio {client_rtp}")))
        })
        .await;
    let heard = consulted.received_packets();
    consulted
        .expect("the client's audio at the partner", WAIT, |s| {
            s.received_packets > heard + 10
        })
        .await;
    // The client hangs up: the partner is hung up too.
    client.hang_up().await;
    consulted
        .expect("the BYE", WAIT, |s| s.call == CallState::Ended)
        .await;
    let all = ended_records(&t, 3).await;
    let causes: Vec<&str> = all
        .iter()
        .map(|r| r["end_cause"].as_str().unwrap_or(""))
        .collect();
    assert!(
        causes
            .iter()
            .any(|c| c.starts_with("transferred to +74957654321")),
        "{causes:?}"
    );
    assert!(all.iter().all(|r| r["status"] == "answered"), "{all:#?}");
    assert!(
        all.iter().any(|r| r["number_e164"] == IVAN
            && r["end_cause"]
                .as_str()
                .is_some_and(|c| c.starts_with("normal clearing"))),
        "the joined call is the client's, until they hang up: {all:#?}"
    );
    t.relay.stop().await;
}

#[tokio::test]
async fn a_blind_transfer_to_a_webrtc_colleague_anchors_the_clients_audio_for_them() {
    use callcard_tests::webrtc_peer::{dominant, WebRtcPeer};
    let t = setup().await;
    let provider = ProviderPeer::start().await;
    create_trunk_over(&t, provider.sip_addr(), "trunkpass", false, "udp").await;
    let mut anna = registered_phone(&t, "anna").await;
    // Boris's phone is a browser: WebRTC (ICE, DTLS-SRTP) only.
    let (sip_login, password) = sip_user(&t, "boris").await;
    let cookie = t.relay.session_cookie("boris").await;
    let mut boris = WsPhone::connect(t.relay.addr, Some(&cookie), &sip_login, &password)
        .await
        .expect("upgrade")
        .webrtc();
    assert!(matches!(boris.register().await, Event::Registered { .. }));
    let boris_ext = extension_of(&t, "Boris").await;
    let mut peer = WebRtcPeer::g711().await;

    let call = ivan_calls_anna(&t, &provider, &mut anna, 41040).await;
    anna.refer(call, &format!("sip:{boris_ext}@callcard")).await;
    let incoming = boris
        .wait_for("the transferred call", WAIT, |e| {
            matches!(e, Event::IncomingCall { .. })
        })
        .await;
    let Event::IncomingCall {
        call: ringing,
        sdp: Some(offer),
        ..
    } = incoming
    else {
        panic!("an offer for Boris: {incoming:?}")
    };
    let offer = String::from_utf8(offer).unwrap();
    assert!(
        offer.contains("a=fingerprint") && offer.contains("a=ice-ufrag"),
        "the relay anchors the call for a WebRTC phone: {offer}"
    );
    assert!(
        !offer.contains(&format!("m=audio {} ", provider.rtp_addr().port())),
        "never the provider's own media address: {offer}"
    );
    let answer = peer.accept_offer(&offer);
    boris.accept(ringing, Some(answer.into_bytes())).await;
    assert!(
        peer.pump(WAIT, |p| p.connected).await,
        "ICE and DTLS between Boris and the relay"
    );
    assert_eq!(transfer_outcome(&mut anna).await, 200);
    // The client is re-INVITEd toward the relay's new media, not Boris's.
    let reoffer = provider
        .expect("the re-INVITE toward the relay", WAIT, |s| {
            !s.offered_directions.is_empty()
        })
        .await
        .last_remote_sdp
        .unwrap_or_default();
    assert!(
        !reoffer.contains("m=audio 41040 ") && !reoffer.contains("a=fingerprint"),
        "plain RTP from the relay, not Anna's media nor WebRTC: {reoffer}"
    );
    // The client's 1 kHz reaches Boris through the bridge, and Boris's 440 Hz the client.
    assert!(
        peer.pump(WAIT, |p| p.received_pcm().len() > 8_000).await,
        "Boris hears the client"
    );
    let heard = dominant(&peer.received_pcm()[4_000..]);
    assert!((heard - 1_000.0).abs() < 50.0, "Boris hears {heard} Hz");
    let before = provider.received_pcm().len();
    peer.send_tone(440.0, 100).await;
    let pcm = provider
        .wait_until(WAIT, |s| s.received_pcm.len() > before + 6_000)
        .await
        .received_pcm;
    let got = dominant(&pcm[before + 2_000..]);
    assert!((got - 440.0).abs() < 22.0, "the client hears {got} Hz");
    // The record from the transfer on (Boris's) has a recording of its own,
    // its media being the relay's; Anna's desk-phone leg before it passed
    // its media through, and her record says so.
    provider.hang_up().await;
    let deadline = tokio::time::Instant::now() + WAIT;
    let page = loop {
        let page = callcard_tests::get_json(&t.admin, t.relay.url("/api/calls?limit=2")).await;
        if page["items"][0]["recording_seconds"].is_number()
            || tokio::time::Instant::now() > deadline
        {
            break page;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let (boris_call, anna_call) = (&page["items"][0], &page["items"][1]);
    assert!(
        boris_call["user"]["display_name"]
            .as_str()
            .unwrap()
            .starts_with("Boris"),
        "{page}"
    );
    assert!(
        boris_call["recording_seconds"].as_f64().unwrap_or(0.0) > 1.0,
        "{page}"
    );
    assert!(
        boris_call["quality"]["mos"].as_f64().unwrap_or(0.0) > 4.0,
        "{page}"
    );
    assert!(
        anna_call["recording_note"]
            .as_str()
            .unwrap_or_default()
            .contains("desk phone"),
        "{page}"
    );
    t.relay.stop().await;
}
