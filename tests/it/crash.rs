//! Crash consistency: the real binary, saving in a loop, killed with SIGKILL at a random
//! moment of its saves and restarted, 200 times. Every save answered 303 must survive, SQLite must pass
//! its integrity check, the proxy file must say what the current revision says, and no temp
//! file of a killed save may outlive the restart.

use crate::support;

use std::path::Path;
use std::time::Duration;

use reqwest::StatusCode;
use support::app::{PAGE, encode, hidden};
use support::binary::Server;

const KILLS: usize = 200;
const PASSWORD: &str = "crash-Pa55word";

fn random_below(n: u64) -> u64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap();
    u64::from_le_bytes(b) % n
}

/// Save with increasing ports until the server dies; returns the (revision, port) pairs
/// the server acknowledged with 303. `saving` is sent once logged in, as the saves begin.
async fn save_until_killed(
    base: String,
    first_port: u16,
    saving: tokio::sync::oneshot::Sender<()>,
) -> Vec<(i64, u16)> {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut acked = Vec::new();
    if try_login(&client, &base).await.is_none() {
        return acked;
    }
    let Ok(page) = client.get(format!("{base}{PAGE}")).send().await else {
        return acked;
    };
    let Ok(html) = page.text().await else {
        return acked;
    };
    let csrf = hidden(&html, "csrf_token");
    let mut revision = hidden(&html, "revision");
    let _ = saving.send(());
    for port in first_port.. {
        let body = encode(&[
            ("enabled".into(), "on".into()),
            ("host".into(), "10.20.30.40".into()),
            ("port".into(), port.to_string()),
            ("username".into(), String::new()),
            ("revision".into(), revision.clone()),
            ("csrf_token".into(), csrf.clone()),
        ]);
        let sent = client
            .post(format!("{base}{PAGE}/proxy"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await;
        let Ok(r) = sent else { break };
        if r.status() != StatusCode::SEE_OTHER {
            break;
        }
        let flash = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.strip_prefix("fmc_flash=saved-"));
        let Some(id) = flash
            .and_then(|v| v.split(';').next())
            .and_then(|v| v.parse::<i64>().ok())
        else {
            break;
        };
        acked.push((id, port));
        revision = id.to_string();
    }
    acked
}

/// Log in, or `None` if the server died meanwhile.
async fn try_login(client: &reqwest::Client, base: &str) -> Option<()> {
    let html = client
        .get(format!("{base}/login"))
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    let body = encode(&[
        ("username".into(), "admin".into()),
        ("password".into(), PASSWORD.into()),
        ("csrf_token".into(), hidden(&html, "csrf_token")),
        ("next".into(), PAGE.into()),
    ]);
    let r = client
        .post(format!("{base}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .ok()?;
    (r.status() == StatusCode::SEE_OTHER).then_some(())
}

async fn verify(data: &Path, acked: &[(i64, u16)]) -> i64 {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", data.join("fmc.db").display()))
        .await
        .unwrap();
    let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    for (id, port) in acked {
        let row: Option<(i64,)> = sqlx::query_as("SELECT port FROM proxy_revisions WHERE id = ?")
            .bind(id)
            .fetch_optional(&pool)
            .await
            .unwrap();
        assert_eq!(
            row,
            Some((i64::from(*port),)),
            "acknowledged revision {id} lost or changed"
        );
    }
    let latest: Option<(i64, String, i64)> =
        sqlx::query_as("SELECT id, host, port FROM proxy_revisions ORDER BY id DESC LIMIT 1")
            .fetch_optional(&pool)
            .await
            .unwrap();
    let conf = std::fs::read_to_string(data.join("iprep_proxy.conf")).ok();
    match &latest {
        Some((_, host, port)) => assert_eq!(
            conf.as_deref(),
            Some(
                format!("iprep_proxy {{\n    PROXY_HOST {host};\n    PROXY_PORT {port};\n}}\n")
                    .as_str()
            )
        ),
        None => assert_eq!(conf, None),
    }
    pool.close().await;
    // Start-up removes what killed saves left (111 temp files after 400 kills, once).
    let temps: Vec<String> = std::fs::read_dir(data)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".iprep_proxy.conf.") && n.ends_with(".tmp"))
        .collect();
    assert_eq!(temps, Vec::<String>::new(), "temp files survived a restart");
    latest.map_or(0, |l| l.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_sigkills_lose_no_acknowledged_save() {
    let cwd = tempfile::tempdir().unwrap();
    let data = cwd.path().join("data");
    let env = [("FMC_ADMIN_PASSWORD", PASSWORD)];
    let mut acked: Vec<(i64, u16)> = Vec::new();
    let mut next_port: u16 = 1000;
    for _ in 0..KILLS {
        let mut server = Server::start(cwd.path(), &[], &env);
        verify(&data, &acked).await; // the restart has made the file agree
        let (saving, started) = tokio::sync::oneshot::channel();
        let saver = tokio::spawn(save_until_killed(
            format!("http://{}", server.addr),
            next_port,
            saving,
        ));
        // The kill lands at a random moment of the saves, however long the login took on
        // a loaded machine (a saver that could not log in drops its sender: kill at once).
        let _ = tokio::time::timeout(Duration::from_secs(20), started).await;
        tokio::time::sleep(Duration::from_millis(random_below(80))).await;
        server.child.kill().expect("SIGKILL");
        server.child.wait().unwrap();
        let got = saver.await.unwrap();
        next_port = got.last().map_or(next_port, |(_, p)| p + 1);
        acked.extend(got);
        if next_port > 60000 {
            next_port = 1000;
        }
    }
    let server = Server::start(cwd.path(), &[], &env);
    let revisions = verify(&data, &acked).await;
    drop(server);
    println!(
        "crash: {KILLS} SIGKILLs, {} acknowledged saves all present, {revisions} revisions, integrity ok",
        acked.len()
    );
    assert!(
        acked.len() >= KILLS / 4,
        "too few saves were acknowledged to test anything: {}",
        acked.len()
    );
}
