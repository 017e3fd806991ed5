//! A softphone for tests: the `shared` SIP endpoint over a real WebSocket to
//! the relay's `/sip`, signed in with the user's web session cookie — or over
//! UDP to the relay's SIP address, like a desk phone.

use std::time::Duration;

use callcard_shared::sip::transaction::TimerConfig;
use callcard_shared::sip::ua::{CallHandle, Config, Endpoint, Event, Remote, TransportKind};
use callcard_shared::Instant;
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How the phone reaches the relay.
enum Link {
    Ws(Box<WebSocketStream<MaybeTlsStream<TcpStream>>>),
    Udp(tokio::net::UdpSocket),
}

pub struct WsPhone {
    link: Link,
    pub ep: Endpoint<()>,
    /// Events seen so far and not yet taken by `wait_for`.
    pub events: Vec<Event>,
    /// Every SIP message received from the relay, byte for byte (leak checks).
    pub received: Vec<Vec<u8>>,
}

/// Why a WebSocket upgrade was refused: the HTTP status (0: no HTTP answer at all).
#[derive(Debug)]
pub struct Refused(pub u16);

impl WsPhone {
    /// Opens `/sip` with `cookie` (a `name=value` pair) and the `sip` subprotocol.
    pub async fn connect(
        relay_addr: std::net::SocketAddr,
        cookie: Option<&str>,
        sip_login: &str,
        password: &str,
    ) -> Result<WsPhone, Refused> {
        match Self::try_connect(relay_addr, cookie, sip_login, password).await {
            Err(Refused(0)) => panic!("WebSocket connect: no answer from {relay_addr}"),
            other => other,
        }
    }

    /// Like [`WsPhone::connect`], but a relay that is down is `Refused(0)`.
    pub async fn try_connect(
        relay_addr: std::net::SocketAddr,
        cookie: Option<&str>,
        sip_login: &str,
        password: &str,
    ) -> Result<WsPhone, Refused> {
        let mut request = format!("ws://{relay_addr}/sip")
            .into_client_request()
            .expect("request");
        request
            .headers_mut()
            .insert("Sec-WebSocket-Protocol", "sip".parse().unwrap());
        if let Some(cookie) = cookie {
            request
                .headers_mut()
                .insert("Cookie", cookie.parse().unwrap());
        }
        // Without Nagle's algorithm, as browsers open their WebSockets.
        let (ws, _) = match tokio_tungstenite::connect_async_with_config(request, None, true).await
        {
            Ok(ok) => ok,
            Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
                return Err(Refused(resp.status().as_u16()))
            }
            Err(_) => return Err(Refused(0)),
        };
        let config = Config {
            aor: format!("sip:{sip_login}@callcard"),
            display_name: None,
            contact: format!("sip:{sip_login}@df7jal23ls0d.invalid;transport=ws"),
            via_host: "df7jal23ls0d.invalid".into(),
            outbound: Remote {
                addr: (),
                transport: TransportKind::Ws,
            },
            timers: TimerConfig::default(),
            credentials: Some((sip_login.to_string(), password.to_string())),
            user_agent: "callcard-tests".into(),
            limits: Default::default(),
        };
        Ok(WsPhone {
            link: Link::Ws(Box::new(ws)),
            ep: Endpoint::new(config, 0x7e57),
            events: Vec::new(),
            received: Vec::new(),
        })
    }

    /// A browser's phone: its Contact carries `+sip.ice` (RFC 5768), so the
    /// relay anchors its calls' media and offers it WebRTC (register after).
    pub fn webrtc(mut self) -> WsPhone {
        self.ep = self.ep.with_contact_params(";+sip.ice");
        self
    }

    /// The network drops under a call: the socket goes away without a close
    /// frame, and a new one is opened to the relay with the same endpoint
    /// (its dialogs, its Contact), as the browser phone does.
    pub async fn drop_socket_and_reconnect(
        &mut self,
        relay_addr: std::net::SocketAddr,
        cookie: &str,
    ) {
        let login = self.ep.config().aor.clone();
        let fresh = Self::connect(relay_addr, Some(cookie), "unused", "unused")
            .await
            .unwrap_or_else(|e| panic!("{login}: reconnect refused: {e:?}"));
        // Dropping the stream closes the TCP connection abruptly.
        self.link = fresh.link;
    }

    /// A desk phone: the same endpoint over UDP to the relay's SIP address.
    pub async fn udp(relay_sip: std::net::SocketAddr, sip_login: &str, password: &str) -> WsPhone {
        let socket = tokio::net::UdpSocket::bind("127.0.0.1:0")
            .await
            .expect("UDP socket");
        socket.connect(relay_sip).await.expect("connect UDP");
        let local = socket.local_addr().expect("local address");
        let config = Config {
            aor: format!("sip:{sip_login}@callcard"),
            display_name: None,
            contact: format!("sip:{sip_login}@{local}"),
            via_host: local.to_string(),
            outbound: Remote {
                addr: (),
                transport: TransportKind::Udp,
            },
            timers: TimerConfig::default(),
            credentials: Some((sip_login.to_string(), password.to_string())),
            user_agent: "callcard-tests desk phone".into(),
            limits: Default::default(),
        };
        WsPhone {
            link: Link::Udp(socket),
            ep: Endpoint::new(config, 0xde5c),
            events: Vec::new(),
            received: Vec::new(),
        }
    }

    async fn send_text(&mut self, text: String) {
        match &mut self.link {
            Link::Ws(ws) => ws
                .send(Message::Text(text.into()))
                .await
                .expect("send frame"),
            Link::Udp(socket) => {
                socket.send(text.as_bytes()).await.expect("send datagram");
            }
        }
    }

    /// The next SIP message from the relay; None when the connection closed.
    async fn receive(&mut self) -> Option<Vec<u8>> {
        let message = self.receive_message().await;
        if let Some(bytes) = &message {
            self.received.push(bytes.clone());
        }
        message
    }

    async fn receive_message(&mut self) -> Option<Vec<u8>> {
        match &mut self.link {
            Link::Ws(ws) => loop {
                match ws.next().await {
                    Some(Ok(Message::Text(text))) => return Some(text.as_bytes().to_vec()),
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
                    Some(Ok(_)) => {}
                }
            },
            Link::Udp(socket) => {
                let mut buf = vec![0u8; 65_535];
                let n = socket.recv(&mut buf).await.ok()?;
                buf.truncate(n);
                Some(buf)
            }
        }
    }

    fn transport(&self) -> TransportKind {
        match self.link {
            Link::Ws(_) => TransportKind::Ws,
            Link::Udp(_) => TransportKind::Udp,
        }
    }

    async fn flush(&mut self) {
        while let Some(t) = self.ep.poll_transmit() {
            let text = String::from_utf8(t.bytes).expect("utf-8 SIP");
            if std::env::var_os("SIP_TRACE").is_some() {
                eprintln!("--> phone sends\n{text}");
            }
            self.send_text(text).await;
        }
        while let Some(e) = self.ep.poll_event() {
            self.events.push(e);
        }
    }

    /// Sends a raw frame (for malformed-input tests).
    pub async fn send_raw(&mut self, text: &str) {
        self.send_text(text.to_string()).await;
    }

    /// Drives the endpoint until an event matching `want` arrives (removed from
    /// `events` and returned) or `within` passes (panics naming `what`).
    pub async fn wait_for(
        &mut self,
        what: &str,
        within: Duration,
        want: impl Fn(&Event) -> bool,
    ) -> Event {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            self.flush().await;
            if let Some(i) = self.events.iter().position(&want) {
                return self.events.remove(i);
            }
            let timer = self
                .ep
                .poll_timeout()
                .map(tokio::time::Instant::from_std)
                .unwrap_or(deadline)
                .min(deadline);
            let transport = self.transport();
            tokio::select! {
                message = self.receive() => match message {
                    Some(bytes) => {
                        if std::env::var_os("SIP_TRACE").is_some() {
                            eprintln!("<-- phone receives\n{}", String::from_utf8_lossy(&bytes));
                        }
                        let _ = self.ep.handle_input(
                            Instant::now(),
                            Remote { addr: (), transport },
                            &bytes,
                        );
                    }
                    None => panic!("waiting for {what}: the relay closed the socket; events: {:?}", self.events),
                },
                _ = tokio::time::sleep_until(timer) => {
                    if tokio::time::Instant::now() >= deadline {
                        panic!("no {what} within {within:?}; events: {:?}", self.events);
                    }
                    self.ep.handle_timeout(Instant::now());
                }
            }
        }
    }

    /// Whether the relay closes the socket within `within`.
    pub async fn closed_within(&mut self, within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            self.flush().await;
            let transport = self.transport();
            tokio::select! {
                message = self.receive() => match message {
                    Some(bytes) => {
                        let _ = self.ep.handle_input(
                            Instant::now(),
                            Remote { addr: (), transport },
                            &bytes,
                        );
                    }
                    None => return true,
                },
                _ = tokio::time::sleep_until(deadline) => return false,
            }
        }
    }

    pub async fn register(&mut self) -> Event {
        self.ep.register(Instant::now(), 600);
        self.wait_for("a REGISTER answer", Duration::from_secs(5), |e| {
            matches!(
                e,
                Event::Registered { .. } | Event::RegistrationFailed { .. }
            )
        })
        .await
    }

    /// What a softphone does when its socket drops: connect again with
    /// back-off (100 ms doubling to 2 s) and register, until `within` passes.
    pub async fn reconnect(
        relay_addr: std::net::SocketAddr,
        cookie: &str,
        sip_login: &str,
        password: &str,
        within: Duration,
    ) -> (WsPhone, u32) {
        let deadline = tokio::time::Instant::now() + within;
        let mut backoff = Duration::from_millis(100);
        let mut attempts = 0;
        loop {
            attempts += 1;
            let connected = tokio::time::timeout(
                Duration::from_secs(2),
                WsPhone::try_connect(relay_addr, Some(cookie), sip_login, password),
            )
            .await;
            if let Ok(Ok(mut phone)) = connected {
                if matches!(phone.register().await, Event::Registered { .. }) {
                    return (phone, attempts);
                }
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "re-registered within {within:?} ({attempts} attempts)"
            );
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(2));
        }
    }

    pub async fn call(&mut self, number: &str, sdp: Option<Vec<u8>>) -> CallHandle {
        let call = self
            .ep
            .invite(Instant::now(), &format!("sip:{number}@callcard"), sdp);
        self.flush().await;
        call
    }

    pub async fn hang_up(&mut self, call: CallHandle) {
        self.ep.bye(Instant::now(), call);
        self.flush().await;
    }

    /// Waits for the next incoming call and answers it with `sdp`; returns
    /// the call, its From and the caller's offer.
    pub async fn answer_next(
        &mut self,
        within: Duration,
        sdp: Option<Vec<u8>>,
    ) -> (CallHandle, String, Option<Vec<u8>>) {
        let incoming = self
            .wait_for("an incoming call", within, |e| {
                matches!(e, Event::IncomingCall { .. })
            })
            .await;
        let Event::IncomingCall {
            call,
            from,
            sdp: offer,
            ..
        } = incoming
        else {
            unreachable!("wait_for returned what it waited for")
        };
        self.accept(call, sdp).await;
        (call, from, offer)
    }

    /// Answers an incoming call and sends the 200 at once.
    pub async fn accept(&mut self, call: CallHandle, sdp: Option<Vec<u8>>) {
        self.ep.accept(Instant::now(), call, sdp);
        self.flush().await;
    }

    /// Refuses an incoming call with `code` at once.
    pub async fn reject(&mut self, call: CallHandle, code: u16) {
        self.ep.reject(Instant::now(), call, code);
        self.flush().await;
    }

    /// Transfers the peer of `call` to `target` (a SIP URI) with REFER.
    pub async fn refer(&mut self, call: CallHandle, target: &str) {
        self.ep.refer(Instant::now(), call, target);
        self.flush().await;
    }

    pub async fn cancel(&mut self, call: CallHandle) {
        self.ep.cancel(Instant::now(), call);
        self.flush().await;
    }
}
