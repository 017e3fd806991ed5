//! The relay's telephony core against real SIP peers on loopback: SIPp as the
//! provider's registrar and as the callee, and a WebSocket softphone built on
//! the `shared` SIP stack as the browser.

use std::time::Duration;

use callcard_shared::sip::ua::Event;
use callcard_tests::events::EventStream;
use callcard_tests::sip_phone::WsPhone;
use callcard_tests::sipp::{Scenario, Sipp};
use callcard_tests::telephony::{
    create_trunk, create_trunk_over, last_call, registered_phone, setup, sip_address, sip_user,
    talk_until_the_callee_hangs_up, trunk_status, TrunkTest, IVAN, WAIT,
};
use callcard_tests::{get_json, TestRelay};
use serde_json::{json, Value};

#[tokio::test]
async fn a_trunk_registers_at_a_registrar_that_challenges_with_401() {
    let t = setup().await;
    let mut admin_events = EventStream::open(&t.admin, &t.relay.url("/api/events")).await;
    let sipp = Sipp::serve(Scenario::File("registrar.xml"), 1);
    let id = create_trunk(&t, &sipp, "trunkpass", true).await;
    let status = trunk_status(&t, id, |s| s["state"] != "pending").await;
    assert_eq!(status["state"], "registered", "{status}");
    // Admins see the change live: pending, then registered.
    loop {
        let (name, event) = admin_events.next("the trunk's status", WAIT).await;
        assert_eq!(name, "trunk_status");
        assert_eq!(event["trunk_id"], id);
        if event["status"]["state"] == "registered" {
            break;
        }
        assert_eq!(event["status"]["state"], "pending", "{event}");
    }
    sipp.finished(WAIT)
        .await
        .expect("the registrar saw a valid digest");
}

#[tokio::test]
async fn a_trunk_with_a_wrong_password_shows_failed_and_why() {
    let t = setup().await;
    let sipp = Sipp::serve(Scenario::File("registrar.xml"), 1);
    let id = create_trunk(&t, &sipp, "not-the-password", true).await;
    let status = trunk_status(&t, id, |s| s["state"] != "pending").await;
    assert_eq!(status["state"], "failed", "{status}");
    assert_eq!(status["reason"], "wrong credentials (403)");
}

#[tokio::test]
async fn the_sip_websocket_refuses_a_socket_without_a_session() {
    let t = setup().await;
    let refused = WsPhone::connect(t.relay.addr, None, "callcard_101", "x").await;
    assert_eq!(refused.err().map(|r| r.0), Some(401));
}

#[tokio::test]
async fn a_browser_registers_only_its_own_account_by_its_web_session() {
    let t = setup().await;
    let (anna_sip, _) = sip_user(&t, "anna").await;
    let (boris_sip, boris_password) = sip_user(&t, "boris").await;
    let anna_cookie = t.relay.session_cookie("anna").await;

    // Boris's login on Anna's web session is refused, even with his password.
    let mut borrowed = WsPhone::connect(
        t.relay.addr,
        Some(&anna_cookie),
        &boris_sip,
        &boris_password,
    )
    .await
    .unwrap();
    assert_eq!(
        borrowed.register().await,
        Event::RegistrationFailed { code: 403 }
    );

    // The browser app holds no SIP password: Anna's session registers her
    // account without a digest (the relay never challenges it).
    let mut phone = WsPhone::connect(t.relay.addr, Some(&anna_cookie), &anna_sip, "")
        .await
        .unwrap();
    assert!(matches!(phone.register().await, Event::Registered { .. }));

    // Malformed SIP on the socket does not cost the registration or the socket.
    phone
        .send_raw("INVITE sip:x SIP/2.0\r\nVia: nonsense\r\n\r\n")
        .await;
    assert!(matches!(phone.register().await, Event::Registered { .. }));
}

#[tokio::test]
async fn an_outbound_call_reaches_the_provider_and_the_callee_hangs_up() {
    let t = setup().await;
    let sipp = Sipp::serve(Scenario::File("uas_hangs_up.xml"), 1);
    let trunk = create_trunk(&t, &sipp, "trunkpass", false).await;
    let mut phone = registered_phone(&t, "anna").await;

    // Ivan Petrov's number, written the way a Russian manager types it.
    let call = phone
        .call(
            "8 (495) 123-45-67"
                .replace([' ', '(', ')', '-'], "")
                .as_str(),
            None,
        )
        .await;
    phone
        .wait_for("ringing", WAIT, |e| {
            matches!(e, Event::Progress { code: 180, .. })
        })
        .await;
    let answered = phone
        .wait_for("the answer", WAIT, |e| matches!(e, Event::Answered { .. }))
        .await;
    let Event::Answered { sdp: Some(sdp), .. } = answered else {
        panic!("the callee's SDP passes through: {answered:?}");
    };
    assert!(String::from_utf8_lossy(&sdp).contains("m=audio 6000 RTP/AVP 8 0"));
    phone
        .wait_for(
            "the callee's BYE",
            WAIT,
            |e| matches!(e, Event::Terminated { call: c, by_peer: true } if *c == call),
        )
        .await;
    sipp.finished(WAIT).await.expect("SIPp's call completed");

    let record = last_call(&t).await;
    assert_eq!(record["direction"], "outbound");
    assert_eq!(record["status"], "answered", "{record}");
    assert_eq!(record["number_e164"], "+74951234567");
    assert_eq!(
        record["contact_id"], 1,
        "the call is filed against Ivan Petrov"
    );
    assert_eq!(record["trunk_id"], trunk);
    assert_eq!(record["hangup_side"], "callee");
    assert_eq!(
        record["user"]["display_name"]
            .as_str()
            .map(|n| n.starts_with("Anna")),
        Some(true)
    );
    assert!(!record["answered_at"].is_null());
}

#[tokio::test]
async fn the_caller_hangs_up_an_answered_call() {
    let t = setup().await;
    let sipp = Sipp::serve(Scenario::BuiltIn("uas"), 1);
    create_trunk(&t, &sipp, "trunkpass", false).await;
    let mut phone = registered_phone(&t, "anna").await;
    let call = phone.call("+48221234567", None).await;
    phone
        .wait_for("the answer", WAIT, |e| matches!(e, Event::Answered { .. }))
        .await;
    phone.hang_up(call).await;
    phone
        .wait_for("the BYE's answer", WAIT, |e| {
            matches!(e, Event::Terminated { .. })
        })
        .await;
    sipp.finished(WAIT).await.expect("SIPp saw the BYE");
    let record = last_call(&t).await;
    assert_eq!(record["status"], "answered", "{record}");
    assert_eq!(record["hangup_side"], "caller");
    assert_eq!(record["number_e164"], "+48221234567");
}

#[tokio::test]
async fn a_busy_callee_reaches_the_caller_as_busy() {
    let t = setup().await;
    let sipp = Sipp::serve(Scenario::File("uas_busy.xml"), 1);
    create_trunk(&t, &sipp, "trunkpass", false).await;
    let mut phone = registered_phone(&t, "anna").await;
    phone.call("+14155550100", None).await;
    let failed = phone
        .wait_for("the failure", WAIT, |e| matches!(e, Event::Failed { .. }))
        .await;
    assert!(
        matches!(failed, Event::Failed { code: 486, .. }),
        "{failed:?}"
    );
    sipp.finished(WAIT).await.expect("SIPp got its ACK");
    let record = last_call(&t).await;
    assert_eq!(record["status"], "busy", "{record}");
    assert_eq!(record["end_cause"], "busy (486)");
}

#[tokio::test]
async fn the_caller_cancels_while_it_rings() {
    let t = setup().await;
    let sipp = Sipp::serve(Scenario::File("uas_rings_until_cancel.xml"), 1);
    create_trunk(&t, &sipp, "trunkpass", false).await;
    let mut phone = registered_phone(&t, "anna").await;
    let call = phone.call("+74951234567", None).await;
    phone
        .wait_for("ringing", WAIT, |e| {
            matches!(e, Event::Progress { code: 180, .. })
        })
        .await;
    phone.cancel(call).await;
    phone
        .wait_for("487", WAIT, |e| {
            matches!(e, Event::Failed { code: 487, .. })
        })
        .await;
    sipp.finished(WAIT)
        .await
        .expect("SIPp saw CANCEL and got its ACK");
    let record = last_call(&t).await;
    assert_eq!(record["status"], "cancelled", "{record}");
    assert_eq!(record["hangup_side"], "caller");
}

#[tokio::test]
async fn a_call_with_no_usable_trunk_fails_with_a_clear_reason() {
    let t = setup().await;
    let mut phone = registered_phone(&t, "anna").await;
    phone.call("+74951234567", None).await;
    let failed = phone
        .wait_for("the failure", WAIT, |e| matches!(e, Event::Failed { .. }))
        .await;
    assert!(
        matches!(failed, Event::Failed { code: 503, .. }),
        "{failed:?}"
    );
    let record = last_call(&t).await;
    assert_eq!(record["status"], "failed");
    assert_eq!(record["end_cause"], "no trunk available (503)");
}

/// A trunk whose provider is SIPp calling from `port` (register off).
async fn provider_trunk(t: &TrunkTest, port: u16) -> (i64, std::net::SocketAddr) {
    let response = t
        .admin
        .post(t.relay.url("/api/trunks"))
        .json(&json!({
            "name": format!("Inbound provider {port}"),
            "number": "+74950000000",
            "username": "trunkuser",
            "password": "trunkpass",
            "domain": "provider.test",
            "host": format!("127.0.0.1:{port}"),
            "register": false,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let id = response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(addr) = t.relay.state().telephony.trunk_addr(id) {
            return (id, addr);
        }
        assert!(tokio::time::Instant::now() < deadline, "the trunk opened");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn answer_incoming(phone: &mut WsPhone) -> (callcard_shared::sip::ua::CallHandle, String) {
    let (call, from, offer) = phone.answer_next(WAIT, Some(b"v=0\r\n".to_vec())).await;
    assert!(offer.is_some(), "the provider's offer reaches the browser");
    (call, from)
}

#[tokio::test]
async fn a_client_calling_in_rings_their_responsible_manager_only() {
    let t = setup().await;
    let port = Sipp::free_port();
    let (trunk, trunk_addr) = provider_trunk(&t, port).await;
    let mut anna = registered_phone(&t, "anna").await;
    let mut boris = registered_phone(&t, "boris").await;
    let anna_web = t.relay.signed_in("anna").await;
    let mut anna_events = EventStream::open(&anna_web, &t.relay.url("/api/events")).await;

    let sipp = Sipp::call_from(Scenario::File("uac_inbound.xml"), 1, port, trunk_addr, IVAN);
    // The client's card reaches Anna's screen with the ring.
    let (name, card) = anna_events.next("the incoming-call card", WAIT).await;
    assert_eq!(name, "incoming_call", "{card}");
    assert_eq!(card["number"], "+74951234567");
    assert_eq!(card["contact"]["name"], "Ivan Petrov");
    assert_eq!(card["contact"]["company"], "Stroymontazh");
    assert_eq!(card["contact"]["email"], "ivan.petrov@stroymontazh.example");
    assert!(card["contact"]["responsible"]["display_name"]
        .as_str()
        .unwrap()
        .starts_with("Anna"));
    let (call, from) = answer_incoming(&mut anna).await;
    assert!(
        from.contains("+74951234567"),
        "the caller's number shows: {from}"
    );
    anna.wait_for(
        "the caller's BYE",
        WAIT,
        |e| matches!(e, Event::Terminated { call: c, by_peer: true } if *c == call),
    )
    .await;
    sipp.finished(WAIT)
        .await
        .expect("the provider's call completed");
    // Read whatever reached Boris's socket meanwhile.
    assert!(!boris.closed_within(Duration::from_millis(300)).await);
    assert!(
        !boris
            .events
            .iter()
            .any(|e| matches!(e, Event::IncomingCall { .. })),
        "Ivan Petrov's calls go to Anna, his responsible manager"
    );

    let (name, ended) = anna_events
        .next_except(&["call_record"], "the end of the call", WAIT)
        .await;
    assert_eq!(
        (name.as_str(), &ended["status"]),
        ("call_ended", &json!("answered"))
    );
    assert_eq!(ended["call_id"], card["call_id"]);

    let record = last_call(&t).await;
    assert_eq!(record["direction"], "inbound");
    assert_eq!(record["status"], "answered", "{record}");
    assert_eq!(record["contact_id"], 1);
    assert_eq!(record["trunk_id"], trunk);
    assert_eq!(record["number_e164"], "+74951234567");
    assert_eq!(record["hangup_side"], "caller");
    assert!(record["user"]["display_name"]
        .as_str()
        .unwrap()
        .starts_with("Anna"));
}

#[tokio::test]
async fn a_call_nobody_can_take_is_refused_480_and_logged_missed() {
    let t = setup().await;
    let port = Sipp::free_port();
    let (_, trunk_addr) = provider_trunk(&t, port).await;
    let sipp = Sipp::call_from(
        Scenario::File("uac_inbound_unanswered.xml"),
        1,
        port,
        trunk_addr,
        IVAN,
    );
    sipp.finished(WAIT).await.expect("the provider got 480");
    let record = last_call(&t).await;
    assert_eq!(record["status"], "missed", "{record}");
    assert_eq!(record["end_cause"], "nobody available (480)");
    assert_eq!(record["contact_id"], 1);
}

#[tokio::test]
async fn an_unanswered_call_gives_up_after_the_dial_timeout() {
    let data = tempfile::tempdir().unwrap();
    let mut config = callcard_relay::config::Config::with_data_dir(data.path());
    config.demo = true;
    config.static_dir = "/nonexistent".into();
    config.dial_timeout = Duration::from_secs(1);
    let relay = TestRelay::start_config(config, data).await;
    let admin = relay.signed_in("admin").await;
    let t = TrunkTest { relay, admin };
    let port = Sipp::free_port();
    let (_, trunk_addr) = provider_trunk(&t, port).await;
    let mut anna = registered_phone(&t, "anna").await;
    let sipp = Sipp::call_from(
        Scenario::File("uac_inbound_unanswered.xml"),
        1,
        port,
        trunk_addr,
        IVAN,
    );
    let incoming = anna
        .wait_for("an incoming call", WAIT, |e| {
            matches!(e, Event::IncomingCall { .. })
        })
        .await;
    let Event::IncomingCall { call, .. } = incoming else {
        unreachable!()
    };
    anna.wait_for(
        "the relay's CANCEL",
        WAIT,
        |e| matches!(e, Event::Cancelled { call: c } if *c == call),
    )
    .await;
    sipp.finished(WAIT).await.expect("the provider got 480");
    let record = last_call(&t).await;
    assert_eq!(record["status"], "missed", "{record}");
    assert_eq!(record["end_cause"], "no answer in 1 s (480)");
}

#[tokio::test]
async fn rotating_a_sip_password_ends_the_registration_made_with_the_old_one() {
    let t = setup().await;
    // A desk phone: the one kind of device that holds the SIP password.
    let (login, password) = sip_user(&t, "anna").await;
    let mut phone = WsPhone::udp(sip_address(&t), &login, &password).await;
    assert!(matches!(phone.register().await, Event::Registered { .. }));
    let users: Value = get_json(&t.admin, t.relay.url("/api/sip-users")).await;
    let anna = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["sip_login"] == "callcard_101")
        .unwrap()
        .clone();
    assert_eq!(
        anna["registered"], true,
        "the admin sees Anna's phone online"
    );

    let rotated = t
        .admin
        .post(
            t.relay
                .url(&format!("/api/sip-users/{}/password", anna["id"])),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(rotated.status(), 200);
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let me: Value = get_json(
            &t.admin,
            t.relay.url(&format!("/api/sip-users/{}", anna["id"])),
        )
        .await;
        if me["registered"] == false {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "still registered: {me}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Calls from the old registration are refused; re-registering with the old password fails.
    phone.call("+74951234567", None).await;
    let refused = phone
        .wait_for("the refusal", WAIT, |e| matches!(e, Event::Failed { .. }))
        .await;
    assert!(
        matches!(refused, Event::Failed { code: 403, .. }),
        "{refused:?}"
    );
    assert_eq!(
        phone.register().await,
        Event::RegistrationFailed { code: 403 }
    );
}

#[tokio::test]
async fn an_unknown_caller_rings_everyone_with_an_unknown_card() {
    let t = setup().await;
    let port = Sipp::free_port();
    let (_, trunk_addr) = provider_trunk(&t, port).await;
    let mut anna = registered_phone(&t, "anna").await;
    let mut boris = registered_phone(&t, "boris").await;
    let boris_web = t.relay.signed_in("boris").await;
    let mut boris_events = EventStream::open(&boris_web, &t.relay.url("/api/events")).await;

    let sipp = Sipp::call_from(
        Scenario::File("uac_inbound.xml"),
        1,
        port,
        trunk_addr,
        "+48229998877",
    );
    let (name, card) = boris_events.next("the incoming-call card", WAIT).await;
    assert_eq!(name, "incoming_call");
    assert_eq!(card["number"], "+48229998877");
    assert!(
        card["contact"].is_null(),
        "an unknown number has no card: {card}"
    );
    // Both managers ring; Boris answers, Anna's phone stops ringing.
    let ring = anna
        .wait_for("the ring", WAIT, |e| {
            matches!(e, Event::IncomingCall { .. })
        })
        .await;
    let Event::IncomingCall { call: ringing, .. } = ring else {
        unreachable!()
    };
    // Like a browser, Anna's phone answers 180 Ringing.
    anna.ep
        .ringing(callcard_shared::Instant::now(), ringing, None);
    let (call, _) = answer_incoming(&mut boris).await;
    boris
        .wait_for("the ACK", WAIT, |e| matches!(e, Event::Confirmed { .. }))
        .await;
    anna.wait_for("the CANCEL", WAIT, |e| matches!(e, Event::Cancelled { .. }))
        .await;
    boris
        .wait_for(
            "the caller's BYE",
            WAIT,
            |e| matches!(e, Event::Terminated { call: c, by_peer: true } if *c == call),
        )
        .await;
    sipp.finished(WAIT)
        .await
        .expect("the provider's call completed");
    let record = last_call(&t).await;
    assert_eq!(record["status"], "answered", "{record}");
    assert!(record["contact_id"].is_null());
    assert!(record["user"]["display_name"]
        .as_str()
        .unwrap()
        .starts_with("Boris"));
}

#[tokio::test]
async fn a_call_from_an_address_that_is_no_trunk_gets_403_and_no_record() {
    let t = setup().await;
    let port = Sipp::free_port();
    let (_, trunk_addr) = provider_trunk(&t, port).await;
    registered_phone(&t, "anna").await;
    // The same scenario from another port: not the provider's address.
    let stranger = Sipp::call_from(
        Scenario::File("uac_expect_403.xml"),
        1,
        Sipp::free_port(),
        trunk_addr,
        IVAN,
    );
    stranger.finished(WAIT).await.expect("the stranger got 403");
    let page: Value = get_json(&t.admin, t.relay.url("/api/calls")).await;
    assert_eq!(page["total"], 0, "a refused stranger leaves no call record");
}

/// A desk phone (SIPp over `transport_args`) registers with digest and calls
/// Ivan Petrov through the provider, who answers and hangs up.
async fn desk_phone_calls_out(transport_args: &[&str]) {
    let t = setup().await;
    let provider = Sipp::serve(Scenario::File("uas_hangs_up.xml"), 1);
    let trunk = create_trunk(&t, &provider, "trunkpass", false).await;
    let (login, password) = sip_user(&t, "anna").await;
    let mut args = vec![
        "-au",
        &login,
        "-ap",
        &password,
        "-key",
        "login",
        &login,
        "-key",
        "dial",
        "84951234567",
    ];
    args.extend_from_slice(transport_args);
    let phone = Sipp::client(
        Scenario::File("desk_phone_calls_out.xml"),
        sip_address(&t),
        &args,
    );
    phone
        .finished(WAIT)
        .await
        .expect("the desk phone registered, was answered and got the callee's BYE");
    provider.finished(WAIT).await.expect("the provider's call");
    let record = last_call(&t).await;
    assert_eq!(record["direction"], "outbound");
    assert_eq!(record["status"], "answered", "{record}");
    assert_eq!(record["number_e164"], IVAN);
    assert_eq!(record["contact_id"], 1);
    assert_eq!(record["trunk_id"], trunk);
    assert!(record["user"]["display_name"]
        .as_str()
        .unwrap()
        .starts_with("Anna"));
}

#[tokio::test]
async fn a_desk_phone_over_udp_registers_with_digest_and_calls_out() {
    desk_phone_calls_out(&[]).await;
}

#[tokio::test]
async fn a_desk_phone_over_tcp_registers_with_digest_and_calls_out() {
    desk_phone_calls_out(&["-t", "t1"]).await;
}

#[tokio::test]
async fn a_client_calling_in_rings_the_managers_desk_phone() {
    let t = setup().await;
    let port = Sipp::free_port();
    let (_, trunk_addr) = provider_trunk(&t, port).await;
    let (login, password) = sip_user(&t, "anna").await;
    let mut desk = WsPhone::udp(sip_address(&t), &login, &password).await;
    let outcome = desk.register().await;
    assert!(matches!(outcome, Event::Registered { .. }), "{outcome:?}");

    let sipp = Sipp::call_from(Scenario::File("uac_inbound.xml"), 1, port, trunk_addr, IVAN);
    let (call, from) = answer_incoming(&mut desk).await;
    assert!(from.contains(IVAN), "the caller's number shows: {from}");
    desk.wait_for(
        "the caller's BYE",
        WAIT,
        |e| matches!(e, Event::Terminated { call: c, by_peer: true } if *c == call),
    )
    .await;
    sipp.finished(WAIT).await.expect("the provider's call");
    let record = last_call(&t).await;
    assert_eq!(record["status"], "answered", "{record}");
    assert!(record["user"]["display_name"]
        .as_str()
        .unwrap()
        .starts_with("Anna"));
}

#[tokio::test]
async fn a_desk_phone_with_an_unknown_login_is_challenged_then_refused() {
    let t = setup().await;
    let mut desk = WsPhone::udp(sip_address(&t), "nobody_999", "guess").await;
    let outcome = desk.register().await;
    assert!(
        matches!(outcome, Event::RegistrationFailed { code: 403 }),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn wrong_passwords_from_one_address_lock_it_out_across_sockets_and_transports() {
    let t = setup().await;
    let (login, password) = sip_user(&t, "anna").await;
    let cookie = t.relay.session_cookie("anna").await;
    // Five times someone else's login on a WebSocket (which then closes)…
    let (boris_login, _) = sip_user(&t, "boris").await;
    let mut browser = WsPhone::connect(t.relay.addr, Some(&cookie), &boris_login, "wrong")
        .await
        .expect("upgrade");
    for _ in 0..5 {
        let outcome = browser.register().await;
        assert!(
            matches!(outcome, Event::RegistrationFailed { code: 403 }),
            "{outcome:?}"
        );
    }
    assert!(browser.closed_within(WAIT).await);
    // …and five more from a desk phone on the same address.
    let mut desk = WsPhone::udp(sip_address(&t), &login, "still-wrong").await;
    for _ in 0..5 {
        let outcome = desk.register().await;
        assert!(
            matches!(outcome, Event::RegistrationFailed { code: 403 }),
            "{outcome:?}"
        );
    }
    // Now even the right password from this address is refused for a while.
    let mut honest = WsPhone::connect(t.relay.addr, Some(&cookie), &login, &password)
        .await
        .expect("upgrade");
    let outcome = honest.register().await;
    assert!(
        matches!(outcome, Event::RegistrationFailed { code: 403 }),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn an_unanswered_call_is_forwarded_to_the_configured_number() {
    let data = tempfile::tempdir().unwrap();
    let mut config = callcard_relay::config::Config::with_data_dir(data.path());
    config.demo = true;
    config.static_dir = "/nonexistent".into();
    config.dial_timeout = Duration::from_secs(1);
    config.forward_to = Some("+74959876543".into());
    let relay = TestRelay::start_config(config, data).await;
    let admin = relay.signed_in("admin").await;
    let t = TrunkTest { relay, admin };
    // Calls come in from one provider; the forwarded leg leaves through another
    // (the first by priority), whose callee answers.
    let mobile = Sipp::serve(Scenario::BuiltIn("uas"), 1);
    let response = t
        .admin
        .post(t.relay.url("/api/trunks"))
        .json(&json!({
            "name": "Outbound provider",
            "number": "+74950000001",
            "username": "out",
            "password": "outpass",
            "domain": "out.test",
            "host": mobile.addr.to_string(),
            "register": false,
            "priority": 0,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let out_trunk = response.json::<Value>().await.unwrap()["id"].clone();
    let port = Sipp::free_port();
    let (_, trunk_addr) = provider_trunk(&t, port).await;
    let mut anna = registered_phone(&t, "anna").await;

    let caller = Sipp::call_from(Scenario::File("uac_inbound.xml"), 1, port, trunk_addr, IVAN);
    let incoming = anna
        .wait_for("an incoming call", WAIT, |e| {
            matches!(e, Event::IncomingCall { .. })
        })
        .await;
    let Event::IncomingCall { call, .. } = incoming else {
        unreachable!()
    };
    // Anna does not answer: after the dial timeout her phone stops ringing…
    anna.wait_for(
        "the relay's CANCEL",
        WAIT,
        |e| matches!(e, Event::Cancelled { call: c } if *c == call),
    )
    .await;
    // …and the caller talks to the forwarding number instead.
    caller
        .finished(WAIT)
        .await
        .expect("the caller was answered by the forwarding number");
    mobile
        .finished(WAIT)
        .await
        .expect("the mobile took the call");
    let record = last_call(&t).await;
    assert_eq!(record["direction"], "inbound");
    assert_eq!(record["status"], "answered", "{record}");
    assert_eq!(record["trunk_id"], out_trunk);
    assert_eq!(
        record["end_cause"],
        "forwarded to +74959876543: normal clearing (BYE)"
    );
}

/// A relay in a child process on `data` (so it can be killed) with a trunk
/// to `provider` and a telephony user for Anna: the relay, the admin's and
/// Anna's session cookies, Anna's SIP login and password.
async fn child_relay_with_anna(
    exe: &std::path::Path,
    data: &std::path::Path,
    provider: std::net::SocketAddr,
) -> (
    callcard_tests::child_relay::ChildRelay,
    String,
    String,
    String,
    String,
) {
    use callcard_tests::child_relay::ChildRelay;
    let relay = ChildRelay::start(exe, data).await;
    let login = |who: &'static str, url: String| async move {
        let response = reqwest::Client::new()
            .post(url)
            .json(&json!({"login": who, "password": "demo"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let cookie = response.headers()["set-cookie"].to_str().unwrap();
        cookie.split(';').next().unwrap().to_string()
    };
    let admin_cookie = login("admin", relay.url("/api/login")).await;
    let admin = |request: reqwest::RequestBuilder| request.header("Cookie", admin_cookie.clone());
    let http = reqwest::Client::new();

    let response = admin(http.post(relay.url("/api/trunks")))
        .json(&json!({
            "name": "Provider", "number": "+74950000000", "username": "u", "password": "p",
            "domain": "sipp.test", "host": provider.to_string(), "register": false,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let users: Value = admin(http.get(relay.url("/api/users")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let anna_id = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["login"] == "anna")
        .unwrap()["id"]
        .clone();
    let creds: Value = admin(http.post(relay.url("/api/sip-users")))
        .json(&json!({ "user_id": anna_id }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (sip_login, password) = (
        creds["sip_login"].as_str().unwrap().to_string(),
        creds["sip_password"].as_str().unwrap().to_string(),
    );
    let anna_cookie = login("anna", relay.url("/api/login")).await;
    (relay, admin_cookie, anna_cookie, sip_login, password)
}

#[tokio::test]
async fn a_relay_killed_mid_call_marks_the_call_interrupted_and_phones_register_again() {
    let data = tempfile::tempdir().unwrap();
    let exe = std::path::Path::new(env!("CARGO_BIN_EXE_relay-process"));
    let provider = Sipp::serve(Scenario::BuiltIn("uas"), 1);
    let (mut relay, admin_cookie, anna_cookie, sip_login, password) =
        child_relay_with_anna(exe, data.path(), provider.addr).await;
    let admin = |request: reqwest::RequestBuilder| request.header("Cookie", admin_cookie.clone());
    let http = reqwest::Client::new();
    let mut phone = WsPhone::connect(relay.addr, Some(&anna_cookie), &sip_login, &password)
        .await
        .expect("upgrade");
    assert!(matches!(phone.register().await, Event::Registered { .. }));
    phone.call(IVAN, Some(b"v=0\r\n".to_vec())).await;
    phone
        .wait_for("the answer", WAIT, |e| matches!(e, Event::Answered { .. }))
        .await;

    relay.kill_9();
    assert!(
        phone.closed_within(WAIT).await,
        "the phone notices the relay is gone"
    );
    let relay = relay.restart(data.path()).await;
    // The same softphone, same web session, comes back on its own.
    let (_phone, attempts) =
        WsPhone::reconnect(relay.addr, &anna_cookie, &sip_login, &password, WAIT).await;
    assert!(attempts >= 1);

    let page: Value = admin(http.get(relay.url("/api/calls")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 1, "{page}");
    let call = &page["items"][0];
    assert_eq!(call["status"], "interrupted", "{call}");
    assert_eq!(call["end_cause"], "relay_restart");
    assert!(!call["answered_at"].is_null(), "it had been answered");
    assert!(!call["ended_at"].is_null());
}

/// A request the parser reads but RFC 3261 refuses (two Call-IDs), followed
/// by line noise, then a valid OPTIONS.
fn malformed_then_valid(transport: &str, local: std::net::SocketAddr) -> [String; 3] {
    let head = |method: &str, cseq: &str, branch: &str| {
        format!(
            "{method} sip:relay@callcard SIP/2.0\r\nVia: SIP/2.0/{transport} {local};branch=z9hG4bK{branch}\r\n\
             From: <sip:probe@callcard>;tag=1\r\nTo: <sip:relay@callcard>\r\nCall-ID: probe-{branch}\r\n\
             CSeq: {cseq}\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
        )
    };
    [
        format!(
            "OPTIONS sip:relay@callcard SIP/2.0\r\nVia: SIP/2.0/{transport} {local};branch=z9hG4bKbad1\r\n\
             From: <sip:probe@callcard>;tag=1\r\nTo: <sip:relay@callcard>\r\nCall-ID: probe-bad1\r\n\
             Call-ID: probe-again\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
        ),
        "\u{1}\u{2} not SIP at all\r\n\r\n".to_string(),
        head("OPTIONS", "2 OPTIONS", "good2"),
    ]
}

#[tokio::test]
async fn malformed_sip_from_a_desk_phone_gets_400_and_the_connection_lives_on() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let t = setup().await;
    let sip = sip_address(&t);

    let udp = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    udp.connect(sip).await.unwrap();
    let mut answers = Vec::new();
    for message in malformed_then_valid("UDP", udp.local_addr().unwrap()) {
        udp.send(message.as_bytes()).await.unwrap();
    }
    let mut buf = vec![0u8; 65_535];
    while answers.len() < 2 {
        let n = tokio::time::timeout(WAIT, udp.recv(&mut buf))
            .await
            .expect("answers over UDP")
            .unwrap();
        answers.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    }
    assert!(answers[0].starts_with("SIP/2.0 400"), "{}", answers[0]);
    assert!(answers[0].contains("branch=z9hG4bKbad1"));
    assert!(answers[1].starts_with("SIP/2.0 200"), "{}", answers[1]);
    assert!(answers[1].contains("branch=z9hG4bKgood2"));

    let mut tcp = tokio::net::TcpStream::connect(sip).await.unwrap();
    let local = tcp.local_addr().unwrap();
    for message in malformed_then_valid("TCP", local) {
        tcp.write_all(message.as_bytes()).await.unwrap();
    }
    let mut received = String::new();
    while !received.contains("z9hG4bKgood2") {
        let n = tokio::time::timeout(WAIT, tcp.read(&mut buf))
            .await
            .expect("answers over TCP")
            .unwrap();
        assert!(n > 0, "the relay kept the TCP connection: {received}");
        received.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    let statuses: Vec<&str> = received
        .split("\r\n")
        .filter(|l| l.starts_with("SIP/2.0 "))
        .collect();
    assert_eq!(statuses.len(), 2, "{received}");
    assert!(statuses[0].starts_with("SIP/2.0 400"), "{received}");
    assert!(statuses[1].starts_with("SIP/2.0 200"), "{received}");
}

/// RFC 4475 §3.4.1: an INVITE in RFC 2543 syntax (no Contact, no From tag,
/// no Max-Forwards, a Via without branch), which backwards-compatible
/// elements accept. Sent over UDP to the running relay it is a call attempt
/// like any other — from a phone that is not registered, so the relay
/// challenges it (407) — never a 400.
#[tokio::test]
async fn an_rfc_2543_invite_over_udp_is_a_call_attempt_not_a_bad_request() {
    let t = setup().await;
    let sip = sip_address(&t);
    let invite = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/rfc4475/inv2543.dat"
    ))
    .unwrap();
    let udp = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    udp.connect(sip).await.unwrap();
    udp.send(&invite).await.unwrap();
    let mut buf = vec![0u8; 65_535];
    let mut statuses = Vec::new();
    while !statuses
        .iter()
        .any(|s: &String| !s.starts_with("SIP/2.0 1"))
    {
        let n = tokio::time::timeout(WAIT, udp.recv(&mut buf))
            .await
            .expect("an answer over UDP")
            .unwrap();
        let answer = String::from_utf8_lossy(&buf[..n]).into_owned();
        assert!(
            answer.contains("Call-ID: inv2543.1717@ift.client.example.com"),
            "{answer}"
        );
        statuses.push(answer.lines().next().unwrap_or_default().to_string());
    }
    assert_eq!(
        statuses.last().map(String::as_str),
        Some("SIP/2.0 407 Proxy Authentication Required"),
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| !s.starts_with("SIP/2.0 400")),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn number_rules_are_read_by_everyone_changed_by_admins_and_tried_step_by_step() {
    let t = setup().await;
    let anna = t.relay.signed_in("anna").await;
    let view: Value = get_json(&anna, t.relay.url("/api/dialplan")).await;
    assert_eq!(view["default_region"], "RU", "{view}");
    let rules = view["rules"].clone();
    assert_eq!(rules["allowed"]["premium"], false, "{rules}");
    assert_eq!(rules["allowed"]["special"], false);

    let mut moscow = rules.clone();
    moscow["autocorrect"] = json!([r"^\+7/8"]);
    moscow["forbidden_codes"] = json!(["+375"]);
    let by_manager = anna
        .put(t.relay.url("/api/dialplan"))
        .json(&moscow)
        .send()
        .await
        .unwrap();
    assert_eq!(by_manager.status(), 403);
    let mut broken = moscow.clone();
    broken["autocorrect"] = json!([r"^\+7/8", "^(+7/8"]);
    let refused = t
        .admin
        .put(t.relay.url("/api/dialplan"))
        .json(&broken)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let error: Value = refused.json().await.unwrap();
    assert_eq!(error["field"], "autocorrect[1]", "{error}");
    let saved = t
        .admin
        .put(t.relay.url("/api/dialplan"))
        .json(&moscow)
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 200);

    let tried: Value = anna
        .post(t.relay.url("/api/dialplan/try"))
        .json(&json!({ "number": "+7 (495) 123-45-67" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tried["outcome"]["kind"], "allowed", "{tried}");
    assert_eq!(tried["outcome"]["dial"], "84951234567", "{tried}");
    assert_eq!(tried["outcome"]["e164"], IVAN);
    assert!(tried["steps"].as_array().unwrap().len() >= 2, "{tried}");
    let minsk: Value = anna
        .post(t.relay.url("/api/dialplan/try"))
        .json(&json!({ "number": "+375 29 123 45 67" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(minsk["outcome"]["kind"], "refused", "{minsk}");
    assert!(minsk["outcome"]["reason"]
        .as_str()
        .unwrap()
        .contains("+375"));
}

#[tokio::test]
async fn a_client_that_skips_the_ui_cannot_dial_a_forbidden_destination() {
    let t = setup().await;
    let provider = Sipp::serve(Scenario::File("uas_hangs_up.xml"), 1);
    create_trunk(&t, &provider, "trunkpass", false).await;
    let mut rules: Value = get_json(&t.admin, t.relay.url("/api/dialplan")).await["rules"].clone();
    rules["forbidden_codes"] = json!(["+375"]);
    let saved = t
        .admin
        .put(t.relay.url("/api/dialplan"))
        .json(&rules)
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 200);
    let mut phone = registered_phone(&t, "anna").await;
    // A premium number (off by default) and a forbidden country, sent raw.
    for (number, why) in [("+375291234567", "+375"), ("88095050505", "premium")] {
        let call = phone.call(number, None).await;
        let failed = phone
            .wait_for(
                "the refusal",
                WAIT,
                |e| matches!(e, Event::Failed { call: c, .. } if *c == call),
            )
            .await;
        assert!(
            matches!(failed, Event::Failed { code: 403, .. }),
            "{failed:?}"
        );
        let record = last_call(&t).await;
        assert_eq!(record["status"], "refused", "{record}");
        assert_eq!(record["hangup_side"], "relay");
        // The phone is told why, in the 403's reason phrase: the record's cause.
        let Event::Failed { reason, .. } = &failed else {
            unreachable!()
        };
        assert_eq!(
            Some(reason.as_str()),
            record["end_cause"].as_str(),
            "{failed:?}"
        );
        assert!(
            record["end_cause"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains(why),
            "{record}"
        );
        assert!(record["trunk_id"].is_null(), "no trunk was asked: {record}");
    }
}

#[tokio::test]
async fn a_tcp_trunk_registers_and_carries_a_call() {
    let t = setup().await;
    let mut admin_events = EventStream::open(&t.admin, &t.relay.url("/api/events")).await;
    let registrar = Sipp::serve_with(Scenario::File("registrar.xml"), 1, &["-t", "t1"]);
    let id = create_trunk_over(&t, registrar.addr, "trunkpass", true, "tcp").await;
    // Watched live: SIPp closes the connection when its scenario ends, and the
    // status then rightly turns to a transport error.
    loop {
        let (_, event) = admin_events.next("the TCP trunk registered", WAIT).await;
        if event["trunk_id"] == id && event["status"]["state"] == "registered" {
            break;
        }
    }
    registrar
        .finished(WAIT)
        .await
        .expect("the registrar saw the digest over TCP");

    let callee = Sipp::serve_with(Scenario::File("uas_hangs_up.xml"), 1, &["-t", "t1"]);
    let trunk = create_trunk_over(&t, callee.addr, "trunkpass", false, "tcp").await;
    trunk_status(&t, trunk, |s| s["state"] == "not_registering").await;
    let mut phone = registered_phone(&t, "anna").await;
    talk_until_the_callee_hangs_up(&mut phone).await;
    callee
        .finished(WAIT)
        .await
        .expect("the call over TCP completed");
    let record = last_call(&t).await;
    assert_eq!(record["status"], "answered", "{record}");
    assert_eq!(record["trunk_id"], trunk);
}

#[tokio::test]
async fn a_tcp_trunk_nobody_listens_for_shows_failed_with_the_transport_error() {
    let t = setup().await;
    // A port that was free a moment ago: nothing accepts TCP there.
    let nobody = std::net::SocketAddr::from(([127, 0, 0, 1], Sipp::free_port()));
    let id = create_trunk_over(&t, nobody, "trunkpass", false, "tcp").await;
    let status = trunk_status(&t, id, |s| s["state"] == "failed").await;
    assert_eq!(status["state"], "failed", "{status}");
    let reason = status["reason"].as_str().unwrap();
    assert!(reason.starts_with("transport error"), "{reason}");
}

#[tokio::test]
async fn a_masked_group_sees_no_digits_of_a_clients_number_in_any_answer_or_event() {
    use callcard_shared::masking::contains_digits_of;
    let t = setup().await;
    let manager = callcard_tests::group_id(&t.admin, &t.relay, "manager").await;
    let set = t
        .admin
        .put(t.relay.url(&format!("/api/groups/{manager}/masking")))
        .json(&json!({"kind": "show_last", "n": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    let bad = t
        .admin
        .put(t.relay.url(&format!("/api/groups/{manager}/masking")))
        .json(&json!({"kind": "scramble"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422, "an unknown masking is refused");

    // An outbound call (first trunk by priority) and an inbound one from Ivan.
    let callee = Sipp::serve(Scenario::File("uas_hangs_up.xml"), 1);
    create_trunk(&t, &callee, "trunkpass", false).await;
    let port = Sipp::free_port();
    let (_, trunk_addr) = provider_trunk(&t, port).await;
    let anna_web = t.relay.signed_in("anna").await;
    let mut events = EventStream::open(&anna_web, &t.relay.url("/api/events")).await;
    let mut phone = registered_phone(&t, "anna").await;
    let out = phone.call(IVAN, None).await;
    phone
        .wait_for(
            "the callee's BYE",
            WAIT,
            |e| matches!(e, Event::Terminated { call: c, by_peer: true } if *c == out),
        )
        .await;
    let caller = Sipp::call_from(Scenario::File("uac_inbound.xml"), 1, port, trunk_addr, IVAN);
    let (call, from) = answer_incoming(&mut phone).await;
    // The SIP the relay sends Anna's phone shows the caller masked too.
    assert!(from.contains("*********67"), "{from}");
    assert!(!contains_digits_of(from.as_bytes(), IVAN), "{from}");
    phone
        .wait_for(
            "the caller's BYE",
            WAIT,
            |e| matches!(e, Event::Terminated { call: c, by_peer: true } if *c == call),
        )
        .await;
    caller.finished(WAIT).await.expect("the inbound call");
    last_call(&t).await;

    // Everything Anna's browser could receive.
    let mut received: Vec<(String, String)> = Vec::new();
    // (Her phone's calls were named by `call_record` events first: no digits there either.)
    let incoming = loop {
        let (name, data) = events.next("the incoming-call card", WAIT).await;
        if name == "incoming_call" {
            break data;
        }
        received.push((format!("event {name}"), data.to_string()));
    };
    assert!(
        incoming["number"].as_str().unwrap().ends_with("67"),
        "{incoming}"
    );
    received.push(("event incoming_call".into(), incoming.to_string()));
    for path in [
        "/api/me",
        "/api/me/sip",
        "/api/contacts",
        "/api/contacts?q=Petrov",
        "/api/contacts/1",
        "/api/calls",
        "/api/calls?contact_id=1",
        "/api/dialplan",
    ] {
        let body = anna_web
            .get(t.relay.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        received.push((path.to_string(), body));
    }
    let calls: Value = get_json(&anna_web, t.relay.url("/api/calls")).await;
    assert_eq!(calls["total"], 2, "Anna still sees both calls: {calls}");
    for item in calls["items"].as_array().unwrap() {
        let id = item["id"].as_i64().unwrap();
        let body = anna_web
            .get(t.relay.url(&format!("/api/calls/{id}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        received.push((format!("/api/calls/{id}"), body));
    }
    // The dial pad's preview of the number (a click-to-call puts it there).
    let preview = anna_web
        .post(t.relay.url("/api/dialplan/try"))
        .json(&json!({ "number": IVAN }))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(preview.contains("\"allowed\""), "{preview}");
    received.push(("/api/dialplan/try".into(), preview));
    for (what, body) in &received {
        assert!(
            !contains_digits_of(body.as_bytes(), IVAN),
            "{what} shows Ivan's number to a masked group: {body}"
        );
    }
    // The same answers to an administrator do carry it (the check can fail).
    let admin_card = t
        .admin
        .get(t.relay.url("/api/contacts/1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(contains_digits_of(admin_card.as_bytes(), IVAN));
}

#[tokio::test]
async fn a_provider_that_challenges_the_invite_with_407_gets_the_digest_answer() {
    let t = setup().await;
    let provider = Sipp::serve(Scenario::File("uas_challenges_407.xml"), 1);
    create_trunk(&t, &provider, "trunkpass", false).await;
    let mut phone = registered_phone(&t, "anna").await;
    talk_until_the_callee_hangs_up(&mut phone).await;
    provider
        .finished(WAIT)
        .await
        .expect("the provider accepted the Proxy-Authorization");
    let record = last_call(&t).await;
    assert_eq!(record["status"], "answered", "{record}");
}

#[tokio::test]
async fn an_invite_without_registration_is_challenged_and_goes_through_with_the_digest() {
    let t = setup().await;
    let provider = Sipp::serve(Scenario::File("uas_hangs_up.xml"), 1);
    create_trunk(&t, &provider, "trunkpass", false).await;
    let (login, password) = sip_user(&t, "anna").await;
    // A soft phone that dials without registering first: 407, then the digest.
    let mut desk = WsPhone::udp(sip_address(&t), &login, &password).await;
    talk_until_the_callee_hangs_up(&mut desk).await;
    provider.finished(WAIT).await.expect("the provider's call");
    let record = last_call(&t).await;
    assert_eq!(record["status"], "answered", "{record}");
    assert!(record["user"]["display_name"]
        .as_str()
        .unwrap()
        .starts_with("Anna"));

    // The same with a wrong password: refused, and no trunk is asked.
    let mut guesser = WsPhone::udp(sip_address(&t), &login, "wrong").await;
    let call = guesser.call(IVAN, None).await;
    let failed = guesser
        .wait_for(
            "the refusal",
            WAIT,
            |e| matches!(e, Event::Failed { call: c, .. } if *c == call),
        )
        .await;
    assert!(
        matches!(failed, Event::Failed { code: 403, .. }),
        "{failed:?}"
    );
    let page: Value = get_json(&t.admin, t.relay.url("/api/calls")).await;
    assert_eq!(
        page["total"], 1,
        "the refused INVITE made no record: {page}"
    );
}

#[tokio::test]
async fn a_call_survives_a_short_drop_of_the_phones_socket() {
    use callcard_tests::provider_peer::{CallState, ProviderPeer};
    let t = setup().await;
    let provider = ProviderPeer::start().await;
    callcard_tests::telephony::create_trunk_over(
        &t,
        provider.sip_addr(),
        "trunkpass",
        false,
        "udp",
    )
    .await;
    let mut anna = registered_phone(&t, "anna").await;
    let call = anna.call(IVAN, None).await;
    anna.wait_for("the answer", WAIT, |e| matches!(e, Event::Answered { .. }))
        .await;

    // The network drops; the phone comes back on a new socket and registers.
    let cookie = t.relay.session_cookie("anna").await;
    anna.drop_socket_and_reconnect(t.relay.addr, &cookie).await;
    let registered = anna.register().await;
    assert!(
        matches!(registered, Event::Registered { .. }),
        "{registered:?}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        provider.call_state(),
        CallState::Answered,
        "the call is still up"
    );
    let ongoing: Value = get_json(&t.admin, t.relay.url("/api/calls?limit=1")).await;
    assert!(ongoing["items"][0]["ended_at"].is_null(), "{ongoing}");

    // The client hangs up: the BYE reaches the phone on its new socket, for the same call.
    provider.hang_up().await;
    anna.wait_for(
        "the client's BYE on the new socket",
        WAIT,
        |e| matches!(e, Event::Terminated { call: c, by_peer: true } if *c == call),
    )
    .await;
    let record = last_call(&t).await;
    assert_eq!(record["status"], "answered", "{record}");
    assert_eq!(record["hangup_side"], "callee", "{record}");
    t.relay.stop().await;
}

/// A relay killed (SIGKILL) in the middle of a recorded call: at the next
/// start the call's record has its recording up to the kill — it plays, it
/// is as long as the call had talked, and it says why it ends there.
#[tokio::test]
async fn a_relay_killed_mid_call_leaves_the_recording_playable_up_to_then() {
    use callcard_tests::provider_peer::{CallState, ProviderPeer};
    use callcard_tests::webrtc_peer::{dominant, WebRtcPeer};
    let data = tempfile::tempdir().unwrap();
    let exe = std::path::Path::new(env!("CARGO_BIN_EXE_relay-process"));
    let provider = ProviderPeer::start().await;
    provider.set_tone(Some(1000.0));
    let (mut relay, admin_cookie, anna_cookie, sip_login, password) =
        child_relay_with_anna(exe, data.path(), provider.sip_addr()).await;
    let mut phone = WsPhone::connect(relay.addr, Some(&anna_cookie), &sip_login, &password)
        .await
        .expect("upgrade");
    assert!(matches!(phone.register().await, Event::Registered { .. }));
    let mut peer = WebRtcPeer::g711().await;
    phone.call(IVAN, Some(peer.offer().into_bytes())).await;
    let Event::Answered {
        sdp: Some(answer), ..
    } = phone
        .wait_for("the answer", WAIT, |e| matches!(e, Event::Answered { .. }))
        .await
    else {
        panic!("the relay's SDP");
    };
    peer.accept_answer(&String::from_utf8(answer).unwrap());
    assert!(peer.pump(WAIT, |p| p.connected).await, "ICE and DTLS");
    provider
        .expect("the answer", WAIT, |s| s.call == CallState::Answered)
        .await;
    let talking = std::time::Instant::now();
    peer.send_tone(440.0, 100).await;
    let talked = talking.elapsed().as_secs_f64();
    relay.kill_9();

    let relay = relay.restart(data.path()).await;
    let http = reqwest::Client::new();
    let page: Value = http
        .get(relay.url("/api/calls"))
        .header("Cookie", admin_cookie.clone())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let call = &page["items"][0];
    assert_eq!(call["status"], "interrupted", "{call}");
    let seconds = call["recording_seconds"].as_f64().expect("a recording");
    // Written every second, 400 ms held back for late packets.
    assert!(
        seconds > talked - 1.6 && seconds <= talked + 1.0,
        "{seconds} s recorded of {talked} s talked"
    );
    assert!(
        call["recording_note"]
            .as_str()
            .unwrap_or_default()
            .contains("relay stopped"),
        "{call}"
    );
    let id = call["id"].as_i64().unwrap();
    let file = http
        .get(relay.url(&format!("/api/calls/{id}/recording")))
        .header("Cookie", admin_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), 200);
    let decoded = callcard_tests::recordings::decode_mp3(file.bytes().await.unwrap().to_vec());
    assert_eq!(decoded.channels, 2);
    assert!(decoded.left.len() as f64 / 8000.0 > talked - 1.6);
    assert!(
        (dominant(&decoded.left) - 1000.0).abs() < 50.0,
        "the client's channel"
    );
    assert!(
        (dominant(&decoded.right) - 440.0).abs() < 22.0,
        "our side's channel"
    );
}
