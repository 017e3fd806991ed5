//! The REST API under `/api`, one module per resource, each with its `router()`.

pub mod contacts;
pub mod health;
pub mod session;
pub mod users;

use axum::Router;

use crate::error::AppError;
use crate::state::AppState;

pub fn api_router() -> Router<AppState> {
    Router::new()
        .merge(session::router())
        .merge(contacts::router())
        .merge(users::router())
        .merge(crate::openapi::router())
        .fallback(|| async { AppError::NotFound("no such API route".into()) })
}
