//! A tiny cursor over a header value: RFC 3261 §25.1 basic rules (LWS, token,
//! quoted-string) shared by the typed header, URI and SDP parsers.
//!
//! The message parser has already turned every line ending inside a value into
//! a fold (CRLF followed by WSP), so here CR and LF simply count as LWS.

/// `token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")`
#[inline]
pub(crate) fn is_token(b: u8) -> bool {
    TOKEN[b as usize]
}

const TOKEN: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.' | b'!' | b'%' | b'*' | b'_' | b'+' | b'`' | b'\'' | b'~'
            );
        i += 1;
    }
    t
};

/// Position of byte `b` in `s` (SIMD via memchr).
#[inline]
pub(crate) fn find(s: &str, b: u8) -> Option<usize> {
    memchr::memchr(b, s.as_bytes())
}

/// LWS as seen inside an unfolded-in-place value.
#[inline]
pub(crate) fn is_lws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

#[derive(Debug, Clone)]
pub(crate) struct Scanner<'a> {
    pub(crate) s: &'a str,
    pub(crate) pos: usize,
}

impl<'a> Scanner<'a> {
    pub(crate) fn new(s: &'a str) -> Self {
        Scanner { s, pos: 0 }
    }

    #[inline]
    pub(crate) fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.pos).copied()
    }

    #[inline]
    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.s.len()
    }

    pub(crate) fn skip_lws(&mut self) {
        while let Some(b) = self.peek() {
            if is_lws(b) {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    /// Consumes `b` (after optional LWS on both sides, RFC 3261 §25.1 SWS).
    pub(crate) fn eat_sep(&mut self, b: u8) -> bool {
        let save = self.pos;
        self.skip_lws();
        if self.peek() == Some(b) {
            self.pos += 1;
            self.skip_lws();
            true
        } else {
            self.pos = save;
            false
        }
    }

    #[inline]
    pub(crate) fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    pub(crate) fn take_while(&mut self, f: impl Fn(u8) -> bool) -> &'a str {
        let start = self.pos;
        let bytes = self.s.as_bytes();
        while self.pos < bytes.len() && f(bytes[self.pos]) {
            self.pos += 1;
        }
        // Only ASCII predicates are used, so the cut is on a char boundary;
        // `get` keeps it panic-free even if that ever changes.
        self.s.get(start..self.pos).unwrap_or("")
    }

    pub(crate) fn token(&mut self) -> Option<&'a str> {
        let t = self.take_while(is_token);
        (!t.is_empty()).then_some(t)
    }

    /// `quoted-string = SWS DQUOTE *(qdtext / quoted-pair ) DQUOTE`; returns the
    /// slice including both quotes. Linear: a backslash always consumes exactly
    /// one following octet, so nesting cannot cause backtracking.
    pub(crate) fn quoted(&mut self) -> Option<&'a str> {
        let start = self.pos;
        if !self.eat(b'"') {
            return None;
        }
        let bytes = self.s.as_bytes();
        while self.pos < bytes.len() {
            match bytes[self.pos] {
                b'"' => {
                    self.pos += 1;
                    return self.s.get(start..self.pos);
                }
                // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
                b'\\' => match bytes.get(self.pos + 1) {
                    Some(&c) if c <= 0x7f && c != b'\r' && c != b'\n' => self.pos += 2,
                    _ => {
                        self.pos = start;
                        return None;
                    }
                },
                _ => self.pos += 1,
            }
        }
        self.pos = start;
        None
    }

    pub(crate) fn rest(&self) -> &'a str {
        self.s.get(self.pos..).unwrap_or("")
    }
}

/// Removes the quotes and quoted-pair escapes of a quoted-string (RFC 3261 §25.1).
pub fn unquote(s: &str) -> std::borrow::Cow<'_, str> {
    let inner = match s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Some(i) => i,
        None => return std::borrow::Cow::Borrowed(s),
    };
    if !inner.contains('\\') {
        return std::borrow::Cow::Borrowed(inner);
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Splits a comma-separated header value (RFC 3261 §7.3.1) into its elements,
/// ignoring commas inside quoted strings and `<...>`. Elements are trimmed of
/// LWS; an empty element is yielded as `""` so typed parsers can reject it.
#[derive(Debug, Clone)]
pub struct CommaSplit<'a> {
    s: &'a str,
    pos: usize,
    done: bool,
}

impl<'a> CommaSplit<'a> {
    pub fn new(s: &'a str) -> Self {
        CommaSplit {
            s,
            pos: 0,
            done: false,
        }
    }
}

impl<'a> Iterator for CommaSplit<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        if self.done {
            return None;
        }
        let bytes = self.s.as_bytes();
        let len = bytes.len();
        let start = self.pos;
        let mut i = self.pos;
        // Jump between the only bytes that matter: `,` `"` `<` (then `"`/`\\` or `>`).
        while i < len {
            let Some(k) = memchr::memchr3(b',', b'"', b'<', bytes.get(i..).unwrap_or(&[])) else {
                i = len;
                break;
            };
            i += k;
            match bytes[i] {
                b',' => break,
                b'"' => {
                    i += 1;
                    loop {
                        match memchr::memchr2(b'"', b'\\', bytes.get(i..).unwrap_or(&[])) {
                            None => {
                                i = len;
                                break;
                            }
                            Some(k) if bytes[i + k] == b'\\' => i += k + 2,
                            Some(k) => {
                                i += k + 1;
                                break;
                            }
                        }
                    }
                }
                _ => match memchr::memchr(b'>', bytes.get(i..).unwrap_or(&[])) {
                    Some(k) => i += k + 1,
                    None => i = len,
                },
            }
        }
        let end = i.min(bytes.len());
        if end >= bytes.len() {
            self.done = true;
        }
        self.pos = end + 1;
        let item = self.s.get(start..end).unwrap_or("");
        Some(item.trim_matches(|c: char| c.is_ascii() && is_lws(c as u8)))
    }
}
