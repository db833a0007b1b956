use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;

use super::MAX_BATCH;
use crate::cache::DeviceCache;
use crate::seam::wire::{Device, DeviceListRequest};
use crate::seam::{ApiKey, SeamClient, SeamError};

/// Loads devices by id: shared cache first, then one `devices/list {device_ids}` for the misses.
pub struct DeviceLoader {
    pub(crate) client: SeamClient,
    pub(crate) key: ApiKey,
    pub(crate) cache: DeviceCache,
}

impl Loader<String> for DeviceLoader {
    type Value = Arc<Device>;
    type Error = SeamError;

    async fn load(&self, ids: &[String]) -> Result<HashMap<String, Arc<Device>>, SeamError> {
        tracing::debug!(tenant = %self.key.tenant(), batch = ids.len(), "device batch");
        let (client, key) = (self.client.clone(), self.key.clone());
        self.cache
            .get_many(self.key.tenant(), ids, move |missing| async move {
                let mut devices = Vec::with_capacity(missing.len());
                for chunk in missing.chunks(MAX_BATCH) {
                    devices.extend(fetch_devices(&client, &key, chunk).await?);
                }
                Ok(devices)
            })
            .await
    }
}

/// One `devices/list` for these ids, following `pagination` if the server pages anyway.
pub(crate) async fn fetch_devices(
    client: &SeamClient,
    key: &ApiKey,
    ids: &[String],
) -> Result<Vec<Device>, SeamError> {
    let mut devices = Vec::with_capacity(ids.len());
    let mut page_cursor = None;
    loop {
        let request = DeviceListRequest {
            device_ids: Some(ids.to_vec()),
            limit: Some(ids.len().max(1) as u32),
            page_cursor: page_cursor.take(),
            ..Default::default()
        };
        let page = client.list_devices(key, &request).await?;
        devices.extend(page.devices);
        match page.pagination {
            Some(p) if p.has_next_page && p.next_page_cursor.is_some() => {
                page_cursor = p.next_page_cursor
            }
            _ => return Ok(devices),
        }
    }
}
