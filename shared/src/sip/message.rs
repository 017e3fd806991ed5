//! Owned SIP messages: a builder and the serializer (RFC 3261 §7), plus the
//! [`HeaderMap`] trait giving typed header access on borrowed and owned forms.

use super::header::{parse_number, CSeq, HeaderName, MediaType, NameAddr, Via};
use super::parse::{Head, Message};
use super::scan::CommaSplit;
use std::borrow::Cow;
use std::fmt;

/// A SIP method (RFC 3261 §7.1 and extensions). Methods are case-sensitive.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Method {
    Invite,
    Ack,
    Bye,
    Cancel,
    Register,
    Options,
    Info,
    Update,
    Refer,
    Notify,
    Subscribe,
    Message,
    Prack,
    Publish,
    Other(Box<str>),
}

impl Method {
    pub fn from_token(s: &str) -> Method {
        match s {
            "INVITE" => Method::Invite,
            "ACK" => Method::Ack,
            "BYE" => Method::Bye,
            "CANCEL" => Method::Cancel,
            "REGISTER" => Method::Register,
            "OPTIONS" => Method::Options,
            "INFO" => Method::Info,
            "UPDATE" => Method::Update,
            "REFER" => Method::Refer,
            "NOTIFY" => Method::Notify,
            "SUBSCRIBE" => Method::Subscribe,
            "MESSAGE" => Method::Message,
            "PRACK" => Method::Prack,
            "PUBLISH" => Method::Publish,
            other => Method::Other(other.into()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Method::Invite => "INVITE",
            Method::Ack => "ACK",
            Method::Bye => "BYE",
            Method::Cancel => "CANCEL",
            Method::Register => "REGISTER",
            Method::Options => "OPTIONS",
            Method::Info => "INFO",
            Method::Update => "UPDATE",
            Method::Refer => "REFER",
            Method::Notify => "NOTIFY",
            Method::Subscribe => "SUBSCRIBE",
            Method::Message => "MESSAGE",
            Method::Prack => "PRACK",
            Method::Publish => "PUBLISH",
            Method::Other(s) => s,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Typed access to headers, shared by [`Message`], [`Request`] and [`Response`].
/// Values that fail to parse read as absent; the parser has already rejected
/// malformed values of the headers listed here.
pub trait HeaderMap {
    /// The `i`-th header as `(kind, name as written, value)`.
    fn header_at(&self, i: usize) -> Option<(HeaderName, &str, &str)>;

    /// All values of one header kind, in order (not comma-split).
    fn values(&self, kind: HeaderName) -> impl Iterator<Item = &str> {
        (0..)
            .map_while(move |i| self.header_at(i))
            .filter(move |(k, _, _)| *k == kind)
            .map(|(_, _, v)| v)
    }

    /// The first value of a header kind.
    fn first(&self, kind: HeaderName) -> Option<&str> {
        self.values(kind).next()
    }

    /// The first value of a header by name (for extension headers).
    fn named(&self, name: &str) -> Option<&str> {
        (0..)
            .map_while(|i| self.header_at(i))
            .find(|(_, n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, _, v)| v)
    }

    /// Comma-split elements of every value of a header kind (RFC 3261 §7.3.1).
    fn elements(&self, kind: HeaderName) -> impl Iterator<Item = &str> {
        self.values(kind).flat_map(CommaSplit::new)
    }

    /// Every via-parm, topmost first.
    fn vias(&self) -> impl Iterator<Item = Via<'_>> {
        self.elements(HeaderName::Via)
            .filter_map(|v| Via::parse(v).ok())
    }
    fn top_via(&self) -> Option<Via<'_>> {
        self.vias().next()
    }
    fn hdr_from(&self) -> Option<NameAddr<'_>> {
        self.first(HeaderName::From)
            .and_then(|v| NameAddr::parse(v).ok())
    }
    fn hdr_to(&self) -> Option<NameAddr<'_>> {
        self.first(HeaderName::To)
            .and_then(|v| NameAddr::parse(v).ok())
    }
    fn call_id(&self) -> Option<&str> {
        self.first(HeaderName::CallId)
    }
    fn cseq(&self) -> Option<CSeq<'_>> {
        self.first(HeaderName::CSeq)
            .and_then(|v| CSeq::parse(v).ok())
    }
    fn contacts(&self) -> impl Iterator<Item = NameAddr<'_>> {
        self.elements(HeaderName::Contact)
            .filter_map(|v| NameAddr::parse(v).ok())
    }
    fn record_routes(&self) -> impl Iterator<Item = NameAddr<'_>> {
        self.elements(HeaderName::RecordRoute)
            .filter_map(|v| NameAddr::parse(v).ok())
    }
    fn routes(&self) -> impl Iterator<Item = NameAddr<'_>> {
        self.elements(HeaderName::Route)
            .filter_map(|v| NameAddr::parse(v).ok())
    }
    fn max_forwards(&self) -> Option<u32> {
        self.first(HeaderName::MaxForwards)
            .and_then(|v| parse_number(v).ok())
    }
    fn expires(&self) -> Option<u32> {
        self.first(HeaderName::Expires)
            .and_then(|v| parse_number(v).ok())
    }
    fn content_type(&self) -> Option<MediaType<'_>> {
        self.first(HeaderName::ContentType)
            .and_then(|v| MediaType::parse(v).ok())
    }
}

impl HeaderMap for Message<'_> {
    fn header_at(&self, i: usize) -> Option<(HeaderName, &str, &str)> {
        self.headers.get(i).map(|h| (h.kind, h.name, h.value))
    }
}

/// One owned header field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedHeader {
    pub kind: HeaderName,
    pub name: Cow<'static, str>,
    pub value: String,
}

/// An ordered list of owned header fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers(pub Vec<OwnedHeader>);

impl Headers {
    /// Appends a header by kind (canonical name).
    pub fn push(&mut self, kind: HeaderName, value: impl Into<String>) {
        self.0.push(OwnedHeader {
            kind,
            name: Cow::Borrowed(kind.as_str()),
            value: value.into(),
        });
    }
    /// Appends a header by name (classified, so `l` and `Content-Length` match).
    pub fn push_named(&mut self, name: &str, value: impl Into<String>) {
        self.0.push(OwnedHeader {
            kind: HeaderName::from_name(name),
            name: Cow::Owned(name.to_owned()),
            value: value.into(),
        });
    }
    /// Replaces every header of `kind` by one value (appended if absent).
    pub fn set(&mut self, kind: HeaderName, value: impl Into<String>) {
        let value = value.into();
        match self.0.iter().position(|h| h.kind == kind) {
            Some(i) => {
                self.0[i].value = value;
                let mut n = 0;
                self.0.retain(|h| {
                    let keep = h.kind != kind || n == 0;
                    if h.kind == kind {
                        n += 1;
                    }
                    keep
                });
            }
            None => self.push(kind, value),
        }
    }
    pub fn remove(&mut self, kind: HeaderName) {
        self.0.retain(|h| h.kind != kind);
    }
    /// Inserts before the first header (a new top Via, RFC 3261 §16.6 / §18.1.1).
    pub fn push_front(&mut self, kind: HeaderName, value: impl Into<String>) {
        self.0.insert(
            0,
            OwnedHeader {
                kind,
                name: Cow::Borrowed(kind.as_str()),
                value: value.into(),
            },
        );
    }
    fn write(&self, out: &mut Vec<u8>) {
        for h in &self.0 {
            out.extend_from_slice(h.name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(h.value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
    }
}

/// An owned request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: Method,
    pub uri: String,
    pub headers: Headers,
    pub body: Vec<u8>,
}

/// An owned response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub code: u16,
    pub reason: String,
    pub headers: Headers,
    pub body: Vec<u8>,
}

/// An owned request or response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SipMessage {
    Request(Request),
    Response(Response),
}

impl HeaderMap for Headers {
    fn header_at(&self, i: usize) -> Option<(HeaderName, &str, &str)> {
        self.0.get(i).map(|h| (h.kind, &*h.name, h.value.as_str()))
    }
}
impl HeaderMap for Request {
    fn header_at(&self, i: usize) -> Option<(HeaderName, &str, &str)> {
        self.headers.header_at(i)
    }
}
impl HeaderMap for Response {
    fn header_at(&self, i: usize) -> Option<(HeaderName, &str, &str)> {
        self.headers.header_at(i)
    }
}
impl HeaderMap for SipMessage {
    fn header_at(&self, i: usize) -> Option<(HeaderName, &str, &str)> {
        match self {
            SipMessage::Request(r) => r.headers.header_at(i),
            SipMessage::Response(r) => r.headers.header_at(i),
        }
    }
}

impl Request {
    pub fn new(method: Method, uri: impl Into<String>) -> Request {
        Request {
            method,
            uri: uri.into(),
            headers: Headers::default(),
            body: Vec::new(),
        }
    }
    /// Sets the body with its Content-Type and Content-Length.
    pub fn set_body(&mut self, content_type: &str, body: Vec<u8>) {
        self.headers.set(HeaderName::ContentType, content_type);
        self.headers
            .set(HeaderName::ContentLength, body.len().to_string());
        self.body = body;
    }
    /// `Request-Line`, headers, CRLF, body.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.method.as_str().as_bytes());
        out.push(b' ');
        out.extend_from_slice(self.uri.as_bytes());
        out.extend_from_slice(b" SIP/2.0\r\n");
        self.headers.write(out);
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&self.body);
    }
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(512 + self.body.len());
        self.encode(&mut v);
        v
    }
}

impl Response {
    pub fn new(code: u16, reason: impl Into<String>) -> Response {
        Response {
            code,
            reason: reason.into(),
            headers: Headers::default(),
            body: Vec::new(),
        }
    }
    pub fn set_body(&mut self, content_type: &str, body: Vec<u8>) {
        self.headers.set(HeaderName::ContentType, content_type);
        self.headers
            .set(HeaderName::ContentLength, body.len().to_string());
        self.body = body;
    }
    /// `Status-Line`, headers, CRLF, body.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"SIP/2.0 ");
        push_code(out, self.code);
        out.push(b' ');
        out.extend_from_slice(self.reason.as_bytes());
        out.extend_from_slice(b"\r\n");
        self.headers.write(out);
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&self.body);
    }
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(512 + self.body.len());
        self.encode(&mut v);
        v
    }
}

impl SipMessage {
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            SipMessage::Request(r) => r.encode(out),
            SipMessage::Response(r) => r.encode(out),
        }
    }
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            SipMessage::Request(r) => r.to_bytes(),
            SipMessage::Response(r) => r.to_bytes(),
        }
    }
}

impl Message<'_> {
    /// Copies the borrowed message into an owned one (the explicit allocation step).
    pub fn to_owned(&self) -> SipMessage {
        let headers = Headers(
            self.headers
                .iter()
                .map(|h| OwnedHeader {
                    kind: h.kind,
                    name: Cow::Owned(h.name.to_owned()),
                    value: h.value.to_owned(),
                })
                .collect(),
        );
        match self.head {
            Head::Request { method, uri } => SipMessage::Request(Request {
                method: Method::from_token(method),
                uri: uri.to_owned(),
                headers,
                body: self.body.to_vec(),
            }),
            Head::Response { code, reason } => SipMessage::Response(Response {
                code,
                reason: reason.to_owned(),
                headers,
                body: self.body.to_vec(),
            }),
        }
    }

    /// Serializes the borrowed form directly (no owned copy).
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self.head {
            Head::Request { method, uri } => {
                out.extend_from_slice(method.as_bytes());
                out.push(b' ');
                out.extend_from_slice(uri.as_bytes());
                out.extend_from_slice(b" SIP/2.0\r\n");
            }
            Head::Response { code, reason } => {
                out.extend_from_slice(b"SIP/2.0 ");
                push_code(out, code);
                out.push(b' ');
                out.extend_from_slice(reason.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
        }
        for h in &self.headers {
            out.extend_from_slice(h.name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(h.value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(self.body);
    }
}

/// Writes a status code without allocating (codes are 100..=699 once parsed).
fn push_code(out: &mut Vec<u8>, code: u16) {
    if (100..1000).contains(&code) {
        out.extend_from_slice(&[
            b'0' + (code / 100) as u8,
            b'0' + (code / 10 % 10) as u8,
            b'0' + (code % 10) as u8,
        ]);
    } else {
        out.extend_from_slice(code.to_string().as_bytes());
    }
}
