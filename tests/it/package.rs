//! The Debian package (issue 15, items 7–8): `cargo deb` packs the binary these tests
//! built, and the package is taken apart in a throw-away root (`dpkg -x`, `dpkg-deb`) to
//! check its files, modes, conffiles, maintainer scripts, the unit's sandbox and that
//! `systemd-analyze verify` accepts the unit as installed.
//!
//! Building the package on the test binary (copied to a private target dir as
//! `release/fmc-mgmt`, stripped, `cargo deb --no-build --fast`) takes seconds; a release
//! build would add minutes and checks nothing more about the package. What goes in, and
//! where, comes from `[package.metadata.deb]` and packaging/ exactly as for `cargo deb`.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CARGO_DEB_HINT: &str =
    "cargo-deb is missing: cargo install cargo-deb --locked --version 3.8.0 (scripts/test does)";

/// The package, built once for all the checks below.
#[test]
fn the_deb_installs_the_binary_the_sandboxed_unit_and_the_defaults() {
    let work = tempfile::tempdir().unwrap();
    let deb = build_deb(work.path());
    let root = work.path().join("root");
    run(Command::new("dpkg").arg("-x").arg(&deb).arg(&root));

    check_files_and_modes(&root);
    check_listing(&deb);
    check_control(&deb, work.path());
    check_unit(&root.join("usr/lib/systemd/system/fmc-mgmt.service"));
    check_unit_verifies(&root, work.path());
    check_system_user(&root);
    check_defaults_name_every_setting(&root);
    check_binary_runs(&root);
}

/// `cargo deb --no-build` on a stripped copy of the test binary, into `work`.
fn build_deb(work: &Path) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let has_cargo_deb = Command::new(&cargo)
        .args(["deb", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(has_cargo_deb, "{CARGO_DEB_HINT}");

    let target = work.join("target");
    std::fs::create_dir_all(target.join("release")).unwrap();
    // Stripped as the release profile strips (`strip = true`): a third of the size, so
    // compressing it is quick.
    run(Command::new("strip")
        .arg("-o")
        .arg(target.join("release/fmc-mgmt"))
        .arg(env!("CARGO_BIN_EXE_fmc-mgmt")));

    let deb = work.join("fmc-mgmt.deb");
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    run(Command::new(&cargo)
        .args([
            "deb",
            "--no-build",
            "--fast",
            "--offline",
            "--manifest-path",
        ])
        .arg(&manifest)
        .arg("--output")
        .arg(&deb)
        .env("CARGO_TARGET_DIR", &target));
    deb
}

/// Every file an admin relies on is there with its mode (the owner is root: see the listing).
fn check_files_and_modes(root: &Path) {
    for (path, want) in [
        ("usr/bin/fmc-mgmt", 0o755),
        ("usr/lib/systemd/system/fmc-mgmt.service", 0o644),
        ("usr/lib/sysusers.d/fmc-mgmt.conf", 0o644),
        ("etc/default/fmc-mgmt", 0o644),
        ("usr/share/doc/fmc-mgmt/README.md", 0o644),
        ("usr/share/doc/fmc-mgmt/copyright", 0o644),
    ] {
        let meta = std::fs::metadata(root.join(path))
            .unwrap_or_else(|e| panic!("the package lacks /{path}: {e}"));
        assert!(meta.is_file(), "/{path} is not a regular file");
        let mode = meta.permissions().mode() & 0o7777;
        assert_eq!(mode, want, "/{path} has mode {mode:o}, not {want:o}");
    }
}

/// `dpkg-deb -c`: what dpkg will install is owned by root (dpkg -x keeps only the modes).
fn check_listing(deb: &Path) {
    let listing = stdout(Command::new("dpkg-deb").arg("-c").arg(deb));
    for line in listing.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(fields.get(1), Some(&"0/0"), "not owned by root: {line}");
    }
    let binary = listing
        .lines()
        .find(|l| l.ends_with("./usr/bin/fmc-mgmt"))
        .unwrap_or_else(|| panic!("no /usr/bin/fmc-mgmt in:\n{listing}"));
    assert!(binary.starts_with("-rwxr-xr-x "), "{binary}");
}

/// The control part: the defaults file is a conffile (an upgrade keeps the admin's edits),
/// the package needs systemd, and the maintainer scripts make the user and the data
/// directory, enable the unit, and do not start it on a first install.
fn check_control(deb: &Path, work: &Path) {
    let control = work.join("control");
    run(Command::new("dpkg-deb").arg("-e").arg(deb).arg(&control));
    let read = |name: &str| std::fs::read_to_string(control.join(name)).unwrap();

    let conffiles: Vec<String> = read("conffiles").lines().map(str::to_owned).collect();
    assert_eq!(conffiles, ["/etc/default/fmc-mgmt"]);

    let fields = stdout(Command::new("dpkg-deb").arg("-I").arg(deb));
    assert!(fields.contains("Package: fmc-mgmt"), "{fields}");
    let depends = fields
        .lines()
        .find(|l| l.trim_start().starts_with("Depends:"));
    let depends = depends.unwrap_or_else(|| panic!("no Depends in:\n{fields}"));
    assert!(
        depends.contains("systemd") && depends.contains("libc6"),
        "{depends}"
    );

    let postinst = read("postinst");
    for needed in [
        "systemd-sysusers",
        "fmc-mgmt.conf",
        "deb-systemd-helper enable fmc-mgmt.service",
        "install -d -m 0700 -o fmc-mgmt -g fmc-mgmt /var/lib/fmc-mgmt",
    ] {
        assert!(
            postinst.contains(needed),
            "postinst lacks {needed:?}:\n{postinst}"
        );
    }
    // Started only by the admin, after setting the password; restarted on upgrades only.
    assert!(!postinst.contains("deb-systemd-invoke start"), "{postinst}");
    assert!(!postinst.contains("#DEBHELPER#"), "{postinst}");
    assert!(read("postrm").contains("rm -rf /var/lib/fmc-mgmt"));
    for script in ["postinst", "prerm", "postrm"] {
        let path = control.join(script);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o755, "{script} has mode {mode:o}");
        run(Command::new("sh").arg("-n").arg(&path));
    }
}

/// The sandbox lines the issue names, with their values, in the installed unit.
fn check_unit(unit: &Path) {
    let text = std::fs::read_to_string(unit).unwrap();
    let service = section(&text, "Service");
    for (key, want) in [
        ("User", "fmc-mgmt"),
        ("StateDirectory", "fmc-mgmt"),
        ("StateDirectoryMode", "0700"),
        ("Environment", "FMC_DATA_DIR=/var/lib/fmc-mgmt"),
        ("EnvironmentFile", "-/etc/default/fmc-mgmt"),
        ("ExecStart", "/usr/bin/fmc-mgmt serve"),
        ("ProtectSystem", "strict"),
        ("ProtectHome", "yes"),
        ("PrivateTmp", "yes"),
        ("NoNewPrivileges", "yes"),
        ("CapabilityBoundingSet", ""),
        ("AmbientCapabilities", ""),
        ("ProtectKernelTunables", "yes"),
        (
            "RestrictAddressFamilies",
            "AF_INET AF_INET6 AF_UNIX AF_NETLINK",
        ),
    ] {
        let got = service.get(key).map(Vec::as_slice).unwrap_or_default();
        assert!(
            got.iter().any(|v| v == want),
            "[Service] {key}={want} is missing (has {got:?})"
        );
    }
    // The data directory, where the proxy file lives by default, is the one writable place
    // besides FMC's own /etc/sf; a DynamicUser would own files `runuser` cannot reach.
    assert_eq!(service["ReadWritePaths"], ["/var/lib/fmc-mgmt", "-/etc/sf"]);
    assert!(!service.contains_key("DynamicUser"));
    // Its own UTS namespace would freeze the hostname the page shows.
    assert!(!service.contains_key("ProtectHostname"));
    assert_eq!(section(&text, "Install")["WantedBy"], ["multi-user.target"]);
}

/// `systemd-analyze verify` on the installed unit, with ExecStart pointing into the
/// throw-away root (verify checks that the program exists and is executable). It exits 0
/// on unknown keys and bad values, only printing them, so any line about the unit fails.
fn check_unit_verifies(root: &Path, work: &Path) {
    let unit =
        std::fs::read_to_string(root.join("usr/lib/systemd/system/fmc-mgmt.service")).unwrap();
    let binary = root.join("usr/bin/fmc-mgmt");
    let rooted = unit.replace(
        "ExecStart=/usr/bin/fmc-mgmt",
        &format!("ExecStart={}", binary.display()),
    );
    assert_ne!(
        rooted, unit,
        "no ExecStart=/usr/bin/fmc-mgmt to point into the root"
    );
    let dir = work.join("verify");
    std::fs::create_dir(&dir).unwrap();
    let copy = dir.join("fmc-mgmt.service");
    std::fs::write(&copy, rooted).unwrap();

    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&copy)
        .output()
        .unwrap_or_else(|e| panic!("systemd-analyze: {e} (apt-get install systemd)"));
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "systemd-analyze verify failed:\n{said}"
    );
    let about_unit: Vec<&str> = said.lines().filter(|l| l.contains("fmc-mgmt")).collect();
    assert!(
        about_unit.is_empty(),
        "systemd-analyze verify: {about_unit:#?}"
    );
}

/// The package's sysusers.d file makes a system user whose home is the data directory and
/// who cannot log in, in the throw-away root's /etc/passwd (as postinst does on install).
fn check_system_user(root: &Path) {
    run(Command::new("systemd-sysusers")
        .arg(format!("--root={}", root.display()))
        .arg(root.join("usr/lib/sysusers.d/fmc-mgmt.conf")));
    let passwd = std::fs::read_to_string(root.join("etc/passwd")).unwrap();
    let entry = passwd
        .lines()
        .find(|l| l.starts_with("fmc-mgmt:"))
        .unwrap_or_else(|| panic!("no fmc-mgmt user in:\n{passwd}"));
    let fields: Vec<&str> = entry.split(':').collect();
    let uid: u32 = fields[2].parse().unwrap();
    assert!((1..1000).contains(&uid), "not a system user: {entry}");
    assert_eq!(
        fields[5..],
        ["/var/lib/fmc-mgmt", "/usr/sbin/nologin"],
        "{entry}"
    );
}

/// The defaults file is all comments, and names every FMC_* variable of `--help` (a new
/// flag needs its line in packaging/fmc-mgmt.default) and no variable the binary lacks.
fn check_defaults_name_every_setting(root: &Path) {
    let defaults = std::fs::read_to_string(root.join("etc/default/fmc-mgmt")).unwrap();
    for line in defaults.lines() {
        assert!(
            line.is_empty() || line.starts_with('#'),
            "not commented out: {line}"
        );
    }
    let named: Vec<&str> = defaults
        .lines()
        .filter_map(|l| l.strip_prefix('#')?.split_once('=').map(|(k, _)| k))
        .filter(|k| k.starts_with("FMC_"))
        .collect();
    let help = stdout(Command::new(env!("CARGO_BIN_EXE_fmc-mgmt")).arg("--help"));
    let variables = env_variables(&help);
    assert!(
        variables.len() >= 15,
        "too few [env: …] in --help: {variables:?}"
    );
    for var in &variables {
        assert!(
            named.contains(&var.as_str()),
            "packaging/fmc-mgmt.default lacks #{var}="
        );
    }
    for var in named {
        assert!(
            variables.iter().any(|v| v == var),
            "{var} is no setting of fmc-mgmt"
        );
    }
}

/// The packaged binary is a working fmc-mgmt.
fn check_binary_runs(root: &Path) {
    let version = stdout(Command::new(root.join("usr/bin/fmc-mgmt")).arg("--version"));
    assert_eq!(
        version.trim(),
        format!("fmc-mgmt {}", env!("CARGO_PKG_VERSION"))
    );
}

/// `key = [values…]` of one `[name]` section of a unit file, in order (keys repeat).
fn section(unit: &str, name: &str) -> BTreeMap<String, Vec<String>> {
    let header = format!("[{name}]");
    let mut inside = false;
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in unit.lines().map(str::trim) {
        if line.starts_with('[') {
            inside = line == header;
        } else if inside && !line.starts_with('#') {
            if let Some((key, value)) = line.split_once('=') {
                out.entry(key.trim().to_owned())
                    .or_default()
                    .push(value.trim().to_owned());
            }
        }
    }
    out
}

/// The `FMC_*` names in `--help`'s `[env: NAME=]` lines.
fn env_variables(help: &str) -> Vec<String> {
    help.split("[env: ")
        .skip(1)
        .filter_map(|rest| rest.split_once('=').map(|(name, _)| name.to_owned()))
        .collect()
}

fn run(command: &mut Command) -> Output {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        out.status.success(),
        "{command:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stdout(command: &mut Command) -> String {
    String::from_utf8(run(command).stdout).unwrap()
}

#[test]
fn section_reads_repeated_keys_and_empty_values_of_one_section_only() {
    let unit = "[Unit]\nUser=x\n[Service]\n# User=y\nUser=z\nA=\nA=b c\n[Install]\nA=d\n";
    let service = section(unit, "Service");
    assert_eq!(service["User"], ["z"]);
    assert_eq!(service["A"], ["", "b c"]);
    assert_eq!(service.len(), 2);
}
