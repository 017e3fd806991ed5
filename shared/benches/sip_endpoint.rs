//! The cost of one new INVITE on an [`Endpoint`] that already holds N
//! completed transactions waiting out their timers (a trunk under load: UDP
//! OPTIONS answered 200, each lingering 64*T1 in Completed for Timer J).
//!
//! One iteration is what the relay does per incoming INVITE: `handle_input`,
//! drain `poll_transmit` / `poll_event`, then `poll_timeout`. Only that part
//! is timed; afterwards the call is taken down (200, ACK, BYE over a reliable
//! transport, so the BYE's transaction ends at once) outside the timed
//! region, so the endpoint holds the same N idle transactions every iteration.

use callcard_shared::sip::transaction::TimerConfig;
use callcard_shared::sip::ua::{Config, Endpoint, Event, Remote, TransportKind};
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use std::time::{Duration, Instant};

const TRUNK: Remote<u32> = Remote {
    addr: 1,
    transport: TransportKind::Udp,
};
const TRUNK_TCP: Remote<u32> = Remote {
    addr: 2,
    transport: TransportKind::Tcp,
};

fn config() -> Config<u32> {
    Config {
        aor: "sip:relay@callcard.example".to_owned(),
        display_name: None,
        contact: "sip:relay@192.0.2.1:5060".to_owned(),
        via_host: "192.0.2.1:5060".to_owned(),
        outbound: TRUNK,
        timers: TimerConfig::default(),
        credentials: None,
        user_agent: "callcard-bench".to_owned(),
        limits: Default::default(),
    }
}

fn options(i: u64) -> Vec<u8> {
    format!(
        "OPTIONS sip:relay@192.0.2.1 SIP/2.0\r\n\
Via: SIP/2.0/UDP 198.51.100.40:5060;branch=z9hG4bKopt{i}\r\n\
Max-Forwards: 70\r\n\
From: <sip:trunk@trunk.example.net>;tag=o{i}\r\n\
To: <sip:relay@callcard.example>\r\n\
Call-ID: opt{i}@198.51.100.40\r\n\
CSeq: 1 OPTIONS\r\n\
Content-Length: 0\r\n\r\n"
    )
    .into_bytes()
}

fn invite(i: u64) -> Vec<u8> {
    let sdp = "v=0\r\no=- 1 1 IN IP4 198.51.100.40\r\ns=-\r\nc=IN IP4 198.51.100.40\r\n\
t=0 0\r\nm=audio 20000 RTP/AVP 8 0 101\r\na=rtpmap:101 telephone-event/8000\r\n";
    format!(
        "INVITE sip:+74951234567@192.0.2.1:5060 SIP/2.0\r\n\
Via: SIP/2.0/UDP 198.51.100.40:5060;branch=z9hG4bKinv{i}\r\n\
Max-Forwards: 70\r\n\
From: <sip:+14155550123@trunk.example.net>;tag=f{i}\r\n\
To: <sip:+74951234567@callcard.example>\r\n\
Call-ID: call{i}@198.51.100.40\r\n\
CSeq: 1 INVITE\r\n\
Contact: <sip:+14155550123@198.51.100.40:5060>\r\n\
Content-Type: application/sdp\r\n\
Content-Length: {}\r\n\r\n{sdp}",
        sdp.len()
    )
    .into_bytes()
}

fn in_dialog(i: u64, method: &str, seq: u32, to_tag: &str) -> Vec<u8> {
    format!(
        "{method} sip:relay@192.0.2.1:5060 SIP/2.0\r\n\
Via: SIP/2.0/TCP 198.51.100.40:5060;branch=z9hG4bK{method}{i}\r\n\
Max-Forwards: 70\r\n\
From: <sip:+14155550123@trunk.example.net>;tag=f{i}\r\n\
To: <sip:+74951234567@callcard.example>;tag={to_tag}\r\n\
Call-ID: call{i}@198.51.100.40\r\n\
CSeq: {seq} {method}\r\n\
Content-Length: 0\r\n\r\n"
    )
    .into_bytes()
}

fn drain(ep: &mut Endpoint<u32>) {
    while ep.poll_transmit().is_some() {}
    while ep.poll_event().is_some() {}
}

/// An endpoint holding `n` completed OPTIONS transactions, all in Timer J.
fn loaded(n: u64, now: Instant) -> Endpoint<u32> {
    let mut ep = Endpoint::new(config(), 7);
    for i in 0..n {
        ep.handle_input(now, TRUNK, &options(i)).expect("OPTIONS");
        drain(&mut ep);
    }
    ep
}

fn new_invite(c: &mut Criterion) {
    let mut group = c.benchmark_group("endpoint_new_invite");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(4));
    group.warm_up_time(Duration::from_secs(1));
    for n in [0u64, 1_000, 10_000] {
        let start = Instant::now();
        let now = start + Duration::from_secs(1);
        let mut ep = loaded(n, start);
        let mut next = 0u64;
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter_custom(|iters| {
                let mut timed = Duration::ZERO;
                for _ in 0..iters {
                    next += 1;
                    let bytes = invite(next);
                    let t = Instant::now();
                    ep.handle_input(now, TRUNK, &bytes).expect("INVITE");
                    let mut call = None;
                    while let Some(tx) = ep.poll_transmit() {
                        black_box(tx);
                    }
                    while let Some(e) = ep.poll_event() {
                        if let Event::IncomingCall { call: h, .. } = e {
                            call = Some(h);
                        }
                    }
                    black_box(ep.poll_timeout());
                    timed += t.elapsed();
                    // Untimed: take the call down so the endpoint stays at N.
                    let call = call.expect("IncomingCall");
                    ep.accept(now, call, None);
                    drain(&mut ep);
                    let tag = ep
                        .dialog(call)
                        .map(|d| d.id.local_tag.clone())
                        .expect("dialog");
                    ep.handle_input(now, TRUNK_TCP, &in_dialog(next, "ACK", 1, &tag))
                        .expect("ACK");
                    ep.handle_input(now, TRUNK_TCP, &in_dialog(next, "BYE", 2, &tag))
                        .expect("BYE");
                    ep.handle_timeout(now);
                    drain(&mut ep);
                }
                timed
            })
        });
        assert_eq!(
            ep.poll_timeout(),
            (n > 0).then(|| start + TimerConfig::default().timeout()),
            "the endpoint drifted from its N idle transactions"
        );
    }
    group.finish();
}

criterion_group!(benches, new_invite);
criterion_main!(benches);
