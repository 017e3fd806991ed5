//! The switch's added latency, measured in this one process with one clock
//! (so no clocks of two processes are compared): this process plays the
//! provider on the trunk's UDP address with the shared SIP stack.
//!
//! - inbound: the provider's INVITE leaves this process's UDP socket → the
//!   relay → the INVITE reaches the auto-answering WebSocket phone (the
//!   k-th INVITE a phone gets is the k-th sent for its contact: the switch is
//!   one FIFO task and each phone's WebSocket is ordered);
//! - outbound: a WebSocket phone's INVITE leaves this process → the relay
//!   (number rules, limits, record, trunk) → the trunk INVITE reaches the
//!   provider socket here, which answers 486 at once.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use callcard_shared::sip::ua::{CallHandle, Endpoint, Event, Remote, TransportKind};
use callcard_tests::sip_phone::WsPhone;
use tokio::net::UdpSocket;

/// When each INVITE reached a phone, in order.
pub type Arrivals = Arc<Mutex<Vec<Instant>>>;

/// Percentiles of one direction, milliseconds.
pub struct Figures {
    pub calls: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Figures {
    fn of(mut samples: Vec<Duration>) -> Figures {
        samples.sort_unstable();
        let at = |q: f64| -> f64 {
            if samples.is_empty() {
                return f64::NAN;
            }
            let i = ((samples.len() as f64 - 1.0) * q).round() as usize;
            samples[i].as_secs_f64() * 1000.0
        };
        Figures {
            calls: samples.len(),
            p50_ms: at(0.50),
            p99_ms: at(0.99),
            max_ms: at(1.0),
        }
    }

    pub fn line(&self) -> String {
        format!(
            "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms over {} calls",
            self.p50_ms, self.p99_ms, self.max_ms, self.calls
        )
    }
}

/// The provider: one endpoint on the trunk's provider address.
pub struct Provider {
    socket: UdpSocket,
    ep: Endpoint<SocketAddr>,
    /// When each trunk INVITE arrived (outbound phase).
    invites_in: Vec<Instant>,
}

impl Provider {
    pub async fn bind(port: u16, trunk: SocketAddr) -> Provider {
        let socket = UdpSocket::bind(("127.0.0.1", port))
            .await
            .expect("the provider's port");
        let local = socket.local_addr().expect("bound");
        Provider {
            socket,
            ep: callcard_tests::provider_peer::endpoint(local, trunk, 0x01a7_e4c9),
            invites_in: Vec::new(),
        }
    }

    async fn flush(&mut self) {
        while let Some(t) = self.ep.poll_transmit() {
            let _ = self.socket.send_to(&t.bytes, t.to.addr).await;
        }
    }

    /// Handles what arrives until `until`: answers our calls' 200 with ACK
    /// (the stack does) and BYE, refuses incoming INVITEs with 486.
    async fn serve_until(&mut self, until: Instant, open: &mut usize) {
        let mut buf = vec![0u8; 65_536];
        loop {
            self.flush().await;
            while let Some(event) = self.ep.poll_event() {
                let now = Instant::now();
                match event {
                    Event::Answered { call, .. } => self.ep.bye(now, call),
                    Event::IncomingCall { call, .. } => {
                        self.invites_in.push(now);
                        self.ep.reject(now, call, 486);
                    }
                    Event::Terminated { .. } | Event::Failed { .. } => {
                        *open = open.saturating_sub(1);
                    }
                    _ => {}
                }
            }
            self.flush().await;
            let now = Instant::now();
            if now >= until {
                return;
            }
            let wake = self.ep.poll_timeout().map_or(until, |t| t.min(until));
            tokio::select! {
                got = self.socket.recv_from(&mut buf) => {
                    if let Ok((n, from)) = got {
                        let remote = Remote { addr: from, transport: TransportKind::Udp };
                        let _ = self.ep.handle_input(Instant::now(), remote, &buf[..n]);
                    }
                }
                _ = tokio::time::sleep_until(tokio::time::Instant::from_std(wake)) => {
                    self.ep.handle_timeout(Instant::now());
                }
            }
        }
    }

    /// Inbound: `rate` calls a second for `seconds` from the contacts'
    /// `numbers` in turn to the trunk; `arrivals[i]` is where phone `i`
    /// notes each INVITE it gets.
    pub async fn inbound(
        &mut self,
        numbers: &[String],
        arrivals: &[Arrivals],
        rate: u32,
        seconds: u32,
    ) -> Figures {
        let first: Vec<usize> = arrivals
            .iter()
            .map(|a| a.lock().expect("arrivals").len())
            .collect();
        let mut sent: Vec<Vec<Instant>> = vec![Vec::new(); numbers.len()];
        let interval = Duration::from_secs(1) / rate;
        let start = Instant::now();
        let mut open = 0usize;
        let sdp = b"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n\
                    t=0 0\r\nm=audio 7078 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n";
        for k in 0..(rate * seconds) as usize {
            let due = start + interval * k as u32;
            self.serve_until(due, &mut open).await;
            let i = k % numbers.len();
            let identity = format!("<sip:{}@provider.test>", numbers[i]);
            let target = format!("sip:{}@callcard", super::TRUNK_NUMBER);
            let _: CallHandle =
                self.ep
                    .invite_as(Instant::now(), &identity, &target, Some(sdp.to_vec()));
            open += 1;
            sent[i].push(Instant::now());
            self.flush().await;
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while open > 0 && Instant::now() < deadline {
            self.serve_until(Instant::now() + Duration::from_millis(100), &mut open)
                .await;
        }
        let mut samples = Vec::new();
        for (i, sent) in sent.iter().enumerate() {
            let got = arrivals[i].lock().expect("arrivals");
            for (j, at) in sent.iter().enumerate() {
                if let Some(arrived) = got.get(first[i] + j) {
                    samples.push(arrived.saturating_duration_since(*at));
                }
            }
        }
        Figures::of(samples)
    }

    /// Outbound: `phone` dials `number` `rate` times a second for `seconds`;
    /// the trunk INVITEs land here and are refused with 486.
    pub async fn outbound(
        &mut self,
        phone: &mut WsPhone,
        number: &str,
        rate: u32,
        seconds: u32,
    ) -> Figures {
        self.invites_in.clear();
        let interval = Duration::from_secs(1) / rate;
        let start = Instant::now();
        let mut sent = Vec::new();
        let mut open = 0usize;
        let calls = (rate * seconds) as usize;
        for k in 0..calls {
            let due = start + interval * k as u32;
            // Both sides turn while waiting for the next call's time: the
            // provider socket here, the phone's WebSocket in a join.
            let phone_turns = async {
                let wait = due.saturating_duration_since(Instant::now());
                let _ = tokio::time::timeout(
                    wait,
                    phone.wait_for("nothing", Duration::from_secs(3600), |_| false),
                )
                .await;
            };
            tokio::join!(self.serve_until(due, &mut open), phone_turns);
            phone.events.clear();
            sent.push(Instant::now());
            phone.call(number, None).await;
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.invites_in.len() < calls && Instant::now() < deadline {
            let until = Instant::now() + Duration::from_millis(50);
            let phone_turns = async {
                let _ = tokio::time::timeout(
                    Duration::from_millis(50),
                    phone.wait_for("nothing", Duration::from_secs(3600), |_| false),
                )
                .await;
            };
            tokio::join!(self.serve_until(until, &mut open), phone_turns);
            phone.events.clear();
        }
        let samples = sent
            .iter()
            .zip(&self.invites_in)
            .map(|(at, arrived)| arrived.saturating_duration_since(*at))
            .collect();
        Figures::of(samples)
    }
}

/// Notes that an INVITE reached a phone now.
pub fn note(arrivals: &Arrivals) {
    arrivals.lock().expect("arrivals").push(Instant::now());
}
