//! What the host really has, read-only, for the page's non-Proxy sections and the
//! Diagnostics panel: management interfaces, routes, hostname and DNS, ICMPv6 settings,
//! and TCP connections. Each submodule is a pure parser over text plus a thin reader that
//! takes the root to read under (`/` on a real host, a fixture tree in tests); readers fall
//! back to "nothing" quietly.

pub mod dns;
pub mod icmpv6;
pub mod interfaces;
pub mod routes;
pub mod tcp;

use std::fs;
use std::net::{IpAddr, Ipv6Addr};
use std::path::Path;

use crate::recent::Recent;

pub use dns::{Resolver, parse_resolv_conf};
pub use icmpv6::Icmpv6;
pub use interfaces::Interface;
pub use routes::{Ipv4Route, Ipv6Route, interface_toward};
pub use tcp::{TcpConn, connections_to, parse_proc_net_tcp};

/// FMC's Remote Management Port: the sftunnel port its managed devices connect to.
pub const REMOTE_MANAGEMENT_PORT: u16 = 8305;

#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct HostFacts {
    pub hostname: String,
    pub interfaces: Vec<Interface>,
    pub routes_v4: Vec<Ipv4Route>,
    pub routes_v6: Vec<Ipv6Route>,
    pub resolver: Resolver,
    /// `None` when IPv6 is off on this host.
    pub icmpv6: Option<Icmpv6>,
}

impl HostFacts {
    /// This host's facts.
    pub fn read() -> Self {
        Self::read_at(Path::new("/"))
    }

    /// The facts of the tree under `root`: `proc/…`, `sys/class/net/…`, `etc/resolv.conf`.
    pub fn read_at(root: &Path) -> Self {
        let read = |p: &str| fs::read_to_string(root.join(p)).unwrap_or_default();
        let locals = interfaces::parse_fib_trie_locals(&read("proc/net/fib_trie"));
        let own_v6: Vec<Ipv6Addr> = interfaces::parse_if_inet6_lines(&read("proc/net/if_inet6"))
            .into_iter()
            .map(|a| a.addr)
            .collect();
        HostFacts {
            hostname: read_trimmed(root.join("proc/sys/kernel/hostname")),
            interfaces: interfaces::read(root),
            routes_v4: routes::admin_routes_v4(&read("proc/net/route"), &locals),
            routes_v6: routes::admin_routes_v6(&read("proc/net/ipv6_route"), &own_v6),
            resolver: parse_resolv_conf(&read("etc/resolv.conf")),
            icmpv6: icmpv6::read(root),
        }
    }
}

/// Host facts change rarely (a link going down, a new DNS server), and reading them is some
/// forty small files in /sys and /proc: more than the rest of a page load. So they are read
/// at most once per `ttl`.
#[derive(Debug)]
pub struct HostCache(Recent<(), HostFacts>);

impl HostCache {
    pub fn new(ttl: std::time::Duration) -> Self {
        HostCache(Recent::new(ttl))
    }

    pub async fn facts(&self) -> std::sync::Arc<HostFacts> {
        self.0
            .get_or_read((), || async {
                tokio::task::spawn_blocking(HostFacts::read)
                    .await
                    .unwrap_or_default()
            })
            .await
    }
}

fn read_trimmed(path: impl AsRef<Path>) -> String {
    fs::read_to_string(path)
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

/// "The interface toward the proxy, eth0, has MTU 1400." for the proxy at `ip`, read from
/// this host; `None` when the route or the MTU cannot be read.
pub fn mtu_toward(ip: IpAddr) -> Option<(String, String)> {
    let v4 = fs::read_to_string("/proc/net/route").unwrap_or_default();
    let v6 = fs::read_to_string("/proc/net/ipv6_route").unwrap_or_default();
    let iface = interface_toward(ip, &v4, &v6)?;
    let mtu = read_trimmed(Path::new("/sys/class/net").join(&iface).join("mtu"));
    (!mtu.is_empty()).then_some((iface, mtu))
}

/// The Diagnostics panel's live facts: the proxy file as `cat` shows it and the TCP
/// connections to the proxy as `netstat` does.
#[derive(Debug)]
pub struct Diagnostics {
    pub conf_text: Result<String, String>,
    pub proxy_label: String,
    pub connections: Vec<TcpConn>,
}

impl Diagnostics {
    /// Read now: the file through `read_conf`, the proxy's addresses (a DNS lookup for a
    /// name), /proc/net/tcp. `proxy` is the configured host and port, if any.
    pub async fn read(
        read_conf: impl FnOnce() -> Result<String, String> + Send + 'static,
        proxy: Option<(String, u16)>,
    ) -> Diagnostics {
        let proxy = match proxy {
            Some((h, p)) => Some((resolve_quickly(&h, p).await, h, p)),
            None => None,
        };
        // /proc/net/tcp lists every socket, TIME_WAIT included: on a busy host reading it
        // takes milliseconds, which must not hold up a runtime thread.
        let read = move || {
            let conf_text = read_conf();
            let (proxy_label, connections) = match proxy {
                Some((addrs, host, port)) => (host, connections_to(&addrs, port)),
                None => ("<proxy>".to_owned(), Vec::new()),
            };
            Diagnostics {
                conf_text,
                proxy_label,
                connections,
            }
        };
        tokio::task::spawn_blocking(read)
            .await
            .unwrap_or_else(|e| Diagnostics {
                conf_text: Err(e.to_string()),
                proxy_label: "<proxy>".to_owned(),
                connections: Vec::new(),
            })
    }
}

/// The proxy's addresses for the netstat view; a name that does not resolve within a
/// moment simply shows no connections (the probe is where DNS failures are explained).
async fn resolve_quickly(host: &str, port: u16) -> Vec<IpAddr> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return vec![ip];
    }
    match tokio::time::timeout(
        std::time::Duration::from_millis(300),
        tokio::net::lookup_host((host, port)),
    )
    .await
    {
        Ok(Ok(addrs)) => addrs.map(|a| a.ip()).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A whole fixture host: every section of the page from files under one root.
    #[test]
    fn a_fixture_host_gives_every_section() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let fixture = |name: &str| {
            fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/fixtures/host")
                    .join(name),
            )
            .unwrap()
        };
        let put = |path: &str, text: &str| {
            let path = root.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        };
        put("proc/sys/kernel/hostname", &fixture("hostname"));
        put("proc/net/fib_trie", &fixture("fib_trie"));
        put("proc/net/route", &fixture("route"));
        put("proc/net/if_inet6", &fixture("if_inet6"));
        put("proc/net/ipv6_route", &fixture("ipv6_route"));
        put("etc/resolv.conf", &fixture("resolv.conf"));
        put("proc/sys/net/ipv6/icmp/echo_ignore_all", "0\n");
        put("proc/sys/net/ipv6/icmp/ratelimit", "1000\n");
        put("proc/sys/net/ipv6/icmp/ratemask", "0-1,3-127\n");
        put("sys/class/net/eth0/address", "52:54:00:12:34:56\n");
        put("sys/class/net/eth0/device/uevent", "");
        put("sys/class/net/lo/address", "00:00:00:00:00:00\n");

        let facts = HostFacts::read_at(root);

        assert_eq!(facts.hostname, "fmc-lab-01");
        assert_eq!(facts.interfaces.len(), 1);
        assert_eq!(facts.interfaces[0].name, "eth0");
        assert_eq!(facts.routes_v4.len(), 3);
        assert_eq!(facts.routes_v6.len(), 2);
        assert_eq!(facts.resolver.server(2), "10.0.0.3");
        assert!(facts.icmpv6.is_some_and(|i| i.echo_reply));
    }
}
