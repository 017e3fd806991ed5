//! Attended transfer (REFER with Replaces): the two remaining parties
//! joined, plain RTP re-INVITEd with each other's SDP, a provider and a
//! colleague's browser through a new anchored session.

use super::*;

impl Switch {
    /// Attended transfer: joins the parties of the transferor's two calls.
    pub(in crate::telephony::switch) fn attended_transfer(
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
        let joined_record = self.records.handed_on(record_i, user_id);
        let other_number = self.bridges[j].number.clone();
        let stays_number = self.bridges[i].number.clone();
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
                            self.finish(now, joined_record, "failed", &why, "relay");
                            self.notify_by(now, by, code, &why);
                            return;
                        }
                    };
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
        let mut joined =
            Bridge::answered(stays, other, joined_record, stays_number.clone(), user_id);
        joined.inbound = inbound;
        joined.sdp_a = Some(sdp_stays);
        joined.sdp_b = Some(sdp_other);
        if let Some(media) = &joined_media {
            self.watch_media(joined_record, media);
        }
        joined.media = joined_media;
        self.bridges.push(joined);
        self.records.answered(joined_record, None);
        // The joined call's record gets a recording of its own.
        self.record_call(self.bridges.len() - 1, Some(user_id), false);
        tracing::info!(record_i, record_j, joined_record, "attended transfer");
        let masking = self.telephony.maskings.masking_of(user_id);
        let to_other = crate::masking::text(masking, &other_number);
        let to_stays = crate::masking::text(masking, &stays_number);
        self.finish(
            now,
            record_i,
            "answered",
            &format!("transferred to {to_other} (attended)"),
            "caller",
        );
        self.finish(
            now,
            record_j,
            "answered",
            &format!("transfer completed: joined with {to_stays}"),
            "caller",
        );
    }
}

/// The media id (`a=mid`) of an SDP's first audio section.
pub(in crate::telephony::switch) fn audio_mid(sdp: &str) -> Option<String> {
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
pub(in crate::telephony::switch) fn rename_mid(sdp: &str, from: &str, to: &str) -> String {
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
pub(in crate::telephony::switch) fn without_mid_extension(sdp: &str) -> String {
    sdp.split_inclusive('\n')
        .filter(|line| !(line.starts_with("a=extmap:") && line.contains("sdes:mid")))
        .collect()
}
