//! The UI in English and Simplified Chinese: chosen from `Accept-Language`, or from the
//! user's saved preference, which beats the header until it is set back to `auto`.

use crate::support;

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, ACCEPT_LANGUAGE, CONTENT_TYPE, LOCATION};
use support::app::{PAGE, TestApp, encode, hidden};
use support::chinese::assert_chinese;
use support::fake_proxy::{FakeProxy, Script};

const ZH: &str = "zh-CN,zh;q=0.9,en;q=0.8";

async fn get(app: &TestApp, path: &str, accept_language: Option<&str>) -> (StatusCode, String) {
    let mut req = app.client.get(app.url(path));
    if let Some(lang) = accept_language {
        req = req.header(ACCEPT_LANGUAGE, lang);
    }
    let r = req.send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

/// POST a form as the page would, with the session's CSRF token unless one is given.
async fn post(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut all: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    if !all.iter().any(|(k, _)| k == "csrf_token") {
        all.push(("csrf_token".into(), app.csrf().await));
    }
    let mut req = app
        .client
        .post(app.url(path))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded");
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    req.body(encode(&all)).send().await.unwrap()
}

#[tokio::test]
async fn english_is_the_default() {
    let app = TestApp::spawn().await;
    for header in [None, Some("fr-FR"), Some("zh-TW"), Some("zh-Hant")] {
        let (status, html) = get(&app, PAGE, header).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(r#"<html lang="en">"#), "{header:?}");
        assert!(html.contains(r#"<label for="enabled">Enabled</label>"#));
        assert!(
            html.contains(
                "Proxies that use NT LAN Manager (NTLM) authentication are not supported."
            )
        );
    }
}

#[tokio::test]
async fn accept_language_zh_cn_shows_the_page_in_chinese() {
    let app = TestApp::spawn().await;
    let (status, html) = get(&app, PAGE, Some(ZH)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"<html lang="zh-CN">"#));
    for text in [
        "<h1>管理接口</h1>",
        r#"<h2 id="proxy-h">代理</h2>"#,
        r#"<label for="enabled">已启用</label>"#,
        r#"<label for="host">HTTP 代理</label>"#,
        r#"<label for="port">端口</label>"#,
        r#"<label for="use_auth">使用代理身份验证</label>"#,
        r#"<label for="username">用户名</label>"#,
        r#"<label for="confirm_password">确认密码</label>"#,
        r#"id="save">保存</button>"#,
        ">测试连接</button>",
        "不支持使用 NT LAN Manager (NTLM) 身份验证的代理。",
        "<span>概览</span>",
        r#"<span class="deploy">部署</span>"#,
        r#"data-title-tcp_connect="与代理的 TCP 握手""#,
    ] {
        assert!(html.contains(text), "missing {text}");
    }
    assert!(!html.contains(">Enabled<"));
}

#[tokio::test]
async fn the_login_page_follows_the_browser() {
    let app = TestApp::spawn_anonymous().await;
    let (_, html) = get(&app, "/login", Some("zh")).await;
    assert!(html.contains(r#"<html lang="zh-CN">"#));
    assert!(html.contains(r#"<label for="login-username">用户名</label>"#));
    assert!(html.contains(r#"<button type="submit" class="primary">登录</button>"#));
    let (_, html) = get(&app, "/login", None).await;
    assert!(html.contains(r#"<button type="submit" class="primary">Log In</button>"#));
}

#[tokio::test]
async fn a_refused_save_explains_itself_in_chinese() {
    let app = TestApp::spawn().await;
    let r = post(
        &app,
        &format!("{PAGE}/proxy"),
        &[
            ("enabled", "on"),
            ("host", "http://proxy:3128"),
            ("port", "3128"),
            ("username", ""),
            ("revision", &app.form_revision().await),
        ],
        &[("accept-language", ZH)],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("<h3>未保存：1 个字段需要更正</h3>"), "{html}");
    assert!(
        html.contains(
            r#"<p class="error" id="host-error">只需输入主机；端口请填写在“端口”中。</p>"#
        )
    );
    assert_eq!(app.revision_count().await, 0);
}

#[tokio::test]
async fn a_saved_flash_is_in_the_page_language() {
    let app = TestApp::spawn().await;
    app.choose_language("zh-CN").await;
    let r = app
        .save(&[("enabled", "on"), ("host", "10.10.10.1"), ("port", "80")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(&app, PAGE, None).await;
    assert!(
        html.contains("已保存。代理设置现在是修订版本 1。"),
        "{html}"
    );
}

#[tokio::test]
async fn a_probe_result_is_explained_in_chinese() {
    let app = TestApp::spawn_with(&["--probe-max-time", "5"]).await;
    let r = post(
        &app,
        &format!("{PAGE}/proxy/test"),
        &[
            ("enabled", "on"),
            ("host", "127.0.0.1"),
            ("port", "1"),
            ("username", ""),
        ],
        &[("accept", "text/html"), ("accept-language", "zh-CN")],
    )
    .await;
    let (status, html) = app.follow(r, Some("zh-CN")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"<html lang="zh-CN">"#));
    assert!(html.contains(r#"id="diag-code">proxy_unreachable</span>"#));
    // The headline says what happened in words, the code after.
    assert!(
        html.contains("tabindex=\"-1\">代理地址上没有服务应答（proxy_unreachable）</h3>"),
        "{html}"
    );
    assert!(html.contains("127.0.0.1:1 上没有任何服务接受 TCP 连接"));
    // The step names the proxy file this server writes.
    assert!(html.contains(&format!(
        "<strong>下一步：</strong> 请对照代理的配置检查地址和端口（cat {}）",
        app.conf_path().display()
    )));
    assert!(html.contains("与代理的 TCP 握手"));
    assert!(html.contains("使用 curl 执行相同的测试"));
    // The Diagnostics panel's last result follows the page, too.
    let (_, page) = get(&app, PAGE, Some(ZH)).await;
    assert!(page.contains("上次测试连接"));
    assert!(page.contains("— 127.0.0.1:1 上没有任何服务接受 TCP 连接"));

    // JSON stays English for scripts.
    let r = post(
        &app,
        &format!("{PAGE}/proxy/test"),
        &[
            ("enabled", "on"),
            ("host", "127.0.0.1"),
            ("port", "1"),
            ("username", ""),
        ],
        &[
            (ACCEPT.as_str(), "application/json"),
            ("accept-language", "zh-CN"),
        ],
    )
    .await;
    let json: serde_json::Value = r.json().await.unwrap();
    assert!(
        json["diagnosis"]["summary"]
            .as_str()
            .unwrap()
            .starts_with("Nothing accepted a TCP connection")
    );
}

/// The stages' own words, as the Chinese page shows them: on the page without JavaScript,
/// in the live stream (`text`, beside the report's English stage) and in its fragment.
#[tokio::test]
async fn a_test_connection_shows_each_stage_detail_in_chinese_on_the_page_and_live() {
    let proxy = FakeProxy::start(Script::Reply("HTTP/1.1 403 Forbidden\r\n\r\n".into()));
    let app = TestApp::spawn_with(&["--probe-max-time", "5"]).await;
    let port = proxy.port().to_string();
    let fields = [
        ("enabled", "on"),
        ("host", "127.0.0.1"),
        ("port", port.as_str()),
        ("username", ""),
    ];
    let english = "CONNECT tools.cisco.com:443 HTTP/1.1 -> HTTP/1.1 403 Forbidden";
    let chinese = "已发送 CONNECT tools.cisco.com:443 HTTP/1.1，代理应答 HTTP/1.1 403 Forbidden";

    let r = post(
        &app,
        &format!("{PAGE}/proxy/test"),
        &fields,
        &[("accept", "text/html"), ("accept-language", ZH)],
    )
    .await;
    let (status, html) = app.follow(r, Some(ZH)).await;
    assert_eq!(status, StatusCode::OK);
    for detail in [
        "已跳过：127.0.0.1 是 IP 地址",
        "TCP 握手 127.0.0.1:",
        chinese,
    ] {
        assert!(
            html.contains(&format!(r#"<span class="detail">{detail}"#)),
            "missing {detail}\n{html}"
        );
    }
    assert!(
        !html.contains(english) && !html.contains("skipped:"),
        "{html}"
    );
    assert!(html.contains("代理拒绝了到 tools.cisco.com:443 的隧道"));

    let r = post(
        &app,
        &format!("{PAGE}/proxy/test"),
        &fields,
        &[
            (ACCEPT.as_str(), "application/x-ndjson"),
            ("accept-language", ZH),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let events: Vec<serde_json::Value> = r
        .text()
        .await
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let stages: Vec<_> = events.iter().filter(|e| e["event"] == "stage").collect();
    assert_eq!(stages.len(), 3, "{events:?}");
    for event in &stages {
        let name = event["stage"]["name"].as_str().unwrap();
        let text = event["text"].as_str().unwrap();
        assert_chinese(&format!("the {name} stage"), text);
        // The report's stage is the JSON report's, in English and nothing more.
        let detail = event["stage"]["detail"].as_str().unwrap();
        assert!(detail.is_ascii(), "{detail}");
        assert_eq!(
            event["stage"].as_object().unwrap().len(),
            4,
            "name, ok, elapsed_ms, detail: {event}"
        );
    }
    assert_eq!(stages[2]["text"], chinese);
    assert_eq!(stages[2]["stage"]["detail"], english);
    let done = events.last().unwrap();
    assert_eq!(done["event"], "done");
    assert_eq!(done["result"]["reports"][0]["stages"][2]["detail"], english);
    assert!(done["html"].as_str().unwrap().contains(chinese));

    // An English page and the JSON report keep the English.
    let r = post(
        &app,
        &format!("{PAGE}/proxy/test"),
        &fields,
        &[
            (ACCEPT.as_str(), "application/x-ndjson"),
            ("accept-language", "en"),
        ],
    )
    .await;
    let body = r.text().await.unwrap();
    let first: serde_json::Value = serde_json::from_str(body.lines().nth(2).unwrap()).unwrap();
    assert_eq!(first["text"], english);
}

/// The audit log in Chinese: the actions named in Chinese, the details the program wrote
/// said in Chinese, and an entry without a Chinese detail (written before there was one)
/// shown as it was written.
#[tokio::test]
async fn the_audit_log_shows_chinese_details_in_chinese() {
    let app = TestApp::spawn().await;
    let stranger = support::app::client();
    let r = support::app::login(&stranger, &app.url(""), "admin", "not-the-password").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = app
        .save(&[("enabled", "on"), ("host", "10.10.10.1"), ("port", "80")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let pool = app.db().await;
    sqlx::query(
        "INSERT INTO audit_log (at, actor, address, action, facts) \
         VALUES ('2020-01-01T00:00:00Z', 'admin', NULL, 'save', \
         '{\"event\": \"recorded\", \"en\": \"revision 0: from an old release\"}')",
    )
    .execute(&pool)
    .await
    .unwrap();

    let (status, html) = get(&app, "/system/audit-log", Some(ZH)).await;
    assert_eq!(status, StatusCode::OK);
    for cell in [
        "<td>登录失败</td><td>用户名或密码错误</td>",
        "<td>保存</td><td>修订版本 1：已启用（enabled） 关 → 开；HTTP 代理（host） （空） → 10.10.10.1；端口（port） （空） → 80</td>",
        "<td>登录</td><td></td>",
        "<td>保存</td><td>revision 0: from an old release</td>",
    ] {
        assert!(html.contains(cell), "missing {cell}\n{html}");
    }
    assert!(!html.contains("wrong user name or password"));

    let (_, html) = get(&app, "/system/audit-log", Some("en")).await;
    for cell in [
        "<td>login_failed</td><td>wrong user name or password</td>",
        "<td>save</td><td>revision 1: ",
    ] {
        assert!(html.contains(cell), "missing {cell}\n{html}");
    }
}

#[tokio::test]
async fn error_pages_are_in_chinese() {
    let app = TestApp::spawn().await;
    let (status, html) = get(&app, "/no/such/page", Some(ZH)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains(r#"<html lang="zh-CN">"#));
    assert!(html.contains("<h1>404 未找到</h1>"));
    assert!(html.contains("此地址没有页面。"));
    assert!(html.contains("未保存任何内容。"));

    // The session guard's refusals speak the saved language.
    app.choose_language("zh-CN").await;
    let r = post(
        &app,
        &format!("{PAGE}/proxy"),
        &[
            ("csrf_token", "wrong"),
            ("host", ""),
            ("port", ""),
            ("username", ""),
        ],
        &[],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("表单的安全令牌缺失或已过期")
    );
}

#[tokio::test]
async fn the_saved_preference_beats_the_header_and_auto_clears_it() {
    let app = TestApp::spawn().await;
    let r = app.choose_language("zh-CN").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], PAGE);
    for header in [None, Some("en-US")] {
        let (_, html) = get(&app, PAGE, header).await;
        assert!(html.contains(r#"<html lang="zh-CN">"#), "{header:?}");
        assert!(html.contains(r#"<option value="zh-CN" lang="zh-CN" selected>"#));
    }
    for path in [
        "/system/audit-log",
        "/system/api-tokens",
        &format!("{PAGE}/proxy/history"),
    ] {
        let (_, html) = get(&app, path, None).await;
        assert!(html.contains(r#"<html lang="zh-CN">"#), "{path}");
    }

    app.choose_language("en").await;
    let (_, html) = get(&app, PAGE, Some(ZH)).await;
    assert!(html.contains(r#"<html lang="en">"#));

    app.choose_language("auto").await;
    let (_, html) = get(&app, PAGE, Some(ZH)).await;
    assert!(html.contains(r#"<html lang="zh-CN">"#));
    assert!(html.contains(r#"<option value="auto" selected>"#));
    let (_, html) = get(&app, PAGE, None).await;
    assert!(html.contains(r#"<html lang="en">"#));
    let pool = app.db().await;
    let (language,): (Option<String>,) =
        sqlx::query_as("SELECT language FROM users WHERE username = 'admin'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(language, None);
}

#[tokio::test]
async fn the_language_form_redirects_only_to_a_local_path() {
    let app = TestApp::spawn().await;
    for evil in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "evil",
    ] {
        let r = post(
            &app,
            "/system/language",
            &[("language", "en"), ("next", evil)],
            &[],
        )
        .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{evil}");
        assert_eq!(r.headers()[LOCATION], PAGE, "{evil}");
    }
    let r = post(
        &app,
        "/system/language",
        &[("language", "en"), ("next", "/system/audit-log")],
        &[],
    )
    .await;
    assert_eq!(r.headers()[LOCATION], "/system/audit-log");
}

#[tokio::test]
async fn the_language_form_needs_the_csrf_token_and_a_known_language() {
    let app = TestApp::spawn().await;
    let r = post(
        &app,
        "/system/language",
        &[("language", "zh-CN"), ("csrf_token", "forged")],
        &[],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (_, html) = get(&app, PAGE, None).await;
    assert!(html.contains(r#"<html lang="en">"#));

    let r = post(&app, "/system/language", &[("language", "zh-TW")], &[]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_user_menu_offers_the_languages() {
    let app = TestApp::spawn().await;
    let (_, html) = get(&app, PAGE, None).await;
    assert!(html.contains(r#"<form method="post" action="/system/language""#));
    assert_eq!(hidden(&html, "next"), PAGE);
    assert!(html.contains(r#"<option value="zh-CN" lang="zh-CN">简体中文</option>"#));
}

/// The help popover beside Test connection: the Cisco note's status table, every row, in
/// the page's language (the Chinese in the note's own words), right after the button.
#[tokio::test]
async fn the_status_help_beside_test_connection_lists_the_cisco_table_in_both_languages() {
    let app = TestApp::spawn().await;
    let english = [
        (400, "Bad Request", "Incorrect request syntax"),
        (401, "Unauthorized", "Credentials missing or incorrect"),
        (403, "Forbidden", "Access denied"),
        (404, "Not Found", "Resource not found"),
        (500, "Internal Error", "Server error"),
        (502, "Bad Gateway", "Server communication error"),
        (
            503,
            "Service Unavailable",
            "Server overloaded or in maintenance",
        ),
        (504, "Gateway Timeout", "Timeout between servers"),
    ];
    let chinese = [
        (400, "错误的请求", "请求语法不正确"),
        (401, "未授权", "凭据缺失或不正确"),
        (403, "已禁止", "拒绝进入"),
        (404, "找不到", "找不到资源"),
        (500, "内部错误", "服务器错误"),
        (502, "错误的网关", "服务器通信错误"),
        (503, "服务不可用", "服务器过载或维护"),
        (504, "网关超时", "服务器之间的超时"),
    ];
    for (accept, summary, rows) in [
        (None, "HTTP status codes", english),
        (Some(ZH), "HTTP 状态码", chinese),
    ] {
        let (status, html) = get(&app, PAGE, accept).await;
        assert_eq!(status, StatusCode::OK);
        let button = html.find(r#"id="test-connection""#).expect("the button");
        let start = html
            .find(r#"<details class="status-help""#)
            .expect("the popover");
        assert!(
            start > button,
            "{accept:?}: the popover follows Test connection"
        );
        let end = start + html[start..].find("</details>").expect("closed");
        let popover = &html[start..end];
        assert!(
            popover.contains(&format!("<summary>{summary}</summary>")),
            "{accept:?}: {popover}"
        );
        for (code, meaning, cause) in rows {
            let row = format!("<tr><td>{code}</td><td>{meaning}</td><td>{cause}</td></tr>");
            assert!(
                popover.contains(&row),
                "{accept:?}: missing {row}\n{popover}"
            );
        }
        assert_eq!(popover.matches("<tr><td>").count(), 8, "{accept:?}: 8 rows");
    }
}

/// A proxy that answers CONNECT with 404 or 500: `proxy_error`, its summary naming what the
/// Cisco note's table says the status means (a 500 is the proxy's fault, not a refusal),
/// with a next step that fits, on the page in Chinese and in the JSON in English.
#[tokio::test]
async fn a_404_or_500_from_the_proxy_is_explained_by_the_cisco_table() {
    let app = TestApp::spawn_with(&["--probe-max-time", "5"]).await;
    let cases = [
        (
            "HTTP/1.1 404 Not Found\r\n\r\n",
            (
                "the resource was not found",
                "check the proxy address and port",
            ),
            ("找不到资源", "请检查代理地址和端口"),
        ),
        (
            "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n",
            ("failed with an internal error", "the proxy's error log"),
            ("发生内部错误", "代理的错误日志"),
        ),
    ];
    for (head, (en_summary, en_hint), (zh_summary, zh_hint)) in cases {
        let fake = FakeProxy::start(Script::Reply(head.into()));
        let port = fake.port().to_string();
        let fields = [
            ("enabled", "on"),
            ("host", "127.0.0.1"),
            ("port", port.as_str()),
            ("username", ""),
        ];
        let test = format!("{PAGE}/proxy/test");
        let r = post(
            &app,
            &test,
            &fields,
            &[
                (ACCEPT.as_str(), "application/json"),
                ("accept-language", ZH),
            ],
        )
        .await;
        let json: serde_json::Value = r.json().await.unwrap();
        let diagnosis = &json["diagnosis"];
        assert_eq!(diagnosis["code"], "proxy_error", "{head:?}: {json}");
        let summary = diagnosis["summary"].as_str().unwrap();
        let hint = diagnosis["hint"].as_str().unwrap().to_lowercase();
        assert!(summary.contains(en_summary), "{head:?}: {summary}");
        assert!(!summary.contains("refused"), "{head:?}: {summary}");
        assert!(hint.contains(en_hint), "{head:?}: {hint}");

        let r = post(
            &app,
            &test,
            &fields,
            &[("accept", "text/html"), ("accept-language", ZH)],
        )
        .await;
        let html = app.follow(r, Some(ZH)).await.1;
        assert!(html.contains(r#"id="diag-code">proxy_error</span>"#));
        let start = html.find(r#"<p class="diag-summary">"#).expect("a summary");
        let end = start + html[start..].find("</ol>").expect("the stages");
        let result = &html[start..end];
        assert!(result.contains(zh_summary), "{head:?}: {result}");
        assert!(result.contains(zh_hint), "{head:?}: {result}");
        assert!(!result.contains("拒绝"), "{head:?}: {result}");
        let summary = &result["<p class=\"diag-summary\">".len()..];
        let summary = &summary[..summary.find("</p>").expect("a paragraph")];
        assert_chinese(&format!("{head:?}: the summary"), summary);
        drop(fake);
    }
}
