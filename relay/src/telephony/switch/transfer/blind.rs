//! Blind transfer: the target rung with the remaining party's SDP, its
//! answer re-INVITEs that party toward it; NOTIFYs to the transferor.

use super::*;

impl Switch {
    /// Blind transfer to a colleague: every phone registered with the
    /// extension rings, showing the remaining party as that colleague may
    /// see it.
    pub(in crate::telephony::switch) fn transfer_to_extension(
        &mut self,
        now: Instant,
        i: usize,
        by: (Leg, CallHandle),
        stays: (Leg, CallHandle),
        extension: &str,
    ) {
        let record = self.bridges[i].record;
        let targets = self.extension_targets(now, extension, Some(by.0));
        let Some(&(_, target_user)) = targets.first() else {
            let (code, why) = self.extension_unavailable(extension);
            self.notify_by(now, by, code, &why);
            return;
        };
        let Some(offer) = self.bridges[i].sdp_of(stays).map(<[u8]>::to_vec) else {
            self.notify_by(now, by, 488, "No media description of the call to hand on");
            return;
        };
        let new_record = self.records.handed_on(record, target_user);
        let number = self.bridges[i].number.clone();
        let mut forks = Vec::new();
        for (conn, user) in targets {
            let masking = self.telephony.maskings.masking_of(user);
            let identity = caller_identity(masking, &number);
            let anchored = self.anchor_for(conn, stays.0, &offer);
            let Some(device) = self.devices.get_mut(&conn) else {
                continue;
            };
            let (media, sdp) = match anchored {
                Some(Ok((media, browser_offer))) => (Some(media), browser_offer),
                Some(Err(cause)) => {
                    tracing::warn!(record, conn, "not ringing this phone: {cause}");
                    continue;
                }
                None => (None, offer.clone()),
            };
            let target = device.target();
            let handle = device.ep.invite_as(now, &identity, &target, Some(sdp));
            self.dirty.insert(Leg::Device(conn));
            forks.push((Leg::Device(conn), handle, media));
            self.tell_record((Leg::Device(conn), handle), new_record);
        }
        if forks.is_empty() {
            self.finish(
                now,
                new_record,
                "failed",
                "no phone of the colleague can take it",
                "relay",
            );
            self.notify_by(now, by, 488, "The colleague's phones cannot take this call");
            return;
        }
        tracing::info!(
            record,
            new_record,
            extension,
            "blind transfer to an extension"
        );
        self.start_transfer(
            now,
            record,
            by,
            stays,
            extension,
            Some(target_user),
            forks,
            new_record,
        );
    }

    /// Blind transfer to an external number through the first usable trunk
    /// (the remaining party's SDP goes to the target as it is).
    #[allow(clippy::too_many_arguments)]
    pub(in crate::telephony::switch) fn transfer_outside(
        &mut self,
        now: Instant,
        i: usize,
        by: (Leg, CallHandle),
        stays: (Leg, CallHandle),
        dial: String,
        e164: Option<String>,
        international: bool,
    ) {
        let record = self.bridges[i].record;
        let Leg::Device(conn) = by.0 else {
            return;
        };
        let user_id = self.devices.get(&conn).map_or(0, |d| d.user_id);
        let Some(offer) = self.bridges[i].sdp_of(stays).map(<[u8]>::to_vec) else {
            self.notify_by(now, by, 488, "No media description of the call to hand on");
            return;
        };
        if matches!(stays.0, Leg::Device(c) if self.devices.get(&c).is_some_and(|d| d.webrtc)) {
            // A browser's WebRTC media cannot go to a provider as it is.
            self.notify_by(
                now,
                by,
                488,
                "A colleague's call can be transferred to an extension only",
            );
            return;
        }
        let Some(trunk_id) = self.pick_trunk(&[]) else {
            self.notify_by(now, by, 503, "No trunk available");
            return;
        };
        let contact_id = self.contact_of(e164.as_deref());
        let new_number = e164.clone().unwrap_or_else(|| dial.clone());
        let new_record = self.records.start(crm::calls::NewCall {
            direction: "outbound",
            user_id: Some(user_id),
            number_dialled: dial.clone(),
            number_e164: e164,
            contact_id,
            trunk_id: None,
        });
        let today = crm::limits::today();
        let admitted = self
            .limiter()
            .admit(now, &today, new_record, user_id, international);
        if let Err(refusal) = admitted {
            tracing::warn!(record, "security: transfer refused: {}", refusal.reason);
            self.notify_by(now, by, 403, &refusal.reason);
            self.finish(now, new_record, "refused", &refusal.reason, "relay");
            return;
        }
        let Some(trunk) = self.trunks.get_mut(&trunk_id) else {
            return;
        };
        let target = format!("sip:{dial}@{}", trunk.config.domain);
        let handle = trunk.ep.invite(now, &target, Some(offer));
        self.dirty.insert(Leg::Trunk(trunk_id));
        tracing::info!(
            record,
            new_record,
            trunk = trunk_id,
            "blind transfer to an external number"
        );
        let forks = vec![(Leg::Trunk(trunk_id), handle, None)];
        self.start_transfer(now, record, by, stays, &dial, None, forks, new_record);
        if let Some(t) = self.transfers.last_mut() {
            t.new_number = Some(new_number);
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(in crate::telephony::switch) fn start_transfer(
        &mut self,
        now: Instant,
        record: i64,
        by: (Leg, CallHandle),
        stays: (Leg, CallHandle),
        target: &str,
        target_user: Option<i64>,
        forks: Vec<(Leg, CallHandle, Option<Media>)>,
        new_record: i64,
    ) {
        self.notify_by(now, by, 100, "Trying");
        self.transfers.push(Transfer {
            record,
            by,
            stays,
            target: target.to_string(),
            target_user,
            forks,
            new_record,
            new_number: None,
            deadline: now + self.config.dial_timeout,
            by_gone: false,
            told_ringing: false,
        });
    }

    /// The media bridge's session for ringing device `conn` with the SDP of
    /// the party on `stays_leg`: when the device is a WebRTC browser and the
    /// remaining party a trunk (plain RTP). `None`: the SDP goes as it is.
    pub(in crate::telephony::switch) fn anchor_for(
        &self,
        conn: u64,
        stays_leg: Leg,
        offer: &[u8],
    ) -> Option<Result<AnchoredOffer, String>> {
        let device = self.devices.get(&conn)?;
        if !device.webrtc || !matches!(stays_leg, Leg::Trunk(_)) {
            return None;
        }
        let media = self.media.as_ref()?;
        Some(
            media
                .for_trunk_offer(&String::from_utf8_lossy(offer))
                .map(|(media, offer)| (media, offer.into_bytes()))
                .map_err(|e| media_refusal(&e, "the provider").1),
        )
    }

    /// The pending transfer ringing `(leg, call)`.
    pub(in crate::telephony::switch) fn transfer_of_fork(
        &self,
        leg: Leg,
        call: CallHandle,
    ) -> Option<usize> {
        self.transfers
            .iter()
            .position(|t| t.forks.iter().any(|f| (f.0, f.1) == (leg, call)))
    }

    /// The target rings: the transferor hears about it once.
    pub(in crate::telephony::switch) fn transfer_progress(
        &mut self,
        now: Instant,
        k: usize,
        code: u16,
    ) {
        let t = &mut self.transfers[k];
        if (180..=183).contains(&code) && !t.told_ringing && !t.by_gone {
            t.told_ringing = true;
            let by = t.by;
            self.notify_by(now, by, 180, "Ringing");
        }
    }

    /// The target answered: the remaining party is re-INVITEd toward it,
    /// the transferor is told and hung up, the records move on.
    pub(in crate::telephony::switch) fn transfer_answered(
        &mut self,
        now: Instant,
        k: usize,
        fork: (Leg, CallHandle),
        sdp: Option<Vec<u8>>,
    ) {
        let t = self.transfers.remove(k);
        let mut media = None;
        for (leg, call, m) in t.forks {
            if (leg, call) == fork {
                media = m;
            } else {
                self.with_leg(leg, |ep| ep.cancel(now, call));
                drop(m); // Its media (if anchored) ends with it.
            }
        }
        let Some(i) = self.bridges.iter().position(|b| b.record == t.record) else {
            // The call ended while the target rang.
            self.with_leg(fork.0, |ep| ep.bye(now, fork.1));
            self.finish(
                now,
                t.new_record,
                "cancelled",
                "the call ended before the transfer",
                "relay",
            );
            return;
        };
        let answer = match (&media, &sdp) {
            (Some(media), Some(sdp)) => media
                .browser_answer(&String::from_utf8_lossy(sdp))
                .map(String::into_bytes)
                .map_err(|e| media_refusal(&e, "the target").1),
            (None, Some(sdp)) => Ok(sdp.clone()),
            (_, None) => Err("the target answered without SDP (488)".to_string()),
        };
        let answer = match answer {
            Ok(answer) => answer,
            Err(cause) => {
                tracing::warn!(record = t.record, "transfer failed: {cause}");
                self.with_leg(fork.0, |ep| ep.bye(now, fork.1));
                drop(media);
                self.finish(now, t.new_record, "failed", &cause, "relay");
                if !t.by_gone {
                    self.notify_by(now, t.by, 488, "The target's media cannot be bridged");
                }
                return;
            }
        };
        // The remaining party now talks to the target.
        self.with_leg(t.stays.0, |ep| ep.reinvite(now, t.stays.1, Some(answer)));
        let bridge = &mut self.bridges[i];
        let old_record = bridge.record;
        let side = if bridge.a == t.by { "caller" } else { "callee" };
        if bridge.a == t.by {
            bridge.a = fork;
            bridge.sdp_a = sdp;
        } else {
            bridge.b = Some(fork);
            bridge.sdp_b = sdp;
        }
        bridge.record = t.new_record;
        if let Some(number) = t.new_number.clone() {
            bridge.number = number;
        }
        bridge.forwarded_to = None;
        bridge.internal = false;
        if let Some(user) = t.target_user {
            bridge.user_id = user;
        }
        let inbound = bridge.inbound;
        let old_user = bridge.user_id;
        // The transferor's anchored media ends (its recording and quality
        // stay on the old record); the target's (if any) carries the call.
        bridge.media = media.clone();
        if let Some(media) = &media {
            self.watch_media(t.new_record, media);
            self.reoffers.push(Reoffer {
                record: t.new_record,
                asked: t.stays,
                then: ReofferAnswer::TrunkAnswer,
            });
        }
        if !t.by_gone {
            self.notify_by(now, t.by, 200, "OK");
            self.with_leg(t.by.0, |ep| ep.bye(now, t.by.1));
        }
        let trunk = match fork.0 {
            Leg::Trunk(id) => Some(id),
            Leg::Device(_) => None,
        };
        self.limiter().answered(now, t.new_record);
        self.records.answered(t.new_record, trunk);
        // The new record gets a recording of its own (the client heard the
        // announcement already).
        let user = self.bridges[i].user_id;
        self.record_call(i, Some(user), false);
        if inbound {
            self.records.notify(
                old_user,
                ServerEvent::CallEnded {
                    call_id: old_record,
                    status: "transferred".into(),
                },
            );
        }
        tracing::info!(
            old_record,
            new_record = t.new_record,
            "transferred to {}",
            t.target
        );
        let cause = format!("transferred to {}", t.target);
        self.finish(now, old_record, "answered", &cause, side);
    }

    /// One of the target's phones declined or failed; the last one ends the
    /// transfer and the call stays with the transferor.
    pub(in crate::telephony::switch) fn transfer_fork_failed(
        &mut self,
        now: Instant,
        k: usize,
        fork: (Leg, CallHandle),
        code: u16,
        reason: &str,
    ) {
        let t = &mut self.transfers[k];
        t.forks.retain(|f| (f.0, f.1) != fork);
        if !t.forks.is_empty() {
            return;
        }
        let t = self.transfers.remove(k);
        let cause = crate::telephony::calls::cause_for_failure(code, reason);
        tracing::info!(
            record = t.record,
            "transfer to {} failed: {cause}",
            t.target
        );
        let status = if t.target_user.is_some() {
            "missed"
        } else {
            crate::telephony::calls::status_for_failure(code)
        };
        self.finish(now, t.new_record, status, &cause, "callee");
        if t.by_gone {
            // Nobody to take the call back: it ends.
            if let Some(i) = self.bridges.iter().position(|b| b.record == t.record) {
                self.end_bridge(now, i, &format!("transfer to {} failed: {cause}", t.target));
            }
        } else {
            let phrase = reason_phrase(code);
            self.notify_by(now, t.by, code, phrase);
        }
    }

    /// Ringing the target took too long; transfers whose call is gone stop.
    pub(in crate::telephony::switch) fn transfer_timeouts(&mut self, now: Instant) {
        let orphans: Vec<i64> = self
            .transfers
            .iter()
            .filter(|t| !self.bridges.iter().any(|b| b.record == t.record))
            .map(|t| t.record)
            .collect();
        for record in orphans {
            self.abandon_transfer(now, record);
        }
        while let Some(k) = self.transfers.iter().position(|t| t.deadline <= now) {
            let mut forks = std::mem::take(&mut self.transfers[k].forks);
            let last = forks.pop();
            for (leg, call, _media) in forks {
                self.with_leg(leg, |ep| ep.cancel(now, call));
            }
            match last {
                Some((leg, call, media)) => {
                    self.with_leg(leg, |ep| ep.cancel(now, call));
                    self.transfers[k].forks.push((leg, call, media));
                    self.transfer_fork_failed(now, k, (leg, call), 408, "no answer");
                }
                None => {
                    self.transfers.remove(k);
                }
            }
        }
    }

    /// The bridge of `record` ends (either party hung up): a transfer in
    /// progress stops ringing its target.
    pub(in crate::telephony::switch) fn abandon_transfer(&mut self, now: Instant, record: i64) {
        let Some(k) = self.transfers.iter().position(|t| t.record == record) else {
            return;
        };
        let t = self.transfers.remove(k);
        for (leg, call, _media) in t.forks {
            self.with_leg(leg, |ep| ep.cancel(now, call));
        }
        self.finish(
            now,
            t.new_record,
            "cancelled",
            "the call ended before the transfer",
            "caller",
        );
    }

    /// The transferor hung up while its transfer rings: true when the call
    /// then stays up for the target (a blind transfer does not need them).
    pub(in crate::telephony::switch) fn transferor_left(
        &mut self,
        leg: Leg,
        call: CallHandle,
    ) -> bool {
        match self.transfers.iter_mut().find(|t| t.by == (leg, call)) {
            Some(t) => {
                t.by_gone = true;
                true
            }
            None => false,
        }
    }
}
