//! Login throttling: after 5 failures for one user name or one address, each further
//! failure locks that key for longer (30 s, 1 min, 2 min … up to 15 min). Kept in memory:
//! a restart forgives, but only an administrator can restart.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const FREE_FAILURES: u32 = 5;
const FIRST_LOCK: Duration = Duration::from_secs(30);
const LONGEST_LOCK: Duration = Duration::from_secs(15 * 60);
/// A key with no failure for this long starts afresh.
const FORGET_AFTER: Duration = Duration::from_secs(3600);
const MAX_KEYS: usize = 10_000;

#[derive(Clone, Copy, Debug)]
struct Entry {
    failures: u32,
    last: Instant,
    locked_until: Option<Instant>,
}

/// How long `failures` consecutive failures lock a key.
pub fn lock_for(failures: u32) -> Option<Duration> {
    let over = failures.checked_sub(FREE_FAILURES)?;
    Some(
        FIRST_LOCK
            .saturating_mul(1u32 << over.min(10))
            .min(LONGEST_LOCK),
    )
}

#[derive(Debug, Default)]
pub struct Throttle {
    entries: Mutex<HashMap<String, Entry>>,
}

impl Throttle {
    /// `Err(remaining)` when any of `keys` is locked now.
    pub fn check(&self, keys: &[String], now: Instant) -> Result<(), Duration> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let remaining = keys
            .iter()
            .filter_map(|k| entries.get(k)?.locked_until)
            .filter_map(|until| until.checked_duration_since(now))
            .max();
        remaining.map_or(Ok(()), Err)
    }

    /// Count a failure against every key; returns the lock now in force, if any.
    pub fn fail(&self, keys: &[String], now: Instant) -> Option<Duration> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_KEYS {
            entries.retain(|_, e| now.duration_since(e.last) < FORGET_AFTER);
        }
        let mut longest = None;
        for key in keys {
            let entry = entries.entry(key.clone()).or_insert(Entry {
                failures: 0,
                last: now,
                locked_until: None,
            });
            if now.duration_since(entry.last) >= FORGET_AFTER {
                entry.failures = 0;
            }
            entry.failures += 1;
            entry.last = now;
            entry.locked_until = lock_for(entry.failures).map(|d| now + d);
            longest = longest.max(lock_for(entry.failures));
        }
        longest
    }

    pub fn succeed(&self, keys: &[String]) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        for key in keys {
            entries.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_start_after_five_failures_and_grow_to_a_cap() {
        assert_eq!(lock_for(4), None);
        assert_eq!(lock_for(5), Some(Duration::from_secs(30)));
        assert_eq!(lock_for(6), Some(Duration::from_secs(60)));
        assert_eq!(lock_for(7), Some(Duration::from_secs(120)));
        assert_eq!(lock_for(50), Some(Duration::from_secs(900)));
    }

    #[test]
    fn a_locked_key_is_refused_until_the_lock_ends() {
        let t = Throttle::default();
        let keys = vec!["user:admin".to_owned(), "addr:127.0.0.1".to_owned()];
        let now = Instant::now();
        for _ in 0..4 {
            assert_eq!(t.fail(&keys, now), None);
        }
        assert!(t.check(&keys, now).is_ok());
        assert_eq!(t.fail(&keys, now), Some(Duration::from_secs(30)));
        assert!(t.check(&keys, now + Duration::from_secs(29)).is_err());
        assert!(
            t.check(&["user:admin".to_owned()], now).is_err(),
            "either key locks"
        );
        assert!(t.check(&keys, now + Duration::from_secs(31)).is_ok());
        t.succeed(&keys);
        assert_eq!(t.fail(&keys, now), None, "success resets the count");
    }
}
