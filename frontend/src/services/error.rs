//! How a failed API call is told apart and put into words. `classify` is pure
//! so the mapping from status and body to a message is tested natively.

use callcard_shared::api::ApiError;

use crate::i18n::{t, tr};

#[derive(Debug, Clone, PartialEq)]
pub enum ApiFailure {
    /// HTTP 401. From `POST /api/login` it means wrong credentials (the body
    /// says which); from anything else it means the session has ended.
    Unauthorized(Option<ApiError>),
    /// 404 with the server's explanation.
    NotFound(ApiError),
    /// Any other 4xx: the user can act on `error.error` (and `error.field`).
    Rejected { status: u16, error: ApiError },
    /// 5xx, or a 4xx without our JSON body (e.g. from a proxy).
    Server { status: u16 },
    /// The request never got an answer.
    Network(String),
    /// A 2xx whose body was not what the API promises.
    Decode(String),
}

impl ApiFailure {
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, ApiFailure::Unauthorized(_))
    }

    /// The request field the server blamed, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            ApiFailure::Rejected { error, .. } => error.field.as_deref(),
            _ => None,
        }
    }

    /// One sentence for the user.
    pub fn message(&self) -> String {
        match self {
            ApiFailure::Unauthorized(Some(e)) => e.error.clone(),
            ApiFailure::Unauthorized(None) => t("error-sign-in"),
            ApiFailure::NotFound(e) | ApiFailure::Rejected { error: e, .. } => e.error.clone(),
            ApiFailure::Server { status } => {
                tr("error-server", &[("status", status.to_string().into())])
            }
            ApiFailure::Network(_) => t("error-network"),
            ApiFailure::Decode(_) => t("error-decode"),
        }
    }
}

/// Maps a finished HTTP exchange to `Ok(())` for 2xx or the failure it means.
pub fn classify(status: u16, body: &str) -> Result<(), ApiFailure> {
    if (200..300).contains(&status) {
        return Ok(());
    }
    let error: Option<ApiError> = serde_json::from_str(body)
        .ok()
        .filter(|e: &ApiError| !e.error.trim().is_empty());
    Err(match (status, error) {
        (401, error) => ApiFailure::Unauthorized(error),
        (404, Some(error)) => ApiFailure::NotFound(error),
        (404, None) => ApiFailure::NotFound(ApiError {
            error: t("error-not-found"),
            field: None,
        }),
        (400..=499, Some(error)) => ApiFailure::Rejected { status, error },
        (status, _) => ApiFailure::Server { status },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_statuses_pass() {
        assert_eq!(classify(200, "{}"), Ok(()));
        assert_eq!(classify(201, ""), Ok(()));
        assert_eq!(classify(204, ""), Ok(()));
    }

    #[test]
    fn wrong_password_keeps_the_server_text() {
        let failure = classify(401, r#"{"error":"Wrong login or password"}"#).unwrap_err();
        assert!(failure.is_unauthorized());
        assert_eq!(failure.message(), "Wrong login or password");
    }

    #[test]
    fn a_bare_401_still_means_signed_out() {
        let failure = classify(401, "").unwrap_err();
        assert_eq!(failure, ApiFailure::Unauthorized(None));
    }

    #[test]
    fn too_many_attempts_and_validation_show_the_server_text() {
        let failure = classify(429, r#"{"error":"Too many attempts, wait a minute"}"#).unwrap_err();
        assert_eq!(failure.message(), "Too many attempts, wait a minute");
        assert!(!failure.is_unauthorized());

        let failure = classify(422, r#"{"error":"The note is empty","field":"body"}"#).unwrap_err();
        assert_eq!(failure.field(), Some("body"));
        assert_eq!(failure.message(), "The note is empty");
    }

    #[test]
    fn not_found_with_and_without_body() {
        let failure = classify(404, r#"{"error":"No contact 9"}"#).unwrap_err();
        assert_eq!(failure.message(), "No contact 9");
        assert!(matches!(
            classify(404, "<html>").unwrap_err(),
            ApiFailure::NotFound(_)
        ));
    }

    #[test]
    fn proxy_pages_and_5xx_become_a_generic_server_error() {
        assert_eq!(
            classify(502, "<html>Bad gateway</html>").unwrap_err(),
            ApiFailure::Server { status: 502 }
        );
        assert_eq!(
            classify(400, "not json").unwrap_err(),
            ApiFailure::Server { status: 400 }
        );
        assert!(classify(500, r#"{"error":"internal"}"#)
            .unwrap_err()
            .message()
            .contains("HTTP 500"));
    }
}
