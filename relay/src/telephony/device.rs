//! One device of a telephony user — a browser over SIP-over-WebSocket, or a
//! desk or soft phone over UDP or TCP — with its endpoint, the user's
//! telephony account and the registrar that binds the account to this
//! connection after digest authentication (RFC 3261 §10.3, §22) — or, for
//! the browser app, which never holds a SIP password, after its web session
//! (checked at the WebSocket upgrade) for its own account.

use std::net::SocketAddr;

use callcard_shared::sip::auth::{DigestServer, Verification};
use callcard_shared::sip::header::{HeaderName, NameAddr};
use callcard_shared::sip::message::{HeaderMap, Request};
use callcard_shared::sip::transaction::TimerConfig;
use callcard_shared::sip::ua::{
    Config as UaConfig, Endpoint, Remote, RequestHandle, TransportKind,
};
use callcard_shared::sip::uri::Uri;
use callcard_shared::Instant;

use super::ws::WsSender;
use crate::crm::sip_users::SipAccount;

/// Registrations asked for longer than this are shortened to it.
const MAX_EXPIRES: u32 = 3600;
/// Wrong passwords on one connection before it is closed.
pub const MAX_BAD_CREDENTIALS: u32 = 5;

/// Where a device's SIP goes.
pub enum DeviceTx {
    /// A browser: one SIP message per WebSocket frame, user fixed by the web session.
    Ws(WsSender),
    /// A desk phone over TCP: the connection's writer task.
    Tcp(WsSender),
    /// A desk phone over UDP at this address (the runner sends from the
    /// relay's SIP socket).
    Udp(SocketAddr),
}

impl DeviceTx {
    /// Sends one SIP message into the connection's queue; a UDP phone's
    /// datagram is handed back, for the runner to send (it never waits: a
    /// full socket buffer drops it, and the transaction layer retransmits).
    #[must_use]
    pub fn send(&self, bytes: Vec<u8>) -> Option<(SocketAddr, Vec<u8>)> {
        match self {
            DeviceTx::Ws(tx) | DeviceTx::Tcp(tx) => {
                let _ = tx.send(bytes);
                None
            }
            DeviceTx::Udp(to) => Some((*to, bytes)),
        }
    }

    fn transport(&self) -> TransportKind {
        match self {
            DeviceTx::Ws(_) => TransportKind::Ws,
            DeviceTx::Tcp(_) => TransportKind::Tcp,
            DeviceTx::Udp(..) => TransportKind::Udp,
        }
    }

    /// A browser's user is fixed by its web session; a desk phone's by the
    /// account its REGISTER authenticates as.
    pub fn is_browser(&self) -> bool {
        matches!(self, DeviceTx::Ws(_))
    }
}

pub struct DeviceConn {
    /// The user (for a desk phone: 0 until a REGISTER names its account).
    pub user_id: i64,
    /// Who, for logs: the web login or the SIP login.
    pub login: String,
    pub tx: DeviceTx,
    /// Where the connection comes from (throttling of bad credentials).
    pub peer: std::net::IpAddr,
    pub ep: Endpoint<u64>,
    /// The user's telephony account, if an admin created one.
    pub account: Option<SipAccount>,
    /// Registered (digest-authenticated) until this instant.
    pub registered_until: Option<Instant>,
    /// The Contact the device registered (where INVITEs for it are addressed).
    pub contact: Option<String>,
    /// The device registered with `+sip.ice` (RFC 5768): it does ICE, so it
    /// is a WebRTC browser whose calls the relay's media bridge anchors.
    pub webrtc: bool,
    pub bad_credentials: u32,
    /// When this connection last received something (idle UDP devices are dropped).
    pub last_seen: Instant,
}

impl DeviceConn {
    /// `local` is the relay's address as the device reaches it (for Via and
    /// Contact of requests to desk phones).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        conn: u64,
        user_id: i64,
        login: String,
        tx: DeviceTx,
        peer: std::net::IpAddr,
        local: Option<SocketAddr>,
        account: Option<SipAccount>,
        now: Instant,
    ) -> DeviceConn {
        let user = account
            .as_ref()
            .map(|a| a.sip_login.clone())
            .unwrap_or_else(|| login.clone());
        let transport = tx.transport();
        let (contact, via_host) = match (transport, local) {
            (TransportKind::Ws, _) | (_, None) => (
                "sip:relay@callcard.invalid;transport=ws".to_string(),
                "callcard.invalid".to_string(),
            ),
            (TransportKind::Tcp, Some(local)) => (
                format!("sip:relay@{local};transport=tcp"),
                local.to_string(),
            ),
            (_, Some(local)) => (format!("sip:relay@{local}"), local.to_string()),
        };
        let ua = UaConfig {
            aor: format!("sip:{user}@callcard.invalid"),
            display_name: None,
            contact,
            via_host,
            outbound: Remote {
                addr: conn,
                transport,
            },
            // WebSocket and TCP are reliable (no retransmissions); UDP retransmits per RFC 3261.
            timers: TimerConfig::default(),
            credentials: None,
            user_agent: concat!("Callcard/", env!("CARGO_PKG_VERSION")).into(),
            limits: Default::default(),
        };
        DeviceConn {
            user_id,
            login,
            tx,
            peer,
            ep: Endpoint::new(ua, rand::random()),
            account,
            registered_until: None,
            contact: None,
            webrtc: false,
            bad_credentials: 0,
            last_seen: now,
        }
    }

    pub fn is_registered(&self, now: Instant) -> bool {
        self.registered_until.is_some_and(|until| until > now)
    }

    /// The Request-URI of an INVITE to this device.
    pub fn target(&self) -> String {
        if let Some(contact) = self.contact.as_ref().filter(|_| !self.tx.is_browser()) {
            return contact.clone();
        }
        let login = self
            .account
            .as_ref()
            .map(|a| a.sip_login.as_str())
            .unwrap_or_default();
        format!("sip:{login}@callcard.invalid;transport=ws")
    }
}

/// What the registrar did with a REGISTER.
#[derive(Debug, PartialEq, Eq)]
pub enum RegisterOutcome {
    Bound {
        expires: u32,
    },
    Unbound,
    Challenged,
    /// Wrong credentials, or a login that is not this user's.
    Refused,
    NoAccount,
}

/// Answers one REGISTER on `conn`.
pub fn register(
    conn: &mut DeviceConn,
    digest: &mut DigestServer,
    now: Instant,
    id: RequestHandle,
    request: &Request,
) -> RegisterOutcome {
    let authorization = request.first(HeaderName::Authorization);
    let verdict = match conn.account.clone() {
        None if conn.tx.is_browser() => {
            respond(conn, now, id, 403, "No telephony user for this login", None);
            return RegisterOutcome::NoAccount;
        }
        // A desk phone naming no known account: challenged like any other,
        // and refused like a wrong password (nobody learns which logins exist).
        None => digest.verify(now, "REGISTER", authorization, |_| None),
        Some(account) if conn.tx.is_browser() && !account.browser_calls => {
            respond(
                conn,
                now,
                id,
                403,
                "This user takes calls on a desk phone, not in the browser",
                None,
            );
            return RegisterOutcome::NoAccount;
        }
        // The browser app has no SIP password: its web session (checked at
        // the WebSocket upgrade) is the credential. A digest, when it sends
        // one anyway, must still be right.
        Some(account) if conn.tx.is_browser() && authorization.is_none() => {
            if registers_as(request).as_deref() == Some(account.sip_login.as_str()) {
                Verification::Ok(account.sip_login)
            } else {
                Verification::Forbidden
            }
        }
        Some(account) => digest.verify(now, "REGISTER", authorization, |user| {
            // Only the account of the signed-in user may register on a browser socket.
            (user == account.sip_login).then(|| account.sip_password.clone())
        }),
    };
    match verdict {
        Verification::Ok(_) => {
            conn.bad_credentials = 0;
            let asked = request
                .contacts()
                .find_map(|c| c.params.get("expires").and_then(|e| e.parse::<u32>().ok()))
                .or_else(|| request.expires())
                .unwrap_or(600);
            let expires = asked.min(MAX_EXPIRES);
            let contact_uri = request.contacts().next().map(|c| c.uri.to_string());
            if expires == 0 {
                conn.registered_until = None;
                conn.contact = None;
                respond(conn, now, id, 200, "OK", None);
                return RegisterOutcome::Unbound;
            }
            conn.registered_until = Some(now + std::time::Duration::from_secs(expires.into()));
            conn.contact = contact_uri.clone();
            conn.webrtc = conn.tx.is_browser()
                && request
                    .contacts()
                    .next()
                    .is_some_and(|c| c.params.get("+sip.ice").is_some());
            let mut headers = vec![(HeaderName::Expires, expires.to_string())];
            if let Some(uri) = contact_uri {
                headers.push((HeaderName::Contact, format!("<{uri}>;expires={expires}")));
            }
            respond_with(conn, now, id, 200, "OK", headers);
            RegisterOutcome::Bound { expires }
        }
        Verification::Challenge | Verification::Stale => {
            let stale = verdict == Verification::Stale;
            let challenge = digest.challenge(now, rand::random(), stale);
            respond(conn, now, id, 401, "Unauthorized", Some(challenge));
            RegisterOutcome::Challenged
        }
        Verification::Forbidden => {
            conn.bad_credentials += 1;
            respond(conn, now, id, 403, "Wrong credentials", None);
            RegisterOutcome::Refused
        }
    }
}

/// The user part of a REGISTER's To (the address being registered).
fn registers_as(request: &Request) -> Option<String> {
    let to = NameAddr::parse(request.first(HeaderName::To)?).ok()?;
    Some(Uri::parse(to.uri).ok()?.user?.to_string())
}

fn respond(
    conn: &mut DeviceConn,
    now: Instant,
    id: RequestHandle,
    code: u16,
    reason: &str,
    challenge: Option<String>,
) {
    let headers = challenge
        .map(|c| vec![(HeaderName::WwwAuthenticate, c)])
        .unwrap_or_default();
    respond_with(conn, now, id, code, reason, headers);
}

pub fn respond_with(
    conn: &mut DeviceConn,
    now: Instant,
    id: RequestHandle,
    code: u16,
    reason: &str,
    headers: Vec<(HeaderName, String)>,
) {
    if let Some(mut response) = conn.ep.response_for(id, code, reason) {
        for (name, value) in headers {
            response.headers.push(name, value);
        }
        conn.ep.respond(now, id, response);
    }
}
