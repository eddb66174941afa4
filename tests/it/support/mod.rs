//! Shared test helpers: each file owns one kind of peer.

pub mod app;
pub mod binary;
pub mod browser;
pub mod chinese;
pub mod fake_proxy;
pub mod mounts;
pub mod origin;
pub mod probe;
pub mod squid;
pub mod tls_target;
