//! The process-wide device cache, shared by every request and keyed by tenant so that two API keys
//! never share an entry. A TTL of zero turns it off.

use std::sync::Arc;
use std::time::Duration;

use moka::future::Cache;

use crate::seam::{wire::Device, TenantId};

type Key = (TenantId, String);

#[derive(Clone)]
pub struct DeviceCache {
    inner: Option<Cache<Key, Arc<Device>>>,
}

impl DeviceCache {
    pub fn new(ttl: Duration, capacity: u64) -> Self {
        let inner = (!ttl.is_zero() && capacity > 0).then(|| {
            Cache::builder()
                .time_to_live(ttl)
                .max_capacity(capacity)
                .build()
        });
        Self { inner }
    }

    pub async fn get(&self, tenant: &TenantId, device_id: &str) -> Option<Arc<Device>> {
        let cache = self.inner.as_ref()?;
        cache.get(&(tenant.clone(), device_id.to_owned())).await
    }

    pub async fn insert(&self, tenant: &TenantId, device: Arc<Device>) {
        if let Some(cache) = &self.inner {
            cache
                .insert((tenant.clone(), device.device_id.clone()), device)
                .await;
        }
    }

    /// Drops one device, after a mutation or event touched it.
    pub async fn invalidate(&self, tenant: &TenantId, device_id: &str) {
        if let Some(cache) = &self.inner {
            cache
                .invalidate(&(tenant.clone(), device_id.to_owned()))
                .await;
        }
    }
}

/// Remembers which access codes form a linked group (`common_code_key` -> ids), so that reading a
/// group costs one `access_codes/list` instead of a scan of every device. Filled by
/// `createLinkedAccessCodes` and by scans; entries are checked against the codes they name.
#[derive(Clone)]
pub struct LinkedGroupIndex {
    inner: Cache<Key, Arc<Vec<String>>>,
}

impl LinkedGroupIndex {
    pub fn new(ttl: Duration, capacity: u64) -> Self {
        Self {
            inner: Cache::builder()
                .time_to_live(ttl)
                .max_capacity(capacity)
                .build(),
        }
    }

    pub async fn get(&self, tenant: &TenantId, common_code_key: &str) -> Option<Arc<Vec<String>>> {
        self.inner
            .get(&(tenant.clone(), common_code_key.to_owned()))
            .await
    }

    pub async fn insert(&self, tenant: &TenantId, common_code_key: &str, ids: Vec<String>) {
        self.inner
            .insert((tenant.clone(), common_code_key.to_owned()), Arc::new(ids))
            .await;
    }
}
