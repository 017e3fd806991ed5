//! `GET /api/audit` (administrators): the audit log, newest first — every
//! play and download of a call's recording, by whom and when.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use callcard_shared::api::{ApiError, AuditPage};
use serde::Deserialize;

use crate::auth::AdminUser;
use crate::crm::audit;
use crate::error::{AppError, AppResult};
use crate::extract::ApiQuery;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/audit", get(list))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// At most this many lines (1–500, default 100).
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

#[utoipa::path(get, path = "/api/audit", tag = "audit", params(AuditQuery),
    responses(
        (status = 200, body = AuditPage),
        (status = 401, body = ApiError),
        (status = 403, description = "Not an administrator", body = ApiError),
        (status = 422, description = "A bad `limit`", body = ApiError),
    ))]
pub async fn list(
    State(state): State<AppState>,
    _admin: AdminUser,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> AppResult<Json<AuditPage>> {
    let limit = query.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(AppError::Invalid {
            field: "limit".into(),
            message: "between 1 and 500".into(),
        });
    }
    Ok(Json(
        audit::page(&state.db, limit, query.offset.unwrap_or(0)).await?,
    ))
}
