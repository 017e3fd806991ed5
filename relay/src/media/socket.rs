//! Binding a call's UDP sockets on leased ports: a port that another
//! program already holds is skipped (and kept out of the pool until this
//! attempt ends), so a call only fails when the range is truly used up.

use std::net::{IpAddr, SocketAddr};

use tokio::net::UdpSocket;

use super::ports::{PortAllocator, PortLease};
use super::MediaError;

/// Attempts before giving up when ports in the range are taken by others.
const ATTEMPTS: usize = 64;

fn bind_one(ip: IpAddr, port: u16) -> std::io::Result<UdpSocket> {
    let sock = std::net::UdpSocket::bind(SocketAddr::new(ip, port))?;
    sock.set_nonblocking(true)?;
    UdpSocket::from_std(sock)
}

/// One socket on one leased port.
pub(crate) fn bind_single(
    ports: &PortAllocator,
    ip: IpAddr,
) -> Result<(PortLease, UdpSocket), MediaError> {
    let mut skipped = Vec::new();
    for _ in 0..ATTEMPTS {
        let lease = ports.lease().ok_or(MediaError::PortsExhausted)?;
        match bind_one(ip, lease.port()) {
            Ok(sock) => return Ok((lease, sock)),
            Err(e) => {
                tracing::debug!(port = lease.port(), error = %e, "media port busy, skipping");
                skipped.push(lease);
            }
        }
    }
    Err(MediaError::PortsExhausted)
}

/// An RTP socket on an even port and its RTCP socket on the next one.
pub(crate) fn bind_pair(
    ports: &PortAllocator,
    ip: IpAddr,
) -> Result<(PortLease, UdpSocket, UdpSocket), MediaError> {
    let mut skipped = Vec::new();
    for _ in 0..ATTEMPTS {
        let lease = ports.lease_pair().ok_or(MediaError::PortsExhausted)?;
        let port = lease.port();
        match bind_one(ip, port).and_then(|rtp| Ok((rtp, bind_one(ip, port + 1)?))) {
            Ok((rtp, rtcp)) => return Ok((lease, rtp, rtcp)),
            Err(e) => {
                tracing::debug!(port, error = %e, "media port pair busy, skipping");
                skipped.push(lease);
            }
        }
    }
    Err(MediaError::PortsExhausted)
}
