//! Settings the switch applies: trunks, number rules and limits reloaded,
//! the day's budget enforced, telephony turned off, shutdown.

use super::*;

impl Switch {
    /// Loads the stored limits and today's international talk time from the
    /// call records. Unreadable limits refuse every outbound call (never no
    /// limits in their place).
    pub(super) async fn reload_limits(&mut self) {
        let limits = crm::limits::load(&self.db).await.unwrap_or_else(|e| {
            tracing::error!("limits: {e}; outbound calls are refused until they are saved again");
            let none = callcard_shared::api::CallLimits {
                concurrent_calls: Some(0),
                ..Default::default()
            };
            callcard_shared::api::Limits {
                per_user: Default::default(),
                overall: none,
            }
        });
        let today = crm::limits::today();
        let used = crm::limits::international_talk_today(
            &self.db,
            &self.plan,
            self.config.default_region,
            &today,
        )
        .await
        .unwrap_or_else(|e| {
            tracing::error!("reading today's international talk time: {e}");
            HashMap::new()
        });
        let mut limiter = self.limiter();
        limiter.set_limits(limits);
        limiter.start_day(&today, used);
    }

    /// Hangs up the answered international calls that used up a day's budget.
    pub(super) async fn enforce_budget(&mut self, now: Instant) {
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
            self.end_bridge(now, i, &refusal.reason).await;
        }
    }

    /// Telephony turned off: every call ends, every device connection
    /// closes (its registration with it), trunks, rules and limits are
    /// reloaded from the emptied tables. Returns (connections, calls).
    pub(super) async fn telephony_off(&mut self, now: Instant) -> (u64, u64) {
        let calls = self.bridges.len() as u64;
        for i in (0..self.bridges.len()).rev() {
            self.end_bridge(now, i, "telephony turned off by an administrator")
                .await;
        }
        self.reoffers.clear();
        self.drain().await;
        let conns: Vec<u64> = self.devices.keys().copied().collect();
        for &conn in &conns {
            // Dropping the connection's sender closes its socket once the
            // last messages are out.
            self.device_gone(now, conn).await;
        }
        self.udp_devices.clear();
        self.limiter().clear();
        self.reload_trunks().await;
        self.reload_dialplan().await;
        self.reload_limits().await;
        tracing::warn!(connections = conns.len(), calls, "telephony turned off");
        (conns.len() as u64, calls)
    }

    /// Loads the stored number rules. Unreadable rules refuse every call
    /// (never the permissive defaults in their place).
    pub(super) async fn reload_dialplan(&mut self) {
        let rules = match crm::dialplan::load(&self.db).await {
            Ok(rules) => rules,
            Err(e) => {
                tracing::error!(
                    "number rules: {e}; outbound calls are refused until they are saved again"
                );
                Rules {
                    allowed: Allowed {
                        internal: false,
                        local: false,
                        national: false,
                        mobile: false,
                        international: false,
                        international_countries: Vec::new(),
                        premium: false,
                        special: false,
                    },
                    ..Rules::default()
                }
            }
        };
        match Plan::new(&rules) {
            Ok(plan) => self.plan = plan,
            Err(errors) => tracing::error!("stored number rules do not compile: {errors:?}"),
        }
    }

    pub(super) async fn reload_trunks(&mut self) {
        let configs = match crm::trunks::enabled(&self.db).await {
            Ok(c) => c,
            Err(e) => {
                tracing::error!("loading trunks: {e}");
                return;
            }
        };
        let now = Instant::now();
        let wanted: BTreeMap<i64, _> = configs.into_iter().map(|c| (c.id, c)).collect();
        let gone: Vec<i64> = self
            .trunks
            .iter()
            .filter(|(id, leg)| wanted.get(id) != Some(&leg.config))
            .map(|(id, _)| *id)
            .collect();
        for id in gone {
            self.trunks.remove(&id);
            self.telephony.trunks.remove(id);
            self.telephony
                .trunk_addrs
                .lock()
                .expect("addr lock")
                .remove(&id);
        }
        for (id, config) in wanted {
            if self.trunks.contains_key(&id) {
                continue;
            }
            let bind_ip = self.config.sip_listen.ip();
            match TrunkLeg::open(
                config,
                bind_ip,
                self.config.sip_tls_ca.as_deref(),
                self.telephony.inputs.clone(),
                now,
            )
            .await
            {
                Ok(leg) => {
                    self.telephony.trunks.set(id, leg.initial_state(), None);
                    if let Ok(addr) = leg.socket.local_addr() {
                        self.telephony
                            .trunk_addrs
                            .lock()
                            .expect("addr lock")
                            .insert(id, addr);
                    }
                    self.trunks.insert(id, leg);
                }
                Err(e) => {
                    tracing::warn!(trunk = id, "trunk unusable: {}", e.0);
                    self.telephony.trunks.set(id, TrunkState::Failed, Some(e.0));
                }
            }
        }
    }

    /// Ends every call and unregisters nothing (the provider expires it).
    pub(super) async fn shutdown(&mut self) {
        let now = Instant::now();
        for bridge in std::mem::take(&mut self.bridges) {
            for (leg, call) in [Some(bridge.a), bridge.b].into_iter().flatten() {
                if bridge.answered {
                    self.with_leg(leg, |ep| ep.bye(now, call));
                }
            }
        }
        self.drain().await;
    }
}
