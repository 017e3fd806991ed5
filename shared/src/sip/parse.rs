//! The zero-copy SIP message parser (RFC 3261 §7, §25), in the style of httparse:
//! a [`Message`] borrows from the input, limits are errors, never allocations,
//! and stream framing reports [`Status::Partial`] instead of failing.
//!
//! Datagram transports (UDP, WebSocket) deliver whole messages: use [`parse`].
//! Stream transports (TCP, TLS) need Content-Length framing: use [`parse_stream`].

use super::header::{
    check_call_id, check_date, check_warning, parse_number, parse_u32, CSeq, HeaderError,
    HeaderName, MediaType, NameAddr, Via,
};
use super::message::Method;
use super::scan::{is_token, CommaSplit};
use super::uri::{Scheme, Uri, UriError};
use std::fmt;

/// Limits applied while parsing; exceeding one is an [`Error`], never an allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Start line + headers + body.
    pub max_message_size: usize,
    pub max_headers: usize,
    /// One physical line, CRLF excluded.
    pub max_line_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_size: 64 * 1024,
            max_headers: 128,
            max_line_len: 8 * 1024,
        }
    }
}

/// The result of stream framing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status<T> {
    /// A whole message; the `usize` is how many input bytes it used.
    Complete(T),
    /// More bytes are needed.
    Partial,
}

/// What is wrong with a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The start line and headers are not UTF-8.
    Utf8,
    /// The start line does not have three SP-separated elements.
    StartLine,
    Method,
    RequestUri(UriError),
    /// Headers are not allowed in a Request-URI (RFC 3261 §19.1.1).
    RequestUriHeaders,
    Version,
    StatusCode,
    HeaderName,
    /// A header line without a colon, or a fold before any header.
    HeaderLine,
    /// A CR that is not part of CRLF.
    BareCr,
    Header(HeaderName, HeaderError),
    /// The CSeq method differs from the request method (RFC 4475 §3.1.2.17).
    CSeqMethodMismatch,
    TooManyHeaders,
    LineTooLong,
    TooLarge,
    /// Content-Length malformed, or several different values on a stream.
    ContentLength,
    /// Stream transports require Content-Length (RFC 3261 §18.3).
    MissingContentLength,
    /// Content-Length is larger than the bytes received (RFC 4475 §3.1.2.2).
    BodyTruncated,
    /// A datagram ended inside the header section.
    Incomplete,
}

/// A parse error: what is wrong and the byte offset where it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub offset: usize,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.offset;
        match self.kind {
            ErrorKind::Utf8 => write!(f, "invalid UTF-8 in the header section at byte {at}"),
            ErrorKind::StartLine => write!(f, "malformed start line at byte {at}"),
            ErrorKind::Method => write!(f, "invalid method token at byte {at}"),
            ErrorKind::RequestUri(e) => write!(f, "invalid Request-URI ({e}) at byte {at}"),
            ErrorKind::RequestUriHeaders => write!(f, "headers in the Request-URI at byte {at}"),
            ErrorKind::Version => write!(f, "unsupported SIP version at byte {at}"),
            ErrorKind::StatusCode => write!(f, "invalid status code at byte {at}"),
            ErrorKind::HeaderName => write!(f, "invalid header name at byte {at}"),
            ErrorKind::HeaderLine => write!(f, "malformed header line at byte {at}"),
            ErrorKind::BareCr => write!(f, "bare CR at byte {at}"),
            ErrorKind::Header(name, e) => {
                let n = if name == HeaderName::Other {
                    "header"
                } else {
                    name.as_str()
                };
                write!(f, "{n}: {e} at byte {at}")
            }
            ErrorKind::CSeqMethodMismatch => write!(
                f,
                "CSeq method differs from the request method at byte {at}"
            ),
            ErrorKind::TooManyHeaders => write!(f, "too many headers at byte {at}"),
            ErrorKind::LineTooLong => write!(f, "line too long at byte {at}"),
            ErrorKind::TooLarge => write!(f, "message too large at byte {at}"),
            ErrorKind::ContentLength => write!(f, "invalid Content-Length at byte {at}"),
            ErrorKind::MissingContentLength => {
                write!(f, "missing Content-Length on a stream at byte {at}")
            }
            ErrorKind::BodyTruncated => write!(f, "body shorter than Content-Length at byte {at}"),
            ErrorKind::Incomplete => {
                write!(f, "message ends inside the header section at byte {at}")
            }
        }
    }
}

impl std::error::Error for Error {}

fn err<T>(kind: ErrorKind, offset: usize) -> Result<T, Error> {
    Err(Error { kind, offset })
}

/// The first line of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Head<'a> {
    /// `Request-Line = Method SP Request-URI SP SIP-Version CRLF`
    Request { method: &'a str, uri: &'a str },
    /// `Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF`
    Response { code: u16, reason: &'a str },
}

/// One header field as it appeared; `value` is trimmed and may contain folds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header<'a> {
    pub name: &'a str,
    pub kind: HeaderName,
    pub value: &'a str,
}

/// A parsed message borrowing from the input buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message<'a> {
    pub head: Head<'a>,
    pub headers: Vec<Header<'a>>,
    pub body: &'a [u8],
}

impl<'a> Message<'a> {
    pub fn is_request(&self) -> bool {
        matches!(self.head, Head::Request { .. })
    }
    pub fn method(&self) -> Option<Method> {
        match self.head {
            Head::Request { method, .. } => Some(Method::from_token(method)),
            Head::Response { .. } => None,
        }
    }
    pub fn request_uri(&self) -> Option<&'a str> {
        match self.head {
            Head::Request { uri, .. } => Some(uri),
            Head::Response { .. } => None,
        }
    }
    pub fn status(&self) -> Option<u16> {
        match self.head {
            Head::Response { code, .. } => Some(code),
            Head::Request { .. } => None,
        }
    }
}

/// Parses one whole message from a datagram (UDP, WebSocket) with default limits.
/// Octets after the Content-Length body are ignored (RFC 3261 §18.3, RFC 4475 §3.1.1.8).
pub fn parse(buf: &[u8]) -> Result<Message<'_>, Error> {
    parse_with(buf, &Limits::default())
}

/// [`parse`] with explicit limits.
pub fn parse_with<'a>(buf: &'a [u8], limits: &Limits) -> Result<Message<'a>, Error> {
    match parse_inner(buf, limits, false)? {
        Status::Complete((m, _)) => Ok(m),
        Status::Partial => err(ErrorKind::Incomplete, buf.len()),
    }
}

/// Frames one message from a stream (TCP, TLS): `Complete((message, used))`
/// or `Partial`. Leading CRLFs (keep-alives, RFC 5626 §3.5.1) are skipped and
/// counted in `used`.
pub fn parse_stream<'a>(
    buf: &'a [u8],
    limits: &Limits,
) -> Result<Status<(Message<'a>, usize)>, Error> {
    parse_inner(buf, limits, true)
}

fn parse_inner<'a>(
    buf: &'a [u8],
    limits: &Limits,
    stream: bool,
) -> Result<Status<(Message<'a>, usize)>, Error> {
    // RFC 3261 §7.5: ignore CRLFs before the start line.
    let mut start = 0;
    while matches!(buf.get(start), Some(b'\r' | b'\n')) {
        start += 1;
    }
    // One scan over the lines (RFC 3261 §7.3.1 folding), recording byte
    // ranges; then one UTF-8 check of the whole header section.
    let Some(sl_nl) = memchr::memchr(b'\n', &buf[start..]).map(|i| start + i) else {
        return incomplete(buf, start, start, limits);
    };
    if sl_nl - start > limits.max_line_len + 1 {
        return err(ErrorKind::LineTooLong, start);
    }
    let sl_end = sl_nl - usize::from(sl_nl > start && buf[sl_nl - 1] == b'\r');
    // The start line first, so its errors win over later ones.
    if let Some(cr) = memchr::memchr(b'\r', &buf[start..sl_end]) {
        return err(ErrorKind::BareCr, start + cr);
    }
    let first = std::str::from_utf8(&buf[start..sl_end]).map_err(|e| Error {
        kind: ErrorKind::Utf8,
        offset: start + e.valid_up_to(),
    })?;
    let head = parse_start_line(first, start)?;
    let hs = sl_nl + 1;
    // (name start, name end, value start, value end), absolute offsets.
    let mut ranges: Vec<(usize, usize, usize, usize)> = Vec::with_capacity(24);
    let mut pos = sl_nl + 1;
    // One stateful SIMD search for all line ends (pulled lazily, so the body
    // is never scanned).
    let mut newlines = memchr::memchr_iter(b'\n', &buf[pos..]);
    let head_end = loop {
        let Some(nl) = newlines.next().map(|i| sl_nl + 1 + i) else {
            return incomplete(buf, start, pos, limits);
        };
        let line_end = nl - usize::from(nl > pos && buf[nl - 1] == b'\r');
        if line_end - pos > limits.max_line_len {
            return err(ErrorKind::LineTooLong, pos);
        }
        if nl + 1 - start > limits.max_message_size {
            return err(ErrorKind::TooLarge, pos);
        }
        if line_end == pos {
            break nl + 1;
        }
        let line = &buf[pos..line_end];
        if matches!(line[0], b' ' | b'\t') {
            // Continuation: extend the value over the fold.
            match ranges.last_mut() {
                Some(r) => r.3 = line_end,
                None => return err(ErrorKind::HeaderLine, pos),
            }
        } else {
            // header = field-name HCOLON field-value; HCOLON = *( SP / HTAB ) ":" SWS
            let name_len = line
                .iter()
                .position(|&c| !is_token(c))
                .unwrap_or(line.len());
            if name_len == 0 {
                return err(ErrorKind::HeaderName, pos);
            }
            let mut i = name_len;
            while matches!(line.get(i), Some(b' ' | b'\t')) {
                i += 1;
            }
            if line.get(i) != Some(&b':') {
                return err(ErrorKind::HeaderLine, pos + i);
            }
            if ranges.len() == limits.max_headers {
                return err(ErrorKind::TooManyHeaders, pos);
            }
            ranges.push((pos, pos + name_len, pos + i + 1, line_end));
        }
        pos = nl + 1;
    };
    // A CR must be part of CRLF (RFC 3261 §7.5).
    for cr in memchr::memchr_iter(b'\r', &buf[hs..head_end]) {
        if buf.get(hs + cr + 1) != Some(&b'\n') {
            return err(ErrorKind::BareCr, hs + cr);
        }
    }
    let text = match std::str::from_utf8(&buf[hs..head_end]) {
        Ok(t) => t,
        Err(e) => return err(ErrorKind::Utf8, hs + e.valid_up_to()),
    };
    let slice = |a: usize, b: usize| text.get(a - hs..b - hs).unwrap_or("");
    let headers: Vec<Header<'a>> = ranges
        .iter()
        .map(|&(ns, ne, vs, ve)| {
            let name = slice(ns, ne);
            Header {
                name,
                kind: HeaderName::from_name(name),
                value: trim_lws(slice(vs, ve)),
            }
        })
        .collect();
    validate_headers(&head, &headers, text, hs)?;

    // Body framing (RFC 3261 §18.3, §20.14).
    let mut cl: Option<u32> = None;
    let mut conflicting = false;
    for h in headers
        .iter()
        .filter(|h| h.kind == HeaderName::ContentLength)
    {
        let v = parse_number(h.value).map_err(|_| Error {
            kind: ErrorKind::ContentLength,
            offset: offset_of(text, h.value, hs),
        })?;
        match cl {
            Some(prev) if prev != v => conflicting = true,
            _ => cl = Some(v),
        }
    }
    let rest = &buf[head_end..];
    if stream {
        let n = match cl {
            Some(_) if conflicting => return err(ErrorKind::ContentLength, head_end),
            Some(n) => n as usize,
            None => return err(ErrorKind::MissingContentLength, head_end),
        };
        if head_end - start + n > limits.max_message_size {
            return err(ErrorKind::TooLarge, head_end);
        }
        if rest.len() < n {
            return Ok(Status::Partial);
        }
        let msg = Message {
            head,
            headers,
            body: &rest[..n],
        };
        return Ok(Status::Complete((msg, head_end + n)));
    }
    let body = match cl {
        // Differing values (RFC 4475 §3.3.9): keep the datagram's bytes; the
        // application answers 400 (see `validate`).
        Some(_) if conflicting => rest,
        Some(n) => match rest.get(..n as usize) {
            Some(b) => b,
            None => return err(ErrorKind::BodyTruncated, head_end),
        },
        None => rest,
    };
    if head_end - start + body.len() > limits.max_message_size {
        return err(ErrorKind::TooLarge, head_end);
    }
    let used = head_end + body.len();
    Ok(Status::Complete((
        Message {
            head,
            headers,
            body,
        },
        used,
    )))
}

/// Byte offset of `part` (a sub-slice of `text`) in the original buffer.
fn offset_of(text: &str, part: &str, base: usize) -> usize {
    base + (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize)
}

/// Trims SP, HTAB and folds (CR, LF) from both ends.
#[inline]
fn trim_lws(s: &str) -> &str {
    let b = s.as_bytes();
    let is_ws = |c: u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n');
    let start = b.iter().position(|&c| !is_ws(c)).unwrap_or(b.len());
    let end = b.iter().rposition(|&c| !is_ws(c)).map_or(start, |i| i + 1);
    s.get(start..end).unwrap_or("")
}

/// No blank line yet: `Partial`, unless a limit is already exceeded.
fn incomplete<T>(
    buf: &[u8],
    start: usize,
    line_start: usize,
    limits: &Limits,
) -> Result<Status<T>, Error> {
    if buf.len() - line_start > limits.max_line_len {
        return err(ErrorKind::LineTooLong, line_start);
    }
    if buf.len() - start > limits.max_message_size {
        return err(ErrorKind::TooLarge, buf.len());
    }
    Ok(Status::Partial)
}

fn parse_start_line(line: &str, off: usize) -> Result<Head<'_>, Error> {
    let is_version = |v: &str| v.eq_ignore_ascii_case("SIP/2.0");
    if line
        .as_bytes()
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"SIP/"))
    {
        // Status-Line; the reason phrase may be empty (RFC 4475 §3.1.1.13).
        let (version, rest) = line.split_once(' ').ok_or(Error {
            kind: ErrorKind::StartLine,
            offset: off,
        })?;
        if !is_version(version) {
            return err(ErrorKind::Version, off);
        }
        let (code, reason) = rest.split_once(' ').unwrap_or((rest, ""));
        let code_off = off + version.len() + 1;
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return err(ErrorKind::StatusCode, code_off);
        }
        let code: u16 = code.parse().map_err(|_| Error {
            kind: ErrorKind::StatusCode,
            offset: code_off,
        })?;
        if !(100..=699).contains(&code) {
            return err(ErrorKind::StatusCode, code_off);
        }
        return Ok(Head::Response { code, reason });
    }
    // Exactly one SP between elements (RFC 4475 §3.1.2.8–3.1.2.10).
    let mut parts = line.split(' ');
    let (Some(method), Some(uri), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return err(ErrorKind::StartLine, off);
    };
    if method.is_empty() || !method.bytes().all(is_token) {
        return err(ErrorKind::Method, off);
    }
    let uri_off = off + method.len() + 1;
    let parsed = Uri::parse(uri).map_err(|e| Error {
        kind: ErrorKind::RequestUri(e),
        offset: uri_off,
    })?;
    if matches!(parsed.scheme, Scheme::Sip | Scheme::Sips) && parsed.headers.is_some() {
        return err(ErrorKind::RequestUriHeaders, uri_off);
    }
    if !is_version(version) {
        return err(ErrorKind::Version, uri_off + uri.len() + 1);
    }
    Ok(Head::Request { method, uri })
}

/// Syntax of the headers the stack interprets (RFC 3261 §20); others pass through.
fn validate_headers(
    head: &Head<'_>,
    headers: &[Header<'_>],
    text: &str,
    base: usize,
) -> Result<(), Error> {
    for h in headers {
        let fail = |e: HeaderError| Error {
            kind: ErrorKind::Header(h.kind, e),
            offset: offset_of(text, h.value, base),
        };
        match h.kind {
            HeaderName::Via => {
                for v in CommaSplit::new(h.value) {
                    Via::parse(v).map_err(fail)?;
                }
            }
            HeaderName::From | HeaderName::To => {
                NameAddr::parse(h.value).map_err(fail)?;
            }
            HeaderName::Contact if h.value == "*" => {}
            HeaderName::Contact | HeaderName::Route | HeaderName::RecordRoute => {
                for v in CommaSplit::new(h.value) {
                    NameAddr::parse(v).map_err(fail)?;
                }
            }
            HeaderName::CSeq => {
                let c = CSeq::parse(h.value).map_err(fail)?;
                if let Head::Request { method, .. } = head {
                    if c.method != *method {
                        return err(
                            ErrorKind::CSeqMethodMismatch,
                            offset_of(text, h.value, base),
                        );
                    }
                }
            }
            HeaderName::CallId => check_call_id(h.value).map_err(fail)?,
            HeaderName::MaxForwards => {
                // Max-Forwards = 1*DIGIT, 0-255 (RFC 3261 §20.22).
                let n = parse_number(h.value).map_err(fail)?;
                if n > 255 {
                    return Err(fail(HeaderError::Number));
                }
            }
            HeaderName::Expires | HeaderName::MinExpires => {
                parse_number(h.value).map_err(fail)?;
            }
            HeaderName::RetryAfter => {
                let digits = h
                    .value
                    .split(|c: char| !c.is_ascii_digit())
                    .next()
                    .unwrap_or("");
                parse_u32(digits).ok_or(HeaderError::Number).map_err(fail)?;
            }
            HeaderName::Date => check_date(h.value).map_err(fail)?,
            HeaderName::Warning => check_warning(h.value).map_err(fail)?,
            HeaderName::ContentType => {
                MediaType::parse(h.value).map_err(fail)?;
            }
            _ => {}
        }
    }
    Ok(())
}
