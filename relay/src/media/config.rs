//! What the media bridge needs to know about this host: where it binds its
//! UDP sockets, which address it writes into SDP, the port range, and the
//! two timeouts that hang a call up.

use std::net::IpAddr;
use std::ops::RangeInclusive;
use std::time::Duration;

use super::MediaError;

/// Media settings shared by every call of one relay.
#[derive(Debug, Clone)]
pub struct MediaConfig {
    /// The address every media socket binds to (may be `0.0.0.0`).
    pub bind_ip: IpAddr,
    /// The address written into SDP and ICE candidates when the relay sits
    /// behind NAT; `None` means `bind_ip` is reachable as it is.
    pub public_ip: Option<IpAddr>,
    /// UDP ports handed out to calls (browser leg: one port; trunk leg: an
    /// even RTP port and the RTCP port above it).
    pub ports: RangeInclusive<u16>,
    /// No RTP from either leg for this long (once both legs are negotiated)
    /// hangs the call up with `media_timeout`. Default 60 s.
    pub media_timeout: Duration,
    /// The browser leg must finish ICE and DTLS this long after its SDP
    /// exchange, else the call ends with `ice_dtls_timeout`. Default 10 s.
    pub connect_timeout: Duration,
}

impl MediaConfig {
    /// A config with the default timeouts (60 s media, 10 s ICE/DTLS).
    pub fn new(bind_ip: IpAddr, public_ip: Option<IpAddr>, ports: RangeInclusive<u16>) -> Self {
        MediaConfig {
            bind_ip,
            public_ip,
            ports,
            media_timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
        }
    }

    /// The address put into SDP: the public one, else the bind address.
    pub fn advertised_ip(&self) -> Result<IpAddr, MediaError> {
        let ip = self.public_ip.unwrap_or(self.bind_ip);
        if ip.is_unspecified() {
            return Err(MediaError::Config(
                "media binds to an unspecified address: set a public address for SDP".into(),
            ));
        }
        Ok(ip)
    }

    pub(crate) fn validate(&self) -> Result<(), MediaError> {
        self.advertised_ip()?;
        let (lo, hi) = (*self.ports.start(), *self.ports.end());
        if lo == 0 || hi < lo || u32::from(hi) - u32::from(lo) < 3 {
            return Err(MediaError::Config(format!(
                "media port range {lo}-{hi} must hold at least 4 ports and not start at 0"
            )));
        }
        Ok(())
    }
}
