//! The relay's telephony runtime: trunk registrations with live status, the
//! SIP endpoints for browsers (WebSocket) and desk phones, and where they are.
//! The SIP logic itself is `callcard_shared::sip`; these modules own the IO.

pub mod status;

use std::sync::Arc;

use tokio::sync::Notify;

/// Telephony state shared by the HTTP handlers and the SIP tasks.
#[derive(Default)]
pub struct Telephony {
    pub trunks: status::TrunkStatusBoard,
    /// Signalled when trunks are created, changed or deleted, so the
    /// registration task reloads them from the database.
    pub trunks_changed: Notify,
}

impl Telephony {
    pub fn new() -> Arc<Telephony> {
        Arc::new(Telephony::default())
    }
}
