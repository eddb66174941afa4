//! iprep_proxy.conf: rendered byte for byte as FMC writes it, replaced atomically and durably.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
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

/// The first half of [`sync`]: the new contents written beside the file, not yet in its
/// place. A save stages the file before its commit and publishes it only after, so the file
/// never says what the database does not (and a full or read-only disk, which fails the
/// write, still fails the save as a whole). The write's fsync may run while the database
/// commits ([`Staged::sync`]); [`Staged::publish`] never renames an unsynced file.
pub fn stage(path: &Path, config: &ProxyConfig) -> io::Result<Staged> {
    check_replaceable(path)?;
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
    /// Rename this temp file over the target; `unsynced` holds it open until its fsync.
    Replace {
        tmp: PathBuf,
        unsynced: Option<File>,
    },
    Remove,
}

impl Staged {
    /// Make the new contents durable (fsync the temp file), once; nothing to do for a
    /// removal or no change. On an error the temp file stays unsynced and is never put in
    /// place.
    pub fn sync(&mut self) -> io::Result<()> {
        if let Change::Replace { unsynced, .. } = &mut self.change
            && let Some(file) = unsynced
        {
            file.sync_all()?;
            *unsynced = None;
        }
        Ok(())
    }

    /// Put the change in place (rename or remove) and sync the directory, syncing the new
    /// contents first unless [`Staged::sync`] did. A rename replaces a link planted at the
    /// target; it never writes through it.
    pub fn publish(mut self) -> io::Result<()> {
        self.sync()?;
        let dir = parent(&self.path).to_owned();
        let changed = match std::mem::replace(&mut self.change, Change::None) {
            Change::None => false,
            Change::Replace { tmp, .. } => match fs::rename(&tmp, &self.path) {
                Ok(()) => true,
                Err(e) => {
                    let _ = fs::remove_file(&tmp);
                    return Err(e);
                }
            },
            Change::Remove => remove_if_present(&self.path)?,
        };
        if changed {
            File::open(dir)?.sync_all()?;
        }
        Ok(())
    }
}

/// Fail now what would fail the rename or removal after the commit: a directory where the
/// file should be. (Rarer causes — the disk turning read-only between the two steps — are
/// left to the save's after-commit path.)
fn check_replaceable(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => Err(io::Error::from_raw_os_error(libc::EISDIR)),
        _ => Ok(()),
    }
}

/// Remove `path` (a link itself, never what it points to); `false` when it was not there.
fn remove_if_present(path: &Path) -> io::Result<bool> {
    // Check first: on a read-only file system unlink() of a missing file says EROFS.
    if fs::symlink_metadata(path).is_err_and(|e| e.kind() == io::ErrorKind::NotFound) {
        return Ok(false);
    }
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Change::Replace { tmp, .. } = &self.change {
            let _ = fs::remove_file(tmp);
        }
    }
}

fn stage_bytes(path: &Path, contents: &[u8]) -> io::Result<Staged> {
    let staged = |change| Staged {
        path: path.to_owned(),
        change,
    };
    if matches!(read_no_follow(path), Ok(Current::Text(old)) if old.as_bytes() == contents) {
        return Ok(staged(Change::None));
    }
    let (tmp, mut file) = create_temp(path)?;
    let result = (|| {
        // The mode given to open() is filtered by the umask; the file's mode is part of
        // the contract, so set it outright (fchmod: on this file, not on a name).
        file.set_permissions(fs::Permissions::from_mode(0o644))?;
        file.write_all(contents)
    })();
    match result {
        Ok(()) => Ok(staged(Change::Replace {
            tmp,
            unsynced: Some(file),
        })),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// How many random names to try before giving up: a clash means someone is planting
/// files in the directory, and a handful of 64-bit names cannot all be taken by chance.
const TEMP_ATTEMPTS: usize = 8;

/// A new temp file beside `path`, created exclusively under a random name: `O_EXCL` fails
/// on anything already there (a planted file or link, even a dangling one) instead of
/// writing through it, and `O_NOFOLLOW` refuses a link outright.
fn create_temp(path: &Path) -> io::Result<(PathBuf, File)> {
    create_temp_with(path, random_token)
}

fn create_temp_with(path: &Path, mut token: impl FnMut() -> String) -> io::Result<(PathBuf, File)> {
    let name = file_name(path)?;
    for _ in 0..TEMP_ATTEMPTS {
        let tmp = parent(path).join(temp_name(name, &token()));
        let opened = OpenOptions::new()
            .write(true)
            .create_new(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .mode(0o644)
            .open(&tmp);
        match opened {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "every temp name tried beside the proxy file was already taken",
    ))
}

/// `.iprep_proxy.conf.<token>.tmp`: hidden, beside the file, and recognisable at start.
fn temp_name(name: &str, token: &str) -> String {
    format!(".{name}.{token}.tmp")
}

/// Whether `candidate` is one of our temp names for the file called `name`: the random
/// (hex) names of today and the pid (decimal) names of older versions alike.
fn is_temp_name(name: &str, candidate: &str) -> bool {
    candidate
        .strip_prefix('.')
        .and_then(|rest| rest.strip_prefix(name))
        .and_then(|rest| rest.strip_prefix('.'))
        .and_then(|rest| rest.strip_suffix(".tmp"))
        .is_some_and(|token| {
            (1..=32).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_hexdigit())
        })
}

fn random_token() -> String {
    let mut bytes = [0u8; 8];
    // Without the OS's random source the clock still gives a name nobody can plant ahead
    // of time often enough to matter: O_EXCL makes a clash a retry, never a write.
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        bytes = (nanos as u64 ^ u64::from(std::process::id())).to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Remove the temp files crashed saves left beside `path`: only names of our pattern, only
/// regular files (a link of that name is removed as a link, never followed). Returns how
/// many were removed.
pub fn remove_stale_temps(path: &Path) -> io::Result<usize> {
    let name = file_name(path)?;
    let mut removed = 0;
    for entry in fs::read_dir(parent(path))? {
        let entry = entry?;
        let candidate = entry.file_name();
        let Some(candidate) = candidate.to_str() else {
            continue;
        };
        // file_type() does not follow links: a link is not a regular file.
        if is_temp_name(name, candidate) && entry.file_type()?.is_file() {
            match fs::remove_file(entry.path()) {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(removed)
}

/// The proxy file as found, read without following a link.
#[derive(Debug, PartialEq, Eq)]
pub enum Current {
    Absent,
    Text(String),
    /// A symbolic link: not followed, so its target is neither read nor written.
    Link,
    /// A directory, FIFO, device…: not read.
    NotRegular,
}

/// More than any proxy file; a bigger one is not ours and is not read whole.
const READ_LIMIT: u64 = 64 * 1024;

/// Read the file at `path` without following a link (`O_NOFOLLOW`) and only if it is a
/// regular file (a FIFO would block, a device would not end).
pub fn read_no_follow(path: &Path) -> io::Result<Current> {
    let opened = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path);
    let file = match opened {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Current::Absent),
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Ok(Current::Link),
        Err(e) => return Err(e),
    };
    if !file.metadata()?.is_file() {
        return Ok(Current::NotRegular);
    }
    let mut bytes = Vec::new();
    file.take(READ_LIMIT).read_to_end(&mut bytes)?;
    Ok(Current::Text(String::from_utf8_lossy(&bytes).into_owned()))
}

/// The file as the Diagnostics panel's `cat` shows it: its text, or why there is none.
pub fn read_for_display(path: &Path) -> Result<String, String> {
    match read_no_follow(path) {
        Ok(Current::Text(text)) => Ok(text),
        Ok(Current::Absent) => Err("No such file or directory".to_owned()),
        Ok(Current::Link) => Err("is a symbolic link (not followed)".to_owned()),
        Ok(Current::NotRegular) => Err("not a regular file (not read)".to_owned()),
        Err(e) => Err(e.to_string()),
    }
}

fn file_name(path: &Path) -> io::Result<&str> {
    path.file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| io::Error::other("the proxy file path has no UTF-8 file name"))
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
    use crate::settings::fields::{Port, ProxyHost, UserName};

    fn on(host: &str, port: u16) -> ProxyConfig {
        ProxyConfig {
            enabled: true,
            host: ProxyHost::parse(host).ok(),
            port: Port::new(port),
            use_auth: true,
            username: UserName::parse("proxyuser").ok(),
            password: Some(Secret::new("hunter2")),
            targets: Vec::new(),
            trusted_ca: Vec::new(),
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
        assert_eq!(listing().len(), 2, "the temp file beside the old one");
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

    #[test]
    fn a_name_already_taken_is_retried_never_truncated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("iprep_proxy.conf");
        let taken = dir.path().join(temp_name("iprep_proxy.conf", "aaaa"));
        fs::write(&taken, "someone else's").unwrap();
        let mut tokens = ["aaaa", "bbbb"].into_iter();
        let (tmp, _file) = create_temp_with(&path, || tokens.next().unwrap().to_owned()).unwrap();
        assert_eq!(tmp, dir.path().join(temp_name("iprep_proxy.conf", "bbbb")));
        assert_eq!(fs::read_to_string(&taken).unwrap(), "someone else's");
    }

    #[test]
    fn a_link_at_the_temp_name_is_not_followed_even_dangling() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("iprep_proxy.conf");
        let victim = dir.path().join("victim");
        let dangling = dir.path().join("not-yet");
        std::os::unix::fs::symlink(
            &victim,
            dir.path().join(temp_name("iprep_proxy.conf", "aa")),
        )
        .unwrap();
        std::os::unix::fs::symlink(
            &dangling,
            dir.path().join(temp_name("iprep_proxy.conf", "bb")),
        )
        .unwrap();
        fs::write(&victim, "keep").unwrap();
        let mut tokens = ["aa", "bb", "cc"].into_iter();
        let (tmp, _file) = create_temp_with(&path, || tokens.next().unwrap().to_owned()).unwrap();
        assert!(tmp.ends_with(".iprep_proxy.conf.cc.tmp"));
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");
        assert!(
            !dangling.exists(),
            "no file created through a dangling link"
        );
    }

    #[test]
    fn a_directory_full_of_planted_names_fails_instead_of_writing_through_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("iprep_proxy.conf");
        fs::write(dir.path().join(temp_name("iprep_proxy.conf", "aa")), "x").unwrap();
        let err = create_temp_with(&path, || "aa".to_owned()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(
            fs::read_to_string(dir.path().join(".iprep_proxy.conf.aa.tmp")).unwrap(),
            "x"
        );
    }

    #[test]
    fn links_planted_at_the_old_temp_name_and_at_the_target_are_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("iprep_proxy.conf");
        let victim = dir.path().join("shadow");
        fs::write(&victim, "secret\n").unwrap();
        fs::set_permissions(&victim, fs::Permissions::from_mode(0o600)).unwrap();
        // What the old code opened with O_TRUNC and chmod-ed 0644.
        let old_name = dir
            .path()
            .join(format!(".iprep_proxy.conf.{}.tmp", std::process::id()));
        std::os::unix::fs::symlink(&victim, &old_name).unwrap();
        std::os::unix::fs::symlink(&victim, &path).unwrap();

        sync(&path, &on("proxy.example.com", 3128)).unwrap();

        assert_eq!(fs::read_to_string(&victim).unwrap(), "secret\n");
        let mode = fs::metadata(&victim).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the victim's mode is untouched");
        let meta = fs::symlink_metadata(&path).unwrap();
        assert!(
            meta.is_file(),
            "the link at the target was replaced, not followed"
        );
        assert!(
            fs::read_to_string(&path)
                .unwrap()
                .contains("proxy.example.com")
        );
        assert!(fs::symlink_metadata(&old_name).unwrap().is_symlink());
    }

    #[test]
    fn a_link_whose_target_already_says_the_same_is_still_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("iprep_proxy.conf");
        let elsewhere = dir.path().join("elsewhere");
        fs::write(&elsewhere, render(&on("p.example.com", 80)).unwrap()).unwrap();
        std::os::unix::fs::symlink(&elsewhere, &path).unwrap();
        sync(&path, &on("p.example.com", 80)).unwrap();
        assert!(fs::symlink_metadata(&path).unwrap().is_file());
    }

    #[test]
    fn the_file_is_read_without_following_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("iprep_proxy.conf");
        assert_eq!(read_no_follow(&path).unwrap(), Current::Absent);
        let victim = dir.path().join("victim");
        fs::write(&victim, "secret").unwrap();
        std::os::unix::fs::symlink(&victim, &path).unwrap();
        assert_eq!(read_no_follow(&path).unwrap(), Current::Link);
        let shown = read_for_display(&path).unwrap_err();
        assert!(shown.contains("symbolic link"), "{shown}");
        fs::remove_file(&path).unwrap();
        fs::create_dir(&path).unwrap();
        assert_eq!(read_no_follow(&path).unwrap(), Current::NotRegular);
        fs::remove_dir(&path).unwrap();
        fs::write(&path, "iprep_proxy {}\n").unwrap();
        assert_eq!(
            read_no_follow(&path).unwrap(),
            Current::Text("iprep_proxy {}\n".to_owned())
        );
    }

    #[test]
    fn temp_names_are_recognised_old_and_new_and_nothing_else() {
        let name = "iprep_proxy.conf";
        assert!(is_temp_name(name, ".iprep_proxy.conf.4242.tmp"));
        assert!(is_temp_name(name, ".iprep_proxy.conf.00ff17a9c3d2e4b1.tmp"));
        assert!(is_temp_name(name, &temp_name(name, &random_token())));
        for other in [
            "iprep_proxy.conf",
            ".iprep_proxy.conf..tmp",
            ".iprep_proxy.conf.x1.tmp",
            ".iprep_proxy.conf.12.tmp.bak",
            ".other.conf.12.tmp",
            ".iprep_proxy.conf.12.tmp/..",
        ] {
            assert!(!is_temp_name(name, other), "{other}");
        }
    }

    #[test]
    fn stale_temp_files_are_removed_but_links_and_other_files_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("iprep_proxy.conf");
        fs::write(&path, "current").unwrap();
        fs::write(dir.path().join(".iprep_proxy.conf.123.tmp"), "crashed").unwrap();
        fs::write(
            dir.path().join(".iprep_proxy.conf.0a1b2c3d4e5f6071.tmp"),
            "x",
        )
        .unwrap();
        fs::write(dir.path().join(".other.conf.123.tmp"), "not ours").unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, "keep").unwrap();
        let link = dir.path().join(".iprep_proxy.conf.777.tmp");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        fs::create_dir(dir.path().join(".iprep_proxy.conf.888.tmp")).unwrap();

        assert_eq!(remove_stale_temps(&path).unwrap(), 2);

        let mut left: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                ".iprep_proxy.conf.777.tmp",
                ".iprep_proxy.conf.888.tmp",
                ".other.conf.123.tmp",
                "iprep_proxy.conf",
                "victim"
            ]
        );
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");
    }

    #[test]
    fn a_directory_at_the_files_place_fails_the_staging_not_the_publish() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("iprep_proxy.conf");
        fs::create_dir(&path).unwrap();
        for config in [on("p.example.com", 80), ProxyConfig::default()] {
            let err = stage(&path, &config).unwrap_err();
            assert_eq!(err.raw_os_error(), Some(libc::EISDIR));
        }
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "no temp file");
    }
}
