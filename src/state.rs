//! The shared application state, cloned cheaply into every handler.

use std::sync::Arc;

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
    /// Connection cap and timeouts of the accept loop.
    pub connections: crate::listen::Limits,
    /// Host names answered besides IP literals and localhost (`--allowed-host`).
    pub allowed_hosts: crate::allowed_hosts::AllowedHosts,
}

/// What every handler shares. Requests clone the state several times (extractors, layers),
/// so it is one reference count to bump, not one per part.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        AppState(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

#[derive(Debug)]
pub struct Shared {
    pub store: Store,
    pub server: Arc<ServerSettings>,
    pub throttle: Arc<Throttle>,
    pub tester: Arc<crate::tester::Tester>,
    pub host: Arc<crate::host::HostCache>,
    /// Where signed-in requests read their session (crate::signed_in).
    pub signed_in: crate::signed_in::SignedIn,
    /// The page's Diagnostics panel, per revision.
    pub diagnostics: crate::recent::Recent<i64, crate::host::Diagnostics>,
}
