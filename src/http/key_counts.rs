//! What each API key holds open, counted against a cap per key and one in all: subscriptions
//! (`multiplex`), and SSE streams reserved and not yet opened (`sse`). Each costs memory for as
//! long as it is held and is cheap for a client to make, so this is what bounds one key's share
//! (and, where the key is not checked with Seam first, made-up keys' share together). Counted
//! exactly, not in a cache with expiry: a subscription can stay open for hours.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::seam::TenantId;

/// Counts by key (`None`: held without any key), with their caps.
#[derive(Clone)]
pub(crate) struct KeyCounts {
    per_key: usize,
    total: usize,
    counts: Arc<Mutex<Counts>>,
}

#[derive(Default)]
struct Counts {
    by_key: HashMap<Option<TenantId>, usize>,
    total: usize,
}

/// Which cap a key reached.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Full {
    /// The key holds `per_key` already.
    Key(usize),
    /// All keys together hold `total` already.
    Total(usize),
}

/// One held thing's place in its key's count, given back when dropped.
pub(crate) struct Held {
    counts: Arc<Mutex<Counts>>,
    key: Option<TenantId>,
}

impl KeyCounts {
    /// At most `per_key` per key and `total` in all (each at least 1).
    pub(crate) fn new(per_key: usize, total: usize) -> Self {
        Self {
            per_key: per_key.max(1),
            total: total.max(1),
            counts: Arc::default(),
        }
    }

    /// A place for one more of `key`'s, or the cap it reached.
    pub(crate) fn take(&self, key: Option<&TenantId>) -> Result<Held, Full> {
        let mut counts = lock(&self.counts);
        let key = key.cloned();
        let of_key = counts.by_key.get(&key).copied().unwrap_or(0);
        if of_key >= self.per_key {
            return Err(Full::Key(self.per_key));
        }
        if counts.total >= self.total {
            return Err(Full::Total(self.total));
        }
        *counts.by_key.entry(key.clone()).or_default() += 1;
        counts.total += 1;
        Ok(Held {
            counts: self.counts.clone(),
            key,
        })
    }

    /// How many are held, in all.
    #[cfg(test)]
    pub(crate) fn total(&self) -> usize {
        lock(&self.counts).total
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut counts = lock(&self.counts);
        if let Some(n) = counts.by_key.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                counts.by_key.remove(&self.key);
            }
        }
        counts.total -= 1;
    }
}

fn lock(counts: &Mutex<Counts>) -> MutexGuard<'_, Counts> {
    counts.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::{Full, KeyCounts};
    use crate::seam::ApiKey;

    #[test]
    fn should_count_per_key_and_in_all_and_give_places_back() {
        let counts = KeyCounts::new(2, 3);
        let a = ApiKey::new("seam_a".to_owned()).tenant().clone();
        let b = ApiKey::new("seam_b".to_owned()).tenant().clone();
        let first = counts.take(Some(&a)).expect("room");
        let _second = counts.take(Some(&a)).expect("room");
        assert_eq!(counts.take(Some(&a)).err(), Some(Full::Key(2)));
        let _other = counts.take(Some(&b)).expect("b counts on its own");
        assert_eq!(counts.take(None).err(), Some(Full::Total(3)));
        drop(first);
        let _again = counts.take(Some(&a)).expect("a place came back");
        assert_eq!(counts.total(), 3);
    }
}
