//! Settings the switch applies: trunks, number rules and limits reloaded,
//! the day's budget enforced, telephony turned off, shutdown.

use super::*;

impl Switch {
    /// Hangs up the answered international calls that used up a day's budget.
    pub(super) fn enforce_budget(&mut self, now: Instant) {
        let over = self.limiter().over_budget(now, &crm::limits::today());
        for (record, refusal) in over {
            let Some(i) = self
                .bridges
                .iter()
                .position(|b| b.record == record && !b.finished)
            else {
                continue;
            };
            tracing::warn!(record, "{}: hanging up", refusal.reason);
            self.end_bridge(now, i, &refusal.reason);
        }
    }

    /// Telephony turned off: every call ends, every device connection
    /// closes (its registration with it); the runner then reloads trunks,
    /// rules and limits from the emptied tables. Returns (connections, calls).
    pub(super) fn telephony_off(&mut self, now: Instant) -> (u64, u64) {
        let calls = self.bridges.len() as u64;
        for i in (0..self.bridges.len()).rev() {
            self.end_bridge(now, i, "telephony turned off by an administrator");
        }
        self.reoffers.clear();
        self.drain(now);
        let conns: Vec<u64> = self.devices.keys().copied().collect();
        for &conn in &conns {
            // Dropping the connection's sender closes its socket once the
            // last messages are out.
            self.device_gone(now, conn);
        }
        self.udp_devices.clear();
        self.limiter().clear();
        tracing::warn!(connections = conns.len(), calls, "telephony turned off");
        (conns.len() as u64, calls)
    }

    /// Ends every call and unregisters nothing (the provider expires it).
    pub(super) fn shutdown(&mut self, now: Instant) {
        for bridge in std::mem::take(&mut self.bridges) {
            for (leg, call) in [Some(bridge.a), bridge.b].into_iter().flatten() {
                if bridge.answered {
                    self.with_leg(leg, |ep| ep.bye(now, call));
                }
            }
        }
        self.drain(now);
    }
}
