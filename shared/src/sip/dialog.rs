//! Dialog state (RFC 3261 §12): identifiers, CSeq spaces, route set from
//! Record-Route, remote target, and in-dialog request construction.

use super::header::{HeaderName, NameAddr};
use super::message::{HeaderMap, Method, Request, Response};

/// Early or confirmed (RFC 3261 §12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogState {
    Early,
    Confirmed,
    Terminated,
}

/// The dialog ID: Call-ID, local tag and remote tag (§12).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DialogId {
    pub call_id: String,
    pub local_tag: String,
    pub remote_tag: String,
}

/// One dialog, from either side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dialog {
    pub id: DialogId,
    pub state: DialogState,
    /// Our From (UAC) / To (UAS) header value including our tag.
    pub local: String,
    /// The peer's header value including its tag.
    pub remote: String,
    pub local_seq: u32,
    pub remote_seq: Option<u32>,
    /// The peer's Contact URI (§12.1.1, §12.2: updated by target refreshes).
    pub remote_target: String,
    /// Route set, in the order to put into Route headers.
    pub route_set: Vec<String>,
    /// Whether we sent the dialog-creating INVITE.
    pub is_uac: bool,
}

fn first_contact_uri<M: HeaderMap>(m: &M) -> Option<String> {
    m.contacts().next().map(|c| c.uri.to_owned())
}

/// Where in-dialog requests to the sender of a dialog-creating request go
/// (RFC 3261 §12.1.1): its Contact URI; a peer in RFC 2543 syntax may send no
/// Contact (RFC 4475 §3.4.1, which compatible elements accept), and then the
/// From URI is its address. None when a Contact is present but unusable, or
/// neither gives a URI: the request is answered 400. The validator
/// (`validate::check_request`) and [`Dialog::from_uas`] both decide by this.
pub fn remote_target<M: HeaderMap>(m: &M) -> Option<String> {
    if m.first(HeaderName::Contact).is_some() {
        return first_contact_uri(m);
    }
    m.hdr_from().map(|f| f.uri.to_owned())
}

impl Dialog {
    /// UAC side, from a 1xx (with To tag) or 2xx to our INVITE (§12.1.2): the
    /// route set is the Record-Route list in reverse.
    pub fn from_uac(invite: &Request, resp: &Response) -> Option<Dialog> {
        let to = resp.hdr_to()?;
        let remote_tag = to.tag()?.to_owned();
        let from = invite.hdr_from()?;
        let mut route_set: Vec<String> = resp
            .record_routes()
            .map(|r| format!("<{}>{}", r.uri, r.params.0))
            .collect();
        route_set.reverse();
        Some(Dialog {
            id: DialogId {
                call_id: invite.call_id()?.to_owned(),
                local_tag: from.tag()?.to_owned(),
                remote_tag,
            },
            state: if resp.code < 200 {
                DialogState::Early
            } else {
                DialogState::Confirmed
            },
            local: invite.first(HeaderName::From)?.to_owned(),
            remote: resp.first(HeaderName::To)?.to_owned(),
            local_seq: invite.cseq()?.seq,
            remote_seq: None,
            remote_target: first_contact_uri(resp).unwrap_or_else(|| invite.uri.clone()),
            route_set,
            is_uac: true,
        })
    }

    /// UAS side, from the INVITE and the tag we chose (§12.1.1): the route
    /// set is the Record-Route list in order.
    pub fn from_uas(invite: &Request, local_tag: &str) -> Option<Dialog> {
        let from = invite.hdr_from()?;
        let to = invite.first(HeaderName::To)?;
        Some(Dialog {
            id: DialogId {
                call_id: invite.call_id()?.to_owned(),
                local_tag: local_tag.to_owned(),
                remote_tag: from.tag().unwrap_or("").to_owned(),
            },
            state: DialogState::Early,
            local: format!("{to};tag={local_tag}"),
            remote: invite.first(HeaderName::From)?.to_owned(),
            local_seq: 0,
            remote_seq: Some(invite.cseq()?.seq),
            remote_target: remote_target(invite)?,
            route_set: invite
                .record_routes()
                .map(|r| format!("<{}>{}", r.uri, r.params.0))
                .collect(),
            is_uac: false,
        })
    }

    /// Whether an incoming in-dialog request belongs here (§12.2.2).
    pub fn matches_request(&self, req: &Request) -> bool {
        req.call_id() == Some(self.id.call_id.as_str())
            && req.hdr_to().and_then(|t| t.tag()) == Some(self.id.local_tag.as_str())
            && req.hdr_from().and_then(|f| f.tag()).unwrap_or("") == self.id.remote_tag
    }

    /// §12.2.2: a lower CSeq than the last one is out of order (answer 500).
    pub fn accept_remote_cseq(&mut self, seq: u32) -> bool {
        match self.remote_seq {
            Some(last) if seq <= last => false,
            _ => {
                self.remote_seq = Some(seq);
                true
            }
        }
    }

    /// Target refresh (§12.2.1.2 / §12.2.2): a new Contact replaces the remote target.
    pub fn refresh_target<M: HeaderMap>(&mut self, m: &M) {
        if let Some(c) = first_contact_uri(m) {
            self.remote_target = c;
        }
    }

    /// Builds an in-dialog request (§12.2.1.1): Request-URI = remote target,
    /// Route = route set (loose routing, RFC 3261 §16.12.1.1), next local CSeq.
    pub fn request(&mut self, method: Method, via: &str, contact: &str) -> Request {
        let seq = if method == Method::Ack || method == Method::Cancel {
            self.local_seq
        } else {
            self.local_seq += 1;
            self.local_seq
        };
        self.request_with_seq(method, via, contact, seq)
    }

    /// The ACK for a 2xx (§13.2.2.4): same CSeq number as the INVITE, new branch.
    pub fn ack(&self, invite_seq: u32, via: &str) -> Request {
        self.request_with_seq(Method::Ack, via, "", invite_seq)
    }

    fn request_with_seq(&self, method: Method, via: &str, contact: &str, seq: u32) -> Request {
        // Strict routing (§12.2.1.1): if the first route lacks `lr`, it
        // becomes the Request-URI and the remote target goes last.
        let strict = self
            .route_set
            .first()
            .and_then(|r| NameAddr::parse(r).ok())
            .and_then(|n| n.uri().ok())
            .is_some_and(|u| u.param("lr").is_none());
        let (uri, routes): (String, Vec<String>) = if strict {
            let first = NameAddr::parse(&self.route_set[0])
                .map(|n| n.uri.to_owned())
                .unwrap_or_default();
            let mut rest: Vec<String> = self.route_set[1..].to_vec();
            rest.push(format!("<{}>", self.remote_target));
            (first, rest)
        } else {
            (self.remote_target.clone(), self.route_set.clone())
        };
        let mut r = Request::new(method.clone(), uri);
        r.headers.push(HeaderName::Via, via);
        r.headers.push(HeaderName::MaxForwards, "70");
        for route in routes {
            r.headers.push(HeaderName::Route, route);
        }
        r.headers.push(HeaderName::From, self.local.clone());
        r.headers.push(HeaderName::To, self.remote.clone());
        r.headers.push(HeaderName::CallId, self.id.call_id.clone());
        r.headers.push(HeaderName::CSeq, format!("{seq} {method}"));
        if !contact.is_empty() && method != Method::Ack {
            r.headers.push(HeaderName::Contact, format!("<{contact}>"));
        }
        r.headers.push(HeaderName::ContentLength, "0");
        r
    }
}
