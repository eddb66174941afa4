//! A real squid on a free 127.0.0.1 port with its own temporary config: open, Basic
//! (basic_ncsa_auth + htpasswd file), Digest (digest_file_auth), or an ACL denying CONNECT
//! or plain HTTP.
//! Dropping it kills squid and waits for it.

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const SQUID: &str = "/usr/sbin/squid";
pub const HELPERS: &str = "/usr/lib/squid";
pub const REALM: &str = "fmc-test";

#[derive(Clone, Debug)]
pub enum Mode {
    Open,
    Basic {
        user: String,
        password: String,
    },
    Digest {
        user: String,
        password: String,
    },
    DenyConnect,
    /// CONNECT allowed, every plain-HTTP request denied (443 out, not 80).
    DenyPlainHttp,
}

pub struct Squid {
    pub addr: SocketAddr,
    child: Child,
    service: String,
    dir: tempfile::TempDir,
}

impl Squid {
    pub fn start(mode: Mode) -> Squid {
        assert!(
            Path::new(SQUID).exists(),
            "squid is not installed ({SQUID}); scripts/test installs it (apt-get install squid apache2-utils)"
        );
        let dir = tempfile::tempdir().expect("tempdir");
        // squid runs as user `proxy` once started as root: let it write here.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777))
            .expect("chmod");
        let d = dir.path().display().to_string();
        let port = free_port();
        let rules = match &mode {
            Mode::Open => "http_access allow all\n".to_string(),
            Mode::DenyConnect => {
                "acl CONNECT method CONNECT\nhttp_access deny CONNECT\nhttp_access allow all\n"
                    .to_string()
            }
            Mode::DenyPlainHttp => {
                "acl CONNECT method CONNECT\nhttp_access allow CONNECT\nhttp_access deny all\n"
                    .to_string()
            }
            Mode::Basic { user, password } => {
                write_htpasswd(&dir.path().join("passwd"), user, password);
                format!(
                    "auth_param basic program {HELPERS}/basic_ncsa_auth {d}/passwd\n\
                     auth_param basic children 2 startup=1\n\
                     auth_param basic realm {REALM}\n\
                     acl authed proxy_auth REQUIRED\n\
                     http_access deny !authed\n\
                     http_access allow all\n"
                )
            }
            Mode::Digest { user, password } => {
                let ha1 = md5_hex(&format!("{user}:{REALM}:{password}"));
                write_file(
                    &dir.path().join("digest"),
                    &format!("{user}:{REALM}:{ha1}\n"),
                );
                format!(
                    "auth_param digest program {HELPERS}/digest_file_auth -c {d}/digest\n\
                     auth_param digest children 2 startup=1\n\
                     auth_param digest realm {REALM}\n\
                     acl authed proxy_auth REQUIRED\n\
                     http_access deny !authed\n\
                     http_access allow all\n"
                )
            }
        };
        let config = format!(
            "http_port 127.0.0.1:{port}\n\
             pid_filename {d}/squid.pid\n\
             cache_log {d}/cache.log\n\
             access_log stdio:{d}/access.log\n\
             cache_store_log none\n\
             cache deny all\n\
             coredump_dir {d}\n\
             shutdown_lifetime 0 seconds\n\
             pinger_enable off\n\
             netdb_filename none\n\
             dns_nameservers 127.0.0.1\n\
             {rules}"
        );
        let conf = dir.path().join("squid.conf");
        write_file(&conf, &config);
        // A service name of its own: squid names its shared-memory segments after it, so
        // squids running side by side (parallel tests) do not collide.
        let service = format!("fmcprobe{port}");
        remove_segments(&service);
        let child = Command::new(SQUID)
            .arg("-N")
            .arg("-n")
            .arg(&service)
            .arg("-f")
            .arg(&conf)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn squid");
        let mut squid = Squid {
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            child,
            service,
            dir,
        };
        squid.wait_ready();
        squid
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn cache_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("cache.log")).unwrap_or_default()
    }

    fn wait_ready(&mut self) {
        let until = Instant::now() + Duration::from_secs(30);
        while Instant::now() < until {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("squid exited early ({status}):\n{}", self.cache_log());
            }
            if TcpStream::connect_timeout(&self.addr, Duration::from_millis(200)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "squid not listening on {} after 30 s:\n{}",
            self.addr,
            self.cache_log()
        );
    }
}

impl Drop for Squid {
    /// SIGKILL and wait (a SIGTERM shutdown costs squid a second), then remove the
    /// shared-memory segments it had no chance to remove.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        remove_segments(&self.service);
    }
}

/// Removes shared-memory segments left by a squid of this service name (after a crash).
fn remove_segments(service: &str) {
    let prefix = format!("{service}-");
    if let Ok(entries) = std::fs::read_dir("/dev/shm") {
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn write_file(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
}

/// An htpasswd (apr1) file, with `htpasswd` or else `openssl passwd -apr1`.
fn write_htpasswd(path: &Path, user: &str, password: &str) {
    let hash = match Command::new("htpasswd")
        .args(["-nbm", user, password])
        .output()
    {
        Ok(out) if out.status.success() => String::from_utf8(out.stdout).expect("utf8"),
        _ => {
            let out = Command::new("openssl")
                .args(["passwd", "-apr1", "-stdin"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .and_then(|mut c| {
                    c.stdin
                        .take()
                        .expect("stdin")
                        .write_all(password.as_bytes())?;
                    c.wait_with_output()
                })
                .expect("neither htpasswd nor openssl is available");
            format!(
                "{user}:{}",
                String::from_utf8(out.stdout).expect("utf8").trim()
            )
        }
    };
    write_file(path, &format!("{}\n", hash.trim()));
}

fn md5_hex(text: &str) -> String {
    let mut child = Command::new("md5sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("md5sum");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("md5sum output");
    String::from_utf8(out.stdout)
        .expect("utf8")
        .split_whitespace()
        .next()
        .expect("hash")
        .to_string()
}
