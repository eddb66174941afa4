//! Any host and port the form accepts, written to iprep_proxy.conf, read back unchanged.
#![no_main]

use fmc_mgmt::settings::conf_file;
use fmc_mgmt::settings::form::ProxyForm;
use fmc_mgmt::settings::ProxyConfig;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: (String, String)| {
    let (host, port) = data;
    let form = ProxyForm { enabled: true, host, port, ..ProxyForm::default() };
    if let Ok(settings) = form.parse(false) {
        let config = settings.apply_to(&ProxyConfig::default());
        let text = conf_file::render(&config).expect("enabled and complete");
        assert_eq!(conf_file::parse(&text), Some((config.host.clone().unwrap(), config.port.unwrap())));
    }
});
