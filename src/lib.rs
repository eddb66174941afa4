//! fmc-mgmt: the FMC "Management Interfaces" page, centred on the outbound HTTP proxy.

pub mod secret;
pub mod config;
pub mod db;
pub mod settings;
