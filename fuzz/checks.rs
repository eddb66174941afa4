//! What each fuzz target checks, shared by the fuzz targets (`fuzz/fuzz_targets/`) and by
//! `tests/it/fuzz_regressions.rs`, which replays every saved input in `fuzz/regressions/`.

use fmc_mgmt::probe::auth::{Choice, answer, read_challenges};
use fmc_mgmt::probe::head::{HeadParser, Progress};
use fmc_mgmt::secret::Secret;
use fmc_mgmt::settings::ProxyConfig;
use fmc_mgmt::settings::conf_file;
use fmc_mgmt::settings::fields::{Port, ProxyHost, UserName};
use fmc_mgmt::settings::form::ProxyForm;
use fmc_mgmt::web::form_body::FormBody;

/// A posted Proxy form, raw bytes: strict body parsing, then validation. Whatever is
/// accepted must render a proxy file that parses back to the same host and port.
pub fn form_parse(data: &[u8]) {
    let Ok(fields) = FormBody::parse(data) else {
        return;
    };
    let Ok([host, port, username]) = fields.require(["host", "port", "username"]) else {
        return;
    };
    let (Ok(enabled), Ok(use_auth)) = (fields.checkbox("enabled"), fields.checkbox("use_auth"))
    else {
        return;
    };
    let form = ProxyForm {
        enabled,
        host,
        port,
        use_auth,
        username,
        password: fields.text("password"),
        confirm_password: fields.text("confirm_password"),
        targets: fields.text("targets"),
        ca_pem: fields.text("ca_pem"),
        ..ProxyForm::default()
    };
    // Nothing stored, and a password stored for exactly these values.
    let with_password = ProxyConfig {
        host: ProxyHost::parse(&form.host).ok(),
        port: Port::parse(&form.port).ok(),
        username: UserName::parse(&form.username).ok(),
        password: Some(fmc_mgmt::secret::Secret::new("stored")),
        ..ProxyConfig::default()
    };
    for stored in [ProxyConfig::default(), with_password] {
        if let Ok(settings) = form.parse(&stored) {
            let config = settings.apply_to(&ProxyConfig::default());
            if let Some(text) = conf_file::render(&config) {
                assert_eq!(text.lines().count(), 4, "{text:?}");
                assert_eq!(
                    conf_file::parse(&text),
                    config
                        .active_endpoint()
                        .map(|(h, p)| (h.to_string(), p.get()))
                );
            }
            if let Some(user) = &config.username {
                assert!(!user.contains(':') && !user.chars().any(char::is_control));
            }
        }
    }
}

/// The proxy's answer to CONNECT in pieces of the size the first byte gives: never a
/// panic, never more than the 16 KiB cap held, the bytes after the head handed on intact.
pub fn connect_head(data: &[u8]) {
    let Some((&split, bytes)) = data.split_first() else {
        return;
    };
    let mut parser = HeadParser::new();
    let capacity = parser.capacity();
    let step = usize::from(split).max(1);
    let mut fed = 0;
    for chunk in bytes.chunks(step) {
        fed += chunk.len();
        match parser.push(chunk) {
            Ok(Progress::NeedMore) => {
                assert!(parser.buffered() <= 16 * 1024);
                assert_eq!(parser.capacity(), capacity, "the buffer never grows");
            }
            Ok(Progress::Done { head, rest }) => {
                let _ = head.status_line();
                assert!(bytes[..fed].ends_with(&rest));
                return;
            }
            Err(_) => return,
        }
    }
}

/// Proxy-Authenticate values, one per line: parsing, choosing and answering never panic.
pub fn proxy_authenticate(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut challenges = read_challenges(text.split('\n'));
    if !matches!(challenges.choice, Choice::OnlyNtlm | Choice::Unsupported) {
        let _ = answer(
            &mut challenges.choice,
            "user",
            &Secret::new("p@ss:w0rd!#%&"),
            "tools.cisco.com:443",
        );
    }
}

/// Host and port (split at the first NUL): if the form accepts them, the written file
/// reads back unchanged.
pub fn conf_roundtrip(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (host, port) = text.split_once('\0').unwrap_or((text, "80"));
    let form = ProxyForm {
        enabled: true,
        host: host.into(),
        port: port.into(),
        ..ProxyForm::default()
    };
    if let Ok(settings) = form.parse(&ProxyConfig::default()) {
        let config = settings.apply_to(&ProxyConfig::default());
        let text = conf_file::render(&config).expect("enabled and complete");
        assert_eq!(
            conf_file::parse(&text),
            config
                .active_endpoint()
                .map(|(h, p)| (h.to_string(), p.get()))
        );
    }
}
