//! What resolvers reach through the context: the process-wide [`Gateway`] (schema data) and the
//! per-request [`RequestScope`] (request data: the caller's API key and fresh loaders).

use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
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
    pub devices: DataLoader<DeviceLoader>,
    pub access_codes: DataLoader<AccessCodeLoader>,
    pub groups: DataLoader<LinkedGroupLoader>,
}

impl RequestScope {
    pub fn new(gateway: &Gateway, key: ApiKey) -> Self {
        let spawn = |f| {
            tokio::spawn(f);
        };
        Self {
            devices: DataLoader::new(
                DeviceLoader {
                    client: gateway.client.clone(),
                    key: key.clone(),
                    cache: gateway.devices.clone(),
                },
                spawn,
            ),
            access_codes: DataLoader::new(
                AccessCodeLoader {
                    client: gateway.client.clone(),
                    key: key.clone(),
                },
                spawn,
            ),
            groups: DataLoader::new(
                LinkedGroupLoader {
                    client: gateway.client.clone(),
                    key: key.clone(),
                    index: gateway.groups.clone(),
                },
                spawn,
            ),
            key,
        }
    }

    /// The device, or NOT_FOUND.
    pub async fn device(&self, id: &str) -> GatewayResult<Arc<Device>> {
        self.devices.load_one(id.to_owned()).await?.ok_or_else(|| {
            GatewayError::not_found(format!(
                "No device with id `{id}` is visible to this API key"
            ))
        })
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
