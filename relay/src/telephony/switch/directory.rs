//! Lookups for calls: the contact a number is filed against, and telling
//! a browser which record its call is.

use super::*;

impl Switch {
    /// The contact a number (E.164) belongs to, with its responsible manager.
    pub(super) fn contact_and_manager_of(&self, e164: Option<&str>) -> Option<(i64, Option<i64>)> {
        self.telephony
            .numbers
            .owner(e164?)
            .map(|o| (o.contact_id, o.responsible_id))
    }

    /// The contact a number (E.164) belongs to: the call is filed against it.
    pub(super) fn contact_of(&self, e164: Option<&str>) -> Option<i64> {
        self.contact_and_manager_of(e164).map(|(id, _)| id)
    }

    /// Tells the user of a browser leg which record its call is (the SSE
    /// `call_record`, by the dialog's Call-ID), so the after-call prompt
    /// writes to exactly that record.
    pub(super) fn tell_record(&self, leg: (Leg, CallHandle), record: i64) {
        let Leg::Device(conn) = leg.0 else {
            return;
        };
        let Some(device) = self.devices.get(&conn).filter(|d| d.tx.is_browser()) else {
            return;
        };
        if let Some(sip_call_id) = device.ep.call_id(leg.1) {
            self.records.notify(
                device.user_id,
                ServerEvent::CallRecord {
                    call_id: record,
                    sip_call_id: sip_call_id.to_string(),
                },
            );
        }
    }
}
