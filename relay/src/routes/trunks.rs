//! `GET/POST /api/trunks`, `GET/PUT/DELETE /api/trunks/{id}`: the SIP accounts
//! at providers, for administrators. Passwords are write-only.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use callcard_shared::api::{ApiError, Trunk, TrunkInput};

use crate::auth::AdminUser;
use crate::crm::trunks;
use crate::error::{AppError, AppResult};
use crate::extract::ApiJson;
use crate::routes::parse_id;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/trunks", get(list).post(create))
        .route("/trunks/{id}", get(one).put(update).delete(remove))
        .route("/trunks/{id}/register", post(register_now))
}

fn not_found(id: i64) -> AppError {
    AppError::NotFound(format!("no trunk {id}"))
}

async fn load(state: &AppState, id: i64) -> AppResult<Trunk> {
    trunks::get(&state.db, id, &state.telephony.trunks)
        .await?
        .ok_or_else(|| not_found(id))
}

/// Every trunk with its live registration status, by priority.
#[utoipa::path(get, path = "/api/trunks", tag = "telephony",
    responses((status = 200, body = [Trunk]), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub async fn list(State(state): State<AppState>, _admin: AdminUser) -> AppResult<Json<Vec<Trunk>>> {
    Ok(Json(
        trunks::list(&state.db, &state.telephony.trunks).await?,
    ))
}

/// Adds a trunk; the relay starts registering it right away.
#[utoipa::path(post, path = "/api/trunks", tag = "telephony", request_body = TrunkInput,
    responses(
        (status = 201, body = Trunk),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 409, description = "The name is taken", body = ApiError),
        (status = 422, description = "A field is missing or wrong (`number`, `host`, `expires`, `password`, …)", body = ApiError),
    ))]
pub async fn create(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    ApiJson(input): ApiJson<TrunkInput>,
) -> AppResult<(StatusCode, Json<Trunk>)> {
    let fields = trunks::validate(&input, state.config.default_region)?;
    let id = trunks::create(&state.db, &fields).await?;
    tracing::info!(admin = %admin.login, trunk = %fields.name, id, "trunk created");
    state.telephony.trunks_changed.notify_one();
    Ok((StatusCode::CREATED, Json(load(&state, id).await?)))
}

/// One trunk with its live status.
#[utoipa::path(get, path = "/api/trunks/{id}", tag = "telephony",
    params(("id" = i64, Path, description = "Trunk id")),
    responses((status = 200, body = Trunk), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 404, body = ApiError)))]
pub async fn one(
    State(state): State<AppState>,
    _admin: AdminUser,
    Path(id): Path<String>,
) -> AppResult<Json<Trunk>> {
    let id = parse_id(&id, "trunk")?;
    Ok(Json(load(&state, id).await?))
}

/// Replaces a trunk's settings; `password: null` keeps the stored password.
#[utoipa::path(put, path = "/api/trunks/{id}", tag = "telephony", request_body = TrunkInput,
    params(("id" = i64, Path, description = "Trunk id")),
    responses(
        (status = 200, body = Trunk),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, description = "Another trunk has the name", body = ApiError),
        (status = 422, body = ApiError),
    ))]
pub async fn update(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<TrunkInput>,
) -> AppResult<Json<Trunk>> {
    let id = parse_id(&id, "trunk")?;
    let fields = trunks::validate(&input, state.config.default_region)?;
    let changed = trunks::update(&state.db, id, &fields)
        .await?
        .ok_or_else(|| not_found(id))?;
    if changed {
        tracing::info!(admin = %admin.login, trunk = %fields.name, id, "trunk changed");
        state.telephony.trunks_changed.notify_one();
    }
    Ok(Json(load(&state, id).await?))
}

/// Registers the trunk again at once (after fixing something at the
/// provider, or to skip a back-off). 202: the status goes `pending`, then
/// `registered` or `failed` as the provider answers.
#[utoipa::path(post, path = "/api/trunks/{id}/register", tag = "telephony",
    params(("id" = i64, Path, description = "Trunk id")),
    responses((status = 202, body = Trunk), (status = 401, body = ApiError),
        (status = 403, body = ApiError), (status = 404, body = ApiError),
        (status = 409, description = "The trunk is disabled or does not register", body = ApiError)))]
pub async fn register_now(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<String>,
) -> AppResult<(StatusCode, Json<Trunk>)> {
    let id = parse_id(&id, "trunk")?;
    let trunk = load(&state, id).await?;
    if !trunk.enabled || !trunk.register {
        let (field, why) = if trunk.enabled {
            ("register", "set not to register")
        } else {
            ("enabled", "disabled")
        };
        return Err(AppError::Conflict {
            field: field.into(),
            message: format!("trunk {id} is {why}: there is nothing to register"),
        });
    }
    tracing::info!(admin = %admin.login, id, "trunk registration asked for");
    let _ = state
        .telephony
        .inputs
        .send(crate::telephony::switch::Input::RegisterTrunk { trunk_id: id });
    Ok((StatusCode::ACCEPTED, Json(trunk)))
}

/// Deletes a trunk; its past calls stay in the log without it.
#[utoipa::path(delete, path = "/api/trunks/{id}", tag = "telephony",
    params(("id" = i64, Path, description = "Trunk id")),
    responses((status = 204, description = "Deleted"), (status = 401, body = ApiError),
        (status = 403, body = ApiError), (status = 404, body = ApiError)))]
pub async fn remove(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let id = parse_id(&id, "trunk")?;
    if !trunks::delete(&state.db, id).await? {
        return Err(not_found(id));
    }
    tracing::info!(admin = %admin.login, id, "trunk deleted");
    state.telephony.trunks.remove(id);
    state.telephony.trunks_changed.notify_one();
    Ok(StatusCode::NO_CONTENT)
}
