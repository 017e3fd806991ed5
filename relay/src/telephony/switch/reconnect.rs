//! A device's connection going away: its calls end — or, for a browser in
//! a call, wait for the same phone to come back on a new socket.

use super::*;

impl Switch {
    /// A device's connection closed (or was dropped): its registration goes, its calls end.
    pub(super) fn device_gone(&mut self, now: Instant, conn: u64) {
        let was_orphan = self.orphans.remove(&conn).is_some();
        if !was_orphan && self.keep_calls_of(now, conn) {
            return;
        }
        self.aliases.retain(|_, to| *to != conn);
        self.resolving.retain(|(leg, _)| *leg != Leg::Device(conn));
        let Some(browser) = self.devices.remove(&conn) else {
            return;
        };
        if let DeviceTx::Udp(addr) = &browser.tx {
            self.udp_devices.remove(addr);
        }
        if browser.is_registered(now) {
            self.registrations_dirty = true;
        }
        let leg = Leg::Device(conn);
        let ringing_here: Vec<(usize, CallHandle)> = self
            .bridges
            .iter()
            .enumerate()
            .flat_map(|(i, b)| b.forks.iter().filter(|f| f.0 == leg).map(move |f| (i, f.1)))
            .collect();
        for (i, call) in ringing_here.into_iter().rev() {
            self.fork_failed(now, i, leg, call, 480);
        }
        let transfer_forks: Vec<CallHandle> = self
            .transfers
            .iter()
            .flat_map(|t| t.forks.iter().filter(|f| f.0 == leg).map(|f| f.1))
            .collect();
        for call in transfer_forks {
            if let Some(k) = self.transfer_of_fork(leg, call) {
                self.transfer_fork_failed(now, k, (leg, call), 480, "phone disconnected");
            }
        }
        let mine: Vec<usize> = (0..self.bridges.len())
            .rev()
            .filter(|&i| self.bridges[i].a.0 == leg || self.bridges[i].b.map(|b| b.0) == Some(leg))
            .collect();
        for i in mine {
            let bridge = self.bridges.remove(i);
            self.abandon_transfer(now, bridge.record);
            let other = if bridge.a.0 == leg {
                bridge.b
            } else {
                Some(bridge.a)
            };
            if let Some(other) = other {
                if bridge.answered {
                    self.with_leg(other.0, |ep| ep.bye(now, other.1));
                } else {
                    self.with_leg(other.0, |ep| ep.cancel(now, other.1));
                }
            }
            if !bridge.finished {
                let status = if bridge.answered {
                    "answered"
                } else {
                    "failed"
                };
                self.finish(now, bridge.record, status, "browser disconnected", "caller");
            }
        }
    }

    /// A browser's socket dropped: when it has a call up, the call is kept
    /// for [`RECONNECT_GRACE`] (its registration goes, its ringing calls
    /// fail). True when kept.
    pub(super) fn keep_calls_of(&mut self, now: Instant, conn: u64) -> bool {
        let leg = Leg::Device(conn);
        let Some(device) = self.devices.get_mut(&conn) else {
            return false;
        };
        let talking = self
            .bridges
            .iter()
            .any(|b| b.answered && !b.finished && (b.a.0 == leg || b.b.map(|b| b.0) == Some(leg)));
        if !device.tx.is_browser() || !talking {
            return false;
        }
        if device.registered_until.take().is_some() {
            self.registrations_dirty = true;
        }
        self.orphans.insert(conn, now + RECONNECT_GRACE);
        tracing::info!(
            conn,
            user = %device.login,
            "a browser's connection dropped during a call: the call waits {} s for it",
            RECONNECT_GRACE.as_secs()
        );
        let ringing_here: Vec<(usize, CallHandle)> = self
            .bridges
            .iter()
            .enumerate()
            .flat_map(|(i, b)| b.forks.iter().filter(|f| f.0 == leg).map(move |f| (i, f.1)))
            .collect();
        for (i, call) in ringing_here.into_iter().rev() {
            self.fork_failed(now, i, leg, call, 480);
        }
        true
    }

    /// A browser registered on a new socket: when it is the one whose socket
    /// dropped during a call (same user, same Contact — the same phone), the
    /// old connection's endpoint and calls carry on over the new socket.
    pub(super) fn adopt_orphan(&mut self, now: Instant, conn: u64) {
        let Some(fresh) = self.devices.get(&conn) else {
            return;
        };
        let same_phone = |o: &u64, d: &DeviceConn| {
            *o != conn
                && d.tx.is_browser()
                && d.user_id == fresh.user_id
                && d.contact.is_some()
                && d.contact == fresh.contact
        };
        let orphan = self
            .orphans
            .keys()
            .copied()
            .find(|o| self.devices.get(o).is_some_and(|d| same_phone(o, d)));
        // The new socket can also win the race against the old one's close:
        // the same phone with a call up on a socket not seen closed yet.
        let live = || {
            self.devices
                .iter()
                .filter(|(o, d)| same_phone(o, d))
                .map(|(o, _)| *o)
                .find(|o| {
                    let leg = Leg::Device(*o);
                    self.bridges
                        .iter()
                        .any(|b| b.answered && (b.a.0 == leg || b.b.map(|b| b.0) == Some(leg)))
                })
        };
        let (orphan, still_open) = match orphan {
            Some(o) => (o, false),
            None => match live() {
                Some(o) => (o, true),
                None => return,
            },
        };
        let Some(mut fresh) = self.devices.remove(&conn) else {
            return;
        };
        // The fresh endpoint's answer to the REGISTER goes out first.
        while let Some(t) = fresh.ep.poll_transmit() {
            if let Some((to, bytes)) = fresh.tx.send(t.bytes) {
                self.effects.push(Effect::ToUdpDevice { to, bytes });
            }
        }
        let Some(old) = self.devices.get_mut(&orphan) else {
            return;
        };
        old.tx = fresh.tx;
        old.registered_until = fresh.registered_until;
        old.contact = fresh.contact;
        old.peer = fresh.peer;
        old.last_seen = now;
        self.orphans.remove(&orphan);
        if still_open {
            // Its old socket closes with its sender dropped; that close is stale.
            self.replaced.insert(orphan);
        }
        self.aliases.insert(conn, orphan);
        self.dirty.insert(Leg::Device(orphan));
        tracing::info!(conn, orphan, "the browser is back: its calls continue");
    }
}
