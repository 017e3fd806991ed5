//! The REST API under `/api`, one module per resource, each with its `router()`.

pub mod audit;
pub mod calls;
pub mod contacts;
pub mod dialplan;
pub mod events;
pub mod groups;
pub mod health;
pub mod limits;
pub mod recording_settings;
pub mod recordings;
pub mod session;
pub mod sip_users;
pub mod telephony;
pub mod trunks;
pub mod users;

use axum::Router;

use crate::error::AppError;
use crate::state::AppState;

pub fn api_router() -> Router<AppState> {
    Router::new()
        .merge(session::router())
        .merge(contacts::router())
        .merge(users::router())
        .merge(trunks::router())
        .merge(sip_users::router())
        .merge(calls::router())
        .merge(recordings::router())
        .merge(recording_settings::router())
        .merge(audit::router())
        .merge(dialplan::router())
        .merge(events::router())
        .merge(groups::router())
        .merge(limits::router())
        .merge(telephony::router())
        .merge(crate::openapi::router())
        .fallback(|| async { AppError::NotFound("no such API route".into()) })
}

/// A numeric path id; anything else answers 422 naming `id`.
pub(crate) fn parse_id(raw: &str, what: &str) -> Result<i64, AppError> {
    raw.parse()
        .map_err(|_| AppError::invalid("id", format!("`{raw}` is not a {what} id")))
}
