//! The OpenAPI document at `/api/openapi.json`, generated from the handlers'
//! annotations and the shared API types, so it cannot drift from the code.

use axum::routing::get;
use axum::{Json, Router};
use callcard_shared::api;
use utoipa::OpenApi;

use crate::auth::CurrentUser;
use crate::routes;
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Callcard API",
        description = "CRM telephony: contacts, calls, telephony administration. Every route but /api/login needs the session cookie."
    ),
    paths(
        routes::session::login,
        routes::session::logout,
        routes::session::me,
        routes::contacts::list,
        routes::contacts::card,
        routes::contacts::add_note,
        routes::users::list,
        routes::trunks::list,
        routes::trunks::register_now,
        routes::trunks::create,
        routes::trunks::one,
        routes::trunks::update,
        routes::trunks::remove,
        routes::sip_users::list,
        routes::sip_users::create,
        routes::sip_users::one,
        routes::sip_users::update,
        routes::sip_users::remove,
        routes::sip_users::rotate_password,
        routes::sip_users::mine,
        routes::calls::list,
        routes::calls::one,
        routes::recordings::recording,
        routes::recordings::pause,
        routes::recordings::zip,
        routes::recording_settings::read,
        routes::recording_settings::replace,
        routes::recording_settings::status,
        routes::recording_settings::upload_announcement,
        routes::recording_settings::remove_announcement,
        routes::audit::list,
        routes::calls::export_csv,
        routes::calls::wrap_up,
        routes::calls::outcomes,
        routes::calls::set_outcomes,
        routes::dialplan::read,
        routes::groups::list,
        routes::groups::set_masking,
        routes::groups::set_telephony,
        routes::groups::set_recordings,
        routes::limits::read,
        routes::limits::replace,
        routes::telephony::turn_off,
        routes::dialplan::replace,
        routes::dialplan::try_number,
        routes::events::events,
        routes::health::healthz,
    ),
    components(schemas(
        api::ApiError,
        api::ServerEvent,
        api::LoginRequest,
        api::Me,
        api::UserRef,
        api::UserSummary,
        api::Phone,
        api::Contact,
        api::ContactPage,
        api::ContactCard,
        api::Deal,
        api::Note,
        api::NewNote,
        api::Task,
        api::Health,
        api::SipTransport,
        api::TrunkState,
        api::TrunkStatus,
        api::Trunk,
        api::TrunkInput,
        api::SipUser,
        api::SipUserInput,
        api::SipCredentials,
        api::CallRecord,
        api::CallPage,
        api::AuditEntry,
        api::AuditPage,
        api::CallWrapUp,
        api::FollowUp,
        api::NewCallContact,
        api::CallOutcomes,
        api::TryNumber,
        api::DialplanView,
        api::AccessGroup,
        api::GroupTelephony,
        api::GroupRecordings,
        api::CallLimits,
        api::Limits,
        api::RecordingSettings,
        api::RecordingStatus,
        api::UserRecording,
        api::RecordingPause,
        api::TelephonyOff,
        api::TelephonyOffReport,
        callcard_shared::masking::Masking,
        callcard_shared::dialplan::Rules,
        callcard_shared::dialplan::Allowed,
        callcard_shared::dialplan::Verdict,
        callcard_shared::dialplan::Step,
        callcard_shared::dialplan::Outcome,
        callcard_shared::dialplan::DestinationClass,
    ))
)]
pub struct ApiDoc;

pub fn router() -> Router<AppState> {
    // Like every /api route but login, the document needs a session.
    Router::new().route(
        "/openapi.json",
        get(|_user: CurrentUser| async { Json(ApiDoc::openapi()) }),
    )
}
