//! `GET/PUT /api/recording-settings` (administrators): which calls are
//! recorded — overall, per direction, per access group, per user — and how
//! many days recordings are kept. The next answered call already follows a
//! change; the retention job reads the days at its next sweep.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use callcard_shared::api::{ApiError, RecordingSettings, RecordingStatus};

use crate::auth::AdminUser;
use crate::crm::recording_settings;
use crate::error::{AppError, AppResult};
use crate::extract::ApiJson;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/recording-settings", get(read).put(replace))
        .route("/recording-settings/status", get(status))
}

/// Whether new calls are being recorded (or why not: a full disk), the
/// disk's free space, and how many calls are being recorded now.
#[utoipa::path(get, path = "/api/recording-settings/status", tag = "calls",
    responses((status = 200, body = RecordingStatus), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub async fn status(State(state): State<AppState>, _admin: AdminUser) -> Json<RecordingStatus> {
    let data_dir = &state.config.data_dir;
    let free_bytes = crate::recording::disk::free_bytes(data_dir).ok();
    Json(RecordingStatus {
        alert: state.telephony.recording_alert.get(),
        free_bytes,
        recording_now: state.telephony.live_recordings().len(),
    })
}

/// The recording settings in force.
#[utoipa::path(get, path = "/api/recording-settings", tag = "calls",
    responses((status = 200, body = RecordingSettings), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub async fn read(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> AppResult<Json<RecordingSettings>> {
    Ok(Json(recording_settings::load(&state.db).await?))
}

/// Replaces the recording settings.
#[utoipa::path(put, path = "/api/recording-settings", tag = "calls", request_body = RecordingSettings,
    responses(
        (status = 200, body = RecordingSettings),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 422, description = "A bad value; `field` names it (`retention_days`, `users[0].user_id`, …)", body = ApiError),
    ))]
pub async fn replace(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    ApiJson(new): ApiJson<RecordingSettings>,
) -> AppResult<Json<RecordingSettings>> {
    recording_settings::validate(&state.db, &new)
        .await?
        .map_err(|(field, message)| AppError::invalid(field, message))?;
    recording_settings::save(&state.db, &new).await?;
    state.telephony.recording.reload(&state.db).await?;
    tracing::info!(admin = %admin.login, settings = ?new, "recording settings changed");
    Ok(Json(new))
}
