//! A small HTTP load client for fmc-mgmt, for the soak script and the benchmarks.
//!
//! `cargo run --release --example load -- URL PASSWORD MODE CONNECTIONS SECONDS [MAX]`
//!
//! MODE: `page` (the logged-in Management Interfaces page), `healthz` (the minimal handler),
//! `save` (one client saving in a loop), or `mixed` (pages, saves, history, API reads and
//! Test connection against a closed loopback port), or `probe` (only that Test connection).
//! MAX stops each connection after that many requests. Prints one line of `key=value` results:
//! requests, errors (any 5xx or transport error), requests per second, p50/p99/max latency.

use std::time::{Duration, Instant};

const PAGE: &str = "/system/configuration/management-interfaces";

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    html.find(&marker)
        .map(|i| {
            html[i + marker.len()..]
                .split('"')
                .next()
                .unwrap_or("")
                .to_owned()
        })
        .unwrap_or_default()
}

fn encode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| {
            let v: String = v
                .bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect();
            format!("{k}={v}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

async fn logged_in(base: &str, password: &str) -> (reqwest::Client, String) {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(1)
        .build()
        .expect("client");
    // Clients that log in at once from one address are told to wait (the login throttle
    // checks two at a time per address): wait as told, as a browser's user would.
    let r = loop {
        let html = client
            .get(format!("{base}/login"))
            .send()
            .await
            .expect("GET /login")
            .text()
            .await
            .unwrap();
        let body = encode(&[
            ("username", "admin"),
            ("password", password),
            ("csrf_token", &hidden(&html, "csrf_token")),
            ("next", PAGE),
        ]);
        let r = client
            .post(format!("{base}/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("POST /login");
        if !matches!(r.status().as_u16(), 429 | 503) {
            break r;
        }
        let wait = r
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
            .unwrap_or(1);
        tokio::time::sleep(std::time::Duration::from_secs(wait.max(1))).await;
    };
    assert_eq!(r.status(), 303, "login failed: check the password");
    let page = client
        .get(format!("{base}{PAGE}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    (client, hidden(&page, "csrf_token"))
}

/// One request of `mode`; returns whether it counts as an error. `revision` carries the
/// revision a save builds on: from the redirect's flash after a save, so a save in a loop
/// is one POST, as an admin's Save is.
async fn one(
    client: &reqwest::Client,
    base: &str,
    csrf: &str,
    mode: &str,
    n: u64,
    revision: &mut Option<String>,
) -> bool {
    let result = match (mode, n % 10) {
        ("healthz", _) => client.get(format!("{base}/healthz")).send().await,
        ("api", _) => client.get(format!("{base}/api/v1/proxy")).send().await,
        ("page", _) | ("mixed", 0..=3) => client.get(format!("{base}{PAGE}")).send().await,
        ("save", _) | ("mixed", 4..=5) => {
            if mode == "mixed" || revision.is_none() {
                let current: serde_json::Value =
                    match client.get(format!("{base}/api/v1/proxy")).send().await {
                        Ok(r) => r.json().await.unwrap_or_default(),
                        Err(_) => return true,
                    };
                *revision = Some(current["revision"].to_string());
            }
            let port = (1000 + n % 60000).to_string();
            let base_revision = revision.clone().unwrap_or_default();
            let body = encode(&[
                ("enabled", "on"),
                ("host", "10.0.0.1"),
                ("port", &port),
                ("username", ""),
                ("revision", &base_revision),
                ("csrf_token", csrf),
            ]);
            let sent = client
                .post(format!("{base}{PAGE}/proxy"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await;
            if let Ok(r) = &sent {
                // The flash cookie names the new revision: `fmc_flash=saved-N`.
                *revision = r
                    .headers()
                    .get_all("set-cookie")
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .find_map(|v| v.strip_prefix("fmc_flash=saved-"))
                    .and_then(|v| v.split(';').next())
                    .map(str::to_owned);
            }
            sent
        }
        ("mixed", 6) => {
            client
                .get(format!("{base}{PAGE}/proxy/history"))
                .send()
                .await
        }
        ("mixed", 7..=8) => {
            client
                .get(format!("{base}/api/v1/proxy/revisions"))
                .send()
                .await
        }
        ("mixed", _) | ("probe", _) => {
            let body = encode(&[
                ("host", "127.0.0.1"),
                ("port", "1"),
                ("username", ""),
                ("csrf_token", csrf),
            ]);
            client
                .post(format!("{base}{PAGE}/proxy/test"))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "application/json")
                .body(body)
                .send()
                .await
        }
        (other, _) => panic!("unknown mode {other}"),
    };
    match result {
        Ok(r) => {
            let error = r.status().is_server_error();
            let _ = r.bytes().await;
            error
        }
        Err(_) => true,
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (base, password, mode, connections, seconds, max) = match args.as_slice() {
        [_, b, p, m, c, s] => (b, p, m, c, s, u64::MAX),
        [_, b, p, m, c, s, max] => (b, p, m, c, s, max.parse().expect("MAX")),
        _ => {
            eprintln!(
                "usage: load URL PASSWORD page|healthz|save|mixed|probe CONNECTIONS SECONDS [MAX]"
            );
            std::process::exit(2);
        }
    };
    let connections: usize = connections.parse().expect("CONNECTIONS");
    let duration = Duration::from_secs_f64(seconds.parse().expect("SECONDS"));
    let mut tasks = Vec::new();
    for c in 0..connections {
        let (base, password, mode) = (base.clone(), password.clone(), mode.clone());
        tasks.push(tokio::spawn(async move {
            let (client, csrf) = logged_in(&base, &password).await;
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            let end = Instant::now() + duration;
            let mut n = c as u64 * 1_000_003;
            let mut revision = None;
            while Instant::now() < end && (n - c as u64 * 1_000_003) < max {
                let started = Instant::now();
                if one(&client, &base, &csrf, &mode, n, &mut revision).await {
                    errors += 1;
                }
                latencies.push(started.elapsed());
                n += 1;
            }
            (latencies, errors)
        }));
    }
    let started = Instant::now();
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.expect("load task");
        all.extend(l);
        errors += e;
    }
    let wall = started.elapsed().as_secs_f64().max(duration.as_secs_f64());
    all.sort();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "mode={mode} connections={connections} requests={} errors={errors} rps={:.0} p50_ms={:.3} p99_ms={:.3} max_ms={:.3}",
        all.len(),
        all.len() as f64 / wall,
        pct(0.50),
        pct(0.99),
        all.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    );
}
