//! Resolving the proxy's name with getaddrinfo itself, as std does (same hints, same
//! order), so that a failure arrives as its EAI code: std keeps only the resolver's
//! English words, and deciding from those would break on another libc or wording.

use std::ffi::{CStr, CString};
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::ptr;

/// Why a name did not resolve: getaddrinfo's answer.
#[derive(Debug)]
pub(super) enum DnsError {
    /// `EAI_NONAME`: the name is not known.
    UnknownName,
    /// `EAI_NODATA`: the name is known but has no address.
    NoAddress,
    /// `EAI_AGAIN`: the DNS servers did not answer (for now).
    TryAgain,
    /// `EAI_SYSTEM`: the OS error behind it.
    System(io::Error),
    /// Any other EAI code.
    Other(libc::c_int),
}

impl DnsError {
    fn from_code(code: libc::c_int) -> Self {
        match code {
            libc::EAI_NONAME => DnsError::UnknownName,
            libc::EAI_NODATA => DnsError::NoAddress,
            libc::EAI_AGAIN => DnsError::TryAgain,
            // errno still holds the cause: nothing ran since getaddrinfo returned.
            libc::EAI_SYSTEM => DnsError::System(io::Error::last_os_error()),
            other => DnsError::Other(other),
        }
    }

    fn code(&self) -> libc::c_int {
        match self {
            DnsError::UnknownName => libc::EAI_NONAME,
            DnsError::NoAddress => libc::EAI_NODATA,
            DnsError::TryAgain => libc::EAI_AGAIN,
            DnsError::System(_) => libc::EAI_SYSTEM,
            DnsError::Other(code) => *code,
        }
    }

    /// The resolver's own words, exactly as std says them
    /// (`failed to lookup address information: Name or service not known`).
    pub(super) fn resolver_words(&self) -> String {
        if let DnsError::System(e) = self {
            return e.to_string();
        }
        // SAFETY: gai_strerror returns a pointer to a static NUL-terminated string (or
        // null, checked) for any code.
        let words = unsafe {
            let p = libc::gai_strerror(self.code());
            if p.is_null() {
                return format!(
                    "failed to lookup address information: error {}",
                    self.code()
                );
            }
            CStr::from_ptr(p).to_string_lossy().into_owned()
        };
        format!("failed to lookup address information: {words}")
    }
}

/// The addresses of `host` for TCP, each with `port` (blocking: run it off the runtime).
pub(super) fn lookup(host: &str, port: u16) -> Result<Vec<SocketAddr>, DnsError> {
    // A NUL cannot be in a valid host name; the resolver would not know it either.
    let name = CString::new(host).map_err(|_| DnsError::UnknownName)?;
    // SAFETY: an all-zero addrinfo is a valid value (no flags, null pointers).
    let mut hints: libc::addrinfo = unsafe { std::mem::zeroed() };
    hints.ai_socktype = libc::SOCK_STREAM;
    let mut list: *mut libc::addrinfo = ptr::null_mut();
    // SAFETY: `name` is NUL-terminated and outlives the call; `hints` is initialised;
    // `list` is written only on success.
    let code = unsafe { libc::getaddrinfo(name.as_ptr(), ptr::null(), &hints, &mut list) };
    if code != 0 {
        return Err(DnsError::from_code(code));
    }
    let mut addrs = Vec::new();
    let mut node = list;
    while !node.is_null() {
        // SAFETY: `node` is a node of the list getaddrinfo returned, alive until the
        // freeaddrinfo below; its ai_addr is valid for ai_addrlen bytes.
        let ai = unsafe { &*node };
        if let Some(addr) = unsafe { socket_addr(ai.ai_addr, ai.ai_addrlen, port) } {
            addrs.push(addr);
        }
        node = ai.ai_next;
    }
    // SAFETY: the list getaddrinfo returned, freed once, not used after.
    unsafe { libc::freeaddrinfo(list) };
    Ok(addrs)
}

/// An IPv4 or IPv6 socket address from getaddrinfo's `sockaddr`, with `port`.
///
/// # Safety
/// `sa` is null or points to `len` readable bytes of a sockaddr.
unsafe fn socket_addr(
    sa: *const libc::sockaddr,
    len: libc::socklen_t,
    port: u16,
) -> Option<SocketAddr> {
    if sa.is_null() {
        return None;
    }
    let len = usize::try_from(len).ok()?;
    // SAFETY: the caller's promise; the family's struct size is checked before the cast.
    unsafe {
        match libc::c_int::from((*sa).sa_family) {
            libc::AF_INET if len >= size_of::<libc::sockaddr_in>() => {
                let v4 = &*sa.cast::<libc::sockaddr_in>();
                let ip = Ipv4Addr::from(u32::from_be(v4.sin_addr.s_addr));
                Some(SocketAddr::V4(SocketAddrV4::new(ip, port)))
            }
            libc::AF_INET6 if len >= size_of::<libc::sockaddr_in6>() => {
                let v6 = &*sa.cast::<libc::sockaddr_in6>();
                let ip = Ipv6Addr::from(v6.sin6_addr.s6_addr);
                let (flow, scope) = (v6.sin6_flowinfo, v6.sin6_scope_id);
                Some(SocketAddr::V6(SocketAddrV6::new(ip, port, flow, scope)))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::ToSocketAddrs;

    use super::*;

    #[test]
    fn localhost_resolves_to_what_std_finds_in_the_same_order() {
        let ours = lookup("localhost", 3128).unwrap();
        let std: Vec<SocketAddr> = ("localhost", 3128).to_socket_addrs().unwrap().collect();
        assert!(!ours.is_empty());
        assert_eq!(ours, std);
        assert!(
            ours.iter()
                .all(|a| a.port() == 3128 && a.ip().is_loopback())
        );
    }

    #[test]
    fn each_eai_code_keeps_its_kind_and_the_resolver_words_std_would_say() {
        let cases = [
            (libc::EAI_NONAME, "Name or service not known"),
            (libc::EAI_NODATA, "No address associated with hostname"),
            (libc::EAI_AGAIN, "Temporary failure in name resolution"),
            (libc::EAI_FAIL, "Non-recoverable failure in name resolution"),
        ];
        for (code, words) in cases {
            let e = DnsError::from_code(code);
            assert_eq!(e.code(), code);
            assert_eq!(
                e.resolver_words(),
                format!("failed to lookup address information: {words}")
            );
        }
        assert!(matches!(
            DnsError::from_code(libc::EAI_NONAME),
            DnsError::UnknownName
        ));
        assert!(matches!(
            DnsError::from_code(libc::EAI_FAIL),
            DnsError::Other(libc::EAI_FAIL)
        ));
        let system = DnsError::System(io::Error::from_raw_os_error(libc::ENOMEM));
        assert_eq!(
            system.resolver_words(),
            io::Error::from_raw_os_error(libc::ENOMEM).to_string()
        );
    }

    #[test]
    fn a_name_with_a_nul_is_unknown_without_asking_the_resolver() {
        assert!(matches!(lookup("a\0b", 80), Err(DnsError::UnknownName)));
    }
}
