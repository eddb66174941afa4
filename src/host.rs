//! What the host really has, read-only, for the page's non-Proxy sections and the
//! Diagnostics panel: interfaces, default routes, hostname, DNS, and TCP connections.
//! Parsers are pure (tested on fixture text); readers fall back to "unknown" quietly.

use std::fs;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;

use crate::recent::Recent;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Interface {
    pub name: String,
    pub mac: String,
    /// `10.0.0.5/24`, `2001:db8::5/64`: IPv4 first.
    pub addresses: Vec<String>,
    pub mtu: String,
    pub state: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    pub interface: String,
    pub gateway: IpAddr,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resolver {
    pub nameservers: Vec<String>,
    pub search: Vec<String>,
}

#[derive(Clone, Debug, Default)]
pub struct HostFacts {
    pub hostname: String,
    pub interfaces: Vec<Interface>,
    pub routes: Vec<Route>,
    pub resolver: Resolver,
}

impl HostFacts {
    pub fn read() -> Self {
        HostFacts {
            hostname: read_trimmed("/proc/sys/kernel/hostname"),
            interfaces: read_interfaces(Path::new("/sys/class/net"), &read_addresses()),
            routes: fs::read_to_string("/proc/net/route")
                .map(|t| parse_default_routes(&t))
                .unwrap_or_default(),
            resolver: fs::read_to_string("/etc/resolv.conf")
                .map(|t| parse_resolv_conf(&t))
                .unwrap_or_default(),
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

/// Every interface's addresses: IPv4 from the kernel's local routes (`/proc/net/fib_trie`
/// matched against `/proc/net/route`), IPv6 from `/proc/net/if_inet6`.
fn read_addresses() -> Vec<(String, String)> {
    let read = |p: &str| fs::read_to_string(p).unwrap_or_default();
    let mut out = ipv4_addresses(
        &parse_fib_trie_locals(&read("/proc/net/fib_trie")),
        &read("/proc/net/route"),
    );
    out.extend(parse_if_inet6(&read("/proc/net/if_inet6")));
    out
}

/// The host's own IPv4 addresses: the `/32 host LOCAL` entries of the FIB.
pub fn parse_fib_trie_locals(text: &str) -> Vec<Ipv4Addr> {
    let mut out = Vec::new();
    let mut last = None;
    for line in text.lines() {
        let t = line.trim_start_matches([' ', '|', '+', '-']).trim();
        if let Ok(ip) = t.parse::<Ipv4Addr>() {
            last = Some(ip);
        } else if t.starts_with("/32 host LOCAL") {
            if let Some(ip) = last.filter(|ip| !out.contains(ip)) {
                out.push(ip);
            }
        }
    }
    out
}

/// Pair local IPv4 addresses with the interface of the connected route that holds them.
pub fn ipv4_addresses(locals: &[Ipv4Addr], route_v4: &str) -> Vec<(String, String)> {
    // Connected routes (not the default route) hold the host's own subnets.
    let routes: Vec<RouteEntry> = parse_route_table(route_v4)
        .into_iter()
        .filter(|r| r.mask != 0)
        .collect();
    locals
        .iter()
        .filter_map(|ip| {
            if ip.is_loopback() {
                return Some(("lo".to_owned(), format!("{ip}/8")));
            }
            let n = u32::from(*ip);
            routes
                .iter()
                .filter(|r| n & r.mask == r.dest & r.mask)
                .max_by_key(|r| r.mask.count_ones())
                .map(|r| (r.iface.clone(), format!("{ip}/{}", r.mask.count_ones())))
        })
        .collect()
}

/// `/proc/net/if_inet6`: address, index, prefix length, scope, flags, interface.
pub fn parse_if_inet6(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let addr = Ipv6Addr::from(u128::from_str_radix(cols.first()?, 16).ok()?);
            let len = u8::from_str_radix(cols.get(2)?, 16).ok()?;
            Some((cols.get(5)?.to_string(), format!("{addr}/{len}")))
        })
        .collect()
}

fn read_interfaces(class_net: &Path, addresses: &[(String, String)]) -> Vec<Interface> {
    let Ok(entries) = fs::read_dir(class_net) else {
        return Vec::new();
    };
    let mut out: Vec<Interface> = entries
        .flatten()
        .map(|e| {
            let dir = e.path();
            Interface {
                name: e.file_name().to_string_lossy().into_owned(),
                mac: read_trimmed(dir.join("address")),
                addresses: Vec::new(),
                mtu: read_trimmed(dir.join("mtu")),
                state: read_trimmed(dir.join("operstate")),
            }
        })
        .collect();
    for iface in &mut out {
        iface.addresses = addresses
            .iter()
            .filter(|(n, _)| *n == iface.name)
            .map(|(_, a)| a.clone())
            .collect();
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Default routes from `/proc/net/route` (little-endian hex addresses).
pub fn parse_default_routes(text: &str) -> Vec<Route> {
    parse_route_table(text)
        .into_iter()
        .filter(|r| r.dest == 0 && r.mask == 0)
        .map(|r| Route {
            interface: r.iface,
            gateway: IpAddr::V4(Ipv4Addr::from(r.gateway)),
        })
        .collect()
}

/// One line of `/proc/net/route`, addresses in host order.
struct RouteEntry {
    iface: String,
    dest: u32,
    gateway: u32,
    mask: u32,
}

/// `/proc/net/route`: interface, then destination, gateway and (8th) mask as little-endian hex.
fn parse_route_table(text: &str) -> Vec<RouteEntry> {
    let hex = |s: &str| u32::from_str_radix(s, 16).ok().map(u32::swap_bytes);
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            Some(RouteEntry {
                iface: cols.first()?.to_string(),
                dest: hex(cols.get(1)?)?,
                gateway: hex(cols.get(2)?)?,
                mask: hex(cols.get(7)?)?,
            })
        })
        .collect()
}

pub fn parse_resolv_conf(text: &str) -> Resolver {
    let mut r = Resolver::default();
    for line in text.lines() {
        let mut words = line.split_whitespace();
        match words.next() {
            Some("nameserver") => r.nameservers.extend(words.next().map(str::to_owned)),
            Some("search" | "domain") => r.search = words.map(str::to_owned).collect(),
            _ => {}
        }
    }
    r
}

/// The interface the kernel routes `ip` through: loopback for loopback addresses, else the
/// longest matching prefix in `/proc/net/route` (IPv4) or `/proc/net/ipv6_route` (IPv6).
pub fn interface_toward(ip: IpAddr, route_v4: &str, route_v6: &str) -> Option<String> {
    if ip.is_loopback() {
        return Some("lo".to_owned());
    }
    match ip {
        IpAddr::V4(v4) => {
            let target = u32::from(v4);
            parse_route_table(route_v4)
                .into_iter()
                .filter(|r| target & r.mask == r.dest & r.mask)
                .max_by_key(|r| r.mask.count_ones())
                .map(|r| r.iface)
        }
        IpAddr::V6(v6) => {
            let target = u128::from(v6);
            route_v6
                .lines()
                .filter_map(|line| {
                    let cols: Vec<&str> = line.split_whitespace().collect();
                    let dest = u128::from_str_radix(cols.first()?, 16).ok()?;
                    let bits = u32::from_str_radix(cols.get(1)?, 16).ok()?.min(128);
                    let mask = if bits == 0 {
                        0
                    } else {
                        u128::MAX << (128 - bits)
                    };
                    (target & mask == dest & mask && cols.len() >= 10)
                        .then(|| (bits, cols[cols.len() - 1].to_owned()))
                })
                .max_by_key(|(bits, _)| *bits)
                .map(|(_, iface)| iface)
        }
    }
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

/// One line of `netstat -na`: a TCP connection with its state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TcpConn {
    pub local: String,
    pub remote: String,
    pub state: &'static str,
}

/// Connections whose remote end is `port` on one of `addrs`, read from `/proc/net/tcp{,6}`.
pub fn connections_to(addrs: &[IpAddr], port: u16) -> Vec<TcpConn> {
    ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|p| fs::read_to_string(p).ok())
        .flat_map(|t| parse_proc_net_tcp(&t))
        .filter(|(_, remote, _)| remote.port() == port && addrs.contains(&remote.ip()))
        .map(|(local, remote, state)| TcpConn {
            local: local.to_string(),
            remote: remote.to_string(),
            state,
        })
        .collect()
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

/// Parse `/proc/net/tcp` or `tcp6` into (local, remote, state) triples.
pub fn parse_proc_net_tcp(
    text: &str,
) -> Vec<(std::net::SocketAddr, std::net::SocketAddr, &'static str)> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let local = parse_hex_socket(cols.get(1)?)?;
            let remote = parse_hex_socket(cols.get(2)?)?;
            let state = tcp_state(u8::from_str_radix(cols.get(3)?, 16).ok()?);
            Some((local, remote, state))
        })
        .collect()
}

/// `0100007F:0050` (IPv4) or 32 hex digits `:port` (IPv6), each 32-bit word in host order.
fn parse_hex_socket(s: &str) -> Option<std::net::SocketAddr> {
    let (addr, port) = s.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let ip = match addr.len() {
        8 => IpAddr::V4(Ipv4Addr::from(
            u32::from_str_radix(addr, 16).ok()?.swap_bytes(),
        )),
        32 => {
            let mut bytes = [0u8; 16];
            for (i, chunk) in bytes.chunks_mut(4).enumerate() {
                let word = u32::from_str_radix(addr.get(i * 8..i * 8 + 8)?, 16).ok()?;
                chunk.copy_from_slice(&word.to_le_bytes());
            }
            let v6 = Ipv6Addr::from(bytes);
            v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4)
        }
        _ => return None,
    };
    Some(std::net::SocketAddr::new(ip, port))
}

fn tcp_state(code: u8) -> &'static str {
    match code {
        0x01 => "ESTABLISHED",
        0x02 => "SYN_SENT",
        0x03 => "SYN_RECV",
        0x04 => "FIN_WAIT1",
        0x05 => "FIN_WAIT2",
        0x06 => "TIME_WAIT",
        0x07 => "CLOSE",
        0x08 => "CLOSE_WAIT",
        0x09 => "LAST_ACK",
        0x0A => "LISTEN",
        0x0B => "CLOSING",
        _ => "UNKNOWN",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TCP: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
   1: 0100007F:A2C4 0100007F:0C38 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 20 4 30 10 -1
";
    const TCP6: &str = "  sl  local_address                         remote_address                        st
   0: 00000000000000000000000001000000:B0A2 00000000000000000000000001000000:0C38 06 00000000:00000000
   1: 0000000000000000FFFF00000100007F:B0A3 0000000000000000FFFF00000100007F:0C38 01 00000000:00000000
";

    #[test]
    fn proc_net_tcp_reads_like_netstat() {
        let rows = parse_proc_net_tcp(TCP);
        assert_eq!(rows[0].2, "LISTEN");
        assert_eq!(rows[1].0.to_string(), "127.0.0.1:41668");
        assert_eq!(rows[1].1.to_string(), "127.0.0.1:3128");
        assert_eq!(rows[1].2, "ESTABLISHED");
    }

    #[test]
    fn proc_net_tcp6_handles_ipv6_and_mapped_ipv4() {
        let rows = parse_proc_net_tcp(TCP6);
        assert_eq!(rows[0].1.to_string(), "[::1]:3128");
        assert_eq!(rows[0].2, "TIME_WAIT");
        assert_eq!(rows[1].1.to_string(), "127.0.0.1:3128");
    }

    #[test]
    fn default_routes_come_from_zero_destination_and_mask() {
        let text =
            "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t00000000\t0102A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0
eth0\t0002A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
";
        assert_eq!(
            parse_default_routes(text),
            vec![Route {
                interface: "eth0".into(),
                gateway: "192.168.2.1".parse().unwrap()
            }]
        );
    }

    #[test]
    fn the_interface_toward_an_address_is_the_longest_matching_route() {
        let v4 =
            "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t00000000\t0102A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0
eth1\t0000000A\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0
mgmt\t0000140A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
";
        let v6 = "20010db8000000000000000000000000 20 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth1
00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000003     eth0
";
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(
            interface_toward(ip("10.20.0.5"), v4, v6).as_deref(),
            Some("mgmt")
        );
        assert_eq!(
            interface_toward(ip("10.9.9.9"), v4, v6).as_deref(),
            Some("eth1")
        );
        assert_eq!(
            interface_toward(ip("203.0.113.7"), v4, v6).as_deref(),
            Some("eth0")
        );
        assert_eq!(
            interface_toward(ip("2001:db8::10"), v4, v6).as_deref(),
            Some("eth1")
        );
        assert_eq!(
            interface_toward(ip("2001:db9::10"), v4, v6).as_deref(),
            Some("eth0")
        );
        assert_eq!(
            interface_toward(ip("127.0.0.1"), "", "").as_deref(),
            Some("lo")
        );
        assert_eq!(interface_toward(ip("10.0.0.1"), "", ""), None);
    }

    #[test]
    fn addresses_come_from_the_fib_and_if_inet6() {
        let fib = "Main:
  +-- 0.0.0.0/0 3 0 5
     |-- 0.0.0.0
        /0 universe UNICAST
     +-- 192.0.2.0/24 2 0 2
        |-- 192.0.2.0
           /24 link UNICAST
        |-- 192.0.2.2
           /32 host LOCAL
Local:
  +-- 127.0.0.0/8 2 0 2
     |-- 127.0.0.1
        /32 host LOCAL
     |-- 192.0.2.2
        /32 host LOCAL
";
        let locals = parse_fib_trie_locals(fib);
        assert_eq!(
            locals,
            [
                "192.0.2.2".parse::<Ipv4Addr>().unwrap(),
                "127.0.0.1".parse().unwrap()
            ]
        );
        let route =
            "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0
eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
";
        assert_eq!(
            ipv4_addresses(&locals, route),
            [
                ("eth0".to_owned(), "192.0.2.2/24".to_owned()),
                ("lo".to_owned(), "127.0.0.1/8".to_owned())
            ]
        );
        let inet6 = "00000000000000000000000000000001 01 80 10 80       lo
fd000000000000000000000000000002 04 40 00 82     eth0
";
        assert_eq!(
            parse_if_inet6(inet6),
            [
                ("lo".to_owned(), "::1/128".to_owned()),
                ("eth0".to_owned(), "fd00::2/64".to_owned())
            ]
        );
    }

    #[test]
    fn resolv_conf_gives_servers_and_search_domains() {
        let r = parse_resolv_conf(
            "# comment\nnameserver 10.0.0.2\nnameserver ::1\nsearch corp.example lab.example\n",
        );
        assert_eq!(r.nameservers, ["10.0.0.2", "::1"]);
        assert_eq!(r.search, ["corp.example", "lab.example"]);
    }
}
