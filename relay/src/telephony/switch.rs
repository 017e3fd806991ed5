//! The switch: one task that owns every SIP endpoint (one per trunk, one per
//! browser connection) and bridges calls between them as a B2BUA. Inputs come
//! from the socket tasks through one queue; after each input the touched
//! endpoints are drained — transmits to their sockets, events to the bridge
//! logic — and the task sleeps until the earliest endpoint or registration
//! deadline.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use callcard_shared::api::{Phone, ServerEvent, TrunkState};
use callcard_shared::dialplan::{Allowed, DestinationClass, Outcome, Plan, Rules};
use callcard_shared::masking::Masking;
use callcard_shared::phone;
use callcard_shared::sip::auth::{Algorithm, DigestServer};
use callcard_shared::sip::header::NameAddr;
use callcard_shared::sip::message::{HeaderMap, Method};
use callcard_shared::sip::ua::{CallHandle, Event, Remote};
use callcard_shared::sip::uri::Uri;
use callcard_shared::Instant;
use sqlx::SqlitePool;
use tokio::net::UdpSocket;

use super::calls::{cause_for_failure, code_for_caller, fails_over, status_for_failure};
use super::device::{self, DeviceConn, DeviceTx, RegisterOutcome, MAX_BAD_CREDENTIALS};
use super::throttle::{CredentialThrottle, ThrottlePolicy};
use super::trunk::TrunkLeg;
use super::ws::WsSender;
use super::Telephony;
use crate::config::Config;
use crate::crm;
use crate::media::{CallMedia, MediaBridge, MediaError};

mod internal;
mod transfer;

use transfer::Transfer;

/// What the socket tasks hand the switch.
pub enum Input {
    /// A browser opened `/sip` with its web session.
    WsOpen {
        conn: u64,
        user_id: i64,
        login: String,
        peer: IpAddr,
        tx: WsSender,
    },
    /// A desk phone connected over TCP to the SIP address.
    TcpOpen {
        conn: u64,
        peer: SocketAddr,
        local: SocketAddr,
        tx: WsSender,
    },
    /// One SIP message on a WebSocket or TCP connection.
    Frame {
        conn: u64,
        bytes: Vec<u8>,
    },
    Closed {
        conn: u64,
    },
    /// A datagram on the SIP address (a desk phone, or a provider).
    DeviceUdp {
        from: SocketAddr,
        bytes: Vec<u8>,
    },
    /// A trunk's TCP connection came up (`error: None`) or could not be made.
    TrunkTransport {
        trunk: i64,
        error: Option<String>,
    },
    /// A message from a trunk's provider (its UDP socket, TCP or TLS connection).
    TrunkMessage {
        trunk: i64,
        from: SocketAddr,
        bytes: Vec<u8>,
    },
    /// An admin created, changed, rotated or deleted this user's telephony
    /// account: open connections reload it, and a changed credential ends
    /// the registration made with the old one.
    SipUserChanged {
        user_id: i64,
    },
    /// An administrator asked this trunk to register again now (it was
    /// waiting out a back-off, or the provider lost the binding).
    RegisterTrunk {
        trunk_id: i64,
    },
    /// The media of the call with this record ended by itself (no RTP, the
    /// browser never connected …): both legs are hung up.
    MediaEnded {
        record: i64,
        cause: String,
    },
    /// An administrator changed the limits: they and today's talk time are
    /// read again, running international calls checked against the budget.
    LimitsChanged,
    /// An administrator turned telephony off (trunks, telephony users and
    /// settings are already deleted): every call is hung up, every device
    /// connection closed, trunks and rules reloaded. Answers how many
    /// connections were closed and calls ended.
    TelephonyOff {
        done: tokio::sync::oneshot::Sender<(u64, u64)>,
    },
    /// The relay is stopping: hang up and return.
    Shutdown,
}

/// One side of a bridged call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Leg {
    Device(u64),
    Trunk(i64),
}

struct Bridge {
    /// The calling side (a browser for outbound calls, a trunk for inbound).
    a: (Leg, CallHandle),
    /// The called side: the trunk INVITE (outbound), or the browser that
    /// answered (inbound).
    b: Option<(Leg, CallHandle)>,
    /// Inbound: the browsers being rung in parallel, with their users.
    forks: Vec<(Leg, CallHandle, i64)>,
    /// Inbound: when ringing gives up (the dial timeout).
    deadline: Option<Instant>,
    /// Inbound: the users whose phones rang (told when it stops).
    rung: Vec<i64>,
    inbound: bool,
    record: i64,
    user_id: i64,
    /// What the trunk is asked for (the number rules' output).
    dial: String,
    offer: Option<Vec<u8>>,
    tried: Vec<i64>,
    ringing: bool,
    answered: bool,
    /// The record is closed; the bridge waits for the last answers.
    finished: bool,
    /// Inbound: nobody answered in time and the call went on to this number.
    forwarded_to: Option<String>,
    /// The anchored media of a browser call (None: SDP passes through).
    media: Option<Arc<CallMedia>>,
    /// Outbound, anchored: the relay's answer to the browser's offer, sent
    /// once the trunk's SDP was taken (in the 180/183 or the 200).
    browser_answer: Option<Vec<u8>>,
    /// Outbound, anchored: the trunk's SDP answer went into the media bridge.
    trunk_sdp_taken: bool,
    /// Inbound: the media sessions of the WebRTC browsers being rung, one
    /// per fork; the answering one becomes `media`, the others end.
    fork_media: Vec<((Leg, CallHandle), Arc<CallMedia>)>,
    /// A call between two extensions (no trunk; the SDP passes through).
    internal: bool,
    /// The last SDP each leg sent (offer or answer, as received): what a
    /// transfer hands the other party.
    sdp_a: Option<Vec<u8>>,
    sdp_b: Option<Vec<u8>>,
}

impl Drop for Bridge {
    /// However a bridge ends, its media ends with it and its ports are freed.
    fn drop(&mut self) {
        let forks = std::mem::take(&mut self.fork_media)
            .into_iter()
            .map(|f| f.1);
        for media in self.media.take().into_iter().chain(forks) {
            tokio::spawn(async move {
                media.end().await;
            });
        }
    }
}

impl Bridge {
    /// A bridge whose two legs are already up (the parties an attended
    /// transfer joins).
    fn answered(a: (Leg, CallHandle), b: (Leg, CallHandle), record: i64, user_id: i64) -> Bridge {
        Bridge {
            a,
            b: Some(b),
            forks: Vec::new(),
            deadline: None,
            rung: Vec::new(),
            inbound: false,
            record,
            user_id,
            dial: String::new(),
            offer: None,
            tried: Vec::new(),
            ringing: true,
            answered: true,
            finished: false,
            forwarded_to: None,
            media: None,
            browser_answer: None,
            trunk_sdp_taken: true,
            fork_media: Vec::new(),
            internal: false,
            sdp_a: None,
            sdp_b: None,
        }
    }

    /// The last SDP that `leg` sent in this bridge.
    fn sdp_of(&self, leg: (Leg, CallHandle)) -> Option<&[u8]> {
        if self.a == leg {
            self.sdp_a.as_deref()
        } else if self.b == Some(leg) {
            self.sdp_b.as_deref()
        } else {
            None
        }
    }

    /// Notes the SDP `leg` just sent.
    fn remember_sdp(&mut self, leg: (Leg, CallHandle), sdp: &Option<Vec<u8>>) {
        let Some(sdp) = sdp else {
            return;
        };
        if self.a == leg {
            self.sdp_a = Some(sdp.clone());
        } else if self.b == Some(leg) {
            self.sdp_b = Some(sdp.clone());
        }
    }

    /// The cause written to the record, saying where a forwarded call went.
    fn cause(&self, cause: &str) -> String {
        match &self.forwarded_to {
            Some(number) => format!("forwarded to {number}: {cause}"),
            None => cause.to_string(),
        }
    }
}

/// A mid-dialog offer (re-INVITE or UPDATE) from one leg of a bridge that
/// went on to the other leg as a re-INVITE: that leg's final answer
/// ([`Event::Modified`]) completes it. One at a time per bridge.
struct Reoffer {
    /// The bridge's call record.
    record: i64,
    /// The leg the re-INVITE went to.
    asked: (Leg, CallHandle),
    /// Where its answer goes.
    then: ReofferAnswer,
}

/// Where the answer to a relayed re-INVITE goes.
enum ReofferAnswer {
    /// SDP passes through: to this leg, whose own offer still waits for it
    /// (a refusal goes back with the same code).
    Offerer((Leg, CallHandle)),
    /// Anchored, the browser re-offered and was answered at once: the
    /// provider's answer goes into the media bridge.
    TrunkAnswer,
    /// Anchored, the provider re-offered and was answered at once: the
    /// browser's answer goes into the media bridge.
    BrowserAnswer,
    /// An attended transfer joined a provider (this leg) with a colleague's
    /// browser: the browser was re-offered a new anchored session; its
    /// answer gives the provider's re-offer.
    JoinedBrowser {
        trunk: (Leg, CallHandle),
        /// The media id the browser knows the audio by, and the relay's
        /// (`(browser's, relay's)`): its answer is read with the relay's.
        mids: Option<(String, String)>,
    },
}

pub struct Switch {
    db: SqlitePool,
    config: Arc<Config>,
    telephony: Arc<Telephony>,
    digest: DigestServer,
    devices: HashMap<u64, DeviceConn>,
    trunks: BTreeMap<i64, TrunkLeg>,
    bridges: Vec<Bridge>,
    dirty: BTreeSet<Leg>,
    /// Browser connections to close once their last answer is sent.
    to_close: Vec<u64>,
    /// A registration was made or dropped since `Telephony::registered` was published.
    registrations_dirty: bool,
    /// The earliest registration expiry (publish again then).
    next_expiry: Option<Instant>,
    /// The SIP address's UDP socket (desk phones), with its local address.
    sip_udp: Option<(Arc<UdpSocket>, SocketAddr)>,
    /// Desk phones over UDP: the connection id of each source address.
    udp_devices: HashMap<SocketAddr, u64>,
    throttle: CredentialThrottle,
    /// When idle UDP sources and old throttle entries are next dropped.
    next_sweep: Instant,
    /// The number rules every outbound call goes through.
    plan: Plan,
    /// Anchors the media of browser (WebRTC) calls; None when the media
    /// settings are unusable (SDP then passes through).
    media: Option<MediaBridge>,
    /// Re-INVITEs / UPDATEs relayed from one leg of a bridge to the other,
    /// waiting for the other leg's answer (see [`Switch::remote_offer`]).
    reoffers: Vec<Reoffer>,
    /// Blind transfers ringing their target.
    transfers: Vec<Transfer>,
    /// Browsers whose socket dropped during a call: their calls are kept
    /// until this instant, waiting for the browser to come back.
    orphans: HashMap<u64, Instant>,
    /// A reconnected browser's new socket → the connection whose endpoint
    /// (and calls) it took over.
    aliases: HashMap<u64, u64>,
    /// Connections whose socket was replaced by a reconnect before its
    /// close was seen: that close is stale.
    replaced: BTreeSet<u64>,
}

/// How long the calls of a browser whose socket dropped wait for it to
/// reconnect (the media keeps flowing meanwhile: ICE does not use the socket).
const RECONNECT_GRACE: Duration = Duration::from_secs(15);

/// How often idle unregistered UDP sources are forgotten.
const SWEEP_EVERY: Duration = Duration::from_secs(30);
/// An unregistered UDP source silent this long is forgotten.
const UDP_IDLE: Duration = Duration::from_secs(64);

impl Switch {
    /// `sip_udp`: the SIP address's UDP socket, when the relay listens for desk phones.
    pub fn new(
        db: SqlitePool,
        config: Arc<Config>,
        telephony: Arc<Telephony>,
        sip_udp: Option<Arc<UdpSocket>>,
    ) -> Switch {
        let sip_udp = sip_udp.and_then(|s| s.local_addr().ok().map(|a| (s, a)));
        let media = match MediaBridge::new(config.media()) {
            Ok(media) => {
                let _ = telephony.media.set(media.clone());
                Some(media)
            }
            Err(e) => {
                tracing::warn!("browser calls get no media from the relay: {e}");
                None
            }
        };
        Switch {
            db,
            config,
            telephony,
            digest: DigestServer::new(
                crm::sip_users::SIP_REALM,
                Algorithm::Md5,
                Duration::from_secs(300),
            ),
            devices: HashMap::new(),
            trunks: BTreeMap::new(),
            bridges: Vec::new(),
            dirty: BTreeSet::new(),
            to_close: Vec::new(),
            registrations_dirty: false,
            next_expiry: None,
            sip_udp,
            udp_devices: HashMap::new(),
            throttle: CredentialThrottle::new(ThrottlePolicy::default()),
            next_sweep: Instant::now() + SWEEP_EVERY,
            plan: Plan::new(&Rules::default()).expect("the default rules compile"),
            media,
            reoffers: Vec::new(),
            transfers: Vec::new(),
            orphans: HashMap::new(),
            aliases: HashMap::new(),
            replaced: BTreeSet::new(),
        }
    }

    /// Runs until the input queue closes (the relay shuts down).
    pub async fn run(mut self) {
        let Some(mut inputs) = self.telephony.take_receiver() else {
            tracing::error!("the switch is already running");
            return;
        };
        let telephony = self.telephony.clone();
        self.reload_trunks().await;
        self.reload_dialplan().await;
        self.reload_limits().await;
        loop {
            self.drain().await;
            for conn in std::mem::take(&mut self.to_close) {
                self.device_gone(Instant::now(), conn).await;
                self.drain().await;
            }
            let now = Instant::now();
            if self.registrations_dirty || self.next_expiry.is_some_and(|e| e <= now) {
                self.publish_registrations(now);
            }
            let deadline = self.next_deadline();
            let sleep = async {
                match deadline {
                    Some(at) => tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                input = inputs.recv() => match input {
                    Some(Input::Shutdown) | None => break,
                    Some(input) => self.handle(input).await,
                },
                _ = telephony.trunks_changed.notified() => self.reload_trunks().await,
                _ = telephony.dialplan_changed.notified() => self.reload_dialplan().await,
                _ = sleep => self.timeouts(Instant::now()).await,
            }
        }
        self.shutdown().await;
    }

    fn next_deadline(&self) -> Option<Instant> {
        let trunks = self
            .trunks
            .values()
            .flat_map(|t| t.ep.poll_timeout().into_iter().chain(t.next_register));
        let browsers = self.devices.values().filter_map(|b| b.ep.poll_timeout());
        let ringing = self
            .bridges
            .iter()
            .filter_map(|b| b.deadline)
            .chain(self.transfers.iter().map(|t| t.deadline))
            .chain(self.orphans.values().copied());
        let budget = self.limiter().next_deadline(Instant::now());
        trunks
            .chain(browsers)
            .chain(ringing)
            .chain(budget)
            .chain(self.next_expiry)
            .chain(Some(self.next_sweep))
            .min()
    }

    async fn timeouts(&mut self, now: Instant) {
        if self.next_sweep <= now {
            self.sweep(now);
        }
        self.enforce_budget(now).await;
        self.transfer_timeouts(now).await;
        let abandoned: Vec<u64> = self
            .orphans
            .iter()
            .filter(|(_, until)| **until <= now)
            .map(|(conn, _)| *conn)
            .collect();
        for conn in abandoned {
            tracing::info!(conn, "the browser did not come back: its calls end");
            self.device_gone(now, conn).await;
        }
        let expired: Vec<usize> = (0..self.bridges.len())
            .rev()
            .filter(|&i| self.bridges[i].deadline.is_some_and(|d| d <= now))
            .collect();
        for i in expired {
            let forks = std::mem::take(&mut self.bridges[i].forks);
            self.cancel_forks(now, &forks);
            self.tell_rung(&self.bridges[i], "missed");
            self.bridges[i].rung.clear();
            if !self.bridges[i].internal && self.forward(now, i).await {
                continue;
            }
            let bridge = self.bridges.remove(i);
            let a = bridge.a;
            self.with_leg(a.0, |ep| ep.reject(now, a.1, 480));
            let cause = format!(
                "no answer in {} s (480)",
                self.config.dial_timeout.as_secs()
            );
            self.finish(bridge.record, "missed", &cause, "relay").await;
        }
        for (id, trunk) in &mut self.trunks {
            if trunk.ep.poll_timeout().is_some_and(|t| t <= now) {
                trunk.ep.handle_timeout(now);
                self.dirty.insert(Leg::Trunk(*id));
            }
            if trunk.next_register.is_some_and(|t| t <= now) {
                trunk.register_now(now);
                self.dirty.insert(Leg::Trunk(*id));
            }
        }
        for (conn, browser) in &mut self.devices {
            if browser.ep.poll_timeout().is_some_and(|t| t <= now) {
                browser.ep.handle_timeout(now);
                self.dirty.insert(Leg::Device(*conn));
            }
        }
    }

    async fn handle(&mut self, input: Input) {
        let now = Instant::now();
        match input {
            Input::WsOpen {
                conn,
                user_id,
                login,
                peer,
                tx,
            } => {
                let account = match crm::sip_users::by_user(&self.db, user_id).await {
                    Ok(account) => account,
                    Err(e) => {
                        tracing::error!("loading the telephony user of {login}: {e}");
                        None
                    }
                };
                let device = DeviceConn::new(
                    conn,
                    user_id,
                    login,
                    DeviceTx::Ws(tx),
                    peer,
                    None,
                    account,
                    now,
                );
                self.devices.insert(conn, device);
            }
            Input::TcpOpen {
                conn,
                peer,
                local,
                tx,
            } => {
                let device = DeviceConn::new(
                    conn,
                    0,
                    peer.to_string(),
                    DeviceTx::Tcp(tx),
                    peer.ip(),
                    Some(local),
                    None,
                    now,
                );
                self.devices.insert(conn, device);
            }
            Input::Frame { conn, bytes } => {
                let conn = self.aliases.get(&conn).copied().unwrap_or(conn);
                self.device_input(now, conn, &bytes)
            }
            Input::DeviceUdp { from, bytes } => {
                // A provider sending to the SIP address rather than to its trunk's socket.
                let trunk = self
                    .trunks
                    .iter()
                    .find(|(_, t)| t.ep.config().outbound.addr == from)
                    .map(|(id, _)| *id);
                if let Some(trunk) = trunk {
                    self.trunk_input(now, trunk, from, bytes).await;
                    return;
                }
                let Some((socket, local)) = self.sip_udp.clone() else {
                    return;
                };
                let conn = match self.udp_devices.get(&from) {
                    Some(conn) => *conn,
                    None => {
                        let conn = super::next_conn_id();
                        let local = super::local_address_towards(local, from).unwrap_or(local);
                        let device = DeviceConn::new(
                            conn,
                            0,
                            from.to_string(),
                            DeviceTx::Udp(socket, from),
                            from.ip(),
                            Some(local),
                            None,
                            now,
                        );
                        self.devices.insert(conn, device);
                        self.udp_devices.insert(from, conn);
                        conn
                    }
                };
                self.device_input(now, conn, &bytes);
            }
            Input::Closed { conn } => {
                if self.replaced.remove(&conn) {
                    return; // Its phone came back on another socket already.
                }
                let conn = self.aliases.remove(&conn).unwrap_or(conn);
                self.device_gone(now, conn).await
            }
            Input::RegisterTrunk { trunk_id } => {
                if let Some(trunk) = self.trunks.get_mut(&trunk_id).filter(|t| t.config.register) {
                    tracing::info!(trunk = trunk_id, "registering now, as asked");
                    self.telephony
                        .trunks
                        .set(trunk_id, TrunkState::Pending, None);
                    trunk.register_now(now);
                    self.dirty.insert(Leg::Trunk(trunk_id));
                }
            }
            Input::SipUserChanged { user_id } => {
                let account = crm::sip_users::by_user(&self.db, user_id)
                    .await
                    .ok()
                    .flatten();
                for browser in self.devices.values_mut().filter(|b| b.user_id == user_id) {
                    let same_secret = match (&browser.account, &account) {
                        (Some(old), Some(new)) => {
                            old.sip_login == new.sip_login && old.sip_password == new.sip_password
                        }
                        _ => false,
                    };
                    if !same_secret {
                        browser.registered_until = None;
                    }
                    browser.account = account.clone();
                }
                self.registrations_dirty = true;
            }
            Input::Shutdown => {}
            Input::LimitsChanged => {
                self.reload_limits().await;
                self.enforce_budget(now).await;
            }
            Input::TelephonyOff { done } => {
                let done_counts = self.telephony_off(now).await;
                let _ = done.send(done_counts);
            }
            Input::MediaEnded { record, cause } => self.media_ended(now, record, &cause).await,
            Input::TrunkMessage { trunk, from, bytes } => {
                self.trunk_input(now, trunk, from, bytes).await
            }
            Input::TrunkTransport { trunk, error } => {
                let Some(leg) = self.trunks.get(&trunk) else {
                    return;
                };
                match error {
                    Some(reason) => {
                        tracing::warn!(trunk, "{reason}");
                        self.telephony
                            .trunks
                            .set(trunk, TrunkState::Failed, Some(reason));
                    }
                    // Connected: a trunk that does not register is usable again;
                    // a registering one waits for its REGISTER's answer.
                    None if !leg.config.register => {
                        self.telephony
                            .trunks
                            .set(trunk, TrunkState::NotRegistering, None);
                    }
                    None => {}
                }
            }
        }
    }

    /// One SIP message from a device connection.
    fn device_input(&mut self, now: Instant, conn: u64, bytes: &[u8]) {
        let Some(device) = self.devices.get_mut(&conn) else {
            return;
        };
        device.last_seen = now;
        let from = device.ep.config().outbound.clone();
        if let Err(e) = device.ep.handle_input(now, from, bytes) {
            tracing::info!(conn, device = %device.login, "malformed SIP from a device: {e}");
        }
        self.dirty.insert(Leg::Device(conn));
    }

    /// One datagram from a trunk's provider (or a stranger posing as one).
    async fn trunk_input(&mut self, now: Instant, trunk: i64, from: SocketAddr, bytes: Vec<u8>) {
        let Some(leg) = self.trunks.get_mut(&trunk) else {
            return;
        };
        if from != leg.ep.config().outbound.addr {
            tracing::warn!(
                trunk,
                %from,
                "security: SIP from an address that is not this trunk's provider, refused"
            );
            if let Some(refusal) = forbidden(&bytes) {
                leg.send(from, &refusal).await;
            }
            return;
        }
        let remote = Remote {
            addr: from,
            transport: leg.ep.config().outbound.transport,
        };
        if let Err(e) = leg.ep.handle_input(now, remote, &bytes) {
            tracing::info!(trunk, %from, "malformed SIP from a trunk: {e}");
        }
        self.dirty.insert(Leg::Trunk(trunk));
    }

    /// Forgets unregistered UDP sources that went quiet, and old throttle entries.
    fn sweep(&mut self, now: Instant) {
        self.next_sweep = now + SWEEP_EVERY;
        self.throttle.sweep(now);
        let in_call: BTreeSet<u64> = self
            .bridges
            .iter()
            .flat_map(|b| {
                [Some(b.a.0), b.b.map(|b| b.0)]
                    .into_iter()
                    .flatten()
                    .chain(b.forks.iter().map(|f| f.0))
            })
            .filter_map(|leg| match leg {
                Leg::Device(conn) => Some(conn),
                Leg::Trunk(_) => None,
            })
            .collect();
        let devices = &mut self.devices;
        self.udp_devices.retain(|_, conn| {
            let Some(device) = devices.get(conn) else {
                return false;
            };
            let idle = !device.is_registered(now)
                && !in_call.contains(conn)
                && device.ep.is_idle()
                && now.saturating_duration_since(device.last_seen) > UDP_IDLE;
            if idle {
                devices.remove(conn);
            }
            !idle
        });
    }

    /// Sends what the touched endpoints produced and acts on their events,
    /// until nothing is left (an event may touch another endpoint).
    async fn drain(&mut self) {
        while let Some(leg) = self.dirty.pop_first() {
            let mut events = Vec::new();
            match leg {
                Leg::Trunk(id) => {
                    let Some(trunk) = self.trunks.get_mut(&id) else {
                        continue;
                    };
                    while let Some(t) = trunk.ep.poll_transmit() {
                        trunk.send(t.to.addr, &t.bytes).await;
                    }
                    while let Some(e) = trunk.ep.poll_event() {
                        events.push(e);
                    }
                }
                Leg::Device(conn) => {
                    let Some(browser) = self.devices.get_mut(&conn) else {
                        continue;
                    };
                    while let Some(t) = browser.ep.poll_transmit() {
                        browser.tx.send(t.bytes);
                    }
                    while let Some(e) = browser.ep.poll_event() {
                        events.push(e);
                    }
                }
            }
            for event in events {
                self.on_event(leg, event).await;
            }
        }
    }

    async fn on_event(&mut self, leg: Leg, event: Event) {
        let now = Instant::now();
        match (leg, event) {
            (Leg::Trunk(id), Event::Registered { expires }) => {
                if let Some(trunk) = self.trunks.get_mut(&id) {
                    trunk.registered(now, expires);
                    tracing::info!(trunk = id, expires, "trunk registered");
                }
                self.telephony.trunks.set(id, TrunkState::Registered, None);
            }
            (Leg::Trunk(id), Event::RegistrationFailed { code }) => {
                let reason = match code {
                    401 | 403 | 407 => format!("wrong credentials ({code})"),
                    408 => "timeout: no answer from the provider".to_string(),
                    _ => format!("rejected by the provider ({code})"),
                };
                if let Some(trunk) = self.trunks.get_mut(&id) {
                    let retry = trunk.failed(now);
                    tracing::warn!(
                        trunk = id,
                        "trunk registration failed: {reason}; retry in {retry:?}"
                    );
                }
                self.telephony
                    .trunks
                    .set(id, TrunkState::Failed, Some(reason));
            }
            (Leg::Device(conn), Event::Request { id, request, .. }) => {
                self.device_request(now, conn, id, request).await;
            }
            (
                Leg::Trunk(id),
                Event::Request {
                    id: req, request, ..
                },
            ) => {
                // OPTIONS keep-alives from providers get 200; anything else 501.
                if let Some(trunk) = self.trunks.get_mut(&id) {
                    let (code, reason) = if request.method == Method::Options {
                        (200, "OK")
                    } else {
                        (501, "Not Implemented")
                    };
                    if let Some(resp) = trunk.ep.response_for(req, code, reason) {
                        trunk.ep.respond(now, req, resp);
                    }
                    self.dirty.insert(leg);
                }
            }
            (Leg::Device(conn), Event::IncomingCall { call, to, sdp, .. }) => {
                self.outbound_call(now, conn, call, &to, sdp).await;
            }
            (
                Leg::Trunk(id),
                Event::IncomingCall {
                    call, from, sdp, ..
                },
            ) => {
                self.inbound_call(now, id, call, &from, sdp).await;
            }
            (leg, Event::Refer { call, refer_to }) => {
                self.on_refer(now, leg, call, refer_to).await;
            }
            (leg, Event::Progress { call, code, .. })
                if self.transfer_of_fork(leg, call).is_some() =>
            {
                if let Some(k) = self.transfer_of_fork(leg, call) {
                    self.transfer_progress(now, k, code);
                }
            }
            (leg, Event::Answered { call, sdp }) if self.transfer_of_fork(leg, call).is_some() => {
                if let Some(k) = self.transfer_of_fork(leg, call) {
                    self.transfer_answered(now, k, (leg, call), sdp).await;
                }
            }
            (leg, Event::Failed { call, code, reason })
                if self.transfer_of_fork(leg, call).is_some() =>
            {
                if let Some(k) = self.transfer_of_fork(leg, call) {
                    self.transfer_fork_failed(now, k, (leg, call), code, &reason)
                        .await;
                }
            }
            (leg, Event::Progress { call, code, sdp }) => {
                if let Some(i) = self.bridge_of_b(leg, call) {
                    self.bridges[i].remember_sdp((leg, call), &sdp);
                    let mut sdp = sdp;
                    let mut early = false;
                    if self.bridges[i].media.is_some() && !self.bridges[i].inbound {
                        // The browser never sees the provider's SDP, only the relay's.
                        if let Some(trunk_sdp) = sdp.take() {
                            if !self.bridges[i].trunk_sdp_taken {
                                if !self.take_trunk_answer(now, i, &trunk_sdp, false).await {
                                    return;
                                }
                                sdp = self.bridges[i].browser_answer.clone();
                                early = true;
                            }
                        }
                    }
                    let bridge = &mut self.bridges[i];
                    if (180..=183).contains(&code) && (!bridge.ringing || early) {
                        bridge.ringing = true;
                        let a = bridge.a;
                        self.with_leg(a.0, |ep| ep.ringing(now, a.1, sdp));
                    }
                }
            }
            (leg, Event::Answered { call, sdp }) => {
                if let Some((i, user_id)) = self.bridge_of_fork(leg, call) {
                    // Inbound: the first browser to answer wins, the others stop ringing.
                    let bridge = &mut self.bridges[i];
                    bridge.answered = true;
                    bridge.deadline = None;
                    bridge.b = Some((leg, call));
                    bridge.sdp_b = sdp.clone();
                    bridge.user_id = user_id;
                    let others: Vec<_> = std::mem::take(&mut bridge.forks)
                        .into_iter()
                        .filter(|f| (f.0, f.1) != (leg, call))
                        .collect();
                    let (a, record) = (bridge.a, bridge.record);
                    let Some(sdp) = self.take_fork_media(now, i, (leg, call), sdp).await else {
                        self.cancel_forks(now, &others);
                        return;
                    };
                    for &user in self.bridges[i].rung.iter().filter(|u| **u != user_id) {
                        self.telephony.notify(
                            user,
                            ServerEvent::CallEnded {
                                call_id: record,
                                status: "answered_elsewhere".into(),
                            },
                        );
                    }
                    self.cancel_forks(now, &others);
                    self.with_leg(a.0, |ep| ep.accept(now, a.1, sdp));
                    let answered = if self.bridges[i].internal {
                        crm::calls::answered(&self.db, record, None).await
                    } else {
                        crm::calls::answered_by(&self.db, record, user_id).await
                    };
                    if let Err(e) = answered {
                        tracing::error!(record, "writing the answer to the call record: {e}");
                    }
                } else if let Some(i) = self.bridge_of_b(leg, call) {
                    let mut sdp = sdp;
                    self.bridges[i].remember_sdp((leg, call), &sdp);
                    if self.bridges[i].media.is_some() && !self.bridges[i].inbound {
                        if !self.bridges[i].trunk_sdp_taken {
                            let taken = match &sdp {
                                Some(trunk_sdp) => {
                                    self.take_trunk_answer(now, i, trunk_sdp, true).await
                                }
                                None => {
                                    self.media_failed(
                                        now,
                                        i,
                                        "the provider answered without SDP (488)".into(),
                                        true,
                                    )
                                    .await;
                                    false
                                }
                            };
                            if !taken {
                                return;
                            }
                        }
                        sdp = self.bridges[i].browser_answer.clone();
                    }
                    let bridge = &mut self.bridges[i];
                    bridge.answered = true;
                    let (a, record) = (bridge.a, bridge.record);
                    let trunk = match leg {
                        Leg::Trunk(t) => Some(t),
                        Leg::Device(_) => None,
                    };
                    self.with_leg(a.0, |ep| ep.accept(now, a.1, sdp));
                    self.limiter().answered(now, record);
                    if let Err(e) = crm::calls::answered(&self.db, record, trunk).await {
                        tracing::error!(record, "writing the answer to the call record: {e}");
                    }
                }
            }
            (leg, Event::Failed { call, code, reason }) => {
                if let Some((i, _)) = self.bridge_of_fork(leg, call) {
                    self.fork_failed(now, i, leg, call, code).await;
                    return;
                }
                let Some(i) = self.bridge_of_b(leg, call) else {
                    return;
                };
                let bridge = &self.bridges[i];
                if bridge.finished {
                    self.bridges.remove(i);
                    return;
                }
                if fails_over(code) {
                    if let Some(next) = self.pick_trunk(&bridge.tried) {
                        tracing::info!(
                            record = bridge.record,
                            code,
                            next,
                            "failing over to the next trunk"
                        );
                        self.dial_trunk(now, i, next);
                        return;
                    }
                }
                let bridge = self.bridges.remove(i);
                let a = bridge.a;
                self.with_leg(a.0, |ep| ep.reject(now, a.1, code_for_caller(code)));
                let cause = bridge.cause(&cause_for_failure(code, &reason));
                let status = if bridge.inbound {
                    "missed"
                } else {
                    status_for_failure(code)
                };
                self.finish(bridge.record, status, &cause, "callee").await;
            }
            (leg, Event::Cancelled { call }) => {
                // The caller gave up before the answer.
                if let Some(i) = self.bridge_of_a(leg, call) {
                    if self.bridges[i].inbound {
                        let bridge = self.bridges.remove(i);
                        self.cancel_forks(now, &bridge.forks);
                        if let Some(b) = bridge.b {
                            // Hung up while the forwarding number rang.
                            self.with_leg(b.0, |ep| ep.cancel(now, b.1));
                        }
                        self.tell_rung(&bridge, "missed");
                        let cause = bridge.cause("the caller hung up while it rang");
                        self.finish(bridge.record, "missed", &cause, "caller").await;
                        return;
                    }
                    let bridge = &mut self.bridges[i];
                    bridge.finished = true;
                    let (b, record) = (bridge.b, bridge.record);
                    if let Some(b) = b {
                        self.with_leg(b.0, |ep| ep.cancel(now, b.1));
                    } else {
                        self.bridges.remove(i);
                    }
                    self.finish(record, "cancelled", "cancelled by the caller", "caller")
                        .await;
                }
            }
            (leg, Event::Terminated { call, by_peer }) => {
                if !by_peer {
                    return;
                }
                if self.transferor_left(leg, call) {
                    // A blind transfer rings on without the transferor.
                    return;
                }
                let (i, other, side) = if let Some(i) = self.bridge_of_a(leg, call) {
                    (i, self.bridges[i].b, "caller")
                } else if let Some(i) = self.bridge_of_b(leg, call) {
                    (i, Some(self.bridges[i].a), "callee")
                } else {
                    return;
                };
                let bridge = self.bridges.remove(i);
                self.abandon_transfer(now, bridge.record).await;
                if let Some(other) = other {
                    self.with_leg(other.0, |ep| ep.bye(now, other.1));
                }
                if bridge.inbound && bridge.forwarded_to.is_none() && !bridge.internal {
                    self.telephony.notify(
                        bridge.user_id,
                        ServerEvent::CallEnded {
                            call_id: bridge.record,
                            status: "answered".into(),
                        },
                    );
                }
                let cause = bridge.cause("normal clearing (BYE)");
                self.finish(bridge.record, "answered", &cause, side).await;
            }
            (leg, Event::RemoteOffer { call, method, sdp }) => {
                self.remote_offer(now, leg, call, method, sdp).await;
            }
            (leg, Event::Modified { call, code, sdp }) => {
                self.modified(now, leg, call, code, sdp).await;
            }
            _ => {}
        }
    }

    /// The media bridge's session for a browser's offer, when this call is
    /// anchored: a WebSocket device (a browser) offering WebRTC. None: the
    /// SDP passes through unchanged (desk phones, plain RTP, no SDP).
    #[allow(clippy::type_complexity)]
    fn anchor_browser_offer(
        &self,
        conn: u64,
        sdp: Option<&[u8]>,
    ) -> Option<Result<(CallMedia, String, String), MediaError>> {
        let media = self.media.as_ref()?;
        let device = self.devices.get(&conn)?;
        let sdp = sdp.filter(|sdp| device.tx.is_browser() && is_webrtc(sdp))?;
        Some(media.for_browser_offer(&String::from_utf8_lossy(sdp)))
    }

    /// Tells the switch when the media of `record` ends by itself.
    fn watch_media(&self, record: i64, media: &Arc<CallMedia>) {
        let media = media.clone();
        let inputs = self.telephony.inputs.clone();
        tokio::spawn(async move {
            let cause = match media.ended().await {
                crate::media::EndCause::Hangup => return,
                crate::media::EndCause::Failed(why) => format!("media_error: {why}"),
                cause => cause.as_str().to_string(),
            };
            let _ = inputs.send(Input::MediaEnded { record, cause });
        });
    }

    /// Outbound, anchored: the provider's SDP (183 or 200) goes into the
    /// media bridge. False when it was refused (the call is then ended).
    async fn take_trunk_answer(
        &mut self,
        now: Instant,
        i: usize,
        sdp: &[u8],
        answered: bool,
    ) -> bool {
        let Some(media) = self.bridges[i].media.clone() else {
            return true;
        };
        match media.trunk_answer(&String::from_utf8_lossy(sdp)).await {
            Ok(()) => {
                self.bridges[i].trunk_sdp_taken = true;
                true
            }
            Err(e) => {
                let (_, cause) = media_refusal(&e, "the provider");
                self.media_failed(now, i, cause, answered).await;
                false
            }
        }
    }

    /// Outbound, anchored: the provider's media cannot be bridged. The
    /// browser gets 488, the provider CANCEL (or BYE once answered).
    async fn media_failed(&mut self, now: Instant, i: usize, cause: String, b_answered: bool) {
        let bridge = &mut self.bridges[i];
        tracing::warn!(record = bridge.record, "media refused: {cause}");
        let (a, b, record) = (bridge.a, bridge.b, bridge.record);
        self.with_leg(a.0, |ep| ep.reject(now, a.1, 488));
        self.finish(record, "failed", &cause, "relay").await;
        match b {
            // Ringing: CANCEL, and the bridge waits for the 487.
            Some(b) if !b_answered => {
                self.bridges[i].finished = true;
                self.bridges[i].media = None;
                self.with_leg(b.0, |ep| ep.cancel(now, b.1));
            }
            // The provider's leg is up: BYE.
            Some(b) => {
                self.bridges.remove(i);
                self.with_leg(b.0, |ep| ep.bye(now, b.1));
            }
            None => {
                self.bridges.remove(i);
            }
        }
    }

    /// The media of a call ended by itself (no RTP, ICE/DTLS never done):
    /// both legs are hung up and the record closed with that cause.
    async fn media_ended(&mut self, now: Instant, record: i64, cause: &str) {
        let Some(i) = self
            .bridges
            .iter()
            .position(|b| b.record == record && !b.finished)
        else {
            return;
        };
        let bridge = self.bridges.remove(i);
        tracing::warn!(record, "call media ended ({cause}): hanging up");
        let a = bridge.a;
        self.cancel_forks(now, &bridge.forks);
        if bridge.answered {
            self.with_leg(a.0, |ep| ep.bye(now, a.1));
            if let Some(b) = bridge.b {
                self.with_leg(b.0, |ep| ep.bye(now, b.1));
            }
        } else {
            self.with_leg(a.0, |ep| ep.reject(now, a.1, 488));
            if let Some(b) = bridge.b {
                self.with_leg(b.0, |ep| ep.cancel(now, b.1));
            }
        }
        if bridge.inbound {
            self.tell_rung(
                &bridge,
                if bridge.answered {
                    "answered"
                } else {
                    "missed"
                },
            );
        }
        let status = if bridge.answered {
            "answered"
        } else {
            "failed"
        };
        self.finish(record, status, &bridge.cause(cause), "relay")
            .await;
    }

    // --- Hold / resume: re-INVITE and UPDATE in an answered bridge ---

    /// A re-INVITE or UPDATE with an offer from either leg of an answered bridge.
    ///
    /// Anchored calls: the media bridge answers the offering leg at once and
    /// makes the re-offer for the other leg (a direction change crosses over:
    /// hold and resume), whose answer comes back in [`Self::modified`].
    /// Passthrough calls: the offer goes to the other leg as a re-INVITE and
    /// the offering leg waits for that leg's answer.
    ///
    /// 491 while another offer is in progress on the bridge (or before it is
    /// answered), 488 when the media bridge refuses the offer or there is none
    /// (an offerless re-INVITE needs an offer in our 200, which the relay
    /// cannot make for the other leg). An offerless UPDATE — a session
    /// refresh — is simply accepted.
    async fn remote_offer(
        &mut self,
        now: Instant,
        leg: Leg,
        call: CallHandle,
        method: Method,
        sdp: Option<Vec<u8>>,
    ) {
        let bridges = &self.bridges;
        self.reoffers
            .retain(|r| bridges.iter().any(|b| b.record == r.record));
        let Some(i) = self
            .bridge_of_a(leg, call)
            .or_else(|| self.bridge_of_b(leg, call))
        else {
            self.with_leg(leg, |ep| ep.reject(now, call, 481));
            return;
        };
        let bridge = &self.bridges[i];
        let record = bridge.record;
        let other = if bridge.a == (leg, call) {
            bridge.b
        } else {
            Some(bridge.a)
        };
        let busy = self.reoffers.iter().any(|r| r.record == record);
        let other = match other {
            Some(other) if bridge.answered && !bridge.finished && !busy => other,
            _ => {
                tracing::info!(record, "{method} before the answer or during another: 491");
                self.with_leg(leg, |ep| ep.reject(now, call, 491));
                return;
            }
        };
        let Some(sdp) = sdp else {
            if method == Method::Update {
                self.with_leg(leg, |ep| ep.accept(now, call, None));
            } else {
                tracing::info!(record, "a re-INVITE without an offer: 488");
                self.with_leg(leg, |ep| ep.reject(now, call, 488));
            }
            return;
        };
        self.bridges[i].remember_sdp((leg, call), &Some(sdp.clone()));
        let then = match self.bridges[i].media.clone() {
            None => {
                self.with_leg(other.0, |ep| ep.reinvite(now, other.1, Some(sdp)));
                ReofferAnswer::Offerer((leg, call))
            }
            Some(media) => {
                let text = String::from_utf8_lossy(&sdp);
                let (answered, then, whose) = match leg {
                    Leg::Device(_) => (
                        media
                            .browser_reoffer(&text)
                            .await
                            .map(|(a, r)| (a, Some(r))),
                        ReofferAnswer::TrunkAnswer,
                        "the browser",
                    ),
                    Leg::Trunk(_) => (
                        media.trunk_reoffer(&text).await,
                        ReofferAnswer::BrowserAnswer,
                        "the provider",
                    ),
                };
                let (answer, reoffer) = match answered {
                    Ok(answered) => answered,
                    Err(e) => {
                        let (_, why) = media_refusal(&e, whose);
                        tracing::warn!(record, "{method} refused: {why}");
                        self.with_leg(leg, |ep| ep.reject(now, call, 488));
                        return;
                    }
                };
                self.with_leg(leg, |ep| ep.accept(now, call, Some(answer.into_bytes())));
                let Some(reoffer) = reoffer else {
                    return; // Nothing changes for the other leg.
                };
                let reoffer = Some(reoffer.into_bytes());
                self.with_leg(other.0, |ep| ep.reinvite(now, other.1, reoffer));
                then
            }
        };
        self.reoffers.push(Reoffer {
            record,
            asked: other,
            then,
        });
    }

    /// The final answer to a re-INVITE sent by [`Self::remote_offer`]:
    /// passed back to the leg that made the offer (passthrough), or given to
    /// the media bridge (anchored). An anchored leg that refuses keeps the
    /// media as last negotiated; the other leg already has its answer.
    async fn modified(
        &mut self,
        now: Instant,
        leg: Leg,
        call: CallHandle,
        code: u16,
        sdp: Option<Vec<u8>>,
    ) {
        let Some(k) = self.reoffers.iter().position(|r| r.asked == (leg, call)) else {
            return;
        };
        let Reoffer { record, then, .. } = self.reoffers.remove(k);
        let Some(bridge) = self.bridges.iter().find(|b| b.record == record) else {
            return;
        };
        let ok = (200..300).contains(&code);
        let media = bridge.media.clone();
        let (media, then) = match (then, media) {
            (ReofferAnswer::Offerer(offerer), _) => {
                self.with_leg(offerer.0, |ep| {
                    if ok {
                        ep.accept(now, offerer.1, sdp);
                    } else {
                        ep.reject(now, offerer.1, code);
                    }
                });
                return;
            }
            (_, None) => return,
            (ReofferAnswer::JoinedBrowser { trunk, mids }, Some(media)) => {
                let sdp = match (sdp, mids) {
                    (Some(sdp), Some((browsers, ours))) => Some(
                        transfer::rename_mid(&String::from_utf8_lossy(&sdp), &browsers, &ours)
                            .into_bytes(),
                    ),
                    (sdp, _) => sdp,
                };
                self.joined_browser_answered(now, record, trunk, media, code, sdp)
                    .await;
                return;
            }
            (then, Some(media)) => (media, then),
        };
        let whose = match then {
            ReofferAnswer::TrunkAnswer => "the provider",
            _ => "the browser",
        };
        let sdp = match sdp {
            Some(sdp) if ok => String::from_utf8_lossy(&sdp).into_owned(),
            _ => {
                tracing::warn!(record, "{whose} refused the re-offer ({code})");
                return;
            }
        };
        let taken = match then {
            ReofferAnswer::TrunkAnswer => media.trunk_answer(&sdp).await,
            _ => media.browser_reanswer(&sdp).await,
        };
        if let Err(e) = taken {
            let (_, why) = media_refusal(&e, whose);
            tracing::warn!(record, "the answer to the re-offer: {why}");
        }
    }

    /// The colleague's browser answered the new session of a joined call
    /// (attended transfer): the provider is re-offered the relay's media for
    /// it. A browser that refuses ends the joined call.
    async fn joined_browser_answered(
        &mut self,
        now: Instant,
        record: i64,
        trunk: (Leg, CallHandle),
        media: Arc<CallMedia>,
        code: u16,
        sdp: Option<Vec<u8>>,
    ) {
        let answer = match sdp.filter(|_| (200..300).contains(&code)) {
            Some(sdp) => media
                .browser_answer(&String::from_utf8_lossy(&sdp))
                .await
                .map_err(|e| media_refusal(&e, "the colleague's browser").1),
            None => Err(format!(
                "the colleague's browser refused the joined call ({code})"
            )),
        };
        match answer {
            Ok(answer) => {
                self.with_leg(trunk.0, |ep| {
                    ep.reinvite(now, trunk.1, Some(answer.into_bytes()))
                });
                self.reoffers.push(Reoffer {
                    record,
                    asked: trunk,
                    then: ReofferAnswer::TrunkAnswer,
                });
            }
            Err(cause) => {
                tracing::warn!(record, "attended transfer: {cause}");
                if let Some(i) = self.bridges.iter().position(|b| b.record == record) {
                    self.end_bridge(now, i, &cause).await;
                }
            }
        }
    }

    /// Nobody answered an inbound call in time: sends it on to the responsible
    /// manager's forwarding number, else the relay's, through the first usable
    /// trunk. False when there is nowhere to forward it.
    async fn forward(&mut self, now: Instant, i: usize) -> bool {
        let bridge = &self.bridges[i];
        let mut number = None;
        if bridge.user_id != 0 {
            if let Ok(Some(account)) = crm::sip_users::by_user(&self.db, bridge.user_id).await {
                number = account.forward_to.filter(|n| n.starts_with('+')).or(number);
            }
        }
        let Some(number) = number.or_else(|| self.config.forward_to.clone()) else {
            return false;
        };
        let Some(trunk) = self.pick_trunk(&[]) else {
            tracing::warn!(
                record = self.bridges[i].record,
                "cannot forward to {number}: no usable trunk"
            );
            return false;
        };
        let bridge = &mut self.bridges[i];
        bridge.deadline = None;
        bridge.tried.clear();
        tracing::info!(
            record = bridge.record,
            trunk,
            "no answer: forwarding to {number}"
        );
        bridge.forwarded_to = Some(number);
        self.dial_trunk(now, i, trunk);
        true
    }

    /// Runs `f` on the endpoint of `leg` and marks it for draining.
    fn with_leg(&mut self, leg: Leg, f: impl FnOnce(&mut dyn LegEndpoint)) {
        match leg {
            Leg::Trunk(id) => {
                if let Some(t) = self.trunks.get_mut(&id) {
                    f(&mut t.ep);
                }
            }
            Leg::Device(conn) => {
                if let Some(b) = self.devices.get_mut(&conn) {
                    f(&mut b.ep);
                }
            }
        }
        self.dirty.insert(leg);
    }

    fn bridge_of_a(&self, leg: Leg, call: CallHandle) -> Option<usize> {
        self.bridges.iter().position(|b| b.a == (leg, call))
    }

    /// Tells every user an inbound call rang that it stopped ringing or ended.
    fn tell_rung(&self, bridge: &Bridge, status: &str) {
        for &user in &bridge.rung {
            self.telephony.notify(
                user,
                ServerEvent::CallEnded {
                    call_id: bridge.record,
                    status: status.to_string(),
                },
            );
        }
    }

    /// The inbound bridge ringing `(leg, call)`, and the user rung there.
    fn bridge_of_fork(&self, leg: Leg, call: CallHandle) -> Option<(usize, i64)> {
        self.bridges.iter().enumerate().find_map(|(i, b)| {
            b.forks
                .iter()
                .find(|f| (f.0, f.1) == (leg, call))
                .map(|f| (i, f.2))
        })
    }

    /// Inbound: the browser `fork` answered. When its media is anchored,
    /// its SDP answer goes into the media bridge, which gives the answer for
    /// the provider; the other forks' media ends. Returns the SDP for the
    /// provider, or None when the media cannot be bridged (the call is then
    /// ended on both sides).
    async fn take_fork_media(
        &mut self,
        now: Instant,
        i: usize,
        fork: (Leg, CallHandle),
        sdp: Option<Vec<u8>>,
    ) -> Option<Option<Vec<u8>>> {
        let bridge = &mut self.bridges[i];
        let mut winner = None;
        for (f, media) in std::mem::take(&mut bridge.fork_media) {
            if f == fork {
                winner = Some(media);
            } else {
                tokio::spawn(async move {
                    media.end().await;
                });
            }
        }
        let Some(media) = winner else {
            return Some(sdp);
        };
        let record = bridge.record;
        let answer = match &sdp {
            Some(sdp) => media
                .browser_answer(&String::from_utf8_lossy(sdp))
                .await
                .map_err(|e| media_refusal(&e, "the browser").1),
            None => Err("the browser answered without SDP (488)".to_string()),
        };
        match answer {
            Ok(answer) => {
                self.watch_media(record, &media);
                self.bridges[i].media = Some(media);
                Some(Some(answer.into_bytes()))
            }
            Err(cause) => {
                tracing::warn!(record, "media refused: {cause}");
                let bridge = self.bridges.remove(i);
                self.cancel_forks(now, &bridge.forks);
                self.with_leg(fork.0, |ep| ep.bye(now, fork.1));
                let a = bridge.a;
                self.with_leg(a.0, |ep| ep.reject(now, a.1, 488));
                self.tell_rung(&bridge, "failed");
                self.finish(record, "failed", &cause, "relay").await;
                tokio::spawn(async move {
                    media.end().await;
                });
                None
            }
        }
    }

    fn cancel_forks(&mut self, now: Instant, forks: &[(Leg, CallHandle, i64)]) {
        for &(leg, call, _) in forks {
            self.with_leg(leg, |ep| ep.cancel(now, call));
        }
    }

    /// A rung browser declined (or its INVITE failed): when it was the last
    /// one ringing, the caller hears busy or unavailable and the call is missed.
    async fn fork_failed(&mut self, now: Instant, i: usize, leg: Leg, call: CallHandle, code: u16) {
        let bridge = &mut self.bridges[i];
        bridge.forks.retain(|f| (f.0, f.1) != (leg, call));
        if !bridge.forks.is_empty() || bridge.answered {
            return;
        }
        let bridge = self.bridges.remove(i);
        self.tell_rung(&bridge, "missed");
        let a = bridge.a;
        let (answer, cause) = if code == 486 || code == 603 {
            (486, format!("declined by the user ({code})"))
        } else {
            (480, format!("nobody answered ({code})"))
        };
        self.with_leg(a.0, |ep| ep.reject(now, a.1, answer));
        self.finish(bridge.record, "missed", &cause, "callee").await;
    }

    fn bridge_of_b(&self, leg: Leg, call: CallHandle) -> Option<usize> {
        self.bridges.iter().position(|b| b.b == Some((leg, call)))
    }

    async fn device_request(
        &mut self,
        now: Instant,
        conn: u64,
        id: callcard_shared::sip::ua::RequestHandle,
        request: callcard_shared::sip::message::Request,
    ) {
        if !self.devices.contains_key(&conn) {
            return;
        }
        self.dirty.insert(Leg::Device(conn));
        if request.method == Method::Register {
            self.register_device(now, conn, id, &request).await;
            return;
        }
        let Some(device) = self.devices.get_mut(&conn) else {
            return;
        };
        match request.method {
            Method::Options => device::respond_with(device, now, id, 200, "OK", Vec::new()),
            _ => device::respond_with(device, now, id, 501, "Not Implemented", Vec::new()),
        }
    }

    /// The registrar: a browser may only register its web user's account; a
    /// desk phone registers whichever account its digest names. Wrong
    /// passwords count per connection and per source address.
    async fn register_device(
        &mut self,
        now: Instant,
        conn: u64,
        id: callcard_shared::sip::ua::RequestHandle,
        request: &callcard_shared::sip::message::Request,
    ) {
        let Some(device) = self.devices.get(&conn) else {
            return;
        };
        let peer = device.peer;
        if self.throttle.is_locked(peer, now) {
            tracing::warn!(conn, %peer, "security: REGISTER from a locked-out address refused");
            if let Some(device) = self.devices.get_mut(&conn) {
                device::respond_with(
                    device,
                    now,
                    id,
                    403,
                    "Too many wrong passwords, try later",
                    Vec::new(),
                );
            }
            return;
        }
        let authorization = request
            .first(callcard_shared::sip::header::HeaderName::Authorization)
            .map(str::to_owned);
        self.load_named_account(now, conn, authorization.as_deref())
            .await;
        let Some(device) = self.devices.get_mut(&conn) else {
            return;
        };
        let outcome = device::register(device, &mut self.digest, now, id, request);
        let device_name = device
            .account
            .as_ref()
            .map(|a| a.sip_login.clone())
            .unwrap_or_else(|| device.login.clone());
        let bad = device.bad_credentials;
        match outcome {
            RegisterOutcome::Bound { .. } => {
                self.registrations_dirty = true;
                self.adopt_orphan(now, conn);
            }
            RegisterOutcome::Unbound => self.registrations_dirty = true,
            RegisterOutcome::Refused => {
                tracing::warn!(conn, %peer, device = %device_name, "security: wrong SIP credentials on REGISTER");
                if self.throttle.failed(peer, now) {
                    tracing::warn!(%peer, "security: too many wrong SIP passwords from this address, refused for a while");
                }
                if bad >= MAX_BAD_CREDENTIALS {
                    tracing::warn!(conn, %peer, device = %device_name, "security: too many wrong SIP credentials, connection closed");
                    self.to_close.push(conn);
                }
            }
            _ => {}
        }
    }

    /// A desk phone's account is the one its digest answer names (a browser's
    /// is fixed by its web session): loaded when the name changes.
    async fn load_named_account(&mut self, now: Instant, conn: u64, authorization: Option<&str>) {
        let Some(device) = self.devices.get(&conn) else {
            return;
        };
        if device.tx.is_browser() {
            return;
        }
        let Some(login) = authorization.and_then(callcard_shared::sip::auth::digest_username)
        else {
            return;
        };
        if device.account.as_ref().map(|a| a.sip_login.as_str()) == Some(login.as_str()) {
            return;
        }
        let account = crm::sip_users::by_login(&self.db, &login)
            .await
            .ok()
            .flatten();
        let Some(device) = self.devices.get_mut(&conn) else {
            return;
        };
        if device.is_registered(now) {
            self.registrations_dirty = true;
        }
        device.registered_until = None;
        device.user_id = account.as_ref().map(|a| a.user_id).unwrap_or_default();
        device.account = account;
    }

    /// An INVITE from a device that is not registered: accepted with a valid
    /// `Proxy-Authorization` for its account, else challenged with 407 (or
    /// refused 403 for wrong credentials, counted like REGISTER's). True
    /// when the call may go on.
    async fn authenticate_invite(&mut self, now: Instant, conn: u64, call: CallHandle) -> bool {
        use callcard_shared::sip::auth::Verification;
        use callcard_shared::sip::header::HeaderName;
        let leg = Leg::Device(conn);
        let Some(device) = self.devices.get(&conn) else {
            return false;
        };
        let peer = device.peer;
        if self.throttle.is_locked(peer, now) {
            tracing::warn!(conn, %peer, "security: INVITE from a locked-out address refused");
            self.with_leg(leg, |ep| ep.reject(now, call, 403));
            return false;
        }
        let authorization = device
            .ep
            .incoming_invite(call)
            .and_then(|r| r.first(HeaderName::ProxyAuthorization))
            .map(str::to_owned);
        self.load_named_account(now, conn, authorization.as_deref())
            .await;
        let Some(device) = self.devices.get_mut(&conn) else {
            return false;
        };
        let account = device.account.clone();
        if device.tx.is_browser() && account.as_ref().is_some_and(|a| !a.browser_calls) {
            // This user takes calls on a desk phone, not in the browser.
            device.ep.reject(now, call, 403);
            self.dirty.insert(leg);
            return false;
        }
        let verdict = self
            .digest
            .verify(now, "INVITE", authorization.as_deref(), |user| {
                account
                    .as_ref()
                    .filter(|a| a.sip_login == user)
                    .map(|a| a.sip_password.clone())
            });
        match verdict {
            Verification::Ok(_) => true,
            Verification::Challenge | Verification::Stale => {
                let challenge =
                    self.digest
                        .challenge(now, rand::random(), verdict == Verification::Stale);
                device.ep.reject_with(
                    now,
                    call,
                    407,
                    "Proxy Authentication Required",
                    vec![(HeaderName::ProxyAuthenticate, challenge)],
                );
                self.dirty.insert(leg);
                false
            }
            Verification::Forbidden => {
                tracing::warn!(conn, %peer, "security: wrong SIP credentials on INVITE");
                self.throttle.failed(peer, now);
                device.ep.reject(now, call, 403);
                self.dirty.insert(leg);
                false
            }
        }
    }

    /// Publishes which users have a registered device, derived from the
    /// connections themselves, so expiry and closing need no bookkeeping.
    fn publish_registrations(&mut self, now: Instant) {
        let mut registered = std::collections::HashMap::new();
        for browser in self.devices.values().filter(|b| b.is_registered(now)) {
            *registered.entry(browser.user_id).or_insert(0) += 1;
        }
        self.next_expiry = self
            .devices
            .values()
            .filter_map(|b| b.registered_until.filter(|until| *until > now))
            .min();
        self.registrations_dirty = false;
        *self.telephony.registered.lock().expect("registered lock") = registered;
    }

    /// A browser dials: normalize, record, pick a trunk, INVITE it.
    async fn outbound_call(
        &mut self,
        now: Instant,
        conn: u64,
        call: CallHandle,
        to: &str,
        sdp: Option<Vec<u8>>,
    ) {
        let leg = Leg::Device(conn);
        let Some(browser) = self.devices.get(&conn) else {
            return;
        };
        if !browser.is_registered(now) && !self.authenticate_invite(now, conn, call).await {
            return;
        }
        let Some(browser) = self.devices.get(&conn) else {
            return;
        };
        let user_id = browser.user_id;
        let login = browser.login.clone();
        let mut dialled = dialled_number(to);
        // A masked user dials a contact's phone by its reference (`ref-p12`):
        // the stored number, if this user may see that contact.
        if let Some(reference) = dialled.strip_prefix(Phone::REF_USER_PREFIX) {
            let reference = reference.to_string();
            match crm::contacts::number_by_reference(&self.db, &reference, user_id).await {
                Ok(Some(number)) => dialled = number,
                found => {
                    if let Err(e) = found {
                        tracing::error!("resolving the phone reference `{reference}`: {e}");
                    }
                    tracing::warn!(
                        conn,
                        user = %login,
                        "security: outbound call to an unknown or forbidden phone reference `{reference}` (404)"
                    );
                    self.with_leg(leg, |ep| ep.reject(now, call, 404));
                    return;
                }
            }
        }
        // The rules apply whatever the phone sent (the browser only previews them).
        let verdict = self.plan.evaluate(self.config.default_region, &dialled);
        let e164 = verdict.e164().map(str::to_string);
        let contact_id = self.contact_of(e164.as_deref()).await;
        let record = crm::calls::start(
            &self.db,
            crm::calls::NewCall {
                direction: "outbound",
                user_id: Some(user_id),
                number_dialled: dialled.clone(),
                number_e164: e164.clone(),
                contact_id,
                trunk_id: None,
            },
        )
        .await;
        let record = match record {
            Ok(id) => id,
            Err(e) => {
                tracing::error!("cannot write a call record: {e}");
                self.with_leg(leg, |ep| ep.reject(now, call, 500));
                return;
            }
        };
        self.tell_record((leg, call), record);
        let (dial, class) = match verdict.outcome {
            Outcome::Allowed { dial, class, .. } => (dial, class),
            Outcome::Refused { reason, .. } => {
                tracing::warn!(
                    conn,
                    user = %login,
                    record,
                    "security: outbound call to `{dialled}` refused by the number rules: {reason}"
                );
                // The phone shows why (as the record says it), masked like
                // everything else this user receives.
                let masking = crm::users::masking_of(&self.db, user_id).await;
                let phrase = crate::masking::text(masking, &reason);
                if let Some(device) = self.devices.get_mut(&conn) {
                    device.ep.reject_with(now, call, 403, &phrase, Vec::new());
                }
                self.dirty.insert(leg);
                self.finish(record, "refused", &reason, "relay").await;
                return;
            }
        };
        if class == DestinationClass::Internal {
            self.internal_call(now, conn, call, &dial, sdp, record)
                .await;
            return;
        }
        let international = class == DestinationClass::International;
        let today = crm::limits::today();
        let admitted = self
            .limiter()
            .admit(now, &today, record, user_id, international);
        if let Err(refusal) = admitted {
            tracing::warn!(
                conn,
                user = %login,
                record,
                "security: outbound call refused: {}",
                refusal.reason
            );
            if let Some(device) = self.devices.get_mut(&conn) {
                device
                    .ep
                    .reject_with(now, call, 403, &refusal.reason, Vec::new());
            }
            self.dirty.insert(leg);
            self.finish(record, "refused", &refusal.reason, "relay")
                .await;
            return;
        }
        let browser_sdp = sdp.clone();
        let mut offer = sdp;
        let mut anchored = None;
        if let Some(result) = self.anchor_browser_offer(conn, offer.as_deref()) {
            match result {
                Ok((media, answer, trunk_offer)) => {
                    offer = Some(trunk_offer.into_bytes());
                    anchored = Some((Arc::new(media), answer.into_bytes()));
                }
                Err(e) => {
                    let (code, cause) = media_refusal(&e, "the browser");
                    tracing::warn!(conn, user = %login, record, "outbound call refused: {cause}");
                    self.with_leg(leg, |ep| ep.reject(now, call, code));
                    self.finish(record, "failed", &cause, "relay").await;
                    return;
                }
            }
        }
        let (media, browser_answer) = match anchored {
            Some((media, answer)) => {
                self.watch_media(record, &media);
                (Some(media), Some(answer))
            }
            None => (None, None),
        };
        self.bridges.push(Bridge {
            a: (leg, call),
            b: None,
            forks: Vec::new(),
            deadline: None,
            rung: Vec::new(),
            inbound: false,
            record,
            user_id,
            dial: String::new(),
            offer,
            tried: Vec::new(),
            ringing: false,
            answered: false,
            finished: false,
            forwarded_to: None,
            media,
            browser_answer,
            trunk_sdp_taken: false,
            fork_media: Vec::new(),
            internal: false,
            sdp_a: browser_sdp,
            sdp_b: None,
        });
        let i = self.bridges.len() - 1;
        self.bridges[i].dial = dial;
        match self.pick_trunk(&[]) {
            Some(trunk) => self.dial_trunk(now, i, trunk),
            None => {
                let bridge = self.bridges.remove(i);
                self.with_leg(leg, |ep| ep.reject(now, call, 503));
                self.finish(bridge.record, "failed", "no trunk available (503)", "relay")
                    .await;
            }
        }
    }

    /// The first usable trunk by priority that was not tried yet.
    fn pick_trunk(&self, tried: &[i64]) -> Option<i64> {
        let mut usable: Vec<&TrunkLeg> = self
            .trunks
            .values()
            .filter(|t| !tried.contains(&t.config.id))
            .filter(|t| {
                let state = self.telephony.trunks.get(t.config.id).state;
                matches!(state, TrunkState::Registered | TrunkState::NotRegistering)
            })
            .collect();
        usable.sort_by_key(|t| (t.config.priority, t.config.id));
        usable.first().map(|t| t.config.id)
    }

    fn dial_trunk(&mut self, now: Instant, i: usize, trunk_id: i64) {
        let Some(trunk) = self.trunks.get_mut(&trunk_id) else {
            return;
        };
        let bridge = &mut self.bridges[i];
        let number = bridge.forwarded_to.as_deref().unwrap_or(&bridge.dial);
        let target = format!("sip:{number}@{}", trunk.config.domain);
        let handle = trunk.ep.invite(now, &target, bridge.offer.clone());
        bridge.b = Some((Leg::Trunk(trunk_id), handle));
        bridge.tried.push(trunk_id);
        tracing::info!(
            record = bridge.record,
            user = bridge.user_id,
            trunk = trunk_id,
            "outbound call"
        );
        self.dirty.insert(Leg::Trunk(trunk_id));
    }

    /// A call from a trunk: file it against the caller's contact, ring the
    /// contact's responsible manager if they can take it, else everyone who
    /// accepts incoming calls, in parallel; the first answer wins.
    async fn inbound_call(
        &mut self,
        now: Instant,
        trunk_id: i64,
        call: CallHandle,
        from: &str,
        sdp: Option<Vec<u8>>,
    ) {
        let caller = dialled_number(from);
        let e164 = phone::to_valid_e164(&caller, self.config.default_region)
            .or_else(|| phone::to_e164(&caller, self.config.default_region).ok());
        let (contact_id, responsible) = match self.contact_and_manager_of(e164.as_deref()).await {
            Some((contact, responsible)) => (Some(contact), responsible),
            None => (None, None),
        };
        let record = crm::calls::start(
            &self.db,
            crm::calls::NewCall {
                direction: "inbound",
                user_id: responsible,
                number_dialled: caller.clone(),
                number_e164: e164.clone(),
                contact_id,
                trunk_id: Some(trunk_id),
            },
        )
        .await;
        let record = match record {
            Ok(id) => id,
            Err(e) => {
                tracing::error!("cannot write a call record: {e}");
                self.with_leg(Leg::Trunk(trunk_id), |ep| ep.reject(now, call, 500));
                return;
            }
        };
        let takes_calls = |b: &DeviceConn| {
            b.is_registered(now) && b.account.as_ref().is_some_and(|a| a.accept_incoming)
        };
        let mut targets: Vec<u64> = self
            .devices
            .iter()
            .filter(|(_, b)| Some(b.user_id) == responsible && takes_calls(b))
            .map(|(conn, _)| *conn)
            .collect();
        if targets.is_empty() {
            targets = self
                .devices
                .iter()
                .filter(|(_, b)| takes_calls(b))
                .map(|(conn, _)| *conn)
                .collect();
        }
        targets.sort_unstable();
        let shown = e164.clone().unwrap_or_else(|| caller.clone());
        self.with_leg(Leg::Trunk(trunk_id), |ep| ep.ringing(now, call, None));
        self.bridges.push(Bridge {
            a: (Leg::Trunk(trunk_id), call),
            b: None,
            forks: Vec::new(),
            deadline: Some(now + self.config.dial_timeout),
            rung: Vec::new(),
            inbound: true,
            record,
            user_id: responsible.unwrap_or_default(),
            dial: String::new(),
            offer: sdp.clone(),
            tried: vec![trunk_id],
            ringing: true,
            answered: false,
            finished: false,
            forwarded_to: None,
            media: None,
            browser_answer: None,
            trunk_sdp_taken: false,
            fork_media: Vec::new(),
            internal: false,
            sdp_a: sdp.clone(),
            sdp_b: None,
        });
        if targets.is_empty() {
            // Nobody can take it here: straight on to the forwarding number, else missed.
            let i = self.bridges.len() - 1;
            if !self.forward(now, i).await {
                self.bridges.remove(i);
                self.with_leg(Leg::Trunk(trunk_id), |ep| ep.reject(now, call, 480));
                self.finish(record, "missed", "nobody available (480)", "relay")
                    .await;
            }
            return;
        }
        // The card goes out before the INVITE so it is on screen by the first ring.
        let card = match contact_id {
            Some(id) => crm::contacts::caller(&self.db, id, record)
                .await
                .ok()
                .flatten(),
            None => None,
        };
        let (contact, last_call) = match card {
            Some((contact, last)) => (Some(contact), last),
            None => (None, None),
        };
        let mut rung: Vec<i64> = targets
            .iter()
            .filter_map(|conn| self.devices.get(conn).map(|b| b.user_id))
            .collect();
        rung.sort_unstable();
        rung.dedup();
        for &user in &rung {
            self.telephony.notify(
                user,
                ServerEvent::IncomingCall {
                    call_id: record,
                    number: shown.clone(),
                    contact: contact.clone(),
                    last_call: last_call.clone(),
                },
            );
        }
        // What each rung user may see of the caller (their group's masking):
        // the INVITE's From display and user part carry only that.
        let mut identities = HashMap::new();
        for &user in &rung {
            let masking = crm::users::masking_of(&self.db, user).await;
            identities.insert(user, caller_identity(masking, &shown));
        }
        let mut forks = Vec::new();
        let mut fork_media = Vec::new();
        for conn in targets {
            let Some(browser) = self.devices.get_mut(&conn) else {
                continue;
            };
            let identity = identities
                .get(&browser.user_id)
                .cloned()
                .unwrap_or_else(|| caller_identity(Masking::Hidden, &shown));
            let target = browser.target();
            // A WebRTC browser gets an offer of its own from the media bridge.
            let anchored = match (&self.media, &sdp) {
                (Some(media), Some(trunk_sdp)) if browser.webrtc => {
                    match media.for_trunk_offer(&String::from_utf8_lossy(trunk_sdp)) {
                        Ok((call_media, offer)) => Some((Arc::new(call_media), offer)),
                        Err(e) => {
                            let (_, cause) = media_refusal(&e, "the provider");
                            tracing::warn!(record, conn, "not ringing this browser: {cause}");
                            continue;
                        }
                    }
                }
                _ => None,
            };
            let offer = match &anchored {
                Some((_, offer)) => Some(offer.clone().into_bytes()),
                None => sdp.clone(),
            };
            let handle = browser.ep.invite_as(now, &identity, &target, offer);
            forks.push((Leg::Device(conn), handle, browser.user_id));
            self.tell_record((Leg::Device(conn), handle), record);
            if let Some((call_media, _)) = anchored {
                fork_media.push(((Leg::Device(conn), handle), call_media));
            }
            self.dirty.insert(Leg::Device(conn));
        }
        tracing::info!(record, trunk = trunk_id, rung = forks.len(), "inbound call");
        if let Some(bridge) = self.bridges.iter_mut().rev().find(|b| b.record == record) {
            bridge.forks = forks;
            bridge.rung = rung;
            bridge.fork_media = fork_media;
        }
    }

    async fn finish(&self, record: i64, status: &str, cause: &str, side: &str) {
        self.limiter().ended(Instant::now(), record);
        if let Err(e) = crm::calls::finish(&self.db, record, status, Some(cause), Some(side)).await
        {
            tracing::error!(record, "closing the call record: {e}");
        }
    }

    /// A device's connection closed (or was dropped): its registration goes, its calls end.
    async fn device_gone(&mut self, now: Instant, conn: u64) {
        let was_orphan = self.orphans.remove(&conn).is_some();
        if !was_orphan && self.keep_calls_of(now, conn).await {
            return;
        }
        self.aliases.retain(|_, to| *to != conn);
        let Some(browser) = self.devices.remove(&conn) else {
            return;
        };
        if let DeviceTx::Udp(_, addr) = &browser.tx {
            self.udp_devices.remove(addr);
        }
        if browser.is_registered(now) {
            self.registrations_dirty = true;
        }
        let leg = Leg::Device(conn);
        let ringing_here: Vec<(usize, CallHandle)> = self
            .bridges
            .iter()
            .enumerate()
            .flat_map(|(i, b)| b.forks.iter().filter(|f| f.0 == leg).map(move |f| (i, f.1)))
            .collect();
        for (i, call) in ringing_here.into_iter().rev() {
            self.fork_failed(now, i, leg, call, 480).await;
        }
        let transfer_forks: Vec<CallHandle> = self
            .transfers
            .iter()
            .flat_map(|t| t.forks.iter().filter(|f| f.0 == leg).map(|f| f.1))
            .collect();
        for call in transfer_forks {
            if let Some(k) = self.transfer_of_fork(leg, call) {
                self.transfer_fork_failed(now, k, (leg, call), 480, "phone disconnected")
                    .await;
            }
        }
        let mine: Vec<usize> = (0..self.bridges.len())
            .rev()
            .filter(|&i| self.bridges[i].a.0 == leg || self.bridges[i].b.map(|b| b.0) == Some(leg))
            .collect();
        for i in mine {
            let bridge = self.bridges.remove(i);
            self.abandon_transfer(now, bridge.record).await;
            let other = if bridge.a.0 == leg {
                bridge.b
            } else {
                Some(bridge.a)
            };
            if let Some(other) = other {
                if bridge.answered {
                    self.with_leg(other.0, |ep| ep.bye(now, other.1));
                } else {
                    self.with_leg(other.0, |ep| ep.cancel(now, other.1));
                }
            }
            if !bridge.finished {
                let status = if bridge.answered {
                    "answered"
                } else {
                    "failed"
                };
                self.finish(bridge.record, status, "browser disconnected", "caller")
                    .await;
            }
        }
    }

    /// A browser's socket dropped: when it has a call up, the call is kept
    /// for [`RECONNECT_GRACE`] (its registration goes, its ringing calls
    /// fail). True when kept.
    async fn keep_calls_of(&mut self, now: Instant, conn: u64) -> bool {
        let leg = Leg::Device(conn);
        let Some(device) = self.devices.get_mut(&conn) else {
            return false;
        };
        let talking = self
            .bridges
            .iter()
            .any(|b| b.answered && !b.finished && (b.a.0 == leg || b.b.map(|b| b.0) == Some(leg)));
        if !device.tx.is_browser() || !talking {
            return false;
        }
        if device.registered_until.take().is_some() {
            self.registrations_dirty = true;
        }
        self.orphans.insert(conn, now + RECONNECT_GRACE);
        tracing::info!(
            conn,
            user = %device.login,
            "a browser's connection dropped during a call: the call waits {} s for it",
            RECONNECT_GRACE.as_secs()
        );
        let ringing_here: Vec<(usize, CallHandle)> = self
            .bridges
            .iter()
            .enumerate()
            .flat_map(|(i, b)| b.forks.iter().filter(|f| f.0 == leg).map(move |f| (i, f.1)))
            .collect();
        for (i, call) in ringing_here.into_iter().rev() {
            self.fork_failed(now, i, leg, call, 480).await;
        }
        true
    }

    /// A browser registered on a new socket: when it is the one whose socket
    /// dropped during a call (same user, same Contact — the same phone), the
    /// old connection's endpoint and calls carry on over the new socket.
    fn adopt_orphan(&mut self, now: Instant, conn: u64) {
        let Some(fresh) = self.devices.get(&conn) else {
            return;
        };
        let same_phone = |o: &u64, d: &DeviceConn| {
            *o != conn
                && d.tx.is_browser()
                && d.user_id == fresh.user_id
                && d.contact.is_some()
                && d.contact == fresh.contact
        };
        let orphan = self
            .orphans
            .keys()
            .copied()
            .find(|o| self.devices.get(o).is_some_and(|d| same_phone(o, d)));
        // The new socket can also win the race against the old one's close:
        // the same phone with a call up on a socket not seen closed yet.
        let live = || {
            self.devices
                .iter()
                .filter(|(o, d)| same_phone(o, d))
                .map(|(o, _)| *o)
                .find(|o| {
                    let leg = Leg::Device(*o);
                    self.bridges
                        .iter()
                        .any(|b| b.answered && (b.a.0 == leg || b.b.map(|b| b.0) == Some(leg)))
                })
        };
        let (orphan, still_open) = match orphan {
            Some(o) => (o, false),
            None => match live() {
                Some(o) => (o, true),
                None => return,
            },
        };
        let Some(mut fresh) = self.devices.remove(&conn) else {
            return;
        };
        // The fresh endpoint's answer to the REGISTER goes out first.
        while let Some(t) = fresh.ep.poll_transmit() {
            fresh.tx.send(t.bytes);
        }
        let Some(old) = self.devices.get_mut(&orphan) else {
            return;
        };
        old.tx = fresh.tx;
        old.registered_until = fresh.registered_until;
        old.contact = fresh.contact;
        old.peer = fresh.peer;
        old.last_seen = now;
        self.orphans.remove(&orphan);
        if still_open {
            // Its old socket closes with its sender dropped; that close is stale.
            self.replaced.insert(orphan);
        }
        self.aliases.insert(conn, orphan);
        self.dirty.insert(Leg::Device(orphan));
        tracing::info!(conn, orphan, "the browser is back: its calls continue");
    }

    /// The contact a number (E.164) belongs to, with its responsible manager.
    async fn contact_and_manager_of(&self, e164: Option<&str>) -> Option<(i64, Option<i64>)> {
        crm::contacts::contact_by_number(&self.db, e164?)
            .await
            .ok()
            .flatten()
    }

    /// The contact a number (E.164) belongs to: the call is filed against it.
    async fn contact_of(&self, e164: Option<&str>) -> Option<i64> {
        self.contact_and_manager_of(e164).await.map(|(id, _)| id)
    }

    /// Tells the user of a browser leg which record its call is (the SSE
    /// `call_record`, by the dialog's Call-ID), so the after-call prompt
    /// writes to exactly that record.
    fn tell_record(&self, leg: (Leg, CallHandle), record: i64) {
        let Leg::Device(conn) = leg.0 else {
            return;
        };
        let Some(device) = self.devices.get(&conn).filter(|d| d.tx.is_browser()) else {
            return;
        };
        if let Some(sip_call_id) = device.ep.call_id(leg.1) {
            self.telephony.notify(
                device.user_id,
                ServerEvent::CallRecord {
                    call_id: record,
                    sip_call_id: sip_call_id.to_string(),
                },
            );
        }
    }

    /// The limits on outbound calls and their counters.
    fn limiter(&self) -> std::sync::MutexGuard<'_, super::limits::Limiter> {
        self.telephony.limits.lock().expect("limits lock")
    }

    /// Loads the stored limits and today's international talk time from the
    /// call records. Unreadable limits refuse every outbound call (never no
    /// limits in their place).
    async fn reload_limits(&mut self) {
        let limits = crm::limits::load(&self.db).await.unwrap_or_else(|e| {
            tracing::error!("limits: {e}; outbound calls are refused until they are saved again");
            let none = callcard_shared::api::CallLimits {
                concurrent_calls: Some(0),
                ..Default::default()
            };
            callcard_shared::api::Limits {
                per_user: Default::default(),
                overall: none,
            }
        });
        let today = crm::limits::today();
        let used = crm::limits::international_talk_today(
            &self.db,
            &self.plan,
            self.config.default_region,
            &today,
        )
        .await
        .unwrap_or_else(|e| {
            tracing::error!("reading today's international talk time: {e}");
            HashMap::new()
        });
        let mut limiter = self.limiter();
        limiter.set_limits(limits);
        limiter.start_day(&today, used);
    }

    /// Hangs up the answered international calls that used up a day's budget.
    async fn enforce_budget(&mut self, now: Instant) {
        let over = self.limiter().over_budget(now, &crm::limits::today());
        for (record, refusal) in over {
            let Some(i) = self
                .bridges
                .iter()
                .position(|b| b.record == record && !b.finished)
            else {
                continue;
            };
            tracing::warn!(record, "{}: hanging up", refusal.reason);
            self.end_bridge(now, i, &refusal.reason).await;
        }
    }

    /// Ends bridge `i` from the relay: BYE to answered legs, CANCEL to a
    /// called leg still ringing, 503 to a caller still waiting.
    async fn end_bridge(&mut self, now: Instant, i: usize, cause: &str) {
        let bridge = self.bridges.remove(i);
        self.cancel_forks(now, &bridge.forks);
        let a = bridge.a;
        if bridge.answered {
            self.with_leg(a.0, |ep| ep.bye(now, a.1));
            if let Some(b) = bridge.b {
                self.with_leg(b.0, |ep| ep.bye(now, b.1));
            }
        } else {
            self.with_leg(a.0, |ep| ep.reject(now, a.1, 503));
            if let Some(b) = bridge.b {
                self.with_leg(b.0, |ep| ep.cancel(now, b.1));
            }
        }
        if bridge.inbound {
            self.tell_rung(
                &bridge,
                if bridge.answered {
                    "answered"
                } else {
                    "missed"
                },
            );
        }
        if !bridge.finished {
            let status = match (bridge.answered, bridge.inbound) {
                (true, _) => "answered",
                (false, true) => "missed",
                (false, false) => "failed",
            };
            self.finish(bridge.record, status, &bridge.cause(cause), "relay")
                .await;
        }
    }

    /// Telephony turned off: every call ends, every device connection
    /// closes (its registration with it), trunks, rules and limits are
    /// reloaded from the emptied tables. Returns (connections, calls).
    async fn telephony_off(&mut self, now: Instant) -> (u64, u64) {
        let calls = self.bridges.len() as u64;
        for i in (0..self.bridges.len()).rev() {
            self.end_bridge(now, i, "telephony turned off by an administrator")
                .await;
        }
        self.reoffers.clear();
        self.drain().await;
        let conns: Vec<u64> = self.devices.keys().copied().collect();
        for &conn in &conns {
            // Dropping the connection's sender closes its socket once the
            // last messages are out.
            self.device_gone(now, conn).await;
        }
        self.udp_devices.clear();
        self.limiter().clear();
        self.reload_trunks().await;
        self.reload_dialplan().await;
        self.reload_limits().await;
        tracing::warn!(connections = conns.len(), calls, "telephony turned off");
        (conns.len() as u64, calls)
    }

    /// Loads the stored number rules. Unreadable rules refuse every call
    /// (never the permissive defaults in their place).
    async fn reload_dialplan(&mut self) {
        let rules = match crm::dialplan::load(&self.db).await {
            Ok(rules) => rules,
            Err(e) => {
                tracing::error!(
                    "number rules: {e}; outbound calls are refused until they are saved again"
                );
                Rules {
                    allowed: Allowed {
                        internal: false,
                        local: false,
                        national: false,
                        mobile: false,
                        international: false,
                        international_countries: Vec::new(),
                        premium: false,
                        special: false,
                    },
                    ..Rules::default()
                }
            }
        };
        match Plan::new(&rules) {
            Ok(plan) => self.plan = plan,
            Err(errors) => tracing::error!("stored number rules do not compile: {errors:?}"),
        }
    }

    async fn reload_trunks(&mut self) {
        let configs = match crm::trunks::enabled(&self.db).await {
            Ok(c) => c,
            Err(e) => {
                tracing::error!("loading trunks: {e}");
                return;
            }
        };
        let now = Instant::now();
        let wanted: BTreeMap<i64, _> = configs.into_iter().map(|c| (c.id, c)).collect();
        let gone: Vec<i64> = self
            .trunks
            .iter()
            .filter(|(id, leg)| wanted.get(id) != Some(&leg.config))
            .map(|(id, _)| *id)
            .collect();
        for id in gone {
            self.trunks.remove(&id);
            self.telephony.trunks.remove(id);
            self.telephony
                .trunk_addrs
                .lock()
                .expect("addr lock")
                .remove(&id);
        }
        for (id, config) in wanted {
            if self.trunks.contains_key(&id) {
                continue;
            }
            let bind_ip = self.config.sip_listen.ip();
            match TrunkLeg::open(
                config,
                bind_ip,
                self.config.sip_tls_ca.as_deref(),
                self.telephony.inputs.clone(),
                now,
            )
            .await
            {
                Ok(leg) => {
                    self.telephony.trunks.set(id, leg.initial_state(), None);
                    if let Ok(addr) = leg.socket.local_addr() {
                        self.telephony
                            .trunk_addrs
                            .lock()
                            .expect("addr lock")
                            .insert(id, addr);
                    }
                    self.trunks.insert(id, leg);
                }
                Err(e) => {
                    tracing::warn!(trunk = id, "trunk unusable: {}", e.0);
                    self.telephony.trunks.set(id, TrunkState::Failed, Some(e.0));
                }
            }
        }
    }

    /// Ends every call and unregisters nothing (the provider expires it).
    async fn shutdown(&mut self) {
        let now = Instant::now();
        for bridge in std::mem::take(&mut self.bridges) {
            for (leg, call) in [Some(bridge.a), bridge.b].into_iter().flatten() {
                if bridge.answered {
                    self.with_leg(leg, |ep| ep.bye(now, call));
                }
            }
        }
        self.drain().await;
    }
}

/// The From of an INVITE to a user's device, showing the caller as the
/// user's group may see them (`anonymous` when hidden).
fn caller_identity(masking: Masking, number: &str) -> String {
    let shown = masking.apply(number);
    let shown = if shown.is_empty() {
        "anonymous".to_string()
    } else {
        shown
    };
    format!("\"{shown}\" <sip:{shown}@callcard.invalid>")
}

/// Whether an SDP body is WebRTC's (ICE and DTLS-SRTP), not plain RTP.
fn is_webrtc(sdp: &[u8]) -> bool {
    let text = String::from_utf8_lossy(sdp);
    text.lines().any(|line| {
        let line = line.trim_start();
        line.starts_with("a=fingerprint")
            || line.starts_with("a=ice-ufrag")
            || line.starts_with("a=ice-pwd")
            || line.starts_with("a=candidate")
    })
}

/// The answer and the record's cause when the media bridge refuses an SDP
/// from `whose` side.
fn media_refusal(e: &MediaError, whose: &str) -> (u16, String) {
    match e {
        MediaError::NoCommonCodec => (
            488,
            format!("no audio codec in common with {whose}: the relay bridges PCMA/PCMU (488)"),
        ),
        MediaError::PortsExhausted => (503, "no free media ports (503)".to_string()),
        MediaError::Sdp(why) => (488, format!("unusable SDP from {whose}: {why} (488)")),
        other => (503, format!("media bridge: {other} (503)")),
    }
}

/// A stateless 403 for a request from a stranger (never for ACK, never for
/// responses or garbage, which are dropped).
fn forbidden(bytes: &[u8]) -> Option<Vec<u8>> {
    use callcard_shared::sip::message::SipMessage;
    let parsed = callcard_shared::sip::parse::parse(bytes).ok()?;
    let SipMessage::Request(request) = parsed.to_owned() else {
        return None;
    };
    if request.method == Method::Ack {
        return None;
    }
    let mut response = callcard_shared::sip::transaction::response_to(&request, 403, "Forbidden");
    callcard_shared::sip::transaction::add_to_tag(&mut response, "callcard-refused");
    Some(response.to_bytes())
}

/// The user part of a SIP URI or name-addr (`"Bob" <sip:+7495…@host>` → `+7495…`).
fn dialled_number(uri_or_name_addr: &str) -> String {
    // The stack's parsers: a name-addr (From/To) or a bare URI.
    let uri = NameAddr::parse(uri_or_name_addr.trim())
        .map(|n| n.uri)
        .unwrap_or(uri_or_name_addr.trim());
    match Uri::parse(uri) {
        Ok(uri) => uri.user.unwrap_or_default().to_string(),
        Err(_) => uri.to_string(),
    }
}

/// The call-control surface shared by browser and trunk endpoints.
trait LegEndpoint {
    fn ringing(&mut self, now: Instant, call: CallHandle, sdp: Option<Vec<u8>>);
    fn accept(&mut self, now: Instant, call: CallHandle, sdp: Option<Vec<u8>>);
    fn reject(&mut self, now: Instant, call: CallHandle, code: u16);
    fn cancel(&mut self, now: Instant, call: CallHandle);
    fn bye(&mut self, now: Instant, call: CallHandle);
    fn reinvite(&mut self, now: Instant, call: CallHandle, sdp: Option<Vec<u8>>);
    fn notify_transfer(&mut self, now: Instant, call: CallHandle, code: u16, reason: &str);
}

impl<A: Clone + Eq + std::fmt::Debug> LegEndpoint for callcard_shared::sip::ua::Endpoint<A> {
    fn ringing(&mut self, now: Instant, call: CallHandle, sdp: Option<Vec<u8>>) {
        callcard_shared::sip::ua::Endpoint::ringing(self, now, call, sdp)
    }
    fn accept(&mut self, now: Instant, call: CallHandle, sdp: Option<Vec<u8>>) {
        callcard_shared::sip::ua::Endpoint::accept(self, now, call, sdp)
    }
    fn reject(&mut self, now: Instant, call: CallHandle, code: u16) {
        callcard_shared::sip::ua::Endpoint::reject(self, now, call, code)
    }
    fn cancel(&mut self, now: Instant, call: CallHandle) {
        callcard_shared::sip::ua::Endpoint::cancel(self, now, call)
    }
    fn bye(&mut self, now: Instant, call: CallHandle) {
        callcard_shared::sip::ua::Endpoint::bye(self, now, call)
    }
    fn reinvite(&mut self, now: Instant, call: CallHandle, sdp: Option<Vec<u8>>) {
        callcard_shared::sip::ua::Endpoint::reinvite(self, now, call, sdp)
    }
    fn notify_transfer(&mut self, now: Instant, call: CallHandle, code: u16, reason: &str) {
        callcard_shared::sip::ua::Endpoint::notify_transfer(self, now, call, code, reason);
    }
}

#[cfg(test)]
mod tests {
    use super::dialled_number;

    #[test]
    fn the_caller_shows_as_the_group_may_see_them() {
        use super::{caller_identity, Masking};
        assert_eq!(
            caller_identity(Masking::None, "+74951234567"),
            "\"+74951234567\" <sip:+74951234567@callcard.invalid>"
        );
        assert_eq!(
            caller_identity(Masking::ShowLast { n: 2 }, "+74951234567"),
            "\"+*********67\" <sip:+*********67@callcard.invalid>"
        );
        assert_eq!(
            caller_identity(Masking::Hidden, "+74951234567"),
            "\"anonymous\" <sip:anonymous@callcard.invalid>"
        );
    }

    #[test]
    fn the_number_is_the_user_part_of_the_uri() {
        assert_eq!(
            dialled_number("<sip:+74951234567@callcard>"),
            "+74951234567"
        );
        assert_eq!(
            dialled_number("\"Ivan\" <sip:84951234567@x.invalid>;tag=1"),
            "84951234567"
        );
        assert_eq!(dialled_number("sip:101@callcard;user=phone"), "101");
    }
}
