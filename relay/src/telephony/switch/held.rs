//! Write-ahead for the two steps a crash must not get ahead of: a call's
//! first INVITE waits until its record is on disk, and the 200 to the
//! caller until the answer is. The switch does not wait meanwhile: it holds
//! the step, goes on with other calls, and releases it when the records
//! writer reports the change written (`Input::RecordsDone`) — one batch
//! commit later, shared by every call that started in the meantime. A
//! failing database releases them too (the calls go on without records).

use super::*;

/// A step waiting for a record change to be on disk.
pub(super) enum Held {
    /// An inbound call's plan starts (its phones ring).
    Ring { record: i64 },
    /// An outbound call's trunk INVITE goes out.
    Dial { record: i64 },
    /// The callee `b` answered: the 200 goes to the caller `a`, or, when the
    /// caller gave up meanwhile, a BYE to the callee.
    Accept {
        a: (Leg, CallHandle),
        b: (Leg, CallHandle),
        sdp: Option<Vec<u8>>,
    },
}

impl Switch {
    /// Holds `step` until every record change handed over so far is written.
    pub(super) fn hold(&mut self, step: Held) {
        let upto = self.records.handed_over();
        self.held.push_back((upto, step));
    }

    /// The records writer is done with the first `upto` changes.
    pub(super) fn records_done(&mut self, now: Instant, upto: u64) {
        while self.held.front().is_some_and(|(n, _)| *n <= upto) {
            let Some((_, step)) = self.held.pop_front() else {
                break;
            };
            self.release(now, step);
        }
    }

    fn release(&mut self, now: Instant, step: Held) {
        // A call that ended while its step waited is left as it is.
        let waiting = |b: &Bridge, record: i64| b.record == record && !b.finished && b.b.is_none();
        match step {
            Held::Ring { record } => {
                if let Some(i) = self.bridges.iter().position(|b| waiting(b, record)) {
                    self.next_step(now, i);
                }
            }
            Held::Dial { record } => {
                let Some(i) = self.bridges.iter().position(|b| waiting(b, record)) else {
                    return;
                };
                match self.pick_trunk(&[]) {
                    Some(trunk) => self.dial_trunk(now, i, trunk),
                    None => {
                        let bridge = self.bridges.remove(i);
                        let a = bridge.a;
                        self.with_leg(a.0, |ep| ep.reject(now, a.1, 503));
                        self.finish(
                            now,
                            bridge.record,
                            "failed",
                            "no trunk available (503)",
                            "relay",
                        );
                    }
                }
            }
            Held::Accept { a, b, sdp } => match self.bridge_of_a(a.0, a.1) {
                Some(i) if !self.bridges[i].finished => {
                    self.with_leg(a.0, |ep| ep.accept(now, a.1, sdp));
                }
                found => {
                    if let Some(i) = found {
                        self.bridges.remove(i);
                    }
                    self.with_leg(b.0, |ep| ep.bye(now, b.1));
                }
            },
        }
    }
}
