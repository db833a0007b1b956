//! Devices: the only owner of the shared device cache. Everything that reads a device, fills the
//! cache from a list, or drops a device after a change asks this service.

use std::collections::HashMap;
use std::sync::Arc;

use crate::cache::DeviceCache;
use crate::cluster::invalidation::{DeviceInvalidations, Invalidation};
use crate::seam::wire::{Device, DeviceListRequest, Pagination};
use crate::seam::{all_pages, ApiKey, SeamClient, SeamError, TenantId};

/// Seam's largest page for list endpoints; lookups by id are cut to this size.
pub(crate) const MAX_BATCH: usize = 500;

#[derive(Clone)]
pub(crate) struct DeviceService {
    client: SeamClient,
    cache: DeviceCache,
    /// With Redis: tells the other replicas to drop what this one drops.
    invalidations: Option<DeviceInvalidations>,
}

impl DeviceService {
    pub(crate) fn new(client: SeamClient, cache: DeviceCache) -> Self {
        Self {
            client,
            cache,
            invalidations: None,
        }
    }

    /// Shares invalidations with the other replicas, and applies theirs to this cache.
    pub(crate) fn shared(mut self, invalidations: DeviceInvalidations) -> Self {
        let cache = self.cache.clone();
        invalidations.listen(move |i: Invalidation| {
            let cache = cache.clone();
            async move {
                match &i.tenant {
                    Some(tenant) => cache.invalidate_by_hash(tenant, &i.device_id).await,
                    None => cache.invalidate_everywhere(&i.device_id).await,
                }
            }
        });
        self.invalidations = Some(invalidations);
        self
    }

    /// A device this tenant has in the cache, without asking Seam. Only a hit is counted: a miss
    /// goes on to [`Self::by_ids`], which counts it.
    pub(crate) async fn cached(&self, tenant: &TenantId, device_id: &str) -> Option<Arc<Device>> {
        let device = self.cache.get(tenant, device_id).await;
        if device.is_some() {
            self.client.metrics().device_cache(1, 0);
        }
        device
    }

    /// The devices with these ids that the key can see: cached ones, plus one `devices/list` per
    /// [`MAX_BATCH`] misses (shared with concurrent requests asking for the same ids).
    pub(crate) async fn by_ids(
        &self,
        key: &ApiKey,
        ids: &[String],
    ) -> Result<HashMap<String, Arc<Device>>, SeamError> {
        let (client, fetch_key) = (self.client.clone(), key.clone());
        self.cache
            .get_many(key.tenant(), ids, move |missing| {
                let (client, fetch_key) = (client.clone(), fetch_key.clone());
                // Boxed where it is made: it moves three times on its way into the cache's shared
                // fetch, each move a copy of its whole state (the upstream call's) if unboxed.
                Box::pin(async move {
                    let mut devices = Vec::with_capacity(missing.len());
                    for chunk in missing.chunks(MAX_BATCH) {
                        devices.extend(fetch_by_ids(&client, &fetch_key, chunk).await?);
                    }
                    Ok(devices)
                })
            })
            .await
    }

    /// One page of `devices/list`; the devices on it warm the cache.
    pub(crate) async fn list_page(
        &self,
        key: &ApiKey,
        request: &DeviceListRequest,
    ) -> Result<(Vec<Arc<Device>>, Option<Pagination>), SeamError> {
        let page = self.client.list_devices(key, request).await?;
        let mut devices = Vec::with_capacity(page.devices.len());
        for device in page.devices {
            let device = Arc::new(device);
            self.cache.insert(key.tenant(), device.clone()).await;
            devices.push(device);
        }
        Ok((devices, page.pagination))
    }

    /// Whether the key can see the device (cache first, then `devices/get`).
    pub(crate) async fn is_visible(&self, key: &ApiKey, device_id: &str) -> bool {
        if self.cache.get(key.tenant(), device_id).await.is_some() {
            self.client.metrics().device_cache(1, 0);
            return true;
        }
        self.client.metrics().device_cache(0, 1);
        match self.client.get_device(key, device_id).await {
            Ok(_) => true,
            Err(e) => {
                tracing::debug!(error = %e, %device_id, tenant = %key.tenant(), "device not visible to this key");
                false
            }
        }
    }

    /// Drops devices a mutation changed (their codes, their counts), for this tenant.
    pub(crate) async fn forget(&self, tenant: &TenantId, ids: &[&str]) {
        for id in ids {
            self.cache.invalidate(tenant, id).await;
            if let Some(invalidations) = &self.invalidations {
                invalidations
                    .send(&Invalidation {
                        tenant: Some(tenant.to_string()),
                        device_id: (*id).to_owned(),
                    })
                    .await;
            }
        }
    }

    /// Drops a device for every tenant, after a `device.*` event about it.
    pub(crate) async fn forget_everywhere(&self, device_id: &str) {
        self.cache.invalidate_everywhere(device_id).await;
        if let Some(invalidations) = &self.invalidations {
            invalidations
                .send(&Invalidation {
                    tenant: None,
                    device_id: device_id.to_owned(),
                })
                .await;
        }
    }
}

/// `devices/list {device_ids}`, following `pagination` if the server pages anyway.
async fn fetch_by_ids(
    client: &SeamClient,
    key: &ApiKey,
    ids: &[String],
) -> Result<Vec<Device>, SeamError> {
    all_pages(|page_cursor| async move {
        let request = DeviceListRequest {
            device_ids: Some(ids.to_vec()),
            limit: Some(ids.len().max(1) as u32),
            page_cursor,
            ..Default::default()
        };
        let page = client.list_devices(key, &request).await?;
        Ok((page.devices, page.pagination))
    })
    .await
}
