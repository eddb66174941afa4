//! Headless Chromium driven over WebDriver (fantoccini → chromedriver, plain HTTP on
//! 127.0.0.1). One chromedriver per test process, shared by the tests running at the same
//! time and stopped when the last of them drops it; one fresh browser profile per test.
//!
//! ```ignore
//! let app = TestApp::spawn().await;
//! let app = &app;
//! browser::test(Js::On, |c| async move {
//!     c.goto(&app.url(PAGE)).await.unwrap();
//!     click(&c, "#enabled").await;
//! })
//! .await;
//! ```
//!
//! A panic inside the body (or a body running over [`TEST_TIMEOUT`]) leaves
//! `<target>/browser-failures/<test name>.png`, then the browser is closed and the panic goes
//! on. Every process started here is stopped, pass or fail: the session is deleted and the
//! test waits until no process names its profile directory any more (killing stragglers by
//! PID); chromedriver is asked to `/shutdown`, killed if it will not go, and waited for.
//! chromedriver and its browsers get a temporary HOME, so nothing is written to the real one.

use std::future::Future;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use futures_util::FutureExt as _;
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tempfile::TempDir;

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const WINDOW: (u32, u32) = (1400, 1000);
/// A test body that runs longer than this fails (with its screenshot) instead of hanging.
pub const TEST_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a helper waits for something to appear before the test fails.
pub const WAIT: Duration = Duration::from_secs(5);

/// Chromium that talks to nobody but the test's own server.
const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
    "--lang=en-US",
];

/// Whether the page's script may run in this session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Js {
    On,
    Off,
}

/// Open a fresh browser, run `body` with it, screenshot on failure, always close.
pub async fn test<F, Fut>(js: Js, body: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = ()>,
{
    Browser::open(js).await.run(body).await;
}

/// One browser session with its own empty profile; the session is deleted on `close`, the
/// profile directory on `close` or drop.
pub struct Browser {
    client: Client,
    profile: TempDir,
    /// Never read: holding it keeps the shared chromedriver running while this browser lives.
    _driver: Arc<Driver>,
}

impl Browser {
    pub async fn open(js: Js) -> Browser {
        let driver = Driver::shared();
        let profile = tempfile::tempdir().expect("browser profile dir");
        let mut args: Vec<String> = FLAGS.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        args.push(format!("--window-size={},{}", WINDOW.0, WINDOW.1));
        let mut options = json!({ "binary": CHROMIUM, "args": args });
        if js == Js::Off {
            options["prefs"] = json!({ "profile.managed_default_content_settings.javascript": 2 });
        }
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert("goog:chromeOptions".into(), options);
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&driver.url())
            .await
            .unwrap_or_else(|e| panic!("chromedriver opens a Chromium session: {e}"));
        let browser = Browser {
            client,
            profile,
            _driver: driver,
        };
        browser
            .client
            .set_window_size(WINDOW.0, WINDOW.1)
            .await
            .expect("window size");
        browser
    }

    /// A handle on the session (cheap to clone).
    pub fn client(&self) -> Client {
        self.client.clone()
    }

    /// Run a test body (at most [`TEST_TIMEOUT`]); on panic save a screenshot to
    /// `<target>/browser-failures/<test name>.png`, close the browser, then resume the panic.
    pub async fn run<F, Fut>(self, body: F)
    where
        F: FnOnce(Client) -> Fut,
        Fut: Future<Output = ()>,
    {
        let body = async {
            tokio::time::timeout(TEST_TIMEOUT, body(self.client()))
                .await
                .unwrap_or_else(|_| panic!("the browser test took over {TEST_TIMEOUT:?}"));
        };
        let outcome = AssertUnwindSafe(body).catch_unwind().await;
        if let Err(panic) = outcome {
            let path = failure_dir().join(format!("{}.png", test_name()));
            match save_screenshot(&self.client, &path).await {
                Ok(()) => eprintln!("browser screenshot of the failure: {}", path.display()),
                Err(e) => eprintln!("no screenshot of the failure ({e})"),
            }
            self.close().await;
            std::panic::resume_unwind(panic);
        }
        self.close().await;
    }

    /// Delete the session: Chromium quits and its profile directory goes.
    pub async fn close(self) {
        if let Err(e) = self.client.clone().close().await {
            eprintln!("closing the browser session: {e}");
        }
        stop_processes_naming(self.profile.path());
    }
}

/// Wait (bounded) for every process that names `dir` on its command line (a browser's
/// processes all carry its profile directory) to exit; kill, by PID, the ones that do not.
fn stop_processes_naming(dir: &Path) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let left = processes_naming(dir);
        if left.is_empty() {
            return;
        }
        if Instant::now() > deadline {
            for pid in left {
                eprintln!("browser process {pid} did not exit; killing it");
                let _ = Command::new("kill")
                    .arg("-KILL")
                    .arg(pid.to_string())
                    .status();
            }
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Live processes with an argument that is `dir` or a path inside it, as in
/// `--user-data-dir=DIR` (a zombie has an empty command line, so it is not counted).
fn processes_naming(dir: &Path) -> Vec<u32> {
    let dir = dir.display().to_string();
    let inside = format!("{dir}/");
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            cmdline.split(|&b| b == 0).any(|arg| {
                let arg = String::from_utf8_lossy(arg);
                arg.ends_with(&format!("={dir}")) || arg == dir || arg.contains(&inside)
            })
        })
        .collect()
}

/// A chromedriver child process on a free loopback port.
pub struct Driver {
    child: Mutex<Child>,
    port: u16,
    /// HOME and XDG dirs for chromedriver and its browsers: Chromium's crash handler and
    /// anything else outside the profile write here, not in the real home directory.
    home: TempDir,
}

static DRIVER: Mutex<Weak<Driver>> = Mutex::new(Weak::new());

impl Driver {
    /// The running chromedriver, or a new one when no test holds one.
    pub fn shared() -> Arc<Driver> {
        let mut slot = DRIVER.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(driver) = slot.upgrade() {
            return driver;
        }
        let driver = Arc::new(Driver::start());
        *slot = Arc::downgrade(&driver);
        driver
    }

    fn start() -> Driver {
        let home = tempfile::tempdir().expect("chromedriver home dir");
        // `--port=0`: chromedriver binds a free port itself and prints it, so no other
        // process can take the port between a probe and the bind.
        let mut child = Command::new(CHROMEDRIVER)
            .arg("--port=0")
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join(".config"))
            .env("XDG_CACHE_HOME", home.path().join(".cache"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("start {CHROMEDRIVER} (apt-get install chromium-driver): {e}")
            });
        let (tx, rx) = std::sync::mpsc::channel();
        let stdout = child.stdout.take().expect("chromedriver stdout");
        // Keep reading to the end: a closed pipe would kill chromedriver on its next line.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(port) = line
                    .split("started successfully on port ")
                    .nth(1)
                    .and_then(|rest| rest.trim_end_matches('.').parse::<u16>().ok())
                {
                    let _ = tx.send(port);
                }
            }
        });
        let Ok(port) = rx.recv_timeout(Duration::from_secs(15)) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromedriver did not say which port it listens on within 15 s");
        };
        let driver = Driver {
            child: Mutex::new(child),
            port,
            home,
        };
        if let Err(e) = driver.wait_ready() {
            panic!("chromedriver did not become ready: {e}"); // dropping stops it
        }
        driver
    }

    /// Poll `/status` until it says ready (no fixed sleep: a short back-off between polls).
    fn wait_ready(&self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut pause = Duration::from_millis(5);
        loop {
            if let Ok(Some(status)) = self.lock_child().try_wait() {
                return Err(format!("chromedriver exited with {status}"));
            }
            if let Ok(body) = self.request("GET", "/status") {
                let ready = serde_json::from_str::<Value>(&body)
                    .ok()
                    .and_then(|v| v["value"]["ready"].as_bool());
                if ready == Some(true) {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                return Err("no ready /status within 15 s".into());
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(100));
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn lock_child(&self) -> std::sync::MutexGuard<'_, Child> {
        self.child.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A blocking HTTP/1.1 request to chromedriver; usable from `Drop`. The body is read by
    /// its Content-Length: chromedriver keeps the connection open whatever we ask.
    fn request(&self, method: &str, path: &str) -> std::io::Result<String> {
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1))?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.port
        )?;
        let mut response = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = stream.read(&mut chunk)?;
            response.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&response);
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length = head
                    .lines()
                    .filter_map(|l| l.split_once(':'))
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, v)| v.trim().parse::<usize>().ok());
                if n == 0 || length.is_some_and(|len| body.len() >= len) {
                    return Ok(body.to_owned());
                }
            } else if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // `/shutdown` quits the browsers of any session still open, then exits.
        let asked = matches!(self.lock_child().try_wait(), Ok(None))
            && self.request("GET", "/shutdown").is_ok();
        let child = self.child.get_mut().unwrap_or_else(PoisonError::into_inner);
        let grace = if asked {
            Duration::from_secs(5)
        } else {
            Duration::ZERO
        };
        let deadline = Instant::now() + grace;
        while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        if let Ok(None) = child.try_wait() {
            let _ = child.kill();
        }
        let _ = child.wait();
        // Chromium's crash handlers are detached from it; they name their database here.
        stop_processes_naming(self.home.path());
    }
}

/// Cargo's target directory (honours `CARGO_TARGET_DIR`).
pub fn target_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .to_path_buf()
}

pub fn failure_dir() -> PathBuf {
    target_dir().join("browser-failures")
}

/// The running test's name (libtest names each test's thread after it).
pub fn test_name() -> String {
    match std::thread::current().name() {
        Some(name) if name != "main" => name.replace("::", "__"),
        _ => "browser-test".to_owned(),
    }
}

pub async fn save_screenshot(c: &Client, path: &Path) -> Result<(), String> {
    let png = c.screenshot().await.map_err(|e| e.to_string())?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    std::fs::write(path, png).map_err(|e| e.to_string())
}

/// The whole page as one picture, `<target>/browser-screens/<name>.png`, at the window's
/// present width: the window grows to the document's height for the shot, then returns to
/// that width and [`WINDOW`]'s height.
pub async fn screenshot_page(c: &Client, name: &str) -> PathBuf {
    let size = js(
        c,
        "return [document.documentElement.scrollHeight, window.outerHeight - window.innerHeight, window.outerWidth]",
    )
    .await;
    let height = size[0].as_u64().unwrap_or(0) + size[1].as_u64().unwrap_or(0);
    let height = u32::try_from(height).unwrap_or(WINDOW.1).max(WINDOW.1);
    let width = size[2]
        .as_u64()
        .and_then(|w| u32::try_from(w).ok())
        .unwrap_or(WINDOW.0);
    c.set_window_size(width, height)
        .await
        .expect("grow the window to the page");
    let path = target_dir()
        .join("browser-screens")
        .join(format!("{name}.png"));
    let saved = save_screenshot(c, &path).await;
    c.set_window_size(width, WINDOW.1)
        .await
        .expect("window size back");
    saved.unwrap_or_else(|e| panic!("screenshot {}: {e}", path.display()));
    path
}

// ---- Page helpers: panicking on WebDriver errors, with the selector in the message. ----

pub async fn find(c: &Client, css: &str) -> Element {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no element {css}: {e}"))
}

/// Wait (up to [`WAIT`]) for an element, e.g. one the next page brings.
pub async fn wait_for(c: &Client, css: &str) -> Element {
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} did not appear within {WAIT:?}: {e}"))
}

/// Wait (up to `within`) until the element's text contains `needle`, e.g. a result that
/// fills in stage by stage; returns the text.
pub async fn wait_for_text(c: &Client, css: &str, needle: &str, within: Duration) -> String {
    let deadline = Instant::now() + within;
    loop {
        let found = match c.find(Locator::Css(css)).await {
            Ok(element) => element.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if found.contains(needle) {
            return found;
        }
        if Instant::now() > deadline {
            panic!("{css} did not say {needle:?} within {within:?}; it says {found:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn exists(c: &Client, css: &str) -> bool {
    !c.find_all(Locator::Css(css))
        .await
        .expect("find_all")
        .is_empty()
}

pub async fn click(c: &Client, css: &str) {
    find(c, css)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Replace an input's value the way a user would: select it all, type over it.
pub async fn fill(c: &Client, css: &str, text: &str) {
    let input = find(c, css).await;
    input
        .clear()
        .await
        .unwrap_or_else(|e| panic!("clear {css}: {e}"));
    input
        .send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("type into {css}: {e}"));
}

/// Type into an element without clearing it first.
pub async fn type_into(c: &Client, css: &str, text: &str) {
    find(c, css)
        .await
        .send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("type into {css}: {e}"));
}

/// The live `value` of an input (what the user sees, not the HTML attribute).
pub async fn value(c: &Client, css: &str) -> String {
    prop(c, css, "value").await.unwrap_or_default()
}

/// A DOM property (`readOnly`, `checked`, `required`…) as text; `None` when null.
pub async fn prop(c: &Client, css: &str, name: &str) -> Option<String> {
    find(c, css)
        .await
        .prop(name)
        .await
        .unwrap_or_else(|e| panic!("{css}.{name}: {e}"))
}

pub async fn attr(c: &Client, css: &str, name: &str) -> Option<String> {
    find(c, css)
        .await
        .attr(name)
        .await
        .unwrap_or_else(|e| panic!("{css}[{name}]: {e}"))
}

pub async fn text(c: &Client, css: &str) -> String {
    find(c, css)
        .await
        .text()
        .await
        .unwrap_or_else(|e| panic!("text of {css}: {e}"))
}

pub async fn displayed(c: &Client, css: &str) -> bool {
    find(c, css)
        .await
        .is_displayed()
        .await
        .unwrap_or_else(|e| panic!("is {css} displayed: {e}"))
}

pub async fn css(c: &Client, selector: &str, property: &str) -> String {
    find(c, selector)
        .await
        .css_value(property)
        .await
        .unwrap_or_else(|e| panic!("{selector} {{ {property} }}: {e}"))
}

/// Run a script in the page and return its value.
pub async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("script {script:?}: {e}"))
}

/// Press one key (Tab, Enter, Space…) on whatever has the focus, as a keyboard would.
pub async fn press(c: &Client, key: Key) {
    let k: char = key.into();
    c.perform_actions(
        KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: k })
            .then(KeyAction::Up { value: k }),
    )
    .await
    .unwrap_or_else(|e| panic!("press {key:?}: {e}"));
}

/// Type text into whatever has the focus, key by key.
pub async fn type_keys(c: &Client, text: &str) {
    let mut keys = KeyActions::new("keyboard".into());
    for ch in text.chars() {
        keys = keys
            .then(KeyAction::Down { value: ch })
            .then(KeyAction::Up { value: ch });
    }
    c.perform_actions(keys)
        .await
        .unwrap_or_else(|e| panic!("type {text:?}: {e}"));
}

/// The `id` of the focused element ("" for the body).
pub async fn focused_id(c: &Client) -> String {
    c.active_element()
        .await
        .expect("active element")
        .attr("id")
        .await
        .expect("id of active element")
        .unwrap_or_default()
}

/// The accessible name Chromium computes for an element (what a screen reader announces),
/// through WebDriver's Get Computed Label.
pub async fn accessible_name(c: &Client, css: &str) -> String {
    let element = find(c, css).await.element_id().to_string();
    let name = c
        .issue_cmd(SessionCommand {
            path: format!("element/{element}/computedlabel"),
            body: None,
        })
        .await
        .unwrap_or_else(|e| panic!("computed label of {css}: {e}"));
    name.as_str().unwrap_or_default().to_owned()
}

/// A WebDriver endpoint fantoccini has no method for, `session/{id}/{path}`: a JSON body is
/// POSTed, none is a GET (Get Computed Label; chromedriver's DevTools bridge).
#[derive(Debug)]
pub struct SessionCommand {
    pub path: String,
    pub body: Option<Value>,
}

impl fantoccini::wd::WebDriverCompatibleCommand for SessionCommand {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.unwrap_or_default();
        base_url.join(&format!("session/{session}/{}", self.path))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        match &self.body {
            Some(body) => (http::Method::POST, Some(body.to_string())),
            None => (http::Method::GET, None),
        }
    }
}

/// Open the Management Interfaces page as an admin does: the login form first, which
/// brings the page back.
pub async fn open_page(c: &Client, app: &super::app::TestApp) {
    c.goto(&app.url(super::app::PAGE))
        .await
        .expect("open the page");
    if exists(c, "#login-username").await {
        fill(c, "#login-username", "admin").await;
        fill(c, "#login-password", super::app::ADMIN_PASSWORD).await;
        click(c, ".login-card button[type=submit]").await;
    }
    wait_for(c, "#proxy-form").await;
}
