//! The web application's error type and how each error becomes a response.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use thiserror::Error;

/// Something a request could not do.
#[derive(Debug, Error)]
pub enum WebError {
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] oretrail_store::StoreError),
    /// A web table query failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A web migration failed.
    #[error("database migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A page could not be rendered.
    #[error("template: {0}")]
    Template(#[from] askama::Error),
    /// JSON could not be read or written.
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Not signed in (or the API token is missing or invalid).
    #[error("sign-in required")]
    Unauthenticated,
    /// Signed in, but the role does not allow this.
    #[error("your role does not allow this")]
    Forbidden,
    /// The form's CSRF token is missing or wrong.
    #[error("the form has expired or did not come from this site; reload the page and try again")]
    Csrf,
    /// Nothing here.
    #[error("not found: {0}")]
    NotFound(String),
    /// An upload link that expired or was revoked.
    #[error("this link has expired or was revoked")]
    Gone,
    /// The request is malformed or refused.
    #[error("{0}")]
    BadRequest(String),
    /// The request body is over its size limit.
    #[error("{0}")]
    TooLarge(String),
    /// The client sent its request too slowly.
    #[error("{0}")]
    Timeout(String),
    /// Anything else (file system, background task).
    #[error("{0}")]
    Internal(String),
}

impl WebError {
    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::Unauthenticated => StatusCode::UNAUTHORIZED,
            WebError::Forbidden | WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::Gone => StatusCode::GONE,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::Timeout(_) => StatusCode::REQUEST_TIMEOUT,
            WebError::Store(oretrail_store::StoreError::NotFound { .. }) => StatusCode::NOT_FOUND,
            WebError::Store(oretrail_store::StoreError::Invalid(_)) => StatusCode::BAD_REQUEST,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message shown to the user (internal details are logged, not shown).
    pub fn public_message(&self) -> String {
        match self.status() {
            StatusCode::INTERNAL_SERVER_ERROR => {
                "internal error; the details are in the server log".into()
            }
            _ => self.to_string(),
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            eprintln!("oretrail-web: {self}");
        }
        if status == StatusCode::UNAUTHORIZED {
            // Pages send people to the sign-in form; the API answers 401 (see `api`).
            return axum::response::Redirect::to("/login").into_response();
        }
        if status == StatusCode::GONE {
            return crate::portal::gone();
        }
        let body = crate::pages::error_page(status, &self.public_message());
        (status, body).into_response()
    }
}

/// Result of web operations.
pub type Result<T, E = WebError> = std::result::Result<T, E>;
