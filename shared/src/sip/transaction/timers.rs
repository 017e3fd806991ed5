//! RFC 3261 §17 timers, by their RFC names, and the T1/T2/T4 configuration
//! (RFC 3261 Table 4).

use crate::time::Duration;
use crate::Instant;

/// The transaction timers of RFC 3261 Table 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timer {
    /// INVITE request retransmit (client, unreliable), starts at T1, doubles.
    A,
    /// INVITE transaction timeout (client), 64*T1.
    B,
    /// Wait for response retransmits (client INVITE, Completed), 32 s / 0.
    D,
    /// Non-INVITE request retransmit (client, unreliable), T1 doubling to T2.
    E,
    /// Non-INVITE transaction timeout (client), 64*T1.
    F,
    /// INVITE final response retransmit (server, unreliable), T1 doubling to T2.
    G,
    /// Wait for ACK (server INVITE), 64*T1.
    H,
    /// Wait for ACK retransmits (server INVITE, Confirmed), T4 / 0.
    I,
    /// Wait for request retransmits (server non-INVITE, Completed), 64*T1 / 0.
    J,
    /// Wait for response retransmits (client non-INVITE, Completed), T4 / 0.
    K,
}

const ALL: [Timer; 10] = [
    Timer::A,
    Timer::B,
    Timer::D,
    Timer::E,
    Timer::F,
    Timer::G,
    Timer::H,
    Timer::I,
    Timer::J,
    Timer::K,
];

/// T1, T2 and T4 (RFC 3261 §17.1.1.1, Table 4); `Default` is 500 ms, 4 s, 5 s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimerConfig {
    /// RTT estimate.
    pub t1: Duration,
    /// Maximum retransmit interval for non-INVITE requests and INVITE responses.
    pub t2: Duration,
    /// Maximum duration a message remains in the network.
    pub t4: Duration,
}

impl Default for TimerConfig {
    fn default() -> Self {
        TimerConfig {
            t1: Duration::from_millis(500),
            t2: Duration::from_secs(4),
            t4: Duration::from_secs(5),
        }
    }
}

impl TimerConfig {
    /// 64*T1: timers B, F, H and J.
    pub fn timeout(&self) -> Duration {
        self.t1 * 64
    }
}

/// A fixed table of armed timers (quinn-proto style), one slot per [`Timer`].
#[derive(Debug, Clone, Default)]
pub struct Timers {
    slots: [Option<Instant>; 10],
}

impl Timers {
    fn idx(t: Timer) -> usize {
        // The variants are declared in `ALL` order, so the discriminant is the slot.
        t as usize
    }
    pub fn set(&mut self, t: Timer, at: Instant) {
        self.slots[Self::idx(t)] = Some(at);
    }
    pub fn cancel(&mut self, t: Timer) {
        self.slots[Self::idx(t)] = None;
    }
    pub fn cancel_all(&mut self) {
        self.slots = [None; 10];
    }
    pub fn is_set(&self, t: Timer) -> bool {
        self.slots[Self::idx(t)].is_some()
    }
    /// The earliest armed timer.
    pub fn next(&self) -> Option<(Timer, Instant)> {
        // The first of equal deadlines in `ALL` order wins, as with `min_by_key`.
        let mut best: Option<(Timer, Instant)> = None;
        for (t, at) in ALL.iter().zip(self.slots.iter()) {
            if let Some(at) = *at {
                if best.is_none_or(|(_, b)| at < b) {
                    best = Some((*t, at));
                }
            }
        }
        best
    }
    /// Disarms and returns the earliest timer due at `now`.
    pub fn take_expired(&mut self, now: Instant) -> Option<Timer> {
        let (t, at) = self.next()?;
        if at <= now {
            self.cancel(t);
            Some(t)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_of_each_timer_is_its_place_in_all() {
        for (i, t) in ALL.iter().enumerate() {
            assert_eq!(Timers::idx(*t), i);
        }
    }
}
