//! The INVITE client transaction (RFC 3261 §17.1.1, Figure 5).

use super::{ack_for_non_2xx, State, Timer, TimerConfig, Timers, TxEvent};
use crate::sip::message::{Request, Response};
use crate::Instant;
use std::collections::VecDeque;

/// Sends an INVITE, retransmits it on Timer A, gives up on Timer B, and ACKs
/// non-2xx finals itself. 2xx responses terminate it: their ACK belongs to
/// the dialog (RFC 3261 §13.2.2.4).
#[derive(Debug)]
pub struct ClientInvite {
    state: State,
    request: Request,
    bytes: Vec<u8>,
    ack: Option<Vec<u8>>,
    cfg: TimerConfig,
    reliable: bool,
    timers: Timers,
    interval_a: crate::time::Duration,
    transmits: VecDeque<Vec<u8>>,
    events: VecDeque<TxEvent>,
}

impl ClientInvite {
    /// Starts the transaction: the INVITE is queued for sending at once.
    pub fn new(now: Instant, request: Request, reliable: bool, cfg: TimerConfig) -> Self {
        let bytes = request.to_bytes();
        let mut timers = Timers::default();
        // §17.1.1.2: Timer A only for unreliable transports; Timer B always.
        if !reliable {
            timers.set(Timer::A, now + cfg.t1);
        }
        timers.set(Timer::B, now + cfg.timeout());
        ClientInvite {
            state: State::Calling,
            transmits: VecDeque::from([bytes.clone()]),
            request,
            bytes,
            ack: None,
            cfg,
            reliable,
            timers,
            interval_a: cfg.t1,
            events: VecDeque::new(),
        }
    }

    pub fn state(&self) -> State {
        self.state
    }
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// Feeds a response matched to this transaction (§17.1.3).
    pub fn handle_response(&mut self, now: Instant, resp: Response) {
        match (self.state, resp.code) {
            (State::Calling | State::Proceeding, 100..=199) => {
                self.state = State::Proceeding;
                self.timers.cancel(Timer::A);
                self.timers.cancel(Timer::B);
                self.events.push_back(TxEvent::Response(resp));
            }
            (State::Calling | State::Proceeding, 200..=299) => {
                self.state = State::Terminated;
                self.timers.cancel_all();
                self.events.push_back(TxEvent::Response(resp));
            }
            (State::Calling | State::Proceeding, _) => {
                // §17.1.1.3: ACK, pass up, wait D for retransmissions.
                let ack = ack_for_non_2xx(&self.request, &resp).to_bytes();
                self.transmits.push_back(ack.clone());
                self.ack = Some(ack);
                self.state = State::Completed;
                self.timers.cancel_all();
                let d = if self.reliable {
                    crate::time::Duration::ZERO
                } else {
                    crate::time::Duration::from_secs(32).max(self.cfg.timeout() / 2)
                };
                self.timers.set(Timer::D, now + d);
                self.events.push_back(TxEvent::Response(resp));
            }
            (State::Completed, 300..=699) => {
                // A retransmitted final: ACK again, do not pass up.
                if let Some(ack) = &self.ack {
                    self.transmits.push_back(ack.clone());
                }
            }
            _ => {}
        }
    }

    /// Fires every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(t) = self.timers.take_expired(now) {
            match t {
                Timer::A if self.state == State::Calling => {
                    // §17.1.1.2: retransmit and double (no T2 cap for INVITE).
                    self.transmits.push_back(self.bytes.clone());
                    self.interval_a *= 2;
                    self.timers.set(Timer::A, now + self.interval_a);
                }
                Timer::B if self.state == State::Calling => {
                    self.state = State::Terminated;
                    self.timers.cancel_all();
                    self.events.push_back(TxEvent::Timeout);
                }
                Timer::D => {
                    self.state = State::Terminated;
                    self.timers.cancel_all();
                }
                _ => {}
            }
        }
    }

    /// Transport error (§17.1.1.2): terminate and report like a timeout.
    pub fn handle_transport_error(&mut self) {
        if self.state != State::Terminated {
            self.state = State::Terminated;
            self.timers.cancel_all();
            self.events.push_back(TxEvent::Timeout);
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
    /// The next timer and its deadline (for tests and tracing).
    pub fn next_timer(&self) -> Option<(Timer, Instant)> {
        self.timers.next()
    }
}
