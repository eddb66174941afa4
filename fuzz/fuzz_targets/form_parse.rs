//! A posted Proxy form, raw bytes: strict body parsing, then validation. Whatever is accepted
//! must render a proxy file whose host line cannot break the block.
#![no_main]

use fmc_mgmt::settings::conf_file;
use fmc_mgmt::settings::form::ProxyForm;
use fmc_mgmt::settings::ProxyConfig;
use fmc_mgmt::web::form_body::FormBody;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(fields) = FormBody::parse(data) else { return };
    let Ok([host, port, username]) = fields.require(["host", "port", "username"]) else { return };
    let (Ok(enabled), Ok(use_auth)) = (fields.checkbox("enabled"), fields.checkbox("use_auth")) else { return };
    let form = ProxyForm {
        enabled,
        host,
        port,
        use_auth,
        username,
        password: fields.text("password"),
        confirm_password: fields.text("confirm_password"),
    };
    for stored in [false, true] {
        if let Ok(settings) = form.parse(stored) {
            let config = settings.apply_to(&ProxyConfig::default());
            if let Some(text) = conf_file::render(&config) {
                assert_eq!(text.lines().count(), 4, "{text:?}");
                let (h, p) = conf_file::parse(&text).expect("rendered file parses");
                assert_eq!(Some(h), config.host);
                assert_eq!(Some(p), config.port);
            }
            if let Some(user) = &config.username {
                assert!(!user.contains(':') && !user.chars().any(char::is_control));
            }
        }
    }
});
