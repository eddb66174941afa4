//! MTU in the diagnosis: the large-request verdict, the socket's `TCP_INFO`, and the MTU of
//! this host's interface toward the proxy (read from /proc and /sys), the first things to
//! compare with the path.

use super::{DiagnosisCode, Report};

/// On a reset inside the tunnel, name the MTU of this host's interface toward the proxy:
/// the first thing to compare with the path when a large packet (the TLS ClientHello) dies.
pub async fn annotate_mtu(report: &mut Report) {
    if report.diagnosis.code != DiagnosisCode::ConnectionReset {
        return;
    }
    let host = report.proxy.host.trim_matches(['[', ']']).to_owned();
    let ip = match host.parse::<std::net::IpAddr>() {
        Ok(ip) => Some(ip),
        Err(_) => {
            let lookup = tokio::net::lookup_host((host.as_str(), report.proxy.port));
            match tokio::time::timeout(std::time::Duration::from_secs(1), lookup).await {
                Ok(Ok(mut addrs)) => addrs.next().map(|a| a.ip()),
                _ => None,
            }
        }
    };
    let Some(ip) = ip else { return };
    if let Some((iface, mtu)) = tokio::task::spawn_blocking(move || crate::host::mtu_toward(ip))
        .await
        .ok()
        .flatten()
    {
        report.diagnosis.add_mtu(iface, mtu);
    }
}

/// How one request inside the tunnel fared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exchange {
    /// A response head came back.
    Answered,
    /// The connection was reset (or the write hit a reset).
    Reset,
    /// The connection was closed before a whole answer.
    Closed,
    /// Nothing came back within the read timeout.
    Stalled,
    /// Something came back, but not an HTTP head.
    Malformed,
}

/// The verdict of the two requests on one connection: the small `HEAD` and the one padded
/// past a full-size packet. Only a lost or cut large request after an answered small one
/// is the Cisco note's MTU case; the same failure on the small one is said as it was.
pub fn large_packet_verdict(small: Exchange, large: Exchange) -> DiagnosisCode {
    match (small, large) {
        (Exchange::Answered, Exchange::Answered) => DiagnosisCode::Ok,
        (Exchange::Answered, Exchange::Reset | Exchange::Closed | Exchange::Stalled) => {
            DiagnosisCode::MtuSuspected
        }
        (Exchange::Answered, Exchange::Malformed) | (Exchange::Malformed, _) => {
            DiagnosisCode::MalformedResponse
        }
        (Exchange::Reset | Exchange::Closed, _) => DiagnosisCode::ConnectionReset,
        (Exchange::Stalled, _) => DiagnosisCode::TunnelIdle,
    }
}

/// Smallest padded request (SPEC §6: ≥ 1,400 bytes).
pub const LARGE_REQUEST_MIN: usize = 1400;
/// Largest padded request: past any Ethernet MSS, yet one header line every server takes.
pub const LARGE_REQUEST_MAX: usize = 4096;

/// The padded request's size: at least one full segment of the connection's MSS (the
/// packets that die on a smaller-MTU link), within the bounds above.
pub fn large_request_size(mss: Option<u32>) -> usize {
    mss.map_or(LARGE_REQUEST_MIN, |m| m as usize)
        .clamp(LARGE_REQUEST_MIN, LARGE_REQUEST_MAX)
}

/// The sender MSS and path MTU the kernel holds for `socket` (`TCP_INFO`); `None` when
/// the kernel does not say (not Linux, or the call failed).
#[cfg(target_os = "linux")]
pub fn tcp_info(socket: &impl std::os::fd::AsRawFd) -> Option<(u32, u32)> {
    let mut info = std::mem::MaybeUninit::<libc::tcp_info>::zeroed();
    let mut len = std::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
    // SAFETY: `info` is a writable buffer of `len` bytes that outlives the call, `len` is
    // its true size, and the fd is a live socket borrowed for the call's duration. The
    // kernel writes at most `len` bytes and reports how many in `len`.
    let rc = unsafe {
        libc::getsockopt(
            socket.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_INFO,
            info.as_mut_ptr().cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return None;
    }
    // SAFETY: zero-initialised above and (partly) filled by the kernel; every field is an
    // integer, for which any bit pattern (including the zeroes left over) is valid.
    let info = unsafe { info.assume_init() };
    Some((info.tcpi_snd_mss, info.tcpi_pmtu))
}

#[cfg(not(target_os = "linux"))]
pub fn tcp_info(_socket: &impl std::os::fd::AsRawFd) -> Option<(u32, u32)> {
    None
}

/// The report's `tcp`: the socket's `TCP_INFO` and this host's interface toward `peer`
/// with its MTU (read from /proc and /sys off the runtime).
pub async fn tcp_report(
    info: Option<(u32, u32)>,
    peer: Option<std::net::IpAddr>,
) -> Option<super::TcpReport> {
    let (mss, path_mtu) = info?;
    let toward = match peer {
        Some(ip) => tokio::task::spawn_blocking(move || crate::host::mtu_toward(ip))
            .await
            .ok()
            .flatten(),
        None => None,
    };
    let (interface, interface_mtu) = match toward {
        Some((iface, mtu)) => (Some(iface), mtu.parse().ok()),
        None => (None, None),
    };
    Some(super::TcpReport {
        mss,
        path_mtu,
        interface,
        interface_mtu,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Exchange::*;

    #[test]
    fn a_lost_or_cut_large_request_after_an_answered_small_one_is_mtu_suspected() {
        assert_eq!(
            large_packet_verdict(Answered, Reset),
            DiagnosisCode::MtuSuspected
        );
        assert_eq!(
            large_packet_verdict(Answered, Closed),
            DiagnosisCode::MtuSuspected
        );
        assert_eq!(
            large_packet_verdict(Answered, Stalled),
            DiagnosisCode::MtuSuspected
        );
    }

    #[test]
    fn both_answered_is_ok_and_a_failed_small_request_is_not_the_mtu_case() {
        assert_eq!(large_packet_verdict(Answered, Answered), DiagnosisCode::Ok);
        assert_eq!(
            large_packet_verdict(Answered, Malformed),
            DiagnosisCode::MalformedResponse
        );
        for large in [Answered, Reset, Closed, Stalled, Malformed] {
            assert_ne!(
                large_packet_verdict(Reset, large),
                DiagnosisCode::MtuSuspected
            );
            assert_ne!(
                large_packet_verdict(Stalled, large),
                DiagnosisCode::MtuSuspected
            );
        }
        assert_eq!(
            large_packet_verdict(Stalled, Stalled),
            DiagnosisCode::TunnelIdle
        );
        assert_eq!(
            large_packet_verdict(Closed, Reset),
            DiagnosisCode::ConnectionReset
        );
    }

    #[test]
    fn the_padded_request_fills_a_segment_within_its_bounds() {
        assert_eq!(large_request_size(None), 1400);
        assert_eq!(large_request_size(Some(536)), 1400);
        assert_eq!(large_request_size(Some(1448)), 1448);
        assert_eq!(large_request_size(Some(65483)), 4096);
    }

    #[test]
    fn tcp_info_of_a_connected_socket_has_an_mss_and_a_path_mtu() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (mss, pmtu) = tcp_info(&client).unwrap();
        assert!(mss > 0 && pmtu > 0, "mss {mss}, pmtu {pmtu}");
    }
}
