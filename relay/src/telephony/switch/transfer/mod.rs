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

use callcard_shared::api::{Phone, ServerEvent};
use callcard_shared::dialplan::{DestinationClass, Outcome};
use callcard_shared::sip::ua::CallHandle;
use callcard_shared::Instant;

use super::Media;
use super::{
    caller_identity, dialled_number, media_refusal, Bridge, Effect, Leg, Reoffer, ReofferAnswer,
    Resolved, Switch,
};
use crate::crm;

mod attended;
mod blind;

pub(super) use attended::rename_mid;

/// A WebRTC target's media session and the offer it gets.
type AnchoredOffer = (Media, Vec<u8>);

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
    pub forks: Vec<(Leg, CallHandle, Option<Media>)>,
    /// The record of the call after the transfer.
    pub new_record: i64,
    /// The client's number on the new record, when it is not the old one's
    /// (a transfer to an outside number).
    pub new_number: Option<String>,
    /// When ringing the target gives up.
    pub deadline: Instant,
    /// The transferor already hung up (some phones do right after the 202).
    pub by_gone: bool,
    /// The transferor was told the target rings.
    pub told_ringing: bool,
}

impl Switch {
    /// A REFER arrived on `(leg, call)` (the endpoint answered 202 already).
    pub(super) fn on_refer(&mut self, now: Instant, leg: Leg, call: CallHandle, refer_to: String) {
        self.refer(now, leg, call, &refer_to, None);
    }

    /// The number behind a REFER's phone reference came back: the transfer
    /// goes on (its checks made again: the call may have changed meanwhile).
    pub(super) fn refer_resolved(
        &mut self,
        now: Instant,
        leg: Leg,
        call: CallHandle,
        number: Option<String>,
    ) {
        match number {
            Some(number) => self.refer(now, leg, call, "", Some(number)),
            None => {
                tracing::warn!(
                    ?leg,
                    "security: transfer to an unknown or forbidden phone reference (404)"
                );
                if self
                    .bridge_of_a(leg, call)
                    .or_else(|| self.bridge_of_b(leg, call))
                    .is_some()
                {
                    self.notify_by(now, (leg, call), 404, "Unknown phone");
                }
            }
        }
    }

    /// A transfer to `refer_to`, or to `resolved` (a phone reference's number).
    fn refer(
        &mut self,
        now: Instant,
        leg: Leg,
        call: CallHandle,
        refer_to: &str,
        resolved: Option<String>,
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
        if let Some(replaced) = replaces_call_id(refer_to) {
            self.attended_transfer(now, i, (leg, call), stays, &replaced);
            return;
        }
        let Some(device) = self.devices.get(&conn) else {
            return;
        };
        let (user_id, login) = (device.user_id, device.login.clone());
        let wanted = match resolved {
            Some(number) => number,
            None => dialled_number(refer_to),
        };
        if let Some(reference) = wanted.strip_prefix(Phone::REF_USER_PREFIX) {
            // Looked up by the runner; the REFER goes on in `refer_resolved`.
            self.effects.push(Effect::ResolveReference {
                reference: reference.to_string(),
                user_id,
                then: Resolved::Refer { leg, call },
            });
            return;
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
                let masking = self.telephony.maskings.masking_of(user_id);
                let phrase = crate::masking::text(masking, &reason);
                self.notify_by(now, (leg, call), 403, &phrase);
                return;
            }
        };
        if class == DestinationClass::Internal {
            self.transfer_to_extension(now, i, (leg, call), stays, &dial);
        } else {
            let international = class == DestinationClass::International;
            self.transfer_outside(now, i, (leg, call), stays, dial, e164, international);
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
    pub(super) fn extension_unavailable(&self, extension: &str) -> (u16, String) {
        if self.telephony.accounts.has_extension(extension) {
            (480, format!("Extension {extension} is not available"))
        } else {
            (404, format!("No extension {extension}"))
        }
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
    use super::attended::audio_mid;
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
