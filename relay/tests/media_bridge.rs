//! The media bridge on real UDP sockets on 127.0.0.1, no mocks: a str0m
//! client with a full ICE agent plays the browser, a plain UDP socket plays
//! the SIP provider's RTP. Tones go both ways and are checked by their
//! dominant frequency; DTMF, garbage, foreign sources, the timeouts and
//! port release are checked too. Waits are bounded by predicates, never by
//! assertions about speed.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use callcard_relay::media::{
    g711, rtp, EndCause, MediaBridge, MediaConfig, MediaError, TapDirection,
};
use callcard_shared::sip::sdp::{self, Codec, Direction as SdpDirection, LocalMedia, Session};
use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::format::{Codec as RtcCodec, FormatParams};
use str0m::media::{Direction, Frequency, MediaKind, Mid};
use str0m::net::{Protocol, Receive};
use str0m::rtp::RtpWrite;
use str0m::{Candidate, Event, Input, Output, Rtc};
use tokio::net::UdpSocket;

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
// Each test has its own media port range in 23000–23999: below Linux's
// ephemeral ports (32768+), where other tests' sockets land, and above the
// relay's default 10000–20000.
/// Safety net for every wait: generous, never an assertion about speed.
const PATIENCE: Duration = Duration::from_secs(20);

fn bridge(ports: std::ops::RangeInclusive<u16>) -> MediaBridge {
    MediaBridge::new(MediaConfig::new(LOCALHOST, None, ports)).unwrap()
}

// ---------------------------------------------------------------- browser

#[derive(Debug, Clone)]
struct Got {
    pt: u8,
    seq: u16,
    payload: Vec<u8>,
}

/// A WebRTC peer like a browser: full ICE (not lite), RTP mode, G.711 and
/// telephone-event.
struct Browser {
    rtc: Rtc,
    sock: UdpSocket,
    local: SocketAddr,
    mid: Option<Mid>,
    pending: Option<SdpPendingOffer>,
    connected: bool,
    received: Vec<Got>,
    next_timeout: Instant,
    seq: u64,
}

impl Browser {
    async fn new(codecs: &[(u8, RtcCodec)]) -> Browser {
        let sock = UdpSocket::bind((LOCALHOST, 0)).await.unwrap();
        let local = sock.local_addr().unwrap();
        let mut config = Rtc::builder().set_rtp_mode(true).clear_codecs();
        for &(pt, codec) in codecs {
            let format = if codec == RtcCodec::Tele {
                FormatParams::parse_line("0-16")
            } else {
                FormatParams::default()
            };
            let (rate, channels) = if codec == RtcCodec::Opus {
                (Frequency::FORTY_EIGHT_KHZ, Some(2))
            } else {
                (Frequency::EIGHT_KHZ, None)
            };
            config
                .codec_config()
                .add_config(pt.into(), None, codec, rate, channels, format);
        }
        let mut rtc = config.build(Instant::now());
        rtc.add_local_candidate(Candidate::host(local, "udp").unwrap());
        let mut b = Browser {
            rtc,
            sock,
            local,
            mid: None,
            pending: None,
            connected: false,
            received: Vec::new(),
            next_timeout: Instant::now(),
            seq: 1,
        };
        b.drain();
        b
    }

    async fn g711() -> Browser {
        Browser::new(&[
            (8, RtcCodec::PCMA),
            (0, RtcCodec::PCMU),
            (101, RtcCodec::Tele),
        ])
        .await
    }

    fn offer(&mut self) -> String {
        let mut change = self.rtc.sdp_api();
        let mid = change.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
        let (offer, pending) = change.apply().unwrap();
        self.drain();
        self.mid = Some(mid);
        self.pending = Some(pending);
        offer.to_sdp_string()
    }

    /// A re-offer changing our direction (hold/resume).
    fn reoffer(&mut self, direction: Direction) -> String {
        let mut change = self.rtc.sdp_api();
        change.set_direction(self.mid.unwrap(), direction);
        let (offer, pending) = change.apply().unwrap();
        self.drain();
        self.pending = Some(pending);
        offer.to_sdp_string()
    }

    fn accept_answer(&mut self, sdp: &str) {
        let answer = SdpAnswer::from_sdp_string(sdp).unwrap();
        let pending = self.pending.take().unwrap();
        self.rtc.sdp_api().accept_answer(pending, answer).unwrap();
        self.drain();
    }

    fn accept_offer(&mut self, sdp: &str) -> String {
        let offer = SdpOffer::from_sdp_string(sdp).unwrap();
        let answer = self.rtc.sdp_api().accept_offer(offer).unwrap();
        self.drain();
        answer.to_sdp_string()
    }

    fn drain(&mut self) {
        loop {
            match self.rtc.poll_output().unwrap() {
                Output::Timeout(t) => {
                    self.next_timeout = t;
                    return;
                }
                Output::Transmit(t) => {
                    let _ = self.sock.try_send_to(&t.contents, t.destination);
                }
                Output::Event(Event::Connected) => self.connected = true,
                Output::Event(Event::MediaAdded(m)) => {
                    self.mid.get_or_insert(m.mid);
                }
                Output::Event(Event::RtpPacket(p)) => self.received.push(Got {
                    pt: *p.header.payload_type,
                    seq: p.header.sequence_number,
                    payload: p.payload.to_vec(),
                }),
                Output::Event(_) => {}
            }
        }
    }

    fn input(&mut self, from: SocketAddr, buf: &[u8]) {
        if let Ok(r) = Receive::new(Protocol::Udp, from, self.local, buf) {
            let _ = self.rtc.handle_input(Input::Receive(Instant::now(), r));
        }
        self.drain();
    }

    fn send(&mut self, pt: u8, timestamp: u32, marker: bool, payload: &[u8]) {
        let mid = self.mid.unwrap();
        let mut api = self.rtc.direct_api();
        let tx = api.stream_tx_by_mid(mid, None).expect("a sending stream");
        tx.write_rtp(
            RtpWrite::new(
                pt.into(),
                self.seq.into(),
                timestamp,
                Instant::now(),
                payload,
            )
            .marker(marker),
        );
        self.seq += 1;
        self.drain();
    }

    fn received_pt(&self, pt: u8) -> Vec<Got> {
        let mut v: Vec<Got> = self
            .received
            .iter()
            .filter(|g| g.pt == pt)
            .cloned()
            .collect();
        v.sort_by_key(|g| g.seq);
        v
    }
}

// ---------------------------------------------------------------- provider

/// The provider's RTP endpoint: a plain UDP socket.
struct Provider {
    sock: UdpSocket,
    received: Vec<(SocketAddr, Vec<u8>)>,
    seq: u16,
    relay: Option<SocketAddr>,
}

impl Provider {
    async fn new() -> Provider {
        Provider {
            sock: UdpSocket::bind((LOCALHOST, 0)).await.unwrap(),
            received: Vec::new(),
            seq: 7000,
            relay: None,
        }
    }

    fn port(&self) -> u16 {
        self.sock.local_addr().unwrap().port()
    }

    fn local_media(&self, codecs: Vec<Codec>) -> LocalMedia {
        LocalMedia {
            codecs,
            address: "127.0.0.1".into(),
            port: self.port(),
            proto: "RTP/AVP".into(),
            direction: SdpDirection::SendRecv,
            ice: None,
            candidates: Vec::new(),
            fingerprint: None,
            rtcp_mux: false,
            ssrc: None,
            session_id: 4711,
            session_version: 1,
        }
    }

    /// Remembers where the relay's SDP says to send RTP.
    fn learn(&mut self, relay_sdp: &str) -> Session {
        let s = Session::parse(relay_sdp.as_bytes()).unwrap();
        let m = &s.media[0];
        let ip: IpAddr = s.connection.as_ref().unwrap().address.parse().unwrap();
        self.relay = Some(SocketAddr::new(ip, m.port));
        s
    }

    async fn send(&mut self, pt: u8, timestamp: u32, marker: bool, payload: &[u8]) {
        let mut buf = Vec::new();
        rtp::write(
            &mut buf,
            marker,
            pt,
            self.seq,
            timestamp,
            0x1234_5678,
            payload,
        );
        self.seq = self.seq.wrapping_add(1);
        self.sock.send_to(&buf, self.relay.unwrap()).await.unwrap();
    }

    /// RTP received from the relay with payload type `pt`, in sequence order.
    fn received_pt(&self, pt: u8) -> Vec<(u16, bool, Vec<u8>)> {
        let mut v: Vec<(u16, bool, Vec<u8>)> = self
            .received
            .iter()
            .filter_map(|(_, d)| rtp::parse(d))
            .filter(|r| r.pt == pt)
            .map(|r| (r.seq, r.marker, r.payload.to_vec()))
            .collect();
        v.sort_by_key(|(s, _, _)| *s);
        v
    }
}

/// Runs both peers until `done` holds or `limit` passes; returns `done`.
async fn pump(
    b: &mut Browser,
    p: &mut Provider,
    limit: Duration,
    mut done: impl FnMut(&Browser, &Provider) -> bool,
) -> bool {
    let end = Instant::now() + limit;
    let mut bbuf = vec![0u8; 2048];
    let mut pbuf = vec![0u8; 2048];
    loop {
        b.drain();
        if done(b, p) {
            return true;
        }
        if Instant::now() >= end {
            return false;
        }
        let wake = b.next_timeout.min(end).max(Instant::now());
        tokio::select! {
            r = b.sock.recv_from(&mut bbuf) => {
                let (n, from) = r.unwrap();
                b.input(from, &bbuf[..n]);
            }
            r = p.sock.recv_from(&mut pbuf) => {
                let (n, from) = r.unwrap();
                p.received.push((from, pbuf[..n].to_vec()));
            }
            _ = tokio::time::sleep_until(wake.into()) => {
                let _ = b.rtc.handle_input(Input::Timeout(Instant::now()));
            }
        }
    }
}

async fn settle(b: &mut Browser, p: &mut Provider, d: Duration) {
    pump(b, p, d, |_, _| false).await;
}

// ---------------------------------------------------------------- audio

fn tone(freq: f64, start: usize, n: usize) -> Vec<i16> {
    (start..start + n)
        .map(|i| (8000.0 * (2.0 * std::f64::consts::PI * freq * i as f64 / 8000.0).sin()) as i16)
        .collect()
}

/// The frequency (5 Hz grid, 50–3950 Hz) with the most energy (Goertzel).
fn dominant(samples: &[i16]) -> f64 {
    let mut best = (0.0, 0.0);
    let mut f = 50.0;
    while f <= 3950.0 {
        let w = 2.0 * std::f64::consts::PI * f / 8000.0;
        let coeff = 2.0 * w.cos();
        let (mut s1, mut s2) = (0.0f64, 0.0f64);
        for &x in samples {
            let s = f64::from(x) + coeff * s1 - s2;
            s2 = s1;
            s1 = s;
        }
        let power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
        if power > best.1 {
            best = (f, power);
        }
        f += 5.0;
    }
    best.0
}

fn assert_near(found: f64, want: f64) {
    assert!(
        (found - want).abs() <= want * 0.05,
        "dominant frequency {found} Hz, wanted {want} Hz ± 5 %"
    );
}

fn encode(law: u8, pcm: &[i16]) -> Vec<u8> {
    match law {
        0 => pcm.iter().map(|s| g711::linear_to_ulaw(*s)).collect(),
        _ => pcm.iter().map(|s| g711::linear_to_alaw(*s)).collect(),
    }
}

fn decode(law: u8, payload: &[u8]) -> Vec<i16> {
    match law {
        0 => payload.iter().map(|b| g711::ulaw_to_linear(*b)).collect(),
        _ => payload.iter().map(|b| g711::alaw_to_linear(*b)).collect(),
    }
}

const PACKETS: usize = 50;

/// The provider sends one second of `freq` as `law` (pt 0 or 8).
async fn provider_tone(b: &mut Browser, p: &mut Provider, law: u8, freq: f64) {
    for i in 0..PACKETS {
        let payload = encode(law, &tone(freq, i * 160, 160));
        p.send(law, 160 * i as u32, i == 0, &payload).await;
        settle(b, p, Duration::from_millis(4)).await;
    }
}

/// The browser sends one second of `freq` as `law`.
async fn browser_tone(b: &mut Browser, p: &mut Provider, law: u8, freq: f64, ts0: u32) {
    for i in 0..PACKETS {
        let payload = encode(law, &tone(freq, i * 160, 160));
        b.send(law, ts0 + 160 * i as u32, i == 0, &payload);
        settle(b, p, Duration::from_millis(4)).await;
    }
}

/// RFC 4733 packets of one key press: three updates, then three ends.
fn dtmf_packets(digit: u8) -> Vec<(bool, Vec<u8>)> {
    let mut v = Vec::new();
    for (i, dur) in [160u16, 320, 480].into_iter().enumerate() {
        let d = dur.to_be_bytes();
        v.push((i == 0, vec![digit, 10, d[0], d[1]]));
    }
    for _ in 0..3 {
        v.push((false, vec![digit, 0x80 | 10, 0x02, 0x80]));
    }
    v
}

/// Event codes in arrival order, one per key press (its end packets).
fn digits_of(payloads: &[Vec<u8>]) -> Vec<u8> {
    let mut v: Vec<u8> = Vec::new();
    let mut last_end: Option<u8> = None;
    for p in payloads {
        if p.len() >= 4 && p[1] & 0x80 != 0 {
            if last_end != Some(p[0]) {
                v.push(p[0]);
            }
            last_end = Some(p[0]);
        } else {
            last_end = None;
        }
    }
    v
}

async fn connect(b: &mut Browser, p: &mut Provider) {
    assert!(
        pump(b, p, PATIENCE, |b, _| b.connected).await,
        "the browser never connected to the relay"
    );
}

fn port_is_free(port: u16) -> bool {
    std::net::UdpSocket::bind((LOCALHOST, port)).is_ok()
}

// ---------------------------------------------------------------- tests

#[tokio::test]
async fn outbound_call_bridges_tones_dtmf_and_survives_garbage() {
    let media = bridge(23000..=23099);
    let mut b = Browser::g711().await;
    let mut p = Provider::new().await;

    let offer = b.offer();
    let (call, answer, trunk_offer) = media.for_browser_offer(&offer).unwrap();
    assert!(answer.contains("a=ice-lite"), "{answer}");
    b.accept_answer(&answer);

    let offered = p.learn(&trunk_offer);
    assert_eq!(offered.media[0].proto, "RTP/AVP");
    assert_eq!(offered.media[0].port, call.trunk_port());
    let names: Vec<String> = offered.media[0]
        .rtpmaps()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(
        names[0], "PCMA",
        "the browser's first law leads: {trunk_offer}"
    );
    assert!(
        names.iter().any(|n| n == "telephone-event"),
        "{trunk_offer}"
    );
    let provider_answer = sdp::answer(
        &offered,
        &p.local_media(vec![Codec::pcma(), Codec::telephone_event()]),
    )
    .unwrap();
    call.trunk_answer(&String::from_utf8(provider_answer.to_bytes()).unwrap())
        .unwrap();
    connect(&mut b, &mut p).await;

    // Provider → browser: 440 Hz as PCMA.
    provider_tone(&mut b, &mut p, 8, 440.0).await;
    assert!(
        pump(&mut b, &mut p, PATIENCE, |b, _| b.received_pt(8).len()
            >= PACKETS - 5)
        .await
    );
    let pcm: Vec<i16> = b
        .received_pt(8)
        .iter()
        .flat_map(|g| decode(8, &g.payload))
        .collect();
    assert_near(dominant(&pcm), 440.0);

    // Browser → provider: 1 kHz as PCMA, from the port the SDP named.
    browser_tone(&mut b, &mut p, 8, 1000.0, 0).await;
    assert!(
        pump(&mut b, &mut p, PATIENCE, |_, p| p.received_pt(8).len()
            >= PACKETS - 5)
        .await
    );
    let pcm: Vec<i16> = p
        .received_pt(8)
        .iter()
        .flat_map(|(_, _, d)| decode(8, d))
        .collect();
    assert_near(dominant(&pcm), 1000.0);
    assert!(p.received.iter().all(|(from, _)| *from == p.relay.unwrap()));

    // DTMF browser → provider: 1, 5, #.
    let mut ts = 160 * PACKETS as u32;
    for digit in [1u8, 5, 11] {
        for (marker, payload) in dtmf_packets(digit) {
            b.send(101, ts, marker, &payload);
            settle(&mut b, &mut p, Duration::from_millis(3)).await;
        }
        ts += 800;
    }
    let dtmf = |p: &Provider| {
        p.received_pt(101)
            .into_iter()
            .map(|(_, _, d)| d)
            .collect::<Vec<_>>()
    };
    assert!(
        pump(&mut b, &mut p, PATIENCE, |_, p| digits_of(&dtmf(p)).len()
            >= 3)
        .await
    );
    assert_eq!(digits_of(&dtmf(&p)), vec![1, 5, 11]);
    assert!(p.received_pt(101).iter().any(|(_, marker, _)| *marker));

    // DTMF provider → browser: 9.
    for (marker, payload) in dtmf_packets(9) {
        p.send(101, 160 * PACKETS as u32, marker, &payload).await;
        settle(&mut b, &mut p, Duration::from_millis(3)).await;
    }
    let bdtmf = |b: &Browser| {
        b.received_pt(101)
            .into_iter()
            .map(|g| g.payload)
            .collect::<Vec<_>>()
    };
    assert!(
        pump(&mut b, &mut p, PATIENCE, |b, _| !digits_of(&bdtmf(b))
            .is_empty())
        .await
    );
    assert_eq!(digits_of(&bdtmf(&b)), vec![9]);
    let stats = call.stats();
    assert!(
        stats.dtmf_to_trunk >= 18 && stats.dtmf_to_browser >= 6,
        "{stats:?}"
    );

    // Garbage to both ports, and RTP from a stranger to the trunk port.
    let browser_addr = SocketAddr::new(LOCALHOST, call.browser_port());
    let trunk_addr = SocketAddr::new(LOCALHOST, call.trunk_port());
    let stranger = UdpSocket::bind((LOCALHOST, 0)).await.unwrap();
    let mut bogus_rtp = Vec::new();
    rtp::write(&mut bogus_rtp, false, 99, 1, 1, 1, &[0; 160]); // unnegotiated type
    let mut foreign = Vec::new();
    rtp::write(
        &mut foreign,
        false,
        8,
        1,
        1,
        1,
        &encode(8, &tone(3000.0, 0, 160)),
    );
    for _ in 0..3 {
        stranger.send_to(b"garbage!", browser_addr).await.unwrap();
        stranger.send_to(&[0xFF; 300], browser_addr).await.unwrap();
        stranger.send_to(&foreign, browser_addr).await.unwrap(); // fails SRTP
        stranger.send_to(b"garbage!", trunk_addr).await.unwrap();
        stranger.send_to(&bogus_rtp, trunk_addr).await.unwrap();
        stranger.send_to(&foreign, trunk_addr).await.unwrap();
    }
    assert!(
        pump(&mut b, &mut p, PATIENCE, |_, _| {
            let s = call.stats();
            s.browser_garbage >= 6
                && s.browser_srtp_rejected >= 3
                && s.trunk_garbage >= 6
                && s.trunk_foreign >= 3
        })
        .await,
        "{:?}",
        call.stats()
    );

    // The call goes on: another tone still arrives, and only the provider's.
    let before = b.received_pt(8).len();
    provider_tone(&mut b, &mut p, 8, 440.0).await;
    assert!(
        pump(&mut b, &mut p, PATIENCE, |b, _| b.received_pt(8).len()
            >= before + PACKETS - 5)
        .await
    );
    let pcm: Vec<i16> = b.received_pt(8)[before..]
        .iter()
        .flat_map(|g| decode(8, &g.payload))
        .collect();
    assert_near(dominant(&pcm), 440.0);
    assert_eq!(call.end_cause(), None);

    // Hang-up frees every port.
    let (bp, tp) = (call.browser_port(), call.trunk_port());
    assert_eq!(media.ports_in_use(), 3);
    assert_eq!(call.end().await, EndCause::Hangup);
    assert_eq!(media.ports_in_use(), 0);
    assert!(port_is_free(bp) && port_is_free(tp) && port_is_free(tp + 1));
}

#[tokio::test]
async fn inbound_call_bridges_tones_both_ways_and_taps_them() {
    let media = bridge(23100..=23199);
    let mut b = Browser::g711().await;
    let mut p = Provider::new().await;

    let provider_offer = sdp::offer(&p.local_media(vec![Codec::pcmu(), Codec::telephone_event()]));
    let provider_offer = String::from_utf8(provider_offer.to_bytes()).unwrap();
    let (call, browser_offer) = media.for_trunk_offer(&provider_offer).unwrap();
    assert!(browser_offer.contains("a=ice-lite"), "{browser_offer}");
    let answer = b.accept_offer(&browser_offer);
    let trunk_answer = call.browser_answer(&answer).unwrap();
    let answered = p.learn(&trunk_answer);
    assert_eq!(answered.media[0].port, call.trunk_port());
    let first = &answered.media[0].rtpmaps()[0];
    assert_eq!(
        (first.pt, first.name.as_str()),
        (0, "PCMU"),
        "{trunk_answer}"
    );
    // A second answer is refused, the call stays up.
    assert!(matches!(
        call.browser_answer(&answer),
        Err(MediaError::WrongState(_))
    ));

    let mut tap = call.tap();
    connect(&mut b, &mut p).await;

    provider_tone(&mut b, &mut p, 0, 440.0).await;
    assert!(
        pump(&mut b, &mut p, PATIENCE, |b, _| b.received_pt(0).len()
            >= PACKETS - 5)
        .await
    );
    let pcm: Vec<i16> = b
        .received_pt(0)
        .iter()
        .flat_map(|g| decode(0, &g.payload))
        .collect();
    assert_near(dominant(&pcm), 440.0);

    browser_tone(&mut b, &mut p, 0, 1000.0, 0).await;
    assert!(
        pump(&mut b, &mut p, PATIENCE, |_, p| p.received_pt(0).len()
            >= PACKETS - 5)
        .await
    );
    let pcm: Vec<i16> = p
        .received_pt(0)
        .iter()
        .flat_map(|(_, _, d)| decode(0, d))
        .collect();
    assert_near(dominant(&pcm), 1000.0);

    // The tap heard both directions, decoded.
    let (mut from_trunk, mut from_browser) = (Vec::new(), Vec::new());
    while let Ok(frame) = tap.try_recv() {
        match frame.direction {
            TapDirection::FromTrunk => from_trunk.extend_from_slice(&frame.samples),
            TapDirection::FromBrowser => from_browser.extend_from_slice(&frame.samples),
        }
    }
    assert!(
        from_trunk.len() >= 160 * (PACKETS - 5),
        "{}",
        from_trunk.len()
    );
    assert!(
        from_browser.len() >= 160 * (PACKETS - 5),
        "{}",
        from_browser.len()
    );
    assert_near(dominant(&from_trunk), 440.0);
    assert_near(dominant(&from_browser), 1000.0);

    // The call's quality: nothing lost either way so far...
    let clean = call.quality().expect("quality once audio flowed");
    assert_eq!(clean.client.lost, 0, "{clean:?}");
    assert_eq!(clean.ours.lost, 0, "{clean:?}");
    assert!(clean.client.received >= PACKETS as u64 && clean.ours.received >= PACKETS as u64);
    assert!(clean.mos > 4.0, "{clean:?}");
    // ... then every tenth packet from the provider never arrives.
    for i in 0..PACKETS {
        if i % 10 == 0 {
            p.seq = p.seq.wrapping_add(1);
            continue;
        }
        let payload = encode(0, &tone(440.0, i * 160, 160));
        p.send(0, 160 * (PACKETS + i) as u32, false, &payload).await;
        settle(&mut b, &mut p, Duration::from_millis(4)).await;
    }
    let lossy = call.quality().unwrap();
    assert_eq!(lossy.client.lost, (PACKETS / 10) as u64, "{lossy:?}");
    assert!(lossy.mos < clean.mos - 0.5, "{lossy:?} after {clean:?}");

    drop(call);
    assert!(
        pump(&mut b, &mut p, PATIENCE, |_, _| media.ports_in_use() == 0).await,
        "dropping the handle frees the ports"
    );
}

/// Media direction of the first m-line of an SDP.
fn direction_of(sdp: &str) -> SdpDirection {
    let s = Session::parse(sdp.as_bytes()).unwrap();
    s.media[0].direction(&s)
}

#[tokio::test]
async fn hold_and_resume_from_either_side_pause_the_media_timeout() {
    let mut config = MediaConfig::new(LOCALHOST, None, 23700..=23799);
    config.media_timeout = Duration::from_secs(2);
    let media = MediaBridge::new(config).unwrap();
    let mut b = Browser::g711().await;
    let mut p = Provider::new().await;
    let (call, answer, trunk_offer) = media.for_browser_offer(&b.offer()).unwrap();
    b.accept_answer(&answer);
    let offered = p.learn(&trunk_offer);
    let local = p.local_media(vec![Codec::pcma(), Codec::telephone_event()]);
    let provider_answer = sdp::answer(&offered, &local).unwrap();
    // Connect first: the media timer starts with the provider's answer.
    connect(&mut b, &mut p).await;
    call.trunk_answer(&String::from_utf8(provider_answer.to_bytes()).unwrap())
        .unwrap();

    // The browser holds: its direction is mirrored toward the provider.
    let (answer, reoffer) = call
        .browser_reoffer(&b.reoffer(Direction::SendOnly))
        .unwrap();
    assert_eq!(direction_of(&answer), SdpDirection::RecvOnly, "{answer}");
    assert_eq!(direction_of(&reoffer), SdpDirection::SendOnly, "{reoffer}");
    b.accept_answer(&answer);
    let reoffered = Session::parse(reoffer.as_bytes()).unwrap();
    assert!(reoffered.origin.session_version > offered.origin.session_version);
    let held = sdp::answer(&reoffered, &local).unwrap();
    assert_eq!(held.media[0].direction(&held), SdpDirection::RecvOnly);
    call.trunk_answer(&String::from_utf8(held.to_bytes()).unwrap())
        .unwrap();
    // Silence on hold for longer than the media timeout: the call stays.
    settle(&mut b, &mut p, Duration::from_millis(2500)).await;
    assert_eq!(call.end_cause(), None);

    // The browser resumes.
    let (answer, reoffer) = call
        .browser_reoffer(&b.reoffer(Direction::SendRecv))
        .unwrap();
    assert_eq!(direction_of(&reoffer), SdpDirection::SendRecv, "{reoffer}");
    b.accept_answer(&answer);
    let resumed = sdp::answer(&Session::parse(reoffer.as_bytes()).unwrap(), &local).unwrap();
    call.trunk_answer(&String::from_utf8(resumed.to_bytes()).unwrap())
        .unwrap();

    // The provider holds (sendonly): the browser gets a sendonly re-offer.
    let mut hold = p.local_media(vec![Codec::pcma(), Codec::telephone_event()]);
    hold.direction = SdpDirection::SendOnly;
    hold.session_version = 2;
    let hold = String::from_utf8(sdp::offer(&hold).to_bytes()).unwrap();
    let (answer, reoffer) = call.trunk_reoffer(&hold).unwrap();
    assert_eq!(direction_of(&answer), SdpDirection::RecvOnly, "{answer}");
    let reoffer = reoffer.expect("a re-offer for the browser");
    assert_eq!(direction_of(&reoffer), SdpDirection::SendOnly, "{reoffer}");
    let browser_answer = b.accept_offer(&reoffer);
    assert_eq!(direction_of(&browser_answer), SdpDirection::RecvOnly);
    call.browser_reanswer(&browser_answer).unwrap();
    // Music on hold from the provider still reaches the browser.
    provider_tone(&mut b, &mut p, 8, 440.0).await;
    assert!(
        pump(&mut b, &mut p, PATIENCE, |b, _| b.received_pt(8).len()
            >= PACKETS - 5)
        .await
    );
    settle(&mut b, &mut p, Duration::from_millis(2500)).await;
    assert_eq!(call.end_cause(), None);

    // The provider resumes; the same offer again changes nothing.
    let mut resume = p.local_media(vec![Codec::pcma(), Codec::telephone_event()]);
    resume.session_version = 3;
    let resume = String::from_utf8(sdp::offer(&resume).to_bytes()).unwrap();
    let (answer, reoffer) = call.trunk_reoffer(&resume).unwrap();
    assert_eq!(direction_of(&answer), SdpDirection::SendRecv, "{answer}");
    let browser_answer = b.accept_offer(&reoffer.expect("a resume re-offer"));
    call.browser_reanswer(&browser_answer).unwrap();
    let (_, again) = call.trunk_reoffer(&resume).unwrap();
    assert!(again.is_none());

    // Audio flows both ways after resuming; then silence times out.
    let before = p.received_pt(8).len();
    browser_tone(&mut b, &mut p, 8, 1000.0, 0).await;
    assert!(
        pump(&mut b, &mut p, PATIENCE, |_, p| p.received_pt(8).len()
            >= before + PACKETS - 5)
        .await
    );
    assert!(pump(&mut b, &mut p, PATIENCE, |_, _| call.end_cause().is_some()).await);
    assert_eq!(call.ended().await, EndCause::MediaTimeout);
}

#[tokio::test]
async fn different_laws_on_the_two_legs_are_transcoded() {
    let media = bridge(23200..=23299);
    // This browser only speaks µ-law; the provider only A-law.
    let mut b = Browser::new(&[(0, RtcCodec::PCMU)]).await;
    let mut p = Provider::new().await;
    let offer = b.offer();
    let (call, answer, trunk_offer) = media.for_browser_offer(&offer).unwrap();
    b.accept_answer(&answer);
    let offered = p.learn(&trunk_offer);
    let provider_answer = sdp::answer(&offered, &p.local_media(vec![Codec::pcma()])).unwrap();
    call.trunk_answer(&String::from_utf8(provider_answer.to_bytes()).unwrap())
        .unwrap();
    connect(&mut b, &mut p).await;

    provider_tone(&mut b, &mut p, 8, 440.0).await;
    assert!(
        pump(&mut b, &mut p, PATIENCE, |b, _| b.received_pt(0).len()
            >= PACKETS - 5)
        .await
    );
    let pcm: Vec<i16> = b
        .received_pt(0)
        .iter()
        .flat_map(|g| decode(0, &g.payload))
        .collect();
    assert_near(dominant(&pcm), 440.0);

    browser_tone(&mut b, &mut p, 0, 1000.0, 0).await;
    assert!(
        pump(&mut b, &mut p, PATIENCE, |_, p| p.received_pt(8).len()
            >= PACKETS - 5)
        .await
    );
    let pcm: Vec<i16> = p
        .received_pt(8)
        .iter()
        .flat_map(|(_, _, d)| decode(8, d))
        .collect();
    assert_near(dominant(&pcm), 1000.0);
    assert!(call.stats().transcoded >= 2 * (PACKETS as u64 - 5));
    call.end().await;
}

#[tokio::test]
async fn public_address_goes_into_both_sdps() {
    let public: IpAddr = "203.0.113.7".parse().unwrap();
    let media = MediaBridge::new(MediaConfig::new(LOCALHOST, Some(public), 23600..=23699)).unwrap();
    let mut b = Browser::g711().await;
    let (call, answer, trunk_offer) = media.for_browser_offer(&b.offer()).unwrap();
    let candidate = format!("203.0.113.7 {} typ host", call.browser_port());
    assert!(answer.contains(&candidate), "{answer}");
    assert!(!answer.contains("127.0.0.1"), "{answer}");
    let offer = Session::parse(trunk_offer.as_bytes()).unwrap();
    assert_eq!(offer.connection.unwrap().address, "203.0.113.7");
    call.end().await;

    // Bound to every interface, an address for SDP is required.
    let any = IpAddr::V4(Ipv4Addr::UNSPECIFIED);
    assert!(matches!(
        MediaBridge::new(MediaConfig::new(any, None, 23600..=23699)),
        Err(MediaError::Config(_))
    ));
}

#[tokio::test]
async fn browser_that_never_connects_hits_the_ice_dtls_timeout() {
    let mut config = MediaConfig::new(LOCALHOST, None, 23300..=23399);
    config.connect_timeout = Duration::from_millis(300);
    let media = MediaBridge::new(config).unwrap();
    let mut b = Browser::g711().await;
    let (call, _answer, _trunk_offer) = media.for_browser_offer(&b.offer()).unwrap();
    // The browser never applies the answer and never sends a packet.
    let cause = tokio::time::timeout(PATIENCE, call.ended()).await.unwrap();
    assert_eq!(cause, EndCause::IceDtlsTimeout);
    assert_eq!(cause.as_str(), "ice_dtls_timeout");
    assert_eq!(media.ports_in_use(), 0);
    assert!(matches!(call.trunk_answer("v=0"), Err(MediaError::Ended)));
}

#[tokio::test]
async fn silence_on_both_legs_hits_the_media_timeout() {
    let mut config = MediaConfig::new(LOCALHOST, None, 23400..=23499);
    config.media_timeout = Duration::from_millis(500);
    let media = MediaBridge::new(config).unwrap();
    let mut b = Browser::g711().await;
    let mut p = Provider::new().await;
    let (call, answer, trunk_offer) = media.for_browser_offer(&b.offer()).unwrap();
    b.accept_answer(&answer);
    let offered = p.learn(&trunk_offer);
    let provider_answer = sdp::answer(&offered, &p.local_media(vec![Codec::pcma()])).unwrap();
    call.trunk_answer(&String::from_utf8(provider_answer.to_bytes()).unwrap())
        .unwrap();
    assert!(pump(&mut b, &mut p, PATIENCE, |_, _| call.end_cause().is_some()).await);
    assert_eq!(call.ended().await, EndCause::MediaTimeout);
    assert_eq!(media.ports_in_use(), 0);
}

#[tokio::test]
async fn exhausted_port_range_refuses_the_call_without_leaking() {
    let media = bridge(23500..=23503);
    let mut b = Browser::g711().await;
    let offer = b.offer();
    let (call, _, _) = media.for_browser_offer(&offer).unwrap();
    assert_eq!(media.ports_in_use(), 3);
    let mut b2 = Browser::g711().await;
    assert!(matches!(
        media.for_browser_offer(&b2.offer()),
        Err(MediaError::PortsExhausted)
    ));
    assert_eq!(media.ports_in_use(), 3);
    call.end().await;
    assert_eq!(media.ports_in_use(), 0);
    // An offer without G.711 is refused (the switch answers 488).
    let mut opus_only = Browser::new(&[(111, RtcCodec::Opus)]).await;
    let err = media.for_browser_offer(&opus_only.offer());
    assert!(matches!(err, Err(MediaError::NoCommonCodec)), "{err:?}");
    assert_eq!(media.ports_in_use(), 0);
}

/// One outbound call end to end: the provider plays `freq`; returns the
/// dominant frequency the browser heard.
async fn call_with_tone(media: MediaBridge, freq: f64) -> f64 {
    let mut b = Browser::g711().await;
    let mut p = Provider::new().await;
    let (call, answer, trunk_offer) = media.for_browser_offer(&b.offer()).unwrap();
    b.accept_answer(&answer);
    let offered = p.learn(&trunk_offer);
    let provider_answer = sdp::answer(&offered, &p.local_media(vec![Codec::pcma()])).unwrap();
    call.trunk_answer(&String::from_utf8(provider_answer.to_bytes()).unwrap())
        .unwrap();
    connect(&mut b, &mut p).await;
    provider_tone(&mut b, &mut p, 8, freq).await;
    assert!(
        pump(&mut b, &mut p, PATIENCE, |b, _| b.received_pt(8).len()
            >= PACKETS - 5)
        .await
    );
    let pcm: Vec<i16> = b
        .received_pt(8)
        .iter()
        .flat_map(|g| decode(8, &g.payload))
        .collect();
    call.end().await;
    dominant(&pcm)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_keep_their_own_audio_and_free_all_ports() {
    let media = bridge(23800..=23899);
    let calls: Vec<_> = (0..8)
        .map(|i| {
            let freq = 300.0 + 200.0 * f64::from(i);
            (freq, tokio::spawn(call_with_tone(media.clone(), freq)))
        })
        .collect();
    for (freq, call) in calls {
        assert_near(call.await.unwrap(), freq);
    }
    assert_eq!(media.ports_in_use(), 0);
}

/// The browser re-offers `direction`; the provider answers the mirrored
/// re-offer with what `local` allows.
async fn browser_holds(
    call: &callcard_relay::media::CallMedia,
    b: &mut Browser,
    local: &LocalMedia,
    direction: Direction,
) -> SdpDirection {
    let (answer, reoffer) = call.browser_reoffer(&b.reoffer(direction)).unwrap();
    b.accept_answer(&answer);
    let reoffered = Session::parse(reoffer.as_bytes()).unwrap();
    let provider_answer = sdp::answer(&reoffered, local).unwrap();
    call.trunk_answer(&String::from_utf8(provider_answer.to_bytes()).unwrap())
        .unwrap();
    direction_of(&reoffer)
}

#[tokio::test]
async fn negotiated_directions_gate_the_media_both_ways() {
    let media = bridge(23900..=23999);
    let mut b = Browser::g711().await;
    let mut p = Provider::new().await;
    let (call, answer, trunk_offer) = media.for_browser_offer(&b.offer()).unwrap();
    b.accept_answer(&answer);
    let offered = p.learn(&trunk_offer);
    let local = p.local_media(vec![Codec::pcma(), Codec::telephone_event()]);
    let provider_answer = sdp::answer(&offered, &local).unwrap();
    call.trunk_answer(&String::from_utf8(provider_answer.to_bytes()).unwrap())
        .unwrap();
    connect(&mut b, &mut p).await;

    // The browser holds with a=inactive; the provider is offered inactive.
    let mirrored = browser_holds(&call, &mut b, &local, Direction::Inactive).await;
    assert_eq!(mirrored, SdpDirection::Inactive);
    let before = call.stats();
    let (to_browser, to_provider) = (b.received_pt(8).len(), p.received_pt(8).len());
    // Both sides keep sending anyway: nothing crosses, every packet is
    // counted as dropped by direction.
    browser_tone(&mut b, &mut p, 8, 1000.0, 0).await;
    provider_tone(&mut b, &mut p, 8, 440.0).await;
    assert!(
        pump(&mut b, &mut p, PATIENCE, |_, _| {
            let s = call.stats();
            s.browser_rtp_in >= before.browser_rtp_in + PACKETS as u64 - 5
                && s.trunk_rtp_in >= before.trunk_rtp_in + PACKETS as u64 - 5
        })
        .await,
        "the relay should still receive both legs on hold: {:?}",
        call.stats()
    );
    settle(&mut b, &mut p, Duration::from_millis(200)).await;
    let held = call.stats();
    assert_eq!(held.trunk_rtp_out, before.trunk_rtp_out, "{held:?}");
    assert_eq!(held.browser_rtp_out, before.browser_rtp_out, "{held:?}");
    let dropped =
        (held.browser_rtp_in - before.browser_rtp_in) + (held.trunk_rtp_in - before.trunk_rtp_in);
    assert_eq!(
        held.dropped_by_direction - before.dropped_by_direction,
        dropped,
        "{held:?}"
    );
    assert!(held.dropped - before.dropped >= dropped, "{held:?}");
    assert_eq!(p.received_pt(8).len(), to_provider);
    assert_eq!(b.received_pt(8).len(), to_browser);
    assert_eq!(call.end_cause(), None);

    // Resume (sendrecv): audio flows again both ways.
    let mirrored = browser_holds(&call, &mut b, &local, Direction::SendRecv).await;
    assert_eq!(mirrored, SdpDirection::SendRecv);
    let resumed = call.stats();
    browser_tone(&mut b, &mut p, 8, 1000.0, 160 * PACKETS as u32).await;
    assert!(
        pump(&mut b, &mut p, PATIENCE, |_, p| p.received_pt(8).len()
            >= to_provider + PACKETS - 5)
        .await,
        "browser audio after resume: {:?}",
        call.stats()
    );
    let pcm: Vec<i16> = p.received_pt(8)[to_provider..]
        .iter()
        .flat_map(|(_, _, pl)| decode(8, pl))
        .collect();
    assert_near(dominant(&pcm), 1000.0);
    provider_tone(&mut b, &mut p, 8, 440.0).await;
    assert!(
        pump(&mut b, &mut p, PATIENCE, |b, _| b.received_pt(8).len()
            >= to_browser + PACKETS - 5)
        .await,
        "provider audio after resume: {:?}",
        call.stats()
    );
    let pcm: Vec<i16> = b.received_pt(8)[to_browser..]
        .iter()
        .flat_map(|g| decode(8, &g.payload))
        .collect();
    assert_near(dominant(&pcm), 440.0);
    assert_eq!(
        call.stats().dropped_by_direction,
        resumed.dropped_by_direction
    );

    // The browser holds with a=sendonly: its audio still reaches the
    // provider, the provider's does not reach the browser.
    let mirrored = browser_holds(&call, &mut b, &local, Direction::SendOnly).await;
    assert_eq!(mirrored, SdpDirection::SendOnly);
    let before = call.stats();
    let (to_browser, to_provider) = (b.received_pt(8).len(), p.received_pt(8).len());
    browser_tone(&mut b, &mut p, 8, 1000.0, 2 * 160 * PACKETS as u32).await;
    assert!(
        pump(&mut b, &mut p, PATIENCE, |_, p| p.received_pt(8).len()
            >= to_provider + PACKETS - 5)
        .await,
        "browser audio on a sendonly hold: {:?}",
        call.stats()
    );
    provider_tone(&mut b, &mut p, 8, 440.0).await;
    assert!(
        pump(&mut b, &mut p, PATIENCE, |_, _| call.stats().trunk_rtp_in
            >= before.trunk_rtp_in + PACKETS as u64 - 5)
        .await
    );
    settle(&mut b, &mut p, Duration::from_millis(200)).await;
    let held = call.stats();
    assert_eq!(held.browser_rtp_out, before.browser_rtp_out, "{held:?}");
    assert_eq!(
        held.dropped_by_direction - before.dropped_by_direction,
        held.trunk_rtp_in - before.trunk_rtp_in,
        "{held:?}"
    );
    assert_eq!(b.received_pt(8).len(), to_browser);
    assert_eq!(call.end_cause(), None);
    call.end().await;
}

/// An MP3 file decoded: (channels, left, right).
fn decode_mp3(bytes: Vec<u8>) -> (usize, Vec<i16>, Vec<i16>) {
    let decoded = callcard_relay::recording::mp3::decode(bytes).expect("an MP3 file");
    (decoded.channels, decoded.left, decoded.right)
}

/// `freq` from one side at real time (one packet every 20 ms).
async fn tone_in_real_time(b: &mut Browser, p: &mut Provider, from_provider: bool, freq: f64) {
    for i in 0..PACKETS {
        let payload = encode(0, &tone(freq, i * 160, 160));
        if from_provider {
            p.send(0, 160 * i as u32, i == 0, &payload).await;
        } else {
            b.send(0, 160 * i as u32, i == 0, &payload);
        }
        settle(b, p, Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_recorded_call_is_a_stereo_mp3_with_the_client_left_and_our_side_right_and_silence_while_paused(
) {
    let media = bridge(23600..=23699);
    let mut b = Browser::g711().await;
    let mut p = Provider::new().await;
    let provider_offer = sdp::offer(&p.local_media(vec![Codec::pcmu()]));
    let provider_offer = String::from_utf8(provider_offer.to_bytes()).unwrap();
    let (call, browser_offer) = media.for_trunk_offer(&provider_offer).unwrap();
    let answer = b.accept_offer(&browser_offer);
    p.learn(&call.browser_answer(&answer).unwrap());
    connect(&mut b, &mut p).await;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("call.mp3");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (pause, paused) = tokio::sync::watch::channel(false);
    let started = Instant::now();
    let recorder = tokio::spawn({
        let (tap, path) = (call.tap(), path.clone());
        async move {
            callcard_relay::recording::record(tap, &path, paused, async {
                let _ = stopped.await;
            })
            .await
        }
    });
    // The client speaks (440 Hz), then our side (1 kHz); then the recording
    // is paused while the client speaks again (reading out a card number),
    // and a quiet moment after it resumes.
    tone_in_real_time(&mut b, &mut p, true, 440.0).await;
    tone_in_real_time(&mut b, &mut p, false, 1000.0).await;
    pause.send_replace(true);
    tone_in_real_time(&mut b, &mut p, true, 440.0).await;
    pause.send_replace(false);
    settle(&mut b, &mut p, Duration::from_millis(500)).await;

    // Mid-call the file already plays up to its last write.
    let (channels, so_far, _) = decode_mp3(std::fs::read(&path).unwrap());
    assert_eq!(channels, 2);
    assert!(so_far.len() > 8000, "{} samples so far", so_far.len());

    let talked = started.elapsed().as_secs_f64();
    stop.send(()).unwrap();
    let recording = recorder.await.unwrap().unwrap();
    assert!(
        (recording.seconds - talked).abs() < 0.5,
        "{} s recorded of {talked} s",
        recording.seconds
    );
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes.len() as u64, recording.bytes);
    let (channels, left, right) = decode_mp3(bytes);
    assert_eq!(channels, 2);
    let decoded = left.len() as f64 / 8000.0;
    assert!(
        (decoded - talked).abs() < 0.5,
        "{decoded} s decoded of {talked} s"
    );
    let energy = |s: &[i16]| s.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>() / s.len() as f64;
    // The paused span is marked, as long as the client spoke then, and
    // silent on both channels.
    let [from, to] = match recording.paused.as_slice() {
        [span] => *span,
        other => panic!("one paused span, not {other:?}"),
    };
    let spoke = PACKETS as f64 * 0.02;
    assert!(
        ((to - from) - spoke).abs() < 0.3,
        "paused {from:.2}–{to:.2} s while the client spoke {spoke} s"
    );
    let at = |t: f64| ((t * 8000.0) as usize).min(left.len());
    // The MP3 encoder's delay (~0.15 s at 8 kHz) moves decoded audio later.
    let in_pause = at(from + 0.25)..at(to - 0.1);
    assert!(in_pause.len() > 4000, "{in_pause:?}");
    // Each side on its own channel; the pause and the quiet end are silence
    // on both.
    assert!(
        energy(&left[in_pause.clone()]) < 1000.0 && energy(&right[in_pause]) < 1000.0,
        "the paused span is silent"
    );
    assert_near(dominant(&left), 440.0);
    assert_near(dominant(&right), 1000.0);
    let tail = |s: &[i16]| s[s.len() - 2400..s.len() - 800].to_vec();
    assert!(energy(&tail(&left)) < 1000.0 && energy(&tail(&right)) < 1000.0);
    let first_second = energy(&left[..8000]);
    assert!(
        energy(&right[..4000]) < first_second / 100.0,
        "our side was silent then"
    );
    drop(call);
}
