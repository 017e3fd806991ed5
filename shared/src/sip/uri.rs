//! SIP, SIPS and tel URIs (RFC 3261 §19.1, §25.1; RFC 3966), parsed zero-copy.
//!
//! Other schemes are accepted as an opaque `absoluteURI` (RFC 3261 §25.1,
//! RFC 4475 §3.3.2–3.3.4): it is the application that answers 416, not the parser.

use super::scan::find;
use std::borrow::Cow;
use std::fmt;

/// The URI scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme<'a> {
    Sip,
    Sips,
    Tel,
    Other(&'a str),
}

/// Why a URI failed to parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UriError {
    Scheme,
    User,
    Host,
    Port,
    Param,
    Header,
    Opaque,
}

impl fmt::Display for UriError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self {
            UriError::Scheme => "bad scheme",
            UriError::User => "bad userinfo",
            UriError::Host => "bad host",
            UriError::Port => "bad port",
            UriError::Param => "bad uri-parameter",
            UriError::Header => "bad uri header",
            UriError::Opaque => "bad absoluteURI",
        };
        f.write_str(what)
    }
}

/// A borrowed URI. For `tel:` the number is in `host`; for other schemes the
/// whole scheme-specific part is in `host`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Uri<'a> {
    pub scheme: Scheme<'a>,
    pub user: Option<&'a str>,
    pub password: Option<&'a str>,
    pub host: &'a str,
    pub port: Option<u16>,
    /// Raw `;name=value` uri-parameters, leading `;` included (may be empty).
    pub params: &'a str,
    /// Raw headers after `?`, without the `?`.
    pub headers: Option<&'a str>,
}

#[inline]
fn is_unreserved(b: u8) -> bool {
    // unreserved = alphanum / mark; mark = "-" / "_" / "." / "!" / "~" / "*" / "'" / "(" / ")"
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
        )
}

/// Checks `*( allowed / escaped )` where escaped = "%" HEXDIG HEXDIG.
fn check_escaped(s: &str, allowed: impl Fn(u8) -> bool) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            match (b.get(i + 1), b.get(i + 2)) {
                (Some(x), Some(y)) if x.is_ascii_hexdigit() && y.is_ascii_hexdigit() => i += 3,
                _ => return false,
            }
        } else if allowed(b[i]) {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

fn is_user_char(b: u8) -> bool {
    // user-unreserved = "&" / "=" / "+" / "$" / "," / ";" / "?" / "/"
    is_unreserved(b) || matches!(b, b'&' | b'=' | b'+' | b'$' | b',' | b';' | b'?' | b'/')
}

fn is_password_char(b: u8) -> bool {
    is_unreserved(b) || matches!(b, b'&' | b'=' | b'+' | b'$' | b',')
}

fn is_param_char(b: u8) -> bool {
    // param-unreserved = "[" / "]" / "/" / ":" / "&" / "+" / "$"
    is_unreserved(b) || matches!(b, b'[' | b']' | b'/' | b':' | b'&' | b'+' | b'$')
}

fn is_header_char(b: u8) -> bool {
    // hnv-unreserved = "[" / "]" / "/" / "?" / ":" / "+" / "$"
    is_unreserved(b) || matches!(b, b'[' | b']' | b'/' | b'?' | b':' | b'+' | b'$')
}

fn is_uric(b: u8) -> bool {
    // uric = reserved / unreserved / escaped (RFC 2396 via RFC 3261 §25.1)
    is_unreserved(b)
        || matches!(
            b,
            b';' | b'/' | b'?' | b':' | b'@' | b'&' | b'=' | b'+' | b'$' | b','
        )
}

/// `host = hostname / IPv4address / IPv6reference`
pub(crate) fn valid_host(h: &str) -> bool {
    if let Some(inner) = h.strip_prefix('[') {
        return match inner.strip_suffix(']') {
            Some(v6) => {
                !v6.is_empty()
                    && v6
                        .bytes()
                        .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
            }
            None => false,
        };
    }
    !h.is_empty()
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        && !h.starts_with('.')
        && !h.starts_with('-')
}

/// Splits `host[:port]` (RFC 3261 §25.1 hostport).
pub(crate) fn split_hostport(hp: &str) -> Result<(&str, Option<u16>), UriError> {
    let (host, port) = if hp.starts_with('[') {
        match find(hp, b']') {
            Some(i) => {
                let (h, rest) = hp.split_at(i + 1);
                match rest.strip_prefix(':') {
                    Some(p) => (h, Some(p)),
                    None if rest.is_empty() => (h, None),
                    None => return Err(UriError::Host),
                }
            }
            None => return Err(UriError::Host),
        }
    } else {
        match find(hp, b':') {
            Some(i) => (&hp[..i], Some(&hp[i + 1..])),
            None => (hp, None),
        }
    };
    if !valid_host(host) {
        return Err(UriError::Host);
    }
    let port = match port {
        None => None,
        Some(p) if !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) => {
            Some(p.parse::<u16>().map_err(|_| UriError::Port)?)
        }
        Some(_) => return Err(UriError::Port),
    };
    Ok((host, port))
}

fn check_params(params: &str) -> Result<(), UriError> {
    // uri-parameters = *( ";" uri-parameter); uri-parameter = pname [ "=" pvalue ]
    for p in params.split(';').skip(1) {
        let (name, value) = match p.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (p, None),
        };
        if name.is_empty() || !check_escaped(name, is_param_char) {
            return Err(UriError::Param);
        }
        if let Some(v) = value {
            if v.is_empty() || !check_escaped(v, is_param_char) {
                return Err(UriError::Param);
            }
        }
    }
    Ok(())
}

impl<'a> Uri<'a> {
    /// Parses a URI. `SIP-URI = "sip:" [ userinfo ] hostport uri-parameters [ headers ]`.
    pub fn parse(s: &'a str) -> Result<Uri<'a>, UriError> {
        let colon = find(s, b':').ok_or(UriError::Scheme)?;
        let (scheme_s, rest) = (&s[..colon], &s[colon + 1..]);
        // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
        let sb = scheme_s.as_bytes();
        if sb.is_empty()
            || !sb[0].is_ascii_alphabetic()
            || !sb
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        {
            return Err(UriError::Scheme);
        }
        let scheme = if scheme_s.eq_ignore_ascii_case("sip") {
            Scheme::Sip
        } else if scheme_s.eq_ignore_ascii_case("sips") {
            Scheme::Sips
        } else if scheme_s.eq_ignore_ascii_case("tel") {
            Scheme::Tel
        } else {
            Scheme::Other(scheme_s)
        };
        match scheme {
            Scheme::Sip | Scheme::Sips => Self::parse_sip(scheme, rest),
            Scheme::Tel => {
                // RFC 3966: telephone-subscriber *par
                let (num, params) = match find(rest, b';') {
                    Some(i) => rest.split_at(i),
                    None => (rest, ""),
                };
                if num.is_empty()
                    || !num.bytes().all(|b| {
                        b.is_ascii_hexdigit()
                            || matches!(b, b'+' | b'-' | b'.' | b'(' | b')' | b'*' | b'#')
                    })
                {
                    return Err(UriError::User);
                }
                check_params(params)?;
                Ok(Uri {
                    scheme,
                    user: None,
                    password: None,
                    host: num,
                    port: None,
                    params,
                    headers: None,
                })
            }
            Scheme::Other(_) => {
                if rest.is_empty() || !check_escaped(rest, is_uric) {
                    return Err(UriError::Opaque);
                }
                Ok(Uri {
                    scheme,
                    user: None,
                    password: None,
                    host: rest,
                    port: None,
                    params: "",
                    headers: None,
                })
            }
        }
    }

    fn parse_sip(scheme: Scheme<'a>, rest: &'a str) -> Result<Uri<'a>, UriError> {
        // userinfo cannot contain an unescaped "@", nor can hostport, params or
        // headers, so the first "@" (if any) ends the userinfo (RFC 4475 §3.1.1.2).
        let (userinfo, after) = match find(rest, b'@') {
            Some(i) => (Some(&rest[..i]), &rest[i + 1..]),
            None => (None, rest),
        };
        let (user, password) = match userinfo {
            None => (None, None),
            Some(ui) => {
                let (u, p) = match find(ui, b':') {
                    Some(i) => (&ui[..i], Some(&ui[i + 1..])),
                    None => (ui, None),
                };
                if u.is_empty() || !check_escaped(u, is_user_char) {
                    return Err(UriError::User);
                }
                if let Some(p) = p {
                    if !check_escaped(p, is_password_char) {
                        return Err(UriError::User);
                    }
                }
                (Some(u), p)
            }
        };
        let (before_headers, headers) = match find(after, b'?') {
            Some(i) => (&after[..i], Some(&after[i + 1..])),
            None => (after, None),
        };
        let (hostport, params) = match find(before_headers, b';') {
            Some(i) => before_headers.split_at(i),
            None => (before_headers, ""),
        };
        let (host, port) = split_hostport(hostport)?;
        check_params(params)?;
        if let Some(h) = headers {
            // headers = "?" header *( "&" header ); header = hname "=" hvalue
            for hv in h.split('&') {
                let (n, v) = hv.split_once('=').ok_or(UriError::Header)?;
                if n.is_empty()
                    || !check_escaped(n, is_header_char)
                    || !check_escaped(v, is_header_char)
                {
                    return Err(UriError::Header);
                }
            }
        }
        Ok(Uri {
            scheme,
            user,
            password,
            host,
            port,
            params,
            headers,
        })
    }

    /// Iterates `(name, value)` uri-parameters; names are as written.
    pub fn params(&self) -> impl Iterator<Item = (&'a str, Option<&'a str>)> + 'a {
        self.params
            .split(';')
            .skip(1)
            .map(|p| match p.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (p, None),
            })
    }

    /// The value of a uri-parameter (`Some("")` for a flag such as `lr`).
    pub fn param(&self, name: &str) -> Option<&'a str> {
        self.params()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.unwrap_or(""))
    }

    /// The user part with %-escapes decoded (RFC 3261 §19.1.4 compares decoded).
    pub fn user_decoded(&self) -> Option<Cow<'a, str>> {
        self.user.map(percent_decode)
    }

    /// Whether two URIs address the same resource in the sense of RFC 3261
    /// §19.1.4, restricted to scheme, user, host and port (parameters ignored).
    pub fn same_address(&self, other: &Uri<'_>) -> bool {
        let scheme_eq = match (self.scheme, other.scheme) {
            (Scheme::Other(a), Scheme::Other(b)) => a.eq_ignore_ascii_case(b),
            (a, b) => std::mem::discriminant(&a) == std::mem::discriminant(&b),
        };
        scheme_eq
            && self.user_decoded() == other.user_decoded()
            && self.host.eq_ignore_ascii_case(other.host)
            && self.port == other.port
    }
}

/// Decodes %-escapes; invalid escapes are kept literally. Bytes that do not
/// form UTF-8 (e.g. `%00` is fine, `%FF` is not) are replaced.
pub fn percent_decode(s: &str) -> Cow<'_, str> {
    if !s.contains('%') {
        return Cow::Borrowed(s);
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if let (Some(&x), Some(&y)) = (b.get(i + 1), b.get(i + 2)) {
                if let (Some(x), Some(y)) = (hex(x), hex(y)) {
                    out.push(x * 16 + y);
                    i += 3;
                    continue;
                }
            }
        }
        out.push(b[i]);
        i += 1;
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for Uri<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.scheme {
            Scheme::Sip => f.write_str("sip:")?,
            Scheme::Sips => f.write_str("sips:")?,
            Scheme::Tel => f.write_str("tel:")?,
            Scheme::Other(s) => write!(f, "{s}:")?,
        }
        if let Some(u) = self.user {
            f.write_str(u)?;
            if let Some(p) = self.password {
                write!(f, ":{p}")?;
            }
            f.write_str("@")?;
        }
        f.write_str(self.host)?;
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        f.write_str(self.params)?;
        if let Some(h) = self.headers {
            write!(f, "?{h}")?;
        }
        Ok(())
    }
}
