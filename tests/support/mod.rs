#![allow(dead_code)]

pub mod fake_proxy;
pub mod probe;
pub mod squid;
pub mod tls_target;
