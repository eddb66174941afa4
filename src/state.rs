//! The shared application state, cloned cheaply into every handler.

use std::sync::Arc;

use axum::extract::FromRef;

use crate::auth::sessions::SessionPolicy;
use crate::auth::throttle::Throttle;
use crate::settings::store::Store;

/// Server-wide settings that handlers read but never change.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    pub session_policy: SessionPolicy,
    /// Mark cookies `Secure` (the UI is served over TLS).
    pub secure_cookies: bool,
    /// Serve HTTPS with this configuration.
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

#[derive(Clone, Debug, FromRef)]
pub struct AppState {
    pub store: Store,
    pub server: Arc<ServerSettings>,
    pub throttle: Arc<Throttle>,
    pub tester: Arc<crate::tester::Tester>,
    pub host: Arc<crate::host::HostCache>,
}
