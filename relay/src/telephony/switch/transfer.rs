//! Call transfer (RFC 3515 REFER) in the B2BUA.
//!
//! *Blind*: a phone in an answered call sends REFER to a colleague's
//! extension or an external number. The relay checks the target against the
//! number rules as that user, rings it (a WebRTC browser gets an offer of
//! its own from the media bridge, anything else the remaining party's SDP),
//! and when it answers re-INVITEs the remaining party toward the target's
//! media, tells the transferor `NOTIFY 200` and hangs its leg up. A target
//! that fails is reported with its code and the call stays with the
//! transferor.
//!
//! *Attended*: the transferor has a second call (the consultation) and
//! sends REFER on the first with `Replaces` naming the second. The two
//! remaining parties are joined: each is re-INVITEd with the other's SDP
//! (both must speak plain RTP: trunks or desk phones), and the transferor's
//! two legs are hung up.
//!
//! Every transfer writes a new call record for the part after it; the
//! transferor's record closes as answered, "transferred to …".

use std::sync::Arc;

use callcard_shared::api::{Phone, ServerEvent};
use callcard_shared::dialplan::{DestinationClass, Outcome};
use callcard_shared::sip::ua::CallHandle;
use callcard_shared::Instant;

use super::{
    caller_identity, dialled_number, media_refusal, Bridge, Leg, Reoffer, ReofferAnswer, Switch,
};
use crate::crm;
use crate::media::CallMedia;

/// A WebRTC target's media session and the offer it gets.
type AnchoredOffer = (Arc<CallMedia>, Vec<u8>);

/// A blind transfer waiting for its target to answer.
pub(super) struct Transfer {
    /// The record of the bridge being transferred (how it is found).
    pub record: i64,
    /// The transferor's leg: told with NOTIFY, hung up once the target answers.
    pub by: (Leg, CallHandle),
    /// The party that stays on the call.
    pub stays: (Leg, CallHandle),
    /// What the transferor asked for, for causes and logs (`102`, `+7495…`).
    pub target: String,
    /// The colleague being rung (internal targets).
    pub target_user: Option<i64>,
    /// The target's INVITEs (a colleague's phones ring in parallel), each
    /// with its anchored media when the target is a WebRTC browser.
    pub forks: Vec<(Leg, CallHandle, Option<Arc<CallMedia>>)>,
    /// The record of the call after the transfer.
    pub new_record: i64,
    /// When ringing the target gives up.
    pub deadline: Instant,
    /// The transferor already hung up (some phones do right after the 202).
    pub by_gone: bool,
    /// The transferor was told the target rings.
    pub told_ringing: bool,
}

impl Switch {
    /// A REFER arrived on `(leg, call)` (the endpoint answered 202 already).
    pub(super) async fn on_refer(
        &mut self,
        now: Instant,
        leg: Leg,
        call: CallHandle,
        refer_to: String,
    ) {
        let Leg::Device(conn) = leg else {
            tracing::warn!(?leg, "REFER from a trunk: declined");
            self.notify_by(
                now,
                (leg, call),
                603,
                "Transfers from the provider are not accepted",
            );
            return;
        };
        let Some(i) = self
            .bridge_of_a(leg, call)
            .or_else(|| self.bridge_of_b(leg, call))
        else {
            self.notify_by(now, (leg, call), 481, "No such call");
            return;
        };
        let bridge = &self.bridges[i];
        let record = bridge.record;
        let stays = if bridge.a == (leg, call) {
            bridge.b
        } else {
            Some(bridge.a)
        };
        let busy = self.transfers.iter().any(|t| t.record == record)
            || self.reoffers.iter().any(|r| r.record == record);
        let stays = match stays {
            Some(stays) if bridge.answered && !bridge.finished && !busy => stays,
            _ => {
                self.notify_by(now, (leg, call), 491, "The call cannot be transferred now");
                return;
            }
        };
        if let Some(replaced) = replaces_call_id(&refer_to) {
            self.attended_transfer(now, i, (leg, call), stays, &replaced)
                .await;
            return;
        }
        let Some(device) = self.devices.get(&conn) else {
            return;
        };
        let (user_id, login) = (device.user_id, device.login.clone());
        let mut wanted = dialled_number(&refer_to);
        if let Some(reference) = wanted.strip_prefix(Phone::REF_USER_PREFIX) {
            let reference = reference.to_string();
            match crm::contacts::number_by_reference(&self.db, &reference, user_id).await {
                Ok(Some(number)) => wanted = number,
                _ => {
                    tracing::warn!(
                        conn,
                        user = %login,
                        "security: transfer to an unknown or forbidden phone reference `{reference}`"
                    );
                    self.notify_by(now, (leg, call), 404, "Unknown phone");
                    return;
                }
            }
        }
        // The same rules as a call this user dials.
        let verdict = self.plan.evaluate(self.config.default_region, &wanted);
        let e164 = verdict.e164().map(str::to_string);
        let (dial, class) = match verdict.outcome {
            Outcome::Allowed { dial, class, .. } => (dial, class),
            Outcome::Refused { reason, .. } => {
                tracing::warn!(
                    conn,
                    user = %login,
                    record,
                    "security: transfer to `{wanted}` refused by the number rules: {reason}"
                );
                let masking = crm::users::masking_of(&self.db, user_id).await;
                let phrase = crate::masking::text(masking, &reason);
                self.notify_by(now, (leg, call), 403, &phrase);
                return;
            }
        };
        if class == DestinationClass::Internal {
            self.transfer_to_extension(now, i, (leg, call), stays, &dial)
                .await;
        } else {
            let international = class == DestinationClass::International;
            self.transfer_outside(now, i, (leg, call), stays, dial, e164, international)
                .await;
        }
    }

    /// Blind transfer to a colleague: every phone registered with the
    /// extension rings, showing the remaining party as that colleague may
    /// see it.
    async fn transfer_to_extension(
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
            let (code, why) = self.extension_unavailable(extension).await;
            self.notify_by(now, by, code, &why);
            return;
        };
        let Some(offer) = self.bridges[i].sdp_of(stays).map(<[u8]>::to_vec) else {
            self.notify_by(now, by, 488, "No media description of the call to hand on");
            return;
        };
        let Some(new_record) = self.hand_on(now, by, record, target_user).await else {
            return;
        };
        let number = crm::calls::number_of(&self.db, record)
            .await
            .unwrap_or_default();
        let mut forks = Vec::new();
        for (conn, user) in targets {
            let masking = crm::users::masking_of(&self.db, user).await;
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
                new_record,
                "failed",
                "no phone of the colleague can take it",
                "relay",
            )
            .await;
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
    async fn transfer_outside(
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
        let contact_id = self.contact_of(e164.as_deref()).await;
        let new_record = crm::calls::start(
            &self.db,
            crm::calls::NewCall {
                direction: "outbound",
                user_id: Some(user_id),
                number_dialled: dial.clone(),
                number_e164: e164,
                contact_id,
                trunk_id: None,
            },
        )
        .await;
        let new_record = match new_record {
            Ok(id) => id,
            Err(e) => {
                tracing::error!(record, "cannot write the transferred call's record: {e}");
                self.notify_by(now, by, 500, "Cannot write the call record");
                return;
            }
        };
        let today = crm::limits::today();
        let admitted = self
            .limiter()
            .admit(now, &today, new_record, user_id, international);
        if let Err(refusal) = admitted {
            tracing::warn!(record, "security: transfer refused: {}", refusal.reason);
            self.notify_by(now, by, 403, &refusal.reason);
            self.finish(new_record, "refused", &refusal.reason, "relay")
                .await;
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
    }

    #[allow(clippy::too_many_arguments)]
    fn start_transfer(
        &mut self,
        now: Instant,
        record: i64,
        by: (Leg, CallHandle),
        stays: (Leg, CallHandle),
        target: &str,
        target_user: Option<i64>,
        forks: Vec<(Leg, CallHandle, Option<Arc<CallMedia>>)>,
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
            deadline: now + self.config.dial_timeout,
            by_gone: false,
            told_ringing: false,
        });
    }

    /// The record of the call after a transfer (a copy of `record`'s client,
    /// direction and trunk, for `user_id`); a failure is logged and told to
    /// the transferor (NOTIFY 500).
    async fn hand_on(
        &mut self,
        now: Instant,
        by: (Leg, CallHandle),
        record: i64,
        user_id: i64,
    ) -> Option<i64> {
        match crm::calls::handed_on(&self.db, record, Some(user_id)).await {
            Ok(id) => Some(id),
            Err(e) => {
                tracing::error!(
                    record,
                    "cannot write the record of the transferred call: {e}"
                );
                self.notify_by(now, by, 500, "Cannot write the call record");
                None
            }
        }
    }

    /// The registered phones (connection, user) that ring for `extension`,
    /// except the transferor's own connection.
    pub(super) fn extension_targets(
        &self,
        now: Instant,
        extension: &str,
        except: Option<Leg>,
    ) -> Vec<(u64, i64)> {
        let mut targets: Vec<(u64, i64)> = self
            .devices
            .iter()
            .filter(|(conn, _)| except != Some(Leg::Device(**conn)))
            .filter(|(_, d)| {
                d.is_registered(now)
                    && d.account
                        .as_ref()
                        .is_some_and(|a| a.accept_incoming && a.extension == extension)
            })
            .map(|(conn, d)| (*conn, d.user_id))
            .collect();
        targets.sort_unstable();
        targets
    }

    /// Why nobody rings for `extension`: (code, reason phrase).
    pub(super) async fn extension_unavailable(&self, extension: &str) -> (u16, String) {
        let known = crm::sip_users::list(&self.db)
            .await
            .map(|users| users.iter().any(|u| u.extension == extension))
            .unwrap_or(false);
        if known {
            (480, format!("Extension {extension} is not available"))
        } else {
            (404, format!("No extension {extension}"))
        }
    }

    /// The media bridge's session for ringing device `conn` with the SDP of
    /// the party on `stays_leg`: when the device is a WebRTC browser and the
    /// remaining party a trunk (plain RTP). `None`: the SDP goes as it is.
    fn anchor_for(
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
                .map(|(media, offer)| (Arc::new(media), offer.into_bytes()))
                .map_err(|e| media_refusal(&e, "the provider").1),
        )
    }

    /// Tells the transferor how the transfer goes (NOTIFY with a sipfrag).
    pub(super) fn notify_by(
        &mut self,
        now: Instant,
        by: (Leg, CallHandle),
        code: u16,
        reason: &str,
    ) {
        self.with_leg(by.0, |ep| ep.notify_transfer(now, by.1, code, reason));
    }

    /// The pending transfer ringing `(leg, call)`.
    pub(super) fn transfer_of_fork(&self, leg: Leg, call: CallHandle) -> Option<usize> {
        self.transfers
            .iter()
            .position(|t| t.forks.iter().any(|f| (f.0, f.1) == (leg, call)))
    }

    /// The target rings: the transferor hears about it once.
    pub(super) fn transfer_progress(&mut self, now: Instant, k: usize, code: u16) {
        let t = &mut self.transfers[k];
        if (180..=183).contains(&code) && !t.told_ringing && !t.by_gone {
            t.told_ringing = true;
            let by = t.by;
            self.notify_by(now, by, 180, "Ringing");
        }
    }

    /// The target answered: the remaining party is re-INVITEd toward it,
    /// the transferor is told and hung up, the records move on.
    pub(super) async fn transfer_answered(
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
                if let Some(m) = m {
                    tokio::spawn(async move {
                        m.end().await;
                    });
                }
            }
        }
        let Some(i) = self.bridges.iter().position(|b| b.record == t.record) else {
            // The call ended while the target rang.
            self.with_leg(fork.0, |ep| ep.bye(now, fork.1));
            self.finish(
                t.new_record,
                "cancelled",
                "the call ended before the transfer",
                "relay",
            )
            .await;
            return;
        };
        let answer = match (&media, &sdp) {
            (Some(media), Some(sdp)) => media
                .browser_answer(&String::from_utf8_lossy(sdp))
                .await
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
                if let Some(m) = media {
                    tokio::spawn(async move {
                        m.end().await;
                    });
                }
                self.finish(t.new_record, "failed", &cause, "relay").await;
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
        bridge.forwarded_to = None;
        bridge.internal = false;
        if let Some(user) = t.target_user {
            bridge.user_id = user;
        }
        let inbound = bridge.inbound;
        let old_user = bridge.user_id;
        // The transferor's anchored media ends; the target's (if any) carries the call.
        let old_media = std::mem::replace(&mut bridge.media, media.clone());
        if let Some(old) = old_media {
            tokio::spawn(async move {
                old.end().await;
            });
        }
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
        if let Err(e) = crm::calls::answered(&self.db, t.new_record, trunk).await {
            tracing::error!(
                record = t.new_record,
                "writing the answer to the call record: {e}"
            );
        }
        if inbound {
            self.telephony.notify(
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
        self.finish(old_record, "answered", &cause, side).await;
    }

    /// One of the target's phones declined or failed; the last one ends the
    /// transfer and the call stays with the transferor.
    pub(super) async fn transfer_fork_failed(
        &mut self,
        now: Instant,
        k: usize,
        fork: (Leg, CallHandle),
        code: u16,
        reason: &str,
    ) {
        let t = &mut self.transfers[k];
        t.forks.retain(|f| {
            if (f.0, f.1) != fork {
                return true;
            }
            if let Some(m) = f.2.clone() {
                tokio::spawn(async move {
                    m.end().await;
                });
            }
            false
        });
        if !t.forks.is_empty() {
            return;
        }
        let t = self.transfers.remove(k);
        let cause = super::cause_for_failure(code, reason);
        tracing::info!(
            record = t.record,
            "transfer to {} failed: {cause}",
            t.target
        );
        let status = if t.target_user.is_some() {
            "missed"
        } else {
            super::status_for_failure(code)
        };
        self.finish(t.new_record, status, &cause, "callee").await;
        if t.by_gone {
            // Nobody to take the call back: it ends.
            if let Some(i) = self.bridges.iter().position(|b| b.record == t.record) {
                self.end_bridge(now, i, &format!("transfer to {} failed: {cause}", t.target))
                    .await;
            }
        } else {
            let phrase = reason_phrase(code);
            self.notify_by(now, t.by, code, phrase);
        }
    }

    /// Ringing the target took too long; transfers whose call is gone stop.
    pub(super) async fn transfer_timeouts(&mut self, now: Instant) {
        let orphans: Vec<i64> = self
            .transfers
            .iter()
            .filter(|t| !self.bridges.iter().any(|b| b.record == t.record))
            .map(|t| t.record)
            .collect();
        for record in orphans {
            self.abandon_transfer(now, record).await;
        }
        while let Some(k) = self.transfers.iter().position(|t| t.deadline <= now) {
            let mut forks = std::mem::take(&mut self.transfers[k].forks);
            let last = forks.pop();
            for (leg, call, media) in forks {
                self.with_leg(leg, |ep| ep.cancel(now, call));
                if let Some(m) = media {
                    tokio::spawn(async move {
                        m.end().await;
                    });
                }
            }
            match last {
                Some((leg, call, media)) => {
                    self.with_leg(leg, |ep| ep.cancel(now, call));
                    self.transfers[k].forks.push((leg, call, media));
                    self.transfer_fork_failed(now, k, (leg, call), 408, "no answer")
                        .await;
                }
                None => {
                    self.transfers.remove(k);
                }
            }
        }
    }

    /// The bridge of `record` ends (either party hung up): a transfer in
    /// progress stops ringing its target.
    pub(super) async fn abandon_transfer(&mut self, now: Instant, record: i64) {
        let Some(k) = self.transfers.iter().position(|t| t.record == record) else {
            return;
        };
        let t = self.transfers.remove(k);
        for (leg, call, media) in t.forks {
            self.with_leg(leg, |ep| ep.cancel(now, call));
            if let Some(m) = media {
                tokio::spawn(async move {
                    m.end().await;
                });
            }
        }
        self.finish(
            t.new_record,
            "cancelled",
            "the call ended before the transfer",
            "caller",
        )
        .await;
    }

    /// The transferor hung up while its transfer rings: true when the call
    /// then stays up for the target (a blind transfer does not need them).
    pub(super) fn transferor_left(&mut self, leg: Leg, call: CallHandle) -> bool {
        match self.transfers.iter_mut().find(|t| t.by == (leg, call)) {
            Some(t) => {
                t.by_gone = true;
                true
            }
            None => false,
        }
    }

    /// Attended transfer: joins the parties of the transferor's two calls.
    async fn attended_transfer(
        &mut self,
        now: Instant,
        i: usize,
        by: (Leg, CallHandle),
        stays: (Leg, CallHandle),
        replaced_call_id: &str,
    ) {
        let Leg::Device(conn) = by.0 else {
            return;
        };
        let Some(device) = self.devices.get(&conn) else {
            return;
        };
        // The consultation: another bridge of this phone, by its Call-ID.
        let consult = self.bridges.iter().enumerate().find_map(|(j, b)| {
            if j == i {
                return None;
            }
            let mine = [Some(b.a), b.b].into_iter().flatten().find(|(leg, h)| {
                *leg == by.0
                    && device
                        .ep
                        .dialog(*h)
                        .is_some_and(|d| d.id.call_id == replaced_call_id)
            })?;
            let other = if b.a == mine { b.b? } else { b.a };
            Some((j, mine, other))
        });
        let Some((j, consult_by, other)) = consult else {
            self.notify_by(now, by, 481, "The consultation call is not known");
            return;
        };
        if !self.bridges[j].answered || self.bridges[j].finished {
            self.notify_by(now, by, 491, "The consultation call is not answered");
            return;
        }
        let plain = |leg: Leg| match leg {
            Leg::Trunk(_) => true,
            Leg::Device(c) => self.devices.get(&c).is_some_and(|d| !d.webrtc),
        };
        let is_trunk = |leg: Leg| matches!(leg, Leg::Trunk(_));
        // Two plain-RTP parties talk directly; a provider and a colleague's
        // browser through a new anchored session (the browser is re-offered).
        let anchored = match (plain(stays.0), plain(other.0)) {
            (true, true) => None,
            (true, false) if is_trunk(stays.0) && self.media.is_some() => Some((stays, other)),
            (false, true) if is_trunk(other.0) && self.media.is_some() => Some((other, stays)),
            _ => {
                self.notify_by(
                    now,
                    by,
                    488,
                    "These two calls cannot be joined: one side must be a client's line",
                );
                return;
            }
        };
        let (Some(sdp_stays), Some(sdp_other)) = (
            self.bridges[i].sdp_of(stays).map(<[u8]>::to_vec),
            self.bridges[j].sdp_of(other).map(<[u8]>::to_vec),
        ) else {
            self.notify_by(now, by, 488, "No media description of the calls to join");
            return;
        };
        let (record_i, record_j) = (self.bridges[i].record, self.bridges[j].record);
        let user_id = device.user_id;
        let Some(joined_record) = self.hand_on(now, by, record_i, user_id).await else {
            return;
        };
        let other_number = crm::calls::number_of(&self.db, record_j)
            .await
            .unwrap_or_default();
        let stays_number = crm::calls::number_of(&self.db, record_i)
            .await
            .unwrap_or_default();
        let mut joined_media = None;
        match anchored {
            // Each remaining party is re-INVITEd with the other's media.
            None => {
                self.with_leg(stays.0, |ep| {
                    ep.reinvite(now, stays.1, Some(sdp_other.clone()))
                });
                self.with_leg(other.0, |ep| {
                    ep.reinvite(now, other.1, Some(sdp_stays.clone()))
                });
            }
            // The browser first: its answer gives the provider's re-offer
            // (`ReofferAnswer::JoinedBrowser`).
            Some((trunk, browser)) => {
                let (trunk_sdp, browser_sdp) = if trunk == stays {
                    (&sdp_stays, &sdp_other)
                } else {
                    (&sdp_other, &sdp_stays)
                };
                let Some(bridge_media) = self.media.as_ref() else {
                    return;
                };
                let (media, offer) =
                    match bridge_media.for_trunk_offer(&String::from_utf8_lossy(trunk_sdp)) {
                        Ok(made) => made,
                        Err(e) => {
                            let (code, why) = media_refusal(&e, "the client's line");
                            self.finish(joined_record, "failed", &why, "relay").await;
                            self.notify_by(now, by, code, &why);
                            return;
                        }
                    };
                let media = Arc::new(media);
                // A re-offer must keep the browser's media id (its m-line).
                let mids = audio_mid(&String::from_utf8_lossy(browser_sdp))
                    .zip(audio_mid(&offer))
                    .filter(|(browsers, ours)| browsers != ours);
                let offer = match &mids {
                    // Without the MID header extension the browser takes the
                    // relay's packets by SSRC and payload type, not by an id
                    // it would not know.
                    Some((browsers, ours)) => {
                        without_mid_extension(&rename_mid(&offer, ours, browsers))
                    }
                    None => offer,
                };
                self.with_leg(browser.0, |ep| {
                    ep.reinvite(now, browser.1, Some(offer.into_bytes()))
                });
                self.reoffers.push(Reoffer {
                    record: joined_record,
                    asked: browser,
                    then: ReofferAnswer::JoinedBrowser { trunk, mids },
                });
                joined_media = Some(media);
            }
        }
        self.notify_by(now, by, 200, "OK");
        self.with_leg(by.0, |ep| ep.bye(now, by.1));
        self.with_leg(consult_by.0, |ep| ep.bye(now, consult_by.1));
        // One bridge for the joined call; the transferor's two end (their
        // anchored media with them).
        let (hi, lo) = if i > j { (i, j) } else { (j, i) };
        let inbound = self.bridges[i].inbound;
        // Dropping them ends their media.
        self.bridges.remove(hi);
        self.bridges.remove(lo);
        let mut joined = Bridge::answered(stays, other, joined_record, user_id);
        joined.inbound = inbound;
        joined.sdp_a = Some(sdp_stays);
        joined.sdp_b = Some(sdp_other);
        if let Some(media) = &joined_media {
            self.watch_media(joined_record, media);
        }
        joined.media = joined_media;
        self.bridges.push(joined);
        if let Err(e) = crm::calls::answered(&self.db, joined_record, None).await {
            tracing::error!(joined_record, "writing the answer to the call record: {e}");
        }
        tracing::info!(record_i, record_j, joined_record, "attended transfer");
        let masking = crm::users::masking_of(&self.db, user_id).await;
        let to_other = crate::masking::text(masking, &other_number);
        let to_stays = crate::masking::text(masking, &stays_number);
        self.finish(
            record_i,
            "answered",
            &format!("transferred to {to_other} (attended)"),
            "caller",
        )
        .await;
        self.finish(
            record_j,
            "answered",
            &format!("transfer completed: joined with {to_stays}"),
            "caller",
        )
        .await;
    }
}

/// The media id (`a=mid`) of an SDP's first audio section.
fn audio_mid(sdp: &str) -> Option<String> {
    let mut in_audio = false;
    for line in sdp.lines() {
        if let Some(m) = line.strip_prefix("m=") {
            in_audio = m.starts_with("audio");
        } else if let Some(mid) = line.strip_prefix("a=mid:").filter(|_| in_audio) {
            return Some(mid.trim().to_string());
        }
    }
    None
}

/// `sdp` with media id `from` renamed `to` (its `a=mid` and BUNDLE group).
pub(super) fn rename_mid(sdp: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(sdp.len());
    for line in sdp.split_inclusive('\n') {
        let body = line.trim_end_matches(['\r', '\n']);
        let ending = &line[body.len()..];
        if body
            .strip_prefix("a=mid:")
            .is_some_and(|m| m.trim() == from)
        {
            out.push_str(&format!("a=mid:{to}"));
        } else if let Some(group) = body.strip_prefix("a=group:BUNDLE") {
            let ids: Vec<&str> = group
                .split_whitespace()
                .map(|id| if id == from { to } else { id })
                .collect();
            out.push_str(&format!("a=group:BUNDLE {}", ids.join(" ")));
        } else {
            out.push_str(body);
        }
        out.push_str(ending);
    }
    out
}

/// `sdp` without the RTP header extension that carries the media id.
fn without_mid_extension(sdp: &str) -> String {
    sdp.split_inclusive('\n')
        .filter(|line| !(line.starts_with("a=extmap:") && line.contains("sdes:mid")))
        .collect()
}

/// The Call-ID in a Refer-To's `Replaces` header parameter (RFC 3891), e.g.
/// `<sip:bob@x?Replaces=abc%40host%3Bto-tag%3D1%3Bfrom-tag%3D2>` → `abc@host`.
pub(super) fn replaces_call_id(refer_to: &str) -> Option<String> {
    let lower = refer_to.to_ascii_lowercase();
    let start = lower.find("replaces=")? + "replaces=".len();
    let rest = &refer_to[start..];
    let end = rest.find(['&', '>']).unwrap_or(rest.len());
    let decoded = percent_decode(&rest[..end]);
    let call_id = decoded.split(';').next()?.trim();
    (!call_id.is_empty()).then(|| call_id.to_string())
}

fn percent_decode(s: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(hi << 4 | lo);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The standard reason phrase for a failure code the transferor is told.
fn reason_phrase(code: u16) -> &'static str {
    match code {
        404 => "Not Found",
        408 => "Request Timeout",
        480 => "Temporarily Unavailable",
        486 => "Busy Here",
        487 => "Request Terminated",
        488 => "Not Acceptable Here",
        503 => "Service Unavailable",
        603 => "Decline",
        _ => "Transfer Failed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_media_id_is_renamed_in_its_section_and_the_bundle_group() {
        let sdp = "v=0\r\na=group:BUNDLE 1 2\r\nm=audio 9 UDP/TLS/RTP/SAVPF 8\r\na=mid:1\r\n\
                   m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:2\r\n";
        assert_eq!(audio_mid(sdp).as_deref(), Some("1"));
        let renamed = rename_mid(sdp, "1", "0");
        assert_eq!(
            renamed,
            "v=0\r\na=group:BUNDLE 0 2\r\nm=audio 9 UDP/TLS/RTP/SAVPF 8\r\na=mid:0\r\n\
             m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:2\r\n"
        );
        assert_eq!(audio_mid(&renamed).as_deref(), Some("0"));
        assert_eq!(audio_mid("v=0\r\nm=audio 9 RTP/AVP 8\r\n"), None);
    }

    #[test]
    fn the_replaced_call_is_named_by_the_call_id_in_refer_to() {
        assert_eq!(
            replaces_call_id(
                "<sip:+74957654321@callcard?Replaces=abc%40host%3Bto-tag%3D1%3Bfrom-tag%3D2>"
            )
            .as_deref(),
            Some("abc@host")
        );
        assert_eq!(
            replaces_call_id("<sip:102@callcard?replaces=xyz%3Bto-tag%3D1&other=1>").as_deref(),
            Some("xyz")
        );
        assert_eq!(replaces_call_id("<sip:102@callcard>"), None);
        assert_eq!(replaces_call_id("<sip:102@callcard?Replaces=>"), None);
        // A truncated escape is kept as it is, never a panic.
        assert_eq!(
            replaces_call_id("sip:a?Replaces=ab%4").as_deref(),
            Some("ab%4")
        );
        assert_eq!(
            replaces_call_id("sip:a?Replaces=%aéx").as_deref(),
            Some("%aéx")
        );
    }
}
