//! The non-INVITE client transaction (RFC 3261 §17.1.2, Figure 6).

use super::{State, Timer, TimerConfig, Timers, TxEvent};
use crate::sip::message::{Request, Response};
use crate::time::Duration;
use crate::Instant;
use std::collections::VecDeque;

/// Sends a non-INVITE request, retransmits it on Timer E (capped at T2),
/// gives up on Timer F and absorbs retransmitted finals until Timer K.
#[derive(Debug)]
pub struct ClientNonInvite {
    state: State,
    request: Request,
    bytes: Vec<u8>,
    cfg: TimerConfig,
    reliable: bool,
    timers: Timers,
    interval_e: Duration,
    transmits: VecDeque<Vec<u8>>,
    events: VecDeque<TxEvent>,
}

impl ClientNonInvite {
    pub fn new(now: Instant, request: Request, reliable: bool, cfg: TimerConfig) -> Self {
        let bytes = request.to_bytes();
        let mut timers = Timers::default();
        if !reliable {
            timers.set(Timer::E, now + cfg.t1);
        }
        timers.set(Timer::F, now + cfg.timeout());
        ClientNonInvite {
            state: State::Trying,
            transmits: VecDeque::from([bytes.clone()]),
            request,
            bytes,
            cfg,
            reliable,
            timers,
            interval_e: cfg.t1,
            events: VecDeque::new(),
        }
    }

    pub fn state(&self) -> State {
        self.state
    }
    pub fn request(&self) -> &Request {
        &self.request
    }

    pub fn handle_response(&mut self, now: Instant, resp: Response) {
        match (self.state, resp.code) {
            (State::Trying | State::Proceeding, 100..=199) => {
                self.state = State::Proceeding;
                self.events.push_back(TxEvent::Response(resp));
            }
            (State::Trying | State::Proceeding, _) => {
                self.state = State::Completed;
                self.timers.cancel_all();
                // §17.1.2.2: Timer K = T4 unreliable, zero reliable.
                let k = if self.reliable {
                    Duration::ZERO
                } else {
                    self.cfg.t4
                };
                self.timers.set(Timer::K, now + k);
                self.events.push_back(TxEvent::Response(resp));
            }
            _ => {}
        }
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(t) = self.timers.take_expired(now) {
            match t {
                Timer::E if matches!(self.state, State::Trying | State::Proceeding) => {
                    self.transmits.push_back(self.bytes.clone());
                    // §17.1.2.2: doubles up to T2 while Trying; T2 once Proceeding.
                    self.interval_e = if self.state == State::Trying {
                        (self.interval_e * 2).min(self.cfg.t2)
                    } else {
                        self.cfg.t2
                    };
                    self.timers.set(Timer::E, now + self.interval_e);
                }
                Timer::F if matches!(self.state, State::Trying | State::Proceeding) => {
                    self.state = State::Terminated;
                    self.timers.cancel_all();
                    self.events.push_back(TxEvent::Timeout);
                }
                Timer::K => {
                    self.state = State::Terminated;
                    self.timers.cancel_all();
                }
                _ => {}
            }
        }
    }

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
    pub fn next_timer(&self) -> Option<(Timer, Instant)> {
        self.timers.next()
    }
}
