//! The browser leg: one str0m `Rtc` per call in ICE-lite mode with
//! DTLS-SRTP and rtcp-mux on one UDP socket, audio only, configured for
//! PCMA/PCMU and telephone-event at 8 kHz. It runs in RTP mode, so packets
//! cross the bridge as RTP (payload untouched), never re-packetized frames.
//!
//! str0m is sans-IO: every mutation (an input, an SDP step, a write) must be
//! followed by [`BrowserLeg::drain`] before the next one.

use std::net::SocketAddr;
use std::time::Instant;

use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::format::{Codec, FormatParams};
use str0m::media::{Direction, Frequency, MediaKind, Mid};
use str0m::net::{Protocol, Receive};
use str0m::rtp::RtpWrite;
use str0m::{Candidate, Event, Input, Output, Rtc, RtcError};
use tokio::net::UdpSocket;

use super::codec::{Payload, PtMap};
use super::ports::PortLease;
use super::MediaError;

pub(crate) struct BrowserLeg {
    rtc: Rtc,
    pub(crate) sock: std::sync::Arc<UdpSocket>,
    /// The address of our one ICE candidate (public or bind IP, our port).
    local: SocketAddr,
    lease: PortLease,
    mid: Option<Mid>,
    pending: Option<SdpPendingOffer>,
    /// Payload types the browser agreed to, in its order.
    pub(crate) codecs: PtMap,
    /// ICE and DTLS are up: media can flow.
    pub(crate) connected: bool,
}

fn sdp_err(e: impl std::fmt::Display) -> MediaError {
    MediaError::Sdp(e.to_string())
}

impl BrowserLeg {
    /// An `Rtc` offering/accepting `codecs` (in that order) on a bound socket.
    pub(crate) fn new(
        lease: PortLease,
        sock: UdpSocket,
        advertised: std::net::IpAddr,
        codecs: &PtMap,
    ) -> Result<Self, MediaError> {
        let mut config = Rtc::builder()
            .set_ice_lite(true)
            .set_rtp_mode(true)
            // Peer stats (the round trip from the browser's RTCP) each second.
            .set_stats_interval(Some(std::time::Duration::from_secs(1)))
            .clear_codecs();
        let cc = config.codec_config();
        for &(pt, p) in codecs.entries() {
            let (codec, format) = match p {
                Payload::Pcmu => (Codec::PCMU, FormatParams::default()),
                Payload::Pcma => (Codec::PCMA, FormatParams::default()),
                Payload::Tele => (Codec::Tele, FormatParams::parse_line("0-16")),
            };
            cc.add_config(pt.into(), None, codec, Frequency::EIGHT_KHZ, None, format);
        }
        let mut rtc = config.build(Instant::now());
        let local = SocketAddr::new(advertised, lease.port());
        let candidate =
            Candidate::host(local, "udp").map_err(|e| MediaError::Config(e.to_string()))?;
        rtc.add_local_candidate(candidate);
        let mut leg = BrowserLeg {
            rtc,
            sock: std::sync::Arc::new(sock),
            local,
            lease,
            mid: None,
            pending: None,
            codecs: PtMap::default(),
            connected: false,
        };
        leg.drain(&mut Vec::new())?;
        Ok(leg)
    }

    pub(crate) fn port(&self) -> u16 {
        self.lease.port()
    }

    /// Answers the browser's offer (outbound calls).
    pub(crate) fn accept_offer(&mut self, sdp: &str) -> Result<String, MediaError> {
        let offer = SdpOffer::from_sdp_string(sdp).map_err(sdp_err)?;
        let mids: Vec<Mid> = offer.media_lines.iter().map(|m| m.mid()).collect();
        let answer = self.rtc.sdp_api().accept_offer(offer).map_err(sdp_err);
        let mut events = Vec::new();
        self.drain(&mut events)?;
        let answer = answer?;
        if self.mid.is_none() {
            self.mid = mids.into_iter().find(|m| {
                self.rtc
                    .media(*m)
                    .is_some_and(|m| m.kind() == MediaKind::Audio)
            });
        }
        self.negotiated()?;
        Ok(answer.to_sdp_string())
    }

    /// Makes the offer for the browser (inbound calls).
    pub(crate) fn create_offer(&mut self) -> Result<String, MediaError> {
        let mut change = self.rtc.sdp_api();
        let mid = change.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
        let applied = change.apply();
        self.drain(&mut Vec::new())?;
        let (offer, pending) = applied.ok_or_else(|| sdp_err("no offer to make"))?;
        self.mid = Some(mid);
        self.pending = Some(pending);
        Ok(offer.to_sdp_string())
    }

    /// A re-offer changing our direction (hold/resume); `None` when the
    /// direction already is `direction`.
    pub(crate) fn reoffer_direction(
        &mut self,
        direction: Direction,
    ) -> Result<Option<String>, MediaError> {
        let mid = self
            .mid
            .ok_or(MediaError::WrongState("the browser leg is not negotiated"))?;
        let mut change = self.rtc.sdp_api();
        change.set_direction(mid, direction);
        let applied = change.apply();
        self.drain(&mut Vec::new())?;
        Ok(applied.map(|(offer, pending)| {
            self.pending = Some(pending);
            offer.to_sdp_string()
        }))
    }

    /// Applies the browser's answer to [`Self::create_offer`] or
    /// [`Self::reoffer_direction`].
    pub(crate) fn accept_answer(&mut self, sdp: &str) -> Result<(), MediaError> {
        let answer = SdpAnswer::from_sdp_string(sdp).map_err(sdp_err)?;
        let pending = self.pending.take().ok_or(MediaError::WrongState(
            "no offer is waiting for the browser's answer",
        ))?;
        let applied = self
            .rtc
            .sdp_api()
            .accept_answer(pending, answer)
            .map_err(sdp_err);
        self.drain(&mut Vec::new())?;
        applied?;
        self.negotiated()
    }

    /// Reads the negotiated payload types; fails when no G.711 is left.
    fn negotiated(&mut self) -> Result<(), MediaError> {
        let mid = self.mid.ok_or(MediaError::NoCommonCodec)?;
        let media = self.rtc.media(mid).ok_or(MediaError::NoCommonCodec)?;
        let remote = media.remote_pts().to_vec();
        let mut map = PtMap::default();
        let params = self.rtc.codec_config().params();
        let kind_of = |p: &str0m::format::PayloadParams| {
            let spec = p.spec();
            if spec.clock_rate != Frequency::EIGHT_KHZ {
                return None;
            }
            match spec.codec {
                Codec::PCMU => Some(Payload::Pcmu),
                Codec::PCMA => Some(Payload::Pcma),
                Codec::Tele => Some(Payload::Tele),
                _ => None,
            }
        };
        for pt in remote {
            if let Some(k) = params.iter().find(|p| p.pt() == pt).and_then(kind_of) {
                map.push(*pt, k);
            }
        }
        if !map.has_voice() {
            return Err(MediaError::NoCommonCodec);
        }
        self.codecs = map;
        Ok(())
    }

    /// Our negotiated direction toward the browser (str0m's view: we may
    /// send if it sends, the browser may send to us if it receives);
    /// `Inactive` before the audio stream exists.
    pub(crate) fn direction(&self) -> Direction {
        self.mid
            .and_then(|mid| self.rtc.media(mid))
            .map_or(Direction::Inactive, |m| m.direction())
    }

    /// Drains str0m's output: sends what it transmits (dropping on a full
    /// socket buffer, as UDP may), keeps the events the bridge acts on, and
    /// returns when str0m next wants [`Self::handle_timeout`].
    pub(crate) fn drain(&mut self, events: &mut Vec<Event>) -> Result<Instant, MediaError> {
        loop {
            match self.rtc.poll_output().map_err(rtc_err)? {
                Output::Timeout(t) => return Ok(t),
                Output::Transmit(t) => {
                    let _ = self.sock.try_send_to(&t.contents, t.destination);
                }
                Output::Event(Event::MediaAdded(m)) => {
                    if self.mid.is_none() && m.kind == MediaKind::Audio {
                        self.mid = Some(m.mid);
                    }
                }
                Output::Event(Event::Connected) => self.connected = true,
                Output::Event(e @ (Event::RtpPacket(_) | Event::Closed)) => events.push(e),
                Output::Event(Event::IceConnectionStateChange(s)) => {
                    tracing::debug!(state = ?s, port = self.port(), "browser ICE state");
                }
                Output::Event(_) => {}
            }
        }
    }

    /// Feeds one datagram; `false` when it is not STUN, DTLS or SRTP at all
    /// or str0m refused it (the caller counts it as garbage).
    pub(crate) fn handle_datagram(&mut self, now: Instant, from: SocketAddr, buf: &[u8]) -> bool {
        let Ok(receive) = Receive::new(Protocol::Udp, from, self.local, buf) else {
            return false;
        };
        self.rtc.handle_input(Input::Receive(now, receive)).is_ok()
    }

    pub(crate) fn handle_timeout(&mut self, now: Instant) -> Result<(), MediaError> {
        self.rtc.handle_input(Input::Timeout(now)).map_err(rtc_err)
    }

    /// Queues one RTP packet toward the browser; `false` if the leg cannot
    /// send yet (not connected, or no sending stream negotiated).
    pub(crate) fn write_rtp(
        &mut self,
        pt: u8,
        seq: u64,
        timestamp: u32,
        marker: bool,
        payload: &[u8],
    ) -> bool {
        if !self.connected {
            return false;
        }
        let Some(mid) = self.mid else { return false };
        let mut api = self.rtc.direct_api();
        let Some(tx) = api.stream_tx_by_mid(mid, None) else {
            return false;
        };
        tx.write_rtp(
            RtpWrite::new(pt.into(), seq.into(), timestamp, Instant::now(), payload).marker(marker),
        );
        true
    }
}

fn rtc_err(e: RtcError) -> MediaError {
    MediaError::Failed(format!("webrtc: {e}"))
}
