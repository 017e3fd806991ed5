//! The media bridge: per call, a WebRTC endpoint toward the browser (str0m,
//! ICE-lite, DTLS-SRTP, rtcp-mux, one UDP port) and a plain RTP/AVP socket
//! toward the SIP provider, with G.711 and RFC 4733 telephone-event passed
//! through untouched (A-law ⇄ µ-law converted only when the two legs chose
//! different laws). Not yet wired into the SIP switch.
//!
//! # API for the switch
//! ```text
//! let media = MediaBridge::new(MediaConfig::new(bind_ip, public_ip, 10000..=20000))?;
//!
//! // Outbound (the browser's INVITE carries the offer):
//! let (call, browser_answer, trunk_offer) = media.for_browser_offer(&invite_sdp)?;
//! //   send trunk_offer in the INVITE to the provider; browser_answer goes
//! //   back to the browser in its 200 (or 183)
//! call.trunk_answer(&provider_183_or_200_sdp)?;
//!
//! // Inbound (the provider's INVITE carries the offer):
//! let (call, browser_offer) = media.for_trunk_offer(&invite_sdp)?;
//! //   send browser_offer in the INVITE to the browser(s)
//! let trunk_answer = call.browser_answer(&browser_200_sdp)?;
//! //   send trunk_answer in the 200 to the provider
//!
//! // Hold/resume by re-INVITE (direction mirrored to the other leg):
//! let (browser_answer, trunk_reoffer) = call.browser_reoffer(&sdp)?;
//! call.trunk_answer(&provider_answer)?;
//! let (trunk_answer, browser_reoffer) = call.trunk_reoffer(&sdp)?;
//! if browser_reoffer.is_some() { call.browser_reanswer(&browser_sdp)?; }
//!
//! // Either way:
//! call.ended().await;   // EndCause: media_timeout, ice_dtls_timeout, ...
//! call.end().await;     // hang up; returns once the ports are free
//! call.hang_up();        // hang up without waiting
//! drop(call);           // also hangs up and frees the ports
//! call.tap();           // broadcast of decoded PCM, both directions
//! call.stats();         // packet, garbage and foreign-source counters
//! ```
//! `for_*` must run inside a tokio runtime (each call spawns one task).
//! Browser SDP must carry its ICE candidates (gathering complete, no
//! trickle); the relay's own SDP always carries its single host candidate.
//! [`MediaConfig::parse_ports`] reads `CALLCARD_RTP_PORTS` (`10000-20000`).
//! Errors: [`MediaError::NoCommonCodec`] means answer 488;
//! [`MediaError::PortsExhausted`] means 503.
//!
//! Timers: the browser must finish ICE and DTLS within
//! [`MediaConfig::connect_timeout`] of its SDP exchange; once both legs are
//! negotiated, [`MediaConfig::media_timeout`] without RTP from either leg
//! ends the call; the timer pauses while either side holds.
//!
//! Files: `config` (settings), `ports` (port pool), `socket` (binding on
//! leased ports), `browser` (str0m leg), `trunk` (RTP leg, SDP, latching),
//! `rtp` (header parsing, sequence rewriting), `codec` (payload types,
//! routing), `g711`, `tap`, `bridge` (the per-call task, [`CallMedia`]).

mod bridge;
mod browser;
mod codec;
mod config;
pub mod g711;
mod ports;
pub mod quality;
pub mod rtp;
mod socket;
mod tap;
mod trunk;

use std::sync::Arc;

use callcard_shared::sip::sdp::Session;

pub use bridge::{CallMedia, EndCause, MediaEnd, MediaStats};
pub use config::MediaConfig;
pub use ports::{PortAllocator, PortLease};
pub use tap::{TapDirection, TapFrame};

use bridge::Negotiation;
use browser::BrowserLeg;
use codec::{Payload, PtMap};
use trunk::TrunkLeg;

/// Why a media operation failed.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("media configuration: {0}")]
    Config(String),
    #[error("no free media ports")]
    PortsExhausted,
    #[error("bad SDP: {0}")]
    Sdp(String),
    #[error("no audio codec in common (PCMA/PCMU)")]
    NoCommonCodec,
    #[error("not now: {0}")]
    WrongState(&'static str),
    #[error("the call's media has ended")]
    Ended,
    #[error("{0}")]
    Failed(String),
}

/// Creates the media of calls; cheap to clone (clones share the port pool).
#[derive(Debug, Clone)]
pub struct MediaBridge {
    config: Arc<MediaConfig>,
    ports: PortAllocator,
}

/// The telephone-event payload type we offer when the other side named none.
const TELE_PT: u8 = 101;

impl MediaBridge {
    pub fn new(config: MediaConfig) -> Result<Self, MediaError> {
        config.validate()?;
        Ok(MediaBridge {
            ports: PortAllocator::new(config.ports.clone()),
            config: Arc::new(config),
        })
    }

    pub fn config(&self) -> &MediaConfig {
        &self.config
    }

    /// Ports leased by live calls.
    pub fn ports_in_use(&self) -> usize {
        self.ports.in_use()
    }

    fn legs(&self, browser_codecs: &PtMap) -> Result<(BrowserLeg, TrunkLeg), MediaError> {
        let ip = self.config.advertised_ip()?;
        let (lease, sock) = socket::bind_single(&self.ports, self.config.bind_ip)?;
        let browser = BrowserLeg::new(lease, sock, ip, browser_codecs)?;
        let (lease, rtp, rtcp) = socket::bind_pair(&self.ports, self.config.bind_ip)?;
        Ok((browser, TrunkLeg::new(lease, rtp, rtcp, ip)))
    }

    /// Outbound call: answers the browser's offer and makes the offer for
    /// the provider. Returns `(call, browser_answer_sdp, trunk_offer_sdp)`.
    pub fn for_browser_offer(
        &self,
        browser_offer: &str,
    ) -> Result<(CallMedia, String, String), MediaError> {
        let mut prefs = PtMap::default();
        prefs.push(8, Payload::Pcma);
        prefs.push(0, Payload::Pcmu);
        prefs.push(TELE_PT, Payload::Tele);
        let (mut browser, mut trunk) = self.legs(&prefs)?;
        let answer = browser.accept_offer(browser_offer)?;
        // To the provider: the law the browser will send first (so it passes
        // untouched), then the other one, then DTMF if the browser has it.
        let mut offer = PtMap::default();
        if let Some((_, p)) = browser.codecs.first_voice() {
            offer.push(static_pt(p), p);
        }
        offer.push(8, Payload::Pcma);
        offer.push(0, Payload::Pcmu);
        if let Some(pt) = browser.codecs.pt_for(Payload::Tele) {
            offer.push(pt, Payload::Tele);
        }
        let trunk_offer = trunk.offer(offer, callcard_shared::sip::sdp::Direction::SendRecv);
        let call = bridge::spawn(browser, trunk, Negotiation::AwaitTrunkAnswer, &self.config);
        Ok((call, answer, trunk_offer))
    }

    /// Inbound call: takes the provider's offer and makes the offer for the
    /// browser. Returns `(call, browser_offer_sdp)`; the provider's answer
    /// comes from [`CallMedia::browser_answer`].
    pub fn for_trunk_offer(&self, trunk_offer: &str) -> Result<(CallMedia, String), MediaError> {
        let session =
            Session::parse(trunk_offer.as_bytes()).map_err(|e| MediaError::Sdp(e.to_string()))?;
        let (offered, addr) = trunk::audio_of(&session)?;
        // To the browser: the provider's laws in its order, the other law
        // (transcoded) last, DTMF with the provider's payload type.
        let mut prefs = PtMap::default();
        for &(_, p) in offered.entries().iter().filter(|(_, p)| p.is_voice()) {
            prefs.push(static_pt(p), p);
        }
        prefs.push(8, Payload::Pcma);
        prefs.push(0, Payload::Pcmu);
        prefs.push(
            offered.pt_for(Payload::Tele).unwrap_or(TELE_PT),
            Payload::Tele,
        );
        let (mut browser, mut trunk) = self.legs(&prefs)?;
        let browser_offer = browser.create_offer()?;
        trunk.take_offer(offered, addr);
        let call = bridge::spawn(
            browser,
            trunk,
            Negotiation::AwaitBrowserAnswer(Box::new(session)),
            &self.config,
        );
        Ok((call, browser_offer))
    }
}

fn static_pt(p: Payload) -> u8 {
    match p {
        Payload::Pcmu => 0,
        Payload::Pcma => 8,
        Payload::Tele => TELE_PT,
    }
}
