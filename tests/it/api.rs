//! The JSON API: same rules as the form, authentication, and its OpenAPI document.

use crate::support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::app::{TestApp, encode};
use support::fake_proxy::{FakeProxy, Script};
use support::squid::free_port;
use support::tls_target::{CertKind, TlsTarget};

/// A token made on the API Tokens page, as an admin would.
pub(crate) async fn make_token(app: &TestApp, name: &str) -> String {
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

pub(crate) fn bearer(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .request(method, app.url(path))
        .bearer_auth(token)
}

fn good(revision: i64) -> Value {
    json!({"enabled": true, "host": "10.10.10.1", "port": 80, "use_auth": true, "username": "proxyuser",
           "password": "p@ss:w0rd!#%&", "revision": revision})
}

/// Settings whose proxy is a closed port on loopback: a test of them ends at once, here.
fn loopback(revision: i64) -> Value {
    json!({"enabled": true, "host": "127.0.0.1", "port": free_port(), "use_auth": true,
           "username": "proxyuser", "password": "p@ss:w0rd!#%&", "revision": revision})
}

/// An app whose probes reach only a closed port on loopback, and give up quickly.
async fn spawn_probing_nowhere() -> TestApp {
    let target = format!("127.0.0.1:{}", free_port());
    TestApp::spawn_with(&[
        "--probe-target",
        &target,
        "--probe-connect-timeout",
        "2",
        "--probe-read-timeout",
        "2",
        "--probe-max-time",
        "4",
    ])
    .await
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
        assert_eq!(
            r.headers()["www-authenticate"],
            r#"Bearer realm="fmc-mgmt""#,
            "{method} {path}: the 401 names the scheme to use"
        );
        let body: Value = r.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().contains("log in"));
    }
    let r = bearer(&app, Method::GET, "/api/v1/proxy", "fmct_forged")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.headers()["www-authenticate"],
        r#"Bearer realm="fmc-mgmt", error="invalid_token""#
    );
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
    // Every route is called, the probe too: it may only reach loopback.
    let app = spawn_probing_nowhere().await;
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
                req = req.json(&loopback(current["revision"].as_i64().unwrap()));
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
        "POST /api/v1/proxy/test",
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

#[tokio::test]
async fn what_get_answers_puts_back_unchanged_and_makes_no_revision() {
    let app = TestApp::spawn().await;
    let token = make_token(&app, "roundtrip").await;
    let get = || async {
        bearer(&app, Method::GET, "/api/v1/proxy", &token)
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    let put = |body: Value| bearer(&app, Method::PUT, "/api/v1/proxy", &token).json(&body);

    // Nothing saved yet: GET has nulls, and sending it back saves nothing.
    let empty = get().await;
    assert!(empty["host"].is_null() && empty["username"].is_null());
    let r = put(empty.clone()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap(), empty);
    assert_eq!(app.revision_count().await, 0);

    let saved: Value = put(good(0)).send().await.unwrap().json().await.unwrap();
    let audit_rows = || async {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log")
            .fetch_one(&app.db().await)
            .await
            .unwrap();
        n
    };
    let audited = audit_rows().await;
    let current = get().await;
    assert_eq!(current, saved);
    for _ in 0..2 {
        let r = put(current.clone()).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "GET's answer is a valid PUT");
        assert_eq!(r.json::<Value>().await.unwrap(), current, "nothing changed");
    }
    assert_eq!(
        app.revision_count().await,
        1,
        "a PUT that changes nothing saves nothing"
    );
    assert_eq!(audit_rows().await, audited, "nor audits a save");

    // The same object with one change is a save; the stored password is kept (the proxy
    // and user name are the ones it was saved with).
    let mut changed = current.clone();
    changed["enabled"] = json!(false);
    let r = put(changed).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        (body["revision"].as_i64(), body["enabled"].as_bool()),
        (Some(2), Some(false))
    );
    assert_eq!(body["password_set"], true);
}

#[tokio::test]
async fn a_whole_port_written_as_a_float_is_that_port_and_zero_is_refused() {
    let app = TestApp::spawn().await;
    let token = make_token(&app, "port").await;
    let mut body = good(0);
    body["port"] = json!(3128.0);
    let r = bearer(&app, Method::PUT, "/api/v1/proxy", &token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "JSON Schema's integer includes 3128.0"
    );
    assert_eq!(r.json::<Value>().await.unwrap()["port"], 3128);
    for (port, message) in [
        (json!(0), "The port must be from 1 to 65535."),
        (
            json!(3128.5),
            "The port must be a whole number from 1 to 65535.",
        ),
        (
            json!(-1),
            "The port must be a whole number from 1 to 65535.",
        ),
    ] {
        body["port"] = port.clone();
        body["revision"] = json!(1);
        let r = bearer(&app, Method::PUT, "/api/v1/proxy", &token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{port}");
        assert_eq!(r.json::<Value>().await.unwrap()["fields"]["port"], message);
    }
    assert_eq!(app.revision_count().await, 1);
}

#[tokio::test]
async fn unknown_paths_methods_and_oversized_bodies_under_api_answer_json() {
    let app = TestApp::spawn().await;
    let token = make_token(&app, "errors").await;
    let is_json_error = |r: &reqwest::Response| {
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    };

    for path in ["/api/v1/nothing", "/api/v2/proxy", "/api"] {
        let r = bearer(&app, Method::GET, path, &token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(is_json_error(&r), "{path}");
        assert!(r.json::<Value>().await.unwrap()["error"].is_string());
    }
    let page = app
        .client
        .get(app.url("/no-such-page"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert!(!is_json_error(&page), "pages keep the HTML error page");

    for (method, path, allow) in [
        (Method::DELETE, "/api/v1/proxy", "GET,HEAD,PUT"),
        (Method::POST, "/api/v1/proxy", "GET,HEAD,PUT"),
        (Method::GET, "/api/v1/proxy/test", "POST"),
        (Method::PATCH, "/api/v1/proxy/revisions", "GET,HEAD"),
    ] {
        let r = bearer(&app, method.clone(), path, &token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert!(is_json_error(&r), "{method} {path}");
        let listed = r.headers()["allow"].to_str().unwrap().replace(' ', "");
        let mut listed: Vec<&str> = listed.split(',').collect();
        listed.sort_unstable();
        assert_eq!(listed.join(","), allow, "{method} {path}");
    }

    let huge = format!(
        r#"{{"enabled": false, "host": "{}", "revision": 0}}"#,
        "a".repeat(70_000)
    );
    for path in ["/api/v1/proxy", "/api/v1/proxy/test"] {
        let method = if path.ends_with("test") {
            Method::POST
        } else {
            Method::PUT
        };
        let r = bearer(&app, method, path, &token)
            .header("content-type", "application/json")
            .body(huge.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        assert!(is_json_error(&r), "{path}");
    }
    assert_eq!(app.revision_count().await, 0);
}

#[tokio::test]
async fn the_test_endpoint_takes_json_or_no_body_and_refuses_null() {
    let app = spawn_probing_nowhere().await;
    let token = make_token(&app, "test").await;
    let saved: Value = bearer(&app, Method::PUT, "/api/v1/proxy", &token)
        .json(&loopback(0))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let test = || bearer(&app, Method::POST, "/api/v1/proxy/test", &token);

    let json_body = json!({"host": "127.0.0.1", "port": free_port()}).to_string();
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/jsonx",
    ] {
        let r = test()
            .header("content-type", content_type)
            .body(json_body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type}"
        );
        assert!(r.json::<Value>().await.unwrap()["error"].is_string());
    }
    let r = test().body(json_body.clone()).send().await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "no content type"
    );

    let r = test()
        .header("content-type", "application/json; charset=utf-8")
        .body(json_body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["diagnosis"]["code"], "proxy_unreachable");

    // No body, with or without a content type: the saved settings.
    for content_type in [None, Some("text/plain"), Some("application/json")] {
        let mut req = test();
        if let Some(t) = content_type {
            req = req.header("content-type", t);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{content_type:?}");
        let report: Value = r.json().await.unwrap();
        assert_eq!(
            report["reports"][0]["proxy"]["port"], saved["port"],
            "{content_type:?}"
        );
    }

    // The document says a body is a ProxyTest object; `null` is not one.
    let doc: Value = bearer(&app, Method::GET, "/api/v1/openapi.json", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let body = &doc["paths"]["/api/v1/proxy/test"]["post"]["requestBody"];
    assert_eq!(body["required"], false, "no body is allowed");
    assert_eq!(
        body["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ProxyTest"
    );
    assert_eq!(doc["components"]["schemas"]["ProxyTest"]["type"], "object");
    let r = test()
        .header("content-type", "application/json")
        .body("null")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(
        r.json::<Value>().await.unwrap()["error"]
            .as_str()
            .unwrap()
            .contains("null")
    );
}

#[tokio::test]
async fn a_test_refused_as_busy_says_when_to_retry() {
    let silent = FakeProxy::start(Script::Silent);
    let app = spawn_probing_nowhere().await;
    let token = make_token(&app, "busy").await;
    let body = json!({"host": "127.0.0.1", "port": silent.port()});
    let first = bearer(&app, Method::POST, "/api/v1/proxy/test", &token)
        .json(&body)
        .send();
    let second = async {
        // The first test holds the caller's turn until the silent proxy times out.
        while silent
            .seen
            .connections
            .load(std::sync::atomic::Ordering::SeqCst)
            == 0
        {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        bearer(&app, Method::POST, "/api/v1/proxy/test", &token)
            .json(&body)
            .send()
            .await
            .unwrap()
    };
    let (first, second) = tokio::join!(first, second);
    assert_eq!(first.unwrap().status(), StatusCode::OK);
    assert_eq!(second.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        second.headers()["retry-after"],
        "4",
        "the probe's time limit"
    );
    assert!(second.json::<Value>().await.unwrap()["error"].is_string());
}

#[tokio::test]
async fn the_document_states_limits_patterns_statuses_and_the_bearer_scheme() {
    let app = TestApp::spawn().await;
    let token = make_token(&app, "doc").await;
    let doc: Value = bearer(&app, Method::GET, "/api/v1/openapi.json", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let schemas = &doc["components"]["schemas"];
    for schema in ["ProxyPut", "ProxyTest", "ProxyView"] {
        let props = &schemas[schema]["properties"];
        let port = &props["port"];
        assert!(
            port["type"] == "integer" || port["type"] == json!(["integer", "null"]),
            "{schema}.port is an integer: {port}"
        );
        assert_eq!(
            (port["minimum"].as_i64(), port["maximum"].as_i64()),
            (Some(1), Some(65535)),
            "{schema}"
        );
        let host = &props["host"];
        assert_eq!(host["maxLength"], 64, "{schema}");
        let pattern = host["pattern"].as_str().unwrap_or_default();
        assert!(
            pattern.starts_with('^') && pattern.ends_with('$'),
            "{schema}: {host}"
        );
        assert_eq!(props["username"]["maxLength"], 64, "{schema}");
    }
    for schema in ["ProxyPut", "ProxyTest"] {
        assert_eq!(schemas[schema]["additionalProperties"], false, "{schema}");
        assert_eq!(
            schemas[schema]["properties"]["password"]["maxLength"], 128,
            "{schema}"
        );
        assert!(
            schemas[schema]["anyOf"].is_array(),
            "{schema}: the rules that join fields"
        );
    }
    for read_only in ["password_set", "updated_at", "updated_by"] {
        assert!(
            schemas["ProxyPut"]["properties"][read_only].is_object(),
            "PUT takes GET's {read_only}"
        );
    }

    let bearer_scheme = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(
        (
            bearer_scheme["type"].as_str(),
            bearer_scheme["scheme"].as_str()
        ),
        (Some("http"), Some("bearer"))
    );
    assert!(
        doc["security"]
            .as_array()
            .unwrap()
            .contains(&json!({"bearer": []}))
    );

    let op = |path: &str, method: &str| doc["paths"][path][method]["responses"].clone();
    let statuses = |responses: &Value| -> Vec<String> {
        let mut list: Vec<String> = responses.as_object().unwrap().keys().cloned().collect();
        list.sort();
        list
    };
    for (path, method, expected) in [
        ("/api/v1/proxy", "get", &["200", "401", "421", "500"][..]),
        (
            "/api/v1/proxy",
            "put",
            &[
                "200", "400", "401", "403", "409", "413", "415", "421", "422", "429", "500",
            ],
        ),
        (
            "/api/v1/proxy/test",
            "post",
            &[
                "200", "400", "401", "403", "413", "415", "421", "422", "429", "500",
            ],
        ),
        (
            "/api/v1/proxy/revisions",
            "get",
            &["200", "401", "421", "500"],
        ),
        ("/api/v1/openapi.json", "get", &["200", "401", "421", "500"]),
    ] {
        let responses = op(path, method);
        assert_eq!(statuses(&responses), expected, "{method} {path}");
        assert!(
            responses["401"]["headers"]["WWW-Authenticate"].is_object(),
            "{method} {path}"
        );
    }
    let test = op("/api/v1/proxy/test", "post");
    assert!(test["429"]["headers"]["Retry-After"].is_object());
    assert!(
        test["422"]["description"]
            .as_str()
            .unwrap()
            .contains("fields.password")
    );
    assert_eq!(
        test["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/TestResult"
    );
    assert_eq!(
        schemas["TestResult"]["required"],
        json!(["ok", "diagnosis", "reports"])
    );
    assert_eq!(
        schemas["TestResult"]["properties"]["reports"]["items"]["$ref"],
        "#/components/schemas/Report"
    );
    for schema in ["ProxyPut", "ProxyTest"] {
        let targets = &schemas[schema]["properties"]["targets"];
        assert_eq!(
            targets["items"]["pattern"],
            fmc_mgmt::web::api_doc::target_line_pattern(),
            "{schema}"
        );
    }
    let report = &schemas["Report"];
    for field in [
        "ok",
        "diagnosis",
        "proxy",
        "target",
        "stages",
        "total_ms",
        "curl",
    ] {
        assert!(
            report["required"]
                .as_array()
                .unwrap()
                .contains(&json!(field)),
            "{field}"
        );
    }
    assert!(
        schemas["DiagnosisCode"]["enum"]
            .as_array()
            .unwrap()
            .contains(&json!("proxy_unreachable"))
    );
}

/// The current revision, as GET answers it.
async fn current_revision(app: &TestApp, token: &str) -> i64 {
    let current: Value = bearer(app, Method::GET, "/api/v1/proxy", token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    current["revision"].as_i64().unwrap()
}

#[tokio::test]
async fn put_with_test_first_saves_only_what_passes_and_answers_422_with_the_report() {
    let app = spawn_probing_nowhere().await;
    let token = make_token(&app, "test-first").await;
    let put = |query: &'static str, body: Value| {
        bearer(&app, Method::PUT, &format!("/api/v1/proxy{query}"), &token)
            .json(&body)
            .send()
    };
    // The proxy is a closed port on loopback: the test fails, nothing is saved.
    let r = put("?test_first=true", loopback(0)).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["report"]["ok"], false, "{body}");
    let code = body["report"]["diagnosis"]["code"].as_str().unwrap();
    assert!(body["error"].as_str().unwrap().contains(code), "{body}");
    assert!(body.get("fields").is_none(), "{body}");
    assert!(
        !body.to_string().contains("p@ss"),
        "the password never comes back"
    );
    assert_eq!(current_revision(&app, &token).await, 0, "nothing saved");
    assert!(app.conf().is_none());

    // A malformed flag is a 400, untested and unsaved.
    let r = put("?test_first=maybe", loopback(0)).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.json::<Value>().await.unwrap()["error"].is_string());

    // Without the flag (or with false) the save is as always: untested.
    let r = put("?test_first=false", loopback(0)).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(current_revision(&app, &token).await, 1);
    let probes = app.audit_log().await;
    assert_eq!(probes.iter().filter(|(a, _, _)| a == "probe").count(), 1);
}

#[tokio::test]
async fn put_with_test_first_through_a_working_proxy_saves() {
    let target = TlsTarget::start(CertKind::Good);
    let proxy = FakeProxy::start(Script::Tunnel {
        head: "HTTP/1.1 200 Connection established\r\n\r\n".into(),
        to: target.addr,
    });
    let app = TestApp::spawn_probing(&target).await;
    let token = make_token(&app, "test-first").await;
    let body = json!({"enabled": true, "host": "127.0.0.1", "port": proxy.port(), "revision": 0});
    let r = bearer(&app, Method::PUT, "/api/v1/proxy?test_first=true", &token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["revision"], 1);
    assert_eq!(target.requests(), 1, "tested before saving");
}

#[tokio::test]
async fn the_document_states_test_first_and_its_422() {
    let app = TestApp::spawn().await;
    let token = make_token(&app, "doc").await;
    let doc: Value = bearer(&app, Method::GET, "/api/v1/openapi.json", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let put = &doc["paths"]["/api/v1/proxy"]["put"];
    let params = put["parameters"].as_array().expect("parameters");
    let test_first = params
        .iter()
        .find(|p| p["name"] == "test_first")
        .expect("test_first documented");
    assert_eq!(test_first["in"], "query");
    assert_eq!(test_first["required"], false);
    let schema = &put["responses"]["422"]["content"]["application/json"]["schema"];
    assert_eq!(
        schema["anyOf"],
        json!([{"$ref": "#/components/schemas/ApiError"}, {"$ref": "#/components/schemas/TestFailed"}])
    );
    let failed = &doc["components"]["schemas"]["TestFailed"];
    assert_eq!(
        failed["required"],
        json!(["error", "report", "reports"]),
        "{failed}"
    );
    assert!(put["responses"]["429"]["headers"]["Retry-After"].is_object());
}

/// The test history as the API lists it.
async fn test_history(app: &TestApp, token: &str) -> Vec<Value> {
    let r = bearer(app, Method::GET, "/api/v1/proxy/tests", token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json::<Value>().await.unwrap().as_array().unwrap().clone()
}

/// Every byte of the database, its write-ahead log included.
fn database_bytes(app: &TestApp) -> Vec<u8> {
    let mut bytes = Vec::new();
    for name in ["fmc.db", "fmc.db-wal"] {
        if let Ok(b) = std::fs::read(app.data_dir().join(name)) {
            bytes.extend(b);
        }
    }
    bytes
}

#[tokio::test]
async fn tests_from_the_page_and_the_api_are_listed_newest_first_without_the_password() {
    const PLANTED: &str = "planted-Secret-9137";
    let app = spawn_probing_nowhere().await;
    let token = make_token(&app, "hist").await;
    let (page_port, api_port) = (free_port(), free_port());

    // A test from the page, with a typed password.
    let html = app.page().await.1;
    let form = encode(&[
        ("enabled".into(), "on".into()),
        ("host".into(), "127.0.0.1".into()),
        ("port".into(), page_port.to_string()),
        ("use_auth".into(), "on".into()),
        ("username".into(), "pageuser".into()),
        ("password".into(), PLANTED.into()),
        ("confirm_password".into(), PLANTED.into()),
        (
            "csrf_token".into(),
            support::app::hidden(&html, "csrf_token"),
        ),
        ("revision".into(), support::app::hidden(&html, "revision")),
    ]);
    let r = app
        .post_raw(
            "/system/configuration/management-interfaces/proxy/test",
            "application/x-www-form-urlencoded",
            form.into_bytes(),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "the page's Post/Redirect/Get"
    );

    // Then one through the API.
    let r = bearer(&app, Method::POST, "/api/v1/proxy/test", &token)
        .json(
            &json!({"host": "127.0.0.1", "port": api_port, "use_auth": true,
                      "username": "apiuser", "password": PLANTED}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    let tests = test_history(&app, &token).await;
    assert_eq!(tests.len(), 2, "{tests:?}");
    let (api, page) = (&tests[0], &tests[1]);
    assert_eq!(api["actor"], "api:hist", "newest first");
    assert_eq!(page["actor"], "admin");
    assert!(api["id"].as_i64() > page["id"].as_i64());
    assert_eq!(api["values"]["port"], api_port);
    assert_eq!(api["values"]["username"], "apiuser");
    assert_eq!(page["values"]["port"], page_port);
    assert_eq!(
        page["values"],
        json!({"enabled": true, "host": "127.0.0.1", "port": page_port, "use_auth": true,
               "username": "pageuser"})
    );
    for t in &tests {
        assert_eq!(t["ok"], false);
        assert_eq!(t["code"], "proxy_unreachable");
        assert_eq!(t["reports"][0]["diagnosis"]["code"], "proxy_unreachable");
        assert!(t["at"].is_string());
    }
    let listed = serde_json::to_string(&tests).unwrap();
    assert!(!listed.contains(PLANTED), "{listed}");
    let stored = database_bytes(&app);
    assert!(
        !stored
            .windows(PLANTED.len())
            .any(|w| w == PLANTED.as_bytes()),
        "the password is in the database"
    );

    // The history survives a restart on the same data directory.
    let dir = app.stop().await;
    let app = TestApp::spawn_in(dir, &[]).await;
    assert_eq!(test_history(&app, &token).await, tests);
}

#[tokio::test]
async fn the_page_lists_the_last_20_tests_newest_first() {
    let app = TestApp::spawn().await;
    let pool = app.db().await;
    let values = |i: u16| fmc_mgmt::tests_log::TestedValues {
        enabled: true,
        host: Some(format!("h{i}.example")),
        port: Some(3128),
        use_auth: false,
        username: None,
    };
    for i in 0..25 {
        fmc_mgmt::tests_log::insert(&pool, fmc_mgmt::tests_log::KEEP, "someone", &values(i), &[])
            .await
            .unwrap();
    }
    let html = app.page().await.1;
    assert_eq!(html.matches("class=\"recent-test\"").count(), 20, "{html}");
    let at = |i: u16| html.find(&format!(">h{i}.example:3128<"));
    assert!(at(24).is_some() && at(24) < at(5), "newest first");
    assert!(at(5).is_some());
    for i in 0..5 {
        assert!(at(i).is_none(), "h{i} is older than the last 20");
    }
}
