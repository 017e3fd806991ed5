//! An endpoint holding thousands of completed transactions (a trunk under
//! load) still fires each one's timer at its instant, reports the earliest
//! one from `poll_timeout` throughout, and still sends what a transaction
//! touched later (a user's response, a retransmission) has to send.

use callcard_shared::sip::transaction::TimerConfig;
use callcard_shared::sip::ua::{Config, Endpoint, Event, Remote, TransportKind};
use callcard_shared::sip::{parse, SipMessage};
use std::time::{Duration, Instant};

const TRUNK: Remote<u32> = Remote {
    addr: 1,
    transport: TransportKind::Udp,
};
const N: u64 = 2_000;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn config() -> Config<u32> {
    Config {
        aor: "sip:relay@callcard.example".to_owned(),
        display_name: None,
        contact: "sip:relay@192.0.2.1:5060".to_owned(),
        via_host: "192.0.2.1:5060".to_owned(),
        outbound: TRUNK,
        timers: TimerConfig::default(),
        credentials: None,
        user_agent: "callcard-test".to_owned(),
        limits: Default::default(),
    }
}

fn request(method: &str, i: u64, extra: &str) -> Vec<u8> {
    format!(
        "{method} sip:relay@192.0.2.1 SIP/2.0\r\n\
Via: SIP/2.0/UDP 198.51.100.40:5060;branch=z9hG4bK{method}{i}\r\n\
Max-Forwards: 70\r\n\
From: <sip:trunk@trunk.example.net>;tag=f{i}\r\n\
To: <sip:relay@callcard.example>\r\n\
Call-ID: {method}{i}@198.51.100.40\r\n\
CSeq: 1 {method}\r\n\
{extra}Content-Length: 0\r\n\r\n"
    )
    .into_bytes()
}

fn options(i: u64) -> Vec<u8> {
    request("OPTIONS", i, "")
}

/// The status codes of everything queued to send, and the events.
fn drain(ep: &mut Endpoint<u32>) -> (Vec<Vec<u8>>, Vec<Event>) {
    let mut tx = Vec::new();
    while let Some(t) = ep.poll_transmit() {
        assert_eq!(t.to, TRUNK);
        tx.push(t.bytes);
    }
    let mut ev = Vec::new();
    while let Some(e) = ep.poll_event() {
        ev.push(e);
    }
    (tx, ev)
}

fn status(bytes: &[u8]) -> u16 {
    match parse::parse(bytes)
        .expect("our own message parses")
        .to_owned()
    {
        SipMessage::Response(r) => r.code,
        SipMessage::Request(r) => panic!("sent a request: {}", r.method),
    }
}

#[test]
fn thousands_of_completed_transactions_fire_at_their_instants() {
    let t0 = Instant::now();
    let j = TimerConfig::default().timeout(); // Timer J, 64*T1 over UDP.
    let mut ep = Endpoint::new(config(), 42);

    // N OPTIONS, one a millisecond: each answered 200 and left in Completed.
    let mut first_200 = Vec::new();
    for i in 0..N {
        ep.handle_input(t0 + ms(i), TRUNK, &options(i)).unwrap();
        let (tx, ev) = drain(&mut ep);
        assert!(ev.is_empty());
        assert_eq!(tx.len(), 1);
        assert_eq!(status(&tx[0]), 200);
        first_200.push(tx[0].clone());
        assert_eq!(ep.poll_timeout(), Some(t0 + j), "after OPTIONS {i}");
    }

    // A request the user answers later, and an INVITE the user rejects.
    ep.handle_input(t0 + ms(N), TRUNK, &request("MESSAGE", 0, ""))
        .unwrap();
    let (tx, ev) = drain(&mut ep);
    assert!(tx.is_empty());
    let [Event::Request { id, .. }] = ev[..] else {
        panic!("{ev:?}")
    };
    let invite = request("INVITE", 0, "Contact: <sip:trunk@198.51.100.40:5060>\r\n");
    ep.handle_input(t0 + ms(N), TRUNK, &invite).unwrap();
    let (tx, ev) = drain(&mut ep);
    assert_eq!(tx.iter().map(|b| status(b)).collect::<Vec<_>>(), [100]);
    let [Event::IncomingCall { call, .. }] = ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(ep.poll_timeout(), Some(t0 + j));

    // Nothing is due before the first Timer J: a timeout there is a no-op.
    ep.handle_timeout(t0 + ms(10_000));
    assert_eq!(drain(&mut ep), (vec![], vec![]));

    // The user answers the MESSAGE 10 s later: the 200 goes out.
    let at = t0 + ms(10_000);
    let resp = ep.response_for(id, 200, "OK").unwrap();
    ep.respond(at, id, resp);
    let (tx, _) = drain(&mut ep);
    assert_eq!(tx.iter().map(|b| status(b)).collect::<Vec<_>>(), [200]);
    let message_j = at + j;

    // The user rejects the INVITE: the 486 is retransmitted on Timer G
    // (T1 doubling to T2) until Timer H, whatever else the endpoint holds.
    let rejected = t0 + ms(11_000);
    ep.reject(rejected, call, 486);
    let (tx, ev) = drain(&mut ep);
    assert_eq!(tx.iter().map(|b| status(b)).collect::<Vec<_>>(), [486]);
    assert!(ev.is_empty());
    let mut g = Vec::new();
    let mut interval = ms(500);
    let mut next = rejected + interval;
    while next < rejected + j {
        g.push(next);
        interval = (interval * 2).min(ms(4_000));
        next += interval;
    }
    let h = rejected + j;

    // A retransmitted OPTIONS is answered with the same 200 (absorbed by its
    // transaction, which is touched without changing its timer).
    ep.handle_input(t0 + ms(11_200), TRUNK, &options(500))
        .unwrap();
    let (tx, _) = drain(&mut ep);
    assert_eq!(tx, [first_200[500].clone()]);
    assert_eq!(ep.poll_timeout(), Some(g[0]));

    // Every instant at which something is due, in order: the G
    // retransmissions, the N Timer J, the MESSAGE's J and Timer H.
    let mut expected: Vec<(Instant, &str)> = g.iter().map(|t| (*t, "G")).collect();
    expected.extend((0..N).map(|i| (t0 + ms(i) + j, "J")));
    expected.push((message_j, "J"));
    expected.push((h, "H"));
    expected.sort();
    let mut fired = 0;
    let mut i = 0;
    while i < expected.len() {
        let at = expected[i].0;
        assert_eq!(ep.poll_timeout(), Some(at), "step {i}");
        // Just before: nothing.
        ep.handle_timeout(at - ms(1) / 2);
        assert_eq!(drain(&mut ep), (vec![], vec![]));
        ep.handle_timeout(at);
        let (tx, ev) = drain(&mut ep);
        assert!(ev.is_empty());
        let mut want = Vec::new();
        while i < expected.len() && expected[i].0 == at {
            match expected[i].1 {
                "G" => want.push(486),
                _ => fired += 1,
            }
            i += 1;
        }
        assert_eq!(
            tx.iter().map(|b| status(b)).collect::<Vec<_>>(),
            want,
            "at {:?}",
            at - t0
        );
        if at == t0 + ms(500) + j {
            // OPTIONS 500's transaction is gone: the same request is new now,
            // so it gets a fresh 200 (another To tag) and its own Timer J.
            ep.handle_input(at, TRUNK, &options(500)).unwrap();
            let (tx, _) = drain(&mut ep);
            assert_eq!(tx.len(), 1);
            assert_eq!(status(&tx[0]), 200);
            assert_ne!(tx[0], first_200[500]);
            expected.push((at + j, "J"));
            expected.sort();
        }
    }
    assert_eq!(fired, N + 2 + 1, "every J and H fired");
    assert_eq!(ep.poll_timeout(), None);
    assert!(ep.is_idle());
}
