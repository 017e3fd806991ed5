//! `GET/PUT /api/limits`: the limits on outbound calls — concurrent calls,
//! attempts per minute, international minutes per day — for each user and
//! for everyone together. Everyone reads them; administrators change them.
//! The switch enforces them on every outbound INVITE (`telephony/limits.rs`).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use callcard_shared::api::{ApiError, Limits};

use crate::auth::{AdminUser, CurrentUser};
use crate::crm::limits;
use crate::error::{AppError, AppResult};
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::telephony::switch::Input;

pub fn router() -> Router<AppState> {
    Router::new().route("/limits", get(read).put(replace))
}

/// The limits in force (absent or `null`: unlimited).
#[utoipa::path(get, path = "/api/limits", tag = "telephony",
    responses((status = 200, body = Limits), (status = 401, body = ApiError)))]
pub async fn read(State(state): State<AppState>, _user: CurrentUser) -> AppResult<Json<Limits>> {
    Ok(Json(limits::load(&state.db).await?))
}

/// Replaces the limits; the next call already follows them, and a running
/// international call over the new daily budget is hung up.
#[utoipa::path(put, path = "/api/limits", tag = "telephony", request_body = Limits,
    responses(
        (status = 200, body = Limits),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 422, description = "A bad value; `field` names it (`per_user.concurrent_calls`, …)", body = ApiError),
    ))]
pub async fn replace(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    ApiJson(new): ApiJson<Limits>,
) -> AppResult<Json<Limits>> {
    limits::validate(&new).map_err(|(field, message)| AppError::invalid(field, message))?;
    limits::save(&state.db, &new).await?;
    state
        .telephony
        .limits
        .lock()
        .expect("limits lock")
        .set_limits(new.clone());
    let _ = state.telephony.inputs.send(Input::LimitsChanged);
    tracing::info!(admin = %admin.login, limits = ?new, "call limits changed");
    Ok(Json(new))
}
