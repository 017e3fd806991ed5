//! Every RFC 3261 §17 timer path, driven by a fake clock advanced to
//! `poll_timeout()`; no sleeps, no sockets.

use callcard_shared::sip::transaction::{
    ClientInvite, ClientNonInvite, ServerInvite, ServerNonInvite, State, Timer, TimerConfig,
    Timers, TxEvent, TxKey,
};
use callcard_shared::sip::{parse, HeaderMap, HeaderName, Method, Request, Response, SipMessage};
use callcard_shared::time::Duration;
use callcard_shared::Instant;

fn req(method: Method, branch: &str) -> Request {
    let mut r = Request::new(method.clone(), "sip:bob@biloxi.example.com");
    r.headers.push(
        HeaderName::Via,
        format!("SIP/2.0/UDP pc33.atlanta.example.com;branch={branch}"),
    );
    r.headers.push(HeaderName::MaxForwards, "70");
    r.headers
        .push(HeaderName::Route, "<sip:ss1.example.com;lr>");
    r.headers.push(
        HeaderName::From,
        "Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
    );
    r.headers
        .push(HeaderName::To, "Bob <sip:bob@biloxi.example.com>");
    r.headers.push(
        HeaderName::CallId,
        "3848276298220188511@atlanta.example.com",
    );
    r.headers.push(HeaderName::CSeq, format!("1 {method}"));
    r.headers.push(HeaderName::ContentLength, "0");
    r
}

fn resp(r: &Request, code: u16) -> Response {
    let mut x = callcard_shared::sip::transaction::response_to(r, code, "X");
    callcard_shared::sip::transaction::add_to_tag(&mut x, "314159");
    x
}

fn drain<F: FnMut() -> Option<Vec<u8>>>(mut f: F) -> Vec<Vec<u8>> {
    std::iter::from_fn(&mut f).collect()
}

const T1: Duration = Duration::from_millis(500);

#[test]
fn invite_retransmits_on_timer_a_doubling_without_cap_then_times_out_on_b() {
    let t0 = Instant::now();
    let mut tx = ClientInvite::new(
        t0,
        req(Method::Invite, "z9hG4bK1"),
        false,
        TimerConfig::default(),
    );
    assert_eq!(drain(|| tx.poll_transmit()).len(), 1);
    let mut now = t0;
    let mut gaps = Vec::new();
    loop {
        let (timer, at) = tx.next_timer().unwrap();
        gaps.push((timer, at - now));
        now = at;
        tx.handle_timeout(now);
        if tx.state() == State::Terminated {
            break;
        }
        assert_eq!(
            drain(|| tx.poll_transmit()).len(),
            1,
            "retransmit on {timer:?}"
        );
    }
    // A at 0.5, 1, 2, 4, 8, 16 s (cumulative 31.5 s), then B at 32 s.
    let a: Vec<_> = gaps
        .iter()
        .filter(|(t, _)| *t == Timer::A)
        .map(|(_, d)| *d)
        .collect();
    assert_eq!(a, [T1, T1 * 2, T1 * 4, T1 * 8, T1 * 16, T1 * 32]);
    assert_eq!(gaps.last().unwrap().0, Timer::B);
    assert_eq!(now - t0, T1 * 64);
    assert_eq!(tx.poll_event(), Some(TxEvent::Timeout));
    assert_eq!(tx.poll_timeout(), None);
}

#[test]
fn invite_over_reliable_transport_never_retransmits() {
    let t0 = Instant::now();
    let mut tx = ClientInvite::new(
        t0,
        req(Method::Invite, "z9hG4bK1"),
        true,
        TimerConfig::default(),
    );
    let _ = tx.poll_transmit();
    assert_eq!(tx.next_timer().unwrap(), (Timer::B, t0 + T1 * 64));
    tx.handle_timeout(t0 + T1 * 64);
    assert_eq!(tx.poll_transmit(), None);
    assert_eq!(tx.poll_event(), Some(TxEvent::Timeout));
}

#[test]
fn provisional_stops_timer_a_and_non_2xx_is_acked_inside_the_transaction_until_timer_d() {
    let t0 = Instant::now();
    let invite = req(Method::Invite, "z9hG4bKabc");
    let mut tx = ClientInvite::new(t0, invite.clone(), false, TimerConfig::default());
    let _ = tx.poll_transmit();
    tx.handle_response(t0, resp(&invite, 180));
    assert_eq!(tx.state(), State::Proceeding);
    assert_eq!(tx.poll_timeout(), None, "no A/B once Proceeding");
    assert!(matches!(tx.poll_event(), Some(TxEvent::Response(r)) if r.code == 180));
    tx.handle_response(t0, resp(&invite, 486));
    assert_eq!(tx.state(), State::Completed);
    let ack = tx.poll_transmit().unwrap();
    let ack = parse(&ack).unwrap();
    assert_eq!(ack.method(), Some(Method::Ack));
    assert_eq!(ack.request_uri(), Some("sip:bob@biloxi.example.com"));
    assert_eq!(
        ack.top_via().unwrap().branch(),
        Some("z9hG4bKabc"),
        "same branch as the INVITE"
    );
    assert_eq!(
        ack.hdr_to().unwrap().tag(),
        Some("314159"),
        "To from the response"
    );
    assert_eq!(ack.cseq().unwrap().method, "ACK");
    assert_eq!(ack.cseq().unwrap().seq, 1);
    assert_eq!(ack.routes().count(), 1);
    assert!(matches!(tx.poll_event(), Some(TxEvent::Response(r)) if r.code == 486));
    // A retransmitted 486 is ACKed again but not passed up.
    tx.handle_response(t0, resp(&invite, 486));
    assert!(tx.poll_transmit().is_some());
    assert_eq!(tx.poll_event(), None);
    let (timer, at) = tx.next_timer().unwrap();
    assert_eq!((timer, at - t0), (Timer::D, Duration::from_secs(32)));
    tx.handle_timeout(at);
    assert_eq!(tx.state(), State::Terminated);
}

#[test]
fn timer_d_is_zero_on_reliable_transports() {
    let t0 = Instant::now();
    let invite = req(Method::Invite, "z9hG4bKabc");
    let mut tx = ClientInvite::new(t0, invite.clone(), true, TimerConfig::default());
    tx.handle_response(t0, resp(&invite, 503));
    assert_eq!(tx.next_timer(), Some((Timer::D, t0)));
}

#[test]
fn invite_2xx_terminates_and_passes_up() {
    let t0 = Instant::now();
    let invite = req(Method::Invite, "z9hG4bKabc");
    let mut tx = ClientInvite::new(t0, invite.clone(), false, TimerConfig::default());
    let _ = tx.poll_transmit();
    tx.handle_response(t0, resp(&invite, 200));
    assert_eq!(tx.state(), State::Terminated);
    assert_eq!(
        tx.poll_transmit(),
        None,
        "the 2xx ACK belongs to the dialog"
    );
    assert!(matches!(tx.poll_event(), Some(TxEvent::Response(r)) if r.code == 200));
}

#[test]
fn non_invite_retransmits_on_timer_e_capped_at_t2_and_times_out_on_f() {
    let t0 = Instant::now();
    let mut tx = ClientNonInvite::new(
        t0,
        req(Method::Options, "z9hG4bK2"),
        false,
        TimerConfig::default(),
    );
    let _ = tx.poll_transmit();
    let mut now = t0;
    let mut e = Vec::new();
    while let Some((timer, at)) = tx.next_timer() {
        if timer == Timer::E {
            e.push(at - now);
        }
        now = at;
        tx.handle_timeout(now);
        if timer == Timer::E {
            assert!(tx.poll_transmit().is_some());
        }
    }
    assert_eq!(&e[..5], [T1, T1 * 2, T1 * 4, T1 * 8, T1 * 8]);
    assert!(e.iter().all(|d| *d <= Duration::from_secs(4)));
    assert_eq!(now - t0, T1 * 64, "Timer F");
    assert_eq!(tx.poll_event(), Some(TxEvent::Timeout));
}

#[test]
fn non_invite_in_proceeding_retransmits_every_t2() {
    let t0 = Instant::now();
    let r = req(Method::Bye, "z9hG4bK3");
    let mut tx = ClientNonInvite::new(t0, r.clone(), false, TimerConfig::default());
    let _ = tx.poll_transmit();
    tx.handle_response(t0, resp(&r, 100));
    assert_eq!(tx.state(), State::Proceeding);
    let (_, at) = tx.next_timer().unwrap();
    tx.handle_timeout(at);
    let (timer, at2) = tx.next_timer().unwrap();
    assert_eq!((timer, at2 - at), (Timer::E, Duration::from_secs(4)));
}

#[test]
fn non_invite_final_waits_timer_k_then_terminates() {
    let t0 = Instant::now();
    let r = req(Method::Register, "z9hG4bK4");
    for (reliable, k) in [(false, Duration::from_secs(5)), (true, Duration::ZERO)] {
        let mut tx = ClientNonInvite::new(t0, r.clone(), reliable, TimerConfig::default());
        tx.handle_response(t0, resp(&r, 200));
        assert_eq!(tx.state(), State::Completed);
        assert_eq!(tx.next_timer(), Some((Timer::K, t0 + k)));
        tx.handle_response(t0, resp(&r, 200));
        assert!(matches!(tx.poll_event(), Some(TxEvent::Response(_))));
        assert_eq!(tx.poll_event(), None, "retransmitted final absorbed");
        tx.handle_timeout(t0 + k);
        assert_eq!(tx.state(), State::Terminated);
    }
}

#[test]
fn server_invite_retransmits_final_on_timer_g_and_gives_up_on_h() {
    let t0 = Instant::now();
    let invite = req(Method::Invite, "z9hG4bK5");
    let mut tx = ServerInvite::new(invite.clone(), false, TimerConfig::default());
    tx.send_response(t0, &resp(&invite, 100));
    let _ = tx.poll_transmit();
    // A retransmitted INVITE is answered with the last provisional.
    tx.handle_request(t0, &invite);
    assert!(tx.poll_transmit().is_some());
    tx.send_response(t0, &resp(&invite, 486));
    let _ = tx.poll_transmit();
    let mut now = t0;
    let mut g = Vec::new();
    while let Some((timer, at)) = tx.next_timer() {
        if timer == Timer::G {
            g.push(at - now);
        }
        now = at;
        tx.handle_timeout(now);
        let _ = tx.poll_transmit();
    }
    assert_eq!(&g[..5], [T1, T1 * 2, T1 * 4, T1 * 8, T1 * 8]);
    assert_eq!(now - t0, T1 * 64, "Timer H");
    assert_eq!(tx.poll_event(), Some(TxEvent::NoAck));
    assert_eq!(tx.state(), State::Terminated);
}

#[test]
fn server_invite_ack_confirms_and_timer_i_absorbs_ack_retransmits() {
    let t0 = Instant::now();
    let invite = req(Method::Invite, "z9hG4bK6");
    let mut tx = ServerInvite::new(invite.clone(), false, TimerConfig::default());
    tx.send_response(t0, &resp(&invite, 404));
    let _ = tx.poll_transmit();
    let ack = req(Method::Ack, "z9hG4bK6");
    tx.handle_request(t0 + T1, &ack);
    assert_eq!(tx.state(), State::Confirmed);
    assert_eq!(
        tx.next_timer(),
        Some((Timer::I, t0 + T1 + Duration::from_secs(5)))
    );
    tx.handle_request(t0 + T1 * 2, &ack);
    assert_eq!(tx.poll_transmit(), None);
    tx.handle_timeout(t0 + T1 + Duration::from_secs(5));
    assert_eq!(tx.state(), State::Terminated);
    // Reliable: no G, and I is zero.
    let mut tx = ServerInvite::new(invite.clone(), true, TimerConfig::default());
    tx.send_response(t0, &resp(&invite, 404));
    assert_eq!(tx.next_timer().unwrap().0, Timer::H);
    tx.handle_request(t0, &ack);
    assert_eq!(tx.next_timer(), Some((Timer::I, t0)));
}

#[test]
fn server_non_invite_answers_retransmits_then_timer_j() {
    let t0 = Instant::now();
    let r = req(Method::Options, "z9hG4bK7");
    let mut tx = ServerNonInvite::new(r.clone(), false, TimerConfig::default());
    tx.handle_request(t0, &r);
    assert_eq!(
        tx.poll_transmit(),
        None,
        "retransmission in Trying is discarded"
    );
    tx.send_response(t0, &resp(&r, 200));
    let first = tx.poll_transmit().unwrap();
    tx.handle_request(t0, &r);
    assert_eq!(tx.poll_transmit(), Some(first));
    assert_eq!(tx.next_timer(), Some((Timer::J, t0 + T1 * 64)));
    tx.handle_timeout(t0 + T1 * 64);
    assert_eq!(tx.state(), State::Terminated);
    let mut tx = ServerNonInvite::new(r.clone(), true, TimerConfig::default());
    tx.send_response(t0, &resp(&r, 200));
    assert_eq!(tx.next_timer(), Some((Timer::J, t0)));
}

#[test]
fn t1_t2_t4_are_configurable() {
    let cfg = TimerConfig {
        t1: Duration::from_millis(100),
        t2: Duration::from_millis(300),
        t4: Duration::from_secs(1),
    };
    let t0 = Instant::now();
    let mut tx = ClientNonInvite::new(t0, req(Method::Options, "z9hG4bK8"), false, cfg);
    assert_eq!(
        tx.next_timer(),
        Some((Timer::E, t0 + Duration::from_millis(100)))
    );
    tx.handle_timeout(t0 + Duration::from_millis(100));
    tx.handle_timeout(t0 + Duration::from_millis(300));
    assert_eq!(
        tx.next_timer(),
        Some((Timer::E, t0 + Duration::from_millis(600))),
        "capped at T2"
    );
    let mut inv = ClientInvite::new(t0, req(Method::Invite, "z9hG4bK9"), false, cfg);
    let _ = inv.poll_transmit();
    assert!(inv.poll_timeout().is_some());
    assert_eq!(cfg.timeout(), Duration::from_millis(6400));
}

#[test]
fn server_keys_match_by_branch_or_rfc2543_fallback() {
    let invite = req(Method::Invite, "z9hG4bKkey");
    let ack = req(Method::Ack, "z9hG4bKkey");
    let k = TxKey::for_request(&invite).unwrap();
    assert_eq!(
        TxKey::for_request(&ack).unwrap(),
        k,
        "ACK for non-2xx matches the INVITE"
    );
    let cancel = req(Method::Cancel, "z9hG4bKkey");
    let kc = TxKey::for_request(&cancel).unwrap();
    assert_ne!(kc, k);
    assert_eq!(kc.cancelled_invite(), k);
    assert_ne!(
        TxKey::for_request(&req(Method::Invite, "z9hG4bKother")).unwrap(),
        k
    );
    // RFC 2543: no magic cookie.
    let old = req(Method::Invite, "1234");
    let k_old = TxKey::for_request(&old).unwrap();
    assert!(matches!(k_old, TxKey::Rfc2543 { .. }));
    assert_eq!(
        TxKey::for_request(&req(Method::Ack, "1234")).unwrap(),
        k_old
    );
    let mut other_cseq = req(Method::Invite, "1234");
    other_cseq.headers.set(HeaderName::CSeq, "2 INVITE");
    assert_ne!(TxKey::for_request(&other_cseq).unwrap(), k_old);
    let inv2543 = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/testdata/rfc4475/inv2543.dat"
    ))
    .unwrap();
    let SipMessage::Request(r) = parse(&inv2543).unwrap().to_owned() else {
        panic!()
    };
    assert!(matches!(
        TxKey::for_request(&r),
        Some(TxKey::Rfc2543 { .. })
    ));
    let r200 = resp(&invite, 200);
    assert_eq!(
        TxKey::for_response(&r200),
        Some(("z9hG4bKkey".into(), "INVITE".into()))
    );
}

/// The earliest armed timer comes first; of equal deadlines, the first in
/// RFC order (what a transaction fires first when both are due).
#[test]
fn next_is_the_earliest_and_the_first_of_equals() {
    let t0 = Instant::now();
    let mut ts = Timers::default();
    assert_eq!(ts.next(), None);
    ts.set(Timer::K, t0 + Duration::from_secs(1));
    ts.set(Timer::E, t0 + Duration::from_secs(2));
    assert_eq!(ts.next(), Some((Timer::K, t0 + Duration::from_secs(1))));
    ts.set(Timer::F, t0 + Duration::from_secs(1));
    assert_eq!(ts.next(), Some((Timer::F, t0 + Duration::from_secs(1))));
    assert_eq!(ts.take_expired(t0), None);
    assert_eq!(ts.take_expired(t0 + Duration::from_secs(1)), Some(Timer::F));
    assert_eq!(ts.take_expired(t0 + Duration::from_secs(1)), Some(Timer::K));
    assert_eq!(ts.take_expired(t0 + Duration::from_secs(1)), None);
    assert!(ts.is_set(Timer::E));
}
