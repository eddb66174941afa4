//! Every integration test in one crate, so the binary and the shared helpers are compiled
//! and linked once instead of once per file. One module per area; `support` holds the peers
//! (app, real binary, squid, fake proxy, TLS target, browser) the areas share.
//!
//! Run one area with a filter: `cargo nextest run --test it 'security::'`.

mod api;
mod binary;
mod browser;
mod browser_a11y;
mod browser_ca;
mod browser_probe;
mod concurrency;
mod connections;
mod crash;
mod faults;
mod fuzz_regressions;
mod history;
mod language;
mod package;
mod probe_cli;
mod probe_download;
mod probe_hostile;
mod probe_page;
mod probe_squid;
mod probe_wire;
mod properties;
mod proxy_page;
mod schedule_metrics;
mod security;
mod support;
mod support_bundle;
mod targets;
mod tls_ui;
mod trusted_ca;
