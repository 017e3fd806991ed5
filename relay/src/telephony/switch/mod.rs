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
use super::records::Records;
use super::throttle::{CredentialThrottle, ThrottlePolicy};
use super::trunk::TrunkLeg;
use super::ws::WsSender;
use super::Telephony;
use crate::config::Config;
use crate::crm;
use crate::media::{MediaBridge, MediaError};

mod bridge;
#[cfg(test)]
mod core_tests;
mod directory;
mod effects;
mod events;
mod held;
mod inbound;
mod internal;
mod media_glue;
mod media_port;
mod outbound;
mod reconnect;
mod registrar;
mod routing;
mod runner;
mod settings;
mod timers;
mod transfer;

use bridge::{Bridge, Leg, LegEndpoint, Reoffer, ReofferAnswer};
use media_port::{Media, MediaPort};

use effects::{Effect, Resolved};
use held::Held;
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
        /// The user's telephony account (None: they have none).
        account: Option<crm::sip_users::SipAccount>,
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
        account: Option<crm::sip_users::SipAccount>,
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
    /// The records writer has written (or lost) the first `upto` changes
    /// the switch handed it: what waited for them goes on.
    RecordsDone {
        upto: u64,
    },
    /// The number behind a phone reference the core asked for
    /// ([`Effect::ResolveReference`]); None: no such phone, or one the
    /// user may not see.
    ReferenceResolved {
        then: Resolved,
        number: Option<String>,
    },
    /// The relay is stopping: hang up and return.
    Shutdown,
}

pub struct Switch {
    /// Call-record changes and the events naming a call, written by a task
    /// of their own (the switch never waits for them).
    records: Records,
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
    media: Option<Box<dyn MediaPort>>,
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
    /// Steps that wait until a record change is on disk (see `held.rs`),
    /// with the number of changes handed over when they were held.
    held: std::collections::VecDeque<(u64, Held)>,
    /// Phone INVITEs waiting for their reference's number (a CANCEL
    /// meanwhile removes the call from here).
    resolving: BTreeSet<(Leg, CallHandle)>,
    /// What the runner carries out next (see `effects.rs`).
    effects: Vec<Effect>,
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
        records: Records,
        config: Arc<Config>,
        telephony: Arc<Telephony>,
        sip_udp: Option<Arc<UdpSocket>>,
    ) -> Switch {
        let sip_udp = sip_udp.and_then(|s| s.local_addr().ok().map(|a| (s, a)));
        let media = match MediaBridge::new(config.media()) {
            Ok(media) => {
                let _ = telephony.media.set(media.clone());
                Some(Box::new(media) as Box<dyn MediaPort>)
            }
            Err(e) => {
                tracing::warn!("browser calls get no media from the relay: {e}");
                None
            }
        };
        Switch {
            records,
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
            held: std::collections::VecDeque::new(),
            resolving: BTreeSet::new(),
            effects: Vec::new(),
        }
    }

    /// One input, at `now`.
    pub(super) fn handle(&mut self, now: Instant, input: Input) {
        match input {
            Input::WsOpen {
                conn,
                user_id,
                login,
                peer,
                tx,
                account,
            } => {
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
                    self.trunk_input(now, trunk, from, bytes);
                    return;
                }
                let Some((_, local)) = self.sip_udp.clone() else {
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
                            DeviceTx::Udp(from),
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
                self.device_gone(now, conn)
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
            Input::SipUserChanged { user_id, account } => {
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
            // The runner reads the settings these need, then calls the core.
            Input::Shutdown | Input::LimitsChanged | Input::TelephonyOff { .. } => {}
            Input::ReferenceResolved { then, number } => self.reference_resolved(now, then, number),
            Input::MediaEnded { record, cause } => self.media_ended(now, record, &cause),
            Input::RecordsDone { upto } => self.records_done(now, upto),
            Input::TrunkMessage { trunk, from, bytes } => self.trunk_input(now, trunk, from, bytes),
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
    fn trunk_input(&mut self, now: Instant, trunk: i64, from: SocketAddr, bytes: Vec<u8>) {
        let Some(leg) = self.trunks.get_mut(&trunk) else {
            return;
        };
        if from != leg.ep.config().outbound.addr {
            tracing::warn!(
                trunk,
                %from,
                "security: SIP from an address that is not this trunk's provider, refused"
            );
            if let Some(bytes) = forbidden(&bytes) {
                self.effects.push(Effect::ToTrunk {
                    trunk,
                    to: from,
                    bytes,
                });
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

    /// After an input: what the touched endpoints produced is sent and
    /// acted on, connections marked for closing close, and the registered
    /// devices are published when they changed.
    pub(super) fn settle(&mut self, now: Instant) {
        self.drain(now);
        for conn in std::mem::take(&mut self.to_close) {
            self.device_gone(now, conn);
            self.drain(now);
        }
        if self.registrations_dirty || self.next_expiry.is_some_and(|e| e <= now) {
            self.publish_registrations(now);
        }
    }

    /// Sends what the touched endpoints produced and acts on their events,
    /// until nothing is left (an event may touch another endpoint).
    fn drain(&mut self, now: Instant) {
        while let Some(leg) = self.dirty.pop_first() {
            let mut events = Vec::new();
            match leg {
                Leg::Trunk(id) => {
                    let Some(trunk) = self.trunks.get_mut(&id) else {
                        continue;
                    };
                    while let Some(t) = trunk.ep.poll_transmit() {
                        self.effects.push(Effect::ToTrunk {
                            trunk: id,
                            to: t.to.addr,
                            bytes: t.bytes,
                        });
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
                        if let Some((to, bytes)) = browser.tx.send(t.bytes) {
                            self.effects.push(Effect::ToUdpDevice { to, bytes });
                        }
                    }
                    while let Some(e) = browser.ep.poll_event() {
                        events.push(e);
                    }
                }
            }
            for event in events {
                self.on_event(now, leg, event);
            }
        }
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

    /// The limits on outbound calls and their counters.
    fn limiter(&self) -> std::sync::MutexGuard<'_, super::limits::Limiter> {
        self.telephony.limits.lock().expect("limits lock")
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
