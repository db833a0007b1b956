//! What resolvers reach through the context: the process-wide [`Services`] and live-status hub
//! (schema data), and the per-request [`RequestScope`] (request data: the caller's API key and
//! fresh loaders).

use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache};
use async_graphql::Context;

use super::error::{ErrorCode, GatewayError, GatewayResult};
use crate::events::LiveHub;
use crate::loaders::{AccessCodeLoader, DeviceLoader, LinkedGroupLoader};
use crate::seam::wire::{AccessCode, Device};
use crate::seam::ApiKey;
use crate::services::Services;

/// One request's caller and loaders. A new scope per request keeps batches and keys apart.
pub struct RequestScope {
    pub key: ApiKey,
    /// Memoised for the request: a device asked for twice is fetched once, whatever the timing.
    pub devices: DataLoader<DeviceLoader, HashMapCache>,
    pub access_codes: DataLoader<AccessCodeLoader, HashMapCache>,
    pub groups: DataLoader<LinkedGroupLoader>,
    services: Services,
}

impl RequestScope {
    /// A scope for the request being served (its id and `traceparent`, if any, go to Seam with
    /// every call made for it).
    pub fn new(services: &Services, key: ApiKey) -> Self {
        let key = key
            .metered()
            .for_request(crate::telemetry::current_request());
        // A batch runs in a task of its own: it keeps the span it was started from, so that its
        // span and its Seam calls hang under the operation that asked.
        let spawn = |f| {
            tokio::spawn(tracing::Instrument::instrument(f, tracing::Span::current()));
        };
        Self {
            devices: DataLoader::with_cache(
                DeviceLoader {
                    services: services.clone(),
                    key: key.clone(),
                },
                spawn,
                HashMapCache::default(),
            ),
            access_codes: DataLoader::with_cache(
                AccessCodeLoader {
                    services: services.clone(),
                    key: key.clone(),
                },
                spawn,
                HashMapCache::default(),
            ),
            groups: DataLoader::new(
                LinkedGroupLoader {
                    services: services.clone(),
                    key: key.clone(),
                },
                spawn,
            ),
            services: services.clone(),
            key,
        }
    }

    /// The device, or NOT_FOUND. A cached device is returned at once: a hit needs no batch, so it
    /// should not wait for the loader's batching window.
    pub async fn device(&self, id: &str) -> GatewayResult<Arc<Device>> {
        if let Some(device) = self.services.devices.cached(self.key.tenant(), id).await {
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
                .services
                .devices
                .cached(self.key.tenant(), &id)
                .await
                .is_none()
            {
                missing.push(id);
            }
        }
        if !missing.is_empty() {
            self.devices.load_many(missing).await?;
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

pub(super) fn services<'a>(ctx: &Context<'a>) -> GatewayResult<&'a Services> {
    ctx.data::<Services>()
        .map_err(|_| GatewayError::new(ErrorCode::InternalServerError, "services missing"))
}

pub(super) fn live_hub<'a>(ctx: &Context<'a>) -> GatewayResult<&'a LiveHub> {
    ctx.data::<LiveHub>()
        .map_err(|_| GatewayError::new(ErrorCode::InternalServerError, "live hub missing"))
}

/// The caller's scope; UNAUTHENTICATED when the request carried no usable key.
pub(super) fn scope<'a>(ctx: &Context<'a>) -> GatewayResult<&'a RequestScope> {
    ctx.data::<RequestScope>()
        .map_err(|_| GatewayError::unauthenticated())
}
