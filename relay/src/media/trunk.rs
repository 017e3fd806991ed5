//! The trunk leg: plain RTP/AVP toward the SIP provider on an even UDP port
//! (RTCP on the next port is read and discarded). SDP carries the public (or
//! bind) address. RTP is accepted from the address the provider's SDP named;
//! only when that address is a private one (the provider behind NAT, its SDP
//! naming what it cannot be reached at) does the first valid RTP packet from
//! elsewhere latch the address we send to (symmetric RTP). Anything else —
//! RTP from another source, a late packet of an earlier call on a reused
//! port, a stranger spraying the range — is ignored and counted, and
//! datagrams that are not RTP of a negotiated payload type are dropped and
//! counted without latching anything.

use std::net::{IpAddr, SocketAddr};

use callcard_shared::sip::sdp::{self, Codec, Direction, LocalMedia, Session};
use tokio::net::UdpSocket;

use super::codec::{Payload, PtMap};
use super::ports::PortLease;
use super::rtp::{self, RtpView};
use super::MediaError;

pub(crate) struct TrunkLeg {
    pub(crate) rtp: std::sync::Arc<UdpSocket>,
    pub(crate) rtcp: std::sync::Arc<UdpSocket>,
    lease: PortLease,
    advertised: IpAddr,
    /// Where the provider's SDP said to send.
    remote: Option<SocketAddr>,
    /// Where the provider actually sends from (symmetric RTP).
    latched: Option<SocketAddr>,
    /// Payload types valid on this leg, in the provider's order once known.
    pub(crate) codecs: PtMap,
    /// Our negotiated direction toward the provider: we may send RTP to it
    /// only if this sends, and accept its RTP only if this receives.
    pub(crate) direction: Direction,
    /// The direction of our last offer, until the provider answers it.
    offered: Direction,
    ssrc: u32,
    session_id: u64,
    /// `o=` version of our last SDP; every new one counts up (RFC 3264 §8).
    version: u64,
    out: Vec<u8>,
}

/// What one datagram on the RTP port turned out to be.
pub(crate) enum Received<'a> {
    Rtp(RtpView<'a>, Payload),
    /// Not RTP, or RTP of a payload type nobody negotiated.
    Garbage,
    /// Valid RTP from an address we do not expect it from.
    Foreign,
}

/// An address a peer behind NAT puts in its SDP: RFC 1918, shared (RFC
/// 6598), link-local or unique-local — not where its packets come from.
fn behind_nat(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_private() || v4.is_link_local() || (a == 100 && (64..128).contains(&b))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
        }
    }
}

fn sdp_err(e: impl std::fmt::Display) -> MediaError {
    MediaError::Sdp(e.to_string())
}

/// The first audio stream of a provider's SDP: its payload types (those the
/// bridge knows) and the address to send to (`None` for 0.0.0.0 or port 0).
pub(crate) fn audio_of(session: &Session) -> Result<(PtMap, Option<SocketAddr>), MediaError> {
    let m = session
        .media
        .iter()
        .find(|m| m.kind == "audio" && m.port != 0)
        .ok_or(MediaError::NoCommonCodec)?;
    let mut map = PtMap::default();
    for r in m.rtpmaps() {
        if let Some(p) = Payload::from_rtpmap(&r.name, r.clock) {
            map.push(r.pt, p);
        }
    }
    if !map.has_voice() {
        return Err(MediaError::NoCommonCodec);
    }
    let addr = m
        .connection
        .as_ref()
        .or(session.connection.as_ref())
        .and_then(|c| c.address.parse::<IpAddr>().ok())
        .filter(|ip| !ip.is_unspecified())
        .map(|ip| SocketAddr::new(ip, m.port));
    Ok((map, addr))
}

/// The direction the provider declared for its first audio stream, from its
/// point of view. No address (`c=0.0.0.0`, the RFC 2543 hold) counts as
/// `inactive`.
pub(crate) fn direction_of(session: &Session, addr: Option<SocketAddr>) -> Direction {
    if addr.is_none() {
        return Direction::Inactive;
    }
    session
        .media
        .iter()
        .find(|m| m.kind == "audio" && m.port != 0)
        .map_or(Direction::Inactive, |m| m.direction(session))
}

/// Whether a direction (from our point of view) lets us send.
pub(crate) fn sends(d: Direction) -> bool {
    matches!(d, Direction::SendRecv | Direction::SendOnly)
}

/// Whether a direction (from our point of view) lets us receive.
pub(crate) fn receives(d: Direction) -> bool {
    matches!(d, Direction::SendRecv | Direction::RecvOnly)
}

fn shared_codec(p: Payload, pt: u8) -> Codec {
    let mut c = match p {
        Payload::Pcmu => Codec::pcmu(),
        Payload::Pcma => Codec::pcma(),
        Payload::Tele => Codec::telephone_event(),
    };
    c.pt = pt;
    c
}

impl TrunkLeg {
    pub(crate) fn new(
        lease: PortLease,
        rtp: UdpSocket,
        rtcp: UdpSocket,
        advertised: IpAddr,
    ) -> Self {
        TrunkLeg {
            rtp: std::sync::Arc::new(rtp),
            rtcp: std::sync::Arc::new(rtcp),
            lease,
            advertised,
            remote: None,
            latched: None,
            codecs: PtMap::default(),
            direction: Direction::SendRecv,
            offered: Direction::SendRecv,
            ssrc: rand::random(),
            session_id: rand::random::<u32>().into(),
            version: 0,
            out: Vec::with_capacity(256),
        }
    }

    pub(crate) fn port(&self) -> u16 {
        self.lease.port()
    }

    fn local_media(&mut self, codecs: &PtMap, direction: Direction) -> LocalMedia {
        self.version += 1;
        LocalMedia {
            codecs: codecs
                .entries()
                .iter()
                .map(|&(pt, p)| shared_codec(p, pt))
                .collect(),
            address: self.advertised.to_string(),
            port: self.port(),
            proto: "RTP/AVP".into(),
            direction,
            ice: None,
            candidates: Vec::new(),
            fingerprint: None,
            rtcp_mux: false,
            ssrc: None,
            session_id: self.session_id,
            session_version: self.version,
        }
    }

    /// Our offer to the provider with `codecs` in preference order.
    pub(crate) fn offer(&mut self, codecs: PtMap, direction: Direction) -> String {
        let s = sdp::offer(&self.local_media(&codecs, direction));
        self.codecs = codecs;
        self.offered = direction;
        String::from_utf8_lossy(&s.to_bytes()).into_owned()
    }

    /// Applies the provider's answer to [`Self::offer`].
    pub(crate) fn accept_answer(&mut self, answer: &str) -> Result<(), MediaError> {
        let session = Session::parse(answer.as_bytes()).map_err(sdp_err)?;
        let (map, addr) = audio_of(&session)?;
        // Only what we offered is valid, in the order the provider chose.
        let mut codecs = PtMap::default();
        for &(pt, p) in map.entries() {
            if self.codecs.kind(pt) == Some(p) {
                codecs.push(pt, p);
            }
        }
        if !codecs.has_voice() {
            return Err(MediaError::NoCommonCodec);
        }
        self.codecs = codecs;
        self.remote = addr;
        // What the provider answered, seen from our side, within what we
        // offered (RFC 3264 §6.1).
        self.direction = direction_of(&session, addr).answer(self.offered);
        Ok(())
    }

    /// Remembers the provider's offer: payload types and address.
    /// A new address (a re-INVITE moving the media) also drops the latch;
    /// no address (`c=0.0.0.0` hold) keeps the old one.
    pub(crate) fn take_offer(&mut self, offered: PtMap, addr: Option<SocketAddr>) {
        self.codecs = offered;
        if addr.is_some() && addr != self.remote {
            self.remote = addr;
            self.latched = None;
        }
    }

    /// Our answer to the provider's `offer`, preferring `prefs` in order.
    pub(crate) fn answer(&mut self, offer: &Session, prefs: &PtMap) -> Result<String, MediaError> {
        let local = self.local_media(prefs, Direction::SendRecv);
        let s = sdp::answer(offer, &local).map_err(|_| MediaError::NoCommonCodec)?;
        let (map, _) = audio_of(&s)?;
        self.codecs = map;
        let offered =
            audio_of(offer).map_or(Direction::Inactive, |(_, addr)| direction_of(offer, addr));
        self.direction = offered.answer(Direction::SendRecv);
        Ok(String::from_utf8_lossy(&s.to_bytes()).into_owned())
    }

    /// Classifies a datagram from `from`, latching on the first valid RTP.
    pub(crate) fn receive<'a>(&mut self, from: SocketAddr, buf: &'a [u8]) -> Received<'a> {
        let Some(view) = rtp::parse(buf) else {
            return Received::Garbage;
        };
        let Some(kind) = self.codecs.kind(view.pt) else {
            return Received::Garbage;
        };
        match self.remote {
            // Nothing negotiated yet: no source is expected.
            None => Received::Foreign,
            Some(remote) if from == remote => {
                self.latched = None;
                Received::Rtp(view, kind)
            }
            Some(_) if self.latched == Some(from) => Received::Rtp(view, kind),
            Some(remote) if self.latched.is_none() && behind_nat(remote.ip()) => {
                tracing::debug!(%from, %remote, port = self.port(), "trunk RTP latched");
                self.latched = Some(from);
                Received::Rtp(view, kind)
            }
            Some(_) => Received::Foreign,
        }
    }

    /// Where RTP goes: the latched source, else the SDP address.
    pub(crate) fn destination(&self) -> Option<SocketAddr> {
        self.latched.or(self.remote)
    }

    /// Sends one packet with our SSRC; dropped when there is nowhere to send
    /// yet or the socket buffer is full (UDP semantics).
    pub(crate) fn send(
        &mut self,
        marker: bool,
        pt: u8,
        seq: u16,
        timestamp: u32,
        payload: &[u8],
    ) -> bool {
        let Some(to) = self.destination() else {
            return false;
        };
        rtp::write(
            &mut self.out,
            marker,
            pt,
            seq,
            timestamp,
            self.ssrc,
            payload,
        );
        self.rtp.try_send_to(&self.out, to).is_ok()
    }
}
