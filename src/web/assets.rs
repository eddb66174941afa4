//! Static files compiled into the binary, so the server runs from any directory.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

const FILES: &[(&str, &str, &str)] = &[
    (
        "fmc.css",
        "text/css; charset=utf-8",
        include_str!("../../static/fmc.css"),
    ),
    (
        "fmc.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/fmc.js"),
    ),
];

pub async fn serve(Path(name): Path<String>) -> Response {
    match FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, mime, body)) => (
            [
                (header::CONTENT_TYPE, *mime),
                (header::CACHE_CONTROL, "public, max-age=300"),
            ],
            *body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such file").into_response(),
    }
}
