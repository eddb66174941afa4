//! A value kept for a short while: page loads in a burst share one read of something slow
//! to gather (files in /proc and /sys, a DNS answer), while a person reloading the page
//! still sees it change within moments.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct Recent<K, V> {
    ttl: Duration,
    slot: Mutex<Option<(Instant, K, Arc<V>)>>,
    /// Held while reading afresh: when the value expires under load, one request reads
    /// and the others wait for its answer instead of all reading at once.
    reading: tokio::sync::Mutex<()>,
}

impl<K: PartialEq, V> Recent<K, V> {
    pub fn new(ttl: Duration) -> Self {
        Recent {
            ttl,
            slot: Mutex::new(None),
            reading: tokio::sync::Mutex::new(()),
        }
    }

    /// The value kept for `key`, or the one `read` gives now (then kept). When the kept
    /// value is merely old, one request reads afresh and the others meanwhile get the old
    /// value: a slow read (a crowded /proc/net/tcp) delays one request, not all of them.
    pub async fn get_or_read<F: Future<Output = V>>(
        &self,
        key: K,
        read: impl FnOnce() -> F,
    ) -> Arc<V> {
        let old = match self.kept(&key) {
            Some((fresh, value)) if fresh => return value,
            old => old.map(|(_, value)| value),
        };
        let _one_reader = match (old, self.reading.try_lock()) {
            (_, Ok(guard)) => guard,
            (Some(old), Err(_)) => return old,
            (None, Err(_)) => self.reading.lock().await,
        };
        if let Some(kept) = self.get(&key) {
            return kept; // read by the request this one waited for
        }
        self.put(key, read().await)
    }

    /// The value kept for `key` and whether it is still fresh.
    fn kept(&self, key: &K) -> Option<(bool, Arc<V>)> {
        let slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
        match &*slot {
            Some((at, k, value)) if k == key => Some((at.elapsed() < self.ttl, value.clone())),
            _ => None,
        }
    }

    /// The value kept for `key`, if it is younger than the time to live.
    fn get(&self, key: &K) -> Option<Arc<V>> {
        self.kept(key)
            .and_then(|(fresh, value)| fresh.then_some(value))
    }

    /// Keep `value` for `key` (replacing whatever was kept) and hand it back.
    fn put(&self, key: K, value: V) -> Arc<V> {
        let value = Arc::new(value);
        *self.slot.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((Instant::now(), key, value.clone()));
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_kept_for_its_key_until_it_is_too_old() {
        let recent = Recent::new(Duration::from_millis(50));
        assert_eq!(recent.get(&1), None);
        recent.put(1, "one");
        assert_eq!(recent.get(&1).as_deref(), Some(&"one"));
        assert_eq!(recent.get(&2), None, "another key is a miss");
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(recent.get(&1), None, "too old");
    }

    #[tokio::test]
    async fn requests_that_miss_together_read_once() {
        let recent = Arc::new(Recent::new(Duration::from_secs(60)));
        let reads = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let (recent, reads) = (recent.clone(), reads.clone());
                tokio::spawn(async move {
                    recent
                        .get_or_read(1, || async {
                            reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(20)).await;
                            "one"
                        })
                        .await
                })
            })
            .collect();
        for task in tasks {
            assert_eq!(*task.await.unwrap(), "one");
        }
        assert_eq!(reads.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn an_old_value_is_served_while_one_request_reads_afresh() {
        let recent = Arc::new(Recent::new(Duration::from_millis(10)));
        recent.get_or_read(1, || async { "old" }).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        let (started, release) = (
            Arc::new(tokio::sync::Notify::new()),
            Arc::new(tokio::sync::Notify::new()),
        );
        let reader = tokio::spawn({
            let (recent, started, release) = (recent.clone(), started.clone(), release.clone());
            async move {
                recent
                    .get_or_read(1, || async move {
                        started.notify_one();
                        release.notified().await;
                        "new"
                    })
                    .await
            }
        });
        started.notified().await;
        assert_eq!(
            *recent.get_or_read(1, || async { "unused" }).await,
            "old",
            "no waiting for the slow read"
        );
        release.notify_one();
        assert_eq!(*reader.await.unwrap(), "new");
        assert_eq!(*recent.get_or_read(1, || async { "unused" }).await, "new");
        assert_eq!(
            *recent.get_or_read(2, || async { "two" }).await,
            "two",
            "another key is never answered with an old value"
        );
    }

    #[test]
    fn putting_replaces_the_kept_value() {
        let recent = Recent::new(Duration::from_secs(60));
        recent.put(1, "one");
        recent.put(2, "two");
        assert_eq!(recent.get(&1), None);
        assert_eq!(recent.get(&2).as_deref(), Some(&"two"));
    }
}
