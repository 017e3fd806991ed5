//! Parse and serialize throughput over a corpus of realistic messages
//! (REGISTER with auth, INVITE with a WebRTC SDP, 180, 200 OK with SDP, BYE),
//! side by side with `rsip` on the same bytes. Besides criterion's output it
//! writes messages/s and the ratio to `<target>/bench-figures/sip_parse.txt`.

use callcard_shared::sip;
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use rsip::message::HasHeaders;
use std::time::{Duration, Instant};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

fn corpus() -> Vec<(&'static str, Vec<u8>)> {
    let register = b"REGISTER sip:callcard.example SIP/2.0\r\n\
Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKnashds7;rport\r\n\
Max-Forwards: 70\r\n\
To: \"Agent Smith\" <sip:agent.smith@callcard.example>\r\n\
From: \"Agent Smith\" <sip:agent.smith@callcard.example>;tag=a73kszlfl\r\n\
Call-ID: 1j9FpLxk3uxtm8tn@df7jal23ls0d.invalid\r\n\
CSeq: 2 REGISTER\r\n\
Contact: <sip:q2l5u8lp@df7jal23ls0d.invalid;transport=ws;ob>;+sip.instance=\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\";expires=600\r\n\
Authorization: Digest username=\"agent.smith\", realm=\"callcard.example\", nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\", uri=\"sip:callcard.example\", response=\"dfe56131d1958046689d83306477ecc\", algorithm=MD5, cnonce=\"0a4f113b\", qop=auth, nc=00000001\r\n\
Allow: INVITE,ACK,CANCEL,BYE,UPDATE,MESSAGE,OPTIONS,REFER,INFO,NOTIFY\r\n\
Supported: path,gruu,outbound\r\n\
User-Agent: Callcard softphone\r\n\
Expires: 600\r\n\
Content-Length: 0\r\n\r\n"
        .to_vec();
    let ringing = b"SIP/2.0 180 Ringing\r\n\
Via: SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bKcc1e2f3a4b;rport=5060;received=203.0.113.5\r\n\
Record-Route: <sip:198.51.100.7;lr>,<sip:198.51.100.41;r2=on;lr>,<sip:198.51.100.40;lr>\r\n\
From: <sip:agent@callcard.example>;tag=a73kszlfl\r\n\
To: <sip:+14155550123@trunk.example.net;user=phone>;tag=gK0c5d6e7f\r\n\
Call-ID: 9b7f5d3c1a@203.0.113.5\r\n\
CSeq: 2 INVITE\r\n\
Contact: <sip:+14155550123@198.51.100.40:5060>\r\n\
Content-Length: 0\r\n\r\n"
        .to_vec();
    let bye = b"BYE sip:+14155550123@198.51.100.40:5060 SIP/2.0\r\n\
Via: SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bK776asdhds;rport\r\n\
Max-Forwards: 70\r\n\
Route: <sip:198.51.100.40;lr>,<sip:198.51.100.41;r2=on;lr>,<sip:198.51.100.7;lr>\r\n\
From: <sip:agent@callcard.example>;tag=a73kszlfl\r\n\
To: <sip:+14155550123@trunk.example.net;user=phone>;tag=gK0c5d6e7f\r\n\
Call-ID: 9b7f5d3c1a@203.0.113.5\r\n\
CSeq: 3 BYE\r\n\
Content-Length: 0\r\n\r\n"
        .to_vec();
    vec![
        ("REGISTER+auth", register),
        ("INVITE+WebRTC SDP", fixture("chrome_invite_ws.sip")),
        ("180", ringing),
        ("200+SDP", fixture("trunk_200_ok.sip")),
        ("BYE", bye),
    ]
}

fn parse_callcard(corpus: &[(&str, Vec<u8>)]) -> usize {
    let mut n = 0;
    for (_, m) in corpus {
        let parsed = sip::parse(black_box(m)).expect("callcard parses the corpus");
        n += parsed.headers.len();
        black_box(&parsed);
    }
    n
}

fn parse_rsip(corpus: &[(&str, Vec<u8>)]) -> usize {
    let mut n = 0;
    for (_, m) in corpus {
        let parsed =
            rsip::SipMessage::try_from(black_box(m.as_slice())).expect("rsip parses the corpus");
        n += parsed.headers().iter().count();
        black_box(&parsed);
    }
    n
}

/// Messages per second of `a` and `b` over the corpus, measured in
/// alternating slices so that load from other processes hits both alike.
fn compare(
    corpus: &[(&str, Vec<u8>)],
    budget: Duration,
    mut a: impl FnMut(),
    mut b: impl FnMut(),
) -> (f64, f64) {
    for _ in 0..200 {
        a();
        b();
    }
    let (mut ta, mut tb) = (Duration::ZERO, Duration::ZERO);
    let mut rounds = 0u64;
    let start = Instant::now();
    while start.elapsed() < budget {
        let t = Instant::now();
        for _ in 0..50 {
            a();
        }
        ta += t.elapsed();
        let t = Instant::now();
        for _ in 0..50 {
            b();
        }
        tb += t.elapsed();
        rounds += 50;
    }
    let msgs = (rounds * corpus.len() as u64) as f64;
    (msgs / ta.as_secs_f64(), msgs / tb.as_secs_f64())
}

fn figures(corpus: &[(&str, Vec<u8>)]) {
    let budget = Duration::from_secs(6);
    let (cc_parse, rs_parse) = compare(
        corpus,
        budget,
        || {
            black_box(parse_callcard(corpus));
        },
        || {
            black_box(parse_rsip(corpus));
        },
    );
    let cc_parsed: Vec<_> = corpus.iter().map(|(_, m)| sip::parse(m).unwrap()).collect();
    let rs_parsed: Vec<_> = corpus
        .iter()
        .map(|(_, m)| rsip::SipMessage::try_from(m.as_slice()).unwrap())
        .collect();
    let mut buf = Vec::with_capacity(4096);
    let (cc_ser, rs_ser) = compare(
        corpus,
        budget,
        || {
            for m in &cc_parsed {
                buf.clear();
                m.encode(&mut buf);
                black_box(&buf);
            }
        },
        || {
            for m in &rs_parsed {
                black_box(m.to_string());
            }
        },
    );
    let bytes: usize = corpus.iter().map(|(_, m)| m.len()).sum();
    let text = format!(
        "SIP parse/serialize throughput, corpus of {} messages ({} bytes): {}\n\
         parse      callcard {:>12.0} msg/s   rsip {:>12.0} msg/s   ratio {:.2}x\n\
         serialize  callcard {:>12.0} msg/s   rsip {:>12.0} msg/s   ratio {:.2}x\n",
        corpus.len(),
        bytes,
        corpus
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", "),
        cc_parse,
        rs_parse,
        cc_parse / rs_parse,
        cc_ser,
        rs_ser,
        cc_ser / rs_ser,
    );
    print!("{text}");
    let target = std::env::var("CARGO_TARGET_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../target").into());
    let dir = format!("{target}/bench-figures");
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(format!("{dir}/sip_parse.txt"), text);
    }
}

fn bench(c: &mut Criterion) {
    let corpus = corpus();
    figures(&corpus);
    let mut g = c.benchmark_group("sip_parse");
    g.throughput(Throughput::Elements(corpus.len() as u64));
    g.bench_function("callcard", |b| b.iter(|| parse_callcard(&corpus)));
    g.bench_function("rsip", |b| b.iter(|| parse_rsip(&corpus)));
    g.finish();
    let cc_parsed: Vec<_> = corpus.iter().map(|(_, m)| sip::parse(m).unwrap()).collect();
    let rs_parsed: Vec<_> = corpus
        .iter()
        .map(|(_, m)| rsip::SipMessage::try_from(m.as_slice()).unwrap())
        .collect();
    let mut g = c.benchmark_group("sip_serialize");
    g.throughput(Throughput::Elements(corpus.len() as u64));
    let mut buf = Vec::with_capacity(4096);
    g.bench_function("callcard", |b| {
        b.iter(|| {
            for m in &cc_parsed {
                buf.clear();
                m.encode(&mut buf);
            }
            buf.len()
        })
    });
    g.bench_function("rsip", |b| {
        b.iter(|| rs_parsed.iter().map(|m| m.to_string().len()).sum::<usize>())
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
