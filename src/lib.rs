//! fmc-mgmt: the FMC "Management Interfaces" page, centred on the outbound HTTP proxy.

pub mod probe;
pub mod secret;
