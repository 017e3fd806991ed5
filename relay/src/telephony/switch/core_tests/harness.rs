//! The switch's core driven by hand: no sockets, no tasks, no sleeping.
//! The provider and the phones are the SIP stack's own sans-IO endpoints;
//! the harness carries bytes between them and the core, plays the runner
//! (effects carried out, the records writer answered at once) and moves a
//! simulated clock from deadline to deadline.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use callcard_shared::api::SipTransport;
use callcard_shared::sip::transaction::TimerConfig;
use callcard_shared::sip::ua::{
    CallHandle, Config as UaConfig, Endpoint, Event, Remote, TransportKind,
};
use callcard_shared::Instant;
use tokio::sync::mpsc;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::super::effects::Effect;
use super::super::media_port::{Media, MediaPort, MediaSession};
use super::super::{Input, Switch};
use crate::crm::number_index::Owner;
use crate::crm::sip_users::SipAccount;
use crate::crm::trunks::TrunkConfig;
use crate::media::MediaError;
use crate::telephony::records::{Op, Records};
use crate::telephony::trunk::TrunkLeg;
use crate::telephony::Telephony;

pub const TRUNK: i64 = 1;
pub const PROVIDER: &str = "192.0.2.10:5060";
/// Where trunk `id` is reached (the relay's side of it).
pub fn trunk_local(id: i64) -> SocketAddr {
    SocketAddr::from(([192, 0, 2, id as u8], 40000))
}
/// The plain-RTP offer every party makes (the relay passes it through).
pub const SDP: &[u8] = b"v=0\r\no=- 1 1 IN IP4 192.0.2.50\r\ns=-\r\nc=IN IP4 192.0.2.50\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8 0\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n";

/// A WebRTC browser's offer (ICE and DTLS attributes: the relay anchors it).
pub const WEBRTC_SDP: &[u8] = b"v=0\r\no=- 2 1 IN IP4 192.0.2.60\r\ns=-\r\nc=IN IP4 192.0.2.60\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 8\r\na=ice-ufrag:browser\r\na=ice-pwd:browserpassword0000000\r\na=fingerprint:sha-256 00:11\r\na=rtpmap:8 PCMA/8000\r\n";

/// An SDP whose session name says who made it and for whom.
fn sdp_named(name: &str) -> String {
    format!("v=0\r\no=- 3 1 IN IP4 192.0.2.1\r\ns={name}\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 20000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n")
}

/// The media bridge as the core sees it, played by the harness: session
/// `n`'s SDP is named `relay-n-…`, and every step is logged.
struct FakeMedia {
    log: Arc<Mutex<Vec<String>>>,
    opened: AtomicUsize,
}

struct FakeSession {
    n: usize,
    log: Arc<Mutex<Vec<String>>>,
}

impl FakeSession {
    fn note(&self, what: &str) {
        self.log
            .lock()
            .expect("media log")
            .push(format!("media {}: {what}", self.n));
    }
}

impl MediaPort for FakeMedia {
    fn for_browser_offer(&self, _offer: &str) -> Result<(Media, String, String), MediaError> {
        let n = self.opened.fetch_add(1, Ordering::Relaxed) + 1;
        let session = FakeSession {
            n,
            log: self.log.clone(),
        };
        session.note("anchored a browser's offer");
        Ok((
            Arc::new(session),
            sdp_named(&format!("relay-{n}-answer-to-browser")),
            sdp_named(&format!("relay-{n}-offer-to-provider")),
        ))
    }

    fn for_trunk_offer(&self, _offer: &str) -> Result<(Media, String), MediaError> {
        let n = self.opened.fetch_add(1, Ordering::Relaxed) + 1;
        let session = FakeSession {
            n,
            log: self.log.clone(),
        };
        session.note("anchored the provider's offer");
        Ok((
            Arc::new(session),
            sdp_named(&format!("relay-{n}-offer-to-browser")),
        ))
    }
}

impl Drop for FakeSession {
    fn drop(&mut self) {
        self.note("hung up");
    }
}

/// SDP with this in it has no codec the bridge could use.
pub const NO_CODEC: &str = "no-common-codec";

impl MediaSession for FakeSession {
    fn trunk_answer(&self, sdp: &str) -> Result<(), MediaError> {
        self.note("the provider's answer");
        if sdp.contains(NO_CODEC) {
            return Err(MediaError::NoCommonCodec);
        }
        Ok(())
    }
    fn browser_answer(&self, _sdp: &str) -> Result<String, MediaError> {
        self.note("the browser's answer");
        Ok(sdp_named(&format!("relay-{}-answer-to-provider", self.n)))
    }
    fn browser_reoffer(&self, _sdp: &str) -> Result<(String, String), MediaError> {
        self.note("the browser's re-offer");
        Ok((
            sdp_named(&format!("relay-{}-reanswer-to-browser", self.n)),
            sdp_named(&format!("relay-{}-reoffer-to-provider", self.n)),
        ))
    }
    fn trunk_reoffer(&self, _sdp: &str) -> Result<(String, Option<String>), MediaError> {
        self.note("the provider's re-offer");
        Ok((
            sdp_named(&format!("relay-{}-reanswer-to-provider", self.n)),
            Some(sdp_named(&format!("relay-{}-reoffer-to-browser", self.n))),
        ))
    }
    fn browser_reanswer(&self, _sdp: &str) -> Result<(), MediaError> {
        self.note("the browser's answer to the re-offer");
        Ok(())
    }
    fn ended_signal(
        &self,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = crate::media::MediaEnd> + Send>> {
        Box::pin(std::future::pending())
    }
    fn tap(&self) -> tokio::sync::broadcast::Receiver<crate::media::TapFrame> {
        tokio::sync::broadcast::channel(1).1
    }
    fn announce(&self, samples: std::sync::Arc<[i16]>) {
        self.note(&format!("announcement of {} samples", samples.len()));
    }
}

/// A phone: a WebSocket connection's SIP endpoint on the other side.
pub struct Phone {
    pub user_id: i64,
    pub conn: u64,
    pub ep: Endpoint<u64>,
    rx: mpsc::UnboundedReceiver<Vec<u8>>,
    /// What its endpoint reported, oldest first.
    pub events: Vec<Event>,
    /// The call it has now (placed, or the last one offered to it).
    pub call: Option<CallHandle>,
    /// Every call it placed or was offered, oldest first.
    pub calls: Vec<CallHandle>,
    /// A WebRTC browser (registers with `+sip.ice`, offers ICE/DTLS).
    pub webrtc: bool,
}

impl Phone {
    /// The SDP this phone offers and answers with.
    pub fn sdp(&self) -> Vec<u8> {
        if self.webrtc { WEBRTC_SDP } else { SDP }.to_vec()
    }
}

pub struct Provider {
    pub ep: Endpoint<SocketAddr>,
    pub events: Vec<Event>,
    pub call: Option<CallHandle>,
}

pub struct Harness {
    pub switch: Switch,
    pub now: Instant,
    records: mpsc::UnboundedReceiver<Op>,
    /// Every record change and call event the core handed over, as text.
    pub log: Vec<String>,
    pub provider: Provider,
    pub phones: BTreeMap<usize, Phone>,
    /// Phone references the "database" knows (reference → number).
    pub references: BTreeMap<String, String>,
    next_conn: u64,
    /// What the fake media bridge was asked (see [`Harness::anchor_media`]).
    media_log: Arc<Mutex<Vec<String>>>,
}

fn addr(s: &str) -> SocketAddr {
    s.parse().expect("a test address")
}

pub fn account(user_id: i64, extension: &str) -> SipAccount {
    SipAccount {
        id: user_id,
        user_id,
        display_name: format!("User {user_id}"),
        extension: extension.to_string(),
        sip_login: format!("u{user_id}"),
        sip_password: format!("secret-of-{user_id}"),
        accept_incoming: true,
        browser_calls: true,
        forward_to: None,
    }
}

impl Harness {
    /// A switch with one trunk and `users` (id, extension), none connected;
    /// `config` adjusts the relay's settings (dial timeout, forwarding).
    pub fn new(users: &[(i64, &str)], config: impl FnOnce(&mut crate::config::Config)) -> Harness {
        let now = Instant::now();
        let mut settings = crate::config::Config::with_data_dir("/nonexistent/callcard-core-tests");
        config(&mut settings);
        let telephony = Telephony::new();
        telephony
            .accounts
            .replace(users.iter().map(|(id, ext)| account(*id, ext)).collect());
        for (id, _) in users {
            telephony
                .maskings
                .set(*id, callcard_shared::masking::Masking::None);
        }
        let (records, rx) = Records::detached();
        let mut switch = Switch::new(records, std::sync::Arc::new(settings), telephony, None);
        switch.media = None; // Plain RTP: the SDP passes through.
                             // Two trunks to the same provider: the first by priority, the
                             // second for failover.
        for id in [TRUNK, TRUNK + 1] {
            let trunk = TrunkConfig {
                id,
                name: format!("provider {id}"),
                number: "+74950000000".into(),
                username: format!("relay{id}"),
                password: "trunk-secret".into(),
                domain: "provider.test".into(),
                host: PROVIDER.into(),
                transport: SipTransport::Udp,
                outbound_proxy: None,
                register: false,
                expires: 300,
                priority: id as i32,
            };
            switch.trunks.insert(
                id,
                TrunkLeg::detached(trunk, addr(PROVIDER), trunk_local(id), now),
            );
            switch
                .telephony
                .trunks
                .set(id, callcard_shared::api::TrunkState::NotRegistering, None);
        }
        let provider = Provider {
            ep: Endpoint::new(
                UaConfig {
                    aor: format!("sip:provider@{PROVIDER}"),
                    display_name: None,
                    contact: format!("sip:provider@{PROVIDER}"),
                    via_host: PROVIDER.to_string(),
                    outbound: Remote {
                        addr: trunk_local(TRUNK),
                        transport: TransportKind::Udp,
                    },
                    timers: TimerConfig::default(),
                    credentials: None,
                    user_agent: "core-tests provider".into(),
                    limits: Default::default(),
                },
                7,
            ),
            events: Vec::new(),
            call: None,
        };
        Harness {
            switch,
            now,
            records: rx,
            log: Vec::new(),
            provider,
            phones: BTreeMap::new(),
            references: BTreeMap::new(),
            next_conn: 100,
            media_log: Arc::default(),
        }
    }

    /// Browsers' media is anchored by a fake bridge from now on (its steps
    /// go into [`Harness::log`]).
    pub fn anchor_media(&mut self) {
        self.switch.media = Some(Box::new(FakeMedia {
            log: self.media_log.clone(),
            opened: AtomicUsize::new(0),
        }));
    }

    /// Phone `n` of `user_id` opens its WebSocket and registers; a
    /// `webrtc` one as a WebRTC browser.
    pub fn connect(&mut self, n: usize, user_id: i64, webrtc: bool) {
        let conn = self.next_conn;
        self.next_conn += 1;
        let account = self.switch.telephony.accounts.by_user(user_id);
        let login = account
            .as_ref()
            .map(|a| a.sip_login.clone())
            .unwrap_or_default();
        let (tx, rx) = mpsc::unbounded_channel();
        self.switch.handle(
            self.now,
            Input::WsOpen {
                conn,
                user_id,
                login: login.clone(),
                peer: "192.0.2.77".parse().expect("ip"),
                tx,
                account: account.clone(),
            },
        );
        let mut ep = Endpoint::new(
            UaConfig {
                aor: format!("sip:{login}@callcard"),
                display_name: None,
                contact: format!("sip:{login}@phone{n}.invalid;transport=ws"),
                via_host: format!("phone{n}.invalid"),
                outbound: Remote {
                    addr: 0,
                    transport: TransportKind::Ws,
                },
                timers: TimerConfig::default(),
                credentials: account.map(|a| (a.sip_login, a.sip_password)),
                user_agent: "core-tests phone".into(),
                limits: Default::default(),
            },
            1000 + n as u64,
        );
        if webrtc {
            ep = ep.with_contact_params(";+sip.ice");
        }
        ep.register(self.now, 600);
        self.phones.insert(
            n,
            Phone {
                user_id,
                conn,
                ep,
                rx,
                events: Vec::new(),
                call: None,
                calls: Vec::new(),
                webrtc,
            },
        );
        self.settle();
    }

    /// Phone `n`'s socket drops (its endpoint lives on, as a browser's does).
    pub fn drop_socket(&mut self, n: usize) {
        let conn = self.phones[&n].conn;
        self.switch.handle(self.now, Input::Closed { conn });
        self.settle();
    }

    /// Phone `n` comes back on a new socket and registers again: the relay
    /// adopts the old connection's calls.
    pub fn reconnect(&mut self, n: usize) {
        let conn = self.next_conn;
        self.next_conn += 1;
        let phone = self.phones.get_mut(&n).expect("a phone");
        let user_id = phone.user_id;
        let account = self.switch.telephony.accounts.by_user(user_id);
        let (tx, rx) = mpsc::unbounded_channel();
        phone.conn = conn;
        phone.rx = rx;
        phone.ep.register(self.now, 600);
        self.switch.handle(
            self.now,
            Input::WsOpen {
                conn,
                user_id,
                login: account
                    .as_ref()
                    .map(|a| a.sip_login.clone())
                    .unwrap_or_default(),
                peer: "192.0.2.77".parse().expect("ip"),
                tx,
                account,
            },
        );
        self.settle();
    }

    /// The caller `number` belongs to a contact whose manager is `manager`.
    pub fn contact(&mut self, number: &str, contact_id: i64, manager: Option<i64>) {
        self.switch.telephony.numbers.set(
            number,
            Owner {
                contact_id,
                responsible_id: manager,
            },
        );
    }

    pub fn phone(&mut self, n: usize) -> &mut Phone {
        self.phones.get_mut(&n).expect("a phone")
    }

    /// Everything seen so far, for a failing step's message.
    pub fn state(&self) -> String {
        let mut out = format!(
            "log: {:#?}\nprovider: {:?}\n",
            self.log, self.provider.events
        );
        for (n, phone) in &self.phones {
            out += &format!("phone {n}: {:?}\n", phone.events);
        }
        out
    }

    /// Carries everything between the parties until nothing moves.
    pub fn settle(&mut self) {
        let now = self.now;
        for _ in 0..10_000 {
            let mut moved = false;
            self.switch.settle(now);
            for effect in std::mem::take(&mut self.switch.effects) {
                moved = true;
                match effect {
                    Effect::ToTrunk { trunk, to, bytes } => {
                        assert_eq!(to, addr(PROVIDER), "SIP to a stranger");
                        let from = Remote {
                            addr: trunk_local(trunk),
                            transport: TransportKind::Udp,
                        };
                        let _ = self.provider.ep.handle_input(now, from, &bytes);
                    }
                    Effect::ToUdpDevice { to, .. } => panic!("SIP to a UDP phone {to}"),
                    Effect::Record { record, .. } => self.log.push(format!("record {record}")),
                    Effect::WatchMedia { record, .. } => {
                        self.log.push(format!("watch media of {record}"))
                    }
                    Effect::ResolveReference {
                        reference, then, ..
                    } => {
                        let number = self.references.get(&reference).cloned();
                        self.switch
                            .handle(now, Input::ReferenceResolved { then, number });
                    }
                }
            }
            self.log.extend(std::mem::take(
                &mut *self.media_log.lock().expect("media log"),
            ));
            // The records writer: everything is written at once.
            let mut wrote = false;
            while let Ok(op) = self.records.try_recv() {
                wrote = true;
                self.log.push(describe(&op));
            }
            if wrote {
                moved = true;
                let upto = self.switch.records.handed_over();
                self.switch.handle(now, Input::RecordsDone { upto });
            }
            while let Some(t) = self.provider.ep.poll_transmit() {
                moved = true;
                let trunk = (TRUNK..=TRUNK + 1)
                    .find(|id| trunk_local(*id) == t.to.addr)
                    .expect("the provider answers a trunk");
                self.switch.handle(
                    now,
                    Input::TrunkMessage {
                        trunk,
                        from: addr(PROVIDER),
                        bytes: t.bytes,
                    },
                );
            }
            while let Some(e) = self.provider.ep.poll_event() {
                moved = true;
                if let Event::IncomingCall { call, .. } = &e {
                    self.provider.call = Some(*call);
                }
                self.provider.events.push(e);
            }
            for phone in self.phones.values_mut() {
                while let Ok(bytes) = phone.rx.try_recv() {
                    moved = true;
                    let from = Remote {
                        addr: 0,
                        transport: TransportKind::Ws,
                    };
                    let _ = phone.ep.handle_input(now, from, &bytes);
                }
                while let Some(t) = phone.ep.poll_transmit() {
                    moved = true;
                    self.switch.handle(
                        now,
                        Input::Frame {
                            conn: phone.conn,
                            bytes: t.bytes,
                        },
                    );
                }
                while let Some(e) = phone.ep.poll_event() {
                    moved = true;
                    if let Event::IncomingCall { call, .. } = &e {
                        phone.call = Some(*call);
                        phone.calls.push(*call);
                    }
                    phone.events.push(e);
                }
            }
            if !moved {
                return;
            }
        }
        panic!("the parties never settled");
    }

    /// Moves the clock by `by`, firing every deadline on the way in order.
    pub fn advance(&mut self, by: Duration) {
        let until = self.now + by;
        loop {
            let next = self
                .switch
                .next_deadline(self.now)
                .into_iter()
                .chain(self.provider.ep.poll_timeout())
                .chain(self.phones.values().filter_map(|p| p.ep.poll_timeout()))
                .min();
            match next {
                Some(at) if at <= until => {
                    self.now = self.now.max(at);
                    let now = self.now;
                    self.switch.timeouts(now);
                    self.provider.ep.handle_timeout(now);
                    for phone in self.phones.values_mut() {
                        phone.ep.handle_timeout(now);
                    }
                    self.settle();
                }
                _ => break,
            }
        }
        self.now = until;
        self.settle();
    }
}

/// A record change or call event as a test reads it.
fn describe(op: &Op) -> String {
    match op {
        Op::Start { key, call, .. } => format!(
            "start {key} {} {} user {:?} contact {:?}",
            call.direction, call.number_dialled, call.user_id, call.contact_id
        ),
        Op::HandedOn {
            key, from, user_id, ..
        } => format!("handed on {from} -> {key} user {user_id}"),
        Op::Internal { key } => format!("internal {key}"),
        Op::Answered { key, trunk_id, .. } => format!("answered {key} trunk {trunk_id:?}"),
        Op::AnsweredBy { key, user_id, .. } => format!("answered {key} by {user_id}"),
        Op::Finish {
            key,
            status,
            cause,
            side,
            ..
        } => format!("finish {key} {status} by {side}: {cause}"),
        Op::Notify { user, event } => format!("notify {user} {event:?}"),
        Op::IncomingCall { key, users, .. } => format!("incoming card {key} for {users:?}"),
        Op::Recording { key, .. } => format!("recording {key}"),
        Op::Quality { key, quality } => format!("quality {key}: mos {}", quality.mos),
        Op::Recorded { key, recording } => format!("recorded {key}: {recording:?}"),
        Op::Flush(_) => "flush".into(),
    }
}
