//! `fmc-mgmt probe`: curl-shaped flags turned into a [`ProbeRequest`], the walk-through or
//! the JSON report on stdout, and the exit code (0 ok, 1 any other diagnosis, 2 usage).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use rustls::pki_types::CertificateDer;

use super::hostport::{HostPort, parse_host_port};
use super::url::{TargetUrl, parse_url};
use super::{DEFAULT_MAX_FILESIZE, DEFAULT_TARGET, ProbeRequest, Timeouts, engine, render_text};
use crate::endpoint::{Host, Port};
use crate::secret::Secret;

/// The environment variable that holds the proxy password for `-U USER`.
pub const PASSWORD_ENV: &str = "FMC_PROXY_PASSWORD";

/// Flags of `fmc-mgmt probe`, shaped like curl's.
#[derive(clap::Args, Debug, Clone)]
#[command(
    about = "Test the way out through an HTTP proxy, stage by stage, like `curl -x PROXY -I URL` (https:// or plain http://)",
    after_help = "Exit status: 0 when the diagnosis is ok, 1 for any other diagnosis, 2 for usage errors."
)]
pub struct ProbeArgs {
    /// The proxy, HOST:PORT (IPv6 as [::1]:3128).
    #[arg(short = 'x', long = "proxy", value_name = "HOST:PORT", value_parser = parse_host_port)]
    pub proxy: Option<HostPort>,

    /// Proxy credentials. Without :PASSWORD the password comes from FMC_PROXY_PASSWORD,
    /// else from a prompt on the terminal.
    #[arg(short = 'U', long = "proxy-user", value_name = "USER[:PASSWORD]", value_parser = parse_proxy_user)]
    pub proxy_user: Option<ProxyUser>,

    /// Shorthand for the URL https://HOST:PORT/ (default tools.cisco.com:443).
    #[arg(long, value_name = "HOST:PORT", value_parser = parse_host_port, conflicts_with = "url")]
    pub target: Option<HostPort>,

    /// What to reach through the proxy: https://HOST[:PORT][/PATH] (CONNECT, then TLS) or
    /// http://HOST[:PORT][/PATH] (plain HTTP, asked of the proxy in absolute form).
    /// Parsed by [`request_from_args`], not clap: clap would echo a refused value, and a
    /// URL with `user:password@` must not be shown.
    #[arg(value_name = "URL")]
    pub url: Option<String>,

    /// Extra CA certificates (PEM) to trust, e.g. a TLS-inspecting proxy's CA.
    #[arg(long = "cacert", value_name = "FILE")]
    pub cacert: Option<PathBuf>,

    /// Seconds allowed for the TCP handshake with the proxy (default 5).
    #[arg(long = "connect-timeout", value_name = "S", value_parser = parse_seconds)]
    pub connect_timeout: Option<Duration>,

    /// Seconds allowed for the whole probe (default 30).
    #[arg(long = "max-time", value_name = "S", value_parser = parse_seconds)]
    pub max_time: Option<Duration>,

    /// Print the JSON report instead of the walk-through.
    #[arg(long)]
    pub json: bool,

    /// After the walk-through, print what crossed the proxy socket, like tcpdump (the
    /// JSON report always has it as `wire`).
    #[arg(long)]
    pub wire: bool,
    /// Also GET the URL and read its whole body (up to --max-filesize): bytes, time and
    /// throughput, and whether the transfer stalls or is cut short on the way.
    #[arg(long)]
    pub download: bool,

    /// With --download: stop reading after this many body bytes (a K, M or G suffix
    /// counts 1024s; default 8M). Reaching it is stated, not a failure.
    #[arg(long = "max-filesize", value_name = "BYTES", value_parser = parse_filesize, requires = "download")]
    pub max_filesize: Option<u64>,

    /// Probe the saved proxy settings (flags given as well override them).
    #[arg(long = "from-config")]
    pub from_config: bool,

    /// The proxy file the server writes (from the global flags, not a flag of its own),
    /// named by a next step that says to read it; unset: FMC's /etc/sf/iprep_proxy.conf.
    #[arg(skip)]
    pub conf_path: Option<String>,
}

/// `-U USER[:PASSWORD]`; `Debug` masks the password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyUser {
    pub user: String,
    pub password: Option<Secret>,
}

/// The saved proxy settings, as the settings store hands them to `--from-config`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedProxy {
    pub host: Host,
    pub port: Port,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// The saved Trusted CA for the probe, trusted on top of `--cacert` and the OS store.
    pub ca_certs: Vec<CertificateDer<'static>>,
}

/// A command line that cannot be probed; the message says why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsageError {
    #[error("-x HOST:PORT is required (or --from-config to probe the saved settings)")]
    MissingProxy,
    #[error("--from-config: no proxy is saved")]
    NothingSaved,
    #[error(
        "no password for proxy user {user:?}: give -U USER:PASSWORD, set {PASSWORD_ENV}, or run on a terminal to be asked"
    )]
    PasswordMissing { user: String },
    #[error("{0}")]
    Other(String),
}

/// Parses `USER[:PASSWORD]`; the password may itself contain `:`.
pub fn parse_proxy_user(s: &str) -> Result<ProxyUser, String> {
    let (user, password) = match s.split_once(':') {
        Some((u, p)) => (u, Some(Secret::new(p))),
        None => (s, None),
    };
    if user.is_empty() {
        return Err("the user name is empty (expected USER[:PASSWORD])".to_string());
    }
    if user.chars().any(char::is_control) {
        return Err("the user name has control characters".to_string());
    }
    Ok(ProxyUser {
        user: user.to_string(),
        password,
    })
}

/// Parses a number of seconds, fractions allowed: more than 0, at most a day.
pub fn parse_seconds(s: &str) -> Result<Duration, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 86_400.0 => Ok(Duration::from_secs_f64(v)),
        _ => Err(format!(
            "expected a number of seconds above 0 and at most 86400 (e.g. 5 or 0.5), got {s:?}"
        )),
    }
}

/// Parses `--max-filesize`: a whole number of bytes above 0, optionally with a `K`, `M` or
/// `G` suffix (1024-based, as curl reads it).
pub fn parse_filesize(s: &str) -> Result<u64, String> {
    let refused = || {
        format!(
            "expected a number of bytes above 0, optionally with K, M or G (e.g. 1048576 or 1M), got {s:?}"
        )
    };
    let text = s.trim();
    let (digits, unit) = match text.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let unit = match c.to_ascii_uppercase() {
                'K' => 1u64 << 10,
                'M' => 1 << 20,
                'G' => 1 << 30,
                _ => return Err(refused()),
            };
            (&text[..i], unit)
        }
        _ => (text, 1),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refused());
    }
    match digits.parse::<u64>().ok().and_then(|n| n.checked_mul(unit)) {
        Some(0) => Err(format!(
            "the limit must be above 0 bytes (a download of nothing tests nothing), got {s:?}"
        )),
        Some(n) => Ok(n),
        None => Err(format!("the limit is too large, got {s:?}")),
    }
}

/// Turns the flags (and, with `--from-config`, the saved settings) into a request.
///
/// Precedence, field by field: a flag given on the command line wins over the saved
/// value. `-x` replaces the saved host and port; `-U` replaces the saved user *and*
/// password (a `-U USER` without password takes `env_password`, never the saved one).
/// Without `--from-config`, `saved` is ignored. `env_password` is the password from
/// `FMC_PROXY_PASSWORD` or the prompt; it is used only when a user has no password.
pub fn request_from_args(
    args: &ProbeArgs,
    saved: Option<SavedProxy>,
    env_password: Option<Secret>,
) -> Result<ProbeRequest, UsageError> {
    let saved = if args.from_config {
        Some(saved.ok_or(UsageError::NothingSaved)?)
    } else {
        None
    };
    let (proxy_host, proxy_port) = match (&args.proxy, &saved) {
        (Some(hp), _) => (hp.host.clone(), hp.port),
        (None, Some(s)) => (s.host.clone(), s.port),
        (None, None) => return Err(UsageError::MissingProxy),
    };
    let ca_certs = saved
        .as_ref()
        .map(|s| s.ca_certs.clone())
        .unwrap_or_default();
    let (username, password) = match (&args.proxy_user, saved) {
        (Some(pu), _) => (Some(pu.user.clone()), pu.password.clone()),
        (None, Some(s)) => (s.username, s.password),
        (None, None) => (None, None),
    };
    let password = match (&username, password) {
        (Some(user), None) => match env_password {
            Some(p) => Some(p),
            None => return Err(UsageError::PasswordMissing { user: user.clone() }),
        },
        (_, p) => p,
    };
    let target = target_url(args)?;
    let defaults = Timeouts::default();
    Ok(ProbeRequest {
        proxy_host,
        proxy_port,
        username,
        password,
        target_host: target.host,
        target_port: target.port,
        scheme: target.scheme,
        path: target.path,
        ca_file: args.cacert.clone(),
        ca_certs,
        advice: super::Advice {
            cli: true,
            conf_path: args
                .conf_path
                .clone()
                .unwrap_or_else(|| super::DEFAULT_CONF_PATH.to_owned()),
        },
        timeouts: Timeouts {
            connect: args.connect_timeout.unwrap_or(defaults.connect),
            read: defaults.read,
            total: args.max_time.unwrap_or(defaults.total),
        },
        download: args
            .download
            .then(|| args.max_filesize.unwrap_or(DEFAULT_MAX_FILESIZE)),
    })
}

/// The URL to probe: the positional URL, else `--target H:P` as `https://H:P/`, else
/// the default target. Both at once is refused (clap does so too, with exit 2).
fn target_url(args: &ProbeArgs) -> Result<TargetUrl, UsageError> {
    match (&args.url, &args.target) {
        (Some(_), Some(_)) => Err(UsageError::Other(
            "give either a URL or --target HOST:PORT, not both".to_string(),
        )),
        (Some(url), None) => parse_url(url).map_err(|e| UsageError::Other(format!("URL: {e}"))),
        (None, Some(hp)) => Ok(TargetUrl::https(hp.host.clone(), hp.port)),
        (None, None) => parse_host_port(DEFAULT_TARGET)
            .map(|hp| TargetUrl::https(hp.host, hp.port))
            .map_err(|e| UsageError::Other(e.to_string())),
    }
}

/// Runs `fmc-mgmt probe`. `--from-config` needs the settings store: until it is wired in
/// (see [`main_with_saved`]), it is reported as a usage error.
pub async fn main(args: ProbeArgs) -> ExitCode {
    if args.from_config {
        return usage(
            "--from-config needs the settings database, which this build does not include",
        );
    }
    main_with_saved(args, None).await
}

/// Runs `fmc-mgmt probe` with the saved proxy settings already loaded (for `--from-config`).
pub async fn main_with_saved(args: ProbeArgs, saved: Option<SavedProxy>) -> ExitCode {
    let env_password = std::env::var(PASSWORD_ENV)
        .ok()
        .filter(|p| !p.is_empty())
        .map(Secret::new);
    let req = match request_from_args(&args, saved.clone(), env_password) {
        Ok(req) => req,
        Err(UsageError::PasswordMissing { user }) if std::io::stdin().is_terminal() => {
            let prompted = match rpassword::prompt_password(format!("Proxy password for {user}: "))
            {
                Ok(p) => Secret::new(p),
                Err(e) => return usage(&format!("could not read the password: {e}")),
            };
            match request_from_args(&args, saved, Some(prompted)) {
                Ok(req) => req,
                Err(e) => return usage(&e.to_string()),
            }
        }
        Err(e) => return usage(&e.to_string()),
    };
    if let Some(ca) = &req.ca_file {
        if !ca.is_file() {
            return usage(&format!("--cacert {}: no such file", ca.display()));
        }
    }
    let mut report = engine::run(&req, None).await;
    super::mtu::annotate_mtu(&mut report).await;
    if args.json {
        match serde_json::to_string_pretty(&report) {
            Ok(json) => println!("{json}"),
            Err(e) => {
                eprintln!("fmc-mgmt probe: cannot write the report: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        print!("{}", render_text(&report));
        if args.wire {
            print!("\n{}", super::text::render_wire(&report.wire));
        }
    }
    if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn usage(message: &str) -> ExitCode {
    eprintln!("fmc-mgmt probe: {message}");
    ExitCode::from(2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser, Debug)]
    struct Wrapper {
        #[command(flatten)]
        args: ProbeArgs,
    }

    fn args(flags: &[&str]) -> ProbeArgs {
        let mut argv = vec!["probe"];
        argv.extend_from_slice(flags);
        Wrapper::try_parse_from(argv).unwrap().args
    }

    fn saved() -> SavedProxy {
        SavedProxy {
            host: Host::parse("10.0.0.1").unwrap(),
            port: Port::new(80).unwrap(),
            username: Some("saved".into()),
            password: Some(Secret::new("saved-pw")),
            ca_certs: Vec::new(),
        }
    }

    #[test]
    fn curl_style_flags_become_a_request() {
        let a = args(&[
            "-x",
            "[::1]:3128",
            "-U",
            "bob:p@ss:w0rd!#%&",
            "--target",
            "127.0.0.1:8443",
            "--cacert",
            "/tmp/ca.pem",
            "--connect-timeout",
            "1.5",
            "--max-time",
            "3",
        ]);
        let r = request_from_args(&a, None, None).unwrap();
        assert_eq!((r.proxy_host.as_str(), r.proxy_port.get()), ("::1", 3128));
        assert_eq!(r.username.as_deref(), Some("bob"));
        assert_eq!(
            r.password.as_ref().map(Secret::expose),
            Some("p@ss:w0rd!#%&")
        );
        assert_eq!(
            (r.target_host.as_str(), r.target_port.get()),
            ("127.0.0.1", 8443)
        );
        assert_eq!(r.timeouts.connect, Duration::from_millis(1500));
        assert_eq!(r.timeouts.total, Duration::from_secs(3));
        assert_eq!(r.timeouts.read, Duration::from_secs(10));
    }

    #[test]
    fn from_config_trusts_the_saved_cas_and_the_steps_speak_to_the_cli() {
        let der = CertificateDer::from(vec![0x30, 0x03, 0x02, 0x01, 0x01]);
        let with_ca = SavedProxy {
            ca_certs: vec![der.clone()],
            ..saved()
        };
        let mut a = args(&["--from-config"]);
        a.conf_path = Some("/srv/fmc/iprep_proxy.conf".into());
        let r = request_from_args(&a, Some(with_ca.clone()), None).unwrap();
        assert_eq!(r.ca_certs, [der]);
        assert!(r.advice.cli);
        assert_eq!(r.advice.conf_path, "/srv/fmc/iprep_proxy.conf");
        // Without --from-config the saved settings, CAs included, are not used.
        let r = request_from_args(&args(&["-x", "10.0.0.2:80"]), Some(with_ca), None).unwrap();
        assert!(r.ca_certs.is_empty());
        assert_eq!(r.advice.conf_path, crate::probe::DEFAULT_CONF_PATH);
    }

    #[test]
    fn the_default_target_is_tools_cisco_com() {
        let r = request_from_args(&args(&["-x", "p:1"]), None, None).unwrap();
        assert_eq!(
            (r.target_host.as_str(), r.target_port.get()),
            ("tools.cisco.com", 443)
        );
        assert_eq!(r.timeouts, Timeouts::default());
    }

    fn target(r: &ProbeRequest) -> String {
        r.url().to_string()
    }

    #[test]
    fn a_url_is_probed_like_curl_and_target_is_shorthand_for_https() {
        let r =
            request_from_args(&args(&["-x", "p:1", "http://127.0.0.1/a?b"]), None, None).unwrap();
        assert_eq!(r.scheme, crate::probe::UrlScheme::Http);
        assert_eq!(target(&r), "http://127.0.0.1/a?b");
        assert_eq!(r.target_port.get(), 80);
        let r = request_from_args(&args(&["-x", "p:1", "https://[::1]/x"]), None, None).unwrap();
        assert_eq!(
            (target(&r).as_str(), r.target_port.get()),
            ("https://[::1]/x", 443)
        );
        let r = request_from_args(&args(&["-x", "p:1", "--target", "h:8443"]), None, None).unwrap();
        assert_eq!(target(&r), "https://h:8443/");
        let r = request_from_args(&args(&["-x", "p:1"]), None, None).unwrap();
        assert_eq!(target(&r), "https://tools.cisco.com/");
    }

    #[test]
    fn a_url_and_target_together_or_a_bad_url_are_usage_errors() {
        for bad in [
            &["-x", "p:1", "--target", "h:443", "https://h/"][..],
            &["-x", "p:1", "https://h/", "http://h/"],
        ] {
            let mut argv = vec!["probe"];
            argv.extend_from_slice(bad);
            let err = Wrapper::try_parse_from(argv).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad:?}");
        }
        for (bad, said) in [
            (
                "ftp://h/",
                "URL: the probe tests https:// and http:// URLs, not ftp://",
            ),
            ("h.example", "has no scheme"),
            ("https://u:pw@h/", "-U USER[:PASSWORD]"),
            ("https://h:0/", "1 to 65535"),
        ] {
            let err = request_from_args(&args(&["-x", "p:1", bad]), None, None).unwrap_err();
            let UsageError::Other(message) = err else {
                panic!("{bad}: {err:?}")
            };
            assert!(message.contains(said), "{bad}: {message}");
            assert!(!message.contains("pw@"), "{message}");
        }
        let mut both = args(&["-x", "p:1", "https://h/"]);
        both.target = Some(parse_host_port("h:443").unwrap());
        assert!(matches!(
            request_from_args(&both, None, None),
            Err(UsageError::Other(m)) if m.contains("not both")
        ));
    }

    #[test]
    fn without_x_or_from_config_it_is_a_usage_error() {
        assert_eq!(
            request_from_args(&args(&[]), Some(saved()), None).unwrap_err(),
            UsageError::MissingProxy
        );
    }

    #[test]
    fn a_user_without_password_takes_the_environment_password_or_fails() {
        let a = args(&["-x", "p:1", "-U", "bob"]);
        assert_eq!(
            request_from_args(&a, None, None).unwrap_err(),
            UsageError::PasswordMissing { user: "bob".into() }
        );
        let r = request_from_args(&a, None, Some(Secret::new("from-env"))).unwrap();
        assert_eq!(r.password.as_ref().map(Secret::expose), Some("from-env"));
    }

    #[test]
    fn a_password_on_the_command_line_wins_over_the_environment() {
        let a = args(&["-x", "p:1", "-U", "bob:cli"]);
        let r = request_from_args(&a, None, Some(Secret::new("env"))).unwrap();
        assert_eq!(r.password.as_ref().map(Secret::expose), Some("cli"));
    }

    #[test]
    fn from_config_probes_the_saved_proxy_and_credentials() {
        let r = request_from_args(&args(&["--from-config"]), Some(saved()), None).unwrap();
        assert_eq!(
            (r.proxy_host.as_str(), r.proxy_port.get()),
            ("10.0.0.1", 80)
        );
        assert_eq!(r.username.as_deref(), Some("saved"));
        assert_eq!(r.password.as_ref().map(Secret::expose), Some("saved-pw"));
    }

    #[test]
    fn flags_override_the_saved_settings_field_by_field() {
        let a = args(&["--from-config", "-x", "10.9.9.9:8080"]);
        let r = request_from_args(&a, Some(saved()), None).unwrap();
        assert_eq!(
            (r.proxy_host.as_str(), r.proxy_port.get()),
            ("10.9.9.9", 8080)
        );
        assert_eq!(
            r.username.as_deref(),
            Some("saved"),
            "credentials still saved ones"
        );

        let a = args(&["--from-config", "-U", "other"]);
        let err = request_from_args(&a, Some(saved()), None).unwrap_err();
        assert_eq!(
            err,
            UsageError::PasswordMissing {
                user: "other".into()
            },
            "a -U user never gets the saved password"
        );
    }

    #[test]
    fn from_config_without_saved_settings_is_a_usage_error() {
        assert_eq!(
            request_from_args(&args(&["--from-config"]), None, None).unwrap_err(),
            UsageError::NothingSaved
        );
    }

    #[test]
    fn saved_settings_are_ignored_without_from_config() {
        let r = request_from_args(&args(&["-x", "p:1"]), Some(saved()), None).unwrap();
        assert_eq!(r.username, None);
    }

    #[test]
    fn bad_values_are_refused_by_the_parser() {
        for bad in [
            &["-x", "noport"][..],
            &["-x", "::1:3128"],
            &["-x", "p:0"],
            &["-x", "p:1", "--max-time", "0"],
            &["-x", "p:1", "--max-time", "abc"],
            &["-x", "p:1", "--connect-timeout", "-1"],
            &["-x", "p:1", "--connect-timeout", "NaN"],
            &["-x", "p:1", "-U", ":pw"],
            &["-x", "p:1", "--target", "bad host:443"],
        ] {
            let mut argv = vec!["probe"];
            argv.extend_from_slice(bad);
            assert!(
                Wrapper::try_parse_from(argv).is_err(),
                "{bad:?} was accepted"
            );
        }
    }

    #[test]
    fn download_asks_for_the_body_with_the_default_or_given_limit() {
        let r = request_from_args(&args(&["-x", "p:1"]), None, None).unwrap();
        assert_eq!(r.download, None);
        let r = request_from_args(&args(&["-x", "p:1", "--download"]), None, None).unwrap();
        assert_eq!(r.download, Some(8 * 1024 * 1024));
        for (given, bytes) in [
            ("1000", 1000),
            ("64K", 65_536),
            ("2m", 2 << 20),
            ("1G", 1 << 30),
        ] {
            let a = args(&["-x", "p:1", "--download", "--max-filesize", given]);
            let r = request_from_args(&a, None, None).unwrap();
            assert_eq!(r.download, Some(bytes), "{given}");
        }
    }

    #[test]
    fn a_bad_max_filesize_is_a_usage_error_that_says_why() {
        for (bad, said) in [
            ("0", "above 0 bytes"),
            ("0K", "above 0 bytes"),
            ("abc", "expected a number of bytes"),
            ("-5", "expected a number of bytes"),
            ("1.5M", "expected a number of bytes"),
            ("10T", "expected a number of bytes"),
            ("", "expected a number of bytes"),
            ("99999999999999999999", "too large"),
            ("17179869184G", "too large"),
        ] {
            let message = parse_filesize(bad).unwrap_err();
            assert!(message.contains(said), "{bad:?}: {message}");
            let flag = format!("--max-filesize={bad}");
            let err =
                Wrapper::try_parse_from(["probe", "-x", "p:1", "--download", &flag]).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad:?}");
            assert!(err.to_string().contains(said), "{bad:?}: {err}");
        }
        let err =
            Wrapper::try_parse_from(["probe", "-x", "p:1", "--max-filesize", "10"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("--download"), "{err}");
    }

    #[test]
    fn the_parsed_arguments_never_show_the_password() {
        let a = args(&["-x", "p:1", "-U", "bob:hunter2"]);
        assert!(!format!("{a:?}").contains("hunter2"));
    }
}
