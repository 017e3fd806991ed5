//! Request extractors whose failures take the API's error shape and name the
//! field at fault, instead of axum's plain-text rejections.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// A JSON body. Malformed JSON → 400; a missing or mistyped field → 422 naming it.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !is_json {
            return Err(AppError::BadRequest(
                "expected a JSON body with Content-Type: application/json".into(),
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| AppError::BadRequest(format!("cannot read the body: {e}")))?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(de)
            .map(ApiJson)
            .map_err(|e| json_error(&e))
    }
}

fn json_error(e: &serde_path_to_error::Error<serde_json::Error>) -> AppError {
    let inner = e.inner();
    if inner.is_syntax() || inner.is_eof() {
        return AppError::BadRequest(format!("malformed JSON: {inner}"));
    }
    let field = field_name(&e.path().to_string(), &inner.to_string());
    AppError::invalid(field, strip_position(&inner.to_string()))
}

/// A query string. A bad value → 422 naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| {
                let message = e.inner().to_string();
                let field = field_name(&e.path().to_string(), &message);
                AppError::invalid(field, message)
            })
    }
}

/// The path serde_path_to_error tracked, or for a missing field the name serde
/// put in its message (the path then points at the parent, `.`).
fn field_name(path: &str, message: &str) -> String {
    if let Some(rest) = message.strip_prefix("missing field `") {
        if let Some(name) = rest.split('`').next() {
            return if path == "." {
                name.to_string()
            } else {
                format!("{path}.{name}")
            };
        }
    }
    path.to_string()
}

fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_fields_are_named() {
        assert_eq!(field_name(".", "missing field `password`"), "password");
        assert_eq!(field_name("limit", "invalid digit"), "limit");
    }
}
