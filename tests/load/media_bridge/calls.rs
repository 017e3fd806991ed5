//! The load side of the calls. Each call is a str0m WebRTC client (full ICE
//! agent, DTLS-SRTP, RTP mode, PCMA only) standing for the browser and a plain
//! RTP sender standing for the SIP provider. Both send a 20 ms PCMA packet
//! every 20 ms; the first 8 payload bytes carry the send instant (nanoseconds
//! since the run's epoch) and the next 4 the call's index, so the receiving
//! side of the same process reads the one-way latency and catches cross-talk.
//! In the baseline the two ends send the same plain packets straight to each
//! other over loopback.
//!
//! To leave the cores to the system under test, the load is lean: one
//! [`Shard`] per core drives its share of the calls from a single loop with
//! two sockets — every browser of the shard on one (demultiplexed by the
//! sender's address, the bridge's per-call port), every provider on the
//! other (the system under test latches it per call) — instead of a task and
//! two sockets per call.

use std::collections::HashMap;
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
use tokio::sync::mpsc;

/// 20 ms of 8 kHz G.711.
pub const FRAME: usize = 160;
pub const PTIME: Duration = Duration::from_millis(20);
/// PCMA: both legs use it, so every hop passes the payload untouched.
pub const PT: u8 = 8;
/// A-law silence fills the payload after the stamp.
const SILENCE: u8 = 0xD5;
/// Socket buffers of the load's shared sockets (a shard's whole traffic).
const SOCKET_BUFFER: usize = 4 << 20;

/// Direction 0: browser → trunk (the str0m client sends, the provider reads).
/// Direction 1: trunk → browser.
pub const TO_TRUNK: usize = 0;
pub const TO_BROWSER: usize = 1;

/// What the shards of one measurement share with the controller.
pub struct Shared {
    epoch: Instant,
    /// Packets whose send stamp falls in [start, end) are counted.
    start: AtomicU64,
    end: AtomicU64,
    pub stop: AtomicBool,
    /// Calls whose media flows (WebRTC connected, or a baseline pair adopted).
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
    fn first_tick(&self, index: u32, now: Instant) -> Instant {
        let period = PTIME.as_nanos() as u64;
        let phase = u64::from(index) * period / self.calls.max(1) as u64;
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

/// What one call measured.
#[derive(Default)]
pub struct Tally {
    pub dirs: [Dir; 2],
    /// Packets of this call that came from another call's address, or with
    /// another call's index (cross-talk: must stay 0).
    pub misrouted: u64,
    /// Its WebRTC engine failed.
    pub failed: bool,
}

fn payload(index: u32, stamp: u64) -> [u8; FRAME] {
    let mut p = [SILENCE; FRAME];
    p[..8].copy_from_slice(&stamp.to_be_bytes());
    p[8..12].copy_from_slice(&index.to_be_bytes());
    p
}

fn index_of(payload: &[u8]) -> Option<u32> {
    Some(u32::from_be_bytes(payload.get(8..12)?.try_into().ok()?))
}

impl Tally {
    fn sent(&mut self, shared: &Shared, dir: usize, stamp: u64) {
        if shared.in_window(stamp) {
            self.dirs[dir].sent += 1;
        }
    }

    fn received(&mut self, shared: &Shared, index: u32, dir: usize, payload: &[u8], at_ns: u64) {
        let Some(stamp) = payload.get(..8) else {
            return;
        };
        let stamp = u64::from_be_bytes(stamp.try_into().unwrap_or_default());
        if index_of(payload) != Some(index) {
            self.misrouted += 1;
            return;
        }
        if shared.in_window(stamp) {
            let d = &mut self.dirs[dir];
            d.received += 1;
            d.latency_ns
                .push(at_ns.saturating_sub(stamp).min(u64::from(u32::MAX)) as u32);
        }
    }
}

/// Plain RTP header state of one sender.
struct RtpOut {
    ssrc: u32,
    seq: u16,
    timestamp: u32,
}

impl RtpOut {
    fn new(ssrc: u32) -> RtpOut {
        RtpOut {
            ssrc,
            seq: ssrc as u16,
            timestamp: ssrc << 4,
        }
    }

    fn send(&mut self, sock: &UdpSocket, out: &mut Vec<u8>, to: SocketAddr, payload: &[u8]) {
        out.clear();
        out.extend_from_slice(&[0x80, PT]);
        out.extend_from_slice(&self.seq.to_be_bytes());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        out.extend_from_slice(&self.ssrc.to_be_bytes());
        out.extend_from_slice(payload);
        let _ = sock.try_send_to(out, to);
        self.seq = self.seq.wrapping_add(1);
        self.timestamp = self.timestamp.wrapping_add(FRAME as u32);
    }
}

/// The SSRC the provider of call `index` sends with.
pub fn provider_ssrc(index: u32) -> u32 {
    0x5000_0000 | index
}

/// The provider's SDP answer: PCMA at `port`. It names the provider's SSRC:
/// the relay ignores that, but through rtpengine (which forwards the
/// provider's SSRC and attributes as they are) it is how the str0m client
/// knows the stream — str0m drops RTP of an SSRC that neither SDP nor a `mid`
/// header extension announced (Chromium would take it).
pub fn provider_answer(index: u32, port: u16) -> String {
    format!(
        "v=0\r\no=- {index} 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
         m=audio {port} RTP/AVP {PT}\r\na=rtpmap:{PT} PCMA/8000\r\na=ptime:20\r\na=sendrecv\r\n\
         a=ssrc:{} cname:provider{index}\r\n",
        provider_ssrc(index)
    )
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

/// Where a WebRTC answer's media comes from: its first ICE candidate, else
/// its `c=`/`m=` address (one host candidate on loopback either way).
pub fn sdp_ice_addr(sdp: &str) -> Option<SocketAddr> {
    sdp.lines()
        .filter_map(|l| l.trim().strip_prefix("a=candidate:"))
        .find_map(|c| {
            let f: Vec<&str> = c.split_whitespace().collect();
            Some(SocketAddr::new(
                f.get(4)?.parse().ok()?,
                f.get(5)?.parse().ok()?,
            ))
        })
        .or_else(|| sdp_audio_addr(sdp))
}

/// The browser: a str0m client with a full ICE agent whose one host
/// candidate is its shard's browser socket.
pub struct Client {
    rtc: Rtc,
    mid: Option<Mid>,
    pending: Option<SdpPendingOffer>,
    connected: bool,
    next_timeout: Instant,
    seq: u64,
    timestamp: u32,
}

impl Client {
    pub fn new(local: SocketAddr) -> Result<Client, String> {
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
        rtc.add_local_candidate(Candidate::host(local, "udp").map_err(|e| e.to_string())?);
        Ok(Client {
            rtc,
            mid: None,
            pending: None,
            connected: false,
            next_timeout: Instant::now(),
            seq: 1,
            timestamp: 0,
        })
    }

    /// An offer with one send-receive audio section (gathering complete).
    pub fn offer(&mut self) -> Result<String, String> {
        let mut change = self.rtc.sdp_api();
        let mid = change.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
        let (offer, pending) = change.apply().ok_or("str0m made no offer")?;
        self.mid = Some(mid);
        self.pending = Some(pending);
        // Nothing to send before the answer: drain str0m's state only.
        while let Ok(out) = self.rtc.poll_output() {
            if let Output::Timeout(t) = out {
                self.next_timeout = t;
                break;
            }
        }
        Ok(offer.to_sdp_string())
    }

    pub fn accept_answer(&mut self, sdp: &str) -> Result<(), String> {
        let answer = SdpAnswer::from_sdp_string(sdp).map_err(|e| format!("answer: {e}"))?;
        let pending = self.pending.take().ok_or("no offer pending")?;
        self.rtc
            .sdp_api()
            .accept_answer(pending, answer)
            .map_err(|e| format!("answer refused: {e}"))
    }

    /// Drains str0m (the single-mutation rule: after every input); received
    /// RTP is stamped `at_ns`, when its datagram came off the socket.
    fn drain(&mut self, sock: &UdpSocket, call: &mut CallState, shared: &Shared, at_ns: u64) {
        loop {
            match self.rtc.poll_output() {
                Ok(Output::Timeout(t)) => {
                    self.next_timeout = t;
                    return;
                }
                Ok(Output::Transmit(t)) => {
                    let _ = sock.try_send_to(&t.contents, t.destination);
                }
                Ok(Output::Event(Event::Connected)) => {
                    if !self.connected {
                        self.connected = true;
                        shared.connected.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Ok(Output::Event(Event::MediaAdded(m))) => {
                    self.mid.get_or_insert(m.mid);
                }
                Ok(Output::Event(Event::RtpPacket(p))) => {
                    if *p.header.payload_type == PT {
                        let index = call.index;
                        call.tally
                            .received(shared, index, TO_BROWSER, &p.payload, at_ns);
                    }
                }
                Ok(Output::Event(_)) => {}
                Err(_) => {
                    call.tally.failed = true;
                    self.next_timeout = Instant::now() + Duration::from_secs(3600);
                    return;
                }
            }
        }
    }

    fn timeout(&mut self, sock: &UdpSocket, call: &mut CallState, shared: &Shared) {
        let _ = self.rtc.handle_input(Input::Timeout(Instant::now()));
        self.drain(sock, call, shared, 0);
    }

    /// Writes one packet and has str0m send it now: its pacer releases newly
    /// written media on the next timeout input (its poll asks for one at
    /// once), and going through a timer would add about a millisecond.
    fn send(&mut self, sock: &UdpSocket, call: &mut CallState, shared: &Shared, payload: &[u8]) {
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
        self.drain(sock, call, shared, 0);
        self.timeout(sock, call, shared);
    }
}

/// A call's bookkeeping apart from its WebRTC engine (so both can be
/// borrowed at once).
struct CallState {
    index: u32,
    tally: Tally,
    provider: RtpOut,
    /// The baseline's browser end (plain RTP).
    browser_plain: RtpOut,
    next_send: Instant,
}

/// One call handed to a shard.
pub struct Call {
    state: CallState,
    /// `None` in the baseline.
    client: Option<Client>,
    /// Where the system under test sends the browser's media from.
    browser_remote: Option<SocketAddr>,
    /// Where the provider sends to (the trunk address of the SUT's offer);
    /// also where the SUT sends the provider's media from (symmetric RTP).
    trunk: Option<SocketAddr>,
}

impl Call {
    /// A call through a system under test.
    pub fn bridged(
        index: u32,
        client: Client,
        browser_remote: SocketAddr,
        trunk: SocketAddr,
    ) -> Call {
        let mut call = Call::baseline(index);
        call.client = Some(client);
        call.browser_remote = Some(browser_remote);
        call.trunk = Some(trunk);
        call
    }

    /// A baseline pair: the shard's two sockets talk straight to each other.
    pub fn baseline(index: u32) -> Call {
        Call {
            state: CallState {
                index,
                tally: Tally::default(),
                provider: RtpOut::new(provider_ssrc(index)),
                browser_plain: RtpOut::new(0x6000_0000 | index),
                next_send: Instant::now(),
            },
            client: None,
            browser_remote: None,
            trunk: None,
        }
    }
}

fn bind_loopback() -> std::io::Result<UdpSocket> {
    let sock = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::DGRAM, None)?;
    // Best effort: the kernel caps them at net.core.[rw]mem_max.
    let _ = sock.set_recv_buffer_size(SOCKET_BUFFER);
    let _ = sock.set_send_buffer_size(SOCKET_BUFFER);
    sock.bind(&SocketAddr::from((Ipv4Addr::LOCALHOST, 0)).into())?;
    sock.set_nonblocking(true)?;
    UdpSocket::from_std(sock.into())
}

/// The controller's handle on a shard: its two addresses and its queue.
pub struct Shard {
    pub browser_addr: SocketAddr,
    pub provider_addr: SocketAddr,
    calls: mpsc::UnboundedSender<Call>,
    task: tokio::task::JoinHandle<Vec<Tally>>,
}

impl Shard {
    pub fn start(shared: Arc<Shared>) -> std::io::Result<Shard> {
        let browser = bind_loopback()?;
        let provider = bind_loopback()?;
        let (tx, rx) = mpsc::unbounded_channel();
        let shard = Shard {
            browser_addr: browser.local_addr()?,
            provider_addr: provider.local_addr()?,
            calls: tx,
            task: tokio::spawn(run(browser, provider, rx, shared)),
        };
        Ok(shard)
    }

    pub fn add(&self, call: Call) {
        let _ = self.calls.send(call);
    }

    /// Waits for the shard to stop (after `Shared::stop`) and returns every
    /// call's tally.
    pub async fn finish(self) -> Vec<Tally> {
        drop(self.calls);
        self.task.await.unwrap_or_default()
    }
}

/// A shard's loop: adopts calls, reads both sockets dry on every wake, and
/// sends what is due (every call every 20 ms; str0m's timers).
async fn run(
    browser: UdpSocket,
    provider: UdpSocket,
    mut incoming: mpsc::UnboundedReceiver<Call>,
    shared: Arc<Shared>,
) -> Vec<Tally> {
    let browser_addr = browser.local_addr().ok();
    let provider_addr = provider.local_addr().ok();
    let mut calls: Vec<Call> = Vec::new();
    let mut by_remote: HashMap<SocketAddr, usize> = HashMap::new();
    let mut by_index: HashMap<u32, usize> = HashMap::new();
    let mut buf = vec![0u8; 2048];
    let mut out = Vec::with_capacity(256);
    let mut next_wake = Instant::now();
    let mut open = true;
    while !shared.stop.load(Ordering::Relaxed) {
        tokio::select! {
            call = incoming.recv(), if open => match call {
                Some(mut call) => {
                    let i = calls.len();
                    call.state.next_send = shared.first_tick(call.state.index, Instant::now());
                    if let Some(client) = call.client.as_mut() {
                        client.drain(&browser, &mut call.state, &shared, 0);
                    } else {
                        shared.connected.fetch_add(1, Ordering::Relaxed);
                    }
                    if let Some(remote) = call.browser_remote {
                        by_remote.insert(remote, i);
                    }
                    by_index.insert(call.state.index, i);
                    calls.push(call);
                    next_wake = Instant::now();
                }
                None => open = false,
            },
            _ = browser.readable() => {}
            _ = provider.readable() => {}
            _ = tokio::time::sleep_until(next_wake.into()) => {}
        }
        // The browsers' socket: WebRTC from the SUT (by its address), or the
        // baseline's plain packets from the provider socket (by index).
        while let Ok((n, from)) = browser.try_recv_from(&mut buf) {
            let at = shared.now_ns();
            if let Some(&i) = by_remote.get(&from) {
                let call = &mut calls[i];
                if let (Some(client), Some(local)) = (call.client.as_mut(), browser_addr) {
                    if let Ok(r) = Receive::new(Protocol::Udp, from, local, &buf[..n]) {
                        let _ = client.rtc.handle_input(Input::Receive(Instant::now(), r));
                        client.drain(&browser, &mut call.state, &shared, at);
                        next_wake = next_wake.min(client.next_timeout);
                    }
                }
            } else if Some(from) == provider_addr {
                let payload = rtp_payload(&buf[..n]);
                let i = payload.and_then(index_of).and_then(|x| by_index.get(&x));
                if let (Some(payload), Some(&i)) = (payload, i) {
                    let s = &mut calls[i].state;
                    s.tally.received(&shared, s.index, TO_BROWSER, payload, at);
                }
            }
        }
        // The providers' socket: plain RTP, the call by its index, checked
        // against the address it must come from.
        while let Ok((n, from)) = provider.try_recv_from(&mut buf) {
            let at = shared.now_ns();
            let Some(payload) = rtp_payload(&buf[..n]) else {
                continue;
            };
            let Some(&i) = index_of(payload).and_then(|x| by_index.get(&x)) else {
                continue;
            };
            let call = &mut calls[i];
            let expected = call.trunk.or(browser_addr);
            let s = &mut call.state;
            if expected == Some(from) {
                s.tally.received(&shared, s.index, TO_TRUNK, payload, at);
            } else {
                s.tally.misrouted += 1;
            }
        }
        let now = Instant::now();
        if now < next_wake {
            continue;
        }
        // Due work; the next wake is the earliest deadline left.
        let mut earliest = now + PTIME;
        for call in &mut calls {
            let s = &mut call.state;
            if now >= s.next_send {
                match (call.client.as_mut(), call.trunk) {
                    (Some(client), Some(trunk)) => {
                        if client.connected {
                            let stamp = shared.now_ns();
                            client.send(&browser, s, &shared, &payload(s.index, stamp));
                            s.tally.sent(&shared, TO_TRUNK, stamp);
                            let stamp = shared.now_ns();
                            s.provider
                                .send(&provider, &mut out, trunk, &payload(s.index, stamp));
                            s.tally.sent(&shared, TO_BROWSER, stamp);
                        }
                    }
                    _ => {
                        if let (Some(b), Some(p)) = (browser_addr, provider_addr) {
                            let stamp = shared.now_ns();
                            s.browser_plain
                                .send(&browser, &mut out, p, &payload(s.index, stamp));
                            s.tally.sent(&shared, TO_TRUNK, stamp);
                            let stamp = shared.now_ns();
                            s.provider
                                .send(&provider, &mut out, b, &payload(s.index, stamp));
                            s.tally.sent(&shared, TO_BROWSER, stamp);
                        }
                    }
                }
                s.next_send += PTIME;
                if s.next_send < now {
                    // Fell behind (overload): skip, as a real-time sender would.
                    s.next_send = shared.first_tick(s.index, now);
                }
            }
            earliest = earliest.min(s.next_send);
            if let Some(client) = call.client.as_mut() {
                if now >= client.next_timeout {
                    client.timeout(&browser, s, &shared);
                }
                earliest = earliest.min(client.next_timeout.max(now));
            }
        }
        next_wake = earliest;
    }
    calls.into_iter().map(|c| c.state.tally).collect()
}
