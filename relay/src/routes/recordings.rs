//! A call's recording: `GET /api/calls/{id}/recording` plays it (HTTP Range,
//! so `<audio>` seeks), `?download=1` saves it as
//! `{id}_{phone}_{yyyy-mm-dd}.mp3` with the phone masked exactly as the
//! reader sees it on screen. A manager hears their own calls, a group that
//! hears all calls (and administrators) every call; a colleague's call is
//! refused with 403. Every play and download is logged with who and which
//! call.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, put};
use axum::{Json, Router};
use callcard_shared::api::{CallQuery, RecordingPause};
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::crm::calls;
use crate::error::{AppError, AppResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::http_range::{self, Wanted};
use crate::recording::zip::{self, ZipItem};
use crate::recording::StoreError;
use crate::routes::parse_id;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calls/{id}/recording", get(recording))
        .route("/calls/{id}/recording/pause", put(pause))
        .route("/calls/recordings.zip", get(zip))
}

/// Recordings in one zip at most (the newest calls first).
pub const MAX_ZIP_FILES: u32 = 10_000;

/// The recordings of the calls matching the call log's filters (those the
/// reader may hear), as one zip streamed while it is written, each file
/// named as a single download would be. `X-Recordings` and
/// `X-Recordings-Bytes` say how many files and how many bytes of audio
/// are coming, for a progress bar. Each call goes to the audit log.
#[utoipa::path(get, path = "/api/calls/recordings.zip", tag = "calls", params(CallQuery),
    responses(
        (status = 200, description = "application/zip, one MP3 per call", content_type = "application/zip"),
        (status = 401, body = callcard_shared::api::ApiError),
        (status = 404, description = "No matching call has a recording", body = callcard_shared::api::ApiError),
        (status = 422, description = "A bad filter, named", body = callcard_shared::api::ApiError),
    ))]
pub async fn zip(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(query): ApiQuery<CallQuery>,
) -> AppResult<Response> {
    let records = super::calls::matching(&state, &user, query, MAX_ZIP_FILES as usize, |r| {
        r.recording_seconds.is_some()
    })
    .await?;
    let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
    let files = calls::recording_files(&state.db, &ids).await?;
    let (mut items, mut zipped, mut bytes) = (Vec::new(), Vec::new(), 0i64);
    for mut record in records {
        let Some((path, size)) = files.get(&record.id) else {
            continue;
        };
        crate::masking::call(user.masking, &mut record);
        items.push(ZipItem {
            name: file_name(&record),
            key: path.clone(),
        });
        zipped.push(record.id);
        bytes += size;
    }
    if items.is_empty() {
        return Err(AppError::NotFound(
            "no call matching these filters has a recording".into(),
        ));
    }
    crate::crm::audit::record_each(&state.db, user.id, "recording_downloaded", &zipped).await?;
    tracing::info!(user = %user.login, files = items.len(), bytes, "audit: recordings downloaded as a zip");
    let name = format!(
        "recordings-{}.zip",
        crate::time::now_rfc3339().get(..10).unwrap_or("export")
    );
    let count = items.len().to_string();
    let mut response = Response::new(zip::stream(state.recordings.clone(), items));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    for (key, value) in [
        (
            header::CONTENT_DISPOSITION.as_str(),
            format!("attachment; filename=\"{name}\""),
        ),
        ("x-recordings", count),
        ("x-recordings-bytes", bytes.to_string()),
    ] {
        set_text(headers, axum::http::HeaderName::from_static(key), &value);
    }
    Ok(response)
}

/// Pauses or resumes the recording of a call in progress: while paused the
/// file gets silence, and the record keeps where (`recording_paused`). The
/// call's own manager (or an administrator) may.
#[utoipa::path(put, path = "/api/calls/{id}/recording/pause", tag = "calls", request_body = RecordingPause,
    params(("id" = i64, Path, description = "Call record id")),
    responses(
        (status = 200, body = RecordingPause),
        (status = 401, body = callcard_shared::api::ApiError),
        (status = 403, description = "Someone else's call", body = callcard_shared::api::ApiError),
        (status = 404, body = callcard_shared::api::ApiError),
        (status = 409, description = "The call is not being recorded right now", body = callcard_shared::api::ApiError),
    ))]
pub async fn pause(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<RecordingPause>,
) -> AppResult<Json<RecordingPause>> {
    let id = parse_id(&id, "call")?;
    let record = calls::get(&state.db, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no call {id}")))?;
    if !user.is_admin && record.user.as_ref().map(|u| u.id) != Some(user.id) {
        return Err(AppError::Forbidden(
            "only the call's own manager pauses its recording",
        ));
    }
    if !state.telephony.pause_recording(id, input.paused) {
        return Err(AppError::Conflict {
            field: "paused".into(),
            message: format!("call {id} is not being recorded right now"),
        });
    }
    tracing::info!(user = %user.login, call = id, paused = input.paused, "recording paused or resumed");
    Ok(Json(input))
}

#[derive(Debug, Default, Deserialize)]
pub struct RecordingQuery {
    /// Any value: answer as a download with the file name.
    #[serde(default)]
    pub download: Option<String>,
}

/// The name a downloaded recording gets: the call, the phone as this
/// reader may see it (`hidden` when they may see none of it), the day.
pub fn file_name(record: &callcard_shared::api::CallRecord) -> String {
    let phone = record
        .number_e164
        .clone()
        .unwrap_or_else(|| record.number_dialled.clone());
    let phone: String = phone
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '*'))
        .collect();
    let phone = if phone.is_empty() {
        "hidden".to_string()
    } else {
        phone
    };
    let day = record.started_at.get(..10).unwrap_or("undated");
    format!("{}_{phone}_{day}.mp3", record.id)
}

#[utoipa::path(get, path = "/api/calls/{id}/recording", tag = "calls",
    params(("id" = i64, Path, description = "Call record id"),
           ("download" = Option<String>, Query, description = "Any value: save as a file")),
    responses(
        (status = 200, description = "audio/mpeg", content_type = "audio/mpeg"),
        (status = 206, description = "The requested range", content_type = "audio/mpeg"),
        (status = 401, body = callcard_shared::api::ApiError),
        (status = 403, description = "A colleague's call, and the reader's group may hear only its own", body = callcard_shared::api::ApiError),
        (status = 404, description = "No such call, or it has no recording (why)", body = callcard_shared::api::ApiError),
        (status = 416, description = "A range outside the file"),
    ))]
pub async fn recording(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(query): Query<RecordingQuery>,
    request: HeaderMap,
) -> AppResult<Response> {
    let id = parse_id(&id, "call")?;
    let mut record = calls::get(&state.db, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no call {id}")))?;
    if !super::calls::visibility(&user).allows(&record) {
        return Err(AppError::Forbidden(
            "this is a colleague's call: your group may hear only your own calls' recordings",
        ));
    }
    let Some(path) = calls::recording_path(&state.db, id).await? else {
        let why = record
            .recording_note
            .map(|note| format!("call {id} has no recording: {note}"))
            .unwrap_or_else(|| format!("call {id} has no recording"));
        return Err(AppError::NotFound(why));
    };
    let unreadable = |e: StoreError| match e {
        StoreError::Missing => {
            tracing::error!(call = id, path, "a call's recording file is missing");
            AppError::NotFound(format!(
                "the recording of call {id} is missing from the storage"
            ))
        }
        StoreError::Other(e) => {
            tracing::error!(call = id, path, "a call's recording cannot be read: {e}");
            AppError::Unavailable(format!(
                "the recording of call {id} cannot be read right now"
            ))
        }
    };
    let size = state.recordings.size(&path).await.map_err(unreadable)?;
    let download = query.download.is_some();
    let range = request.get(header::RANGE).and_then(|r| r.to_str().ok());
    // A player asks for ranges as it plays: its first request (no range, or
    // one from the start) is the play the audit log counts.
    let from_start = range.is_none_or(|r| r.trim().starts_with("bytes=0-"));
    if from_start || download {
        let action = if download {
            "recording_downloaded"
        } else {
            "recording_played"
        };
        crate::crm::audit::record(&state.db, user.id, action, Some(id)).await?;
    }
    tracing::info!(
        user = %user.login,
        call = id,
        download,
        "audit: recording {}",
        if download { "downloaded" } else { "played" }
    );
    let (status, part) = match http_range::wanted(range, size) {
        Wanted::Whole => (StatusCode::OK, 0..size),
        Wanted::Part(part) => (StatusCode::PARTIAL_CONTENT, part),
        Wanted::Unsatisfiable => {
            let mut response = Response::new(Body::empty());
            *response.status_mut() = StatusCode::RANGE_NOT_SATISFIABLE;
            let range = format!("bytes */{size}");
            set_text(response.headers_mut(), header::CONTENT_RANGE, &range);
            return Ok(response);
        }
    };
    let body = if part.is_empty() {
        Body::empty()
    } else {
        let bytes = state
            .recordings
            .read(&path, Some(part.clone()))
            .await
            .map_err(unreadable)?;
        Body::from_stream(bytes)
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    headers.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from(part.end - part.start),
    );
    if status == StatusCode::PARTIAL_CONTENT {
        let range = format!("bytes {}-{}/{size}", part.start, part.end - 1);
        set_text(headers, header::CONTENT_RANGE, &range);
    }
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("audio/mpeg"));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    if download {
        crate::masking::call(user.masking, &mut record);
        let name = file_name(&record);
        let disposition = format!("attachment; filename=\"{name}\"");
        set_text(headers, header::CONTENT_DISPOSITION, &disposition);
    }
    Ok(response)
}

/// Sets a header made of text (names and numbers: a value that is not a
/// valid header is left out).
fn set_text(headers: &mut HeaderMap, name: axum::http::HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name, value);
    }
}
