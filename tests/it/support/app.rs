//! The real app, in process, on port 0 with a fresh data directory per test.

use std::path::{Path, PathBuf};

use clap::Parser;
use fmc_mgmt::config::Cli;
use reqwest::redirect::Policy;
use sqlx::SqlitePool;
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const PAGE: &str = "/system/configuration/management-interfaces";
/// The first admin's password in every test app.
pub const ADMIN_PASSWORD: &str = "test-admin-Pa55!";

pub struct TestApp {
    pub addr: std::net::SocketAddr,
    pub client: reqwest::Client,
    pub dir: TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestApp {
    /// A fresh app with a logged-in admin client.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(&[]).await
    }

    /// A logged-in app whose Test connection reaches the local TLS `target` (trusting its
    /// CA), with short probe timeouts.
    pub async fn spawn_probing(target: &super::tls_target::TlsTarget) -> TestApp {
        let probe_target = format!("127.0.0.1:{}", target.port());
        let ca = target.ca_file.to_str().expect("UTF-8 path").to_owned();
        Self::spawn_with(&[
            "--probe-target",
            &probe_target,
            "--ca-file",
            &ca,
            "--probe-read-timeout",
            "2",
            "--probe-max-time",
            "5",
        ])
        .await
    }

    /// A fresh app whose client has not logged in.
    pub async fn spawn_anonymous() -> TestApp {
        Self::start(tempfile::tempdir().expect("temp dir"), &[]).await
    }

    /// A fresh app started with extra flags, whose client has not logged in.
    pub async fn spawn_anonymous_with(extra: &[&str]) -> TestApp {
        Self::start(tempfile::tempdir().expect("temp dir"), extra).await
    }

    /// Start with extra command-line flags (e.g. `--proxy-conf`).
    pub async fn spawn_with(extra: &[&str]) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        Self::spawn_in(dir, extra).await
    }

    /// Start on an existing directory (a restart).
    pub async fn spawn_in(dir: TempDir, extra: &[&str]) -> TestApp {
        let app = Self::start(dir, extra).await;
        let r = app.login("admin", ADMIN_PASSWORD).await;
        assert_eq!(
            r.status(),
            reqwest::StatusCode::SEE_OTHER,
            "test login failed"
        );
        app
    }

    async fn start(dir: TempDir, extra: &[&str]) -> TestApp {
        let data = dir.path().join("data");
        let mut args = vec![
            "fmc-mgmt".to_owned(),
            "--data-dir".into(),
            data.display().to_string(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let mut cli = Cli::try_parse_from(&args).expect("test flags parse");
        cli.global.admin_password = Some(fmc_mgmt::secret::Secret::new(ADMIN_PASSWORD));
        let state = fmc_mgmt::prepare(&cli.global).await.expect("app prepares");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind port 0");
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel();
        let handle = tokio::spawn(fmc_mgmt::serve(listener, state, async {
            let _ = rx.await;
        }));
        TestApp {
            addr,
            client: client(),
            dir,
            shutdown: Some(tx),
            handle: Some(handle),
        }
    }

    /// Stop gracefully and hand back the directory, for a restart on the same data.
    pub async fn stop(mut self) -> TempDir {
        self.shutdown.take().map(|tx| tx.send(()));
        if let Some(h) = self.handle.take() {
            h.await.expect("server task").expect("server ran");
        }
        let dir = tempfile::tempdir().unwrap();
        std::mem::replace(&mut self.dir, dir)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn conf_path(&self) -> PathBuf {
        self.data_dir().join("iprep_proxy.conf")
    }

    /// The proxy file's contents, `None` when absent.
    pub fn conf(&self) -> Option<String> {
        read_optional(&self.conf_path())
    }

    /// Where a Post/Redirect/Get answer leads: the page its 303 names (GET in
    /// `accept_language`, as the browser that posted), or the answer itself when it is no
    /// redirect.
    pub async fn follow(
        &self,
        r: reqwest::Response,
        accept_language: Option<&str>,
    ) -> (reqwest::StatusCode, String) {
        if r.status() != reqwest::StatusCode::SEE_OTHER {
            return (r.status(), r.text().await.unwrap());
        }
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        let mut req = self.client.get(self.url(&location));
        if let Some(lang) = accept_language {
            req = req.header("accept-language", lang);
        }
        let r = req.send().await.expect("GET the redirect");
        (r.status(), r.text().await.unwrap())
    }

    pub async fn page(&self) -> (reqwest::StatusCode, String) {
        let r = self
            .client
            .get(self.url(PAGE))
            .send()
            .await
            .expect("GET page");
        (r.status(), r.text().await.unwrap())
    }

    /// The revision the page's form was loaded from.
    pub async fn form_revision(&self) -> String {
        hidden(&self.page().await.1, "revision")
    }

    /// The session's CSRF token, as the page carries it.
    pub async fn csrf(&self) -> String {
        hidden(&self.page().await.1, "csrf_token")
    }

    /// Log in through the login form, as a browser would.
    pub async fn login(&self, user: &str, password: &str) -> reqwest::Response {
        login(&self.client, &self.url(""), user, password).await
    }

    /// Save `language` (`en`, `zh-CN`, `auto`) as the admin's, through the user menu's form.
    pub async fn choose_language(&self, language: &str) -> reqwest::Response {
        let fields = [
            ("language".to_owned(), language.to_owned()),
            ("next".to_owned(), PAGE.to_owned()),
            ("csrf_token".to_owned(), self.csrf().await),
        ];
        self.post_raw(
            "/system/language",
            "application/x-www-form-urlencoded",
            encode(&fields).into_bytes(),
        )
        .await
    }

    /// POST the Proxy form as the page would, with `revision` from the page unless given.
    pub async fn save(&self, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut fields: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let html = self.page().await.1;
        for name in ["revision", "csrf_token"] {
            if !fields.iter().any(|(k, _)| k == name) {
                fields.push((name.into(), hidden(&html, name)));
            }
        }
        for name in ["host", "port", "username"] {
            if !fields.iter().any(|(k, _)| k == name) {
                fields.push((name.into(), String::new()));
            }
        }
        self.post_raw(
            &format!("{PAGE}/proxy"),
            "application/x-www-form-urlencoded",
            encode(&fields).into_bytes(),
        )
        .await
    }

    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("POST")
    }

    /// A fresh connection to the database on disk, as another process would see it.
    pub async fn db(&self) -> SqlitePool {
        SqlitePool::connect(&format!(
            "sqlite://{}",
            self.data_dir().join("fmc.db").display()
        ))
        .await
        .expect("reopen database")
    }

    /// The audit log, oldest first: action, actor and the entry said in English.
    pub async fn audit_log(&self) -> Vec<(String, String, String)> {
        let pool = self.db().await;
        let mut entries = fmc_mgmt::audit::list(&pool, i64::MAX)
            .await
            .expect("audit log");
        pool.close().await;
        entries.reverse();
        entries
            .into_iter()
            .map(|e| (e.action, e.actor, e.event.say(fmc_mgmt::locale::Lang::En)))
            .collect()
    }

    /// The English words of the only audit entry of `action`.
    pub async fn audit_detail(&self, action: &str) -> String {
        let mut found = self.audit_log().await.into_iter().filter(|e| e.0 == action);
        let detail = found.next().expect("an audit entry").2;
        assert!(found.next().is_none(), "one {action} entry");
        detail
    }

    /// The current revision's proxy password as the server reads it: sealed in the
    /// database, opened with the data directory's `secret.key`.
    pub async fn stored_password(&self) -> Option<String> {
        let key = self.data_dir().join("secret.key");
        let sealer = fmc_mgmt::secret_box::SecretBox::load_or_create(&key).expect("secret.key");
        fmc_mgmt::settings::store::load_current(&self.db().await, &sealer)
            .await
            .expect("current revision")?
            .config
            .password
            .map(|p| p.expose().to_owned())
    }

    pub async fn revision_count(&self) -> i64 {
        let pool = self.db().await;
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM proxy_revisions")
            .fetch_one(&pool)
            .await
            .unwrap();
        pool.close().await;
        n
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A client as a browser is one: it keeps cookies and does not follow redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// The value of the hidden input `name` in `html`.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no hidden field {name}"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// GET the login form (for its CSRF cookie and token), then POST it.
pub async fn login(
    client: &reqwest::Client,
    base: &str,
    user: &str,
    password: &str,
) -> reqwest::Response {
    let html = client
        .get(format!("{base}/login"))
        .send()
        .await
        .expect("GET /login")
        .text()
        .await
        .unwrap();
    let fields = [
        ("username".to_owned(), user.to_owned()),
        ("password".to_owned(), password.to_owned()),
        ("csrf_token".to_owned(), hidden(&html, "csrf_token")),
        ("next".to_owned(), hidden(&html, "next")),
    ];
    client
        .post(format!("{base}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encode(&fields))
        .send()
        .await
        .expect("POST /login")
}

pub fn read_optional(path: &Path) -> Option<String> {
    match std::fs::read_to_string(path) {
        Ok(s) => Some(s),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => panic!("reading {}: {e}", path.display()),
    }
}

/// urlencode pairs the way a browser does.
pub fn encode(fields: &[(String, String)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", escape(k), escape(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
