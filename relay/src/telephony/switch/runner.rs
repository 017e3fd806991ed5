//! The switch's runner: the one place call control meets tokio. It feeds
//! the core (everything else in this folder, which never awaits) its inputs
//! with the current instant, sleeps until the core's next deadline, and
//! carries out the effects the core returns — SIP to a trunk's socket, a
//! media session watched, a phone reference looked up — feeding their
//! results back as inputs. Settings (trunks, number rules, limits) are read
//! here and handed to the core.

use super::*;

impl Switch {
    /// Runs until the input queue closes (the relay shuts down).
    pub async fn run(mut self, db: SqlitePool) {
        let Some(mut inputs) = self.telephony.take_receiver() else {
            tracing::error!("the switch is already running");
            return;
        };
        let telephony = self.telephony.clone();
        self.reload_trunks(&db).await;
        self.reload_dialplan(&db).await;
        self.reload_limits(&db).await;
        loop {
            self.settle(Instant::now());
            self.carry_out(&db).await;
            let deadline = self.next_deadline(Instant::now());
            let sleep = async {
                match deadline {
                    Some(at) => tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                input = inputs.recv() => match input {
                    Some(Input::Shutdown) | None => break,
                    Some(Input::LimitsChanged) => {
                        self.reload_limits(&db).await;
                        self.enforce_budget(Instant::now());
                    }
                    Some(Input::TelephonyOff { done }) => {
                        let counts = self.telephony_off(Instant::now());
                        // The hang-ups leave before the trunks close.
                        self.settle(Instant::now());
                        self.carry_out(&db).await;
                        self.reload_trunks(&db).await;
                        self.reload_dialplan(&db).await;
                        self.reload_limits(&db).await;
                        let _ = done.send(counts);
                    }
                    Some(input) => self.handle(Instant::now(), input),
                },
                _ = telephony.trunks_changed.notified() => self.reload_trunks(&db).await,
                _ = telephony.dialplan_changed.notified() => self.reload_dialplan(&db).await,
                _ = sleep => self.timeouts(Instant::now()),
            }
        }
        self.shutdown(Instant::now());
        self.settle(Instant::now());
        self.carry_out(&db).await;
    }

    /// Carries out what the core asked for since the last time.
    async fn carry_out(&mut self, db: &SqlitePool) {
        for effect in std::mem::take(&mut self.effects) {
            match effect {
                Effect::ToTrunk { trunk, to, bytes } => {
                    if let Some(trunk) = self.trunks.get(&trunk) {
                        trunk.send(to, &bytes).await;
                    }
                }
                Effect::ToUdpDevice { to, bytes } => {
                    if let Some((socket, _)) = &self.sip_udp {
                        let _ = socket.try_send_to(&bytes, to);
                    }
                }
                Effect::WatchMedia { record, ended } => {
                    let inputs = self.telephony.inputs.clone();
                    let records = self.records.clone();
                    tokio::spawn(async move {
                        let end = ended.await;
                        // However the call ended (or was handed on), its
                        // record gets the quality its media had.
                        if let Some(quality) = end.quality {
                            records.quality(record, quality);
                        }
                        let cause = match end.cause {
                            crate::media::EndCause::Hangup => return,
                            crate::media::EndCause::Failed(why) => format!("media_error: {why}"),
                            cause => cause.as_str().to_string(),
                        };
                        let _ = inputs.send(Input::MediaEnded { record, cause });
                    });
                }
                Effect::Record { record, media } => {
                    let tap = media.tap();
                    drop(media); // The call ends when the bridge lets go.
                    let records = self.records.clone();
                    let data_dir = self.config.data_dir.clone();
                    let (telephony, min_free) =
                        (self.telephony.clone(), self.config.recording_min_free_bytes);
                    // The disk is looked at here, off the switch's loop.
                    tokio::spawn(async move {
                        let alert = &telephony.recording_alert;
                        let room = crate::recording::disk::room_for_a_recording(
                            &data_dir, min_free, alert,
                        );
                        if let Err(why) = room {
                            // The call goes on; only its recording does not.
                            return records.recorded(record, Err(format!("not recorded: {why}")));
                        }
                        let (pause, paused) = tokio::sync::watch::channel(false);
                        let path = crate::recording::new_path();
                        records.recording(record, path.clone(), pause);
                        let result =
                            crate::recording::record_into(&data_dir, path, tap, paused).await;
                        if result.as_ref().map_or(true, |r| r.stopped_early.is_some()) {
                            // A disk that filled up mid-call stops the next ones.
                            let _ = crate::recording::disk::room_for_a_recording(
                                &data_dir, min_free, alert,
                            );
                        }
                        records.recorded(record, result);
                    });
                }
                Effect::ResolveReference {
                    reference,
                    user_id,
                    then,
                } => {
                    let db = db.clone();
                    let inputs = self.telephony.inputs.clone();
                    tokio::spawn(async move {
                        let number = match crm::contacts::number_by_reference(
                            &db, &reference, user_id,
                        )
                        .await
                        {
                            Ok(number) => number,
                            Err(e) => {
                                tracing::error!("resolving the phone reference `{reference}`: {e}");
                                None
                            }
                        };
                        let _ = inputs.send(Input::ReferenceResolved { then, number });
                    });
                }
            }
        }
    }

    /// Loads the stored limits and today's international talk time from the
    /// call records. Unreadable limits refuse every outbound call (never no
    /// limits in their place).
    pub(super) async fn reload_limits(&mut self, db: &SqlitePool) {
        let limits = crm::limits::load(db).await.unwrap_or_else(|e| {
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
            db,
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

    /// Loads the stored number rules. Unreadable rules refuse every call
    /// (never the permissive defaults in their place).
    pub(super) async fn reload_dialplan(&mut self, db: &SqlitePool) {
        let rules = match crm::dialplan::load(db).await {
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
            Ok(plan) => {
                self.telephony.publish_dialplan(plan.clone());
                self.plan = plan;
            }
            Err(errors) => tracing::error!("stored number rules do not compile: {errors:?}"),
        }
    }

    pub(super) async fn reload_trunks(&mut self, db: &SqlitePool) {
        let configs = match crm::trunks::enabled(db).await {
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
                    if let Some(Ok(addr)) = leg.socket.as_ref().map(|s| s.local_addr()) {
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
}
