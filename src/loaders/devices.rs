use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;

use crate::seam::wire::Device;
use crate::seam::{ApiKey, SeamError};
use crate::services::Services;

/// Batches one request's device lookups into one call to the device service.
pub(crate) struct DeviceLoader {
    pub(crate) services: Services,
    pub(crate) key: ApiKey,
}

impl Loader<String> for DeviceLoader {
    type Value = Arc<Device>;
    type Error = SeamError;

    async fn load(&self, ids: &[String]) -> Result<HashMap<String, Arc<Device>>, SeamError> {
        tracing::debug!(tenant = %self.key.tenant(), batch = ids.len(), "device batch");
        let load = self.services.devices.by_ids(&self.key, ids);
        super::batch(self.services.client.metrics(), "device", ids.len(), load).await
    }
}
