//! The load side of one call: a str0m WebRTC client (full ICE agent, DTLS-SRTP,
//! RTP mode, PCMA only) standing for the browser and a plain RTP peer standing
//! for the SIP provider, driven by one tokio task. Both send a 20 ms PCMA packet
//! every 20 ms; the first 8 payload bytes carry the send instant (nanoseconds
//! since the run's epoch) and the next 4 the call's index, so the receiving
//! side of the same process reads the one-way latency and catches cross-talk.
//! The baseline call is two plain UDP sockets sending the same packets to each
//! other directly over loopback.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use str0m::change::{SdpAnswer, SdpPendingOffer};
use str0m::format::{Codec, FormatParams};
use str0m::media::{Direction, Frequency, MediaKind, Mid};
use str0m::net::{Protocol, Receive};
use str0m::rtp::RtpWrite;
use str0m::{Candidate, Event, Input, Output, Rtc};
use tokio::net::UdpSocket;

/// 20 ms of 8 kHz G.711.
pub const FRAME: usize = 160;
pub const PTIME: Duration = Duration::from_millis(20);
/// PCMA: both legs use it, so every hop passes the payload untouched.
pub const PT: u8 = 8;
/// A-law silence fills the payload after the stamp.
const SILENCE: u8 = 0xD5;

/// Direction 0: browser → trunk (the str0m client sends, the RTP peer reads;
/// in the baseline socket A → B). Direction 1: trunk → browser.
pub const TO_TRUNK: usize = 0;
pub const TO_BROWSER: usize = 1;

/// What every call task of one measurement shares with the controller.
pub struct Shared {
    epoch: Instant,
    /// Packets whose send stamp falls in [start, end) are counted.
    start: AtomicU64,
    end: AtomicU64,
    pub stop: AtomicBool,
    /// Calls whose media flows (WebRTC connected, or a baseline pair bound).
    pub connected: AtomicUsize,
    calls: usize,
}

impl Shared {
    pub fn new(calls: usize) -> Arc<Shared> {
        Arc::new(Shared {
            epoch: Instant::now(),
            start: AtomicU64::new(u64::MAX),
            end: AtomicU64::new(u64::MAX),
            stop: AtomicBool::new(false),
            connected: AtomicUsize::new(0),
            calls,
        })
    }

    pub fn now_ns(&self) -> u64 {
        self.epoch.elapsed().as_nanos() as u64
    }

    pub fn open_window(&self) {
        self.start.store(self.now_ns(), Ordering::Relaxed);
    }

    pub fn close_window(&self) {
        self.end.store(self.now_ns(), Ordering::Relaxed);
    }

    fn in_window(&self, stamp: u64) -> bool {
        stamp >= self.start.load(Ordering::Relaxed) && stamp < self.end.load(Ordering::Relaxed)
    }

    /// The first send instant of call `index` after `now`: calls are spread
    /// evenly over the 20 ms period, whenever they were set up.
    fn first_tick(&self, index: usize, now: Instant) -> Instant {
        let period = PTIME.as_nanos() as u64;
        let phase = index as u64 * period / self.calls.max(1) as u64;
        let since = now.duration_since(self.epoch).as_nanos() as u64;
        let k = since.saturating_sub(phase) / period + 1;
        self.epoch + Duration::from_nanos(k * period + phase)
    }
}

/// One direction's counts inside the window, and the latencies (ns).
#[derive(Default)]
pub struct Dir {
    pub sent: u64,
    pub received: u64,
    pub latency_ns: Vec<u32>,
}

/// What one call task measured.
#[derive(Default)]
pub struct Tally {
    pub dirs: [Dir; 2],
    /// Packets carrying another call's index (cross-talk: must stay 0).
    pub misrouted: u64,
    /// The task saw its WebRTC engine fail.
    pub failed: bool,
}

struct Recorder {
    shared: Arc<Shared>,
    index: u32,
    tally: Tally,
}

impl Recorder {
    fn payload(&self, stamp: u64) -> [u8; FRAME] {
        let mut p = [SILENCE; FRAME];
        p[..8].copy_from_slice(&stamp.to_be_bytes());
        p[8..12].copy_from_slice(&self.index.to_be_bytes());
        p
    }

    fn sent(&mut self, dir: usize, stamp: u64) {
        if self.shared.in_window(stamp) {
            self.tally.dirs[dir].sent += 1;
        }
    }

    fn received(&mut self, dir: usize, payload: &[u8], at_ns: u64) {
        if payload.len() < 12 {
            return;
        }
        let stamp = u64::from_be_bytes(payload[..8].try_into().unwrap_or_default());
        let index = u32::from_be_bytes(payload[8..12].try_into().unwrap_or_default());
        if index != self.index {
            self.tally.misrouted += 1;
            return;
        }
        if self.shared.in_window(stamp) {
            let d = &mut self.tally.dirs[dir];
            d.received += 1;
            d.latency_ns
                .push(at_ns.saturating_sub(stamp).min(u64::from(u32::MAX)) as u32);
        }
    }
}

/// A plain RTP endpoint: the provider of a bridged call, or one end of a
/// baseline pair.
pub struct RtpPeer {
    sock: UdpSocket,
    ssrc: u32,
    seq: u16,
    timestamp: u32,
    out: Vec<u8>,
}

impl RtpPeer {
    pub async fn bind() -> std::io::Result<RtpPeer> {
        let sock = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let port = sock.local_addr()?.port();
        Ok(RtpPeer {
            sock,
            ssrc: 0x5000_0000 | u32::from(port),
            seq: port,
            timestamp: u32::from(port) << 8,
            out: Vec::with_capacity(12 + FRAME),
        })
    }

    pub fn port(&self) -> u16 {
        self.sock.local_addr().map_or(0, |a| a.port())
    }

    /// The provider's SDP answer: PCMA at our address. It names our SSRC:
    /// the relay ignores that, but through rtpengine (which forwards the
    /// provider's SSRC and attributes as they are) it is how the str0m client
    /// knows the stream — str0m drops RTP of an SSRC that neither SDP nor a
    /// `mid` header extension announced (Chromium would take it).
    pub fn answer_sdp(&self, session: usize) -> String {
        format!(
            "v=0\r\no=- {session} 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
             m=audio {} RTP/AVP {PT}\r\na=rtpmap:{PT} PCMA/8000\r\na=ptime:20\r\na=sendrecv\r\n\
             a=ssrc:{} cname:provider{session}\r\n",
            self.port(),
            self.ssrc
        )
    }

    fn send(&mut self, to: SocketAddr, payload: &[u8]) {
        self.out.clear();
        self.out.extend_from_slice(&[0x80, PT]);
        self.out.extend_from_slice(&self.seq.to_be_bytes());
        self.out.extend_from_slice(&self.timestamp.to_be_bytes());
        self.out.extend_from_slice(&self.ssrc.to_be_bytes());
        self.out.extend_from_slice(payload);
        let _ = self.sock.try_send_to(&self.out, to);
        self.seq = self.seq.wrapping_add(1);
        self.timestamp = self.timestamp.wrapping_add(FRAME as u32);
    }
}

/// The payload of an RTP packet of our payload type (RTCP and others: `None`).
fn rtp_payload(buf: &[u8]) -> Option<&[u8]> {
    if buf.len() < 12 || buf[0] >> 6 != 2 || buf[1] & 0x7F != PT {
        return None;
    }
    let mut offset = 12 + 4 * usize::from(buf[0] & 0x0F);
    if buf[0] & 0x10 != 0 {
        let ext = buf.get(offset + 2..offset + 4)?;
        offset += 4 + 4 * usize::from(u16::from_be_bytes([ext[0], ext[1]]));
    }
    buf.get(offset..)
}

/// The audio destination of an SDP (session or media `c=` and `m=audio`).
pub fn sdp_audio_addr(sdp: &str) -> Option<SocketAddr> {
    let mut ip: Option<IpAddr> = None;
    let mut port = None;
    for line in sdp.lines().map(str::trim) {
        if let Some(c) = line.strip_prefix("c=IN IP4 ") {
            ip = c
                .split('/')
                .next()
                .and_then(|a| a.trim().parse().ok())
                .or(ip);
        } else if let Some(m) = line.strip_prefix("m=audio ") {
            port = m.split_whitespace().next().and_then(|p| p.parse().ok());
        }
    }
    Some(SocketAddr::new(ip?, port?))
}

/// The browser: a str0m client with a full ICE agent on one loopback socket.
pub struct Client {
    rtc: Rtc,
    sock: UdpSocket,
    local: SocketAddr,
    mid: Option<Mid>,
    pending: Option<SdpPendingOffer>,
    connected: bool,
    next_timeout: Instant,
    seq: u64,
    timestamp: u32,
}

impl Client {
    pub async fn bind() -> std::io::Result<Client> {
        let sock = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let local = sock.local_addr()?;
        let mut config = Rtc::builder().set_rtp_mode(true).clear_codecs();
        config.codec_config().add_config(
            PT.into(),
            None,
            Codec::PCMA,
            Frequency::EIGHT_KHZ,
            None,
            FormatParams::default(),
        );
        let mut rtc = config.build(Instant::now());
        let candidate =
            Candidate::host(local, "udp").map_err(|e| std::io::Error::other(e.to_string()))?;
        rtc.add_local_candidate(candidate);
        Ok(Client {
            rtc,
            sock,
            local,
            mid: None,
            pending: None,
            connected: false,
            next_timeout: Instant::now(),
            seq: u64::from(local.port()),
            timestamp: u32::from(local.port()) << 12,
        })
    }

    /// An offer with one send-receive audio section (gathering complete).
    pub fn offer(&mut self) -> Result<String, String> {
        let mut change = self.rtc.sdp_api();
        let mid = change.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
        let (offer, pending) = change.apply().ok_or("str0m made no offer")?;
        self.mid = Some(mid);
        self.pending = Some(pending);
        Ok(offer.to_sdp_string())
    }

    /// Polls str0m until it only waits (after an SDP step, before the task
    /// takes over).
    pub fn flush(&mut self) {
        while let Ok(out) = self.rtc.poll_output() {
            match out {
                Output::Timeout(t) => {
                    self.next_timeout = t;
                    return;
                }
                Output::Transmit(t) => {
                    let _ = self.sock.try_send_to(&t.contents, t.destination);
                }
                Output::Event(_) => {}
            }
        }
    }

    pub fn accept_answer(&mut self, sdp: &str) -> Result<(), String> {
        let answer = SdpAnswer::from_sdp_string(sdp).map_err(|e| format!("answer: {e}"))?;
        let pending = self.pending.take().ok_or("no offer pending")?;
        self.rtc
            .sdp_api()
            .accept_answer(pending, answer)
            .map_err(|e| format!("answer refused: {e}"))
    }

    /// Drains str0m; received RTP is stamped with `at_ns`, when its datagram
    /// came off the socket. `false` once the engine has failed.
    fn drain(&mut self, rec: &mut Recorder, at_ns: u64) -> bool {
        loop {
            match self.rtc.poll_output() {
                Ok(Output::Timeout(t)) => {
                    self.next_timeout = t;
                    return true;
                }
                Ok(Output::Transmit(t)) => {
                    let _ = self.sock.try_send_to(&t.contents, t.destination);
                }
                Ok(Output::Event(Event::Connected)) => {
                    if !self.connected {
                        self.connected = true;
                        rec.shared.connected.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Ok(Output::Event(Event::MediaAdded(m))) => {
                    self.mid.get_or_insert(m.mid);
                }
                Ok(Output::Event(Event::RtpPacket(p))) => {
                    if *p.header.payload_type == PT {
                        rec.received(TO_BROWSER, &p.payload, at_ns);
                    }
                }
                Ok(Output::Event(_)) => {}
                Err(_) => return false,
            }
        }
    }

    fn send(&mut self, payload: &[u8]) {
        let Some(mid) = self.mid else { return };
        let mut api = self.rtc.direct_api();
        let Some(tx) = api.stream_tx_by_mid(mid, None) else {
            return;
        };
        tx.write_rtp(RtpWrite::new(
            PT.into(),
            self.seq.into(),
            self.timestamp,
            Instant::now(),
            payload,
        ));
        self.seq += 1;
        self.timestamp = self.timestamp.wrapping_add(FRAME as u32);
    }
}

/// One bridged call: the client talks WebRTC to the system under test, the
/// peer plain RTP to `trunk` (the address in the SUT's offer to the provider).
pub async fn bridged(
    mut client: Client,
    mut peer: RtpPeer,
    trunk: SocketAddr,
    index: usize,
    shared: Arc<Shared>,
) -> Tally {
    let mut rec = Recorder {
        shared: shared.clone(),
        index: index as u32,
        tally: Tally::default(),
    };
    let mut cbuf = vec![0u8; 2048];
    let mut pbuf = vec![0u8; 2048];
    let mut next_send = shared.first_tick(index, Instant::now());
    let mut at_ns = 0;
    loop {
        if !client.drain(&mut rec, at_ns) {
            rec.tally.failed = true;
            break;
        }
        if shared.stop.load(Ordering::Relaxed) {
            break;
        }
        let wake = client.next_timeout.min(next_send);
        tokio::select! {
            r = client.sock.recv_from(&mut cbuf) => {
                at_ns = shared.now_ns();
                if let Ok((n, from)) = r {
                    if let Ok(r) = Receive::new(Protocol::Udp, from, client.local, &cbuf[..n]) {
                        let _ = client.rtc.handle_input(Input::Receive(Instant::now(), r));
                    }
                }
            }
            r = peer.sock.recv_from(&mut pbuf) => {
                let at = shared.now_ns();
                if let Some(payload) = r.ok().and_then(|(n, _)| rtp_payload(&pbuf[..n])) {
                    rec.received(TO_TRUNK, payload, at);
                }
            }
            _ = tokio::time::sleep_until(wake.into()) => {}
        }
        let now = Instant::now();
        let mut timed_out = false;
        if now >= next_send {
            if client.connected {
                // Events of a datagram just received first (single mutation).
                client.drain(&mut rec, at_ns);
                let stamp = shared.now_ns();
                client.send(&rec.payload(stamp));
                rec.sent(TO_TRUNK, stamp);
                // str0m's pacer releases newly written media on the next
                // timeout input (its poll asks for one at once): give it that
                // input now rather than through a timer, which would add about
                // a millisecond; the drain at the loop's top sends it.
                client.drain(&mut rec, at_ns);
                let _ = client.rtc.handle_input(Input::Timeout(Instant::now()));
                timed_out = true;
                let stamp = shared.now_ns();
                peer.send(trunk, &rec.payload(stamp));
                rec.sent(TO_BROWSER, stamp);
            }
            next_send += PTIME;
            if next_send < now {
                // Fell behind (overload): skip, as a real-time sender would.
                next_send = shared.first_tick(index, now);
            }
        }
        if !timed_out && now >= client.next_timeout {
            client.drain(&mut rec, at_ns);
            let _ = client.rtc.handle_input(Input::Timeout(now));
        }
    }
    rec.tally
}

/// One baseline pair: the same packets straight from socket to socket.
pub async fn baseline(index: usize, shared: Arc<Shared>) -> Tally {
    let mut rec = Recorder {
        shared: shared.clone(),
        index: index as u32,
        tally: Tally::default(),
    };
    let (Ok(mut a), Ok(mut b)) = (RtpPeer::bind().await, RtpPeer::bind().await) else {
        rec.tally.failed = true;
        return rec.tally;
    };
    let (to_a, to_b) = (
        SocketAddr::from((Ipv4Addr::LOCALHOST, a.port())),
        SocketAddr::from((Ipv4Addr::LOCALHOST, b.port())),
    );
    shared.connected.fetch_add(1, Ordering::Relaxed);
    let mut abuf = vec![0u8; 2048];
    let mut bbuf = vec![0u8; 2048];
    let mut next_send = shared.first_tick(index, Instant::now());
    while !shared.stop.load(Ordering::Relaxed) {
        tokio::select! {
            r = b.sock.recv_from(&mut bbuf) => {
                let at = shared.now_ns();
                if let Some(payload) = r.ok().and_then(|(n, _)| rtp_payload(&bbuf[..n])) {
                    rec.received(TO_TRUNK, payload, at);
                }
            }
            r = a.sock.recv_from(&mut abuf) => {
                let at = shared.now_ns();
                if let Some(payload) = r.ok().and_then(|(n, _)| rtp_payload(&abuf[..n])) {
                    rec.received(TO_BROWSER, payload, at);
                }
            }
            _ = tokio::time::sleep_until(next_send.into()) => {}
        }
        let now = Instant::now();
        if now >= next_send {
            let stamp = shared.now_ns();
            a.send(to_b, &rec.payload(stamp));
            rec.sent(TO_TRUNK, stamp);
            let stamp = shared.now_ns();
            b.send(to_a, &rec.payload(stamp));
            rec.sent(TO_BROWSER, stamp);
            next_send += PTIME;
            if next_send < now {
                next_send = shared.first_tick(index, now);
            }
        }
    }
    rec.tally
}
