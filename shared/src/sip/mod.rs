//! A sans-IO SIP stack (RFC 3261 and friends): bytes and the current instant in,
//! bytes, events and the next deadline out.
//!
//! No sockets, clocks, threads or global randomness live here: the browser
//! (WebSocket) and the relay (UDP/TCP/WS) own the IO and drive the same engine.
//!
//! | module | what |
//! | --- | --- |
//! | [`parse`] | zero-copy [`Message`] parser, datagram ([`parse()`]) and stream ([`parse_stream`]) framing, [`Limits`] |
//! | [`message`] | owned [`Request`]/[`Response`] builder and serializer, typed access via [`HeaderMap`] |
//! | [`header`], [`uri`] | header names incl. compact forms; Via, name-addr, CSeq, media types; sip/sips/tel URIs |
//! | [`validate`] | the application-level answers (400/401/406/415/416/420/483) of RFC 3261 §8.2 / RFC 4475 §3.3 |
//! | [`transaction`] | the four RFC 3261 §17 state machines with timers A–K |
//! | [`dialog`], [`ua`] | dialogs (RFC 3261 §12) and the [`ua::Endpoint`] owning transactions, calls and dialogs |
//! | [`auth`] | Digest client and server, MD5 and SHA-256 (RFC 8760) |
//! | [`sdp`] | SDP (RFC 8866) and offer/answer (RFC 3264) |
//! | [`sim`] | a two-endpoint in-memory network with a simulated clock, for tests |
//!
//! # The driver loop
//!
//! Inputs are `handle_input(now, from, bytes)`, `handle_timeout(now)` and user
//! actions (`invite`, `accept`, `bye` …); after each, drain `poll_transmit()`
//! and `poll_event()` until `None`, then sleep until `poll_timeout()`.
//!
//! ```
//! use callcard_shared::sip::transaction::TimerConfig;
//! use callcard_shared::sip::ua::{Config, Endpoint, Event, Remote, TransportKind};
//! use callcard_shared::Instant;
//! use std::net::SocketAddr;
//!
//! let trunk = Remote { addr: "198.51.100.40:5060".parse::<SocketAddr>().unwrap(), transport: TransportKind::Udp };
//! let config = Config {
//!     aor: "sip:agent@callcard.example".into(),
//!     display_name: Some("Agent".into()),
//!     contact: "sip:agent@203.0.113.5:5060".into(),
//!     via_host: "203.0.113.5:5060".into(),
//!     outbound: trunk.clone(),
//!     timers: TimerConfig::default(),
//!     credentials: Some(("agent".into(), "secret".into())),
//!     user_agent: "callcard".into(),
//!     limits: Default::default(),
//! };
//! // Randomness (branches, tags, Call-IDs, cnonces) comes from the caller's seed.
//! let mut ep = Endpoint::new(config, 0x5eed);
//! let now = Instant::now(); // the driver's clock; the engine never reads one
//! let _call = ep.invite(now, "sip:+14155550123@trunk.example.net", None);
//! while let Some(t) = ep.poll_transmit() {
//!     // socket.send_to(&t.bytes, t.to.addr)
//!     assert_eq!(t.to, trunk);
//! }
//! // On a datagram: ep.handle_input(now, Remote { addr: src, transport }, &bytes)
//! while let Some(event) = ep.poll_event() {
//!     if let Event::Answered { .. } = event { /* start media */ }
//! }
//! // Sleep until the deadline, then fire the timers.
//! let deadline = ep.poll_timeout().expect("Timers A and B are armed");
//! ep.handle_timeout(deadline);
//! assert!(ep.poll_transmit().is_some(), "Timer A retransmitted the INVITE over UDP");
//! ```
//!
//! Over TCP/TLS, frame the byte stream with [`parse_stream`] and pass each
//! complete message to `handle_input`; over UDP and WebSocket each datagram
//! or frame is one message.

pub mod auth;
pub mod dialog;
pub mod header;
pub mod message;
pub mod parse;
mod scan;
pub mod sdp;
pub mod sim;
pub mod transaction;
pub mod ua;
pub mod uri;
pub mod validate;

pub use header::HeaderName;
pub use message::{HeaderMap, Headers, Method, Request, Response, SipMessage};
pub use parse::{
    parse, parse_stream, parse_with, Error, ErrorKind, Head, Header, Limits, Message, Status,
};
pub use scan::{unquote, CommaSplit};
pub use uri::{Scheme, Uri};
