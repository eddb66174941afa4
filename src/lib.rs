//! fmc-mgmt: the FMC "Management Interfaces" page, centred on the outbound HTTP proxy.
//!
//! `app(state)` builds the router; `serve(listener, state, shutdown)` runs it. Tests start
//! the real app on port 0 with these two and no sleeps.

pub mod allowed_hosts;
pub mod audit;
pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod endpoint;
pub mod error;
pub mod hex;
pub mod host;
pub mod listen;
pub mod locale;
pub mod metrics;
pub mod probe;
pub mod recent;
pub mod schedule;
pub mod secret;
pub mod secret_box;
pub mod settings;
pub mod signed_in;
pub mod state;
pub mod support_bundle;
pub mod tests_log;
pub mod tls;
pub mod web;

use std::future::Future;
use std::path::Path;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;

use config::Global;
use settings::store::Store;
use state::{AppState, ServerSettings, Shared};

/// The whole application with its cross-cutting layers.
pub fn app(state: AppState) -> Router {
    let allowed_hosts = state.server.allowed_hosts.clone();
    web::routes(state)
        // No request outlives a probe's longest run by much; slow clients cannot pin tasks.
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            std::time::Duration::from_secs(90),
        ))
        .layer(axum::middleware::from_fn_with_state(
            allowed_hosts,
            web::host_check::check,
        ))
        .layer(axum::middleware::from_fn(locale::from_browser))
        .layer(axum::middleware::from_fn(web::guard::security_headers))
        .layer(axum::middleware::from_fn(web::log_request))
}

/// Serve until `shutdown` resolves, then finish in-flight requests. HTTP and HTTPS share
/// one accept loop with its limits (`listen`).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let tls = state
        .server
        .tls
        .clone()
        .map(tokio_rustls::TlsAcceptor::from);
    let limits = state.server.connections;
    listen::serve(listener, app(state), tls, limits, shutdown).await
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Db(#[from] db::DbError),
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error("{0}")]
    ProbeTarget(String),
    #[error(transparent)]
    Key(#[from] secret_box::KeyError),
    #[error("cannot seal the stored proxy passwords: {0}")]
    Seal(sqlx::Error),
    #[error("cannot set the audit log's size (--audit-keep): {0}")]
    AuditKeep(sqlx::Error),
    #[error("cannot create the first admin account: {0}")]
    Admin(#[from] auth::users::BootstrapError),
}

/// Prepare everything `serve` needs from the command line: data directory (0700), database
/// (migrated), the proxy file made to agree with the database.
pub async fn prepare(global: &Global) -> Result<AppState, StartError> {
    create_data_dir(&global.data_dir).map_err(|source| StartError::DataDir {
        path: global.data_dir.display().to_string(),
        source,
    })?;
    let tls = match (&global.tls_cert, &global.tls_key, global.tls_self_signed) {
        (Some(cert), Some(key), _) => Some(tls::server_config(cert, key)?),
        (_, _, true) => {
            let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
            let (cert, key) = tls::self_signed(&global.data_dir, hostname.trim())?;
            Some(tls::server_config(&cert, &key)?)
        }
        _ => None,
    };
    let target = probe::hostport::parse_host_port(&global.probe_target).map_err(|e| {
        StartError::ProbeTarget(format!("--probe-target {}: {e}", global.probe_target))
    })?;
    let pool = db::connect(&global.database_path()).await?;
    let sealer = Arc::new(secret_box::SecretBox::load_or_create(
        &global.secret_key_path(),
    )?);
    let sealed = settings::store::seal_stored_passwords(&pool, &sealer)
        .await
        .map_err(StartError::Seal)?;
    if sealed > 0 {
        tracing::info!(revisions = sealed, "sealed proxy passwords stored in clear");
    }
    let store = Store::new(pool, global.proxy_conf_path(), sealer);
    reconcile_proxy_file(&store).await?;
    audit::set_keep(store.pool(), global.audit_keep)
        .await
        .map_err(StartError::AuditKeep)?;
    if let Some(generated) =
        auth::users::ensure_admin(store.pool(), global.admin_password.as_ref()).await?
    {
        // Shown once, here, and never stored in clear.
        eprintln!(
            "fmc-mgmt: created user 'admin' with password {} (set FMC_ADMIN_PASSWORD to choose it; \
             change it with `fmc-mgmt admin set-password admin`)",
            generated.expose()
        );
    }
    Ok(AppState::new(Shared {
        signed_in: signed_in::SignedIn::start(store.clone()),
        store,
        server: Arc::new(ServerSettings {
            session_policy: auth::sessions::SessionPolicy {
                idle: std::time::Duration::from_secs(global.session_idle_minutes * 60),
                ..Default::default()
            },
            secure_cookies: tls.is_some(),
            tls,
            connections: listen::Limits {
                max_connections: global.max_connections as usize,
                header_read: global.header_read_timeout,
                ..Default::default()
            },
            allowed_hosts: allowed_hosts::AllowedHosts::new(&global.allowed_hosts),
        }),
        throttle: Default::default(),
        host: Arc::new(host::HostCache::new(std::time::Duration::from_secs(5))),
        diagnostics: recent::Recent::new(std::time::Duration::from_secs(5)),
        tester: Arc::new(
            tester::Tester::new(
                target,
                global.ca_file.clone(),
                probe::Timeouts {
                    connect: global.probe_connect_timeout,
                    read: global.probe_read_timeout,
                    total: global.probe_max_time,
                },
            )
            // Next steps that say to read the proxy file name the one this server writes.
            .with_advice(probe::Advice {
                conf_path: global.proxy_conf_path().display().to_string(),
                cli: false,
            }),
        ),
    }))
}

/// Make the proxy file and the database agree at start, saying what was done. A file that
/// cannot be written must not keep the UI down: the admin needs the page to see and fix
/// it, and the Diagnostics panel shows the file as it really is.
async fn reconcile_proxy_file(store: &Store) -> Result<(), StartError> {
    use settings::store::StartFile;
    let path = store.conf_path().display().to_string();
    match store.reconcile_at_start().await {
        Ok(StartFile::Synced) => {}
        Ok(StartFile::Adopted(revision)) => {
            let host = revision.config.host.as_ref().map(|h| h.as_str());
            let host = host.unwrap_or_default();
            let port = revision.config.port.map_or(0, |p| p.get());
            if has_users(store).await? {
                // Accounts but no revision: this database had a life before and lost it.
                tracing::error!(
                    %path, %host, port,
                    "the database has no proxy revision, yet it has accounts and a proxy file \
                     exists: revisions were probably lost (a missing or damaged -wal file, or \
                     a truncated or replaced database); the file was adopted as revision 1"
                );
            } else {
                tracing::warn!(%path, %host, port, "adopted the existing proxy file as revision 1");
            }
        }
        Ok(StartFile::LeftAlone(why)) => tracing::error!(
            %path,
            why,
            "the database has no proxy revision and the proxy file cannot be adopted; it was \
             left untouched (check it, then save the Proxy section to replace it)"
        ),
        Err(e) => tracing::error!(error = %e, "the proxy file does not agree with the database"),
    }
    Ok(())
}

async fn has_users(store: &Store) -> Result<bool, db::DbError> {
    let (any,): (bool,) = sqlx::query_as("SELECT EXISTS (SELECT 1 FROM users)")
        .fetch_one(store.pool())
        .await
        .map_err(db::DbError::Query)?;
    Ok(any)
}

fn create_data_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}
pub mod tester;
