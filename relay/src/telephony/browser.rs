//! One browser's SIP-over-WebSocket connection: its endpoint, the telephony
//! account of the signed-in user, and the registrar that binds the account to
//! this connection after digest authentication (RFC 3261 §10.3, §22).

use callcard_shared::sip::auth::{DigestServer, Verification};
use callcard_shared::sip::header::HeaderName;
use callcard_shared::sip::message::{HeaderMap, Request};
use callcard_shared::sip::transaction::TimerConfig;
use callcard_shared::sip::ua::{
    Config as UaConfig, Endpoint, Remote, RequestHandle, TransportKind,
};
use callcard_shared::Instant;

use super::ws::WsSender;
use crate::crm::sip_users::SipAccount;

/// Registrations asked for longer than this are shortened to it.
const MAX_EXPIRES: u32 = 3600;
/// Wrong passwords on one connection before it is closed.
pub const MAX_BAD_CREDENTIALS: u32 = 5;

pub struct BrowserConn {
    pub user_id: i64,
    pub login: String,
    pub tx: WsSender,
    pub ep: Endpoint<u64>,
    /// The user's telephony account, if an admin created one.
    pub account: Option<SipAccount>,
    /// Registered (digest-authenticated) until this instant.
    pub registered_until: Option<Instant>,
    pub bad_credentials: u32,
}

impl BrowserConn {
    pub fn new(
        conn: u64,
        user_id: i64,
        login: String,
        tx: WsSender,
        account: Option<SipAccount>,
    ) -> BrowserConn {
        let user = account
            .as_ref()
            .map(|a| a.sip_login.clone())
            .unwrap_or_else(|| login.clone());
        let ua = UaConfig {
            aor: format!("sip:{user}@callcard.invalid"),
            display_name: None,
            contact: "sip:relay@callcard.invalid;transport=ws".into(),
            via_host: "callcard.invalid".into(),
            outbound: Remote {
                addr: conn,
                transport: TransportKind::Ws,
            },
            // RFC 7118: WebSocket is reliable; no retransmissions, Timer T1 as usual.
            timers: TimerConfig::default(),
            credentials: None,
            user_agent: concat!("Callcard/", env!("CARGO_PKG_VERSION")).into(),
            limits: Default::default(),
        };
        BrowserConn {
            user_id,
            login,
            tx,
            ep: Endpoint::new(ua, rand::random()),
            account,
            registered_until: None,
            bad_credentials: 0,
        }
    }

    pub fn is_registered(&self, now: Instant) -> bool {
        self.registered_until.is_some_and(|until| until > now)
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
    conn: &mut BrowserConn,
    digest: &mut DigestServer,
    now: Instant,
    id: RequestHandle,
    request: &Request,
) -> RegisterOutcome {
    let Some(account) = conn.account.clone() else {
        respond(conn, now, id, 403, "No telephony user for this login", None);
        return RegisterOutcome::NoAccount;
    };
    let authorization = request.first(HeaderName::Authorization);
    let verdict = digest.verify(now, "REGISTER", authorization, |user| {
        // Only the account of the signed-in user may register on this socket.
        (user == account.sip_login).then(|| account.sip_password.clone())
    });
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
                respond(conn, now, id, 200, "OK", None);
                return RegisterOutcome::Unbound;
            }
            conn.registered_until = Some(now + std::time::Duration::from_secs(expires.into()));
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

fn respond(
    conn: &mut BrowserConn,
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
    conn: &mut BrowserConn,
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
