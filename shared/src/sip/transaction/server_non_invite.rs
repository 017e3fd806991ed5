//! The non-INVITE server transaction (RFC 3261 §17.2.2, Figure 8).

use super::{State, Timer, TimerConfig, Timers, TxEvent};
use crate::sip::message::{Request, Response};
use crate::time::Duration;
use crate::Instant;
use std::collections::VecDeque;

/// Absorbs request retransmissions, answering with the last response, and
/// lingers in Completed for Timer J.
#[derive(Debug)]
pub struct ServerNonInvite {
    state: State,
    request: Request,
    last_response: Option<Vec<u8>>,
    cfg: TimerConfig,
    reliable: bool,
    timers: Timers,
    transmits: VecDeque<Vec<u8>>,
    events: VecDeque<TxEvent>,
}

impl ServerNonInvite {
    pub fn new(request: Request, reliable: bool, cfg: TimerConfig) -> Self {
        ServerNonInvite {
            state: State::Trying,
            request,
            last_response: None,
            cfg,
            reliable,
            timers: Timers::default(),
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

    /// A retransmission of the request.
    pub fn handle_request(&mut self, _now: Instant, _req: &Request) {
        // §17.2.2: discarded in Trying, answered with the last response after.
        if let (State::Proceeding | State::Completed, Some(r)) = (self.state, &self.last_response) {
            self.transmits.push_back(r.clone());
        }
    }

    pub fn send_response(&mut self, now: Instant, resp: &Response) {
        if !matches!(self.state, State::Trying | State::Proceeding) {
            return;
        }
        let bytes = resp.to_bytes();
        self.transmits.push_back(bytes.clone());
        self.last_response = Some(bytes);
        if resp.code < 200 {
            self.state = State::Proceeding;
        } else {
            self.state = State::Completed;
            let j = if self.reliable {
                Duration::ZERO
            } else {
                self.cfg.timeout()
            };
            self.timers.set(Timer::J, now + j);
        }
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(t) = self.timers.take_expired(now) {
            if t == Timer::J {
                self.state = State::Terminated;
                self.timers.cancel_all();
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
