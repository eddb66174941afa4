//! Proxy-Authenticate values, split into several headers: parsing and choosing a scheme,
//! then answering it, never panic.
#![no_main]

use fmc_mgmt::probe::auth::{answer, read_challenges, Choice};
use fmc_mgmt::secret::Secret;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let values: Vec<&str> = text.split('\n').collect();
    let mut challenges = read_challenges(values.iter().copied());
    if !matches!(challenges.choice, Choice::OnlyNtlm | Choice::Unsupported) {
        let _ = answer(&mut challenges.choice, "user", &Secret::new("p@ss:w0rd!#%&"), "tools.cisco.com:443");
    }
});
