//! MTU in the diagnosis: a reset inside the tunnel names the MTU of this host's interface
//! toward the proxy (read from /proc and /sys), the first thing to compare with the path.

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
