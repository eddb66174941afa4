//! The management interfaces: the host's physical network interfaces (up or down) with
//! their MAC and IP addresses, read from `<root>/sys/class/net` and `<root>/proc/net`.

use std::fs;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::Path;

use super::read_trimmed;
use super::routes::{self, RouteV4};

#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Interface {
    pub name: String,
    pub mac: String,
    /// `10.0.0.5/24`, `2001:db8::5/64`: IPv4 first.
    pub addresses: Vec<String>,
}

/// The management interfaces under `root` (`/` on a real host), sorted by name.
pub fn read(root: &Path) -> Vec<Interface> {
    let read = |p: &str| fs::read_to_string(root.join(p)).unwrap_or_default();
    let mut addresses = ipv4_addresses(
        &parse_fib_trie_locals(&read("proc/net/fib_trie")),
        &routes::parse_route_table(&read("proc/net/route")),
    );
    addresses.extend(parse_if_inet6(&read("proc/net/if_inet6")));
    let class_net = root.join("sys/class/net");
    let Ok(entries) = fs::read_dir(&class_net) else {
        return Vec::new();
    };
    let mut out: Vec<Interface> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| is_management(name, &class_net.join(name)))
        .map(|name| Interface {
            mac: read_trimmed(class_net.join(&name).join("address")),
            addresses: addresses
                .iter()
                .filter(|(n, _)| *n == name)
                .map(|(_, a)| a.clone())
                .collect(),
            name,
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// A management interface is a physical one: the kernel links a real device (PCI, USB,
/// virtio) as `device` under its `/sys/class/net` entry, and virtual ones have none. `lo`,
/// bridges, `ifb*` and `veth*` are refused by name or kind too, in case a driver gives one
/// a parent device.
pub fn is_management(name: &str, dir: &Path) -> bool {
    let virtual_name = name == "lo" || name.starts_with("ifb") || name.starts_with("veth");
    !virtual_name && dir.join("device").exists() && !dir.join("bridge").exists()
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
pub fn ipv4_addresses(locals: &[Ipv4Addr], routes: &[RouteV4]) -> Vec<(String, String)> {
    locals
        .iter()
        .filter_map(|ip| {
            if ip.is_loopback() {
                return Some(("lo".to_owned(), format!("{ip}/8")));
            }
            // Connected routes (not the default route) hold the host's own subnets.
            routes
                .iter()
                .filter(|r| r.mask != 0 && r.contains(*ip))
                .max_by_key(|r| r.mask.count_ones())
                .map(|r| (r.iface.clone(), format!("{ip}/{}", r.mask.count_ones())))
        })
        .collect()
}

/// One line of `/proc/net/if_inet6`: an address of this host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressV6 {
    pub iface: String,
    pub addr: Ipv6Addr,
    pub prefix_len: u8,
    /// The kernel's scope: 0x00 global, 0x10 host, 0x20 link.
    pub scope: u8,
}

/// `/proc/net/if_inet6`: address, index, prefix length, scope, flags, interface (hex).
pub fn parse_if_inet6_lines(text: &str) -> Vec<AddressV6> {
    text.lines()
        .filter_map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            Some(AddressV6 {
                addr: Ipv6Addr::from(u128::from_str_radix(cols.first()?, 16).ok()?),
                prefix_len: u8::from_str_radix(cols.get(2)?, 16).ok()?,
                scope: u8::from_str_radix(cols.get(3)?, 16).ok()?,
                iface: cols.get(5)?.to_string(),
            })
        })
        .collect()
}

/// The IPv6 addresses an admin gives an interface, as `(interface, address/len)`: the
/// link-local (`fe80::`) and host-scope ones are the kernel's own, so FMC does not list them.
pub fn parse_if_inet6(text: &str) -> Vec<(String, String)> {
    const HOST: u8 = 0x10;
    const LINK: u8 = 0x20;
    parse_if_inet6_lines(text)
        .into_iter()
        .filter(|a| a.scope != HOST && a.scope != LINK)
        .map(|a| (a.iface, format!("{}/{}", a.addr, a.prefix_len)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIB: &str = include_str!("../../tests/fixtures/host/fib_trie");
    const ROUTE: &str = include_str!("../../tests/fixtures/host/route");
    const INET6: &str = include_str!("../../tests/fixtures/host/if_inet6");

    #[test]
    fn addresses_come_from_the_fib_and_if_inet6() {
        let locals = parse_fib_trie_locals(FIB);
        assert_eq!(
            locals,
            [
                "192.0.2.2".parse::<Ipv4Addr>().unwrap(),
                "198.51.100.9".parse().unwrap(),
                "127.0.0.1".parse().unwrap(),
            ]
        );
        assert_eq!(
            ipv4_addresses(&locals, &routes::parse_route_table(ROUTE)),
            [
                ("eth0".to_owned(), "192.0.2.2/24".to_owned()),
                ("eth1".to_owned(), "198.51.100.9/25".to_owned()),
                ("lo".to_owned(), "127.0.0.1/8".to_owned()),
            ]
        );
        assert_eq!(
            parse_if_inet6(INET6),
            [
                ("eth0".to_owned(), "2001:db8:10::5/64".to_owned()),
                ("eth0".to_owned(), "fd00::2/64".to_owned()),
            ],
            "no ::1 (host scope), no fe80:: (link scope)"
        );
    }

    /// A sysfs tree as the kernel lays it out: physical interfaces have `device`.
    fn sysfs(root: &Path, name: &str, physical: bool, bridge: bool) {
        let dir = root.join("sys/class/net").join(name);
        fs::create_dir_all(&dir).unwrap();
        fs::write(
            dir.join("address"),
            format!("52:54:00:00:00:{:02x}\n", name.len()),
        )
        .unwrap();
        if physical {
            fs::create_dir_all(dir.join("device")).unwrap();
        }
        if bridge {
            fs::create_dir_all(dir.join("bridge")).unwrap();
        }
    }

    #[test]
    fn only_physical_interfaces_up_or_down_are_management_interfaces() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path();
        sysfs(root, "eth0", true, false);
        sysfs(root, "eth1", true, false);
        sysfs(root, "eth2", true, false); // down, no address: still listed
        sysfs(root, "lo", false, false);
        sysfs(root, "br0", false, true);
        sysfs(root, "docker0", false, true);
        sysfs(root, "veth12ab", false, false);
        sysfs(root, "ifb0", false, false);
        sysfs(root, "dummy0", false, false);
        // A bridge or an ifb with a parent device is still not a management interface.
        sysfs(root, "brx", true, true);
        sysfs(root, "ifb1", true, false);
        fs::create_dir_all(root.join("proc/net")).unwrap();
        fs::write(root.join("proc/net/fib_trie"), FIB).unwrap();
        fs::write(root.join("proc/net/route"), ROUTE).unwrap();
        fs::write(root.join("proc/net/if_inet6"), INET6).unwrap();

        let found = read(root);

        let names: Vec<&str> = found.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["eth0", "eth1", "eth2"]);
        assert_eq!(found[0].mac, "52:54:00:00:00:04");
        assert_eq!(
            found[0].addresses,
            ["192.0.2.2/24", "2001:db8:10::5/64", "fd00::2/64"]
        );
        assert_eq!(found[1].addresses, ["198.51.100.9/25"]);
        assert!(found[2].addresses.is_empty());
    }

    #[test]
    fn no_sysfs_means_no_interfaces() {
        let root = tempfile::tempdir().unwrap();
        assert!(read(root.path()).is_empty());
    }
}
