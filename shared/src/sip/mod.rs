//! A sans-IO SIP stack (RFC 3261 and friends): bytes and the current instant in,
//! bytes, events and the next deadline out.

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
