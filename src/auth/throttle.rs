//! Login throttling (SPEC §8). Every attempt is reserved **before** its password is
//! checked, so concurrent guesses cannot run past the limit: a key allows as many attempts
//! in flight as it has failures left, and no more than two at once from one address.
//! After 5 failures a key is locked for 30 s, then 1, 2, 4 … minutes (at most 15).
//!
//! Keys: the address (`a:`) and the user at that address (`ua:`) lock; the user name alone
//! (`u:`) only slows its logins from addresses that have failed too, so failures from many
//! addresses never lock the admin out of a clean one, nor slow it there. Password checks
//! are bounded: [`CHECKS_AT_ONCE`] in all plus [`CLEAN_CHECKS_AT_ONCE`] kept for addresses
//! with no failure on record; past that an attempt is refused at once, never queued. Counts live in the database (`login_throttle`), where
//! `fmc-mgmt admin unlock` and `set-password` clear them; only the attempts in flight are
//! in memory. Refusals while locked are counted in one audit entry per lock period.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use sqlx::SqlitePool;

// The audit log owns the rule for how much of a typed name is kept; the throttle keys on it.
use crate::audit::cut_name;
use crate::clock::unix_millis;

pub const FREE_FAILURES: u32 = 5;
const FIRST_LOCK: Duration = Duration::from_secs(30);
const LONGEST_LOCK: Duration = Duration::from_secs(15 * 60);
/// A key with no failure for this long starts afresh.
const FORGET_AFTER: Duration = Duration::from_secs(3600);
/// Password checks one address may have running at once.
const PER_ADDRESS: u32 = 2;
/// Password checks running at once in all (each holds argon2id's 19 MiB for tens of ms).
pub const CHECKS_AT_ONCE: usize = 4;
/// More checks kept for addresses with no failure on record, so a flood from addresses
/// that have failed cannot take every check from the admin at a clean one.
pub const CLEAN_CHECKS_AT_ONCE: usize = 2;
/// Rows the table may hold; the oldest unlocked ones go first.
const MAX_ROWS: i64 = 10_000;
/// The longest a user's logins are slowed when many addresses fail its name.
const LONGEST_SLOWDOWN: Duration = Duration::from_secs(2);

/// How long `failures` consecutive failures lock a key.
pub fn lock_for(failures: u32) -> Option<Duration> {
    let over = failures.checked_sub(FREE_FAILURES)?;
    Some(
        FIRST_LOCK
            .saturating_mul(1u32 << over.min(10))
            .min(LONGEST_LOCK),
    )
}

/// How long to wait before checking a password for a user name that has failed
/// `failures` times from all addresses together: nothing for the first ten, then 125 ms
/// doubling to two seconds.
pub fn slowdown_for(failures: u32) -> Duration {
    match failures.checked_sub(2 * FREE_FAILURES) {
        None => Duration::ZERO,
        Some(over) => Duration::from_millis(125)
            .saturating_mul(1u32 << over.min(10))
            .min(LONGEST_SLOWDOWN),
    }
}

/// The address a client is throttled as: IPv4 as it is, IPv6 by its /64 (one host can
/// hold a whole /64), an IPv4-mapped IPv6 address as IPv4.
pub fn address_key(addr: Option<IpAddr>) -> String {
    match addr.map(|a| a.to_canonical()) {
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        None => "?".into(),
    }
}

/// The throttle keys of one attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keys {
    /// The user name, lower-cased and cut.
    pub user: String,
    pub address: String,
}

impl Keys {
    pub fn new(username: &str, addr: Option<IpAddr>) -> Self {
        Keys {
            user: cut_name(username).to_lowercase(),
            address: address_key(addr),
        }
    }

    fn addr(&self) -> String {
        format!("a:{}", self.address)
    }

    fn user_at_addr(&self) -> String {
        format!("ua:{}|{}", self.address, self.user)
    }

    fn user(&self) -> String {
        format!("u:{}", self.user)
    }

    /// The keys that lock.
    fn locking(&self) -> [String; 2] {
        [self.addr(), self.user_at_addr()]
    }
}

/// What the table says of one key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Count {
    pub failures: u32,
    /// Unix milliseconds.
    pub last_failure: i64,
    pub locked_until: Option<i64>,
}

impl Count {
    /// Failures that still count at `now` (a key quiet for an hour starts afresh).
    fn current(self, now: i64) -> Count {
        if now.saturating_sub(self.last_failure) >= FORGET_AFTER.as_millis() as i64 {
            Count::default()
        } else {
            self
        }
    }

    fn locked_for(self, now: i64) -> Option<Duration> {
        let until = self.locked_until?;
        (until > now).then(|| Duration::from_millis((until - now) as u64))
    }

    /// Attempts this key may have in flight: its failures left before the lock, or one
    /// at a time once a lock has ended (its next failure locks it again, for longer).
    fn allowance(self) -> u32 {
        FREE_FAILURES.saturating_sub(self.failures).max(1)
    }
}

/// Why an attempt is refused before its password is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A key is locked for this long.
    Locked(Duration),
    /// The key's attempts are all in flight, or this address has its share of checks
    /// running: try again in a moment.
    AddressBusy,
    /// The server is checking as many passwords as it allows at once.
    ServerBusy,
}

/// The pure decision: may an attempt with these counts and these attempts in flight go
/// ahead? `keys` pairs each locking key's count with its attempts in flight.
pub fn decide(keys: &[(Count, u32)], address_in_flight: u32, now: i64) -> Result<(), Refusal> {
    if let Some(longest) = keys.iter().filter_map(|(c, _)| c.locked_for(now)).max() {
        return Err(Refusal::Locked(longest));
    }
    if address_in_flight >= PER_ADDRESS
        || keys
            .iter()
            .any(|(c, in_flight)| *in_flight >= c.current(now).allowance())
    {
        return Err(Refusal::AddressBusy);
    }
    Ok(())
}

/// Lock periods already counted in an audit entry, with their refusals, by key.
#[derive(Debug, Default)]
struct Refusals {
    by_key: HashMap<String, RefusalEntry>,
}

#[derive(Debug, Clone, Copy)]
struct RefusalEntry {
    locked_until: i64,
    audit_id: i64,
    count: u64,
    written_at: i64,
}

#[derive(Debug)]
pub struct Throttle {
    /// Reservation and failure recording take turns, so a reservation never reads the
    /// table between another attempt's failure being written and its slot being freed.
    gate: tokio::sync::Mutex<()>,
    in_flight: Mutex<HashMap<String, u32>>,
    checks: std::sync::Arc<tokio::sync::Semaphore>,
    clean_checks: std::sync::Arc<tokio::sync::Semaphore>,
    refusals: Mutex<Refusals>,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle {
            gate: tokio::sync::Mutex::new(()),
            in_flight: Mutex::default(),
            checks: std::sync::Arc::new(tokio::sync::Semaphore::new(CHECKS_AT_ONCE)),
            clean_checks: std::sync::Arc::new(tokio::sync::Semaphore::new(CLEAN_CHECKS_AT_ONCE)),
            refusals: Mutex::default(),
        }
    }
}

/// A reserved attempt: its password may be checked. Dropped unresolved (the client went
/// away), it frees its place without counting.
#[derive(Debug)]
pub struct Attempt<'t> {
    throttle: &'t Throttle,
    keys: Keys,
    permit: Option<tokio::sync::OwnedSemaphorePermit>,
    /// Whether the table had a row for its locking keys: a clean success writes nothing.
    on_record: bool,
}

impl Throttle {
    fn in_flight(&self) -> std::sync::MutexGuard<'_, HashMap<String, u32>> {
        self.in_flight.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How long to wait before trying `keys`: when many addresses failed this user name,
    /// attempts from addresses that have failed too are slowed (a clean one is not, so the
    /// admin is not slowed by an attack on the name).
    pub async fn slowdown(&self, pool: &SqlitePool, keys: &Keys) -> Result<Duration, sqlx::Error> {
        let now = unix_millis();
        if table::count(pool, &keys.addr())
            .await?
            .current(now)
            .failures
            == 0
        {
            return Ok(Duration::ZERO);
        }
        let count = table::count(pool, &keys.user()).await?;
        Ok(slowdown_for(count.current(now).failures))
    }

    /// Reserve an attempt for `keys`, or say why not, at once.
    pub async fn reserve(
        &self,
        pool: &SqlitePool,
        keys: &Keys,
    ) -> Result<Result<Attempt<'_>, Refusal>, sqlx::Error> {
        let _turn = self.gate.lock().await;
        let locking = keys.locking();
        let mut counts = Vec::with_capacity(locking.len());
        for key in &locking {
            counts.push(table::count(pool, key).await?);
        }
        let now = unix_millis();
        let mut in_flight = self.in_flight();
        let pairs: Vec<(Count, u32)> = locking
            .iter()
            .zip(counts)
            .map(|(k, c)| (c, in_flight.get(k).copied().unwrap_or(0)))
            .collect();
        if let Err(refusal) = decide(&pairs, pairs[0].1, now) {
            return Ok(Err(refusal));
        }
        let clean = pairs[0].0.current(now).failures == 0;
        let permit = self.checks.clone().try_acquire_owned().or_else(|e| {
            if clean {
                self.clean_checks.clone().try_acquire_owned()
            } else {
                Err(e)
            }
        });
        let Ok(permit) = permit else {
            return Ok(Err(Refusal::ServerBusy));
        };
        for key in locking {
            *in_flight.entry(key).or_default() += 1;
        }
        Ok(Ok(Attempt {
            throttle: self,
            keys: keys.clone(),
            permit: Some(permit),
            on_record: pairs.iter().any(|(c, _)| *c != Count::default()),
        }))
    }

    fn release(&self, keys: &Keys) {
        let mut in_flight = self.in_flight();
        for key in keys.locking() {
            if let Some(n) = in_flight.get_mut(&key) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    in_flight.remove(&key);
                }
            }
        }
    }

    /// Count a refusal while `keys` are locked: the first of a lock period makes an audit
    /// entry, later ones update its count (at most once a second, so a flood of refused
    /// attempts costs no disk writes of its own).
    pub async fn count_refusal(
        &self,
        pool: &SqlitePool,
        keys: &Keys,
        actor: &str,
        address: Option<&str>,
    ) -> Result<(), sqlx::Error> {
        let now = unix_millis();
        let mut locked = None;
        for key in keys.locking() {
            let count = table::count(pool, &key).await?;
            if let Some(until) = count.locked_until.filter(|u| *u > now) {
                locked = Some((key, until));
                break;
            }
        }
        let Some((key, until)) = locked else {
            return Ok(());
        };
        let update = {
            let mut refusals = self.refusals.lock().unwrap_or_else(|e| e.into_inner());
            refusals.by_key.retain(|_, e| e.locked_until > now);
            match refusals.by_key.get_mut(&key) {
                Some(e) if e.locked_until == until => {
                    e.count += 1;
                    if now - e.written_at >= 1000 {
                        e.written_at = now;
                        Some(Some((e.audit_id, e.count)))
                    } else {
                        Some(None)
                    }
                }
                _ => None,
            }
        };
        match update {
            Some(Some((id, count))) => crate::audit::set_refusals(pool, id, count).await,
            Some(None) => Ok(()),
            None => {
                let id = crate::audit::insert_refusals(pool, actor, address, 1).await?;
                let mut refusals = self.refusals.lock().unwrap_or_else(|e| e.into_inner());
                if refusals.by_key.len() < MAX_ROWS as usize {
                    refusals.by_key.insert(
                        key,
                        RefusalEntry {
                            locked_until: until,
                            audit_id: id,
                            count: 1,
                            written_at: now,
                        },
                    );
                }
                Ok(())
            }
        }
    }
}

impl Attempt<'_> {
    /// Hand the check's permit to the work that checks the password, so the bound holds
    /// even if this request is dropped while it runs.
    pub fn take_permit(&mut self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        self.permit.take()
    }

    /// The password was wrong: count it against every key, with the audit entry, in one
    /// transaction. Returns the lock now in force, if any.
    pub async fn failed(
        self,
        pool: &SqlitePool,
        actor: &str,
        address: Option<&str>,
    ) -> Result<Option<Duration>, sqlx::Error> {
        let _turn = self.throttle.gate.lock().await;
        let now = unix_millis();
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut longest = None;
        for (key, locks) in [
            (self.keys.addr(), true),
            (self.keys.user_at_addr(), true),
            (self.keys.user(), false),
        ] {
            let count = table::count(&mut *tx, &key).await?.current(now);
            let failures = count.failures.saturating_add(1);
            let lock = if locks { lock_for(failures) } else { None };
            longest = longest.max(lock);
            let until = lock.map(|d| now + d.as_millis() as i64);
            table::put(&mut *tx, &key, &self.keys.user, failures, now, until).await?;
        }
        crate::audit::insert(&mut *tx, actor, address, &crate::audit::Event::LoginFailed).await?;
        table::prune(&mut tx, now).await?;
        tx.commit().await?;
        Ok(longest)
        // `self` drops here, after the failure is written: only then is its place free.
    }

    /// The password was right: the keys of this user at this address start afresh.
    pub async fn succeeded(self, pool: &SqlitePool) -> Result<(), sqlx::Error> {
        if !self.on_record {
            return Ok(());
        }
        let _turn = self.throttle.gate.lock().await;
        table::clear(pool, &[self.keys.addr(), self.keys.user_at_addr()]).await
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        self.throttle.release(&self.keys);
    }
}

/// Clear every key about `username` (its own, at every address, and the addresses whose
/// last failure named it): `admin unlock` and `set-password`.
pub async fn unlock<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Sqlite>,
    username: &str,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM login_throttle WHERE username = ?")
        .bind(cut_name(username).to_lowercase())
        .execute(executor)
        .await?;
    Ok(done.rows_affected())
}

/// The `login_throttle` table.
mod table {
    use super::{Count, MAX_ROWS};

    pub async fn count<'e>(
        executor: impl sqlx::Executor<'e, Database = sqlx::Sqlite>,
        key: &str,
    ) -> Result<Count, sqlx::Error> {
        let row: Option<(i64, i64, Option<i64>)> = sqlx::query_as(
            "SELECT failures, last_failure, locked_until FROM login_throttle WHERE key = ?",
        )
        .bind(key)
        .fetch_optional(executor)
        .await?;
        Ok(row.map_or_else(Count::default, |(f, last, until)| Count {
            failures: u32::try_from(f).unwrap_or(u32::MAX),
            last_failure: last,
            locked_until: until,
        }))
    }

    pub async fn put<'e>(
        executor: impl sqlx::Executor<'e, Database = sqlx::Sqlite>,
        key: &str,
        username: &str,
        failures: u32,
        now: i64,
        locked_until: Option<i64>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO login_throttle (key, username, failures, last_failure, locked_until) \
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET username = excluded.username, \
             failures = excluded.failures, last_failure = excluded.last_failure, \
             locked_until = excluded.locked_until",
        )
        .bind(key)
        .bind(username)
        .bind(i64::from(failures))
        .bind(now)
        .bind(locked_until)
        .execute(executor)
        .await?;
        Ok(())
    }

    pub async fn clear(pool: &sqlx::SqlitePool, keys: &[String; 2]) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM login_throttle WHERE key IN (?, ?)")
            .bind(&keys[0])
            .bind(&keys[1])
            .execute(pool)
            .await?;
        Ok(())
    }

    /// Keep the table at [`MAX_ROWS`]: drop the oldest rows, unlocked ones first.
    pub async fn prune(tx: &mut sqlx::SqliteConnection, now: i64) -> Result<(), sqlx::Error> {
        let (rows,): (i64,) = sqlx::query_as("SELECT count(*) FROM login_throttle")
            .fetch_one(&mut *tx)
            .await?;
        if rows <= MAX_ROWS {
            return Ok(());
        }
        sqlx::query(
            "DELETE FROM login_throttle WHERE key IN (SELECT key FROM login_throttle \
             ORDER BY coalesce(locked_until, 0) > ?, last_failure LIMIT ?)",
        )
        .bind(now)
        .bind(rows - MAX_ROWS)
        .execute(&mut *tx)
        .await?;
        Ok(())
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
    fn a_name_failed_from_many_addresses_slows_down_but_never_locks() {
        assert_eq!(slowdown_for(9), Duration::ZERO);
        assert_eq!(slowdown_for(10), Duration::from_millis(125));
        assert_eq!(slowdown_for(11), Duration::from_millis(250));
        assert_eq!(slowdown_for(1000), Duration::from_secs(2));
    }

    #[test]
    fn names_are_cut_to_64_characters_and_addresses_to_a_v6_64() {
        let long = "é".repeat(100);
        assert_eq!(cut_name(&long).chars().count(), 64);
        assert_eq!(cut_name("admin"), "admin");
        assert_eq!(address_key(Some("10.1.2.3".parse().unwrap())), "10.1.2.3");
        assert_eq!(
            address_key(Some("2001:db8:1:2:aaaa::1".parse().unwrap())),
            address_key(Some("2001:db8:1:2:bbbb::9".parse().unwrap())),
        );
        assert_eq!(
            address_key(Some("::ffff:10.1.2.3".parse().unwrap())),
            "10.1.2.3"
        );
        assert_eq!(Keys::new("ADMIN", None).user, "admin");
    }

    #[test]
    fn attempts_in_flight_count_against_the_limit() {
        let clean = Count::default();
        let now = 1_000_000;
        assert_eq!(decide(&[(clean, 0), (clean, 0)], 0, now), Ok(()));
        let four = Count {
            failures: 4,
            last_failure: now,
            locked_until: None,
        };
        assert_eq!(decide(&[(four, 0), (clean, 0)], 0, now), Ok(()));
        assert_eq!(
            decide(&[(four, 1), (clean, 1)], 1, now),
            Err(Refusal::AddressBusy),
            "the fifth failure may already be on its way"
        );
        assert_eq!(
            decide(&[(clean, 2), (clean, 2)], 2, now),
            Err(Refusal::AddressBusy),
            "two checks at once per address"
        );
    }

    #[tokio::test]
    async fn the_table_keeps_a_fixed_number_of_rows_dropping_old_unlocked_ones_first() {
        let dir = tempfile::tempdir().unwrap();
        let pool = crate::db::connect(dir.path().join("fmc.db").to_str().unwrap())
            .await
            .unwrap();
        let now = 10_000_000;
        let mut tx = pool.begin().await.unwrap();
        for i in 0..MAX_ROWS + 50 {
            // The oldest fifty are locked: they outlive newer unlocked rows.
            let locked = (i < 50).then_some(now + 60_000);
            table::put(&mut *tx, &format!("a:{i}"), "u", 5, i, locked)
                .await
                .unwrap();
        }
        table::prune(&mut tx, now).await.unwrap();
        tx.commit().await.unwrap();
        let (rows,): (i64,) = sqlx::query_as("SELECT count(*) FROM login_throttle")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(rows, MAX_ROWS);
        let (locked,): (i64,) =
            sqlx::query_as("SELECT count(*) FROM login_throttle WHERE locked_until IS NOT NULL")
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(locked, 50, "locked rows are kept");
        let gone = table::count(&pool, "a:50").await.unwrap();
        assert_eq!(gone, Count::default(), "the oldest unlocked row went");
    }

    #[test]
    fn a_lock_refuses_until_it_ends_then_allows_one_at_a_time() {
        let now = 1_000_000;
        let locked = Count {
            failures: 5,
            last_failure: now,
            locked_until: Some(now + 30_000),
        };
        assert_eq!(
            decide(&[(Count::default(), 0), (locked, 0)], 0, now),
            Err(Refusal::Locked(Duration::from_secs(30)))
        );
        let later = now + 31_000;
        assert_eq!(decide(&[(locked, 0)], 0, later), Ok(()));
        assert_eq!(decide(&[(locked, 1)], 1, later), Err(Refusal::AddressBusy));
        let forgotten = now + FORGET_AFTER.as_millis() as i64;
        assert_eq!(
            decide(&[(locked, 4)], 1, forgotten),
            Ok(()),
            "an hour quiet starts afresh"
        );
    }
}
