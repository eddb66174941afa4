//! The `fmc-mgmt` binary: parse the command line, set up logging, run.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use fmc_mgmt::audit::Event;
use fmc_mgmt::config::{AdminCommand, Cli, Command, Global, LogFormat};
use fmc_mgmt::probe::cli::{ProbeArgs, SavedProxy};
use fmc_mgmt::secret::Secret;
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    return_large_frees_to_the_os();
    let mut cli = Cli::parse();
    cli.global.admin_password = std::env::var("FMC_ADMIN_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
        .map(Secret::new);
    init_tracing(cli.global.log_format);
    // Parse the message files now, not inside the first probe's timed stages or the first
    // page (about a millisecond: BENCHMARKS.md, "Failure latency").
    fmc_mgmt::locale::load();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("fmc-mgmt: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => run_server(&cli.global).await,
            Command::Probe(args) => probe(&cli.global, *args).await,
            Command::Admin(AdminCommand::SetPassword { user }) => {
                set_password(&cli.global, &user).await
            }
            Command::Admin(AdminCommand::Unlock { user }) => unlock(&cli.global, &user).await,
        }
    })
}

/// glibc keeps the memory of large freed blocks in its heaps once its dynamic mmap
/// threshold has risen past them. Every login frees argon2id's 19 MiB block, so each
/// thread's arena would keep one for good (hundreds of MiB after a burst of logins). A
/// fixed threshold makes each allocation of 1 MiB or more its own mapping, returned to the
/// system when freed.
fn return_large_frees_to_the_os() {
    #[cfg(target_env = "gnu")]
    // SAFETY: mallopt only sets an allocator parameter; it is called once, before any
    // other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

fn init_tracing(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn run_server(global: &Global) -> ExitCode {
    let state = match fmc_mgmt::prepare(global).await {
        Ok(state) => state,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("fmc-mgmt: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match TcpListener::bind(global.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("fmc-mgmt: cannot listen on {}: {e}", global.listen);
            return ExitCode::FAILURE;
        }
    };
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let scheme = if state.server.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let shutdown = match shutdown_signal() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("fmc-mgmt: cannot install the SIGINT/SIGTERM handlers: {e}");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(%addr, "serving {scheme}://{addr}/");
    let store = state.store.clone();
    // The scheduled tests stop at the signal, with the server, not a period later.
    let (stop_schedule, schedule_stopped) = tokio::sync::watch::channel(false);
    let schedule = fmc_mgmt::schedule::spawn(state.clone(), global.probe_every, schedule_stopped);
    let shutdown = async move {
        shutdown.await;
        let _ = stop_schedule.send(true);
    };
    let served = fmc_mgmt::serve(listener, state, shutdown).await;
    if let Some(schedule) = schedule {
        // Before the pools close: a round may be writing its record.
        let _ = schedule.await;
    }
    // Closing the last connection checkpoints the WAL into the database file, so a clean
    // stop leaves one self-contained file behind; the read-only ones cannot, so they go first.
    store.readers().close().await;
    store.pool().close().await;
    match served {
        Ok(()) => {
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("fmc-mgmt: server error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `fmc-mgmt probe`; with `--from-config`, the saved settings from the database.
async fn probe(global: &Global, mut args: ProbeArgs) -> ExitCode {
    if args.cacert.is_none() {
        args.cacert = global.ca_file.clone();
    }
    args.conf_path = Some(global.proxy_conf_path().display().to_string());
    if !args.from_config {
        return fmc_mgmt::probe::cli::main_with_saved(args, None).await;
    }
    let url = global.database_path();
    if !url.starts_with("sqlite:") && !std::path::Path::new(&url).exists() {
        eprintln!(
            "fmc-mgmt probe: --from-config: no database at {url} (use --data-dir or --database-url)"
        );
        return ExitCode::from(2);
    }
    let saved = async {
        let pool = fmc_mgmt::db::connect(&url)
            .await
            .map_err(|e| e.to_string())?;
        let sealer = fmc_mgmt::secret_box::SecretBox::load_or_create(&global.secret_key_path())
            .map_err(|e| e.to_string())?;
        let current = fmc_mgmt::settings::store::load_current(&pool, &sealer)
            .await
            .map_err(|e| e.to_string())?;
        Ok::<_, String>(current.and_then(|r| {
            let c = r.config;
            Some(SavedProxy {
                host: c.host?.into_host(),
                port: c.port?,
                username: c
                    .use_auth
                    .then_some(c.username)
                    .flatten()
                    .map(|u| u.as_str().to_owned()),
                password: if c.use_auth { c.password } else { None },
                ca_certs: c.trusted_ca.iter().map(|ca| ca.der()).collect(),
            })
        }))
    }
    .await;
    match saved {
        Ok(saved) => fmc_mgmt::probe::cli::main_with_saved(args, saved).await,
        Err(e) => {
            eprintln!("fmc-mgmt probe: --from-config: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `fmc-mgmt admin set-password USER`: for a locked-out admin with shell access.
async fn set_password(global: &Global, user: &str) -> ExitCode {
    let secret = match read_new_password() {
        Ok(s) => s,
        Err(msg) => {
            eprintln!("fmc-mgmt: {msg}");
            return ExitCode::from(2);
        }
    };
    if let Err(msg) = fmc_mgmt::auth::password::check_new(secret.expose()) {
        eprintln!("fmc-mgmt: {msg}");
        return ExitCode::from(2);
    }
    let result = async {
        let pool = open_database(global).await?;
        fmc_mgmt::auth::users::set_password(&pool, user, &secret)
            .await
            .map_err(|e| e.to_string())?;
        let event = Event::ShellSetPassword {
            user: user.to_owned(),
        };
        audit_from_shell(pool, &event).await;
        Ok(format!("password of '{user}' set; its sessions were ended"))
    }
    .await;
    finish(result)
}

/// `fmc-mgmt admin unlock USER`: clear the login locks a running server would apply.
async fn unlock(global: &Global, user: &str) -> ExitCode {
    let result = async {
        let pool = open_database(global).await?;
        let cleared = fmc_mgmt::auth::throttle::unlock(&pool, user)
            .await
            .map_err(|e| e.to_string())?;
        let event = Event::ShellUnlock {
            user: user.to_owned(),
        };
        audit_from_shell(pool, &event).await;
        Ok(format!(
            "login locks of '{user}' cleared ({cleared} entries)"
        ))
    }
    .await;
    finish(result)
}

async fn open_database(global: &Global) -> Result<sqlx::SqlitePool, String> {
    fmc_mgmt::db::connect(&global.database_path())
        .await
        .map_err(|e| e.to_string())
}

/// Record what an `admin` command did, then close the database (checkpointing its WAL).
async fn audit_from_shell(pool: sqlx::SqlitePool, event: &Event) {
    fmc_mgmt::audit::record(&pool, "shell", None, event).await;
    pool.close().await;
}

/// An `admin` command's outcome on stderr, and its exit code.
fn finish(result: Result<String, String>) -> ExitCode {
    match result {
        Ok(done) => {
            eprintln!("fmc-mgmt: {done}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("fmc-mgmt: {e}");
            ExitCode::FAILURE
        }
    }
}

fn read_new_password() -> Result<Secret, String> {
    if let Ok(p) = std::env::var("FMC_NEW_PASSWORD") {
        return Ok(Secret::new(p));
    }
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("New password: ").map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("Again: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the two passwords differ; nothing was changed".into());
        }
        return Ok(Secret::new(first));
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    Ok(Secret::new(line.trim_end_matches(['\r', '\n'])))
}

/// A future that resolves on SIGINT or SIGTERM. The handlers are installed here, before
/// the server says it is serving, so a signal sent right after that line is never missed.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut int = signal(SignalKind::interrupt())?;
    let mut term = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
        tracing::info!("shutdown signal received; finishing requests in flight");
    })
}
