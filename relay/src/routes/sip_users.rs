//! Telephony users: `GET/POST /api/sip-users`, `GET/PUT/DELETE /api/sip-users/{id}`,
//! `POST /api/sip-users/{id}/password` (administrators), and `GET /api/me/sip`
//! for the signed-in user. The SIP password is shown only when it is made.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use callcard_shared::api::{ApiError, SipCredentials, SipUser, SipUserInput};

use crate::auth::{AdminUser, CurrentUser};
use crate::crm::sip_users;
use crate::error::{AppError, AppResult};
use crate::extract::ApiJson;
use crate::routes::parse_id;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sip-users", get(list).post(create))
        .route("/sip-users/{id}", get(one).put(update).delete(remove))
        .route("/sip-users/{id}/password", post(rotate_password))
        .route("/me/sip", get(mine))
}

fn not_found(id: i64) -> AppError {
    AppError::NotFound(format!("no telephony user {id}"))
}

/// Every telephony user, by extension.
#[utoipa::path(get, path = "/api/sip-users", tag = "telephony",
    responses((status = 200, body = [SipUser]), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub async fn list(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> AppResult<Json<Vec<SipUser>>> {
    let users = sip_users::list(&state.db).await?;
    Ok(Json(users.into_iter().map(|u| live(&state, u)).collect()))
}

/// Gives a CRM user an extension and SIP credentials. The generated password
/// is in this answer only.
#[utoipa::path(post, path = "/api/sip-users", tag = "telephony", request_body = SipUserInput,
    responses(
        (status = 201, body = SipCredentials),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 409, description = "The user already has one (`user_id`) or the extension is taken (`extension`)", body = ApiError),
        (status = 422, description = "No such user (`user_id`), a bad `extension` or `forward_to`", body = ApiError),
    ))]
pub async fn create(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    ApiJson(input): ApiJson<SipUserInput>,
) -> AppResult<(StatusCode, Json<SipCredentials>)> {
    let fields = sip_users::validate(&input, state.config.default_region)?;
    let credentials = sip_users::create(&state.db, input.user_id, &fields, None).await?;
    tracing::info!(
        admin = %admin.login,
        user_id = input.user_id,
        sip_login = %credentials.sip_login,
        "telephony user created"
    );
    changed_for_runtime(&state, input.user_id).await;
    Ok((StatusCode::CREATED, Json(credentials)))
}

#[utoipa::path(get, path = "/api/sip-users/{id}", tag = "telephony",
    params(("id" = i64, Path, description = "Telephony user id")),
    responses((status = 200, body = SipUser), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 404, body = ApiError)))]
pub async fn one(
    State(state): State<AppState>,
    _admin: AdminUser,
    Path(id): Path<String>,
) -> AppResult<Json<SipUser>> {
    let id = parse_id(&id, "telephony user")?;
    sip_users::get(&state.db, id)
        .await?
        .map(|u| Json(live(&state, u)))
        .ok_or_else(|| not_found(id))
}

/// Changes the switches, the forwarding and (when given) the extension; the
/// SIP login follows the extension, the password stays. `user_id` must be the
/// telephony user's own.
#[utoipa::path(put, path = "/api/sip-users/{id}", tag = "telephony", request_body = SipUserInput,
    params(("id" = i64, Path, description = "Telephony user id")),
    responses(
        (status = 200, body = SipUser),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, description = "The extension is taken", body = ApiError),
        (status = 422, body = ApiError),
    ))]
pub async fn update(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<SipUserInput>,
) -> AppResult<Json<SipUser>> {
    let id = parse_id(&id, "telephony user")?;
    let current = sip_users::get(&state.db, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    if current.user.id != input.user_id {
        return Err(AppError::invalid(
            "user_id",
            "a telephony user cannot move to another CRM user; delete it and create a new one",
        ));
    }
    let fields = sip_users::validate(&input, state.config.default_region)?;
    let (user, changed) = sip_users::update(&state.db, id, &fields, None)
        .await?
        .ok_or_else(|| not_found(id))?;
    if changed {
        tracing::info!(admin = %admin.login, id, sip_login = %user.sip_login, "telephony user changed");
        changed_for_runtime(&state, user.user.id).await;
    }
    Ok(Json(live(&state, user)))
}

/// Deletes a telephony user (the CRM user stays).
#[utoipa::path(delete, path = "/api/sip-users/{id}", tag = "telephony",
    params(("id" = i64, Path, description = "Telephony user id")),
    responses((status = 204, description = "Deleted"), (status = 401, body = ApiError),
        (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn remove(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let id = parse_id(&id, "telephony user")?;
    let user_id = sip_users::get(&state.db, id).await?.map(|u| u.user.id);
    if !sip_users::delete(&state.db, id).await? {
        return Err(not_found(id));
    }
    if let Some(user_id) = user_id {
        changed_for_runtime(&state, user_id).await;
    }
    tracing::info!(admin = %admin.login, id, "telephony user deleted");
    Ok(StatusCode::NO_CONTENT)
}

/// Replaces the SIP password with a new generated one, in this answer only.
#[utoipa::path(post, path = "/api/sip-users/{id}/password", tag = "telephony",
    params(("id" = i64, Path, description = "Telephony user id")),
    responses((status = 200, body = SipCredentials), (status = 401, body = ApiError),
        (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn rotate_password(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<String>,
) -> AppResult<Json<SipCredentials>> {
    let id = parse_id(&id, "telephony user")?;
    let credentials = sip_users::rotate_password(&state.db, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    tracing::info!(admin = %admin.login, id, sip_login = %credentials.sip_login, "SIP password rotated");
    // Devices registered with the old password must authenticate again.
    changed_for_runtime(&state, credentials.sip_user.user.id).await;
    Ok(Json(credentials))
}

/// The signed-in user's own telephony identity (without the password).
#[utoipa::path(get, path = "/api/me/sip", tag = "session",
    responses((status = 200, body = SipUser), (status = 401, body = ApiError),
        (status = 404, description = "The user has no telephony user", body = ApiError)))]
pub async fn mine(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<SipUser>> {
    sip_users::get_by_user(&state.db, user.id)
        .await?
        .map(|u| Json(live(&state, u)))
        .ok_or_else(|| {
            AppError::NotFound("you have no telephony user; ask an administrator".into())
        })
}

/// The stored telephony user with whether a device is registered right now.
fn live(state: &AppState, mut user: SipUser) -> SipUser {
    user.registered = state.telephony.is_registered(user.user.id);
    user
}

/// Tells the switch to reload this user's account on their open connections.
async fn changed_for_runtime(state: &AppState, user_id: i64) {
    state
        .telephony
        .accounts_changed(&state.db, &[user_id])
        .await;
}
