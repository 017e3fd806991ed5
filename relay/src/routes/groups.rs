//! `GET /api/groups`, `PUT /api/groups/{id}/masking`,
//! `PUT /api/groups/{id}/telephony` and `PUT /api/groups/{id}/recordings`:
//! access groups, how phone numbers are masked for their members, whether
//! their members get telephony users automatically, and whether they hear
//! every call or only their own (administrators only). The masking applies
//! to every response and event those members receive.

use axum::extract::{Path, State};
use axum::routing::{get, put};
use axum::{Json, Router};
use callcard_shared::api::{AccessGroup, ApiError, GroupRecordings, GroupTelephony};
use callcard_shared::masking::Masking;

use crate::auth::AdminUser;
use crate::error::{AppError, AppResult};
use crate::extract::ApiJson;
use crate::routes::parse_id;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/groups", get(list))
        .route("/groups/{id}/masking", put(set_masking))
        .route("/groups/{id}/telephony", put(set_telephony))
        .route("/groups/{id}/recordings", put(set_recordings))
}

async fn load(state: &AppState) -> AppResult<Vec<AccessGroup>> {
    let rows: Vec<(i64, String, bool, String, bool, bool)> = sqlx::query_as(
        "SELECT id, name, is_admin, masking, auto_telephony, hears_all_calls
           FROM access_groups ORDER BY id",
    )
    .fetch_all(&state.db)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, name, is_admin, masking, auto_telephony, hears_all_calls)| AccessGroup {
                id,
                name,
                is_admin,
                masking: serde_json::from_str(&masking).unwrap_or(Masking::Hidden),
                auto_telephony,
                hears_all_calls,
            },
        )
        .collect())
}

/// Group `id` as `GET /api/groups` lists it.
async fn one(state: &AppState, id: i64) -> AppResult<Json<AccessGroup>> {
    load(state)
        .await?
        .into_iter()
        .find(|g| g.id == id)
        .map(Json)
        .ok_or_else(|| AppError::NotFound(format!("no group {id}")))
}

/// Every access group with its masking.
#[utoipa::path(get, path = "/api/groups", tag = "users",
    responses((status = 200, body = [AccessGroup]), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub async fn list(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> AppResult<Json<Vec<AccessGroup>>> {
    Ok(Json(load(&state).await?))
}

/// Sets how numbers are shown to a group: `{"kind":"none"}`, `{"kind":"hidden"}`,
/// `{"kind":"mask_first","n":4}` or `{"kind":"show_last","n":2}`.
#[utoipa::path(put, path = "/api/groups/{id}/masking", tag = "users", request_body = Masking,
    params(("id" = i64, Path, description = "Access group id")),
    responses((status = 200, body = AccessGroup), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn set_masking(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<String>,
    ApiJson(masking): ApiJson<Masking>,
) -> AppResult<Json<AccessGroup>> {
    let id = parse_id(&id, "group")?;
    let json = serde_json::to_string(&masking).map_err(anyhow::Error::from)?;
    let updated = sqlx::query("UPDATE access_groups SET masking = $1 WHERE id = $2")
        .bind(json)
        .bind(id)
        .execute(&state.db)
        .await?
        .rows_affected();
    if updated == 0 {
        return Err(AppError::NotFound(format!("no group {id}")));
    }
    tracing::info!(admin = %admin.login, group = id, ?masking, "number masking changed");
    // Phones rung from now on show callers as the group now may see them.
    state.telephony.maskings.reload(&state.db).await?;
    one(&state, id).await
}

/// Whether every member of the group gets a telephony user automatically.
/// Switched on, the members without one get one now (the next free
/// extensions, generated passwords that are shown to nobody: browsers
/// register by their web session, `POST /api/sip-users/{id}/password` gives
/// one for a desk phone); users created in the group later get one too.
/// Switched off, existing telephony users stay.
#[utoipa::path(put, path = "/api/groups/{id}/telephony", tag = "users", request_body = GroupTelephony,
    params(("id" = i64, Path, description = "Access group id")),
    responses((status = 200, body = AccessGroup), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn set_telephony(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<GroupTelephony>,
) -> AppResult<Json<AccessGroup>> {
    let id = parse_id(&id, "group")?;
    let updated = sqlx::query("UPDATE access_groups SET auto_telephony = $1 WHERE id = $2")
        .bind(input.auto_telephony)
        .bind(id)
        .execute(&state.db)
        .await?
        .rows_affected();
    if updated == 0 {
        return Err(AppError::NotFound(format!("no group {id}")));
    }
    let created = if input.auto_telephony {
        crate::crm::sip_users::create_for_group(&state.db, id).await?
    } else {
        Vec::new()
    };
    // Open connections of these users load their new account.
    state.telephony.accounts_changed(&state.db, &created).await;
    tracing::info!(
        admin = %admin.login,
        group = id,
        auto_telephony = input.auto_telephony,
        created = created.len(),
        "automatic telephony users changed"
    );
    one(&state, id).await
}

/// Whether the group's members see every call in the log and hear every
/// recording (each play still goes to the audit log), or only their own.
#[utoipa::path(put, path = "/api/groups/{id}/recordings", tag = "users", request_body = GroupRecordings,
    params(("id" = i64, Path, description = "Access group id")),
    responses((status = 200, body = AccessGroup), (status = 401, body = ApiError), (status = 403, body = ApiError),
        (status = 404, body = ApiError), (status = 422, body = ApiError)))]
pub async fn set_recordings(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<GroupRecordings>,
) -> AppResult<Json<AccessGroup>> {
    let id = parse_id(&id, "group")?;
    let updated = sqlx::query("UPDATE access_groups SET hears_all_calls = $1 WHERE id = $2")
        .bind(input.hears_all_calls)
        .bind(id)
        .execute(&state.db)
        .await?
        .rows_affected();
    if updated == 0 {
        return Err(AppError::NotFound(format!("no group {id}")));
    }
    tracing::info!(
        admin = %admin.login,
        group = id,
        hears_all_calls = input.hears_all_calls,
        "who hears recordings changed"
    );
    one(&state, id).await
}
