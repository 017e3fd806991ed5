//! Calls between extensions: a phone dials a colleague's extension (the
//! number rules classed it `internal`); every phone registered with that
//! extension rings, the first answer wins. No trunk is involved and the SDP
//! passes through (two browsers talk WebRTC to each other directly).

use callcard_shared::sip::ua::CallHandle;
use callcard_shared::Instant;

use super::{Bridge, Leg, Switch};

impl Switch {
    /// `record` was written as the caller's outbound call; it becomes an
    /// internal one.
    pub(super) fn internal_call(
        &mut self,
        now: Instant,
        conn: u64,
        call: CallHandle,
        extension: &str,
        sdp: Option<Vec<u8>>,
        record: i64,
    ) {
        let leg = Leg::Device(conn);
        self.records.internal(record);
        let Some(caller) = self.devices.get(&conn) else {
            return;
        };
        let user_id = caller.user_id;
        let own = caller.account.as_ref().map(|a| a.extension.clone());
        let name = caller
            .account
            .as_ref()
            .map(|a| a.display_name.clone())
            .unwrap_or_default();
        if own.as_deref() == Some(extension) {
            self.with_leg(leg, |ep| ep.reject(now, call, 486));
            self.finish(
                now,
                record,
                "failed",
                "a phone cannot call its own extension",
                "relay",
            );
            return;
        }
        let targets = self.extension_targets(now, extension, Some(leg));
        if targets.is_empty() {
            let (code, why) = self.extension_unavailable(extension);
            if let Some(device) = self.devices.get_mut(&conn) {
                device.ep.reject_with(now, call, code, &why, Vec::new());
            }
            self.dirty.insert(leg);
            let status = if code == 404 { "failed" } else { "no_answer" };
            self.finish(now, record, status, &format!("{why} ({code})"), "relay");
            return;
        }
        // The colleague sees who calls: name and extension.
        let from_ext = own.unwrap_or_default();
        let identity = format!(
            "\"{} ({from_ext})\" <sip:{from_ext}@callcard.invalid>",
            name.replace(['"', '\\'], "")
        );
        let mut forks = Vec::new();
        for (target_conn, target_user) in targets {
            let Some(device) = self.devices.get_mut(&target_conn) else {
                continue;
            };
            let target = device.target();
            let handle = device.ep.invite_as(now, &identity, &target, sdp.clone());
            self.dirty.insert(Leg::Device(target_conn));
            forks.push((Leg::Device(target_conn), handle, target_user));
            self.tell_record((Leg::Device(target_conn), handle), record);
        }
        self.with_leg(leg, |ep| ep.ringing(now, call, None));
        tracing::info!(record, extension, rung = forks.len(), "internal call");
        self.bridges.push(Bridge {
            a: (leg, call),
            b: None,
            forks,
            deadline: Some(now + self.config.dial_timeout),
            rung: Vec::new(),
            inbound: true,
            record,
            number: extension.to_string(),
            contact_id: None,
            // Nobody answered in time: missed (no forwarding between extensions).
            plan: super::routing::Plan::rung(vec![super::routing::Step::Missed]),
            user_id,
            dial: extension.to_string(),
            offer: sdp.clone(),
            tried: Vec::new(),
            ringing: true,
            answered: false,
            finished: false,
            forwarded_to: None,
            media: None,
            browser_answer: None,
            trunk_sdp_taken: false,
            fork_media: Vec::new(),
            internal: true,
            sdp_a: sdp,
            sdp_b: None,
        });
    }
}
