//! Application-level checks on messages the parser accepted: the answers RFC
//! 3261 §8.2 (UAS) and §16.3 (proxy) require, as exercised by RFC 4475 §3.3.

use super::header::{AuthParams, HeaderName};
use super::message::{HeaderMap, Method};
use super::parse::{Head, Message};
use super::uri::{Scheme, Uri};

/// What the local element is and supports.
#[derive(Debug, Clone)]
pub struct Policy<'p> {
    /// Option tags we implement (RFC 3261 §8.2.2.3, §20.32).
    pub supported: &'p [&'p str],
    /// Body types we understand (RFC 3261 §8.2.3).
    pub accepted_types: &'p [&'p str],
    /// Whether we act as a proxy (Max-Forwards and Proxy-Require apply, §16.3).
    pub proxy: bool,
}

impl Default for Policy<'static> {
    fn default() -> Self {
        Policy {
            supported: &["replaces", "norefersub", "timer"],
            accepted_types: &[
                "application/sdp",
                "message/sipfrag",
                "application/dtmf-relay",
                "text/plain",
            ],
            proxy: false,
        }
    }
}

/// The outcome of a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Go on processing.
    Accept,
    /// Answer with this status; `unsupported` lists option tags for the 420's
    /// Unsupported header, `detail` says what is wrong (for the reason phrase / logs).
    Reject {
        code: u16,
        reason: &'static str,
        detail: String,
        unsupported: Vec<String>,
    },
    /// Silently discard (responses, RFC 3261 §8.1.3.3, §18.1.2).
    Drop,
}

fn reject(code: u16, reason: &'static str, detail: impl Into<String>) -> Verdict {
    Verdict::Reject {
        code,
        reason,
        detail: detail.into(),
        unsupported: Vec::new(),
    }
}

/// Checks a request the way a UAS (or proxy, per `policy.proxy`) must before
/// processing it. The order follows RFC 3261 §8.2: 400s, then 416, 483, 420,
/// then 401/415/406.
pub fn check_request(msg: &Message<'_>, policy: &Policy<'_>) -> Verdict {
    let Head::Request { method, uri } = msg.head else {
        return reject(400, "Bad Request", "not a request");
    };
    // RFC 3261 §8.1.1: To, From, CSeq, Call-ID and Via are mandatory
    // (Max-Forwards too, but RFC 2543 peers omit it, RFC 4475 §3.4.1).
    for kind in [
        HeaderName::To,
        HeaderName::From,
        HeaderName::CSeq,
        HeaderName::CallId,
        HeaderName::Via,
    ] {
        if msg.first(kind).is_none() {
            return reject(
                400,
                "Missing Required Header",
                format!("missing {}", kind.as_str()),
            );
        }
    }
    // Single-valued headers (RFC 3261 §7.3.1; RFC 4475 §3.3.8, §3.3.9).
    for kind in [
        HeaderName::To,
        HeaderName::From,
        HeaderName::CSeq,
        HeaderName::CallId,
        HeaderName::MaxForwards,
        HeaderName::ContentLength,
        HeaderName::ContentType,
    ] {
        if msg.values(kind).count() > 1 {
            return reject(
                400,
                "Bad Request",
                format!("multiple {} values", kind.as_str()),
            );
        }
    }
    // §8.2.2.1: an unknown Request-URI scheme is answered 416.
    match Uri::parse(uri) {
        Ok(u) if matches!(u.scheme, Scheme::Sip | Scheme::Sips | Scheme::Tel) => {}
        _ => return reject(416, "Unsupported URI Scheme", uri.to_owned()),
    }
    // §16.3 step 3: a proxy answers 483 to Max-Forwards 0 (except OPTIONS it
    // may answer itself); a UAS processes the request normally.
    if policy.proxy && msg.max_forwards() == Some(0) && method != "OPTIONS" {
        return reject(483, "Too Many Hops", "Max-Forwards is 0");
    }
    // §8.2.2.3 (UAS: Require) and §16.3 step 5 (proxy: Proxy-Require).
    let required = if policy.proxy {
        HeaderName::ProxyRequire
    } else {
        HeaderName::Require
    };
    let unsupported: Vec<String> = msg
        .elements(required)
        .filter(|t| !t.is_empty() && !policy.supported.iter().any(|s| s.eq_ignore_ascii_case(t)))
        .map(str::to_owned)
        .collect();
    if !unsupported.is_empty() && method != "CANCEL" && method != "ACK" {
        return Verdict::Reject {
            code: 420,
            reason: "Bad Extension",
            detail: unsupported.join(", "),
            unsupported,
        };
    }
    // RFC 3261 §22.1 / §22.4: only Digest is understood; a registrar challenges.
    for kind in [HeaderName::Authorization, HeaderName::ProxyAuthorization] {
        for v in msg.values(kind) {
            match AuthParams::parse(v) {
                Ok(a) if a.scheme.eq_ignore_ascii_case("Digest") => {}
                _ => {
                    return reject(
                        if kind == HeaderName::Authorization {
                            401
                        } else {
                            407
                        },
                        "Unauthorized",
                        "unknown authorization scheme",
                    )
                }
            }
        }
    }
    // §8.2.3: a body we cannot read is answered 415.
    if !msg.body.is_empty() {
        if let Some(ct) = msg.content_type() {
            let ok = policy
                .accepted_types
                .iter()
                .any(|t| t.split_once('/').is_some_and(|(k, s)| ct.is(k, s)))
                || ct.kind.eq_ignore_ascii_case("multipart");
            if !ok {
                return reject(
                    415,
                    "Unsupported Media Type",
                    format!("{}/{}", ct.kind, ct.subtype),
                );
            }
        }
    }
    // §12.1.1: an INVITE creates a dialog, whose remote target is its Contact
    // (or, from an RFC 2543 peer without one, its From: RFC 4475 §3.4.1).
    if Method::from_token(method) == Method::Invite && super::dialog::remote_target(msg).is_none() {
        return reject(400, "Bad Contact", "the INVITE's Contact has no usable URI");
    }
    // RFC 3261 §21.4.7 / RFC 4475 §3.3.15: the answer to an INVITE offer is SDP;
    // if Accept excludes it we cannot answer.
    if Method::from_token(method) == Method::Invite && msg.first(HeaderName::Accept).is_some() {
        let sdp_ok = msg.elements(HeaderName::Accept).any(|a| {
            let mt = a.split(';').next().unwrap_or("").trim();
            mt.eq_ignore_ascii_case("application/sdp")
                || mt == "*/*"
                || mt.eq_ignore_ascii_case("application/*")
        });
        if !sdp_ok {
            return reject(406, "Not Acceptable", "Accept excludes application/sdp");
        }
    }
    Verdict::Accept
}

/// Checks a received response: a UAC drops responses with more than one Via
/// (RFC 3261 §8.1.3.3); a proxy drops one whose next hop is a broadcast
/// address (RFC 4475 §3.3.10); responses lacking mandatory headers are dropped.
pub fn check_response(msg: &Message<'_>, policy: &Policy<'_>) -> Verdict {
    if msg.is_request() {
        return Verdict::Drop;
    }
    for kind in [
        HeaderName::To,
        HeaderName::From,
        HeaderName::CSeq,
        HeaderName::CallId,
        HeaderName::Via,
    ] {
        if msg.first(kind).is_none() {
            return Verdict::Drop;
        }
    }
    let vias: Vec<_> = msg.vias().take(3).collect();
    if !policy.proxy {
        return if vias.len() == 1 {
            Verdict::Accept
        } else {
            Verdict::Drop
        };
    }
    match vias.get(1) {
        Some(next) => {
            let host = next.received().unwrap_or(next.host);
            if host == "255.255.255.255" || host.starts_with("224.") || host.ends_with(".255") {
                Verdict::Drop
            } else {
                Verdict::Accept
            }
        }
        None => Verdict::Accept,
    }
}
