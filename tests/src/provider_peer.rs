//! A SIP provider — the far end of a trunk — for end-to-end tests, on
//! 127.0.0.1: the `shared` SIP endpoint on a UDP socket plus a plain RTP
//! socket, run by a background task so a test only calls methods.
//!
//! It answers every INVITE (200 by default, or a chosen code) offering or
//! answering PCMA 8, PCMU 0 and telephone-event 101; while the negotiated
//! direction lets it send, it sends a continuous tone (1000 Hz by default) as
//! 20 ms G.711 packets in real time to the address it latched from received
//! RTP, else to the SDP's. It records what it receives: RTP packets, the
//! decoded audio, RFC 4733 digits and the direction of every offer. It can
//! also call the relay itself, hang up, and hold or resume with a re-INVITE.
//!
//! ```ignore
//! let provider = ProviderPeer::start().await;
//! create_trunk_over(&t, provider.sip_addr(), "pw", false, "udp").await;
//! // … a browser calls out through the relay …
//! provider.wait_until(WAIT, |s| s.received_packets > 50).await;
//! assert!((dominant(&provider.received_pcm()) - 440.0).abs() < 22.0);
//! ```

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use callcard_relay::media::{g711, rtp};
use callcard_shared::sip::sdp::{self, Codec, Direction, LocalMedia, Session};
use callcard_shared::sip::transaction::TimerConfig;
use callcard_shared::sip::ua::{CallHandle, Config, Endpoint, Event, Remote, TransportKind};
use callcard_shared::sip::uri::Uri;
use callcard_shared::Instant;
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot, watch};

use crate::webrtc_peer::tone;

/// Where the provider's one call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CallState {
    /// No call yet.
    #[default]
    Idle,
    /// Our INVITE is out (no final answer yet), or we ring before answering.
    Ringing,
    /// The call is up.
    Answered,
    /// Our INVITE failed with this code, or we rejected one with it.
    Failed(u16),
    /// The call ended (BYE either way, or CANCEL).
    Ended,
}

/// What the provider saw and did, as a snapshot (see [`ProviderPeer::state`]).
#[derive(Debug, Clone, Default)]
pub struct ProviderState {
    pub call: CallState,
    /// The request-URI user of every initial INVITE received, in order.
    pub invites: Vec<String>,
    /// The direction (`sendrecv`, `sendonly`, `recvonly`, `inactive`) of
    /// every SDP offer received, initial and re-INVITEs, in order.
    pub offered_directions: Vec<String>,
    /// The last SDP received (offer or answer).
    pub last_remote_sdp: Option<String>,
    /// Our side of the negotiated direction (`sendrecv` … `inactive`).
    pub direction: String,
    /// RTP packets received on the RTP port (any payload type).
    pub received_packets: usize,
    /// Decoded audio of the voice (PCMA/PCMU) packets, in arrival order.
    pub received_pcm: Vec<i16>,
    /// RFC 4733 digits, one per event.
    pub dtmf: String,
    /// Tone packets sent.
    pub sent_packets: usize,
    /// The final codes answering our re-INVITEs (hold / resume), in order.
    pub reoffer_answers: Vec<u16>,
}

/// What the provider does with the next INVITE and how it sounds.
#[derive(Debug, Clone)]
struct Settings {
    answer: u16,
    ring_for: Duration,
    tone: Option<f64>,
}

enum Command {
    Dial {
        relay: SocketAddr,
        to: String,
        from: String,
        done: oneshot::Sender<Result<(), String>>,
    },
    HangUp,
    Reoffer(Direction),
}

/// A SIP trunk's far end. Dropping it stops its task and closes its sockets.
pub struct ProviderPeer {
    sip_addr: SocketAddr,
    rtp_addr: SocketAddr,
    settings: Arc<Mutex<Settings>>,
    state: watch::Receiver<ProviderState>,
    commands: mpsc::UnboundedSender<Command>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ProviderPeer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ProviderPeer {
    /// Binds the SIP and RTP sockets on 127.0.0.1 and starts answering.
    pub async fn start() -> ProviderPeer {
        let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let sip = UdpSocket::bind((ip, 0)).await.expect("provider SIP socket");
        let rtp = UdpSocket::bind((ip, 0)).await.expect("provider RTP socket");
        let sip_addr = sip.local_addr().expect("SIP address");
        let rtp_addr = rtp.local_addr().expect("RTP address");
        let settings = Arc::new(Mutex::new(Settings {
            answer: 200,
            ring_for: Duration::ZERO,
            tone: Some(1000.0),
        }));
        let (state_tx, state) = watch::channel(ProviderState::default());
        let (commands, command_rx) = mpsc::unbounded_channel();
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or_default()
            ^ u64::from(sip_addr.port());
        let task = Task {
            ep: endpoint(sip_addr, sip_addr, seed),
            sip,
            rtp,
            sip_addr,
            rtp_addr,
            seed,
            settings: settings.clone(),
            state: state_tx,
            call: None,
            answer_at: None,
            media: Media::new(seed as u32),
            offered: Direction::SendRecv,
        };
        let task = tokio::spawn(task.run(command_rx));
        ProviderPeer {
            sip_addr,
            rtp_addr,
            settings,
            state,
            commands,
            task,
        }
    }

    /// The SIP address: the trunk's `host`.
    pub fn sip_addr(&self) -> SocketAddr {
        self.sip_addr
    }

    /// The RTP address its SDP carries.
    pub fn rtp_addr(&self) -> SocketAddr {
        self.rtp_addr
    }

    /// The final code for the next INVITEs (200 answers; 486, 603 … reject).
    pub fn answer_with(&self, code: u16) {
        self.settings.lock().expect("settings").answer = code;
    }

    /// Rings (180) this long before giving the answer (0: answer at once).
    pub fn ring_for(&self, duration: Duration) {
        self.settings.lock().expect("settings").ring_for = duration;
    }

    /// The tone it sends (None: silence, no packets at all).
    pub fn set_tone(&self, freq: Option<f64>) {
        self.settings.lock().expect("settings").tone = freq;
    }

    /// Calls the relay at `relay` (its SIP address, or the trunk's socket)
    /// as this provider: `to` is the number dialled, `from` the caller's.
    /// Returns once the INVITE is out; see [`Self::call`] to wait for the answer.
    pub async fn dial(&self, relay: SocketAddr, to: &str, from: &str) {
        let (done, ack) = oneshot::channel();
        self.send(Command::Dial {
            relay,
            to: to.to_string(),
            from: from.to_string(),
            done,
        });
        match ack.await {
            Ok(Ok(())) => {}
            Ok(Err(why)) => panic!("the provider cannot dial: {why}"),
            Err(_) => panic!("the provider's task stopped"),
        }
    }

    /// Like [`Self::dial`], then waits up to 40 s (past Timer B) for the
    /// answer: Err with the failure code (or 0 when the call ended otherwise).
    /// Whoever answers must be driven meanwhile (`tokio::join!` it).
    pub async fn call(&self, relay: SocketAddr, to: &str, from: &str) -> Result<(), u16> {
        self.dial(relay, to, from).await;
        let state = self
            .wait_until(Duration::from_secs(40), |s| s.call != CallState::Ringing)
            .await;
        match state.call {
            CallState::Answered => Ok(()),
            CallState::Failed(code) => Err(code),
            _ => Err(0),
        }
    }

    /// BYE for an answered call, CANCEL for one still ringing; waits (up to
    /// 10 s) until it ended.
    pub async fn hang_up(&self) {
        self.send(Command::HangUp);
        self.wait_until(Duration::from_secs(10), |s| {
            !matches!(s.call, CallState::Answered | CallState::Ringing)
        })
        .await;
    }

    /// Sends a re-INVITE offering `direction` and returns the final code of
    /// its answer (waits up to 40 s).
    pub async fn reoffer(&self, direction: Direction) -> u16 {
        let before = self.state.borrow().reoffer_answers.len();
        self.send(Command::Reoffer(direction));
        let state = self
            .wait_until(Duration::from_secs(40), |s| {
                s.reoffer_answers.len() > before
            })
            .await;
        state.reoffer_answers.get(before).copied().unwrap_or(0)
    }

    /// Puts the call on hold (`a=sendonly`).
    pub async fn hold(&self) -> u16 {
        self.reoffer(Direction::SendOnly).await
    }

    /// Takes the call off hold (`a=sendrecv`).
    pub async fn resume(&self) -> u16 {
        self.reoffer(Direction::SendRecv).await
    }

    fn send(&self, command: Command) {
        if self.commands.send(command).is_err() {
            panic!("the provider's task stopped");
        }
    }

    /// A snapshot of everything recorded.
    pub fn state(&self) -> ProviderState {
        self.state.borrow().clone()
    }

    /// Waits until `done` holds for the state, or `within` passes; returns
    /// the state either way (check it: nothing panics here).
    pub async fn wait_until(
        &self,
        within: Duration,
        done: impl FnMut(&ProviderState) -> bool,
    ) -> ProviderState {
        let mut rx = self.state.clone();
        let waited = tokio::time::timeout(within, async {
            rx.wait_for(done).await.map(|s| s.clone()).ok()
        })
        .await;
        match waited {
            Ok(Some(state)) => state,
            _ => self.state(),
        }
    }

    /// Like [`Self::wait_until`], but panics naming `what` (with the state)
    /// when `within` passes first.
    pub async fn expect(
        &self,
        what: &str,
        within: Duration,
        mut done: impl FnMut(&ProviderState) -> bool,
    ) -> ProviderState {
        let state = self.wait_until(within, &mut done).await;
        if !done(&state) {
            panic!("the provider saw no {what} within {within:?}: {state:?}");
        }
        state
    }

    pub fn call_state(&self) -> CallState {
        self.state.borrow().call
    }

    pub fn received_packets(&self) -> usize {
        self.state.borrow().received_packets
    }

    pub fn received_pcm(&self) -> Vec<i16> {
        self.state.borrow().received_pcm.clone()
    }

    pub fn sent_packets(&self) -> usize {
        self.state.borrow().sent_packets
    }

    pub fn dtmf_digits(&self) -> String {
        self.state.borrow().dtmf.clone()
    }

    pub fn offered_directions(&self) -> Vec<String> {
        self.state.borrow().offered_directions.clone()
    }

    pub fn invites_received(&self) -> Vec<String> {
        self.state.borrow().invites.clone()
    }
}

/// A provider's SIP endpoint on `sip_addr` (UDP) whose requests go to `outbound`.
pub fn endpoint(sip_addr: SocketAddr, outbound: SocketAddr, seed: u64) -> Endpoint<SocketAddr> {
    let config = Config {
        aor: format!("sip:provider@{sip_addr}"),
        display_name: None,
        contact: format!("sip:provider@{sip_addr}"),
        via_host: sip_addr.to_string(),
        outbound: Remote {
            addr: outbound,
            transport: TransportKind::Udp,
        },
        timers: TimerConfig::default(),
        credentials: None,
        user_agent: "callcard-tests provider".into(),
        limits: Default::default(),
    };
    Endpoint::new(config, seed)
}

/// The RTP side of the call.
struct Media {
    /// Where the SDP says to send (None: not yet, or `c=0.0.0.0` hold).
    remote: Option<SocketAddr>,
    /// Where RTP comes from (symmetric RTP).
    latched: Option<SocketAddr>,
    /// Our negotiated direction.
    direction: Direction,
    voice_pt: u8,
    tele_pt: Option<u8>,
    /// The RTP timestamp of the last telephone-event counted.
    last_event: Option<u32>,
    ssrc: u32,
    seq: u16,
    sample: usize,
    version: u64,
    out: Vec<u8>,
}

impl Media {
    fn new(ssrc: u32) -> Media {
        Media {
            remote: None,
            latched: None,
            direction: Direction::Inactive,
            voice_pt: 8,
            tele_pt: None,
            last_event: None,
            ssrc,
            seq: (ssrc >> 16) as u16 & 0x3fff,
            sample: 0,
            version: 0,
            out: Vec::with_capacity(200),
        }
    }

    fn local(&mut self, rtp_addr: SocketAddr, session_id: u64, direction: Direction) -> LocalMedia {
        self.version += 1;
        LocalMedia {
            codecs: vec![Codec::pcma(), Codec::pcmu(), Codec::telephone_event()],
            address: rtp_addr.ip().to_string(),
            port: rtp_addr.port(),
            proto: "RTP/AVP".into(),
            direction,
            ice: None,
            candidates: Vec::new(),
            fingerprint: None,
            rtcp_mux: false,
            ssrc: None,
            session_id,
            session_version: self.version,
        }
    }

    /// Takes the far end's SDP (offer or answer): its address, the codec to
    /// send with, and `direction` as ours.
    fn take(&mut self, session: &Session, negotiated: &Session, direction: Direction) {
        let Some(m) = session
            .media
            .iter()
            .find(|m| m.kind == "audio" && m.port != 0)
        else {
            self.direction = Direction::Inactive;
            return;
        };
        let remote = m
            .connection
            .as_ref()
            .or(session.connection.as_ref())
            .and_then(|c| c.address.parse::<IpAddr>().ok())
            .filter(|ip| !ip.is_unspecified())
            .map(|ip| SocketAddr::new(ip, m.port));
        if remote != self.remote {
            self.latched = None;
        }
        self.remote = remote;
        if let Some((codec, tele)) = sdp::negotiated(negotiated) {
            self.voice_pt = codec.pt;
            self.tele_pt = tele;
        }
        self.direction = direction;
    }

    fn sending(&self) -> bool {
        matches!(self.direction, Direction::SendRecv | Direction::SendOnly) && self.remote.is_some()
    }
}

struct Task {
    ep: Endpoint<SocketAddr>,
    sip: UdpSocket,
    rtp: UdpSocket,
    sip_addr: SocketAddr,
    rtp_addr: SocketAddr,
    seed: u64,
    settings: Arc<Mutex<Settings>>,
    state: watch::Sender<ProviderState>,
    /// The one call (incoming or ours).
    call: Option<CallHandle>,
    /// An incoming call answered after ringing: when, and our SDP.
    answer_at: Option<(tokio::time::Instant, Option<Vec<u8>>)>,
    media: Media,
    /// The direction of our last offer (its answer's is mirrored onto it).
    offered: Direction,
}

fn direction_of(session: &Session) -> Direction {
    session
        .media
        .iter()
        .find(|m| m.kind == "audio" && m.port != 0)
        .map_or(Direction::Inactive, |m| m.direction(session))
}

impl Task {
    async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        let mut sip_buf = vec![0u8; 65_535];
        let mut rtp_buf = vec![0u8; 2048];
        let mut ticker = tokio::time::interval(Duration::from_millis(20));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            self.flush().await;
            let far = tokio::time::Instant::now() + Duration::from_secs(3600);
            let sip_timer = self
                .ep
                .poll_timeout()
                .map(tokio::time::Instant::from_std)
                .unwrap_or(far);
            let answer_timer = self.answer_at.as_ref().map_or(far, |a| a.0);
            tokio::select! {
                r = self.sip.recv_from(&mut sip_buf) => {
                    if let Ok((n, from)) = r {
                        let remote = Remote { addr: from, transport: TransportKind::Udp };
                        let _ = self.ep.handle_input(Instant::now(), remote, &sip_buf[..n]);
                    }
                }
                r = self.rtp.recv_from(&mut rtp_buf) => {
                    if let Ok((n, from)) = r {
                        self.on_rtp(from, &rtp_buf[..n]);
                    }
                }
                _ = ticker.tick() => self.send_tone(),
                command = commands.recv() => match command {
                    Some(command) => self.command(command),
                    None => return,
                },
                _ = tokio::time::sleep_until(sip_timer) => self.ep.handle_timeout(Instant::now()),
                _ = tokio::time::sleep_until(answer_timer) => {
                    if let (Some((_, sdp)), Some(call)) = (self.answer_at.take(), self.call) {
                        self.ep.accept(Instant::now(), call, sdp);
                        self.state.send_modify(|s| s.call = CallState::Answered);
                    }
                }
            }
        }
    }

    /// Sends what the endpoint produced and acts on its events.
    async fn flush(&mut self) {
        loop {
            while let Some(t) = self.ep.poll_transmit() {
                let _ = self.sip.send_to(&t.bytes, t.to.addr).await;
            }
            let Some(event) = self.ep.poll_event() else {
                return;
            };
            self.on_event(event);
        }
    }

    fn command(&mut self, command: Command) {
        let now = Instant::now();
        match command {
            Command::Dial {
                relay,
                to,
                from,
                done,
            } => {
                if matches!(
                    self.state.borrow().call,
                    CallState::Ringing | CallState::Answered
                ) {
                    let _ = done.send(Err("a call is in progress".into()));
                    return;
                }
                if self.ep.config().outbound.addr != relay {
                    // Out-of-dialog requests go to the endpoint's outbound address.
                    self.seed = self.seed.wrapping_add(1);
                    self.ep = endpoint(self.sip_addr, relay, self.seed);
                }
                self.offered = Direction::SendRecv;
                self.media = Media::new(self.seed as u32);
                let local = self
                    .media
                    .local(self.rtp_addr, self.seed, Direction::SendRecv);
                let offer = sdp::offer(&local).to_bytes();
                let identity = format!("<sip:{from}@{}>", self.sip_addr);
                let target = format!("sip:{to}@{relay}");
                self.call = Some(self.ep.invite_as(now, &identity, &target, Some(offer)));
                self.state.send_modify(|s| s.call = CallState::Ringing);
                let _ = done.send(Ok(()));
            }
            Command::HangUp => {
                let Some(call) = self.call else {
                    return;
                };
                if self.answer_at.take().is_some() {
                    // Still ringing here: the caller hears busy.
                    self.ep.reject(now, call, 486);
                    self.call = None;
                    self.state.send_modify(|s| s.call = CallState::Ended);
                    return;
                }
                match self.state.borrow().call {
                    CallState::Answered => self.ep.bye(now, call),
                    CallState::Ringing => self.ep.cancel(now, call),
                    _ => {}
                }
            }
            Command::Reoffer(direction) => {
                let Some(call) = self.call else {
                    self.state.send_modify(|s| s.reoffer_answers.push(0));
                    return;
                };
                self.offered = direction;
                let local = self.media.local(self.rtp_addr, self.seed, direction);
                self.ep
                    .reinvite(now, call, Some(sdp::offer(&local).to_bytes()));
            }
        }
    }

    /// Answers an offer (initial INVITE or re-INVITE): records its
    /// direction, takes it, returns our answer.
    fn answer(&mut self, offer: Option<&[u8]>) -> Option<Vec<u8>> {
        let parsed = offer.and_then(|o| Session::parse(o).ok());
        let Some(offer) = parsed else {
            // No (usable) offer: ours goes in the 200.
            self.offered = Direction::SendRecv;
            let local = self
                .media
                .local(self.rtp_addr, self.seed, Direction::SendRecv);
            return Some(sdp::offer(&local).to_bytes());
        };
        let offered = direction_of(&offer);
        let text = String::from_utf8_lossy(offer.to_bytes().as_slice()).into_owned();
        self.state.send_modify(|s| {
            s.offered_directions.push(offered.as_str().to_string());
            s.last_remote_sdp = Some(text);
        });
        let local = self
            .media
            .local(self.rtp_addr, self.seed, Direction::SendRecv);
        let answer = sdp::answer(&offer, &local).ok()?;
        let ours = offered.answer(Direction::SendRecv);
        self.media.take(&offer, &answer, ours);
        self.state
            .send_modify(|s| s.direction = ours.as_str().to_string());
        Some(answer.to_bytes())
    }

    /// The far end's answer to our offer.
    fn take_answer(&mut self, answer: &[u8]) {
        let Ok(parsed) = Session::parse(answer) else {
            return;
        };
        let ours = direction_of(&parsed).answer(self.offered);
        self.media.take(&parsed, &parsed, ours);
        let text = String::from_utf8_lossy(answer).into_owned();
        self.state.send_modify(|s| {
            s.direction = ours.as_str().to_string();
            s.last_remote_sdp = Some(text);
        });
    }

    fn on_event(&mut self, event: Event) {
        let now = Instant::now();
        match event {
            Event::IncomingCall { call, sdp, .. } => {
                let user = self
                    .ep
                    .incoming_invite(call)
                    .and_then(|r| {
                        Uri::parse(&r.uri)
                            .ok()
                            .and_then(|u| u.user.map(str::to_owned))
                    })
                    .unwrap_or_default();
                self.state.send_modify(|s| s.invites.push(user));
                let busy = matches!(
                    self.state.borrow().call,
                    CallState::Ringing | CallState::Answered
                );
                if busy {
                    self.ep.reject(now, call, 486);
                    return;
                }
                let settings = self.settings.lock().expect("settings").clone();
                if settings.answer >= 300 {
                    self.ep.reject(now, call, settings.answer);
                    self.state
                        .send_modify(|s| s.call = CallState::Failed(settings.answer));
                    return;
                }
                self.media = Media::new(self.seed as u32 ^ call.0 as u32);
                let Some(answer) = self.answer(sdp.as_deref()) else {
                    self.ep.reject(now, call, 488);
                    self.state.send_modify(|s| s.call = CallState::Failed(488));
                    return;
                };
                self.call = Some(call);
                if settings.ring_for.is_zero() {
                    self.ep.accept(now, call, Some(answer));
                    self.state.send_modify(|s| s.call = CallState::Answered);
                } else {
                    self.ep.ringing(now, call, None);
                    self.answer_at = Some((
                        tokio::time::Instant::now() + settings.ring_for,
                        Some(answer),
                    ));
                    self.state.send_modify(|s| s.call = CallState::Ringing);
                }
            }
            Event::RemoteOffer { call, sdp, .. } => match self.answer(sdp.as_deref()) {
                Some(answer) => self.ep.accept(now, call, Some(answer)),
                None => self.ep.reject(now, call, 488),
            },
            Event::Progress { .. } => {}
            Event::Answered { call, sdp } if Some(call) == self.call => {
                if let Some(sdp) = sdp {
                    self.take_answer(&sdp);
                }
                self.state.send_modify(|s| s.call = CallState::Answered);
            }
            Event::Failed { call, code, .. } if Some(call) == self.call => {
                self.call = None;
                self.state.send_modify(|s| s.call = CallState::Failed(code));
            }
            Event::Modified { call, code, sdp } if Some(call) == self.call => {
                if (200..300).contains(&code) {
                    if let Some(sdp) = sdp {
                        self.take_answer(&sdp);
                    }
                }
                self.state.send_modify(|s| s.reoffer_answers.push(code));
            }
            Event::Cancelled { call } | Event::Terminated { call, .. }
                if Some(call) == self.call =>
            {
                self.call = None;
                self.answer_at = None;
                self.media.direction = Direction::Inactive;
                self.state.send_modify(|s| s.call = CallState::Ended);
            }
            Event::Request { id, .. } => {
                // OPTIONS and anything else out of call control: 200.
                if let Some(response) = self.ep.response_for(id, 200, "OK") {
                    self.ep.respond(now, id, response);
                }
            }
            _ => {}
        }
    }

    fn on_rtp(&mut self, from: SocketAddr, datagram: &[u8]) {
        let Some(packet) = rtp::parse(datagram) else {
            return;
        };
        self.media.latched.get_or_insert(from);
        let mut digit = None;
        let mut pcm = Vec::new();
        let tele = self.media.tele_pt.unwrap_or(101);
        if packet.pt == tele && packet.payload.len() >= 4 {
            let end = packet.payload[1] & 0x80 != 0;
            if end && self.media.last_event != Some(packet.timestamp) {
                self.media.last_event = Some(packet.timestamp);
                digit = Some(match packet.payload[0] {
                    e @ 0..=9 => char::from(b'0' + e),
                    10 => '*',
                    11 => '#',
                    e @ 12..=15 => char::from(b'A' + e - 12),
                    _ => '?',
                });
            }
        } else if packet.pt == 0 {
            pcm.extend(packet.payload.iter().map(|b| g711::ulaw_to_linear(*b)));
        } else if packet.pt == 8 {
            pcm.extend(packet.payload.iter().map(|b| g711::alaw_to_linear(*b)));
        }
        self.state.send_modify(|s| {
            s.received_packets += 1;
            s.received_pcm.extend_from_slice(&pcm);
            if let Some(d) = digit {
                s.dtmf.push(d);
            }
        });
    }

    /// One 20 ms packet of the tone, when the call is up and may send.
    fn send_tone(&mut self) {
        let Some(freq) = self.settings.lock().expect("settings").tone else {
            return;
        };
        if self.call.is_none() || self.state.borrow().call != CallState::Answered {
            return;
        }
        if !self.media.sending() {
            return;
        }
        let Some(to) = self.media.latched.or(self.media.remote) else {
            return;
        };
        let m = &mut self.media;
        let payload: Vec<u8> = tone(freq, m.sample, 160)
            .iter()
            .map(|s| match m.voice_pt {
                0 => g711::linear_to_ulaw(*s),
                _ => g711::linear_to_alaw(*s),
            })
            .collect();
        let first = m.sample == 0;
        rtp::write(
            &mut m.out,
            first,
            m.voice_pt,
            m.seq,
            m.sample as u32,
            m.ssrc,
            &payload,
        );
        m.seq = m.seq.wrapping_add(1);
        m.sample += 160;
        if self.rtp.try_send_to(&m.out, to).is_ok() {
            self.state.send_modify(|s| s.sent_packets += 1);
        }
    }
}
