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
        .route(
            "/recording-settings/announcement",
            axum::routing::put(upload_announcement).delete(remove_announcement),
        )
}

/// Replaces the consent announcement with an uploaded WAV (PCM) or MP3
/// file (mono or stereo, 8 to 48 kHz, up to 30 s; the body is the file),
/// kept converted to 8 kHz. Answers the status, with the new
/// announcement's length.
#[utoipa::path(put, path = "/api/recording-settings/announcement", tag = "calls",
    request_body(content = Vec<u8>, content_type = "audio/wav"),
    responses((status = 200, body = RecordingStatus), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 422, description = "Not a usable WAV or MP3 file (why)", body = ApiError)))]
pub async fn upload_announcement(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    body: axum::body::Bytes,
) -> AppResult<Json<RecordingStatus>> {
    let samples = tokio::task::spawn_blocking(move || crate::recording::prompt::from_upload(&body))
        .await
        .map_err(anyhow::Error::from)?
        .map_err(|why| AppError::invalid("file", why))?;
    let body = crate::recording::prompt::to_wav(&samples);
    let path = crate::recording::prompt::uploaded_path(&state.config.data_dir);
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(anyhow::Error::from)?;
    }
    tokio::fs::write(&path, &body)
        .await
        .map_err(anyhow::Error::from)?;
    state.telephony.reload_consent(&state.config.data_dir).await;
    tracing::info!(admin = %admin.login, bytes = body.len(), "consent announcement uploaded");
    Ok(status_now(&state))
}

/// Goes back to the default announcement (espeak-ng's).
#[utoipa::path(delete, path = "/api/recording-settings/announcement", tag = "calls",
    responses((status = 200, body = RecordingStatus), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub async fn remove_announcement(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
) -> AppResult<Json<RecordingStatus>> {
    let path = crate::recording::prompt::uploaded_path(&state.config.data_dir);
    match tokio::fs::remove_file(&path).await {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(anyhow::Error::from(e).into()),
    }
    state.telephony.reload_consent(&state.config.data_dir).await;
    tracing::info!(admin = %admin.login, "consent announcement back to the default");
    Ok(status_now(&state))
}

/// Whether new calls are being recorded (or why not: a full disk), the
/// disk's free space, and how many calls are being recorded now.
#[utoipa::path(get, path = "/api/recording-settings/status", tag = "calls",
    responses((status = 200, body = RecordingStatus), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub async fn status(State(state): State<AppState>, _admin: AdminUser) -> Json<RecordingStatus> {
    status_now(&state)
}

fn status_now(state: &AppState) -> Json<RecordingStatus> {
    let data_dir = &state.config.data_dir;
    let telephony = &state.telephony;
    Json(RecordingStatus {
        alert: telephony.recording_alert.get(),
        free_bytes: crate::recording::disk::free_bytes(data_dir).ok(),
        recording_now: telephony.live_recordings().len(),
        announcement_error: telephony.consent_error(),
        announcement_seconds: telephony
            .consent_prompt()
            .map(|p| p.len() as f64 / f64::from(crate::recording::RATE)),
        announcement_uploaded: crate::recording::prompt::uploaded_path(data_dir).exists(),
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
    state.telephony.reload_consent(&state.config.data_dir).await;
    tracing::info!(admin = %admin.login, settings = ?new, "recording settings changed");
    Ok(Json(new))
}
