//! `GET /api/groups` and `PUT /api/groups/{id}/masking`: access groups and how
//! phone numbers are masked for their members (administrators only). The
//! masking applies to every response and event those members receive.

use axum::extract::{Path, State};
use axum::routing::{get, put};
use axum::{Json, Router};
use callcard_shared::api::{AccessGroup, ApiError};
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
}

async fn load(state: &AppState) -> AppResult<Vec<AccessGroup>> {
    let rows: Vec<(i64, String, bool, String)> =
        sqlx::query_as("SELECT id, name, is_admin, masking FROM access_groups ORDER BY id")
            .fetch_all(&state.db)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, is_admin, masking)| AccessGroup {
            id,
            name,
            is_admin,
            masking: serde_json::from_str(&masking).unwrap_or(Masking::Hidden),
        })
        .collect())
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
    load(&state)
        .await?
        .into_iter()
        .find(|g| g.id == id)
        .map(Json)
        .ok_or_else(|| AppError::NotFound(format!("no group {id}")))
}
