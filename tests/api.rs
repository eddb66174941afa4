//! The JSON API: same rules as the form, authentication, and its OpenAPI document.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::app::{TestApp, encode};

/// A token made on the API Tokens page, as an admin would.
async fn make_token(app: &TestApp, name: &str) -> String {
    let body = encode(&[
        ("name".into(), name.into()),
        ("csrf_token".into(), app.csrf().await),
    ]);
    let r = app
        .post_raw(
            "/system/api-tokens",
            "application/x-www-form-urlencoded",
            body.into_bytes(),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    let start = html.find("fmct_").expect("token shown once");
    html[start..start + 69].to_owned()
}

fn bearer(app: &TestApp, method: Method, path: &str, token: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .request(method, app.url(path))
        .bearer_auth(token)
}

fn good(revision: i64) -> Value {
    json!({"enabled": true, "host": "10.10.10.1", "port": 80, "use_auth": true, "username": "proxyuser",
           "password": "p@ss:w0rd!#%&", "revision": revision})
}

#[tokio::test]
async fn api_routes_answer_401_json_without_credentials() {
    let app = TestApp::spawn_anonymous().await;
    for (method, path) in [
        (Method::GET, "/api/v1/proxy"),
        (Method::PUT, "/api/v1/proxy"),
        (Method::GET, "/api/v1/proxy/revisions"),
        (Method::GET, "/api/v1/openapi.json"),
    ] {
        let r = app
            .client
            .request(method.clone(), app.url(path))
            .json(&good(0))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
        let body: Value = r.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().contains("log in"));
    }
    let r = bearer(&app, Method::GET, "/api/v1/proxy", "fmct_forged")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_token_reads_and_writes_with_the_forms_rules_and_is_revocable() {
    let app = TestApp::spawn().await;
    let token = make_token(&app, "ansible").await;

    let r = bearer(&app, Method::PUT, "/api/v1/proxy", &token)
        .json(&good(0))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let saved: Value = r.json().await.unwrap();
    assert_eq!(saved["revision"], 1);
    assert_eq!(saved["password_set"], true);
    assert_eq!(saved["updated_by"], "api:ansible");
    assert!(saved.get("password").is_none());
    assert_eq!(
        app.conf().unwrap(),
        "iprep_proxy {\n    PROXY_HOST 10.10.10.1;\n    PROXY_PORT 80;\n}\n"
    );

    let got: Value = bearer(&app, Method::GET, "/api/v1/proxy", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got, saved);
    assert!(!got.to_string().contains("p@ss"));

    let bad = json!({"enabled": true, "host": "http://proxy:3128", "port": 70000, "use_auth": true, "username": "a:b", "revision": 1});
    let r = bearer(&app, Method::PUT, "/api/v1/proxy", &token)
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["fields"]["host"],
        "Enter the host only; the port goes in Port."
    );
    assert_eq!(body["fields"]["port"], "The port must be from 1 to 65535.");
    assert!(body["fields"]["username"].as_str().unwrap().contains("':'"));
    assert!(
        body["fields"].get("password").is_none(),
        "the stored password still counts"
    );

    let r = bearer(&app, Method::PUT, "/api/v1/proxy", &token)
        .json(&good(0))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["current"]["revision"], 1);
    assert_eq!(app.revision_count().await, 1);

    let revisions: Value = bearer(&app, Method::GET, "/api/v1/proxy/revisions", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(revisions[0]["revision"], 1);
    assert!(revisions.to_string().contains("****") && !revisions.to_string().contains("p@ss"));

    let pool = app.db().await;
    let (hash,): (String,) = sqlx::query_as("SELECT token_hash FROM api_tokens")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(!hash.contains(&token[5..]), "only the hash is stored");
    let body = encode(&[
        ("id".into(), "1".into()),
        ("csrf_token".into(), app.csrf().await),
    ]);
    app.post_raw(
        "/system/api-tokens/revoke",
        "application/x-www-form-urlencoded",
        body.into_bytes(),
    )
    .await;
    let r = bearer(&app, Method::GET, "/api/v1/proxy", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "revoked");
}

#[tokio::test]
async fn malformed_json_gets_a_precise_400_and_saves_nothing() {
    let app = TestApp::spawn().await;
    let token = make_token(&app, "t").await;
    let cases = [
        (
            r#"{"enabled": true, "host": "p", "port": "80", "revision": 0}"#,
            "invalid type: string",
        ),
        (
            r#"{"enabled": true, "hostname": "p", "revision": 0}"#,
            "unknown field `hostname`",
        ),
        (r#"{"enabled": true, "host": "p""#, "EOF"),
        (r#"{"host": "p", "revision": 0}"#, "missing field `enabled`"),
    ];
    for (body, message) in cases {
        let r = bearer(&app, Method::PUT, "/api/v1/proxy", &token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{body}");
        let err: Value = r.json().await.unwrap();
        assert!(
            err["error"].as_str().unwrap().contains(message),
            "{err} lacks {message}"
        );
    }
    let r = bearer(&app, Method::PUT, "/api/v1/proxy", &token)
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(app.revision_count().await, 0);
}

#[tokio::test]
async fn a_session_writes_only_with_the_csrf_header_and_its_own_origin() {
    let app = TestApp::spawn().await;
    let csrf = app.csrf().await;
    let origin = format!("http://{}", app.addr);
    let put = || app.client.put(app.url("/api/v1/proxy")).json(&good(0));
    assert_eq!(
        put()
            .header("origin", &origin)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN,
        "no CSRF header"
    );
    assert_eq!(
        put()
            .header("x-csrf-token", &csrf)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN,
        "no Origin"
    );
    let cross = put()
        .header("x-csrf-token", &csrf)
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), StatusCode::FORBIDDEN, "cross-origin");
    assert_eq!(app.revision_count().await, 0);
    let ok = put()
        .header("x-csrf-token", &csrf)
        .header("origin", &origin)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let r = app
        .client
        .get(app.url("/api/v1/proxy"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "reads need only the session");
}

#[tokio::test]
async fn every_documented_route_exists_and_answers_as_documented() {
    let app = TestApp::spawn().await;
    let token = make_token(&app, "doc").await;
    let doc: Value = bearer(&app, Method::GET, "/api/v1/openapi.json", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().expect("paths");
    let mut seen = Vec::new();
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let documented: Vec<u16> = op["responses"]
                .as_object()
                .unwrap()
                .keys()
                .map(|k| k.parse().unwrap())
                .collect();
            let method: Method = method.to_uppercase().parse().unwrap();
            let current: Value = bearer(&app, Method::GET, "/api/v1/proxy", &token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let mut req = bearer(&app, method.clone(), path, &token);
            if method == Method::PUT {
                req = req.json(&good(current["revision"].as_i64().unwrap()));
            }
            let status = req.send().await.unwrap().status().as_u16();
            assert!(
                documented.contains(&status),
                "{method} {path} answered {status}, documents {documented:?}"
            );
            assert!(
                status < 300,
                "{method} {path} should succeed with good input, got {status}"
            );
            // And the unauthenticated answer is documented too.
            let anon = reqwest::Client::new()
                .request(method.clone(), app.url(path))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
            assert!(
                documented.contains(&anon),
                "{method} {path} unauthenticated {anon} undocumented"
            );
            seen.push(format!("{method} {path}"));
        }
    }
    for route in [
        "GET /api/v1/proxy",
        "PUT /api/v1/proxy",
        "GET /api/v1/proxy/revisions",
        "GET /api/v1/openapi.json",
    ] {
        assert!(
            seen.contains(&route.to_owned()),
            "{route} undocumented; documented: {seen:?}"
        );
    }
    assert!(doc["components"]["schemas"]["ProxyView"]["properties"]["password_set"].is_object());
}
