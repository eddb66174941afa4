//! The ICMPv6 section: what the kernel's settings under `/proc/sys/net/ipv6/icmp` say about
//! answering pings and sending Destination Unreachable.
//!
//! Linux has no switch that stops Destination Unreachable (ICMPv6 type 1): it always sends
//! them, rate-limited to one per `net.ipv6.icmp.ratelimit` milliseconds (0: no limit) when
//! type 1 is in `net.ipv6.icmp.ratemask` (default `0-1,3-127`). Only with IPv6 off (no
//! `/proc/sys/net/ipv6`) does the host send none. Echo Reply is `echo_ignore_all` = 0.

use std::fs;
use std::path::Path;

/// ICMPv6 as the kernel is set; `None` (see [`read`]) when IPv6 is off.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Icmpv6 {
    /// `echo_ignore_all` is 0: the host answers pings.
    pub echo_reply: bool,
    /// The value of `echo_ignore_all`, as the page's hint quotes it.
    pub echo_ignore_all: String,
    /// `ratelimit` in milliseconds, as read.
    pub ratelimit: String,
    /// `ratemask`, as read.
    pub ratemask: String,
    /// Type 1 is in `ratemask`: Destination Unreachable is rate-limited.
    pub unreachable_limited: bool,
}

/// ICMPv6 type 1, Destination Unreachable.
const DESTINATION_UNREACHABLE: u32 = 1;

/// The settings under `root` (`/` on a real host); `None` when IPv6 is off.
pub fn read(root: &Path) -> Option<Icmpv6> {
    let dir = root.join("proc/sys/net/ipv6/icmp");
    let read = |name: &str| fs::read_to_string(dir.join(name)).ok();
    Some(from_settings(
        read("echo_ignore_all")?.trim(),
        read("ratelimit").unwrap_or_default().trim(),
        read("ratemask").unwrap_or_default().trim(),
    ))
}

/// The section's facts from the three settings' text.
pub fn from_settings(echo_ignore_all: &str, ratelimit: &str, ratemask: &str) -> Icmpv6 {
    Icmpv6 {
        echo_reply: echo_ignore_all == "0",
        echo_ignore_all: echo_ignore_all.to_owned(),
        ratelimit: ratelimit.to_owned(),
        ratemask: ratemask.to_owned(),
        unreachable_limited: mask_has(ratemask, DESTINATION_UNREACHABLE),
    }
}

/// Whether a kernel bitmap list (`0-1,3-127`) holds `n`.
fn mask_has(list: &str, n: u32) -> bool {
    list.split(',').any(|part| {
        let (lo, hi) = part.split_once('-').unwrap_or((part, part));
        match (lo.trim().parse::<u32>(), hi.trim().parse::<u32>()) {
            (Ok(lo), Ok(hi)) => (lo..=hi).contains(&n),
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_reply_is_enabled_when_echo_ignore_all_is_zero() {
        let on = from_settings("0", "1000", "0-1,3-127");
        assert!(on.echo_reply);
        assert!(on.unreachable_limited);
        assert_eq!(on.ratelimit, "1000");
        assert!(!from_settings("1", "1000", "0-1,3-127").echo_reply);
    }

    #[test]
    fn the_ratemask_is_a_list_of_ranges() {
        assert!(mask_has("0-1,3-127", 1));
        assert!(!mask_has("0-1,3-127", 2), "Packet Too Big is never limited");
        assert!(mask_has("1", 1));
        assert!(!mask_has("3-127", 1));
        assert!(!mask_has("", 1));
    }

    #[test]
    fn the_settings_are_read_under_a_root_and_ipv6_off_means_none() {
        let root = tempfile::tempdir().unwrap();
        assert_eq!(
            read(root.path()),
            None,
            "no /proc/sys/net/ipv6: IPv6 is off"
        );
        let dir = root.path().join("proc/sys/net/ipv6/icmp");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("echo_ignore_all"), "1\n").unwrap();
        fs::write(dir.join("ratelimit"), "250\n").unwrap();
        fs::write(dir.join("ratemask"), "3-127\n").unwrap();
        assert_eq!(
            read(root.path()),
            Some(Icmpv6 {
                echo_reply: false,
                echo_ignore_all: "1".into(),
                ratelimit: "250".into(),
                ratemask: "3-127".into(),
                unreachable_limited: false,
            })
        );
    }
}
