//! Signing in and out: `POST /api/login`, `POST /api/logout`, `GET /api/me`.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use callcard_shared::api::{ApiError, LoginRequest, Me};

use crate::auth::{
    create_session, expired_cookie, session_cookie, session_token, token_hash, verify_password,
    CurrentUser,
};
use crate::error::{AppError, AppResult};
use crate::extract::ApiJson;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/me", get(me))
}

/// The client's address as the socket saw it (0.0.0.0 when served without one).
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip())
                .unwrap_or(IpAddr::from([0, 0, 0, 0])),
        ))
    }
}

const WRONG_CREDENTIALS: &str = "wrong login or password";

/// Sign in; sets the session cookie.
#[utoipa::path(post, path = "/api/login", tag = "session", request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = Me),
        (status = 401, description = "Wrong login or password", body = ApiError),
        (status = 422, description = "A field is missing or empty", body = ApiError),
        (status = 429, description = "Too many failed attempts", body = ApiError),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<LoginRequest>,
) -> AppResult<Response> {
    let login = req.login.trim().to_string();
    if login.is_empty() {
        return Err(AppError::invalid("login", "must not be empty"));
    }
    if req.password.is_empty() {
        return Err(AppError::invalid("password", "must not be empty"));
    }
    state.limiter.check(ip, &login)?;

    let row: Option<(i64, String)> =
        sqlx::query_as("SELECT id, password_hash FROM users WHERE login = $1 AND NOT disabled")
            .bind(&login)
            .fetch_optional(&state.db)
            .await?;
    let password = req.password;
    let stored = row.as_ref().map(|(_, hash)| hash.clone());
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, stored.as_deref()))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let Some((user_id, _)) = row.filter(|_| ok) else {
        let delay = state.limiter.failed(ip, &login);
        tracing::warn!(%ip, login = %login, "failed sign-in");
        tokio::time::sleep(delay).await;
        return Err(AppError::Unauthorized(WRONG_CREDENTIALS));
    };
    state.limiter.succeeded(ip, &login);

    let token = create_session(&state, user_id).await?;
    let me = load_me(&state, user_id).await?;
    tracing::info!(user = %me.login, %ip, "signed in");
    Ok((
        [(
            SET_COOKIE,
            session_cookie(&token, state.config.secure_cookies),
        )],
        Json(me),
    )
        .into_response())
}

/// The signed-in user as the login answer shows them.
async fn load_me(state: &AppState, id: i64) -> AppResult<Me> {
    let (id, login, display_name, group, is_admin): (i64, String, String, String, bool) =
        sqlx::query_as(
            "SELECT u.id, u.login, u.display_name, g.name, g.is_admin
               FROM users u JOIN access_groups g ON g.id = u.group_id WHERE u.id = $1",
        )
        .bind(id)
        .fetch_one(&state.db)
        .await?;
    Ok(Me {
        id,
        login,
        display_name,
        group,
        is_admin,
    })
}

/// Sign out: the session is deleted on the server and the cookie cleared.
#[utoipa::path(post, path = "/api/logout", tag = "session",
    responses((status = 204, description = "Signed out"), (status = 401, body = ApiError)))]
pub async fn logout(
    State(state): State<AppState>,
    _user: CurrentUser,
    headers: axum::http::HeaderMap,
) -> AppResult<Response> {
    if let Some(token) = session_token(&headers) {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash(&token))
            .execute(&state.db)
            .await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(SET_COOKIE, expired_cookie(state.config.secure_cookies))],
    )
        .into_response())
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/me", tag = "session",
    responses((status = 200, body = Me), (status = 401, body = ApiError)))]
pub async fn me(user: CurrentUser) -> Json<Me> {
    Json(user.me())
}
