//! The kernel's routing tables as FMC's Routes section shows them: `/proc/net/route` (IPv4)
//! and `/proc/net/ipv6_route` (IPv6), without the routes the kernel makes by itself.
//!
//! Which routes an admin set: the kernel adds a *connected* route for each address given to
//! an interface (no gateway, the address's own subnet), IPv6 adds local (`RTF_LOCAL`),
//! multicast (`ff00::/8`), link-local (`fe80::/64`) and `lo` reject routes, and caches. FMC's
//! tables list the routes with meaning to an admin: the default route and the static ones.
//! So a route is shown unless it is one of those kernel-made kinds; a device route an admin
//! added without a gateway is shown too, unless it covers one of the host's own addresses.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// `RTF_UP`, `RTF_REJECT`, `RTF_CACHE`, `RTF_LOCAL` of `<linux/route.h>`/`ipv6_route.h`.
const RTF_UP: u32 = 0x0001;
const RTF_REJECT: u32 = 0x0200;
const RTF_CACHE: u32 = 0x0100_0000;
const RTF_LOCAL: u32 = 0x8000_0000;

/// One line of `/proc/net/route`, addresses in host order.
#[derive(Clone, Debug)]
pub struct RouteV4 {
    pub iface: String,
    pub dest: u32,
    pub gateway: u32,
    pub flags: u32,
    pub mask: u32,
}

impl RouteV4 {
    pub fn contains(&self, ip: Ipv4Addr) -> bool {
        u32::from(ip) & self.mask == self.dest & self.mask
    }
}

/// `/proc/net/route`: interface, then destination, gateway, flags and (8th) mask, the
/// addresses as little-endian hex.
pub fn parse_route_table(text: &str) -> Vec<RouteV4> {
    let hex = |s: &str| u32::from_str_radix(s, 16).ok();
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            Some(RouteV4 {
                iface: cols.first()?.to_string(),
                dest: hex(cols.get(1)?)?.swap_bytes(),
                gateway: hex(cols.get(2)?)?.swap_bytes(),
                flags: hex(cols.get(3)?)?,
                mask: hex(cols.get(7)?)?.swap_bytes(),
            })
        })
        .collect()
}

/// A row of *IPv4 Routes*: Destination, Netmask, Interface, Gateway (none on a device route).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Ipv4Route {
    pub destination: Ipv4Addr,
    pub netmask: Ipv4Addr,
    pub interface: String,
    pub gateway: Option<Ipv4Addr>,
}

/// The IPv4 routes an admin set (see the module's rule); `locals` are the host's own
/// addresses, whose connected routes are the kernel's.
pub fn admin_routes_v4(text: &str, locals: &[Ipv4Addr]) -> Vec<Ipv4Route> {
    parse_route_table(text)
        .into_iter()
        .filter(|r| r.flags & RTF_UP != 0 && r.flags & RTF_REJECT == 0)
        .filter(|r| r.gateway != 0 || !locals.iter().any(|ip| r.contains(*ip)))
        .map(|r| Ipv4Route {
            destination: Ipv4Addr::from(r.dest),
            netmask: Ipv4Addr::from(r.mask),
            gateway: (r.gateway != 0).then(|| Ipv4Addr::from(r.gateway)),
            interface: r.iface,
        })
        .collect()
}

/// One line of `/proc/net/ipv6_route`.
#[derive(Clone, Debug)]
pub struct RouteV6 {
    pub dest: u128,
    pub prefix_len: u8,
    pub nexthop: u128,
    pub flags: u32,
    pub iface: String,
}

impl RouteV6 {
    pub fn contains(&self, ip: Ipv6Addr) -> bool {
        let mask = match self.prefix_len.min(128) {
            0 => 0,
            bits => u128::MAX << (128 - u32::from(bits)),
        };
        u128::from(ip) & mask == self.dest & mask
    }
}

/// `/proc/net/ipv6_route`: destination, its prefix length, source, its length, next hop,
/// metric, use and reference counts, flags, interface; all hex but the interface.
pub fn parse_ipv6_route(text: &str) -> Vec<RouteV6> {
    text.lines()
        .filter_map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            if cols.len() < 10 {
                return None;
            }
            Some(RouteV6 {
                dest: u128::from_str_radix(cols[0], 16).ok()?,
                prefix_len: u8::from_str_radix(cols[1], 16).ok()?,
                nexthop: u128::from_str_radix(cols[4], 16).ok()?,
                flags: u32::from_str_radix(cols[8], 16).ok()?,
                iface: cols[9].to_owned(),
            })
        })
        .collect()
}

/// A row of *IPv6 Routes*: Destination, Prefix Length, Interface, Gateway.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Ipv6Route {
    pub destination: Ipv6Addr,
    pub prefix_len: u8,
    pub interface: String,
    pub gateway: Option<Ipv6Addr>,
}

/// The IPv6 routes an admin set (see the module's rule); `own` are the host's addresses.
pub fn admin_routes_v6(text: &str, own: &[Ipv6Addr]) -> Vec<Ipv6Route> {
    parse_ipv6_route(text)
        .into_iter()
        .filter(|r| !kernel_made_v6(r, own))
        .map(|r| Ipv6Route {
            destination: Ipv6Addr::from(r.dest),
            prefix_len: r.prefix_len,
            gateway: (r.nexthop != 0).then(|| Ipv6Addr::from(r.nexthop)),
            interface: r.iface,
        })
        .collect()
}

/// A route the kernel keeps for itself: on `lo` (local addresses, the catch-all reject),
/// local, rejecting or cached, multicast, link-local, or an own address's connected subnet.
fn kernel_made_v6(r: &RouteV6, own: &[Ipv6Addr]) -> bool {
    let dest = Ipv6Addr::from(r.dest);
    r.iface == "lo"
        || r.flags & RTF_UP == 0
        || r.flags & (RTF_LOCAL | RTF_REJECT | RTF_CACHE) != 0
        || dest.is_multicast()
        || dest.is_unicast_link_local()
        || (r.nexthop == 0 && own.iter().any(|ip| r.contains(*ip)))
}

/// The interface the kernel routes `ip` through: loopback for loopback addresses, else the
/// longest matching prefix in `/proc/net/route` (IPv4) or `/proc/net/ipv6_route` (IPv6).
pub fn interface_toward(ip: IpAddr, route_v4: &str, route_v6: &str) -> Option<String> {
    if ip.is_loopback() {
        return Some("lo".to_owned());
    }
    match ip {
        IpAddr::V4(v4) => parse_route_table(route_v4)
            .into_iter()
            .filter(|r| r.contains(v4))
            .max_by_key(|r| r.mask.count_ones())
            .map(|r| r.iface),
        IpAddr::V6(v6) => parse_ipv6_route(route_v6)
            .into_iter()
            .filter(|r| r.contains(v6))
            .max_by_key(|r| r.prefix_len)
            .map(|r| r.iface),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTE: &str = include_str!("../../tests/fixtures/host/route");
    const ROUTE_NO_DEFAULT: &str = include_str!("../../tests/fixtures/host/route-no-default");
    const IPV6_ROUTE: &str = include_str!("../../tests/fixtures/host/ipv6_route");

    fn v4(s: &str) -> Ipv4Addr {
        s.parse().unwrap()
    }

    fn v6(s: &str) -> Ipv6Addr {
        s.parse().unwrap()
    }

    #[test]
    fn ipv4_routes_are_the_default_and_static_ones_not_the_connected_subnets() {
        let locals = [v4("192.0.2.2"), v4("198.51.100.9"), v4("127.0.0.1")];
        let routes = admin_routes_v4(ROUTE, &locals);
        assert_eq!(
            routes,
            [
                Ipv4Route {
                    destination: v4("0.0.0.0"),
                    netmask: v4("0.0.0.0"),
                    interface: "eth0".into(),
                    gateway: Some(v4("192.0.2.1")),
                },
                Ipv4Route {
                    destination: v4("10.20.0.0"),
                    netmask: v4("255.255.0.0"),
                    interface: "eth1".into(),
                    gateway: Some(v4("198.51.100.1")),
                },
                Ipv4Route {
                    destination: v4("203.0.113.0"),
                    netmask: v4("255.255.255.0"),
                    interface: "eth1".into(),
                    gateway: None,
                },
            ],
            "not 192.0.2.0/24 nor 198.51.100.0/25 (connected), nor the unreachable route"
        );
    }

    #[test]
    fn a_host_without_a_default_route_lists_only_its_static_routes() {
        let routes = admin_routes_v4(ROUTE_NO_DEFAULT, &[v4("192.0.2.2")]);
        assert_eq!(routes.len(), 1, "{routes:?}");
        assert_eq!(routes[0].destination, v4("10.0.0.0"));
        assert_eq!(routes[0].netmask, v4("255.0.0.0"));
        assert_eq!(routes[0].gateway, Some(v4("192.0.2.254")));
        assert!(admin_routes_v4("Iface\tDestination\n", &[]).is_empty());
    }

    #[test]
    fn ipv6_routes_skip_the_kernels_local_multicast_link_local_and_connected_routes() {
        let own = [v6("2001:db8:10::5"), v6("fd00::2"), v6("::1")];
        let routes = admin_routes_v6(IPV6_ROUTE, &own);
        assert_eq!(
            routes,
            [
                Ipv6Route {
                    destination: v6("2001:db8:99::"),
                    prefix_len: 48,
                    interface: "eth0".into(),
                    gateway: Some(v6("2001:db8:10::1")),
                },
                Ipv6Route {
                    destination: v6("::"),
                    prefix_len: 0,
                    interface: "eth0".into(),
                    gateway: Some(v6("fd00::1")),
                },
            ]
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
        let toward = |s: &str| interface_toward(ip(s), v4, v6);
        assert_eq!(toward("10.20.0.5").as_deref(), Some("mgmt"));
        assert_eq!(toward("10.9.9.9").as_deref(), Some("eth1"));
        assert_eq!(toward("203.0.113.7").as_deref(), Some("eth0"));
        assert_eq!(toward("2001:db8::10").as_deref(), Some("eth1"));
        assert_eq!(toward("2001:db9::10").as_deref(), Some("eth0"));
        assert_eq!(
            interface_toward(ip("127.0.0.1"), "", "").as_deref(),
            Some("lo")
        );
        assert_eq!(interface_toward(ip("10.0.0.1"), "", ""), None);
    }
}
