//! The support bundle (SPEC §6): what a support case needs about the proxy — the last
//! test's reports, iprep_proxy.conf, the netstat lines, the host facts, the last revisions
//! and tests — read at request time and packed as a `.tar.gz`, with every secret masked.
//!
//! Secrets are kept out twice: no file is made from anything that holds one (revisions say
//! `password_set`, tests never stored a password, the proxy file's password statements are
//! masked, sessions, API tokens, the admin's hash and the key are never read), and then every
//! known proxy password, in every form it could be written in, is scrubbed from every file.

use std::io::Write as _;
use std::sync::Arc;

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::host::{Diagnostics, HostCache, HostFacts};
use crate::locale::{self, Lang};
use crate::probe::render_text;
use crate::settings::store::{Revision, Store};
use crate::settings::{Change, conf_file};
use crate::tests_log::{self, TestRecord};

/// Revisions in the bundle, newest first.
pub const REVISIONS: i64 = 50;
/// Tests in the bundle, newest first (fewer when they would pass [`MAX_BYTES`]).
pub const TESTS: i64 = 50;
/// The most the bundle's files may hold, uncompressed: the oldest tests are left out
/// beyond it, so a history of large reports cannot make a bundle of hundreds of MiB.
pub const MAX_BYTES: usize = 4 * 1024 * 1024;
/// What a scrubbed secret becomes.
const MASK: &str = "****";
/// Shorter secrets are not scrubbed byte by byte: they would match ordinary words and
/// numbers all over the files (which hold no password field anyway).
const SCRUB_MIN: usize = 4;

/// Everything the bundle is made of, read at one moment.
pub struct Gathered {
    pub at: OffsetDateTime,
    /// Newest first.
    pub revisions: Vec<Revision>,
    /// Newest first.
    pub tests: Vec<TestRecord>,
    pub diagnostics: Diagnostics,
    pub host: Arc<HostFacts>,
}

/// Read the database (revisions, tests), the proxy file (never through a link) and the
/// host now.
pub async fn gather(store: &Store, host: &HostCache) -> Result<Gathered, sqlx::Error> {
    let revisions = store.list(REVISIONS).await?;
    let tests = tests_log::list(store.pool(), TESTS).await?;
    let conf_path = store.conf_path().to_owned();
    let read_conf = move || conf_file::read_for_display(&conf_path);
    let config = revisions.first().map(|r| &r.config);
    let proxy = config.and_then(|c| Some((c.host.as_ref()?.to_string(), c.port?.get())));
    Ok(Gathered {
        at: OffsetDateTime::now_utc(),
        revisions,
        tests,
        diagnostics: Diagnostics::read(read_conf, proxy).await,
        host: host.facts().await,
    })
}

/// A finished bundle.
pub struct Bundle {
    /// `fmc-mgmt-support-<UTC time>`: the archive's folder and, with `.tar.gz`, its name.
    pub name: String,
    pub gz: Vec<u8>,
    /// Tests included.
    pub tests: usize,
}

/// Make the files, mask the secrets, pack them.
pub fn build(g: &Gathered) -> std::io::Result<Bundle> {
    let name = format!("fmc-mgmt-support-{}", stamp(g.at));
    let (files, tests) = files(g);
    let secrets = secrets(&g.revisions);
    let files: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .map(|(file, bytes)| (format!("{name}/{file}"), scrub(bytes, &secrets)))
        .collect();
    let mtime = u64::try_from(g.at.unix_timestamp()).unwrap_or(0);
    Ok(Bundle {
        gz: bundle(&name, &files, mtime)?,
        name,
        tests,
    })
}

/// `20260102T030405Z`: sorts by time and needs no quoting in a file name.
fn stamp(at: OffsetDateTime) -> String {
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// The bundle's files, by name inside its folder, and how many tests `tests.json` holds.
fn files(g: &Gathered) -> (Vec<(String, Vec<u8>)>, usize) {
    let last = g.tests.first();
    let mut files = vec![
        ("last-test.json".to_owned(), json(&last)),
        (
            "last-test.txt".to_owned(),
            last_test_text(last).into_bytes(),
        ),
    ];
    let conf = g.diagnostics.conf_text.as_ref().map(|t| mask_conf(t));
    if let Ok(text) = &conf {
        files.push(("iprep_proxy.conf".to_owned(), text.clone().into_bytes()));
    }
    files.push((
        "netstat.txt".to_owned(),
        netstat(&g.diagnostics).into_bytes(),
    ));
    files.push(("host.json".to_owned(), json(&host_json(&g.host))));
    let revisions: Vec<RevisionFacts> = g.revisions.iter().map(RevisionFacts::of).collect();
    files.push(("revisions.json".to_owned(), json(&revisions)));
    let used: usize = files.iter().map(|(_, b)| b.len()).sum();
    let (tests, kept) = fit_tests(&g.tests, MAX_BYTES.saturating_sub(used + 4096));
    files.push(("tests.json".to_owned(), tests));
    let readme = readme(g, kept, conf.err().cloned());
    files.insert(0, ("README.txt".to_owned(), readme.into_bytes()));
    (files, kept)
}

fn json(value: &impl Serialize) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(value).unwrap_or_default();
    out.push(b'\n');
    out
}

/// The readable account of the last test, report by report, as the CLI prints it.
fn last_test_text(last: Option<&TestRecord>) -> String {
    let say = |id: &str, args: &[(&str, String)]| locale::message(Lang::En, id, args);
    let Some(test) = last else {
        return say("support-no-test", &[]) + "\n";
    };
    let heading = say(
        "support-test-heading",
        &[
            ("id", test.id.to_string()),
            ("at", test.at.clone()),
            ("actor", test.actor.clone()),
        ],
    );
    let mut out = format!("{heading}\n\n");
    for report in &test.reports {
        out.push_str(&render_text(report));
        out.push_str("\n\n");
    }
    out
}

/// The proxy file with the value of any password statement masked. The file FMC reads has
/// no credentials (SPEC §4: host and port only), but a hand-edited one might.
pub fn mask_conf(text: &str) -> String {
    text.lines()
        .map(|line| {
            let body = line.trim_start();
            let key = body.split_whitespace().next().unwrap_or("");
            if key.to_ascii_uppercase().contains("PASS") {
                let indent = &line[..line.len() - body.len()];
                format!("{indent}{key} {MASK};\n")
            } else {
                format!("{line}\n")
            }
        })
        .collect()
}

/// The netstat lines as the Diagnostics panel shows them.
fn netstat(d: &Diagnostics) -> String {
    let mut out = format!("$ netstat -na | grep {}\n", d.proxy_label);
    for c in &d.connections {
        out.push_str(&format!(
            "tcp        0      0 {:<23} {:<23} {}\n",
            c.local, c.remote, c.state
        ));
    }
    out
}

fn host_json(h: &HostFacts) -> serde_json::Value {
    // The same facts the page shows (interfaces, both route tables, DNS, ICMPv6).
    serde_json::to_value(h).unwrap_or_default()
}

/// A revision as the API shows it: `password_set`, never the password.
#[derive(Serialize)]
struct RevisionFacts<'a> {
    revision: i64,
    created_at: &'a str,
    actor: &'a str,
    enabled: bool,
    host: Option<&'a str>,
    port: Option<u16>,
    use_auth: bool,
    username: Option<&'a str>,
    password_set: bool,
    /// A password change shows as `****`.
    changes: &'a [Change],
    rollback_of: Option<i64>,
}

impl<'a> RevisionFacts<'a> {
    fn of(r: &'a Revision) -> Self {
        RevisionFacts {
            revision: r.id,
            created_at: &r.created_at,
            actor: &r.actor,
            enabled: r.config.enabled,
            host: r.config.host.as_ref().map(|h| h.as_str()),
            port: r.config.port.map(|p| p.get()),
            use_auth: r.config.use_auth,
            username: r.config.username.as_ref().map(|u| u.as_str()),
            password_set: r.config.password.is_some(),
            changes: &r.changes,
            rollback_of: r.rollback_of,
        }
    }
}

/// The newest tests that fit in `budget` bytes, as a JSON array, and how many.
pub fn fit_tests(tests: &[TestRecord], budget: usize) -> (Vec<u8>, usize) {
    let mut out = b"[".to_vec();
    let mut kept = 0;
    for test in tests {
        let one = serde_json::to_vec_pretty(test).unwrap_or_default();
        // `,\n` before it, `\n]\n` after the last.
        if out.len() + 2 + one.len() + 3 > budget {
            break;
        }
        if kept > 0 {
            out.push(b',');
        }
        out.push(b'\n');
        out.extend_from_slice(&one);
        kept += 1;
    }
    out.extend_from_slice(b"\n]\n");
    (out, kept)
}

/// The README, in English whatever the admin's language: it is read by a support engineer.
fn readme(g: &Gathered, tests: usize, conf_missing: Option<String>) -> String {
    let say = |id: &str, args: &[(&str, String)]| locale::message(Lang::En, id, args);
    let mut out = say(
        "support-readme",
        &[
            ("version", env!("CARGO_PKG_VERSION").to_owned()),
            ("at", g.at.format(&Rfc3339).unwrap_or_default()),
            ("revisions", g.revisions.len().to_string()),
            ("tests", tests.to_string()),
        ],
    );
    if tests < g.tests.len() {
        out.push_str(&say(
            "support-readme-tests-cut",
            &[
                ("kept", tests.to_string()),
                ("limit", (MAX_BYTES / (1024 * 1024)).to_string()),
            ],
        ));
    }
    if let Some(why) = conf_missing {
        out.push_str(&say("support-readme-no-conf", &[("why", why)]));
    }
    out.push('\n');
    out
}

/// Every form a stored proxy password could be written in: as typed, escaped in JSON, and
/// as the Basic credentials a proxy sees (`base64(user:password)`).
fn secrets(revisions: &[Revision]) -> Vec<String> {
    let mut out = Vec::new();
    for r in revisions {
        let Some(password) = r.config.password.as_ref().map(|p| p.expose()) else {
            continue;
        };
        out.push(password.to_owned());
        let quoted = serde_json::to_string(password).unwrap_or_default();
        out.push(quoted.trim_matches('"').to_owned());
        if let Some(user) = &r.config.username {
            out.push(base64(format!("{}:{password}", user.as_str()).as_bytes()));
        }
    }
    out.retain(|s| s.len() >= SCRUB_MIN);
    // Longest first, so a secret that holds another is masked whole.
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

/// `bytes` with every occurrence of each secret replaced by `****`.
pub fn scrub(bytes: Vec<u8>, secrets: &[String]) -> Vec<u8> {
    secrets.iter().fold(bytes, |bytes, secret| {
        let needle = secret.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut rest = &bytes[..];
        while let Some(at) = rest.windows(needle.len()).position(|w| w == needle) {
            out.extend_from_slice(&rest[..at]);
            out.extend_from_slice(MASK.as_bytes());
            rest = &rest[at + needle.len()..];
        }
        out.extend_from_slice(rest);
        out
    })
}

/// Standard base64 with padding (RFC 4648), as HTTP Basic uses it.
fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from_be_bytes([0, b[0], b[1], b[2]]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A `.tar.gz` of `files` (paths inside the archive), under the folder `dir`: POSIX ustar
/// entries, every file `0600` and owned by root, dated `mtime` (Unix seconds).
pub fn bundle(dir: &str, files: &[(String, Vec<u8>)], mtime: u64) -> std::io::Result<Vec<u8>> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&ustar_header(&format!("{dir}/"), 0, mtime, b'5', 0o700)?)?;
    for (name, bytes) in files {
        gz.write_all(&ustar_header(name, bytes.len() as u64, mtime, b'0', 0o600)?)?;
        gz.write_all(bytes)?;
        gz.write_all(&[0; 512][..padding(bytes.len())])?;
    }
    // The end of an archive: two zero blocks.
    gz.write_all(&[0; 1024])?;
    gz.finish()
}

/// Zero bytes that bring `len` to a whole 512-byte block.
fn padding(len: usize) -> usize {
    (512 - len % 512) % 512
}

/// One ustar header block. Names up to 100 bytes are all the bundle needs.
fn ustar_header(
    name: &str,
    size: u64,
    mtime: u64,
    kind: u8,
    mode: u32,
) -> std::io::Result<[u8; 512]> {
    if name.len() > 100 {
        return Err(std::io::Error::other(format!("tar name too long: {name}")));
    }
    let mut h = [0u8; 512];
    let mut put = |at: usize, bytes: &[u8]| h[at..at + bytes.len()].copy_from_slice(bytes);
    put(0, name.as_bytes());
    put(100, format!("{mode:07o}\0").as_bytes());
    put(108, b"0000000\0");
    put(116, b"0000000\0");
    put(124, format!("{size:011o}\0").as_bytes());
    put(136, format!("{mtime:011o}\0").as_bytes());
    // The checksum is counted with its own field as spaces.
    put(148, b"        ");
    put(156, &[kind]);
    put(257, b"ustar\0");
    put(263, b"00");
    put(265, b"root");
    put(297, b"root");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `tar -tvzf` of `gz`, and the files extracted into a temp dir.
    fn untar(gz: &[u8]) -> (String, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let archive = dir.path().join("b.tar.gz");
        std::fs::write(&archive, gz).unwrap();
        let run = |args: &[&str]| {
            let out = std::process::Command::new("tar")
                .args(args)
                .arg(&archive)
                .current_dir(dir.path())
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap()
        };
        let listing = run(&["-tvzf"]);
        run(&["-xzf"]);
        (listing, dir)
    }

    #[test]
    fn the_archive_reads_back_with_tar_byte_for_byte() {
        let big: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
        let files = vec![
            ("b/README.txt".to_owned(), b"hello\n".to_vec()),
            ("b/empty.json".to_owned(), Vec::new()),
            ("b/exactly-512".to_owned(), vec![b'x'; 512]),
            ("b/big.bin".to_owned(), big.clone()),
        ];
        let gz = bundle("b", &files, 1_700_000_000).unwrap();
        let (listing, dir) = untar(&gz);
        for (name, bytes) in &files {
            assert!(listing.contains(name.as_str()), "{listing}");
            assert_eq!(
                &std::fs::read(dir.path().join(name)).unwrap(),
                bytes,
                "{name}"
            );
        }
        assert!(listing.contains("-rw-------"), "files are 0600: {listing}");
        assert!(listing.contains("2023-11-14"), "dated mtime: {listing}");
    }

    #[test]
    fn a_name_tar_cannot_hold_is_refused_not_cut() {
        let long = format!("b/{}", "x".repeat(120));
        assert!(bundle("b", &[(long, vec![1])], 0).is_err());
    }

    #[test]
    fn base64_is_rfc_4648() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("u:p@ss:w0rd!#%&", "dTpwQHNzOncwcmQhIyUm"),
        ] {
            assert_eq!(base64(plain.as_bytes()), coded, "{plain}");
        }
    }

    #[test]
    fn scrubbing_masks_every_occurrence_and_nothing_else() {
        let secrets = vec!["hunter22".to_owned(), "dTpodW50ZXIyMg==".to_owned()];
        let text = b"a hunter22 b hunter22hunter22 c dTpodW50ZXIyMg== d hunter2".to_vec();
        assert_eq!(
            String::from_utf8(scrub(text, &secrets)).unwrap(),
            "a **** b ******** c **** d hunter2"
        );
    }

    #[test]
    fn a_password_statement_in_the_proxy_file_is_masked() {
        let text = "iprep_proxy {\n    PROXY_HOST 10.0.0.1;\n    PROXY_PORT 80;\n    \
                    PROXY_PASSWORD s3cret;\n    proxy_pass x;\n}";
        assert_eq!(
            mask_conf(text),
            "iprep_proxy {\n    PROXY_HOST 10.0.0.1;\n    PROXY_PORT 80;\n    \
             PROXY_PASSWORD ****;\n    proxy_pass ****;\n}\n"
        );
    }

    fn record(id: i64, pad: usize) -> TestRecord {
        TestRecord {
            id,
            at: "t".into(),
            actor: "x".repeat(pad),
            values: tests_log::TestedValues {
                enabled: true,
                host: None,
                port: None,
                use_auth: false,
                username: None,
            },
            ok: true,
            code: "ok".into(),
            reports: vec![],
        }
    }

    #[test]
    fn tests_are_cut_from_the_oldest_to_stay_within_the_budget() {
        let tests: Vec<TestRecord> = (0..10).rev().map(|i| record(i, 1000)).collect();
        let (all, n) = fit_tests(&tests, usize::MAX);
        assert_eq!(n, 10);
        let (cut, kept) = fit_tests(&tests, all.len() / 2);
        assert!(cut.len() <= all.len() / 2);
        assert!((4..=5).contains(&kept), "{kept}");
        let read: Vec<serde_json::Value> = serde_json::from_slice(&cut).unwrap();
        assert_eq!(read.len(), kept);
        assert_eq!(read[0]["id"], 9, "the newest kept");
        let (none, zero) = fit_tests(&tests, 10);
        assert_eq!(zero, 0);
        assert_eq!(
            serde_json::from_slice::<Vec<serde_json::Value>>(&none)
                .unwrap()
                .len(),
            0
        );
    }

    #[test]
    fn the_folder_is_named_for_the_utc_time() {
        let at = OffsetDateTime::from_unix_timestamp(1_767_323_045).unwrap();
        assert_eq!(stamp(at), "20260102T030405Z");
    }
}
