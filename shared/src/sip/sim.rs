//! A discrete-event simulation of two endpoints over an in-memory network,
//! for tests of call flows (RFC 3665) here and in the relay and browser:
//! a simulated clock jumps to the next delivery or `poll_timeout()`; latency
//! and loss are configurable. No sockets, no sleeps.

use super::auth::{Algorithm, DigestServer, Verification};
use super::header::HeaderName;
use super::message::{HeaderMap, Method};
use super::transaction::TimerConfig;
use super::ua::{Config, Endpoint, Event, Remote, TransportKind};
use crate::time::Duration;
use crate::Instant;

/// Decides whether a message sent by a side is lost.
pub type DropFn = Box<dyn FnMut(Side, &[u8]) -> bool>;

/// Which endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    A,
    B,
}

struct Flight {
    at: Instant,
    to: Side,
    bytes: Vec<u8>,
}

/// A registrar run by side B: answers REGISTER with a Digest challenge, then 200.
pub struct Registrar {
    pub server: DigestServer,
    pub users: Vec<(String, String)>,
    pub nonce_seed: u64,
}

/// Two endpoints, `a` (alice) and `b` (bob), wired to each other.
pub struct Pair {
    pub a: Endpoint<&'static str>,
    pub b: Endpoint<&'static str>,
    pub now: Instant,
    pub latency: Duration,
    /// Return true to drop a message (`from`, bytes): simulated loss.
    pub drop: DropFn,
    /// Every delivered message as `"A>B INVITE"` / `"B>A 180"`.
    pub log: Vec<String>,
    pub a_events: Vec<Event>,
    pub b_events: Vec<Event>,
    pub registrar: Option<Registrar>,
    flights: Vec<Flight>,
}

fn config(
    user: &str,
    host: &'static str,
    peer: &'static str,
    transport: TransportKind,
) -> Config<&'static str> {
    Config {
        aor: format!("sip:{user}@{host}.example.com"),
        display_name: Some(user.to_owned()),
        contact: format!("sip:{user}@{host}.example.com"),
        via_host: format!("{host}.example.com"),
        outbound: Remote {
            addr: peer,
            transport,
        },
        timers: TimerConfig::default(),
        credentials: Some((user.to_owned(), format!("{user}-secret"))),
        user_agent: "callcard-sim".to_owned(),
        limits: Default::default(),
    }
}

impl Pair {
    /// `a` = alice, `b` = bob, each sending everything to the other.
    pub fn new(transport: TransportKind, start: Instant) -> Pair {
        Pair {
            a: Endpoint::new(config("alice", "a", "b", transport), 1),
            b: Endpoint::new(config("bob", "b", "a", transport), 2),
            now: start,
            latency: Duration::from_millis(20),
            drop: Box::new(|_, _| false),
            log: Vec::new(),
            a_events: Vec::new(),
            b_events: Vec::new(),
            registrar: None,
            flights: Vec::new(),
        }
    }

    /// Makes B a registrar that knows alice's password.
    pub fn with_registrar(mut self, algorithm: Algorithm) -> Pair {
        self.registrar = Some(Registrar {
            server: DigestServer::new("b.example.com", algorithm, Duration::from_secs(300)),
            users: vec![("alice".into(), "alice-secret".into())],
            nonce_seed: 99,
        });
        self
    }

    fn ep(&mut self, side: Side) -> &mut Endpoint<&'static str> {
        match side {
            Side::A => &mut self.a,
            Side::B => &mut self.b,
        }
    }

    /// Moves outputs of both endpoints onto the wire and into the event logs.
    pub fn drain(&mut self) {
        for side in [Side::A, Side::B] {
            while let Some(t) = self.ep(side).poll_transmit() {
                if (self.drop)(side, &t.bytes) {
                    continue;
                }
                let to = if t.to.addr == "a" { Side::A } else { Side::B };
                self.flights.push(Flight {
                    at: self.now + self.latency,
                    to,
                    bytes: t.bytes,
                });
            }
            while let Some(e) = self.ep(side).poll_event() {
                if side == Side::B {
                    if let Event::Request { id, request, .. } = &e {
                        if request.method == Method::Register && self.registrar.is_some() {
                            self.answer_register(
                                *id,
                                request.first(HeaderName::Authorization).map(str::to_owned),
                            );
                            continue;
                        }
                    }
                }
                match side {
                    Side::A => self.a_events.push(e),
                    Side::B => self.b_events.push(e),
                }
            }
        }
    }

    fn answer_register(&mut self, id: super::ua::RequestHandle, authorization: Option<String>) {
        let now = self.now;
        let Some(reg) = self.registrar.as_mut() else {
            return;
        };
        let users = reg.users.clone();
        let v = reg
            .server
            .verify(now, "REGISTER", authorization.as_deref(), |u| {
                users.iter().find(|(n, _)| n == u).map(|(_, p)| p.clone())
            });
        reg.nonce_seed += 1;
        let (code, challenge) = match v {
            Verification::Ok(_) => (200, None),
            Verification::Stale => (401, Some(reg.server.challenge(now, reg.nonce_seed, true))),
            Verification::Challenge => {
                (401, Some(reg.server.challenge(now, reg.nonce_seed, false)))
            }
            Verification::Forbidden => (403, None),
        };
        let reason = match code {
            200 => "OK",
            401 => "Unauthorized",
            _ => "Forbidden",
        };
        let Some(mut resp) = self.b.response_for(id, code, reason) else {
            return;
        };
        if let Some(c) = challenge {
            resp.headers.push(HeaderName::WwwAuthenticate, c);
        }
        if code == 200 {
            resp.headers.push(
                HeaderName::Contact,
                "<sip:alice@a.example.com>;expires=3600",
            );
        }
        self.b.respond(now, id, resp);
    }

    /// Delivers the next message or fires the next timer; false when idle.
    pub fn step(&mut self) -> bool {
        self.drain();
        let next_flight = self.flights.iter().map(|f| f.at).min();
        let next_timer = [self.a.poll_timeout(), self.b.poll_timeout()]
            .into_iter()
            .flatten()
            .min();
        let at = match (next_flight, next_timer) {
            (Some(f), Some(t)) => f.min(t),
            (Some(f), None) => f,
            (None, Some(t)) => t,
            (None, None) => return false,
        };
        self.now = self.now.max(at);
        if next_flight == Some(at) {
            let i = self.flights.iter().position(|f| f.at == at).unwrap_or(0);
            let f = self.flights.remove(i);
            let from = match f.to {
                Side::A => "b",
                Side::B => "a",
            };
            let transport = self.a.config().outbound.transport;
            let line = parse_first_line(&f.bytes);
            self.log.push(format!(
                "{}>{} {line}",
                from.to_uppercase(),
                if from == "a" { "B" } else { "A" }
            ));
            let now = self.now;
            let _ = self.ep(f.to).handle_input(
                now,
                Remote {
                    addr: from,
                    transport,
                },
                &f.bytes,
            );
        } else {
            let now = self.now;
            self.a.handle_timeout(now);
            self.b.handle_timeout(now);
        }
        self.drain();
        true
    }

    /// Runs until `pred` holds or simulated time passes `limit`; returns whether `pred` held.
    pub fn run_until(&mut self, limit: Duration, mut pred: impl FnMut(&Pair) -> bool) -> bool {
        let end = self.now + limit;
        loop {
            self.drain();
            if pred(self) {
                return true;
            }
            if self.now > end || !self.step() {
                return pred(self);
            }
        }
    }

    /// Runs for `d` of simulated time (or until idle).
    pub fn run_for(&mut self, d: Duration) {
        let end = self.now + d;
        while self.now < end {
            let next = [
                self.flights.iter().map(|f| f.at).min(),
                self.a.poll_timeout(),
                self.b.poll_timeout(),
            ]
            .into_iter()
            .flatten()
            .min();
            match next {
                Some(t) if t <= end => {
                    self.step();
                }
                _ => {
                    self.now = end;
                    self.drain();
                    break;
                }
            }
        }
    }

    /// The delivered-message log, e.g. `["A>B INVITE", "B>A 100", ...]`.
    pub fn ladder(&self) -> Vec<&str> {
        self.log.iter().map(String::as_str).collect()
    }
}

fn parse_first_line(bytes: &[u8]) -> String {
    match super::parse::parse(bytes) {
        Ok(m) => match (m.method(), m.status()) {
            (Some(method), _) => method.to_string(),
            (_, Some(code)) => format!("{code} {}", m.cseq().map(|c| c.method).unwrap_or("")),
            _ => "?".into(),
        },
        Err(_) => "malformed".into(),
    }
}
