//! Nonce replay cache: a nonce seen from the same AccessKey inside the clock-skew window is a
//! replay. Entries older than the window can be forgotten, because a request that old fails the
//! date check anyway.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

#[derive(Debug)]
pub struct NonceCache {
    window: Duration,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    seen: HashMap<(String, String), DateTime<Utc>>,
    order: VecDeque<(DateTime<Utc>, (String, String))>,
}

impl NonceCache {
    pub fn new(window: Duration) -> Self {
        NonceCache {
            window,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// Records the nonce; false when it was already used inside the window.
    pub fn insert(&self, access_key_id: &str, nonce: &str, now: DateTime<Utc>) -> bool {
        let mut inner = match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        // Twice the window: a request dated up to `window` in the future stays valid that long.
        let horizon = now - self.window - self.window;
        while let Some((t, _)) = inner.order.front() {
            if *t >= horizon {
                break;
            }
            if let Some((_, key)) = inner.order.pop_front() {
                if inner.seen.get(&key).is_some_and(|seen| *seen < horizon) {
                    inner.seen.remove(&key);
                }
            }
        }
        let key = (access_key_id.to_owned(), nonce.to_owned());
        if inner.seen.contains_key(&key) {
            return false;
        }
        inner.seen.insert(key.clone(), now);
        inner.order.push_back((now, key));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_reuse_and_forgets_old() {
        let c = NonceCache::new(Duration::minutes(15));
        let t0 = Utc::now();
        assert!(c.insert("ak", "n1", t0));
        assert!(!c.insert("ak", "n1", t0));
        assert!(c.insert("other", "n1", t0));
        assert!(c.insert("ak", "n2", t0 + Duration::minutes(31)));
        assert!(c.insert("ak", "n1", t0 + Duration::minutes(31)));
    }
}
