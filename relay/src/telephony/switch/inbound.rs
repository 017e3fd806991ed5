//! Inbound calls from a trunk: filed against the caller's contact, then
//! the steps of their plan (`routing.rs`): phones rung in parallel (first
//! answer wins), forwarding, a missed call.

use super::*;

impl Switch {
    /// A call from a trunk: file it against the caller's contact, tell the
    /// provider it rings, and run its plan ([`routing::inbound_plan`]).
    pub(super) fn inbound_call(
        &mut self,
        now: Instant,
        trunk_id: i64,
        call: CallHandle,
        from: &str,
        sdp: Option<Vec<u8>>,
    ) {
        let caller = dialled_number(from);
        let e164 = phone::to_valid_e164(&caller, self.config.default_region)
            .or_else(|| phone::to_e164(&caller, self.config.default_region).ok());
        let (contact_id, responsible) = match self.contact_and_manager_of(e164.as_deref()) {
            Some((contact, responsible)) => (Some(contact), responsible),
            None => (None, None),
        };
        let record = self.records.start(crm::calls::NewCall {
            direction: "inbound",
            user_id: responsible,
            number_dialled: caller.clone(),
            number_e164: e164.clone(),
            contact_id,
            trunk_id: Some(trunk_id),
        });
        let plan = routing::inbound_plan(
            responsible,
            &routing::InboundSettings {
                dial_timeout: self.config.dial_timeout,
                forward_to: self.config.forward_to.clone(),
            },
        );
        self.with_leg(Leg::Trunk(trunk_id), |ep| ep.ringing(now, call, None));
        self.bridges.push(Bridge {
            a: (Leg::Trunk(trunk_id), call),
            b: None,
            forks: Vec::new(),
            deadline: None,
            rung: Vec::new(),
            inbound: true,
            record,
            number: e164.unwrap_or(caller),
            contact_id,
            plan,
            user_id: responsible.unwrap_or_default(),
            dial: String::new(),
            offer: sdp.clone(),
            tried: vec![trunk_id],
            ringing: true,
            answered: false,
            finished: false,
            forwarded_to: None,
            media: None,
            browser_answer: None,
            trunk_sdp_taken: false,
            fork_media: Vec::new(),
            internal: false,
            sdp_a: sdp,
            sdp_b: None,
        });
        // The phones ring once the record is on disk.
        self.hold(Held::Ring { record });
    }

    /// A ring step: rings the phones of the first of `who` that has any,
    /// in parallel, until `timeout`. False when nobody could be rung.
    pub(super) fn ring(
        &mut self,
        now: Instant,
        i: usize,
        who: &[routing::Targets],
        timeout: Duration,
    ) -> bool {
        let targets = self.ring_targets(now, who);
        if targets.is_empty() {
            return false;
        }
        let bridge = &self.bridges[i];
        let (record, trunk, shown, contact_id) = (
            bridge.record,
            bridge.a.0,
            bridge.number.clone(),
            bridge.contact_id,
        );
        let sdp = bridge.offer.clone();
        let mut rung: Vec<i64> = targets
            .iter()
            .filter_map(|conn| self.devices.get(conn).map(|b| b.user_id))
            .collect();
        rung.sort_unstable();
        rung.dedup();
        // The card goes out with the INVITEs: the records task sends it as
        // soon as the record is written (within the same batch).
        self.records
            .incoming_call(record, rung.clone(), shown.clone(), contact_id);
        // What each rung user may see of the caller (their group's masking):
        // the INVITE's From display and user part carry only that.
        let mut identities = HashMap::new();
        for &user in &rung {
            let masking = self.telephony.maskings.masking_of(user);
            identities.insert(user, caller_identity(masking, &shown));
        }
        let mut forks = Vec::new();
        let mut fork_media = Vec::new();
        for conn in targets {
            let Some(browser) = self.devices.get_mut(&conn) else {
                continue;
            };
            let identity = identities
                .get(&browser.user_id)
                .cloned()
                .unwrap_or_else(|| caller_identity(Masking::Hidden, &shown));
            let target = browser.target();
            // A WebRTC browser gets an offer of its own from the media bridge.
            let anchored = match (&self.media, &sdp) {
                (Some(media), Some(trunk_sdp)) if browser.webrtc => {
                    match media.for_trunk_offer(&String::from_utf8_lossy(trunk_sdp)) {
                        Ok((call_media, offer)) => Some((call_media, offer)),
                        Err(e) => {
                            let (_, cause) = media_refusal(&e, "the provider");
                            tracing::warn!(record, conn, "not ringing this browser: {cause}");
                            continue;
                        }
                    }
                }
                _ => None,
            };
            let offer = match &anchored {
                Some((_, offer)) => Some(offer.clone().into_bytes()),
                None => sdp.clone(),
            };
            let handle = browser.ep.invite_as(now, &identity, &target, offer);
            forks.push((Leg::Device(conn), handle, browser.user_id));
            self.tell_record((Leg::Device(conn), handle), record);
            if let Some((call_media, _)) = anchored {
                fork_media.push(((Leg::Device(conn), handle), call_media));
            }
            self.dirty.insert(Leg::Device(conn));
        }
        tracing::info!(record, ?trunk, rung = forks.len(), "inbound call");
        let bridge = &mut self.bridges[i];
        bridge.forks = forks;
        bridge.rung = rung;
        bridge.fork_media = fork_media;
        bridge.deadline = Some(now + timeout);
        bridge.plan.rang = true;
        true
    }

    /// A forward step: sends the call on to the user's forwarding number,
    /// else the relay's, through the first usable trunk. False when there
    /// is nowhere to forward it.
    pub(super) fn forward(&mut self, now: Instant, i: usize, to: &routing::ForwardTo) -> bool {
        let mut number = None;
        if let Some(user) = to.user.filter(|u| *u != 0) {
            if let Some(account) = self.telephony.accounts.by_user(user) {
                number = account.forward_to.filter(|n| n.starts_with('+'));
            }
        }
        let Some(number) = number.or_else(|| to.otherwise.clone()) else {
            return false;
        };
        let Some(trunk) = self.pick_trunk(&[]) else {
            tracing::warn!(
                record = self.bridges[i].record,
                "cannot forward to {number}: no usable trunk"
            );
            return false;
        };
        let bridge = &mut self.bridges[i];
        bridge.deadline = None;
        bridge.tried.clear();
        tracing::info!(
            record = bridge.record,
            trunk,
            "no answer: forwarding to {number}"
        );
        bridge.forwarded_to = Some(number);
        self.dial_trunk(now, i, trunk);
        true
    }

    /// Inbound: the browser `fork` answered. When its media is anchored,
    /// its SDP answer goes into the media bridge, which gives the answer for
    /// the provider; the other forks' media ends. Returns the SDP for the
    /// provider, or None when the media cannot be bridged (the call is then
    /// ended on both sides).
    pub(super) fn take_fork_media(
        &mut self,
        now: Instant,
        i: usize,
        fork: (Leg, CallHandle),
        sdp: Option<Vec<u8>>,
    ) -> Option<Option<Vec<u8>>> {
        let bridge = &mut self.bridges[i];
        let mut winner = None;
        for (f, media) in std::mem::take(&mut bridge.fork_media) {
            // The other forks' media ends as it is dropped here.
            if f == fork {
                winner = Some(media);
            }
        }
        let Some(media) = winner else {
            return Some(sdp);
        };
        let record = bridge.record;
        let answer = match &sdp {
            Some(sdp) => media
                .browser_answer(&String::from_utf8_lossy(sdp))
                .map_err(|e| media_refusal(&e, "the browser").1),
            None => Err("the browser answered without SDP (488)".to_string()),
        };
        match answer {
            Ok(answer) => {
                self.watch_media(record, &media);
                self.bridges[i].media = Some(media);
                Some(Some(answer.into_bytes()))
            }
            Err(cause) => {
                tracing::warn!(record, "media refused: {cause}");
                let bridge = self.bridges.remove(i);
                self.cancel_forks(now, &bridge.forks);
                self.with_leg(fork.0, |ep| ep.bye(now, fork.1));
                let a = bridge.a;
                self.with_leg(a.0, |ep| ep.reject(now, a.1, 488));
                self.tell_rung(&bridge, "failed");
                self.finish(now, record, "failed", &cause, "relay");
                None
            }
        }
    }

    /// A rung browser declined (or its INVITE failed): when it was the last
    /// one ringing, the caller hears busy or unavailable and the call is missed.
    pub(super) fn fork_failed(
        &mut self,
        now: Instant,
        i: usize,
        leg: Leg,
        call: CallHandle,
        code: u16,
    ) {
        let bridge = &mut self.bridges[i];
        bridge.forks.retain(|f| (f.0, f.1) != (leg, call));
        if !bridge.forks.is_empty() || bridge.answered {
            return;
        }
        let bridge = self.bridges.remove(i);
        self.tell_rung(&bridge, "missed");
        let a = bridge.a;
        let (answer, cause) = if code == 486 || code == 603 {
            (486, format!("declined by the user ({code})"))
        } else {
            (480, format!("nobody answered ({code})"))
        };
        self.with_leg(a.0, |ep| ep.reject(now, a.1, answer));
        self.finish(now, bridge.record, "missed", &cause, "callee");
    }
}
