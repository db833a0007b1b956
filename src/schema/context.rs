//! What resolvers reach through the context: the process-wide [`Gateway`] (schema data) and the
//! per-request [`RequestScope`] (request data: the caller's API key and fresh loaders).

use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache};
use async_graphql::Context;

use super::error::{ErrorCode, GatewayError, GatewayResult};
use crate::cache::{DeviceCache, LinkedGroupIndex};
use crate::loaders::{AccessCodeLoader, DeviceLoader, LinkedGroupLoader};
use crate::seam::wire::{AccessCode, Device};
use crate::seam::{ApiKey, SeamClient};

/// Process-wide dependencies.
#[derive(Clone)]
pub struct Gateway {
    pub(crate) client: SeamClient,
    pub(crate) devices: DeviceCache,
    pub(crate) groups: LinkedGroupIndex,
    /// Live status fan-out (subscriptions).
    pub(crate) live: crate::events::LiveHub,
}

/// One request's caller and loaders. A new scope per request keeps batches and keys apart.
pub struct RequestScope {
    pub key: ApiKey,
    /// Memoised for the request: a device asked for twice is fetched once, whatever the timing.
    pub devices: DataLoader<DeviceLoader, HashMapCache>,
    pub access_codes: DataLoader<AccessCodeLoader, HashMapCache>,
    /// The shared device cache, read directly for hits: a hit needs no batch, so it should not wait
    /// for the loader's batching window.
    device_cache: DeviceCache,
    pub groups: DataLoader<LinkedGroupLoader>,
}

impl RequestScope {
    pub fn new(gateway: &Gateway, key: ApiKey) -> Self {
        let spawn = |f| {
            tokio::spawn(f);
        };
        Self {
            devices: DataLoader::with_cache(
                DeviceLoader {
                    client: gateway.client.clone(),
                    key: key.clone(),
                    cache: gateway.devices.clone(),
                },
                spawn,
                HashMapCache::default(),
            ),
            access_codes: DataLoader::with_cache(
                AccessCodeLoader {
                    client: gateway.client.clone(),
                    key: key.clone(),
                },
                spawn,
                HashMapCache::default(),
            ),
            groups: DataLoader::new(
                LinkedGroupLoader {
                    client: gateway.client.clone(),
                    key: key.clone(),
                    index: gateway.groups.clone(),
                },
                spawn,
            ),
            device_cache: gateway.devices.clone(),
            key,
        }
    }

    /// The device, or NOT_FOUND.
    pub async fn device(&self, id: &str) -> GatewayResult<Arc<Device>> {
        if let Some(device) = self.device_cache.get(self.key.tenant(), id).await {
            return Ok(device);
        }
        self.devices.load_one(id.to_owned()).await?.ok_or_else(|| {
            GatewayError::not_found(format!(
                "No device with id `{id}` is visible to this API key"
            ))
        })
    }

    /// Loads, in one batch, the devices of these codes, so that resolving `device` on each of them
    /// afterwards hits the request's memo instead of racing the loader's batching window.
    pub async fn prime_devices<'a>(
        &self,
        device_ids: impl Iterator<Item = &'a str>,
    ) -> GatewayResult<()> {
        let mut ids: Vec<String> = device_ids.map(str::to_owned).collect();
        ids.sort();
        ids.dedup();
        let mut missing = Vec::with_capacity(ids.len());
        for id in ids {
            if self
                .device_cache
                .get(self.key.tenant(), &id)
                .await
                .is_none()
            {
                missing.push(id);
            }
        }
        let ids = missing;
        if !ids.is_empty() {
            self.devices.load_many(ids).await?;
        }
        Ok(())
    }

    /// The access code, or NOT_FOUND.
    pub async fn access_code(&self, id: &str) -> GatewayResult<Arc<AccessCode>> {
        self.access_codes
            .load_one(id.to_owned())
            .await?
            .ok_or_else(|| {
                GatewayError::not_found(format!(
                    "No access code with id `{id}` is visible to this API key"
                ))
            })
    }
}

pub(super) fn gateway<'a>(ctx: &Context<'a>) -> GatewayResult<&'a Gateway> {
    ctx.data::<Gateway>()
        .map_err(|_| GatewayError::new(ErrorCode::InternalServerError, "gateway state missing"))
}

/// The caller's scope; UNAUTHENTICATED when the request carried no usable key.
pub(super) fn scope<'a>(ctx: &Context<'a>) -> GatewayResult<&'a RequestScope> {
    ctx.data::<RequestScope>()
        .map_err(|_| GatewayError::unauthenticated())
}
