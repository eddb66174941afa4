//! Static files compiled into the binary, so the server runs from any directory.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::locale;
use crate::locale::Lang;

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

pub async fn serve(Path(name): Path<String>, lang: Lang) -> Response {
    match FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, mime, body)) => (
            [
                (header::CONTENT_TYPE, *mime),
                (header::CACHE_CONTROL, "public, max-age=300"),
            ],
            *body,
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            locale::message(lang, "web-assets-no-such-file", &[]),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use axum::body::to_bytes;

    use super::*;

    async fn answer(name: &str, lang: Lang) -> (StatusCode, String) {
        let response = serve(Path(name.to_owned()), lang).await;
        let status = response.status();
        let body = to_bytes(response.into_body(), 1 << 20).await.unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn a_missing_file_is_said_in_the_requests_language() {
        assert_eq!(
            answer("nope.css", Lang::En).await,
            (StatusCode::NOT_FOUND, "no such file".to_owned())
        );
        let (status, zh) = answer("nope.css", Lang::ZhCn).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(
            zh,
            locale::message(Lang::ZhCn, "web-assets-no-such-file", &[])
        );
        assert_ne!(zh, "no such file");
        let (status, css) = answer("fmc.css", Lang::ZhCn).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!css.is_empty());
    }
}
