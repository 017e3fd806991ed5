//! RFC 3665 basic call flows and the in-dialog features (hold, INFO, REFER,
//! glare, forking) as scripted exchanges between two in-memory endpoints.

use callcard_shared::sip::auth::Algorithm;
use callcard_shared::sip::header::HeaderName;
use callcard_shared::sip::sim::{Pair, Side};
use callcard_shared::sip::transaction::{add_to_tag, response_to};
use callcard_shared::sip::ua::{CallHandle, Event, Remote, TransportKind};
use callcard_shared::sip::{parse, HeaderMap, Method, SipMessage};
use callcard_shared::time::Duration;
use callcard_shared::Instant;

const BOB: &str = "sip:bob@b.example.com";
const SDP_A: &[u8] = b"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=sendrecv\r\n";
const SDP_B: &[u8] = b"v=0\r\no=- 2 1 IN IP4 192.0.2.2\r\ns=-\r\nc=IN IP4 192.0.2.2\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\na=sendrecv\r\n";

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn incoming(p: &Pair) -> Option<CallHandle> {
    p.b_events.iter().find_map(|e| match e {
        Event::IncomingCall { call, .. } => Some(*call),
        _ => None,
    })
}

/// Alice calls Bob, Bob rings and answers; returns (alice's call, bob's call).
fn establish(p: &mut Pair) -> (CallHandle, CallHandle) {
    let now = p.now;
    let a_call = p.a.invite(now, BOB, Some(SDP_A.to_vec()));
    assert!(p.run_until(secs(5), |p| incoming(p).is_some()));
    let b_call = incoming(p).unwrap();
    let now = p.now;
    p.b.ringing(now, b_call, None);
    p.b.accept(now, b_call, Some(SDP_B.to_vec()));
    assert!(p.run_until(secs(5), |p| p
        .b_events
        .contains(&Event::Confirmed { call: b_call })));
    (a_call, b_call)
}

fn count(p: &Pair, line: &str) -> usize {
    p.log.iter().filter(|l| *l == line).count()
}

fn registration(alg: Algorithm) {
    let mut p = Pair::new(TransportKind::Udp, Instant::now()).with_registrar(alg);
    let now = p.now;
    p.a.register(now, 3600);
    assert!(p.run_until(secs(10), |p| p
        .a_events
        .contains(&Event::Registered { expires: 3600 })));
    // RFC 3665 §2.1: REGISTER, 401, REGISTER with credentials, 200.
    assert_eq!(
        p.ladder(),
        [
            "A>B REGISTER",
            "B>A 401 REGISTER",
            "A>B REGISTER",
            "B>A 200 REGISTER"
        ]
    );
}

#[test]
fn registration_with_md5_digest() {
    registration(Algorithm::Md5);
}

#[test]
fn registration_with_sha256_digest() {
    registration(Algorithm::Sha256);
}

#[test]
fn registration_with_wrong_password_fails() {
    let mut p = Pair::new(TransportKind::Udp, Instant::now()).with_registrar(Algorithm::Md5);
    if let Some(r) = p.registrar.as_mut() {
        r.users[0].1 = "other".into();
    }
    let now = p.now;
    p.a.register(now, 600);
    assert!(p.run_until(secs(10), |p| p
        .a_events
        .contains(&Event::RegistrationFailed { code: 403 })));
}

#[test]
fn successful_call_then_bye_from_caller() {
    let mut p = Pair::new(TransportKind::Udp, Instant::now());
    let (a_call, b_call) = establish(&mut p);
    assert!(p.a_events.contains(&Event::Progress {
        call: a_call,
        code: 180,
        sdp: None
    }));
    assert!(p.a_events.contains(&Event::Answered {
        call: a_call,
        sdp: Some(SDP_B.to_vec())
    }));
    let offered = p.b_events.iter().find_map(|e| match e {
        Event::IncomingCall { sdp, from, .. } => Some((sdp.clone(), from.clone())),
        _ => None,
    });
    let (sdp, from) = offered.unwrap();
    assert_eq!(sdp.as_deref(), Some(SDP_A));
    assert!(from.contains("sip:alice@a.example.com"));
    let now = p.now;
    p.a.bye(now, a_call);
    assert!(
        p.run_until(secs(5), |p| p.a_events.contains(&Event::Terminated {
            call: a_call,
            by_peer: false
        }))
    );
    assert!(p.b_events.contains(&Event::Terminated {
        call: b_call,
        by_peer: true
    }));
    // RFC 3665 §3.1 ladder.
    assert_eq!(
        p.ladder(),
        [
            "A>B INVITE",
            "B>A 100 INVITE",
            "B>A 180 INVITE",
            "B>A 200 INVITE",
            "A>B ACK",
            "A>B BYE",
            "B>A 200 BYE"
        ]
    );
    p.run_for(secs(40));
    assert!(
        p.a.is_idle() && p.b.is_idle(),
        "all transactions end (timers K, J, ...)"
    );
}

#[test]
fn bye_from_callee() {
    let mut p = Pair::new(TransportKind::Tcp, Instant::now());
    let (a_call, b_call) = establish(&mut p);
    let now = p.now;
    p.b.bye(now, b_call);
    assert!(
        p.run_until(secs(5), |p| p.b_events.contains(&Event::Terminated {
            call: b_call,
            by_peer: false
        }))
    );
    assert!(p.a_events.contains(&Event::Terminated {
        call: a_call,
        by_peer: true
    }));
    assert_eq!(p.ladder()[p.log.len() - 2..], ["B>A BYE", "A>B 200 BYE"]);
}

#[test]
fn caller_cancels_an_unanswered_call() {
    // RFC 3665 §3.8 (no answer: the caller gives up with CANCEL).
    let mut p = Pair::new(TransportKind::Udp, Instant::now());
    let now = p.now;
    let a_call = p.a.invite(now, BOB, Some(SDP_A.to_vec()));
    assert!(p.run_until(secs(5), |p| incoming(p).is_some()));
    let b_call = incoming(&p).unwrap();
    let now = p.now;
    p.b.ringing(now, b_call, None);
    assert!(p.run_until(secs(5), |p| p
        .a_events
        .iter()
        .any(|e| matches!(e, Event::Progress { .. }))));
    p.run_for(secs(20)); // nobody answers
    let now = p.now;
    p.a.cancel(now, a_call);
    assert!(p.run_until(secs(5), |p| p
        .a_events
        .iter()
        .any(|e| matches!(e, Event::Failed { code: 487, .. }))));
    assert!(p.b_events.contains(&Event::Cancelled { call: b_call }));
    p.run_for(secs(1));
    assert_eq!(
        p.ladder(),
        [
            "A>B INVITE",
            "B>A 100 INVITE",
            "B>A 180 INVITE",
            "A>B CANCEL",
            "B>A 200 CANCEL",
            "B>A 487 INVITE",
            "A>B ACK"
        ]
    );
    p.run_for(secs(40));
    assert!(p.a.is_idle() && p.b.is_idle());
}

#[test]
fn cancel_waits_for_a_provisional() {
    let mut p = Pair::new(TransportKind::Udp, Instant::now());
    p.latency = Duration::from_millis(100);
    let now = p.now;
    let a_call = p.a.invite(now, BOB, None);
    p.a.cancel(now, a_call); // before any provisional: deferred (RFC 3261 §9.1)
    p.drain();
    assert!(p.run_until(secs(5), |p| p
        .a_events
        .iter()
        .any(|e| matches!(e, Event::Failed { code: 487, .. }))));
    let invite = p.log.iter().position(|l| l == "B>A 100 INVITE").unwrap();
    let cancel = p.log.iter().position(|l| l == "A>B CANCEL").unwrap();
    assert!(cancel > invite);
}

#[test]
fn a_refusal_code_in_the_reason_header_reaches_the_caller() {
    // Our relay's 403 names its stable code in an RFC 3326 Reason element.
    use callcard_shared::refusal::RefusalCode;
    let mut p = Pair::new(TransportKind::Udp, Instant::now());
    let now = p.now;
    let a_call = p.a.invite(now, BOB, Some(SDP_A.to_vec()));
    assert!(p.run_until(secs(5), |p| incoming(p).is_some()));
    let now = p.now;
    let b_call = incoming(&p).unwrap();
    let code = RefusalCode::new("limit-concurrent").with("n", 3);
    let reason = format!("SIP;cause=403, {}", code.to_reason_header(403));
    p.b.reject_with(
        now,
        b_call,
        403,
        "Limit: 3 concurrent calls",
        vec![(HeaderName::Reason, reason)],
    );
    assert!(
        p.run_until(secs(5), |p| p.a_events.contains(&Event::Failed {
            call: a_call,
            code: 403,
            reason: "Limit: 3 concurrent calls".into(),
            refusal: Some(code.clone())
        }))
    );
}

#[test]
fn busy_callee() {
    // RFC 3665 §3.6.
    let mut p = Pair::new(TransportKind::Udp, Instant::now());
    let now = p.now;
    let a_call = p.a.invite(now, BOB, Some(SDP_A.to_vec()));
    assert!(p.run_until(secs(5), |p| incoming(p).is_some()));
    let now = p.now;
    let b_call = incoming(&p).unwrap();
    p.b.reject(now, b_call, 486);
    assert!(
        p.run_until(secs(5), |p| p.a_events.contains(&Event::Failed {
            call: a_call,
            code: 486,
            reason: "Busy Here".into(),
            refusal: None
        }))
    );
    p.run_for(secs(1));
    assert_eq!(
        p.ladder(),
        ["A>B INVITE", "B>A 100 INVITE", "B>A 486 INVITE", "A>B ACK"]
    );
}

#[test]
fn unreachable_callee_times_out_with_408_after_retransmissions() {
    let mut p = Pair::new(TransportKind::Udp, Instant::now());
    p.drop = Box::new(|from, _| from == Side::A); // nothing from A arrives
    let t0 = p.now;
    let a_call = p.a.invite(t0, BOB, None);
    assert!(p.run_until(secs(40), |p| p
        .a_events
        .iter()
        .any(|e| matches!(e, Event::Failed { code: 408, .. }))));
    assert_eq!(p.now - t0, secs(32), "Timer B = 64*T1");
    assert!(p.a_events.contains(&Event::Failed {
        call: a_call,
        code: 408,
        reason: "Request Timeout".into(),
        refusal: None
    }));
}

#[test]
fn invite_retransmits_on_timer_a_until_answered() {
    let mut p = Pair::new(TransportKind::Udp, Instant::now());
    let mut dropped = 0;
    p.drop = Box::new(move |from, bytes| {
        let first_invites = from == Side::A && bytes.starts_with(b"INVITE") && dropped < 2;
        if first_invites {
            dropped += 1;
        }
        first_invites
    });
    establish(&mut p);
    assert_eq!(count(&p, "A>B INVITE"), 1, "two lost, the third arrives");
    assert!(p.now - Instant::now() >= Duration::from_millis(1500));
}

#[test]
fn tcp_never_retransmits() {
    let mut p = Pair::new(TransportKind::Tcp, Instant::now());
    p.latency = secs(2); // slower than T1: UDP would retransmit
    establish(&mut p);
    assert_eq!(count(&p, "A>B INVITE"), 1);
    assert_eq!(count(&p, "B>A 200 INVITE"), 1);
}

#[test]
fn lost_2xx_is_retransmitted_by_the_callee_until_ack() {
    let mut p = Pair::new(TransportKind::Udp, Instant::now());
    let mut dropped = false;
    p.drop = Box::new(move |from, bytes| {
        let hit = from == Side::B && !dropped && bytes.starts_with(b"SIP/2.0 200");
        dropped |= hit;
        hit
    });
    let (a_call, _) = establish(&mut p);
    assert!(p
        .a_events
        .iter()
        .any(|e| matches!(e, Event::Answered { call, .. } if *call == a_call)));
    assert_eq!(count(&p, "B>A 200 INVITE"), 1, "the retransmission arrived");
    assert_eq!(count(&p, "A>B ACK"), 1);
}

#[test]
fn unacknowledged_2xx_ends_with_bye_after_64_t1() {
    let mut p = Pair::new(TransportKind::Udp, Instant::now());
    p.drop = Box::new(|from, bytes| from == Side::A && bytes.starts_with(b"ACK"));
    let now = p.now;
    p.a.invite(now, BOB, None);
    assert!(p.run_until(secs(5), |p| incoming(p).is_some()));
    let b_call = incoming(&p).unwrap();
    let now = p.now;
    p.b.accept(now, b_call, Some(SDP_B.to_vec()));
    assert!(p.run_until(secs(60), |p| p.log.iter().any(|l| l == "B>A BYE")));
    assert!(
        count(&p, "B>A 200 INVITE") >= 7,
        "retransmitted at T1, 2T1, 4T1, T2..."
    );
    assert!(!p.b_events.contains(&Event::Confirmed { call: b_call }));
}

#[test]
fn hold_with_reinvite_sendonly() {
    let mut p = Pair::new(TransportKind::Udp, Instant::now());
    let (a_call, b_call) = establish(&mut p);
    let hold = String::from_utf8(SDP_A.to_vec())
        .unwrap()
        .replace("sendrecv", "sendonly");
    let now = p.now;
    p.a.reinvite(now, a_call, Some(hold.clone().into_bytes()));
    assert!(p.run_until(secs(5), |p| p
        .b_events
        .iter()
        .any(|e| matches!(e, Event::RemoteOffer { .. }))));
    assert!(p.b_events.contains(&Event::RemoteOffer {
        call: b_call,
        method: Method::Invite,
        sdp: Some(hold.into_bytes())
    }));
    let held = String::from_utf8(SDP_B.to_vec())
        .unwrap()
        .replace("sendrecv", "recvonly");
    let now = p.now;
    p.b.accept(now, b_call, Some(held.clone().into_bytes()));
    assert!(p.run_until(secs(5), |p| p
        .a_events
        .iter()
        .any(|e| matches!(e, Event::Modified { .. }))));
    assert!(p.a_events.contains(&Event::Modified {
        call: a_call,
        code: 200,
        sdp: Some(held.into_bytes())
    }));
    p.run_for(secs(1));
    assert_eq!(
        p.ladder()[p.log.len() - 3..],
        ["A>B INVITE", "B>A 200 INVITE", "A>B ACK"]
    );
    assert_eq!(p.a.dialog(a_call).unwrap().local_seq, 2);
    assert_eq!(p.b.dialog(b_call).unwrap().remote_seq, Some(2));
}

#[test]
fn hold_with_update_and_rejected_offer() {
    let mut p = Pair::new(TransportKind::Udp, Instant::now());
    let (a_call, b_call) = establish(&mut p);
    let now = p.now;
    p.b.update(now, b_call, Some(SDP_B.to_vec()));
    assert!(p.run_until(secs(5), |p| p.a_events.iter().any(|e| matches!(
        e,
        Event::RemoteOffer {
            method: Method::Update,
            ..
        }
    ))));
    let now = p.now;
    p.a.reject(now, a_call, 488);
    assert!(
        p.run_until(secs(5), |p| p.b_events.contains(&Event::Modified {
            call: b_call,
            code: 488,
            sdp: None
        }))
    );
    assert!(
        p.a.dialog(a_call).is_some(),
        "a rejected offer keeps the call"
    );
    let now = p.now;
    p.b.update(now, b_call, Some(SDP_B.to_vec()));
    assert!(p.run_until(secs(5), |p| p
        .a_events
        .iter()
        .filter(|e| matches!(e, Event::RemoteOffer { .. }))
        .count()
        == 2));
    let now = p.now;
    p.a.accept(now, a_call, Some(SDP_A.to_vec()));
    assert!(
        p.run_until(secs(5), |p| p.b_events.contains(&Event::Modified {
            call: b_call,
            code: 200,
            sdp: Some(SDP_A.to_vec())
        }))
    );
}

#[test]
fn info_carries_dtmf() {
    let mut p = Pair::new(TransportKind::Udp, Instant::now());
    let (a_call, b_call) = establish(&mut p);
    let now = p.now;
    let id =
        p.a.info(
            now,
            a_call,
            "application/dtmf-relay",
            b"Signal=5\r\nDuration=160\r\n".to_vec(),
        )
        .unwrap();
    assert!(p.run_until(secs(5), |p| p.a_events.iter().any(
        |e| matches!(e, Event::Response { id: i, response } if *i == id && response.code == 200)
    )));
    assert!(p.b_events.contains(&Event::Info {
        call: b_call,
        content_type: Some("application/dtmf-relay".into()),
        body: b"Signal=5\r\nDuration=160\r\n".to_vec()
    }));
}

#[test]
fn refer_transfer_reports_progress_with_sipfrag_notify() {
    let mut p = Pair::new(TransportKind::Udp, Instant::now());
    let (a_call, b_call) = establish(&mut p);
    let now = p.now;
    let id = p.a.refer(now, a_call, "sip:carol@c.example.com").unwrap();
    assert!(p.run_until(secs(5), |p| p
        .b_events
        .iter()
        .any(|e| matches!(e, Event::Refer { .. }))));
    assert!(p.b_events.contains(&Event::Refer {
        call: b_call,
        refer_to: "sip:carol@c.example.com".into()
    }));
    assert!(p.run_until(secs(5), |p| p.a_events.iter().any(
        |e| matches!(e, Event::Response { id: i, response } if *i == id && response.code == 202)
    )));
    let now = p.now;
    p.b.notify_transfer(now, b_call, 100, "Trying");
    assert!(
        p.run_until(secs(5), |p| p.a_events.contains(&Event::TransferProgress {
            call: a_call,
            code: 100,
            reason: "Trying".into()
        }))
    );
    let now = p.now;
    p.b.notify_transfer(now, b_call, 200, "OK");
    assert!(
        p.run_until(secs(5), |p| p.a_events.contains(&Event::TransferProgress {
            call: a_call,
            code: 200,
            reason: "OK".into()
        }))
    );
    assert_eq!(count(&p, "B>A NOTIFY"), 2);
}

#[test]
fn options_outside_a_dialog() {
    let mut p = Pair::new(TransportKind::Udp, Instant::now());
    let now = p.now;
    let id = p.a.options(now, BOB);
    assert!(p.run_until(secs(5), |p| p.a_events.iter().any(|e| matches!(e, Event::Response { id: i, response } if *i == id && response.code == 200 && response.first(HeaderName::Accept) == Some("application/sdp")))));
}

#[test]
fn glare_gets_491_and_both_retry_after_rfc_backoff() {
    let mut p = Pair::new(TransportKind::Udp, Instant::now());
    let (a_call, b_call) = establish(&mut p);
    let now = p.now;
    p.a.reinvite(now, a_call, Some(SDP_A.to_vec()));
    p.b.reinvite(now, b_call, Some(SDP_B.to_vec()));
    assert!(
        p.run_until(secs(1), |p| p.a.glare_retry_at(a_call).is_some()
            && p.b.glare_retry_at(b_call).is_some())
    );
    // RFC 3261 §14.1: the Call-ID owner (alice) waits 2.1–4 s, the other 0–2 s.
    let a_wait = p.a.glare_retry_at(a_call).unwrap() - now;
    let b_wait = p.b.glare_retry_at(b_call).unwrap() - now;
    assert!(
        a_wait >= Duration::from_millis(2100) && a_wait <= secs(5),
        "{a_wait:?}"
    );
    assert!(b_wait <= Duration::from_millis(2100), "{b_wait:?}");
    assert_eq!(count(&p, "B>A 491 INVITE") + count(&p, "A>B 491 INVITE"), 2);
    // Bob retries first; alice answers; then alice retries and bob answers.
    assert!(p.run_until(secs(10), |p| p
        .a_events
        .iter()
        .any(|e| matches!(e, Event::RemoteOffer { .. }))));
    let now = p.now;
    p.a.accept(now, a_call, Some(SDP_A.to_vec()));
    assert!(p.run_until(secs(10), |p| p
        .b_events
        .iter()
        .any(|e| matches!(e, Event::RemoteOffer { .. }))));
    let now = p.now;
    p.b.accept(now, b_call, Some(SDP_B.to_vec()));
    assert!(p.run_until(secs(10), |p| p
        .a_events
        .iter()
        .any(|e| matches!(e, Event::Modified { code: 200, .. }))
        && p.b_events
            .iter()
            .any(|e| matches!(e, Event::Modified { code: 200, .. }))));
}

#[test]
fn forked_early_dialogs_and_a_second_2xx_is_acked_and_byed() {
    // One endpoint against a scripted forking proxy.
    let mut p = Pair::new(TransportKind::Udp, Instant::now());
    let now = p.now;
    let call = p.a.invite(now, BOB, Some(SDP_A.to_vec()));
    let t = p.a.poll_transmit().unwrap();
    let SipMessage::Request(invite) = parse(&t.bytes).unwrap().to_owned() else {
        panic!()
    };
    let from = Remote {
        addr: "b",
        transport: TransportKind::Udp,
    };
    let fork = |code: u16, tag: &str, contact: &str| {
        let mut r = response_to(&invite, code, if code == 180 { "Ringing" } else { "OK" });
        add_to_tag(&mut r, tag);
        r.headers.push(HeaderName::Contact, format!("<{contact}>"));
        r.headers.push(
            HeaderName::RecordRoute,
            "<sip:p1.example.com;lr>, <sip:p2.example.com;lr>",
        );
        r.to_bytes()
    };
    p.a.handle_input(now, from.clone(), &fork(180, "f1", "sip:bob@phone1"))
        .unwrap();
    p.a.handle_input(now, from.clone(), &fork(180, "f2", "sip:bob@phone2"))
        .unwrap();
    let early = p.a.early_dialogs(call);
    assert_eq!(early.len(), 2);
    assert_eq!(early[1].remote_target, "sip:bob@phone2");
    assert_eq!(
        early[0].route_set,
        ["<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>"],
        "reversed Record-Route"
    );
    p.a.handle_input(now, from.clone(), &fork(200, "f1", "sip:bob@phone1"))
        .unwrap();
    let ack = p.a.poll_transmit().unwrap();
    let ack = parse(&ack.bytes).unwrap();
    assert_eq!(ack.method(), Some(Method::Ack));
    assert_eq!(ack.request_uri(), Some("sip:bob@phone1"));
    assert_eq!(
        ack.routes().map(|r| r.uri.to_owned()).collect::<Vec<_>>(),
        ["sip:p2.example.com;lr", "sip:p1.example.com;lr"]
    );
    // Retransmitted 2xx: ACK again.
    p.a.handle_input(now, from.clone(), &fork(200, "f1", "sip:bob@phone1"))
        .unwrap();
    assert_eq!(
        parse(&p.a.poll_transmit().unwrap().bytes).unwrap().method(),
        Some(Method::Ack)
    );
    // The other fork answers too: ACK it and BYE it (RFC 3261 §13.2.2.4).
    p.a.handle_input(now, from, &fork(200, "f2", "sip:bob@phone2"))
        .unwrap();
    let out: Vec<_> = std::iter::from_fn(|| p.a.poll_transmit()).collect();
    let methods: Vec<_> = out
        .iter()
        .map(|t| parse(&t.bytes).unwrap().method().unwrap())
        .collect();
    assert_eq!(methods, [Method::Ack, Method::Bye]);
    let bye = parse(&out[1].bytes).unwrap();
    assert_eq!(bye.request_uri(), Some("sip:bob@phone2"));
    assert_eq!(bye.hdr_to().unwrap().tag(), Some("f2"));
    assert_eq!(
        p.a.dialog(call).unwrap().id.remote_tag,
        "f1",
        "the first answer keeps the call"
    );
}

#[test]
fn stray_in_dialog_requests_get_481_and_old_cseq_500() {
    let mut p = Pair::new(TransportKind::Udp, Instant::now());
    let (a_call, _) = establish(&mut p);
    let d = p.a.dialog(a_call).unwrap().clone();
    let mut bye = d.clone().request(
        Method::Bye,
        "SIP/2.0/UDP a.example.com;branch=z9hG4bKstray1",
        "",
    );
    bye.headers.set(HeaderName::CallId, "nope");
    let now = p.now;
    p.b.handle_input(
        now,
        Remote {
            addr: "a",
            transport: TransportKind::Udp,
        },
        &bye.to_bytes(),
    )
    .unwrap();
    let r = p.b.poll_transmit().unwrap();
    assert_eq!(parse(&r.bytes).unwrap().status(), Some(481));
    let mut old = d.clone();
    old.local_seq = 0; // reuses CSeq 1, which the INVITE had
    let info = old.request(
        Method::Info,
        "SIP/2.0/UDP a.example.com;branch=z9hG4bKstray2",
        "",
    );
    p.b.handle_input(
        now,
        Remote {
            addr: "a",
            transport: TransportKind::Udp,
        },
        &info.to_bytes(),
    )
    .unwrap();
    assert_eq!(
        parse(&p.b.poll_transmit().unwrap().bytes).unwrap().status(),
        Some(500)
    );
}

#[test]
fn unsupported_require_is_answered_420_by_the_endpoint() {
    let mut p = Pair::new(TransportKind::Udp, Instant::now());
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/testdata/rfc4475/bext01.dat"
    ))
    .unwrap();
    let now = p.now;
    p.b.handle_input(
        now,
        Remote {
            addr: "a",
            transport: TransportKind::Udp,
        },
        &bytes,
    )
    .unwrap();
    let r = p.b.poll_transmit().unwrap();
    let m = parse(&r.bytes).unwrap();
    assert_eq!(m.status(), Some(420));
    assert_eq!(
        m.first(HeaderName::Unsupported),
        Some("nothingSupportsThis, nothingSupportsThisEither")
    );
    // And a malformed message is an error, not a panic or a reply.
    assert!(p
        .b
        .handle_input(
            now,
            Remote {
                addr: "a",
                transport: TransportKind::Udp
            },
            b"INVITE sip:x SIP/3.0\r\n\r\n"
        )
        .is_err());
    assert!(p.b.poll_transmit().is_none());
}
