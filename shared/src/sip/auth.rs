//! HTTP Digest authentication for SIP (RFC 3261 §22, RFC 2617 / RFC 7616
//! computations, RFC 8760 SHA-256): a client that answers 401/407 challenges
//! and a server that issues them, with qop=auth, nc/cnonce, stale nonces and
//! nonce expiry. Randomness (cnonce, nonce) comes in from the caller.

use super::header::AuthParams;
use crate::time::Duration;
use crate::Instant;
use md5::Md5;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt::Write as _;

/// The digest algorithm (RFC 8760 §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Md5,
    Sha256,
}

impl Algorithm {
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Sha256 => "SHA-256",
        }
    }
    fn parse(s: &str) -> Option<Algorithm> {
        if s.eq_ignore_ascii_case("MD5") {
            Some(Algorithm::Md5)
        } else if s.eq_ignore_ascii_case("SHA-256") {
            Some(Algorithm::Sha256)
        } else {
            None
        }
    }
    /// Lower-case hex of the hash of `data`.
    pub fn hex(self, data: &str) -> String {
        match self {
            Algorithm::Md5 => to_hex(&Md5::digest(data.as_bytes())),
            Algorithm::Sha256 => to_hex(&Sha256::digest(data.as_bytes())),
        }
    }
}

fn to_hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        let _ = write!(s, "{x:02x}");
    }
    s
}

/// Why a header could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// Not `Digest`, or malformed.
    Scheme,
    /// A required parameter is missing.
    Missing(&'static str),
    /// An algorithm other than MD5 / SHA-256.
    Algorithm,
    /// The challenge offers qop values, but not `auth`.
    Qop,
}

/// A parsed `WWW-Authenticate` / `Proxy-Authenticate` Digest challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub realm: String,
    pub nonce: String,
    pub opaque: Option<String>,
    pub algorithm: Algorithm,
    /// Whether `qop="auth"` was offered (RFC 3261 §22.4 prefers it).
    pub qop_auth: bool,
    pub stale: bool,
}

impl Challenge {
    pub fn parse(value: &str) -> Result<Challenge, AuthError> {
        let p = AuthParams::parse(value).map_err(|_| AuthError::Scheme)?;
        if !p.scheme.eq_ignore_ascii_case("Digest") {
            return Err(AuthError::Scheme);
        }
        let algorithm = match p.get("algorithm") {
            None => Algorithm::Md5,
            Some(a) => Algorithm::parse(&a).ok_or(AuthError::Algorithm)?,
        };
        let qop = p.get("qop");
        let qop_auth = qop
            .as_deref()
            .is_some_and(|q| q.split(',').any(|x| x.trim().eq_ignore_ascii_case("auth")));
        if qop.is_some() && !qop_auth {
            return Err(AuthError::Qop);
        }
        Ok(Challenge {
            realm: p
                .get("realm")
                .ok_or(AuthError::Missing("realm"))?
                .into_owned(),
            nonce: p
                .get("nonce")
                .ok_or(AuthError::Missing("nonce"))?
                .into_owned(),
            opaque: p.get("opaque").map(|o| o.into_owned()),
            algorithm,
            qop_auth,
            stale: p
                .get("stale")
                .is_some_and(|s| s.eq_ignore_ascii_case("true")),
        })
    }

    /// Serializes the challenge header value.
    pub fn to_header(&self) -> String {
        let mut s = format!(
            "Digest realm=\"{}\", nonce=\"{}\", algorithm={}",
            self.realm,
            self.nonce,
            self.algorithm.as_str()
        );
        if let Some(o) = &self.opaque {
            let _ = write!(s, ", opaque=\"{o}\"");
        }
        if self.qop_auth {
            s.push_str(", qop=\"auth\"");
        }
        if self.stale {
            s.push_str(", stale=true");
        }
        s
    }
}

/// `request-digest` (RFC 2617 §3.2.2.1, RFC 7616 §3.4.1) for qop=auth or no qop.
#[allow(clippy::too_many_arguments)]
pub fn digest_response(
    alg: Algorithm,
    username: &str,
    realm: &str,
    password: &str,
    method: &str,
    uri: &str,
    nonce: &str,
    qop: Option<(&str, &str)>, // (nc, cnonce)
) -> String {
    let ha1 = alg.hex(&format!("{username}:{realm}:{password}"));
    digest_response_ha1(alg, &ha1, method, uri, nonce, qop)
}

fn digest_response_ha1(
    alg: Algorithm,
    ha1: &str,
    method: &str,
    uri: &str,
    nonce: &str,
    qop: Option<(&str, &str)>,
) -> String {
    let ha2 = alg.hex(&format!("{method}:{uri}"));
    match qop {
        Some((nc, cnonce)) => alg.hex(&format!("{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")),
        None => alg.hex(&format!("{ha1}:{nonce}:{ha2}")),
    }
}

/// The client side: remembers the nonce count per nonce (RFC 2617 §3.2.2).
#[derive(Debug, Clone)]
pub struct DigestClient {
    pub username: String,
    pub password: String,
    nc: u32,
    last_nonce: String,
}

impl DigestClient {
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        DigestClient {
            username: username.into(),
            password: password.into(),
            nc: 0,
            last_nonce: String::new(),
        }
    }

    /// The `Authorization` / `Proxy-Authorization` value answering `ch` for a
    /// request `method` to `uri`. `cnonce` is caller-supplied randomness.
    pub fn authorize(&mut self, ch: &Challenge, method: &str, uri: &str, cnonce: &str) -> String {
        if self.last_nonce != ch.nonce {
            self.last_nonce = ch.nonce.clone();
            self.nc = 0;
        }
        self.nc += 1;
        let nc = format!("{:08x}", self.nc);
        let qop = ch.qop_auth.then_some((nc.as_str(), cnonce));
        let response = digest_response(
            ch.algorithm,
            &self.username,
            &ch.realm,
            &self.password,
            method,
            uri,
            &ch.nonce,
            qop,
        );
        let mut s = format!(
            "Digest username=\"{}\", realm=\"{}\", nonce=\"{}\", uri=\"{}\", response=\"{}\", algorithm={}",
            self.username,
            ch.realm,
            ch.nonce,
            uri,
            response,
            ch.algorithm.as_str()
        );
        if qop.is_some() {
            let _ = write!(s, ", cnonce=\"{cnonce}\", qop=auth, nc={nc}");
        }
        if let Some(o) = &ch.opaque {
            let _ = write!(s, ", opaque=\"{o}\"");
        }
        s
    }
}

/// The `username` of a Digest `Authorization` value, before it is checked:
/// a registrar serving many accounts needs it to find whose password to use.
pub fn digest_username(authorization: &str) -> Option<String> {
    let p = AuthParams::parse(authorization).ok()?;
    if !p.scheme.eq_ignore_ascii_case("Digest") {
        return None;
    }
    p.get("username").map(|u| u.into_owned())
}

/// The outcome of checking credentials on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// Authenticated as this user.
    Ok(String),
    /// Right password, but the nonce expired or is unknown: challenge again with `stale=true`.
    Stale,
    /// No usable credentials: send a challenge.
    Challenge,
    /// Wrong password or replayed nonce count: answer 403 (or challenge again).
    Forbidden,
}

/// The server side: issues nonces, expires them after `nonce_ttl`, checks
/// responses and nonce counts.
#[derive(Debug, Clone)]
pub struct DigestServer {
    pub realm: String,
    pub algorithm: Algorithm,
    pub nonce_ttl: Duration,
    /// Nonce → (issued at, highest nc seen).
    nonces: HashMap<String, (Instant, u32)>,
    max_nonces: usize,
}

impl DigestServer {
    pub fn new(realm: impl Into<String>, algorithm: Algorithm, nonce_ttl: Duration) -> Self {
        DigestServer {
            realm: realm.into(),
            algorithm,
            nonce_ttl,
            nonces: HashMap::new(),
            max_nonces: 4096,
        }
    }

    /// A fresh challenge header value; `random` feeds the nonce.
    pub fn challenge(&mut self, now: Instant, random: u64, stale: bool) -> String {
        // Bounded memory: forget expired nonces, then the oldest.
        let ttl = self.nonce_ttl;
        self.nonces
            .retain(|_, (at, _)| now.saturating_duration_since(*at) <= ttl);
        if self.nonces.len() >= self.max_nonces {
            if let Some(oldest) = self
                .nonces
                .iter()
                .min_by_key(|(_, (at, _))| *at)
                .map(|(k, _)| k.clone())
            {
                self.nonces.remove(&oldest);
            }
        }
        let nonce = self
            .algorithm
            .hex(&format!("{random:016x}:{}", self.nonces.len()));
        self.nonces.insert(nonce.clone(), (now, 0));
        Challenge {
            realm: self.realm.clone(),
            nonce,
            opaque: None,
            algorithm: self.algorithm,
            qop_auth: true,
            stale,
        }
        .to_header()
    }

    /// Checks an Authorization header value for `method`; `password` looks up
    /// a user's password (None: unknown user).
    pub fn verify(
        &mut self,
        now: Instant,
        method: &str,
        authorization: Option<&str>,
        password: impl Fn(&str) -> Option<String>,
    ) -> Verification {
        let Some(value) = authorization else {
            return Verification::Challenge;
        };
        let Ok(p) = AuthParams::parse(value) else {
            return Verification::Challenge;
        };
        if !p.scheme.eq_ignore_ascii_case("Digest") {
            return Verification::Challenge;
        }
        let (Some(user), Some(realm), Some(nonce), Some(uri), Some(resp)) = (
            p.get("username"),
            p.get("realm"),
            p.get("nonce"),
            p.get("uri"),
            p.get("response"),
        ) else {
            return Verification::Challenge;
        };
        if realm != self.realm.as_str() {
            return Verification::Challenge;
        }
        let alg = match p.get("algorithm") {
            None => Algorithm::Md5,
            Some(a) => match Algorithm::parse(&a) {
                Some(a) => a,
                None => return Verification::Challenge,
            },
        };
        let Some(pw) = password(&user) else {
            return Verification::Forbidden;
        };
        let nc_s = p.get("nc");
        let cnonce = p.get("cnonce");
        let qop = match (p.get("qop"), &nc_s, &cnonce) {
            (Some(q), Some(nc), Some(cn)) if q.eq_ignore_ascii_case("auth") => {
                Some((nc.as_ref(), cn.as_ref()))
            }
            (None, _, _) => None,
            _ => return Verification::Challenge,
        };
        let expected = digest_response(alg, &user, &realm, &pw, method, &uri, &nonce, qop);
        if !constant_time_eq(expected.as_bytes(), resp.as_bytes()) {
            return Verification::Forbidden;
        }
        // Right password: now the nonce must be ours, fresh, and nc increasing.
        let ttl = self.nonce_ttl;
        match self.nonces.get_mut(nonce.as_ref()) {
            Some((at, _)) if now.saturating_duration_since(*at) > ttl => {
                self.nonces.remove(nonce.as_ref());
                Verification::Stale
            }
            None => Verification::Stale,
            Some((_, last_nc)) => {
                if let Some((nc, _)) = qop {
                    match u32::from_str_radix(nc, 16) {
                        Ok(n) if n > *last_nc => *last_nc = n,
                        _ => return Verification::Forbidden,
                    }
                }
                Verification::Ok(user.into_owned())
            }
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
