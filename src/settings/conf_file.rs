//! iprep_proxy.conf: rendered byte for byte as FMC writes it, replaced atomically and durably.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

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
    match render(config) {
        Some(contents) => write_atomic(path, contents.as_bytes()),
        None => remove(path),
    }
}

/// Temp file in the same directory, fsync, rename over the target, fsync the directory:
/// readers see the old file or the new one, never a half-written one, even after a crash.
pub fn write_atomic(path: &Path, contents: &[u8]) -> io::Result<()> {
    if fs::read(path).is_ok_and(|old| old == contents) {
        return Ok(());
    }
    let dir = parent(path);
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::other("the proxy file path has no file name"))?;
    let tmp = dir.join(format!(
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
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Remove the file (absent already is fine) and make the removal durable.
pub fn remove(path: &Path) -> io::Result<()> {
    // Check first: on a read-only file system unlink() of a missing file says EROFS.
    if fs::symlink_metadata(path).is_err_and(|e| e.kind() == io::ErrorKind::NotFound) {
        return Ok(());
    }
    match fs::remove_file(path) {
        Ok(()) => File::open(parent(path))?.sync_all(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
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
}
