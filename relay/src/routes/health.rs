//! `GET /healthz`: the relay is up and its database answers.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use callcard_shared::api::Health;

use crate::state::AppState;

#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let db_ok = sqlx::query("SELECT 1").execute(&state.db).await.is_ok();
    let status = if db_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(Health {
            status: if db_ok { "ok" } else { "database unavailable" }.into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }),
    )
}
