//! RFC 3261 §17 transactions: INVITE and non-INVITE, client and server, each a
//! sans-IO state machine driven by `handle_*(now, …)` and drained with
//! `poll_transmit`, `poll_event`, `poll_timeout`.
//!
//! A transaction knows only whether its transport is reliable (no
//! retransmissions then, RFC 3261 §17.1.1.2, §17.1.2.2, §17.2.1); addresses
//! and sockets belong to the owner (the UA core).

mod client_invite;
mod client_non_invite;
mod server_invite;
mod server_non_invite;
pub mod timers;

pub use client_invite::ClientInvite;
pub use client_non_invite::ClientNonInvite;
pub use server_invite::ServerInvite;
pub use server_non_invite::ServerNonInvite;
pub use timers::{Timer, TimerConfig, Timers};

use super::header::{HeaderName, BRANCH_MAGIC};
use super::message::{HeaderMap, Method, Request, Response};

/// The states of RFC 3261 Figures 5–8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Calling,
    Trying,
    Proceeding,
    Completed,
    Confirmed,
    Terminated,
}

/// What a transaction reports to its user (the TU).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxEvent {
    /// A response for a client transaction (retransmissions are absorbed).
    Response(Response),
    /// Timer B or F fired (client): treat as 408 (RFC 3261 §8.1.3.1).
    Timeout,
    /// Timer H fired (server INVITE): no ACK arrived (RFC 3261 §17.2.1).
    NoAck,
}

/// How requests are matched to server transactions (RFC 3261 §17.2.3).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TxKey {
    /// `branch` with the magic cookie, the top Via sent-by and the method
    /// (ACK counts as INVITE).
    Branch {
        branch: String,
        sent_by: String,
        method: String,
    },
    /// RFC 2543 fallback: Request-URI, From tag, Call-ID, CSeq number, top Via, method.
    Rfc2543 {
        uri: String,
        from_tag: String,
        call_id: String,
        cseq: u32,
        via: String,
        method: String,
    },
}

impl TxKey {
    /// The server-transaction key of a request; `None` if it lacks a Via or CSeq.
    pub fn for_request(req: &Request) -> Option<TxKey> {
        let via = req.top_via()?;
        let method = match req.method {
            Method::Ack => "INVITE".to_owned(),
            ref m => m.as_str().to_owned(),
        };
        match via.branch() {
            Some(b) if b.starts_with(BRANCH_MAGIC) => Some(TxKey::Branch {
                branch: b.to_owned(),
                sent_by: format!(
                    "{}:{}",
                    via.host.to_ascii_lowercase(),
                    via.port.unwrap_or(0)
                ),
                method,
            }),
            _ => Some(TxKey::Rfc2543 {
                uri: req.uri.clone(),
                from_tag: req
                    .hdr_from()
                    .and_then(|f| f.tag())
                    .unwrap_or("")
                    .to_owned(),
                call_id: req.call_id().unwrap_or("").to_owned(),
                cseq: req.cseq()?.seq,
                via: req.first(HeaderName::Via).unwrap_or("").to_owned(),
                method,
            }),
        }
    }

    /// The key of the INVITE a CANCEL refers to (RFC 3261 §9.2).
    pub fn cancelled_invite(&self) -> TxKey {
        let mut k = self.clone();
        match &mut k {
            TxKey::Branch { method, .. } | TxKey::Rfc2543 { method, .. } => {
                *method = "INVITE".to_owned()
            }
        }
        k
    }

    /// The client-transaction key of a response: branch and CSeq method (§17.1.3).
    pub fn for_response(resp: &Response) -> Option<(String, String)> {
        let via = resp.top_via()?;
        Some((via.branch()?.to_owned(), resp.cseq()?.method.to_owned()))
    }
}

/// A response to `req` copying the headers RFC 3261 §8.2.6.2 requires
/// (Via, From, To, Call-ID, CSeq); the caller adds a To tag where needed.
pub fn response_to(req: &Request, code: u16, reason: &str) -> Response {
    let mut r = Response::new(code, reason);
    for h in &req.headers.0 {
        if matches!(
            h.kind,
            HeaderName::Via
                | HeaderName::From
                | HeaderName::To
                | HeaderName::CallId
                | HeaderName::CSeq
        ) || (h.kind == HeaderName::RecordRoute && (101..300).contains(&code))
        {
            r.headers.0.push(h.clone());
        }
    }
    r.headers.push(HeaderName::ContentLength, "0");
    r
}

/// Adds `;tag=` to the To header of a response if it has none (§8.2.6.2).
pub fn add_to_tag(resp: &mut Response, tag: &str) {
    if let Some(h) = resp.headers.0.iter_mut().find(|h| h.kind == HeaderName::To) {
        let has = super::header::NameAddr::parse(&h.value)
            .ok()
            .and_then(|n| n.tag())
            .is_some();
        if !has {
            h.value.push_str(";tag=");
            h.value.push_str(tag);
        }
    }
}

/// The ACK for a non-2xx final response, built inside the client INVITE
/// transaction (RFC 3261 §17.1.1.3).
pub fn ack_for_non_2xx(invite: &Request, resp: &Response) -> Request {
    let mut ack = Request::new(Method::Ack, invite.uri.clone());
    if let Some(v) = invite.first(HeaderName::Via) {
        let top = super::scan::CommaSplit::new(v).next().unwrap_or(v);
        ack.headers.push(HeaderName::Via, top);
    }
    for h in &invite.headers.0 {
        if matches!(
            h.kind,
            HeaderName::From | HeaderName::CallId | HeaderName::Route
        ) {
            ack.headers.0.push(h.clone());
        }
    }
    if let Some(to) = resp.first(HeaderName::To) {
        ack.headers.push(HeaderName::To, to);
    }
    let seq = invite.cseq().map(|c| c.seq).unwrap_or(0);
    ack.headers.push(HeaderName::CSeq, format!("{seq} ACK"));
    ack.headers.push(HeaderName::MaxForwards, "70");
    ack.headers.push(HeaderName::ContentLength, "0");
    ack
}
