//! One SIP account at a provider: its own UDP socket (or a TCP or TLS
//! connection, kept open and re-opened), a `shared::sip` endpoint with the
//! account's credentials, and the registration schedule (re-register before
//! expiry, back off after failures).

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use callcard_shared::api::{SipTransport, TrunkState};
use callcard_shared::sip::transaction::TimerConfig;
use callcard_shared::sip::ua::{Config as UaConfig, Endpoint, Remote, TransportKind};
use callcard_shared::Instant;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::switch::Input;
use crate::crm::trunks::TrunkConfig;

/// Longest wait between failed registrations.
const MAX_BACKOFF: Duration = Duration::from_secs(300);
const FIRST_BACKOFF: Duration = Duration::from_secs(5);

pub struct TrunkLeg {
    pub config: TrunkConfig,
    pub ep: Endpoint<SocketAddr>,
    /// None for a trunk without transport (tests of the switch's core).
    pub socket: Option<Arc<UdpSocket>>,
    /// TCP and TLS trunks: the connection task's queue (messages wait while it reconnects).
    stream: Option<mpsc::UnboundedSender<Vec<u8>>>,
    reader: Option<JoinHandle<()>>,
    stream_task: Option<JoinHandle<()>>,
    /// When to send the next REGISTER (None: not scheduled or in flight).
    pub next_register: Option<Instant>,
    failures: u32,
}

impl Drop for TrunkLeg {
    fn drop(&mut self) {
        if let Some(reader) = &self.reader {
            reader.abort();
        }
        if let Some(task) = &self.stream_task {
            task.abort();
        }
    }
}

/// Why a trunk cannot be used, for the status board.
pub struct SetupError(pub String);

impl TrunkLeg {
    /// Binds a socket on `bind_ip`, resolves the provider and builds the
    /// endpoint. TLS trunks trust the system roots and the CA certificates in
    /// the PEM file `tls_ca` (`CALLCARD_SIP_TLS_CA`), if set.
    pub async fn open(
        config: TrunkConfig,
        bind_ip: std::net::IpAddr,
        tls_ca: Option<&Path>,
        inputs: mpsc::UnboundedSender<Input>,
        now: Instant,
    ) -> Result<TrunkLeg, SetupError> {
        let kind = match config.transport {
            SipTransport::Udp => TransportKind::Udp,
            SipTransport::Tcp => TransportKind::Tcp,
            SipTransport::Tls => TransportKind::Tls,
        };
        let target = config
            .outbound_proxy
            .clone()
            .filter(|p| !p.trim().is_empty())
            .unwrap_or_else(|| config.host.clone());
        let tls = if kind == TransportKind::Tls {
            Some((tls_client(tls_ca)?, server_name(&target)?))
        } else {
            None
        };
        let default_port = if tls.is_some() { 5061 } else { 5060 };
        let remote = resolve(&target, default_port).await?;
        let socket = UdpSocket::bind((bind_ip, 0))
            .await
            .map_err(|e| SetupError(format!("transport error: cannot bind UDP: {e}")))?;
        // The address the provider sees us at: the local end of a route to it.
        let bound = socket
            .local_addr()
            .map_err(|e| SetupError(format!("transport error: {e}")))?;
        let local = super::local_address_towards(bound, remote)
            .map_err(|e| SetupError(format!("transport error: no route to {remote}: {e}")))?;
        let socket = Arc::new(socket);
        let ep = endpoint(&config, kind, local, remote, rand::random());
        let (stream, stream_task) = match (kind, tls) {
            (TransportKind::Tcp, _) => {
                let (tx, rx) = mpsc::unbounded_channel();
                let connect = move || connect_tcp(remote);
                let task = tokio::spawn(stream_loop(
                    config.id,
                    remote,
                    "TCP",
                    connect,
                    rx,
                    inputs.clone(),
                ));
                (Some(tx), Some(task))
            }
            (TransportKind::Tls, Some((client, name))) => {
                let (tx, rx) = mpsc::unbounded_channel();
                let connector = tokio_rustls::TlsConnector::from(client);
                let connect = move || connect_tls(remote, connector.clone(), name.clone());
                let task = tokio::spawn(stream_loop(
                    config.id,
                    remote,
                    "TLS",
                    connect,
                    rx,
                    inputs.clone(),
                ));
                (Some(tx), Some(task))
            }
            _ => (None, None),
        };
        let reader = tokio::spawn(read_loop(config.id, socket.clone(), inputs));
        Ok(TrunkLeg {
            stream,
            stream_task,
            next_register: config.register.then_some(now),
            config,
            ep,
            socket: Some(socket),
            reader: Some(reader),
            failures: 0,
        })
    }

    /// A UDP trunk with no socket and no tasks, at `local` towards
    /// `remote`: what the switch's core sees of a trunk, for its tests.
    #[cfg(test)]
    pub fn detached(
        config: TrunkConfig,
        remote: SocketAddr,
        local: SocketAddr,
        now: Instant,
    ) -> TrunkLeg {
        let ep = endpoint(&config, TransportKind::Udp, local, remote, 1);
        TrunkLeg {
            stream: None,
            stream_task: None,
            next_register: config.register.then_some(now),
            config,
            ep,
            socket: None,
            reader: None,
            failures: 0,
        }
    }

    pub fn initial_state(&self) -> TrunkState {
        if self.config.register {
            TrunkState::Pending
        } else {
            TrunkState::NotRegistering
        }
    }

    /// A 2xx to REGISTER: re-register at three quarters of the granted time.
    pub fn registered(&mut self, now: Instant, expires: u32) {
        self.failures = 0;
        let refresh = Duration::from_secs(u64::from(expires.max(20)) * 3 / 4);
        self.next_register = Some(now + refresh);
    }

    /// A failed REGISTER: try again after 5 s, 10 s, 20 s … up to 5 minutes.
    pub fn failed(&mut self, now: Instant) -> Duration {
        let backoff = FIRST_BACKOFF
            .saturating_mul(1 << self.failures.min(10))
            .min(MAX_BACKOFF);
        self.failures += 1;
        self.next_register = Some(now + backoff);
        backoff
    }

    pub fn register_now(&mut self, now: Instant) {
        self.next_register = None;
        self.ep.register(now, self.config.expires);
    }

    pub async fn send(&self, to: SocketAddr, bytes: &[u8]) {
        if let Some(stream) = self
            .stream
            .as_ref()
            .filter(|_| to == self.ep.config().outbound.addr)
        {
            let _ = stream.send(bytes.to_vec());
            return;
        }
        let Some(socket) = &self.socket else {
            return;
        };
        if let Err(e) = socket.send_to(bytes, to).await {
            tracing::warn!(trunk = self.config.id, %to, "SIP send failed: {e}");
        }
    }
}

/// The trunk's SIP endpoint: registering as its account, reached at `local`.
fn endpoint(
    config: &TrunkConfig,
    kind: TransportKind,
    local: SocketAddr,
    remote: SocketAddr,
    seed: u64,
) -> Endpoint<SocketAddr> {
    let contact = match kind {
        TransportKind::Tcp => format!("sip:{}@{local};transport=tcp", config.username),
        TransportKind::Tls => format!("sip:{}@{local};transport=tls", config.username),
        _ => format!("sip:{}@{local}", config.username),
    };
    let ua = UaConfig {
        aor: format!("sip:{}@{}", config.username, config.domain),
        display_name: None,
        contact,
        via_host: local.to_string(),
        outbound: Remote {
            addr: remote,
            transport: kind,
        },
        timers: TimerConfig::default(),
        credentials: Some((config.username.clone(), config.password.clone())),
        user_agent: concat!("Callcard/", env!("CARGO_PKG_VERSION")).into(),
        limits: Default::default(),
    };
    Endpoint::new(ua, seed)
}

async fn resolve(target: &str, default_port: u16) -> Result<SocketAddr, SetupError> {
    let with_port = if has_port(target) {
        target.to_string()
    } else if target.contains(':') && !target.starts_with('[') {
        format!("[{target}]:{default_port}")
    } else {
        format!("{target}:{default_port}")
    };
    let resolved = tokio::net::lookup_host(with_port).await;
    match resolved {
        Ok(mut addrs) => addrs
            .next()
            .ok_or_else(|| SetupError(format!("DNS: {target} has no address"))),
        Err(e) => Err(SetupError(format!("DNS: cannot resolve {target}: {e}"))),
    }
}

/// Whether `target` (`host`, `host:port`, `[v6]:port`, a bare IPv6) ends in a port.
fn has_port(target: &str) -> bool {
    if target.parse::<std::net::Ipv6Addr>().is_ok() {
        return false;
    }
    target
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
}

/// The name the provider's certificate must carry (RFC 3261 §26.3.1): the
/// host the trunk connects to, without port; an IP literal stays an IP.
fn server_name(target: &str) -> Result<rustls::pki_types::ServerName<'static>, SetupError> {
    let target = target.trim();
    let host = if has_port(target) {
        target.rsplit_once(':').map_or(target, |(h, _)| h)
    } else {
        target
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    rustls::pki_types::ServerName::try_from(host.to_string()).map_err(|e| {
        SetupError(format!(
            "transport error: TLS: {host} is no server name: {e}"
        ))
    })
}

/// The TLS client of TLS trunks: the bundled Mozilla roots plus the CA
/// certificates of `extra_ca`, on the aws-lc-rs provider (the one str0m uses).
fn tls_client(extra_ca: Option<&Path>) -> Result<Arc<rustls::ClientConfig>, SetupError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::CertificateDer;
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = extra_ca {
        let failed = |e: &dyn std::fmt::Display| {
            SetupError(format!(
                "transport error: TLS: cannot read the CA certificates in {} (CALLCARD_SIP_TLS_CA): {e}",
                path.display()
            ))
        };
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| failed(&e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| failed(&e))?;
        if certs.is_empty() {
            return Err(failed(&"no CERTIFICATE in the file"));
        }
        for cert in certs {
            roots.add(cert).map_err(|e| failed(&e))?;
        }
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| SetupError(format!("transport error: TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

async fn connect_tcp(remote: SocketAddr) -> Result<TcpStream, String> {
    let stream = TcpStream::connect(remote)
        .await
        .map_err(|e| format!("transport error: cannot connect to {remote} over TCP: {e}"))?;
    let _ = stream.set_nodelay(true);
    Ok(stream)
}

/// A TCP connection and the TLS handshake on it; a refused certificate is
/// reported as `transport error: TLS handshake … invalid peer certificate: …`.
async fn connect_tls(
    remote: SocketAddr,
    connector: tokio_rustls::TlsConnector,
    name: rustls::pki_types::ServerName<'static>,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, String> {
    let tcp = TcpStream::connect(remote)
        .await
        .map_err(|e| format!("transport error: cannot connect to {remote} for TLS: {e}"))?;
    let _ = tcp.set_nodelay(true);
    connector.connect(name.clone(), tcp).await.map_err(|e| {
        format!(
            "transport error: TLS handshake with {remote} ({}) failed: {e}",
            name.to_str()
        )
    })
}

async fn read_loop(trunk: i64, socket: Arc<UdpSocket>, inputs: mpsc::UnboundedSender<Input>) {
    let mut buf = vec![0u8; 65_535];
    loop {
        match socket.recv_from(&mut buf).await {
            Ok((n, from)) => {
                let bytes = buf[..n].to_vec();
                if inputs
                    .send(Input::TrunkMessage { trunk, from, bytes })
                    .is_err()
                {
                    return;
                }
            }
            Err(e) => {
                // ICMP port unreachable surfaces here on some systems; keep reading.
                tracing::debug!(trunk, "UDP receive error: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

/// A TCP or TLS trunk's connection: connects with `connect` (again after a
/// drop, every 5 s), frames what arrives (RFC 3261 §18.3) into the switch as
/// the provider's messages, and writes what the switch queues. A failed
/// connect (or handshake) is reported so the status says why.
async fn stream_loop<S, C, F>(
    trunk: i64,
    remote: SocketAddr,
    name: &'static str,
    mut connect: C,
    mut outgoing: mpsc::UnboundedReceiver<Vec<u8>>,
    inputs: mpsc::UnboundedSender<Input>,
) where
    S: AsyncRead + AsyncWrite + Send + Unpin,
    C: FnMut() -> F,
    F: Future<Output = Result<S, String>>,
{
    use tokio::io::AsyncReadExt;
    loop {
        let stream = match connect().await {
            Ok(stream) => stream,
            Err(reason) => {
                tracing::debug!(trunk, %remote, "{reason}");
                if inputs
                    .send(Input::TrunkTransport {
                        trunk,
                        error: Some(reason),
                    })
                    .is_err()
                {
                    return;
                }
                tokio::time::sleep(FIRST_BACKOFF).await;
                continue;
            }
        };
        if inputs
            .send(Input::TrunkTransport { trunk, error: None })
            .is_err()
        {
            return;
        }
        let (mut reader, mut writer) = tokio::io::split(stream);
        let mut buffer = Vec::with_capacity(4096);
        let mut chunk = vec![0u8; 4096];
        'connected: loop {
            tokio::select! {
                read = reader.read(&mut chunk) => {
                    let n = match read {
                        Ok(0) | Err(_) => break 'connected,
                        Ok(n) => n,
                    };
                    buffer.extend_from_slice(&chunk[..n]);
                    loop {
                        match super::sip_listener::take_message(&mut buffer) {
                            Ok(Some(super::sip_listener::Frame::Message(bytes))) => {
                                if inputs.send(Input::TrunkMessage { trunk, from: remote, bytes }).is_err() {
                                    return;
                                }
                            }
                            Ok(Some(super::sip_listener::Frame::Ping)) => {
                                if write(&mut writer, b"\r\n").await.is_err() {
                                    break 'connected;
                                }
                            }
                            Ok(None) => break,
                            Err(e) => {
                                tracing::warn!(trunk, %remote, "closing the trunk's {name} connection: {e}");
                                break 'connected;
                            }
                        }
                    }
                }
                out = outgoing.recv() => {
                    let Some(bytes) = out else { return };
                    if write(&mut writer, &bytes).await.is_err() {
                        break 'connected;
                    }
                }
            }
        }
        tracing::info!(trunk, %remote, "the trunk's {name} connection closed; reconnecting");
    }
}

/// Writes and flushes (TLS holds records back until flushed).
async fn write<W: AsyncWrite + Unpin>(writer: &mut W, bytes: &[u8]) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    writer.write_all(bytes).await?;
    writer.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tls_server_name_is_the_host_without_its_port() {
        let name = |t: &str| server_name(t).ok().map(|n| n.to_str().into_owned());
        assert_eq!(name("sip.example.com").as_deref(), Some("sip.example.com"));
        assert_eq!(
            name("sip.example.com:5061").as_deref(),
            Some("sip.example.com")
        );
        assert_eq!(name("127.0.0.1:5061").as_deref(), Some("127.0.0.1"));
        assert_eq!(name("[::1]:5061").as_deref(), Some("::1"));
        assert_eq!(name("::1").as_deref(), Some("::1"));
        assert!(matches!(
            server_name("198.51.100.7"),
            Ok(rustls::pki_types::ServerName::IpAddress(_))
        ));
    }

    #[tokio::test]
    async fn a_host_without_port_gets_the_transports_default() {
        let addr = resolve("127.0.0.1", 5061).await.ok().unwrap();
        assert_eq!(addr.port(), 5061);
        let addr = resolve("127.0.0.1:7000", 5061).await.ok().unwrap();
        assert_eq!(addr.port(), 7000);
        let addr = resolve("::1", 5060).await.ok().unwrap();
        assert_eq!(addr, "[::1]:5060".parse().unwrap());
    }

    #[test]
    fn an_unreadable_ca_file_is_a_tls_setup_error() {
        assert!(tls_client(None).is_ok());
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let Err(SetupError(reason)) = tls_client(Some(&missing)) else {
            panic!("a missing CA file is refused");
        };
        assert!(reason.starts_with("transport error: TLS"), "{reason}");
        assert!(reason.contains("CALLCARD_SIP_TLS_CA"), "{reason}");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        assert!(tls_client(Some(&empty)).is_err());
    }
}
