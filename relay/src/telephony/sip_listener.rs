//! The relay's own SIP address (`CALLCARD_SIP_LISTEN`, UDP and TCP on the
//! same port) for desk and soft phones, and for providers that send calls to
//! it rather than to a trunk's registered contact. UDP datagrams and framed
//! TCP messages go to the switch; CRLF keep-alives (RFC 5626 §4.4.1) are
//! answered here.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::mpsc;

use super::switch::Input;

/// The largest SIP message accepted on a stream (the parser's limit is the same).
pub const MAX_SIP_MESSAGE: usize = 64 * 1024;

pub struct SipListener {
    pub udp: Arc<UdpSocket>,
    tcp: TcpListener,
}

impl SipListener {
    /// Binds UDP and TCP on the same port (port 0: a free one both can use).
    pub async fn bind(addr: SocketAddr) -> std::io::Result<SipListener> {
        let mut last_error = None;
        for _ in 0..20 {
            let udp = UdpSocket::bind(addr).await?;
            let port = udp.local_addr()?.port();
            match TcpListener::bind(SocketAddr::new(addr.ip(), port)).await {
                Ok(tcp) => {
                    return Ok(SipListener {
                        udp: Arc::new(udp),
                        tcp,
                    })
                }
                // Only a random port can be retried; a fixed one is simply taken.
                Err(e) if addr.port() == 0 => last_error = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last_error.unwrap_or_else(|| std::io::Error::other("no free SIP port")))
    }

    pub fn udp_addr(&self) -> std::io::Result<SocketAddr> {
        self.udp.local_addr()
    }

    pub fn tcp_addr(&self) -> std::io::Result<SocketAddr> {
        self.tcp.local_addr()
    }

    /// Reads both transports until the switch goes away.
    pub fn spawn(self, inputs: mpsc::UnboundedSender<Input>) {
        tokio::spawn(udp_loop(self.udp.clone(), inputs.clone()));
        tokio::spawn(tcp_loop(self.tcp, inputs));
    }
}

async fn udp_loop(socket: Arc<UdpSocket>, inputs: mpsc::UnboundedSender<Input>) {
    let mut buf = vec![0u8; 65_535];
    loop {
        let (n, from) = match socket.recv_from(&mut buf).await {
            Ok(ok) => ok,
            // ICMP port unreachable from an earlier send surfaces here on Linux.
            Err(_) => continue,
        };
        let bytes = &buf[..n];
        if bytes.iter().all(|b| matches!(b, b'\r' | b'\n')) {
            // RFC 5626 §4.4.1 over UDP is STUN; a bare CRLF is a NAT keep-alive, ignored.
            continue;
        }
        let input = Input::DeviceUdp {
            from,
            bytes: bytes.to_vec(),
        };
        if inputs.send(input).is_err() {
            return;
        }
    }
}

async fn tcp_loop(listener: TcpListener, inputs: mpsc::UnboundedSender<Input>) {
    loop {
        let Ok((stream, peer)) = listener.accept().await else {
            continue;
        };
        if inputs.is_closed() {
            return;
        }
        tokio::spawn(serve_tcp(stream, peer, inputs.clone()));
    }
}

async fn serve_tcp(stream: TcpStream, peer: SocketAddr, inputs: mpsc::UnboundedSender<Input>) {
    let _ = stream.set_nodelay(true);
    let Ok(local) = stream.local_addr() else {
        return;
    };
    let conn = super::next_conn_id();
    let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
    if inputs
        .send(Input::TcpOpen {
            conn,
            peer,
            local,
            tx,
        })
        .is_err()
    {
        return;
    }
    let (mut reader, mut writer) = stream.into_split();
    let mut buffer = Vec::with_capacity(4096);
    let mut chunk = vec![0u8; 4096];
    loop {
        tokio::select! {
            read = reader.read(&mut chunk) => {
                let n = match read {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                buffer.extend_from_slice(&chunk[..n]);
                let mut broken = false;
                loop {
                    match take_message(&mut buffer) {
                        Ok(Some(Frame::Ping)) => {
                            if writer.write_all(b"\r\n").await.is_err() {
                                broken = true;
                                break;
                            }
                        }
                        Ok(Some(Frame::Message(bytes))) => {
                            if inputs.send(Input::Frame { conn, bytes }).is_err() {
                                broken = true;
                                break;
                            }
                        }
                        Ok(None) => break,
                        Err(e) => {
                            tracing::info!(conn, %peer, "closing a SIP TCP connection: {e}");
                            broken = true;
                            break;
                        }
                    }
                }
                if broken {
                    break;
                }
            }
            out = rx.recv() => {
                let Some(bytes) = out else { break };
                if writer.write_all(&bytes).await.is_err() {
                    break;
                }
            }
        }
    }
    let _ = inputs.send(Input::Closed { conn });
}

/// One unit read off a SIP stream.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    /// A double CRLF keep-alive (answered with one CRLF).
    Ping,
    Message(Vec<u8>),
}

/// Why a stream cannot be framed any more (the connection is closed).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum FramingError {
    #[error("a SIP message over {MAX_SIP_MESSAGE} bytes")]
    TooLarge,
}

/// Takes the next whole message off the front of `buffer` (RFC 3261 §18.3:
/// on streams, Content-Length delimits the body). A head without a readable
/// Content-Length is taken alone (no body): the parser then answers or drops
/// it as malformed, and the stream stays in step for the next message.
pub fn take_message(buffer: &mut Vec<u8>) -> Result<Option<Frame>, FramingError> {
    // Leading CRLFs: keep-alives between messages.
    let blank = buffer
        .iter()
        .take_while(|b| matches!(b, b'\r' | b'\n'))
        .count();
    if blank > 0 {
        let ping = buffer[..blank].windows(4).any(|w| w == b"\r\n\r\n");
        buffer.drain(..blank);
        if ping {
            return Ok(Some(Frame::Ping));
        }
    }
    let Some(head_end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") else {
        return if buffer.len() > MAX_SIP_MESSAGE {
            Err(FramingError::TooLarge)
        } else {
            Ok(None)
        };
    };
    let body_start = head_end + 4;
    let body_len = content_length(&buffer[..head_end]).unwrap_or(0);
    let total = body_start + body_len;
    if total > MAX_SIP_MESSAGE {
        return Err(FramingError::TooLarge);
    }
    if buffer.len() < total {
        return Ok(None);
    }
    let message: Vec<u8> = buffer.drain(..total).collect();
    Ok(Some(Frame::Message(message)))
}

/// The Content-Length (or compact `l`) of a message head.
fn content_length(head: &[u8]) -> Option<usize> {
    let head = std::str::from_utf8(head).ok()?;
    head.split("\r\n").skip(1).find_map(|line| {
        let (name, value) = line.split_once(':')?;
        let name = name.trim();
        (name.eq_ignore_ascii_case("content-length") || name.eq_ignore_ascii_case("l"))
            .then(|| value.trim().parse().ok())?
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTIONS: &str = "OPTIONS sip:relay SIP/2.0\r\nVia: SIP/2.0/TCP a;branch=z9hG4bK1\r\nContent-Length: 0\r\n\r\n";

    #[test]
    fn messages_are_cut_at_their_content_length() {
        let body = "v=0\r\n";
        let invite = format!("INVITE sip:1 SIP/2.0\r\nl: {}\r\n\r\n{body}", body.len());
        let mut buffer = format!("{invite}{OPTIONS}").into_bytes();
        assert_eq!(
            take_message(&mut buffer),
            Ok(Some(Frame::Message(invite.into_bytes())))
        );
        assert_eq!(
            take_message(&mut buffer),
            Ok(Some(Frame::Message(OPTIONS.as_bytes().to_vec())))
        );
        assert_eq!(take_message(&mut buffer), Ok(None));
        assert!(buffer.is_empty());
    }

    #[test]
    fn a_partial_message_waits_for_the_rest() {
        let mut buffer = OPTIONS.as_bytes()[..30].to_vec();
        assert_eq!(take_message(&mut buffer), Ok(None));
        buffer.extend_from_slice(&OPTIONS.as_bytes()[30..]);
        assert!(matches!(
            take_message(&mut buffer),
            Ok(Some(Frame::Message(_)))
        ));
    }

    #[test]
    fn a_double_crlf_is_a_keep_alive() {
        let mut buffer = format!("\r\n\r\n{OPTIONS}").into_bytes();
        assert_eq!(take_message(&mut buffer), Ok(Some(Frame::Ping)));
        assert!(matches!(
            take_message(&mut buffer),
            Ok(Some(Frame::Message(_)))
        ));
    }

    #[test]
    fn garbage_is_taken_alone_and_the_next_message_still_frames() {
        let mut buffer = format!("\u{1} not SIP\r\n\r\n{OPTIONS}").into_bytes();
        assert_eq!(
            take_message(&mut buffer),
            Ok(Some(Frame::Message(b"\x01 not SIP\r\n\r\n".to_vec())))
        );
        assert!(matches!(
            take_message(&mut buffer),
            Ok(Some(Frame::Message(_)))
        ));
    }

    #[test]
    fn a_message_too_large_ends_the_stream() {
        let mut huge = b"INVITE sip:1 SIP/2.0\r\nContent-Length: 900000\r\n\r\n".to_vec();
        assert_eq!(take_message(&mut huge), Err(FramingError::TooLarge));
        let mut endless = vec![b'a'; MAX_SIP_MESSAGE + 1];
        assert_eq!(take_message(&mut endless), Err(FramingError::TooLarge));
    }
}
