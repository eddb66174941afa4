//! iprep_proxy.conf: rendered byte for byte as FMC writes it, replaced atomically and durably.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::ProxyConfig;

/// The file's contents, or `None` when the proxy is off (the file must then not exist).
/// Credentials are never written: the published format has no lines for them.
pub fn render(config: &ProxyConfig) -> Option<String> {
    let (host, port) = config.active_endpoint()?;
    Some(format!(
        "iprep_proxy {{\n    PROXY_HOST {host};\n    PROXY_PORT {port};\n}}\n"
    ))
}

/// Read host and port back from the file's text, as the services that use it do: the
/// `PROXY_HOST` and `PROXY_PORT` statements inside the `iprep_proxy { … }` block.
pub fn parse(text: &str) -> Option<(String, u16)> {
    let body = text
        .trim()
        .strip_prefix("iprep_proxy")?
        .trim_start()
        .strip_prefix('{')?;
    let body = body.trim_end().strip_suffix('}')?;
    let (mut host, mut port) = (None, None);
    for statement in body.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let mut words = statement.split_whitespace();
        match (words.next(), words.next(), words.next()) {
            (Some("PROXY_HOST"), Some(h), None) => host = Some(h.to_owned()),
            (Some("PROXY_PORT"), Some(p), None) => port = Some(p.parse().ok()?),
            _ => return None,
        }
    }
    Some((host?, port?))
}

/// Make the file at `path` say what `config` renders: written, replaced or removed.
pub fn sync(path: &Path, config: &ProxyConfig) -> io::Result<()> {
    stage(path, config)?.publish()
}

/// The first half of [`sync`]: the new contents written and synced beside the file, not yet
/// in its place. A save does this while its revision is inserted, so the two waits overlap.
pub fn stage(path: &Path, config: &ProxyConfig) -> io::Result<Staged> {
    match render(config) {
        Some(contents) => stage_bytes(path, contents.as_bytes()),
        None => Ok(Staged {
            path: path.to_owned(),
            change: Change::Remove,
        }),
    }
}

/// A change to the file made ready: [`Staged::publish`] puts it in place; dropped instead,
/// it leaves the old file as it was and nothing behind. A new file is written the durable
/// way: temp file in the same directory, fsync, rename over the target, fsync the
/// directory, so readers see the old file or the new one, never a half-written one, even
/// after a crash.
#[derive(Debug)]
#[must_use = "a staged file changes nothing until it is published"]
pub struct Staged {
    path: PathBuf,
    change: Change,
}

#[derive(Debug)]
enum Change {
    None,
    /// Rename this synced temp file over the target.
    Replace(PathBuf),
    Remove,
}

impl Staged {
    /// Put the change in place (rename or remove) and sync the directory.
    pub fn publish(self) -> io::Result<()> {
        self.place()?.sync()
    }

    /// Put the change in place: readers see it from now on. Making it durable is
    /// [`Placed::sync`], which a save runs beside its commit.
    pub fn place(mut self) -> io::Result<Placed> {
        let dir = parent(&self.path).to_owned();
        match std::mem::replace(&mut self.change, Change::None) {
            Change::None => Ok(Placed { dir: None }),
            Change::Replace(tmp) => match fs::rename(&tmp, &self.path) {
                Ok(()) => Ok(Placed { dir: Some(dir) }),
                Err(e) => {
                    let _ = fs::remove_file(&tmp);
                    Err(e)
                }
            },
            Change::Remove => {
                // Check first: on a read-only file system unlink() of a missing file says
                // EROFS.
                if fs::symlink_metadata(&self.path)
                    .is_err_and(|e| e.kind() == io::ErrorKind::NotFound)
                {
                    return Ok(Placed { dir: None });
                }
                match fs::remove_file(&self.path) {
                    Ok(()) => Ok(Placed { dir: Some(dir) }),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Placed { dir: None }),
                    Err(e) => Err(e),
                }
            }
        }
    }
}

/// A change in place whose directory entry may not be on disk yet.
#[derive(Debug)]
#[must_use = "a placed file is durable only once synced"]
pub struct Placed {
    /// The directory to sync; none when nothing changed.
    dir: Option<PathBuf>,
}

impl Placed {
    /// Sync the directory, so the rename or removal survives a crash.
    pub fn sync(self) -> io::Result<()> {
        match self.dir {
            Some(dir) => File::open(dir)?.sync_all(),
            None => Ok(()),
        }
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Change::Replace(tmp) = &self.change {
            let _ = fs::remove_file(tmp);
        }
    }
}

fn stage_bytes(path: &Path, contents: &[u8]) -> io::Result<Staged> {
    let staged = |change| Staged {
        path: path.to_owned(),
        change,
    };
    if fs::read(path).is_ok_and(|old| old == contents) {
        return Ok(staged(Change::None));
    }
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::other("the proxy file path has no file name"))?;
    let tmp = parent(path).join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o644)
            .open(&tmp)?;
        // The mode given to open() is filtered by the umask; the file's mode is part of
        // the contract, so set it outright.
        file.set_permissions(fs::Permissions::from_mode(0o644))?;
        file.write_all(contents)?;
        file.sync_all()
    })();
    match result {
        Ok(()) => Ok(staged(Change::Replace(tmp))),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    fn on(host: &str, port: u16) -> ProxyConfig {
        ProxyConfig {
            enabled: true,
            host: Some(host.into()),
            port: Some(port),
            use_auth: true,
            username: Some("proxyuser".into()),
            password: Some(Secret::new("hunter2")),
        }
    }

    #[test]
    fn renders_the_published_format_byte_for_byte() {
        assert_eq!(
            render(&on("10.10.10.1", 80)).unwrap(),
            "iprep_proxy {\n    PROXY_HOST 10.10.10.1;\n    PROXY_PORT 80;\n}\n"
        );
    }

    #[test]
    fn ipv6_hosts_are_written_bare_and_credentials_never() {
        let text = render(&on("2001:db8::1", 3128)).unwrap();
        assert!(text.contains("    PROXY_HOST 2001:db8::1;\n"));
        assert!(!text.contains("hunter2") && !text.contains("proxyuser"));
    }

    #[test]
    fn the_rendered_file_parses_back_to_host_and_port() {
        let text = render(&on("2001:db8::1", 3128)).unwrap();
        assert_eq!(parse(&text), Some(("2001:db8::1".to_owned(), 3128)));
        assert_eq!(parse("iprep_proxy {\n    PROXY_HOST a;\n}\n"), None);
        assert_eq!(
            parse("iprep_proxy {\n    PROXY_HOST a b;\n    PROXY_PORT 1;\n}\n"),
            None
        );
    }

    #[test]
    fn a_disabled_proxy_has_no_file() {
        assert_eq!(
            render(&ProxyConfig {
                enabled: false,
                ..on("p", 1)
            }),
            None
        );
    }

    #[test]
    fn sync_writes_with_mode_0644_and_removes_when_disabled() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("iprep_proxy.conf");
        sync(&path, &on("proxy.example.com", 3128)).unwrap();
        let meta = fs::metadata(&path).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o644);
        assert!(
            fs::read_to_string(&path)
                .unwrap()
                .contains("proxy.example.com")
        );
        sync(&path, &ProxyConfig::default()).unwrap();
        assert!(!path.exists());
        sync(&path, &ProxyConfig::default()).unwrap();
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            0,
            "no temp files left"
        );
    }

    #[test]
    fn a_staged_file_is_invisible_until_published_and_gone_if_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("iprep_proxy.conf");
        sync(&path, &on("old.example.com", 80)).unwrap();
        let listing = || {
            let mut names: Vec<String> = fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };

        let dropped = stage(&path, &on("new.example.com", 3128)).unwrap();
        assert!(
            fs::read_to_string(&path)
                .unwrap()
                .contains("old.example.com")
        );
        assert_eq!(
            listing().len(),
            2,
            "the synced temp file beside the old one"
        );
        drop(dropped);
        assert_eq!(listing(), ["iprep_proxy.conf"], "dropping cleans up");
        assert!(
            fs::read_to_string(&path)
                .unwrap()
                .contains("old.example.com")
        );

        let published = stage(&path, &on("new.example.com", 3128)).unwrap();
        published.publish().unwrap();
        assert!(
            fs::read_to_string(&path)
                .unwrap()
                .contains("new.example.com")
        );
        assert_eq!(listing(), ["iprep_proxy.conf"]);

        let removal = stage(&path, &ProxyConfig::default()).unwrap();
        assert!(path.exists(), "a staged removal waits for publish");
        removal.publish().unwrap();
        assert!(listing().is_empty());
    }
}
