//! The INVITE server transaction (RFC 3261 §17.2.1, Figure 7).

use super::{State, Timer, TimerConfig, Timers, TxEvent};
use crate::sip::message::{Request, Response};
use crate::time::Duration;
use crate::Instant;
use std::collections::VecDeque;

/// Absorbs INVITE retransmissions (answering with the last response),
/// retransmits non-2xx finals on Timer G until the ACK or Timer H, then
/// absorbs ACK retransmissions until Timer I. A 2xx terminates it: the UA
/// core retransmits 2xx itself (RFC 3261 §13.3.1.4).
#[derive(Debug)]
pub struct ServerInvite {
    state: State,
    request: Request,
    last_response: Option<Vec<u8>>,
    final_code: Option<u16>,
    cfg: TimerConfig,
    reliable: bool,
    timers: Timers,
    interval_g: Duration,
    transmits: VecDeque<Vec<u8>>,
    events: VecDeque<TxEvent>,
}

impl ServerInvite {
    /// Created when an INVITE arrives; the TU should send a provisional soon.
    pub fn new(request: Request, reliable: bool, cfg: TimerConfig) -> Self {
        ServerInvite {
            state: State::Proceeding,
            request,
            last_response: None,
            final_code: None,
            cfg,
            reliable,
            timers: Timers::default(),
            interval_g: cfg.t1,
            transmits: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    pub fn state(&self) -> State {
        self.state
    }
    pub fn request(&self) -> &Request {
        &self.request
    }
    /// The final status sent, if any.
    pub fn final_code(&self) -> Option<u16> {
        self.final_code
    }

    /// A retransmitted INVITE or an ACK matched to this transaction.
    pub fn handle_request(&mut self, now: Instant, req: &Request) {
        use crate::sip::message::Method;
        match (self.state, &req.method) {
            (State::Proceeding | State::Completed, Method::Invite) => {
                if let Some(r) = &self.last_response {
                    self.transmits.push_back(r.clone());
                }
            }
            (State::Completed, Method::Ack) => {
                // §17.2.1: Confirmed; Timer I = T4 unreliable, zero reliable.
                self.state = State::Confirmed;
                self.timers.cancel(Timer::G);
                self.timers.cancel(Timer::H);
                let i = if self.reliable {
                    Duration::ZERO
                } else {
                    self.cfg.t4
                };
                self.timers.set(Timer::I, now + i);
            }
            _ => {}
        }
    }

    /// The TU sends a response through the transaction.
    pub fn send_response(&mut self, now: Instant, resp: &Response) {
        if self.state != State::Proceeding {
            return;
        }
        let bytes = resp.to_bytes();
        self.transmits.push_back(bytes.clone());
        self.last_response = Some(bytes);
        match resp.code {
            100..=199 => {}
            200..=299 => {
                self.final_code = Some(resp.code);
                self.state = State::Terminated;
                self.timers.cancel_all();
            }
            _ => {
                self.final_code = Some(resp.code);
                self.state = State::Completed;
                if !self.reliable {
                    self.timers.set(Timer::G, now + self.cfg.t1);
                }
                self.timers.set(Timer::H, now + self.cfg.timeout());
            }
        }
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(t) = self.timers.take_expired(now) {
            match t {
                Timer::G if self.state == State::Completed => {
                    if let Some(r) = &self.last_response {
                        self.transmits.push_back(r.clone());
                    }
                    self.interval_g = (self.interval_g * 2).min(self.cfg.t2);
                    self.timers.set(Timer::G, now + self.interval_g);
                }
                Timer::H if self.state == State::Completed => {
                    self.state = State::Terminated;
                    self.timers.cancel_all();
                    self.events.push_back(TxEvent::NoAck);
                }
                Timer::I => {
                    self.state = State::Terminated;
                    self.timers.cancel_all();
                }
                _ => {}
            }
        }
    }

    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.transmits.pop_front()
    }
    #[must_use]
    pub fn poll_event(&mut self) -> Option<TxEvent> {
        self.events.pop_front()
    }
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next().map(|(_, at)| at)
    }
    pub fn next_timer(&self) -> Option<(Timer, Instant)> {
        self.timers.next()
    }
}
