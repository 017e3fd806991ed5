//! SDP (RFC 8866) parsing and serialization, with typed views of what a
//! WebRTC/G.711 phone needs (rtpmap, fmtp, direction, ICE, DTLS, rtcp-mux,
//! ssrc) and the RFC 3264 offer/answer helpers.

use std::fmt::{self, Write as _};

/// Why an SDP body could not be parsed: the 1-based line and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdpError {
    pub line: usize,
    pub what: &'static str,
}

impl fmt::Display for SdpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SDP line {}: {}", self.line, self.what)
    }
}
impl std::error::Error for SdpError {}

/// `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub username: String,
    pub session_id: String,
    pub session_version: u64,
    pub net_type: String,
    pub addr_type: String,
    pub address: String,
}

/// `c=<nettype> <addrtype> <connection-address>`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub net_type: String,
    pub addr_type: String,
    pub address: String,
}

/// `a=<name>[:<value>]`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub name: String,
    pub value: Option<String>,
}

/// Media direction (RFC 3264 §5.1, RFC 8866 §6.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }
    fn parse(s: &str) -> Option<Direction> {
        Some(match s {
            "sendrecv" => Direction::SendRecv,
            "sendonly" => Direction::SendOnly,
            "recvonly" => Direction::RecvOnly,
            "inactive" => Direction::Inactive,
            _ => return None,
        })
    }
    /// The answer's direction for an offered one, given what we want (RFC 3264 §6.1).
    pub fn answer(self, local: Direction) -> Direction {
        let (offer_send, offer_recv) = self.flags();
        let (we_send, we_recv) = local.flags();
        Direction::from_flags(we_send && offer_recv, we_recv && offer_send)
    }
    fn flags(self) -> (bool, bool) {
        match self {
            Direction::SendRecv => (true, true),
            Direction::SendOnly => (true, false),
            Direction::RecvOnly => (false, true),
            Direction::Inactive => (false, false),
        }
    }
    fn from_flags(send: bool, recv: bool) -> Direction {
        match (send, recv) {
            (true, true) => Direction::SendRecv,
            (true, false) => Direction::SendOnly,
            (false, true) => Direction::RecvOnly,
            (false, false) => Direction::Inactive,
        }
    }
}

/// One `m=` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    pub kind: String,
    pub port: u16,
    pub port_count: Option<u16>,
    pub proto: String,
    pub formats: Vec<String>,
    pub connection: Option<Connection>,
    pub bandwidth: Vec<String>,
    /// Other lines (`i=`, `k=`) kept for passthrough.
    pub other: Vec<(char, String)>,
    pub attributes: Vec<Attribute>,
}

/// A session description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub origin: Origin,
    pub name: String,
    pub connection: Option<Connection>,
    pub bandwidth: Vec<String>,
    pub timing: Vec<(u64, u64)>,
    /// Other session-level lines (`i= u= e= p= r= z= k=`) kept for passthrough.
    pub other: Vec<(char, String)>,
    pub attributes: Vec<Attribute>,
    pub media: Vec<Media>,
}

/// `a=rtpmap:<payload type> <encoding name>/<clock rate>[/<channels>]`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtpMap {
    pub pt: u8,
    pub name: String,
    pub clock: u32,
    pub channels: Option<u8>,
}

/// `a=candidate:` (RFC 8839 §5.1), the fields a relay needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub foundation: String,
    pub component: u16,
    pub transport: String,
    pub priority: u32,
    pub address: String,
    pub port: u16,
    pub typ: String,
}

/// Limits keep hostile bodies cheap.
const MAX_LINES: usize = 4096;

fn attrs_get<'a>(attrs: &'a [Attribute], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|a| a.name == name)
        .map(|a| a.value.as_deref().unwrap_or(""))
}

impl Session {
    /// Parses an SDP body (RFC 8866 §5). Accepts CRLF or LF line ends.
    pub fn parse(body: &[u8]) -> Result<Session, SdpError> {
        let text = std::str::from_utf8(body).map_err(|_| SdpError {
            line: 0,
            what: "not UTF-8",
        })?;
        let mut version = false;
        let mut origin = None;
        let mut name = None;
        let mut s = Session {
            origin: Origin {
                username: String::new(),
                session_id: String::new(),
                session_version: 0,
                net_type: String::new(),
                addr_type: String::new(),
                address: String::new(),
            },
            name: String::new(),
            connection: None,
            bandwidth: Vec::new(),
            timing: Vec::new(),
            other: Vec::new(),
            attributes: Vec::new(),
            media: Vec::new(),
        };
        for (i, raw) in text.split('\n').enumerate() {
            let line_no = i + 1;
            if i >= MAX_LINES {
                return Err(SdpError {
                    line: line_no,
                    what: "too many lines",
                });
            }
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            if line.is_empty() {
                continue;
            }
            let e = |what| SdpError {
                line: line_no,
                what,
            };
            let b = line.as_bytes();
            if b.len() < 2 || b[1] != b'=' || !b[0].is_ascii_lowercase() {
                return Err(e("expected <type>=<value>"));
            }
            let typ = b[0] as char;
            let value = &line[2..];
            if !version && typ != 'v' {
                return Err(e("v= must come first"));
            }
            match typ {
                'v' => {
                    if version || value != "0" {
                        return Err(e("v= must be 0, once"));
                    }
                    version = true;
                }
                'o' => {
                    let f: Vec<&str> = value.split(' ').collect();
                    if f.len() != 6 || origin.is_some() {
                        return Err(e("o= needs 6 fields"));
                    }
                    origin = Some(Origin {
                        username: f[0].into(),
                        session_id: f[1].into(),
                        session_version: f[2].parse().map_err(|_| e("bad sess-version"))?,
                        net_type: f[3].into(),
                        addr_type: f[4].into(),
                        address: f[5].into(),
                    });
                }
                's' => {
                    if name.is_some() {
                        return Err(e("duplicate s="));
                    }
                    name = Some(value.to_owned());
                }
                'c' => {
                    let f: Vec<&str> = value.split(' ').collect();
                    if f.len() != 3 {
                        return Err(e("c= needs 3 fields"));
                    }
                    let c = Connection {
                        net_type: f[0].into(),
                        addr_type: f[1].into(),
                        address: f[2].into(),
                    };
                    match s.media.last_mut() {
                        Some(m) => m.connection = Some(c),
                        None => s.connection = Some(c),
                    }
                }
                'b' => match s.media.last_mut() {
                    Some(m) => m.bandwidth.push(value.into()),
                    None => s.bandwidth.push(value.into()),
                },
                't' => {
                    let (a, b) = value.split_once(' ').ok_or(e("t= needs 2 fields"))?;
                    s.timing.push((
                        a.parse().map_err(|_| e("bad t= start"))?,
                        b.parse().map_err(|_| e("bad t= stop"))?,
                    ));
                }
                'a' => {
                    let (n, v) = match value.split_once(':') {
                        Some((n, v)) => (n, Some(v.to_owned())),
                        None => (value, None),
                    };
                    if n.is_empty() {
                        return Err(e("empty attribute name"));
                    }
                    let a = Attribute {
                        name: n.into(),
                        value: v,
                    };
                    match s.media.last_mut() {
                        Some(m) => m.attributes.push(a),
                        None => s.attributes.push(a),
                    }
                }
                'm' => {
                    // m=<media> <port>[/<number of ports>] <proto> <fmt> ...
                    let mut f = value.split(' ');
                    let kind = f.next().filter(|k| !k.is_empty()).ok_or(e("m= media"))?;
                    let port_s = f.next().ok_or(e("m= port"))?;
                    let (port, count) = match port_s.split_once('/') {
                        Some((p, c)) => (p, Some(c.parse().map_err(|_| e("m= port count"))?)),
                        None => (port_s, None),
                    };
                    let proto = f.next().filter(|p| !p.is_empty()).ok_or(e("m= proto"))?;
                    let formats: Vec<String> = f.map(str::to_owned).collect();
                    if formats.is_empty() || formats.iter().any(|x| x.is_empty()) {
                        return Err(e("m= formats"));
                    }
                    s.media.push(Media {
                        kind: kind.into(),
                        port: port.parse().map_err(|_| e("m= port"))?,
                        port_count: count,
                        proto: proto.into(),
                        formats,
                        connection: None,
                        bandwidth: Vec::new(),
                        other: Vec::new(),
                        attributes: Vec::new(),
                    });
                }
                other => match s.media.last_mut() {
                    Some(m) => m.other.push((other, value.into())),
                    None => s.other.push((other, value.into())),
                },
            }
        }
        s.origin = origin.ok_or(SdpError {
            line: 0,
            what: "missing o=",
        })?;
        s.name = name.ok_or(SdpError {
            line: 0,
            what: "missing s=",
        })?;
        if s.timing.is_empty() {
            return Err(SdpError {
                line: 0,
                what: "missing t=",
            });
        }
        Ok(s)
    }

    pub fn attribute(&self, name: &str) -> Option<&str> {
        attrs_get(&self.attributes, name)
    }

    /// Serializes in RFC 8866 §5 order with CRLF line ends.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.to_string().into_bytes()
    }
}

impl fmt::Display for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = &self.origin;
        write!(
            f,
            "v=0\r\no={} {} {} {} {} {}\r\ns={}\r\n",
            o.username,
            o.session_id,
            o.session_version,
            o.net_type,
            o.addr_type,
            o.address,
            self.name
        )?;
        // Other lines in their original order (RFC 8866 puts i/u/e/p here; we
        // keep them together so serialize -> parse is the identity).
        for (t, v) in &self.other {
            write!(f, "{t}={v}\r\n")?;
        }
        if let Some(c) = &self.connection {
            write!(f, "c={} {} {}\r\n", c.net_type, c.addr_type, c.address)?;
        }
        for b in &self.bandwidth {
            write!(f, "b={b}\r\n")?;
        }
        for (a, b) in &self.timing {
            write!(f, "t={a} {b}\r\n")?;
        }
        for a in &self.attributes {
            write_attr(f, a)?;
        }
        for m in &self.media {
            write!(f, "m={} {}", m.kind, m.port)?;
            if let Some(c) = m.port_count {
                write!(f, "/{c}")?;
            }
            write!(f, " {}", m.proto)?;
            for x in &m.formats {
                write!(f, " {x}")?;
            }
            f.write_str("\r\n")?;
            for (t, v) in &m.other {
                write!(f, "{t}={v}\r\n")?;
            }
            if let Some(c) = &m.connection {
                write!(f, "c={} {} {}\r\n", c.net_type, c.addr_type, c.address)?;
            }
            for b in &m.bandwidth {
                write!(f, "b={b}\r\n")?;
            }
            for a in &m.attributes {
                write_attr(f, a)?;
            }
        }
        Ok(())
    }
}

fn write_attr(f: &mut fmt::Formatter<'_>, a: &Attribute) -> fmt::Result {
    match &a.value {
        Some(v) => write!(f, "a={}:{}\r\n", a.name, v),
        None => write!(f, "a={}\r\n", a.name),
    }
}

impl Media {
    pub fn attribute(&self, name: &str) -> Option<&str> {
        attrs_get(&self.attributes, name)
    }
    pub fn attributes<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.attributes
            .iter()
            .filter(move |a| a.name == name)
            .map(|a| a.value.as_deref().unwrap_or(""))
    }
    /// The media direction, defaulting to sendrecv; a session-level value applies if absent.
    pub fn direction(&self, session: &Session) -> Direction {
        self.attributes
            .iter()
            .chain(session.attributes.iter())
            .find_map(|a| Direction::parse(&a.name))
            .unwrap_or(Direction::SendRecv)
    }
    /// Replaces any direction attribute.
    pub fn set_direction(&mut self, d: Direction) {
        self.attributes
            .retain(|a| Direction::parse(&a.name).is_none());
        self.attributes.push(Attribute {
            name: d.as_str().into(),
            value: None,
        });
    }
    /// rtpmap entries, plus the RFC 3551 static types listed without one.
    pub fn rtpmaps(&self) -> Vec<RtpMap> {
        let mut out = Vec::new();
        for fmt in &self.formats {
            let Ok(pt) = fmt.parse::<u8>() else { continue };
            let explicit = self.attributes("rtpmap").find_map(|v| {
                let (p, rest) = v.split_once(' ')?;
                if p.parse::<u8>().ok()? != pt {
                    return None;
                }
                let mut parts = rest.split('/');
                let name = parts.next()?.to_owned();
                let clock = parts.next()?.parse().ok()?;
                let channels = parts.next().and_then(|c| c.parse().ok());
                Some(RtpMap {
                    pt,
                    name,
                    clock,
                    channels,
                })
            });
            let m = explicit.or_else(|| match pt {
                0 => Some(RtpMap {
                    pt,
                    name: "PCMU".into(),
                    clock: 8000,
                    channels: None,
                }),
                8 => Some(RtpMap {
                    pt,
                    name: "PCMA".into(),
                    clock: 8000,
                    channels: None,
                }),
                9 => Some(RtpMap {
                    pt,
                    name: "G722".into(),
                    clock: 8000,
                    channels: None,
                }),
                18 => Some(RtpMap {
                    pt,
                    name: "G729".into(),
                    clock: 8000,
                    channels: None,
                }),
                _ => None,
            });
            out.extend(m);
        }
        out
    }
    /// `a=fmtp:<pt> <params>`
    pub fn fmtp(&self, pt: u8) -> Option<&str> {
        self.attributes("fmtp").find_map(|v| {
            let (p, rest) = v.split_once(' ')?;
            (p.parse::<u8>().ok()? == pt).then_some(rest)
        })
    }
    pub fn ice_ufrag<'a>(&'a self, s: &'a Session) -> Option<&'a str> {
        self.attribute("ice-ufrag")
            .or_else(|| s.attribute("ice-ufrag"))
    }
    pub fn ice_pwd<'a>(&'a self, s: &'a Session) -> Option<&'a str> {
        self.attribute("ice-pwd").or_else(|| s.attribute("ice-pwd"))
    }
    /// `a=fingerprint:<hash-func> <fingerprint>` (RFC 8122), media or session level.
    pub fn fingerprint<'a>(&'a self, s: &'a Session) -> Option<(&'a str, &'a str)> {
        self.attribute("fingerprint")
            .or_else(|| s.attribute("fingerprint"))?
            .split_once(' ')
    }
    /// `a=setup:` (RFC 4145): active, passive, actpass, holdconn.
    pub fn setup(&self) -> Option<&str> {
        self.attribute("setup")
    }
    pub fn rtcp_mux(&self) -> bool {
        self.attribute("rtcp-mux").is_some()
    }
    pub fn mid(&self) -> Option<&str> {
        self.attribute("mid")
    }
    /// Distinct SSRCs from `a=ssrc:<ssrc> <attr>` (RFC 5576).
    pub fn ssrcs(&self) -> Vec<u32> {
        let mut v: Vec<u32> = self
            .attributes("ssrc")
            .filter_map(|x| x.split(' ').next()?.parse().ok())
            .collect();
        v.dedup();
        v
    }
    pub fn candidates(&self) -> Vec<Candidate> {
        self.attributes("candidate")
            .filter_map(|v| {
                let f: Vec<&str> = v.split(' ').collect();
                if f.len() < 8 || f[6] != "typ" {
                    return None;
                }
                Some(Candidate {
                    foundation: f[0].into(),
                    component: f[1].parse().ok()?,
                    transport: f[2].into(),
                    priority: f[3].parse().ok()?,
                    address: f[4].into(),
                    port: f[5].parse().ok()?,
                    typ: f[7].into(),
                })
            })
            .collect()
    }
}

/// A codec we can send and receive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Codec {
    pub name: String,
    pub clock: u32,
    pub channels: Option<u8>,
    /// Payload type used when we offer (static for G.711).
    pub pt: u8,
    pub fmtp: Option<String>,
}

impl Codec {
    pub fn pcmu() -> Codec {
        Codec {
            name: "PCMU".into(),
            clock: 8000,
            channels: None,
            pt: 0,
            fmtp: None,
        }
    }
    pub fn pcma() -> Codec {
        Codec {
            name: "PCMA".into(),
            clock: 8000,
            channels: None,
            pt: 8,
            fmtp: None,
        }
    }
    pub fn opus() -> Codec {
        Codec {
            name: "opus".into(),
            clock: 48000,
            channels: Some(2),
            pt: 111,
            fmtp: Some("minptime=10;useinbandfec=1".into()),
        }
    }
    pub fn telephone_event() -> Codec {
        Codec {
            name: "telephone-event".into(),
            clock: 8000,
            channels: None,
            pt: 101,
            fmtp: Some("0-16".into()),
        }
    }
    fn matches(&self, m: &RtpMap) -> bool {
        self.name.eq_ignore_ascii_case(&m.name)
            && self.clock == m.clock
            && (self.channels.unwrap_or(1) == m.channels.unwrap_or(1))
    }
}

/// Local media parameters for building offers and answers.
#[derive(Debug, Clone)]
pub struct LocalMedia {
    /// In preference order.
    pub codecs: Vec<Codec>,
    pub address: String,
    pub port: u16,
    /// `RTP/AVP` for plain SIP trunks, `UDP/TLS/RTP/SAVPF` for WebRTC.
    pub proto: String,
    pub direction: Direction,
    pub ice: Option<(String, String)>,
    pub candidates: Vec<String>,
    /// (hash function, fingerprint)
    pub fingerprint: Option<(String, String)>,
    pub rtcp_mux: bool,
    pub ssrc: Option<u32>,
    pub session_id: u64,
    pub session_version: u64,
}

/// Why an offer cannot be answered (the UAS answers 488, RFC 3264 §6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfferAnswerError {
    /// No audio stream with a codec in common.
    NoCommonCodec,
}

fn session_for(local: &LocalMedia) -> Session {
    let ip6 = local.address.contains(':');
    let addr_type = if ip6 { "IP6" } else { "IP4" };
    Session {
        origin: Origin {
            username: "-".into(),
            session_id: local.session_id.to_string(),
            session_version: local.session_version,
            net_type: "IN".into(),
            addr_type: addr_type.into(),
            address: local.address.clone(),
        },
        name: "-".into(),
        connection: Some(Connection {
            net_type: "IN".into(),
            addr_type: addr_type.into(),
            address: local.address.clone(),
        }),
        bandwidth: Vec::new(),
        timing: vec![(0, 0)],
        other: Vec::new(),
        attributes: Vec::new(),
        media: Vec::new(),
    }
}

fn push_transport_attrs(m: &mut Media, local: &LocalMedia, setup: Option<&str>) {
    let a = |n: &str, v: Option<String>| Attribute {
        name: n.into(),
        value: v,
    };
    if let Some((u, p)) = &local.ice {
        m.attributes.push(a("ice-ufrag", Some(u.clone())));
        m.attributes.push(a("ice-pwd", Some(p.clone())));
    }
    if let Some((h, f)) = &local.fingerprint {
        m.attributes
            .push(a("fingerprint", Some(format!("{h} {f}"))));
        if let Some(s) = setup {
            m.attributes.push(a("setup", Some(s.into())));
        }
    }
    for c in &local.candidates {
        m.attributes.push(a("candidate", Some(c.clone())));
    }
    if local.rtcp_mux {
        m.attributes.push(a("rtcp-mux", None));
    }
    if let Some(ssrc) = local.ssrc {
        m.attributes
            .push(a("ssrc", Some(format!("{ssrc} cname:callcard"))));
    }
}

fn push_codec(m: &mut Media, c: &Codec, pt: u8) {
    m.formats.push(pt.to_string());
    let mut v = format!("{pt} {}/{}", c.name, c.clock);
    if let Some(ch) = c.channels {
        let _ = write!(v, "/{ch}");
    }
    m.attributes.push(Attribute {
        name: "rtpmap".into(),
        value: Some(v),
    });
    if let Some(f) = &c.fmtp {
        m.attributes.push(Attribute {
            name: "fmtp".into(),
            value: Some(format!("{pt} {f}")),
        });
    }
}

/// Builds an audio offer (RFC 3264 §5).
pub fn offer(local: &LocalMedia) -> Session {
    let mut s = session_for(local);
    let mut m = Media {
        kind: "audio".into(),
        port: local.port,
        port_count: None,
        proto: local.proto.clone(),
        formats: Vec::new(),
        connection: None,
        bandwidth: Vec::new(),
        other: Vec::new(),
        attributes: Vec::new(),
    };
    for c in &local.codecs {
        push_codec(&mut m, c, c.pt);
    }
    push_transport_attrs(&mut m, local, Some("actpass"));
    m.set_direction(local.direction);
    s.media.push(m);
    s
}

/// Builds the answer to `offer` (RFC 3264 §6): the first audio stream with a
/// common codec is accepted using the offerer's payload types, ordered by our
/// preference; other streams are rejected with port 0.
pub fn answer(offer: &Session, local: &LocalMedia) -> Result<Session, OfferAnswerError> {
    let mut s = session_for(local);
    let mut accepted = false;
    for om in &offer.media {
        let mut m = Media {
            kind: om.kind.clone(),
            port: 0,
            port_count: None,
            proto: om.proto.clone(),
            formats: Vec::new(),
            connection: None,
            bandwidth: Vec::new(),
            other: Vec::new(),
            attributes: Vec::new(),
        };
        if let Some(mid) = om.mid() {
            m.attributes.push(Attribute {
                name: "mid".into(),
                value: Some(mid.into()),
            });
        }
        let offered = om.rtpmaps();
        let mut common: Vec<(&Codec, u8)> = Vec::new();
        if om.kind == "audio" && om.port != 0 && !accepted {
            for c in &local.codecs {
                if let Some(r) = offered.iter().find(|r| c.matches(r)) {
                    common.push((c, r.pt));
                }
            }
        }
        let has_voice = common
            .iter()
            .any(|(c, _)| !c.name.eq_ignore_ascii_case("telephone-event"));
        if has_voice {
            accepted = true;
            m.port = local.port;
            for (c, pt) in &common {
                // RFC 3264 §6.1: keep the offerer's payload type numbers.
                push_codec(&mut m, c, *pt);
            }
            // RFC 5763 §5: answer actpass with active.
            let setup = match om.setup() {
                Some("active") => Some("passive"),
                Some(_) => Some("active"),
                None => None,
            };
            let mut local_t = local.clone();
            local_t.rtcp_mux = local.rtcp_mux && om.rtcp_mux();
            push_transport_attrs(&mut m, &local_t, setup);
            m.set_direction(om.direction(offer).answer(local.direction));
        } else {
            // RFC 3264 §6: a rejected stream has port 0 and at least one format.
            m.formats = om.formats.clone();
        }
        s.media.push(m);
    }
    if accepted {
        Ok(s)
    } else {
        Err(OfferAnswerError::NoCommonCodec)
    }
}

/// The negotiated send codec of an answer (first non-DTMF codec) and the
/// telephone-event payload type, as the media engine needs them.
pub fn negotiated(answer: &Session) -> Option<(RtpMap, Option<u8>)> {
    let m = answer
        .media
        .iter()
        .find(|m| m.kind == "audio" && m.port != 0)?;
    let maps = m.rtpmaps();
    let dtmf = maps
        .iter()
        .find(|r| r.name.eq_ignore_ascii_case("telephone-event"))
        .map(|r| r.pt);
    let codec = maps
        .into_iter()
        .find(|r| !r.name.eq_ignore_ascii_case("telephone-event"))?;
    Some((codec, dtmf))
}
