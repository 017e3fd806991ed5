//! The UA core (RFC 3261 §8, §12–§15, §17 glue): an [`Endpoint`] owning
//! transactions, calls and dialogs, driven sans-IO.
//!
//! Calling order (quinn-proto style): feed inputs with [`Endpoint::handle_input`]
//! and [`Endpoint::handle_timeout`] or a user action (`invite`, `accept`, `bye`
//! …), then drain [`Endpoint::poll_transmit`] and [`Endpoint::poll_event`]
//! until `None`, then sleep until [`Endpoint::poll_timeout`].

use super::auth::{Challenge, DigestClient};
use super::dialog::{Dialog, DialogState};
use super::header::HeaderName;
use super::message::{HeaderMap, Method, Request, Response, SipMessage};
use super::parse::{self, Limits};
use super::transaction::{
    add_to_tag, response_to, ClientInvite, ClientNonInvite, ServerInvite, ServerNonInvite, State,
    TimerConfig, TxEvent, TxKey,
};
use super::validate::{check_request, check_response, Policy, Verdict};
use crate::time::Duration;
use crate::Instant;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::fmt::Debug;

/// The transport a message travels on; only reliability matters to the
/// timers (RFC 3261 §17.1.1.2), the name goes into Via.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransportKind {
    Udp,
    Tcp,
    Tls,
    Ws,
    Wss,
}

impl TransportKind {
    pub fn reliable(self) -> bool {
        !matches!(self, TransportKind::Udp)
    }
    /// The Via transport token (RFC 7118 §5.2 for WS/WSS).
    pub fn via_name(self) -> &'static str {
        match self {
            TransportKind::Udp => "UDP",
            TransportKind::Tcp => "TCP",
            TransportKind::Tls => "TLS",
            TransportKind::Ws => "WS",
            TransportKind::Wss => "WSS",
        }
    }
}

/// A peer: an address of the driver's own type (a `SocketAddr` on the relay,
/// a connection id in the browser) and the transport to it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Remote<A> {
    pub addr: A,
    pub transport: TransportKind,
}

/// Bytes the driver must send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit<A> {
    pub to: Remote<A>,
    pub bytes: Vec<u8>,
}

/// A call (one INVITE-created dialog, or the attempt to create one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallHandle(pub u64);

/// A request outside call control: an incoming one to answer with
/// [`Endpoint::respond`], or an outgoing one whose answer comes as [`Event::Response`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestHandle(pub u64);

/// What the endpoint reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A new INVITE: answer with `ringing`, `accept` or `reject`.
    IncomingCall {
        call: CallHandle,
        from: String,
        to: String,
        sdp: Option<Vec<u8>>,
    },
    /// A provisional response (101–199) to our INVITE; with an SDP for early media.
    Progress {
        call: CallHandle,
        code: u16,
        sdp: Option<Vec<u8>>,
    },
    /// Our INVITE was answered (2xx, the ACK is sent).
    Answered {
        call: CallHandle,
        sdp: Option<Vec<u8>>,
    },
    /// The ACK for our 2xx arrived.
    Confirmed {
        call: CallHandle,
    },
    /// Our INVITE failed: final non-2xx, 408 on Timer B, 487 after CANCEL.
    Failed {
        call: CallHandle,
        code: u16,
        reason: String,
        /// Our relay's stable code for a refusal (its `Reason: callcard;…`
        /// header, RFC 3326), for the browser to put into words.
        refusal: Option<crate::refusal::RefusalCode>,
    },
    /// The caller cancelled before we answered (RFC 3261 §9.2).
    Cancelled {
        call: CallHandle,
    },
    /// The dialog ended (BYE sent and answered, or received).
    Terminated {
        call: CallHandle,
        by_peer: bool,
    },
    /// A re-INVITE or UPDATE with an offer: answer with `accept` or `reject`.
    RemoteOffer {
        call: CallHandle,
        method: Method,
        sdp: Option<Vec<u8>>,
    },
    /// The final answer to our re-INVITE / UPDATE.
    Modified {
        call: CallHandle,
        code: u16,
        sdp: Option<Vec<u8>>,
    },
    /// INFO in a dialog (answered 200 already), e.g. DTMF relay.
    Info {
        call: CallHandle,
        content_type: Option<String>,
        body: Vec<u8>,
    },
    /// REFER in a dialog (answered 202 already); report with `notify_transfer`.
    Refer {
        call: CallHandle,
        refer_to: String,
    },
    /// NOTIFY of a REFER subscription: the status line of the message/sipfrag.
    TransferProgress {
        call: CallHandle,
        code: u16,
        /// The status line's reason phrase (e.g. why a transfer was refused).
        reason: String,
    },
    Registered {
        expires: u32,
    },
    RegistrationFailed {
        code: u16,
    },
    /// Any other request: answer it with [`Endpoint::respond`].
    Request {
        id: RequestHandle,
        call: Option<CallHandle>,
        request: Request,
    },
    /// Final response to a request sent with `options`, `info`, `refer`, `notify_transfer`.
    Response {
        id: RequestHandle,
        response: Response,
    },
}

/// Endpoint configuration.
#[derive(Debug, Clone)]
pub struct Config<A> {
    /// Address of record, e.g. `sip:alice@example.com`.
    pub aor: String,
    pub display_name: Option<String>,
    /// Our Contact URI, e.g. `sip:alice@192.0.2.1:5060` or `sip:x@y.invalid;transport=ws`.
    pub contact: String,
    /// Via sent-by.
    pub via_host: String,
    /// Where out-of-dialog requests go (proxy, registrar, trunk).
    pub outbound: Remote<A>,
    pub timers: TimerConfig,
    /// Digest credentials (user, password) for 401/407 challenges.
    pub credentials: Option<(String, String)>,
    pub user_agent: String,
    pub limits: Limits,
}

#[derive(Debug)]
enum ClientTx {
    Invite(ClientInvite),
    NonInvite(ClientNonInvite),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Call(CallHandle),
    Cancel,
    Bye(CallHandle),
    Modify(CallHandle),
    Register,
    Request(RequestHandle),
}

#[derive(Debug)]
struct Client<A> {
    branch: String,
    method: Method,
    tx: ClientTx,
    remote: Remote<A>,
    purpose: Purpose,
    auth_tries: u8,
}

#[derive(Debug)]
enum ServerTx {
    Invite(ServerInvite),
    NonInvite(ServerNonInvite),
}

#[derive(Debug)]
struct Server<A> {
    key: TxKey,
    tx: ServerTx,
    remote: Remote<A>,
}

impl<A> Client<A> {
    fn request(&self) -> &Request {
        match &self.tx {
            ClientTx::Invite(t) => t.request(),
            ClientTx::NonInvite(t) => t.request(),
        }
    }
    fn handle_response(&mut self, now: Instant, resp: Response) {
        match &mut self.tx {
            ClientTx::Invite(t) => t.handle_response(now, resp),
            ClientTx::NonInvite(t) => t.handle_response(now, resp),
        }
    }
    fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        match &mut self.tx {
            ClientTx::Invite(t) => t.poll_transmit(),
            ClientTx::NonInvite(t) => t.poll_transmit(),
        }
    }
    fn poll_event(&mut self) -> Option<TxEvent> {
        match &mut self.tx {
            ClientTx::Invite(t) => t.poll_event(),
            ClientTx::NonInvite(t) => t.poll_event(),
        }
    }
}

impl<A> Transaction for Client<A> {
    fn deadline(&self) -> Option<Instant> {
        match &self.tx {
            ClientTx::Invite(t) => t.poll_timeout(),
            ClientTx::NonInvite(t) => t.poll_timeout(),
        }
    }
    fn terminated(&self) -> bool {
        match &self.tx {
            ClientTx::Invite(t) => t.state() == State::Terminated,
            ClientTx::NonInvite(t) => t.state() == State::Terminated,
        }
    }
    fn handle_timeout(&mut self, now: Instant) {
        match &mut self.tx {
            ClientTx::Invite(t) => t.handle_timeout(now),
            ClientTx::NonInvite(t) => t.handle_timeout(now),
        }
    }
}

impl<A> Server<A> {
    fn request(&self) -> &Request {
        match &self.tx {
            ServerTx::Invite(t) => t.request(),
            ServerTx::NonInvite(t) => t.request(),
        }
    }
    fn handle_request(&mut self, now: Instant, req: &Request) {
        match &mut self.tx {
            ServerTx::Invite(t) => t.handle_request(now, req),
            ServerTx::NonInvite(t) => t.handle_request(now, req),
        }
    }
    fn send_response(&mut self, now: Instant, resp: &Response) {
        match &mut self.tx {
            ServerTx::Invite(t) => t.send_response(now, resp),
            ServerTx::NonInvite(t) => t.send_response(now, resp),
        }
    }
    fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        match &mut self.tx {
            ServerTx::Invite(t) => t.poll_transmit(),
            ServerTx::NonInvite(t) => t.poll_transmit(),
        }
    }
    fn poll_event(&mut self) -> Option<TxEvent> {
        match &mut self.tx {
            ServerTx::Invite(t) => t.poll_event(),
            ServerTx::NonInvite(t) => t.poll_event(),
        }
    }
}

impl<A> Transaction for Server<A> {
    fn deadline(&self) -> Option<Instant> {
        match &self.tx {
            ServerTx::Invite(t) => t.poll_timeout(),
            ServerTx::NonInvite(t) => t.poll_timeout(),
        }
    }
    fn terminated(&self) -> bool {
        match &self.tx {
            ServerTx::Invite(t) => t.state() == State::Terminated,
            ServerTx::NonInvite(t) => t.state() == State::Terminated,
        }
    }
    fn handle_timeout(&mut self, now: Instant) {
        match &mut self.tx {
            ServerTx::Invite(t) => t.handle_timeout(now),
            ServerTx::NonInvite(t) => t.handle_timeout(now),
        }
    }
}

/// What a [`Table`] needs of the transactions it holds.
trait Transaction {
    /// The earliest armed timer.
    fn deadline(&self) -> Option<Instant>;
    fn terminated(&self) -> bool;
    fn handle_timeout(&mut self, now: Instant);
}

/// One side's transactions by id, in creation order (ids only grow), with
/// what keeps the endpoint's work per input independent of how many idle
/// transactions it holds: the set touched since the last flush, and the
/// deadline of every one with a timer armed.
///
/// Every `&mut` to a transaction goes through [`Table::get_mut`] (or
/// [`Table::insert`]), which marks it dirty; [`Endpoint::flush`] drains only
/// the dirty ones, then [`Table::settle`] re-reads their deadlines and drops
/// the terminated ones.
#[derive(Debug)]
struct Table<T> {
    /// Boxed: a transaction is some 550 bytes, and a B-tree node holds 11
    /// values inline, moving them on every insert and remove.
    by_id: BTreeMap<u64, Box<Slot<T>>>,
    /// Touched since they were last drained (repeats allowed; the buffers
    /// are reused so a flush allocates nothing here).
    dirty: Vec<u64>,
    /// Drained, their deadline and state not re-read yet (repeats allowed).
    unsettled: Vec<u64>,
    /// `(deadline, id)` of every transaction with a timer armed.
    deadlines: BTreeSet<(Instant, u64)>,
}

#[derive(Debug)]
struct Slot<T> {
    tx: T,
    /// The deadline this transaction is filed under in `deadlines`.
    indexed: Option<Instant>,
}

impl<T: Transaction> Table<T> {
    fn new() -> Self {
        Table {
            by_id: BTreeMap::new(),
            dirty: Vec::new(),
            unsettled: Vec::new(),
            deadlines: BTreeSet::new(),
        }
    }
    fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
    fn insert(&mut self, id: u64, tx: T) {
        self.by_id.insert(id, Box::new(Slot { tx, indexed: None }));
        self.dirty.push(id);
    }
    fn get(&self, id: u64) -> Option<&T> {
        self.by_id.get(&id).map(|s| &s.tx)
    }
    /// The transaction, marked to be drained and re-indexed at the next flush.
    fn get_mut(&mut self, id: u64) -> Option<&mut T> {
        let slot = self.by_id.get_mut(&id)?;
        self.dirty.push(id);
        Some(&mut slot.tx)
    }
    /// The dirty ids, once each in creation order, now waiting for
    /// [`Table::settle`]; drain them with [`Table::draining`], then hand the
    /// buffer back with [`Table::recycle`].
    fn take_dirty(&mut self) -> Vec<u64> {
        let mut dirty = std::mem::take(&mut self.dirty);
        dirty.sort_unstable();
        dirty.dedup();
        self.unsettled.extend_from_slice(&dirty);
        dirty
    }
    /// A transaction taken by [`Table::take_dirty`], to drain its queues.
    fn draining(&mut self, id: u64) -> Option<&mut T> {
        self.by_id.get_mut(&id).map(|s| &mut s.tx)
    }
    fn recycle(&mut self, mut ids: Vec<u64>) {
        if self.dirty.is_empty() {
            ids.clear();
            self.dirty = ids;
        }
    }
    /// Re-files the drained transactions under their current deadline and
    /// removes the terminated ones, handing each to `gone`.
    fn settle(&mut self, mut gone: impl FnMut(u64, &T)) {
        let mut ids = std::mem::take(&mut self.unsettled);
        for &id in &ids {
            // Gone already if it was listed twice.
            let Some(slot) = self.by_id.get_mut(&id) else {
                continue;
            };
            let terminated = slot.tx.terminated();
            let deadline = if terminated { None } else { slot.tx.deadline() };
            if slot.indexed != deadline {
                if let Some(at) = slot.indexed {
                    self.deadlines.remove(&(at, id));
                }
                if let Some(at) = deadline {
                    self.deadlines.insert((at, id));
                }
                slot.indexed = deadline;
            }
            if terminated {
                if let Some(slot) = self.by_id.remove(&id) {
                    gone(id, &slot.tx);
                }
            }
        }
        ids.clear();
        self.unsettled = ids;
    }
    fn next_deadline(&self) -> Option<Instant> {
        self.deadlines.first().map(|(at, _)| *at)
    }
    /// Ids with a timer due at `now`.
    fn due(&self, now: Instant) -> Vec<u64> {
        self.deadlines
            .range(..=(now, u64::MAX))
            .map(|(_, id)| *id)
            .collect()
    }
    fn is_settled(&self) -> bool {
        self.dirty.is_empty() && self.unsettled.is_empty()
    }
}

#[derive(Debug, Clone)]
struct Pending2xx {
    bytes: Vec<u8>,
    next: Instant,
    interval: Duration,
    give_up: Instant,
    initial: bool,
}

#[derive(Debug)]
struct Call<A> {
    remote: Remote<A>,
    /// The confirmed (or, for a UAS, the early) dialog.
    dialog: Option<Dialog>,
    /// UAC early dialogs, one per forked 1xx To tag (RFC 3261 §13.2.2.1).
    early: Vec<Dialog>,
    /// Our INVITE (UAC) and whether a provisional came back.
    invite: Option<Request>,
    got_provisional: bool,
    cancel_requested: bool,
    cancel_sent: bool,
    /// UAS: the server INVITE / UPDATE awaiting the user's answer.
    uas_invite: Option<TxKey>,
    uas_update: Option<TxKey>,
    pending_2xx: Option<Pending2xx>,
    /// UAC: the ACK for the 2xx, resent on 2xx retransmissions.
    last_ack: Option<Vec<u8>>,
    /// Our re-INVITE / UPDATE in progress (glare detection, RFC 3261 §14.2).
    modifying: bool,
    glare_retry: Option<(Instant, Method, Option<Vec<u8>>)>,
    /// We generated the Call-ID (RFC 3261 §14.1 back-off ranges).
    owns_call_id: bool,
    answered: bool,
}

impl<A> Call<A> {
    /// The earliest UA-level timer: 2xx retransmit / give-up, glare retry.
    fn deadline(&self) -> Option<Instant> {
        let p = self.pending_2xx.as_ref().map(|p| p.next.min(p.give_up));
        let g = self.glare_retry.as_ref().map(|g| g.0);
        match (p, g) {
            (Some(p), Some(g)) => Some(p.min(g)),
            (p, g) => p.or(g),
        }
    }
}

/// The calls by handle, with the deadline of each one that has a UA-level
/// timer. Like [`Table`], every `&mut` (and insert and remove) marks the call
/// so [`Calls::settle`] re-files it at the end of the flush.
#[derive(Debug)]
struct Calls<A> {
    by_handle: BTreeMap<CallHandle, Call<A>>,
    /// Touched since the last settle (repeats allowed).
    dirty: Vec<CallHandle>,
    indexed: BTreeMap<CallHandle, Instant>,
    deadlines: BTreeSet<(Instant, CallHandle)>,
}

impl<A> Calls<A> {
    fn new() -> Self {
        Calls {
            by_handle: BTreeMap::new(),
            dirty: Vec::new(),
            indexed: BTreeMap::new(),
            deadlines: BTreeSet::new(),
        }
    }
    fn is_empty(&self) -> bool {
        self.by_handle.is_empty()
    }
    fn get(&self, h: &CallHandle) -> Option<&Call<A>> {
        self.by_handle.get(h)
    }
    fn iter(&self) -> std::collections::btree_map::Iter<'_, CallHandle, Call<A>> {
        self.by_handle.iter()
    }
    fn get_mut(&mut self, h: &CallHandle) -> Option<&mut Call<A>> {
        let c = self.by_handle.get_mut(h)?;
        self.dirty.push(*h);
        Some(c)
    }
    fn insert(&mut self, h: CallHandle, c: Call<A>) {
        self.dirty.push(h);
        self.by_handle.insert(h, c);
    }
    fn remove(&mut self, h: &CallHandle) -> Option<Call<A>> {
        let c = self.by_handle.remove(h)?;
        self.dirty.push(*h);
        Some(c)
    }
    /// Re-files every touched call under its current deadline.
    fn settle(&mut self) {
        let mut dirty = std::mem::take(&mut self.dirty);
        for &h in &dirty {
            let deadline = self.by_handle.get(&h).and_then(Call::deadline);
            let old = match deadline {
                Some(at) => self.indexed.insert(h, at),
                None => self.indexed.remove(&h),
            };
            if old != deadline {
                if let Some(at) = old {
                    self.deadlines.remove(&(at, h));
                }
                if let Some(at) = deadline {
                    self.deadlines.insert((at, h));
                }
            }
        }
        dirty.clear();
        self.dirty = dirty;
    }
    fn next_deadline(&self) -> Option<Instant> {
        self.deadlines.first().map(|(at, _)| *at)
    }
    /// The lowest handle above `after` with a timer due at `now`.
    fn next_due(&self, now: Instant, after: Option<CallHandle>) -> Option<CallHandle> {
        self.deadlines
            .range(..=(now, CallHandle(u64::MAX)))
            .map(|(_, h)| *h)
            .filter(|h| after.is_none_or(|a| *h > a))
            .min()
    }
}

/// The SIP user agent: transactions, dialogs and calls behind one sans-IO surface.
#[derive(Debug)]
pub struct Endpoint<A> {
    config: Config<A>,
    rng: u64,
    next_id: u64,
    /// Transaction ids (one counter for both sides; not the handle counter,
    /// whose values the user sees).
    next_tx: u64,
    clients: Table<Client<A>>,
    servers: Table<Server<A>>,
    /// Client transactions by (branch, method) for responses (§17.1.3), in
    /// creation order: the first one matches, as a scan would find it.
    client_ids: HashMap<(String, String), Vec<u64>>,
    /// Server transactions by their key (§17.2.3); keys are unique.
    server_ids: HashMap<TxKey, u64>,
    calls: Calls<A>,
    requests: BTreeMap<RequestHandle, (TxKey, Option<CallHandle>)>,
    transmits: VecDeque<Transmit<A>>,
    events: VecDeque<Event>,
    digest: Option<DigestClient>,
    register_call_id: String,
    register_seq: u32,
    register_expires: u32,
    /// The From of the INVITE being built by [`Endpoint::invite_as`].
    identity: Option<String>,
    /// Header parameters of our Contact, e.g. `;+sip.ice` (RFC 5768).
    contact_params: String,
}

fn body_opt(b: &[u8]) -> Option<Vec<u8>> {
    (!b.is_empty()).then(|| b.to_vec())
}

impl<A: Clone + Eq + Debug> Endpoint<A> {
    /// `seed` feeds every branch, tag, Call-ID and cnonce; give each endpoint
    /// a different, unpredictable one in production.
    pub fn new(config: Config<A>, seed: u64) -> Self {
        let mut ep = Endpoint {
            config,
            rng: seed ^ 0x9E37_79B9_7F4A_7C15,
            next_id: 1,
            next_tx: 0,
            clients: Table::new(),
            servers: Table::new(),
            client_ids: HashMap::new(),
            server_ids: HashMap::new(),
            calls: Calls::new(),
            requests: BTreeMap::new(),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            digest: None,
            register_call_id: String::new(),
            register_seq: 0,
            register_expires: 0,
            identity: None,
            contact_params: String::new(),
        };
        ep.register_call_id = ep.token();
        ep
    }

    /// Adds header parameters to every Contact we send, e.g. `;+sip.ice`
    /// (RFC 5768: this user agent does ICE — a WebRTC browser).
    pub fn with_contact_params(mut self, params: &str) -> Self {
        self.contact_params = params.to_string();
        self
    }

    fn contact_header(&self) -> String {
        format!("<{}>{}", self.config.contact, self.contact_params)
    }

    pub fn config(&self) -> &Config<A> {
        &self.config
    }

    // --- Randomness (splitmix64 over the caller's seed) ---

    fn next_u64(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn token(&mut self) -> String {
        format!("{:012x}", self.next_u64() & 0xffff_ffff_ffff)
    }
    fn next_handle(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
    fn via(&mut self, transport: TransportKind) -> (String, String) {
        // RFC 3261 §8.1.1.7: branch starts with the magic cookie; rport per RFC 3581.
        let branch = format!("z9hG4bK{}", self.token());
        let via = format!(
            "SIP/2.0/{} {};branch={branch};rport",
            transport.via_name(),
            self.config.via_host
        );
        (branch, via)
    }
    fn local_from(&self, tag: &str) -> String {
        if let Some(identity) = &self.identity {
            return format!("{identity};tag={tag}");
        }
        match &self.config.display_name {
            Some(d) => format!("\"{d}\" <{}>;tag={tag}", self.config.aor),
            None => format!("<{}>;tag={tag}", self.config.aor),
        }
    }

    // --- The driver surface ---

    /// Feeds one whole message received from `from` (frame stream transports
    /// with [`parse::parse_stream`] first). Returns the parse error of a
    /// malformed message, which is dropped.
    pub fn handle_input(
        &mut self,
        now: Instant,
        from: Remote<A>,
        bytes: &[u8],
    ) -> Result<(), parse::Error> {
        let msg = parse::parse_with(bytes, &self.config.limits)?;
        let policy = Policy::default();
        if msg.is_request() {
            let verdict = check_request(&msg, &policy);
            let SipMessage::Request(req) = msg.to_owned() else {
                return Ok(());
            };
            match verdict {
                Verdict::Accept => self.on_request(now, from, req),
                Verdict::Reject {
                    code,
                    reason,
                    unsupported,
                    ..
                } if req.method != Method::Ack => {
                    // RFC 3261 §8.2: answered statelessly-but-absorbing through a server transaction.
                    let mut resp = response_to(&req, code, reason);
                    if !unsupported.is_empty() {
                        resp.headers
                            .push(HeaderName::Unsupported, unsupported.join(", "));
                    }
                    if code == 401 {
                        resp.headers.push(
                            HeaderName::WwwAuthenticate,
                            "Digest realm=\"callcard\", nonce=\"0\", qop=\"auth\"",
                        );
                    }
                    if let Some(key) = TxKey::for_request(&req) {
                        if !self.server_ids.contains_key(&key) {
                            self.new_server(key.clone(), req, from);
                            self.server_respond(now, &key, resp);
                        }
                    }
                }
                _ => {}
            }
        } else if check_response(&msg, &policy) == Verdict::Accept {
            if let SipMessage::Response(resp) = msg.to_owned() {
                self.on_response(now, resp);
            }
        }
        self.flush(now);
        Ok(())
    }

    /// Fires every transaction and UA timer due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        // Only the due ones: for the others handle_timeout is a no-op.
        for id in self.clients.due(now) {
            if let Some(c) = self.clients.get_mut(id) {
                c.handle_timeout(now);
            }
        }
        for id in self.servers.due(now) {
            if let Some(s) = self.servers.get_mut(id) {
                s.handle_timeout(now);
            }
        }
        // In handle order, as a pass over every call would; a call's timers
        // can flush (BYE on give-up), which may make a later call due.
        let mut last = None;
        while let Some(h) = self.calls.next_due(now, last) {
            last = Some(h);
            self.call_timers(now, h);
        }
        self.flush(now);
    }

    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Transmit<A>> {
        self.transmits.pop_front()
    }

    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// The next instant [`Endpoint::handle_timeout`] must be called.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        // Every public method that touches a transaction or a call flushes.
        debug_assert!(
            self.clients.is_settled() && self.servers.is_settled() && self.calls.dirty.is_empty(),
            "poll_timeout before a flush"
        );
        [
            self.clients.next_deadline(),
            self.servers.next_deadline(),
            self.calls.next_deadline(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Whether nothing is in flight (all transactions gone, no calls).
    pub fn is_idle(&self) -> bool {
        self.clients.is_empty() && self.servers.is_empty() && self.calls.is_empty()
    }

    // --- User actions ---

    /// Registers the Contact with the registrar behind `outbound` (RFC 3261 §10).
    pub fn register(&mut self, now: Instant, expires: u32) {
        self.register_seq += 1;
        self.register_expires = expires;
        let registrar = match super::uri::Uri::parse(&self.config.aor) {
            Ok(u) => format!("sip:{}", u.host),
            Err(_) => self.config.aor.clone(),
        };
        let tag = self.token();
        let to = format!("<{}>", self.config.aor);
        let call_id = self.register_call_id.clone();
        let mut req = self.build_request(
            Method::Register,
            &registrar,
            to,
            call_id,
            &tag,
            self.register_seq,
        );
        req.headers.push(HeaderName::Expires, expires.to_string());
        let remote = self.config.outbound.clone();
        self.start_client(now, req, remote, Purpose::Register);
        self.flush(now);
    }

    /// Calls `target` with an optional SDP offer.
    pub fn invite(&mut self, now: Instant, target: &str, sdp: Option<Vec<u8>>) -> CallHandle {
        let call = CallHandle(self.next_handle());
        let tag = self.token();
        let call_id = format!("{}@{}", self.token(), self.config.via_host);
        let mut req = self.build_request(
            Method::Invite,
            target,
            format!("<{target}>"),
            call_id,
            &tag,
            1,
        );
        req.headers.push_named(
            "Allow",
            "INVITE, ACK, CANCEL, BYE, UPDATE, INFO, REFER, NOTIFY, OPTIONS",
        );
        if let Some(sdp) = sdp {
            req.set_body("application/sdp", sdp);
        }
        let remote = self.config.outbound.clone();
        self.calls.insert(
            call,
            Call {
                remote: remote.clone(),
                dialog: None,
                early: Vec::new(),
                invite: Some(req.clone()),
                got_provisional: false,
                cancel_requested: false,
                cancel_sent: false,
                uas_invite: None,
                uas_update: None,
                pending_2xx: None,
                last_ack: None,
                modifying: false,
                glare_retry: None,
                owns_call_id: true,
                answered: false,
            },
        );
        self.start_client(now, req, remote, Purpose::Call(call));
        self.flush(now);
        call
    }

    /// Like [`Endpoint::invite`], but the From shows `identity` (a name-addr
    /// without a tag, e.g. `"Ivan Petrov" <sip:+74951234567@callcard.invalid>`):
    /// how a B2BUA presents the original caller to the callee.
    pub fn invite_as(
        &mut self,
        now: Instant,
        identity: &str,
        target: &str,
        sdp: Option<Vec<u8>>,
    ) -> CallHandle {
        self.identity = Some(identity.to_string());
        let call = self.invite(now, target, sdp);
        self.identity = None;
        call
    }

    /// Sends 180 Ringing, or 183 Session Progress with an early-media SDP.
    pub fn ringing(&mut self, now: Instant, call: CallHandle, sdp: Option<Vec<u8>>) {
        let code = if sdp.is_some() { 183 } else { 180 };
        let reason = if sdp.is_some() {
            "Session Progress"
        } else {
            "Ringing"
        };
        self.answer_invite(now, call, code, reason, sdp, Vec::new());
    }

    /// Answers the pending INVITE, re-INVITE or UPDATE with 200 and `sdp`.
    pub fn accept(&mut self, now: Instant, call: CallHandle, sdp: Option<Vec<u8>>) {
        let update = self.calls.get(&call).and_then(|c| c.uas_update.clone());
        if let Some(key) = update {
            let Some(resp) = self.dialog_response(&key, call, 200, "OK", sdp) else {
                return;
            };
            if let Some(c) = self.calls.get_mut(&call) {
                c.uas_update = None;
            }
            self.server_respond(now, &key, resp);
            self.flush(now);
            return;
        }
        self.answer_invite(now, call, 200, "OK", sdp, Vec::new());
    }

    /// Rejects the pending INVITE / re-INVITE / UPDATE with `code` (e.g. 486, 603, 488).
    pub fn reject(&mut self, now: Instant, call: CallHandle, code: u16) {
        let reason = match code {
            486 => "Busy Here",
            488 => "Not Acceptable Here",
            491 => "Request Pending",
            603 => "Decline",
            480 => "Temporarily Unavailable",
            _ => "Rejected",
        };
        let update = self.calls.get(&call).and_then(|c| c.uas_update.clone());
        if let Some(key) = update {
            if let Some(resp) = self.dialog_response(&key, call, code, reason, None) {
                self.server_respond(now, &key, resp);
            }
            if let Some(c) = self.calls.get_mut(&call) {
                c.uas_update = None;
            }
        } else {
            self.answer_invite(now, call, code, reason, None, Vec::new());
        }
        self.flush(now);
    }

    /// Rejects the pending initial INVITE with extra headers — a 407 with its
    /// `Proxy-Authenticate` challenge (RFC 3261 §22.3), say.
    pub fn reject_with(
        &mut self,
        now: Instant,
        call: CallHandle,
        code: u16,
        reason: &str,
        headers: Vec<(HeaderName, String)>,
    ) {
        self.answer_invite(now, call, code, reason, None, headers);
        self.flush(now);
    }

    /// The pending INVITE of an incoming call, to read what the event does not
    /// carry (its `Proxy-Authorization`, say).
    pub fn incoming_invite(&self, call: CallHandle) -> Option<&Request> {
        let key = self.calls.get(&call)?.uas_invite.as_ref()?;
        Some(self.server(key)?.request())
    }

    /// The SIP Call-ID of a call — its dialog's, or its INVITE's (ours or the
    /// peer's) before there is one — while the endpoint knows the call.
    pub fn call_id(&self, call: CallHandle) -> Option<&str> {
        let c = self.calls.get(&call)?;
        if let Some(dialog) = &c.dialog {
            return Some(&dialog.id.call_id);
        }
        if let Some(invite) = &c.invite {
            return invite.call_id();
        }
        self.incoming_invite(call)?.call_id()
    }

    /// Cancels our unanswered INVITE (RFC 3261 §9.1); sent once a provisional arrived.
    pub fn cancel(&mut self, now: Instant, call: CallHandle) {
        if self
            .calls
            .get(&call)
            .is_none_or(|c| c.dialog.is_some() || c.invite.is_none())
        {
            return;
        }
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        c.cancel_requested = true;
        self.maybe_cancel(now, call);
        self.flush(now);
    }

    /// Ends an established call (RFC 3261 §15.1.1).
    pub fn bye(&mut self, now: Instant, call: CallHandle) {
        let transport = match self.calls.get(&call) {
            Some(c) => c.remote.transport,
            None => return,
        };
        let (_, via) = self.via(transport);
        let contact = self.config.contact.clone();
        let confirmed = |c: &Call<A>| {
            c.dialog
                .as_ref()
                .is_some_and(|d| d.state == DialogState::Confirmed)
        };
        if !self.calls.get(&call).is_some_and(confirmed) {
            return;
        }
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        let Some(d) = c.dialog.as_mut() else {
            return;
        };
        d.state = DialogState::Terminated;
        let req = d.request(Method::Bye, &via, &contact);
        c.pending_2xx = None;
        let remote = c.remote.clone();
        self.start_client(now, req, remote, Purpose::Bye(call));
        self.flush(now);
    }

    /// Sends a re-INVITE (target refresh / new offer, e.g. hold with `a=sendonly`).
    pub fn reinvite(&mut self, now: Instant, call: CallHandle, sdp: Option<Vec<u8>>) {
        self.modify(now, call, Method::Invite, sdp);
        self.flush(now);
    }

    /// Sends an UPDATE (RFC 3311) with a new offer.
    pub fn update(&mut self, now: Instant, call: CallHandle, sdp: Option<Vec<u8>>) {
        self.modify(now, call, Method::Update, sdp);
        self.flush(now);
    }

    /// Sends INFO in the dialog (e.g. `application/dtmf-relay`).
    pub fn info(
        &mut self,
        now: Instant,
        call: CallHandle,
        content_type: &str,
        body: Vec<u8>,
    ) -> Option<RequestHandle> {
        let r = self.in_dialog(now, call, Method::Info, |req| {
            req.set_body(content_type, body)
        });
        self.flush(now);
        r
    }

    /// Transfers the peer to `target` with REFER (RFC 3515).
    pub fn refer(&mut self, now: Instant, call: CallHandle, target: &str) -> Option<RequestHandle> {
        let referred_by = format!("<{}>", self.config.aor);
        let r = self.in_dialog(now, call, Method::Refer, |req| {
            req.headers.push(HeaderName::ReferTo, format!("<{target}>"));
            req.headers.push(HeaderName::ReferredBy, referred_by);
        });
        self.flush(now);
        r
    }

    /// Reports transfer progress with NOTIFY carrying message/sipfrag (RFC 3515 §2.4.5).
    pub fn notify_transfer(
        &mut self,
        now: Instant,
        call: CallHandle,
        code: u16,
        reason: &str,
    ) -> Option<RequestHandle> {
        let state = if code >= 200 {
            "terminated;reason=noresource"
        } else {
            "active;expires=60"
        };
        let frag = format!("SIP/2.0 {code} {reason}\r\n").into_bytes();
        let r = self.in_dialog(now, call, Method::Notify, |req| {
            req.headers.push(HeaderName::Event, "refer");
            req.headers.push(HeaderName::SubscriptionState, state);
            req.set_body("message/sipfrag;version=2.0", frag);
        });
        self.flush(now);
        r
    }

    /// Sends OPTIONS outside any dialog (keep-alive, capability query).
    pub fn options(&mut self, now: Instant, target: &str) -> RequestHandle {
        let id = RequestHandle(self.next_handle());
        let tag = self.token();
        let call_id = self.token();
        let req = self.build_request(
            Method::Options,
            target,
            format!("<{target}>"),
            call_id,
            &tag,
            1,
        );
        let remote = self.config.outbound.clone();
        self.start_client(now, req, remote, Purpose::Request(id));
        self.flush(now);
        id
    }

    /// A response skeleton for an [`Event::Request`] (Via, From, To with a tag, Call-ID, CSeq).
    pub fn response_for(&mut self, id: RequestHandle, code: u16, reason: &str) -> Option<Response> {
        let (key, _) = self.requests.get(&id)?.clone();
        let req = self.server(&key)?.request().clone();
        let mut r = response_to(&req, code, reason);
        let tag = self.token();
        add_to_tag(&mut r, &tag);
        Some(r)
    }

    /// Answers an [`Event::Request`].
    pub fn respond(&mut self, now: Instant, id: RequestHandle, response: Response) {
        if let Some((key, _)) = self.requests.get(&id).cloned() {
            if response.code >= 200 {
                self.requests.remove(&id);
            }
            self.server_respond(now, &key, response);
            self.flush(now);
        }
    }

    // --- Internals: building and sending ---

    fn build_request(
        &mut self,
        method: Method,
        uri: &str,
        to: String,
        call_id: String,
        tag: &str,
        seq: u32,
    ) -> Request {
        let (_, via) = self.via(self.config.outbound.transport);
        let mut r = Request::new(method.clone(), uri);
        r.headers.push(HeaderName::Via, via);
        r.headers.push(HeaderName::MaxForwards, "70");
        r.headers.push(HeaderName::From, self.local_from(tag));
        r.headers.push(HeaderName::To, to);
        r.headers.push(HeaderName::CallId, call_id);
        r.headers.push(HeaderName::CSeq, format!("{seq} {method}"));
        r.headers.push(HeaderName::Contact, self.contact_header());
        r.headers
            .push(HeaderName::UserAgent, self.config.user_agent.clone());
        r.headers.push(HeaderName::ContentLength, "0");
        r
    }

    fn start_client(&mut self, now: Instant, req: Request, remote: Remote<A>, purpose: Purpose) {
        self.start_client_tries(now, req, remote, purpose, 0);
    }

    fn start_client_tries(
        &mut self,
        now: Instant,
        req: Request,
        remote: Remote<A>,
        purpose: Purpose,
        auth_tries: u8,
    ) {
        let branch = req
            .top_via()
            .and_then(|v| v.branch())
            .unwrap_or("")
            .to_owned();
        let reliable = remote.transport.reliable();
        let tx = if req.method == Method::Invite {
            ClientTx::Invite(ClientInvite::new(
                now,
                req.clone(),
                reliable,
                self.config.timers,
            ))
        } else {
            ClientTx::NonInvite(ClientNonInvite::new(
                now,
                req.clone(),
                reliable,
                self.config.timers,
            ))
        };
        self.next_tx += 1;
        let id = self.next_tx;
        self.client_ids
            .entry((branch.clone(), req.method.as_str().to_owned()))
            .or_default()
            .push(id);
        self.clients.insert(
            id,
            Client {
                branch,
                method: req.method,
                tx,
                remote,
                purpose,
                auth_tries,
            },
        );
    }

    fn new_server(&mut self, key: TxKey, req: Request, remote: Remote<A>) {
        let reliable = remote.transport.reliable();
        let tx = if req.method == Method::Invite {
            ServerTx::Invite(ServerInvite::new(req, reliable, self.config.timers))
        } else {
            ServerTx::NonInvite(ServerNonInvite::new(req, reliable, self.config.timers))
        };
        self.next_tx += 1;
        let id = self.next_tx;
        // Callers look the key up first, so it is new.
        debug_assert!(!self.server_ids.contains_key(&key));
        self.server_ids.entry(key.clone()).or_insert(id);
        self.servers.insert(id, Server { key, tx, remote });
    }

    fn server(&self, key: &TxKey) -> Option<&Server<A>> {
        self.servers.get(*self.server_ids.get(key)?)
    }

    /// The server transaction, marked for the next flush.
    fn server_mut(&mut self, key: &TxKey) -> Option<&mut Server<A>> {
        let id = *self.server_ids.get(key)?;
        self.servers.get_mut(id)
    }

    /// The client transaction a response belongs to, marked for the next flush.
    fn client_mut(&mut self, branch: String, method: String) -> Option<&mut Client<A>> {
        let id = *self.client_ids.get(&(branch, method))?.first()?;
        self.clients.get_mut(id)
    }

    fn server_respond(&mut self, now: Instant, key: &TxKey, resp: Response) {
        if let Some(s) = self.server_mut(key) {
            s.send_response(now, &resp);
        }
    }

    fn send_raw(&mut self, to: Remote<A>, bytes: Vec<u8>) {
        self.transmits.push_back(Transmit { to, bytes });
    }

    /// A response within a call's dialog: our tag, our Contact, optional SDP.
    fn dialog_response(
        &self,
        key: &TxKey,
        call: CallHandle,
        code: u16,
        reason: &str,
        sdp: Option<Vec<u8>>,
    ) -> Option<Response> {
        let req = self.server(key)?.request();
        let c = self.calls.get(&call)?;
        let tag = c.dialog.as_ref().map(|d| d.id.local_tag.clone())?;
        let mut r = response_to(req, code, reason);
        add_to_tag(&mut r, &tag);
        if (101..300).contains(&code) {
            r.headers.push(HeaderName::Contact, self.contact_header());
        }
        if let Some(sdp) = sdp {
            r.set_body("application/sdp", sdp);
        }
        Some(r)
    }

    fn answer_invite(
        &mut self,
        now: Instant,
        call: CallHandle,
        code: u16,
        reason: &str,
        sdp: Option<Vec<u8>>,
        extra: Vec<(HeaderName, String)>,
    ) {
        let Some(key) = self.calls.get(&call).and_then(|c| c.uas_invite.clone()) else {
            return;
        };
        let Some(mut resp) = self.dialog_response(&key, call, code, reason, sdp) else {
            return;
        };
        for (name, value) in extra {
            resp.headers.push(name, value);
        }
        let bytes = resp.to_bytes();
        self.server_respond(now, &key, resp);
        let t1 = self.config.timers.t1;
        let timeout = self.config.timers.timeout();
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        if code >= 200 {
            c.uas_invite = None;
        }
        match code {
            200..=299 => {
                let initial = !c.answered;
                c.answered = true;
                if let Some(d) = c.dialog.as_mut() {
                    d.state = DialogState::Confirmed;
                }
                // RFC 3261 §13.3.1.4: the UA core retransmits the 2xx until the ACK.
                c.pending_2xx = Some(Pending2xx {
                    bytes,
                    next: now + t1,
                    interval: t1,
                    give_up: now + timeout,
                    initial,
                });
            }
            300..=699 if !c.answered => {
                self.calls.remove(&call);
            }
            _ => {}
        }
        self.flush(now);
    }

    fn send_cancel(&mut self, now: Instant, call: CallHandle) {
        let Some(c) = self.calls.get(&call) else {
            return;
        };
        let Some(inv) = c.invite.clone() else { return };
        // RFC 3261 §9.1: same Request-URI, Call-ID, From, To, CSeq number and top Via.
        let mut cancel = Request::new(Method::Cancel, inv.uri.clone());
        for h in &inv.headers.0 {
            match h.kind {
                HeaderName::Via
                | HeaderName::From
                | HeaderName::To
                | HeaderName::CallId
                | HeaderName::Route
                | HeaderName::MaxForwards => cancel.headers.0.push(h.clone()),
                _ => {}
            }
        }
        let seq = inv.cseq().map(|c| c.seq).unwrap_or(1);
        cancel
            .headers
            .push(HeaderName::CSeq, format!("{seq} CANCEL"));
        cancel.headers.push(HeaderName::ContentLength, "0");
        let remote = c.remote.clone();
        self.start_client(now, cancel, remote, Purpose::Cancel);
    }

    fn modify(&mut self, now: Instant, call: CallHandle, method: Method, sdp: Option<Vec<u8>>) {
        let Some(c) = self.calls.get(&call) else {
            return;
        };
        if c.modifying
            || c.dialog
                .as_ref()
                .is_none_or(|d| d.state != DialogState::Confirmed)
        {
            return;
        }
        let transport = c.remote.transport;
        let (_, via) = self.via(transport);
        let contact = self.config.contact.clone();
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        let Some(d) = c.dialog.as_mut() else { return };
        let mut req = d.request(method, &via, &contact);
        if let Some(sdp) = sdp {
            req.set_body("application/sdp", sdp);
        }
        c.modifying = true;
        let remote = c.remote.clone();
        self.start_client(now, req, remote, Purpose::Modify(call));
    }

    fn in_dialog(
        &mut self,
        now: Instant,
        call: CallHandle,
        method: Method,
        f: impl FnOnce(&mut Request),
    ) -> Option<RequestHandle> {
        let transport = self.calls.get(&call)?.remote.transport;
        let (_, via) = self.via(transport);
        let contact = self.config.contact.clone();
        let id = RequestHandle(self.next_handle());
        let c = self.calls.get_mut(&call)?;
        let d = c
            .dialog
            .as_mut()
            .filter(|d| d.state == DialogState::Confirmed)?;
        let mut req = d.request(method, &via, &contact);
        f(&mut req);
        let remote = c.remote.clone();
        self.start_client(now, req, remote, Purpose::Request(id));
        Some(id)
    }

    /// Rebuilds `orig` with credentials for a 401/407 (RFC 3261 §22.2): new
    /// branch, CSeq + 1, same Call-ID and tags.
    fn authorized(&mut self, orig: &Request, resp: &Response) -> Option<Request> {
        let (user, pass) = self.config.credentials.clone()?;
        let (challenge_kind, auth_kind) = if resp.code == 401 {
            (HeaderName::WwwAuthenticate, HeaderName::Authorization)
        } else {
            (
                HeaderName::ProxyAuthenticate,
                HeaderName::ProxyAuthorization,
            )
        };
        let ch = Challenge::parse(resp.first(challenge_kind)?).ok()?;
        let cnonce = self.token();
        let client = self
            .digest
            .get_or_insert_with(|| DigestClient::new(user, pass));
        let value = client.authorize(&ch, orig.method.as_str(), &orig.uri, &cnonce);
        let transport = self.config.outbound.transport;
        let (_, via) = self.via(transport);
        let mut req = orig.clone();
        req.headers.set(HeaderName::Via, via);
        req.headers.set(auth_kind, value);
        let seq = orig.cseq()?.seq + 1;
        req.headers
            .set(HeaderName::CSeq, format!("{seq} {}", orig.method));
        Some(req)
    }

    // --- Internals: incoming ---

    fn on_request(&mut self, now: Instant, from: Remote<A>, req: Request) {
        let Some(key) = TxKey::for_request(&req) else {
            return;
        };
        if let Some(s) = self.server_mut(&key) {
            // A retransmission, or the ACK for a non-2xx (RFC 3261 §17.2.3).
            s.handle_request(now, &req);
            return;
        }
        let to_tag = req.hdr_to().and_then(|t| t.tag()).map(str::to_owned);
        match req.method {
            Method::Ack => self.on_ack(&req),
            Method::Cancel => self.on_cancel(now, from, key, req),
            _ if to_tag.is_some() => self.on_in_dialog(now, from, key, req),
            Method::Invite => self.on_new_invite(now, from, key, req),
            Method::Options => {
                self.new_server(key.clone(), req.clone(), from);
                let mut r = response_to(&req, 200, "OK");
                let tag = self.token();
                add_to_tag(&mut r, &tag);
                r.headers.push_named(
                    "Allow",
                    "INVITE, ACK, CANCEL, BYE, UPDATE, INFO, REFER, NOTIFY, OPTIONS",
                );
                r.headers.push(HeaderName::Accept, "application/sdp");
                self.server_respond(now, &key, r);
            }
            Method::Bye => {
                self.new_server(key.clone(), req.clone(), from);
                self.server_respond(
                    now,
                    &key,
                    response_to(&req, 481, "Call/Transaction Does Not Exist"),
                );
            }
            _ => {
                let id = RequestHandle(self.next_handle());
                self.new_server(key.clone(), req.clone(), from);
                self.requests.insert(id, (key, None));
                self.events.push_back(Event::Request {
                    id,
                    call: None,
                    request: req,
                });
            }
        }
    }

    fn find_call(&self, req: &Request) -> Option<CallHandle> {
        self.calls
            .iter()
            .find(|(_, c)| c.dialog.as_ref().is_some_and(|d| d.matches_request(req)))
            .map(|(h, _)| *h)
    }

    fn on_ack(&mut self, req: &Request) {
        // The ACK for a 2xx is its own transaction (RFC 3261 §13.3.1.4, §17.1.1.3).
        let Some(h) = self.find_call(req) else { return };
        let Some(c) = self.calls.get_mut(&h) else {
            return;
        };
        if let Some(p) = c.pending_2xx.take() {
            if p.initial {
                self.events.push_back(Event::Confirmed { call: h });
            }
        }
    }

    fn on_cancel(&mut self, now: Instant, from: Remote<A>, key: TxKey, req: Request) {
        let invite_key = key.cancelled_invite();
        self.new_server(key.clone(), req.clone(), from);
        let pending = self.server(&invite_key).is_some_and(
            |s| matches!(&s.tx, ServerTx::Invite(t) if t.state() == State::Proceeding),
        );
        if !pending {
            self.server_respond(
                now,
                &key,
                response_to(&req, 481, "Call/Transaction Does Not Exist"),
            );
            return;
        }
        // RFC 3261 §9.2: 200 to the CANCEL, 487 to the INVITE.
        let mut ok = response_to(&req, 200, "OK");
        let call = self
            .calls
            .iter()
            .find(|(_, c)| c.uas_invite.as_ref() == Some(&invite_key))
            .map(|(h, _)| *h);
        if let Some(tag) = call
            .and_then(|h| self.calls.get(&h))
            .and_then(|c| c.dialog.as_ref())
            .map(|d| d.id.local_tag.clone())
        {
            add_to_tag(&mut ok, &tag);
        }
        self.server_respond(now, &key, ok);
        self.flush(now);
        match call {
            Some(h) => {
                self.answer_invite(now, h, 487, "Request Terminated", None, Vec::new());
                self.calls.remove(&h);
                self.events.push_back(Event::Cancelled { call: h });
            }
            None => {
                let inv = self.server(&invite_key).map(|s| s.request().clone());
                if let Some(inv) = inv {
                    let mut r = response_to(&inv, 487, "Request Terminated");
                    let tag = self.token();
                    add_to_tag(&mut r, &tag);
                    self.server_respond(now, &invite_key, r);
                }
            }
        }
    }

    fn on_new_invite(&mut self, now: Instant, from: Remote<A>, key: TxKey, req: Request) {
        let tag = self.token();
        self.new_server(key.clone(), req.clone(), from.clone());
        let Some(dialog) = Dialog::from_uas(&req, &tag) else {
            self.server_respond(now, &key, response_to(&req, 400, "Bad Request"));
            return;
        };
        // RFC 3261 §17.2.1: 100 Trying at once so the caller's Timer A stops.
        self.server_respond(now, &key, response_to(&req, 100, "Trying"));
        let call = CallHandle(self.next_handle());
        self.calls.insert(
            call,
            Call {
                remote: from,
                dialog: Some(dialog),
                early: Vec::new(),
                invite: None,
                got_provisional: false,
                cancel_requested: false,
                cancel_sent: false,
                uas_invite: Some(key),
                uas_update: None,
                pending_2xx: None,
                last_ack: None,
                modifying: false,
                glare_retry: None,
                owns_call_id: false,
                answered: false,
            },
        );
        self.events.push_back(Event::IncomingCall {
            call,
            from: req.first(HeaderName::From).unwrap_or("").to_owned(),
            to: req.first(HeaderName::To).unwrap_or("").to_owned(),
            sdp: body_opt(&req.body),
        });
    }

    fn on_in_dialog(&mut self, now: Instant, from: Remote<A>, key: TxKey, req: Request) {
        self.new_server(key.clone(), req.clone(), from);
        let Some(h) = self.find_call(&req) else {
            self.server_respond(
                now,
                &key,
                response_to(&req, 481, "Call/Transaction Does Not Exist"),
            );
            return;
        };
        let seq = req.cseq().map(|c| c.seq).unwrap_or(0);
        let Some(c) = self.calls.get_mut(&h) else {
            return;
        };
        let Some(d) = c.dialog.as_mut() else { return };
        if !d.accept_remote_cseq(seq) {
            // RFC 3261 §12.2.2: out-of-order CSeq.
            self.server_respond(now, &key, response_to(&req, 500, "Server Internal Error"));
            return;
        }
        let ok = |this: &mut Self, code: u16, reason: &str| {
            if let Some(r) = this.dialog_response(&key, h, code, reason, None) {
                this.server_respond(now, &key, r);
            }
        };
        match req.method {
            Method::Invite | Method::Update => {
                // RFC 3261 §14.2: an offer while ours is pending is glare → 491.
                if c.modifying || c.uas_invite.is_some() || c.uas_update.is_some() {
                    ok(self, 491, "Request Pending");
                    return;
                }
                d.refresh_target(&req);
                if req.method == Method::Invite {
                    c.uas_invite = Some(key.clone());
                } else {
                    c.uas_update = Some(key.clone());
                }
                self.events.push_back(Event::RemoteOffer {
                    call: h,
                    method: req.method.clone(),
                    sdp: body_opt(&req.body),
                });
            }
            Method::Bye => {
                d.state = DialogState::Terminated;
                ok(self, 200, "OK");
                self.calls.remove(&h);
                self.events.push_back(Event::Terminated {
                    call: h,
                    by_peer: true,
                });
            }
            Method::Info => {
                ok(self, 200, "OK");
                let content_type = req.first(HeaderName::ContentType).map(str::to_owned);
                self.events.push_back(Event::Info {
                    call: h,
                    content_type,
                    body: req.body.clone(),
                });
            }
            Method::Refer => {
                let refer_to = req
                    .first(HeaderName::ReferTo)
                    .and_then(|v| super::header::NameAddr::parse(v).ok())
                    .map(|n| n.uri.to_owned());
                match refer_to {
                    Some(refer_to) => {
                        ok(self, 202, "Accepted");
                        self.events.push_back(Event::Refer { call: h, refer_to });
                    }
                    None => ok(self, 400, "Bad Refer-To"),
                }
            }
            Method::Notify => {
                ok(self, 200, "OK");
                // RFC 3515 §2.4.5: the body is a message/sipfrag status line.
                let code = parse::parse(&req.body)
                    .ok()
                    .and_then(|m| m.status())
                    .or_else(|| {
                        std::str::from_utf8(&req.body)
                            .ok()?
                            .split(' ')
                            .nth(1)?
                            .get(..3)?
                            .parse()
                            .ok()
                    });
                let reason = std::str::from_utf8(&req.body)
                    .ok()
                    .and_then(|body| body.lines().next())
                    .and_then(|line| line.splitn(3, ' ').nth(2))
                    .unwrap_or_default()
                    .trim()
                    .to_string();
                if let Some(code) = code {
                    self.events.push_back(Event::TransferProgress {
                        call: h,
                        code,
                        reason,
                    });
                }
            }
            Method::Options => ok(self, 200, "OK"),
            _ => {
                let id = RequestHandle(self.next_handle());
                self.requests.insert(id, (key, Some(h)));
                self.events.push_back(Event::Request {
                    id,
                    call: Some(h),
                    request: req,
                });
            }
        }
    }

    fn on_response(&mut self, now: Instant, resp: Response) {
        let Some((branch, method)) = TxKey::for_response(&resp) else {
            return;
        };
        let invite = method == "INVITE";
        if let Some(c) = self.client_mut(branch, method) {
            c.handle_response(now, resp);
            return;
        }
        if invite && (200..300).contains(&resp.code) {
            self.stray_2xx(now, resp);
        }
    }

    /// A 2xx after the INVITE transaction ended: a retransmission (ACK again)
    /// or another fork's answer (ACK and BYE it, RFC 3261 §13.2.2.4).
    fn stray_2xx(&mut self, now: Instant, resp: Response) {
        let call_id = resp.call_id().unwrap_or("");
        let to_tag = resp.hdr_to().and_then(|t| t.tag()).unwrap_or("").to_owned();
        let found = self
            .calls
            .iter()
            .find(|(_, c)| {
                c.dialog
                    .as_ref()
                    .is_some_and(|d| d.id.call_id == call_id && d.is_uac)
            })
            .map(|(h, _)| *h);
        let Some(h) = found else { return };
        let Some(c) = self.calls.get(&h) else { return };
        let same = c.dialog.as_ref().is_some_and(|d| d.id.remote_tag == to_tag);
        let remote = c.remote.clone();
        if same {
            if let Some(ack) = c.last_ack.clone() {
                self.send_raw(remote, ack);
            }
            return;
        }
        let Some(inv) = c.invite.clone() else { return };
        if let Some(mut fork) = Dialog::from_uac(&inv, &resp) {
            let seq = inv.cseq().map(|c| c.seq).unwrap_or(1);
            let (_, via) = self.via(remote.transport);
            let ack = fork.ack(seq, &via);
            self.send_raw(remote.clone(), ack.to_bytes());
            let (_, via) = self.via(remote.transport);
            let contact = self.config.contact.clone();
            let bye = fork.request(Method::Bye, &via, &contact);
            self.start_client(now, bye, remote, Purpose::Request(RequestHandle(0)));
        }
    }

    fn call_timers(&mut self, now: Instant, h: CallHandle) {
        let reliable;
        let mut retransmit = None;
        let mut give_up = false;
        let mut retry = None;
        {
            let Some(c) = self.calls.get_mut(&h) else {
                return;
            };
            reliable = c.remote.transport.reliable();
            if let Some(p) = c.pending_2xx.as_mut() {
                if now >= p.give_up {
                    give_up = true;
                } else if now >= p.next {
                    // RFC 3261 §13.3.1.4: T1, doubling up to T2; none on reliable transports.
                    if !reliable {
                        retransmit = Some((c.remote.clone(), p.bytes.clone()));
                    }
                    p.interval = (p.interval * 2).min(self.config.timers.t2);
                    p.next = now + p.interval;
                }
            }
            if c.glare_retry.as_ref().is_some_and(|g| now >= g.0) {
                retry = c.glare_retry.take();
            }
        }
        if let Some((to, bytes)) = retransmit {
            self.send_raw(to, bytes);
        }
        if give_up {
            // No ACK within 64*T1: confirm then tear down with BYE.
            if let Some(c) = self.calls.get_mut(&h) {
                c.pending_2xx = None;
            }
            self.bye(now, h);
        }
        if let Some((_, method, sdp)) = retry {
            self.modify(now, h, method, sdp);
        }
    }

    /// Drains the transactions touched since the last flush into the endpoint
    /// queues (in creation order, clients first, as a pass over all of them
    /// would: the others have nothing queued), reacts to their events, then
    /// re-indexes what was touched and drops the terminated transactions.
    fn flush(&mut self, now: Instant) {
        loop {
            let mut events = Vec::new();
            let ids = self.clients.take_dirty();
            for &id in &ids {
                let Some(c) = self.clients.draining(id) else {
                    continue;
                };
                while let Some(bytes) = c.poll_transmit() {
                    self.transmits.push_back(Transmit {
                        to: c.remote.clone(),
                        bytes,
                    });
                }
                while let Some(e) = c.poll_event() {
                    // What the event handler needs of it, before anything else runs.
                    let req = c.request().clone();
                    events.push((c.purpose, req, c.auth_tries, c.remote.clone(), e));
                }
            }
            self.clients.recycle(ids);
            let ids = self.servers.take_dirty();
            for &id in &ids {
                let Some(s) = self.servers.draining(id) else {
                    continue;
                };
                while let Some(bytes) = s.poll_transmit() {
                    self.transmits.push_back(Transmit {
                        to: s.remote.clone(),
                        bytes,
                    });
                }
                while let Some(_e) = s.poll_event() {}
            }
            self.servers.recycle(ids);
            if events.is_empty() {
                break;
            }
            for (purpose, req, tries, remote, e) in events {
                self.on_client_event(now, purpose, req, tries, remote, e);
            }
        }
        let client_ids = &mut self.client_ids;
        self.clients.settle(|id, c| {
            let key = (c.branch.clone(), c.method.as_str().to_owned());
            if let Some(ids) = client_ids.get_mut(&key) {
                ids.retain(|x| *x != id);
                if ids.is_empty() {
                    client_ids.remove(&key);
                }
            }
        });
        let server_ids = &mut self.server_ids;
        self.servers.settle(|_, s| {
            server_ids.remove(&s.key);
        });
        self.calls.settle();
    }

    fn on_client_event(
        &mut self,
        now: Instant,
        purpose: Purpose,
        req: Request,
        tries: u8,
        remote: Remote<A>,
        e: TxEvent,
    ) {
        let resp = match e {
            TxEvent::Response(r) => r,
            TxEvent::Timeout | TxEvent::NoAck => {
                // RFC 3261 §8.1.3.1: a timeout is a 408.
                let mut r = response_to(&req, 408, "Request Timeout");
                r.headers.remove(HeaderName::ContentLength);
                r
            }
        };
        let code = resp.code;
        if (code == 401 || code == 407) && tries < 2 && purpose != Purpose::Cancel {
            if let Some(again) = self.authorized(&req, &resp) {
                if let Purpose::Call(h) = purpose {
                    if let Some(c) = self.calls.get_mut(&h) {
                        c.invite = Some(again.clone());
                    }
                }
                self.start_client_tries(now, again, remote, purpose, tries + 1);
                return;
            }
        }
        match purpose {
            Purpose::Call(h) => self.on_invite_response(now, h, &req, resp),
            Purpose::Cancel => {}
            Purpose::Bye(h) => {
                if code >= 200 {
                    self.calls.remove(&h);
                    self.events.push_back(Event::Terminated {
                        call: h,
                        by_peer: false,
                    });
                }
            }
            Purpose::Modify(h) => {
                if code < 200 {
                    return;
                }
                let owns = self.calls.get(&h).is_some_and(|c| c.owns_call_id);
                let backoff = self.glare_backoff(owns);
                let transport = remote.transport;
                let (_, via) = self.via(transport);
                let Some(c) = self.calls.get_mut(&h) else {
                    return;
                };
                c.modifying = false;
                if (200..300).contains(&code) {
                    if let Some(d) = c.dialog.as_mut() {
                        d.refresh_target(&resp);
                        if req.method == Method::Invite {
                            let seq = req.cseq().map(|c| c.seq).unwrap_or(0);
                            let ack = d.ack(seq, &via).to_bytes();
                            c.last_ack = Some(ack.clone());
                            self.transmits.push_back(Transmit {
                                to: remote,
                                bytes: ack,
                            });
                        }
                    }
                } else if code == 491 {
                    // RFC 3261 §14.1: retry after a random back-off.
                    c.glare_retry = Some((now + backoff, req.method.clone(), body_opt(&req.body)));
                    return;
                }
                self.events.push_back(Event::Modified {
                    call: h,
                    code,
                    sdp: body_opt(&resp.body),
                });
            }
            Purpose::Register => {
                if code < 200 {
                    return;
                }
                if (200..300).contains(&code) {
                    let contact = self.config.contact.clone();
                    let expires = resp
                        .contacts()
                        .find(|c| c.uri == contact)
                        .and_then(|c| c.params.get("expires"))
                        .and_then(|e| e.parse().ok())
                        .or_else(|| resp.expires())
                        .unwrap_or(self.register_expires);
                    self.events.push_back(Event::Registered { expires });
                } else {
                    self.events.push_back(Event::RegistrationFailed { code });
                }
            }
            Purpose::Request(id) => {
                if code >= 200 && id != RequestHandle(0) {
                    self.events
                        .push_back(Event::Response { id, response: resp });
                }
            }
        }
    }

    /// RFC 3261 §14.1: 2.1–4 s if we own the Call-ID, else 0–2 s, in 10 ms units.
    fn glare_backoff(&mut self, owns: bool) -> Duration {
        let r = self.next_u64();
        if owns {
            Duration::from_millis(2100 + (r % 191) * 10)
        } else {
            Duration::from_millis((r % 201) * 10)
        }
    }

    fn on_invite_response(&mut self, now: Instant, h: CallHandle, req: &Request, resp: Response) {
        let code = resp.code;
        let transport = match self.calls.get(&h) {
            Some(c) => c.remote.transport,
            None => return,
        };
        match code {
            100 => {
                if let Some(c) = self.calls.get_mut(&h) {
                    c.got_provisional = true;
                }
                self.maybe_cancel(now, h);
            }
            101..=199 => {
                let Some(c) = self.calls.get_mut(&h) else {
                    return;
                };
                c.got_provisional = true;
                // RFC 3261 §13.2.2.1: each To tag is an early dialog (forking).
                if let Some(d) = Dialog::from_uac(req, &resp) {
                    match c
                        .early
                        .iter_mut()
                        .find(|e| e.id.remote_tag == d.id.remote_tag)
                    {
                        Some(e) => e.refresh_target(&resp),
                        None => c.early.push(d),
                    }
                }
                self.events.push_back(Event::Progress {
                    call: h,
                    code,
                    sdp: body_opt(&resp.body),
                });
                self.maybe_cancel(now, h);
            }
            200..=299 => {
                let (_, via) = self.via(transport);
                let Some(c) = self.calls.get_mut(&h) else {
                    return;
                };
                let Some(mut d) = Dialog::from_uac(req, &resp) else {
                    return;
                };
                d.state = DialogState::Confirmed;
                let seq = req.cseq().map(|c| c.seq).unwrap_or(1);
                // RFC 3261 §13.2.2.4: the UA core ACKs the 2xx.
                let ack = d.ack(seq, &via).to_bytes();
                c.last_ack = Some(ack.clone());
                c.dialog = Some(d);
                c.early.clear();
                let remote = c.remote.clone();
                let cancelled = c.cancel_requested;
                self.transmits.push_back(Transmit {
                    to: remote,
                    bytes: ack,
                });
                self.events.push_back(Event::Answered {
                    call: h,
                    sdp: body_opt(&resp.body),
                });
                if cancelled {
                    // The 2xx crossed our CANCEL: end the call (RFC 3261 §9.1).
                    self.bye(now, h);
                }
            }
            _ => {
                self.calls.remove(&h);
                // RFC 3326: a Reason header may list several (`SIP;…, callcard;…`).
                let refusal = resp
                    .elements(HeaderName::Reason)
                    .find_map(crate::refusal::RefusalCode::from_reason_header);
                self.events.push_back(Event::Failed {
                    call: h,
                    code,
                    reason: resp.reason.clone(),
                    refusal,
                });
            }
        }
    }

    fn maybe_cancel(&mut self, now: Instant, h: CallHandle) {
        let send = self.calls.get_mut(&h).is_some_and(|c| {
            let send =
                c.cancel_requested && c.got_provisional && !c.cancel_sent && c.dialog.is_none();
            c.cancel_sent |= send;
            send
        });
        if send {
            self.send_cancel(now, h);
        }
    }

    /// The early dialogs of an outgoing call (one per fork that answered 1xx with a tag).
    pub fn early_dialogs(&self, call: CallHandle) -> Vec<Dialog> {
        self.calls
            .get(&call)
            .map(|c| c.early.clone())
            .unwrap_or_default()
    }

    /// The established dialog of a call.
    pub fn dialog(&self, call: CallHandle) -> Option<&Dialog> {
        self.calls.get(&call).and_then(|c| c.dialog.as_ref())
    }

    /// A pending glare retry for a call, if any (RFC 3261 §14.1).
    pub fn glare_retry_at(&self, call: CallHandle) -> Option<Instant> {
        self.calls
            .get(&call)
            .and_then(|c| c.glare_retry.as_ref().map(|g| g.0))
    }
}
