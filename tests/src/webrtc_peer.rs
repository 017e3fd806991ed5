//! The media half of a test "browser": a str0m WebRTC client with a full ICE
//! agent (the relay is ICE-lite), RTP mode, G.711 and telephone-event — the
//! approach of `relay/tests/media_bridge.rs`. Signalling goes through
//! [`crate::sip_phone::WsPhone`]; this peer only makes the SDP offer, takes
//! the answer, connects and sends or collects RTP.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::format::{Codec, FormatParams};
use str0m::media::{Direction, Frequency, MediaKind, Mid};
use str0m::net::{Protocol, Receive};
use str0m::rtp::RtpWrite;
use str0m::{Candidate, Event, Input, Output, Rtc};
use tokio::net::UdpSocket;

/// One RTP packet the peer received.
#[derive(Debug, Clone)]
pub struct Got {
    pub pt: u8,
    pub seq: u16,
    pub payload: Vec<u8>,
}

pub struct WebRtcPeer {
    rtc: Rtc,
    sock: UdpSocket,
    local: SocketAddr,
    mid: Option<Mid>,
    pending: Option<SdpPendingOffer>,
    pub connected: bool,
    pub received: Vec<Got>,
    next_timeout: Instant,
    seq: u64,
}

impl WebRtcPeer {
    /// A peer on 127.0.0.1 offering PCMA (8), PCMU (0) and telephone-event (101).
    pub async fn g711() -> WebRtcPeer {
        let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let sock = UdpSocket::bind((ip, 0)).await.expect("peer socket");
        let local = sock.local_addr().expect("peer address");
        let mut config = Rtc::builder().set_rtp_mode(true).clear_codecs();
        for (pt, codec) in [(8u8, Codec::PCMA), (0, Codec::PCMU), (101, Codec::Tele)] {
            let format = if codec == Codec::Tele {
                FormatParams::parse_line("0-16")
            } else {
                FormatParams::default()
            };
            config.codec_config().add_config(
                pt.into(),
                None,
                codec,
                Frequency::EIGHT_KHZ,
                None,
                format,
            );
        }
        let mut rtc = config.build(Instant::now());
        rtc.add_local_candidate(Candidate::host(local, "udp").expect("host candidate"));
        let mut peer = WebRtcPeer {
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
        peer.drain();
        peer
    }

    /// The peer's own UDP address (its only ICE candidate).
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// An offer with one send-receive audio section and our candidate.
    pub fn offer(&mut self) -> String {
        let mut change = self.rtc.sdp_api();
        let mid = change.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
        let (offer, pending) = change.apply().expect("an offer");
        self.drain();
        self.mid = Some(mid);
        self.pending = Some(pending);
        offer.to_sdp_string()
    }

    /// A re-offer of the audio section with our direction set to
    /// `direction` (hold: `SendOnly` or `Inactive`; resume: `SendRecv`), as a
    /// browser's `RTCRtpTransceiver.direction` change makes it; the answer
    /// goes to [`Self::accept_answer`]. None when nothing changes.
    pub fn reoffer(&mut self, direction: Direction) -> Option<String> {
        let mid = self.mid.expect("an audio section");
        let mut change = self.rtc.sdp_api();
        change.set_direction(mid, direction);
        let applied = change.apply();
        self.drain();
        let (offer, pending) = applied?;
        self.pending = Some(pending);
        Some(offer.to_sdp_string())
    }

    pub fn accept_answer(&mut self, sdp: &str) {
        let answer = SdpAnswer::from_sdp_string(sdp).expect("a WebRTC answer");
        let pending = self.pending.take().expect("an offer was made");
        self.rtc
            .sdp_api()
            .accept_answer(pending, answer)
            .expect("answer accepted");
        self.drain();
    }

    pub fn accept_offer(&mut self, sdp: &str) -> String {
        let offer = SdpOffer::from_sdp_string(sdp).expect("a WebRTC offer");
        let answer = self
            .rtc
            .sdp_api()
            .accept_offer(offer)
            .expect("offer accepted");
        self.drain();
        answer.to_sdp_string()
    }

    fn drain(&mut self) {
        loop {
            match self.rtc.poll_output() {
                Ok(Output::Timeout(t)) => {
                    self.next_timeout = t;
                    return;
                }
                Ok(Output::Transmit(t)) => {
                    let _ = self.sock.try_send_to(&t.contents, t.destination);
                }
                Ok(Output::Event(Event::Connected)) => self.connected = true,
                Ok(Output::Event(Event::MediaAdded(m))) => {
                    self.mid.get_or_insert(m.mid);
                }
                Ok(Output::Event(Event::RtpPacket(p))) => self.received.push(Got {
                    pt: *p.header.payload_type,
                    seq: p.header.sequence_number,
                    payload: p.payload.to_vec(),
                }),
                Ok(Output::Event(_)) => {}
                Err(_) => return,
            }
        }
    }

    /// Runs the peer (ICE, DTLS, receiving) for `limit` or until `done`.
    pub async fn pump(
        &mut self,
        limit: Duration,
        mut done: impl FnMut(&WebRtcPeer) -> bool,
    ) -> bool {
        let end = Instant::now() + limit;
        let mut buf = vec![0u8; 2048];
        loop {
            self.drain();
            if done(self) {
                return true;
            }
            if Instant::now() >= end {
                return false;
            }
            let wake = self.next_timeout.min(end).max(Instant::now());
            tokio::select! {
                r = self.sock.recv_from(&mut buf) => {
                    if let Ok((n, from)) = r {
                        if let Ok(r) = Receive::new(Protocol::Udp, from, self.local, &buf[..n]) {
                            let _ = self.rtc.handle_input(Input::Receive(Instant::now(), r));
                        }
                    }
                }
                _ = tokio::time::sleep_until(wake.into()) => {
                    let _ = self.rtc.handle_input(Input::Timeout(Instant::now()));
                }
            }
        }
    }

    /// Sends one RTP packet.
    pub fn send(&mut self, pt: u8, timestamp: u32, marker: bool, payload: &[u8]) {
        let mid = self.mid.expect("an audio section");
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

    /// Sends `packets` × 20 ms of a `freq` tone as A-law (pt 8), in real time.
    pub async fn send_tone(&mut self, freq: f64, packets: usize) {
        for i in 0..packets {
            let payload: Vec<u8> = tone(freq, i * 160, 160)
                .iter()
                .map(|s| callcard_relay::media::g711::linear_to_alaw(*s))
                .collect();
            self.send(8, 160 * i as u32, i == 0, &payload);
            self.pump(Duration::from_millis(20), |_| false).await;
        }
    }

    /// Sends `digits` (0-9, *, #, A-D) as RFC 4733 telephone-events (pt
    /// 101): per digit 100 ms of updates, then the end packet three times,
    /// then 60 ms of pause, in real time.
    pub async fn send_dtmf(&mut self, digits: &str) {
        for digit in digits.chars() {
            let event = match digit {
                '0'..='9' => digit as u8 - b'0',
                '*' => 10,
                '#' => 11,
                'A'..='D' => digit as u8 - b'A' + 12,
                other => panic!("not a DTMF digit: {other:?}"),
            };
            // One event: one timestamp (its start), the duration grows.
            let timestamp = 160 * self.seq as u32;
            for i in 1..=5u16 {
                let duration = (160 * i).to_be_bytes();
                let payload = [event, 10, duration[0], duration[1]];
                self.send(101, timestamp, i == 1, &payload);
                self.pump(Duration::from_millis(20), |_| false).await;
            }
            let duration = 800u16.to_be_bytes();
            for _ in 0..3 {
                self.send(
                    101,
                    timestamp,
                    false,
                    &[event, 0x80 | 10, duration[0], duration[1]],
                );
            }
            self.pump(Duration::from_millis(60), |_| false).await;
        }
    }

    /// The audio received as G.711 (pt 0 or 8), decoded, in sequence order.
    pub fn received_pcm(&self) -> Vec<i16> {
        let mut got: Vec<&Got> = self
            .received
            .iter()
            .filter(|g| g.pt == 0 || g.pt == 8)
            .collect();
        got.sort_by_key(|g| g.seq);
        got.iter()
            .flat_map(|g| {
                g.payload.iter().map(move |b| match g.pt {
                    0 => callcard_relay::media::g711::ulaw_to_linear(*b),
                    _ => callcard_relay::media::g711::alaw_to_linear(*b),
                })
            })
            .collect()
    }
}

/// `n` samples of a sine at `freq` Hz, 8 kHz, from sample `start`.
pub fn tone(freq: f64, start: usize, n: usize) -> Vec<i16> {
    (start..start + n)
        .map(|i| (8000.0 * (2.0 * std::f64::consts::PI * freq * i as f64 / 8000.0).sin()) as i16)
        .collect()
}

/// The frequency (5 Hz grid, 50–3950 Hz) with the most energy (Goertzel).
pub fn dominant(samples: &[i16]) -> f64 {
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
