//! What resolvers reach through the context: the process-wide [`Services`] and live-status hub
//! (schema data), and the per-request [`RequestScope`] (request data: the caller's API key and
//! fresh loaders).

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::Context;

use super::error::{ErrorCode, GatewayError, GatewayResult};
use crate::events::LiveHub;
use crate::loaders::{AccessCodeLoader, Batch, DeviceLoader, LinkedGroupLoader};
use crate::seam::wire::{AccessCode, Device};
use crate::seam::{ApiKey, SeamError};
use crate::services::linked_groups::Members;
use crate::services::Services;

/// One request's caller and loaders. A new scope per request keeps batches and keys apart.
pub struct RequestScope {
    pub key: ApiKey,
    /// Memoised for the request: a device asked for twice is fetched once, whatever the timing.
    devices: Batch<DeviceLoader>,
    access_codes: Batch<AccessCodeLoader>,
    /// Not memoised: a group is read afresh each time a resolver asks (batched all the same).
    groups: Batch<LinkedGroupLoader>,
    services: Services,
}

impl RequestScope {
    /// A scope for the request being served (its id and `traceparent`, if any, go to Seam with
    /// every call made for it). Cheap: the loaders are made on a request's first lookup of their
    /// kind, if it makes one.
    pub fn new(services: &Services, key: ApiKey) -> Self {
        Self {
            devices: Batch::new(true),
            access_codes: Batch::new(true),
            groups: Batch::new(false),
            services: services.clone(),
            key: key
                .metered()
                .for_request(crate::telemetry::current_request()),
        }
    }

    fn device_loader(&self) -> DeviceLoader {
        DeviceLoader {
            services: self.services.clone(),
            key: self.key.clone(),
        }
    }

    /// These devices, in one batch with the request's other device lookups (absent: not found).
    pub(crate) async fn devices_by_ids(
        &self,
        ids: impl IntoIterator<Item = String>,
    ) -> Result<HashMap<String, Arc<Device>>, SeamError> {
        self.devices.load_many(ids, || self.device_loader()).await
    }

    /// The linked group with this key, in one batch with the request's other group lookups.
    pub(crate) async fn group(
        &self,
        common_code_key: &str,
    ) -> Result<Option<Arc<Members>>, SeamError> {
        self.groups
            .load_one(common_code_key.to_owned(), || LinkedGroupLoader {
                services: self.services.clone(),
                key: self.key.clone(),
            })
            .await
    }

    /// The device, or NOT_FOUND. A cached device is returned at once: a hit needs no batch, so it
    /// should not wait for the request's other lookups.
    pub async fn device(&self, id: &str) -> GatewayResult<Arc<Device>> {
        let not_found = || {
            GatewayError::not_found(format!(
                "No device with id `{id}` is visible to this API key"
            ))
        };
        // A device this request has fetched already (a list's codes, after `prime_devices`) is
        // answered from the request's own memo: the same device, without a trip through the shared
        // cache (a key built, hashed and its read recorded, per code).
        if let Some(found) = self.devices.memoized(id) {
            return found.ok_or_else(not_found);
        }
        if let Some(device) = self.services.devices.cached(self.key.tenant(), id).await {
            return Ok(device);
        }
        self.devices
            .load_one(id.to_owned(), || self.device_loader())
            .await?
            .ok_or_else(not_found)
    }

    /// Loads, in one batch, the devices of these codes, so that resolving `device` on each of them
    /// afterwards hits the request's memo.
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
            self.devices_by_ids(missing).await?;
        }
        Ok(())
    }

    /// The access code, or NOT_FOUND.
    pub async fn access_code(&self, id: &str) -> GatewayResult<Arc<AccessCode>> {
        self.access_codes
            .load_one(id.to_owned(), || AccessCodeLoader {
                services: self.services.clone(),
                key: self.key.clone(),
            })
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
