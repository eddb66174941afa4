//! Command line and environment: every setting has a flag and an `FMC_*` variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "fmc-mgmt",
    version,
    about = "FMC Management Interfaces page: set the appliance's outbound HTTP proxy and test it",
    long_about = "fmc-mgmt serves the FMC 7.4 page System > Configuration > Management Interfaces, \
centred on its Proxy section. Without a subcommand it runs `serve`.\n\n\
Data lives in --data-dir (default ./data, mode 0700): the SQLite database fmc.db and the \
proxy file iprep_proxy.conf, unless --database-url or --proxy-conf move them."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the web UI (the default).
    Serve,
    /// Test the way out through an HTTP proxy, stage by stage, like `curl -x … -I`.
    Probe(Box<crate::probe::cli::ProbeArgs>),
    /// Manage UI accounts from the shell.
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Set (or reset) a UI account's password and end its sessions. The new password is
    /// read from FMC_NEW_PASSWORD, else prompted for twice on a terminal, else read from
    /// the first line of standard input.
    SetPassword {
        /// The account, e.g. admin (created if it does not exist).
        user: String,
    },
    /// Clear the login locks of a UI account (its own, at every address, and the addresses
    /// whose last failed login named it), e.g. after an attack from the network.
    Unlock {
        /// The account, e.g. admin.
        user: String,
    },
}

/// Settings shared by every subcommand.
#[derive(clap::Args, Debug, Clone)]
pub struct Global {
    /// Address and port the web UI listens on.
    #[arg(
        long,
        env = "FMC_LISTEN",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub listen: SocketAddr,

    /// Directory for the database and the proxy file (created with mode 0700).
    #[arg(long, env = "FMC_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,

    /// SQLite database URL or path [default: <data-dir>/fmc.db].
    #[arg(long, env = "FMC_DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Where the proxy file is written, e.g. /etc/sf/iprep_proxy.conf
    /// [default: <data-dir>/iprep_proxy.conf].
    #[arg(long, env = "FMC_PROXY_CONF", global = true)]
    pub proxy_conf: Option<PathBuf>,

    /// Host and port the Test connection probe reaches through the proxy.
    #[arg(
        long,
        env = "FMC_PROBE_TARGET",
        default_value = "tools.cisco.com:443",
        global = true
    )]
    pub probe_target: String,

    /// Extra trust anchors (PEM) for the probe's TLS stage, e.g. a TLS-inspecting proxy's CA.
    #[arg(long, env = "FMC_CA_FILE", global = true)]
    pub ca_file: Option<PathBuf>,

    /// PEM certificate (chain) to serve the UI over HTTPS; needs --tls-key.
    #[arg(long, env = "FMC_TLS_CERT", requires = "tls_key", global = true)]
    pub tls_cert: Option<PathBuf>,

    /// PEM private key for --tls-cert.
    #[arg(long, env = "FMC_TLS_KEY", requires = "tls_cert", global = true)]
    pub tls_key: Option<PathBuf>,

    /// Serve HTTPS with a self-signed certificate generated in the data directory on first
    /// start (ui-cert.pem, ui-key.pem), as FMC does.
    #[arg(
        long,
        env = "FMC_TLS_SELF_SIGNED",
        conflicts_with = "tls_cert",
        global = true
    )]
    pub tls_self_signed: bool,

    /// Minutes of inactivity after which a UI session ends.
    #[arg(long, env = "FMC_SESSION_IDLE_MINUTES", default_value_t = 30, global = true,
          value_parser = clap::value_parser!(u64).range(1..=1440))]
    pub session_idle_minutes: u64,

    /// The first admin's password, from FMC_ADMIN_PASSWORD only (never a flag: flags show
    /// in `ps`). Read by `main`, used once when no account exists.
    #[arg(skip)]
    pub admin_password: Option<crate::secret::Secret>,

    /// Seconds the probe allows for the TCP handshake with the proxy.
    #[arg(long, env = "FMC_PROBE_CONNECT_TIMEOUT", default_value = "5", global = true,
          value_parser = crate::probe::cli::parse_seconds)]
    pub probe_connect_timeout: std::time::Duration,

    /// Seconds the probe waits for each answer (response head, TLS, HTTP).
    #[arg(long, env = "FMC_PROBE_READ_TIMEOUT", default_value = "10", global = true,
          value_parser = crate::probe::cli::parse_seconds)]
    pub probe_read_timeout: std::time::Duration,

    /// Seconds one whole probe may take.
    #[arg(long, env = "FMC_PROBE_MAX_TIME", default_value = "30", global = true,
          value_parser = crate::probe::cli::parse_seconds)]
    pub probe_max_time: std::time::Duration,

    /// Minutes between background tests of the saved proxy settings (stored in the test
    /// history as `schedule`, exposed at /metrics); 0 turns them off.
    #[arg(long, env = "FMC_PROBE_EVERY", value_name = "MINUTES", default_value_t = 0,
          global = true, value_parser = clap::value_parser!(u64).range(0..=crate::schedule::MAX_MINUTES))]
    pub probe_every: u64,

    /// Audit log entries to keep; the oldest are dropped as new ones arrive.
    #[arg(long, env = "FMC_AUDIT_KEEP", default_value_t = 100_000, global = true,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub audit_keep: u64,

    /// Host names the UI answers to besides its IP addresses and localhost (DNS rebinding
    /// protection: other names get 421). Repeatable; the variable takes a comma-separated list.
    #[arg(long = "allowed-host", env = "FMC_ALLOWED_HOST", value_name = "NAME",
          value_delimiter = ',', global = true,
          value_parser = crate::allowed_hosts::parse_allowed_host)]
    pub allowed_hosts: Vec<String>,

    /// Connections served at once; more wait in the kernel's queue until one ends.
    #[arg(long, env = "FMC_MAX_CONNECTIONS", default_value_t = crate::listen::DEFAULT_MAX_CONNECTIONS,
          global = true, value_parser = clap::value_parser!(u32).range(1..=65_536))]
    pub max_connections: u32,

    /// Seconds a client may take to send a request head; also how long an idle keep-alive
    /// connection stays open.
    #[arg(long, env = "FMC_HEADER_READ_TIMEOUT", default_value = "10", global = true,
          value_parser = crate::probe::cli::parse_seconds)]
    pub header_read_timeout: std::time::Duration,

    /// Log line format on stderr (`RUST_LOG` filters).
    #[arg(long, env = "FMC_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl Global {
    /// The database location: `--database-url` as given, else `<data-dir>/fmc.db`.
    pub fn database_path(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => self.data_dir.join("fmc.db").to_string_lossy().into_owned(),
        }
    }

    /// The key that seals the proxy password in the database: `<data-dir>/secret.key`.
    pub fn secret_key_path(&self) -> PathBuf {
        self.data_dir.join("secret.key")
    }

    pub fn proxy_conf_path(&self) -> PathBuf {
        self.proxy_conf
            .clone()
            .unwrap_or_else(|| self.data_dir.join("iprep_proxy.conf"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_dir_alone_moves_database_and_proxy_file() {
        let cli = Cli::try_parse_from(["fmc-mgmt", "--data-dir", "/srv/fmc"]).unwrap();
        assert_eq!(cli.global.database_path(), "/srv/fmc/fmc.db");
        assert_eq!(
            cli.global.proxy_conf_path(),
            PathBuf::from("/srv/fmc/iprep_proxy.conf")
        );
    }

    #[test]
    fn explicit_paths_win_over_data_dir() {
        let cli = Cli::try_parse_from([
            "fmc-mgmt",
            "--data-dir",
            "/srv/fmc",
            "--database-url",
            "sqlite:///tmp/x.db",
            "--proxy-conf",
            "/etc/sf/iprep_proxy.conf",
            "serve",
        ])
        .unwrap();
        assert_eq!(cli.global.database_path(), "sqlite:///tmp/x.db");
        assert_eq!(
            cli.global.proxy_conf_path(),
            PathBuf::from("/etc/sf/iprep_proxy.conf")
        );
    }

    #[test]
    fn probe_every_is_off_by_default_and_refuses_more_than_a_day() {
        let cli = Cli::try_parse_from(["fmc-mgmt"]).unwrap();
        assert_eq!(cli.global.probe_every, 0);
        let cli = Cli::try_parse_from(["fmc-mgmt", "--probe-every", "1440"]).unwrap();
        assert_eq!(cli.global.probe_every, 1440);
        let err = Cli::try_parse_from(["fmc-mgmt", "--probe-every", "1441"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ValueValidation);
        assert!(err.to_string().contains("1441 is not in 0..=1440"), "{err}");
    }

    #[test]
    fn a_bad_listen_address_is_a_usage_error() {
        let err = Cli::try_parse_from(["fmc-mgmt", "--listen", "localhost"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ValueValidation);
    }
}
