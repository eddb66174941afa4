//! The shared application state, cloned cheaply into every handler.

use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::FromRef;

use crate::settings::store::Store;

/// Server-wide settings that handlers read but never change.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    /// Where Test connection reaches through the proxy, `host:port`.
    pub probe_target: String,
    pub ca_file: Option<PathBuf>,
}

#[derive(Clone, Debug, FromRef)]
pub struct AppState {
    pub store: Store,
    pub server: Arc<ServerSettings>,
}
