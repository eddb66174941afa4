//! Shared test helpers: each file owns one kind of peer.
#![allow(dead_code)]

pub mod app;
pub mod binary;
pub mod browser;
