//! The host's TCP connections, as `netstat -na` lists them, from `/proc/net/tcp{,6}`.

use std::fs;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

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
}
