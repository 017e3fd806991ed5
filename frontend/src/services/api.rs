//! The REST endpoints the browser uses, over same-origin `fetch` with the
//! session cookie. Each returns the API type or an [`ApiFailure`].

use callcard_shared::api::{
    ContactCard, ContactPage, LoginRequest, Me, NewNote, Note, RecordingPause,
};
use gloo_net::http::{Request, RequestBuilder};
use serde::de::DeserializeOwned;
use web_sys::RequestCredentials;

use super::error::{classify, ApiFailure};
use super::url;

pub(super) fn get(path: &str) -> RequestBuilder {
    Request::get(path)
        .credentials(RequestCredentials::Include)
        .header("Accept", "application/json")
}

pub(super) fn post(path: &str) -> RequestBuilder {
    Request::post(path)
        .credentials(RequestCredentials::Include)
        .header("Accept", "application/json")
}

/// Sends the request and returns the status and body text of the answer.
pub(super) async fn exchange(
    request: Result<Request, gloo_net::Error>,
) -> Result<(u16, String), ApiFailure> {
    let request = request.map_err(|e| ApiFailure::Network(e.to_string()))?;
    let response = request
        .send()
        .await
        .map_err(|e| ApiFailure::Network(e.to_string()))?;
    let status = response.status();
    let body = response
        .text()
        .await
        .map_err(|e| ApiFailure::Network(e.to_string()))?;
    Ok((status, body))
}

pub(super) async fn fetch_json<T: DeserializeOwned>(
    request: Result<Request, gloo_net::Error>,
) -> Result<T, ApiFailure> {
    let (status, body) = exchange(request).await?;
    classify(status, &body)?;
    serde_json::from_str(&body).map_err(|e| ApiFailure::Decode(e.to_string()))
}

/// The relay's verdict on `number` under the rules in force (the dial pad's preview).
pub async fn check_number(number: &str) -> Result<callcard_shared::dialplan::Verdict, ApiFailure> {
    let request = callcard_shared::api::TryNumber {
        number: number.to_owned(),
        rules: None,
    };
    fetch_json(post("/api/dialplan/try").json(&request)).await
}

/// The number rules and default region (the admin page's editor).
pub async fn dialplan() -> Result<callcard_shared::api::DialplanView, ApiFailure> {
    fetch_json(get("/api/dialplan").build()).await
}

/// The signed-in user's telephony identity (404: they have none).
pub async fn my_sip_user() -> Result<callcard_shared::api::SipUser, ApiFailure> {
    fetch_json(get("/api/me/sip").build()).await
}

pub async fn me() -> Result<Me, ApiFailure> {
    fetch_json(get("/api/me").build()).await
}

pub async fn login(request: &LoginRequest) -> Result<Me, ApiFailure> {
    fetch_json(post("/api/login").json(request)).await
}

pub async fn logout() -> Result<(), ApiFailure> {
    let (status, body) = exchange(post("/api/logout").build()).await?;
    classify(status, &body)
}

pub async fn contacts(query: &str, limit: u32, offset: u32) -> Result<ContactPage, ApiFailure> {
    fetch_json(get(&url::contacts(query, limit, offset)).build()).await
}

pub async fn contact_card(id: i64) -> Result<ContactCard, ApiFailure> {
    fetch_json(get(&url::contact(id)).build()).await
}

/// A page of the call log.
pub async fn calls(
    filters: &url::CallFilters,
    limit: u32,
    offset: u32,
) -> Result<callcard_shared::api::CallPage, ApiFailure> {
    fetch_json(get(&url::calls(filters, limit, offset)).build()).await
}

/// Every CRM user (administrators only).
/// One call record (the after-call prompt's).
pub async fn call(id: i64) -> Result<callcard_shared::api::CallRecord, ApiFailure> {
    fetch_json(get(&format!("/api/calls/{id}")).build()).await
}

pub async fn users() -> Result<Vec<callcard_shared::api::UserSummary>, ApiFailure> {
    fetch_json(get("/api/users").build()).await
}

/// The outcomes to pick from after a call.
pub async fn call_outcomes() -> Result<callcard_shared::api::CallOutcomes, ApiFailure> {
    fetch_json(get("/api/call-outcomes").build()).await
}

/// Records what the user wrote after call `id`.
pub async fn wrap_up(
    id: i64,
    wrap: &callcard_shared::api::CallWrapUp,
) -> Result<callcard_shared::api::CallRecord, ApiFailure> {
    let request = Request::put(&format!("/api/calls/{id}/wrap-up"))
        .credentials(RequestCredentials::Include)
        .header("Accept", "application/json")
        .json(wrap);
    fetch_json(request).await
}

/// Pauses or resumes the recording of call `id` (in progress).
pub async fn pause_recording(id: i64, paused: bool) -> Result<RecordingPause, ApiFailure> {
    let request = Request::put(&format!("/api/calls/{id}/recording/pause"))
        .credentials(RequestCredentials::Include)
        .header("Accept", "application/json")
        .json(&RecordingPause { paused });
    fetch_json(request).await
}

pub async fn add_note(contact_id: i64, note: &NewNote) -> Result<Note, ApiFailure> {
    fetch_json(post(&url::contact_notes(contact_id)).json(note)).await
}
