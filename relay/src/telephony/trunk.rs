//! One SIP account at a provider: its own UDP socket (or a TCP connection,
//! kept open and re-opened), a `shared::sip` endpoint with the account's
//! credentials, and the registration schedule (re-register before expiry,
//! back off after failures).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use callcard_shared::api::{SipTransport, TrunkState};
use callcard_shared::sip::transaction::TimerConfig;
use callcard_shared::sip::ua::{Config as UaConfig, Endpoint, Remote, TransportKind};
use callcard_shared::Instant;
use tokio::net::UdpSocket;
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
    pub socket: Arc<UdpSocket>,
    /// TCP trunks: the connection task's queue (messages wait while it reconnects).
    stream: Option<mpsc::UnboundedSender<Vec<u8>>>,
    reader: JoinHandle<()>,
    stream_task: Option<JoinHandle<()>>,
    /// When to send the next REGISTER (None: not scheduled or in flight).
    pub next_register: Option<Instant>,
    failures: u32,
}

impl Drop for TrunkLeg {
    fn drop(&mut self) {
        self.reader.abort();
        if let Some(task) = &self.stream_task {
            task.abort();
        }
    }
}

/// Why a trunk cannot be used, for the status board.
pub struct SetupError(pub String);

impl TrunkLeg {
    /// Binds a socket on `bind_ip`, resolves the provider and builds the endpoint.
    pub async fn open(
        config: TrunkConfig,
        bind_ip: std::net::IpAddr,
        inputs: mpsc::UnboundedSender<Input>,
        now: Instant,
    ) -> Result<TrunkLeg, SetupError> {
        if config.transport == SipTransport::Tls {
            return Err(SetupError(
                "transport error: TLS is not supported yet (UDP or TCP)".into(),
            ));
        }
        let tcp = config.transport == SipTransport::Tcp;
        let target = config
            .outbound_proxy
            .clone()
            .filter(|p| !p.trim().is_empty())
            .unwrap_or_else(|| config.host.clone());
        let remote = resolve(&target).await?;
        let socket = UdpSocket::bind((bind_ip, 0))
            .await
            .map_err(|e| SetupError(format!("transport error: cannot bind UDP: {e}")))?;
        // The address the provider sees us at: the local end of a route to it.
        let local = local_address_towards(&socket, remote).await?;
        let socket = Arc::new(socket);
        let contact = if tcp {
            format!("sip:{}@{local};transport=tcp", config.username)
        } else {
            format!("sip:{}@{local}", config.username)
        };
        let ua = UaConfig {
            aor: format!("sip:{}@{}", config.username, config.domain),
            display_name: None,
            contact,
            via_host: local.to_string(),
            outbound: Remote {
                addr: remote,
                transport: if tcp {
                    TransportKind::Tcp
                } else {
                    TransportKind::Udp
                },
            },
            timers: TimerConfig::default(),
            credentials: Some((config.username.clone(), config.password.clone())),
            user_agent: concat!("Callcard/", env!("CARGO_PKG_VERSION")).into(),
            limits: Default::default(),
        };
        let ep = Endpoint::new(ua, rand::random());
        let (stream, stream_task) = if tcp {
            let (tx, rx) = mpsc::unbounded_channel();
            let task = tokio::spawn(stream_loop(config.id, remote, rx, inputs.clone()));
            (Some(tx), Some(task))
        } else {
            (None, None)
        };
        let reader = tokio::spawn(read_loop(config.id, socket.clone(), inputs));
        Ok(TrunkLeg {
            stream,
            stream_task,
            next_register: config.register.then_some(now),
            config,
            ep,
            socket,
            reader,
            failures: 0,
        })
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
        if let Err(e) = self.socket.send_to(bytes, to).await {
            tracing::warn!(trunk = self.config.id, %to, "SIP send failed: {e}");
        }
    }
}

async fn resolve(target: &str) -> Result<SocketAddr, SetupError> {
    let with_port = if target
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
    {
        target.to_string()
    } else {
        format!("{target}:5060")
    };
    let resolved = tokio::net::lookup_host(with_port).await;
    match resolved {
        Ok(mut addrs) => addrs
            .next()
            .ok_or_else(|| SetupError(format!("DNS: {target} has no address"))),
        Err(e) => Err(SetupError(format!("DNS: cannot resolve {target}: {e}"))),
    }
}

async fn local_address_towards(
    socket: &UdpSocket,
    remote: SocketAddr,
) -> Result<SocketAddr, SetupError> {
    let bound = socket
        .local_addr()
        .map_err(|e| SetupError(format!("transport error: {e}")))?;
    if !bound.ip().is_unspecified() {
        return Ok(bound);
    }
    let probe = UdpSocket::bind((bound.ip(), 0))
        .await
        .map_err(|e| SetupError(format!("transport error: {e}")))?;
    probe
        .connect(remote)
        .await
        .map_err(|e| SetupError(format!("transport error: no route to {remote}: {e}")))?;
    let ip = probe
        .local_addr()
        .map_err(|e| SetupError(format!("transport error: {e}")))?
        .ip();
    Ok(SocketAddr::new(ip, bound.port()))
}

async fn read_loop(trunk: i64, socket: Arc<UdpSocket>, inputs: mpsc::UnboundedSender<Input>) {
    let mut buf = vec![0u8; 65_535];
    loop {
        match socket.recv_from(&mut buf).await {
            Ok((n, from)) => {
                let bytes = buf[..n].to_vec();
                if inputs.send(Input::Udp { trunk, from, bytes }).is_err() {
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

/// A TCP trunk's connection: connects (again after a drop, every 5 s), frames
/// what arrives (RFC 3261 §18.3) into the switch as the provider's messages,
/// and writes what the switch queues. A failed connect is reported so the
/// status says why.
async fn stream_loop(
    trunk: i64,
    remote: SocketAddr,
    mut outgoing: mpsc::UnboundedReceiver<Vec<u8>>,
    inputs: mpsc::UnboundedSender<Input>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    loop {
        let stream = match tokio::net::TcpStream::connect(remote).await {
            Ok(stream) => stream,
            Err(e) => {
                let reason = format!("transport error: cannot connect to {remote} over TCP: {e}");
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
        let _ = stream.set_nodelay(true);
        if inputs
            .send(Input::TrunkTransport { trunk, error: None })
            .is_err()
        {
            return;
        }
        let (mut reader, mut writer) = stream.into_split();
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
                                if inputs.send(Input::Udp { trunk, from: remote, bytes }).is_err() {
                                    return;
                                }
                            }
                            Ok(Some(super::sip_listener::Frame::Ping)) => {
                                if writer.write_all(b"\r\n").await.is_err() {
                                    break 'connected;
                                }
                            }
                            Ok(None) => break,
                            Err(e) => {
                                tracing::warn!(trunk, %remote, "closing the trunk's TCP connection: {e}");
                                break 'connected;
                            }
                        }
                    }
                }
                out = outgoing.recv() => {
                    let Some(bytes) = out else { return };
                    if writer.write_all(&bytes).await.is_err() {
                        break 'connected;
                    }
                }
            }
        }
        tracing::info!(trunk, %remote, "the trunk's TCP connection closed; reconnecting");
    }
}
