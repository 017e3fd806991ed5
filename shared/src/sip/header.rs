//! Header names (with RFC 3261 §7.3.3 compact forms) and zero-copy typed views
//! of the header values the stack itself relies on (RFC 3261 §20, §25.1).

use super::scan::{is_token, CommaSplit, Scanner};
use super::uri::{split_hostport, Uri, UriError};
use std::borrow::Cow;
use std::fmt;

macro_rules! header_names {
    ($( $variant:ident => $canon:literal $(, $compact:literal)? ;)*) => {
        /// A header field name, classified once at parse time.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum HeaderName {
            $( $variant, )*
            /// Any other (extension) header; compare by the raw name.
            Other,
        }

        impl HeaderName {
            /// Classifies a name, case-insensitively, including compact forms.
            #[inline]
            pub fn from_name(name: &str) -> HeaderName {
                classify(name)
            }

            /// The canonical (long) spelling.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( HeaderName::$variant => $canon, )*
                    HeaderName::Other => "",
                }
            }
        }
    };
}

header_names! {
    Via => "Via", b'v';
    From => "From", b'f';
    To => "To", b't';
    CallId => "Call-ID", b'i';
    CSeq => "CSeq";
    Contact => "Contact", b'm';
    MaxForwards => "Max-Forwards";
    ContentLength => "Content-Length", b'l';
    ContentType => "Content-Type", b'c';
    ContentEncoding => "Content-Encoding", b'e';
    Supported => "Supported", b'k';
    Subject => "Subject", b's';
    Event => "Event", b'o';
    AllowEvents => "Allow-Events", b'u';
    ReferTo => "Refer-To", b'r';
    ReferredBy => "Referred-By", b'b';
    SessionExpires => "Session-Expires", b'x';
    Route => "Route";
    RecordRoute => "Record-Route";
    Require => "Require";
    ProxyRequire => "Proxy-Require";
    Unsupported => "Unsupported";
    Allow => "Allow";
    Accept => "Accept";
    Expires => "Expires";
    MinExpires => "Min-Expires";
    RetryAfter => "Retry-After";
    Date => "Date";
    Warning => "Warning";
    WwwAuthenticate => "WWW-Authenticate";
    ProxyAuthenticate => "Proxy-Authenticate";
    Authorization => "Authorization";
    ProxyAuthorization => "Proxy-Authorization";
    UserAgent => "User-Agent";
    Server => "Server";
    SubscriptionState => "Subscription-State";
    Reason => "Reason";
}

/// Classifies a header name, case-insensitively, including compact forms
/// (RFC 3261 §7.3.3). Dispatches on length first: one or two comparisons.
fn classify(name: &str) -> HeaderName {
    let b = name.as_bytes();
    match b.len() {
        1 => match b[0].to_ascii_lowercase() {
            b'v' => HeaderName::Via,
            b'f' => HeaderName::From,
            b't' => HeaderName::To,
            b'i' => HeaderName::CallId,
            b'm' => HeaderName::Contact,
            b'l' => HeaderName::ContentLength,
            b'c' => HeaderName::ContentType,
            b'e' => HeaderName::ContentEncoding,
            b'k' => HeaderName::Supported,
            b's' => HeaderName::Subject,
            b'o' => HeaderName::Event,
            b'u' => HeaderName::AllowEvents,
            b'r' => HeaderName::ReferTo,
            b'b' => HeaderName::ReferredBy,
            b'x' => HeaderName::SessionExpires,
            _ => HeaderName::Other,
        },
        2 => {
            if name.eq_ignore_ascii_case("To") {
                HeaderName::To
            } else {
                HeaderName::Other
            }
        }
        3 => {
            if name.eq_ignore_ascii_case("Via") {
                HeaderName::Via
            } else {
                HeaderName::Other
            }
        }
        4 => {
            if name.eq_ignore_ascii_case("From") {
                HeaderName::From
            } else if name.eq_ignore_ascii_case("CSeq") {
                HeaderName::CSeq
            } else if name.eq_ignore_ascii_case("Date") {
                HeaderName::Date
            } else {
                HeaderName::Other
            }
        }
        5 => {
            if name.eq_ignore_ascii_case("Event") {
                HeaderName::Event
            } else if name.eq_ignore_ascii_case("Route") {
                HeaderName::Route
            } else if name.eq_ignore_ascii_case("Allow") {
                HeaderName::Allow
            } else {
                HeaderName::Other
            }
        }
        6 => {
            if name.eq_ignore_ascii_case("Accept") {
                HeaderName::Accept
            } else if name.eq_ignore_ascii_case("Server") {
                HeaderName::Server
            } else if name.eq_ignore_ascii_case("Reason") {
                HeaderName::Reason
            } else {
                HeaderName::Other
            }
        }
        7 => {
            if name.eq_ignore_ascii_case("Call-ID") {
                HeaderName::CallId
            } else if name.eq_ignore_ascii_case("Contact") {
                HeaderName::Contact
            } else if name.eq_ignore_ascii_case("Subject") {
                HeaderName::Subject
            } else if name.eq_ignore_ascii_case("Require") {
                HeaderName::Require
            } else if name.eq_ignore_ascii_case("Expires") {
                HeaderName::Expires
            } else if name.eq_ignore_ascii_case("Warning") {
                HeaderName::Warning
            } else {
                HeaderName::Other
            }
        }
        8 => {
            if name.eq_ignore_ascii_case("Refer-To") {
                HeaderName::ReferTo
            } else {
                HeaderName::Other
            }
        }
        9 => {
            if name.eq_ignore_ascii_case("Supported") {
                HeaderName::Supported
            } else {
                HeaderName::Other
            }
        }
        10 => {
            if name.eq_ignore_ascii_case("User-Agent") {
                HeaderName::UserAgent
            } else {
                HeaderName::Other
            }
        }
        11 => {
            if name.eq_ignore_ascii_case("Referred-By") {
                HeaderName::ReferredBy
            } else if name.eq_ignore_ascii_case("Unsupported") {
                HeaderName::Unsupported
            } else if name.eq_ignore_ascii_case("Min-Expires") {
                HeaderName::MinExpires
            } else if name.eq_ignore_ascii_case("Retry-After") {
                HeaderName::RetryAfter
            } else {
                HeaderName::Other
            }
        }
        12 => {
            if name.eq_ignore_ascii_case("Max-Forwards") {
                HeaderName::MaxForwards
            } else if name.eq_ignore_ascii_case("Content-Type") {
                HeaderName::ContentType
            } else if name.eq_ignore_ascii_case("Allow-Events") {
                HeaderName::AllowEvents
            } else if name.eq_ignore_ascii_case("Record-Route") {
                HeaderName::RecordRoute
            } else {
                HeaderName::Other
            }
        }
        13 => {
            if name.eq_ignore_ascii_case("Proxy-Require") {
                HeaderName::ProxyRequire
            } else if name.eq_ignore_ascii_case("Authorization") {
                HeaderName::Authorization
            } else {
                HeaderName::Other
            }
        }
        14 => {
            if name.eq_ignore_ascii_case("Content-Length") {
                HeaderName::ContentLength
            } else {
                HeaderName::Other
            }
        }
        15 => {
            if name.eq_ignore_ascii_case("Session-Expires") {
                HeaderName::SessionExpires
            } else {
                HeaderName::Other
            }
        }
        16 => {
            if name.eq_ignore_ascii_case("Content-Encoding") {
                HeaderName::ContentEncoding
            } else if name.eq_ignore_ascii_case("WWW-Authenticate") {
                HeaderName::WwwAuthenticate
            } else {
                HeaderName::Other
            }
        }
        18 => {
            if name.eq_ignore_ascii_case("Proxy-Authenticate") {
                HeaderName::ProxyAuthenticate
            } else if name.eq_ignore_ascii_case("Subscription-State") {
                HeaderName::SubscriptionState
            } else {
                HeaderName::Other
            }
        }
        19 => {
            if name.eq_ignore_ascii_case("Proxy-Authorization") {
                HeaderName::ProxyAuthorization
            } else {
                HeaderName::Other
            }
        }
        _ => HeaderName::Other,
    }
}

/// A typed-header syntax error; the message parser wraps it with a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderError {
    Via,
    NameAddr,
    Uri(UriError),
    Param,
    CSeq,
    CallId,
    Number,
    Date,
    Warning,
    ContentType,
    Auth,
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderError::Via => f.write_str("malformed Via"),
            HeaderError::NameAddr => f.write_str("malformed name-addr / addr-spec"),
            HeaderError::Uri(e) => write!(f, "malformed URI: {e}"),
            HeaderError::Param => f.write_str("malformed generic-param"),
            HeaderError::CSeq => f.write_str("malformed CSeq"),
            HeaderError::CallId => f.write_str("malformed Call-ID"),
            HeaderError::Number => f.write_str("number malformed or out of range"),
            HeaderError::Date => f.write_str("malformed Date (must be rfc1123-date in GMT)"),
            HeaderError::Warning => f.write_str("malformed Warning"),
            HeaderError::ContentType => f.write_str("malformed media-type"),
            HeaderError::Auth => f.write_str("malformed credentials/challenge"),
        }
    }
}

/// Raw, validated `*( SEMI generic-param )` (leading `;` included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Params<'a>(pub &'a str);

/// Parses `*( SEMI generic-param )` at the scanner, RFC 3261 §25.1:
/// `generic-param = token [ EQUAL gen-value ]`, `gen-value = token / host / quoted-string`.
fn parse_params<'a>(sc: &mut Scanner<'a>) -> Result<Params<'a>, HeaderError> {
    let save = sc.pos;
    sc.skip_lws();
    let start = sc.pos;
    let mut end = save;
    while sc.eat_sep(b';') {
        sc.token().ok_or(HeaderError::Param)?;
        if sc.eat_sep(b'=') {
            if sc.peek() == Some(b'"') {
                sc.quoted().ok_or(HeaderError::Param)?;
            } else {
                let v = sc.take_while(|b| is_token(b) || matches!(b, b'[' | b']' | b':'));
                if v.is_empty() {
                    return Err(HeaderError::Param);
                }
            }
        }
        end = sc.pos;
    }
    sc.pos = end.max(save);
    if end <= save {
        return Ok(Params(""));
    }
    Ok(Params(sc.s.get(start..end).unwrap_or("")))
}

impl<'a> Params<'a> {
    /// Iterates `(name, value)`; quoted values keep their quotes.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, Option<&'a str>)> + 'a {
        let mut sc = Scanner::new(self.0);
        std::iter::from_fn(move || {
            if !sc.eat_sep(b';') {
                return None;
            }
            let name = sc.token()?;
            let value = if sc.eat_sep(b'=') {
                if sc.peek() == Some(b'"') {
                    sc.quoted()
                } else {
                    Some(sc.take_while(|b| is_token(b) || matches!(b, b'[' | b']' | b':')))
                }
            } else {
                None
            };
            Some((name, value))
        })
    }

    /// A parameter's value (`Some("")` for a flag), name compared case-insensitively.
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.unwrap_or(""))
    }
}

/// `via-parm = sent-protocol LWS sent-by *( SEMI via-params )` (RFC 3261 §20.42).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Via<'a> {
    pub transport: &'a str,
    pub host: &'a str,
    pub port: Option<u16>,
    pub params: Params<'a>,
}

/// The RFC 3261 §8.1.1.7 magic cookie.
pub const BRANCH_MAGIC: &str = "z9hG4bK";

impl<'a> Via<'a> {
    pub fn parse(s: &'a str) -> Result<Via<'a>, HeaderError> {
        let mut sc = Scanner::new(s);
        sc.skip_lws();
        // sent-protocol = protocol-name SLASH protocol-version SLASH transport
        let name = sc.token().ok_or(HeaderError::Via)?;
        if !name.eq_ignore_ascii_case("SIP") || !sc.eat_sep(b'/') {
            return Err(HeaderError::Via);
        }
        let version = sc.token().ok_or(HeaderError::Via)?;
        if version != "2.0" || !sc.eat_sep(b'/') {
            return Err(HeaderError::Via);
        }
        let transport = sc.token().ok_or(HeaderError::Via)?;
        let before = sc.pos;
        sc.skip_lws();
        if sc.pos == before {
            return Err(HeaderError::Via);
        }
        let hp = sc.take_while(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'[' | b']' | b':')
        });
        let (host, port) = split_hostport(hp).map_err(|_| HeaderError::Via)?;
        // sent-by allows LWS around the colon too; rare, not supported.
        let params = parse_params(&mut sc)?;
        sc.skip_lws();
        if !sc.at_end() {
            return Err(HeaderError::Via);
        }
        Ok(Via {
            transport,
            host,
            port,
            params,
        })
    }

    pub fn branch(&self) -> Option<&'a str> {
        self.params.get("branch")
    }
    pub fn received(&self) -> Option<&'a str> {
        self.params.get("received")
    }
    pub fn rport(&self) -> Option<&'a str> {
        self.params.get("rport")
    }
    /// Whether the branch carries the RFC 3261 magic cookie.
    pub fn is_rfc3261(&self) -> bool {
        self.branch().is_some_and(|b| b.starts_with(BRANCH_MAGIC))
    }
}

/// `(name-addr / addr-spec) *( SEMI param )`: From, To, Contact, Route, Record-Route,
/// Refer-To (RFC 3261 §20.10, §20.20, §20.39).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameAddr<'a> {
    /// Raw display name: tokens as written, or a quoted-string with its quotes.
    pub display: Option<&'a str>,
    pub uri: &'a str,
    pub params: Params<'a>,
    /// Whether the URI was enclosed in `<>`.
    pub angle: bool,
}

impl<'a> NameAddr<'a> {
    pub fn parse(s: &'a str) -> Result<NameAddr<'a>, HeaderError> {
        let mut sc = Scanner::new(s);
        sc.skip_lws();
        let start = sc.pos;
        let mut display = None;
        let mut angle = false;
        if sc.peek() == Some(b'"') {
            display = Some(sc.quoted().ok_or(HeaderError::NameAddr)?);
            sc.skip_lws();
            if !sc.eat(b'<') {
                return Err(HeaderError::NameAddr);
            }
            angle = true;
        } else if sc.peek() == Some(b'<') {
            sc.pos += 1;
            angle = true;
        } else {
            // display-name = *(token LWS): scan tokens; if a "<" follows they were
            // the display name, otherwise this is an addr-spec.
            let mut last_end = sc.pos;
            while sc.token().is_some() {
                last_end = sc.pos;
                sc.skip_lws();
            }
            if sc.peek() == Some(b'<') {
                display = Some(sc.s.get(start..last_end).unwrap_or(""));
                sc.pos += 1;
                angle = true;
            } else {
                sc.pos = start;
            }
        }
        let uri = if angle {
            // RFC 4475 §3.1.2.14: no LWS inside the angle brackets.
            let u = sc.take_while(|b| b != b'>' && !super::scan::is_lws(b));
            if !sc.eat(b'>') {
                return Err(HeaderError::NameAddr);
            }
            u
        } else {
            // addr-spec: ends at ";" or LWS; RFC 3261 §20: a URI with "," "?" or ";"
            // must be in <> (RFC 4475 §3.1.2.13).
            let u = sc.take_while(|b| b != b';' && !super::scan::is_lws(b));
            if u.contains('?') || u.contains(',') {
                return Err(HeaderError::NameAddr);
            }
            u
        };
        // The URI itself is checked lazily by `NameAddr::uri()` (the parser's
        // hot path only checks the scheme), which keeps parsing cheap.
        check_scheme(uri)?;
        let params = parse_params(&mut sc)?;
        sc.skip_lws();
        if !sc.at_end() {
            return Err(HeaderError::NameAddr);
        }
        Ok(NameAddr {
            display,
            uri,
            params,
            angle,
        })
    }

    /// The parsed URI (already validated by [`NameAddr::parse`]).
    pub fn uri(&self) -> Result<Uri<'a>, UriError> {
        Uri::parse(self.uri)
    }

    pub fn tag(&self) -> Option<&'a str> {
        self.params.get("tag")
    }

    /// The display name without quotes and escapes.
    pub fn display_name(&self) -> Option<Cow<'a, str>> {
        self.display.map(super::scan::unquote)
    }
}

impl fmt::Display for NameAddr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(d) = self.display {
            write!(f, "{d} ")?;
        }
        write!(f, "<{}>{}", self.uri, self.params.0)
    }
}

/// `scheme ":"` with `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` and a non-empty rest.
fn check_scheme(uri: &str) -> Result<(), HeaderError> {
    let b = uri.as_bytes();
    let colon = super::scan::find(uri, b':').ok_or(HeaderError::Uri(UriError::Scheme))?;
    let ok = colon > 0
        && colon + 1 < b.len()
        && b[0].is_ascii_alphabetic()
        && b[..colon]
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(HeaderError::Uri(UriError::Scheme))
    }
}

/// Parses a list of name-addrs (Contact, Route, Record-Route). `*` is not handled here.
pub fn name_addr_list(s: &str) -> impl Iterator<Item = Result<NameAddr<'_>, HeaderError>> {
    CommaSplit::new(s).map(NameAddr::parse)
}

/// Parses a Via header value (possibly several comma-separated via-parms).
pub fn via_list(s: &str) -> impl Iterator<Item = Result<Via<'_>, HeaderError>> {
    CommaSplit::new(s).map(Via::parse)
}

/// `CSeq = 1*DIGIT LWS Method` (RFC 3261 §20.16), sequence number < 2**31 (§8.1.1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CSeq<'a> {
    pub seq: u32,
    pub method: &'a str,
}

impl<'a> CSeq<'a> {
    pub fn parse(s: &'a str) -> Result<CSeq<'a>, HeaderError> {
        let mut sc = Scanner::new(s);
        sc.skip_lws();
        let digits = sc.take_while(|b| b.is_ascii_digit());
        let seq = parse_u32(digits)
            .filter(|&n| n < (1 << 31))
            .ok_or(HeaderError::CSeq)?;
        let before = sc.pos;
        sc.skip_lws();
        if sc.pos == before {
            return Err(HeaderError::CSeq);
        }
        let method = sc.token().ok_or(HeaderError::CSeq)?;
        sc.skip_lws();
        if !sc.at_end() {
            return Err(HeaderError::CSeq);
        }
        Ok(CSeq { seq, method })
    }
}

/// `1*DIGIT` that fits a u32 (leading zeroes allowed, RFC 4475 §3.1.1.1).
pub fn parse_u32(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let t = s.trim_start_matches('0');
    if t.len() > 10 {
        return None;
    }
    if t.is_empty() {
        return Some(0);
    }
    t.parse().ok()
}

/// Parses a trimmed numeric header (Max-Forwards, Content-Length, Expires).
pub fn parse_number(s: &str) -> Result<u32, HeaderError> {
    parse_u32(s.trim_matches(|c: char| c.is_ascii_whitespace())).ok_or(HeaderError::Number)
}

/// `callid = word [ "@" word ]` (RFC 3261 §25.1).
pub fn check_call_id(s: &str) -> Result<(), HeaderError> {
    let s = s.trim_matches(|c: char| c.is_ascii_whitespace());
    fn word(w: &str) -> bool {
        !w.is_empty()
            && w.bytes().all(|b| {
                is_token(b)
                    || matches!(
                        b,
                        b'(' | b')'
                            | b'<'
                            | b'>'
                            | b':'
                            | b'\\'
                            | b'"'
                            | b'/'
                            | b'['
                            | b']'
                            | b'?'
                            | b'{'
                            | b'}'
                    )
            })
    }
    let ok = match s.split_once('@') {
        Some((a, b)) => word(a) && word(b),
        None => word(s),
    };
    if ok {
        Ok(())
    } else {
        Err(HeaderError::CallId)
    }
}

/// `rfc1123-date = wkday "," SP date1 SP time SP "GMT"` (RFC 3261 §20.17).
pub fn check_date(s: &str) -> Result<(), HeaderError> {
    let s = s.trim_matches(|c: char| c.is_ascii_whitespace());
    let bad = Err(HeaderError::Date);
    let Some((wkday, rest)) = s.split_once(", ") else {
        return bad;
    };
    if !["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].contains(&wkday) {
        return bad;
    }
    let parts: [&str; 5] = {
        let mut it = rest.split(' ');
        let p = [it.next(), it.next(), it.next(), it.next(), it.next()];
        if it.next().is_some() {
            return bad;
        }
        match p {
            [Some(a), Some(b), Some(c), Some(d), Some(e)] => [a, b, c, d, e],
            _ => return bad,
        }
    };
    let [day, month, year, time, zone] = parts;
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let digits = |x: &str, n: usize| x.len() == n && x.bytes().all(|b| b.is_ascii_digit());
    let time_ok = {
        let t: Vec<&str> = time.split(':').collect();
        t.len() == 3 && t.iter().all(|x| digits(x, 2))
    };
    if digits(day, 2) && months.contains(&month) && digits(year, 4) && time_ok && zone == "GMT" {
        Ok(())
    } else {
        bad
    }
}

/// `warning-value = warn-code SP warn-agent SP warn-text` with a 3-digit code (RFC 3261 §20.43).
pub fn check_warning(s: &str) -> Result<(), HeaderError> {
    for w in CommaSplit::new(s) {
        let mut sc = Scanner::new(w);
        let code = sc.take_while(|b| b.is_ascii_digit());
        if code.len() != 3 || !sc.eat(b' ') {
            return Err(HeaderError::Warning);
        }
        sc.take_while(|b| !super::scan::is_lws(b));
        if !sc.eat(b' ') || sc.quoted().is_none() {
            return Err(HeaderError::Warning);
        }
    }
    Ok(())
}

/// `media-type = m-type SLASH m-subtype *(SEMI m-parameter)` (RFC 3261 §20.15).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaType<'a> {
    pub kind: &'a str,
    pub subtype: &'a str,
    pub params: Params<'a>,
}

impl<'a> MediaType<'a> {
    pub fn parse(s: &'a str) -> Result<MediaType<'a>, HeaderError> {
        let mut sc = Scanner::new(s);
        sc.skip_lws();
        let kind = sc.token().ok_or(HeaderError::ContentType)?;
        if !sc.eat_sep(b'/') {
            return Err(HeaderError::ContentType);
        }
        let subtype = sc.token().ok_or(HeaderError::ContentType)?;
        let params = parse_params(&mut sc).map_err(|_| HeaderError::ContentType)?;
        sc.skip_lws();
        if !sc.at_end() {
            return Err(HeaderError::ContentType);
        }
        Ok(MediaType {
            kind,
            subtype,
            params,
        })
    }

    /// Case-insensitive `type/subtype` comparison.
    pub fn is(&self, kind: &str, subtype: &str) -> bool {
        self.kind.eq_ignore_ascii_case(kind) && self.subtype.eq_ignore_ascii_case(subtype)
    }
}

/// A Digest challenge or credentials header (RFC 3261 §20.27, §25.1; RFC 7616):
/// `scheme LWS auth-param *(COMMA auth-param)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthParams<'a> {
    pub scheme: &'a str,
    /// Raw comma-separated `name=value` list.
    pub params: &'a str,
}

impl<'a> AuthParams<'a> {
    pub fn parse(s: &'a str) -> Result<AuthParams<'a>, HeaderError> {
        let mut sc = Scanner::new(s);
        sc.skip_lws();
        let scheme = sc.token().ok_or(HeaderError::Auth)?;
        sc.skip_lws();
        let params = sc.rest();
        for p in CommaSplit::new(params) {
            if p.is_empty() {
                continue;
            }
            let mut ps = Scanner::new(p);
            ps.token().ok_or(HeaderError::Auth)?;
            if !ps.eat_sep(b'=') {
                return Err(HeaderError::Auth);
            }
            if ps.peek() == Some(b'"') {
                ps.quoted().ok_or(HeaderError::Auth)?;
            } else {
                ps.take_while(|b| !super::scan::is_lws(b));
            }
            ps.skip_lws();
            if !ps.at_end() {
                return Err(HeaderError::Auth);
            }
        }
        Ok(AuthParams { scheme, params })
    }

    /// A parameter's unquoted value.
    pub fn get(&self, name: &str) -> Option<Cow<'a, str>> {
        CommaSplit::new(self.params).find_map(|p| {
            let (n, v) = p.split_once('=')?;
            if n.trim().eq_ignore_ascii_case(name) {
                Some(super::scan::unquote(v.trim()))
            } else {
                None
            }
        })
    }
}
