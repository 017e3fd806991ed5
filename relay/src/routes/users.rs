//! `GET /api/users`: the user list, for administrators only.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use callcard_shared::api::{ApiError, UserSummary};

use crate::auth::AdminUser;
use crate::crm::users;
use crate::error::AppResult;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/users", get(list))
}

/// Every CRM user with their access group (administrators only).
#[utoipa::path(get, path = "/api/users", tag = "admin",
    responses((status = 200, body = [UserSummary]), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
pub async fn list(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> AppResult<Json<Vec<UserSummary>>> {
    Ok(Json(users::list(&state.db).await?))
}
