//! The one error type of the HTTP API. 4xx variants carry a message the user can
//! act on (and the field at fault); 5xx variants wrap the cause, which is logged
//! while the client sees a generic message.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use callcard_shared::api::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{0}")]
    NotFound(String),
    /// A request field is missing or wrong.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The request clashes with what is stored (a name or extension taken).
    #[error("{field}: {message}")]
    Conflict { field: String, message: String },
    /// The body or query could not be read at all.
    #[error("{0}")]
    BadRequest(String),
    #[error("{message}")]
    TooManyRequests {
        message: String,
        retry_after_secs: u64,
    },
    /// Something the answer needs (a storage) cannot be reached now.
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl From<crate::crm::WriteError> for AppError {
    fn from(e: crate::crm::WriteError) -> Self {
        use crate::crm::WriteError;
        match e {
            WriteError::Invalid { field, message } => AppError::invalid(field, message),
            WriteError::Conflict { field, message } => AppError::Conflict {
                field: field.into(),
                message,
            },
            WriteError::Db(e) => e.into(),
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Internal(e.into())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, body) = match &self {
            AppError::Unauthorized(m) => (StatusCode::UNAUTHORIZED, error(m, None)),
            AppError::Forbidden(m) => (StatusCode::FORBIDDEN, error(m, None)),
            AppError::NotFound(m) => (StatusCode::NOT_FOUND, error(m, None)),
            AppError::Invalid { field, message } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                error(&format!("{field}: {message}"), Some(field)),
            ),
            AppError::Conflict { field, message } => (
                StatusCode::CONFLICT,
                error(&format!("{field}: {message}"), Some(field)),
            ),
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, error(m, None)),
            AppError::TooManyRequests { message, .. } => {
                (StatusCode::TOO_MANY_REQUESTS, error(message, None))
            }
            AppError::Unavailable(m) => (StatusCode::SERVICE_UNAVAILABLE, error(m, None)),
            AppError::Internal(cause) => {
                tracing::error!(error = %cause, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    error("internal error; the relay log has the details", None),
                )
            }
        };
        let mut response = (status, Json(body)).into_response();
        if let AppError::TooManyRequests {
            retry_after_secs, ..
        } = self
        {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(retry_after_secs),
            );
        }
        response
    }
}

fn error(message: &str, field: Option<&str>) -> ApiError {
    ApiError {
        error: message.to_string(),
        field: field.map(str::to_string),
    }
}

pub type AppResult<T> = Result<T, AppError>;
