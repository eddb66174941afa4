//! Many admins saving and testing at once: no 5xx, every save applied or answered 409,
//! revision numbers without gaps, database and file in agreement at the end.

use crate::support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use reqwest::StatusCode;
use support::app::TestApp;
use support::app::{ADMIN_PASSWORD, PAGE, encode, hidden, login};

const CLIENTS: usize = 32;
const REQUESTS: usize = 100;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_clients_saving_and_testing_at_once_lose_nothing() {
    let app = Arc::new(TestApp::spawn().await);
    let base = app.url("");
    let saved = Arc::new(AtomicUsize::new(0));
    let conflicts = Arc::new(AtomicUsize::new(0));
    let probes = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for client_no in 0..CLIENTS {
        let (base, saved, conflicts, probes) = (
            base.clone(),
            saved.clone(),
            conflicts.clone(),
            probes.clone(),
        );
        // Logged in one by one: the server checks only a few passwords at once and
        // refuses the rest at once (SPEC §8); what runs concurrently here is the saving.
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        assert_eq!(
            login(&client, &base, "admin", ADMIN_PASSWORD)
                .await
                .status(),
            StatusCode::SEE_OTHER
        );
        tasks.push(tokio::spawn(async move {
            let html = client
                .get(format!("{base}{PAGE}"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let csrf = hidden(&html, "csrf_token");
            for i in 0..REQUESTS {
                if i % 10 == 9 {
                    // Test connection against a closed port: quick, and it exercises the limits.
                    let body = encode(&[
                        ("host".into(), "127.0.0.1".into()),
                        ("port".into(), "1".into()),
                        ("username".into(), String::new()),
                        ("csrf_token".into(), csrf.clone()),
                    ]);
                    let r = client
                        .post(format!("{base}{PAGE}/proxy/test"))
                        .header("content-type", "application/x-www-form-urlencoded")
                        .header("accept", "application/json")
                        .body(body)
                        .send()
                        .await
                        .unwrap();
                    assert!(
                        r.status() == StatusCode::OK || r.status() == StatusCode::TOO_MANY_REQUESTS,
                        "probe answered {}",
                        r.status()
                    );
                    probes.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                let current: serde_json::Value = client
                    .get(format!("{base}/api/v1/proxy"))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                let port = (1000 + client_no * REQUESTS + i).to_string();
                let body = encode(&[
                    ("enabled".into(), "on".into()),
                    ("host".into(), format!("10.0.{client_no}.1")),
                    ("port".into(), port),
                    ("username".into(), String::new()),
                    ("revision".into(), current["revision"].to_string()),
                    ("csrf_token".into(), csrf.clone()),
                ]);
                let r = client
                    .post(format!("{base}{PAGE}/proxy"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                match r.status() {
                    StatusCode::SEE_OTHER => saved.fetch_add(1, Ordering::Relaxed),
                    StatusCode::CONFLICT => conflicts.fetch_add(1, Ordering::Relaxed),
                    other => panic!("save answered {other}: {}", r.text().await.unwrap()),
                };
            }
        }));
    }
    for t in tasks {
        t.await.expect("client task");
    }
    let (saved, conflicts, probes) = (
        saved.load(Ordering::Relaxed),
        conflicts.load(Ordering::Relaxed),
        probes.load(Ordering::Relaxed),
    );
    println!("concurrency: {saved} saves applied, {conflicts} answered 409, {probes} probes");
    assert_eq!(saved + conflicts + probes, CLIENTS * REQUESTS);
    assert!(saved > 0);

    let pool = app.db().await;
    let ids: Vec<(i64,)> = sqlx::query_as("SELECT id FROM proxy_revisions ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(
        ids.len(),
        saved,
        "every 303 is a revision, and nothing else is"
    );
    assert!(
        ids.iter().enumerate().all(|(i, (id,))| *id == i as i64 + 1),
        "revision numbers without gaps or duplicates"
    );
    let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    let (host, port): (String, i64) =
        sqlx::query_as("SELECT host, port FROM proxy_revisions ORDER BY id DESC LIMIT 1")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        app.conf().unwrap(),
        format!("iprep_proxy {{\n    PROXY_HOST {host};\n    PROXY_PORT {port};\n}}\n")
    );
}
