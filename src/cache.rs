//! The process-wide device cache, shared by every request and keyed by tenant so that two API keys
//! never share an entry. A TTL of zero turns it off.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::{BoxFuture, FutureExt, Shared};

use moka::future::Cache;

use crate::metrics::Metrics;
use crate::seam::{wire::Device, SeamError, TenantId};

type Key = (TenantId, String);

/// One upstream fetch that several requests may wait on.
type Fetch = Shared<BoxFuture<'static, Result<Arc<HashMap<String, Arc<Device>>>, SeamError>>>;

#[derive(Clone)]
pub(crate) struct DeviceCache {
    inner: Option<Cache<Key, Arc<Device>>>,
    /// Devices being fetched right now, so concurrent misses share one upstream call.
    inflight: Arc<Mutex<HashMap<Key, Fetch>>>,
    /// Counts hits and misses, for `/metrics`.
    metrics: Arc<Metrics>,
}

impl DeviceCache {
    /// This cache, counting its hits and misses in `metrics`.
    pub(crate) fn observed_by(mut self, metrics: Arc<Metrics>) -> Self {
        self.metrics = metrics;
        self
    }

    pub(crate) fn new(ttl: Duration, capacity: u64) -> Self {
        let inner = (!ttl.is_zero() && capacity > 0).then(|| {
            Cache::builder()
                .time_to_live(ttl)
                .max_capacity(capacity)
                .build()
        });
        Self {
            inner,
            inflight: Arc::default(),
            metrics: Arc::default(),
        }
    }

    /// The devices with these ids: from the cache, from a fetch already under way for another
    /// request, or else from one call to `fetch` for all the rest. Ids `fetch` does not return are
    /// absent from the result. With the cache off, every call goes to `fetch`.
    pub(crate) async fn get_many<F, Fut>(
        &self,
        tenant: &TenantId,
        ids: &[String],
        fetch: F,
    ) -> Result<HashMap<String, Arc<Device>>, SeamError>
    where
        F: FnOnce(Vec<String>) -> Fut,
        Fut: Future<Output = Result<Vec<Device>, SeamError>> + Send + 'static,
    {
        let Some(cache) = &self.inner else {
            self.metrics.device_cache(0, ids.len());
            let wanted: HashSet<&String> = ids.iter().collect();
            return Ok(fetch(ids.to_vec())
                .await?
                .into_iter()
                .filter(|d| wanted.contains(&d.device_id))
                .map(|d| (d.device_id.clone(), Arc::new(d)))
                .collect());
        };
        let mut found = HashMap::with_capacity(ids.len());
        let mut missing = Vec::new();
        for id in ids {
            match cache.get(&(tenant.clone(), id.clone())).await {
                Some(device) => {
                    found.insert(id.clone(), device);
                }
                None => missing.push(id.clone()),
            }
        }
        self.metrics.device_cache(found.len(), missing.len());
        let mut waits: Vec<(String, Fetch)> = Vec::new();
        {
            let mut inflight = self.inflight.lock().expect("inflight lock poisoned");
            let mut mine = Vec::new();
            for id in missing {
                match inflight.get(&(tenant.clone(), id.clone())) {
                    Some(fetching) => waits.push((id, fetching.clone())),
                    None => mine.push(id),
                }
            }
            if !mine.is_empty() {
                let shared = self.fetch_and_fill(tenant.clone(), mine.clone(), fetch(mine.clone()));
                for id in mine {
                    inflight.insert((tenant.clone(), id.clone()), shared.clone());
                    waits.push((id, shared.clone()));
                }
            }
        }
        tracing::debug!(%tenant, requested = ids.len(), cached = found.len(), waiting = waits.len(), "device cache lookup");
        for (id, fetching) in waits {
            if let Some(device) = fetching.await?.get(&id) {
                found.insert(id, device.clone());
            }
        }
        Ok(found)
    }

    /// Wraps one upstream fetch: fills the cache, then leaves the in-flight map.
    fn fetch_and_fill(
        &self,
        tenant: TenantId,
        ids: Vec<String>,
        fetch: impl Future<Output = Result<Vec<Device>, SeamError>> + Send + 'static,
    ) -> Fetch {
        let cache = self.inner.clone();
        let inflight = self.inflight.clone();
        async move {
            let result = fetch.await.map(|devices| {
                let wanted: HashSet<&String> = ids.iter().collect();
                devices
                    .into_iter()
                    .filter(|d| wanted.contains(&d.device_id))
                    .map(|d| (d.device_id.clone(), Arc::new(d)))
                    .collect::<HashMap<_, _>>()
            });
            if let (Ok(devices), Some(cache)) = (&result, &cache) {
                for (id, device) in devices {
                    cache
                        .insert((tenant.clone(), id.clone()), device.clone())
                        .await;
                }
            }
            let mut inflight = inflight.lock().expect("inflight lock poisoned");
            for id in ids {
                inflight.remove(&(tenant.clone(), id));
            }
            result.map(Arc::new)
        }
        .boxed()
        .shared()
    }

    /// A cached device, without fetching.
    pub(crate) async fn get(&self, tenant: &TenantId, device_id: &str) -> Option<Arc<Device>> {
        let cache = self.inner.as_ref()?;
        cache.get(&(tenant.clone(), device_id.to_owned())).await
    }

    pub(crate) async fn insert(&self, tenant: &TenantId, device: Arc<Device>) {
        if let Some(cache) = &self.inner {
            cache
                .insert((tenant.clone(), device.device_id.clone()), device)
                .await;
        }
    }

    /// Drops a device for every tenant, after a `device.*` event. Device ids are unique across
    /// workspaces, so this can only cost other tenants a refetch, never show them another's data.
    /// (One walk over the bounded cache: device events are rare.)
    pub(crate) async fn invalidate_everywhere(&self, device_id: &str) {
        if let Some(cache) = &self.inner {
            let stale: Vec<Key> = cache
                .iter()
                .filter(|(key, _)| key.1 == device_id)
                .map(|(key, _)| (*key).clone())
                .collect();
            for key in stale {
                cache.invalidate(&key).await;
            }
        }
    }

    /// Drops one device of the tenant with this hash (an invalidation from another replica).
    pub(crate) async fn invalidate_by_hash(&self, tenant_hash: &str, device_id: &str) {
        if let Some(cache) = &self.inner {
            let stale: Vec<Key> = cache
                .iter()
                .filter(|(key, _)| key.1 == device_id && key.0.to_string() == tenant_hash)
                .map(|(key, _)| (*key).clone())
                .collect();
            for key in stale {
                cache.invalidate(&key).await;
            }
        }
    }

    /// Drops one device, after a mutation or event touched it.
    pub(crate) async fn invalidate(&self, tenant: &TenantId, device_id: &str) {
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
pub(crate) struct LinkedGroupIndex {
    inner: Cache<Key, Arc<Vec<String>>>,
    /// With Redis: the index every replica shares, behind this process's own.
    shared: Option<crate::cluster::groups::RedisGroups>,
    /// Keys a scan found no code for. Without this, asking for a made-up key rescans the whole
    /// workspace on every request; with it, for [`ABSENT_TTL`].
    absent: Cache<Key, ()>,
}

/// How long a key that no code has is answered NOT_FOUND without another scan. A group created
/// outside this gateway in that time is seen once it passes.
pub(crate) const ABSENT_TTL: Duration = Duration::from_secs(30);

impl LinkedGroupIndex {
    pub(crate) fn new(ttl: Duration, capacity: u64) -> Self {
        Self {
            inner: Cache::builder()
                .time_to_live(ttl)
                .max_capacity(capacity)
                .build(),
            absent: Cache::builder()
                .time_to_live(ABSENT_TTL)
                .max_capacity(capacity)
                .build(),
            shared: None,
        }
    }

    /// Shares the index with other replicas through Redis.
    pub(crate) fn shared(mut self, redis: crate::cluster::groups::RedisGroups) -> Self {
        self.shared = Some(redis);
        self
    }

    /// True when a recent scan found no code with this key.
    pub(crate) async fn known_absent(&self, tenant: &TenantId, common_code_key: &str) -> bool {
        self.absent
            .contains_key(&(tenant.clone(), common_code_key.to_owned()))
    }

    pub(crate) async fn mark_absent(&self, tenant: &TenantId, common_code_key: &str) {
        self.absent
            .insert((tenant.clone(), common_code_key.to_owned()), ())
            .await;
    }

    pub(crate) async fn get(
        &self,
        tenant: &TenantId,
        common_code_key: &str,
    ) -> Option<Arc<Vec<String>>> {
        let key = (tenant.clone(), common_code_key.to_owned());
        if let Some(ids) = self.inner.get(&key).await {
            return Some(ids);
        }
        let shared = self.shared.as_ref()?;
        let ids = Arc::new(
            shared
                .get(&tenant.to_string(), common_code_key)
                .await
                .ok()??,
        );
        self.absent.invalidate(&key).await;
        self.inner.insert(key, ids.clone()).await;
        Some(ids)
    }

    pub(crate) async fn insert(&self, tenant: &TenantId, common_code_key: &str, ids: Vec<String>) {
        if let Some(shared) = &self.shared {
            shared
                .insert(&tenant.to_string(), common_code_key, &ids)
                .await;
        }
        let key = (tenant.clone(), common_code_key.to_owned());
        self.absent.invalidate(&key).await;
        self.inner.insert(key, Arc::new(ids)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seam::ApiKey;

    fn device(id: &str) -> Device {
        serde_json::from_value(serde_json::json!({ "device_id": id })).expect("device")
    }

    #[tokio::test]
    async fn should_drop_a_device_for_every_tenant() {
        let cache = DeviceCache::new(Duration::from_secs(60), 100);
        let (a, b) = (ApiKey::new("a"), ApiKey::new("b"));
        cache.insert(a.tenant(), Arc::new(device("d1"))).await;
        cache.insert(b.tenant(), Arc::new(device("d1"))).await;
        cache.insert(a.tenant(), Arc::new(device("d2"))).await;
        cache.invalidate_everywhere("d1").await;
        assert!(cache.get(a.tenant(), "d1").await.is_none());
        assert!(cache.get(b.tenant(), "d1").await.is_none());
        assert!(cache.get(a.tenant(), "d2").await.is_some());
    }
}
