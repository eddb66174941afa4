//! One error type for handlers: the real cause is logged once, the admin sees a clear page
//! without internals, in the language of the request.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::locale::{self, Text, Texts};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request itself is wrong; the message is safe to show.
    #[error("{message}")]
    BadRequest { status: StatusCode, message: Text },
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    /// One statement's error, answered to every request that shared it (src/signed_in.rs).
    #[error("database error: {0}")]
    SharedDb(#[from] std::sync::Arc<sqlx::Error>),
    #[error("template error: {0}")]
    Template(#[from] askama::Error),
}

impl AppError {
    pub fn bad_request(message: Text) -> Self {
        AppError::BadRequest {
            status: StatusCode::BAD_REQUEST,
            message,
        }
    }

    pub fn status(status: StatusCode, message: Text) -> Self {
        AppError::BadRequest { status, message }
    }

    /// A database error with a cause outside the program (another process holding the
    /// lock, a full disk, read-only storage), said as the save page says it: the admin can
    /// act on it, whichever page met it (a login during a lock, too). Served as 503.
    pub fn explained(&self) -> Option<Text> {
        match self {
            AppError::Db(e) => crate::db::explain(e),
            AppError::SharedDb(e) => crate::db::explain(e),
            _ => None,
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub t: &'static Texts,
    pub status: StatusCode,
    pub message: &'a str,
}

/// An error page with `status` and a message meant for the admin, in the request's language.
pub fn error_page(status: StatusCode, message: &Text) -> Response {
    let lang = locale::current();
    let message = message.get(lang);
    let page = ErrorPage {
        t: lang.texts(),
        status,
        message,
    };
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
                match other.explained() {
                    Some(why) => error_page(StatusCode::SERVICE_UNAVAILABLE, &why),
                    None => error_page(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        &crate::locale::text(
                            "server-error-the-server-could-not-complete-this",
                            &[],
                        ),
                    ),
                }
            }
        }
    }
}
