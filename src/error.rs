//! One error type for handlers: the real cause is logged once, the admin sees a clear page
//! without internals.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request itself is wrong; the message is safe to show.
    #[error("{message}")]
    BadRequest { status: StatusCode, message: String },
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("template error: {0}")]
    Template(#[from] askama::Error),
}

impl AppError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        AppError::BadRequest {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    pub fn status(status: StatusCode, message: impl Into<String>) -> Self {
        AppError::BadRequest {
            status,
            message: message.into(),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub status: StatusCode,
    pub message: &'a str,
}

/// An error page with `status` and a message meant for the admin.
pub fn error_page(status: StatusCode, message: &str) -> Response {
    let page = ErrorPage { status, message };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, message.to_owned()).into_response(),
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::BadRequest { status, message } => {
                tracing::info!(%status, %message, "request refused");
                error_page(status, &message)
            }
            other => {
                tracing::error!(error = %other, "request failed");
                error_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The server could not complete this request. Nothing was changed; the cause is in the server log.",
                )
            }
        }
    }
}
