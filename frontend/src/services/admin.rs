//! The administrators' endpoints: trunks, telephony users, number rules,
//! masking and automatic telephony users per group, call limits, turning
//! telephony off, recording settings and the audit log, plus the live trunk status from the event stream. Same
//! conventions as [`super::api`]: the API type or an [`ApiFailure`].

use callcard_shared::api::{
    AccessGroup, AuditPage, DialplanView, GroupRecordings, GroupTelephony, Limits,
    RecordingSettings, ServerEvent, SipCredentials, SipUser, SipUserInput, TelephonyOff,
    TelephonyOffReport, Trunk, TrunkInput, TrunkStatus, TryNumber,
};
use callcard_shared::dialplan::{Rules, Verdict};
use callcard_shared::masking::Masking;
use gloo_net::http::{Request, RequestBuilder};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{EventSource, MessageEvent, RequestCredentials};
use yew::Callback;

use super::api::{exchange, fetch_json, get, post};
use super::error::{classify, ApiFailure};

fn put(path: &str) -> RequestBuilder {
    Request::put(path)
        .credentials(RequestCredentials::Include)
        .header("Accept", "application/json")
}

async fn delete(path: &str) -> Result<(), ApiFailure> {
    let request = Request::delete(path)
        .credentials(RequestCredentials::Include)
        .header("Accept", "application/json")
        .build();
    let (status, body) = exchange(request).await?;
    classify(status, &body)
}

pub async fn trunks() -> Result<Vec<Trunk>, ApiFailure> {
    fetch_json(get("/api/trunks").build()).await
}

pub async fn create_trunk(input: &TrunkInput) -> Result<Trunk, ApiFailure> {
    fetch_json(post("/api/trunks").json(input)).await
}

pub async fn update_trunk(id: i64, input: &TrunkInput) -> Result<Trunk, ApiFailure> {
    fetch_json(put(&format!("/api/trunks/{id}")).json(input)).await
}

/// Asks the relay to register the trunk again at once; the live status follows.
pub async fn register_trunk(id: i64) -> Result<Trunk, ApiFailure> {
    fetch_json(post(&format!("/api/trunks/{id}/register")).build()).await
}

pub async fn delete_trunk(id: i64) -> Result<(), ApiFailure> {
    delete(&format!("/api/trunks/{id}")).await
}

pub async fn sip_users() -> Result<Vec<SipUser>, ApiFailure> {
    fetch_json(get("/api/sip-users").build()).await
}

/// The answer carries the generated password, this once.
pub async fn create_sip_user(input: &SipUserInput) -> Result<SipCredentials, ApiFailure> {
    fetch_json(post("/api/sip-users").json(input)).await
}

pub async fn update_sip_user(id: i64, input: &SipUserInput) -> Result<SipUser, ApiFailure> {
    fetch_json(put(&format!("/api/sip-users/{id}")).json(input)).await
}

pub async fn delete_sip_user(id: i64) -> Result<(), ApiFailure> {
    delete(&format!("/api/sip-users/{id}")).await
}

/// A new generated password, in this answer only.
pub async fn rotate_sip_password(id: i64) -> Result<SipCredentials, ApiFailure> {
    fetch_json(post(&format!("/api/sip-users/{id}/password")).build()).await
}

/// Replaces the number rules; a 422 names the field (`autocorrect[1]`, …).
pub async fn save_dialplan(rules: &Rules) -> Result<DialplanView, ApiFailure> {
    fetch_json(put("/api/dialplan").json(rules)).await
}

/// Every step and the verdict for `number` under the draft `rules`.
pub async fn try_number(request: &TryNumber) -> Result<Verdict, ApiFailure> {
    fetch_json(post("/api/dialplan/try").json(request)).await
}

pub async fn groups() -> Result<Vec<AccessGroup>, ApiFailure> {
    fetch_json(get("/api/groups").build()).await
}

pub async fn set_masking(group_id: i64, masking: &Masking) -> Result<AccessGroup, ApiFailure> {
    fetch_json(put(&format!("/api/groups/{group_id}/masking")).json(masking)).await
}

/// Whether every member of the group gets a telephony user; switched on,
/// the members without one get one now.
pub async fn set_group_telephony(group_id: i64, on: bool) -> Result<AccessGroup, ApiFailure> {
    let body = GroupTelephony { auto_telephony: on };
    fetch_json(put(&format!("/api/groups/{group_id}/telephony")).json(&body)).await
}

/// Whether the group's members hear every call's recording.
pub async fn set_group_hears_all(group_id: i64, on: bool) -> Result<AccessGroup, ApiFailure> {
    let body = GroupRecordings {
        hears_all_calls: on,
    };
    fetch_json(put(&format!("/api/groups/{group_id}/recordings")).json(&body)).await
}

/// Whether new calls are being recorded right now (or why not).
pub async fn recording_status() -> Result<callcard_shared::api::RecordingStatus, ApiFailure> {
    fetch_json(get("/api/recording-settings/status").build()).await
}

/// Uploads `file` (a WAV) as the consent announcement.
pub async fn upload_announcement(
    file: web_sys::File,
) -> Result<callcard_shared::api::RecordingStatus, ApiFailure> {
    let request = put("/api/recording-settings/announcement")
        .header("Content-Type", "audio/wav")
        .body(wasm_bindgen::JsValue::from(file));
    fetch_json(request).await
}

/// Back to the default consent announcement.
pub async fn default_announcement() -> Result<callcard_shared::api::RecordingStatus, ApiFailure> {
    let request = Request::delete("/api/recording-settings/announcement")
        .credentials(RequestCredentials::Include)
        .header("Accept", "application/json")
        .build();
    fetch_json(request).await
}

pub async fn recording_settings() -> Result<RecordingSettings, ApiFailure> {
    fetch_json(get("/api/recording-settings").build()).await
}

/// Replaces the recording settings; a 422 names the field (`retention_days`, …).
pub async fn save_recording_settings(
    settings: &RecordingSettings,
) -> Result<RecordingSettings, ApiFailure> {
    fetch_json(put("/api/recording-settings").json(settings)).await
}

/// A page of the audit log, newest first.
pub async fn audit(limit: u32, offset: u32) -> Result<AuditPage, ApiFailure> {
    fetch_json(get(&format!("/api/audit?limit={limit}&offset={offset}")).build()).await
}

pub async fn limits() -> Result<Limits, ApiFailure> {
    fetch_json(get("/api/limits").build()).await
}

/// Replaces the call limits; a 422 names the field (`per_user.concurrent_calls`, …).
pub async fn save_limits(limits: &Limits) -> Result<Limits, ApiFailure> {
    fetch_json(put("/api/limits").json(limits)).await
}

/// Removes every trunk, telephony user and telephony setting (and the call
/// records if asked); `confirm` must be `turn off`.
pub async fn turn_telephony_off(request: &TelephonyOff) -> Result<TelephonyOffReport, ApiFailure> {
    fetch_json(post("/api/telephony/off").json(request)).await
}

/// `trunk_status` events from `GET /api/events` (sent to administrators
/// only) while this value lives; dropping it closes the stream.
pub struct TrunkStatusFeed {
    source: EventSource,
    _on_event: Closure<dyn FnMut(MessageEvent)>,
}

impl TrunkStatusFeed {
    pub fn open(on_status: Callback<(i64, TrunkStatus)>) -> Option<TrunkStatusFeed> {
        let source = EventSource::new("/api/events").ok()?;
        let on_event = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let Some(data) = e.data().as_string() else {
                return;
            };
            if let Ok(ServerEvent::TrunkStatus { trunk_id, status }) = serde_json::from_str(&data) {
                on_status.emit((trunk_id, status));
            }
        });
        source
            .add_event_listener_with_callback("trunk_status", on_event.as_ref().unchecked_ref())
            .ok()?;
        Some(TrunkStatusFeed {
            source,
            _on_event: on_event,
        })
    }
}

impl Drop for TrunkStatusFeed {
    fn drop(&mut self) {
        self.source.close();
    }
}
