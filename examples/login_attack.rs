//! Attacks on the login limit, measured (issue 12 items 2, 5, 6), against a running
//! fmc-mgmt on loopback. Sources are other 127.x.y.z addresses (all this host's loopback),
//! standing in for the machines of a management network.
//!
//! `cargo run --release --example login_attack -- BASE_URL ADMIN_PASSWORD SERVER_PID [SECONDS]`
//! prints: guesses checked from one address in one volley of 201; the admin's login time
//! from a clean address while 40 addresses flood the login; the server's RSS before and
//! after 1,000 failed logins with 60 KiB user names from 200 addresses.

use std::time::{Duration, Instant};

fn client_from(source: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .local_address(source.parse::<std::net::IpAddr>().expect("an address"))
        .timeout(Duration::from_secs(120))
        .build()
        .expect("client")
}

/// GET the form (its CSRF cookie and field), then POST the login; the status.
async fn login(client: &reqwest::Client, base: &str, user: &str, password: &str) -> u16 {
    let Ok(r) = client.get(format!("{base}/login")).send().await else {
        return 0;
    };
    let html = r.text().await.unwrap_or_default();
    let csrf = html
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or("")
        .to_owned();
    let body = format!(
        "username={}&password={}&csrf_token={csrf}",
        percent(user),
        percent(password)
    );
    client
        .post(format!("{base}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .map_or(0, |r| r.status().as_u16())
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn rss_kib(pid: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let base = args
        .get(1)
        .expect("BASE_URL")
        .trim_end_matches('/')
        .to_owned();
    let admin_password = args.get(2).expect("ADMIN_PASSWORD").clone();
    let pid = args.get(3).expect("SERVER_PID").clone();
    let seconds: u64 = args.get(4).map_or(20, |s| s.parse().expect("SECONDS"));

    // 1. One volley from one address: 200 wrong passwords and the right one.
    let mut volley = Vec::new();
    for i in 0..=200 {
        let (base, password) = (base.clone(), admin_password.clone());
        volley.push(tokio::spawn(async move {
            let pw = if i == 200 {
                password
            } else {
                "wrong-password".into()
            };
            login(&client_from("127.0.0.50"), &base, "admin", &pw).await
        }));
    }
    let mut statuses = Vec::new();
    for t in volley {
        statuses.push(t.await.unwrap_or(0));
    }
    let checked = statuses.iter().filter(|s| **s == 401 || **s == 303).count();
    let right_in = statuses.contains(&303);
    println!(
        "volley: {checked} of 201 passwords checked (401/303), right one logged in: {right_in}; \
         429: {}, 503: {}",
        statuses.iter().filter(|s| **s == 429).count(),
        statuses.iter().filter(|s| **s == 503).count()
    );

    // 2. Forty addresses, five at a time each, flood the login for `seconds`; the admin
    //    logs in from a clean address once a second, retrying after a 503 as asked.
    let rss_before = rss_kib(&pid);
    let stop = Instant::now() + Duration::from_secs(seconds);
    let mut flood = Vec::new();
    for a in 0..40 {
        for _ in 0..5 {
            let base = base.clone();
            flood.push(tokio::spawn(async move {
                let client = client_from(&format!("127.0.4.{}", a + 1));
                let mut n = 0u64;
                while Instant::now() < stop {
                    login(&client, &base, "admin", "wrong-password").await;
                    n += 1;
                }
                n
            }));
        }
    }
    let mut times = Vec::new();
    let mut locked_out = 0;
    let mut k = 0;
    while Instant::now() + Duration::from_secs(2) < stop {
        k += 1;
        let client = client_from(&format!("127.0.5.{k}"));
        let t = Instant::now();
        // Retried after a refusal as asked, for at most 30 s: past that the admin is out.
        let mut answer = 0;
        while t.elapsed() < Duration::from_secs(30) {
            answer = login(&client, &base, "admin", &admin_password).await;
            if answer != 503 && answer != 429 {
                break;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        if answer == 303 {
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        } else {
            locked_out += 1;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let mut attempts = 0;
    for t in flood {
        attempts += t.await.unwrap_or(0);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "flood: {attempts} attempts from 40 addresses in {seconds} s; admin logins from clean \
         addresses: {} in, {locked_out} still refused after 30 s; median {:.0} ms, max {:.0} ms",
        times.len(),
        times.get(times.len() / 2).copied().unwrap_or(0.0),
        times.last().copied().unwrap_or(0.0)
    );

    // 3. Long names from many addresses: 200 addresses x 5 failures, 60 KiB names.
    let mut long = Vec::new();
    for a in 0..200 {
        let base = base.clone();
        long.push(tokio::spawn(async move {
            let client = client_from(&format!("127.0.6.{}", a % 250 + 1));
            for i in 0..5 {
                let name = format!("{a}-{i}-{}", "n".repeat(60 * 1024));
                login(&client, &base, &name, "wrong-password").await;
            }
        }));
    }
    for t in long {
        let _ = t.await;
    }
    println!(
        "rss: {:.1} MiB before the flood, {:.1} MiB after it and 1,000 failures with 60 KiB names",
        rss_before as f64 / 1024.0,
        rss_kib(&pid) as f64 / 1024.0
    );
}
