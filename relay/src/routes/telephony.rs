//! `POST /api/telephony/off` (administrators): removes every trunk, every
//! telephony user and the telephony settings (number rules, limits,
//! automatic telephony users per group), hangs up every call and closes
//! every browser and desk-phone connection; call records stay unless asked.
//! Telephony users made again afterwards get new generated passwords; the
//! deleted ones are overwritten in the database file, not just unlinked.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use callcard_shared::api::{ApiError, TelephonyOff, TelephonyOffReport};

use crate::auth::AdminUser;
use crate::crm;
use crate::error::AppResult;
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::telephony::switch::Input;

pub fn router() -> Router<AppState> {
    Router::new().route("/telephony/off", post(turn_off))
}

/// Turns telephony off. `confirm` must be `turn off`.
#[utoipa::path(post, path = "/api/telephony/off", tag = "telephony", request_body = TelephonyOff,
    responses(
        (status = 200, body = TelephonyOffReport),
        (status = 400, description = "`confirm` is missing or not `turn off`; `field` is `confirm`", body = ApiError),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
    ))]
pub async fn turn_off(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    ApiJson(input): ApiJson<TelephonyOff>,
) -> AppResult<Response> {
    if input.confirm.as_deref().map(str::trim) != Some(TelephonyOff::CONFIRMATION) {
        let error = ApiError {
            error: format!(
                "confirm: write `{}` to remove every trunk and telephony user",
                TelephonyOff::CONFIRMATION
            ),
            field: Some("confirm".into()),
        };
        return Ok((StatusCode::BAD_REQUEST, Json(error)).into_response());
    }
    let (trunks_removed, sip_users_removed) =
        crm::telephony::remove_configuration(&state.db).await?;
    state.telephony.accounts_changed(&state.db, &[]).await;
    // The switch ends the calls and closes the connections, then reloads
    // the (now empty) trunks and the default rules.
    let (done, answer) = tokio::sync::oneshot::channel();
    let (connections_closed, calls_ended) = if state
        .telephony
        .inputs
        .send(Input::TelephonyOff { done })
        .is_ok()
    {
        tokio::time::timeout(Duration::from_secs(10), answer)
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default()
    } else {
        (0, 0)
    };
    let call_records_deleted = if input.delete_call_records {
        crm::telephony::delete_call_records(&state.db).await?
    } else {
        0
    };
    crm::telephony::erase_freed_space(&state.db).await;
    let report = TelephonyOffReport {
        trunks_removed,
        sip_users_removed,
        connections_closed,
        calls_ended,
        call_records_deleted,
    };
    tracing::warn!(admin = %admin.login, ?report, "telephony turned off");
    Ok(Json(report).into_response())
}
