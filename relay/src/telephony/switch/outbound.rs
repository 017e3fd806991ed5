//! Outbound calls from a phone: the number rules, the limits, the call
//! record, then the first usable trunk (failover on the next).

use super::*;
use callcard_shared::sip::header::HeaderName;

impl Switch {
    /// A browser dials: normalize, record, pick a trunk, INVITE it.
    pub(super) fn outbound_call(
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
        if !browser.is_registered(now) && !self.authenticate_invite(now, conn, call) {
            return;
        }
        let Some(browser) = self.devices.get(&conn) else {
            return;
        };
        let user_id = browser.user_id;
        let dialled = dialled_number(to);
        // A masked user dials a contact's phone by its reference (`ref-p12`):
        // the stored number, if this user may see that contact — looked up
        // by the runner while the call waits (see `reference_resolved`).
        if let Some(reference) = dialled.strip_prefix(Phone::REF_USER_PREFIX) {
            self.resolving.insert((leg, call));
            self.effects.push(Effect::ResolveReference {
                reference: reference.to_string(),
                user_id,
                then: Resolved::Dial { conn, call, sdp },
            });
            return;
        }
        self.dial_number(now, conn, call, dialled, sdp);
    }

    /// A phone reference's number came back: the call it held goes on (or
    /// gets 404 for a reference to no phone, or to a contact this user may
    /// not see).
    pub(super) fn reference_resolved(
        &mut self,
        now: Instant,
        then: Resolved,
        number: Option<String>,
    ) {
        match then {
            Resolved::Dial { conn, call, sdp } => {
                let leg = Leg::Device(conn);
                if !self.resolving.remove(&(leg, call)) {
                    return; // Cancelled meanwhile (or its phone went away).
                }
                let Some(device) = self.devices.get(&conn) else {
                    return;
                };
                match number {
                    Some(number) => self.dial_number(now, conn, call, number, sdp),
                    None => {
                        tracing::warn!(
                            conn,
                            user = %device.login,
                            "security: outbound call to an unknown or forbidden phone reference (404)"
                        );
                        self.with_leg(leg, |ep| ep.reject(now, call, 404));
                    }
                }
            }
            Resolved::Refer { leg, call } => self.refer_resolved(now, leg, call, number),
        }
    }

    /// The phone's call to `dialled` (as dialled, or a reference's number).
    fn dial_number(
        &mut self,
        now: Instant,
        conn: u64,
        call: CallHandle,
        dialled: String,
        sdp: Option<Vec<u8>>,
    ) {
        let leg = Leg::Device(conn);
        let Some(browser) = self.devices.get(&conn) else {
            return;
        };
        let user_id = browser.user_id;
        let login = browser.login.clone();
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
            Outcome::Refused { reason, code, .. } => {
                tracing::warn!(
                    conn,
                    user = %login,
                    record,
                    "security: outbound call to `{dialled}` refused by the number rules: {reason}"
                );
                // The phone shows why (as the record says it), masked like
                // everything else this user receives.
                let masking = self.telephony.maskings.masking_of(user_id);
                let phrase = crate::masking::text(masking, &reason);
                if let Some(device) = self.devices.get_mut(&conn) {
                    let why = (HeaderName::Reason, code.to_reason_header(403));
                    device.ep.reject_with(now, call, 403, &phrase, vec![why]);
                }
                self.dirty.insert(leg);
                self.finish(now, record, "refused", &reason, "relay");
                return;
            }
        };
        if class == DestinationClass::Internal {
            self.internal_call(now, conn, call, &dial, sdp, record);
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
                let why = (HeaderName::Reason, refusal.code.to_reason_header(403));
                device
                    .ep
                    .reject_with(now, call, 403, &refusal.reason, vec![why]);
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
                    anchored = Some((media, answer.into_bytes()));
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
