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

    /// Parses a port range as `CALLCARD_RTP_PORTS` writes it: `10000-20000`.
    pub fn parse_ports(s: &str) -> Result<RangeInclusive<u16>, String> {
        let (lo, hi) = s
            .split_once('-')
            .ok_or_else(|| format!("port range {s:?}: expected FIRST-LAST"))?;
        let port = |p: &str| {
            p.trim()
                .parse::<u16>()
                .map_err(|_| format!("port range {s:?}: {p:?} is not a port"))
        };
        let (lo, hi) = (port(lo)?, port(hi)?);
        if lo == 0 || hi < lo || u32::from(hi) - u32::from(lo) < 3 {
            return Err(format!(
                "port range {s:?}: needs at least 4 ports, not starting at 0"
            ));
        }
        Ok(lo..=hi)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_port_ranges() {
        assert_eq!(MediaConfig::parse_ports("10000-20000"), Ok(10000..=20000));
        assert_eq!(MediaConfig::parse_ports(" 4000 - 4003 "), Ok(4000..=4003));
        for bad in ["", "10000", "20000-10000", "0-100", "1-2", "a-b", "1-70000"] {
            assert!(MediaConfig::parse_ports(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn advertises_the_public_address_and_needs_one_for_an_unspecified_bind() {
        let any: IpAddr = "0.0.0.0".parse().unwrap();
        let public: IpAddr = "203.0.113.1".parse().unwrap();
        let c = MediaConfig::new(any, Some(public), 10000..=20000);
        assert_eq!(c.advertised_ip().unwrap(), public);
        assert!(c.validate().is_ok());
        assert!(MediaConfig::new(any, None, 10000..=20000)
            .validate()
            .is_err());
        let local: IpAddr = "127.0.0.1".parse().unwrap();
        assert!(MediaConfig::new(local, None, 10000..=10002)
            .validate()
            .is_err());
    }
}
