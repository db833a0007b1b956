//! How many subscriptions each key has open, against `--tenant-max-subscriptions`. Every open
//! subscription costs memory (its document, its stream, its place in the live hub) for as long as
//! the client keeps it, and a key may open sockets at will: this is what bounds one key's share.
//! Counted exactly, not in a cache with expiry: a subscription lives for hours.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use crate::seam::TenantId;

/// Open subscriptions by key, with the most each key may have.
#[derive(Clone)]
pub(super) struct Quota {
    max: usize,
    open: Arc<Mutex<HashMap<TenantId, usize>>>,
}

/// One open subscription's place in its key's count, given back when dropped.
pub(super) struct Held {
    open: Arc<Mutex<HashMap<TenantId, usize>>>,
    tenant: TenantId,
}

impl Quota {
    pub(super) fn new(max: usize) -> Self {
        Self {
            max: max.max(1),
            open: Arc::default(),
        }
    }

    pub(super) fn max(&self) -> usize {
        self.max
    }

    /// A place for one more subscription of `tenant`; None when it has all it may.
    pub(super) fn take(&self, tenant: &TenantId) -> Option<Held> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(tenant.clone()).or_default();
        if *count >= self.max {
            return None;
        }
        *count += 1;
        Some(Held {
            open: self.open.clone(),
            tenant: tenant.clone(),
        })
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.tenant) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.tenant);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Quota;
    use crate::seam::ApiKey;

    #[test]
    fn should_count_each_keys_subscriptions_and_give_places_back() {
        let quota = Quota::new(2);
        let a = ApiKey::new("seam_a".to_owned()).tenant().clone();
        let b = ApiKey::new("seam_b".to_owned()).tenant().clone();
        let first = quota.take(&a).expect("room");
        let _second = quota.take(&a).expect("room");
        assert!(quota.take(&a).is_none(), "a has two open");
        let _other = quota.take(&b).expect("b counts on its own");
        drop(first);
        assert!(quota.take(&a).is_some(), "a place came back");
        assert_eq!(quota.open.lock().expect("lock").get(&a), Some(&1));
    }
}
