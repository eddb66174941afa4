//! Small file systems for fault tests: a read-only or a tiny tmpfs mounted on a test's own
//! directory, unmounted on drop. Needs root (CI runs as root); a non-root run fails with a
//! clear message rather than passing without testing.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Tmpfs {
    pub path: PathBuf,
}

impl Tmpfs {
    /// Mount a tmpfs with `options` (e.g. `ro,size=64k` or `size=256k`) on a new `path`.
    pub fn mount(path: PathBuf, options: &str) -> Tmpfs {
        std::fs::create_dir_all(&path).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(&path)
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            ok,
            "this fault test mounts a tmpfs (`mount -t tmpfs -o {options}`) and needs root"
        );
        Tmpfs { path }
    }

    /// Fill the file system until it has no space left.
    pub fn fill(&self) -> PathBuf {
        let filler = self.path.join("filler");
        let mut f = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 4096];
        use std::io::Write;
        while f.write_all(&block).is_ok() {}
        let _ = f.sync_all();
        filler
    }

    /// Fill the file system, then give back `bytes` (whole 4 KiB pages on tmpfs): a disk
    /// with exactly that much room left.
    pub fn fill_leaving(&self, bytes: u64) -> PathBuf {
        let filler = self.fill();
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(&filler)
            .unwrap();
        let len = f.metadata().unwrap().len();
        f.set_len(len.saturating_sub(bytes)).unwrap();
        f.sync_all().unwrap();
        filler
    }

    pub fn join(&self, name: impl AsRef<Path>) -> PathBuf {
        self.path.join(name)
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}
