//! When the switch wakes up next, and what is due then.

use super::*;

impl Switch {
    pub(super) fn next_deadline(&self, now: Instant) -> Option<Instant> {
        let trunks = self
            .trunks
            .values()
            .flat_map(|t| t.ep.poll_timeout().into_iter().chain(t.next_register));
        let browsers = self.devices.values().filter_map(|b| b.ep.poll_timeout());
        let ringing = self
            .bridges
            .iter()
            .filter_map(|b| b.deadline)
            .chain(self.transfers.iter().map(|t| t.deadline))
            .chain(self.orphans.values().copied());
        let budget = self.limiter().next_deadline(now);
        trunks
            .chain(browsers)
            .chain(ringing)
            .chain(budget)
            .chain(self.next_expiry)
            .chain(Some(self.next_sweep))
            .min()
    }

    pub(super) fn timeouts(&mut self, now: Instant) {
        if self.next_sweep <= now {
            self.sweep(now);
        }
        self.enforce_budget(now);
        self.transfer_timeouts(now);
        let abandoned: Vec<u64> = self
            .orphans
            .iter()
            .filter(|(_, until)| **until <= now)
            .map(|(conn, _)| *conn)
            .collect();
        for conn in abandoned {
            tracing::info!(conn, "the browser did not come back: its calls end");
            self.device_gone(now, conn);
        }
        let expired: Vec<usize> = (0..self.bridges.len())
            .rev()
            .filter(|&i| self.bridges[i].deadline.is_some_and(|d| d <= now))
            .collect();
        for i in expired {
            let forks = std::mem::take(&mut self.bridges[i].forks);
            self.cancel_forks(now, &forks);
            self.tell_rung(&self.bridges[i], "missed");
            self.bridges[i].rung.clear();
            self.bridges[i].deadline = None;
            self.next_step(now, i);
        }
        for (id, trunk) in &mut self.trunks {
            if trunk.ep.poll_timeout().is_some_and(|t| t <= now) {
                trunk.ep.handle_timeout(now);
                self.dirty.insert(Leg::Trunk(*id));
            }
            if trunk.next_register.is_some_and(|t| t <= now) {
                trunk.register_now(now);
                self.dirty.insert(Leg::Trunk(*id));
            }
        }
        for (conn, browser) in &mut self.devices {
            if browser.ep.poll_timeout().is_some_and(|t| t <= now) {
                browser.ep.handle_timeout(now);
                self.dirty.insert(Leg::Device(*conn));
            }
        }
    }

    /// Forgets unregistered UDP sources that went quiet, and old throttle entries.
    pub(super) fn sweep(&mut self, now: Instant) {
        self.next_sweep = now + SWEEP_EVERY;
        self.throttle.sweep(now);
        let in_call: BTreeSet<u64> = self
            .bridges
            .iter()
            .flat_map(|b| {
                [Some(b.a.0), b.b.map(|b| b.0)]
                    .into_iter()
                    .flatten()
                    .chain(b.forks.iter().map(|f| f.0))
            })
            .filter_map(|leg| match leg {
                Leg::Device(conn) => Some(conn),
                Leg::Trunk(_) => None,
            })
            .collect();
        let devices = &mut self.devices;
        self.udp_devices.retain(|_, conn| {
            let Some(device) = devices.get(conn) else {
                return false;
            };
            let idle = !device.is_registered(now)
                && !in_call.contains(conn)
                && device.ep.is_idle()
                && now.saturating_duration_since(device.last_seen) > UDP_IDLE;
            if idle {
                devices.remove(conn);
            }
            !idle
        });
    }
}
