//! Media glue: anchoring browser offers in the media bridge, the
//! provider's answers into it, media that ends by itself, and re-offers
//! (hold, resume) in answered calls.

use super::*;

impl Switch {
    /// The media bridge's session for a browser's offer, when this call is
    /// anchored: a WebSocket device (a browser) offering WebRTC. None: the
    /// SDP passes through unchanged (desk phones, plain RTP, no SDP).
    #[allow(clippy::type_complexity)]
    pub(super) fn anchor_browser_offer(
        &self,
        conn: u64,
        sdp: Option<&[u8]>,
    ) -> Option<Result<(Media, String, String), MediaError>> {
        let media = self.media.as_ref()?;
        let device = self.devices.get(&conn)?;
        let sdp = sdp.filter(|sdp| device.tx.is_browser() && is_webrtc(sdp))?;
        Some(media.for_browser_offer(&String::from_utf8_lossy(sdp)))
    }

    /// Tells the switch when the media of `record` ends by itself.
    pub(super) fn watch_media(&mut self, record: i64, media: &Media) {
        self.effects.push(Effect::WatchMedia {
            record,
            ended: media.ended_signal(),
        });
    }

    /// An answered call whose media the relay anchors is recorded (when
    /// recording is on): desk phones' calls pass through and are not.
    pub(super) fn record_call(&mut self, i: usize, user: Option<i64>, announce: bool) {
        let bridge = &self.bridges[i];
        let direction = if bridge.internal {
            "internal"
        } else if bridge.inbound {
            "inbound"
        } else {
            "outbound"
        };
        if !self.config.record_calls {
            return;
        }
        if !self.telephony.recording.records(direction, user) {
            return self.records.recorded(
                bridge.record,
                Err("not recorded: the recording settings leave this call out".into()),
            );
        }
        match &bridge.media {
            Some(media) => {
                if announce && self.telephony.recording.announces() {
                    if let Some(prompt) = self.telephony.consent_prompt() {
                        media.announce(prompt);
                    }
                }
                self.effects.push(Effect::Record {
                    record: bridge.record,
                    media: media.clone(),
                });
            }
            // Said on the record, so nobody looks for a file that never was.
            None => self.records.recorded(
                bridge.record,
                Err(if bridge.internal {
                    "not recorded: the two phones' audio went directly between them".into()
                } else {
                    "not recorded: a desk phone's audio goes directly to the provider, \
                     the relay records only the calls whose audio it carries"
                        .into()
                }),
            ),
        }
    }

    /// Outbound, anchored: the provider's SDP (183 or 200) goes into the
    /// media bridge. False when it was refused (the call is then ended).
    pub(super) fn take_trunk_answer(
        &mut self,
        now: Instant,
        i: usize,
        sdp: &[u8],
        answered: bool,
    ) -> bool {
        let Some(media) = self.bridges[i].media.clone() else {
            return true;
        };
        match media.trunk_answer(&String::from_utf8_lossy(sdp)) {
            Ok(()) => {
                self.bridges[i].trunk_sdp_taken = true;
                true
            }
            Err(e) => {
                let (_, cause) = media_refusal(&e, "the provider");
                self.media_failed(now, i, cause, answered);
                false
            }
        }
    }

    /// Outbound, anchored: the provider's media cannot be bridged. The
    /// browser gets 488, the provider CANCEL (or BYE once answered).
    pub(super) fn media_failed(&mut self, now: Instant, i: usize, cause: String, b_answered: bool) {
        let bridge = &mut self.bridges[i];
        tracing::warn!(record = bridge.record, "media refused: {cause}");
        let (a, b, record) = (bridge.a, bridge.b, bridge.record);
        self.with_leg(a.0, |ep| ep.reject(now, a.1, 488));
        self.finish(now, record, "failed", &cause, "relay");
        match b {
            // Ringing: CANCEL, and the bridge waits for the 487.
            Some(b) if !b_answered => {
                self.bridges[i].finished = true;
                self.bridges[i].media = None;
                self.with_leg(b.0, |ep| ep.cancel(now, b.1));
            }
            // The provider's leg is up: BYE.
            Some(b) => {
                self.bridges.remove(i);
                self.with_leg(b.0, |ep| ep.bye(now, b.1));
            }
            None => {
                self.bridges.remove(i);
            }
        }
    }

    /// The media of a call ended by itself (no RTP, ICE/DTLS never done):
    /// both legs are hung up and the record closed with that cause.
    pub(super) fn media_ended(&mut self, now: Instant, record: i64, cause: &str) {
        let Some(i) = self
            .bridges
            .iter()
            .position(|b| b.record == record && !b.finished)
        else {
            return;
        };
        let bridge = self.bridges.remove(i);
        tracing::warn!(record, "call media ended ({cause}): hanging up");
        let a = bridge.a;
        self.cancel_forks(now, &bridge.forks);
        if bridge.answered {
            self.with_leg(a.0, |ep| ep.bye(now, a.1));
            if let Some(b) = bridge.b {
                self.with_leg(b.0, |ep| ep.bye(now, b.1));
            }
        } else {
            self.with_leg(a.0, |ep| ep.reject(now, a.1, 488));
            if let Some(b) = bridge.b {
                self.with_leg(b.0, |ep| ep.cancel(now, b.1));
            }
        }
        if bridge.inbound {
            self.tell_rung(
                &bridge,
                if bridge.answered {
                    "answered"
                } else {
                    "missed"
                },
            );
        }
        let status = if bridge.answered {
            "answered"
        } else {
            "failed"
        };
        self.finish(now, record, status, &bridge.cause(cause), "relay");
    }

    // --- Hold / resume: re-INVITE and UPDATE in an answered bridge ---

    /// A re-INVITE or UPDATE with an offer from either leg of an answered bridge.
    ///
    /// Anchored calls: the media bridge answers the offering leg at once and
    /// makes the re-offer for the other leg (a direction change crosses over:
    /// hold and resume), whose answer comes back in [`Self::modified`].
    /// Passthrough calls: the offer goes to the other leg as a re-INVITE and
    /// the offering leg waits for that leg's answer.
    ///
    /// 491 while another offer is in progress on the bridge (or before it is
    /// answered), 488 when the media bridge refuses the offer or there is none
    /// (an offerless re-INVITE needs an offer in our 200, which the relay
    /// cannot make for the other leg). An offerless UPDATE — a session
    /// refresh — is simply accepted.
    pub(super) fn remote_offer(
        &mut self,
        now: Instant,
        leg: Leg,
        call: CallHandle,
        method: Method,
        sdp: Option<Vec<u8>>,
    ) {
        let bridges = &self.bridges;
        self.reoffers
            .retain(|r| bridges.iter().any(|b| b.record == r.record));
        let Some(i) = self
            .bridge_of_a(leg, call)
            .or_else(|| self.bridge_of_b(leg, call))
        else {
            self.with_leg(leg, |ep| ep.reject(now, call, 481));
            return;
        };
        let bridge = &self.bridges[i];
        let record = bridge.record;
        let other = if bridge.a == (leg, call) {
            bridge.b
        } else {
            Some(bridge.a)
        };
        let busy = self.reoffers.iter().any(|r| r.record == record);
        let other = match other {
            Some(other) if bridge.answered && !bridge.finished && !busy => other,
            _ => {
                tracing::info!(record, "{method} before the answer or during another: 491");
                self.with_leg(leg, |ep| ep.reject(now, call, 491));
                return;
            }
        };
        let Some(sdp) = sdp else {
            if method == Method::Update {
                self.with_leg(leg, |ep| ep.accept(now, call, None));
            } else {
                tracing::info!(record, "a re-INVITE without an offer: 488");
                self.with_leg(leg, |ep| ep.reject(now, call, 488));
            }
            return;
        };
        self.bridges[i].remember_sdp((leg, call), &Some(sdp.clone()));
        let then = match self.bridges[i].media.clone() {
            None => {
                self.with_leg(other.0, |ep| ep.reinvite(now, other.1, Some(sdp)));
                ReofferAnswer::Offerer((leg, call))
            }
            Some(media) => {
                let text = String::from_utf8_lossy(&sdp);
                let (answered, then, whose) = match leg {
                    Leg::Device(_) => (
                        media.browser_reoffer(&text).map(|(a, r)| (a, Some(r))),
                        ReofferAnswer::TrunkAnswer,
                        "the browser",
                    ),
                    Leg::Trunk(_) => (
                        media.trunk_reoffer(&text),
                        ReofferAnswer::BrowserAnswer,
                        "the provider",
                    ),
                };
                let (answer, reoffer) = match answered {
                    Ok(answered) => answered,
                    Err(e) => {
                        let (_, why) = media_refusal(&e, whose);
                        tracing::warn!(record, "{method} refused: {why}");
                        self.with_leg(leg, |ep| ep.reject(now, call, 488));
                        return;
                    }
                };
                self.with_leg(leg, |ep| ep.accept(now, call, Some(answer.into_bytes())));
                let Some(reoffer) = reoffer else {
                    return; // Nothing changes for the other leg.
                };
                let reoffer = Some(reoffer.into_bytes());
                self.with_leg(other.0, |ep| ep.reinvite(now, other.1, reoffer));
                then
            }
        };
        self.reoffers.push(Reoffer {
            record,
            asked: other,
            then,
        });
    }

    /// The final answer to a re-INVITE sent by [`Self::remote_offer`]:
    /// passed back to the leg that made the offer (passthrough), or given to
    /// the media bridge (anchored). An anchored leg that refuses keeps the
    /// media as last negotiated; the other leg already has its answer.
    pub(super) fn modified(
        &mut self,
        now: Instant,
        leg: Leg,
        call: CallHandle,
        code: u16,
        sdp: Option<Vec<u8>>,
    ) {
        let Some(k) = self.reoffers.iter().position(|r| r.asked == (leg, call)) else {
            return;
        };
        let Reoffer { record, then, .. } = self.reoffers.remove(k);
        let Some(bridge) = self.bridges.iter().find(|b| b.record == record) else {
            return;
        };
        let ok = (200..300).contains(&code);
        let media = bridge.media.clone();
        let (media, then) = match (then, media) {
            (ReofferAnswer::Offerer(offerer), _) => {
                self.with_leg(offerer.0, |ep| {
                    if ok {
                        ep.accept(now, offerer.1, sdp);
                    } else {
                        ep.reject(now, offerer.1, code);
                    }
                });
                return;
            }
            (_, None) => return,
            (ReofferAnswer::JoinedBrowser { trunk, mids }, Some(media)) => {
                let sdp = match (sdp, mids) {
                    (Some(sdp), Some((browsers, ours))) => Some(
                        transfer::rename_mid(&String::from_utf8_lossy(&sdp), &browsers, &ours)
                            .into_bytes(),
                    ),
                    (sdp, _) => sdp,
                };
                self.joined_browser_answered(now, record, trunk, media, code, sdp);
                return;
            }
            (then, Some(media)) => (media, then),
        };
        let whose = match then {
            ReofferAnswer::TrunkAnswer => "the provider",
            _ => "the browser",
        };
        let sdp = match sdp {
            Some(sdp) if ok => String::from_utf8_lossy(&sdp).into_owned(),
            _ => {
                tracing::warn!(record, "{whose} refused the re-offer ({code})");
                return;
            }
        };
        let taken = match then {
            ReofferAnswer::TrunkAnswer => media.trunk_answer(&sdp),
            _ => media.browser_reanswer(&sdp),
        };
        if let Err(e) = taken {
            let (_, why) = media_refusal(&e, whose);
            tracing::warn!(record, "the answer to the re-offer: {why}");
        }
    }

    /// The colleague's browser answered the new session of a joined call
    /// (attended transfer): the provider is re-offered the relay's media for
    /// it. A browser that refuses ends the joined call.
    pub(super) fn joined_browser_answered(
        &mut self,
        now: Instant,
        record: i64,
        trunk: (Leg, CallHandle),
        media: Media,
        code: u16,
        sdp: Option<Vec<u8>>,
    ) {
        let answer = match sdp.filter(|_| (200..300).contains(&code)) {
            Some(sdp) => media
                .browser_answer(&String::from_utf8_lossy(&sdp))
                .map_err(|e| media_refusal(&e, "the colleague's browser").1),
            None => Err(format!(
                "the colleague's browser refused the joined call ({code})"
            )),
        };
        match answer {
            Ok(answer) => {
                self.with_leg(trunk.0, |ep| {
                    ep.reinvite(now, trunk.1, Some(answer.into_bytes()))
                });
                self.reoffers.push(Reoffer {
                    record,
                    asked: trunk,
                    then: ReofferAnswer::TrunkAnswer,
                });
            }
            Err(cause) => {
                tracing::warn!(record, "attended transfer: {cause}");
                if let Some(i) = self.bridges.iter().position(|b| b.record == record) {
                    self.end_bridge(now, i, &cause);
                }
            }
        }
    }
}
