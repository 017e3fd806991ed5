//! The bridge task of one call and [`CallMedia`], the handle the SIP switch
//! holds. The task owns both legs and their sockets; it forwards RTP both
//! ways (one outgoing SSRC per leg, sequence numbers and timestamps moved
//! only by a constant offset per source), passes telephone-event, feeds the
//! tap, enforces the ICE/DTLS and no-media timeouts, and frees the ports
//! when it ends — because the handle asked, was dropped, or a timeout fired.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use callcard_shared::sip::sdp::{Direction as SdpDirection, Session};
use str0m::rtp::RtpPacket;
use str0m::Event;
use tokio::sync::{broadcast, watch, Notify};

use super::browser::BrowserLeg;
use super::codec::{transcode, Payload, PtMap, Route};
use super::rtp::Rewriter;
use super::tap::{Tap, TapDirection, TapFrame};
use super::trunk::{Received, TrunkLeg};
use super::MediaError;

/// Why a call's media ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndCause {
    /// [`CallMedia::end`] was called or the handle was dropped.
    Hangup,
    /// No RTP from either leg for the configured media timeout.
    MediaTimeout,
    /// The browser did not complete ICE and DTLS in time.
    IceDtlsTimeout,
    /// The browser closed DTLS (its peer connection went away).
    BrowserClosed,
    /// An internal error (a socket or the WebRTC engine failed).
    Failed(String),
}

impl EndCause {
    /// The cause as the call log stores it.
    pub fn as_str(&self) -> &'static str {
        match self {
            EndCause::Hangup => "hangup",
            EndCause::MediaTimeout => "media_timeout",
            EndCause::IceDtlsTimeout => "ice_dtls_timeout",
            EndCause::BrowserClosed => "browser_closed",
            EndCause::Failed(_) => "media_error",
        }
    }
}

/// Counters of one call (a snapshot; see [`CallMedia::stats`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MediaStats {
    /// RTP packets received from the browser (after SRTP).
    pub browser_rtp_in: u64,
    /// RTP packets handed to str0m for the browser.
    pub browser_rtp_out: u64,
    /// Datagrams on the browser port that were not STUN/DTLS/SRTP or that
    /// str0m refused.
    pub browser_garbage: u64,
    /// SRTP-looking datagrams that str0m dropped without delivering RTP:
    /// authentication failures, replays, unknown SSRC or payload type.
    pub browser_srtp_rejected: u64,
    /// Valid RTP received from the provider (its SDP address, or the one
    /// latched behind NAT).
    pub trunk_rtp_in: u64,
    /// RTP packets sent to the provider.
    pub trunk_rtp_out: u64,
    /// Datagrams on the trunk port that were not RTP of a negotiated type.
    pub trunk_garbage: u64,
    /// RTP from an address the provider did not announce (ignored).
    pub trunk_foreign: u64,
    /// RTCP datagrams on the trunk's RTCP port (read and discarded).
    pub trunk_rtcp_in: u64,
    /// telephone-event packets forwarded browser → trunk.
    pub dtmf_to_trunk: u64,
    /// telephone-event packets forwarded trunk → browser.
    pub dtmf_to_browser: u64,
    /// Packets with nowhere to go (leg not ready, DTMF the other leg did
    /// not negotiate, or a direction that forbids them — see
    /// [`Self::dropped_by_direction`]).
    pub dropped: u64,
    /// Of [`Self::dropped`]: packets the negotiated directions forbid (the
    /// sending leg may not send, or the other leg may not receive, e.g. on
    /// an `a=inactive` hold).
    pub dropped_by_direction: u64,
    /// Packets converted between A-law and µ-law.
    pub transcoded: u64,
}

#[derive(Debug, Default)]
struct Counters {
    browser_srtp_in: AtomicU64,
    browser_rtp_in: AtomicU64,
    browser_rtp_out: AtomicU64,
    browser_garbage: AtomicU64,
    trunk_rtp_in: AtomicU64,
    trunk_rtp_out: AtomicU64,
    trunk_garbage: AtomicU64,
    trunk_foreign: AtomicU64,
    trunk_rtcp_in: AtomicU64,
    dtmf_to_trunk: AtomicU64,
    dtmf_to_browser: AtomicU64,
    dropped: AtomicU64,
    dropped_by_direction: AtomicU64,
    transcoded: AtomicU64,
}

fn inc(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

impl Counters {
    fn snapshot(&self) -> MediaStats {
        let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
        MediaStats {
            browser_rtp_in: g(&self.browser_rtp_in),
            browser_rtp_out: g(&self.browser_rtp_out),
            browser_garbage: g(&self.browser_garbage),
            browser_srtp_rejected: g(&self.browser_srtp_in).saturating_sub(g(&self.browser_rtp_in)),
            trunk_rtp_in: g(&self.trunk_rtp_in),
            trunk_rtp_out: g(&self.trunk_rtp_out),
            trunk_garbage: g(&self.trunk_garbage),
            trunk_foreign: g(&self.trunk_foreign),
            trunk_rtcp_in: g(&self.trunk_rtcp_in),
            dtmf_to_trunk: g(&self.dtmf_to_trunk),
            dtmf_to_browser: g(&self.dtmf_to_browser),
            dropped: g(&self.dropped),
            dropped_by_direction: g(&self.dropped_by_direction),
            transcoded: g(&self.transcoded),
        }
    }
}

/// What the task and the handle share: the call's state (both legs and the
/// negotiation) behind a lock that neither holds across an `.await`, and
/// the bell that wakes the task after the handle changed something.
struct Shared {
    /// `None` once the task has ended (legs, sockets and ports are gone).
    task: Mutex<Option<Task>>,
    wake: Notify,
    hang_up: AtomicBool,
    /// The audio's quality as it stood when the media ended.
    final_quality: Mutex<Option<callcard_shared::api::CallQuality>>,
}

/// The media of one call. Dropping it ends the call's media and frees its
/// ports, like [`CallMedia::end`] without waiting.
///
/// Negotiation is synchronous: each method applies an SDP to the call's
/// state at once (SDP work only, no I/O) and returns the result, so the
/// switch never waits for the media task.
#[derive(Debug)]
pub struct CallMedia {
    shared: Arc<Shared>,
    ended: watch::Receiver<Option<EndCause>>,
    counters: Arc<Counters>,
    tap: Arc<Tap>,
    browser_port: u16,
    trunk_port: u16,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").finish_non_exhaustive()
    }
}

impl Drop for CallMedia {
    fn drop(&mut self) {
        self.hang_up();
    }
}

impl CallMedia {
    /// Runs `f` on the call's state and wakes the task to act on the change.
    fn negotiate<T>(
        &self,
        f: impl FnOnce(&mut Task, Instant) -> Result<T, MediaError>,
    ) -> Result<T, MediaError> {
        let result = {
            let mut task = self.shared.task.lock().unwrap_or_else(|e| e.into_inner());
            match task.as_mut() {
                Some(task) => f(task, Instant::now()),
                None => Err(MediaError::Ended),
            }
        };
        self.shared.wake.notify_one();
        result
    }

    /// Outbound calls: applies the provider's SDP answer (a 183 or the 200)
    /// to the offer from [`super::MediaBridge::for_browser_offer`].
    pub fn trunk_answer(&self, sdp: &str) -> Result<(), MediaError> {
        self.negotiate(|task, now| task.trunk_answer(sdp, now))
    }

    /// Inbound calls: applies the browser's SDP answer to the offer from
    /// [`super::MediaBridge::for_trunk_offer`] and returns the SDP answer for
    /// the provider.
    pub fn browser_answer(&self, sdp: &str) -> Result<String, MediaError> {
        self.negotiate(|task, now| task.browser_answer(sdp, now))
    }

    /// A re-INVITE from the browser (hold with `sendonly`/`inactive`, resume
    /// with `sendrecv`): returns `(answer for the browser, re-offer for the
    /// provider)` with the browser's direction mirrored; the provider's
    /// answer then goes to [`Self::trunk_answer`]. While either side holds,
    /// the media timeout is paused.
    pub fn browser_reoffer(&self, sdp: &str) -> Result<(String, String), MediaError> {
        self.negotiate(|task, now| task.browser_reoffer(sdp, now))
    }

    /// A re-INVITE from the provider: returns `(answer for the provider,
    /// re-offer for the browser)`. The re-offer (the provider's direction
    /// mirrored) is `None` when the browser's direction does not change;
    /// otherwise the browser's answer goes to [`Self::browser_reanswer`].
    pub fn trunk_reoffer(&self, sdp: &str) -> Result<(String, Option<String>), MediaError> {
        self.negotiate(|task, now| task.trunk_reoffer(sdp, now))
    }

    /// Applies the browser's answer to a re-offer from [`Self::trunk_reoffer`].
    pub fn browser_reanswer(&self, sdp: &str) -> Result<(), MediaError> {
        self.negotiate(|task, now| {
            let r = task.browser.accept_answer(sdp);
            if r.is_ok() {
                task.update_held(now);
            }
            r
        })
    }

    /// Asks the media to hang up, without waiting (the ports are freed
    /// moments later, by the task).
    pub fn hang_up(&self) {
        self.shared.hang_up.store(true, Ordering::Release);
        self.shared.wake.notify_one();
    }

    /// Hangs the media up and waits until its ports are free again.
    pub async fn end(&self) -> EndCause {
        self.hang_up();
        self.ended().await
    }

    /// Resolves when the media has ended (ports already freed), with why.
    pub async fn ended(&self) -> EndCause {
        wait_ended(self.ended.clone()).await
    }

    /// A future that resolves when the media has ended, with why and the
    /// audio's final quality, holding nothing of the call (so the call
    /// still ends when its last handle is dropped).
    pub fn ended_signal(&self) -> impl std::future::Future<Output = MediaEnd> + Send + 'static {
        let (ended, shared) = (self.ended.clone(), self.shared.clone());
        async move {
            let cause = wait_ended(ended).await;
            let quality = shared
                .final_quality
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take();
            MediaEnd { cause, quality }
        }
    }

    /// Why the media ended, or `None` while it runs.
    pub fn end_cause(&self) -> Option<EndCause> {
        self.ended.borrow().clone()
    }

    /// Plays `samples` (8 kHz PCM) to the client (the trunk leg) now; the
    /// two sides hear each other once it is over. Our side's channel of a
    /// recording carries it.
    pub fn announce(&self, samples: Arc<[i16]>) {
        let _ = self.negotiate(|task, now| {
            task.prompt = Some(Prompt {
                samples,
                at: 0,
                next: now,
                seq: rand::random(),
                timestamp: rand::random(),
            });
            Ok(())
        });
    }

    /// The call's audio quality so far (None once the media has ended, or
    /// before any audio arrived).
    pub fn quality(&self) -> Option<callcard_shared::api::CallQuality> {
        let task = self.shared.task.lock().unwrap_or_else(|e| e.into_inner());
        task.as_ref()?.quality()
    }

    /// A snapshot of the call's counters.
    pub fn stats(&self) -> MediaStats {
        self.counters.snapshot()
    }

    /// Subscribes to decoded audio of both directions (see [`TapFrame`]).
    /// Decoding runs only while at least one receiver is alive.
    pub fn tap(&self) -> broadcast::Receiver<TapFrame> {
        self.tap.subscribe()
    }

    /// The UDP port of the browser leg (ICE candidate).
    pub fn browser_port(&self) -> u16 {
        self.browser_port
    }

    /// The UDP port of the trunk leg (RTP; RTCP is the next one).
    pub fn trunk_port(&self) -> u16 {
        self.trunk_port
    }
}

async fn wait_ended(mut rx: watch::Receiver<Option<EndCause>>) -> EndCause {
    let cause = match rx.wait_for(Option::is_some).await {
        Ok(v) => v.clone(),
        // The task cannot drop its sender without sending first, unless
        // it panicked.
        Err(_) => Some(EndCause::Failed("media task stopped".into())),
    };
    cause.unwrap_or_else(|| EndCause::Failed("media task stopped".into()))
}

/// How a call's media ended.
#[derive(Debug, Clone)]
pub struct MediaEnd {
    pub cause: EndCause,
    /// The audio's quality over the whole call (None: no audio flowed).
    pub quality: Option<callcard_shared::api::CallQuality>,
}

/// Where the call's signalling stands.
pub(crate) enum Negotiation {
    /// Outbound: our offer went to the provider; waiting for its answer.
    AwaitTrunkAnswer,
    /// Inbound: our offer went to the browser; the provider's offer waits.
    AwaitBrowserAnswer(Box<Session>),
    /// Both legs negotiated.
    Done,
}

pub(crate) struct Task {
    browser: BrowserLeg,
    trunk: TrunkLeg,
    counters: Arc<Counters>,
    tap: Arc<Tap>,
    negotiation: Negotiation,
    media_timeout: Duration,
    connect_timeout: Duration,
    /// When the browser leg's SDP exchange completed (ICE/DTLS timer).
    browser_ready: Option<Instant>,
    /// When both legs were negotiated (media timer).
    established: Option<Instant>,
    last_media: Option<Instant>,
    /// Either leg's negotiated direction is not sendrecv (a hold): no media
    /// timeout.
    held: bool,
    to_trunk: Rewriter,
    to_browser: Rewriter,
    events: Vec<Event>,
    /// The provider's (the client's) stream and the browser's, as received.
    client_stream: super::quality::StreamStats,
    our_stream: super::quality::StreamStats,
    /// The browser's latest round trip (str0m's peer stats).
    rtt_ms: Option<f64>,
    /// The announcement being played to the client; until it is over the
    /// two sides do not hear each other.
    prompt: Option<Prompt>,
}

/// An announcement in progress toward the trunk leg.
pub(crate) struct Prompt {
    samples: Arc<[i16]>,
    at: usize,
    next: Instant,
    seq: u16,
    timestamp: u32,
}

/// The SSRC the rewriter sees for announcement packets (its own source).
const PROMPT_SSRC: u32 = 0x7072_6f6d;
const FRAME: usize = 160;

/// Spawns the task and returns its handle.
pub(crate) fn spawn(
    browser: BrowserLeg,
    trunk: TrunkLeg,
    negotiation: Negotiation,
    config: &super::MediaConfig,
) -> CallMedia {
    let (end_tx, end_rx) = watch::channel(None);
    let counters = Arc::new(Counters::default());
    let tap = Arc::new(Tap::default());
    let now = Instant::now();
    let browser_ready = match negotiation {
        Negotiation::AwaitBrowserAnswer(_) => None,
        _ => Some(now),
    };
    let (browser_port, trunk_port) = (browser.port(), trunk.port());
    let task = Task {
        browser,
        trunk,
        counters: counters.clone(),
        tap: tap.clone(),
        negotiation,
        media_timeout: config.media_timeout,
        connect_timeout: config.connect_timeout,
        browser_ready,
        established: None,
        last_media: None,
        held: false,
        to_trunk: Rewriter::new(rand::random::<u16>() & 0x3FFF),
        to_browser: Rewriter::new(rand::random::<u16>() & 0x3FFF),
        events: Vec::new(),
        client_stream: Default::default(),
        our_stream: Default::default(),
        rtt_ms: None,
        prompt: None,
    };
    let shared = Arc::new(Shared {
        task: Mutex::new(Some(task)),
        wake: Notify::new(),
        hang_up: AtomicBool::new(false),
        final_quality: Mutex::new(None),
    });
    let handle = CallMedia {
        shared: shared.clone(),
        ended: end_rx,
        counters,
        tap,
        browser_port,
        trunk_port,
    };
    tokio::spawn(async move {
        let cause = run(&shared).await;
        // The legs go (sockets closed, ports back in the pool) before
        // anyone hears that the call ended.
        let task = shared.task.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(task) = &task {
            *shared
                .final_quality
                .lock()
                .unwrap_or_else(|e| e.into_inner()) = task.quality();
        }
        drop(task);
        tracing::debug!(cause = cause.as_str(), "call media ended");
        end_tx.send_replace(Some(cause));
    });
    handle
}

/// RTP by its first two bytes (RFC 7983 demultiplexing; RTCP excluded).
fn looks_like_srtp(buf: &[u8]) -> bool {
    buf.len() >= 12 && (128..=191).contains(&buf[0]) && !(192..=223).contains(&buf[1])
}

enum Wake {
    Browser(std::io::Result<(usize, std::net::SocketAddr)>),
    Trunk(std::io::Result<(usize, std::net::SocketAddr)>),
    Rtcp,
    Timer,
}

/// What one pass over the call's state decided.
enum Pass {
    /// Sleep until this instant (or a datagram, or the handle's bell).
    Wait(Instant),
    /// A str0m timeout was already due and was handled: look again.
    Again,
    Ended(EndCause),
}

/// The task's loop: the state is locked only between awaits.
async fn run(shared: &Shared) -> EndCause {
    let mut bbuf = vec![0u8; 2048];
    let mut tbuf = vec![0u8; 2048];
    let mut cbuf = vec![0u8; 2048];
    let lock = || shared.task.lock().unwrap_or_else(|e| e.into_inner());
    let (bsock, rtp, rtcp) = match lock().as_ref() {
        Some(t) => (
            t.browser.sock.clone(),
            t.trunk.rtp.clone(),
            t.trunk.rtcp.clone(),
        ),
        None => return EndCause::Hangup,
    };
    // str0m timeouts handled at once in a row (see `Task::pass`).
    let mut overdue_in_a_row = 0u8;
    loop {
        if shared.hang_up.load(Ordering::Acquire) {
            return EndCause::Hangup;
        }
        let pass = match lock().as_mut() {
            Some(task) => task.pass(&mut overdue_in_a_row),
            None => return EndCause::Hangup,
        };
        let deadline = match pass {
            Pass::Wait(deadline) => deadline,
            Pass::Again => continue,
            Pass::Ended(cause) => return cause,
        };
        let wake = tokio::select! {
            _ = shared.wake.notified() => continue,
            r = bsock.recv_from(&mut bbuf) => Wake::Browser(r),
            r = rtp.recv_from(&mut tbuf) => Wake::Trunk(r),
            _ = rtcp.recv_from(&mut cbuf) => Wake::Rtcp,
            _ = tokio::time::sleep_until(deadline.into()) => Wake::Timer,
        };
        let now = Instant::now();
        let mut guard = lock();
        let Some(task) = guard.as_mut() else {
            return EndCause::Hangup;
        };
        match wake {
            Wake::Browser(Ok((n, from))) => {
                if looks_like_srtp(&bbuf[..n]) {
                    inc(&task.counters.browser_srtp_in);
                }
                if !task.browser.handle_datagram(now, from, &bbuf[..n]) {
                    inc(&task.counters.browser_garbage);
                }
            }
            Wake::Trunk(Ok((n, from))) => task.on_trunk_datagram(from, n, &tbuf, now),
            Wake::Rtcp => inc(&task.counters.trunk_rtcp_in),
            Wake::Browser(Err(e)) | Wake::Trunk(Err(e)) => {
                // ICMP errors surface here on some systems; they are not
                // fatal to a UDP socket.
                tracing::debug!(error = %e, "media socket receive error");
            }
            Wake::Timer => {
                if let Err(e) = task.browser.handle_timeout(now) {
                    return EndCause::Failed(e.to_string());
                }
            }
        }
    }
}

impl Task {
    fn quality(&self) -> Option<callcard_shared::api::CallQuality> {
        super::quality::call_quality(&self.client_stream, &self.our_stream, self.rtt_ms)
    }

    /// Drains str0m (the single-mutation rule: after every input) and says
    /// when to look again.
    fn pass(&mut self, overdue_in_a_row: &mut u8) -> Pass {
        let mut events = std::mem::take(&mut self.events);
        let rtc_deadline = match self.browser.drain(&mut events) {
            Ok(t) => t,
            Err(e) => return Pass::Ended(EndCause::Failed(e.to_string())),
        };
        for e in events.drain(..) {
            match e {
                Event::RtpPacket(p) => self.on_browser_rtp(p),
                Event::PeerStats(s) => {
                    if let Some(rtt) = s.rtt {
                        self.rtt_ms = Some(rtt.as_secs_f64() * 1000.0);
                    }
                }
                Event::Closed => return Pass::Ended(EndCause::BrowserClosed),
                _ => {}
            }
        }
        self.events = events;
        let now = Instant::now();
        self.play_prompt(now);
        let (deadline, cause) = self.next_deadline(rtc_deadline);
        if let Some(cause) = cause.filter(|_| deadline <= now) {
            return Pass::Ended(cause);
        }
        // str0m sends written RTP on its next timeout: one already due is
        // handled now, not after tokio's 1 ms timer tick (that tick was
        // ~1 ms of added latency toward the browser). Bounded, so a clock
        // that does not move cannot spin the loop.
        if rtc_deadline <= now && *overdue_in_a_row < 4 {
            *overdue_in_a_row += 1;
            if let Err(e) = self.browser.handle_timeout(now) {
                return Pass::Ended(EndCause::Failed(e.to_string()));
            }
            return Pass::Again;
        }
        *overdue_in_a_row = 0;
        Pass::Wait(deadline)
    }

    /// The earliest of str0m's timer and our two timeouts, and which cause
    /// fires if it is one of ours.
    fn next_deadline(&self, rtc: Instant) -> (Instant, Option<EndCause>) {
        let mut best = (rtc, None);
        if let Some(p) = &self.prompt {
            if p.next < best.0 {
                best = (p.next, None);
            }
        }
        if let (false, Some(t)) = (self.browser.connected, self.browser_ready) {
            let d = t + self.connect_timeout;
            if d < best.0 {
                best = (d, Some(EndCause::IceDtlsTimeout));
            }
        }
        if let (false, Some(t)) = (self.held, self.established) {
            let d = self.last_media.map_or(t, |m| m.max(t)) + self.media_timeout;
            if d < best.0 {
                best = (d, Some(EndCause::MediaTimeout));
            }
        }
        best
    }

    fn trunk_answer(&mut self, sdp: &str, now: Instant) -> Result<(), MediaError> {
        match self.negotiation {
            Negotiation::AwaitTrunkAnswer | Negotiation::Done => {}
            Negotiation::AwaitBrowserAnswer(_) => {
                return Err(MediaError::WrongState(
                    "the provider made the offer on this call",
                ))
            }
        }
        self.trunk.accept_answer(sdp)?;
        self.negotiation = Negotiation::Done;
        self.established.get_or_insert(now);
        self.update_held(now);
        Ok(())
    }

    fn browser_answer(&mut self, sdp: &str, now: Instant) -> Result<String, MediaError> {
        let Negotiation::AwaitBrowserAnswer(offer) = &self.negotiation else {
            return Err(MediaError::WrongState(
                "no offer is waiting for the browser's answer",
            ));
        };
        let offer = offer.clone();
        self.browser.accept_answer(sdp)?;
        // The browser's choice first, then the rest of what both sides know.
        let mut prefs = PtMap::default();
        for &(_, p) in self.browser.codecs.entries() {
            if p.is_voice() {
                if let Some(pt) = self.trunk.codecs.pt_for(p) {
                    prefs.push(pt, p);
                }
            }
        }
        for &(pt, p) in self.trunk.codecs.entries() {
            if p.is_voice() || self.browser.codecs.pt_for(Payload::Tele).is_some() {
                prefs.push(pt, p);
            }
        }
        let answer = self.trunk.answer(&offer, &prefs)?;
        self.negotiation = Negotiation::Done;
        self.browser_ready = Some(now);
        self.established = Some(now);
        self.update_held(now);
        Ok(answer)
    }

    fn ensure_done(&self) -> Result<(), MediaError> {
        match self.negotiation {
            Negotiation::Done => Ok(()),
            _ => Err(MediaError::WrongState(
                "the first offer/answer is not complete",
            )),
        }
    }

    /// Held while either leg's negotiated direction is not sendrecv; the
    /// media timeout is paused then, and restarts in full on resume.
    fn update_held(&mut self, now: Instant) {
        let held = self.browser.direction() != str0m::media::Direction::SendRecv
            || self.trunk.direction != SdpDirection::SendRecv;
        if self.held && !held {
            // Resumed: a full media timeout from now.
            self.established = Some(now);
        }
        self.held = held;
    }

    /// The browser may send to us and the provider may receive from us.
    fn browser_to_trunk_allowed(&self) -> bool {
        self.browser.direction().is_receiving() && super::trunk::sends(self.trunk.direction)
    }

    /// The provider may send to us and the browser may receive from us.
    fn trunk_to_browser_allowed(&self) -> bool {
        super::trunk::receives(self.trunk.direction) && self.browser.direction().is_sending()
    }

    fn drop_by_direction(&self) {
        inc(&self.counters.dropped);
        inc(&self.counters.dropped_by_direction);
    }

    fn browser_reoffer(&mut self, sdp: &str, now: Instant) -> Result<(String, String), MediaError> {
        self.ensure_done()?;
        let parsed = Session::parse(sdp.as_bytes()).map_err(|e| MediaError::Sdp(e.to_string()))?;
        let direction = parsed
            .media
            .iter()
            .find(|m| m.kind == "audio" && m.port != 0)
            .map_or(SdpDirection::Inactive, |m| m.direction(&parsed));
        let answer = self.browser.accept_offer(sdp)?;
        let codecs = self.trunk.codecs.clone();
        let reoffer = self.trunk.offer(codecs, direction);
        self.update_held(now);
        Ok((answer, reoffer))
    }

    fn trunk_reoffer(
        &mut self,
        sdp: &str,
        now: Instant,
    ) -> Result<(String, Option<String>), MediaError> {
        self.ensure_done()?;
        let parsed = Session::parse(sdp.as_bytes()).map_err(|e| MediaError::Sdp(e.to_string()))?;
        let (offered, addr) = super::trunk::audio_of(&parsed)?;
        let mut direction = parsed
            .media
            .iter()
            .find(|m| m.kind == "audio" && m.port != 0)
            .map_or(SdpDirection::Inactive, |m| m.direction(&parsed));
        if addr.is_none() {
            direction = SdpDirection::Inactive; // RFC 2543 hold: c=0.0.0.0
        }
        // Keep the law in use if the provider still offers it.
        let mut prefs = PtMap::default();
        for &(pt, p) in self.trunk.codecs.entries() {
            if offered.kind(pt) == Some(p) {
                prefs.push(pt, p);
            }
        }
        for &(pt, p) in offered.entries() {
            prefs.push(pt, p);
        }
        self.trunk.take_offer(offered, addr);
        let answer = self.trunk.answer(&parsed, &prefs)?;
        let browser_direction = match direction {
            SdpDirection::SendRecv => str0m::media::Direction::SendRecv,
            SdpDirection::SendOnly => str0m::media::Direction::SendOnly,
            SdpDirection::RecvOnly => str0m::media::Direction::RecvOnly,
            SdpDirection::Inactive => str0m::media::Direction::Inactive,
        };
        let reoffer = self.browser.reoffer_direction(browser_direction)?;
        self.update_held(now);
        Ok((answer, reoffer))
    }

    fn tap_frame(&self, direction: TapDirection, kind: Payload, ts: u32, payload: &[u8]) {
        if !kind.is_voice() {
            return;
        }
        if let Some(tx) = self.tap.active() {
            let _ = tx.send(TapFrame {
                direction,
                received: Instant::now(),
                rtp_timestamp: ts,
                samples: kind.decode(payload),
            });
        }
    }

    /// Sends the announcement's frames that are due (one per 20 ms) to the
    /// trunk leg, in its first voice codec.
    fn play_prompt(&mut self, now: Instant) {
        while let Some(p) = self.prompt.as_mut() {
            if p.next > now {
                return;
            }
            let Some((pt, kind)) = self.trunk.codecs.first_voice() else {
                self.prompt = None;
                return;
            };
            let end = (p.at + FRAME).min(p.samples.len());
            let mut frame = [0i16; FRAME];
            frame[..end - p.at].copy_from_slice(&p.samples[p.at..end]);
            let payload = kind.encode(&frame);
            let first = p.at == 0;
            let (seq, ts) = self.to_trunk.map(PROMPT_SSRC, p.seq, p.timestamp);
            p.at = end;
            p.seq = p.seq.wrapping_add(1);
            p.timestamp = p.timestamp.wrapping_add(FRAME as u32);
            p.next += std::time::Duration::from_millis(20);
            if p.at >= p.samples.len() {
                self.prompt = None;
            }
            self.tap_frame(TapDirection::FromBrowser, kind, ts, &payload);
            if super::trunk::sends(self.trunk.direction)
                && self.trunk.send(first, pt, seq as u16, ts, &payload)
            {
                inc(&self.counters.trunk_rtp_out);
            }
        }
    }

    fn on_browser_rtp(&mut self, p: RtpPacket) {
        let c = &self.counters;
        inc(&c.browser_rtp_in);
        self.last_media = Some(p.timestamp);
        self.our_stream
            .packet(p.header.sequence_number, p.header.timestamp, p.timestamp);
        let pt = *p.header.payload_type;
        let Some(kind) = self.browser.codecs.kind(pt) else {
            inc(&c.dropped);
            return;
        };
        if !self.browser_to_trunk_allowed() {
            // On hold (or a one-way stream): received, not forwarded.
            return self.drop_by_direction();
        }
        if self.prompt.is_some() {
            // The client hears the announcement, not us yet.
            return inc(&c.dropped);
        }
        self.tap_frame(
            TapDirection::FromBrowser,
            kind,
            p.header.timestamp,
            &p.payload,
        );
        let Some(route) = self.trunk.codecs.route(kind) else {
            inc(&self.counters.dropped);
            return;
        };
        let (seq, ts) =
            self.to_trunk
                .map(*p.header.ssrc, p.header.sequence_number, p.header.timestamp);
        let sent = match route {
            Route::Pass(out) => self
                .trunk
                .send(p.header.marker, out, seq as u16, ts, &p.payload),
            Route::Transcode(out, from, to) => {
                inc(&self.counters.transcoded);
                let body = transcode(from, to, &p.payload);
                self.trunk.send(p.header.marker, out, seq as u16, ts, &body)
            }
        };
        let c = &self.counters;
        if sent {
            inc(&c.trunk_rtp_out);
            if kind == Payload::Tele {
                inc(&c.dtmf_to_trunk);
            }
        } else {
            inc(&c.dropped);
        }
    }

    fn on_trunk_datagram(
        &mut self,
        from: std::net::SocketAddr,
        n: usize,
        buf: &[u8],
        now: Instant,
    ) {
        let (view, kind) = match self.trunk.receive(from, &buf[..n]) {
            Received::Rtp(view, kind) => (view, kind),
            Received::Garbage => return inc(&self.counters.trunk_garbage),
            Received::Foreign => return inc(&self.counters.trunk_foreign),
        };
        inc(&self.counters.trunk_rtp_in);
        self.last_media = Some(now);
        self.client_stream.packet(view.seq, view.timestamp, now);
        if !self.trunk_to_browser_allowed() {
            // On hold (or a one-way stream): received, not forwarded.
            return self.drop_by_direction();
        }
        self.tap_frame(TapDirection::FromTrunk, kind, view.timestamp, view.payload);
        if self.prompt.is_some() {
            // Heard (and recorded) while the announcement plays, not yet
            // passed on.
            return inc(&self.counters.dropped);
        }
        let route = self.browser.codecs.route(kind);
        let Some(route) = route.filter(|_| self.browser.connected) else {
            return inc(&self.counters.dropped);
        };
        let (seq, ts) = self.to_browser.map(view.ssrc, view.seq, view.timestamp);
        let written = match route {
            Route::Pass(out) => self
                .browser
                .write_rtp(out, seq, ts, view.marker, view.payload),
            Route::Transcode(out, from, to) => {
                inc(&self.counters.transcoded);
                let body = transcode(from, to, view.payload);
                self.browser.write_rtp(out, seq, ts, view.marker, &body)
            }
        };
        let c = &self.counters;
        if written {
            inc(&c.browser_rtp_out);
            if kind == Payload::Tele {
                inc(&c.dtmf_to_browser);
            }
        } else {
            inc(&c.dropped);
        }
    }
}
