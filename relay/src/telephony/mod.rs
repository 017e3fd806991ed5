//! The relay's telephony runtime: trunk registrations with live status, the
//! SIP endpoint for browsers (WebSocket), and the switch that bridges calls
//! between them as a B2BUA. The SIP logic itself is `callcard_shared::sip`;
//! these modules own the sockets, the clock and the database.

pub mod calls;
pub mod device;
pub mod limits;
pub mod records;
pub mod sip_listener;
pub mod status;
pub mod switch;
pub mod throttle;
pub mod trunk;
pub mod ws;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use callcard_shared::api::ServerEvent;
use tokio::sync::{broadcast, mpsc, Notify};

/// An event for one user's `GET /api/events` stream.
#[derive(Debug, Clone)]
pub struct UserEvent {
    pub user_id: i64,
    pub event: ServerEvent,
}

/// Telephony state shared by the HTTP handlers and the switch task.
pub struct Telephony {
    pub trunks: status::TrunkStatusBoard,
    /// Signalled when trunks are created, changed or deleted, so the switch
    /// reloads them from the database.
    pub trunks_changed: Notify,
    /// Signalled when an administrator saved new number rules.
    pub dialplan_changed: Notify,
    /// The number rules in force, compiled: what the switch enforces, read by
    /// the dial pad's preview (`POST /api/dialplan/try`) without a database
    /// read or a regex compile per keystroke.
    dialplan: std::sync::RwLock<std::sync::Arc<callcard_shared::dialplan::Plan>>,
    /// Into the switch task.
    pub inputs: mpsc::UnboundedSender<switch::Input>,
    receiver: Mutex<Option<mpsc::UnboundedReceiver<switch::Input>>>,
    /// Per-user events (incoming calls …) for the SSE streams.
    pub events: broadcast::Sender<UserEvent>,
    /// The local UDP address of each open trunk (what the provider sends to).
    pub trunk_addrs: Mutex<std::collections::HashMap<i64, std::net::SocketAddr>>,
    /// Users with a registered browser or phone right now.
    pub registered: Mutex<std::collections::HashMap<i64, usize>>,
    /// The relay's own SIP address for desk phones (UDP and TCP), once bound.
    pub sip_addr: OnceLock<SocketAddr>,
    /// The media bridge of browser calls, once the switch made it.
    pub media: OnceLock<crate::media::MediaBridge>,
    /// The limits on outbound calls and their counters (`PUT /api/limits`
    /// sets them, the switch counts and enforces).
    pub limits: Mutex<limits::Limiter>,
    /// Every contact phone → its contact and manager, for routing inbound
    /// calls without the database (loaded at start).
    pub numbers: crate::crm::number_index::NumberIndex,
    /// Each user's number masking (what a rung phone may show of a caller).
    pub maskings: crate::crm::masking_cache::MaskingCache,
    /// Which calls are recorded, kept for the switch's answer-time check
    /// (`PUT /api/recording-settings` reloads it).
    pub recording: crate::crm::recording_settings::RecordingPolicy,
    /// The calls being recorded right now, by record id: the switch that
    /// pauses and resumes each one's recording.
    live_recordings: Mutex<std::collections::HashMap<i64, tokio::sync::watch::Sender<bool>>>,
    /// Why new calls are not being recorded (a full disk), for admins.
    pub recording_alert: crate::recording::disk::DiskAlert,
    /// The consent announcement as 8 kHz PCM, or why it cannot be played.
    consent: std::sync::RwLock<Option<Result<std::sync::Arc<[i16]>, String>>>,
    /// Every telephony account (the registrar's and the router's lookups).
    pub accounts: crate::crm::sip_directory::SipDirectory,
    /// The call records' writer, to wait for (see [`Telephony::records_written`]).
    pub records: OnceLock<records::RecordsWaiter>,
}

static NEXT_CONN: AtomicU64 = AtomicU64::new(1);

/// The address a peer reaches a socket bound at `bound` on: `bound` itself,
/// or for a wildcard bind the local end of a route to `peer` (a UDP "connect"
/// sends nothing, it only picks the source address).
pub fn local_address_towards(bound: SocketAddr, peer: SocketAddr) -> std::io::Result<SocketAddr> {
    if !bound.ip().is_unspecified() {
        return Ok(bound);
    }
    let probe = std::net::UdpSocket::bind(SocketAddr::new(bound.ip(), 0))?;
    probe.connect(peer)?;
    Ok(SocketAddr::new(probe.local_addr()?.ip(), bound.port()))
}

/// A fresh id for a device connection (WebSocket, TCP, or a UDP source).
pub fn next_conn_id() -> u64 {
    NEXT_CONN.fetch_add(1, Ordering::Relaxed)
}

impl Telephony {
    /// The compiled number rules in force.
    pub fn dialplan(&self) -> std::sync::Arc<callcard_shared::dialplan::Plan> {
        self.dialplan.read().expect("dialplan lock").clone()
    }

    /// Makes `plan` the rules in force for previews (the switch keeps its own).
    pub fn publish_dialplan(&self, plan: callcard_shared::dialplan::Plan) {
        *self.dialplan.write().expect("dialplan lock") = std::sync::Arc::new(plan);
    }

    pub fn new() -> Arc<Telephony> {
        let (inputs, receiver) = mpsc::unbounded_channel();
        Arc::new(Telephony {
            trunks: status::TrunkStatusBoard::default(),
            trunks_changed: Notify::new(),
            dialplan_changed: Notify::new(),
            dialplan: std::sync::RwLock::new(std::sync::Arc::new(
                callcard_shared::dialplan::Plan::new(&Default::default())
                    .expect("the default rules compile"),
            )),
            inputs,
            receiver: Mutex::new(Some(receiver)),
            events: broadcast::channel(1024).0,
            trunk_addrs: Mutex::new(Default::default()),
            registered: Mutex::new(Default::default()),
            sip_addr: OnceLock::new(),
            media: OnceLock::new(),
            records: OnceLock::new(),
            limits: Mutex::new(limits::Limiter::default()),
            numbers: Default::default(),
            maskings: Default::default(),
            accounts: Default::default(),
            recording: Default::default(),
            live_recordings: Mutex::new(Default::default()),
            recording_alert: Default::default(),
            consent: Default::default(),
        })
    }

    /// The switch's input queue; only the first caller gets it.
    pub(crate) fn take_receiver(&self) -> Option<mpsc::UnboundedReceiver<switch::Input>> {
        self.receiver.lock().expect("receiver lock").take()
    }

    /// Pushes `event` to every open event stream of `user_id`.
    /// Waits until every call-record change the switch handed over so far
    /// is written (an export, a test reading what a call just left).
    pub async fn records_written(&self) {
        if let Some(records) = self.records.get() {
            records.wait().await;
        }
    }

    /// An administrator changed telephony users: the directory is read
    /// again, then the open connections of `users` take their new account.
    pub async fn accounts_changed(&self, db: &sqlx::SqlitePool, users: &[i64]) {
        if let Err(e) = self.accounts.reload(db).await {
            tracing::error!("reading the telephony users again: {e}");
        }
        for &user_id in users {
            let account = self.accounts.by_user(user_id);
            let _ = self
                .inputs
                .send(switch::Input::SipUserChanged { user_id, account });
        }
    }

    /// The calls being recorded right now (record id → pause switch).
    pub(crate) fn live_recordings(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<i64, tokio::sync::watch::Sender<bool>>>
    {
        self.live_recordings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Reads the consent announcement again (the uploaded one or espeak-ng's
    /// default) when the settings want it; forgets it otherwise.
    pub async fn reload_consent(&self, data_dir: &std::path::Path) {
        let loaded = if self.recording.announces() {
            let loaded = crate::recording::prompt::load(data_dir).await;
            if let Err(why) = &loaded {
                tracing::error!("the consent announcement cannot be played: {why}");
            }
            Some(loaded)
        } else {
            None
        };
        *self.consent.write().unwrap_or_else(|e| e.into_inner()) = loaded;
    }

    /// The consent announcement, when it is on and ready.
    pub fn consent_prompt(&self) -> Option<std::sync::Arc<[i16]>> {
        match &*self.consent.read().unwrap_or_else(|e| e.into_inner()) {
            Some(Ok(prompt)) => Some(prompt.clone()),
            _ => None,
        }
    }

    /// Why the consent announcement (when on) cannot be played.
    pub fn consent_error(&self) -> Option<String> {
        match &*self.consent.read().unwrap_or_else(|e| e.into_inner()) {
            Some(Err(why)) => Some(why.clone()),
            _ => None,
        }
    }

    /// Pauses or resumes the recording of call `id`; false when that call
    /// is not being recorded right now.
    pub fn pause_recording(&self, id: i64, paused: bool) -> bool {
        match self.live_recordings().get(&id) {
            Some(pause) => {
                pause.send_replace(paused);
                true
            }
            None => false,
        }
    }

    pub fn notify(&self, user_id: i64, event: ServerEvent) {
        let _ = self.events.send(UserEvent { user_id, event });
    }

    /// Where trunk `id` listens, once it is open.
    pub fn trunk_addr(&self, id: i64) -> Option<std::net::SocketAddr> {
        self.trunk_addrs
            .lock()
            .expect("addr lock")
            .get(&id)
            .copied()
    }

    /// Media ports held by live calls (0 before the switch runs).
    pub fn media_ports_in_use(&self) -> usize {
        self.media.get().map_or(0, |m| m.ports_in_use())
    }

    /// Whether `user_id` has a registered device.
    pub fn is_registered(&self, user_id: i64) -> bool {
        self.registered
            .lock()
            .expect("registered lock")
            .get(&user_id)
            .is_some_and(|n| *n > 0)
    }
}
