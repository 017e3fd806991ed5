//! Outbound calls from a phone: the number rules, the limits, the call
//! record, then the first usable trunk (failover on the next).

use super::*;

impl Switch {
    /// A browser dials: normalize, record, pick a trunk, INVITE it.
    pub(super) async fn outbound_call(
        &mut self,
        now: Instant,
        conn: u64,
        call: CallHandle,
        to: &str,
        sdp: Option<Vec<u8>>,
    ) {
        let leg = Leg::Device(conn);
        let Some(browser) = self.devices.get(&conn) else {
            return;
        };
        if !browser.is_registered(now) && !self.authenticate_invite(now, conn, call).await {
            return;
        }
        let Some(browser) = self.devices.get(&conn) else {
            return;
        };
        let user_id = browser.user_id;
        let login = browser.login.clone();
        let mut dialled = dialled_number(to);
        // A masked user dials a contact's phone by its reference (`ref-p12`):
        // the stored number, if this user may see that contact.
        if let Some(reference) = dialled.strip_prefix(Phone::REF_USER_PREFIX) {
            let reference = reference.to_string();
            match crm::contacts::number_by_reference(&self.db, &reference, user_id).await {
                Ok(Some(number)) => dialled = number,
                found => {
                    if let Err(e) = found {
                        tracing::error!("resolving the phone reference `{reference}`: {e}");
                    }
                    tracing::warn!(
                        conn,
                        user = %login,
                        "security: outbound call to an unknown or forbidden phone reference `{reference}` (404)"
                    );
                    self.with_leg(leg, |ep| ep.reject(now, call, 404));
                    return;
                }
            }
        }
        // The rules apply whatever the phone sent (the browser only previews them).
        let verdict = self.plan.evaluate(self.config.default_region, &dialled);
        let e164 = verdict.e164().map(str::to_string);
        let contact_id = self.contact_of(e164.as_deref());
        let record = self.records.start(crm::calls::NewCall {
            direction: "outbound",
            user_id: Some(user_id),
            number_dialled: dialled.clone(),
            number_e164: e164.clone(),
            contact_id,
            trunk_id: None,
        });
        self.tell_record((leg, call), record);
        let (dial, class) = match verdict.outcome {
            Outcome::Allowed { dial, class, .. } => (dial, class),
            Outcome::Refused { reason, .. } => {
                tracing::warn!(
                    conn,
                    user = %login,
                    record,
                    "security: outbound call to `{dialled}` refused by the number rules: {reason}"
                );
                // The phone shows why (as the record says it), masked like
                // everything else this user receives.
                let masking = self.telephony.maskings.masking_of(&self.db, user_id).await;
                let phrase = crate::masking::text(masking, &reason);
                if let Some(device) = self.devices.get_mut(&conn) {
                    device.ep.reject_with(now, call, 403, &phrase, Vec::new());
                }
                self.dirty.insert(leg);
                self.finish(now, record, "refused", &reason, "relay");
                return;
            }
        };
        if class == DestinationClass::Internal {
            self.internal_call(now, conn, call, &dial, sdp, record)
                .await;
            return;
        }
        let international = class == DestinationClass::International;
        let today = crm::limits::today();
        let admitted = self
            .limiter()
            .admit(now, &today, record, user_id, international);
        if let Err(refusal) = admitted {
            tracing::warn!(
                conn,
                user = %login,
                record,
                "security: outbound call refused: {}",
                refusal.reason
            );
            if let Some(device) = self.devices.get_mut(&conn) {
                device
                    .ep
                    .reject_with(now, call, 403, &refusal.reason, Vec::new());
            }
            self.dirty.insert(leg);
            self.finish(now, record, "refused", &refusal.reason, "relay");
            return;
        }
        let browser_sdp = sdp.clone();
        let mut offer = sdp;
        let mut anchored = None;
        if let Some(result) = self.anchor_browser_offer(conn, offer.as_deref()) {
            match result {
                Ok((media, answer, trunk_offer)) => {
                    offer = Some(trunk_offer.into_bytes());
                    anchored = Some((Arc::new(media), answer.into_bytes()));
                }
                Err(e) => {
                    let (code, cause) = media_refusal(&e, "the browser");
                    tracing::warn!(conn, user = %login, record, "outbound call refused: {cause}");
                    self.with_leg(leg, |ep| ep.reject(now, call, code));
                    self.finish(now, record, "failed", &cause, "relay");
                    return;
                }
            }
        }
        let (media, browser_answer) = match anchored {
            Some((media, answer)) => {
                self.watch_media(record, &media);
                (Some(media), Some(answer))
            }
            None => (None, None),
        };
        self.bridges.push(Bridge {
            a: (leg, call),
            b: None,
            forks: Vec::new(),
            deadline: None,
            rung: Vec::new(),
            inbound: false,
            record,
            number: e164.clone().unwrap_or_else(|| dialled.clone()),
            contact_id,
            plan: routing::Plan::default(),
            user_id,
            dial: String::new(),
            offer,
            tried: Vec::new(),
            ringing: false,
            answered: false,
            finished: false,
            forwarded_to: None,
            media,
            browser_answer,
            trunk_sdp_taken: false,
            fork_media: Vec::new(),
            internal: false,
            sdp_a: browser_sdp,
            sdp_b: None,
        });
        let i = self.bridges.len() - 1;
        self.bridges[i].dial = dial;
        // The trunk INVITE goes out once the record is on disk.
        self.hold(Held::Dial { record });
    }

    /// The first usable trunk by priority that was not tried yet.
    pub(super) fn pick_trunk(&self, tried: &[i64]) -> Option<i64> {
        let mut usable: Vec<&TrunkLeg> = self
            .trunks
            .values()
            .filter(|t| !tried.contains(&t.config.id))
            .filter(|t| {
                let state = self.telephony.trunks.get(t.config.id).state;
                matches!(state, TrunkState::Registered | TrunkState::NotRegistering)
            })
            .collect();
        usable.sort_by_key(|t| (t.config.priority, t.config.id));
        usable.first().map(|t| t.config.id)
    }

    pub(super) fn dial_trunk(&mut self, now: Instant, i: usize, trunk_id: i64) {
        let Some(trunk) = self.trunks.get_mut(&trunk_id) else {
            return;
        };
        let bridge = &mut self.bridges[i];
        let number = bridge.forwarded_to.as_deref().unwrap_or(&bridge.dial);
        let target = format!("sip:{number}@{}", trunk.config.domain);
        let handle = trunk.ep.invite(now, &target, bridge.offer.clone());
        bridge.b = Some((Leg::Trunk(trunk_id), handle));
        bridge.tried.push(trunk_id);
        tracing::info!(
            record = bridge.record,
            user = bridge.user_id,
            trunk = trunk_id,
            "outbound call"
        );
        self.dirty.insert(Leg::Trunk(trunk_id));
    }
}
